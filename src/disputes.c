/*
 * disputes.c
 *		A customer disputes an invoice instead of paying it: while the dispute
 *		is open the invoice stays out of the overdue sweep and its reminders.
 *		A credit note resolves it (credit_notes.c); or it is rejected.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "invoice.h"
#include "utils/builtins.h"

/* Run the dispute UPDATE ($1 org, $2 id, $3 description or NULL) on a locked invoice. */
static Datum
set_dispute(text *id, const char *sql, SPIPlanPtr *plan, bool opening, text *description)
{
	char	   *org_id;
	InvoiceStatus status;
	bool		isnull;
	Datum		result;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();
	status = invoice_lock_by_id(id, &org_id, opening ? INVOICE_ACCESS_MANAGE : INVOICE_ACCESS_ADMIN,
								opening ? "dispute" : "reject the dispute of");
	if (opening && status != INVOICE_PENDING && status != INVOICE_OVERDUE)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_INVALID_TRANSITION),
				 errmsg("invoice \"%s\" is %s and cannot be disputed", text_to_cstring(id),
						invoice_status_name(status)),
				 errdetail("Only pending and overdue invoices are disputed.")));
	invoice_prepare(plan, sql, 3, (Oid[]) {TEXTOID, TEXTOID, TEXTOID});
	if (SPI_execute_plan(*plan, (Datum[]) {CStringGetTextDatum(org_id), PointerGetDatum(id),
							 PointerGetDatum(description)},
						 description == NULL ? "  n" : NULL, false, 0) != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "dispute update failed");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_INVALID_TRANSITION),
				 errmsg(opening ? "invoice \"%s\" already has an open dispute"
						: "invoice \"%s\" has no open dispute", text_to_cstring(id))));
	result = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull), false, -1);
	/* a disputed invoice does not suspend its organisation: opening one may restore it */
	if (opening)
		invoice_restore_org(CStringGetTextDatum(org_id));
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	return result;
}

static Datum invoice_dispute_as_owner(FunctionCallInfo fcinfo);

/* invoice_dispute(id, description): open a dispute */
PG_FUNCTION_INFO_V1(invoice_dispute);
Datum
invoice_dispute(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, invoice_dispute_as_owner);
}

static Datum
invoice_dispute_as_owner(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr plan = NULL;
	text	   *id = invoice_arg_text(fcinfo, 0, "invoice id");
	text	   *description = invoice_arg_nonblank(fcinfo, 1, "dispute description");
	PG_RETURN_DATUM(set_dispute(id,
								"UPDATE invoice.invoices i SET dispute_status = 'open', dispute_description = $3,"
								"   disputed_at = invoice.clock(), dispute_closed_at = NULL"
								" WHERE i.org_id = $1 AND i.id = $2 AND i.dispute_status IS DISTINCT FROM 'open'"
								" RETURNING i",
								&plan, true, description));
}

static Datum invoice_dispute_reject_as_owner(FunctionCallInfo fcinfo);

/* invoice_dispute_reject(id): close an open dispute without a correction */
PG_FUNCTION_INFO_V1(invoice_dispute_reject);
Datum
invoice_dispute_reject(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, invoice_dispute_reject_as_owner);
}

static Datum
invoice_dispute_reject_as_owner(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr plan = NULL;
	text	   *id = invoice_arg_text(fcinfo, 0, "invoice id");

	PG_RETURN_DATUM(set_dispute(id,
								"UPDATE invoice.invoices i SET dispute_status = 'rejected', dispute_closed_at = invoice.clock(),"
								"   dispute_description = coalesce($3, i.dispute_description)"
								" WHERE i.org_id = $1 AND i.id = $2 AND i.dispute_status = 'open' RETURNING i",
								&plan, false, NULL));
}
