-- test/bench/zip_memory.bench.sql: the backend memory an archive takes (issue #19; README
-- "Documents").
--
-- Data: one organisation, 1,000 issued 10-line invoices (a credit and a payment each).
-- For 10, 100 and 1,000 of them, a fresh backend (\c) runs
--     SELECT octet_length(invoice.invoice_pdf_zip(ids))
-- (the length only: the archive is not sent, so the client protocol's text form of a
-- bytea — hex, twice its size — does not count), then reads its own /proc/self/status:
--   peak private  VmHWM − RssShmem − RssFile: the high-water mark of the resident set
--                 less the shared buffers and mapped files it touched (those only grow,
--                 so what is left is the peak of the backend's own memory, what
--                 invoice_pdf_zip allocates included)
--   baseline      the same figure in a fresh backend after SELECT 1
-- Reported: archive size, peak private − baseline, and that over the archive size.
-- Bound (README): the archive itself plus about one PDF's rendering, whatever the count.

CREATE EXTENSION invoice CASCADE;
SET search_path = public, invoice;
SET TimeZone = 'UTC';

INSERT INTO invoice.supplier (legal_name, address, email, gstin, state_code)
VALUES ('Example Cloud Services Pvt Ltd', E'4th Floor, Prestige Tower\n12 MG Road, Bengaluru 560001',
        'billing@example-cloud.in', '29AABCE1234F1Z1', '29');
INSERT INTO invoice.orgs (org_id, name, billing_email, billing_address, billing_state)
VALUES ('org-zip', 'Zip Analytics Private Limited', 'finance@zip.example', E'221B Residency Road\nBengaluru', '29');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date, currency, tax_rate)
SELECT 'org-zip', 'zip-' || lpad(k::text, 4, '0'), '2025-05-01', '2025-06-01', '2025-06-01', '2025-07-01', 'INR', 18
  FROM generate_series(1, 1000) k;
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, resource_type, resource_name,
                                usage_start, usage_end)
SELECT i.id_org, i.id, format('compute instance hours, pool %s', g), g * 7 % 500 + 1, 0.75 + g % 13,
       'vm', 'node-' || g, '2025-05-01', '2025-06-01'
  FROM (SELECT org_id AS id_org, id FROM invoice.invoices) i, generate_series(1, 10) g;
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) SELECT org_id, id, '10.00', 'WELCOME' FROM invoice.invoices;
SELECT invoice.invoice_issue_period('-infinity', 'infinity') AS issued;
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT id FROM invoice.invoices ORDER BY id LOOP
        PERFORM invoice.invoice_pay(r.id, '5.00', 'upi', 'pay-' || r.id);
    END LOOP;
END $$;

CREATE TABLE public.zip_memory (invoices int, archive_bytes bigint, peak_private_kb bigint, baseline_kb bigint);
-- the backend's own peak, in kB: VmHWM less the shared memory and files it mapped
CREATE FUNCTION public.peak_private_kb() RETURNS bigint LANGUAGE sql AS $$
    SELECT max(v) FILTER (WHERE k = 'VmHWM') - coalesce(max(v) FILTER (WHERE k = 'RssShmem'), 0)
           - coalesce(max(v) FILTER (WHERE k = 'RssFile'), 0)
      FROM (SELECT split_part(l, ':', 1) AS k, (regexp_match(l, '(\d+) kB'))[1]::bigint AS v
              FROM regexp_split_to_table(pg_read_file('/proc/self/status'), E'\n') l) s
$$;


\c
SELECT public.peak_private_kb() AS baseline \gset
\c
\set n 10
SELECT octet_length(invoice.invoice_pdf_zip(ARRAY(SELECT id FROM invoice.invoices ORDER BY id LIMIT :n))) AS archive_bytes \gset
INSERT INTO public.zip_memory VALUES (:n, :archive_bytes, public.peak_private_kb(), :baseline);
\c
\set n 100
SELECT octet_length(invoice.invoice_pdf_zip(ARRAY(SELECT id FROM invoice.invoices ORDER BY id LIMIT :n))) AS archive_bytes \gset
INSERT INTO public.zip_memory VALUES (:n, :archive_bytes, public.peak_private_kb(), :baseline);
\c
\set n 1000
SELECT octet_length(invoice.invoice_pdf_zip(ARRAY(SELECT id FROM invoice.invoices ORDER BY id LIMIT :n))) AS archive_bytes \gset
INSERT INTO public.zip_memory VALUES (:n, :archive_bytes, public.peak_private_kb(), :baseline);

\echo
\echo 'invoice_pdf_zip: peak private memory of a fresh backend (VmHWM - RssShmem - RssFile) over its baseline'
SELECT invoices, round(archive_bytes / 1048576.0, 1) AS "archive MB",
       round((peak_private_kb - baseline_kb) / 1024.0, 1) AS "peak over baseline MB",
       round((peak_private_kb - baseline_kb) * 1024.0 / archive_bytes, 2) AS "peak / archive",
       round((peak_private_kb - baseline_kb) / 1024.0 - archive_bytes / 1048576.0, 1) AS "peak - archive MB"
  FROM public.zip_memory ORDER BY invoices;
