--
-- collections: an invoice going overdue, its reminder, the organisation
-- suspended past its grace period and restored by the payment; then a prepaid
-- top-up, its receipt, the balance applied when an invoice is issued, and an
-- auto-pay request for what is left.  A tutorial.
--
-- The sweep, invoice.invoice_sweep_overdue(as_of), is what a scheduler (the
-- background worker, or pg_cron) runs every few minutes with as_of = invoice.clock();
-- here it is called with fixed instants, so that the story plays out the same
-- on every run.
--
-- The extension is already loaded (pg_regress --load-extension=invoice).
SET search_path = invoice, public;
-- Timestamps print in UTC, whatever the server's default.
SET TimeZone = 'UTC';
-- Start from empty tables (other tests share this database), with identity
-- columns restarted so that ids print alike on every run.  (Quietly: CASCADE
-- names every table it reaches.)
SET client_min_messages = warning;
TRUNCATE invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits,
         invoice.payments, invoice.status_history, invoice.number_series,
         invoice.reminders, invoice.receipts, invoice.advance_ledger, invoice.payment_requests
         RESTART IDENTITY CASCADE;
-- The extension's settings are defined when its library is loaded, which
-- happens at the first call of one of its functions; load it now.
LOAD 'invoice';
-- The settings of this tutorial (their defaults, spelled out): an invoice may
-- stay overdue for 7 days before the organisation is suspended, unless the
-- organisation has its own grace period; a repeat reminder every 7 days.
SET invoice.grace_period = '7d';
SET invoice.reminder_interval_days = 7;
SHOW invoice.grace_period;

--
-- Part 1. Collections.
--
-- 1. Acme has a grace period of its own: 3 days.  Its February invoice is due
--    on 2024-03-15.
--
INSERT INTO invoice.orgs (org_id, name, billing_email, grace_period)
VALUES ('org-acme', 'Acme Ltd', 'billing@acme.example', '3 days');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date, description)
VALUES ('org-acme', 'inv-acme-feb', '2024-02-01 00:00 UTC', '2024-03-01 00:00 UTC',
        '2024-03-01 00:00 UTC', '2024-03-15 00:00 UTC', 'February 2024');
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
VALUES ('org-acme', 'inv-acme-feb', 'GPU hours', 100, 2.50);
SELECT number, status, total, due_date FROM invoice.invoice_issue('inv-acme-feb');

--
-- 2. The sweep at the due instant itself: the due date has not passed yet
--    (it must be strictly before as_of), so nothing moves.
--
SELECT invoice.invoice_sweep_overdue('2024-03-15 00:00 UTC') AS moved;
SELECT id, status FROM invoice.invoices;

--
-- 3. The next morning's sweep moves it to overdue, through the same life-cycle
--    trigger as any other change: a history row, and a reminder in the outbox.
--    The sweep returns how many invoices it moved.
--
SELECT invoice.invoice_sweep_overdue('2024-03-16 09:00 UTC') AS moved;
SELECT id, status, status_reason FROM invoice.invoices;
SELECT from_status, to_status, reason FROM invoice.status_history
 WHERE invoice_id = 'inv-acme-feb' ORDER BY history_id;

--
-- 4. The reminder: kind 'overdue', dated the sweep's day (UTC), not yet sent.
--    The sweep also sent NOTIFY invoice_reminders with the reminder's id as
--    payload, delivered when its transaction committed: an emailer LISTENs on
--    that channel, sends the email and marks the row sent.  (psql prints a
--    notification with the sender's process id, which differs on every run,
--    so the isolation specs sweep_vs_pay and sweep_vs_sweep show the
--    notifications instead.)
--
SELECT reminder_id, invoice_id, kind, reminder_day, sent_at FROM invoice.reminders;
UPDATE invoice.reminders SET sent_at = '2024-03-16 09:01 UTC' WHERE sent_at IS NULL
RETURNING reminder_id, invoice_id, sent_at;

--
-- 5. Running the sweep again changes nothing: no invoice moves, no history
--    row and no reminder is added.
--
SELECT invoice.invoice_sweep_overdue('2024-03-16 09:05 UTC') AS moved;
SELECT count(*) AS history_rows FROM invoice.status_history;
SELECT count(*) AS reminders FROM invoice.reminders;

--
-- 6. Grace.  Acme may be 3 days late: at exactly due date + 3 days it is not
--    suspended yet; the sweep an hour later suspends it, since the sweep's
--    as_of.  orgs.suspended_at is what the product gates service on.
--
SELECT invoice.invoice_sweep_overdue('2024-03-18 00:00 UTC') AS moved;
SELECT org_id, suspended_at FROM invoice.orgs;
SELECT invoice.invoice_sweep_overdue('2024-03-18 01:00 UTC') AS moved;
SELECT org_id, suspended_at FROM invoice.orgs;

--
-- 7. A week after the first reminder, still unpaid: a repeat reminder.  Later
--    sweeps leave suspended_at as it was.
--
SELECT invoice.invoice_sweep_overdue('2024-03-23 09:00 UTC') AS moved;
SELECT reminder_id, kind, reminder_day, sent_at FROM invoice.reminders ORDER BY reminder_id;
SELECT org_id, suspended_at FROM invoice.orgs;

--
-- 8. Acme pays.  The invoice is paid, and the organisation is restored by the
--    same transaction: no overdue invoice past grace is left.
--
BEGIN;
SELECT amount, method, provider_ref FROM invoice.invoice_pay('inv-acme-feb', '250.00', 'upi', 'upi-acme-0001');
SELECT i.status, i.amount_due, o.suspended_at
  FROM invoice.invoices i JOIN invoice.orgs o USING (org_id) WHERE i.id = 'inv-acme-feb';
COMMIT;
SELECT from_status, to_status, reason FROM invoice.status_history
 WHERE invoice_id = 'inv-acme-feb' ORDER BY history_id;

--
-- 9. Paid invoices get no more reminders, and nobody can make an invoice
--    overdue before its due date: not by an UPDATE (IV001) ...
--
SELECT invoice.invoice_sweep_overdue('2024-04-30 00:00 UTC') AS moved;
SELECT count(*) AS reminders FROM invoice.reminders;
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date)
VALUES ('org-acme', 'inv-acme-mar', '2024-03-01 00:00 UTC', '2024-04-01 00:00 UTC',
        '2024-04-01 00:00 UTC', invoice.clock() + interval '30 days');
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
VALUES ('org-acme', 'inv-acme-mar', 'GPU hours', 10, 2.50);
SELECT status FROM invoice.invoice_issue('inv-acme-mar');
UPDATE invoice.invoices SET status = 'overdue' WHERE id = 'inv-acme-mar';
--    ... nor by a setting: the life cycle compares due dates with invoice.clock(), or
--    with the as_of of the sweep that is running; the invoice. prefix of
--    settings is reserved.
SET invoice.as_of = '2030-01-01';

--
-- Part 2. Prepaid balances.
--
-- 10. A startup pays in advance and has opted in to auto-pay.  It tops up its
--     wallet: a receipt, numbered in its own series RCT by financial year
--     (printed here as YYyy: it is the financial year of the top-up, that is
--     of the day this runs), and an entry in the append-only ledger, whose
--     sum is the balance.
--
INSERT INTO invoice.orgs (org_id, name, autopay) VALUES ('org-wallet', 'Wallet Startup', true);
SELECT regexp_replace(number, '/[0-9]{4}/', '/YYyy/') AS number, amount, method, provider_ref
  FROM invoice.invoice_topup('org-wallet', '30.00', 'wallet', 'wal-0001');
SELECT advance_balance FROM invoice.orgs WHERE org_id = 'org-wallet';
SELECT entry_id, kind, amount, receipt_id, invoice_id FROM invoice.advance_ledger ORDER BY entry_id;

-- A retry of the same top-up (same provider reference and amount) returns the
-- same receipt and adds nothing; the same reference for another amount is
-- refused (IV004).
SELECT receipt_id, regexp_replace(number, '/[0-9]{4}/', '/YYyy/') AS number, amount
  FROM invoice.invoice_topup('org-wallet', '30.00', 'wallet', 'wal-0001');
SELECT advance_balance FROM invoice.orgs WHERE org_id = 'org-wallet';
SELECT receipt_id FROM invoice.invoice_topup('org-wallet', '35.00', 'wallet', 'wal-0001');

--
-- 11. Its March invoice: 100.00 of storage, a 10.00 coupon.  When it is
--     issued, credits come first (90.00 left), then the advance balance pays
--     what it can (30.00), and the card the rest (60.00): since the
--     organisation has auto-pay, a charge request for exactly 60.00 goes to
--     the payment gateway's outbox.  Nothing in the database calls out.
--
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date)
VALUES ('org-wallet', 'inv-wallet-mar', '2024-03-01 00:00 UTC', '2024-04-01 00:00 UTC',
        '2024-04-01 00:00 UTC', '2024-04-15 00:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
VALUES ('org-wallet', 'inv-wallet-mar', 'Object storage GB-month', 1000, 0.10);
INSERT INTO invoice.credits (org_id, invoice_id, amount, code)
VALUES ('org-wallet', 'inv-wallet-mar', '10.00', 'WELCOME10');
SELECT status, total, advance_pay_amount, amount_due FROM invoice.invoice_issue('inv-wallet-mar');
SELECT advance_balance FROM invoice.orgs WHERE org_id = 'org-wallet';
SELECT entry_id, kind, amount, receipt_id, invoice_id FROM invoice.advance_ledger ORDER BY entry_id;
SELECT request_id, invoice_id, amount, processed_at FROM invoice.payment_requests;

-- The stored amounts are what invoice_compute derives: it reads the ledger.
SELECT total, advance_pay_amount, amount_due FROM invoice.invoice_compute('inv-wallet-mar');
-- Part of the invoice is paid (by the balance): it can no longer be cancelled
-- (IV001), only corrected by a credit note.
SELECT status FROM invoice.invoice_cancel('inv-wallet-mar', 'changed our mind');

--
-- 12. The gateway charges the card and records the result with invoice_pay,
--     then marks its request processed.
--
SELECT amount, method FROM invoice.invoice_pay('inv-wallet-mar', '60.00', 'card', 'ch_wallet_0001');
UPDATE invoice.payment_requests SET processed_at = '2024-04-01 00:05 UTC' WHERE invoice_id = 'inv-wallet-mar'
RETURNING request_id, processed_at;
SELECT status, already_billed_amount, advance_pay_amount, amount_due FROM invoice.invoices
 WHERE id = 'inv-wallet-mar';

--
-- 13. A larger top-up covers the April invoice entirely: it is paid at issue
--     (draft -> pending -> paid), only the amount due is taken from the
--     balance, and there is nothing to charge.
--
SELECT regexp_replace(number, '/[0-9]{4}/', '/YYyy/') AS number, amount
  FROM invoice.invoice_topup('org-wallet', '200.00', 'bank_transfer', 'neft-0001');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date)
VALUES ('org-wallet', 'inv-wallet-apr', '2024-04-01 00:00 UTC', '2024-05-01 00:00 UTC',
        '2024-05-01 00:00 UTC', '2024-05-15 00:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
VALUES ('org-wallet', 'inv-wallet-apr', 'Object storage GB-month', 1200, 0.10);
SELECT status, total, advance_pay_amount, amount_due FROM invoice.invoice_issue('inv-wallet-apr');
SELECT from_status, to_status, reason FROM invoice.status_history
 WHERE invoice_id = 'inv-wallet-apr' ORDER BY history_id;
SELECT advance_balance FROM invoice.orgs WHERE org_id = 'org-wallet';
SELECT count(*) AS payment_requests FROM invoice.payment_requests;

--
-- 14. The balance is the ledger's: it never goes negative (IV008), the ledger
--     is append-only (IV002), and the balance is never written directly
--     (IV006).
--
INSERT INTO invoice.advance_ledger (org_id, kind, amount) VALUES ('org-wallet', 'reversal', '-200.00');
DELETE FROM invoice.advance_ledger WHERE org_id = 'org-wallet';
UPDATE invoice.orgs SET advance_balance = '1000.00' WHERE org_id = 'org-wallet';
SELECT o.advance_balance, sum(l.amount) AS ledger_sum
  FROM invoice.orgs o JOIN invoice.advance_ledger l USING (org_id)
 WHERE o.org_id = 'org-wallet' GROUP BY o.advance_balance;

-- Clean up: later tests in this database start from empty tables.
TRUNCATE invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits,
         invoice.payments, invoice.status_history, invoice.number_series,
         invoice.reminders, invoice.receipts, invoice.advance_ledger, invoice.payment_requests
         RESTART IDENTITY CASCADE;
RESET invoice.grace_period;
RESET invoice.reminder_interval_days;
