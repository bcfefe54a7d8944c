-- Citus (issue #14): concurrent clients through the coordinator (dblink sessions running at
-- the same time), then the invariants.
--
--   - four issuers, each issuing the drafts of its own organisations (spread over both
--     workers) one transaction at a time, every fifth transaction rolled back: the numbers
--     of the series are 1…n exactly once each (gapless, unique) and n is what was committed;
--   - four payers paying 60.00 at once on the same two invoices of 118.00, each with its own
--     reference: each invoice takes exactly one payment (a second would exceed what is left);
--   - afterwards every invoice's amounts equal a fresh recompute, and there is one history
--     row per status change.
\set ON_ERROR_STOP 1
\ir include/setup.sql
SET client_min_messages = error;   -- Citus warns that pg_temp functions stay on the coordinator
CREATE EXTENSION IF NOT EXISTS dblink;
-- pg_temp.run_concurrently(sqls): each statement in a session of its own, all at once; waits for all.
CREATE FUNCTION pg_temp.run_concurrently(p_sqls text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    i int;
    conninfo text := format('host=localhost port=%s dbname=%s user=%s',
                            current_setting('port'), current_database(), current_user);
    outcome text := '';
    r record;
BEGIN
    FOR i IN 1 .. cardinality(p_sqls) LOOP
        PERFORM dblink_connect('cc' || i, conninfo);
    END LOOP;
    FOR i IN 1 .. cardinality(p_sqls) LOOP
        PERFORM dblink_send_query('cc' || i, p_sqls[i]);
    END LOOP;
    FOR i IN 1 .. cardinality(p_sqls) LOOP
        FOR r IN SELECT * FROM dblink_get_result('cc' || i, false) AS t(status text) LOOP
            outcome := outcome || coalesce(r.status, '') || ';';
        END LOOP;
        outcome := outcome || coalesce(nullif(dblink_error_message('cc' || i), 'OK'), 'OK') || ' ';
        PERFORM dblink_disconnect('cc' || i);
    END LOOP;
    RETURN outcome;
END
$$;
SET client_min_messages = warning;

SELECT plan(8);

DELETE FROM invoice.number_series WHERE series = 'CCI';
INSERT INTO invoice.orgs (org_id, name) SELECT 'cc-' || g, 'Concurrent ' || g FROM generate_series(1, 8) g;
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, tax_rate)
SELECT 'cc-' || g, 'cc-inv-' || g || '-' || k, 'CCI', '2024-01-01', '2024-02-01', '2024-02-01', 18
  FROM generate_series(1, 8) g, generate_series(1, 10) k;
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
SELECT org_id, id, 'compute', 4, 25 FROM invoice.invoices WHERE org_id LIKE 'cc-%';

-- Issuer n issues the drafts of organisations cc-n and cc-(n+4); every fifth transaction rolls back.
SELECT is(pg_temp.run_concurrently(ARRAY(
    SELECT format($issuer$
        DO $do$
        DECLARE
            r record;
            k int := 0;
        BEGIN
            FOR r IN SELECT id FROM invoice.invoices WHERE org_id IN (%L, %L) ORDER BY id LOOP
                PERFORM invoice.invoice_issue(r.id);
                k := k + 1;
                IF k %% 5 = 0 THEN ROLLBACK; ELSE COMMIT; END IF;
            END LOOP;
        END
        $do$$issuer$, 'cc-' || n, 'cc-' || (n + 4))
      FROM generate_series(1, 4) n)),
    'DO;OK DO;OK DO;OK DO;OK ', 'four issuers at once, 20 issues each, every fifth rolled back: all ran');
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.invoices WHERE org_id LIKE 'cc-%' AND status = 'pending'$$), '64',
          '64 invoices issued (16 rolled back)');
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.invoices i
                          JOIN generate_series(1, 64) n ON i.number = format('CCI/2324/%s', lpad(n::text, 6, '0'))
                         WHERE i.org_id LIKE 'cc-%'$$), '64',
          'their numbers are CCI/2324/000001 … 000064, each once: gapless and unique');
SELECT is(pg_temp.value($$SELECT last_value FROM invoice.number_series WHERE series = 'CCI'$$), '64',
          'the series holds 64');

-- Four payers, 60.00 each, on two invoices of 118.00: at most 118.00 accepted on each.
SELECT is(pg_temp.run_concurrently(ARRAY(
    SELECT format($payer$
        DO $do$
        BEGIN
            FOR k IN 1 .. 2 LOOP
                BEGIN
                    PERFORM invoice.invoice_pay(CASE k WHEN 1 THEN 'cc-inv-1-1' ELSE 'cc-inv-2-1' END,
                                                '60.00', 'upi', format('cc-pay-%%s-%%s', %s, k));
                EXCEPTION WHEN sqlstate 'IV003' OR sqlstate 'IV005' THEN
                    NULL;   -- more than is left, or already paid
                END;
                COMMIT;
            END LOOP;
        END
        $do$$payer$, n)
      FROM generate_series(1, 4) n)),
    'DO;OK DO;OK DO;OK DO;OK ', 'four payers at once on the same two invoices: all ran');
SELECT is(pg_temp.value($$SELECT string_agg(format('%s %s %s', i.id, i.status, p.paid), ', ' ORDER BY i.id)
                          FROM invoice.invoices i
                          JOIN (SELECT org_id, invoice_id, sum(amount) AS paid FROM invoice.payments
                                 GROUP BY org_id, invoice_id) p ON p.org_id = i.org_id AND p.invoice_id = i.id
                         WHERE i.id IN ('cc-inv-1-1', 'cc-inv-2-1')$$),
          'cc-inv-1-1 pending 60.00, cc-inv-2-1 pending 60.00',
          'each invoice took one 60.00 payment (a second would exceed the 58.00 left): never overpaid');

-- The invariants.
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.invoices i
                          WHERE i.org_id LIKE 'cc-%'
                            AND (i.usage_amount <> '100.00' OR i.total <> '118.00'
                                 OR i.amount_due <> i.total - coalesce(
                                      (SELECT sum(p.amount) FROM invoice.payments p
                                        WHERE p.org_id = i.org_id AND p.invoice_id = i.id), '0'))$$), '0',
          'every invoice''s amounts equal a fresh computation from its lines and payments');
SELECT is(pg_temp.value($$SELECT count(*) FROM invoice.invoices i
                          WHERE i.org_id LIKE 'cc-%'
                            AND (SELECT count(*) FROM invoice.status_history h
                                  WHERE h.org_id = i.org_id AND h.invoice_id = i.id)
                                <> CASE i.status WHEN 'draft' THEN 1 ELSE 2 END$$), '0',
          'one history row per creation and per status change, none for the rolled-back issues');

SELECT * FROM finish();
