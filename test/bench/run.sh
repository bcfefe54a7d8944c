#!/bin/bash
#
# test/bench/run.sh [name ...]
#	The benchmarks (make bench).  Installs what is missing, builds and
#	installs the extension, then runs each test/bench/<name>.bench.sql
#	(default: every one, in name order) in its own database of a throwaway
#	cluster, printing its report and saving it in
#	test/bench/results/<name>-<date>.txt.
#
#	A benchmark reports, it never fails on speed: the exit status is
#	non-zero only when something errored.
#
#	BENCH_ROWS     rows per table (default 5000000)
#	BENCH_REPS     timed runs per measurement (default 5)
#	BENCH_STAT     which one is reported: min (default) or median
#	BENCH_WORKERS  parallel workers for the parallel pass (default nproc - 1)
#
#	A *.bench.sql file sees psql variables :rows, :reps, :stat, :workers and
#	the harness of lib.sql (bench.measure, bench.result).

set -u

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1

export BENCH_ROWS=${BENCH_ROWS:-5000000}
export BENCH_REPS=${BENCH_REPS:-5}
export BENCH_STAT=${BENCH_STAT:-min}
workers=$(($(nproc) - 1))
export BENCH_WORKERS=${BENCH_WORKERS:-$((workers > 0 ? workers : 1))}
case $BENCH_ROWS$BENCH_REPS$BENCH_WORKERS in
	*[!0-9]*) echo "BENCH_ROWS, BENCH_REPS and BENCH_WORKERS must be numbers" >&2; exit 1 ;;
esac
case $BENCH_STAT in
	min | median) ;;
	*) echo "BENCH_STAT must be min or median" >&2; exit 1 ;;
esac

# Inside the throwaway cluster (run.sh re-runs itself under pg_virtualenv).
if [ "${1:-}" = --inside ]; then
	shift
	status=0
	mkdir -p test/bench/results || exit 1
	for name in "$@"; do
		out=test/bench/results/$name-$(date +%Y%m%d-%H%M%S).txt
		start=$SECONDS
		createdb "bench_$name" || exit 1
		{
			echo "== $name: $(date -u '+%F %T UTC'), commit $(git describe --always --dirty 2>/dev/null)," \
				"$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
			echo "   BENCH_ROWS=$BENCH_ROWS BENCH_REPS=$BENCH_REPS BENCH_STAT=$BENCH_STAT BENCH_WORKERS=$BENCH_WORKERS"
			psql -X -q -v ON_ERROR_STOP=1 -d "bench_$name" \
				-v rows="$BENCH_ROWS" -v reps="$BENCH_REPS" -v stat="$BENCH_STAT" -v workers="$BENCH_WORKERS" \
				-f test/bench/lib.sql -f "test/bench/$name.bench.sql" 2>&1
			rc=$?
			echo "== $name: $((SECONDS - start)) s, psql exit status $rc"
			exit $rc
		} | tee "$out"
		[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
		dropdb "bench_$name"
		echo "saved in $out"
	done
	exit $status
fi

names=()
for arg in "${@:-test/bench/*.bench.sql}"; do
	for file in $arg; do
		name=$(basename "$file" .bench.sql)
		[ -f "test/bench/$name.bench.sql" ] || { echo "no benchmark test/bench/$name.bench.sql" >&2; exit 1; }
		names+=("$name")
	done
done

if [ -f test/deps.sh ]; then
	bash test/deps.sh || { echo "test/deps.sh failed" >&2; exit 1; }
fi
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
{ make -s && $sudo make -s install; } || { echo "build or install failed" >&2; exit 1; }

# Server settings, the same for every benchmark:
#   shared_buffers 2GB         every table and index stays cached (prewarmed)
#   work_mem, maintenance_work_mem 1GB
#                              sorts and index builds run in memory: no temp
#                              files, so disk I/O does not blur the comparison
#   jit off                    compile time would swamp per-type differences
#   autovacuum off             no background work during the timings
#   wal_level minimal          tables and indexes built in their creating
#                              transaction skip WAL (fsync is off already)
#   max_wal_size, checkpoint_timeout
#                              no checkpoint in the middle of a measurement
#   no parallelism             unless a benchmark asks for it (SET): a serial
#                              plan compares the types' own costs fairly
# pg_virtualenv -t keeps the cluster in a temporary directory, so this can
# run beside another pg_virtualenv (make test) even as root.
pg_virtualenv -t \
	-o shared_buffers=2GB -o work_mem=1GB -o maintenance_work_mem=1GB \
	-o jit=off -o autovacuum=off \
	-o wal_level=minimal -o max_wal_senders=0 \
	-o max_wal_size=10GB -o checkpoint_timeout=1h \
	-o max_parallel_workers_per_gather=0 -o max_parallel_maintenance_workers=0 \
	bash test/bench/run.sh --inside "${names[@]}"
