-- invoice computation: the derived amounts of SPEC §3, in C

CREATE TYPE invoice.amounts AS (
    usage_amount           invoice.cents,
    credits_applied        invoice.cents,
    already_billed_amount  invoice.cents,
    subtotal               invoice.cents,
    tax                    invoice.cents,
    total                  invoice.cents,
    advance_pay_amount     invoice.cents,
    amount_due             invoice.cents
);
COMMENT ON TYPE invoice.amounts IS 'the eight derived amounts of an invoice';

CREATE FUNCTION invoice.invoice_amounts_accum(internal, invoice.cents, numeric, invoice.cents, invoice.cents, invoice.cents)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION invoice.invoice_amounts_final(internal)
    RETURNS invoice.amounts AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE invoice.invoice_amounts(line_amount invoice.cents, line_tax_rate numeric,
                                         credits invoice.cents, payments invoice.cents, advance invoice.cents) (
    SFUNC = invoice.invoice_amounts_accum, STYPE = internal,
    FINALFUNC = invoice.invoice_amounts_final
);
COMMENT ON FUNCTION invoice.invoice_amounts_accum(internal, invoice.cents, numeric, invoice.cents, invoice.cents, invoice.cents)
    IS 'invoice_amounts transition: collects the lines of one invoice';
COMMENT ON FUNCTION invoice.invoice_amounts_final(internal)
    IS 'invoice_amounts final: credits spread pro rata, tax rounded per line, totals';
COMMENT ON AGGREGATE invoice.invoice_amounts(invoice.cents, numeric, invoice.cents, invoice.cents, invoice.cents)
    IS 'the derived amounts of one invoice from its lines (amount, tax rate) and its credit, payment and advance totals';

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
