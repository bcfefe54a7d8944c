/*
 * cents_schema.c
 *		Where the cents type lives, for the SQL the extension's C code runs.
 *
 * The money type, its operators and aggregates belong to the cents extension
 * (README "The cents extension"), installed in the schema CREATE EXTENSION
 * cents chose — public unless the user named another.  The extension's C code
 * writes its SQL with the placeholder @cents@ where it names those objects
 * (@cents@.sum(l.amount), $3::@cents@.cents, a OPERATOR(@cents@.+) b), so that
 * the SQL means the same whatever the caller's search_path, on one node and on
 * every Citus node; invoice_tables_sql() replaces the placeholder with the
 * schema's quoted name.
 *
 * A database made with invoice 0.1 that has not run CREATE EXTENSION cents
 * yet has the type in schema invoice: the placeholder then says invoice, so
 * that 0.1's SQL keeps working with this library.  The name is kept for the
 * backend and forgotten when any type changes (the type moved by CREATE
 * EXTENSION cents, or the extensions dropped and created again).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "invoice.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#define CENTS_PLACEHOLDER "@cents@"

static char *cents_schema = NULL;	/* quoted, in TopMemoryContext */
static bool callback_registered = false;

static void
forget_cents_schema(Datum arg, int cacheid, uint32 hashvalue)
{
	if (cents_schema != NULL)
		pfree(cents_schema);
	cents_schema = NULL;
}

/* The namespace of the extension cents, or InvalidOid if it is not installed. */
static Oid
cents_extension_namespace(void)
{
	Relation	rel;
	SysScanDesc scan;
	ScanKeyData key;
	HeapTuple	tuple;
	Oid			nsp = InvalidOid;

	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
				CStringGetDatum("cents"));
	rel = table_open(ExtensionRelationId, AccessShareLock);
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple))
		nsp = ((Form_pg_extension) GETSTRUCT(tuple))->extnamespace;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return nsp;
}

const char *
invoice_cents_schema(void)
{
	if (cents_schema == NULL)
	{
		Oid			nsp = cents_extension_namespace();
		char	   *name = OidIsValid(nsp) ? get_namespace_name(nsp) : NULL;

		if (!callback_registered)
		{
			CacheRegisterSyscacheCallback(TYPEOID, forget_cents_schema, (Datum) 0);
			callback_registered = true;
		}
		cents_schema = MemoryContextStrdup(TopMemoryContext,
										   quote_identifier(name != NULL ? name : "invoice"));
	}
	return cents_schema;
}

const char *
invoice_cents_sql(const char *sql)
{
	const char *hit = strstr(sql, CENTS_PLACEHOLDER);
	const char *schema;
	StringInfoData out;

	if (hit == NULL)
		return sql;
	schema = invoice_cents_schema();
	initStringInfo(&out);
	do
	{
		appendBinaryStringInfo(&out, sql, hit - sql);
		appendStringInfoString(&out, schema);
		sql = hit + strlen(CENTS_PLACEHOLDER);
	} while ((hit = strstr(sql, CENTS_PLACEHOLDER)) != NULL);
	appendStringInfoString(&out, sql);
	return out.data;
}
