-- invoice life cycle: triggers on invoice.invoices and the functions that drive them

CREATE FUNCTION invoice.invoice_before_insert() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION invoice.invoice_before_update() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION invoice.invoice_before_delete() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION invoice.invoice_after_statement() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION invoice.invoice_before_insert() IS 'trigger: invoices are created as drafts without amounts';
COMMENT ON FUNCTION invoice.invoice_before_update() IS 'trigger: the status transition table, frozen columns after issue, derived amounts';
COMMENT ON FUNCTION invoice.invoice_before_delete() IS 'trigger: only drafts may be deleted';
COMMENT ON FUNCTION invoice.invoice_after_statement() IS 'trigger: status_history rows, and recompute of drafts whose tax rate changed';

CREATE TRIGGER invoice_before_insert BEFORE INSERT ON invoice.invoices
    FOR EACH ROW EXECUTE FUNCTION invoice.invoice_before_insert();
CREATE TRIGGER invoice_before_update BEFORE UPDATE ON invoice.invoices
    FOR EACH ROW EXECUTE FUNCTION invoice.invoice_before_update();
CREATE TRIGGER invoice_before_delete BEFORE DELETE ON invoice.invoices
    FOR EACH ROW EXECUTE FUNCTION invoice.invoice_before_delete();
CREATE TRIGGER invoices_inserted AFTER INSERT ON invoice.invoices
    REFERENCING NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_after_statement();
CREATE TRIGGER invoices_updated AFTER UPDATE ON invoice.invoices
    REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.invoice_after_statement();

CREATE FUNCTION invoice.invoice_issue(id text) RETURNS invoice.invoices
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_issue(text)
    IS 'draft → pending: assigns the number, invoice and due dates, freezes the invoice; a zero total goes straight to paid';

CREATE FUNCTION invoice.invoice_cancel(id text, reason text) RETURNS invoice.invoices
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_cancel(text, text)
    IS '→ cancelled with a reason: drafts, and pending or overdue invoices on which nothing has been paid';

CREATE FUNCTION invoice.invoice_issue_period(period_from timestamptz, period_to timestamptz) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_issue_period(timestamptz, timestamptz)
    IS 'billing day: issue, in one statement, every draft whose period lies within [period_from, period_to); returns how many';
