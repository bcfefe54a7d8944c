-- collections: the overdue sweep (issue #5, README "Collections").
--
-- invoice_sweep_overdue(as_of) and invoice_sweep_overdue_batch(as_of, n):
-- the boundary (an invoice is overdue only once due_date < as_of: due exactly
-- at as_of is not yet), the count returned, idempotence (a second run moves
-- nothing, writes no history and no reminder), drafts/paid/cancelled never
-- swept, argument errors, batches, the history rows, the reminders outbox
-- (one 'overdue' reminder per newly overdue invoice, dated as_of's UTC day;
-- 'repeat' reminders every invoice.reminder_interval_days; never two for one
-- invoice and day; none when the interval is 0), and that clients cannot fake
-- the overdue transition (invoice.as_of is not a setting; an UPDATE to
-- overdue before the due date is IV001).
--
-- The NOTIFY on channel invoice_reminders is delivered at commit, which a
-- pgTAP file (one transaction, rolled back) never reaches: it is proved by
-- the isolation specs sweep_vs_pay and sweep_vs_sweep, whose listener session
-- prints every notification with its payload.
--
-- The sweep acts on every invoice in the database, so the file starts from
-- empty tables (TRUNCATE inside its transaction, rolled back at the end).
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

-- Load the library (CREATE EXTENSION IF NOT EXISTS does not when the
-- extension exists), so that its settings and reserved prefix are in force.
SELECT FROM invoice.new_invoice_id();

SELECT plan(87);

TRUNCATE invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits, invoice.payments,
         invoice.status_history, invoice.number_series, invoice.reminders CASCADE;
SET LOCAL invoice.reminder_interval_days = 7;
SET LOCAL invoice.grace_period = '7d';
SET LOCAL invoice.sweep_batch_size = 10000;

-- Fixtures ---------------------------------------------------------------------
-- pg_temp.issued(id, due[, amount]): an invoice of org cs-org (series CSW),
-- January 2024, dated 2024-02-01, one line of amount, issued (pending).
-- pg_temp.draft(id, due): the same, left a draft.

INSERT INTO invoice.orgs (org_id, name) VALUES ('cs-org', 'Sweep test org');

CREATE FUNCTION pg_temp.draft(p_id text, p_due timestamptz, p_amount cents DEFAULT '100.00')
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, due_date)
    VALUES ('cs-org', p_id, 'CSW', '2024-01-01 00:00 UTC', '2024-02-01 00:00 UTC',
            '2024-02-01 00:00 UTC', p_due);
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
    VALUES ('cs-org', p_id, 'service', p_amount);
    RETURN p_id;
END $$;

CREATE FUNCTION pg_temp.issued(p_id text, p_due timestamptz, p_amount cents DEFAULT '100.00')
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.draft(p_id, p_due, p_amount);
    PERFORM invoice.invoice_issue(p_id);
    RETURN p_id;
END $$;

CREATE FUNCTION pg_temp.st(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT status::text FROM invoice.invoices WHERE id = p_id
$$;

-- the last status_history row of an invoice as 'from>to|reason|by-current-user'
CREATE FUNCTION pg_temp.last_hist(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(from_status::text, '') || '>' || to_status || '|' || coalesce(reason, '<null>')
           || '|' || (changed_by = current_user)::text
      FROM invoice.status_history WHERE invoice_id = p_id ORDER BY history_id DESC LIMIT 1
$$;

CREATE FUNCTION pg_temp.n_hist() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM invoice.status_history
$$;

CREATE FUNCTION pg_temp.n_rem() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM invoice.reminders
$$;

-- an invoice's reminders as 'kind@day, ...' in day order
CREATE FUNCTION pg_temp.rems(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(kind || '@' || reminder_day, ', ' ORDER BY reminder_day, reminder_id), '')
      FROM invoice.reminders WHERE invoice_id = p_id
$$;

-- The boundary -------------------------------------------------------------------
-- as_of T = 2024-03-01 00:00 UTC; invoices due 1 µs before, exactly at, 1 µs after.

SELECT FROM pg_temp.issued('cs-before', '2024-02-29 23:59:59.999999 UTC');
SELECT FROM pg_temp.issued('cs-at',     '2024-03-01 00:00:00 UTC');
SELECT FROM pg_temp.issued('cs-after',  '2024-03-01 00:00:00.000001 UTC');

SELECT is(invoice.invoice_sweep_overdue('2024-02-29 23:59:59.999999 UTC'), 0,
          'as_of = the earliest due date: nothing is overdue yet (0)');
SELECT is(invoice.invoice_sweep_overdue('2024-03-01 00:00 UTC'), 1,
          'as_of T: only the invoice due 1 µs before T moves (returns 1)');
SELECT is(pg_temp.st('cs-before'), 'overdue', 'due 1 µs before as_of: overdue');
SELECT is(pg_temp.st('cs-at'), 'pending', 'due exactly at as_of: not overdue (the due date must have passed)');
SELECT is(pg_temp.st('cs-after'), 'pending', 'due 1 µs after as_of: pending');

SELECT is(invoice.invoice_sweep_overdue('2024-03-01 00:00:00.000001 UTC'), 1,
          'as_of T + 1 µs: the invoice due at T moves (returns 1)');
SELECT is(pg_temp.st('cs-at'), 'overdue', 'due at T, swept at T + 1 µs: overdue');
SELECT is(pg_temp.st('cs-after'), 'pending', 'due at T + 1 µs, swept at T + 1 µs: still pending');

-- History --------------------------------------------------------------------------

SELECT is(pg_temp.last_hist('cs-before'), 'pending>overdue|due date passed|true',
          'history: pending -> overdue, reason ''due date passed'', by current_user');
SELECT is((SELECT status_reason FROM invoice.invoices WHERE id = 'cs-before'), 'due date passed',
          'the invoice''s status_reason says so too');
SELECT is((SELECT count(*) FROM invoice.status_history WHERE invoice_id = 'cs-at' AND to_status = 'overdue'),
          1::bigint, 'exactly one overdue history row per swept invoice');

-- Reminders ------------------------------------------------------------------------

SELECT is(pg_temp.rems('cs-before'), 'overdue@2024-03-01', 'one reminder: kind overdue, dated as_of''s UTC day');
SELECT is(pg_temp.rems('cs-at'), 'overdue@2024-03-01', 'one reminder for the second invoice too');
SELECT is(pg_temp.rems('cs-after'), '', 'no reminder for an invoice not yet overdue');
SELECT is((SELECT count(*) FROM invoice.reminders WHERE sent_at IS NULL AND org_id = 'cs-org'
             AND created_at = invoice.clock()), 2::bigint, 'reminders are queued unsent (sent_at NULL), created now');

-- Idempotence -------------------------------------------------------------------------

SELECT pg_temp.n_hist() AS h0, pg_temp.n_rem() AS r0,
       (SELECT string_agg(id || '=' || status || '@' || ctid, ',' ORDER BY id) FROM invoice.invoices) AS s0
\gset
SELECT is(invoice.invoice_sweep_overdue('2024-03-01 00:00:00.000001 UTC'), 0, 'the same sweep again: returns 0');
SELECT is(invoice.invoice_sweep_overdue('2024-03-01 00:00:00.000001 UTC'), 0, 'and again: 0');
SELECT is(pg_temp.n_hist(), :h0::bigint, 'no new history rows');
SELECT is(pg_temp.n_rem(), :r0::bigint, 'no new reminders');
SELECT is((SELECT string_agg(id || '=' || status || '@' || ctid, ',' ORDER BY id) FROM invoice.invoices),
          :'s0', 'no invoice row touched (same status, same row version)');

SELECT is(invoice.invoice_sweep_overdue('2024-03-01 00:00:00.000002 UTC'), 1, 'as_of T + 2 µs: the last one moves');
SELECT is(pg_temp.st('cs-after'), 'overdue', 'due at T + 1 µs: overdue at T + 2 µs');

-- Never swept: drafts, paid, cancelled --------------------------------------------

SELECT FROM pg_temp.draft('cs-draft', '2024-02-02 00:00 UTC');
SELECT FROM pg_temp.issued('cs-paid', '2024-02-02 00:00 UTC', '40.00');
SELECT FROM invoice.invoice_pay('cs-paid', '40.00', 'upi', 'cs-ref-paid');
SELECT FROM pg_temp.issued('cs-cancelled', '2024-02-02 00:00 UTC');
SELECT FROM invoice.invoice_cancel('cs-cancelled', 'duplicate');
SELECT FROM pg_temp.issued('cs-zero', '2024-02-02 00:00 UTC', '0');   -- issued straight to paid
SELECT results_eq($$SELECT id COLLATE "default", status::text FROM invoice.invoices WHERE id IN ('cs-draft', 'cs-paid', 'cs-cancelled', 'cs-zero') ORDER BY id$$,
                  $$VALUES ('cs-cancelled', 'cancelled'), ('cs-draft', 'draft'), ('cs-paid', 'paid'), ('cs-zero', 'paid')$$,
                  'fixtures: a draft, a paid, a cancelled and a zero-total invoice, all due 2024-02-02');
SELECT pg_temp.n_hist() AS h0, pg_temp.n_rem() AS r0 \gset
SELECT is(invoice.invoice_sweep_overdue('2030-01-01 00:00 UTC'), 0, 'a sweep years later moves none of them');
SELECT results_eq($$SELECT id COLLATE "default", status::text FROM invoice.invoices WHERE id IN ('cs-draft', 'cs-paid', 'cs-cancelled', 'cs-zero') ORDER BY id$$,
                  $$VALUES ('cs-cancelled', 'cancelled'), ('cs-draft', 'draft'), ('cs-paid', 'paid'), ('cs-zero', 'paid')$$,
                  'drafts, paid and cancelled invoices keep their status');
SELECT is(pg_temp.n_hist(), :h0::bigint, 'no history for them');
SELECT is((SELECT count(*) FROM invoice.reminders WHERE invoice_id IN ('cs-draft', 'cs-paid', 'cs-cancelled', 'cs-zero')),
          0::bigint, 'no reminder for them');

-- Arguments --------------------------------------------------------------------------

SELECT throws_ok($$SELECT invoice.invoice_sweep_overdue(NULL)$$, '22004', NULL,
                 'invoice_sweep_overdue(NULL) -> 22004');
SELECT throws_ok($$SELECT invoice.invoice_sweep_overdue_batch(NULL, 10)$$, '22004', NULL,
                 'invoice_sweep_overdue_batch(NULL, 10) -> 22004');
SELECT throws_ok($$SELECT invoice.invoice_sweep_overdue_batch('2024-03-01', 0)$$, '22023', NULL,
                 'invoice_sweep_overdue_batch(as_of, 0) -> 22023');
SELECT throws_ok($$SELECT invoice.invoice_sweep_overdue_batch('2024-03-01', -5)$$, '22023', NULL,
                 'invoice_sweep_overdue_batch(as_of, -5) -> 22023');
SELECT throws_ok($$SELECT invoice.invoice_sweep_overdue_batch('2024-03-01', NULL)$$, '22023', NULL,
                 'invoice_sweep_overdue_batch(as_of, NULL) -> 22023');
SELECT is(pg_typeof(invoice.invoice_sweep_overdue('2024-01-01'))::text, 'integer', 'the sweep returns an integer count');
SELECT is((SELECT pg_get_expr(p.proargdefaults, 0) FROM pg_proc p
            WHERE p.oid = 'invoice.invoice_sweep_overdue(timestamptz)'::regprocedure),
          'clock()', 'as_of defaults to invoice.clock() (shown unqualified: the file''s search_path has invoice)');

-- Batches -------------------------------------------------------------------------------
-- Five more invoices due on consecutive days of April 2024.

SELECT FROM generate_series(1, 5) d, pg_temp.issued('cs-b' || d, ('2024-04-0' || d || ' 12:00 UTC')::timestamptz);
SELECT is(invoice.invoice_sweep_overdue_batch('2024-05-01 00:00 UTC', 1), 1, 'batch of 1: moves exactly one');
SELECT results_eq($$SELECT id COLLATE "default", status::text FROM invoice.invoices WHERE id LIKE 'cs-b_' ORDER BY id$$,
                  $$VALUES ('cs-b1', 'overdue'), ('cs-b2', 'pending'), ('cs-b3', 'pending'), ('cs-b4', 'pending'), ('cs-b5', 'pending')$$,
                  'the one due earliest');
SELECT is(pg_temp.rems('cs-b1'), 'overdue@2024-05-01', 'a batch queues its reminder too');
SELECT is(invoice.invoice_sweep_overdue_batch('2024-05-01 00:00 UTC', 3), 3, 'batch of 3: moves three');
SELECT is(invoice.invoice_sweep_overdue_batch('2024-05-01 00:00 UTC', 3), 1, 'batch of 3 with one left: moves one');
SELECT is(invoice.invoice_sweep_overdue_batch('2024-05-01 00:00 UTC', 3), 0, 'nothing left: 0');
SELECT is((SELECT count(*) FROM invoice.invoices WHERE id LIKE 'cs-b_' AND status = 'overdue'), 5::bigint,
          'all five overdue, each once');
SELECT is((SELECT count(*) FROM invoice.reminders WHERE invoice_id LIKE 'cs-b_'), 5::bigint, 'one reminder each');

-- invoice.sweep_batch_size: the full sweep loops over batches until none is left,
-- also when the backlog is an exact multiple of the batch size.
SET LOCAL invoice.sweep_batch_size = 2;
SELECT FROM generate_series(1, 5) d, pg_temp.issued('cs-c' || d, ('2024-06-0' || d || ' 12:00 UTC')::timestamptz);
SELECT is(invoice.invoice_sweep_overdue('2024-06-04 00:00 UTC'), 3, 'sweep_batch_size 2, 3 due: 3 (a full batch, then a short one)');
SELECT is(invoice.invoice_sweep_overdue('2024-07-01 00:00 UTC'), 2, 'sweep_batch_size 2, 2 due: 2 (a full batch, then an empty one)');
SELECT is((SELECT count(*) FROM invoice.invoices WHERE id LIKE 'cs-c_' AND status = 'pending'), 0::bigint, 'none left pending');
SET LOCAL invoice.sweep_batch_size = 10000;

-- The UTC day ---------------------------------------------------------------------------
-- as_of 2024-08-02 01:00 +05:30 is 2024-08-01 19:30 UTC: the reminder is dated
-- 2024-08-01 whatever the session's time zone.

SELECT FROM pg_temp.issued('cs-tz', '2024-08-01 00:00 UTC');
SET LOCAL TimeZone = 'Asia/Kolkata';
SELECT is(invoice.invoice_sweep_overdue('2024-08-02 01:00 +05:30'), 1, 'swept with the session in Asia/Kolkata');
SET LOCAL TimeZone = 'UTC';
SELECT is(pg_temp.rems('cs-tz'), 'overdue@2024-08-01', 'the reminder day is as_of''s UTC date');

-- Repeat reminders ------------------------------------------------------------------------
-- Every invoice.reminder_interval_days after the last reminder, while overdue.
-- Earlier invoices are paid first so that only the ones below are overdue.

SELECT FROM (SELECT invoice.invoice_pay(id, amount_due, 'upi', 'cs-clear-' || id)
              FROM invoice.invoices WHERE status = 'overdue') AS paid;
SELECT is((SELECT count(*) FROM invoice.invoices WHERE status = 'overdue'), 0::bigint, 'fixtures: nothing overdue');

SET LOCAL invoice.reminder_interval_days = 3;
SELECT FROM pg_temp.issued('cs-r', '2024-09-01 00:00 UTC');
SELECT is(invoice.invoice_sweep_overdue('2024-09-10 08:00 UTC'), 1, 'cs-r overdue on 2024-09-10');
SELECT is(pg_temp.rems('cs-r'), 'overdue@2024-09-10', 'first reminder only, no repeat the same day');
SELECT is(invoice.invoice_sweep_overdue('2024-09-11 08:00 UTC'), 0, 'sweep a day later: nothing moves');
SELECT is(pg_temp.rems('cs-r'), 'overdue@2024-09-10', 'a day later: no repeat (interval 3)');
SELECT is(invoice.invoice_sweep_overdue('2024-09-12 23:59:59.999999 UTC'), 0, 'sweep at the last instant of day 2');
SELECT is(pg_temp.rems('cs-r'), 'overdue@2024-09-10', 'two days later: no repeat');
SELECT is(invoice.invoice_sweep_overdue('2024-09-13 00:00 UTC'), 0, 'sweep on day 3');
SELECT is(pg_temp.rems('cs-r'), 'overdue@2024-09-10, repeat@2024-09-13', 'three days later: a repeat reminder');
SELECT is(invoice.invoice_sweep_overdue('2024-09-13 18:00 UTC'), 0, 'sweep again on day 3');
SELECT is(pg_temp.rems('cs-r'), 'overdue@2024-09-10, repeat@2024-09-13', 'no second reminder the same day');
SELECT is(invoice.invoice_sweep_overdue('2024-09-15 00:00 UTC'), 0, 'sweep two days after the repeat');
SELECT is(pg_temp.rems('cs-r'), 'overdue@2024-09-10, repeat@2024-09-13', 'counted from the last reminder: none yet');
SELECT is(invoice.invoice_sweep_overdue('2024-09-16 00:00 UTC'), 0, 'sweep three days after the repeat');
SELECT is(pg_temp.rems('cs-r'), 'overdue@2024-09-10, repeat@2024-09-13, repeat@2024-09-16', 'the next repeat');

-- interval 1: a reminder every day, still never two in one day
SET LOCAL invoice.reminder_interval_days = 1;
SELECT is(invoice.invoice_sweep_overdue('2024-09-17 01:00 UTC'), 0, 'interval 1: sweep on 09-17');
SELECT is(invoice.invoice_sweep_overdue('2024-09-17 02:00 UTC'), 0, 'and again on 09-17');
SELECT is((SELECT count(*) FROM invoice.reminders WHERE invoice_id = 'cs-r' AND reminder_day = '2024-09-17'),
          1::bigint, 'interval 1: one reminder on 09-17, not two');

-- interval 0: only the first reminder
SET LOCAL invoice.reminder_interval_days = 0;
SELECT pg_temp.n_rem() AS r0 \gset
SELECT is(invoice.invoice_sweep_overdue('2024-12-31 00:00 UTC'), 0, 'interval 0: sweep months later');
SELECT is(pg_temp.n_rem(), :r0::bigint, 'interval 0: no repeat reminders');
SELECT FROM pg_temp.issued('cs-r0', '2024-12-01 00:00 UTC');
SELECT is(invoice.invoice_sweep_overdue('2024-12-31 00:00 UTC'), 1, 'interval 0: a newly due invoice moves');
SELECT is(pg_temp.rems('cs-r0'), 'overdue@2024-12-31', 'interval 0: it still gets its first reminder');
SET LOCAL invoice.reminder_interval_days = 7;

-- A paid invoice gets no more repeats.
SELECT FROM invoice.invoice_pay('cs-r', '100.00', 'card', 'cs-ref-r');
SELECT pg_temp.rems('cs-r') AS rems_r \gset
SELECT is(invoice.invoice_sweep_overdue('2025-06-01 00:00 UTC'), 0, 'sweep long after cs-r was paid');
SELECT is(pg_temp.rems('cs-r'), :'rems_r', 'no repeat reminder for a paid invoice');

-- One reminder per invoice and day, whatever the path --------------------------------------
-- cs-d goes overdue on 2025-03-10, back to pending (due date moved into the
-- future), its due date is moved back to the morning of 2025-03-10, and the
-- sweep moves it again on 2025-03-10: overdue twice on one day, one reminder.

SELECT FROM pg_temp.issued('cs-d', '2025-03-01 00:00 UTC');
SELECT is(invoice.invoice_sweep_overdue('2025-03-10 12:00 UTC'), 1, 'cs-d overdue on 2025-03-10');
UPDATE invoice.invoices SET due_date = invoice.clock() + interval '30 days' WHERE id = 'cs-d';
SELECT is(pg_temp.st('cs-d'), 'pending', 'due date moved into the future: pending again');
UPDATE invoice.invoices SET due_date = '2025-03-10 06:00 UTC' WHERE id = 'cs-d';
SELECT is(invoice.invoice_sweep_overdue('2025-03-10 18:00 UTC'), 1, 'the sweep moves it again the same day');
SELECT is(pg_temp.rems('cs-d'), 'overdue@2025-03-10', 'still one reminder for that day');
SELECT is((SELECT count(*) FROM invoice.status_history WHERE invoice_id = 'cs-d' AND to_status = 'overdue'),
          2::bigint, 'while the history has both transitions');

-- The overdue transition cannot be faked -------------------------------------------------

-- invoice.as_of is no setting, and the invoice. prefix is reserved.
SELECT throws_ok($$SET invoice.as_of = '2099-01-01'$$, '42602', NULL,
                 'SET invoice.as_of is refused (reserved prefix)');
SELECT throws_ok($$SET LOCAL invoice.as_of = '2099-01-01'$$, '42602', NULL,
                 'SET LOCAL invoice.as_of is refused');
SELECT throws_ok($$SELECT set_config('invoice.as_of', '2099-01-01', true)$$, '42602', NULL,
                 'set_config(''invoice.as_of'', ...) is refused');

-- A client's UPDATE cannot move an invoice that is not yet due.
SELECT FROM pg_temp.issued('cs-future', invoice.clock() + interval '30 days');
SELECT throws_ok($$UPDATE invoice.invoices SET status = 'overdue' WHERE id = 'cs-future'$$, 'IV001', NULL,
                 'UPDATE ... SET status = ''overdue'' on an invoice not yet due -> IV001');
SELECT throws_ok($$UPDATE invoice.invoices SET status = 'overdue' WHERE status = 'pending'$$, 'IV001', NULL,
                 'a bulk UPDATE to overdue that includes a not-yet-due invoice -> IV001');
SELECT is(pg_temp.st('cs-future'), 'pending', 'it stays pending');

-- A sweep's as_of does not outlive the sweep: after a sweep far in the future,
-- a client's UPDATE in the same transaction is still judged against invoice.clock().
SELECT FROM pg_temp.issued('cs-future2', invoice.clock() + interval '60 days');
SELECT is(invoice.invoice_sweep_overdue_batch(invoice.clock() + interval '45 days', 1), 1,
          'a batch sweep with as_of 45 days ahead moves cs-future');
SELECT throws_ok($$UPDATE invoice.invoices SET status = 'overdue' WHERE id = 'cs-future2'$$, 'IV001', NULL,
                 'after that sweep, an UPDATE to overdue is judged against invoice.clock() again -> IV001');

-- Not even when the sweep fails half-way: a reminder trigger that raises for
-- cs-fail aborts the sweep; the as_of it set must not linger.
SELECT FROM pg_temp.issued('cs-fail', '2024-02-15 00:00 UTC');
CREATE FUNCTION pg_temp.fail_reminder() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.invoice_id = 'cs-fail' THEN
        RAISE EXCEPTION 'reminder refused for the test' USING ERRCODE = 'TT002';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER cs_fail_reminder BEFORE INSERT ON invoice.reminders
    FOR EACH ROW EXECUTE FUNCTION pg_temp.fail_reminder();
SELECT throws_ok($$SELECT invoice.invoice_sweep_overdue('2099-01-01')$$, 'TT002', NULL,
                 'a sweep that fails half-way raises');
SELECT is(pg_temp.st('cs-fail'), 'pending', 'and moves nothing');
SELECT throws_ok($$UPDATE invoice.invoices SET status = 'overdue' WHERE id = 'cs-future2'$$, 'IV001', NULL,
                 'its as_of (2099) does not linger: an UPDATE to overdue is still IV001');
DROP TRIGGER cs_fail_reminder ON invoice.reminders;

SELECT * FROM finish();
ROLLBACK;
