/*
 * security.c
 *		Who may do what: organisation members (owner, billing_admin, viewer)
 *		and the billing administrators who run the system.
 *
 * Reads are left to row-level security (policies on every table of an
 * organisation's data, sql/ext/90_security.sql).  The functions that write
 * run as SECURITY DEFINER, so they check here, against the role that called
 * them — the outer role, as set by SET ROLE, not the definer — and answer
 * for an invoice of another organisation exactly as for one that does not
 * exist.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "invoice.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

Oid
invoice_acting_role(void)
{
	return GetOuterUserId();
}

/* Superusers, BYPASSRLS roles and members of the tables' owner administer billing. */
static bool
role_is_administrator(Oid role)
{
	Oid			invoices = get_relname_relid("invoices", get_namespace_oid("invoice", false));

	return superuser_arg(role) || has_bypassrls_privilege(role) ||
		(OidIsValid(invoices) && pg_class_ownercheck(invoices, role));
}

bool
invoice_acting_role_is_administrator(void)
{
	return role_is_administrator(invoice_acting_role());
}

void
invoice_require_administrator(const char *action)
{
	if (!invoice_acting_role_is_administrator())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to %s", action),
				 errdetail("Only billing administrators may do that.")));
}

InvoiceAccess
invoice_access_to_org(const char *org_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			role = invoice_acting_role();
	Datum		values[2];
	char	   *membership;

	if (role_is_administrator(role))
		return INVOICE_ACCESS_ADMIN;
	invoice_prepare(&plan,
					"SELECT m.role FROM invoice.members m WHERE m.org_id = $1 AND m.member = $2",
					2, (Oid[]) {TEXTOID, NAMEOID});
	values[0] = CStringGetTextDatum(org_id);
	values[1] = DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(role, false)));
	if (SPI_execute_plan(plan, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "membership lookup failed");
	if (SPI_processed == 0)
		return INVOICE_ACCESS_NONE;
	membership = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	return strcmp(membership, "viewer") == 0 ? INVOICE_ACCESS_READ : INVOICE_ACCESS_MANAGE;
}

void
invoice_require_access(InvoiceAccess granted, InvoiceAccess needed, const char *kind,
					   const char *id, const char *action)
{
	if (granted == INVOICE_ACCESS_NONE)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("%s \"%s\" does not exist", kind, id)));
	if (granted < needed)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to %s %s \"%s\"", action, kind, id),
				 errdetail(needed == INVOICE_ACCESS_ADMIN
						   ? "Only billing administrators may do that."
						   : "Viewers may read an organisation's invoices, not pay, cancel or dispute them.")));
}

/* acting_role(): the role on whose behalf the extension acts (SET ROLE's, not a definer's) */
PG_FUNCTION_INFO_V1(invoice_acting_role_name);
Datum
invoice_acting_role_name(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(invoice_acting_role(), false))));
}
