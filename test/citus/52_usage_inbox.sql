-- Citus (issue #15): the usage inbox on a cluster.  usage_inbox is distributed by org_id,
-- colocated with orgs; usage_ingest(org) runs on the organisation's node (a router query to
-- the node of its inbox shard); usage_ingest() runs once per shard of the inbox that holds
-- rows waiting, each on its node.
--
--   - COPY through the coordinator into the inbox's shards on both workers;
--   - usage_ingest for one organisation: a router query, that organisation's records only;
--   - usage_ingest for all: the rest, each shard on its node; an unknown organisation's row
--     parked with its reason; usage_unrated through the coordinator lists the parked rows and a
--     record no price covers;
--   - a re-sent batch through the inbox changes nothing; other values are parked;
--   - a generation ingests first: usage only sent to the inbox is billed;
--   - members: an owner sends (INSERT) and ingests its organisation's usage, not another's.
\set ON_ERROR_STOP 1
\ir include/setup.sql
SET TimeZone = 'UTC';
SELECT plan(17);

SELECT is(pg_temp.value($$SELECT partmethod::text || ' ' || (colocationid = (SELECT colocationid FROM pg_dist_partition
                                                                      WHERE logicalrelid = 'invoice.orgs'::regclass))
                          FROM pg_dist_partition WHERE logicalrelid = 'invoice.usage_inbox'::regclass$$),
          'h true', 'usage_inbox is distributed, colocated with orgs');

INSERT INTO invoice.orgs (org_id, name) SELECT 'ci-' || g, 'Citus inbox ' || g FROM generate_series(1, 6) g;
INSERT INTO invoice.products (product_id, product_group, product_line, product_name, region, usage_type, unit, currency)
VALUES ('ci-egress', 'Network', 'Bandwidth', 'Ingress', NULL, 'GB', 'GB', 'USD');
INSERT INTO invoice.prices (product_id, effective_from, model, rate)
VALUES ('ci-egress', '2024-01-01', 'per_unit', 0.1);

CREATE TEMP TABLE sent (LIKE invoice.usage_inbox);
INSERT INTO sent (org_id, idempotency_key, product_group, product_line, product_name, usage_type,
                  resource_type, resource_name, quantity, usage_start, usage_end)
SELECT 'ci-' || g, 'k-' || k, 'Network', 'Bandwidth', 'Ingress', 'GB', 'vm', 'vm-' || g, 100,
       '2024-01-01'::timestamptz + k * interval '1 day', '2024-01-01'::timestamptz + k * interval '1 day'
  FROM generate_series(1, 6) g, generate_series(1, 4) k;
\copy (SELECT org_id, idempotency_key, product_group, product_line, product_name, region, usage_type, resource_type, resource_name, quantity, usage_start, usage_end FROM sent) TO '/tmp/invoice_citus_inbox.tsv'
\copy invoice.usage_inbox (org_id, idempotency_key, product_group, product_line, product_name, region, usage_type, resource_type, resource_name, quantity, usage_start, usage_end) FROM '/tmp/invoice_citus_inbox.tsv'
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.usage_inbox WHERE org_id LIKE 'ci-%'$$), '24',
          'COPY through the coordinator: 24 rows in the inbox''s shards');

SELECT alike(pg_temp.plan_of($$SELECT invoice.usage_ingest_on_node(i.org_id, true) FROM invoice.usage_inbox i
                               WHERE i.org_id = 'ci-1' AND i.reason IS NULL LIMIT 1$$),
            '%Task Count: 1%', 'usage_ingest for one organisation is a router query to its node');
SELECT is(pg_temp.value($$SELECT invoice.usage_ingest('ci-1')$$), '4', 'usage_ingest(''ci-1''): its four records ...');
SELECT is(pg_temp.value($$SELECT string_agg(DISTINCT org_id, ',') FROM invoice.usage_records WHERE org_id LIKE 'ci-%'$$), 'ci-1',
          '... and no other organisation''s');

INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, product_group, product_line, usage_type, quantity, usage_start, usage_end)
VALUES ('ci-none', 'k-1', 'Ingress', 'Network', 'Bandwidth', 'GB', 1, '2024-01-02', '2024-01-02');
SELECT is(pg_temp.value($$SELECT invoice.usage_ingest()$$), '20', 'usage_ingest() for all: the other twenty, shard by shard');
SELECT is(pg_temp.value($$SELECT count(DISTINCT nodeport) FROM pg_dist_shard_placement p
            WHERE p.shardid IN (SELECT get_shard_id_for_distribution_column('invoice.usage_records', org_id)
                                  FROM invoice.usage_records WHERE org_id LIKE 'ci-%')$$), '2',
          '... loaded on both workers');
SELECT is(pg_temp.value($$SELECT org_id || ': ' || reason FROM invoice.usage_inbox WHERE org_id = 'ci-none'$$),
          'ci-none: unknown organisation', 'an unknown organisation''s row parked in the inbox with its reason');

\copy invoice.usage_inbox (org_id, idempotency_key, product_group, product_line, product_name, region, usage_type, resource_type, resource_name, quantity, usage_start, usage_end) FROM '/tmp/invoice_citus_inbox.tsv'
INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, product_group, product_line, usage_type, quantity, usage_start, usage_end)
VALUES ('ci-3', 'k-1', 'Ingress', 'Network', 'Bandwidth', 'GB', 101, '2024-01-02', '2024-01-02');
SELECT is(pg_temp.value($$SELECT invoice.usage_ingest()$$), '0', 'the same batch again, and a changed record: nothing loaded ...');
SELECT is(pg_temp.value($$SELECT string_agg(org_id || ' ' || idempotency_key || ' ' || reason, ', ' ORDER BY org_id)
                          FROM invoice.usage_inbox WHERE org_id LIKE 'ci-%'$$),
          'ci-3 k-1 conflicting values, ci-none k-1 unknown organisation', '... the changed one parked, the rest gone');

-- usage_unrated through the coordinator: the parked rows and a record no price covers
INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, product_group, product_line, usage_type, quantity, usage_start, usage_end)
VALUES ('ci-4', 'k-early', 'Ingress', 'Network', 'Bandwidth', 'GB', 7, '2023-12-15', '2023-12-15');
SELECT is(pg_temp.value($$SELECT invoice.usage_ingest('ci-4')$$), '1', 'a record from before the product''s first price is loaded');
SELECT is(pg_temp.value($$SELECT string_agg(org_id || ' ' || idempotency_key || ' ' || reason, ', ' ORDER BY org_id)
                          FROM invoice.usage_unrated WHERE org_id LIKE 'ci-%' AND reason IS NOT NULL$$),
          'ci-3 k-1 conflicting values, ci-4 k-early no price in force, ci-none k-1 unknown organisation',
          'usage_unrated through the coordinator, over every shard: the parked rows and the record no price covers');

INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, product_group, product_line, usage_type, quantity, usage_start, usage_end)
VALUES ('ci-2', 'k-late', 'Ingress', 'Network', 'Bandwidth', 'GB', 50, '2024-01-20', '2024-01-20');
SELECT is(pg_temp.value($$SELECT invoice.invoice_generate('2024-01-01', '2024-02-01')$$), '6',
          'invoice_generate ingests first, then bills each organisation on its node');
SELECT is(pg_temp.value($$SELECT string_agg(org_id || ' ' || usage_amount, ', ' ORDER BY org_id) FROM invoice.invoices
                          WHERE org_id IN ('ci-1', 'ci-2')$$),
          'ci-1 40.00, ci-2 45.00', '... the record only sent to the inbox on ci-2''s invoice');

CREATE ROLE citus_inbox_owner LOGIN;
GRANT USAGE ON SCHEMA invoice TO citus_inbox_owner;
GRANT SELECT, INSERT, DELETE ON invoice.usage_inbox TO citus_inbox_owner;
GRANT SELECT ON ALL TABLES IN SCHEMA invoice TO citus_inbox_owner;
GRANT EXECUTE ON FUNCTION invoice.usage_ingest(text) TO citus_inbox_owner;
INSERT INTO invoice.members (org_id, member, role) VALUES ('ci-4', 'citus_inbox_owner', 'owner');
SET ROLE citus_inbox_owner;
SELECT lives_ok($$INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, product_group, product_line, usage_type,
                                                   quantity, usage_start, usage_end)
                  VALUES ('ci-4', 'k-m', 'Ingress', 'Network', 'Bandwidth', 'GB', 5, '2024-02-02', '2024-02-02')$$,
                'an owner sends its organisation''s usage through the coordinator');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, quantity, usage_start, usage_end)
                         VALUES ('ci-5', 'k-m', 'Ingress', 5, '2024-02-02', '2024-02-02')$$, '42501', NULL,
                       '... not another organisation''s (42501)');
SELECT is(pg_temp.value($$SELECT invoice.usage_ingest('ci-4')$$), '1', '... and ingests its own on its node');
RESET ROLE;

SELECT * FROM finish();
