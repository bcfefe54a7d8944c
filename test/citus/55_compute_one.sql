-- Citus (issue #14): the one-invoice path of the recompute trigger on the organisations'
-- nodes.  Twins as in test/pgtap/compute_one_invoice.sql: two identical invoices in two
-- organisations (the shards of either worker); the fast twin is changed by statements on its
-- own rows (the trigger's one-invoice path, its SQL on the shard), the set twin by the same
-- statements with one more row of a companion invoice of its organisation (the set-based
-- path).  Their amounts must agree after every step, and invoice_compute must find nothing
-- to change.
\set ON_ERROR_STOP 1
\ir include/setup.sql
SET TimeZone = 'UTC';
SELECT plan(9);

INSERT INTO invoice.orgs (org_id, name) SELECT 'cco-' || t, 'Citus twin ' || t FROM unnest(ARRAY['f', 's']) t;
INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, currency, tax_rate,
                              tax_rounding, total_rounding)
SELECT 'cco-' || t, 'cco-' || t || k, 'CCO', '2024-01-01', '2024-02-01', '2024-02-01', 'INR', 18,
       CASE k WHEN '' THEN 'invoice' END, CASE k WHEN '' THEN 'rupee' END
  FROM unnest(ARRAY['f', 's']) t, unnest(ARRAY['', '-pad', '-due']) k;
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate)
SELECT 'cco-' || t, 'cco-' || t || k, 'companion', '1000.00', NULL
  FROM unnest(ARRAY['f', 's']) t, unnest(ARRAY['-pad', '-due']) k;
INSERT INTO invoice.credits (org_id, invoice_id, amount, code)
SELECT 'cco-' || t, 'cco-' || t || '-pad', '0.01', 'PAD' FROM unnest(ARRAY['f', 's']) t;
SELECT invoice.invoice_issue('cco-' || t || '-due') FROM unnest(ARRAY['f', 's']) t \g /dev/null

SET client_min_messages = error;   -- Citus warns that pg_temp functions stay on the coordinator
-- pg_temp.twins(): the twins' amounts, '<fast> | <set>'
CREATE FUNCTION pg_temp.twins() RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.value($q$SELECT string_agg(concat_ws('/', status, usage_amount, credits_applied, already_billed_amount,
                                                         subtotal, tax, total, amount_due, round_off), ' | ' ORDER BY id)
                              FROM invoice.invoices WHERE id IN ('cco-f', 'cco-s')$q$)
$$;
-- pg_temp.both(sql, pad): sql for the fast twin (%1$L its organisation and id, %2$s empty), then with pad for the set twin
CREATE FUNCTION pg_temp.both(p_sql text, p_pad text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(p_sql, 'cco-f', '');
    EXECUTE format(p_sql, 'cco-s', format(p_pad, 'cco-s'));
    RETURN split_part(pg_temp.twins(), ' | ', 1) = split_part(pg_temp.twins(), ' | ', 2);
END $$;
SET client_min_messages = warning;

SELECT is(pg_temp.both($$INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, tax_rate)
                         VALUES (%1$L, %1$L, 'compute', 12.5, 0.3333, NULL), (%1$L, %1$L, 'storage', 7, 1.05, 5) %2$s$$,
                       $$, (%1$L, %1$L || '-pad', 'pad', 1, 0.01, NULL)$$), 'true',
          'two lines of one invoice in one statement, and with a companion: the same amounts');
SELECT is(pg_temp.both($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
                         VALUES (%1$L, %1$L, 'support', '3.35') %2$s$$,
                       $$, (%1$L, %1$L || '-pad', 'pad', '0.01')$$), 'true', 'one more line: the same amounts');
SELECT is(pg_temp.both($$INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES (%1$L, %1$L, '2.71', 'C') %2$s$$,
                       $$, (%1$L, %1$L || '-pad', '0.01', 'PAD')$$), 'true', 'a credit: the same amounts');
SELECT is(pg_temp.both($$UPDATE invoice.line_items l SET amount = CASE WHEN l.invoice_id = %1$L THEN '9.99' ELSE l.amount END
                          WHERE l.org_id = %1$L AND (l.description = 'support' %2$s)$$,
                       $$OR (l.invoice_id = %1$L || '-pad' AND l.description = 'companion')$$), 'true',
          'a line''s amount changed: the same amounts');
SELECT is(pg_temp.both($$DELETE FROM invoice.line_items l WHERE l.org_id = %1$L AND (l.description = 'storage' %2$s)$$,
                       $$OR l.description = 'pad'$$), 'true', 'a line deleted: the same amounts');
SELECT is(pg_temp.value($$SELECT split_part(pg_temp.twins(), ' | ', 1)$$),
          'draft/14.16/2.71/0.00/11.45/2.06/14.00/14.00/0.49',
          'the fast twin: 4.17 + 9.99 less 2.71 (0.80 and 1.91), tax round(11.45 × 18 %) = 2.06, 13.51 rounded to 14.00');

SELECT invoice.invoice_issue('cco-' || t) FROM unnest(ARRAY['f', 's']) t \g /dev/null
SELECT is(pg_temp.both($$INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)
                         VALUES (%1$L, %1$L, '10.00', 'upi', %1$L || '-1') %2$s$$,
                       $$, (%1$L, %1$L || '-due', '0.01', 'upi', %1$L || '-pad-1')$$), 'true', 'a payment: the same amounts');
SELECT is(pg_temp.both($$INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)
                         VALUES (%1$L, %1$L, '4.00', 'upi', %1$L || '-2') %2$s$$,
                       $$, (%1$L, %1$L || '-due', '0.01', 'upi', %1$L || '-pad-2')$$), 'true',
          'the rest paid: the same amounts and status');
SELECT is(pg_temp.value($$SELECT concat_ws('/', status, amount_due) FROM invoice.invoice_compute('cco-f')$$), 'paid/0.00',
          'invoice_compute through the coordinator agrees: paid, nothing due');

SELECT * FROM finish();
