-- test/einvoice/fixture.sql: GST invoices for the e-invoice tests (test/pgtap/einvoice.sql,
-- test/shell/einvoice.sh).  Run as a billing administrator with search_path = invoice, public.
-- Every figure is worked out by hand in the comments; dates are pinned with the test clock.
DELETE FROM invoice.supplier;
DELETE FROM invoice.number_series WHERE series = 'EI';
INSERT INTO invoice.supplier (legal_name, address, email, gstin, state_code, city, pincode)
VALUES ('Nimbus Cloud Services Private Limited', E'4th Floor, 80 Feet Road\nKoramangala',
        'billing@nimbus.example', '29AAACI1681G1ZL', '29', 'Bengaluru', '560034');

INSERT INTO invoice.orgs (org_id, name, billing_email, billing_address, gstin, billing_state, billing_city, billing_pincode) VALUES
    -- a registered customer in Karnataka, the supplier's state: CGST + SGST
    ('ei-blr', 'Bengaluru Retail Private Limited', 'accounts@blr-retail.example', '12 Residency Road',
     '29AAHCR6226R1ZJ', '29', 'Bengaluru', '560025'),
    -- a registered customer in Maharashtra: IGST
    ('ei-mum', 'Mumbai Traders LLP', 'finance@mumbai-traders.example', E'7 Nariman Point\nFort',
     '27AAPFU0939F1ZV', NULL, 'Mumbai', '400021'),
    -- UIN holders: the place of supply is the state the UIN names (its first two digits),
    -- Delhi (07: IGST) and Karnataka (29: CGST + SGST)
    ('ei-un-dl', 'United Nations Office Delhi', NULL, 'UN House, 55 Lodhi Estate',
     '0717UNO00157UNO', NULL, 'New Delhi', '110003'),
    ('ei-un-ka', 'UN Agency Bengaluru Office', NULL, '1 Cubbon Road', '2917UNO00001UN1', NULL, 'Bengaluru', NULL),
    -- no registration: a B2C supply, no e-invoice
    ('ei-b2c', 'Walk-in Customer', NULL, 'MG Road', NULL, '29', 'Bengaluru', '560001'),
    -- an OIDAR registration as recipient: not a B2B recipient
    ('ei-oidar', 'Overseas Online Services Inc', NULL, '1 Market Street', '9917USA29001OSH', '29', 'Bengaluru', NULL),
    -- a name the schema cannot carry (a double quote)
    ('ei-quote', 'The "Quoted" Company', NULL, '1 Quote Lane', '29AAHCR6226R2ZI', NULL, 'Bengaluru', NULL);

-- pg_temp.ei_invoice(id, org, date): a GST draft in INR, series EI
CREATE FUNCTION pg_temp.ei_invoice(p_id text, p_org text, p_date timestamptz) RETURNS text LANGUAGE sql AS $$
    INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, currency, gst, tax_rate)
    VALUES (p_org, p_id, 'EI', date_trunc('month', p_date) - interval '1 month', date_trunc('month', p_date),
            p_date, 'INR', true, 18)
    RETURNING id
$$;

-- ei-1: the issue's example, two lines of 7.60 at 12 % within the state (before the reform
-- retired 12 %): per line CGST round(0.456) = 0.46 and SGST 0.46; CGST 0.92, SGST 0.92,
-- tax 1.84, total 15.20 + 1.84 = 17.04.
SELECT pg_temp.ei_invoice('ei-1', 'ei-blr', '2025-09-15 10:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac) VALUES
    ('ei-blr', 'ei-1', 'Compute', '7.60', 12, '998315'),
    ('ei-blr', 'ei-1', 'Storage', '7.60', 12, '998315');

-- ei-2: Maharashtra, IGST.  720 hours at 1.25 = 900.00 at 18 % (a service, SAC 998315) and
-- a 100.00 appliance at 5 % (goods, HSN 8471), less a credit of 100.00 spread pro rata
-- (90.00 and 10.00): taxable 810.00 and 90.00; IGST 145.80 and 4.50 = 150.30;
-- total 900.00 + 150.30 = 1050.30.
SELECT pg_temp.ei_invoice('ei-2', 'ei-mum', '2025-10-15 10:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, tax_rate, hsn_sac) VALUES
    ('ei-mum', 'ei-2', 'Compute hours', 720, 1.25, 18, '998315');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac) VALUES
    ('ei-mum', 'ei-2', 'Edge appliance', '100.00', 5, '8471');
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('ei-mum', 'ei-2', '100.00', 'WELCOME');

-- ei-3: the Delhi UIN holder, 1000.00 at 18 %: IGST 180.00, total 1180.00, place of supply 07.
SELECT pg_temp.ei_invoice('ei-3', 'ei-un-dl', '2025-10-15 10:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac) VALUES
    ('ei-un-dl', 'ei-3', 'Managed hosting', '1000.00', '998315');

-- ei-4: the Karnataka UIN holder, 1000.00 at 18 %: CGST 90.00 + SGST 90.00, total 1180.00,
-- under reverse charge (RegRev Y).
SELECT pg_temp.ei_invoice('ei-4', 'ei-un-ka', '2025-10-15 10:00 UTC');
UPDATE invoice.invoices SET reverse_charge = true WHERE id = 'ei-4';
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac) VALUES
    ('ei-un-ka', 'ei-4', 'Managed hosting', '1000.00', '998315');

-- ei-5: quantities and prices.  2.5 units at 0.3333 = 0.83325 -> 0.83: a price of four
-- decimals does not fit UnitPrice (three), so the line goes as one unit at 0.83;
-- 3 at 0.333 = 0.999 -> 1.00 and 12.345 at 2 = 24.69 go as they are.
-- 0.83 + 1.00 + 24.69 = 26.52 at 18 % within the state: per line CGST/SGST 0.07/0.07,
-- 0.09/0.09, 2.22/2.22 -> tax 4.76, total 31.28.
SELECT pg_temp.ei_invoice('ei-5', 'ei-blr', '2025-10-16 10:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, hsn_sac) VALUES
    ('ei-blr', 'ei-5', 'Tiny usage', 2.5, 0.3333, '998315'),
    ('ei-blr', 'ei-5', 'Three thirds', 3, 0.333, '998315'),
    ('ei-blr', 'ei-5', 'Bandwidth GB', 12.345, 2, '998315');

-- Invoices no e-invoice can be made of
SELECT pg_temp.ei_invoice('ei-draft', 'ei-blr', '2025-10-15 10:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac) VALUES
    ('ei-blr', 'ei-draft', 'Not issued', '10.00', '998315');
SELECT pg_temp.ei_invoice('ei-b2c', 'ei-b2c', '2025-10-15 10:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac) VALUES
    ('ei-b2c', 'ei-b2c', 'Consumer plan', '10.00', '998315');
SELECT pg_temp.ei_invoice('ei-oidar', 'ei-oidar', '2025-10-15 10:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac) VALUES
    ('ei-oidar', 'ei-oidar', 'Reseller plan', '10.00', '998315');
SELECT pg_temp.ei_invoice('ei-quote', 'ei-quote', '2025-10-15 10:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac) VALUES
    ('ei-quote', 'ei-quote', 'Hosting', '10.00', '998315');
SELECT pg_temp.ei_invoice('ei-long', 'ei-blr', '2025-10-15 10:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac) VALUES
    ('ei-blr', 'ei-long', repeat('x', 301), '10.00', '998315');
SELECT pg_temp.ei_invoice('ei-2031', 'ei-blr', '2031-01-15 10:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac) VALUES
    ('ei-blr', 'ei-2031', 'Hosting', '10.00', '998315');
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date)
VALUES ('ei-blr', 'ei-usd', 'EI', '2025-09-01', '2025-10-01', '2025-10-15 10:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount) VALUES ('ei-blr', 'ei-usd', 'Hosting', '10.00');

-- ei-round: two lines of 7.60 at 18 % within the state, rounded off to the rupee: per line
-- CGST round(0.684) = 0.68 and SGST 0.68; 15.20 + 1.36 + 1.36 = 17.92, round off +0.08,
-- total (TotInvVal) 18.00 = AssVal 15.20 + CGST 1.36 + SGST 1.36 + RndOffAmt 0.08.
SELECT pg_temp.ei_invoice('ei-round', 'ei-blr', '2025-10-15 10:00 UTC');
UPDATE invoice.invoices SET total_rounding = 'rupee' WHERE org_id = 'ei-blr' AND id = 'ei-round';
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac) VALUES
    ('ei-blr', 'ei-round', 'Compute', '7.60', 18, '998315'),
    ('ei-blr', 'ei-round', 'Storage', '7.60', 18, '998315');

-- Issue all but the draft, each at its own date.
SELECT set_config('invoice.test_clock', '2025-10-20 00:00:00+00', true);
SELECT count(invoice.invoice_issue(id)) FROM unnest(ARRAY['ei-1', 'ei-2', 'ei-3', 'ei-4', 'ei-5', 'ei-b2c',
                                                           'ei-oidar', 'ei-quote', 'ei-long', 'ei-usd', 'ei-round']) AS id;
SELECT set_config('invoice.test_clock', '2031-01-20 00:00:00+00', true);
SELECT count(invoice.invoice_issue('ei-2031'));
SELECT set_config('invoice.test_clock', '2025-10-20 00:00:00+00', true);

-- ei-mixed (README "GST treatment"): within the state, 1000.00 of hosting at 18 %, 200.00 of an
-- exempt service and 50.00 of a nil-rated one, less a credit of 125.00 spread pro rata (100.00,
-- 20.00, 5.00): taxable 900.00, 180.00 and 45.00; CGST round(81.00) = 81.00 and SGST 81.00 on
-- the first line only; total 1125.00 + 162.00 = 1287.00.  The exempt and nil-rated lines are no
-- items: their 225.00 is ValDtls.OthChrg, out of AssVal (900.00).
SELECT pg_temp.ei_invoice('ei-mixed', 'ei-blr', '2025-10-17 10:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac, gst_treatment) VALUES
    ('ei-blr', 'ei-mixed', 'Managed hosting', '1000.00', 18, '998315', 'taxable'),
    ('ei-blr', 'ei-mixed', 'Training for a government body', '200.00', 0, '999293', 'exempt'),
    ('ei-blr', 'ei-mixed', 'Export promotion listing', '50.00', 0, '998599', 'nil_rated');
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('ei-blr', 'ei-mixed', '125.00', 'LOYAL');
-- ei-exempt: Maharashtra, 300.00 of an exempt service only: a bill of supply, no e-invoice.
SELECT pg_temp.ei_invoice('ei-exempt', 'ei-mum', '2025-10-17 10:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac, gst_treatment) VALUES
    ('ei-mum', 'ei-exempt', 'Training for a government body', '300.00', 0, '999293', 'exempt');
-- ei-b2c-mixed: an unregistered recipient, 10.00 at 18 % and 5.00 of a non-GST supply: one
-- "invoice-cum-bill of supply" (CGST Rules, rule 46A).
SELECT pg_temp.ei_invoice('ei-b2c-mixed', 'ei-b2c', '2025-10-17 10:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac, gst_treatment) VALUES
    ('ei-b2c', 'ei-b2c-mixed', 'Consumer plan', '10.00', 18, '998315', 'taxable'),
    ('ei-b2c', 'ei-b2c-mixed', 'Fuel recharge', '5.00', 0, '996411', 'non_gst');
SELECT count(invoice.invoice_issue(id)) FROM unnest(ARRAY['ei-mixed', 'ei-exempt', 'ei-b2c-mixed']) AS id;
