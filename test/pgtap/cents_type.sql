-- cents type (SPEC §2): storage, text and binary I/O, arithmetic, rounding,
-- overflow, casts, JSON and NULL behaviour, asserted value by value and
-- SQLSTATE by SQLSTATE.
\ir include/begin.sql
SET search_path = invoice, public;

SELECT plan(267);

-- Storage

SELECT has_type('public', 'cents', 'type cents exists, in schema public (the cents extension)');
SELECT is(typlen, 8::smallint, 'cents is 8 bytes') FROM pg_type WHERE oid = 'cents'::regtype;
SELECT is(typbyval, true, 'cents is passed by value') FROM pg_type WHERE oid = 'cents'::regtype;
SELECT is(typalign, 'd', 'cents is aligned like bigint') FROM pg_type WHERE oid = 'cents'::regtype;
SELECT is(
    (SELECT array_agg(am.amname::text ORDER BY am.amname) FROM pg_opclass opc JOIN pg_am am ON am.oid = opc.opcmethod
      WHERE opc.opcintype = 'cents'::regtype AND opc.opcdefault),
    ARRAY['btree', 'hash'], 'cents has default btree and hash operator classes');

-- Text input

SELECT is(input::cents::bigint, minor, format('%L reads as %s minor units', input, minor))
  FROM (VALUES ('12.34', 1234::bigint), ('-0.5', -50), ('7', 700), ('  12.34  ', 1234), (E'\t-7 ', -700),
               ('+3.1', 310), ('.5', 50), ('5.', 500), ('-0', 0), ('0.01', 1), ('-0.01', -1),
               ('92233720368547758.07', 9223372036854775807), ('-92233720368547758.08', -9223372036854775808))
       AS t(input, minor);

SELECT throws_ok(format('SELECT %L::cents', input), '22P02',
                 format('invalid input syntax for type cents: "%s"', input),
                 format('%L is refused with 22P02 naming the text', input))
  FROM (VALUES ('1.005'), ('12.340'), ('-0.001'), ('abc'), ('12a'), ('1e3'), ('$1.00'), ('1,000.00'),
               (''), ('  '), ('-'), ('+'), ('.'), ('-.'), ('1 2'), ('- 5'), ('1. 5'), ('--1'),
               ('1.2.3'), ('(1.00)'), ('NaN'), ('Infinity'), ('92233720368547758.075')) AS t(input);

SELECT throws_ok(format('SELECT %L::cents', input), '22003',
                 format('value "%s" is out of range for type cents', input),
                 format('%L is refused with 22003 naming the text', input))
  FROM (VALUES ('92233720368547758.08'), ('-92233720368547758.09'), ('92233720368547759'),
               ('100000000000000000'), ('-100000000000000000.00'), ('99999999999999999999999')) AS t(input);

-- Text output

SELECT is(c::text, expected, format('%s minor units print as %s', c::bigint, expected))
  FROM (VALUES ('0'::cents, '0.00'), ('0.05', '0.05'), ('-0.05', '-0.05'), ('7', '7.00'),
               ('-1234.56', '-1234.56'), ('1000000', '1000000.00'),
               ('92233720368547758.07', '92233720368547758.07'),
               ('-92233720368547758.08', '-92233720368547758.08')) AS t(c, expected);

-- Every locale the cluster knows, in lc_monetary and lc_numeric.
CREATE FUNCTION pg_temp.locale_mismatches(OUT tried int, OUT mismatches int) LANGUAGE plpgsql AS $$
DECLARE
    locale text;
BEGIN
    tried := 0;
    mismatches := 0;
    FOR locale IN SELECT collcollate FROM pg_collation WHERE collprovider = 'c' LOOP
        BEGIN
            PERFORM set_config('lc_monetary', locale, true);
            PERFORM set_config('lc_numeric', locale, true);
        EXCEPTION WHEN invalid_parameter_value THEN
            CONTINUE;
        END;
        tried := tried + 1;
        IF '1234.56'::cents::text <> '1234.56' OR '-1234.56'::cents::text <> '-1234.56'
           OR '1234.56'::cents::bigint <> 123456 THEN
            mismatches := mismatches + 1;
        END IF;
    END LOOP;
    PERFORM set_config('lc_monetary', 'C', true);
    PERFORM set_config('lc_numeric', 'C', true);
END
$$;
SELECT cmp_ok(tried, '>=', 2, 'at least two locales tried') FROM pg_temp.locale_mismatches();
SELECT is(mismatches, 0, 'text I/O is the same under every locale') FROM pg_temp.locale_mismatches();
SET LOCAL lc_monetary = 'POSIX';
SET LOCAL lc_numeric = 'POSIX';
SELECT is('1234.56'::cents::text, '1234.56', 'output ignores lc_monetary/lc_numeric POSIX');
SET LOCAL lc_monetary = 'C.UTF-8';
SET LOCAL lc_numeric = 'C.UTF-8';
SELECT is('1234.56'::cents::text, '1234.56', 'output ignores lc_monetary/lc_numeric C.UTF-8');
SELECT is(' 1234.56 '::cents::bigint, 123456::bigint, 'input ignores lc_monetary/lc_numeric C.UTF-8');
RESET lc_monetary;
RESET lc_numeric;

-- Binary I/O

SELECT is(cents_send('12.34'), '\x00000000000004d2'::bytea, 'cents_send(12.34) is big-endian 1234');
SELECT is(cents_send('-0.01'), '\xffffffffffffffff'::bytea, 'cents_send(-0.01) is big-endian -1');
SELECT is(cents_send('-92233720368547758.08'), '\x8000000000000000'::bytea, 'cents_send(min) is int64 min');

CREATE TABLE pg_temp.copy_src (id int, c cents);
INSERT INTO pg_temp.copy_src VALUES (1, '12.34'), (2, '-0.01'), (3, '0'), (4, '92233720368547758.07'),
    (5, '-92233720368547758.08'), (6, NULL);
CREATE TABLE pg_temp.copy_dst (id int, c cents);
CREATE FUNCTION pg_temp.copy_binary(query text, target text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    file text := '/tmp/invoice_cents_pgtap_' || pg_backend_pid() || '.bin';
BEGIN
    EXECUTE format('COPY (%s) TO %L (FORMAT binary)', query, file);
    BEGIN
        EXECUTE format('COPY %s FROM %L (FORMAT binary)', target, file);
    EXCEPTION WHEN OTHERS THEN
        EXECUTE format('COPY (SELECT WHERE false) TO PROGRAM %L', 'rm -f ' || file);
        RAISE;
    END;
    EXECUTE format('COPY (SELECT WHERE false) TO PROGRAM %L', 'rm -f ' || file);
END
$$;
SELECT lives_ok($$SELECT pg_temp.copy_binary('SELECT * FROM pg_temp.copy_src', 'pg_temp.copy_dst')$$,
                'COPY (FORMAT binary) out and back in');
SELECT set_eq('SELECT id, c::text FROM pg_temp.copy_dst', 'SELECT id, c::text FROM pg_temp.copy_src',
              'binary COPY round trip keeps every value, edges and NULL included');
SELECT throws_ok($$SELECT pg_temp.copy_binary('SELECT 1, 1234::integer', 'pg_temp.copy_dst')$$, '22P03',
                 'invalid binary data for type cents', 'cents_recv refuses a 4-byte field');
SELECT throws_ok($$SELECT pg_temp.copy_binary('SELECT 1, 12.34::numeric', 'pg_temp.copy_dst')$$, '22P03',
                 'invalid binary data for type cents', 'cents_recv refuses a numeric field');
SELECT lives_ok($$SELECT pg_temp.copy_binary('SELECT 7, 1234::bigint', 'pg_temp.copy_dst')$$,
                'cents_recv takes a bigint field');
SELECT is((SELECT c FROM pg_temp.copy_dst WHERE id = 7), '12.34'::cents, 'a bigint field is minor units');

-- Arithmetic

SELECT is('12.34'::cents + '0.66', '13.00'::cents, '12.34 + 0.66');
SELECT is('12.34'::cents - '20', '-7.66'::cents, '12.34 - 20');
SELECT is(-'12.34'::cents, '-12.34'::cents, 'unary minus');
SELECT is(-'-0.01'::cents, '0.01'::cents, 'unary minus of a negative');
SELECT is(abs('-12.34'::cents), '12.34'::cents, 'abs of a negative');
SELECT is(abs('12.34'::cents), '12.34'::cents, 'abs of a positive');
SELECT is('12.34'::cents * 3, '37.02'::cents, 'cents * integer');
SELECT is(3 * '12.34'::cents, '37.02'::cents, 'integer * cents');
SELECT is('12.34'::cents * 3::bigint, '37.02'::cents, 'cents * bigint');
SELECT is(3::bigint * '12.34'::cents, '37.02'::cents, 'bigint * cents');
SELECT is('12.34'::cents * -2, '-24.68'::cents, 'cents * negative integer');
SELECT is(ARRAY['1.00'::cents < '2.00', '1.00'::cents <= '1.00', '1.00'::cents = '1.00', '1.00'::cents <> '1.01',
                '1.00'::cents >= '1.00', '2.00'::cents > '1.00'],
          ARRAY[true, true, true, true, true, true], 'the six comparisons, true cases');
SELECT is(ARRAY['2.00'::cents < '1.00', '1.01'::cents <= '1.00', '1.00'::cents = '1.01', '1.00'::cents <> '1.00',
                '0.99'::cents >= '1.00', '1.00'::cents > '1.00'],
          ARRAY[false, false, false, false, false, false], 'the six comparisons, false cases');
SELECT is('-92233720368547758.08'::cents < '92233720368547758.07', true, 'min < max');

-- Rounding: Stripe's per-line tax examples, then ties in both signs and modes.
SELECT is('0.43'::cents * 0.15, '0.06'::cents, 'Stripe: 0.43 * 0.15 = 0.06 (6.45 cents)');
SELECT is('4.84'::cents * 0.15, '0.73'::cents, 'Stripe: 4.84 * 0.15 = 0.73 (72.6 cents)');
SELECT is(0.15 * '4.84'::cents, '0.73'::cents, 'numeric * cents rounds the same way');

SELECT tap FROM (VALUES ('0.01'::cents, 0.5, '0.01'::cents, '0.00'::cents), ('-0.01', 0.5, '-0.01', '0.00'),
               ('0.01', -0.5, '-0.01', '0.00'), ('0.03', 0.5, '0.02', '0.02'), ('-0.03', 0.5, '-0.02', '-0.02'),
               ('0.05', 0.5, '0.03', '0.02'), ('-0.05', 0.5, '-0.03', '-0.02'), ('1.00', 0.125, '0.13', '0.12'),
               ('-1.00', 0.125, '-0.13', '-0.12'), ('1.00', 0.00499, '0', '0'), ('1.00', 0.00501, '0.01', '0.01'))
       AS t(c, f, away, even),
       LATERAL (VALUES (is(c * f, away, format('%s * %s = %s (half away from zero)', c, f, away))),
                       (is(cents_mul(c, f, 'half_away_from_zero'), away,
                           format('cents_mul(%s, %s, half_away_from_zero) = %s', c, f, away))),
                       (is(cents_mul(c, f, 'half_even'), even, format('cents_mul(%s, %s, half_even) = %s', c, f, even))))
       AS a(tap);

SELECT tap FROM (VALUES ('0.01'::cents, 2, '0.01'::cents, '0.00'::cents), ('-0.01', 2, '-0.01', '0.00'),
               ('0.01', -2, '-0.01', '0.00'), ('-0.01', -2, '0.01', '0.00'), ('0.03', 2, '0.02', '0.02'),
               ('0.05', 2, '0.03', '0.02'), ('-0.05', 2, '-0.03', '-0.02'), ('0.05', -2, '-0.03', '-0.02'),
               ('123.45', 2, '61.73', '61.72'), ('-123.45', 2, '-61.73', '-61.72'), ('0.20', 3, '0.07', '0.07'),
               ('100.00', 7, '14.29', '14.29')) AS t(c, d, away, even),
       LATERAL (VALUES (is(c / d, away, format('%s / %s = %s (integer divisor)', c, d, away))),
                       (is(c / d::bigint, away, format('%s / %s = %s (bigint divisor)', c, d, away))),
                       (is(c / d::numeric, away, format('%s / %s = %s (numeric divisor)', c, d, away))),
                       (is(cents_div(c, d, 'half_even'), even, format('cents_div(%s, %s, half_even) = %s', c, d, even))))
       AS a(tap);

SELECT tap FROM (VALUES (0.005, '0.01'::cents, '0.00'::cents), (-0.005, '-0.01', '0.00'), (0.015, '0.02', '0.02'),
               (-0.015, '-0.02', '-0.02'), (0.025, '0.03', '0.02'), (-0.025, '-0.03', '-0.02'),
               (2.345, '2.35', '2.34'), (-2.345, '-2.35', '-2.34'), (0.0049999, '0', '0'),
               (-0.0050001, '-0.01', '-0.01'), (-92233720368547758.075, '-92233720368547758.08', '-92233720368547758.08'))
       AS t(x, away, even),
       LATERAL (VALUES (is(cents_round(x), away, format('cents_round(%s) = %s', x, away))),
                       (is(cents_round(x, 'half_even'), even, format('cents_round(%s, half_even) = %s', x, even))))
       AS a(tap);

SELECT is('10.00'::cents / '4.00'::cents, 2.5, 'cents / cents is a numeric ratio');
SELECT is(pg_typeof('1'::cents / '3'::cents), 'numeric'::regtype, 'cents / cents returns numeric');

-- Division by zero: 22012 for every divisor type.
SELECT throws_ok('SELECT ' || expr, '22012', NULL, expr || ' raises 22012')
  FROM (VALUES ($$'1.00'::cents / 0$$), ($$'1.00'::cents / 0::bigint$$),
               ($$'1.00'::cents / 0.0$$), ($$'0.00'::cents / '0.00'::cents$$),
               ($$'1.00'::cents / '0.00'::cents$$),
               ($$cents_div('1.00', 0, 'half_even')$$)) AS t(expr);

-- Overflow: 22003, never a wrapped value.
SELECT throws_ok('SELECT ' || expr, '22003', NULL, expr || ' raises 22003')
  FROM (VALUES ($$-'-92233720368547758.08'::cents$$), ($$abs('-92233720368547758.08'::cents)$$),
               ($$'92233720368547758.07'::cents * 2$$), ($$2 * '92233720368547758.07'::cents$$),
               ($$'92233720368547758.07'::cents * 2::bigint$$),
               ($$'-92233720368547758.08'::cents - '0.01'$$), ($$'92233720368547758.07'::cents + '0.01'$$),
               ($$'92233720368547758.07'::cents * 1.5$$), ($$1.5 * '92233720368547758.07'::cents$$),
               ($$'92233720368547758.07'::cents * 1.0000000000000000001$$),
               ($$'-92233720368547758.08'::cents / -1$$), ($$'-92233720368547758.08'::cents / -1::bigint$$),
               ($$'-92233720368547758.08'::cents / -1.0$$), ($$'-92233720368547758.08'::cents * -1$$),
               ($$'92233720368547758.07'::cents / 0.5$$), ($$cents_round(92233720368547758.075)$$),
               ($$cents_mul('92233720368547758.07', 2, 'half_even')$$),
               ($$cents_div('92233720368547758.07', 0.1, 'half_even')$$)) AS t(expr);
SELECT is('92233720368547758.07'::cents * 1.00000000000000000004, '92233720368547758.07'::cents,
          'a product that rounds back to max fits');
SELECT is('-92233720368547758.08'::cents / 2, '-46116860184273879.04'::cents, 'min / 2');

-- Casts

SELECT is('12.34'::cents::numeric, 12.34, 'cents -> numeric in major units');
SELECT is(('12.34'::cents::numeric)::text, '12.34', 'cents -> numeric has scale 2');
SELECT is('-92233720368547758.08'::cents::numeric, -92233720368547758.08, 'min -> numeric');
SELECT is(12.34::cents, '12.34'::cents, 'numeric -> cents in major units');
SELECT is(12.3400::cents, '12.34'::cents, 'numeric trailing zeros are not fractional cents');
SELECT is(92233720368547758.07::cents, '92233720368547758.07'::cents, 'numeric max -> cents');
SELECT throws_ok('SELECT ' || expr, '22023', NULL, expr || ' refused with 22023')
  FROM (VALUES ($$12.345::cents$$), ($$(-0.001)::cents$$), ($$0.000000001::cents$$),
               ($$'NaN'::numeric::cents$$), ($$cents_round('NaN')$$),
               ($$'1.00'::cents * 'NaN'::numeric$$), ($$'1.00'::cents / 'NaN'::numeric$$)) AS t(expr);
SELECT throws_ok('SELECT ' || expr, '22003', NULL, expr || ' refused with 22003')
  FROM (VALUES ($$92233720368547758.08::cents$$), ($$(-92233720368547758.09)::cents$$),
               ($$'Infinity'::numeric::cents$$), ($$'-Infinity'::numeric::cents$$),
               ($$cents_round('Infinity')$$), ($$'1.00'::cents * 'Infinity'::numeric$$)) AS t(expr);
SELECT is(cents_round(12.345), '12.35'::cents, 'cents_round rounds what the cast refuses');
SELECT is(1234::bigint::cents, '12.34'::cents, 'bigint -> cents in minor units');
SELECT is('12.34'::cents::bigint, 1234::bigint, 'cents -> bigint in minor units');
SELECT is(1234::cents, '12.34'::cents, 'integer -> cents in minor units');
SELECT is((-9223372036854775808)::bigint::cents, '-92233720368547758.08'::cents, 'bigint min -> cents');
SELECT is(castcontext, 'e', format('%s -> %s is explicit', castsource::regtype, casttarget::regtype))
  FROM pg_cast WHERE (castsource::regtype, casttarget::regtype) IN
       (('bigint'::regtype, 'cents'::regtype), ('cents'::regtype, 'bigint'::regtype), ('integer'::regtype, 'cents'::regtype))
 ORDER BY castsource, casttarget;
CREATE TABLE pg_temp.assign_int (c cents);
SELECT throws_ok($$INSERT INTO pg_temp.assign_int VALUES (5)$$, '42804', NULL,
                 'an integer is not assigned to a cents column implicitly');
SELECT lives_ok($$INSERT INTO pg_temp.assign_int VALUES (5.00)$$, 'a numeric is assigned to a cents column');
SELECT is('-1234.56'::text::cents, '-1234.56'::cents, 'text -> cents');

-- JSON: integer minor units

SELECT is(to_json('12.34'::cents)::text, '1234', 'to_json is minor units');
SELECT is(to_jsonb('-0.05'::cents), '-5'::jsonb, 'to_jsonb is minor units');
SELECT is(jsonb_typeof(to_jsonb('1.00'::cents)), 'number', 'to_jsonb gives a JSON number');
SELECT is(json_build_object('total', '450.00'::cents)::text, '{"total" : 45000}', 'json_build_object');
SELECT is(jsonb_build_object('total', '450.00'::cents), '{"total": 45000}'::jsonb, 'jsonb_build_object');
SELECT is(to_jsonb(ARRAY['92233720368547758.07'::cents, NULL]), '[9223372036854775807, null]'::jsonb,
          'arrays of cents, max and NULL');
SELECT is(row_to_json(t)::text, '{"c":-100}', 'row_to_json') FROM (SELECT '-1.00'::cents AS c) AS t;

-- Rounding modes

SELECT throws_ok('SELECT ' || expr, '22023', msg, expr || ' refused with 22023')
  FROM (VALUES ($$cents_mul('1.00', 0.5, 'banker')$$, 'unknown rounding mode "banker"'),
               ($$cents_div('1.00', 3, '')$$, 'unknown rounding mode ""'),
               ($$cents_round(1.005, '')$$, 'unknown rounding mode ""'),
               ($$cents_round(1.005, 'HALF_EVEN')$$, 'unknown rounding mode "HALF_EVEN"')) AS t(expr, msg);

-- NULL: every SQL-callable cents function is strict and gives NULL for NULL.

CREATE FUNCTION pg_temp.null_results() RETURNS TABLE (fn regprocedure, is_strict bool, result_is_null bool)
LANGUAGE plpgsql AS $$
DECLARE
    f record;
    r text;
BEGIN
    FOR f IN
        SELECT p.oid, p.proisstrict, p.pronargs, p.proargtypes
          FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
               JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
         WHERE e.extname = 'cents' AND p.prokind = 'f'
           AND ('cents'::regtype = ANY (p.proargtypes) OR p.prorettype = 'cents'::regtype)
           AND (p.proname LIKE 'cents\_%' OR p.proname LIKE '%\_cents' OR p.proname = 'abs')
           AND NOT 'internal'::regtype = ANY (p.proargtypes)
    LOOP
        EXECUTE format('SELECT %s(%s)::text', f.oid::regproc,
                       (SELECT string_agg(format('NULL::%s', t::regtype), ', ')
                          FROM unnest(f.proargtypes::oid[]) AS t))
           INTO r;
        fn := f.oid;
        is_strict := f.proisstrict;
        result_is_null := r IS NULL;
        RETURN NEXT;
    END LOOP;
END
$$;
SELECT cmp_ok(count(*)::int, '>=', 30, 'all the cents functions were found') FROM pg_temp.null_results();
SELECT is(array_agg(fn ORDER BY fn::text) FILTER (WHERE NOT is_strict), NULL, 'every cents function is strict')
  FROM pg_temp.null_results();
SELECT is(array_agg(fn ORDER BY fn::text) FILTER (WHERE NOT result_is_null), NULL,
          'every cents function returns NULL for NULL arguments')
  FROM pg_temp.null_results();
SELECT is(NULL::cents + '1', NULL, 'NULL + cents');
SELECT is('1'::cents * NULL::numeric, NULL, 'cents * NULL');
SELECT is(cents_mul('1', 1, NULL), NULL, 'cents_mul with NULL mode');
SELECT is(cents_round(1.005, NULL), NULL, 'cents_round with NULL mode');
SELECT is(NULL::numeric::cents, NULL, 'NULL numeric -> cents');
SELECT is(to_json(NULL::cents)::text, NULL, 'to_json(NULL)');

SELECT * FROM finish();
ROLLBACK;
