/*
 * credit_note_tax.c
 *		The taxable values and tax heads of a credit note's lines, computed
 *		at issue the way its invoice computed its own.
 *
 * A line of a note is either an amount at a rate, or a credit of a line of
 * the invoice (line_id) by units, by part of its amount, or in full.
 *
 * Amounts are taxed as the invoice's lines are: each head on each line in
 * line rounding, each head once per rate over the note's amounts in invoice
 * rounding.
 *
 * Line credits give back what the invoice charged on the line, cumulatively:
 * once credits of g out of a line's amount A have been issued, the line's
 * credited taxable value is g − round(S × g / A), S its share of the invoice's
 * credits, and a note credits the difference that its own g makes.  The
 * heads follow the invoice's rounding over the same cumulative values: in
 * line rounding each line's head is round(credited taxable × rate), in
 * invoice rounding each rate's head is round(Σ credited taxable × rate) over
 * the invoice's lines, and a note's heads are the differences (spread over its
 * line credits of the rate by largest remainder).  Crediting every line in
 * full — in one note or many, in any parts — therefore gives back exactly the
 * invoice's taxable values and heads.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "cents.h"
#include "compute.h"
#include "executor/spi.h"
#include "invoice.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "credit_note_tax.h"

/* One line of the note and what it credits. */
typedef struct NoteLine
{
	int64		line_no;
	bool		line_credit;
	int			invoice_line;	/* index in the invoice's computed lines */
	Cents		before;			/* line credit: the line's amount credited before this one */
	Cents		line_amount;	/* line credit: g, the part of the line's amount */
	int128		tax_remainder;
	/* results */
	Cents		taxable;
	Cents		head;			/* tax, IGST, or CGST */
	Cents		head_second;	/* SGST */
} NoteLine;

/* The part of an invoice line's taxable value that credits of g of its amount give back. */
static Cents
credited_taxable(ComputeLine *line, Cents g)
{
	if (g == line->amount)
		return line->taxable;
	return g - compute_round_div((int128) line->credit_share * g, line->amount);
}

/* round(taxable × rate / divisor) over the credited taxable values of the lines of one rate */
static Cents
rate_head(ComputeState *invoice, Cents *credited, int64 rate_scaled)
{
	int128		exact = 0;

	for (int i = 0; i < invoice->nlines; i++)
		if (invoice->lines[i].rate_scaled == rate_scaled)
			exact += (int128) credited_taxable(&invoice->lines[i], credited[i]) * rate_scaled;
	return compute_round_div(exact, TAX_DIVISOR(invoice->split));
}

static int
note_remainder_cmp(const void *a, const void *b)
{
	const NoteLine *x = *(NoteLine *const *) a;
	const NoteLine *y = *(NoteLine *const *) b;

	if (x->tax_remainder != y->tax_remainder)
		return x->tax_remainder > y->tax_remainder ? -1 : 1;
	if (x->taxable != y->taxable)
		return x->taxable > y->taxable ? -1 : 1;
	return x->line_no < y->line_no ? -1 : x->line_no > y->line_no;
}

/*
 * Invoice rounding of the line credits: per rate, the head the note adds to
 * the invoice's credited head, spread over its line credits of that rate.
 */
static void
line_credits_invoice_rounding(ComputeState *invoice, NoteLine *lines, int nlines,
							  Cents *issued, Cents *after)
{
	NoteLine  **order = palloc(nlines * sizeof(NoteLine *));
	bool	   *done = palloc0(invoice->nlines * sizeof(bool));
	int128		divisor = TAX_DIVISOR(invoice->split);

	for (int i = 0; i < invoice->nlines; i++)
	{
		int64		rate = invoice->lines[i].rate_scaled;
		int			n = 0;
		Cents		head;
		Cents		floors = 0;

		if (done[i])
			continue;
		for (int j = i; j < invoice->nlines; j++)
			if (invoice->lines[j].rate_scaled == rate)
				done[j] = true;
		for (int k = 0; k < nlines; k++)
		{
			NoteLine   *line = &lines[k];
			int128		exact;

			if (!line->line_credit || invoice->lines[line->invoice_line].rate_scaled != rate)
				continue;
			exact = (int128) line->taxable * rate;
			line->head = (Cents) (exact / divisor);
			line->tax_remainder = exact % divisor;
			floors += line->head;
			order[n++] = line;
		}
		if (n == 0)
			continue;
		head = rate_head(invoice, after, rate) - rate_head(invoice, issued, rate);
		qsort(order, n, sizeof(NoteLine *), note_remainder_cmp);
		Assert(head - floors >= 0 && head - floors <= n);
		for (int k = 0; k < head - floors; k++)
			order[k]->head++;
	}
	pfree(order);
	pfree(done);
}

/* The line's amount a credit by units gives: its share of the amount, the rest with the last units. */
static Cents
units_amount(ComputeLine *line, Numeric line_units, Numeric units, Numeric units_before, Cents before,
			 int64 line_no)
{
	Numeric		units_after = DatumGetNumeric(DirectFunctionCall2(numeric_add, NumericGetDatum(units_before),
																  NumericGetDatum(units)));
	int			cmp = DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(units_after),
														NumericGetDatum(line_units)));

	if (cmp > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_CREDIT_NOTE),
				 errmsg("credit note line %lld credits more units of invoice line %lld than remain",
						(long long) line_no, (long long) line->line_id),
				 errdetail("The line has %s units; %s have been credited.",
						   DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(line_units))),
						   DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(units_before))))));
	if (cmp == 0)
		return line->amount - before;
	return cents_round_quotient_numeric(DatumGetNumeric(DirectFunctionCall2(numeric_mul,
																			NumericGetDatum(int64_to_numeric(line->amount)),
																			NumericGetDatum(units))),
										line_units, CENTS_ROUND_HALF_AWAY_FROM_ZERO);
}

static int
find_invoice_line(ComputeState *invoice, int64 line_id)
{
	int			low = 0;
	int			high = invoice->nlines - 1;

	while (low <= high)
	{
		int			mid = (low + high) / 2;

		if (invoice->lines[mid].line_id == line_id)
			return mid;
		if (invoice->lines[mid].line_id < line_id)
			low = mid + 1;
		else
			high = mid - 1;
	}
	return -1;
}

static Datum
cents_array(Cents *values, int n)
{
	Datum	   *datums = palloc(n * sizeof(Datum));

	for (int i = 0; i < n; i++)
		datums[i] = Int64GetDatum(values[i]);
	return PointerGetDatum(construct_array(datums, n, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

void
credit_note_tax(Datum org_id, Datum invoice_id, Datum note_id, CreditNoteTax *result)
{
	static SPIPlanPtr note_plan = NULL;
	static SPIPlanPtr credited_plan = NULL;
	static SPIPlanPtr write_plan = NULL;
	ComputeState invoice;
	ComputeState amounts = {0};
	bool		gst;
	NoteLine   *lines;
	int			nlines;
	bool		any_line_credit = false;
	Cents	   *issued;			/* per invoice line: its amount credited by issued notes */
	Cents	   *after;			/* the same, with this note */
	Numeric    *line_units;
	Numeric    *units_before;
	SPITupleTable *note_rows;
	Cents	   *columns[6];
	bool		isnull;

	compute_invoice_tax(org_id, invoice_id, &invoice, &gst);
	amounts.split = invoice.split;
	amounts.invoice_rounding = invoice.invoice_rounding;

	invoice_prepare(&note_plan,
					"SELECT l.line_no, l.line_id, l.units, l.line_amount, l.amount, coalesce(l.tax_rate, i.tax_rate)"
					"  FROM invoice.credit_note_lines l"
					"  JOIN invoice.invoices i ON i.org_id = l.org_id AND i.id = $2"
					" WHERE l.org_id = $1 AND l.credit_note_id = $3 ORDER BY l.line_no",
					3, (Oid[]) {TEXTOID, TEXTOID, TEXTOID});
	if (SPI_execute_plan(note_plan, (Datum[]) {org_id, invoice_id, note_id}, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "credit note lines lookup failed");
	note_rows = SPI_tuptable;
	nlines = (int) SPI_processed;
	lines = palloc0(Max(nlines, 1) * sizeof(NoteLine));
	for (int k = 0; k < nlines; k++)
		lines[k].line_credit = !heap_attisnull(note_rows->vals[k], 2, note_rows->tupdesc);
	for (int k = 0; k < nlines; k++)
		any_line_credit |= lines[k].line_credit;

	issued = palloc0(Max(invoice.nlines, 1) * sizeof(Cents));
	after = palloc0(Max(invoice.nlines, 1) * sizeof(Cents));
	line_units = palloc0(Max(invoice.nlines, 1) * sizeof(Numeric));
	units_before = palloc0(Max(invoice.nlines, 1) * sizeof(Numeric));
	if (any_line_credit)
	{
		/* what issued notes credited of each line, in the order of the computed lines */
		invoice_prepare(&credited_plan,
						"SELECT l.line_id, l.units,"
						"       coalesce(@cents@.sum(c.line_amount) FILTER (WHERE n.status = 'issued'), '0'),"
						"       coalesce(sum(c.units) FILTER (WHERE n.status = 'issued'), 0)"
						"  FROM invoice.line_items l"
						"  LEFT JOIN invoice.credit_note_lines c ON c.org_id = l.org_id AND c.line_id = l.line_id"
						"  LEFT JOIN invoice.credit_notes n ON n.org_id = c.org_id AND n.credit_note_id = c.credit_note_id"
						" WHERE l.org_id = $1 AND l.invoice_id = $2 GROUP BY l.line_id, l.units ORDER BY l.line_id",
						2, (Oid[]) {TEXTOID, TEXTOID});
		if (SPI_execute_plan(credited_plan, (Datum[]) {org_id, invoice_id}, NULL, true, 0) != SPI_OK_SELECT ||
			SPI_processed != (uint64) invoice.nlines)
			elog(ERROR, "credited lines lookup failed");
		for (int i = 0; i < invoice.nlines; i++)
		{
			HeapTuple	tuple = SPI_tuptable->vals[i];

			line_units[i] = DatumGetNumeric(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 2, &isnull));
			issued[i] = after[i] = DatumGetCents(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 3, &isnull));
			units_before[i] = DatumGetNumeric(SPI_getbinval(tuple, SPI_tuptable->tupdesc, 4, &isnull));
		}
	}

	for (int k = 0; k < nlines; k++)
	{
		HeapTuple	tuple = note_rows->vals[k];
		TupleDesc	tupdesc = note_rows->tupdesc;
		NoteLine   *line = &lines[k];
		ComputeLine *charged;
		Cents		remaining;
		bool		units_null;
		bool		amount_null;
		Datum		units;
		Datum		given_amount;

		line->line_no = DatumGetInt64(SPI_getbinval(tuple, tupdesc, 1, &isnull));
		if (!line->line_credit)
		{
			compute_add_line(&amounts, DatumGetCents(SPI_getbinval(tuple, tupdesc, 5, &isnull)),
							 DatumGetNumeric(SPI_getbinval(tuple, tupdesc, 6, &isnull)), k, CurrentMemoryContext);
			continue;
		}
		line->invoice_line = find_invoice_line(&invoice, DatumGetInt64(SPI_getbinval(tuple, tupdesc, 2, &isnull)));
		if (line->invoice_line < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("credit note line %lld credits line %s, which is not a line of invoice \"%s\"",
							(long long) line->line_no, SPI_getvalue(tuple, tupdesc, 2), TextDatumGetCString(invoice_id))));
		charged = &invoice.lines[line->invoice_line];
		line->before = after[line->invoice_line];
		remaining = charged->amount - line->before;
		units = SPI_getbinval(tuple, tupdesc, 3, &units_null);
		given_amount = SPI_getbinval(tuple, tupdesc, 4, &amount_null);
		if (remaining == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVOICE_CREDIT_NOTE),
					 errmsg("credit note line %lld credits invoice line %lld, which has nothing left to credit",
							(long long) line->line_no, (long long) charged->line_id)));
		if (!units_null)
		{
			line->line_amount = units_amount(charged, line_units[line->invoice_line], DatumGetNumeric(units),
											 units_before[line->invoice_line], line->before, line->line_no);
			units_before[line->invoice_line] = DatumGetNumeric(DirectFunctionCall2(numeric_add,
																				   NumericGetDatum(units_before[line->invoice_line]),
																				   units));
			if (line->line_amount == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("credit note line %lld credits %s units of invoice line %lld: less than a cent",
								(long long) line->line_no, SPI_getvalue(tuple, tupdesc, 3), (long long) charged->line_id)));
		}
		else if (!amount_null)
			line->line_amount = DatumGetCents(given_amount);
		else
			line->line_amount = remaining;
		if (line->line_amount > remaining)
			ereport(ERROR,
					(errcode(ERRCODE_INVOICE_CREDIT_NOTE),
					 errmsg("credit note line %lld credits %s of invoice line %lld, of which %s remains creditable",
							(long long) line->line_no, cents_to_cstring(line->line_amount),
							(long long) charged->line_id, cents_to_cstring(remaining))));
		after[line->invoice_line] = line->before + line->line_amount;
		line->taxable = credited_taxable(charged, after[line->invoice_line]) - credited_taxable(charged, line->before);
		if (!invoice.invoice_rounding)
			line->head = compute_round_div((int128) credited_taxable(charged, after[line->invoice_line]) * charged->rate_scaled,
										   TAX_DIVISOR(invoice.split)) -
				compute_round_div((int128) credited_taxable(charged, line->before) * charged->rate_scaled,
								  TAX_DIVISOR(invoice.split));
	}
	if (any_line_credit && invoice.invoice_rounding)
		line_credits_invoice_rounding(&invoice, lines, nlines, issued, after);

	/* amounts at a rate: taxed like lines of an invoice without credits */
	compute_lines(&amounts);
	for (int k = 0; k < nlines; k++)
		if (!lines[k].line_credit)
		{
			ComputeLine *taxed = &amounts.lines[0];

			for (int j = 0; j < amounts.nlines; j++)
				if (amounts.lines[j].line_id == k)
					taxed = &amounts.lines[j];
			lines[k].taxable = taxed->amount;
			lines[k].head = taxed->tax;
		}

	/* the heads as the invoice splits them, written back to the lines */
	memset(result, 0, sizeof(CreditNoteTax));
	result->nlines = nlines;
	for (int c = 0; c < 6; c++)
		columns[c] = palloc(Max(nlines, 1) * sizeof(Cents));
	for (int k = 0; k < nlines; k++)
	{
		NoteLine   *line = &lines[k];
		Cents		second = invoice.split ? line->head : 0;
		Cents		cgst = invoice.split ? line->head : 0;
		Cents		igst = gst && !invoice.split ? line->head : 0;
		Cents		tax = cents_add(line->head, second);

		columns[0][k] = line->line_no;
		columns[1][k] = line->taxable;
		columns[2][k] = line->line_credit ? line->line_amount : 0;
		columns[3][k] = cgst;
		columns[4][k] = igst;
		columns[5][k] = tax;
		result->taxable = cents_add(result->taxable, line->taxable);
		result->cgst = cents_add(result->cgst, cgst);
		result->sgst = cents_add(result->sgst, second);
		result->igst = cents_add(result->igst, igst);
		result->tax = cents_add(result->tax, tax);
	}
	if (nlines == 0)
		return;
	invoice_prepare(&write_plan,
					"UPDATE invoice.credit_note_lines l SET amount = v.amount::@cents@.cents,"
					"   line_amount = CASE WHEN l.line_id IS NOT NULL THEN v.line_amount::@cents@.cents END,"
					"   cgst = v.cgst::@cents@.cents, sgst = v.cgst::@cents@.cents,"
					"   igst = v.igst::@cents@.cents, tax = v.tax::@cents@.cents"
					"  FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])"
					"       AS v (line_no, amount, line_amount, cgst, igst, tax)"
					" WHERE l.org_id = $1 AND l.line_no = v.line_no",
					7, (Oid[]) {TEXTOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, INT8ARRAYOID});
	if (SPI_execute_plan(write_plan,
						 (Datum[]) {org_id, cents_array(columns[0], nlines), cents_array(columns[1], nlines),
							 cents_array(columns[2], nlines), cents_array(columns[3], nlines),
							 cents_array(columns[4], nlines), cents_array(columns[5], nlines)},
						 NULL, false, 0) != SPI_OK_UPDATE || SPI_processed != (uint64) nlines)
		elog(ERROR, "credit note lines update failed");
}
