/*
 * compute_one_read.c
 *		Reading the children of one invoice for its recompute by direct index
 *		scans (compute_one.c; README "Decisions": the one-invoice read).
 *
 * A statement of six index scans costs, in PostgreSQL's executor set-up of
 * its plan (scan, projection and qual states, the Append), more than the
 * reads themselves: an invoice has a dozen lines and mostly no credit,
 * payment, advance or credit note.  Here each child table is read through
 * its (org_id, invoice_id) index with the access methods directly, in a
 * fresh snapshot taken as SPI takes it for a statement, rows tested as the
 * statement's WHERE tests them.  What is read is the same; it is read with
 * the same locks (AccessShareLock on the table and the index).
 *
 * The supplier's roundings, which a draft takes until issue fixes its own,
 * are read likewise (a one-row table, scanned).
 *
 * When a table cannot be read so — no index on (org_id, invoice_id),
 * row-level security that applies to the role, no SELECT privilege — the
 * caller reads by its statement instead (the same answer, or the
 * statement's own error).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "compute.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"

/* One kind of child as the read statement selects it. */
typedef struct ChildKind
{
	const char *table;
	const char *amount;			/* the column summed (lines: each line) */
	const char *filter;			/* a text column that must equal filter_value, or NULL */
	const char *filter_value;
} ChildKind;

static const ChildKind child_kinds[COMPUTE_ONE_CHILDREN] = {
	[COMPUTE_ONE_LINES] = {"line_items", "amount", NULL, NULL},
	[COMPUTE_ONE_CREDITS] = {"credits", "amount", NULL, NULL},
	[COMPUTE_ONE_PAYMENTS] = {"payments", "amount", NULL, NULL},
	[COMPUTE_ONE_ADVANCE] = {"advance_ledger", "amount", "kind", "applied"},
	[COMPUTE_ONE_CREDIT_NOTES] = {"credit_notes", "total", "status", "issued"},
};

/* What this backend knows of one child relation (a table, or a shard of it). */
typedef struct ChildRelation
{
	Oid			relid;			/* key */
	bool		valid;			/* false after an invalidation of the relation */
	Oid			index;			/* on (org_id, invoice_id, …); InvalidOid: read by the statement */
	AttrNumber	amount;
	AttrNumber	rate;			/* lines: tax_rate */
	AttrNumber	filter;
} ChildRelation;

static HTAB *child_relations = NULL;

static void
forget_child_relations(Datum arg, Oid relid)
{
	HASH_SEQ_STATUS scan;
	ChildRelation *child;

	if (child_relations == NULL)
		return;
	hash_seq_init(&scan, child_relations);
	while ((child = hash_seq_search(&scan)) != NULL)
		if (relid == InvalidOid || child->relid == relid)
			child->valid = false;
}

/*
 * A usable index: a b-tree whose first two columns are org_id and
 * invoice_id, with no predicate or only invoice_id IS NOT NULL (which every
 * row of an invoice satisfies).
 */
static bool
index_leads_with_keys(Relation index, AttrNumber org_att, AttrNumber invoice_att)
{
	List	   *predicate;

	if (index->rd_rel->relam != BTREE_AM_OID || index->rd_index->indnkeyatts < 2 ||
		index->rd_index->indkey.values[0] != org_att || index->rd_index->indkey.values[1] != invoice_att ||
		!index->rd_index->indisvalid || !index->rd_index->indisready)
		return false;
	predicate = RelationGetIndexPredicate(index);
	if (predicate == NIL)
		return true;
	if (list_length(predicate) == 1 && IsA(linitial(predicate), NullTest))
	{
		NullTest   *test = linitial(predicate);

		return test->nulltesttype == IS_NOT_NULL && IsA(test->arg, Var) &&
			((Var *) test->arg)->varattno == invoice_att;
	}
	return false;
}

static void
describe_child(ChildRelation *child, Relation rel, const ChildKind *kind)
{
	TupleDesc	tupdesc = RelationGetDescr(rel);
	AttrNumber	org_att = SPI_fnumber(tupdesc, "org_id");
	AttrNumber	invoice_att = SPI_fnumber(tupdesc, "invoice_id");
	List	   *indexes;
	ListCell   *lc;

	child->valid = true;		/* an invalidation while this runs makes it invalid again */
	child->index = InvalidOid;
	child->amount = SPI_fnumber(tupdesc, kind->amount);
	child->rate = SPI_fnumber(tupdesc, "tax_rate");
	child->filter = kind->filter != NULL ? SPI_fnumber(tupdesc, kind->filter) : InvalidAttrNumber;
	if (org_att <= 0 || invoice_att <= 0 || child->amount <= 0 ||
		(kind->filter != NULL && (child->filter <= 0 || TupleDescAttr(tupdesc, child->filter - 1)->atttypid != TEXTOID)) ||
		(kind == &child_kinds[COMPUTE_ONE_LINES] && child->rate <= 0))
		return;
	indexes = RelationGetIndexList(rel);
	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);
		bool		usable = index_leads_with_keys(index, org_att, invoice_att);

		index_close(index, AccessShareLock);
		if (usable)
		{
			child->index = lfirst_oid(lc);
			break;
		}
	}
	list_free(indexes);
}

static ChildRelation *
child_relation(Relation rel, const ChildKind *kind)
{
	Oid			relid = RelationGetRelid(rel);
	ChildRelation *child;
	bool		found;

	if (child_relations == NULL)
	{
		HASHCTL		info = {.keysize = sizeof(Oid), .entrysize = sizeof(ChildRelation)};

		child_relations = hash_create("invoice children read", 32, &info, HASH_ELEM | HASH_BLOBS);
		CacheRegisterRelcacheCallback(forget_child_relations, (Datum) 0);
	}
	child = hash_search(child_relations, &relid, HASH_ENTER, &found);
	if (!found || !child->valid)
	{
		PG_TRY();
		{
			describe_child(child, rel, kind);
		}
		PG_CATCH();
		{
			hash_search(child_relations, &relid, HASH_REMOVE, NULL);
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	return child;
}

/* Does the text column hold exactly value? */
static bool
text_is(Datum datum, const char *value)
{
	text	   *t = DatumGetTextPP(datum);
	size_t		len = strlen(value);

	return VARSIZE_ANY_EXHDR(t) == len && memcmp(VARDATA_ANY(t), value, len) == 0;
}

/* Open every child table, or none (false) when the statement must read instead. */
static bool
open_children(Relation *rels, ChildRelation **children)
{
	for (int k = 0; k < COMPUTE_ONE_CHILDREN; k++)
	{
		Oid			relid = invoice_table_relid(child_kinds[k].table);
		bool		readable = OidIsValid(relid) &&
			check_enable_rls(relid, InvalidOid, true) != RLS_ENABLED &&
			pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK;

		if (readable)
		{
			rels[k] = table_open(relid, AccessShareLock);
			children[k] = child_relation(rels[k], &child_kinds[k]);
			readable = OidIsValid(children[k]->index);
			if (!readable)
				k++;			/* close this one too */
		}
		if (!readable)
		{
			for (int j = 0; j < k; j++)
				table_close(rels[j], NoLock);
			return false;
		}
	}
	return true;
}

bool
compute_one_read_children(Datum org_id, Datum id, ComputeOneChildSums sums[COMPUTE_ONE_CHILDREN], ComputeOneLine **lines, int *nlines)
{
	Relation	rels[COMPUTE_ONE_CHILDREN];
	ChildRelation *children[COMPUTE_ONE_CHILDREN];
	Snapshot	snapshot;
	int			maxlines = 16;

	if (!open_children(rels, children))
		return false;

	/* as SPI runs a statement: the command counter advanced, a fresh snapshot (READ COMMITTED) */
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	snapshot = GetActiveSnapshot();

	*lines = palloc(sizeof(ComputeOneLine) * maxlines);
	*nlines = 0;
	memset(sums, 0, sizeof(ComputeOneChildSums) * COMPUTE_ONE_CHILDREN);
	for (int k = 0; k < COMPUTE_ONE_CHILDREN; k++)
	{
		Relation	index = index_open(children[k]->index, AccessShareLock);
		TupleTableSlot *slot = table_slot_create(rels[k], NULL);
		IndexScanDesc scan;
		ScanKeyData keys[2];

		/* compared in the index's own collations, as the statement's index scan compares */
		ScanKeyEntryInitialize(&keys[0], 0, 1, BTEqualStrategyNumber, InvalidOid, index->rd_indcollation[0],
							   F_TEXTEQ, org_id);
		ScanKeyEntryInitialize(&keys[1], 0, 2, BTEqualStrategyNumber, InvalidOid, index->rd_indcollation[1],
							   F_TEXTEQ, id);
		scan = index_beginscan(rels[k], index, snapshot, 2, 0);
		index_rescan(scan, keys, 2, NULL, 0);
		while (index_getnext_slot(scan, ForwardScanDirection, slot))
		{
			bool		isnull;
			Datum		amount;

			if (children[k]->filter != InvalidAttrNumber)
			{
				Datum		value = slot_getattr(slot, children[k]->filter, &isnull);

				if (isnull || !text_is(value, child_kinds[k].filter_value))
					continue;
			}
			amount = slot_getattr(slot, children[k]->amount, &isnull);
			if (k == COMPUTE_ONE_LINES)
			{
				bool		rate_null;
				Datum		rate = slot_getattr(slot, children[k]->rate, &rate_null);

				if (*nlines == maxlines)
				{
					maxlines *= 2;
					*lines = repalloc(*lines, sizeof(ComputeOneLine) * maxlines);
				}
				(*lines)[*nlines].amount = isnull ? 0 : DatumGetCents(amount);
				(*lines)[*nlines].rate = rate_null ? NULL : DatumGetNumeric(datumCopy(rate, false, -1));
				(*nlines)++;
			}
			else if (!isnull)
			{
				sums[k].sum += DatumGetCents(amount);
				sums[k].count++;
			}
		}
		index_endscan(scan);
		ExecDropSingleTupleTableSlot(slot);
		index_close(index, NoLock);
		table_close(rels[k], NoLock);
	}
	PopActiveSnapshot();
	return true;
}

bool
compute_one_read_supplier(char **tax_rounding, char **total_rounding)
{
	Oid			relid = invoice_table_relid("supplier");
	Relation	rel;
	TableScanDesc scan;
	TupleTableSlot *slot;
	AttrNumber	tax_att;
	AttrNumber	total_att;
	int			rows = 0;

	if (!OidIsValid(relid) ||
		check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED ||
		pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return false;
	rel = table_open(relid, AccessShareLock);
	tax_att = SPI_fnumber(RelationGetDescr(rel), "tax_rounding");
	total_att = SPI_fnumber(RelationGetDescr(rel), "total_rounding");
	if (tax_att <= 0 || total_att <= 0)
	{
		table_close(rel, NoLock);
		return false;
	}

	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	*tax_rounding = *total_rounding = NULL;
	slot = table_slot_create(rel, NULL);
	scan = table_beginscan(rel, GetActiveSnapshot(), 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		bool		isnull;
		Datum		value;

		/* as the scalar subquery (SELECT s.tax_rounding FROM invoice.supplier s) */
		if (++rows > 1)
			ereport(ERROR,
					(errcode(ERRCODE_CARDINALITY_VIOLATION),
					 errmsg("more than one row returned by a subquery used as an expression")));
		value = slot_getattr(slot, tax_att, &isnull);
		*tax_rounding = isnull ? NULL : TextDatumGetCString(value);
		value = slot_getattr(slot, total_att, &isnull);
		*total_rounding = isnull ? NULL : TextDatumGetCString(value);
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	PopActiveSnapshot();
	table_close(rel, NoLock);
	return true;
}
