-- The one clock and the test clock (issue #13, README "The clock").
--
--   - invoice.clock() is the transaction's start time (now()) while
--     invoice.test_clock is empty, and exactly the instant it names when set;
--   - the setting takes SET (session), SET LOCAL (transaction, undone with
--     its subtransaction) and refuses garbage, special values (now, today,
--     infinity, epoch) and out-of-range instants with 22007;
--   - only superusers may set it: an ordinary role gets 42501 from SET and
--     set_config alike, and its clock stays the session's;
--   - every date decision follows it: invoice and due dates, issued_at, the
--     financial year of a number on either side of 1 April, paid_at, the
--     receipt of a top-up and its number, the sweep's default as_of and its
--     reminder day, disputed_at, the credit-note date default and section
--     34's deadline, row timestamps written by default.
--
-- This file pins its dates with the test clock on purpose: it is the test of
-- the test clock.  All in one transaction, rolled back at the end.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;
SET LOCAL invoice.grace_period = '7d';
SET LOCAL invoice.reminder_interval_days = 7;
SELECT FROM invoice.new_invoice_id();   -- load the library: its settings are in force
\ir include/refused.sql

SELECT plan(47);

-- The clock itself -------------------------------------------------------------------------

SET LOCAL invoice.test_clock = '';
SELECT is(invoice.clock(), now(), 'with invoice.test_clock empty, clock() is now(), the transaction''s start');
SELECT is((SELECT boot_val FROM pg_settings WHERE name = 'invoice.test_clock'), '',
          'the test clock is off by default (boot value empty)');
SELECT is((SELECT context FROM pg_settings WHERE name = 'invoice.test_clock'), 'superuser',
          'invoice.test_clock is a superuser setting');
SELECT is((SELECT provolatile FROM pg_proc WHERE oid = 'invoice.clock()'::regprocedure), 's',
          'clock() is STABLE: one value per statement at least');

SET LOCAL invoice.test_clock = '2027-03-31 23:59:59+00';
SELECT is(invoice.clock(), '2027-03-31 23:59:59+00'::timestamptz, 'SET LOCAL invoice.test_clock: clock() reads it');
SELECT is(current_setting('invoice.test_clock'), '2027-03-31 23:59:59+00', 'SHOW gives the text as set');
SET LOCAL invoice.test_clock = '2028-02-29 12:00:00+05:30';
SELECT is(invoice.clock(), '2028-02-29 06:30:00+00'::timestamptz, 'an explicit offset is honoured (leap day)');
SET LOCAL TimeZone = 'Asia/Kolkata';
SET LOCAL invoice.test_clock = '2031-12-31 23:00:00';
SELECT is(invoice.clock(), '2031-12-31 17:30:00+00'::timestamptz,
          'a value without a zone is read in the session''s TimeZone when set');
SET LOCAL TimeZone = 'UTC';
SELECT is(invoice.clock(), '2031-12-31 17:30:00+00'::timestamptz, '... and stays that instant when TimeZone changes');

SAVEPOINT inner_clock;
SET LOCAL invoice.test_clock = '2030-01-01 00:00:00+00';
SELECT is(invoice.clock(), '2030-01-01 00:00:00+00'::timestamptz, 'SET LOCAL inside a subtransaction');
ROLLBACK TO SAVEPOINT inner_clock;
SELECT is(invoice.clock(), '2031-12-31 17:30:00+00'::timestamptz, '... is undone with it');

SELECT pg_temp.refused($$SET invoice.test_clock = 'garbage'$$, '22007', NULL, 'garbage -> 22007');
SELECT pg_temp.refused($$SET invoice.test_clock = 'now'$$, '22007', NULL, '''now'' (the real clock) -> 22007');
SELECT pg_temp.refused($$SET invoice.test_clock = 'today'$$, '22007', NULL, '''today'' -> 22007');
SELECT pg_temp.refused($$SET invoice.test_clock = 'tomorrow 10:00'$$, '22007', NULL, '''tomorrow 10:00'' -> 22007');
SELECT pg_temp.refused($$SET invoice.test_clock = 'infinity'$$, '22007', NULL, '''infinity'' -> 22007');
SELECT pg_temp.refused($$SET invoice.test_clock = 'epoch'$$, '22007', NULL, '''epoch'' -> 22007');
SELECT pg_temp.refused($$SET invoice.test_clock = '2027-02-30 00:00:00+00'$$, '22007', NULL,
                       'a date that does not exist (30 February) -> 22007');
SELECT pg_temp.refused($$SET invoice.test_clock = '300000-01-01 00:00:00+00'$$, '22007', NULL,
                       'an instant out of timestamptz range -> 22007');
SELECT pg_temp.refused($$SELECT set_config('invoice.test_clock', repeat('9', 200), true)$$, '22007', NULL,
                       'a 200-character value -> 22007');
SELECT is(invoice.clock(), '2031-12-31 17:30:00+00'::timestamptz, 'refused values left the clock as it was');

-- Only superusers ------------------------------------------------------------------------------

CREATE ROLE clock_tester NOLOGIN;
GRANT USAGE ON SCHEMA invoice TO clock_tester;
SET LOCAL invoice.test_clock = '2027-06-01 00:00:00+00';
SET LOCAL ROLE clock_tester;
SELECT pg_temp.refused($$SET invoice.test_clock = '2040-01-01 00:00:00+00'$$, '42501', NULL,
                       'an ordinary role: SET invoice.test_clock -> 42501');
SELECT pg_temp.refused($$SET LOCAL invoice.test_clock = ''$$, '42501', NULL,
                       'an ordinary role cannot turn it off either (SET LOCAL) -> 42501');
SELECT pg_temp.refused($$SELECT set_config('invoice.test_clock', '2040-01-01 00:00:00+00', false)$$, '42501', NULL,
                       'an ordinary role: set_config -> 42501');
SELECT pg_temp.refused($$RESET invoice.test_clock$$, '42501', NULL, 'an ordinary role: RESET -> 42501');
SELECT is(invoice.clock(), '2027-06-01 00:00:00+00'::timestamptz,
          'an ordinary role''s clock is its session''s (set by the superuser who opened it)');
RESET ROLE;

-- Issue on either side of the financial year ------------------------------------------------------

DELETE FROM invoice.number_series WHERE series IN ('CLK', 'RCT', 'CN');
INSERT INTO invoice.orgs (org_id, name, payment_terms_days) VALUES ('clk-org', 'Clock customer', 15);

CREATE FUNCTION pg_temp.draft(p_id text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end)
    VALUES ('clk-org', p_id, 'CLK', invoice.clock() - interval '1 month', invoice.clock());
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
    VALUES ('clk-org', p_id, 'compute', '100.00');
    RETURN p_id;
END
$$;

SET LOCAL invoice.test_clock = '2027-03-31 23:59:59+00';
SELECT FROM pg_temp.draft('clk-1');
SELECT is((SELECT created_at FROM invoice.invoices WHERE id = 'clk-1'), '2027-03-31 23:59:59+00'::timestamptz,
          'created_at defaults to the clock');
SELECT is((SELECT (number, invoice_date, due_date, issued_at)::text FROM invoice.invoice_issue('clk-1')),
          '(CLK/2627/000001,"2027-03-31 23:59:59+00","2027-04-15 23:59:59+00","2027-03-31 23:59:59+00")',
          '31 March 23:59:59: number of FY 2026-27; invoice date, issued_at = clock; due 15 days later');
SET LOCAL invoice.test_clock = '2027-04-01 00:00:00+00';
SELECT FROM pg_temp.draft('clk-2');
SELECT is((SELECT (number, invoice_date, due_date)::text FROM invoice.invoice_issue('clk-2')),
          '(CLK/2728/000001,"2027-04-01 00:00:00+00","2027-04-16 00:00:00+00")',
          '1 April 00:00:00: the first number of FY 2027-28');
SELECT is((SELECT changed_at FROM invoice.status_history WHERE invoice_id = 'clk-2' ORDER BY history_id DESC LIMIT 1),
          '2027-04-01 00:00:00+00'::timestamptz, 'the history row is stamped by the clock');

-- Pay, top up --------------------------------------------------------------------------------------

SET LOCAL invoice.test_clock = '2027-04-10 08:00:00+00';
SELECT is((SELECT paid_at FROM invoice.invoice_pay('clk-2', '100.00', 'upi', 'clk-upi-2')),
          '2027-04-10 08:00:00+00'::timestamptz, 'a payment is stamped by the clock');
SELECT is((SELECT (status, paid_at)::text FROM invoice.invoices WHERE id = 'clk-2'),
          '(paid,"2027-04-10 08:00:00+00")', 'the invoice''s paid_at too');
SELECT is((SELECT (number, received_at)::text FROM invoice.invoice_topup('clk-org', '10.00', 'card', 'clk-top-1')),
          '(RCT/2728/000001,"2027-04-10 08:00:00+00")', 'a top-up''s receipt: number and received_at by the clock');

-- The sweep: default as_of, reminders, grace ------------------------------------------------------

SELECT is((SELECT status::text FROM invoice.invoices WHERE id = 'clk-1'), 'pending', 'clk-1 (due 15 April) is pending');
SET LOCAL invoice.test_clock = '2027-04-15 23:59:59+00';
SELECT is(invoice.invoice_sweep_overdue(), 0, 'the sweep as of the clock, at its due instant: nothing moves');
SET LOCAL invoice.test_clock = '2027-04-16 00:00:00+00';
SELECT is(invoice.invoice_sweep_overdue(), 1, 'a second later it moves');
SELECT is((SELECT (kind, reminder_day, created_at)::text FROM invoice.reminders WHERE invoice_id = 'clk-1'),
          '(overdue,2027-04-16,"2027-04-16 00:00:00+00")', 'its reminder is of the clock''s day');
SELECT is((SELECT suspended_at FROM invoice.orgs WHERE org_id = 'clk-org'), NULL::timestamptz, 'not suspended yet');
SET LOCAL invoice.test_clock = '2027-04-30 00:00:00+00';
SELECT is(invoice.invoice_sweep_overdue(), 0, 'two weeks later the sweep moves nothing more ...');
SELECT is((SELECT suspended_at FROM invoice.orgs WHERE org_id = 'clk-org'), '2027-04-30 00:00:00+00'::timestamptz,
          '... but the grace period (7 days) ran out by the clock: suspended then');
SELECT is((SELECT count(*) FROM invoice.reminders WHERE invoice_id = 'clk-1' AND kind = 'repeat'), 1::bigint,
          'and a repeat reminder was queued');

-- Disputes and credit notes: the date default and section 34 ------------------------------------

DELETE FROM invoice.supplier;
INSERT INTO invoice.supplier (legal_name, address, gstin, state_code)
VALUES ('Clock test supplier', 'Bengaluru', '29AAACI1681G1ZL', '29');
INSERT INTO invoice.orgs (org_id, name, billing_state) VALUES ('clk-gst', 'GST customer', '29');
SET LOCAL invoice.test_clock = '2025-11-01 06:00:00+00';
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, currency, gst, tax_rate)
VALUES ('clk-gst', 'clk-g', 'CLK', '2025-10-01', '2025-11-01', 'INR', true, 18);
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac)
VALUES ('clk-gst', 'clk-g', 'hosting', '1000.00', '998315');
SELECT is((SELECT number FROM invoice.invoice_issue('clk-g')), 'CLK/2526/000001', 'a GST invoice of FY 2025-26');
SELECT is((SELECT disputed_at FROM invoice.invoice_dispute('clk-g', 'wrong plan')), '2025-11-01 06:00:00+00'::timestamptz,
          'disputed_at is the clock');

CREATE FUNCTION pg_temp.note(p_amount cents) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    id text;
BEGIN
    SELECT credit_note_id INTO id FROM invoice.credit_note_create('clk-g', 'other');
    INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount)
    VALUES ('clk-gst', id, 'part', p_amount);
    RETURN id;
END
$$;

SELECT pg_temp.note('10.00') AS late_note \gset
SET LOCAL invoice.test_clock = '2026-12-01 00:00:00+00';
SELECT pg_temp.refused(format($$SELECT invoice.credit_note_issue(%L)$$, :'late_note'), 'IV010', NULL,
                       'by the clock 1 December 2026 is past section 34''s deadline for FY 2025-26 -> IV010');
SET LOCAL invoice.test_clock = '2026-11-30 23:59:59+00';
SELECT is((SELECT (note_date, number, issued_at)::text FROM invoice.credit_note_issue(:'late_note')),
          '(2026-11-30,CN/2627/000001,"2026-11-30 23:59:59+00")',
          '30 November 2026, the last day: dated by the clock, numbered in its financial year');
SELECT is((SELECT dispute_closed_at FROM invoice.invoices WHERE id = 'clk-g'), '2026-11-30 23:59:59+00'::timestamptz,
          'the dispute it resolved closed at the clock');
SET LOCAL TimeZone = 'Asia/Kolkata';
SET LOCAL invoice.test_clock = '2026-11-30 19:00:00+00';
SELECT pg_temp.note('1.00') AS ist_note \gset
SELECT pg_temp.refused(format($$SELECT invoice.credit_note_issue(%L)$$, :'ist_note'), 'IV010', NULL,
                       'the note date is the clock''s date in the session''s TimeZone (1 December in India) -> IV010');
SET LOCAL TimeZone = 'UTC';

-- The worker and pg_cron read the same clock: test/shell/sweep_worker.sh.

SELECT * FROM finish();
ROLLBACK;
