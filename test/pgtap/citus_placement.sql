-- Scale-out (issue #14, README "Scale-out with Citus"), what can be checked on one node:
--
--   - invoice.distribute() without Citus: 55000 with a hint, nothing changed;
--   - only administrators may call it (and its helpers): not PUBLIC;
--   - every table of schema invoice is placed: a table with org_id is in
--     distributed_tables(), every other one in reference_tables(), but api_secret (the
--     coordinator's) — so a table added later cannot be forgotten;
--   - distributed_tables() lists orgs first and every table after the tables its foreign
--     keys reference (the order distribute() creates them in).
-- The Citus suite itself (test/citus/, a coordinator and two workers) runs the rest.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL client_min_messages = warning;

SELECT plan(8);

SELECT is((SELECT count(*) FROM pg_extension WHERE extname = 'citus'), 0::bigint, 'this cluster has no Citus');
SELECT throws_ok($$SELECT * FROM invoice.distribute()$$, '55000', 'invoice.distribute() needs the citus extension',
                 'distribute() without Citus -> 55000');
SELECT is((SELECT count(*) FROM pg_policy WHERE polname = 'member_read'
            AND pg_get_expr(polqual, polrelid) LIKE '%SELECT %member_orgs()%'),
          cardinality(invoice.distributed_tables())::bigint - 1,
          '... and changed nothing: the single-node policies keep their one-time subquery');
SELECT is(array_agg(f) FILTER (WHERE has_function_privilege('public', f, 'EXECUTE')), NULL,
          'PUBLIC may execute neither distribute() nor its helpers')
  FROM unnest(ARRAY['invoice.distribute()', 'invoice.distributed_tables()', 'invoice.reference_tables()',
                    'invoice.on_workers(text)']::regprocedure[]) f;
SELECT set_eq($$SELECT c.oid::regclass FROM pg_class c
                 WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind = 'r'
                   AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id')$$,
              $$SELECT unnest(invoice.distributed_tables())$$,
              'distributed_tables(): exactly the tables with an org_id');
SELECT set_eq($$SELECT c.oid::regclass FROM pg_class c
                 WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind = 'r'
                   AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id')
                   AND c.oid <> 'invoice.api_secret'::regclass$$,
              $$SELECT unnest(invoice.reference_tables())$$,
              'reference_tables(): every other table, but api_secret');
SELECT is((invoice.distributed_tables())[1], 'invoice.orgs'::regclass, 'orgs comes first: the others are colocated with it');
SELECT is(array_agg(format('%s -> %s', con.conrelid::regclass, con.confrelid::regclass)), NULL,
          'every table comes after the tables its foreign keys reference')
  FROM pg_constraint con
 WHERE con.contype = 'f' AND con.conrelid = ANY (invoice.distributed_tables())
   AND array_position(invoice.distributed_tables(), con.confrelid) > array_position(invoice.distributed_tables(), con.conrelid);

SELECT * FROM finish();
ROLLBACK;
