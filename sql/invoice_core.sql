--
-- invoice_core: the seed's example invoice, end to end, as a tutorial.
--
-- An organisation is billed for January 2024: three line items worth 524.00,
-- a 124.00 credit, 12.5 % tax.  We watch invoice.invoice_compute derive the
-- amounts, invoice.invoice_issue give the invoice its number and freeze it,
-- and invoice.invoice_pay settle it in two payments (one of them retried).
-- Every status change leaves a row in invoice.status_history.
--
-- The extension is already loaded (pg_regress --load-extension=invoice).
SET search_path = invoice, public;
-- Timestamps print in UTC, whatever the server's default.
SET TimeZone = 'UTC';
-- Start from empty invoice tables (other tests share this database), with the
-- identity columns restarted so that line, payment and history ids print alike
-- on every run.  (Quietly: CASCADE names every table it reaches.)
SET client_min_messages = warning;
TRUNCATE invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits,
         invoice.payments, invoice.status_history, invoice.number_series
         RESTART IDENTITY CASCADE;

--
-- 1. The customer organisation.
--
INSERT INTO invoice.orgs (org_id, name, billing_email)
VALUES ('org-xxxxxx', 'Example Org', 'billing@example.com');

--
-- 2. A draft invoice for January 2024 (the period is half-open: from
--    2024-01-01 up to 2024-02-01, UTC), dated and due on 2024-02-01, in USD,
--    taxed at 12.5 %.  New invoices are always drafts: no number yet, and
--    all derived amounts zero.
--
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date,
                              currency, tax_rate, description)
VALUES ('org-xxxxxx', 'inv-12312io23810o291', '2024-01-01 00:00 UTC', '2024-02-01 00:00 UTC',
        '2024-02-01 00:00 UTC', '2024-02-01 00:00 UTC', 'USD', 12.5, 'January 2024');

SELECT id, number, status, usage_amount, total, amount_due
  FROM invoice.invoices WHERE id = 'inv-12312io23810o291';

--
-- 3. Line items.  A line given units and a rate gets amount = units × rate,
--    rounded half away from zero to cents; a line may instead state its
--    amount outright (the support fee below).
--      720 h × 0.50     = 360.00
--      100 GB × 1.24    = 124.00
--      support (fixed)  =  40.00
--                         ------
--      usage              524.00
--
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, product_name, usage_type)
VALUES ('org-xxxxxx', 'inv-12312io23810o291', 'Compute instance hours', 720, 0.50, 'Compute', 'instance-hours'),
       ('org-xxxxxx', 'inv-12312io23810o291', 'Block storage GB-month', 100, 1.24, 'Storage', 'gb-month');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, product_name)
VALUES ('org-xxxxxx', 'inv-12312io23810o291', 'Premium support', '40.00', 'Support');

SELECT line_id, description, units, rate, amount
  FROM invoice.line_items WHERE invoice_id = 'inv-12312io23810o291' ORDER BY line_id;

--
-- 4. A 124.00 credit (a coupon).  Credits reduce the taxable subtotal.
--
INSERT INTO invoice.credits (org_id, invoice_id, amount, code, description)
VALUES ('org-xxxxxx', 'inv-12312io23810o291', '124.00', 'WELCOME124', 'welcome credit');

--
-- 5. The amounts are derived, and kept current by triggers after every
--    statement on lines, credits and payments:
--      usage 524.00 − credits 124.00 = subtotal 400.00
--      tax 12.5 % of 400.00          = 50.00
--      total                         = 450.00, nothing paid: amount due 450.00
--
SELECT usage_amount, credits_applied, subtotal, tax, total, already_billed_amount,
       advance_pay_amount, amount_due
  FROM invoice.invoices WHERE id = 'inv-12312io23810o291';

-- The same amounts as integer cents, as the List/Describe JSON shapes carry them.
SELECT usage_amount::bigint AS "usageAmount", credits_applied::bigint AS "creditsApplied",
       subtotal::bigint AS subtotal, tax::bigint AS tax, total::bigint AS total,
       amount_due::bigint AS "amountDue"
  FROM invoice.invoices WHERE id = 'inv-12312io23810o291';

--
-- 6. invoice_compute recomputes and stores the amounts of one invoice and
--    returns the invoice row.  Here it finds them already correct.
--
SELECT id, status, usage_amount, credits_applied, subtotal, tax, total, amount_due
  FROM invoice.invoice_compute('inv-12312io23810o291');

-- Derived amounts cannot be written by hand, even on a draft (IV006).
UPDATE invoice.invoices SET total = '1.00' WHERE id = 'inv-12312io23810o291';

--
-- 7. Issue: draft → pending.  The invoice gets the next number of series INV
--    in its financial year (1 April – 31 March: 2024-02-01 falls in 2023-24,
--    hence "2324"), and its lines, credits, dates and amounts are frozen.
--
SELECT id, number, status, status_reason, total, amount_due, issued_at IS NOT NULL AS issued
  FROM invoice.invoice_issue('inv-12312io23810o291');

-- A frozen invoice refuses new line items (IV002)...
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
VALUES ('org-xxxxxx', 'inv-12312io23810o291', 'late addition', '1.00');
-- ...and edits of its period.
UPDATE invoice.invoices SET period_end = '2024-03-01 00:00 UTC' WHERE id = 'inv-12312io23810o291';

--
-- 8. A partial payment of 200.00 by card.  provider_ref is the payment
--    provider's id for it; the invoice stays pending with 250.00 due.
--
SELECT payment_id, invoice_id, amount, method, provider_ref
  FROM invoice.invoice_pay('inv-12312io23810o291', '200.00', 'card', 'ch_3OabcSeed0001');

SELECT status, already_billed_amount, amount_due
  FROM invoice.invoices WHERE id = 'inv-12312io23810o291';

--
-- 9. The provider's webhook is delivered twice: the retry with the same
--    provider_ref and amount returns the first payment (same payment_id) and
--    changes nothing.
--
SELECT payment_id, invoice_id, amount, method, provider_ref
  FROM invoice.invoice_pay('inv-12312io23810o291', '200.00', 'card', 'ch_3OabcSeed0001');

SELECT count(*) AS payments, sum(amount) AS paid
  FROM invoice.payments WHERE invoice_id = 'inv-12312io23810o291';
SELECT status, already_billed_amount, amount_due
  FROM invoice.invoices WHERE id = 'inv-12312io23810o291';

-- Paying more than is due is refused (IV003).
SELECT * FROM invoice.invoice_pay('inv-12312io23810o291', '250.01', 'upi', 'upi-seed-0002');

--
-- 10. The remaining 250.00 by UPI: nothing is left due, and the invoice
--     becomes paid in the same statement.
--
SELECT payment_id, invoice_id, amount, method, provider_ref
  FROM invoice.invoice_pay('inv-12312io23810o291', '250.00', 'upi', 'upi-seed-0002');

SELECT number, status, status_reason, total, already_billed_amount, amount_due,
       paid_at IS NOT NULL AS has_paid_at
  FROM invoice.invoices WHERE id = 'inv-12312io23810o291';

-- Paid is terminal: no more payments (IV005), no cancellation (IV001).
SELECT * FROM invoice.invoice_pay('inv-12312io23810o291', '1.00', 'card', 'ch_3OabcSeed0003');
SELECT id FROM invoice.invoice_cancel('inv-12312io23810o291', 'changed my mind');

--
-- 11. The status history: one row per change, from creation to paid, each
--     recorded with the role that made it.
--
SELECT history_id, from_status, to_status, reason, changed_by = current_user AS by_current_user
  FROM invoice.status_history WHERE invoice_id = 'inv-12312io23810o291' ORDER BY history_id;

-- Clean up: later tests in this database start from empty invoice tables.
TRUNCATE invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits,
         invoice.payments, invoice.status_history, invoice.number_series
         RESTART IDENTITY CASCADE;
