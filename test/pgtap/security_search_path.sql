-- Security (issue 6): a malicious object in the caller's search_path hijacks
-- nothing.
--
-- The attacker is sec-a's owner, given CREATE on schema public (PostgreSQL 15
-- no longer grants it to PUBLIC: granted here to make the attempt real) and on
-- the database.  The cents type's own objects live in public and are not its
-- to replace (checked); so it makes a schema evil with a sum(cents) that
-- answers 999999.99 and an = for cents that is always true, and in public a
-- count(*) that starts at 1000, = for text and ILIKE (~~*) that are always
-- true, lower / btrim / replace / left / to_char / now that lie,
-- member_orgs() and acting_role() and invoice_org_id() of its own, a
-- public.invoices view and temporary invoices / members / line_items tables
-- (one of them making it a member of sec-b), and puts pg_temp, evil, public
-- before pg_catalog and invoice on its search_path.  The hijack works on its own
-- queries (checked) — and changes nothing the extension answers or does:
-- the reads (list, describe, summary, CSV, Billing v3, api_get, tax, PDF,
-- row counts), the member functions (pay, cancel, dispute, top up), and, with
-- an administrator as the victim whose search_path holds the planted
-- objects, issue, recompute, the sweep and the triggers behind a direct
-- write.  Everything is compared with the same calls made, in a savepoint,
-- before anything was planted.
\ir include/begin.sql
SET search_path = public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(78);
\ir include/security_fixture.sql

GRANT CREATE ON SCHEMA public TO :"owner_a";
SELECT current_database() AS db \gset
GRANT CREATE ON DATABASE :"db" TO :"owner_a";

-- What is compared ----------------------------------------------------------------------

CREATE TEMP TABLE reads (ord serial, k text, sql text);
INSERT INTO reads (k, sql) VALUES
    ('invoice_list', $$SELECT invoice.invoice_list('sec-a', 1, 100)::text$$),
    ('invoice_list, filtered', $$SELECT invoice.invoice_list('sec-a', 1, 5, 'unpaid', '2000-01-01', '2100-01-01', 'ALPHA')::text$$),
    ('invoice_list of sec-b', $$SELECT invoice.invoice_list('sec-b', 1, 100, search => 'bravo')::text$$),
    ('invoice_describe', $$SELECT invoice.invoice_describe('sa-paid')::text$$),
    ('invoice_describe of sec-b''s invoice', $$SELECT invoice.invoice_describe('sb-open')::text$$),
    ('invoice_summary', $$SELECT invoice.invoice_summary('sec-a')::text$$),
    ('invoice_summary of sec-b', $$SELECT invoice.invoice_summary('sec-b')::text$$),
    ('invoice_csv', $$SELECT string_agg(c::text, ' | ' ORDER BY c.id) FROM invoice.invoice_csv('sec-a', search => 'alpha') c$$),
    ('billing_v3_invoices', $$SELECT invoice.billing_v3_invoices('sec-a', "limit" => 3)::text$$),
    ('billing_v3_invoice', $$SELECT invoice.billing_v3_invoice('sa-paid')::text$$),
    ('billing_v3_invoice of sec-b''s invoice', $$SELECT invoice.billing_v3_invoice('sb-open')::text$$),
    ('api_get list', $$SELECT invoice.api_get('/v2/invoices', '{"orgId": "sec-a", "search": "alpha", "status": "UNPAID"}')::text$$),
    ('api_get describe', $$SELECT invoice.api_get('/v2/invoices/sa-open')::text$$),
    ('api_get summary', $$SELECT invoice.api_get('/v2/invoice-summary', '{"orgId": "sec-a"}')::text$$),
    ('api_get v3 list', $$SELECT invoice.api_get('/billing/v3/invoices', '{"customer_id": "sec-a", "limit": 2}')::text$$),
    ('api_get v3 get', $$SELECT invoice.api_get('/billing/v3/invoices/sa-open')::text$$),
    ('invoice_tax_summary', $$SELECT string_agg(t::text, ' | ') FROM invoice.invoice_tax_summary('sa-open') t$$),
    ('invoice_tax_lines', $$SELECT string_agg(t::text, ' | ') FROM invoice.invoice_tax_lines('sa-open') t$$),
    ('invoice_pdf', $$SELECT md5(invoice.invoice_pdf('sa-paid'))$$),
    ('member_orgs', $$SELECT invoice.member_orgs()::text$$),
    ('acting_role', $$SELECT invoice.acting_role()::text$$),
    ('invoices visible', $$SELECT string_agg(i.id, ' ' ORDER BY i.id) FROM invoice.invoices i$$),
    ('invoice_list_json visible', $$SELECT string_agg(v.id, ' ' ORDER BY v.id) FROM invoice.invoice_list_json v$$),
    ('memberships visible', $$SELECT string_agg(m.org_id || ':' || m.role, ' ') FROM invoice.members m$$);

-- the writes, in order: (who, what, SQL); results without generated ids and timestamps
CREATE TEMP TABLE writes (ord serial, who name, k text, sql text);
INSERT INTO writes (who, k, sql) VALUES
    (:'owner_a', 'owner_a pays', $$SELECT (p.org_id, p.invoice_id, p.amount, p.method, p.provider_ref)::text FROM invoice.invoice_pay('sa-open', '10.00', 'upi', 'hj-pay') p$$),
    (:'owner_a', 'owner_a pays again (idempotent)', $$SELECT (p.org_id, p.invoice_id, p.amount, p.method, p.provider_ref)::text FROM invoice.invoice_pay('sa-open', '10.00', 'upi', 'hj-pay') p$$),
    (:'owner_a', 'owner_a overpays', $$SELECT invoice.invoice_pay('sa-open', '1000.00', 'upi', 'hj-over')::text$$),
    (:'owner_a', 'owner_a pays sec-b''s invoice', $$SELECT invoice.invoice_pay('sb-open', '1.00', 'upi', 'hj-b')::text$$),
    (:'owner_a', 'owner_a cancels', $$SELECT (i.org_id, i.id, i.status, i.status_reason, i.amount_due)::text FROM invoice.invoice_cancel('sa-c1', 'hijack?') i$$),
    (:'owner_a', 'owner_a disputes', $$SELECT (i.org_id, i.id, i.status, i.dispute_status, i.dispute_description)::text FROM invoice.invoice_dispute('sa-d1', 'hijack?') i$$),
    (:'owner_a', 'owner_a tops up', $$SELECT (r.org_id, r.number, r.amount, r.method, r.provider_ref)::text FROM invoice.invoice_topup('sec-a', '5.00', 'upi', 'hj-top') r$$),
    (:'owner_a', 'owner_a issues (not allowed)', $$SELECT invoice.invoice_issue('sa-draft')::text$$),
    (:'admin', 'the administrator adds a line to a draft (triggers)', $$INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate) VALUES ('sec-a', 'sa-draft', 'hijack line', 3, 1.115)$$),
    (:'admin', 'the administrator issues', $$SELECT (i.org_id, i.id, i.number, i.status, i.usage_amount, i.credits_applied, i.tax, i.total, i.advance_pay_amount, i.amount_due)::text FROM invoice.invoice_issue('sa-draft') i$$),
    (:'admin', 'the administrator recomputes', $$SELECT (i.usage_amount, i.credits_applied, i.subtotal, i.tax, i.total, i.already_billed_amount, i.amount_due)::text FROM invoice.invoice_compute('sa-open') i$$),
    (:'admin', 'the administrator recomputes a period', $$SELECT invoice.invoice_compute_period('2024-01-01', '2024-02-01')::text$$),
    (:'admin', 'the administrator sweeps', $$SELECT invoice.invoice_sweep_overdue(invoice.clock())::text$$),
    (:'admin', 'the administrator credits', $$SELECT (n.org_id, n.invoice_id, n.status, n.reason)::text FROM invoice.credit_note_create('sa-paid', 'other', 'hijack?') n$$);

-- pg_temp.state_of_a(): what the writes left in sec-a (no generated ids, no timestamps)
CREATE FUNCTION pg_temp.state_of_a() RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws(E'\n',
        (SELECT string_agg((i.id, i.number, i.status, i.status_reason, i.usage_amount, i.credits_applied, i.tax, i.total,
                            i.already_billed_amount, i.advance_pay_amount, i.amount_due, i.dispute_status)::text, ' ' ORDER BY i.id)
           FROM invoice.invoices i WHERE i.org_id = 'sec-a'),
        (SELECT string_agg((h.invoice_id, h.from_status, h.to_status, h.changed_by, h.reason)::text, ' ' ORDER BY h.history_id)
           FROM invoice.status_history h WHERE h.org_id = 'sec-a'),
        (SELECT string_agg((p.invoice_id, p.amount, p.provider_ref)::text, ' ' ORDER BY p.payment_id)
           FROM invoice.payments p WHERE p.org_id = 'sec-a'),
        (SELECT string_agg((r.number, r.amount, r.provider_ref)::text, ' ' ORDER BY r.receipt_id)
           FROM invoice.receipts r WHERE r.org_id = 'sec-a'),
        (SELECT string_agg((l.invoice_id, l.description, l.amount)::text, ' ' ORDER BY l.line_id)
           FROM invoice.line_items l WHERE l.org_id = 'sec-a'),
        (SELECT string_agg((n.invoice_id, n.status, n.reason)::text, ' ' ORDER BY n.created_at, n.invoice_id)
           FROM invoice.credit_notes n WHERE n.org_id = 'sec-a'),
        (SELECT (o.advance_balance, o.suspended_at IS NOT NULL)::text FROM invoice.orgs o WHERE o.org_id = 'sec-a'),
        (SELECT string_agg((i.id, i.status, i.amount_due)::text, ' ' ORDER BY i.id) FROM invoice.invoices i WHERE i.org_id = 'sec-b'))
$$;

-- Before: the answers with nothing planted ------------------------------------------------

SELECT json_object_agg(k, pg_temp.outcome(:'owner_a', sql)) AS before_reads FROM reads \gset
SAVEPOINT before;
SELECT json_object_agg(k, pg_temp.outcome(who, sql) ORDER BY ord) AS before_writes FROM writes \gset
SELECT pg_temp.state_of_a() AS before_state \gset
ROLLBACK TO SAVEPOINT before;

-- The attacker plants ------------------------------------------------------------------

CREATE TEMP TABLE plants (ord serial, sql text);
INSERT INTO plants (sql) VALUES
    ($$CREATE SCHEMA evil$$),
    ($$CREATE FUNCTION evil.evil_sum(cents, cents) RETURNS cents LANGUAGE sql AS 'SELECT ''999999.99''::cents'$$),
    ($$CREATE AGGREGATE evil.sum(cents) (sfunc = evil.evil_sum, stype = cents)$$),
    ($$CREATE AGGREGATE public.count(*) (sfunc = pg_catalog.int8inc, stype = int8, initcond = '1000')$$),
    ($$CREATE FUNCTION public.evil_eq(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true'$$),
    ($$CREATE OPERATOR public.= (leftarg = text, rightarg = text, function = public.evil_eq)$$),
    ($$CREATE OPERATOR public.~~* (leftarg = text, rightarg = text, function = public.evil_eq)$$),
    ($$CREATE FUNCTION evil.evil_cents_eq(cents, cents) RETURNS boolean LANGUAGE sql AS 'SELECT true'$$),
    ($$CREATE OPERATOR evil.= (leftarg = cents, rightarg = cents, function = evil.evil_cents_eq)$$),
    ($$CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE sql AS 'SELECT ''unpaid'''$$),
    ($$CREATE FUNCTION public.btrim(text) RETURNS text LANGUAGE sql AS 'SELECT ''unpaid'''$$),
    ($$CREATE FUNCTION public.replace(text, text, text) RETURNS text LANGUAGE sql AS 'SELECT ''%'''$$),
    ($$CREATE FUNCTION public.left(text, integer) RETURNS text LANGUAGE sql AS 'SELECT ''{"hijacked": true'''$$),
    ($$CREATE FUNCTION public.to_char(timestamp, text) RETURNS text LANGUAGE sql AS 'SELECT ''HIJACKED'''$$),
    ($$CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE sql AS 'SELECT ''2000-01-01''::timestamptz'$$),
    ($$CREATE FUNCTION public.member_orgs() RETURNS text[] LANGUAGE sql AS 'SELECT ''{sec-a,sec-b}''::text[]'$$),
    ($$CREATE FUNCTION public.acting_role() RETURNS name LANGUAGE sql AS 'SELECT ''postgres''::name'$$),
    ($$CREATE FUNCTION public.invoice_org_id(text) RETURNS text LANGUAGE sql AS 'SELECT ''sec-b'''$$),
    ($$CREATE VIEW public.invoices AS SELECT 'sec-b'::text AS org_id, 'sb-open'::text AS id$$),
    ($$CREATE TEMP TABLE invoices (org_id text, id text, status text)$$),
    ($$INSERT INTO pg_temp.invoices VALUES ('sec-b', 'sb-open', 'pending')$$),
    ($$CREATE TEMP TABLE members (org_id text, member name, role text)$$),
    (format($$INSERT INTO pg_temp.members VALUES ('sec-b', %L, 'owner')$$, :'owner_a')),
    ($$CREATE TEMP TABLE line_items (org_id text, invoice_id text, description text, amount numeric)$$),
    ($$INSERT INTO pg_temp.line_items VALUES ('sec-b', 'sb-open', 'planted', 1)$$),
    -- others in the session may use them (the administrator, below)
    ($$GRANT SELECT ON pg_temp.invoices, pg_temp.members, pg_temp.line_items TO PUBLIC$$);
SELECT is(pg_temp.outcome(:'owner_a', sql), 'done', format('the attacker plants: %s', left(sql, 60)))
  FROM plants ORDER BY ord;
SELECT is(pg_temp.outcome(:'owner_a', $$CREATE OR REPLACE AGGREGATE public.sum(cents) (sfunc = evil.evil_sum, stype = cents)$$),
          'ERROR 42501: must be owner of function sum',
          'the attacker cannot replace the cents extension''s sum(cents) in public');

-- After: the same, with the attacker's search_path ------------------------------------------

SET LOCAL search_path = pg_temp, evil, public, pg_catalog, invoice;
-- (the harness below uses neither = nor any function planted)
SELECT json_build_object(
    'text =', pg_temp.outcome(:'owner_a', $$SELECT ('x' = 'y')::text$$),
    'cents =', pg_temp.outcome(:'owner_a', $$SELECT ('1.00'::cents = '2.00'::cents)::text$$),
    'ILIKE', pg_temp.outcome(:'owner_a', $$SELECT ('abc' ILIKE 'zzz')::text$$),
    'sum', pg_temp.outcome(:'owner_a', $$SELECT sum(v)::text FROM (VALUES ('1.00'::cents)) t(v)$$),
    'count', pg_temp.outcome(:'owner_a', $$SELECT count(*)::text FROM (VALUES (1)) t(v)$$),
    'lower', pg_temp.outcome(:'owner_a', $$SELECT lower('PAID')$$),
    'now', pg_temp.outcome(:'owner_a', $$SELECT now()::date::text$$),
    'member_orgs', pg_temp.outcome(:'owner_a', $$SELECT member_orgs()::text$$),
    'invoices', pg_temp.outcome(:'owner_a', $$SELECT string_agg(org_id || '/' || id, ' ') FROM invoices$$),
    'members', pg_temp.outcome(:'owner_a', $$SELECT string_agg(org_id || ':' || role, ' ') FROM members$$)) AS live \gset
SELECT json_object_agg(k, pg_temp.outcome(:'owner_a', sql)) AS after_reads FROM reads \gset
SELECT json_object_agg(k, pg_temp.outcome(who, sql) ORDER BY ord) AS after_writes FROM writes \gset
RESET search_path;
SET LOCAL search_path = pg_catalog, public;

SELECT is(:'live'::json->>k, v, format('the hijack works on the attacker''s own queries: %s gives %s', k, v))
  FROM (VALUES ('text =', 'true'), ('cents =', 'true'), ('ILIKE', 'true'), ('sum', '999999.99'), ('count', '1001'),
               ('lower', 'unpaid'), ('now', '2000-01-01'), ('member_orgs', '{sec-a,sec-b}'),
               ('invoices', 'sec-b/sb-open'), ('members', 'sec-b:owner')) t(k, v);

SELECT is(:'after_reads'::json->>k, :'before_reads'::json->>k, format('hijack attempted, %s: unchanged', k))
  FROM reads ORDER BY ord;
SELECT is(:'after_writes'::json->>k, :'before_writes'::json->>k,
          format('hijack attempted, %s: unchanged (%s)', k, left(:'before_writes'::json->>k, 60)))
  FROM writes ORDER BY ord;
SELECT is(pg_temp.state_of_a(), :'before_state', 'hijack attempted: the invoices, history, payments, receipts, lines and notes end up exactly as without it');
-- not vacuous: the answers compared are answers
SELECT ok((:'before_reads'::json->>'invoice_list') LIKE '{"code" : 0, "data" : {"count" : 12,%', 'control: the list compared lists sec-a''s 12 invoices');
SELECT ok((:'before_writes'::json->>'owner_a pays sec-b''s invoice') = 'ERROR P0002: invoice "sb-open" does not exist'
          AND (:'before_writes'::json->>'owner_a issues (not allowed)') LIKE 'ERROR 42501:%'
          AND (:'before_writes'::json->>'owner_a overpays') LIKE 'ERROR IV003:%',
          'control: the refusals compared are refusals (P0002, 42501, IV003)');

SELECT * FROM finish();
ROLLBACK;
