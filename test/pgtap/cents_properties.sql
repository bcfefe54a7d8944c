-- cents properties (SPEC §2): algebraic laws checked over a few hundred
-- pseudo-random amounts spread over the whole int64 range (setseed makes the
-- sample reproducible), plus the range edges.  Each assertion counts the
-- values that break a law; a failure's description says which law.
\ir include/begin.sql
SET search_path = invoice, public;

SELECT plan(26);

SELECT setseed(0.20240601);
-- Five magnitudes: tens of cents to the whole int64 range.
CREATE TEMP TABLE val AS
SELECT n, (CASE n % 5
               WHEN 0 THEN floor((random() - 0.5) * 2e3)
               WHEN 1 THEN floor((random() - 0.5) * 2e7)
               WHEN 2 THEN floor((random() - 0.5) * 2e12)
               WHEN 3 THEN floor((random() - 0.5) * 2e16)
               ELSE floor((random() - 0.5) * 1.8e19) END)::numeric::bigint::cents AS a
  FROM generate_series(1, 400) AS n
UNION ALL
SELECT 400 + n, a
  FROM unnest(ARRAY['-92233720368547758.08', '-92233720368547758.07', '-0.01', '0', '0.01',
                    '92233720368547758.06', '92233720368547758.07']::cents[]) WITH ORDINALITY AS e(a, n);
-- Pairs: every value with 25 others chosen at random.
CREATE TEMP TABLE pair AS
SELECT x.a, y.a AS b
  FROM val AS x CROSS JOIN LATERAL (SELECT a FROM val WHERE x.n > -1 ORDER BY random() LIMIT 25) AS y;
-- Non-zero integer and numeric factors.
CREATE TEMP TABLE factor AS
SELECT n, (CASE WHEN random() < 0.5 THEN -1 ELSE 1 END) * (1 + floor(random() * CASE n % 3 WHEN 0 THEN 10
                                                                                     WHEN 1 THEN 1000
                                                                                     ELSE 1000000 END))::bigint AS i,
       (CASE WHEN random() < 0.5 THEN -1 ELSE 1 END) * round((1.001 + random() * 100)::numeric, 3) AS f
  FROM generate_series(1, 10) AS n;

CREATE FUNCTION pg_temp.add(a cents, b cents) RETURNS cents LANGUAGE plpgsql AS $$
BEGIN RETURN a + b; EXCEPTION WHEN numeric_value_out_of_range THEN RETURN NULL; END $$;
CREATE FUNCTION pg_temp.sub(a cents, b cents) RETURNS cents LANGUAGE plpgsql AS $$
BEGIN RETURN a - b; EXCEPTION WHEN numeric_value_out_of_range THEN RETURN NULL; END $$;
CREATE FUNCTION pg_temp.mul(a cents, i bigint) RETURNS cents LANGUAGE plpgsql AS $$
BEGIN RETURN a * i; EXCEPTION WHEN numeric_value_out_of_range THEN RETURN NULL; END $$;
CREATE FUNCTION pg_temp.mul(a cents, f numeric) RETURNS cents LANGUAGE plpgsql AS $$
BEGIN RETURN a * f; EXCEPTION WHEN numeric_value_out_of_range THEN RETURN NULL; END $$;
CREATE FUNCTION pg_temp.in_range(minor numeric) RETURNS bool LANGUAGE sql AS $$
SELECT minor BETWEEN -9223372036854775808 AND 9223372036854775807 $$;

SELECT cmp_ok(count(*)::int, '=', 407, 'sample: 400 random values and 7 edges') FROM val;
SELECT cmp_ok(count(*)::int, '>', 300, 'sample: the values are mostly distinct') FROM (SELECT DISTINCT a FROM val) AS d;
SELECT cmp_ok(count(*)::int, '>=', 60, 'sample: many values beyond 10^15 major units')
  FROM val WHERE abs(a::numeric) > 1e15;
SELECT cmp_ok(count(*)::int, '=', 407 * 25, 'sample: 25 pairs per value') FROM pair;

-- Addition and subtraction

SELECT is(count(*), 0::bigint, 'a + b - b = a whenever a + b fits')
  FROM pair WHERE pg_temp.add(a, b) IS NOT NULL AND pg_temp.sub(pg_temp.add(a, b), b) IS DISTINCT FROM a;
SELECT cmp_ok(count(*)::int, '>', 5000, 'a + b - b = a was checked on most pairs')
  FROM pair WHERE pg_temp.add(a, b) IS NOT NULL;
SELECT is(count(*), 0::bigint, 'a + b is the exact sum, or 22003 exactly when the sum leaves int64')
  FROM pair
 WHERE CASE WHEN pg_temp.in_range(a::bigint::numeric + b::bigint::numeric)
            THEN pg_temp.add(a, b)::bigint::numeric IS DISTINCT FROM a::bigint::numeric + b::bigint::numeric
            ELSE pg_temp.add(a, b) IS NOT NULL END;
SELECT is(count(*), 0::bigint, 'a - b is the exact difference, or 22003 exactly when it leaves int64')
  FROM pair
 WHERE CASE WHEN pg_temp.in_range(a::bigint::numeric - b::bigint::numeric)
            THEN pg_temp.sub(a, b)::bigint::numeric IS DISTINCT FROM a::bigint::numeric - b::bigint::numeric
            ELSE pg_temp.sub(a, b) IS NOT NULL END;
SELECT cmp_ok(count(*)::int, '>', 100, 'the sample overflows often enough to test that')
  FROM pair WHERE NOT pg_temp.in_range(a::bigint::numeric + b::bigint::numeric);
SELECT is(count(*), 0::bigint, 'a + b = b + a') FROM pair WHERE pg_temp.add(a, b) IS DISTINCT FROM pg_temp.add(b, a);

-- Multiplication and division

SELECT is(count(*), 0::bigint, '(a * n) / n = a for integer n whenever a * n fits')
  FROM val CROSS JOIN factor
 WHERE pg_temp.mul(a, i) IS NOT NULL AND (pg_temp.mul(a, i) / i IS DISTINCT FROM a
                                          OR pg_temp.mul(a, i) / i::int IS DISTINCT FROM a);
SELECT is(count(*), 0::bigint, 'a * n is exact, or 22003 exactly when it leaves int64')
  FROM val CROSS JOIN factor
 WHERE CASE WHEN pg_temp.in_range(a::bigint::numeric * i)
            THEN pg_temp.mul(a, i)::bigint::numeric IS DISTINCT FROM a::bigint::numeric * i
            ELSE pg_temp.mul(a, i) IS NOT NULL END;
SELECT is(count(*), 0::bigint, '(a * f) / f = a for numeric |f| > 1, both rounding modes')
  FROM val CROSS JOIN factor
 WHERE pg_temp.mul(a, f) IS NOT NULL
   AND (pg_temp.mul(a, f) / f IS DISTINCT FROM a
        OR cents_div(cents_mul(a, f, 'half_even'), f, 'half_even') IS DISTINCT FROM a);
SELECT is(count(*), 0::bigint, 'a * f = round(minor units * f), half away from zero, or 22003 when it leaves int64')
  FROM val CROSS JOIN factor
 WHERE CASE WHEN pg_temp.in_range(round(a::bigint::numeric * f))
            THEN pg_temp.mul(a, f)::bigint::numeric IS DISTINCT FROM round(a::bigint::numeric * f)
            ELSE pg_temp.mul(a, f) IS NOT NULL END;
SELECT is(count(*), 0::bigint, 'a / n = round(minor units / n), half away from zero')
  FROM val CROSS JOIN factor
 WHERE NOT (a = '-92233720368547758.08' AND i = -1)
   AND ((a / i)::bigint::numeric <> round(a::bigint::numeric / i::numeric(40, 20))
        OR (a / i::numeric)::bigint::numeric <> round(a::bigint::numeric / i::numeric(40, 20)));
SELECT is(count(*), 0::bigint, 'cents_div(a, n, half_even) is the quotient rounded half to even')
  FROM (SELECT a, i, trunc(a::bigint::numeric / i::numeric(40, 20)) AS q,
               abs(2 * mod(a::bigint::numeric, i)) AS twice_r
          FROM val CROSS JOIN factor
         WHERE NOT (a = '-92233720368547758.08' AND i = -1)) AS t
 WHERE cents_div(a, i, 'half_even')::bigint::numeric <>
       CASE WHEN twice_r < abs(i) OR (twice_r = abs(i) AND mod(q, 2) = 0) THEN q
            ELSE q + sign(a::bigint::numeric) * sign(i::numeric) END;
SELECT cmp_ok(count(*)::int, '>', 0, 'the sample has exact ties for the half-even law')
  FROM val CROSS JOIN factor WHERE abs(2 * mod(a::bigint::numeric, i)) = abs(i) AND abs(i) > 1;
SELECT is(count(*), 0::bigint, 'a / b = (minor units of a) / (minor units of b) as numeric')
  FROM pair WHERE b <> '0' AND a / b <> a::bigint::numeric / b::bigint::numeric;

-- Order, equality and hashing agree with bigint minor units

SELECT is(count(*), 0::bigint, 'the six comparisons and cents_cmp agree with bigint')
  FROM pair
 WHERE (a < b) <> (a::bigint < b::bigint) OR (a <= b) <> (a::bigint <= b::bigint)
    OR (a = b) <> (a::bigint = b::bigint) OR (a <> b) <> (a::bigint <> b::bigint)
    OR (a >= b) <> (a::bigint >= b::bigint) OR (a > b) <> (a::bigint > b::bigint)
    OR cents_cmp(a, b) <> btint8cmp(a::bigint, b::bigint);
SELECT is((SELECT array_agg(n ORDER BY a, n) FROM val), (SELECT array_agg(n ORDER BY a::bigint, n) FROM val),
          'ORDER BY cents sorts as ORDER BY bigint minor units');
SELECT is(count(*), 0::bigint, 'min/max of each pair agree with bigint')
  FROM pair WHERE least(a, b)::bigint <> least(a::bigint, b::bigint) OR greatest(a, b)::bigint <> greatest(a::bigint, b::bigint);
SELECT is(count(*), 0::bigint, 'cents hashes as its bigint minor units')
  FROM val WHERE cents_hash(a) <> hashint8(a::bigint) OR cents_hash_extended(a, 42) <> hashint8extended(a::bigint, 42);

-- Round trips

SELECT is(count(*), 0::bigint, 'a::text::cents = a') FROM val WHERE a::text::cents <> a;
SELECT is(count(*), 0::bigint, 'a::text is the numeric major units, two decimals')
  FROM val WHERE a::text <> (a::numeric)::text OR a::text !~ '^-?[0-9]+\.[0-9]{2}$';
SELECT is(count(*), 0::bigint, '(a::numeric)::cents = a, and a::numeric is minor units * 0.01')
  FROM val WHERE (a::numeric)::cents <> a OR a::numeric <> a::bigint::numeric * 0.01;
SELECT is(count(*), 0::bigint, 'cents_send(a) is int8send of the minor units')
  FROM val WHERE cents_send(a) <> int8send(a::bigint);

SELECT * FROM finish();
ROLLBACK;
