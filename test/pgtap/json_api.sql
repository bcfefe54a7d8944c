-- json_api: invoice_list, invoice_describe, invoice_summary, the CSV export,
-- the views and api_get.  The shapes (keys, their order, JSON types), UTC
-- timestamps under any TimeZone and DateStyle, every filter and its edges
-- (status names, half-open date ranges, literal search), paging, the
-- SQLSTATE of every refused argument, and api_get's error codes.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';

SELECT plan(180);

-- Catalog -----------------------------------------------------------------------

SELECT has_function('invoice', 'invoice_list', ARRAY['text', 'integer', 'integer', 'text', 'timestamp with time zone',
                                                     'timestamp with time zone', 'text'], 'invoice_list exists');
SELECT has_function('invoice', 'invoice_describe', ARRAY['text'], 'invoice_describe(text) exists');
SELECT has_function('invoice', 'invoice_summary', ARRAY['text'], 'invoice_summary(text) exists');
SELECT has_function('invoice', 'invoice_csv', ARRAY['text', 'text', 'timestamp with time zone',
                                                    'timestamp with time zone', 'text'], 'invoice_csv exists');
SELECT has_function('invoice', 'api_get', ARRAY['text', 'json'], 'api_get(text, json) exists');
SELECT is((SELECT array_agg(format('%s %s %s %s', p.proname, p.prorettype::regtype, p.provolatile, p.proparallel)
                            ORDER BY p.proname)
             FROM pg_proc p
            WHERE p.pronamespace = 'invoice'::regnamespace
              AND p.proname IN ('invoice_list', 'invoice_describe', 'invoice_summary', 'api_get')),
          ARRAY['api_get json s u', 'invoice_describe json s s', 'invoice_list json s s', 'invoice_summary json s s'],
          'the API functions return json (key order kept), are STABLE, parallel safe but for api_get (its exception block)');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname)
             FROM pg_proc p
            WHERE p.pronamespace = 'invoice'::regnamespace
              AND p.proname IN ('json_time', 'status_label', 'status_filter', 'search_term', 'text_icontains',
                                'invoice_list_item',
                                'invoice_list', 'invoice_describe_data', 'invoice_describe',
                                'invoice_summary', 'invoice_csv', 'api_get')
              AND (p.provolatile = 'v' OR obj_description(p.oid, 'pg_proc') IS NULL)),
          NULL, 'every JSON API function has a comment and none is VOLATILE');
SELECT is((SELECT count(*)::int FROM pg_class c
            WHERE c.relnamespace = 'invoice'::regnamespace
              AND c.relname IN ('invoice_list_json', 'invoice_describe_json', 'invoice_csv', 'invoices_list_idx')
              AND obj_description(c.oid, 'pg_class') IS NOT NULL),
          4, 'the views and the index have comments');
SELECT columns_are('invoice', 'invoice_list_json', ARRAY['org_id', 'id', 'status', 'invoice_date', 'doc'],
                   'invoice_list_json: org_id, id, status, invoice_date, doc');
SELECT columns_are('invoice', 'invoice_describe_json', ARRAY['org_id', 'id', 'status', 'invoice_date', 'doc'],
                   'invoice_describe_json: org_id, id, status, invoice_date, doc');
SELECT col_type_is('invoice', 'invoice_list_json', 'doc', 'jsonb', 'invoice_list_json.doc is jsonb');
SELECT col_type_is('invoice', 'invoice_describe_json', 'doc', 'jsonb', 'invoice_describe_json.doc is jsonb');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
            WHERE c.relnamespace = 'invoice'::regnamespace
              AND c.relname IN ('invoice_list_json', 'invoice_describe_json', 'invoice_csv')
              AND c.reloptions @> '{security_invoker=true}'),
          '{invoice_csv,invoice_describe_json,invoice_list_json}',
          'the views run with the caller''s privileges (security_invoker)');

-- Helpers -----------------------------------------------------------------------

-- pg_temp.refused(sql, sqlstate, message, description): the statement fails
-- with that SQLSTATE (and message, unless NULL); it is always rolled back.
\ir include/refused.sql

-- pg_temp.ids(list answer): the invoice ids on the page, in order
CREATE FUNCTION pg_temp.ids(d json) RETURNS text[] LANGUAGE sql IMMUTABLE
    RETURN ARRAY(SELECT i->>'id' FROM json_array_elements(d->'data'->'invoices') WITH ORDINALITY x(i, n) ORDER BY n);
-- pg_temp.found(list arguments…): the ids on a page of size 100 of org ja-org
CREATE FUNCTION pg_temp.found(p_status text DEFAULT NULL, p_from timestamptz DEFAULT NULL,
                              p_to timestamptz DEFAULT NULL, p_search text DEFAULT NULL) RETURNS text[]
    LANGUAGE sql STABLE
    RETURN pg_temp.ids(invoice.invoice_list('ja-org', 1, 100, p_status, p_from, p_to, p_search));
-- pg_temp.keys(json object): its keys, in order
CREATE FUNCTION pg_temp.keys(j json) RETURNS text[] LANGUAGE sql IMMUTABLE
    RETURN ARRAY(SELECT k FROM json_object_keys(j) WITH ORDINALITY x(k, n) ORDER BY n);

-- Fixtures ----------------------------------------------------------------------
--
-- ja-org: ja-1 … ja-8, invoiced on the 1st of 2024-02 … 2024-09 (ja-8 a draft
-- without dates), with line items whose descriptions hold %, _ and \.
-- Statuses: ja-1 overdue, ja-2 paid, ja-3 cancelled, ja-4 partly paid,
-- ja-5, ja-6, ja-7 pending, ja-8 draft.  ja-6 and ja-7 share an invoice date.

INSERT INTO invoice.orgs (org_id, name) VALUES ('ja-org', 'JSON API org'), ('ja-org2', 'Second org'),
                                               ('ja-org3', 'Third org'), ('ja-empty', 'No invoices');
INSERT INTO invoice.invoices (org_id, id, series, description, period_start, period_end, invoice_date, due_date,
                              currency, tax_rate)
SELECT 'ja-org', 'ja-' || m, 'JA', CASE m WHEN 5 THEN 'Quarterly 100% uptime credit' ELSE format('Month %s', m) END,
       make_timestamptz(2024, m, 1, 0, 0, 0, 'UTC'), make_timestamptz(2024, m + 1, 1, 0, 0, 0, 'UTC'),
       d, d + interval '30 days', 'USD', 18
  FROM generate_series(1, 8) m,
       LATERAL (SELECT CASE WHEN m = 8 THEN NULL
                            WHEN m = 7 THEN make_timestamptz(2024, 7, 1, 0, 0, 0, 'UTC')
                            ELSE make_timestamptz(2024, m + 1, 1, 0, 0, 0, 'UTC') END AS d) x;
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, product_name, region)
SELECT 'ja-org', 'ja-' || m, l.d, m, 10, 'Compute', 'ap-south-1'
  FROM generate_series(1, 8) m,
       LATERAL (VALUES ('Compute hours'),
                       (CASE m WHEN 2 THEN 'Snapshot_storage' WHEN 3 THEN 'Path C:\data\backup'
                               WHEN 4 THEN 'Discount 50% promo' WHEN 6 THEN 'Snapshot storage' ELSE 'Object storage' END)) l(d);
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('ja-org', 'ja-2', '5.00', 'JA5');
SELECT FROM invoice.invoices i, invoice.invoice_issue(i.id) WHERE i.org_id = 'ja-org' AND i.id <> 'ja-8';
SELECT FROM invoice.invoice_sweep_overdue('2024-03-15 00:00 UTC');
SELECT FROM invoice.invoice_pay('ja-2', (SELECT amount_due FROM invoice.invoices WHERE id = 'ja-2'), 'card', 'ja-ref-2');
SELECT FROM invoice.invoice_cancel('ja-3', 'duplicate');
SELECT FROM invoice.invoice_pay('ja-4', '10.00', 'upi', 'ja-ref-4');
-- the same invoice id in two organisations (keys are per organisation)
INSERT INTO invoice.invoices (org_id, id, period_start, period_end) VALUES
    ('ja-org2', 'ja-twin', '2023-01-01 UTC', '2023-02-01 UTC'), ('ja-org3', 'ja-twin', '2023-01-01 UTC', '2023-02-01 UTC');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end) VALUES ('ja-org2', 'ja-solo', '2023-01-01 UTC', '2023-02-01 UTC');
SELECT is((SELECT array_agg(id || ':' || status ORDER BY id) FROM invoice.invoices WHERE org_id = 'ja-org'),
          '{ja-1:overdue,ja-2:paid,ja-3:cancelled,ja-4:pending,ja-5:pending,ja-6:pending,ja-7:pending,ja-8:draft}',
          'fixtures: invoices in every status');

-- The list shape -----------------------------------------------------------------

SELECT is(pg_temp.keys(invoice.invoice_list('ja-org')), '{code,data}', 'list: code, data');
SELECT is(pg_temp.keys(invoice.invoice_list('ja-org')->'data'), '{count,currentPage,pageSize,invoices}',
          'list data: count, currentPage, pageSize, invoices');
SELECT is(pg_temp.keys(invoice.invoice_list('ja-org')->'data'->'invoices'->0),
          '{id,orgId,periodStart,periodEnd,invoiceDate,dueDate,currency,status,usageAmount,creditsApplied,alreadyBilledAmount,subtotal,tax,total,advancePayAmount,amountDue}',
          'list item: the seed''s 16 keys in its order');
SELECT is((SELECT array_agg(DISTINCT json_typeof(e.value) || ':' || e.key ORDER BY json_typeof(e.value) || ':' || e.key)
             FROM json_array_elements(invoice.invoice_list('ja-org')->'data'->'invoices') i, json_each(i) e
            WHERE e.key NOT IN ('invoiceDate', 'dueDate')),
          '{number:advancePayAmount,number:alreadyBilledAmount,number:amountDue,number:creditsApplied,number:subtotal,number:tax,number:total,number:usageAmount,string:currency,string:id,string:orgId,string:periodEnd,string:periodStart,string:status}',
          'list item: amounts are JSON numbers, the rest strings');
SELECT is((SELECT array_agg(DISTINCT json_typeof(i->'invoiceDate')) FROM json_array_elements(invoice.invoice_list('ja-org')->'data'->'invoices') i),
          ARRAY['null', 'string'], 'list item: a draft''s missing dates are JSON null');
SELECT is((SELECT count(*)::int FROM json_array_elements(invoice.invoice_list('ja-org', 1, 100)->'data'->'invoices') i, json_each_text(i) e
            WHERE e.key IN ('usageAmount', 'creditsApplied', 'alreadyBilledAmount', 'subtotal', 'tax', 'total',
                            'advancePayAmount', 'amountDue') AND e.value !~ '^-?[0-9]+$'),
          0, 'list item: amounts are integer cents');
SELECT is(invoice.invoice_list('ja-org')->'data'->'invoices'->0->>'status', 'draft', 'the draft without an invoice date comes first');
SELECT is((SELECT i FROM json_array_elements(invoice.invoice_list('ja-org', 1, 100)->'data'->'invoices') i WHERE i->>'id' = 'ja-2')::jsonb,
          jsonb_build_object('id', 'ja-2', 'orgId', 'ja-org', 'periodStart', '2024-02-01T00:00:00Z',
                             'periodEnd', '2024-03-01T00:00:00Z', 'invoiceDate', '2024-03-01T00:00:00Z',
                             'dueDate', '2024-03-31T00:00:00Z', 'currency', 'USD', 'status', 'paid',
                             'usageAmount', 4000, 'creditsApplied', 500, 'alreadyBilledAmount', 4130, 'subtotal', 3500,
                             'tax', 630, 'total', 4130, 'advancePayAmount', 0, 'amountDue', 0),
          'list item: the values of a paid invoice with a credit');
SELECT is((SELECT array_agg(i->>'id' || ':' || (i->>'status')) FROM json_array_elements(invoice.invoice_list('ja-org', 1, 100)->'data'->'invoices') i),
          '{ja-8:draft,ja-6:unpaid,ja-7:unpaid,ja-5:unpaid,ja-4:unpaid,ja-3:cancelled,ja-2:paid,ja-1:overdue}',
          'status names: pending is "unpaid", the others their label; newest first, ties by id');
SELECT is((SELECT count(*)::int FROM invoice.invoices i
            WHERE i.org_id = 'ja-org'
              AND (SELECT x::text FROM json_array_elements(invoice.invoice_list('ja-org', 1, 100)->'data'->'invoices') x
                    WHERE x->>'id' = i.id) IS DISTINCT FROM invoice.invoice_list_item(i)::text),
          0, 'each list item is invoice_list_item of its row');

-- Time zones and date styles --------------------------------------------------------

CREATE TEMP TABLE ja_tz AS SELECT invoice.invoice_list('ja-org', 1, 100)::text AS utc_list,
                                  invoice.invoice_describe('ja-2')::text AS utc_describe;
SET LOCAL TimeZone = 'Asia/Kolkata';
SELECT is(invoice.invoice_list('ja-org', 1, 100)::text, (SELECT utc_list FROM ja_tz), 'list: the same text under Asia/Kolkata (+05:30)');
SET LOCAL TimeZone = 'America/St_Johns';
SELECT is(invoice.invoice_list('ja-org', 1, 100)::text, (SELECT utc_list FROM ja_tz), 'list: the same text under America/St_Johns (-03:30)');
SET LOCAL TimeZone = 'Pacific/Chatham';
SELECT is(invoice.invoice_list('ja-org', 1, 100)::text, (SELECT utc_list FROM ja_tz), 'list: the same text under Pacific/Chatham (+13:45)');
SELECT is(invoice.invoice_describe('ja-2')::text, (SELECT utc_describe FROM ja_tz), 'describe: the same text under Pacific/Chatham');
SET LOCAL TimeZone = 'Etc/GMT+12';
SET LOCAL DateStyle = 'SQL, DMY';
SELECT is(invoice.invoice_list('ja-org', 1, 100)::text, (SELECT utc_list FROM ja_tz), 'list: the same text under Etc/GMT+12 and DateStyle SQL, DMY');
SELECT is(invoice.invoice_describe('ja-2')::text, (SELECT utc_describe FROM ja_tz), 'describe: the same text under Etc/GMT+12 and DateStyle SQL, DMY');
SELECT is((SELECT array_agg(c.invoice_date ORDER BY c.id) FROM invoice.invoice_csv('ja-org', status => 'paid') c),
          '{2024-03-01T00:00:00Z}', 'CSV: timestamps in UTC too');
RESET DateStyle;
SET LOCAL TimeZone = 'UTC';
SELECT is(invoice.json_time('2024-06-01 12:34:56.999+05:30'), '2024-06-01T07:04:56Z', 'json_time: converted to UTC, seconds truncated');
SELECT is(ARRAY[invoice.json_time('infinity'), invoice.json_time('-infinity'), invoice.json_time(NULL)], '{NULL,NULL,NULL}',
          'json_time: NULL for infinite and NULL timestamps');
SELECT is(invoice.json_time('12024-02-01 UTC'), '12024-02-01T00:00:00Z', 'json_time: a five-digit year');

-- Paging ------------------------------------------------------------------------------

SELECT is(invoice.invoice_list('ja-org', 2, 3)->'data'->>'count', '8', 'count is every match, not the page length');
SELECT is(pg_temp.ids(invoice.invoice_list('ja-org', 2, 3)), '{ja-5,ja-4,ja-3}', 'page 2 of size 3');
SELECT is(pg_temp.ids(invoice.invoice_list('ja-org', 3, 3)), '{ja-2,ja-1}', 'the last page is short');
SELECT is(ARRAY[invoice.invoice_list('ja-org', 4, 3)->'data'->>'count', invoice.invoice_list('ja-org', 4, 3)->'data'->>'invoices',
                invoice.invoice_list('ja-org', 4, 3)->'data'->>'currentPage'],
          '{8,[],4}', 'a page beyond the end: no invoices, the count, the page asked for');
SELECT is(pg_temp.ids(invoice.invoice_list('ja-org', 2147483647, 100)), '{}', 'page 2147483647: empty, no overflow');
SELECT is((SELECT array_agg(x ORDER BY p, n) FROM generate_series(1, 8) p,
                  unnest(pg_temp.ids(invoice.invoice_list('ja-org', p, 1))) WITH ORDINALITY u(x, n)),
          pg_temp.found(), 'walking pages of one returns every invoice once, in the list''s order');
SELECT is(json_array_length(invoice.invoice_list('ja-org', 1, 100)->'data'->'invoices'), 8, 'page size 100 is allowed');
SELECT is(invoice.invoice_list('ja-org')->'data'->>'pageSize', '10', 'page size defaults to 10');
SELECT is(invoice.invoice_list('ja-org')->'data'->>'currentPage', '1', 'page defaults to 1');
SELECT pg_temp.refused($$SELECT invoice.invoice_list('ja-org', 0)$$, '22023', 'page must be at least 1, not 0', 'page 0: 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_list('ja-org', -1)$$, '22023', 'page must be at least 1, not -1', 'page -1: 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_list('ja-org', 1, 0)$$, '22023', 'page size must be between 1 and 100, not 0', 'page size 0: 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_list('ja-org', 1, 101)$$, '22023', 'page size must be between 1 and 100, not 101', 'page size 101: 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_list('ja-org', NULL)$$, '22004', 'page must not be null', 'page NULL: 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_list('ja-org', 1, NULL)$$, '22004', 'page size must not be null', 'page size NULL: 22004');

-- Organisation ----------------------------------------------------------------------------

SELECT pg_temp.refused($$SELECT invoice.invoice_list(NULL)$$, '22004', 'organisation id must not be null', 'list: NULL organisation: 22004');
SELECT is(invoice.invoice_list('ja-empty')::jsonb, '{"code": 0, "data": {"count": 0, "currentPage": 1, "pageSize": 10, "invoices": []}}',
          'an organisation without invoices: count 0, an empty array');
SELECT is(invoice.invoice_list('ja-nobody')::jsonb, invoice.invoice_list('ja-empty')::jsonb, 'an unknown organisation: the same, nothing revealed');
SELECT is(invoice.invoice_list('')->'data'->>'count', '0', 'an empty organisation id: none');
SELECT is(pg_temp.ids(invoice.invoice_list('ja-org2')), '{ja-solo,ja-twin}', 'another organisation''s list holds its own invoices only');

-- Status filter --------------------------------------------------------------------------

SELECT is(pg_temp.found('unpaid'), '{ja-6,ja-7,ja-5,ja-4}', 'status unpaid: the pending invoices');
SELECT is(pg_temp.found('pending'), pg_temp.found('unpaid'), 'status pending = unpaid');
SELECT is(pg_temp.found(' UnPaid '), pg_temp.found('unpaid'), 'status: any case, spaces around ignored');
SELECT is(ARRAY[pg_temp.found('draft'), pg_temp.found('overdue'), pg_temp.found('paid'), pg_temp.found('cancelled')],
          ARRAY[['ja-8'], ['ja-1'], ['ja-2'], ['ja-3']], 'status draft, overdue, paid, cancelled');
SELECT is(pg_temp.found(''), pg_temp.found(), 'status '''' filters nothing');
SELECT is(pg_temp.found(NULL), pg_temp.found(), 'status NULL filters nothing');
SELECT pg_temp.refused($$SELECT invoice.invoice_list('ja-org', status => 'late')$$, '22P02', 'status must be one of all, draft, pending, unpaid, overdue, paid, cancelled, not "late"',
                       'an unknown status: 22P02');
SELECT pg_temp.refused($$SELECT invoice.invoice_list('ja-org', status => 'paid,overdue')$$, '22P02', NULL, 'a list of statuses: 22P02');

-- Date filter -----------------------------------------------------------------------------

SELECT is(pg_temp.found(NULL, '2024-05-01 UTC', '2024-07-01 UTC'), '{ja-5,ja-4}',
          'dates: from inclusive (ja-4 is dated 2024-05-01), to exclusive (ja-6 and ja-7 are dated 2024-07-01)');
SELECT is(pg_temp.found(NULL, '2024-05-01 00:00:00.000001 UTC', '2024-07-01 00:00:00.000001 UTC'), '{ja-6,ja-7,ja-5}',
          'dates: a microsecond later, ja-4 is out and ja-6 and ja-7 are in');
SELECT is(pg_temp.found(NULL, '2024-07-01 UTC', NULL), '{ja-6,ja-7}', 'dates: from only; the undated draft is outside any range');
SELECT is(pg_temp.found(NULL, NULL, '2024-04-01 UTC'), '{ja-2,ja-1}', 'dates: to only');
SELECT is(pg_temp.found(NULL, '2024-05-01 05:30+05:30', '2024-05-01 05:30:01+05:30'), '{ja-4}',
          'dates: instants, whatever offset they are written with');
SELECT pg_temp.refused($$SELECT invoice.invoice_list('ja-org', date_from => '2024-06-01', date_to => '2024-05-01')$$,
                       '22023', 'date_to must be later than date_from', 'dates: a range that ends before it starts: 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_list('ja-org', date_from => '2024-06-01', date_to => '2024-06-01')$$,
                       '22023', 'date_to must be later than date_from', 'dates: an empty range: 22023');

-- Search -----------------------------------------------------------------------------------

SELECT is(pg_temp.found(p_search => 'snapshot'), '{ja-6,ja-2}', 'search: line item descriptions, any case');
SELECT is(pg_temp.found(p_search => 'MONTH 3'), '{ja-3}', 'search: the invoice description');
SELECT is(pg_temp.found(p_search => (SELECT number FROM invoice.invoices WHERE id = 'ja-6')), '{ja-6}', 'search: the invoice number');
SELECT is(pg_temp.found(p_search => 'ja/'), '{ja-6,ja-7,ja-5,ja-4,ja-3,ja-2,ja-1}', 'search: part of a number (JA/…), not the draft without one');
SELECT is(pg_temp.found(p_search => '50%'), '{ja-4}', 'search: % is literal ("50%" is not "50" followed by anything)');
SELECT is(pg_temp.found(p_search => '100%'), '{ja-5}', 'search: % in a description');
SELECT is(pg_temp.found(p_search => '%'), '{ja-5,ja-4}', 'search: "%" alone finds only texts with a %');
SELECT is(pg_temp.found(p_search => 'snapshot_'), '{ja-2}', 'search: _ is literal (not any character)');
SELECT is(pg_temp.found(p_search => '_'), '{ja-2}', 'search: "_" alone finds only texts with an _');
SELECT is(pg_temp.found(p_search => 'C:\data\'), '{ja-3}', 'search: \ is literal');
SELECT is(pg_temp.found(p_search => '\'), '{ja-3}', 'search: "\" alone');
SELECT is(pg_temp.found(p_search => '  snapshot  '), pg_temp.found(p_search => 'snapshot'), 'search: spaces around are ignored');
SELECT is(pg_temp.found(p_search => '   '), pg_temp.found(), 'search: blank filters nothing');
SELECT is(pg_temp.found(p_search => 'no such text'), '{}', 'search: no match, no invoices');
SELECT is(invoice.invoice_list('ja-org2', search => 'snapshot')->'data'->>'count', '0', 'search: another organisation''s lines are not searched');
SELECT is(pg_temp.found('unpaid', '2024-06-01 UTC', '2024-08-01 UTC', 'snapshot'), '{ja-6}', 'every filter at once');
SELECT is((invoice.invoice_list('ja-org', 1, 1, search => 'storage')->'data'->>'count')::int,
          (SELECT count(*)::int FROM invoice.invoices i
            WHERE i.org_id = 'ja-org'
              AND (i.number ILIKE '%storage%' OR i.description ILIKE '%storage%'
                   OR EXISTS (SELECT FROM invoice.line_items l
                               WHERE l.org_id = i.org_id AND l.invoice_id = i.id AND l.description ILIKE '%storage%'))),
          'search: count agrees with ILIKE over the number, the description and the lines');
SELECT is((SELECT array_agg(c.id) FROM invoice.invoice_csv('ja-org', search => 'storage') c),
          (SELECT array_agg(c.id ORDER BY i.invoice_date DESC, i.id)
             FROM invoice.invoice_csv c JOIN invoice.invoices i USING (org_id, id)
            WHERE c.org_id = 'ja-org'
              AND (i.number ILIKE '%storage%' OR i.description ILIKE '%storage%'
                   OR EXISTS (SELECT FROM invoice.line_items l
                               WHERE l.org_id = i.org_id AND l.invoice_id = i.id AND l.description ILIKE '%storage%'))),
          'search: the CSV export finds the same invoices, in the list''s order');
SELECT is((SELECT array_agg(c ORDER BY c.id) FROM invoice.invoice_csv('ja-org') c),
          (SELECT array_agg(c ORDER BY c.id) FROM invoice.invoice_csv c WHERE c.org_id = 'ja-org'),
          'the CSV export''s rows are the view invoice_csv''s, column for column');
SELECT is(ARRAY[invoice.search_term('  a%b_c\d  '), invoice.search_term(''), invoice.search_term('   '), invoice.search_term(NULL)],
          ARRAY['a%b_c\d', NULL, NULL, NULL], 'search_term: trimmed, taken as it is, NULL when blank');
-- text_icontains is ILIKE '%term%' with the term literal, in every collation:
-- ASCII folded through its table, other text through lower() (Turkish İ/ı,
-- final sigma, ß, title-case digraphs, text longer than the stack buffer).
CREATE TEMP TABLE icontains_cases AS
SELECT h, n, c
  FROM unnest(ARRAY['Compute hours', 'ÉCOLE Straße', 'Σίσυφος ΣΑΣ', 'İstanbul IŞIK', 'emoji 😀 ok', 'a%b_c\d',
                    'MiXeD CaSe ascii', 'ß', 'ǅ digraph', repeat('Long ASCII text ', 64) || 'NEEDLE',
                    repeat('ü', 300) || 'Needle']) h,
       unnest(ARRAY['compute', 'HOURS', 'école', 'STRASSE', 'straße', 'σίσυφος', 'σας', 'istanbul', 'i̇stanbul', 'ışık',
                    '😀', '%', '_', '\', 'b_c', 'mixed case', 'x', 'ǆ', 'Ǆ', 'needle', 'ÜNEEDLE']) n,
       (SELECT collname FROM pg_collation
         WHERE collname IN ('default', 'C', 'POSIX', 'C.utf8', 'und-x-icu', 'tr-TR-x-icu', 'el-GR-x-icu')) cs(c);
CREATE FUNCTION pg_temp.icontains_mismatches() RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
    r record;
    got boolean;
    want boolean;
    bad text[] := '{}';
BEGIN
    FOR r IN SELECT * FROM icontains_cases LOOP
        EXECUTE format('SELECT invoice.text_icontains($1 COLLATE %1$I, $2), $1 COLLATE %1$I ILIKE $3', r.c)
           INTO got, want
          USING r.h, r.n, '%' || replace(replace(replace(r.n, '\', '\\'), '%', '\%'), '_', '\_') || '%';
        IF got IS DISTINCT FROM want THEN
            bad := bad || format('%s / %s / %s: %s', left(r.h, 20), r.n, r.c, got);
        END IF;
    END LOOP;
    RETURN bad;
END $$;
SELECT is(pg_temp.icontains_mismatches(), '{}', 'text_icontains answers as ILIKE for every case and collation');
SELECT cmp_ok((SELECT count(*)::int FROM icontains_cases WHERE h COLLATE "default" ILIKE '%' || n || '%'), '>', 10,
              'text_icontains cases: some match');
SELECT cmp_ok((SELECT count(DISTINCT c)::int FROM icontains_cases), '>=', 3, 'text_icontains cases: at least three collations');
SELECT is(invoice.text_icontains('Compute hours', ''), true, 'text_icontains: the empty term is in everything');
SELECT is(ARRAY[invoice.text_icontains(NULL, 'x'), invoice.text_icontains('x', NULL)], '{NULL,NULL}',
          'text_icontains: NULL in, NULL out');
CREATE TEMP TABLE two_collations (a text COLLATE "C", b text COLLATE "POSIX");
INSERT INTO two_collations VALUES ('Compute', 'comp');
SELECT pg_temp.refused($$SELECT invoice.text_icontains(a, b) FROM two_collations$$, '42P22',
                       'could not determine which collation to use for text_icontains',
                       'text_icontains: texts of two implicit collations: 42P22');

-- Describe ----------------------------------------------------------------------------------

SELECT is(pg_temp.keys(invoice.invoice_describe('ja-2')), '{code,data}', 'describe: code, data');
SELECT is(pg_temp.keys(invoice.invoice_describe('ja-2')->'data'),
          '{id,orgId,periodStart,periodEnd,invoiceDate,dueDate,currency,status,usageAmount,creditsApplied,alreadyBilledAmount,subtotal,tax,total,advancePayAmount,amountDue,number,description,taxRate,issuedAt,paidAt,cancelledAt,statusReason,taxRounding,roundOff,lineItems,credits,payments,statusHistory,gst}',
          'describe: the 16 list keys first, then the richer ones, the GST breakdown last');
SELECT is((SELECT count(*)::int FROM invoice.invoices i
            WHERE i.org_id = 'ja-org'
              AND (SELECT json_object_agg(e.key, e.value ORDER BY e.n)::text
                     FROM json_each(invoice.invoice_describe(i.id)->'data') WITH ORDINALITY e(key, value, n)
                    WHERE e.n <= 16) <> (SELECT json_object_agg(e.key, e.value ORDER BY e.n)::text
                                           FROM json_each(invoice.invoice_list_item(i)) WITH ORDINALITY e(key, value, n))),
          0, 'describe: its first 16 keys are the list item, value for value');
SELECT is(pg_temp.keys(invoice.invoice_describe('ja-2')->'data'->'lineItems'->0),
          '{lineId,description,units,rate,amount,taxRate,productGroup,productLine,productName,region,usageType,creditCouponCode,resourceType,resourceName,usageStart,usageEnd,hsnSac,gstTreatment}',
          'describe: line item keys');
SELECT is((SELECT array_agg(l->>'description' || ' ' || (l->>'amount') || ' ' || (l->>'taxRate') ORDER BY n)
             FROM json_array_elements(invoice.invoice_describe('ja-2')->'data'->'lineItems') WITH ORDINALITY x(l, n)),
          '{"Compute hours 2000 18","Snapshot_storage 2000 18"}', 'describe: line items in order, amounts in cents, the tax rate that applies');
SELECT is((SELECT array_agg(c->>'code' || ' ' || (c->>'amount')) FROM json_array_elements(invoice.invoice_describe('ja-2')->'data'->'credits') c),
          '{"JA5 500"}', 'describe: credits');
SELECT is((SELECT array_agg(p->>'method' || ' ' || (p->>'amount') || ' ' || (p->>'providerRef'))
             FROM json_array_elements(invoice.invoice_describe('ja-4')->'data'->'payments') p),
          '{"upi 1000 ja-ref-4"}', 'describe: payments');
SELECT is((SELECT array_agg(coalesce(h->>'fromStatus', '-') || '>' || (h->>'toStatus') ORDER BY n)
             FROM json_array_elements(invoice.invoice_describe('ja-2')->'data'->'statusHistory') WITH ORDINALITY x(h, n)),
          '{-\>draft,draft\>unpaid,unpaid\>paid}', 'describe: status history, with the list''s status names');
SELECT is(ARRAY[invoice.invoice_describe('ja-3')->'data'->>'status', invoice.invoice_describe('ja-3')->'data'->>'statusReason',
                json_typeof(invoice.invoice_describe('ja-3')->'data'->'cancelledAt')],
          '{cancelled,duplicate,string}', 'describe: a cancelled invoice with its reason and time');
SELECT is(ARRAY[invoice.invoice_describe('ja-8')->'data'->>'number', invoice.invoice_describe('ja-8')->'data'->>'invoiceDate'],
          '{NULL,NULL}', 'describe: a draft has no number and no invoice date yet');
SELECT is(invoice.invoice_describe('ja-solo')->'data'->>'lineItems', '[]', 'describe: no line items is an empty array');
SELECT pg_temp.refused($$SELECT invoice.invoice_describe(NULL)$$, '22004', 'invoice id must not be null', 'describe: NULL: 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_describe('ja-none')$$, 'P0002', 'invoice "ja-none" does not exist', 'describe: unknown id: P0002');
SELECT pg_temp.refused($$SELECT invoice.invoice_describe('')$$, 'P0002', NULL, 'describe: empty id: P0002');
SELECT pg_temp.refused($$SELECT invoice.invoice_describe('ja-twin')$$, '21000', NULL, 'describe: an id two organisations use: 21000');

-- Views -----------------------------------------------------------------------------------------

SELECT is((SELECT count(*)::int FROM invoice.invoices i JOIN invoice.invoice_list_json v USING (org_id, id)
            WHERE v.doc IS DISTINCT FROM invoice.invoice_list_item(i)::jsonb OR v.status <> i.status
               OR v.invoice_date IS DISTINCT FROM i.invoice_date),
          0, 'invoice_list_json: one row per invoice, doc = its list item');
SELECT is((SELECT count(*)::int FROM invoice.invoice_list_json), (SELECT count(*)::int FROM invoice.invoices), 'invoice_list_json: every invoice');
SELECT is((SELECT doc FROM invoice.invoice_describe_json WHERE id = 'ja-2'), (invoice.invoice_describe('ja-2')->'data')::jsonb,
          'invoice_describe_json: doc = describe''s data');
SELECT is((SELECT count(*)::int FROM invoice.invoice_describe_json WHERE org_id = 'ja-org2'), 2,
          'invoice_describe_json: twins are two rows, one per organisation');

-- Summary ---------------------------------------------------------------------------------------

SELECT is(pg_temp.keys(invoice.invoice_summary('ja-org')),
          '{totalPaid,totalPending,totalOverdue,paidCount,pendingCount,overdueCount,currency,byCurrency}', 'summary: keys');
SELECT is(invoice.invoice_summary('ja-org')->>'totalPaid', (SELECT (total::bigint)::text FROM invoice.invoices WHERE id = 'ja-2'),
          'summary: totalPaid is the total of paid invoices');
SELECT is((invoice.invoice_summary('ja-org')->>'totalPending')::bigint,
          (SELECT sum(amount_due::bigint) FROM invoice.invoices WHERE org_id = 'ja-org' AND status = 'pending')::bigint,
          'summary: totalPending is the amount still due on pending invoices (partial payments off)');
SELECT is(invoice.invoice_summary('ja-org')->>'totalOverdue', (SELECT (amount_due::bigint)::text FROM invoice.invoices WHERE id = 'ja-1'),
          'summary: totalOverdue is the amount due on overdue invoices');
SELECT is(ARRAY[invoice.invoice_summary('ja-org')->>'paidCount', invoice.invoice_summary('ja-org')->>'pendingCount',
                invoice.invoice_summary('ja-org')->>'overdueCount', invoice.invoice_summary('ja-org')->>'currency'],
          '{1,4,1,USD}', 'summary: counts (drafts and cancelled left out), the currency');
SELECT is(invoice.invoice_summary('ja-empty')::jsonb,
          '{"totalPaid": 0, "totalPending": 0, "totalOverdue": 0, "paidCount": 0, "pendingCount": 0, "overdueCount": 0, "currency": null, "byCurrency": []}',
          'summary: an organisation without invoices: zeros');
SELECT is(invoice.invoice_summary('ja-nobody')::jsonb, invoice.invoice_summary('ja-empty')::jsonb, 'summary: an unknown organisation: the same');
SELECT pg_temp.refused($$SELECT invoice.invoice_summary(NULL)$$, '22004', 'organisation id must not be null', 'summary: NULL: 22004');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date, currency)
VALUES ('ja-org2', 'ja-inr', '2024-01-01 UTC', '2024-02-01 UTC', '2024-02-01 UTC', '2024-03-01 UTC', 'INR'),
       ('ja-org2', 'ja-usd', '2024-01-01 UTC', '2024-02-01 UTC', '2024-02-01 UTC', '2024-03-01 UTC', 'USD');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
VALUES ('ja-org2', 'ja-inr', 'support', '800.00'), ('ja-org2', 'ja-usd', 'support', '10.00');
SELECT FROM invoice.invoice_issue('ja-inr') a, invoice.invoice_issue('ja-usd') b;
SELECT is(invoice.invoice_summary('ja-org2')::jsonb,
          '{"totalPaid": null, "totalPending": null, "totalOverdue": null, "paidCount": 0, "pendingCount": 2, "overdueCount": 0, "currency": null,
            "byCurrency": [{"currency": "INR", "totalPaid": 0, "totalPending": 80000, "totalOverdue": 0, "paidCount": 0, "pendingCount": 1, "overdueCount": 0},
                           {"currency": "USD", "totalPaid": 0, "totalPending": 1000, "totalOverdue": 0, "paidCount": 0, "pendingCount": 1, "overdueCount": 0}]}',
          'summary: two currencies: no grand totals, one entry per currency');

-- CSV -----------------------------------------------------------------------------------------------

SELECT is((SELECT array_agg(c.id) FROM invoice.invoice_csv('ja-org') c), pg_temp.found(), 'CSV: the list''s invoices in its order');
SELECT is((SELECT array_agg(c.id) FROM invoice.invoice_csv('ja-org', 'unpaid', '2024-06-01', '2024-08-01', 'snapshot') c),
          pg_temp.found('unpaid', '2024-06-01', '2024-08-01', 'snapshot'), 'CSV: the list''s filters');
SELECT is((SELECT ARRAY[c.total::text, c.amount_due::text, c.status::text, c.number, c.period_start]
             FROM invoice.invoice_csv('ja-org') c WHERE c.id = 'ja-2'),
          ARRAY['41.30', '0.00', 'paid', (SELECT number FROM invoice.invoices WHERE id = 'ja-2'), '2024-02-01T00:00:00Z'],
          'CSV: amounts in major units with two decimals, the status label, UTC timestamps');
SELECT columns_are('invoice', 'invoice_csv',
                   ARRAY['org_id', 'id', 'number', 'description', 'status', 'period_start', 'period_end', 'invoice_date',
                         'due_date', 'paid_at', 'currency', 'tax_rate', 'usage_amount', 'credits_applied', 'subtotal', 'tax',
                         'total', 'already_billed_amount', 'advance_pay_amount', 'amount_due', 'round_off'],
                   'CSV: its columns');
SELECT col_type_is('invoice', 'invoice_csv', 'total', 'numeric', 'CSV: amounts are numeric');
SELECT pg_temp.refused($$SELECT * FROM invoice.invoice_csv(NULL)$$, '22004', NULL, 'CSV: NULL organisation: 22004');
SELECT pg_temp.refused($$SELECT * FROM invoice.invoice_csv('ja-org', 'late')$$, '22P02', NULL, 'CSV: unknown status: 22P02');

-- api_get -------------------------------------------------------------------------------------------

SELECT is(invoice.api_get('/v2/invoices', '{"orgId": "ja-org"}')::text, invoice.invoice_list('ja-org')::text, 'GET /v2/invoices');
SELECT is(invoice.api_get('/v2/invoices/', '{"orgId": "ja-org"}')::text, invoice.invoice_list('ja-org')::text, 'a trailing slash is ignored');
SELECT is(invoice.api_get('/v2/invoices', '{"orgId": "ja-org", "currentPage": "2", "pageSize": 3, "status": "unpaid",
                                             "dateFrom": "2024-05-01", "dateTo": "2024-08-01T00:00:00Z", "search": "storage"}')::text,
          invoice.invoice_list('ja-org', 2, 3, 'unpaid', '2024-05-01 UTC', '2024-08-01 UTC', 'storage')::text,
          'GET /v2/invoices with every parameter, as strings or numbers');
SET LOCAL TimeZone = 'Asia/Kolkata';
SELECT is(invoice.api_get('/v2/invoices', '{"orgId": "ja-org", "dateFrom": "2024-05-01", "dateTo": "2024-05-02"}')->'data'->>'count', '1',
          'dates without an offset are UTC whatever the session''s time zone');
SELECT is(invoice.api_get('/v2/invoices', '{"orgId": "ja-org", "dateFrom": "2024-05-01T05:30:00+05:30", "dateTo": "2024-05-01T05:30:01+0530"}')->'data'->>'count', '1',
          'timestamps with an offset keep it');
SET LOCAL TimeZone = 'UTC';
SELECT is(invoice.api_get('/v2/invoices', '{"orgId": "ja-org", "currentPage": null, "search": null}')::text, invoice.invoice_list('ja-org')::text,
          'a JSON null is an absent parameter');
SELECT is(invoice.api_get('/v2/invoices/ja-2', '{}')::text, invoice.invoice_describe('ja-2')::text, 'GET /v2/invoices/{INVOICE_ID}');
SELECT is(invoice.api_get('/v2/invoices/ja-2', NULL)::text, invoice.invoice_describe('ja-2')::text, 'params NULL is {}');
SELECT is(invoice.api_get('/v2/invoices/ja-2', '{"orgId": "ja-org"}')::text, invoice.invoice_describe('ja-2')::text,
          'describe within its organisation');
SELECT is(invoice.api_get('/v2/invoice-summary', '{"orgId": "ja-org"}')::text,
          json_build_object('code', 0, 'data', invoice.invoice_summary('ja-org'))::text, 'GET /v2/invoice-summary');
SELECT is(invoice.api_get('/billing/v3/invoices', '{"customer_id": "ja-org", "limit": "2"}')::text,
          invoice.billing_v3_invoices('ja-org', NULL, NULL, 2)::text, 'GET /billing/v3/invoices');
SELECT is(invoice.api_get('/billing/v3/invoices', '{"customer_id": "ja-org", "billing_start_date": "2024-03-01", "billing_end_date": "2024-06-01"}')::text,
          invoice.billing_v3_invoices('ja-org', '2024-03-01 UTC', '2024-06-01 UTC')::text, 'GET /billing/v3/invoices with dates');
SELECT is(invoice.api_get('/billing/v3/invoices', json_build_object('customer_id', 'ja-org', 'limit', 2,
              'cursor', invoice.billing_v3_invoices('ja-org', NULL, NULL, 2)->'meta'->>'next_cursor'))::text,
          invoice.billing_v3_invoices('ja-org', NULL, NULL, 2, invoice.billing_v3_invoices('ja-org', NULL, NULL, 2)->'meta'->>'next_cursor')::text,
          'GET /billing/v3/invoices with a cursor');
SELECT is(invoice.api_get('/billing/v3/invoices/ja-2', '{}')::text, invoice.billing_v3_invoice('ja-2')::text, 'GET /billing/v3/invoices/{invoice_id}');
SELECT is(invoice.api_get('/billing/v3/invoices/ja-2', '{"customer_id": "ja-org"}')::text, invoice.billing_v3_invoice('ja-2')::text,
          'v3 get within its customer');

-- pg_temp.answer(path, params): api_get's error as code: message, or 'ok'
CREATE FUNCTION pg_temp.answer(p_path text, p_params json) RETURNS text LANGUAGE sql STABLE
    RETURN (SELECT CASE WHEN a->>'code' IS NULL OR a->>'code' = '0' THEN 'ok' ELSE (a->>'code') || ': ' || (a->>'message') END
              FROM invoice.api_get(p_path, p_params) a);

SELECT is(pg_temp.answer('/v2/invoices', '{}'), '40001: parameter "orgId" is required', 'list without orgId: 40001');
SELECT is(pg_temp.answer('/v2/invoice-summary', '{"orgId": null}'), '40001: parameter "orgId" is required', 'summary with orgId null: 40001');
SELECT is(pg_temp.answer('/billing/v3/invoices', '{}'), '40001: parameter "customer_id" is required', 'v3 list without customer_id: 40001');
SELECT is(pg_temp.answer('/v2/invoices', '{"orgId": "ja-org", "currentPage": 0}'), '40000: page must be at least 1, not 0', 'currentPage 0: 40000');
SELECT is(pg_temp.answer('/v2/invoices', '{"orgId": "ja-org", "pageSize": 101}'), '40000: page size must be between 1 and 100, not 101', 'pageSize 101: 40000');
SELECT is(pg_temp.answer('/v2/invoices', '{"orgId": "ja-org", "pageSize": "ten"}'), '40000: parameter "pageSize" must be an integer, not "ten"', 'pageSize "ten": 40000');
SELECT is(pg_temp.answer('/v2/invoices', '{"orgId": "ja-org", "pageSize": 2.5}'), '40000: parameter "pageSize" must be an integer, not "2.5"', 'pageSize 2.5: 40000');
SELECT is(pg_temp.answer('/v2/invoices', '{"orgId": "ja-org", "currentPage": "99999999999"}'),
          '40000: parameter "currentPage": value "99999999999" is out of range for type integer', 'currentPage beyond integer: 40000');
SELECT is(pg_temp.answer('/v2/invoices', '{"orgId": "ja-org", "status": "late"}'), '40000: status must be one of all, draft, pending, unpaid, overdue, paid, cancelled, not "late"', 'unknown status: 40000, naming the valid values');
SELECT is(invoice.api_get('/v2/invoices', '{"orgId": "ja-org", "status": "All"}')::jsonb -> 'data' -> 'count',
          invoice.api_get('/v2/invoices', '{"orgId": "ja-org"}')::jsonb -> 'data' -> 'count',
          'status "all" (any case): every invoice, as seed 003''s "All invoices"');
SELECT is(pg_temp.answer('/v2/invoices', '{"orgId": "ja-org", "dateFrom": "yesterday"}'),
          '40000: parameter "dateFrom" must be an ISO 8601 date or timestamp, not "yesterday"', 'dateFrom not ISO 8601: 40000');
SELECT is(pg_temp.answer('/v2/invoices', '{"orgId": "ja-org", "dateTo": "2024-02-30"}'),
          '40000: parameter "dateTo": date/time field value out of range: "2024-02-30"', 'dateTo 2024-02-30: 40000');
SELECT is(pg_temp.answer('/v2/invoices', '{"orgId": "ja-org", "dateFrom": "2024-06-01", "dateTo": "2024-05-01"}'),
          '40000: date_to must be later than date_from', 'an inverted date range: 40000');
SELECT is(pg_temp.answer('/v2/invoices', '{"orgId": "ja-org", "page": 2}'), '40000: unknown parameter "page" for GET /v2/invoices', 'an unknown parameter: 40000');
SELECT is(pg_temp.answer('/v2/invoices', '{"orgId": "ja-org", "orgId": "ja-org2"}'), '40000: parameter "orgId" is given twice', 'a parameter twice: 40000');
SELECT is(pg_temp.answer('/v2/invoices', '{"orgId": ["ja-org"]}'), '40000: parameter "orgId" must be a string or a number', 'an array value: 40000');
SELECT is(pg_temp.answer('/v2/invoices', '{"orgId": "ja-org", "search": true}'), '40000: parameter "search" must be a string or a number', 'a boolean value: 40000');
SELECT is(pg_temp.answer('/v2/invoices', '[]'), '40000: params must be a JSON object', 'params an array: 40000');
SELECT is(pg_temp.answer('/v2/invoices', '"orgId=ja-org"'), '40000: params must be a JSON object', 'params a string: 40000');
SELECT is(pg_temp.answer('/billing/v3/invoices', '{"customer_id": "ja-org", "limit": 201}'), '40000: limit must be between 1 and 200, not 201', 'v3 limit 201: 40000');
SELECT is(pg_temp.answer('/billing/v3/invoices', '{"customer_id": "ja-org", "cursor": "garbage"}'), '40000: invalid cursor', 'v3 bad cursor: 40000');
SELECT is(pg_temp.answer('/v2/invoices/ja-none', '{}'), '40401: invoice "ja-none" does not exist', 'unknown invoice: 40401');
SELECT is(pg_temp.answer('/v2/invoices/ja-2', '{"orgId": "ja-org2"}'), '40401: invoice "ja-2" does not exist',
          'an invoice of another organisation: 40401, as if unknown');
SELECT is(pg_temp.answer('/billing/v3/invoices/ja-none', '{}'), '40401: invoice "ja-none" not found', 'v3 unknown invoice: 40401');
SELECT is(pg_temp.answer('/billing/v3/invoices/ja-2', '{"customer_id": "ja-org2"}'), '40401: invoice "ja-2" not found', 'v3 another customer''s invoice: 40401');
SELECT is(pg_temp.answer('/billing/v3/invoices/ja-8', '{}'), '40401: invoice "ja-8" not found', 'v3 a draft: 40401');
SELECT is(pg_temp.answer('/v2/invoices/ja-twin', '{}'), '40900: invoice id "ja-twin" is used by more than one organisation', 'an id two organisations use: 40900');
SELECT is(pg_temp.answer('/v2/invoices/ja-2', '{"status": "paid"}'), '40000: unknown parameter "status" for GET /v2/invoices/{id}', 'describe takes no filter: 40000');
SELECT is(pg_temp.answer('/v2/invoices/ja-2/lines', '{}'), '40400: unknown path "/v2/invoices/ja-2/lines"', 'an unknown sub-path: 40400');
SELECT is(pg_temp.answer('/v2/invoices?orgId=ja-org', '{}'), '40400: unknown path "/v2/invoices?orgId=ja-org": pass query parameters in params', 'a query string in the path: 40400');
SELECT is(pg_temp.answer('/V2/INVOICES', '{}'), '40400: unknown path "/V2/INVOICES"', 'paths are case-sensitive: 40400');
SELECT is(pg_temp.answer(NULL, '{}'), '40400: unknown path ""', 'a NULL path: 40400');
SELECT is(pg_temp.answer('', NULL), '40400: unknown path ""', 'an empty path: 40400');
CREATE ROLE ja_outsider NOLOGIN;
GRANT USAGE ON SCHEMA invoice TO ja_outsider;
SET LOCAL ROLE ja_outsider;
SELECT is(pg_temp.answer('/v2/invoices', '{"orgId": "ja-org"}'), '40300: permission denied for table invoices', 'no privilege on the tables: 40300');
RESET ROLE;
SELECT is(current_setting('TimeZone'), 'UTC', 'api_get leaves the session''s settings alone');

SELECT * FROM finish();
ROLLBACK;
