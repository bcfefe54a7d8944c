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
COMMENT ON FUNCTION invoice.invoice_place_of_supply_changed() IS 'trigger: GST drafts are recomputed when their place of supply may have moved, and drafts that follow the supplier''s tax or total rounding when the supplier changes (issued invoices keep theirs)';
CREATE TRIGGER org_place_of_supply_changed AFTER UPDATE OF billing_state, gstin ON invoice.orgs
    FOR EACH ROW WHEN (OLD.billing_state IS DISTINCT FROM NEW.billing_state OR OLD.gstin IS DISTINCT FROM NEW.gstin)
    EXECUTE FUNCTION invoice.invoice_place_of_supply_changed();
CREATE TRIGGER supplier_changed AFTER INSERT OR UPDATE OR DELETE ON invoice.supplier
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_place_of_supply_changed();
