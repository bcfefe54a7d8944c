/*
 * pdf.c
 *		Invoices, credit notes and prepaid top-up receipts as printable A4
 *		PDF, rendered with libharu and an embedded DejaVu Sans (every
 *		currency symbol).
 *
 * A document is made in two steps.  A builder reads the rows through SPI as
 * the caller (so row-level security decides what may be printed: an invoice
 * the caller cannot see "does not exist") and describes the content in a
 * Doc: party blocks, label/value pairs, tables, totals and notes, all text,
 * nothing about pages.  The layout engine then flows any Doc onto A4 pages:
 * wrapping, page breaks that repeat a table's header, totals kept whole,
 * "Page N of M".  Each kind of document is a builder; a new kind is a new
 * builder, and new content (a field, a tax head, a table) is more rows,
 * pairs or tables in a Doc.  Neither touches the layout.
 *
 * libharu allocates with malloc and reports errors through a callback, which
 * here only records the first error: the code checks the record after using
 * libharu and raises the PostgreSQL error itself, so no longjmp ever crosses
 * libharu, and PG_FINALLY frees the document on every path.
 */
#include "postgres.h"

#include <math.h>
#include <unistd.h>

#include <hpdf.h>

#include "catalog/pg_type.h"
#include "cents.h"
#include "executor/spi.h"
#include "invoice.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pdf.h"
#include "pdf_doc.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

/* Debian's fonts-dejavu-core: Unicode TrueType fonts with ₹, €, £ and the rest. */
#define FONT_REGULAR	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define FONT_BOLD		"/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

/* A4 portrait, in points. */
#define PAGE_WIDTH		595.276f
#define PAGE_HEIGHT		841.89f
#define MARGIN			40.0f
#define LEFT_EDGE		MARGIN
#define RIGHT_EDGE		(PAGE_WIDTH - MARGIN)
#define CONTENT_WIDTH	(RIGHT_EDGE - LEFT_EDGE)
#define CONTENT_TOP		(PAGE_HEIGHT - MARGIN)
#define CONTENT_BOTTOM	56.0f		/* the footer lives below */
#define CONTINUED_TOP	(CONTENT_TOP - 9 * LEADING - 6 - BLOCK_GAP) /* below a later page's head */
#define FOOTER_BASELINE 30.0f

#define BODY_SIZE		8.5f
#define TABLE_SIZE		8.0f
#define LEADING			1.25f		/* line height / font size */
#define CELL_PAD_X		4.0f
#define CELL_PAD_Y		3.0f
#define BLOCK_GAP		14.0f

/* A wrapped cell stops here, with an ellipsis: a row is never taller than a page. */
#define CELL_MAX_LINES	20


static const Rgb INK = {0.12f, 0.12f, 0.14f};
static const Rgb MUTED = {0.40f, 0.40f, 0.44f};
static const Rgb RULE = {0.72f, 0.72f, 0.75f};
static const Rgb HEADER_FILL = {0.91f, 0.92f, 0.94f};
static const Rgb ZEBRA_FILL = {0.965f, 0.967f, 0.975f};
static const Rgb DUE_FILL = {0.90f, 0.93f, 0.97f};
static const Rgb WATERMARK = {0.90f, 0.90f, 0.90f};
const Rgb STAMP_PAID = {0.09f, 0.50f, 0.27f};
static const Rgb STAMP_OVERDUE = {0.78f, 0.12f, 0.12f};
static const Rgb STAMP_CANCELLED = {0.42f, 0.42f, 0.45f};

/* ---------------------------------------------------------------------------
 * The document model: what a document says, not where it goes.
 */

DocPair *
pair(const char *label, char *value, Emphasis emphasis)
{
	DocPair    *p = palloc(sizeof(DocPair));

	p->label = label;
	p->value = value;
	p->emphasis = emphasis;
	return p;
}

void
add_block(Doc *doc, BlockKind kind, DocTable *table, List *pairs, char *text)
{
	DocBlock   *b = palloc0(sizeof(DocBlock));

	b->kind = kind;
	b->table = table;
	b->pairs = pairs;
	b->text = text;
	doc->blocks = lappend(doc->blocks, b);
}

/* ---------------------------------------------------------------------------
 * Text: UTF-8 for libharu, amounts, numbers and dates in the document's style.
 */

/*
 * A text is printed up to this many bytes, then cut with an ellipsis: more
 * than a page holds of any one text (a cell wraps to at most CELL_MAX_LINES
 * lines), and far below libharu's limit of 65,535 bytes a string.
 */
#define TEXT_MAX_BYTES	4096
#define ELLIPSIS		"\xE2\x80\xA6"

/*
 * Server text as UTF-8 that the layout can trust (pg_server_to_any converts
 * it, or verifies it in a SQL_ASCII database): control characters become
 * spaces (a newline stays a line break, "\r\n" is one), and characters
 * beyond the Basic Multilingual Plane, which libharu's UTF-8 CID fonts
 * cannot address, become U+FFFD; a text longer than TEXT_MAX_BYTES is cut
 * at a character and ends in an ellipsis, the visible mark of the cut.
 */
static char *
clean_text(const char *s)
{
	char	   *utf8 = pg_server_to_any(s, strlen(s), PG_UTF8);
	StringInfoData buf;

	initStringInfo(&buf);
	for (const unsigned char *p = (const unsigned char *) utf8; *p;)
	{
		int			len = pg_utf_mblen(p);

		if (buf.len + Max(len, 3) > TEXT_MAX_BYTES - (int) strlen(ELLIPSIS))
		{
			appendStringInfoString(&buf, ELLIPSIS);
			break;
		}
		if (len == 4)
			appendStringInfoString(&buf, "\xEF\xBF\xBD");
		else if (len > 1 || *p == '\n' || (*p >= 0x20 && *p != 0x7f))
			appendBinaryStringInfo(&buf, (const char *) p, len);
		else if (*p != '\r')
			appendStringInfoChar(&buf, ' ');
		p += len;
	}
	return buf.data;
}

/*
 * How amounts read: the currency's symbol before the figure (₹, $, €, £;
 * other currencies their ISO code), two decimals, and thousands grouped the
 * way the symbol's readers group them: lakh and crore for the rupee
 * (₹12,34,567.89), threes elsewhere ($1,234,567.89).
 */
MoneyStyle
money_style(const char *currency)
{
	MoneyStyle	m = {NULL, false};

	if (strcmp(currency, "INR") == 0)
	{
		m.prefix = "\xE2\x82\xB9";
		m.indian = true;
	}
	else if (strcmp(currency, "USD") == 0)
		m.prefix = "$";
	else if (strcmp(currency, "EUR") == 0)
		m.prefix = "\xE2\x82\xAC";
	else if (strcmp(currency, "GBP") == 0)
		m.prefix = "\xC2\xA3";
	else
		m.prefix = psprintf("%s ", currency);
	return m;
}

static void
append_grouped(StringInfo buf, const char *digits, int ndigits, bool indian)
{
	for (int i = 0; i < ndigits; i++)
	{
		int			left = ndigits - i;

		if (i > 0 && (indian ? (left == 3 || (left > 3 && (left - 3) % 2 == 0)) : left % 3 == 0))
			appendStringInfoChar(buf, ',');
		appendStringInfoChar(buf, digits[i]);
	}
}

#define MINUS_SIGN "\xE2\x88\x92"

char *
format_money(const MoneyStyle *m, Cents value)
{
	uint64		magnitude = value < 0 ? -(uint64) value : (uint64) value;
	char		digits[24];
	int			ndigits = snprintf(digits, sizeof(digits), UINT64_FORMAT, magnitude / 100);
	StringInfoData buf;

	initStringInfo(&buf);
	if (value < 0)
		appendStringInfoString(&buf, MINUS_SIGN);
	appendStringInfoString(&buf, m->prefix);
	append_grouped(&buf, digits, ndigits, m->indian);
	appendStringInfo(&buf, ".%02d", (int) (magnitude % 100));
	return buf.data;
}

/*
 * A numeric (units, a rate, a tax percent) with its integer part grouped,
 * trailing fractional zeros dropped down to min_scale digits, and prefix
 * (a currency symbol, or "") in front.  NaN and infinities print as they are.
 */
static char *
format_numeric(Datum value, int min_scale, const char *prefix, bool indian)
{
	char	   *text = DatumGetCString(DirectFunctionCall1(numeric_out, value));
	const char *p = text;
	const char *point;
	const char *frac;
	int			int_len;
	int			frac_len;
	StringInfoData buf;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char) *p))
		return text;
	point = strchr(p, '.');
	int_len = point ? (int) (point - p) : (int) strlen(p);
	frac = point ? point + 1 : "";
	frac_len = strlen(frac);
	while (frac_len > min_scale && frac[frac_len - 1] == '0')
		frac_len--;

	initStringInfo(&buf);
	if (*text == '-')
		appendStringInfoString(&buf, MINUS_SIGN);
	appendStringInfoString(&buf, prefix);
	append_grouped(&buf, p, int_len, indian);
	if (frac_len > 0 || min_scale > 0)
	{
		appendStringInfoChar(&buf, '.');
		appendBinaryStringInfo(&buf, frac, frac_len);
		for (int i = frac_len; i < min_scale; i++)
			appendStringInfoChar(&buf, '0');
	}
	return buf.data;
}

static const char *const month_abbrev[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/*
 * The calendar day of t in UTC, like the JSON API and the numbering's
 * financial year, so a document reads the same whatever the session's
 * TimeZone; false for an infinite timestamp.
 */
static bool
utc_day(TimestampTz t, struct pg_tm *tm)
{
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(t))
		return false;
	if (timestamp2tm(t, NULL, tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return true;
}

/* "01 Feb 2024": English month names whatever lc_time, never ambiguous between day and month. */
char *
format_date(TimestampTz t)
{
	struct pg_tm tm;

	if (!utc_day(t, &tm))
		return pstrdup(TIMESTAMP_IS_NOBEGIN(t) ? "-infinity" : "infinity");
	return psprintf("%02d %s %04d", tm.tm_mday, month_abbrev[tm.tm_mon - 1], tm.tm_year);
}

/*
 * Periods end exclusively (January is [1 Jan, 1 Feb)): the last day of one
 * is the day of the last instant inside.
 */
static TimestampTz
last_instant(TimestampTz end)
{
	return TIMESTAMP_NOT_FINITE(end) ? end : end - 1;
}

/*
 * A period from its first to its last day: within a month "01–31 Jan 2024",
 * otherwise both dates in full, joined by separator (" – ", or " –\n" for a
 * narrow column).
 */
char *
format_period(TimestampTz start, TimestampTz end, const char *separator)
{
	struct pg_tm first;
	struct pg_tm last;

	if (utc_day(start, &first) && utc_day(last_instant(end), &last) &&
		first.tm_year == last.tm_year && first.tm_mon == last.tm_mon)
	{
		if (first.tm_mday == last.tm_mday)
			return format_date(start);
		return psprintf("%02d\xE2\x80\x93%02d %s %04d", first.tm_mday, last.tm_mday,
						month_abbrev[last.tm_mon - 1], last.tm_year);
	}
	return psprintf("%s%s%s", format_date(start), separator, format_date(last_instant(end)));
}

/* invoice.payment_method labels as a reader says them. */
char *
format_method(const char *method)
{
	if (strcmp(method, "upi") == 0)
		return "UPI";
	if (strcmp(method, "card") == 0)
		return "Card";
	if (strcmp(method, "netbanking") == 0)
		return "Net banking";
	if (strcmp(method, "wallet") == 0)
		return "Wallet";
	if (strcmp(method, "bank_transfer") == 0)
		return "Bank transfer";
	return pstrdup(method);
}

/* An enum label in words: "service_not_rendered" → "Service not rendered". */
char *
humanize(const char *label)
{
	char	   *s = pstrdup(label);

	for (char *p = s; *p; p++)
		if (*p == '_')
			*p = ' ';
	s[0] = pg_toupper((unsigned char) s[0]);
	return s;
}

/* GST state and union territory codes (the first two characters of a GSTIN). */
static const char *const gst_states[] = {
	[1] = "Jammu and Kashmir", [2] = "Himachal Pradesh", [3] = "Punjab", [4] = "Chandigarh",
	[5] = "Uttarakhand", [6] = "Haryana", [7] = "Delhi", [8] = "Rajasthan", [9] = "Uttar Pradesh",
	[10] = "Bihar", [11] = "Sikkim", [12] = "Arunachal Pradesh", [13] = "Nagaland", [14] = "Manipur",
	[15] = "Mizoram", [16] = "Tripura", [17] = "Meghalaya", [18] = "Assam", [19] = "West Bengal",
	[20] = "Jharkhand", [21] = "Odisha", [22] = "Chhattisgarh", [23] = "Madhya Pradesh",
	[24] = "Gujarat", [26] = "Dadra and Nagar Haveli and Daman and Diu", [27] = "Maharashtra",
	[29] = "Karnataka", [30] = "Goa", [31] = "Lakshadweep", [32] = "Kerala", [33] = "Tamil Nadu",
	[34] = "Puducherry", [35] = "Andaman and Nicobar Islands", [36] = "Telangana",
	[37] = "Andhra Pradesh", [38] = "Ladakh", [97] = "Other Territory", [99] = "Centre Jurisdiction",
};

/* "Karnataka (29)", as Rule 46 asks for the place of supply: name and code. */
static char *
format_state(const char *code)
{
	int			n = atoi(code);

	if (n > 0 && n < (int) lengthof(gst_states) && gst_states[n] != NULL)
		return psprintf("%s (%s)", gst_states[n], code);
	return pstrdup(code);
}

/* ---------------------------------------------------------------------------
 * Reading rows (inside SPI, as the caller, with the search path pinned).
 */

Row
spi_row(uint64 i)
{
	Row			r = {SPI_tuptable->vals[i], SPI_tuptable->tupdesc};

	return r;
}

static int
row_column(Row r, const char *name)
{
	int			n = SPI_fnumber(r.desc, name);

	if (n <= 0)
		elog(ERROR, "column \"%s\" missing from a document query", name);
	return n;
}

static Datum
row_datum(Row r, const char *name, bool *isnull)
{
	return SPI_getbinval(r.tuple, r.desc, row_column(r, name), isnull);
}

bool
row_isnull(Row r, const char *name)
{
	bool		isnull;

	(void) row_datum(r, name, &isnull);
	return isnull;
}

/* A text column ready for the page, or NULL. */
char *
row_text(Row r, const char *name)
{
	char	   *s = SPI_getvalue(r.tuple, r.desc, row_column(r, name));

	return s ? clean_text(s) : NULL;
}

Cents
row_cents(Row r, const char *name)
{
	bool		isnull;
	Datum		d = row_datum(r, name, &isnull);

	return isnull ? 0 : DatumGetCents(d);
}

static bool
row_bool(Row r, const char *name)
{
	bool		isnull;
	Datum		d = row_datum(r, name, &isnull);

	return !isnull && DatumGetBool(d);
}

char *
row_date(Row r, const char *name)
{
	bool		isnull;
	Datum		d = row_datum(r, name, &isnull);

	return isnull ? NULL : format_date(DatumGetTimestampTz(d));
}

/* A rate column as "18%", or NULL. */
static char *
row_percent(Row r, const char *name)
{
	bool		isnull;
	Datum		d = row_datum(r, name, &isnull);

	return isnull ? NULL : psprintf("%s%%", format_numeric(d, 0, "", false));
}

/*
 * SPI leaves its own procedure context current after preparing or running a
 * statement, and frees it at SPI_finish; these two give the builder back the
 * document's context, where everything it allocates must live.
 */
void
prepare(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes)
{
	MemoryContext cxt = CurrentMemoryContext;

	invoice_prepare(cache, sql, nargs, argtypes);
	MemoryContextSwitchTo(cxt);
}

void
run_query(SPIPlanPtr plan, Datum *values, const char *what)
{
	MemoryContext cxt = CurrentMemoryContext;

	if (SPI_execute_plan(plan, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "%s query failed", what);
	MemoryContextSwitchTo(cxt);
}

/* The lines that are there, one under the other; NULL when none is. */
char *
join_lines(int n, const char *const *parts)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
		if (parts[i] && parts[i][0])
			appendStringInfo(&buf, "%s%s", buf.len > 0 ? "\n" : "", parts[i]);
	return buf.len > 0 ? buf.data : NULL;
}

/* The member name of a document in an archive: its number, '/' made '-'. */
char *
file_name_for(const char *reference)
{
	char	   *name = psprintf("%s.pdf", reference);

	for (char *p = name; *p; p++)
		if (*p == '/')
			*p = '-';
	return name;
}

/* The supplier block, from the one-row invoice.supplier (its GST registration when it has one). */
void
doc_supplier(Doc *doc)
{
	static SPIPlanPtr plan = NULL;
	Row			r;
	char	   *gstin;
	char	   *state;

	prepare(&plan, "SELECT s.legal_name, s.address, s.email, s.gstin, s.state_code FROM invoice.supplier s",
			0, NULL);
	run_query(plan, NULL, "supplier");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the supplier is not configured"),
				 errdetail("Every document names its supplier, and invoice.supplier is empty."),
				 errhint("INSERT INTO invoice.supplier (legal_name, address, email) VALUES (…).")));
	r = spi_row(0);
	gstin = row_text(r, "gstin");
	state = row_text(r, "state_code");
	doc->supplier_name = row_text(r, "legal_name");
	doc->supplier_details = join_lines(4, (const char *[]) {
		row_text(r, "address"), row_text(r, "email"),
			gstin ? psprintf("GSTIN: %s", gstin) : NULL,
			state ? psprintf("State: %s", format_state(state)) : NULL});
}

/* The customer block: org_name, billing_address, billing_email, gstin and org_id of r. */
void
doc_party(Doc *doc, Row r, const char *heading)
{
	char	   *org_id = row_text(r, "org_id");
	char	   *name = row_text(r, "org_name");
	char	   *gstin = row_text(r, "org_gstin");

	doc->party_heading = heading;
	doc->party_name = name ? name : org_id;
	doc->party_details = join_lines(4, (const char *[]) {
		row_text(r, "billing_address"), row_text(r, "billing_email"),
			gstin ? psprintf("GSTIN: %s", gstin) : NULL,
			psprintf("Customer ID: %s", org_id)});
}

/* A table with the columns whose show[] is true; rows are added whole and compacted alike. */
DocTable *
table_of(const char *heading, const DocColumn *all, int n, const bool *show)
{
	DocTable   *t = palloc0(sizeof(DocTable));

	t->heading = heading;
	for (int c = 0; c < n; c++)
		if (show == NULL || show[c])
		{
			if (t->ncolumns == DOC_MAX_COLUMNS)
				elog(ERROR, "a document table has more than %d columns", DOC_MAX_COLUMNS);
			t->columns[t->ncolumns++] = all[c];
		}
	return t;
}

void
table_add_row(DocTable *t, char *const *cells, int n, const bool *show)
{
	char	  **row = palloc(t->ncolumns * sizeof(char *));
	int			k = 0;

	for (int c = 0; c < n; c++)
		if (show == NULL || show[c])
			row[k++] = cells[c];
	t->rows = lappend(t->rows, row);
}

/* ---------------------------------------------------------------------------
 * Builders: one per kind of document, each a Doc from the rows.
 */


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

/*
 * The line items.  Resource, period and HSN/SAC are shown when some line has
 * one; each line's tax rate when the rates differ (a GST invoice's summary
 * lists its rates anyway).
 */
static DocTable *
invoice_lines_table(const MoneyStyle *money, bool per_line_rate)
{
	bool		show[LINE_COLUMNS];
	char	 ***rows = palloc(Max(SPI_processed, 1) * sizeof(char **));
	DocTable   *t;

	for (int c = 0; c < LINE_COLUMNS; c++)
		show[c] = true;
	show[LINE_RESOURCE] = show[LINE_PERIOD] = show[LINE_HSN] = false;
	show[LINE_TAX_RATE] = per_line_rate;
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
		cells[LINE_TAX_RATE] = row_percent(r, "tax_rate");
		cells[LINE_AMOUNT] = format_money(money, row_cents(r, "amount"));
		for (int c = LINE_RESOURCE; c <= LINE_HSN; c++)
			show[c] |= cells[c] != NULL;
		rows[i] = cells;
	}
	t = table_of(NULL, line_columns, LINE_COLUMNS, show);
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
 * An invoice (args[0]: its id): head, line items, credits, GST summary,
 * totals from the stored derived amounts (the figures of the JSON API),
 * credit notes, payments, and what to do about it.
 */
static Doc *
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
			" r.tax_rate_min, r.tax_rate_max"
			" FROM invoice.invoices i"
			" LEFT JOIN invoice.orgs o ON o.org_id = i.org_id"
			" LEFT JOIN invoice.supplier s ON true"
			" CROSS JOIN LATERAL ("
			"   SELECT coalesce(min(coalesce(l.tax_rate, i.tax_rate)), i.tax_rate) AS tax_rate_min,"
			"          coalesce(max(coalesce(l.tax_rate, i.tax_rate)), i.tax_rate) AS tax_rate_max"
			"     FROM invoice.line_items l WHERE l.org_id = i.org_id AND l.invoice_id = i.id) r"
			" WHERE i.id = $1 ORDER BY i.org_id LIMIT 2",
			1, (Oid[]) {TEXTOID});
	prepare(&lines_plan,
			"SELECT l.description, l.resource_type, l.resource_name, l.usage_start, l.usage_end,"
			" l.hsn_sac, l.units, l.rate, coalesce(l.tax_rate, i.tax_rate) AS tax_rate, l.amount"
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

	doc->title = gst ? "TAX INVOICE" : "INVOICE";
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
			  invoice_lines_table(&money, !single_tax_rate(h)), NIL, NULL);

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
static Doc *
credit_note_doc(const Datum *args)
{
	static SPIPlanPtr header_plan = NULL;
	static SPIPlanPtr lines_plan = NULL;
	char	   *id = text_to_cstring(DatumGetTextPP(args[0]));
	Doc		   *doc = palloc0(sizeof(Doc));
	Datum		key[2];
	bool		isnull;
	bool		show[NOTE_LINE_COLUMNS];
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
			" l.amount, l.tax, l.amount + l.tax AS total"
			" FROM invoice.credit_note_lines l"
			" JOIN invoice.credit_notes n ON n.org_id = l.org_id AND n.credit_note_id = l.credit_note_id"
			" JOIN invoice.invoices i ON i.org_id = n.org_id AND i.id = n.invoice_id"
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
	t = table_of(NULL, note_line_columns, NOTE_LINE_COLUMNS, show);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Row			r = spi_row(i);
		char	   *cells[NOTE_LINE_COLUMNS];

		cells[NOTE_LINE_NO] = psprintf(UINT64_FORMAT, i + 1);
		cells[NOTE_LINE_DESCRIPTION] = row_text(r, "description");
		cells[NOTE_LINE_HSN] = row_text(r, "hsn_sac");
		cells[NOTE_LINE_TAX_RATE] = row_percent(r, "tax_rate");
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
static Doc *
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

/* ---------------------------------------------------------------------------
 * Layout: any Doc onto A4 pages.
 */

typedef struct HpdfStatus
{
	HPDF_STATUS error_no;
	HPDF_STATUS detail_no;
} HpdfStatus;

/*
 * libharu's error callback: remember the first error and return, so libharu
 * unwinds by itself (a longjmp from here would skip its cleanup).
 */
static void
hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	HpdfStatus *status = (HpdfStatus *) user_data;

	if (status->error_no == HPDF_OK)
	{
		status->error_no = error_no;
		status->detail_no = detail_no;
	}
}

/* Raise the error libharu reported, if any: from our code, never from inside libharu. */
static void
hpdf_check(const HpdfStatus *status)
{
	if (status->error_no == HPDF_OK)
		return;
	if (status->error_no == HPDF_FAILD_TO_ALLOC_MEM)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("libharu could not allocate memory for a PDF.")));
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("could not render PDF: libharu error 0x%04lX (detail %lu)",
					(unsigned long) status->error_no, (unsigned long) status->detail_no)));
}

typedef struct Layout
{
	HPDF_Doc	pdf;
	const HpdfStatus *status;
	HPDF_Font	regular;
	HPDF_Font	bold;
	const Doc  *doc;
	List	   *pages;			/* every page so far, for the footers */
	HPDF_Page	page;
	float		y;				/* top of the free space on the page */
} Layout;

/*
 * The width of len bytes of UTF-8 text, measured in pieces that end on a
 * character: libharu refuses to measure more than 65,535 bytes at once
 * (HPDF_STRING_OUT_OF_RANGE), and widths add up.
 */
#define TEXT_WIDTH_PIECE 16384

static float
text_width(HPDF_Font font, float size, const char *s, int len)
{
	float		width = 0;

	while (len > 0)
	{
		int			n = Min(len, TEXT_WIDTH_PIECE);

		while (n < len && n > 1 && ((unsigned char) s[n] & 0xC0) == 0x80)
			n--;
		width += HPDF_Font_TextWidth(font, (const HPDF_BYTE *) s, n).width;
		s += n;
		len -= n;
	}
	return width * size / 1000.0f;
}

/* The baseline of a line of text whose line box starts at top. */
static float
baseline(float top, float size)
{
	return top - size * 0.95f;
}

/* One line of text; x is its left edge, or its right edge when right-aligned. */
static void
draw_text(Layout *lo, HPDF_Font font, float size, Rgb color, float x, float y, const char *s, Align align)
{
	if (align == ALIGN_RIGHT)
		x -= text_width(font, size, s, strlen(s));
	HPDF_Page_SetRGBFill(lo->page, color.r, color.g, color.b);
	HPDF_Page_BeginText(lo->page);
	HPDF_Page_SetFontAndSize(lo->page, font, size);
	HPDF_Page_TextOut(lo->page, x, y, s);
	HPDF_Page_EndText(lo->page);
}

/* The font size at which a single line fits width: figures shrink, they are never cut. */
static float
fit_size(HPDF_Font font, float size, float width, const char *s)
{
	float		w = text_width(font, size, s, strlen(s));

	return w > width ? size * width / w : size;
}

static void
fill_rect(Layout *lo, Rgb color, float x, float y, float w, float h)
{
	HPDF_Page_SetRGBFill(lo->page, color.r, color.g, color.b);
	HPDF_Page_Rectangle(lo->page, x, y, w, h);
	HPDF_Page_Fill(lo->page);
}

static void
draw_rule(Layout *lo, Rgb color, float width, float x0, float x1, float y)
{
	HPDF_Page_SetRGBStroke(lo->page, color.r, color.g, color.b);
	HPDF_Page_SetLineWidth(lo->page, width);
	HPDF_Page_MoveTo(lo->page, x0, y);
	HPDF_Page_LineTo(lo->page, x1, y);
	HPDF_Page_Stroke(lo->page);
}

/*
 * Break text into lines no wider than width: at spaces, inside a word only
 * when the word alone is too wide; a newline always breaks.  Past max_lines
 * the last line ends in an ellipsis, so a table cell never outgrows a page
 * (the JSON API has the whole text).
 */
static List *
wrap_text(HPDF_Font font, float size, float width, const char *text, int max_lines)
{
	List	   *lines = NIL;
	float		space = text_width(font, size, " ", 1);
	const char *p = text;

	for (;;)
	{
		const char *end = p + strcspn(p, "\n");
		StringInfoData line;
		float		line_width = 0;

		initStringInfo(&line);
		while (p < end && list_length(lines) <= max_lines)
		{
			const char *word;
			int			word_len;
			float		word_width;

			while (p < end && *p == ' ')
				p++;
			if (p == end)
				break;
			word = p;
			while (p < end && *p != ' ')
				p++;
			word_len = p - word;
			word_width = text_width(font, size, word, word_len);
			if (line.len > 0 && line_width + space + word_width <= width)
			{
				appendStringInfoChar(&line, ' ');
				appendBinaryStringInfo(&line, word, word_len);
				line_width += space + word_width;
				continue;
			}
			if (line.len > 0)
			{
				lines = lappend(lines, line.data);
				initStringInfo(&line);
			}
			/*
			 * A word wider than a line (an identifier, an address) is cut
			 * after the last punctuation that fits, else where it overflows;
			 * at least one character a line.
			 */
			while (word_width > width && list_length(lines) <= max_lines)
			{
				int			fit = 0;
				int			cut = 0;
				float		fit_width = 0;

				while (fit < word_len)
				{
					int			n = pg_utf_mblen((const unsigned char *) word + fit);
					float		w = text_width(font, size, word + fit, n);

					if (fit > 0 && fit_width + w > width)
						break;
					fit_width += w;
					fit += n;
					if (n == 1 && strchr("-_./:@,", word[fit - 1]) != NULL)
						cut = fit;
				}
				if (cut > 0 && fit < word_len)
					fit = cut;
				lines = lappend(lines, pnstrdup(word, fit));
				word += fit;
				word_len -= fit;
				word_width = text_width(font, size, word, word_len);
			}
			appendBinaryStringInfo(&line, word, word_len);
			line_width = word_width;
		}
		lines = lappend(lines, line.data);
		if (*end == '\0' || list_length(lines) > max_lines)
			break;
		p = end + 1;
	}

	if (list_length(lines) > max_lines)
	{
		const char *ellipsis = ELLIPSIS;
		float		ellipsis_width = text_width(font, size, ellipsis, strlen(ellipsis));
		StringInfoData last;

		lines = list_truncate(lines, max_lines);
		initStringInfo(&last);
		appendStringInfoString(&last, llast(lines));
		while (last.len > 0 && text_width(font, size, last.data, last.len) + ellipsis_width > width)
		{
			last.len--;
			while (last.len > 0 && ((unsigned char) last.data[last.len] & 0xC0) == 0x80)
				last.len--;
			last.data[last.len] = '\0';
		}
		appendStringInfoString(&last, ellipsis);
		llast(lines) = last.data;
	}
	return lines;
}

/* Lines of text from top down; returns the top of what follows. */
static float
draw_lines(Layout *lo, HPDF_Font font, float size, Rgb color, float x, float top, List *lines)
{
	ListCell   *lc;

	foreach(lc, lines)
	{
		draw_text(lo, font, size, color, x, baseline(top, size), lfirst(lc), ALIGN_LEFT);
		top -= size * LEADING;
	}
	return top;
}

static float
draw_paragraph(Layout *lo, HPDF_Font font, float size, Rgb color, float x, float top, float width,
			   const char *text, int max_lines)
{
	if (text == NULL)
		return top;
	return draw_lines(lo, font, size, color, x, top, wrap_text(font, size, width, text, max_lines));
}

/* DRAFT across the page, drawn first so that everything else prints over it. */
static void
draw_watermark(Layout *lo)
{
	const char *word = "DRAFT";
	float		size = 130;
	float		angle = (float) M_PI / 4;
	float		c = cosf(angle);
	float		s = sinf(angle);
	float		half = text_width(lo->bold, size, word, strlen(word)) / 2;
	float		rise = size * 0.36f;	/* half the height of capitals */

	HPDF_Page_SetRGBFill(lo->page, WATERMARK.r, WATERMARK.g, WATERMARK.b);
	HPDF_Page_BeginText(lo->page);
	HPDF_Page_SetFontAndSize(lo->page, lo->bold, size);
	HPDF_Page_SetTextMatrix(lo->page, c, s, -s, c,
							PAGE_WIDTH / 2 - half * c + rise * s,
							PAGE_HEIGHT / 2 - half * s - rise * c);
	HPDF_Page_ShowText(lo->page, word);
	HPDF_Page_EndText(lo->page);
}

#define STAMP_ANGLE			((float) (10 * M_PI / 180))
#define STAMP_WORD_SIZE		16.0f
#define STAMP_DETAIL_SIZE	7.5f

/* The stamp's box before it is turned: its word (and date) with a margin. */
static void
stamp_box(const Layout *lo, float *w, float *h)
{
	const Doc  *doc = lo->doc;

	*w = text_width(lo->bold, STAMP_WORD_SIZE, doc->stamp, strlen(doc->stamp));
	if (doc->stamp_detail)
		*w = Max(*w, text_width(lo->bold, STAMP_DETAIL_SIZE, doc->stamp_detail, strlen(doc->stamp_detail)));
	*w += 20;
	*h = doc->stamp_detail ? 38 : 28;
}

/* The width of the upright rectangle the turned stamp takes. */
static float
stamp_extent(const Layout *lo)
{
	float		w,
				h;

	stamp_box(lo, &w, &h);
	return w * cosf(STAMP_ANGLE) + h * sinf(STAMP_ANGLE);
}

/* A rubber stamp, a little askew, in the upright rectangle whose top right is (right, top); returns its bottom. */
static float
draw_stamp(Layout *lo, float right, float top)
{
	const Doc  *doc = lo->doc;
	float		c = cosf(STAMP_ANGLE);
	float		s = sinf(STAMP_ANGLE);
	float		w,
				h;
	float		half_w;
	float		half_h;

	stamp_box(lo, &w, &h);
	half_w = (w * c + h * s) / 2;
	half_h = (h * c + w * s) / 2;

	HPDF_Page_GSave(lo->page);
	HPDF_Page_Concat(lo->page, c, s, -s, c, right - half_w, top - half_h);
	HPDF_Page_SetRGBStroke(lo->page, doc->stamp_color.r, doc->stamp_color.g, doc->stamp_color.b);
	HPDF_Page_SetLineWidth(lo->page, 1.8f);
	HPDF_Page_Rectangle(lo->page, -w / 2, -h / 2, w, h);
	HPDF_Page_Stroke(lo->page);
	HPDF_Page_SetLineWidth(lo->page, 0.6f);
	HPDF_Page_Rectangle(lo->page, -w / 2 + 2.5f, -h / 2 + 2.5f, w - 5, h - 5);
	HPDF_Page_Stroke(lo->page);
	draw_text(lo, lo->bold, STAMP_WORD_SIZE, doc->stamp_color,
			  -text_width(lo->bold, STAMP_WORD_SIZE, doc->stamp, strlen(doc->stamp)) / 2,
			  doc->stamp_detail ? 0 : -STAMP_WORD_SIZE * 0.36f, doc->stamp, ALIGN_LEFT);
	if (doc->stamp_detail)
		draw_text(lo, lo->bold, STAMP_DETAIL_SIZE, doc->stamp_color,
				  -text_width(lo->bold, STAMP_DETAIL_SIZE, doc->stamp_detail, strlen(doc->stamp_detail)) / 2,
				  -h / 2 + 7, doc->stamp_detail, ALIGN_LEFT);
	HPDF_Page_GRestore(lo->page);
	return top - 2 * half_h;
}

/*
 * The first page's head: supplier and title, then side by side the
 * customer, the dates and status (labels as wide as the widest), and the
 * stamp at the right margin.
 */
static void
draw_first_head(Layout *lo)
{
	const Doc  *doc = lo->doc;
	float		top = CONTENT_TOP;
	float		value_width = 125;
	float		label_width = 0;
	float		meta_right = doc->stamp ? RIGHT_EDGE - stamp_extent(lo) - 14 : RIGHT_EDGE;
	float		meta_x;
	float		party_width;
	float		left;
	float		right;
	float		row;
	float		party;
	float		meta;
	float		stamp;
	ListCell   *lc;

	foreach(lc, doc->meta)
	{
		DocPair    *p = lfirst(lc);

		label_width = Max(label_width, text_width(lo->regular, BODY_SIZE, p->label, strlen(p->label)) + 8);
	}
	meta_x = meta_right - label_width - value_width;
	party_width = meta_x - LEFT_EDGE - 14;

	left = draw_paragraph(lo, lo->bold, 13, INK, LEFT_EDGE, top, 300, doc->supplier_name, 3);
	left = draw_paragraph(lo, lo->regular, BODY_SIZE, MUTED, LEFT_EDGE, left - 2, 300, doc->supplier_details, 8);
	draw_text(lo, lo->bold, 20, INK, RIGHT_EDGE, baseline(top, 20), doc->title, ALIGN_RIGHT);
	draw_text(lo, lo->bold, 10, INK, RIGHT_EDGE, baseline(top - 27, 10), doc->number, ALIGN_RIGHT);
	right = top - 27 - 10 * LEADING;

	row = Min(left, right) - 20;
	draw_text(lo, lo->bold, 7, MUTED, LEFT_EDGE, baseline(row, 7), doc->party_heading, ALIGN_LEFT);
	party = draw_paragraph(lo, lo->bold, 10, INK, LEFT_EDGE, row - 7 * LEADING - 2, party_width, doc->party_name, 3);
	party = draw_paragraph(lo, lo->regular, BODY_SIZE, INK, LEFT_EDGE, party - 1, party_width, doc->party_details, 8);

	meta = row;
	foreach(lc, doc->meta)
	{
		DocPair    *p = lfirst(lc);

		draw_text(lo, lo->regular, BODY_SIZE, MUTED, meta_x, baseline(meta, BODY_SIZE), p->label, ALIGN_LEFT);
		meta = draw_paragraph(lo, lo->regular, BODY_SIZE, INK, meta_x + label_width, meta, value_width,
							  p->value ? p->value : "\xE2\x80\x94", 2) - 2;
	}

	stamp = doc->stamp ? draw_stamp(lo, RIGHT_EDGE, row + 2) : row;

	lo->y = Min(Min(party, meta), stamp) - 12;
	draw_rule(lo, RULE, 0.6f, LEFT_EDGE, RIGHT_EDGE, lo->y);
	lo->y -= BLOCK_GAP;
}

/* The head of every later page: who, and which document. */
static void
draw_continued_head(Layout *lo)
{
	const Doc  *doc = lo->doc;
	float		top = CONTENT_TOP;
	char	   *which = psprintf("%s %s (continued)", doc->title, doc->number);
	float		which_width = text_width(lo->regular, 9, which, strlen(which));

	draw_lines(lo, lo->bold, 9, INK, LEFT_EDGE, top,
			   wrap_text(lo->bold, 9, CONTENT_WIDTH - which_width - 20, doc->supplier_name, 1));
	draw_text(lo, lo->regular, 9, MUTED, RIGHT_EDGE, baseline(top, 9), which, ALIGN_RIGHT);
	draw_rule(lo, RULE, 0.6f, LEFT_EDGE, RIGHT_EDGE, CONTINUED_TOP + BLOCK_GAP);
	lo->y = CONTINUED_TOP;
}

static void
new_page(Layout *lo)
{
	HPDF_Page	page = HPDF_AddPage(lo->pdf);

	hpdf_check(lo->status);
	HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
	lo->page = page;
	lo->pages = lappend(lo->pages, page);
	if (lo->doc->draft)
		draw_watermark(lo);
	if (list_length(lo->pages) == 1)
		draw_first_head(lo);
	else
		draw_continued_head(lo);
}

/* Where each column of a table starts and how wide it is. */
static void
column_geometry(const DocTable *t, float *x, float *w)
{
	float		fixed = 0;
	float		at = LEFT_EDGE;

	for (int c = 0; c < t->ncolumns; c++)
		fixed += t->columns[c].width;
	for (int c = 0; c < t->ncolumns; c++)
	{
		w[c] = t->columns[c].width > 0 ? t->columns[c].width : CONTENT_WIDTH - fixed;
		x[c] = at;
		at += w[c];
	}
}

typedef struct RowLines
{
	List	   *lines[DOC_MAX_COLUMNS];
	float		height;
} RowLines;

static RowLines
row_lines(const DocTable *t, const float *w, char *const *cells, HPDF_Font font)
{
	RowLines	rl;
	int			most = 1;

	for (int c = 0; c < t->ncolumns; c++)
	{
		if (cells[c] == NULL)
			rl.lines[c] = NIL;
		else if (t->columns[c].align == ALIGN_RIGHT)
			rl.lines[c] = list_make1(cells[c]);
		else
			rl.lines[c] = wrap_text(font, TABLE_SIZE, w[c] - 2 * CELL_PAD_X, cells[c], CELL_MAX_LINES);
		most = Max(most, list_length(rl.lines[c]));
	}
	rl.height = most * TABLE_SIZE * LEADING + 2 * CELL_PAD_Y;
	return rl;
}

static void
draw_row(Layout *lo, const DocTable *t, const float *x, const float *w, const RowLines *rl, HPDF_Font font)
{
	for (int c = 0; c < t->ncolumns; c++)
	{
		float		top = lo->y - CELL_PAD_Y;
		ListCell   *lc;

		foreach(lc, rl->lines[c])
		{
			const char *s = lfirst(lc);

			if (t->columns[c].align == ALIGN_RIGHT)
				draw_text(lo, font, fit_size(font, TABLE_SIZE, w[c] - 2 * CELL_PAD_X, s), INK,
						  x[c] + w[c] - CELL_PAD_X, baseline(top, TABLE_SIZE), s, ALIGN_RIGHT);
			else
				draw_text(lo, font, TABLE_SIZE, INK, x[c] + CELL_PAD_X, baseline(top, TABLE_SIZE), s, ALIGN_LEFT);
			top -= TABLE_SIZE * LEADING;
		}
	}
	lo->y -= rl->height;
}

static void
draw_table_header(Layout *lo, const DocTable *t, const float *x, const float *w, const RowLines *header)
{
	fill_rect(lo, HEADER_FILL, LEFT_EDGE, lo->y - header->height, CONTENT_WIDTH, header->height);
	draw_row(lo, t, x, w, header, lo->bold);
}

static float
totals_row_height(const DocPair *p)
{
	return (p->emphasis == EMPHASIS_DUE ? 10 : BODY_SIZE) * LEADING + 2 * CELL_PAD_Y;
}

#define TOTALS_WIDTH		270.0f
#define TOTALS_VALUE_WIDTH	110.0f
#define SIDE_NOTE_WIDTH		(CONTENT_WIDTH - TOTALS_WIDTH - 24)

/* The lines of the note beside the totals. */
static List *
side_note_lines(const Layout *lo, const DocBlock *b)
{
	return b->text ? wrap_text(lo->regular, BODY_SIZE, SIDE_NOTE_WIDTH, b->text, 30) : NIL;
}

static float
totals_height(const Layout *lo, const DocBlock *b)
{
	float		height = 0;
	ListCell   *lc;

	foreach(lc, b->pairs)
		height += totals_row_height(lfirst(lc));
	return Max(height, list_length(side_note_lines(lo, b)) * BODY_SIZE * LEADING + CELL_PAD_Y);
}

/* Rows of a table that go to the next page with the totals rather than leave them alone there. */
#define KEEP_WITH_TOTALS 3

/*
 * A table, breaking between rows (never inside one) and repeating its header
 * on every page it reaches; its heading, header and first row stay together.
 * keep_with is the height of the totals that follow (0 if none): when they
 * would not fit after the last row, the last rows move to the next page with
 * them, so that the totals never stand alone on a page.
 */
static void
draw_table(Layout *lo, const DocTable *t, float keep_with)
{
	float		x[DOC_MAX_COLUMNS];
	float		w[DOC_MAX_COLUMNS];
	char	   *titles[DOC_MAX_COLUMNS];
	float		heading_height = t->heading ? 10 * LEADING + 3 : 0;
	int			nrows = list_length(t->rows);
	RowLines   *rows = palloc(Max(nrows, 1) * sizeof(RowLines));
	RowLines	header;
	int			keep_from = keep_with > 0 ? Max(nrows - KEEP_WITH_TOTALS, 0) : nrows;
	float		tail_height = keep_with > 0 ? keep_with + BLOCK_GAP : 0;
	float		need;

	column_geometry(t, x, w);
	for (int c = 0; c < t->ncolumns; c++)
		titles[c] = (char *) t->columns[c].title;
	header = row_lines(t, w, titles, lo->bold);
	for (int i = 0; i < nrows; i++)
	{
		rows[i] = row_lines(t, w, list_nth(t->rows, i), lo->regular);
		if (i >= keep_from)
			tail_height += rows[i].height;
	}
	/* a tail taller than a fresh page cannot be kept together: let it break */
	if (CONTINUED_TOP - header.height - tail_height < CONTENT_BOTTOM)
		keep_from = nrows;

	need = heading_height + header.height + (keep_from == 0 ? tail_height : nrows > 0 ? rows[0].height : 0);
	if (lo->y - need < CONTENT_BOTTOM)
		new_page(lo);
	if (t->heading)
	{
		draw_text(lo, lo->bold, 10, INK, LEFT_EDGE, baseline(lo->y, 10), t->heading, ALIGN_LEFT);
		lo->y -= heading_height;
	}
	draw_table_header(lo, t, x, w, &header);
	for (int i = 0; i < nrows; i++)
	{
		CHECK_FOR_INTERRUPTS();
		if (lo->y - rows[i].height < CONTENT_BOTTOM ||
			(i == keep_from && i > 0 && lo->y - tail_height < CONTENT_BOTTOM))
		{
			new_page(lo);
			draw_table_header(lo, t, x, w, &header);
		}
		if (i % 2 == 1)
			fill_rect(lo, ZEBRA_FILL, LEFT_EDGE, lo->y - rows[i].height, CONTENT_WIDTH, rows[i].height);
		draw_row(lo, t, x, w, &rows[i], lo->regular);
	}
	draw_rule(lo, RULE, 0.6f, LEFT_EDGE, RIGHT_EDGE, lo->y);
	lo->y -= BLOCK_GAP;
}

/*
 * Label/value rows at the right, values under the tables' amount column, and
 * beside them on the left the note that says what to do; never split.
 */
static void
draw_totals(Layout *lo, const DocBlock *b)
{
	float		left = RIGHT_EDGE - TOTALS_WIDTH;
	float		label_right = RIGHT_EDGE - TOTALS_VALUE_WIDTH;
	float		height = totals_height(lo, b);
	float		top;
	ListCell   *lc;

	if (lo->y - height < CONTENT_BOTTOM)
		new_page(lo);
	top = lo->y;
	draw_lines(lo, lo->regular, BODY_SIZE, INK, LEFT_EDGE, top - CELL_PAD_Y, side_note_lines(lo, b));
	foreach(lc, b->pairs)
	{
		DocPair    *p = lfirst(lc);
		float		size = p->emphasis == EMPHASIS_DUE ? 10 : BODY_SIZE;
		HPDF_Font	font = p->emphasis == EMPHASIS_NONE ? lo->regular : lo->bold;
		float		h = totals_row_height(p);
		float		y = baseline(lo->y - CELL_PAD_Y, size);

		if (p->emphasis == EMPHASIS_TOTAL)
			draw_rule(lo, INK, 0.8f, left, RIGHT_EDGE, lo->y);
		if (p->emphasis == EMPHASIS_DUE)
			fill_rect(lo, DUE_FILL, left, lo->y - h, TOTALS_WIDTH, h);
		draw_text(lo, font, fit_size(font, size, label_right - left - 2 * CELL_PAD_X, p->label), INK,
				  label_right - CELL_PAD_X, y, p->label, ALIGN_RIGHT);
		draw_text(lo, font, fit_size(font, size, TOTALS_VALUE_WIDTH - 2 * CELL_PAD_X, p->value), INK,
				  RIGHT_EDGE - CELL_PAD_X, y, p->value, ALIGN_RIGHT);
		lo->y -= h;
	}
	lo->y = top - height - BLOCK_GAP;
}

/* A paragraph across the page, kept on one page. */
static void
draw_note(Layout *lo, const char *text)
{
	List	   *lines = wrap_text(lo->regular, BODY_SIZE, CONTENT_WIDTH, text, 40);

	if (lo->y - list_length(lines) * BODY_SIZE * LEADING < CONTENT_BOTTOM)
		new_page(lo);
	lo->y = draw_lines(lo, lo->regular, BODY_SIZE, INK, LEFT_EDGE, lo->y, lines) - BLOCK_GAP;
}

/* The e-invoice's registration on the left, its signed QR code on the right, kept on one page. */
static void
draw_einvoice(Layout *lo, const char *text, const char *qr)
{
	List	   *lines = wrap_text(lo->regular, BODY_SIZE, CONTENT_WIDTH - PDF_QR_SIZE - 14, text, 8);

	if (lo->y - PDF_QR_SIZE < CONTENT_BOTTOM)
		new_page(lo);
	(void) draw_lines(lo, lo->regular, BODY_SIZE, INK, LEFT_EDGE, lo->y, lines);
	pdf_draw_qr(lo->page, qr, RIGHT_EDGE - PDF_QR_SIZE, lo->y, PDF_QR_SIZE);
	lo->y -= PDF_QR_SIZE + BLOCK_GAP;
}

/* "Page N of M" and the document's name at the foot of every page, once M is known. */
static void
draw_footers(Layout *lo)
{
	int			count = list_length(lo->pages);
	int			n = 0;
	ListCell   *lc;

	foreach(lc, lo->pages)
	{
		char	   *page_of = psprintf("Page %d of %d", ++n, count);
		float		page_of_width = text_width(lo->regular, 7.5f, page_of, strlen(page_of));

		lo->page = lfirst(lc);
		draw_rule(lo, RULE, 0.5f, LEFT_EDGE, RIGHT_EDGE, FOOTER_BASELINE + 11);
		draw_text(lo, lo->regular, 7.5f, MUTED, RIGHT_EDGE, FOOTER_BASELINE, page_of, ALIGN_RIGHT);
		draw_text(lo, lo->regular, 7.5f, MUTED, LEFT_EDGE, FOOTER_BASELINE,
				  linitial(wrap_text(lo->regular, 7.5f, CONTENT_WIDTH - page_of_width - 20, lo->doc->footer, 1)),
				  ALIGN_LEFT);
	}
}

/* The finished PDF, read out of libharu's memory stream into a bytea in cxt. */
static bytea *
pdf_bytes(HPDF_Doc pdf, const HpdfStatus *status, MemoryContext cxt)
{
	HPDF_UINT32 size;
	HPDF_UINT32 got;
	bytea	   *result;

	HPDF_SaveToStream(pdf);
	hpdf_check(status);
	size = HPDF_GetStreamSize(pdf);
	if ((Size) size > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("PDF of %u bytes is too large", size)));
	result = MemoryContextAlloc(cxt, VARHDRSZ + size);
	got = size;
	HPDF_ReadFromStream(pdf, (HPDF_BYTE *) VARDATA(result), &got);
	hpdf_check(status);
	if (got != size)
		elog(ERROR, "PDF stream gave %u of %u bytes", got, size);
	SET_VARSIZE(result, VARHDRSZ + size);
	return result;
}

/* Lay doc out and return the PDF, allocated in result_cxt. */
static bytea *
render_pdf(const Doc *doc, MemoryContext result_cxt)
{
	const char *const fonts[2] = {FONT_REGULAR, FONT_BOLD};
	HpdfStatus	status = {HPDF_OK, 0};
	HPDF_Doc	pdf;
	bytea	   *volatile result = NULL;

	/* libharu opens the fonts itself; its error number would say less than this */
	for (int i = 0; i < 2; i++)
		if (access(fonts[i], R_OK) != 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not read font file \"%s\": %m", fonts[i]),
					 errhint("Install the Debian package fonts-dejavu-core.")));

	pdf = HPDF_New(hpdf_error, &status);
	if (pdf == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("libharu could not allocate a PDF document.")));
	PG_TRY();
	{
		Layout		lo = {0};
		ListCell   *lc;

		lo.pdf = pdf;
		lo.status = &status;
		lo.doc = doc;
		HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
		HPDF_UseUTFEncodings(pdf);
		HPDF_SetCurrentEncoder(pdf, "UTF-8");
		lo.regular = HPDF_GetFont(pdf, HPDF_LoadTTFontFromFile(pdf, FONT_REGULAR, HPDF_TRUE), "UTF-8");
		hpdf_check(&status);
		lo.bold = HPDF_GetFont(pdf, HPDF_LoadTTFontFromFile(pdf, FONT_BOLD, HPDF_TRUE), "UTF-8");
		hpdf_check(&status);
		HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, doc->pdf_title);
		HPDF_SetInfoAttr(pdf, HPDF_INFO_SUBJECT, doc->pdf_subject);
		HPDF_SetInfoAttr(pdf, HPDF_INFO_AUTHOR, doc->supplier_name);
		HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "invoice (PostgreSQL extension)");

		new_page(&lo);
		foreach(lc, doc->blocks)
		{
			DocBlock   *b = lfirst(lc);
			ListCell   *next = lnext(doc->blocks, lc);

			switch (b->kind)
			{
				case BLOCK_TABLE:
					draw_table(&lo, b->table,
							   next && ((DocBlock *) lfirst(next))->kind == BLOCK_TOTALS
							   ? totals_height(&lo, lfirst(next)) : 0);
					break;
				case BLOCK_TOTALS:
					draw_totals(&lo, b);
					break;
				case BLOCK_NOTE:
					draw_note(&lo, b->text);
					break;
				case BLOCK_EINVOICE:
					draw_einvoice(&lo, b->text, b->qr);
					break;
			}
			hpdf_check(&status);
		}
		draw_footers(&lo);
		hpdf_check(&status);
		result = pdf_bytes(pdf, &status, result_cxt);
	}
	PG_FINALLY();
	{
		HPDF_Free(pdf);
	}
	PG_END_TRY();
	return result;
}

/*
 * Build a document (inside SPI, as the caller, with the search path pinned)
 * and render it, in a memory context of its own: nothing but the PDF and
 * the file name outlives the call.
 */
bytea *
document_pdf(DocBuilder builder, const Datum *args, char **file_name)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext cxt = AllocSetContextCreate(caller, "invoice document", ALLOCSET_DEFAULT_SIZES);
	Doc		   *doc;
	bytea	   *result;
	int			nest_level;

	MemoryContextSwitchTo(cxt);
	SPI_connect();
	MemoryContextSwitchTo(cxt);
	nest_level = invoice_pin_search_path();
	doc = builder(args);
	invoice_unpin_search_path(nest_level);
	SPI_finish();

	result = render_pdf(doc, caller);
	if (file_name)
		*file_name = MemoryContextStrdup(caller, doc->file_name);
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(cxt);
	return result;
}

bytea *
invoice_pdf_render(text *id, char **file_name)
{
	Datum		args[1] = {PointerGetDatum(id)};

	return document_pdf(invoice_doc, args, file_name);
}

/* invoice_pdf(id): one invoice as a printable A4 PDF */
PG_FUNCTION_INFO_V1(invoice_pdf);
Datum
invoice_pdf(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(invoice_pdf_render(invoice_arg_text(fcinfo, 0, "invoice id"), NULL));
}

/* receipt_pdf(org_id, receipt_id): the receipt of a prepaid top-up as a printable A4 PDF */
PG_FUNCTION_INFO_V1(receipt_pdf);
Datum
receipt_pdf(PG_FUNCTION_ARGS)
{
	Datum		args[2];

	args[0] = PointerGetDatum(invoice_arg_text(fcinfo, 0, "organisation id"));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("receipt id must not be null")));
	args[1] = PG_GETARG_DATUM(1);
	PG_RETURN_BYTEA_P(document_pdf(receipt_doc, args, NULL));
}

/* credit_note_pdf(credit_note_id): a credit note as a printable A4 PDF */
PG_FUNCTION_INFO_V1(credit_note_pdf);
Datum
credit_note_pdf(PG_FUNCTION_ARGS)
{
	Datum		args[1] = {PointerGetDatum(invoice_arg_text(fcinfo, 0, "credit note id"))};

	PG_RETURN_BYTEA_P(document_pdf(credit_note_doc, args, NULL));
}
