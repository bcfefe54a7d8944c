#!/bin/bash
#
# test/fuzz/run.sh [seconds]
#	Build the cents_parse libFuzzer harness and fuzz it for the given time
#	(default 60).  The last line is "fuzz: PASS" or "fuzz: FAIL"; the exit
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

clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I src src/cents_parse.c test/fuzz/cents_fuzz.c -o test/fuzz/cents_fuzz ||
	fail "build failed"

mkdir -p test/fuzz/corpus || fail "cannot create corpus directory"
cp test/fuzz/seeds/* test/fuzz/corpus/ || fail "cannot copy seeds"

./test/fuzz/cents_fuzz -max_total_time="$seconds" -max_len=64 -timeout=10 \
	-artifact_prefix=test/fuzz/ test/fuzz/corpus ||
	fail "fuzzer reported a failure (exit status $?)"

echo "fuzz: PASS"
