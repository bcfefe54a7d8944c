--
-- billing_v3: the CDN vendor's Invoices API (seed 002) served by two functions.
--
--   invoice.billing_v3_invoices(customer_id, billing_start_date, billing_end_date, limit, cursor)
--       GET /billing/v3/invoices: a page of a customer's invoices, oldest billing
--       period first, and meta.next_cursor to fetch the next page ("" on the last)
--   invoice.billing_v3_invoice(invoice_id)
--       GET /billing/v3/invoices/{invoice_id}
--
-- Both return json with the seed's keys in the seed's order; amounts are
-- decimal major units, timestamps UTC ISO 8601 whatever the session's TimeZone.
--
-- Everything happens in one transaction that is rolled back at the end, so
-- that this test leaves nothing behind; ON_ERROR_ROLLBACK keeps the
-- transaction alive across the errors shown on purpose.
SET search_path = invoice, public;
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on
BEGIN;
-- Cursors are signed with invoice.api_secret, 64 random bytes made at CREATE
-- EXTENSION.  Inserting a secret replaces it; this test uses a fixed one so
-- that the cursors below print the same on every run (never do this in
-- production: anyone who knows the secret can forge cursors).
INSERT INTO invoice.api_secret (secret) VALUES (decode(repeat('5eed', 16), 'hex'));
SELECT count(*) AS secrets, max(octet_length(secret)) AS bytes FROM invoice.api_secret;

-- Show that the session's time zone does not leak into the JSON.
SET LOCAL TimeZone = 'Asia/Kolkata';

--
-- 1. A customer billed monthly for CDN traffic: January to March 2024 are
--    issued, April is still a draft.  The series 'CDN' numbers them.
--
INSERT INTO invoice.orgs (org_id, name) VALUES ('cdn-customer', 'Example CDN Customer'),
                                               ('other-customer', 'Another Customer');
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, currency)
SELECT 'cdn-customer', 'inv-cdn-2024-' || to_char(m, 'FM00'), 'CDN',
       make_timestamptz(2024, m, 1, 0, 0, 0, 'UTC'), make_timestamptz(2024, m + 1, 1, 0, 0, 0, 'UTC'),
       make_timestamptz(2024, m + 1, 1, 0, 0, 0, 'UTC'), 'USD'
  FROM generate_series(1, 4) AS m;
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, currency)
VALUES ('other-customer', 'inv-other-2024-01', 'CDN', '2024-01-01 00:00 UTC', '2024-02-01 00:00 UTC',
        '2024-02-01 00:00 UTC', 'EUR');

INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, product_group, product_line,
                                product_name, region, usage_type, credit_coupon_code)
VALUES ('cdn-customer', 'inv-cdn-2024-01', 'Bandwidth, North America', 1200, 0.08,
        'Full-Site Delivery', 'Network Services', 'Bandwidth', 'North America', 'bandwidth', 'WELCOME10'),
       ('cdn-customer', 'inv-cdn-2024-01', 'Requests (per 10,000)', 2500, 0.0075,
        'Full-Site Delivery', 'Network Services', 'Requests', 'North America', 'requests', NULL),
       ('cdn-customer', 'inv-cdn-2024-02', 'Bandwidth, Europe', 800, 0.08,
        'Full-Site Delivery', 'Network Services', 'Bandwidth', 'Europe', 'bandwidth', NULL),
       ('cdn-customer', 'inv-cdn-2024-02', 'Next-Gen WAF', 1, 150,
        'Security', 'Security', 'Next-Gen WAF', 'Global', 'subscription', NULL),
       ('cdn-customer', 'inv-cdn-2024-03', 'Bandwidth, North America', 1000, 0.08,
        'Full-Site Delivery', 'Network Services', 'Bandwidth', 'North America', 'bandwidth', NULL),
       ('cdn-customer', 'inv-cdn-2024-04', 'Bandwidth, North America', 900, 0.08,
        'Full-Site Delivery', 'Network Services', 'Bandwidth', 'North America', 'bandwidth', NULL),
       ('other-customer', 'inv-other-2024-01', 'Bandwidth, Europe', 100, 0.09,
        'Full-Site Delivery', 'Network Services', 'Bandwidth', 'Europe', 'bandwidth', NULL);
-- January's welcome coupon: 10.00 off.
INSERT INTO invoice.credits (org_id, invoice_id, amount, code)
VALUES ('cdn-customer', 'inv-cdn-2024-01', '10.00', 'WELCOME10');

SELECT i.id, i.number, i.status, i.total
  FROM (SELECT id FROM invoice.invoices WHERE id <> 'inv-cdn-2024-04' ORDER BY period_start, id) d,
       invoice.invoice_issue(d.id) AS i;

--
-- 2. One invoice: GET /billing/v3/invoices/inv-cdn-2024-01.  invoice_id is the
--    invoice's id, statement_number its number, customer_id the organisation,
--    the billing dates its period, invoice_posted_on its invoice date;
--    monthly_transaction_amount is its total after credits and tax
--    (96.00 + 18.75 - 10.00).  Absent product fields are null.
--
SELECT invoice.billing_v3_invoice('inv-cdn-2024-01');

--
-- 3. The list, two invoices per page.  The April draft is not listed (nor
--    would a cancelled invoice be): total counts the three issued invoices.
--
SELECT invoice.billing_v3_invoices('cdn-customer', "limit" => 2) AS page_1;
SELECT invoice.billing_v3_invoices('cdn-customer', "limit" => 2)->'meta'->>'next_cursor' AS cursor \gset
-- The cursor is opaque: base64url of the position of the last invoice shown,
-- the customer and the billing dates of the listing, and their HMAC-SHA256.
SELECT :'cursor' AS next_cursor, length(:'cursor') AS length;
-- Page 2 is the last: next_cursor is "".
SELECT invoice.billing_v3_invoices('cdn-customer', "limit" => 2, cursor => :'cursor') AS page_2;
-- An empty cursor, like none, asks for the first page.
SELECT json_array_length(r->'invoices') AS invoices, r->'meta' AS meta
  FROM invoice.billing_v3_invoices('cdn-customer', "limit" => 2, cursor => '') AS r;

--
-- 4. Billing dates select the invoices whose period starts in
--    [billing_start_date, billing_end_date): here February and March.
--
SELECT x->>'invoice_id' AS invoice_id, x->>'billing_start_date' AS billing_start_date,
       r->'meta'->'total' AS total
  FROM invoice.billing_v3_invoices('cdn-customer', '2024-02-01 00:00 UTC', '2024-04-01 00:00 UTC') AS r,
       json_array_elements(r->'invoices') AS x;
-- A customer without invoices (or unknown) gets an empty list.
SELECT invoice.billing_v3_invoices('no-such-customer');

--
-- 5. Each page is read afresh from where the previous one stopped (keyset
--    pagination on billing_start_date, then invoice_id), so invoices issued
--    between two calls neither shift nor repeat what was already listed.
--    Here a late December 2023 invoice arrives before page 2 is fetched: it
--    sorts before the cursor, so the walk does not show it (a new walk will),
--    and page 2 is still exactly March.
--
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date)
VALUES ('cdn-customer', 'inv-cdn-2023-12', 'CDN', '2023-12-01 00:00 UTC', '2024-01-01 00:00 UTC', '2024-02-15 00:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
VALUES ('cdn-customer', 'inv-cdn-2023-12', 'Bandwidth, late usage', 50, 0.08);
SELECT number FROM invoice.invoice_issue('inv-cdn-2023-12');
SELECT x->>'invoice_id' AS invoice_id, r->'meta'->'next_cursor' AS next_cursor, r->'meta'->'total' AS total
  FROM invoice.billing_v3_invoices('cdn-customer', "limit" => 2, cursor => :'cursor') AS r,
       json_array_elements(r->'invoices') AS x;

--
-- 6. Timestamps are UTC whatever the session's time zone.
--
SET LOCAL TimeZone = 'America/Los_Angeles';
SELECT x->>'billing_start_date' AS billing_start_date, x->>'billing_end_date' AS billing_end_date,
       x->>'invoice_posted_on' AS invoice_posted_on
  FROM json_array_elements(invoice.billing_v3_invoices('cdn-customer', "limit" => 1)->'invoices') AS x;

--
-- 7. Bad requests are errors, never a wrong page (SQLSTATEs in brackets).
--
-- A cursor with one character changed [22023]:
SELECT invoice.billing_v3_invoices('cdn-customer', "limit" => 2,
                                   cursor => overlay(:'cursor' placing
                                                     CASE substr(:'cursor', 40, 1) WHEN 'A' THEN 'B' ELSE 'A' END
                                                     from 40 for 1));
-- A truncated cursor [22023]:
SELECT invoice.billing_v3_invoices('cdn-customer', "limit" => 2, cursor => left(:'cursor', -1));
-- Another customer's cursor, or other billing dates [22023]:
SELECT invoice.billing_v3_invoices('other-customer', "limit" => 2, cursor => :'cursor');
SELECT invoice.billing_v3_invoices('cdn-customer', '2024-01-01 00:00 UTC', "limit" => 2, cursor => :'cursor');
-- No customer [22004]; a limit outside 1..200 [22023]; an empty date range [22023]:
SELECT invoice.billing_v3_invoices(NULL);
SELECT invoice.billing_v3_invoices('cdn-customer', "limit" => 0);
SELECT invoice.billing_v3_invoices('cdn-customer', "limit" => 201);
SELECT invoice.billing_v3_invoices('cdn-customer', '2024-03-01 00:00 UTC', '2024-02-01 00:00 UTC');
-- An unknown invoice, or one Billing v3 does not show (a draft) [P0002]:
SELECT invoice.billing_v3_invoice('inv-nope');
SELECT invoice.billing_v3_invoice('inv-cdn-2024-04');
-- A new secret invalidates every cursor signed with the old one [22023]:
INSERT INTO invoice.api_secret DEFAULT VALUES;
SELECT invoice.billing_v3_invoices('cdn-customer', "limit" => 2, cursor => :'cursor');

ROLLBACK;
