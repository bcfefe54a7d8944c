-- Receivables aging, DSO and collections (issue #16, README "Receivables aging", "DSO"),
-- each compared with an independent computation over a random history
-- (test/pgtap/include/reports_history.sql):
--
--   - receivables_as_of(b) at every snapshot instant b is exactly what the live invoices
--     owed at b (amount and due date snapshotted then), bucket by bucket;
--   - receivables_aging adds them up per organisation and currency, and per currency;
--   - a worked example at instants between a payment and a credit note, and around a
--     cancellation and a due date, with the amounts written out;
--   - DSO from the snapshots and the issued documents; collections from the payments;
--   - arguments: NULL (22004), infinity, an empty or inverted period (22023).
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(21);
\ir include/reports_history.sql
\ir include/refused.sql

SELECT setseed(0.61);
SELECT pg_temp.rh_history(600);

CREATE TEMP TABLE snaps AS SELECT DISTINCT b FROM rh_snap_org;
CREATE TEMP TABLE got AS SELECT s.b, r.* FROM snaps s, invoice.receivables_as_of(s.b) r;
CREATE TEMP TABLE want AS
SELECT v.b, v.org_id, v.invoice_id, v.currency, v.amount_due, v.due_date,
       CASE WHEN v.due_date >= v.b THEN 'current'
            WHEN v.due_date >= v.b - interval '30 days' THEN '1-30'
            WHEN v.due_date >= v.b - interval '60 days' THEN '31-60'
            WHEN v.due_date >= v.b - interval '90 days' THEN '61-90' ELSE 'over 90' END AS bucket
  FROM rh_snap_invoice v WHERE v.amount_due > '0';

SELECT ok((SELECT count(*) FROM want) > 300 AND (SELECT count(DISTINCT bucket) FROM want) = 5,
          format('fixture: %s amounts owed at %s instants, in all five buckets',
                 (SELECT count(*) FROM want), (SELECT count(*) FROM snaps)));
SELECT is((SELECT count(*) FROM (SELECT b, org_id, invoice_id, currency, amount_due, due_date, bucket FROM got
                                 EXCEPT ALL SELECT * FROM want) x), 0::bigint,
          'receivables_as_of: nothing that was not owed then');
SELECT is((SELECT count(*) FROM (SELECT * FROM want
                                 EXCEPT ALL SELECT b, org_id, invoice_id, currency, amount_due, due_date, bucket FROM got) x), 0::bigint,
          'receivables_as_of: everything that was owed then, with its amount, due date and bucket');
SELECT ok((SELECT count(*) FROM rh_events e JOIN snaps s ON e.at < s.b
             JOIN invoice.payments p ON p.org_id = e.org_id AND p.invoice_id = e.invoice_id AND p.paid_at >= s.b
            WHERE e.kind = 'credit_note') > 0,
          'fixture: instants between a credit note and a later payment of the same invoice');

CREATE TEMP TABLE aging AS SELECT s.b, a.* FROM snaps s, invoice.receivables_aging(s.b) a;
SELECT is((SELECT count(*) FROM (
              SELECT b, org_id, currency, "current", days_1_30, days_31_60, days_61_90, days_over_90, total, invoices FROM aging WHERE org_id IS NOT NULL
              EXCEPT
              SELECT b, org_id, currency,
                     coalesce(sum(amount_due) FILTER (WHERE bucket = 'current'), '0'),
                     coalesce(sum(amount_due) FILTER (WHERE bucket = '1-30'), '0'),
                     coalesce(sum(amount_due) FILTER (WHERE bucket = '31-60'), '0'),
                     coalesce(sum(amount_due) FILTER (WHERE bucket = '61-90'), '0'),
                     coalesce(sum(amount_due) FILTER (WHERE bucket = 'over 90'), '0'),
                     sum(amount_due), count(*)
                FROM want GROUP BY b, org_id, currency) x), 0::bigint,
          'receivables_aging per organisation and currency: the snapshots'' amounts owed, bucket by bucket');
SELECT is((SELECT count(*) FROM aging WHERE org_id IS NOT NULL),
          (SELECT count(*) FROM (SELECT DISTINCT b, org_id, currency FROM want) x), '... one row for each');
SELECT is((SELECT count(*) FROM aging t
              JOIN (SELECT a.b, a.currency, sum(a.total) AS total, sum(a."current") AS cur,
                           sum(a.days_over_90) AS over_90, sum(a.invoices)::bigint AS n
                      FROM aging a WHERE a.org_id IS NOT NULL GROUP BY a.b, a.currency) s USING (b, currency)
             WHERE t.org_id IS NULL AND (t.total, t."current", t.days_over_90, t.invoices) IS DISTINCT FROM (s.total, s.cur, s.over_90, s.n))
          + (SELECT count(*) FROM aging t WHERE t.org_id IS NULL) - (SELECT count(DISTINCT (b, currency)) FROM aging WHERE org_id IS NOT NULL), 0::bigint,
          'receivables_aging: the total rows (org_id NULL) add up the organisations of their currency');
SELECT is((SELECT count(DISTINCT currency) FROM aging WHERE org_id IS NULL), 3::bigint, 'fixture: totals in three currencies');

-- A worked example: 1000.00 due 10 Jan, 300.00 paid 20 Jan, a credit note of 200.00 on 25 Jan,
-- another invoice of 50.00 cancelled on 5 Feb.
\o /dev/null
SELECT pg_temp.rh_clock('2025-01-01 00:00:00+00');
INSERT INTO invoice.orgs (org_id, name) VALUES ('ag', 'Aging example');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, due_date)
VALUES ('ag', 'ag-1', '2024-12-01', '2025-01-01', 'JPY', '2025-01-10'),
       ('ag', 'ag-2', '2024-12-01', '2025-01-01', 'JPY', '2025-01-10');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount) VALUES ('ag', 'ag-1', 'x', '1000.00'), ('ag', 'ag-2', 'y', '50.00');
SELECT invoice.invoice_issue('ag-1'), invoice.invoice_issue('ag-2');
SELECT pg_temp.rh_clock('2025-01-20 12:00:00+00');
SELECT invoice.invoice_pay('ag-1', '300.00', 'card', 'ag-pay');
SELECT pg_temp.rh_clock('2025-01-25 12:00:00+00');
CREATE TEMP TABLE ag_note AS SELECT (invoice.credit_note_create('ag-1', 'other')).credit_note_id AS id;
INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount) SELECT 'ag', id, 'discount', '200.00' FROM ag_note;
SELECT invoice.credit_note_issue(id) FROM ag_note;
SELECT pg_temp.rh_clock('2025-02-05 12:00:00+00');
SELECT invoice.invoice_cancel('ag-2', 'duplicate');
\o
CREATE FUNCTION pg_temp.ag(t timestamptz) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(format('%s %s %s', invoice_id, amount_due, bucket), ', ' ORDER BY invoice_id), 'nothing')
      FROM invoice.receivables_as_of(t) WHERE org_id = 'ag' $$;
SELECT is(pg_temp.ag('2025-01-01 00:00:00+00'), 'nothing', 'example: nothing is owed before the issue (as of is exclusive)');
SELECT is(pg_temp.ag('2025-01-10 00:00:00+00'), 'ag-1 1000.00 current, ag-2 50.00 current', 'example: on the due date, still current');
SELECT is(pg_temp.ag('2025-01-10 00:00:01+00'), 'ag-1 1000.00 1-30, ag-2 50.00 1-30', 'example: a second later, 1 day past due');
SELECT is(pg_temp.ag('2025-01-22 00:00:00+00'), 'ag-1 700.00 1-30, ag-2 50.00 1-30', 'example: between the payment and the credit note');
SELECT is(pg_temp.ag('2025-02-01 00:00:00+00'), 'ag-1 500.00 1-30, ag-2 50.00 1-30', 'example: after the credit note');
SELECT is(pg_temp.ag('2025-03-01 00:00:00+00'), 'ag-1 500.00 31-60', 'example: after the cancellation, 50 days past due');
SELECT is(pg_temp.ag('2025-05-01 00:00:00+00'), 'ag-1 500.00 over 90', 'example: 111 days past due');

-- DSO over 30-day periods
CREATE TEMP TABLE dso_got AS
SELECT p.f, d.* FROM (VALUES ('2024-04-01 00:00:00+00'::timestamptz), ('2024-05-15'), ('2024-07-01')) p (f),
       invoice.dso(p.f, p.f + interval '30 days') d;
CREATE TEMP TABLE dso_want AS
SELECT p.f, x.org_id, x.currency, coalesce(x.rec, '0') AS rec, coalesce(x.sales, '0') AS sales
  FROM (VALUES ('2024-04-01 00:00:00+00'::timestamptz), ('2024-05-15'), ('2024-07-01')) p (f)
 CROSS JOIN LATERAL (
       SELECT o.org_id, c.currency,
              (SELECT sum(w.amount_due) FROM invoice.receivables_as_of(p.f + interval '30 days') w
                WHERE w.org_id = o.org_id AND w.currency = c.currency) AS rec,
              (SELECT sum(i.total) FROM invoice.invoices i
                WHERE i.org_id = o.org_id AND i.currency = c.currency AND i.issued_at >= p.f AND i.issued_at < p.f + interval '30 days'
                  AND NOT (i.status = 'cancelled' AND i.cancelled_at < p.f + interval '30 days'))
              - coalesce((SELECT sum(n.total) FROM invoice.credit_notes n JOIN invoice.invoices i ON i.org_id = n.org_id AND i.id = n.invoice_id
                           WHERE n.org_id = o.org_id AND i.currency = c.currency AND n.status = 'issued'
                             AND n.issued_at >= p.f AND n.issued_at < p.f + interval '30 days'), '0') AS sales
         FROM invoice.orgs o CROSS JOIN (VALUES ('INR'), ('USD'), ('EUR')) c (currency)) x
 WHERE x.rec IS NOT NULL OR x.sales IS NOT NULL;
SELECT is((SELECT count(*) FROM dso_got g JOIN dso_want w USING (f, org_id, currency)
            WHERE g.receivables <> w.rec OR g.credit_sales <> w.sales OR g.days <> 30
               OR g.dso IS DISTINCT FROM CASE WHEN w.sales > '0' THEN round(w.rec / w.sales * 30, 1) END), 0::bigint,
          'dso per organisation: receivables at the end / credit sales × 30 days, as computed here');
SELECT is((SELECT count(*) FROM dso_got WHERE org_id IS NOT NULL), (SELECT count(*) FROM dso_want), '... one row each');

SELECT is((SELECT count(*) FROM (SELECT month, currency, method, payments, amount FROM invoice.collections_by_month
                                 EXCEPT
                                 SELECT date_trunc('month', p.paid_at)::date, i.currency, p.method, count(*), sum(p.amount)
                                   FROM invoice.payments p JOIN invoice.invoices i ON i.org_id = p.org_id AND i.id = p.invoice_id
                                  GROUP BY 1, 2, 3) x), 0::bigint,
          'collections_by_month: the payments by month, currency and method');

SELECT pg_temp.refused($$SELECT * FROM invoice.receivables_aging(NULL)$$, '22004', 'as_of must not be null', 'aging as of NULL -> 22004');
SELECT pg_temp.refused($$SELECT * FROM invoice.receivables_as_of('infinity')$$, '22023', NULL, 'as of infinity -> 22023');
SELECT pg_temp.refused($$SELECT * FROM invoice.dso('2024-02-01', '2024-01-01')$$, '22023', NULL, 'dso of an inverted period -> 22023');

SELECT * FROM finish();
ROLLBACK;
