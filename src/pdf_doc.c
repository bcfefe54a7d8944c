/*
 * pdf_doc.c
 *		The document model of the PDFs (pdf_doc.h): a Doc is text in blocks,
 *		nothing about pages; and the text in it, cleaned for libharu, with
 *		amounts, numbers, dates and periods in the document's style.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "pdf_doc.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

/* The stamps' colours: what a document says about its state (the layout draws them). */
const Rgb STAMP_PAID = {0.09f, 0.50f, 0.27f};
const Rgb STAMP_OVERDUE = {0.78f, 0.12f, 0.12f};
const Rgb STAMP_CANCELLED = {0.42f, 0.42f, 0.45f};

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

/*
 * Server text as UTF-8 that the layout can trust (pg_server_to_any converts
 * it, or verifies it in a SQL_ASCII database): control characters become
 * spaces (a newline stays a line break, "\r\n" is one), and characters
 * beyond the Basic Multilingual Plane, which libharu's UTF-8 CID fonts
 * cannot address, become U+FFFD; a text longer than TEXT_MAX_BYTES is cut
 * at a character and ends in an ellipsis, the visible mark of the cut.
 */
char *
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
char *
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
TimestampTz
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
char *
format_state(const char *code)
{
	int			n = atoi(code);

	if (n > 0 && n < (int) lengthof(gst_states) && gst_states[n] != NULL)
		return psprintf("%s (%s)", gst_states[n], code);
	return pstrdup(code);
}

