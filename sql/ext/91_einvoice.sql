-- e-invoice: the JSON the Invoice Registration Portal (IRP) takes (schema INV-01 version 1.1)
-- and what it returns, recorded.  Nothing here calls out: an integration posts the JSON
-- to the IRP (directly or through a GSP) and records the answer with invoice_einvoice_record.

-- What the schema needs of both parties beyond what an invoice prints: a location (Loc)
-- and a PIN code (Pin).
-- (Named constraints: Citus takes a new column's constraint only with a name.)
-- (Changes of existing tables through invoice.table_ddl: 06_table_ddl.sql says why.)
SELECT invoice.table_ddl('invoice.supplier',
    $ddl$ALTER TABLE invoice.supplier ADD COLUMN IF NOT EXISTS city     text$ddl$,
    $ddl$ALTER TABLE invoice.supplier DROP CONSTRAINT IF EXISTS supplier_city_check$ddl$,
    $ddl$ALTER TABLE invoice.supplier ADD CONSTRAINT supplier_city_check CHECK (btrim(city) <> '')$ddl$,
    $ddl$ALTER TABLE invoice.supplier ADD COLUMN IF NOT EXISTS pincode  text$ddl$,
    $ddl$ALTER TABLE invoice.supplier DROP CONSTRAINT IF EXISTS supplier_pincode_check$ddl$,
    $ddl$ALTER TABLE invoice.supplier ADD CONSTRAINT supplier_pincode_check CHECK (pincode ~ '^[1-9][0-9]{5}$')$ddl$,
    $ddl$COMMENT ON COLUMN invoice.supplier.city IS 'the supplier''s place (city, town or village): the e-invoice''s SellerDtls.Loc'$ddl$,
    $ddl$COMMENT ON COLUMN invoice.supplier.pincode IS 'the supplier''s PIN code (6 digits): the e-invoice''s SellerDtls.Pin'$ddl$);
SELECT invoice.table_ddl('invoice.orgs',
    $ddl$ALTER TABLE invoice.orgs ADD COLUMN IF NOT EXISTS billing_city     text$ddl$,
    $ddl$ALTER TABLE invoice.orgs DROP CONSTRAINT IF EXISTS orgs_billing_city_check$ddl$,
    $ddl$ALTER TABLE invoice.orgs ADD CONSTRAINT orgs_billing_city_check CHECK (btrim(billing_city) <> '')$ddl$,
    $ddl$ALTER TABLE invoice.orgs ADD COLUMN IF NOT EXISTS billing_pincode  text$ddl$,
    $ddl$ALTER TABLE invoice.orgs DROP CONSTRAINT IF EXISTS orgs_billing_pincode_check$ddl$,
    $ddl$ALTER TABLE invoice.orgs ADD CONSTRAINT orgs_billing_pincode_check CHECK (billing_pincode ~ '^[1-9][0-9]{5}$')$ddl$,
    $ddl$COMMENT ON COLUMN invoice.orgs.billing_city IS 'the billing address''s place (city, town or village): the e-invoice''s BuyerDtls.Loc'$ddl$,
    $ddl$COMMENT ON COLUMN invoice.orgs.billing_pincode IS 'the billing address''s PIN code (6 digits): the e-invoice''s BuyerDtls.Pin'$ddl$);

CREATE TABLE invoice.einvoices (
    org_id          text COLLATE "C" NOT NULL,
    invoice_id      text COLLATE "C" NOT NULL,
    irn             text COLLATE "C" NOT NULL CHECK (irn ~ '^[0-9a-f]{64}$'),
    ack_no          bigint NOT NULL CHECK (ack_no > 0),
    ack_date        timestamptz NOT NULL,
    signed_qr_code  text NOT NULL CHECK (signed_qr_code ~ '^[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+$'),
    signed_invoice  text CHECK (signed_invoice ~ '^[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+$'),
    recorded_at     timestamptz NOT NULL DEFAULT invoice.clock(),
    PRIMARY KEY (org_id, invoice_id),
    UNIQUE (org_id, irn),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id)
);
COMMENT ON TABLE invoice.einvoices IS 'what the Invoice Registration Portal returned for an invoice: IRN, acknowledgement and the signed QR code (a JWS); written by invoice_einvoice_record';
COMMENT ON COLUMN invoice.einvoices.irn IS 'Invoice Reference Number: the IRP''s SHA-256 of the supplier''s GSTIN, the financial year, the document type and number (64 hex digits)';
COMMENT ON COLUMN invoice.einvoices.ack_no IS 'the IRP''s acknowledgement number';
COMMENT ON COLUMN invoice.einvoices.ack_date IS 'the IRP''s acknowledgement date and time';
COMMENT ON COLUMN invoice.einvoices.signed_qr_code IS 'the IRP''s SignedQRCode (a compact JWS), printed as a QR code on the invoice';
COMMENT ON COLUMN invoice.einvoices.signed_invoice IS 'the IRP''s SignedInvoice (a compact JWS), if the integration keeps it';
SELECT pg_catalog.pg_extension_config_dump('invoice.einvoices', '');

SELECT invoice.table_ddl('invoice.einvoices',
    $ddl$ALTER TABLE invoice.einvoices ENABLE ROW LEVEL SECURITY$ddl$);
CREATE POLICY member_read ON invoice.einvoices FOR SELECT
    USING (org_id = ANY ((SELECT invoice.member_orgs())::text[]));
COMMENT ON POLICY member_read ON invoice.einvoices IS 'members read the rows of their organisations';

CREATE FUNCTION invoice.invoice_einvoice_json(id text) RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE;
COMMENT ON FUNCTION invoice.invoice_einvoice_json(text)
    IS 'the e-invoice of an issued GST invoice to a registered recipient, as the IRP takes it (schema INV-01 version 1.1); IV020 naming what the schema cannot carry';

CREATE FUNCTION invoice.invoice_einvoice_record(id text, irn text, ack_no bigint, ack_date timestamptz,
                                                signed_qr_code text, signed_invoice text DEFAULT NULL)
    RETURNS invoice.einvoices
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_einvoice_record(text, text, bigint, timestamptz, text, text)
    IS 'billing administrators (the IRP integration): record what the IRP returned for an invoice; the same answer again changes nothing, another one for the same invoice is IV021';
REVOKE EXECUTE ON FUNCTION invoice.invoice_einvoice_record(text, text, bigint, timestamptz, text, text) FROM PUBLIC;
