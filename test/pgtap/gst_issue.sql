-- GST at issue (issue #7, README "GST tax invoices"): what a GST tax invoice
-- needs before it gets a number, the CHECK constraints of GST columns, and
-- what is frozen once issued.
--
--   - issue refuses (IV009) a GST invoice when the supplier has no GSTIN (or
--     there is no supplier row), when a line has no HSN/SAC code, or when a
--     line's rate is not in invoice.gst_rates on the invoice date (UTC): the
--     reform of 22 September 2025 retired 12 % and 28 % and introduced 40 %,
--     so each is tested on both sides of that day; a refused issue leaves a
--     draft and takes no number; every path to pending is checked;
--   - CHECK (23514): gst only with currency INR; HSN/SAC 4, 6 or 8 digits;
--   - gst and reverse_charge are frozen once issued (IV002).
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(59);

-- Fixtures --------------------------------------------------------------------

DELETE FROM invoice.supplier;
-- this file's numbering series start from scratch (rolled back at the end)
DELETE FROM invoice.number_series WHERE series IN ('GTI', 'GTN', 'GTP');
INSERT INTO invoice.orgs (org_id, name, billing_state) VALUES ('gi-ka', 'GST issue test org', '29');

-- pg_temp.draft(id, tax_rate, invoice_date [, line rate, hsn_sac, gst, series, period start]):
-- a GST draft (INR) with one line of 100.00
CREATE FUNCTION pg_temp.draft(p_id text, p_rate numeric, p_date timestamptz,
                              p_line_rate numeric DEFAULT NULL, p_hsn text DEFAULT '998315',
                              p_gst boolean DEFAULT true, p_series text DEFAULT 'GTI',
                              p_start timestamptz DEFAULT '2025-09-01 00:00 UTC') RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date,
                                  currency, gst, tax_rate)
    VALUES ('gi-ka', p_id, p_series, p_start, p_start + interval '1 month', p_date, 'INR', p_gst, p_rate);
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac)
    VALUES ('gi-ka', p_id, 'service', '100.00', p_line_rate, p_hsn);
    RETURN p_id;
END $$;

CREATE FUNCTION pg_temp.state(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws('/', status, coalesce(number, '-')) FROM invoice.invoices WHERE id = p_id
$$;

-- The supplier's GSTIN -------------------------------------------------------------

SELECT FROM pg_temp.draft('gi-nosupplier', 18, '2025-10-01 00:00 UTC');
SELECT throws_ok($$SELECT invoice.invoice_issue('gi-nosupplier')$$, 'IV009',
                 'invoice "gi-nosupplier" is a GST invoice but the supplier has no GSTIN',
                 'no supplier row: a GST invoice is not issued (IV009)');
INSERT INTO invoice.supplier (legal_name, address, state_code) VALUES ('GST test supplier', 'Bengaluru', '29');
SELECT throws_ok($$SELECT invoice.invoice_issue('gi-nosupplier')$$, 'IV009',
                 'invoice "gi-nosupplier" is a GST invoice but the supplier has no GSTIN',
                 'a supplier without a GSTIN: refused (IV009)');
SELECT throws_ok($$UPDATE invoice.invoices SET status = 'pending' WHERE id = 'gi-nosupplier'$$, 'IV009', NULL,
                 'the same through a plain UPDATE of the status');
SELECT is(pg_temp.state('gi-nosupplier'), 'draft/-', 'a refused issue leaves a draft without a number');
UPDATE invoice.supplier SET gstin = '29AAACI1681G1ZL';
SELECT is((SELECT status::text FROM invoice.invoice_issue('gi-nosupplier')), 'pending',
          'with the supplier''s GSTIN it is issued');

-- HSN/SAC on every line --------------------------------------------------------------

SELECT FROM pg_temp.draft('gi-nohsn', 18, '2025-10-01 00:00 UTC');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
VALUES ('gi-ka', 'gi-nohsn', 'a line without HSN/SAC', '1.00');
SELECT throws_ok($$SELECT invoice.invoice_issue('gi-nohsn')$$, 'IV009', NULL,
                 'a line without an HSN/SAC code: refused (IV009)');
SELECT throws_like($$SELECT invoice.invoice_issue('gi-nohsn')$$, '% of GST invoice "gi-nohsn" has no HSN/SAC code',
                   '... and the message says which line and what is missing');
SELECT is(pg_temp.state('gi-nohsn'), 'draft/-', '... and it stays a draft');
UPDATE invoice.line_items SET hsn_sac = '9983' WHERE invoice_id = 'gi-nohsn' AND hsn_sac IS NULL;
SELECT is((SELECT status::text FROM invoice.invoice_issue('gi-nohsn')), 'pending', 'with the code added it is issued');
-- A non-GST invoice needs no HSN/SAC code and no rate of the table.
SELECT FROM pg_temp.draft('gi-plain', 12, '2025-10-01 00:00 UTC', p_hsn => NULL, p_gst => false);
SELECT is((SELECT status::text FROM invoice.invoice_issue('gi-plain')), 'pending',
          'a non-GST invoice at 12 % after the reform, without HSN/SAC: issued');

-- Rates in force on the invoice date (UTC) -------------------------------------------

-- 12 %: in force until 21 September 2025, retired from 22 September.
SELECT FROM pg_temp.draft('gi-12-sep01', 12, '2025-09-01 00:00 UTC');
SELECT FROM pg_temp.draft('gi-12-sep21', 12, '2025-09-21 23:59:59 UTC');
SELECT FROM pg_temp.draft('gi-12-sep22', 12, '2025-09-22 00:00 UTC');
SELECT FROM pg_temp.draft('gi-12-sep23', 12, '2025-09-23 00:00 UTC');
SELECT FROM pg_temp.draft('gi-12-ist', 12, '2025-09-22 04:00 +05:30');
SELECT is((SELECT status::text FROM invoice.invoice_issue('gi-12-sep01')), 'pending', '12 % dated 2025-09-01: accepted');
SELECT is((SELECT status::text FROM invoice.invoice_issue('gi-12-sep21')), 'pending', '12 % dated 2025-09-21 23:59:59 UTC: accepted (last day)');
SELECT throws_ok($$SELECT invoice.invoice_issue('gi-12-sep22')$$, 'IV009',
                 'line ' || (SELECT line_id FROM invoice.line_items WHERE invoice_id = 'gi-12-sep22')
                 || ' of GST invoice "gi-12-sep22" has a tax rate of 12%, which is not a GST rate on its invoice date',
                 '12 % dated 2025-09-22 (the reform): refused (IV009)');
SELECT throws_ok($$SELECT invoice.invoice_issue('gi-12-sep23')$$, 'IV009', NULL, '12 % dated 2025-09-23: refused (IV009)');
SELECT is((SELECT status::text FROM invoice.invoice_issue('gi-12-ist')), 'pending',
          '12 % dated 2025-09-22 04:00 IST (21 September in UTC): accepted, the date is taken in UTC');

-- 28 %: the same.
SELECT FROM pg_temp.draft('gi-28-sep01', 28, '2025-09-01 00:00 UTC');
SELECT FROM pg_temp.draft('gi-28-oct01', 28, '2025-10-01 00:00 UTC');
SELECT is((SELECT status::text FROM invoice.invoice_issue('gi-28-sep01')), 'pending', '28 % dated 2025-09-01: accepted');
SELECT throws_ok($$SELECT invoice.invoice_issue('gi-28-oct01')$$, 'IV009', NULL, '28 % dated 2025-10-01: refused (IV009)');

-- 40 %: from 22 September 2025 only.
SELECT FROM pg_temp.draft('gi-40-sep21', 40, '2025-09-21 23:59:59 UTC');
SELECT FROM pg_temp.draft('gi-40-sep01', 40, '2025-09-01 00:00 UTC');
SELECT FROM pg_temp.draft('gi-40-sep22', 40, '2025-09-22 00:00 UTC');
SELECT FROM pg_temp.draft('gi-40-oct01', 40, '2025-10-01 00:00 UTC');
SELECT throws_ok($$SELECT invoice.invoice_issue('gi-40-sep01')$$, 'IV009', NULL, '40 % dated 2025-09-01: refused (IV009)');
SELECT throws_ok($$SELECT invoice.invoice_issue('gi-40-sep21')$$, 'IV009', NULL, '40 % dated 2025-09-21 23:59:59 UTC: refused (IV009)');
SELECT is((SELECT status::text FROM invoice.invoice_issue('gi-40-sep22')), 'pending', '40 % dated 2025-09-22: accepted');
SELECT is((SELECT status::text FROM invoice.invoice_issue('gi-40-oct01')), 'pending', '40 % dated 2025-10-01: accepted');

-- 18 % since GST began (1 July 2017); 7 % never was a GST rate.
SELECT FROM pg_temp.draft('gi-18-2017-06', 18, '2017-06-30 00:00 UTC');
SELECT FROM pg_temp.draft('gi-18-2017-07', 18, '2017-07-01 00:00 UTC');
SELECT FROM pg_temp.draft('gi-7', 7, '2025-10-01 00:00 UTC');
SELECT throws_ok($$SELECT invoice.invoice_issue('gi-18-2017-06')$$, 'IV009', NULL, '18 % dated 2017-06-30, before GST: refused (IV009)');
SELECT is((SELECT status::text FROM invoice.invoice_issue('gi-18-2017-07')), 'pending', '18 % dated 2017-07-01: accepted');
SELECT throws_ok($$SELECT invoice.invoice_issue('gi-7')$$, 'IV009', NULL, '7 %, not a GST rate: refused (IV009)');
-- The rates are data: a row added to the table makes 7 % valid.
INSERT INTO invoice.gst_rates (rate, effective_from, note) VALUES (7, '2025-01-01', 'a test rate');
SELECT is((SELECT status::text FROM invoice.invoice_issue('gi-7')), 'pending',
          'a rate added to invoice.gst_rates is accepted: validated against the table, not a list in code');

-- The line's own rate is the one checked.
SELECT FROM pg_temp.draft('gi-line-12', 18, '2025-10-01 00:00 UTC', 12);
SELECT throws_ok($$SELECT invoice.invoice_issue('gi-line-12')$$, 'IV009', NULL,
                 'an 18 % invoice with a 12 % line dated 2025-10-01: refused (IV009)');
SELECT FROM pg_temp.draft('gi-line-5', 12, '2025-10-01 00:00 UTC', 5);
SELECT is((SELECT status::text FROM invoice.invoice_issue('gi-line-5')), 'pending',
          'a 12 % invoice whose only line is at 5 %, dated 2025-10-01: accepted (the line''s rate counts)');

-- Without an invoice date, issue dates it now (after the reform).
SELECT FROM pg_temp.draft('gi-undated-12', 12, NULL);
SELECT FROM pg_temp.draft('gi-undated-18', 18, NULL);
SELECT throws_ok($$SELECT invoice.invoice_issue('gi-undated-12')$$, 'IV009', NULL,
                 'an undated 12 % invoice is dated now at issue: refused (IV009)');
SELECT is((SELECT invoice_date FROM invoice.invoice_issue('gi-undated-18')), invoice.clock(),
          'an undated 18 % invoice is issued, dated now');

-- Every path to pending checks: a plain UPDATE, the billing-day function.
SELECT FROM pg_temp.draft('gi-upd-12', 12, '2025-10-01 00:00 UTC');
SELECT throws_ok($$UPDATE invoice.invoices SET status = 'pending' WHERE id = 'gi-upd-12'$$, 'IV009', NULL,
                 'UPDATE … SET status = pending of a 12 % invoice after the reform: refused (IV009)');
SELECT FROM pg_temp.draft('gi-period-ok', 18, '2025-10-01 00:00 UTC', p_series => 'GTP', p_start => '2025-07-01 00:00 UTC');
SELECT FROM pg_temp.draft('gi-period-12', 12, '2025-10-01 00:00 UTC', p_series => 'GTP', p_start => '2025-07-01 00:00 UTC');
SELECT throws_ok($$SELECT invoice.invoice_issue_period('2025-07-01 00:00 UTC', '2025-08-01 00:00 UTC')$$, 'IV009', NULL,
                 'invoice_issue_period with a 12 % draft after the reform: refused (IV009)');
SELECT is(pg_temp.state('gi-period-ok') || ' ' || pg_temp.state('gi-period-12'), 'draft/- draft/-',
          '... and the whole statement is undone');

-- A refused issue takes no number ----------------------------------------------------

SELECT FROM pg_temp.draft('gi-num-a', 12, '2025-10-01 00:00 UTC', p_series => 'GTN');
SELECT FROM pg_temp.draft('gi-num-b', 18, '2025-10-01 00:00 UTC', p_series => 'GTN');
SELECT throws_ok($$SELECT invoice.invoice_issue('gi-num-a')$$, 'IV009', NULL, 'gi-num-a at 12 %: refused');
SELECT is((SELECT number FROM invoice.invoice_issue('gi-num-b')), 'GTN/2526/000001',
          'the next invoice of the series gets the first number: none was taken by the refusal');
UPDATE invoice.invoices SET tax_rate = 18 WHERE id = 'gi-num-a';
SELECT is((SELECT number FROM invoice.invoice_issue('gi-num-a')), 'GTN/2526/000002',
          'corrected, the refused invoice gets the next one');

-- CHECK constraints ---------------------------------------------------------------------

SELECT throws_ok($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, gst)
                   VALUES ('gi-ka', 'gi-usd', '2025-09-01', '2025-10-01', 'USD', true)$$, '23514', NULL,
                 'a GST invoice in USD: refused (23514)');
SELECT throws_ok($$UPDATE invoice.invoices SET currency = 'USD' WHERE id = 'gi-12-sep23'$$, '23514', NULL,
                 'a GST draft moved to USD: refused (23514)');
SELECT lives_ok($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, gst)
                  VALUES ('gi-ka', 'gi-usd-plain', '2025-09-01', '2025-10-01', 'USD', false)$$,
                'a non-GST invoice in USD: fine');

SELECT throws_ok(format($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac)
                          VALUES ('gi-ka', 'gi-12-sep23', 'bad code', '1.00', %L)$$, code), '23514', NULL,
                 format('HSN/SAC %L: refused (23514)', code))
  FROM unnest(ARRAY['', '998', '99831', '9983151', '998315000', '99831A', ' 9983', '9983 ', '99 83', '９９８３']) AS code;
SELECT lives_ok(format($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac)
                         VALUES ('gi-ka', 'gi-12-sep23', 'good code', '1.00', %L)$$, code),
                format('HSN/SAC %L (%s digits): accepted', code, length(code)))
  FROM unnest(ARRAY['9983', '998315', '99831500']) AS code;
SELECT throws_ok($$UPDATE invoice.line_items SET hsn_sac = '12345' WHERE invoice_id = 'gi-12-sep23'$$, '23514', NULL,
                 'a line updated to a 5-digit HSN/SAC: refused (23514)');

-- Frozen once issued ----------------------------------------------------------------------

SELECT throws_ok($$UPDATE invoice.invoices SET gst = false WHERE id = 'gi-40-oct01'$$, 'IV002', NULL,
                 'an issued GST invoice cannot stop being GST (IV002)');
SELECT throws_ok($$UPDATE invoice.invoices SET reverse_charge = true WHERE id = 'gi-40-oct01'$$, 'IV002', NULL,
                 'an issued GST invoice''s reverse_charge cannot change (IV002)');
SELECT throws_ok($$UPDATE invoice.invoices SET gst = true WHERE id = 'gi-plain'$$, 'IV002', NULL,
                 'an issued non-GST invoice cannot become GST (IV002)');
SELECT FROM pg_temp.draft('gi-rc', 18, '2025-10-01 00:00 UTC');
UPDATE invoice.invoices SET reverse_charge = true WHERE id = 'gi-rc';
SELECT is((SELECT reverse_charge FROM invoice.invoice_issue('gi-rc')), true,
          'a draft''s reverse_charge can be set, and is kept at issue');
SELECT throws_ok($$UPDATE invoice.invoices SET reverse_charge = false WHERE id = 'gi-rc'$$, 'IV002', NULL,
                 '... and then cannot be cleared (IV002)');
-- A paid invoice too (nothing due: a line of 100.00 and a credit of 100.00).
SELECT FROM pg_temp.draft('gi-paid', 18, '2025-10-01 00:00 UTC');
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('gi-ka', 'gi-paid', '100.00', 'FREE');
SELECT is((SELECT status::text FROM invoice.invoice_issue('gi-paid')), 'paid', 'a GST invoice with nothing due is paid at issue');
SELECT throws_ok($$UPDATE invoice.invoices SET gst = false WHERE id = 'gi-paid'$$, 'IV002', NULL,
                 'a paid GST invoice cannot stop being GST (IV002)');

SELECT * FROM finish();
ROLLBACK;
