
-- 90_security: the usage tables' row-level security; the usage functions' search_path and grants
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['org_prices', 'usage_records', 'usage_invoices', 'usage_billing_days']
    LOOP
        EXECUTE format('ALTER TABLE invoice.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY member_read ON invoice.%I FOR SELECT'
                       ' USING (org_id = ANY ((SELECT invoice.member_orgs())::text[]))', t);
        EXECUTE format('COMMENT ON POLICY member_read ON invoice.%I IS %L', t,
                       'members read the rows of their organisations');
    END LOOP;
END
$$;
ALTER FUNCTION invoice.invoice_generate(timestamptz, timestamptz, text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_generate_on_node(text, timestamptz, timestamptz) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_generate_due(timestamptz, timestamptz) SET search_path = pg_catalog, invoice, pg_temp;

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
    invoice.usage_generation_lock(text), invoice.usage_record_check(), invoice.usage_invoice_released()
FROM PUBLIC;
