/*
 * compute_one.c
 *		The one-invoice path of the statement trigger on line items, credits
 *		and payments (README "Derived amounts").
 *
 * Most statements change the children of one invoice: one line inserted,
 * one payment recorded.  For them the set-based recompute, built for many
 * invoices, costs more to set up (a plan of some thirty nodes, sorts and
 * hashes of cents) than its work.  Here that invoice is locked by a kept plan
 * that looks it up by its key, its children are read by direct index scans
 * (compute_one_read.c), its amounts written into the locked row
 * (amounts_write.c) — each with a statement to fall back on — and its amounts
 * come from compute_begin(), compute_add_line() and compute_amounts() — the
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

static Cents
child_sum(const ComputeOneChildSums *sum)
{
	if (sum->sum < PG_INT64_MIN || sum->sum > PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cents out of range"),
				 errdetail("The sum of %lld values does not fit in cents.", (long long) sum->count)));
	return (Cents) sum->sum;
}

/* The columns of the lock statement below. */
enum
{
	LOCK_STATUS = 1,
	LOCK_AMOUNTS,				/* COMPUTE_NAMOUNTS of them */
	LOCK_TABLEOID = LOCK_AMOUNTS + COMPUTE_NAMOUNTS,
	LOCK_CTID,
	LOCK_TAX_RATE,
	LOCK_GST,
	LOCK_GST_INTRA_STATE,
	LOCK_TAX_ROUNDING,
	LOCK_TOTAL_ROUNDING,
	LOCK_CURRENCY
};

/*
 * The children by the statement, when compute_one_read_children() cannot
 * read them (the same rows: one index scan each, as the set-based recompute
 * gathers them).
 */
static void
read_children_by_statement(Datum *keys, ComputeOneChildSums *sums, ComputeOneLine **lines, int *nlines)
{
	static SPIPlanPtr read_plan = NULL;
	SPITupleTable *rows;

	invoice_prepare(&read_plan,
					"SELECT 0, l.amount, l.tax_rate FROM invoice.line_items l"
					" WHERE l.org_id = $1 AND l.invoice_id = $2"
					" UNION ALL SELECT 1, c.amount, NULL FROM invoice.credits c"
					" WHERE c.org_id = $1 AND c.invoice_id = $2"
					" UNION ALL SELECT 2, p.amount, NULL FROM invoice.payments p"
					" WHERE p.org_id = $1 AND p.invoice_id = $2"
					" UNION ALL SELECT 3, a.amount, NULL FROM invoice.advance_ledger a"
					" WHERE a.org_id = $1 AND a.invoice_id = $2 AND a.kind = 'applied'"
					" UNION ALL SELECT 4, n.total, NULL FROM invoice.credit_notes n"
					" WHERE n.org_id = $1 AND n.invoice_id = $2 AND n.status = 'issued'",
					2, (Oid[]) {TEXTOID, TEXTOID});
	if (SPI_execute_plan(read_plan, keys, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading invoice \"%s\" for its recompute failed", TextDatumGetCString(keys[1]));
	rows = SPI_tuptable;
	*lines = palloc(sizeof(ComputeOneLine) * Max(SPI_processed, 1));
	*nlines = 0;
	memset(sums, 0, sizeof(ComputeOneChildSums) * COMPUTE_ONE_CHILDREN);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		bool		isnull;
		bool		rate_null;
		int			kind = DatumGetInt32(SPI_getbinval(rows->vals[r], rows->tupdesc, 1, &isnull));
		Datum		amount = SPI_getbinval(rows->vals[r], rows->tupdesc, 2, &isnull);
		Datum		rate = SPI_getbinval(rows->vals[r], rows->tupdesc, 3, &rate_null);

		if (kind == COMPUTE_ONE_LINES)
		{
			(*lines)[*nlines].amount = isnull ? 0 : DatumGetCents(amount);
			(*lines)[*nlines].rate = rate_null ? NULL : DatumGetNumeric(rate);
			(*nlines)++;
		}
		else if (!isnull)
		{
			sums[kind].sum += DatumGetCents(amount);
			sums[kind].count++;
		}
	}
}

void
compute_one_invoice(ComputeChildren kind, Datum org_id, Datum id)
{
	static SPIPlanPtr lock_plan = NULL;
	static SPIPlanPtr context_plan = NULL;
	static SPIPlanPtr write_plan = NULL;
	Oid			key_types[2] = {TEXTOID, TEXTOID};
	Datum		keys[2] = {org_id, id};
	Cents		stored[COMPUTE_NAMOUNTS];
	Cents		computed[COMPUTE_NAMOUNTS];
	ComputeOneChildSums sums[COMPUTE_ONE_CHILDREN];
	ComputeOneLine *lines;
	int			nlines;
	HeapTuple	invoice_row;
	TupleDesc	invoice_desc;
	InvoiceStatus status;
	Numeric		invoice_rate;
	bool		isnull;
	bool		gst;
	bool		split_null;
	bool		split = false;
	char	   *tax_rounding;
	char	   *total_rounding;
	char	   *currency;
	bool		wants_tax_rounding;
	bool		wants_total_rounding;
	ComputeState state = {0};
	bool		changed = false;
	Oid			relid;
	ItemPointerData tid;

	/*
	 * Lock first.  The row locked is the invoice's latest version, which no
	 * one else can change now: its stored amounts and its own settings are
	 * read here.  What other rows say is read after, in a fresh snapshot (as
	 * the set-based path).
	 */
	invoice_prepare(&lock_plan,
					"SELECT i.status, i.usage_amount, i.credits_applied, i.already_billed_amount, i.subtotal,"
					"  i.tax, i.total, i.advance_pay_amount, i.amount_due, i.credited_amount, i.round_off,"
					"  i.tableoid, i.ctid, i.tax_rate, i.gst, i.gst_intra_state, i.tax_rounding, i.total_rounding,"
					"  i.currency"
					" FROM invoice.invoices i WHERE i.org_id = $1 AND i.id = $2 FOR NO KEY UPDATE",
					2, key_types);
	if (SPI_execute_plan(lock_plan, keys, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "locking invoices failed");
	if (SPI_processed == 0)
		return;					/* deleted with its children */
	invoice_row = SPI_tuptable->vals[0];
	invoice_desc = SPI_tuptable->tupdesc;
	status = invoice_status_from_datum(SPI_getbinval(invoice_row, invoice_desc, LOCK_STATUS, &isnull));
	compute_check_changeable(kind, status, TextDatumGetCString(id));
	for (int i = 0; i < COMPUTE_NAMOUNTS; i++)
		stored[i] = DatumGetCents(SPI_getbinval(invoice_row, invoice_desc, LOCK_AMOUNTS + i, &isnull));
	relid = DatumGetObjectId(SPI_getbinval(invoice_row, invoice_desc, LOCK_TABLEOID, &isnull));
	tid = *(ItemPointer) DatumGetPointer(SPI_getbinval(invoice_row, invoice_desc, LOCK_CTID, &isnull));
	invoice_rate = DatumGetNumeric(SPI_getbinval(invoice_row, invoice_desc, LOCK_TAX_RATE, &isnull));
	gst = DatumGetBool(SPI_getbinval(invoice_row, invoice_desc, LOCK_GST, &isnull));
	split = DatumGetBool(SPI_getbinval(invoice_row, invoice_desc, LOCK_GST_INTRA_STATE, &split_null));
	tax_rounding = SPI_getvalue(invoice_row, invoice_desc, LOCK_TAX_ROUNDING);
	total_rounding = SPI_getvalue(invoice_row, invoice_desc, LOCK_TOTAL_ROUNDING);
	currency = SPI_getvalue(invoice_row, invoice_desc, LOCK_CURRENCY);

	/*
	 * What the invoice leaves to others (TAX_ROUNDING_SQL, TOTAL_ROUNDING_SQL
	 * and the place of supply of the set-based recompute): a draft's
	 * roundings are the supplier's until issue fixes them, a GST invoice
	 * without its place of supply fixed is split by the organisation's state.
	 */
	wants_tax_rounding = status == INVOICE_DRAFT && tax_rounding == NULL;
	wants_total_rounding = status == INVOICE_DRAFT && total_rounding == NULL &&
		currency != NULL && strcmp(currency, "INR") == 0;
	if (wants_tax_rounding || wants_total_rounding || (gst && split_null))
	{
		char	   *supplier_tax_rounding = NULL;
		char	   *supplier_total_rounding = NULL;

		if ((gst && split_null) ||
			!compute_one_read_supplier(&supplier_tax_rounding, &supplier_total_rounding))
		{
			bool		context_null;
			Datum		context_split;

			invoice_prepare(&context_plan,
							"SELECT s.tax_rounding, s.total_rounding,"
							"  invoice.gst_intra_state(true, o.billing_state, o.gstin, s.state_code)"
							" FROM (VALUES (1)) v LEFT JOIN invoice.supplier s ON true"
							" LEFT JOIN invoice.orgs o ON o.org_id = $1",
							1, key_types);
			if (SPI_execute_plan(context_plan, keys, NULL, false, 0) != SPI_OK_SELECT || SPI_processed != 1)
				elog(ERROR, "reading the supplier and organisation of invoice \"%s\" failed", TextDatumGetCString(id));
			supplier_tax_rounding = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
			supplier_total_rounding = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
			context_split = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &context_null);
			if (gst && split_null)
			{
				split_null = context_null;
				split = !context_null && DatumGetBool(context_split);
			}
		}
		if (wants_tax_rounding)
			tax_rounding = supplier_tax_rounding;
		if (wants_total_rounding)
			total_rounding = supplier_total_rounding;
	}
	if (!gst)
		split_null = true;		/* CASE WHEN i.gst THEN … END */

	/* the inputs of invoice_amounts as the set-based recompute gathers them */
	if (!compute_one_read_children(org_id, id, sums, &lines, &nlines))
		read_children_by_statement(keys, sums, &lines, &nlines);
	compute_begin(&state, child_sum(&sums[COMPUTE_ONE_CREDITS]), child_sum(&sums[COMPUTE_ONE_PAYMENTS]),
				  cents_sub(0, child_sum(&sums[COMPUTE_ONE_ADVANCE])), !split_null && split,
				  child_sum(&sums[COMPUTE_ONE_CREDIT_NOTES]),
				  tax_rounding != NULL ? tax_rounding : "line", total_rounding != NULL ? total_rounding : "none");
	for (int l = 0; l < nlines; l++)
		compute_add_line(&state, lines[l].amount, lines[l].rate != NULL ? lines[l].rate : invoice_rate,
						 state.nlines, CurrentMemoryContext);
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
