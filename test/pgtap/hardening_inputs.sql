-- Hardening (issue #19, items 6 and 7): internal errors where a clear one belongs, and rules
-- that could be walked around.
--
--   - an invoice inserted or updated with a NULL status: 23502 naming it (was XX000 "unknown
--     invoice status 0");
--   - billing_v3_not_found(id, 1) (executable by PUBLIC): 22023 (was XX000);
--   - api_get with \u0000 in a parameter's value or name: its error shape, code 40000 (was a
--     22P05 raised through it: a gateway's 500); an escaped backslash before u0000 is text;
--   - a provider reference over 255 bytes: 22001 from the argument check (was 54000 from
--     the unique index, at about 8 KB); 255 bytes are accepted;
--   - the due date of an issued invoice cannot be removed (23502): without one the overdue
--     sweep would never see it; a draft's can.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(13);

INSERT INTO invoice.orgs (org_id, name) VALUES ('hi-org', 'Hardening inputs');
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, due_date)
VALUES ('hi-org', 'hi-1', 'HIN', '2024-01-01', '2024-02-01', '2024-02-01', '2024-03-01'),
       ('hi-org', 'hi-draft', 'HIN', '2024-01-01', '2024-02-01', '2024-02-01', '2024-03-01');
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate) VALUES ('hi-org', 'hi-1', 'x', 1, 10);
SELECT FROM invoice.invoice_issue('hi-1');

SELECT throws_ok($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end, status)
                   VALUES ('hi-org', 'hi-null', '2024-01-01', '2024-02-01', NULL)$$,
                 '23502', 'invoice "hi-null" needs a status', 'an invoice inserted with a NULL status -> 23502');
SELECT throws_ok($$UPDATE invoice.invoices SET status = NULL WHERE id = 'hi-1'$$,
                 '23502', 'invoice "hi-1" needs a status', 'an invoice''s status set to NULL -> 23502');
SELECT throws_ok($$SELECT invoice.billing_v3_not_found('x', 1)$$, '22023', NULL,
                 'billing_v3_not_found(id, 1) -> 22023, not an internal error');
SELECT throws_ok($$SELECT invoice.billing_v3_not_found('x', 0)$$, 'P0002', NULL, '... (0 matches: P0002, as before)');

SELECT is(invoice.api_get('/v2/invoices', '{"orgId": "hi-org", "search": "a\u0000b"}')::jsonb ->> 'code', '40000',
          'api_get: \u0000 in a value -> code 40000');
SELECT is(invoice.api_get('/v2/invoices', '{"orgId": "hi-org", "se\u0000arch": "x"}')::jsonb ->> 'code', '40000',
          'api_get: \u0000 in a name -> code 40000');
SELECT is(invoice.api_get('/v2/invoices', '{"orgId": "hi-org", "search": "a\\u0000b"}')::jsonb ->> 'code', '0',
          'api_get: an escaped backslash before u0000 is ordinary text (code 0)');

SELECT throws_ok(format($$SELECT invoice.invoice_pay('hi-1', '1.00', 'upi', %L)$$, repeat('r', 256)), '22001',
                 'provider reference is longer than 255 bytes', 'a 256-byte provider reference -> 22001');
SELECT throws_ok(format($$SELECT invoice.invoice_pay('hi-1', '1.00', 'upi', %L)$$, repeat('r', 9000)), '22001', NULL,
                 'a 9000-byte one -> 22001 (not the index''s 54000)');
SELECT lives_ok(format($$SELECT invoice.invoice_pay('hi-1', '1.00', 'upi', %L)$$, repeat('r', 255)),
                'a 255-byte provider reference is accepted');
SELECT throws_ok(format($$SELECT invoice.invoice_topup('hi-org', '1.00', 'upi', %L)$$, repeat('t', 256)), '22001', NULL,
                 'invoice_topup: a 256-byte provider reference -> 22001');

SELECT throws_ok($$UPDATE invoice.invoices SET due_date = NULL WHERE id = 'hi-1'$$, '23502',
                 'invoice "hi-1" is issued: its due date cannot be removed', 'a pending invoice''s due date set to NULL -> 23502');
SELECT lives_ok($$UPDATE invoice.invoices SET due_date = NULL WHERE id = 'hi-draft'$$, 'a draft''s due date may be removed');

SELECT * FROM finish();
ROLLBACK;
