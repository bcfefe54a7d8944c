-- Citus (issue #17): tax rounding per line or per invoice and round-off to the rupee, on the
-- organisations' nodes.  The invoices carry their own settings (the supplier is a reference
-- table whose changes are not on Citus yet).
--
--   - the recompute on the node follows each draft's tax rounding: the issue's second
--     example, two lines of 0.55 at 10 %, gives 0.12 per line and 0.11 per invoice;
--   - changing a draft's rounding recomputes it (the invoices' statement trigger on the shard);
--   - round-off: 1.10 + 0.11 = 1.21 rounds to 1.00 (round_off −0.21), and amount_due follows;
--   - invoice_issue fixes both settings, invoice_pay settles the rounded total, an issued
--     invoice's rounding is frozen (IV002); Describe shows roundOff;
--   - line credit notes (credit notes are not on Citus yet): TODO tests.
\set ON_ERROR_STOP 1
\ir include/setup.sql
SET TimeZone = 'UTC';
SELECT plan(16);

INSERT INTO invoice.orgs (org_id, name) SELECT 'crd-' || g, 'Citus rounding ' || g FROM generate_series(1, 4) g;
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, currency, tax_rate, tax_rounding)
SELECT 'crd-' || g, 'crd-inv-' || g, 'CTR', '2024-01-01', '2024-02-01', '2024-02-01', 'INR', 10,
       CASE WHEN g % 2 = 0 THEN 'invoice' ELSE 'line' END
  FROM generate_series(1, 4) g;
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
SELECT org_id, id, 'small ' || k, '0.55' FROM invoice.invoices, generate_series(1, 2) k WHERE org_id LIKE 'crd-%';

SELECT is(pg_temp.value($$SELECT string_agg(id || ':' || tax, ' ' ORDER BY id) FROM invoice.invoices WHERE org_id LIKE 'crd-%'$$),
          'crd-inv-1:0.12 crd-inv-2:0.11 crd-inv-3:0.12 crd-inv-4:0.11',
          'lines of 0.55 at 10 % on both workers: 0.06 + 0.06 per line, round(0.11) per invoice');
UPDATE invoice.invoices SET tax_rounding = 'invoice' WHERE org_id = 'crd-1' AND id = 'crd-inv-1';
SELECT is(pg_temp.value($$SELECT tax FROM invoice.invoices WHERE org_id = 'crd-1'$$), '0.11',
          'a draft switched to invoice rounding is recomputed on its node: 0.11');
UPDATE invoice.invoices SET total_rounding = 'rupee' WHERE org_id IN ('crd-1', 'crd-2');
SELECT is(pg_temp.value($$SELECT string_agg(concat_ws('/', id, round_off, total, amount_due), ' ' ORDER BY id)
                          FROM invoice.invoices WHERE org_id IN ('crd-1', 'crd-2')$$),
          'crd-inv-1/-0.21/1.00/1.00 crd-inv-2/-0.21/1.00/1.00',
          'round-off to the rupee, many organisations in one statement: 1.21 → 1.00, round_off −0.21');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET total_rounding = 'rupee', currency = 'USD' WHERE org_id = 'crd-3'$$,
                       '23514', NULL, 'round-off on a USD invoice -> 23514');

SELECT is(pg_temp.value($$SELECT concat_ws('/', tax_rounding, total_rounding, total) FROM invoice.invoice_issue('crd-inv-1')$$),
          'invoice/rupee/1.00', 'invoice_issue through the coordinator keeps the settings and the rounded total');
SELECT is(pg_temp.value($$SELECT concat_ws('/', tax_rounding, total_rounding) FROM invoice.invoice_issue('crd-inv-3')$$),
          'line/none', 'an invoice without round-off: issue fixes none (no supplier row: line and none)');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET tax_rounding = 'line' WHERE org_id = 'crd-1'$$, 'IV002', NULL,
                       'an issued invoice''s tax rounding is frozen -> IV002');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('crd-inv-1', '1.21', 'upi', 'crd-pay-over')$$, 'IV003', NULL,
                       'paying the unrounded 1.21 -> IV003');
SELECT is(pg_temp.value($$SELECT amount FROM invoice.invoice_pay('crd-inv-1', '1.00', 'upi', 'crd-pay-1')$$), '1.00',
          'invoice_pay of the rounded 1.00 on the node ...');
SELECT is(pg_temp.value($$SELECT status FROM invoice.invoices WHERE org_id = 'crd-1'$$), 'paid', '... settles it');
SELECT is(pg_temp.value($$SELECT invoice.invoice_describe('crd-inv-1')::jsonb #>> '{data,roundOff}'$$), '-21',
          'invoice_describe through the coordinator: roundOff −21 cents');

-- A line credit on a draft note, checked and filled in by the trigger on its node.
INSERT INTO invoice.credit_notes (org_id, credit_note_id, invoice_id, reason) VALUES ('crd-3', 'crd-cn-3', 'crd-inv-3', 'other');
SELECT lives_ok(format($$INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, line_id) VALUES ('crd-3', 'crd-cn-3', %s)$$,
                       pg_temp.value($$SELECT min(line_id) FROM invoice.line_items WHERE org_id = 'crd-3'$$)),
                'a line credit through the coordinator');
SELECT is(pg_temp.value($$SELECT concat_ws('/', description, tax_rate, amount IS NULL) FROM invoice.credit_note_lines
                          WHERE org_id = 'crd-3'$$), 'small 1/10/t',
          '... takes its line''s description and rate on the node; its taxable amount waits for issue');
SELECT pg_temp.refused(format($$INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, line_id) VALUES ('crd-3', 'crd-cn-3', %s)$$,
                              pg_temp.value($$SELECT min(line_id) FROM invoice.line_items WHERE org_id = 'crd-4'$$)),
                       '22023', NULL, 'a line of another invoice -> 22023');

-- Credit notes through the coordinator (the number taken there, the work on the node).
SELECT lives_ok($$SELECT invoice.credit_note_create('crd-inv-3', 'other')$$, 'credit_note_create through the coordinator');
SELECT lives_ok($$SELECT invoice.credit_note_issue('crd-cn-3')$$, 'credit_note_issue through the coordinator');

SELECT * FROM finish();
