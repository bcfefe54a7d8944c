-- test/demo.sql — a guided tour of the invoice extension (`make demo` runs it).
--
-- test/demo.sh runs this with psql --echo-all in a throwaway cluster, so every
-- statement is printed before its result.  Conventions for new sections:
--   * start a section with  \echo  and a heading (see below);
--   * a statement that is MEANT to fail carries, on its last line (the one with
--     the semicolon), the comment  -- expect ERROR <SQLSTATE>
--     demo.sh checks that exactly those statements fail, with that SQLSTATE, and
--     fails the demo on any other error;
--   * create demo objects in schema public, never in schema invoice;
--   * dates: the tour runs on the extension's test clock (invoice.test_clock),
--     moved forward section by section, so every date it prints or checks is
--     pinned and the tour reads the same on any day.  Never let the extension
--     compare a date written here with the real clock: set the test clock first.

\set ON_ERROR_STOP 0
\set VERBOSITY verbose
\set SHOW_CONTEXT never

\echo
\echo '================================================================'
\echo ' 1. Install the extension'
\echo '================================================================'
CREATE EXTENSION invoice CASCADE;
SET search_path = invoice, public;
SELECT extname, extversion, extnamespace::regnamespace AS schema
  FROM pg_extension WHERE extname = 'invoice';
\echo
\echo 'Every date decision of the extension (invoice and due dates, the overdue sweep, grace'
\echo 'periods, financial years, credit-note deadlines) reads one clock, invoice.clock(): the'
\echo 'transaction''s start time, like now().  A superuser can stop it at any instant with the'
\echo 'test clock (for tests only); this tour does, and moves it forward as its story goes, so'
\echo 'it shows the same on any day you run it.'
SET TimeZone = 'UTC';
SELECT invoice.clock() = now() AS clock_is_now;
SET invoice.test_clock = '2024-02-01 09:00:00+00';
SELECT invoice.clock() AS test_clock;

\echo
\echo '================================================================'
\echo ' 2. cents: exact money, stored as a 64-bit count of cents'
\echo '================================================================'
\echo 'Text in: optional sign, at most two decimals, spaces around allowed.'
\echo 'Text out: always two decimals, no symbol, no grouping, whatever the locale.'
SELECT '12.34'::cents AS a, '-0.5'::cents AS b, ' 7 '::cents AS c;
SELECT '12.34'::cents::bigint AS minor_units, 1234::bigint::cents AS from_minor_units;

\echo
\echo 'No silent rounding on input: bad text is refused, naming the text.'
SELECT '1.234'::cents;  -- expect ERROR 22P02
SELECT '12 dollars'::cents;  -- expect ERROR 22P02

\echo
\echo '================================================================'
\echo ' 3. Arithmetic'
\echo '================================================================'
SELECT '12.34'::cents + '0.66'    AS plus,
       '12.34'::cents - '20.00'   AS minus,
       -'12.34'::cents            AS negate,
       abs('-12.34'::cents)       AS abs,
       '12.34'::cents * 3         AS times_int,
       '10.00'::cents / 3         AS divided_by_int,
       '10.00'::cents / '4.00'::cents AS ratio;

\echo
\echo '================================================================'
\echo ' 4. Rounding: whole cents, half away from zero by default'
\echo '================================================================'
\echo 'Stripe''s per-line tax examples, 15 % tax on 0.43 and on 4.84:'
SELECT '0.43'::cents * 0.15 AS "0.43 x 0.15 = 0.0645",
       '4.84'::cents * 0.15 AS "4.84 x 0.15 = 0.726";
\echo 'A tie: half of 0.05 is 0.025 — away from zero by default, to even on request.'
SELECT '0.05'::cents * 0.5                   AS "0.05 x 0.5",
       cents_mul('0.05', 0.5, 'half_even')    AS "0.05 x 0.5, half_even",
       cents_round(2.675)                     AS "round 2.675",
       cents_round(2.665, 'half_even')        AS "round 2.665, half_even";

\echo
\echo '================================================================'
\echo ' 5. Aggregates over a million rows: sum(cents) vs sum(bigint)'
\echo '================================================================'
CREATE TABLE public.demo_amounts AS
SELECT ((i::bigint * 7919) % 100000)         AS amount_bigint,
       ((i::bigint * 7919) % 100000)::cents   AS amount
  FROM generate_series(1, 1000000) AS i;
VACUUM ANALYZE public.demo_amounts;
\timing on
SELECT sum(amount), avg(amount), min(amount), max(amount) FROM public.demo_amounts;
SELECT sum(amount_bigint), avg(amount_bigint), min(amount_bigint), max(amount_bigint) FROM public.demo_amounts;
SELECT sum(amount) FROM public.demo_amounts;
SELECT sum(amount_bigint) FROM public.demo_amounts;
\timing off
\echo 'Same total, in cents:'
SELECT sum(amount)::bigint = sum(amount_bigint) AS same_total FROM public.demo_amounts;

\echo
\echo '================================================================'
\echo ' 6. JSON: cents become integer minor units'
\echo '================================================================'
SELECT to_json('450.00'::cents) AS total;
SELECT json_build_object('subtotal', '400.00'::cents, 'tax', '50.00'::cents,
                         'total', '450.00'::cents) AS invoice_amounts;

\echo
\echo '================================================================'
\echo ' 7. Overflow is refused, never wrapped (SQLSTATE 22003)'
\echo '================================================================'
SELECT '92233720368547758.07'::cents AS largest;
SELECT '92233720368547758.07'::cents + '0.01';  -- expect ERROR 22003
SELECT '92233720368547758.08'::cents;  -- expect ERROR 22003
SELECT sum(amount * 100000000000) FROM public.demo_amounts;  -- expect ERROR 22003

\echo
\echo '================================================================'
\echo ' 8. Invoices: the seed example, to the cent'
\echo '================================================================'
INSERT INTO orgs (org_id, name) VALUES
    ('org-xxxxxx', 'Example Org'), ('org-acme', 'Acme Cloud'), ('org-globex', 'Globex');
INSERT INTO invoices (org_id, id, period_start, period_end, invoice_date, due_date, currency, tax_rate)
VALUES ('org-xxxxxx', 'inv-12312io23810o291', '2024-01-01', '2024-02-01', '2024-02-01', '2024-02-01', 'USD', 12.5);
\echo 'Lines: amount = units x rate, rounded half away from zero to cents.'
INSERT INTO line_items (org_id, invoice_id, description, units, rate) VALUES
    ('org-xxxxxx', 'inv-12312io23810o291', 'vector compute (CU-hours)', 1000, 0.324),
    ('org-xxxxxx', 'inv-12312io23810o291', 'storage (GB-months)', 200, 1.00);
INSERT INTO credits (org_id, invoice_id, amount, code)
VALUES ('org-xxxxxx', 'inv-12312io23810o291', '124.00', 'WELCOME');
\echo 'No call needed: the amounts follow the lines and credits (usage 524, credits 124, tax 12.5 %).'
SELECT usage_amount, credits_applied, subtotal, tax, total, amount_due
  FROM invoices WHERE id = 'inv-12312io23810o291';
\echo 'Clients cannot write derived amounts.'
UPDATE invoices SET total = '1.00' WHERE id = 'inv-12312io23810o291';  -- expect ERROR IV006

\echo
\echo 'Issue it (the test clock says 2024-02-01): a gapless number per series and Indian'
\echo 'financial year; the invoice is frozen.'
SELECT id, number, status, due_date FROM invoice_issue('inv-12312io23810o291');
INSERT INTO line_items (org_id, invoice_id, description, units, rate)
VALUES ('org-xxxxxx', 'inv-12312io23810o291', 'late addition', 1, 1);  -- expect ERROR IV002

\echo
\echo 'Pay in two parts; a retried payment (same provider_ref) changes nothing.'
SELECT payment_id, amount, method, provider_ref FROM invoice_pay('inv-12312io23810o291', '100.00', 'card', 'ch_1');
SELECT payment_id, amount, method, provider_ref FROM invoice_pay('inv-12312io23810o291', '100.00', 'card', 'ch_1');
SELECT invoice_pay('inv-12312io23810o291', '400.00', 'upi', 'upi_2');  -- expect ERROR IV003
SELECT payment_id, amount, method, provider_ref FROM invoice_pay('inv-12312io23810o291', '350.00', 'upi', 'upi_2');
SELECT number, status, already_billed_amount, amount_due FROM invoices WHERE id = 'inv-12312io23810o291';
SELECT from_status, to_status, reason, changed_by FROM status_history
 WHERE invoice_id = 'inv-12312io23810o291' ORDER BY history_id;
\echo 'Paid is final.'
UPDATE invoices SET status = 'pending' WHERE id = 'inv-12312io23810o291';  -- expect ERROR IV001

\echo
\echo '================================================================'
\echo ' 9. Billing day: a month of invoices for many organisations, set-based'
\echo '================================================================'
SET invoice.test_clock = '2024-04-01 06:00:00+00';
INSERT INTO orgs (org_id, name) SELECT 'org-' || g, 'Customer ' || g FROM generate_series(1, 200) g;
INSERT INTO invoices (org_id, id, period_start, period_end, invoice_date, tax_rate)
SELECT 'org-' || g, 'inv-2024-03-' || g, '2024-03-01', '2024-04-01', '2024-04-01', 18
  FROM generate_series(1, 200) g;
INSERT INTO line_items (org_id, invoice_id, description, units, rate)
SELECT 'org-' || g, 'inv-2024-03-' || g, 'usage ' || l, (g * l) % 97 + 0.5, 0.0125 * l
  FROM generate_series(1, 200) g, generate_series(1, 10) l;
SELECT invoice_issue_period('2024-03-01', '2024-04-01') AS issued;
SELECT min(number) AS first_number, max(number) AS last_number, count(DISTINCT number) AS distinct_numbers,
       sum(total) AS billed
  FROM invoices WHERE period_start = '2024-03-01';
\echo 'Some customers pay.'
SELECT count(*) AS payments
  FROM (SELECT invoice_pay(id, amount_due, 'netbanking', 'nb-' || id)
          FROM invoices WHERE period_start = '2024-03-01' AND org_id < 'org-5' ORDER BY id) p;
SELECT status, count(*), sum(total) AS total, sum(amount_due) AS due
  FROM invoices GROUP BY status ORDER BY status;

\echo
\echo '================================================================'
\echo ' 9b. The JSON API: the seeds'' shapes, straight from SQL'
\echo '================================================================'
\echo 'GET /v2/invoices — the seed''s List Invoices shape, keys in its order, amounts in cents, UTC:'
SELECT invoice_list('org-xxxxxx') AS list;
\echo 'GET /v2/invoices/{INVOICE_ID} — the same 16 fields, then line items, credits, payments, history:'
SELECT string_agg(k, ', ') AS describe_keys FROM json_object_keys(invoice_describe('inv-12312io23810o291') -> 'data') AS k;
\echo 'Pages, filters (unpaid = pending), search over numbers and descriptions:'
SELECT invoice_list('org-7', page => 1, page_size => 2) AS list_page;
SELECT invoice_list('org-7', status => 'unpaid', search => 'usage 3')::jsonb -> 'data' -> 'count' AS unpaid_matching;
\echo 'The invoice summary of an organisation (integer cents):'
SELECT invoice_summary('org-xxxxxx') AS summary;
\echo 'Billing v3 (CDN seed): decimal amounts, PascalCase line keys, an opaque keyset cursor.'
INSERT INTO invoices (org_id, id, period_start, period_end, invoice_date, due_date, tax_rate)
VALUES ('org-xxxxxx', 'inv-feb-2024', '2024-02-01', '2024-03-01', '2024-03-01', '2024-03-01', 12.5);
INSERT INTO line_items (org_id, invoice_id, description, units, rate, product_group, product_name, region, usage_type)
VALUES ('org-xxxxxx', 'inv-feb-2024', 'CDN egress', 1200, 0.085, 'Full-Site Delivery', 'Edge', 'APAC', 'bandwidth');
SELECT number FROM invoice_issue('inv-feb-2024');
SELECT billing_v3_invoices('org-xxxxxx', "limit" => 1) AS first_page \gset
SELECT :'first_page'::json -> 'meta' AS meta;
SELECT billing_v3_invoices('org-xxxxxx', "limit" => 1, cursor => :'first_page'::json -> 'meta' ->> 'next_cursor') AS second_page;
\echo 'One entry point for an HTTP gateway; errors come back in the seed''s error shape:'
SELECT api_get('/v2/invoices/inv-12312io23810o291', '{}')::jsonb -> 'data' -> 'amountDue' AS amount_due;
SELECT api_get('/v2/invoices/inv-does-not-exist', '{}') AS not_found;
SELECT api_get('/billing/v3/invoices', '{"customer_id": "org-xxxxxx", "cursor": "garbage"}') AS bad_cursor;
\echo 'A finance analyst exports the list as CSV:'
\copy (SELECT * FROM invoice_csv('org-7')) TO '.results/demo-invoices.csv' CSV HEADER
\! head -3 .results/demo-invoices.csv

\echo
\echo '================================================================'
\echo ' 10. Collections: overdue sweep, reminders, grace period, suspension'
\echo '================================================================'
SET invoice.test_clock = '2025-02-01 06:00:00+00';
INSERT INTO orgs (org_id, name, grace_period) VALUES ('org-late', 'Late Payer Ltd', '3 days');
INSERT INTO invoices (org_id, id, period_start, period_end, invoice_date, due_date)
VALUES ('org-late', 'inv-late-1', '2025-01-01', '2025-02-01', '2025-02-01', '2025-02-15');
INSERT INTO line_items (org_id, invoice_id, description, units, rate)
VALUES ('org-late', 'inv-late-1', 'GPU hours', 10, 2.5);
SELECT number, status, total, due_date FROM invoice_issue('inv-late-1');
\echo 'Two weeks later the sweep runs (the worker or pg_cron calls it; here by hand, as of the clock):'
\echo 'the invoice is a day late (and so are the March 2024 invoices left unpaid above).'
SET invoice.test_clock = '2025-02-16 06:00:00+00';
SELECT invoice_sweep_overdue() AS moved;
SELECT id, status FROM invoices WHERE id = 'inv-late-1';
\echo 'Each newly overdue invoice gets a reminder in the outbox and a NOTIFY on channel invoice_reminders.'
SELECT invoice_id, kind, reminder_day, sent_at FROM reminders WHERE org_id = 'org-late';
SELECT count(*) AS reminders_queued FROM reminders;
\echo 'Running it again changes nothing.'
SELECT invoice_sweep_overdue() AS moved;
\echo 'On 2025-02-20 the 3-day grace period has run out: the organisation is suspended.'
SET invoice.test_clock = '2025-02-20 06:00:00+00';
SELECT invoice_sweep_overdue() AS moved;
SELECT org_id, suspended_at FROM orgs WHERE org_id = 'org-late';
\echo 'Paying restores the service in the same transaction.'
SELECT amount, method FROM invoice_pay('inv-late-1', '25.00', 'upi', 'upi-late-1');
SELECT i.status, o.suspended_at FROM invoices i JOIN orgs o USING (org_id) WHERE i.id = 'inv-late-1';
SELECT from_status, to_status, reason FROM status_history WHERE invoice_id = 'inv-late-1' ORDER BY history_id;

\echo
\echo '================================================================'
\echo ' 11. Prepaid: a wallet top-up, its receipt, applied at issue'
\echo '================================================================'
SET invoice.test_clock = '2025-03-01 06:00:00+00';
INSERT INTO orgs (org_id, name, autopay) VALUES ('org-wallet', 'Wallet Startup', true);
SELECT number, amount, method FROM invoice_topup('org-wallet', '30.00', 'wallet', 'wal-1');
SELECT advance_balance FROM orgs WHERE org_id = 'org-wallet';
INSERT INTO invoices (org_id, id, period_start, period_end, invoice_date)
VALUES ('org-wallet', 'inv-wallet-1', '2025-02-01', '2025-03-01', '2025-03-01');
INSERT INTO line_items (org_id, invoice_id, description, units, rate)
VALUES ('org-wallet', 'inv-wallet-1', 'storage', 100, 0.45);
\echo 'Credits, then the advance, then the card: 45.00 due, 30.00 from the wallet, 15.00 left.'
SELECT total, advance_pay_amount, amount_due, status FROM invoice_issue('inv-wallet-1');
SELECT kind, amount, invoice_id FROM advance_ledger WHERE org_id = 'org-wallet' ORDER BY entry_id;
\echo 'Auto-pay is on: the rest waits in the payment gateway''s outbox.'
SELECT invoice_id, amount, processed_at FROM payment_requests WHERE org_id = 'org-wallet';
\echo 'The balance can never go negative, and the ledger is append-only.'
INSERT INTO advance_ledger (org_id, kind, amount) VALUES ('org-wallet', 'reversal', '-1.00');  -- expect ERROR IV008
DELETE FROM advance_ledger WHERE org_id = 'org-wallet';  -- expect ERROR IV002

\echo
\echo '================================================================'
\echo ' 12. GST: a tax invoice within Karnataka and one to Maharashtra'
\echo '================================================================'
SET invoice.test_clock = '2025-11-01 06:00:00+00';
INSERT INTO supplier (legal_name, address, email, gstin, state_code)
VALUES ('Cloud India Private Limited', '12 MG Road, Bengaluru 560001', 'billing@cloud.example', '29AAACI1681G1ZL', '29');
INSERT INTO orgs (org_id, name, billing_address, billing_state) VALUES
    ('org-blr', 'Bengaluru Analytics LLP', 'Indiranagar, Bengaluru', '29'),
    ('org-mum', 'Mumbai Media Pvt Ltd', 'Andheri, Mumbai', '27');
INSERT INTO invoices (org_id, id, period_start, period_end, invoice_date, currency, tax_rate, gst)
VALUES ('org-blr', 'inv-gst-blr', '2025-10-01', '2025-11-01', '2025-11-01', 'INR', 18, true),
       ('org-mum', 'inv-gst-mum', '2025-10-01', '2025-11-01', '2025-11-01', 'INR', 18, true);
INSERT INTO line_items (org_id, invoice_id, description, units, rate, hsn_sac, tax_rate)
SELECT o, i, d, u, r, '998315', t
  FROM (VALUES ('org-blr', 'inv-gst-blr'), ('org-mum', 'inv-gst-mum')) AS inv(o, i),
       (VALUES ('GPU compute (hours)', 120, 83.35, 18), ('object storage (GB-months)', 500, 1.75, 18),
               ('support plan', 1, 999.99, 5)) AS l(d, u, r, t);
\echo 'Same state as the supplier: CGST + SGST; another state: IGST. The heads add up to the tax.'
SELECT id, subtotal, tax, total FROM invoices WHERE id LIKE 'inv-gst-%' ORDER BY id;
SELECT * FROM invoice_tax_summary('inv-gst-blr');
SELECT * FROM invoice_tax_summary('inv-gst-mum');
SELECT id, number, status FROM invoice_issue('inv-gst-blr');
SELECT id, number, status FROM invoice_issue('inv-gst-mum');
\echo 'A retired rate (12 % after the September 2025 reform) is refused on a GST invoice.'
INSERT INTO invoices (org_id, id, period_start, period_end, invoice_date, currency, tax_rate, gst)
VALUES ('org-blr', 'inv-gst-old', '2025-10-01', '2025-11-01', '2025-11-01', 'INR', 12, true);
INSERT INTO line_items (org_id, invoice_id, description, units, rate, hsn_sac)
VALUES ('org-blr', 'inv-gst-old', 'legacy plan', 1, 100, '998315');
SELECT invoice_issue('inv-gst-old');  -- expect ERROR IV009

\echo
\echo '================================================================'
\echo ' 13. Corrections: a dispute, then a credit note (never an edit)'
\echo '================================================================'
SELECT id, dispute_status FROM invoice_dispute('inv-gst-blr', 'support plan was cancelled in September');
\echo 'Two months on, while disputed, the invoice is left out of the overdue sweep.'
SET invoice.test_clock = '2026-01-01 06:00:00+00';
SELECT invoice_sweep_overdue() AS moved;
SELECT id, status, dispute_status FROM invoices WHERE id LIKE 'inv-gst-%' ORDER BY id;
SELECT credit_note_id AS credit_note FROM credit_note_create('inv-gst-blr', 'service_not_rendered',
                                                              'support plan, October 2025') \gset
INSERT INTO credit_note_lines (org_id, credit_note_id, description, amount, tax_rate, hsn_sac)
VALUES ('org-blr', :'credit_note', 'support plan (not rendered)', '999.99', 5, '998315');
\echo 'The note is dated by the clock (2026-01-01), inside section 34''s deadline (30 November after'
\echo 'the financial year of the invoice): after it, the note would be refused.'
SELECT number, note_date, taxable_value, cgst, sgst, igst, total FROM credit_note_issue(:'credit_note');
SELECT id, total, credited_amount, amount_due, status, dispute_status FROM invoices WHERE id = 'inv-gst-blr';
\echo 'A credit note can never exceed what remains creditable.'
SELECT credit_note_id AS too_much FROM credit_note_create('inv-gst-blr', 'other') \gset
INSERT INTO credit_note_lines (org_id, credit_note_id, description, amount)
VALUES ('org-blr', :'too_much', 'everything, twice', '99999.00');
SELECT credit_note_issue(:'too_much');  -- expect ERROR IV010

\echo
\echo '================================================================'
\echo ' 14. Documents: the invoice as a PDF, several invoices as a ZIP'
\echo '================================================================'
\echo 'invoice_pdf renders a printable A4 PDF inside the database (libharu, DejaVu Sans embedded).'
\echo 'psql writes it to a file client-side with \\lo_export, through a large object that lives'
\echo 'only as long as this transaction:'
BEGIN;
SELECT lo_from_bytea(0, invoice_pdf('inv-gst-blr')) AS pdf_oid \gset
\lo_export :pdf_oid .results/demo-invoice.pdf
ROLLBACK;
\! ls -l .results/demo-invoice.pdf | awk '{ print $NF ": " $5 " bytes" }'
\! pdfinfo .results/demo-invoice.pdf 2>/dev/null | grep -E '^(Title|Pages|Page size)'
\echo 'What a reader finds on it (pdftotext):'
\! pdftotext -layout .results/demo-invoice.pdf - 2>/dev/null | grep -E 'INVOICE|INV/|Place of supply|CGST  |SGST  |Total  |Credit notes  |Amount due' | sed -E 's/^ +//; s/ {2,}/   /g'
\echo 'A receipt for a prepaid top-up and a credit note render the same way.'
SELECT octet_length(receipt_pdf(org_id, receipt_id)) AS receipt_pdf_bytes FROM receipts WHERE org_id = 'org-wallet';
SELECT octet_length(credit_note_pdf(:'credit_note')) AS credit_note_pdf_bytes;
\echo 'Bulk download: one ZIP, one PDF per distinct invoice, named by number (drafts by id).'
BEGIN;
SELECT lo_from_bytea(0, invoice_pdf_zip(ARRAY['inv-gst-blr', 'inv-gst-mum', 'inv-gst-blr', 'inv-gst-old'])) AS zip_oid \gset
\lo_export :zip_oid .results/demo-invoices.zip
ROLLBACK;
\! unzip -l .results/demo-invoices.zip
SELECT invoice_pdf_zip('{}');  -- expect ERROR 22023
SELECT invoice_pdf('inv-no-such');  -- expect ERROR P0002

\echo
\echo '================================================================'
\echo ' 15. Usage billing: a price book, usage events, the month invoiced'
\echo '================================================================'
SET invoice.test_clock = '2026-02-01 06:00:00+00';
INSERT INTO products (product_id, product_group, product_line, product_name, region, usage_type, unit, currency)
VALUES ('cdn-egress', 'Network', 'CDN', 'Egress', 'Global', 'GB', 'GB', 'USD');
\echo 'Graduated: the first 1,000 GB of a month at 0.09, the rest at 0.05 (rates are exact numerics).'
INSERT INTO prices (product_id, effective_from, model, tier_up_to, tier_rate)
VALUES ('cdn-egress', '2026-01-01', 'graduated', '{1000,NULL}', '{0.09,0.05}');
INSERT INTO orgs (org_id, name) VALUES ('org-usage', 'Usage Streaming Co');
INSERT INTO usage_records (org_id, idempotency_key, product_group, product_line, product_name, region, usage_type,
                           resource_name, quantity, usage_start, usage_end)
VALUES ('org-usage', 'evt-1', 'Network', 'CDN', 'Egress', 'Global', 'GB', 'site', 800, '2026-01-05', '2026-01-06'),
       ('org-usage', 'evt-2', 'Network', 'CDN', 'Egress', 'Global', 'GB', 'site', 400, '2026-01-20', '2026-01-21');
\echo 'An event sent again with the same values changes nothing; with other values it is refused.'
INSERT INTO usage_records (org_id, idempotency_key, product_group, product_line, product_name, region, usage_type,
                           resource_name, quantity, usage_start, usage_end)
VALUES ('org-usage', 'evt-1', 'Network', 'CDN', 'Egress', 'Global', 'GB', 'site', 800, '2026-01-05', '2026-01-06');
INSERT INTO usage_records (org_id, idempotency_key, product_group, product_line, product_name, region, usage_type,
                           resource_name, quantity, usage_start, usage_end)
VALUES ('org-usage', 'evt-1', 'Network', 'CDN', 'Egress', 'Global', 'GB', 'site', 999, '2026-01-05', '2026-01-06');  -- expect ERROR IV011
\echo 'Bulk senders COPY into the inbox at a bare table''s speed; usage_ingest loads it by the same'
\echo 'rules and parks, with its reason, what it cannot load (a generation ingests first anyway).'
INSERT INTO usage_inbox (org_id, idempotency_key, product_group, product_line, product_name, region, usage_type,
                         resource_name, quantity, usage_start, usage_end)
VALUES ('org-usage', 'evt-3', 'Network', 'CDN', 'Egress', 'Global', 'GB', 'site', 100, '2026-01-25', '2026-01-26'),
       ('org-usage', 'evt-4', 'Network', 'CDN', 'Egress', 'Global', 'GB', 'site', -5, '2026-01-25', '2026-01-26');
SELECT usage_ingest('org-usage') AS records_loaded;
SELECT idempotency_key, reason FROM usage_unrated WHERE org_id = 'org-usage' AND reason IS NOT NULL;
\echo 'The month invoiced: 1,300 GB = 1,000 × 0.09 + 300 × 0.05 = 105.00; running it again makes nothing.'
SELECT invoice_generate('2026-01-01', '2026-02-01') AS drafts_made;
SELECT l.description, l.units, l.amount FROM line_items l WHERE l.org_id = 'org-usage';
SELECT invoice_generate('2026-01-01', '2026-02-01') AS drafts_made_again;

\echo
\echo '================================================================'
\echo ' 16. Statement of account, rounding to the rupee, the e-invoice, GSTR-1'
\echo '================================================================'
\echo 'The wallet organisation''s statement of 2025: every document in order, a running balance.'
SELECT * FROM statement_lines('org-wallet', '2025-01-01', '2026-01-01', 'USD');
\echo 'The supplier rounds invoices off to the rupee from now on (fixed on each invoice at issue).'
UPDATE supplier SET total_rounding = 'rupee', city = 'Bengaluru', pincode = '560001';
UPDATE orgs SET gstin = '27AAPFU0939F1ZV', billing_city = 'Mumbai', billing_pincode = '400053' WHERE org_id = 'org-mum';
INSERT INTO invoices (org_id, id, period_start, period_end, invoice_date, currency, tax_rate, gst)
VALUES ('org-mum', 'inv-gst-round', '2026-01-01', '2026-02-01', '2026-02-01', 'INR', 18, true);
INSERT INTO line_items (org_id, invoice_id, description, units, rate, hsn_sac)
VALUES ('org-mum', 'inv-gst-round', 'GPU compute (hours)', 7, 83.35, '998315');
\echo 'An exempt supply on the same invoice: rate 0, reported in GSTR-1 table 8, not taxed.'
INSERT INTO line_items (org_id, invoice_id, description, units, rate, tax_rate, hsn_sac, gst_treatment)
VALUES ('org-mum', 'inv-gst-round', 'Training for a government body', 1, 200, 0, '999293', 'exempt');
SELECT subtotal, tax, round_off, total FROM invoice_issue('inv-gst-round');
\echo 'Its e-invoice for the Invoice Registration Portal (schema INV-01 1.1): the value details.'
SELECT invoice_einvoice_json('inv-gst-round')::jsonb -> 'ValDtls' AS val_dtls;
\echo 'The GSTR-1 of February 2026, table 8 (nil-rated, exempt and non-GST supplies):'
SELECT gstr1(s.gstin::text, '022026')::jsonb -> 'nil' AS table_8 FROM supplier s;

\echo
\echo 'End of the tour.'
