
-- The functions that pin search_path = pg_catalog, invoice, pg_temp find the money type's
-- operators and aggregates in the cents extension's schema, wherever CREATE EXTENSION cents put
-- it: that schema goes after invoice.  Runs last in the install script and in every upgrade
-- script (a function an upgrade defines again comes back with the short path).  A schema where
-- untrusted roles may create objects would be a risk on that path: warned about (README
-- "The cents extension").
DO $search_path$
DECLARE
    cents_schema name := (SELECT n.nspname
                            FROM pg_catalog.pg_extension e
                            JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
                           WHERE e.extname = 'cents');
    fn pg_catalog.regprocedure;
BEGIN
    IF cents_schema IN ('pg_catalog', 'invoice') THEN
        RETURN;
    END IF;
    IF pg_catalog.has_schema_privilege('public', cents_schema, 'CREATE') THEN
        RAISE WARNING 'every role may create objects in schema %, where the cents extension is', cents_schema
              USING HINT = 'REVOKE CREATE ON SCHEMA ' || pg_catalog.quote_ident(cents_schema)
                           || ' FROM PUBLIC (the default since PostgreSQL 15): the extension''s functions search it.';
    END IF;
    FOR fn IN
        SELECT p.oid
          FROM pg_catalog.pg_proc p
          JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid
                                     AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.deptype = 'e'
          JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'invoice'
         WHERE 'search_path=pg_catalog, invoice, pg_temp' = ANY (p.proconfig)
    LOOP
        EXECUTE pg_catalog.format('ALTER FUNCTION %s SET search_path = pg_catalog, invoice, %I, pg_temp', fn, cents_schema);
    END LOOP;
END
$search_path$;
