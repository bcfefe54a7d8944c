-- Who reads the reports (issue #16, README "Security model", "The finance role"): the
-- matrix of roles × reports over the random history of test/pgtap/include/reports_history.sql.
--
--   member_1   owner of rh-inr-1            (members row)
--   viewer_usd viewer of rh-usd             (members row)
--   outsider   no membership, the members' grants
--   finance    a member of the role invoice_finance, the same grants
--   admin      BYPASSRLS (a billing administrator)
--
-- Members see their own organisation's figures in every report and nothing of another's
-- (statements of another organisation: P0002, as an unknown one); the outsider sees
-- nothing; the finance role and administrators see every organisation; the GSTR-1 return
-- is the finance role's and the administrators' only (42501).  The finance role reads and
-- never writes: tables 42501, the members' functions P0002.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(51);
\ir include/reports_history.sql
\ir include/refused.sql
SELECT setseed(0.5);
SELECT pg_temp.rh_history(250);

\o /dev/null
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'invoice_finance') THEN
        CREATE ROLE invoice_finance NOLOGIN;
    END IF;
END $$;
CREATE ROLE rep_member_1 NOLOGIN;
CREATE ROLE rep_viewer_usd NOLOGIN;
CREATE ROLE rep_outsider NOLOGIN;
CREATE ROLE rep_finance NOLOGIN IN ROLE invoice_finance;
CREATE ROLE rep_admin NOLOGIN BYPASSRLS;
GRANT USAGE ON SCHEMA invoice TO rep_member_1, rep_viewer_usd, rep_outsider, rep_finance, rep_admin;
GRANT SELECT ON ALL TABLES IN SCHEMA invoice TO rep_member_1, rep_viewer_usd, rep_outsider, rep_finance, rep_admin;
REVOKE SELECT ON invoice.api_secret FROM rep_member_1, rep_viewer_usd, rep_outsider, rep_finance, rep_admin;
GRANT EXECUTE ON FUNCTION invoice.invoice_pay(text, cents, text, text) TO rep_member_1, rep_finance;
INSERT INTO invoice.members (org_id, member, role) VALUES ('rh-inr-1', 'rep_member_1', 'owner'), ('rh-usd', 'rep_viewer_usd', 'viewer');
\o

CREATE TEMP TABLE roles (ord int, name name, orgs text);
INSERT INTO roles VALUES (1, 'rep_member_1', 'rh-inr-1'), (2, 'rep_viewer_usd', 'rh-usd'), (3, 'rep_outsider', 'nothing'),
                         (4, 'rep_finance', NULL), (5, 'rep_admin', NULL);
UPDATE roles SET orgs = (SELECT string_agg(org_id, ',' ORDER BY org_id) FROM invoice.orgs WHERE org_id LIKE 'rh-%') WHERE orgs IS NULL;
GRANT SELECT ON roles TO PUBLIC;

-- pg_temp.as_role(role, sql): the first column of sql's first row, as text, run as role
CREATE FUNCTION pg_temp.as_role(r name, q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    EXECUTE q INTO result;
    RESET ROLE;
    RETURN result;
EXCEPTION WHEN OTHERS THEN
    RESET ROLE;
    RETURN 'ERROR ' || SQLSTATE;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.as_role(name, text) TO PUBLIC;
SELECT ok((SELECT count(*) FROM invoice.receivables_as_of('2030-01-01') WHERE org_id = 'rh-inr-1') > 0
          AND (SELECT count(*) FROM invoice.receivables_as_of('2030-01-01') WHERE org_id = 'rh-usd') > 0,
          'fixture: the members'' organisations owe something');

SELECT ok(pg_temp.as_role('rep_finance', 'SELECT invoice.finance_reader()') = 'true'
          AND pg_temp.as_role('rep_member_1', 'SELECT invoice.finance_reader()') = 'false',
          'finance_reader(): true for a member of invoice_finance, not for an organisation''s member');

-- what each role sees of the per-organisation reports
CREATE FUNCTION pg_temp.orgs_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE format('SELECT coalesce(string_agg(DISTINCT org_id, '','' ORDER BY org_id), ''nothing'') FROM %s', q) INTO result;
    RETURN result;
END $$;
SELECT is(pg_temp.as_role(name, format('SELECT pg_temp.orgs_of(%L)', q)),
          coalesce((SELECT string_agg(o, ',' ORDER BY o) FROM unnest(string_to_array(pg_temp.orgs_of(q), ',')) o
                     WHERE o = ANY (string_to_array(roles.orgs, ','))), 'nothing'),
          format('%s: %s shows its organisations'' rows', name, q))
  FROM roles, (VALUES ('invoice.receivables_as_of(''2030-01-01'')'), ('invoice.invoice_line_tax'),
                      ('invoice.gstr1_lines'), ('invoice.gstr1_notes'),
                      ('invoice.receivables_aging(''2030-01-01'') WHERE org_id IS NOT NULL')) v (q)
 ORDER BY ord, q;

-- aggregated reports add up exactly the rows the role may see
SELECT is(pg_temp.as_role(name, 'SELECT sum(issued)::text FROM invoice.revenue_by_month'),
          (SELECT sum(t.taxable_value)::text FROM invoice.invoice_line_tax t
            WHERE t.status <> 'cancelled' AND t.org_id = ANY (string_to_array(roles.orgs, ','))),
          format('%s: revenue_by_month adds up its organisations'' lines', name))
  FROM roles ORDER BY ord;
SELECT is(pg_temp.as_role(name, 'SELECT coalesce(sum(totnum), 0)::text FROM invoice.gstr1_doc_issue'),
          ((SELECT count(*) FROM invoice.invoices i WHERE i.number IS NOT NULL AND i.org_id = ANY (string_to_array(roles.orgs, ',')))
           + (SELECT count(*) FROM invoice.credit_notes n WHERE n.status = 'issued' AND n.org_id = ANY (string_to_array(roles.orgs, ','))))::text
          , format('%s: gstr1_doc_issue counts its organisations'' invoices and credit notes', name))
  FROM roles ORDER BY ord;

-- statements: a member's own; another's is unknown
SELECT is(pg_temp.as_role(name, $$SELECT invoice.statement('rh-inr-2', '2024-01-01', '2025-01-01')->>'orgId'$$),
          CASE WHEN name IN ('rep_finance', 'rep_admin') THEN 'rh-inr-2' ELSE 'ERROR P0002' END,
          format('%s: statement of rh-inr-2', name))
  FROM roles ORDER BY ord;
SELECT is(pg_temp.as_role('rep_member_1', $$SELECT invoice.statement('rh-inr-1', '2024-01-01', '2025-01-01')->>'closingBalance'$$),
          invoice.statement('rh-inr-1', '2024-01-01', '2025-01-01')->>'closingBalance',
          'rep_member_1: its own statement, the same as the administrator''s');
SELECT is(pg_temp.as_role('rep_member_1', $$SELECT invoice.api_get('/v2/statements', '{"orgId": "rh-usd", "periodFrom": "2024-01-01", "periodTo": "2025-01-01"}')->>'code'$$),
          '40401', 'rep_member_1: GET /v2/statements of another organisation -> 40401');

-- the return
SELECT is(pg_temp.as_role(name, $$SELECT invoice.gstr1('29AAACI1681G1ZL', '042024')->>'fp'$$),
          CASE WHEN name IN ('rep_finance', 'rep_admin') THEN '042024' ELSE 'ERROR 42501' END,
          format('%s: the GSTR-1 return', name))
  FROM roles ORDER BY ord;

-- finance reads, never writes
SELECT is(pg_temp.as_role('rep_finance', $$INSERT INTO invoice.orgs (org_id, name) VALUES ('x', 'x') RETURNING 1$$), 'ERROR 42501',
          'rep_finance: no INSERT on the tables -> 42501');
SELECT is(pg_temp.as_role('rep_finance', $$SELECT (invoice.invoice_pay((SELECT id FROM invoice.invoices WHERE status = 'pending' LIMIT 1), '0.01', 'upi', 'fin'))::text$$),
          'ERROR P0002', 'rep_finance: paying an invoice it can read -> P0002 (it acts for no organisation)');

SELECT * FROM finish();
ROLLBACK;
