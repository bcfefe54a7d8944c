/*
 * invoice.c
 *		Module entry point and the helpers shared by the extension's C code.
 */
#include "postgres.h"

#include "access/detoast.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "cents.h"
#include "invoice.h"
#include "nodes/parsenodes.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

PG_MODULE_MAGIC;

/* Settings (README "Settings"). */
int			invoice_grace_period_minutes = 7 * 24 * 60;
int			invoice_reminder_interval_days = 7;
int			invoice_sweep_batch_size = 50000;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomIntVariable("invoice.grace_period",
							"Default time an invoice may stay overdue before its organisation is suspended.",
							"An organisation's own grace_period overrides it.",
							&invoice_grace_period_minutes, 7 * 24 * 60, 0, 365 * 24 * 60,
							PGC_SUSET, GUC_UNIT_MIN, NULL, NULL, NULL);
	DefineCustomIntVariable("invoice.reminder_interval_days",
							"Days between repeat reminders while an invoice stays overdue; 0 sends only the first.",
							NULL,
							&invoice_reminder_interval_days, 7, 0, 365,
							PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("invoice.sweep_batch_size",
							"Invoices the overdue sweep moves per statement.",
							NULL,
							&invoice_sweep_batch_size, 50000, 1, 1000000,
							PGC_SUSET, 0, NULL, NULL, NULL);
	invoice_clock_init();
	invoice_worker_init();
	MarkGUCPrefixReserved("invoice");
}

static const char *const status_names[INVOICE_STATUS_COUNT] = {
	"draft", "pending", "overdue", "paid", "cancelled"
};

/* OIDs of the invoice.status labels; reset whenever a type changes. */
static Oid	status_oids[INVOICE_STATUS_COUNT];
static Oid	status_type_oid;
static bool status_oids_valid = false;
static bool status_callback_registered = false;

static void
status_oids_reset(Datum arg, int cacheid, uint32 hashvalue)
{
	status_oids_valid = false;
}

static void
status_oids_load(void)
{
	Oid			namespace_oid;
	Oid			type_oid;

	if (status_oids_valid)
		return;
	if (!status_callback_registered)
	{
		CacheRegisterSyscacheCallback(TYPEOID, status_oids_reset, (Datum) 0);
		status_callback_registered = true;
	}
	namespace_oid = get_namespace_oid("invoice", false);
	type_oid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
							   CStringGetDatum("status"), ObjectIdGetDatum(namespace_oid));
	if (!OidIsValid(type_oid))
		elog(ERROR, "type invoice.status does not exist");
	status_type_oid = type_oid;
	for (int i = 0; i < INVOICE_STATUS_COUNT; i++)
		status_oids[i] = DatumGetObjectId(DirectFunctionCall2(enum_in,
															  CStringGetDatum(status_names[i]),
															  ObjectIdGetDatum(type_oid)));
	status_oids_valid = true;
}

const char *
invoice_status_name(InvoiceStatus status)
{
	return status_names[status];
}

InvoiceStatus
invoice_status_from_datum(Datum value)
{
	Oid			oid = DatumGetObjectId(value);

	status_oids_load();
	for (int i = 0; i < INVOICE_STATUS_COUNT; i++)
		if (status_oids[i] == oid)
			return (InvoiceStatus) i;
	elog(ERROR, "unknown invoice status %u", oid);
	pg_unreachable();
}

Oid
invoice_status_type(void)
{
	status_oids_load();
	return status_type_oid;
}

Datum
invoice_status_datum(InvoiceStatus status)
{
	status_oids_load();
	return ObjectIdGetDatum(status_oids[status]);
}

int
invoice_pin_search_path(void)
{
	int			nest_level = NewGUCNestLevel();

	/* the path the extension's SQL functions pin, with the cents type's schema (97_search_path.sql) */
	(void) set_config_option("search_path", psprintf("pg_catalog, invoice, %s, pg_temp", invoice_cents_schema()),
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return nest_level;
}

void
invoice_unpin_search_path(int nest_level)
{
	AtEOXact_GUC(true, nest_level);
}

SPIPlanPtr
invoice_prepare(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes)
{
	return invoice_prepare_kept(cache, sql, nargs, argtypes, 0);
}

SPIPlanPtr
invoice_prepare_generic(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes)
{
	/* Citus cannot plan a distributed query without its parameters' values: a coordinator plans each call. */
	bool		generic = *cache != NULL || invoice_on_shard() || !invoice_distributed();

	return invoice_prepare_kept(cache, sql, nargs, argtypes, generic ? CURSOR_OPT_GENERIC_PLAN : 0);
}

text *
invoice_arg_text(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
	return PG_GETARG_TEXT_PP(argno);
}

bool
invoice_text_is_blank(const char *text)
{
	return text[strspn(text, " \t\r\n")] == '\0';
}

text *
invoice_arg_nonblank(FunctionCallInfo fcinfo, int argno, const char *name)
{
	text	   *value = invoice_arg_text(fcinfo, argno, name);

	if (invoice_text_is_blank(text_to_cstring(value)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", name)));
	return value;
}

text *
invoice_arg_reference(FunctionCallInfo fcinfo, int argno, const char *name)
{
	text	   *value = invoice_arg_nonblank(fcinfo, argno, name);

	if (VARSIZE_ANY_EXHDR(value) > INVOICE_REFERENCE_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("%s is longer than %d bytes", name, INVOICE_REFERENCE_MAX)));
	return value;
}

/*
 * text_within(value, max_bytes, what): true, or 22001 naming what when the
 * text is longer than max_bytes — the CHECK of every free text column
 * (sql/ext/92_limits.sql), so that a text too long is refused where it
 * enters, by any path, with the limit in the message.  The length is the
 * datum's own, read without detoasting it.
 */
PG_FUNCTION_INFO_V1(invoice_text_within);
Datum
invoice_text_within(PG_FUNCTION_ARGS)
{
	Size		bytes = toast_raw_datum_size(PG_GETARG_DATUM(0)) - VARHDRSZ;
	int32		max_bytes = PG_GETARG_INT32(1);

	if (bytes > (Size) Max(max_bytes, 0))
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("%s is longer than %d bytes", text_to_cstring(PG_GETARG_TEXT_PP(2)), max_bytes),
				 errdetail("It has %zu bytes.", bytes)));
	PG_RETURN_BOOL(true);
}

int64
invoice_arg_positive_amount(FunctionCallInfo fcinfo, int argno, const char *name)
{
	int64		amount;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", name)));
	amount = PG_GETARG_INT64(argno);
	if (amount <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be positive, not %s", name, cents_to_cstring(amount))));
	return amount;
}
