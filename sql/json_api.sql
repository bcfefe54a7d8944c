--
-- json_api: List and Describe Invoices as the seeds show them (000, 001),
-- byte for byte; then the filters, paging, the summary, the CSV export and
-- api_get, the one function an HTTP gateway calls.
--
-- The extension is already loaded (pg_regress --load-extension=invoice).
SET search_path = invoice, public;
-- Not UTC on purpose: the JSON carries UTC whatever the session's time zone.
SET TimeZone = 'America/Los_Angeles';
-- Start from empty tables (other tests share this database), identity
-- columns restarted so that ids print alike on every run.
SET client_min_messages = warning;
TRUNCATE invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits,
         invoice.payments, invoice.status_history, invoice.number_series
         RESTART IDENTITY CASCADE;
RESET client_min_messages;

-- JSON text without the whitespace outside its strings: ours and the seed's
-- then compare as text, key order and all.
CREATE FUNCTION pg_temp.compact(j text) RETURNS text LANGUAGE sql IMMUTABLE
    RETURN regexp_replace(j, '("(?:[^"\\]|\\.)*")|\s+', '\1', 'g');
-- The seed's part of a Describe answer: code, and the first 16 keys of data.
CREATE FUNCTION pg_temp.seed_part(d json) RETURNS json LANGUAGE sql STABLE
    RETURN json_build_object('code', d->'code', 'data',
                             (SELECT json_object_agg(e.key, e.value ORDER BY e.n)
                                FROM json_each(d->'data') WITH ORDINALITY e(key, value, n) WHERE e.n <= 16));
-- A list answer in brief: the count, the page and the ids on it.
CREATE FUNCTION pg_temp.brief(d json) RETURNS text LANGUAGE sql IMMUTABLE
    RETURN format('count %s, page %s of size %s: %s', d->'data'->>'count', d->'data'->>'currentPage',
                  d->'data'->>'pageSize',
                  (SELECT coalesce(string_agg(i->>'id', ' ' ORDER BY n), '-')
                     FROM json_array_elements(d->'data'->'invoices') WITH ORDINALITY x(i, n)));

--
-- 1. The seed's example invoice: organisation org-xxxxxx, January 2024,
--    usage 524.00, a 124.00 credit, 12.5 % tax, invoiced and due on
--    2024-02-01, issued and not yet paid.
--
INSERT INTO invoice.orgs (org_id, name) VALUES ('org-xxxxxx', 'Example Org');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date,
                              currency, tax_rate, description)
VALUES ('org-xxxxxx', 'inv-12312io23810o291', '2024-01-01 00:00 UTC', '2024-02-01 00:00 UTC',
        '2024-02-01 00:00 UTC', '2024-02-01 00:00 UTC', 'USD', 12.5, 'January 2024');
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, product_name, usage_type)
VALUES ('org-xxxxxx', 'inv-12312io23810o291', 'Compute instance hours', 720, 0.50, 'Compute', 'instance-hours'),
       ('org-xxxxxx', 'inv-12312io23810o291', 'Block storage GB-month', 100, 1.24, 'Storage', 'gb-month'),
       ('org-xxxxxx', 'inv-12312io23810o291', 'Premium support', 1, 40, 'Support', 'month');
INSERT INTO invoice.credits (org_id, invoice_id, amount, code, description)
VALUES ('org-xxxxxx', 'inv-12312io23810o291', '124.00', 'WELCOME124', 'welcome credit');
SELECT number, status, total FROM invoice.invoice_issue('inv-12312io23810o291');

--
-- 2. List Invoices.  The seed (000) answers GET /v2/invoices with this JSON;
--    invoice_list gives the same text once whitespace is taken out: the same
--    keys in the same order, amounts as integer cents, the pending invoice
--    shown as "unpaid", timestamps in UTC.
--
SELECT invoice.invoice_list('org-xxxxxx');
SELECT pg_temp.compact(invoice.invoice_list('org-xxxxxx')::text) = pg_temp.compact($seed$
{
"code": 0,
"data": {
"count": 1,
"currentPage": 1,
"pageSize": 10,
"invoices": [
{
"id": "inv-12312io23810o291",
"orgId": "org-xxxxxx",
"periodStart": "2024-01-01T00:00:00Z",
"periodEnd": "2024-02-01T00:00:00Z",
"invoiceDate": "2024-02-01T00:00:00Z",
"dueDate": "2024-02-01T00:00:00Z",
"currency": "USD",
"status": "unpaid",
"usageAmount": 52400,
"creditsApplied": 12400,
"alreadyBilledAmount": 0,
"subtotal": 40000,
"tax": 5000,
"total": 45000,
"advancePayAmount": 0,
"amountDue": 45000
}
]
}
}
$seed$) AS "list = seed 000";

--
-- 3. Describe Invoice.  The seed (001) shows the 16 fields; invoice_describe
--    gives them first, exactly, and then richer keys.
--
SELECT pg_temp.compact(pg_temp.seed_part(invoice.invoice_describe('inv-12312io23810o291'))::text)
     = pg_temp.compact($seed$
{
"code": 0,
"data": {
"id": "inv-12312io23810o291",
"orgId": "org-xxxxxx",
"periodStart": "2024-01-01T00:00:00Z",
"periodEnd": "2024-02-01T00:00:00Z",
"invoiceDate": "2024-02-01T00:00:00Z",
"dueDate": "2024-02-01T00:00:00Z",
"currency": "USD",
"status": "unpaid",
"usageAmount": 52400,
"creditsApplied": 12400,
"alreadyBilledAmount": 0,
"subtotal": 40000,
"tax": 5000,
"total": 45000,
"advancePayAmount": 0,
"amountDue": 45000
}
}
$seed$) AS "describe = seed 001";
-- The keys after the seed's sixteen:
SELECT string_agg(e.key, ', ' ORDER BY e.n) AS richer_keys
  FROM json_each(invoice.invoice_describe('inv-12312io23810o291')->'data') WITH ORDINALITY e(key, value, n)
 WHERE e.n > 16;
-- Line items (amounts in integer cents, the rate in major units per unit):
SELECT l AS line_item
  FROM json_array_elements(invoice.invoice_describe('inv-12312io23810o291')->'data'->'lineItems') l;
-- The credit and the history, without their timestamps (the clock):
SELECT c->>'code' AS code, c->'amount' AS amount
  FROM json_array_elements(invoice.invoice_describe('inv-12312io23810o291')->'data'->'credits') c;
SELECT h->>'fromStatus' AS from_status, h->>'toStatus' AS to_status, h->>'reason' AS reason
  FROM json_array_elements(invoice.invoice_describe('inv-12312io23810o291')->'data'->'statusHistory') h;

--
-- 4. The same through api_get, as an HTTP gateway would call it.
--
SELECT invoice.api_get('/v2/invoices', '{"orgId": "org-xxxxxx"}')::text
     = invoice.invoice_list('org-xxxxxx')::text AS "GET /v2/invoices",
       invoice.api_get('/v2/invoices/inv-12312io23810o291', '{}')::text
     = invoice.invoice_describe('inv-12312io23810o291')::text AS "GET /v2/invoices/{INVOICE_ID}";

-- Whatever the session's time zone:
SET TimeZone = 'Asia/Kolkata';
SELECT i->>'periodStart' AS period_start, i->>'dueDate' AS due_date
  FROM json_array_elements(invoice.invoice_list('org-xxxxxx')->'data'->'invoices') i;
SET TimeZone = 'America/Los_Angeles';

--
-- 5. Filters and pages.  A second organisation with six monthly invoices of
--    2024: February's a draft not yet dated, March's cancelled, April's
--    paid, May's and June's issued and unpaid, January's overdue by the
--    sweep of 2024-03-15.
--
INSERT INTO invoice.orgs (org_id, name) VALUES ('org-demo', 'Demo Org'), ('org-none', 'No invoices yet');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date, currency, tax_rate, description)
SELECT 'org-demo', format('inv-demo-%s', m), make_timestamptz(2024, m, 1, 0, 0, 0, 'UTC'),
       make_timestamptz(2024, m + 1, 1, 0, 0, 0, 'UTC'), d, d + interval '720 hours', 'USD', 18,
       format('%s 2024 usage', to_char(make_date(2024, m, 1), 'FMMonth'))
  FROM generate_series(1, 6) m,
       LATERAL (SELECT CASE WHEN m <> 2 THEN make_timestamptz(2024, m + 1, 1, 0, 0, 0, 'UTC') END AS d) dates;
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
SELECT 'org-demo', format('inv-demo-%s', m), d, 10 * m, 1.5
  FROM generate_series(1, 6) m,
       unnest(ARRAY['API requests', CASE m WHEN 4 THEN 'Discount 50% off_peak C:\backup' ELSE 'Backup storage' END]) d;
SELECT i.id, i.number, i.status
  FROM unnest(ARRAY['inv-demo-1', 'inv-demo-3', 'inv-demo-4', 'inv-demo-5', 'inv-demo-6']) x(id),
       invoice.invoice_issue(x.id) i ORDER BY i.id;
SELECT invoice.invoice_sweep_overdue('2024-03-15 00:00 UTC') AS swept;
SELECT status FROM invoice.invoice_cancel('inv-demo-3', 'issued by mistake');
SELECT amount, method FROM invoice.invoice_pay('inv-demo-4', '141.60', 'upi', 'upi-demo-4');
SELECT id, status, number, invoice_date, amount_due FROM invoice.invoices WHERE org_id = 'org-demo' ORDER BY id;

-- Newest invoice date first; the draft without one leads.
SELECT pg_temp.brief(invoice.invoice_list('org-demo')) AS everything;
SELECT pg_temp.brief(invoice.invoice_list('org-demo', 1, 4)) AS page_1,
       pg_temp.brief(invoice.invoice_list('org-demo', 2, 4)) AS page_2;
-- A page beyond the end is empty; count still says how many there are.
SELECT pg_temp.brief(invoice.invoice_list('org-demo', 3, 4)) AS page_3;
-- An organisation without invoices, or one that does not exist, has none.
SELECT pg_temp.brief(invoice.invoice_list('org-none')) AS no_invoices,
       pg_temp.brief(invoice.invoice_list('org-nobody')) AS no_such_org;
-- Status: the label, in any case; "unpaid" and "pending" are the same.
SELECT pg_temp.brief(invoice.invoice_list('org-demo', status => 'unpaid')) AS unpaid,
       pg_temp.brief(invoice.invoice_list('org-demo', status => 'Pending')) AS pending,
       pg_temp.brief(invoice.invoice_list('org-demo', status => 'OVERDUE')) AS overdue;
-- Invoice dates from date_from (inclusive) up to date_to (exclusive): April
-- and May (invoiced 2024-05-01 and 2024-06-01), not June's 2024-07-01.
SELECT pg_temp.brief(invoice.invoice_list('org-demo', date_from => '2024-05-01 00:00 UTC',
                                          date_to => '2024-07-01 00:00 UTC')) AS invoiced_may_june;
-- Search: the number, the description or any line item's description, any
-- case; %, _ and \ are taken literally.
SELECT pg_temp.brief(invoice.invoice_list('org-demo', search => 'march')) AS "march",
       pg_temp.brief(invoice.invoice_list('org-demo', search => 'INV/2324/00000')) AS "INV/2324/00000",
       pg_temp.brief(invoice.invoice_list('org-demo', search => 'BACKUP')) AS "BACKUP";
SELECT pg_temp.brief(invoice.invoice_list('org-demo', search => '50%')) AS "50%",
       pg_temp.brief(invoice.invoice_list('org-demo', search => 'off_peak')) AS "off_peak",
       pg_temp.brief(invoice.invoice_list('org-demo', search => 'C:\')) AS "C:\",
       pg_temp.brief(invoice.invoice_list('org-demo', search => '%')) AS "%";
-- All filters at once.
SELECT pg_temp.brief(invoice.invoice_list('org-demo', 1, 10, 'paid', '2024-01-01', '2025-01-01', 'discount')) AS all_filters;
-- What the functions refuse.
SELECT invoice.invoice_list(NULL);
SELECT invoice.invoice_list('org-demo', 0);
SELECT invoice.invoice_list('org-demo', 1, 101);
SELECT invoice.invoice_list('org-demo', status => 'late');
SELECT invoice.invoice_list('org-demo', date_from => '2024-06-01', date_to => '2024-05-01');
SELECT invoice.invoice_describe('inv-nope');

--
-- 6. One row per invoice in the views (doc is jsonb: its keys print sorted).
--
SELECT id, status, doc->>'status' AS api_status, doc->'amountDue' AS amount_due
  FROM invoice.invoice_list_json WHERE org_id = 'org-demo' ORDER BY id;
SELECT id, jsonb_array_length(doc->'lineItems') AS lines, doc->>'number' AS number
  FROM invoice.invoice_describe_json WHERE org_id = 'org-demo' ORDER BY id;

--
-- 7. Summary: paid is the total of paid invoices; pending and overdue are
--    what is still due on unpaid and overdue ones.
--
SELECT invoice.invoice_summary('org-demo');
SELECT invoice.invoice_summary('org-none');
-- Amounts in two currencies do not add up: then only the per-currency totals.
INSERT INTO invoice.orgs (org_id, name) VALUES ('org-multi', 'Two currencies');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date, currency)
VALUES ('org-multi', 'inv-multi-usd', '2024-01-01 00:00 UTC', '2024-02-01 00:00 UTC', '2024-02-01 00:00 UTC',
        '2024-03-01 00:00 UTC', 'USD'),
       ('org-multi', 'inv-multi-inr', '2024-01-01 00:00 UTC', '2024-02-01 00:00 UTC', '2024-02-01 00:00 UTC',
        '2024-03-01 00:00 UTC', 'INR');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
VALUES ('org-multi', 'inv-multi-usd', 'support', '10.00'), ('org-multi', 'inv-multi-inr', 'support', '800.00');
SELECT count(*) AS issued FROM invoice.invoices i, invoice.invoice_issue(i.id) WHERE i.org_id = 'org-multi';
SELECT invoice.invoice_summary('org-multi');

--
-- 8. CSV export, with the list's filters and order; amounts in major units.
--
\copy (SELECT id, number, status, invoice_date, due_date, total, amount_due FROM invoice.invoice_csv('org-demo')) TO STDOUT WITH (FORMAT csv, HEADER)
\copy (SELECT id, status, total FROM invoice.invoice_csv('org-demo', status => 'unpaid')) TO STDOUT WITH (FORMAT csv, HEADER)

--
-- 9. api_get: parameters as the query string carries them; failures are
--    answered in the seed's error shape, never raised.
--
SELECT pg_temp.brief(invoice.api_get('/v2/invoices', '{"orgId": "org-demo", "currentPage": "2", "pageSize": 2}')) AS "GET /v2/invoices?currentPage=2&pageSize=2";
SELECT pg_temp.brief(invoice.api_get('/v2/invoices/', '{"orgId": "org-demo", "status": "unpaid", "dateFrom": "2024-06-01"}')) AS "status=unpaid&dateFrom=2024-06-01";
SELECT invoice.api_get('/v2/invoice-summary', '{"orgId": "org-xxxxxx"}');
SELECT invoice.api_get('/v2/invoices', '{}');
SELECT invoice.api_get('/v2/invoices', '{"orgId": "org-demo", "currentPage": 0}');
SELECT invoice.api_get('/v2/invoices', '{"orgId": "org-demo", "pageSize": "ten"}');
SELECT invoice.api_get('/v2/invoices', '{"orgId": "org-demo", "dateFrom": "2024-02-30"}');
SELECT invoice.api_get('/v2/invoices', '{"orgId": "org-demo", "page": 2}');
SELECT invoice.api_get('/v2/invoices/inv-nope', '{}');
SELECT invoice.api_get('/v2/invoices/inv-demo-1', '{"orgId": "org-xxxxxx"}');
SELECT invoice.api_get('/billing/v3/invoices/inv-nope', NULL);
SELECT invoice.api_get('/v2/invoices?orgId=org-demo', '{}');
SELECT invoice.api_get('/v3/invoices', '{}');
