-- test/demo.sql — a guided tour of the invoice extension (`make demo` runs it).
--
-- test/demo.sh runs this with psql --echo-all in a throwaway cluster, so every
-- statement is printed before its result.  Conventions for new sections:
--   * start a section with  \echo  and a heading (see below);
--   * a statement that is MEANT to fail carries, on its last line (the one with
--     the semicolon), the comment  -- expect ERROR <SQLSTATE>
--     demo.sh checks that exactly those statements fail, with that SQLSTATE, and
--     fails the demo on any other error;
--   * create demo objects in schema public, never in schema invoice.

\set ON_ERROR_STOP 0
\set VERBOSITY verbose
\set SHOW_CONTEXT never

\echo
\echo '================================================================'
\echo ' 1. Install the extension'
\echo '================================================================'
CREATE EXTENSION invoice;
SET search_path = invoice, public;
SELECT extname, extversion, extnamespace::regnamespace AS schema
  FROM pg_extension WHERE extname = 'invoice';

\echo
\echo '================================================================'
\echo ' 2. cents: exact money, stored as a 64-bit count of cents'
\echo '================================================================'
\echo 'Text in: optional sign, at most two decimals, spaces around allowed.'
\echo 'Text out: always two decimals, no symbol, no grouping, whatever the locale.'
SELECT '12.34'::cents AS a, '-0.5'::cents AS b, ' 7 '::cents AS c;
SELECT '12.34'::cents::bigint AS minor_units, 1234::bigint::cents AS from_minor_units;

\echo
\echo 'No silent rounding on input: bad text is refused, naming the text.'
SELECT '1.234'::cents;  -- expect ERROR 22P02
SELECT '12 dollars'::cents;  -- expect ERROR 22P02

\echo
\echo '================================================================'
\echo ' 3. Arithmetic'
\echo '================================================================'
SELECT '12.34'::cents + '0.66'    AS plus,
       '12.34'::cents - '20.00'   AS minus,
       -'12.34'::cents            AS negate,
       abs('-12.34'::cents)       AS abs,
       '12.34'::cents * 3         AS times_int,
       '10.00'::cents / 3         AS divided_by_int,
       '10.00'::cents / '4.00'::cents AS ratio;

\echo
\echo '================================================================'
\echo ' 4. Rounding: whole cents, half away from zero by default'
\echo '================================================================'
\echo 'Stripe''s per-line tax examples, 15 % tax on 0.43 and on 4.84:'
SELECT '0.43'::cents * 0.15 AS "0.43 x 0.15 = 0.0645",
       '4.84'::cents * 0.15 AS "4.84 x 0.15 = 0.726";
\echo 'A tie: half of 0.05 is 0.025 — away from zero by default, to even on request.'
SELECT '0.05'::cents * 0.5                   AS "0.05 x 0.5",
       cents_mul('0.05', 0.5, 'half_even')    AS "0.05 x 0.5, half_even",
       cents_round(2.675)                     AS "round 2.675",
       cents_round(2.665, 'half_even')        AS "round 2.665, half_even";

\echo
\echo '================================================================'
\echo ' 5. Aggregates over a million rows: sum(cents) vs sum(bigint)'
\echo '================================================================'
CREATE TABLE public.demo_amounts AS
SELECT ((i::bigint * 7919) % 100000)         AS amount_bigint,
       ((i::bigint * 7919) % 100000)::cents   AS amount
  FROM generate_series(1, 1000000) AS i;
VACUUM ANALYZE public.demo_amounts;
\timing on
SELECT sum(amount), avg(amount), min(amount), max(amount) FROM public.demo_amounts;
SELECT sum(amount_bigint), avg(amount_bigint), min(amount_bigint), max(amount_bigint) FROM public.demo_amounts;
SELECT sum(amount) FROM public.demo_amounts;
SELECT sum(amount_bigint) FROM public.demo_amounts;
\timing off
\echo 'Same total, in cents:'
SELECT sum(amount)::bigint = sum(amount_bigint) AS same_total FROM public.demo_amounts;

\echo
\echo '================================================================'
\echo ' 6. JSON: cents become integer minor units'
\echo '================================================================'
SELECT to_json('450.00'::cents) AS total;
SELECT json_build_object('subtotal', '400.00'::cents, 'tax', '50.00'::cents,
                         'total', '450.00'::cents) AS invoice_amounts;

\echo
\echo '================================================================'
\echo ' 7. Overflow is refused, never wrapped (SQLSTATE 22003)'
\echo '================================================================'
SELECT '92233720368547758.07'::cents AS largest;
SELECT '92233720368547758.07'::cents + '0.01';  -- expect ERROR 22003
SELECT '92233720368547758.08'::cents;  -- expect ERROR 22003
SELECT sum(amount * 100000000000) FROM public.demo_amounts;  -- expect ERROR 22003

\echo
\echo 'End of the tour.'
