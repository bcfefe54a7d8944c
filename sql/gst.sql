--
-- gst: two GST tax invoices end to end, as a finance analyst checks them.
--
-- The supplier is registered in Karnataka (state code 29).  It bills a
-- customer in Bengaluru (place of supply 29, the supplier's own state: CGST
-- and SGST at half the rate each) and a customer in Mumbai (place of supply
-- 27, another state: IGST at the full rate) for October 2025, after the GST
-- reform of 22 September 2025.  Each invoice has an 18 % service, a 5 %
-- service and a welcome credit; we read the tax breakdown line by line and
-- per rate, issue both (numbers of the GST series), then correct the Mumbai
-- invoice with a credit note.
--
-- The extension is already loaded (pg_regress --load-extension=invoice).
SET search_path = invoice, public;
-- Timestamps print in UTC and ISO 8601, whatever the server's defaults.
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
-- Start from empty tables (other tests share this database), with identity
-- columns restarted so that ids print alike on every run.  (Quietly: CASCADE
-- names every table it reaches.)
SET client_min_messages = warning;
TRUNCATE invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits,
         invoice.payments, invoice.status_history, invoice.number_series,
         invoice.credit_notes, invoice.credit_note_lines, invoice.advance_ledger,
         invoice.reminders
         RESTART IDENTITY CASCADE;
DELETE FROM invoice.supplier;

--
-- 1. The supplier's registration: one row, printed on every invoice.  Its
--    state code is the one of its GSTIN.
--
INSERT INTO invoice.supplier (legal_name, address, email, gstin, state_code)
VALUES ('Nimbus Cloud Services Private Limited',
        '4th Floor, 80 Feet Road, Koramangala, Bengaluru 560034, Karnataka',
        'billing@nimbus.example', '29AAACI1681G1ZL', '29');
SELECT legal_name, gstin, state_code FROM invoice.supplier;
-- A supplier whose state does not match its GSTIN's is refused [23514]:
UPDATE invoice.supplier SET state_code = '27';

--
-- 2. Two customers.  Bengaluru Retail is not GST-registered but gives its
--    billing state; Mumbai Traders gives its GSTIN (whose first two digits
--    are its state) and its billing state.
--
INSERT INTO invoice.orgs (org_id, name, billing_address, gstin, billing_state) VALUES
    ('blr-retail', 'Bengaluru Retail Private Limited',
     '12 Residency Road, Bengaluru 560025, Karnataka', NULL, '29'),
    ('mum-traders', 'Mumbai Traders LLP',
     '7 Nariman Point, Mumbai 400021, Maharashtra', '27AAPFU0939F1ZV', '27');
-- The place of supply decides the split: true is CGST + SGST, false is IGST.
SELECT o.org_id, o.gstin, o.billing_state,
       gst_intra_state(true, o.billing_state, o.gstin, s.state_code) AS intra_state
  FROM invoice.orgs o CROSS JOIN invoice.supplier s ORDER BY o.org_id;
-- A GSTIN with a wrong check character is refused, naming the part [22P02]:
UPDATE invoice.orgs SET gstin = '27AAPFU0939F1ZX' WHERE org_id = 'mum-traders';

--
-- 3. The intra-state invoice, a draft: GST (INR), 18 % unless a line says
--    otherwise, each line with its HSN/SAC code, and a welcome credit.
--
INSERT INTO invoice.invoices (org_id, id, series, description, period_start, period_end,
                              invoice_date, currency, gst, tax_rate)
VALUES ('blr-retail', 'inv-gst-blr', 'GST', 'Cloud services, October 2025',
        '2025-10-01 00:00 UTC', '2025-11-01 00:00 UTC', '2025-11-01 00:00 UTC', 'INR', true, 18);
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, tax_rate, hsn_sac) VALUES
    ('blr-retail', 'inv-gst-blr', 'Cloud hosting (vCPU-hours)',       7450,  1.35, NULL, '998315'),
    ('blr-retail', 'inv-gst-blr', 'Managed database support (hours)', 12.5, 840.20, NULL, '998316'),
    ('blr-retail', 'inv-gst-blr', 'Onboarding workshop catering',     24,   275.00,    5, '996337');
INSERT INTO invoice.credits (org_id, invoice_id, amount, code, description)
VALUES ('blr-retail', 'inv-gst-blr', '1000.00', 'WELCOME1000', 'welcome credit');
SELECT line_id, description, hsn_sac, units, rate, amount, coalesce(tax_rate, 18) AS tax_rate
  FROM invoice.line_items WHERE invoice_id = 'inv-gst-blr' ORDER BY line_id;

-- The breakdown line by line: the credit is spread over the lines pro rata
-- (taxable value), then each tax head is rounded half away from zero.
SELECT * FROM invoice.invoice_tax_lines('inv-gst-blr');
-- The same per rate, as the invoice prints it:
SELECT * FROM invoice.invoice_tax_summary('inv-gst-blr');
-- The invoice's amounts: subtotal = the taxable values, tax = the heads, to the paisa.
SELECT usage_amount, credits_applied, subtotal, tax, total, amount_due
  FROM invoice.invoices WHERE id = 'inv-gst-blr';
SELECT sum(taxable_value) AS taxable, sum(cgst) AS cgst, sum(sgst) AS sgst, sum(igst) AS igst,
       sum(cgst) + sum(sgst) + sum(igst) AS heads, sum(tax) AS tax
  FROM invoice.invoice_tax_lines('inv-gst-blr');

--
-- 4. The inter-state invoice: the same services for Mumbai Traders.
--
INSERT INTO invoice.invoices (org_id, id, series, description, period_start, period_end,
                              invoice_date, currency, gst, tax_rate)
VALUES ('mum-traders', 'inv-gst-mum', 'GST', 'Cloud services, October 2025',
        '2025-10-01 00:00 UTC', '2025-11-01 00:00 UTC', '2025-11-01 00:00 UTC', 'INR', true, 18);
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, tax_rate, hsn_sac) VALUES
    ('mum-traders', 'inv-gst-mum', 'Cloud hosting (vCPU-hours)',       7450,  1.35, NULL, '998315'),
    ('mum-traders', 'inv-gst-mum', 'Managed database support (hours)', 12.5, 840.20, NULL, '998316'),
    ('mum-traders', 'inv-gst-mum', 'Onboarding workshop catering',     24,   275.00,    5, '996337');
INSERT INTO invoice.credits (org_id, invoice_id, amount, code, description)
VALUES ('mum-traders', 'inv-gst-mum', '1000.00', 'WELCOME1000', 'welcome credit');
SELECT * FROM invoice.invoice_tax_lines('inv-gst-mum');
SELECT * FROM invoice.invoice_tax_summary('inv-gst-mum');
SELECT usage_amount, credits_applied, subtotal, tax, total, amount_due
  FROM invoice.invoices WHERE id = 'inv-gst-mum';

-- Side by side: the same taxable values, split differently.  Each head is
-- rounded on its own, so CGST + SGST may differ from IGST by a paisa either
-- way; on the catering line half the rate lands on exactly half a paisa
-- (6357.00 x 2.5 % = 158.925), both halves round up to 158.93, and the
-- intra-state tax is 317.86 where the IGST is 317.85.
SELECT b.line_id AS blr_line, b.taxable_value, b.rate, b.cgst + b.sgst AS cgst_plus_sgst,
       m.igst, (b.cgst + b.sgst) - m.igst AS difference
  FROM invoice.invoice_tax_lines('inv-gst-blr') b
  JOIN invoice.invoice_tax_lines('inv-gst-mum') m ON m.line_id = b.line_id + 3
 ORDER BY b.line_id;

--
-- 5. Issue both: a number of the GST series for the financial year 2025-26,
--    the due date 30 days on.  Issue checks the supplier's GSTIN, an HSN/SAC
--    code on every line and that every rate is in force on the invoice date.
--
SELECT id, number, status, invoice_date, due_date, total, amount_due
  FROM invoice.invoice_issue('inv-gst-blr');
SELECT id, number, status, invoice_date, due_date, total, amount_due
  FROM invoice.invoice_issue('inv-gst-mum');
-- Issued invoices are frozen: the reverse-charge flag cannot change [IV002] ...
UPDATE invoice.invoices SET reverse_charge = true WHERE id = 'inv-gst-mum';
-- ... nor their lines [IV002].
UPDATE invoice.line_items SET hsn_sac = '9983' WHERE invoice_id = 'inv-gst-mum';

-- A third draft shows what issue refuses [IV009]: a 12 % line dated after
-- the reform retired that rate, and a line without an HSN/SAC code.
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, currency, gst, tax_rate)
VALUES ('mum-traders', 'inv-gst-bad', 'GST', '2025-10-01 00:00 UTC', '2025-11-01 00:00 UTC',
        '2025-11-01 00:00 UTC', 'INR', true, 12);
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac)
VALUES ('mum-traders', 'inv-gst-bad', 'Cloud hosting', '100.00', '998315');
SELECT number FROM invoice.invoice_issue('inv-gst-bad');
UPDATE invoice.invoices SET tax_rate = 18 WHERE id = 'inv-gst-bad';
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
VALUES ('mum-traders', 'inv-gst-bad', 'Consulting', '100.00');
SELECT number FROM invoice.invoice_issue('inv-gst-bad');
DELETE FROM invoice.invoices WHERE id = 'inv-gst-bad';

--
-- 6. Mumbai Traders were billed ten support hours that were never
--    rendered: a credit note, at the invoice's rate, split the same way
--    (IGST), numbered in the CN series by the note's date.
--
SELECT credit_note_id AS cn FROM invoice.credit_note_create('inv-gst-mum', 'service_not_rendered',
       'Ten support hours billed in October were not rendered') \gset
INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount, hsn_sac)
VALUES ('mum-traders', :'cn', 'Managed database support: 10 hours at 840.20', '8402.00', '998316');
-- A note bears the date of its issue, the extension's clock: stopped on 20 November.
SET invoice.test_clock = '2025-11-20 12:00:00+00';
SELECT number, status, reason, note_date, taxable_value, cgst, sgst, igst, tax, total, to_balance
  FROM invoice.credit_note_issue(:'cn');
SELECT line_no, description, hsn_sac, amount, tax_rate, cgst, sgst, igst, tax
  FROM invoice.credit_note_lines WHERE credit_note_id = :'cn';
-- The invoice keeps its total; what it owes drops by the credit note.
SELECT number, status, total, credited_amount, amount_due
  FROM invoice.invoices WHERE id = 'inv-gst-mum';
-- Its lines are now frozen [IV002].  (The errors about credit notes name
-- their random ids, so only the SQLSTATE is shown.)
\set VERBOSITY sqlstate
DELETE FROM invoice.credit_note_lines WHERE credit_note_id = :'cn';
-- A second note can credit at most what remains creditable [IV010]:
SELECT credit_note_id AS cn2 FROM invoice.credit_note_create('inv-gst-mum', 'other', 'everything again') \gset
INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount)
SELECT 'mum-traders', :'cn2', 'the whole invoice', subtotal FROM invoice.invoices WHERE id = 'inv-gst-mum';
SELECT number FROM invoice.credit_note_issue(:'cn2');
-- and it cannot be backdated [22023]:
SELECT number FROM invoice.credit_note_issue(:'cn2', '2025-11-19');
\set VERBOSITY default
RESET invoice.test_clock;

-- Mumbai Traders pay the rest: the invoice is paid.
SELECT amount, method FROM invoice.invoice_pay('inv-gst-mum',
       (SELECT amount_due FROM invoice.invoices WHERE id = 'inv-gst-mum'), 'netbanking', 'utr-2025-11-25-0001');
SELECT number, status, total, already_billed_amount, credited_amount, amount_due
  FROM invoice.invoices WHERE id = 'inv-gst-mum';

-- Clean up: later tests in this database start from empty tables.
TRUNCATE invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits,
         invoice.payments, invoice.status_history, invoice.number_series,
         invoice.credit_notes, invoice.credit_note_lines, invoice.advance_ledger,
         invoice.reminders
         RESTART IDENTITY CASCADE;
DELETE FROM invoice.supplier;
