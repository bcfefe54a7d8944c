/*
 * pdf_receipt.c
 *		The builder of a prepaid top-up's receipt as PDF: its Doc from the
 *		top-up's row, read as the caller (pdf_doc.h).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "cents.h"
#include "executor/spi.h"
#include "invoice.h"
#include "lib/stringinfo.h"
#include "pdf_doc.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

static const DocColumn receipt_columns[] = {
	{"Description", 0, ALIGN_LEFT},
	{"Amount", 90, ALIGN_RIGHT},
};

/*
 * The receipt of a prepaid top-up (args[0]: the organisation, args[1] the
 * receipt_id).  Receipts carry no currency of their own: an organisation's
 * balance is spent on its invoices, so a receipt is in the currency of the
 * latest invoice (USD, the invoices' default, before there is one).
 */
Doc *
receipt_doc(const Datum *args)
{
	static SPIPlanPtr plan = NULL;
	Doc		   *doc = palloc0(sizeof(Doc));
	Row			r;
	MoneyStyle	money;
	char	   *number;
	char	   *received;
	DocTable   *t;
	StringInfoData note;

	prepare(&plan,
			"SELECT r.org_id, r.number, r.amount, r.method, r.provider_ref, r.received_at,"
			" o.name AS org_name, o.billing_email, o.billing_address, o.gstin AS org_gstin,"
			" coalesce((SELECT i.currency FROM invoice.invoices i WHERE i.org_id = r.org_id"
			"            ORDER BY i.invoice_date DESC NULLS LAST, i.created_at DESC LIMIT 1), 'USD') AS currency,"
			" (SELECT @cents@.sum(a.amount) FROM invoice.advance_ledger a"
			"   WHERE a.org_id = r.org_id"
			"     AND a.entry_id <= (SELECT max(t.entry_id) FROM invoice.advance_ledger t"
			"                         WHERE t.org_id = r.org_id AND t.receipt_id = r.receipt_id)) AS balance_after"
			" FROM invoice.receipts r LEFT JOIN invoice.orgs o ON o.org_id = r.org_id"
			" WHERE r.org_id = $1 AND r.receipt_id = $2",
			2, (Oid[]) {TEXTOID, INT8OID});

	doc_supplier(doc);

	run_query(plan, (Datum *) args, "receipt");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("receipt " INT64_FORMAT " of organisation \"%s\" does not exist",
						DatumGetInt64(args[1]), text_to_cstring(DatumGetTextPP(args[0])))));
	r = spi_row(0);
	money = money_style(row_text(r, "currency"));
	number = row_text(r, "number");
	received = row_date(r, "received_at");

	doc->title = "RECEIPT";
	doc->number = number;
	doc->file_name = file_name_for(number);
	doc_party(doc, r, "RECEIVED FROM");
	doc->footer = psprintf("%s \xC2\xB7 Receipt %s", doc->supplier_name, number);
	doc->pdf_title = psprintf("Receipt %s", number);
	doc->pdf_subject = psprintf("Receipt for %s", doc->party_name);
	doc->meta = list_make4(pair("Receipt date", received, EMPHASIS_NONE),
						   pair("Payment method", format_method(row_text(r, "method")), EMPHASIS_NONE),
						   pair("Reference", row_text(r, "provider_ref"), EMPHASIS_NONE),
						   pair("Currency", row_text(r, "currency"), EMPHASIS_NONE));
	doc->stamp = "RECEIVED";
	doc->stamp_detail = received;
	doc->stamp_color = STAMP_PAID;

	t = table_of(NULL, receipt_columns, lengthof(receipt_columns), NULL);
	table_add_row(t, (char *[]) {"Prepaid balance top-up (advance payment)",
				  format_money(&money, row_cents(r, "amount"))}, lengthof(receipt_columns), NULL);
	add_block(doc, BLOCK_TABLE, t, NIL, NULL);

	initStringInfo(&note);
	appendStringInfo(&note, "Added to the prepaid balance of %s", doc->party_name);
	if (!row_isnull(r, "balance_after"))
		appendStringInfo(&note, ", which stood at %s after this top-up",
						 format_money(&money, row_cents(r, "balance_after")));
	appendStringInfoString(&note, ". The balance pays invoices as they are issued. "
						   "This receipt acknowledges an advance payment; it is not an invoice.");
	add_block(doc, BLOCK_TOTALS, NULL,
			  list_make1(pair("Amount received", format_money(&money, row_cents(r, "amount")), EMPHASIS_DUE)),
			  note.data);
	return doc;
}
