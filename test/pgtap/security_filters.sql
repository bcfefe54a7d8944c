-- Security (issue 6): crafted filters find nothing of another organisation.
--
-- As sec-a's owner: search strings with %, _, quotes, backslashes, SQL
-- fragments, regular-expression characters, blanks, very long strings go
-- through invoice_list, invoice_csv and api_get.  Each answer must be sec-a's
-- invoices only, exactly those that contain the string literally (counted
-- here with strpos, independently of the ILIKE the API uses), and no error;
-- the same search on sec-b finds nothing.  Crafted organisation ids,
-- statuses, invoice ids and api_get parameters: nothing found, or a
-- documented error (22P02 for a status, 40000 for a malformed parameter).
\set ON_ERROR_STOP 1
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS invoice CASCADE;
SET search_path = public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(217);

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

-- Descriptions with the characters the searches use, in both organisations:
-- B's are what a leaking search would find.
\o /dev/null
SELECT pg_temp.invoice('sec-a', 'sa-pct', 'alpha 100% off_sale');
SELECT pg_temp.invoice('sec-a', 'sa-quote', 'alpha O''Brien "quoted" \ back\slash');
SELECT pg_temp.invoice('sec-a', 'sa-long', 'alpha ' || repeat('x', 2000));
SELECT pg_temp.invoice('sec-b', 'sb-pct', 'bravo 100% secret_b');
SELECT pg_temp.invoice('sec-b', 'sb-quote', 'bravo O''Neil "secret" \ back\slash');
SELECT pg_temp.invoice('sec-b', 'sb-drop', 'bravo ''); DROP TABLE invoice.invoices; --');
UPDATE invoice.line_items SET description = 'bravo line %_\ secret' WHERE org_id = 'sec-b' AND invoice_id = 'sb-draft';
\o

CREATE TEMP TABLE searches (ord serial, s text);
INSERT INTO searches (s) VALUES
    ('%'), ('_'), ('%%'), ('__'), ('%_%'), (E'\\'), (E'\\\\'), (E'\\%'), (E'\\_'), ('100%'), ('100\%'),
    ('off_sale'), ('off%sale'), (''''), (''''''), ('"'), ('O''Brien'), ('O''Neil'),
    ('''); DROP TABLE invoice.invoices; --'), ('%'' OR ''1''=''1'), (''' OR org_id = ''sec-b'),
    ('secret'), ('bravo'), ('sec-b'), ('sb-'), ('.*'), ('[a-z]'), ('(?i)A'), ('^alpha'),
    ('  alpha  '), ('ALPHA'), (' '), (''), (E'\t'), ('é ✓ 日本'), (repeat('%', 10000)), (repeat('_', 3000)),
    (repeat('x', 2000)), (repeat('x', 100000));

-- pg_temp.expected(org, search): the ids of the org's invoices that contain the
-- trimmed search string literally (case-insensitive) in number, description or a
-- line's description; all of them for a blank search — by strpos, not LIKE
CREATE FUNCTION pg_temp.expected(p_org text, p_search text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(i.id, ' ' ORDER BY i.id), '')
      FROM invoice.invoices i
     WHERE i.org_id = p_org
       AND (btrim(p_search) = ''
            OR strpos(lower(coalesce(i.number, '')), lower(btrim(p_search))) > 0
            OR strpos(lower(coalesce(i.description, '')), lower(btrim(p_search))) > 0
            OR EXISTS (SELECT FROM invoice.line_items l WHERE l.org_id = i.org_id AND l.invoice_id = i.id
                          AND strpos(lower(l.description), lower(btrim(p_search))) > 0))
$$;
-- pg_temp.list_ids(role, org, search): the ids and organisations invoice_list answers with (one page of 100)
CREATE FUNCTION pg_temp.list_ids(r name, p_org text, p_search text) RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.outcome(r, format(
        $q$SELECT coalesce(string_agg(x->>'id', ' ' ORDER BY x->>'id'), '') ||
                  CASE WHEN bool_and(x->>'orgId' = %1$L) IS NOT FALSE THEN '' ELSE ' AND OTHER ORGANISATIONS' END
             FROM (SELECT invoice.invoice_list(%1$L, 1, 100, search => %2$L) AS l) q
             LEFT JOIN LATERAL json_array_elements(q.l->'data'->'invoices') x ON true$q$, p_org, p_search))
$$;

SELECT ok(pg_temp.expected('sec-b', s) <> '', format('control: a search for %L would find invoices of sec-b', left(s, 40)))
  FROM searches WHERE s IN ('%', '_', '100%', E'\\', '''', '"', 'secret', 'bravo', '''); DROP TABLE invoice.invoices; --');

SELECT is(pg_temp.list_ids(:'owner_a', 'sec-a', s), pg_temp.expected('sec-a', s),
          format('owner_a searches sec-a for %L: exactly the sec-a invoices containing it', left(s, 40)))
  FROM searches ORDER BY ord;
SELECT is(pg_temp.list_ids(:'owner_a', 'sec-b', s), '',
          format('owner_a searches sec-b for %L: nothing', left(s, 40)))
  FROM searches ORDER BY ord;
SELECT is(pg_temp.outcome(:'owner_a', format($q$SELECT count(*)::text || CASE WHEN bool_and(org_id = 'sec-a') IS NOT FALSE THEN '' ELSE ' AND OTHER ORGANISATIONS' END
                                               FROM invoice.invoice_csv('sec-a', search => %L)$q$, s)),
          (SELECT count(*)::text FROM regexp_split_to_table(nullif(pg_temp.expected('sec-a', s), ''), ' ')),
          format('invoice_csv, search %L: the same invoices', left(s, 40)))
  FROM searches ORDER BY ord;
SELECT is(pg_temp.outcome(:'owner_a', format($q$SELECT invoice.api_get('/v2/invoices', json_build_object('orgId', 'sec-a', 'pageSize', 100, 'search', %L))::text$q$, s)),
          pg_temp.outcome(:'owner_a', format($q$SELECT invoice.invoice_list('sec-a', 1, 100, search => %L)::text$q$, s)),
          format('api_get, search %L: the same answer', left(s, 40)))
  FROM searches ORDER BY ord;

-- Crafted organisation ids: an id is compared, never matched as a pattern
CREATE TEMP TABLE org_ids (ord serial, o text);
INSERT INTO org_ids (o) VALUES ('%'), ('sec-_'), ('sec-%'), ('sec-b'' OR ''1''=''1'), ('sec-a'' OR org_id = ''sec-b'),
    (''' OR true --'), ('sec-b'), ('SEC-B'), (' sec-b'), ('sec-b '), (''), (repeat('b', 10000));
SELECT is(pg_temp.outcome(:'owner_a', format($q$SELECT (invoice.invoice_list(%L)->'data'->>'count') || ' ' ||
                                                       (invoice.invoice_summary(%1$L)->>'pendingCount') || ' ' ||
                                                       (invoice.billing_v3_invoices(%1$L)->'meta'->>'total') || ' ' ||
                                                       (SELECT count(*) FROM invoice.invoice_csv(%1$L))$q$, o)),
          '0 0 0 0', format('owner_a asks for organisation %L: list, summary, Billing v3 and CSV find nothing', left(o, 40)))
  FROM org_ids ORDER BY ord;
SELECT is(pg_temp.outcome(:'admin', format($q$SELECT (invoice.invoice_list(%L)->'data'->>'count') || ' ' ||
                                                     (invoice.billing_v3_invoices(%1$L)->'meta'->>'total')$q$, o)),
          CASE WHEN o = 'sec-b'
               THEN (SELECT count(*) || ' ' || count(*) FILTER (WHERE status IN ('pending', 'overdue', 'paid'))
                       FROM invoice.invoices WHERE org_id = 'sec-b')
               ELSE '0 0' END,
          format('… nor does the administrator, but by the exact id (%L)', left(o, 40)))
  FROM org_ids ORDER BY ord;

-- Crafted statuses: 22P02, documented
SELECT is(pg_temp.state(:'owner_a', format($q$SELECT invoice.invoice_list('sec-a', status => %L)::text$q$, st)), '22P02',
          format('status %L: 22P02', st))
  FROM unnest(ARRAY['paid'' OR ''1''=''1', 'paid; DROP TABLE invoice.invoices', '%', 'pending,paid']) st;
SELECT is(pg_temp.outcome(:'owner_a', $q$SELECT invoice.invoice_list('sec-a', status => ' PAID ')->'data'->>'count'$q$), '1',
          'status '' PAID '' is paid (trimmed, any case): sec-a''s one paid invoice');
SELECT is(pg_temp.outcome(:'owner_a', $q$SELECT invoice.api_get('/v2/invoices', '{"orgId": "sec-a", "status": "paid'' OR ''1''=''1"}')->>'code'$q$),
          '40000', 'api_get, a crafted status: 40000');

-- Crafted invoice ids: an id that does not exist, whatever it looks like
SELECT is(pg_temp.outcome(:'owner_a', format('SELECT invoice.invoice_describe(%L)::text', i)),
          format('ERROR P0002: invoice "%s" does not exist', i),
          format('invoice_describe(%L): P0002', left(i, 40)))
  FROM unnest(ARRAY['%', 'sb-%', 'sb-_pen', 'sb-open''', 'sb-open'' OR ''1''=''1', E'sb-open\\', ' sb-open', 'SB-OPEN', '']) i;
SELECT is(pg_temp.state(:'owner_a', format('SELECT invoice.billing_v3_invoice(%L)::text', i)), 'P0002',
          format('billing_v3_invoice(%L): P0002', left(i, 40)))
  FROM unnest(ARRAY['%', 'sb-%', 'sb-_pen', 'sb-open'' OR ''1''=''1']) i;
SELECT is(pg_temp.outcome(:'owner_a', format($q$SELECT invoice.api_get(%L)::text$q$, p)),
          format('{"code" : 40401, "message" : "invoice \"%s\" does not exist"}', substring(p FROM '^/v2/invoices/(.*)$')),
          format('api_get(%L): 40401', p))
  FROM unnest(ARRAY['/v2/invoices/sb-%', '/v2/invoices/%', '/v2/invoices/sb-_pen']) p;

-- Crafted api_get parameters: the organisation cannot be given twice, as a list, or smuggled in another key
SELECT is(pg_temp.outcome(:'owner_a', format($q$SELECT invoice.api_get('/v2/invoices', %L::json)::text$q$, p)), answer,
          format('api_get /v2/invoices %s: %s', p, answer))
  FROM (VALUES ('{"orgId": "sec-a", "orgId": "sec-b"}', '{"code" : 40000, "message" : "parameter \"orgId\" is given twice"}'),
               ('{"orgId": ["sec-a", "sec-b"]}', '{"code" : 40000, "message" : "parameter \"orgId\" must be a string or a number"}'),
               ('{"orgId": {"$ne": "x"}}', '{"code" : 40000, "message" : "parameter \"orgId\" must be a string or a number"}'),
               ('{"orgId": "sec-a", "customer_id": "sec-b"}', '{"code" : 40000, "message" : "unknown parameter \"customer_id\" for GET /v2/invoices"}'),
               ('{"orgId": "sec-b", "search": "%"}', '{"code" : 0, "data" : {"count" : 0, "currentPage" : 1, "pageSize" : 10, "invoices" : []}}')) v(p, answer);
SELECT is(pg_temp.outcome(:'owner_a', $q$SELECT invoice.api_get('/v2/invoices/sb-open', '{"orgId": "sec-b"}')::text$q$),
          '{"code" : 40401, "message" : "invoice \"sb-open\" does not exist"}',
          'api_get describe of B''s invoice scoped to B: 40401');

SELECT * FROM finish();
ROLLBACK;
