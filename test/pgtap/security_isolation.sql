-- Security (issue 6): nothing of another organisation is visible — not its
-- rows, counts, totals, cursors, nor even that an id exists.
--
-- The proof: every read and every refused write a role can try on the other
-- organisation's objects answers exactly what it answers in a world where that
-- organisation does not exist at all.  That world is made in a savepoint (all
-- of sec-b's rows deleted, triggers off), each probe's answer there — result
-- or error, in full: SQLSTATE, message, detail, hint — is kept in a psql
-- variable, the savepoint is rolled back, and the same probe must answer the
-- same with sec-b back.  Probes: the member functions (pay, cancel, dispute,
-- top up), invoice_list / invoice_describe / invoice_summary / invoice_csv,
-- billing_v3_invoices / billing_v3_invoice, api_get on all five paths, the
-- PDFs, the tax breakdown, the row counts of every table and view — for
-- sec-a's owner and viewer and an outsider; and the same for sec-b's owner
-- about sec-a.  Then: Billing v3 cursors of another customer are refused with
-- 22023 and a message that names nothing of it, and a cursor forged for
-- another customer (the cursor functions are callable by anyone) pages
-- through nothing.
\ir include/begin.sql
SET search_path = public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(251);
\ir include/security_fixture.sql

-- The probes -----------------------------------------------------------------------------
--
-- In each, {F} is the other organisation, {FI} an open invoice of it, {FN} and
-- {FR} its credit note and receipt, {M} the prober's own organisation (for the
-- outsider, just another one it does not belong to).

CREATE TEMP TABLE probes (ord serial, k text, sql text);
INSERT INTO probes (k, sql) VALUES
    ('pay', $$SELECT invoice.invoice_pay({FI}, '1.00', 'upi', 'probe-pay')::text$$),
    ('cancel', $$SELECT invoice.invoice_cancel({FI}, 'probe')::text$$),
    ('dispute', $$SELECT invoice.invoice_dispute({FI}, 'probe')::text$$),
    ('top up', $$SELECT invoice.invoice_topup({F}, '1.00', 'upi', 'probe-top')::text$$),
    ('describe', $$SELECT invoice.invoice_describe({FI})::text$$),
    ('describe the shared id', $$SELECT invoice.invoice_describe('sec-twin')::text$$),
    ('billing_v3_invoice', $$SELECT invoice.billing_v3_invoice({FI})::text$$),
    ('billing_v3_invoice of the shared id', $$SELECT invoice.billing_v3_invoice('sec-twin')::text$$),
    ('invoice_list', $$SELECT invoice.invoice_list({F})::text$$),
    ('invoice_list, filters and search', $$SELECT invoice.invoice_list({F}, 1, 100, 'unpaid', '2000-01-01', '2100-01-01', 'a')::text$$),
    ('invoice_list of its own', $$SELECT invoice.invoice_list({M}, 1, 100)::text$$),
    ('invoice_summary', $$SELECT invoice.invoice_summary({F})::text$$),
    ('invoice_summary of its own', $$SELECT invoice.invoice_summary({M})::text$$),
    ('invoice_csv', $$SELECT coalesce(string_agg(c::text, ' | ' ORDER BY c.id), 'no rows') FROM invoice.invoice_csv({F}) c$$),
    ('invoice_csv of its own', $$SELECT coalesce(string_agg(c::text, ' | ' ORDER BY c.id), 'no rows') FROM invoice.invoice_csv({M}) c$$),
    ('billing_v3_invoices', $$SELECT invoice.billing_v3_invoices({F})::text$$),
    ('billing_v3_invoices of its own, with a cursor', $$SELECT invoice.billing_v3_invoices({M}, "limit" => 2)::text$$),
    ('api_get list', $$SELECT invoice.api_get('/v2/invoices', json_build_object('orgId', {F}, 'search', 'a'))::text$$),
    ('api_get describe', $$SELECT invoice.api_get('/v2/invoices/' || {FI})::text$$),
    ('api_get describe, own scope', $$SELECT invoice.api_get('/v2/invoices/' || {FI}, json_build_object('orgId', {M}))::text$$),
    ('api_get describe, its scope', $$SELECT invoice.api_get('/v2/invoices/' || {FI}, json_build_object('orgId', {F}))::text$$),
    ('api_get summary', $$SELECT invoice.api_get('/v2/invoice-summary', json_build_object('orgId', {F}))::text$$),
    ('api_get v3 list', $$SELECT invoice.api_get('/billing/v3/invoices', json_build_object('customer_id', {F}))::text$$),
    ('api_get v3 get', $$SELECT invoice.api_get('/billing/v3/invoices/' || {FI})::text$$),
    ('api_get v3 get, its scope', $$SELECT invoice.api_get('/billing/v3/invoices/' || {FI}, json_build_object('customer_id', {F}))::text$$),
    ('invoice_pdf', $$SELECT md5(invoice.invoice_pdf({FI}))$$),
    ('invoice_pdf_zip', $$SELECT md5(invoice.invoice_pdf_zip(ARRAY[{FI}]))$$),
    ('credit_note_pdf', $$SELECT md5(invoice.credit_note_pdf({FN}))$$),
    ('receipt_pdf', $$SELECT md5(invoice.receipt_pdf({F}, {FR}))$$),
    ('usage_summary_pdf', $$SELECT md5(invoice.usage_summary_pdf({F}, '2024-01-01', '2025-01-01'))$$),
    ('invoice_tax_lines', $$SELECT count(*)::text FROM invoice.invoice_tax_lines({FI})$$),
    ('invoice_tax_summary', $$SELECT count(*)::text FROM invoice.invoice_tax_summary({FI})$$),
    ('member_orgs', $$SELECT invoice.member_orgs()::text$$);
-- the row counts of every table and view
INSERT INTO probes (k, sql)
SELECT 'rows of invoice.' || t,
       format($$SELECT coalesce(string_agg(org_id || ':' || n, ' ' ORDER BY org_id), 'nothing')
                  FROM (SELECT org_id, count(*) AS n FROM invoice.%I GROUP BY org_id) s$$, t)
  FROM (SELECT t FROM org_tables ORDER BY ord) x
UNION ALL
SELECT 'rows of invoice.' || v, format('SELECT count(*)::text FROM invoice.%I', v)
  FROM unnest('{invoice_list_json,invoice_describe_json,invoice_csv,billing_v3_invoice_json}'::text[]) v;

-- Who probes whom: (who, role, the other organisation, its open invoice, credit note, receipt, own organisation)
CREATE TEMP TABLE probers (ord int, who text, r name, f text, fi text, fn text, fr bigint, m text);
INSERT INTO probers VALUES
    (1, 'owner_a', :'owner_a', 'sec-b', 'sb-open', :'note_b', :receipt_b, 'sec-a'),
    (2, 'viewer_a', :'viewer_a', 'sec-b', 'sb-open', :'note_b', :receipt_b, 'sec-a'),
    (3, 'outsider', :'outsider', 'sec-b', 'sb-open', :'note_b', :receipt_b, 'sec-a'),
    (4, 'owner_b', :'owner_b', 'sec-a', 'sa-open', :'note_a', :receipt_a, 'sec-b');

-- pg_temp.probe(prober, probe): the probe's SQL for that prober
CREATE FUNCTION pg_temp.probe(w probers, sql text) RETURNS text LANGUAGE sql AS $$
    SELECT replace(replace(replace(replace(replace(sql, '{FI}', quote_literal(w.fi)), '{FN}', quote_literal(w.fn)),
                                   '{FR}', w.fr::text), '{F}', quote_literal(w.f)), '{M}', quote_literal(w.m))
$$;

-- pg_temp.forget(org): the world without that organisation: all of its rows gone
CREATE FUNCTION pg_temp.forget(p_org text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    SET LOCAL session_replication_role = replica;       -- no triggers, no foreign key checks
    FOR t IN SELECT x.t FROM org_tables x ORDER BY x.ord DESC LOOP
        EXECUTE format('DELETE FROM invoice.%I WHERE org_id = $1', t) USING p_org;
    END LOOP;
    SET LOCAL session_replication_role = origin;
END $$;

-- The answers where sec-b does not exist (for A's members and the outsider),
-- and where sec-a does not exist (for B's owner)
SAVEPOINT without_b;
SELECT FROM pg_temp.forget('sec-b');
SELECT count(*) AS b_rows_left FROM invoice.invoices WHERE org_id = 'sec-b' \gset
SELECT json_object_agg(w.who || ' / ' || p.k, pg_temp.outcome(w.r, pg_temp.probe(w, p.sql))) AS ghost_b
  FROM probers w CROSS JOIN probes p WHERE w.f = 'sec-b' \gset
ROLLBACK TO SAVEPOINT without_b;
SAVEPOINT without_a;
SELECT FROM pg_temp.forget('sec-a');
SELECT json_object_agg(w.who || ' / ' || p.k, pg_temp.outcome(w.r, pg_temp.probe(w, p.sql))) AS ghost_a
  FROM probers w CROSS JOIN probes p WHERE w.f = 'sec-a' \gset
ROLLBACK TO SAVEPOINT without_a;

SELECT is(:b_rows_left, 0, 'the world without sec-b has none of its invoices');
SELECT is((SELECT count(*) FROM invoice.invoices WHERE org_id = 'sec-b'), 14::bigint, '… and this one has them all back');

SELECT is(pg_temp.outcome(w.r, pg_temp.probe(w, p.sql)),
          (CASE w.f WHEN 'sec-b' THEN :'ghost_b' ELSE :'ghost_a' END)::json->>(w.who || ' / ' || p.k),
          format('%s, %s: answers as if %s did not exist', w.who, p.k, w.f))
  FROM probers w CROSS JOIN probes p ORDER BY w.ord, p.ord;

-- not vacuous: what these probes answer when sec-b's own owner sends them
SELECT isnt(pg_temp.outcome(:'owner_b', replace(sql, '{FI}', quote_literal('sb-open'))),
            pg_temp.outcome(:'owner_a', replace(sql, '{FI}', quote_literal('sb-open'))),
            format('control: owner_b gets something else from %s', k))
  FROM probes WHERE k IN ('describe', 'billing_v3_invoice', 'invoice_pdf', 'api_get describe') ORDER BY ord;
SELECT is(pg_temp.outcome(:'owner_a', replace(sql, '{F}', quote_literal('sec-b'))),
          pg_temp.outcome(:'owner_a', replace(sql, '{F}', quote_literal('sec-no-such-org'))),
          format('%s of sec-b: the same as of an organisation that does not exist', k))
  FROM probes WHERE k IN ('invoice_list', 'invoice_summary', 'invoice_csv', 'billing_v3_invoices') ORDER BY ord;
SELECT is(pg_temp.outcome(:'owner_a', $$SELECT invoice.invoice_list('sec-b')::text$$),
          '{"code" : 0, "data" : {"count" : 0, "currentPage" : 1, "pageSize" : 10, "invoices" : []}}',
          'invoice_list of sec-b as owner_a: count 0, no invoices');
SELECT is(pg_temp.outcome(:'owner_a', $$SELECT invoice.invoice_summary('sec-b')::text$$),
          '{"totalPaid" : 0, "totalPending" : 0, "totalOverdue" : 0, "paidCount" : 0, "pendingCount" : 0, "overdueCount" : 0, "currency" : null, "byCurrency" : []}',
          'invoice_summary of sec-b as owner_a: all zero');
SELECT is(pg_temp.outcome(:'owner_a', $$SELECT invoice.billing_v3_invoices('sec-b')->'meta'->>'total'$$), '0',
          'billing_v3_invoices of sec-b as owner_a: total 0');
SELECT is(pg_temp.outcome(:'owner_a', $$SELECT invoice.invoice_describe('sb-open')::text$$),
          'ERROR P0002: invoice "sb-open" does not exist', 'invoice_describe of a sec-b invoice as owner_a: P0002');

-- Cursors --------------------------------------------------------------------------------

SELECT pg_temp.outcome(:'owner_b', $$SELECT invoice.billing_v3_invoices('sec-b', "limit" => 2)->'meta'->>'next_cursor'$$)
       AS cursor_b \gset
SELECT pg_temp.outcome(:'owner_a', $$SELECT invoice.billing_v3_invoices('sec-a', "limit" => 2)->'meta'->>'next_cursor'$$)
       AS cursor_a \gset
SELECT ok(length(:'cursor_b') > 20 AND length(:'cursor_a') > 20, 'owner_b and owner_a each hold a next-page cursor');
SELECT is(pg_temp.outcome(:'owner_a', format($$SELECT invoice.billing_v3_invoices('sec-a', "limit" => 2, cursor => %L)::text$$, :'cursor_b')),
          'ERROR 22023: cursor belongs to another customer DETAIL: A cursor continues the listing of the customer_id it was returned for.',
          'owner_a presents B''s cursor for its own listing: 22023, and the message names nothing of B');
SELECT is(pg_temp.outcome(:'owner_a', format($$SELECT invoice.api_get('/billing/v3/invoices', json_build_object('customer_id', 'sec-a', 'cursor', %L))::text$$, :'cursor_b')),
          '{"code" : 40000, "message" : "cursor belongs to another customer"}',
          '… through api_get: 40000, the same message');
SELECT is(pg_temp.outcome(:'owner_a', format($$SELECT invoice.billing_v3_invoices('sec-b', "limit" => 2, cursor => %L)::text$$, :'cursor_b')),
          pg_temp.outcome(:'owner_a', $$SELECT invoice.billing_v3_invoices('sec-no-such-org', "limit" => 2)::text$$),
          'owner_a continues B''s listing with B''s cursor: an empty page, total 0, as for an organisation that does not exist');
SELECT is(pg_temp.outcome(:'outsider', format($$SELECT invoice.billing_v3_invoices('sec-b', "limit" => 2, cursor => %L)::text$$, :'cursor_b')),
          pg_temp.outcome(:'outsider', $$SELECT invoice.billing_v3_invoices('sec-no-such-org', "limit" => 2)::text$$),
          '… and so does the outsider');
SELECT is(pg_temp.outcome(:'owner_b', format($$SELECT invoice.billing_v3_invoices('sec-a', "limit" => 2, cursor => %L)::text$$, :'cursor_a')),
          pg_temp.outcome(:'owner_b', $$SELECT invoice.billing_v3_invoices('sec-no-such-org', "limit" => 2)::text$$),
          'owner_b continues A''s listing with A''s cursor: nothing');
SELECT is(pg_temp.state(:'owner_a', format($$SELECT invoice.billing_v3_invoices('sec-a', "limit" => 2, cursor => %L)::text$$,
                                           overlay(:'cursor_a' placing CASE WHEN substr(:'cursor_a', 30, 1) = 'A' THEN 'B' ELSE 'A' END from 30 for 1))),
          '22023', 'a cursor with one character changed: 22023');
-- anyone may call the cursor functions (they only sign and check): a cursor
-- made for sec-b's listing, from its start, lists nothing of it
SELECT pg_temp.outcome(:'owner_a', $$SELECT invoice.billing_v3_cursor_make('sec-b', NULL, NULL, '-infinity', '')$$) AS forged \gset
SELECT ok(length(:'forged') > 20, 'owner_a can sign a cursor for sec-b''s listing itself');
SELECT is(pg_temp.outcome(:'owner_a', format($$SELECT invoice.billing_v3_invoices('sec-b', "limit" => 2, cursor => %L)::text$$, :'forged')),
          pg_temp.outcome(:'owner_a', $$SELECT invoice.billing_v3_invoices('sec-no-such-org', "limit" => 2)::text$$),
          '… and pages through nothing with it');

SELECT * FROM finish();
ROLLBACK;
