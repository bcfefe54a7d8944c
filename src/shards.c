/*
 * shards.c
 *		Which tables the extension's SQL names: the tables themselves, or —
 *		inside a trigger that fires on a Citus shard — the colocated shards of
 *		the same organisations on this node.
 *
 * On Citus (README "Scale-out with Citus") every organisation table is
 * hash-distributed by org_id and colocated with orgs: the rows of one
 * organisation, in every table, live in shards with the same hash range on
 * one node.  A statement the coordinator routes to a worker fires the
 * extension's triggers there, on the shard (invoice.line_items_102150).  The
 * SQL those triggers run — recompute the invoices of the changed lines, write
 * history, search signatures, reminders — must stay on that node: through the
 * distributed tables, Citus would plan it as a distributed query from a shard
 * (refused), could not see the trigger's transition tables, and would run it in
 * other backends where this backend's state is unknown.
 *
 * So every trigger runs inside invoice_trigger_on_shard(), which notes the
 * shard group of the relation it fired on, and every statement the extension
 * prepares or executes passes through invoice_tables_sql() (which also puts the
 * cents type's schema for @cents@, src/cents_schema.c): in a shard group,
 * each name invoice.<table> of a distributed or reference table becomes the
 * name of that table's shard in the group (invoice.invoices_102086).  The SQL
 * is then ordinary local SQL.  Outside a shard — one node, or the coordinator —
 * nothing changes and nothing is looked up.
 *
 * Writes to a reference table's local copy would bypass its replication;
 * invoice_refuse_on_shard() guards the paths that would need one.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "invoice.h"
#include "lib/stringinfo.h"
#include "utils/inval.h"
#include "catalog/namespace.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

/* The shards on this node of one hash range (or the coordinator's copies of reference tables). */
typedef struct ShardGroup
{
	Oid			relid;			/* key: a shard relation a trigger fired on */
	char		shard_name[NAMEDATALEN];	/* its name, which holds its shard id: a reused OID is told apart */
	bool		is_shard;
	int64		id;				/* the shard id of orgs in this group: the plans' key, stable */
	int			ntables;
	char	  **tables;			/* relnames of the logical tables, in schema invoice */
	char	  **shards;			/* relnames of their shards in this group */
} ShardGroup;

/* A plan prepared for one shard group (id 0: no shard). */
typedef struct ShardPlanKey
{
	SPIPlanPtr *cache;
	int64		group_id;		/* 0: no shard */
} ShardPlanKey;

typedef struct ShardPlan
{
	ShardPlanKey key;
	SPIPlanPtr	plan;
} ShardPlan;

static Datum call_in_group(ShardGroup *group, FunctionCallInfo fcinfo, PGFunction impl);
static bool on_org_node(bool writes, SPIPlanPtr *cache, const char *call, int nargs, Oid *argtypes, Datum *values,
						const char *nulls, Datum *result, bool *isnull);

static HTAB *groups_by_relid = NULL;
static HTAB *plans = NULL;
static ShardGroup *current_group = NULL;

/*
 * What is learned of a shard stays true for its life: Citus gives a moved or
 * split shard, and all its colocated shards, new shard ids, so new names and
 * new groups.  Entries are never removed (a group in use is never freed); one
 * whose relation OID was reused by another relation is learned again.
 */

/* Does name end in _<digits>, as a shard's does?  Returns the shard id, or 0. */
static int64
shard_id_of_name(const char *name)
{
	const char *end = name + strlen(name);
	const char *p = end;

	while (p > name && p[-1] >= '0' && p[-1] <= '9')
		p--;
	if (p == end || p == name || p[-1] != '_' || end - p > 18)
		return 0;
	return strtoll(p, NULL, 10);
}

static void
learn_group(ShardGroup *group, const char *shard_name, int64 shard_id)
{
	static const char *const sql =
		"SELECT c2.relname::text, s2.shardid"
		"  FROM pg_catalog.pg_dist_shard s1"
		"  JOIN pg_catalog.pg_class c1 ON c1.oid = s1.logicalrelid"
		"  JOIN pg_catalog.pg_dist_partition p1 ON p1.logicalrelid = s1.logicalrelid"
		"  JOIN pg_catalog.pg_dist_partition p2"
		"    ON (p2.colocationid = p1.colocationid AND p2.partmethod = 'h') OR p2.partmethod = 'n'"
		"  JOIN pg_catalog.pg_class c2 ON c2.oid = p2.logicalrelid AND c2.relnamespace = c1.relnamespace"
		"  JOIN pg_catalog.pg_dist_shard s2 ON s2.logicalrelid = p2.logicalrelid"
		"   AND (p2.partmethod = 'n' OR s2.shardminvalue = s1.shardminvalue)"
		" WHERE s1.shardid = $1 AND c1.relname::text || '_' || s1.shardid::text = $2";
	MemoryContext context = TopMemoryContext;
	Datum		values[2] = {Int64GetDatum(shard_id), CStringGetTextDatum(shard_name)};

	group->is_shard = false;
	group->ntables = 0;
	if (!OidIsValid(get_extension_oid("citus", true)))
		return;
	SPI_connect();
	if (SPI_execute_with_args(sql, 2, (Oid[]) {INT8OID, TEXTOID}, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading the Citus shard metadata failed");
	if (SPI_processed > 0)
	{
		group->is_shard = true;
		group->id = 0;
		group->ntables = (int) SPI_processed;
		group->tables = MemoryContextAlloc(context, sizeof(char *) * SPI_processed);
		group->shards = MemoryContextAlloc(context, sizeof(char *) * SPI_processed);
		for (uint64 row = 0; row < SPI_processed; row++)
		{
			char	   *table = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 1);
			char	   *shard = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 2);

			group->tables[row] = MemoryContextStrdup(context, table);
			group->shards[row] = MemoryContextStrdup(context, psprintf("%s_%s", table, shard));
			if (strcmp(table, "orgs") == 0)
				group->id = strtoll(shard, NULL, 10);
		}
		if (group->id == 0)
			group->id = shard_id;
	}
	SPI_finish();
}

/* The shard group of the relation relid named shard_name, NULL when it is not a shard of the extension's tables. */
static ShardGroup *
group_of_shard(Oid relid, const char *shard_name, int64 shard_id)
{
	ShardGroup *group;
	bool		found;

	if (groups_by_relid == NULL)
	{
		HASHCTL		ctl = {.keysize = sizeof(Oid), .entrysize = sizeof(ShardGroup), .hcxt = TopMemoryContext};

		groups_by_relid = hash_create("invoice shard groups", 64, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	group = hash_search(groups_by_relid, &relid, HASH_FIND, NULL);
	if (group == NULL || strcmp(group->shard_name, shard_name) != 0)
	{
		ShardGroup	learned = {.relid = relid};

		strlcpy(learned.shard_name, shard_name, NAMEDATALEN);
		learn_group(&learned, shard_name, shard_id);
		group = hash_search(groups_by_relid, &relid, HASH_ENTER, &found);
		*group = learned;
	}
	return group->is_shard ? group : NULL;
}

/* The shard group of rel, or NULL when rel is not a shard of the extension's tables. */
static ShardGroup *
group_of(Relation rel)
{
	int64		shard_id = shard_id_of_name(RelationGetRelationName(rel));

	if (shard_id == 0)
		return NULL;			/* the common case: a table, not a shard */
	return group_of_shard(RelationGetRelid(rel), RelationGetRelationName(rel), shard_id);
}

/*
 * The shard id of org_id's organisation when invoice.orgs is a Citus
 * distributed table here, else 0 (one node, or Citus without distribute()).
 */
static int64
org_shard_id(const char *org_id)
{
	static const char *const sql =
		"SELECT CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_dist_partition p"
		"                          WHERE p.logicalrelid = 'invoice.orgs'::pg_catalog.regclass)"
		"            THEN pg_catalog.get_shard_id_for_distribution_column('invoice.orgs', $1) END";
	int64		shard_id = 0;
	bool		isnull;

	if (!OidIsValid(get_extension_oid("citus", true)))
		return 0;
	SPI_connect();
	if (SPI_execute_with_args(sql, 1, (Oid[]) {TEXTOID}, (Datum[]) {CStringGetTextDatum(org_id)},
							  NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "looking up the shard of organisation \"%s\" failed", org_id);
	{
		Datum		value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			shard_id = DatumGetInt64(value);
	}
	SPI_finish();
	return shard_id;
}

bool
invoice_distributed(void)
{
	return org_shard_id("") != 0;
}

/*
 * Is this database a Citus worker node: Citus installed and this node's group
 * not the coordinator's (0)?  Batch jobs started here (the background worker)
 * are the coordinator's to run: from a worker they would cover the whole
 * cluster a second time.  Runs in the caller's SPI-free transaction.
 */
bool
invoice_on_citus_worker_node(void)
{
	bool		worker = false;
	bool		isnull;

	if (!OidIsValid(get_extension_oid("citus", true)))
		return false;
	SPI_connect();
	if (SPI_execute("SELECT l.groupid <> 0 FROM pg_catalog.pg_dist_local_group l", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "reading Citus's local group failed");
	if (SPI_processed == 1)
	{
		Datum		value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		worker = !isnull && DatumGetBool(value);
	}
	SPI_finish();
	return worker;
}

/* The shard group on this node of the orgs shard shard_id; NULL for 0 (one node) or a shard elsewhere. */
static ShardGroup *
group_of_org_shard(int64 shard_id)
{
	char	   *shard_name;
	Oid			relid;

	if (shard_id == 0)
		return NULL;
	shard_name = psprintf("orgs_" INT64_FORMAT, shard_id);
	relid = get_relname_relid(shard_name, get_namespace_oid("invoice", false));
	if (!OidIsValid(relid))
		return NULL;
	return group_of_shard(relid, shard_name, shard_id);
}

Datum
invoice_call_in_org(FunctionCallInfo fcinfo, PGFunction impl)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("organisation id must not be null")));
	return call_in_group(group_of_org_shard(org_shard_id(text_to_cstring(PG_GETARG_TEXT_PP(0)))), fcinfo, impl);
}

Datum
invoice_on_org_node(SPIPlanPtr *cache, const char *call, int nargs, Oid *argtypes, Datum *values, bool *isnull)
{
	Datum		result;

	if (!on_org_node(true, cache, call, nargs, argtypes, values, NULL, &result, isnull))
		elog(ERROR, "the organisation of the call on its node is missing");
	return result;
}

/*
 * The call's value in *result; false when the organisation is not there (or
 * not visible to the caller).  writes: the call changes rows there (it joins
 * the caller's transaction, invoice_prepare_node_call).
 */
static bool
on_org_node(bool writes, SPIPlanPtr *cache, const char *call, int nargs, Oid *argtypes, Datum *values, const char *nulls,
			Datum *result, bool *isnull)
{
	char	   *sql = psprintf("SELECT %s FROM invoice.orgs o WHERE o.org_id = $1", call);
	TupleDesc	tupdesc;

	invoice_prepare_node_call(writes);
	invoice_prepare(cache, sql, nargs, argtypes);
	if (SPI_execute_plan(*cache, values, nulls, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "the call on the organisation's node failed");
	if (SPI_processed != 1)
		return false;
	tupdesc = SPI_tuptable->tupdesc;
	*result = SPI_getbinval(SPI_tuptable->vals[0], tupdesc, 1, isnull);
	if (!*isnull)
		*result = SPI_datumTransfer(*result, TupleDescAttr(tupdesc, 0)->attbyval, TupleDescAttr(tupdesc, 0)->attlen);
	return true;
}

/*
 * Where a call about the organisation named by the first argument runs: true
 * when here (one node, or the organisation's node: *group is its shard group,
 * NULL on one node); false on a coordinator, where the call is sent on.
 */
static bool
org_is_here(FunctionCallInfo fcinfo, ShardGroup **group)
{
	int64		shard_id = org_shard_id(text_to_cstring(PG_GETARG_TEXT_PP(0)));

	*group = group_of_org_shard(shard_id);
	return *group != NULL || shard_id == 0;
}

/*
 * The arguments of fcinfo as SPI parameters from $<first + 1> on: types,
 * values, nulls ('n'); the first slots are left for the caller.  Returns how
 * many parameters there are in all.
 */
static int
call_arguments(FunctionCallInfo fcinfo, int first, Oid **argtypes, Datum **values, char **nulls)
{
	int			nargs = first + PG_NARGS();

	*argtypes = palloc(sizeof(Oid) * nargs);
	*values = palloc(sizeof(Datum) * nargs);
	*nulls = palloc(nargs + 1);
	for (int i = first; i < nargs; i++)
	{
		(*argtypes)[i] = get_fn_expr_argtype(fcinfo->flinfo, i - first);
		(*values)[i] = PG_GETARG_DATUM(i - first);
		(*nulls)[i] = PG_ARGISNULL(i - first) ? 'n' : ' ';
	}
	(*nulls)[nargs] = '\0';
	return nargs;
}

Datum
invoice_call_for_org(FunctionCallInfo fcinfo, PGFunction impl, SPIPlanPtr *cache, const char *self_call)
{
	ShardGroup *group;
	Oid		   *argtypes;
	Datum	   *values;
	char	   *nulls;
	int			nargs;
	Datum		result;
	bool		isnull;
	bool		found;

	if (PG_ARGISNULL(0))
		return impl(fcinfo);	/* its own argument check answers */
	if (org_is_here(fcinfo, &group))
		return call_in_group(group, fcinfo, impl);

	/* a coordinator: the same call, on the organisation's node */
	nargs = call_arguments(fcinfo, 0, &argtypes, &values, &nulls);
	SPI_connect();
	found = on_org_node(false, cache, self_call, nargs, argtypes, values, nulls, &result, &isnull);
	SPI_finish();
	if (!found)
		return call_in_group(NULL, fcinfo, impl);	/* an organisation it cannot see: answered here, as nothing */
	if (isnull)
		PG_RETURN_NULL();
	return result;
}

void
invoice_rows_into(Tuplestorestate *store, SPIPlanPtr plan, Datum *values, const char *nulls)
{
	Portal		portal = SPI_cursor_open(NULL, plan, values, nulls, true);

	for (;;)
	{
		SPI_cursor_fetch(portal, true, 1000);
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
			tuplestore_puttuple(store, SPI_tuptable->vals[i]);
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
}

Datum
invoice_rows_for_org(FunctionCallInfo fcinfo, PGFunction impl, SPIPlanPtr *cache, const char *self_call)
{
	ShardGroup *group;
	Oid		   *argtypes;
	Datum	   *values;
	char	   *nulls;
	int			nargs;
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	if (PG_ARGISNULL(0))
		return impl(fcinfo);	/* its own argument check answers */
	if (org_is_here(fcinfo, &group))
		return call_in_group(group, fcinfo, impl);

	/* a coordinator: the rows of the same call on the organisation's node, fetched in batches */
	nargs = call_arguments(fcinfo, 0, &argtypes, &values, &nulls);
	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	invoice_prepare_node_call(false);
	invoice_prepare(cache, psprintf("SELECT c.* FROM invoice.orgs o CROSS JOIN LATERAL %s c WHERE o.org_id = $1",
									self_call),
					nargs, argtypes);
	invoice_rows_into(rsinfo->setResult, *cache, values, nulls);
	SPI_finish();
	return (Datum) 0;
}

int64
invoice_sum_over_shards(FunctionCallInfo fcinfo, PGFunction impl, SPIPlanPtr *cache, const char *node_call)
{
	Oid		   *argtypes;
	Datum	   *values;
	char	   *nulls;
	int			nargs;

	if (current_group != NULL || !invoice_distributed())
		return DatumGetInt64(impl(fcinfo));	/* one node (or already on a node): here */

	/* $1: an organisation of the shard; $2…: the function's own arguments */
	nargs = call_arguments(fcinfo, 1, &argtypes, &values, &nulls);
	return invoice_sum_over_shard_groups(cache, node_call, nargs, argtypes, values, nulls);
}

int64
invoice_sum_over_shard_groups(SPIPlanPtr *cache, const char *node_call, int nargs, Oid *argtypes,
							  Datum *values, char *nulls)
{
	static SPIPlanPtr probes_plan = NULL;
	SPITupleTable *probes;
	uint64		nprobes;
	int64		sum = 0;

	argtypes[0] = TEXTOID;
	nulls[0] = ' ';
	SPI_connect();
	/* one organisation per shard of orgs that holds any (each shard answers for itself) */
	invoice_prepare(&probes_plan,
					"SELECT pg_catalog.min(o.org_id) FROM invoice.orgs o"
					" GROUP BY pg_catalog.get_shard_id_for_distribution_column('invoice.orgs', o.org_id)"
					" ORDER BY 1",
					0, NULL);
	if (SPI_execute_plan(probes_plan, NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "listing the shards of the organisations failed");
	probes = SPI_tuptable;
	nprobes = SPI_processed;
	for (uint64 row = 0; row < nprobes; row++)
	{
		Datum		result;
		bool		isnull;

		values[0] = SPI_getbinval(probes->vals[row], probes->tupdesc, 1, &isnull);
		if (on_org_node(true, cache, node_call, nargs, argtypes, values, nulls, &result, &isnull) && !isnull)
			sum += DatumGetInt64(result);
	}
	SPI_finish();
	return sum;
}

void
invoice_in_each_local_group(void (*work) (void *arg), void *arg)
{
	static const char *const sql =
		"SELECT s.shardid FROM pg_catalog.pg_dist_shard s"
		"  JOIN pg_catalog.pg_dist_placement p ON p.shardid = s.shardid"
		" WHERE s.logicalrelid = 'invoice.orgs'::pg_catalog.regclass"
		"   AND p.groupid = (SELECT l.groupid FROM pg_catalog.pg_dist_local_group l)"
		" ORDER BY s.shardid";
	ShardGroup *saved = current_group;
	int64	   *shards;
	uint64		nshards;
	bool		organisations_here = false;

	if (current_group == NULL)
	{
		work(arg);				/* one node, or the coordinator's own tables */
		return;
	}
	for (int i = 0; i < current_group->ntables; i++)
		organisations_here |= strcmp(current_group->tables[i], "orgs") == 0;
	if (organisations_here)
	{
		work(arg);				/* a shard group: its own organisations */
		return;
	}

	/* a placement of a reference table: every shard group of organisations on this node */
	current_group = NULL;		/* the metadata, not shards */
	SPI_connect();
	if (SPI_execute(sql, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "listing the shards of organisations on this node failed");
	nshards = SPI_processed;
	shards = palloc(sizeof(int64) * Max(nshards, 1));
	for (uint64 row = 0; row < nshards; row++)
	{
		bool		isnull;

		shards[row] = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
	PG_TRY();
	{
		for (uint64 i = 0; i < nshards; i++)
		{
			current_group = group_of_org_shard(shards[i]);
			if (current_group != NULL)
				work(arg);
		}
	}
	PG_FINALLY();
	{
		current_group = saved;
	}
	PG_END_TRY();
}

Oid
invoice_table_relid(const char *table)
{
	Oid			schema = get_namespace_oid("invoice", false);

	if (current_group != NULL)
		for (int i = 0; i < current_group->ntables; i++)
			if (strcmp(current_group->tables[i], table) == 0)
				return get_relname_relid(current_group->shards[i], schema);
	return get_relname_relid(table, schema);
}

void
invoice_forget_plans(SPIPlanPtr *cache)
{
	HASH_SEQ_STATUS status;
	ShardPlan  *entry;

	if (plans != NULL)
	{
		hash_seq_init(&status, plans);
		while ((entry = hash_seq_search(&status)) != NULL)
			if (entry->key.cache == cache)
			{
				if (entry->plan != *cache)
					SPI_freeplan(entry->plan);
				hash_search(plans, &entry->key, HASH_REMOVE, NULL);
			}
	}
	if (*cache != NULL)
		SPI_freeplan(*cache);
	*cache = NULL;
}

/*
 * next_identity(sequence): the next value of the identity sequence of one of
 * the extension's tables, taken as the identity column's default takes it —
 * without the sequence privileges nextval() asks of its caller, which the
 * default does not ask either (IDENTITY_NEXT in invoice.h: an INSERT naming
 * the identity, as a Citus shard needs).  Any other sequence: 42501.
 */
/* invoice_next_identity's sequences already checked, forgotten on any relcache invalidation */
static Oid	identity_sequences[16];
static int	n_identity_sequences = 0;
static bool identity_callback_registered = false;

static void
forget_identity_sequences(Datum arg, Oid relid)
{
	n_identity_sequences = 0;
}

PG_FUNCTION_INFO_V1(invoice_next_identity);
Datum
invoice_next_identity(PG_FUNCTION_ARGS)
{
	Oid			sequence = PG_GETARG_OID(0);
	Oid			table;
	int32		column;
	bool		known = false;

	/*
	 * The check scans pg_depend: remember the sequences that passed it (a few
	 * per backend), until any relation changes (a relcache invalidation).
	 */
	for (int i = 0; i < n_identity_sequences && !known; i++)
		known = identity_sequences[i] == sequence;
	if (!known)
	{
		if (!sequenceIsOwned(sequence, DEPENDENCY_INTERNAL, &table, &column) ||
			get_rel_namespace(table) != get_namespace_oid("invoice", false))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("relation with OID %u is not the identity sequence of a table of the invoice extension",
							sequence)));
		if (!identity_callback_registered)
		{
			CacheRegisterRelcacheCallback(forget_identity_sequences, (Datum) 0);
			identity_callback_registered = true;
		}
		if (n_identity_sequences < (int) lengthof(identity_sequences))
			identity_sequences[n_identity_sequences++] = sequence;
	}
	PG_RETURN_INT64(nextval_internal(sequence, false));
}

Datum
invoice_logical_row(Datum row, const char *table)
{
	Oid			type;

	if (current_group == NULL)
		return row;
	type = get_rel_type_id(get_relname_relid(table, get_namespace_oid("invoice", false)));
	return OidInputFunctionCall(F_RECORD_IN, OidOutputFunctionCall(F_RECORD_OUT, row), type, -1);
}

/*
 * Refuse (39P01, as contrib's triggers do) a trigger function called any
 * other way than by a trigger on one of its tables (space-separated names in
 * schema invoice), or on a shard of one: attached to another table, it would
 * read columns that are not there.
 */
static void
check_trigger_table(FunctionCallInfo fcinfo, const char *tables)
{
	Relation	rel;
	const char *name;
	size_t		len;
	const char *p;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function %s was not called by a trigger", get_func_name(fcinfo->flinfo->fn_oid))));
	rel = ((TriggerData *) fcinfo->context)->tg_relation;
	name = RelationGetRelationName(rel);
	len = strlen(name);
	if (shard_id_of_name(name) != 0)
		len = strrchr(name, '_') - name;
	if (RelationGetNamespace(rel) == get_namespace_oid("invoice", true))
		for (p = tables; *p != '\0'; p += strcspn(p, " "), p += strspn(p, " "))
			if (strcspn(p, " ") == len && strncmp(p, name, len) == 0)
				return;
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("trigger function %s fires on invoice.%s only, not on \"%s\"",
					get_func_name(fcinfo->flinfo->fn_oid), tables, RelationGetRelationName(rel))));
}

/* impl(fcinfo) with group in force (NULL: none), the group before restored however it ends. */
static Datum
call_in_group(ShardGroup *group, FunctionCallInfo fcinfo, PGFunction impl)
{
	ShardGroup *saved = current_group;
	Datum		result;

	current_group = group;
	PG_TRY();
	{
		result = impl(fcinfo);
	}
	PG_FINALLY();
	{
		current_group = saved;
	}
	PG_END_TRY();
	return result;
}

Datum
invoice_trigger_on_shard(FunctionCallInfo fcinfo, const char *tables, PGFunction impl)
{
	check_trigger_table(fcinfo, tables);
	return call_in_group(group_of(((TriggerData *) fcinfo->context)->tg_relation), fcinfo, impl);
}

bool
invoice_on_shard(void)
{
	return current_group != NULL;
}

void
invoice_refuse_on_shard(const char *what)
{
	if (current_group != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s is not supported on a Citus cluster yet", what),
				 errdetail("It writes a reference table from a trigger on a shard."),
				 errhint("See README \"Scale-out with Citus\" for what works on Citus.")));
}

static bool
is_identifier_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

const char *
invoice_tables_sql(const char *sql)
{
	static const char prefix[] = "invoice.";
	StringInfoData out;
	const char *p = sql;
	const char *hit;

	sql = invoice_cents_sql(sql);
	if (current_group == NULL)
		return sql;
	p = sql;
	initStringInfo(&out);
	while ((hit = strstr(p, prefix)) != NULL)
	{
		const char *name = hit + sizeof(prefix) - 1;
		const char *end = name;
		int			i;

		while (is_identifier_char(*end))
			end++;
		appendBinaryStringInfo(&out, p, name - p);
		for (i = 0; i < current_group->ntables; i++)
			if (strlen(current_group->tables[i]) == (size_t) (end - name) &&
				strncmp(current_group->tables[i], name, end - name) == 0)
				break;
		if ((hit == sql || !is_identifier_char(hit[-1])) && i < current_group->ntables)
			appendStringInfoString(&out, current_group->shards[i]);
		else
			appendBinaryStringInfo(&out, name, end - name);
		p = end;
	}
	appendStringInfoString(&out, p);
	return out.data;
}

SPIPlanPtr
invoice_prepare_kept(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes, int cursor_options)
{
	ShardPlanKey key;
	ShardPlan  *entry;
	bool		found;

	/* One node (or the coordinator), before any shard plan: the cache is the plan. */
	if (plans == NULL && current_group == NULL)
	{
		if (*cache == NULL)
		{
			const char *local_sql = invoice_cents_sql(sql);
			SPIPlanPtr	plan = SPI_prepare_cursor(local_sql, nargs, argtypes, cursor_options);

			if (plan == NULL)
				elog(ERROR, "SPI_prepare failed for \"%s\": %s", local_sql, SPI_result_code_string(SPI_result));
			SPI_keepplan(plan);
			*cache = plan;
		}
		return *cache;
	}

	/* A backend that has run on shards: plans per (statement, group); *cache is the last one handed out. */
	if (plans == NULL)
	{
		HASHCTL		ctl = {.keysize = sizeof(ShardPlanKey), .entrysize = sizeof(ShardPlan), .hcxt = TopMemoryContext};

		plans = hash_create("invoice plans per shard group", 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		if (*cache != NULL)
		{
			/* plans made before the first shard group: they are the group-0 plans */
			key = (ShardPlanKey) {.cache = cache, .group_id = 0};
			entry = hash_search(plans, &key, HASH_ENTER, &found);
			entry->plan = *cache;
		}
	}
	memset(&key, 0, sizeof(key));
	key.cache = cache;
	key.group_id = current_group != NULL ? current_group->id : 0;
	entry = hash_search(plans, &key, HASH_ENTER, &found);
	if (!found)
	{
		const char *local_sql = invoice_tables_sql(sql);

		entry->plan = NULL;
		entry->plan = SPI_prepare_cursor(local_sql, nargs, argtypes, cursor_options);
		if (entry->plan == NULL)
		{
			hash_search(plans, &key, HASH_REMOVE, NULL);
			elog(ERROR, "SPI_prepare failed for \"%s\": %s", local_sql, SPI_result_code_string(SPI_result));
		}
		SPI_keepplan(entry->plan);
	}
	*cache = entry->plan;
	return entry->plan;
}

int
invoice_execute(const char *sql, bool read_only, long count)
{
	return SPI_execute(invoice_tables_sql(sql), read_only, count);
}

int
invoice_execute_with_args(const char *sql, int nargs, Oid *argtypes, Datum *values,
						  const char *nulls, bool read_only, long count)
{
	return SPI_execute_with_args(invoice_tables_sql(sql), nargs, argtypes, values, nulls, read_only, count);
}
