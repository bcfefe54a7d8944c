-- test/bench/load_invoices.sql: bench.load_invoices(total), the data set of
-- the JSON API and search benchmarks (\ir from their *.bench.sql):
-- that many invoices, total / 1000 organisations of 1,000 invoices each (one
-- a week), 10 line items per invoice, loaded period by period as billing
-- days would (an organisation's rows lie scattered among every other
-- organisation's), paid invoices with their payment, without triggers
-- (session_replication_role = replica) but with the amounts
-- invoice_compute derives, and the search signatures of search_rebuild().
-- Organisation org-0007 holds the same 1,000 invoices at every size; the
-- line the search benchmarks look for is line 10, 'Dedicated cluster
-- c-<org>-<k % 50> vCPU hours'.

CREATE PROCEDURE bench.load_invoices(total integer) LANGUAGE plpgsql AS $$
DECLARE
    orgs integer := greatest(total / 1000, 1);
BEGIN
    SET LOCAL session_replication_role = replica;
    SET LOCAL work_mem = '1GB';
    SET LOCAL TimeZone = 'UTC';
    INSERT INTO invoice.orgs (org_id, name)
    SELECT format('org-%s', lpad(o::text, 4, '0')), format('Organisation %s', o) FROM generate_series(1, orgs) o;
    -- line l of invoice k of organisation o: a description from a short
    -- list, or (line 10) a dedicated cluster named after the organisation
    -- and k % 50, which the search looks for
    CREATE TEMP TABLE line_src ON COMMIT DROP AS
    SELECT o, k, l,
           CASE l WHEN 1 THEN 'Compute instance hours (m5.large)' WHEN 2 THEN 'Compute instance hours (c6g.xlarge)'
                  WHEN 3 THEN 'Block storage GB-month' WHEN 4 THEN 'Object storage GB-month'
                  WHEN 5 THEN 'Data transfer out (GB)' WHEN 6 THEN 'Snapshots GB-month'
                  WHEN 7 THEN 'Load balancer hours' WHEN 8 THEN 'Managed database hours'
                  WHEN 9 THEN 'Premium support'
                  ELSE format('Dedicated cluster c-%s-%s vCPU hours', lpad(o::text, 4, '0'), k % 50) END AS description,
           (100 + (o * 7919 + k * 104729 + l * 1299709) % 99900)::bigint AS amount
      FROM generate_series(1, 1000) k, generate_series(1, orgs) o, generate_series(1, 10) l;
    -- invoice k of every organisation covers week k from 2007-01-01; the
    -- last is a draft, the three before it unpaid, some overdue or
    -- cancelled, the rest paid
    CREATE TEMP TABLE invoice_src ON COMMIT DROP AS
    SELECT o, k, format('org-%s', lpad(o::text, 4, '0')) AS org_id,
           format('inv-%s-%s', lpad(o::text, 4, '0'), lpad(k::text, 4, '0')) AS id,
           row_number() OVER (ORDER BY k, o) AS n,
           sum(amount) AS usage, sum(round(amount * 0.18)) AS tax,
           timestamptz '2007-01-01 00:00 UTC' + (k - 1) * interval '7 days' AS period_start,
           (CASE WHEN k = 1000 THEN 'draft' WHEN k >= 997 THEN 'pending' WHEN k % 97 = 0 THEN 'overdue'
                 WHEN k % 101 = 0 THEN 'cancelled' ELSE 'paid' END)::invoice.status AS status
      FROM line_src GROUP BY o, k;
    INSERT INTO invoice.invoices (org_id, id, series, number, description, period_start, period_end, invoice_date,
                                  due_date, currency, status, status_reason, tax_rate, usage_amount, subtotal, tax,
                                  total, already_billed_amount, amount_due, issued_at, paid_at, cancelled_at)
    SELECT org_id, id, 'INV', CASE WHEN status <> 'draft' THEN format('INV/%s/%s', lpad(o::text, 4, '0'), lpad(k::text, 6, '0')) END,
           format('Week %s of service', k), period_start, period_start + interval '7 days',
           CASE WHEN status <> 'draft' THEN period_start + interval '7 days' END,
           CASE WHEN status <> 'draft' THEN period_start + interval '22 days' END,
           'USD', status, CASE WHEN status = 'cancelled' THEN 'voided' END, 18,
           usage::bigint::cents, usage::bigint::cents, tax::bigint::cents,
           (usage + tax)::bigint::cents,
           CASE WHEN status = 'paid' THEN usage + tax ELSE 0 END::bigint::cents,
           CASE WHEN status IN ('pending', 'overdue') THEN usage + tax ELSE 0 END::bigint::cents,
           CASE WHEN status <> 'draft' THEN period_start + interval '7 days' END,
           CASE WHEN status = 'paid' THEN period_start + interval '20 days' END,
           CASE WHEN status = 'cancelled' THEN period_start + interval '10 days' END
      FROM invoice_src ORDER BY n;
    INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, amount, product_group,
                                    product_name, region, usage_type)
    SELECT format('org-%s', lpad(o::text, 4, '0')), format('inv-%s-%s', lpad(o::text, 4, '0'), lpad(k::text, 4, '0')),
           description, 1, amount / 100.0, amount::cents, 'Compute', description, 'ap-south-1', 'hours'
      FROM line_src ORDER BY k, o, l;
    INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref, paid_at)
    SELECT org_id, id, (usage + tax)::bigint::cents, 'card', 'ch_' || id, period_start + interval '20 days'
      FROM invoice_src WHERE status = 'paid' ORDER BY n;
    -- loaded without triggers: the search signatures as README "Search" says
    PERFORM invoice.search_rebuild();
END $$;
