-- invoice extension install script, assembled from sql/ext/*.sql (one file per concern).

\echo Use "CREATE EXTENSION invoice" to load this file. \quit
-- the one clock: what the extension takes for "now" (src/clock.c)

CREATE FUNCTION invoice.clock() RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'invoice_clock' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.clock()
    IS 'the extension''s "now": the transaction''s start time, or the instant invoice.test_clock names (superusers, for tests)';
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
-- gstin: India's GST identification number (see src/gstin_check.h for its structure)

CREATE FUNCTION invoice.gstin_valid(text) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION invoice.gstin_check(text) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION invoice.gstin_valid(text) IS
    'true iff the text is a GSTIN: state code, PAN, entity number, Z and a correct check character, in upper case; never raises';
COMMENT ON FUNCTION invoice.gstin_check(text) IS
    'true for a valid GSTIN, otherwise raises 22P02 naming the part that is wrong';

-- The CHECK raises gstin_check's own error, so a refused value says what is
-- wrong with it instead of a bare 23514 check_violation.  NULL passes, as
-- in any domain: add NOT NULL to the column where one is required.
CREATE DOMAIN invoice.gstin AS text
    CONSTRAINT gstin_check CHECK (invoice.gstin_check(VALUE));
COMMENT ON DOMAIN invoice.gstin IS
    'GST identification number: 15 characters, upper case, check character verified; malformed values raise 22P02';
-- invoice schema: organisations, invoices and their line items, credits, payments, history
--
-- Identifiers (org_id, id, invoice_id, series, number, provider_ref) are
-- text COLLATE "C": they compare byte by byte, whatever the database locale,
-- which also makes the joins and sorts of the set-based recompute cheap.
--
-- Every table that holds an organisation's data carries org_id and every key
-- includes it, so the schema can be distributed by org_id.  The numbering
-- counters are supplier-wide (one series of numbers for all customers, as
-- Rule 46 requires of a supplier): a reference table in distribution terms.

CREATE TYPE invoice.status AS ENUM ('draft', 'pending', 'overdue', 'paid', 'cancelled');
COMMENT ON TYPE invoice.status IS 'invoice life cycle: draft → pending → overdue/paid/cancelled (see README "Life cycle")';

CREATE TYPE invoice.payment_method AS ENUM ('upi', 'card', 'netbanking', 'wallet', 'bank_transfer');
COMMENT ON TYPE invoice.payment_method IS 'how a payment was made';

CREATE FUNCTION invoice.new_invoice_id() RETURNS text
    AS 'MODULE_PATHNAME', 'invoice_new_id' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.new_invoice_id() IS 'a fresh invoice id: inv- and 17 random base-36 characters';

CREATE TABLE invoice.supplier (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    legal_name   text NOT NULL CHECK (btrim(legal_name) <> ''),
    address      text,
    email        text,
    gstin        invoice.gstin,
    state_code   text CHECK (state_code ~ '^[0-9]{2}$'),
    CHECK (gstin IS NULL OR state_code = left(gstin, 2))
);
COMMENT ON TABLE invoice.supplier IS 'the supplier''s own registration (one row): legal name, address, GSTIN and state, printed on every invoice';

CREATE TABLE invoice.orgs (
    org_id              text COLLATE "C" PRIMARY KEY CHECK (org_id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    name                text NOT NULL CHECK (btrim(name) <> ''),
    billing_email       text CHECK (billing_email ~ '^[^@\s]+@[^@\s]+$'),
    billing_address     text,
    gstin               invoice.gstin,
    billing_state       text CHECK (billing_state ~ '^[0-9]{2}$'),
    payment_terms_days  integer NOT NULL DEFAULT 30 CHECK (payment_terms_days BETWEEN 0 AND 365),
    grace_period        interval CHECK (grace_period >= interval '0'),
    suspended_at        timestamptz,
    autopay             boolean NOT NULL DEFAULT false,
    advance_balance     invoice.cents NOT NULL DEFAULT '0' CHECK (advance_balance >= '0'),
    created_at          timestamptz NOT NULL DEFAULT invoice.clock()
);
COMMENT ON TABLE invoice.orgs IS 'one row per customer organisation';
COMMENT ON COLUMN invoice.orgs.gstin IS 'the organisation''s GST registration, if any';
COMMENT ON COLUMN invoice.orgs.billing_state IS 'GST state code of the place of supply (two digits); see invoice.gst_intra_state';
COMMENT ON COLUMN invoice.orgs.payment_terms_days IS 'days from invoice date to due date when an invoice is issued without a due date';
COMMENT ON COLUMN invoice.orgs.grace_period IS 'how long an invoice may stay overdue before service is suspended; NULL means the invoice.grace_period setting';
COMMENT ON COLUMN invoice.orgs.suspended_at IS 'set by the overdue sweep when an invoice is overdue past the grace period; cleared in the transaction that pays the last such invoice';
COMMENT ON COLUMN invoice.orgs.advance_balance IS 'prepaid balance: the sum of the organisation''s advance_ledger, kept by its trigger; never negative';
COMMENT ON COLUMN invoice.orgs.autopay IS 'issuing an invoice with an amount due queues a charge request in invoice.payment_requests';

CREATE TABLE invoice.invoices (
    org_id                 text COLLATE "C" NOT NULL REFERENCES invoice.orgs (org_id),
    id                     text COLLATE "C" NOT NULL DEFAULT invoice.new_invoice_id()
                           CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
    series                 text COLLATE "C" NOT NULL DEFAULT 'INV' CHECK (series ~ '^[A-Za-z0-9]{1,4}$'),
    number                 text COLLATE "C" CHECK (number ~ '^[A-Za-z0-9/-]{1,16}$'),
    description            text,
    period_start           timestamptz NOT NULL,
    period_end             timestamptz NOT NULL,
    invoice_date           timestamptz,
    due_date               timestamptz,
    currency               text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    status                 invoice.status NOT NULL DEFAULT 'draft',
    status_reason          text,
    tax_rate               numeric NOT NULL DEFAULT 0
                           CHECK (tax_rate BETWEEN 0 AND 100 AND tax_rate = round(tax_rate, 6)),
    gst                    boolean NOT NULL DEFAULT false,
    reverse_charge         boolean NOT NULL DEFAULT false,
    place_of_supply        text CHECK (place_of_supply ~ '^[0-9]{2}$'),
    gst_intra_state        boolean,
    usage_amount           invoice.cents NOT NULL DEFAULT '0',
    credits_applied        invoice.cents NOT NULL DEFAULT '0',
    already_billed_amount  invoice.cents NOT NULL DEFAULT '0',
    subtotal               invoice.cents NOT NULL DEFAULT '0',
    tax                    invoice.cents NOT NULL DEFAULT '0',
    total                  invoice.cents NOT NULL DEFAULT '0',
    advance_pay_amount     invoice.cents NOT NULL DEFAULT '0',
    amount_due             invoice.cents NOT NULL DEFAULT '0',
    credited_amount        invoice.cents NOT NULL DEFAULT '0',
    dispute_status         text CHECK (dispute_status IN ('open', 'resolved', 'rejected')),
    dispute_description    text,
    disputed_at            timestamptz,
    dispute_closed_at      timestamptz,
    created_at             timestamptz NOT NULL DEFAULT invoice.clock(),
    updated_at             timestamptz NOT NULL DEFAULT invoice.clock(),
    issued_at              timestamptz,
    paid_at                timestamptz,
    cancelled_at           timestamptz,
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, number),
    CHECK (period_end > period_start),
    CHECK (due_date IS NULL OR invoice_date IS NULL OR due_date >= invoice_date),
    CHECK (NOT gst OR currency = 'INR'),
    CHECK (CASE status WHEN 'draft' THEN number IS NULL
                       WHEN 'cancelled' THEN true      -- a discarded draft never had a number
                       ELSE number IS NOT NULL END)

) WITH (fillfactor = 80);   -- room for in-page (HOT) updates of the derived amounts
CREATE INDEX invoices_id_idx ON invoice.invoices (id);
CREATE INDEX invoices_pending_due_idx ON invoice.invoices (due_date) WHERE status = 'pending' AND dispute_status IS DISTINCT FROM 'open';
CREATE INDEX invoices_overdue_idx ON invoice.invoices (org_id, due_date) WHERE status = 'overdue';
COMMENT ON TABLE invoice.invoices IS 'invoices; amounts are derived (invoice_compute) and the status is guarded by the life-cycle triggers';
COMMENT ON COLUMN invoice.invoices.id IS 'invoice id, e.g. inv-12312io23810o291; generated when not given';
COMMENT ON COLUMN invoice.invoices.series IS 'numbering series (1-4 letters or digits); numbers read SERIES/YYYY/NNNNNN by Indian financial year';
COMMENT ON COLUMN invoice.invoices.number IS 'invoice number, assigned at issue: consecutive and gapless per series and financial year';
COMMENT ON COLUMN invoice.invoices.status_reason IS 'reason of the last status change (required to cancel); copied to status_history';
COMMENT ON COLUMN invoice.invoices.tax_rate IS 'tax percent for line items without their own rate, at most 6 decimals';
COMMENT ON COLUMN invoice.invoices.gst IS 'a GST tax invoice (INR): tax split into CGST + SGST or IGST, HSN/SAC and a rate of invoice.gst_rates on every line';
COMMENT ON COLUMN invoice.invoices.place_of_supply IS 'GST: state code of the place of supply, fixed at issue';
COMMENT ON COLUMN invoice.invoices.gst_intra_state IS 'GST: true when taxed as CGST + SGST (place of supply in the supplier''s state), false for IGST; fixed at issue, so later moves of the customer or the supplier change nothing';
COMMENT ON COLUMN invoice.invoices.reverse_charge IS 'GST payable by the recipient under reverse charge (printed on the invoice)';
COMMENT ON COLUMN invoice.invoices.usage_amount IS 'derived: sum of line amounts';
COMMENT ON COLUMN invoice.invoices.credits_applied IS 'derived: credits, capped at usage_amount';
COMMENT ON COLUMN invoice.invoices.already_billed_amount IS 'derived: sum of payments';
COMMENT ON COLUMN invoice.invoices.subtotal IS 'derived: usage_amount - credits_applied';
COMMENT ON COLUMN invoice.invoices.tax IS 'derived: sum over lines of the rounded tax on each line''s taxable value';
COMMENT ON COLUMN invoice.invoices.total IS 'derived: subtotal + tax';
COMMENT ON COLUMN invoice.invoices.advance_pay_amount IS 'derived: prepaid balance applied to this invoice';
COMMENT ON COLUMN invoice.invoices.amount_due IS 'derived: max(total - already_billed_amount - advance_pay_amount - credited_amount, 0)';
COMMENT ON COLUMN invoice.invoices.credited_amount IS 'derived: total of the issued credit notes of this invoice';
COMMENT ON COLUMN invoice.invoices.dispute_status IS 'open while the customer disputes the invoice (kept out of the overdue sweep and reminders); resolved by a credit note, or rejected';

CREATE TABLE invoice.line_items (
    org_id              text COLLATE "C" NOT NULL,
    invoice_id          text COLLATE "C" NOT NULL,
    line_id             bigint GENERATED ALWAYS AS IDENTITY,
    description         text NOT NULL CHECK (btrim(description) <> ''),
    units               numeric NOT NULL DEFAULT 1 CHECK (units >= 0),
    rate                numeric NOT NULL DEFAULT 0 CHECK (rate >= 0),
    amount              invoice.cents NOT NULL CHECK (amount >= '0'),
    tax_rate            numeric CHECK (tax_rate BETWEEN 0 AND 100 AND tax_rate = round(tax_rate, 6)),
    product_group       text,
    product_line        text,
    product_name        text,
    region              text,
    usage_type          text,
    credit_coupon_code  text,
    resource_type       text,
    resource_name       text,
    usage_start         timestamptz,
    usage_end           timestamptz,
    hsn_sac             text CHECK (hsn_sac ~ '^([0-9]{4}|[0-9]{6}|[0-9]{8})$'),
    PRIMARY KEY (org_id, line_id),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id) ON DELETE CASCADE,
    CHECK (usage_end IS NULL OR usage_start IS NULL OR usage_end >= usage_start)
);
CREATE INDEX line_items_invoice_idx ON invoice.line_items (org_id, invoice_id, line_id);
COMMENT ON TABLE invoice.line_items IS 'the charges of an invoice; frozen once the invoice is issued';
COMMENT ON COLUMN invoice.line_items.rate IS 'price per unit in major units (numeric, any precision)';
COMMENT ON COLUMN invoice.line_items.amount IS 'units × rate rounded half away from zero to cents when not given';
COMMENT ON COLUMN invoice.line_items.tax_rate IS 'tax percent of this line; NULL means the invoice''s tax_rate';

CREATE TABLE invoice.credits (
    org_id       text COLLATE "C" NOT NULL,
    invoice_id   text COLLATE "C" NOT NULL,
    credit_id    bigint GENERATED ALWAYS AS IDENTITY,
    amount       invoice.cents NOT NULL CHECK (amount > '0'),
    code         text NOT NULL CHECK (btrim(code) <> ''),
    description  text,
    created_at   timestamptz NOT NULL DEFAULT invoice.clock(),
    PRIMARY KEY (org_id, credit_id),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id) ON DELETE CASCADE
);
CREATE INDEX credits_invoice_idx ON invoice.credits (org_id, invoice_id);
COMMENT ON TABLE invoice.credits IS 'credits and coupons applied to one invoice; frozen once the invoice is issued';

CREATE TABLE invoice.payments (
    org_id        text COLLATE "C" NOT NULL,
    invoice_id    text COLLATE "C" NOT NULL,
    payment_id    bigint GENERATED ALWAYS AS IDENTITY,
    amount        invoice.cents NOT NULL CHECK (amount > '0'),
    method        invoice.payment_method NOT NULL,
    provider_ref  text COLLATE "C" NOT NULL CHECK (btrim(provider_ref) <> ''),
    paid_at       timestamptz NOT NULL DEFAULT invoice.clock(),
    PRIMARY KEY (org_id, payment_id),
    UNIQUE (org_id, provider_ref),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id)
);
CREATE INDEX payments_invoice_idx ON invoice.payments (org_id, invoice_id);
COMMENT ON TABLE invoice.payments IS 'payments received for an invoice; provider_ref makes recording idempotent';

CREATE TABLE invoice.status_history (
    org_id       text COLLATE "C" NOT NULL,
    invoice_id   text COLLATE "C" NOT NULL,
    history_id   bigint GENERATED ALWAYS AS IDENTITY,
    from_status  invoice.status,
    to_status    invoice.status NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT invoice.clock(),
    changed_by   name NOT NULL DEFAULT current_user,
    reason       text,
    PRIMARY KEY (org_id, history_id),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id) ON DELETE CASCADE
);
CREATE INDEX status_history_invoice_idx ON invoice.status_history (org_id, invoice_id, history_id);
COMMENT ON TABLE invoice.status_history IS 'one row per status change of an invoice (from NULL at creation)';

CREATE TABLE invoice.number_series (
    series       text COLLATE "C" NOT NULL,
    fiscal_year  integer NOT NULL,
    last_value   bigint NOT NULL CHECK (last_value >= 0),
    PRIMARY KEY (series, fiscal_year)
);
COMMENT ON TABLE invoice.number_series IS 'last invoice number used per series and Indian financial year (starting year, April to March)';

SELECT pg_catalog.pg_extension_config_dump('invoice.supplier', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.orgs', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.invoices', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.line_items', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.credits', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.payments', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.status_history', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.number_series', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.line_items_line_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.credits_credit_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.payments_payment_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.status_history_history_id_seq', '');

-- The identity of a row the extension's triggers insert, named explicitly (a Citus shard has
-- no identity default): taken as the column's default takes it, without sequence privileges.
CREATE FUNCTION invoice.next_identity(sequence regclass) RETURNS bigint
    AS 'MODULE_PATHNAME', 'invoice_next_identity' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION invoice.next_identity(regclass)
    IS 'internal to the triggers: the next value of an identity sequence of one of the extension''s tables (42501 for any other sequence)';
-- invoice computation: the derived amounts of SPEC §3, in C

CREATE TYPE invoice.amounts AS (
    usage_amount           invoice.cents,
    credits_applied        invoice.cents,
    already_billed_amount  invoice.cents,
    subtotal               invoice.cents,
    tax                    invoice.cents,
    total                  invoice.cents,
    advance_pay_amount     invoice.cents,
    amount_due             invoice.cents,
    credited_amount        invoice.cents
);
COMMENT ON TYPE invoice.amounts IS 'the derived amounts of an invoice';

CREATE FUNCTION invoice.invoice_amounts_accum(internal, invoice.cents, numeric, invoice.cents, invoice.cents, invoice.cents, boolean, invoice.cents)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION invoice.invoice_amounts_final(internal)
    RETURNS invoice.amounts AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE invoice.invoice_amounts(line_amount invoice.cents, line_tax_rate numeric,
                                         credits invoice.cents, payments invoice.cents, advance invoice.cents,
                                         intra_state boolean, credited invoice.cents) (
    SFUNC = invoice.invoice_amounts_accum, STYPE = internal,
    FINALFUNC = invoice.invoice_amounts_final
);
COMMENT ON FUNCTION invoice.invoice_amounts_accum(internal, invoice.cents, numeric, invoice.cents, invoice.cents, invoice.cents, boolean, invoice.cents)
    IS 'invoice_amounts transition: collects the lines of one invoice';
COMMENT ON FUNCTION invoice.invoice_amounts_final(internal)
    IS 'invoice_amounts final: credits spread pro rata, tax rounded per line, totals';
COMMENT ON AGGREGATE invoice.invoice_amounts(invoice.cents, numeric, invoice.cents, invoice.cents, invoice.cents, boolean, invoice.cents)
    IS 'the derived amounts of one invoice from its lines (amount, tax rate), its credit, payment, advance and credit-note totals and its GST split (true: CGST + SGST at half the rate each, each rounded)';

CREATE FUNCTION invoice.gst_intra_state(gst boolean, org_billing_state text, org_gstin text, supplier_state text)
    RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN gst THEN coalesce(org_billing_state, left(org_gstin, 2), supplier_state) = supplier_state END;
COMMENT ON FUNCTION invoice.gst_intra_state(boolean, text, text, text)
    IS 'place-of-supply rule: NULL when not a GST invoice; true (CGST + SGST) when the place of supply — the organisation''s billing state, else its GSTIN''s state, else the supplier''s own state — is the supplier''s state; false (IGST) otherwise';

CREATE TYPE invoice.tax_line AS (
    line_id        bigint,
    rate           numeric,
    taxable_value  invoice.cents,
    cgst           invoice.cents,
    sgst           invoice.cents,
    igst           invoice.cents,
    tax            invoice.cents
);
COMMENT ON TYPE invoice.tax_line IS 'the tax of one line: taxable value after its share of credits, and each tax head';

CREATE FUNCTION invoice.invoice_tax_lines(id text) RETURNS SETOF invoice.tax_line
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE;
COMMENT ON FUNCTION invoice.invoice_tax_lines(text)
    IS 'tax breakdown of an invoice line by line: CGST and SGST within the supplier''s state, IGST across states, only tax for a non-GST invoice; the lines sum to the invoice''s tax';

CREATE FUNCTION invoice.invoice_tax_summary(id text)
    RETURNS TABLE (rate numeric, taxable_value invoice.cents, cgst invoice.cents, sgst invoice.cents,
                   igst invoice.cents, tax invoice.cents)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, invoice, pg_temp
BEGIN ATOMIC
    SELECT t.rate, invoice.sum(t.taxable_value), invoice.sum(t.cgst), invoice.sum(t.sgst),
           invoice.sum(t.igst), invoice.sum(t.tax)
      FROM invoice.invoice_tax_lines(id) t
     GROUP BY t.rate ORDER BY t.rate;
END;
COMMENT ON FUNCTION invoice.invoice_tax_summary(text) IS 'tax breakdown of an invoice per rate';

CREATE FUNCTION invoice.invoice_compute(id text) RETURNS invoice.invoices
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_compute(text) IS 'recompute and store one invoice''s derived amounts; returns the invoice';

CREATE FUNCTION invoice.invoice_compute_period(period_from timestamptz, period_to timestamptz) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_compute_period(timestamptz, timestamptz)
    IS 'billing day: recompute, in one statement, every invoice whose period lies within [period_from, period_to); returns how many changed';

CREATE FUNCTION invoice.line_item_amount() RETURNS trigger
    AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION invoice.invoice_children_changed() RETURNS trigger
    AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION invoice.line_item_amount() IS 'trigger: line amount = units × rate rounded to cents when not given';
COMMENT ON FUNCTION invoice.invoice_children_changed() IS 'trigger: lock, check and recompute the invoices a statement on lines, credits or payments touched';

CREATE TRIGGER line_item_amount BEFORE INSERT OR UPDATE ON invoice.line_items
    FOR EACH ROW EXECUTE FUNCTION invoice.line_item_amount();

CREATE TRIGGER lines_inserted AFTER INSERT ON invoice.line_items
    REFERENCING NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('lines');
CREATE TRIGGER lines_updated AFTER UPDATE ON invoice.line_items
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('lines');
CREATE TRIGGER lines_deleted AFTER DELETE ON invoice.line_items
    REFERENCING OLD TABLE AS changed_old
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('lines');

CREATE TRIGGER credits_inserted AFTER INSERT ON invoice.credits
    REFERENCING NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('credits');
CREATE TRIGGER credits_updated AFTER UPDATE ON invoice.credits
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('credits');
CREATE TRIGGER credits_deleted AFTER DELETE ON invoice.credits
    REFERENCING OLD TABLE AS changed_old
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('credits');

CREATE TRIGGER payments_inserted AFTER INSERT ON invoice.payments
    REFERENCING NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('payments');
CREATE TRIGGER payments_updated AFTER UPDATE ON invoice.payments
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('payments');
CREATE TRIGGER payments_deleted AFTER DELETE ON invoice.payments
    REFERENCING OLD TABLE AS changed_old
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('payments');
-- invoice life cycle: triggers on invoice.invoices and the functions that drive them

CREATE FUNCTION invoice.invoice_before_insert() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION invoice.invoice_before_update() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION invoice.invoice_before_delete() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION invoice.invoice_after_statement() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION invoice.invoice_before_insert() IS 'trigger: invoices are created as drafts without amounts';
COMMENT ON FUNCTION invoice.invoice_before_update() IS 'trigger: the status transition table, frozen columns after issue, derived amounts';
COMMENT ON FUNCTION invoice.invoice_before_delete() IS 'trigger: only drafts may be deleted';
COMMENT ON FUNCTION invoice.invoice_after_statement() IS 'trigger: status_history rows, and recompute of drafts whose tax rate changed';

CREATE TRIGGER invoice_before_insert BEFORE INSERT ON invoice.invoices
    FOR EACH ROW EXECUTE FUNCTION invoice.invoice_before_insert();
CREATE TRIGGER invoice_before_update BEFORE UPDATE ON invoice.invoices
    FOR EACH ROW EXECUTE FUNCTION invoice.invoice_before_update();
CREATE TRIGGER invoice_before_delete BEFORE DELETE ON invoice.invoices
    FOR EACH ROW EXECUTE FUNCTION invoice.invoice_before_delete();
CREATE TRIGGER invoices_inserted AFTER INSERT ON invoice.invoices
    REFERENCING NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_after_statement();
CREATE TRIGGER invoices_updated AFTER UPDATE ON invoice.invoices
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_after_statement();

CREATE FUNCTION invoice.invoice_issue(id text) RETURNS invoice.invoices
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_issue(text)
    IS 'draft → pending: assigns the number, invoice and due dates, freezes the invoice; a zero total goes straight to paid';

CREATE FUNCTION invoice.invoice_cancel(id text, reason text) RETURNS invoice.invoices
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_cancel(text, text)
    IS '→ cancelled with a reason: drafts, and pending or overdue invoices on which nothing has been paid';

CREATE FUNCTION invoice.invoice_issue_period(period_from timestamptz, period_to timestamptz) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_issue_period(timestamptz, timestamptz)
    IS 'billing day: issue, in one statement, every draft whose period lies within [period_from, period_to); returns how many';
-- payments

CREATE FUNCTION invoice.invoice_pay(id text, amount invoice.cents, method text, provider_ref text)
    RETURNS invoice.payments AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_pay(text, invoice.cents, text, text)
    IS 'record a payment (upi, card, netbanking, wallet, bank_transfer); idempotent on provider_ref; the invoice turns paid when nothing is left due';
-- search: what the list and the CSV export look for, and the per-invoice
-- signatures that let a search skip the invoices that cannot match
-- (src/search.c)

CREATE FUNCTION invoice.search_term(search text) RETURNS text
    AS 'MODULE_PATHNAME', 'invoice_search_term_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.search_term(text)
    IS 'what a search argument looks for: the text trimmed of spaces; NULL for NULL or blank';

CREATE FUNCTION invoice.text_icontains(haystack text, term text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'invoice_text_icontains' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.text_icontains(text, text)
    IS 'whether haystack contains term, case-insensitively: haystack ILIKE ''%'' || term || ''%'' with %, _ and \ in term taken literally (both lowered by lower() in the collation of the call)';

CREATE FUNCTION invoice.search_signature(texts text[]) RETURNS bytea
    AS 'MODULE_PATHNAME', 'invoice_search_signature' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.search_signature(text[])
    IS 'internal to the search: a 2048-bit Bloom filter of the byte trigrams of the texts, each lowered by lower() in the database''s default collation (NULL elements add nothing)';

CREATE FUNCTION invoice.search_signature_union(a bytea, b bytea) RETURNS bytea
    AS 'MODULE_PATHNAME', 'invoice_search_signature_union' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.search_signature_union(bytea, bytea)
    IS 'internal to the search: the signature of the texts of both signatures (NULL counts as no text); 22023 for a bytea that is not a signature';

CREATE FUNCTION invoice.search_may_contain(signature bytea, term text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'invoice_search_may_contain' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.search_may_contain(bytea, text)
    IS 'internal to the search: false when none of the texts a signature was made of can contain term (text_icontains); true when one may, and for a NULL signature or term, a term of fewer than 3 bytes or a term in another collation than the default; 22023 for a bytea that is not a signature';

-- One row per invoice, written by the triggers (src/search.c): a signature
-- only gains bits (a changed text or a deleted line leaves its trigrams),
-- so it always covers the invoice's texts; search_rebuild makes it exact.
CREATE TABLE invoice.search_signatures (
    org_id      text COLLATE "C" NOT NULL,
    invoice_id  text COLLATE "C" NOT NULL,
    signature   bytea NOT NULL,
    PRIMARY KEY (org_id, invoice_id) INCLUDE (signature),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE invoice.search_signatures
    IS 'internal to the search: per invoice, the signature of its number, its description and its lines'' descriptions (search_signature), read index-only by search_candidates';
SELECT pg_catalog.pg_extension_config_dump('invoice.search_signatures', '');

CREATE FUNCTION invoice.search_candidates(org_id text, search text) RETURNS SETOF text
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    -- Inlined into its callers: an index-only pass over the organisation's signatures.
    SELECT g.invoice_id
      FROM invoice.search_signatures g
     WHERE g.org_id = search_candidates.org_id
       AND invoice.search_may_contain(g.signature, search_candidates.search);
END;
COMMENT ON FUNCTION invoice.search_candidates(text, text)
    IS 'internal to the list and the CSV export: ids of the organisation''s invoices that may match the search term (every one that does, and some that do not: invoice_matches decides)';

CREATE FUNCTION invoice.search_rebuild(org_id text DEFAULT NULL) RETURNS bigint
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, invoice, pg_temp
AS $$
    -- Writers wait (SHARE): the signatures written are exact, and no concurrent statement
    -- creates one that the INSERT below is about to write.
    LOCK TABLE invoice.invoices, invoice.line_items, invoice.search_signatures IN SHARE MODE;
    DELETE FROM invoice.search_signatures g WHERE $1 IS NULL OR g.org_id = $1;
    WITH written AS (
        INSERT INTO invoice.search_signatures (org_id, invoice_id, signature)
        SELECT i.org_id, i.id, invoice.search_signature(ARRAY[i.number, i.description] || array_agg(l.description))
          FROM invoice.invoices i
          LEFT JOIN invoice.line_items l ON l.org_id = i.org_id AND l.invoice_id = i.id
         WHERE $1 IS NULL OR i.org_id = $1
         GROUP BY i.org_id, i.id
        RETURNING 1)
    SELECT count(*) FROM written;
$$;
COMMENT ON FUNCTION invoice.search_rebuild(text)
    IS 'make the search signatures of an organisation''s invoices (NULL: of every organisation) exact again: after loading with triggers off (session_replication_role = replica) or after an upgrade of the collation library changed lower(); returns how many were written';
-- JSON API: List / Describe Invoices (SPEC §4), filters and search, summary, CSV export
--
-- List and Describe are C (src/json_api.c): plans kept per backend and
-- documents written straight from the rows (src/json_write.c).  The
-- filters are SQL, invoice_matches, which the list and the CSV export
-- share; SQL bodies are SQL-standard, so that names and operators are bound
-- when the extension is created, whatever the caller's search_path.
-- Everything returns json, not jsonb, so that keys come out in the seeds'
-- order.

-- json api helpers

CREATE FUNCTION invoice.json_time(ts timestamptz) RETURNS text
    AS 'MODULE_PATHNAME', 'invoice_json_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.json_time(timestamptz)
    IS 'a timestamp as the JSON shapes carry it: 2024-02-01T00:00:00Z, in UTC whatever the TimeZone setting, whole seconds (truncated); NULL for NULL and ±infinity';

CREATE FUNCTION invoice.status_label(status invoice.status) RETURNS text
    AS 'MODULE_PATHNAME', 'invoice_status_label' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.status_label(invoice.status)
    IS 'a status as the List/Describe shapes name it: pending is "unpaid" (as in the seed), the others keep their label';

CREATE FUNCTION invoice.status_filter(status text) RETURNS invoice.status
    AS 'MODULE_PATHNAME', 'invoice_status_filter' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.status_filter(text)
    IS 'the status a filter argument names: a label of invoice.status or "unpaid" (= pending), in any case; NULL for NULL or blank; 22P02 for anything else';

CREATE FUNCTION invoice.invoice_filter_args(org_id text, date_from timestamptz, date_to timestamptz) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.invoice_filter_args(text, timestamptz, timestamptz)
    IS 'true, or the error for arguments no invoice filter takes: a NULL organisation (22004), date_to not later than date_from (22023)';

-- json api documents

CREATE FUNCTION invoice.invoice_list_item(i invoice.invoices) RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.invoice_list_item(invoice.invoices)
    IS 'an invoice as List Invoices shows it: the seed''s 16 keys in its order, amounts in integer cents';

-- json api filters

-- The list's scan: an index-only range of one organisation, newest first,
-- that the status and date filters and the search's hashed id set read
-- without visiting the heap.
CREATE INDEX invoices_list_idx ON invoice.invoices (org_id, invoice_date DESC, id) INCLUDE (status);
COMMENT ON INDEX invoice.invoices_list_idx IS 'List Invoices: an organisation''s invoices newest first, filtered by status and date index-only';

CREATE FUNCTION invoice.invoice_matches(org_id text, status invoice.status, date_from timestamptz,
                                        date_to timestamptz, search text)
    RETURNS SETOF invoice.invoices
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    -- Inlined into its callers.  The search is tested invoice by invoice, in
    -- the database's default collation (that of the search signatures; the
    -- number column's own is "C"): callers that search restrict the
    -- invoices to search_candidates first.
    SELECT i.*
      FROM invoice.invoices i
     WHERE invoice.invoice_filter_args(invoice_matches.org_id, invoice_matches.date_from, invoice_matches.date_to)
       AND i.org_id = invoice_matches.org_id
       AND (invoice_matches.status IS NULL OR i.status = invoice_matches.status)
       AND (invoice_matches.date_from IS NULL OR i.invoice_date >= invoice_matches.date_from)
       AND (invoice_matches.date_to IS NULL OR i.invoice_date < invoice_matches.date_to)
       AND (invoice_matches.search IS NULL
            OR invoice.text_icontains(i.number, invoice_matches.search COLLATE "default")
            OR invoice.text_icontains(i.description, invoice_matches.search COLLATE "default")
            OR EXISTS (SELECT
                         FROM invoice.line_items l
                        WHERE l.org_id = i.org_id AND l.invoice_id = i.id
                          AND invoice.text_icontains(l.description, invoice_matches.search COLLATE "default")));
END;
COMMENT ON FUNCTION invoice.invoice_matches(text, invoice.status, timestamptz, timestamptz, text)
    IS 'internal to the list and the CSV export: an organisation''s invoices of a status, with an invoice date in [date_from, date_to), whose number, description or any line item''s description contains the search term (text_icontains); NULL filters nothing';

-- json api functions

CREATE FUNCTION invoice.invoice_list(org_id text, page integer DEFAULT 1, page_size integer DEFAULT 10,
                                     status text DEFAULT NULL, date_from timestamptz DEFAULT NULL,
                                     date_to timestamptz DEFAULT NULL, search text DEFAULT NULL)
    RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.invoice_list(text, integer, integer, text, timestamptz, timestamptz, text)
    IS 'List Invoices: {"code":0,"data":{"count","currentPage","pageSize","invoices":[…]}}, newest invoice date first (drafts without one lead); count is how many pass the filters';

CREATE FUNCTION invoice.invoice_describe_data(org_id text, id text) RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.invoice_describe_data(text, text)
    IS 'an invoice as Describe Invoice shows it: the 16 list keys, then number, description, taxRate, issuedAt, paidAt, cancelledAt, statusReason, lineItems, credits, payments, statusHistory; NULL when there is no such invoice';

CREATE VIEW invoice.invoice_list_json WITH (security_invoker = true) AS
SELECT i.org_id, i.id, i.status, i.invoice_date, invoice.invoice_list_item(i)::jsonb AS doc
  FROM invoice.invoices i;
COMMENT ON VIEW invoice.invoice_list_json IS 'one row per invoice: org_id, id, status, invoice_date and doc, its List Invoices item (jsonb)';

CREATE VIEW invoice.invoice_describe_json WITH (security_invoker = true) AS
SELECT i.org_id, i.id, i.status, i.invoice_date, invoice.invoice_describe_data(i.org_id, i.id)::jsonb AS doc
  FROM invoice.invoices i;
COMMENT ON VIEW invoice.invoice_describe_json IS 'one row per invoice: org_id, id, status, invoice_date and doc, its Describe Invoice data (jsonb)';

CREATE FUNCTION invoice.invoice_describe(id text) RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.invoice_describe(text)
    IS 'Describe Invoice: {"code":0,"data":{…}}, the 16 list keys then line items, credits, payments and status history; 22004 for NULL, P0002 for an unknown id';

CREATE FUNCTION invoice.invoice_summary(org_id text) RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.invoice_summary(text)
    IS 'invoice totals of an organisation in integer cents: totalPaid (total of paid invoices), totalPending and totalOverdue (amount due of unpaid and overdue invoices), their counts, and the same per currency';

-- json api csv export

CREATE VIEW invoice.invoice_csv WITH (security_invoker = true) AS
SELECT i.org_id, i.id, i.number, i.description, i.status,
       invoice.json_time(i.period_start) COLLATE "C" AS period_start,
       invoice.json_time(i.period_end) COLLATE "C" AS period_end,
       invoice.json_time(i.invoice_date) COLLATE "C" AS invoice_date,
       invoice.json_time(i.due_date) COLLATE "C" AS due_date,
       invoice.json_time(i.paid_at) COLLATE "C" AS paid_at,
       i.currency, i.tax_rate,
       i.usage_amount::numeric AS usage_amount,
       i.credits_applied::numeric AS credits_applied,
       i.subtotal::numeric AS subtotal,
       i.tax::numeric AS tax,
       i.total::numeric AS total,
       i.already_billed_amount::numeric AS already_billed_amount,
       i.advance_pay_amount::numeric AS advance_pay_amount,
       i.amount_due::numeric AS amount_due
  FROM invoice.invoices i;
COMMENT ON VIEW invoice.invoice_csv
    IS 'every invoice as a row of the CSV export: timestamps as 2024-02-01T00:00:00Z (UTC), amounts in major units (450.00)';

CREATE FUNCTION invoice.invoice_csv(org_id text, status text DEFAULT NULL, date_from timestamptz DEFAULT NULL,
                                    date_to timestamptz DEFAULT NULL, search text DEFAULT NULL)
    RETURNS SETOF invoice.invoice_csv
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    -- A search tests only the search candidates (a hashed set, built once).
    -- Ordered by the invoice date itself: the view's column is its text.
    SELECT c.*
      FROM invoice.invoice_matches(invoice_csv.org_id, (SELECT invoice.status_filter(invoice_csv.status)),
                                   invoice_csv.date_from, invoice_csv.date_to,
                                   (SELECT invoice.search_term(invoice_csv.search))) f
      JOIN invoice.invoice_csv c ON c.org_id = f.org_id AND c.id = f.id
     WHERE (SELECT invoice.search_term(invoice_csv.search)) IS NULL
        OR f.id IN (SELECT s.invoice_id
                      FROM invoice.search_candidates(invoice_csv.org_id, (SELECT invoice.search_term(invoice_csv.search))) s (invoice_id))
     ORDER BY f.invoice_date DESC, f.id;
END;
COMMENT ON FUNCTION invoice.invoice_csv(text, text, timestamptz, timestamptz, text)
    IS 'the CSV export of an organisation''s invoices, with the list''s filters and order: \copy (SELECT * FROM invoice.invoice_csv(''org'')) TO ''invoices.csv'' CSV HEADER';
-- Billing v3: the CDN vendor's Invoices API shape (seed 002), with signed keyset cursors

-- api secret

-- One row: the key of the cursors' HMAC, made at CREATE EXTENSION.  Only the
-- extension's owner reads it (the cursor functions are SECURITY DEFINER).
-- pg_dump carries it, so cursors stay valid across a restore: the restore's
-- CREATE EXTENSION makes a fresh secret and the dumped row then replaces it.
CREATE TABLE invoice.api_secret (
    one         boolean PRIMARY KEY DEFAULT true CHECK (one),
    secret      bytea NOT NULL
                DEFAULT uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())
                     || uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())
                CHECK (octet_length(secret) >= 32),
    created_at  timestamptz NOT NULL DEFAULT invoice.clock()
);
REVOKE ALL ON invoice.api_secret FROM PUBLIC;
COMMENT ON TABLE invoice.api_secret IS 'the HMAC key of Billing v3 cursors (one row, readable by the extension''s owner only); INSERT … DEFAULT VALUES replaces it and invalidates every outstanding cursor';
COMMENT ON COLUMN invoice.api_secret.secret IS '64 random bytes (four v4 UUIDs: 488 random bits) unless set otherwise; at least 32';

CREATE FUNCTION invoice.api_secret_replace() RETURNS trigger
    AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION invoice.api_secret_replace() IS 'trigger: a secret inserted replaces the one there was';
CREATE TRIGGER api_secret_replace BEFORE INSERT ON invoice.api_secret
    FOR EACH ROW EXECUTE FUNCTION invoice.api_secret_replace();
COMMENT ON TRIGGER api_secret_replace ON invoice.api_secret IS 'the table keeps one secret: the newest';
-- Also while a restore runs with session_replication_role = replica.
ALTER TABLE invoice.api_secret ENABLE ALWAYS TRIGGER api_secret_replace;

INSERT INTO invoice.api_secret DEFAULT VALUES;
SELECT pg_catalog.pg_extension_config_dump('invoice.api_secret', '');

-- billing v3 documents

-- Billing v3 lists issued invoices that stand: pending, overdue and paid.
-- Drafts are not posted yet, and cancelled invoices are void: the shape has
-- no status, so a client adding up monthly_transaction_amount would count
-- them as owed.
CREATE INDEX invoices_billing_v3_idx ON invoice.invoices (org_id, period_start, id)
    WHERE status IN ('pending', 'overdue', 'paid');
COMMENT ON INDEX invoice.invoices_billing_v3_idx IS 'Billing v3 pages (keyset on period_start, id) and their index-only total';

CREATE VIEW invoice.billing_v3_invoice_json WITH (security_invoker = true) AS
SELECT i.org_id, i.id, i.period_start,
       json_build_object(
           'invoice_id', i.id,
           'statement_number', i.number,
           'customer_id', i.org_id,
           'billing_start_date', to_char(i.period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'billing_end_date', to_char(i.period_end AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'invoice_posted_on', to_char(i.invoice_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'currency_code', i.currency,
           'monthly_transaction_amount', i.total::numeric,
           'transaction_line_items', COALESCE(li.items, '[]'::json)) AS doc
  FROM invoice.invoices i
 CROSS JOIN LATERAL (
       SELECT json_agg(json_build_object(
                  'ProductGroup', l.product_group,
                  'ProductLine', l.product_line,
                  'ProductName', l.product_name,
                  'Region', l.region,
                  'UsageType', l.usage_type,
                  'amount', l.amount::numeric,
                  'credit_coupon_code', l.credit_coupon_code,
                  'description', l.description,
                  'rate', l.rate,
                  'units', l.units) ORDER BY l.line_id) AS items
         FROM invoice.line_items l
        WHERE l.org_id = i.org_id AND l.invoice_id = i.id) li
 WHERE i.status IN ('pending', 'overdue', 'paid');
COMMENT ON VIEW invoice.billing_v3_invoice_json
    IS 'one row per Billing v3 invoice (pending, overdue, paid): org_id, id, period_start and doc, the invoice in the Billing v3 shape (json, keys in the seed''s order)';

-- billing v3 cursors

CREATE FUNCTION invoice.billing_v3_cursor_open(customer_id text, billing_start_date timestamptz,
                                               billing_end_date timestamptz, "limit" integer, cursor text,
                                               OUT after_start timestamptz, OUT after_id text, OUT page_size integer)
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE SECURITY DEFINER;
COMMENT ON FUNCTION invoice.billing_v3_cursor_open(text, timestamptz, timestamptz, integer, text)
    IS 'internal to billing_v3_invoices: checks its arguments and its cursor (22004, 22023) and returns the keyset position its page starts after';

CREATE FUNCTION invoice.billing_v3_cursor_make(customer_id text, billing_start_date timestamptz,
                                               billing_end_date timestamptz, period_start timestamptz, id text)
    RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE SECURITY DEFINER;
COMMENT ON FUNCTION invoice.billing_v3_cursor_make(text, timestamptz, timestamptz, timestamptz, text)
    IS 'internal to billing_v3_invoices: the signed cursor of the page after invoice (period_start, id) of a listing';

CREATE FUNCTION invoice.billing_v3_not_found(invoice_id text, matches bigint) RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.billing_v3_not_found(text, bigint)
    IS 'internal to billing_v3_invoice: raises its error for an id that is NULL (22004), unknown (P0002) or ambiguous (21000)';

-- billing v3 functions

CREATE FUNCTION invoice.billing_v3_invoices(customer_id text, billing_start_date timestamptz DEFAULT NULL,
                                            billing_end_date timestamptz DEFAULT NULL,
                                            "limit" integer DEFAULT 100, cursor text DEFAULT NULL)
    RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, invoice, pg_temp
AS $$
-- One plan: the page is an index range scan of invoices_billing_v3_idx from
-- the keyset position, stopped after limit + 1 rows (the extra row only tells
-- that a next page exists), with the line items of each of those invoices
-- aggregated beside it.  billing_v3_cursor_open checks the arguments before
-- anything is read: the scan and its LIMIT depend on what it returns.
WITH bound AS MATERIALIZED (
    SELECT b.after_start, b.after_id, b.page_size
      FROM invoice.billing_v3_cursor_open(customer_id, billing_start_date, billing_end_date, "limit", cursor) b
), page AS (
    SELECT s.period_start, s.id, s.doc, row_number() OVER (ORDER BY s.period_start, s.id) AS n
      FROM (SELECT v.period_start, v.id, v.doc
              FROM invoice.billing_v3_invoice_json v
             WHERE v.org_id = customer_id
               AND (v.period_start, v.id) > ((SELECT b.after_start FROM bound b), (SELECT b.after_id FROM bound b))
               AND v.period_start < COALESCE(billing_end_date, 'infinity')
             ORDER BY v.period_start, v.id
             LIMIT (SELECT b.page_size FROM bound b) + 1) s
)
SELECT json_build_object(
    'invoices', COALESCE((SELECT json_agg(p.doc ORDER BY p.n) FROM page p
                           WHERE p.n <= (SELECT b.page_size FROM bound b)), '[]'::json),
    'meta', json_build_object(
        'limit', (SELECT b.page_size FROM bound b),
        -- the last invoice shown, when another follows it
        'next_cursor', COALESCE((SELECT invoice.billing_v3_cursor_make(customer_id, billing_start_date, billing_end_date,
                                                                       p.period_start, p.id)
                                   FROM page p
                                  WHERE p.n = (SELECT b.page_size FROM bound b)
                                    AND EXISTS (SELECT FROM page q WHERE q.n > p.n)), ''),
        'sort', 'billing_start_date',
        -- an index-only count: the view's line items are not computed for it
        'total', (SELECT count(*) FROM invoice.billing_v3_invoice_json v
                   WHERE v.org_id = customer_id
                     AND v.period_start >= COALESCE(billing_start_date, '-infinity')
                     AND v.period_start < COALESCE(billing_end_date, 'infinity'))))
$$;
COMMENT ON FUNCTION invoice.billing_v3_invoices(text, timestamptz, timestamptz, integer, text)
    IS 'Billing v3 list: a customer''s invoices whose billing period starts in [billing_start_date, billing_end_date), by billing_start_date then id, limit (1-200) per page; pass meta.next_cursor for the next page ("" on the last)';

CREATE FUNCTION invoice.billing_v3_invoice(invoice_id text) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, invoice, pg_temp
AS $$
SELECT CASE WHEN f.matches = 1 THEN f.doc ELSE invoice.billing_v3_not_found(invoice_id, f.matches) END
  FROM (SELECT count(*) AS matches, (array_agg(v.doc))[1] AS doc
          FROM invoice.billing_v3_invoice_json v
         WHERE v.id = invoice_id) f
$$;
COMMENT ON FUNCTION invoice.billing_v3_invoice(text)
    IS 'Billing v3 get: one invoice with its line items; P0002 unless it is issued and pending, overdue or paid';
-- api_get: the seeds' REST calls on one SQL function, for a thin HTTP gateway
--
--   GET /v2/invoices                       invoice_list          orgId, currentPage, pageSize, status,
--                                                                dateFrom, dateTo, search
--   GET /v2/invoices/{INVOICE_ID}          invoice_describe      orgId (optional scope)
--   GET /v2/invoice-summary                invoice_summary       orgId
--   GET /billing/v3/invoices               billing_v3_invoices   customer_id, billing_start_date,
--                                                                billing_end_date, limit, cursor
--   GET /billing/v3/invoices/{invoice_id}  billing_v3_invoice    customer_id (optional scope)
--
-- A failure is answered, not raised, in the seed's error shape
-- {"code": N, "message": "…"}: 40000 a bad parameter, 40001 a missing one,
-- 40300 permission denied, 40400 an unknown path, 40401 an unknown invoice,
-- 40900 an invoice id that two organisations share.  Any other error (a
-- bug, a cancelled query) is raised, for the gateway to answer 500.
--
-- PL/pgSQL, as only it can catch errors; the work is done by the SQL
-- functions it calls, each one plan.  Its exception block makes it
-- PARALLEL UNSAFE.

CREATE FUNCTION invoice.api_get(path text, params json DEFAULT '{}') RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, invoice, pg_temp
    SET TimeZone = 'UTC'
AS $$
DECLARE
    p json := COALESCE(params, '{}');
    route text := regexp_replace(path, '(.)/$', '\1');      -- one trailing slash is ignored
    id text := substring(route FROM '^(?:/v2|/billing/v3)/invoices/([^/?]+)$');
    endpoint text := CASE WHEN id IS NULL THEN route ELSE regexp_replace(route, '[^/]+$', '{id}') END;
    allowed text[];
    required text;
    name text;
    arg text;               -- the parameter being converted, named in its error
    page integer;
    page_size integer;
    lim integer;
    date_from timestamptz;
    date_to timestamptz;
    result json;
BEGIN
    CASE endpoint
        WHEN '/v2/invoices' THEN
            allowed := '{orgId,currentPage,pageSize,status,dateFrom,dateTo,search}';
            required := 'orgId';
        WHEN '/v2/invoices/{id}' THEN
            allowed := '{orgId}';
        WHEN '/v2/invoice-summary' THEN
            allowed := '{orgId}';
            required := 'orgId';
        WHEN '/billing/v3/invoices' THEN
            allowed := '{customer_id,billing_start_date,billing_end_date,limit,cursor}';
            required := 'customer_id';
        WHEN '/billing/v3/invoices/{id}' THEN
            allowed := '{customer_id}';
        ELSE
            RETURN json_build_object('code', 40400, 'message',
                                     CASE WHEN path LIKE '%?%'
                                          THEN format('unknown path "%s": pass query parameters in params', path)
                                          ELSE format('unknown path "%s"', path) END);
    END CASE;

    IF json_typeof(p) <> 'object' THEN
        RETURN json_build_object('code', 40000, 'message', 'params must be a JSON object');
    END IF;
    -- \u0000 (an odd number of backslashes before u0000) cannot become text: answer, never 22P05
    IF p::text ~ '(^|[^\\])(\\\\)*\\u0000' THEN
        RETURN json_build_object('code', 40000, 'message', 'params must not contain \u0000 (NUL)');
    END IF;
    SELECT k INTO name FROM json_object_keys(p) k WHERE k <> ALL (allowed) LIMIT 1;
    IF FOUND THEN
        RETURN json_build_object('code', 40000, 'message',
                                 format('unknown parameter "%s" for GET %s', name, endpoint));
    END IF;
    SELECT k INTO name FROM json_object_keys(p) k GROUP BY k HAVING count(*) > 1 LIMIT 1;
    IF FOUND THEN
        RETURN json_build_object('code', 40000, 'message', format('parameter "%s" is given twice', name));
    END IF;
    SELECT e.key INTO name FROM json_each(p) e WHERE json_typeof(e.value) NOT IN ('string', 'number', 'null') LIMIT 1;
    IF FOUND THEN
        RETURN json_build_object('code', 40000, 'message',
                                 format('parameter "%s" must be a string or a number', name));
    END IF;
    IF required IS NOT NULL AND p->>required IS NULL THEN
        RETURN json_build_object('code', 40001, 'message', format('parameter "%s" is required', required));
    END IF;

    BEGIN
        -- Integers are digits; timestamps are ISO 8601, in UTC unless they say
        -- otherwise (the function's TimeZone).  A JSON null is an absent
        -- parameter, which takes the function's default.
        FOREACH name IN ARRAY '{currentPage,pageSize,limit}'::text[] LOOP
            IF p->>name !~ '^\s*[+-]?[0-9]+\s*$' THEN
                RAISE EXCEPTION 'parameter "%" must be an integer, not "%"', name, p->>name
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
        END LOOP;
        FOREACH name IN ARRAY '{dateFrom,dateTo,billing_start_date,billing_end_date}'::text[] LOOP
            IF p->>name !~ '^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?(Z|[+-]\d\d(:?\d\d)?)?$' THEN
                RAISE EXCEPTION 'parameter "%" must be an ISO 8601 date or timestamp, not "%"', name, p->>name
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
        END LOOP;

        CASE endpoint
            WHEN '/v2/invoices' THEN
                arg := 'currentPage';
                page := COALESCE((p->>'currentPage')::integer, 1);
                arg := 'pageSize';
                page_size := COALESCE((p->>'pageSize')::integer, 10);
                arg := 'dateFrom';
                date_from := (p->>'dateFrom')::timestamptz;
                arg := 'dateTo';
                date_to := (p->>'dateTo')::timestamptz;
                arg := NULL;
                RETURN invoice.invoice_list(p->>'orgId', page, page_size, p->>'status', date_from, date_to,
                                            p->>'search');
            WHEN '/v2/invoice-summary' THEN
                RETURN json_build_object('code', 0, 'data', invoice.invoice_summary(p->>'orgId'));
            WHEN '/billing/v3/invoices' THEN
                arg := 'limit';
                lim := COALESCE((p->>'limit')::integer, 100);
                arg := 'billing_start_date';
                date_from := (p->>'billing_start_date')::timestamptz;
                arg := 'billing_end_date';
                date_to := (p->>'billing_end_date')::timestamptz;
                arg := NULL;
                RETURN invoice.billing_v3_invoices(p->>'customer_id', date_from, date_to, lim, p->>'cursor');
            WHEN '/v2/invoices/{id}' THEN
                result := invoice.invoice_describe(id);
                name := result->'data'->>'orgId';
            ELSE
                result := invoice.billing_v3_invoice(id);
                name := result->>'customer_id';
        END CASE;
        -- A scope that is not the invoice's organisation finds nothing, as an
        -- unknown id does: the answer tells nothing of other organisations.
        IF name <> COALESCE(p->>allowed[1], name) THEN
            RETURN json_build_object('code', 40401, 'message',
                                     format(CASE WHEN endpoint LIKE '/v2/%' THEN 'invoice "%s" does not exist'
                                                 ELSE 'invoice "%s" not found' END, id));
        END IF;
        RETURN result;
    EXCEPTION
        WHEN null_value_not_allowed THEN
            RETURN json_build_object('code', 40001, 'message', SQLERRM);
        WHEN no_data_found THEN
            RETURN json_build_object('code', 40401, 'message', SQLERRM);
        WHEN cardinality_violation THEN
            RETURN json_build_object('code', 40900, 'message', SQLERRM);
        WHEN insufficient_privilege THEN
            RETURN json_build_object('code', 40300, 'message', SQLERRM);
        WHEN data_exception THEN
            RETURN json_build_object('code', 40000, 'message',
                                     CASE WHEN arg IS NULL THEN SQLERRM ELSE format('parameter "%s": %s', arg, SQLERRM) END);
    END;
END
$$;
COMMENT ON FUNCTION invoice.api_get(text, json)
    IS 'a REST GET on the invoice APIs for an HTTP gateway: /v2/invoices, /v2/invoices/{id}, /v2/invoice-summary, /billing/v3/invoices, /billing/v3/invoices/{id}, query parameters in params; failures come back as {"code": 4xxxx, "message": …}';
-- GST: the rate table (rates change: validated by date, not a literal list in code)

CREATE TABLE invoice.gst_rates (
    rate            numeric NOT NULL CHECK (rate BETWEEN 0 AND 100 AND rate = round(rate, 6)),
    effective_from  date NOT NULL,
    effective_to    date,
    note            text,
    builtin         boolean NOT NULL DEFAULT false,
    PRIMARY KEY (rate, effective_from),
    CHECK (effective_to IS NULL OR effective_to > effective_from)
);
COMMENT ON TABLE invoice.gst_rates IS 'GST rates and the dates they apply [effective_from, effective_to); a GST line''s rate must be one of them on the invoice date (UTC)';
COMMENT ON COLUMN invoice.gst_rates.builtin IS 'shipped with the extension (not dumped); rows you add are dumped';

-- GST since 1 July 2017; the reform of 22 September 2025 added 40 % and retired 12 % and 28 %
INSERT INTO invoice.gst_rates (rate, effective_from, effective_to, note, builtin) VALUES
    (0,    '2017-07-01', NULL,         'nil rated', true),
    (0.25, '2017-07-01', NULL,         'rough precious stones', true),
    (3,    '2017-07-01', NULL,         'gold, silver, jewellery', true),
    (5,    '2017-07-01', NULL,         'merit rate', true),
    (12,   '2017-07-01', '2025-09-22', 'standard rate, retired by the 2025 reform', true),
    (18,   '2017-07-01', NULL,         'standard rate', true),
    (28,   '2017-07-01', '2025-09-22', 'luxury rate, retired by the 2025 reform', true),
    (40,   '2025-09-22', NULL,         'demerit rate (2025 reform)', true);
SELECT pg_catalog.pg_extension_config_dump('invoice.gst_rates', 'WHERE NOT builtin');

CREATE FUNCTION invoice.invoice_place_of_supply_changed() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION invoice.invoice_place_of_supply_changed() IS 'trigger: GST drafts are recomputed when their place of supply may have moved (issued invoices keep theirs)';
CREATE TRIGGER org_place_of_supply_changed AFTER UPDATE OF billing_state, gstin ON invoice.orgs
    FOR EACH ROW WHEN (OLD.billing_state IS DISTINCT FROM NEW.billing_state OR OLD.gstin IS DISTINCT FROM NEW.gstin)
    EXECUTE FUNCTION invoice.invoice_place_of_supply_changed();
CREATE TRIGGER supplier_changed AFTER INSERT OR UPDATE OR DELETE ON invoice.supplier
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_place_of_supply_changed();
-- credit notes (corrections of issued invoices) and disputes

CREATE TYPE invoice.credit_note_reason AS ENUM ('duplicate_charge', 'wrong_rate', 'service_not_rendered', 'other');
COMMENT ON TYPE invoice.credit_note_reason IS 'why a credit note was issued';

CREATE TABLE invoice.credit_notes (
    org_id          text COLLATE "C" NOT NULL,
    credit_note_id  text COLLATE "C" NOT NULL DEFAULT 'cn-' || substr(invoice.new_invoice_id(), 5)
                    CHECK (credit_note_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
    invoice_id      text COLLATE "C" NOT NULL,
    number          text COLLATE "C" CHECK (number ~ '^[A-Za-z0-9/-]{1,16}$'),
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued')),
    reason          invoice.credit_note_reason NOT NULL,
    description     text,
    note_date       date,
    taxable_value   invoice.cents NOT NULL DEFAULT '0',
    cgst            invoice.cents NOT NULL DEFAULT '0',
    sgst            invoice.cents NOT NULL DEFAULT '0',
    igst            invoice.cents NOT NULL DEFAULT '0',
    tax             invoice.cents NOT NULL DEFAULT '0',
    total           invoice.cents NOT NULL DEFAULT '0',
    to_balance      invoice.cents NOT NULL DEFAULT '0',
    created_at      timestamptz NOT NULL DEFAULT invoice.clock(),
    issued_at       timestamptz,
    PRIMARY KEY (org_id, credit_note_id),
    UNIQUE (org_id, number),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id),
    CHECK ((status = 'draft') = (number IS NULL))
);
CREATE INDEX credit_notes_invoice_idx ON invoice.credit_notes (org_id, invoice_id);
CREATE INDEX credit_notes_id_idx ON invoice.credit_notes (credit_note_id);
COMMENT ON TABLE invoice.credit_notes IS 'corrections of issued invoices, numbered CN/YYyy/NNNNNN: reduce the amount due, or credit the advance balance once paid';
COMMENT ON COLUMN invoice.credit_notes.to_balance IS 'the part of the total credited to the organisation''s advance balance (what the invoice no longer owed)';

CREATE TABLE invoice.credit_note_lines (
    org_id          text COLLATE "C" NOT NULL,
    credit_note_id  text COLLATE "C" NOT NULL,
    line_no         bigint GENERATED ALWAYS AS IDENTITY,
    description     text NOT NULL CHECK (btrim(description) <> ''),
    amount          invoice.cents NOT NULL CHECK (amount > '0'),
    tax_rate        numeric CHECK (tax_rate BETWEEN 0 AND 100 AND tax_rate = round(tax_rate, 6)),
    hsn_sac         text CHECK (hsn_sac ~ '^([0-9]{4}|[0-9]{6}|[0-9]{8})$'),
    cgst            invoice.cents NOT NULL DEFAULT '0',
    sgst            invoice.cents NOT NULL DEFAULT '0',
    igst            invoice.cents NOT NULL DEFAULT '0',
    tax             invoice.cents NOT NULL DEFAULT '0',
    PRIMARY KEY (org_id, line_no),
    FOREIGN KEY (org_id, credit_note_id) REFERENCES invoice.credit_notes (org_id, credit_note_id) ON DELETE CASCADE
);
CREATE INDEX credit_note_lines_note_idx ON invoice.credit_note_lines (org_id, credit_note_id);
COMMENT ON TABLE invoice.credit_note_lines IS 'what a credit note credits: taxable amount and rate (NULL: the invoice''s rate); the tax is split as the invoice''s';

SELECT pg_catalog.pg_extension_config_dump('invoice.credit_notes', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.credit_note_lines', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.credit_note_lines_line_no_seq', '');

CREATE FUNCTION invoice.credit_note_guard() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION invoice.credit_note_guard() IS 'trigger: credit notes are created as drafts, issued by credit_note_issue only, never changed once issued';
CREATE TRIGGER credit_note_guard BEFORE INSERT OR UPDATE OR DELETE ON invoice.credit_notes
    FOR EACH ROW EXECUTE FUNCTION invoice.credit_note_guard();

CREATE FUNCTION invoice.credit_note_lines_guard() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION invoice.credit_note_lines_guard() IS 'trigger: the lines of an issued credit note never change';
CREATE TRIGGER credit_note_lines_guard BEFORE INSERT OR UPDATE OR DELETE ON invoice.credit_note_lines
    FOR EACH ROW EXECUTE FUNCTION invoice.credit_note_lines_guard();

CREATE FUNCTION invoice.credit_note_create(invoice_id text, reason text, description text DEFAULT NULL)
    RETURNS invoice.credit_notes AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.credit_note_create(text, text, text)
    IS 'a draft credit note for an issued invoice; add its lines to invoice.credit_note_lines, then issue it';

CREATE FUNCTION invoice.credit_note_issue(credit_note_id text, note_date date DEFAULT CAST(invoice.clock() AS date))
    RETURNS invoice.credit_notes AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.credit_note_issue(text, date)
    IS 'issue a draft credit note: tax split as the invoice''s, a CN number, never more than remains creditable, within section 34''s deadline for GST invoices; resolves an open dispute';

CREATE FUNCTION invoice.invoice_dispute(id text, description text) RETURNS invoice.invoices
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_dispute(text, text)
    IS 'open a dispute on a pending or overdue invoice: it stays out of the overdue sweep and reminders until resolved';

CREATE FUNCTION invoice.invoice_dispute_reject(id text) RETURNS invoice.invoices
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_dispute_reject(text)
    IS 'close an open dispute without a correction (a credit note closes it as resolved)';
-- collections: the overdue sweep, reminders and grace-period suspension

CREATE TABLE invoice.reminders (
    org_id        text COLLATE "C" NOT NULL,
    invoice_id    text COLLATE "C" NOT NULL,
    reminder_id   bigint GENERATED ALWAYS AS IDENTITY,
    kind          text NOT NULL CHECK (kind IN ('overdue', 'repeat')),
    reminder_day  date NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT invoice.clock(),
    sent_at       timestamptz,
    PRIMARY KEY (org_id, reminder_id),
    UNIQUE (org_id, invoice_id, reminder_day),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id) ON DELETE CASCADE
);
CREATE INDEX reminders_unsent_idx ON invoice.reminders (created_at) WHERE sent_at IS NULL;
COMMENT ON TABLE invoice.reminders IS 'outbox of overdue reminders: an emailer LISTENs on invoice_reminders, sends, and sets sent_at';
COMMENT ON COLUMN invoice.reminders.kind IS 'overdue: the invoice just became overdue; repeat: still overdue after invoice.reminder_interval_days';
COMMENT ON COLUMN invoice.reminders.reminder_day IS 'UTC day of the reminder: at most one per invoice and day';
SELECT pg_catalog.pg_extension_config_dump('invoice.reminders', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.reminders_reminder_id_seq', '');

CREATE FUNCTION invoice.invoice_sweep_overdue(as_of timestamptz DEFAULT invoice.clock()) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_sweep_overdue(timestamptz)
    IS 'pending → overdue for every invoice due before as_of (skipping invoices locked by payments), then suspensions past grace and repeat reminders; returns how many moved';

CREATE FUNCTION invoice.invoice_sweep_overdue_batch(as_of timestamptz, batch_size integer) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_sweep_overdue_batch(timestamptz, integer)
    IS 'the sweep for at most batch_size invoices, so that a caller committing between calls never holds many locks';
-- prepaid balances: top-ups with receipts, an append-only ledger, auto-pay requests

CREATE TABLE invoice.receipts (
    org_id        text COLLATE "C" NOT NULL REFERENCES invoice.orgs (org_id),
    receipt_id    bigint GENERATED ALWAYS AS IDENTITY,
    number        text COLLATE "C" NOT NULL CHECK (number ~ '^[A-Za-z0-9/-]{1,16}$'),
    amount        invoice.cents NOT NULL CHECK (amount > '0'),
    method        invoice.payment_method NOT NULL,
    provider_ref  text COLLATE "C" NOT NULL CHECK (btrim(provider_ref) <> ''),
    received_at   timestamptz NOT NULL DEFAULT invoice.clock(),
    PRIMARY KEY (org_id, receipt_id),
    UNIQUE (org_id, number),
    UNIQUE (org_id, provider_ref)
);
COMMENT ON TABLE invoice.receipts IS 'receipts for prepaid top-ups, numbered RCT/YYyy/NNNNNN in their own gapless series';

CREATE TABLE invoice.advance_ledger (
    org_id      text COLLATE "C" NOT NULL REFERENCES invoice.orgs (org_id),
    entry_id    bigint GENERATED ALWAYS AS IDENTITY,
    kind        text NOT NULL CHECK (kind IN ('topup', 'applied', 'reversal')),
    amount      invoice.cents NOT NULL CHECK (amount <> '0'),
    receipt_id  bigint,
    invoice_id  text COLLATE "C",
    created_at  timestamptz NOT NULL DEFAULT invoice.clock(),
    PRIMARY KEY (org_id, entry_id),
    FOREIGN KEY (org_id, receipt_id) REFERENCES invoice.receipts (org_id, receipt_id),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id),
    CHECK (kind <> 'topup' OR (receipt_id IS NOT NULL AND amount > '0')),
    CHECK (kind <> 'applied' OR (invoice_id IS NOT NULL AND amount < '0'))
);
CREATE INDEX advance_ledger_invoice_idx ON invoice.advance_ledger (org_id, invoice_id) WHERE invoice_id IS NOT NULL;
COMMENT ON TABLE invoice.advance_ledger IS 'append-only ledger of prepaid balances: top-ups (+), amounts applied to invoices (-), reversals; its sum per organisation is orgs.advance_balance';

CREATE TABLE invoice.payment_requests (
    org_id        text COLLATE "C" NOT NULL,
    request_id    bigint GENERATED ALWAYS AS IDENTITY,
    invoice_id    text COLLATE "C" NOT NULL,
    amount        invoice.cents NOT NULL CHECK (amount > '0'),
    created_at    timestamptz NOT NULL DEFAULT invoice.clock(),
    processed_at  timestamptz,
    PRIMARY KEY (org_id, request_id),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id)
);
CREATE INDEX payment_requests_open_idx ON invoice.payment_requests (created_at) WHERE processed_at IS NULL;
COMMENT ON TABLE invoice.payment_requests IS 'outbox of auto-pay charges for the payment gateway worker, which records the result with invoice_pay and sets processed_at';

SELECT pg_catalog.pg_extension_config_dump('invoice.receipts', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.receipts_receipt_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.advance_ledger', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.advance_ledger_entry_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.payment_requests', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.payment_requests_request_id_seq', '');

CREATE FUNCTION invoice.advance_ledger_changed() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION invoice.advance_ledger_append_only() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION invoice.org_balance_guard() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION invoice.advance_ledger_changed() IS 'trigger: add new ledger entries to orgs.advance_balance (which may never go negative)';
COMMENT ON FUNCTION invoice.advance_ledger_append_only() IS 'trigger: ledger entries are never updated or deleted';
COMMENT ON FUNCTION invoice.org_balance_guard() IS 'trigger: advance_balance follows the ledger only';

CREATE TRIGGER advance_ledger_inserted AFTER INSERT ON invoice.advance_ledger
    REFERENCING NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.advance_ledger_changed();
CREATE TRIGGER advance_ledger_append_only BEFORE UPDATE OR DELETE ON invoice.advance_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.advance_ledger_append_only();
CREATE TRIGGER org_balance_guard BEFORE INSERT OR UPDATE OF advance_balance ON invoice.orgs
    FOR EACH ROW EXECUTE FUNCTION invoice.org_balance_guard();

CREATE FUNCTION invoice.invoice_topup(org_id text, amount invoice.cents, method text, provider_ref text)
    RETURNS invoice.receipts AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_topup(text, invoice.cents, text, text)
    IS 'record a prepaid top-up and issue its receipt; idempotent on provider_ref; the balance is applied to invoices as they are issued';
-- documents: invoices, credit notes and prepaid receipts as printable PDF; invoices in bulk as a ZIP
--
-- Part of the read API: the documents read their rows with the caller's
-- rights (no SECURITY DEFINER), so table privileges and row-level security
-- decide what can be printed, and an invoice of another organisation "does
-- not exist".  A GST invoice's summary is read through invoice_tax_lines,
-- which the printing role must be granted.  They name the supplier of
-- invoice.supplier and refuse to render (55000) until it has its row.  Not
-- STRICT: a NULL argument is an error (22004), not a NULL document.

CREATE FUNCTION invoice.invoice_pdf(id text) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE;
COMMENT ON FUNCTION invoice.invoice_pdf(text)
    IS 'the invoice as a printable A4 PDF: supplier and customer, dates, status stamp, line items, GST summary, totals, credit notes, payments';

CREATE FUNCTION invoice.invoice_pdf_zip(ids text[]) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE;
COMMENT ON FUNCTION invoice.invoice_pdf_zip(text[])
    IS 'one ZIP archive with one PDF per distinct invoice, named by its number (INV-2425-000001.pdf; a draft by its id); at most 1000 invoices';

CREATE FUNCTION invoice.credit_note_pdf(credit_note_id text) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE;
COMMENT ON FUNCTION invoice.credit_note_pdf(text)
    IS 'the credit note as a printable A4 PDF: the invoice it corrects, its lines, tax heads and where the credit went';

CREATE FUNCTION invoice.receipt_pdf(org_id text, receipt_id bigint) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE;
COMMENT ON FUNCTION invoice.receipt_pdf(text, bigint)
    IS 'the receipt of a prepaid top-up (invoice.receipts) as a printable A4 PDF';
-- security: organisation members, row-level security, who may call what (README "Security model")

CREATE TABLE invoice.members (
    org_id      text COLLATE "C" NOT NULL REFERENCES invoice.orgs (org_id) ON DELETE CASCADE,
    member      name NOT NULL,
    role        text NOT NULL CHECK (role IN ('owner', 'billing_admin', 'viewer')),
    created_at  timestamptz NOT NULL DEFAULT invoice.clock(),
    PRIMARY KEY (org_id, member)
);
CREATE INDEX members_member_idx ON invoice.members (member);
COMMENT ON TABLE invoice.members IS 'database roles that act for an organisation: owner and billing_admin read, pay, cancel, dispute and top up; viewer reads';
SELECT pg_catalog.pg_extension_config_dump('invoice.members', '');

CREATE FUNCTION invoice.acting_role() RETURNS name
    AS 'MODULE_PATHNAME', 'invoice_acting_role_name' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.acting_role() IS 'the role the extension acts for: current_user, and inside the extension''s functions that run as the tables'' owner, the role that called them';

ALTER TABLE invoice.status_history ALTER COLUMN changed_by SET DEFAULT invoice.acting_role();

CREATE FUNCTION invoice.member_orgs() RETURNS text[]
    AS 'MODULE_PATHNAME', 'invoice_member_orgs' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION invoice.member_of(org_id text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'invoice_member_of' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.member_of(text) IS 'is the acting role a member of the organisation? (the row-level security test on Citus, see invoice.distribute())';

COMMENT ON FUNCTION invoice.member_orgs() IS 'the organisations the acting role is a member of (what row-level security lets it see)';

-- Every table of an organisation's data: members see their organisations' rows; nobody but
-- the owner (and superusers, BYPASSRLS roles) writes directly — members act through the
-- functions below.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['orgs', 'invoices', 'line_items', 'credits', 'payments', 'status_history',
                             'reminders', 'receipts', 'advance_ledger', 'payment_requests',
                             'credit_notes', 'credit_note_lines', 'search_signatures']
    LOOP
        EXECUTE format('ALTER TABLE invoice.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY member_read ON invoice.%I FOR SELECT'
                       ' USING (org_id = ANY ((SELECT invoice.member_orgs())::text[]))', t);
        EXECUTE format('COMMENT ON POLICY member_read ON invoice.%I IS %L', t,
                       'members read the rows of their organisations');
    END LOOP;
END
$$;
ALTER TABLE invoice.members ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_memberships ON invoice.members FOR SELECT USING (member = invoice.acting_role());
COMMENT ON POLICY own_memberships ON invoice.members IS 'a role sees its own memberships';

-- Functions that write run with the rights of the tables' owner — they switch to them after
-- noting who called (src/security.c: the same effect as SECURITY DEFINER, with the caller known
-- exactly, even inside maintenance operations or another role's SECURITY DEFINER function) —
-- with a pinned search_path, and check the caller's membership themselves.
ALTER FUNCTION invoice.invoice_compute(text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_compute_period(timestamptz, timestamptz) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_issue(text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_issue_period(timestamptz, timestamptz) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_cancel(text, text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_pay(text, invoice.cents, text, text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_topup(text, invoice.cents, text, text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_sweep_overdue(timestamptz) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_sweep_overdue_batch(timestamptz, integer) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_dispute(text, text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_dispute_reject(text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.credit_note_create(text, text, text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.credit_note_issue(text, date) SET search_path = pg_catalog, invoice, pg_temp;

-- Nothing to PUBLIC that it does not need: the functions of the cents and gstin types stay
-- executable by everyone (the administrator grants USAGE on the schema to who may use them);
-- the billing functions, triggers and tables are granted by the administrator (README).
REVOKE ALL ON ALL TABLES IN SCHEMA invoice FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION
    invoice.invoice_compute(text), invoice.invoice_compute_period(timestamptz, timestamptz), invoice.search_rebuild(text),
    invoice.invoice_issue(text), invoice.invoice_issue_period(timestamptz, timestamptz),
    invoice.invoice_cancel(text, text), invoice.invoice_pay(text, invoice.cents, text, text),
    invoice.invoice_topup(text, invoice.cents, text, text),
    invoice.invoice_sweep_overdue(timestamptz), invoice.invoice_sweep_overdue_batch(timestamptz, integer),
    invoice.invoice_dispute(text, text), invoice.invoice_dispute_reject(text),
    invoice.credit_note_create(text, text, text), invoice.credit_note_issue(text, date),
    invoice.line_item_amount(), invoice.invoice_children_changed(),
    invoice.invoice_before_insert(), invoice.invoice_before_update(), invoice.invoice_before_delete(),
    invoice.invoice_after_statement(), invoice.advance_ledger_changed(), invoice.advance_ledger_append_only(),
    invoice.org_balance_guard(), invoice.credit_note_guard(), invoice.credit_note_lines_guard(),
    invoice.invoice_place_of_supply_changed(), invoice.api_secret_replace()
FROM PUBLIC;
-- scale-out: the extension's tables on a Citus cluster (README "Scale-out with Citus")

-- The tables of one organisation's data, in foreign-key order: each is hash-distributed by
-- org_id and colocated with orgs, so that one organisation's rows of every table live in the
-- shards of one node.  Tables added later join this list.
CREATE FUNCTION invoice.distributed_tables() RETURNS regclass[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['invoice.orgs', 'invoice.members', 'invoice.invoices', 'invoice.receipts',
                 'invoice.line_items', 'invoice.credits', 'invoice.payments', 'invoice.status_history',
                 'invoice.reminders', 'invoice.advance_ledger', 'invoice.payment_requests',
                 'invoice.search_signatures', 'invoice.credit_notes', 'invoice.credit_note_lines']::regclass[];
COMMENT ON FUNCTION invoice.distributed_tables()
    IS 'the organisation tables invoice.distribute() distributes by org_id, colocated with orgs, in foreign-key order';

-- Global tables, the same for every organisation: a copy on every node.
CREATE FUNCTION invoice.reference_tables() RETURNS regclass[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['invoice.supplier', 'invoice.gst_rates', 'invoice.number_series']::regclass[];
COMMENT ON FUNCTION invoice.reference_tables()
    IS 'the global tables invoice.distribute() makes Citus reference tables (a copy on every node)';

-- The work of the functions that write one organisation's invoices, on the node that holds
-- them: on a Citus coordinator the public function finds the invoice, checks access and locks
-- it, then runs SELECT invoice.<name>_on_node(o.org_id, …) FROM invoice.orgs o WHERE o.org_id = …,
-- a router query Citus sends whole to that node (src/shards.c).  Internal: owner only.
CREATE FUNCTION invoice.invoice_compute_on_node(org_id text, id text) RETURNS invoice.invoices
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_compute_on_node(text, text)
    IS 'internal (Citus): invoice_compute''s work on the node of the organisation';
CREATE FUNCTION invoice.invoice_issue_on_node(org_id text, id text, invoice_date timestamptz, number text)
    RETURNS invoice.invoices AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_issue_on_node(text, text, timestamptz, text)
    IS 'internal (Citus): invoice_issue''s work on the node of the organisation, with the number the coordinator took';
CREATE FUNCTION invoice.invoice_pay_on_node(org_id text, id text, amount bigint, method text, provider_ref text)
    RETURNS invoice.payments AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_pay_on_node(text, text, bigint, text, text)
    IS 'internal (Citus): invoice_pay''s work on the node of the organisation';
REVOKE EXECUTE ON FUNCTION invoice.invoice_compute_on_node(text, text),
    invoice.invoice_issue_on_node(text, text, timestamptz, text),
    invoice.invoice_pay_on_node(text, text, bigint, text, text) FROM PUBLIC;

-- Run a command on every worker node; any node's failure is an error.
CREATE FUNCTION invoice.on_workers(command text) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, invoice, pg_temp
AS $$
DECLARE
    node record;
BEGIN
    FOR node IN SELECT * FROM run_command_on_workers(command) LOOP
        IF NOT node.success THEN
            RAISE EXCEPTION 'command failed on worker %:%: %', node.nodename, node.nodeport, node.result;
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION invoice.on_workers(text) IS 'invoice.distribute()''s helper: a command on every Citus worker, failing when any node fails';

-- invoice.api_secret stays a table of the coordinator: only the coordinator signs and checks
-- Billing v3 cursors, and its one-row rule (a trigger deleting the old secret) is local.
CREATE FUNCTION invoice.distribute() RETURNS TABLE (table_name regclass, citus_table_type text)
    LANGUAGE plpgsql SET search_path = pg_catalog, invoice, pg_temp
AS $distribute$
DECLARE
    t regclass;
    sequences text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'invoice.distribute() needs the citus extension'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'On a Citus coordinator: CREATE EXTENSION citus, add the worker nodes, then call invoice.distribute().';
    END IF;
    -- Citus refuses subqueries in policies, and member_orgs() would read the members of every
    -- organisation from a shard: the member_read policies test member_of(org_id) instead,
    -- which reads the organisation's members shard on the node of the row.
    FOREACH t IN ARRAY invoice.distributed_tables() LOOP
        IF EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = t AND p.polname = 'member_read'
                      AND pg_get_expr(p.polqual, p.polrelid) NOT LIKE '%member_of(%') THEN
            EXECUTE format('ALTER POLICY member_read ON %s USING (invoice.member_of(org_id))', t);
            -- and on the workers' copies of the extension's tables (CREATE EXTENSION reached them)
            PERFORM invoice.on_workers(format('ALTER POLICY member_read ON invoice.%I USING (invoice.member_of(org_id))',
                                              (SELECT c.relname FROM pg_class c WHERE c.oid = t)));
        END IF;
    END LOOP;
    -- The extension's triggers run on the shards (row-local work and colocated, same-org SQL).
    PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    FOREACH t IN ARRAY invoice.reference_tables() LOOP
        IF NOT EXISTS (SELECT FROM pg_dist_partition p WHERE p.logicalrelid = t) THEN
            PERFORM create_reference_table(t);
            PERFORM truncate_local_data_after_distributing_table(t);   -- the coordinator's old copy
        END IF;
    END LOOP;
    FOREACH t IN ARRAY invoice.distributed_tables() LOOP
        IF NOT EXISTS (SELECT FROM pg_dist_partition p WHERE p.logicalrelid = t) THEN
            IF t = 'invoice.orgs'::regclass THEN
                PERFORM create_distributed_table(t, 'org_id');
            ELSE
                PERFORM create_distributed_table(t, 'org_id', colocate_with => 'invoice.orgs');
            END IF;
        END IF;
    END LOOP;
    -- Rows the triggers insert on a worker take their identity from the worker's own copy of
    -- the sequence: give each node its own range, (group id << 48) + 1 onwards, as Citus does
    -- for the sequences of tables it creates itself (Citus's own helper cannot see tables
    -- distributed in this transaction).  A node already in its range is left alone.
    SELECT string_agg(format('%L', pg_get_serial_sequence(a.attrelid::regclass::text, a.attname)), ', ')
      INTO sequences
      FROM unnest(invoice.distributed_tables()) AS t(rel)
      JOIN pg_attribute a ON a.attrelid = t.rel AND a.attidentity <> '' AND NOT a.attisdropped;
    PERFORM invoice.on_workers(format($worker$
            SET citus.enable_ddl_propagation TO off;
            DO $do$
            DECLARE
                seq regclass;
                low bigint := ((SELECT groupid FROM pg_catalog.pg_dist_local_group)::bigint << 48) + 1;
            BEGIN
                FOREACH seq IN ARRAY ARRAY[%s]::regclass[] LOOP
                    IF (SELECT s.seqmin FROM pg_catalog.pg_sequence s WHERE s.seqrelid = seq) <> low THEN
                        EXECUTE format('ALTER SEQUENCE %%s MINVALUE %%s MAXVALUE %%s START %%s RESTART %%s',
                                       seq, low, low + (1::bigint << 48) - 1, low, low);
                    END IF;
                END LOOP;
            END
            $do$$worker$, sequences));
    RETURN QUERY
        SELECT p.logicalrelid::regclass,
               CASE p.partmethod WHEN 'h' THEN 'distributed' WHEN 'n' THEN 'reference' ELSE p.partmethod::text END
          FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
         WHERE c.relnamespace = 'invoice'::regnamespace
         ORDER BY 2, p.logicalrelid::regclass::text;
END
$distribute$;
COMMENT ON FUNCTION invoice.distribute()
    IS 'on a Citus coordinator: reference tables for the global tables, every organisation table distributed by org_id colocated with orgs; idempotent';
REVOKE EXECUTE ON FUNCTION invoice.distribute(), invoice.distributed_tables(), invoice.reference_tables(),
    invoice.on_workers(text) FROM PUBLIC;
