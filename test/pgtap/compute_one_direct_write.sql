-- The one-invoice recompute writes the invoice's amounts without an executor UPDATE
-- (src/amounts_write.c) and reads its children by direct index scans
-- (src/compute_one_read.c): README "Decisions".  The same guarantees as the UPDATE:
-- the direct write is taken (the BEFORE UPDATE trigger function is not called through the
-- executor, yet its rules apply: updated_at), CHECK constraints on the columns it changes
-- and every NOT VALID constraint refuse the row with the executor's own error, a trigger
-- of someone else on invoices still fires (the executor writes then), a status change
-- still writes its history, a row moved off its page gets its index entries, and the
-- amounts are those of the set-based recompute.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;
SET LOCAL invoice.test_clock = '2024-11-15 00:00:00+00';
SET LOCAL track_functions = 'all';

SELECT plan(21);

INSERT INTO invoice.orgs (org_id, name) VALUES ('dw-org', 'Direct write test org');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, tax_rate, description)
VALUES ('dw-org', 'dw-1', '2024-10-01', '2024-11-01', 'INR', 18, 'first'),
       ('dw-org', 'dw-2', '2024-10-01', '2024-11-01', 'INR', 18, 'second');

-- pg_temp.calls(f): how often this transaction called invoice.f (track_functions = all)
CREATE FUNCTION pg_temp.calls(f text) RETURNS bigint LANGUAGE sql AS $$
    SELECT coalesce((SELECT s.calls FROM pg_stat_xact_user_functions s
                      WHERE s.schemaname = 'invoice' AND s.funcname = f), 0)
$$;
-- pg_temp.amounts(id): the stored amounts
CREATE FUNCTION pg_temp.amounts(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws('/', usage_amount, credits_applied, subtotal, tax, total, amount_due)
      FROM invoice.invoices WHERE id = p_id
$$;

-- 1. The direct write: amounts stored, updated_at from the clock, the row trigger not called by the executor
SET LOCAL invoice.test_clock = '2024-11-16 10:00:00+00';
SELECT pg_temp.calls('invoice_before_update') AS before_calls \gset
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount) VALUES ('dw-org', 'dw-1', 'one', '100.00');
SELECT is(pg_temp.amounts('dw-1'), '100.00/0.00/100.00/18.00/118.00/118.00', 'a line: the amounts are written');
SELECT is(pg_temp.calls('invoice_before_update'), :before_calls::bigint,
          'the write took the direct path: invoice_before_update not called by an executor UPDATE');
SELECT is((SELECT updated_at FROM invoice.invoices WHERE id = 'dw-1'), '2024-11-16 10:00:00+00'::timestamptz,
          'the BEFORE UPDATE rules still applied: updated_at from the clock');
SELECT is(pg_temp.amounts('dw-1'), (SELECT concat_ws('/', usage_amount, credits_applied, subtotal, tax, total, amount_due)
                                      FROM invoice.invoice_compute('dw-1')),
          'invoice_compute (the set-based recompute) finds the same amounts');

-- 2. Credits and an UPDATE and a DELETE of a line: the same path, the same amounts as the set-based one
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('dw-org', 'dw-1', '10.00', 'C1');
UPDATE invoice.line_items SET amount = '50.00' WHERE invoice_id = 'dw-1';
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, tax_rate)
VALUES ('dw-org', 'dw-1', 'two', 3, 2.5, 5);
SELECT is(pg_temp.amounts('dw-1'), '57.50/10.00/47.50/7.74/55.24/55.24',
          'credit spread pro rata (8.70 and 1.30), line changed, line at its own rate (7.43 + 0.31 tax)');
SELECT is(pg_temp.amounts('dw-1'), (SELECT concat_ws('/', usage_amount, credits_applied, subtotal, tax, total, amount_due)
                                      FROM invoice.invoice_compute('dw-1')),
          'invoice_compute finds the same amounts');
DELETE FROM invoice.line_items WHERE invoice_id = 'dw-1' AND description = 'two';
SELECT is(pg_temp.amounts('dw-1'), '50.00/10.00/40.00/7.20/47.20/47.20', 'a line deleted');
SELECT is(pg_temp.calls('invoice_before_update'), :before_calls::bigint, 'all of them through the direct write');

-- 2b. A draft without roundings of its own takes the supplier's (read directly): per-invoice tax, rupee round-off
UPDATE invoice.supplier SET tax_rounding = 'invoice', total_rounding = 'rupee';
INSERT INTO invoice.supplier (legal_name, tax_rounding, total_rounding)
SELECT 'Direct write supplier', 'invoice', 'rupee' WHERE NOT EXISTS (SELECT FROM invoice.supplier);
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, tax_rate)
VALUES ('dw-org', 'dw-r', '2024-10-01', '2024-11-01', 'INR', 18);
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount) VALUES ('dw-org', 'dw-r', 'a', '0.33');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount) VALUES ('dw-org', 'dw-r', 'b', '0.33');
SELECT is((SELECT concat_ws('/', usage_amount, tax, round_off, total) FROM invoice.invoices WHERE id = 'dw-r'),
          '0.66/0.12/0.22/1.00',
          'the supplier''s roundings: tax once over the invoice (0.1188 → 0.12, not 0.06 + 0.06), total to the rupee');
SELECT is((SELECT concat_ws('/', usage_amount, tax, round_off, total) FROM invoice.invoices WHERE id = 'dw-r'),
          (SELECT concat_ws('/', usage_amount, tax, round_off, total) FROM invoice.invoice_compute('dw-r')),
          'invoice_compute finds the same');
UPDATE invoice.supplier SET tax_rounding = 'line', total_rounding = 'none';

-- 3. A CHECK constraint on a column the write changes refuses it, with the executor's error
ALTER TABLE invoice.invoices ADD CONSTRAINT dw_total_cap CHECK (total < '100.00');
SELECT throws_ok($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
                   VALUES ('dw-org', 'dw-1', 'too much', '60.00')$$,
                 '23514', 'new row for relation "invoices" violates check constraint "dw_total_cap"',
                 'a constraint added to invoices is enforced on the trigger''s write');
SELECT lives_ok($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
                  VALUES ('dw-org', 'dw-1', 'small', '1.00')$$,
                'a row it accepts is written');
SELECT is(pg_temp.amounts('dw-1'), '51.00/10.00/41.00/7.38/48.38/48.38', 'with its amounts');
ALTER TABLE invoice.invoices DROP CONSTRAINT dw_total_cap;

-- 4. A NOT VALID constraint is run even on columns the write does not change (the stored row may break it)
ALTER TABLE invoice.invoices ADD CONSTRAINT dw_description CHECK (description <> 'second') NOT VALID;
SELECT throws_ok($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
                   VALUES ('dw-org', 'dw-2', 'one', '1.00')$$,
                 '23514', 'new row for relation "invoices" violates check constraint "dw_description"',
                 'a NOT VALID constraint the stored row breaks refuses the write, as an UPDATE');
ALTER TABLE invoice.invoices DROP CONSTRAINT dw_description;

-- 5. Someone else's trigger on invoices fires: the executor writes then
CREATE TEMP TABLE dw_audit (id text, total cents);
CREATE FUNCTION pg_temp.dw_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO dw_audit VALUES (NEW.id, NEW.total);
    RETURN NEW;
END $$;
CREATE TRIGGER dw_audit AFTER UPDATE ON invoice.invoices FOR EACH ROW EXECUTE FUNCTION pg_temp.dw_audit();
SELECT pg_temp.calls('invoice_before_update') AS before_calls \gset
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount) VALUES ('dw-org', 'dw-2', 'audited', '10.00');
SELECT is((SELECT string_agg(id || ' ' || total, ', ') FROM dw_audit), 'dw-2 11.80',
          'a user''s UPDATE trigger on invoices fires on the trigger''s write');
SELECT is(pg_temp.calls('invoice_before_update'), :before_calls::bigint + 1,
          'that write went through the executor (invoice_before_update called once)');
DROP TRIGGER dw_audit ON invoice.invoices;

-- 6. A payment that leaves nothing due: the status changes, its history is written (the executor's path)
SELECT invoice.invoice_issue('dw-2') \g /dev/null
INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)
VALUES ('dw-org', 'dw-2', '11.80', 'upi', 'dw-pay');
SELECT is((SELECT status::text FROM invoice.invoices WHERE id = 'dw-2'), 'paid', 'paid in full: paid');
SELECT is((SELECT string_agg(coalesce(from_status::text, '') || '>' || to_status, ',' ORDER BY history_id)
             FROM invoice.status_history WHERE invoice_id = 'dw-2'),
          '>draft,draft>pending,pending>paid', 'with its history rows');

-- 7. Many writes of one row in one transaction: versions leave the page (not HOT) and get
--    their index entries, as from an UPDATE
CREATE EXTENSION IF NOT EXISTS amcheck;
DO $$
BEGIN
    FOR n IN 1..120 LOOP
        INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
        VALUES ('dw-org', 'dw-1', 'many ' || n, '0.01');
    END LOOP;
END $$;
SELECT cmp_ok((SELECT n_tup_upd - n_tup_hot_upd FROM pg_stat_xact_user_tables
                WHERE schemaname = 'invoice' AND relname = 'invoices'), '>', 0::bigint,
              'some of the writes were not heap-only');
SELECT lives_ok($$SELECT bt_index_check(c.oid, true) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                   WHERE i.indrelid = 'invoice.invoices'::regclass AND c.relam = (SELECT oid FROM pg_am WHERE amname = 'btree')$$,
                'every index of invoices holds every row version (amcheck, heapallindexed)');
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
SELECT is((SELECT usage_amount FROM invoice.invoices WHERE id = 'dw-1'), '52.20'::cents,
          'the latest version is found through the index on id');

SELECT * FROM finish();
ROLLBACK;
