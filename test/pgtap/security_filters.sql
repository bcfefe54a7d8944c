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
\ir include/begin.sql
SET search_path = public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(217);
\ir include/security_fixture.sql

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
