/*
 * usage_ingest.c
 *		usage_ingest([org_id]): the committed rows of invoice.usage_inbox move
 *		into invoice.usage_records in one set-based statement, with the rules
 *		of the row gate of usage_records (src/usage_records.c).
 *
 * The inbox is a bare table a sender COPYs into at the speed of any table:
 * no key, no index, no row trigger.  The work a COPY into usage_records does
 * row by row (a lookup of the organisation and the product, a probe of the
 * key, a random-order insert into the key's btree) is done here once for all
 * the rows the statement's snapshot sees: organisations and products joined
 * by hash, the rows grouped by their values, the existing records joined by
 * key, and the new records inserted in key order under one load batch.
 *
 * The same key with the same values as a record already loaded (or several
 * times in the inbox) loads nothing; a row that cannot be loaded — a blank or
 * too long key, a quantity not finite or negative, an end before its start,
 * an unknown organisation or product, other values than the record already
 * loaded under its key (or than another row of the inbox under it) — stays
 * in the inbox with its reason (usage_unrated shows it): never dropped, never
 * billed.  Everything else leaves the inbox in the same statement.
 *
 * Ingests and generations of the same organisations queue on the
 * generation lock, taken before the statement's snapshot: an ingest sees
 * what the one before it loaded, and a generation (which ingests first) rates
 * what it loaded.  The statement takes the rows its snapshot sees out of the
 * inbox with one DELETE (rows committed later are not seen, so not deleted:
 * they wait for the next ingest; a row a sender deletes meanwhile is not
 * loaded) and puts back those it does not load.  A record loaded at the same
 * moment by a COPY into usage_records under the same key is waited for (ON
 * CONFLICT): the inbox's row then goes back, and the next ingest compares it
 * with that record.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "invoice.h"
#include "utils/builtins.h"

static const char *const ingest_sql =
	/*
	 * the rows the statement's snapshot sees, taken out of the inbox at once
	 * (a row committed later is not seen, nor deleted: it waits for the next
	 * ingest); those not loaded go back in below
	 */
	"WITH taken AS ("
	"    DELETE FROM invoice.usage_inbox i"
	"     WHERE i.reason IS NULL AND ($1::text IS NULL OR i.org_id = $1)"
	"    RETURNING i.org_id, i.idempotency_key, i.product_group, i.product_line, i.product_name,"
	"              i.region, i.usage_type, i.resource_type, i.resource_name, i.quantity, i.usage_start, i.usage_end),"
	/* the organisations share-locked against their deletion, as the row gate does */
	" known_orgs AS MATERIALIZED ("
	"    SELECT o.org_id FROM invoice.orgs o WHERE o.org_id IN (SELECT t.org_id FROM taken t) FOR KEY SHARE),"
	/* the row gate's checks, in its order; the product found by hash on its name */
	" checked AS ("
	"    SELECT t.*, p.product_id,"
	"           CASE WHEN btrim(t.idempotency_key, E' \\t\\r\\n') = '' THEN 'blank idempotency key'"
	"                WHEN octet_length(t.idempotency_key) > " CppAsString2(INVOICE_REFERENCE_MAX) " THEN 'idempotency key too long'"
	"                WHEN t.quantity IN ('NaN'::numeric, 'Infinity'::numeric, '-Infinity'::numeric) THEN 'quantity not finite'"
	"                WHEN t.quantity < 0 THEN 'negative quantity'"
	"                WHEN t.usage_end < t.usage_start THEN 'end before start'"
	"                WHEN o.org_id IS NULL THEN 'unknown organisation'"
	"                WHEN p.product_id IS NULL THEN 'unknown product'"
	"           END AS reason"
	"      FROM taken t"
	"      LEFT JOIN known_orgs o ON o.org_id = t.org_id"
	"      LEFT JOIN invoice.products p ON p.product_name = t.product_name"
	"            AND p.product_group IS NOT DISTINCT FROM t.product_group AND p.product_line IS NOT DISTINCT FROM t.product_line"
	"            AND p.region IS NOT DISTINCT FROM t.region AND p.usage_type IS NOT DISTINCT FROM t.usage_type),"
	/*
	 * the loadable rows, one per key and values (a row sent twice counts
	 * once, how often it was sent in copies), and how many values each key has
	 */
	" variants AS ("
	"    SELECT c.org_id, c.idempotency_key, c.product_group, c.product_line, c.product_name, c.region, c.usage_type,"
	"           c.resource_type, c.resource_name, c.quantity, c.usage_start, c.usage_end, c.product_id,"
	"           count(*) AS copies, count(*) OVER (PARTITION BY c.org_id, c.idempotency_key) AS variants"
	"      FROM checked c WHERE c.reason IS NULL"
	"     GROUP BY c.org_id, c.idempotency_key, c.product_group, c.product_line, c.product_name, c.region, c.usage_type,"
	"              c.resource_type, c.resource_name, c.quantity, c.usage_start, c.usage_end, c.product_id),"
	/* known: a record has the key already; conflicting: its values differ, or the inbox has several for a new key */
	" decided AS MATERIALIZED ("
	"    SELECT v.*, r.org_id IS NOT NULL AS known,"
	"           CASE WHEN r.org_id IS NULL THEN v.variants > 1"
	"                ELSE r.product_group IS DISTINCT FROM v.product_group OR r.product_line IS DISTINCT FROM v.product_line"
	"                  OR r.product_name IS DISTINCT FROM v.product_name OR r.region IS DISTINCT FROM v.region"
	"                  OR r.usage_type IS DISTINCT FROM v.usage_type OR r.resource_type IS DISTINCT FROM v.resource_type"
	"                  OR r.resource_name IS DISTINCT FROM v.resource_name OR r.quantity <> v.quantity"
	"                  OR r.usage_start <> v.usage_start OR r.usage_end <> v.usage_end END AS conflicting"
	"      FROM variants v"
	"      LEFT JOIN invoice.usage_records r ON r.org_id = v.org_id AND r.idempotency_key = v.idempotency_key),"
	/* in key order (the key's btree is filled page by page), one load batch for the statement */
	" loaded AS ("
	"    INSERT INTO invoice.usage_records (org_id, idempotency_key, product_group, product_line, product_name, region,"
	"                                       usage_type, resource_type, resource_name, quantity, usage_start, usage_end,"
	"                                       load_batch, product_id)"
	"    SELECT d.org_id, d.idempotency_key, d.product_group, d.product_line, d.product_name, d.region, d.usage_type,"
	"           d.resource_type, d.resource_name, d.quantity, d.usage_start, d.usage_end,"
	"           (SELECT nextval('invoice.usage_load_batch_seq')), d.product_id"
	"      FROM decided d WHERE NOT d.known AND NOT d.conflicting"
	"     ORDER BY d.org_id, d.idempotency_key"
	"    ON CONFLICT (org_id, idempotency_key) DO NOTHING"
	"    RETURNING org_id, idempotency_key),"
	/*
	 * back into the inbox: the rows that cannot be loaded, parked with their
	 * reason, and those a COPY into usage_records loaded under the same key
	 * while we ran (ON CONFLICT waited for it), for the next ingest to compare
	 */
	" kept AS ("
	"    INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_group, product_line, product_name, region,"
	"                                     usage_type, resource_type, resource_name, quantity, usage_start, usage_end, reason)"
	"    SELECT c.org_id, c.idempotency_key, c.product_group, c.product_line, c.product_name, c.region, c.usage_type,"
	"           c.resource_type, c.resource_name, c.quantity, c.usage_start, c.usage_end, c.reason"
	"      FROM checked c WHERE c.reason IS NOT NULL"
	"    UNION ALL"
	"    SELECT d.org_id, d.idempotency_key, d.product_group, d.product_line, d.product_name, d.region, d.usage_type,"
	"           d.resource_type, d.resource_name, d.quantity, d.usage_start, d.usage_end,"
	"           CASE WHEN d.conflicting THEN 'conflicting values' END"
	"      FROM decided d CROSS JOIN LATERAL generate_series(1, d.copies) n"
	"     WHERE d.conflicting"
	"        OR (NOT d.known AND (d.org_id, d.idempotency_key) NOT IN (SELECT l.org_id, l.idempotency_key FROM loaded l))"
	"    RETURNING reason)"
	" SELECT (SELECT count(*) FROM loaded), (SELECT count(*) FROM kept WHERE reason IS NOT NULL)";

/*
 * Ingest, here (one node, or a shard group on its node), the inbox's rows of
 * org_id (NULL: all of them); returns how many records were loaded.
 */
static int64
ingest_here(text *org_id)
{
	static SPIPlanPtr plan = NULL;
	bool		was_active = invoice_usage_rating_active();
	bool		isnull;

	invoice_usage_generation_lock(org_id);
	/* after the lock: this statement's snapshot sees what the ingest or generation before us did */
	invoice_prepare(&plan, ingest_sql, 1, (Oid[]) {TEXTOID});
	invoice_set_usage_rating(true);
	PG_TRY();
	{
		if (SPI_execute_plan(plan, (Datum[]) {PointerGetDatum(org_id)}, org_id == NULL ? "n" : " ", false, 0)
			!= SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "usage ingest failed");
	}
	PG_FINALLY();
	{
		invoice_set_usage_rating(was_active);
	}
	PG_END_TRY();
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * On a Citus coordinator: the call on the node of the inbox's shard that
 * holds org_id — a router query, sent only when that shard has a row of the
 * organisation (known or not) waiting.
 */
static int64
ingest_on_node(text *org_id, bool one_org)
{
	static SPIPlanPtr plan = NULL;
	bool		isnull;

	invoice_prepare_node_call(true);
	invoice_prepare(&plan,
					"SELECT invoice.usage_ingest_on_node(i.org_id, $2) FROM invoice.usage_inbox i"
					" WHERE i.org_id = $1 AND i.reason IS NULL LIMIT 1",
					2, (Oid[]) {TEXTOID, BOOLOID});
	if (SPI_execute_plan(plan, (Datum[]) {PointerGetDatum(org_id), BoolGetDatum(one_org)}, NULL, false, 0)
		!= SPI_OK_SELECT)
		elog(ERROR, "usage ingest on the organisation's node failed");
	if (SPI_processed == 0)
		return 0;
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/* On a Citus coordinator: each shard of the inbox with rows waiting, on its node. */
static int64
ingest_every_shard(void)
{
	static SPIPlanPtr plan = NULL;
	SPITupleTable *probes;
	uint64		nprobes;
	int64		loaded = 0;

	invoice_prepare(&plan,
					"SELECT pg_catalog.min(i.org_id) FROM invoice.usage_inbox i WHERE i.reason IS NULL"
					" GROUP BY pg_catalog.get_shard_id_for_distribution_column('invoice.usage_inbox', i.org_id)"
					" ORDER BY 1",
					0, NULL);
	if (SPI_execute_plan(plan, NULL, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "listing the shards of the usage inbox failed");
	probes = SPI_tuptable;
	nprobes = SPI_processed;
	for (uint64 row = 0; row < nprobes; row++)
	{
		bool		isnull;
		Datum		org_id = SPI_getbinval(probes->vals[row], probes->tupdesc, 1, &isnull);

		loaded += ingest_on_node(DatumGetTextPP(org_id), false);
	}
	return loaded;
}

/*
 * usage_ingest's work, wherever the caller is (inside SPI, rights already
 * checked): here on one node, else on the nodes.  Also the first step of
 * every generation (src/usage_generate.c).
 */
int64
invoice_usage_ingest(text *org_id)
{
	if (!invoice_distributed())
		return ingest_here(org_id);
	if (org_id != NULL)
		return ingest_on_node(org_id, true);
	return ingest_every_shard();
}

static Datum usage_ingest_as_owner(FunctionCallInfo fcinfo);

/* usage_ingest(org_id DEFAULT NULL): the inbox's committed rows into usage_records */
PG_FUNCTION_INFO_V1(usage_ingest);
Datum
usage_ingest(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, usage_ingest_as_owner);
}

static Datum
usage_ingest_as_owner(FunctionCallInfo fcinfo)
{
	text	   *org_id = PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0);
	int64		loaded;
	int			nest_level;

	if (org_id == NULL)
		invoice_require_administrator("ingest the usage of every organisation");
	else
	{
		char	   *org = text_to_cstring(org_id);

		if (invoice_text_is_blank(org))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("organisation id must not be empty")));
		invoice_require_access(invoice_org_writable(org_id) ? INVOICE_ACCESS_MANAGE
							   : invoice_org_visible(org_id) ? INVOICE_ACCESS_READ : INVOICE_ACCESS_NONE,
							   INVOICE_ACCESS_MANAGE, "organisation", org, "ingest the usage of");
	}
	SPI_connect();
	nest_level = invoice_pin_search_path();
	loaded = invoice_usage_ingest(org_id);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_INT64(loaded);
}

static Datum ingest_on_this_node(FunctionCallInfo fcinfo);

/* usage_ingest_on_node(org_id, one_org): usage_ingest's work on the node of org_id's shard group (internal) */
PG_FUNCTION_INFO_V1(usage_ingest_on_node);
Datum
usage_ingest_on_node(PG_FUNCTION_ARGS)
{
	return invoice_call_in_org(fcinfo, ingest_on_this_node);
}

static Datum
ingest_on_this_node(FunctionCallInfo fcinfo)
{
	int64		loaded;
	int			nest_level;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("one_org must not be null")));
	SPI_connect();
	nest_level = invoice_pin_search_path();
	loaded = ingest_here(PG_GETARG_BOOL(1) ? PG_GETARG_TEXT_PP(0) : NULL);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_INT64(loaded);
}
