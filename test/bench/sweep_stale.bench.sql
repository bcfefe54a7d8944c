-- test/bench/sweep_stale.bench.sql — the overdue sweep right after a billing run, when the
-- statistics were taken while the invoices were still drafts (issue #19, item 2): they count
-- no pending invoice.  Before, the batch statement then planned a nested loop of every pending
-- invoice against the batch: a 5,000 batch over 20,000 pending invoices took 19 s.  The sweep
-- now takes the batch's keys and updates by primary key, a plan that cannot do that.
--
-- 50,000 pending invoices due, statistics from their draft days (no ANALYZE since; the bench
-- cluster runs no autovacuum).  invoice_sweep_overdue_batch(as_of, n) for n = 1,000, 5,000 and
-- 25,000, each run from the same state (a cleanup puts the invoices back, triggers off), then
-- the same after ANALYZE.  Reported: ms per batch and µs per invoice: linear means the µs per
-- invoice stay flat as the batch grows, and stale statistics cost what fresh ones do.

\set invoices 50000

CREATE EXTENSION invoice CASCADE;
INSERT INTO invoice.orgs (org_id, name) SELECT 'o' || g, 'Org ' || g FROM generate_series(0, 999) g;
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date)
SELECT 'o' || (g % 1000), 'i' || g, '2024-01-01', '2024-02-01', '2024-02-01', '2024-02-15'
  FROM generate_series(1, :invoices) g;
ANALYZE invoice.invoices;       -- the statistics of the drafts
-- Billing day, without its triggers (their cost is not what is measured here).
ALTER TABLE invoice.invoices DISABLE TRIGGER USER;
UPDATE invoice.invoices SET status = 'pending', number = 'N/' || id, issued_at = now();
ALTER TABLE invoice.invoices ENABLE TRIGGER USER;
SELECT reltuples AS "pg_class.reltuples", (SELECT count(*) FROM invoice.invoices WHERE status = 'pending') AS pending
  FROM pg_class WHERE oid = 'invoice.invoices'::regclass;

CREATE PROCEDURE sweep_cases() LANGUAGE plpgsql AS $$
BEGIN
    CALL bench.measure('sweep', $q$SELECT invoice.invoice_sweep_overdue_batch('2024-03-01', %s)$q$,
                       '{1000,5000,25000}',
                       $c$ALTER TABLE invoice.invoices DISABLE TRIGGER USER;
                          UPDATE invoice.invoices SET status = 'pending', status_reason = 'issued' WHERE status = 'overdue';
                          ALTER TABLE invoice.invoices ENABLE TRIGGER USER;
                          DELETE FROM invoice.reminders;
                          DELETE FROM invoice.status_history WHERE to_status = 'overdue'$c$);
END $$;

\echo timing (:reps runs each after a warm-up) with the statistics of the drafts ...
SET bench.clock = 'cpu';
SET bench.mode = 'stale statistics';
CALL sweep_cases();
ANALYZE invoice.invoices;
\echo ... and after ANALYZE
SET bench.mode = 'fresh statistics';
CALL sweep_cases();

\echo
\echo 'sweep_stale: ms =' :stat 'of' :reps 'runs on the backend''s CPU clock'
SELECT r.mode, r.variant::int AS batch, round(r.ms::numeric, 1) AS "ms per batch",
       round((1000 * r.ms / r.variant::int)::numeric, 1) AS "us per invoice",
       round((r.ms / r.variant::int / first_value(r.ms / r.variant::int)
                OVER (PARTITION BY r.mode ORDER BY r.variant::int))::numeric, 2) AS "per invoice vs batch 1000",
       round(100 * r.spread::numeric) AS "spread %"
  FROM bench.result r
 ORDER BY r.mode DESC, r.variant::int;
SELECT format('stale / fresh statistics, batch of 25,000: %sx (target: about 1; before the fix, a batch of 5,000 over 20,000 pending invoices took 19 s)',
              round((s.ms / f.ms)::numeric, 2))
  FROM bench.result s JOIN bench.result f USING (op, variant)
 WHERE s.mode = 'stale statistics' AND f.mode = 'fresh statistics' AND s.variant = '25000';
