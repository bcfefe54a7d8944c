/*
 * pdf_invoice.c
 *		The builder of an invoice's PDF: its Doc from the invoice's rows, read
 *		as the caller (pdf_doc.h).
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

enum
{
	LINE_NO, LINE_DESCRIPTION,
	LINE_RESOURCE, LINE_PERIOD, LINE_HSN,	/* shown when some line has one */
	LINE_QTY, LINE_RATE, LINE_TAX_RATE, LINE_AMOUNT, LINE_COLUMNS
};

static const DocColumn line_columns[LINE_COLUMNS] = {
	[LINE_NO] = {"#", 22, ALIGN_RIGHT},
	[LINE_DESCRIPTION] = {"Description", 0, ALIGN_LEFT},
	[LINE_RESOURCE] = {"Resource", 78, ALIGN_LEFT},
	[LINE_PERIOD] = {"Period", 78, ALIGN_LEFT},
	[LINE_HSN] = {"HSN/SAC", 48, ALIGN_LEFT},
	[LINE_QTY] = {"Qty", 44, ALIGN_RIGHT},
	[LINE_RATE] = {"Rate", 52, ALIGN_RIGHT},
	[LINE_TAX_RATE] = {"Tax", 32, ALIGN_RIGHT},
	[LINE_AMOUNT] = {"Amount", 68, ALIGN_RIGHT},
};

/* A bigint column of a row (a count: never NULL). */
static int64
row_count(Row r, const char *name)
{
	bool		isnull;

	return DatumGetInt64(row_datum(r, name, &isnull));
}

/*
 * The line items.  Resource, period and HSN/SAC are shown when some line has
 * one; each line's tax rate when the rates differ (a GST invoice's summary
 * lists its rates anyway) or when some line is nil-rated, exempt or non-GST
 * (named in that column, widened for the word).
 */
static DocTable *
invoice_lines_table(const MoneyStyle *money, bool per_line_rate, bool treatments)
{
	bool		show[LINE_COLUMNS];
	char	 ***rows = palloc(Max(SPI_processed, 1) * sizeof(char **));
	DocColumn	columns[LINE_COLUMNS];
	DocTable   *t;

	for (int c = 0; c < LINE_COLUMNS; c++)
		show[c] = true;
	show[LINE_RESOURCE] = show[LINE_PERIOD] = show[LINE_HSN] = false;
	show[LINE_TAX_RATE] = per_line_rate || treatments;
	memcpy(columns, line_columns, sizeof(columns));
	if (treatments)
		columns[LINE_TAX_RATE].width = TAX_COLUMN_LABEL_WIDTH;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Row			r = spi_row(i);
		char	  **cells = palloc0(LINE_COLUMNS * sizeof(char *));
		bool		start_null,
					end_null,
					isnull;
		TimestampTz start = DatumGetTimestampTz(row_datum(r, "usage_start", &start_null));
		TimestampTz end = DatumGetTimestampTz(row_datum(r, "usage_end", &end_null));
		char	   *type = row_text(r, "resource_type");
		char	   *name = row_text(r, "resource_name");

		cells[LINE_NO] = psprintf(UINT64_FORMAT, i + 1);
		cells[LINE_DESCRIPTION] = row_text(r, "description");
		if (type && name)
			cells[LINE_RESOURCE] = psprintf("%s \xC2\xB7 %s", type, name);
		else
			cells[LINE_RESOURCE] = type ? type : name;
		if (!start_null && !end_null)
			cells[LINE_PERIOD] = format_period(start, end, " \xE2\x80\x93\n");
		else if (!start_null)
			cells[LINE_PERIOD] = psprintf("from %s", format_date(start));
		else if (!end_null)
			cells[LINE_PERIOD] = psprintf("until %s", format_date(last_instant(end)));
		cells[LINE_HSN] = row_text(r, "hsn_sac");
		cells[LINE_QTY] = format_numeric(row_datum(r, "units", &isnull), 0, "", money->indian);
		cells[LINE_RATE] = format_numeric(row_datum(r, "rate", &isnull), 2, money->prefix, money->indian);
		cells[LINE_TAX_RATE] = row_tax_column(r);
		cells[LINE_AMOUNT] = format_money(money, row_cents(r, "amount"));
		for (int c = LINE_RESOURCE; c <= LINE_HSN; c++)
			show[c] |= cells[c] != NULL;
		rows[i] = cells;
	}
	t = table_of(NULL, columns, LINE_COLUMNS, show);
	for (uint64 i = 0; i < SPI_processed; i++)
		table_add_row(t, rows[i], LINE_COLUMNS, show);
	return t;
}

enum
{
	SUMMARY_RATE, SUMMARY_TAXABLE, SUMMARY_CGST, SUMMARY_SGST, SUMMARY_IGST, SUMMARY_TAX, SUMMARY_COLUMNS
};

static const DocColumn summary_columns[SUMMARY_COLUMNS] = {
	[SUMMARY_RATE] = {"GST rate", 0, ALIGN_LEFT},
	[SUMMARY_TAXABLE] = {"Taxable value", 100, ALIGN_RIGHT},
	[SUMMARY_CGST] = {"CGST", 90, ALIGN_RIGHT},
	[SUMMARY_SGST] = {"SGST", 90, ALIGN_RIGHT},
	[SUMMARY_IGST] = {"IGST", 90, ALIGN_RIGHT},
	[SUMMARY_TAX] = {"Total tax", 100, ALIGN_RIGHT},
};

/* A GST invoice's tax per rate (invoice_tax_summary): CGST and SGST within the state, else IGST. */
static DocTable *
gst_summary_table(const MoneyStyle *money, bool intra_state)
{
	bool		show[SUMMARY_COLUMNS] = {true, true, intra_state, intra_state, !intra_state, true};
	DocTable   *t = table_of("GST summary", summary_columns, SUMMARY_COLUMNS, show);

	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Row			r = spi_row(i);
		char	   *cells[SUMMARY_COLUMNS];

		cells[SUMMARY_RATE] = row_percent(r, "rate");
		cells[SUMMARY_TAXABLE] = format_money(money, row_cents(r, "taxable_value"));
		cells[SUMMARY_CGST] = format_money(money, row_cents(r, "cgst"));
		cells[SUMMARY_SGST] = format_money(money, row_cents(r, "sgst"));
		cells[SUMMARY_IGST] = format_money(money, row_cents(r, "igst"));
		cells[SUMMARY_TAX] = format_money(money, row_cents(r, "tax"));
		table_add_row(t, cells, SUMMARY_COLUMNS, show);
	}
	return t;
}

/* Every line of the invoice taxed at one rate (tax_rate_min = tax_rate_max of its header row)? */
static bool
single_tax_rate(Row h)
{
	bool		min_null,
				max_null;
	Datum		min_rate = row_datum(h, "tax_rate_min", &min_null);
	Datum		max_rate = row_datum(h, "tax_rate_max", &max_null);

	return !min_null && !max_null &&
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, min_rate, max_rate)) == 0;
}

/*
 * The tax rows of the totals.  A GST invoice has one row per head (from the
 * summary just read), with the head's rate when there is a single rate;
 * other invoices one row, with the rate when every line has the same one.
 */
static List *
tax_rows(Row h, const MoneyStyle *money, bool gst, bool intra_state)
{
	if (gst)
	{
		Cents		cgst = 0,
					sgst = 0,
					igst = 0;
		char	   *half = NULL;
		char	   *full = NULL;

		for (uint64 i = 0; i < SPI_processed; i++)
		{
			Row			r = spi_row(i);

			cgst = cents_add(cgst, row_cents(r, "cgst"));
			sgst = cents_add(sgst, row_cents(r, "sgst"));
			igst = cents_add(igst, row_cents(r, "igst"));
		}
		if (SPI_processed == 1)
		{
			half = psprintf(" (%s)", row_percent(spi_row(0), "half_rate"));
			full = psprintf(" (%s)", row_percent(spi_row(0), "rate"));
		}
		if (intra_state)
			return list_make2(pair(psprintf("CGST%s", half ? half : ""), format_money(money, cgst), EMPHASIS_NONE),
							  pair(psprintf("SGST%s", half ? half : ""), format_money(money, sgst), EMPHASIS_NONE));
		return list_make1(pair(psprintf("IGST%s", full ? full : ""), format_money(money, igst), EMPHASIS_NONE));
	}
	if (single_tax_rate(h))
		return list_make1(pair(psprintf("Tax (%s)", row_percent(h, "tax_rate_min")),
							   format_money(money, row_cents(h, "tax")), EMPHASIS_NONE));
	return list_make1(pair("Tax", format_money(money, row_cents(h, "tax")), EMPHASIS_NONE));
}

/* Status in words, and the stamp or watermark that says it at a glance. */
static char *
invoice_status_look(Doc *doc, InvoiceStatus status, Row h)
{
	switch (status)
	{
		case INVOICE_DRAFT:
			doc->draft = true;
			return "Draft";
		case INVOICE_PENDING:
			return "Pending";
		case INVOICE_OVERDUE:
			doc->stamp = "OVERDUE";
			doc->stamp_detail = row_date(h, "due_date") ? psprintf("due %s", row_date(h, "due_date")) : NULL;
			doc->stamp_color = STAMP_OVERDUE;
			return "Overdue";
		case INVOICE_PAID:
			doc->stamp = "PAID";
			doc->stamp_detail = row_date(h, "paid_at");
			doc->stamp_color = STAMP_PAID;
			return "Paid";
		case INVOICE_CANCELLED:
			doc->stamp = "CANCELLED";
			doc->stamp_detail = row_date(h, "cancelled_at");
			doc->stamp_color = STAMP_CANCELLED;
			return "Cancelled";
	}
	pg_unreachable();
}

/* The closing sentence: what the reader should do, or why nothing. */
static char *
invoice_closing_note(Row h, const MoneyStyle *money, InvoiceStatus status)
{
	char	   *number = row_text(h, "number");
	char	   *due = row_date(h, "due_date");
	char	   *amount_due = format_money(money, row_cents(h, "amount_due"));
	char	   *paid_at = row_date(h, "paid_at");
	char	   *cancelled_at = row_date(h, "cancelled_at");
	char	   *reason = row_text(h, "status_reason");

	switch (status)
	{
		case INVOICE_DRAFT:
			return "Draft: this invoice has not been issued. Its number, dates and amounts are provisional, "
				"and it is not a request for payment.";
		case INVOICE_PENDING:
			return psprintf("Please pay %s%s%s, quoting invoice number %s.",
							amount_due, due ? " by " : "", due ? due : "", number);
		case INVOICE_OVERDUE:
			return psprintf("This invoice is overdue%s%s. Please pay %s now, quoting invoice number %s, "
							"to avoid an interruption of service.",
							due ? ": payment was due on " : "", due ? due : "", amount_due, number);
		case INVOICE_PAID:
			return psprintf("Settled in full%s%s. Thank you.", paid_at ? " on " : "", paid_at ? paid_at : "");
		case INVOICE_CANCELLED:
			return psprintf("This invoice was cancelled%s%s%s%s. Nothing is due on it.",
							cancelled_at ? " on " : "", cancelled_at ? cancelled_at : "",
							reason ? ": " : "", reason ? reason : "");
	}
	pg_unreachable();
}

static const DocColumn credit_columns[] = {
	{"Code", 100, ALIGN_LEFT},
	{"Description", 0, ALIGN_LEFT},
	{"Amount", 90, ALIGN_RIGHT},
};

static DocTable *
invoice_credits_table(const MoneyStyle *money)
{
	DocTable   *t = table_of("Credits and coupons", credit_columns, lengthof(credit_columns), NULL);

	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Row			r = spi_row(i);

		table_add_row(t, (char *[]) {row_text(r, "code"), row_text(r, "description"),
					  format_money(money, row_cents(r, "amount"))}, lengthof(credit_columns), NULL);
	}
	return t;
}

static const DocColumn credit_note_columns[] = {
	{"Credit note", 100, ALIGN_LEFT},
	{"Date", 76, ALIGN_LEFT},
	{"Reason", 0, ALIGN_LEFT},
	{"Amount", 90, ALIGN_RIGHT},
};

static DocTable *
invoice_credit_notes_table(const MoneyStyle *money)
{
	DocTable   *t = table_of("Credit notes", credit_note_columns, lengthof(credit_note_columns), NULL);

	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Row			r = spi_row(i);

		table_add_row(t, (char *[]) {row_text(r, "number"), row_date(r, "note_date"),
					  humanize(row_text(r, "reason")), format_money(money, row_cents(r, "total"))},
					  lengthof(credit_note_columns), NULL);
	}
	return t;
}

static const DocColumn payment_columns[] = {
	{"Date", 76, ALIGN_LEFT},
	{"Method", 84, ALIGN_LEFT},
	{"Reference", 0, ALIGN_LEFT},
	{"Amount", 90, ALIGN_RIGHT},
};

static DocTable *
invoice_payments_table(const MoneyStyle *money)
{
	DocTable   *t = table_of("Payments received", payment_columns, lengthof(payment_columns), NULL);

	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Row			r = spi_row(i);

		table_add_row(t, (char *[]) {row_date(r, "paid_at"), format_method(row_text(r, "method")),
					  row_text(r, "provider_ref"), format_money(money, row_cents(r, "amount"))},
					  lengthof(payment_columns), NULL);
	}
	return t;
}

/*
 * The document's name (README "GST treatment"): a GST invoice whose lines are
 * all nil-rated, exempt or non-GST is a bill of supply (CGST Rules, rule 49);
 * one with both kinds, to an unregistered recipient, an invoice-cum-bill of
 * supply (rule 46A); any other GST invoice a tax invoice (rule 46).
 */
static const char *
invoice_title(Row h, bool gst)
{
	int64		lines = row_count(h, "lines");
	int64		taxable = row_count(h, "taxable_lines");

	if (!gst)
		return "INVOICE";
	if (lines > 0 && taxable == 0)
		return "BILL OF SUPPLY";
	if (taxable < lines && row_text(h, "org_gstin") == NULL)
		return "INVOICE-CUM-BILL OF SUPPLY";
	return "TAX INVOICE";
}

/*
 * An invoice (args[0]: its id): head, line items, credits, GST summary,
 * totals from the stored derived amounts (the figures of the JSON API),
 * credit notes, payments, and what to do about it.
 */
Doc *
invoice_doc(const Datum *args)
{
	static SPIPlanPtr header_plan = NULL;
	static SPIPlanPtr lines_plan = NULL;
	static SPIPlanPtr credits_plan = NULL;
	static SPIPlanPtr summary_plan = NULL;
	static SPIPlanPtr credit_notes_plan = NULL;
	static SPIPlanPtr payments_plan = NULL;
	static SPIPlanPtr einvoice_plan = NULL;
	char	   *id = text_to_cstring(DatumGetTextPP(args[0]));
	Doc		   *doc = palloc0(sizeof(Doc));
	Datum		key[2];
	bool		isnull;
	Row			h;
	MoneyStyle	money;
	InvoiceStatus status;
	bool		gst;
	bool		intra_state;
	char	   *number;
	char	   *reference;
	char	   *place;
	List	   *totals = NIL;
	List	   *taxes;
	DocTable   *credit_notes;
	Cents		refunded = 0;

	prepare(&header_plan,
			"SELECT i.org_id, i.id, i.number, i.status, i.description, i.currency, i.gst, i.reverse_charge,"
			" i.period_start, i.period_end, i.invoice_date, i.due_date, i.paid_at, i.cancelled_at,"
			" i.status_reason, i.usage_amount, i.credits_applied, i.subtotal, i.tax, i.total,"
			" i.credited_amount, i.already_billed_amount, i.advance_pay_amount, i.amount_due, i.round_off,"
			" o.name AS org_name, o.billing_email, o.billing_address, o.gstin AS org_gstin,"
			" invoice.gst_intra_state(i.gst, o.billing_state, o.gstin, s.state_code) AS intra_state,"
			/* the place of supply by gst_intra_state's rule */
			" CASE WHEN i.gst THEN coalesce(o.billing_state, left(o.gstin, 2), s.state_code) END AS place_of_supply,"
			" r.tax_rate_min, r.tax_rate_max, r.lines, r.taxable_lines"
			" FROM invoice.invoices i"
			" LEFT JOIN invoice.orgs o ON o.org_id = i.org_id"
			" LEFT JOIN invoice.supplier s ON true"
			" CROSS JOIN LATERAL ("
			"   SELECT coalesce(min(coalesce(l.tax_rate, i.tax_rate)), i.tax_rate) AS tax_rate_min,"
			"          coalesce(max(coalesce(l.tax_rate, i.tax_rate)), i.tax_rate) AS tax_rate_max,"
			"          count(*) AS lines, count(*) FILTER (WHERE l.gst_treatment = 'taxable') AS taxable_lines"
			"     FROM invoice.line_items l WHERE l.org_id = i.org_id AND l.invoice_id = i.id) r"
			" WHERE i.id = $1 ORDER BY i.org_id LIMIT 2",
			1, (Oid[]) {TEXTOID});
	prepare(&lines_plan,
			"SELECT l.description, l.resource_type, l.resource_name, l.usage_start, l.usage_end,"
			" l.hsn_sac, l.units, l.rate, coalesce(l.tax_rate, i.tax_rate) AS tax_rate, l.amount,"
			" CASE WHEN i.gst THEN l.gst_treatment END AS gst_treatment"
			" FROM invoice.line_items l"
			" JOIN invoice.invoices i ON i.org_id = l.org_id AND i.id = l.invoice_id"
			" WHERE l.org_id = $1 AND l.invoice_id = $2 ORDER BY l.line_id",
			2, (Oid[]) {TEXTOID, TEXTOID});
	prepare(&credits_plan,
			"SELECT c.code, c.description, c.amount"
			" FROM invoice.credits c WHERE c.org_id = $1 AND c.invoice_id = $2 ORDER BY c.credit_id",
			2, (Oid[]) {TEXTOID, TEXTOID});
	prepare(&summary_plan,
			"SELECT t.rate, t.rate / 2 AS half_rate, t.taxable_value, t.cgst, t.sgst, t.igst, t.tax"
			" FROM invoice.invoice_tax_summary($2) t",
			2, (Oid[]) {TEXTOID, TEXTOID});
	prepare(&credit_notes_plan,
			"SELECT n.number, n.note_date::timestamp AT TIME ZONE 'UTC' AS note_date, n.reason, n.total,"
			" n.to_balance"
			" FROM invoice.credit_notes n"
			" WHERE n.org_id = $1 AND n.invoice_id = $2 AND n.status = 'issued'"
			" ORDER BY n.issued_at, n.number",
			2, (Oid[]) {TEXTOID, TEXTOID});
	prepare(&einvoice_plan,
			"SELECT e.irn, e.ack_no, e.ack_date, e.signed_qr_code"
			" FROM invoice.einvoices e WHERE e.org_id = $1 AND e.invoice_id = $2",
			2, (Oid[]) {TEXTOID, TEXTOID});
	prepare(&payments_plan,
			"SELECT p.paid_at, p.method, p.provider_ref, p.amount"
			" FROM invoice.payments p WHERE p.org_id = $1 AND p.invoice_id = $2"
			" ORDER BY p.paid_at, p.payment_id",
			2, (Oid[]) {TEXTOID, TEXTOID});

	doc_supplier(doc);

	run_query(header_plan, (Datum *) args, "invoice");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("invoice \"%s\" does not exist", id)));
	if (SPI_processed > 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("invoice id \"%s\" is used by more than one organisation", id),
				 errhint("Give invoices ids that are unique across organisations, as generated ids are.")));
	h = spi_row(0);
	key[0] = row_datum(h, "org_id", &isnull);
	key[1] = row_datum(h, "id", &isnull);
	status = invoice_status_from_datum(row_datum(h, "status", &isnull));
	gst = row_bool(h, "gst");
	intra_state = row_bool(h, "intra_state");
	money = money_style(row_text(h, "currency"));
	number = row_text(h, "number");
	reference = number ? number : row_text(h, "id");
	place = row_text(h, "place_of_supply");

	doc->title = invoice_title(h, gst);
	doc->number = number ? number : "Draft \xE2\x80\x93 not issued";
	doc->file_name = file_name_for(reference);
	doc_party(doc, h, "BILL TO");
	doc->footer = psprintf("%s \xC2\xB7 Invoice %s", doc->supplier_name, reference);
	doc->pdf_title = psprintf("Invoice %s", reference);
	doc->pdf_subject = psprintf("Invoice for %s", doc->party_name);
	doc->meta = list_make3(pair("Invoice date", row_date(h, "invoice_date"), EMPHASIS_NONE),
						   pair("Due date", row_date(h, "due_date"), EMPHASIS_NONE),
						   pair("Billing period",
								format_period(DatumGetTimestampTz(row_datum(h, "period_start", &isnull)),
											  DatumGetTimestampTz(row_datum(h, "period_end", &isnull)),
											  " \xE2\x80\x93 "),
								EMPHASIS_NONE));
	if (gst)
	{
		doc->meta = lappend(doc->meta, pair("Place of supply", place ? format_state(place) : NULL, EMPHASIS_NONE));
		doc->meta = lappend(doc->meta, pair("Reverse charge", row_bool(h, "reverse_charge") ? "Yes" : "No",
											EMPHASIS_NONE));
	}
	doc->meta = lappend(doc->meta, pair("Status", invoice_status_look(doc, status, h), EMPHASIS_NONE));
	doc->meta = lappend(doc->meta, pair("Currency", row_text(h, "currency"), EMPHASIS_NONE));

	run_query(einvoice_plan, key, "e-invoice");
	if (SPI_processed > 0)
	{
		Row			e = spi_row(0);

		add_block(doc, BLOCK_EINVOICE, NULL, NIL,
				  psprintf("e-Invoice\nIRN %s\nAck No. %s \xC2\xB7 Ack Date %s", row_text(e, "irn"),
						   row_text(e, "ack_no"), row_date(e, "ack_date")));
		((DocBlock *) llast(doc->blocks))->qr = row_text(e, "signed_qr_code");
	}

	if (row_text(h, "description"))
		add_block(doc, BLOCK_NOTE, NULL, NIL, row_text(h, "description"));

	run_query(lines_plan, key, "line items");
	add_block(doc, BLOCK_TABLE,
			  invoice_lines_table(&money, !single_tax_rate(h),
								  gst && row_count(h, "taxable_lines") < row_count(h, "lines")),
			  NIL, NULL);

	run_query(credits_plan, key, "credits");
	if (SPI_processed > 0)
		add_block(doc, BLOCK_TABLE, invoice_credits_table(&money), NIL, NULL);

	if (gst)
	{
		run_query(summary_plan, key, "GST summary");
		add_block(doc, BLOCK_TABLE, gst_summary_table(&money, intra_state), NIL, NULL);
	}
	taxes = tax_rows(h, &money, gst, intra_state);

	run_query(credit_notes_plan, key, "credit notes");
	credit_notes = SPI_processed > 0 ? invoice_credit_notes_table(&money) : NULL;
	for (uint64 i = 0; i < SPI_processed; i++)
		refunded = cents_add(refunded, row_cents(spi_row(i), "to_balance"));

	totals = lappend(totals, pair("Usage", format_money(&money, row_cents(h, "usage_amount")), EMPHASIS_NONE));
	if (row_cents(h, "credits_applied") != 0)
		totals = lappend(totals, pair("Credits applied", format_money(&money, -row_cents(h, "credits_applied")),
									  EMPHASIS_NONE));
	totals = lappend(totals, pair(gst ? "Taxable value" : "Subtotal",
								  format_money(&money, row_cents(h, "subtotal")), EMPHASIS_NONE));
	totals = list_concat(totals, taxes);
	if (row_cents(h, "round_off") != 0)
		totals = lappend(totals, pair("Round off", format_money(&money, row_cents(h, "round_off")), EMPHASIS_NONE));
	totals = lappend(totals, pair("Total", format_money(&money, row_cents(h, "total")), EMPHASIS_TOTAL));
	if (row_cents(h, "credited_amount") != 0)
		totals = lappend(totals, pair("Credit notes", format_money(&money, -row_cents(h, "credited_amount")),
									  EMPHASIS_NONE));
	/* credit beyond what was still due went to the prepaid balance, not off this invoice */
	if (refunded != 0)
		totals = lappend(totals, pair("Credited to prepaid balance", format_money(&money, refunded), EMPHASIS_NONE));
	if (row_cents(h, "already_billed_amount") != 0)
		totals = lappend(totals, pair("Payments received",
									  format_money(&money, -row_cents(h, "already_billed_amount")), EMPHASIS_NONE));
	if (row_cents(h, "advance_pay_amount") != 0)
		totals = lappend(totals, pair("Prepaid balance applied",
									  format_money(&money, -row_cents(h, "advance_pay_amount")), EMPHASIS_NONE));
	/* a cancelled invoice owes nothing: its closing note says so */
	if (status != INVOICE_CANCELLED)
		totals = lappend(totals, pair("Amount due", format_money(&money, row_cents(h, "amount_due")), EMPHASIS_DUE));
	add_block(doc, BLOCK_TOTALS, NULL, totals, invoice_closing_note(h, &money, status));

	if (credit_notes)
		add_block(doc, BLOCK_TABLE, credit_notes, NIL, NULL);

	run_query(payments_plan, key, "payments");
	if (SPI_processed > 0)
		add_block(doc, BLOCK_TABLE, invoice_payments_table(&money), NIL, NULL);
	return doc;
}
