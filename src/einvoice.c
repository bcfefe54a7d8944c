/*
 * einvoice.c
 *		India's e-invoice (sql/ext/68_einvoice.sql): the JSON of an issued GST
 *		invoice as the Invoice Registration Portal takes it (schema INV-01,
 *		version 1.1), and the record of what the portal returned.
 *
 * Nothing here calls out.  The JSON is written key by key in the schema's
 * order; every value is checked against what the schema allows before it
 * is written, so that a document the portal would refuse is never produced:
 * the function raises IV020 naming the field instead.  test/einvoice holds
 * the schema the tests validate the output against.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "invoice.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/timestamp.h"

#define ERRCODE_INVOICE_EINVOICE			MAKE_SQLSTATE('I','V','0','2','0')
#define ERRCODE_INVOICE_EINVOICE_CONFLICT	MAKE_SQLSTATE('I','V','0','2','1')

/* The schema's largest amounts, in cents: line amounts (999999999999.99) and totals (99999999999999.99). */
#define EINVOICE_LINE_MAX	INT64CONST(99999999999999)
#define EINVOICE_TOTAL_MAX	INT64CONST(9999999999999999)

/* One e-invoice in the making: the invoice it is for, the document. */
typedef struct EInvoice
{
	const char *id;
	StringInfoData buf;
} EInvoice;

static void
refuse(const EInvoice *e, const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVOICE_EINVOICE),
			 errmsg("cannot make the e-invoice of invoice \"%s\"", e->id),
			 errdetail_internal("%s", detail),
			 hint ? errhint("%s", hint) : 0));
}

static char *
column_text(HeapTuple row, TupleDesc desc, const char *column)
{
	return SPI_getvalue(row, desc, SPI_fnumber(desc, column));
}

static Datum
column_datum(HeapTuple row, TupleDesc desc, const char *column, bool *isnull)
{
	return SPI_getbinval(row, desc, SPI_fnumber(desc, column), isnull);
}

/* The schema's free-text rule: minlen..maxlen characters, no double quote. */
static bool
text_fits(const char *value, int minlen, int maxlen)
{
	int			n = pg_mbstrlen(value);

	return n >= minlen && n <= maxlen && strchr(value, '"') == NULL;
}

/* A required text field, checked: field is the schema's name of it, what ours. */
static void
require_text(const EInvoice *e, const char *value, int minlen, int maxlen,
			 const char *what, const char *field, const char *hint)
{
	if (value == NULL || invoice_text_is_blank(value))
		refuse(e, psprintf("%s (%s) is not set.", what, field), hint);
	if (!text_fits(value, minlen, maxlen))
		refuse(e, psprintf("%s (%s) must be %d to %d characters without a double quote: \"%s\".",
						   what, field, minlen, maxlen, value), NULL);
}

static void
key(StringInfo buf, const char *name)
{
	if (buf->data[buf->len - 1] != '{')
		appendStringInfoChar(buf, ',');
	escape_json(buf, name);
	appendStringInfoChar(buf, ':');
}

static void
put_string(StringInfo buf, const char *name, const char *value)
{
	key(buf, name);
	escape_json(buf, value);
}

/* Cents as the schema's numbers: major units, two decimals. */
static void
put_amount(StringInfo buf, const char *name, int64 cents)
{
	uint64		magnitude = cents < 0 ? -(uint64) cents : (uint64) cents;

	key(buf, name);
	appendStringInfo(buf, "%s" UINT64_FORMAT ".%02d", cents < 0 ? "-" : "",
					 magnitude / 100, (int) (magnitude % 100));
}

/* A numeric's text as a JSON number (the caller has checked its range and scale). */
static void
put_number(StringInfo buf, const char *name, const char *value)
{
	key(buf, name);
	appendStringInfoString(buf, value);
}

/*
 * An address as Addr1 and Addr2 (each at most 100 characters): the first
 * line, then the other lines joined with ", "; a single line too long for
 * Addr1 is cut at its last ", " that leaves Addr1 within 100.
 */
static void
put_address(const EInvoice *e, StringInfo buf, const char *address, const char *what,
			const char *part)
{
	char	   *copy = pstrdup(address ? address : "");
	StringInfoData rest;
	char	   *first = NULL;
	char	   *line;
	char	   *save;

	initStringInfo(&rest);
	for (line = strtok_r(copy, "\r\n", &save); line != NULL; line = strtok_r(NULL, "\r\n", &save))
	{
		char	   *trimmed = TextDatumGetCString(DirectFunctionCall1(btrim1, CStringGetTextDatum(line)));

		if (trimmed[0] == '\0')
			continue;
		if (first == NULL)
			first = trimmed;
		else
			appendStringInfo(&rest, "%s%s", rest.len > 0 ? ", " : "", trimmed);
	}
	if (first == NULL)
		refuse(e, psprintf("%s (%s.Addr1) is not set.", what, part), NULL);
	if (rest.len == 0 && pg_mbstrlen(first) > 100)
	{
		char	   *cut = NULL;

		for (char *p = strstr(first, ", "); p != NULL; p = strstr(p + 1, ", "))
			if (pg_mbstrlen_with_len(first, p - first) <= 100)
				cut = p;
		if (cut != NULL)
		{
			appendStringInfoString(&rest, cut + 2);
			*cut = '\0';
		}
	}
	if (!text_fits(first, 1, 100))
		refuse(e, psprintf("%s: the first line (%s.Addr1) must be 1 to 100 characters without a double quote: \"%s\".",
						   what, part, first), "Put the address on several lines; each must fit.");
	if (rest.len > 0 && !text_fits(rest.data, 3, 100))
		refuse(e, psprintf("%s: the rest (%s.Addr2) must be 3 to 100 characters without a double quote: \"%s\".",
						   what, part, rest.data), NULL);
	put_string(buf, "Addr1", first);
	if (rest.len > 0)
		put_string(buf, "Addr2", rest.data);
}

/*
 * The schema's e-mail rule (^[a-zA-Z0-9+_.-]+@[a-zA-Z0-9.-]+$, 6 to 100
 * characters); an address it cannot carry is left out (the field is optional).
 */
static void
put_email(StringInfo buf, const char *email)
{
	const char *at;
	size_t		len;

	if (email == NULL)
		return;
	len = strlen(email);
	at = strchr(email, '@');
	if (len < 6 || len > 100 || at == NULL || at == email || at[1] == '\0')
		return;
	for (const char *p = email; *p; p++)
		if (p != at && !(isalnum((unsigned char) *p) && !IS_HIGHBIT_SET(*p)) &&
			strchr(p < at ? "+_.-" : ".-", *p) == NULL)
			return;
	put_string(buf, "Em", email);
}

/*
 * The e-invoice of the invoice onto e->buf, or IV020.  Inside SPI, search
 * path pinned, the acting role's read access to the invoice checked.
 */
static void
einvoice_build(EInvoice *e, const char *org_id, text *id)
{
	static SPIPlanPtr head_plan = NULL;
	static SPIPlanPtr lines_plan = NULL;
	static SPIPlanPtr tax_plan = NULL;
	SPITupleTable *taxes;
	uint64		ntaxes;
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		args[2] = {CStringGetTextDatum(org_id), PointerGetDatum(id)};
	HeapTuple	h;
	TupleDesc	hd;
	StringInfo	buf = &e->buf;
	bool		isnull;
	char	   *status,
			   *number,
			   *s_kind,
			   *b_kind;
	struct pg_tm tm;
	fsec_t		fsec;
	uint64		items = 0;
	int64		subtotal,
				tax,
				total,
				round_off,
				other_charges = 0,
				sum_cgst = 0,
				sum_sgst = 0,
				sum_igst = 0;
	Datum		date;

	invoice_prepare(&head_plan,
					"SELECT i.status::text AS status, i.gst, i.number, i.invoice_date, i.reverse_charge,"
					"       coalesce(i.place_of_supply, o.billing_state, left(o.gstin, 2), s.state_code) AS pos,"
					"       i.subtotal, i.tax, i.total, i.round_off,"
					"       s.gstin AS s_gstin, invoice.gstin_kind(s.gstin) AS s_kind, s.legal_name AS s_name,"
					"       s.address AS s_address, s.city AS s_city, s.pincode AS s_pin, s.state_code AS s_state,"
					"       s.email AS s_email,"
					"       o.gstin AS b_gstin, invoice.gstin_kind(o.gstin) AS b_kind, o.name AS b_name,"
					"       o.billing_address AS b_address, o.billing_city AS b_city, o.billing_pincode AS b_pin,"
					"       coalesce(o.billing_state, left(o.gstin, 2)) AS b_state, o.billing_email AS b_email"
					"  FROM invoice.invoices i JOIN invoice.orgs o ON o.org_id = i.org_id"
					"  LEFT JOIN invoice.supplier s ON true"
					" WHERE i.org_id = $1 AND i.id = $2",
					2, argtypes);
	if (SPI_execute_plan(head_plan, args, NULL, true, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "e-invoice: invoice lookup failed");
	h = SPI_copytuple(SPI_tuptable->vals[0]);
	hd = CreateTupleDescCopy(SPI_tuptable->tupdesc);

	if (!DatumGetBool(column_datum(h, hd, "gst", &isnull)))
		refuse(e, "It is not a GST tax invoice.", NULL);
	status = column_text(h, hd, "status");
	if (strcmp(status, "draft") == 0 || strcmp(status, "cancelled") == 0)
		refuse(e, psprintf("It is %s: only issued invoices are registered.", status), NULL);
	s_kind = column_text(h, hd, "s_kind");
	if (s_kind == NULL || strcmp(s_kind, "normal") != 0)
		refuse(e, "The supplier's GSTIN (SellerDtls.Gstin) must be a normal taxpayer's.",
			   "Set it in invoice.supplier.");
	b_kind = column_text(h, hd, "b_kind");
	if (b_kind == NULL)
		refuse(e, "The recipient has no GSTIN or UIN (BuyerDtls.Gstin): e-invoices are for supplies to registered persons.",
			   NULL);
	if (strcmp(b_kind, "nri") == 0 || strcmp(b_kind, "oidar") == 0 || strcmp(b_kind, "tcs") == 0)
		refuse(e, psprintf("The recipient's registration is of kind %s; e-invoices here are for registered recipients "
						   "(normal, government, tds) and UIN holders.", b_kind), NULL);

	number = column_text(h, hd, "number");
	if (number[0] == '0' || number[0] == '/' || number[0] == '-')
		refuse(e, psprintf("The invoice number (DocDtls.No) must not start with 0, / or -: \"%s\".", number), NULL);
	date = column_datum(h, hd, "invoice_date", &isnull);
	if (timestamp2tm(DatumGetTimestampTz(date), NULL, &tm, &fsec, NULL, NULL) != 0)
		elog(ERROR, "e-invoice: invoice date out of range");
	if (tm.tm_year < 2010 || tm.tm_year > 2029)
		refuse(e, psprintf("The invoice date's year %d is outside what schema 1.1 accepts (DocDtls.Dt: 2010 to 2029).",
						   tm.tm_year), NULL);

	subtotal = DatumGetInt64(column_datum(h, hd, "subtotal", &isnull));
	tax = DatumGetInt64(column_datum(h, hd, "tax", &isnull));
	total = DatumGetInt64(column_datum(h, hd, "total", &isnull));
	round_off = DatumGetInt64(column_datum(h, hd, "round_off", &isnull));	/* part of total */
	if (total > EINVOICE_TOTAL_MAX)
		refuse(e, "The invoice value (ValDtls.TotInvVal) exceeds 99999999999999.99.", NULL);

	appendStringInfoString(buf, "{");
	put_string(buf, "Version", "1.1");

	key(buf, "TranDtls");
	appendStringInfoChar(buf, '{');
	put_string(buf, "TaxSch", "GST");
	put_string(buf, "SupTyp", "B2B");
	put_string(buf, "RegRev", DatumGetBool(column_datum(h, hd, "reverse_charge", &isnull)) ? "Y" : "N");
	put_string(buf, "IgstOnIntra", "N");
	appendStringInfoChar(buf, '}');

	key(buf, "DocDtls");
	appendStringInfoChar(buf, '{');
	put_string(buf, "Typ", "INV");
	put_string(buf, "No", number);
	put_string(buf, "Dt", psprintf("%02d/%02d/%04d", tm.tm_mday, tm.tm_mon, tm.tm_year));
	appendStringInfoChar(buf, '}');

	key(buf, "SellerDtls");
	appendStringInfoChar(buf, '{');
	put_string(buf, "Gstin", column_text(h, hd, "s_gstin"));
	require_text(e, column_text(h, hd, "s_name"), 3, 100, "the supplier's legal name", "SellerDtls.LglNm", NULL);
	put_string(buf, "LglNm", column_text(h, hd, "s_name"));
	put_address(e, buf, column_text(h, hd, "s_address"), "the supplier's address", "SellerDtls");
	require_text(e, column_text(h, hd, "s_city"), 3, 50, "the supplier's city", "SellerDtls.Loc",
				 "Set invoice.supplier.city.");
	put_string(buf, "Loc", column_text(h, hd, "s_city"));
	if (column_text(h, hd, "s_pin") == NULL)
		refuse(e, "The supplier's PIN code (SellerDtls.Pin) is not set.", "Set invoice.supplier.pincode.");
	put_number(buf, "Pin", column_text(h, hd, "s_pin"));
	put_string(buf, "Stcd", column_text(h, hd, "s_state"));
	put_email(buf, column_text(h, hd, "s_email"));
	appendStringInfoChar(buf, '}');

	key(buf, "BuyerDtls");
	appendStringInfoChar(buf, '{');
	put_string(buf, "Gstin", column_text(h, hd, "b_gstin"));
	require_text(e, column_text(h, hd, "b_name"), 3, 100, "the recipient's name", "BuyerDtls.LglNm", NULL);
	put_string(buf, "LglNm", column_text(h, hd, "b_name"));
	put_string(buf, "Pos", column_text(h, hd, "pos"));
	put_address(e, buf, column_text(h, hd, "b_address"), "the recipient's billing address", "BuyerDtls");
	require_text(e, column_text(h, hd, "b_city"), 3, 100, "the recipient's city", "BuyerDtls.Loc",
				 "Set invoice.orgs.billing_city.");
	put_string(buf, "Loc", column_text(h, hd, "b_city"));
	if (column_text(h, hd, "b_pin") != NULL)
		put_number(buf, "Pin", column_text(h, hd, "b_pin"));
	put_string(buf, "Stcd", column_text(h, hd, "b_state"));
	put_email(buf, column_text(h, hd, "b_email"));
	appendStringInfoChar(buf, '}');

	/*
	 * Items: a line's quantity and unit price when they make its amount
	 * exactly and fit the schema's three decimals, else one unit at the
	 * amount.  Discount is the line's share of the invoice's credits.  A
	 * nil-rated, exempt or non-GST line is no item: its taxable value is in
	 * ValDtls.OthChrg, out of AssVal (README "GST treatment", as
	 * india-compliance's e-invoice does); an invoice of such lines only is a
	 * bill of supply, which has no e-invoice.
	 */
	/*
	 * The tax of each line first, on its own: a call of invoice_tax_lines in
	 * a query over line_items would be sent with it to the organisation's
	 * node on Citus, where it cannot run.  Both are in line order.
	 */
	invoice_prepare(&tax_plan, "SELECT t.* FROM invoice.invoice_tax_lines($2) t ORDER BY t.line_id", 2, argtypes);
	if (SPI_execute_plan(tax_plan, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "e-invoice: tax lookup failed");
	taxes = SPI_tuptable;
	ntaxes = SPI_processed;
	invoice_prepare(&lines_plan,
					"SELECT l.line_id, l.description, l.hsn_sac, l.amount,"
					"       (l.units IS NOT NULL AND l.rate IS NOT NULL"
					"        AND l.units = round(l.units, 3) AND l.rate = round(l.rate, 3)"
					"        AND l.units <= 9999999999.999 AND l.rate <= 999999999999.999"
					"        AND round(l.units * l.rate, 2) = l.amount::numeric) AS itemised,"
					"       trim_scale(l.units)::text AS units, trim_scale(l.rate)::text AS unit_price,"
					"       l.gst_treatment = 'taxable' AS taxable"
					"  FROM invoice.line_items l"
					" WHERE l.org_id = $1 AND l.invoice_id = $2 ORDER BY l.line_id",
					2, argtypes);
	if (SPI_execute_plan(lines_plan, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "e-invoice: line lookup failed");
	if (SPI_processed != ntaxes)
		elog(ERROR, "e-invoice: the lines and their tax disagree");
	if (SPI_processed == 0)
		refuse(e, "It has no lines (ItemList).", NULL);
	key(buf, "ItemList");
	appendStringInfoChar(buf, '[');
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	l = SPI_tuptable->vals[i];
		TupleDesc	ld = SPI_tuptable->tupdesc;
		HeapTuple	t = taxes->vals[i];
		TupleDesc	td = taxes->tupdesc;
		char	   *description = column_text(l, ld, "description");
		char	   *hsn = column_text(l, ld, "hsn_sac");
		int64		amount = DatumGetInt64(column_datum(l, ld, "amount", &isnull));
		int64		taxable = DatumGetInt64(column_datum(t, td, "taxable_value", &isnull));
		int64		cgst = DatumGetInt64(column_datum(t, td, "cgst", &isnull));
		int64		sgst = DatumGetInt64(column_datum(t, td, "sgst", &isnull));
		int64		igst = DatumGetInt64(column_datum(t, td, "igst", &isnull));
		Datum		rate = column_datum(t, td, "rate", &isnull);
		bool		itemised = DatumGetBool(column_datum(l, ld, "itemised", &isnull));
		bool		service = hsn != NULL && strncmp(hsn, "99", 2) == 0;

		if (strcmp(column_text(l, ld, "line_id"), column_text(t, td, "line_id")) != 0)
			elog(ERROR, "e-invoice: the lines and their tax disagree");
		if (!DatumGetBool(column_datum(l, ld, "taxable", &isnull)))
		{
			other_charges += taxable;
			continue;
		}

		if (hsn == NULL || strspn(hsn, "0") == strlen(hsn))
			refuse(e, psprintf("Line %s has no HSN/SAC code (ItemList.HsnCd).", column_text(l, ld, "line_id")), NULL);
		if (amount > EINVOICE_LINE_MAX)
			refuse(e, psprintf("Line %s's amount (ItemList.TotAmt) exceeds 999999999999.99.",
							   column_text(l, ld, "line_id")), NULL);
		if (description != NULL && !text_fits(description, 3, 300))
			refuse(e, psprintf("Line %s's description (ItemList.PrdDesc) must be 3 to 300 characters without a double quote: \"%s\".",
							   column_text(l, ld, "line_id"), description), NULL);
		sum_cgst += cgst;
		sum_sgst += sgst;
		sum_igst += igst;

		appendStringInfoString(buf, items > 0 ? ",{" : "{");
		put_string(buf, "SlNo", psprintf(UINT64_FORMAT, ++items));
		if (description != NULL)
			put_string(buf, "PrdDesc", description);
		put_string(buf, "IsServc", service ? "Y" : "N");
		put_string(buf, "HsnCd", hsn);
		put_number(buf, "Qty", itemised ? column_text(l, ld, "units") : "1");
		if (!service)
			put_string(buf, "Unit", "OTH");
		if (itemised)
			put_number(buf, "UnitPrice", column_text(l, ld, "unit_price"));
		else
			put_amount(buf, "UnitPrice", amount);
		put_amount(buf, "TotAmt", amount);
		put_amount(buf, "Discount", amount - taxable);
		put_amount(buf, "AssAmt", taxable);
		put_number(buf, "GstRt", DatumGetCString(DirectFunctionCall1(numeric_out, DirectFunctionCall1(numeric_trim_scale, rate))));
		put_amount(buf, "IgstAmt", igst);
		put_amount(buf, "CgstAmt", cgst);
		put_amount(buf, "SgstAmt", sgst);
		put_amount(buf, "TotItemVal", taxable + cgst + sgst + igst);
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoChar(buf, ']');
	if (items == 0)
		refuse(e, "Every line is nil-rated, exempt or non-GST (ItemList): a bill of supply has no e-invoice.", NULL);
	if (sum_cgst + sum_sgst + sum_igst != tax)
		elog(ERROR, "e-invoice: the lines' tax disagrees with the invoice's");

	key(buf, "ValDtls");
	appendStringInfoChar(buf, '{');
	put_amount(buf, "AssVal", subtotal - other_charges);
	put_amount(buf, "CgstVal", sum_cgst);
	put_amount(buf, "SgstVal", sum_sgst);
	put_amount(buf, "IgstVal", sum_igst);
	if (other_charges > 0)
		put_amount(buf, "OthChrg", other_charges);
	put_amount(buf, "RndOffAmt", round_off);
	put_amount(buf, "TotInvVal", total);
	appendStringInfoChar(buf, '}');
	appendStringInfoChar(buf, '}');
}

/*
 * invoice_einvoice_json(id): the e-invoice of an issued GST invoice; P0002
 * when the caller may not read it, IV020 naming what the schema cannot carry.
 */
PG_FUNCTION_INFO_V1(invoice_einvoice_json);
Datum
invoice_einvoice_json(PG_FUNCTION_ARGS)
{
	text	   *id = invoice_arg_text(fcinfo, 0, "invoice id");
	EInvoice	e;
	char	   *org_id;
	int			nest_level;
	text	   *result;

	e.id = text_to_cstring(id);
	initStringInfo(&e.buf);
	SPI_connect();
	nest_level = invoice_pin_search_path();
	(void) invoice_lock_by_id(id, &org_id, INVOICE_ACCESS_READ, "read");
	einvoice_build(&e, org_id, id);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	result = cstring_to_text_with_len(e.buf.data, e.buf.len);
	PG_RETURN_TEXT_P(result);
}

/* A compact JWS (header.payload.signature, base64url), as the IRP signs. */
static bool
is_jws(const char *value)
{
	int			dots = 0;
	int			run = 0;

	for (const char *p = value; *p; p++)
	{
		if (*p == '.')
		{
			if (run == 0)
				return false;
			dots++;
			run = 0;
		}
		else if (isalnum((unsigned char) *p) || *p == '_' || *p == '-' || *p == '=')
			run++;
		else
			return false;
	}
	return dots == 2 && run > 0;
}

/*
 * invoice_einvoice_record(id, irn, ack_no, ack_date, signed_qr_code,
 * signed_invoice): billing administrators.  The invoice must be one whose
 * e-invoice can be made (IV020 otherwise); the same answer recorded again
 * returns the row unchanged, another one is IV021.
 */
PG_FUNCTION_INFO_V1(invoice_einvoice_record);
Datum
invoice_einvoice_record(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr find_plan = NULL;
	static SPIPlanPtr row_plan = NULL;
	static SPIPlanPtr insert_plan = NULL;
	text	   *id = invoice_arg_text(fcinfo, 0, "invoice id");
	char	   *irn = text_to_cstring(invoice_arg_text(fcinfo, 1, "IRN"));
	int64		ack_no;
	TimestampTz ack_date;
	char	   *qr = text_to_cstring(invoice_arg_text(fcinfo, 4, "signed QR code"));
	char	   *signed_invoice = PG_ARGISNULL(5) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(5));
	Oid			argtypes[7] = {TEXTOID, TEXTOID, TEXTOID, INT8OID, TIMESTAMPTZOID, TEXTOID, TEXTOID};
	Datum		args[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
	EInvoice	e;
	char	   *org_id;
	int			nest_level;
	Datum		result;

	if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", PG_ARGISNULL(2) ? "acknowledgement number" : "acknowledgement date")));
	ack_no = PG_GETARG_INT64(2);
	ack_date = PG_GETARG_TIMESTAMPTZ(3);
	if (strlen(irn) != 64 || strspn(irn, "0123456789abcdef") != 64)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("IRN must be 64 lower-case hexadecimal digits, not \"%s\"", irn)));
	if (ack_no <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("acknowledgement number must be positive, not " INT64_FORMAT, ack_no)));
	if (TIMESTAMP_NOT_FINITE(ack_date))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("acknowledgement date must be finite")));
	if (!is_jws(qr))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("signed QR code must be a compact JWS (three base64url parts separated by dots)")));
	if (signed_invoice != NULL && !is_jws(signed_invoice))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("signed invoice must be a compact JWS (three base64url parts separated by dots)")));

	e.id = text_to_cstring(id);
	initStringInfo(&e.buf);
	SPI_connect();
	nest_level = invoice_pin_search_path();
	(void) invoice_lock_by_id(id, &org_id, INVOICE_ACCESS_ADMIN, "record the e-invoice of");
	einvoice_build(&e, org_id, id);

	args[0] = CStringGetTextDatum(org_id);
	args[1] = PointerGetDatum(id);
	args[2] = CStringGetTextDatum(irn);
	args[3] = Int64GetDatum(ack_no);
	args[4] = TimestampTzGetDatum(ack_date);
	args[5] = CStringGetTextDatum(qr);
	args[6] = signed_invoice ? CStringGetTextDatum(signed_invoice) : (Datum) 0;
	nulls[6] = signed_invoice ? ' ' : 'n';

	invoice_prepare(&find_plan,
					"SELECT e.*, (e.invoice_id = $2 AND e.irn = $3 AND e.ack_no = $4 AND e.ack_date = $5"
					"             AND e.signed_qr_code = $6"
					"             AND e.signed_invoice IS NOT DISTINCT FROM $7) AS same"
					"  FROM invoice.einvoices e WHERE e.org_id = $1 AND (e.invoice_id = $2 OR e.irn = $3)",
					7, argtypes);
	if (SPI_execute_plan(find_plan, args, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "e-invoice: lookup failed");
	if (SPI_processed > 0)
	{
		bool		isnull;
		HeapTuple	row = SPI_tuptable->vals[0];
		TupleDesc	desc = SPI_tuptable->tupdesc;

		if (SPI_processed > 1 || !DatumGetBool(column_datum(row, desc, "same", &isnull)))
			ereport(ERROR,
					(errcode(ERRCODE_INVOICE_EINVOICE_CONFLICT),
					 errmsg("invoice \"%s\" already has an e-invoice, or IRN %s belongs to another invoice",
							e.id, irn),
					 errdetail("Recorded: invoice \"%s\", IRN %s, acknowledgement %s.",
							   column_text(row, desc, "invoice_id"), column_text(row, desc, "irn"),
							   column_text(row, desc, "ack_no"))));
		invoice_prepare(&row_plan,
						"SELECT e.* FROM invoice.einvoices e WHERE e.org_id = $1 AND e.invoice_id = $2",
						2, argtypes);
		if (SPI_execute_plan(row_plan, args, nulls, true, 0) != SPI_OK_SELECT)
			elog(ERROR, "e-invoice: lookup failed");
	}
	else
	{
		invoice_prepare(&insert_plan,
						"INSERT INTO invoice.einvoices (org_id, invoice_id, irn, ack_no, ack_date, signed_qr_code, signed_invoice)"
						" VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *",
						7, argtypes);
		if (SPI_execute_plan(insert_plan, args, nulls, false, 0) != SPI_OK_INSERT_RETURNING)
			elog(ERROR, "e-invoice: insert failed");
	}
	result = PointerGetDatum(SPI_returntuple(SPI_tuptable->vals[0], SPI_tuptable->tupdesc));
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_DATUM(result);
}
