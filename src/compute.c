/*
 * compute.c
 *		The derived amounts of invoices (SPEC §3) and the machinery that keeps
 *		them true after every statement.
 *
 * One aggregate, invoice_amounts(), turns an invoice's lines, credit total
 * and payment total into its eight amounts.  Every path that writes amounts
 * (invoice_compute, the billing-day form, the triggers on line items,
 * credits and payments) runs the same set-based UPDATE built around it —
 * except a trigger's statement on the children of one invoice, which takes
 * the one-invoice path of compute_one.c.  Both compute with compute_begin(),
 * compute_add_line() and compute_amounts(): one definition of the arithmetic.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "cents.h"
#include "commands/trigger.h"
#include "compute.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "invoice.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"
#include "utils/numeric.h"

static bool amounts_writer_active = false;

bool
invoice_amounts_writer_active(void)
{
	return amounts_writer_active;
}

static int64
rate_to_scaled(ComputeState *state, Numeric rate, MemoryContext context)
{
	Numeric		scaled;
	Numeric		truncated;

	if (state->last_rate != NULL && VARSIZE(rate) == VARSIZE(state->last_rate) &&
		memcmp(rate, state->last_rate, VARSIZE(rate)) == 0)
		return state->last_rate_scaled;

	if (numeric_is_nan(rate) || numeric_is_inf(rate))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tax rate must be a finite percentage")));
	scaled = DatumGetNumeric(DirectFunctionCall2(numeric_mul, NumericGetDatum(rate),
												 NumericGetDatum(int64_to_numeric(RATE_SCALE))));
	truncated = DatumGetNumeric(DirectFunctionCall2(numeric_trunc, NumericGetDatum(scaled), Int32GetDatum(0)));
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(scaled), NumericGetDatum(truncated))) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tax rate %s has more than 6 decimals",
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(rate))))));
	state->last_rate_scaled = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(scaled)));
	if (state->last_rate_scaled < 0 || state->last_rate_scaled > 100 * RATE_SCALE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("tax rate %s is not between 0 and 100",
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(rate))))));
	state->last_rate = MemoryContextAlloc(context, VARSIZE(rate));
	memcpy(state->last_rate, rate, VARSIZE(rate));
	return state->last_rate_scaled;
}

/*
 * Larger remainders of the credit division take the leftover cents first;
 * among equal remainders the higher tax rate, then the larger amount, then
 * the earlier line, so the result does not depend on input order except
 * between lines that are identical in every respect that matters.
 */
static int
credit_remainder_cmp(const void *a, const void *b)
{
	const ComputeLine *x = *(ComputeLine *const *) a;
	const ComputeLine *y = *(ComputeLine *const *) b;

	if (x->share_remainder != y->share_remainder)
		return x->share_remainder > y->share_remainder ? -1 : 1;
	if (x->rate_scaled != y->rate_scaled)
		return x->rate_scaled > y->rate_scaled ? -1 : 1;
	if (x->amount != y->amount)
		return x->amount > y->amount ? -1 : 1;
	return x->position - y->position;
}

void
compute_add_line(ComputeState *state, Cents amount, Numeric rate, int64 line_id, MemoryContext context)
{
	ComputeLine *line;

	if (state->nlines == state->maxlines)
	{
		state->maxlines = state->maxlines == 0 ? 16 : state->maxlines * 2;
		state->lines = state->lines == NULL
			? MemoryContextAlloc(context, state->maxlines * sizeof(ComputeLine))
			: repalloc(state->lines, state->maxlines * sizeof(ComputeLine));
	}
	if (amount < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("line amount must not be negative")));
	line = &state->lines[state->nlines];
	line->amount = amount;
	line->rate_scaled = rate_to_scaled(state, rate, context);
	line->line_id = line_id;
	line->position = state->nlines++;
	state->usage = cents_add(state->usage, amount);
}

Cents
compute_round_div(int128 numerator, int128 divisor)
{
	int128		quotient = (numerator + divisor / 2) / divisor;

	if (quotient > PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cents out of range")));
	return (Cents) quotient;
}

Cents
compute_round_off(Cents amount)
{
	Cents		rest = amount % 100;

	return rest >= 50 ? 100 - rest : -rest;
}

bool
compute_invoice_rounding(const char *tax_rounding)
{
	if (strcmp(tax_rounding, "line") == 0)
		return false;
	if (strcmp(tax_rounding, "invoice") == 0)
		return true;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("tax rounding must be \"line\" or \"invoice\", not \"%s\"", tax_rounding)));
}

static bool
total_rounding_to_rupee(const char *total_rounding)
{
	if (strcmp(total_rounding, "none") == 0)
		return false;
	if (strcmp(total_rounding, "rupee") == 0)
		return true;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("total rounding must be \"none\" or \"rupee\", not \"%s\"", total_rounding)));
}

/*
 * Invoice rounding: lines of one rate together, the larger remainders of
 * the exact head first, then the larger taxable value, then the earlier line.
 */
static int
tax_remainder_cmp(const void *a, const void *b)
{
	const ComputeLine *x = *(ComputeLine *const *) a;
	const ComputeLine *y = *(ComputeLine *const *) b;

	if (x->rate_scaled != y->rate_scaled)
		return x->rate_scaled > y->rate_scaled ? -1 : 1;
	if (x->tax_remainder != y->tax_remainder)
		return x->tax_remainder > y->tax_remainder ? -1 : 1;
	if (x->taxable != y->taxable)
		return x->taxable > y->taxable ? -1 : 1;
	return x->position - y->position;
}

/*
 * Invoice rounding of one head: per rate, round(Σ taxable × rate / divisor)
 * once, then each line gets its exact head rounded down and the cents left
 * over go one each to the lines with the largest remainders, so the lines
 * add up to the rounded head.  (The leftover is between 0 and the number of
 * lines: the rounded sum is at least the sum of the floors and less than
 * that plus the number of lines, plus one half.)
 */
static void
allocate_invoice_tax(ComputeState *state, int128 divisor)
{
	ComputeLine **order = palloc(state->nlines * sizeof(ComputeLine *));

	for (int i = 0; i < state->nlines; i++)
	{
		ComputeLine *line = &state->lines[i];
		int128		exact = (int128) line->taxable * line->rate_scaled;

		line->tax = (Cents) (exact / divisor);
		line->tax_remainder = exact % divisor;
		order[i] = line;
	}
	qsort(order, state->nlines, sizeof(ComputeLine *), tax_remainder_cmp);
	for (int first = 0, next; first < state->nlines; first = next)
	{
		int128		exact = 0;
		Cents		floors = 0;
		Cents		leftover;

		for (next = first; next < state->nlines && order[next]->rate_scaled == order[first]->rate_scaled; next++)
		{
			exact += (int128) order[next]->taxable * order[next]->rate_scaled;
			floors += order[next]->tax;
		}
		leftover = compute_round_div(exact, divisor) - floors;
		Assert(leftover >= 0 && leftover <= next - first);
		for (int k = first; k < first + leftover; k++)
			order[k]->tax++;
	}
	pfree(order);
}

/*
 * SPEC §3 for the lines collected: credits (capped at usage) are spread over
 * the lines pro rata by largest remainder, so the taxable values add up to
 * the subtotal exactly; each tax head (tax, IGST, or CGST and SGST at half
 * the rate when split) is rounded half away from zero on each line, or in
 * invoice rounding once per rate over the invoice and spread back.  SGST is
 * always CGST: the same half rate on the same taxable values.
 */
void
compute_lines(ComputeState *state)
{
	state->credits_applied = Min(state->credits_total, state->usage);
	state->tax = 0;

	for (int i = 0; i < state->nlines; i++)
		state->lines[i].credit_share = 0;
	if (state->credits_applied > 0)
	{
		Cents		leftover = state->credits_applied;
		ComputeLine **order = palloc(state->nlines * sizeof(ComputeLine *));

		for (int i = 0; i < state->nlines; i++)
		{
			ComputeLine *line = &state->lines[i];
			int128		numerator = (int128) state->credits_applied * line->amount;

			line->credit_share = (Cents) (numerator / state->usage);
			line->share_remainder = numerator % state->usage;
			leftover -= line->credit_share;
			order[i] = line;
		}
		qsort(order, state->nlines, sizeof(ComputeLine *), credit_remainder_cmp);
		for (int i = 0; leftover > 0; i++, leftover--)
			order[i]->credit_share++;
		pfree(order);
	}

	for (int i = 0; i < state->nlines; i++)
		state->lines[i].taxable = state->lines[i].amount - state->lines[i].credit_share;
	if (state->invoice_rounding)
		allocate_invoice_tax(state, TAX_DIVISOR(state->split));
	else
		for (int i = 0; i < state->nlines; i++)
			state->lines[i].tax = compute_round_div((int128) state->lines[i].taxable * state->lines[i].rate_scaled,
													TAX_DIVISOR(state->split));
	for (int i = 0; i < state->nlines; i++)
	{
		ComputeLine *line = &state->lines[i];

		line->tax_second = state->split ? line->tax : 0;
		state->tax = cents_add(state->tax, cents_add(line->tax, line->tax_second));
	}
}

/*
 * The invoice-wide inputs of one computation: credit, payment, advance and
 * credit-note totals (≥ 0, else 22023), the GST split, and the roundings
 * (NULL: line, none).
 */
void
compute_begin(ComputeState *state, Cents credits, Cents paid, Cents advance, bool split, Cents credited,
			  const char *tax_rounding, const char *total_rounding)
{
	state->credits_total = credits;
	state->paid_total = paid;
	state->advance_total = advance;
	state->split = split;
	state->credited_total = credited;
	state->invoice_rounding = tax_rounding != NULL && compute_invoice_rounding(tax_rounding);
	state->round_to_rupee = total_rounding != NULL && total_rounding_to_rupee(total_rounding);
	if (credits < 0 || paid < 0 || advance < 0 || credited < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("credit, payment, advance and credit note totals must not be negative")));
}

/*
 * SPEC §3's amounts of the lines and totals collected, in the order of
 * invoice.amounts: what credit notes took off, and the round-off — subtotal
 * + tax rounded to whole major units (half away from zero) when the invoice
 * rounds its total, the difference part of the total.
 */
void
compute_amounts(ComputeState *state, Cents amounts[COMPUTE_NAMOUNTS])
{
	Cents		subtotal;
	Cents		total;
	Cents		amount_due;
	Cents		round_off;

	compute_lines(state);
	subtotal = state->usage - state->credits_applied;
	total = cents_add(subtotal, state->tax);
	round_off = state->round_to_rupee ? compute_round_off(total) : 0;
	total = cents_add(total, round_off);
	amount_due = cents_sub(cents_sub(cents_sub(total, state->paid_total), state->advance_total),
						   state->credited_total);
	if (amount_due < 0)
		amount_due = 0;

	amounts[0] = state->usage;
	amounts[1] = state->credits_applied;
	amounts[2] = state->paid_total;
	amounts[3] = subtotal;
	amounts[4] = state->tax;
	amounts[5] = total;
	amounts[6] = state->advance_total;
	amounts[7] = amount_due;
	amounts[8] = state->credited_total;
	amounts[9] = round_off;
}

/*
 * invoice_amounts transition: one row per line (amount, tax rate) with the
 * invoice's credit, payment and advance totals, its GST split and its
 * rounding repeated on every row (NULL rounding: line, none).  A NULL amount
 * (an invoice without lines, from an outer join) adds no line.  The aggregate
 * of extension version 0.1 passes no rounding (8 arguments): line, none.
 */
PG_FUNCTION_INFO_V1(invoice_amounts_accum);
Datum
invoice_amounts_accum(PG_FUNCTION_ARGS)
{
	MemoryContext context;
	ComputeState *state;

	if (!AggCheckCallContext(fcinfo, &context))
		elog(ERROR, "invoice_amounts_accum called in non-aggregate context");
	if (PG_ARGISNULL(0))
	{
		state = MemoryContextAllocZero(context, sizeof(ComputeState));
		/* 0.1's SQL declares no rounding arguments: read them only when they are there */
		compute_begin(state,
					  PG_ARGISNULL(3) ? 0 : PG_GETARG_CENTS(3),
					  PG_ARGISNULL(4) ? 0 : PG_GETARG_CENTS(4),
					  PG_ARGISNULL(5) ? 0 : PG_GETARG_CENTS(5),
					  !PG_ARGISNULL(6) && PG_GETARG_BOOL(6),
					  PG_ARGISNULL(7) ? 0 : PG_GETARG_CENTS(7),
					  PG_NARGS() > 8 && !PG_ARGISNULL(8) ? text_to_cstring(PG_GETARG_TEXT_PP(8)) : NULL,
					  PG_NARGS() > 9 && !PG_ARGISNULL(9) ? text_to_cstring(PG_GETARG_TEXT_PP(9)) : NULL);
	}
	else
		state = (ComputeState *) PG_GETARG_POINTER(0);

	if (!PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("tax rate of a line must not be null")));
		compute_add_line(state, PG_GETARG_CENTS(1), PG_GETARG_NUMERIC(2), state->nlines, context);
	}
	PG_RETURN_POINTER(state);
}

/* invoice_amounts final: compute_amounts() as an invoice.amounts row */
PG_FUNCTION_INFO_V1(invoice_amounts_final);
Datum
invoice_amounts_final(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Cents		amounts[COMPUTE_NAMOUNTS];
	Datum		values[COMPUTE_NAMOUNTS];
	bool		nulls[COMPUTE_NAMOUNTS] = {false};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "invoice_amounts must return a composite type");

	compute_amounts((ComputeState *) PG_GETARG_POINTER(0), amounts);
	for (int i = 0; i < COMPUTE_NAMOUNTS; i++)
		values[i] = CentsGetDatum(amounts[i]);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

/*
 * The lines of one invoice, in line order, computed as its amounts are: credit
 * shares, taxable values and heads.  *gst says whether it is a GST invoice.
 * Runs in the caller's SPI connection.
 */
void
compute_invoice_tax(Datum org_id, Datum id, ComputeState *state, bool *gst)
{
	static SPIPlanPtr plan = NULL;
	bool		isnull;

	memset(state, 0, sizeof(ComputeState));
	*gst = false;
	invoice_prepare(&plan,
					"SELECT l.line_id, l.amount, coalesce(l.tax_rate, i.tax_rate),"
					"       coalesce((SELECT @cents@.sum(c.amount) FROM invoice.credits c"
					"                  WHERE c.org_id = i.org_id AND c.invoice_id = i.id), '0'),"
					"       CASE WHEN i.gst THEN coalesce(i.gst_intra_state,"
					"         invoice.gst_intra_state(true, o.billing_state, o.gstin, (SELECT s.state_code FROM invoice.supplier s))) END,"
					"       " TAX_ROUNDING_SQL("i")
					"  FROM invoice.invoices i JOIN invoice.orgs o ON o.org_id = i.org_id"
					"  JOIN invoice.line_items l ON l.org_id = i.org_id AND l.invoice_id = i.id"
					" WHERE i.org_id = $1 AND i.id = $2 ORDER BY l.line_id",
					2, (Oid[]) {TEXTOID, TEXTOID});
	if (SPI_execute_plan(plan, (Datum[]) {org_id, id}, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "line lookup failed");
	for (uint64 row = 0; row < SPI_processed; row++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[row];
		TupleDesc	tupdesc = SPI_tuptable->tupdesc;
		bool		split_null;
		Datum		split = SPI_getbinval(tuple, tupdesc, 5, &split_null);

		state->credits_total = DatumGetCents(SPI_getbinval(tuple, tupdesc, 4, &isnull));
		*gst = !split_null;
		state->split = *gst && DatumGetBool(split);
		state->invoice_rounding = compute_invoice_rounding(SPI_getvalue(tuple, tupdesc, 6));
		compute_add_line(state, DatumGetCents(SPI_getbinval(tuple, tupdesc, 2, &isnull)),
						 DatumGetNumeric(SPI_getbinval(tuple, tupdesc, 3, &isnull)),
						 DatumGetInt64(SPI_getbinval(tuple, tupdesc, 1, &isnull)),
						 CurrentMemoryContext);
	}
	compute_lines(state);
}

/*
 * invoice_tax_lines(id): the tax breakdown of one invoice, line by line —
 * the same computation as invoice_amounts, so the heads add up to its tax.
 */
PG_FUNCTION_INFO_V1(invoice_tax_lines);
Datum
invoice_tax_lines(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	text	   *id = invoice_arg_text(fcinfo, 0, "invoice id");
	ComputeState state;
	bool		gst;
	char	   *org_id;
	int			nest_level;

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	nest_level = invoice_pin_search_path();
	(void) invoice_lock_by_id(id, &org_id, INVOICE_ACCESS_READ, "read");
	compute_invoice_tax(CStringGetTextDatum(org_id), PointerGetDatum(id), &state, &gst);
	for (int i = 0; i < state.nlines; i++)
	{
		ComputeLine *line = &state.lines[i];
		Datum		values[7];
		bool		nulls[7] = {false};

		values[0] = Int64GetDatum(line->line_id);
		values[1] = DirectFunctionCall1(numeric_trim_scale,
										NumericGetDatum(int64_div_fast_to_numeric(line->rate_scaled, 6)));
		values[2] = CentsGetDatum(line->taxable);
		values[3] = CentsGetDatum(state.split ? line->tax : 0);
		values[4] = CentsGetDatum(line->tax_second);
		values[5] = CentsGetDatum(gst && !state.split ? line->tax : 0);
		values[6] = CentsGetDatum(line->tax + line->tax_second);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	return (Datum) 0;
}

static char *
recompute_sql(const char *target_sql)
{
	return psprintf("WITH picked AS MATERIALIZED (%s),"
					" target AS (SELECT p.org_id, p.id, p.tax_rate,"
					"   CASE WHEN p.gst THEN coalesce(p.gst_intra_state,"
					"     invoice.gst_intra_state(true, o.billing_state, o.gstin, (SELECT s.state_code FROM invoice.supplier s))) END AS intra_state,"
					"   " TAX_ROUNDING_SQL("p") " AS tax_rounding, " TOTAL_ROUNDING_SQL("p") " AS total_rounding"
					"   FROM picked p JOIN invoice.orgs o ON o.org_id = p.org_id"
					"),"
					" credit AS (SELECT c.org_id, c.invoice_id, @cents@.sum(c.amount) AS total"
					"   FROM invoice.credits c JOIN target t ON c.org_id = t.org_id AND c.invoice_id = t.id"
					"   GROUP BY c.org_id, c.invoice_id),"
					" paid AS (SELECT p.org_id, p.invoice_id, @cents@.sum(p.amount) AS total"
					"   FROM invoice.payments p JOIN target t ON p.org_id = t.org_id AND p.invoice_id = t.id"
					"   GROUP BY p.org_id, p.invoice_id),"
					" advance AS (SELECT a.org_id, a.invoice_id, -@cents@.sum(a.amount) AS total"
					"   FROM invoice.advance_ledger a JOIN target t ON a.org_id = t.org_id AND a.invoice_id = t.id"
					"   WHERE a.kind = 'applied' GROUP BY a.org_id, a.invoice_id),"
					" credited AS (SELECT n.org_id, n.invoice_id, @cents@.sum(n.total) AS total"
					"   FROM invoice.credit_notes n JOIN target t ON n.org_id = t.org_id AND n.invoice_id = t.id"
					"   WHERE n.status = 'issued' GROUP BY n.org_id, n.invoice_id),"
					" computed AS (SELECT t.org_id, t.id,"
					"   invoice.invoice_amounts(l.amount, coalesce(l.tax_rate, t.tax_rate),"
					"                           c.total, p.total, v.total, t.intra_state, n.total,"
					"                           t.tax_rounding, t.total_rounding) AS a"
					"   FROM target t"
					"   LEFT JOIN credit c ON c.org_id = t.org_id AND c.invoice_id = t.id"
					"   LEFT JOIN paid p ON p.org_id = t.org_id AND p.invoice_id = t.id"
					"   LEFT JOIN advance v ON v.org_id = t.org_id AND v.invoice_id = t.id"
					"   LEFT JOIN credited n ON n.org_id = t.org_id AND n.invoice_id = t.id"
					"   LEFT JOIN invoice.line_items l ON l.org_id = t.org_id AND l.invoice_id = t.id"
					"   GROUP BY t.org_id, t.id, c.total, p.total, v.total, t.intra_state, n.total, t.tax_rounding, t.total_rounding)"
					" UPDATE invoice.invoices i SET"
					"   usage_amount = (x.a).usage_amount, credits_applied = (x.a).credits_applied,"
					"   already_billed_amount = (x.a).already_billed_amount, subtotal = (x.a).subtotal,"
					"   tax = (x.a).tax, total = (x.a).total,"
					"   advance_pay_amount = (x.a).advance_pay_amount, amount_due = (x.a).amount_due,"
					"   credited_amount = (x.a).credited_amount, round_off = (x.a).round_off"
					" FROM computed x"
					" WHERE i.org_id = x.org_id AND i.id = x.id"
					"   AND (i.usage_amount, i.credits_applied, i.already_billed_amount, i.subtotal,"
					"        i.tax, i.total, i.advance_pay_amount, i.amount_due, i.credited_amount, i.round_off)"
					"       IS DISTINCT FROM ((x.a).usage_amount, (x.a).credits_applied,"
					"        (x.a).already_billed_amount, (x.a).subtotal, (x.a).tax, (x.a).total,"
					"        (x.a).advance_pay_amount, (x.a).amount_due, (x.a).credited_amount, (x.a).round_off)"
					" RETURNING i.id, i.total, i.already_billed_amount,"
					"   i.advance_pay_amount OPERATOR(@cents@.+) i.credited_amount",
					target_sql);
}

/*
 * Recompute the invoices that target_sql selects (a query returning the
 * RECOMPUTE_COLUMNS of invoice.invoices rows) in one statement, writing only
 * rows whose amounts change.  With check_overpayment, an invoice whose
 * payments and advance exceed its total is refused (IV003).
 *
 * A plan_cache keeps the plan for the backend; without one the statement is
 * planned afresh, which is what queries over transition tables need: their
 * size varies from one row to millions, and a plan kept from one size would
 * be wrong for the other.
 */
void
invoice_recompute(const char *target_sql, SPIPlanPtr *plan_cache,
				  int nargs, Oid *argtypes, Datum *values, bool check_overpayment)
{
	if (plan_cache != NULL)
		invoice_prepare(plan_cache, recompute_sql(target_sql), nargs, argtypes);
	if (compute_execute_writing_amounts(plan_cache != NULL ? *plan_cache : NULL,
										plan_cache != NULL ? NULL : recompute_sql(target_sql),
										values) != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "invoice recompute failed");

	if (!check_overpayment)
		return;
	for (uint64 row = 0; row < SPI_processed; row++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[row];
		TupleDesc	tupdesc = SPI_tuptable->tupdesc;
		bool		isnull;

		compute_check_overpayment(SPI_getvalue(tuple, tupdesc, 1),
								  DatumGetCents(SPI_getbinval(tuple, tupdesc, 2, &isnull)),
								  DatumGetCents(SPI_getbinval(tuple, tupdesc, 3, &isnull)),
								  DatumGetCents(SPI_getbinval(tuple, tupdesc, 4, &isnull)));
	}
}

int
compute_execute_writing_amounts(SPIPlanPtr plan, const char *sql, Datum *values)
{
	bool		was_active = amounts_writer_active;
	int			rc;

	amounts_writer_active = true;
	PG_TRY();
	{
		rc = plan != NULL
			? SPI_execute_plan(plan, values, NULL, false, 0)
			: invoice_execute(sql, false, 0);
	}
	PG_FINALLY();
	{
		amounts_writer_active = was_active;
	}
	PG_END_TRY();
	return rc;
}

void
compute_check_overpayment(const char *id, Cents total, Cents paid, Cents advance)
{
	if (paid > total - advance)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_OVERPAYMENT),
				 errmsg("payments of invoice \"%s\" exceed its total", id),
				 errdetail("Payments of %s and advance and credit notes of %s against a total of %s.",
						   cents_to_cstring(paid), cents_to_cstring(advance), cents_to_cstring(total))));
}

void
compute_check_changeable(ComputeChildren kind, InvoiceStatus status, const char *id)
{
	if (kind != COMPUTE_PAYMENTS && status != INVOICE_DRAFT)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_FROZEN),
				 errmsg("invoice \"%s\" is %s: its %s cannot be changed",
						id, invoice_status_name(status),
						kind == COMPUTE_LINES ? "line items" : "credits"),
				 errdetail("Only draft invoices can be edited; an issued invoice is corrected by a credit note.")));
	if (kind == COMPUTE_PAYMENTS && status != INVOICE_PENDING && status != INVOICE_OVERDUE)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_NOT_PAYABLE),
				 errmsg("invoice \"%s\" is %s: its payments cannot be changed",
						id, invoice_status_name(status)),
				 errdetail("Payments are recorded against pending or overdue invoices only.")));
}

/* Recompute and store one invoice's amounts, on the node that holds it; its row. */
static Datum
compute_in_org(const char *org_id, text *id)
{
	static SPIPlanPtr recompute_plan = NULL;
	static SPIPlanPtr row_plan = NULL;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2] = {CStringGetTextDatum(org_id), PointerGetDatum(id)};

	invoice_recompute("SELECT " RECOMPUTE_COLUMNS("i") " FROM invoice.invoices i"
					  " WHERE i.org_id = $1 AND i.id = $2",
					  &recompute_plan, 2, argtypes, values, false);
	invoice_prepare(&row_plan, "SELECT i FROM invoice.invoices i WHERE i.org_id = $1 AND i.id = $2",
					2, argtypes);
	if (SPI_execute_plan(row_plan, values, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "invoice row read failed");
	if (SPI_processed != 1)		/* invoice_compute_on_node called directly with another id */
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("invoice \"%s\" of organisation \"%s\" does not exist", text_to_cstring(id), org_id)));
	return SPI_datumTransfer(invoice_logical_row(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
															   &(bool){false}), "invoices"),
							 false, -1);
}

static Datum invoice_compute_as_owner(FunctionCallInfo fcinfo);

/* invoice_compute(id): recompute and store one invoice's amounts, return its row */
PG_FUNCTION_INFO_V1(invoice_compute);
Datum
invoice_compute(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, invoice_compute_as_owner);
}

static Datum
invoice_compute_as_owner(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr node_plan = NULL;
	text	   *id = invoice_arg_text(fcinfo, 0, "invoice id");
	char	   *org_id;
	Datum		result;
	bool		isnull;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();
	(void) invoice_lock_by_id(id, &org_id, INVOICE_ACCESS_ADMIN, "recompute");
	if (invoice_distributed())
		result = invoice_on_org_node(&node_plan, "invoice.invoice_compute_on_node(o.org_id, $2)",
									 2, (Oid[]) {TEXTOID, TEXTOID},
									 (Datum[]) {CStringGetTextDatum(org_id), PointerGetDatum(id)}, &isnull);
	else
		result = compute_in_org(org_id, id);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

static Datum compute_on_node(FunctionCallInfo fcinfo);

/* invoice_compute_on_node(org_id, id): invoice_compute's work, on the node of the organisation (internal) */
PG_FUNCTION_INFO_V1(invoice_compute_on_node);
Datum
invoice_compute_on_node(PG_FUNCTION_ARGS)
{
	return invoice_call_in_org(fcinfo, compute_on_node);
}

static Datum
compute_on_node(FunctionCallInfo fcinfo)
{
	Datum		result;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();
	result = compute_in_org(text_to_cstring(PG_GETARG_TEXT_PP(0)), invoice_arg_text(fcinfo, 1, "invoice id"));
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

static Datum invoice_compute_period_as_owner(FunctionCallInfo fcinfo);

/*
 * invoice_compute_period(from, to): billing day, set-based — recompute every
 * invoice whose period lies within [from, to) in one statement.
 */
PG_FUNCTION_INFO_V1(invoice_compute_period);
Datum
invoice_compute_period(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, invoice_compute_period_as_owner);
}

/* Recompute the invoices here (one node, or a shard group on its node) whose period lies within [from, to). */
static int64
compute_period_here(Datum from, Datum to)
{
	static SPIPlanPtr lock_plan = NULL;
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		values[2] = {from, to};
	uint64		updated;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();
	/* Lock first, in key order; the recompute then reads a fresh snapshot. */
	invoice_prepare(&lock_plan,
					"SELECT 1 FROM invoice.invoices i"
					" WHERE i.period_start >= $1 AND i.period_end <= $2"
					" ORDER BY i.org_id, i.id FOR NO KEY UPDATE",
					2, argtypes);
	if (SPI_execute_plan(lock_plan, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "locking invoices failed");
	invoice_recompute("SELECT " RECOMPUTE_COLUMNS("i") " FROM invoice.invoices i"
					  " WHERE i.period_start >= $1 AND i.period_end <= $2",
					  &plan, 2, argtypes, values, false);
	updated = SPI_processed;
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	return (int64) updated;
}

static Datum
compute_period_all_here(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(compute_period_here(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)));
}

static Datum
invoice_compute_period_as_owner(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr node_plan = NULL;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("period bounds must not be null")));
	invoice_require_administrator("recompute a billing period");
	PG_RETURN_INT64(invoice_sum_over_shards(fcinfo, compute_period_all_here, &node_plan,
											"invoice.invoice_compute_period_on_node(o.org_id, $2, $3)"));
}

static Datum compute_period_on_node(FunctionCallInfo fcinfo);

/* invoice_compute_period_on_node(org_id, from, to): the billing-day recompute of org_id's shard group, on its node (internal) */
PG_FUNCTION_INFO_V1(invoice_compute_period_on_node);
Datum
invoice_compute_period_on_node(PG_FUNCTION_ARGS)
{
	return invoice_call_in_org(fcinfo, compute_period_on_node);
}

static Datum
compute_period_on_node(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("period bounds must not be null")));
	PG_RETURN_INT64(compute_period_here(PG_GETARG_DATUM(1), PG_GETARG_DATUM(2)));
}

/*
 * Statement trigger on line_items, credits and payments (argument: 'lines',
 * 'credits' or 'payments'): lock the invoices the statement touched, refuse
 * changes their status forbids, and recompute them once per statement, so
 * bulk loads do not recompute once per row; new line descriptions go into
 * their invoices' search signatures.
 */
static Datum invoice_children_changed_on_this_node(FunctionCallInfo fcinfo);

PG_FUNCTION_INFO_V1(invoice_children_changed);
Datum
invoice_children_changed(PG_FUNCTION_ARGS)
{
	return invoice_trigger_on_shard(fcinfo, "line_items credits payments", invoice_children_changed_on_this_node);
}

static Datum
invoice_children_changed_on_this_node(FunctionCallInfo fcinfo)
{
	/* plans kept for small statements, per (child kind, event) */
	static SPIPlanPtr lock_plans[3][3];
	static SPIPlanPtr recompute_plans[3][3];
	static SPIPlanPtr line_texts_plans[2];

	/* the descriptions that inserted lines, or updated ones, bring to their invoices' search signatures */
	static const char *const line_texts_sql[2] = {
		"SELECT n.org_id, n.invoice_id, array_agg(n.description) FROM changed_new n GROUP BY n.org_id, n.invoice_id",
		"SELECT n.org_id, n.invoice_id, array_agg(n.description)"
		" FROM changed_new n JOIN changed_old o ON o.org_id = n.org_id AND o.line_id = n.line_id"
		" WHERE n.description IS DISTINCT FROM o.description OR n.invoice_id <> o.invoice_id"
		" GROUP BY n.org_id, n.invoice_id",
	};
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const char *kind_name;
	ComputeChildren kind;
	int			event_index;
	int64		changed_rows = 0;
	bool		small;
	bool		one;
	Datum		one_org_id = (Datum) 0;
	Datum		one_id = (Datum) 0;
	const char *changed_keys;
	int			nest_level;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event) ||
		!TRIGGER_FIRED_AFTER(trigdata->tg_event) || trigdata->tg_trigger->tgnargs != 1)
		elog(ERROR, "invoice_children_changed must be an AFTER statement trigger with one argument");

	kind_name = trigdata->tg_trigger->tgargs[0];
	kind = strcmp(kind_name, "lines") == 0 ? COMPUTE_LINES
		: strcmp(kind_name, "credits") == 0 ? COMPUTE_CREDITS : COMPUTE_PAYMENTS;
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		event_index = 0;
		changed_keys = "SELECT org_id, invoice_id FROM changed_new";
	}
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		event_index = 1;
		changed_keys = "SELECT org_id, invoice_id FROM changed_new"
			" UNION SELECT org_id, invoice_id FROM changed_old";
	}
	else
	{
		event_index = 2;
		changed_keys = "SELECT org_id, invoice_id FROM changed_old";
	}

	if (trigdata->tg_newtable != NULL)
		changed_rows += tuplestore_tuple_count(trigdata->tg_newtable);
	if (trigdata->tg_oldtable != NULL)
		changed_rows += tuplestore_tuple_count(trigdata->tg_oldtable);
	if (changed_rows == 0)
		PG_RETURN_POINTER(NULL);
	small = changed_rows <= SMALL_STATEMENT_ROWS;
	/* the common statement, one invoice's children: its own kept plans (compute_one.c) */
	one = small && compute_one_changed_invoice(trigdata, &one_org_id, &one_id);

	SPI_connect();
	SPI_register_trigger_data(trigdata);
	nest_level = invoice_pin_search_path();

	if (one)
		compute_one_invoice(kind, one_org_id, one_id);
	else
	{
		char	   *target = psprintf("SELECT " RECOMPUTE_COLUMNS("i") " FROM invoice.invoices i"
									  " WHERE (i.org_id, i.id) IN (%s)", changed_keys);
		char	   *lock_sql = psprintf("SELECT i.id, i.status FROM invoice.invoices i"
										" WHERE (i.org_id, i.id) IN (%s)"
										" ORDER BY i.org_id, i.id FOR NO KEY UPDATE", changed_keys);

		/* Lock first, in key order; the recompute then reads a fresh snapshot. */
		if (small)
			invoice_prepare(&lock_plans[kind][event_index], lock_sql, 0, NULL);
		if ((small ? SPI_execute_plan(lock_plans[kind][event_index], NULL, NULL, false, 0)
			 : invoice_execute(lock_sql, false, 0)) != SPI_OK_SELECT)
			elog(ERROR, "locking invoices failed");
		for (uint64 row = 0; row < SPI_processed; row++)
		{
			bool		isnull;

			compute_check_changeable(kind,
									 invoice_status_from_datum(SPI_getbinval(SPI_tuptable->vals[row],
																			 SPI_tuptable->tupdesc, 2, &isnull)),
									 SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 1));
		}
		invoice_recompute(target, small ? &recompute_plans[kind][event_index] : NULL,
						  0, NULL, NULL, kind == COMPUTE_PAYMENTS);
	}
	if (kind == COMPUTE_LINES && event_index < 2 && !one)
		invoice_search_add_texts(line_texts_sql[event_index], small ? &line_texts_plans[event_index] : NULL);
	else if (kind == COMPUTE_LINES && event_index < 2)
	{
		static SPIPlanPtr one_texts_plan = NULL;
		Datum		texts = compute_one_line_texts(trigdata);

		if (texts != (Datum) 0)
			invoice_search_add_texts_with_args("SELECT $1, $2, $3", &one_texts_plan, 3,
											   (Oid[]) {TEXTOID, TEXTOID, TEXTARRAYOID},
											   (Datum[]) {one_org_id, one_id, texts});
	}

	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_POINTER(NULL);
}

/*
 * BEFORE INSERT OR UPDATE on line_items: amount = units × rate rounded half
 * away from zero to cents when not given, and again when units or rate
 * change without the same statement setting the amount.
 */
static Datum line_item_amount_on_this_node(FunctionCallInfo fcinfo);

PG_FUNCTION_INFO_V1(line_item_amount);
Datum
line_item_amount(PG_FUNCTION_ARGS)
{
	return invoice_trigger_on_shard(fcinfo, "line_items", line_item_amount_on_this_node);
}

static Datum
line_item_amount_on_this_node(FunctionCallInfo fcinfo)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tuple;
	TupleDesc	tupdesc;
	int			units_att;
	int			rate_att;
	int			amount_att;
	bool		units_null;
	bool		rate_null;
	bool		amount_null;
	Datum		units;
	Datum		rate;
	bool		derive;
	Numeric		product;
	Cents		amount;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "line_item_amount must be a BEFORE ROW trigger");
	tuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	tupdesc = RelationGetDescr(trigdata->tg_relation);
	units_att = SPI_fnumber(tupdesc, "units");
	rate_att = SPI_fnumber(tupdesc, "rate");
	amount_att = SPI_fnumber(tupdesc, "amount");
	units = heap_getattr(tuple, units_att, tupdesc, &units_null);
	rate = heap_getattr(tuple, rate_att, tupdesc, &rate_null);
	(void) heap_getattr(tuple, amount_att, tupdesc, &amount_null);

	derive = amount_null;
	if (!derive && TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		HeapTuple	old = trigdata->tg_trigtuple;
		bool		old_null;
		Datum		old_amount = heap_getattr(old, amount_att, tupdesc, &old_null);
		Datum		new_amount = heap_getattr(tuple, amount_att, tupdesc, &amount_null);
		Datum		old_units = heap_getattr(old, units_att, tupdesc, &old_null);
		Datum		old_rate = heap_getattr(old, rate_att, tupdesc, &old_null);

		derive = DatumGetCents(old_amount) == DatumGetCents(new_amount) &&
			(units_null || rate_null ||
			 DatumGetInt32(DirectFunctionCall2(numeric_cmp, old_units, units)) != 0 ||
			 DatumGetInt32(DirectFunctionCall2(numeric_cmp, old_rate, rate)) != 0);
	}
	if (!derive)
		return PointerGetDatum(tuple);
	if (units_null || rate_null)
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("a line item needs an amount or both units and rate")));

	product = DatumGetNumeric(DirectFunctionCall2(numeric_mul, units, rate));
	product = DatumGetNumeric(DirectFunctionCall2(numeric_mul, NumericGetDatum(product),
												  NumericGetDatum(int64_to_numeric(100))));
	amount = cents_round_quotient_numeric(product, int64_to_numeric(1), CENTS_ROUND_HALF_AWAY_FROM_ZERO);
	return PointerGetDatum(heap_modify_tuple_by_cols(tuple, tupdesc, 1, &amount_att,
													 (Datum[]) {CentsGetDatum(amount)}, (bool[]) {false}));
}
