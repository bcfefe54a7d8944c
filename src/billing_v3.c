/*
 * billing_v3.c
 *		The Billing v3 pagination cursor, signed with the API secret, and the
 *		errors of the Billing v3 functions (sql/ext/61_billing_v3.sql).
 *
 * A cursor is base64url (no padding) of
 *
 *		version (1 byte, 1) | flags (1 byte: 1 = billing_start_date given,
 *		2 = billing_end_date given) | billing_start_date | billing_end_date |
 *		period_start of the last invoice shown (3 big-endian int64, unset
 *		dates 0) | customer_id and id of the last invoice shown (each one
 *		length byte and its bytes) | HMAC-SHA256 of all that
 *
 * keyed with invoice.api_secret and preceded, inside the MAC only, by a label
 * that keeps the secret's other uses from ever producing a valid cursor.
 * Opening a cursor checks the MAC before it reads anything else, then that it
 * continues the listing it is presented with (same customer, same dates):
 * a cursor is the keyset position (period_start, id) of one listing, never a
 * position a client could choose.
 *
 * The cursor functions are SECURITY DEFINER: they read the secret, which no
 * one else may.  Whoever calls them can make a cursor for any position, which
 * gives nothing the same caller could not list directly; clients of an HTTP
 * gateway, who only ever hold cursors, cannot.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "common/base64.h"
#include "common/hmac.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "invoice.h"
#include "port/pg_bswap.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#define CURSOR_VERSION		1
#define CURSOR_HAS_START	0x01
#define CURSOR_HAS_END		0x02
#define CURSOR_FIXED_LEN	(2 + 3 * (int) sizeof(int64))
#define CURSOR_MAC_LEN		PG_SHA256_DIGEST_LENGTH
#define CURSOR_MAC_LABEL	"invoice billing_v3 cursor"
#define CURSOR_MAX_TEXT		255

#define PAGE_SIZE_MAX		200

/* A cursor's contents. */
typedef struct BillingCursor
{
	uint8		flags;
	TimestampTz start;			/* billing_start_date, when flags say so */
	TimestampTz end;			/* billing_end_date, when flags say so */
	TimestampTz after_start;	/* keyset position: the last invoice shown */
	char	   *customer_id;
	char	   *after_id;
} BillingCursor;

/*
 * MAC of body under the API secret.  Reads invoice.api_secret, so the caller
 * runs as the extension's owner (SECURITY DEFINER).
 */
static void
cursor_mac(const char *body, int len, uint8 *mac)
{
	static SPIPlanPtr plan = NULL;
	bytea	   *secret;
	bool		isnull;
	pg_hmac_ctx *ctx;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();
	invoice_prepare(&plan, "SELECT s.secret FROM invoice.api_secret s", 0, NULL);
	if (SPI_execute_plan(plan, NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading invoice.api_secret failed");
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("invoice.api_secret holds no secret"),
				 errhint("Make one with INSERT INTO invoice.api_secret DEFAULT VALUES.")));
	secret = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));

	ctx = pg_hmac_create(PG_SHA256);
	if (ctx == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	if (pg_hmac_init(ctx, (const uint8 *) VARDATA_ANY(secret), VARSIZE_ANY_EXHDR(secret)) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) CURSOR_MAC_LABEL, sizeof(CURSOR_MAC_LABEL)) < 0 ||
		pg_hmac_update(ctx, (const uint8 *) body, len) < 0 ||
		pg_hmac_final(ctx, mac, CURSOR_MAC_LEN) < 0)
	{
		const char *reason = pg_hmac_error(ctx);

		pg_hmac_free(ctx);
		elog(ERROR, "could not compute HMAC-SHA256: %s", reason);
	}
	pg_hmac_free(ctx);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
}

static void
append_int64(StringInfo buf, int64 value)
{
	uint64		be = pg_hton64((uint64) value);

	appendBinaryStringInfo(buf, (const char *) &be, sizeof(be));
}

static void
append_short_text(StringInfo buf, const char *value, const char *name)
{
	size_t		len = strlen(value);

	if (len > CURSOR_MAX_TEXT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is too long for a cursor", name),
				 errdetail("A cursor holds at most %d bytes of it.", CURSOR_MAX_TEXT)));
	appendStringInfoChar(buf, (char) len);
	appendBinaryStringInfo(buf, value, (int) len);
}

/* Signed and encoded: the text a client sees. */
static char *
cursor_encode(const BillingCursor *cursor)
{
	StringInfoData buf;
	uint8		mac[CURSOR_MAC_LEN];
	char	   *out;
	int			out_len;
	int			j = 0;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, CURSOR_VERSION);
	appendStringInfoChar(&buf, (char) cursor->flags);
	append_int64(&buf, (cursor->flags & CURSOR_HAS_START) ? cursor->start : 0);
	append_int64(&buf, (cursor->flags & CURSOR_HAS_END) ? cursor->end : 0);
	append_int64(&buf, cursor->after_start);
	append_short_text(&buf, cursor->customer_id, "customer_id");
	append_short_text(&buf, cursor->after_id, "invoice id");
	cursor_mac(buf.data, buf.len, mac);
	appendBinaryStringInfo(&buf, (const char *) mac, CURSOR_MAC_LEN);

	out = palloc(pg_b64_enc_len(buf.len) + 1);
	out_len = pg_b64_encode(buf.data, buf.len, out, pg_b64_enc_len(buf.len));
	if (out_len < 0)
		elog(ERROR, "could not encode cursor");
	/* base64 to base64url: URL-safe alphabet, no padding */
	for (int i = 0; i < out_len; i++)
	{
		if (out[i] == '=')
			break;
		out[j++] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	}
	out[j] = '\0';
	return out;
}

static void invalid_cursor(void) pg_attribute_noreturn();

static void
invalid_cursor(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid cursor"),
			 errdetail("It is not a cursor billing_v3_invoices returned: it was altered or truncated, or signed with an API secret that has since been replaced."),
			 errhint("Pass next_cursor exactly as it was returned, or no cursor for the first page.")));
}

/*
 * The bytes a base64url text stands for, or NULL when it is not the
 * canonical encoding of any (so that no two texts are the same cursor).
 */
static char *
base64url_decode(const char *text, int len, int *out_len)
{
	char	   *b64;
	char	   *out;
	char	   *again;
	int			pad = (4 - len % 4) % 4;

	if (len == 0 || pad == 3)
		return NULL;
	b64 = palloc(len + pad + 1);
	for (int i = 0; i < len; i++)
	{
		char		c = text[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '-' || c == '_'))
			return NULL;
		b64[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	memset(b64 + len, '=', pad);
	out = palloc(pg_b64_dec_len(len + pad));
	*out_len = pg_b64_decode(b64, len + pad, out, pg_b64_dec_len(len + pad));
	if (*out_len < 0)
		return NULL;
	again = palloc(pg_b64_enc_len(*out_len));
	if (pg_b64_encode(out, *out_len, again, pg_b64_enc_len(*out_len)) != len + pad ||
		memcmp(again, b64, len + pad) != 0)
		return NULL;
	return out;
}

static int64
read_int64(const char *p)
{
	uint64		be;

	memcpy(&be, p, sizeof(be));
	return (int64) pg_ntoh64(be);
}

/* One length-prefixed text at *pos of data[0..end), or NULL when it overruns. */
static char *
read_short_text(const char *data, int *pos, int end)
{
	int			len;

	if (*pos >= end)
		return NULL;
	len = (uint8) data[*pos];
	if (*pos + 1 + len > end || memchr(data + *pos + 1, '\0', len) != NULL)
		return NULL;
	*pos += 1 + len;
	return pnstrdup(data + *pos - len, len);
}

/* A cursor text checked and read; any flaw is invalid_cursor(). */
static void
cursor_decode(text *cursor_text, BillingCursor *cursor)
{
	int			len;
	char	   *data = base64url_decode(VARDATA_ANY(cursor_text), VARSIZE_ANY_EXHDR(cursor_text), &len);
	uint8		mac[CURSOR_MAC_LEN];
	int			body_len;
	int			pos = CURSOR_FIXED_LEN;

	if (data == NULL || len < CURSOR_FIXED_LEN + 2 + CURSOR_MAC_LEN)
		invalid_cursor();
	body_len = len - CURSOR_MAC_LEN;
	cursor_mac(data, body_len, mac);
	if (timingsafe_bcmp(mac, data + body_len, CURSOR_MAC_LEN) != 0)
		invalid_cursor();

	/* Signed by us; still read defensively. */
	if (data[0] != CURSOR_VERSION || ((uint8) data[1] & ~(CURSOR_HAS_START | CURSOR_HAS_END)) != 0)
		invalid_cursor();
	cursor->flags = (uint8) data[1];
	cursor->start = read_int64(data + 2);
	cursor->end = read_int64(data + 2 + sizeof(int64));
	cursor->after_start = read_int64(data + 2 + 2 * sizeof(int64));
	cursor->customer_id = read_short_text(data, &pos, body_len);
	cursor->after_id = read_short_text(data, &pos, body_len);
	if (cursor->customer_id == NULL || cursor->after_id == NULL || pos != body_len)
		invalid_cursor();
}

/* The billing dates of a request (arguments 1 and 2 of both cursor functions), as a cursor holds them. */
static void
request_dates(FunctionCallInfo fcinfo, BillingCursor *cursor)
{
	cursor->flags = 0;
	cursor->start = cursor->end = 0;
	if (!PG_ARGISNULL(1))
	{
		cursor->flags |= CURSOR_HAS_START;
		cursor->start = PG_GETARG_TIMESTAMPTZ(1);
	}
	if (!PG_ARGISNULL(2))
	{
		cursor->flags |= CURSOR_HAS_END;
		cursor->end = PG_GETARG_TIMESTAMPTZ(2);
	}
}

/* billing_v3_cursor_open(customer_id, start, end, limit, cursor): arguments checked, where the page starts */
PG_FUNCTION_INFO_V1(billing_v3_cursor_open);
Datum
billing_v3_cursor_open(PG_FUNCTION_ARGS)
{
	char	   *customer_id = text_to_cstring(invoice_arg_text(fcinfo, 0, "customer_id"));
	BillingCursor request;
	int32		page_size;
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("limit must not be null")));
	page_size = PG_GETARG_INT32(3);
	if (page_size < 1 || page_size > PAGE_SIZE_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("limit must be between 1 and %d, not %d", PAGE_SIZE_MAX, page_size)));
	request_dates(fcinfo, &request);
	if (request.flags == (CURSOR_HAS_START | CURSOR_HAS_END) && request.end <= request.start)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("billing_end_date must be later than billing_start_date"),
				 errdetail("The invoices listed are those whose billing period starts at or after billing_start_date and before billing_end_date.")));

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "billing_v3_cursor_open must return a record");
	tupdesc = BlessTupleDesc(tupdesc);

	if (PG_ARGISNULL(4) || VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(4)) == 0)
	{
		/* The first page: (period_start, id) > (start, '') is period_start >= start, ids being non-empty. */
		values[0] = TimestampTzGetDatum((request.flags & CURSOR_HAS_START) ? request.start : DT_NOBEGIN);
		values[1] = CStringGetTextDatum("");
	}
	else
	{
		BillingCursor cursor;

		cursor_decode(PG_GETARG_TEXT_PP(4), &cursor);
		if (strcmp(cursor.customer_id, customer_id) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cursor belongs to another customer"),
					 errdetail("A cursor continues the listing of the customer_id it was returned for.")));
		if (cursor.flags != request.flags || cursor.start != request.start || cursor.end != request.end)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cursor belongs to a listing with other billing dates"),
					 errdetail("A cursor continues the listing with the billing_start_date and billing_end_date it was returned for.")));
		values[0] = TimestampTzGetDatum(cursor.after_start);
		values[1] = CStringGetTextDatum(cursor.after_id);
	}
	values[2] = Int32GetDatum(page_size);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/* billing_v3_cursor_make(customer_id, start, end, period_start, id): the cursor of the page after that invoice */
PG_FUNCTION_INFO_V1(billing_v3_cursor_make);
Datum
billing_v3_cursor_make(PG_FUNCTION_ARGS)
{
	BillingCursor cursor;

	cursor.customer_id = text_to_cstring(invoice_arg_text(fcinfo, 0, "customer_id"));
	cursor.after_id = text_to_cstring(invoice_arg_text(fcinfo, 4, "invoice id"));
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("period_start must not be null")));
	cursor.after_start = PG_GETARG_TIMESTAMPTZ(3);
	request_dates(fcinfo, &cursor);
	PG_RETURN_TEXT_P(cstring_to_text(cursor_encode(&cursor)));
}

/* The error of billing_v3_invoice for an id that matches no invoice it shows, or several. */
static void
not_found(const char *id, int64 matches)
{
	if (matches == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("invoice \"%s\" not found", id),
				 errdetail("Billing v3 shows issued invoices that are pending, overdue or paid.")));
	if (matches > 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("invoice id \"%s\" is used by more than one organisation", id),
				 errhint("Give invoices ids that are unique across organisations, as generated ids are.")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("billing_v3_not_found reports no invoice or several: matches must be 0 or more than 1, not 1")));
}

/* billing_v3_not_found(invoice_id, matches): the error of billing_v3_invoice (the SQL of version 0.1 calls it) */
PG_FUNCTION_INFO_V1(billing_v3_not_found);
Datum
billing_v3_not_found(PG_FUNCTION_ARGS)
{
	not_found(text_to_cstring(invoice_arg_text(fcinfo, 0, "invoice_id")), PG_ARGISNULL(1) ? 0 : PG_GETARG_INT64(1));
	pg_unreachable();
}

/* Run a kept read; its rows in SPI_tuptable. */
static void
run_read(SPIPlanPtr plan, Datum *values, const char *nulls, const char *what)
{
	if (SPI_execute_plan(plan, values, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading %s failed", what);
}

/*
 * billing_v3_invoice(invoice_id): one invoice in the Billing v3 shape.  Found
 * by id alone (on Citus: a query on every shard); 22004 for NULL, P0002
 * unless exactly one invoice the caller may read has it and it is pending,
 * overdue or paid, 21000 when two organisations use the id.
 */
PG_FUNCTION_INFO_V1(billing_v3_invoice);
Datum
billing_v3_invoice(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	text	   *id = invoice_arg_text(fcinfo, 0, "invoice_id");
	Datum		doc;
	bool		isnull;
	uint64		matches;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();
	run_read(invoice_prepare_generic(&plan, "SELECT v.doc FROM invoice.billing_v3_invoice_json v WHERE v.id = $1 LIMIT 2",
									 1, (Oid[]) {TEXTOID}),
			 (Datum[]) {PointerGetDatum(id)}, NULL, "the invoice");
	matches = SPI_processed;
	if (matches != 1)
		not_found(text_to_cstring(id), (int64) matches);
	doc = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull), false, -1);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_DATUM(doc);
}

/*
 * billing_v3_page(customer_id, after_start, after_id, page_size, start, end):
 * the data of a page, one statement over the organisation's rows.  The page
 * is an index range scan of invoices_billing_v3_idx from the keyset
 * position, stopped after page_size + 1 rows (the extra row only tells that
 * a next page exists), with the line items of each of those invoices
 * aggregated beside it; the total is an index-only count.  member_of (a
 * one-time filter) refuses a customer the caller may not see before its
 * invoices are read, with the same work as an unknown one.
 */
PG_FUNCTION_INFO_V1(billing_v3_page);
Datum
billing_v3_page(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	static const char sql[] =
		"WITH page AS ("
		"    SELECT s.period_start, s.id, s.doc, pg_catalog.row_number() OVER (ORDER BY s.period_start, s.id) AS n"
		"      FROM (SELECT v.period_start, v.id, v.doc"
		"              FROM invoice.billing_v3_invoice_json v"
		"             WHERE v.org_id = $1 AND invoice.member_of($1) AND (v.period_start, v.id) > ($2, $3)"
		"               AND v.period_start < COALESCE($6, 'infinity')"
		"             ORDER BY v.period_start, v.id"
		"             LIMIT $4 + 1) s)"
		" SELECT pg_catalog.json_build_object("
		"    'invoices', COALESCE((SELECT pg_catalog.json_agg(p.doc ORDER BY p.n) FROM page p WHERE p.n <= $4), '[]'::json),"
		"    'next', (SELECT pg_catalog.json_build_object('period_start', p.period_start, 'id', p.id) FROM page p"
		"              WHERE p.n = $4 AND EXISTS (SELECT FROM page q WHERE q.n > p.n)),"
		"    'total', (SELECT pg_catalog.count(*) FROM invoice.billing_v3_invoice_json v"
		"               WHERE v.org_id = $1 AND invoice.member_of($1) AND v.period_start >= COALESCE($5, '-infinity')"
		"                 AND v.period_start < COALESCE($6, 'infinity')))";
	Oid			argtypes[6] = {TEXTOID, TIMESTAMPTZOID, TEXTOID, INT4OID, TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		values[6];
	char		nulls[6];
	Datum		page;
	bool		isnull;
	int			nest_level;

	for (int i = 0; i < 6; i++)
	{
		if (PG_ARGISNULL(i) && i < 4)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("billing_v3_page: argument %d must not be null", i + 1)));
		values[i] = PG_ARGISNULL(i) ? (Datum) 0 : PG_GETARG_DATUM(i);
		nulls[i] = PG_ARGISNULL(i) ? 'n' : ' ';
	}
	SPI_connect();
	nest_level = invoice_pin_search_path();
	run_read(invoice_prepare_generic(&plan, sql, lengthof(argtypes), argtypes), values, nulls, "the page");
	page = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull), false, -1);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_DATUM(page);
}

/* api_secret_replace(): trigger: a secret inserted replaces the one there was (a restore's dumped row, too) */
static Datum api_secret_replace_on_this_node(FunctionCallInfo fcinfo);

PG_FUNCTION_INFO_V1(api_secret_replace);
Datum
api_secret_replace(PG_FUNCTION_ARGS)
{
	return invoice_trigger_on_shard(fcinfo, "api_secret", api_secret_replace_on_this_node);
}

static Datum
api_secret_replace_on_this_node(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr plan = NULL;
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	int			nest_level;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) || !TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		elog(ERROR, "api_secret_replace must be a BEFORE INSERT ROW trigger");
	SPI_connect();
	nest_level = invoice_pin_search_path();
	invoice_prepare(&plan, "DELETE FROM invoice.api_secret", 0, NULL);
	if (SPI_execute_plan(plan, NULL, NULL, false, 0) != SPI_OK_DELETE)
		elog(ERROR, "replacing the API secret failed");
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	return PointerGetDatum(trigdata->tg_trigtuple);
}
