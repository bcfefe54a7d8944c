/*
 * json_api.c
 *		Argument checks of the JSON API functions (sql/ext/60_json_api.sql).
 *
 * The API functions are LANGUAGE sql, so that each call is one query plan
 * that the planner sees whole.  SQL cannot raise an error of its choosing,
 * though, so the checks that must fail with a specific SQLSTATE live here
 * and are called from the SQL as expressions.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "invoice.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#define LIST_PAGE_SIZE_MAX 100

/* invoice_org_id(id): the organisation of an invoice the caller may read; P0002 when none has that id, 21000 when two do */
PG_FUNCTION_INFO_V1(invoice_org_id);
Datum
invoice_org_id(PG_FUNCTION_ARGS)
{
	text	   *id = invoice_arg_text(fcinfo, 0, "invoice id");
	char	   *org_id;
	Datum		result;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();
	(void) invoice_lock_by_id(id, &org_id, INVOICE_ACCESS_READ, "read");
	result = SPI_datumTransfer(CStringGetTextDatum(org_id), false, -1);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/* invoice_filter_args(org_id, date_from, date_to): true, or 22004 / 22023 for arguments no filter takes */
PG_FUNCTION_INFO_V1(invoice_filter_args);
Datum
invoice_filter_args(PG_FUNCTION_ARGS)
{
	(void) invoice_arg_text(fcinfo, 0, "organisation id");
	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2) &&
		timestamp_cmp_internal(PG_GETARG_TIMESTAMPTZ(1), PG_GETARG_TIMESTAMPTZ(2)) >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("date_to must be later than date_from"),
				 errdetail("The range takes invoice dates from date_from (inclusive) up to date_to (exclusive).")));
	PG_RETURN_BOOL(true);
}

/* invoice_page_offset(page, page_size): rows before the page; 22004 for NULL, 22023 unless page >= 1 and page_size is 1..100 */
PG_FUNCTION_INFO_V1(invoice_page_offset);
Datum
invoice_page_offset(PG_FUNCTION_ARGS)
{
	int32		page;
	int32		page_size;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", PG_ARGISNULL(0) ? "page" : "page size")));
	page = PG_GETARG_INT32(0);
	page_size = PG_GETARG_INT32(1);
	if (page < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("page must be at least 1, not %d", page),
				 errdetail("Pages are numbered from 1.")));
	if (page_size < 1 || page_size > LIST_PAGE_SIZE_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("page size must be between 1 and %d, not %d", LIST_PAGE_SIZE_MAX, page_size)));
	PG_RETURN_INT64(((int64) page - 1) * page_size);
}
