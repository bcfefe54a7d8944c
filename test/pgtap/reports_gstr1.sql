-- Revenue by month and GSTR-1 (issue #16, README "Revenue and collections", "GSTR-1"), each
-- compared with an independent computation over a random history
-- (test/pgtap/include/reports_history.sql: IGST and CGST/SGST invoices, registered and
-- unregistered recipients, rates 5 and 18 on one invoice, credits, credit notes,
-- cancellations):
--
--   - invoice_line_tax equals invoice_tax_lines (the C computation) on every issued line;
--   - revenue_by_month: issued is the taxable value of the month's invoices' lines
--     (cancelled ones left out), credited adds up to the month's credit notes, and each
--     credit note is spread over its invoice's dimensions to the paisa;
--   - GSTR-1 of each month: every GST invoice lands in exactly one of b2b / b2cl / b2cs,
--     with its value and its taxable value and heads per rate; cdnr holds the registered
--     recipients' credit notes; hsn nets invoices and credit notes per code and rate;
--     doc_issue counts the numbers; the JSON document carries the views' figures;
--   - the JSON's section and field names are those of the GST portal's offline tool:
--     compared with a published sample (README "GSTR-1" cites it);
--   - arguments: 42501 for a member, 22004, 22023 (period, GSTIN), 55000 without a GSTIN.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(25);
\ir include/reports_history.sql
\ir include/refused.sql

SELECT setseed(0.42);
SELECT pg_temp.rh_history(500);
-- a large inter-state invoice to an unregistered recipient (b2cl), and one dated before
-- 1 August 2024 that was under the limit then (₹2,50,000) but over it now (₹1,00,000)
\o /dev/null
SELECT pg_temp.rh_clock('2024-07-15 10:00:00+00');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, gst, tax_rate)
VALUES ('rh-inr-3', 'big-old', '2024-06-01', '2024-07-01', 'INR', true, 18);
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac) VALUES ('rh-inr-3', 'big-old', 'servers', '200000.00', '998315');
SELECT invoice.invoice_issue('big-old');
SELECT pg_temp.rh_clock('2024-08-15 10:00:00+00');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, gst, tax_rate)
VALUES ('rh-inr-3', 'big-new', '2024-07-01', '2024-08-01', 'INR', true, 18);
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac) VALUES ('rh-inr-3', 'big-new', 'servers', '200000.00', '998315');
SELECT invoice.invoice_issue('big-new');
-- an invoice in invoice rounding, with a credit: its heads are rounded once per rate and
-- spread back, which line rounding of the same lines does not give
UPDATE invoice.supplier SET tax_rounding = 'invoice';
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, gst, tax_rate)
VALUES ('rh-inr-3', 'rounded-once', '2024-07-01', '2024-08-01', 'INR', true, 18);
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac, tax_rate)
VALUES ('rh-inr-3', 'rounded-once', 'a', '0.05', '998315', NULL), ('rh-inr-3', 'rounded-once', 'b', '0.05', '998315', NULL),
       ('rh-inr-3', 'rounded-once', 'c', '0.05', '998315', NULL), ('rh-inr-3', 'rounded-once', 'd', '3.33', '998315', 5),
       ('rh-inr-3', 'rounded-once', 'e', '3.33', '998315', 5);
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('rh-inr-3', 'rounded-once', '0.01', 'goodwill');
SELECT invoice.invoice_issue('rounded-once');
UPDATE invoice.supplier SET tax_rounding = 'line';
\o

-- line taxes
CREATE TEMP TABLE c_tax AS
SELECT i.org_id, i.id AS invoice_id, x.* FROM invoice.invoices i, invoice.invoice_tax_lines(i.id) x WHERE i.issued_at IS NOT NULL;
SELECT ok((SELECT count(*) FROM c_tax) > 300 AND (SELECT count(DISTINCT rate) FROM c_tax WHERE cgst > '0') = 2
          AND (SELECT count(*) FROM c_tax WHERE igst > '0') > 0
          AND (SELECT count(*) FROM invoice.invoices WHERE issued_at IS NOT NULL AND credits_applied > '0') > 5,
          format('fixture: %s issued lines, CGST/SGST at two rates, IGST, invoices with credits', (SELECT count(*) FROM c_tax)));
SELECT is((SELECT count(*) FROM (SELECT org_id, invoice_id, line_id, rate, taxable_value, cgst, sgst, igst, tax FROM invoice.invoice_line_tax
                                 EXCEPT ALL SELECT * FROM c_tax) x), 0::bigint, 'invoice_line_tax: nothing invoice_tax_lines does not say');
SELECT is((SELECT count(*) FROM (SELECT * FROM c_tax EXCEPT ALL
                                 SELECT org_id, invoice_id, line_id, rate, taxable_value, cgst, sgst, igst, tax FROM invoice.invoice_line_tax) x),
          0::bigint, 'invoice_line_tax: every line invoice_tax_lines computes, to the paisa');

SELECT ok((SELECT i.tax_rounding = 'invoice'
                  AND i.tax <> (SELECT sum(round(t.taxable_value::bigint * t.rate / 100))::bigint::cents
                                  FROM invoice.invoice_line_tax t WHERE t.org_id = i.org_id AND t.invoice_id = i.id)
                  AND i.tax = (SELECT sum(t.tax) FROM invoice.invoice_line_tax t
                                WHERE t.org_id = i.org_id AND t.invoice_id = i.id)
             FROM invoice.invoices i WHERE i.id = 'rounded-once'),
          'invoice_line_tax: an invoice in invoice rounding has its heads as issued (line rounding would differ)');

-- revenue
SELECT is((SELECT count(*) FROM (
              SELECT month, currency, product_group, region, usage_type, issued FROM invoice.revenue_by_month WHERE issued > '0'
              EXCEPT
              SELECT date_trunc('month', i.invoice_date)::date, i.currency, l.product_group, l.region, l.usage_type, sum(c.taxable_value)
                FROM c_tax c JOIN invoice.invoices i ON i.org_id = c.org_id AND i.id = c.invoice_id
                JOIN invoice.line_items l ON l.org_id = c.org_id AND l.line_id = c.line_id
               WHERE i.status <> 'cancelled' GROUP BY 1, 2, 3, 4, 5) x), 0::bigint,
          'revenue_by_month: issued is the taxable value by month and dimensions (cancelled invoices void)');
SELECT is((SELECT count(*) FROM (
              SELECT month, currency, sum(credited) FROM invoice.revenue_by_month GROUP BY 1, 2 HAVING sum(credited) > '0'
              EXCEPT
              SELECT date_trunc('month', n.note_date)::date, i.currency, sum(n.taxable_value)
                FROM invoice.credit_notes n JOIN invoice.invoices i ON i.org_id = n.org_id AND i.id = n.invoice_id
               WHERE n.status = 'issued' GROUP BY 1, 2) x), 0::bigint,
          'revenue_by_month: credited adds up to the month''s credit notes, exactly');
SELECT is((SELECT count(*) FROM invoice.revenue_by_month WHERE net <> issued - credited), 0::bigint, 'revenue_by_month: net = issued - credited');
SELECT ok((SELECT count(*) FROM invoice.revenue_by_month WHERE credited > '0') > 3, 'fixture: credit notes spread over several dimensions');

-- GSTR-1, month by month
CREATE TEMP TABLE months AS
SELECT DISTINCT to_char(invoice_date, 'MMYYYY') AS fp FROM invoice.invoices WHERE gst AND issued_at IS NOT NULL;
CREATE TEMP TABLE gst_inv AS
SELECT to_char(i.invoice_date, 'MMYYYY') AS fp, i.org_id, i.id, i.number, i.total, i.subtotal, i.tax, o.gstin, i.gst_intra_state
  FROM invoice.invoices i JOIN invoice.orgs o USING (org_id)
 WHERE i.gst AND i.issued_at IS NOT NULL AND i.status <> 'cancelled';
CREATE TEMP TABLE sections AS
SELECT fp, org_id, invoice_id, 'b2b' AS section, val, txval, iamt + camt + samt AS tax FROM invoice.gstr1_b2b
UNION ALL SELECT fp, org_id, invoice_id, 'b2cl', val, txval, iamt FROM invoice.gstr1_b2cl;
SELECT ok((SELECT count(*) FROM months) >= 4 AND (SELECT count(DISTINCT section) FROM sections) = 2
          AND (SELECT count(*) FROM invoice.gstr1_b2cs) > 0, 'fixture: several months, with b2b, b2cl and b2cs');
SELECT is((SELECT string_agg(invoice_id, ',' ORDER BY invoice_id) FROM invoice.gstr1_b2cl), 'big-new',
          'b2cl: the large inter-state invoice to an unregistered recipient, under the old limit before August 2024');
SELECT is((SELECT count(*) FROM (SELECT fp, org_id, id, total, subtotal, tax FROM gst_inv WHERE gstin IS NOT NULL
                                 EXCEPT
                                 SELECT fp, org_id, invoice_id, min(val), sum(txval), sum(tax) FROM sections
                                  WHERE section = 'b2b' GROUP BY 1, 2, 3) x)
          + (SELECT count(*) FROM (SELECT DISTINCT fp, org_id, invoice_id FROM sections WHERE section = 'b2b') y)
          - (SELECT count(*) FROM gst_inv WHERE gstin IS NOT NULL), 0::bigint,
          'b2b: every GST invoice of a registered recipient, once, with its value, taxable value and tax');
-- the unregistered recipients' supplies of a month, less the month's credit notes of those
-- that are not b2cl (inter-state over the limit): b2cs is net of its notes
CREATE TEMP TABLE unregistered AS
SELECT x.fp, sum(x.txval) AS txval, sum(x.tax) AS tax
  FROM (SELECT g.fp, g.subtotal AS txval, g.tax FROM gst_inv g WHERE g.gstin IS NULL
        UNION ALL
        SELECT to_char(n.note_date, 'MMYYYY'), - l.amount, - l.tax
          FROM invoice.credit_notes n JOIN invoice.invoices i ON i.org_id = n.org_id AND i.id = n.invoice_id
          JOIN invoice.orgs o ON o.org_id = n.org_id
          JOIN invoice.credit_note_lines l ON l.org_id = n.org_id AND l.credit_note_id = n.credit_note_id
         WHERE n.status = 'issued' AND i.gst AND o.gstin IS NULL AND coalesce(l.tax_rate, i.tax_rate) <> 0
           AND (i.gst_intra_state OR i.total <= CASE WHEN i.invoice_date < '2024-08-01' THEN '250000.00' ELSE '100000.00' END::cents)) x
 GROUP BY x.fp;
SELECT is((SELECT count(*) FROM (
              SELECT fp, txval, tax FROM unregistered
              EXCEPT
              SELECT x.fp, sum(x.txval), sum(x.tax)
                FROM (SELECT fp, txval, tax FROM sections WHERE section = 'b2cl'
                      UNION ALL SELECT fp, txval, iamt + camt + samt FROM invoice.gstr1_b2cs) x GROUP BY x.fp) z)
          + (SELECT count(DISTINCT fp) FROM (SELECT fp FROM sections WHERE section = 'b2cl' UNION ALL SELECT fp FROM invoice.gstr1_b2cs) y)
          - (SELECT count(*) FROM unregistered), 0::bigint,
          'b2cl + b2cs: the unregistered recipients'' taxable value and tax, less the b2cs invoices'' credit notes, month by month');
SELECT is((SELECT count(*) FROM invoice.gstr1_b2cs WHERE (sply_ty = 'INTRA') <> (iamt = '0' AND camt = samt)), 0::bigint,
          'b2cs: intra-state supplies carry CGST = SGST, inter-state IGST');
SELECT is((SELECT count(*) FROM (
              SELECT to_char(n.note_date, 'MMYYYY'), n.credit_note_id, n.total, n.taxable_value, n.tax
                FROM invoice.credit_notes n JOIN invoice.invoices i ON i.org_id = n.org_id AND i.id = n.invoice_id
                JOIN invoice.orgs o ON o.org_id = n.org_id
               WHERE n.status = 'issued' AND i.gst AND o.gstin IS NOT NULL
              EXCEPT
              SELECT fp, credit_note_id, min(val), sum(txval), sum(iamt + camt + samt) FROM invoice.gstr1_cdnr GROUP BY 1, 2) x), 0::bigint,
          'cdnr: every credit note of a registered recipient''s GST invoice, with its value, taxable value and tax');
SELECT is((SELECT count(*) FROM (
              SELECT fp, sum(txval), sum(iamt + camt + samt) FROM invoice.gstr1_hsn GROUP BY fp
              EXCEPT
              SELECT h.fp, sum(h.txval), sum(h.tax) FROM (
                  SELECT g.fp, g.subtotal AS txval, g.tax FROM gst_inv g
                  UNION ALL
                  SELECT to_char(n.note_date, 'MMYYYY'), - n.taxable_value, - n.tax
                    FROM invoice.credit_notes n JOIN invoice.invoices i ON i.org_id = n.org_id AND i.id = n.invoice_id
                   WHERE n.status = 'issued' AND i.gst) h GROUP BY h.fp) x), 0::bigint,
          'hsn: per month, the GST invoices'' taxable value and tax less the credit notes''');
SELECT is((SELECT count(*) FROM (
              SELECT fp, "from", "to", totnum, cancel FROM invoice.gstr1_doc_issue WHERE doc_num = 1
              EXCEPT
              SELECT to_char(invoice_date, 'MMYYYY'), min(number), max(number), count(*), count(*) FILTER (WHERE status = 'cancelled')
                FROM invoice.invoices WHERE number IS NOT NULL GROUP BY 1) x), 0::bigint,
          'doc_issue: each month''s invoice numbers, first to last, how many and how many cancelled');
SELECT ok((SELECT sum(cancel) FROM invoice.gstr1_doc_issue) > 0, 'fixture: cancelled invoices among them');

-- the JSON document
CREATE TEMP TABLE docs AS SELECT m.fp, invoice.gstr1('29AAACI1681G1ZL', m.fp)::jsonb AS doc FROM months m;
SELECT is((SELECT count(*) FROM docs d
            WHERE coalesce((SELECT sum((it->'itm_det'->>'txval')::numeric) FROM jsonb_array_elements(d.doc->'b2b') c,
                                   jsonb_array_elements(c->'inv') v, jsonb_array_elements(v->'itms') it), 0)
                  <> coalesce((SELECT sum(txval::numeric) FROM invoice.gstr1_b2b b WHERE b.fp = d.fp), 0)
               OR coalesce((SELECT sum((x->>'txval')::numeric) FROM jsonb_array_elements(d.doc->'b2cs') x), 0)
                  <> coalesce((SELECT sum(txval::numeric) FROM invoice.gstr1_b2cs b WHERE b.fp = d.fp), 0)
               OR coalesce((SELECT sum((x->>'camt')::numeric) FROM jsonb_array_elements(d.doc->'hsn'->'data') x), 0)
                  <> coalesce((SELECT sum(camt::numeric) FROM invoice.gstr1_hsn b WHERE b.fp = d.fp), 0)
               OR coalesce((SELECT sum((x->>'totnum')::int) FROM jsonb_array_elements(d.doc->'doc_issue'->'doc_det') k,
                                   jsonb_array_elements(k->'docs') x), 0)
                  <> coalesce((SELECT sum(totnum) FROM invoice.gstr1_doc_issue b WHERE b.fp = d.fp), 0)), 0::bigint,
          'gstr1: the document carries the views'' figures in rupees, month by month');

-- A published sample: the GST portal's offline tool JSON as GSTN's Returns Offline Tool
-- manual and resilient-tech/india-compliance (gstr_1 tests, GovDataFields) write it.  The
-- sample's keys, section by section, are the document's.
CREATE TEMP TABLE sample AS SELECT '{
  "gstin": "27AHQPA7588L1ZJ", "fp": "122017",
  "b2b": [{"ctin": "01AABCE2207R1Z5", "inv": [{"inum": "S008400", "idt": "24-11-2016", "val": 729248.16, "pos": "06",
           "rchrg": "N", "inv_typ": "R", "itms": [{"num": 1, "itm_det": {"rt": 5, "txval": 10000, "iamt": 325,
           "camt": 0, "samt": 0, "csamt": 500}}]}]}],
  "b2cl": [{"pos": "05", "inv": [{"inum": "92661", "idt": "10-01-2016", "val": 784586.33,
            "itms": [{"num": 1, "itm_det": {"rt": 5, "txval": 10000, "iamt": 325, "csamt": 500}}]}]}],
  "b2cs": [{"sply_ty": "INTER", "pos": "05", "typ": "OE", "rt": 5, "txval": 110, "iamt": 10, "camt": 0, "samt": 0, "csamt": 10}],
  "cdnr": [{"ctin": "01AAAAP1208Q1ZS", "nt": [{"ntty": "C", "nt_num": "533515", "nt_dt": "23-09-2016", "val": 123123,
            "pos": "03", "rchrg": "N", "inv_typ": "R", "itms": [{"num": 1, "itm_det": {"rt": 10, "txval": 5225.28,
            "iamt": 339.64, "camt": 0, "samt": 0, "csamt": 789.52}}]}]}],
  "hsn": {"data": [{"num": 1, "hsn_sc": "1009", "desc": "Goods Description", "uqc": "KGS", "qty": 2.05, "rt": 5,
          "val": 10.23, "txval": 10.23, "iamt": 0.51, "camt": 0, "samt": 0, "csamt": 0}]},
  "doc_issue": {"doc_det": [{"doc_num": 1, "doc_typ": "Invoices for outward supply",
                "docs": [{"num": 1, "from": "1", "to": "10", "totnum": 10, "cancel": 0, "net_issue": 10}]}]}
}'::jsonb AS doc;
CREATE FUNCTION pg_temp.key_paths(j jsonb, prefix text DEFAULT '') RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    k text;
    v jsonb;
BEGIN
    IF jsonb_typeof(j) = 'array' THEN
        FOR v IN SELECT * FROM jsonb_array_elements(j) LOOP
            RETURN QUERY SELECT pg_temp.key_paths(v, prefix);
        END LOOP;
    ELSIF jsonb_typeof(j) = 'object' THEN
        FOR k, v IN SELECT * FROM jsonb_each(j) LOOP
            RETURN NEXT prefix || k;
            RETURN QUERY SELECT pg_temp.key_paths(v, prefix || k || '.');
        END LOOP;
    END IF;
END $$;
SELECT is((SELECT array_agg(p ORDER BY p) FROM (SELECT DISTINCT pg_temp.key_paths(doc) p FROM docs) x),
          (SELECT array_agg(p ORDER BY p) FROM pg_temp.key_paths((SELECT doc FROM sample)) p),
          'gstr1: the same sections and field names, at the same places, as the published sample');
SELECT is((SELECT count(*) FROM docs d, jsonb_array_elements(d.doc->'b2b') c, jsonb_array_elements(c->'inv') v
            WHERE v->>'idt' !~ '^\d\d-\d\d-\d{4}$' OR jsonb_typeof(v->'val') <> 'number'), 0::bigint,
          'gstr1: dates dd-mm-yyyy, values numbers');

-- arguments and access
SELECT pg_temp.refused($$SELECT invoice.gstr1('29AAACI1681G1ZL', '132024')$$, '22023', 'invalid return period "132024"', 'a month 13 -> 22023');
SELECT pg_temp.refused($$SELECT invoice.gstr1('29AAACI1681G1ZL', '010000')$$, '22023', 'invalid return period "010000"', 'the year 0000 -> 22023');
SELECT pg_temp.refused($$SELECT invoice.gstr1('27AAPFU0939F1ZV', '042024')$$, '22023', 'GSTIN "27AAPFU0939F1ZV" is not the supplier''s', 'another GSTIN -> 22023');
SELECT pg_temp.refused($$SELECT invoice.gstr1(NULL, '042024')$$, '22004', NULL, 'NULL GSTIN -> 22004');
UPDATE invoice.supplier SET gstin = NULL;
SELECT pg_temp.refused($$SELECT invoice.gstr1('29AAACI1681G1ZL', '042024')$$, '55000', 'the supplier has no GSTIN', 'a supplier without GSTIN -> 55000');

SELECT * FROM finish();
ROLLBACK;
