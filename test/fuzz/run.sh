#!/bin/bash
#
# test/fuzz/run.sh [seconds]
#	Build the libFuzzer harnesses of the pure-C code (cents_parse.c,
#	gstin_check.c) and fuzz them for the given time in all (default 60),
#	half each.  The last line is "fuzz: PASS" or "fuzz: FAIL"; the exit
#	status is 0 only for PASS.  Crash reproducers land in test/fuzz/crash-*.

set -u

seconds=${1:-60}

fail()
{
	echo "$*" >&2
	echo "fuzz: FAIL"
	exit 1
}

case $seconds in
	'' | *[!0-9]*) fail "usage: $0 [seconds]" ;;
esac

# Paths below are relative to the repository root, wherever we are run from.
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || fail "cannot cd to repository root"

if ! command -v clang > /dev/null; then
	# libFuzzer and the sanitizer runtimes are a separate package on Debian 12.
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update &&
		$sudo apt-get install -y clang libclang-rt-14-dev ||
		fail "could not install clang"
fi

# fuzz HARNESS SOURCE SEEDS CORPUS SECONDS: build test/fuzz/HARNESS from SOURCE
# and test/fuzz/HARNESS.c, then fuzz it from the seeds for SECONDS.
fuzz()
{
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-I "$(dirname "$2")" "$2" "test/fuzz/$1.c" -o "test/fuzz/$1" ||
		fail "$1: build failed"

	mkdir -p "test/fuzz/$4" || fail "$1: cannot create corpus directory"
	cp "test/fuzz/$3"/* "test/fuzz/$4/" || fail "$1: cannot copy seeds"

	"./test/fuzz/$1" -max_total_time="$5" -max_len=64 -timeout=10 \
		-artifact_prefix=test/fuzz/ "test/fuzz/$4" ||
		fail "$1: fuzzer reported a failure (exit status $?)"
}

# At least a second each: libFuzzer reads -max_total_time=0 as no limit.
gstin_seconds=$((seconds / 2))
[ "$gstin_seconds" -gt 0 ] || gstin_seconds=1
cents_seconds=$((seconds - gstin_seconds))
[ "$cents_seconds" -gt 0 ] || cents_seconds=1

fuzz cents_fuzz cents/src/cents_parse.c seeds corpus "$cents_seconds"
fuzz gstin_fuzz src/gstin_check.c gstin_seeds gstin_corpus "$gstin_seconds"

echo "fuzz: PASS"
