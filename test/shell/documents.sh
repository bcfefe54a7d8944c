#!/usr/bin/env bash
#
# test/shell/documents.sh — the PDFs and ZIP archives the extension renders,
# decoded by independent tools: qpdf checks the file structure, poppler's
# pdftotext / pdfinfo / pdftoppm read what a person would read, unzip lists
# and tests the archives.
#
#   * a 3-line invoice (the seed example: total 450.00, 100.00 paid):
#     number, every description, the total and the amount due as rendered,
#     amounts right-aligned (every figure of the Amount column and the totals
#     ends at the same x);
#   * a GST tax invoice in INR: ₹ with Indian grouping, CGST and SGST;
#   * a 300-line invoice: several pages, "Page 1 of N" with N = pdfinfo's
#     page count, the table header on every page, all 300 descriptions, the
#     total on the last page;
#   * a draft (DRAFT watermark, named by its id in an archive), a receipt and
#     a credit note (their numbers);
#   * invoice_pdf_zip: one member per distinct invoice, named by number, each
#     a valid PDF of that invoice.
#
# Run it inside a cluster whose connection environment is set (PGHOST,
# PGPORT, PGUSER — e.g. under pg_virtualenv).  It prints TAP ("ok N - …" /
# "not ok N - …", then "1..N") and exits non-zero when a check fails.  Its
# database is dropped at the end.

set -u

DB="invoice_documents_$$"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/invoice_documents.XXXXXX")

# shellcheck source=lib/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/tap.sh"

# contains DESCRIPTION FILE TEXT: FILE (whitespace runs made one space) holds TEXT
contains()
{
	if tr -s '[:space:]' ' ' <"$2" | grep -qF -- "$3"; then
		ok "$1"
	else
		not_ok "$1" "\"$3\" not found in $(basename "$2")"
	fi
}

# valid DESCRIPTION PDF: qpdf --check passes (structure, cross-reference table, every stream decodes)
valid()
{
	local out
	if out=$(qpdf --check "$2" 2>&1); then
		ok "$1"
	else
		not_ok "$1" "$(echo "$out" | tail -n 3)"
	fi
}

# q SQL: one query on the test database, unaligned, tuples only
q()
{
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -c "$1"
}

# fetch FILE SQL: the bytea SQL returns, written to FILE
fetch()
{
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -c "SELECT encode($2, 'base64')" | base64 -d >"$1"
}

# text PDF [FIRST LAST]: pdftotext's reading (libharu 2.3.0's ToUnicode maps
# make poppler print "Syntax Warning" lines on stderr; the text is right)
text()
{
	pdftotext ${2:+-f "$2" -l "$3"} "$1" - 2>/dev/null
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup()
{
	dropdb --if-exists "$DB" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

bail()
{
	not_ok "$@"
	echo "1..$n"
	echo "# documents: $failed of $n checks failed (stopped early)"
	exit 1
}

for tool in qpdf pdftotext pdfinfo pdftoppm unzip; do
	command -v "$tool" >/dev/null || bail "$tool is installed" "run test/deps.sh"
done

# --- fixtures ----------------------------------------------------------------------------------

if ! out=$(createdb "$DB" 2>&1); then
	bail "create database $DB" "$out"
fi
if ! out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$DB" 2>&1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION invoice CASCADE;
SET search_path = invoice, public;
SET TimeZone = 'UTC';

INSERT INTO invoice.supplier (legal_name, address, email, gstin, state_code)
VALUES ('Example Cloud Services Pvt Ltd', E'12 MG Road\nBengaluru 560001', 'billing@example-cloud.in',
        '29AABCE1234F1Z1', '29');
INSERT INTO invoice.orgs (org_id, name, billing_email, billing_state) VALUES
    ('org-xxxxxx', 'Example Org', 'accounts@example.org', NULL),
    ('org-acme', 'Acme Analytics Private Limited', 'finance@acme.example', '29');

-- the seed example, in three lines: usage 524.00, credits 124.00, 12.5 % tax, total 450.00
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date, currency, tax_rate)
VALUES ('org-xxxxxx', 'inv-seed', '2024-01-01', '2024-02-01', '2024-02-01', '2024-03-02', 'USD', 12.5);
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, resource_type, resource_name,
                                usage_start, usage_end) VALUES
    ('org-xxxxxx', 'inv-seed', 'vector compute (CU-hours)', 1000, 0.324, 'pod', 'vec-1', '2024-01-01', '2024-02-01'),
    ('org-xxxxxx', 'inv-seed', 'storage (GB-months)', 100, 1.00, 'volume', 'data-1', '2024-01-01', '2024-02-01'),
    ('org-xxxxxx', 'inv-seed', 'egress to the internet (GB)', 1000, 0.10, NULL, NULL, NULL, NULL);
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('org-xxxxxx', 'inv-seed', '124.00', 'WELCOME');
SELECT invoice.invoice_issue('inv-seed');
SELECT invoice.invoice_pay('inv-seed', '100.00', 'card', 'ch_seed_1');

-- a GST tax invoice within the supplier's state: 105,000.00 at 18 % = CGST 9,450.00 + SGST 9,450.00
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date, currency, tax_rate, gst)
VALUES ('org-acme', 'inv-gst', '2025-04-01', '2025-05-01', '2025-05-01', '2025-05-31', 'INR', 18, true);
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, hsn_sac) VALUES
    ('org-acme', 'inv-gst', 'GPU compute (A100 hours)', 500, 150, '998315'),
    ('org-acme', 'inv-gst', 'Block storage (GB-months)', 4800, 6.25, '998315');
SELECT invoice.invoice_issue('inv-gst');

-- 300 lines
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date, currency, tax_rate)
VALUES ('org-acme', 'inv-long', '2025-05-01', '2025-06-01', '2025-06-01', '2025-07-01', 'INR', 18);
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, resource_type, resource_name,
                                usage_start, usage_end)
SELECT 'org-acme', 'inv-long', format('usage item %s', lpad(g::text, 3, '0')), g, 1.25, 'vm', 'node-' || g,
       '2025-05-01', '2025-06-01'
  FROM generate_series(1, 300) g;
SELECT invoice.invoice_issue('inv-long');

-- a draft, a prepaid top-up's receipt, a credit note on the GST invoice
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, tax_rate)
VALUES ('org-xxxxxx', 'inv-draft', '2024-03-01', '2024-04-01', 'GBP', 20);
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
VALUES ('org-xxxxxx', 'inv-draft', 'consulting (days)', 3, 950);
SELECT invoice.invoice_topup('org-acme', '50000.00', 'upi', 'upi-topup-1');
INSERT INTO invoice.credit_notes (org_id, credit_note_id, invoice_id, reason)
VALUES ('org-acme', 'cn-storage', 'inv-gst', 'wrong_rate');
INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount, hsn_sac)
VALUES ('org-acme', 'cn-storage', 'storage at the committed rate', '2400.00', '998315');
SET invoice.test_clock = '2025-05-20 12:00:00+00';   -- a credit note bears the date of its issue
SELECT invoice.credit_note_issue('cn-storage', '2025-05-20');

-- rounded off to the rupee: 10.55 + 18 % (1.899 → 1.90) = 12.45, round off −0.45, total 12.00;
-- a credit note of the whole line gives back 12.45 rounded the same way
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date, currency, tax_rate,
                              total_rounding)
VALUES ('org-acme', 'inv-round', '2025-05-01', '2025-06-01', '2025-06-01', '2025-07-01', 'INR', 18, 'rupee');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
VALUES ('org-acme', 'inv-round', 'support hours', '10.55');
SELECT invoice.invoice_issue('inv-round');
INSERT INTO invoice.credit_notes (org_id, credit_note_id, invoice_id, reason)
VALUES ('org-acme', 'cn-round', 'inv-round', 'service_not_rendered');
INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, line_id)
SELECT org_id, 'cn-round', line_id FROM invoice.line_items WHERE invoice_id = 'inv-round';
SET invoice.test_clock = '2025-06-02 12:00:00+00';
SELECT invoice.credit_note_issue('cn-round', '2025-06-02');
RESET invoice.test_clock;
SQL
); then
	bail "fixtures in $DB" "$out"
fi

seed_number=$(q "SELECT number FROM invoice.invoices WHERE id = 'inv-seed'")
gst_number=$(q "SELECT number FROM invoice.invoices WHERE id = 'inv-gst'")
long_number=$(q "SELECT number FROM invoice.invoices WHERE id = 'inv-long'")
check "the seed example's amounts (usage, credits, tax, total, paid, due)" \
	"$(q "SELECT concat_ws('/', usage_amount, credits_applied, tax, total, already_billed_amount, amount_due)
	        FROM invoice.invoices WHERE id = 'inv-seed'")" "524.00/124.00/50.00/450.00/100.00/350.00"
check "the GST invoice's amounts (taxable value, tax, total)" \
	"$(q "SELECT concat_ws('/', subtotal, tax, total) FROM invoice.invoices WHERE id = 'inv-gst'")" \
	"105000.00/18900.00/123900.00"

# --- the 3-line invoice ------------------------------------------------------------------------

seed="$WORK/seed.pdf"
fetch "$seed" "invoice.invoice_pdf('inv-seed')"
valid "invoice_pdf: qpdf --check passes" "$seed"
check "pdfinfo: one A4 page" "$(pdfinfo "$seed" 2>/dev/null | awk '/^Pages:/ { p = $2 } /^Page size:/ { s = $3 "x" $5 } END { print p, s }')" \
	"1 595.276x841.89"
check "pdfinfo: the document's title names the invoice" \
	"$(pdfinfo "$seed" 2>/dev/null | sed -n 's/^Title: *//p')" "Invoice $seed_number"
text "$seed" >"$WORK/seed.txt"
contains "pdftotext finds the invoice number $seed_number" "$WORK/seed.txt" "$seed_number"
for d in 'vector compute (CU-hours)' 'storage (GB-months)' 'egress to the internet (GB)'; do
	contains "pdftotext finds the line \"$d\"" "$WORK/seed.txt" "$d"
done
contains "pdftotext finds the supplier and the customer" "$WORK/seed.txt" "Example Org"
contains "pdftotext finds the total, formatted as rendered: \$450.00" "$WORK/seed.txt" "Total \$450.00"
contains "pdftotext finds the credits applied: −\$124.00" "$WORK/seed.txt" "Credits applied −\$124.00"
contains "pdftotext finds the amount due: \$350.00" "$WORK/seed.txt" "Amount due \$350.00"
contains "pdftotext finds the payment received (method, reference)" "$WORK/seed.txt" 'Card ch_seed_1'
contains "pdftotext finds the billing period, last day inclusive" "$WORK/seed.txt" '01–31 Jan 2024'
contains "pdftotext finds \"Page 1 of 1\"" "$WORK/seed.txt" 'Page 1 of 1'

# words PDF: "xMin yMin xMax yMax word" for every word pdftotext -bbox finds
words()
{
	pdftotext -bbox "$1" - 2>/dev/null |
		awk -F'"' '/<word / { w = $9; sub(/^>/, "", w); sub(/<\/word>.*/, "", w); print $2, $4, $6, $8, w }'
}

# Amounts are right-aligned: every figure in the right half of the page (the
# Amount column, the totals, the payments table) ends at the same x, the
# right margin less the cell padding; the Rate column ends further left.
words "$seed" | awk '$5 ~ /^(−)?\$[0-9,]+\.[0-9][0-9]$/ && $3 > 500' >"$WORK/seed-amounts"
check "amounts right-aligned: 12 figures (3 lines, 1 credit, 7 totals, 1 payment) … " \
	"$(wc -l <"$WORK/seed-amounts")" "12"
check "… all end at one x" "$(awk '{ printf "%.1f\n", $3 }' "$WORK/seed-amounts" | sort -u | tr '\n' ' ')" "551.3 "

if pdftoppm -png -r 60 -f 1 -l 1 "$seed" "$WORK/seed" 2>/dev/null && [ -s "$WORK/seed-1.png" ]; then
	ok "pdftoppm renders the first page"
else
	not_ok "pdftoppm renders the first page"
fi

# --- a GST tax invoice -------------------------------------------------------------------------

gst="$WORK/gst.pdf"
fetch "$gst" "invoice.invoice_pdf('inv-gst')"
valid "GST invoice: qpdf --check passes" "$gst"
text "$gst" >"$WORK/gst.txt"
contains "GST invoice: titled TAX INVOICE" "$WORK/gst.txt" "TAX INVOICE"
contains "GST invoice: the supplier's GSTIN" "$WORK/gst.txt" "GSTIN: 29AABCE1234F1Z1"
contains "GST invoice: place of supply by name and code" "$WORK/gst.txt" "Karnataka (29)"
contains "GST invoice: HSN/SAC of the lines" "$WORK/gst.txt" "998315"
contains "GST invoice: the total in rupees, lakh grouping: ₹1,23,900.00" "$WORK/gst.txt" 'Total ₹1,23,900.00'
contains "GST invoice: CGST at half the rate" "$WORK/gst.txt" 'CGST (9%) ₹9,450.00'
contains "GST invoice: SGST at half the rate" "$WORK/gst.txt" 'SGST (9%) ₹9,450.00'
contains "GST invoice: its credit note is listed" "$WORK/gst.txt" 'Wrong rate'

# --- 300 lines ---------------------------------------------------------------------------------

long="$WORK/long.pdf"
fetch "$long" "invoice.invoice_pdf('inv-long')"
valid "300-line invoice: qpdf --check passes" "$long"
pages=$(pdfinfo "$long" 2>/dev/null | awk '/^Pages:/ { print $2 }')
if [ "${pages:-0}" -gt 1 ]; then
	ok "300-line invoice: pdfinfo reports $pages pages"
else
	not_ok "300-line invoice: pdfinfo reports more than one page" "pages: ${pages:-none}"
fi
pages=${pages:-1}
text "$long" 1 1 >"$WORK/long-1.txt"
contains "300-line invoice: page 1 says \"Page 1 of $pages\"" "$WORK/long-1.txt" "Page 1 of $pages"
text "$long" "$pages" "$pages" >"$WORK/long-last.txt"
contains "300-line invoice: the last page says \"Page $pages of $pages\"" "$WORK/long-last.txt" "Page $pages of $pages"
missing=""
for p in $(seq 1 "$pages"); do
	page_text=$(text "$long" "$p" "$p")
	case "$page_text" in
	*Description*Amount*) ;;
	*) missing="$missing $p" ;;
	esac
done
check "300-line invoice: the table header is on every page" "${missing:-none}" "none"
continued=$(for p in $(seq 2 "$pages"); do text "$long" "$p" "$p" | grep -c "$long_number (continued)"; done | grep -c '^1$')
check "300-line invoice: every later page names the invoice (continued)" "$continued" "$((pages - 1))"
text "$long" >"$WORK/long.txt"
found=$(grep -oE 'usage item [0-9]{3}' "$WORK/long.txt" | sort -u | wc -l)
check "300-line invoice: pdftotext finds all 300 line descriptions" "$found" "300"
long_total=$(q "SELECT total FROM invoice.invoices WHERE id = 'inv-long'")
check "300-line invoice: its total is what the database says" "$long_total" "66597.00"
contains "300-line invoice: the total, on the last page: ₹66,597.00" "$WORK/long-last.txt" 'Total ₹66,597.00'
rows_on_last=$(grep -cE '^usage item [0-9]{3}$' "$WORK/long-last.txt")
if [ "$rows_on_last" -ge 1 ]; then
	ok "300-line invoice: the totals do not stand alone on the last page ($rows_on_last lines with them)"
else
	not_ok "300-line invoice: the totals do not stand alone on the last page"
fi

# --- draft, receipt, credit note -------------------------------------------------------------------

fetch "$WORK/draft.pdf" "invoice.invoice_pdf('inv-draft')"
text "$WORK/draft.pdf" >"$WORK/draft.txt"
# the watermark's letters are set diagonally: pdftotext reads them one by one, each a tall box
check "draft: the DRAFT watermark across the page" \
	"$(words "$WORK/draft.pdf" | awk '$4 - $2 > 50' | sort -n -k1,1 | awk '{ printf "%s", $5 }')" "DRAFT"
check "an issued invoice has no watermark" "$(words "$seed" | awk '$4 - $2 > 50 { printf "%s", $5 }')" ""
contains "draft: not issued, no number" "$WORK/draft.txt" "Draft – not issued"
contains "draft: pounds sterling: £3,420.00" "$WORK/draft.txt" "Total £3,420.00"

receipt_number=$(q "SELECT number FROM invoice.receipts WHERE org_id = 'org-acme'")
fetch "$WORK/receipt.pdf" "invoice.receipt_pdf('org-acme', (SELECT receipt_id FROM invoice.receipts WHERE org_id = 'org-acme'))"
valid "receipt_pdf: qpdf --check passes" "$WORK/receipt.pdf"
text "$WORK/receipt.pdf" >"$WORK/receipt.txt"
contains "receipt_pdf: pdftotext finds the receipt number $receipt_number" "$WORK/receipt.txt" "$receipt_number"
contains "receipt_pdf: the amount received" "$WORK/receipt.txt" "Amount received ₹50,000.00"

note_number=$(q "SELECT number FROM invoice.credit_notes WHERE credit_note_id = 'cn-storage'")
fetch "$WORK/note.pdf" "invoice.credit_note_pdf('cn-storage')"
valid "credit_note_pdf: qpdf --check passes" "$WORK/note.pdf"
text "$WORK/note.pdf" >"$WORK/note.txt"
contains "credit_note_pdf: pdftotext finds the note number $note_number" "$WORK/note.txt" "$note_number"
contains "credit_note_pdf: the invoice it corrects" "$WORK/note.txt" "$gst_number"
contains "credit_note_pdf: its total credit (2,400.00 + 18 %)" "$WORK/note.txt" "Total credit ₹2,832.00"

fetch "$WORK/round.pdf" "invoice.invoice_pdf('inv-round')"
text "$WORK/round.pdf" >"$WORK/round.txt"
contains "invoice_pdf: the round-off of a total rounded to the rupee" "$WORK/round.txt" "Round off −₹0.45"
contains "invoice_pdf: the total after round-off" "$WORK/round.txt" "Total ₹12.00"
fetch "$WORK/round-note.pdf" "invoice.credit_note_pdf('cn-round')"
text "$WORK/round-note.pdf" >"$WORK/round-note.txt"
contains "credit_note_pdf: the round-off of a note of a rounded-off invoice" "$WORK/round-note.txt" "Round off −₹0.45"
contains "credit_note_pdf: a line credited in full gives back the invoice's total" "$WORK/round-note.txt" "Total credit ₹12.00"
contains "credit_note_pdf: the line credit carries its line's description" "$WORK/round-note.txt" "support hours"

# --- ZIP ---------------------------------------------------------------------------------------

zip="$WORK/invoices.zip"
fetch "$zip" "invoice.invoice_pdf_zip(ARRAY['inv-seed', 'inv-gst', 'inv-seed', 'inv-draft', 'inv-gst'])"
if out=$(unzip -tq "$zip" 2>&1); then
	ok "invoice_pdf_zip: unzip -t finds no error"
else
	not_ok "invoice_pdf_zip: unzip -t finds no error" "$out"
fi
names=$(unzip -Z1 "$zip" 2>/dev/null | tr '\n' ' ')
want="${seed_number//\//-}.pdf ${gst_number//\//-}.pdf inv-draft.pdf "
check "unzip -l: one PDF per distinct invoice, named by number ('/' as '-'), a draft by its id" "$names" "$want"
if unzip -l "$zip" 2>/dev/null | grep -qE ' INV-[0-9]{4}-[0-9]{6}\.pdf$'; then
	ok "unzip -l lists names like INV-2324-000001.pdf"
else
	not_ok "unzip -l lists names like INV-2324-000001.pdf" "$(unzip -l "$zip" 2>&1)"
fi
for member in "${seed_number//\//-}.pdf:$seed_number" "${gst_number//\//-}.pdf:$gst_number"; do
	unzip -p "$zip" "${member%%:*}" >"$WORK/member.pdf" 2>/dev/null
	if qpdf --check "$WORK/member.pdf" >/dev/null 2>&1 && text "$WORK/member.pdf" | grep -qF "${member#*:}"; then
		ok "the member ${member%%:*} is a valid PDF of invoice ${member#*:}"
	else
		not_ok "the member ${member%%:*} is a valid PDF of invoice ${member#*:}"
	fi
done
check "the member of the draft is the same PDF as invoice_pdf gives" \
	"$(unzip -p "$zip" inv-draft.pdf 2>/dev/null | cmp - "$WORK/draft.pdf" >/dev/null 2>&1 && echo same)" "same"

echo "1..$n"
if [ "$failed" -gt 0 ]; then
	echo "# documents: $failed of $n checks failed"
	exit 1
fi
exit 0
