-- gstin: gstin_valid, gstin_kind, gstin_check and the gstin domain.
-- Published GSTINs are accepted and every single-character corruption of
-- them is refused, with the error naming the part that is wrong; every kind
-- the GST portal issues (normal, government, TDS, TCS, UIN, NRI, OIDAR) is
-- recognised by its pattern and the same check character; the C check
-- character agrees with an independent SQL implementation of Luhn mod 36.
\ir include/begin.sql
SET search_path = invoice, public;

SELECT plan(81);

-- Catalog -------------------------------------------------------------------

SELECT has_function('invoice', 'gstin_valid', ARRAY['text'], 'gstin_valid(text) exists');
SELECT has_function('invoice', 'gstin_check', ARRAY['text'], 'gstin_check(text) exists');
SELECT has_function('invoice', 'gstin_kind', ARRAY['text'], 'gstin_kind(text) exists');
SELECT has_domain('invoice', 'gstin', 'domain invoice.gstin exists');
SELECT domain_type_is('invoice', 'gstin', 'text', 'gstin is a domain over text');
SELECT is(
    (SELECT array_agg(format('%s %s %s %s %s', proname, prorettype::regtype, provolatile, proisstrict, proparallel)
                      ORDER BY proname)
       FROM pg_proc WHERE pronamespace = 'invoice'::regnamespace AND proname IN ('gstin_valid', 'gstin_check', 'gstin_kind')),
    ARRAY['gstin_check boolean i t s', 'gstin_kind text i t s', 'gstin_valid boolean i t s'],
    'the functions return boolean (gstin_kind text) and are IMMUTABLE STRICT PARALLEL SAFE');
SELECT is(
    (SELECT count(*)::int FROM (VALUES ('invoice.gstin_valid(text)'::regprocedure::oid, 'pg_proc'),
                                       ('invoice.gstin_check(text)'::regprocedure::oid, 'pg_proc'),
                                       ('invoice.gstin_kind(text)'::regprocedure::oid, 'pg_proc'),
                                       ('invoice.gstin'::regtype::oid, 'pg_type')) AS o(oid, cat)
      WHERE obj_description(oid, cat) IS NOT NULL),
    4, 'every gstin object has a comment');

-- Helpers -------------------------------------------------------------------

-- pg_temp.refusal(value): what casting the value to the domain raises, as
-- {sqlstate, message, detail, hint}; NULL when it is accepted.
CREATE FUNCTION pg_temp.refusal(value text) RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    st text;
    msg text;
    det text;
    hnt text;
BEGIN
    PERFORM value::invoice.gstin;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
    RETURN ARRAY[st, msg, nullif(det, ''), nullif(hnt, '')];
END
$$;

-- pg_temp.part(message): the part of a GSTIN an error message blames.
CREATE FUNCTION pg_temp.part(message text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN message ~ ': must be 15 characters long, not \d+$' THEN 'length'
        WHEN message ~ ': character \d+ \(".*"\) is not a letter or digit$' THEN 'character'
        WHEN message ~ ': state code "..?" is not a valid state code$' THEN 'state'
        WHEN message ~ ': characters 3-12 must be a PAN \(5 letters, 4 digits, a letter\)$' THEN 'PAN'
        WHEN message ~ ': characters 3-1[23] of an? [^:]+ must be [^:]+$' THEN 'PAN'
        WHEN message ~ ': characters 13-14 must be UN or ON \(UIN\), NR \(non-resident taxable person\) or OS \(OIDAR\), not ".."$' THEN 'code'
        WHEN message ~ ': character 13 \(entity number\) must be 1-9 or A-Z, not ".*"$' THEN 'entity'
        WHEN message ~ ': character 14 must be "[ZCD]", not ".*"$' THEN 'Z'
        WHEN message ~ ': state code ".." is not 99, the state code of every OIDAR registration$' THEN 'state'
        WHEN message ~ ': check character is ".", expected "[0-9A-Z]"$' THEN 'check'
        WHEN message ~ ': letters must be upper case$' THEN 'upper case'
        ELSE 'unrecognised: ' || message
    END
$$;

-- The reference check character, sharing nothing with the C code: Luhn mod
-- 36, factor 1 on odd (1-based) positions and 2 on even ones.
CREATE FUNCTION pg_temp.ref_check(body text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT substr(k.a, (36 - sum(p / 36 + p % 36)::int % 36) % 36 + 1, 1)
      FROM (SELECT '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ' AS a) k,
           LATERAL (SELECT (strpos(k.a, substr(body, i, 1)) - 1) * (2 - i % 2) AS p
                      FROM generate_series(1, 14) AS i) AS terms
     GROUP BY k.a
$$;

-- The reference kind of an upper-case GSTIN or UIN by its shape, check
-- character aside: the patterns the GST system's API publishes (README
-- "GSTIN kinds"), with the PAN's holder type (its 4th letter) for the
-- PAN-based kinds.
CREATE FUNCTION pg_temp.ref_kind(value text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT k FROM (VALUES
        ('normal',     '^#[A-Z]{3}[ABCFGHJKLPT][A-Z][0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$'),
        ('government', '^#[A-Z]{4}[0-9]{5}[A-Z][0-9]Z[0-9A-Z]$'),
        ('tds',        '^#[A-Z]{4}[A-Z0-9][0-9]{4}[A-Z][1-9A-Z]D[0-9A-Z]$'),
        ('tcs',        '^#[A-Z]{3}[ABCFGHJKLPT][A-Z][0-9]{4}[A-Z][1-9A-Z]C[0-9A-Z]$'),
        ('uin',        '^#[0-9]{2}[A-Z]{3}[0-9]{5}[UO]N[0-9A-Z]$'),
        ('nri',        '^#[0-9]{2}[A-Z]{3}[0-9]{5}NR[0-9A-Z]$'),
        ('oidar',      '^99[0-9]{2}[A-Z]{3}[0-9]{5}OS[0-9A-Z]$')) AS p(k, re)
     WHERE value ~ replace(re, '#', '(0[1-9]|[12][0-9]|3[0-8]|97|99)')
$$;
CREATE FUNCTION pg_temp.ref_shape(value text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.ref_kind(value) IS NOT NULL
$$;

-- Published GSTINs ------------------------------------------------------------

-- Each cited publicly as a valid GSTIN; each check character was verified
-- with the algorithm before it was added here.
CREATE TEMP TABLE published (gstin text PRIMARY KEY, source text NOT NULL);
INSERT INTO published VALUES
    ('27AAPFU0939F1ZV', 'python-stdnum, stdnum/in_/gstin.py doctest'),
    ('09ACQPI2284L1Z0', 'Microsoft Presidio, presidio-analyzer/tests/test_in_gstin_recognizer.py'),
    ('03AAGFL0883Q2ZW', 'Microsoft Presidio, presidio-analyzer/tests/test_in_gstin_recognizer.py'),
    ('29AAHCR6226R1ZJ', 'Microsoft Presidio, presidio-analyzer/tests/test_in_gstin_recognizer.py');

SELECT is(array_agg(gstin ORDER BY gstin) FILTER (WHERE gstin_valid(gstin) AND gstin_check(gstin)
                                                   AND pg_temp.refusal(gstin) IS NULL),
          array_agg(gstin ORDER BY gstin),
          'every published GSTIN passes gstin_valid, gstin_check and the domain')
  FROM published;
SELECT is(array_agg(gstin ORDER BY gstin) FILTER (WHERE pg_temp.ref_shape(gstin)
                                                   AND right(gstin, 1) = pg_temp.ref_check(gstin)),
          array_agg(gstin ORDER BY gstin),
          'every published GSTIN also passes the SQL reference')
  FROM published;

-- Every single-character corruption ----------------------------------------

-- Each of the 15 positions replaced by each of the 61 other characters of
-- [0-9A-Za-z]: 4 × 15 × 61 = 3660 values, one error each.
CREATE TEMP TABLE corrupted AS
SELECT p.gstin, pos, c, overlay(p.gstin PLACING c FROM pos FOR 1) AS bad
  FROM published p,
       generate_series(1, 15) AS pos,
       regexp_split_to_table('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', '') AS c
 WHERE c <> substr(p.gstin, pos, 1);
ALTER TABLE corrupted ADD COLUMN err text[];
UPDATE corrupted SET err = pg_temp.refusal(bad);

SELECT is(count(*)::int, 3660, '3660 single-character corruptions') FROM corrupted;

-- Luhn mod 36 catches every single substitution: doubling and adding the
-- base-36 digits maps 0..35 onto 0..35 one to one, so a changed character
-- always changes the sum modulo 36 (proved here by exhaustion).
SELECT is(array_agg(n ORDER BY f), ARRAY[36::bigint, 36],
          'v -> (f*v)/36 + (f*v)%36 is a permutation of 0..35 for both factors')
  FROM (SELECT f, count(DISTINCT (f * v) / 36 + (f * v) % 36) AS n
          FROM generate_series(1, 2) AS f, generate_series(0, 35) AS v GROUP BY f) AS m;

SELECT is(count(*) FILTER (WHERE gstin_valid(bad))::int, 0,
          'gstin_valid accepts none of the corruptions')
  FROM corrupted;
SELECT is(count(*) FILTER (WHERE err IS NULL)::int, 0,
          'the gstin domain accepts none of the corruptions')
  FROM corrupted;
SELECT is(count(*) FILTER (WHERE pg_temp.ref_shape(upper(bad)) AND upper(bad) <> gstin
                             AND right(upper(bad), 1) = pg_temp.ref_check(upper(bad)))::int, 0,
          'the SQL reference agrees: no corruption has a matching check character')
  FROM corrupted;
SELECT is(array_agg(DISTINCT err[1]), ARRAY['22P02'], 'every refusal is 22P02') FROM corrupted;

-- The error blames the corrupted part, or the check character when the
-- corruption still has the right shape, or only the case when upper-casing
-- gives the published GSTIN back.
SELECT is(array_agg(format('%s: %s', bad, err[2])), NULL,
          'every refusal names the part that is wrong')
  FROM corrupted
 WHERE pg_temp.part(err[2]) IS DISTINCT FROM
       CASE
           WHEN upper(bad) = gstin THEN 'upper case'
           WHEN pg_temp.ref_shape(upper(bad)) THEN 'check'
           WHEN pos <= 2 THEN 'state'
           WHEN pos <= 12 THEN 'PAN'
           WHEN pos = 13 THEN 'entity'
           WHEN pos = 14 THEN 'Z'
       END;
SELECT is(array_agg(DISTINCT pg_temp.part(err[2]) ORDER BY pg_temp.part(err[2])),
          ARRAY['PAN', 'Z', 'check', 'entity', 'state', 'upper case'],
          'the corruptions reach every part''s error')
  FROM corrupted;
-- 1567 (counted independently of this code): the corruptions of characters
-- 1-14 that still fit some kind's pattern, e.g. Z -> C or D at 14 (TCS, TDS)
-- or a digit at 7 (a government department's ID).
SELECT is(count(*) FILTER (WHERE pg_temp.part(err[2]) = 'check' AND pos < 15)::int, 1567,
          '1567 corruptions of characters 1-14 keep a shape and are caught by the check character alone')
  FROM corrupted;
SELECT is(array_agg(bad ORDER BY bad), NULL,
          'a letter that is no PAN holder type at character 6 is blamed on the PAN, naming the holder types')
  FROM corrupted
 WHERE pos = 6 AND upper(c) ~ '[A-Z]' AND upper(c) !~ '[ABCFGHJKLPT]'
   AND err[3] IS DISTINCT FROM format('Character 6 is "%s", where the PAN''s holder type belongs (one of ABCFGHJKLPT).', c);
SELECT is(array_agg(bad ORDER BY bad) FILTER (WHERE err[4] IS DISTINCT FROM format('Write it as "%s" (upper() does it).', gstin)),
          NULL, 'a value wrong only in case is told its upper-case form')
  FROM corrupted WHERE pg_temp.part(err[2]) = 'upper case';

-- Adjacent transpositions: Luhn mod 36 misses only the swap of 0 and Z
-- (values 0 and 35), and wherever those two can stand side by side in a
-- GSTIN (state code | PAN, PAN letter | digit, Z | check character),
-- swapping them breaks the structure, so every swap is refused.
SELECT is(array_agg(a || b), ARRAY['0Z'], 'the only adjacent transposition Luhn mod 36 cannot see is 0 <-> Z')
  FROM (SELECT substr(k, x + 1, 1) AS a, substr(k, y + 1, 1) AS b, x, y
          FROM (SELECT '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ' AS k) AS k,
               generate_series(0, 35) AS x, generate_series(0, 35) AS y
         WHERE x < y) AS pairs
 WHERE (x + (2 * y) / 36 + (2 * y) % 36) % 36 = (y + (2 * x) / 36 + (2 * x) % 36) % 36;
SELECT is(array_agg(swapped), NULL, 'no adjacent transposition of a published GSTIN is accepted')
  FROM (SELECT overlay(gstin PLACING substr(gstin, pos + 1, 1) || substr(gstin, pos, 1) FROM pos FOR 2) AS swapped, gstin
          FROM published, generate_series(1, 14) AS pos) AS t
 WHERE swapped <> gstin AND gstin_valid(swapped);

-- Each published GSTIN in lower case, whole.
SELECT is(array_agg(gstin) FILTER (WHERE gstin_valid(lower(gstin))), NULL, 'no published GSTIN is valid in lower case')
  FROM published;
SELECT is(pg_temp.refusal(lower(gstin)),
          ARRAY['22P02', format('invalid GSTIN "%s": letters must be upper case', lower(gstin)), NULL,
                format('Write it as "%s" (upper() does it).', gstin)],
          format('%s in lower case is refused with a hint to upper-case it', gstin))
  FROM published ORDER BY gstin;

-- Each error message ------------------------------------------------------------

SELECT is(pg_temp.refusal(value), expected, format('%L: %s', value, expected[2]))
  FROM (VALUES
    ('27AAPFU0939F1Z', ARRAY['22P02', 'invalid GSTIN "27AAPFU0939F1Z": must be 15 characters long, not 14', NULL, NULL]),
    ('27AAPFU0939F1ZVV', ARRAY['22P02', 'invalid GSTIN "27AAPFU0939F1ZVV": must be 15 characters long, not 16', NULL, NULL]),
    ('', ARRAY['22P02', 'invalid GSTIN "": must be 15 characters long, not 0', NULL, NULL]),
    (' 27AAPFU0939F1ZV', ARRAY['22P02', 'invalid GSTIN " 27AAPFU0939F1ZV": must be 15 characters long, not 16', NULL, NULL]),
    ('27AAPFU-939F1ZV', ARRAY['22P02', 'invalid GSTIN "27AAPFU-939F1ZV": character 8 ("-") is not a letter or digit', NULL, NULL]),
    ('27AAPFU0939F1Zé', ARRAY['22P02', 'invalid GSTIN "27AAPFU0939F1Zé": character 15 ("é") is not a letter or digit', NULL, NULL]),
    ('40AAPFU0939F1ZV', ARRAY['22P02', 'invalid GSTIN "40AAPFU0939F1ZV": state code "40" is not a valid state code', NULL,
                              'State codes are 01 to 38, 97 (Other Territory) and 99 (Centre Jurisdiction).']),
    ('27AAP1U0939F1ZV', ARRAY['22P02', 'invalid GSTIN "27AAP1U0939F1ZV": characters 3-12 must be a PAN (5 letters, 4 digits, a letter)',
                              'Character 6 is "1", where a letter belongs.', NULL]),
    ('27AAPFU09X9F1ZV', ARRAY['22P02', 'invalid GSTIN "27AAPFU09X9F1ZV": characters 3-12 must be a PAN (5 letters, 4 digits, a letter)',
                              'Character 10 is "X", where a digit belongs.', NULL]),
    ('27AAPFU0939F0ZV', ARRAY['22P02', 'invalid GSTIN "27AAPFU0939F0ZV": character 13 (entity number) must be 1-9 or A-Z, not "0"', NULL, NULL]),
    ('27AAPFU0939F1YV', ARRAY['22P02', 'invalid GSTIN "27AAPFU0939F1YV": character 14 must be "Z", not "Y"', NULL, NULL]),
    ('27AAPFU0939F1ZX', ARRAY['22P02', 'invalid GSTIN "27AAPFU0939F1ZX": check character is "X", expected "V"',
                              'The check character is computed from characters 1-14, so at least one of the 15 characters is wrong.', NULL]),
    ('72AAPFU0939F1ZV', ARRAY['22P02', 'invalid GSTIN "72AAPFU0939F1ZV": state code "72" is not a valid state code', NULL,
                              'State codes are 01 to 38, 97 (Other Territory) and 99 (Centre Jurisdiction).']),
    ('27AAPFU0939F1ZW', ARRAY['22P02', 'invalid GSTIN "27AAPFU0939F1ZW": check character is "W", expected "V"',
                              'The check character is computed from characters 1-14, so at least one of the 15 characters is wrong.', NULL])
  ) AS t(value, expected);

-- gstin_check raises the same error the domain does; gstin_valid never raises.
SELECT throws_ok($$SELECT invoice.gstin_check('27AAPFU0939F1ZX')$$, '22P02',
                 'invalid GSTIN "27AAPFU0939F1ZX": check character is "X", expected "V"',
                 'gstin_check raises 22P02 naming the check character');
SELECT lives_ok($$SELECT invoice.gstin_valid(v) FROM (VALUES (''), ('x'), ('27AAPFU0939F1Zé'), (repeat('9', 100000))) AS t(v)$$,
                'gstin_valid never raises');

-- State codes and entity numbers ---------------------------------------------

-- Every code 00-99 on the PAN of 27AAPFU0939F1ZV, with its right check character.
SELECT is(array_agg(code ORDER BY code) FILTER (WHERE gstin_valid(body || pg_temp.ref_check(body))),
          array_cat(ARRAY(SELECT lpad(n::text, 2, '0') FROM generate_series(1, 38) AS n), ARRAY['97', '99']),
          'the valid state codes are exactly 01-38, 97 and 99')
  FROM (SELECT lpad(n::text, 2, '0') AS code, lpad(n::text, 2, '0') || 'AAPFU0939F1Z' AS body
          FROM generate_series(0, 99) AS n) AS s;
SELECT is(array_agg(e ORDER BY e) FILTER (WHERE NOT gstin_valid(body || pg_temp.ref_check(body))), ARRAY['0'],
          'every entity number 1-9, A-Z is valid; 0 is not')
  FROM (SELECT e, '27AAPFU0939F' || e || 'Z' AS body
          FROM regexp_split_to_table('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', '') AS e) AS s;

-- Generated, not published: the last state code, both special codes, and a
-- letter as entity number.
SELECT ok(gstin_valid(v), format('%s (generated) is valid', v))
  FROM (VALUES ('38AAPFU0939F1ZS'), ('97AAPFU0939F1ZO'), ('99AAPFU0939F1ZK'), ('27AAPFU0939FZZX')) AS t(v);

-- Kinds -------------------------------------------------------------------------

-- One number of each kind.  0717UNO00157UNO is the UIN the GST portal's
-- UN-body guides show; the others are generated from the published
-- patterns (README "GSTIN kinds"), each with the check character the SQL
-- reference computes.
CREATE TEMP TABLE kinds (gstin text PRIMARY KEY, kind text NOT NULL);
INSERT INTO kinds VALUES
    ('27AAPFU0939F1ZV', 'normal'),
    ('07DELA00001A1ZR', 'government'),
    ('27MUMA12345B1D5', 'tds'),
    ('07AABCA1234D1DO', 'tds'),
    ('29AAACR1234L1CN', 'tcs'),
    ('0717UNO00157UNO', 'uin'),
    ('0718USA00024ON7', 'uin'),
    ('2720GBR00001NRH', 'nri'),
    ('9917USA29001OSH', 'oidar');

SELECT is(array_agg(gstin ORDER BY gstin) FILTER (WHERE gstin_kind(gstin) IS DISTINCT FROM kind), NULL,
          'gstin_kind names the kind of every example') FROM kinds;
SELECT is(array_agg(gstin ORDER BY gstin) FILTER (WHERE NOT (gstin_valid(gstin) AND gstin_check(gstin)
                                                   AND pg_temp.refusal(gstin) IS NULL)), NULL,
          'every kind passes gstin_valid, gstin_check and the domain') FROM kinds;
SELECT is(array_agg(gstin ORDER BY gstin) FILTER (WHERE pg_temp.ref_kind(gstin) IS DISTINCT FROM kind
                                                   OR right(gstin, 1) <> pg_temp.ref_check(gstin)), NULL,
          'the SQL reference reads the same kinds and the same check characters') FROM kinds;
SELECT is(ARRAY[gstin_kind(NULL), gstin_kind(''), gstin_kind('0717uno00157uno'), gstin_kind('0717UNO00157UNX'),
                gstin_kind('27AAPXU0939F1ZV'), gstin_kind(repeat('9', 100000))],
          ARRAY[NULL, NULL, NULL, NULL, NULL, NULL]::text[],
          'gstin_kind is NULL for NULL, empty, lower case, a wrong check character, a bad holder type, garbage');

-- Every single-character corruption of every kind's example is refused with
-- an error naming a part, and so is every adjacent transposition.
CREATE TEMP TABLE kind_corrupted AS
SELECT k.gstin, k.kind, pos, c, overlay(k.gstin PLACING c FROM pos FOR 1) AS bad
  FROM kinds k, generate_series(1, 15) AS pos,
       regexp_split_to_table('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', '') AS c
 WHERE c <> substr(k.gstin, pos, 1);
ALTER TABLE kind_corrupted ADD COLUMN err text[];
UPDATE kind_corrupted SET err = pg_temp.refusal(bad);
SELECT is(count(*) FILTER (WHERE err IS NULL OR gstin_valid(bad))::int, 0,
          format('none of the %s single-character corruptions of the kinds is accepted', count(*)))
  FROM kind_corrupted;
SELECT is(array_agg(DISTINCT err[2]) FILTER (WHERE pg_temp.part(err[2]) LIKE 'unrecognised%'), NULL,
          'every refusal names a part') FROM kind_corrupted;
SELECT is(array_agg(DISTINCT pg_temp.part(err[2]) ORDER BY pg_temp.part(err[2])),
          ARRAY['PAN', 'Z', 'check', 'code', 'entity', 'state', 'upper case'],
          'the kinds'' corruptions reach every part''s error') FROM kind_corrupted;
SELECT is(array_agg(bad ORDER BY bad), NULL,
          'a corruption that fits a kind''s pattern is blamed on the check character')
  FROM kind_corrupted WHERE pg_temp.ref_shape(upper(bad)) AND upper(bad) <> gstin AND pg_temp.part(err[2]) <> 'check';
SELECT is(array_agg(swapped), NULL, 'no adjacent transposition of any kind''s example is accepted')
  FROM (SELECT overlay(gstin PLACING substr(gstin, pos + 1, 1) || substr(gstin, pos, 1) FROM pos FOR 2) AS swapped, gstin
          FROM kinds, generate_series(1, 14) AS pos) AS t
 WHERE swapped <> gstin AND gstin_valid(swapped);

-- The messages of the kinds' parts.
SELECT is(pg_temp.refusal(value), expected, format('%L: %s', value, expected[2]))
  FROM (VALUES
    ('0717UNO00157UNX', ARRAY['22P02', 'invalid GSTIN "0717UNO00157UNX": check character is "X", expected "O"',
                              'The check character is computed from characters 1-14, so at least one of the 15 characters is wrong.', NULL]),
    ('0717UN000157UNO', ARRAY['22P02', 'invalid GSTIN "0717UN000157UNO": characters 3-12 of a UIN must be 2 digits, 3 letters and 5 digits',
                              'Character 7 is "0", where a letter belongs.', NULL]),
    ('0717UNO00157XNO', ARRAY['22P02', 'invalid GSTIN "0717UNO00157XNO": characters 13-14 must be UN or ON (UIN), NR (non-resident taxable person) or OS (OIDAR), not "XN"', NULL, NULL]),
    ('2720GBR0000XNRH', ARRAY['22P02', 'invalid GSTIN "2720GBR0000XNRH": characters 3-12 of a non-resident taxable person''s GSTIN must be 2 digits, 3 letters and 5 digits',
                              'Character 12 is "X", where a digit belongs.', NULL]),
    ('2717USA29001OSH', ARRAY['22P02', 'invalid GSTIN "2717USA29001OSH": state code "27" is not 99, the state code of every OIDAR registration', NULL, NULL]),
    ('9917US429001OSH', ARRAY['22P02', 'invalid GSTIN "9917US429001OSH": characters 3-12 of an OIDAR GSTIN must be 2 digits, 3 letters and 5 digits',
                              'Character 7 is "4", where a letter belongs.', NULL]),
    ('07DELA0000AA1ZR', ARRAY['22P02', 'invalid GSTIN "07DELA0000AA1ZR": characters 3-13 of a government department''s ID must be 4 letters, 5 digits, a letter and a digit',
                              'Character 11 is "A", where a digit belongs.', NULL]),
    ('27MUM112345B1D5', ARRAY['22P02', 'invalid GSTIN "27MUM112345B1D5": characters 3-12 of a TDS registration must be a TAN or PAN (4 letters, a letter or digit, 4 digits, a letter)',
                              'Character 6 is "1", where a letter belongs.', NULL]),
    ('29AAAXR1234L1CN', ARRAY['22P02', 'invalid GSTIN "29AAAXR1234L1CN": characters 3-12 must be a PAN (5 letters, 4 digits, a letter)',
                              'Character 6 is "X", where the PAN''s holder type belongs (one of ABCFGHJKLPT).', NULL]),
    ('27AAPXU0939F1ZV', ARRAY['22P02', 'invalid GSTIN "27AAPXU0939F1ZV": characters 3-12 must be a PAN (5 letters, 4 digits, a letter)',
                              'Character 6 is "X", where the PAN''s holder type belongs (one of ABCFGHJKLPT).', NULL]),
    ('29AAACR1234L1XN', ARRAY['22P02', 'invalid GSTIN "29AAACR1234L1XN": character 14 must be "Z", not "X"', NULL, NULL]),
    ('0717uno00157uno', ARRAY['22P02', 'invalid GSTIN "0717uno00157uno": letters must be upper case', NULL,
                              'Write it as "0717UNO00157UNO" (upper() does it).'])
  ) AS t(value, expected);

-- Holder types: exactly A, B, C, F, G, H, J, K, L, P and T are accepted at
-- character 6 of a normal GSTIN (python-stdnum's stdnum/in_/pan.py list).
SELECT is(string_agg(t, '' ORDER BY t) FILTER (WHERE gstin_valid(body || pg_temp.ref_check(body))), 'ABCFGHJKLPT',
          'the PAN holder types of a normal GSTIN are exactly ABCFGHJKLPT')
  FROM (SELECT t, '27AAP' || t || 'U0939F1Z' AS body
          FROM regexp_split_to_table('ABCDEFGHIJKLMNOPQRSTUVWXYZ', '') AS t) AS s;

-- C against the SQL reference -----------------------------------------------------

-- 3000 bodies drawn from md5, each with all 36 possible check characters:
-- exactly the one the reference computes is accepted.
CREATE TEMP TABLE bodies AS
SELECT n, s.code || pan || e || 'Z' AS body
  FROM generate_series(1, 3000) AS n,
       LATERAL (SELECT decode(md5(n::text), 'hex') AS h) AS r,
       LATERAL (SELECT (ARRAY(SELECT lpad(x::text, 2, '0') FROM generate_series(1, 38) AS x) || ARRAY['97', '99'])
                       [get_byte(r.h, 0) % 40 + 1] AS code) AS s,
       LATERAL (SELECT string_agg(CASE WHEN i BETWEEN 6 AND 9
                                       THEN chr(48 + get_byte(r.h, i) % 10)
                                       WHEN i = 4
                                       THEN substr('ABCFGHJKLPT', get_byte(r.h, i) % 11 + 1, 1)
                                       ELSE chr(65 + get_byte(r.h, i) % 26) END, '' ORDER BY i) AS pan
                  FROM generate_series(1, 10) AS i) AS p,
       LATERAL (SELECT substr('123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', get_byte(r.h, 11) % 35 + 1, 1) AS e) AS q;

SELECT is(count(*)::int, 0, 'for 3000 bodies, gstin_valid accepts exactly the check character the SQL reference computes')
  FROM bodies, regexp_split_to_table('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', '') AS c
 WHERE gstin_valid(body || c) <> (c = pg_temp.ref_check(body));
SELECT is(count(DISTINCT pg_temp.ref_check(body))::int, 36, 'the bodies reach all 36 check characters') FROM bodies;

-- NULL and columns -------------------------------------------------------------

SELECT is(gstin_valid(NULL), NULL, 'gstin_valid(NULL) is NULL');
SELECT is(gstin_check(NULL), NULL, 'gstin_check(NULL) is NULL');
SELECT is(NULL::gstin, NULL, 'the domain admits NULL (columns add NOT NULL where needed)');

CREATE TEMP TABLE registrations (id int PRIMARY KEY, gstin invoice.gstin NOT NULL);
SELECT lives_ok($$INSERT INTO registrations VALUES (1, '27AAPFU0939F1ZV')$$, 'a gstin column takes a valid GSTIN');
SELECT throws_ok($$INSERT INTO registrations VALUES (2, '27AAPFU0939F1ZX')$$, '22P02',
                 'invalid GSTIN "27AAPFU0939F1ZX": check character is "X", expected "V"',
                 'a gstin column refuses a mis-checksummed value with the specific error, not 23514');
SELECT throws_ok($$UPDATE registrations SET gstin = '27aapfu0939f1zv' WHERE id = 1$$, '22P02',
                 'invalid GSTIN "27aapfu0939f1zv": letters must be upper case',
                 'an UPDATE to lower case is refused');
SELECT lives_ok($$UPDATE registrations SET gstin = upper('27aapfu0939f1zv') WHERE id = 1$$,
                'upper() makes it acceptable');
SELECT throws_ok($$SELECT '27AAPFU0939F1ZX'::text::invoice.gstin$$, '22P02', NULL,
                 'a text cast to gstin is checked');

SELECT * FROM finish();
ROLLBACK;
