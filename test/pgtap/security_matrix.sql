-- Security (issue 6, README "Security model"), the matrix: for organisations
-- sec-a and sec-b and the roles
--
--   owner_a          owner of sec-a               (members row)
--   billing_admin_a  billing_admin of sec-a       (members row)
--   viewer_a         viewer of sec-a              (members row)
--   outsider         no membership at all, the same grants as the members
--   owner_b          owner of sec-b
--   administrator    BYPASSRLS (a billing administrator), and a member of
--                    the tables' owner role (the other kind)
--
-- every table of organisation data (and every view over them) × every role:
-- what it sees (rows per organisation: A's members exactly A's rows, the
-- outsider none, the administrator all); direct INSERT / UPDATE / DELETE /
-- TRUNCATE by any member: 42501; the member functions (pay, cancel, dispute,
-- top up) by owner and billing_admin: done, by the viewer 42501, by anyone
-- outside the organisation P0002 exactly as for an id that does not exist;
-- the administrators' functions (issue, recompute, billing days, credit
-- notes, the sweep, rejecting a dispute): 42501 for members, without the
-- EXECUTE grant and even with it; status_history.changed_by records the
-- member who acted, not the functions' definer.
--
-- Every statement of a role runs through pg_temp.outcome(role, sql): SET
-- LOCAL ROLE, the statement, RESET ROLE — the role's own privileges and
-- row-level security, in this one transaction, rolled back at the end.
\ir include/begin.sql
SET search_path = public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(427);
\ir include/security_fixture.sql

CREATE TEMP TABLE roles (ord int, k text, name name, orgs text[]);
INSERT INTO roles VALUES (1, 'owner_a', :'owner_a', '{sec-a}'), (2, 'billing_admin_a', :'badmin_a', '{sec-a}'),
                         (3, 'viewer_a', :'viewer_a', '{sec-a}'), (4, 'outsider', :'outsider', '{}'),
                         (5, 'owner_b', :'owner_b', '{sec-b}'), (6, 'administrator', :'admin', NULL);

-- pg_temp.census_sql(relation): the query that shows, as 'org:rows org:rows …', what
-- the running role sees of an invoice relation ('nothing' when it sees no row)
CREATE FUNCTION pg_temp.census_sql(t text) RETURNS text LANGUAGE sql AS $$
    SELECT format('SELECT coalesce(string_agg(org_id || '':'' || n, '' '' ORDER BY org_id), ''nothing'')'
                  '  FROM (SELECT org_id, count(*) AS n FROM invoice.%I GROUP BY org_id) s', t)
$$;
-- pg_temp.census_expected(relation, orgs, member): the same, as the superuser
-- counts it, of the rows of those organisations (NULL: all); of invoice.members
-- only the member's own rows unless orgs is NULL
CREATE FUNCTION pg_temp.census_expected(t text, orgs text[], member name) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    answer text;
BEGIN
    EXECUTE format('SELECT coalesce(string_agg(org_id || '':'' || n, '' '' ORDER BY org_id), ''nothing'')'
                   '  FROM (SELECT org_id, count(*) AS n FROM invoice.%I'
                   '         WHERE ($1 IS NULL OR org_id = ANY ($1)) %s GROUP BY org_id) s',
                   t, CASE WHEN t = 'members' THEN 'AND ($1 IS NULL OR $2 IS NULL OR member = $2)' ELSE '' END)
       INTO answer USING orgs, member;
    RETURN answer;
END $$;

-- Who acts -----------------------------------------------------------------------------

SELECT is(pg_temp.outcome(name, 'SELECT invoice.acting_role()::text'), name::text,
          format('%s: acting_role() is the role SET ROLE chose', k)) FROM roles ORDER BY ord;
SELECT is(pg_temp.outcome(name, 'SELECT invoice.member_orgs()::text'), coalesce(orgs, '{}')::text,
          format('%s: member_orgs() is %s', k, coalesce(orgs, '{}')::text)) FROM roles ORDER BY ord;

-- What each role sees -----------------------------------------------------------------

-- not vacuous: every table holds rows of both organisations
SELECT ok(pg_temp.census_expected(t, '{sec-a,sec-b}', NULL) ~ '^sec-a:\d+ sec-b:\d+$',
          format('fixture: invoice.%s holds rows of sec-a and of sec-b (%s)', t,
                 pg_temp.census_expected(t, '{sec-a,sec-b}', NULL)))
  FROM org_tables ORDER BY ord;

CREATE TEMP TABLE relations AS
SELECT ord, t FROM org_tables
UNION ALL VALUES (14, 'invoice_list_json'), (15, 'invoice_describe_json'), (16, 'invoice_csv'),
                 (17, 'billing_v3_invoice_json');
SELECT is(pg_temp.outcome(r.name, pg_temp.census_sql(x.t)), pg_temp.census_expected(x.t, r.orgs, r.name),
          format('%s sees in invoice.%s: %s', r.k, x.t, pg_temp.census_expected(x.t, r.orgs, r.name)))
  FROM relations x CROSS JOIN roles r ORDER BY x.ord, r.ord;

-- What each role may not write directly ----------------------------------------------------

-- pg_temp.writes(role, table): the SQLSTATEs of INSERT, UPDATE, DELETE and TRUNCATE by role
CREATE FUNCTION pg_temp.writes(r name, t text) RETURNS text LANGUAGE sql AS $$
    SELECT format('INSERT %s, UPDATE %s, DELETE %s, TRUNCATE %s',
                  pg_temp.state(r, format('INSERT INTO invoice.%I DEFAULT VALUES', t)),
                  pg_temp.state(r, format('UPDATE invoice.%I SET org_id = org_id', t)),
                  pg_temp.state(r, format('DELETE FROM invoice.%I', t)),
                  pg_temp.state(r, format('TRUNCATE invoice.%I CASCADE', t)))
$$;
SELECT is(pg_temp.writes(r.name, x.t), 'INSERT 42501, UPDATE 42501, DELETE 42501, TRUNCATE 42501',
          format('%s writes nothing to invoice.%s directly: 42501', r.k, x.t))
  FROM org_tables x CROSS JOIN roles r WHERE r.k <> 'administrator' ORDER BY x.ord, r.ord;
SELECT is(pg_temp.outcome(:'admin', $$UPDATE invoice.orgs SET name = 'Org B, renamed' WHERE org_id = 'sec-b'$$), 'done',
          'the administrator writes the tables directly (RLS bypassed)');
SELECT is(pg_temp.outcome(:'admin', format($$INSERT INTO invoice.members VALUES ('sec-c', %L, 'viewer')$$, :'outsider')),
          'done', 'the administrator manages the memberships');
DELETE FROM invoice.members WHERE org_id = 'sec-c';

-- The member functions ---------------------------------------------------------------------

-- pay: owner and billing_admin do, the viewer may not (42501), outside the
-- organisation the invoice does not exist (P0002, as an unknown id)
SELECT is(pg_temp.state(:'owner_a', $$SELECT invoice.invoice_pay('sa-open', '1.00', 'upi', 'sec-m-1')$$), 'ok',
          'owner_a pays an invoice of sec-a');
SELECT is(pg_temp.state(:'badmin_a', $$SELECT invoice.invoice_pay('sa-open', '1.00', 'upi', 'sec-m-2')$$), 'ok',
          'billing_admin_a pays an invoice of sec-a');
SELECT is(pg_temp.outcome(:'viewer_a', $$SELECT invoice.invoice_pay('sa-open', '1.00', 'upi', 'sec-m-3')$$),
          'ERROR 42501: permission denied to pay invoice "sa-open" DETAIL: Viewers may read an organisation''s invoices, not pay, cancel or dispute them.',
          'viewer_a may not pay: 42501');
SELECT is(pg_temp.outcome(:'outsider', $$SELECT invoice.invoice_pay('sa-open', '1.00', 'upi', 'sec-m-4')$$),
          'ERROR P0002: invoice "sa-open" does not exist', 'outsider: P0002, the invoice "does not exist"');
SELECT is(pg_temp.outcome(:'owner_b', $$SELECT invoice.invoice_pay('sa-open', '1.00', 'upi', 'sec-m-5')$$),
          replace(pg_temp.outcome(:'owner_b', $$SELECT invoice.invoice_pay('sec-no-such', '1.00', 'upi', 'sec-m-5')$$),
                  'sec-no-such', 'sa-open'),
          'owner_b: exactly the answer for an id that does not exist');
SELECT is(pg_temp.state(:'admin', $$SELECT invoice.invoice_pay('sa-open', '1.00', 'upi', 'sec-m-6')$$), 'ok',
          'the administrator pays an invoice of any organisation');
SELECT is((SELECT string_agg(provider_ref, ' ' ORDER BY provider_ref) FROM invoice.payments
            WHERE org_id = 'sec-a' AND invoice_id = 'sa-open'), 'sec-m-1 sec-m-2 sec-m-6',
          'exactly the three payments allowed were recorded');

-- cancel
SELECT is(pg_temp.state(:'owner_a', $$SELECT invoice.invoice_cancel('sa-c1', 'owner cancels')$$), 'ok',
          'owner_a cancels an invoice of sec-a');
SELECT is(pg_temp.state(:'badmin_a', $$SELECT invoice.invoice_cancel('sa-c2', 'billing admin cancels')$$), 'ok',
          'billing_admin_a cancels an invoice of sec-a');
SELECT is(pg_temp.outcome(:'viewer_a', $$SELECT invoice.invoice_cancel('sa-c3', 'viewer cancels')$$),
          'ERROR 42501: permission denied to cancel invoice "sa-c3" DETAIL: Viewers may read an organisation''s invoices, not pay, cancel or dispute them.',
          'viewer_a may not cancel: 42501');
SELECT is(pg_temp.outcome(:'outsider', $$SELECT invoice.invoice_cancel('sa-c3', 'outsider cancels')$$),
          'ERROR P0002: invoice "sa-c3" does not exist', 'outsider cancels: P0002');
SELECT is(pg_temp.outcome(:'owner_b', $$SELECT invoice.invoice_cancel('sa-c3', 'B cancels')$$),
          'ERROR P0002: invoice "sa-c3" does not exist', 'owner_b cancels: P0002');
SELECT is(pg_temp.state(:'admin', $$SELECT invoice.invoice_cancel('sa-c3', 'administrator cancels')$$), 'ok',
          'the administrator cancels');

-- dispute
SELECT is(pg_temp.state(:'owner_a', $$SELECT invoice.invoice_dispute('sa-d1', 'owner disputes')$$), 'ok',
          'owner_a disputes an invoice of sec-a');
SELECT is(pg_temp.state(:'badmin_a', $$SELECT invoice.invoice_dispute('sa-d2', 'billing admin disputes')$$), 'ok',
          'billing_admin_a disputes an invoice of sec-a');
SELECT is(pg_temp.outcome(:'viewer_a', $$SELECT invoice.invoice_dispute('sa-d3', 'viewer disputes')$$),
          'ERROR 42501: permission denied to dispute invoice "sa-d3" DETAIL: Viewers may read an organisation''s invoices, not pay, cancel or dispute them.',
          'viewer_a may not dispute: 42501');
SELECT is(pg_temp.outcome(:'outsider', $$SELECT invoice.invoice_dispute('sa-d3', 'outsider disputes')$$),
          'ERROR P0002: invoice "sa-d3" does not exist', 'outsider disputes: P0002');
SELECT is(pg_temp.outcome(:'owner_b', $$SELECT invoice.invoice_dispute('sa-d3', 'B disputes')$$),
          'ERROR P0002: invoice "sa-d3" does not exist', 'owner_b disputes: P0002');
SELECT is(pg_temp.state(:'admin', $$SELECT invoice.invoice_dispute('sa-d3', 'administrator disputes')$$), 'ok',
          'the administrator disputes');

-- top up (by organisation: outside it, the organisation does not exist)
SELECT is(pg_temp.state(:'owner_a', $$SELECT invoice.invoice_topup('sec-a', '5.00', 'upi', 'sec-t-1')$$), 'ok',
          'owner_a tops up sec-a');
SELECT is(pg_temp.state(:'badmin_a', $$SELECT invoice.invoice_topup('sec-a', '5.00', 'upi', 'sec-t-2')$$), 'ok',
          'billing_admin_a tops up sec-a');
SELECT is(pg_temp.outcome(:'viewer_a', $$SELECT invoice.invoice_topup('sec-a', '5.00', 'upi', 'sec-t-3')$$),
          'ERROR 42501: permission denied to top up organisation "sec-a" DETAIL: Viewers may read an organisation''s invoices, not pay, cancel or dispute them.',
          'viewer_a may not top up: 42501');
SELECT is(pg_temp.outcome(:'outsider', $$SELECT invoice.invoice_topup('sec-a', '5.00', 'upi', 'sec-t-4')$$),
          replace(pg_temp.outcome(:'outsider', $$SELECT invoice.invoice_topup('sec-nope', '5.00', 'upi', 'sec-t-4')$$),
                  'sec-nope', 'sec-a'),
          'outsider tops up sec-a: the answer for an organisation that does not exist');
SELECT is(pg_temp.outcome(:'owner_b', $$SELECT invoice.invoice_topup('sec-a', '5.00', 'upi', 'sec-t-5')$$),
          'ERROR P0002: organisation "sec-a" does not exist', 'owner_b tops up sec-a: P0002');
SELECT is(pg_temp.state(:'admin', $$SELECT invoice.invoice_topup('sec-a', '5.00', 'upi', 'sec-t-6')$$), 'ok',
          'the administrator tops up');

-- reading through the definer's rights (invoice_tax_lines): anyone of the organisation, no one else
SELECT is(pg_temp.state(r.name, $$SELECT count(*)::text FROM invoice.invoice_tax_lines('sa-open')$$),
          CASE WHEN r.orgs IS NULL OR 'sec-a' = ANY (r.orgs) THEN 'ok' ELSE 'P0002' END,
          format('%s: invoice_tax_lines of an invoice of sec-a: %s', r.k,
                 CASE WHEN r.orgs IS NULL OR 'sec-a' = ANY (r.orgs) THEN 'read' ELSE 'P0002' END))
  FROM roles r ORDER BY r.ord;

-- The administrators' functions ---------------------------------------------------------

-- a draft credit note of sec-a, for credit_note_issue
SELECT (invoice.credit_note_create('sa-paid', 'other', 'draft note')).credit_note_id AS draft_note \gset
INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount)
VALUES ('sec-a', :'draft_note', 'goodwill', '1.00');

CREATE TEMP TABLE admin_calls (ord int, f text, sql text, by_id boolean);
INSERT INTO admin_calls VALUES
    (1, 'invoice_issue', $$SELECT invoice.invoice_issue('sa-draft')::text$$, true),
    (2, 'invoice_compute', $$SELECT invoice.invoice_compute('sa-open')::text$$, true),
    (3, 'invoice_compute_period', $$SELECT invoice.invoice_compute_period('2030-01-01', '2030-02-01')::text$$, false),
    (4, 'invoice_issue_period', $$SELECT invoice.invoice_issue_period('2030-01-01', '2030-02-01')::text$$, false),
    (5, 'credit_note_create', $$SELECT invoice.credit_note_create('sa-open', 'other', 'probe')::text$$, true),
    (6, 'credit_note_issue', format($$SELECT invoice.credit_note_issue(%L, CAST(invoice.clock() AS date))::text$$, :'draft_note'), false),
    (7, 'invoice_sweep_overdue', $$SELECT invoice.invoice_sweep_overdue(invoice.clock())::text$$, false),
    (8, 'invoice_sweep_overdue_batch', $$SELECT invoice.invoice_sweep_overdue_batch(invoice.clock(), 10)::text$$, false),
    (9, 'invoice_dispute_reject', $$SELECT invoice.invoice_dispute_reject('sa-d1')::text$$, true);

-- without EXECUTE (as README wires the members): refused before they start
SELECT is(pg_temp.outcome(r.name, c.sql), format('ERROR 42501: permission denied for function %s', c.f),
          format('%s calls %s without the grant: 42501', r.k, c.f))
  FROM admin_calls c CROSS JOIN roles r WHERE r.k <> 'administrator' ORDER BY c.ord, r.ord;

-- with EXECUTE (an administrator who grants too much): the functions refuse
-- members themselves; outside the organisation an invoice still does not exist
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA invoice TO :"members";
SELECT is(pg_temp.state(r.name, c.sql),
          CASE WHEN c.by_id AND NOT 'sec-a' = ANY (r.orgs) THEN 'P0002' ELSE '42501' END,
          format('%s calls %s with the grant: %s', r.k, c.f,
                 CASE WHEN c.by_id AND NOT 'sec-a' = ANY (r.orgs) THEN 'P0002 (not its organisation)'
                      ELSE '42501, only billing administrators may' END))
  FROM admin_calls c CROSS JOIN roles r WHERE r.k <> 'administrator' ORDER BY c.ord, r.ord;
SELECT is(pg_temp.outcome(:'owner_a', $$SELECT invoice.invoice_issue('sa-draft')::text$$),
          'ERROR 42501: permission denied to issue invoice "sa-draft" DETAIL: Only billing administrators may do that.',
          'the refusal says why');
SELECT is(pg_temp.state(:'admin', c.sql), 'ok', format('the administrator calls %s', c.f))
  FROM admin_calls c ORDER BY c.ord;

-- the other kind of administrator: a member of the role that owns the tables
SELECT :'tag' || '_owners' AS owners \gset
CREATE ROLE :"owners" NOLOGIN;
SELECT format('GRANT %I TO %I', c.relowner::regrole, :'owners') AS grant_owner
  FROM pg_class c WHERE c.oid = 'invoice.invoices'::regclass \gset
:grant_owner;
SELECT is(pg_temp.outcome(:'owners', pg_temp.census_sql('invoices')), pg_temp.census_expected('invoices', NULL, NULL),
          'a member of the tables'' owner sees every organisation''s invoices');
SELECT is(pg_temp.state(:'owners', $$SELECT invoice.invoice_issue_period('2030-01-01', '2030-02-01')::text$$), 'ok',
          '… and runs the billing day');

-- changed_by: the member who acted -----------------------------------------------------

-- pg_temp.last_change(invoice): who made the last status change, and to what
CREATE FUNCTION pg_temp.last_change(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT h.changed_by || ' → ' || h.to_status FROM invoice.status_history h
     WHERE h.org_id = 'sec-a' AND h.invoice_id = p_id ORDER BY h.history_id DESC LIMIT 1
$$;
SELECT is(pg_temp.last_change('sa-c1'), :'owner_a' || ' → cancelled', 'changed_by: the owner who cancelled, not the definer');
SELECT is(pg_temp.last_change('sa-c2'), :'badmin_a' || ' → cancelled', 'changed_by: the billing admin who cancelled');
SELECT is(pg_temp.last_change('sa-c3'), :'admin' || ' → cancelled', 'changed_by: the administrator who cancelled');
SELECT is(pg_temp.state(:'badmin_a', $$SELECT invoice.invoice_pay('sa-noted', '85.00', 'upi', 'sec-m-full')$$), 'ok',
          'billing_admin_a pays what is left of an invoice');
SELECT is(pg_temp.last_change('sa-noted'), :'badmin_a' || ' → paid', 'changed_by: the billing admin whose payment settled it');
SELECT is(pg_temp.last_change('sa-draft'), :'admin' || ' → pending', 'changed_by: the administrator who issued');

-- Shared ids and provider references ----------------------------------------------------

SELECT is(pg_temp.outcome(r.name, $$SELECT invoice.invoice_describe('sec-twin')->'data'->>'orgId'$$),
          CASE r.k WHEN 'outsider' THEN 'ERROR P0002: invoice "sec-twin" does not exist'
                   WHEN 'owner_b' THEN 'sec-b'
                   WHEN 'administrator' THEN 'ERROR 21000: invoice id "sec-twin" is used by more than one organisation HINT: Give invoices ids that are unique across organisations, as generated ids are.'
                   ELSE 'sec-a' END,
          format('%s describes the id both organisations use: %s', r.k,
                 CASE r.k WHEN 'outsider' THEN 'P0002' WHEN 'owner_b' THEN 'B''s' WHEN 'administrator' THEN '21000'
                          ELSE 'A''s (B''s stays unseen: no 21000)' END))
  FROM roles r ORDER BY r.ord;
SELECT is(pg_temp.state(:'owner_a', $$SELECT invoice.invoice_pay('sec-twin', '1.00', 'upi', 'sec-m-twin')$$), 'IV005',
          'owner_a pays the shared id: its own draft (IV005), not 21000');
SELECT is(pg_temp.state(:'owner_b', $$SELECT invoice.invoice_pay('sec-twin', '1.00', 'upi', 'sec-m-twin')$$), 'ok',
          'owner_b pays the shared id: its own invoice');
SELECT is(pg_temp.state(:'owner_a', $$SELECT invoice.invoice_pay('sa-open', '1.00', 'upi', 'sec-pay-b')$$), 'ok',
          'a provider reference B used is a new payment in A (no IV004 telling of B''s)');
SELECT is(pg_temp.state(:'owner_a', $$SELECT invoice.invoice_topup('sec-a', '1.00', 'upi', 'sec-top-b')$$), 'ok',
          'a top-up reference B used is a new top-up in A');

SELECT * FROM finish();
ROLLBACK;
