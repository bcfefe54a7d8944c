-- Citus (issue #14): the reads of one organisation and the batch jobs, through the
-- coordinator, with the answers one node gives.
--
--   - invoice_list (pages, search, status), invoice_csv and api_get's list run on the
--     organisation's node: the same documents, in the same order, as on one node; the call
--     the coordinator sends is a router query (Task Count: 1);
--   - Billing v3: the list with its signed cursors (signed on the coordinator), and one invoice
--     found by its id alone; PDFs and ZIPs;
--   - search_rebuild of one organisation and of all; invoice_topup (idempotent on its
--     reference) and credit notes, numbered on the coordinator;
--   - the billing day (invoice_compute_period, invoice_issue_period: numbers gapless across
--     organisations on both workers), the overdue sweep (each node its own shards), a change
--     of the supplier (each node recomputes its own GST drafts).
-- Each call in a transaction of its own, as an application makes them (the rows stay: run it
-- in a database you can spare, README "Scale-out with Citus").
\set ON_ERROR_STOP 1
\ir include/setup.sql
SET TimeZone = 'UTC';
SELECT plan(43);

SET invoice.test_clock = '2024-06-15 10:00:00+00';   -- the coordinator's clock: numbers, receipts, notes
INSERT INTO invoice.supplier (legal_name, address, email, gstin, state_code)
SELECT 'Citus Supplier', 'Bengaluru', 'billing@example.com', '29AAACI1681G1ZL', '29'
 WHERE NOT EXISTS (SELECT FROM invoice.supplier);
DELETE FROM invoice.number_series WHERE series IN ('CRD', 'CRB');
INSERT INTO invoice.orgs (org_id, name, payment_terms_days)
SELECT 'rb-' || g, 'Citus reads ' || g, 10 FROM generate_series(1, 6) g;
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, tax_rate, description)
SELECT 'rb-' || g, 'rb-inv-' || g || '-' || k, 'CRD',
       timestamptz '2024-01-01' + (k - 1) * interval '1 month', timestamptz '2024-01-01' + k * interval '1 month',
       timestamptz '2024-01-01' + k * interval '1 month', 18, 'storage month ' || k
  FROM generate_series(1, 6) g, generate_series(1, 5) k;
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
SELECT org_id, id, 'hosting for ' || id, 10, 12.5 FROM invoice.invoices WHERE org_id LIKE 'rb-%';

-- The list, on the organisation's node
SELECT is(pg_temp.value($$SELECT array_agg(e ->> 'id')::text
                          FROM json_array_elements(invoice.invoice_list('rb-2', 1, 2) -> 'data' -> 'invoices') e$$),
          '{rb-inv-2-5,rb-inv-2-4}', 'invoice_list page 1: newest invoice date first');
SELECT is(pg_temp.value($$SELECT (invoice.invoice_list('rb-2', 2, 2) -> 'data')::jsonb - 'invoices'$$),
          '{"count": 5, "pageSize": 2, "currentPage": 2}', '... page 2: the count of the organisation''s invoices only');
SELECT is(pg_temp.value($$SELECT array_agg(e ->> 'id')::text
                          FROM json_array_elements(invoice.invoice_list('rb-2', 2, 2) -> 'data' -> 'invoices') e$$),
          '{rb-inv-2-3,rb-inv-2-2}', '... page 2: the next two');
SELECT is(pg_temp.value($$SELECT array_agg(e ->> 'id')::text
                          FROM json_array_elements(invoice.invoice_list('rb-3', search => 'MONTH 4') -> 'data' -> 'invoices') e$$),
          '{rb-inv-3-4}', 'search: the term in the description, read from the node''s signatures');
SELECT is(pg_temp.value($$SELECT array_agg(e ->> 'id')::text
                          FROM json_array_elements(invoice.invoice_list('rb-3', search => 'hosting for rb-inv-3-2') -> 'data' -> 'invoices') e$$),
          '{rb-inv-3-2}', 'search: the term in a line''s description');
SELECT is(pg_temp.value($$SELECT invoice.invoice_list('rb-3', status => 'paid') -> 'data' ->> 'count'$$), '0',
          'status filter: none is paid');
SELECT is(pg_temp.value($$SELECT invoice.invoice_list('rb-no-such-org') -> 'data' ->> 'count'$$), '0',
          'an organisation that does not exist: an empty list');
SELECT is(pg_temp.value($$SELECT invoice.api_get('/v2/invoices', '{"orgId": "rb-4", "pageSize": 3}')::jsonb #>> '{data,count}'$$),
          '5', 'api_get GET /v2/invoices through the coordinator');
SELECT is(pg_temp.value($$SELECT array_agg(c.id ORDER BY c.id)::text FROM invoice.invoice_csv('rb-5', search => 'month') c$$),
          '{rb-inv-5-1,rb-inv-5-2,rb-inv-5-3,rb-inv-5-4,rb-inv-5-5}', 'invoice_csv: the rows of the organisation''s node');
SELECT is(pg_temp.value($$SELECT array_agg(c::text ORDER BY c.id)::text FROM invoice.invoice_csv('rb-5') c$$),
          pg_temp.value($$SELECT array_agg(c::text ORDER BY c.id)::text FROM invoice.invoice_csv c WHERE c.org_id = 'rb-5'$$),
          '... column for column the view invoice_csv''s rows');
SELECT matches(pg_temp.plan_of($$SELECT invoice.invoice_list(o.org_id, 1, 10, NULL, NULL, NULL, NULL)
                                   FROM invoice.orgs o WHERE o.org_id = 'rb-1'$$),
               'Task Count: 1\n', 'the call the coordinator sends on is a router query (Task Count: 1)');

-- Billing v3, documents
SELECT pg_temp.value($$SELECT count(invoice.invoice_issue(id)) FROM unnest(ARRAY['rb-inv-1-1', 'rb-inv-1-2', 'rb-inv-1-3']) id$$);
SELECT is(pg_temp.value($$SELECT json_array_length(invoice.billing_v3_invoices('rb-1', "limit" => 2) -> 'invoices')$$), '2',
          'billing_v3_invoices: a page of two of the three issued invoices');
SELECT is(pg_temp.value($$SELECT array_agg(e ->> 'invoice_id')::text
                          FROM json_array_elements(invoice.billing_v3_invoices('rb-1', "limit" => 2,
                                 cursor => invoice.billing_v3_invoices('rb-1', "limit" => 2) #>> '{meta,next_cursor}') -> 'invoices') e$$),
          '{rb-inv-1-3}', '... its cursor (signed on the coordinator) gives the third');
SELECT is(pg_temp.value($$SELECT invoice.billing_v3_invoices('rb-1') #>> '{meta,total}'$$), '3', '... total 3');
SELECT is(pg_temp.value($$SELECT invoice.billing_v3_invoice('rb-inv-1-2') ->> 'monthly_transaction_amount'$$), '147.50',
          'billing_v3_invoice(id): found by id alone across the shards');
SELECT pg_temp.refused($$SELECT invoice.billing_v3_invoice('rb-inv-1-4')$$, 'P0002', NULL,
                       'billing_v3_invoice of a draft: P0002');
SELECT is(pg_temp.value($$SELECT substr(invoice.invoice_pdf('rb-inv-1-1'), 1, 5)$$), '\x255044462d', 'invoice_pdf: a PDF');
SELECT is(pg_temp.value($$SELECT substr(invoice.invoice_pdf_zip(ARRAY['rb-inv-1-1', 'rb-inv-1-2']), 1, 2)$$), '\x504b',
          'invoice_pdf_zip: a ZIP');

-- Search signatures, top-ups, credit notes
SELECT is(pg_temp.value($$SELECT invoice.search_rebuild('rb-6')$$), '5', 'search_rebuild(org): on its node');
SELECT is(pg_temp.value($$SELECT invoice.search_rebuild()$$), pg_temp.value($$SELECT count(*) FROM invoice.invoices$$),
          'search_rebuild(): every invoice, each node its own shards');
SELECT is(pg_temp.value($$SELECT (invoice.invoice_topup('rb-2', '100.00', 'upi', 'rb-ref-1')).number$$), 'RCT/2425/000001',
          'invoice_topup: a numbered receipt');
SELECT is(pg_temp.value($$SELECT (invoice.invoice_topup('rb-2', '100.00', 'upi', 'rb-ref-1')).number$$),
          'RCT/2425/000001', '... the same reference again: the same receipt');
SELECT is(pg_temp.value($$SELECT advance_balance FROM invoice.orgs WHERE org_id = 'rb-2'$$), '100.00',
          '... credited once: the balance, kept by the ledger''s trigger on the node');
SELECT is(pg_temp.value($$SELECT (invoice.credit_note_create('rb-inv-1-1', 'other', 'goodwill')).status::text$$),
          'draft', 'credit_note_create on an issued invoice: a draft note');
INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount)
SELECT n.org_id, n.credit_note_id, 'goodwill', '10.00' FROM invoice.credit_notes n WHERE n.org_id = 'rb-1';
SELECT credit_note_id AS cr_note FROM invoice.credit_notes WHERE org_id = 'rb-1' \gset
SELECT matches(pg_temp.value(format($$SELECT (invoice.credit_note_issue(%L, '2024-06-15')).number$$, :'cr_note')),
               '^CN/2425/[0-9]{6}$', 'credit_note_issue: numbered on the coordinator, issued on the node');
SELECT is(pg_temp.value($$SELECT (status, total::numeric, to_balance::numeric)::text FROM invoice.credit_notes WHERE org_id = 'rb-1'$$),
          '(issued,11.80,0.00)', '... its amounts computed on the node (10.00 + 18 % tax, nothing to the balance)');
SELECT is(pg_temp.value($$SELECT amount_due::numeric FROM invoice.invoices WHERE org_id = 'rb-1' AND id = 'rb-inv-1-1'$$),
          '135.70', '... and its invoice recomputed there: 147.50 − 11.80 due');

-- The other documents
SELECT receipt_id AS rb_receipt FROM invoice.receipts WHERE org_id = 'rb-2' \gset
SELECT is(pg_temp.value(format($$SELECT substr(invoice.credit_note_pdf(%L), 1, 5)$$, :'cr_note')), '\x255044462d',
          'credit_note_pdf through the coordinator: a PDF');
SELECT is(pg_temp.value(format($$SELECT substr(invoice.receipt_pdf('rb-2', %s), 1, 5)$$, :'rb_receipt')), '\x255044462d',
          'receipt_pdf through the coordinator: a PDF');
SELECT is(pg_temp.value($$SELECT substr(invoice.statement_pdf('rb-1', '2024-01-01', '2024-07-01', 'USD'), 1, 5)$$),
          '\x255044462d', 'statement_pdf through the coordinator: a PDF');
SELECT is(pg_temp.value($$SELECT invoice.api_get('/v2/statements', '{"orgId": "rb-1", "periodFrom": "2024-01-01T00:00:00Z", "periodTo": "2024-07-01T00:00:00Z", "currency": "USD"}')::jsonb ->> 'code'$$),
          '0', 'api_get GET /v2/statements through the coordinator');

SELECT is(pg_temp.value($$SELECT invoice.gstr1(s.gstin::text, '062024')::jsonb ->> 'fp' FROM invoice.supplier s$$),
          '062024', 'gstr1() through the coordinator: the return of the supplier''s GSTIN for a period');

-- Billing day and sweep
SELECT is(pg_temp.value($$SELECT invoice.invoice_compute_period('2024-01-01', '2024-03-01')$$), '0',
          'invoice_compute_period: nothing to change (every amount already right)');
SELECT is(pg_temp.value($$SELECT invoice.invoice_issue_period('2024-03-01', '2024-05-01')$$), '11',
          'invoice_issue_period: the drafts of March and April of six organisations (rb-1''s March was issued)');
SELECT is(pg_temp.value($$SELECT string_agg(split_part(number, '/', 3), ',' ORDER BY number) FROM invoice.invoices
                          WHERE series = 'CRD' AND number LIKE 'CRD/2324/%'$$),
          '000001,000002', '... FY 2023-24: rb-1''s invoices of 1 February and 1 March');
SELECT is(pg_temp.value($$SELECT string_agg(split_part(number, '/', 3), ',' ORDER BY number) FROM invoice.invoices
                          WHERE series = 'CRD' AND number LIKE 'CRD/2425/%'$$),
          '000001,000002,000003,000004,000005,000006,000007,000008,000009,000010,000011,000012',
          '... FY 2024-25: rb-1''s of 1 April, then the eleven of the billing day, gapless across both workers');
SELECT is(pg_temp.value($$SELECT (invoice.invoice_dispute('rb-inv-4-4', 'usage counted twice')).dispute_status$$), 'open',
          'invoice_dispute through the coordinator: the dispute is open');
SELECT count(*) AS cr_due FROM invoice.invoices
 WHERE status = 'pending' AND due_date < '2024-06-01' AND dispute_status IS DISTINCT FROM 'open' \gset
SELECT is(pg_temp.value($$SELECT invoice.invoice_sweep_overdue('2024-06-01')$$), :'cr_due',
          'invoice_sweep_overdue: every pending invoice due before as_of, on every node');
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.status_history h JOIN invoice.invoices i
                          ON i.org_id = h.org_id AND i.id = h.invoice_id
                          WHERE i.org_id LIKE 'rb-%' AND h.to_status = 'overdue'$$),
          pg_temp.value($$SELECT count(*) FROM invoice.invoices WHERE org_id LIKE 'rb-%' AND status = 'overdue'$$),
          '... one history row each');
SELECT is(pg_temp.value($$SELECT status::text FROM invoice.invoices WHERE org_id = 'rb-4' AND id = 'rb-inv-4-4'$$), 'pending',
          '... the disputed invoice was left pending');
SELECT is(pg_temp.value($$SELECT (invoice.invoice_dispute_reject('rb-inv-4-4')).dispute_status || ' '
                          || invoice.invoice_sweep_overdue('2024-06-01')$$), 'rejected 1',
          'invoice_dispute_reject: the next sweep moves it');
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.invoices i
                          WHERE org_id LIKE 'rb-%' AND id <> 'rb-inv-1-1'
                            AND (i.usage_amount::numeric, i.total::numeric,
                                 i.amount_due::numeric + i.advance_pay_amount::numeric)
                                IS DISTINCT FROM (125.00, 147.50, 147.50)$$),
          '0', 'every amount equals a fresh computation: 10 × 12.50 + 18 % = 147.50, due or paid from the advance');
SELECT is(pg_temp.value($$SELECT sum(advance_pay_amount::numeric) FROM invoice.invoices WHERE org_id = 'rb-2'$$), '100.00',
          '... rb-2''s top-up applied once, on its node, at issue');

SELECT * FROM finish();
