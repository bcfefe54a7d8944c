/*
 * worker.c
 *		The background workers that run the overdue sweep and the billing days'
 *		invoice generation from usage.
 *
 * A background worker is bound to one database for life, so there are two
 * kinds: one launcher, registered at server start and connected to no
 * database, which reads invoice.sweep_databases (reloadable) and keeps one
 * sweep worker running per listed database that exists; and those workers,
 * each a thin loop around invoice.invoice_sweep_overdue_batch.  The launcher
 * notices a database created, dropped or added to the list later; a worker
 * that stops is started again, at most once per RESTART_DELAY_SECS.
 *
 * After each sweep, unless invoice.generate_usage is off, the worker runs
 * invoice.invoice_generate_due(as_of, since): each billing day's period that
 * ended since the worker's last generation is generated (README "Usage
 * billing", Schedule).  since is kept in the worker's memory: a worker that
 * starts again generates each billing day's last period once more, which
 * makes nothing that was made before (generation is safe to re-run).
 */
#include "postgres.h"

#include <limits.h>

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "invoice.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

/* Pace for restarting the launcher and a database's worker after they stop. */
#define RESTART_DELAY_SECS 5

#define WORKER_TYPE "invoice sweep"
#define LAUNCHER_TYPE "invoice sweep launcher"
#define SWEEP_SQL "SELECT invoice.invoice_sweep_overdue_batch($1, $2)"
#define GENERATE_SQL "SELECT invoice.invoice_generate_due($1, $2)"
/* 0.1 of the SQL surface (not updated yet) has no invoice_generate_due: then nothing is generated */
#define GENERATE_EXISTS_SQL \
	"SELECT pg_catalog.to_regprocedure('invoice.invoice_generate_due(timestamptz, timestamptz)') IS NOT NULL"

PGDLLEXPORT void invoice_sweep_launcher_main(Datum main_arg);
PGDLLEXPORT void invoice_sweep_worker_main(Datum main_arg);

/* Settings (README "Settings"). */
static int	sweep_interval = 60;
static char *sweep_databases = NULL;
static bool generate_usage = true;

/* The as_of of the worker's last generation (0: none since it started). */
static TimestampTz last_generated = 0;

static int64 generate_due(TimestampTz as_of);

/* A database named in invoice.sweep_databases, as the launcher tracks it. */
typedef struct SweepTarget
{
	char		dbname[NAMEDATALEN];
	BackgroundWorkerHandle *handle; /* its worker; NULL while none runs */
	TimestampTz started_at;		/* last start, to pace restarts */
	TimestampTz reported_at;	/* last time the log said why it is not swept */
	Oid			dboid;			/* from the latest look-up; InvalidOid if missing */
	bool		connectable;
} SweepTarget;

static SweepTarget *targets = NULL;
static int	ntargets = 0;
static int	maxtargets = 0;

/* The worker's clock: 0 is 2000-01-01, so the first sweep is due at once. */
static TimestampTz last_sweep = 0;

static bool
check_sweep_databases(char **newval, void **extra, GucSource source)
{
	char	   *rawstring = pstrdup(*newval);
	List	   *names;
	bool		valid = SplitIdentifierString(rawstring, ',', &names);

	list_free(names);
	pfree(rawstring);
	if (!valid)
		GUC_check_errdetail("List syntax is invalid.");
	return valid;
}

static long
interval_ms(void)
{
	return sweep_interval * 1000L;
}

/* ---------------------------------------------------------------------------
 * The sweep worker of one database
 * ---------------------------------------------------------------------------
 */

static void
sweep_error_context(void *arg)
{
	errcontext("overdue sweep of database \"%s\"", (const char *) arg);
}

/* sweep_batch's answers other than a count */
#define NOT_INSTALLED (-1)
#define CITUS_WORKER_NODE (-2)

/*
 * One batch in a transaction of its own, so that a backlog never keeps many
 * invoices locked for long.  Returns how many invoices moved, NOT_INSTALLED
 * when the extension is not installed in this database, or CITUS_WORKER_NODE
 * when this database is a Citus worker node (the coordinator's worker sweeps
 * every shard: README "Scale-out with Citus").
 */
static int
sweep_batch(TimestampTz as_of, int batch_size)
{
	Oid			argtypes[2] = {TIMESTAMPTZOID, INT4OID};
	Datum		values[2] = {TimestampTzGetDatum(as_of), Int32GetDatum(batch_size)};
	bool		isnull;
	int			moved;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (!OidIsValid(get_extension_oid("invoice", true)))
		moved = NOT_INSTALLED;
	else if (invoice_on_citus_worker_node())
		moved = CITUS_WORKER_NODE;
	else
	{
		debug_query_string = SWEEP_SQL;
		pgstat_report_activity(STATE_RUNNING, SWEEP_SQL);
		if (SPI_execute_with_args(SWEEP_SQL, 2, argtypes, values, NULL, false, 1) != SPI_OK_SELECT ||
			SPI_processed != 1)
			elog(ERROR, "overdue sweep batch failed");
		moved = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	debug_query_string = NULL;
	pgstat_report_activity(STATE_IDLE, NULL);
	return moved;
}

/*
 * Batches until one comes back short.  Every batch compares due dates with
 * the instant the sweep began, so invoices falling due meanwhile cannot keep
 * it going; they are the next sweep's.
 */
static void
sweep_database(const char *dbname)
{
	ErrorContextCallback errcallback;
	TimestampTz as_of = invoice_clock_now();
	int			batch_size = invoice_sweep_batch_size;
	int64		moved = 0;
	int			batch;

	errcallback.callback = sweep_error_context;
	errcallback.arg = unconstify(char *, dbname);
	errcallback.previous = error_context_stack;
	error_context_stack = &errcallback;
	do
	{
		CHECK_FOR_INTERRUPTS();
		batch = sweep_batch(as_of, batch_size);
		if (batch > 0)
			moved += batch;
	} while (batch >= batch_size);
	error_context_stack = errcallback.previous;

	if (batch == CITUS_WORKER_NODE)
	{
		static bool reported = false;

		/* once per process: a worker node stays one */
		if (!reported)
			ereport(LOG,
					(errmsg("overdue sweep skipped: database \"%s\" is a Citus worker node", dbname),
					 errdetail("The background worker of the coordinator sweeps and generates for every node."),
					 errhint("Remove the database from invoice.sweep_databases on the worker nodes.")));
		reported = true;
		return;
	}
	if (batch == NOT_INSTALLED)
		ereport(LOG,
				(errmsg("overdue sweep skipped: extension \"invoice\" is not installed in database \"%s\"", dbname),
				 errhint("Run CREATE EXTENSION invoice in that database, or remove it from invoice.sweep_databases.")));
	else if (moved > 0)
		ereport(LOG,
				(errmsg_plural("overdue sweep: %lld invoice became overdue in database \"%s\"",
							   "overdue sweep: %lld invoices became overdue in database \"%s\"",
							   moved, (long long) moved, dbname)));
	if (batch >= 0 && generate_usage)
	{
		int64		made = generate_due(as_of);

		if (made > 0)
			ereport(LOG,
					(errmsg_plural("usage generation: %lld draft invoice made in database \"%s\"",
								   "usage generation: %lld draft invoices made in database \"%s\"",
								   made, (long long) made, dbname)));
	}
	pgstat_report_stat(true);
}

/*
 * The billing days' generation as of the sweep's instant, in a transaction of
 * its own: the periods that ended since the last one.  Returns how many
 * invoices were made, or -1 when this database's SQL has no
 * invoice_generate_due.  An error leaves last_generated as it was: the next
 * sweep tries the same periods again.
 */
static int64
generate_due(TimestampTz as_of)
{
	Oid			argtypes[2] = {TIMESTAMPTZOID, TIMESTAMPTZOID};
	Datum		values[2] = {TimestampTzGetDatum(as_of), TimestampTzGetDatum(last_generated)};
	bool		isnull;
	int64		made = -1;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_execute(GENERATE_EXISTS_SQL, true, 1) == SPI_OK_SELECT && SPI_processed == 1 &&
		DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
	{
		debug_query_string = GENERATE_SQL;
		pgstat_report_activity(STATE_RUNNING, GENERATE_SQL);
		if (SPI_execute_with_args(GENERATE_SQL, 2, argtypes, values, last_generated == 0 ? " n" : "  ",
								  false, 1) != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "usage generation failed");
		made = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	debug_query_string = NULL;
	pgstat_report_activity(STATE_IDLE, NULL);
	last_generated = as_of;
	return made;
}

/* One turn of the worker's loop: reload, sweep if due, wait. */
static void
worker_step(const char *dbname)
{
	long		timeout = -1;

	CHECK_FOR_INTERRUPTS();
	if (ConfigReloadPending)
	{
		ConfigReloadPending = false;
		ProcessConfigFile(PGC_SIGHUP);
	}
	/* Due from the last sweep's start, so a shorter interval takes effect at once. */
	if (sweep_interval > 0)
	{
		TimestampTz due = TimestampTzPlusMilliseconds(last_sweep, interval_ms());

		if (GetCurrentTimestamp() >= due)
		{
			last_sweep = GetCurrentTimestamp();
			due = TimestampTzPlusMilliseconds(last_sweep, interval_ms());
			sweep_database(dbname);
		}
		timeout = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), due);
	}
	(void) WaitLatch(MyLatch,
					 WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | (timeout >= 0 ? WL_TIMEOUT : 0),
					 timeout, PG_WAIT_EXTENSION);
	ResetLatch(MyLatch);
}

void
invoice_sweep_worker_main(Datum main_arg)
{
	/* the launcher's copy: no catalog access needed to name the database in messages */
	const char *dbname = MyBgworkerEntry->bgw_extra;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(DatumGetObjectId(main_arg), InvalidOid, 0);
	SetConfigOption("application_name", WORKER_TYPE, PGC_USERSET, PGC_S_SESSION);

	/*
	 * An ERROR, in a sweep or from a cancel request while idle, is logged and
	 * the loop carries on; the next sweep comes at its usual time.  SIGTERM
	 * and postmaster death end the process (FATAL never lands here).
	 */
	for (;;)
	{
		PG_TRY();
		{
			worker_step(dbname);
		}
		PG_CATCH();
		{
			HOLD_INTERRUPTS();
			EmitErrorReport();
			AbortCurrentTransaction();
			MemoryContextSwitchTo(TopMemoryContext);
			FlushErrorState();
			debug_query_string = NULL;
			pgstat_report_activity(STATE_IDLE, NULL);
			RESUME_INTERRUPTS();
		}
		PG_END_TRY();
	}
}

/* ---------------------------------------------------------------------------
 * The launcher
 * ---------------------------------------------------------------------------
 */

static SweepTarget *
find_target(const char *dbname)
{
	for (int i = 0; i < ntargets; i++)
		if (strcmp(targets[i].dbname, dbname) == 0)
			return &targets[i];
	return NULL;
}

static void
add_target(const char *dbname)
{
	if (ntargets == maxtargets)
	{
		maxtargets = Max(8, 2 * maxtargets);
		targets = targets == NULL
			? MemoryContextAlloc(TopMemoryContext, maxtargets * sizeof(SweepTarget))
			: repalloc(targets, maxtargets * sizeof(SweepTarget));
	}
	memset(&targets[ntargets], 0, sizeof(SweepTarget));
	strlcpy(targets[ntargets].dbname, dbname, NAMEDATALEN);
	ntargets++;
}

static bool
name_listed(List *names, const char *dbname)
{
	ListCell   *lc;

	foreach(lc, names)
		if (strcmp((const char *) lfirst(lc), dbname) == 0)
			return true;
	return false;
}

/* Make targets[] the listed databases, stopping the workers of those no longer listed. */
static void
update_targets(void)
{
	char	   *rawstring = pstrdup(sweep_databases);
	List	   *names;
	ListCell   *lc;

	/* the check hook has accepted the list */
	(void) SplitIdentifierString(rawstring, ',', &names);
	for (int i = 0; i < ntargets;)
	{
		if (name_listed(names, targets[i].dbname))
		{
			i++;
			continue;
		}
		if (targets[i].handle != NULL)
		{
			TerminateBackgroundWorker(targets[i].handle);
			pfree(targets[i].handle);
			ereport(LOG,
					(errmsg("stopping the overdue sweep of database \"%s\": no longer in invoice.sweep_databases",
							targets[i].dbname)));
		}
		targets[i] = targets[--ntargets];
	}
	foreach(lc, names)
		if (find_target(lfirst(lc)) == NULL)
			add_target(lfirst(lc));
}

/* pg_database by heap scan: the launcher has no database, so no relcache for its indexes. */
static void
look_up_targets(void)
{
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tuple;

	for (int i = 0; i < ntargets; i++)
	{
		targets[i].dboid = InvalidOid;
		targets[i].connectable = false;
	}
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while (HeapTupleIsValid(tuple = heap_getnext(scan, ForwardScanDirection)))
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tuple);
		SweepTarget *target = find_target(NameStr(db->datname));

		if (target == NULL)
			continue;
		target->dboid = db->oid;
		/* an interrupted DROP DATABASE leaves it invalid */
		target->connectable = db->datallowconn && db->datconnlimit != DATCONNLIMIT_INVALID_DB;
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
}

/* Say why a database is not swept at most once per interval, not at every wake-up. */
static bool
report_due(SweepTarget *target, TimestampTz now)
{
	if (target->reported_at != 0 &&
		(sweep_interval == 0 || now < TimestampTzPlusMilliseconds(target->reported_at, interval_ms())))
		return false;
	target->reported_at = now;
	return true;
}

static bool
start_worker(SweepTarget *target)
{
	BackgroundWorker worker;
	MemoryContext oldcontext;
	bool		started;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	/* the launcher restarts it, and knows when the database is gone */
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	strlcpy(worker.bgw_library_name, "invoice", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "invoice_sweep_worker_main", BGW_MAXLEN);
	snprintf(worker.bgw_name, BGW_MAXLEN, WORKER_TYPE " for database %s", target->dbname);
	strlcpy(worker.bgw_type, WORKER_TYPE, BGW_MAXLEN);
	worker.bgw_main_arg = ObjectIdGetDatum(target->dboid);
	strlcpy(worker.bgw_extra, target->dbname, BGW_EXTRALEN);
	/* its start and exit set our latch */
	worker.bgw_notify_pid = MyProcPid;

	oldcontext = MemoryContextSwitchTo(TopMemoryContext);
	started = RegisterDynamicBackgroundWorker(&worker, &target->handle);
	MemoryContextSwitchTo(oldcontext);
	return started;
}

/*
 * Start a worker for every listed database that exists and has none running.
 * Returns how long the launcher may sleep (-1: until something wakes it).
 */
static long
launch_workers(void)
{
	TimestampTz now = GetCurrentTimestamp();
	long		timeout = -1;
	bool		recheck = false;

	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	update_targets();
	look_up_targets();
	for (int i = 0; i < ntargets; i++)
	{
		SweepTarget *target = &targets[i];
		pid_t		pid;
		TimestampTz next_start;

		if (target->handle != NULL)
		{
			if (GetBackgroundWorkerPid(target->handle, &pid) != BGWH_STOPPED)
				continue;
			pfree(target->handle);
			target->handle = NULL;
		}
		if (!OidIsValid(target->dboid) || !target->connectable)
		{
			recheck = true;
			if (!report_due(target, now))
				continue;
			if (OidIsValid(target->dboid))
				ereport(LOG,
						(errmsg("database \"%s\" in invoice.sweep_databases does not accept connections",
								target->dbname),
						 errdetail("Its invoices are not swept until it does.")));
			else
				ereport(LOG,
						(errmsg("database \"%s\" in invoice.sweep_databases does not exist", target->dbname),
						 errdetail("Its invoices are not swept until it is created.")));
			continue;
		}
		next_start = TimestampTzPlusMilliseconds(target->started_at, RESTART_DELAY_SECS * 1000L);
		if (now < next_start)
		{
			long		wait = TimestampDifferenceMilliseconds(now, next_start);

			timeout = timeout < 0 ? wait : Min(timeout, wait);
			continue;
		}
		if (!start_worker(target))
		{
			recheck = true;
			if (report_due(target, now))
				ereport(WARNING,
						(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
						 errmsg("could not start the overdue sweep of database \"%s\"", target->dbname),
						 errhint("Raise max_worker_processes: the sweep needs one background worker per database, and one launcher.")));
			continue;
		}
		target->started_at = now;
		target->reported_at = 0;
	}
	PopActiveSnapshot();
	CommitTransactionCommand();

	/* a database may be created, or a worker slot freed, without waking us */
	if (recheck && sweep_interval > 0)
		timeout = timeout < 0 ? interval_ms() : Min(timeout, interval_ms());
	return timeout;
}

/* A restarted launcher knows nothing of the workers it started before: end them with it. */
static void
stop_workers(int code, Datum arg)
{
	for (int i = 0; i < ntargets; i++)
		if (targets[i].handle != NULL)
			TerminateBackgroundWorker(targets[i].handle);
}

void
invoice_sweep_launcher_main(Datum main_arg)
{
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	/* no database: pg_database is shared, and that is all the launcher reads */
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	before_shmem_exit(stop_workers, (Datum) 0);

	/* An ERROR here ends the launcher (and its workers); the postmaster restarts it. */
	for (;;)
	{
		long		timeout;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		timeout = launch_workers();
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_EXIT_ON_PM_DEATH | (timeout >= 0 ? WL_TIMEOUT : 0),
						 timeout, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

void
invoice_worker_init(void)
{
	BackgroundWorker launcher;

	/* Defined whether preloaded or not, so SHOW and ALTER SYSTEM know them. */
	DefineCustomIntVariable("invoice.sweep_interval",
							"Time between overdue sweeps of the background worker; 0 stops sweeping.",
							"Takes effect only when invoice is in shared_preload_libraries.",
							&sweep_interval, 60, 0, INT_MAX / 1000,
							PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);
	/*
	 * One string, not GUC_LIST_INPUT: SET's list form would drop the double
	 * quotes of a mixed-case name (extensions cannot have GUC_LIST_QUOTE).
	 */
	DefineCustomBoolVariable("invoice.generate_usage",
							 "Whether the background worker generates usage invoices on the billing days after each sweep.",
							 "Takes effect only when invoice is in shared_preload_libraries.",
							 &generate_usage, true,
							 PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("invoice.sweep_databases",
							   "Databases the background worker sweeps, comma-separated.",
							   "Takes effect only when invoice is in shared_preload_libraries.",
							   &sweep_databases, "",
							   PGC_SIGHUP, 0, check_sweep_databases, NULL, NULL);

	/* The worker exists only when the library is preloaded. */
	if (!process_shared_preload_libraries_in_progress)
		return;

	memset(&launcher, 0, sizeof(launcher));
	launcher.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	/* the sweep writes: nothing to do on a standby until it is promoted */
	launcher.bgw_start_time = BgWorkerStart_RecoveryFinished;
	launcher.bgw_restart_time = RESTART_DELAY_SECS;
	strlcpy(launcher.bgw_library_name, "invoice", BGW_MAXLEN);
	strlcpy(launcher.bgw_function_name, "invoice_sweep_launcher_main", BGW_MAXLEN);
	strlcpy(launcher.bgw_name, LAUNCHER_TYPE, BGW_MAXLEN);
	strlcpy(launcher.bgw_type, LAUNCHER_TYPE, BGW_MAXLEN);
	RegisterBackgroundWorker(&launcher);
}
