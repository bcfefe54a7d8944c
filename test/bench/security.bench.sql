-- test/bench/security.bench.sql: what row-level security costs the API calls
-- (README "Security model").
--
-- Data: min(:rows, 200000) invoices (default 200,000) over 1 organisation
-- per 200 invoices (default 1,000), one invoice a week per organisation,
-- loaded week by week (an organisation's rows lie scattered among every
-- other organisation's), 3 line items each.  The rows go in as drafts with
-- session_replication_role = replica (no triggers), then the extension does
-- the rest as on a billing day: invoice_compute_period derives the amounts
-- and invoice_issue_period numbers and issues them (status history
-- included); 4 invoices in 5 are then marked paid with their payment, again
-- with the triggers off.  Every organisation has two members (names only);
-- then VACUUM ANALYZE and prewarm.
--
-- Timed on org-0007 (200 invoices), each call its own EXECUTE (planning
-- included, nothing sent to the client), :repeat calls per sample, on the
-- backend's CPU clock, :stat of :reps samples, the roles interleaved:
--   list page    invoice_list(org, 1, 20)
--   list paid    invoice_list(org, 2, 20, 'paid')
--   describe     invoice_describe(id)          (3 lines, a payment, 3 history rows)
--   summary      invoice_summary(org)
--   v3 page      billing_v3_invoices(org, limit => 20)
-- as
--   owner        the tables' owner (the superuser running this): RLS off
--   bypassrls    a BYPASSRLS role with SELECT on the tables: RLS off
--   member       an owner of org-0007 (members row), wired as the README says:
--                RLS on, one organisation
--   member x100  a billing_admin of 100 organisations, org-0007 among them
-- and, for scale, one call of member_orgs() and of acting_role() as the member
-- (row-level security calls member_orgs() once per table a query reads).
--
-- Target (reported, never failed): member within 1.2x of bypassrls for the
-- list page and describe.  Before timing, every call is checked to answer
-- exactly the same JSON for all four roles.

CREATE EXTENSION invoice CASCADE;
CREATE EXTENSION pg_prewarm;

SELECT least(:rows, 200000) AS invoices \gset
SELECT greatest(:invoices / 200, 7) AS orgs, :invoices / greatest(:invoices / 200, 7) AS weeks \gset
\set repeat 50
\set org org-0007
SELECT format('inv-0007-%s', lpad((:weeks / 2)::text, 4, '0')) AS invoice_id \gset
\echo :invoices invoices over :orgs organisations (:weeks each), 3 lines each; timed on :org and :invoice_id

CREATE SCHEMA sb;

-- Load ----------------------------------------------------------------------------------------

SET client_min_messages = warning;
SET TimeZone = 'UTC';
SET session_replication_role = replica;
INSERT INTO invoice.orgs (org_id, name)
SELECT format('org-%s', lpad(o::text, 4, '0')), format('Organisation %s', o) FROM generate_series(1, :orgs) o;
INSERT INTO invoice.members (org_id, member, role)
SELECT format('org-%s', lpad(o::text, 4, '0')), format('member-%s-%s', o, m), CASE m WHEN 1 THEN 'owner' ELSE 'viewer' END
  FROM generate_series(1, :orgs) o, generate_series(1, 2) m;
INSERT INTO invoice.invoices (org_id, id, series, description, period_start, period_end, invoice_date, due_date,
                              currency, tax_rate)
SELECT format('org-%s', lpad(o::text, 4, '0')), format('inv-%s-%s', lpad(o::text, 4, '0'), lpad(k::text, 4, '0')),
       'INV', format('Week %s of service', k), w, w + interval '7 days', w + interval '7 days', w + interval '22 days',
       'USD', 18
  FROM generate_series(1, :weeks) k, generate_series(1, :orgs) o,
       LATERAL (SELECT timestamptz '2019-01-07 00:00 UTC' + (k - 1) * interval '7 days' AS w) p
 ORDER BY k, o;
INSERT INTO invoice.status_history (org_id, invoice_id, from_status, to_status, changed_at, changed_by, reason)
SELECT org_id, id, NULL, 'draft', period_end, 'loader', 'created' FROM invoice.invoices;
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, amount, product_group, region)
SELECT i.org_id, i.id, d, 1, a / 100.0, a::bigint::cents, 'Compute', 'ap-south-1'
  FROM invoice.invoices i,
       LATERAL (VALUES (1, 'Compute instance hours'), (2, 'Block storage GB-month'), (3, 'Data transfer out (GB)')) l(n, d),
       LATERAL (SELECT 100 + (hashtext(i.id) & 65535) * l.n AS a) x
 ORDER BY i.period_start, i.org_id, l.n;
SET session_replication_role = origin;

\timing on
SELECT invoice.invoice_compute_period('-infinity', 'infinity') AS computed;
SELECT invoice.invoice_issue_period('-infinity', 'infinity') AS issued;
\timing off

-- 4 in 5 paid: the payment, the status and its history, as invoice_pay would leave them
SET session_replication_role = replica;
CREATE TEMP TABLE paid AS
SELECT org_id, id, total, invoice_date + interval '10 days' AS paid_at
  FROM invoice.invoices WHERE hashtext(id) % 5 <> 0;
INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref, paid_at)
SELECT org_id, id, total, 'card', 'ch_' || id, paid_at FROM paid ORDER BY paid_at, org_id;
UPDATE invoice.invoices i
   SET status = 'paid', status_reason = 'paid', already_billed_amount = p.total, amount_due = '0', paid_at = p.paid_at
  FROM paid p WHERE i.org_id = p.org_id AND i.id = p.id;
INSERT INTO invoice.status_history (org_id, invoice_id, from_status, to_status, changed_at, changed_by, reason)
SELECT org_id, id, 'pending', 'paid', paid_at, 'loader', 'paid' FROM paid ORDER BY paid_at, org_id;
SET session_replication_role = origin;
DROP TABLE paid;

VACUUM (FREEZE, ANALYZE) invoice.orgs, invoice.members, invoice.invoices, invoice.line_items, invoice.payments,
                         invoice.credits, invoice.status_history;
SELECT c.relname AS "relation", pg_size_pretty(pg_relation_size(c.oid)) AS size,
       pg_prewarm(c.oid) AS pages_prewarmed
  FROM pg_class c
 WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind IN ('r', 'i')
   AND c.relname ~ '^(invoices|line_items|payments|credits|status_history|members|orgs)'
 ORDER BY pg_relation_size(c.oid) DESC;
SELECT status, count(*) FROM invoice.invoices GROUP BY status ORDER BY status;

-- Roles: created here, dropped at the end ----------------------------------------------------

SELECT current_user AS owner_role, 'sb_' || substr(md5(random()::text), 1, 6) AS tag \gset
SELECT :'tag' || '_member' AS member_role, :'tag' || '_multi' AS multi_role, :'tag' || '_bypass' AS bypass_role \gset
CREATE ROLE :"member_role";
CREATE ROLE :"multi_role";
CREATE ROLE :"bypass_role" BYPASSRLS;
INSERT INTO invoice.members (org_id, member, role) VALUES (:'org', :'member_role', 'owner');
INSERT INTO invoice.members (org_id, member, role)
SELECT format('org-%s', lpad(o::text, 4, '0')), :'multi_role', 'billing_admin'
  FROM generate_series(1, :orgs) o WHERE o % greatest(:orgs / 100, 1) = 7 % greatest(:orgs / 100, 1) LIMIT 100;
-- README "Security model": what an administrator grants a member role
GRANT USAGE ON SCHEMA invoice TO :"member_role", :"multi_role", :"bypass_role";
GRANT SELECT ON invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits, invoice.payments,
                invoice.status_history, invoice.reminders, invoice.receipts, invoice.advance_ledger,
                invoice.payment_requests, invoice.credit_notes, invoice.credit_note_lines, invoice.members,
                invoice.supplier, invoice.gst_rates, invoice.invoice_list_json, invoice.invoice_describe_json,
                invoice.invoice_csv, invoice.billing_v3_invoice_json
   TO :"member_role", :"multi_role", :"bypass_role";
GRANT EXECUTE ON FUNCTION invoice.invoice_list(text, integer, integer, text, timestamptz, timestamptz, text),
                          invoice.invoice_describe(text), invoice.invoice_summary(text),
                          invoice.billing_v3_invoices(text, timestamptz, timestamptz, integer, text)
   TO :"member_role", :"multi_role", :"bypass_role";
SELECT count(*) AS "member x100 organisations" FROM invoice.members WHERE member = :'multi_role';

-- sb.run_as(role, sql, times): sql run that many times as role, each its own EXECUTE
CREATE FUNCTION sb.run_as(r name, sql text, times integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    FOR i IN 1 .. times LOOP
        EXECUTE sql;
    END LOOP;
    RESET ROLE;
END $$;
-- sb.answer(role, sql): what sql answers as role
CREATE FUNCTION sb.answer(r name, sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a text;
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    EXECUTE sql INTO a;
    RESET ROLE;
    RETURN a;
END $$;

CREATE TABLE sb.roles (variant text, ord int, role name);
INSERT INTO sb.roles VALUES ('owner', 1, :'owner_role'), ('bypassrls', 2, :'bypass_role'),
                            ('member', 3, :'member_role'), ('member x100', 4, :'multi_role');
CREATE TABLE sb.cases (op text, ord int, sql text);
INSERT INTO sb.cases VALUES
('list page', 1, format($q$SELECT invoice.invoice_list(%L, 1, 20)$q$, :'org')),
('list paid', 2, format($q$SELECT invoice.invoice_list(%L, 2, 20, 'paid')$q$, :'org')),
('describe', 3, format($q$SELECT invoice.invoice_describe(%L)$q$, :'invoice_id')),
('summary', 4, format($q$SELECT invoice.invoice_summary(%L)$q$, :'org')),
('v3 page', 5, format($q$SELECT invoice.billing_v3_invoices(%L, "limit" => 20)$q$, :'org'));

-- Every role answers every call alike (and with something: org-0007's data).
SELECT c.op, count(DISTINCT sb.answer(r.role, c.sql)) AS distinct_answers,
       min(length(sb.answer(r.role, c.sql))) AS length,
       CASE WHEN count(DISTINCT sb.answer(r.role, c.sql)) = 1 THEN 'same' ELSE 'DIFFERENT' END AS verdict
  FROM sb.cases c CROSS JOIN sb.roles r GROUP BY c.op, c.ord ORDER BY c.ord;
DO $$
BEGIN
    IF EXISTS (SELECT FROM sb.cases c CROSS JOIN sb.roles r GROUP BY c.op
                HAVING count(DISTINCT sb.answer(r.role, c.sql)) <> 1) THEN
        RAISE EXCEPTION 'security bench: the roles do not all get the same answers';
    END IF;
END $$;

-- Timing --------------------------------------------------------------------------------------

CREATE PROCEDURE sb.measure(times integer) LANGUAGE plpgsql AS $$
DECLARE
    c record;
    roles text[] := (SELECT array_agg(role ORDER BY ord) FROM sb.roles);
BEGIN
    PERFORM set_config('bench.mode', 'serial', false);
    FOR c IN SELECT op, sql FROM sb.cases ORDER BY ord LOOP
        CALL bench.measure(c.op, format('SELECT sb.run_as(%%L, %L, %s)', c.sql, times), roles);
    END LOOP;
END $$;

SET bench.clock = 'cpu';
\echo timing (:reps runs of :repeat calls each, after a warm-up) ...
CALL sb.measure(:repeat);

CREATE TEMP VIEW cmp AS
SELECT c.op, c.ord, ro.variant, ro.ord AS rord, r.ms / :repeat AS ms, r.spread, b.ms / :repeat AS bypass_ms
  FROM sb.cases c
  JOIN bench.result r ON r.op = c.op
  JOIN sb.roles ro ON ro.role = r.variant
  JOIN bench.result b ON b.op = c.op AND b.variant = :'bypass_role';

\echo
\echo 'row-level security on org-0007 (' :invoices 'invoices), ms of backend CPU per call =' :stat 'of' :reps 'runs of' :repeat 'calls:'
SELECT op AS operation,
       round(max(ms) FILTER (WHERE variant = 'owner')::numeric, 3) AS "owner ms",
       round(max(ms) FILTER (WHERE variant = 'bypassrls')::numeric, 3) AS "bypassrls ms",
       round(max(ms) FILTER (WHERE variant = 'member')::numeric, 3) AS "member ms",
       round(max(ms) FILTER (WHERE variant = 'member x100')::numeric, 3) AS "member x100 ms",
       round(max(ms / bypass_ms) FILTER (WHERE variant = 'member')::numeric, 2) AS "member/bypassrls",
       round(max(ms / bypass_ms) FILTER (WHERE variant = 'member x100')::numeric, 2) AS "x100/bypassrls",
       CASE WHEN op IN ('list page', 'describe')
            THEN CASE WHEN max(ms / bypass_ms) FILTER (WHERE variant = 'member') <= 1.2 THEN 'PASS' ELSE 'MISS' END
            ELSE '' END AS "<= 1.2x"
  FROM cmp GROUP BY op, ord ORDER BY ord;

\pset tuples_only on
SELECT 'target: member within 1.2x of bypassrls: '
       || string_agg(format('%s %s (%sx)', op, CASE WHEN ms <= 1.2 * bypass_ms THEN 'PASS' ELSE 'MISS' END,
                            round((ms / bypass_ms)::numeric, 2)), ', ' ORDER BY ord)
  FROM cmp WHERE variant = 'member' AND op IN ('list page', 'describe');
SELECT format('noise: largest (max - min) / min of any cell: %s %%', round(100 * max(spread)::numeric))
  FROM bench.result;
\pset tuples_only off

\echo 'samples, ms per' :repeat 'calls in run order (cpu, then wall in brackets):'
SELECT s.op, ro.variant,
       string_agg(round(s.ms::numeric, 1) || ' (' || round(s.wall_ms::numeric, 1) || ')', ' ' ORDER BY s.rep) AS samples
  FROM bench.sample s JOIN sb.roles ro ON ro.role = s.variant
 GROUP BY s.op, ro.variant, ro.ord
 ORDER BY min((SELECT ord FROM sb.cases c WHERE c.op = s.op)), ro.ord;

-- Where the time goes: each table a query reads under row-level security
-- costs one call of member_orgs() (an InitPlan); describe reads five.
CALL bench.measure('member_orgs()', format('SELECT sb.run_as(%%L, %L, %s)', 'SELECT invoice.member_orgs()', :repeat),
                   ARRAY[:'member_role']);
CALL bench.measure('acting_role()', format('SELECT sb.run_as(%%L, %L, %s)', 'SELECT invoice.acting_role()', :repeat),
                   ARRAY[:'member_role']);
\pset tuples_only on
SELECT format('one call as the member, for comparison: %s %s ms', op, round((ms / :repeat)::numeric, 3))
  FROM bench.result WHERE op IN ('member_orgs()', 'acting_role()') ORDER BY op DESC;
\pset tuples_only off

\echo
\echo 'the list page''s scan as the member (RLS adds one filter and one InitPlan per table):'
SET ROLE :"member_role";
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT i.id FROM invoice.invoices i WHERE i.org_id = 'org-0007' ORDER BY i.invoice_date DESC, i.id LIMIT 20;
RESET ROLE;

-- Clean up: the roles are cluster-wide.
DROP OWNED BY :"member_role", :"multi_role", :"bypass_role";
DROP ROLE :"member_role", :"multi_role", :"bypass_role";
