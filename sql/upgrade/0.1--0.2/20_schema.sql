
-- 20_schema: GST rounding (the supplier's settings; an invoice's, fixed at issue; its round-off).
-- Existing rows: the supplier rounds tax per line and no total (what 0.1 did); an invoice's
-- tax_rounding and total_rounding stay NULL, which 0.2 reads as the supplier's setting on a
-- draft and as line / none on an issued invoice (0.1's rounding), and its round_off is 0: the
-- amounts 0.2 computes for every existing invoice are the ones stored.
-- (Citus takes a constraint of a new column only with an explicit name: each gets the name a
-- fresh CREATE TABLE generates.)
-- (Changes of existing tables through invoice.table_ddl: 06_table_ddl.sql says why.)
SELECT invoice.table_ddl('invoice.supplier',
    $ddl$ALTER TABLE invoice.supplier ADD COLUMN IF NOT EXISTS tax_rounding    text NOT NULL DEFAULT 'line'$ddl$,
    $ddl$ALTER TABLE invoice.supplier DROP CONSTRAINT IF EXISTS supplier_tax_rounding_check$ddl$,
    $ddl$ALTER TABLE invoice.supplier ADD CONSTRAINT supplier_tax_rounding_check CHECK (tax_rounding IN ('line', 'invoice'))$ddl$,
    $ddl$ALTER TABLE invoice.supplier ADD COLUMN IF NOT EXISTS total_rounding  text NOT NULL DEFAULT 'none'$ddl$,
    $ddl$ALTER TABLE invoice.supplier DROP CONSTRAINT IF EXISTS supplier_total_rounding_check$ddl$,
    $ddl$ALTER TABLE invoice.supplier ADD CONSTRAINT supplier_total_rounding_check CHECK (total_rounding IN ('none', 'rupee'))$ddl$,
    $ddl$COMMENT ON COLUMN invoice.supplier.tax_rounding IS 'how drafts round tax until issue fixes it on the invoice: line (each line''s tax heads) or invoice (each head once per rate over the invoice, spread back over the lines)'$ddl$,
    $ddl$COMMENT ON COLUMN invoice.supplier.total_rounding IS 'none, or rupee: INR drafts round their total to the rupee (the round_off amount) until issue fixes it on the invoice'$ddl$);

SELECT invoice.table_ddl('invoice.invoices',
    $ddl$ALTER TABLE invoice.invoices ADD COLUMN IF NOT EXISTS tax_rounding    text$ddl$,
    $ddl$ALTER TABLE invoice.invoices DROP CONSTRAINT IF EXISTS invoices_tax_rounding_check$ddl$,
    $ddl$ALTER TABLE invoice.invoices ADD CONSTRAINT invoices_tax_rounding_check CHECK (tax_rounding IN ('line', 'invoice'))$ddl$,
    $ddl$ALTER TABLE invoice.invoices ADD COLUMN IF NOT EXISTS total_rounding  text$ddl$,
    $ddl$ALTER TABLE invoice.invoices DROP CONSTRAINT IF EXISTS invoices_total_rounding_check$ddl$,
    $ddl$ALTER TABLE invoice.invoices ADD CONSTRAINT invoices_total_rounding_check CHECK (total_rounding IN ('none', 'rupee'))$ddl$,
    $ddl$ALTER TABLE invoice.invoices ADD COLUMN IF NOT EXISTS round_off       cents NOT NULL DEFAULT '0'$ddl$);
-- the new table CHECK takes the place (and the generated name) of the life cycle's number CHECK
-- (dropped and made again under its new name: Citus renames no constraint of a distributed table)
SELECT invoice.table_ddl('invoice.invoices',
    $ddl$ALTER TABLE invoice.invoices DROP CONSTRAINT IF EXISTS invoices_check3$ddl$,
    $ddl$ALTER TABLE invoice.invoices DROP CONSTRAINT IF EXISTS invoices_check4$ddl$,
    $ddl$ALTER TABLE invoice.invoices ADD CONSTRAINT invoices_check4
                     CHECK (CASE status WHEN 'draft' THEN number IS NULL
                                        WHEN 'cancelled' THEN true
                                        ELSE number IS NOT NULL END)$ddl$,
    $ddl$ALTER TABLE invoice.invoices DROP CONSTRAINT IF EXISTS invoices_check3$ddl$,
    $ddl$ALTER TABLE invoice.invoices ADD CONSTRAINT invoices_check3 CHECK (total_rounding IS DISTINCT FROM 'rupee' OR currency = 'INR')$ddl$,
    $ddl$COMMENT ON COLUMN invoice.invoices.tax_rounding IS 'line: tax heads rounded on each line; invoice: each head rounded once per rate over the invoice and spread back over the lines by largest remainder.  NULL on a draft: the supplier''s setting; fixed at issue'$ddl$,
    $ddl$COMMENT ON COLUMN invoice.invoices.total_rounding IS 'rupee: the total is rounded to the rupee (INR only), the difference is round_off; none: no round-off.  NULL on a draft: the supplier''s setting (none for other currencies); fixed at issue'$ddl$,
    $ddl$COMMENT ON COLUMN invoice.invoices.round_off IS 'derived: what rounding subtotal + tax to the rupee added (-0.49 to +0.50) when total_rounding is rupee, else 0; part of total'$ddl$,
    $ddl$COMMENT ON COLUMN invoice.invoices.total IS 'derived: subtotal + tax + round_off'$ddl$);

-- GST treatment of a line (README "GST treatment"): every existing line is taxable at its rate,
-- as 0.1 computed it (a line at rate 0 is reported as nil-rated, as before).
CREATE TYPE invoice.gst_treatment AS ENUM ('taxable', 'nil_rated', 'exempt', 'non_gst');
COMMENT ON TYPE invoice.gst_treatment IS 'how GST treats a supply (README "GST treatment"): taxable at its rate, nil-rated (rate 0), exempt, or outside GST (non-GST); the three last charge no tax';
SELECT invoice.table_ddl('invoice.line_items',
    $ddl$ALTER TABLE invoice.line_items ADD COLUMN IF NOT EXISTS gst_treatment invoice.gst_treatment NOT NULL DEFAULT 'taxable'$ddl$,
    $ddl$ALTER TABLE invoice.line_items DROP CONSTRAINT IF EXISTS line_items_gst_treatment_check$ddl$,
    $ddl$ALTER TABLE invoice.line_items ADD CONSTRAINT line_items_gst_treatment_check
                     CHECK (gst_treatment = 'taxable' OR coalesce(tax_rate = 0, false))$ddl$,
    $ddl$COMMENT ON COLUMN invoice.line_items.gst_treatment IS 'taxable (default), nil_rated, exempt or non_gst; every treatment but taxable needs tax_rate 0 (line_items_gst_treatment_check): no tax'$ddl$);
