# test/citus/include/database.sh — a database of a test's own on the cluster test/citus/run.sh
# started (sourced, not run, after test/shell/lib/tap.sh).  The sourcing script sets COORD (the
# coordinator's port), WORKERS (the workers' ports) and DB first.
#
#   q PORT DB SQL          one query on one node, unaligned, tuples only (errors in the output)
#   qc SQL                 one query on the coordinator, in DB
#   bail DESCRIPTION …     a step the rest depends on failed: stop here
#   create_database        DB with Citus on every node, the workers added on the coordinator
#   drop_database          DB dropped on every node
#   poll_file SECONDS FILE PATTERN   until FILE has a line matching PATTERN (grep -E)

export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -p "$1" -d "$2" -c "$3" 2>&1; }
qc() { q "$COORD" "$DB" "$1"; }
bail() { not_ok "$@"; echo "1..$n"; exit 1; }

create_database()
{
	local port out
	for port in "$COORD" "${WORKERS[@]}"; do
		out=$(q "$port" postgres "CREATE DATABASE $DB") && out=$(q "$port" "$DB" "CREATE EXTENSION citus") ||
			bail "a database with Citus on node $port" "$out"
	done
	out=$(qc "SELECT citus_set_coordinator_host('localhost', $COORD)") || bail "the coordinator's host" "$out"
	for port in "${WORKERS[@]}"; do
		out=$(qc "SELECT citus_add_node('localhost', $port)") || bail "worker $port added" "$out"
	done
}

drop_database()
{
	local port
	for port in "$COORD" "${WORKERS[@]}"; do
		q "$port" postgres "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
	done
}

# shellcheck source=../../shell/lib/poll_file.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../shell/lib/poll_file.sh"
