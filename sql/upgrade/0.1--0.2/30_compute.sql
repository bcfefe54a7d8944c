
-- 30_compute: the aggregate takes the invoice's tax and total rounding; the amounts gain round_off.
-- Nothing in SQL calls the aggregate (the recompute is C), so it is replaced by drop and create.
ALTER TYPE invoice.amounts ADD ATTRIBUTE round_off cents;
DROP AGGREGATE invoice.invoice_amounts(cents, numeric, cents, cents, cents, boolean, cents);
DROP FUNCTION invoice.invoice_amounts_accum(internal, cents, numeric, cents, cents, cents, boolean, cents);
CREATE FUNCTION invoice.invoice_amounts_accum(internal, cents, numeric, cents, cents, cents, boolean, cents, text, text)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE invoice.invoice_amounts(line_amount cents, line_tax_rate numeric,
                                         credits cents, payments cents, advance cents,
                                         intra_state boolean, credited cents,
                                         tax_rounding text, total_rounding text) (
    SFUNC = invoice.invoice_amounts_accum, STYPE = internal,
    FINALFUNC = invoice.invoice_amounts_final
);
COMMENT ON FUNCTION invoice.invoice_amounts_accum(internal, cents, numeric, cents, cents, cents, boolean, cents, text, text)
    IS 'internal to invoice_amounts (its transition): collects the lines of one invoice';
COMMENT ON FUNCTION invoice.invoice_amounts_final(internal)
    IS 'internal to invoice_amounts (its final function): credits spread pro rata, tax rounded per line or per rate over the invoice, round-off, totals';
COMMENT ON AGGREGATE invoice.invoice_amounts(cents, numeric, cents, cents, cents, boolean, cents, text, text)
    IS 'the derived amounts of one invoice from its lines (amount, tax rate), its credit, payment, advance and credit-note totals, its GST split (true: CGST + SGST at half the rate each, each rounded), its tax rounding (line or invoice) and total rounding (none or rupee)';
