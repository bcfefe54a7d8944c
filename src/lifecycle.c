/*
 * lifecycle.c
 *		The invoice life cycle (SPEC §3), enforced by triggers on
 *		invoice.invoices whatever path a change takes, and the functions
 *		invoice_issue and invoice_cancel that drive it.
 *
 *		from              to          when
 *		draft             pending     issued: number, invoice and due dates assigned
 *		draft             cancelled   discarded (reason required)
 *		pending/overdue   paid        amount_due = 0 (set by the recompute itself)
 *		pending           overdue     due_date has passed
 *		overdue           pending     due_date moved into the future
 *		pending/overdue   cancelled   voided with a reason while nothing is paid
 *		paid, cancelled   -           terminal
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "cents.h"
#include "commands/trigger.h"
#include "compute.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "invoice.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

/*
 * Set by the row trigger, consumed by the statement trigger, so that
 * statements that change no status and no draft's tax rate (most of them)
 * skip the set-based work on the transition tables.
 */
static bool pending_status_change = false;
static bool pending_tax_rate_change = false;
static bool pending_search_texts_change = false;	/* number or description */
static bool pending_callbacks_registered = false;

/* A statement that failed never reaches its statement trigger: drop what it flagged. */
static void
forget_pending_on_abort(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		pending_status_change = pending_tax_rate_change = pending_search_texts_change = false;
}

static void
forget_pending_on_subabort(SubXactEvent event, SubTransactionId mySubid,
						   SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		pending_status_change = pending_tax_rate_change = pending_search_texts_change = false;
}

static void
flag_pending(bool *flag)
{
	if (!pending_callbacks_registered)
	{
		RegisterXactCallback(forget_pending_on_abort, NULL);
		RegisterSubXactCallback(forget_pending_on_subabort, NULL);
		pending_callbacks_registered = true;
	}
	*flag = true;
}

/* Columns of invoice.invoices the triggers read or write. */
typedef enum InvoiceColumn
{
	COL_ORG_ID, COL_ID, COL_SERIES, COL_NUMBER, COL_DESCRIPTION,
	COL_PERIOD_START, COL_PERIOD_END, COL_INVOICE_DATE, COL_DUE_DATE,
	COL_CURRENCY, COL_STATUS, COL_STATUS_REASON, COL_TAX_RATE, COL_GST, COL_REVERSE_CHARGE,
	COL_PLACE_OF_SUPPLY, COL_GST_INTRA_STATE, COL_TAX_ROUNDING, COL_TOTAL_ROUNDING,
	COL_USAGE_AMOUNT, COL_CREDITS_APPLIED, COL_ALREADY_BILLED, COL_SUBTOTAL,
	COL_TAX, COL_TOTAL, COL_ADVANCE_PAY, COL_AMOUNT_DUE, COL_CREDITED, COL_ROUND_OFF,
	COL_UPDATED_AT, COL_ISSUED_AT, COL_PAID_AT, COL_CANCELLED_AT,
	COL_COUNT
} InvoiceColumn;

static const char *const column_names[COL_COUNT] = {
	"org_id", "id", "series", "number", "description",
	"period_start", "period_end", "invoice_date", "due_date",
	"currency", "status", "status_reason", "tax_rate", "gst", "reverse_charge",
	"place_of_supply", "gst_intra_state", "tax_rounding", "total_rounding",
	"usage_amount", "credits_applied", "already_billed_amount", "subtotal",
	"tax", "total", "advance_pay_amount", "amount_due", "credited_amount", "round_off",
	"updated_at", "issued_at", "paid_at", "cancelled_at"
};

/* Columns that an issued invoice never changes again. */
static const InvoiceColumn frozen_columns[] = {
	COL_SERIES, COL_NUMBER, COL_DESCRIPTION, COL_PERIOD_START, COL_PERIOD_END,
	COL_INVOICE_DATE, COL_CURRENCY, COL_TAX_RATE, COL_GST, COL_REVERSE_CHARGE,
	COL_PLACE_OF_SUPPLY, COL_GST_INTRA_STATE, COL_TAX_ROUNDING, COL_TOTAL_ROUNDING, COL_ISSUED_AT
};

/* A row of invoice.invoices as the trigger sees it; changes are collected and applied at once. */
typedef struct InvoiceRow
{
	TupleDesc	tupdesc;
	int			attnums[COL_COUNT];
	Datum		values[COL_COUNT];
	bool		nulls[COL_COUNT];
	bool		changed[COL_COUNT];
} InvoiceRow;

static void
row_load(InvoiceRow *row, Relation rel, HeapTuple tuple)
{
	static Oid	cached_relid = InvalidOid;
	static int	cached_natts = -1;
	static int	cached_attnums[COL_COUNT];
	Datum		all_values[MaxTupleAttributeNumber];
	bool		all_nulls[MaxTupleAttributeNumber];

	row->tupdesc = RelationGetDescr(rel);
	if (cached_relid != RelationGetRelid(rel) || cached_natts != row->tupdesc->natts)
	{
		for (int c = 0; c < COL_COUNT; c++)
		{
			cached_attnums[c] = SPI_fnumber(row->tupdesc, column_names[c]);
			if (cached_attnums[c] <= 0)
				elog(ERROR, "invoice.invoices has no column \"%s\"", column_names[c]);
		}
		cached_relid = RelationGetRelid(rel);
		cached_natts = row->tupdesc->natts;
	}
	/* one pass over the tuple: fetching 25 columns one by one walks it again for each */
	heap_deform_tuple(tuple, row->tupdesc, all_values, all_nulls);
	for (int c = 0; c < COL_COUNT; c++)
	{
		row->attnums[c] = cached_attnums[c];
		row->values[c] = all_values[cached_attnums[c] - 1];
		row->nulls[c] = all_nulls[cached_attnums[c] - 1];
		row->changed[c] = false;
	}
}

static void
row_set(InvoiceRow *row, InvoiceColumn col, Datum value, bool isnull)
{
	row->values[col] = value;
	row->nulls[col] = isnull;
	row->changed[col] = true;
}

static HeapTuple
row_apply(InvoiceRow *row, HeapTuple tuple)
{
	int			ncols = 0;
	int			cols[COL_COUNT];
	Datum		values[COL_COUNT];
	bool		nulls[COL_COUNT];

	for (int c = 0; c < COL_COUNT; c++)
		if (row->changed[c])
		{
			cols[ncols] = row->attnums[c];
			values[ncols] = row->values[c];
			nulls[ncols] = row->nulls[c];
			ncols++;
		}
	return ncols == 0 ? tuple : heap_modify_tuple_by_cols(tuple, row->tupdesc, ncols, cols, values, nulls);
}

static bool
column_differs(InvoiceRow *old_row, InvoiceRow *new_row, InvoiceColumn col)
{
	Form_pg_attribute att = TupleDescAttr(new_row->tupdesc, new_row->attnums[col] - 1);

	if (old_row->nulls[col] || new_row->nulls[col])
		return old_row->nulls[col] != new_row->nulls[col];
	return !datum_image_eq(old_row->values[col], new_row->values[col], att->attbyval, att->attlen);
}

static char *
row_text(InvoiceRow *row, InvoiceColumn col)
{
	return row->nulls[col] ? NULL : TextDatumGetCString(row->values[col]);
}

static InvoiceStatus
row_status(InvoiceRow *row)
{
	if (row->nulls[COL_STATUS])
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("invoice \"%s\" needs a status", row_text(row, COL_ID)),
				 errdetail("null value in column \"status\" of relation \"invoices\"")));
	return invoice_status_from_datum(row->values[COL_STATUS]);
}

static void
refuse_transition(InvoiceRow *row, InvoiceStatus from, InvoiceStatus to, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVOICE_INVALID_TRANSITION),
			 errmsg("invoice \"%s\" cannot change from %s to %s",
					row_text(row, COL_ID), invoice_status_name(from), invoice_status_name(to)),
			 detail ? errdetail_internal("%s", detail) : 0));
}

/*
 * A GST tax invoice needs the supplier's registration, and on every line an
 * HSN/SAC code and a rate that the rate table lists for the invoice date;
 * its place of supply is fixed at issue.
 */
static void
check_gst_invoice(InvoiceRow *row)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[4] = {TEXTOID, TEXTOID, NUMERICOID, TIMESTAMPTZOID};
	Datum		values[4] = {row->values[COL_ORG_ID], row->values[COL_ID], row->values[COL_TAX_RATE],
							 row->values[COL_INVOICE_DATE]};
	HeapTuple	tuple;
	TupleDesc	tupdesc;

	invoice_prepare(&plan,
					"SELECT (SELECT s.gstin FROM invoice.supplier s) IS NULL,"
					"       l.line_id, l.hsn_sac, coalesce(l.tax_rate, $3),"
					"       coalesce(o.billing_state, left(o.gstin, 2), (SELECT s.state_code FROM invoice.supplier s)),"
					"       invoice.gst_intra_state(true, o.billing_state, o.gstin, (SELECT s.state_code FROM invoice.supplier s))"
					"  FROM invoice.orgs o"
					"  LEFT JOIN invoice.line_items l"
					"    ON l.org_id = $1 AND l.invoice_id = $2"
					"   AND (l.hsn_sac IS NULL OR NOT EXISTS ("
					"        SELECT 1 FROM invoice.gst_rates r"
					"         WHERE r.rate = coalesce(l.tax_rate, $3)"
					"           AND r.effective_from <= ($4 AT TIME ZONE 'UTC')::date"
					"           AND (r.effective_to IS NULL OR r.effective_to > ($4 AT TIME ZONE 'UTC')::date)))"
					" WHERE o.org_id = $1 ORDER BY l.line_id LIMIT 1",
					4, argtypes);
	if (SPI_execute_plan(plan, values, NULL, true, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "GST check failed");
	tuple = SPI_tuptable->vals[0];
	tupdesc = SPI_tuptable->tupdesc;
	if (strcmp(SPI_getvalue(tuple, tupdesc, 1), "t") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_GST),
				 errmsg("invoice \"%s\" is a GST invoice but the supplier has no GSTIN", row_text(row, COL_ID)),
				 errhint("Set it in invoice.supplier.")));
	if (SPI_getvalue(tuple, tupdesc, 2) == NULL)
	{
		/* every line is fine: fix the place of supply, as the tax was computed */
		bool		isnull;

		row_set(row, COL_PLACE_OF_SUPPLY, SPI_datumTransfer(SPI_getbinval(tuple, tupdesc, 5, &isnull), false, -1), false);
		row_set(row, COL_GST_INTRA_STATE, SPI_getbinval(tuple, tupdesc, 6, &isnull), false);
		return;
	}
	if (SPI_getvalue(tuple, tupdesc, 3) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_GST),
				 errmsg("line %s of GST invoice \"%s\" has no HSN/SAC code",
						SPI_getvalue(tuple, tupdesc, 2), row_text(row, COL_ID))));
	ereport(ERROR,
			(errcode(ERRCODE_INVOICE_GST),
			 errmsg("line %s of GST invoice \"%s\" has a tax rate of %s%%, which is not a GST rate on its invoice date",
					SPI_getvalue(tuple, tupdesc, 2), row_text(row, COL_ID), SPI_getvalue(tuple, tupdesc, 4)),
			 errhint("The rates in force are listed in invoice.gst_rates.")));
}

/*
 * A draft that follows the supplier's rounding settings (NULL) gets them fixed
 * at issue, as its amounts were computed (drafts are recomputed when the
 * supplier changes them).
 */
static void
fix_rounding(InvoiceRow *row)
{
	static SPIPlanPtr plan = NULL;
	Datum		values[3] = {row->values[COL_TAX_ROUNDING], row->values[COL_TOTAL_ROUNDING], row->values[COL_CURRENCY]};
	char		nulls[3] = {row->nulls[COL_TAX_ROUNDING] ? 'n' : ' ', row->nulls[COL_TOTAL_ROUNDING] ? 'n' : ' ', ' '};
	bool		isnull;
	char	   *supplier_tax;
	char	   *supplier_total;

	/*
	 * The supplier's one row read directly (as the one-invoice recompute
	 * does): TAX_ROUNDING_SQL and TOTAL_ROUNDING_SQL for a draft, without a
	 * statement per issued invoice; the statement where it cannot be read so.
	 */
	if (compute_one_read_supplier(&supplier_tax, &supplier_total))
	{
		if (row->nulls[COL_TAX_ROUNDING])
			row_set(row, COL_TAX_ROUNDING,
					SPI_datumTransfer(CStringGetTextDatum(supplier_tax ? supplier_tax : "line"), false, -1), false);
		if (row->nulls[COL_TOTAL_ROUNDING])
			row_set(row, COL_TOTAL_ROUNDING,
					SPI_datumTransfer(CStringGetTextDatum(supplier_total && strcmp(row_text(row, COL_CURRENCY), "INR") == 0
														  ? supplier_total : "none"), false, -1), false);
		return;
	}
	invoice_prepare(&plan,
					"SELECT " TAX_ROUNDING_SQL("i") ", " TOTAL_ROUNDING_SQL("i")
					"  FROM (SELECT $1 AS tax_rounding, $2 AS total_rounding,"
					"               'draft'::invoice.status AS status, $3 AS currency) i",
					3, (Oid[]) {TEXTOID, TEXTOID, TEXTOID});
	if (SPI_execute_plan(plan, values, nulls, true, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "rounding lookup failed");
	row_set(row, COL_TAX_ROUNDING, SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull), false, -1), false);
	row_set(row, COL_TOTAL_ROUNDING, SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull), false, -1), false);
}

/*
 * draft → pending: invoice date, due date and number; the prepaid balance is
 * applied (credits → advance → card); nothing left due means paid at once.
 */
static void
issue(InvoiceRow *row)
{
	TimestampTz now = invoice_clock_now();
	TimestampTz invoice_date;
	Cents		amount_due = DatumGetCents(row->values[COL_AMOUNT_DUE]);
	Cents		advance;
	int			payment_terms_days;
	int			nest_level;

	if (row->nulls[COL_INVOICE_DATE])
		row_set(row, COL_INVOICE_DATE, TimestampTzGetDatum(now), false);
	invoice_date = DatumGetTimestampTz(row->values[COL_INVOICE_DATE]);

	SPI_connect();
	nest_level = invoice_pin_search_path();
	if (DatumGetBool(row->values[COL_GST]))
		check_gst_invoice(row);
	if (row->nulls[COL_TAX_ROUNDING] || row->nulls[COL_TOTAL_ROUNDING])
		fix_rounding(row);
	advance = invoice_apply_advance(row->values[COL_ORG_ID], row->values[COL_ID], amount_due,
									&payment_terms_days);
	if (advance > 0)
	{
		row_set(row, COL_ADVANCE_PAY, CentsGetDatum(cents_add(DatumGetCents(row->values[COL_ADVANCE_PAY]), advance)), false);
		row_set(row, COL_AMOUNT_DUE, CentsGetDatum(amount_due - advance), false);
	}
	if (row->nulls[COL_DUE_DATE])
	{
		Interval   *terms = palloc0(sizeof(Interval));

		terms->day = payment_terms_days;
		row_set(row, COL_DUE_DATE,
				DirectFunctionCall2(timestamptz_pl_interval, TimestampTzGetDatum(invoice_date),
									IntervalPGetDatum(terms)), false);
	}
	row_set(row, COL_NUMBER,
			CStringGetTextDatum(invoice_assign_number(row_text(row, COL_SERIES), invoice_fiscal_year(invoice_date))), false);
	invoice_unpin_search_path(nest_level);
	SPI_finish();

	row_set(row, COL_ISSUED_AT, TimestampTzGetDatum(now), false);
	if (DatumGetCents(row->values[COL_AMOUNT_DUE]) == 0)
	{
		row_set(row, COL_STATUS, invoice_status_datum(INVOICE_PAID), false);
		row_set(row, COL_STATUS_REASON, CStringGetTextDatum("nothing due"), false);
		row_set(row, COL_PAID_AT, TimestampTzGetDatum(now), false);
	}
}

static bool
reason_given(InvoiceRow *old_row, InvoiceRow *new_row)
{
	char	   *reason = row_text(new_row, COL_STATUS_REASON);

	return reason != NULL && !invoice_text_is_blank(reason) &&
		column_differs(old_row, new_row, COL_STATUS_REASON);
}

static void
check_transition(InvoiceRow *old_row, InvoiceRow *new_row, InvoiceStatus from, InvoiceStatus to)
{
	TimestampTz now = invoice_clock_now();
	bool		due_passed = !new_row->nulls[COL_DUE_DATE] &&
		DatumGetTimestampTz(new_row->values[COL_DUE_DATE]) < invoice_overdue_reference();
	const char *default_reason = NULL;

	switch (to)
	{
		case INVOICE_PENDING:
			if (from == INVOICE_DRAFT)
			{
				default_reason = "issued";
				issue(new_row);
			}
			else if (from == INVOICE_OVERDUE)
			{
				if (due_passed)
					refuse_transition(new_row, from, to, "The due date has passed; move it into the future first.");
				default_reason = "due date moved";
			}
			else
				refuse_transition(new_row, from, to, NULL);
			break;
		case INVOICE_OVERDUE:
			if (from != INVOICE_PENDING)
				refuse_transition(new_row, from, to, NULL);
			if (!due_passed)
				refuse_transition(new_row, from, to, "The due date has not passed.");
			default_reason = "due date passed";
			break;
		case INVOICE_PAID:
			if (from != INVOICE_PENDING && from != INVOICE_OVERDUE)
				refuse_transition(new_row, from, to,
								  from == INVOICE_DRAFT ? "Issue the invoice first." : NULL);
			if (DatumGetCents(new_row->values[COL_AMOUNT_DUE]) != 0)
				refuse_transition(new_row, from, to,
								  psprintf("Amount due is %s; an invoice is paid by recording payments.",
										   cents_to_cstring(DatumGetCents(new_row->values[COL_AMOUNT_DUE]))));
			default_reason = column_differs(old_row, new_row, COL_CREDITED) &&
				!column_differs(old_row, new_row, COL_ALREADY_BILLED) ? "settled by credit note" : "paid in full";
			row_set(new_row, COL_PAID_AT, TimestampTzGetDatum(now), false);
			break;
		case INVOICE_CANCELLED:
			if (from == INVOICE_PAID || from == INVOICE_CANCELLED)
				refuse_transition(new_row, from, to, NULL);
			if (DatumGetCents(new_row->values[COL_ALREADY_BILLED]) != 0 ||
				DatumGetCents(new_row->values[COL_ADVANCE_PAY]) != 0)
				refuse_transition(new_row, from, to, "Part of it has been paid; correct it with a credit note.");
			if (!reason_given(old_row, new_row))
				ereport(ERROR,
						(errcode(ERRCODE_INVOICE_INVALID_TRANSITION),
						 errmsg("invoice \"%s\" cannot change from %s to cancelled without a reason",
								row_text(new_row, COL_ID), invoice_status_name(from)),
						 errhint("Set status_reason in the same statement, or call invoice.invoice_cancel(id, reason).")));
			row_set(new_row, COL_CANCELLED_AT, TimestampTzGetDatum(now), false);
			break;
		case INVOICE_DRAFT:
			refuse_transition(new_row, from, to, NULL);
			break;
	}
	if (default_reason != NULL && !column_differs(old_row, new_row, COL_STATUS_REASON))
		row_set(new_row, COL_STATUS_REASON, CStringGetTextDatum(default_reason), false);
}

static void
refuse_derived_amounts_of(const char *id)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVOICE_DERIVED_AMOUNT),
			 errmsg("amounts of invoice \"%s\" are derived and cannot be set directly", id),
			 errdetail("They follow from its line items, credits and payments."),
			 errhint("Change those, or call invoice.invoice_compute(id).")));
}

static void
refuse_derived_amounts(InvoiceRow *row)
{
	refuse_derived_amounts_of(row_text(row, COL_ID));
}

/* The trigger data of a BEFORE ROW trigger on invoices, with its (old) row loaded. */
static TriggerData *
before_row_trigger(FunctionCallInfo fcinfo, InvoiceRow *row, const char *name)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "%s must be a BEFORE ROW trigger", name);
	row_load(row, trigdata->tg_relation, trigdata->tg_trigtuple);
	return trigdata;
}

/*
 * BEFORE INSERT on invoices: invoices start as drafts.  Their amounts are
 * checked at the end of the statement (check_inserted_amounts), when the
 * lines inserted with them are there.
 */
static Datum invoice_before_insert_on_this_node(FunctionCallInfo fcinfo);

PG_FUNCTION_INFO_V1(invoice_before_insert);
Datum
invoice_before_insert(PG_FUNCTION_ARGS)
{
	return invoice_trigger_on_shard(fcinfo, "invoices", invoice_before_insert_on_this_node);
}

static Datum
invoice_before_insert_on_this_node(FunctionCallInfo fcinfo)
{
	InvoiceRow	row;
	TriggerData *trigdata = before_row_trigger(fcinfo, &row, "invoice_before_insert");

	if (row_status(&row) != INVOICE_DRAFT)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_INVALID_TRANSITION),
				 errmsg("invoice \"%s\" must be created as draft, not %s",
						row_text(&row, COL_ID), invoice_status_name(row_status(&row))),
				 errhint("Insert it as a draft and issue it with invoice.invoice_issue(id).")));
	if (!row.nulls[COL_ISSUED_AT] || !row.nulls[COL_PAID_AT] || !row.nulls[COL_CANCELLED_AT])
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_INVALID_TRANSITION),
				 errmsg("invoice \"%s\" is a draft: issued_at, paid_at and cancelled_at are set by its life cycle",
						row_text(&row, COL_ID))));
	PG_RETURN_POINTER(trigdata->tg_trigtuple);
}

/* BEFORE UPDATE on invoices: the transition table, frozen columns, derived amounts. */
static Datum invoice_before_update_on_this_node(FunctionCallInfo fcinfo);

PG_FUNCTION_INFO_V1(invoice_before_update);
Datum
invoice_before_update(PG_FUNCTION_ARGS)
{
	return invoice_trigger_on_shard(fcinfo, "invoices", invoice_before_update_on_this_node);
}

static Datum
invoice_before_update_on_this_node(FunctionCallInfo fcinfo)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	int			pending = 0;
	HeapTuple	result;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) || !TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		elog(ERROR, "invoice_before_update must be a BEFORE UPDATE ROW trigger");
	result = invoice_update_rules(trigdata->tg_relation, trigdata->tg_trigtuple, trigdata->tg_newtuple,
								  invoice_amounts_writer_active(), &pending);
	if (pending & INVOICE_PENDING_TAX_RATE)
		flag_pending(&pending_tax_rate_change);
	if (pending & INVOICE_PENDING_STATUS)
		flag_pending(&pending_status_change);
	if (pending & INVOICE_PENDING_SEARCH_TEXTS)
		flag_pending(&pending_search_texts_change);
	PG_RETURN_POINTER(result);
}

/*
 * The rules of an UPDATE of one invoice row (old_tuple → new_tuple), as its
 * BEFORE UPDATE trigger applies them: the row to store (status moved,
 * updated_at set), or an error.  *pending gets the INVOICE_PENDING_* work
 * the change leaves for the statement trigger.  amounts_writer: the
 * recompute writes the derived amounts.  Also the direct write of amounts
 * (src/amounts_write.c) runs them.
 */
HeapTuple
invoice_update_rules(Relation rel, HeapTuple old_tuple, HeapTuple new_tuple, bool amounts_writer, int *pending)
{
	InvoiceRow	old_row;
	InvoiceRow	new_row;
	InvoiceStatus from;
	InvoiceStatus to;

	*pending = 0;
	row_load(&old_row, rel, old_tuple);
	row_load(&new_row, rel, new_tuple);
	from = row_status(&old_row);
	to = row_status(&new_row);

	if (column_differs(&old_row, &new_row, COL_ORG_ID) || column_differs(&old_row, &new_row, COL_ID))
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_FROZEN),
				 errmsg("invoice \"%s\" cannot change its id or organisation", row_text(&old_row, COL_ID))));
	if (!amounts_writer)
		for (int c = COL_USAGE_AMOUNT; c <= COL_ROUND_OFF; c++)
			if (column_differs(&old_row, &new_row, c))
				refuse_derived_amounts(&old_row);
	for (int c = COL_ISSUED_AT; c <= COL_CANCELLED_AT; c++)
		if (column_differs(&old_row, &new_row, c))
			ereport(ERROR,
					(errcode(ERRCODE_INVOICE_FROZEN),
					 errmsg("%s of invoice \"%s\" is set by its life cycle", column_names[c], row_text(&old_row, COL_ID))));
	if (from != INVOICE_DRAFT)
	{
		for (int i = 0; i < (int) lengthof(frozen_columns); i++)
			if (column_differs(&old_row, &new_row, frozen_columns[i]))
				ereport(ERROR,
						(errcode(ERRCODE_INVOICE_FROZEN),
						 errmsg("invoice \"%s\" is %s: its %s cannot be changed",
								row_text(&old_row, COL_ID), invoice_status_name(from),
								column_names[frozen_columns[i]]),
						 errdetail("An issued invoice is corrected by a credit note, never edited.")));
		if ((from == INVOICE_PAID || from == INVOICE_CANCELLED) &&
			column_differs(&old_row, &new_row, COL_DUE_DATE))
			ereport(ERROR,
					(errcode(ERRCODE_INVOICE_FROZEN),
					 errmsg("invoice \"%s\" is %s: its due_date cannot be changed",
							row_text(&old_row, COL_ID), invoice_status_name(from))));
	}
	else if (column_differs(&old_row, &new_row, COL_NUMBER))
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_FROZEN),
				 errmsg("invoice \"%s\" gets its number when issued", row_text(&old_row, COL_ID))));

	/* Changes that move the status by themselves. */
	if (from == to && amounts_writer &&
		(from == INVOICE_PENDING || from == INVOICE_OVERDUE) &&
		DatumGetCents(new_row.values[COL_AMOUNT_DUE]) == 0)
		to = INVOICE_PAID;
	else if (from == to && from == INVOICE_OVERDUE &&
			 column_differs(&old_row, &new_row, COL_DUE_DATE) && !new_row.nulls[COL_DUE_DATE] &&
			 DatumGetTimestampTz(new_row.values[COL_DUE_DATE]) >= invoice_overdue_reference())
		to = INVOICE_PENDING;
	if (to != row_status(&new_row))
		row_set(&new_row, COL_STATUS, invoice_status_datum(to), false);

	if (from == INVOICE_DRAFT && (column_differs(&old_row, &new_row, COL_TAX_RATE) ||
								  column_differs(&old_row, &new_row, COL_GST) ||
								  column_differs(&old_row, &new_row, COL_CURRENCY) ||
								  column_differs(&old_row, &new_row, COL_TAX_ROUNDING) ||
								  column_differs(&old_row, &new_row, COL_TOTAL_ROUNDING)))
		*pending |= INVOICE_PENDING_TAX_RATE;
	if (from != to)
	{
		check_transition(&old_row, &new_row, from, to);
		*pending |= INVOICE_PENDING_STATUS;
	}
	else if (column_differs(&old_row, &new_row, COL_STATUS_REASON) && from != INVOICE_DRAFT)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_FROZEN),
				 errmsg("status_reason of invoice \"%s\" changes only with its status", row_text(&old_row, COL_ID))));

	if (column_differs(&old_row, &new_row, COL_NUMBER) || column_differs(&old_row, &new_row, COL_DESCRIPTION))
		*pending |= INVOICE_PENDING_SEARCH_TEXTS;

	/* an issued invoice keeps a due date: without one, the overdue sweep would never see it */
	if ((to == INVOICE_PENDING || to == INVOICE_OVERDUE) && new_row.nulls[COL_DUE_DATE])
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("invoice \"%s\" is issued: its due date cannot be removed", row_text(&new_row, COL_ID)),
				 errhint("Move the due date instead.")));
	row_set(&new_row, COL_UPDATED_AT, TimestampTzGetDatum(invoice_clock_now()), false);
	return row_apply(&new_row, new_tuple);
}

/* BEFORE DELETE on invoices: only drafts may be discarded; issued invoices are kept for good. */
static Datum invoice_before_delete_on_this_node(FunctionCallInfo fcinfo);

PG_FUNCTION_INFO_V1(invoice_before_delete);
Datum
invoice_before_delete(PG_FUNCTION_ARGS)
{
	return invoice_trigger_on_shard(fcinfo, "invoices", invoice_before_delete_on_this_node);
}

static Datum
invoice_before_delete_on_this_node(FunctionCallInfo fcinfo)
{
	InvoiceRow	row;
	TriggerData *trigdata = before_row_trigger(fcinfo, &row, "invoice_before_delete");

	if (row_status(&row) != INVOICE_DRAFT)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_FROZEN),
				 errmsg("invoice \"%s\" is %s and cannot be deleted",
						row_text(&row, COL_ID), invoice_status_name(row_status(&row))),
				 errhint("Cancel it with invoice.invoice_cancel(id, reason).")));
	PG_RETURN_POINTER(trigdata->tg_trigtuple);
}

#define HISTORY_ID IDENTITY_NEXT("status_history_history_id_seq")

/* Statements over transition tables are planned afresh each time: see invoice_recompute. */
static void
log_creations(void)
{
	if (invoice_execute("INSERT INTO invoice.status_history (history_id, org_id, invoice_id, from_status, to_status, reason)"
					" OVERRIDING SYSTEM VALUE"
					" SELECT " HISTORY_ID ", n.org_id, n.id, NULL, n.status, coalesce(n.status_reason, 'created')"
					" FROM changed_new n", false, 0) != SPI_OK_INSERT)
		elog(ERROR, "status history insert failed");
}

/* One row per status change; an issue paid at once (nothing due) logs both steps. */
static void
log_status_changes(void)
{
	if (invoice_execute("INSERT INTO invoice.status_history (history_id, org_id, invoice_id, from_status, to_status, reason)"
					" OVERRIDING SYSTEM VALUE"
					" SELECT " HISTORY_ID ", n.org_id, n.id, s.from_status, s.to_status, s.reason"
					" FROM changed_new n JOIN changed_old o ON o.org_id = n.org_id AND o.id = n.id"
					" CROSS JOIN LATERAL (VALUES"
					"   (o.status, 'pending'::invoice.status, 'issued'::text, o.status = 'draft' AND n.status = 'paid'),"
					"   (CASE WHEN o.status = 'draft' AND n.status = 'paid' THEN 'pending'::invoice.status ELSE o.status END,"
					"    n.status, n.status_reason, true)"
					" ) AS s(from_status, to_status, reason, applies)"
					" WHERE o.status IS DISTINCT FROM n.status AND s.applies"
					" ORDER BY n.org_id, n.id, s.from_status", false, 0) != SPI_OK_INSERT)
		elog(ERROR, "status history insert failed");
}

/*
 * A new invoice's amounts are derived, as every invoice's: an invoice
 * inserted without lines has none (IV006 for any amount set).  One inserted
 * with amounts together with its lines (the same statement: the invoice is
 * new) is recomputed by the lines' statement trigger (invoice_children_changed,
 * which recomputes every invoice whose lines a statement inserted), so the
 * amounts it keeps are the derived ones; a writer that computed them right
 * (invoice_generate) spares that recompute its UPDATE.
 */
static void
check_inserted_amounts(SPIPlanPtr *cache)
{
	const char *sql = "SELECT n.id FROM changed_new n"
		" WHERE 0 <> ANY (ARRAY[n.usage_amount::bigint, n.credits_applied::bigint, n.already_billed_amount::bigint,"
		"                       n.subtotal::bigint, n.tax::bigint, n.total::bigint, n.advance_pay_amount::bigint,"
		"                       n.amount_due::bigint, n.credited_amount::bigint, n.round_off::bigint])"
		"   AND NOT EXISTS (SELECT FROM invoice.line_items l WHERE l.org_id = n.org_id AND l.invoice_id = n.id)"
		" LIMIT 1";

	if ((cache != NULL ? SPI_execute_plan(invoice_prepare(cache, sql, 0, NULL), NULL, NULL, false, 1)
		 : invoice_execute(sql, false, 1)) != SPI_OK_SELECT)
		elog(ERROR, "checking the amounts of new invoices failed");
	if (SPI_processed > 0)
		refuse_derived_amounts_of(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
}

static void
recompute_retaxed_drafts(void)
{
	invoice_recompute("SELECT " RECOMPUTE_COLUMNS("n")
					  " FROM changed_new n JOIN changed_old o ON o.org_id = n.org_id AND o.id = n.id"
					  " WHERE n.tax_rate IS DISTINCT FROM o.tax_rate OR n.gst IS DISTINCT FROM o.gst"
					  "    OR n.currency IS DISTINCT FROM o.currency"
					  "    OR n.tax_rounding IS DISTINCT FROM o.tax_rounding"
					  "    OR n.total_rounding IS DISTINCT FROM o.total_rounding",
					  NULL, 0, NULL, NULL, false);
}

/*
 * AFTER statement trigger on invoices: status_history rows for creations and
 * status changes, a recompute of drafts whose tax rate changed, and the
 * search signatures of new invoices and of new numbers and descriptions.
 */
static Datum invoice_after_statement_on_this_node(FunctionCallInfo fcinfo);

PG_FUNCTION_INFO_V1(invoice_after_statement);
Datum
invoice_after_statement(PG_FUNCTION_ARGS)
{
	return invoice_trigger_on_shard(fcinfo, "invoices", invoice_after_statement_on_this_node);
}

static Datum
invoice_after_statement_on_this_node(FunctionCallInfo fcinfo)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	bool		inserted;
	bool		status_changed = false;
	bool		tax_rate_changed = false;
	bool		search_texts_changed = false;
	bool		small;
	int			nest_level;
	static SPIPlanPtr new_texts_plan = NULL;
	static SPIPlanPtr changed_texts_plan = NULL;
	static SPIPlanPtr amounts_plan = NULL;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		elog(ERROR, "invoice_after_statement must be an AFTER statement trigger");
	inserted = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event);
	if (!inserted)
	{
		status_changed = pending_status_change;
		tax_rate_changed = pending_tax_rate_change;
		search_texts_changed = pending_search_texts_change;
		pending_status_change = pending_tax_rate_change = pending_search_texts_change = false;
		if (!status_changed && !tax_rate_changed && !search_texts_changed)
			PG_RETURN_POINTER(NULL);
	}
	if (tuplestore_tuple_count(trigdata->tg_newtable) == 0)
		PG_RETURN_POINTER(NULL);
	small = tuplestore_tuple_count(trigdata->tg_newtable) <= SMALL_STATEMENT_ROWS;

	SPI_connect();
	SPI_register_trigger_data(trigdata);
	nest_level = invoice_pin_search_path();
	if (invoice_numbers_pending())
		invoice_flush_numbers();
	if (inserted)
	{
		check_inserted_amounts(small ? &amounts_plan : NULL);
		log_creations();
		invoice_search_add_texts("SELECT n.org_id, n.id, ARRAY[n.number, n.description] FROM changed_new n",
								 small ? &new_texts_plan : NULL);
	}
	if (search_texts_changed)
		invoice_search_add_texts("SELECT n.org_id, n.id, ARRAY[n.number, n.description]"
								 " FROM changed_new n JOIN changed_old o ON o.org_id = n.org_id AND o.id = n.id"
								 " WHERE n.number IS DISTINCT FROM o.number OR n.description IS DISTINCT FROM o.description",
								 small ? &changed_texts_plan : NULL);
	if (status_changed)
	{
		log_status_changes();
		invoice_queue_reminders_and_restore();
	}
	if (tax_rate_changed)
		recompute_retaxed_drafts();
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_POINTER(NULL);
}

/*
 * Run one UPDATE of an invoice already locked ($1 org_id, $2 id, then the
 * arguments of argtypes, text when NULL) and return the new row, in the
 * table's own row type.
 */
static Datum
update_invoice(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes, Datum *values)
{
	Oid			text_args[3] = {TEXTOID, TEXTOID, TEXTOID};
	bool		isnull;

	if (argtypes == NULL)
		argtypes = text_args;

	invoice_prepare(cache, sql, nargs, argtypes);
	if (SPI_execute_plan(*cache, values, NULL, false, 0) != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "invoice update failed");
	/* the callers locked and checked it; an internal *_on_node function called directly may not have */
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("invoice \"%s\" of organisation \"%s\" does not exist or is not in the state this change needs",
						TextDatumGetCString(values[1]), TextDatumGetCString(values[0]))));
	return SPI_datumTransfer(invoice_logical_row(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
															   &isnull), "invoices"),
							 false, -1);
}

/*
 * On Citus: the number is taken here, on the coordinator, where the series
 * live (a reference table), for the financial year of the invoice date (the
 * clock's, when the invoice has none yet); the node that holds the invoice
 * issues it with that number and that date.
 */
static Datum
issue_distributed(const char *org_id, text *id)
{
	static SPIPlanPtr read_plan = NULL;
	static SPIPlanPtr node_plan = NULL;
	Datum		values[2] = {CStringGetTextDatum(org_id), PointerGetDatum(id)};
	bool		isnull;
	TimestampTz invoice_date;
	char	   *series;
	char	   *number;

	invoice_prepare(&read_plan,
					"SELECT i.series, i.invoice_date FROM invoice.invoices i WHERE i.org_id = $1 AND i.id = $2",
					2, (Oid[]) {TEXTOID, TEXTOID});
	if (SPI_execute_plan(read_plan, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "invoice vanished while issuing it");
	series = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	invoice_date = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	if (isnull)
		invoice_date = invoice_clock_now();
	number = invoice_assign_number(series, invoice_fiscal_year(invoice_date));
	invoice_flush_numbers();
	return invoice_on_org_node(&node_plan, "invoice.invoice_issue_on_node(o.org_id, $2, $3, $4)",
							   4, (Oid[]) {TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID},
							   (Datum[]) {values[0], values[1], TimestampTzGetDatum(invoice_date),
										  CStringGetTextDatum(number)},
							   &isnull);
}

static Datum issue_on_node(FunctionCallInfo fcinfo);

/* invoice_issue_on_node(org_id, id, invoice_date, number): invoice_issue's work on Citus, on the node of the organisation (internal) */
PG_FUNCTION_INFO_V1(invoice_issue_on_node);
Datum
invoice_issue_on_node(PG_FUNCTION_ARGS)
{
	return invoice_call_in_org(fcinfo, issue_on_node);
}

static Datum
issue_on_node(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr plan = NULL;
	text	   *id = invoice_arg_text(fcinfo, 1, "invoice id");
	Datum		result;
	int			nest_level;

	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("invoice date and number must not be null")));
	SPI_connect();
	nest_level = invoice_pin_search_path();
	invoice_give_number(text_to_cstring(PG_GETARG_TEXT_PP(3)));	/* the trigger takes it */
	result = update_invoice(&plan,
							"UPDATE invoice.invoices i SET status = 'pending', invoice_date = coalesce(i.invoice_date, $3)"
							" WHERE i.org_id = $1 AND i.id = $2 AND i.status = 'draft' RETURNING i",
							3, (Oid[]) {TEXTOID, TEXTOID, TIMESTAMPTZOID},
							(Datum[]) {PG_GETARG_DATUM(0), PointerGetDatum(id), PG_GETARG_DATUM(2)});
	invoice_give_number(NULL);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

static Datum invoice_issue_as_owner(FunctionCallInfo fcinfo);

/* invoice_issue(id): draft → pending; number, dates; straight to paid when nothing is due */
PG_FUNCTION_INFO_V1(invoice_issue);
Datum
invoice_issue(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, invoice_issue_as_owner);
}

static Datum
invoice_issue_as_owner(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr plan = NULL;
	text	   *id = invoice_arg_text(fcinfo, 0, "invoice id");
	char	   *org_id;
	InvoiceStatus status;
	Datum		result;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();
	status = invoice_lock_by_id(id, &org_id, INVOICE_ACCESS_ADMIN, "issue");
	if (status != INVOICE_DRAFT)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_INVALID_TRANSITION),
				 errmsg("invoice \"%s\" cannot change from %s to pending",
						text_to_cstring(id), invoice_status_name(status)),
				 errdetail("Only a draft can be issued.")));
	if (invoice_distributed())
		result = issue_distributed(org_id, id);
	else
		result = update_invoice(&plan,
								"UPDATE invoice.invoices i SET status = 'pending'"
								" WHERE i.org_id = $1 AND i.id = $2 RETURNING i",
								2, NULL, (Datum[]) {CStringGetTextDatum(org_id), PointerGetDatum(id)});
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

static Datum invoice_cancel_as_owner(FunctionCallInfo fcinfo);

/* invoice_cancel(id, reason): → cancelled where the life cycle allows it */
PG_FUNCTION_INFO_V1(invoice_cancel);
Datum
invoice_cancel(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, invoice_cancel_as_owner);
}

static Datum
invoice_cancel_as_owner(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr plan = NULL;
	text	   *id = invoice_arg_text(fcinfo, 0, "invoice id");
	text	   *reason = invoice_arg_nonblank(fcinfo, 1, "cancellation reason");
	char	   *org_id;
	InvoiceStatus status;
	Datum		result;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();
	status = invoice_lock_by_id(id, &org_id, INVOICE_ACCESS_MANAGE, "cancel");
	if (status == INVOICE_PAID || status == INVOICE_CANCELLED)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_INVALID_TRANSITION),
				 errmsg("invoice \"%s\" cannot change from %s to cancelled",
						text_to_cstring(id), invoice_status_name(status)),
				 errdetail("Paid and cancelled invoices are final.")));
	result = update_invoice(&plan,
							"UPDATE invoice.invoices i SET status = 'cancelled', status_reason = $3"
							" WHERE i.org_id = $1 AND i.id = $2 RETURNING i",
							3, NULL, (Datum[]) {CStringGetTextDatum(org_id), PointerGetDatum(id), PointerGetDatum(reason)});
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

static Datum invoice_issue_period_as_owner(FunctionCallInfo fcinfo);

/* invoice_issue_period(from, to): billing day — issue every draft of the period in one statement */
PG_FUNCTION_INFO_V1(invoice_issue_period);
Datum
invoice_issue_period(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, invoice_issue_period_as_owner);
}

/*
 * On Citus: every draft of the period, one by one in key order, as
 * invoice_issue issues it — each locked on its node, its number taken here
 * (issue_distributed).  A draft issued meanwhile by another is skipped.
 */
static uint64
issue_period_distributed(Datum *values)
{
	static SPIPlanPtr pick_plan = NULL;
	static SPIPlanPtr lock_plan = NULL;
	SPITupleTable *drafts;
	uint64		ndrafts;
	uint64		issued = 0;

	invoice_prepare(&pick_plan,
					"SELECT i.org_id, i.id FROM invoice.invoices i"
					" WHERE i.status = 'draft' AND i.period_start >= $1 AND i.period_end <= $2"
					" ORDER BY i.org_id, i.id",
					2, (Oid[]) {TIMESTAMPTZOID, TIMESTAMPTZOID});
	if (SPI_execute_plan(pick_plan, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading the drafts of the period failed");
	drafts = SPI_tuptable;
	ndrafts = SPI_processed;
	for (uint64 row = 0; row < ndrafts; row++)
	{
		bool		isnull;
		Datum		key[2] = {SPI_getbinval(drafts->vals[row], drafts->tupdesc, 1, &isnull),
							  SPI_getbinval(drafts->vals[row], drafts->tupdesc, 2, &isnull)};

		CHECK_FOR_INTERRUPTS();
		invoice_prepare_generic(&lock_plan,
								"SELECT 1 FROM invoice.invoices i WHERE i.org_id = $1 AND i.id = $2"
								" AND i.status = 'draft' FOR NO KEY UPDATE",
								2, (Oid[]) {TEXTOID, TEXTOID});
		if (SPI_execute_plan(lock_plan, key, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "locking a draft of the period failed");
		if (SPI_processed == 0)
			continue;
		(void) issue_distributed(TextDatumGetCString(key[0]), DatumGetTextPP(key[1]));
		issued++;
	}
	return issued;
}

static Datum
invoice_issue_period_as_owner(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		values[2];
	uint64		issued;
	int			nest_level;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("period bounds must not be null")));
	invoice_require_administrator("issue a billing period");
	values[0] = PG_GETARG_DATUM(0);
	values[1] = PG_GETARG_DATUM(1);
	SPI_connect();
	nest_level = invoice_pin_search_path();
	if (invoice_distributed())
		issued = issue_period_distributed(values);
	else
	{
		invoice_prepare(&plan,
						"UPDATE invoice.invoices i SET status = 'pending'"
						" WHERE i.status = 'draft' AND i.period_start >= $1 AND i.period_end <= $2",
						2, argtypes);
		if (SPI_execute_plan(plan, values, NULL, false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "issuing the period failed");
		issued = SPI_processed;
	}
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_INT64((int64) issued);
}
