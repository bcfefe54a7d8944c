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
\set ON_ERROR_STOP 1
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS invoice CASCADE;
SET search_path = public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(219);

-- Fixtures: organisations sec-a and sec-b, and sec-c that nobody belongs to --------------
\o /dev/null

DELETE FROM invoice.supplier;
INSERT INTO invoice.supplier (legal_name, address, state_code) VALUES ('Security test supplier', 'Bengaluru', '29');
INSERT INTO invoice.orgs (org_id, name, autopay) VALUES
    ('sec-a', 'Org A', true), ('sec-b', 'Org B, secret name', true), ('sec-c', 'Org C', false);

-- pg_temp.invoice(org, id, description[, issue, invoice_date, due_date]):
-- one line of 100.00 and a credit of 5.00 (95.00 due), issued unless told not to
CREATE FUNCTION pg_temp.invoice(p_org text, p_id text, p_description text, p_issue boolean DEFAULT true,
                                p_invoice_date timestamptz DEFAULT NULL, p_due timestamptz DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice.invoices (org_id, id, series, description, period_start, period_end, invoice_date, due_date)
    VALUES (p_org, p_id, 'SEC', p_description, '2024-01-01', '2024-02-01', p_invoice_date, p_due);
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
    VALUES (p_org, p_id, p_description || ' line', '100.00');
    INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES (p_org, p_id, '5.00', 'WELCOME');
    IF p_issue THEN
        PERFORM invoice.invoice_issue(p_id);
    END IF;
    RETURN p_id;
END $$;

-- pg_temp.note(invoice): an issued credit note of 10.00 on it; returns its id
CREATE FUNCTION pg_temp.note(p_invoice text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n invoice.credit_notes := invoice.credit_note_create(p_invoice, 'other', 'goodwill');
BEGIN
    INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount)
    VALUES (n.org_id, n.credit_note_id, 'goodwill', '10.00');
    PERFORM invoice.credit_note_issue(n.credit_note_id);
    RETURN n.credit_note_id;
END $$;

-- Every table of organisation data gets rows of both A and B (B more of each, so
-- that a count of B's rows is never mistaken for A's): invoices with lines and
-- credits, payments, a credit note, top-ups (receipts, ledger), auto-pay
-- requests (autopay is on), an overdue invoice with its reminder.
SELECT pg_temp.invoice('sec-a', id, 'alpha ' || id)
  FROM unnest('{sa-paid,sa-open,sa-noted,sa-c1,sa-c2,sa-c3,sa-d1,sa-d2,sa-d3}'::text[]) id;
SELECT pg_temp.invoice('sec-a', 'sa-draft', 'alpha draft', false);
SELECT pg_temp.invoice('sec-a', 'sa-late', 'alpha late', true, '2024-02-01', '2024-02-15');
SELECT pg_temp.invoice('sec-b', id, 'bravo ' || id)
  FROM unnest('{sb-paid,sb-open,sb-noted,sb-1,sb-2,sb-3,sb-4,sb-5,sb-6,sb-7,sb-8}'::text[]) id;
SELECT pg_temp.invoice('sec-b', 'sb-draft', 'bravo draft', false);
SELECT pg_temp.invoice('sec-b', 'sb-late', 'bravo late', true, '2024-02-01', '2024-02-15');
SELECT pg_temp.invoice('sec-c', 'sc-open', 'charlie open');
-- an id two organisations use (custom ids may collide; generated ones never do): B's issued, A's a draft
SELECT pg_temp.invoice('sec-b', 'sec-twin', 'bravo twin');
SELECT pg_temp.invoice('sec-a', 'sec-twin', 'alpha twin', false);

SELECT invoice.invoice_pay('sa-paid', '95.00', 'upi', 'sec-pay-a');
SELECT invoice.invoice_pay('sb-paid', '95.00', 'upi', 'sec-pay-b');
SELECT invoice.invoice_pay('sb-open', '10.00', 'card', 'sec-pay-b2');
SELECT invoice.invoice_topup('sec-a', '50.00', 'upi', 'sec-top-a');
SELECT invoice.invoice_topup('sec-b', '70.00', 'upi', 'sec-top-b');
SELECT invoice.invoice_topup('sec-b', '20.00', 'upi', 'sec-top-b2');
SELECT invoice.invoice_sweep_overdue(now());
SELECT pg_temp.note('sa-noted') AS note_a, pg_temp.note('sb-noted') AS note_b \gset
SELECT max(receipt_id) FILTER (WHERE org_id = 'sec-a') AS receipt_a,
       max(receipt_id) FILTER (WHERE org_id = 'sec-b') AS receipt_b FROM invoice.receipts \gset

-- The tables that hold an organisation's data (README "Security model").
CREATE TEMP TABLE org_tables (ord int, t text);
INSERT INTO org_tables VALUES (1, 'orgs'), (2, 'invoices'), (3, 'line_items'), (4, 'credits'), (5, 'payments'),
    (6, 'status_history'), (7, 'reminders'), (8, 'receipts'), (9, 'advance_ledger'), (10, 'payment_requests'),
    (11, 'credit_notes'), (12, 'credit_note_lines'), (13, 'members');
\o

-- Roles: cluster-wide, so named uniquely for this run; created in this
-- transaction and gone with its ROLLBACK.  Wired as README "Security model"
-- says: the grants go to a group role, the memberships to invoice.members.
SELECT 'sec_' || substr(md5(random()::text || clock_timestamp()::text), 1, 8) AS tag \gset
SELECT :'tag' || '_owner_a' AS owner_a, :'tag' || '_badmin_a' AS badmin_a, :'tag' || '_viewer_a' AS viewer_a,
       :'tag' || '_outsider' AS outsider, :'tag' || '_owner_b' AS owner_b, :'tag' || '_admin' AS admin,
       :'tag' || '_members' AS members \gset
CREATE ROLE :"members" NOLOGIN;
CREATE ROLE :"owner_a" NOLOGIN IN ROLE :"members";
CREATE ROLE :"badmin_a" NOLOGIN IN ROLE :"members";
CREATE ROLE :"viewer_a" NOLOGIN IN ROLE :"members";
CREATE ROLE :"outsider" NOLOGIN IN ROLE :"members";
CREATE ROLE :"owner_b" NOLOGIN IN ROLE :"members";
CREATE ROLE :"admin" NOLOGIN BYPASSRLS;
INSERT INTO invoice.members (org_id, member, role) VALUES
    ('sec-a', :'owner_a', 'owner'), ('sec-a', :'badmin_a', 'billing_admin'), ('sec-a', :'viewer_a', 'viewer'),
    ('sec-b', :'owner_b', 'owner');
GRANT USAGE ON SCHEMA invoice TO :"members";
GRANT SELECT ON invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits, invoice.payments,
                invoice.status_history, invoice.reminders, invoice.receipts, invoice.advance_ledger,
                invoice.payment_requests, invoice.credit_notes, invoice.credit_note_lines, invoice.members,
                invoice.supplier, invoice.gst_rates,
                invoice.invoice_list_json, invoice.invoice_describe_json, invoice.invoice_csv,
                invoice.billing_v3_invoice_json
   TO :"members";
GRANT EXECUTE ON FUNCTION invoice.invoice_pay(text, invoice.cents, text, text), invoice.invoice_cancel(text, text),
                          invoice.invoice_dispute(text, text), invoice.invoice_topup(text, invoice.cents, text, text),
                          invoice.invoice_list(text, integer, integer, text, timestamptz, timestamptz, text),
                          invoice.invoice_describe(text), invoice.invoice_summary(text),
                          invoice.invoice_csv(text, text, timestamptz, timestamptz, text),
                          invoice.billing_v3_invoices(text, timestamptz, timestamptz, integer, text),
                          invoice.billing_v3_invoice(text), invoice.api_get(text, json),
                          invoice.invoice_tax_lines(text), invoice.invoice_tax_summary(text),
                          invoice.invoice_pdf(text), invoice.invoice_pdf_zip(text[]),
                          invoice.credit_note_pdf(text), invoice.receipt_pdf(text, bigint)
   TO :"members";
-- a billing administrator: BYPASSRLS, and the privileges to use it
GRANT USAGE ON SCHEMA invoice TO :"admin";
GRANT ALL ON ALL TABLES IN SCHEMA invoice TO :"admin";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA invoice TO :"admin";

-- pg_temp.outcome(role, sql): what sql (one value, as text) answers when run as
-- role — SET LOCAL ROLE, so with that role's privileges and row-level security —
-- or its error in full: 'ERROR SQLSTATE: message[ DETAIL: …][ HINT: …]'.
CREATE FUNCTION pg_temp.outcome(r name, sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    answer text;
    st text;
    msg text;
    det text;
    hin text;
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    IF sql ~* '^\s*(SELECT|WITH|VALUES|TABLE)\M' THEN
        EXECUTE sql INTO answer;
    ELSE
        EXECUTE sql;            -- INSERT, UPDATE, DELETE, TRUNCATE
        answer := 'done';
    END IF;
    RESET ROLE;
    RETURN coalesce(answer, '(null)');
EXCEPTION WHEN OTHERS THEN
    -- the subtransaction's rollback has undone the SET ROLE
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hin = PG_EXCEPTION_HINT;
    -- (no NULLIF and no =: security_search_path.sql shadows = for text)
    RETURN 'ERROR ' || st || ': ' || msg || CASE WHEN det <> '' THEN ' DETAIL: ' || det ELSE '' END
           || CASE WHEN hin <> '' THEN ' HINT: ' || hin ELSE '' END;
END $$;
-- pg_temp.state(role, sql): 'ok', or the SQLSTATE sql fails with as role
CREATE FUNCTION pg_temp.state(r name, sql text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN o LIKE 'ERROR %' THEN substr(o, 7, 5) ELSE 'ok' END FROM pg_temp.outcome(r, sql) o
$$;

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
