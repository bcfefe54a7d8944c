/*
 * sweep.c
 *		The overdue sweep: pending invoices whose due date has passed become
 *		overdue, through the life-cycle trigger (history, reminders and all);
 *		organisations overdue past their grace period are suspended; overdue
 *		invoices get repeat reminders.
 *
 * Each batch is one set-based statement over the partial index of pending
 * invoices by due date, taking its rows FOR NO KEY UPDATE SKIP LOCKED: an
 * invoice a payment holds is left for the next sweep instead of waited for,
 * so sweeps never deadlock with payments or with each other.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/async.h"
#include "executor/spi.h"
#include "invoice.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#define REMINDER_CHANNEL "invoice_reminders"

/* Organisation g still has an invoice overdue past its grace at $1 (grace default $2). */
#define OVERDUE_PAST_GRACE \
	"EXISTS (SELECT 1 FROM invoice.invoices i" \
	"         WHERE i.org_id = g.org_id AND i.status = 'overdue'" \
	"           AND i.dispute_status IS DISTINCT FROM 'open'" \
	"           AND i.due_date + coalesce(g.grace_period, $2) < $1)"

#define REMINDER_ID IDENTITY_NEXT("reminders_reminder_id_seq")

static TimestampTz overdue_reference;
static bool overdue_reference_set = false;

TimestampTz
invoice_overdue_reference(void)
{
	return overdue_reference_set ? overdue_reference : invoice_clock_now();
}

void
invoice_set_overdue_reference(TimestampTz as_of)
{
	overdue_reference = as_of;
	overdue_reference_set = true;
}

void
invoice_clear_overdue_reference(void)
{
	overdue_reference_set = false;
}

static Datum
grace_period_datum(void)
{
	Interval   *grace = palloc0(sizeof(Interval));

	grace->time = (int64) invoice_grace_period_minutes * USECS_PER_MINUTE;
	return IntervalPGetDatum(grace);
}

/*
 * Wake the emailer: the payload is the reminder's id.  Any role may LISTEN,
 * so an invoice id — another organisation's business — is never broadcast;
 * the emailer reads the reminder row itself.
 *
 * Not on a Citus node's shards: PostgreSQL cannot PREPARE a transaction that
 * sent NOTIFY, and Citus commits a transaction that wrote on several nodes
 * (a sweep and an issue, a bulk UPDATE) with two-phase commit — the whole
 * transaction would fail at COMMIT.  There the coordinator's sweep sends one
 * NOTIFY with an empty payload instead (sweep()), and the emailer reads the
 * unsent reminders (README "Scale-out with Citus").
 */
static void
notify_reminders(void)
{
	if (invoice_on_shard())
		return;
	for (uint64 row = 0; row < SPI_processed; row++)
		Async_Notify(REMINDER_CHANNEL, SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 1));
}

/*
 * Called by the statement trigger on invoices for the rows it changed:
 * one reminder (and NOTIFY of its id) per invoice that became overdue, and organisations
 * restored once none of their invoices is overdue past its grace period.
 */
void
invoice_queue_reminders_and_restore(void)
{
	Oid			argtypes[2] = {TIMESTAMPTZOID, INTERVALOID};
	Datum		values[2] = {TimestampTzGetDatum(invoice_overdue_reference()), grace_period_datum()};

	/* planned afresh: the transition tables vary in size (see invoice_recompute) */
	if (invoice_execute_with_args("INSERT INTO invoice.reminders (reminder_id, org_id, invoice_id, kind, reminder_day)"
					" OVERRIDING SYSTEM VALUE"
							  " SELECT " REMINDER_ID ", n.org_id, n.id, 'overdue', ($1 AT TIME ZONE 'UTC')::date"
							  " FROM changed_new n JOIN changed_old o ON o.org_id = n.org_id AND o.id = n.id"
							  " WHERE o.status = 'pending' AND n.status = 'overdue'"
							  " ON CONFLICT DO NOTHING RETURNING reminder_id",
							  1, argtypes, values, NULL, false, 0) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "queueing reminders failed");
	notify_reminders();

	if (invoice_execute_with_args("UPDATE invoice.orgs g SET suspended_at = NULL"
							  " WHERE g.suspended_at IS NOT NULL"
							  "   AND g.org_id IN (SELECT n.org_id FROM changed_new n"
							  "                    JOIN changed_old o ON o.org_id = n.org_id AND o.id = n.id"
							  "                    WHERE o.status = 'overdue' AND n.status <> 'overdue')"
							  "   AND NOT " OVERDUE_PAST_GRACE,
							  2, argtypes, values, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "restoring organisations failed");
}

/* An organisation whose last invoice overdue past grace was just disputed is restored. */
void
invoice_restore_org(Datum org_id)
{
	Oid			argtypes[3] = {TIMESTAMPTZOID, INTERVALOID, TEXTOID};
	Datum		values[3] = {TimestampTzGetDatum(invoice_overdue_reference()), grace_period_datum(), org_id};

	if (invoice_execute_with_args("UPDATE invoice.orgs g SET suspended_at = NULL"
							  " WHERE g.org_id = $3 AND g.suspended_at IS NOT NULL AND NOT " OVERDUE_PAST_GRACE,
							  3, argtypes, values, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "restoring the organisation failed");
}

/*
 * Move at most batch_size due invoices to overdue; returns how many moved.
 * Two statements, neither of whose plans can go quadratic whatever the
 * statistics say (taken while the invoices were drafts, right after a billing
 * run, they count no pending invoice): the batch's keys, read down the
 * partial index of pending invoices by due date and locked (SKIP LOCKED: an
 * invoice a payment holds is left for the next sweep); then those invoices
 * updated by primary key from the keys' arrays.  The update has no other
 * restriction on invoices (the locks keep them pending), so no plan can put
 * every pending invoice on the outer side of a join with the batch.  Planned
 * for each call: a plan kept from a sweep that found nothing due is ruinous
 * for the backlog of billing day, and planning costs nothing next to a batch.
 */
static uint64
sweep_batch(Datum as_of, int batch_size)
{
	static const char *const pick_sql =
		"SELECT i.org_id, i.id FROM invoice.invoices i"
		" WHERE i.status = 'pending' AND i.dispute_status IS DISTINCT FROM 'open' AND i.due_date < $1"
		" ORDER BY i.due_date LIMIT $2"
		" FOR NO KEY UPDATE SKIP LOCKED";
	static const char *const move_sql =
		"UPDATE invoice.invoices i SET status = 'overdue'"
		"  FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) AS d (org_id, id)"
		" WHERE i.org_id = d.org_id COLLATE \"C\" AND i.id = d.id COLLATE \"C\"";
	Datum		values[2] = {as_of, Int32GetDatum(batch_size)};
	uint64		picked;
	Datum	   *orgs;
	Datum	   *ids;
	Datum		keys[2];
	volatile uint64 moved = 0;

	if (invoice_execute_with_args(pick_sql, 2, (Oid[]) {TIMESTAMPTZOID, INT4OID}, values, NULL, false, 0)
		!= SPI_OK_SELECT)
		elog(ERROR, "overdue sweep failed to pick its batch");
	picked = SPI_processed;
	if (picked == 0)
		return 0;
	orgs = palloc(sizeof(Datum) * picked);
	ids = palloc(sizeof(Datum) * picked);
	for (uint64 row = 0; row < picked; row++)
	{
		bool		isnull;

		orgs[row] = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 1, &isnull);
		ids[row] = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, 2, &isnull);
	}
	keys[0] = PointerGetDatum(construct_array(orgs, (int) picked, TEXTOID, -1, false, TYPALIGN_INT));
	keys[1] = PointerGetDatum(construct_array(ids, (int) picked, TEXTOID, -1, false, TYPALIGN_INT));

	invoice_set_overdue_reference(DatumGetTimestampTz(as_of));
	PG_TRY();
	{
		if (invoice_execute_with_args(move_sql, 2, (Oid[]) {TEXTARRAYOID, TEXTARRAYOID}, keys, NULL, false, 0)
			!= SPI_OK_UPDATE)
			elog(ERROR, "overdue sweep failed");
		moved = SPI_processed;
	}
	PG_FINALLY();
	{
		invoice_clear_overdue_reference();
	}
	PG_END_TRY();
	return moved;
}

/*
 * Suspensions past grace and repeat reminders, once per sweep.  An
 * organisation whose row another transaction holds (a top-up, a payment
 * restoring it) is left for the next sweep: waiting for it while holding the
 * invoices just moved could deadlock with that transaction.
 */
static void
sweep_followups(Datum as_of)
{
	Oid			argtypes[3] = {TIMESTAMPTZOID, INTERVALOID, INT4OID};
	Datum		values[3] = {as_of, grace_period_datum(), Int32GetDatum(invoice_reminder_interval_days)};

	if (invoice_execute_with_args("UPDATE invoice.orgs o SET suspended_at = $1"
					" WHERE o.org_id IN (SELECT g.org_id FROM invoice.orgs g"
					"   WHERE g.suspended_at IS NULL AND " OVERDUE_PAST_GRACE
					"   FOR NO KEY UPDATE SKIP LOCKED)",
					2, argtypes, values, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "suspending organisations failed");

	if (invoice_reminder_interval_days == 0)
		return;
	if (invoice_execute_with_args("INSERT INTO invoice.reminders (reminder_id, org_id, invoice_id, kind, reminder_day)"
					" OVERRIDING SYSTEM VALUE"
					" SELECT " REMINDER_ID ", i.org_id, i.id, 'repeat', ($1 AT TIME ZONE 'UTC')::date"
					"   FROM invoice.invoices i"
					"  WHERE i.status = 'overdue' AND i.dispute_status IS DISTINCT FROM 'open'"
					"    AND NOT EXISTS (SELECT 1 FROM invoice.reminders r"
					"                     WHERE r.org_id = i.org_id AND r.invoice_id = i.id"
					"                       AND r.reminder_day > ($1 AT TIME ZONE 'UTC')::date - $3)"
					" ON CONFLICT DO NOTHING RETURNING reminder_id",
					3, argtypes, values, NULL, false, 0) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "repeat reminders failed");
	notify_reminders();
}

/* The sweep of the invoices here (one node, or a shard group on its node): batches, then the follow-ups. */
static int64
sweep_here(Datum as_of, int batch_size, bool all)
{
	uint64		moved = 0;
	uint64		batch;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();
	do
	{
		batch = sweep_batch(as_of, batch_size);
		moved += batch;
	} while (all && batch == (uint64) batch_size);
	sweep_followups(as_of);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	return (int64) moved;
}

static Datum
sweep_all_here(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(sweep_here(PG_GETARG_DATUM(0), invoice_sweep_batch_size, true));
}

static Datum
sweep_batch_here(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(sweep_here(PG_GETARG_DATUM(0), PG_GETARG_INT32(1), false));
}

/*
 * The sweep, checked; on Citus run on every node, each over its own shards
 * (invoice_sum_over_shards): a batch is then at most batch_size per shard.
 */
static int64
sweep(FunctionCallInfo fcinfo, bool all)
{
	static SPIPlanPtr node_plans[2];
	int64		moved;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("as_of must not be null")));
	if (!all && (PG_ARGISNULL(1) || PG_GETARG_INT32(1) < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("batch size must be a positive integer")));
	invoice_require_administrator("sweep overdue invoices");
	moved = invoice_sum_over_shards(fcinfo, all ? sweep_all_here : sweep_batch_here, &node_plans[all],
									all ? "invoice.invoice_sweep_on_node(o.org_id, $2, NULL)"
									: "invoice.invoice_sweep_on_node(o.org_id, $2, $3)");
	/* a coordinator: the nodes sent no NOTIFY (notify_reminders); one here, with no id */
	if (!invoice_on_shard() && invoice_distributed())
		Async_Notify(REMINDER_CHANNEL, "");
	return moved;
}

static Datum sweep_on_node(FunctionCallInfo fcinfo);

/* invoice_sweep_on_node(org_id, as_of, batch_size): the sweep of the shard group of org_id, on its node (internal; NULL batch size: all) */
PG_FUNCTION_INFO_V1(invoice_sweep_on_node);
Datum
invoice_sweep_on_node(PG_FUNCTION_ARGS)
{
	return invoice_call_in_org(fcinfo, sweep_on_node);
}

static Datum
sweep_on_node(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("as_of must not be null")));
	if (PG_ARGISNULL(2))
		PG_RETURN_INT64(sweep_here(PG_GETARG_DATUM(1), invoice_sweep_batch_size, true));
	PG_RETURN_INT64(sweep_here(PG_GETARG_DATUM(1), PG_GETARG_INT32(2), false));
}

static Datum invoice_sweep_overdue_as_owner(FunctionCallInfo fcinfo);

/* invoice_sweep_overdue(as_of): every pending invoice due before as_of → overdue; returns how many */
PG_FUNCTION_INFO_V1(invoice_sweep_overdue);
Datum
invoice_sweep_overdue(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, invoice_sweep_overdue_as_owner);
}

static Datum
invoice_sweep_overdue_as_owner(FunctionCallInfo fcinfo)
{
	PG_RETURN_INT32((int32) sweep(fcinfo, true));
}

static Datum invoice_sweep_overdue_batch_as_owner(FunctionCallInfo fcinfo);

/* invoice_sweep_overdue_batch(as_of, batch_size): at most batch_size of them, for short transactions */
PG_FUNCTION_INFO_V1(invoice_sweep_overdue_batch);
Datum
invoice_sweep_overdue_batch(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, invoice_sweep_overdue_batch_as_owner);
}

static Datum
invoice_sweep_overdue_batch_as_owner(FunctionCallInfo fcinfo)
{
	PG_RETURN_INT32((int32) sweep(fcinfo, false));
}
