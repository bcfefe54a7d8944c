-- invoice computation: the derived amounts of SPEC §3, in C

CREATE TYPE invoice.amounts AS (
    usage_amount           cents,
    credits_applied        cents,
    already_billed_amount  cents,
    subtotal               cents,
    tax                    cents,
    total                  cents,
    advance_pay_amount     cents,
    amount_due             cents,
    credited_amount        cents,
    round_off              cents
);
COMMENT ON TYPE invoice.amounts IS 'the derived amounts of an invoice';

CREATE FUNCTION invoice.invoice_amounts_accum(internal, cents, numeric, cents, cents, cents, boolean, cents, text, text)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION invoice.invoice_amounts_final(internal)
    RETURNS invoice.amounts AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
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

CREATE FUNCTION invoice.gst_intra_state(gst boolean, org_billing_state text, org_gstin text, supplier_state text)
    RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN gst THEN coalesce(org_billing_state, left(org_gstin, 2), supplier_state) = supplier_state END;
COMMENT ON FUNCTION invoice.gst_intra_state(boolean, text, text, text)
    IS 'place-of-supply rule: NULL when not a GST invoice; true (CGST + SGST) when the place of supply — the organisation''s billing state, else its GSTIN''s state, else the supplier''s own state — is the supplier''s state; false (IGST) otherwise';

CREATE TYPE invoice.tax_line AS (
    line_id        bigint,
    rate           numeric,
    taxable_value  cents,
    cgst           cents,
    sgst           cents,
    igst           cents,
    tax            cents
);
COMMENT ON TYPE invoice.tax_line IS 'the tax of one line: taxable value after its share of credits, and each tax head';

CREATE FUNCTION invoice.invoice_tax_lines(id text) RETURNS SETOF invoice.tax_line
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE;
COMMENT ON FUNCTION invoice.invoice_tax_lines(text)
    IS 'tax breakdown of an invoice line by line: CGST and SGST within the supplier''s state, IGST across states, only tax for a non-GST invoice; the lines sum to the invoice''s tax';

CREATE FUNCTION invoice.invoice_tax_summary(id text)
    RETURNS TABLE (rate numeric, taxable_value cents, cgst cents, sgst cents,
                   igst cents, tax cents)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, invoice, pg_temp
BEGIN ATOMIC
    SELECT t.rate, sum(t.taxable_value), sum(t.cgst), sum(t.sgst),
           sum(t.igst), sum(t.tax)
      FROM invoice.invoice_tax_lines(id) t
     GROUP BY t.rate ORDER BY t.rate;
END;
COMMENT ON FUNCTION invoice.invoice_tax_summary(text) IS 'tax breakdown of an invoice per rate';

CREATE FUNCTION invoice.invoice_compute(id text) RETURNS invoice.invoices
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_compute(text) IS 'recompute and store one invoice''s derived amounts; returns the invoice';

CREATE FUNCTION invoice.invoice_compute_period(period_from timestamptz, period_to timestamptz) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_compute_period(timestamptz, timestamptz)
    IS 'billing day: recompute, in one statement, every invoice whose period lies within [period_from, period_to); returns how many changed';

CREATE FUNCTION invoice.line_item_amount() RETURNS trigger
    AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION invoice.invoice_children_changed() RETURNS trigger
    AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION invoice.line_item_amount() IS 'trigger: line amount = units × rate rounded to cents when not given';
COMMENT ON FUNCTION invoice.invoice_children_changed() IS 'trigger: lock, check and recompute the invoices a statement on lines, credits or payments touched';

CREATE TRIGGER line_item_amount BEFORE INSERT OR UPDATE ON invoice.line_items
    FOR EACH ROW EXECUTE FUNCTION invoice.line_item_amount();

CREATE TRIGGER lines_inserted AFTER INSERT ON invoice.line_items
    REFERENCING NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('lines');
CREATE TRIGGER lines_updated AFTER UPDATE ON invoice.line_items
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('lines');
CREATE TRIGGER lines_deleted AFTER DELETE ON invoice.line_items
    REFERENCING OLD TABLE AS changed_old
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('lines');

CREATE TRIGGER credits_inserted AFTER INSERT ON invoice.credits
    REFERENCING NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('credits');
CREATE TRIGGER credits_updated AFTER UPDATE ON invoice.credits
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('credits');
CREATE TRIGGER credits_deleted AFTER DELETE ON invoice.credits
    REFERENCING OLD TABLE AS changed_old
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('credits');

CREATE TRIGGER payments_inserted AFTER INSERT ON invoice.payments
    REFERENCING NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('payments');
CREATE TRIGGER payments_updated AFTER UPDATE ON invoice.payments
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('payments');
CREATE TRIGGER payments_deleted AFTER DELETE ON invoice.payments
    REFERENCING OLD TABLE AS changed_old
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_children_changed('payments');
