
-- distribute(): the extension's tables placed on a Citus cluster (README "Scale-out with
-- Citus").  CREATE OR REPLACE: this part is also the upgrade's (sql/upgrade/*/96_distribute.sql),
-- so every version's distribute() is this one.

-- The tables of one organisation's data, in foreign-key order: each is hash-distributed by
-- org_id and colocated with orgs, so that one organisation's rows of every table live in the
-- shards of one node.  Tables added later join this list.
CREATE OR REPLACE FUNCTION invoice.distributed_tables() RETURNS regclass[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['invoice.orgs', 'invoice.members', 'invoice.invoices', 'invoice.receipts',
                 'invoice.line_items', 'invoice.credits', 'invoice.payments', 'invoice.status_history',
                 'invoice.reminders', 'invoice.advance_ledger', 'invoice.payment_requests',
                 'invoice.search_signatures', 'invoice.credit_notes', 'invoice.credit_note_lines',
                 'invoice.org_prices', 'invoice.usage_records', 'invoice.usage_inbox', 'invoice.usage_invoices',
                 'invoice.usage_billing_days',
                 'invoice.einvoices']::regclass[];
COMMENT ON FUNCTION invoice.distributed_tables()
    IS 'the organisation tables invoice.distribute() distributes by org_id, colocated with orgs, in foreign-key order';

-- Global tables, the same for every organisation: a copy on every node.
CREATE OR REPLACE FUNCTION invoice.reference_tables() RETURNS regclass[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ARRAY['invoice.supplier', 'invoice.gst_rates', 'invoice.number_series',
                 'invoice.products', 'invoice.prices']::regclass[];
COMMENT ON FUNCTION invoice.reference_tables()
    IS 'the global tables invoice.distribute() makes Citus reference tables (a copy on every node)';

-- Run a command on every worker node; any node's failure is an error.
CREATE OR REPLACE FUNCTION invoice.on_workers(command text) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, invoice, pg_temp
AS $$
DECLARE
    node record;
BEGIN
    FOR node IN SELECT * FROM run_command_on_workers(command) LOOP
        IF NOT node.success THEN
            RAISE EXCEPTION 'command failed on worker %:%: %', node.nodename, node.nodeport, node.result;
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION invoice.on_workers(text) IS 'invoice.distribute()''s helper: a command on every Citus worker, failing when any node fails';

-- invoice.api_secret stays a table of the coordinator: only the coordinator signs and checks
-- Billing v3 cursors, and its one-row rule (a trigger deleting the old secret) is local.
CREATE OR REPLACE FUNCTION invoice.distribute() RETURNS TABLE (table_name regclass, citus_table_type text)
    LANGUAGE plpgsql SET search_path = pg_catalog, invoice, pg_temp
AS $distribute$
DECLARE
    t regclass;
    sequences text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'invoice.distribute() needs the citus extension'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'On a Citus coordinator: CREATE EXTENSION citus, add the worker nodes, then call invoice.distribute().';
    END IF;
    -- Citus refuses subqueries in policies, and member_orgs() would read the members of every
    -- organisation from a shard: the member_read policies test member_of(org_id) instead,
    -- which reads the organisation's members shard on the node of the row.
    FOREACH t IN ARRAY invoice.distributed_tables() LOOP
        IF EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = t AND p.polname = 'member_read'
                      AND pg_get_expr(p.polqual, p.polrelid) NOT LIKE '%member_of(%') THEN
            EXECUTE format('ALTER POLICY member_read ON %s USING (invoice.member_of(org_id))', t);
            -- and on the workers' copies of the extension's tables (CREATE EXTENSION reached them)
            PERFORM invoice.on_workers(format('ALTER POLICY member_read ON invoice.%I USING (invoice.member_of(org_id))',
                                              (SELECT c.relname FROM pg_class c WHERE c.oid = t)));
        END IF;
    END LOOP;
    -- The extension's triggers run on the shards (row-local work and colocated, same-org SQL).
    PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    FOREACH t IN ARRAY invoice.reference_tables() LOOP
        IF NOT EXISTS (SELECT FROM pg_dist_partition p WHERE p.logicalrelid = t) THEN
            PERFORM create_reference_table(t);
            PERFORM truncate_local_data_after_distributing_table(t);   -- the coordinator's old copy
        END IF;
    END LOOP;
    FOREACH t IN ARRAY invoice.distributed_tables() LOOP
        IF NOT EXISTS (SELECT FROM pg_dist_partition p WHERE p.logicalrelid = t) THEN
            IF t = 'invoice.orgs'::regclass THEN
                PERFORM create_distributed_table(t, 'org_id');
            ELSE
                PERFORM create_distributed_table(t, 'org_id', colocate_with => 'invoice.orgs');
            END IF;
        END IF;
    END LOOP;
    -- Rows the triggers insert on a worker take their identity from the worker's own copy of
    -- the sequence: give each node its own range, (group id << 48) + 1 onwards, as Citus does
    -- for the sequences of tables it creates itself (Citus's own helper cannot see tables
    -- distributed in this transaction).  A node already in its range is left alone.
    SELECT string_agg(format('%L', pg_get_serial_sequence(a.attrelid::regclass::text, a.attname)), ', ')
      INTO sequences
      FROM unnest(invoice.distributed_tables()) AS t(rel)
      JOIN pg_attribute a ON a.attrelid = t.rel AND a.attidentity <> '' AND NOT a.attisdropped;
    PERFORM invoice.on_workers(format($worker$
            SET citus.enable_ddl_propagation TO off;
            DO $do$
            DECLARE
                seq regclass;
                low bigint := ((SELECT groupid FROM pg_catalog.pg_dist_local_group)::bigint << 48) + 1;
            BEGIN
                FOREACH seq IN ARRAY ARRAY[%s]::regclass[] LOOP
                    IF (SELECT s.seqmin FROM pg_catalog.pg_sequence s WHERE s.seqrelid = seq) <> low THEN
                        EXECUTE format('ALTER SEQUENCE %%s MINVALUE %%s MAXVALUE %%s START %%s RESTART %%s',
                                       seq, low, low + (1::bigint << 48) - 1, low, low);
                    END IF;
                END LOOP;
            END
            $do$$worker$, sequences));
    RETURN QUERY
        SELECT p.logicalrelid::regclass,
               CASE p.partmethod WHEN 'h' THEN 'distributed' WHEN 'n' THEN 'reference' ELSE p.partmethod::text END
          FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
         WHERE c.relnamespace = 'invoice'::regnamespace
         ORDER BY 2, p.logicalrelid::regclass::text;
END
$distribute$;
COMMENT ON FUNCTION invoice.distribute()
    IS 'on a Citus coordinator: reference tables for the global tables, every organisation table distributed by org_id colocated with orgs; idempotent';
REVOKE EXECUTE ON FUNCTION invoice.distribute(), invoice.distributed_tables(), invoice.reference_tables(),
    invoice.on_workers(text) FROM PUBLIC;
