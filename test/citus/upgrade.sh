#!/usr/bin/env bash
#
# test/citus/upgrade.sh COORDINATOR_PORT WORKER_PORT… — ALTER EXTENSION invoice UPDATE on a
# Citus cluster (README "Versions and upgrades"), in a database of its own on the nodes that
# test/citus/run.sh started (PGHOST/PGUSER set by it):
#
#   1. invoice 0.1 created on the coordinator (Citus creates it on the workers), distributed,
#      organisations on both workers with invoices, lines and a payment written through the
#      coordinator;
#   2. the documented upgrade, from the coordinator: CREATE EXTENSION cents (Citus creates it on
#      every worker, where it takes 0.1's type over too); the workers' ALTER EXTENSION invoice
#      UPDATE (invoice.on_workers), then the coordinator's, which changes the shards;
#      invoice.distribute() for the tables 0.2 added;
#   3. every node has invoice 0.2 and cents 1.0 in public; the rows and their amounts survived
#      (the coordinator's sums before and after); 0.2 works through the coordinator: a new
#      invoice computed on its worker, a payment, sum(total) with the default search_path, a
#      statement.
#
# TAP lines; the database is dropped at the end.

set -u
HERE=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=test/shell/lib/tap.sh
. "$HERE/../shell/lib/tap.sh"
COORD=$1
shift
WORKERS=("$@")
DB=invoice_citus_upgrade
# shellcheck source=include/database.sh
. "$HERE/include/database.sh"
[ -n "${KEEP_DB:-}" ] || trap drop_database EXIT

# --- 1. a distributed 0.1 database ---------------------------------------------------------------
create_database
out=$(qc "CREATE EXTENSION invoice VERSION '0.1'") && out=$(qc "SELECT count(*) FROM invoice.distribute()") ||
	bail "invoice 0.1 created on the coordinator and distributed" "$out"
check "invoice 0.1 on every node, its tables distributed" \
	"$(qc "SELECT string_agg(DISTINCT result, ' ') FROM run_command_on_all_nodes(
	         \$\$SELECT extversion FROM pg_extension WHERE extname = 'invoice'\$\$)") $out" "0.1 17"

# the data of a 0.1 database (test/shell/upgrade/0.1-data.sql, made with 0.1's library), restored
# through the coordinator with triggers off, as README "Backup and restore" says: the 0.1 SQL
# with this library would refuse to compute (it reads 0.2's columns) until the update
out=$(psql -X -q -v ON_ERROR_STOP=1 -p "$COORD" -d "$DB" \
	-c "BEGIN" -c "SET LOCAL citus.propagate_set_commands = 'local'" -c "SET LOCAL session_replication_role = replica" \
	-f "$HERE/../shell/upgrade/0.1-data.sql" -c "COMMIT" 2>&1) || bail "0.1's data restored through the coordinator" "$out"
ok "0.1's data restored through the coordinator, triggers off"
digest="SELECT count(*) || ' ' || sum(total::bigint) || ' ' || sum(amount_due::bigint) || ' '
	       || string_agg(id || ':' || status || ':' || coalesce(number, '-'), ',' ORDER BY id)
	  FROM invoice.invoices "
before=$(qc "$digest")
check "0.1's invoices are on both workers" \
	"$(qc "SELECT count(DISTINCT nodeport) || ' ' || count(DISTINCT org_id) FROM invoice.invoices i,
	         LATERAL (SELECT nodeport FROM pg_dist_shard_placement
	                   WHERE shardid = get_shard_id_for_distribution_column('invoice.invoices', i.org_id)) p")" "2 2"

# --- 2. the upgrade, as README "Versions and upgrades" says for Citus ----------------------------
steps=("CREATE EXTENSION cents"
	"SELECT invoice.on_workers('SET citus.enable_ddl_propagation TO off; ALTER EXTENSION invoice UPDATE')"
	"ALTER EXTENSION invoice UPDATE"
	"SELECT count(*) FROM invoice.distribute()")
for step in "${steps[@]}"; do
	out=$(qc "$step") || bail "on the coordinator: $step" "$out"
done
ok "on the coordinator: ${steps[*]/%/;} (the distribute() places $out tables)"

# --- 3. the cluster after the update -------------------------------------------------------------
check "every node: invoice 0.2, cents 1.0 in public, the columns of the cents type" \
	"$(qc "SELECT string_agg(DISTINCT result, ' ') FROM run_command_on_all_nodes(\$\$
	         SELECT (SELECT extversion FROM pg_extension WHERE extname = 'invoice') || '/'
	             || (SELECT extversion || '@' || extnamespace::regnamespace FROM pg_extension WHERE extname = 'cents') || '/'
	             || (SELECT count(*) FROM pg_type WHERE typname = 'cents')\$\$)")" "0.2/1.0@public/1"
check "the invoices survived: count, totals, amounts due, statuses and numbers as before" "$(qc "$digest")" "$before"
check "no invoice's amounts change when recomputed by 0.2 on the workers" \
	"$(qc "BEGIN; SELECT invoice.invoice_compute_period('-infinity', 'infinity'); ROLLBACK;")" "0"
check "0.2 through the coordinator: a new draft computed on its worker, sum(total) with the default search_path" \
	"$(qc "SET search_path = \"\$user\", public;
	       INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, currency, tax_rate, total_rounding)
	       VALUES ('org-xxxxxx', 'cu-up-new', 'CUP', '2025-02-01', '2025-03-01', 'USD', 10, 'none');
	       INSERT INTO invoice.line_items (org_id, invoice_id, description, amount) VALUES ('org-xxxxxx', 'cu-up-new', 'x', '10.00');
	       SELECT total || ' ' || (SELECT sum(total) > '0' FROM invoice.invoices)
	         FROM invoice.invoices WHERE org_id = 'org-xxxxxx' AND id = 'cu-up-new'")" "11.00 true"
check "0.2 through the coordinator: a payment settles an upgraded invoice" \
	"$(qc "SET invoice.test_clock = '2025-03-21 12:00:00+00';
	       SELECT (invoice.invoice_pay('inv-y-4', '36.82', 'upi', 'cu-up-pay')).amount;
	       SELECT status FROM invoice.invoices WHERE org_id = 'org-yyyyyy' AND id = 'inv-y-4'" | tr '\n' ' ')" "36.82 paid "
check "0.2 through the coordinator: a statement of an upgraded organisation" \
	"$(qc "SET invoice.test_clock = '2025-03-21 12:00:00+00';
	       SELECT (j->>'closingBalance')::bigint = (j->>'openingBalance')::bigint + (j->>'totalDebits')::bigint - (j->>'totalCredits')::bigint
	         FROM invoice.statement('org-yyyyyy', '2024-01-01', '2025-04-01', 'USD') j")" "t"

echo "1..$n"
[ "$failed" -eq 0 ]
