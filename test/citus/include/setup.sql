-- test/citus/include/setup.sql — what every Citus test file starts with (\ir include/setup.sql):
-- the search path, pg_temp.refused (test/pgtap/include/refused.sql) and pg_temp.value.
SET search_path = invoice, public;
SET client_min_messages = error;   -- Citus warns that pg_temp functions stay on the coordinator
\ir ../../pgtap/include/refused.sql
-- pg_temp.value(sql): the first column of sql's first row, as text, read on the coordinator.
-- (SELECT is((SELECT … WHERE org_id = …), …) would be pushed down whole to one worker,
-- pgTAP's is() with it, where this session's plan does not exist.)
CREATE FUNCTION pg_temp.value(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE p_sql INTO result;
    RETURN result;
END
$$;
-- pg_temp.plan_of(sql): EXPLAIN (COSTS OFF) of sql, as one text (Citus prints its task count).
CREATE FUNCTION pg_temp.plan_of(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || p_sql LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN plan;
END
$$;
-- pg_temp.issue_all(ids): invoice_issue of each id in turn (a call per row: Citus would push
-- SELECT invoice_issue(id) FROM … down to the shards, where it cannot number), the numbers joined.
CREATE FUNCTION pg_temp.issue_all(p_ids text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    id text;
    numbers text[] := '{}';
BEGIN
    FOREACH id IN ARRAY p_ids LOOP
        numbers := numbers || (invoice.invoice_issue(id)).number;
    END LOOP;
    RETURN array_to_string(numbers, ',');
END
$$;
SET client_min_messages = warning;
