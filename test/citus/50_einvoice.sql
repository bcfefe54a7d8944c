-- Citus (issue #17): GSTIN kinds, Describe's gst object and the e-invoice through the
-- coordinator, for organisations on both workers.
--
--   - gstin_kind and the gstin domain on distributed rows (a UIN holder's organisation);
--   - Describe's gst object: the UIN holder's place of supply (its state), CGST + SGST or IGST;
--   - invoice_einvoice_json reads the invoice, its organisation, its lines and the supplier
--     (a reference table) by the organisation's key: router queries to one node;
--   - invoice_einvoice_record writes invoice.einvoices (distributed, colocated with the
--     invoice): idempotent, IV021 on another answer, IV020 for a draft.
\set ON_ERROR_STOP 1
\ir include/setup.sql
SET TimeZone = 'UTC';
SELECT plan(12);

DELETE FROM invoice.number_series WHERE series = 'CEI';
-- The supplier is a reference table whose trigger cannot run on Citus yet (README "Scale-out
-- with Citus", "Limits"): it is written here with triggers off, on every node, before any GST
-- draft exists.
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL session_replication_role = replica;
DELETE FROM invoice.supplier;
INSERT INTO invoice.supplier (legal_name, address, email, gstin, state_code, city, pincode)
VALUES ('Nimbus Cloud Services Private Limited', '80 Feet Road, Koramangala', 'billing@nimbus.example',
        '29AAACI1681G1ZL', '29', 'Bengaluru', '560034');
COMMIT;
INSERT INTO invoice.orgs (org_id, name, billing_address, gstin, billing_city, billing_pincode)
SELECT 'ce-' || g, 'Citus e-invoice ' || g, 'Block ' || g,
       CASE WHEN g % 2 = 0 THEN '0717UNO00157UNO' ELSE '29AAHCR6226R1ZJ' END, 'Bengaluru', '560025'
  FROM generate_series(1, 4) g;
SELECT is(pg_temp.value($$SELECT count(DISTINCT nodeport) FROM pg_dist_shard_placement p
            WHERE p.shardid IN (SELECT get_shard_id_for_distribution_column('invoice.orgs', 'ce-' || g)
                                  FROM generate_series(1, 4) g)$$), '2',
          'the four organisations live on both workers');
SELECT is(pg_temp.value($$SELECT string_agg(invoice.gstin_kind(gstin), ',' ORDER BY org_id) FROM invoice.orgs WHERE org_id LIKE 'ce-%'$$),
          'normal,uin,normal,uin', 'gstin_kind over distributed rows: normal GSTINs and UINs');
SELECT pg_temp.refused($$UPDATE invoice.orgs SET gstin = '0717UNO00157UNX' WHERE org_id = 'ce-2'$$, '22P02', NULL,
                       'the gstin domain refuses a UIN with a wrong check character on a shard (22P02)');

INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, currency, gst, tax_rate)
SELECT 'ce-' || g, 'ce-inv-' || g, 'CEI', '2025-09-01', '2025-10-01', '2025-10-15 10:00', 'INR', true, 18
  FROM generate_series(1, 4) g;
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac)
SELECT org_id, id, 'Managed hosting', '1000.00', '998315' FROM invoice.invoices WHERE org_id LIKE 'ce-%';

SELECT is(pg_temp.issue_all(ARRAY['ce-inv-1', 'ce-inv-2', 'ce-inv-3']), 'CEI/2526/000001,CEI/2526/000002,CEI/2526/000003',
          'three GST invoices issued through the coordinator (ce-inv-4 stays a draft)');

SELECT is(pg_temp.value($$SELECT (invoice.invoice_describe('ce-inv-2')::jsonb #> '{data,gst}') - 'rates'$$)::jsonb,
          '{"placeOfSupply": "07", "intraState": false, "supplierGstin": "29AAACI1681G1ZL", "recipientGstin": "0717UNO00157UNO",
            "recipientKind": "uin", "reverseCharge": false, "roundOff": 0}'::jsonb,
          'Describe''s gst object: the Delhi UIN holder, IGST');
SELECT is(pg_temp.value($$SELECT invoice.invoice_describe('ce-inv-1')::jsonb #> '{data,gst,rates}'$$)::jsonb,
          '[{"rate": 18, "taxableValue": 100000, "cgst": 9000, "sgst": 9000, "igst": 0, "tax": 18000}]'::jsonb,
          '... and a Karnataka customer: CGST 90.00 + SGST 90.00');

SELECT is(pg_temp.value($$SELECT invoice.invoice_einvoice_json('ce-inv-2')::jsonb -> 'ValDtls'$$)::jsonb,
          '{"AssVal": 1000.00, "CgstVal": 0, "SgstVal": 0, "IgstVal": 180.00, "RndOffAmt": 0, "TotInvVal": 1180.00}'::jsonb,
          'invoice_einvoice_json through the coordinator: IGST 180.00, total 1180.00');
SELECT is(pg_temp.value($$SELECT invoice.invoice_einvoice_json('ce-inv-3')::jsonb #>> '{BuyerDtls,Pos}'$$), '29',
          '... the place of supply of an organisation on the other worker');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_json('ce-inv-4')$$, 'IV020', NULL, 'a draft: IV020');

SELECT is(pg_temp.value($$SELECT (e.invoice_id, e.ack_no)::text
                            FROM invoice.invoice_einvoice_record('ce-inv-2', repeat('ab', 32), 1125100001, '2025-10-20 10:00+00',
                                                                 'aGVhZA.cGF5bG9hZA.c2ln') e$$),
          '(ce-inv-2,1125100001)', 'invoice_einvoice_record writes the IRP''s answer on the organisation''s node');
SELECT is(pg_temp.value($$SELECT (e.irn = repeat('ab', 32))::text
                            FROM invoice.invoice_einvoice_record('ce-inv-2', repeat('ab', 32), 1125100001, '2025-10-20 10:00+00',
                                                                 'aGVhZA.cGF5bG9hZA.c2ln') e$$), 'true',
          '... the same answer again: the row unchanged');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_record('ce-inv-2', repeat('cd', 32), 1125100002, '2025-10-20 10:00+00',
                                                               'aGVhZA.cGF5bG9hZA.c2ln')$$, 'IV021', NULL,
                       '... another answer for the same invoice: IV021');

SELECT * FROM finish();
