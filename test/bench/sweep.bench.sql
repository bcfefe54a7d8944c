-- test/bench/sweep.bench.sql: the overdue sweep (issue #5) at scale.
--
-- Data: :invoices issued (pending) invoices of 1,000 organisations, one line
-- each, due on the 28 days from 2024-03-01 (a 10-minute spread within a day),
-- with their history (created, issued) and numbering counters.
-- BENCH_SWEEP_INVOICES (environment) sets the size: default 1,000,000.
-- BENCH_ROWS (the harness's :rows) is not used here.
--
-- Loading them through the triggers (INSERT drafts, INSERT lines, then
-- invoice_issue_period) costs what test/bench/invoices.bench.sql measures and
-- is too slow for a million here; they are built with the triggers off
-- (session_replication_role = replica), consistently: what the triggers would
-- have written (status pending, a number of a series whose counter says so,
-- amounts equal to the line, history rows), and checked on a sample with
-- invoice_compute (which must change nothing).  The load time is reported.
--
-- Measured, each run one statement in a transaction that is then rolled back,
-- VACUUM (untimed) between runs, a warm-up run first:
--   due    all :invoices due (as_of 2024-04-01):
--            floor   UPDATE invoice.invoices SET status = 'overdue' for the
--                    same rows, ALTER TABLE ... DISABLE TRIGGER USER (no
--                    life-cycle trigger, history, reminders);
--            sweep   invoice_sweep_overdue(as_of), the default batch size
--                    (invoice.sweep_batch_size);
--            sweep, one batch   the same with sweep_batch_size = 1,000,000
--                    (shows what the batching itself costs).
--          Target: the sweep within 3x of the floor (reported, never failed).
--          The NOTIFYs are sent at commit, which a rolled-back run never
--          reaches: the one committed sweep below times its COMMIT apart.
--   idle   nothing due (as_of 2024-02-20, before every due date), the cost of
--          one sweep call: on :invoices pending invoices, and again once they
--          are all overdue (committed; then the repeat-reminder and
--          suspension follow-ups have a million overdue invoices to look at).
--          The plans come from auto_explain (log_nested_statements, ANALYZE,
--          BUFFERS), after the statements' plans have settled (6 calls).
-- Also shown: the plans of one batch of 10,000 when everything is due (in
-- the same backend, after the idle calls: its repeat-reminder INSERT shows
-- the kept-plan problem described at the committed sweep), and the committed
-- sweep of everything, after DISCARD PLANS, with the plan of any of its
-- statements over a second.  Each group's figures are printed as soon as it
-- is done, and all of them again at the end.
-- Reported: the median of the backend's on-CPU time (cpu, steady on a busy
-- machine, see lib.sql) and of wall time.

CREATE EXTENSION invoice CASCADE;
CREATE EXTENSION pg_prewarm;
SET search_path = public, invoice;

\getenv invoices BENCH_SWEEP_INVOICES
\if :{?invoices}
\else
\set invoices 1000000
\endif
SELECT least(:reps, 2) AS due_reps \gset
\set idle_calls 200
\set due_as_of '''2024-04-01 00:00+00'''
\set idle_as_of '''2024-02-20 00:00+00'''
\echo invoices :invoices, runs per due measurement :due_reps, calls per idle run :idle_calls

-- The timing harness ---------------------------------------------------------
-- lib.sql's cases (bench.cases, bench.run, bench.case_result): setup
-- (untimed), stmt (timed), check (untimed, must return true), all in one
-- transaction that is rolled back; then the vacuum statement, untimed.  per:
-- sweep calls per run (idle: reported per call).  Reported as the median:
-- the sweep's runs are few and long.

CREATE SCHEMA sb;
SET bench.stat = 'median';

-- Data ---------------------------------------------------------------------

\echo building :invoices issued invoices with the triggers off ...
SET work_mem = '1GB';
SELECT clock_timestamp() AS load_start \gset
SET session_replication_role = replica;

INSERT INTO invoice.orgs (org_id, name, payment_terms_days)
SELECT format('org-%s', lpad(o::text, 4, '0')), format('Organisation %s', o), 30
FROM generate_series(1, 1000) o;

-- Invoice n (0-based): organisation n % 1000, series B0..B9 (n % 10), number
-- n / 10 + 1 within its series (consecutive from 1), 100.00 + n % 900 of usage,
-- due 2024-03-01 + n % 28 days + n % 600 seconds.
CREATE TABLE sb.src AS
SELECT format('org-%s', lpad((1 + n % 1000)::text, 4, '0')) AS org_id,
       format('inv-%s', lpad(n::text, 8, '0')) AS id,
       'B' || (n % 10) AS series,
       format('B%s/2324/%s', n % 10, lpad((n / 10 + 1)::text, 6, '0')) AS number,
       ((10000 + (n % 900) * 100)::bigint)::cents AS amount,
       timestamptz '2024-03-01 00:00+00' + make_interval(days => n % 28, secs => n % 600) AS due_date
FROM generate_series(0, :invoices - 1) n;

INSERT INTO invoice.invoices (org_id, id, series, number, description, period_start, period_end,
                              invoice_date, due_date, currency, status, status_reason,
                              usage_amount, subtotal, total, amount_due,
                              created_at, updated_at, issued_at)
SELECT org_id, id, series, number, 'February 2024', '2024-02-01 00:00+00', '2024-03-01 00:00+00',
       '2024-03-01 00:00+00', due_date, 'USD', 'pending', 'issued',
       amount, amount, amount, amount,
       '2024-03-01 00:00+00', '2024-03-01 00:00+00', '2024-03-01 00:00+00'
FROM sb.src ORDER BY org_id, id;

INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, amount)
SELECT org_id, id, 'hosting', 1, amount::numeric, amount FROM sb.src ORDER BY org_id, id;

INSERT INTO invoice.status_history (org_id, invoice_id, from_status, to_status, changed_at, reason)
SELECT org_id, id, s.f, s.t, '2024-03-01 00:00+00', s.r
FROM sb.src CROSS JOIN (VALUES (NULL::invoice.status, 'draft'::invoice.status, 'created'),
                               ('draft', 'pending', 'issued')) AS s(f, t, r)
ORDER BY org_id, id, s.t;

INSERT INTO invoice.number_series (series, fiscal_year, last_value)
SELECT series, 2023, count(*) FROM sb.src GROUP BY series;

SET session_replication_role = origin;
SELECT round(extract(epoch FROM clock_timestamp() - :'load_start'::timestamptz)::numeric, 1) AS load_s \gset
DROP TABLE sb.src;
VACUUM (FREEZE, ANALYZE) invoice.orgs, invoice.invoices, invoice.line_items, invoice.status_history,
                         invoice.number_series, invoice.reminders;
\echo loaded in :load_s s (triggers off), plus VACUUM

-- Consistent as the triggers would have left it: recomputing a sample changes nothing.
SELECT count(*) AS invoices, count(*) FILTER (WHERE status = 'pending') AS pending FROM invoice.invoices;
BEGIN;
CREATE TEMP TABLE sample_before AS
SELECT id, usage_amount, subtotal, tax, total, amount_due FROM invoice.invoices TABLESAMPLE BERNOULLI (0.1) REPEATABLE (42);
SELECT count(*) AS sample_invoices,
       count(*) FILTER (WHERE (c.usage_amount, c.subtotal, c.tax, c.total, c.amount_due)
                         IS DISTINCT FROM (b.usage_amount, b.subtotal, b.tax, b.total, b.amount_due)) AS changed_by_recompute
FROM sample_before b, invoice.invoice_compute(b.id) c;
ROLLBACK;

SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid)) AS size, pg_prewarm(c.oid) AS pages_prewarmed
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'invoice' AND c.relkind IN ('r', 'i')
  AND c.relname ~ '^(invoices|orgs|reminders|status_history)'
ORDER BY pg_relation_size(c.oid) DESC;

-- Due: the floor and the sweep ------------------------------------------------

INSERT INTO bench.cases (grp, ord, op, setup, stmt, check_sql, vacuum) VALUES
('due', 1, 'floor: UPDATE SET status, DISABLE TRIGGER USER',
 'ALTER TABLE invoice.invoices DISABLE TRIGGER USER',
 format('UPDATE invoice.invoices SET status = ''overdue'' WHERE status = ''pending'' AND due_date < %L', :due_as_of),
 format('SELECT count(*) = %s FROM invoice.invoices WHERE status = ''overdue''', :invoices),
 'VACUUM invoice.invoices'),
('due', 2, 'sweep: invoice_sweep_overdue',
 NULL,
 format('SELECT invoice.invoice_sweep_overdue(%L)', :due_as_of),
 format('SELECT (SELECT count(*) = %1$s FROM invoice.invoices WHERE status = ''overdue'')
            AND (SELECT count(*) = %1$s FROM invoice.reminders)
            AND (SELECT count(*) = %1$s FROM invoice.status_history WHERE to_status = ''overdue'')', :invoices),
 'VACUUM invoice.invoices, invoice.status_history, invoice.reminders, invoice.orgs'),
('due', 3, 'sweep, one batch (sweep_batch_size = 1000000)',
 'SET LOCAL invoice.sweep_batch_size = 1000000',
 format('SELECT invoice.invoice_sweep_overdue(%L)', :due_as_of),
 format('SELECT count(*) = %s FROM invoice.invoices WHERE status = ''overdue''', :invoices),
 'VACUUM invoice.invoices, invoice.status_history, invoice.reminders, invoice.orgs');

\echo timing the sweep of :invoices due invoices (:due_reps runs after a warm-up) ...
-- (a guard: a run that takes half an hour has met a bad plan, see below)
SET statement_timeout = '30min';
SELECT format('CALL bench.run(%L, %L, %s)', c.grp, c.op, r), c.vacuum
FROM bench.cases c CROSS JOIN generate_series(0, :due_reps) r
WHERE c.grp = 'due' ORDER BY r, c.ord \gexec
SELECT op AS measurement, round(cpu_ms::numeric) AS "cpu ms", round(wall_ms::numeric) AS "wall ms", runs
FROM bench.case_result WHERE grp = 'due' ORDER BY ord;

-- Nothing due ------------------------------------------------------------------

CREATE FUNCTION sb.idle_sweeps(as_of timestamptz, calls int) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    moved bigint := 0;
BEGIN
    FOR i IN 1 .. calls LOOP
        moved := moved + invoice.invoice_sweep_overdue(as_of);
    END LOOP;
    RETURN moved;
END $$;

INSERT INTO bench.cases (grp, ord, op, stmt, check_sql, per, vacuum) VALUES
('idle', 1, 'nothing due, all pending: one sweep call',
 format('SELECT sb.idle_sweeps(%L, %s)', :idle_as_of, :idle_calls),
 'SELECT NOT EXISTS (SELECT FROM invoice.invoices WHERE status <> ''pending'')', :idle_calls, NULL);

\echo timing :idle_calls sweep calls with nothing due, :invoices pending invoices ...
SELECT format('CALL bench.run(%L, %L, %s)', c.grp, c.op, r)
FROM bench.cases c CROSS JOIN generate_series(0, :reps) r
WHERE c.grp = 'idle' ORDER BY r, c.ord \gexec
SELECT op AS measurement, round((cpu_ms / ops)::numeric, 3) AS "cpu ms per call", round((wall_ms / ops)::numeric, 3) AS "wall ms per call", runs
FROM bench.case_result WHERE grp = 'idle' ORDER BY ord;

\echo
\echo 'plans of one sweep call with nothing due on' :invoices 'pending invoices (auto_explain; the plans have settled):'
SELECT sb.idle_sweeps(:idle_as_of, 6) AS moved;
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_timing = on;
SET client_min_messages = log;
SELECT invoice.invoice_sweep_overdue(:idle_as_of) AS moved;
SET client_min_messages = warning;
SET auto_explain.log_min_duration = -1;

-- One batch of 10,000 when everything is due (rolled back): how the batch
-- statement finds its rows and then the invoices it updates.
\echo
\echo 'plan of one batch of 10000 with all' :invoices 'invoices due (auto_explain, statements over 100 ms):'
SET auto_explain.log_min_duration = 100;
SET client_min_messages = log;
BEGIN;
SELECT invoice.invoice_sweep_overdue_batch(:due_as_of, 10000) AS moved;
ROLLBACK;
SET client_min_messages = warning;
SET auto_explain.log_min_duration = -1;

-- All overdue (committed): the state after a backlog was swept, for good.
-- After DISCARD PLANS: the sweep keeps the plans of its follow-up statements
-- for the life of the backend, and a plan made while invoice.reminders was
-- empty (as it is after the rolled-back runs and their VACUUM, and as the
-- batch above shows) turns the repeat-reminder INSERT into a nested loop over
-- a sequential scan of the reminders the same sweep has just queued:
-- quadratic (20 s for the batch of 10,000 above; days for a million).  Once
-- discarded, the plans are made again when first used, here at the end of
-- the sweep, with the reminders in place: what a backend's first sweep gets.
-- (Not a new connection: it would load whatever invoice.so is installed by
-- then, which on a shared machine may no longer match this database.)
\echo
\echo 'sweeping all' :invoices 'invoices for good (committed) after DISCARD PLANS, COMMIT timed apart (it sends the NOTIFYs) ...'
DISCARD PLANS;
-- (auto_explain, without ANALYZE, prints the plan of any statement of the
-- sweep that takes over a second)
SET auto_explain.log_analyze = off;
SET auto_explain.log_min_duration = '1s';
SET client_min_messages = log;
SET statement_timeout = '30min';
SELECT clock_timestamp() AS t0 \gset
BEGIN;
SELECT invoice.invoice_sweep_overdue(:due_as_of) AS moved;
SELECT clock_timestamp() AS t1 \gset
COMMIT;
SET client_min_messages = warning;
SET auto_explain.log_min_duration = -1;
SET auto_explain.log_analyze = on;
SET auto_explain.log_buffers = on;
SET auto_explain.log_timing = on;
SELECT round((1000 * extract(epoch FROM :'t1'::timestamptz - :'t0'::timestamptz))::numeric) AS sweep_ms,
       round((1000 * extract(epoch FROM clock_timestamp() - :'t1'::timestamptz))::numeric) AS commit_ms \gset
VACUUM (ANALYZE) invoice.invoices, invoice.status_history, invoice.reminders, invoice.orgs;
SELECT status, count(*) FROM invoice.invoices GROUP BY status;
SELECT count(*) AS reminders, count(DISTINCT invoice_id) AS invoices_reminded FROM invoice.reminders;
SELECT count(*) FILTER (WHERE suspended_at IS NOT NULL) AS orgs_suspended FROM invoice.orgs;

-- The idle sweep once a million invoices are overdue: its as_of (2024-04-02)
-- is one day after the last reminders (dated 2024-04-01), so no repeat is due
-- (interval 7 days) and nothing moves, but the follow-ups still look at every
-- overdue invoice.
SELECT least(:idle_calls, 5) AS overdue_calls \gset
INSERT INTO bench.cases (grp, ord, op, stmt, check_sql, per, vacuum) VALUES
('idle', 2, 'nothing due, all overdue: one sweep call',
 format('SELECT sb.idle_sweeps(%L, %s) = 0', '2024-04-02 00:00+00', :overdue_calls),
 format('SELECT count(*) = %s FROM invoice.reminders', :invoices), :overdue_calls, NULL);

\echo timing :overdue_calls sweep calls with nothing due, :invoices overdue invoices ...
SELECT format('CALL bench.run(%L, %L, %s)', c.grp, c.op, r)
FROM bench.cases c CROSS JOIN generate_series(0, :due_reps) r
WHERE c.grp = 'idle' AND c.ord = 2 ORDER BY r \gexec
SELECT op AS measurement, round((cpu_ms / ops)::numeric, 3) AS "cpu ms per call", round((wall_ms / ops)::numeric, 3) AS "wall ms per call", runs
FROM bench.case_result WHERE grp = 'idle' AND ord = 2;

\echo
\echo 'plans of one sweep call with nothing due on' :invoices 'overdue invoices (auto_explain):'
SELECT sb.idle_sweeps('2024-04-02 00:00+00', 6) = 0 AS nothing_moved;
SET auto_explain.log_min_duration = 0;
SET client_min_messages = log;
BEGIN;
SELECT invoice.invoice_sweep_overdue('2024-04-02 00:00+00') AS moved;
ROLLBACK;
SET client_min_messages = warning;
SET auto_explain.log_min_duration = -1;

-- Report ---------------------------------------------------------------------

\echo
\echo 'invoices:' :invoices'; median over' :due_reps 'runs (due) and' :reps 'runs (idle, pending); cpu = backend on-CPU ms, wall in its own column'
SELECT r.grp AS "group", r.op AS measurement,
       round((r.cpu_ms / r.ops)::numeric, 3) AS "cpu ms", round((r.wall_ms / r.ops)::numeric, 3) AS "wall ms",
       round((r.cpu_ms / b.cpu_ms)::numeric, 2) AS "x floor",
       round(100 * r.spread::numeric) AS "spread %", r.runs
FROM bench.case_result r
LEFT JOIN bench.case_result b ON b.grp = 'due' AND b.ord = 1 AND r.grp = 'due'
ORDER BY r.grp, r.ord;

\pset tuples_only on
SELECT format('load: %s invoices (with a line and two history rows each) in %s s with the triggers off',
              :invoices, :load_s)
UNION ALL
SELECT format('target: the sweep of %s due invoices within 3x of the plain UPDATE: %s (%sx cpu, %sx wall)',
              :invoices, CASE WHEN s.cpu_ms <= 3 * f.cpu_ms THEN 'PASS' ELSE 'MISS' END,
              round((s.cpu_ms / f.cpu_ms)::numeric, 2), round((s.wall_ms / f.wall_ms)::numeric, 2))
FROM bench.case_result s, bench.case_result f
WHERE (s.grp, s.ord) = ('due', 2) AND (f.grp, f.ord) = ('due', 1)
UNION ALL
SELECT format('batching: the default batch size costs %sx the single-batch sweep',
              round((s.cpu_ms / o.cpu_ms)::numeric, 2))
FROM bench.case_result s, bench.case_result o
WHERE (s.grp, s.ord) = ('due', 2) AND (o.grp, o.ord) = ('due', 3)
UNION ALL
SELECT format('committed sweep of %s invoices: %s ms, then COMMIT (NOTIFYs queued) %s ms',
              :invoices, :sweep_ms, :commit_ms)
UNION ALL
SELECT format('nothing due: %s ms per sweep call with %s pending invoices, %s ms with %s overdue',
              round((p.cpu_ms / p.ops)::numeric, 3), :invoices, round((o.cpu_ms / o.ops)::numeric, 1), :invoices)
FROM bench.case_result p, bench.case_result o
WHERE (p.grp, p.ord) = ('idle', 1) AND (o.grp, o.ord) = ('idle', 2)
UNION ALL
SELECT format('noise: largest (max - min) / min of any cell: %s %%', round(100 * max(spread)::numeric))
FROM bench.case_result;
\pset tuples_only off

\echo 'samples, cpu ms in run order (wall in brackets):'
SELECT s.grp AS "group", s.op AS measurement,
       string_agg(round(s.cpu_ms::numeric, 3) || ' (' || round(s.wall_ms::numeric, 3) || ')', ' ' ORDER BY s.rep) AS samples
FROM bench.case_sample s JOIN bench.cases c USING (grp, op)
GROUP BY s.grp, s.op, c.ord
ORDER BY s.grp, c.ord;
