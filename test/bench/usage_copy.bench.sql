-- test/bench/usage_copy.bench.sql: loading usage records, and generating invoices from them.
--
-- Data: :records usage records (BENCH_USAGE_RECORDS, default 1,000,000) of :orgs
-- organisations (BENCH_USAGE_ORGS, default 10,000), five products (per unit, graduated,
-- volume, package, per unit with a free allowance), two resources per organisation, usage
-- spread over January 2026, written once to a file.  BENCH_ROWS is not used.
--
-- Loading (target: COPY into usage_records <= 1.5x the same COPY into a bare table):
--   bare       COPY into a table with the same columns and nothing else (LIKE, no keys)
--   bare_pk    ... with the primary key (org_id, idempotency_key) only
--   usage      COPY into invoice.usage_records: the primary key and the gate trigger
--              (organisation and product looked up once per statement, one index probe
--              per record for its key, the statement's load batch stamped)
--   resend     the same COPY again into the loaded table: every record is skipped
--   inbox      COPY into invoice.usage_inbox (issue #15's loading interface: no key, no
--              index, no row trigger; target <= 1.5x bare)
-- The work the inbox does not do at COPY time, measured on its own (README "Benchmarks"):
--   ingest         usage_ingest() of the 1,000,000 rows COPYed into the inbox (untimed) into
--                  the empty usage_records: checks, grouping by key, key-ordered inserts
--   ingest_resend  the same file into the inbox again (untimed), then usage_ingest() into
--                  the loaded usage_records: every row is the same record, nothing loaded
-- Generation (target: invoice_generate <= 2x the floor):
--   floor      the bare GROUP BY that sums the records per organisation, product and resource
--   write_floor the floor's GROUP BY and its result written bare, in one statement: an invoice
--              per organisation and a line per group, into copies of invoice.invoices and
--              invoice.line_items (LIKE ... INCLUDING ALL: the same indexes, defaults, identity
--              and CHECKs; no triggers, no foreign keys): what 10,000 real drafts and their
--              100,000 lines cost to write at all, whatever computes them
--   generate   invoice_generate over the period: 10,000 drafts, their lines, the load batches
--              noted on usage_invoices (records are not rewritten)
--   one_org    invoice_generate for one organisation (an index scan of its records)
--   split      invoice_generate when every product's price changes on 2026-01-16 (set up
--              untimed): every line's records straddle a price boundary, so every record
--              is also rated one by one (the second pass the usual case does not make),
--              and each line becomes two
-- Every run is one statement in a transaction rolled back (bench.run), so each starts from
-- the same state.  The file holds a sender's twelve columns; every COPY names them.

CREATE EXTENSION invoice CASCADE;
CREATE EXTENSION pg_prewarm;
SET search_path = public, invoice;

\getenv records BENCH_USAGE_RECORDS
\if :{?records}
\else
\set records 1000000
\endif
\getenv orgs BENCH_USAGE_ORGS
\if :{?orgs}
\else
\set orgs 10000
\endif
SELECT '/tmp/invoice_bench_usage_' || pg_backend_pid() || '.tsv' AS file \gset
\echo records :records, organisations :orgs, file :file

INSERT INTO invoice.orgs (org_id, name) SELECT 'org-' || g, 'Organisation ' || g FROM generate_series(1, :orgs) g;
INSERT INTO invoice.products (product_id, product_group, product_line, product_name, region, usage_type, unit, currency, hsn_sac, gst_rate) VALUES
    ('vm', 'Compute', 'Virtual Machines', 'C3.8GB', 'Delhi', 'VM-hours', 'hour', 'USD', '998315', 18),
    ('egress', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'GB', 'USD', '998315', 18),
    ('storage', 'Storage', 'Block', 'SSD', 'Delhi', 'GB-month', 'GB-month', 'USD', '998315', 18),
    ('requests', 'Delivery', 'CDN', 'Requests', 'Global', 'requests', '10k requests', 'USD', '998315', 18),
    ('snapshots', 'Storage', 'Backup', 'Snapshots', 'Delhi', 'GB-month', 'GB-month', 'USD', '998315', 18);
INSERT INTO invoice.prices (product_id, effective_from, model, rate, package_size, free_units, tier_up_to, tier_rate) VALUES
    ('vm', '2025-01-01', 'per_unit', 0.000463, NULL, 0, NULL, NULL),
    ('egress', '2025-01-01', 'graduated', NULL, NULL, 0, '{1000,10000,NULL}', '{0.09,0.05,0.02}'),
    ('storage', '2025-01-01', 'volume', NULL, NULL, 0, '{100,NULL}', '{0.1,0.08}'),
    ('requests', '2025-01-01', 'package', 5, 1000, 0, NULL, NULL),
    ('snapshots', '2025-01-01', 'per_unit', 0.05, NULL, 10, NULL, NULL);

CREATE SCHEMA ub;
CREATE TABLE ub.bare (LIKE invoice.usage_records);
CREATE TABLE ub.bare_pk (LIKE invoice.usage_records INCLUDING INDEXES);
-- load_batch is NOT NULL in usage_records, where the trigger sets it; the file has none
ALTER TABLE ub.bare ALTER COLUMN load_batch DROP NOT NULL;
ALTER TABLE ub.bare_pk ALTER COLUMN load_batch DROP NOT NULL;

COPY (SELECT 'org-' || (1 + g % :orgs), 'rec-' || g, p.product_group, p.product_line, p.product_name, p.region, p.usage_type,
             'vm', 'vm-' || (g / (:orgs * 5) % 2), (1 + g % 97) * 1.25,
             timestamptz '2026-01-01 00:00:00+00' + (g % 743) * interval '1 hour',
             timestamptz '2026-01-01 01:00:00+00' + (g % 743) * interval '1 hour'
        FROM generate_series(1, :records) g
        JOIN (SELECT row_number() OVER (ORDER BY product_id) - 1 AS k, * FROM invoice.products) p ON p.k = g / :orgs % 5)
  TO :'file';

-- the file holds a sender's twelve columns; every COPY names them
\set cols '(org_id, idempotency_key, product_group, product_line, product_name, region, usage_type, resource_type, resource_name, quantity, usage_start, usage_end)'

INSERT INTO bench.cases (grp, ord, op, setup, stmt, check_sql, per) VALUES
    ('copy', 1, 'bare', NULL, format('COPY ub.bare %s FROM %L', :'cols', :'file'),
     format('SELECT count(*) = %s FROM ub.bare', :records), :records),
    ('copy', 2, 'bare_pk', NULL, format('COPY ub.bare_pk %s FROM %L', :'cols', :'file'),
     format('SELECT count(*) = %s FROM ub.bare_pk', :records), :records),
    ('copy', 3, 'usage', NULL, format('COPY invoice.usage_records %s FROM %L', :'cols', :'file'),
     format('SELECT count(*) = %s FROM invoice.usage_records', :records), :records),
    ('copy', 5, 'inbox', NULL, format('COPY invoice.usage_inbox %s FROM %L', :'cols', :'file'),
     format('SELECT count(*) = %s FROM invoice.usage_inbox', :records), :records),
    ('copy', 6, 'ingest', format('COPY invoice.usage_inbox %s FROM %L', :'cols', :'file'),
     'SELECT invoice.usage_ingest()',
     format('SELECT count(*) = %s FROM invoice.usage_records WHERE NOT EXISTS (SELECT FROM invoice.usage_inbox)', :records),
     :records);

\echo loading (each COPY in a transaction rolled back; :reps runs after a warm-up)
SELECT format('CALL bench.run(%L, %L, %s)', c.grp, c.op, r) AS call
  FROM generate_series(0, :reps) r, bench.cases c WHERE c.grp = 'copy' ORDER BY r, c.ord \gexec

-- the loaded table, kept: the re-send and the generation start from it
COPY invoice.usage_records :cols FROM :'file';
VACUUM ANALYZE invoice.usage_records;
SELECT pg_prewarm('invoice.usage_records'), pg_prewarm('invoice.usage_records_pkey');

-- the write floor's tables: the invoices' and lines' columns, indexes, defaults and CHECKs
CREATE TABLE ub.invoices (LIKE invoice.invoices INCLUDING ALL);
CREATE TABLE ub.line_items (LIKE invoice.line_items INCLUDING ALL);

INSERT INTO bench.cases (grp, ord, op, setup, stmt, check_sql, per) VALUES
    ('copy', 4, 'resend', NULL, format('COPY invoice.usage_records %s FROM %L', :'cols', :'file'),
     format('SELECT count(*) = %s FROM invoice.usage_records', :records), :records),
    ('copy', 7, 'ingest_resend', format('COPY invoice.usage_inbox %s FROM %L', :'cols', :'file'),
     'SELECT invoice.usage_ingest()',
     format('SELECT count(*) = %s FROM invoice.usage_records WHERE NOT EXISTS (SELECT FROM invoice.usage_inbox)', :records),
     :records),
    ('generate', 1, 'floor', NULL,
     $$SELECT org_id, product_group, product_line, product_name, region, usage_type, resource_type, resource_name, sum(quantity)
         FROM invoice.usage_records WHERE usage_start < '2026-02-01'
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8$$, NULL, :records),
    ('generate', 2, 'write_floor', NULL,
     $$WITH g AS MATERIALIZED (
           SELECT org_id, product_group, product_line, product_name, region, usage_type, resource_type, resource_name,
                  sum(quantity) AS quantity, min(usage_start) AS usage_start, max(usage_end) AS usage_end
             FROM invoice.usage_records WHERE usage_start < '2026-02-01'
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8),
       made AS (
           INSERT INTO ub.invoices (org_id, description, period_start, period_end, currency)
           SELECT DISTINCT org_id, 'Usage 2026-01-01 to 2026-01-31', timestamptz '2026-01-01', timestamptz '2026-02-01', 'USD'
             FROM g RETURNING org_id, id),
       lines AS (
           INSERT INTO ub.line_items (org_id, invoice_id, description, units, rate, amount, tax_rate,
                                      product_group, product_line, product_name, region, usage_type,
                                      resource_type, resource_name, usage_start, usage_end, hsn_sac)
           SELECT g.org_id, m.id, g.product_name || ': ' || g.resource_name, g.quantity, 0.05, cents_round(g.quantity * 0.05), 18,
                  g.product_group, g.product_line, g.product_name, g.region, g.usage_type,
                  g.resource_type, g.resource_name, g.usage_start, g.usage_end, '998315'
             FROM g JOIN made m ON m.org_id = g.org_id RETURNING 1)
       SELECT count(*) FROM lines$$,
     format('SELECT count(*) = %s FROM ub.invoices', :orgs), :records),
    ('generate', 3, 'generate', NULL, $$SELECT invoice.invoice_generate('2026-01-01', '2026-02-01')$$,
     format('SELECT count(*) = %s FROM invoice.invoices', :orgs), :records),
    ('generate', 4, 'one_org', NULL, $$SELECT invoice.invoice_generate('2026-01-01', '2026-02-01', 'org-42')$$,
     $$SELECT count(*) = 1 FROM invoice.invoices$$, 1),
    ('generate', 5, 'split', $$INSERT INTO invoice.prices (product_id, effective_from, model, rate, package_size, free_units,
                                                          tier_up_to, tier_rate, tier_flat)
                                SELECT product_id, '2026-01-16', model, rate, package_size, free_units, tier_up_to, tier_rate, tier_flat
                                  FROM invoice.prices$$,
     $$SELECT invoice.invoice_generate('2026-01-01', '2026-02-01')$$,
     format('SELECT count(*) = %s FROM invoice.invoices', :orgs), :records);

\echo re-send and generation
SELECT format('CALL bench.run(%L, %L, %s)', c.grp, c.op, r) AS call
  FROM generate_series(0, :reps) r, bench.cases c WHERE c.grp = 'generate' OR c.op IN ('resend', 'ingest_resend')
 ORDER BY r, c.grp, c.ord \gexec

\echo
\echo Results (backend CPU ms; :stat of the runs)
SELECT grp, op, round(cpu_ms::numeric, 1) AS cpu_ms, round(wall_ms::numeric, 1) AS wall_ms,
       round((cpu_ms * 1000 / ops)::numeric, 3) AS cpu_us_per_record, round(spread::numeric, 2) AS spread, runs
  FROM bench.case_result ORDER BY grp, ord;
SELECT 'usage / bare' AS ratio, round((u.cpu_ms / b.cpu_ms)::numeric, 2) AS cpu, 'target <= 1.5' AS target
  FROM bench.case_result u, bench.case_result b WHERE u.op = 'usage' AND b.op = 'bare'
UNION ALL
SELECT 'bare_pk / bare', round((u.cpu_ms / b.cpu_ms)::numeric, 2), 'what the key alone costs'
  FROM bench.case_result u, bench.case_result b WHERE u.op = 'bare_pk' AND b.op = 'bare'
UNION ALL
SELECT 'usage / bare_pk', round((u.cpu_ms / b.cpu_ms)::numeric, 2), 'what the trigger costs'
  FROM bench.case_result u, bench.case_result b WHERE u.op = 'usage' AND b.op = 'bare_pk'
UNION ALL
SELECT 'resend / bare', round((u.cpu_ms / b.cpu_ms)::numeric, 2), 'a re-sent batch'
  FROM bench.case_result u, bench.case_result b WHERE u.op = 'resend' AND b.op = 'bare'
UNION ALL
SELECT 'inbox / bare', round((u.cpu_ms / b.cpu_ms)::numeric, 2), 'target <= 1.5 (the loading interface)'
  FROM bench.case_result u, bench.case_result b WHERE u.op = 'inbox' AND b.op = 'bare'
UNION ALL
SELECT 'ingest / usage', round((u.cpu_ms / b.cpu_ms)::numeric, 2), 'the work moved out of COPY, against COPY into usage_records'
  FROM bench.case_result u, bench.case_result b WHERE u.op = 'ingest' AND b.op = 'usage'
UNION ALL
SELECT '(inbox + ingest) / usage', round(((i.cpu_ms + u.cpu_ms) / b.cpu_ms)::numeric, 2), 'the whole way into usage_records'
  FROM bench.case_result i, bench.case_result u, bench.case_result b
 WHERE i.op = 'inbox' AND u.op = 'ingest' AND b.op = 'usage'
UNION ALL
SELECT 'ingest_resend / resend', round((u.cpu_ms / b.cpu_ms)::numeric, 2), 'a re-sent batch, through the inbox'
  FROM bench.case_result u, bench.case_result b WHERE u.op = 'ingest_resend' AND b.op = 'resend'
UNION ALL
SELECT 'generate / floor', round((u.cpu_ms / b.cpu_ms)::numeric, 2), 'target <= 2'
  FROM bench.case_result u, bench.case_result b WHERE u.op = 'generate' AND b.op = 'floor'
UNION ALL
SELECT 'write_floor / floor', round((u.cpu_ms / b.cpu_ms)::numeric, 2), 'writing the drafts and lines bare'
  FROM bench.case_result u, bench.case_result b WHERE u.op = 'write_floor' AND b.op = 'floor'
UNION ALL
SELECT 'generate / write_floor', round((u.cpu_ms / b.cpu_ms)::numeric, 2), 'what the invoice machinery adds'
  FROM bench.case_result u, bench.case_result b WHERE u.op = 'generate' AND b.op = 'write_floor'
UNION ALL
SELECT 'split / floor', round((u.cpu_ms / b.cpu_ms)::numeric, 2), 'every line split by a price change'
  FROM bench.case_result u, bench.case_result b WHERE u.op = 'split' AND b.op = 'floor';
\! rm -f /tmp/invoice_bench_usage_*.tsv
