-- Citus (issue #20): the cents type with the default search_path.  The type, its operators and
-- aggregates are the cents extension's, in public, on the coordinator and on every worker, so
-- the SQL Citus sends down compares, joins and sums cents columns as written:
--   - a join of two distributed tables on cents columns, across both workers, with `=`;
--   - a filter `amount > '…'` and sum() pushed down to each worker, combined on the coordinator;
--   - one organisation's comparison as a router query (Task Count 1);
--   - the extension is in the same schema on every node.
\set ON_ERROR_STOP 1
\ir include/setup.sql
SET search_path = "$user", public;   -- the default: nothing of invoice on it
SET TimeZone = 'UTC';
SELECT plan(5);

INSERT INTO invoice.orgs (org_id, name) SELECT 'cts-' || g, 'Citus cents ' || g FROM generate_series(1, 6) g;
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, currency)
SELECT 'cts-' || g, 'cts-inv-' || g, 'CTS', '2024-01-01', '2024-02-01', '2024-02-01', 'USD' FROM generate_series(1, 6) g;
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
SELECT 'cts-' || g, 'cts-inv-' || g, 'line ' || k, (g * 100 + k)::bigint::cents
  FROM generate_series(1, 6) g, generate_series(1, 3) k;
INSERT INTO invoice.credits (org_id, invoice_id, code, amount)
SELECT 'cts-' || g, 'cts-inv-' || g, 'credit', ((g * 100 + 2)::bigint)::cents FROM generate_series(1, 6) g;

SELECT is(pg_temp.value($$SELECT count(*) || ' ' || sum(l.amount)
                          FROM invoice.line_items l
                          JOIN invoice.credits c ON c.org_id = l.org_id AND c.invoice_id = l.invoice_id
                                                AND c.amount = l.amount
                         WHERE l.org_id LIKE 'cts-%'$$),
          '6 21.12', 'a join on two cents columns (=) across both workers, with the default search_path');
SELECT is(pg_temp.value($$SELECT sum(amount) || ' ' || count(*) FILTER (WHERE amount > '4.00')
                          FROM invoice.line_items WHERE org_id LIKE 'cts-%'$$),
          '63.36 9', 'sum() and > of cents pushed down to the workers and combined');
SELECT is(pg_temp.value($$SELECT sum(total) FROM invoice.invoices WHERE org_id LIKE 'cts-%'$$),
          (SELECT sum(g * 300 + 6 - (g * 100 + 2))::bigint::cents::text FROM generate_series(1, 6) g),
          'sum(total) of the invoices the triggers computed on the workers');
SELECT ok(pg_temp.plan_of($$SELECT count(*) FROM invoice.line_items WHERE org_id = 'cts-3' AND amount >= '3.02'$$)
          LIKE '%Task Count: 1%', 'one organisation''s cents comparison is a router query');
SELECT is(pg_temp.value($$SELECT string_agg(DISTINCT result, ' ')
                          FROM run_command_on_all_nodes($c$SELECT extnamespace::regnamespace || '/' || extversion
                                                             FROM pg_extension WHERE extname = 'cents'$c$)$$),
          'public/1.0', 'the cents extension is in public on every node');

SELECT * FROM finish();
