#!/usr/bin/env bash
#
# test/shell/upgrade.sh — ALTER EXTENSION invoice UPDATE from every released version (0.1) to the
# current one (README "Versions and upgrades"):
#
#   1. database U: CREATE EXTENSION invoice VERSION '0.1' with the current library; the data of
#      a 0.1 database in every table (test/shell/upgrade/0.1-data.sql, restored with triggers
#      off); every C function and aggregate of 0.1 called once (test/shell/lib/call_c_functions.sql):
#      0.1's SQL calling the new library may refuse, never crash; 0.1's C functions whose
#      signature 0.2 changed are exactly the reviewed ones (they check PG_NARGS()).
#   2. CREATE EXTENSION cents (it takes over 0.1's type) and ALTER EXTENSION invoice UPDATE;
#      database F: a fresh CREATE EXTENSION invoice CASCADE.
#   3. (a) U's extension equals F's, fact by fact (test/shell/lib/extension_catalog.sql: members,
#      definitions, columns, constraints, indexes, triggers, policies, privileges, comments); a
#      failure lists every object that differs, so that the missing upgrade step is plain.
#      (b) the data survived, row for row, and the invariants hold: stored amounts = recompute,
#      gapless numbers, ledger = advance balance.  (c) 0.2's features work on U: usage billing,
#      a statement, GST rounding to the rupee, the APIs.
#
# Run inside a cluster whose connection environment is set (make test runs it under
# pg_virtualenv), as a superuser.  TAP output; its databases are dropped at the end.

set -u

DB_U="invoice_upgrade_$$"
DB_F="invoice_fresh_$$"
HERE=$(dirname "${BASH_SOURCE[0]}")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/invoice_upgrade.XXXXXX")
FROM=0.1
# the clock of every session: after the sample's dates, fixed (no test reads the real clock)
export PGOPTIONS="${PGOPTIONS:-} -c invoice.test_clock=2025-03-20\\ 12:00:00+00"

# shellcheck source=test/shell/lib/tap.sh
. "$HERE/lib/tap.sh"

q()
{
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2" 2>&1
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	dropdb --if-exists "$DB_U" >/dev/null 2>&1
	dropdb --if-exists "$DB_F" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

bail()
{
	not_ok "$@"
	echo "1..$n"
	echo "# upgrade: $failed of $n checks failed (stopped early)"
	exit 1
}

# check_sql DESCRIPTION DB SQL: SQL returns no row, or its rows are the failure's details
check_sql()
{
	local out
	if ! out=$(q "$2" "$3"); then
		not_ok "$1" "$out"
	elif [ -n "$out" ]; then
		local lines=()
		mapfile -t lines <<<"$out"
		not_ok "$1" "${lines[@]}"
	else
		ok "$1"
	fi
}

# --- 1. a 0.1 database with data, the new library ----------------------------------------------

if ! out=$(createdb "$DB_U" 2>&1 && q "$DB_U" "CREATE EXTENSION invoice VERSION '$FROM'"); then
	bail "CREATE EXTENSION invoice VERSION '$FROM' (every C symbol of $FROM is in the library)" "$out"
fi
ok "CREATE EXTENSION invoice VERSION '$FROM' (every C symbol of $FROM is in the library)"
if ! out=$(PGOPTIONS="$PGOPTIONS -c session_replication_role=replica" \
	psql -X -q -v ON_ERROR_STOP=1 -d "$DB_U" -f "$HERE/upgrade/$FROM-data.sql" 2>&1); then
	bail "the data of a $FROM database loads" "$out"
fi
empty=$(q "$DB_U" "SELECT string_agg(c.oid::regclass::text, ' ' ORDER BY c.relname)
                     FROM pg_class c
                    WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind = 'r'
                      AND (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s', c.oid::regclass),
                                                                false, true, '')))[1]::text = '0'")
check "the data of a $FROM database loads, into every table (empty: ${empty:-none})" "$empty" ""

# What every table holds now, over its $FROM columns, to compare after the update.
if ! out=$(q "$DB_U" "CREATE TABLE public.upgrade_digest AS
	SELECT c.oid::regclass::text AS tab,
	       string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) AS cols
	  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	 WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind = 'r'
	 GROUP BY c.oid;
	ALTER TABLE public.upgrade_digest ADD COLUMN before text, ADD COLUMN after text;
	CREATE FUNCTION public.upgrade_digest(tab text, cols text) RETURNS text LANGUAGE plpgsql AS \$f\$
	DECLARE d text;
	BEGIN
	    EXECUTE format('SELECT count(*) || '' '' || md5(coalesce(string_agg(r::text, E''\\n'' ORDER BY r::text COLLATE \"C\"), ''''))
	                      FROM (SELECT %s FROM %s) r', cols, tab) INTO d;
	    RETURN d;
	END
	\$f\$;
	SET TimeZone = 'UTC';
	UPDATE public.upgrade_digest SET before = public.upgrade_digest(tab, cols);" 2>&1); then
	bail "digests of the $FROM tables" "$out"
fi

# 0.1's SQL calling the new library: every C function once; errors are fine, a crash is not
if out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB_U" -c "SET c_calls.org = 'org-xxxxxx'" \
	-c "SET c_calls.inv = 'inv-x-4'" -f "$HERE/lib/call_c_functions.sql" 2>&1) &&
	q "$DB_U" "SELECT 1" >/dev/null; then
	ok "every C function and aggregate of $FROM, called with the new library, returns or raises: ${out%%$'\n'*}"
	echo "${out#*$'\n'}"
else
	not_ok "every C function and aggregate of $FROM, called with the new library, returns or raises" "$out"
fi

# The C functions whose SQL signature changed since 0.1 (0.1's definitions pass the old
# arguments to the new code): each reviewed, the code checks PG_NARGS().  A new one here means:
# make the C read only the arguments that are there, then add it to this list.
reviewed="invoice_amounts_accum"
q "$DB_U" "SELECT p.prosrc || '|' || pg_get_function_identity_arguments(p.oid) || '|' || pg_get_function_result(p.oid)
             FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
            WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'invoice')
              AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')" |
	sed 's/invoice\.cents/cents/g' | sort >"$WORK/c-old"	# 0.1's invoice.cents is the cents extension's type

# --- 2. the update; a fresh install ------------------------------------------------------------

# 0.2 requires the cents extension: it takes over 0.1's type (README "Versions and upgrades")
if ! out=$(q "$DB_U" "ALTER EXTENSION invoice UPDATE" 2>&1) && [[ $out == *'required extension "cents" is not installed'* ]]; then
	ok "ALTER EXTENSION invoice UPDATE without the cents extension is refused, naming it"
else
	not_ok "ALTER EXTENSION invoice UPDATE without the cents extension is refused, naming it" "$out"
fi
if ! out=$(q "$DB_U" "BEGIN; CREATE EXTENSION cents; ALTER EXTENSION invoice UPDATE; COMMIT" 2>&1); then
	bail "CREATE EXTENSION cents; ALTER EXTENSION invoice UPDATE from $FROM" "$out"
fi
check "the cents extension took over $FROM's type, in schema public: no column changed type" \
	"$(q "$DB_U" "SELECT count(*) FILTER (WHERE a.atttypid <> 'public.cents'::regtype)
	               || ' ' || (SELECT count(*) FROM pg_type WHERE typname = 'cents')
	               || ' ' || (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'cents')
	                FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	               WHERE c.relnamespace = 'invoice'::regnamespace AND format_type(a.atttypid, NULL) ~ 'cents'")" \
	"0 1 public"
want=$(q "$DB_U" "SELECT default_version FROM pg_available_extensions WHERE name = 'invoice'")
check "ALTER EXTENSION invoice UPDATE from $FROM reaches the default version" \
	"$(q "$DB_U" "SELECT extversion FROM pg_extension WHERE extname = 'invoice'")" "$want"
if ! out=$(createdb "$DB_F" 2>&1 && q "$DB_F" "CREATE EXTENSION invoice CASCADE"); then
	bail "a fresh CREATE EXTENSION invoice CASCADE" "$out"
fi

q "$DB_F" "SELECT p.prosrc || '|' || pg_get_function_identity_arguments(p.oid) || '|' || pg_get_function_result(p.oid)
             FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
            WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'invoice')
              AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')" | sort >"$WORK/c-new"
changed=$(comm -23 "$WORK/c-old" "$WORK/c-new" | cut -d'|' -f1 | sort -u |
	while read -r sym; do
		# a symbol no 0.2 function uses stays in the library for 0.1's SQL: not a change
		grep -q "^$sym|" "$WORK/c-new" && echo "$sym"
	done | tr '\n' ' ')
check "the C functions whose SQL signature changed since $FROM are the reviewed ones (they check PG_NARGS())" \
	"${changed% }" "$reviewed"

# --- 3a. the upgraded extension equals a fresh install -----------------------------------------

for db in "$DB_U" "$DB_F"; do
	if ! psql -X -q -A -t -F $'\t' -v ON_ERROR_STOP=1 -d "$db" -f "$HERE/lib/extension_catalog.sql" \
		>"$WORK/$db.facts" 2>"$WORK/$db.err"; then
		bail "the catalog facts of $db" "$(cat "$WORK/$db.err")"
	fi
done
facts=$(wc -l <"$WORK/$DB_F.facts")
diffs=$(awk -F '\t' '
	FNR == NR { fresh[$1] = $2; next }
	{ upgraded[$1] = $2 }
	END {
		for (k in fresh)
			if (!(k in upgraded)) print k "\t1\tmissing after the upgrade: " k
			else if (upgraded[k] != fresh[k]) {
				print k "\t1\tdiffers: " k
				print k "\t2\t    upgraded: " substr(upgraded[k], 1, 400)
				print k "\t3\t    fresh:    " substr(fresh[k], 1, 400)
			}
		for (k in upgraded)
			if (!(k in fresh)) print k "\t1\tleft over by the upgrade: " k
	}' "$WORK/$DB_F.facts" "$WORK/$DB_U.facts" | LC_ALL=C sort -t $'\t' -k1,1 -k2,2n | cut -f3-)
if [ -z "$diffs" ]; then
	ok "the upgraded extension equals a fresh install ($facts facts: members, definitions, columns, constraints, indexes, triggers, policies, privileges, comments)"
else
	mapfile -t lines <<<"$diffs"
	not_ok "the upgraded extension equals a fresh install ($facts facts; add the missing steps to sql/upgrade/$FROM--$want/)" \
		"$(grep -c "^missing" <<<"$diffs") missing, $(grep -c "^differs" <<<"$diffs") different, $(grep -c "^left over" <<<"$diffs") left over (sorted by object):" \
		"${lines[@]}"
fi

# --- 3b. the data survived; the invariants hold ------------------------------------------------

check_sql "every row of every $FROM table survived the update, column for column" "$DB_U" \
	"SET TimeZone = 'UTC';
	 SELECT tab || ': before ' || before || ', after ' || a
	   FROM (SELECT tab, before, public.upgrade_digest(tab, cols) AS a FROM public.upgrade_digest) d
	  WHERE a IS DISTINCT FROM before"
check "no invoice's amounts change when recomputed by the new code (invoice_compute_period)" \
	"$(q "$DB_U" "BEGIN; SELECT invoice.invoice_compute_period('-infinity', 'infinity'); ROLLBACK;")" "0"
check_sql "stored amounts add up: usage = Σ lines, paid = Σ payments, total = subtotal + tax + round_off, amount due" "$DB_U" \
	"SET search_path = invoice, public, pg_catalog;
	 SELECT i.id FROM invoice.invoices i
	  WHERE i.usage_amount <> coalesce((SELECT sum(l.amount) FROM invoice.line_items l
	                                     WHERE l.org_id = i.org_id AND l.invoice_id = i.id), '0')
	     OR i.already_billed_amount <> coalesce((SELECT sum(p.amount) FROM invoice.payments p
	                                              WHERE p.org_id = i.org_id AND p.invoice_id = i.id), '0')
	     OR i.subtotal <> i.usage_amount - i.credits_applied
	     OR i.total <> i.subtotal + i.tax + i.round_off
	     OR i.round_off <> '0'
	     OR i.amount_due <> greatest(i.total - i.already_billed_amount - i.advance_pay_amount - i.credited_amount, '0')"
check_sql "numbers are gapless: each series and financial year holds exactly 1 … last_value" "$DB_U" \
	"WITH docs AS (
	     SELECT number FROM invoice.invoices WHERE number IS NOT NULL
	     UNION ALL SELECT number FROM invoice.credit_notes WHERE number IS NOT NULL
	     UNION ALL SELECT number FROM invoice.receipts WHERE number IS NOT NULL),
	 series AS (
	     SELECT s.*, s.series || '/' || to_char(s.fiscal_year % 100, 'FM00') || to_char((s.fiscal_year + 1) % 100, 'FM00') || '/' AS prefix
	       FROM invoice.number_series s)
	 SELECT s.prefix || ': last_value ' || s.last_value || ', numbers ' || count(d.number)
	   FROM series s LEFT JOIN docs d ON left(d.number, length(s.prefix)) = s.prefix
	  GROUP BY s.prefix, s.last_value
	 HAVING count(d.number) <> s.last_value OR count(DISTINCT d.number) <> s.last_value
	     OR coalesce(max(split_part(d.number, '/', 3)::bigint), 0) <> s.last_value
	 UNION ALL
	 SELECT 'no series: ' || d.number FROM docs d
	  WHERE NOT EXISTS (SELECT FROM series s WHERE left(d.number, length(s.prefix)) = s.prefix)"
check_sql "every organisation's advance balance is the sum of its ledger" "$DB_U" \
	"SET search_path = invoice, public, pg_catalog;
	 SELECT o.org_id || ': ' || o.advance_balance FROM invoice.orgs o
	  WHERE o.advance_balance <> coalesce((SELECT sum(a.amount) FROM invoice.advance_ledger a
	                                        WHERE a.org_id = o.org_id), '0')"
sig="SELECT md5(string_agg(g::text, ',' ORDER BY g::text COLLATE \"C\")) FROM invoice.search_signatures g"
check "the search signatures are those the new code makes (search_rebuild changes none)" \
	"$(q "$DB_U" "BEGIN; SELECT invoice.search_rebuild() > 0; $sig; ROLLBACK;" | tr '\n' ' ')" \
	"t $(q "$DB_U" "$sig") "

# --- 3c. 0.2's features on the upgraded database -----------------------------------------------

# usage billing: a price book, usage of January 2025, its generation
check "usage billing: invoice_generate rates the usage loaded after the update onto drafts" \
	"$(q "$DB_U" "INSERT INTO invoice.products (product_id, product_group, product_line, product_name, region, usage_type,
	                                               unit, currency, hsn_sac, gst_rate)
	              VALUES ('up-vm', 'Compute', 'Virtual Machines', 'C3.8GB', 'Delhi', 'VM-hours', 'hour', 'USD', '998315', 18);
	              INSERT INTO invoice.prices (product_id, effective_from, model, rate, free_units)
	              VALUES ('up-vm', '2024-01-01', 'per_unit', 0.5, 0);
	              INSERT INTO invoice.usage_records (org_id, idempotency_key, product_group, product_line, product_name, region,
	                                                 usage_type, quantity, usage_start, usage_end)
	              VALUES ('org-xxxxxx', 'up-1', 'Compute', 'Virtual Machines', 'C3.8GB', 'Delhi', 'VM-hours', 10,
	                      '2025-01-02', '2025-01-03');
	              SELECT invoice.invoice_generate('2025-01-01', '2025-02-01') > 0;
	              SELECT count(*) || ' ' || sum(l.amount) FROM invoice.usage_record_invoices r
	                JOIN invoice.line_items l ON l.org_id = r.org_id AND l.invoice_id = r.invoice_id
	               WHERE r.idempotency_key = 'up-1';" | tr '\n' ' ')" "t 1 5.00 "

# a statement: closing = opening + debits - credits = what the USD invoices owe less the prepaid balance
check_sql "a statement of an upgraded organisation closes on what it owes less its prepaid balance" "$DB_U" \
	"WITH s AS (SELECT invoice.statement('org-yyyyyy', '2024-01-01', invoice.clock(), 'USD') AS j)
	 SELECT s.j::text FROM s
	  WHERE json_array_length(s.j->'entries') = 0
	     OR (s.j->>'closingBalance')::bigint <> (s.j->>'openingBalance')::bigint + (s.j->>'totalDebits')::bigint - (s.j->>'totalCredits')::bigint
	     OR (s.j->>'closingBalance')::bigint <>
	        (SELECT coalesce(sum(i.amount_due::bigint), 0) FROM invoice.invoices i
	          WHERE i.org_id = 'org-yyyyyy' AND i.currency = 'USD' AND i.status IN ('pending', 'overdue', 'paid'))
	        - (SELECT o.advance_balance::bigint FROM invoice.orgs o WHERE o.org_id = 'org-yyyyyy')"

# GST rounding to the rupee on a new INR draft, fixed at issue
check "GST rounding: an INR GST draft rounds its total to the rupee (round_off), issue fixes the rounding" \
	"$(q "$DB_U" "UPDATE invoice.supplier SET total_rounding = 'rupee', tax_rounding = 'invoice';
	              UPDATE invoice.orgs SET billing_state = '29' WHERE org_id = 'org-xxxxxx';
	              INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, gst, tax_rate)
	              VALUES ('org-xxxxxx', 'up-gst', '2025-02-01', '2025-03-01', 'INR', true, 18);
	              INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac)
	              VALUES ('org-xxxxxx', 'up-gst', 'compute', '100.30', '998315');
	              SELECT (invoice.invoice_issue('up-gst')).status;
	              SELECT total || ' ' || round_off || ' ' || tax_rounding || ' ' || total_rounding || ' ' || status
	                FROM invoice.invoices WHERE id = 'up-gst';" | tr '\n' ' ')" "pending 118.00 -0.36 invoice rupee pending "

# the APIs (no Citus): list, describe, CSV, Billing v3, the new statement endpoint
check "the APIs answer on the upgraded database (list, describe, CSV, Billing v3, /v2/statements)" \
	"$(q "$DB_U" "SELECT json_array_length(invoice.invoice_list('org-xxxxxx', 1, 50) -> 'data' -> 'invoices') > 0,
	                     invoice.invoice_describe('inv-x-4') IS NOT NULL,
	                     (SELECT count(*) > 0 FROM invoice.invoice_csv('org-xxxxxx', search => 'line')),
	                     json_array_length(invoice.billing_v3_invoices('org-yyyyyy') -> 'invoices') > 0,
	                     invoice.api_get('/v2/statements', '{\"orgId\": \"org-yyyyyy\", \"periodFrom\": \"2024-01-01\", \"periodTo\": \"2025-01-01\", \"currency\": \"USD\"}') ->> 'code'")" \
	"t|t|t|t|0"

# every C function and aggregate of 0.2, called on the updated database with search_path =
# pg_catalog: the SQL they run names the cents objects by their schema (issue 20), so none fails
# for want of a type, function or operator (42704, 42883); and none raises an internal error
# (XX000), whatever its arguments
out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB_U" -c "SET c_calls.org = 'org-xxxxxx'" \
	-c "SET c_calls.inv = 'inv-x-4'" -f "$HERE/lib/call_c_functions.sql" \
	-c "SELECT '#   unresolved or internal: ' || fn || ': ' || sqlstate || ' ' || message FROM c_calls
	     WHERE sqlstate IN ('42704', '42883', 'XX000')" 2>&1)
if [ -n "$out" ] && ! grep -q 'unresolved or internal:\|ERROR\|FATAL' <<<"$out"; then
	ok "every C function and aggregate of 0.2, called with search_path = pg_catalog, resolves the cents objects and raises no XX000: ${out%%$'\n'*}"
else
	not_ok "every C function and aggregate of 0.2, called with search_path = pg_catalog, resolves the cents objects and raises no XX000" "$out"
fi

echo "1..$n"
if [ "$failed" -gt 0 ]; then
	echo "# upgrade: $failed of $n checks failed"
	exit 1
fi
