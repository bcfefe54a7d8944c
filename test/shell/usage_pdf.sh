#!/usr/bin/env bash
#
# test/shell/usage_pdf.sh — usage_summary_pdf, read back by independent tools:
# qpdf checks the file structure, poppler's pdftotext reads what a person
# would read.  One organisation, two currencies: egress (USD, graduated)
# billed for the first week, a second egress record and VM hours (INR) not
# billed yet.
#
#   * the title, the period, the party, the supplier;
#   * a row per UTC day and product: the billed day with its amount, the
#     unbilled ones with their quantity and no amount; quantities with their
#     unit, thousands grouped, no trailing decimal point;
#   * a total per currency (the billed usage), the explanatory note;
#   * a range without usage: a valid PDF that says so.
#
# Run it inside a cluster whose connection environment is set (PGHOST,
# PGPORT, PGUSER — e.g. under pg_virtualenv).  It prints TAP and exits
# non-zero when a check fails.  Its database is dropped at the end.

set -u

DB="invoice_usage_pdf_$$"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/invoice_usage_pdf.XXXXXX")

# shellcheck source=lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	dropdb --if-exists "$DB" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

# contains DESCRIPTION FILE TEXT: FILE (whitespace runs made one space) holds TEXT
contains()
{
	if tr -s '[:space:]' ' ' <"$2" | grep -qF -- "$3"; then
		ok "$1"
	else
		not_ok "$1" "\"$3\" not found in $(basename "$2")"
	fi
}

# fetch FILE SQL: the bytea SQL returns, written to FILE
fetch()
{
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -c "SELECT encode($2, 'base64')" | base64 -d >"$1"
}

for tool in qpdf pdftotext; do
	if ! command -v "$tool" >/dev/null; then
		echo "1..0 # SKIP $tool is not installed (test/deps.sh)"
		exit 0
	fi
done

createdb "$DB" || { not_ok "createdb $DB"; echo "1..$n"; exit 1; }
if ! out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$DB" 2>&1 <<'SQL'
CREATE EXTENSION invoice CASCADE;
INSERT INTO invoice.supplier (legal_name, address, email) VALUES ('Cloud Supplier Ltd', '1 Main Road, Delhi', 'accounts@supplier.example');
INSERT INTO invoice.orgs (org_id, name, billing_email) VALUES ('acme', 'Acme Cloud Pvt Ltd', 'billing@acme.example');
INSERT INTO invoice.products (product_id, product_group, product_line, product_name, region, usage_type, unit, currency) VALUES
    ('egress', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'GB', 'USD'),
    ('vm', 'Compute', 'Virtual Machines', 'C3.8GB', 'Delhi', 'VM-hours', 'hour', 'INR');
INSERT INTO invoice.prices (product_id, effective_from, model, tier_up_to, tier_rate, rate) VALUES
    ('egress', '2024-01-01', 'graduated', '{1000,NULL}', '{0.09,0.05}', NULL),
    ('vm', '2024-01-01', 'per_unit', NULL, NULL, 0.5);
INSERT INTO invoice.usage_records (org_id, idempotency_key, product_group, product_line, product_name, region, usage_type,
                                   quantity, usage_start, usage_end) VALUES
    ('acme', 'e1', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 1800, '2024-01-05', '2024-01-06'),
    ('acme', 'e2', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 400, '2024-01-07', '2024-01-08'),
    ('acme', 'v1', 'Compute', 'Virtual Machines', 'C3.8GB', 'Delhi', 'VM-hours', 720.5, '2024-01-07', '2024-01-08');
SELECT invoice.invoice_generate('2024-01-01', '2024-01-07');
SQL
); then
	not_ok "fixtures" "$out"
	echo "1..$n"
	exit 1
fi

fetch "$WORK/summary.pdf" "invoice.usage_summary_pdf('acme', '2024-01-01', '2024-02-01')"
if qpdf --check "$WORK/summary.pdf" >/dev/null 2>&1; then ok "qpdf --check: a valid PDF"; else not_ok "qpdf --check: a valid PDF"; fi
pdftotext -layout "$WORK/summary.pdf" "$WORK/summary.txt" 2>/dev/null
contains "the title" "$WORK/summary.txt" "USAGE SUMMARY"
contains "the period" "$WORK/summary.txt" "01–31 Jan 2024"
contains "the party" "$WORK/summary.txt" "Acme Cloud Pvt Ltd"
contains "the supplier" "$WORK/summary.txt" "Cloud Supplier Ltd"
contains "the billed day: 1,800 GB at the graduated tiers (1,000 × 0.09 + 800 × 0.05)" "$WORK/summary.txt" \
	"05 Jan 2024 Egress · Bandwidth · GB 1,800 GB \$130.00"
contains "an unbilled day: its quantity twice (all of it unbilled), no amount" "$WORK/summary.txt" \
	"07 Jan 2024 Egress · Bandwidth · GB 400 GB 400 GB"
contains "a fractional quantity with its unit" "$WORK/summary.txt" "720.5 hour 720.5 hour"
contains "the total of billed usage in USD" "$WORK/summary.txt" "Billed usage, USD \$130.00"
contains "the total of billed usage in INR (none yet)" "$WORK/summary.txt" "Billed usage, INR ₹0.00"
contains "the note" "$WORK/summary.txt" "usage not billed yet shows its quantity and no amount"

fetch "$WORK/empty.pdf" "invoice.usage_summary_pdf('acme', '2023-01-01', '2023-02-01')"
pdftotext -layout "$WORK/empty.pdf" "$WORK/empty.txt" 2>/dev/null
contains "a range without usage says so" "$WORK/empty.txt" "No usage in the period."

echo "1..$n"
if [ "$failed" -gt 0 ]; then
	echo "# usage_pdf: $failed of $n checks failed"
	exit 1
fi
exit 0
