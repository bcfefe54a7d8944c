# test/shell/lib/tap.sh — TAP output for the shell tests (sourced, not run):
# ok DESCRIPTION, not_ok DESCRIPTION [DETAIL…], check DESCRIPTION HAVE WANT;
# $n counts the checks, $failed the failures.

n=0
failed=0

ok()
{
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok()
{
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	local line
	for line in "$@"; do
		printf '#   %s\n' "$line"
	done
}

# check DESCRIPTION HAVE WANT
check()
{
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "have: $2" "want: $3"
	fi
}
