
-- table_ddl: how the install and upgrade scripts change a table that may already be distributed
-- by Citus (README "Versions and upgrades", on Citus).  Each statement runs on its own
-- (EXECUTE): Citus sends a distributed or reference table's DDL to the shards as the statement's
-- text, and in an extension script that text would be the whole script.  On a Citus worker, for
-- a table the coordinator distributed, they change this node's copy of the table only (DDL
-- propagation off): the workers are updated first, so that the functions the coordinator's
-- constraints and policies call exist on them when its update reaches the shards — and then the
-- coordinator's statements reach this copy again.  So every statement must be idempotent:
-- ADD COLUMN IF NOT EXISTS, DROP CONSTRAINT IF EXISTS before ADD CONSTRAINT, DROP POLICY IF
-- EXISTS before CREATE POLICY, CREATE INDEX IF NOT EXISTS.
CREATE FUNCTION invoice.table_ddl(t regclass, VARIADIC statements text[]) RETURNS void
    LANGUAGE plpgsql    -- the script's search_path (the cents type's schema on it); not PUBLIC's to call
AS $$
DECLARE
    statement text;
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus') THEN
        IF (SELECT groupid FROM pg_catalog.pg_dist_local_group) <> 0
           AND EXISTS (SELECT FROM pg_catalog.pg_dist_partition WHERE logicalrelid = t) THEN
            PERFORM pg_catalog.set_config('citus.enable_ddl_propagation', 'off', true);
        END IF;
    END IF;
    FOREACH statement IN ARRAY statements LOOP
        EXECUTE statement;
    END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION invoice.table_ddl(regclass, text[]) FROM PUBLIC;
COMMENT ON FUNCTION invoice.table_ddl(regclass, text[])
    IS 'internal to the install and upgrade scripts: each (idempotent) DDL statement about table t on its own; on a Citus worker where t is distributed, this node''s copy only';
