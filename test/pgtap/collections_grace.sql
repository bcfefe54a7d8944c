-- collections: grace period, suspension and restoration (issue #5, README
-- "Collections").
--
-- An organisation is suspended (orgs.suspended_at = the sweep's as_of) only
-- once one of its invoices is overdue past the grace period: due_date + grace
-- < as_of, strictly (exactly at the edge: not yet; 1 µs later: suspended).
-- The organisation's own grace_period overrides the invoice.grace_period
-- setting.  A later sweep never moves suspended_at.  The statement that
-- leaves the organisation without any invoice overdue past grace (paying the
-- last one, cancelling it, moving its due date into the future) clears
-- suspended_at in the same transaction; paying one of two keeps it suspended.
--
-- The sweep acts on every organisation in the database, so the file starts
-- from empty tables (TRUNCATE inside its transaction, rolled back at the end).
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;
SELECT FROM invoice.new_invoice_id();   -- load the library: its settings are in force

SELECT plan(58);

TRUNCATE invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits, invoice.payments,
         invoice.status_history, invoice.number_series, invoice.reminders CASCADE;
SET LOCAL invoice.reminder_interval_days = 0;
SET LOCAL invoice.sweep_batch_size = 10000;

-- Fixtures ---------------------------------------------------------------------
-- pg_temp.issued(org, id, due[, amount]): an invoice (series CGR) for January
-- 2024, dated 2024-02-01, one line of amount, issued.

CREATE FUNCTION pg_temp.issued(p_org text, p_id text, p_due timestamptz, p_amount cents DEFAULT '100.00')
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, due_date)
    VALUES (p_org, p_id, 'CGR', '2024-01-01 00:00 UTC', '2024-02-01 00:00 UTC', '2024-02-01 00:00 UTC', p_due);
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
    VALUES (p_org, p_id, 'service', p_amount);
    PERFORM invoice.invoice_issue(p_id);
    RETURN p_id;
END $$;

CREATE FUNCTION pg_temp.susp(p_org text) RETURNS timestamptz LANGUAGE sql AS $$
    SELECT suspended_at FROM invoice.orgs WHERE org_id = p_org
$$;

CREATE FUNCTION pg_temp.st(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT status::text FROM invoice.invoices WHERE id = p_id
$$;

-- The setting ------------------------------------------------------------------

SET LOCAL invoice.grace_period = '3d';
SELECT is(current_setting('invoice.grace_period'), '3d', 'SET invoice.grace_period = ''3d''');
SET LOCAL invoice.grace_period = '72h';
SELECT is(current_setting('invoice.grace_period'), '3d', '''72h'' is the same setting (minutes unit)');
SELECT throws_ok($$SET LOCAL invoice.grace_period = '-1d'$$, '22023', NULL, 'a negative grace period is refused');

-- Default grace (the setting, 3 days) --------------------------------------------
-- cg-a is due D = 2024-03-01 00:00 UTC.

INSERT INTO invoice.orgs (org_id, name) VALUES ('cg-a', 'Default grace');
SELECT FROM pg_temp.issued('cg-a', 'cg-a1', '2024-03-01 00:00 UTC');

SELECT is(invoice.invoice_sweep_overdue('2024-03-01 00:00:00.000001 UTC'), 1, 'D + 1 µs: cg-a1 goes overdue');
SELECT is(pg_temp.susp('cg-a'), NULL, 'overdue but within grace: not suspended');
SELECT is(invoice.invoice_sweep_overdue('2024-03-03 23:59:59 UTC'), 0, 'D + 3 d - 1 s: nothing moves');
SELECT is(pg_temp.susp('cg-a'), NULL, 'D + 3 d - 1 s: not suspended');
SELECT is(invoice.invoice_sweep_overdue('2024-03-04 00:00 UTC'), 0, 'D + 3 d exactly: nothing moves');
SELECT is(pg_temp.susp('cg-a'), NULL, 'due_date + grace = as_of: not suspended yet (past grace is strict)');
SELECT is(invoice.invoice_sweep_overdue('2024-03-04 00:00:00.000001 UTC'), 0,
          'D + 3 d + 1 µs: the sweep moves nothing ...');
SELECT is(pg_temp.susp('cg-a'), '2024-03-04 00:00:00.000001 UTC'::timestamptz,
          '... but suspends the organisation: suspended_at = as_of');
SELECT is(invoice.invoice_sweep_overdue('2024-03-20 00:00 UTC'), 0, 'a later sweep');
SELECT is(pg_temp.susp('cg-a'), '2024-03-04 00:00:00.000001 UTC'::timestamptz, 'does not move suspended_at');

-- The organisation's own grace period overrides the setting --------------------------
-- cg-b: grace 1 day, cg-c: grace 10 days, cg-z: grace 0; all due D2 = 2024-04-01.

INSERT INTO invoice.orgs (org_id, name, grace_period) VALUES
    ('cg-b', 'One day grace', '1 day'), ('cg-c', 'Ten days grace', '10 days'), ('cg-z', 'No grace', '0');
INSERT INTO invoice.orgs (org_id, name) VALUES ('cg-d', 'Default grace too');
SELECT FROM unnest(ARRAY['cg-b', 'cg-c', 'cg-z', 'cg-d']) AS o, pg_temp.issued(o, o || '1', '2024-04-01 00:00 UTC');

SELECT is(invoice.invoice_sweep_overdue('2024-04-01 00:00:00.000001 UTC'), 4, 'D2 + 1 µs: all four go overdue');
SELECT is(pg_temp.susp('cg-z'), '2024-04-01 00:00:00.000001 UTC'::timestamptz,
          'grace 0: suspended by the very sweep that makes the invoice overdue');
SELECT is(pg_temp.susp('cg-b'), NULL, 'grace 1 day: not yet');

SELECT is(invoice.invoice_sweep_overdue('2024-04-02 00:00 UTC'), 0, 'D2 + 1 d');
SELECT is(pg_temp.susp('cg-b'), NULL, 'own grace 1 day, at the edge: not yet');
SELECT is(invoice.invoice_sweep_overdue('2024-04-02 00:00:00.000001 UTC'), 0, 'D2 + 1 d + 1 µs');
SELECT is(pg_temp.susp('cg-b'), '2024-04-02 00:00:00.000001 UTC'::timestamptz,
          'own grace 1 day: suspended 1 µs past it, though the setting says 3 days');
SELECT is(pg_temp.susp('cg-d'), NULL, 'the organisation without its own grace follows the setting (3 days): not yet');

SELECT is(invoice.invoice_sweep_overdue('2024-04-04 00:00:00.000001 UTC'), 0, 'D2 + 3 d + 1 µs');
SELECT is(pg_temp.susp('cg-d'), '2024-04-04 00:00:00.000001 UTC'::timestamptz, 'default grace: suspended');
SELECT is(pg_temp.susp('cg-c'), NULL, 'own grace 10 days overrides the shorter setting: not yet');
SELECT is(invoice.invoice_sweep_overdue('2024-04-11 00:00 UTC'), 0, 'D2 + 10 d');
SELECT is(pg_temp.susp('cg-c'), NULL, 'own grace 10 days, at the edge: not yet');
SELECT is(invoice.invoice_sweep_overdue('2024-04-11 00:00:00.000001 UTC'), 0, 'D2 + 10 d + 1 µs');
SELECT is(pg_temp.susp('cg-c'), '2024-04-11 00:00:00.000001 UTC'::timestamptz, 'own grace 10 days: suspended');

-- The setting is read when the sweep runs.
INSERT INTO invoice.orgs (org_id, name) VALUES ('cg-e', 'Setting changes');
SELECT FROM pg_temp.issued('cg-e', 'cg-e1', '2024-05-01 00:00 UTC');
SELECT is(invoice.invoice_sweep_overdue('2024-05-02 00:00 UTC'), 1, 'cg-e1 overdue for a day');
SELECT is(pg_temp.susp('cg-e'), NULL, 'grace 3 days: not suspended');
SET LOCAL invoice.grace_period = '12h';
SELECT is(invoice.invoice_sweep_overdue('2024-05-02 00:00 UTC'), 0, 'the same as_of with invoice.grace_period = 12h');
SELECT is(pg_temp.susp('cg-e'), '2024-05-02 00:00 UTC'::timestamptz, 'now past grace: suspended');
SET LOCAL invoice.grace_period = '3d';

-- A sweep that first moves an invoice already past grace suspends at once.
INSERT INTO invoice.orgs (org_id, name) VALUES ('cg-f', 'Late sweep');
SELECT FROM pg_temp.issued('cg-f', 'cg-f1', '2024-05-01 00:00 UTC');
SELECT is(invoice.invoice_sweep_overdue('2024-05-10 00:00 UTC'), 1, 'first sweep 9 days after the due date');
SELECT is(pg_temp.susp('cg-f'), '2024-05-10 00:00 UTC'::timestamptz, 'moved and suspended by the same sweep');

-- Restoration by payment --------------------------------------------------------------

SELECT FROM invoice.invoice_pay('cg-a1', '40.00', 'upi', 'cg-ref-a1-part');
SELECT is(pg_temp.susp('cg-a'), '2024-03-04 00:00:00.000001 UTC'::timestamptz, 'a part payment does not restore');
SELECT FROM invoice.invoice_pay('cg-a1', '60.00', 'upi', 'cg-ref-a1-rest');
SELECT is(pg_temp.st('cg-a1'), 'paid', 'paying the rest: overdue -> paid');
SELECT is(pg_temp.susp('cg-a'), NULL, 'the organisation is restored in the paying transaction (suspended_at NULL)');
SELECT is((SELECT to_status::text || '|' || reason FROM invoice.status_history
            WHERE invoice_id = 'cg-a1' ORDER BY history_id DESC LIMIT 1), 'paid|paid in full',
          'history: overdue -> paid');

-- Two invoices overdue past grace: paying one keeps the organisation suspended.
INSERT INTO invoice.orgs (org_id, name) VALUES ('cg-two', 'Two late invoices');
SELECT FROM pg_temp.issued('cg-two', 'cg-two1', '2024-06-01 00:00 UTC');
SELECT FROM pg_temp.issued('cg-two', 'cg-two2', '2024-06-02 00:00 UTC');
SELECT is(invoice.invoice_sweep_overdue('2024-06-10 00:00 UTC'), 2, 'both overdue');
SELECT is(pg_temp.susp('cg-two'), '2024-06-10 00:00 UTC'::timestamptz, 'suspended');
SELECT FROM invoice.invoice_pay('cg-two1', '100.00', 'card', 'cg-ref-two1');
SELECT is(pg_temp.st('cg-two1'), 'paid', 'the first is paid');
SELECT is(pg_temp.susp('cg-two'), '2024-06-10 00:00 UTC'::timestamptz, 'still suspended: the other is overdue past grace');
SELECT FROM invoice.invoice_pay('cg-two2', '100.00', 'card', 'cg-ref-two2');
SELECT is(pg_temp.susp('cg-two'), NULL, 'paying the second restores it');

-- An invoice overdue but still within grace does not keep the organisation
-- suspended: cg-g1 is long past grace, cg-g2 fell due a day ago (grace 3 days).
INSERT INTO invoice.orgs (org_id, name) VALUES ('cg-g', 'One late, one recent');
SELECT FROM pg_temp.issued('cg-g', 'cg-g1', '2024-06-01 00:00 UTC');
SELECT FROM pg_temp.issued('cg-g', 'cg-g2', invoice.clock() - interval '1 day');
SELECT is(invoice.invoice_sweep_overdue(invoice.clock()), 2, 'both overdue as of now');
SELECT isnt(pg_temp.susp('cg-g'), NULL, 'suspended (cg-g1)');
SELECT FROM invoice.invoice_pay('cg-g1', '100.00', 'card', 'cg-ref-g1');
SELECT is(pg_temp.st('cg-g2'), 'overdue', 'cg-g2 is still overdue ...');
SELECT is(pg_temp.susp('cg-g'), NULL, '... but within grace: paying cg-g1 restores the organisation');

-- Restoration by moving the due date, or by cancelling ------------------------------------

SELECT is(pg_temp.susp('cg-b'), '2024-04-02 00:00:00.000001 UTC'::timestamptz, 'cg-b is suspended');
UPDATE invoice.invoices SET due_date = invoice.clock() + interval '30 days' WHERE id = 'cg-b1';
SELECT is(pg_temp.st('cg-b1'), 'pending', 'moving its due date into the future: overdue -> pending');
SELECT is(pg_temp.susp('cg-b'), NULL, 'and the organisation is restored');
SELECT is(invoice.invoice_sweep_overdue('2024-12-31 00:00 UTC'), 0, 'a later sweep before the new due date');
SELECT is(pg_temp.susp('cg-b'), NULL, 'leaves it restored');

SELECT is(pg_temp.susp('cg-c'), '2024-04-11 00:00:00.000001 UTC'::timestamptz, 'cg-c is suspended');
SELECT FROM invoice.invoice_cancel('cg-c1', 'billed in error');
SELECT is(pg_temp.susp('cg-c'), NULL, 'cancelling its overdue invoice restores it');

-- Suspension again after restoration: a fresh suspended_at.
SELECT FROM pg_temp.issued('cg-b', 'cg-b2', '2024-07-01 00:00 UTC');
SELECT is(invoice.invoice_sweep_overdue('2024-07-05 00:00 UTC'), 1, 'cg-b2 overdue, past cg-b''s 1-day grace');
SELECT is(pg_temp.susp('cg-b'), '2024-07-05 00:00 UTC'::timestamptz, 'suspended again, since the new as_of');

-- Organisations with nothing overdue are never suspended.
INSERT INTO invoice.orgs (org_id, name, grace_period) VALUES ('cg-ok', 'Pays on time', '0');
SELECT FROM pg_temp.issued('cg-ok', 'cg-ok1', '2024-08-01 00:00 UTC');
SELECT FROM invoice.invoice_pay('cg-ok1', '100.00', 'upi', 'cg-ref-ok1');
SELECT is(invoice.invoice_sweep_overdue('2025-01-01 00:00 UTC'), 0, 'a sweep long after');
SELECT is(pg_temp.susp('cg-ok'), NULL, 'an organisation that paid on time is not suspended');

SELECT * FROM finish();
ROLLBACK;
