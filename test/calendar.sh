#!/usr/bin/env bash
#
# test/calendar.sh — `make test-calendar`: the whole suite (pg_regress, isolation, pgTAP,
# shell, demo) once per date, with the extension's clock stopped at that date for the whole
# cluster (INVOICE_TEST_CLOCK of test/run_all.sh), proving that no test depends on the
# calendar.  Ends with the sum of every run as one line "N passed, N failed".
#
#   bash test/calendar.sh                    the dates below
#   bash test/calendar.sh '2029-07-01 00:00:00+00' …   dates of your choosing
#
# The dates: today (the real one, to the second), the last second of a financial year and
# the first of the next (31 March / 1 April: numbering), a leap day, and a far year-end.

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ $# -gt 0 ]; then
	dates=("$@")
else
	dates=("$(date -u '+%Y-%m-%d %H:%M:%S+00')" '2027-03-31 23:59:59+00' '2027-04-01 00:00:00+00'
		'2028-02-29 12:00:00+00' '2031-12-31 23:59:59+00')
fi

logs=.results-calendar   # not .results: each run of test/run_all.sh starts by emptying it
rm -rf "$logs"
mkdir -p "$logs"
summary=$logs/summary
: >"$summary"
passed=0
failed=0
for d in "${dates[@]}"; do
	printf '\n########## calendar: invoice.test_clock = %s ##########\n' "$d"
	log="$logs/${d//[^0-9]/}.log"
	INVOICE_TEST_CLOCK="$d" FUZZ_SECONDS=0 bash test/run_all.sh >"$log" 2>&1 || true
	line=$(tail -n 1 "$log")
	if [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		passed=$((passed + BASH_REMATCH[1]))
		failed=$((failed + BASH_REMATCH[2]))
	else
		line="did not finish (see $log)"
		failed=$((failed + 1))
	fi
	printf '%s: %s\n' "$d" "$line" | tee -a "$summary"
	grep -E '^(not ok|test .*FAILED|pgtap: .* failed|.*: FAILED)' "$log" | grep -v '# TODO' | head -n 20 || true
done
echo
cat "$summary"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
