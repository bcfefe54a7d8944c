#!/usr/bin/env bash
#
# test/citus/run.sh — the Citus suite (README "Scale-out with Citus"): the extension on a
# Citus cluster, every call through the coordinator.
#
#   bash test/citus/run.sh            a throwaway cluster on localhost: one coordinator and two
#                                     workers (initdb, own ports, shared_preload_libraries =
#                                     'citus, invoice'), the upgrade from 0.1 (test/citus/upgrade.sh,
#                                     a database of its own), the background worker
#                                     (test/citus/worker.sh, another), then the extension created and
#                                     distributed and pg_prove over test/citus/*.sql
#   bash test/citus/run.sh --keep     the same cluster, left running after the files (to try things
#                                     by hand: it prints how to connect and how to stop it)
#   bash test/citus/run.sh --here     the same files against the Citus coordinator that the
#                                     PG* environment names (your own cluster: the extension and
#                                     pgTAP installed on every node, a database you can spare —
#                                     the files run in transactions they roll back, but
#                                     invoice.distribute() stays done)
#
# Prints TAP (pg_prove -v); exits non-zero when a test failed.  Citus comes from
# ../shared/citus/install.sh when it is not installed (about 6 minutes, once per machine).

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

PG_MAJOR=15
export PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}"
BINDIR=$("$PG_CONFIG" --bindir)
DB=invoice_citus

run_files()
{
	pg_prove -v -d "$1" test/citus/*.sql
}

KEEP=false
[ "${1:-}" != --keep ] || KEEP=true

if [ "${1:-}" = --here ]; then
	run_files "${PGDATABASE:-$DB}"
	exit
fi

if [ ! -f "$("$PG_CONFIG" --pkglibdir)/citus.so" ]; then
	if [ -f ../shared/citus/install.sh ]; then
		echo "# citus: not installed; building it with ../shared/citus/install.sh"
		bash ../shared/citus/install.sh >&2
	else
		echo "not ok 1 - Citus is installed (citus.so missing and no ../shared/citus/install.sh)"
		echo "1..1"
		exit 1
	fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/invoice-citus.XXXXXX")
nodes=(coordinator worker1 worker2)
ports=()
started=()

# shellcheck source=../shell/lib/as_pg.sh
. test/shell/lib/as_pg.sh

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	local node
	if $KEEP; then
		echo "# kept: psql -h localhost -p ${ports[0]} -U postgres $DB (workers: ${ports[*]:1});" \
			"stop: for d in $WORK/*/; do su postgres -c \"$BINDIR/pg_ctl -D \$d stop\"; done"
		return
	fi
	for node in "${started[@]}"; do
		as_pg "$BINDIR/pg_ctl" -D "$WORK/$node" -m immediate stop >/dev/null 2>&1 || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

# free_port: a TCP port on localhost that nothing listens on
free_port()
{
	local port
	for port in $(shuf -i 20000-60000 -n 50); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && ! printf '%s\n' "${ports[@]}" | grep -qx "$port"; then
			echo "$port"
			return
		fi
	done
	return 1
}

[ "$(id -u)" -ne 0 ] || chown postgres: "$WORK"
for node in "${nodes[@]}"; do
	port=$(free_port)
	ports+=("$port")
	as_pg "$BINDIR/initdb" -D "$WORK/$node" -U postgres -A trust -N >"$WORK/$node.initdb.log" 2>&1
	cat >>"$WORK/$node/postgresql.conf" <<-EOF
		port = $port
		listen_addresses = 'localhost'
		unix_socket_directories = '$WORK'
		shared_preload_libraries = 'citus, invoice'
		max_connections = 200
		fsync = off
		synchronous_commit = off
		citus.shard_count = 8
	EOF
	as_pg "$BINDIR/pg_ctl" -D "$WORK/$node" -l "$WORK/$node.log" -w -t 60 start >/dev/null
	started+=("$node")
done

export PGHOST=localhost PGUSER=postgres PGPORT=${ports[0]}
q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -p "$1" -d "$2" -c "$3"; }
for i in 0 1 2; do
	q "${ports[$i]}" postgres "CREATE DATABASE $DB" >/dev/null 2>&1
	q "${ports[$i]}" "$DB" "CREATE EXTENSION citus" >/dev/null
done
q "${ports[0]}" "$DB" "SELECT citus_set_coordinator_host('localhost', ${ports[0]})" >/dev/null
q "${ports[0]}" "$DB" "SELECT citus_add_node('localhost', ${ports[1]})" >/dev/null
q "${ports[0]}" "$DB" "SELECT citus_add_node('localhost', ${ports[2]})" >/dev/null
echo "# Citus $(q "${ports[0]}" "$DB" "SELECT extversion FROM pg_extension WHERE extname = 'citus'"):" \
	"coordinator localhost:${ports[0]}, workers localhost:${ports[1]} and localhost:${ports[2]}"

rc=0
# the upgrade from 0.1 on this cluster, in a database of its own (before the files: the log is
# read as pg_prove's, one block per file)
echo "test/citus/upgrade.sh .. "
bash test/citus/upgrade.sh "${ports[@]}" || rc=$?
echo "test/citus/worker.sh .. "
bash test/citus/worker.sh "$WORK" "${ports[@]}" || rc=$?
run_files "$DB" || rc=$?
if [ "$rc" -ne 0 ]; then
	for node in "${nodes[@]}"; do
		echo "# last lines of the $node's log:"
		tail -n 20 "$WORK/$node.log" | sed 's/^/#   /'
	done
fi
exit "$rc"
