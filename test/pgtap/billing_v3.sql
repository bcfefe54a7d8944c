-- Billing v3 (seed 002): the shape of billing_v3_invoices and billing_v3_invoice
-- (keys, their order, JSON types, decimal amounts, UTC timestamps), which
-- invoices are listed, the billing-date filters, paging without a cursor's
-- tricks (see billing_v3_cursor.sql), and every argument's edge with its SQLSTATE.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';

SELECT plan(75);

-- Fixtures --------------------------------------------------------------------

INSERT INTO invoice.orgs (org_id, name) VALUES ('v3-org', 'Billing v3 org'), ('v3-org2', 'Second org'),
                                               ('v3-empty', 'No invoices');

-- pg_temp.invoice(org, id, month of 2024, line amount; none when 0): a draft, invoiced on the 1st of the next month
CREATE FUNCTION pg_temp.invoice(p_org text, p_id text, p_month int, p_amount cents DEFAULT '100.00') RETURNS void
LANGUAGE sql AS $$
    INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, due_date)
    VALUES (p_org, p_id, 'TV3', make_timestamptz(2024, p_month, 1, 0, 0, 0, 'UTC'),
            make_timestamptz(2024, p_month, 1, 0, 0, 0, 'UTC') + interval '1 month',
            make_timestamptz(2024, p_month, 1, 0, 0, 0, 'UTC') + interval '1 month',
            make_timestamptz(2024, p_month, 1, 0, 0, 0, 'UTC') + interval '2 months');
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
    SELECT p_org, p_id, 'service', p_amount WHERE p_amount > '0';
$$;

-- The seed's example month (usage 524.00, credits 124.00, 12.5 % tax: total 450.00), fully described lines.
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, due_date, currency, tax_rate)
VALUES ('v3-org', 'v3-jan', 'TV3', '2024-01-01 00:00 UTC', '2024-02-01 00:00 UTC', '2024-02-01 00:00 UTC',
        '2024-03-02 00:00 UTC', 'USD', 12.5);
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, product_group, product_line,
                                product_name, region, usage_type, credit_coupon_code)
VALUES ('v3-org', 'v3-jan', 'Bandwidth', 720, 0.50, 'Full-Site Delivery', 'Network Services', 'CDN',
        'North America', 'bandwidth', 'SPRING24'),
       ('v3-org', 'v3-jan', 'Requests', 100, 1.24, 'Compute', 'Security', 'WAF', 'Europe', 'requests', NULL);
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
VALUES ('v3-org', 'v3-jan', 'Support', '40.00');
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('v3-org', 'v3-jan', '124.00', 'SPRING24');

SELECT FROM pg_temp.invoice('v3-org', 'v3-feb', 2);
SELECT FROM pg_temp.invoice('v3-org', 'v3-mar-b', 3);
SELECT FROM pg_temp.invoice('v3-org', 'v3-mar-a', 3, '0');     -- no lines: issued straight to paid
SELECT FROM pg_temp.invoice('v3-org', 'v3-apr', 4);
SELECT FROM pg_temp.invoice('v3-org', 'v3-may', 5);
SELECT FROM pg_temp.invoice('v3-org', 'v3-jun', 6);
SELECT FROM pg_temp.invoice('v3-org', 'v3-jul', 7);
SELECT FROM pg_temp.invoice('v3-org2', 'v3-other', 1);
SELECT FROM pg_temp.invoice('v3-org', 'v3-dup', 8);
SELECT FROM pg_temp.invoice('v3-org2', 'v3-dup', 8);
SELECT FROM unnest(ARRAY['v3-jan', 'v3-feb', 'v3-mar-b', 'v3-mar-a', 'v3-apr', 'v3-may', 'v3-jun', 'v3-other'])
                WITH ORDINALITY AS t(id, k), invoice.invoice_issue(id) ORDER BY k;
UPDATE invoice.invoices SET status = 'pending' WHERE id = 'v3-dup';   -- invoice_issue refuses an ambiguous id
SELECT FROM invoice.invoice_pay('v3-feb', '100.00', 'card', 'v3-ref-feb');
UPDATE invoice.invoices SET status = 'overdue' WHERE id = 'v3-apr';
SELECT FROM invoice.invoice_cancel('v3-may', 'void');
-- v3-jun stays pending, v3-jul a draft
SELECT is((SELECT array_agg(id || ':' || status ORDER BY period_start, id) FROM invoice.invoices WHERE org_id = 'v3-org'),
          ARRAY['v3-jan:pending', 'v3-feb:paid', 'v3-mar-a:paid', 'v3-mar-b:pending', 'v3-apr:overdue',
                'v3-may:cancelled', 'v3-jun:pending', 'v3-jul:draft', 'v3-dup:pending'],
          'fixtures: invoices in every status');

-- pg_temp.ids(page): the invoice_id values of a page, in order
CREATE FUNCTION pg_temp.ids(page json) RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(x->>'invoice_id' ORDER BY k), '{}') FROM json_array_elements(page->'invoices') WITH ORDINALITY AS t(x, k)
$$;
-- pg_temp.keys(object): its keys, in order
CREATE FUNCTION pg_temp.keys(o json) RETURNS text[] LANGUAGE sql AS $$
    SELECT array_agg(k) FROM json_object_keys(o) AS k
$$;

-- Shape ------------------------------------------------------------------------

SELECT is(pg_get_function_result('invoice.billing_v3_invoices(text, timestamptz, timestamptz, integer, text)'::regprocedure),
          'json', 'billing_v3_invoices returns json (keys keep their order)');
SELECT is(pg_get_function_result('invoice.billing_v3_invoice(text)'::regprocedure),
          'json', 'billing_v3_invoice returns json');
SELECT is(pg_temp.keys(invoice.billing_v3_invoices('v3-org')), ARRAY['invoices', 'meta'], 'envelope keys: invoices, meta');
SELECT is(pg_temp.keys(invoice.billing_v3_invoices('v3-org')->'meta'), ARRAY['limit', 'next_cursor', 'sort', 'total'],
          'meta keys, in the seed''s order');
SELECT is(pg_temp.keys(invoice.billing_v3_invoice('v3-jan')),
          ARRAY['invoice_id', 'statement_number', 'customer_id', 'billing_start_date', 'billing_end_date',
                'invoice_posted_on', 'currency_code', 'monthly_transaction_amount', 'transaction_line_items'],
          'invoice keys, in the seed''s order');
SELECT is(pg_temp.keys(invoice.billing_v3_invoice('v3-jan')->'transaction_line_items'->0),
          ARRAY['ProductGroup', 'ProductLine', 'ProductName', 'Region', 'UsageType', 'amount',
                'credit_coupon_code', 'description', 'rate', 'units'],
          'line item keys, in the seed''s order');
SELECT is((SELECT array_agg(DISTINCT array_to_string(pg_temp.keys(x), ','))
             FROM json_array_elements(invoice.billing_v3_invoices('v3-org')->'invoices') AS x),
          ARRAY['invoice_id,statement_number,customer_id,billing_start_date,billing_end_date,invoice_posted_on,currency_code,monthly_transaction_amount,transaction_line_items'],
          'every listed invoice has exactly those keys');

SELECT is(invoice.billing_v3_invoice('v3-jan')::jsonb,
          jsonb_build_object(
              'invoice_id', 'v3-jan',
              'statement_number', (SELECT number FROM invoice.invoices WHERE id = 'v3-jan'),
              'customer_id', 'v3-org',
              'billing_start_date', '2024-01-01T00:00:00Z',
              'billing_end_date', '2024-02-01T00:00:00Z',
              'invoice_posted_on', '2024-02-01T00:00:00Z',
              'currency_code', 'USD',
              'monthly_transaction_amount', 450.00,
              'transaction_line_items', jsonb_build_array(
                  jsonb_build_object('ProductGroup', 'Full-Site Delivery', 'ProductLine', 'Network Services',
                                     'ProductName', 'CDN', 'Region', 'North America', 'UsageType', 'bandwidth',
                                     'amount', 360.00, 'credit_coupon_code', 'SPRING24', 'description', 'Bandwidth',
                                     'rate', 0.50, 'units', 720),
                  jsonb_build_object('ProductGroup', 'Compute', 'ProductLine', 'Security', 'ProductName', 'WAF',
                                     'Region', 'Europe', 'UsageType', 'requests', 'amount', 124.00,
                                     'credit_coupon_code', NULL, 'description', 'Requests', 'rate', 1.24, 'units', 100),
                  jsonb_build_object('ProductGroup', NULL, 'ProductLine', NULL, 'ProductName', NULL, 'Region', NULL,
                                     'UsageType', NULL, 'amount', 40.00, 'credit_coupon_code', NULL,
                                     'description', 'Support', 'rate', 0, 'units', 1))),
          'the seed example month: every field, lines in line order, absent product fields null');
SELECT matches(invoice.billing_v3_invoice('v3-jan')::text,
               '"monthly_transaction_amount" : 450\.00,', 'monthly_transaction_amount is written 450.00 (decimal major units, two places)');
SELECT matches(invoice.billing_v3_invoice('v3-jan')::text,
               '"amount" : 360\.00, .*"amount" : 124\.00, .*"amount" : 40\.00,', 'line amounts are written with two decimals');
SELECT is((SELECT array_agg(json_typeof(d->k) ORDER BY k COLLATE "C")
             FROM (SELECT invoice.billing_v3_invoice('v3-jan') AS d) s,
                  unnest(ARRAY['invoice_id', 'statement_number', 'customer_id', 'billing_start_date', 'billing_end_date',
                               'invoice_posted_on', 'currency_code', 'monthly_transaction_amount', 'transaction_line_items']) AS k),
          ARRAY['string', 'string', 'string', 'string', 'string', 'string', 'number', 'string', 'array'],
          'invoice field JSON types (alphabetical by key): strings, a number, an array');
SELECT is((SELECT array_agg(json_typeof(l->k) ORDER BY k COLLATE "C")
             FROM (SELECT invoice.billing_v3_invoice('v3-jan')->'transaction_line_items'->0 AS l) s,
                  unnest(ARRAY['ProductGroup', 'ProductLine', 'ProductName', 'Region', 'UsageType', 'amount',
                               'credit_coupon_code', 'description', 'rate', 'units']) AS k),
          ARRAY['string', 'string', 'string', 'string', 'string', 'number', 'string', 'string', 'number', 'number'],
          'line item JSON types (alphabetical by key): amount, rate and units are numbers');
SELECT is((invoice.billing_v3_invoice('v3-mar-a')->'transaction_line_items')::text, '[]',
          'an invoice without lines has transaction_line_items []');
SELECT is(invoice.billing_v3_invoice('v3-mar-a')->>'monthly_transaction_amount', '0.00', 'and a total of 0.00');
SELECT is((SELECT (x->'monthly_transaction_amount')::text::numeric FROM json_array_elements(invoice.billing_v3_invoices('v3-org')->'invoices') x
            WHERE x->>'invoice_id' = 'v3-feb'),
          (SELECT total::numeric FROM invoice.invoices WHERE id = 'v3-feb'),
          'monthly_transaction_amount is the invoice total (after credits and tax), not what is left due');
SELECT is(invoice.billing_v3_invoice('v3-jan')->>'statement_number',
          (SELECT number FROM invoice.invoices WHERE id = 'v3-jan'), 'statement_number is the invoice number');
SELECT is(invoice.billing_v3_invoice('v3-other')->>'customer_id', 'v3-org2', 'customer_id is the organisation');
SELECT ok(invoice.billing_v3_invoice('v3-jan')::jsonb IS NOT NULL, 'the document is valid JSON (casts to jsonb)');
SELECT is(invoice.billing_v3_invoices('v3-org')->'meta'->>'sort', 'billing_start_date', 'meta.sort is billing_start_date');
SELECT is(json_typeof(invoice.billing_v3_invoices('v3-org')->'meta'->'total'), 'number', 'meta.total is a number');
SELECT is(json_typeof(invoice.billing_v3_invoices('v3-org')->'meta'->'limit'), 'number', 'meta.limit is a number');
SELECT is(json_typeof(invoice.billing_v3_invoices('v3-org')->'meta'->'next_cursor'), 'string', 'meta.next_cursor is a string');

-- Which invoices, in which order --------------------------------------------------------------

SELECT is(pg_temp.ids(invoice.billing_v3_invoices('v3-org')),
          ARRAY['v3-jan', 'v3-feb', 'v3-mar-a', 'v3-mar-b', 'v3-apr', 'v3-jun', 'v3-dup'],
          'pending, overdue and paid invoices, by billing_start_date then invoice_id; no draft, no cancelled');
SELECT is((invoice.billing_v3_invoices('v3-org')->'meta'->>'total')::int, 7, 'total counts them');
SELECT is(invoice.billing_v3_invoices('v3-org')->'meta'->>'next_cursor', '', 'one page: next_cursor is ""');
SELECT is((invoice.billing_v3_invoices('v3-org')->'meta'->>'limit')::int, 100, 'limit defaults to 100');
SELECT is(pg_temp.ids(invoice.billing_v3_invoices('v3-org2')), ARRAY['v3-other', 'v3-dup'],
          'another customer sees only its own invoices');
SELECT is(invoice.billing_v3_invoices('v3-empty')::text,
          '{"invoices" : [], "meta" : {"limit" : 100, "next_cursor" : "", "sort" : "billing_start_date", "total" : 0}}',
          'a customer without invoices: an empty list, total 0');
SELECT is(invoice.billing_v3_invoices('no-such-customer')::text,
          '{"invoices" : [], "meta" : {"limit" : 100, "next_cursor" : "", "sort" : "billing_start_date", "total" : 0}}',
          'an unknown customer: the same empty list');
SELECT is(invoice.billing_v3_invoices('')->'meta'->>'total', '0', 'an empty customer_id: an empty list');
SELECT is(invoice.billing_v3_invoices('V3-ORG')->'meta'->>'total', '0', 'customer ids are case-sensitive');
SELECT is(invoice.billing_v3_invoices(repeat('z', 100000))->'meta'->>'total', '0', 'a 100000-character customer_id: an empty list');

-- Filters ---------------------------------------------------------------------------------

SELECT is(pg_temp.ids(invoice.billing_v3_invoices('v3-org', '2024-03-01 00:00 UTC', '2024-05-01 00:00 UTC')),
          ARRAY['v3-mar-a', 'v3-mar-b', 'v3-apr'], 'period starting in [billing_start_date, billing_end_date)');
SELECT is(invoice.billing_v3_invoices('v3-org', '2024-03-01 00:00 UTC', '2024-05-01 00:00 UTC')->'meta'->>'total', '3',
          'total counts what the filters select');
SELECT is(pg_temp.ids(invoice.billing_v3_invoices('v3-org', '2024-02-29 23:59:59.999999 UTC', '2024-03-01 00:00:00.000001 UTC')),
          ARRAY['v3-mar-a', 'v3-mar-b'], 'a one-microsecond window around the start instant');
SELECT is(pg_temp.ids(invoice.billing_v3_invoices('v3-org', '2024-03-01 00:00 UTC', '2024-03-01 00:00:00.000001 UTC')),
          ARRAY['v3-mar-a', 'v3-mar-b'], 'billing_start_date is inclusive');
SELECT is(pg_temp.ids(invoice.billing_v3_invoices('v3-org', '2024-02-01 00:00 UTC', '2024-03-01 00:00 UTC')),
          ARRAY['v3-feb'], 'billing_end_date is exclusive');
SELECT is(pg_temp.ids(invoice.billing_v3_invoices('v3-org', billing_start_date => '2024-06-01 00:00 UTC')),
          ARRAY['v3-jun', 'v3-dup'], 'only billing_start_date: from it on');
SELECT is(pg_temp.ids(invoice.billing_v3_invoices('v3-org', billing_end_date => '2024-02-01 00:00 UTC')),
          ARRAY['v3-jan'], 'only billing_end_date: up to it');
SELECT is(pg_temp.ids(invoice.billing_v3_invoices('v3-org', '-infinity', 'infinity')),
          pg_temp.ids(invoice.billing_v3_invoices('v3-org')), 'infinite bounds select everything');
SELECT is(pg_temp.ids(invoice.billing_v3_invoices('v3-org', '2024-03-01 05:30+05:30', '2024-03-02 00:00+05:30')),
          ARRAY['v3-mar-a', 'v3-mar-b'], 'bounds are instants: 05:30 at +05:30 is midnight UTC');
SELECT is(invoice.billing_v3_invoices('v3-org', '2030-01-01 00:00 UTC')::text,
          '{"invoices" : [], "meta" : {"limit" : 100, "next_cursor" : "", "sort" : "billing_start_date", "total" : 0}}',
          'a range without invoices: an empty list');

-- Limit ------------------------------------------------------------------------------------

SELECT is(pg_temp.ids(invoice.billing_v3_invoices('v3-org', "limit" => 1)), ARRAY['v3-jan'], 'limit 1: one invoice');
SELECT is(invoice.billing_v3_invoices('v3-org', "limit" => 1)->'meta'->>'limit', '1', 'meta.limit echoes the limit asked');
SELECT is(invoice.billing_v3_invoices('v3-org', "limit" => 1)->'meta'->>'total', '7', 'total does not depend on the limit');
SELECT is(invoice.billing_v3_invoices('v3-org', "limit" => 200)->'meta'->>'limit', '200', 'limit 200 is accepted');
SELECT isnt(invoice.billing_v3_invoices('v3-org', "limit" => 6)->'meta'->>'next_cursor', '',
            'limit 6 of 7: a next_cursor');
SELECT is(invoice.billing_v3_invoices('v3-org', "limit" => 7)->'meta'->>'next_cursor', '',
          'limit 7 of 7: the only page is the last, next_cursor ""');

-- Argument errors ------------------------------------------------------------------------------

SELECT throws_ok($$SELECT invoice.billing_v3_invoices(NULL)$$, '22004', 'customer_id must not be null',
                 'customer_id NULL: 22004');
SELECT throws_ok($$SELECT invoice.billing_v3_invoices('v3-org', "limit" => NULL)$$, '22004', 'limit must not be null',
                 'limit NULL: 22004');
SELECT throws_ok($$SELECT invoice.billing_v3_invoices('v3-org', "limit" => 0)$$, '22023', 'limit must be between 1 and 200, not 0',
                 'limit 0: 22023');
SELECT throws_ok($$SELECT invoice.billing_v3_invoices('v3-org', "limit" => 201)$$, '22023', 'limit must be between 1 and 200, not 201',
                 'limit 201: 22023');
SELECT throws_ok($$SELECT invoice.billing_v3_invoices('v3-org', "limit" => -1)$$, '22023', NULL, 'limit -1: 22023');
SELECT throws_ok($$SELECT invoice.billing_v3_invoices('v3-org', "limit" => 2147483647)$$, '22023', NULL,
                 'limit 2147483647: 22023 (no overflow)');
SELECT throws_ok($$SELECT invoice.billing_v3_invoices('v3-org', "limit" => -2147483648)$$, '22023', NULL, 'limit -2147483648: 22023');
SELECT throws_ok($$SELECT invoice.billing_v3_invoices('no-such-customer', "limit" => 0)$$, '22023', NULL,
                 'arguments are checked even when there is nothing to list');
SELECT throws_ok($$SELECT invoice.billing_v3_invoices('v3-org', '2024-03-01 00:00 UTC', '2024-02-01 00:00 UTC')$$, '22023',
                 'billing_end_date must be later than billing_start_date', 'billing_end_date before billing_start_date: 22023');
SELECT throws_ok($$SELECT invoice.billing_v3_invoices('v3-org', '2024-03-01 00:00 UTC', '2024-03-01 00:00 UTC')$$, '22023',
                 NULL, 'billing_end_date equal to billing_start_date (an empty range): 22023');
SELECT throws_ok($$SELECT invoice.billing_v3_invoices('v3-org', 'infinity', '-infinity')$$, '22023', NULL,
                 'infinity to -infinity: 22023');
SELECT throws_ok($$SELECT invoice.billing_v3_invoices('v3-org', "limit" => 'ten')$$, '22P02', NULL,
                 'a limit that is not an integer: 22P02 (the cast)');
SELECT throws_ok($$SELECT invoice.billing_v3_invoices('v3-org', 'last tuesday')$$, '22007', NULL,
                 'a billing date that is not a timestamp: 22007 (the cast)');

-- billing_v3_invoice ----------------------------------------------------------------------------

SELECT is(invoice.billing_v3_invoice('v3-apr')::text,
          (SELECT x::text FROM json_array_elements(invoice.billing_v3_invoices('v3-org')->'invoices') x
            WHERE x->>'invoice_id' = 'v3-apr'),
          'billing_v3_invoice is, byte for byte, the object the list shows');
SELECT is(invoice.billing_v3_invoice('v3-feb')->>'invoice_id', 'v3-feb', 'a paid invoice');
SELECT is(invoice.billing_v3_invoice('v3-apr')->>'invoice_id', 'v3-apr', 'an overdue invoice');
SELECT throws_ok($$SELECT invoice.billing_v3_invoice(NULL)$$, '22004', 'invoice_id must not be null', 'invoice_id NULL: 22004');
SELECT throws_ok($$SELECT invoice.billing_v3_invoice('no-such-invoice')$$, 'P0002', 'invoice "no-such-invoice" not found',
                 'an unknown invoice: P0002');
SELECT throws_ok($$SELECT invoice.billing_v3_invoice('')$$, 'P0002', NULL, 'an empty id: P0002');
SELECT throws_ok($$SELECT invoice.billing_v3_invoice('V3-JAN')$$, 'P0002', NULL, 'ids are case-sensitive: P0002');
SELECT throws_ok($$SELECT invoice.billing_v3_invoice('v3-jul')$$, 'P0002', 'invoice "v3-jul" not found',
                 'a draft: P0002, the same error as an unknown id');
SELECT throws_ok($$SELECT invoice.billing_v3_invoice('v3-may')$$, 'P0002', NULL, 'a cancelled invoice: P0002');
SELECT throws_ok($$SELECT invoice.billing_v3_invoice('v3-dup')$$, '21000', NULL, 'an id used by two organisations: 21000');

-- Catalog ----------------------------------------------------------------------------------

SELECT is((SELECT array_agg(p.proname || ':' || p.provolatile::text || ':' || p.prosecdef ORDER BY p.proname)
             FROM pg_proc p WHERE p.pronamespace = 'invoice'::regnamespace AND p.proname LIKE 'billing_v3%'),
          ARRAY['billing_v3_cursor_make:s:true', 'billing_v3_cursor_open:s:true', 'billing_v3_invoice:s:false',
                'billing_v3_invoices:s:false', 'billing_v3_not_found:s:false', 'billing_v3_page:s:false'],
          'every Billing v3 function is STABLE; only the two that read the secret are SECURITY DEFINER');
SELECT is((SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'invoice'::regnamespace
              AND p.proname IN ('billing_v3_invoices')
              AND p.proconfig = ARRAY['search_path=pg_catalog, invoice, public, pg_temp']), 1::bigint,
          'the SQL function runs with search_path pinned');
SELECT throws_ok($$SELECT invoice.billing_v3_page(NULL, '-infinity', '', 10, NULL, NULL)$$, '22004', NULL,
                 'billing_v3_page (internal): a NULL customer is 22004');

SELECT * FROM finish();
ROLLBACK;
