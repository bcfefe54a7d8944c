--
-- cents: exact money as an int64 count of minor units (SPEC §2).
-- Storage, text and binary I/O, arithmetic and its rounding, overflow,
-- casts, JSON and NULL behaviour.  Index, join and aggregate behaviour is in
-- cents_index and cents_aggregates; the port of PostgreSQL's money test is in
-- cents_money_port.
--
SET search_path = invoice, public;

-- try(query): the single value a query returns, or the SQLSTATE and message
-- of the error it raises, so that a table can show many refusals at once.
CREATE FUNCTION pg_temp.try(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE query INTO result;
    RETURN coalesce(result, 'NULL');
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

--
-- Storage: 8 bytes, passed by value, aligned and stored like bigint.
--
SELECT typname, typlen, typbyval, typalign, typstorage, typcategory, typsend, typreceive
  FROM pg_type WHERE oid = 'cents'::regtype;

--
-- Text input: major units; an optional sign, digits, at most two decimals,
-- surrounding white space allowed.  minor_units is the stored int64.
--
SELECT format('%L', input) AS input, input::cents AS cents, input::cents::bigint AS minor_units
  FROM (VALUES ('12.34'), ('-0.5'), ('7'), ('  12.34  '), (E'\t-7 '), ('+3.1'),
               ('.5'), ('5.'), ('-0'), ('-0.00'), ('0007.70'), ('0.01'), ('-0.01')) AS v(input);

-- Anything else is refused with 22P02, and the message quotes the text.
SELECT '1.005'::cents;
SELECT format('%L', input) AS input, pg_temp.try(format('SELECT %L::cents', input)) AS result
  FROM (VALUES ('1.005'), ('-0.001'), ('12.340'), ('abc'), ('12a'), ('1e3'), ('$12.34'),
               ('1,234.56'), ('(1.00)'), (''), ('   '), ('-'), ('+'), ('.'), ('-.'),
               ('1 2'), ('- 5'), ('1. 5'), ('+-1'), ('--1'), ('1.2.3'), ('NaN'),
               ('Infinity')) AS v(input);

-- Range: exactly int64 minor units.  Both edges are accepted ...
SELECT '92233720368547758.07'::cents AS max, '-92233720368547758.08'::cents AS min,
       '92233720368547758.07'::cents::bigint = 9223372036854775807 AS max_is_int64_max,
       '-92233720368547758.08'::cents::bigint = -9223372036854775808 AS min_is_int64_min;
-- ... one cent past either edge is refused with 22003, naming the text.
SELECT '92233720368547758.08'::cents;
SELECT format('%L', input) AS input, pg_temp.try(format('SELECT %L::cents', input)) AS result
  FROM (VALUES ('92233720368547758.08'), ('-92233720368547758.09'), ('92233720368547759'),
               ('100000000000000000'), ('99999999999999999999999999'),
               ('-0092233720368547758.08'), ('  92233720368547758.07  ')) AS v(input);

--
-- Text output: always two decimals, no symbol, no grouping, and it reads
-- back to the same value.
--
SELECT c AS cents, c::text AS text, c::text::cents = c AS reads_back
  FROM (VALUES ('0'::cents), ('0.05'), ('-0.05'), ('1234.56'), ('-1234.56'), ('1000000'),
               ('92233720368547758.07'), ('-92233720368547758.08')) AS v(c);

-- The locale is never consulted: the output is the same under every locale
-- this cluster knows (money, for contrast, formats with lc_monetary).
SET lc_monetary = 'C.UTF-8';
SET lc_numeric = 'C.UTF-8';
SELECT '1234.56'::cents AS cents, '-1234.56'::cents::text AS text, '1234.56'::money AS money;
SET lc_monetary = 'POSIX';
SET lc_numeric = 'POSIX';
SELECT '1234.56'::cents AS cents, '-1234.56'::cents::text AS text, '1234.56'::money AS money;
RESET lc_monetary;
RESET lc_numeric;
-- Every OS locale the cluster imported as a collation, in lc_monetary and
-- lc_numeric alike (de_DE and friends when they are installed).
DO $$
DECLARE
    locale text;
    tried int := 0;
BEGIN
    FOR locale IN SELECT collcollate FROM pg_collation WHERE collprovider = 'c' LOOP
        BEGIN
            PERFORM set_config('lc_monetary', locale, true);
            PERFORM set_config('lc_numeric', locale, true);
        EXCEPTION WHEN invalid_parameter_value THEN
            CONTINUE;
        END;
        tried := tried + 1;
        IF '1234.56'::cents::text <> '1234.56'
           OR '-1234.56'::cents::text <> '-1234.56'
           OR '1234.56'::cents <> '1234.56'::cents
           OR cents_out('1234.56')::text <> '1234.56' THEN
            RAISE EXCEPTION 'cents text I/O changed under locale %', locale;
        END IF;
    END LOOP;
    IF tried < 2 THEN
        RAISE EXCEPTION 'only % locales could be tried', tried;
    END IF;
END
$$;

--
-- Binary I/O: a big-endian int64 of minor units.
--
SELECT cents_send('12.34') AS "12.34", cents_send('-0.01') AS "-0.01",
       cents_send('92233720368547758.07') AS max, cents_send('-92233720368547758.08') AS min;

-- COPY (FORMAT binary) goes through cents_send and cents_recv.
CREATE TABLE cents_copy (id int, c cents);
INSERT INTO cents_copy VALUES (1, '12.34'), (2, '-0.01'), (3, '0'),
    (4, '92233720368547758.07'), (5, '-92233720368547758.08'), (6, NULL);
SELECT f AS copy_file, 'rm -f ' || f AS remove_copy_file
  FROM (SELECT '/tmp/invoice_cents_regress_' || pg_backend_pid() || '.bin') AS t(f) \gset
COPY (SELECT c FROM cents_copy WHERE id = 1) TO :'copy_file' (FORMAT binary);
-- header (19 bytes), one tuple: 1 field, 8 bytes, 0x4d2 = 1234, trailer -1
SELECT pg_read_binary_file(:'copy_file');
COPY cents_copy TO :'copy_file' (FORMAT binary);
CREATE TABLE cents_copy_back (id int, c cents);
COPY cents_copy_back FROM :'copy_file' (FORMAT binary);
SELECT a.id, a.c, b.c AS copied_back, a.c IS NOT DISTINCT FROM b.c AS same
  FROM cents_copy a JOIN cents_copy_back b USING (id) ORDER BY id;
-- cents_recv checks what it is given: a 4-byte integer field is refused ...
COPY (SELECT 1, 1234::integer) TO :'copy_file' (FORMAT binary);
COPY cents_copy_back FROM :'copy_file' (FORMAT binary);
-- ... and so is a numeric's wire form; a bigint field is 8 bytes of minor units.
COPY (SELECT 1, 12.34::numeric) TO :'copy_file' (FORMAT binary);
COPY cents_copy_back FROM :'copy_file' (FORMAT binary);
TRUNCATE cents_copy_back;
COPY (SELECT 7, 1234::bigint) TO :'copy_file' (FORMAT binary);
COPY cents_copy_back FROM :'copy_file' (FORMAT binary);
SELECT * FROM cents_copy_back;
DROP TABLE cents_copy, cents_copy_back;
COPY (SELECT WHERE false) TO PROGRAM :'remove_copy_file';

--
-- Arithmetic: + and - (binary and unary), abs, the six comparisons.
--
SELECT '12.34'::cents + '0.66' AS plus, '12.34'::cents - '20' AS minus,
       -'12.34'::cents AS negate, -'-0.01'::cents AS negate_negative,
       abs('-12.34'::cents) AS abs_negative, abs('12.34'::cents) AS abs_positive,
       abs('0'::cents) AS abs_zero;
SELECT a, b, a < b AS lt, a <= b AS le, a = b AS eq, a <> b AS ne, a >= b AS ge, a > b AS gt,
       cents_cmp(a, b) AS cmp
  FROM (VALUES ('1.00'::cents, '2.00'::cents), ('2.00', '1.00'), ('1.00', '1.00'),
               ('-0.01', '0.01'), ('-92233720368547758.08', '92233720368547758.07')) AS v(a, b);

-- Multiplication by integers is exact, in either operand order.
SELECT '12.34'::cents * 3 AS cents_int, 3 * '12.34'::cents AS int_cents,
       '12.34'::cents * 3::bigint AS cents_bigint, 3::bigint * '12.34'::cents AS bigint_cents,
       '12.34'::cents * -2 AS negative, '12.34'::cents * 0 AS times_zero;

-- Results that are not whole cents round half away from zero: Stripe's
-- per-line tax examples (6.45 cents -> 6, 72.6 cents -> 73) ...
SELECT '0.43'::cents * 0.15 AS "0.43 * 0.15", 0.15 * '0.43'::cents AS "0.15 * 0.43",
       '4.84'::cents * 0.15 AS "4.84 * 0.15", 0.15 * '4.84'::cents AS "0.15 * 4.84";
-- ... and ties, both signs, both rounding modes.
SELECT c, f AS factor, c * f AS "c * f", f * c AS "f * c",
       cents_mul(c, f, 'half_away_from_zero') AS half_away_from_zero,
       cents_mul(c, f, 'half_even') AS half_even
  FROM (VALUES ('0.01'::cents, 0.5), ('-0.01', 0.5), ('0.01', -0.5), ('0.03', 0.5), ('-0.03', 0.5),
               ('0.05', 0.5), ('-0.05', 0.5), ('0.05', -0.5), ('1.00', 0.125), ('-1.00', 0.125),
               ('1.00', 0.135), ('0.43', 0.15), ('4.84', 0.15), ('1.00', 0.00499),
               ('1.00', 0.00501)) AS v(c, f);
-- Division by integers and numerics rounds the same way.
SELECT c, d AS divisor, c / d AS "c / int", c / d::bigint AS "c / bigint",
       c / d::numeric AS "c / numeric", cents_div(c, d, 'half_away_from_zero') AS half_away_from_zero,
       cents_div(c, d, 'half_even') AS half_even
  FROM (VALUES ('0.01'::cents, 2), ('-0.01', 2), ('0.01', -2), ('-0.01', -2), ('0.03', 2),
               ('-0.03', 2), ('0.05', 2), ('-0.05', 2), ('0.05', -2), ('0.10', 4), ('-0.10', 4),
               ('0.10', 3), ('0.20', 3), ('-0.20', 3), ('123.45', 2), ('-123.45', 2),
               ('100.00', 7)) AS v(c, d);
SELECT '10.00'::cents / 1.5 AS "10.00 / 1.5", '10.00'::cents / 0.3 AS "10.00 / 0.3",
       '-10.00'::cents / 0.3 AS "-10.00 / 0.3", cents_div('0.01', 0.4, 'half_even') AS "0.01 / 0.4 half_even",
       cents_div('0.03', 0.4, 'half_even') AS "0.03 / 0.4 half_even";

-- cents_round: numeric major units to whole cents, both modes.
SELECT x AS major_units, cents_round(x) AS "default", cents_round(x, 'half_away_from_zero') AS half_away_from_zero,
       cents_round(x, 'half_even') AS half_even
  FROM (VALUES (0.005), (-0.005), (0.015), (-0.015), (0.025), (-0.025), (2.345), (-2.345),
               (0.0049999), (-0.0050001), (1.23), (-1.230000), (92233720368547758.07499),
               (-92233720368547758.075)) AS v(x);

-- cents / cents is a ratio, returned as numeric.
SELECT '10.00'::cents / '4.00'::cents AS ratio, '1.00'::cents / '3.00'::cents AS third,
       '-0.01'::cents / '0.02'::cents AS negative, pg_typeof('1'::cents / '1'::cents);

-- Division by zero raises 22012 for every divisor type.
SELECT '1.00'::cents / 0;
SELECT expr, pg_temp.try('SELECT ' || expr) AS result
  FROM (VALUES ($$'1.00'::cents / 0$$), ($$'1.00'::cents / 0::bigint$$), ($$'1.00'::cents / 0.0$$),
               ($$'0.00'::cents / 0::numeric$$), ($$'1.00'::cents / '0.00'::cents$$),
               ($$'0.00'::cents / '0.00'::cents$$), ($$cents_div('1.00', 0, 'half_even')$$)) AS v(expr);

-- Every result outside int64 minor units raises 22003; nothing wraps.
SELECT -'-92233720368547758.08'::cents;
SELECT expr, pg_temp.try('SELECT ' || expr) AS result
  FROM (VALUES ($$-'-92233720368547758.08'::cents$$), ($$abs('-92233720368547758.08'::cents)$$),
               ($$'92233720368547758.07'::cents + '0.01'$$), ($$'-92233720368547758.08'::cents - '0.01'$$),
               ($$'-92233720368547758.08'::cents + '-0.01'$$), ($$'0'::cents - '-92233720368547758.08'$$),
               ($$'92233720368547758.07'::cents * 2$$), ($$2 * '92233720368547758.07'::cents$$),
               ($$'92233720368547758.07'::cents * 2::bigint$$), ($$'-92233720368547758.08'::cents * -1$$),
               ($$-1::bigint * '-92233720368547758.08'::cents$$), ($$'92233720368547758.07'::cents * 1.01$$),
               ($$1.01 * '92233720368547758.07'::cents$$), ($$'92233720368547758.07'::cents * 1.0000000000000000001$$),
               ($$'92233720368547758.07'::cents * 1.00000000000000000005$$),
               ($$'-92233720368547758.08'::cents * 1.00000000000000000005$$),
               ($$'1.00'::cents * 1e30$$), ($$'-92233720368547758.08'::cents / -1$$),
               ($$'-92233720368547758.08'::cents / -1::bigint$$), ($$'-92233720368547758.08'::cents / -1.0$$),
               ($$'92233720368547758.07'::cents / 0.5$$), ($$cents_round(92233720368547758.075)$$),
               ($$cents_round(-92233720368547758.085)$$), ($$cents_round(1e20)$$),
               ($$cents_mul('92233720368547758.07', 2, 'half_even')$$),
               ($$cents_div('92233720368547758.07', 0.1, 'half_even')$$)) AS v(expr);
-- The edges themselves are reachable.
SELECT '92233720368547758.06'::cents + '0.01' AS max, '-92233720368547758.07'::cents - '0.01' AS min,
       -'92233720368547758.07'::cents AS negated_max, '-92233720368547758.08'::cents / 1 AS min_over_one,
       '-92233720368547758.08'::cents / 2 AS half_min, '92233720368547758.07'::cents * -1 AS max_times_minus_one,
       '92233720368547758.07'::cents * 1.00000000000000000004 AS max_times_a_hair;

--
-- Casts.
--
-- cents <-> numeric, in major units (assignment casts).
SELECT '12.34'::cents::numeric AS to_numeric, '-0.5'::cents::numeric AS half,
       '92233720368547758.07'::cents::numeric AS max, '-92233720368547758.08'::cents::numeric AS min,
       12.34::cents AS from_numeric, 12.3400::numeric::cents AS trailing_zeros, 7::numeric::cents AS whole,
       92233720368547758.07::cents AS from_max, (-92233720368547758.08)::cents AS from_min;
-- Fractional cents are refused (22023) unless rounded explicitly.
SELECT 12.345::cents;
SELECT cents_round(12.345) AS rounded;
SELECT expr, pg_temp.try('SELECT ' || expr) AS result
  FROM (VALUES ($$12.345::cents$$), ($$(-0.001)::cents$$), ($$0.000000001::cents$$),
               ($$92233720368547758.08::cents$$), ($$(-92233720368547758.09)::cents$$),
               ($$1e20::cents$$), ($$'NaN'::numeric::cents$$), ($$'Infinity'::numeric::cents$$),
               ($$'-Infinity'::numeric::cents$$), ($$cents_round('NaN')$$), ($$cents_round('Infinity')$$),
               ($$'1.00'::cents * 'NaN'::numeric$$), ($$'1.00'::cents * 'Infinity'::numeric$$),
               ($$'1.00'::cents / 'NaN'::numeric$$)) AS v(expr);
-- Assignment to a cents column goes through the numeric cast.
CREATE TEMP TABLE cents_assign (c cents);
INSERT INTO cents_assign VALUES (12.34), (-0.5), (7.00);
INSERT INTO cents_assign VALUES (12.345);
SELECT c FROM cents_assign;
-- bigint <-> cents and integer -> cents are explicit and count minor units.
SELECT 1234::bigint::cents AS from_bigint, '12.34'::cents::bigint AS to_bigint,
       1234::cents AS from_integer, (-1)::cents AS minus_one_cent,
       9223372036854775807::bigint::cents AS from_bigint_max,
       (-9223372036854775808)::bigint::cents AS from_bigint_min,
       2147483647::cents AS from_integer_max;
-- Being explicit, an integer is never silently taken as minor units.
INSERT INTO cents_assign VALUES (5);
-- The casts: a = assignment, e = explicit; b = binary (int64 both), f = function.
SELECT castsource::regtype, casttarget::regtype, castcontext, castmethod
  FROM pg_cast WHERE 'cents'::regtype IN (castsource, casttarget)
 ORDER BY castsource::regtype::text COLLATE "C", casttarget::regtype::text COLLATE "C";
-- cents -> text and back.
SELECT '-1234.56'::cents::text AS text, '-1234.56'::text::cents AS from_text, '7'::varchar::cents AS from_varchar;

-- JSON: integer minor units, whatever builds it.
SELECT to_json('12.34'::cents) AS to_json, to_jsonb('-0.05'::cents) AS to_jsonb,
       json_build_object('total', '450.00'::cents) AS json_build_object,
       jsonb_build_object('total', '450.00'::cents) AS jsonb_build_object,
       '12.34'::cents::json AS cast;
SELECT to_json(t) AS row_to_json, to_jsonb(ARRAY[t.c, NULL]) AS array_to_jsonb,
       jsonb_typeof(to_jsonb(t.c)) AS jsonb_type
  FROM (VALUES ('92233720368547758.07'::cents), ('-92233720368547758.08')) AS t(c)
 ORDER BY t.c;
SELECT json_agg(c ORDER BY k) AS json_agg, jsonb_agg(c ORDER BY k) AS jsonb_agg,
       json_object_agg(k, c ORDER BY k) AS json_object_agg
  FROM (VALUES ('a', '0.01'::cents), ('b', NULL), ('c', '-1.00')) AS t(k, c);

--
-- Rounding modes: only the two names; NULL like any strict argument.
--
SELECT cents_mul('1.00', 0.5, 'banker');
SELECT expr, pg_temp.try('SELECT ' || expr) AS result
  FROM (VALUES ($$cents_mul('1.00', 0.5, 'half_up')$$), ($$cents_div('1.00', 3, '')$$),
               ($$cents_round(1.005, 'HALF_EVEN')$$), ($$cents_round(1.005, ' half_even')$$),
               ($$cents_round(1.005, '')$$)) AS v(expr);

--
-- NULL: every cents function is strict, so NULL in gives NULL out.  The
-- only exceptions are the sum/avg state functions, which take the internal
-- aggregate state and cannot be called from SQL.
--
SELECT p.oid::regprocedure AS function, p.proisstrict AS strict
  FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                 JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
 WHERE e.extname = 'cents' AND p.prokind = 'f'
   AND ('cents'::regtype = ANY (p.proargtypes) OR p.prorettype = 'cents'::regtype)
   AND (p.proname LIKE 'cents\_%' OR p.proname LIKE '%\_cents' OR p.proname = 'abs')
   AND NOT p.proisstrict
 ORDER BY p.proname COLLATE "C";
SELECT expr, pg_temp.try('SELECT ' || expr) AS result
  FROM (VALUES ($$cents_in(NULL)$$), ($$cents_out(NULL)$$), ($$cents_send(NULL)$$),
               ($$NULL::cents + '1'$$), ($$'1'::cents - NULL$$), ($$-NULL::cents$$), ($$abs(NULL::cents)$$),
               ($$NULL::cents = '1'$$), ($$NULL::cents < '1'$$), ($$cents_cmp(NULL, '1')$$),
               ($$cents_hash(NULL)$$), ($$cents_hash_extended('1', NULL)$$),
               ($$cents_smaller(NULL, '1')$$), ($$cents_larger('1', NULL)$$),
               ($$NULL::cents * 2$$), ($$2 * NULL::cents$$), ($$'1'::cents * NULL::bigint$$),
               ($$NULL::bigint * '1'::cents$$), ($$'1'::cents * NULL::numeric$$), ($$NULL::numeric * '1'::cents$$),
               ($$'1'::cents / NULL::integer$$), ($$'1'::cents / NULL::bigint$$), ($$NULL::cents / 0.0$$),
               ($$'1'::cents / NULL::cents$$), ($$cents_mul(NULL, 1, 'half_even')$$),
               ($$cents_mul('1', NULL, 'half_even')$$), ($$cents_mul('1', 1, NULL)$$),
               ($$cents_div(NULL, 0, 'half_even')$$), ($$cents_div('1', 2, NULL)$$),
               ($$cents_round(NULL)$$), ($$cents_round(NULL, 'half_even')$$), ($$cents_round(1.005, NULL)$$),
               ($$NULL::cents::numeric$$), ($$NULL::numeric::cents$$), ($$NULL::cents::bigint$$),
               ($$NULL::bigint::cents$$), ($$NULL::integer::cents$$), ($$NULL::cents::json$$),
               ($$to_json(NULL::cents)$$), ($$cents_in_range(NULL, '1', '1', true, true)$$)) AS v(expr);
