-- test/bench/json_api.bench.sql: the JSON API at 10,000 and at :invoices invoices.
--
-- Data: organisations of 1,000 invoices each (one a week), 10 line items per
-- invoice, loaded period by period as billing days would (so an
-- organisation's rows lie scattered through the tables among every other
-- organisation's), then VACUUM ANALYZE.  First 10,000 invoices (10
-- organisations), then, after a TRUNCATE, :invoices (default 1,000,000:
-- 1,000 organisations).  Organisation org-0007 holds the same 1,000
-- invoices at both sizes: what grows is everything around it.
-- BENCH_INVOICES (environment) sets the large size; :rows is not used.
--
-- The rows are loaded with session_replication_role = replica (no
-- triggers: 10 million lines through the statement triggers would take far
-- longer) and carry the amounts invoice_compute derives for them (no
-- credits, one tax rate: tax is the sum of each line's rounded tax), issued
-- invoices their numbers, paid invoices their payment; search_rebuild then
-- writes the search signatures the triggers would have.
--
-- Timed, on org-0007 (each its own statement, planning included, nothing
-- sent to the client; the backend's CPU clock, the fastest of :reps runs):
--   first page    invoice_list(org, 1, 50)
--   deep page     invoice_list(org, 19, 50)                  (rows 901-950)
--   filtered      invoice_list(org, 2, 50, 'paid', 2010-01-01, 2020-01-01)
--   search        invoice_list(org, 1, 50, search => a resource name on 20 invoices' lines)
--   describe      invoice_describe(id)                       (10 line items, a payment)
-- each against
--   bare          a plain index scan fetching the same rows: the page's 50
--                 invoices in the list's order (LIMIT/OFFSET, the same
--                 filters), for describe the invoice and its lines
-- and
--   api_get       (first page only) the same through api_get
-- and, for search, the same search in plain SQL returning rows (no JSON,
-- no count).
--
-- Each sample runs the statement :repeat times (jb.repeat, one EXECUTE each)
-- and is reported per call: a single run would be dwarfed by the clock
-- reads around it.
--
-- Targets (informational): each call at :invoices within 1.3x of the same
-- call at 10,000 (cost does not grow with the table), and within 3x of the
-- bare index scan.

CREATE EXTENSION invoice CASCADE;
CREATE EXTENSION pg_prewarm;
LOAD 'auto_explain';

\getenv invoices BENCH_INVOICES
\if :{?invoices}
\else
\set invoices 1000000
\endif
\set repeat 20
\set org org-0007
\set invoice_id inv-0007-0500
\set token c-0007-17
\echo invoices :invoices (after 10000), 1000 per organisation, 10 lines each

CREATE SCHEMA jb;
\ir load_invoices.sql

-- The stored amounts must be SPEC §3's for the rows (no credits, no
-- advance, one tax rate: the tax is the sum of each line's rounded tax), or
-- the data set would not be one the extension could hold.
CREATE PROCEDURE jb.check() LANGUAGE plpgsql AS $$
DECLARE
    wrong bigint;
BEGIN
    SELECT count(*) INTO wrong
      FROM invoice.invoices i
     CROSS JOIN LATERAL (SELECT sum(l.amount::bigint) AS usage,
                                sum(round(l.amount::numeric * i.tax_rate / 100, 2) * 100)::bigint AS tax
                           FROM invoice.line_items l WHERE l.org_id = i.org_id AND l.invoice_id = i.id) d
     CROSS JOIN LATERAL (SELECT COALESCE(sum(p.amount::bigint), 0) AS paid
                           FROM invoice.payments p WHERE p.org_id = i.org_id AND p.invoice_id = i.id) p
     WHERE i.org_id = 'org-0007'
       AND (i.usage_amount::bigint, i.subtotal::bigint, i.tax::bigint, i.total::bigint, i.already_billed_amount::bigint,
            i.amount_due::bigint)
           IS DISTINCT FROM (d.usage, d.usage, d.tax, d.usage + d.tax, p.paid,
                             CASE WHEN i.status IN ('pending', 'overdue') THEN d.usage + d.tax - p.paid ELSE 0 END);
    IF wrong <> 0 THEN
        RAISE EXCEPTION 'json_api bench: % invoices of org-0007 hold amounts other than SPEC §3''s', wrong;
    END IF;
END $$;

CREATE PROCEDURE jb.settle() LANGUAGE plpgsql AS $$
BEGIN
    CALL jb.check();
    COMMIT;
    PERFORM pg_prewarm(c.oid)
       FROM pg_class c
      WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind IN ('r', 'i')
        AND c.relname ~ '^(invoices|line_items|payments|credits|status_history|search_signatures)';
END $$;

-- The statements timed: op, variant, SQL.
CREATE TABLE jb.cases (op text, ord int, variant text, sql text);
INSERT INTO jb.cases VALUES
('first page', 1, 'api', format($q$SELECT invoice.invoice_list(%L, 1, 50)$q$, :'org')),
('first page', 1, 'api_get', format($q$SELECT invoice.api_get('/v2/invoices', %L)$q$,
                                    json_build_object('orgId', :'org', 'pageSize', 50))),
('first page', 1, 'bare', format($q$SELECT * FROM invoice.invoices WHERE org_id = %L ORDER BY invoice_date DESC, id LIMIT 50$q$, :'org')),
('deep page', 2, 'api', format($q$SELECT invoice.invoice_list(%L, 19, 50)$q$, :'org')),
('deep page', 2, 'bare', format($q$SELECT * FROM invoice.invoices WHERE org_id = %L
                                   ORDER BY invoice_date DESC, id LIMIT 50 OFFSET 900$q$, :'org')),
('filtered', 3, 'api', format($q$SELECT invoice.invoice_list(%L, 2, 50, 'paid', '2010-01-01 UTC', '2020-01-01 UTC')$q$, :'org')),
('filtered', 3, 'bare', format($q$SELECT * FROM invoice.invoices WHERE org_id = %L AND status = 'paid'
                                   AND invoice_date >= '2010-01-01 UTC' AND invoice_date < '2020-01-01 UTC'
                                   ORDER BY invoice_date DESC, id LIMIT 50 OFFSET 50$q$, :'org')),
('search', 4, 'api', format($q$SELECT invoice.invoice_list(%L, 1, 50, search => %L)$q$, :'org', :'token')),
('search', 4, 'bare', NULL),          -- the page's ids, filled in by jb.measure
('search', 4, 'plain SQL search', format($q$SELECT * FROM invoice.invoices i WHERE i.org_id = %1$L
                                   AND (i.number ILIKE %2$L OR i.description ILIKE %2$L
                                        OR i.id IN (SELECT l.invoice_id FROM invoice.line_items l
                                                     WHERE l.org_id = %1$L AND l.description ILIKE %2$L))
                                   ORDER BY i.invoice_date DESC, i.id LIMIT 50$q$, :'org', '%' || :'token' || '%')),
('describe', 5, 'api', format($q$SELECT invoice.invoice_describe(%L)$q$, :'invoice_id')),
('describe', 5, 'bare', format($q$SELECT * FROM invoice.invoices i
                                   JOIN invoice.line_items l ON l.org_id = i.org_id AND l.invoice_id = i.id
                                   WHERE i.org_id = %L AND i.id = %L$q$, :'org', :'invoice_id'));

-- jb.repeat(sql, times): sql run that many times, each its own EXECUTE
CREATE FUNCTION jb.repeat(sql text, times integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. times LOOP
        EXECUTE sql;
    END LOOP;
END $$;

-- bench.measure times format(stmt, variant): the variant is the SQL itself.
CREATE PROCEDURE jb.measure(size text, times integer) LANGUAGE plpgsql AS $$
DECLARE
    c record;
BEGIN
    UPDATE jb.cases SET sql = format('SELECT * FROM invoice.invoices WHERE org_id = %L AND id = ANY (%L) ORDER BY invoice_date DESC, id',
                                     'org-0007', (SELECT array_agg(i->>'id') FROM json_array_elements(
                                                      invoice.invoice_list('org-0007', 1, 50, search => 'c-0007-17')->'data'->'invoices') i))
     WHERE op = 'search' AND variant = 'bare';
    COMMIT;
    PERFORM set_config('bench.mode', size, false);
    FOR c IN SELECT op, array_agg(sql ORDER BY variant) AS sqls FROM jb.cases GROUP BY op ORDER BY min(ord) LOOP
        CALL bench.measure(c.op, format('SELECT jb.repeat(%%L, %s)', times), c.sqls);
    END LOOP;
END $$;

-- What each API call returns, so that the two sizes can be seen to agree
-- (describe: its first 16 keys; line and payment ids depend on the size).
CREATE TABLE jb.answers (size text, op text, answer text);
CREATE PROCEDURE jb.answers(size text) LANGUAGE plpgsql AS $$
DECLARE
    c record;
    a json;
BEGIN
    FOR c IN SELECT op, sql FROM jb.cases WHERE variant = 'api' LOOP
        EXECUTE c.sql INTO a;
        IF c.op = 'describe' THEN
            a := (SELECT json_object_agg(e.key, e.value ORDER BY e.n)
                    FROM json_each(a->'data') WITH ORDINALITY e(key, value, n) WHERE e.n <= 16);
        END IF;
        INSERT INTO jb.answers VALUES (size, c.op, md5(a::text) || ' ' || length(a::text));
    END LOOP;
END $$;

SET bench.clock = 'cpu';

\echo building 10000 invoices ...
CALL bench.load_invoices(10000);
VACUUM (FREEZE, ANALYZE) invoice.orgs, invoice.invoices, invoice.line_items, invoice.payments, invoice.search_signatures;
CALL jb.settle();
\echo timing at 10000 invoices (:reps runs after a warm-up) ...
CALL jb.measure('10000', :repeat);
CALL jb.answers('10000');

\echo building :invoices invoices (a few minutes for a million) ...
SET client_min_messages = warning;
TRUNCATE invoice.orgs, invoice.invoices, invoice.line_items, invoice.payments, invoice.credits,
         invoice.status_history, invoice.search_signatures RESTART IDENTITY CASCADE;
CALL bench.load_invoices(:invoices);
VACUUM (FREEZE, ANALYZE) invoice.orgs, invoice.invoices, invoice.line_items, invoice.payments, invoice.search_signatures;
CALL jb.settle();
SELECT c.relname AS "relation", pg_size_pretty(pg_relation_size(c.oid)) AS size
  FROM pg_class c
 WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind IN ('r', 'i')
   AND c.relname ~ '^(invoices|line_items|payments|search_signatures)' AND pg_relation_size(c.oid) > 8192
 ORDER BY pg_relation_size(c.oid) DESC;
\echo timing at :invoices invoices (:reps runs after a warm-up) ...
CALL jb.measure(:'invoices', :repeat);
CALL jb.answers(:'invoices');

\echo
\echo 'the API calls answer alike at both sizes (md5 and length of the JSON):'
SELECT op, string_agg(size || ': ' || answer, ', ' ORDER BY size::int) AS answers,
       CASE WHEN count(DISTINCT answer) = 1 THEN 'same' ELSE 'DIFFERENT' END AS verdict
  FROM jb.answers GROUP BY op ORDER BY min((SELECT ord FROM jb.cases c WHERE c.op = jb.answers.op LIMIT 1));

CREATE TEMP VIEW cmp AS
SELECT c.op, c.ord, c.variant, s.ms / :repeat AS small_ms, l.ms / :repeat AS large_ms, l.spread
  FROM (SELECT DISTINCT op, ord, variant, sql FROM jb.cases) c
  JOIN bench.result s ON s.op = c.op AND s.variant = c.sql AND s.mode = '10000'
  JOIN bench.result l ON l.op = c.op AND l.variant = c.sql AND l.mode = :'invoices';

\echo
\echo 'JSON API on org-0007 (1,000 invoices, 10,000 lines), ms of backend CPU per call =' :stat 'of' :reps 'runs of' :repeat 'calls:'
SELECT a.op AS operation, a.variant,
       round(a.small_ms::numeric, 3) AS "10000 ms",
       round(a.large_ms::numeric, 3) AS ":invoices ms",
       round((a.large_ms / a.small_ms)::numeric, 2) AS "growth",
       round((a.large_ms / b.large_ms)::numeric, 1) AS "x bare",
       CASE WHEN a.variant = 'bare' THEN ''
            ELSE CASE WHEN a.large_ms <= 1.3 * a.small_ms THEN 'PASS' ELSE 'MISS' END END AS "growth <= 1.3",
       CASE WHEN a.variant = 'bare' THEN ''
            ELSE CASE WHEN a.large_ms <= 3 * b.large_ms THEN 'PASS' ELSE 'MISS' END END AS "<= 3x bare"
  FROM cmp a JOIN cmp b ON b.op = a.op AND b.variant = 'bare'
 ORDER BY a.ord, array_position('{api,api_get,plain SQL search,bare}', a.variant);

\pset tuples_only on
SELECT format('noise: largest (max - min) / min of any cell: %s %%', round(100 * max(spread)::numeric))
  FROM bench.result;
\pset tuples_only off

\echo
\echo 'plans at' :invoices 'invoices: each API call (auto_explain, nested statements included), then its bare scan'
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_analyze = on;
SET auto_explain.log_timing = off;
SET auto_explain.log_buffers = on;
SET auto_explain.log_level = notice;
SET client_min_messages = notice;
SELECT length(invoice.invoice_list(:'org', 1, 50)::text) AS "first page";
SELECT length(invoice.invoice_list(:'org', 19, 50)::text) AS "deep page";
SELECT length(invoice.invoice_list(:'org', 2, 50, 'paid', '2010-01-01 UTC', '2020-01-01 UTC')::text) AS "filtered";
SELECT length(invoice.invoice_list(:'org', 1, 50, search => :'token')::text) AS "search";
SELECT length(invoice.invoice_describe(:'invoice_id')::text) AS "describe";
SET client_min_messages = warning;
SET auto_explain.log_min_duration = -1;
EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, COSTS OFF)
SELECT * FROM invoice.invoices WHERE org_id = :'org' ORDER BY invoice_date DESC, id LIMIT 50 OFFSET 900;
EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, COSTS OFF)
SELECT * FROM invoice.invoices i JOIN invoice.line_items l ON l.org_id = i.org_id AND l.invoice_id = i.id
 WHERE i.org_id = :'org' AND i.id = :'invoice_id';
