/*
 * usage_generate.c
 *		invoice_generate(period_start, period_end[, org_id]): the usage not
 *		billed yet that started before period_end becomes, in one statement,
 *		one draft invoice per organisation and currency for the period, with
 *		a line per product, resource and price (README "Usage billing").
 *
 * The statement rates the records it reads and notes, on the invoice's
 * usage_invoices row, the load batches they came from with the earliest
 * usage start it billed of each: a record is billed when its batch is noted
 * for its organisation and currency and its usage start lies between that
 * start and the period's end.  Records are not rewritten: the cost is the
 * scan and the rating, not a second version of every record.  Every record
 * of a batch (one loading statement) becomes visible at once, so one
 * snapshot sees a batch whole or not at all: a record committed while the
 * generation runs is in a batch it did not note, and waits for the next
 * generation.  The records of a noted batch that no price covers move to a
 * batch of their own (rare: they stay unbilled, usage_unrated).  An
 * organisation and currency that already have their invoice for the period
 * get none: re-running a period changes nothing, and usage that arrives
 * after its period's invoice was made goes onto the next period's invoice.
 * Generations of the same organisations queue on an advisory lock, so two
 * runs never rate the same record.  A generation first ingests the usage
 * inbox (src/usage_ingest.c) of the organisations it bills, under the same
 * lock: a sender who only COPYs into the inbox is billed.
 *
 * A record is rated at the price in force on the UTC day its usage starts:
 * the organisation's negotiated price, else the book's.  Price segments
 * ([from, to) per product, or per organisation and product) come from the
 * price tables with lead(); each record finds its segment by hash join on
 * the product and a range test.  Records are summed per line and load batch
 * first; the price rows are joined to the sums (a segment's start is its
 * price's key), and the charge model (usage_charge, C) prices each line's
 * sum: tiers apply to the line's total quantity, wherever the boundary falls
 * inside a record.
 *
 * The drafts are written whole: with the amounts their lines give and with
 * their search signatures, so that the invoices' and lines' statement
 * triggers, which check every writer's rows the same way, recompute them and
 * find nothing to write (README "Derived amounts").
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "compute.h"
#include "invoice.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"

/* Advisory lock keys (classid of the two-int4 form; the one-int8 form for all organisations). */
#define GENERATION_LOCK_ALL		INT64CONST(0x696e766f69636501)	/* "invoice" + 1 */
#define GENERATION_LOCK_ORG		0x696e7601

static const char *const generate_sql =
	"WITH book AS ("
	"    SELECT b.product_id, b.effective_from AS seg_from,"
	"           least(coalesce(b.effective_to, 'infinity'::date),"
	"                 coalesce(lead(b.effective_from) OVER w, 'infinity'::date)) AS seg_to"
	"      FROM invoice.prices b WINDOW w AS (PARTITION BY b.product_id ORDER BY b.effective_from)),"
	" negotiated AS ("
	"    SELECT n.org_id, n.product_id, n.effective_from AS seg_from,"
	"           least(coalesce(n.effective_to, 'infinity'::date),"
	"                 coalesce(lead(n.effective_from) OVER w, 'infinity'::date)) AS seg_to"
	"      FROM invoice.org_prices n WHERE ($3::text IS NULL OR n.org_id = $3)"
	"    WINDOW w AS (PARTITION BY n.org_id, n.product_id ORDER BY n.effective_from)),"
	" covered AS ("
	"    SELECT u.org_id, u.currency, u.period_end, c.load_batch, c.billed_from"
	"      FROM invoice.usage_invoices u, unnest(u.load_batches, u.billed_from) c(load_batch, billed_from)"
	"     WHERE ($3::text IS NULL OR u.org_id = $3)),"
	/*
	 * first the records summed per organisation, product, resource and load
	 * batch, with their first and last usage start: one pass, a hash
	 * aggregate the size of the lines, and nothing joined per record
	 */
	" grouped AS MATERIALIZED ("
	"    SELECT r.org_id, r.product_id, r.resource_type, r.resource_name, r.load_batch,"
	"           sum(r.quantity) AS quantity, min(r.usage_start) AS first_start, max(r.usage_start) AS last_start,"
	"           max(r.usage_end) AS usage_end"
	"      FROM invoice.usage_records r"
	"     WHERE r.usage_start < $2 AND ($3::text IS NULL OR r.org_id = $3)"
	"     GROUP BY r.org_id, r.product_id, r.resource_type, r.resource_name, r.load_batch),"
	/*
	 * a group is simple when every record of it has the price segment and the
	 * coverage its first record has: its last record's day is still in the
	 * price segment of its first's or, its first day having no price, no
	 * price boundary (a price's first or last day) comes after it up to its
	 * last; and no boundary of a noted batch's window lies after its first
	 * usage start and up to its last.  The other groups are rated record by
	 * record below.
	 */
	" classified AS MATERIALIZED ("
	"    SELECT g.*, p.currency, n.seg_from AS org_seg, b.seg_from AS book_seg,"
	"           n.org_id IS NOT NULL OR b.product_id IS NOT NULL AS priced,"
	"           CASE WHEN b.product_id IS NOT NULL THEN g.last_day < b.seg_to"
	"                ELSE NOT EXISTS (SELECT FROM invoice.prices x WHERE x.product_id = g.product_id"
	"                                    AND ((x.effective_from > g.first_day AND x.effective_from <= g.last_day)"
	"                                      OR (x.effective_to > g.first_day AND x.effective_to <= g.last_day))) END"
	"           AND CASE WHEN n.org_id IS NOT NULL THEN g.last_day < n.seg_to"
	"                    ELSE NOT EXISTS (SELECT FROM negotiated)"
	"                      OR NOT EXISTS (SELECT FROM invoice.org_prices x WHERE x.org_id = g.org_id AND x.product_id = g.product_id"
	"                                        AND ((x.effective_from > g.first_day AND x.effective_from <= g.last_day)"
	"                                          OR (x.effective_to > g.first_day AND x.effective_to <= g.last_day))) END"
	"           AND (NOT EXISTS (SELECT FROM covered)"
	"                OR NOT EXISTS (SELECT FROM invoice.usage_invoices u, unnest(u.load_batches, u.billed_from) c(load_batch, billed_from)"
	"                                WHERE u.org_id = g.org_id AND u.currency = p.currency AND c.load_batch = g.load_batch"
	"                                  AND ((c.billed_from > g.first_start AND c.billed_from <= g.last_start)"
	"                                    OR (u.period_end > g.first_start AND u.period_end <= g.last_start)))) AS simple,"
	"           EXISTS (SELECT FROM covered) AND EXISTS (SELECT FROM invoice.usage_invoices u, unnest(u.load_batches, u.billed_from) c(load_batch, billed_from)"
	"                                WHERE u.org_id = g.org_id AND u.currency = p.currency AND c.load_batch = g.load_batch"
	"                                  AND g.first_start >= c.billed_from AND g.first_start < u.period_end) AS billed"
	"      FROM (SELECT g.*, (g.first_start AT TIME ZONE 'UTC')::date AS first_day,"
	"                   (g.last_start AT TIME ZONE 'UTC')::date AS last_day FROM grouped g) g"
	"      JOIN invoice.orgs o ON o.org_id = g.org_id"
	"      JOIN invoice.products p ON p.product_id = g.product_id"
	"      LEFT JOIN invoice.usage_billing_days d ON d.org_id = g.org_id"
	"      LEFT JOIN negotiated n ON n.org_id = g.org_id AND n.product_id = g.product_id"
	"                            AND g.first_day >= n.seg_from AND g.first_day < n.seg_to"
	"      LEFT JOIN book b ON b.product_id = g.product_id AND g.first_day >= b.seg_from AND g.first_day < b.seg_to"
	"     WHERE ($4::int IS NULL OR coalesce(d.billing_day, 1) = $4)),"
	/*
	 * the unbilled records summed per line and load batch (priced false: no
	 * price in force on the records' day): the simple groups as they are,
	 * the others' records one by one with the price segment of their UTC
	 * day (a pass over the records only when there are such groups)
	 */
	" sums AS ("
	"    SELECT s.org_id, s.currency, s.product_id, s.resource_type, s.resource_name, s.org_seg, s.book_seg,"
	"           s.load_batch, s.priced, s.quantity, s.first_start AS usage_start, s.usage_end"
	"      FROM classified s WHERE s.simple AND NOT s.billed"
	"    UNION ALL"
	"    SELECT r.org_id, p.currency, r.product_id, r.resource_type, r.resource_name,"
	"           n.seg_from AS org_seg, b.seg_from AS book_seg, r.load_batch,"
	"           n.org_id IS NOT NULL OR b.product_id IS NOT NULL AS priced,"
	"           sum(r.quantity) AS quantity, min(r.usage_start) AS usage_start, max(r.usage_end) AS usage_end"
	"      FROM (SELECT r.*, (r.usage_start AT TIME ZONE 'UTC')::date AS day FROM invoice.usage_records r"
	"             WHERE r.usage_start < $2 AND ($3::text IS NULL OR r.org_id = $3)) r"
	"      JOIN invoice.products p ON p.product_id = r.product_id"
	"      LEFT JOIN negotiated n ON n.org_id = r.org_id AND n.product_id = r.product_id"
	"                            AND r.day >= n.seg_from AND r.day < n.seg_to"
	"      LEFT JOIN book b ON b.product_id = r.product_id AND r.day >= b.seg_from AND r.day < b.seg_to"
	"     WHERE EXISTS (SELECT FROM classified a WHERE NOT a.simple)"
	/* a hashed subplan, whatever the estimates (the arrays: NULL resources equal) */
	"       AND ((r.org_id, r.product_id, r.load_batch, ARRAY[r.resource_type, r.resource_name])"
	"            IN (SELECT a.org_id, a.product_id, a.load_batch, ARRAY[a.resource_type, a.resource_name]"
	"                  FROM classified a WHERE NOT a.simple)) IS TRUE"
	"       AND NOT EXISTS (SELECT FROM covered c"
	"                        WHERE c.org_id = r.org_id AND c.currency = p.currency AND c.load_batch = r.load_batch"
	"                          AND r.usage_start >= c.billed_from AND r.usage_start < c.period_end)"
	"     GROUP BY r.org_id, p.currency, r.product_id, r.resource_type, r.resource_name, n.seg_from, b.seg_from,"
	"              r.load_batch, n.org_id IS NOT NULL OR b.product_id IS NOT NULL),"
	" targets AS ("
	"    SELECT t.org_id, t.currency, invoice.new_invoice_id() AS id,"
	"           'Usage ' || to_char($1 AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ' to '"
	"                    || to_char(($2 AT TIME ZONE 'UTC') - interval '1 microsecond', 'YYYY-MM-DD') AS description"
	"      FROM (SELECT DISTINCT s.org_id, s.currency FROM sums s WHERE s.priced) t"
	"     WHERE NOT EXISTS (SELECT FROM invoice.usage_invoices u"
	"                        WHERE u.org_id = t.org_id AND u.currency = t.currency AND u.period_start = $1)),"
	" batches AS ("
	"    SELECT b.org_id, b.currency, array_agg(b.load_batch ORDER BY b.load_batch) AS load_batches,"
	"           array_agg(b.billed_from ORDER BY b.load_batch) AS billed_from"
	"      FROM (SELECT s.org_id, s.currency, s.load_batch, min(s.usage_start) AS billed_from FROM sums s"
	"             WHERE s.priced GROUP BY s.org_id, s.currency, s.load_batch) b"
	"     GROUP BY b.org_id, b.currency),"
	" tracked AS ("
	"    INSERT INTO invoice.usage_invoices (org_id, currency, period_start, period_end, invoice_id, load_batches, billed_from)"
	"    SELECT t.org_id, t.currency, $1, $2, t.id, b.load_batches, b.billed_from"
	"      FROM targets t JOIN batches b ON b.org_id = t.org_id AND b.currency = t.currency RETURNING 1),"
	/* records of a billed batch that could not be priced move to a batch of their own: unbilled */
	" unpriced AS ("
	"    UPDATE invoice.usage_records u SET load_batch = (SELECT nextval('invoice.usage_load_batch_seq'))"
	"      FROM sums s JOIN targets t ON t.org_id = s.org_id AND t.currency = s.currency"
	"     WHERE NOT s.priced AND u.org_id = s.org_id AND u.load_batch = s.load_batch AND u.product_id = s.product_id"
	"       AND u.resource_type IS NOT DISTINCT FROM s.resource_type AND u.resource_name IS NOT DISTINCT FROM s.resource_name"
	"       AND u.usage_start < $2 AND EXISTS (SELECT FROM sums x WHERE NOT x.priced)"
	"       AND NOT EXISTS (SELECT FROM negotiated n WHERE n.org_id = u.org_id AND n.product_id = u.product_id"
	"                          AND (u.usage_start AT TIME ZONE 'UTC')::date >= n.seg_from"
	"                          AND (u.usage_start AT TIME ZONE 'UTC')::date < n.seg_to)"
	"       AND NOT EXISTS (SELECT FROM book b WHERE b.product_id = u.product_id"
	"                          AND (u.usage_start AT TIME ZONE 'UTC')::date >= b.seg_from"
	"                          AND (u.usage_start AT TIME ZONE 'UTC')::date < b.seg_to)"
	"       AND NOT EXISTS (SELECT FROM covered c"
	"                        WHERE c.org_id = u.org_id AND c.currency = s.currency AND c.load_batch = u.load_batch"
	"                          AND u.usage_start >= c.billed_from AND u.usage_start < c.period_end)"
	"    RETURNING 1),"
	/*
	 * the lines, priced: one row per product, resource and price segment of
	 * an invoice made, read twice below (narrow rows: the prices' arrays stay
	 * behind)
	 */
	" priced AS MATERIALIZED ("
	"    SELECT t.org_id, t.id AS invoice_id, p.product_id,"
	"           coalesce(p.description, p.product_name) || coalesce(': ' || g.resource_name, '') AS description,"
	"           g.quantity,"
	"           CASE WHEN x.model = 'per_unit' AND x.free_units = 0 THEN x.rate"
	"                WHEN g.quantity > 0 THEN trim_scale(round(c.charge / g.quantity, 12)) ELSE 0 END AS rate,"
	"           @cents@.cents_round(c.charge) AS amount, p.gst_rate,"
	"           p.product_group, p.product_line, p.product_name, p.region, p.usage_type,"
	"           g.resource_type, g.resource_name, g.usage_start, g.usage_end, p.hsn_sac, p.gst_treatment"
	"      FROM (SELECT s.org_id, s.currency, s.product_id, s.resource_type, s.resource_name, s.org_seg, s.book_seg,"
	"                   sum(s.quantity) AS quantity, min(s.usage_start) AS usage_start, max(s.usage_end) AS usage_end"
	"              FROM sums s WHERE s.priced"
	"             GROUP BY s.org_id, s.currency, s.product_id, s.resource_type, s.resource_name,"
	"                      s.org_seg, s.book_seg) g"
	"      JOIN targets t ON t.org_id = g.org_id AND t.currency = g.currency"
	"      JOIN invoice.products p ON p.product_id = g.product_id"
	"      LEFT JOIN invoice.org_prices n ON n.org_id = g.org_id AND n.product_id = g.product_id"
	"                                    AND n.effective_from = g.org_seg"
	"      LEFT JOIN invoice.prices b ON b.product_id = g.product_id AND b.effective_from = g.book_seg"
	"      CROSS JOIN LATERAL (SELECT CASE WHEN n.org_id IS NOT NULL THEN n.model ELSE b.model END AS model,"
	"                                 CASE WHEN n.org_id IS NOT NULL THEN n.rate ELSE b.rate END AS rate,"
	"                                 CASE WHEN n.org_id IS NOT NULL THEN n.free_units ELSE b.free_units END AS free_units) x"
	"      CROSS JOIN LATERAL (SELECT CASE WHEN n.org_id IS NOT NULL"
	"                                      THEN invoice.usage_charge(n.model, g.quantity, n.rate, n.package_size, n.free_units,"
	"                                                                n.tier_up_to, n.tier_rate, n.tier_flat)"
	"                                      ELSE invoice.usage_charge(b.model, g.quantity, b.rate, b.package_size, b.free_units,"
	"                                                                b.tier_up_to, b.tier_rate, b.tier_flat)"
	"                                 END AS charge) c),"
	/*
	 * the drafts, with the amounts their lines give (invoice_amounts, as the
	 * recompute computes a draft's: the invoice's GST split and the
	 * supplier's roundings, no credits or payments yet): the lines'
	 * statement trigger recomputes them and finds nothing to change
	 */
	" made AS ("
	"    INSERT INTO invoice.invoices (org_id, id, description, period_start, period_end, currency, gst,"
	"                                  usage_amount, credits_applied, already_billed_amount, subtotal, tax, total,"
	"                                  advance_pay_amount, amount_due, credited_amount, round_off)"
	"    SELECT d.org_id, d.id, d.description, $1, $2, d.currency, d.gst,"
	"           (d.a).usage_amount, (d.a).credits_applied, (d.a).already_billed_amount, (d.a).subtotal, (d.a).tax,"
	"           (d.a).total, (d.a).advance_pay_amount, (d.a).amount_due, (d.a).credited_amount, (d.a).round_off"
	"      FROM (SELECT d.org_id, d.id, d.description, d.currency, d.gst,"
	"                   invoice.invoice_amounts(l.amount, coalesce(l.gst_rate, 0), NULL, NULL, NULL,"
	"                                           CASE WHEN d.gst THEN invoice.gst_intra_state(true, o.billing_state, o.gstin,"
	"                                               (SELECT s.state_code FROM invoice.supplier s)) END,"
	"                                           NULL, " TAX_ROUNDING_SQL("d") ", " TOTAL_ROUNDING_SQL("d") ") AS a"
	"              FROM (SELECT t.org_id, t.id, t.description, t.currency, 'draft'::invoice.status AS status,"
	"                           NULL::text AS tax_rounding, NULL::text AS total_rounding,"
	"                           t.currency = 'INR' AND EXISTS (SELECT FROM invoice.supplier s WHERE s.gstin IS NOT NULL) AS gst"
	"                      FROM targets t) d"
	"              JOIN invoice.orgs o ON o.org_id = d.org_id"
	"              JOIN priced l ON l.org_id = d.org_id AND l.invoice_id = d.id"
	"             GROUP BY d.org_id, d.id, d.description, d.currency, d.gst, d.status, d.tax_rounding, d.total_rounding,"
	"                      o.billing_state, o.gstin) d"
	"    RETURNING 1),"
	" lines AS ("
	"    INSERT INTO invoice.line_items (line_id, org_id, invoice_id, description, units, rate, amount, tax_rate,"
	"                                    product_group, product_line, product_name, region, usage_type,"
	"                                    resource_type, resource_name, usage_start, usage_end, hsn_sac, gst_treatment)"
	"    OVERRIDING SYSTEM VALUE"
	"    SELECT " IDENTITY_NEXT("line_items_line_id_seq") ", l.org_id, l.invoice_id, l.description, l.quantity,"
	"           l.rate, l.amount, l.gst_rate, l.product_group, l.product_line, l.product_name, l.region, l.usage_type,"
	"           l.resource_type, l.resource_name, l.usage_start, l.usage_end, l.hsn_sac, l.gst_treatment"
	"      FROM priced l"
	"     ORDER BY l.org_id, l.invoice_id, l.product_id, l.resource_type, l.resource_name, l.usage_start"
	"    RETURNING 1),"
	/*
	 * each invoice's search signature, whole (its description and its lines'):
	 * the invoices' and the lines' statement triggers then find nothing to add
	 * to it, and the row is written once instead of inserted and updated
	 */
	" signed AS ("
	"    INSERT INTO invoice.search_signatures (org_id, invoice_id, signature)"
	"    SELECT t.org_id, t.id, invoice.search_signature(ARRAY[t.description] || l.descriptions)"
	"      FROM targets t"
	"      JOIN (SELECT l.org_id, l.invoice_id, array_agg(l.description) AS descriptions FROM priced l"
	"             GROUP BY l.org_id, l.invoice_id) l ON l.org_id = t.org_id AND l.invoice_id = t.id"
	"    RETURNING 1)"
	" SELECT (SELECT count(*) FROM made), (SELECT count(*) FROM tracked),"
	"        (SELECT count(*) FROM unpriced), (SELECT count(*) FROM lines), (SELECT count(*) FROM signed)";

/*
 * usage_generation_lock(org_id): taken by a generation for one organisation
 * and by the release of a deleted draft's usage; a generation for all
 * organisations takes the whole lock instead.
 */
PG_FUNCTION_INFO_V1(usage_generation_lock);
Datum
usage_generation_lock(PG_FUNCTION_ARGS)
{
	text	   *org_id = invoice_arg_text(fcinfo, 0, "organisation id");

	DirectFunctionCall1(pg_advisory_xact_lock_shared_int8, Int64GetDatum(GENERATION_LOCK_ALL));
	DirectFunctionCall2(pg_advisory_xact_lock_int4, Int32GetDatum(GENERATION_LOCK_ORG),
						DirectFunctionCall1Coll(hashtext, C_COLLATION_OID, PointerGetDatum(org_id)));
	PG_RETURN_VOID();
}

/*
 * The generation lock of org_id (NULL: of every organisation) for the rest of
 * the transaction: generations and ingests (src/usage_ingest.c) of the same
 * organisations queue on it.
 */
void
invoice_usage_generation_lock(text *org_id)
{
	if (org_id == NULL)
		DirectFunctionCall1(pg_advisory_xact_lock_int8, Int64GetDatum(GENERATION_LOCK_ALL));
	else
		DirectFunctionCall1(usage_generation_lock, PointerGetDatum(org_id));
}

/*
 * Rate, here (one node, or the organisation's node), the usage of org_id (NULL:
 * every organisation) whose billing day is billing_day (0: any); returns how
 * many invoices were made.
 */
static int64
generate_here(Datum period_start, Datum period_end, text *org_id, int billing_day)
{
	static SPIPlanPtr plan = NULL;
	Datum		values[4] = {period_start, period_end, PointerGetDatum(org_id), Int32GetDatum(billing_day)};
	char		nulls[5] = {' ', ' ', org_id == NULL ? 'n' : ' ', billing_day == 0 ? 'n' : ' ', '\0'};
	bool		was_active = invoice_usage_rating_active();
	bool		isnull;
	int64		made;

	invoice_usage_generation_lock(org_id);
	/* after the lock: this statement's snapshot sees what the generation before us billed */
	invoice_prepare(&plan, generate_sql, 4, (Oid[]) {TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, INT4OID});
	invoice_set_usage_rating(true);
	PG_TRY();
	{
		if (SPI_execute_plan(plan, values, nulls, false, 0) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "invoice generation failed");
	}
	PG_FINALLY();
	{
		invoice_set_usage_rating(was_active);
	}
	PG_END_TRY();
	made = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	return made;
}

static void
check_period(FunctionCallInfo fcinfo, int first)
{
	if (PG_ARGISNULL(first) || PG_ARGISNULL(first + 1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("period bounds must not be null")));
	if (TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(first)) || TIMESTAMP_NOT_FINITE(PG_GETARG_TIMESTAMPTZ(first + 1)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period bounds must be finite")));
	if (PG_GETARG_TIMESTAMPTZ(first + 1) <= PG_GETARG_TIMESTAMPTZ(first))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period_end must be later than period_start")));
}

/* On a Citus coordinator: one organisation's generation on its node. */
static int64
generate_on_node(Datum period_start, Datum period_end, text *org_id)
{
	static SPIPlanPtr plan = NULL;
	bool		isnull;
	Datum		made;

	made = invoice_on_org_node(&plan, "invoice.invoice_generate_on_node(o.org_id, $2, $3)",
							   3, (Oid[]) {TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID},
							   (Datum[]) {PointerGetDatum(org_id), period_start, period_end}, &isnull);
	return isnull ? 0 : DatumGetInt64(made);
}

/*
 * On a Citus coordinator: every organisation (whose billing day is
 * billing_day; 0: any), once per shard group: each node generates for the
 * organisations of its shards, one statement per shard group, in the
 * caller's transaction.
 */
static int64
generate_every_org_on_nodes(Datum period_start, Datum period_end, int billing_day)
{
	static SPIPlanPtr plan = NULL;

	return invoice_sum_over_shard_groups(&plan, "invoice.invoice_generate_group_on_node(o.org_id, $2, $3, $4)", 4,
										 (Oid[]) {InvalidOid, TIMESTAMPTZOID, TIMESTAMPTZOID, INT4OID},
										 (Datum[]) {0, period_start, period_end, Int32GetDatum(billing_day)},
										 (char[]) {' ', ' ', ' ', billing_day == 0 ? 'n' : ' ', '\0'});
}

static Datum invoice_generate_as_owner(FunctionCallInfo fcinfo);

/* invoice_generate(period_start, period_end, org_id DEFAULT NULL): draft invoices from usage */
PG_FUNCTION_INFO_V1(invoice_generate);
Datum
invoice_generate(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, invoice_generate_as_owner);
}

static Datum
invoice_generate_as_owner(FunctionCallInfo fcinfo)
{
	text	   *org_id = PG_ARGISNULL(2) ? NULL : PG_GETARG_TEXT_PP(2);
	int64		made;
	int			nest_level;

	check_period(fcinfo, 0);
	invoice_require_administrator("generate invoices");
	SPI_connect();
	nest_level = invoice_pin_search_path();
	if (org_id != NULL && invoice_text_is_blank(text_to_cstring(org_id)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("organisation id must not be empty")));
	/* what was sent to the inbox is billed too */
	invoice_usage_ingest(org_id);
	if (!invoice_distributed())
		made = generate_here(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), org_id, 0);
	else if (org_id != NULL)
		made = generate_on_node(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), org_id);
	else
		made = generate_every_org_on_nodes(PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), 0);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_INT64(made);
}

static Datum generate_on_this_node(FunctionCallInfo fcinfo);

/* invoice_generate_on_node(org_id, period_start, period_end): one organisation's generation on its node (internal) */
PG_FUNCTION_INFO_V1(invoice_generate_on_node);
Datum
invoice_generate_on_node(PG_FUNCTION_ARGS)
{
	return invoice_call_in_org(fcinfo, generate_on_this_node);
}

static Datum
generate_on_this_node(FunctionCallInfo fcinfo)
{
	int64		made;
	int			nest_level;

	check_period(fcinfo, 1);
	SPI_connect();
	nest_level = invoice_pin_search_path();
	made = generate_here(PG_GETARG_DATUM(1), PG_GETARG_DATUM(2), PG_GETARG_TEXT_PP(0), 0);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_INT64(made);
}

static Datum generate_group_here(FunctionCallInfo fcinfo);

/*
 * invoice_generate_group_on_node(org_id, period_start, period_end, billing_day):
 * the generation of every organisation (whose billing day is billing_day;
 * NULL: any) of org_id's shard group, on its node (internal)
 */
PG_FUNCTION_INFO_V1(invoice_generate_group_on_node);
Datum
invoice_generate_group_on_node(PG_FUNCTION_ARGS)
{
	return invoice_call_in_org(fcinfo, generate_group_here);
}

static Datum
generate_group_here(FunctionCallInfo fcinfo)
{
	int64		made;
	int			nest_level;

	check_period(fcinfo, 1);
	SPI_connect();
	nest_level = invoice_pin_search_path();
	made = generate_here(PG_GETARG_DATUM(1), PG_GETARG_DATUM(2), NULL, PG_ARGISNULL(3) ? 0 : PG_GETARG_INT32(3));
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_INT64(made);
}

static Datum invoice_generate_due_as_owner(FunctionCallInfo fcinfo);

/*
 * invoice_generate_due(as_of DEFAULT clock, since DEFAULT NULL): for each
 * billing day in use (the 1st, and those of usage_billing_days), the period
 * from that day of a month to the same day of the next (UTC) that ended last
 * at or before as_of is generated for the organisations of that day, when it
 * ended after since.  The background worker passes the as_of of its last
 * run as since, so a period is generated once, when its end has passed.
 */
PG_FUNCTION_INFO_V1(invoice_generate_due);
Datum
invoice_generate_due(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, invoice_generate_due_as_owner);
}

static Datum
invoice_generate_due_as_owner(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr plan = NULL;
	Datum		as_of = PG_ARGISNULL(0) ? TimestampTzGetDatum(invoice_clock_now()) : PG_GETARG_DATUM(0);
	Datum		since = PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1);
	SPITupleTable *due;
	uint64		ndue;
	int64		made = 0;
	int			nest_level;

	if (TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(as_of)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("as_of must be finite")));
	invoice_require_administrator("generate invoices");
	SPI_connect();
	nest_level = invoice_pin_search_path();
	/* month arithmetic on UTC wall-clock timestamps: the session's time zone plays no part */
	invoice_prepare(&plan,
					"SELECT d.day, (e.period_end - interval '1 month') AT TIME ZONE 'UTC',"
					"       e.period_end AT TIME ZONE 'UTC'"
					"  FROM (SELECT 1 AS day UNION SELECT b.billing_day FROM invoice.usage_billing_days b) d,"
					"       LATERAL (SELECT date_trunc('month', $1 AT TIME ZONE 'UTC') + (d.day - 1) * interval '1 day' AS m) x,"
					"       LATERAL (SELECT CASE WHEN x.m AT TIME ZONE 'UTC' <= $1 THEN x.m"
					"                            ELSE x.m - interval '1 month' END AS period_end) e"
					" WHERE $2::timestamptz IS NULL OR e.period_end AT TIME ZONE 'UTC' > $2"
					" ORDER BY d.day",
					2, (Oid[]) {TIMESTAMPTZOID, TIMESTAMPTZOID});
	if (SPI_execute_plan(plan, (Datum[]) {as_of, since}, PG_ARGISNULL(1) ? " n" : "  ", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "reading the billing days failed");
	due = SPI_tuptable;
	ndue = SPI_processed;
	/*
	 * what was sent to the inbox is billed too; loaded at every call, not only
	 * when a period ends, so that the background worker keeps the inbox short
	 */
	invoice_usage_ingest(NULL);
	for (uint64 i = 0; i < ndue; i++)
	{
		bool		isnull;
		int			day = DatumGetInt32(SPI_getbinval(due->vals[i], due->tupdesc, 1, &isnull));
		Datum		period_start = SPI_getbinval(due->vals[i], due->tupdesc, 2, &isnull);
		Datum		period_end = SPI_getbinval(due->vals[i], due->tupdesc, 3, &isnull);

		if (!invoice_distributed())
			made += generate_here(period_start, period_end, NULL, day);
		else
			made += generate_every_org_on_nodes(period_start, period_end, day);
	}
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_INT64(made);
}
