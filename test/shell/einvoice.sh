#!/usr/bin/env bash
#
# test/shell/einvoice.sh — e-invoices checked by tools that share nothing with the
# extension:
#
#   * every e-invoice of test/einvoice/fixture.sql (intra- and inter-state, UIN holders,
#     credits, reverse charge, fractional quantities) is valid against the IRP's JSON
#     schema (test/einvoice/einvoice-1.1.schema.json, python3-jsonschema);
#   * the validator is not a rubber stamp: the same documents, each broken in one way
#     the schema forbids, are refused;
#   * once the IRP's answer is recorded, the invoice's PDF prints the IRN and a QR code
#     that zbarimg reads back as the signed QR code, byte for byte (qpdf --check passes).
#
# Run it inside a cluster whose connection environment is set (PGHOST, PGPORT, PGUSER —
# e.g. under pg_virtualenv).  It prints TAP and exits non-zero when a check fails.

set -u

DB="invoice_einvoice_$$"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/invoice_einvoice.XXXXXX")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCHEMA="$HERE/../einvoice/einvoice-1.1.schema.json"
VALIDATE="$HERE/../einvoice/validate.py"

# shellcheck source=lib/tap.sh
. "$HERE/lib/tap.sh"

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
	echo "# einvoice: $failed of $n checks failed (stopped early)"
	exit 1
}

q()
{
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -c "$1"
}

for tool in python3 qpdf pdftotext pdftoppm zbarimg; do
	command -v "$tool" >/dev/null || bail "$tool is installed" "run test/deps.sh"
done
python3 -c 'import jsonschema' 2>/dev/null || bail "python3-jsonschema is installed" "run test/deps.sh"

createdb "$DB" >/dev/null 2>&1 || bail "create database $DB"
if ! out=$( (echo "SET client_min_messages = warning; CREATE EXTENSION invoice CASCADE;" \
	"SET search_path = invoice, public; SET TimeZone = 'UTC';"
	cat "$HERE/../einvoice/fixture.sql") | psql -X -q -1 -v ON_ERROR_STOP=1 -d "$DB" 2>&1 >/dev/null); then
	bail "load test/einvoice/fixture.sql" "$out"
fi

# --- every e-invoice is valid against the schema ---------------------------------------------

ids=(ei-1 ei-2 ei-3 ei-4 ei-5 ei-round ei-mixed)
files=()
for id in "${ids[@]}"; do
	q "SELECT invoice.invoice_einvoice_json('$id')" >"$WORK/$id.json" || bail "invoice_einvoice_json('$id')"
	files+=("$WORK/$id.json")
done
out=$(python3 "$VALIDATE" "$SCHEMA" "${files[@]}" 2>&1)
rc=$?
check "the schema's validator runs" "$(echo "$out" | grep -c '^valid\|^invalid')" "${#ids[@]}"
for id in "${ids[@]}"; do
	line=$(echo "$out" | grep -F "$WORK/$id.json")
	check "$id: valid against schema INV-01 1.1" "${line%% *}" "valid"
done
check "validate.py exits 0" "$rc" "0"

# --- the validator refuses what the schema forbids ---------------------------------------------

# break NAME PYTHON: ei-2's document with one change (d is the document), expected to be refused
break_doc()
{
	python3 - "$WORK/ei-2.json" "$WORK/broken-$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
	out=$(python3 "$VALIDATE" "$SCHEMA" "$WORK/broken-$1.json" 2>&1)
	case $out in
		invalid*) ok "refused when broken: $1" ;;
		*) not_ok "refused when broken: $1" "$out" ;;
	esac
}
break_doc "no seller location" "del d['SellerDtls']['Loc']"
break_doc "a date in 2031" "d['DocDtls']['Dt'] = '15/01/2031'"
break_doc "an unknown key" "d['ValDtls']['Total'] = 1"
break_doc "a double quote in a description" "d['ItemList'][0]['PrdDesc'] = 'a \"b\" c'"
break_doc "a round-off of 100" "d['ValDtls']['RndOffAmt'] = 100"
break_doc "a number starting with 0" "d['DocDtls']['No'] = '0/1'"
break_doc "an HSN code of 5 digits" "d['ItemList'][1]['HsnCd'] = '84710'"
break_doc "a PIN code as text" "d['SellerDtls']['Pin'] = '560034'"
break_doc "no items" "d['ItemList'] = []"

# --- the IRN and the signed QR code on the PDF ---------------------------------------------------

# A signed QR code as long as the IRP's (a JWS of some 600 characters).
payload=$(printf '{"data":"{\\"SellerGstin\\":\\"29AAACI1681G1ZL\\",\\"BuyerGstin\\":\\"27AAPFU0939F1ZV\\",\\"DocNo\\":\\"EI/2526/000002\\",\\"DocTyp\\":\\"INV\\",\\"DocDt\\":\\"15/10/2025\\",\\"TotInvVal\\":1050.3,\\"ItemCnt\\":2,\\"MainHsnCode\\":\\"998315\\",\\"Irn\\":\\"%s\\",\\"IrnDt\\":\\"2025-10-20 15:30:00\\"}","iss":"NIC"}' "$(printf 'ab%.0s' $(seq 32))" | base64 -w0 | tr '+/' '-_' | tr -d '=')
qr="eyJhbGciOiJSUzI1NiIsImtpZCI6IkVESU5JQyIsInR5cCI6IkpXVCJ9.${payload}.$(head -c 256 /dev/zero | tr '\0' 'S' | base64 -w0 | tr '+/' '-_' | tr -d '=')"
irn=$(printf 'ab%.0s' $(seq 32))
q "SELECT set_config('invoice.test_clock', '2025-10-20 10:00:00+00', false);
   SELECT invoice.invoice_einvoice_record('ei-2', '$irn', 112510012345678, '2025-10-20 15:30+05:30', '$qr')" >/dev/null ||
	bail "invoice_einvoice_record('ei-2', …)"
psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" -c "SELECT encode(invoice.invoice_pdf('ei-2'), 'base64')" |
	base64 -d >"$WORK/ei-2.pdf" || bail "invoice_pdf('ei-2')"
if out=$(qpdf --check "$WORK/ei-2.pdf" 2>&1); then ok "the PDF with its QR code passes qpdf --check"; else not_ok "qpdf --check" "$out"; fi
text=$(pdftotext "$WORK/ei-2.pdf" - 2>/dev/null | tr -s '[:space:]' ' ')
case $text in
	*"IRN $irn"*) ok "the PDF prints the IRN" ;;
	*) not_ok "the PDF prints the IRN" "no \"IRN $irn\" in: ${text:0:300}" ;;
esac
case $text in
	*"Ack No. 112510012345678"*"Ack Date 20 Oct 2025"*) ok "the PDF prints the acknowledgement number and date" ;;
	*) not_ok "the PDF prints the acknowledgement number and date" "${text:0:300}" ;;
esac
pdftoppm -r 200 -f 1 -l 1 -png "$WORK/ei-2.pdf" "$WORK/page" 2>/dev/null
read_back=$(zbarimg --quiet --raw -Sdisable -Sqrcode.enable "$WORK"/page*.png 2>/dev/null)
check "zbarimg reads the PDF's QR code back as the signed QR code" "$read_back" "$qr"
q "SELECT encode(invoice.invoice_pdf('ei-3'), 'base64')" | base64 -d >"$WORK/ei-3.pdf"
pdftoppm -r 200 -f 1 -l 1 -png "$WORK/ei-3.pdf" "$WORK/plain" 2>/dev/null
check "an invoice without a recorded IRN has no QR code" "$(zbarimg --quiet --raw "$WORK"/plain*.png 2>/dev/null | wc -c)" "0"

# --- the GST treatment on the PDF (README "GST treatment") -------------------------------------

# pdf_text ID: the text of the invoice's PDF, as pdftotext reads it, on one line
pdf_text()
{
	q "SELECT encode(invoice.invoice_pdf('$1'), 'base64')" | base64 -d >"$WORK/$1.pdf"
	pdftotext "$WORK/$1.pdf" - 2>/dev/null | tr -s '[:space:]' ' '
}
text=$(pdf_text ei-mixed)
case $text in
	*"TAX INVOICE"*) ok "a registered recipient's invoice with exempt lines is a tax invoice" ;;
	*) not_ok "a registered recipient's invoice with exempt lines is a tax invoice" "${text:0:300}" ;;
esac
case $text in
	*"Managed hosting"*"18%"*"Exempt"*"Nil rated"*) ok "the tax column names the exempt and nil-rated lines" ;;
	*) not_ok "the tax column names the exempt and nil-rated lines" "${text:0:600}" ;;
esac
# a credit note of ei-mixed's exempt line and nil-rated line: its tax column names them too
q "SELECT set_config('invoice.test_clock', '2025-10-25 10:00:00+00', false);
   INSERT INTO invoice.credit_notes (org_id, credit_note_id, invoice_id, reason)
   VALUES ('ei-blr', 'ei-mixed-cn', 'ei-mixed', 'other');
   INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, line_id)
   SELECT org_id, 'ei-mixed-cn', line_id FROM invoice.line_items
    WHERE invoice_id = 'ei-mixed' AND gst_treatment IN ('exempt', 'nil_rated') ORDER BY line_id;
   SELECT invoice.credit_note_issue('ei-mixed-cn')" >/dev/null || bail "a credit note of ei-mixed's untaxed lines"
q "SELECT encode(invoice.credit_note_pdf('ei-mixed-cn'), 'base64')" | base64 -d >"$WORK/ei-mixed-cn.pdf"
text=$(pdftotext "$WORK/ei-mixed-cn.pdf" - 2>/dev/null | tr -s '[:space:]' ' ')
case $text in
	*"Training for a government body"*"Export promotion listing"*"Exempt"*"Nil rated"*)
		ok "a credit note's tax column names the exempt and nil-rated lines it credits" ;;
	*) not_ok "a credit note's tax column names the exempt and nil-rated lines it credits" "${text:0:600}" ;;
esac
text=$(pdf_text ei-exempt)
case $text in
	*"BILL OF SUPPLY"*) ok "an invoice of exempt lines only is titled bill of supply (rule 49)" ;;
	*) not_ok "an invoice of exempt lines only is titled bill of supply (rule 49)" "${text:0:300}" ;;
esac
text=$(pdf_text ei-b2c-mixed)
case $text in
	*"INVOICE-CUM-BILL OF SUPPLY"*"Non-GST"*) ok "taxable and non-GST lines to an unregistered recipient: invoice-cum-bill of supply (rule 46A)" ;;
	*) not_ok "taxable and non-GST lines to an unregistered recipient: invoice-cum-bill of supply (rule 46A)" "${text:0:300}" ;;
esac

echo "1..$n"
[ "$failed" -eq 0 ] || echo "# einvoice: $failed of $n checks failed"
exit $((failed > 0))
