#!/usr/bin/env bash
#
# test/run_all.sh — `make test`: every test suite, one summary line.
#
#   1. test/deps.sh                      install whatever Debian packages are missing
#   2. make clean && make -j && make install   a build failure ends the run
#   3. in the background, beside 4 (their logs shown after it):
#        test/fuzz/run.sh $FUZZ_SECONDS  libFuzzer on the cents and GSTIN parsers (default 60 s;
#                                        FUZZ_SECONDS=0 skips it)
#        test/citus/run.sh               the Citus suite, in a throwaway coordinator and two
#                                        workers of its own (and the upgrade from 0.1 there)
#   4. in ONE throwaway cluster (pg_virtualenv):
#        pg_regress      make installcheck ISOLATION=     (sql/*.sql vs expected/)
#        isolation       make installcheck REGRESS=       (test/isolation/specs/*.spec)
#        pgTAP           pg_prove over test/pgtap/*.sql, in a fresh database
#        shell           test/shell/*.sh (TAP lines), e.g. the dump/restore round trip
#        demo            test/demo.sql, the tour of `make demo`, checked as make demo checks it
#        far date        the date-sensitive suites again with the test clock at FAR_DATE
#                        (not when INVOICE_TEST_CLOCK already sets it for the whole run:
#                        test/calendar.sh)
#
# Counts: one per pg_regress test, one per isolation spec, one per pgTAP assertion,
# one for the fuzz run, one for the build.  A suite that cannot run, a pgTAP file
# that dies or misses its plan, counts as (at least) one failure.  The last line
# is exactly "N passed, N failed"; the exit status is 0 only when N failed is 0.
#
# Logs of the last run are in .results/ (git-ignored).

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_MAJOR=15
export LC_ALL=C.UTF-8 # deterministic messages and collation, whatever the caller's locale
export PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}"
RESULTS=.results
COUNTS="$RESULTS/counts" # one line per suite: name passed failed seconds note…

banner() { printf '\n========== %s ==========\n' "$*"; }

# record SUITE PASSED FAILED [NOTE]: also the seconds since the last record of this process
# (the suite's time, with its set-up), for the summary
record()
{
	printf '%s %d %d %d %s\n' "$1" "$2" "$3" "${RECORD_SECONDS:-$((SECONDS - last_record))}" "${4:-}" >>"$COUNTS"
	last_record=$SECONDS
}

# in_background NAME COMMAND…: run COMMAND in the background, its output in $RESULTS/NAME.log,
# its exit status in $RESULTS/NAME.rc and its seconds in $RESULTS/NAME.seconds (the suites that
# need no cluster of pg_virtualenv's run beside those that do: make test's wall time)
in_background()
{
	local name=$1
	shift
	(
		started=$SECONDS
		rc=0
		"$@" >"$RESULTS/$name.log" 2>&1 </dev/null || rc=$?
		echo "$((SECONDS - started))" >"$RESULTS/$name.seconds"
		echo "$rc" >"$RESULTS/$name.rc"
	) &
}
last_record=0

# make_var NAME: the value of a Makefile variable (the Makefile stays the one source of truth)
make_var()
{
	# shellcheck disable=SC2016 # $($*) is for make, not the shell
	printf 'print-%%:\n\t@echo '"'"'$($*)'"'"'\n' |
		make --no-print-directory -s -f Makefile -f - "print-$1"
}

# show_diffs FILE: print a regression.diffs file (at most 1000 lines)
show_diffs()
{
	[ -s "$1" ] || return 0
	banner "$1"
	head -n 1000 "$1"
	local n
	n=$(wc -l <"$1")
	[ "$n" -le 1000 ] || echo "… ($n lines in all; see $1)"
}

# run_regress SUITE LOG DIFFS TESTS… -- MAKE-ARGS…
#	make installcheck MAKE-ARGS, then count "... ok" / "... FAILED" lines.  Every
#	test that pg_regress did not report as ok is a failure (it stops at the first
#	test without an expected file, for instance).
run_regress()
{
	local suite=$1 log=$2 diffs=$3
	shift 3
	local tests=()
	while [ "$1" != -- ]; do
		tests+=("$1")
		shift
	done
	shift
	banner "$suite: ${#tests[@]} test(s)"
	local rc=0
	make --no-print-directory installcheck "$@" 2>&1 | tee "$log" || rc=$?
	local passed failed
	passed=$(grep -cE ' \.\.\. ok( |$)' "$log" || true)
	failed=$((${#tests[@]} - passed))
	[ "$failed" -ge 0 ] || failed=0
	if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
		failed=1
	fi
	if [ "$failed" -gt 0 ]; then
		show_diffs "$diffs"
	fi
	record "$suite" "$passed" "$failed"
}

# count_tap LOG: "PASSED FAILED" from pg_prove -v output.  Top-level TAP lines only
# ("ok N", "not ok N"; "not ok … # TODO" passes, as in TAP).  A file's planned but
# unrun tests are failures; a file without a plan, or that the harness calls
# dubious, counts at least one failure.
count_tap()
{
	awk '
	function flush(   f, run) {
		if (file == "") return
		run = ok + nok
		f = nok
		if (planned > run) f += planned - run
		if (f == 0 && (bad || planned < 0)) f = 1
		if (f > 0) printf "pgtap: %s: %d failed\n", file, f > "/dev/stderr"
		P += ok; F += f
		file = ""
	}
	function start(name) { flush(); file = name; ok = 0; nok = 0; planned = -1; bad = 0 }
	/^Test Summary Report/ { flush(); done = 1 }
	done { next }
	/^[^ #].*\.(sql|sh) \.+( |$)/ {
		start($1)
		sub(/^[^ ]+ \.+ ?/, "")
		if ($0 == "") next
	}
	file == "" { next }
	/^1\.\.[0-9]+/ { planned = substr($1, 4) + 0; next }
	/^ok [0-9]+/ { ok++; next }
	/^not ok [0-9]+/ { if ($0 ~ /#[ \t]*TODO/) ok++; else nok++; next }
	/^(Dubious|Failed [0-9]+\/[0-9]+ subtests|No subtests run|.*[Pp]arse error)/ { bad = 1 }
	END { flush(); printf "%d %d\n", P, F }
	' "$1"
}

# run_pgtap SUITE DATABASE FILE…: pg_prove over the files in a fresh database
run_pgtap()
{
	local suite=$1 db=$2
	shift 2
	local files=("$@")
	local log="$RESULTS/$suite.log"
	banner "$suite: ${#files[@]} pgTAP file(s)"
	if ! createdb "$db"; then
		echo "$suite: could not create database $db"
		record "$suite" 0 1 "could not create database"
		return
	fi
	local rc=0
	pg_prove -v -d "$db" "${files[@]}" | tee "$log" || rc=$?
	record_tap "$suite" "$log" "$rc"
}

# record_tap SUITE LOG RC [NOTE]: record a pg_prove -v log (count_tap).  A failing exit status
# without a failed test counts one failure; "not ok … # TODO" tests (known gaps) are counted
# neither passed nor failed, but noted.
record_tap()
{
	local suite=$1 log=$2 rc=$3 note=${4:-} passed failed todo
	read -r passed failed < <(count_tap "$log")
	todo=$(grep -cE '^not ok [0-9]+ .*# TODO' "$log" || true)
	passed=$((passed - todo))
	if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
		failed=1
	fi
	if [ "$todo" -eq 0 ]; then
		note=""					# the note explains TODO tests: none, nothing to explain
	else
		note="$todo TODO${note:+: $note}"
	fi
	record "$suite" "$passed" "$failed" "$note"
}

# run_shell: every test/shell/*.sh, run inside the cluster; each prints TAP lines
# ("ok …" / "not ok …").  A script that exits non-zero without a "not ok" counts one failure.
run_shell()
{
	local log="$RESULTS/shell.log" passed=0 failed=0 script rc p f own=() name
	# the scripts that start a cluster of their own (test/shell/lib/cluster.sh: the background
	# worker, pg_cron) run in the background, beside the others; their output follows theirs
	for script in test/shell/*.sh; do
		if grep -q '^start_cluster ' "$script"; then
			own+=("$script")
			name=$(basename "$script" .sh)
			( rc=0; bash "$script" >"$RESULTS/shell-$name.out" 2>&1 </dev/null || rc=$?; echo "$rc" >"$RESULTS/shell-$name.rc" ) &
		fi
	done
	for script in test/shell/*.sh; do
		if printf '%s\n' "${own[@]}" | grep -qx "$script"; then
			continue
		fi
		banner "shell: $script"
		rc=0
		bash "$script" 2>&1 | tee "$log.part" || rc=$?
		shell_count "$log.part" "$rc"
	done
	wait
	for script in "${own[@]}"; do
		name=$(basename "$script" .sh)
		banner "shell: $script (in the background)"
		cat "$RESULTS/shell-$name.out" | tee "$log.part"
		shell_count "$log.part" "$(cat "$RESULTS/shell-$name.rc")"
	done
	rm -f "$log.part"
	record shell "$passed" "$failed"
}

# shell_count LOG RC: add a script's ok / not ok lines to run_shell's counts (a script that exits
# non-zero without a "not ok" counts one failure) and its output to the shell log
shell_count()
{
	p=$(grep -cE '^ok( |$)' "$1" || true)
	f=$(grep -cE '^not ok( |$)' "$1" || true)
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	cat "$1" >>"$log"
}

# run_demo SUITE DATABASE: the tour of `make demo` (test/demo.sql) in a database of its own,
# checked exactly as `make demo` checks it: a demo that breaks fails the run.
run_demo()
{
	local suite=$1 db=$2
	local log="$RESULTS/$suite.out"
	banner "$suite: test/demo.sql (transcript: $log)"
	if createdb "$db" &&
		PGDATABASE=$db bash test/demo.sh --in-cluster >"$log" 2>&1 &&
		bash test/demo.sh --check "$log"; then
		echo "$suite: OK — every statement ran; the only errors were the expected ones."
		record "$suite" 1 0
	else
		tail -n 40 "$log"
		echo "$suite: FAILED"
		record "$suite" 0 1
	fi
}

# run_far_date: the date-sensitive parts once more, with the extension's clock stopped at
# FAR_DATE (every connection's PGOPTIONS), so that a date bomb goes off here, in CI, years
# before it would for users: the demo, the collections (sweep, grace, reminders, prepaid),
# numbering across financial years, the life cycle, GST issue and credit notes (section 34).
# test/calendar.sh runs everything at several dates; this is the cheap part of it in make test.
FAR_DATE=${FAR_DATE:-2031-12-31 23:59:59+00}
run_far_date()
{
	banner "far date: invoice.test_clock = '$FAR_DATE' for the date-sensitive suites"
	local saved=${PGOPTIONS:-}
	export PGOPTIONS="$saved -c invoice.test_clock=${FAR_DATE// /\\ }"
	run_pgtap far-date-pgtap invoice_far_date test/pgtap/clock.sql test/pgtap/collections_*.sql \
		test/pgtap/credit_notes*.sql test/pgtap/invoice_compute.sql test/pgtap/invoice_lifecycle.sql \
		test/pgtap/numbering_subxact.sql test/pgtap/gst_issue.sql
	local specs=(credit_note_limit issue_gapless sweep_vs_pay sweep_vs_sweep topup_vs_issue)
	run_regress far-date-isolation "$RESULTS/far-date-isolation.log" \
		test/isolation/output_iso/regression.diffs "${specs[@]}" -- REGRESS= ISOLATION="${specs[*]}"
	run_demo far-date-demo invoice_far_date_demo
	export PGOPTIONS="$saved"
}

# The part that runs inside the throwaway cluster (PGHOST, PGPORT, … are set).
in_cluster()
{
	echo "throwaway cluster: PostgreSQL $(psql -XAtc 'SHOW server_version') on $PGHOST:$PGPORT"

	local regress isolation
	regress=$(make_var REGRESS)
	isolation=$(make_var ISOLATION)

	# shellcheck disable=SC2086 # word splitting of the test lists is intended
	if [ -n "$regress" ]; then
		run_regress regress "$RESULTS/regress.log" regression.diffs \
			$regress -- ISOLATION=
	else
		banner "regress: no sql/*.sql tests, skipped"
		record regress 0 0 "skipped: no tests"
	fi

	# shellcheck disable=SC2086
	if [ -n "$isolation" ]; then
		run_regress isolation "$RESULTS/isolation.log" test/isolation/output_iso/regression.diffs \
			$isolation -- REGRESS=
	else
		banner "isolation: no test/isolation/specs/*.spec, skipped"
		record isolation 0 0 "skipped: no tests"
	fi

	if compgen -G 'test/pgtap/*.sql' >/dev/null; then
		run_pgtap pgtap invoice_tap test/pgtap/*.sql
	else
		banner "pgTAP: no test/pgtap/*.sql, skipped"
		record pgtap 0 0 "skipped: no tests"
	fi

	if compgen -G 'test/shell/*.sh' >/dev/null; then
		run_shell
	fi

	run_demo demo invoice_demo

	if [ -z "${INVOICE_TEST_CLOCK:-}" ]; then
		run_far_date
	fi

	# Non-zero when something failed, so that pg_virtualenv shows the server log tail
	# (and a backtrace of any core dump) — useful when a test crashed the backend.
	! awk '$3 > 0 { bad = 1 } END { exit !bad }' "$COUNTS"
}

if [ "${1:-}" = --in-cluster ]; then
	in_cluster
	exit
fi

# ---------------------------------------------------------------------------------

summary()
{
	banner summary
	local passed=0 failed=0 seconds=0 suite p f s note
	while read -r suite p f s note; do
		printf '%-20s %5d passed, %d failed  %4ds%s\n' "$suite" "$p" "$f" "$s" "${note:+  ($note)}"
		seconds=$((seconds + s))
		passed=$((passed + p))
		failed=$((failed + f))
	done <"$COUNTS"
	echo "# $seconds s in the suites, $SECONDS s in all (make test)"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
: >"$COUNTS"
start=$SECONDS

banner "dependencies"
if ! bash test/deps.sh; then
	record deps 0 1 "test/deps.sh failed"
	summary || true
	exit 1
fi

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

banner "build: make clean && make && make install (PG_CONFIG=$PG_CONFIG)"
if make --no-print-directory clean >/dev/null &&
	make --no-print-directory -j"$(nproc)" &&
	"${sudo[@]}" make --no-print-directory install PG_CONFIG="$PG_CONFIG"; then
	record build 1 0
else
	echo "build FAILED"
	record build 0 1 "stopped here"
	summary || true
	exit 1
fi

# Beside the single-node suites, in the background: the fuzzer (pure C, one core) and the
# Citus suite (a coordinator and two workers of its own); their logs are shown at the end.
fuzz_seconds=${FUZZ_SECONDS:-60}
if [ -f test/fuzz/run.sh ] && [ "$fuzz_seconds" != 0 ]; then
	in_background fuzz bash test/fuzz/run.sh "$fuzz_seconds"
fi
in_background citus bash test/citus/run.sh

banner "throwaway cluster (pg_virtualenv)"
# -t: keep the cluster in a temporary directory even as root, so that nothing is left
# in /etc/postgresql and a leftover 15/regress cluster cannot get in the way.
# No -s: it would open an interactive shell on failure.
clock_option=()
if [ -n "${INVOICE_TEST_CLOCK:-}" ]; then
	# test/calendar.sh: the whole run with the extension's clock stopped at that instant
	echo "invoice.test_clock = '$INVOICE_TEST_CLOCK' for the whole cluster"
	clock_option=(-o "invoice.test_clock=$INVOICE_TEST_CLOCK")
fi
pg_virtualenv -t -v "$PG_MAJOR" "${clock_option[@]}" bash test/run_all.sh --in-cluster </dev/null || true

# Every in-cluster suite must have reported; one that did not could not run.
suites=(regress isolation pgtap demo)
[ -n "${INVOICE_TEST_CLOCK:-}" ] || suites+=(far-date-pgtap far-date-isolation far-date-demo)
if compgen -G 'test/shell/*.sh' >/dev/null; then
	suites+=(shell)
fi
for suite in "${suites[@]}"; do
	if ! grep -q "^$suite " "$COUNTS"; then
		record "$suite" 0 1 "could not run; see the pg_virtualenv output above"
	fi
done

wait	# the background suites

if [ -f test/fuzz/run.sh ]; then
	if [ "$fuzz_seconds" = 0 ]; then
		banner "fuzz: FUZZ_SECONDS=0, skipped"
		record fuzz 0 0 "skipped: FUZZ_SECONDS=0"
	else
		banner "fuzz: bash test/fuzz/run.sh $fuzz_seconds (in the background)"
		# libFuzzer's progress lines (NEW, REDUCE, pulse) stay in the log
		grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)[[:space:]]' "$RESULTS/fuzz.log" || true
		if [ "$(cat "$RESULTS/fuzz.rc")" -eq 0 ] && [ "$(tail -n 1 "$RESULTS/fuzz.log")" = "fuzz: PASS" ]; then
			RECORD_SECONDS=$(cat "$RESULTS/fuzz.seconds") record fuzz 1 0
		else
			RECORD_SECONDS=$(cat "$RESULTS/fuzz.seconds") record fuzz 0 1
		fi
	fi
fi

# The Citus suite starts a coordinator and two workers of its own (test/citus/run.sh; Citus is
# built by ../shared/citus/install.sh when missing).  Its TODO tests are the known gaps of
# issue #14: they run, and are counted neither passed nor failed, but noted.
banner "citus: bash test/citus/run.sh (in the background)"
cat "$RESULTS/citus.log"
RECORD_SECONDS=$(cat "$RESULTS/citus.seconds") \
	record_tap citus "$RESULTS/citus.log" "$(cat "$RESULTS/citus.rc")" 'not yet on Citus, README "Scale-out with Citus"'

echo "(took $((SECONDS - start)) s; logs in $RESULTS/)"
summary
