-- GSTR-1 b2cs net of its credit notes and the HSN table split B2B / B2C (issue #16, README
-- "GSTR-1"), on hand-made months whose every figure is worked out below:
--
--   - b2cs (table 7): the credit notes of b2cs invoices are not reported note by note; they
--     come off the b2cs row of the note's month at the invoice's supply type, place and rate,
--     which goes negative when they exceed that month's supplies (as resilient-tech/
--     india-compliance's is_b2cs_invoice takes returns in); cdnur does not hold them;
--   - hsn (table 12): from the return period of May 2025, two lists, hsn_b2b (registered
--     recipients, their notes too) and hsn_b2c (every other), each numbered from 1; before,
--     one list "data" (india-compliance's HSN_BIFURCATION_FROM, 2025-05-01);
--   - the document carries the views' rows.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(12);

\o /dev/null
DELETE FROM invoice.supplier;
INSERT INTO invoice.supplier (legal_name, address, gstin, state_code)
VALUES ('Net test supplier', 'Bengaluru', '29AAACI1681G1ZL', '29');
DELETE FROM invoice.number_series;
INSERT INTO invoice.orgs (org_id, name, gstin, billing_state, payment_terms_days) VALUES
    ('n-local', 'Unregistered in Karnataka', NULL, '29', 30),
    ('n-far', 'Unregistered in Maharashtra', NULL, '27', 30),
    ('n-reg', 'Registered in Maharashtra', '27AAPFU0939F1ZV', NULL, 30);

CREATE FUNCTION pg_temp.invoice(org text, id text, rate numeric, amount text, day timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('invoice.test_clock', day::text, true);
    INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, gst, tax_rate)
    VALUES (org, id, '2025-03-01', '2025-04-01', 'INR', true, rate);
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac)
    VALUES (org, id, 'servers', amount::cents, '998315');
    PERFORM invoice.invoice_issue(id);
END $$;
CREATE FUNCTION pg_temp.credit(id text, amount text, day timestamptz) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    note invoice.credit_notes;
BEGIN
    PERFORM set_config('invoice.test_clock', day::text, true);
    note := invoice.credit_note_create(id, 'other', 'price corrected');
    INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount, hsn_sac)
    VALUES (note.org_id, note.credit_note_id, 'correction', amount::cents, '998315');
    PERFORM invoice.credit_note_issue(note.credit_note_id);
END $$;

SELECT pg_temp.invoice('n-local', 'apr-local', 18, '100.00', '2025-04-10 10:00:00+00');  -- CGST 9.00 + SGST 9.00
SELECT pg_temp.invoice('n-local', 'may-local', 18, '1000.00', '2025-05-10 10:00:00+00'); -- CGST 90.00 + SGST 90.00
SELECT pg_temp.invoice('n-far', 'may-far', 18, '200.00', '2025-05-10 10:00:00+00');     -- IGST 36.00
SELECT pg_temp.invoice('n-local', 'jun-local', 18, '500.00', '2025-06-10 10:00:00+00'); -- CGST 45.00 + SGST 45.00
SELECT pg_temp.invoice('n-far', 'jun-far', 5, '200.00', '2025-06-10 10:00:00+00');      -- IGST 10.00
SELECT pg_temp.invoice('n-reg', 'jun-reg', 18, '300.00', '2025-06-10 10:00:00+00');     -- IGST 54.00 (b2b)
SELECT pg_temp.credit('may-local', '100.00', '2025-06-20 10:00:00+00');  -- June: INTRA 29 18 -100.00, CGST/SGST -9.00
SELECT pg_temp.credit('may-far', '200.00', '2025-06-20 10:00:00+00');    -- June: INTER 27 18 -200.00, IGST -36.00
SELECT pg_temp.credit('jun-reg', '50.00', '2025-06-20 10:00:00+00');     -- cdnr; hsn_b2b -50.00, IGST -9.00
\o

-- b2cs: June is May's invoices' notes netted with June's supplies
SELECT is((SELECT string_agg(format('%s %s %s %s %s %s %s', sply_ty, pos, rt, txval, iamt, camt, samt), '; '
                             ORDER BY pos, sply_ty, rt)
             FROM invoice.gstr1_b2cs WHERE fp = '062025'),
          'INTER 27 5 200.00 10.00 0.00 0.00; INTER 27 18 -200.00 -36.00 0.00 0.00; INTRA 29 18 400.00 0.00 36.00 36.00',
          'b2cs: June''s supplies less the notes of May''s b2cs invoices, negative where no supply is left');
SELECT is((SELECT string_agg(format('%s %s %s %s %s %s %s', sply_ty, pos, rt, txval, iamt, camt, samt), '; '
                             ORDER BY pos, sply_ty, rt)
             FROM invoice.gstr1_b2cs WHERE fp = '052025'),
          'INTER 27 18 200.00 36.00 0.00 0.00; INTRA 29 18 1000.00 0.00 90.00 90.00',
          'b2cs: May as issued (its invoices'' notes count in June, the note''s month)');
SELECT is((SELECT count(*) FROM invoice.gstr1_cdnur), 0::bigint, 'cdnur: no note of a b2cs invoice');
SELECT is((SELECT string_agg(format('%s %s %s', nt_num, txval, iamt), '; ') FROM invoice.gstr1_cdnr WHERE fp = '062025'),
          'CN/2526/000003 50.00 9.00', 'cdnr: the registered recipient''s note, as before');

-- hsn: split from May 2025
SELECT is((SELECT string_agg(format('%s %s %s %s %s %s %s', hsn_table, hsn_sc, rt, txval, iamt, camt, samt), '; '
                             ORDER BY hsn_table, hsn_sc, rt)
             FROM invoice.gstr1_hsn WHERE fp = '062025'),
          'hsn_b2b 998315 18 250.00 45.00 0.00 0.00; hsn_b2c 998315 5 200.00 10.00 0.00 0.00; hsn_b2c 998315 18 200.00 -36.00 36.00 36.00',
          'hsn June 2025: registered recipients (less their note) apart from the others (less theirs)');
SELECT is((SELECT string_agg(format('%s %s %s %s %s', hsn_table, hsn_sc, rt, txval, camt), '; ') FROM invoice.gstr1_hsn WHERE fp = '042025'),
          'data 998315 18 100.00 9.00', 'hsn April 2025: one list, data, before the split');

-- the document
CREATE TEMP TABLE doc AS
SELECT fp, invoice.gstr1('29AAACI1681G1ZL', fp)::jsonb AS d FROM (VALUES ('042025'), ('062025')) v (fp);
SELECT is((SELECT d -> 'b2cs' FROM doc WHERE fp = '062025'),
          '[{"sply_ty": "INTER", "pos": "27", "typ": "OE", "rt": 5, "txval": 200.00, "iamt": 10.00, "camt": 0.00, "samt": 0.00, "csamt": 0.00},
            {"sply_ty": "INTER", "pos": "27", "typ": "OE", "rt": 18, "txval": -200.00, "iamt": -36.00, "camt": 0.00, "samt": 0.00, "csamt": 0.00},
            {"sply_ty": "INTRA", "pos": "29", "typ": "OE", "rt": 18, "txval": 400.00, "iamt": 0.00, "camt": 36.00, "samt": 36.00, "csamt": 0.00}]'::jsonb,
          'gstr1 b2cs: net of the month''s notes of b2cs invoices');
SELECT is((SELECT d -> 'hsn' FROM doc WHERE fp = '062025'),
          '{"hsn_b2b": [{"num": 1, "hsn_sc": "998315", "desc": "", "uqc": "NA", "qty": 0, "rt": 18, "val": 295.00,
                         "txval": 250.00, "iamt": 45.00, "camt": 0.00, "samt": 0.00, "csamt": 0.00}],
            "hsn_b2c": [{"num": 1, "hsn_sc": "998315", "desc": "", "uqc": "NA", "qty": 0, "rt": 5, "val": 210.00,
                         "txval": 200.00, "iamt": 10.00, "camt": 0.00, "samt": 0.00, "csamt": 0.00},
                        {"num": 2, "hsn_sc": "998315", "desc": "", "uqc": "NA", "qty": 0, "rt": 18, "val": 236.00,
                         "txval": 200.00, "iamt": -36.00, "camt": 36.00, "samt": 36.00, "csamt": 0.00}]}'::jsonb,
          'gstr1 hsn from May 2025: {"hsn_b2b": […], "hsn_b2c": […]}, each numbered from 1');
SELECT is((SELECT array_agg(k ORDER BY k) FROM doc, jsonb_object_keys(d -> 'hsn') k WHERE fp = '042025'), '{data}'::text[],
          'gstr1 hsn before May 2025: {"data": […]}');
SELECT is((SELECT array_agg(k ORDER BY k) FROM doc, jsonb_object_keys(d) k WHERE fp = '062025'),
          '{b2b,b2cs,cdnr,doc_issue,fp,gstin,hsn}'::text[], 'gstr1 June 2025: no cdnur (the b2cs notes are in b2cs)');
-- the document against the views, row for row
SELECT is((SELECT count(*) FROM (
              SELECT x->>'sply_ty', x->>'pos', (x->>'rt')::numeric, (x->>'txval')::numeric, (x->>'iamt')::numeric,
                     (x->>'camt')::numeric, (x->>'samt')::numeric
                FROM doc, jsonb_array_elements(d -> 'b2cs') x WHERE fp = '062025'
              EXCEPT
              SELECT sply_ty, pos, rt, txval::numeric, iamt::numeric, camt::numeric, samt::numeric
                FROM invoice.gstr1_b2cs WHERE fp = '062025') z)
          + (SELECT count(*) FROM invoice.gstr1_b2cs WHERE fp = '062025')
          - (SELECT jsonb_array_length(d -> 'b2cs') FROM doc WHERE fp = '062025'), 0::bigint,
          'gstr1 b2cs: the rows of gstr1_b2cs');
SELECT is((SELECT count(*) FROM (
              SELECT l.key, x->>'hsn_sc', (x->>'rt')::numeric, (x->>'txval')::numeric, (x->>'iamt')::numeric,
                     (x->>'camt')::numeric, (x->>'samt')::numeric
                FROM doc, jsonb_each(d -> 'hsn') l, jsonb_array_elements(l.value) x
              EXCEPT
              SELECT hsn_table, hsn_sc, rt, txval::numeric, iamt::numeric, camt::numeric, samt::numeric
                FROM invoice.gstr1_hsn WHERE fp IN ('042025', '062025')) z)
          + (SELECT count(*) FROM invoice.gstr1_hsn WHERE fp IN ('042025', '062025'))
          - (SELECT sum(jsonb_array_length(l.value))::bigint FROM doc, jsonb_each(d -> 'hsn') l), 0::bigint,
          'gstr1 hsn: the rows of gstr1_hsn, in their lists');

SELECT * FROM finish();
ROLLBACK;
