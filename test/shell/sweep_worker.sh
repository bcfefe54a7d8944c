#!/usr/bin/env bash
#
# test/shell/sweep_worker.sh — the overdue sweep's background workers, for real.
#
# In the cluster it is run in (the test runner's, started without the library
# preloaded) it checks that no sweep process runs and that the settings are
# known once the library is loaded.  Then it starts a throwaway cluster of its
# own with
#
#     shared_preload_libraries = 'invoice'
#     invoice.sweep_databases  = 'invoice_sweep'    (created only later)
#     invoice.sweep_interval   = 1
#
# and watches the launcher and the worker: a database that does not exist yet
# and one without the extension are reported in the log; an invoice falling
# due is moved to overdue within the interval (history row by the worker's
# role, reminder); a sweep that fails is logged and the loop carries on; a
# reload to interval 0 stops sweeping and back to 1 resumes it; a terminated
# worker is started again by the launcher, a terminated launcher takes its
# worker with it and comes back with one; a database taken off the list loses
# its worker (and can be dropped), databases added get one each; after a
# sweep, the billing days' usage generation makes the draft of a period that
# ended (moved there by the test clock), once;
# "pg_ctl stop -m fast" returns at once.
#
# Waits poll every 0.2 s up to a bound; nothing sleeps longer than it must.
#
# Run it inside a cluster whose connection environment is set (PGHOST, PGPORT,
# PGUSER — e.g. under pg_virtualenv) as a superuser, after "make install".  As
# root the private cluster runs as the postgres user.  It prints TAP ("ok N - …"
# / "not ok N - …", then "1..N") and exits non-zero when a check fails.

set -u

TEST_NAME=sweep_worker
DB=invoice_sweep
# shellcheck disable=SC2016 # the statement's own parameters
SWEEP_SQL='SELECT invoice.invoice_sweep_overdue_batch($1, $2)'
# shellcheck disable=SC2016 # the statement's own parameters
GENERATE_SQL='SELECT invoice.invoice_generate_due($1, $2)'

# shellcheck source=lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"
# shellcheck source=lib/cluster.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"

# shellcheck source=lib/poll_file.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/poll_file.sh"
# poll_log SECONDS PATTERN: until the server log has a line matching PATTERN (grep -E)
poll_log() { poll_file "$1" "$LOG" "$2"; }

# expect_poll DESCRIPTION SECONDS DB SQL WANT
expect_poll()
{
	if poll "$2" "$3" "$4" "$5"; then
		ok "$1"
	else
		not_ok "$1" "after $2 s: $got" "want: $5"
	fi
}

# expect_log DESCRIPTION SECONDS PATTERN
expect_log()
{
	if poll_log "$2" "$3"; then
		ok "$1"
	else
		not_ok "$1" "no line matching /$3/ in the server log within $2 s"
	fi
}

# pid_of BACKEND_TYPE: the pid of the one process of that type ('' if none)
pid_of()
{
	q postgres "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE backend_type = '$1'"
}

# due_invoice ID SECONDS: a pending invoice falling due SECONDS from now; prints its status
due_invoice()
{
	q "$DB" "INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date)
	         VALUES ('org-sweep', '$1', now() - interval '1 month', now(), now(), now() + interval '$2 seconds');
	         INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
	         VALUES ('org-sweep', '$1', 'hosting', 1, 10);
	         SELECT status FROM invoice.invoice_issue('$1')"
}

# reload_with STATEMENT: an ALTER SYSTEM statement, then pg_reload_conf()
reload_with()
{
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d postgres -c "$1" -c "SELECT pg_reload_conf()" >/dev/null
}

status_of()
{
	q "$DB" "SELECT status FROM invoice.invoices WHERE id = '$1'"
}

# --- 1. not preloaded: the cluster this runs in -----------------------------------------------

check "without shared_preload_libraries no sweep process runs" \
	"$(psql -X -q -A -t -c "LOAD 'invoice'" \
		-c "SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'invoice sweep%'" 2>&1)" "0"
check "once the library is loaded, SHOW invoice.sweep_interval works (default 1 minute)" \
	"$(psql -X -q -A -t -c "LOAD 'invoice'" -c "SHOW invoice.sweep_interval" 2>&1)" "1min"

# --- 2. a cluster of our own, with the library preloaded -----------------------------------------

start_cluster "a cluster with invoice in shared_preload_libraries starts" \
	"shared_preload_libraries = 'invoice'
invoice.sweep_databases = '$DB'
invoice.sweep_interval = 1"
ok "a cluster with invoice in shared_preload_libraries starts"

superuser=$(q postgres "SELECT rolname FROM pg_roles WHERE oid = 10")
expect_poll "the launcher runs (pg_stat_activity.backend_type 'invoice sweep launcher')" 10 postgres \
	"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'invoice sweep launcher'" "1"
expect_log "a listed database that does not exist is reported in the log" 10 \
	"LOG:  database \"$DB\" in invoice.sweep_databases does not exist"

if ! out=$(createdb "$DB" 2>&1); then
	bail "create database $DB" "$out"
fi
expect_poll "once the database exists, its worker starts within the interval" 10 postgres \
	"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'invoice sweep' AND datname = '$DB'" "1"
expect_log "a listed database without the extension is reported in the log" 10 \
	"LOG:  overdue sweep skipped: extension \"invoice\" is not installed in database \"$DB\""

if ! out=$(q "$DB" "SET client_min_messages = warning;
                    CREATE EXTENSION invoice CASCADE;
                    INSERT INTO invoice.orgs (org_id, name) VALUES ('org-sweep', 'Sweep Test Org')"); then
	bail "CREATE EXTENSION invoice CASCADE in $DB" "$out"
fi

# --- 3. an invoice falls due ------------------------------------------------------------------------

check "an invoice falling due in 2 s is pending" "$(due_invoice inv-1 2)" "pending"
expect_poll "the worker moves it to overdue" 20 "$DB" \
	"SELECT status FROM invoice.invoices WHERE id = 'inv-1'" "overdue"
check "its history row: pending → overdue, by the worker's role ($superuser), not before the due date" \
	"$(q "$DB" "SELECT string_agg(h.from_status || ' -> ' || h.to_status || ' by ' || h.changed_by
	                             || CASE WHEN h.changed_at >= i.due_date THEN ', after due' ELSE ', EARLY' END, '; ')
	             FROM invoice.status_history h JOIN invoice.invoices i ON i.org_id = h.org_id AND i.id = h.invoice_id
	            WHERE h.invoice_id = 'inv-1' AND h.to_status = 'overdue'")" \
	"pending -> overdue by $superuser, after due"
check "and one overdue reminder" \
	"$(q "$DB" "SELECT count(*) FROM invoice.reminders WHERE invoice_id = 'inv-1' AND kind = 'overdue'")" "1"
check "the worker shows in pg_stat_activity: backend type, application_name, role, its statement (the sweep's or, after it, the usage generation's)" \
	"$(q "$DB" "SELECT backend_type || ' | ' || application_name || ' | ' || usename || ' | '
	                   || (query IN ('$SWEEP_SQL', '$GENERATE_SQL'))::text
	             FROM pg_stat_activity WHERE backend_type = 'invoice sweep' AND datname = current_database()")" \
	"invoice sweep | invoice sweep | $superuser | true"
worker=$(pid_of "invoice sweep")

# --- 4. errors are logged and the loop carries on ----------------------------------------------------

q "$DB" "CREATE FUNCTION public.block_sweep() RETURNS trigger LANGUAGE plpgsql
             AS \$\$BEGIN RAISE EXCEPTION 'sweep blocked by the test'; END\$\$;
         CREATE TRIGGER block_sweep BEFORE UPDATE ON invoice.invoices
             FOR EACH ROW WHEN (NEW.status = 'overdue') EXECUTE FUNCTION public.block_sweep()" >/dev/null
due_invoice inv-2 1 >/dev/null
expect_log "a failing sweep is logged as an ERROR" 20 "\[$worker\] ERROR:  sweep blocked by the test"
expect_log "with the database named in the error's context" 5 "overdue sweep of database \"$DB\""
check "the failed batch moved nothing" "$(status_of inv-2)" "pending"
q "$DB" "DROP TRIGGER block_sweep ON invoice.invoices; DROP FUNCTION public.block_sweep()" >/dev/null
expect_poll "once the cause is gone, the next sweep moves the invoice" 20 "$DB" \
	"SELECT status FROM invoice.invoices WHERE id = 'inv-2'" "overdue"
check "the same worker process carried on" "$(pid_of "invoice sweep")" "$worker"

q postgres "SELECT pg_cancel_backend($worker)" >/dev/null
expect_log "a cancel request is logged as an ERROR" 10 "\[$worker\] ERROR:  canceling statement due to user request"
sleep 0.5
check "and the worker carries on" "$(pid_of "invoice sweep")" "$worker"

# --- 5. invoice.sweep_interval is reloadable -----------------------------------------------------

reload_with "ALTER SYSTEM SET invoice.sweep_interval = 0"
poll 10 postgres "SHOW invoice.sweep_interval" "0"
check "ALTER SYSTEM SET invoice.sweep_interval = 0 and pg_reload_conf(): the setting is 0" "$got" "0"
due_invoice inv-3 1 >/dev/null
if poll 4 "$DB" "SELECT status FROM invoice.invoices WHERE id = 'inv-3'" "overdue"; then
	not_ok "with the interval 0, an invoice past due is not swept (3 s after its due date)" "it was swept"
else
	check "with the interval 0, an invoice past due is not swept (3 s after its due date)" "$got" "pending"
fi
reload_with "ALTER SYSTEM RESET invoice.sweep_interval"
expect_poll "back to 1 s: the invoice is swept" 20 "$DB" \
	"SELECT status FROM invoice.invoices WHERE id = 'inv-3'" "overdue"
check "the reloads did not restart the worker" "$(pid_of "invoice sweep")" "$worker"

# --- 5b. the worker reads the extension's clock: a test clock set with ALTER SYSTEM -----------------
# (This cluster runs on the real clock, so due dates here come from now(); the test clock then
# moves the worker's "now" two years on.)

check "an invoice due in a year is pending" "$(due_invoice inv-clock 31536000)" "pending"
clock=$(q postgres "SELECT to_char((now() + interval '2 years') AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00'")
reload_with "ALTER SYSTEM SET invoice.test_clock = '$clock'"
expect_poll "ALTER SYSTEM SET invoice.test_clock two years on: the worker sweeps it" 20 "$DB" \
	"SELECT status FROM invoice.invoices WHERE id = 'inv-clock'" "overdue"
check "its history row and reminder are of the test clock's instant and day" \
	"$(q "$DB" "SELECT h.changed_at = '$clock'::timestamptz AND r.reminder_day = ('$clock'::timestamptz AT TIME ZONE 'UTC')::date
	            FROM invoice.status_history h JOIN invoice.reminders r USING (org_id, invoice_id)
	           WHERE h.invoice_id = 'inv-clock' AND h.to_status = 'overdue'")" "t"
reload_with "ALTER SYSTEM RESET invoice.test_clock"

# --- 5c. after each sweep, the billing days' usage generation (invoice.generate_usage) ---------------
# Usage of three years on (not billed by the generations on the real clock), then the test clock
# moved there: the calendar month that ended since the worker's last run is generated, once.

clock=$(q postgres "SELECT to_char((now() + interval '3 years') AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00'")
q "$DB" "INSERT INTO invoice.orgs (org_id, name) VALUES ('org-usage', 'Usage by the worker');
         INSERT INTO invoice.products (product_id, product_name, unit, currency) VALUES ('w-egress', 'Egress', 'GB', 'USD');
         INSERT INTO invoice.prices (product_id, effective_from, model, rate) VALUES ('w-egress', '2000-01-01', 'per_unit', 0.5);
         INSERT INTO invoice.usage_records (org_id, idempotency_key, product_name, quantity, usage_start, usage_end)
         VALUES ('org-usage', 'w-1', 'Egress', 10, '$clock'::timestamptz - interval '40 days', '$clock'::timestamptz - interval '40 days')" \
	>/dev/null
sleep 1.5
check "on the real clock, the worker generates nothing for usage three years on" \
	"$(q "$DB" "SELECT count(*) FROM invoice.usage_invoices")" "0"
reload_with "ALTER SYSTEM SET invoice.test_clock = '$clock'"
expect_poll "the test clock three years on: the worker generates the billing day's draft" 20 "$DB" \
	"SELECT count(*) || ' ' || min(i.status::text) || ' ' || min(i.usage_amount::text) FROM invoice.usage_invoices u
	   JOIN invoice.invoices i ON i.org_id = u.org_id AND i.id = u.invoice_id" "1 draft 5.00"
expect_log "and logs it" 10 "usage generation: 1 draft invoice made in database \"$DB\""
sleep 1.5
check "the next sweeps make nothing more" "$(q "$DB" "SELECT count(*) FROM invoice.usage_invoices")" "1"
reload_with "ALTER SYSTEM RESET invoice.test_clock"

# --- 6. SIGTERM ------------------------------------------------------------------------------------

check "pg_terminate_backend(worker)" "$(q postgres "SELECT pg_terminate_backend($worker)")" "t"
expect_poll "the worker exits at once" 5 postgres \
	"SELECT count(*) FROM pg_stat_activity WHERE pid = $worker" "0"
expect_log "logging that it was terminated" 5 \
	"\[$worker\] FATAL:  terminating background worker \"invoice sweep\" due to administrator command"
expect_poll "the launcher starts a new worker" 20 postgres \
	"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'invoice sweep' AND datname = '$DB' AND pid <> $worker" "1"
worker=$(pid_of "invoice sweep")
due_invoice inv-4 1 >/dev/null
expect_poll "which sweeps" 20 "$DB" "SELECT status FROM invoice.invoices WHERE id = 'inv-4'" "overdue"

launcher=$(pid_of "invoice sweep launcher")
check "pg_terminate_backend(launcher)" "$(q postgres "SELECT pg_terminate_backend($launcher)")" "t"
expect_poll "the launcher's worker stops with it" 5 postgres \
	"SELECT count(*) FROM pg_stat_activity WHERE pid IN ($launcher, $worker)" "0"
expect_poll "the postmaster restarts the launcher, which starts one worker again" 20 postgres \
	"SELECT string_agg(backend_type, ', ' ORDER BY backend_type) FROM pg_stat_activity
	  WHERE backend_type LIKE 'invoice sweep%' AND pid NOT IN ($launcher, $worker)" \
	"invoice sweep, invoice sweep launcher"

# --- 7. the list of databases is reloadable --------------------------------------------------------

createdb "Sweep Two" >/dev/null
reload_with "ALTER SYSTEM SET invoice.sweep_databases = 'postgres, \"Sweep Two\"'"
expect_poll "a database taken off invoice.sweep_databases loses its worker" 10 postgres \
	"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'invoice sweep' AND datname = '$DB'" "0"
expect_poll "and databases added get one each (a quoted name keeps its case)" 10 postgres \
	"SELECT string_agg(datname, ', ' ORDER BY datname) FROM pg_stat_activity WHERE backend_type = 'invoice sweep'" \
	"Sweep Two, postgres"
check "the database taken off can be dropped without FORCE" "$(q postgres "DROP DATABASE $DB" 2>&1)" ""

# --- 8. a fast shutdown ends the workers at once -----------------------------------------------------

start=$EPOCHREALTIME
if out=$(as_pg "$BINDIR/pg_ctl" -D "$DATA" -m fast -t 30 stop 2>&1); then
	server_running=
	ms=$(((${EPOCHREALTIME/./} - ${start/./}) / 1000))
	if [ "$ms" -lt 5000 ]; then
		ok "pg_ctl stop -m fast returns at once (${ms} ms)"
	else
		not_ok "pg_ctl stop -m fast returns at once" "it took $ms ms"
	fi
else
	not_ok "pg_ctl stop -m fast returns at once" "$out"
fi
check "no process crashed" \
	"$(grep -cE 'terminated by signal|PANIC|was terminated by' "$LOG")" "0"

finish
