-- usage billing (issue #15, README "Usage billing"): usage records and the invoices generated
-- from them.
--
-- Loading: COPY and INSERT; the same key with the same values again changes nothing (also
-- within one COPY), with other values IV011 naming the column; an unknown organisation or
-- product 23503; a negative, NaN or infinite quantity, an end before the start, a blank key,
-- an invoice_id given by the sender 22023; NULLs 23502; a key over 255 bytes 22001; billed or
-- not, a record cannot be updated (IV002).
-- Generation: one draft per organisation and currency with a line per product and resource
-- (units, exact rate, amount rounded once, product keys, HSN/SAC, GST rate, usage period); a
-- graduated tier boundary inside one record; a negotiated price overriding the book, and a
-- book price change on a day boundary (two lines); re-running changes nothing; a late record
-- goes onto the next period's invoice; a record without a price in force stays unrated with
-- its reason (usage_unrated) and is billed once a price covers it; deleting a generated draft
-- gives its usage back; argument errors (22004, 22023) and who may generate (42501).
-- Then the billing day computes and issues the drafts; the usage lines show in Describe and
-- Billing v3 like hand-made ones; usage_summary / usage_summary_rows: per day and product,
-- the billed amount shared out so that the days add up to the line.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(86);
\ir include/refused.sql

-- Fixtures ---------------------------------------------------------------------------
INSERT INTO invoice.orgs (org_id, name) VALUES ('ug-a', 'Usage A'), ('ug-b', 'Usage B'), ('ug-c', 'Usage C');
INSERT INTO invoice.products (product_id, product_group, product_line, product_name, region, usage_type,
                              description, unit, currency, hsn_sac, gst_rate) VALUES
    ('ug-vm', 'Compute', 'Virtual Machines', 'C3.8GB', 'Delhi', 'VM-hours', 'C3 8 GB VM', 'hour', 'INR', '998315', 18),
    ('ug-egress', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', NULL, 'GB', 'USD', '998315', NULL),
    ('ug-req', 'Delivery', 'CDN', 'Requests', 'Global', 'requests', NULL, '10k requests', 'USD', NULL, NULL),
    ('ug-new', 'Compute', 'GPU', 'A100', 'Mumbai', 'GPU-hours', NULL, 'hour', 'USD', NULL, NULL);
INSERT INTO invoice.prices (product_id, effective_from, model, rate, package_size, free_units, tier_up_to, tier_rate) VALUES
    ('ug-vm', '2024-01-01', 'per_unit', 0.000463, NULL, 0, NULL, NULL),
    ('ug-vm', '2024-01-16', 'per_unit', 0.0005, NULL, 0, NULL, NULL),
    ('ug-egress', '2024-01-01', 'graduated', NULL, NULL, 0, '{1000,NULL}', '{0.09,0.05}'),
    ('ug-req', '2024-01-01', 'package', 5, 1000, 500, NULL, NULL);
-- ug-b negotiated egress: volume pricing
INSERT INTO invoice.org_prices (org_id, product_id, effective_from, model, tier_up_to, tier_rate)
VALUES ('ug-b', 'ug-egress', '2024-01-01', 'volume', '{1000,NULL}', '{0.08,0.04}');

CREATE TEMP TABLE load (LIKE invoice.usage_records);
ALTER TABLE load ALTER COLUMN load_batch DROP NOT NULL;     -- the trigger of usage_records sets it
INSERT INTO load (org_id, idempotency_key, product_group, product_line, product_name, region, usage_type,
                  resource_type, resource_name, quantity, usage_start, usage_end) VALUES
    -- ug-a: 720 VM-hours before the price change, 360 after
    ('ug-a', 'a-vm-1', 'Compute', 'Virtual Machines', 'C3.8GB', 'Delhi', 'VM-hours', 'vm', 'web-1', 720, '2024-01-01', '2024-01-15 23:59:59'),
    ('ug-a', 'a-vm-2', 'Compute', 'Virtual Machines', 'C3.8GB', 'Delhi', 'VM-hours', 'vm', 'web-1', 360, '2024-01-16', '2024-01-31'),
    -- ug-a egress: 800 then 400 GB: the 1000 GB bound falls inside the second record
    ('ug-a', 'a-eg-1', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'vm', 'web-1', 800, '2024-01-05', '2024-01-06'),
    ('ug-a', 'a-eg-2', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'vm', 'web-1', 400, '2024-01-07', '2024-01-08'),
    -- ug-a requests: 1,700 with 500 free, packages of 1,000: two packages
    ('ug-a', 'a-rq-1', 'Delivery', 'CDN', 'Requests', 'Global', 'requests', 'cdn', 'site', 1700, '2024-01-10', '2024-01-11'),
    -- ug-b egress on its negotiated volume price: 1,200 GB all at 0.04
    ('ug-b', 'b-eg-1', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', NULL, NULL, 1200, '2024-01-20', '2024-01-21'),
    -- ug-c: a GPU with no price yet; and usage of February (not this period)
    ('ug-c', 'c-gpu-1', 'Compute', 'GPU', 'A100', 'Mumbai', 'GPU-hours', 'gpu', 'g-1', 10, '2024-01-03', '2024-01-04'),
    ('ug-c', 'c-eg-feb', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', NULL, NULL, 10, '2024-02-03', '2024-02-04');

-- Loading ----------------------------------------------------------------------------
SELECT lives_ok($$INSERT INTO invoice.usage_records SELECT * FROM load$$, 'eight records load');
SELECT lives_ok($$INSERT INTO invoice.usage_records SELECT * FROM load$$, 'the same eight again: no error ...');
SELECT is((SELECT count(*) FROM invoice.usage_records WHERE org_id LIKE 'ug-%'), 8::bigint, '... and nothing changed');
SELECT lives_ok($$INSERT INTO invoice.usage_records SELECT * FROM load UNION ALL SELECT * FROM load$$,
                'a batch holding every record twice: no error ...');
SELECT is((SELECT count(*) FROM invoice.usage_records WHERE org_id LIKE 'ug-%'), 8::bigint, '... still eight');
SELECT is((SELECT sum(quantity) FROM invoice.usage_records WHERE org_id = 'ug-a' AND idempotency_key = 'a-eg-1'), 800::numeric,
          'the record kept its values');
SELECT lives_ok($$INSERT INTO invoice.usage_records SELECT org_id, idempotency_key, product_group, product_line, product_name,
                    region, usage_type, resource_type, resource_name, 800.000, usage_start, usage_end, NULL
                    FROM load WHERE idempotency_key = 'a-eg-1'$$, '800.000 is the same quantity as 800');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records SELECT org_id, idempotency_key, product_group, product_line,
                         product_name, region, usage_type, resource_type, resource_name, 801, usage_start, usage_end, NULL
                         FROM load WHERE idempotency_key = 'a-eg-1'$$, 'IV011',
                       'usage record "a-eg-1" of organisation "ug-a" was already loaded with other values',
                       'the same key with another quantity: IV011');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records SELECT org_id, idempotency_key, product_group, product_line,
                         product_name, region, usage_type, resource_type, 'web-2', quantity, usage_start, usage_end, NULL
                         FROM load WHERE idempotency_key = 'a-eg-1'$$, 'IV011', NULL,
                       'the same key with another resource: IV011');
SELECT lives_ok($$INSERT INTO invoice.usage_records VALUES ('ug-b', 'a-eg-1', 'Network', 'Bandwidth', 'Egress', NULL, 'GB',
                  NULL, NULL, 0, '2024-03-01', '2024-03-01')$$, 'the same key in another organisation is another record');
DELETE FROM invoice.usage_records WHERE org_id = 'ug-b' AND idempotency_key = 'a-eg-1';

SELECT pg_temp.refused($$INSERT INTO invoice.usage_records VALUES ('ug-nobody', 'k', 'Network', 'Bandwidth', 'Egress', NULL, 'GB',
                         NULL, NULL, 1, '2024-01-01', '2024-01-02')$$, '23503',
                       'usage record "k": organisation "ug-nobody" does not exist', 'unknown organisation: 23503');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records VALUES ('ug-a', 'k', 'Network', 'Bandwidth', 'Egress', 'Delhi', 'GB',
                         NULL, NULL, 1, '2024-01-01', '2024-01-02')$$, '23503',
                       'usage record "k" of organisation "ug-a": no product in the price book has these keys',
                       'unknown product (a region the product does not have): 23503');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records VALUES ('ug-a', 'k', 'Network', 'Bandwidth', 'Egress', '', 'GB',
                         NULL, NULL, 1, '2024-01-01', '2024-01-02')$$, '23503', NULL,
                       'an empty region is not a missing one: 23503');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records VALUES ('ug-a', 'k', 'Network', 'Bandwidth', 'Egress', NULL, 'GB',
                         NULL, NULL, -0.5, '2024-01-01', '2024-01-02')$$, '22023',
                       'usage record "k" of organisation "ug-a": quantity -0.5 is negative', 'negative quantity: 22023');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records VALUES ('ug-a', 'k', 'Network', 'Bandwidth', 'Egress', NULL, 'GB',
                         NULL, NULL, 'NaN', '2024-01-01', '2024-01-02')$$, '22023',
                       'usage record "k" of organisation "ug-a": quantity must be a finite number', 'NaN quantity: 22023');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records VALUES ('ug-a', 'k', 'Network', 'Bandwidth', 'Egress', NULL, 'GB',
                         NULL, NULL, 'Infinity', '2024-01-01', '2024-01-02')$$, '22023', NULL, 'infinite quantity: 22023');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records VALUES ('ug-a', 'k', 'Network', 'Bandwidth', 'Egress', NULL, 'GB',
                         NULL, NULL, 1, '2024-01-02', '2024-01-01')$$, '22023',
                       'usage record "k" of organisation "ug-a": usage_end is before usage_start', 'end before start: 22023');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records VALUES ('ug-a', '  ', 'Network', 'Bandwidth', 'Egress', NULL, 'GB',
                         NULL, NULL, 1, '2024-01-01', '2024-01-02')$$, '22023', NULL, 'blank key: 22023');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records VALUES ('ug-a', repeat('k', 256), 'Network', 'Bandwidth', 'Egress', NULL, 'GB',
                         NULL, NULL, 1, '2024-01-01', '2024-01-02')$$, '22001', NULL, 'a key over 255 bytes: 22001');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records VALUES ('ug-a', 'k', 'Network', 'Bandwidth', 'Egress', NULL, 'GB',
                         NULL, NULL, 1, '2024-01-01', '2024-01-02', 42)$$, '22023',
                       'usage record "k" of organisation "ug-a": load_batch is set when the record is loaded, not by the sender',
                       'a load batch named by the sender: 22023');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records VALUES ('ug-a', 'k', 'Network', 'Bandwidth', 'Egress', NULL, 'GB',
                         NULL, NULL, NULL, '2024-01-01', '2024-01-02')$$, '23502',
                       'usage record: quantity must not be null', 'NULL quantity: 23502');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records VALUES (NULL, 'k', 'Network', 'Bandwidth', 'Egress', NULL, 'GB',
                         NULL, NULL, 1, '2024-01-01', '2024-01-02')$$, '23502', NULL, 'NULL organisation: 23502');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records VALUES ('ug-a', 'k', 'Network', 'Bandwidth', 'Egress', NULL, 'GB',
                         NULL, NULL, 1, NULL, '2024-01-02')$$, '23502', NULL, 'NULL usage_start: 23502');
SELECT pg_temp.refused($$UPDATE invoice.usage_records SET quantity = 1 WHERE org_id = 'ug-a' AND idempotency_key = 'a-eg-1'$$,
                       'IV002', 'usage record "a-eg-1" of organisation "ug-a" cannot be changed', 'an update: IV002');
SELECT pg_temp.refused($$UPDATE invoice.usage_records SET load_batch = 1 WHERE org_id = 'ug-a' AND idempotency_key = 'a-eg-1'$$,
                       'IV002', NULL, 'setting the load batch by hand: IV002');
SELECT is((SELECT count(DISTINCT load_batch) FROM invoice.usage_records WHERE org_id LIKE 'ug-%'), 1::bigint,
          'one loading statement: one load batch, drawn once');
SET LOCAL session_replication_role = replica;
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records (org_id, idempotency_key, product_name, quantity, usage_start, usage_end)
                         VALUES ('ug-a', 'no-trigger', 'Egress', 1, '2024-01-01', '2024-01-02')$$, '23502', NULL,
                       'loaded with the triggers off (as a restore does) but without its load batch: 23502, never billed every period');
SET LOCAL session_replication_role = origin;

-- Generation -------------------------------------------------------------------------
SELECT throws_ok($$SELECT invoice_generate(NULL, '2024-02-01')$$, '22004', NULL, 'NULL period start: 22004');
SELECT throws_ok($$SELECT invoice_generate('2024-02-01', '2024-01-01')$$, '22023',
                 'period_end must be later than period_start', 'period ending before it starts: 22023');
SELECT throws_ok($$SELECT invoice_generate('2024-01-01', 'infinity')$$, '22023', NULL, 'infinite period: 22023');
SELECT throws_ok($$SELECT invoice_generate('2024-01-01', '2024-02-01', '')$$, '22023', NULL, 'empty organisation: 22023');

SELECT is(invoice_generate('2024-01-01', '2024-02-01'), 3::bigint,
          'January: three drafts (ug-a in INR and USD, ug-b in USD); ug-c has no price in force');
SELECT is(invoice_generate('2024-01-01', '2024-02-01'), 0::bigint, 're-run: no second invoice');
SELECT is((SELECT count(*) FROM invoice.line_items WHERE org_id LIKE 'ug-%'), 5::bigint, '... and no second line');

SELECT results_eq(
    $$SELECT i.currency, l.description, l.units, l.rate, l.amount::text, l.tax_rate, l.hsn_sac, l.product_name,
             l.region, l.resource_type, l.resource_name, l.usage_start, l.usage_end
        FROM invoice.line_items l JOIN invoice.invoices i ON i.org_id = l.org_id AND i.id = l.invoice_id
       WHERE l.org_id = 'ug-a' ORDER BY i.currency, l.product_name, l.rate$$,
    $$VALUES ('INR', 'C3 8 GB VM: web-1', 720::numeric, 0.000463::numeric, '0.33', 18::numeric, '998315', 'C3.8GB', 'Delhi',
              'vm', 'web-1', '2024-01-01'::timestamptz, '2024-01-15 23:59:59'::timestamptz),
             ('INR', 'C3 8 GB VM: web-1', 360, 0.0005, '0.18', 18, '998315', 'C3.8GB', 'Delhi',
              'vm', 'web-1', '2024-01-16', '2024-01-31'),
             ('USD', 'Egress: web-1', 1200, 0.083333333333, '100.00', NULL, '998315', 'Egress', NULL,
              'vm', 'web-1', '2024-01-05', '2024-01-08'),
             ('USD', 'Requests: site', 1700, 0.005882352941, '10.00', NULL, NULL, 'Requests', 'Global',
              'cdn', 'site', '2024-01-10', '2024-01-11')$$,
    'ug-a: the VM at each price of its days (0.33336 and 0.18 rounded once per line), egress 1000 × 0.09 + 200 × 0.05 '
    '(the bound inside the second record), requests 2 packages of 5.00 after 500 free');
SELECT results_eq(
    $$SELECT i.currency, i.status::text, i.period_start, i.period_end, i.description, i.usage_amount::text
        FROM invoice.invoices i WHERE i.org_id LIKE 'ug-%' ORDER BY i.org_id, i.currency$$,
    $$VALUES ('INR', 'draft', '2024-01-01'::timestamptz, '2024-02-01'::timestamptz, 'Usage 2024-01-01 to 2024-01-31', '0.51'),
             ('USD', 'draft', '2024-01-01', '2024-02-01', 'Usage 2024-01-01 to 2024-01-31', '110.00'),
             ('USD', 'draft', '2024-01-01', '2024-02-01', 'Usage 2024-01-01 to 2024-01-31', '48.00')$$,
    'drafts for the period, amounts computed by the line triggers; ug-b''s negotiated volume price: 1200 × 0.04');
SELECT is((SELECT count(*) FROM invoice.usage_record_invoices WHERE org_id LIKE 'ug-%' AND invoice_id IS NOT NULL), 6::bigint,
          'the six rated records are on their invoice (usage_record_invoices)');
SELECT is((SELECT count(*) FROM invoice.usage_invoices WHERE org_id LIKE 'ug-%' AND cardinality(load_batches) = 1), 3::bigint,
          '... each generated invoice notes the one load batch it billed, records not rewritten');
SELECT results_eq($$SELECT org_id COLLATE "default", idempotency_key COLLATE "default", reason FROM invoice.usage_unrated WHERE org_id LIKE 'ug-%' ORDER BY 2$$,
                  $$VALUES ('ug-c'::text, 'c-eg-feb'::text, NULL::text), ('ug-c', 'c-gpu-1', 'no price in force')$$,
                  'usage_unrated: the February record waits for its period, the GPU for a price');

-- a late record for January, after January's invoice was made: onto February's
INSERT INTO invoice.usage_records VALUES ('ug-a', 'a-eg-late', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'vm', 'web-1',
                                          100, '2024-01-30', '2024-01-31');
SELECT is(invoice_generate('2024-01-01', '2024-02-01'), 0::bigint, 'a late record does not reopen January');
INSERT INTO invoice.prices (product_id, effective_from, model, rate) VALUES ('ug-new', '2024-01-01', 'per_unit', 2.5);
SELECT is(invoice_generate('2024-02-01', '2024-03-01'), 2::bigint,
          'February: ug-a (the late January record) and ug-c (January''s GPU, now priced, and February''s egress)');
SELECT results_eq($$SELECT l.org_id COLLATE "default", l.product_name, l.units, l.amount::text FROM invoice.line_items l
                     JOIN invoice.invoices i ON i.org_id = l.org_id AND i.id = l.invoice_id
                    WHERE i.period_start = '2024-02-01' AND l.org_id LIKE 'ug-%' ORDER BY 1, 2$$,
                  $$VALUES ('ug-a'::text, 'Egress'::text, 100::numeric, '9.00'::text),
                           ('ug-c', 'A100', 10, '25.00'), ('ug-c', 'Egress', 10, '0.90')$$,
                  '... each billed once, at its own tiers');
SELECT is((SELECT count(*) FROM invoice.usage_unrated WHERE org_id LIKE 'ug-%'), 0::bigint, 'nothing left unrated');

-- deleting a generated draft gives its usage back; the next run bills it again, once
SELECT lives_ok($$DELETE FROM invoice.invoices WHERE org_id = 'ug-c'$$, 'ug-c''s draft deleted');
SELECT is((SELECT count(*) FROM invoice.usage_record_invoices WHERE org_id = 'ug-c' AND invoice_id IS NULL), 2::bigint,
          '... its two records are unbilled again');
SELECT is(invoice_generate('2024-02-01', '2024-03-01', 'ug-c'), 1::bigint, '... and billed by the next run (one organisation)');
SELECT is((SELECT usage_amount::text FROM invoice.invoices WHERE org_id = 'ug-c'), '25.90', '... at the same amounts');

-- one load batch, a record priced and one not (the price ends mid-month): the priced one is
-- billed, the other stays unbilled (moved to a batch of its own) until a price covers it
INSERT INTO invoice.orgs (org_id, name) VALUES ('ux-d', 'Usage D');
INSERT INTO invoice.products (product_id, product_name, unit, currency) VALUES ('ux-disk', 'Disk', 'GB', 'USD');
INSERT INTO invoice.prices (product_id, effective_from, effective_to, model, rate) VALUES ('ux-disk', '2024-01-01', '2024-01-16', 'per_unit', 1);
INSERT INTO invoice.usage_records (org_id, idempotency_key, product_name, quantity, usage_start, usage_end) VALUES
    ('ux-d', 'd-1', 'Disk', 3, '2024-01-10', '2024-01-10'), ('ux-d', 'd-2', 'Disk', 5, '2024-01-20', '2024-01-20'),
    ('ux-d', 'd-3', 'Disk', 7, '2024-01-12', '2024-01-12');
SELECT is(invoice_generate('2024-01-01', '2024-02-01', 'ux-d'), 1::bigint, 'a batch half priced: one invoice');
SELECT results_eq($$SELECT r.idempotency_key COLLATE "default", b.invoice_id IS NOT NULL, u.reason
                      FROM invoice.usage_records r JOIN invoice.usage_record_invoices b USING (org_id, idempotency_key)
                      LEFT JOIN invoice.usage_unrated u USING (org_id, idempotency_key) WHERE r.org_id = 'ux-d' ORDER BY 1$$,
                  $$VALUES ('d-1'::text, true, NULL::text), ('d-2', false, 'no price in force'), ('d-3', true, NULL)$$,
                  '... d-1 and d-3 billed, d-2 (after the price ended, inside the billed range) unbilled with its reason');
INSERT INTO invoice.prices (product_id, effective_from, model, rate) VALUES ('ux-disk', '2024-01-16', 'per_unit', 2);
SELECT is(invoice_generate('2024-02-01', '2024-03-01', 'ux-d'), 1::bigint, '... priced later, it goes on the next invoice');
SELECT results_eq($$SELECT i.period_start::date, i.usage_amount::text FROM invoice.invoices i WHERE i.org_id = 'ux-d' ORDER BY 1$$,
                  $$VALUES ('2024-01-01'::date, '10.00'::text), ('2024-02-01', '10.00')$$,
                  '... each record billed once: 3 + 7 at 1, then 5 at 2');

-- the billing day: compute and issue; then the lines read like hand-made ones
SELECT ok(invoice_issue_period('2024-01-01', '2024-03-01') >= 5, 'the billing day issues the generated drafts');
SELECT is((SELECT count(*) FROM invoice.invoices WHERE org_id LIKE 'ug-%' AND status = 'pending'), 5::bigint, '... all pending');
SELECT is((SELECT min(due_date - invoice_date) FROM invoice.invoices WHERE org_id LIKE 'ug-%'), interval '30 days',
          '... due within the payment terms');
SELECT is((SELECT total::text FROM invoice.invoices WHERE org_id = 'ug-a' AND currency = 'INR'), '0.60',
          'GST-rated INR lines: 0.33 + 18 % (0.0594 → 0.06) and 0.18 + 18 % (0.0324 → 0.03): each line''s tax rounded');
SELECT is((SELECT (invoice_describe(i.id)::jsonb -> 'data' -> 'lineItems' -> 0) - 'lineId'
             FROM invoice.invoices i WHERE i.org_id = 'ug-b'),
          '{"rate": 0.04, "units": 1200, "amount": 4800, "hsnSac": "998315", "region": null, "taxRate": 0,
            "usageEnd": "2024-01-21T00:00:00Z", "usageType": "GB", "usageStart": "2024-01-20T00:00:00Z",
            "description": "Egress", "productLine": "Bandwidth", "productName": "Egress", "productGroup": "Network",
            "gstTreatment": "taxable", "resourceName": null, "resourceType": null, "creditCouponCode": null}'::jsonb,
          'Describe: the usage line with its product keys, units, rate, amount');
SELECT is((SELECT billing_v3_invoice(i.id)::jsonb -> 'transaction_line_items'
             FROM invoice.invoices i WHERE i.org_id = 'ug-b'),
          '[{"ProductGroup": "Network", "ProductLine": "Bandwidth", "ProductName": "Egress", "Region": null, "UsageType": "GB",
             "amount": 48.00, "credit_coupon_code": null, "description": "Egress", "rate": 0.04, "units": 1200}]'::jsonb,
          'Billing v3: the same line in transaction_line_items');

-- usage summaries ------------------------------------------------------------------------
SELECT results_eq($$SELECT day, product_id, quantity, unbilled_quantity, amount::text
                     FROM invoice.usage_summary_rows('ug-a', '2024-01-01', '2024-02-01') WHERE product_id = 'ug-egress'$$,
                  $$VALUES ('2024-01-05'::date, 'ug-egress'::text, 800::numeric, 0::numeric, '66.67'::text),
                           ('2024-01-07', 'ug-egress', 400, 0, '33.33'),
                           ('2024-01-30', 'ug-egress', 100, 0, '9.00')$$,
                  'summary rows: 100.00 shared over its two days by quantity (66.67 + 33.33), the late day its own line');
SELECT is((SELECT sum(amount)::text FROM invoice.usage_summary_rows('ug-a', '2024-01-01', '2024-03-01')), '119.51',
          'the days add up to the lines exactly');
SELECT is((SELECT sum(amount)::text FROM invoice.usage_summary_rows('ug-a', '2024-01-05', '2024-01-06')), '66.67',
          'a range inside a line: its days'' shares');
INSERT INTO invoice.usage_records VALUES ('ug-a', 'a-eg-mar', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'vm', 'web-1',
                                          5, '2024-03-02', '2024-03-03');
SELECT is(usage_summary('ug-a', '2024-03-01', '2024-04-01')::jsonb,
          '{"orgId": "ug-a", "dateFrom": "2024-03-01", "dateTo": "2024-04-01",
            "days": [{"date": "2024-03-02", "products": [{"productId": "ug-egress", "ProductGroup": "Network",
                      "ProductLine": "Bandwidth", "ProductName": "Egress", "Region": null, "UsageType": "GB", "unit": "GB",
                      "currency": "USD", "quantity": 5, "unbilledQuantity": 5, "amount": null}]}],
            "totals": [{"currency": "USD", "amount": null}]}'::jsonb,
          'usage_summary JSON: unbilled usage has its quantity and no amount yet');
SELECT is(usage_summary('ug-a', '2023-01-01', '2023-02-01')::jsonb,
          '{"orgId": "ug-a", "dateFrom": "2023-01-01", "dateTo": "2023-02-01", "days": [], "totals": []}'::jsonb,
          'usage_summary of a range without usage');
SELECT is((usage_summary('ug-a', '2024-01-01', '2024-02-01')::jsonb -> 'totals'),
          '[{"amount": 51, "currency": "INR"}, {"amount": 11900, "currency": "USD"}]'::jsonb,
          'totals per currency in integer minor units: January''s usage, the late record (billed in February) included');

-- billing days: invoice_generate_due bills each organisation's month from its billing day
-- (ux-e: the 15th; ux-f: none, the 1st) once that period has ended, and only once
INSERT INTO invoice.orgs (org_id, name) VALUES ('ux-e', 'Usage E'), ('ux-f', 'Usage F');
INSERT INTO invoice.usage_billing_days (org_id, billing_day) VALUES ('ux-e', 15);
INSERT INTO invoice.usage_records (org_id, idempotency_key, product_name, quantity, usage_start, usage_end) VALUES
    ('ux-e', 'e-1', 'Disk', 1, '2024-02-10', '2024-02-10'), ('ux-e', 'e-2', 'Disk', 2, '2024-02-20', '2024-02-20'),
    ('ux-f', 'f-1', 'Disk', 4, '2024-02-10', '2024-02-10');
SELECT is(invoice_generate_due('2024-02-16 12:00', '2024-02-14'), 1::bigint,
          'invoice_generate_due on the 16th: the 15th''s period has ended since, the 1st''s had not');
SELECT results_eq($$SELECT org_id COLLATE "default", period_start, period_end, usage_amount::text FROM invoice.invoices
                     WHERE org_id IN ('ux-e', 'ux-f') ORDER BY 1, 2$$,
                  $$VALUES ('ux-e'::text, '2024-01-15 00:00+00'::timestamptz, '2024-02-15 00:00+00'::timestamptz, '2.00'::text)$$,
                  '... ux-e''s month from the 15th, its record of the 10th');
SELECT is(invoice_generate_due('2024-02-16 12:00', '2024-02-14'), 0::bigint, '... run again: nothing');
SELECT is(invoice_generate_due('2024-03-01 00:00', '2024-02-16 12:00'), 1::bigint,
          '... on the 1st: the calendar month of the organisations without a billing day');
SELECT is(invoice_generate_due('2024-03-16 00:00', NULL), 1::bigint,
          '... on 16 March, since unknown: every billing day''s last period (February again makes nothing)');
SELECT results_eq($$SELECT org_id COLLATE "default", period_start, period_end, usage_amount::text FROM invoice.invoices
                     WHERE org_id IN ('ux-e', 'ux-f') ORDER BY 1, 2$$,
                  $$VALUES ('ux-e'::text, '2024-01-15 00:00+00'::timestamptz, '2024-02-15 00:00+00'::timestamptz, '2.00'::text),
                           ('ux-e', '2024-02-15 00:00+00', '2024-03-15 00:00+00', '4.00'),
                           ('ux-f', '2024-02-01 00:00+00', '2024-03-01 00:00+00', '8.00')$$,
                  '... each organisation''s periods from its own billing day, each record once');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_billing_days VALUES ('ux-f', 29)$$, '23514', NULL,
                       'a billing day after the 28th: 23514');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_billing_days VALUES ('nobody', 2)$$, '23503', NULL,
                       'a billing day of an unknown organisation: 23503');
SELECT pg_temp.refused($$SELECT invoice_generate_due('infinity')$$, '22023', 'as_of must be finite', 'invoice_generate_due: as_of infinite 22023');

-- the summary as a PDF in the invoices' style (its text is checked by test/shell/usage_pdf.sh)
INSERT INTO invoice.supplier (legal_name, address, email)
SELECT 'Usage Supplier', '1 Main Road', 'accounts@supplier.example' WHERE NOT EXISTS (SELECT FROM invoice.supplier);
SELECT is(substr(usage_summary_pdf('ug-a', '2024-01-01', '2024-02-01'), 1, 5), '\x255044462d'::bytea, 'usage_summary_pdf: a PDF');
SELECT is(md5(usage_summary_pdf('ug-a', '2024-01-01', '2024-03-01')), md5(usage_summary_pdf('ug-a', '2024-01-01', '2024-03-01')),
          'usage_summary_pdf: the same bytes twice');
SELECT is(substr(usage_summary_pdf('ug-a', '2023-01-01', '2023-02-01'), 1, 5), '\x255044462d'::bytea,
          'usage_summary_pdf of a range without usage: a PDF all the same');
SELECT pg_temp.refused($$SELECT usage_summary_pdf(NULL, '2024-01-01', '2024-02-01')$$, '22004', NULL, 'usage_summary_pdf: NULL organisation 22004');
SELECT pg_temp.refused($$SELECT usage_summary_pdf(' ', '2024-01-01', '2024-02-01')$$, '22023', NULL, '... a blank one 22023');
SELECT pg_temp.refused($$SELECT usage_summary_pdf('ug-a', NULL, '2024-02-01')$$, '22004', 'date_from must not be null', '... NULL date 22004');
SELECT pg_temp.refused($$SELECT usage_summary_pdf('ug-a', '2024-02-01', '2024-02-01')$$, '22023', 'date_to must be later than date_from',
                       '... an empty range 22023');
SELECT pg_temp.refused($$SELECT usage_summary_pdf('ug-a', '-infinity', '2024-02-01')$$, '22023', 'date_from must be a finite date',
                       '... an infinite date 22023');

-- who may generate; members read their own usage only
CREATE ROLE ug_member NOLOGIN;
GRANT USAGE ON SCHEMA invoice TO ug_member;
GRANT SELECT ON invoice.usage_records, invoice.usage_invoices, invoice.usage_record_invoices, invoice.line_items, invoice.org_prices, invoice.products, invoice.prices,
                invoice.orgs, invoice.supplier TO ug_member;
GRANT EXECUTE ON FUNCTION invoice.usage_summary(text, date, date), invoice.usage_summary_rows(text, date, date),
                           invoice.usage_summary_pdf(text, date, date) TO ug_member;
INSERT INTO invoice.members (org_id, member, role) VALUES ('ug-b', 'ug_member', 'owner');
SET LOCAL ROLE ug_member;
SELECT is((SELECT array_agg(DISTINCT org_id) FROM invoice.usage_records), '{ug-b}'::text[], 'a member reads its own usage only');
SELECT is((SELECT count(*) FROM invoice.usage_summary_rows('ug-a', '2024-01-01', '2024-03-01')), 0::bigint,
          '... and another organisation''s summary is empty');
SELECT is(substr(invoice.usage_summary_pdf('ug-b', '2024-01-01', '2024-03-01'), 1, 5), '\x255044462d'::bytea,
          '... its own summary as a PDF');
SELECT throws_ok($$SELECT invoice.invoice_generate('2024-03-01', '2024-04-01')$$, '42501', NULL,
                 'members may not generate invoices');
SELECT throws_ok($$SELECT invoice.invoice_generate_due('2024-04-01')$$, '42501', NULL,
                 '... nor run the billing days'' generation');
SELECT throws_ok($$INSERT INTO invoice.usage_records VALUES ('ug-b', 'm', 'Network', 'Bandwidth', 'Egress', NULL, 'GB',
                   NULL, NULL, 1, '2024-03-01', '2024-03-02')$$, '42501', NULL, 'nor load usage');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
