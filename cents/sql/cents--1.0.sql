-- cents 1.0: exact money as an int64 count of minor units (1/100 of the currency's major unit),
-- with overflow-checked arithmetic (22003), exact aggregates, btree/hash operator classes and
-- casts.  Not relocatable; CREATE EXTENSION cents [SCHEMA s] installs it in s, by default the
-- first schema of the search path (public), so that the type, its operators and sum()/avg()
-- work with the default search_path.  README "The cents extension".

\echo Use "CREATE EXTENSION cents" to load this file. \quit

-- A database made with invoice 0.1 already has the type: in schema invoice, a member of the
-- invoice extension, used by its columns.  Take those objects over rather than make a second
-- type (no column is rewritten, no value changes, the OIDs stay): move them into this extension
-- and into @extschema@; the statements below then give them this version's definitions.  Then
-- ALTER EXTENSION invoice UPDATE (README "Versions and upgrades").
DO $adopt$
DECLARE
    invoice_ext oid := (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname = 'invoice');
    old_type oid := pg_catalog.to_regtype('invoice.cents');
    member record;
    obj record;
BEGIN
    IF invoice_ext IS NULL OR old_type IS NULL THEN
        RETURN;
    END IF;
    FOR member IN
        SELECT d.classid, d.objid
          FROM pg_catalog.pg_depend d
         WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = invoice_ext
           AND d.deptype = 'e'
           AND CASE d.classid
               WHEN 'pg_catalog.pg_type'::pg_catalog.regclass THEN d.objid = old_type
               WHEN 'pg_catalog.pg_proc'::pg_catalog.regclass THEN
                   EXISTS (SELECT FROM pg_catalog.pg_proc p
                            WHERE p.oid = d.objid
                              AND (p.proname ~ '^(cents_.*|int[48]_mul_cents|num_mul_cents|numeric_cents|int4_cents)$'
                                   OR (p.proname IN ('abs', 'sum', 'avg', 'min', 'max')
                                       AND p.proargtypes[0] = old_type)))
               WHEN 'pg_catalog.pg_operator'::pg_catalog.regclass THEN
                   EXISTS (SELECT FROM pg_catalog.pg_operator o
                            WHERE o.oid = d.objid AND old_type IN (o.oprleft, o.oprright))
               WHEN 'pg_catalog.pg_opclass'::pg_catalog.regclass THEN
                   EXISTS (SELECT FROM pg_catalog.pg_opclass c WHERE c.oid = d.objid AND c.opcintype = old_type)
               WHEN 'pg_catalog.pg_opfamily'::pg_catalog.regclass THEN
                   EXISTS (SELECT FROM pg_catalog.pg_opclass c WHERE c.opcfamily = d.objid AND c.opcintype = old_type)
               WHEN 'pg_catalog.pg_cast'::pg_catalog.regclass THEN
                   EXISTS (SELECT FROM pg_catalog.pg_cast c
                            WHERE c.oid = d.objid AND old_type IN (c.castsource, c.casttarget))
               ELSE false END
         -- the type first: moving it renames the others' identities
         ORDER BY d.classid <> 'pg_catalog.pg_type'::pg_catalog.regclass, d.classid, d.objid
    LOOP
        obj := pg_catalog.pg_identify_object(member.classid, member.objid, 0);
        EXECUTE pg_catalog.format('ALTER EXTENSION invoice DROP %s %s', obj.type, obj.identity);
        EXECUTE pg_catalog.format('ALTER EXTENSION cents ADD %s %s', obj.type, obj.identity);
        IF obj.schema IS DISTINCT FROM NULL AND obj.schema <> '@extschema@' THEN
            obj := pg_catalog.pg_identify_object(member.classid, member.objid, 0);
            EXECUTE pg_catalog.format('ALTER %s %s SET SCHEMA %I', obj.type, obj.identity, '@extschema@');
        END IF;
    END LOOP;
END
$adopt$;

-- the type

DO $shell$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_type t
                    WHERE t.typname = 'cents' AND t.typnamespace = '@extschema@'::pg_catalog.regnamespace) THEN
        CREATE TYPE cents;
    END IF;
END
$shell$;

CREATE OR REPLACE FUNCTION cents_in(cstring) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_out(cents) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_recv(internal) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_send(cents) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

DO $type$
BEGIN
    IF (SELECT NOT t.typisdefined FROM pg_catalog.pg_type t
         WHERE t.typname = 'cents' AND t.typnamespace = '@extschema@'::pg_catalog.regnamespace) THEN
        CREATE TYPE cents (
            INPUT = cents_in,
            OUTPUT = cents_out,
            RECEIVE = cents_recv,
            SEND = cents_send,
            INTERNALLENGTH = 8,
            PASSEDBYVALUE,
            ALIGNMENT = double,
            STORAGE = plain,
            CATEGORY = 'N'
        );
    END IF;
END
$type$;

COMMENT ON TYPE cents IS 'exact money: int64 count of 1/100 of the currency''s major unit';
COMMENT ON FUNCTION cents_in(cstring) IS 'cents text input: major units, at most two decimals, locale-free';
COMMENT ON FUNCTION cents_out(cents) IS 'cents text output: -1234.56, locale-free';
COMMENT ON FUNCTION cents_recv(internal) IS 'cents binary input: big-endian int64 minor units';
COMMENT ON FUNCTION cents_send(cents) IS 'cents binary output: big-endian int64 minor units';

-- cents comparison and hashing: the int8 implementations, called through cents.so's own
-- functions (src/cents_compare.c: a function of language internal is looked up by name at
-- every executor start)

CREATE OR REPLACE FUNCTION cents_eq(cents, cents) RETURNS bool
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE OR REPLACE FUNCTION cents_ne(cents, cents) RETURNS bool
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE OR REPLACE FUNCTION cents_lt(cents, cents) RETURNS bool
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE OR REPLACE FUNCTION cents_le(cents, cents) RETURNS bool
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE OR REPLACE FUNCTION cents_gt(cents, cents) RETURNS bool
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE OR REPLACE FUNCTION cents_ge(cents, cents) RETURNS bool
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE OR REPLACE FUNCTION cents_cmp(cents, cents) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE OR REPLACE FUNCTION cents_sortsupport(internal) RETURNS void
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_in_range(cents, cents, cents, bool, bool) RETURNS bool
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_hash(cents) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE OR REPLACE FUNCTION cents_hash_extended(cents, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE OR REPLACE FUNCTION cents_smaller(cents, cents) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_larger(cents, cents) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION cents_eq(cents, cents) IS 'implementation of = for cents';
COMMENT ON FUNCTION cents_ne(cents, cents) IS 'implementation of <> for cents';
COMMENT ON FUNCTION cents_lt(cents, cents) IS 'implementation of < for cents';
COMMENT ON FUNCTION cents_le(cents, cents) IS 'implementation of <= for cents';
COMMENT ON FUNCTION cents_gt(cents, cents) IS 'implementation of > for cents';
COMMENT ON FUNCTION cents_ge(cents, cents) IS 'implementation of >= for cents';
COMMENT ON FUNCTION cents_cmp(cents, cents) IS 'btree comparison of cents';
COMMENT ON FUNCTION cents_sortsupport(internal) IS 'btree sort support of cents';
COMMENT ON FUNCTION cents_in_range(cents, cents, cents, bool, bool) IS 'RANGE window frame offsets in cents';
COMMENT ON FUNCTION cents_hash(cents) IS 'hash of cents';
COMMENT ON FUNCTION cents_hash_extended(cents, bigint) IS 'seeded hash of cents';
COMMENT ON FUNCTION cents_smaller(cents, cents) IS 'smaller of two cents values';
COMMENT ON FUNCTION cents_larger(cents, cents) IS 'larger of two cents values';

-- cents arithmetic: overflow raises 22003, inexact results round half away from zero

CREATE OR REPLACE FUNCTION cents_pl(cents, cents) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_mi(cents, cents) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_um(cents) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION abs(cents) RETURNS cents
    AS 'MODULE_PATHNAME', 'cents_abs' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_mul_int4(cents, integer) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_mul_int8(cents, bigint) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION int4_mul_cents(integer, cents) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION int8_mul_cents(bigint, cents) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_mul_num(cents, numeric) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION num_mul_cents(numeric, cents) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_div_int4(cents, integer) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_div_int8(cents, bigint) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_div_num(cents, numeric) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_div_cents(cents, cents) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_mul(cents, numeric, rounding text) RETURNS cents
    AS 'MODULE_PATHNAME', 'cents_mul_rounded' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_div(cents, numeric, rounding text) RETURNS cents
    AS 'MODULE_PATHNAME', 'cents_div_rounded' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_round(numeric, rounding text DEFAULT 'half_away_from_zero') RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION cents_pl(cents, cents) IS 'implementation of cents + cents';
COMMENT ON FUNCTION cents_mi(cents, cents) IS 'implementation of cents - cents';
COMMENT ON FUNCTION cents_um(cents) IS 'implementation of -cents';
COMMENT ON FUNCTION abs(cents) IS 'absolute value of cents';
COMMENT ON FUNCTION cents_mul_int4(cents, integer) IS 'implementation of cents * integer';
COMMENT ON FUNCTION cents_mul_int8(cents, bigint) IS 'implementation of cents * bigint';
COMMENT ON FUNCTION int4_mul_cents(integer, cents) IS 'implementation of integer * cents';
COMMENT ON FUNCTION int8_mul_cents(bigint, cents) IS 'implementation of bigint * cents';
COMMENT ON FUNCTION cents_mul_num(cents, numeric) IS 'implementation of cents * numeric, rounded half away from zero';
COMMENT ON FUNCTION num_mul_cents(numeric, cents) IS 'implementation of numeric * cents, rounded half away from zero';
COMMENT ON FUNCTION cents_div_int4(cents, integer) IS 'implementation of cents / integer, rounded half away from zero';
COMMENT ON FUNCTION cents_div_int8(cents, bigint) IS 'implementation of cents / bigint, rounded half away from zero';
COMMENT ON FUNCTION cents_div_num(cents, numeric) IS 'implementation of cents / numeric, rounded half away from zero';
COMMENT ON FUNCTION cents_div_cents(cents, cents) IS 'implementation of cents / cents: the ratio as numeric';
COMMENT ON FUNCTION cents_mul(cents, numeric, text) IS 'cents times a factor, rounded half_away_from_zero or half_even';
COMMENT ON FUNCTION cents_div(cents, numeric, text) IS 'cents divided by a divisor, rounded half_away_from_zero or half_even';
COMMENT ON FUNCTION cents_round(numeric, text) IS 'major units to whole cents, rounded half_away_from_zero (default) or half_even';

-- cents operators and operator classes (taken over as they are from invoice 0.1)

DO $operators$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_operator o
                WHERE o.oprname = '=' AND o.oprleft = '@extschema@.cents'::pg_catalog.regtype
                  AND o.oprright = '@extschema@.cents'::pg_catalog.regtype) THEN
        RETURN;
    END IF;

    CREATE OPERATOR = (
        LEFTARG = cents, RIGHTARG = cents, FUNCTION = cents_eq,
        COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
        RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
    );
    CREATE OPERATOR <> (
        LEFTARG = cents, RIGHTARG = cents, FUNCTION = cents_ne,
        COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
        RESTRICT = neqsel, JOIN = neqjoinsel
    );
    CREATE OPERATOR < (
        LEFTARG = cents, RIGHTARG = cents, FUNCTION = cents_lt,
        COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
        RESTRICT = scalarltsel, JOIN = scalarltjoinsel
    );
    CREATE OPERATOR <= (
        LEFTARG = cents, RIGHTARG = cents, FUNCTION = cents_le,
        COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
        RESTRICT = scalarlesel, JOIN = scalarlejoinsel
    );
    CREATE OPERATOR > (
        LEFTARG = cents, RIGHTARG = cents, FUNCTION = cents_gt,
        COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
        RESTRICT = scalargtsel, JOIN = scalargtjoinsel
    );
    CREATE OPERATOR >= (
        LEFTARG = cents, RIGHTARG = cents, FUNCTION = cents_ge,
        COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
        RESTRICT = scalargesel, JOIN = scalargejoinsel
    );
    CREATE OPERATOR + (
        LEFTARG = cents, RIGHTARG = cents, FUNCTION = cents_pl,
        COMMUTATOR = OPERATOR(@extschema@.+)
    );
    CREATE OPERATOR - (
        LEFTARG = cents, RIGHTARG = cents, FUNCTION = cents_mi
    );
    CREATE OPERATOR - (
        RIGHTARG = cents, FUNCTION = cents_um
    );
    CREATE OPERATOR * (
        LEFTARG = cents, RIGHTARG = integer, FUNCTION = cents_mul_int4,
        COMMUTATOR = OPERATOR(@extschema@.*)
    );
    CREATE OPERATOR * (
        LEFTARG = integer, RIGHTARG = cents, FUNCTION = int4_mul_cents,
        COMMUTATOR = OPERATOR(@extschema@.*)
    );
    CREATE OPERATOR * (
        LEFTARG = cents, RIGHTARG = bigint, FUNCTION = cents_mul_int8,
        COMMUTATOR = OPERATOR(@extschema@.*)
    );
    CREATE OPERATOR * (
        LEFTARG = bigint, RIGHTARG = cents, FUNCTION = int8_mul_cents,
        COMMUTATOR = OPERATOR(@extschema@.*)
    );
    CREATE OPERATOR * (
        LEFTARG = cents, RIGHTARG = numeric, FUNCTION = cents_mul_num,
        COMMUTATOR = OPERATOR(@extschema@.*)
    );
    CREATE OPERATOR * (
        LEFTARG = numeric, RIGHTARG = cents, FUNCTION = num_mul_cents,
        COMMUTATOR = OPERATOR(@extschema@.*)
    );
    CREATE OPERATOR / (
        LEFTARG = cents, RIGHTARG = integer, FUNCTION = cents_div_int4
    );
    CREATE OPERATOR / (
        LEFTARG = cents, RIGHTARG = bigint, FUNCTION = cents_div_int8
    );
    CREATE OPERATOR / (
        LEFTARG = cents, RIGHTARG = numeric, FUNCTION = cents_div_num
    );
    CREATE OPERATOR / (
        LEFTARG = cents, RIGHTARG = cents, FUNCTION = cents_div_cents
    );

    -- operator classes

    CREATE OPERATOR CLASS cents_ops DEFAULT FOR TYPE cents USING btree AS
        OPERATOR 1 <,
        OPERATOR 2 <=,
        OPERATOR 3 =,
        OPERATOR 4 >=,
        OPERATOR 5 >,
        FUNCTION 1 cents_cmp(cents, cents),
        FUNCTION 2 cents_sortsupport(internal),
        FUNCTION 3 cents_in_range(cents, cents, cents, bool, bool);
    CREATE OPERATOR CLASS cents_hash_ops DEFAULT FOR TYPE cents USING hash AS
        OPERATOR 1 =,
        FUNCTION 1 cents_hash(cents),
        FUNCTION 2 cents_hash_extended(cents, bigint);
END
$operators$;

COMMENT ON OPERATOR = (cents, cents) IS 'equal';
COMMENT ON OPERATOR <> (cents, cents) IS 'not equal';
COMMENT ON OPERATOR < (cents, cents) IS 'less than';
COMMENT ON OPERATOR <= (cents, cents) IS 'less than or equal';
COMMENT ON OPERATOR > (cents, cents) IS 'greater than';
COMMENT ON OPERATOR >= (cents, cents) IS 'greater than or equal';
COMMENT ON OPERATOR + (cents, cents) IS 'add, 22003 on overflow';
COMMENT ON OPERATOR - (cents, cents) IS 'subtract, 22003 on overflow';
COMMENT ON OPERATOR - (NONE, cents) IS 'negate, 22003 on overflow';
COMMENT ON OPERATOR * (cents, integer) IS 'multiply, 22003 on overflow';
COMMENT ON OPERATOR * (integer, cents) IS 'multiply, 22003 on overflow';
COMMENT ON OPERATOR * (cents, bigint) IS 'multiply, 22003 on overflow';
COMMENT ON OPERATOR * (bigint, cents) IS 'multiply, 22003 on overflow';
COMMENT ON OPERATOR * (cents, numeric) IS 'multiply, rounded half away from zero to whole cents';
COMMENT ON OPERATOR * (numeric, cents) IS 'multiply, rounded half away from zero to whole cents';
COMMENT ON OPERATOR / (cents, integer) IS 'divide, rounded half away from zero to whole cents';
COMMENT ON OPERATOR / (cents, bigint) IS 'divide, rounded half away from zero to whole cents';
COMMENT ON OPERATOR / (cents, numeric) IS 'divide, rounded half away from zero to whole cents';
COMMENT ON OPERATOR / (cents, cents) IS 'ratio of two amounts as numeric';

COMMENT ON OPERATOR CLASS cents_ops USING btree IS 'default btree operator class for cents';
COMMENT ON OPERATOR CLASS cents_hash_ops USING hash IS 'default hash operator class for cents';

-- cents aggregates

CREATE OR REPLACE FUNCTION cents_agg_accum(internal, cents) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_agg_accum_inv(internal, cents) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_agg_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_agg_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_agg_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_sum_final(internal) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_avg_final(internal) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION cents_agg_accum(internal, cents) IS 'sum/avg transition: exact 128-bit running total and count';
COMMENT ON FUNCTION cents_agg_accum_inv(internal, cents) IS 'sum/avg inverse transition for moving window frames';
COMMENT ON FUNCTION cents_agg_combine(internal, internal) IS 'sum/avg combine function for parallel aggregation';
COMMENT ON FUNCTION cents_agg_serialize(internal) IS 'sum/avg state serialization for parallel aggregation';
COMMENT ON FUNCTION cents_agg_deserialize(bytea, internal) IS 'sum/avg state deserialization for parallel aggregation';
COMMENT ON FUNCTION cents_sum_final(internal) IS 'sum final function: NULL when no non-NULL input, 22003 when the total does not fit';
COMMENT ON FUNCTION cents_avg_final(internal) IS 'avg final function: the mean rounded half away from zero';

CREATE OR REPLACE AGGREGATE sum(cents) (
    SFUNC = cents_agg_accum, STYPE = internal, SSPACE = 32,
    FINALFUNC = cents_sum_final,
    COMBINEFUNC = cents_agg_combine,
    SERIALFUNC = cents_agg_serialize, DESERIALFUNC = cents_agg_deserialize,
    MSFUNC = cents_agg_accum, MINVFUNC = cents_agg_accum_inv,
    MSTYPE = internal, MSSPACE = 32, MFINALFUNC = cents_sum_final,
    PARALLEL = SAFE
);
CREATE OR REPLACE AGGREGATE avg(cents) (
    SFUNC = cents_agg_accum, STYPE = internal, SSPACE = 32,
    FINALFUNC = cents_avg_final,
    COMBINEFUNC = cents_agg_combine,
    SERIALFUNC = cents_agg_serialize, DESERIALFUNC = cents_agg_deserialize,
    MSFUNC = cents_agg_accum, MINVFUNC = cents_agg_accum_inv,
    MSTYPE = internal, MSSPACE = 32, MFINALFUNC = cents_avg_final,
    PARALLEL = SAFE
);
CREATE OR REPLACE AGGREGATE min(cents) (
    SFUNC = cents_smaller, STYPE = cents,
    COMBINEFUNC = cents_smaller, SORTOP = OPERATOR(@extschema@.<),
    PARALLEL = SAFE
);
CREATE OR REPLACE AGGREGATE max(cents) (
    SFUNC = cents_larger, STYPE = cents,
    COMBINEFUNC = cents_larger, SORTOP = OPERATOR(@extschema@.>),
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE sum(cents) IS 'exact total of cents; 22003 if it does not fit, NULL over no rows';
COMMENT ON AGGREGATE avg(cents) IS 'mean of cents rounded half away from zero; NULL over no rows';
COMMENT ON AGGREGATE min(cents) IS 'smallest cents value';
COMMENT ON AGGREGATE max(cents) IS 'largest cents value';

-- cents casts

CREATE OR REPLACE FUNCTION cents_numeric(cents) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION numeric_cents(numeric) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION cents_json(cents) RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION int4_cents(integer) RETURNS cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

DO $casts$
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_cast c WHERE c.castsource = '@extschema@.cents'::pg_catalog.regtype) THEN
        RETURN;
    END IF;
    CREATE CAST (cents AS numeric) WITH FUNCTION cents_numeric(cents) AS ASSIGNMENT;
    CREATE CAST (numeric AS cents) WITH FUNCTION numeric_cents(numeric) AS ASSIGNMENT;
    CREATE CAST (cents AS bigint) WITHOUT FUNCTION;
    CREATE CAST (bigint AS cents) WITHOUT FUNCTION;
    CREATE CAST (integer AS cents) WITH FUNCTION int4_cents(integer);
    CREATE CAST (cents AS json) WITH FUNCTION cents_json(cents);
END
$casts$;

COMMENT ON FUNCTION cents_numeric(cents) IS 'cents to numeric major units (12.34)';
COMMENT ON FUNCTION numeric_cents(numeric) IS 'numeric major units to cents; refuses fractional cents';
COMMENT ON FUNCTION cents_json(cents) IS 'cents as a JSON integer of minor units (the List/Describe API shape)';
COMMENT ON FUNCTION int4_cents(integer) IS 'integer minor units to cents';

COMMENT ON CAST (cents AS numeric) IS 'major units: 12.34';
COMMENT ON CAST (numeric AS cents) IS 'major units; fractional cents are refused (22023)';
COMMENT ON CAST (cents AS bigint) IS 'explicit: minor units (12.34 becomes 1234)';
COMMENT ON CAST (bigint AS cents) IS 'explicit: minor units (1234 becomes 12.34)';
COMMENT ON CAST (integer AS cents) IS 'explicit: minor units (1234 becomes 12.34)';
COMMENT ON CAST (cents AS json) IS 'integer minor units, used by to_json, json_build_object and friends';
