#!/usr/bin/env bash
#
# test/citus/worker.sh LOGDIR COORDINATOR_PORT WORKER_PORT… — the background worker on a Citus
# cluster (README "Scale-out with Citus", "Background worker"), in a database of its own on the
# nodes that test/citus/run.sh started with shared_preload_libraries = 'citus, invoice' (their
# logs LOGDIR/coordinator.log, LOGDIR/worker1.log, …):
#
#   1. a distributed database with invoices of organisations on both workers, falling due a few
#      seconds from now (dates derived from the clock, none hard-coded);
#   2. every node named in invoice.sweep_databases (ALTER SYSTEM, reload), as an operator who
#      preloads the library everywhere would do;
#   3. the coordinator's worker sweeps every shard: each invoice overdue once, one history row
#      and one reminder each; the workers' own background workers see that their database is a
#      Citus worker node and leave the sweep (and the usage generation) to the coordinator's,
#      saying so once in their log.
#
# TAP lines; the settings are reset and the database dropped at the end.

set -u
HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=test/shell/lib/tap.sh
. "$HERE/../shell/lib/tap.sh"
LOGDIR=$1
COORD=$2
shift 2
WORKERS=("$@")
DB=invoice_citus_worker
# shellcheck source=include/database.sh
. "$HERE/include/database.sh"
reload_all()
{
	local port
	for port in "$COORD" "${WORKERS[@]}"; do
		psql -X -q -A -t -p "$port" -d postgres -c "$1" -c "SELECT pg_reload_conf()" >/dev/null 2>&1
	done
}
cleanup()
{
	reload_all "ALTER SYSTEM RESET invoice.sweep_databases"
	reload_all "ALTER SYSTEM RESET invoice.sweep_interval"
	drop_database
}
trap cleanup EXIT

# poll SECONDS SQL WANT: until the coordinator answers WANT; the last answer in $got
poll()
{
	local tries=$(($1 * 5))
	until got=$(qc "$2") && [ "$got" = "$3" ]; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.2
	done
}

# log_lines FILE PATTERN: how many lines of the log match PATTERN (grep -E)
log_lines() { grep -cE "$2" "$1" 2>/dev/null || true; }

check "the library is preloaded on every node: one sweep launcher each" \
	"$(for port in "$COORD" "${WORKERS[@]}"; do
		q "$port" postgres "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'invoice sweep launcher'"
	done | tr '\n' ' ')" "1 1 1 "

# --- 1. a distributed database, invoices falling due ---------------------------------------------
create_database
out=$(qc "CREATE EXTENSION invoice CASCADE") && out=$(qc "SELECT count(*) FROM invoice.distribute()") ||
	bail "invoice created on the coordinator and distributed" "$out"

# eight organisations, one invoice each, issued through the coordinator and falling due 8 s
# from now (the due date is the clock's, not a date written here)
sql="INSERT INTO invoice.orgs (org_id, name) SELECT 'org-bgw-' || i, 'Worker test ' || i FROM generate_series(1, 8) i;
     INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date)
     SELECT 'org-bgw-' || i, 'bgw-' || i, now() - interval '1 month', now(), now(), now() + interval '8 seconds'
       FROM generate_series(1, 8) i;
     INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
     SELECT 'org-bgw-' || i, 'bgw-' || i, 'hosting', 1, 10 FROM generate_series(1, 8) i;"
for i in 1 2 3 4 5 6 7 8; do
	sql+=" SELECT FROM invoice.invoice_issue('bgw-$i');"
done
out=$(qc "$sql") || bail "eight invoices issued" "$out"
check "eight pending invoices on both workers, not yet due" \
	"$(qc "SELECT count(*) || ' ' || count(DISTINCT p.nodeport) || ' ' || bool_and(i.due_date > now()) FROM invoice.invoices i,
	         LATERAL (SELECT nodeport FROM pg_dist_shard_placement
	                   WHERE shardid = get_shard_id_for_distribution_column('invoice.invoices', i.org_id)) p
	        WHERE i.status = 'pending'")" "8 2 true"

# --- 2. every node sweeps this database -----------------------------------------------------------
reload_all "ALTER SYSTEM SET invoice.sweep_interval = 1"
reload_all "ALTER SYSTEM SET invoice.sweep_databases = '$DB'"

# --- 3. the coordinator's worker sweeps the cluster, the workers' leave it ------------------------
if poll 30 "SELECT count(*) FILTER (WHERE status = 'overdue') FROM invoice.invoices" "8"; then
	ok "the coordinator's background worker moves all eight to overdue, on both workers"
else
	not_ok "the coordinator's background worker moves all eight to overdue, on both workers" "after 30 s: $got overdue"
fi
check "one history row pending → overdue and one overdue reminder per invoice (no second sweep)" \
	"$(qc "SELECT (SELECT count(*) FROM invoice.status_history WHERE to_status = 'overdue') || ' '
	           || (SELECT count(*) FROM invoice.reminders WHERE kind = 'overdue')")" "8 8"
for w in 1 2; do
	log="$LOGDIR/worker$w.log"
	if poll_file 10 "$log" "overdue sweep skipped: database \"$DB\" is a Citus worker node"; then
		ok "worker$w's background worker leaves the sweep to the coordinator's and says so"
	else
		not_ok "worker$w's background worker leaves the sweep to the coordinator's and says so" \
			"no line 'overdue sweep skipped: database \"$DB\" is a Citus worker node' in $log within 10 s"
	fi
	check "worker$w's log: said once, and no sweep or generation of its own" \
		"$(log_lines "$log" "is a Citus worker node") $(log_lines "$log" "(became overdue|draft invoices? made) in database \"$DB\"")" "1 0"
done
check "the coordinator's log: it swept this database" \
	"$(log_lines "$LOGDIR/coordinator.log" "became overdue in database \"$DB\"" | sed 's/^[1-8]$/yes/')" "yes"

echo "1..$n"
[ "$failed" -eq 0 ]
