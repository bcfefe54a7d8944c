-- Citus (issue #14, README "Scale-out with Citus"): invoice.distribute() on a coordinator
-- with two workers.  Runs first and commits: the files after it use the distributed tables.
--
--   - every organisation table is hash-distributed by org_id, colocated with orgs;
--   - the global tables (supplier, gst_rates, number_series, products, prices) are reference
--     tables, with their rows; api_secret stays a table of the coordinator;
--   - a second call changes nothing (idempotent); the member_read policies carry no
--     subquery (Citus refuses them);
--   - one organisation's read is a router query: one task, on one node.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS invoice CASCADE;
\ir include/setup.sql

SELECT plan(15);

CREATE TEMP TABLE first_call AS SELECT * FROM invoice.distribute();
SELECT is((SELECT count(*) FROM first_call WHERE citus_table_type = 'distributed'),
          cardinality(invoice.distributed_tables())::bigint, 'distribute(): every organisation table distributed');
SELECT is((SELECT count(*) FROM first_call WHERE citus_table_type = 'reference'),
          cardinality(invoice.reference_tables())::bigint, 'distribute(): every global table a reference table');
SELECT set_eq($$SELECT table_name FROM first_call$$,
              $$SELECT unnest(invoice.distributed_tables() || invoice.reference_tables())$$,
              'distribute() returns each table it placed, and no other');
SELECT set_eq($$SELECT table_name::text || ' ' || citus_table_type FROM invoice.distribute()$$,
              $$SELECT table_name::text || ' ' || citus_table_type FROM first_call$$,
              'a second call changes nothing and returns the same placement (idempotent)');
SELECT is((SELECT count(DISTINCT colocationid) FROM pg_dist_partition
            WHERE logicalrelid = ANY (invoice.distributed_tables())), 1::bigint,
          'the organisation tables form one colocation group');
SELECT is((SELECT string_agg(DISTINCT column_to_column_name(logicalrelid, partkey), ',') FROM pg_dist_partition
            WHERE logicalrelid = ANY (invoice.distributed_tables())), 'org_id',
          'each is distributed by org_id');
SELECT is((SELECT count(*) FROM pg_dist_partition WHERE logicalrelid = 'invoice.api_secret'::regclass), 0::bigint,
          'api_secret stays a table of the coordinator');
SELECT is((SELECT count(*) FROM invoice.gst_rates) > 0, true, 'the reference table gst_rates kept its rows');
SELECT is((SELECT count(*) FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid)
            WHERE s.logicalrelid = 'invoice.gst_rates'::regclass), 3::bigint,
          'a reference table has a copy on each of the three nodes');
SELECT is((SELECT count(DISTINCT p.groupid) FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid)
            WHERE s.logicalrelid = 'invoice.invoices'::regclass), 2::bigint,
          'the invoices shards are spread over both workers');
SELECT is((SELECT count(*) FROM pg_policy
            WHERE polrelid = ANY (invoice.distributed_tables()) AND polname = 'member_read'
              AND pg_get_expr(polqual, polrelid) LIKE '%SELECT%'), 0::bigint,
          'no member_read policy has a subquery (Citus refuses them)');
SELECT is((SELECT count(*) FROM pg_policy WHERE polrelid = ANY (invoice.distributed_tables()) AND polname = 'member_read'),
          (cardinality(invoice.distributed_tables()) - 1)::bigint,
          'every organisation table but members keeps its member_read policy');

-- One organisation's read is a router query.
INSERT INTO invoice.orgs (org_id, name) VALUES ('citus-a', 'Citus A'), ('citus-b', 'Citus B');
SELECT matches(pg_temp.plan_of($$SELECT * FROM invoice.invoices WHERE org_id = 'citus-a'$$),
               'Task Count: 1\n', 'one organisation''s invoices: a router query (Task Count: 1)');
SELECT matches(pg_temp.plan_of($$SELECT i.id, l.description FROM invoice.invoices i
                                   JOIN invoice.line_items l USING (org_id) WHERE i.org_id = 'citus-a'$$),
               'Task Count: 1\n', '... joined with its lines (colocated): still one task');
SELECT is((SELECT count(*) FROM invoice.orgs), 2::bigint, 'organisations are written and read through the coordinator');

SELECT * FROM finish();
