/*
 * payments.c
 *		invoice_pay: record a payment against an invoice, idempotent on the
 *		payment provider's reference.
 *
 * The invoice is locked before anything is read, so concurrent payments of
 * one invoice queue: the second sees the first's payment and either returns
 * it (same provider_ref, a retry) or is checked against what is left due.
 * The trigger on invoice.payments then recomputes the invoice, which turns
 * paid in the same transaction when nothing is left due.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "cents.h"
#include "executor/spi.h"
#include "invoice.h"
#include "utils/builtins.h"

/*
 * The payment this organisation already recorded under provider_ref, as a
 * row Datum, or 0 when there is none.  References are per organisation, like
 * the unique key, so nothing of another organisation is looked at.
 */
static Datum
existing_payment(text *provider_ref, const char *org_id, text *id, Cents amount)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		values[2] = {CStringGetTextDatum(org_id), PointerGetDatum(provider_ref)};
	TupleDesc	tupdesc;
	HeapTuple	tuple;
	bool		isnull;
	char	   *paid_invoice;
	Cents		paid_amount;

	invoice_prepare(&plan,
					"SELECT p, p.org_id, p.invoice_id, p.amount FROM invoice.payments p"
					" WHERE p.org_id = $1 AND p.provider_ref = $2",
					2, argtypes);
	if (SPI_execute_plan(plan, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "payment lookup failed");
	if (SPI_processed == 0)
		return (Datum) 0;

	tupdesc = SPI_tuptable->tupdesc;
	tuple = SPI_tuptable->vals[0];
	paid_invoice = SPI_getvalue(tuple, tupdesc, 3);
	paid_amount = DatumGetCents(SPI_getbinval(tuple, tupdesc, 4, &isnull));
	if (strcmp(paid_invoice, text_to_cstring(id)) != 0 || paid_amount != amount)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_PAYMENT_CONFLICT),
				 errmsg("provider reference \"%s\" was already used for a different payment",
						text_to_cstring(provider_ref)),
				 errdetail("It paid %s on invoice \"%s\"; this request pays %s on invoice \"%s\".",
						   SPI_getvalue(tuple, tupdesc, 4),
						   paid_invoice,
						   cents_to_cstring(amount),
						   text_to_cstring(id))));
	return SPI_datumTransfer(invoice_logical_row(SPI_getbinval(tuple, tupdesc, 1, &isnull), "payments"), false, -1);
}

/*
 * Record a payment of amount against the invoice, already locked, of status
 * status, on the node that holds it: the existing payment under provider_ref
 * (a retry), or a new one.  Returns the payment row.
 */
static Datum
pay_in_org(const char *org_id, text *id, InvoiceStatus status, Cents amount, text *method, text *provider_ref)
{
	static SPIPlanPtr due_plan = NULL;
	static SPIPlanPtr insert_plan = NULL;
	Oid			argtypes[5] = {TEXTOID, TEXTOID, INT8OID, TEXTOID, TEXTOID};
	Datum		values[5];
	Cents		amount_due;
	Datum		result;
	bool		isnull;

	result = existing_payment(provider_ref, org_id, id, amount);
	if (result != (Datum) 0)
		return result;

	if (status != INVOICE_PENDING && status != INVOICE_OVERDUE)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_NOT_PAYABLE),
				 errmsg("invoice \"%s\" is %s and cannot be paid",
						text_to_cstring(id), invoice_status_name(status)),
				 errdetail("Payments are accepted for pending and overdue invoices.")));

	values[0] = CStringGetTextDatum(org_id);
	values[1] = PointerGetDatum(id);
	invoice_prepare(&due_plan,
					"SELECT i.amount_due FROM invoice.invoices i WHERE i.org_id = $1 AND i.id = $2",
					2, argtypes);
	if (SPI_execute_plan(due_plan, values, NULL, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "invoice vanished while paying it");
	amount_due = DatumGetCents(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (amount > amount_due)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_OVERPAYMENT),
				 errmsg("payment of %s exceeds the amount due on invoice \"%s\"",
						cents_to_cstring(amount),
						text_to_cstring(id)),
				 errdetail("Amount due is %s.",
						   cents_to_cstring(amount_due))));

	values[2] = Int64GetDatum(amount);
	values[3] = PointerGetDatum(method);
	values[4] = PointerGetDatum(provider_ref);
	invoice_prepare(&insert_plan,
					"INSERT INTO invoice.payments AS p (payment_id, org_id, invoice_id, amount, method, provider_ref)"
					" OVERRIDING SYSTEM VALUE"
					" VALUES (" IDENTITY_NEXT("payments_payment_id_seq") ", $1, $2, $3::@cents@.cents,"
					"         $4::invoice.payment_method, $5)"
					" ON CONFLICT (org_id, provider_ref) DO NOTHING RETURNING p",
					5, argtypes);
	if (SPI_execute_plan(insert_plan, values, NULL, false, 0) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "payment insert failed");
	if (SPI_processed == 1)
		result = SPI_datumTransfer(invoice_logical_row(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
																	 1, &isnull), "payments"),
								   false, -1);
	else
		result = existing_payment(provider_ref, org_id, id, amount);	/* a racing twin won */
	if (result == (Datum) 0)
		elog(ERROR, "payment under provider reference \"%s\" vanished", text_to_cstring(provider_ref));
	return result;
}

static Datum invoice_pay_as_owner(FunctionCallInfo fcinfo);

/* invoice_pay(id, amount, method, provider_ref): record a payment, idempotently */
PG_FUNCTION_INFO_V1(invoice_pay);
Datum
invoice_pay(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, invoice_pay_as_owner);
}

static Datum
invoice_pay_as_owner(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr node_plan = NULL;
	text	   *id = invoice_arg_text(fcinfo, 0, "invoice id");
	Cents		amount = invoice_arg_positive_amount(fcinfo, 1, "payment amount");
	text	   *method = invoice_arg_text(fcinfo, 2, "payment method");
	text	   *provider_ref = invoice_arg_reference(fcinfo, 3, "provider reference");
	char	   *org_id;
	InvoiceStatus status;
	Datum		result;
	bool		isnull;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();
	status = invoice_lock_by_id(id, &org_id, INVOICE_ACCESS_MANAGE, "pay");
	if (invoice_distributed())
		result = invoice_on_org_node(&node_plan, "invoice.invoice_pay_on_node(o.org_id, $2, $3, $4, $5)",
									 5, (Oid[]) {TEXTOID, TEXTOID, INT8OID, TEXTOID, TEXTOID},
									 (Datum[]) {CStringGetTextDatum(org_id), PointerGetDatum(id),
												Int64GetDatum(amount), PointerGetDatum(method),
												PointerGetDatum(provider_ref)},
									 &isnull);
	else
		result = pay_in_org(org_id, id, status, amount, method, provider_ref);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

static Datum pay_on_node(FunctionCallInfo fcinfo);

/* invoice_pay_on_node(org_id, id, amount, method, provider_ref): invoice_pay's work on Citus, on the node of the organisation (internal) */
PG_FUNCTION_INFO_V1(invoice_pay_on_node);
Datum
invoice_pay_on_node(PG_FUNCTION_ARGS)
{
	return invoice_call_in_org(fcinfo, pay_on_node);
}

static Datum
pay_on_node(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr status_plan = NULL;
	char	   *org_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	text	   *id = invoice_arg_text(fcinfo, 1, "invoice id");
	InvoiceStatus status;
	Datum		result;
	bool		isnull;
	int			nest_level;

	if (PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("payment amount, method and provider reference must not be null")));
	SPI_connect();
	nest_level = invoice_pin_search_path();
	/* locked by invoice_pay, in this transaction */
	invoice_prepare(&status_plan, "SELECT i.status FROM invoice.invoices i WHERE i.org_id = $1 AND i.id = $2",
					2, (Oid[]) {TEXTOID, TEXTOID});
	if (SPI_execute_plan(status_plan, (Datum[]) {PG_GETARG_DATUM(0), PointerGetDatum(id)}, NULL, true, 1)
		!= SPI_OK_SELECT || SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("invoice \"%s\" does not exist", text_to_cstring(id))));
	status = invoice_status_from_datum(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	result = pay_in_org(org_id, id, status, DatumGetInt64(PG_GETARG_DATUM(2)), PG_GETARG_TEXT_PP(3),
						PG_GETARG_TEXT_PP(4));
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_DATUM(result);
}
