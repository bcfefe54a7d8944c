-- GST treatment of a supply (issue #16, README "GST treatment"): a line (and a product of the
-- price book) is taxable, nil-rated, exempt or non-GST; the three last need rate 0 and so
-- charge no tax.  GSTR-1 table 8 (nil) splits them into nil_amt / expt_amt / ngsup_amt per
-- supply type and nets the month's credit notes of such lines; b2b, b2cs and cdnr leave them
-- out; table 12 (hsn) keeps them at rate 0 — as resilient-tech/india-compliance's GSTR-1 books
-- do.  A hand-computed June 2025, supplier in Karnataka (29):
--
--   gt-a  registered, place of supply 29 (INTRAB2B):  hosting 1000.00 at 18 % (CGST 90.00,
--         SGST 90.00, SAC 998315), exempt 200.00 (999293), nil-rated 50.00 (998599),
--         non-GST 30.00 (996411); total 1460.00
--   gt-b  registered, place of supply 27 (INTRB2B):   hosting 500.00 at 18 % (IGST 90.00),
--         nil-rated 70.00 (998599), taxable at rate 0 10.00 (998315: nil-rated, as before);
--         total 670.00
--   gt-c  unregistered, 29 (INTRAB2C): 100.00 at 5 % and exempt 40.00 (999293), less a credit
--         of 14.00 pro rata (10.00, 4.00): taxable 90.00 (CGST 2.25, SGST 2.25) and 36.00;
--         total 130.50
--   gt-d  unregistered, 27 (INTRB2C): non-GST 25.00 (996411), exempt 15.00 (999293); total
--         40.00 — every line untaxed: a bill of supply
--   credit notes of 20 June: gt-a's exempt line in full (-200.00 exempt, INTRAB2B), 100.00 at
--   18 % on gt-a (cdnr: CGST 9.00, SGST 9.00), gt-b's nil-rated line (-70.00 nil, INTRB2B),
--   gt-d's non-GST line (-25.00 non-GST, INTRB2C); of 5 July: gt-a's non-GST line (-30.00 in
--   July's INTRAB2B).
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(41);

\ir include/refused.sql

\o /dev/null
DELETE FROM invoice.supplier;
INSERT INTO invoice.supplier (legal_name, address, gstin, state_code)
VALUES ('Treatment test supplier', 'Bengaluru', '29AAACI1681G1ZL', '29');
DELETE FROM invoice.number_series;
INSERT INTO invoice.orgs (org_id, name, gstin, billing_state, payment_terms_days) VALUES
    ('gt-rl', 'Registered, supplied in Karnataka', '27AAPFU0939F1ZV', '29', 30),
    ('gt-rf', 'Registered, supplied in Maharashtra', '29AAHCR6226R1ZJ', '27', 30),
    ('gt-ul', 'Unregistered in Karnataka', NULL, '29', 30),
    ('gt-uf', 'Unregistered in Maharashtra', NULL, '27', 30);
SELECT set_config('invoice.test_clock', '2025-06-10 10:00:00+00', true);
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, gst, tax_rate) VALUES
    ('gt-rl', 'gt-a', '2025-05-01', '2025-06-01', 'INR', true, 18),
    ('gt-rf', 'gt-b', '2025-05-01', '2025-06-01', 'INR', true, 18),
    ('gt-ul', 'gt-c', '2025-05-01', '2025-06-01', 'INR', true, 18),
    ('gt-uf', 'gt-d', '2025-05-01', '2025-06-01', 'INR', true, 18);
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac, gst_treatment) VALUES
    ('gt-rl', 'gt-a', 'Hosting', '1000.00', 18, '998315', 'taxable'),
    ('gt-rl', 'gt-a', 'Training for a school', '200.00', 0, '999293', 'exempt'),
    ('gt-rl', 'gt-a', 'Listing', '50.00', 0, '998599', 'nil_rated'),
    ('gt-rl', 'gt-a', 'Fuel recharge', '30.00', 0, '996411', 'non_gst');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac, gst_treatment) VALUES
    ('gt-rf', 'gt-b', 'Hosting', '500.00', 18, '998315', 'taxable'),
    ('gt-rf', 'gt-b', 'Listing', '70.00', 0, '998599', 'nil_rated');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac)
VALUES ('gt-rf', 'gt-b', 'Free tier', '10.00', 0, '998315');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac, gst_treatment) VALUES
    ('gt-ul', 'gt-c', 'Hosting', '100.00', 5, '998315', 'taxable'),
    ('gt-ul', 'gt-c', 'Training for a school', '40.00', 0, '999293', 'exempt');
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('gt-ul', 'gt-c', '14.00', 'WELCOME');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac, gst_treatment) VALUES
    ('gt-uf', 'gt-d', 'Fuel recharge', '25.00', 0, '996411', 'non_gst'),
    ('gt-uf', 'gt-d', 'Training for a school', '15.00', 0, '999293', 'exempt');
SELECT invoice.invoice_issue(id) FROM unnest(ARRAY['gt-a', 'gt-b', 'gt-c', 'gt-d']) id;

CREATE FUNCTION pg_temp.note(id text, day timestamptz, credited_line_of text, amount text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    n invoice.credit_notes;
BEGIN
    PERFORM set_config('invoice.test_clock', day::text, true);
    n := invoice.credit_note_create(id, 'other', 'corrected');
    IF credited_line_of IS NOT NULL THEN
        INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, line_id)
        SELECT n.org_id, n.credit_note_id, 'credited line', l.line_id
          FROM invoice.line_items l WHERE l.org_id = n.org_id AND l.invoice_id = id AND l.description = credited_line_of;
    ELSE
        INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount, hsn_sac)
        VALUES (n.org_id, n.credit_note_id, 'price corrected', amount::cents, '998315');
    END IF;
    PERFORM invoice.credit_note_issue(n.credit_note_id);
    RETURN n.credit_note_id;
END $$;
CREATE TEMP TABLE notes AS
SELECT 'a-exempt' AS k, pg_temp.note('gt-a', '2025-06-20 10:00+00', 'Training for a school', NULL) AS id
UNION ALL SELECT 'a-amount', pg_temp.note('gt-a', '2025-06-20 11:00+00', NULL, '100.00')
UNION ALL SELECT 'b-nil', pg_temp.note('gt-b', '2025-06-20 12:00+00', 'Listing', NULL)
UNION ALL SELECT 'd-non-gst', pg_temp.note('gt-d', '2025-06-20 13:00+00', 'Fuel recharge', NULL)
UNION ALL SELECT 'a-july', pg_temp.note('gt-a', '2025-07-05 10:00+00', 'Fuel recharge', NULL);
\o

-- The amounts: untaxed lines charge no tax, by either path of the computation -------------
SELECT is((SELECT string_agg(format('%s %s %s %s', id, subtotal, tax, total), '; ' ORDER BY id)
             FROM invoice.invoices WHERE id LIKE 'gt-_'),
          'gt-a 1280.00 180.00 1460.00; gt-b 580.00 90.00 670.00; gt-c 126.00 4.50 130.50; gt-d 40.00 0.00 40.00',
          'invoice amounts: tax on the taxable lines only');
SELECT is((SELECT string_agg(format('%s %s %s %s', t.rate, t.taxable_value, t.cgst, t.tax), '; ' ORDER BY t.line_id)
             FROM invoice.invoice_tax_lines('gt-c') t),
          '5 90.00 2.25 4.50; 0 36.00 0.00 0.00', 'invoice_tax_lines: the exempt line takes its share of the credit, no tax');
SELECT is((SELECT string_agg(format('%s %s %s', l.gst_treatment, t.taxable_value, t.tax), '; ' ORDER BY t.line_id)
             FROM invoice.invoice_line_tax t JOIN invoice.line_items l ON l.org_id = t.org_id AND l.line_id = t.line_id
            WHERE t.invoice_id = 'gt-a'),
          'taxable 1000.00 180.00; exempt 200.00 0.00; nil_rated 50.00 0.00; non_gst 30.00 0.00',
          'invoice_line_tax (line_tax): the same per line, with the line''s treatment');
SELECT is((SELECT gst_treatment::text FROM invoice.invoice_line_tax WHERE invoice_id = 'gt-b' ORDER BY line_id DESC LIMIT 1),
          'taxable', 'a line given no treatment is taxable (the default)');

-- A draft: the set-based recompute and the one-invoice path agree
\o /dev/null
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, gst, tax_rate)
VALUES ('gt-rl', 'gt-draft', '2025-06-01', '2025-07-01', 'INR', true, 18);
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac, gst_treatment) VALUES
    ('gt-rl', 'gt-draft', 'Hosting', '10.00', 18, '998315', 'taxable'),
    ('gt-rl', 'gt-draft', 'Training', '10.00', 0, '999293', 'exempt');
\o
SELECT is((SELECT format('%s %s', tax, total) FROM invoice.invoices WHERE id = 'gt-draft'), '1.80 21.80',
          'a draft''s lines inserted in one statement (one-invoice path): tax 1.80 on the taxable 10.00 only');
SELECT is((SELECT format('%s %s', tax, total) FROM invoice.invoice_compute('gt-draft')), '1.80 21.80',
          'invoice_compute (the set-based path): the same');
SELECT lives_ok($$UPDATE invoice.line_items SET gst_treatment = 'nil_rated' WHERE invoice_id = 'gt-draft' AND tax_rate = 0$$,
                'a draft''s line changes treatment between untaxed ones');
SELECT lives_ok($$UPDATE invoice.line_items SET gst_treatment = 'exempt', tax_rate = 0 WHERE invoice_id = 'gt-draft' AND tax_rate = 18$$,
                'a taxable line made exempt with its rate set to 0 in the same statement');
SELECT is((SELECT format('%s %s', tax, total) FROM invoice.invoices WHERE id = 'gt-draft'), '0.00 20.00',
          '... and the draft is recomputed without tax');

-- Refusals --------------------------------------------------------------------------------
SELECT pg_temp.refused($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac, gst_treatment)
                         VALUES ('gt-rl', 'gt-draft', 'x', '1.00', '999293', 'exempt')$$, '23514',
                       'new row for relation "line_items" violates check constraint "line_items_gst_treatment_check"',
                       'an exempt line without a rate (it would take the invoice''s 18 %): 23514');
SELECT pg_temp.refused($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac, gst_treatment)
                         VALUES ('gt-rl', 'gt-draft', 'x', '1.00', 18, '998599', 'nil_rated')$$, '23514', NULL,
                       'a nil-rated line at 18 %: 23514');
SELECT pg_temp.refused($$UPDATE invoice.line_items SET gst_treatment = 'non_gst', tax_rate = 0 WHERE invoice_id = 'gt-c' AND tax_rate = 5$$,
                       'IV002', NULL, 'an issued invoice''s line: its treatment is frozen (IV002)');
\o /dev/null
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac)
VALUES ('gt-rl', 'gt-draft', 'Taxable again', '5.00', 18, '998315');
\o
SELECT pg_temp.refused($$UPDATE invoice.line_items SET gst_treatment = 'exempt' WHERE invoice_id = 'gt-draft' AND tax_rate = 18$$,
                       '23514', NULL, 'a taxable line at 18 % made exempt without its rate: 23514');
SELECT pg_temp.refused($$UPDATE invoice.line_items SET tax_rate = 5 WHERE invoice_id = 'gt-draft' AND gst_treatment = 'exempt'$$,
                       '23514', NULL, 'an exempt line given a rate: 23514');
SELECT pg_temp.refused($$UPDATE invoice.line_items SET tax_rate = NULL WHERE invoice_id = 'gt-draft' AND gst_treatment = 'exempt'$$,
                       '23514', NULL, 'an exempt line''s rate set to NULL (the invoice''s): 23514');
SELECT pg_temp.refused($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, gst_treatment)
                         VALUES ('gt-rl', 'gt-draft', 'x', '1.00', 0, 'zero_rated')$$, '22P02',
                       'invalid input value for enum gst_treatment: "zero_rated"', 'an unknown treatment: 22P02');
SELECT pg_temp.refused($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, gst_treatment)
                         VALUES ('gt-rl', 'gt-draft', 'x', '1.00', 0, '')$$, '22P02', NULL, 'an empty treatment: 22P02');
SELECT pg_temp.refused($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, gst_treatment)
                         VALUES ('gt-rl', 'gt-draft', 'x', '1.00', 0, NULL)$$, '23502', NULL, 'a NULL treatment: 23502');
SELECT is((SELECT count(*) FROM invoice.line_items WHERE invoice_id = 'gt-draft'), 3::bigint, 'nothing half-written');

-- The price book: products carry the treatment their lines get -----------------------------
SELECT pg_temp.refused($$INSERT INTO invoice.products (product_id, product_name, unit, currency, gst_rate, gst_treatment)
                         VALUES ('gt-x', 'X', 'hour', 'INR', NULL, 'exempt')$$, '23514',
                       'new row for relation "products" violates check constraint "products_gst_treatment_check"',
                       'an exempt product without a rate: 23514');
SELECT pg_temp.refused($$INSERT INTO invoice.products (product_id, product_name, unit, currency, gst_rate, gst_treatment)
                         VALUES ('gt-x', 'X', 'hour', 'INR', 5, 'non_gst')$$, '23514', NULL, 'a non-GST product at 5 %: 23514');
SELECT pg_temp.refused($$INSERT INTO invoice.products (product_id, product_name, unit, currency, gst_rate, gst_treatment)
                         VALUES ('gt-x', 'X', 'hour', 'INR', 0, 'exempted')$$, '22P02', NULL, 'a product''s unknown treatment: 22P02');
\o /dev/null
INSERT INTO invoice.products (product_id, product_name, usage_type, unit, currency, hsn_sac, gst_rate, gst_treatment)
VALUES ('gt-course', 'Course seats', 'seat-days', 'seat-day', 'INR', '999293', 0, 'exempt');
INSERT INTO invoice.prices (product_id, effective_from, model, rate) VALUES ('gt-course', '2025-01-01', 'per_unit', 2.5);
INSERT INTO invoice.orgs (org_id, name, billing_state) VALUES ('gt-usage', 'A school', '29');
INSERT INTO invoice.usage_records (org_id, idempotency_key, product_name, usage_type, quantity, usage_start, usage_end)
VALUES ('gt-usage', 'k1', 'Course seats', 'seat-days', 40, '2025-06-03', '2025-06-04');
SELECT invoice.invoice_generate('2025-06-01', '2025-07-01', 'gt-usage');
\o
SELECT is((SELECT format('%s %s %s %s', l.gst_treatment, l.tax_rate, l.amount, i.tax)
             FROM invoice.line_items l JOIN invoice.invoices i ON i.org_id = l.org_id AND i.id = l.invoice_id
            WHERE l.org_id = 'gt-usage'),
          'exempt 0 100.00 0.00', 'usage generation: the line takes its product''s treatment (40 seat-days at 2.50, no tax)');

-- GSTR-1 -------------------------------------------------------------------------------------
SELECT is((SELECT string_agg(format('%s %s %s %s', sply_ty, nil_amt, expt_amt, ngsup_amt), '; ' ORDER BY sply_ty)
             FROM invoice.gstr1_nil WHERE fp = '062025'),
          'INTRAB2B 50.00 0.00 30.00; INTRAB2C 0.00 36.00 0.00; INTRB2B 10.00 0.00 0.00; INTRB2C 0.00 15.00 0.00',
          'gstr1_nil June: nil-rated (and taxable at 0 %), exempt and non-GST apart, less the month''s notes of such lines');
SELECT is((SELECT string_agg(format('%s %s %s %s', sply_ty, nil_amt, expt_amt, ngsup_amt), '; ' ORDER BY sply_ty)
             FROM invoice.gstr1_nil WHERE fp = '072025'),
          'INTRAB2B 0.00 0.00 -30.00', 'gstr1_nil July: a note of a non-GST line in its own month, negative');
SELECT is((SELECT string_agg(format('%s %s %s %s %s %s', inum, rt, txval, iamt, camt, samt), '; ' ORDER BY inum, rt)
             FROM invoice.gstr1_b2b WHERE fp = '062025'),
          (SELECT string_agg(x, '; ' ORDER BY x) FROM (
              SELECT number || ' 18 1000.00 0.00 90.00 90.00' AS x FROM invoice.invoices WHERE id = 'gt-a'
              UNION ALL SELECT number || ' 18 500.00 90.00 0.00 0.00' FROM invoice.invoices WHERE id = 'gt-b') y),
          'gstr1_b2b: the taxable lines only (no rate-0 item)');
SELECT is((SELECT string_agg(format('%s %s', inum, val), '; ' ORDER BY inum) FROM (SELECT DISTINCT inum, val FROM invoice.gstr1_b2b) b),
          (SELECT string_agg(format('%s %s', number, total), '; ' ORDER BY number) FROM invoice.invoices WHERE id IN ('gt-a', 'gt-b')),
          'gstr1_b2b: the invoice value is still the whole total');
SELECT is((SELECT string_agg(format('%s %s %s %s %s %s', sply_ty, pos, rt, txval, camt, samt), '; ')
             FROM invoice.gstr1_b2cs WHERE fp = '062025'),
          'INTRA 29 5 90.00 2.25 2.25', 'gstr1_b2cs: gt-c''s taxable line; nothing of gt-d (a bill of supply) or of the exempt line');
SELECT is((SELECT string_agg(format('%s %s %s %s %s', credit_note_id, rt, txval, camt, samt), '; ')
             FROM invoice.gstr1_cdnr WHERE fp = '062025'),
          (SELECT id || ' 18 100.00 9.00 9.00' FROM notes WHERE k = 'a-amount'),
          'gstr1_cdnr: the note of a taxable amount only (the note of the exempt line is in nil)');
SELECT is((SELECT count(*) FROM invoice.gstr1_cdnr WHERE fp = '072025'), 0::bigint,
          'gstr1_cdnr July: a note of a non-GST line only is not there');
SELECT is((SELECT count(*) FROM invoice.gstr1_cdnur), 0::bigint, 'gstr1_cdnur: nothing');
SELECT is((SELECT string_agg(format('%s %s %s %s %s %s %s', hsn_table, hsn_sc, rt, txval, iamt, camt, samt), '; '
                             ORDER BY hsn_table, hsn_sc, rt)
             FROM invoice.gstr1_hsn WHERE fp = '062025'),
          'hsn_b2b 996411 0 30.00 0.00 0.00 0.00; hsn_b2b 998315 0 10.00 0.00 0.00 0.00; '
          'hsn_b2b 998315 18 1400.00 90.00 81.00 81.00; hsn_b2b 998599 0 50.00 0.00 0.00 0.00; '
          'hsn_b2b 999293 0 0.00 0.00 0.00 0.00; '
          'hsn_b2c 996411 0 0.00 0.00 0.00 0.00; hsn_b2c 998315 5 90.00 0.00 2.25 2.25; hsn_b2c 999293 0 51.00 0.00 0.00 0.00',
          'gstr1_hsn: nil-rated, exempt and non-GST lines (and their notes) stay in table 12, at rate 0');
SELECT is(invoice.gstr1_line_section('b2b', 'exempt', 0), 'nil', 'gstr1_line_section: an exempt line of a b2b invoice goes to nil');
SELECT is(invoice.gstr1_line_section('exp', 'exempt', 0), 'exp', 'gstr1_line_section: an export''s lines stay exports');
SELECT is(invoice.gstr1_line_section('b2cs', 'taxable', 5), 'b2cs', 'gstr1_line_section: a taxed line stays in its table');
SELECT is(invoice.gstr1_line_section(NULL, NULL, NULL), NULL, 'gstr1_line_section: NULL for NULL');

-- the document
CREATE TEMP TABLE doc AS
SELECT fp, invoice.gstr1('29AAACI1681G1ZL', fp)::jsonb AS d FROM (VALUES ('062025'), ('072025')) v (fp);
SELECT is((SELECT d -> 'nil' FROM doc WHERE fp = '062025'),
          '{"inv": [{"sply_ty": "INTRB2B", "expt_amt": 0.00, "nil_amt": 10.00, "ngsup_amt": 0.00},
                    {"sply_ty": "INTRAB2B", "expt_amt": 0.00, "nil_amt": 50.00, "ngsup_amt": 30.00},
                    {"sply_ty": "INTRB2C", "expt_amt": 15.00, "nil_amt": 0.00, "ngsup_amt": 0.00},
                    {"sply_ty": "INTRAB2C", "expt_amt": 36.00, "nil_amt": 0.00, "ngsup_amt": 0.00}]}'::jsonb,
          'gstr1 June: nil as gstr1_nil, in the portal''s supply type order');
SELECT is((SELECT d -> 'nil' FROM doc WHERE fp = '072025'),
          '{"inv": [{"sply_ty": "INTRAB2B", "expt_amt": 0.00, "nil_amt": 0.00, "ngsup_amt": -30.00}]}'::jsonb,
          'gstr1 July: the note''s month, negative');
SELECT is((SELECT jsonb_agg(x -> 'itms' ORDER BY x ->> 'inum') FROM doc, jsonb_array_elements(d -> 'b2b') c,
                  jsonb_array_elements(c -> 'inv') x WHERE fp = '062025'),
          '[[{"num": 1, "itm_det": {"rt": 18, "txval": 1000.00, "iamt": 0.00, "camt": 90.00, "samt": 90.00, "csamt": 0.00}}],
            [{"num": 1, "itm_det": {"rt": 18, "txval": 500.00, "iamt": 90.00, "camt": 0.00, "samt": 0.00, "csamt": 0.00}}]]'::jsonb,
          'gstr1 b2b: one item per invoice, the taxable rate');
SELECT is((SELECT array_agg(k ORDER BY k) FROM doc, jsonb_object_keys(d) k WHERE fp = '072025'),
          '{doc_issue,fp,gstin,hsn,nil}'::text[], 'gstr1 July: a note of a non-GST line only is in nil and hsn, not cdnr');

-- Describe
SELECT is((SELECT jsonb_agg(x -> 'gstTreatment' ORDER BY (x ->> 'lineId')::bigint)
             FROM jsonb_array_elements(invoice.invoice_describe('gt-a')::jsonb #> '{data,lineItems}') x),
          '["taxable", "exempt", "nil_rated", "non_gst"]'::jsonb, 'Describe: each line''s gstTreatment');

SELECT * FROM finish();
ROLLBACK;
