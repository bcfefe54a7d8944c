-- cents aggregates (SPEC §2): sum, avg, min, max — exact int128 totals,
-- overflow on the final value only, avg half away from zero, NULL and empty
-- input, parallel plans equal to serial ones, moving window frames.
\ir include/begin.sql
SET search_path = invoice, public;

SELECT plan(43);

SELECT is(proparallel, 's', p.oid::regprocedure || ' is parallel safe')
  FROM pg_proc p JOIN pg_aggregate a ON a.aggfnoid = p.oid
 WHERE p.proargtypes[0] = 'cents'::regtype AND p.proname IN ('sum', 'avg', 'min', 'max')
 ORDER BY p.proname COLLATE "C";
SELECT ok(aggcombinefn <> 0 AND aggserialfn <> 0 AND aggminvtransfn <> 0,
          aggfnoid::regprocedure || ' has combine, serialize and inverse functions')
  FROM pg_aggregate WHERE aggfnoid IN ('sum(cents)'::regprocedure, 'avg(cents)'::regprocedure)
 ORDER BY aggfnoid::regprocedure::text COLLATE "C";

-- Empty and all-NULL input

SELECT is(ARRAY[sum(c), avg(c), min(c), max(c)], ARRAY[NULL, NULL, NULL, NULL]::cents[],
          'sum, avg, min, max over no rows are NULL')
  FROM (SELECT NULL::cents WHERE false) AS t(c);
SELECT is(ARRAY[sum(c), avg(c), min(c), max(c)], ARRAY[NULL, NULL, NULL, NULL]::cents[],
          'sum, avg, min, max over only NULLs are NULL')
  FROM (VALUES (NULL::cents), (NULL), (NULL)) AS t(c);
SELECT is(ARRAY[sum(c), avg(c), min(c), max(c)], ARRAY['3.00', '1.50', '1.00', '2.00']::cents[],
          'NULLs are skipped')
  FROM (VALUES ('1.00'::cents), (NULL), ('2.00')) AS t(c);

-- sum: exact, overflow-checked on the total

SELECT throws_ok($$SELECT sum(c) FROM (VALUES ('92233720368547758.07'::cents),
                                                      ('92233720368547758.07')) AS t(c)$$,
                 '22003', 'cents out of range', 'sum of two max values raises 22003');
SELECT throws_ok($$SELECT sum(c) FROM (VALUES ('-92233720368547758.08'::cents),
                                                      ('-0.01')) AS t(c)$$,
                 '22003', 'cents out of range', 'sum one cent below min raises 22003');
SELECT is(sum(c ORDER BY i), '92233720368547758.07'::cents, 'max + max - max: running total overflows, total fits')
  FROM (VALUES (1, '92233720368547758.07'::cents), (2, '92233720368547758.07'), (3, '-92233720368547758.07')) AS t(i, c);
SELECT is(sum(c ORDER BY i), '-92233720368547758.08'::cents, 'min + min - min: running total overflows, total fits')
  FROM (VALUES (1, '-92233720368547758.08'::cents), (2, '-92233720368547758.08'), (3, '92233720368547758.07'),
               (4, '0.01')) AS t(i, c);
SELECT is(sum(c), '0'::cents, 'sum of opposite extremes') FROM (VALUES ('92233720368547758.07'::cents),
                                                                    ('-92233720368547758.07')) AS t(c);
SELECT is(sum(c), (sum(c::bigint))::bigint::cents, 'sum of 1000 amounts equals the bigint sum')
  FROM (SELECT (i * 7919 % 100003 - 50000)::cents FROM generate_series(1, 1000) AS i) AS t(c);

-- avg: the exact mean, rounded half away from zero

SELECT is(avg(c), max(e), format('avg of %s = %s', array_agg(c ORDER BY c), max(e)))
  FROM (VALUES (1, '0.01'::cents, '0.02'::cents), (1, '0.02', NULL), (2, '-0.01', '-0.02'), (2, '-0.02', NULL),
               (3, '0.02', '0.03'), (3, '0.03', NULL), (4, '-0.02', '-0.03'), (4, '-0.03', NULL),
               (5, '0.01', '0.01'), (5, '0.01', NULL), (5, '0.02', NULL),
               (6, '0.01', '0.02'), (6, '0.02', NULL), (6, '0.02', NULL),
               (7, '-0.01', '0.01'), (7, '0.02', NULL), (8, '0.01', '-0.01'), (8, '-0.02', NULL),
               (9, '1.00', '0.33'), (9, '0', NULL), (9, '0', NULL), (9, NULL, NULL),
               (10, '92233720368547758.07', '92233720368547758.07'), (10, '92233720368547758.07', NULL),
               (11, '-92233720368547758.08', '-92233720368547758.08'), (11, '-92233720368547758.08', NULL),
               (12, '92233720368547758.07', '-0.01'), (12, '-92233720368547758.08', NULL)) AS t(g, c, e)
 GROUP BY g ORDER BY g;

-- Parallel plans agree with serial ones.  Two max values first and two -max
-- last: a per-worker int64 running total would overflow.

CREATE TABLE cents_agg_tap (i int, g int, c cents);
INSERT INTO cents_agg_tap
SELECT i, i % 7,
       CASE WHEN i IN (1, 2) THEN '92233720368547758.07'::cents
            WHEN i IN (29999, 30000) THEN '-92233720368547758.07'::cents
            WHEN i % 97 = 0 THEN NULL
            ELSE ((i::bigint * 104729) % 2000003 - 1000000)::cents END
  FROM generate_series(1, 30000) AS i;
ANALYZE cents_agg_tap;

SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN plan;
END
$$;
SELECT matches(pg_temp.plan_of('SELECT sum(c), avg(c), min(c), max(c) FROM cents_agg_tap'),
               'Partial Aggregate', 'sum, avg, min, max get a parallel plan with a Partial Aggregate');
SELECT matches(pg_temp.plan_of('SELECT g, sum(c), avg(c) FROM cents_agg_tap WHERE i > 2 AND i < 29999 GROUP BY g'),
               'Partial (Hash|Group)Aggregate', 'grouped sum, avg get a parallel plan');
CREATE TEMP TABLE parallel_result AS
SELECT sum(c)::text AS s, avg(c)::text AS a, min(c)::text AS mi, max(c)::text AS ma FROM cents_agg_tap;
CREATE TEMP TABLE parallel_groups AS
SELECT g, sum(c)::text AS s, avg(c)::text AS a, min(c)::text AS mi, max(c)::text AS ma
  FROM cents_agg_tap WHERE i > 2 AND i < 29999 GROUP BY g;
SELECT throws_ok('SELECT sum(c) FROM cents_agg_tap WHERE i <= 2', '22003', NULL,
                 'overflow is detected in a parallel plan');

SET LOCAL max_parallel_workers_per_gather = 0;
SELECT doesnt_match(pg_temp.plan_of('SELECT sum(c), avg(c), min(c), max(c) FROM cents_agg_tap'),
                    'Partial', 'the reference plan is serial');
SELECT is((SELECT ARRAY[s, a, mi, ma] FROM parallel_result),
          (SELECT ARRAY[sum(c)::text, avg(c)::text, min(c)::text, max(c)::text] FROM cents_agg_tap),
          'parallel sum, avg, min, max equal the serial ones');
SELECT set_eq('SELECT g, s, a, mi, ma FROM parallel_groups',
              $$SELECT g, sum(c)::text, avg(c)::text, min(c)::text, max(c)::text
                  FROM cents_agg_tap WHERE i > 2 AND i < 29999 GROUP BY g$$,
              'parallel grouped aggregates equal the serial ones');
SELECT is((SELECT ARRAY[s, a] FROM parallel_result),
          (SELECT ARRAY[sum(c::bigint)::bigint::cents::text, round(avg(c::bigint))::bigint::cents::text]
             FROM cents_agg_tap),
          'parallel sum and avg equal the bigint reference');
SELECT is(count(*), 0::bigint, 'every group agrees with the bigint reference')
  FROM (SELECT g, sum(c) AS s, avg(c) AS a, sum(c::bigint) AS rs, round(avg(c::bigint)) AS ra
          FROM cents_agg_tap WHERE i > 2 AND i < 29999 GROUP BY g) AS t
 WHERE s::bigint::numeric <> rs OR a::bigint::numeric <> ra;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- Moving window frames (inverse transitions), NULL-only frames give NULL.

CREATE TEMP TABLE win (i int, c cents);
INSERT INTO win VALUES (1, '1.00'), (2, NULL), (3, NULL), (4, '2.50'), (5, '-0.01'),
    (6, NULL), (7, NULL), (8, NULL), (9, '0.03'), (10, '0.02');
SELECT is(array_agg(s ORDER BY i), ARRAY['1.00', '1.00', NULL, '2.50', '2.49', '-0.01', NULL, NULL, '0.03', '0.05']::cents[],
          'sum over ROWS BETWEEN 1 PRECEDING AND CURRENT ROW')
  FROM (SELECT i, sum(c) OVER (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM win) AS t;
SELECT is(array_agg(a ORDER BY i), ARRAY['1.00', '1.00', NULL, '2.50', '1.25', '-0.01', NULL, NULL, '0.03', '0.03']::cents[],
          'avg over ROWS BETWEEN 1 PRECEDING AND CURRENT ROW, rounded half away from zero')
  FROM (SELECT i, avg(c) OVER (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS a FROM win) AS t;
SELECT is(array_agg(s ORDER BY i), ARRAY[NULL, '1.00', '1.00', '1.00', '2.50', '2.49', '2.49', '-0.01', NULL, '0.03']::cents[],
          'sum over ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING')
  FROM (SELECT i, sum(c) OVER (ORDER BY i ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) AS s FROM win) AS t;
SELECT is(array_agg(a ORDER BY i), ARRAY[NULL, '1.00', '1.00', '1.00', '2.50', '1.25', '1.25', '-0.01', NULL, '0.03']::cents[],
          'avg over ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING')
  FROM (SELECT i, avg(c) OVER (ORDER BY i ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) AS a FROM win) AS t;
SELECT is(count(*), 0::bigint, 'moving sum equals a recomputed sum on 2000 rows and a 37-row frame')
  FROM (SELECT i, sum(c) OVER (ORDER BY i ROWS BETWEEN 36 PRECEDING AND CURRENT ROW) AS s,
               (SELECT sum(c2::bigint) FROM (SELECT x, CASE WHEN x % 5 = 0 THEN NULL ELSE (x * 7919 % 20011 - 10000)::cents END
                                               FROM generate_series(greatest(o.i - 36, 1), o.i) AS x) AS y(x, c2)) AS ref
          FROM (SELECT i, CASE WHEN i % 5 = 0 THEN NULL ELSE (i * 7919 % 20011 - 10000)::cents END AS c
                  FROM generate_series(1, 2000) AS i) AS o) AS t
 WHERE s::bigint::numeric IS DISTINCT FROM ref;
SELECT is(array_agg(s ORDER BY i),
          ARRAY['92233720368547758.07', '-92233720368547758.07', '-92233720368547758.07', '0', '92233720368547758.07']::cents[],
          'frame totals that fit although the running total leaves int64')
  FROM (SELECT i, sum(c) OVER (ORDER BY i ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) AS s
          FROM (VALUES (1, '92233720368547758.07'::cents), (2, '92233720368547758.07'), (3, '-92233720368547758.07'),
                       (4, '-92233720368547758.07'), (5, '92233720368547758.07')) AS v(i, c)) AS t;
SELECT throws_ok($$SELECT sum(c) OVER (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
                     FROM (VALUES (1, '0.01'::cents), (2, '92233720368547758.07')) AS v(i, c)$$,
                 '22003', NULL, 'a frame total that does not fit raises 22003');
SELECT is(array_agg(s ORDER BY c), ARRAY['-0.01', '0.04', '0.04', '1.05', '2.50']::cents[],
          'RANGE BETWEEN 1.00 PRECEDING AND 0.02 FOLLOWING (cents in_range)')
  FROM (SELECT c, sum(c) OVER (ORDER BY c RANGE BETWEEN '1.00' PRECEDING AND '0.02' FOLLOWING) AS s
          FROM win WHERE c IS NOT NULL) AS t;

SELECT * FROM finish();
ROLLBACK;
