#!/usr/bin/env bash
#
# test/shell/pg_cron_recipe.sh — README's pg_cron recipe works as written:
#
#     shared_preload_libraries = 'pg_cron'
#     cron.database_name = '<the billing database>'
#
#     CREATE EXTENSION pg_cron;
#     SELECT cron.schedule('invoice-sweep', '* * * * *', 'SELECT invoice.invoice_sweep_overdue()');
#
# in a throwaway cluster of its own (the test runner's is not started with
# pg_cron preloaded), with Debian's postgresql-15-cron.  That is pg_cron 1.4,
# whose finest schedule is a minute: the job runs at the next minute boundary,
# so this test waits up to a minute, polling every 0.2 s.
#
# Run it after "make install", with the connection environment of any cluster
# set (only PG_CONFIG matters here).  As root the private cluster runs as the
# postgres user.  It prints TAP ("ok N - …" / "not ok N - …", then "1..N") and
# exits non-zero when a check fails.

set -u

TEST_NAME=pg_cron_recipe
DB=invoice_cron
JOB="SELECT invoice.invoice_sweep_overdue()"

# shellcheck source=lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"
# shellcheck source=lib/cluster.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/cluster.sh"

if [ ! -f "$("${PG_CONFIG:-pg_config}" --sharedir)/extension/pg_cron.control" ]; then
	bail "pg_cron is installed" "install postgresql-15-cron (test/deps.sh does)"
fi

# --- a cluster with pg_cron preloaded ------------------------------------------------------------

# cron.host: pg_cron runs jobs over a libpq connection, here the private socket
start_cluster "a cluster with pg_cron in shared_preload_libraries starts" \
	"shared_preload_libraries = 'pg_cron'
cron.database_name = '$DB'
cron.host = '$WORK'"

if ! out=$(createdb "$DB" 2>&1); then
	bail "create database $DB" "$out"
fi
if ! out=$(q "$DB" "SET client_min_messages = warning;
             CREATE EXTENSION invoice CASCADE;
             CREATE EXTENSION pg_cron;
             INSERT INTO invoice.orgs (org_id, name) VALUES ('org-cron', 'Cron Test Org')"); then
	bail "CREATE EXTENSION invoice CASCADE and pg_cron in $DB" "$out"
fi
ok "CREATE EXTENSION pg_cron $(q "$DB" "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'") in the billing database"

# The job runs at the next minute boundary: let the invoice fall due well before it.
while [ "$(date +%S)" -ge 55 ]; do
	sleep 0.2
done
check "an invoice falling due in 1 s is pending" \
	"$(q "$DB" "INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date)
	      VALUES ('org-cron', 'inv-cron', now() - interval '1 month', now(), now(), now() + interval '1 second');
	      INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
	      VALUES ('org-cron', 'inv-cron', 'hosting', 1, 10);
	      SELECT status FROM invoice.invoice_issue('inv-cron')")" "pending"

job=$(q "$DB" "SELECT cron.schedule('invoice-sweep', '* * * * *', '$JOB')")
check "cron.schedule('invoice-sweep', '* * * * *', '$JOB')" \
	"$(q "$DB" "SELECT jobname || ' | ' || schedule || ' | ' || command || ' | ' || database FROM cron.job WHERE jobid = '$job'")" \
	"invoice-sweep | * * * * * | $JOB | $DB"

# pg_cron records the run once the job's transaction has ended: poll for both.
# Its start_time is taken after the job's connection has sent the statement, so
# the job's now() (the history row's changed_at) can precede it by a few ms:
# a second's slack still tells this run from the next, a minute later.
poll 65 "$DB" "SELECT status FROM invoice.invoices WHERE id = 'inv-cron'" "overdue"
check "within a minute the job has moved the invoice to overdue" "$got" "overdue"
poll 10 "$DB" "SELECT count(*) FROM cron.job_run_details d, invoice.status_history h
          WHERE d.jobid = '$job' AND d.status = 'succeeded'
            AND h.invoice_id = 'inv-cron' AND h.to_status = 'overdue'
            AND h.changed_at BETWEEN d.start_time - interval '1 second' AND d.end_time" "1"
check "during a successful run of the job (cron.job_run_details)" "$got" "1"
check "and a reminder was queued" \
	"$(q "$DB" "SELECT count(*) FROM invoice.reminders WHERE invoice_id = 'inv-cron' AND kind = 'overdue'")" "1"
check "cron.unschedule('invoice-sweep')" "$(q "$DB" "SELECT cron.unschedule('invoice-sweep')")" "t"

if out=$(as_pg "$BINDIR/pg_ctl" -D "$DATA" -m fast -t 30 stop 2>&1); then
	server_running=
else
	not_ok "the cluster stops" "$out"
fi

finish
