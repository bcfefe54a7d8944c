
-- 20_schema: GST rounding (the supplier's settings; an invoice's, fixed at issue; its round-off).
-- Existing rows: the supplier rounds tax per line and no total (what 0.1 did); an invoice's
-- tax_rounding and total_rounding stay NULL, which 0.2 reads as the supplier's setting on a
-- draft and as line / none on an issued invoice (0.1's rounding), and its round_off is 0: the
-- amounts 0.2 computes for every existing invoice are the ones stored.
ALTER TABLE invoice.supplier
    ADD COLUMN tax_rounding    text NOT NULL DEFAULT 'line' CHECK (tax_rounding IN ('line', 'invoice')),
    ADD COLUMN total_rounding  text NOT NULL DEFAULT 'none' CHECK (total_rounding IN ('none', 'rupee'));
COMMENT ON COLUMN invoice.supplier.tax_rounding IS 'how drafts round tax until issue fixes it on the invoice: line (each line''s tax heads) or invoice (each head once per rate over the invoice, spread back over the lines)';
COMMENT ON COLUMN invoice.supplier.total_rounding IS 'none, or rupee: INR drafts round their total to the rupee (the round_off amount) until issue fixes it on the invoice';

ALTER TABLE invoice.invoices
    ADD COLUMN tax_rounding    text CHECK (tax_rounding IN ('line', 'invoice')),
    ADD COLUMN total_rounding  text CHECK (total_rounding IN ('none', 'rupee')),
    ADD COLUMN round_off       cents NOT NULL DEFAULT '0';
-- the new table CHECK takes the place (and the generated name) of the life cycle's number CHECK
ALTER TABLE invoice.invoices RENAME CONSTRAINT invoices_check3 TO invoices_check4;
ALTER TABLE invoice.invoices ADD CONSTRAINT invoices_check3 CHECK (total_rounding IS DISTINCT FROM 'rupee' OR currency = 'INR');
COMMENT ON COLUMN invoice.invoices.tax_rounding IS 'line: tax heads rounded on each line; invoice: each head rounded once per rate over the invoice and spread back over the lines by largest remainder.  NULL on a draft: the supplier''s setting; fixed at issue';
COMMENT ON COLUMN invoice.invoices.total_rounding IS 'rupee: the total is rounded to the rupee (INR only), the difference is round_off; none: no round-off.  NULL on a draft: the supplier''s setting (none for other currencies); fixed at issue';
COMMENT ON COLUMN invoice.invoices.round_off IS 'derived: what rounding subtotal + tax to the rupee added (-0.49 to +0.50) when total_rounding is rupee, else 0; part of total';
COMMENT ON COLUMN invoice.invoices.total IS 'derived: subtotal + tax + round_off';
