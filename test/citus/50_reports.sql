-- Citus (issue #16): the reports through the coordinator.
--
--   - statement(org_id, …): computed on the organisation's node (invoice_call_for_org), the
--     same balance as the documents give (entries of the period; all of them in the opening
--     balance of a later period; a top-up: the prepaid ledger's query); statement_lines over
--     it; an unknown organisation answers P0002 as on one node;
--   - the cross-organisation views are queries Citus runs over both workers: revenue and
--     collections by month, the line taxes (line_tax, a window over each invoice's lines on
--     its node) and the GSTR-1 views, exp, nil and cdnur included; their figures are checked
--     against the documents;
--   - gstr1() through the coordinator on a GST invoice of June 2025: b2cs, and the HSN table
--     in its hsn_b2c list (the split of May 2025); gstr1_b2cs (net of the b2cs invoices'
--     credit notes) runs over the workers;
--   - GST treatments (README "GST treatment"): an exempt and a non-GST line of that invoice
--     go to table 8 (gstr1_nil over the workers, gstr1()'s nil), not b2cs; the treatment's
--     CHECKs on a distributed table (line_items) and a reference table (products);
--   - TODO: receivables as of an instant, their aging and DSO are SQL functions with a
--     parameter, which Citus cannot plan over distributed tables (as invoice_list).
\set ON_ERROR_STOP 1
\ir include/setup.sql
SET TimeZone = 'UTC';
SELECT plan(27);

INSERT INTO invoice.orgs (org_id, name, payment_terms_days)
SELECT 'cr-' || g, 'Citus reports ' || g, 10 FROM generate_series(1, 6) g;
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, due_date, currency, tax_rate)
SELECT 'cr-' || g, 'cr-inv-' || g || '-' || k, 'CRP', '2024-01-01', '2024-02-01', '2024-02-01', '2024-02-11',
       CASE WHEN g % 2 = 0 THEN 'EUR' ELSE 'USD' END, 10
  FROM generate_series(1, 6) g, generate_series(1, 2) k;
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, product_group)
SELECT org_id, id, 'hosting', 10, 10, 'Compute' FROM invoice.invoices WHERE org_id LIKE 'cr-%';
SET client_min_messages = error;
CREATE FUNCTION pg_temp.issue_and_pay() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    id text;
BEGIN
    FOR id IN SELECT i.id FROM invoice.invoices i WHERE i.org_id LIKE 'cr-%' ORDER BY i.id LOOP
        PERFORM invoice.invoice_issue(id);
    END LOOP;
    FOR id IN SELECT i.id FROM invoice.invoices i WHERE i.org_id LIKE 'cr-%' AND i.id LIKE '%-1' ORDER BY i.id LOOP
        PERFORM invoice.invoice_pay(id, '40.00', 'upi', 'cr-pay-' || id);
    END LOOP;
END
$$;
-- pg_temp.try(sql): pg_temp.value(sql), or the error it raised
CREATE FUNCTION pg_temp.try(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN pg_temp.value(p_sql);
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR: ' || SQLERRM;
END
$$;
SET client_min_messages = warning;
SELECT pg_temp.issue_and_pay();
-- every invoice: 100.00 + 10 % = 110.00; the first of each organisation has 40.00 paid

SELECT is(pg_temp.value($$SELECT invoice.statement('cr-3', invoice.clock() - interval '1 day', invoice.clock() + interval '1 day')->>'closingBalance'$$),
          '18000', 'statement on the organisation''s node: 2 × 110.00 issued less 40.00 paid = 180.00');
SELECT is(pg_temp.value($$SELECT string_agg(kind, ',' ORDER BY kind) FROM invoice.statement_lines('cr-4', invoice.clock() - interval '1 day', invoice.clock() + interval '1 day')$$),
          'closing balance,invoice,invoice,opening balance,payment', 'statement_lines through the coordinator');
SELECT is(pg_temp.value($$SELECT s->>'openingBalance' || ' ' || json_array_length(s->'entries')
                           FROM invoice.statement('cr-3', invoice.clock() + interval '1 day', invoice.clock() + interval '2 days') s$$),
          '18000 0', 'statement of a later period on the node: every document in the opening balance, no entry');
SELECT is(pg_temp.value($$SELECT s->>'closingBalance' || ' ' || (SELECT string_agg(e->>'kind', ',' ORDER BY e->>'kind') FROM json_array_elements(s->'entries') e)
                           FROM (SELECT invoice.statement('cr-5', invoice.clock() - interval '1 day', invoice.clock() + interval '1 day')
                                   FROM invoice.invoice_topup('cr-5', '25.00', 'upi', 'cr-topup-5')) t(s)$$),
          '15500 invoice,invoice,payment,topup', 'statement of an organisation with a top-up on its node: 180.00 less 25.00 prepaid');
SELECT pg_temp.refused($$SELECT invoice.statement('cr-nobody', '2024-01-01', '2024-02-01')$$, 'P0002', NULL,
                       'statement of an unknown organisation -> P0002');

-- Aging and DSO: PL/pgSQL, each query planned by Citus with its parameters' values.
SELECT is(pg_temp.try($$SELECT string_agg(currency || ':' || total || ':' || invoices, ' ' ORDER BY currency)
                          FROM (SELECT currency, sum(total::numeric) AS total, sum(invoices) AS invoices
                                  FROM invoice.receivables_aging(invoice.clock() + interval '1 day')
                                 WHERE org_id LIKE 'cr-%' GROUP BY currency) a$$),
          'EUR:540.00:6 USD:540.00:6', 'receivables_aging across both workers: 3 organisations × 180.00 per currency (the other files'' organisations left out)');
SELECT is(pg_temp.try($$SELECT count(DISTINCT org_id) FROM invoice.receivables_as_of(invoice.clock() + interval '1 day') WHERE org_id LIKE 'cr-%'$$),
          '6', 'receivables_as_of: every organisation');
SELECT is(pg_temp.try($$SELECT receivables::text || '/' || credit_sales::text FROM invoice.dso(invoice.clock() - interval '1 day', invoice.clock() + interval '1 day')
                          WHERE org_id = 'cr-1'$$),
          '180.00/220.00', 'dso per organisation across the workers');
SELECT is(pg_temp.try($$SELECT string_agg(currency || ':' || issued::text, ' ' ORDER BY currency) FROM invoice.revenue_by_month
                          WHERE month = '2024-02-01' AND currency IN ('EUR', 'USD') AND product_group = 'Compute'$$),
          'EUR:600.00 USD:600.00', 'revenue_by_month across the workers');
SELECT is(pg_temp.try($$SELECT sum(amount)::text FROM invoice.collections_by_month WHERE method = 'upi' AND currency IN ('EUR', 'USD')$$),
          (SELECT sum(amount)::text FROM invoice.payments WHERE method = 'upi'), 'collections_by_month across the workers');
SELECT is(pg_temp.try($$SELECT sum(tax)::text FROM invoice.invoice_line_tax WHERE org_id LIKE 'cr-%'$$), '120.00',
          'invoice_line_tax across the workers');
SELECT lives_ok($$SELECT count(*) FROM invoice.gstr1_b2b$$, 'gstr1_b2b runs on Citus');
SELECT lives_ok($$SELECT count(*) FROM invoice.gstr1_hsn$$, 'gstr1_hsn runs on Citus');
SELECT lives_ok($$SELECT count(*) FROM invoice.gstr1_doc_issue$$, 'gstr1_doc_issue runs on Citus');
SELECT lives_ok($$SELECT count(*) FROM invoice.gstr1_cdnur$$, 'gstr1_cdnur runs on Citus');
SELECT lives_ok($$SELECT count(*) FROM invoice.gstr1_exp$$, 'gstr1_exp runs on Citus');
SELECT lives_ok($$SELECT count(*) FROM invoice.gstr1_nil$$, 'gstr1_nil runs on Citus');
SELECT lives_ok($$SELECT count(*) FROM invoice.round_off_by_month$$, 'round_off_by_month runs on Citus');
-- the credit notes' spread: per note, its invoice's lines (LATERAL on the organisation)
SELECT lives_ok($$SELECT count(*) FROM invoice.revenue_by_month WHERE month = '2024-02-01'$$,
                'revenue_by_month of one month (credit notes spread per invoice) runs on Citus');
SELECT is(pg_temp.try($$SELECT count(*) FROM invoice.gstr1_lines WHERE month = '2024-02-01' AND org_id LIKE 'cr-%'$$), '0',
          'gstr1_lines of a month across the workers (these invoices are not GST)');

SELECT lives_ok($$SELECT count(*) FROM invoice.gstr1_b2cs$$, 'gstr1_b2cs (net of credit notes) runs on Citus');
INSERT INTO invoice.orgs (org_id, name, billing_state, payment_terms_days)
SELECT 'cr-gst', 'Citus GST', s.state_code, 10 FROM invoice.supplier s;
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, due_date, currency, gst, tax_rate)
VALUES ('cr-gst', 'cr-gst-1', 'CRG', '2025-05-01', '2025-06-01', '2025-06-05', '2025-06-15', 'INR', true, 18);
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac)
VALUES ('cr-gst', 'cr-gst-1', 'hosting', '1000.00', '998315');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac, gst_treatment) VALUES
    ('cr-gst', 'cr-gst-1', 'training', '200.00', 0, '999293', 'exempt'),
    ('cr-gst', 'cr-gst-1', 'fuel', '50.00', 0, '996411', 'non_gst');
SELECT pg_temp.refused($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac, gst_treatment)
                         VALUES ('cr-gst', 'cr-gst-1', 'x', '1.00', '999293', 'exempt')$$, '23514', NULL,
                       'an exempt line without rate 0 on a distributed table: 23514');
SELECT pg_temp.refused($$INSERT INTO invoice.products (product_id, product_name, unit, currency, gst_rate, gst_treatment)
                         VALUES ('cr-x', 'X', 'hour', 'INR', 5, 'nil_rated')$$, '23514', NULL,
                       'a nil-rated product at 5 % on a reference table: 23514');
SELECT lives_ok($$SELECT invoice.invoice_issue('cr-gst-1')$$, 'a GST invoice of June 2025 issued through the coordinator');
SELECT is(pg_temp.try($$SELECT jsonb_build_array(d -> 'b2cs' -> 0 -> 'txval', d -> 'b2cs' -> 0 -> 'camt',
                                                 (SELECT jsonb_agg(k) FROM jsonb_object_keys(d -> 'hsn') k))::text
                          FROM (SELECT invoice.gstr1(s.gstin::text, '062025')::jsonb AS d FROM invoice.supplier s) x$$),
          '[1000.00, 90.00, ["hsn_b2c"]]', 'gstr1() through the coordinator: b2cs, and hsn in its hsn_b2c list');
SELECT is(pg_temp.try($$SELECT (invoice.gstr1(s.gstin::text, '062025')::jsonb -> 'nil')::text FROM invoice.supplier s$$),
          '{"inv": [{"nil_amt": 0.00, "sply_ty": "INTRAB2C", "expt_amt": 200.00, "ngsup_amt": 50.00}]}',
          'gstr1() through the coordinator: the exempt and non-GST lines in nil');
SELECT is(pg_temp.try($$SELECT string_agg(format('%s %s %s %s', sply_ty, nil_amt, expt_amt, ngsup_amt), '; ')
                          FROM invoice.gstr1_nil WHERE fp = '062025'$$),
          'INTRAB2C 0.00 200.00 50.00', 'gstr1_nil across the workers');

SELECT * FROM finish();
