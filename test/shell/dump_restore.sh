#!/usr/bin/env bash
#
# test/dump_restore.sh — a pg_dump → pg_restore round trip keeps every row of
# the invoice extension (its tables are registered with
# pg_extension_config_dump), and the restored database carries on where the
# original stopped: invoice numbering without a gap, fresh identity values.
#
# Restoring data fires the extension's triggers (an issued invoice arriving
# by COPY would be refused: invoices are created as drafts), so the
# documented way to restore is with triggers off for the restoring session:
#
#     PGOPTIONS='-c session_replication_role=replica' pg_restore -d NEWDB DUMPFILE
#
# That is exactly what is tested here.
#
# Run it inside a cluster whose connection environment is set (PGHOST,
# PGPORT, PGUSER — e.g. under pg_virtualenv), as a role that may create
# databases and set session_replication_role (a superuser).  It prints TAP
# ("ok N - …" / "not ok N - …", then "1..N") and exits non-zero when a check
# fails or the round trip cannot run.  Its databases are dropped at the end.

set -u

DB_A="invoice_dump_a_$$"
DB_B="invoice_dump_b_$$"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/invoice_dump.XXXXXX")
DUMP="$WORK/invoice.dump"

# shellcheck source=lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"

# q DB SQL: one query, unaligned, tuples only; stops at the first error
q()
{
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	dropdb --if-exists "$DB_A" >/dev/null 2>&1
	dropdb --if-exists "$DB_B" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

# bail DESCRIPTION [DETAIL…]: a step the rest depends on failed
bail()
{
	not_ok "$@"
	echo "1..$n"
	echo "# dump_restore: $failed of $n checks failed (stopped early)"
	exit 1
}

# --- 1. database A with sample data ---------------------------------------------------------

if ! out=$(createdb "$DB_A" 2>&1); then
	bail "create database $DB_A" "$out"
fi
if ! out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$DB_A" 2>&1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION invoice CASCADE;
SET search_path = invoice, public;
SET TimeZone = 'UTC';

INSERT INTO invoice.orgs (org_id, name, billing_email, payment_terms_days, autopay)
VALUES ('org-xxxxxx', 'Example Org', 'billing@example.com', 30, true),
       ('org-yyyyyy', 'Second Org', NULL, 15, false);
-- a prepaid top-up (receipt, ledger), applied to the first invoices issued;
-- org-xxxxxx pays automatically (payment requests)
SELECT invoice.invoice_topup('org-yyyyyy', '50.00', 'upi', 'topup-1');

-- twelve invoices per organisation for 2024 (financial years 2023-24 and
-- 2024-25, series INV and, for org-yyyyyy, also EXP), with lines and credits
INSERT INTO invoice.invoices (org_id, id, series, description, period_start, period_end, invoice_date,
                              due_date, currency, tax_rate)
SELECT o, format('inv-%s-%s', right(o, 1), m), CASE WHEN o = 'org-yyyyyy' AND m % 4 = 0 THEN 'EXP' ELSE 'INV' END,
       format('month %s', m), make_timestamptz(2024, m, 1, 0, 0, 0, 'UTC'),
       make_timestamptz(2024, m, 1, 0, 0, 0, 'UTC') + interval '1 month',
       make_timestamptz(2024, m, 1, 0, 0, 0, 'UTC') + interval '1 month',
       make_timestamptz(2024, m, 1, 0, 0, 0, 'UTC') + interval '1 month 30 days',
       CASE WHEN m % 3 = 0 THEN 'INR' ELSE 'USD' END, CASE WHEN m % 2 = 0 THEN 18 ELSE 12.5 END
  FROM unnest(ARRAY['org-xxxxxx', 'org-yyyyyy']) AS o, generate_series(1, 12) AS m;

INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, tax_rate, product_group,
                                product_name, region, usage_type, hsn_sac, usage_start, usage_end)
SELECT i.org_id, i.id, format('line %s', k), 10 * k + m, 0.335 * k,
       CASE WHEN k = 3 THEN 5 END, 'Compute', 'VM', 'ap-south-1', 'hours', '998315',
       i.period_start, i.period_end
  FROM invoice.invoices i, generate_series(1, 3) AS k, LATERAL (SELECT extract(month FROM i.period_start)::int AS m) mm
 WHERE NOT (i.id LIKE '%-12');          -- the December invoices have no lines (zero total)
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
SELECT org_id, id, 'support (fixed fee)', '40.00' FROM invoice.invoices WHERE id LIKE '%-1' OR id LIKE '%-5';
INSERT INTO invoice.credits (org_id, invoice_id, amount, code, description)
SELECT org_id, id, '12.34', 'PROMO', 'promotional credit' FROM invoice.invoices WHERE id ~ '-[1-7]$';

-- issue January to November; December (no lines) goes straight to paid
SELECT invoice.invoice_issue(id) FROM invoice.invoices
 WHERE id !~ '-(10|11)$' AND id NOT LIKE '%-9' ORDER BY period_start, org_id;
-- billing day for the rest of the autumn
SELECT invoice.invoice_issue_period('2024-09-01', '2024-12-01');

-- January to March paid (in two payments each), April partly paid, May overdue,
-- June cancelled, July overdue then moved back to pending
SELECT invoice.invoice_pay(id, '10.00', 'card', 'ch_' || id || '_1') FROM invoice.invoices WHERE id ~ '-[1-4]$';
SELECT invoice.invoice_pay(id, amount_due, 'upi', 'upi_' || id || '_2') FROM invoice.invoices WHERE id ~ '-[1-3]$';
UPDATE invoice.invoices SET status = 'overdue' WHERE id ~ '-[57]$';   -- with reminders
SELECT invoice.invoice_cancel(id, 'customer left') FROM invoice.invoices WHERE id LIKE '%-6';
UPDATE invoice.invoices SET due_date = invoice.clock() + interval '30 days' WHERE id LIKE '%-7';

-- who acts for the organisations
INSERT INTO invoice.members (org_id, member, role)
VALUES ('org-xxxxxx', 'x_owner', 'owner'), ('org-yyyyyy', 'y_viewer', 'viewer');

-- the supplier's registration, and a credit note correcting April (partly paid)
INSERT INTO invoice.supplier (legal_name, address, gstin, state_code)
VALUES ('Cloud India Private Limited', 'Bengaluru', '29AAACI1681G1ZL', '29');
SELECT invoice.credit_note_create('inv-x-4', 'wrong_rate', 'April rate correction');
INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount)
SELECT org_id, credit_note_id, 'rate correction', '5.00' FROM invoice.credit_notes;
SELECT invoice.credit_note_issue(credit_note_id) FROM invoice.credit_notes;

-- usage: a price book, a negotiated price, records, a generated (and issued) invoice, a late record
INSERT INTO invoice.products (product_id, product_name, unit, currency) VALUES ('egress', 'Egress', 'GB', 'USD');
INSERT INTO invoice.prices (product_id, effective_from, model, tier_up_to, tier_rate)
VALUES ('egress', '2024-01-01', 'graduated', '{1000,NULL}', '{0.09,0.05}');
INSERT INTO invoice.org_prices (org_id, product_id, effective_from, model, rate)
VALUES ('org-yyyyyy', 'egress', '2024-01-01', 'per_unit', 0.02);
INSERT INTO invoice.usage_records (org_id, idempotency_key, product_name, resource_name, quantity, usage_start, usage_end)
VALUES ('org-xxxxxx', 'u-1', 'Egress', 'web', 800, '2024-11-03', '2024-11-04'),
       ('org-xxxxxx', 'u-2', 'Egress', 'web', 400, '2024-11-05', '2024-11-06'),
       ('org-yyyyyy', 'u-1', 'Egress', 'cdn', 50, '2024-11-07', '2024-11-08');
SELECT invoice.invoice_generate('2024-11-01', '2024-12-01');
SELECT invoice.invoice_issue(invoice_id) FROM invoice.usage_invoices;
INSERT INTO invoice.usage_records (org_id, idempotency_key, product_name, resource_name, quantity, usage_start, usage_end)
VALUES ('org-xxxxxx', 'u-late', 'Egress', 'web', 10, '2024-11-29', '2024-11-30');
INSERT INTO invoice.usage_billing_days (org_id, billing_day) VALUES ('org-yyyyyy', 10);
-- the usage inbox: a row waiting for usage_ingest, and one it parked
INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, resource_name, quantity, usage_start, usage_end, reason)
VALUES ('org-xxxxxx', 'u-inbox', 'Egress', 'web', 5, '2024-11-29', '2024-11-30', NULL),
       ('org-yyyyyy', 'u-parked', 'Ingress', 'cdn', 1, '2024-11-29', '2024-11-30', 'unknown product');

-- a GST invoice registered with the IRP (invoice.einvoices)
UPDATE invoice.supplier SET city = 'Bengaluru', pincode = '560001';
UPDATE invoice.orgs SET gstin = '27AAPFU0939F1ZV', billing_address = '7 Nariman Point', billing_city = 'Mumbai'
 WHERE org_id = 'org-xxxxxx';
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, currency, gst, tax_rate)
VALUES ('org-xxxxxx', 'inv-x-gst', '2024-11-01', '2024-12-01', '2024-12-01', 'INR', true, 18);
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac)
VALUES ('org-xxxxxx', 'inv-x-gst', 'hosting', '100.00', '998315');
SELECT invoice.invoice_issue('inv-x-gst');
SELECT invoice.invoice_einvoice_record('inv-x-gst', repeat('ab', 32), 112410000000001, '2024-12-01 12:00+05:30',
                                       'aGVhZA.cGF5bG9hZA.c2ln');

-- and two drafts for January 2025, with lines and a credit
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, tax_rate)
VALUES ('org-xxxxxx', 'inv-x-draft', '2025-01-01', '2025-02-01', 18),
       ('org-yyyyyy', 'inv-y-draft', '2025-01-01', '2025-02-01', 12.5);
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
SELECT org_id, id, 'draft line ' || k, k, 1.005 FROM invoice.invoices, generate_series(1, 2) AS k WHERE status = 'draft';
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('org-xxxxxx', 'inv-x-draft', '0.50', 'DRAFTCREDIT');
SQL
); then
	bail "sample data in $DB_A" "$out"
fi
statuses=$(q "$DB_A" "SELECT string_agg(status || '=' || n, ' ' ORDER BY status)
                      FROM (SELECT status, count(*) AS n FROM invoice.invoices GROUP BY status) s")
check "sample data: invoices in every status" \
	"$statuses" "draft=2 pending=15 overdue=2 paid=8 cancelled=2"

# --- 2. dump, restore into database B ----------------------------------------------------------

if ! out=$(pg_dump -Fc -f "$DUMP" "$DB_A" 2>&1); then
	bail "pg_dump -Fc $DB_A" "$out"
fi
ok "pg_dump -Fc"
if ! out=$(createdb "$DB_B" 2>&1); then
	bail "create database $DB_B" "$out"
fi
if out=$(PGOPTIONS='-c session_replication_role=replica' pg_restore --exit-on-error -d "$DB_B" "$DUMP" 2>&1); then
	ok "PGOPTIONS='-c session_replication_role=replica' pg_restore succeeds"
else
	bail "PGOPTIONS='-c session_replication_role=replica' pg_restore succeeds" "$out"
fi

# --- 3. every table and sequence of the extension, row for row ----------------------------------

tables_sql="SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c
             WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind IN ('r', 'p')"
seqs_sql="SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c
           WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind = 'S'"
tables_a=$(q "$DB_A" "$tables_sql")
check "the restored database has the same tables" "$(q "$DB_B" "$tables_sql")" "$tables_a"
seqs_a=$(q "$DB_A" "$seqs_sql")
check "the restored database has the same sequences" "$(q "$DB_B" "$seqs_sql")" "$seqs_a"

# table_digest DB TABLE: row count and md5 of all rows in a fixed order
table_digest()
{
	q "$1" "SET TimeZone = 'UTC'; SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text COLLATE \"C\"), ''))
	         FROM invoice.$2 AS t"
}
for t in $tables_a; do
	digest_a=$(table_digest "$DB_A" "$t")
	digest_b=$(table_digest "$DB_B" "$t")
	if [ "${digest_a%% *}" = 0 ]; then
		not_ok "invoice.$t has rows to compare" "the sample data left it empty"
		continue
	fi
	check "invoice.$t: ${digest_a%% *} rows, identical after the round trip" "$digest_b" "$digest_a"
done
for s in $seqs_a; do
	check "sequence invoice.$s: same state after the round trip" \
		"$(q "$DB_B" "SELECT last_value || ' ' || is_called FROM invoice.$s")" \
		"$(q "$DB_A" "SELECT last_value || ' ' || is_called FROM invoice.$s")"
done

# the restored amounts are what invoice_compute derives (the invariant survived)
before=$(table_digest "$DB_B" invoices)
changed=$(q "$DB_B" "SET search_path = invoice, public; SELECT count(*) FROM invoice.invoices i, invoice.invoice_compute(i.id) c
                      WHERE (c.usage_amount, c.credits_applied, c.already_billed_amount, c.subtotal, c.tax, c.total,
                             c.advance_pay_amount, c.amount_due)
                            IS DISTINCT FROM (i.usage_amount, i.credits_applied, i.already_billed_amount, i.subtotal,
                                              i.tax, i.total, i.advance_pay_amount, i.amount_due)")
check "invoice_compute finds every restored invoice's amounts current" "$changed" "0"
check "and changes nothing" "$(table_digest "$DB_B" invoices)" "$before"

# --- 4. the restored database carries on --------------------------------------------------------

# the next INV number of financial year 2023-24 and 2024-25, as database A would give it
next_number()
{
	q "$1" "SELECT '$2/' || fy || '/' || lpad((coalesce(max(split_part(number, '/', 3)::int), 0) + 1)::text, 6, '0')
	         FROM invoice.invoices, (SELECT '$3'::text AS fy) f WHERE number LIKE '$2/$3/%' GROUP BY fy"
}
want_2324=$(next_number "$DB_A" INV 2324)
want_2425=$(next_number "$DB_A" INV 2425)
want_exp=$(next_number "$DB_A" EXP 2425)
max_ids=$(q "$DB_B" "SELECT (SELECT max(line_id) FROM invoice.line_items) || ' ' || (SELECT max(credit_id) FROM invoice.credits)
                     || ' ' || (SELECT max(payment_id) FROM invoice.payments) || ' ' || (SELECT max(history_id) FROM invoice.status_history)")
read -r max_line max_credit max_payment max_history <<<"$max_ids"

if out=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB_B" 2>&1 <<'SQL'
SET client_min_messages = warning;
SET TimeZone = 'UTC';
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, due_date, tax_rate)
VALUES ('org-xxxxxx', 'inv-after-restore-1', 'INV', '2024-02-01', '2024-03-01', '2024-03-01', '2024-03-31', 18),
       ('org-yyyyyy', 'inv-after-restore-2', 'INV', '2024-11-01', '2024-12-01', '2024-12-01', '2024-12-31', 18),
       ('org-yyyyyy', 'inv-after-restore-3', 'EXP', '2024-11-01', '2024-12-01', '2024-12-01', '2024-12-31', 18);
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
SELECT org_id, id, 'after restore', 3, 0.335 FROM invoice.invoices WHERE id LIKE 'inv-after-restore-%';
INSERT INTO invoice.credits (org_id, invoice_id, amount, code)
VALUES ('org-xxxxxx', 'inv-after-restore-1', '0.01', 'AFTER');
SELECT invoice.invoice_issue(id) FROM invoice.invoices WHERE id LIKE 'inv-after-restore-%' ORDER BY id;
SELECT invoice.invoice_pay('inv-after-restore-1', '0.50', 'card', 'ch_after_restore');
SQL
); then
	ok "new invoices, lines, credits, issues and payments work in the restored database"
else
	not_ok "new invoices, lines, credits, issues and payments work in the restored database" "$out"
fi
check "numbering continues without a gap in INV 2023-24" \
	"$(q "$DB_B" "SELECT number FROM invoice.invoices WHERE id = 'inv-after-restore-1'")" "$want_2324"
check "numbering continues without a gap in INV 2024-25" \
	"$(q "$DB_B" "SELECT number FROM invoice.invoices WHERE id = 'inv-after-restore-2'")" "$want_2425"
check "numbering continues without a gap in EXP 2024-25" \
	"$(q "$DB_B" "SELECT number FROM invoice.invoices WHERE id = 'inv-after-restore-3'")" "$want_exp"
check "new line items get fresh identity values" \
	"$(q "$DB_B" "SELECT count(*) FILTER (WHERE line_id > $max_line) || '/' || count(*) FROM invoice.line_items WHERE description = 'after restore'")" "3/3"
check "a new credit gets a fresh identity value" \
	"$(q "$DB_B" "SELECT bool_and(credit_id > $max_credit) FROM invoice.credits WHERE code = 'AFTER'")" "t"
check "a new payment gets a fresh identity value" \
	"$(q "$DB_B" "SELECT bool_and(payment_id > $max_payment) FROM invoice.payments WHERE provider_ref = 'ch_after_restore'")" "t"
check "new history rows get fresh identity values (3 creations, 3 issues)" \
	"$(q "$DB_B" "SELECT count(*) FILTER (WHERE history_id > $max_history) FROM invoice.status_history WHERE invoice_id LIKE 'inv-after-restore-%'")" "6"
check "the new invoice's amounts are derived as usual (1.01 - 0.01 credit, 18 % tax, 0.50 paid)" \
	"$(q "$DB_B" "SELECT concat_ws('/', usage_amount, credits_applied, subtotal, tax, total, already_billed_amount, amount_due, status)
	               FROM invoice.invoices WHERE id = 'inv-after-restore-1'")" "1.01/0.01/1.00/0.18/1.18/0.50/0.68/pending"
# usage: the restored load batches (and their sequence) keep what was billed billed; a late November
# record loaded after the restore (a fresh load batch: were the sequence not restored, it would take
# the billed batch's number and count as billed), the late one before and the restored inbox's waiting
# row (the generation ingests it) go on December's invoice; the parked row stays parked
check "usage in the restored database: the late record, a new one and the inbox's row on December's invoice, nothing twice" \
	"$(q "$DB_B" "INSERT INTO invoice.usage_records (org_id, idempotency_key, product_name, resource_name, quantity, usage_start, usage_end)
	              VALUES ('org-xxxxxx', 'u-after', 'Egress', 'web', 5, '2024-11-20', '2024-11-21');
	              SELECT invoice.invoice_generate('2024-12-01', '2025-01-01');
	              SELECT string_agg(l.units::text, ',' ORDER BY l.units) FROM invoice.line_items l
	                JOIN invoice.invoices i ON i.org_id = l.org_id AND i.id = l.invoice_id
	               WHERE i.org_id = 'org-xxxxxx' AND i.period_start = '2024-12-01';
	              SELECT string_agg(idempotency_key || ': ' || reason, ',') FROM invoice.usage_inbox" | tr '\n' ' ')" \
	"1 20 u-parked: unknown product "
# the restored database is still guarded: the life cycle applies to restored rows
if out=$(q "$DB_B" "UPDATE invoice.invoices SET status = 'draft' WHERE id = 'inv-x-1'" 2>&1); then
	not_ok "a restored paid invoice still refuses to change (triggers are back)" "the UPDATE succeeded"
else
	case "$out" in
	*"cannot change from paid to draft"*) ok "a restored paid invoice still refuses to change (triggers are back)" ;;
	*) not_ok "a restored paid invoice still refuses to change (triggers are back)" "$out" ;;
	esac
fi

echo "1..$n"
if [ "$failed" -gt 0 ]; then
	echo "# dump_restore: $failed of $n checks failed"
	exit 1
fi
exit 0
