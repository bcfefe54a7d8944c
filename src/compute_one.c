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
#include "utils/builtins.h"
#include "utils/lsyscache.h"
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

/* The elements of a one-dimensional array column of row (NULL: none), as deconstruct_array gives them. */
static int
array_column(HeapTuple row, TupleDesc tupdesc, int column, Datum **elems, bool **nulls)
{
	bool		isnull;
	Datum		value = SPI_getbinval(row, tupdesc, column, &isnull);
	ArrayType  *array;
	int16		elmlen;
	bool		elmbyval;
	char		elmalign;
	int			n;

	if (isnull)
		return 0;
	array = DatumGetArrayTypeP(value);
	get_typlenbyvalalign(ARR_ELEMTYPE(array), &elmlen, &elmbyval, &elmalign);
	deconstruct_array(array, ARR_ELEMTYPE(array), elmlen, elmbyval, elmalign, elems, nulls, &n);
	return n;
}

static Cents
cents_column(HeapTuple row, TupleDesc tupdesc, int column)
{
	bool		isnull;
	Datum		value = SPI_getbinval(row, tupdesc, column, &isnull);

	return isnull ? 0 : DatumGetCents(value);
}

static char *
text_column(HeapTuple row, TupleDesc tupdesc, int column)
{
	return SPI_getvalue(row, tupdesc, column);
}

void
compute_one_invoice(ComputeChildren kind, Datum org_id, Datum id)
{
	static SPIPlanPtr lock_plan = NULL;
	static SPIPlanPtr read_plan = NULL;
	static SPIPlanPtr write_plan = NULL;
	Oid			key_types[2] = {TEXTOID, TEXTOID};
	Datum		keys[2] = {org_id, id};
	HeapTuple	row;
	TupleDesc	tupdesc;
	bool		isnull;
	bool		split_null;
	Datum		split;
	Datum	   *amounts;
	bool	   *amount_nulls;
	Datum	   *rates;
	bool	   *rate_nulls;
	int			nlines;
	ComputeState state = {0};
	Cents		computed[COMPUTE_NAMOUNTS];
	bool		changed = false;

	/* Lock first; the reads then take a fresh snapshot (as the set-based path). */
	invoice_prepare(&lock_plan,
					"SELECT i.status FROM invoice.invoices i WHERE i.org_id = $1 AND i.id = $2 FOR NO KEY UPDATE",
					2, key_types);
	if (SPI_execute_plan(lock_plan, keys, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "locking invoices failed");
	if (SPI_processed == 0)
		return;					/* deleted with its children */
	compute_check_changeable(kind, invoice_status_from_datum(SPI_getbinval(SPI_tuptable->vals[0],
																		   SPI_tuptable->tupdesc, 1, &isnull)),
							 TextDatumGetCString(id));

	/* The inputs of invoice_amounts, as the set-based recompute gathers them, and the stored amounts. */
	invoice_prepare(&read_plan,
					"SELECT l.amounts, l.rates,"
					"  (SELECT invoice.sum(c.amount) FROM invoice.credits c"
					"    WHERE c.org_id = i.org_id AND c.invoice_id = i.id),"
					"  (SELECT invoice.sum(p.amount) FROM invoice.payments p"
					"    WHERE p.org_id = i.org_id AND p.invoice_id = i.id),"
					"  (SELECT -invoice.sum(a.amount) FROM invoice.advance_ledger a"
					"    WHERE a.org_id = i.org_id AND a.invoice_id = i.id AND a.kind = 'applied'),"
					"  (SELECT invoice.sum(n.total) FROM invoice.credit_notes n"
					"    WHERE n.org_id = i.org_id AND n.invoice_id = i.id AND n.status = 'issued'),"
					"  CASE WHEN i.gst THEN coalesce(i.gst_intra_state,"
					"    invoice.gst_intra_state(true, o.billing_state, o.gstin, (SELECT s.state_code FROM invoice.supplier s))) END,"
					"  " TAX_ROUNDING_SQL("i") ", " TOTAL_ROUNDING_SQL("i") ","
					"  i.usage_amount, i.credits_applied, i.already_billed_amount, i.subtotal, i.tax, i.total,"
					"  i.advance_pay_amount, i.amount_due, i.credited_amount, i.round_off"
					" FROM invoice.invoices i JOIN invoice.orgs o ON o.org_id = i.org_id,"
					" LATERAL (SELECT array_agg(l.amount) AS amounts, array_agg(coalesce(l.tax_rate, i.tax_rate)) AS rates"
					"            FROM invoice.line_items l WHERE l.org_id = i.org_id AND l.invoice_id = i.id) l"
					" WHERE i.org_id = $1 AND i.id = $2",
					2, key_types);
	if (SPI_execute_plan(read_plan, keys, NULL, false, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "reading invoice \"%s\" for its recompute failed", TextDatumGetCString(id));
	row = SPI_tuptable->vals[0];
	tupdesc = SPI_tuptable->tupdesc;

	split = SPI_getbinval(row, tupdesc, 7, &split_null);
	compute_begin(&state, cents_column(row, tupdesc, 3), cents_column(row, tupdesc, 4),
				  cents_column(row, tupdesc, 5), !split_null && DatumGetBool(split),
				  cents_column(row, tupdesc, 6), text_column(row, tupdesc, 8), text_column(row, tupdesc, 9));
	nlines = array_column(row, tupdesc, 1, &amounts, &amount_nulls);
	if (array_column(row, tupdesc, 2, &rates, &rate_nulls) != nlines)
		elog(ERROR, "line amounts and rates of invoice \"%s\" differ in number", TextDatumGetCString(id));
	for (int i = 0; i < nlines; i++)
	{
		if (amount_nulls[i])
			continue;
		if (rate_nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("tax rate of a line must not be null")));
		compute_add_line(&state, DatumGetCents(amounts[i]), DatumGetNumeric(rates[i]), state.nlines,
						 CurrentMemoryContext);
	}
	compute_amounts(&state, computed);
	for (int i = 0; i < COMPUTE_NAMOUNTS; i++)
		changed |= computed[i] != cents_column(row, tupdesc, 10 + i);
	if (!changed)
		return;

	/* Only a row whose amounts change is written, as by the set-based UPDATE. */
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
						"  usage_amount = $3::invoice.cents, credits_applied = $4::invoice.cents,"
						"  already_billed_amount = $5::invoice.cents, subtotal = $6::invoice.cents,"
						"  tax = $7::invoice.cents, total = $8::invoice.cents,"
						"  advance_pay_amount = $9::invoice.cents, amount_due = $10::invoice.cents,"
						"  credited_amount = $11::invoice.cents, round_off = $12::invoice.cents"
						" WHERE i.org_id = $1 AND i.id = $2",
						2 + COMPUTE_NAMOUNTS, write_types);
		if (compute_execute_writing_amounts(write_plan, NULL, write_values) != SPI_OK_UPDATE || SPI_processed != 1)
			elog(ERROR, "writing the amounts of invoice \"%s\" failed", TextDatumGetCString(id));
	}
	if (kind == COMPUTE_PAYMENTS)
		compute_check_overpayment(TextDatumGetCString(id), computed[5], computed[2],
								  cents_add(computed[6], computed[8]));
}
