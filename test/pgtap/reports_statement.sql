-- Statements of account (issue #16, README "Statement of account"):
--
--   - property, over random histories (test/pgtap/include/reports_history.sql: invoices
--     with and without GST, credits, payments, credit notes on paid and unpaid invoices,
--     top-ups applied at issue, cancellations, several currencies, an organisation
--     invoiced in two): for every organisation, currency and 9-day period, the closing
--     balance is the next period's opening balance, and equals what the organisation owed
--     at that instant (the live amounts due, snapshotted then) less its prepaid balance
--     (in its prepaid currency; other currencies owe their amounts due);
--   - the rows (statement_lines) run: each balance is the last plus debit minus credit;
--   - every kind of entry occurs (the property is not vacuous);
--   - arguments: NULLs (22004), an empty or inverted period, infinity, a bad currency
--     (22023), an unknown organisation (P0002), an organisation invoiced in two
--     currencies without one named (22023);
--   - GET /v2/statements through api_get, and the PDF (bytes, the same twice).
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(32);
\ir include/reports_history.sql
\ir include/refused.sql

SELECT setseed(0.16);
SELECT pg_temp.rh_history(700);

-- Periods between consecutive snapshots, for every organisation and currency it was ever invoiced in
-- (and its prepaid currency: that of its first invoice).
CREATE TEMP TABLE periods AS
SELECT o.org_id, c.currency, b.b AS period_from, lead(b.b) OVER (PARTITION BY o.org_id, c.currency ORDER BY b.b) AS period_to,
       (SELECT i.currency FROM invoice.invoices i WHERE i.org_id = o.org_id ORDER BY i.created_at, i.id LIMIT 1) AS prepaid
  FROM (SELECT DISTINCT b FROM rh_snap_org) b
 CROSS JOIN invoice.orgs o
  JOIN LATERAL (SELECT DISTINCT i.currency FROM invoice.invoices i WHERE i.org_id = o.org_id) c ON true
 WHERE o.org_id LIKE 'rh-%';
DELETE FROM periods WHERE period_to IS NULL;
CREATE TEMP TABLE statements AS
SELECT p.*, invoice.statement(p.org_id, p.period_from, p.period_to, p.currency)::jsonb AS doc FROM periods p;

SELECT ok((SELECT count(*) FROM statements) >= 6 * 20 AND (SELECT count(DISTINCT currency) FROM statements) = 3,
          format('fixture: %s statements over 6 organisations and 3 currencies', (SELECT count(*) FROM statements)));
SELECT is((SELECT string_agg(DISTINCT e->>'kind', ',' ORDER BY e->>'kind') FROM statements s, jsonb_array_elements(s.doc->'entries') e),
          'advance_applied,advance_credit,cancellation,credit_note,invoice,payment,topup',
          'fixture: every kind of entry occurs in the statements');
SELECT ok((SELECT count(*) FROM statements s, jsonb_array_elements(s.doc->'entries') e
            WHERE e->>'kind' = 'advance_applied' AND e->>'advance' IS NOT NULL) > 0
          AND (SELECT count(*) FROM statements s, jsonb_array_elements(s.doc->'entries') e
                WHERE e->>'kind' = 'advance_applied' AND s.org_id = 'rh-mix' AND s.currency = 'USD') > 0,
          'fixture: advance applied within one currency (memo) and across two (rh-mix: a credit of USD)');
SELECT ok((SELECT count(*) FROM statements WHERE (doc->>'closingBalance')::bigint < 0) > 0
          AND (SELECT count(*) FROM statements WHERE (doc->>'closingBalance')::bigint > 0) > 0,
          'fixture: balances both owed and in credit (prepaid)');

SELECT is((SELECT count(*) FROM statements s JOIN statements n
             ON n.org_id = s.org_id AND n.currency = s.currency AND n.period_from = s.period_to
            WHERE (n.doc->>'openingBalance')::bigint <> (s.doc->>'closingBalance')::bigint), 0::bigint,
          'the closing balance of every period is the opening balance of the next');
SELECT is((SELECT count(*) FROM statements s JOIN statements n
             ON n.org_id = s.org_id AND n.currency = s.currency AND n.period_from = s.period_to), 
          (SELECT count(*) FROM statements) - (SELECT count(DISTINCT (org_id, currency)) FROM statements),
          '... checked for every pair of consecutive periods');

CREATE TEMP TABLE expected_closing AS
SELECT p.org_id, p.currency, p.period_to,
       coalesce((SELECT sum(v.amount_due) FROM rh_snap_invoice v
                  WHERE v.b = p.period_to AND v.org_id = p.org_id AND v.currency = p.currency), '0')
       - CASE WHEN p.currency = p.prepaid THEN (SELECT g.advance FROM rh_snap_org g WHERE g.b = p.period_to AND g.org_id = p.org_id)
              ELSE '0' END AS closing
  FROM periods p;
SELECT is((SELECT count(*) FROM statements s JOIN expected_closing x USING (org_id, currency, period_to)
            WHERE (s.doc->>'closingBalance')::bigint <> x.closing::bigint), 0::bigint,
          'every closing balance is what was owed then less the prepaid balance (live state snapshotted at that instant)');
SELECT is((SELECT count(*) FROM statements s JOIN expected_closing x USING (org_id, currency, period_to)), 
          (SELECT count(*) FROM statements), '... for every statement');
SELECT ok((SELECT count(DISTINCT closing) FROM expected_closing) > 20, 'fixture: the closing balances differ');

-- the rows of one statement run
CREATE TEMP TABLE lines AS
SELECT row_number() OVER () AS n, l.* FROM invoice.statement_lines('rh-inr-1', '2024-03-20', '2024-12-31') l;
SELECT ok((SELECT count(*) FROM lines) > 20, 'fixture: rh-inr-1 has a long statement');
SELECT is((SELECT count(*) FROM lines l JOIN lines p ON p.n = l.n - 1
            WHERE l.kind <> 'closing balance'
              AND l.balance <> p.balance + coalesce(l.debit, '0') - coalesce(l.credit, '0')), 0::bigint,
          'statement_lines: each balance is the last one plus the debit less the credit');
SELECT is((SELECT kind || ':' || balance FROM lines ORDER BY n LIMIT 1), 'opening balance:0.00',
          'statement_lines: starts with the opening balance');
SELECT is((SELECT balance FROM lines WHERE kind = 'closing balance'), (SELECT balance FROM lines WHERE n = (SELECT max(n) - 1 FROM lines)),
          'statement_lines: ends with the closing balance, the last entry''s');
SELECT is((SELECT debit::text || '/' || credit::text FROM lines WHERE kind = 'closing balance'),
          (SELECT sum(debit)::text || '/' || sum(credit)::text FROM lines WHERE kind NOT IN ('opening balance', 'closing balance')),
          'statement_lines: the closing row carries the period''s debits and credits');
SELECT is((SELECT count(*) FROM lines WHERE kind = 'invoice'),
          (SELECT count(*) FROM invoice.invoices WHERE org_id = 'rh-inr-1' AND issued_at < '2024-12-31'),
          'statement_lines: one invoice entry per issued invoice');

-- an empty period, and a period before anything
SELECT is(invoice.statement('rh-usd', '2020-01-01', '2020-02-01')::jsonb - 'orgName',
          '{"orgId": "rh-usd", "currency": "USD", "periodFrom": "2020-01-01T00:00:00Z", "periodTo": "2020-02-01T00:00:00Z",
            "openingBalance": 0, "totalDebits": 0, "totalCredits": 0, "closingBalance": 0, "entries": []}'::jsonb,
          'a period before any document: zero balances, no entries');
INSERT INTO invoice.orgs (org_id, name) VALUES ('rh-new', 'Nothing yet');
SELECT is(invoice.statement('rh-new', '2024-01-01', '2024-02-01')::jsonb->>'currency', 'USD',
          'an organisation without invoices: its prepaid currency, USD');

-- arguments
SELECT pg_temp.refused($$SELECT invoice.statement(NULL, '2024-01-01', '2024-02-01')$$, '22004', NULL, 'NULL organisation -> 22004');
SELECT pg_temp.refused($$SELECT invoice.statement('rh-usd', NULL, '2024-02-01')$$, '22004', 'period_from must not be null', 'NULL period_from -> 22004');
SELECT pg_temp.refused($$SELECT invoice.statement('rh-usd', '2024-02-01', '2024-02-01')$$, '22023', 'period_to must be later than period_from', 'an empty period -> 22023');
SELECT pg_temp.refused($$SELECT invoice.statement('rh-usd', '2024-03-01', '2024-02-01')$$, '22023', NULL, 'an inverted period -> 22023');
SELECT pg_temp.refused($$SELECT invoice.statement('rh-usd', '-infinity', '2024-02-01')$$, '22023', 'period_from must be a finite timestamp', 'infinity -> 22023');
SELECT pg_temp.refused($$SELECT invoice.statement('rh-usd', '2024-01-01', '2024-02-01', 'usd')$$, '22023', 'invalid currency "usd"', 'a currency in lower case -> 22023');
SELECT pg_temp.refused($$SELECT invoice.statement('rh-usd', '2024-01-01', '2024-02-01', '')$$, '22023', NULL, 'an empty currency -> 22023');
SELECT pg_temp.refused($$SELECT invoice.statement('no-such-org', '2024-01-01', '2024-02-01')$$, 'P0002', 'organisation "no-such-org" does not exist', 'an unknown organisation -> P0002');
SELECT pg_temp.refused($$SELECT invoice.statement('rh-mix', '2024-01-01', '2024-02-01')$$, '22023',
                       'organisation "rh-mix" is invoiced in several currencies: name one', 'two currencies and none named -> 22023');

-- through api_get
SELECT is(invoice.api_get('/v2/statements', json_build_object('orgId', 'rh-eur', 'periodFrom', '2024-04-01', 'periodTo', '2024-07-01'))::jsonb,
          jsonb_build_object('code', 0, 'data', invoice.statement('rh-eur', '2024-04-01', '2024-07-01')::jsonb),
          'GET /v2/statements answers {"code":0,"data":statement}');
SELECT is(invoice.api_get('/v2/statements', '{"orgId": "rh-eur", "periodTo": "2024-07-01"}')::jsonb,
          '{"code": 40001, "message": "parameter \"periodFrom\" is required"}', 'GET /v2/statements without periodFrom -> 40001');
SELECT is(invoice.api_get('/v2/statements', '{"orgId": "rh-eur", "periodFrom": "April", "periodTo": "2024-07-01"}')::jsonb->>'code',
          '40000', 'GET /v2/statements with a bad date -> 40000');
SELECT is(invoice.api_get('/v2/statements', '{"orgId": "nobody", "periodFrom": "2024-04-01", "periodTo": "2024-07-01"}')::jsonb->>'code',
          '40401', 'GET /v2/statements of an unknown organisation -> 40401');

-- the PDF
SELECT is(substr(invoice.statement_pdf('rh-inr-2', '2024-04-01', '2024-07-01'), 1, 5), '\x255044462d'::bytea,
          'statement_pdf: a PDF');
SELECT is(md5(invoice.statement_pdf('rh-mix', '2024-04-01', '2024-07-01', 'USD')),
          md5(invoice.statement_pdf('rh-mix', '2024-04-01', '2024-07-01', 'USD')), 'statement_pdf: the same bytes twice');

SELECT * FROM finish();
ROLLBACK;
