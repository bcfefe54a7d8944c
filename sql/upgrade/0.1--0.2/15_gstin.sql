
-- 15_gstin: GSTIN kinds (gstin_kind), UINs; the comments say so
CREATE FUNCTION invoice.gstin_kind(text) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.gstin_valid(text) IS
    'true iff the text is a GSTIN or UIN of one of the kinds the GST portal issues, with a correct check character, in upper case; never raises';
COMMENT ON FUNCTION invoice.gstin_check(text) IS
    'true for a valid GSTIN or UIN, otherwise raises 22P02 naming the part that is wrong';
COMMENT ON FUNCTION invoice.gstin_kind(text) IS
    'the kind of a valid GSTIN or UIN: normal, government, tds, tcs, uin, nri or oidar; NULL for anything else; never raises';
COMMENT ON DOMAIN invoice.gstin IS
    'GST identification number or UIN of any kind the GST portal issues: 15 characters, upper case, check character verified; malformed values raise 22P02';
