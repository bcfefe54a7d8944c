#!/usr/bin/env bash
#
# test/shell/public_face.sh — README's reference is what a user may call (issue 18): every
# function, table and view of schema invoice (trigger functions aside) is documented in the first
# column of a README table, and it is documented under "## Internals (not part of the API)"
# exactly when its catalog comment starts with "internal"; nothing internal appears in the
# reference's tables.  Run inside a cluster, as a superuser; TAP on stdout.

set -u
HERE=$(dirname "${BASH_SOURCE[0]}")
README="$HERE/../../README.md"
DB="invoice_public_face_$$"
# shellcheck source=test/shell/lib/tap.sh
. "$HERE/lib/tap.sh"
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1' EXIT

if ! out=$(createdb "$DB" 2>&1 && psql -X -q -d "$DB" -c "SET client_min_messages = warning; CREATE EXTENSION invoice CASCADE" 2>&1); then
	not_ok "CREATE EXTENSION invoice CASCADE" "$out"
	echo "1..$n"
	exit 1
fi

# name<TAB>internal (t/f): the functions (not triggers) and the tables and views of schema invoice
objects=$(psql -X -A -t -F $'\t' -d "$DB" -c "
	SELECT DISTINCT p.proname, coalesce(obj_description(p.oid, 'pg_proc') LIKE 'internal%', false)
	  FROM pg_proc p
	 WHERE p.pronamespace = 'invoice'::regnamespace AND p.prorettype <> 'trigger'::regtype
	UNION ALL
	SELECT c.relname, coalesce(obj_description(c.oid, 'pg_class') LIKE 'internal%', false)
	  FROM pg_class c
	 WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind IN ('r', 'v')
	 ORDER BY 1")

# the names in the first column of README's tables: under "## Internals", and elsewhere
names_in()
{
	awk -v want="$1" '
		/^## / { internals = ($0 ~ /^## Internals/) }
		/^\| `/ && (internals == (want == "internals")) {
			split($0, cell, " \\| ")
			rest = cell[1]
			while (match(rest, /`[a-z_0-9]+[`(]/)) {
				print substr(rest, RSTART + 1, RLENGTH - 2)
				rest = substr(rest, RSTART + RLENGTH)
			}
		}' "$README" | sort -u
}
internals=$(names_in internals)
public=$(names_in public)

wrong_side=() missing=()
while IFS=$'\t' read -r name internal; do
	in_internals=false in_public=false
	grep -qx "$name" <<<"$internals" && in_internals=true
	grep -qx "$name" <<<"$public" && in_public=true
	if ! $in_internals && ! $in_public; then
		missing+=("$name")
	elif [ "$internal" = t ] && $in_public; then
		wrong_side+=("$name: internal (its comment says so) but in README's reference")
	elif [ "$internal" = t ] && ! $in_internals; then
		wrong_side+=("$name: internal but not under README's Internals")
	elif [ "$internal" = f ] && $in_internals; then
		wrong_side+=("$name: under README's Internals, but its comment does not start with \"internal\"")
	fi
done <<<"$objects"

total=$(wc -l <<<"$objects")
if [ "${#missing[@]}" -eq 0 ]; then
	ok "every one of the $total functions, tables and views of schema invoice (triggers aside) is in a README table"
else
	not_ok "every function, table and view of schema invoice (triggers aside) is in a README table" "missing: ${missing[*]}"
fi
if [ "${#wrong_side[@]}" -eq 0 ]; then
	ok "README's reference lists only public objects; the internals ($(grep -c . <<<"$internals") names) are under \"Internals\", each commented \"internal…\""
else
	not_ok "README's reference lists only public objects, the internals under \"Internals\"" "${wrong_side[@]}"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
