-- credit notes (corrections of issued invoices) and disputes

CREATE TYPE invoice.credit_note_reason AS ENUM ('duplicate_charge', 'wrong_rate', 'service_not_rendered', 'other');
COMMENT ON TYPE invoice.credit_note_reason IS 'why a credit note was issued';

CREATE TABLE invoice.credit_notes (
    org_id          text COLLATE "C" NOT NULL,
    credit_note_id  text COLLATE "C" NOT NULL DEFAULT 'cn-' || substr(invoice.new_invoice_id(), 5)
                    CHECK (credit_note_id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
    invoice_id      text COLLATE "C" NOT NULL,
    number          text COLLATE "C" CHECK (number ~ '^[A-Za-z0-9/-]{1,16}$'),
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'issued')),
    reason          invoice.credit_note_reason NOT NULL,
    description     text,
    note_date       date,
    taxable_value   cents NOT NULL DEFAULT '0',
    cgst            cents NOT NULL DEFAULT '0',
    sgst            cents NOT NULL DEFAULT '0',
    igst            cents NOT NULL DEFAULT '0',
    tax             cents NOT NULL DEFAULT '0',
    total           cents NOT NULL DEFAULT '0',
    to_balance      cents NOT NULL DEFAULT '0',
    created_at      timestamptz NOT NULL DEFAULT invoice.clock(),
    issued_at       timestamptz,
    round_off       cents NOT NULL DEFAULT '0',
    PRIMARY KEY (org_id, credit_note_id),
    UNIQUE (org_id, number),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id),
    CHECK ((status = 'draft') = (number IS NULL))
);
CREATE INDEX credit_notes_invoice_idx ON invoice.credit_notes (org_id, invoice_id);
CREATE INDEX credit_notes_id_idx ON invoice.credit_notes (credit_note_id);
COMMENT ON TABLE invoice.credit_notes IS 'corrections of issued invoices, numbered CN/YYyy/NNNNNN: reduce the amount due, or credit the advance balance once paid';
COMMENT ON COLUMN invoice.credit_notes.round_off IS 'part of total: for an invoice rounded to the rupee, what makes the value credited so far (taxable values + tax of its issued notes) a whole number of rupees, rounded half away from zero, so the notes add up to the invoice''s total';
COMMENT ON COLUMN invoice.credit_notes.to_balance IS 'the part of the total credited to the organisation''s advance balance (what the invoice no longer owed)';

CREATE TABLE invoice.credit_note_lines (
    org_id          text COLLATE "C" NOT NULL,
    credit_note_id  text COLLATE "C" NOT NULL,
    line_no         bigint GENERATED ALWAYS AS IDENTITY,
    description     text NOT NULL CHECK (btrim(description) <> ''),
    amount          cents CHECK (amount >= '0'),
    tax_rate        numeric CHECK (tax_rate BETWEEN 0 AND 100 AND tax_rate = round(tax_rate, 6)),
    hsn_sac         text CHECK (hsn_sac ~ '^([0-9]{4}|[0-9]{6}|[0-9]{8})$'),
    cgst            cents NOT NULL DEFAULT '0',
    sgst            cents NOT NULL DEFAULT '0',
    igst            cents NOT NULL DEFAULT '0',
    tax             cents NOT NULL DEFAULT '0',
    line_id         bigint,
    units           numeric CHECK (units > 0),
    line_amount     cents CHECK (line_amount > '0'),
    PRIMARY KEY (org_id, line_no),
    FOREIGN KEY (org_id, credit_note_id) REFERENCES invoice.credit_notes (org_id, credit_note_id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, line_id) REFERENCES invoice.line_items (org_id, line_id),
    CHECK (line_id IS NOT NULL OR coalesce(amount > '0', false)),
    CHECK (line_id IS NOT NULL OR (units IS NULL AND line_amount IS NULL))
);
CREATE INDEX credit_note_lines_note_idx ON invoice.credit_note_lines (org_id, credit_note_id);
CREATE INDEX credit_note_lines_line_idx ON invoice.credit_note_lines (org_id, line_id) WHERE line_id IS NOT NULL;
COMMENT ON TABLE invoice.credit_note_lines IS 'what a credit note credits: a taxable amount at a rate (NULL: the invoice''s rate), or a line of the invoice (line_id) by units, by line_amount or in full; the tax is split and rounded as the invoice''s';
COMMENT ON COLUMN invoice.credit_note_lines.amount IS 'the taxable value credited: given for an amount, computed at issue for a line credit';
COMMENT ON COLUMN invoice.credit_note_lines.line_id IS 'the invoice line credited (NULL: an amount at a rate)';
COMMENT ON COLUMN invoice.credit_note_lines.units IS 'line credit: how many of the line''s units are credited';
COMMENT ON COLUMN invoice.credit_note_lines.line_amount IS 'line credit: how much of the line''s amount (before its share of the invoice''s credits) is credited; given, or computed at issue from units or as what remains of the line';

SELECT pg_catalog.pg_extension_config_dump('invoice.credit_notes', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.credit_note_lines', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.credit_note_lines_line_no_seq', '');

CREATE FUNCTION invoice.credit_note_guard() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION invoice.credit_note_guard() IS 'trigger: credit notes are created as drafts, issued by credit_note_issue only, never changed once issued';
CREATE TRIGGER credit_note_guard BEFORE INSERT OR UPDATE OR DELETE ON invoice.credit_notes
    FOR EACH ROW EXECUTE FUNCTION invoice.credit_note_guard();

CREATE FUNCTION invoice.credit_note_lines_guard() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION invoice.credit_note_lines_guard() IS 'trigger: the lines of an issued credit note never change';
CREATE TRIGGER credit_note_lines_guard BEFORE INSERT OR UPDATE OR DELETE ON invoice.credit_note_lines
    FOR EACH ROW EXECUTE FUNCTION invoice.credit_note_lines_guard();

CREATE FUNCTION invoice.credit_note_create(invoice_id text, reason text, description text DEFAULT NULL)
    RETURNS invoice.credit_notes AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.credit_note_create(text, text, text)
    IS 'a draft credit note for an issued invoice; add its lines to invoice.credit_note_lines, then issue it';

CREATE FUNCTION invoice.credit_note_issue(credit_note_id text, note_date date DEFAULT CAST(invoice.clock() AS date))
    RETURNS invoice.credit_notes AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.credit_note_issue(text, date)
    IS 'issue a draft credit note: tax split as the invoice''s, a CN number, never more than remains creditable, within section 34''s deadline for GST invoices; resolves an open dispute';

CREATE FUNCTION invoice.invoice_dispute(id text, description text) RETURNS invoice.invoices
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_dispute(text, text)
    IS 'open a dispute on a pending or overdue invoice: it stays out of the overdue sweep and reminders until resolved';

CREATE FUNCTION invoice.invoice_dispute_reject(id text) RETURNS invoice.invoices
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_dispute_reject(text)
    IS 'close an open dispute without a correction (a credit note closes it as resolved)';
