#!/usr/bin/env bash
#
# test/shell/zip_memory.sh — invoice_pdf_zip in bounded memory (issue #19, README
# "Documents"): a fresh backend archives 100 invoices, then reads its own
# /proc/self/status; the peak of its private memory (VmHWM less the shared
# buffers and files it mapped) over that of a fresh backend must stay within the
# archive's size plus 16 MB (one PDF's rendering is about 3 MB).  Before the
# archive was written member by member, libzip held every PDF and then copied
# the archive: about 3 times its size (56 MB for these 18 MB).
#
# Run it inside a cluster, as a superuser (pg_read_file), with the connection
# environment set (e.g. under pg_virtualenv).  TAP on stdout; its database is
# dropped at the end.

set -u

DB="invoice_zip_memory_$$"

# shellcheck source=lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"

q()
{
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -c "$1"
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	dropdb --if-exists "$DB" >/dev/null 2>&1
}
trap cleanup EXIT

# the backend's own peak in kB, after STATEMENT (run in the same fresh backend)
PEAK="SELECT max(v) FILTER (WHERE k = 'VmHWM') - coalesce(max(v) FILTER (WHERE k = 'RssShmem'), 0)
             - coalesce(max(v) FILTER (WHERE k = 'RssFile'), 0)
        FROM (SELECT split_part(l, ':', 1) AS k, (regexp_match(l, '(\d+) kB'))[1]::bigint AS v
                FROM regexp_split_to_table(pg_read_file('/proc/self/status'), E'\n') l) s"

if ! createdb "$DB" || ! psql -X -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<'SQL'
CREATE EXTENSION invoice CASCADE;
INSERT INTO invoice.supplier (legal_name, address, gstin, state_code)
VALUES ('Example Cloud Services Pvt Ltd', E'12 MG Road\nBengaluru 560001', '29AABCE1234F1Z1', '29');
INSERT INTO invoice.orgs (org_id, name) VALUES ('org-zip', 'Zip Analytics');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date, currency, tax_rate)
SELECT 'org-zip', 'zip-' || lpad(k::text, 3, '0'), '2025-05-01', '2025-06-01', '2025-06-01', '2025-07-01', 'INR', 18
  FROM generate_series(1, 100) k;
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, resource_name)
SELECT 'org-zip', i.id, format('compute instance hours, pool %s', g), g, 0.75 + g, 'node-' || g
  FROM invoice.invoices i, generate_series(1, 10) g;
SELECT invoice.invoice_issue_period('-infinity', 'infinity');
SQL
then
	not_ok "fixtures in $DB"
	echo "1..$n"
	exit 1
fi

baseline=$(q "$PEAK")
read -r archive peak < <(psql -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 -d "$DB" <<SQL
SELECT octet_length(invoice.invoice_pdf_zip(ARRAY(SELECT id FROM invoice.invoices ORDER BY id))) AS archive \gset
SELECT :archive / 1024, ($PEAK);
SQL
)
if [ -n "${archive:-}" ] && [ -n "${peak:-}" ] && [ -n "$baseline" ]; then
	used=$((peak - baseline))
	bound=$((archive + 16384))
	if [ "$used" -le "$bound" ]; then
		ok "a ZIP of 100 invoices ($archive kB): the backend's peak grew by $used kB, within the archive + 16 MB"
	else
		not_ok "a ZIP of 100 invoices ($archive kB): the backend's peak grew by $used kB, within the archive + 16 MB" \
			"bound: $bound kB"
	fi
else
	not_ok "a ZIP of 100 invoices: measured" "archive=${archive:-} peak=${peak:-} baseline=$baseline"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
