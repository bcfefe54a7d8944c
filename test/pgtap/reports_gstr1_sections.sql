-- GSTR-1 beyond b2b/b2cl/b2cs (issue #16, README "GSTR-1"), on a hand-made month whose
-- every figure is worked out below:
--
--   - exp (table 6A): invoices with place of supply 96 (a foreign country), WPAY when they
--     charged IGST, WOPAY when zero-rated; items without num/itm_det, as the portal's JSON;
--   - nil (table 8): nil-rated lines (rate 0) of supplies in India, by supply type, out of
--     b2b/b2cs; an export at rate 0 stays an export;
--   - cdnur (table 9B): credit notes of a b2cl invoice (B2CL, with pos) and of an export
--     (EXPWP, no pos); cdnr keeps the registered recipients' notes only;
--   - cess: csamt stated (0) in every item: the price book carries no cess rate;
--   - the new sections' field names are those of published samples;
--   - round_off_by_month: the round-off to the rupee, apart from revenue and tax.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(13);
\ir include/refused.sql

\o /dev/null
DELETE FROM invoice.supplier;
INSERT INTO invoice.supplier (legal_name, address, gstin, state_code)
VALUES ('Sections test supplier', 'Bengaluru', '29AAACI1681G1ZL', '29');
DELETE FROM invoice.number_series;
INSERT INTO invoice.orgs (org_id, name, gstin, billing_state, payment_terms_days) VALUES
    ('s-exp-a', 'Abroad with IGST', NULL, '96', 30),
    ('s-exp-b', 'Abroad under LUT', NULL, '96', 30),
    ('s-local', 'Unregistered in Karnataka', NULL, '29', 30),
    ('s-big', 'Unregistered in Maharashtra', NULL, '27', 30),
    ('s-reg', 'Registered in Maharashtra', '27AAPFU0939F1ZV', NULL, 30);
SELECT set_config('invoice.test_clock', '2025-06-10 10:00:00+00', true);

CREATE FUNCTION pg_temp.invoice(org text, id text, rate numeric, amounts numeric[], rates numeric[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, gst, tax_rate)
    VALUES (org, id, '2025-05-01', '2025-06-01', 'INR', true, rate);
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac)
    SELECT org, id, format('line %s', k), amounts[k]::text::cents, rates[k], '998315'
      FROM generate_subscripts(amounts, 1) k ORDER BY k;
    PERFORM invoice.invoice_issue(id);
END $$;
CREATE FUNCTION pg_temp.credit(id text, amount text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    note invoice.credit_notes;
BEGIN
    note := invoice.credit_note_create(id, 'other', 'price corrected');
    INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount, hsn_sac)
    VALUES (note.org_id, note.credit_note_id, 'correction', amount::cents, '998315');
    PERFORM invoice.credit_note_issue(note.credit_note_id);
END $$;

SELECT pg_temp.invoice('s-exp-a', 'exp-1', 18, '{1000.00}', '{NULL}');      -- IGST 180.00: WPAY
SELECT pg_temp.invoice('s-exp-a', 'exp-2', 18, '{400.00}', '{NULL}');       -- WPAY, credited 100.00 below
SELECT pg_temp.invoice('s-exp-b', 'exp-3', 0, '{500.00}', '{NULL}');        -- zero-rated: WOPAY
UPDATE invoice.supplier SET total_rounding = 'rupee';
SELECT pg_temp.invoice('s-local', 'local-1', 18, '{100.55, 50.00}', '{NULL, 0}');  -- 100.55 + 9.05 + 9.05 + 50.00 = 168.65 -> 169.00
UPDATE invoice.supplier SET total_rounding = 'none';
SELECT pg_temp.invoice('s-big', 'big-1', 18, '{200000.00}', '{NULL}');      -- b2cl, credited 10,000.00 below
SELECT pg_temp.invoice('s-reg', 'reg-1', 18, '{200.00}', '{0}');            -- only a nil-rated line: no b2b
SELECT set_config('invoice.test_clock', '2025-06-20 10:00:00+00', true);
SELECT pg_temp.credit('big-1', '10000.00');
SELECT pg_temp.credit('exp-2', '100.00');
\o

SELECT is((SELECT string_agg(format('%s %s %s %s %s', exp_typ, invoice_id, rt, txval, iamt), '; ' ORDER BY invoice_id)
             FROM invoice.gstr1_exp WHERE fp = '062025'),
          'WPAY exp-1 18 1000.00 180.00; WPAY exp-2 18 400.00 72.00; WOPAY exp-3 0 500.00 0.00',
          'exp: the invoices to a foreign country, with (WPAY) and without (WOPAY) IGST');
SELECT is((SELECT string_agg(format('%s %s', sply_ty, nil_amt), '; ' ORDER BY sply_ty) FROM invoice.gstr1_nil WHERE fp = '062025'),
          'INTRAB2C 50.00; INTRB2B 200.00',
          'nil: the nil-rated lines by supply type (an export at rate 0 is not one)');
SELECT is((SELECT string_agg(format('%s %s %s %s %s', sply_ty, rt, txval, camt, samt), '; ') FROM invoice.gstr1_b2cs WHERE fp = '062025'),
          'INTRA 18 100.55 9.05 9.05', 'b2cs: the taxed line only, the nil-rated one is in nil');
SELECT is((SELECT count(*) FROM invoice.gstr1_b2b WHERE fp = '062025'), 0::bigint,
          'b2b: an invoice of nil-rated lines only is not in table 4');
SELECT is((SELECT string_agg(format('%s %s %s %s %s %s', typ, pos, rt, txval, iamt, val), '; ' ORDER BY typ)
             FROM invoice.gstr1_cdnur WHERE fp = '062025'),
          'B2CL 27 18 10000.00 1800.00 11800.00; EXPWP 96 18 100.00 18.00 118.00',
          'cdnur: the notes of the b2cl invoice and of the export');
SELECT is((SELECT count(*) FROM invoice.gstr1_cdnr WHERE fp = '062025'), 0::bigint, 'cdnr: registered recipients'' notes only');
SELECT is((SELECT string_agg(format('%s %s %s', currency, rounded, round_off), '; ') FROM invoice.round_off_by_month
            WHERE month = '2025-06-01'),
          'INR 1 0.35', 'round_off_by_month: the one invoice rounded to the rupee, +0.35');

-- the document
CREATE TEMP TABLE doc AS SELECT invoice.gstr1('29AAACI1681G1ZL', '062025')::jsonb AS d;
SELECT is((SELECT array_agg(k ORDER BY k) FROM doc, jsonb_object_keys(d) k),
          '{b2cl,b2cs,cdnur,doc_issue,exp,fp,gstin,hsn,nil}'::text[], 'gstr1: the month''s sections, empty ones left out');
SELECT is((SELECT d -> 'exp' FROM doc),
          '[{"exp_typ": "WPAY", "inv": [{"inum": "INV/2526/000001", "idt": "10-06-2025", "val": 1180.00,
              "itms": [{"txval": 1000.00, "rt": 18, "iamt": 180.00, "csamt": 0.00}]},
                                       {"inum": "INV/2526/000002", "idt": "10-06-2025", "val": 472.00,
              "itms": [{"txval": 400.00, "rt": 18, "iamt": 72.00, "csamt": 0.00}]}]},
            {"exp_typ": "WOPAY", "inv": [{"inum": "INV/2526/000003", "idt": "10-06-2025", "val": 500.00,
              "itms": [{"txval": 500.00, "rt": 0, "iamt": 0.00, "csamt": 0.00}]}]}]'::jsonb,
          'gstr1 exp: per export type, invoices with flat items');
SELECT is((SELECT d -> 'nil' FROM doc),
          '{"inv": [{"sply_ty": "INTRB2B", "expt_amt": 0.00, "nil_amt": 200.00, "ngsup_amt": 0.00},
                    {"sply_ty": "INTRAB2C", "expt_amt": 0.00, "nil_amt": 50.00, "ngsup_amt": 0.00}]}'::jsonb,
          'gstr1 nil: nil-rated amounts by supply type, exempt and non-GST 0');
SELECT is((SELECT d -> 'cdnur' FROM doc),
          '[{"typ": "B2CL", "ntty": "C", "nt_num": "CN/2526/000001", "nt_dt": "20-06-2025", "val": 11800.00, "pos": "27",
             "itms": [{"num": 1, "itm_det": {"rt": 18, "txval": 10000.00, "iamt": 1800.00, "csamt": 0.00}}]},
            {"typ": "EXPWP", "ntty": "C", "nt_num": "CN/2526/000002", "nt_dt": "20-06-2025", "val": 118.00,
             "itms": [{"num": 1, "itm_det": {"rt": 18, "txval": 100.00, "iamt": 18.00, "csamt": 0.00}}]}]'::jsonb,
          'gstr1 cdnur: a B2CL note with its place of supply, an export''s note without');
SELECT is((SELECT count(*) FROM doc, jsonb_path_query(d, 'strict $.**.csamt') c WHERE c <> '0'::jsonb), 0::bigint,
          'gstr1: cess stated as 0 wherever the portal has csamt');

-- Published samples of the new sections: cdnur and exp as resilient-tech/india-compliance's
-- gstr_1 tests (test_gstr_1_json_map.py: TestCDNUR, TestExports) write them, nil as its
-- get_exempted_json; less the keys the document leaves out on purpose (README "GSTR-1"):
-- diff_percent (no reduced rates), the shipping bill of exports (services have none).
CREATE FUNCTION pg_temp.key_paths(j jsonb, prefix text DEFAULT '') RETURNS SETOF text LANGUAGE sql AS $$
    WITH RECURSIVE t (p, v) AS (
        SELECT '', j
        UNION ALL
        SELECT CASE WHEN jsonb_typeof(t.v) = 'object' THEN t.p || e.key || '.' ELSE t.p END, e.value
          FROM t, LATERAL (SELECT o.key, o.value FROM jsonb_each(CASE WHEN jsonb_typeof(t.v) = 'object' THEN t.v END) o
                           UNION ALL
                           SELECT NULL, a FROM jsonb_array_elements(CASE WHEN jsonb_typeof(t.v) = 'array' THEN t.v END) a) e)
    SELECT DISTINCT prefix || rtrim(p, '.') FROM t WHERE p <> ''
$$;
CREATE TEMP TABLE sample AS SELECT '{
  "cdnur": [{"typ": "B2CL", "ntty": "C", "nt_num": "533515", "nt_dt": "23-09-2016", "pos": "03", "val": 64646,
             "diff_percent": 0.65, "itms": [{"num": 1, "itm_det": {"rt": 10, "txval": 5225.28, "iamt": 339.64, "csamt": 789.52}}]}],
  "exp": [{"exp_typ": "WPAY", "inv": [{"inum": "81542", "idt": "12-02-2016", "val": 995048.36, "sbpcode": "ASB991",
           "sbnum": "7896542", "sbdt": "04-10-2016", "itms": [{"txval": 10000, "rt": 5, "iamt": 833.33, "csamt": 100}]}]}],
  "nil": {"inv": [{"sply_ty": "INTRB2B", "nil_amt": 0, "expt_amt": 0, "ngsup_amt": 0}]}
}'::jsonb AS s;
SELECT is((SELECT array_agg(p ORDER BY p) FROM doc, pg_temp.key_paths(d - '{gstin,fp,b2cl,b2cs,hsn,doc_issue}'::text[]) p),
          (SELECT array_agg(p ORDER BY p) FROM sample, pg_temp.key_paths(s) p
            WHERE p NOT IN ('cdnur.diff_percent', 'exp.inv.sbpcode', 'exp.inv.sbnum', 'exp.inv.sbdt')),
          'gstr1: cdnur, exp and nil have the published samples'' fields at the same places');

SELECT * FROM finish();
ROLLBACK;
