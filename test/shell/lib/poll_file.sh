# test/shell/lib/poll_file.sh — waiting for a server log (sourced, not run).
#
#   poll_file SECONDS FILE PATTERN   until FILE has a line matching PATTERN (grep -E); false
#                                    when none came within SECONDS

poll_file()
{
	local tries=$(($1 * 5))
	until grep -qE "$3" "$2" 2>/dev/null; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.2
	done
}
