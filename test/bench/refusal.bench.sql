-- test/bench/refusal.bench.sql: constant-time refusal (issue #19; README "Security model").
--
-- A role that is a member of no organisation calls the read API about
--   big       an organisation of :big invoices (default 5,000), 2 lines each, the word
--             "compute" on every invoice and "zebra" on 20 of them
--   unknown   an organisation id that does not exist
-- and must not be able to tell them apart by time: the answer is decided from
-- its memberships before anything of the organisation is read (member_of, a
-- one-time filter, and the list's own check before it reads search signatures).
-- Before this, the list read the named organisation's search signatures
-- before checking membership: 0.13 ms for an unknown organisation, 0.48 ms for
-- one of 5,000 invoices, 0.62 ms when the term was common there.
--
-- Timed (backend CPU, :stat of :reps runs of :repeat calls, the two variants
-- interleaved): invoice_list with a common term, a rare term and none;
-- invoice_summary; billing_v3_invoices; invoice_csv with a search.  Reported:
-- ms per call and big / unknown (target: within the runs' noise, ≈ 1.00).
-- For scale, the same calls by a member of the big organisation.
-- Before timing, every call is checked to answer the stranger exactly the same
-- for both organisations.

CREATE EXTENSION invoice CASCADE;

\set big 5000
\set repeat 200
CREATE SCHEMA rb;
SET client_min_messages = warning;
SET TimeZone = 'UTC';

-- Load: the big organisation's invoices as drafts with the triggers off, then
-- their search signatures (search_rebuild) and a billing day.
INSERT INTO invoice.orgs (org_id, name) VALUES ('org-big', 'Big organisation');
SET session_replication_role = replica;
INSERT INTO invoice.invoices (org_id, id, description, period_start, period_end, invoice_date, due_date, tax_rate)
SELECT 'org-big', format('inv-big-%s', lpad(k::text, 5, '0')), format('Month %s of service', k),
       p, p + interval '1 month', p + interval '1 month', p + interval '1 month 15 days', 18
  FROM generate_series(1, :big) k,
       LATERAL (SELECT timestamptz '2010-01-01 00:00 UTC' + (k % 120) * interval '1 month' AS p) d;
INSERT INTO invoice.status_history (org_id, invoice_id, from_status, to_status, changed_by, reason)
SELECT org_id, id, NULL, 'draft', 'loader', 'created' FROM invoice.invoices;
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, amount)
SELECT i.org_id, i.id, d, 1, 1, '1.00'
  FROM invoice.invoices i,
       LATERAL (VALUES ('Compute instance hours'),
                       (CASE WHEN right(i.id, 5)::int % (:big / 20) = 0 THEN 'Zebra crossing permit' ELSE 'Block storage' END)) l(d);
SET session_replication_role = origin;
SELECT invoice.search_rebuild('org-big') AS signatures;
SELECT invoice.invoice_compute_period('-infinity', 'infinity') AS computed;
SELECT invoice.invoice_issue_period('-infinity', 'infinity') AS issued;
VACUUM ANALYZE invoice.invoices, invoice.line_items, invoice.search_signatures, invoice.members, invoice.orgs;

-- Roles: a stranger (no membership) and a member of org-big, wired as README says.
SELECT 'rb_' || substr(md5(random()::text), 1, 6) AS tag \gset
SELECT :'tag' || '_stranger' AS stranger, :'tag' || '_member' AS member \gset
SELECT set_config('rb.stranger', :'stranger', false) IS NOT NULL AS noted;
CREATE ROLE :"stranger";
CREATE ROLE :"member";
INSERT INTO invoice.members (org_id, member, role) VALUES ('org-big', :'member', 'viewer');
GRANT USAGE ON SCHEMA invoice TO :"stranger", :"member";
GRANT SELECT ON ALL TABLES IN SCHEMA invoice TO :"stranger", :"member";
REVOKE SELECT ON invoice.api_secret FROM :"stranger", :"member";

-- rb.run_as(role, sql, times): sql run that many times as role, each its own EXECUTE
CREATE FUNCTION rb.run_as(r name, sql text, times integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    FOR i IN 1 .. times LOOP
        EXECUTE sql;
    END LOOP;
    RESET ROLE;
END $$;
CREATE FUNCTION rb.answer(r name, sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    a text;
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    EXECUTE sql INTO a;
    RESET ROLE;
    RETURN a;
END $$;

CREATE TABLE rb.cases (op text, ord int, sql text);
INSERT INTO rb.cases VALUES
('list, common term', 1, $q$SELECT invoice.invoice_list(%L, search => 'compute')$q$),
('list, rare term', 2, $q$SELECT invoice.invoice_list(%L, search => 'zebra')$q$),
('list, no filter', 3, $q$SELECT invoice.invoice_list(%L)$q$),
('summary', 4, $q$SELECT invoice.invoice_summary(%L)$q$),
('billing v3 page', 5, $q$SELECT invoice.billing_v3_invoices(%L, "limit" => 20)$q$),
('csv, search', 6, $q$SELECT count(*) FROM invoice.invoice_csv(%L, search => 'compute')$q$);

-- The stranger gets the same answer for both organisations; the member sees org-big's invoices.
SELECT c.op,
       rb.answer(:'stranger', format(c.sql, 'org-big')) = rb.answer(:'stranger', format(c.sql, 'org-unknown')) AS same_for_stranger,
       length(rb.answer(:'member', format(c.sql, 'org-big'))) AS member_answer_length
  FROM rb.cases c ORDER BY c.ord;
DO $$
BEGIN
    IF EXISTS (SELECT FROM rb.cases c
                WHERE rb.answer(current_setting('rb.stranger'), format(c.sql, 'org-big'))
                      IS DISTINCT FROM rb.answer(current_setting('rb.stranger'), format(c.sql, 'org-unknown'))) THEN
        RAISE EXCEPTION 'refusal bench: the stranger tells the organisations apart by their answers';
    END IF;
END $$;

SET bench.clock = 'cpu';
\echo timing (:reps runs of :repeat calls each, after a warm-up) ...
CREATE PROCEDURE rb.measure(r name, label text, times integer) LANGUAGE plpgsql AS $$
DECLARE
    c record;
BEGIN
    PERFORM set_config('bench.mode', label, false);
    FOR c IN SELECT op, sql FROM rb.cases ORDER BY ord LOOP
        CALL bench.measure(c.op, format('SELECT rb.run_as(%L, format(%L, %%L), %s)', r, replace(c.sql, '%', '%%'), times),
                           ARRAY['org-big', 'org-unknown']);
    END LOOP;
END $$;
CALL rb.measure(:'stranger', 'stranger', :repeat);
CALL rb.measure(:'member', 'member', :repeat);

\echo
\echo 'constant-time refusal: ms of backend CPU per call (' :stat 'of' :reps 'runs of' :repeat 'calls); big =' :big 'invoices'
SELECT c.op,
       round((s_big.ms / :repeat)::numeric, 4) AS "stranger: big",
       round((s_unk.ms / :repeat)::numeric, 4) AS "stranger: unknown",
       round((s_big.ms / s_unk.ms)::numeric, 2) AS "big / unknown",
       round((greatest(s_big.spread, s_unk.spread) * 100)::numeric) AS "spread %",
       round((m_big.ms / :repeat)::numeric, 4) AS "member: big"
  FROM rb.cases c
  JOIN bench.result s_big ON s_big.op = c.op AND s_big.mode = 'stranger' AND s_big.variant = 'org-big'
  JOIN bench.result s_unk ON s_unk.op = c.op AND s_unk.mode = 'stranger' AND s_unk.variant = 'org-unknown'
  JOIN bench.result m_big ON m_big.op = c.op AND m_big.mode = 'member' AND m_big.variant = 'org-big'
 ORDER BY c.ord;

RESET ROLE;
DELETE FROM invoice.members WHERE member = :'member';
DROP OWNED BY :"stranger", :"member";
DROP ROLE :"stranger";
DROP ROLE :"member";
