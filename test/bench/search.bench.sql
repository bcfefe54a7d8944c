-- test/bench/search.bench.sql: the list's search, today's hand-made trigram
-- signatures (sql/ext/58_search.sql, src/search.c) against pg_trgm GiST
-- indexes (siglen=256, the same 2,048 bits; btree_gist puts org_id in the
-- same index), for readers and for writers (issue #18).
--
-- Data: test/bench/load_invoices.sql, first 10,000 invoices, then, after a
-- TRUNCATE, :invoices (BENCH_INVOICES, default 100,000: 100 organisations,
-- 1,000,000 lines; a million invoices means 10 million lines and GiST
-- builds far beyond this benchmark's five minutes).  Organisation org-0007
-- (1,000 invoices, 10,000 lines) is the same at both sizes.  The pg_trgm
-- indexes:
--   invoices    gist (org_id, number gist_trgm_ops(siglen=256), description gist_trgm_ops(siglen=256))
--   line_items  gist (org_id, description gist_trgm_ops(siglen=256))
-- built after the load (no rebuild needed after a trigger-less load: that
-- is their point), their build time and size printed beside search_rebuild()'s.
--
-- Readers (org-0007; each its own statement, planning included, backend
-- CPU, the fastest of :reps runs of :repeat calls), for four terms:
--   rare        'c-0007-17'  on 20 invoices' lines
--   absent      'zebra'      on none
--   common      'storage'    on two lines of every invoice
--   two-letter  'gb'         on every invoice (no trigram: neither index
--                            rules anything out)
-- three ways:
--   list        invoice_list(org, 1, 50, search => term): today's whole
--               call (signatures read by src/search.c straight from the
--               index, candidates tested, count and page)
--   signatures  the ids of the matching invoices in SQL through the
--               signatures: search_candidates, then text_icontains on the
--               number, the description and the lines
--   pg_trgm     the same ids in SQL through the pg_trgm indexes: ILIKE on
--               the invoice's number and description UNION ILIKE on its
--               lines (the planner picks the index; plans printed)
-- The two id queries must find the same invoices, and as many as the list
-- counts (checked).
--
-- Writers (at :invoices; triggers off in every variant, so that only the
-- search's own upkeep differs; each run rolled back; CPU of the whole run):
--   new invoices     1,000 invoices of org-0007 with 10 lines each (a
--                    billing day's INSERTs of one organisation)
--   single lines     500 one-row INSERTs of a line (a new text each)
--   description      UPDATE of 1,000 invoices' descriptions
-- each
--   bare             no pg_trgm index, no signature written (the floor)
--   signatures       bare + the signature upserts the triggers run
--                    (invoice_search_add_texts' statement, kept plans)
--   pg_trgm          with the two pg_trgm indexes, no signature

CREATE EXTENSION invoice CASCADE;
CREATE EXTENSION pg_trgm;
CREATE EXTENSION btree_gist;
CREATE EXTENSION pg_prewarm;

\getenv invoices BENCH_INVOICES
\if :{?invoices}
\else
\set invoices 100000
\endif
\set repeat 20
\echo search: invoices :invoices (after 10000), 1000 per organisation, 10 lines each

CREATE SCHEMA sb;
\ir load_invoices.sql

-- the search terms and, for ILIKE, their patterns (none holds %, _ or \)
CREATE TABLE sb.terms (ord int, name text, term text, pattern text);
INSERT INTO sb.terms VALUES
(1, 'rare', 'c-0007-17', '%c-0007-17%'),
(2, 'absent', 'zebra', '%zebra%'),
(3, 'common', 'storage', '%storage%'),
(4, 'two-letter', 'gb', '%gb%');

CREATE TABLE sb.cases (op text, ord int, variant text, sql text);
INSERT INTO sb.cases
SELECT t.name, t.ord, 'list', format($q$SELECT invoice.invoice_list('org-0007', 1, 50, search => %L)$q$, t.term)
  FROM sb.terms t
UNION ALL
SELECT t.name, t.ord, 'signatures', format($q$SELECT count(*) FROM invoice.invoices i
   WHERE i.org_id = 'org-0007' AND i.id IN (SELECT c.id FROM invoice.search_candidates('org-0007', %1$L) c (id))
     AND (invoice.text_icontains(i.number, %1$L) OR invoice.text_icontains(i.description, %1$L)
          OR EXISTS (SELECT FROM invoice.line_items l WHERE l.org_id = i.org_id AND l.invoice_id = i.id
                                                        AND invoice.text_icontains(l.description, %1$L)))$q$, t.term)
  FROM sb.terms t
UNION ALL
SELECT t.name, t.ord, 'pg_trgm', format($q$SELECT count(*) FROM (
   SELECT i.id FROM invoice.invoices i WHERE i.org_id = 'org-0007' AND (i.number ILIKE %1$L OR i.description ILIKE %1$L)
   UNION
   SELECT l.invoice_id FROM invoice.line_items l WHERE l.org_id = 'org-0007' AND l.description ILIKE %1$L) m$q$, t.pattern)
  FROM sb.terms t;

CREATE FUNCTION sb.repeat(sql text, times integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1 .. times LOOP
        EXECUTE sql;
    END LOOP;
END $$;

-- how many invoices each way finds, per term and size: they must agree
CREATE TABLE sb.found (size text, op text, list bigint, signatures bigint, pg_trgm bigint);
CREATE PROCEDURE sb.check(size text) LANGUAGE plpgsql AS $$
DECLARE
    t record;
    l bigint;
    s bigint;
    g bigint;
BEGIN
    FOR t IN SELECT name FROM sb.terms ORDER BY ord LOOP
        l := (SELECT (invoice.invoice_list('org-0007', 1, 50, search => term)->'data'->>'count')::bigint
                FROM sb.terms WHERE name = t.name);
        EXECUTE (SELECT sql FROM sb.cases WHERE op = t.name AND variant = 'signatures') INTO s;
        EXECUTE (SELECT sql FROM sb.cases WHERE op = t.name AND variant = 'pg_trgm') INTO g;
        INSERT INTO sb.found VALUES (size, t.name, l, s, g);
        IF l IS DISTINCT FROM s OR s IS DISTINCT FROM g THEN
            RAISE EXCEPTION 'search bench: % finds % (list), % (signatures), % (pg_trgm) at %', t.name, l, s, g, size;
        END IF;
    END LOOP;
END $$;

CREATE PROCEDURE sb.measure(size text, times integer) LANGUAGE plpgsql AS $$
DECLARE
    c record;
BEGIN
    PERFORM set_config('bench.mode', size, false);
    FOR c IN SELECT op, array_agg(sql ORDER BY variant) AS sqls FROM sb.cases GROUP BY op ORDER BY min(ord) LOOP
        CALL bench.measure(c.op, format('SELECT sb.repeat(%%L, %s)', times), c.sqls);
    END LOOP;
END $$;

-- what building each costs, and its size
CREATE TABLE sb.build (size text, what text, seconds float8, bytes bigint);
CREATE PROCEDURE sb.build(size text) LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
BEGIN
    t0 := clock_timestamp();
    PERFORM invoice.search_rebuild();
    INSERT INTO sb.build VALUES (size, 'signatures: search_rebuild()', extract(epoch FROM clock_timestamp() - t0),
                                 pg_total_relation_size('invoice.search_signatures'));
    COMMIT;
    t0 := clock_timestamp();
    CREATE INDEX invoices_search_trgm ON invoice.invoices
        USING gist (org_id, number gist_trgm_ops(siglen=256), description gist_trgm_ops(siglen=256));
    INSERT INTO sb.build VALUES (size, 'pg_trgm: invoices index', extract(epoch FROM clock_timestamp() - t0),
                                 pg_relation_size('invoice.invoices_search_trgm'));
    COMMIT;
    t0 := clock_timestamp();
    CREATE INDEX line_items_search_trgm ON invoice.line_items
        USING gist (org_id, description gist_trgm_ops(siglen=256));
    INSERT INTO sb.build VALUES (size, 'pg_trgm: line_items index', extract(epoch FROM clock_timestamp() - t0),
                                 pg_relation_size('invoice.line_items_search_trgm'));
    COMMIT;
END $$;

CREATE PROCEDURE sb.settle() LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_prewarm(c.oid)
       FROM pg_class c
      WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind IN ('r', 'i')
        AND c.relname ~ '^(invoices|line_items|search_signatures)';
END $$;

SET bench.clock = 'cpu';

\echo building 10000 invoices ...
CALL bench.load_invoices(10000);
TRUNCATE invoice.search_signatures;
CALL sb.build('10000');
VACUUM (FREEZE, ANALYZE) invoice.orgs, invoice.invoices, invoice.line_items, invoice.payments, invoice.search_signatures;
CALL sb.settle();
CALL sb.check('10000');
\echo timing at 10000 invoices (:reps runs after a warm-up) ...
CALL sb.measure('10000', :repeat);

\echo building :invoices invoices ...
SET client_min_messages = warning;
DROP INDEX invoice.invoices_search_trgm, invoice.line_items_search_trgm;
TRUNCATE invoice.orgs, invoice.invoices, invoice.line_items, invoice.payments, invoice.credits,
         invoice.status_history, invoice.search_signatures RESTART IDENTITY CASCADE;
CALL bench.load_invoices(:invoices);
TRUNCATE invoice.search_signatures;
CALL sb.build(:'invoices');
VACUUM (FREEZE, ANALYZE) invoice.orgs, invoice.invoices, invoice.line_items, invoice.payments, invoice.search_signatures;
CALL sb.settle();
CALL sb.check(:'invoices');
\echo timing at :invoices invoices (:reps runs after a warm-up) ...
CALL sb.measure(:'invoices', :repeat);

-- Writers ------------------------------------------------------------------

-- 1,000 new invoices of org-0007 and their lines: copies of its own, new ids and texts
CREATE TABLE sb.new_invoices AS
SELECT org_id, 'new' || substr(id, 4) AS id, series, number || 'N' AS number, description || ' (new)' AS description,
       period_start, period_end, invoice_date, due_date, currency, status, status_reason, tax_rate, usage_amount,
       subtotal, tax, total, already_billed_amount, amount_due, issued_at, paid_at, cancelled_at
  FROM invoice.invoices WHERE org_id = 'org-0007';
CREATE TABLE sb.new_lines AS
SELECT org_id, 'new' || substr(invoice_id, 4) AS invoice_id, description || ' (new)' AS description, units, rate, amount,
       product_group, product_name, region, usage_type
  FROM invoice.line_items WHERE org_id = 'org-0007';
-- 500 single lines, each on its own invoice of org-0007, each a new text
CREATE TABLE sb.one_lines AS
SELECT row_number() OVER (ORDER BY invoice_id) AS n, org_id, invoice_id,
       format('Extra reserved capacity r-%s', line_id) AS description, units, rate, amount,
       product_group, product_name, region, usage_type
  FROM invoice.line_items WHERE org_id = 'org-0007' AND description LIKE 'Dedicated%' ORDER BY invoice_id LIMIT 500;
ANALYZE sb.new_invoices, sb.new_lines, sb.one_lines;

-- the statement invoice_search_add_texts (src/search.c) runs, over texts_sql
CREATE FUNCTION sb.add_texts(texts_sql text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT format('INSERT INTO invoice.search_signatures AS g (org_id, invoice_id, signature)
    SELECT t.org_id, t.invoice_id, invoice.search_signature(t.texts) FROM (%s) t (org_id, invoice_id, texts)
    ON CONFLICT (org_id, invoice_id) DO UPDATE
    SET signature = invoice.search_signature_union(g.signature, excluded.signature)
    WHERE invoice.search_signature_union(g.signature, excluded.signature) <> g.signature', texts_sql)
$$;

CREATE FUNCTION sb.new_invoices(signatures boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice.invoices (org_id, id, series, number, description, period_start, period_end, invoice_date,
                                  due_date, currency, status, status_reason, tax_rate, usage_amount, subtotal, tax,
                                  total, already_billed_amount, amount_due, issued_at, paid_at, cancelled_at)
    SELECT * FROM sb.new_invoices;
    IF signatures THEN
        EXECUTE sb.add_texts('SELECT n.org_id, n.id, ARRAY[n.number, n.description] FROM sb.new_invoices n');
    END IF;
    INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, amount, product_group,
                                    product_name, region, usage_type)
    SELECT * FROM sb.new_lines;
    IF signatures THEN
        EXECUTE sb.add_texts('SELECT n.org_id, n.invoice_id, array_agg(n.description) FROM sb.new_lines n
                              GROUP BY n.org_id, n.invoice_id');
    END IF;
END $$;

CREATE FUNCTION sb.one_lines(signatures boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r sb.one_lines;
BEGIN
    FOR r IN SELECT * FROM sb.one_lines ORDER BY n LOOP
        INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, amount, product_group,
                                        product_name, region, usage_type)
        VALUES (r.org_id, r.invoice_id, r.description, r.units, r.rate, r.amount, r.product_group,
                r.product_name, r.region, r.usage_type);
        IF signatures THEN
            -- static SQL: a kept plan, as the trigger's for small statements
            INSERT INTO invoice.search_signatures AS g (org_id, invoice_id, signature)
            VALUES (r.org_id, r.invoice_id, invoice.search_signature(ARRAY[r.description]))
            ON CONFLICT (org_id, invoice_id) DO UPDATE
            SET signature = invoice.search_signature_union(g.signature, excluded.signature)
            WHERE invoice.search_signature_union(g.signature, excluded.signature) <> g.signature;
        END IF;
    END LOOP;
END $$;

CREATE FUNCTION sb.describe(signatures boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE invoice.invoices SET description = description || ' (revised)' WHERE org_id = 'org-0007';
    IF signatures THEN
        EXECUTE sb.add_texts('SELECT n.org_id, n.id, ARRAY[n.number, n.description] FROM invoice.invoices n
                              WHERE n.org_id = ''org-0007''');
    END IF;
END $$;

-- each writer three ways; done: its rows are written; signed: its signatures too
CREATE TABLE sb.writers (grp text, fn text, per int, done text, signed text);
INSERT INTO sb.writers VALUES
('new invoices', 'sb.new_invoices', 1000,
 'SELECT count(*) = 1000 FROM invoice.invoices WHERE id LIKE ''new-%''',
 'SELECT count(*) = 1000 FROM invoice.search_signatures WHERE invoice_id LIKE ''new-%'''),
('single lines', 'sb.one_lines', 500,
 'SELECT count(*) = 500 FROM invoice.line_items WHERE description LIKE ''Extra reserved%''',
 'SELECT invoice.search_may_contain(signature, ''Extra reserved'') FROM invoice.search_signatures
   WHERE (org_id, invoice_id) = (SELECT org_id, invoice_id FROM sb.one_lines WHERE n = 500)'),
('description', 'sb.describe', 1000,
 'SELECT count(*) = 1000 FROM invoice.invoices WHERE description LIKE ''%(revised)''',
 'SELECT bool_and(invoice.search_may_contain(signature, ''(revised)'')) FROM invoice.search_signatures
   WHERE org_id = ''org-0007''');
INSERT INTO bench.cases (grp, ord, op, setup, stmt, check_sql, per)
SELECT w.grp, v.ord, v.op,
       'SET LOCAL session_replication_role = replica'
       || CASE WHEN v.op <> 'pg_trgm' THEN '; DROP INDEX invoice.invoices_search_trgm, invoice.line_items_search_trgm'
               ELSE '' END,
       format('SELECT %s(%s)', w.fn, (v.op = 'signatures')::text),
       CASE WHEN v.op = 'signatures' THEN w.signed ELSE w.done END, w.per
  FROM sb.writers w CROSS JOIN (VALUES (1, 'bare'), (2, 'signatures'), (3, 'pg_trgm')) v (ord, op);

\echo timing the writers (:reps runs after a warm-up, each rolled back) ...
SELECT format('CALL bench.run(%L, %L, %s)', c.grp, c.op, r)
FROM bench.cases c CROSS JOIN generate_series(0, :reps) r
ORDER BY r, c.grp, c.ord \gexec

-- Report ------------------------------------------------------------------

\echo
\echo 'build (after a trigger-less load) and size:'
SELECT size AS invoices, what, round(seconds::numeric, 2) AS seconds, pg_size_pretty(bytes) AS size
  FROM sb.build ORDER BY size::int, what;

\echo
\echo 'invoices of org-0007 each way finds (they must agree):'
SELECT * FROM sb.found ORDER BY size::int, (SELECT ord FROM sb.terms WHERE name = op);

CREATE TEMP VIEW cmp AS
SELECT c.op, c.ord, c.variant, s.ms / :repeat AS small_ms, l.ms / :repeat AS large_ms, l.spread
  FROM sb.cases c
  JOIN bench.result s ON s.op = c.op AND s.variant = c.sql AND s.mode = '10000'
  JOIN bench.result l ON l.op = c.op AND l.variant = c.sql AND l.mode = :'invoices';

\echo
\echo 'readers: org-0007 (1,000 invoices, 10,000 lines), ms of backend CPU per call =' :stat 'of' :reps 'runs of' :repeat 'calls:'
SELECT a.op AS term, a.variant,
       round(a.small_ms::numeric, 3) AS "10000 ms",
       round(a.large_ms::numeric, 3) AS ":invoices ms",
       round((a.large_ms / a.small_ms)::numeric, 2) AS "growth",
       round((a.large_ms / s.large_ms)::numeric, 2) AS "x signatures",
       CASE WHEN a.variant <> 'pg_trgm' THEN ''
            WHEN a.large_ms <= 1.5 * s.large_ms THEN 'PASS' ELSE 'MISS' END AS "pg_trgm <= 1.5x signatures"
  FROM cmp a JOIN cmp s ON s.op = a.op AND s.variant = 'signatures'
 ORDER BY a.ord, array_position('{list,signatures,pg_trgm}', a.variant);

\echo
\echo 'writers at' :invoices 'invoices, µs of backend CPU per row written =' :stat 'of' :reps 'runs (each rolled back):'
SELECT r.grp AS writer, r.op AS variant, r.ops AS "rows",
       round((1000 * r.cpu_ms / r.ops)::numeric, 1) AS "µs per row",
       round((r.cpu_ms / b.cpu_ms)::numeric, 2) AS "x bare",
       CASE WHEN r.op = 'bare' THEN '' ELSE round((1000 * (r.cpu_ms - b.cpu_ms) / r.ops)::numeric, 1)::text END
           AS "search's µs per row",
       round(100 * r.spread::numeric) AS "spread %"
  FROM bench.case_result r JOIN bench.case_result b ON b.grp = r.grp AND b.op = 'bare'
 ORDER BY r.grp, r.ord;

\pset tuples_only on
SELECT format('noise: largest (max - min) / min of any reader cell: %s %%', round(100 * max(spread)::numeric))
  FROM bench.result;
\pset tuples_only off

\echo
\echo 'plans at' :invoices 'invoices, org-0007: pg_trgm (rare, common, two-letter), then the signatures (rare)'
SELECT 'EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, COSTS OFF) ' || sql FROM sb.cases
 WHERE (variant = 'pg_trgm' AND op <> 'absent') OR (variant = 'signatures' AND op = 'rare')
 ORDER BY variant, ord \gexec
