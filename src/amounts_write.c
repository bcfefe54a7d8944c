/*
 * amounts_write.c
 *		Writing the derived amounts of one locked invoice row without an
 *		executor UPDATE (README "Decisions": the one-invoice write).
 *
 * The one-invoice recompute (compute_one.c) changes ten amount columns of
 * one row it has locked by key.  An executor UPDATE of invoices pays, per
 * statement, for rebuilding every CHECK constraint of the table from its
 * stored text (ExecRelCheck: stringToNode and ExecPrepareExpr at each
 * executor start), for the BEFORE and AFTER triggers' machinery and for the
 * transition tables of the statement trigger — more than the INSERT of a
 * line itself.  Here the same write is made as PostgreSQL makes it, with
 * the same guarantees:
 *
 *   - the row is the one the caller locked (FOR NO KEY UPDATE), so
 *     concurrent writers serialise exactly as before;
 *   - the BEFORE UPDATE rules of invoices run on it (invoice_update_rules,
 *     the trigger's own code: updated_at, status);
 *   - NOT NULL and the CHECK constraints of the table are evaluated, by
 *     expression states kept per backend and relation (rebuilt after any
 *     invalidation of the relation: a constraint added or dropped counts):
 *     every NOT VALID one, and every validated one that reads a column the
 *     write changes (PostgreSQL assumes CHECK conditions immutable; one that
 *     reads none of them held for these very values when they were written);
 *   - the row is written by heap_update (WAL-logged, replicated and decoded
 *     like any update; HOT when no indexed column changes and the page has
 *     room, else its index entries are inserted as the executor does).
 *
 * Whenever the executor would do more than that, nothing is written here
 * and the caller runs its UPDATE: a trigger on invoices other than the
 * extension's own and foreign keys' (a user's audit trigger fires as
 * before), a status change (its history rows come from the statement
 * trigger), row-level security applying to the role, no UPDATE privilege,
 * session_replication_role = replica, a generated column, a deferrable
 * unique index, and any row that a constraint refuses — so the error is
 * the executor's own, with its SQLSTATE, constraint name and detail.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "compute.h"
#include "executor/executor.h"
#include "invoice.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "nodes/bitmapset.h"
#include "storage/bufmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/syscache.h"

static const char *const amount_columns[COMPUTE_NAMOUNTS] = {
	"usage_amount", "credits_applied", "already_billed_amount", "subtotal", "tax",
	"total", "advance_pay_amount", "amount_due", "credited_amount", "round_off"
};

/* What this backend keeps about one invoices relation (the table, or a shard of it). */
typedef struct AmountsWriter
{
	Oid			relid;			/* key */
	bool		valid;			/* false after an invalidation of the relation */
	bool		usable;			/* false: the executor must write it (see above) */
	MemoryContext context;		/* holds what follows */
	int			attnums[COMPUTE_NAMOUNTS];
	int			key_attnums[2];	/* org_id, id */
	int			nnotnull;
	AttrNumber *notnull;		/* the NOT NULL columns */
	int			nchecks;
	ExprState **checks;			/* the CHECK constraints, ready to run */
	Bitmapset **check_columns;	/* the columns each reads (FirstLowInvalidHeapAttributeNumber offsets); NULL: run always */
} AmountsWriter;

static HTAB *writers = NULL;
static ExprContext *check_context = NULL;

static void
forget_writers(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS scan;
	AmountsWriter *writer;

	if (writers == NULL)
		return;
	hash_seq_init(&scan, writers);
	while ((writer = hash_seq_search(&scan)) != NULL)
		if (relid == InvalidOid || writer->relid == relid)
			writer->valid = false;
}

/* Is the C function fn the extension's own symbol? */
static bool
is_own_function(Oid fn, const char *symbol)
{
	HeapTuple	proc = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	bool		own = false;

	if (HeapTupleIsValid(proc))
	{
		Form_pg_proc form = (Form_pg_proc) GETSTRUCT(proc);
		bool		isnull;
		Datum		src = SysCacheGetAttr(PROCOID, proc, Anum_pg_proc_prosrc, &isnull);

		own = form->prolang == ClanguageId && !isnull && strcmp(TextDatumGetCString(src), symbol) == 0;
		ReleaseSysCache(proc);
	}
	return own;
}

/*
 * Would an UPDATE of the amounts alone fire only what is done here?  The
 * extension's BEFORE UPDATE row trigger (run here), its AFTER UPDATE
 * statement trigger (it has nothing to do unless a status, tax rate, number
 * or description changed: such a change is left to the executor) and the
 * foreign keys' triggers (no key changes).
 */
static bool
only_known_triggers(Relation rel)
{
	TriggerDesc *trigdesc = rel->trigdesc;

	if (trigdesc == NULL)
		return false;			/* not the extension's table as created */
	for (int i = 0; i < trigdesc->numtriggers; i++)
	{
		Trigger    *trigger = &trigdesc->triggers[i];

		if (!TRIGGER_FOR_UPDATE(trigger->tgtype))
			continue;
		if (RI_FKey_trigger_type(trigger->tgfoid) != RI_TRIGGER_NONE)
			continue;
		if (trigger->tgenabled != TRIGGER_FIRES_ON_ORIGIN)
			return false;
		if (TRIGGER_FOR_ROW(trigger->tgtype) && TRIGGER_FOR_BEFORE(trigger->tgtype) &&
			is_own_function(trigger->tgfoid, "invoice_before_update"))
			continue;
		if (!TRIGGER_FOR_ROW(trigger->tgtype) && TRIGGER_FOR_AFTER(trigger->tgtype) &&
			is_own_function(trigger->tgfoid, "invoice_after_statement"))
			continue;
		return false;
	}
	return true;
}

static void
build_writer(AmountsWriter *writer, Relation rel)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	TupleConstr *constr = tupdesc->constr;
	MemoryContext old;

	/* an invalidation that arrives while this is built makes it invalid again */
	writer->valid = true;
	writer->context = AllocSetContextCreate(TopMemoryContext, "invoice amounts writer", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(writer->context);
	writer->usable = rel->rd_rel->relkind == RELKIND_RELATION && !rel->rd_rel->relispartition &&
		(constr == NULL || !constr->has_generated_stored) && only_known_triggers(rel);
	for (int i = 0; i < COMPUTE_NAMOUNTS && writer->usable; i++)
	{
		writer->attnums[i] = SPI_fnumber(tupdesc, amount_columns[i]);
		writer->usable = writer->attnums[i] > 0;
	}
	writer->key_attnums[0] = SPI_fnumber(tupdesc, "org_id");
	writer->key_attnums[1] = SPI_fnumber(tupdesc, "id");
	writer->usable &= writer->key_attnums[0] > 0 && writer->key_attnums[1] > 0;
	if (writer->usable)
	{
		List	   *indexes = RelationGetIndexList(rel);
		ListCell   *lc;

		/* a deferred uniqueness check needs the executor's after-trigger event */
		foreach(lc, indexes)
		{
			Relation	index = index_open(lfirst_oid(lc), AccessShareLock);

			writer->usable &= index->rd_index->indimmediate;
			index_close(index, AccessShareLock);
		}
	}
	writer->notnull = palloc(sizeof(AttrNumber) * tupdesc->natts);
	writer->nnotnull = 0;
	for (int a = 0; a < tupdesc->natts; a++)
		if (TupleDescAttr(tupdesc, a)->attnotnull && !TupleDescAttr(tupdesc, a)->attisdropped)
			writer->notnull[writer->nnotnull++] = a + 1;
	writer->nchecks = constr != NULL ? constr->num_check : 0;
	writer->checks = palloc(sizeof(ExprState *) * Max(writer->nchecks, 1));
	writer->check_columns = palloc0(sizeof(Bitmapset *) * Max(writer->nchecks, 1));
	for (int c = 0; c < writer->nchecks; c++)
	{
		/* as ExecRelCheck prepares them (ExecPrepareExpr), once */
		Expr	   *check = expression_planner(stringToNode(constr->check[c].ccbin));
		Bitmapset  *columns = NULL;

		writer->checks[c] = ExecInitExpr(check, NULL);
		pull_varattnos((Node *) check, 1, &columns);
		/* a NOT VALID constraint may be false of the stored row; a whole-row reference reads every column */
		if (constr->check[c].ccvalid &&
			!bms_is_member(InvalidAttrNumber - FirstLowInvalidHeapAttributeNumber, columns))
			writer->check_columns[c] = columns;
	}
	MemoryContextSwitchTo(old);
}

static AmountsWriter *
writer_of(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	AmountsWriter *writer;
	bool		found;

	if (writers == NULL)
	{
		HASHCTL		info = {.keysize = sizeof(Oid), .entrysize = sizeof(AmountsWriter)};

		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		check_context = CreateStandaloneExprContext();
		MemoryContextSwitchTo(old);
		writers = hash_create("invoice amounts writers", 16, &info, HASH_ELEM | HASH_BLOBS);
		CacheRegisterRelcacheCallback(forget_writers, (Datum) 0);
	}
	writer = hash_search(writers, &relid, HASH_ENTER, &found);
	if (found && writer->valid)
		return writer;
	if (found)
		MemoryContextDelete(writer->context);
	writer->valid = false;
	writer->context = NULL;
	PG_TRY();
	{
		build_writer(writer, rel);
	}
	PG_CATCH();
	{
		if (writer->context != NULL)
			MemoryContextDelete(writer->context);
		hash_search(writers, &relid, HASH_REMOVE, NULL);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return writer;
}

/*
 * The columns whose values differ between the two versions
 * (FirstLowInvalidHeapAttributeNumber offsets, as the executor's updatedCols).
 */
static Bitmapset *
changed_columns(Relation rel, HeapTuple old_tuple, HeapTuple new_tuple)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	Bitmapset  *changed = NULL;

	for (int a = 1; a <= tupdesc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, a - 1);
		bool		old_null;
		bool		new_null;
		Datum		old_value;
		Datum		new_value;

		if (att->attisdropped)
			continue;
		old_value = heap_getattr(old_tuple, a, tupdesc, &old_null);
		new_value = heap_getattr(new_tuple, a, tupdesc, &new_null);
		if (old_null != new_null ||
			(!old_null && !datum_image_eq(old_value, new_value, att->attbyval, att->attlen)))
			changed = bms_add_member(changed, a - FirstLowInvalidHeapAttributeNumber);
	}
	return changed;
}

/*
 * Do NOT NULL and the CHECK constraints accept the row?  (A CHECK that is
 * NULL passes.)  A validated CHECK that reads none of the changed columns
 * is not run again: PostgreSQL assumes CHECK conditions immutable ("they
 * will always give the same result for the same input row"), and it held
 * for these values when they were written or validated.  Every NOT VALID
 * constraint runs.
 */
static bool
constraints_accept(AmountsWriter *writer, Relation rel, HeapTuple tuple, Bitmapset *changed)
{
	TupleTableSlot *slot = NULL;
	bool		accepted = true;

	for (int i = 0; i < writer->nnotnull; i++)
		if (heap_attisnull(tuple, writer->notnull[i], RelationGetDescr(rel)))
			return false;
	for (int c = 0; c < writer->nchecks && accepted; c++)
	{
		if (writer->check_columns[c] != NULL && !bms_overlap(writer->check_columns[c], changed))
			continue;
		if (slot == NULL)
		{
			slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsHeapTuple);
			ExecStoreHeapTuple(tuple, slot, false);
			check_context->ecxt_scantuple = slot;
		}
		accepted = ExecCheck(writer->checks[c], check_context);
	}
	if (slot != NULL)
	{
		ResetExprContext(check_context);
		check_context->ecxt_scantuple = NULL;
		ExecDropSingleTupleTableSlot(slot);
	}
	return accepted;
}

/*
 * A new version that is not heap-only needs entries in every index, as the
 * executor makes them (with its hint to the indexes that no indexed column
 * changed: the range table names the columns the update set).
 */
static void
insert_index_entries(Relation rel, HeapTuple tuple, Bitmapset *changed)
{
	EState	   *estate = CreateExecutorState();
	ResultRelInfo *result = makeNode(ResultRelInfo);
	TupleTableSlot *slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), &TTSOpsHeapTuple);
	RangeTblEntry *rte = makeNode(RangeTblEntry);

	rte->rtekind = RTE_RELATION;
	rte->relid = RelationGetRelid(rel);
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	rte->updatedCols = changed;
	ExecInitRangeTable(estate, list_make1(rte));
	InitResultRelInfo(result, rel, 1, NULL, 0);
	ExecOpenIndices(result, false);
	ExecStoreHeapTuple(tuple, slot, false);
	(void) ExecInsertIndexTuples(result, slot, estate, true, false, NULL, NIL);
	ExecCloseIndices(result);
	ExecDropSingleTupleTableSlot(slot);
	FreeExecutorState(estate);
}

bool
invoice_write_amounts(Oid relid, ItemPointer tid, Datum org_id, Datum id, const Cents *amounts)
{
	Relation	rel;
	AmountsWriter *writer;
	HeapTupleData old_tuple;
	Buffer		buffer;
	HeapTuple	old_copy;
	HeapTuple	new_tuple;
	Datum		values[COMPUTE_NAMOUNTS];
	bool		nulls[COMPUTE_NAMOUNTS] = {false};
	bool		isnull;
	int			pending;
	Bitmapset  *changed;

	if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA ||
		check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED ||
		pg_class_aclcheck(relid, GetUserId(), ACL_UPDATE) != ACLCHECK_OK)
		return false;

	rel = table_open(relid, RowExclusiveLock);	/* as an UPDATE takes it */
	writer = writer_of(rel);
	if (!writer->usable)
	{
		table_close(rel, NoLock);
		return false;
	}

	/* the version the caller locked: no one else can change it now */
	old_tuple.t_self = *tid;
	if (!heap_fetch(rel, SnapshotAny, &old_tuple, &buffer, false))
		elog(ERROR, "locked invoice \"%s\" not found", TextDatumGetCString(id));
	old_copy = heap_copytuple(&old_tuple);
	ReleaseBuffer(buffer);
	if (!DatumGetBool(DirectFunctionCall2Coll(texteq, C_COLLATION_OID,
											  heap_getattr(old_copy, writer->key_attnums[0], RelationGetDescr(rel), &isnull),
											  org_id)) ||
		!DatumGetBool(DirectFunctionCall2Coll(texteq, C_COLLATION_OID,
											  heap_getattr(old_copy, writer->key_attnums[1], RelationGetDescr(rel), &isnull),
											  id)))
		elog(ERROR, "locked invoice \"%s\" moved", TextDatumGetCString(id));

	for (int i = 0; i < COMPUTE_NAMOUNTS; i++)
		values[i] = CentsGetDatum(amounts[i]);
	new_tuple = heap_modify_tuple_by_cols(old_copy, RelationGetDescr(rel), COMPUTE_NAMOUNTS,
										  writer->attnums, values, nulls);
	new_tuple = invoice_update_rules(rel, old_copy, new_tuple, true, &pending);
	changed = changed_columns(rel, old_copy, new_tuple);
	if (pending != 0 || !constraints_accept(writer, rel, new_tuple, changed))
	{
		table_close(rel, NoLock);
		return false;
	}

	simple_heap_update(rel, &old_copy->t_self, new_tuple);
	if (!HeapTupleIsHeapOnly(new_tuple))
		insert_index_entries(rel, new_tuple, changed);
	CommandCounterIncrement();
	table_close(rel, NoLock);
	return true;
}
