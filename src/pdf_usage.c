/*
 * pdf_usage.c
 *		usage_summary_pdf(org_id, date_from, date_to): the usage summary for
 *		accounting (seed 003, prepaid customers) as a printable A4 PDF in the
 *		invoices' style — a builder of the PDFs' document model (pdf_doc.h).
 *
 * It prints what usage_summary_rows() returns, read as the caller (a member
 * sees their own organisation only, as with the JSON and the CSV): a row per
 * UTC day and product with its quantity, what of it is not billed yet and the
 * day's share of the billed amount, then a total per currency.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "invoice.h"
#include "pdf_doc.h"
#include "utils/builtins.h"
#include "utils/date.h"

enum
{
	US_DATE, US_PRODUCT, US_QUANTITY, US_UNBILLED, US_AMOUNT, US_COLUMNS
};

static const DocColumn usage_columns[US_COLUMNS] = {
	{"Date", 62, ALIGN_LEFT},
	{"Product", 0, ALIGN_LEFT},
	{"Quantity", 92, ALIGN_RIGHT},
	{"Not billed yet", 78, ALIGN_RIGHT},
	{"Amount", 80, ALIGN_RIGHT},
};

/* The product as a reader knows it: its name, then the keys that tell it apart. */
static char *
product_label(Row r)
{
	char	   *name = row_text(r, "product_name");
	char	   *region = row_text(r, "region");
	char	   *usage_type = row_text(r, "usage_type");
	char	   *line = row_text(r, "product_line");
	StringInfoData s;

	initStringInfo(&s);
	appendStringInfoString(&s, name ? name : "(no product name)");
	if (line)
		appendStringInfo(&s, " \xC2\xB7 %s", line);
	if (region)
		appendStringInfo(&s, " \xC2\xB7 %s", region);
	if (usage_type)
		appendStringInfo(&s, " \xC2\xB7 %s", usage_type);
	if (row_isnull(r, "product_id"))
		appendStringInfoString(&s, " (not in the price book)");
	return s.data;
}

/* A quantity with its unit: "1,200 GB". */
static char *
quantity_text(Row r, const char *column)
{
	char	   *quantity = row_text(r, column);
	char	   *unit = row_text(r, "unit");

	return unit ? psprintf("%s %s", quantity, unit) : quantity;
}

/* The start of a UTC day (a finite date: the caller checked). */
static TimestampTz
utc_midnight(Datum day)
{
	return (TimestampTz) DatumGetDateADT(day) * USECS_PER_DAY;
}

/* The usage summary of args[0] (organisation) for the UTC days [args[1], args[2]). */
static Doc *
usage_summary_doc(const Datum *args)
{
	static SPIPlanPtr org_plan = NULL;
	static SPIPlanPtr rows_plan = NULL;
	static SPIPlanPtr totals_plan = NULL;
	Doc		   *doc = palloc0(sizeof(Doc));
	DocTable   *t;
	List	   *totals = NIL;
	char	   *org_id = TextDatumGetCString(args[0]);
	TimestampTz from = utc_midnight(args[1]);
	TimestampTz to = utc_midnight(args[2]);
	char	   *period;
	uint64		nrows;
	int			ndays = 0;
	char	   *last_day = NULL;

	prepare(&org_plan,
			"SELECT $1::text AS org_id, o.name AS org_name, o.billing_email, o.billing_address, o.gstin AS org_gstin"
			"  FROM (SELECT) x LEFT JOIN invoice.orgs o ON o.org_id = $1",
			1, (Oid[]) {TEXTOID});
	prepare(&rows_plan,
			"SELECT s.day::timestamp AT TIME ZONE 'UTC' AS day, s.product_id, s.product_group, s.product_line,"
			"       s.product_name, s.region, s.usage_type, s.unit, s.currency,"
			"       rtrim(to_char(s.quantity, 'FM999,999,999,999,990.999999'), '.') AS quantity,"
			"       CASE WHEN s.unbilled_quantity > 0"
			"            THEN rtrim(to_char(s.unbilled_quantity, 'FM999,999,999,999,990.999999'), '.') END AS unbilled,"
			"       CASE WHEN s.unbilled_quantity < s.quantity THEN s.amount END AS amount"
			"  FROM invoice.usage_summary_rows($1, $2, $3) s",
			3, (Oid[]) {TEXTOID, DATEOID, DATEOID});
	prepare(&totals_plan,
			"SELECT s.currency, @cents@.sum(s.amount) AS amount, sum(s.unbilled_quantity) > 0 AS has_unbilled"
			"  FROM invoice.usage_summary_rows($1, $2, $3) s"
			" WHERE s.currency IS NOT NULL GROUP BY s.currency ORDER BY s.currency",
			3, (Oid[]) {TEXTOID, DATEOID, DATEOID});

	doc_supplier(doc);
	run_query(org_plan, (Datum *) args, "organisation");
	doc_party(doc, spi_row(0), "USAGE OF");
	period = format_period(from, to, " \xE2\x80\x93 ");

	doc->title = "USAGE SUMMARY";
	doc->number = period;
	doc->footer = psprintf("%s \xC2\xB7 Usage summary of %s, %s", doc->supplier_name, doc->party_name, period);
	doc->file_name = file_name_for(psprintf("usage-%s", org_id));
	doc->pdf_title = psprintf("Usage summary %s", period);
	doc->pdf_subject = psprintf("Usage summary of %s", doc->party_name);

	t = table_of(NULL, usage_columns, US_COLUMNS, NULL);
	run_query(rows_plan, (Datum *) args, "usage summary");
	nrows = SPI_processed;
	for (uint64 i = 0; i < nrows; i++)
	{
		Row			r = spi_row(i);
		char	   *currency = row_text(r, "currency");
		MoneyStyle	money = money_style(currency ? currency : "");
		char	   *day = row_date(r, "day");

		if (last_day == NULL || strcmp(day, last_day) != 0)
			ndays++;
		last_day = day;
		table_add_row(t, (char *[]) {
			day,
				product_label(r),
				quantity_text(r, "quantity"),
				row_isnull(r, "unbilled") ? NULL : quantity_text(r, "unbilled"),
				row_isnull(r, "amount") ? NULL : format_money(&money, row_cents(r, "amount"))}, US_COLUMNS, NULL);
	}
	if (nrows == 0)
		table_add_row(t, (char *[]) {NULL, "No usage in the period.", NULL, NULL, NULL}, US_COLUMNS, NULL);
	add_block(doc, BLOCK_TABLE, t, NIL, NULL);

	run_query(totals_plan, (Datum *) args, "usage summary totals");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Row			r = spi_row(i);
		char	   *currency = row_text(r, "currency");
		MoneyStyle	money = money_style(currency);

		totals = lappend(totals, pair(psprintf("Billed usage, %s", currency),
									  format_money(&money, row_isnull(r, "amount") ? 0 : row_cents(r, "amount")),
									  EMPHASIS_TOTAL));
	}
	doc->meta = list_make2(pair("Period", period, EMPHASIS_NONE),
						   pair("Days with usage", psprintf("%d", ndays), EMPHASIS_NONE));
	if (totals != NIL)
		add_block(doc, BLOCK_TOTALS, NULL, totals,
				  "Usage billed on an invoice is paid from the prepaid balance first when the invoice is issued.");
	add_block(doc, BLOCK_NOTE, NULL, NIL,
			  "One row per UTC day and product. Amounts are each day's share of the billed invoice lines, "
			  "shared out by quantity so that a line's days add up to it exactly; usage not billed yet "
			  "shows its quantity and no amount until it is invoiced.");
	return doc;
}

/* usage_summary_pdf(org_id, date_from, date_to): the usage summary as a printable A4 PDF */
PG_FUNCTION_INFO_V1(usage_summary_pdf);
Datum
usage_summary_pdf(PG_FUNCTION_ARGS)
{
	Datum		args[3];

	args[0] = PointerGetDatum(invoice_arg_nonblank(fcinfo, 0, "organisation id"));
	for (int i = 1; i <= 2; i++)
	{
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not be null", i == 1 ? "date_from" : "date_to")));
		if (DATE_NOT_FINITE(PG_GETARG_DATEADT(i)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a finite date", i == 1 ? "date_from" : "date_to")));
		args[i] = PG_GETARG_DATUM(i);
	}
	if (PG_GETARG_DATEADT(2) <= PG_GETARG_DATEADT(1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("date_to must be later than date_from")));
	PG_RETURN_BYTEA_P(document_pdf(usage_summary_doc, args, NULL));
}
