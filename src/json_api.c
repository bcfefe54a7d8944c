/*
 * json_api.c
 *		List Invoices and Describe Invoice (sql/ext/60_json_api.sql): the
 *		documents, their argument checks and the filter conversions.
 *
 * Each call runs a few statements whose plans are prepared once per backend
 * and kept (planning a query costs more than running it on one page), with
 * the caller's rights, so that row-level security applies.  The rows become
 * JSON through json_write.c.  The CSV export shares the list's filters
 * (matches_from).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "invoice.h"
#include "json_write.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

#define LIST_PAGE_SIZE_MAX 100

#define lengthof_fields(a) ((int) lengthof(a))

/* A List item: the first 16 of invoice_fields */
#define LIST_FIELDS 16

/*
 * An invoice in Describe: the List item's 16 keys (the seed's, in its order:
 * the first LIST_FIELDS entries), then the richer ones; the children's
 * arrays follow.
 */
static const JsonField invoice_fields[] = {
	{"id", "id", JSON_FIELD_STRING},
	{"orgId", "org_id", JSON_FIELD_STRING},
	{"periodStart", "period_start", JSON_FIELD_TIME},
	{"periodEnd", "period_end", JSON_FIELD_TIME},
	{"invoiceDate", "invoice_date", JSON_FIELD_TIME},
	{"dueDate", "due_date", JSON_FIELD_TIME},
	{"currency", "currency", JSON_FIELD_STRING},
	{"status", "status", JSON_FIELD_STATUS},
	{"usageAmount", "usage_amount", JSON_FIELD_CENTS},
	{"creditsApplied", "credits_applied", JSON_FIELD_CENTS},
	{"alreadyBilledAmount", "already_billed_amount", JSON_FIELD_CENTS},
	{"subtotal", "subtotal", JSON_FIELD_CENTS},
	{"tax", "tax", JSON_FIELD_CENTS},
	{"total", "total", JSON_FIELD_CENTS},
	{"advancePayAmount", "advance_pay_amount", JSON_FIELD_CENTS},
	{"amountDue", "amount_due", JSON_FIELD_CENTS},
	{"number", "number", JSON_FIELD_STRING},
	{"description", "description", JSON_FIELD_STRING},
	{"taxRate", "tax_rate", JSON_FIELD_NUMBER},
	{"issuedAt", "issued_at", JSON_FIELD_TIME},
	{"paidAt", "paid_at", JSON_FIELD_TIME},
	{"cancelledAt", "cancelled_at", JSON_FIELD_TIME},
	{"statusReason", "status_reason", JSON_FIELD_STRING},
	{"taxRounding", "tax_rounding", JSON_FIELD_STRING},
	{"roundOff", "round_off", JSON_FIELD_CENTS},
};

static const JsonField line_fields[] = {
	{"lineId", "line_id", JSON_FIELD_NUMBER},
	{"description", "description", JSON_FIELD_STRING},
	{"units", "units", JSON_FIELD_NUMBER},
	{"rate", "rate", JSON_FIELD_NUMBER},
	{"amount", "amount", JSON_FIELD_CENTS},
	{"taxRate", "effective_tax_rate", JSON_FIELD_NUMBER},
	{"productGroup", "product_group", JSON_FIELD_STRING},
	{"productLine", "product_line", JSON_FIELD_STRING},
	{"productName", "product_name", JSON_FIELD_STRING},
	{"region", "region", JSON_FIELD_STRING},
	{"usageType", "usage_type", JSON_FIELD_STRING},
	{"creditCouponCode", "credit_coupon_code", JSON_FIELD_STRING},
	{"resourceType", "resource_type", JSON_FIELD_STRING},
	{"resourceName", "resource_name", JSON_FIELD_STRING},
	{"usageStart", "usage_start", JSON_FIELD_TIME},
	{"usageEnd", "usage_end", JSON_FIELD_TIME},
	{"hsnSac", "hsn_sac", JSON_FIELD_STRING},
	{"gstTreatment", "gst_treatment", JSON_FIELD_STRING},
};

static const JsonField credit_fields[] = {
	{"creditId", "credit_id", JSON_FIELD_NUMBER},
	{"code", "code", JSON_FIELD_STRING},
	{"description", "description", JSON_FIELD_STRING},
	{"amount", "amount", JSON_FIELD_CENTS},
	{"createdAt", "created_at", JSON_FIELD_TIME},
};

static const JsonField payment_fields[] = {
	{"paymentId", "payment_id", JSON_FIELD_NUMBER},
	{"amount", "amount", JSON_FIELD_CENTS},
	{"method", "method", JSON_FIELD_STRING},
	{"providerRef", "provider_ref", JSON_FIELD_STRING},
	{"paidAt", "paid_at", JSON_FIELD_TIME},
};

static const JsonField history_fields[] = {
	{"fromStatus", "from_status", JSON_FIELD_STATUS},
	{"toStatus", "to_status", JSON_FIELD_STATUS},
	{"changedAt", "changed_at", JSON_FIELD_TIME},
	{"changedBy", "changed_by", JSON_FIELD_STRING},
	{"reason", "reason", JSON_FIELD_STRING},
};

/*
 * The GST breakdown of a GST tax invoice (Describe's "gst"): the place of
 * supply and the CGST + SGST / IGST split as issue fixes them (a draft's by
 * the rule it will be issued under), both registrations, reverse charge, and
 * the tax per rate (invoice_tax_summary, the computation of the amounts).
 */
static const JsonField gst_fields[] = {
	{"placeOfSupply", "place_of_supply", JSON_FIELD_STRING},
	{"intraState", "intra_state", JSON_FIELD_BOOLEAN},
	{"supplierGstin", "supplier_gstin", JSON_FIELD_STRING},
	{"recipientGstin", "recipient_gstin", JSON_FIELD_STRING},
	{"recipientKind", "recipient_kind", JSON_FIELD_STRING},
	{"reverseCharge", "reverse_charge", JSON_FIELD_BOOLEAN},
	{"roundOff", "round_off", JSON_FIELD_CENTS},
};

static const JsonField gst_rate_fields[] = {
	{"rate", "rate", JSON_FIELD_NUMBER},
	{"taxableValue", "taxable_value", JSON_FIELD_CENTS},
	{"cgst", "cgst", JSON_FIELD_CENTS},
	{"sgst", "sgst", JSON_FIELD_CENTS},
	{"igst", "igst", JSON_FIELD_CENTS},
	{"tax", "tax", JSON_FIELD_CENTS},
};

/* A child array of Describe: its key, its rows' fields, the statement reading them ($1 org, $2 invoice). */
typedef struct DescribeChild
{
	const char *key;
	const JsonField *fields;
	int			nfields;
	const char *sql;
} DescribeChild;

static const DescribeChild describe_children[] = {
	{"lineItems", line_fields, lengthof_fields(line_fields),
	 "SELECT l.*, COALESCE(l.tax_rate, $3) AS effective_tax_rate FROM invoice.line_items l"
	 " WHERE l.org_id = $1 AND l.invoice_id = $2 ORDER BY l.line_id"},
	{"credits", credit_fields, lengthof_fields(credit_fields),
	 "SELECT c.* FROM invoice.credits c WHERE c.org_id = $1 AND c.invoice_id = $2 ORDER BY c.credit_id"},
	{"payments", payment_fields, lengthof_fields(payment_fields),
	 "SELECT p.* FROM invoice.payments p WHERE p.org_id = $1 AND p.invoice_id = $2 ORDER BY p.payment_id"},
	{"statusHistory", history_fields, lengthof_fields(history_fields),
	 "SELECT h.* FROM invoice.status_history h WHERE h.org_id = $1 AND h.invoice_id = $2 ORDER BY h.history_id"},
};

#define DESCRIBE_CHILDREN lengthof(describe_children)

/* ---- argument checks and conversions ---- */

/* 22004 for a NULL organisation, 22023 when date_to is not later than date_from */
static void
check_filter_args(FunctionCallInfo fcinfo, int org_arg, int from_arg, int to_arg)
{
	(void) invoice_arg_text(fcinfo, org_arg, "organisation id");
	if (!PG_ARGISNULL(from_arg) && !PG_ARGISNULL(to_arg) &&
		timestamp_cmp_internal(PG_GETARG_TIMESTAMPTZ(from_arg), PG_GETARG_TIMESTAMPTZ(to_arg)) >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("date_to must be later than date_from"),
				 errdetail("The range takes invoice dates from date_from (inclusive) up to date_to (exclusive).")));
}

/*
 * invoice_filter_args(org_id, date_from, date_to): true, or 22004 / 22023 for
 * arguments no filter takes.  Called by the SQL of version 0.1 only (its
 * invoice_matches): kept so that a 0.1 database works with this library.
 */
PG_FUNCTION_INFO_V1(invoice_filter_args);
Datum
invoice_filter_args(PG_FUNCTION_ARGS)
{
	check_filter_args(fcinfo, 0, 1, 2);
	PG_RETURN_BOOL(true);
}

/* The rows before a page: 22004 for NULL, 22023 unless page >= 1 and page_size is 1..100. */
static int64
page_offset(FunctionCallInfo fcinfo, int page_arg, int size_arg)
{
	int32		page;
	int32		page_size;

	if (PG_ARGISNULL(page_arg) || PG_ARGISNULL(size_arg))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", PG_ARGISNULL(page_arg) ? "page" : "page size")));
	page = PG_GETARG_INT32(page_arg);
	page_size = PG_GETARG_INT32(size_arg);
	if (page < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("page must be at least 1, not %d", page),
				 errdetail("Pages are numbered from 1.")));
	if (page_size < 1 || page_size > LIST_PAGE_SIZE_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("page size must be between 1 and %d, not %d", LIST_PAGE_SIZE_MAX, page_size)));
	return ((int64) page - 1) * page_size;
}

/* lower(btrim(value)) as SQL computes it, in the database's collation */
static char *
trimmed_lower(text *value)
{
	Datum		trimmed = DirectFunctionCall1(btrim1, PointerGetDatum(value));

	return TextDatumGetCString(DirectFunctionCall1Coll(lower, DEFAULT_COLLATION_OID, trimmed));
}

/*
 * The status a filter argument names: a label of invoice.status or
 * "unpaid" (= pending), in any case; false for blank or "all" (no filter);
 * 22P02 naming the valid values otherwise.
 */
static bool
status_filter_value(text *value, Datum *status)
{
	char	   *label = trimmed_lower(value);

	if (label[0] == '\0' || strcmp(label, "all") == 0)
		return false;			/* seed 003's "All invoices" */
	if (strcmp(label, "unpaid") == 0)
	{
		*status = invoice_status_datum(INVOICE_PENDING);
		return true;
	}
	for (int i = 0; i < INVOICE_STATUS_COUNT; i++)
		if (strcmp(label, invoice_status_name((InvoiceStatus) i)) == 0)
		{
			*status = invoice_status_datum((InvoiceStatus) i);
			return true;
		}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("status must be one of all, draft, pending, unpaid, overdue, paid, cancelled, not \"%s\"",
					text_to_cstring(value))));
	pg_unreachable();
}

/* status_filter(text): the SQL face of status_filter_value; NULL for NULL or blank */
PG_FUNCTION_INFO_V1(invoice_status_filter);
Datum
invoice_status_filter(PG_FUNCTION_ARGS)
{
	Datum		status;

	if (PG_ARGISNULL(0) || !status_filter_value(PG_GETARG_TEXT_PP(0), &status))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(status);
}

/* ---- the filter pipeline of the list and the CSV export ---- */

/*
 * Every statement of the list and the CSV export reads the organisation's
 * invoices that pass the filters given, as built by matches_from(): $1
 * organisation, $2 status, $3 date_from, $4 date_to, $5 search term, $6 page
 * size, $7 rows before the page, $8 the search candidates.  Each combination
 * of filters given has plans of its own, without a test for the filters not
 * given.  A search reads only the invoices among its candidates
 * (invoice_search_candidate_ids) and tests each: the term in the number, the
 * description or a line's description (text_icontains, in the database's
 * default collation, that of the search signatures; the number column's own
 * is "C").  The SQL names the tables only: on a Citus node it runs on the
 * organisation's shards (invoice_tables_sql).
 */
#define LIST_BY_STATUS	0x01
#define LIST_BY_DATE	0x02
#define LIST_BY_SEARCH	0x04
#define LIST_FILTER_SETS 8

static const Oid filter_argtypes_builtin[8] = {TEXTOID, InvalidOid, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID,
												INT8OID, INT8OID, TEXTARRAYOID};

/* "FROM … WHERE …": the invoices i that pass the filters */
static char *
matches_from(int filters)
{
	StringInfoData sql;

	initStringInfo(&sql);
	if (filters & LIST_BY_SEARCH)
		appendStringInfoString(&sql, "FROM pg_catalog.unnest($8) c (invoice_id)"
							   " JOIN invoice.invoices i ON i.org_id = $1 AND i.id = c.invoice_id");
	else
		appendStringInfoString(&sql, "FROM invoice.invoices i");
	/* member_of: a one-time filter, refusing an organisation the caller may not see before any row is read */
	appendStringInfoString(&sql, " WHERE invoice.member_of($1) AND i.org_id = $1");
	if (filters & LIST_BY_STATUS)
		appendStringInfoString(&sql, " AND i.status = $2");
	if (filters & LIST_BY_DATE)
		appendStringInfoString(&sql, " AND i.invoice_date >= COALESCE($3, '-infinity')"
							   " AND i.invoice_date < COALESCE($4, 'infinity')");
	if (filters & LIST_BY_SEARCH)
		appendStringInfoString(&sql, " AND (invoice.text_icontains(i.number, $5 COLLATE \"default\")"
							   " OR invoice.text_icontains(i.description, $5 COLLATE \"default\")"
							   " OR EXISTS (SELECT FROM invoice.line_items l"
							   " WHERE l.org_id = i.org_id AND l.invoice_id = i.id"
							   " AND invoice.text_icontains(l.description, $5 COLLATE \"default\")))");
	return sql.data;
}

/* The filters of a call: status ($2, a label or NULL), dates ($3, $4), search ($5, $8). */
typedef struct ListFilters
{
	int			given;			/* LIST_BY_* */
	Datum		values[8];
	char		nulls[9];
} ListFilters;

/*
 * The filter arguments of a call (org_arg, then status, date_from, date_to,
 * search at the argument numbers given), checked: 22004 for a NULL
 * organisation, 22P02 for an unknown status, 22023 for a bad range or term.
 */
static void
read_filters(FunctionCallInfo fcinfo, ListFilters *f, int org_arg, int status_arg, int from_arg, int search_arg)
{
	text	   *term = NULL;

	memset(f, 0, sizeof(*f));
	memset(f->nulls, 'n', 8);
	if (!PG_ARGISNULL(status_arg) && status_filter_value(PG_GETARG_TEXT_PP(status_arg), &f->values[1]))
		f->nulls[1] = ' ';
	if (!PG_ARGISNULL(search_arg))
		term = invoice_search_term(PG_GETARG_TEXT_PP(search_arg));
	check_filter_args(fcinfo, org_arg, from_arg, from_arg + 1);

	f->values[0] = PG_GETARG_DATUM(org_arg);
	f->nulls[0] = ' ';
	for (int i = 0; i < 2; i++)
		if (!PG_ARGISNULL(from_arg + i))
		{
			f->values[2 + i] = PG_GETARG_DATUM(from_arg + i);
			f->nulls[2 + i] = ' ';
		}
	if (term != NULL)
	{
		f->values[4] = PointerGetDatum(term);
		f->nulls[4] = ' ';
	}
	f->given = (f->nulls[1] == ' ' ? LIST_BY_STATUS : 0) |
		(f->nulls[2] == ' ' || f->nulls[3] == ' ' ? LIST_BY_DATE : 0) |
		(term != NULL ? LIST_BY_SEARCH : 0);
}

/*
 * Inside SPI: the search candidates of a call that searches, as $8.  The
 * signatures are read straight from their index, under no policy: for an
 * organisation the caller may not see, none are read (the same work whether
 * it exists or not); the statements then refuse it in matches_from's
 * member_of, before any row is read.
 */
static void
read_candidates(ListFilters *f)
{
	text	   *org_id = DatumGetTextPP(f->values[0]);

	if (!(f->given & LIST_BY_SEARCH))
		return;
	f->values[7] = invoice_org_visible(org_id) ? invoice_search_candidate_ids(org_id, DatumGetTextPP(f->values[4]))
		: PointerGetDatum(construct_empty_array(TEXTOID));
	f->nulls[7] = ' ';
}

/*
 * The list's statements.  The first page reads its rows as it goes down the
 * index; a later page finds its ids index-only, skipping the rows before it
 * without visiting them, then reads its rows one by one by key (OFFSET 0
 * keeps the planner from joining them by a scan of all the organisation's
 * invoices, which a generic plan prefers when one organisation holds much of
 * the table).  %1$s: matches_from(), %2$s: the List item's columns of i (of
 * j for a later page).
 */
typedef enum ListStatement
{
	LIST_COUNT,					/* how many match */
	LIST_FIRST_PAGE,			/* page 1 */
	LIST_LATER_PAGE,			/* page n */
	LIST_ALL,					/* searching: every match, in order (count and page in one pass) */
	LIST_CSV,					/* the CSV export: every match, in order, as the view invoice_csv's rows */
	LIST_STATEMENTS
} ListStatement;

#define LIST_ORDER " ORDER BY i.invoice_date DESC, i.id"

static const char *const list_sql[LIST_STATEMENTS] = {
	"SELECT pg_catalog.count(*) %1$s",
	"SELECT %2$s %1$s" LIST_ORDER " LIMIT $6",
	"SELECT r.*"
	"  FROM (SELECT i.id, i.invoice_date %1$s" LIST_ORDER " LIMIT $6 OFFSET $7) p"
	" CROSS JOIN LATERAL (SELECT %2$s FROM invoice.invoices j WHERE j.org_id = $1 AND j.id = p.id OFFSET 0) r"
	" ORDER BY p.invoice_date DESC, p.id",
	"SELECT %2$s %1$s" LIST_ORDER,
	"SELECT %2$s %1$s" LIST_ORDER,
};

/*
 * The columns of the view invoice.invoice_csv (sql/ext/60_json_api.sql), in
 * its order, of i: the export's rows are that view's (a test compares them).
 */
static const char csv_columns[] =
	"i.org_id, i.id, i.number, i.description, i.status,"
	" invoice.json_time(i.period_start) COLLATE \"C\", invoice.json_time(i.period_end) COLLATE \"C\","
	" invoice.json_time(i.invoice_date) COLLATE \"C\", invoice.json_time(i.due_date) COLLATE \"C\","
	" invoice.json_time(i.paid_at) COLLATE \"C\", i.currency, i.tax_rate,"
	" i.usage_amount::numeric, i.credits_applied::numeric, i.subtotal::numeric, i.tax::numeric,"
	" i.total::numeric, i.already_billed_amount::numeric, i.advance_pay_amount::numeric,"
	" i.amount_due::numeric, i.round_off::numeric";

/*
 * Plans have a parameter of type invoice.status, prepared for its OID: if
 * the extension is dropped and created again in this backend they are
 * prepared anew.
 */
static Oid	list_plans_status_type = InvalidOid;
static SPIPlanPtr list_plans[LIST_STATEMENTS][LIST_FILTER_SETS];

static SPIPlanPtr
list_plan(ListStatement statement, int filters)
{
	Oid			argtypes[8];
	const char *columns;

	memcpy(argtypes, filter_argtypes_builtin, sizeof(argtypes));
	argtypes[1] = invoice_status_type();
	if (argtypes[1] != list_plans_status_type)
	{
		for (int i = 0; i < LIST_STATEMENTS; i++)
			for (int f = 0; f < LIST_FILTER_SETS; f++)
				invoice_forget_plans(&list_plans[i][f]);
		list_plans_status_type = argtypes[1];
	}
	if (statement == LIST_CSV)
		columns = csv_columns;
	else
		columns = json_field_columns(invoice_fields, LIST_FIELDS, statement == LIST_LATER_PAGE ? "j" : "i");
	return invoice_prepare_generic(&list_plans[statement][filters],
								   psprintf(list_sql[statement], matches_from(filters), columns),
								   lengthof(argtypes), argtypes);
}

/* Run a kept plan that reads; its rows in SPI_tuptable. */
static void
run_select(SPIPlanPtr plan, Datum *values, const char *nulls, const char *what)
{
	if (SPI_execute_plan(plan, values, nulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading %s failed", what);
}

/* ---- List Invoices ---- */

/*
 * invoice_list(org_id, page, page_size, status, date_from, date_to, search):
 * {"code" : 0, "data" : {"count", "currentPage", "pageSize", "invoices"}}
 *
 * Two statements: the page and, unless the page ends before it is full,
 * the count, an index-only pass over the organisation's matching invoices.
 * The first page reads its rows as it goes down the index; a later one
 * finds its ids index-only, skipping the rows before it without visiting
 * them, and then reads just those rows.  A search instead reads every
 * match once (count and page from the same pass), going only to the
 * invoices whose search signature may hold the term
 * (invoice_search_candidate_ids).
 */
static Datum list_here(PG_FUNCTION_ARGS);

PG_FUNCTION_INFO_V1(invoice_list);
Datum
invoice_list(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr node_plan = NULL;

	return invoice_call_for_org(fcinfo, list_here, &node_plan,
								"invoice.invoice_list(o.org_id, $2, $3, $4, $5, $6, $7)");
}

static Datum
list_here(PG_FUNCTION_ARGS)
{
	int64		offset;
	int32		page;
	int32		page_size;
	ListFilters f;
	int64		count;
	bool		isnull;
	SPITupleTable *rows = NULL;
	int64		first = 0;		/* of rows, the first on the page */
	uint64		nrows = 0;
	JsonRowWriter writer;
	StringInfoData buf;
	int			nest_level;

	(void) invoice_arg_text(fcinfo, 0, "organisation id");
	offset = page_offset(fcinfo, 1, 2);
	page = PG_GETARG_INT32(1);
	page_size = PG_GETARG_INT32(2);
	read_filters(fcinfo, &f, 0, 3, 4, 6);
	f.values[5] = Int64GetDatum(page_size);
	f.values[6] = Int64GetDatum(offset);
	f.nulls[5] = f.nulls[6] = ' ';

	initStringInfo(&buf);
	SPI_connect();
	nest_level = invoice_pin_search_path();

	if (f.given & LIST_BY_SEARCH)
	{
		read_candidates(&f);
		run_select(list_plan(LIST_ALL, f.given), f.values, f.nulls, "the matching invoices");
		count = (int64) SPI_processed;
		rows = SPI_tuptable;
		first = Min(offset, count);
		nrows = (uint64) Min((int64) page_size, count - first);
	}
	else
	{
		run_select(list_plan(offset == 0 ? LIST_FIRST_PAGE : LIST_LATER_PAGE, f.given), f.values, f.nulls,
				   "the invoice page");
		rows = SPI_tuptable;
		nrows = SPI_processed;
		/* a page that ends before it is full tells the count (the same snapshot) */
		if (nrows > 0 && nrows < (uint64) page_size)
			count = offset + (int64) nrows;
		else
		{
			run_select(list_plan(LIST_COUNT, f.given), f.values, f.nulls, "the invoice count");
			count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		}
	}

	appendStringInfo(&buf, "{\"code\" : 0, \"data\" : {\"count\" : " INT64_FORMAT
					 ", \"currentPage\" : %d, \"pageSize\" : %d, \"invoices\" : ",
					 count, page, page_size);
	if (nrows > 0)
	{
		json_row_writer_init(&writer, invoice_fields, LIST_FIELDS, rows->tupdesc);
		json_write_array(&buf, &writer, rows->vals + first, nrows);
	}
	else
		appendStringInfoString(&buf, "[]");
	appendStringInfoString(&buf, "}}");

	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

/*
 * invoice_csv(org_id, status, date_from, date_to, search): the CSV export,
 * the list's filters and order, the rows of the view invoice_csv.  Read
 * through a cursor into the function's tuplestore (which spills to disk):
 * memory stays bounded however many invoices the organisation has.
 */
static Datum csv_here(PG_FUNCTION_ARGS);

PG_FUNCTION_INFO_V1(invoice_csv);
Datum
invoice_csv(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr node_plan = NULL;

	return invoice_rows_for_org(fcinfo, csv_here, &node_plan, "invoice.invoice_csv(o.org_id, $2, $3, $4, $5)");
}

static Datum
csv_here(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ListFilters f;
	int			nest_level;

	read_filters(fcinfo, &f, 0, 1, 2, 4);
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	SPI_connect();
	nest_level = invoice_pin_search_path();
	read_candidates(&f);
	invoice_rows_into(rsinfo->setResult, list_plan(LIST_CSV, f.given), f.values, f.nulls);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	return (Datum) 0;
}

/*
 * invoice_list_item(invoices): an invoice as List Invoices shows it.  The
 * fields are resolved once per row type (in fn_extra).
 */
PG_FUNCTION_INFO_V1(invoice_list_item);
Datum
invoice_list_item(PG_FUNCTION_ARGS)
{
	HeapTupleHeader header = PG_GETARG_HEAPTUPLEHEADER(0);
	Oid			type_id = HeapTupleHeaderGetTypeId(header);
	int32		type_mod = HeapTupleHeaderGetTypMod(header);
	JsonRowWriter *writer = fcinfo->flinfo->fn_extra;
	HeapTupleData row;
	StringInfoData buf;

	if (writer == NULL || writer->tupdesc->tdtypeid != type_id || writer->tupdesc->tdtypmod != type_mod)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		TupleDesc	tupdesc = lookup_rowtype_tupdesc_copy(type_id, type_mod);

		writer = palloc(sizeof(JsonRowWriter));
		json_row_writer_init(writer, invoice_fields, LIST_FIELDS, tupdesc);
		fcinfo->flinfo->fn_extra = writer;
		MemoryContextSwitchTo(old);
	}
	row.t_len = HeapTupleHeaderGetDatumLength(header);
	ItemPointerSetInvalid(&row.t_self);
	row.t_tableOid = InvalidOid;
	row.t_data = header;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	json_write_fields(&buf, writer, &row);
	appendStringInfoChar(&buf, '}');
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

/* ---- Invoice summary ---- */

/*
 * Amounts in different currencies do not add up: the totals are per
 * currency, and at the top only when there is a single currency.  Read with
 * the caller's rights (row-level security decides what is counted);
 * member_of($1), a one-time filter, refuses an organisation the caller may
 * not see before its invoices are scanned.
 */
#define SUMMARY_SQL \
	"WITH per_currency AS (" \
	"    SELECT i.currency," \
	"           COALESCE(@cents@.sum(i.total) FILTER (WHERE i.status = 'paid'), '0') AS paid," \
	"           COALESCE(@cents@.sum(i.amount_due) FILTER (WHERE i.status = 'pending'), '0') AS pending," \
	"           COALESCE(@cents@.sum(i.amount_due) FILTER (WHERE i.status = 'overdue'), '0') AS overdue," \
	"           pg_catalog.count(*) FILTER (WHERE i.status = 'paid') AS paid_count," \
	"           pg_catalog.count(*) FILTER (WHERE i.status = 'pending') AS pending_count," \
	"           pg_catalog.count(*) FILTER (WHERE i.status = 'overdue') AS overdue_count" \
	"      FROM invoice.invoices i" \
	"     WHERE i.org_id = $1 AND invoice.member_of($1) AND i.status IN ('pending', 'overdue', 'paid')" \
	"     GROUP BY i.currency" \
	")" \
	"SELECT pg_catalog.json_build_object(" \
	"    'totalPaid', CASE WHEN pg_catalog.count(*) <= 1 THEN COALESCE(@cents@.sum(c.paid), '0') END," \
	"    'totalPending', CASE WHEN pg_catalog.count(*) <= 1 THEN COALESCE(@cents@.sum(c.pending), '0') END," \
	"    'totalOverdue', CASE WHEN pg_catalog.count(*) <= 1 THEN COALESCE(@cents@.sum(c.overdue), '0') END," \
	"    'paidCount', COALESCE(pg_catalog.sum(c.paid_count), 0)::bigint," \
	"    'pendingCount', COALESCE(pg_catalog.sum(c.pending_count), 0)::bigint," \
	"    'overdueCount', COALESCE(pg_catalog.sum(c.overdue_count), 0)::bigint," \
	"    'currency', CASE WHEN pg_catalog.count(*) = 1 THEN pg_catalog.min(c.currency) END," \
	"    'byCurrency', COALESCE(pg_catalog.json_agg(pg_catalog.json_build_object(" \
	"                      'currency', c.currency," \
	"                      'totalPaid', c.paid," \
	"                      'totalPending', c.pending," \
	"                      'totalOverdue', c.overdue," \
	"                      'paidCount', c.paid_count," \
	"                      'pendingCount', c.pending_count," \
	"                      'overdueCount', c.overdue_count) ORDER BY c.currency), '[]'::json))" \
	"  FROM per_currency c"

static Datum
summary_here(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr plan = NULL;
	Datum		org_id = PointerGetDatum(invoice_arg_text(fcinfo, 0, "organisation id"));
	Datum		result;
	bool		isnull;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();
	run_select(invoice_prepare(&plan, SUMMARY_SQL, 1, (Oid[]) {TEXTOID}), &org_id, NULL, "the summary");
	result = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull), false, -1);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/* invoice_summary(org_id): an organisation's totals in integer cents, on its node */
PG_FUNCTION_INFO_V1(invoice_summary);
Datum
invoice_summary(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr node_plan = NULL;

	return invoice_call_for_org(fcinfo, summary_here, &node_plan, "invoice.invoice_summary(o.org_id)");
}

/* ---- Describe Invoice ---- */

/*
 * The Describe object of an invoice onto buf, false when there is none (or
 * row-level security hides it).  Without an organisation (org_id NULL), the
 * invoice is found by id alone: when not exactly one invoice the caller may
 * read has it, invoice_lock_by_id raises P0002 or 21000.  Inside SPI,
 * search path pinned.
 */
static bool
describe_write(StringInfo buf, Datum org_id, Datum id)
{
	static SPIPlanPtr by_key_plan = NULL;
	static SPIPlanPtr by_id_plan = NULL;
	static SPIPlanPtr child_plans[DESCRIBE_CHILDREN];
	static SPIPlanPtr gst_plan = NULL;
	static SPIPlanPtr gst_rates_plan = NULL;
	Oid			argtypes[3] = {TEXTOID, TEXTOID, NUMERICOID};
	Datum		values[3] = {org_id, id, (Datum) 0};
	char		nulls[3] = {org_id == (Datum) 0 ? 'n' : ' ', ' ', 'n'};	/* unused parameters are NULL, never garbage */
	HeapTuple	invoice;
	TupleDesc	invoice_desc;
	JsonRowWriter writer;
	bool		isnull;
	bool		gst;

	if (org_id != (Datum) 0)
		run_select(invoice_prepare_generic(&by_key_plan,
										   "SELECT i.* FROM invoice.invoices i WHERE i.org_id = $1 AND i.id = $2",
										   2, argtypes),
				   values, nulls, "the invoice");
	else
	{
		run_select(invoice_prepare_generic(&by_id_plan,
										   "SELECT i.* FROM invoice.invoices i WHERE i.id = $2 LIMIT 2",
										   2, argtypes),
				   values, nulls, "the invoice");
		if (SPI_processed != 1)
		{
			char	   *org_text;

			(void) invoice_lock_by_id(DatumGetTextPP(id), &org_text, INVOICE_ACCESS_READ, "read");
			elog(ERROR, "invoice lookup disagrees with invoice_lock_by_id");
		}
	}
	if (SPI_processed == 0)
		return false;
	invoice = SPI_tuptable->vals[0];
	invoice_desc = SPI_tuptable->tupdesc;
	values[0] = SPI_getbinval(invoice, invoice_desc, SPI_fnumber(invoice_desc, "org_id"), &isnull);
	nulls[0] = ' ';
	values[2] = SPI_getbinval(invoice, invoice_desc, SPI_fnumber(invoice_desc, "tax_rate"), &isnull);
	nulls[2] = isnull ? 'n' : ' ';
	/* a GST tax invoice has a "gst" object: its statements run only for one */
	gst = DatumGetBool(SPI_getbinval(invoice, invoice_desc, SPI_fnumber(invoice_desc, "gst"), &isnull)) && !isnull;

	appendStringInfoChar(buf, '{');
	json_row_writer_init(&writer, invoice_fields, lengthof_fields(invoice_fields), invoice_desc);
	json_write_fields(buf, &writer, invoice);

	for (int i = 0; i < (int) DESCRIBE_CHILDREN; i++)
	{
		const DescribeChild *child = &describe_children[i];

		invoice_prepare_generic(&child_plans[i], child->sql, 3, argtypes);
		run_select(child_plans[i], values, nulls, child->key);
		appendBinaryStringInfo(buf, ", ", 2);
		json_write_key(buf, child->key);
		json_row_writer_init(&writer, child->fields, child->nfields, SPI_tuptable->tupdesc);
		json_write_array(buf, &writer, SPI_tuptable->vals, SPI_processed);
	}

	appendBinaryStringInfo(buf, ", ", 2);
	json_write_key(buf, "gst");
	if (!gst)
	{
		appendBinaryStringInfo(buf, "null}", 5);
		return true;
	}
	run_select(invoice_prepare_generic(&gst_plan,
									   "SELECT coalesce(i.place_of_supply, o.billing_state, left(o.gstin, 2), s.state_code) AS place_of_supply,"
									   "       coalesce(i.gst_intra_state,"
									   "                invoice.gst_intra_state(true, o.billing_state, o.gstin, s.state_code)) AS intra_state,"
									   "       s.gstin AS supplier_gstin, o.gstin AS recipient_gstin,"
									   "       invoice.gstin_kind(o.gstin) AS recipient_kind, i.reverse_charge,"
									   "       i.round_off"
									   "  FROM invoice.invoices i JOIN invoice.orgs o ON o.org_id = i.org_id"
									   "  LEFT JOIN invoice.supplier s ON true"
									   " WHERE i.org_id = $1 AND i.id = $2 AND i.gst",
									   3, argtypes),
			   values, nulls, "gst");
	if (SPI_processed == 0)
		appendBinaryStringInfo(buf, "null", 4);
	else
	{
		appendStringInfoChar(buf, '{');
		json_row_writer_init(&writer, gst_fields, lengthof_fields(gst_fields), SPI_tuptable->tupdesc);
		json_write_fields(buf, &writer, SPI_tuptable->vals[0]);
		run_select(invoice_prepare_generic(&gst_rates_plan,
										   "SELECT t.* FROM invoice.invoice_tax_summary($2) t ORDER BY t.rate",
										   3, argtypes),
				   values, nulls, "gst rates");
		appendBinaryStringInfo(buf, ", ", 2);
		json_write_key(buf, "rates");
		json_row_writer_init(&writer, gst_rate_fields, lengthof_fields(gst_rate_fields), SPI_tuptable->tupdesc);
		json_write_array(buf, &writer, SPI_tuptable->vals, SPI_processed);
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoChar(buf, '}');
	return true;
}

/*
 * invoice_describe_data(org_id, id): the Describe object, NULL when there
 * is no such invoice (for the invoice_describe_json view).
 */
PG_FUNCTION_INFO_V1(invoice_describe_data);
Datum
invoice_describe_data(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	bool		found;
	int			nest_level;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	initStringInfo(&buf);
	SPI_connect();
	nest_level = invoice_pin_search_path();
	found = describe_write(&buf, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1));
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	if (!found)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

/*
 * invoice_describe(id): {"code" : 0, "data" : {…}}; 22004 for NULL, P0002
 * for an id no invoice the caller may read has, 21000 when two
 * organisations use it.
 */
PG_FUNCTION_INFO_V1(invoice_describe);
Datum
invoice_describe(PG_FUNCTION_ARGS)
{
	text	   *id = invoice_arg_text(fcinfo, 0, "invoice id");
	StringInfoData buf;
	int			nest_level;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"code\" : 0, \"data\" : ");
	SPI_connect();
	nest_level = invoice_pin_search_path();
	(void) describe_write(&buf, (Datum) 0, PointerGetDatum(id));
	appendStringInfoChar(&buf, '}');
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}
