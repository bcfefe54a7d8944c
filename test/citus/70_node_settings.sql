-- Citus (issue #14): the caller's settings go with the calls the coordinator sends to the
-- organisations' nodes (README "Scale-out with Citus", src/node_settings.c).
--
--   - the test clock, set in the session on the coordinator (plain SET, no
--     citus.propagate_set_commands): a payment made through the coordinator is dated by it
--     on the invoice's node;
--   - invoice.grace_period and invoice.reminder_interval_days: the sweep on each node
--     suspends and reminds with the caller's values; RESET gives the nodes their own again;
--   - the suspension and the reminders on both workers, and the payment that clears the
--     suspension (the trigger on the node);
--   - a batch job's work on the nodes belongs to the caller's transaction, even outside
--     BEGIN … COMMIT: an error after it undoes it on every node.
-- Each call in a transaction of its own, as an application makes them.
\set ON_ERROR_STOP 1
\ir include/setup.sql
SET TimeZone = 'UTC';
SELECT plan(18);

SET invoice.test_clock = '2024-02-01 09:00:00+00';
-- pg_temp.month_drafts(prefix, period_start): a draft of 100.00 for each of ns-1 … ns-6, ids
-- <prefix>-1 … <prefix>-6, for the month from period_start, dated at its end, due a month later
CREATE FUNCTION pg_temp.month_drafts(p_prefix text, p_start date) RETURNS text[] LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, due_date)
    SELECT 'ns-' || g, p_prefix || '-' || g, 'CNS', p_start, p_start + interval '1 month', p_start + interval '1 month',
           p_start + interval '2 months'
      FROM generate_series(1, 6) g;
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
    SELECT 'ns-' || g, p_prefix || '-' || g, 'service', '100.00' FROM generate_series(1, 6) g;
    RETURN ARRAY(SELECT p_prefix || '-' || g FROM generate_series(1, 6) g);
END
$$;

INSERT INTO invoice.orgs (org_id, name) SELECT 'ns-' || g, 'Node settings ' || g FROM generate_series(1, 6) g;
SELECT pg_temp.issue_all(pg_temp.month_drafts('ns-inv', '2024-01-01'));
SELECT is(pg_temp.value($$SELECT count(DISTINCT p.nodeport) FROM invoice.orgs o,
                          LATERAL (SELECT nodeport FROM pg_dist_shard_placement
                                    WHERE shardid = get_shard_id_for_distribution_column('invoice.orgs', o.org_id)) p
                          WHERE o.org_id LIKE 'ns-%'$$), '2', 'the six organisations live on both workers');

-- The clock
SET invoice.test_clock = '2024-02-10 11:30:00+00';
SELECT is(pg_temp.value($$SELECT (invoice.invoice_pay('ns-inv-6', '10.00', 'upi', 'ns-ref-1')).paid_at$$),
          '2024-02-10 11:30:00+00', 'invoice_pay through the coordinator: the payment dated by the session''s test clock on the node');

-- The grace period: due 1 March, swept on 3 March; the nodes' own default is 7 days
SET invoice.grace_period = '1d';
SELECT pg_temp.value($$SELECT invoice.invoice_sweep_overdue('2024-03-03 00:00:00+00')$$);
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.invoices WHERE org_id LIKE 'ns-%' AND status = 'overdue'$$), '6',
          'the sweep through the coordinator: all six overdue, on both workers');
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.orgs WHERE org_id LIKE 'ns-%'
                          AND suspended_at = '2024-03-03 00:00:00+00'$$), '6',
          'grace_period 1d set on the coordinator: every organisation suspended on its node');
UPDATE invoice.orgs SET suspended_at = NULL WHERE org_id LIKE 'ns-%';
RESET invoice.grace_period;
SELECT is(pg_temp.value($$SELECT invoice.invoice_sweep_overdue('2024-03-04 00:00:00+00')$$), '0', 'RESET: the next sweep');
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.orgs WHERE org_id LIKE 'ns-%' AND suspended_at IS NOT NULL$$), '0',
          '... suspends nobody: the nodes'' own 7 days again');
SET invoice.grace_period = '1d';
SELECT is(pg_temp.value($$SELECT invoice.invoice_sweep_overdue('2024-03-05 00:00:00+00')$$), '0', 'SET again: the next sweep');
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.orgs WHERE org_id LIKE 'ns-%'
                          AND suspended_at = '2024-03-05 00:00:00+00'$$), '6', '... suspends all six again');

-- Repeat reminders: one a day with reminder_interval_days 1 (the nodes' default is 7)
SET invoice.reminder_interval_days = 1;
SELECT is(pg_temp.value($$SELECT invoice.invoice_sweep_overdue('2024-03-06 00:00:00+00')$$), '0', 'reminder_interval_days 1: a sweep a day later');
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.reminders WHERE org_id LIKE 'ns-%' AND kind = 'repeat'$$), '6',
          '... writes a repeat reminder for each of the six, on both workers');

-- Paying the last overdue invoice clears the suspension on the node
SET invoice.test_clock = '2024-03-06 12:00:00+00';
SELECT amount_due AS ns_due FROM invoice.invoices WHERE org_id = 'ns-2' AND id = 'ns-inv-2' \gset
SELECT is(pg_temp.value(format($$SELECT (invoice.invoice_pay('ns-inv-2', %L, 'upi', 'ns-ref-2')).amount$$, :'ns_due')),
          :'ns_due', 'invoice_pay of all ns-inv-2 is due, through the coordinator');
SELECT is(pg_temp.value($$SELECT string_agg(org_id, ',' ORDER BY org_id) FROM invoice.orgs
                          WHERE org_id LIKE 'ns-%' AND suspended_at IS NULL$$), 'ns-2',
          '... ns-2 is no longer suspended, the others still are');

-- A batch job's work on the nodes is part of the caller's transaction: a failure after it
-- (here on the coordinator, once every node's sweep is done) undoes it on every node
SELECT pg_temp.issue_all(pg_temp.month_drafts('ns-apr', '2024-02-01')) IS NOT NULL AS issued;
-- (a statement of its own, outside BEGIN … COMMIT and outside any exception block — inside one
-- Citus opens transaction blocks on the nodes anyway; psql prints its ERROR, the TAP goes on)
\set ON_ERROR_STOP 0
SELECT invoice.invoice_sweep_overdue('2024-04-02 00:00:00+00') / 0 AS expect_division_by_zero;
\set ON_ERROR_STOP 1
SELECT is(:'LAST_ERROR_SQLSTATE'::text, '22012', 'a sweep through the coordinator, then an error in the same statement');
SELECT is(pg_temp.value($$SELECT string_agg(DISTINCT status::text, ',') FROM invoice.invoices WHERE id LIKE 'ns-apr-%'$$),
          'pending', '... rolled back on both workers: the six invoices are still pending');
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.status_history WHERE invoice_id LIKE 'ns-apr-%' AND to_status = 'overdue'$$),
          '0', '... and have no overdue history row');
SELECT pg_temp.value($$SELECT invoice.invoice_sweep_overdue('2024-04-02 00:00:00+00')$$);
SELECT is(pg_temp.value($$SELECT string_agg(DISTINCT status::text, ',') FROM invoice.invoices WHERE id LIKE 'ns-apr-%'$$),
          'overdue', 'the same sweep alone: all six overdue');

-- Reminders and two-phase commit: a transaction that sweeps (reminders written on both workers)
-- and issues (the number series, a reference table, written on every node: Citus commits with
-- two-phase commit) commits — the nodes send no NOTIFY, which PostgreSQL cannot PREPARE
SELECT pg_temp.issue_all((pg_temp.month_drafts('ns-may', '2024-03-01'))[1:5]) IS NOT NULL AS issued;
BEGIN;
SELECT invoice.invoice_sweep_overdue('2024-05-02 00:00:00+00') > 0 AS swept;
SELECT (invoice.invoice_issue('ns-may-6')).number IS NOT NULL AS issued;
COMMIT;
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.reminders r JOIN invoice.invoices i
                          ON i.org_id = r.org_id AND i.id = r.invoice_id
                          WHERE i.id LIKE 'ns-may-%' AND r.kind = 'overdue'$$) || ' '
          || pg_temp.value($$SELECT status FROM invoice.invoices WHERE id = 'ns-may-6'$$),
          '5 pending', 'a sweep and an issue in one transaction commit (two-phase): five reminders on both workers, the sixth invoice issued');
SELECT pg_temp.issue_all(pg_temp.month_drafts('ns-jun', '2024-04-01')) IS NOT NULL AS issued;
BEGIN;
-- plain DML sees the nodes' settings: the test clock goes to the workers with the UPDATE
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL invoice.test_clock = '2024-06-05 00:00:00+00';
UPDATE invoice.invoices SET status = 'overdue' WHERE id LIKE 'ns-jun-%';
COMMIT;
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.reminders r JOIN invoice.invoices i
                          ON i.org_id = r.org_id AND i.id = r.invoice_id
                          WHERE i.id LIKE 'ns-jun-%' AND r.kind = 'overdue'$$), '6',
          'a plain UPDATE making invoices of both workers overdue commits (a multi-shard write: two-phase), with its six reminders');

RESET invoice.reminder_interval_days;
RESET invoice.grace_period;
RESET invoice.test_clock;
SELECT * FROM finish();
