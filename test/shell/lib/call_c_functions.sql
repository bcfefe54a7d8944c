-- test/shell/lib/call_c_functions.sql — call every C function of the installed invoice extension
-- once (and its aggregates), with sample arguments of their types, each in a subtransaction:
-- an error is fine (a wrong argument, a missing column of an older schema), a crash is not — it
-- ends the connection, and test/shell/upgrade.sh fails.  test/shell/upgrade.sh runs it on a 0.1
-- database with the current library, before ALTER EXTENSION UPDATE: old SQL definitions calling
-- the new library.  Functions of internal or trigger types are reached through what uses them
-- (type input/output and operators by the casts and the sample data, triggers by the data
-- load, aggregate support by the aggregate).  Prints: called N, raised M (SQLSTATEs), then
-- one line per function that raised (what refuses before the update).
-- psql variable org: an organisation of the sample; inv: one of its invoices.  search_path is
-- pg_catalog alone: the extension's SQL must not depend on the caller's (issue 20).

SET search_path = pg_catalog;
CREATE TEMP TABLE c_calls (fn text, sqlstate text, message text);

DO $$
DECLARE
    f record;
    args text[];
    a record;
    state text;
    message text;
BEGIN
    FOR f IN
        SELECT p.oid, p.prokind, p.oid::regprocedure::text AS name,
               coalesce(p.proargnames, '{}') AS argnames, p.proargtypes::oid[] AS argtypes
          FROM pg_proc p
          JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
          JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'invoice'
         WHERE (p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c') OR p.prokind = 'a')
           AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype, 'internal'::regtype)
           AND NOT ('internal'::regtype = ANY (p.proargtypes::oid[]))
           AND NOT ('cstring'::regtype = ANY (p.proargtypes::oid[]))
           -- the background worker's entry and the Citus set-up wait or need Citus
           AND p.proname NOT IN ('distribute', 'on_workers', 'worker_main', 'sweep_worker_launch')
         ORDER BY 3
    LOOP
        args := '{}';
        FOR a IN SELECT t.typ, coalesce(f.argnames[t.n], '') AS argname
                   FROM unnest(f.argtypes) WITH ORDINALITY AS t(typ, n) ORDER BY t.n
        LOOP
            args := args || CASE
                WHEN a.typ = 'text'::regtype AND a.argname ~ 'org' THEN quote_literal(current_setting('c_calls.org'))
                WHEN a.typ = 'text'::regtype AND a.argname ~ '(^id$|invoice|_id$)' THEN quote_literal(current_setting('c_calls.inv'))
                WHEN a.typ = 'text'::regtype THEN '''x'''
                -- the money type: invoice.cents in 0.1, the cents extension's since 0.2
                WHEN a.typ = (SELECT t.atttypid FROM pg_attribute t
                               WHERE t.attrelid = 'invoice.invoices'::regclass AND t.attname = 'total')
                    THEN format('''1.00''::%s', a.typ::regtype)
                WHEN a.typ IN ('numeric'::regtype, 'integer'::regtype, 'bigint'::regtype, 'smallint'::regtype,
                               'double precision'::regtype) THEN format('1::%s', a.typ::regtype)
                WHEN a.typ = 'boolean'::regtype THEN 'false'
                WHEN a.typ = 'timestamptz'::regtype THEN '''2024-06-01 00:00:00+00''::timestamptz'
                WHEN a.typ = 'date'::regtype THEN '''2024-06-01''::date'
                WHEN a.typ IN ('json'::regtype, 'jsonb'::regtype) THEN format('''{}''::%s', a.typ::regtype)
                WHEN a.typ = 'regclass'::regtype THEN '''invoice.invoices''::regclass'
                WHEN a.typ = 'bytea'::regtype THEN '''\x00''::bytea'
                WHEN a.typ = 'text[]'::regtype THEN 'ARRAY[''INV x'']'
                WHEN a.typ = 'invoice.status'::regtype THEN '''pending''::invoice.status'
                -- a row of a table: one of the sample's
                WHEN (SELECT c.relkind FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid WHERE t.oid = a.typ) = 'r'
                    THEN format('(SELECT t FROM %s t ORDER BY t::text LIMIT 1)', a.typ::regtype)
                ELSE format('NULL::%s', a.typ::regtype)
            END;
        END LOOP;
        state := 'ok';
        message := NULL;
        BEGIN
            EXECUTE format('SELECT %s(%s)', f.oid::regproc, array_to_string(args, ', '));
        EXCEPTION WHEN OTHERS THEN
            state := SQLSTATE;
            message := SQLERRM;
        END;
        INSERT INTO c_calls VALUES (f.name, state, message);
    END LOOP;
END
$$;

SELECT format('called %s, raised %s (%s)', count(*), count(*) FILTER (WHERE sqlstate <> 'ok'),
              coalesce(string_agg(DISTINCT sqlstate, ' ') FILTER (WHERE sqlstate <> 'ok'), 'none'))
  FROM c_calls;
SELECT '#   ' || fn || ': ' || sqlstate || ' ' || left(message, 120) FROM c_calls WHERE sqlstate <> 'ok' ORDER BY fn;
