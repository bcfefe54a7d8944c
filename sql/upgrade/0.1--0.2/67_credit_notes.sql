
-- 67_credit_notes: round-off of notes of invoices rounded to the rupee (0 for every existing
-- note: 0.1 rounded no total); line credits (a line of the invoice by units, by amount or in
-- full — every existing line is an amount at a rate: line_id, units and line_amount NULL)
-- (Changes of existing tables through invoice.table_ddl: 06_table_ddl.sql says why.)
SELECT invoice.table_ddl('invoice.credit_notes',
    $ddl$ALTER TABLE invoice.credit_notes ADD COLUMN IF NOT EXISTS round_off cents NOT NULL DEFAULT '0'$ddl$,
    $ddl$COMMENT ON COLUMN invoice.credit_notes.round_off IS 'part of total: for an invoice rounded to the rupee, what makes the value credited so far (taxable values + tax of its issued notes) a whole number of rupees, rounded half away from zero, so the notes add up to the invoice''s total'$ddl$);
-- (Citus takes a constraint of a new column only with an explicit name: each gets the name a
-- fresh CREATE TABLE generates.)
SELECT invoice.table_ddl('invoice.credit_note_lines',
    $ddl$ALTER TABLE invoice.credit_note_lines ALTER COLUMN amount DROP NOT NULL$ddl$,
    $ddl$ALTER TABLE invoice.credit_note_lines DROP CONSTRAINT IF EXISTS credit_note_lines_amount_check$ddl$,
    $ddl$ALTER TABLE invoice.credit_note_lines ADD CONSTRAINT credit_note_lines_amount_check CHECK (amount >= '0')$ddl$,
    $ddl$ALTER TABLE invoice.credit_note_lines ADD COLUMN IF NOT EXISTS line_id      bigint$ddl$,
    $ddl$ALTER TABLE invoice.credit_note_lines ADD COLUMN IF NOT EXISTS units        numeric$ddl$,
    $ddl$ALTER TABLE invoice.credit_note_lines DROP CONSTRAINT IF EXISTS credit_note_lines_units_check$ddl$,
    $ddl$ALTER TABLE invoice.credit_note_lines ADD CONSTRAINT credit_note_lines_units_check CHECK (units > 0)$ddl$,
    $ddl$ALTER TABLE invoice.credit_note_lines ADD COLUMN IF NOT EXISTS line_amount  cents$ddl$,
    $ddl$ALTER TABLE invoice.credit_note_lines DROP CONSTRAINT IF EXISTS credit_note_lines_line_amount_check$ddl$,
    $ddl$ALTER TABLE invoice.credit_note_lines ADD CONSTRAINT credit_note_lines_line_amount_check CHECK (line_amount > '0')$ddl$,
    $ddl$ALTER TABLE invoice.credit_note_lines DROP CONSTRAINT IF EXISTS credit_note_lines_org_id_line_id_fkey$ddl$,
    $ddl$ALTER TABLE invoice.credit_note_lines ADD CONSTRAINT credit_note_lines_org_id_line_id_fkey FOREIGN KEY (org_id, line_id) REFERENCES invoice.line_items (org_id, line_id)$ddl$,
    $ddl$ALTER TABLE invoice.credit_note_lines DROP CONSTRAINT IF EXISTS credit_note_lines_check$ddl$,
    $ddl$ALTER TABLE invoice.credit_note_lines ADD CONSTRAINT credit_note_lines_check CHECK (line_id IS NOT NULL OR coalesce(amount > '0', false))$ddl$,
    $ddl$ALTER TABLE invoice.credit_note_lines DROP CONSTRAINT IF EXISTS credit_note_lines_check1$ddl$,
    $ddl$ALTER TABLE invoice.credit_note_lines ADD CONSTRAINT credit_note_lines_check1 CHECK (line_id IS NOT NULL OR (units IS NULL AND line_amount IS NULL))$ddl$,
    $ddl$CREATE INDEX IF NOT EXISTS credit_note_lines_line_idx ON invoice.credit_note_lines (org_id, line_id) WHERE line_id IS NOT NULL$ddl$,
    $ddl$COMMENT ON TABLE invoice.credit_note_lines IS 'what a credit note credits: a taxable amount at a rate (NULL: the invoice''s rate), or a line of the invoice (line_id) by units, by line_amount or in full; the tax is split and rounded as the invoice''s'$ddl$,
    $ddl$COMMENT ON COLUMN invoice.credit_note_lines.amount IS 'the taxable value credited: given for an amount, computed at issue for a line credit'$ddl$,
    $ddl$COMMENT ON COLUMN invoice.credit_note_lines.line_id IS 'the invoice line credited (NULL: an amount at a rate)'$ddl$,
    $ddl$COMMENT ON COLUMN invoice.credit_note_lines.units IS 'line credit: how many of the line''s units are credited'$ddl$,
    $ddl$COMMENT ON COLUMN invoice.credit_note_lines.line_amount IS 'line credit: how much of the line''s amount (before its share of the invoice''s credits) is credited; given, or computed at issue from units or as what remains of the line'$ddl$);
