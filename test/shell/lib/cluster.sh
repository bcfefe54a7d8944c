# test/shell/lib/cluster.sh — a throwaway cluster of a shell test's own (sourced, not run,
# after lib/tap.sh).  The sourcing script sets TEST_NAME first; this file sets WORK, DATA,
# LOG and BINDIR and removes $WORK (stopping the cluster) when the script exits.
#
#   start_cluster DESCRIPTION SETTINGS   initdb, the settings appended to postgresql.conf,
#                                        start; the connection environment then points at it
#   q DB SQL                             one query, unaligned, tuples only
#   poll SECONDS DB SQL WANT             until SQL returns WANT; $got holds the last result
#   bail DESCRIPTION [DETAIL…]           a step the rest depends on failed: stop here
#   finish                               the plan line, and the exit status

WORK=$(mktemp -d "${TMPDIR:-/tmp}/$TEST_NAME.XXXXXX")
DATA="$WORK/data"
LOG="$WORK/server.log"
BINDIR=$("${PG_CONFIG:-pg_config}" --bindir)
server_running=

# shellcheck source=as_pg.sh
. "$(dirname "${BASH_SOURCE[0]}")/as_pg.sh"

q()
{
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>&1
}

poll()
{
	local tries=$(($1 * 5))
	while :; do
		got=$(q "$2" "$3")
		[ "$got" = "$4" ] && return 0
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.2
	done
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	if [ -n "$server_running" ]; then
		as_pg "$BINDIR/pg_ctl" -D "$DATA" -m immediate stop >/dev/null 2>&1
	fi
	if [ "$failed" -gt 0 ] && [ -f "$LOG" ]; then
		echo "# last lines of the server log:"
		tail -n 40 "$LOG" | sed 's/^/#   /'
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

bail()
{
	not_ok "$@"
	echo "1..$n"
	echo "# $TEST_NAME: $failed of $n checks failed (stopped early)"
	exit 1
}

finish()
{
	echo "1..$n"
	if [ "$failed" -gt 0 ]; then
		echo "# $TEST_NAME: $failed of $n checks failed"
		exit 1
	fi
	exit 0
}

start_cluster()
{
	local out
	[ "$(id -u)" -ne 0 ] || chown postgres: "$WORK"
	if ! out=$(as_pg "$BINDIR/initdb" -D "$DATA" -U postgres -A trust -N 2>&1); then
		bail "initdb" "$out"
	fi
	cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$WORK'
port = 5432
fsync = off
log_line_prefix = '%m [%p] '
$2
EOF
	if ! out=$(as_pg "$BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 30 start 2>&1); then
		bail "$1" "$out"
	fi
	server_running=1
	export PGHOST="$WORK" PGPORT=5432 PGUSER=postgres
	unset PGDATABASE PGSERVICE
}
