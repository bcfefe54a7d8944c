/*
 * reports_line_tax.c
 *		line_tax(): the tax of each line of an invoice, as a window function
 *		over the invoice's lines, so that the reports compute the tax of
 *		every line of a month in one pass with compute.c's own arithmetic
 *		(compute_lines: credit shares, line or invoice rounding, the GST
 *		split) instead of restating it in SQL.
 *
 * The window is one invoice (PARTITION BY its org_id and id) ordered by
 * line_id, as invoice_tax_lines reads the lines.  The first row of a
 * partition reads every line of it and computes them all; each row then
 * returns its own line's invoice.tax_line.  The credits argument is the
 * invoice's stored credits_applied (already capped at the lines' sum).
 */
#include "postgres.h"

#include "compute.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "windowapi.h"

/* What a partition keeps between its rows: the invoice's computed lines. */
typedef struct LineTaxPartition
{
	ComputeState *state;
	bool		gst;
} LineTaxPartition;

static Datum
line_tax_arg(WindowObject winobj, int argno, int64 row, bool *isnull)
{
	bool		isout;

	return WinGetFuncArgInPartition(winobj, argno, row, WINDOW_SEEK_HEAD, false, isnull, &isout);
}

/* Every line of the partition, computed as the invoice's amounts are. */
static void
line_tax_compute_partition(WindowObject winobj, LineTaxPartition *partition)
{
	MemoryContext context = GetMemoryChunkContext(partition);
	ComputeState *state = MemoryContextAllocZero(context, sizeof(ComputeState));
	bool		isnull;
	Datum		value;

	for (int64 row = 0;; row++)
	{
		bool		isout;
		Datum		amount = WinGetFuncArgInPartition(winobj, 0, row, WINDOW_SEEK_HEAD, false, &isnull, &isout);
		Datum		rate;
		Datum		line_id;

		if (isout)
			break;
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("amount of a line must not be null")));
		rate = line_tax_arg(winobj, 1, row, &isnull);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("tax rate of a line must not be null")));
		line_id = line_tax_arg(winobj, 6, row, &isnull);
		compute_add_line(state, DatumGetCents(amount), DatumGetNumeric(rate),
						 isnull ? row : DatumGetInt64(line_id), context);
	}

	/* the invoice's columns, the same on every row of the partition */
	value = line_tax_arg(winobj, 2, 0, &isnull);
	state->credits_total = isnull ? 0 : DatumGetCents(value);
	if (state->credits_total < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("credits applied must not be negative")));
	value = line_tax_arg(winobj, 3, 0, &isnull);
	partition->gst = !isnull && DatumGetBool(value);
	value = line_tax_arg(winobj, 4, 0, &isnull);
	state->split = partition->gst && !isnull && DatumGetBool(value);
	value = line_tax_arg(winobj, 5, 0, &isnull);
	state->invoice_rounding = !isnull && compute_invoice_rounding(TextDatumGetCString(value));

	compute_lines(state);
	partition->state = state;
}

/*
 * line_tax(amount, rate, credits_applied, gst, intra_state, tax_rounding,
 * line_id) OVER (PARTITION BY <the invoice> ORDER BY line_id): this row's
 * line as invoice_tax_lines gives it (NULL rounding: line).
 */
PG_FUNCTION_INFO_V1(invoice_line_tax_window);
Datum
invoice_line_tax_window(PG_FUNCTION_ARGS)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	LineTaxPartition *partition = WinGetPartitionLocalMemory(winobj, sizeof(LineTaxPartition));
	int64		row = WinGetCurrentPosition(winobj);
	ComputeLine *line;
	TupleDesc	tupdesc;
	Datum		values[7];
	bool		nulls[7] = {false};

	if (partition->state == NULL)
		line_tax_compute_partition(winobj, partition);
	if (row >= partition->state->nlines)
		elog(ERROR, "line_tax: row " INT64_FORMAT " outside its partition", row);
	tupdesc = (TupleDesc) fcinfo->flinfo->fn_extra;
	if (tupdesc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "line_tax must return a composite type");
		tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		fcinfo->flinfo->fn_extra = tupdesc;
		MemoryContextSwitchTo(old);
	}

	line = &partition->state->lines[row];
	values[0] = Int64GetDatum(line->line_id);
	values[1] = DirectFunctionCall1(numeric_trim_scale,
									NumericGetDatum(int64_div_fast_to_numeric(line->rate_scaled, 6)));
	values[2] = CentsGetDatum(line->taxable);
	values[3] = CentsGetDatum(partition->state->split ? line->tax : 0);
	values[4] = CentsGetDatum(line->tax_second);
	values[5] = CentsGetDatum(partition->gst && !partition->state->split ? line->tax : 0);
	values[6] = CentsGetDatum(line->tax + line->tax_second);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
