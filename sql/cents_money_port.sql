--
-- cents_money_port: PostgreSQL's own regression test of the money type,
-- src/test/regress/sql/money.sql, ported case group by case group to cents.
-- Where the two types part ways the comment says so; money's answer is shown
-- beside cents' where the contrast is the point.  The differences:
--   * input never rounds: money rounds '123.455' to $123.46, cents refuses
--     anything but at most two decimals (22P02), so nothing is lost unseen;
--   * no currency symbol, grouping or parentheses, in or out, no locale;
--   * division rounds half away from zero, where money truncates;
--   * an integer cast to cents counts minor units (money: major units);
--   * no floating-point operands: cents never computes in binary fractions.
--
SET search_path = invoice, public;
-- money, like its test, assumes lc_monetary C; cents never looks.
SET lc_monetary = 'C';

CREATE TABLE cents_data (m cents);

INSERT INTO cents_data VALUES ('123');
SELECT * FROM cents_data;
SELECT m + '123' FROM cents_data;
SELECT m + '123.45' FROM cents_data;
SELECT m - '123.45' FROM cents_data;
-- money / money is a float8; cents / cents is an exact numeric.
SELECT m / '2'::cents FROM cents_data;
SELECT m * 2 FROM cents_data;
SELECT 2 * m FROM cents_data;
SELECT m / 2 FROM cents_data;
-- money has smallint operators; cents has none, so a smallint operand is
-- ambiguous between integer, bigint and numeric and must be cast.
SELECT m * 2::int2 FROM cents_data;
SELECT m * 2::int2::int4 FROM cents_data;
SELECT 2::int2::int4 * m FROM cents_data;
SELECT m / 2::int2::int4 FROM cents_data;
SELECT m * 2::int8 FROM cents_data;
SELECT 2::int8 * m FROM cents_data;
SELECT m / 2::int8 FROM cents_data;
-- money takes float8 and float4 operands; cents refuses them ...
SELECT m * 2::float8 FROM cents_data;
SELECT 2::float4 * m FROM cents_data;
SELECT m / 2::float8 FROM cents_data;
-- ... and takes exact numeric ones instead, in either order.
SELECT m * 2.0 FROM cents_data;
SELECT 2.0 * m FROM cents_data;
SELECT m / 2.0 FROM cents_data;

-- All true (money's test writes '$123.00': cents refuses the symbol, below)
SELECT m = '123.00' FROM cents_data;
SELECT m != '124.00' FROM cents_data;
SELECT m <= '123.00' FROM cents_data;
SELECT m >= '123.00' FROM cents_data;
SELECT m < '124.00' FROM cents_data;
SELECT m > '122.00' FROM cents_data;

-- All false
SELECT m = '123.01' FROM cents_data;
SELECT m != '123.00' FROM cents_data;
SELECT m <= '122.99' FROM cents_data;
SELECT m >= '123.01' FROM cents_data;
SELECT m > '124.00' FROM cents_data;
SELECT m < '122.00' FROM cents_data;

SELECT m = '$123.00' FROM cents_data;

-- cashlarger/cashsmaller: cents_larger/cents_smaller, behind max/min and
-- GREATEST/LEAST.  (cash_words has no counterpart.)
SELECT cents_larger(m, '124.00') FROM cents_data;
SELECT cents_smaller(m, '124.00') FROM cents_data;
SELECT greatest(m, '124.00'), least(m, '124.00') FROM cents_data;

DELETE FROM cents_data;
INSERT INTO cents_data VALUES ('123.45');
SELECT * FROM cents_data;

-- money rounds every one of these to two decimals; cents refuses them all
-- and keeps what it had.
DELETE FROM cents_data;
INSERT INTO cents_data VALUES ('123.451');
SELECT * FROM cents_data;

DELETE FROM cents_data;
INSERT INTO cents_data VALUES ('123.454');
SELECT * FROM cents_data;

DELETE FROM cents_data;
INSERT INTO cents_data VALUES ('123.455');
SELECT * FROM cents_data;

DELETE FROM cents_data;
INSERT INTO cents_data VALUES ('123.456');
SELECT * FROM cents_data;

DELETE FROM cents_data;
INSERT INTO cents_data VALUES ('123.459');
SELECT * FROM cents_data;

-- The classic half-cent: money silently rounds, cents refuses.
SELECT '1.005'::money AS money;
SELECT '1.005'::cents;
-- Rounding is available, but must be asked for.
SELECT v AS input, v::money AS money, cents_round(v) AS cents_round,
       cents_round(v, 'half_even') AS half_even
  FROM (VALUES (123.451), (123.454), (123.455), (123.456), (123.459), (1.005), (-1.005)) AS t(v);

-- input checks
SELECT '1234567890'::cents;
SELECT '12345678901234567'::cents;
SELECT '123456789012345678'::cents;
SELECT '9223372036854775807'::cents;
SELECT '-12345'::cents;
SELECT '-1234567890'::cents;
SELECT '-12345678901234567'::cents;
SELECT '-123456789012345678'::cents;
SELECT '-9223372036854775808'::cents;

-- special characters: money reads parentheses as a minus sign and skips
-- '$' and ','; cents reads none of them.
SELECT '(1)'::cents;
SELECT '($123,456.78)'::cents;

-- documented minimums and maximums
SELECT '-92233720368547758.08'::cents;
SELECT '92233720368547758.07'::cents;

SELECT '-92233720368547758.09'::cents;
SELECT '92233720368547758.08'::cents;

-- rounding: money rounds these past the range (22003); for cents the third
-- decimal is already a syntax error.
SELECT '-92233720368547758.085'::cents;
SELECT '92233720368547758.075'::cents;

-- rounding vs. truncation in division: 878.08 / 11 = 79.8254...
-- money truncates when dividing by an integer and rounds when dividing by a
-- float; cents rounds half away from zero whatever the divisor.
SELECT '878.08'::money / 11::bigint AS money_bigint, '878.08'::money / 11::float8 AS money_float8,
       '878.08'::cents / 11::bigint AS cents_bigint, '878.08'::cents / 11 AS cents_int,
       '878.08'::cents / 11.0 AS cents_numeric;
SELECT '878.08'::cents / 11::float8;
SELECT '878.08'::cents / 11::smallint;
-- 123.45 / 2 = 61.725 exactly: money truncates toward zero, cents rounds
-- half away from zero, the same way for either sign.
SELECT '123.45'::money / 2 AS money, '123.45'::cents / 2 AS cents,
       '-123.45'::money / 2 AS money_negative, '-123.45'::cents / 2 AS cents_negative,
       cents_div('123.45', 2, 'half_even') AS half_even;

-- check for precision loss in division
SELECT '90000000000000099.00'::cents / 10::bigint;
SELECT '90000000000000099.00'::cents / 10::int;
SELECT '90000000000000099.00'::cents / 10.0;
SELECT '90000000000000099.00'::cents / '10.00'::cents;

-- Cast int4/int8/numeric to cents: integers are minor units (money: major
-- units), numerics are major units, as for money.
SELECT 1234567890::money AS money, 1234567890::cents AS cents;
SELECT 12345678901234567::money AS money, 12345678901234567::cents AS cents;
SELECT (-12345)::cents;
SELECT (-1234567890)::cents;
SELECT (-12345678901234567)::cents;
SELECT 1234567890::int4::cents;
SELECT 12345678901234567::int8::cents;
SELECT 12345678901234567::numeric::cents;
SELECT (-1234567890)::int4::cents;
SELECT (-12345678901234567)::int8::cents;
SELECT (-12345678901234567)::numeric::cents;
-- both extremes, each way
SELECT 9223372036854775807::int8::cents AS int8_max, (-9223372036854775808)::int8::cents AS int8_min,
       2147483647::int4::cents AS int4_max, (-2147483648)::int4::cents AS int4_min;
SELECT 92233720368547758.07::numeric::cents AS numeric_max, (-92233720368547758.08)::numeric::cents AS numeric_min;
SELECT 92233720368547758.08::numeric::cents;
SELECT (-92233720368547758.09)::numeric::cents;

-- Cast from cents to numeric
SELECT '12345678901234567'::cents::numeric;
SELECT '-12345678901234567'::cents::numeric;
SELECT '92233720368547758.07'::cents::numeric;
SELECT '-92233720368547758.08'::cents::numeric;
-- and to bigint (minor units), at both extremes
SELECT '92233720368547758.07'::cents::int8 AS max, '-92233720368547758.08'::cents::int8 AS min;

-- Overflow: every cents operation checks (money's did not always); one
-- cent past either end raises 22003.
SELECT '92233720368547758.07'::cents + '0.01'::cents;
SELECT '-92233720368547758.08'::cents - '0.01'::cents;
SELECT '92233720368547758.07'::cents * 2;
SELECT '-92233720368547758.08'::cents * -1::int8;
SELECT '-92233720368547758.08'::cents / -1;
SELECT '92233720368547758.07'::cents * 1.5;
SELECT 92233720368547758.07::cents * 2;

DROP TABLE cents_data;
