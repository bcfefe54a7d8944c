-- test/shell/upgrade/0.1-sample.sql — what test/shell/upgrade/0.1-data.sql holds: the sample of
-- test/shell/dump_restore.sh as of release 0.1 (076e2c4), run on a 0.1 install with the 0.1 library
-- and invoice.test_clock = '2025-03-15 12:00:00+00', then dumped with pg_dump --data-only.
-- To make it again: build and install 076e2c4 (git archive 076e2c4), CREATE EXTENSION invoice,
-- run this file, pg_dump --data-only DB > 0.1-data.sql, and install the current tree again.

SET client_min_messages = warning;
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

-- and two drafts for January 2025, with lines and a credit
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, tax_rate)
VALUES ('org-xxxxxx', 'inv-x-draft', '2025-01-01', '2025-02-01', 18),
       ('org-yyyyyy', 'inv-y-draft', '2025-01-01', '2025-02-01', 12.5);
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
SELECT org_id, id, 'draft line ' || k, k, 1.005 FROM invoice.invoices, generate_series(1, 2) AS k WHERE status = 'draft';
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('org-xxxxxx', 'inv-x-draft', '0.50', 'DRAFTCREDIT');
