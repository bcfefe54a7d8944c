#!/usr/bin/env bash
#
# test/shell/readme_first.sh — README's first examples, as a new user runs them (issue 20):
# the first ```sql block of README.md, unchanged, in a fresh database with the default
# search_path, one statement at a time; each statement's answer must be what the comment after it
# says (a value, or the error and its SQLSTATE).  Then what a driver does with two cents columns
# (a join on them, a comparison, sum) with the default search_path.  Run inside a cluster whose
# connection environment is set (make test runs it under pg_virtualenv), as a superuser.

set -u
HERE=$(dirname "${BASH_SOURCE[0]}")
DB="invoice_readme_$$"
# shellcheck source=test/shell/lib/tap.sh
. "$HERE/lib/tap.sh"
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1' EXIT

createdb "$DB" || { not_ok "createdb $DB"; echo "1..$n"; exit 1; }
check "a fresh database has the default search_path" \
	"$(psql -X -A -t -d "$DB" -c 'SHOW search_path')" '"$user", public'

# the first ```sql block of README.md
block=$(awk '/^```sql$/ { inside = 1; next } inside && /^```$/ { exit } inside' "$HERE/../../README.md")
[ -n "$block" ] || not_ok "README.md has a first sql block"

# run it statement by statement (one statement a line; comment lines belong to the one before),
# in one session, and compare each answer with the comment on its line or on the lines after it
statements=() expects=()
while IFS= read -r line; do
	if [[ $line =~ ^--\ *(ERROR:.*) ]]; then
		expects[${#statements[@]}-1]="${BASH_REMATCH[1]}"
	elif [[ $line =~ ^([^-].*\;)\ *(--\ *(.*))?$ ]]; then
		statements+=("${BASH_REMATCH[1]}")
		expects+=("${BASH_REMATCH[3]}")
	fi
done <<<"$block"
[ "${#statements[@]}" -ge 4 ] || not_ok "the block has its statements (found ${#statements[@]})"

for i in "${!statements[@]}"; do
	sql=${statements[$i]} want=${expects[$i]}
	have=$(psql -X -A -t -q -d "$DB" -v VERBOSITY=default -c "$sql" 2>&1 | grep -v '^NOTICE: ' | head -1)
	case $want in
		'') check "README: $sql" "$([[ $have == ERROR* ]] && echo "$have" || echo ok)" ok ;;
		ERROR:*)
			# "ERROR:  cents out of range          (SQLSTATE 22003, never wraps)"
			msg=$(sed -E 's/^ERROR: +//; s/ {2,}.*//' <<<"$want")
			code=$(sed -nE 's/.*SQLSTATE ([0-9A-Z]{5}).*/\1/p' <<<"$want")
			state=$(psql -X -A -t -q -d "$DB" -v VERBOSITY=verbose -c "$sql" 2>&1 | sed -nE 's/^ERROR: +([0-9A-Z]{5}):.*/\1/p' | head -1)
			check "README: $sql → $msg ($code)" "${have#ERROR:  } $state" "$msg $code" ;;
		*)
			value=${want%% *}    # "0.06  (Stripe's …)" → 0.06; a comment that is no value: no error
			if [[ $value =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then
				check "README: $sql → $value" "$have" "$value"
			else
				check "README: $sql ($want)" "$([[ $have == ERROR* ]] && echo "$have" || echo ok)" ok
			fi ;;
	esac
done

# what a driver runs with the default search_path: cents columns joined, compared, summed
check "two cents columns join, compare and sum with the default search_path" \
	"$(psql -X -A -t -q -d "$DB" -c "CREATE TEMP TABLE a (amount cents); CREATE TEMP TABLE b (amount cents);
		INSERT INTO a VALUES ('1.50'), ('2.25'); INSERT INTO b VALUES ('2.25'), ('9.99');
		SELECT count(*) || ' ' || sum(a.amount) || ' ' || (min(a.amount) <= max(b.amount))
		  FROM a JOIN b USING (amount)" 2>&1)" "1 2.25 true"
check "the cents type is the cents extension's, in public; the billing objects stay in invoice" \
	"$(psql -X -A -t -q -d "$DB" -c "SELECT string_agg(extname || ':' || extnamespace::regnamespace, ' ' ORDER BY extname)
		FROM pg_extension WHERE extname IN ('cents', 'invoice')")" "cents:public invoice:invoice"

echo "1..$n"
[ "$failed" -eq 0 ]
