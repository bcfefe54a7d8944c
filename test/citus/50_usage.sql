-- Citus (issue #15): usage billing on a cluster.  The price book (products, prices) is made
-- of reference tables; usage_records, org_prices and usage_invoices are distributed by
-- org_id with the rest of an organisation's data.
--
--   - usage loaded by COPY through the coordinator into both workers' shards, checked by the
--     trigger on the shards (the organisation and product looked up on the node); a re-sent
--     batch changes nothing, a changed record is refused (IV011), an unknown organisation
--     (23503);
--   - invoice_generate for one organisation runs on its node: its draft, lines rated at the
--     book's and at a negotiated price; re-running it makes nothing;
--   - invoice_generate for every organisation, once per shard group (each node its own shards);
--   - the draft is issued with invoice_issue;
--   - the records are not rewritten: each invoice lists the load batches it billed, and
--     usage_record_invoices finds every record's invoice through the coordinator; a late
--     record goes on the next period's invoice;
--   - billing days (usage_billing_days, distributed): invoice_generate_due generates the
--     organisations of a billing day, each on its node;
--   - usage_summary, usage_summary_rows and usage_summary_pdf through the coordinator.
\set ON_ERROR_STOP 1
\ir include/setup.sql
SET TimeZone = 'UTC';
SELECT plan(20);

SELECT is(pg_temp.value($$SELECT string_agg(logicalrelid::text || ':' || partmethod::text, ' ' ORDER BY logicalrelid::text)
                          FROM pg_dist_partition
                         WHERE logicalrelid IN ('invoice.products'::regclass, 'invoice.prices'::regclass,
                                                'invoice.org_prices'::regclass, 'invoice.usage_records'::regclass,
                                                'invoice.usage_invoices'::regclass, 'invoice.usage_billing_days'::regclass)$$),
          'org_prices:h prices:n products:n usage_billing_days:h usage_invoices:h usage_records:h',
          'the price book is reference tables, usage and negotiated prices are distributed');

INSERT INTO invoice.orgs (org_id, name) SELECT 'cu-' || g, 'Citus usage ' || g FROM generate_series(1, 6) g;
INSERT INTO invoice.products (product_id, product_group, product_line, product_name, region, usage_type, unit, currency)
VALUES ('cu-egress', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'GB', 'USD');
INSERT INTO invoice.prices (product_id, effective_from, model, tier_up_to, tier_rate)
VALUES ('cu-egress', '2024-01-01', 'graduated', '{1000,NULL}', '{0.09,0.05}');
INSERT INTO invoice.org_prices (org_id, product_id, effective_from, model, rate)
VALUES ('cu-2', 'cu-egress', '2024-01-01', 'per_unit', 0.02);

SELECT is(pg_temp.value($$SELECT count(DISTINCT nodeport) FROM pg_dist_shard_placement p
            WHERE p.shardid IN (SELECT get_shard_id_for_distribution_column('invoice.orgs', 'cu-' || g)
                                  FROM generate_series(1, 6) g)$$), '2',
          'the six organisations live on both workers');

CREATE TEMP TABLE batch (LIKE invoice.usage_records);
ALTER TABLE batch ALTER COLUMN load_batch DROP NOT NULL;    -- the trigger of usage_records sets it
INSERT INTO batch (org_id, idempotency_key, product_group, product_line, product_name, region, usage_type,
                   resource_type, resource_name, quantity, usage_start, usage_end)
SELECT 'cu-' || g, 'k-' || k, 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'vm', 'vm-' || g, 300,
       '2024-01-01'::timestamptz + k * interval '1 day', '2024-01-01'::timestamptz + k * interval '1 day'
  FROM generate_series(1, 6) g, generate_series(1, 4) k;
\copy (SELECT * FROM batch) TO '/tmp/invoice_citus_usage.tsv'
\copy invoice.usage_records FROM '/tmp/invoice_citus_usage.tsv'
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.usage_records WHERE org_id LIKE 'cu-%'$$), '24',
          'COPY through the coordinator: 24 records on the shards');
\copy invoice.usage_records FROM '/tmp/invoice_citus_usage.tsv'
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.usage_records WHERE org_id LIKE 'cu-%'$$), '24',
          'the same batch again: nothing changes');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records VALUES ('cu-3', 'k-1', 'Network', 'Bandwidth', 'Egress', NULL, 'GB',
                         'vm', 'vm-3', 301, '2024-01-02', '2024-01-02')$$, 'IV011', NULL,
                       'a changed record: IV011, from the trigger on the shard');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records VALUES ('cu-none', 'k-1', 'Network', 'Bandwidth', 'Egress', NULL, 'GB',
                         'vm', 'vm-3', 1, '2024-01-02', '2024-01-02')$$, '23503', NULL,
                       'an unknown organisation: 23503');

SELECT is(pg_temp.value($$SELECT invoice.invoice_generate('2024-01-01', '2024-02-01', 'cu-1')$$), '1',
          'invoice_generate for one organisation, on its node: one draft');
SELECT is(pg_temp.value($$SELECT string_agg(units || ' ' || rate || ' ' || amount, ', ') FROM invoice.line_items WHERE org_id = 'cu-1'$$),
          '1200 0.083333333333 100.00', '... 1000 × 0.09 + 200 × 0.05, the bound inside the fourth record');
SELECT is(pg_temp.value($$SELECT invoice.invoice_generate('2024-01-01', '2024-02-01', 'cu-1')$$), '0', '... re-run: nothing');
SELECT is(pg_temp.value($$SELECT invoice.invoice_generate('2024-01-01', '2024-02-01')$$), '5',
          'invoice_generate for every organisation: the other five, each on its node');
SELECT is(pg_temp.value($$SELECT string_agg(org_id || ' ' || usage_amount, ', ' ORDER BY org_id) FROM invoice.invoices
                          WHERE org_id IN ('cu-1', 'cu-2')$$),
          'cu-1 100.00, cu-2 24.00', '... cu-2 at its negotiated 0.02 per GB');
SELECT is(pg_temp.value($$SELECT count(*) FILTER (WHERE invoice_id IS NOT NULL) || '/' || count(*) FROM invoice.usage_record_invoices
                          WHERE org_id LIKE 'cu-%'$$), '24/24',
          'usage_record_invoices through the coordinator: every record billed, records not rewritten');
SELECT is(pg_temp.value($$SELECT string_agg(DISTINCT cardinality(load_batches)::text, ',') FROM invoice.usage_invoices
                          WHERE org_id LIKE 'cu-%'$$), '1', '... each invoice lists the one load batch it billed');
INSERT INTO invoice.usage_records VALUES ('cu-3', 'k-late', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'vm', 'vm-3', 10,
                                          '2024-01-20', '2024-01-20');
SELECT is(pg_temp.value($$SELECT invoice.invoice_generate('2024-02-01', '2024-03-01')$$), '1',
          'a late January record: on cu-3''s February invoice');
SELECT id AS cu2_invoice FROM invoice.invoices WHERE org_id = 'cu-2' \gset
SELECT is(pg_temp.value(format('SELECT (invoice.invoice_issue(%L)).status', :'cu2_invoice')),
          'pending', 'the generated draft is issued with invoice_issue');

-- usage_summary: its rows (PL/pgSQL) are a router query Citus plans with the parameters' values.
SELECT is(pg_temp.value($$SELECT sum(s.quantity)::text FROM invoice.usage_summary_rows('cu-1', '2024-01-01', '2024-02-01') s$$),
          pg_temp.value($$SELECT sum(quantity)::text FROM invoice.usage_records
                          WHERE org_id = 'cu-1' AND usage_start >= '2024-01-01' AND usage_start < '2024-02-01'$$),
          'usage_summary_rows through the coordinator: every record of the period counted once');
SELECT cmp_ok(pg_temp.value($$SELECT json_array_length(invoice.usage_summary('cu-1', '2024-01-01', '2024-02-01') -> 'days')$$)::int,
              '>', 0, 'usage_summary through the coordinator: its days');


-- billing days: cu-5's periods start on the 15th
INSERT INTO invoice.usage_billing_days (org_id, billing_day) VALUES ('cu-5', 15);
INSERT INTO invoice.usage_records VALUES ('cu-5', 'k-feb', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'vm', 'vm-5', 10,
                                          '2024-02-10', '2024-02-10'),
                                         ('cu-6', 'k-feb', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'vm', 'vm-6', 10,
                                          '2024-02-10', '2024-02-10');
SELECT is(pg_temp.value($$SELECT invoice.invoice_generate_due('2024-02-16', '2024-02-14')$$), '1',
          'invoice_generate_due on the 16th: the organisation whose billing day is the 15th, on its node');
SELECT is(pg_temp.value($$SELECT string_agg(org_id || ' ' || to_char(period_start AT TIME ZONE 'UTC', 'MM-DD') || ' '
                                            || to_char(period_end AT TIME ZONE 'UTC', 'MM-DD'), ', ' ORDER BY org_id)
                          FROM invoice.invoices WHERE org_id IN ('cu-5', 'cu-6') AND period_start > '2024-01-01'$$),
          'cu-5 01-15 02-15', '... its period from the 15th; cu-6 (the 1st) waits for March');

INSERT INTO invoice.supplier (legal_name, address, email)
SELECT 'Citus Usage Supplier', '1 Main Road', 'accounts@supplier.example' WHERE NOT EXISTS (SELECT FROM invoice.supplier);
SELECT is(pg_temp.value($$SELECT encode(substr(invoice.usage_summary_pdf('cu-1', '2024-01-01', '2024-02-01'), 1, 5), 'escape')$$),
          '%PDF-', 'usage_summary_pdf through the coordinator');

SELECT * FROM finish();
