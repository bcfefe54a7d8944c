-- test/bench/cents.bench.sql: cents against bigint, numeric and money.
--
-- One table per type (t_cents, t_bigint, t_numeric, t_money), each a single
-- column v holding the same :rows amounts in the same order: a scan then costs
-- each type only its own width and functions (in one wide table the later
-- columns would also pay for deforming the earlier ones).  Amounts are
-- log-uniform between 0.01 and 99 999.99 (many small, few large), 10 %
-- negative (credit notes); numeric holds them at scale 2 (12.34), money is
-- exact with lc_monetary 'C' (2 fraction digits).
--
-- Timed: sum, avg (money has none), a sort of every row that sends nothing
-- to the client (ORDER BY ... OFFSET all rows), and CREATE INDEX; serially
-- on the backend's CPU clock (see lib.sql), then with up to :workers
-- parallel workers on the wall clock.  Targets, for sum/avg/sort, reported
-- but never failed: cents within 10 % of bigint, and at least 1.4x faster
-- than numeric; the verdict lines judge the serial pass.

CREATE EXTENSION invoice CASCADE;
SET search_path = public, invoice;      -- cents operators and aggregates; our tables in public
SET lc_monetary = 'C';

\echo building :rows rows per type ...
SELECT setseed(0.42) \g /dev/null
CREATE TABLE src AS
SELECT (CASE WHEN random() < 0.1 THEN -1 ELSE 1 END * floor(exp(random() * ln(1e7))))::bigint AS b
FROM generate_series(1, :rows);

CREATE TABLE t_cents   AS SELECT b::cents AS v FROM src;
CREATE TABLE t_bigint  AS SELECT b AS v FROM src;
CREATE TABLE t_numeric AS SELECT b * 0.01 AS v FROM src;
CREATE TABLE t_money   AS SELECT (b * 0.01)::money AS v FROM src;

-- The four tables must hold the same amounts, or the comparison means nothing.
DO $$
DECLARE
    want numeric := (SELECT sum(b) * 0.01 FROM src);
    got numeric[] := ARRAY[(SELECT sum(v)::numeric FROM t_cents),
                           (SELECT sum(v) * 0.01 FROM t_bigint),
                           (SELECT sum(v) FROM t_numeric),
                           (SELECT sum(v)::numeric FROM t_money)];
BEGIN
    IF want IS NULL OR got <> ARRAY[want, want, want, want] THEN
        RAISE EXCEPTION 'tables disagree: sum % against %', want, got;
    END IF;
    IF EXISTS (SELECT FROM src WHERE (b * 0.01)::money::numeric <> b * 0.01
                                  OR b::cents::numeric <> b * 0.01) THEN
        RAISE EXCEPTION 'money or cents does not hold every amount exactly';
    END IF;
END $$;
DROP TABLE src;

VACUUM (FREEZE, ANALYZE) t_cents, t_bigint, t_numeric, t_money;
CREATE EXTENSION pg_prewarm;
SELECT relname, pg_size_pretty(pg_relation_size(oid)) AS size, pg_prewarm(oid) AS pages_prewarmed
FROM pg_class WHERE relname IN ('t_cents', 't_bigint', 't_numeric', 't_money') ORDER BY relname;

CREATE PROCEDURE cents_cases(nrows bigint) LANGUAGE plpgsql AS $$
BEGIN
    CALL bench.measure('sum', 'SELECT sum(v) FROM t_%s', '{cents,bigint,numeric,money}');
    CALL bench.measure('avg', 'SELECT avg(v) FROM t_%s', '{cents,bigint,numeric}');
    CALL bench.measure('sort', 'SELECT v FROM t_%s ORDER BY v OFFSET ' || nrows, '{cents,bigint,numeric,money}');
    CALL bench.measure('create index', 'CREATE INDEX t_%1$s_v ON t_%1$s (v)', '{cents,bigint,numeric,money}',
                       'DROP INDEX t_%1$s_v');
END $$;

\echo timing, serial then parallel (:reps runs each after a warm-up; this takes a few minutes) ...
SET bench.mode = 'serial';
SET bench.clock = 'cpu';
SET max_parallel_workers_per_gather = 0;
SET max_parallel_maintenance_workers = 0;
CALL cents_cases(:rows);

SET bench.mode = 'parallel';
SET bench.clock = 'wall';
SET max_parallel_workers_per_gather = :workers;
SET max_parallel_maintenance_workers = :workers;
CALL cents_cases(:rows);

CREATE TEMP VIEW cmp AS
SELECT op, mode, c.clock, c.ms AS cents, b.ms AS bigint, n.ms AS numeric, m.ms AS money,
       op <> 'create index' AS targeted,
       CASE WHEN c.ms <= 1.1 * b.ms THEN 'PASS' ELSE 'MISS' END AS near_bigint,
       CASE WHEN n.ms >= 1.4 * c.ms THEN 'PASS' ELSE 'MISS' END AS beats_numeric
FROM (SELECT * FROM bench.result WHERE variant = 'cents') c
JOIN (SELECT * FROM bench.result WHERE variant = 'bigint') b USING (op, mode)
JOIN (SELECT * FROM bench.result WHERE variant = 'numeric') n USING (op, mode)
LEFT JOIN (SELECT * FROM bench.result WHERE variant = 'money') m USING (op, mode)
ORDER BY mode DESC, array_position('{sum,avg,sort,create index}', op);

\echo
\echo 'cents against bigint, numeric, money:' :rows 'rows, ms =' :stat 'of' :reps 'runs'
SELECT op AS operation, mode, clock,
       round(cents::numeric, 1) AS "cents ms", round(bigint::numeric, 1) AS "bigint ms",
       round(numeric::numeric, 1) AS "numeric ms", round(money::numeric, 1) AS "money ms",
       round((cents / bigint)::numeric, 2) AS "cents/bigint",
       round((numeric / cents)::numeric, 2) AS "numeric/cents",
       CASE WHEN targeted THEN near_bigint ELSE '' END AS "<=1.1x bigint",
       CASE WHEN targeted THEN beats_numeric ELSE '' END AS ">=1.4x numeric"
FROM cmp;

\pset tuples_only on
SELECT 'target: sum/avg/sort over cents within 10 % of bigint (serial): '
       || string_agg(format('%s %s (%sx)', op, near_bigint, round((cents / bigint)::numeric, 2)), ', '
              ORDER BY array_position('{sum,avg,sort}', op))
FROM cmp WHERE targeted AND mode = 'serial'
UNION ALL
SELECT 'target: cents at least 1.4x faster than numeric (serial): '
       || string_agg(format('%s %s (%sx)', op, beats_numeric, round((numeric / cents)::numeric, 2)), ', '
              ORDER BY array_position('{sum,avg,sort}', op))
FROM cmp WHERE targeted AND mode = 'serial'
UNION ALL
SELECT format('noise: largest (max - min) / min of any cell: %s %%', round(100 * max(spread)::numeric))
FROM bench.result;
\pset tuples_only off

\echo 'samples, ms in run order (clock, then wall in brackets where the clock is cpu):'
SELECT op, mode, variant, clock,
       string_agg(round(ms::numeric)
                  || CASE clock WHEN 'cpu' THEN ' (' || round(wall_ms::numeric) || ')' ELSE '' END,
                  ' ' ORDER BY rep) AS samples
FROM bench.sample
GROUP BY op, mode, variant, clock
ORDER BY mode DESC, array_position('{sum,avg,sort,create index}', op),
         array_position('{cents,bigint,numeric,money}', variant);
