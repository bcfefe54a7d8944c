/*
 * pdf_credit_note.c
 *		The builder of a credit note's PDF: its Doc from the note's rows, read
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
	NOTE_LINE_NO, NOTE_LINE_DESCRIPTION, NOTE_LINE_HSN, NOTE_LINE_TAX_RATE, NOTE_LINE_AMOUNT, NOTE_LINE_TAX,
	NOTE_LINE_TOTAL, NOTE_LINE_COLUMNS
};

static const DocColumn note_line_columns[NOTE_LINE_COLUMNS] = {
	[NOTE_LINE_NO] = {"#", 20, ALIGN_RIGHT},
	[NOTE_LINE_DESCRIPTION] = {"Description", 0, ALIGN_LEFT},
	[NOTE_LINE_HSN] = {"HSN/SAC", 48, ALIGN_LEFT},
	[NOTE_LINE_TAX_RATE] = {"Tax", 40, ALIGN_RIGHT},
	[NOTE_LINE_AMOUNT] = {"Taxable value", 80, ALIGN_RIGHT},
	[NOTE_LINE_TAX] = {"Tax amount", 76, ALIGN_RIGHT},
	[NOTE_LINE_TOTAL] = {"Total", 80, ALIGN_RIGHT},
};

/*
 * A credit note (args[0]: its id): what it credits against which invoice,
 * its tax split as the invoice's, and where the credit went.  Drafts have no
 * tax yet (it is computed at issue) and carry the DRAFT watermark.
 */
Doc *
credit_note_doc(const Datum *args)
{
	static SPIPlanPtr header_plan = NULL;
	static SPIPlanPtr lines_plan = NULL;
	char	   *id = text_to_cstring(DatumGetTextPP(args[0]));
	Doc		   *doc = palloc0(sizeof(Doc));
	Datum		key[2];
	bool		isnull;
	bool		show[NOTE_LINE_COLUMNS];
	DocColumn	columns[NOTE_LINE_COLUMNS];
	Row			h;
	MoneyStyle	money;
	bool		gst;
	bool		issued;
	char	   *number;
	char	   *reference;
	char	   *invoice_reference;
	char	   *place;
	DocTable   *t;
	List	   *totals = NIL;
	Cents		total;
	Cents		to_balance;

	prepare(&header_plan,
			"SELECT n.org_id, n.credit_note_id, n.number, n.status, n.reason, n.description,"
			" n.note_date::timestamp AT TIME ZONE 'UTC' AS note_date,"
			" n.taxable_value, n.cgst, n.sgst, n.igst, n.tax, n.total, n.to_balance, n.round_off,"
			" (SELECT @cents@.sum(l.amount) FROM invoice.credit_note_lines l"
			"   WHERE l.org_id = n.org_id AND l.credit_note_id = n.credit_note_id) AS lines_amount,"
			" i.id AS invoice_id, i.number AS invoice_number, i.invoice_date, i.currency, i.gst,"
			" o.name AS org_name, o.billing_email, o.billing_address, o.gstin AS org_gstin,"
			/* the place of supply by gst_intra_state's rule */
			" CASE WHEN i.gst THEN coalesce(o.billing_state, left(o.gstin, 2), s.state_code) END AS place_of_supply"
			" FROM invoice.credit_notes n"
			" JOIN invoice.invoices i ON i.org_id = n.org_id AND i.id = n.invoice_id"
			" LEFT JOIN invoice.orgs o ON o.org_id = n.org_id"
			" LEFT JOIN invoice.supplier s ON true"
			" WHERE n.credit_note_id = $1 ORDER BY n.org_id LIMIT 2",
			1, (Oid[]) {TEXTOID});
	prepare(&lines_plan,
			"SELECT l.description, l.hsn_sac, coalesce(l.tax_rate, i.tax_rate) AS tax_rate,"
			" l.amount, l.tax, l.amount + l.tax AS total,"
			/* a credited line's treatment (an amount credited at a rate is taxable) */
			" CASE WHEN i.gst THEN c.gst_treatment END AS gst_treatment"
			" FROM invoice.credit_note_lines l"
			" JOIN invoice.credit_notes n ON n.org_id = l.org_id AND n.credit_note_id = l.credit_note_id"
			" JOIN invoice.invoices i ON i.org_id = n.org_id AND i.id = n.invoice_id"
			" LEFT JOIN invoice.line_items c ON c.org_id = l.org_id AND c.line_id = l.line_id"
			" WHERE l.org_id = $1 AND l.credit_note_id = $2 ORDER BY l.line_no",
			2, (Oid[]) {TEXTOID, TEXTOID});

	doc_supplier(doc);

	run_query(header_plan, (Datum *) args, "credit note");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("credit note \"%s\" does not exist", id)));
	if (SPI_processed > 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("credit note id \"%s\" is used by more than one organisation", id)));
	h = spi_row(0);
	key[0] = row_datum(h, "org_id", &isnull);
	key[1] = row_datum(h, "credit_note_id", &isnull);
	gst = row_bool(h, "gst");
	money = money_style(row_text(h, "currency"));
	number = row_text(h, "number");
	issued = strcmp(row_text(h, "status"), "issued") == 0;
	reference = number ? number : id;
	invoice_reference = row_text(h, "invoice_number") ? row_text(h, "invoice_number") : row_text(h, "invoice_id");
	place = row_text(h, "place_of_supply");

	doc->title = "CREDIT NOTE";
	doc->number = number ? number : "Draft \xE2\x80\x93 not issued";
	doc->file_name = file_name_for(reference);
	doc->draft = !issued;
	doc_party(doc, h, "ISSUED TO");
	doc->footer = psprintf("%s \xC2\xB7 Credit note %s", doc->supplier_name, reference);
	doc->pdf_title = psprintf("Credit note %s", reference);
	doc->pdf_subject = psprintf("Credit note for %s", doc->party_name);
	doc->meta = list_make4(pair("Credit note date", row_date(h, "note_date"), EMPHASIS_NONE),
						   pair("Against invoice", invoice_reference, EMPHASIS_NONE),
						   pair("Invoice date", row_date(h, "invoice_date"), EMPHASIS_NONE),
						   pair("Reason", humanize(row_text(h, "reason")), EMPHASIS_NONE));
	if (gst)
		doc->meta = lappend(doc->meta, pair("Place of supply", place ? format_state(place) : NULL, EMPHASIS_NONE));
	doc->meta = lappend(doc->meta, pair("Currency", row_text(h, "currency"), EMPHASIS_NONE));

	if (row_text(h, "description"))
		add_block(doc, BLOCK_NOTE, NULL, NIL, row_text(h, "description"));

	run_query(lines_plan, key, "credit note lines");
	for (int c = 0; c < NOTE_LINE_COLUMNS; c++)
		show[c] = true;
	show[NOTE_LINE_HSN] = false;
	for (uint64 i = 0; i < SPI_processed && !show[NOTE_LINE_HSN]; i++)
		show[NOTE_LINE_HSN] = !row_isnull(spi_row(i), "hsn_sac");
	/* a draft's tax is not computed yet */
	show[NOTE_LINE_TAX] = show[NOTE_LINE_TOTAL] = issued;
	memcpy(columns, note_line_columns, sizeof(columns));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *treatment = row_text(spi_row(i), "gst_treatment");

		if (treatment != NULL && strcmp(treatment, "taxable") != 0)
			columns[NOTE_LINE_TAX_RATE].width = TAX_COLUMN_LABEL_WIDTH;
	}
	t = table_of(NULL, columns, NOTE_LINE_COLUMNS, show);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Row			r = spi_row(i);
		char	   *cells[NOTE_LINE_COLUMNS];

		cells[NOTE_LINE_NO] = psprintf(UINT64_FORMAT, i + 1);
		cells[NOTE_LINE_DESCRIPTION] = row_text(r, "description");
		cells[NOTE_LINE_HSN] = row_text(r, "hsn_sac");
		cells[NOTE_LINE_TAX_RATE] = row_tax_column(r);
		cells[NOTE_LINE_AMOUNT] = format_money(&money, row_cents(r, "amount"));
		cells[NOTE_LINE_TAX] = format_money(&money, row_cents(r, "tax"));
		cells[NOTE_LINE_TOTAL] = format_money(&money, row_cents(r, "total"));
		table_add_row(t, cells, NOTE_LINE_COLUMNS, show);
	}
	add_block(doc, BLOCK_TABLE, t, NIL, NULL);

	total = row_cents(h, "total");
	to_balance = row_cents(h, "to_balance");
	if (!issued)
		totals = list_make2(pair("Taxable value", format_money(&money, row_cents(h, "lines_amount")), EMPHASIS_NONE),
							pair("Tax", "at issue", EMPHASIS_NONE));
	else
	{
		totals = lappend(totals, pair("Taxable value", format_money(&money, row_cents(h, "taxable_value")),
									  EMPHASIS_NONE));
		if (gst && (row_cents(h, "cgst") != 0 || row_cents(h, "sgst") != 0))
		{
			totals = lappend(totals, pair("CGST", format_money(&money, row_cents(h, "cgst")), EMPHASIS_NONE));
			totals = lappend(totals, pair("SGST", format_money(&money, row_cents(h, "sgst")), EMPHASIS_NONE));
		}
		else if (gst)
			totals = lappend(totals, pair("IGST", format_money(&money, row_cents(h, "igst")), EMPHASIS_NONE));
		else
			totals = lappend(totals, pair("Tax", format_money(&money, row_cents(h, "tax")), EMPHASIS_NONE));
		if (row_cents(h, "round_off") != 0)
			totals = lappend(totals, pair("Round off", format_money(&money, row_cents(h, "round_off")), EMPHASIS_NONE));
		totals = lappend(totals, pair("Total credit", format_money(&money, total), EMPHASIS_DUE));
		if (total != to_balance)
			totals = lappend(totals, pair("Off the invoice's amount due",
										  format_money(&money, cents_sub(total, to_balance)), EMPHASIS_NONE));
		if (to_balance != 0)
			totals = lappend(totals, pair("To the prepaid balance", format_money(&money, to_balance), EMPHASIS_NONE));
	}
	add_block(doc, BLOCK_TOTALS, NULL, totals,
			  issued ? psprintf("This credit note corrects invoice %s%s%s: it is not a request for payment.",
								invoice_reference,
								row_date(h, "invoice_date") ? " dated " : "",
								row_date(h, "invoice_date") ? row_date(h, "invoice_date") : "")
			  : "Draft: this credit note has not been issued. Its number is assigned and its tax computed "
			  "when it is issued.");
	return doc;
}
