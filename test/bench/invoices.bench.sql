-- test/bench/invoices.bench.sql: billing day, and what the amount triggers cost.
--
-- Data: 1,000 organisations, :invoices draft invoices in one period (October
-- 2026; tax 18 %, not GST), :lines line items each (units × rate, both
-- numeric; the first line of each with its own tax rate of 5 %), a credit on
-- one invoice in ten.  BENCH_INVOICES and BENCH_LINES (environment) set the
-- sizes: default 100,000 × 10.  BENCH_ROWS (the harness's :rows) is not used
-- here.  About 10 minutes on 2 CPUs at the default size.
--
-- Every timed run is one statement inside a transaction that is then rolled
-- back, so each run starts from the same state; VACUUM runs (untimed) between
-- runs, so the next one does not wade through the dead rows of the last.
-- Each measurement runs once untimed (warm-up), then :reps times (the line
-- load at most 3 times); the measurements of a group alternate within each
-- round.  Reported: the fastest run or the median, as BENCH_STAT says (see
-- lib.sql), of the backend's on-CPU time ("cpu": steady on a busy machine;
-- every measured statement runs in the one backend) and of wall time.
--
-- Measured:
--   line load       :invoices × :lines lines in one INSERT ... SELECT, with
--                   every trigger of invoice.line_items disabled (the amount
--                   precomputed), with only the row trigger that derives the
--                   amount, and with every trigger (the statement trigger then
--                   recomputes every invoice the INSERT touched).
--   billing day     from stale amounts (the lines were loaded with the
--                   recompute trigger disabled, so every stored amount is 0):
--                     floor      one UPDATE writing the GROUP BY sum of the
--                                lines into usage_amount, triggers on invoices
--                                disabled: the least a database can do;
--                     set-based  invoice_compute_period(from, to);
--                     per-invoice invoice_compute(id) once per invoice, over
--                                a sample of :per_invoice_sample invoices,
--                                scaled up to all of them.
--   issue           invoice_issue_period(from, to) once the amounts are
--                   current (numbers, dates, history), against the billing-day
--                   floor and against a bare-SQL issue (one UPDATE assigning
--                   numbers and dates, one INSERT into status_history, triggers
--                   disabled).
--   single rows     :singles one-row INSERTs into line_items, each its own
--                   statement on a different draft invoice, with the triggers
--                   and with DISABLE TRIGGER USER; :singles payments through
--                   invoice_pay, as a plain INSERT into payments with the
--                   triggers, and as a plain INSERT with DISABLE TRIGGER USER.
--                   The :singles statements run in one plpgsql loop, so in one
--                   transaction: no commit per row in either variant.  Beside
--                   them, the same loop of one-row UPDATEs of those invoices
--                   (description = description: the life-cycle triggers fire,
--                   nothing changes): what any recompute that writes an
--                   invoice's amounts pays for the UPDATE alone.  A single-line
--                   INSERT takes the trigger's one-invoice path (compute_one.c).
--
-- Target (informational): set-based billing day within 1.5x of the floor.

CREATE EXTENSION invoice CASCADE;
CREATE EXTENSION pg_prewarm;
SET search_path = public, invoice;      -- cents operators in the checks

\getenv invoices BENCH_INVOICES
\if :{?invoices}
\else
\set invoices 100000
\endif
\getenv lines BENCH_LINES
\if :{?lines}
\else
\set lines 10
\endif
-- invoice_compute(id) runs over a random sample, its time scaled up to all
-- :invoices: one call per invoice costs the same whichever invoice it is.
\set per_invoice_sample 5000
\set singles 2000
SELECT least(:per_invoice_sample, :invoices) AS per_invoice_sample,
       least(:singles, :invoices) AS singles \gset
\set period_from '''2026-10-01 00:00:00+00'''
\set period_to '''2026-11-01 00:00:00+00'''
\echo invoices :invoices, lines per invoice :lines, per-invoice sample :per_invoice_sample, single-row statements :singles

-- The timing harness of this file ------------------------------------------

CREATE SCHEMA ib;
-- The runs are lib.sql's cases (bench.cases, bench.run, bench.case_result):
-- each one statement in a transaction rolled back, then the case's vacuum.

-- Data ---------------------------------------------------------------------

\echo building :invoices invoices x :lines lines ...
SET work_mem = '1GB';
SELECT setseed(0.42) \g /dev/null

INSERT INTO invoice.orgs (org_id, name, billing_email, payment_terms_days)
SELECT format('org-%s', lpad(o::text, 4, '0')), format('Organisation %s', o),
       format('billing@org%s.example', o), (ARRAY[15, 30, 45])[1 + o % 3]
FROM generate_series(1, 1000) o;

-- Invoices round-robin over the organisations; generated (random) ids.
INSERT INTO invoice.invoices (org_id, description, period_start, period_end, tax_rate, currency)
SELECT format('org-%s', lpad((1 + n % 1000)::text, 4, '0')), 'October 2026',
       :period_from, :period_to, 18, 'INR'
FROM generate_series(1, :invoices) n;

-- One invoice in ten gets a credit of 1.00 .. 50.00 (below any invoice's usage).
INSERT INTO invoice.credits (org_id, invoice_id, amount, code, description)
SELECT org_id, id, (100 + floor(random() * 4900))::bigint::cents, 'WELCOME', 'welcome credit'
FROM invoice.invoices WHERE random() < 0.1;

-- The lines, staged: the load measurement then costs the INSERT alone.
-- amount = round(units × rate) to cents, for the load without triggers.
CREATE TABLE ib.line_src AS
SELECT i.org_id, i.id AS invoice_id, format('usage %s', l) AS description,
       u.units, u.rate, cents_round(u.units * u.rate) AS amount,
       CASE WHEN l = 1 THEN 5 END::numeric AS tax_rate,
       'compute'::text AS product_group, format('instance-%s', l % 4) AS product_name,
       (ARRAY['ap-south-1', 'us-east-1', 'eu-west-1'])[1 + l % 3] AS region,
       'hours'::text AS usage_type
FROM invoice.invoices i
CROSS JOIN generate_series(1, :lines) l
CROSS JOIN LATERAL (SELECT round((1 + random() * 999)::numeric, 3) AS units,
                           round((0.01 + random() * 4)::numeric, 4) AS rate
                    WHERE l > 0) u
ORDER BY i.org_id, i.id, l;

-- Statistics for the tables that hold data.  The small reference tables
-- (supplier, payments, ledgers) stay as a fresh installation leaves them:
-- never analyzed, as autovacuum leaves a table of a handful of rows.
VACUUM (FREEZE, ANALYZE) invoice.orgs, invoice.invoices, invoice.credits, invoice.status_history, ib.line_src;

-- Billing-day statements compare against these.
CREATE TABLE ib.expect AS
SELECT org_id, invoice_id, sum(amount) AS usage FROM ib.line_src GROUP BY org_id, invoice_id;
ALTER TABLE ib.expect ADD PRIMARY KEY (org_id, invoice_id);

-- Line load ----------------------------------------------------------------

INSERT INTO bench.cases (grp, ord, op, setup, stmt, check_sql, per, vacuum) VALUES
('load', 1, 'no triggers (amount given)',
 'ALTER TABLE invoice.line_items DISABLE TRIGGER USER',
 'INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, amount, tax_rate,
                                  product_group, product_name, region, usage_type)
  SELECT org_id, invoice_id, description, units, rate, amount, tax_rate,
         product_group, product_name, region, usage_type FROM ib.line_src',
 'SELECT count(*) = (SELECT count(*) FROM ib.line_src) FROM invoice.line_items',
 :invoices * :lines, 'VACUUM invoice.line_items'),
('load', 2, 'amount trigger only',
 'ALTER TABLE invoice.line_items DISABLE TRIGGER lines_inserted',
 'INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, tax_rate,
                                  product_group, product_name, region, usage_type)
  SELECT org_id, invoice_id, description, units, rate, tax_rate,
         product_group, product_name, region, usage_type FROM ib.line_src',
 'SELECT count(*) = (SELECT count(*) FROM ib.line_src) FROM invoice.line_items',
 :invoices * :lines, 'VACUUM invoice.line_items'),
('load', 3, 'all triggers (recompute)',
 NULL,
 'INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, tax_rate,
                                  product_group, product_name, region, usage_type)
  SELECT org_id, invoice_id, description, units, rate, tax_rate,
         product_group, product_name, region, usage_type FROM ib.line_src',
 'SELECT NOT EXISTS (SELECT FROM invoice.invoices i JOIN ib.expect e ON (e.org_id, e.invoice_id) = (i.org_id, i.id)
                     WHERE i.usage_amount <> e.usage)',
 :invoices * :lines, 'VACUUM invoice.line_items, invoice.invoices');

SELECT least(:reps, 3) AS load_reps \gset
\echo timing the line load (:load_reps runs after a warm-up) ...
SELECT format('CALL bench.run(%L, %L, %s)', c.grp, c.op, r), c.vacuum
FROM bench.cases c CROSS JOIN generate_series(0, :load_reps) r
WHERE c.grp = 'load' ORDER BY r, c.ord \gexec

-- The billing-day state: lines loaded with the recompute trigger disabled,
-- so every invoice's stored amounts are stale (0).
ALTER TABLE invoice.line_items DISABLE TRIGGER lines_inserted;
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, tax_rate,
                                product_group, product_name, region, usage_type)
SELECT org_id, invoice_id, description, units, rate, tax_rate,
       product_group, product_name, region, usage_type FROM ib.line_src;
ALTER TABLE invoice.line_items ENABLE TRIGGER lines_inserted;
VACUUM (FREEZE, ANALYZE) invoice.line_items, invoice.invoices;
SELECT count(*) AS stale_invoices FROM invoice.invoices WHERE usage_amount = '0';

SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid)) AS size, pg_prewarm(c.oid) AS pages_prewarmed
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'invoice' AND c.relkind IN ('r', 'i')
  AND c.relname ~ '^(invoices|line_items|credits|payments|orgs)'
ORDER BY pg_relation_size(c.oid) DESC;

-- Billing day --------------------------------------------------------------

CREATE TABLE ib.per_invoice_sample AS
SELECT id FROM invoice.invoices ORDER BY random() LIMIT :per_invoice_sample;

INSERT INTO bench.cases (grp, ord, op, setup, stmt, check_sql, per, scale, vacuum) VALUES
('billing', 1, 'floor: UPDATE ... GROUP BY sum',
 'ALTER TABLE invoice.invoices DISABLE TRIGGER USER',
 format($s$UPDATE invoice.invoices i SET usage_amount = s.u
  FROM (SELECT l.org_id, l.invoice_id, sum(l.amount) AS u
          FROM invoice.line_items l
          JOIN invoice.invoices v ON v.org_id = l.org_id AND v.id = l.invoice_id
         WHERE v.period_start >= %1$L AND v.period_end <= %2$L
         GROUP BY l.org_id, l.invoice_id) s
 WHERE i.org_id = s.org_id AND i.id = s.invoice_id$s$, :period_from, :period_to),
 'SELECT NOT EXISTS (SELECT FROM invoice.invoices i JOIN ib.expect e ON (e.org_id, e.invoice_id) = (i.org_id, i.id)
                     WHERE i.usage_amount <> e.usage)',
 :invoices, 1, 'VACUUM invoice.invoices'),
('billing', 2, 'set-based: invoice_compute_period',
 NULL,
 format('SELECT invoice.invoice_compute_period(%L, %L)', :period_from, :period_to),
 'SELECT NOT EXISTS (SELECT FROM invoice.invoices i JOIN ib.expect e ON (e.org_id, e.invoice_id) = (i.org_id, i.id)
                     WHERE i.usage_amount <> e.usage OR i.total = ''0'')',
 :invoices, 1, 'VACUUM invoice.invoices'),
('billing', 3, 'per-invoice: invoice_compute(id)',
 NULL,
 'SELECT count(invoice.invoice_compute(id)) FROM ib.per_invoice_sample',
 'SELECT count(*) = (SELECT count(*) FROM ib.per_invoice_sample) FROM invoice.invoices WHERE total <> ''0''',
 :per_invoice_sample, :invoices::float8 / :per_invoice_sample, 'VACUUM invoice.invoices');

\echo timing the billing day (:reps runs after a warm-up) ...
SELECT format('CALL bench.run(%L, %L, %s)', c.grp, c.op, r), c.vacuum
FROM bench.cases c CROSS JOIN generate_series(0, :reps) r
WHERE c.grp = 'billing' ORDER BY r, c.ord \gexec

-- Issue ---------------------------------------------------------------------

-- The amounts, now computed for good.
SELECT invoice.invoice_compute_period(:period_from, :period_to) AS computed;
VACUUM (FREEZE, ANALYZE) invoice.invoices;

INSERT INTO bench.cases (grp, ord, op, setup, stmt, check_sql, per, vacuum) VALUES
('issue', 1, 'bare SQL: UPDATE numbers + INSERT history',
 'ALTER TABLE invoice.invoices DISABLE TRIGGER USER',
 format($s$WITH todo AS (
    SELECT i.org_id, i.id, row_number() OVER (ORDER BY i.org_id, i.id) AS n, o.payment_terms_days
      FROM invoice.invoices i JOIN invoice.orgs o ON o.org_id = i.org_id
     WHERE i.status = 'draft' AND i.period_start >= %1$L AND i.period_end <= %2$L),
  issued AS (
    UPDATE invoice.invoices i
       SET status = 'pending', status_reason = 'issued',
           number = format('INV/2627/%%s', lpad(t.n::text, 6, '0')),
           invoice_date = now(), due_date = now() + make_interval(days => t.payment_terms_days),
           issued_at = now(), updated_at = now()
      FROM todo t WHERE i.org_id = t.org_id AND i.id = t.id
    RETURNING i.org_id, i.id)
  INSERT INTO invoice.status_history (org_id, invoice_id, from_status, to_status, reason)
  SELECT org_id, id, 'draft', 'pending', 'issued' FROM issued$s$, :period_from, :period_to),
 'SELECT count(*) = 0 FROM invoice.invoices WHERE status = ''draft''',
 :invoices, 'VACUUM invoice.invoices, invoice.status_history'),
('issue', 2, 'invoice_issue_period',
 NULL,
 format('SELECT invoice.invoice_issue_period(%L, %L)', :period_from, :period_to),
 'SELECT count(*) = 0 FROM invoice.invoices WHERE status = ''draft''',
 :invoices, 'VACUUM invoice.invoices, invoice.status_history, invoice.number_series');

\echo timing the issue (:reps runs after a warm-up) ...
SELECT format('CALL bench.run(%L, %L, %s)', c.grp, c.op, r), c.vacuum
FROM bench.cases c CROSS JOIN generate_series(0, :reps) r
WHERE c.grp = 'issue' ORDER BY r, c.ord \gexec

-- Single-row statements ----------------------------------------------------

-- :singles draft invoices, one new line each.
CREATE TABLE ib.single_line AS
SELECT i.org_id, i.id AS invoice_id, 3.5::numeric AS units, 0.125::numeric AS rate,
       cents_round(3.5 * 0.125) AS amount
FROM invoice.invoices i ORDER BY random() LIMIT :singles;

CREATE FUNCTION ib.touch_invoices() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n bigint := 0;
BEGIN
    FOR r IN SELECT * FROM ib.single_line LOOP
        UPDATE invoice.invoices SET description = description WHERE org_id = r.org_id AND id = r.invoice_id;
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;

CREATE FUNCTION ib.insert_lines(with_amount bool) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n bigint := 0;
BEGIN
    IF with_amount THEN
        FOR r IN SELECT * FROM ib.single_line LOOP
            INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, amount)
            VALUES (r.org_id, r.invoice_id, 'late usage', r.units, r.rate, r.amount);
            n := n + 1;
        END LOOP;
    ELSE
        FOR r IN SELECT * FROM ib.single_line LOOP
            INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
            VALUES (r.org_id, r.invoice_id, 'late usage', r.units, r.rate);
            n := n + 1;
        END LOOP;
    END IF;
    RETURN n;
END $$;

INSERT INTO bench.cases (grp, ord, op, setup, stmt, check_sql, per, vacuum) VALUES
('line', 1, 'INSERT line, DISABLE TRIGGER USER (amount given)',
 'ALTER TABLE invoice.line_items DISABLE TRIGGER USER',
 'SELECT ib.insert_lines(true)',
 format('SELECT count(*) = %s FROM invoice.line_items WHERE description = ''late usage''', :singles),
 :singles, 'VACUUM invoice.line_items'),
('line', 2, 'INSERT line, triggers (amount derived, invoice recomputed)',
 NULL,
 'SELECT ib.insert_lines(false)',
 format('SELECT count(*) = %s FROM invoice.invoices i JOIN ib.single_line s ON (s.org_id, s.invoice_id) = (i.org_id, i.id)
                                                JOIN ib.expect e ON (e.org_id, e.invoice_id) = (i.org_id, i.id)
          WHERE i.usage_amount = e.usage + s.amount', :singles),
 :singles, 'VACUUM invoice.line_items, invoice.invoices'),
('line', 3, 'UPDATE invoice row alone, triggers (no change)',
 NULL,
 'SELECT ib.touch_invoices()',
 'SELECT true',
 :singles, 'VACUUM invoice.invoices');

\echo timing single-line inserts (:reps runs after a warm-up) ...
SELECT format('CALL bench.run(%L, %L, %s)', c.grp, c.op, r), c.vacuum
FROM bench.cases c CROSS JOIN generate_series(0, :reps) r
WHERE c.grp = 'line' ORDER BY r, c.ord \gexec

-- Payments need issued invoices: issue the period for good.
SELECT invoice.invoice_issue_period(:period_from, :period_to) AS issued;
VACUUM (FREEZE, ANALYZE) invoice.invoices, invoice.status_history;

CREATE TABLE ib.single_payment AS
SELECT i.org_id, i.id AS invoice_id, '1.00'::cents AS amount,
       format('pay-%s', row_number() OVER ()) AS provider_ref
FROM invoice.invoices i WHERE i.status = 'pending' ORDER BY random() LIMIT :singles;

CREATE FUNCTION ib.pay(how text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n bigint := 0;
BEGIN
    IF how = 'invoice_pay' THEN
        FOR r IN SELECT * FROM ib.single_payment LOOP
            PERFORM invoice.invoice_pay(r.invoice_id, r.amount, 'upi', r.provider_ref);
            n := n + 1;
        END LOOP;
    ELSE
        FOR r IN SELECT * FROM ib.single_payment LOOP
            INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)
            VALUES (r.org_id, r.invoice_id, r.amount, 'upi', r.provider_ref);
            n := n + 1;
        END LOOP;
    END IF;
    RETURN n;
END $$;

INSERT INTO bench.cases (grp, ord, op, setup, stmt, check_sql, per, vacuum) VALUES
('payment', 1, 'INSERT payment, DISABLE TRIGGER USER',
 'ALTER TABLE invoice.payments DISABLE TRIGGER USER',
 'SELECT ib.pay(''insert'')',
 format('SELECT count(*) = %s FROM invoice.payments', :singles),
 :singles, 'VACUUM invoice.payments'),
('payment', 2, 'INSERT payment, triggers (invoice recomputed)',
 NULL,
 'SELECT ib.pay(''insert'')',
 format('SELECT count(*) = %s FROM invoice.invoices i JOIN ib.single_payment p ON (p.org_id, p.invoice_id) = (i.org_id, i.id)
          WHERE i.already_billed_amount = ''1.00''', :singles),
 :singles, 'VACUUM invoice.payments, invoice.invoices'),
('payment', 3, 'invoice_pay(id, amount, method, ref)',
 NULL,
 'SELECT ib.pay(''invoice_pay'')',
 format('SELECT count(*) = %s FROM invoice.invoices i JOIN ib.single_payment p ON (p.org_id, p.invoice_id) = (i.org_id, i.id)
          WHERE i.already_billed_amount = ''1.00''', :singles),
 :singles, 'VACUUM invoice.payments, invoice.invoices');

\echo timing single payments (:reps runs after a warm-up) ...
SELECT format('CALL bench.run(%L, %L, %s)', c.grp, c.op, r), c.vacuum
FROM bench.cases c CROSS JOIN generate_series(0, :reps) r
WHERE c.grp = 'payment' ORDER BY r, c.ord \gexec

-- Report ---------------------------------------------------------------------

\echo
SELECT coalesce(nullif(current_setting('bench.stat', true), ''), 'median') AS stat \gset
\echo 'invoices:' :invoices 'x' :lines 'lines;' :stat 'of' :reps 'runs (line load:' :load_reps'); cpu = backend on-CPU ms; wall = clock time'
SELECT r.grp AS "group", r.op AS measurement,
       round(r.cpu_ms::numeric, 1) AS "cpu ms", round(r.wall_ms::numeric, 1) AS "wall ms",
       round(r.ops::numeric) AS ops,
       round((1000 * r.cpu_ms / r.ops)::numeric, 2) AS "cpu us/op",
       round((r.cpu_ms / b.cpu_ms)::numeric, 2) AS "x base",
       b.op AS "base",
       round(100 * r.spread::numeric) AS "spread %"
FROM bench.case_result r
JOIN bench.case_result b ON b.grp = r.grp AND b.ord = 1
ORDER BY array_position('{load,billing,issue,line,payment}', r.grp), r.ord;

\pset tuples_only on
SELECT format('target: set-based billing day within 1.5x of the floor: %s (%sx cpu, %sx wall)',
              CASE WHEN s.cpu_ms <= 1.5 * f.cpu_ms THEN 'PASS' ELSE 'MISS' END,
              round((s.cpu_ms / f.cpu_ms)::numeric, 2), round((s.wall_ms / f.wall_ms)::numeric, 2))
FROM bench.case_result s, bench.case_result f
WHERE (s.grp, s.ord) = ('billing', 2) AND (f.grp, f.ord) = ('billing', 1)
UNION ALL
SELECT format('per-invoice invoice_compute against set-based: %sx (sample of %s invoices, scaled to %s)',
              round((p.cpu_ms / s.cpu_ms)::numeric, 1), :per_invoice_sample, :invoices)
FROM bench.case_result s, bench.case_result p
WHERE (s.grp, s.ord) = ('billing', 2) AND (p.grp, p.ord) = ('billing', 3)
UNION ALL
SELECT format('issue: invoice_issue_period %sx the billing-day floor, %sx the bare-SQL issue; compute + issue %sx the floor',
              round((i.cpu_ms / f.cpu_ms)::numeric, 2), round((i.cpu_ms / b.cpu_ms)::numeric, 2),
              round(((i.cpu_ms + s.cpu_ms) / f.cpu_ms)::numeric, 2))
FROM bench.case_result i, bench.case_result b, bench.case_result f, bench.case_result s
WHERE (i.grp, i.ord) = ('issue', 2) AND (b.grp, b.ord) = ('issue', 1)
  AND (f.grp, f.ord) = ('billing', 1) AND (s.grp, s.ord) = ('billing', 2)
UNION ALL
SELECT format('triggers on the line load: %sx without them (amount trigger alone %sx)',
              round((a.cpu_ms / n.cpu_ms)::numeric, 2), round((t.cpu_ms / n.cpu_ms)::numeric, 2))
FROM bench.case_result n, bench.case_result t, bench.case_result a
WHERE (n.grp, n.ord) = ('load', 1) AND (t.grp, t.ord) = ('load', 2) AND (a.grp, a.ord) = ('load', 3)
UNION ALL
SELECT format('single-line INSERT: %s us with the triggers, %s us without: %sx (target <= 3x: %s); one UPDATE of the invoice alone %s us, so INSERT + UPDATE %sx',
              round((1000 * t.cpu_ms / t.ops)::numeric, 1), round((1000 * n.cpu_ms / n.ops)::numeric, 1),
              round((t.cpu_ms / n.cpu_ms)::numeric, 2), CASE WHEN t.cpu_ms <= 3 * n.cpu_ms THEN 'PASS' ELSE 'MISS' END,
              round((1000 * u.cpu_ms / u.ops)::numeric, 1), round(((n.cpu_ms + u.cpu_ms) / n.cpu_ms)::numeric, 2))
FROM bench.case_result n, bench.case_result t, bench.case_result u
WHERE (n.grp, n.ord) = ('line', 1) AND (t.grp, t.ord) = ('line', 2) AND (u.grp, u.ord) = ('line', 3)
UNION ALL
SELECT format('single payment: invoice_pay %s us, INSERT with triggers %s us, INSERT without %s us: %sx and %sx',
              round((1000 * p.cpu_ms / p.ops)::numeric, 1), round((1000 * t.cpu_ms / t.ops)::numeric, 1),
              round((1000 * n.cpu_ms / n.ops)::numeric, 1),
              round((p.cpu_ms / n.cpu_ms)::numeric, 2), round((t.cpu_ms / n.cpu_ms)::numeric, 2))
FROM bench.case_result n, bench.case_result t, bench.case_result p
WHERE (n.grp, n.ord) = ('payment', 1) AND (t.grp, t.ord) = ('payment', 2) AND (p.grp, p.ord) = ('payment', 3)
UNION ALL
SELECT format('noise: largest (max - min) / min of any cell: %s %%', round(100 * max(spread)::numeric))
FROM bench.case_result;
\pset tuples_only off

\echo 'samples, cpu ms in run order (wall ms in brackets):'
SELECT s.grp AS "group", s.op AS measurement,
       string_agg(round(s.cpu_ms::numeric) || ' (' || round(s.wall_ms::numeric) || ')', ' ' ORDER BY s.rep) AS samples
FROM bench.case_sample s JOIN bench.cases c USING (grp, op)
GROUP BY s.grp, s.op, c.ord
ORDER BY array_position('{load,billing,issue,line,payment}', s.grp), c.ord;
