/*
 * prepaid.c
 *		Prepaid (advance) balances: top-ups with numbered receipts, an
 *		append-only ledger whose sum per organisation is orgs.advance_balance,
 *		and the application of that balance to invoices as they are issued.
 *
 * The balance is a column of the organisation's row, updated by the ledger's
 * trigger with a CHECK that it is never negative: concurrent top-ups and
 * issues queue on that row, and a stale read can never spend money twice.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "cents.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "invoice.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

static bool ledger_writer_active = false;
static bool advance_applying = false;

static Datum
existing_receipt(Datum org_id, text *provider_ref, Cents amount)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2] = {org_id, PointerGetDatum(provider_ref)};
	bool		isnull;
	Cents		receipt_amount;

	invoice_prepare(&plan,
					"SELECT r, r.amount FROM invoice.receipts r WHERE r.org_id = $1 AND r.provider_ref = $2",
					2, argtypes);
	if (SPI_execute_plan(plan, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "receipt lookup failed");
	if (SPI_processed == 0)
		return (Datum) 0;
	receipt_amount = DatumGetCents(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	if (receipt_amount != amount)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_PAYMENT_CONFLICT),
				 errmsg("provider reference \"%s\" was already used for a different top-up",
						text_to_cstring(provider_ref)),
				 errdetail("It topped up %s; this request tops up %s.",
						   cents_to_cstring(receipt_amount), cents_to_cstring(amount))));
	return SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull), false, -1);
}

static Datum invoice_topup_as_owner(FunctionCallInfo fcinfo);

/* invoice_topup(org_id, amount, method, provider_ref): a receipt and a ledger credit, idempotently */
PG_FUNCTION_INFO_V1(invoice_topup);
Datum
invoice_topup(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, invoice_topup_as_owner);
}

static Datum
invoice_topup_as_owner(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr lock_plan = NULL;
	static SPIPlanPtr receipt_plan = NULL;
	static SPIPlanPtr ledger_plan = NULL;
	text	   *org_id = invoice_arg_text(fcinfo, 0, "organisation id");
	Cents		amount = invoice_arg_positive_amount(fcinfo, 1, "top-up amount");
	text	   *method = invoice_arg_text(fcinfo, 2, "payment method");
	text	   *provider_ref = invoice_arg_reference(fcinfo, 3, "provider reference");
	Datum		result;
	Oid			argtypes[5] = {TEXTOID, TEXTOID, INT8OID, TEXTOID, TEXTOID};
	Datum		values[5];
	bool		isnull;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();
	values[0] = PointerGetDatum(org_id);
	invoice_require_access(invoice_access_to_org(text_to_cstring(org_id)), INVOICE_ACCESS_MANAGE,
						   "organisation", text_to_cstring(org_id), "top up");
	invoice_prepare(&lock_plan, "SELECT 1 FROM invoice.orgs o WHERE o.org_id = $1 FOR NO KEY UPDATE",
					1, argtypes);
	if (SPI_execute_plan(lock_plan, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "organisation lookup failed");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("organisation \"%s\" does not exist", text_to_cstring(org_id))));

	result = existing_receipt(values[0], provider_ref, amount);
	if (result == (Datum) 0)
	{
		Datum		receipt_id;

		values[1] = CStringGetTextDatum(invoice_assign_number("RCT", invoice_fiscal_year(invoice_clock_now())));
		values[2] = Int64GetDatum(amount);
		values[3] = PointerGetDatum(method);
		values[4] = PointerGetDatum(provider_ref);
		/* the receipt's id only: Citus cannot return the whole row of an INSERT (it is read again below) */
		invoice_prepare(&receipt_plan,
						"INSERT INTO invoice.receipts AS r (org_id, number, amount, method, provider_ref)"
						" VALUES ($1, $2, $3::@cents@.cents, $4::invoice.payment_method, $5)"
						" RETURNING r.receipt_id",
						5, argtypes);
		if (SPI_execute_plan(receipt_plan, values, NULL, false, 0) != SPI_OK_INSERT_RETURNING)
			elog(ERROR, "receipt insert failed");
		receipt_id = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		invoice_flush_numbers();

		invoice_prepare(&ledger_plan,
						"INSERT INTO invoice.advance_ledger (org_id, kind, amount, receipt_id)"
						" VALUES ($1, 'topup', $2::@cents@.cents, $3)",
						3, (Oid[]) {TEXTOID, INT8OID, INT8OID});
		if (SPI_execute_plan(ledger_plan, (Datum[]) {values[0], values[2], receipt_id}, NULL, false, 0)
			!= SPI_OK_INSERT)
			elog(ERROR, "ledger insert failed");
		result = existing_receipt(values[0], provider_ref, amount);
	}
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/*
 * At issue: take min(balance, amount due) from the organisation's balance
 * for this invoice, and queue an auto-pay request for what is still due when
 * the organisation opted in.  Locks the organisation's row (queueing behind
 * top-ups and other issues) and returns the amount applied.  Runs inside the
 * caller's SPI connection.
 */
Cents
invoice_apply_advance(Datum org_id, Datum invoice_id, Cents amount_due, int *payment_terms_days)
{
	static SPIPlanPtr org_plan = NULL;
	static SPIPlanPtr ledger_plan = NULL;
	static SPIPlanPtr request_plan = NULL;
	Oid			argtypes[3] = {TEXTOID, TEXTOID, INT8OID};
	bool		isnull;
	bool		autopay;
	Cents		balance;
	Cents		applied;

	invoice_prepare(&org_plan,
					"SELECT o.payment_terms_days, o.autopay, o.advance_balance FROM invoice.orgs o"
					" WHERE o.org_id = $1 FOR NO KEY UPDATE",
					1, argtypes);
	if (SPI_execute_plan(org_plan, &org_id, NULL, false, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "organisation of invoice not found");
	*payment_terms_days = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	autopay = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	balance = DatumGetCents(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));

	applied = Min(balance, amount_due);
	if (applied > 0)
	{
		invoice_prepare(&ledger_plan,
						"INSERT INTO invoice.advance_ledger (entry_id, org_id, kind, amount, invoice_id)"
						" OVERRIDING SYSTEM VALUE"
						" VALUES (" IDENTITY_NEXT("advance_ledger_entry_id_seq") ", $1, 'applied', -($3::@cents@.cents), $2)",
						3, argtypes);
		advance_applying = true;
		PG_TRY();
		{
			if (SPI_execute_plan(ledger_plan, (Datum[]) {org_id, invoice_id, Int64GetDatum(applied)},
								 NULL, false, 0) != SPI_OK_INSERT)
				elog(ERROR, "ledger insert failed");
		}
		PG_FINALLY();
		{
			advance_applying = false;
		}
		PG_END_TRY();
	}
	if (autopay && amount_due > applied)
	{
		invoice_prepare(&request_plan,
						"INSERT INTO invoice.payment_requests (request_id, org_id, invoice_id, amount)"
						" OVERRIDING SYSTEM VALUE"
						" VALUES (" IDENTITY_NEXT("payment_requests_request_id_seq") ", $1, $2, $3::@cents@.cents)",
						3, argtypes);
		if (SPI_execute_plan(request_plan, (Datum[]) {org_id, invoice_id, Int64GetDatum(amount_due - applied)},
							 NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "payment request insert failed");
	}
	return applied;
}

/* AFTER INSERT statement trigger on advance_ledger: the balances follow, and never go negative. */
static Datum advance_ledger_changed_on_this_node(FunctionCallInfo fcinfo);

PG_FUNCTION_INFO_V1(advance_ledger_changed);
Datum
advance_ledger_changed(PG_FUNCTION_ARGS)
{
	return invoice_trigger_on_shard(fcinfo, "advance_ledger", advance_ledger_changed_on_this_node);
}

static Datum
advance_ledger_changed_on_this_node(FunctionCallInfo fcinfo)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	bool		was_active = ledger_writer_active;
	int			nest_level;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		elog(ERROR, "advance_ledger_changed must be an AFTER statement trigger");
	SPI_connect();
	SPI_register_trigger_data(trigdata);
	nest_level = invoice_pin_search_path();
	/* amounts applied to an invoice are part of its derived amounts: only its issue writes them */
	if (!advance_applying)
	{
		if (invoice_execute("SELECT 1 FROM changed_new n WHERE n.kind = 'applied' LIMIT 1", true, 0) != SPI_OK_SELECT)
			elog(ERROR, "ledger check failed");
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVOICE_DERIVED_AMOUNT),
					 errmsg("advance ledger entries of kind \"applied\" are written by invoice issue only"),
					 errhint("Correct a balance with a reversal entry.")));
	}
	ledger_writer_active = true;
	PG_TRY();
	{
		if (invoice_execute("UPDATE invoice.orgs o SET advance_balance = o.advance_balance + s.total"
						" FROM (SELECT n.org_id, @cents@.sum(n.amount) AS total"
						"       FROM changed_new n GROUP BY n.org_id) s"
						" WHERE o.org_id = s.org_id", false, 0) != SPI_OK_UPDATE)
			elog(ERROR, "advance balance update failed");
	}
	PG_CATCH();
	{
		ledger_writer_active = was_active;
		if (geterrcode() == ERRCODE_CHECK_VIOLATION)
		{
			FlushErrorState();
			ereport(ERROR,
					(errcode(ERRCODE_INVOICE_BALANCE),
					 errmsg("advance balance cannot go negative"),
					 errdetail("The ledger entries exceed the organisation's prepaid balance.")));
		}
		PG_RE_THROW();
	}
	PG_END_TRY();
	ledger_writer_active = was_active;
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_POINTER(NULL);
}

/* BEFORE UPDATE OR DELETE statement trigger on advance_ledger: append-only (TRUNCATE is the owner's). */
static Datum advance_ledger_append_only_on_this_node(FunctionCallInfo fcinfo);

PG_FUNCTION_INFO_V1(advance_ledger_append_only);
Datum
advance_ledger_append_only(PG_FUNCTION_ARGS)
{
	return invoice_trigger_on_shard(fcinfo, "advance_ledger", advance_ledger_append_only_on_this_node);
}

static Datum
advance_ledger_append_only_on_this_node(FunctionCallInfo fcinfo)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVOICE_FROZEN),
			 errmsg("the advance ledger is append-only"),
			 errhint("Correct a balance with a reversal entry.")));
	PG_RETURN_POINTER(NULL);
}

/* BEFORE INSERT OR UPDATE OF advance_balance on orgs: only the ledger's trigger moves a balance. */
static Datum org_balance_guard_on_this_node(FunctionCallInfo fcinfo);

PG_FUNCTION_INFO_V1(org_balance_guard);
Datum
org_balance_guard(PG_FUNCTION_ARGS)
{
	return invoice_trigger_on_shard(fcinfo, "orgs", org_balance_guard_on_this_node);
}

static Datum
org_balance_guard_on_this_node(FunctionCallInfo fcinfo)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc = RelationGetDescr(trigdata->tg_relation);
	int			attnum = SPI_fnumber(tupdesc, "advance_balance");
	bool		inserting = TRIGGER_FIRED_BY_INSERT(trigdata->tg_event);
	HeapTuple	tuple = inserting ? trigdata->tg_trigtuple : trigdata->tg_newtuple;
	bool		isnull;
	Cents		before = inserting ? 0 : DatumGetCents(heap_getattr(trigdata->tg_trigtuple, attnum, tupdesc, &isnull));

	Datum		after = heap_getattr(tuple, attnum, tupdesc, &isnull);

	if (isnull)
		PG_RETURN_POINTER(tuple);	/* the NOT NULL constraint reports it (23502) */
	if (!ledger_writer_active && DatumGetCents(after) != before)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_DERIVED_AMOUNT),
				 errmsg("advance balance of organisation \"%s\" is derived and cannot be set directly",
						SPI_getvalue(tuple, tupdesc, SPI_fnumber(tupdesc, "org_id"))),
				 errhint("Top it up with invoice.invoice_topup().")));
	PG_RETURN_POINTER(tuple);
}
