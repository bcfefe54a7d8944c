--
-- gstin: India's GST identification number.  gstin_valid answers yes or
-- no; the gstin domain (through gstin_check) refuses a bad value with an
-- error saying which part is wrong.  The exhaustive tests (every
-- single-character corruption of published GSTINs) are in
-- test/pgtap/gstin.sql.
--
SET search_path = invoice, public;

--
-- Published GSTINs, taken apart: state code, PAN, entity number, Z, check
-- character.  27AAPFU0939F1ZV is python-stdnum's example; the other three
-- are from Microsoft Presidio's GSTIN recognizer tests.
--
SELECT g AS gstin, gstin_valid(g) AS valid,
       substr(g, 1, 2) AS state, substr(g, 3, 10) AS pan, substr(g, 13, 1) AS entity,
       substr(g, 14, 1) AS z, substr(g, 15, 1) AS check_char
  FROM (VALUES ('27AAPFU0939F1ZV'), ('09ACQPI2284L1Z0'), ('03AAGFL0883Q2ZW'), ('29AAHCR6226R1ZJ')) AS t(g);

-- The domain takes them as they are.
SELECT '27AAPFU0939F1ZV'::gstin;

--
-- gstin_valid never raises: false for anything else, NULL for NULL.
-- Lower case is refused, not normalised (a domain cannot change a value).
--
SELECT format('%L', v) AS value, gstin_valid(v) AS valid
  FROM (VALUES ('27AAPFU0939F1ZX'), ('27aapfu0939f1zv'), (' 27AAPFU0939F1ZV'), (''), (NULL)) AS t(v);

--
-- Every refusal is 22P02 (invalid_text_representation) and names the part
-- that is wrong, checked in this order: length, characters, state code,
-- PAN, entity number, Z, check character; lower case last, so that a
-- lower-case value is told its real fault first.
--
SELECT '27AAPFU0939F1Z'::gstin;
SELECT '27AAPFU-939F1ZV'::gstin;
SELECT '40AAPFU0939F1ZV'::gstin;
SELECT '27AAPFU09X9F1ZV'::gstin;
SELECT '27AAPFU0939F0ZV'::gstin;
SELECT '27AAPFU0939F1YV'::gstin;
SELECT '27AAPFU0939F1ZX'::gstin;
SELECT '27aapfu0939f1zv'::gstin;

-- gstin_check is what the domain calls; it raises the same errors.
SELECT gstin_check('27AAPFU0939F1ZV');
SELECT gstin_check('72AAPFU0939F1ZV');

--
-- In a table: a gstin column refuses a bad value with the same message,
-- not a bare check_violation.  "Typo" has two digits of the PAN swapped.
--
CREATE TEMP TABLE suppliers (name text PRIMARY KEY, gstin gstin NOT NULL);
INSERT INTO suppliers VALUES ('Acme', '27AAPFU0939F1ZV');
INSERT INTO suppliers VALUES ('Typo', '27AAPFU0399F1ZV');
UPDATE suppliers SET gstin = '27aapfu0939f1zv';
UPDATE suppliers SET gstin = upper('09acqpi2284l1z0') RETURNING *;

--
-- Every kind the GST portal issues, with the same check character: normal
-- taxpayers, TCS (e-commerce operators, C at 14), TDS (tax deductors, a TAN
-- or PAN and D at 14), government departments, UINs of UN bodies and
-- embassies (UN or ON), non-resident taxable persons (NR) and OIDAR
-- suppliers (state 99, OS).  gstin_kind names it; NULL when not valid.
--
SELECT g AS gstin, gstin_kind(g) AS kind
  FROM (VALUES ('27AAPFU0939F1ZV'), ('29AAACR1234L1CN'), ('27MUMA12345B1D5'), ('07DELA00001A1ZR'),
               ('0717UNO00157UNO'), ('0718USA00024ON7'), ('2720GBR00001NRH'), ('9917USA29001OSH'),
               ('0717UNO00157UNX'), (NULL)) AS t(g);

-- A normal GSTIN's PAN must carry a holder type at character 6 (its 4th).
SELECT '27AAPXU0939F1ZV'::gstin;
-- Errors name the part of the kind the value is nearest to.
SELECT '0717UN000157UNO'::gstin;
SELECT '0717UNO00157XNO'::gstin;
SELECT '2717USA29001OSH'::gstin;
