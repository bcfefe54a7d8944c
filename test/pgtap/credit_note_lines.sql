-- Line credit notes (issue #17, README "Credit notes and disputes"): a note credits a line of
-- its invoice (line_id) by units, by part of its amount (line_amount), or what remains of it.
--
--   - the line's share of the invoice's credits is given back pro rata, cumulatively: after
--     credits of g of a line's amount A, the credited taxable value is g − round(S × g / A);
--   - the tax follows the invoice's rounding over the same cumulative values (per line, or
--     per rate over the invoice), so crediting every line in full gives back exactly the
--     invoice's taxable values, heads and total, in one note or many (the property test);
--   - description, HSN/SAC and rate come from the line; the taxable amount is computed at
--     issue; bad requests are refused with their SQLSTATE.
--
-- Every expected value is worked out by hand in the comment above its test (paise where it helps).
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;
-- credit notes are dated by the clock (not after it): pinned after the invoices' dates
SET LOCAL invoice.test_clock = '2025-11-01 00:00:00+00';

SELECT plan(32);

-- Fixtures --------------------------------------------------------------------

DELETE FROM invoice.supplier;
INSERT INTO invoice.supplier (legal_name, gstin, state_code) VALUES ('Line credit supplier', '29AAACI1681G1ZL', '29');
INSERT INTO invoice.orgs (org_id, name, billing_state) VALUES ('cl-ka', 'Karnataka', '29'), ('cl-mh', 'Maharashtra', '27');

-- pg_temp.inv(id, org, gst, tax_rounding): a draft of 1 October 2025 at 18 %
CREATE FUNCTION pg_temp.inv(p_id text, p_org text DEFAULT 'cl-ka', p_gst boolean DEFAULT false,
                            p_rounding text DEFAULT 'line', p_total_rounding text DEFAULT 'none') RETURNS text
LANGUAGE sql AS $$
    INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, currency, gst, tax_rate,
                                  tax_rounding, total_rounding)
    VALUES (p_org, p_id, '2025-09-01 00:00 UTC', '2025-10-01 00:00 UTC', '2025-10-01 00:00 UTC', 'INR', p_gst, 18,
            p_rounding, p_total_rounding)
    RETURNING id;
$$;
-- the n-th line of an invoice
CREATE FUNCTION pg_temp.line(p_id text, p_n int) RETURNS bigint LANGUAGE sql AS $$
    SELECT line_id FROM invoice.line_items WHERE invoice_id = p_id ORDER BY line_id OFFSET p_n - 1 LIMIT 1
$$;
-- a draft note of an invoice, with its id
CREATE FUNCTION pg_temp.note(p_id text, p_note text) RETURNS text LANGUAGE sql AS $$
    INSERT INTO invoice.credit_notes (org_id, credit_note_id, invoice_id, reason)
    SELECT org_id, p_note, id, 'other' FROM invoice.invoices WHERE id = p_id RETURNING credit_note_id
$$;
-- a line credit: by units, by line_amount, or (both NULL) the rest of the line
CREATE FUNCTION pg_temp.credit(p_note text, p_line bigint, p_units numeric DEFAULT NULL,
                               p_line_amount cents DEFAULT NULL) RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, line_id, units, line_amount)
    SELECT org_id, credit_note_id, p_line, p_units, p_line_amount FROM invoice.credit_notes WHERE credit_note_id = p_note
    RETURNING line_no
$$;
-- 'line_amount/amount/cgst/sgst/igst/tax' of a note's lines
CREATE FUNCTION pg_temp.note_lines(p_note text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(concat_ws('/', line_amount, amount, cgst, sgst, igst, tax), ' ' ORDER BY line_no)
      FROM invoice.credit_note_lines WHERE credit_note_id = p_note
$$;
CREATE FUNCTION pg_temp.issued(p_note text) RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws('/', taxable_value, cgst, sgst, igst, tax, round_off, total) FROM invoice.credit_note_issue(p_note)
$$;

-- A line and its share of the coupons ------------------------------------------------
-- Two lines of 10.00 at 18 % with a coupon of 2.00: shares 1.00 each, taxable 9.00,
-- tax 1.62 per line, total 21.24.  Crediting the first line gives back 9.00 + 1.62 =
-- 10.62 (a note of whole cents could only say 10.00 or 8.00 before).
SELECT FROM pg_temp.inv('cl-coupon');
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac)
VALUES ('cl-ka', 'cl-coupon', 'plan', '10.00', '998315'), ('cl-ka', 'cl-coupon', 'add-on', '10.00', '998316');
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('cl-ka', 'cl-coupon', '2.00', 'WELCOME');
SELECT is((invoice.invoice_issue('cl-coupon')).total, '21.24'::cents, 'the invoice: 2 × (9.00 + 1.62) = 21.24');
SELECT FROM pg_temp.note('cl-coupon', 'cl-coupon-1');
SELECT FROM pg_temp.credit('cl-coupon-1', pg_temp.line('cl-coupon', 1));
SELECT is((SELECT concat_ws('/', description, tax_rate, hsn_sac, amount IS NULL) FROM invoice.credit_note_lines
            WHERE credit_note_id = 'cl-coupon-1'), 'plan/18/998315/t',
          'a draft line credit takes the line''s description, rate and HSN/SAC; its taxable amount waits for issue');
SELECT is(pg_temp.issued('cl-coupon-1'), '9.00/0.00/0.00/0.00/1.62/0.00/10.62',
          'crediting the line in full: its taxable value after its share of the coupon, 9.00, and its tax 1.62');
SELECT is(pg_temp.note_lines('cl-coupon-1'), '10.00/9.00/0.00/0.00/0.00/1.62', '... the line: 10.00 of its amount, 9.00 taxable');
SELECT FROM pg_temp.note('cl-coupon', 'cl-coupon-again');
SELECT FROM pg_temp.credit('cl-coupon-again', pg_temp.line('cl-coupon', 1));
SELECT throws_ok($$SELECT invoice.credit_note_issue('cl-coupon-again')$$, 'IV010', NULL,
                 'the same line again: nothing left to credit (IV010)');

-- By part of the amount: 2.50 of the second line (A 10.00, S 1.00): taxable
-- 250 − round(100 × 250 / 1000) = 225 p, tax round(225 × 18 %) = round(40.5) = 41 p.
SELECT FROM pg_temp.note('cl-coupon', 'cl-coupon-2');
SELECT FROM pg_temp.credit('cl-coupon-2', pg_temp.line('cl-coupon', 2), p_line_amount => '2.50');
SELECT is(pg_temp.issued('cl-coupon-2'), '2.25/0.00/0.00/0.00/0.41/0.00/2.66', 'by line_amount 2.50: taxable 2.25, tax 0.41');
-- The rest (7.50): taxable 9.00 − 2.25 = 6.75, tax 1.62 − 0.41 = 1.21; the notes add up to the invoice.
SELECT FROM pg_temp.note('cl-coupon', 'cl-coupon-3');
SELECT FROM pg_temp.credit('cl-coupon-3', pg_temp.line('cl-coupon', 2));
SELECT is(pg_temp.issued('cl-coupon-3'), '6.75/0.00/0.00/0.00/1.21/0.00/7.96', 'the rest of the line: 6.75 + 1.21');
SELECT is((SELECT concat_ws('/', credited_amount, amount_due, status) FROM invoice.invoices WHERE id = 'cl-coupon'),
          '21.24/0.00/paid', 'every line credited: 10.62 + 2.66 + 7.96 = 21.24, the invoice''s total, settled');

-- By units, in invoice rounding within the state ----------------------------------------
-- Three lines of 3 units × 3.55 = 10.65 at 12 %... (18 % here: 12 % retired in 2025), coupon
-- 1.00: shares 100 × 1065 / 3195 = 33.33 p each, floors 33, the cent left to the first
-- line: taxable 10.31, 10.32, 10.32.  CGST per invoice: round(3095 × 9 %) = round(278.55)
-- = 279 p; exact 92.79, 92.88, 92.88: floors 92 × 3 = 276, 3 left: 93 each.
SELECT FROM pg_temp.inv('cl-units', p_gst => true, p_rounding => 'invoice');
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, hsn_sac)
SELECT 'cl-ka', 'cl-units', 'seat ' || g, 3, 3.55, '998315' FROM generate_series(1, 3) g;
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('cl-ka', 'cl-units', '1.00', 'C');
SELECT is((SELECT string_agg(concat_ws('/', taxable_value, cgst), ' ' ORDER BY line_id) FROM invoice.invoice_tax_lines('cl-units')),
          '10.31/0.93 10.32/0.93 10.32/0.93', 'the invoice: taxable 10.31 + 10.32 + 10.32, CGST 0.93 each');
SELECT FROM invoice.invoice_issue('cl-units');
-- One unit of lines 1 and 2: 1065 / 3 = 355 p each; taxable 355 − round(34 × 355 / 1065 =
-- 11.33) = 344 and 355 − round(33 × 355 / 1065 = 11) = 344.  CGST: round(688 × 9 %) =
-- round(61.92) = 62 p, exact 30.96 each: floors 30 + 30, 2 left: 31 + 31.
SELECT FROM pg_temp.note('cl-units', 'cl-units-1');
SELECT FROM pg_temp.credit('cl-units-1', pg_temp.line('cl-units', 1), 1);
SELECT FROM pg_temp.credit('cl-units-1', pg_temp.line('cl-units', 2), 1);
SELECT is(pg_temp.issued('cl-units-1'), '6.88/0.62/0.62/0.00/1.24/0.00/8.12', 'one unit of two lines: 6.88 taxable, CGST 0.62');
SELECT is(pg_temp.note_lines('cl-units-1'), '3.55/3.44/0.31/0.31/0.00/0.62 3.55/3.44/0.31/0.31/0.00/0.62',
          '... 3.55 of each line''s amount, 3.44 taxable, 0.31 per head');
-- One more unit of line 1: 355 → 710 of 1065; taxable 710 − round(34 × 710 / 1065 = 22.67)
-- = 687, less 344 before: 343.  CGST of the rate over the invoice: credited 687 + 344 =
-- 1031 × 9 % = 92.79 → 93, before 62: 31 p.
SELECT FROM pg_temp.note('cl-units', 'cl-units-2');
SELECT FROM pg_temp.credit('cl-units-2', pg_temp.line('cl-units', 1), 1);
SELECT is(pg_temp.issued('cl-units-2'), '3.43/0.31/0.31/0.00/0.62/0.00/4.05', 'a second unit of line 1: 3.43 taxable, CGST 0.31');
SELECT FROM pg_temp.note('cl-units', 'cl-units-x');
SELECT FROM pg_temp.credit('cl-units-x', pg_temp.line('cl-units', 1), 2);
SELECT throws_ok($$SELECT invoice.credit_note_issue('cl-units-x')$$, 'IV010', NULL,
                 'two more units of a line with one left: IV010');
DELETE FROM invoice.credit_notes WHERE credit_note_id = 'cl-units-x';
-- Everything left, in one note: the notes add up to the invoice exactly.
SELECT FROM pg_temp.note('cl-units', 'cl-units-3');
SELECT FROM generate_series(1, 3) g, LATERAL pg_temp.credit('cl-units-3', pg_temp.line('cl-units', g));
SELECT FROM invoice.credit_note_issue('cl-units-3');
SELECT is((SELECT concat_ws('/', sum(taxable_value), sum(cgst), sum(sgst), sum(tax), sum(total)) FROM invoice.credit_notes
            WHERE invoice_id = 'cl-units'),
          (SELECT concat_ws('/', subtotal, tax / 2, tax / 2, tax, total) FROM invoice.invoices WHERE id = 'cl-units'),
          'three notes crediting every line: the invoice''s taxable value, CGST, SGST, tax and total exactly');

-- Line rounding of the same one unit: taxable 344, CGST round(344 × 9 %) = round(30.96) = 31 p.
SELECT FROM pg_temp.inv('cl-units-line', p_gst => true, p_rounding => 'line');
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, hsn_sac)
SELECT 'cl-ka', 'cl-units-line', 'seat ' || g, 3, 3.55, '998315' FROM generate_series(1, 3) g;
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('cl-ka', 'cl-units-line', '1.00', 'C');
SELECT FROM invoice.invoice_issue('cl-units-line');
SELECT FROM pg_temp.note('cl-units-line', 'cl-units-line-1');
SELECT FROM pg_temp.credit('cl-units-line-1', pg_temp.line('cl-units-line', 1), 1);
SELECT is(pg_temp.issued('cl-units-line-1'), '3.44/0.31/0.31/0.00/0.62/0.00/4.06', 'line rounding: one unit, CGST 0.31');

-- Units that do not divide the amount: 1.00 for 3 units, one unit at a time: 33, 33,
-- then the last unit takes what remains: 34.  At 18 % (IGST): 5.94 → 6, 6, then
-- round(100 × 18 %) − 12 = 6.
SELECT FROM pg_temp.inv('cl-thirds', 'cl-mh', true);
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, amount, hsn_sac)
VALUES ('cl-mh', 'cl-thirds', 'three hours', 3, 0, '1.00', '998315');
SELECT FROM invoice.invoice_issue('cl-thirds');
SELECT FROM (SELECT pg_temp.note('cl-thirds', 'cl-thirds-' || g) AS note FROM generate_series(1, 3) g) n,
     LATERAL pg_temp.credit(n.note, pg_temp.line('cl-thirds', 1), 1);
SELECT is(concat_ws(' ', pg_temp.issued('cl-thirds-1'), pg_temp.issued('cl-thirds-2'), pg_temp.issued('cl-thirds-3')),
          '0.33/0.00/0.00/0.06/0.06/0.00/0.39 0.33/0.00/0.00/0.06/0.06/0.00/0.39 0.34/0.00/0.00/0.06/0.06/0.00/0.40',
          'a unit at a time: 0.33, 0.33, and the last unit the rest, 0.34; IGST 0.06 each');
SELECT FROM pg_temp.inv('cl-tiny');
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, amount)
VALUES ('cl-ka', 'cl-tiny', 'many calls', 1000, 0, '1.00');
SELECT FROM invoice.invoice_issue('cl-tiny');
SELECT FROM pg_temp.note('cl-tiny', 'cl-tiny-1');
SELECT FROM pg_temp.credit('cl-tiny-1', pg_temp.line('cl-tiny', 1), 1);
SELECT throws_ok($$SELECT invoice.credit_note_issue('cl-tiny-1')$$, '22023', NULL,
                 'a unit worth less than half a cent (1.00 / 1000): 22023');

-- Bad requests ---------------------------------------------------------------------------

SELECT FROM pg_temp.note('cl-units', 'cl-bad');
SELECT throws_ok($$SELECT pg_temp.credit('cl-bad', pg_temp.line('cl-coupon', 1))$$, '22023', NULL,
                 'a line of another invoice: 22023');
SELECT throws_ok($$SELECT pg_temp.credit('cl-bad', -1)$$, '22023', NULL, 'an unknown line: 22023');
SELECT throws_ok($$INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, line_id, amount)
                   VALUES ('cl-ka', 'cl-bad', pg_temp.line('cl-units', 1), '1.00')$$, '22023', NULL,
                 'a line credit with a taxable amount: 22023 (computed at issue)');
SELECT throws_ok($$SELECT pg_temp.credit('cl-bad', pg_temp.line('cl-units', 1), 1, '1.00')$$, '22023', NULL,
                 'both units and line_amount: 22023');
SELECT throws_ok($$INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, line_id, tax_rate)
                   VALUES ('cl-ka', 'cl-bad', pg_temp.line('cl-units', 1), 5)$$, '22023', NULL,
                 'another rate than the line''s: 22023');
SELECT lives_ok($$INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, line_id, tax_rate, description)
                  VALUES ('cl-ka', 'cl-bad', pg_temp.line('cl-units', 1), 18, 'seat refund')$$,
                'the line''s own rate and a description of one''s own: accepted');
SELECT throws_ok($$SELECT pg_temp.credit('cl-bad', pg_temp.line('cl-units', 1), 0)$$, '23514', NULL, 'zero units: 23514');
SELECT throws_ok($$SELECT pg_temp.credit('cl-bad', pg_temp.line('cl-units', 1), -1)$$, '23514', NULL, 'negative units: 23514');
SELECT throws_ok($$SELECT pg_temp.credit('cl-bad', pg_temp.line('cl-units', 1), NULL, '0.00')$$, '23514', NULL,
                 'a line_amount of zero: 23514');
SELECT throws_ok($$INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount, units)
                   VALUES ('cl-ka', 'cl-bad', 'goodwill', '1.00', 1)$$, '23514', NULL,
                 'units on an amount that credits no line: 23514');
SELECT throws_ok($$INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description)
                   VALUES ('cl-ka', 'cl-bad', 'goodwill')$$, '23514', NULL, 'an amount line without its amount: 23514');
SELECT FROM pg_temp.note('cl-units-line', 'cl-over');
SELECT FROM pg_temp.credit('cl-over', pg_temp.line('cl-units-line', 2), NULL, '20.00');
SELECT throws_ok($$SELECT invoice.credit_note_issue('cl-over')$$, 'IV010', NULL,
                 'more than what remains of the line''s amount (10.65): IV010 at issue');

-- The property: crediting every line in full gives back the invoice -------------------------
-- 60 random invoices (reproducible: setseed): 1–6 lines of random units and prices at
-- every GST rate in force, random coupons, within the state, across states or without
-- GST, line or invoice rounding, with or without round-off.  Every line is credited in
-- full: whole, by units in random parts, or a random part of its amount then the rest,
-- spread over 1–3 notes issued one after the other.  The notes must add up to the
-- invoice's taxable value, each head, tax and total, and leave nothing due.
CREATE FUNCTION pg_temp.property(p_invoices int) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    failures text[] := '{}';
    v_id text;
    v_org text;
    v_gst boolean;
    v_notes int;
    v_note int;
    v_line record;
    v_part record;
    v_left numeric;
    v_take numeric;
    v_invoice record;
    v_credited record;
BEGIN
    PERFORM setseed(0.17);
    CREATE TEMP TABLE parts (note int, ord serial, line_id bigint, units numeric, line_amount cents) ON COMMIT DROP;
    FOR k IN 1 .. p_invoices LOOP
        v_id := 'cl-p-' || k;
        v_org := CASE k % 3 WHEN 1 THEN 'cl-mh' ELSE 'cl-ka' END;
        v_gst := k % 3 <> 0;
        PERFORM pg_temp.inv(v_id, v_org, v_gst, CASE WHEN random() < 0.5 THEN 'line' ELSE 'invoice' END,
                            CASE WHEN random() < 0.5 THEN 'rupee' ELSE 'none' END);
        INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, tax_rate, hsn_sac)
        SELECT v_org, v_id, 'item ' || j, 1 + floor(random() * 5), round((0.01 + random() * 40)::numeric, 3),
               (ARRAY[0.25, 3, 5, 18, 40])[1 + floor(random() * 5)::int], '998315'
          FROM generate_series(1, 1 + floor(random() * 6)::int) j;
        IF random() < 0.6 THEN
            INSERT INTO invoice.credits (org_id, invoice_id, amount, code)
            SELECT v_org, v_id, cents_round((0.01 + random() * sum(amount)::numeric * 0.8)::numeric(20, 2)), 'COUPON'
              FROM invoice.line_items WHERE invoice_id = v_id;
        END IF;
        PERFORM invoice.invoice_issue(v_id);

        TRUNCATE parts;
        v_notes := 1 + floor(random() * 3);
        FOR v_line IN SELECT line_id, units, amount FROM invoice.line_items WHERE invoice_id = v_id ORDER BY line_id LOOP
            v_note := 1 + floor(random() * v_notes);
            IF random() < 0.4 THEN              -- whole
                INSERT INTO parts (note, line_id) VALUES (v_note, v_line.line_id);
            ELSIF random() < 0.5 THEN           -- by units, in random parts
                v_left := v_line.units;
                WHILE v_left > 0 LOOP
                    v_take := 1 + floor(random() * v_left);
                    INSERT INTO parts (note, line_id, units) VALUES (v_note, v_line.line_id, v_take);
                    v_left := v_left - v_take;
                    v_note := least(v_notes, v_note + floor(random() * 2)::int);
                END LOOP;
            ELSE                                -- a part of its amount, then the rest
                IF v_line.amount > '0.01' THEN
                    INSERT INTO parts (note, line_id, line_amount)
                    VALUES (v_note, v_line.line_id, (1 + floor(random() * (v_line.amount::bigint - 1)))::bigint::cents);
                    v_note := least(v_notes, v_note + floor(random() * 2)::int);
                END IF;
                INSERT INTO parts (note, line_id) VALUES (v_note, v_line.line_id);
            END IF;
        END LOOP;
        FOR v_note IN SELECT DISTINCT note FROM parts ORDER BY note LOOP
            PERFORM pg_temp.note(v_id, v_id || '-n' || v_note);
            INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, line_id, units, line_amount)
            SELECT v_org, v_id || '-n' || v_note, line_id, units, line_amount FROM parts WHERE note = v_note ORDER BY ord;
            PERFORM invoice.credit_note_issue(v_id || '-n' || v_note);
        END LOOP;

        SELECT i.subtotal, i.tax, i.total, i.amount_due, s.cgst, s.sgst, s.igst INTO v_invoice
          FROM invoice.invoices i,
               (SELECT sum(cgst) AS cgst, sum(sgst) AS sgst, sum(igst) AS igst
                  FROM invoice.invoice_tax_lines(v_id)) s
         WHERE i.id = v_id;
        SELECT sum(taxable_value) AS taxable, sum(tax) AS tax, sum(total) AS total,
               sum(cgst) AS cgst, sum(sgst) AS sgst, sum(igst) AS igst,
               bool_and(total >= '0') AS positive INTO v_credited
          FROM invoice.credit_notes WHERE invoice_id = v_id;
        IF (v_credited.taxable, v_credited.tax, v_credited.total, v_credited.cgst, v_credited.sgst, v_credited.igst)
           IS DISTINCT FROM (v_invoice.subtotal, v_invoice.tax, v_invoice.total, v_invoice.cgst, v_invoice.sgst, v_invoice.igst)
           OR v_invoice.amount_due <> '0' OR NOT v_credited.positive
           OR EXISTS (SELECT FROM invoice.credit_note_lines l JOIN invoice.credit_notes n USING (org_id, credit_note_id)
                       WHERE n.invoice_id = v_id AND (l.amount < '0' OR l.cgst < '0' OR l.igst < '0' OR l.tax < '0')) THEN
            failures := failures || format('%s: invoice %s, notes %s', v_id, v_invoice, v_credited);
        END IF;
    END LOOP;
    RETURN array_to_string(failures, '; ');
END
$$;
SELECT is(pg_temp.property(60), '',
          'property: 60 random invoices, every line credited in full in random parts and notes: the notes give back exactly the invoice');
SELECT cmp_ok((SELECT count(*) FROM invoice.credit_notes WHERE invoice_id LIKE 'cl-p-%'), '>=', 60::bigint,
              '... in at least one note per invoice (the property ran)');
SELECT ok((SELECT count(*) FILTER (WHERE round_off <> '0') > 0 AND count(*) FILTER (WHERE tax_rounding = 'invoice') > 0
                  AND count(*) FILTER (WHERE credits_applied > '0') > 0 AND count(*) FILTER (WHERE gst_intra_state) > 0
                  AND count(*) FILTER (WHERE NOT gst_intra_state) > 0 AND count(*) FILTER (WHERE NOT gst) > 0
             FROM invoice.invoices WHERE id LIKE 'cl-p-%'),
          '... covering round-off, invoice rounding, coupons, CGST + SGST, IGST and no GST');

SELECT * FROM finish();
ROLLBACK;
