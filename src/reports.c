/*
 * reports.c
 *		Who reads the finance reports, and the argument checks the SQL reports
 *		(sql/ext/85_reports.sql) share.
 *
 * The supplier's finance role is the database role invoice_finance: the
 * roles that have its privileges read every organisation's rows (a
 * finance_read policy on each table), read-only.  A role, not a table of
 * names, so that PostgreSQL checks it (GRANT invoice_finance TO alice), every
 * node of a Citus cluster answers alike (Citus propagates roles and grants),
 * and the answer costs no query.
 */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "executor/spi.h"
#include "invoice.h"
#include "miscadmin.h"
#include "reports.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#define FINANCE_ROLE "invoice_finance"

static bool
acting_role_is_finance(void)
{
	Oid			finance = get_role_oid(FINANCE_ROLE, true);

	return OidIsValid(finance) && has_privs_of_role(invoice_acting_role(), finance);
}

/* finance_reader(): does the acting role read as the supplier's finance team? */
PG_FUNCTION_INFO_V1(invoice_finance_reader);
Datum
invoice_finance_reader(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(acting_role_is_finance());
}

static void
check_instant(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
	if (TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(argno)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite timestamp", name)));
}

/* report_instant(as_of): true, or the error for an instant no report takes */
PG_FUNCTION_INFO_V1(invoice_report_instant);
Datum
invoice_report_instant(PG_FUNCTION_ARGS)
{
	check_instant(fcinfo, 0, "as_of");
	PG_RETURN_BOOL(true);
}

void
invoice_check_report_period(FunctionCallInfo fcinfo, int from_arg, int to_arg)
{
	check_instant(fcinfo, from_arg, "period_from");
	check_instant(fcinfo, to_arg, "period_to");
	if (PG_GETARG_TIMESTAMPTZ(to_arg) <= PG_GETARG_TIMESTAMPTZ(from_arg))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period_to must be later than period_from")));
}

/* report_period(from, to): true, or the error for a period no report takes */
PG_FUNCTION_INFO_V1(invoice_report_period);
Datum
invoice_report_period(PG_FUNCTION_ARGS)
{
	invoice_check_report_period(fcinfo, 0, 1);
	PG_RETURN_BOOL(true);
}

/*
 * The arguments of gstr1 (gstin, fp) and its caller: a return covers the supplier's whole business, so
 * only the finance role and billing administrators may ask for it (a member
 * would get a return made of its own organisation's rows); fp is MMYYYY and
 * the GSTIN is the supplier's own.
 */
void
invoice_check_gstr1(FunctionCallInfo fcinfo)
{
	char	   *gstin;
	char	   *fp;
	char	   *supplier_gstin = NULL;
	int			month;

	if (!acting_role_is_finance() && !invoice_acting_role_is_administrator())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to read the GSTR-1 return"),
				 errdetail("A return covers every organisation: only the finance role (" FINANCE_ROLE
						   ") and billing administrators read it.")));
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", PG_ARGISNULL(0) ? "gstin" : "return period")));
	gstin = text_to_cstring(PG_GETARG_TEXT_PP(0));
	fp = text_to_cstring(PG_GETARG_TEXT_PP(1));
	if (strlen(fp) != 6 || strspn(fp, "0123456789") != 6 ||
		(month = (fp[0] - '0') * 10 + (fp[1] - '0')) < 1 || month > 12 || strcmp(fp + 2, "0000") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid return period \"%s\"", fp),
				 errhint("A return period is MMYYYY, as the GST portal writes it: \"032024\" for March 2024.")));

	SPI_connect();
	if (SPI_execute("SELECT s.gstin::text FROM invoice.supplier s", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "reading the supplier failed");
	if (SPI_processed == 1)
		supplier_gstin = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (supplier_gstin == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the supplier has no GSTIN"),
				 errhint("Set invoice.supplier.gstin.")));
	if (strcmp(supplier_gstin, gstin) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("GSTIN \"%s\" is not the supplier's", gstin),
				 errdetail("The supplier files as %s.", supplier_gstin)));
	SPI_finish();
}

/* gstr1_check(gstin, fp): true, or the error gstr1 would raise for its arguments */
PG_FUNCTION_INFO_V1(invoice_gstr1_check);
Datum
invoice_gstr1_check(PG_FUNCTION_ARGS)
{
	invoice_check_gstr1(fcinfo);
	PG_RETURN_BOOL(true);
}
