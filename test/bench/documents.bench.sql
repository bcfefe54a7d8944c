-- test/bench/documents.bench.sql: documents per second, and memory that stays put.
--
-- Data: one organisation, a 10-line and a 300-line invoice (both issued, a
-- credit and a payment each, usage periods and resources on every line), a
-- GST tax invoice of 10 lines (its GST summary is one more query), and 100
-- more 10-line invoices for the archive.  BENCH_ROWS (the harness's :rows) is
-- not used; BENCH_DOC_CALLS (environment) sets the memory run's calls,
-- default 10000.
--
-- Timed with bench.measure (lib.sql), on the backend's CPU clock (rendering
-- happens in the backend, nothing runs in parallel), each run one statement:
--   pdf         20 invoice_pdf calls of the 10-line, the 300-line and the
--               GST invoice; reported per PDF and as PDFs per second;
--   zip         invoice_pdf_zip of the 100 invoices (one archive, 100 PDFs).
-- Memory: the backend's resident set (VmRSS of /proc/<pid>/status, read as
-- superuser) after a warm-up and then every so often across :calls calls
-- (PDFs of all three invoices, and one archive of 10 in every 100 calls),
-- each call its own statement in a plpgsql loop; then after 10 calls that
-- fail in the middle of rendering (cancelled by statement_timeout).

CREATE EXTENSION invoice CASCADE;
SET search_path = public, invoice;
SET TimeZone = 'UTC';

\getenv calls BENCH_DOC_CALLS
\if :{?calls}
\else
\set calls 10000
\endif

INSERT INTO invoice.supplier (legal_name, address, email, gstin, state_code)
VALUES ('Example Cloud Services Pvt Ltd', E'4th Floor, Prestige Tower\n12 MG Road, Bengaluru 560001',
        'billing@example-cloud.in', '29AABCE1234F1Z1', '29');
INSERT INTO invoice.orgs (org_id, name, billing_email, billing_address, billing_state)
VALUES ('org-bench', 'Bench Analytics Private Limited', 'finance@bench.example', E'221B Residency Road\nBengaluru', '29');

CREATE FUNCTION pg_temp.invoice(p_id text, p_lines int, p_gst boolean DEFAULT false) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date, currency, tax_rate, gst)
    VALUES ('org-bench', p_id, '2025-05-01', '2025-06-01', '2025-06-01', '2025-07-01', 'INR', 18, p_gst);
    INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, resource_type, resource_name,
                                    usage_start, usage_end, hsn_sac)
    SELECT 'org-bench', p_id, format('compute instance hours, pool %s', g), g * 7 % 500 + 1, 0.75 + g % 13,
           'vm', 'node-' || g, '2025-05-01', '2025-06-01', '998315'
      FROM generate_series(1, p_lines) g;
    INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('org-bench', p_id, '10.00', 'WELCOME');
    SELECT invoice.invoice_issue(p_id);
    SELECT invoice.invoice_pay(p_id, '5.00', 'upi', 'pay-' || p_id);
$$;
DO $$
BEGIN
    PERFORM pg_temp.invoice('bench-10', 10);
    PERFORM pg_temp.invoice('bench-300', 300);
    PERFORM pg_temp.invoice('bench-gst', 10, true);
    PERFORM pg_temp.invoice('bench-z-' || lpad(g::text, 3, '0'), 10) FROM generate_series(1, 100) g;
END $$;

SELECT id, (SELECT count(*) FROM invoice.line_items l WHERE l.invoice_id = i.id) AS lines,
       octet_length(invoice.invoice_pdf(id)) AS pdf_bytes
  FROM invoice.invoices i WHERE id IN ('bench-10', 'bench-300', 'bench-gst') ORDER BY lines, id;

CREATE PROCEDURE document_cases() LANGUAGE plpgsql AS $$
BEGIN
    CALL bench.measure('pdf', $q$SELECT sum(octet_length(invoice.invoice_pdf('bench-%s'))) FROM generate_series(1, 20)$q$,
                       '{10,300,gst}');
    CALL bench.measure('zip', $q$SELECT octet_length(invoice.invoice_pdf_zip(ARRAY(SELECT 'bench-z-' || lpad(g::text, 3, '0')
                                                                                    FROM generate_series(1, %s) g)))$q$,
                       '{100}');
END $$;

\echo timing (:reps runs each after a warm-up) ...
SET bench.mode = 'serial';
SET bench.clock = 'cpu';
CALL document_cases();

\echo
\echo 'documents: ms =' :stat 'of' :reps 'runs on the backend''s CPU clock, and the fastest wall time'
SELECT CASE r.op WHEN 'pdf' THEN 'invoice_pdf, ' || CASE r.variant WHEN 'gst' THEN '10-line GST' ELSE r.variant || '-line' END
                 ELSE 'invoice_pdf_zip of ' || r.variant || ' invoices' END AS what,
       round((r.ms / CASE r.op WHEN 'pdf' THEN 20 ELSE 1 END)::numeric, 1) AS "ms each",
       round((min(s.wall_ms) / CASE r.op WHEN 'pdf' THEN 20 ELSE 1 END)::numeric, 1) AS "wall ms each",
       CASE r.op WHEN 'pdf' THEN round((20 * 1000 / r.ms)::numeric, 1)
                 ELSE round((r.variant::int * 1000 / r.ms)::numeric, 1) END AS "PDFs per second",
       round(100 * r.spread::numeric) AS "spread %"
  FROM bench.result r JOIN bench.sample s USING (op, mode, variant)
 GROUP BY r.op, r.variant, r.ms, r.spread
 ORDER BY r.op DESC, r.ms;
SELECT octet_length(invoice.invoice_pdf_zip(ARRAY(SELECT 'bench-z-' || lpad(g::text, 3, '0') FROM generate_series(1, 100) g)))
       AS "archive of 100: bytes";

-- Memory ----------------------------------------------------------------------

CREATE TABLE rss (calls int, what text, kb bigint);
CREATE FUNCTION rss_kb() RETURNS bigint LANGUAGE sql AS $$
    SELECT substring(pg_read_file('/proc/' || pg_backend_pid() || '/status') FROM 'VmRSS:\s*(\d+) kB')::bigint
$$;

CREATE PROCEDURE memory_run(calls int) LANGUAGE plpgsql AS $$
DECLARE
    ids text[] := '{bench-10,bench-300,bench-gst}';
    ten text[] := ARRAY(SELECT 'bench-z-' || lpad(g::text, 3, '0') FROM generate_series(1, 10) g);
BEGIN
    FOR i IN 1 .. 300 LOOP                  -- warm-up: plans, caches, the allocator's high-water mark
        PERFORM invoice.invoice_pdf(ids[1 + i % 3]);
    END LOOP;
    INSERT INTO rss VALUES (0, 'after a warm-up of 300 calls', rss_kb());
    COMMIT;
    FOR i IN 1 .. calls LOOP
        IF i % 100 = 0 THEN
            PERFORM invoice.invoice_pdf_zip(ten);
        ELSE
            PERFORM invoice.invoice_pdf(ids[1 + i % 3]);
        END IF;
        IF i IN (1000, calls / 4, calls / 2, 3 * calls / 4, calls) THEN
            INSERT INTO rss VALUES (i, format('after %s calls', i), rss_kb());
            COMMIT;
        END IF;
    END LOOP;
END $$;

\echo
\echo memory: :calls 'calls in this session (this takes a few minutes) ...'
CALL memory_run(:calls);

-- calls that fail half-way through rendering: the document is freed on the error path too
\echo 'and 10 calls cancelled half-way through a 300-line PDF (the 10 ERROR lines are expected):'
\set ON_ERROR_STOP 0
\set VERBOSITY terse
SET statement_timeout = 15;
SELECT octet_length(invoice.invoice_pdf('bench-300')) \g /dev/null
SELECT octet_length(invoice.invoice_pdf('bench-300')) \g /dev/null
SELECT octet_length(invoice.invoice_pdf('bench-300')) \g /dev/null
SELECT octet_length(invoice.invoice_pdf('bench-300')) \g /dev/null
SELECT octet_length(invoice.invoice_pdf('bench-300')) \g /dev/null
SELECT octet_length(invoice.invoice_pdf('bench-300')) \g /dev/null
SELECT octet_length(invoice.invoice_pdf('bench-300')) \g /dev/null
SELECT octet_length(invoice.invoice_pdf('bench-300')) \g /dev/null
SELECT octet_length(invoice.invoice_pdf('bench-300')) \g /dev/null
SELECT octet_length(invoice.invoice_pdf('bench-300')) \g /dev/null
RESET statement_timeout;
\set ON_ERROR_STOP 1
\set VERBOSITY default
INSERT INTO rss VALUES (:calls + 10, 'and 10 calls cancelled while rendering', rss_kb());

\echo
SELECT what, kb AS "VmRSS kB", kb - first_value(kb) OVER (ORDER BY calls) AS "kB since warm-up" FROM rss ORDER BY calls;
\pset tuples_only on
SELECT format('memory: %s kB after the warm-up, %s kB after %s calls: %s', min(kb) FILTER (WHERE calls = 0),
              max(kb) FILTER (WHERE calls = :calls), :calls,
              CASE WHEN max(kb) FILTER (WHERE calls = :calls) - min(kb) FILTER (WHERE calls = 0) < 2048
                   THEN 'flat (under 2 MB of growth)' ELSE 'GROWING' END)
  FROM rss;
\pset tuples_only off
