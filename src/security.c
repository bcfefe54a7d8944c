/*
 * security.c
 *		Who may do what: organisation members (owner, billing_admin, viewer)
 *		and the billing administrators who run the system.
 *
 * Reads are left to row-level security (policies on every table of an
 * organisation's data, sql/ext/90_security.sql).  The functions that write
 * run with the rights of the tables' owner, as SECURITY DEFINER functions
 * would, but switch to them themselves (invoice_call_as_owner): that way the
 * role that called them is known exactly — current_user at the call, which
 * inside a maintenance operation (ANALYZE running an index expression) or
 * another role's SECURITY DEFINER function is that role, not the session's —
 * and every check here is made against it.  An invoice of another
 * organisation answers exactly as one that does not exist.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "invoice.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/memutils.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "utils/array.h"

/* The caller of the outermost extension function running as the owner, if any. */
static Oid	acting_role_override = InvalidOid;

Oid
invoice_acting_role(void)
{
	return OidIsValid(acting_role_override) ? acting_role_override : GetUserId();
}

static Oid
tables_owner(void)
{
	Oid			invoices = get_relname_relid("invoices", get_namespace_oid("invoice", false));
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(invoices));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "table invoice.invoices not found");
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

Datum
invoice_call_as_owner(FunctionCallInfo fcinfo, PGFunction impl)
{
	Oid			saved_user;
	int			saved_context;
	Oid			saved_override = acting_role_override;
	Datum		result;

	GetUserIdAndSecContext(&saved_user, &saved_context);
	if (!OidIsValid(acting_role_override))
		acting_role_override = saved_user;
	SetUserIdAndSecContext(tables_owner(), saved_context | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		result = impl(fcinfo);
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(saved_user, saved_context);
		acting_role_override = saved_override;
	}
	PG_END_TRY();
	return result;
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

InvoiceStatus
invoice_lock_by_id(text *id, char **org_id, InvoiceAccess needed, const char *action)
{
	static SPIPlanPtr find_plan = NULL;
	static SPIPlanPtr lock_plan = NULL;
	char	   *id_str = text_to_cstring(id);
	SPITupleTable *found;
	uint64		nfound;
	int			visible = 0;
	InvoiceAccess access = INVOICE_ACCESS_NONE;
	bool		isnull;
	InvoiceStatus status = INVOICE_DRAFT;

	/*
	 * Find without locking and decide access first: a lock taken on another
	 * organisation's invoice would make a caller wait where an unknown id
	 * answers at once, telling the two apart.
	 */
	invoice_prepare(&find_plan,
					"SELECT i.org_id, i.status FROM invoice.invoices i WHERE i.id = $1 ORDER BY i.org_id",
					1, (Oid[]) {TEXTOID});
	if (SPI_execute_plan(find_plan, (Datum[]) {PointerGetDatum(id)}, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "invoice lookup failed");
	found = SPI_tuptable;
	nfound = SPI_processed;
	for (uint64 row = 0; row < nfound; row++)
	{
		char	   *row_org = SPI_getvalue(found->vals[row], found->tupdesc, 1);

		/* readers run with the caller's rights: row-level security already hid what it may not see */
		InvoiceAccess row_access = needed == INVOICE_ACCESS_READ ? INVOICE_ACCESS_READ
			: invoice_access_to_org(row_org);

		if (row_access == INVOICE_ACCESS_NONE)
			continue;
		if (++visible > 1)
			ereport(ERROR,
					(errcode(ERRCODE_CARDINALITY_VIOLATION),
					 errmsg("invoice id \"%s\" is used by more than one organisation", id_str),
					 errhint("Give invoices ids that are unique across organisations, as generated ids are.")));
		*org_id = row_org;
		access = row_access;
		status = invoice_status_from_datum(SPI_getbinval(found->vals[row], found->tupdesc, 2, &isnull));
	}
	invoice_require_access(access, needed, "invoice", id_str, action);
	if (needed == INVOICE_ACCESS_READ)
		return status;

	/* readers take no lock (read-only transactions, standbys); writers lock and read the status again */
	invoice_prepare(&lock_plan,
					"SELECT i.status FROM invoice.invoices i WHERE i.org_id = $1 AND i.id = $2 FOR NO KEY UPDATE",
					2, (Oid[]) {TEXTOID, TEXTOID});
	if (SPI_execute_plan(lock_plan, (Datum[]) {CStringGetTextDatum(*org_id), PointerGetDatum(id)},
						 NULL, false, 0) != SPI_OK_SELECT || SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("invoice \"%s\" does not exist", id_str)));
	return invoice_status_from_datum(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/* acting_role(): the role on whose behalf the extension acts (SET ROLE's, not a definer's) */
PG_FUNCTION_INFO_V1(invoice_acting_role_name);
Datum
invoice_acting_role_name(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(invoice_acting_role(), false))));
}

static Datum
member_orgs_as_owner(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr plan = NULL;
	Datum		role = DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(invoice_acting_role(), false)));
	bool		isnull;
	Datum		result;

	SPI_connect();
	invoice_prepare(&plan,
					"SELECT coalesce(array_agg(m.org_id), '{}') FROM invoice.members m WHERE m.member = $1",
					1, (Oid[]) {NAMEOID});
	if (SPI_execute_plan(plan, &role, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "membership lookup failed");
	result = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull), false, -1);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/*
 * Answers about the acting role's memberships hold for one command of one
 * transaction (the snapshot is the same): a cache is valid for its key.
 */
typedef struct CommandKey
{
	Oid			role;
	LocalTransactionId lxid;
	CommandId	cid;
} CommandKey;

static CommandKey
current_command_key(void)
{
	return (CommandKey) {invoice_acting_role(), MyProc->lxid, GetCurrentCommandId(false)};
}

static bool
same_command(const CommandKey *a, const CommandKey *b)
{
	return a->role == b->role && a->lxid == b->lxid && a->cid == b->cid;
}

/*
 * member_orgs(): the organisations the acting role is a member of (what
 * row-level security lets it see).  A query reading several tables asks once
 * per table; within one command of one transaction the answer cannot change
 * (the snapshot is the same), so it is kept for the command.
 */
PG_FUNCTION_INFO_V1(invoice_member_orgs);
Datum
invoice_member_orgs(PG_FUNCTION_ARGS)
{
	static CommandKey cached_key;
	static ArrayType *cached = NULL;
	CommandKey	key = current_command_key();
	ArrayType  *orgs;

	if (cached != NULL && same_command(&key, &cached_key))
	{
		orgs = (ArrayType *) palloc(VARSIZE(cached));
		memcpy(orgs, cached, VARSIZE(cached));
		PG_RETURN_ARRAYTYPE_P(orgs);
	}

	orgs = DatumGetArrayTypeP(invoice_call_as_owner(fcinfo, member_orgs_as_owner));
	if (cached != NULL)
		pfree(cached);
	cached = (ArrayType *) MemoryContextAlloc(TopMemoryContext, VARSIZE(orgs));
	memcpy(cached, orgs, VARSIZE(orgs));
	cached_key = key;
	PG_RETURN_ARRAYTYPE_P(orgs);
}

/* Inside SPI, the organisation's shards in force: what may the acting role do with the organisation? */
static Datum
access_in_org(FunctionCallInfo fcinfo)
{
	InvoiceAccess access;

	SPI_connect();
	access = invoice_access_to_org(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	SPI_finish();
	PG_RETURN_INT32((int32) access);
}

static Datum
access_as_owner(FunctionCallInfo fcinfo)
{
	return invoice_call_in_org(fcinfo, access_in_org);
}

/*
 * The acting role's access to the organisation, asked of the organisation's
 * members alone (its members shard on Citus), never of its invoices: a call
 * about an organisation the caller may not see does the same work whether
 * the organisation exists or not, and however much it holds.  The answer for
 * the last organisation asked about is kept for the command (rows of one
 * organisation come together, and the read API asks before its statements
 * do).
 */
static InvoiceAccess
org_access(text *org_id)
{
	static CommandKey cached_key;
	static char *cached_org = NULL;
	static InvoiceAccess cached_access = INVOICE_ACCESS_NONE;
	CommandKey	key = current_command_key();
	char	   *org = text_to_cstring(org_id);
	InvoiceAccess access;
	LOCAL_FCINFO(args, 1);

	if (cached_org != NULL && same_command(&key, &cached_key) && strcmp(org, cached_org) == 0)
		return cached_access;

	InitFunctionCallInfoData(*args, NULL, 1, InvalidOid, NULL, NULL);
	args->args[0].value = PointerGetDatum(org_id);
	args->args[0].isnull = false;
	access = (InvoiceAccess) DatumGetInt32(invoice_call_as_owner(args, access_as_owner));
	if (cached_org != NULL)
		pfree(cached_org);
	cached_org = MemoryContextStrdup(TopMemoryContext, org);
	cached_key = key;
	cached_access = access;
	return access;
}

/* Is the acting role a member of the organisation (or a billing administrator)? */
bool
invoice_org_visible(text *org_id)
{
	return org_access(org_id) != INVOICE_ACCESS_NONE;
}

/* May the acting role write for the organisation (owner, billing_admin, or a billing administrator)? */
bool
invoice_org_writable(text *org_id)
{
	return org_access(org_id) >= INVOICE_ACCESS_MANAGE;
}

/*
 * member_of(org_id): is the acting role a member of the organisation?  The
 * test of the row-level security policies on Citus, where invoice.distribute()
 * puts it in place of member_orgs(): evaluated with the rows, on the shards, it
 * reads the organisation's members shard on that node.  The read API asks it
 * first, before it reads anything of the organisation.
 */
PG_FUNCTION_INFO_V1(invoice_member_of);
Datum
invoice_member_of(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(invoice_org_visible(PG_GETARG_TEXT_PP(0)));
}

/*
 * member_manages(org_id): may the acting role write for the organisation (an
 * owner or billing_admin member, or a billing administrator)?  The test of
 * the write policies of usage_inbox, evaluated with the rows (on the shards on
 * Citus), like member_of.
 */
PG_FUNCTION_INFO_V1(invoice_member_manages);
Datum
invoice_member_manages(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(invoice_org_writable(PG_GETARG_TEXT_PP(0)));
}
