-- cents type: exact money as int64 minor units

CREATE TYPE invoice.cents;

CREATE FUNCTION invoice.cents_in(cstring) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_out(invoice.cents) RETURNS cstring
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_recv(internal) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_send(invoice.cents) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE invoice.cents (
    INPUT = invoice.cents_in,
    OUTPUT = invoice.cents_out,
    RECEIVE = invoice.cents_recv,
    SEND = invoice.cents_send,
    INTERNALLENGTH = 8,
    PASSEDBYVALUE,
    ALIGNMENT = double,
    STORAGE = plain,
    CATEGORY = 'N'
);
COMMENT ON TYPE invoice.cents IS 'exact money: int64 count of 1/100 of the currency''s major unit';
COMMENT ON FUNCTION invoice.cents_in(cstring) IS 'cents text input: major units, at most two decimals, locale-free';
COMMENT ON FUNCTION invoice.cents_out(invoice.cents) IS 'cents text output: -1234.56, locale-free';
COMMENT ON FUNCTION invoice.cents_recv(internal) IS 'cents binary input: big-endian int64 minor units';
COMMENT ON FUNCTION invoice.cents_send(invoice.cents) IS 'cents binary output: big-endian int64 minor units';

-- cents comparison and hashing: the int8 implementations, reused as they are

CREATE FUNCTION invoice.cents_eq(invoice.cents, invoice.cents) RETURNS bool
    AS 'int8eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION invoice.cents_ne(invoice.cents, invoice.cents) RETURNS bool
    AS 'int8ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION invoice.cents_lt(invoice.cents, invoice.cents) RETURNS bool
    AS 'int8lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION invoice.cents_le(invoice.cents, invoice.cents) RETURNS bool
    AS 'int8le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION invoice.cents_gt(invoice.cents, invoice.cents) RETURNS bool
    AS 'int8gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION invoice.cents_ge(invoice.cents, invoice.cents) RETURNS bool
    AS 'int8ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION invoice.cents_cmp(invoice.cents, invoice.cents) RETURNS integer
    AS 'btint8cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION invoice.cents_sortsupport(internal) RETURNS void
    AS 'btint8sortsupport' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_in_range(invoice.cents, invoice.cents, invoice.cents, bool, bool) RETURNS bool
    AS 'in_range_int8_int8' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_hash(invoice.cents) RETURNS integer
    AS 'hashint8' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION invoice.cents_hash_extended(invoice.cents, bigint) RETURNS bigint
    AS 'hashint8extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION invoice.cents_smaller(invoice.cents, invoice.cents) RETURNS invoice.cents
    AS 'int8smaller' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_larger(invoice.cents, invoice.cents) RETURNS invoice.cents
    AS 'int8larger' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION invoice.cents_eq(invoice.cents, invoice.cents) IS 'implementation of = for cents';
COMMENT ON FUNCTION invoice.cents_ne(invoice.cents, invoice.cents) IS 'implementation of <> for cents';
COMMENT ON FUNCTION invoice.cents_lt(invoice.cents, invoice.cents) IS 'implementation of < for cents';
COMMENT ON FUNCTION invoice.cents_le(invoice.cents, invoice.cents) IS 'implementation of <= for cents';
COMMENT ON FUNCTION invoice.cents_gt(invoice.cents, invoice.cents) IS 'implementation of > for cents';
COMMENT ON FUNCTION invoice.cents_ge(invoice.cents, invoice.cents) IS 'implementation of >= for cents';
COMMENT ON FUNCTION invoice.cents_cmp(invoice.cents, invoice.cents) IS 'btree comparison of cents';
COMMENT ON FUNCTION invoice.cents_sortsupport(internal) IS 'btree sort support of cents';
COMMENT ON FUNCTION invoice.cents_in_range(invoice.cents, invoice.cents, invoice.cents, bool, bool) IS 'RANGE window frame offsets in cents';
COMMENT ON FUNCTION invoice.cents_hash(invoice.cents) IS 'hash of cents';
COMMENT ON FUNCTION invoice.cents_hash_extended(invoice.cents, bigint) IS 'seeded hash of cents';
COMMENT ON FUNCTION invoice.cents_smaller(invoice.cents, invoice.cents) IS 'smaller of two cents values';
COMMENT ON FUNCTION invoice.cents_larger(invoice.cents, invoice.cents) IS 'larger of two cents values';

-- cents arithmetic: overflow raises 22003, inexact results round half away from zero

CREATE FUNCTION invoice.cents_pl(invoice.cents, invoice.cents) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_mi(invoice.cents, invoice.cents) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_um(invoice.cents) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.abs(invoice.cents) RETURNS invoice.cents
    AS 'MODULE_PATHNAME', 'cents_abs' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_mul_int4(invoice.cents, integer) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_mul_int8(invoice.cents, bigint) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.int4_mul_cents(integer, invoice.cents) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.int8_mul_cents(bigint, invoice.cents) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_mul_num(invoice.cents, numeric) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.num_mul_cents(numeric, invoice.cents) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_div_int4(invoice.cents, integer) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_div_int8(invoice.cents, bigint) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_div_num(invoice.cents, numeric) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_div_cents(invoice.cents, invoice.cents) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_mul(invoice.cents, numeric, rounding text) RETURNS invoice.cents
    AS 'MODULE_PATHNAME', 'cents_mul_rounded' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_div(invoice.cents, numeric, rounding text) RETURNS invoice.cents
    AS 'MODULE_PATHNAME', 'cents_div_rounded' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_round(numeric, rounding text DEFAULT 'half_away_from_zero') RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION invoice.cents_pl(invoice.cents, invoice.cents) IS 'implementation of cents + cents';
COMMENT ON FUNCTION invoice.cents_mi(invoice.cents, invoice.cents) IS 'implementation of cents - cents';
COMMENT ON FUNCTION invoice.cents_um(invoice.cents) IS 'implementation of -cents';
COMMENT ON FUNCTION invoice.abs(invoice.cents) IS 'absolute value of cents';
COMMENT ON FUNCTION invoice.cents_mul_int4(invoice.cents, integer) IS 'implementation of cents * integer';
COMMENT ON FUNCTION invoice.cents_mul_int8(invoice.cents, bigint) IS 'implementation of cents * bigint';
COMMENT ON FUNCTION invoice.int4_mul_cents(integer, invoice.cents) IS 'implementation of integer * cents';
COMMENT ON FUNCTION invoice.int8_mul_cents(bigint, invoice.cents) IS 'implementation of bigint * cents';
COMMENT ON FUNCTION invoice.cents_mul_num(invoice.cents, numeric) IS 'implementation of cents * numeric, rounded half away from zero';
COMMENT ON FUNCTION invoice.num_mul_cents(numeric, invoice.cents) IS 'implementation of numeric * cents, rounded half away from zero';
COMMENT ON FUNCTION invoice.cents_div_int4(invoice.cents, integer) IS 'implementation of cents / integer, rounded half away from zero';
COMMENT ON FUNCTION invoice.cents_div_int8(invoice.cents, bigint) IS 'implementation of cents / bigint, rounded half away from zero';
COMMENT ON FUNCTION invoice.cents_div_num(invoice.cents, numeric) IS 'implementation of cents / numeric, rounded half away from zero';
COMMENT ON FUNCTION invoice.cents_div_cents(invoice.cents, invoice.cents) IS 'implementation of cents / cents: the ratio as numeric';
COMMENT ON FUNCTION invoice.cents_mul(invoice.cents, numeric, text) IS 'cents times a factor, rounded half_away_from_zero or half_even';
COMMENT ON FUNCTION invoice.cents_div(invoice.cents, numeric, text) IS 'cents divided by a divisor, rounded half_away_from_zero or half_even';
COMMENT ON FUNCTION invoice.cents_round(numeric, text) IS 'major units to whole cents, rounded half_away_from_zero (default) or half_even';

-- cents operators

CREATE OPERATOR invoice.= (
    LEFTARG = invoice.cents, RIGHTARG = invoice.cents, FUNCTION = invoice.cents_eq,
    COMMUTATOR = OPERATOR(invoice.=), NEGATOR = OPERATOR(invoice.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES
);
CREATE OPERATOR invoice.<> (
    LEFTARG = invoice.cents, RIGHTARG = invoice.cents, FUNCTION = invoice.cents_ne,
    COMMUTATOR = OPERATOR(invoice.<>), NEGATOR = OPERATOR(invoice.=),
    RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR invoice.< (
    LEFTARG = invoice.cents, RIGHTARG = invoice.cents, FUNCTION = invoice.cents_lt,
    COMMUTATOR = OPERATOR(invoice.>), NEGATOR = OPERATOR(invoice.>=),
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR invoice.<= (
    LEFTARG = invoice.cents, RIGHTARG = invoice.cents, FUNCTION = invoice.cents_le,
    COMMUTATOR = OPERATOR(invoice.>=), NEGATOR = OPERATOR(invoice.>),
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR invoice.> (
    LEFTARG = invoice.cents, RIGHTARG = invoice.cents, FUNCTION = invoice.cents_gt,
    COMMUTATOR = OPERATOR(invoice.<), NEGATOR = OPERATOR(invoice.<=),
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);
CREATE OPERATOR invoice.>= (
    LEFTARG = invoice.cents, RIGHTARG = invoice.cents, FUNCTION = invoice.cents_ge,
    COMMUTATOR = OPERATOR(invoice.<=), NEGATOR = OPERATOR(invoice.<),
    RESTRICT = scalargesel, JOIN = scalargejoinsel
);
CREATE OPERATOR invoice.+ (
    LEFTARG = invoice.cents, RIGHTARG = invoice.cents, FUNCTION = invoice.cents_pl,
    COMMUTATOR = OPERATOR(invoice.+)
);
CREATE OPERATOR invoice.- (
    LEFTARG = invoice.cents, RIGHTARG = invoice.cents, FUNCTION = invoice.cents_mi
);
CREATE OPERATOR invoice.- (
    RIGHTARG = invoice.cents, FUNCTION = invoice.cents_um
);
CREATE OPERATOR invoice.* (
    LEFTARG = invoice.cents, RIGHTARG = integer, FUNCTION = invoice.cents_mul_int4,
    COMMUTATOR = OPERATOR(invoice.*)
);
CREATE OPERATOR invoice.* (
    LEFTARG = integer, RIGHTARG = invoice.cents, FUNCTION = invoice.int4_mul_cents,
    COMMUTATOR = OPERATOR(invoice.*)
);
CREATE OPERATOR invoice.* (
    LEFTARG = invoice.cents, RIGHTARG = bigint, FUNCTION = invoice.cents_mul_int8,
    COMMUTATOR = OPERATOR(invoice.*)
);
CREATE OPERATOR invoice.* (
    LEFTARG = bigint, RIGHTARG = invoice.cents, FUNCTION = invoice.int8_mul_cents,
    COMMUTATOR = OPERATOR(invoice.*)
);
CREATE OPERATOR invoice.* (
    LEFTARG = invoice.cents, RIGHTARG = numeric, FUNCTION = invoice.cents_mul_num,
    COMMUTATOR = OPERATOR(invoice.*)
);
CREATE OPERATOR invoice.* (
    LEFTARG = numeric, RIGHTARG = invoice.cents, FUNCTION = invoice.num_mul_cents,
    COMMUTATOR = OPERATOR(invoice.*)
);
CREATE OPERATOR invoice./ (
    LEFTARG = invoice.cents, RIGHTARG = integer, FUNCTION = invoice.cents_div_int4
);
CREATE OPERATOR invoice./ (
    LEFTARG = invoice.cents, RIGHTARG = bigint, FUNCTION = invoice.cents_div_int8
);
CREATE OPERATOR invoice./ (
    LEFTARG = invoice.cents, RIGHTARG = numeric, FUNCTION = invoice.cents_div_num
);
CREATE OPERATOR invoice./ (
    LEFTARG = invoice.cents, RIGHTARG = invoice.cents, FUNCTION = invoice.cents_div_cents
);

COMMENT ON OPERATOR invoice.= (invoice.cents, invoice.cents) IS 'equal';
COMMENT ON OPERATOR invoice.<> (invoice.cents, invoice.cents) IS 'not equal';
COMMENT ON OPERATOR invoice.< (invoice.cents, invoice.cents) IS 'less than';
COMMENT ON OPERATOR invoice.<= (invoice.cents, invoice.cents) IS 'less than or equal';
COMMENT ON OPERATOR invoice.> (invoice.cents, invoice.cents) IS 'greater than';
COMMENT ON OPERATOR invoice.>= (invoice.cents, invoice.cents) IS 'greater than or equal';
COMMENT ON OPERATOR invoice.+ (invoice.cents, invoice.cents) IS 'add, 22003 on overflow';
COMMENT ON OPERATOR invoice.- (invoice.cents, invoice.cents) IS 'subtract, 22003 on overflow';
COMMENT ON OPERATOR invoice.- (NONE, invoice.cents) IS 'negate, 22003 on overflow';
COMMENT ON OPERATOR invoice.* (invoice.cents, integer) IS 'multiply, 22003 on overflow';
COMMENT ON OPERATOR invoice.* (integer, invoice.cents) IS 'multiply, 22003 on overflow';
COMMENT ON OPERATOR invoice.* (invoice.cents, bigint) IS 'multiply, 22003 on overflow';
COMMENT ON OPERATOR invoice.* (bigint, invoice.cents) IS 'multiply, 22003 on overflow';
COMMENT ON OPERATOR invoice.* (invoice.cents, numeric) IS 'multiply, rounded half away from zero to whole cents';
COMMENT ON OPERATOR invoice.* (numeric, invoice.cents) IS 'multiply, rounded half away from zero to whole cents';
COMMENT ON OPERATOR invoice./ (invoice.cents, integer) IS 'divide, rounded half away from zero to whole cents';
COMMENT ON OPERATOR invoice./ (invoice.cents, bigint) IS 'divide, rounded half away from zero to whole cents';
COMMENT ON OPERATOR invoice./ (invoice.cents, numeric) IS 'divide, rounded half away from zero to whole cents';
COMMENT ON OPERATOR invoice./ (invoice.cents, invoice.cents) IS 'ratio of two amounts as numeric';

-- cents operator classes

CREATE OPERATOR CLASS invoice.cents_ops DEFAULT FOR TYPE invoice.cents USING btree AS
    OPERATOR 1 invoice.<,
    OPERATOR 2 invoice.<=,
    OPERATOR 3 invoice.=,
    OPERATOR 4 invoice.>=,
    OPERATOR 5 invoice.>,
    FUNCTION 1 invoice.cents_cmp(invoice.cents, invoice.cents),
    FUNCTION 2 invoice.cents_sortsupport(internal),
    FUNCTION 3 invoice.cents_in_range(invoice.cents, invoice.cents, invoice.cents, bool, bool);
CREATE OPERATOR CLASS invoice.cents_hash_ops DEFAULT FOR TYPE invoice.cents USING hash AS
    OPERATOR 1 invoice.=,
    FUNCTION 1 invoice.cents_hash(invoice.cents),
    FUNCTION 2 invoice.cents_hash_extended(invoice.cents, bigint);

COMMENT ON OPERATOR CLASS invoice.cents_ops USING btree IS 'default btree operator class for cents';
COMMENT ON OPERATOR CLASS invoice.cents_hash_ops USING hash IS 'default hash operator class for cents';

-- cents aggregates

CREATE FUNCTION invoice.cents_agg_accum(internal, invoice.cents) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION invoice.cents_agg_accum_inv(internal, invoice.cents) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION invoice.cents_agg_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION invoice.cents_agg_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_agg_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_sum_final(internal) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION invoice.cents_avg_final(internal) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION invoice.cents_agg_accum(internal, invoice.cents) IS 'sum/avg transition: exact 128-bit running total and count';
COMMENT ON FUNCTION invoice.cents_agg_accum_inv(internal, invoice.cents) IS 'sum/avg inverse transition for moving window frames';
COMMENT ON FUNCTION invoice.cents_agg_combine(internal, internal) IS 'sum/avg combine function for parallel aggregation';
COMMENT ON FUNCTION invoice.cents_agg_serialize(internal) IS 'sum/avg state serialization for parallel aggregation';
COMMENT ON FUNCTION invoice.cents_agg_deserialize(bytea, internal) IS 'sum/avg state deserialization for parallel aggregation';
COMMENT ON FUNCTION invoice.cents_sum_final(internal) IS 'sum final function: NULL when no non-NULL input, 22003 when the total does not fit';
COMMENT ON FUNCTION invoice.cents_avg_final(internal) IS 'avg final function: the mean rounded half away from zero';

CREATE AGGREGATE invoice.sum(invoice.cents) (
    SFUNC = invoice.cents_agg_accum, STYPE = internal, SSPACE = 32,
    FINALFUNC = invoice.cents_sum_final,
    COMBINEFUNC = invoice.cents_agg_combine,
    SERIALFUNC = invoice.cents_agg_serialize, DESERIALFUNC = invoice.cents_agg_deserialize,
    MSFUNC = invoice.cents_agg_accum, MINVFUNC = invoice.cents_agg_accum_inv,
    MSTYPE = internal, MSSPACE = 32, MFINALFUNC = invoice.cents_sum_final,
    PARALLEL = SAFE
);
CREATE AGGREGATE invoice.avg(invoice.cents) (
    SFUNC = invoice.cents_agg_accum, STYPE = internal, SSPACE = 32,
    FINALFUNC = invoice.cents_avg_final,
    COMBINEFUNC = invoice.cents_agg_combine,
    SERIALFUNC = invoice.cents_agg_serialize, DESERIALFUNC = invoice.cents_agg_deserialize,
    MSFUNC = invoice.cents_agg_accum, MINVFUNC = invoice.cents_agg_accum_inv,
    MSTYPE = internal, MSSPACE = 32, MFINALFUNC = invoice.cents_avg_final,
    PARALLEL = SAFE
);
CREATE AGGREGATE invoice.min(invoice.cents) (
    SFUNC = invoice.cents_smaller, STYPE = invoice.cents,
    COMBINEFUNC = invoice.cents_smaller, SORTOP = OPERATOR(invoice.<),
    PARALLEL = SAFE
);
CREATE AGGREGATE invoice.max(invoice.cents) (
    SFUNC = invoice.cents_larger, STYPE = invoice.cents,
    COMBINEFUNC = invoice.cents_larger, SORTOP = OPERATOR(invoice.>),
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE invoice.sum(invoice.cents) IS 'exact total of cents; 22003 if it does not fit, NULL over no rows';
COMMENT ON AGGREGATE invoice.avg(invoice.cents) IS 'mean of cents rounded half away from zero; NULL over no rows';
COMMENT ON AGGREGATE invoice.min(invoice.cents) IS 'smallest cents value';
COMMENT ON AGGREGATE invoice.max(invoice.cents) IS 'largest cents value';

-- cents casts

CREATE FUNCTION invoice.cents_numeric(invoice.cents) RETURNS numeric
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.numeric_cents(numeric) RETURNS invoice.cents
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.cents_json(invoice.cents) RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.int4_cents(integer) RETURNS invoice.cents
    AS 'int48' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;

COMMENT ON FUNCTION invoice.cents_numeric(invoice.cents) IS 'cents to numeric major units (12.34)';
COMMENT ON FUNCTION invoice.numeric_cents(numeric) IS 'numeric major units to cents; refuses fractional cents';
COMMENT ON FUNCTION invoice.cents_json(invoice.cents) IS 'cents as a JSON integer of minor units (the List/Describe API shape)';
COMMENT ON FUNCTION invoice.int4_cents(integer) IS 'integer minor units to cents';

CREATE CAST (invoice.cents AS numeric) WITH FUNCTION invoice.cents_numeric(invoice.cents) AS ASSIGNMENT;
CREATE CAST (numeric AS invoice.cents) WITH FUNCTION invoice.numeric_cents(numeric) AS ASSIGNMENT;
CREATE CAST (invoice.cents AS bigint) WITHOUT FUNCTION;
CREATE CAST (bigint AS invoice.cents) WITHOUT FUNCTION;
CREATE CAST (integer AS invoice.cents) WITH FUNCTION invoice.int4_cents(integer);
CREATE CAST (invoice.cents AS json) WITH FUNCTION invoice.cents_json(invoice.cents);

COMMENT ON CAST (invoice.cents AS numeric) IS 'major units: 12.34';
COMMENT ON CAST (numeric AS invoice.cents) IS 'major units; fractional cents are refused (22023)';
COMMENT ON CAST (invoice.cents AS bigint) IS 'explicit: minor units (12.34 becomes 1234)';
COMMENT ON CAST (bigint AS invoice.cents) IS 'explicit: minor units (1234 becomes 12.34)';
COMMENT ON CAST (integer AS invoice.cents) IS 'explicit: minor units (1234 becomes 12.34)';
COMMENT ON CAST (invoice.cents AS json) IS 'integer minor units, used by to_json, json_build_object and friends';
