-- The one-invoice path of the recompute trigger (issue #14, README "Derived
-- amounts"): a statement that changes the lines, credits or payments of one
-- invoice recomputes it with per-invoice plans; a statement over several
-- invoices runs the set-based recompute.  Both must store the same amounts,
-- to the cent.
--
-- Twins: every scenario builds two identical invoices, each in an
-- organisation of its own with identical settings.  The fast twin is changed
-- by statements on its rows alone; the set twin by the same statements with
-- one more row of a companion invoice of its organisation in each (a draft
-- "pad" for lines and credits, an issued "due" invoice for payments), which
-- makes them statements over two invoices.  After every step the twins'
-- amounts and status are compared, and each fast twin's stored amounts are
-- compared with what invoice_compute (the set-based recompute) makes of it.
-- The scenarios are drawn at random (fixed seed): GST within the state and
-- across, no GST in INR and USD, rates with decimals, per-line rates, line
-- and invoice tax rounding, round-off to the rupee, credits below and above
-- the usage, advance applied at issue, payments, credit notes.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;
-- credit notes are dated by the clock and must not be before their invoice: pinned after the invoices' dates
SET LOCAL invoice.test_clock = '2024-11-15 00:00:00+00';

SELECT plan(19);

-- Fixtures --------------------------------------------------------------------
-- The supplier is in Karnataka (29); its default rounding is line, no round-off.

DELETE FROM invoice.supplier;
INSERT INTO invoice.supplier (legal_name, gstin, state_code)
VALUES ('Twin test supplier', '29AAACI1681G1ZL', '29');
SELECT setseed(0.14);

CREATE TEMP TABLE scenario AS
SELECT k,
       (ARRAY['intra', 'inter', 'inr', 'usd'])[1 + floor(random() * 4)::int] AS place,
       (ARRAY[0, 5, 12, 18, 28, 7.125, 0.1])[1 + floor(random() * 7)::int]::numeric AS tax_rate,
       (ARRAY[NULL, 'line', 'invoice'])[1 + floor(random() * 3)::int] AS tax_rounding,
       (ARRAY[NULL, 'none', 'rupee'])[1 + floor(random() * 3)::int] AS total_rounding,
       1 + floor(random() * 6)::int AS nlines,
       floor(random() * 3)::int AS ncredits,
       random() < 0.4 AS advance,
       random() < 0.5 AS credit_note
FROM generate_series(1, 30) k;
-- round-off is for INR only; GST invoices take GST rates (rates with decimals: the others)
UPDATE scenario SET total_rounding = NULL WHERE place = 'usd' AND total_rounding = 'rupee';
UPDATE scenario SET tax_rate = 18 WHERE place IN ('intra', 'inter') AND tax_rate NOT IN (0, 5, 12, 18, 28);

-- Each scenario's draws, the same for both twins.
CREATE TEMP TABLE draw AS
SELECT s.k, n, floor(random() * 4)::int AS shape,
       (1 + floor(random() * 250000))::bigint AS cents,
       round((random() * 90)::numeric, 3) AS units,
       round((random() * 7)::numeric, 4) AS rate,
       (ARRAY[5, 12, 18, 0.25, 3])[1 + floor(random() * 5)::int]::numeric AS line_rate
FROM scenario s CROSS JOIN generate_series(1, 12) n;

-- org 'tw-<k>-f' / 'tw-<k>-s'; invoice 'tw-<k>-f' / 'tw-<k>-s'; companions '<org>-pad' (draft), '<org>-due' (issued)
CREATE FUNCTION pg_temp.setup(p_k int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    s scenario;
    twin text;
    org text;
BEGIN
    SELECT * INTO s FROM scenario WHERE k = p_k;
    FOREACH twin IN ARRAY ARRAY['f', 's'] LOOP
        org := format('tw-%s-%s', p_k, twin);
        INSERT INTO invoice.orgs (org_id, name, billing_state)
        VALUES (org, 'Twin ' || org, CASE s.place WHEN 'intra' THEN '29' WHEN 'inter' THEN '27' END);
        INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, currency, gst, tax_rate,
                                      tax_rounding, total_rounding)
        VALUES (org, org, '2024-09-01', '2024-10-01', '2024-10-01',
                CASE s.place WHEN 'usd' THEN 'USD' ELSE 'INR' END, s.place IN ('intra', 'inter'), s.tax_rate,
                s.tax_rounding, s.total_rounding);
        INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, currency, tax_rate)
        VALUES (org, org || '-pad', '2024-09-01', '2024-10-01', '2024-10-01', 'INR', 18),
               (org, org || '-due', '2024-09-01', '2024-10-01', '2024-10-01', 'INR', 18);
        INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
        VALUES (org, org || '-due', 'companion', 1, 100000), (org, org || '-pad', 'pad', 1, 0.01);
        INSERT INTO invoice.credits (org_id, invoice_id, amount, code)
        VALUES (org, org || '-pad', '0.01', 'PAD');
        PERFORM invoice.invoice_issue(org || '-due');
    END LOOP;
END $$;

-- Mismatches between the twins, and between a fast twin and invoice_compute, by step.
CREATE TEMP TABLE mismatch (k int, step text, fast text, other text);
CREATE TEMP TABLE steps (k int, step text);

CREATE FUNCTION pg_temp.state(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws('/', status, usage_amount, credits_applied, already_billed_amount, subtotal, tax, total,
                     advance_pay_amount, amount_due, credited_amount, round_off)
      FROM invoice.invoices WHERE id = p_id
$$;

CREATE FUNCTION pg_temp.compare(p_k int, p_step text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    f text := format('tw-%s-f', p_k);
    fast text := pg_temp.state(f);
    twin text := pg_temp.state(format('tw-%s-s', p_k));
    recomputed text;
BEGIN
    INSERT INTO steps VALUES (p_k, p_step);
    IF fast IS DISTINCT FROM twin THEN
        INSERT INTO mismatch VALUES (p_k, p_step || ': twins', fast, twin);
    END IF;
    PERFORM invoice.invoice_compute(f);
    recomputed := pg_temp.state(f);
    IF fast IS DISTINCT FROM recomputed THEN
        INSERT INTO mismatch VALUES (p_k, p_step || ': invoice_compute', fast, recomputed);
    END IF;
END $$;

-- One step on both twins: fast_sql alone on the fast one, fast_sql plus a companion's row on the set one.
-- %1$L is the organisation (= the invoice's id), %2$s the companion's part of the set twin's statement.
CREATE FUNCTION pg_temp.both(p_k int, p_step text, p_sql text, p_pad text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format(p_sql, format('tw-%s-f', p_k), '');
    EXECUTE format(p_sql, format('tw-%s-s', p_k), format(p_pad, format('tw-%s-s', p_k)));
    PERFORM pg_temp.compare(p_k, p_step);
END $$;

-- the n-th line (from 0, in line order) of an invoice, as SQL
CREATE FUNCTION pg_temp.nth(p_table text, p_key text, p_n int) RETURNS text LANGUAGE sql AS $$
    SELECT format('(SELECT %2$s FROM invoice.%1$s WHERE org_id = %%1$L AND invoice_id = %%1$L ORDER BY %2$s OFFSET %3$s LIMIT 1)',
                  p_table, p_key, p_n)
$$;

CREATE FUNCTION pg_temp.run(p_k int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    s scenario;
    d draw;
    due cents;
    pay cents;
BEGIN
    SELECT * INTO s FROM scenario WHERE k = p_k;
    PERFORM pg_temp.setup(p_k);

    -- lines, one statement each: an amount, units × rate, with or without a rate of its own
    FOR d IN SELECT * FROM draw WHERE k = p_k AND n <= s.nlines ORDER BY n LOOP
        PERFORM pg_temp.both(p_k, 'insert line ' || d.n,
            format('INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, amount, tax_rate, hsn_sac)'
                   ' VALUES (%%1$L, %%1$L, %L, %L, %L, %L, %L, ''998315'') %%2$s',
                   'line ' || d.n, d.units, d.rate,
                   CASE WHEN d.shape IN (0, 1) THEN (d.cents::cents)::text END,
                   CASE WHEN d.shape NOT IN (1, 3) THEN NULL
                        WHEN s.place IN ('intra', 'inter') AND d.line_rate NOT IN (5, 12, 18) THEN 12
                        ELSE d.line_rate END),
            ', (%1$L, %1$L || ''-pad'', ''pad'', 1, 0.01, NULL, NULL, NULL)');
    END LOOP;

    -- credits, one statement each (one of them, in some scenarios, above the whole usage)
    FOR d IN SELECT * FROM draw WHERE k = p_k AND n <= s.ncredits ORDER BY n LOOP
        PERFORM pg_temp.both(p_k, 'insert credit ' || d.n,
            format('INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES (%%1$L, %%1$L, %L, ''C'') %%2$s',
                   (CASE WHEN d.shape = 0 THEN d.cents * 9 ELSE d.cents / 7 + 1 END)::cents),
            ', (%1$L, %1$L || ''-pad'', ''0.01'', ''PAD'')');
    END LOOP;

    -- one line's units change (its amount derived again), another line's amount, then a line goes
    SELECT * INTO d FROM draw WHERE k = p_k AND n = 12;
    PERFORM pg_temp.both(p_k, 'update units',
        format('UPDATE invoice.line_items l SET units = CASE WHEN l.invoice_id = %%1$L THEN %L ELSE l.units END,'
               '  rate = CASE WHEN l.invoice_id = %%1$L THEN %L ELSE l.rate END,'
               '  amount = CASE WHEN l.invoice_id = %%1$L THEN NULL ELSE l.amount END'
               ' WHERE l.org_id = %%1$L AND (l.line_id = %s %%2$s)', d.units, d.rate, pg_temp.nth('line_items', 'line_id', 0)),
        'OR l.line_id = (SELECT min(line_id) FROM invoice.line_items WHERE org_id = %1$L AND invoice_id = %1$L || ''-pad'')');
    IF s.nlines > 1 THEN
        PERFORM pg_temp.both(p_k, 'update amount',
            format('UPDATE invoice.line_items l SET amount = CASE WHEN l.invoice_id = %%1$L THEN %L ELSE l.amount END'
                   ' WHERE l.org_id = %%1$L AND (l.line_id = %s %%2$s)',
                   (d.cents + 1)::cents, pg_temp.nth('line_items', 'line_id', s.nlines - 1)),
            'OR l.line_id = (SELECT max(line_id) FROM invoice.line_items WHERE org_id = %1$L AND invoice_id = %1$L || ''-pad'')');
        PERFORM pg_temp.both(p_k, 'delete line',
            format('DELETE FROM invoice.line_items l WHERE l.org_id = %%1$L AND (l.line_id = %s %%2$s)',
                   pg_temp.nth('line_items', 'line_id', 1)),
            'OR l.line_id = (SELECT min(line_id) FROM invoice.line_items WHERE org_id = %1$L AND invoice_id = %1$L || ''-pad'')');
    END IF;
    IF s.ncredits > 1 THEN
        PERFORM pg_temp.both(p_k, 'delete credit',
            format('DELETE FROM invoice.credits c WHERE c.org_id = %%1$L AND (c.credit_id = %s %%2$s)',
                   pg_temp.nth('credits', 'credit_id', 0)),
            'OR c.credit_id = (SELECT min(credit_id) FROM invoice.credits WHERE org_id = %1$L AND invoice_id = %1$L || ''-pad'')');
    END IF;

    -- issue, the advance (a top-up of a third of the total, or all of it) applied first
    IF s.advance THEN
        PERFORM invoice.invoice_topup(format('tw-%s-%s', p_k, t),
                                      CASE WHEN d.shape = 0 THEN '999999.00'::cents
                                           ELSE greatest((SELECT total FROM invoice.invoices WHERE id = format('tw-%s-f', p_k)) / 3,
                                                         '0.01') END,
                                      'upi', format('tw-%s-%s-topup', p_k, t))
          FROM unnest(ARRAY['f', 's']) t;
    END IF;
    PERFORM invoice.invoice_issue(format('tw-%s-%s', p_k, t)) FROM unnest(ARRAY['f', 's']) t;
    PERFORM pg_temp.compare(p_k, 'issued');

    -- a credit note of a fifth of the subtotal
    IF s.credit_note AND (SELECT subtotal FROM invoice.invoices WHERE id = format('tw-%s-f', p_k)) > '1.00'
       AND (SELECT status FROM invoice.invoices WHERE id = format('tw-%s-f', p_k)) <> 'paid' THEN
        PERFORM pg_temp.note(format('tw-%s-%s', p_k, t),
                             (SELECT subtotal FROM invoice.invoices WHERE id = format('tw-%s-f', p_k)) / 5)
          FROM unnest(ARRAY['f', 's']) t;
        PERFORM pg_temp.compare(p_k, 'credit note');
    END IF;

    -- payments: a third of what is due, corrected to a half, then one goes and the rest is paid
    due := (SELECT amount_due FROM invoice.invoices WHERE id = format('tw-%s-f', p_k));
    IF due >= '0.10' THEN
        pay := due / 3;
        PERFORM pg_temp.both(p_k, 'insert payment',
            format('INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)'
                   ' VALUES (%%1$L, %%1$L, %L, ''upi'', %%1$L || ''-1'') %%2$s', pay),
            ', (%1$L, %1$L || ''-due'', ''0.01'', ''upi'', %1$L || ''-pad-1'')');
        PERFORM pg_temp.both(p_k, 'update payment',
            format('UPDATE invoice.payments p SET amount = CASE WHEN p.invoice_id = %%1$L THEN %L ELSE p.amount END'
                   ' WHERE p.org_id = %%1$L AND (p.provider_ref = %%1$L || ''-1'' %%2$s)', due / 2),
            'OR p.provider_ref = %1$L || ''-pad-1''');
        PERFORM pg_temp.both(p_k, 'insert second payment',
            format('INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)'
                   ' VALUES (%%1$L, %%1$L, %L, ''card'', %%1$L || ''-2'') %%2$s', pay),
            ', (%1$L, %1$L || ''-due'', ''0.01'', ''upi'', %1$L || ''-pad-2'')');
        PERFORM pg_temp.both(p_k, 'delete payment',
            'DELETE FROM invoice.payments p WHERE p.org_id = %1$L AND (p.provider_ref = %1$L || ''-1'' %2$s)',
            'OR p.provider_ref = %1$L || ''-pad-2''');
        due := (SELECT amount_due FROM invoice.invoices WHERE id = format('tw-%s-f', p_k));
        PERFORM pg_temp.both(p_k, 'pay the rest',
            format('INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)'
                   ' VALUES (%%1$L, %%1$L, %L, ''upi'', %%1$L || ''-3'') %%2$s', due),
            ', (%1$L, %1$L || ''-due'', ''0.01'', ''upi'', %1$L || ''-pad-3'')');
    END IF;
END $$;

-- pg_temp.note(invoice, amount): an issued credit note of amount at the invoice's rate
CREATE FUNCTION pg_temp.note(p_invoice text, p_amount cents) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_note invoice.credit_notes;
BEGIN
    v_note := invoice.credit_note_create(p_invoice, 'wrong_rate', 'twin note');
    INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount)
    VALUES (v_note.org_id, v_note.credit_note_id, 'discount', p_amount);
    PERFORM invoice.credit_note_issue(v_note.credit_note_id);
END $$;

DO $$ BEGIN PERFORM pg_temp.run(k) FROM scenario ORDER BY k; END $$;

-- The comparisons --------------------------------------------------------------

SELECT is((SELECT count(*) FROM mismatch WHERE step LIKE '%twins'), 0::bigint,
          'every step: the one-invoice path stores what the set-based path stores (amounts and status)');
SELECT is((SELECT count(*) FROM mismatch WHERE step LIKE '%invoice_compute'), 0::bigint,
          'every step: invoice_compute finds nothing to change after the one-invoice path');
SELECT results_eq($$SELECT k, step, fast, other FROM mismatch ORDER BY k, step$$,
                  $$SELECT NULL::int, NULL::text, NULL::text, NULL::text WHERE false$$,
                  'no mismatch (listed here if any)');

-- What the scenarios covered: a comparison that never met a case proves nothing about it.
SELECT cmp_ok((SELECT count(*) FROM steps), '>', 250::bigint, 'more than 250 steps compared');
SELECT ok(EXISTS (SELECT FROM invoice.invoices i JOIN invoice.orgs o USING (org_id)
                  WHERE i.id LIKE 'tw-%-f' AND i.gst AND o.billing_state = '29' AND i.tax > '0'),
          'covered: GST within the state (CGST + SGST)');
SELECT ok(EXISTS (SELECT FROM invoice.invoices i JOIN invoice.orgs o USING (org_id)
                  WHERE i.id LIKE 'tw-%-f' AND i.gst AND o.billing_state = '27' AND i.tax > '0'),
          'covered: GST across states (IGST)');
SELECT ok(EXISTS (SELECT FROM invoice.invoices WHERE id LIKE 'tw-%-f' AND currency = 'USD' AND tax > '0'),
          'covered: tax without GST');
SELECT ok(EXISTS (SELECT FROM invoice.invoices WHERE id LIKE 'tw-%-f' AND tax_rounding = 'invoice'),
          'covered: invoice tax rounding');
SELECT ok(EXISTS (SELECT FROM invoice.invoices WHERE id LIKE 'tw-%-f' AND round_off <> '0'),
          'covered: a round-off to the rupee');
SELECT ok(EXISTS (SELECT FROM invoice.invoices WHERE id LIKE 'tw-%-f' AND credits_applied > '0'
                  AND credits_applied < usage_amount),
          'covered: credits spread over lines');
SELECT ok(EXISTS (SELECT FROM invoice.invoices WHERE id LIKE 'tw-%-f' AND credits_applied = usage_amount
                  AND usage_amount > '0'),
          'covered: credits capped at the usage');
SELECT ok(EXISTS (SELECT FROM invoice.invoices WHERE id LIKE 'tw-%-f' AND advance_pay_amount > '0'
                  AND already_billed_amount > '0'),
          'covered: payments after an advance');
SELECT ok(EXISTS (SELECT FROM invoice.invoices WHERE id LIKE 'tw-%-f' AND credited_amount > '0'
                  AND already_billed_amount > '0'),
          'covered: payments after a credit note');
SELECT ok(EXISTS (SELECT FROM steps s JOIN invoice.invoices i ON i.id = format('tw-%s-f', s.k)
                  WHERE s.step = 'pay the rest' AND i.status = 'paid'),
          'covered: the last payment makes the invoice paid');

-- The search signatures: every line description ever given is in the invoice's signature.
UPDATE invoice.line_items l SET description = 'renamed ' || l.line_id
 WHERE l.org_id = 'tw-1-f' AND l.invoice_id = 'tw-1-f-pad'
   AND l.line_id = (SELECT min(line_id) FROM invoice.line_items WHERE org_id = 'tw-1-f' AND invoice_id = 'tw-1-f-pad');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
VALUES ('tw-1-f', 'tw-1-f-pad', 'zebra quartz', '1.00');
SELECT is((SELECT count(*) FROM invoice.invoices i
            JOIN invoice.search_signatures g ON g.org_id = i.org_id AND g.invoice_id = i.id
           WHERE i.id LIKE 'tw-%'
             AND invoice.search_signature_union(g.signature,
                   (SELECT invoice.search_signature(ARRAY[i.number, i.description] || array_agg(l.description))
                      FROM invoice.line_items l WHERE l.org_id = i.org_id AND l.invoice_id = i.id)) <> g.signature),
          0::bigint, 'every line description is in its invoice''s search signature, after either path');
SELECT is((SELECT count(*) FROM invoice.search_signatures g
           WHERE g.org_id = 'tw-1-f' AND g.invoice_id = 'tw-1-f-pad'
             AND invoice.search_signature_union(g.signature,
                   invoice.search_signature(ARRAY['zebra quartz', 'renamed ' || (SELECT min(line_id) FROM invoice.line_items
                                                    WHERE org_id = 'tw-1-f' AND invoice_id = 'tw-1-f-pad')])) = g.signature),
          1::bigint, 'a line inserted, and a description changed, by one-invoice statements: in the signature');

-- The one-invoice path refuses what the set-based path refuses ------------------

SELECT throws_ok($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
                   VALUES ('tw-1-f', 'tw-1-f-due', 'late', '1.00')$$,
                 'IV002', 'invoice "tw-1-f-due" is pending: its line items cannot be changed',
                 'a line of an issued invoice: IV002, as before');
SELECT throws_ok($$INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)
                   VALUES ('tw-1-f', 'tw-1-f-pad', '1.00', 'upi', 'tw-draft')$$,
                 'IV005', 'invoice "tw-1-f-pad" is draft: its payments cannot be changed',
                 'a payment of a draft: IV005, as before');
SELECT throws_ok($$INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)
                   VALUES ('tw-1-f', 'tw-1-f-due', '100000000.00', 'upi', 'tw-over')$$,
                 'IV003', NULL, 'a payment above the total: IV003, as before');

SELECT * FROM finish();
ROLLBACK;
