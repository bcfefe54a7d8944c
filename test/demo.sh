#!/usr/bin/env bash
#
# test/demo.sh — `make demo`: install what is missing, build, install, and run
# test/demo.sql in a throwaway PostgreSQL cluster, printing every query and its
# result.  `make test` runs the same tour (test/run_all.sh: --in-cluster, then
# --check), so a demo that breaks fails CI.
#
# Statements in demo.sql that are meant to fail carry "-- expect ERROR <SQLSTATE>"
# on their last line.  They do not stop the tour; but any other error, an expected
# error that does not happen or comes with another SQLSTATE, or psql itself failing,
# makes the demo exit non-zero.  The transcript is saved in .results/demo.out.
#
#   bash test/demo.sh                   the whole demo (what `make demo` runs)
#   bash test/demo.sh --in-cluster      run the tour against the server of PG* (PGDATABASE)
#   bash test/demo.sh --check FILE      check a transcript: prints each problem, exit 1 if any

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_MAJOR=15
export LC_ALL=C.UTF-8
export PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}"
RESULTS=.results
SCRIPT=test/demo.sql

# check TRANSCRIPT: the errors psql reported ("psql:test/demo.sql:LINE: ERROR:  SQLSTATE:
# message", as VERBOSITY verbose prints them) against the ones demo.sql announces.
check()
{
	local problems
	problems=$(awk -v script="$SCRIPT" '
		FNR == NR {
			if (match($0, /-- expect ERROR [0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]/))
				want[FNR] = substr($0, RSTART + 16, 5)
			next
		}
		index($0, "psql:" script ":") == 1 && / (ERROR|FATAL|PANIC): / {
			split($0, f, ":")
			line = f[3] + 0
			state = $0
			sub(/^[^:]*:[^:]*:[0-9]+: [A-Z]+: +/, "", state)
			state = substr(state, 1, 5)
			if (!(line in want))
				printf "unexpected error at %s:%d: %s\n", script, line, $0
			else if (want[line] != state)
				printf "%s:%d: expected SQLSTATE %s, got: %s\n", script, line, want[line], $0
			got[line] = 1
		}
		/^End of the tour\.$/ { finished = 1 }
		END {
			for (line in want)
				if (!(line in got))
					printf "%s:%d: expected ERROR %s did not happen\n", script, line, want[line]
			if (!finished)
				printf "%s: the tour did not reach its end\n", script
		}
	' "$SCRIPT" "$1")
	[ -z "$problems" ] || {
		printf '%s\n' "$problems" >&2
		return 1
	}
}

case "${1:-}" in
--in-cluster)
	echo "throwaway cluster: PostgreSQL $(psql -XAtc 'SHOW server_version') on $PGHOST:$PGPORT"
	exec psql -X -v ON_ERROR_STOP=0 --echo-queries -f "$SCRIPT"
	;;
--check)
	check "$2"
	exit
	;;
esac

mkdir -p "$RESULTS"

bash test/deps.sh

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

echo "demo: building and installing the extension (log: $RESULTS/demo-build.log)"
if ! {
	make --no-print-directory clean &&
		make --no-print-directory &&
		"${sudo[@]}" make --no-print-directory install PG_CONFIG="$PG_CONFIG"
} >"$RESULTS/demo-build.log" 2>&1; then
	cat "$RESULTS/demo-build.log"
	echo "demo: build FAILED" >&2
	exit 1
fi

# -t: the cluster lives in a temporary directory and is dropped afterwards.
set +e
pg_virtualenv -t -v "$PG_MAJOR" bash test/demo.sh --in-cluster </dev/null 2>&1 | tee "$RESULTS/demo.out"
rc=${PIPESTATUS[0]}
set -e

if [ "$rc" -ne 0 ] || ! check "$RESULTS/demo.out"; then
	echo "demo: FAILED (psql/pg_virtualenv exit status $rc)" >&2
	exit 1
fi
echo "demo: OK — every statement ran; the only errors were the expected ones."
