-- limits: how long a free text may be (README "Limits")
--
-- Every free text column is checked where it enters, by any path (the
-- functions, a plain INSERT or UPDATE, a COPY): a text over its limit is
-- refused with 22001 naming it and the limit, before the index or the PDF
-- that would choke on it.  Identifiers have theirs in their own CHECKs (64
-- characters of [A-Za-z0-9_-], 16 for numbers).
--
--   255 bytes    names, e-mail addresses, codes, product fields, provider references
--   1000 bytes   addresses, reasons, resource names
--   4000 bytes   descriptions

CREATE FUNCTION invoice.text_within(value text, max_bytes integer, what text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'invoice_text_within' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.text_within(text, integer, text)
    IS 'true, or 22001 naming what when value is longer than max_bytes bytes (the CHECK of every free text column)';

DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT * FROM (VALUES
        ('supplier', 'legal_name', 255, 'supplier legal name'),
        ('supplier', 'address', 1000, 'supplier address'),
        ('supplier', 'email', 255, 'supplier e-mail address'),
        ('orgs', 'name', 255, 'organisation name'),
        ('orgs', 'billing_email', 255, 'billing e-mail address'),
        ('orgs', 'billing_address', 1000, 'billing address'),
        ('invoices', 'description', 4000, 'invoice description'),
        ('invoices', 'status_reason', 1000, 'status reason'),
        ('invoices', 'dispute_description', 4000, 'dispute description'),
        ('line_items', 'description', 4000, 'line item description'),
        ('line_items', 'product_group', 255, 'product group'),
        ('line_items', 'product_line', 255, 'product line'),
        ('line_items', 'product_name', 255, 'product name'),
        ('line_items', 'region', 255, 'region'),
        ('line_items', 'usage_type', 255, 'usage type'),
        ('line_items', 'credit_coupon_code', 255, 'credit coupon code'),
        ('line_items', 'resource_type', 255, 'resource type'),
        ('line_items', 'resource_name', 1000, 'resource name'),
        ('credits', 'code', 255, 'credit code'),
        ('credits', 'description', 4000, 'credit description'),
        ('payments', 'provider_ref', 255, 'provider reference'),
        ('status_history', 'reason', 1000, 'status reason'),
        ('receipts', 'provider_ref', 255, 'provider reference'),
        ('credit_notes', 'description', 4000, 'credit note description'),
        ('credit_note_lines', 'description', 4000, 'credit note line description')) AS t(tab, col, max_bytes, what)
    LOOP
        PERFORM invoice.table_ddl(format('invoice.%I', c.tab)::regclass,   -- 06_table_ddl.sql
            format('ALTER TABLE invoice.%I DROP CONSTRAINT IF EXISTS %I', c.tab, c.tab || '_' || c.col || '_length'),
            format('ALTER TABLE invoice.%I ADD CONSTRAINT %I CHECK (invoice.text_within(%I, %s, %L))',
                   c.tab, c.tab || '_' || c.col || '_length', c.col, c.max_bytes, c.what));
    END LOOP;
END
$$;
