/*
 * compute_one.c
 *		The one-invoice path of the statement trigger on line items, credits
 *		and payments (README "Derived amounts").
 *
 * Most statements change the children of one invoice: one line inserted,
 * one payment recorded.  For them the set-based recompute, built for many
 * invoices, costs more to set up (a plan of some thirty nodes, sorts and
 * hashes of cents) than its work.  Here that invoice is locked, read and
 * written by kept plans that each look it up by its key, and its amounts come
 * from compute_begin(), compute_add_line() and compute_amounts() — the
 * arithmetic of the invoice_amounts aggregate, so the result is the same to
 * the cent.  The amounts do not depend on the order of the lines: where the
 * credit or tax division breaks a tie by position, the tied lines have the
 * same amount and rate.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "compute.h"
#include "executor/executor.h"
#include "invoice.h"
#include "utils/array.h"
#include "storage/itemptr.h"
#include "utils/builtins.h"
#include "utils/rel.h"

/* Do the two texts hold the same bytes?  (Keys are COLLATE "C": equal means byte-equal.) */
static bool
same_text(Datum a, Datum b)
{
	text	   *x = DatumGetTextPP(a);
	text	   *y = DatumGetTextPP(b);

	return VARSIZE_ANY_EXHDR(x) == VARSIZE_ANY_EXHDR(y) &&
		memcmp(VARDATA_ANY(x), VARDATA_ANY(y), VARSIZE_ANY_EXHDR(x)) == 0;
}

/*
 * Do the rows of store all belong to one invoice, the one in *org_id, *id if
 * *seen?  The first row's keys are copied there.  A read pointer of its own:
 * the trigger's SQL scans the same tuplestore with its own.
 */
static bool
rows_of_one_invoice(Tuplestorestate *store, TupleTableSlot *slot, int org_att, int invoice_att,
					Datum *org_id, Datum *id, bool *seen)
{
	if (store == NULL)
		return true;
	tuplestore_select_read_pointer(store, tuplestore_alloc_read_pointer(store, EXEC_FLAG_REWIND));
	tuplestore_rescan(store);
	while (tuplestore_gettupleslot(store, true, false, slot))
	{
		bool		org_null;
		bool		id_null;
		Datum		row_org = slot_getattr(slot, org_att, &org_null);
		Datum		row_id = slot_getattr(slot, invoice_att, &id_null);

		if (org_null || id_null)
			return false;
		if (!*seen)
		{
			*org_id = PointerGetDatum(DatumGetTextPCopy(row_org));
			*id = PointerGetDatum(DatumGetTextPCopy(row_id));
			*seen = true;
		}
		else if (!same_text(row_org, *org_id) || !same_text(row_id, *id))
			return false;
	}
	return true;
}

bool
compute_one_changed_invoice(TriggerData *trigdata, Datum *org_id, Datum *id)
{
	TupleDesc	tupdesc = RelationGetDescr(trigdata->tg_relation);
	TupleTableSlot *slot = MakeSingleTupleTableSlot(tupdesc, &TTSOpsMinimalTuple);
	int			org_att = SPI_fnumber(tupdesc, "org_id");
	int			invoice_att = SPI_fnumber(tupdesc, "invoice_id");
	bool		seen = false;
	bool		one;

	one = rows_of_one_invoice(trigdata->tg_newtable, slot, org_att, invoice_att, org_id, id, &seen) &&
		rows_of_one_invoice(trigdata->tg_oldtable, slot, org_att, invoice_att, org_id, id, &seen) &&
		seen;
	ExecDropSingleTupleTableSlot(slot);
	return one;
}

/*
 * The descriptions a statement on one invoice's lines brings to its search
 * signature, as the set-based path's texts: every inserted line's, or those
 * an UPDATE changed (matched with the old row by line_id).  NULL when none.
 */
Datum
compute_one_line_texts(TriggerData *trigdata)
{
	TupleDesc	tupdesc = RelationGetDescr(trigdata->tg_relation);
	int			line_att = SPI_fnumber(tupdesc, "line_id");
	int			description_att = SPI_fnumber(tupdesc, "description");
	Tuplestorestate *old_rows = trigdata->tg_oldtable;
	TupleTableSlot *slot = MakeSingleTupleTableSlot(tupdesc, &TTSOpsMinimalTuple);
	TupleTableSlot *old_slot = old_rows != NULL ? MakeSingleTupleTableSlot(tupdesc, &TTSOpsMinimalTuple) : NULL;
	ArrayBuildState *texts = NULL;
	int			new_pointer = tuplestore_alloc_read_pointer(trigdata->tg_newtable, EXEC_FLAG_REWIND);
	int			old_pointer = old_rows != NULL ? tuplestore_alloc_read_pointer(old_rows, EXEC_FLAG_REWIND) : 0;

	tuplestore_select_read_pointer(trigdata->tg_newtable, new_pointer);
	tuplestore_rescan(trigdata->tg_newtable);
	while (tuplestore_gettupleslot(trigdata->tg_newtable, true, true, slot))
	{
		bool		isnull;
		Datum		description = slot_getattr(slot, description_att, &isnull);
		bool		wanted = true;

		if (old_rows != NULL)
		{
			/* line_id is the key: never null */
			int64		line_id = DatumGetInt64(slot_getattr(slot, line_att, &(bool) {false}));

			wanted = false;
			tuplestore_select_read_pointer(old_rows, old_pointer);
			tuplestore_rescan(old_rows);
			while (tuplestore_gettupleslot(old_rows, true, false, old_slot))
			{
				bool		old_null;
				Datum		old_description;

				if (DatumGetInt64(slot_getattr(old_slot, line_att, &(bool) {false})) != line_id)
					continue;
				old_description = slot_getattr(old_slot, description_att, &old_null);
				wanted = isnull != old_null || (!isnull && !same_text(description, old_description));
				break;
			}
		}
		if (wanted)
			texts = accumArrayResult(texts, isnull ? (Datum) 0 : PointerGetDatum(DatumGetTextPCopy(description)),
									 isnull, TEXTOID, CurrentMemoryContext);
	}
	ExecDropSingleTupleTableSlot(slot);
	if (old_slot != NULL)
		ExecDropSingleTupleTableSlot(old_slot);
	return texts != NULL ? makeArrayResult(texts, CurrentMemoryContext) : (Datum) 0;
}

/* An exact sum of one kind of child, as sum(cents) gives it (22003 when it does not fit); 0 over no rows, as the recompute reads its NULL. */
typedef struct ChildSum
{
	int128		sum;
	int64		count;
} ChildSum;

static Cents
child_sum(const ChildSum *sum)
{
	if (sum->sum < PG_INT64_MIN || sum->sum > PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cents out of range"),
				 errdetail("The sum of %lld values does not fit in cents.", (long long) sum->count)));
	return (Cents) sum->sum;
}

/* The kinds of row of the read below, its first column. */
enum
{
	READ_INVOICE,
	READ_LINE,
	READ_CREDIT,
	READ_PAYMENT,
	READ_ADVANCE,
	READ_CREDIT_NOTE,
	READ_KINDS
};

void
compute_one_invoice(ComputeChildren kind, Datum org_id, Datum id)
{
	static SPIPlanPtr lock_plan = NULL;
	static SPIPlanPtr read_plan = NULL;
	static SPIPlanPtr write_plan = NULL;
	Oid			key_types[2] = {TEXTOID, TEXTOID};
	Datum		keys[2] = {org_id, id};
	Cents		stored[COMPUTE_NAMOUNTS];
	Cents		computed[COMPUTE_NAMOUNTS];
	ChildSum	sums[READ_KINDS] = {{0}};
	SPITupleTable *rows;
	uint64		nrows;
	HeapTuple	invoice_row = NULL;
	Numeric		invoice_rate;
	bool		isnull;
	bool		split_null;
	Datum		split;
	ComputeState state = {0};
	bool		changed = false;
	Oid			relid;
	ItemPointerData tid;

	/*
	 * Lock first.  The row locked is the invoice's latest version, which no
	 * one else can change now: its stored amounts are read here.  What other
	 * rows say is read after, in a fresh snapshot (as the set-based path).
	 */
	invoice_prepare(&lock_plan,
					"SELECT i.status, i.usage_amount, i.credits_applied, i.already_billed_amount, i.subtotal,"
					"  i.tax, i.total, i.advance_pay_amount, i.amount_due, i.credited_amount, i.round_off,"
					"  i.tableoid, i.ctid"
					" FROM invoice.invoices i WHERE i.org_id = $1 AND i.id = $2 FOR NO KEY UPDATE",
					2, key_types);
	if (SPI_execute_plan(lock_plan, keys, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "locking invoices failed");
	if (SPI_processed == 0)
		return;					/* deleted with its children */
	compute_check_changeable(kind, invoice_status_from_datum(SPI_getbinval(SPI_tuptable->vals[0],
																		   SPI_tuptable->tupdesc, 1, &isnull)),
							 TextDatumGetCString(id));
	for (int i = 0; i < COMPUTE_NAMOUNTS; i++)
		stored[i] = DatumGetCents(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2 + i, &isnull));
	relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2 + COMPUTE_NAMOUNTS, &isnull));
	tid = *(ItemPointer) DatumGetPointer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3 + COMPUTE_NAMOUNTS, &isnull));

	/*
	 * The inputs of invoice_amounts as the set-based recompute gathers them,
	 * one index scan each: the invoice's place of supply and roundings, its
	 * lines, credits, payments, advance applied and issued credit notes.
	 */
	invoice_prepare(&read_plan,
					"SELECT 0, NULL::@cents@.cents, i.tax_rate,"
					"  CASE WHEN i.gst THEN coalesce(i.gst_intra_state,"
					"    (SELECT invoice.gst_intra_state(true, o.billing_state, o.gstin, (SELECT s.state_code FROM invoice.supplier s))"
					"       FROM invoice.orgs o WHERE o.org_id = i.org_id)) END,"
					"  " TAX_ROUNDING_SQL("i") ", " TOTAL_ROUNDING_SQL("i")
					"  FROM invoice.invoices i"
					" WHERE i.org_id = $1 AND i.id = $2"
					" UNION ALL SELECT 1, l.amount, l.tax_rate, NULL, NULL, NULL FROM invoice.line_items l"
					" WHERE l.org_id = $1 AND l.invoice_id = $2"
					" UNION ALL SELECT 2, c.amount, NULL, NULL, NULL, NULL FROM invoice.credits c"
					" WHERE c.org_id = $1 AND c.invoice_id = $2"
					" UNION ALL SELECT 3, p.amount, NULL, NULL, NULL, NULL FROM invoice.payments p"
					" WHERE p.org_id = $1 AND p.invoice_id = $2"
					" UNION ALL SELECT 4, a.amount, NULL, NULL, NULL, NULL FROM invoice.advance_ledger a"
					" WHERE a.org_id = $1 AND a.invoice_id = $2 AND a.kind = 'applied'"
					" UNION ALL SELECT 5, n.total, NULL, NULL, NULL, NULL FROM invoice.credit_notes n"
					" WHERE n.org_id = $1 AND n.invoice_id = $2 AND n.status = 'issued'",
					2, key_types);
	if (SPI_execute_plan(read_plan, keys, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading invoice \"%s\" for its recompute failed", TextDatumGetCString(id));
	rows = SPI_tuptable;
	nrows = SPI_processed;
	for (uint64 r = 0; r < nrows; r++)
	{
		int			row_kind = DatumGetInt32(SPI_getbinval(rows->vals[r], rows->tupdesc, 1, &isnull));
		Datum		amount = SPI_getbinval(rows->vals[r], rows->tupdesc, 2, &isnull);

		if (row_kind == READ_INVOICE)
			invoice_row = rows->vals[r];
		else if (!isnull)
		{
			sums[row_kind].sum += DatumGetCents(amount);
			sums[row_kind].count++;
		}
	}
	if (invoice_row == NULL)
		elog(ERROR, "invoice \"%s\" vanished during recompute", TextDatumGetCString(id));

	split = SPI_getbinval(invoice_row, rows->tupdesc, 4, &split_null);
	compute_begin(&state, child_sum(&sums[READ_CREDIT]), child_sum(&sums[READ_PAYMENT]),
				  cents_sub(0, child_sum(&sums[READ_ADVANCE])), !split_null && DatumGetBool(split),
				  child_sum(&sums[READ_CREDIT_NOTE]),
				  SPI_getvalue(invoice_row, rows->tupdesc, 5), SPI_getvalue(invoice_row, rows->tupdesc, 6));
	invoice_rate = DatumGetNumeric(SPI_getbinval(invoice_row, rows->tupdesc, 3, &isnull));
	for (uint64 r = 0; r < nrows; r++)
	{
		bool		rate_null;
		Datum		rate = SPI_getbinval(rows->vals[r], rows->tupdesc, 3, &rate_null);

		if (rows->vals[r] == invoice_row ||
			DatumGetInt32(SPI_getbinval(rows->vals[r], rows->tupdesc, 1, &isnull)) != READ_LINE)
			continue;
		compute_add_line(&state, DatumGetCents(SPI_getbinval(rows->vals[r], rows->tupdesc, 2, &isnull)),
						 rate_null ? invoice_rate : DatumGetNumeric(rate), state.nlines, CurrentMemoryContext);
	}
	compute_amounts(&state, computed);
	for (int i = 0; i < COMPUTE_NAMOUNTS; i++)
		changed |= computed[i] != stored[i];
	if (!changed)
		return;

	/*
	 * Only a row whose amounts change is written, as by the set-based UPDATE:
	 * straight into the row locked above when nothing but the amounts and
	 * updated_at change (amounts_write.c), else by an UPDATE.
	 */
	if (!invoice_write_amounts(relid, &tid, org_id, id, computed))
	{
		Oid			write_types[2 + COMPUTE_NAMOUNTS] = {TEXTOID, TEXTOID};
		Datum		write_values[2 + COMPUTE_NAMOUNTS] = {org_id, id};

		for (int i = 0; i < COMPUTE_NAMOUNTS; i++)
		{
			write_types[2 + i] = INT8OID;
			write_values[2 + i] = Int64GetDatum(computed[i]);
		}
		invoice_prepare(&write_plan,
						"UPDATE invoice.invoices i SET"
						"  usage_amount = $3::@cents@.cents, credits_applied = $4::@cents@.cents,"
						"  already_billed_amount = $5::@cents@.cents, subtotal = $6::@cents@.cents,"
						"  tax = $7::@cents@.cents, total = $8::@cents@.cents,"
						"  advance_pay_amount = $9::@cents@.cents, amount_due = $10::@cents@.cents,"
						"  credited_amount = $11::@cents@.cents, round_off = $12::@cents@.cents"
						" WHERE i.org_id = $1 AND i.id = $2",
						2 + COMPUTE_NAMOUNTS, write_types);
		if (compute_execute_writing_amounts(write_plan, NULL, write_values) != SPI_OK_UPDATE || SPI_processed != 1)
			elog(ERROR, "writing the amounts of invoice \"%s\" failed", TextDatumGetCString(id));
	}
	if (kind == COMPUTE_PAYMENTS)
		compute_check_overpayment(TextDatumGetCString(id), computed[5], computed[2],
								  cents_add(computed[6], computed[8]));
}
