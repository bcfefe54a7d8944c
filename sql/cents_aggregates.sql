--
-- cents: the aggregates sum, avg, min and max (SPEC §2).
-- Exact totals (an int128 state, so only the final value must fit), avg
-- rounded half away from zero, parallel plans that agree with serial ones,
-- and moving window frames.
--
SET search_path = invoice, public;

SELECT a.aggfnoid::regprocedure AS aggregate, p.proparallel AS parallel,
       a.aggcombinefn <> 0 AS combines, a.aggserialfn <> 0 AS serializes,
       a.aggminvtransfn <> 0 AS moving, a.aggsortop <> 0 AS uses_index
  FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
 WHERE p.proargtypes[0] = 'cents'::regtype ORDER BY p.proname COLLATE "C";

--
-- Empty and all-NULL input give NULL.
--
SELECT sum(c), avg(c), min(c), max(c), count(c) FROM (SELECT NULL::cents WHERE false) AS t(c);
SELECT sum(c), avg(c), min(c), max(c), count(c) FROM (VALUES (NULL::cents), (NULL)) AS t(c);
SELECT g, sum(c), avg(c), min(c), max(c)
  FROM (VALUES (1, '1.00'::cents), (1, NULL), (2, NULL), (2, NULL)) AS t(g, c) GROUP BY g ORDER BY g;

--
-- sum is exact and overflow-checked on the final value only.
--
SELECT sum(c) FROM (VALUES ('92233720368547758.07'::cents), ('92233720368547758.07')) AS t(c);
SELECT sum(c) FROM (VALUES ('-92233720368547758.08'::cents), ('-0.01')) AS t(c);
-- max + max - max: the running total leaves int64 on the way, the total fits.
SELECT sum(c ORDER BY i) AS total
  FROM (VALUES (1, '92233720368547758.07'::cents), (2, '92233720368547758.07'),
               (3, '-92233720368547758.07')) AS t(i, c);
SELECT sum(c ORDER BY i) AS total
  FROM (VALUES (1, '-92233720368547758.08'::cents), (2, '-92233720368547758.08'),
               (3, '92233720368547758.07'), (4, '92233720368547758.07'), (5, '-92233720368547758.06')) AS t(i, c);
SELECT sum(c) AS total, min(c), max(c)
  FROM (VALUES ('92233720368547758.07'::cents), ('-92233720368547758.08'), ('0.01')) AS t(c);

--
-- avg is the exact mean rounded half away from zero to whole cents.
--
SELECT label AS exact_mean, avg(c) AS avg, count(c) AS n
  FROM (VALUES ('0.015', '0.01'::cents), ('0.015', '0.02'),
               ('-0.015', '-0.01'), ('-0.015', '-0.02'),
               ('0.025', '0.02'), ('0.025', '0.03'),
               ('-0.025', '-0.02'), ('-0.025', '-0.03'),
               ('0.0133', '0.01'), ('0.0133', '0.01'), ('0.0133', '0.02'),
               ('0.0167', '0.01'), ('0.0167', '0.02'), ('0.0167', '0.02'),
               ('0.005', '-0.01'), ('0.005', '0.02'),
               ('-0.005', '0.01'), ('-0.005', '-0.02'),
               ('1/3 of 1.00', '1.00'), ('1/3 of 1.00', '0'), ('1/3 of 1.00', '0'), ('1/3 of 1.00', NULL),
               ('max', '92233720368547758.07'), ('max', '92233720368547758.07'),
               ('min', '-92233720368547758.08'), ('min', '-92233720368547758.08'),
               ('max and min', '92233720368547758.07'), ('max and min', '-92233720368547758.08')) AS t(label, c)
 GROUP BY label ORDER BY min(c), label COLLATE "C";

--
-- Parallel aggregation: the same answers as a serial plan.
--
-- 20000 rows; every 101st is NULL; two max values come first and two -max
-- last, so a per-worker int64 running total would overflow.
CREATE TABLE cents_agg (i int, g int, c cents);
INSERT INTO cents_agg
SELECT i, i % 5,
       CASE WHEN i IN (1, 2) THEN '92233720368547758.07'::cents
            WHEN i IN (19999, 20000) THEN '-92233720368547758.07'::cents
            WHEN i % 101 = 0 THEN NULL
            ELSE ((i * 7919) % 20001 - 10000)::cents END
  FROM generate_series(1, 20000) AS i;
ANALYZE cents_agg;
-- The reference: bigint minor units, summed and averaged by PostgreSQL itself
-- (sum(bigint) and avg(bigint) are numeric; round() is half away from zero).
SELECT sum(c::bigint)::bigint::cents AS sum, (round(avg(c::bigint)))::bigint::cents AS avg,
       min(c::bigint)::cents AS min, max(c::bigint)::cents AS max, count(c) AS n
  FROM cents_agg;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT sum(c), avg(c), min(c), max(c) FROM cents_agg;
SELECT sum(c), avg(c), min(c), max(c) FROM cents_agg;
SELECT sum(c), avg(c), min(c), max(c) FROM cents_agg \gset parallel_
EXPLAIN (COSTS OFF) SELECT g, sum(c), avg(c), min(c), max(c) FROM cents_agg WHERE i BETWEEN 3 AND 19998 GROUP BY g;
SELECT string_agg(format('%s %s %s %s %s', g, s, a, mi, ma), ', ' ORDER BY g) AS parallel_groups
  FROM (SELECT g, sum(c), avg(c), min(c), max(c) FROM cents_agg WHERE i BETWEEN 3 AND 19998 GROUP BY g)
       AS t(g, s, a, mi, ma) \gset
-- Overflow is still detected in a parallel plan.
SELECT sum(c) FROM cents_agg WHERE i <= 2;

SET max_parallel_workers_per_gather = 0;
EXPLAIN (COSTS OFF) SELECT sum(c), avg(c), min(c), max(c) FROM cents_agg;
SELECT sum(c) = :'parallel_sum' AS same_sum, avg(c) = :'parallel_avg' AS same_avg,
       min(c) = :'parallel_min' AS same_min, max(c) = :'parallel_max' AS same_max
  FROM cents_agg;
SELECT string_agg(format('%s %s %s %s %s', g, s, a, mi, ma), ', ' ORDER BY g) = :'parallel_groups' AS same_groups
  FROM (SELECT g, sum(c), avg(c), min(c), max(c) FROM cents_agg WHERE i BETWEEN 3 AND 19998 GROUP BY g)
       AS t(g, s, a, mi, ma);
SELECT g, sum(c), avg(c), min(c), max(c), sum(c::bigint)::bigint::cents = sum(c) AS sum_is_exact,
       round(avg(c::bigint))::bigint::cents = avg(c) AS avg_rounds_half_away
  FROM cents_agg WHERE i BETWEEN 3 AND 19998 GROUP BY g ORDER BY g;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
DROP TABLE cents_agg;

--
-- Window frames: sum and avg use their inverse transition as the frame moves.
--
CREATE TEMP TABLE cents_win (i int, c cents);
INSERT INTO cents_win VALUES (1, '1.00'), (2, NULL), (3, NULL), (4, '2.50'), (5, '-0.01'),
    (6, NULL), (7, NULL), (8, NULL), (9, '0.03'), (10, '0.02');
-- Two-row frames; rows 3, 7 and 8 see only NULLs.
SELECT i, c, sum(c) OVER w AS sum, avg(c) OVER w AS avg, min(c) OVER w AS min, max(c) OVER w AS max,
       count(c) OVER w AS n, sum(c::bigint) OVER w IS NOT DISTINCT FROM (sum(c) OVER w)::bigint AS sum_ok
  FROM cents_win WINDOW w AS (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) ORDER BY i;
-- Frames that end before the current row: the first is empty.
SELECT i, c, sum(c) OVER w AS sum, avg(c) OVER w AS avg, count(c) OVER w AS n
  FROM cents_win WINDOW w AS (ORDER BY i ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) ORDER BY i;
-- RANGE frames with a cents offset (the btree in_range support function).
SELECT c, sum(c) OVER w AS sum, count(c) OVER w AS n
  FROM cents_win WHERE c IS NOT NULL
WINDOW w AS (ORDER BY c RANGE BETWEEN '1.00' PRECEDING AND '0.02' FOLLOWING) ORDER BY c;
-- Frame totals that fit although their running total leaves int64.
SELECT i, c, sum(c) OVER w AS sum, avg(c) OVER w AS avg
  FROM (VALUES (1, '92233720368547758.07'::cents), (2, '92233720368547758.07'), (3, '-92233720368547758.07'),
               (4, '-92233720368547758.07'), (5, '92233720368547758.07')) AS t(i, c)
WINDOW w AS (ORDER BY i ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) ORDER BY i;
-- A frame whose total does not fit raises 22003.
SELECT i, sum(c) OVER (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
  FROM (VALUES (1, '0.01'::cents), (2, '92233720368547758.07'), (3, '-0.01')) AS t(i, c);
