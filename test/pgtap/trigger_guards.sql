-- Hardening (issue #19, item 1): statements that crashed the server (SIGSEGV) before, and
-- the class behind them.
--
--   - NULLs reaching the credit-note triggers: a note inserted or updated with a NULL status,
--     a credit-note line with a NULL credit_note_id or org_id — each an ordinary 23502 from
--     the NOT NULL constraint, the server still up;
--   - every trigger function of the extension attached to another table refuses with 39P01
--     (as contrib's triggers do), naming the table it belongs to, instead of reading
--     columns that are not there;
--   - the identities the triggers give explicitly (next_identity) need no sequence privilege,
--     and next_identity advances no other sequence (42501).
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;
SET LOCAL invoice.test_clock = '2025-11-02 00:00:00+00';   -- the credit note below is within section 34's deadline

SELECT plan(23);

DELETE FROM invoice.supplier;
INSERT INTO invoice.supplier (legal_name, address, gstin, state_code)
VALUES ('Guard test supplier', 'Bengaluru', '29AAACI1681G1ZL', '29');
INSERT INTO invoice.orgs (org_id, name, billing_state) VALUES ('tg-blr', 'Guards', '29');
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, currency, tax_rate, gst)
VALUES ('tg-blr', 'tg-inv', 'TGD', '2025-10-01', '2025-11-01', '2025-11-01', 'INR', 18, true);
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, hsn_sac)
VALUES ('tg-blr', 'tg-inv', 'hosting', 1, 100, '998315');
SELECT FROM invoice.invoice_issue('tg-inv');
SELECT credit_note_id AS note FROM invoice.credit_note_create('tg-inv', 'other') \gset

SELECT throws_ok($$INSERT INTO invoice.credit_notes (org_id, invoice_id, reason, status)
                   VALUES ('tg-blr', 'tg-inv', 'other', NULL)$$, '23502', NULL,
                 'a credit note inserted with a NULL status -> 23502 (crashed the server before)');
SELECT throws_ok($$UPDATE invoice.credit_notes SET status = NULL WHERE status = 'draft' AND org_id = 'tg-blr'$$, '23502', NULL,
                 'a draft credit note''s status set to NULL -> 23502 (crashed before)');
SELECT throws_ok($$INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount)
                   VALUES ('tg-blr', NULL, 'x', '1.00')$$, '23502', NULL,
                 'a credit-note line with a NULL credit_note_id -> 23502 (crashed before)');
SELECT throws_ok(format($$INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount)
                          VALUES (NULL, %L, 'x', '1.00')$$, :'note'), '23502', NULL,
                 'a credit-note line with a NULL org_id -> 23502');
SELECT throws_ok($$UPDATE invoice.orgs SET advance_balance = NULL WHERE org_id = 'tg-blr'$$, '23502', NULL,
                 'an organisation''s advance balance set to NULL -> 23502');
SELECT is((SELECT status FROM invoice.credit_notes WHERE credit_note_id = :'note'), 'draft',
          'and nothing was written: the note is still a draft');

-- Every trigger function, attached to a table of someone else's.
CREATE TABLE public.tg_scratch (org_id text, status text, advance_balance cents, amount cents);
CREATE FUNCTION pg_temp.attached_elsewhere(p_function regproc) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    args text := CASE p_function::text WHEN 'invoice.invoice_children_changed' THEN '''lines''' ELSE '' END;
BEGIN
    BEGIN   -- the trigger goes with the subtransaction
        EXECUTE format('CREATE TRIGGER tg_probe BEFORE INSERT ON public.tg_scratch FOR EACH ROW EXECUTE FUNCTION %s(%s)',
                       p_function, args);
        INSERT INTO public.tg_scratch VALUES ('x', 'draft', '1.00', '1.00');
        RAISE EXCEPTION 'accepted' USING ERRCODE = 'TT001';
    EXCEPTION WHEN OTHERS THEN
        RETURN SQLSTATE || ': ' || SQLERRM;
    END;
END
$$;
SELECT is(pg_temp.attached_elsewhere(f), format('39P01: trigger function %s fires on invoice.%s only, not on "tg_scratch"',
                                                 regexp_replace(f::text, '^invoice\.', ''), t),
          format('%s attached to another table -> 39P01', f))
  FROM (VALUES ('invoice.line_item_amount'::regproc, 'line_items'),
               ('invoice.invoice_children_changed', 'line_items credits payments'),
               ('invoice.invoice_before_insert', 'invoices'), ('invoice.invoice_before_update', 'invoices'),
               ('invoice.invoice_before_delete', 'invoices'), ('invoice.invoice_after_statement', 'invoices'),
               ('invoice.api_secret_replace', 'api_secret'), ('invoice.invoice_place_of_supply_changed', 'orgs supplier'),
               ('invoice.credit_note_guard', 'credit_notes'), ('invoice.credit_note_lines_guard', 'credit_note_lines'),
               ('invoice.advance_ledger_changed', 'advance_ledger'), ('invoice.advance_ledger_append_only', 'advance_ledger'),
               ('invoice.org_balance_guard', 'orgs')) AS x(f, t)
 ORDER BY f::text;

-- The identities the triggers give their rows explicitly (for Citus shards) ask no sequence
-- privilege, as the identity default never did: a role with table privileges alone writes.
CREATE ROLE tg_writer NOLOGIN BYPASSRLS;
GRANT USAGE ON SCHEMA invoice TO tg_writer;
GRANT ALL ON ALL TABLES IN SCHEMA invoice TO tg_writer;
SET LOCAL ROLE tg_writer;
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, due_date)
VALUES ('tg-blr', 'tg-w1', 'TGD', '2025-10-01', '2025-11-01', '2025-11-01', '2025-12-01');
UPDATE invoice.invoices SET status = 'cancelled', status_reason = 'test' WHERE id = 'tg-w1';
RESET ROLE;
SELECT is((SELECT string_agg(coalesce(from_status::text, '-') || '>' || to_status, ',' ORDER BY history_id)
             FROM invoice.status_history WHERE invoice_id = 'tg-w1'), '->draft,draft>cancelled',
          'a role with table privileges and none on sequences writes invoices: their history rows get identities');
SELECT throws_ok($$SELECT invoice.next_identity('invoice.invoices_list_idx')$$, '42501', NULL,
                 'next_identity refuses what is not an identity sequence of the extension''s tables -> 42501');
CREATE SEQUENCE public.tg_other_seq;
SELECT throws_ok($$SELECT invoice.next_identity('public.tg_other_seq')$$, '42501', NULL,
                 '... such as another sequence');
SELECT is(invoice.next_identity(NULL), NULL, 'next_identity(NULL) is NULL');

SELECT * FROM finish();
ROLLBACK;
