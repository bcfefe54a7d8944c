-- test/bench/reports.bench.sql: the finance reports against the least a database can do.
--
-- Data: :invoices issued invoices (BENCH_INVOICES, default 1,000,000) over 1,000
-- organisations and 24 months (January 2025 to December 2026), two lines each.
-- Organisations 1-900 are billed GST in INR (a third of them registered: b2b; half of
-- the rest in the supplier's state: CGST + SGST, the others IGST), 901-1000 in USD
-- without tax.  Line 1 at 18 % (100.00 to 1,50,000.00: some invoices are b2cl), line 2
-- at 5 %.  One invoice in 100 is cancelled 3 days after issue; 7 in 10 are paid in full
-- (0 to 39 days after issue; less any credit note); one in 50 (all paid) gets an issued credit note of a
-- tenth of its first line 10 days after issue.  BENCH_ROWS is not used here.
-- About 5 minutes on 2 CPUs with BENCH_REPS=3 (the GSTR-1 report is most of it).
--
-- The rows are written set-based with every trigger off (session_replication_role =
-- replica and DISABLE TRIGGER USER), their derived amounts computed in the same INSERT
-- as invoice_compute would (line rounding, no round-off): the reports only read them.
--
-- Measured (each a read-only statement; the floor and the report alternate within each
-- round; reported: the fastest or the median run, as BENCH_STAT says, of on-CPU time):
--   statement   invoice.statement(org, 2026-01-01, 2027-01-01, 'INR') for :sample_orgs
--               organisations, against a bare index scan of the same organisations'
--               documents it reads (every invoice, payment, credit note and cancellation
--               before the period's end: the opening balance needs them), by the
--               (org_id, ...) primary keys.                        Target: ≤ 3× the floor.
--   aging       invoice.receivables_aging(2026-07-01), against the bare SQL aggregate of
--               the same rows (what each invoice still owed then, from its total, the
--               payments and credit notes before the date; bucketed; per organisation and
--               currency and per currency) in bigint.               Target: ≤ 2× the floor.
--   revenue     invoice.revenue_by_month for June 2026 (WHERE month = '2026-06-01'),
--               against GROUP BY currency × product group × region × usage type over
--               the month's lines (and credit notes).              Target: ≤ 2× the floor.
--   gstr1       invoice.gstr1(supplier GSTIN, '062026'), against the bare aggregate of
--               the month's GST invoice lines per invoice and rate (with their tax), its
--               credit note lines per note and rate and its documents per series.
--                                                                   Target: ≤ 2× the floor.

CREATE EXTENSION invoice CASCADE;
CREATE EXTENSION pg_prewarm;
SET search_path = public, invoice;      -- cents operators

\getenv invoices BENCH_INVOICES
\if :{?invoices}
\else
\set invoices 1000000
\endif
\set sample_orgs 20
\echo invoices :invoices over 1000 organisations, 24 months; statement sample :sample_orgs organisations

CREATE SCHEMA rb;
SET work_mem = '1GB';
SELECT setseed(0.16) \g /dev/null

-- Data ---------------------------------------------------------------------

\echo building the data ...
\timing on
INSERT INTO invoice.supplier (legal_name, gstin, state_code) VALUES ('Bench Cloud Pvt Ltd', '29AAACI1681G1ZL', '29');

INSERT INTO invoice.orgs (org_id, name, billing_email, gstin, billing_state, payment_terms_days, created_at)
SELECT format('org-%s', lpad(o::text, 4, '0')), format('Organisation %s', o), format('billing@org%s.example', o),
       CASE WHEN o <= 900 AND o % 3 = 0 THEN '27AAPFU0939F1ZV' END,
       CASE WHEN o > 900 THEN NULL WHEN o % 3 = 0 OR o % 2 = 1 THEN '27' ELSE '29' END,
       30, '2024-12-01 00:00:00+00'
FROM generate_series(1, 1000) o;

-- One row per invoice with everything derived; dates rise with n.
CREATE TABLE rb.inv AS
WITH base AS (
    SELECT n, 1 + (n - 1) % 1000 AS o,
           ('2025-01-01 00:00:00+00'::timestamptz + make_interval(months => ((n - 1) / p)::int)) AS month_start,
           make_interval(secs => ((n - 1) % p) * 27 * 86400.0 / p + 9 * 3600) AS into_month,
           (1000000 + floor(random() * 14000000))::bigint AS a1,
           (10000 + floor(random() * 490000))::bigint AS a2
      FROM (SELECT (:invoices + 23) / 24 AS p) s, generate_series(1, :invoices) n
), x AS (
    SELECT b.*, b.month_start + b.into_month AS invoice_date, b.o <= 900 AS gst,
           CASE WHEN b.o > 900 THEN NULL WHEN b.o % 3 = 0 OR b.o % 2 = 1 THEN '27' ELSE '29' END AS pos,
           extract(year FROM b.month_start - interval '3 months')::int % 100 AS fy
      FROM base b
), t AS (
    SELECT x.*, x.pos = '29' AS intra,
           CASE WHEN NOT x.gst THEN 0 WHEN x.pos = '29' THEN 2 * round(x.a1 * 18 / 200.0) ELSE round(x.a1 * 18 / 100.0) END::bigint AS t1,
           CASE WHEN NOT x.gst THEN 0 WHEN x.pos = '29' THEN 2 * round(x.a2 * 5 / 200.0) ELSE round(x.a2 * 5 / 100.0) END::bigint AS t2
      FROM x
)
SELECT t.n, format('org-%s', lpad(t.o::text, 4, '0')) AS org_id, 'inv-' || t.n AS id,
       format('INV/%s%s/%s', t.fy, t.fy + 1, lpad((row_number() OVER (PARTITION BY t.fy ORDER BY t.n))::text, 7, '0')) AS number,
       t.month_start, t.invoice_date, t.gst, t.pos, CASE WHEN t.gst THEN t.intra END AS intra,
       CASE WHEN t.gst THEN 'INR' ELSE 'USD' END AS currency, t.a1, t.a2, t.t1, t.t2,
       t.a1 + t.a2 AS usage, t.t1 + t.t2 AS tax, t.a1 + t.a2 + t.t1 + t.t2 AS total,
       CASE WHEN t.n % 100 = 0 THEN 'cancelled' WHEN t.n % 10 < 7 THEN 'paid' ELSE 'pending' END AS status,
       t.n % 50 = 3 AS credited, t.fy
  FROM t;

CREATE TABLE rb.cn AS
SELECT v.n, v.org_id, 'cn-' || v.n AS credit_note_id, v.id AS invoice_id,
       format('CN/%s%s/%s', v.fy, v.fy + 1, lpad((row_number() OVER (PARTITION BY v.fy ORDER BY v.n))::text, 6, '0')) AS number,
       v.invoice_date + interval '10 days' AS issued_at, v.a1 / 10 AS taxable,
       CASE WHEN NOT v.gst THEN 0 WHEN v.intra THEN round(v.a1 / 10 * 18 / 200.0) ELSE 0 END::bigint AS half,
       CASE WHEN v.gst AND NOT v.intra THEN round(v.a1 / 10 * 18 / 100.0) ELSE 0 END::bigint AS igst,
       v.gst
  FROM rb.inv v WHERE v.credited AND v.status <> 'cancelled';
ALTER TABLE rb.cn ADD COLUMN tax bigint;
UPDATE rb.cn SET tax = 2 * half + igst;

SET session_replication_role = replica;     -- no foreign-key checks either: the rows are consistent by construction
ALTER TABLE invoice.invoices DISABLE TRIGGER USER;
ALTER TABLE invoice.line_items DISABLE TRIGGER USER;
ALTER TABLE invoice.payments DISABLE TRIGGER USER;
ALTER TABLE invoice.credit_notes DISABLE TRIGGER USER;
ALTER TABLE invoice.credit_note_lines DISABLE TRIGGER USER;

INSERT INTO invoice.invoices (org_id, id, series, number, description, period_start, period_end, invoice_date, due_date,
                              currency, status, status_reason, tax_rate, gst, place_of_supply, gst_intra_state,
                              usage_amount, subtotal, tax, total, already_billed_amount, credited_amount, amount_due,
                              created_at, updated_at, issued_at, paid_at, cancelled_at, tax_rounding, total_rounding)
SELECT v.org_id, v.id, 'INV', v.number, 'cloud usage', v.month_start - interval '1 month', v.month_start,
       v.invoice_date, v.invoice_date + interval '30 days', v.currency, v.status::invoice.status,
       CASE v.status WHEN 'cancelled' THEN 'raised in error' WHEN 'paid' THEN 'paid' ELSE 'issued' END,
       CASE WHEN v.gst THEN 18 ELSE 0 END, v.gst, v.pos, v.intra,
       v.usage::cents, v.usage::cents, v.tax::cents, v.total::cents,
       CASE WHEN v.status = 'paid' THEN v.total - coalesce(c.total, 0) ELSE 0 END::cents,
       coalesce(c.total, 0)::cents,
       CASE WHEN v.status = 'pending' THEN v.total - coalesce(c.total, 0) ELSE 0 END::cents,
       v.invoice_date, v.invoice_date, v.invoice_date,
       CASE WHEN v.status = 'paid' THEN v.invoice_date + make_interval(days => (v.n % 40)::int) END,
       CASE WHEN v.status = 'cancelled' THEN v.invoice_date + interval '3 days' END,
       'line', 'none'
  FROM rb.inv v LEFT JOIN (SELECT n, taxable + tax AS total FROM rb.cn) c ON c.n = v.n
 ORDER BY v.org_id, v.id;

INSERT INTO invoice.line_items (org_id, invoice_id, line_id, description, units, rate, amount, tax_rate,
                                product_group, product_name, region, usage_type, hsn_sac)
OVERRIDING SYSTEM VALUE
SELECT v.org_id, v.id, 2 * v.n - 2 + l, CASE l WHEN 1 THEN 'compute' ELSE 'storage' END, 1,
       (CASE l WHEN 1 THEN v.a1 ELSE v.a2 END) / 100.0, CASE l WHEN 1 THEN v.a1 ELSE v.a2 END::cents,
       CASE WHEN l = 2 AND v.gst THEN 5 END,
       CASE l WHEN 1 THEN 'compute' ELSE 'storage' END, format('instance-%s', v.n % 4),
       (ARRAY['ap-south-1', 'us-east-1', 'eu-west-1'])[1 + v.n % 3], CASE l WHEN 1 THEN 'hours' ELSE 'gb-month' END,
       CASE WHEN v.gst THEN '998315' END
  FROM rb.inv v CROSS JOIN generate_series(1, 2) l
 ORDER BY v.org_id, 2 * v.n - 2 + l;

INSERT INTO invoice.payments (org_id, invoice_id, payment_id, amount, method, provider_ref, paid_at)
OVERRIDING SYSTEM VALUE
SELECT i.org_id, i.id, v.n, i.already_billed_amount, 'upi', 'pay-' || v.n, i.paid_at
  FROM rb.inv v JOIN invoice.invoices i ON i.org_id = v.org_id AND i.id = v.id
 WHERE v.status = 'paid'
 ORDER BY i.org_id, v.n;

INSERT INTO invoice.credit_notes (org_id, credit_note_id, invoice_id, number, status, reason, description, note_date,
                                  taxable_value, cgst, sgst, igst, tax, total, created_at, issued_at)
SELECT c.org_id, c.credit_note_id, c.invoice_id, c.number, 'issued', 'wrong_rate', 'rate corrected',
       (c.issued_at AT TIME ZONE 'UTC')::date, c.taxable::cents, c.half::cents, c.half::cents,
       c.igst::cents, c.tax::cents, (c.taxable + c.tax)::cents, c.issued_at, c.issued_at
  FROM rb.cn c ORDER BY c.org_id, c.credit_note_id;

INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount, tax_rate, hsn_sac,
                                       cgst, sgst, igst, tax, line_id)
SELECT c.org_id, c.credit_note_id, 'rate corrected', c.taxable::cents, CASE WHEN c.gst THEN 18 END,
       CASE WHEN c.gst THEN '998315' END, c.half::cents, c.half::cents, c.igst::cents,
       c.tax::cents, 2 * c.n - 1
  FROM rb.cn c ORDER BY c.org_id, c.credit_note_id;

ALTER TABLE invoice.invoices ENABLE TRIGGER USER;
ALTER TABLE invoice.line_items ENABLE TRIGGER USER;
ALTER TABLE invoice.payments ENABLE TRIGGER USER;
ALTER TABLE invoice.credit_notes ENABLE TRIGGER USER;
ALTER TABLE invoice.credit_note_lines ENABLE TRIGGER USER;
RESET session_replication_role;

VACUUM (FREEZE, ANALYZE) invoice.supplier, invoice.orgs, invoice.invoices, invoice.line_items, invoice.payments,
                         invoice.credit_notes, invoice.credit_note_lines;
\timing off

SELECT currency, status, count(*) AS invoices, count(*) FILTER (WHERE credited_amount > '0') AS credited,
       sum(total) AS total
  FROM invoice.invoices GROUP BY 1, 2 ORDER BY 1, 2;
SELECT (SELECT count(*) FROM invoice.line_items) AS lines, (SELECT count(*) FROM invoice.payments) AS payments,
       (SELECT count(*) FROM invoice.credit_notes) AS credit_notes;

SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid)) AS size, pg_prewarm(c.oid) AS pages_prewarmed
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'invoice' AND c.relkind IN ('r', 'i')
  AND c.relname ~ '^(invoices|line_items|payments|credit_note|orgs)'
ORDER BY pg_relation_size(c.oid) DESC;

-- The measurements: each a view with one column x that the timed statement counts ----------

-- The statement's organisations: spread over the INR ones (the statement's currency).
CREATE TABLE rb.sample_orgs AS
SELECT format('org-%s', lpad(o::text, 4, '0')) AS org_id
  FROM generate_series(1, :sample_orgs) k, LATERAL (SELECT 1 + (k * 887) % 900 AS o) s;

CREATE VIEW rb.statement_floor AS
SELECT d.n AS x
  FROM rb.sample_orgs o
 CROSS JOIN LATERAL (
       SELECT count(*) AS n, sum(e.amount) AS amount
         FROM (SELECT i.total::bigint AS amount FROM invoice.invoices i
                WHERE i.org_id = o.org_id AND i.currency = 'INR' AND i.issued_at < '2027-01-01 00:00:00+00'
               UNION ALL
               SELECT p.amount::bigint FROM invoice.payments p
                WHERE p.org_id = o.org_id AND p.paid_at < '2027-01-01 00:00:00+00'
               UNION ALL
               SELECT n.total::bigint FROM invoice.credit_notes n
                WHERE n.org_id = o.org_id AND n.status = 'issued' AND n.issued_at < '2027-01-01 00:00:00+00'
               UNION ALL
               SELECT - i.total::bigint FROM invoice.invoices i
                WHERE i.org_id = o.org_id AND i.currency = 'INR' AND i.status = 'cancelled'
                  AND i.cancelled_at < '2027-01-01 00:00:00+00') e) d;
CREATE VIEW rb.statement_report AS
SELECT invoice.statement(o.org_id, '2026-01-01 00:00:00+00', '2027-01-01 00:00:00+00', 'INR') AS x
  FROM rb.sample_orgs o;

CREATE VIEW rb.aging_floor AS
SELECT a.total AS x
  FROM (SELECT r.org_id, r.currency,
               sum(r.due) FILTER (WHERE r.days <= 0) AS b0,
               sum(r.due) FILTER (WHERE r.days BETWEEN 1 AND 30) AS b1,
               sum(r.due) FILTER (WHERE r.days BETWEEN 31 AND 60) AS b2,
               sum(r.due) FILTER (WHERE r.days BETWEEN 61 AND 90) AS b3,
               sum(r.due) FILTER (WHERE r.days > 90) AS b4,
               sum(r.due) AS total, count(*) AS n
          FROM (SELECT i.org_id, i.currency,
                       greatest(i.total::bigint - i.advance_pay_amount::bigint - coalesce(p.paid, 0) - coalesce(c.credited, 0), 0) AS due,
                       ceil(extract(epoch FROM '2026-07-01 00:00:00+00' - i.due_date) / 86400) AS days
                  FROM invoice.invoices i
                  LEFT JOIN (SELECT p.org_id, p.invoice_id, sum(p.amount::bigint) AS paid FROM invoice.payments p
                              WHERE p.paid_at < '2026-07-01 00:00:00+00' GROUP BY 1, 2) p
                         ON p.org_id = i.org_id AND p.invoice_id = i.id
                  LEFT JOIN (SELECT n.org_id, n.invoice_id, sum(n.total::bigint) AS credited FROM invoice.credit_notes n
                              WHERE n.status = 'issued' AND n.issued_at < '2026-07-01 00:00:00+00' GROUP BY 1, 2) c
                         ON c.org_id = i.org_id AND c.invoice_id = i.id
                 WHERE i.issued_at < '2026-07-01 00:00:00+00'
                   AND (i.cancelled_at IS NULL OR i.cancelled_at >= '2026-07-01 00:00:00+00')) r
         WHERE r.due > 0
         GROUP BY GROUPING SETS ((r.org_id, r.currency), (r.currency))) a;
CREATE VIEW rb.aging_report AS
SELECT a.total AS x FROM invoice.receivables_aging('2026-07-01 00:00:00+00') a;

CREATE VIEW rb.revenue_floor AS
SELECT r.amount AS x
  FROM (SELECT i.currency, l.product_group, l.region, l.usage_type, sum(l.amount::bigint) AS amount
          FROM invoice.invoices i
          JOIN invoice.line_items l ON l.org_id = i.org_id AND l.invoice_id = i.id
         WHERE i.issued_at IS NOT NULL AND i.status <> 'cancelled'
           AND (date_trunc('month', i.invoice_date AT TIME ZONE 'UTC'))::date = '2026-06-01'
         GROUP BY 1, 2, 3, 4
        UNION ALL
        SELECT i.currency, NULL, NULL, NULL, sum(n.taxable_value::bigint)
          FROM invoice.credit_notes n
          JOIN invoice.invoices i ON i.org_id = n.org_id AND i.id = n.invoice_id
         WHERE n.status = 'issued' AND n.note_date >= '2026-06-01' AND n.note_date < '2026-07-01'
         GROUP BY 1) r;
CREATE VIEW rb.revenue_report AS
SELECT r.net AS x FROM invoice.revenue_by_month r WHERE r.month = '2026-06-01';

CREATE VIEW rb.gstr1_floor AS
SELECT g.v AS x
  FROM (SELECT i.org_id, i.id, coalesce(l.tax_rate, i.tax_rate) AS rt, sum(l.amount::bigint) AS v,
               sum(round(l.amount::bigint * coalesce(l.tax_rate, i.tax_rate) / 100)) AS tax
          FROM invoice.invoices i
          JOIN invoice.line_items l ON l.org_id = i.org_id AND l.invoice_id = i.id
         WHERE i.gst AND i.issued_at IS NOT NULL AND i.status <> 'cancelled'
           AND (date_trunc('month', i.invoice_date AT TIME ZONE 'UTC'))::date = '2026-06-01'
         GROUP BY 1, 2, 3
        UNION ALL
        SELECT n.org_id, n.credit_note_id, l.tax_rate, sum(l.amount::bigint), sum(l.tax::bigint)
          FROM invoice.credit_notes n
          JOIN invoice.credit_note_lines l ON l.org_id = n.org_id AND l.credit_note_id = n.credit_note_id
         WHERE n.status = 'issued' AND n.note_date >= '2026-06-01' AND n.note_date < '2026-07-01'
         GROUP BY 1, 2, 3
        UNION ALL
        SELECT NULL, i.series, NULL, count(*), count(*) FILTER (WHERE i.status = 'cancelled')
          FROM invoice.invoices i
         WHERE i.number IS NOT NULL
           AND (date_trunc('month', i.invoice_date AT TIME ZONE 'UTC'))::date = '2026-06-01'
         GROUP BY 2) g;
CREATE VIEW rb.gstr1_report AS
SELECT invoice.gstr1('29AAACI1681G1ZL', '062026') AS x;

-- What the reports return, once (so that a report of nothing would show).
SELECT (SELECT count(x) FROM rb.statement_report) AS statements,
       (SELECT count(x) FROM rb.aging_report) AS aging_rows,
       (SELECT count(x) FROM rb.revenue_report) AS revenue_rows,
       (SELECT length(x::text) FROM rb.gstr1_report) AS gstr1_json_chars;
-- The floors and the reports agree where they add up the same thing.
SELECT (SELECT sum(x) FROM rb.aging_floor) = (SELECT sum(x::bigint) FROM rb.aging_report) AS aging_totals_agree,
       (SELECT sum(x) FILTER (WHERE true) FROM rb.revenue_floor)
         = (SELECT sum(r.issued::bigint) + sum(r.credited::bigint) FROM invoice.revenue_by_month r WHERE r.month = '2026-06-01')
         AS revenue_sums_agree;

-- Timings --------------------------------------------------------------------

SET bench.clock = 'cpu';
\echo timing (:reps runs after a warm-up each) ...
CALL bench.measure('statement', 'SELECT count(x) FROM rb.%s', '{statement_floor,statement_report}');
CALL bench.measure('aging', 'SELECT count(x) FROM rb.%s', '{aging_floor,aging_report}');
CALL bench.measure('revenue', 'SELECT count(x) FROM rb.%s', '{revenue_floor,revenue_report}');
CALL bench.measure('gstr1', 'SELECT count(x) FROM rb.%s', '{gstr1_floor,gstr1_report}');

-- Report ---------------------------------------------------------------------

\echo
\echo 'invoices:' :invoices '(1000 organisations, 24 months);' :stat 'of' :reps 'runs; ms = backend on-CPU time (wall in its own column)'
SELECT r.op AS report, f.ms::numeric(12, 1) AS "floor ms", r.ms::numeric(12, 1) AS "report ms",
       (r.ms / f.ms)::numeric(8, 2) AS "x floor",
       CASE r.op WHEN 'statement' THEN 3 ELSE 2 END AS target,
       CASE WHEN r.ms <= CASE r.op WHEN 'statement' THEN 3 ELSE 2 END * f.ms THEN 'met' ELSE 'MISSED' END AS verdict,
       ((SELECT min(wall_ms) FROM bench.sample s WHERE s.op = r.op AND s.variant = r.variant)
        / (SELECT min(wall_ms) FROM bench.sample s WHERE s.op = f.op AND s.variant = f.variant))::numeric(8, 2) AS "x floor (wall)",
       (100 * greatest(r.spread, f.spread))::numeric(6, 0) AS "spread %"
  FROM bench.result r
  JOIN bench.result f ON f.op = r.op AND f.variant LIKE '%floor'
 WHERE r.variant LIKE '%report'
 ORDER BY array_position('{statement,aging,revenue,gstr1}', r.op);
