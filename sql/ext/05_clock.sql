-- the one clock: what the extension takes for "now" (src/clock.c)

CREATE FUNCTION invoice.clock() RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'invoice_clock' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.clock()
    IS 'the extension''s "now": the transaction''s start time, or the instant invoice.test_clock names (superusers, for tests)';
