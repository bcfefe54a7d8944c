
-- 90_security: the usage tables' row-level security; the usage functions' search_path and grants
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['org_prices', 'usage_records', 'usage_invoices', 'usage_billing_days', 'usage_inbox']
    LOOP
        EXECUTE format('ALTER TABLE invoice.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY member_read ON invoice.%I FOR SELECT'
                       ' USING (org_id = ANY ((SELECT invoice.member_orgs())::text[]))', t);
        EXECUTE format('COMMENT ON POLICY member_read ON invoice.%I IS %L', t,
                       'members read the rows of their organisations');
    END LOOP;
END
$$;
-- The usage inbox is the one table members write to directly: an owner or billing_admin sends
-- its organisation's usage (INSERT; COPY is the administrators': PostgreSQL does not COPY into a
-- table whose row-level security applies to the caller) and may take back what usage_ingest
-- has not loaded; the rows it sends wait for usage_ingest (reason NULL).
CREATE FUNCTION invoice.member_manages(org_id text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'invoice_member_manages' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.member_manages(text)
    IS 'may the acting role write for the organisation: an owner or billing_admin member, or a billing administrator (the write policies of usage_inbox)';
CREATE POLICY member_send ON invoice.usage_inbox FOR INSERT
    WITH CHECK (reason IS NULL AND invoice.member_manages(org_id));
COMMENT ON POLICY member_send ON invoice.usage_inbox IS 'owners and billing_admins send their organisations'' usage, waiting for usage_ingest';
CREATE POLICY member_take_back ON invoice.usage_inbox FOR DELETE
    USING (invoice.member_manages(org_id));
COMMENT ON POLICY member_take_back ON invoice.usage_inbox IS 'owners and billing_admins delete their organisations'' rows not loaded yet (waiting or parked)';
ALTER FUNCTION invoice.invoice_generate(timestamptz, timestamptz, text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_generate_on_node(text, timestamptz, timestamptz) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_generate_due(timestamptz, timestamptz) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.usage_ingest(text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.usage_ingest_on_node(text, boolean) SET search_path = pg_catalog, invoice, pg_temp;

-- Nothing to PUBLIC: the install script revokes everything on every table and view; here, on
-- those this upgrade created (the only ones without privileges yet), so that a grant an
-- administrator made on an existing table stays.
DO $$
DECLARE
    r regclass;
BEGIN
    FOR r IN SELECT c.oid FROM pg_catalog.pg_class c
              WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                AND c.relacl IS NULL
    LOOP
        EXECUTE format('REVOKE ALL ON %s FROM PUBLIC', r);
    END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION
    invoice.invoice_generate(timestamptz, timestamptz, text), invoice.invoice_generate_on_node(text, timestamptz, timestamptz),
    invoice.invoice_generate_due(timestamptz, timestamptz),
    invoice.usage_generation_lock(text), invoice.usage_record_check(), invoice.usage_invoice_released(),
    invoice.usage_ingest(text), invoice.usage_ingest_on_node(text, boolean)
FROM PUBLIC;
