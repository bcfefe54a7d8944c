-- Tax rounding modes and round-off (issue #17, README "Tax rounding and round-off").
--
--   - line rounding (today's): each tax head rounded half away from zero on
--     each line;
--   - invoice rounding: each head rounded once per rate over the invoice,
--     spread back over the lines by largest remainder (ties: larger taxable
--     value, then the earlier line), so the lines add up to the invoice;
--   - the supplier's settings apply to drafts that have none of their own,
--     issue fixes them on the invoice, a draft is recomputed when they move;
--   - round-off: an INR invoice rounding its total to the rupee carries the
--     difference as round_off, part of total (and so of amount_due);
--   - credit notes follow their invoice's rounding; their round-off makes
--     the value credited so far a whole number of rupees.
--
-- Every expected value is worked out by hand in the comment above its test;
-- amounts in paise where it helps.  Line credit notes and the property that
-- crediting every line gives back the invoice are in credit_note_lines.sql.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;
-- credit notes are dated by the clock and must not be after it: pinned after the invoices' dates
SET LOCAL invoice.test_clock = '2024-11-15 00:00:00+00';

SELECT plan(62);

-- Fixtures --------------------------------------------------------------------
-- The supplier is in Karnataka (29); 12 % is a GST rate on 1 October 2024.

DELETE FROM invoice.supplier;
INSERT INTO invoice.supplier (legal_name, gstin, state_code)
VALUES ('Rounding test supplier', '29AAACI1681G1ZL', '29');
INSERT INTO invoice.orgs (org_id, name, billing_state) VALUES
    ('gr-ka', 'Karnataka customer', '29'),
    ('gr-mh', 'Maharashtra customer', '27'),
    ('gr-us', 'Customer abroad', NULL);

-- pg_temp.inv(org, id, rate, gst, currency, tax_rounding): a draft invoiced on 1 October 2024
CREATE FUNCTION pg_temp.inv(p_org text, p_id text, p_rate numeric, p_gst boolean DEFAULT true,
                            p_currency text DEFAULT 'INR', p_rounding text DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
    INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, currency, gst, tax_rate,
                                  tax_rounding)
    VALUES (p_org, p_id, '2024-09-01 00:00 UTC', '2024-10-01 00:00 UTC', '2024-10-01 00:00 UTC',
            p_currency, p_gst, p_rate, p_rounding)
    RETURNING id;
$$;
CREATE FUNCTION pg_temp.lines(p_id text, VARIADIC p_amounts cents[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac)
    SELECT i.org_id, i.id, 'service ' || n, a, '998315'
      FROM invoice.invoices i, unnest(p_amounts) WITH ORDINALITY u (a, n) WHERE i.id = p_id ORDER BY n;
$$;
-- 'taxable/cgst/sgst/igst/tax' per line, in line order
CREATE FUNCTION pg_temp.heads(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(concat_ws('/', taxable_value, cgst, sgst, igst, tax), ' ' ORDER BY line_id)
      FROM invoice.invoice_tax_lines(p_id)
$$;
-- 'subtotal/tax/round_off/total/amount_due'
CREATE FUNCTION pg_temp.amts(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws('/', subtotal, tax, round_off, total, amount_due) FROM invoice.invoices WHERE id = p_id
$$;

-- The issue's first example: two lines of 7.60 at 12 % within the state -----------
-- Per head 760 p × 6 % = 45.6 p.  Line rounding: 46 p per line and head, CGST
-- 0.92, SGST 0.92, tax 1.84.  Invoice rounding: CGST = round(1520 × 6 %) =
-- round(91.2) = 91 p; floors 45 + 45, the paisa left goes to the first line
-- (equal remainders .6, equal taxable values): 0.46 + 0.45; SGST the same.
SELECT FROM pg_temp.inv('gr-ka', 'gr-ex1-line', 12, p_rounding => 'line');
SELECT FROM pg_temp.lines('gr-ex1-line', '7.60', '7.60');
SELECT FROM pg_temp.inv('gr-ka', 'gr-ex1-inv', 12, p_rounding => 'invoice');
SELECT FROM pg_temp.lines('gr-ex1-inv', '7.60', '7.60');
SELECT is(pg_temp.heads('gr-ex1-line'), '7.60/0.46/0.46/0.00/0.92 7.60/0.46/0.46/0.00/0.92',
          'example 1, line rounding: 0.46 + 0.46 per head');
SELECT is((SELECT cgst::text || '/' || sgst FROM invoice.invoice_tax_summary('gr-ex1-line')), '0.92/0.92',
          'example 1, line rounding: CGST 0.92, SGST 0.92');
SELECT is(pg_temp.amts('gr-ex1-line'), '15.20/1.84/0.00/17.04/17.04', 'example 1, line rounding: tax 1.84, total 17.04');
SELECT is(pg_temp.heads('gr-ex1-inv'), '7.60/0.46/0.46/0.00/0.92 7.60/0.45/0.45/0.00/0.90',
          'example 1, invoice rounding: 0.46 + 0.45 per head, the paisa on the first line');
SELECT is((SELECT cgst::text || '/' || sgst FROM invoice.invoice_tax_summary('gr-ex1-inv')), '0.91/0.91',
          'example 1, invoice rounding: CGST 0.91, SGST 0.91');
SELECT is(pg_temp.amts('gr-ex1-inv'), '15.20/1.82/0.00/17.02/17.02', 'example 1, invoice rounding: tax 1.82, total 17.02');

-- The issue's second example: two lines of 0.55 at 10 %, no GST -------------------
-- 55 p × 10 % = 5.5 p.  Line rounding: 6 + 6 = 12 p.  Invoice rounding:
-- round(110 × 10 %) = 11 p: 6 + 5.
SELECT FROM pg_temp.inv('gr-us', 'gr-ex2-line', 10, false, 'USD', 'line');
SELECT FROM pg_temp.lines('gr-ex2-line', '0.55', '0.55');
SELECT FROM pg_temp.inv('gr-us', 'gr-ex2-inv', 10, false, 'USD', 'invoice');
SELECT FROM pg_temp.lines('gr-ex2-inv', '0.55', '0.55');
SELECT is(pg_temp.heads('gr-ex2-line'), '0.55/0.00/0.00/0.00/0.06 0.55/0.00/0.00/0.00/0.06',
          'example 2, line rounding: 0.06 + 0.06');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gr-ex2-line'), '0.12'::cents, 'example 2, line rounding: tax 0.12');
SELECT is(pg_temp.heads('gr-ex2-inv'), '0.55/0.00/0.00/0.00/0.06 0.55/0.00/0.00/0.00/0.05',
          'example 2, invoice rounding: 0.06 + 0.05');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gr-ex2-inv'), '0.11'::cents, 'example 2, invoice rounding: tax 0.11');

-- IGST, three lines of 0.35 at 12 %: 35 × 12 % = 4.2 p each.  Line: 4 + 4 + 4
-- = 12 p.  Invoice: round(105 × 12 %) = round(12.6) = 13 p: 5 + 4 + 4.
SELECT FROM pg_temp.inv('gr-mh', 'gr-igst', 12, p_rounding => 'invoice');
SELECT FROM pg_temp.lines('gr-igst', '0.35', '0.35', '0.35');
SELECT is(pg_temp.heads('gr-igst'), '0.35/0.00/0.00/0.05/0.05 0.35/0.00/0.00/0.04/0.04 0.35/0.00/0.00/0.04/0.04',
          'IGST, invoice rounding: round(12.6 p) = 13 p spread 5 + 4 + 4');
SELECT FROM pg_temp.inv('gr-mh', 'gr-igst-line', 12, p_rounding => 'line');
SELECT FROM pg_temp.lines('gr-igst-line', '0.35', '0.35', '0.35');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gr-igst-line'), '0.12'::cents, 'IGST, line rounding: 3 × 4 p');

-- Largest remainder, not first come: 0.30 and 0.45 at 10 %: 3 p and 4.5 p.
-- Invoice: round(75 × 10 %) = round(7.5) = 8 p; floors 3 + 4, the paisa to
-- the larger remainder (.5 over .0): 3 + 5.
SELECT FROM pg_temp.inv('gr-us', 'gr-remainder', 10, false, 'USD', 'invoice');
SELECT FROM pg_temp.lines('gr-remainder', '0.30', '0.45');
SELECT is(pg_temp.heads('gr-remainder'), '0.30/0.00/0.00/0.00/0.03 0.45/0.00/0.00/0.00/0.05',
          'invoice rounding: the leftover paisa goes to the largest remainder (the second line)');

-- Per rate: two lines of 0.55 at 10 % and two of 0.30 at 5 %.  At 10 %: 11 p
-- as above; at 5 %: 30 × 5 % = 1.5 p each, round(60 × 5 %) = 3 p: 2 + 1.
-- Tax 14 p; line rounding 6 + 6 + 2 + 2 = 16 p.
SELECT FROM pg_temp.inv('gr-us', 'gr-rates', 10, false, 'USD', 'invoice');
SELECT FROM pg_temp.lines('gr-rates', '0.55', '0.55', '0.30', '0.30');
UPDATE invoice.line_items SET tax_rate = 5 WHERE invoice_id = 'gr-rates' AND amount = '0.30';
SELECT is(pg_temp.heads('gr-rates'),
          '0.55/0.00/0.00/0.00/0.06 0.55/0.00/0.00/0.00/0.05 0.30/0.00/0.00/0.00/0.02 0.30/0.00/0.00/0.00/0.01',
          'invoice rounding is per rate: 10 % gives 6 + 5, 5 % gives 2 + 1');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gr-rates'), '0.14'::cents, 'per rate: tax 0.11 + 0.03 = 0.14');
UPDATE invoice.invoices SET tax_rounding = 'line' WHERE id = 'gr-rates';
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gr-rates'), '0.16'::cents,
          'a draft switched to line rounding is recomputed at once: 6 + 6 + 2 + 2 = 0.16');

-- After credits: 7.60 and 7.60 with a credit of 0.01 (the paisa off the first
-- line: equal remainders, the earlier line): taxable 7.59 + 7.60.  Invoice
-- rounding: 1519 × 6 % = 91.14 → 91 p; exact 45.54 and 45.6, floors 45 + 45,
-- the paisa to .6: CGST 0.45 + 0.46.
SELECT FROM pg_temp.inv('gr-ka', 'gr-credit', 12, p_rounding => 'invoice');
SELECT FROM pg_temp.lines('gr-credit', '7.60', '7.60');
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('gr-ka', 'gr-credit', '0.01', 'ONE');
SELECT is(pg_temp.heads('gr-credit'), '7.59/0.45/0.45/0.00/0.90 7.60/0.46/0.46/0.00/0.92',
          'invoice rounding after credits: on the taxable values, 0.45 + 0.46 per head');

-- The supplier's setting, fixed at issue -------------------------------------------

SELECT FROM pg_temp.inv('gr-ka', 'gr-follow', 12);
SELECT FROM pg_temp.lines('gr-follow', '7.60', '7.60');
SELECT is((SELECT tax_rounding FROM invoice.invoices WHERE id = 'gr-follow'), NULL,
          'a draft created without a tax rounding follows the supplier''s (NULL)');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gr-follow'), '1.84'::cents, 'the supplier rounds per line: 1.84');
UPDATE invoice.supplier SET tax_rounding = 'invoice';
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gr-follow'), '1.82'::cents,
          'the supplier switches to invoice rounding: its following drafts are recomputed, 1.82');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gr-ex1-line'), '1.84'::cents,
          'a draft with its own setting (line) keeps it: 1.84');
SELECT is((invoice.invoice_issue('gr-follow')).tax_rounding, 'invoice', 'issue fixes the supplier''s setting on the invoice');
UPDATE invoice.supplier SET tax_rounding = 'line';
SELECT is(pg_temp.amts('gr-follow'), '15.20/1.82/0.00/17.02/17.02',
          'the supplier switching back changes nothing on the issued invoice');
SELECT lives_ok($$SELECT invoice.invoice_compute('gr-follow')$$, 'a recompute of the issued invoice ...');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gr-follow'), '1.82'::cents, '... keeps its invoice rounding');
SELECT throws_ok($$UPDATE invoice.invoices SET tax_rounding = 'line' WHERE id = 'gr-follow'$$, 'IV002', NULL,
                 'the tax rounding of an issued invoice is frozen (IV002)');
SELECT throws_ok($$UPDATE invoice.invoices SET total_rounding = 'rupee' WHERE id = 'gr-follow'$$, 'IV002', NULL,
                 'so is its total rounding (IV002)');
SELECT is((SELECT total_rounding FROM invoice.invoices WHERE id = 'gr-follow'), 'none',
          'issue fixes the total rounding too: none');

-- Bad values
SELECT throws_ok($$UPDATE invoice.invoices SET tax_rounding = 'banker' WHERE id = 'gr-ex1-line'$$, '23514', NULL,
                 'an unknown tax rounding: 23514');
SELECT throws_ok($$UPDATE invoice.invoices SET tax_rounding = '' WHERE id = 'gr-ex1-line'$$, '23514', NULL,
                 'an empty tax rounding: 23514');
SELECT throws_ok($$UPDATE invoice.supplier SET tax_rounding = NULL$$, '23502', NULL, 'the supplier''s tax rounding is never NULL');
SELECT throws_ok($$UPDATE invoice.supplier SET total_rounding = 'paisa'$$, '23514', NULL, 'an unknown total rounding: 23514');
SELECT throws_ok($$UPDATE invoice.invoices SET total_rounding = 'rupee' WHERE id = 'gr-ex2-line'$$, '23514', NULL,
                 'round-off to the rupee on a USD invoice: 23514');
SELECT throws_ok($$SELECT invoice.invoice_amounts('1.00', 10, NULL, NULL, NULL, NULL, NULL, 'lines', NULL)$$, '22023', NULL,
                 'invoice_amounts: an unknown tax rounding is 22023');
SELECT throws_ok($$SELECT invoice.invoice_amounts('1.00', 10, NULL, NULL, NULL, NULL, NULL, NULL, 'dollar')$$, '22023', NULL,
                 'invoice_amounts: an unknown total rounding is 22023');
SELECT is((SELECT (invoice.invoice_amounts(a, 10, NULL, NULL, NULL, NULL, NULL, 'invoice', 'rupee')).total
             FROM (VALUES ('0.55'::cents), ('0.55')) v (a)), '1.00'::cents,
          'invoice_amounts: 1.10 + 0.11 = 1.21 rounded to the rupee is 1.00');
SELECT is((SELECT (invoice.invoice_amounts(a, 10, NULL, NULL, NULL, NULL, NULL, NULL, NULL)).tax
             FROM (VALUES ('0.55'::cents), ('0.55')) v (a)), '0.12'::cents,
          'invoice_amounts: NULL roundings are line and none');

-- Round-off to the rupee --------------------------------------------------------------

-- 15.20 + 1.84 = 17.04 → 17.00: round-off −0.04.
SELECT FROM pg_temp.inv('gr-ka', 'gr-ro-down', 12, p_rounding => 'line');
SELECT FROM pg_temp.lines('gr-ro-down', '7.60', '7.60');
UPDATE invoice.invoices SET total_rounding = 'rupee' WHERE id = 'gr-ro-down';
SELECT is(pg_temp.amts('gr-ro-down'), '15.20/1.84/-0.04/17.00/17.00',
          'round-off: 17.04 → 17.00, round_off −0.04, amount due 17.00');
-- 17.50 without tax: half a rupee rounds up, +0.50; 17.49: −0.49.
SELECT FROM pg_temp.inv('gr-ka', 'gr-ro-half', 0, false);
SELECT FROM pg_temp.lines('gr-ro-half', '17.50');
UPDATE invoice.invoices SET total_rounding = 'rupee' WHERE id = 'gr-ro-half';
SELECT is(pg_temp.amts('gr-ro-half'), '17.50/0.00/0.50/18.00/18.00', 'round-off: 17.50 → 18.00 (half away from zero), +0.50');
UPDATE invoice.line_items SET amount = '17.49' WHERE invoice_id = 'gr-ro-half';
SELECT is(pg_temp.amts('gr-ro-half'), '17.49/0.00/-0.49/17.00/17.00', 'round-off: 17.49 → 17.00, −0.49');
UPDATE invoice.line_items SET amount = '17.00' WHERE invoice_id = 'gr-ro-half';
SELECT is(pg_temp.amts('gr-ro-half'), '17.00/0.00/0.00/17.00/17.00', 'round-off: a whole rupee amount has none');
UPDATE invoice.invoices SET total_rounding = 'none' WHERE id = 'gr-ro-half';
UPDATE invoice.line_items SET amount = '17.50' WHERE invoice_id = 'gr-ro-half';
SELECT is(pg_temp.amts('gr-ro-half'), '17.50/0.00/0.00/17.50/17.50', 'total rounding none: no round-off');

-- The supplier's round-off applies to INR drafts without their own setting, not to other currencies.
UPDATE invoice.supplier SET total_rounding = 'rupee';
SELECT FROM pg_temp.inv('gr-ka', 'gr-ro-inr', 12, p_rounding => 'line');
SELECT FROM pg_temp.lines('gr-ro-inr', '7.60', '7.60');
SELECT FROM pg_temp.inv('gr-us', 'gr-ro-usd', 10, false, 'USD', 'line');
SELECT FROM pg_temp.lines('gr-ro-usd', '0.55', '0.55');
SELECT is(pg_temp.amts('gr-ro-inr'), '15.20/1.84/-0.04/17.00/17.00', 'the supplier''s round-off: an INR draft rounds to 17.00');
SELECT is(pg_temp.amts('gr-ro-usd'), '1.10/0.12/0.00/1.22/1.22', '... a USD draft does not');
SELECT is((invoice.invoice_issue('gr-ro-usd')).total_rounding, 'none', 'issue fixes none on the USD invoice');
SELECT is((invoice.invoice_issue('gr-ro-inr')).total_rounding, 'rupee', 'issue fixes rupee on the INR invoice');
UPDATE invoice.supplier SET total_rounding = 'none';
SELECT is(pg_temp.amts('gr-ro-inr'), '15.20/1.84/-0.04/17.00/17.00', 'the supplier''s change leaves the issued invoice rounded');

-- amount_due follows the rounded total: 17.00 pays it in full; 17.04 would be too much.
SELECT throws_ok($$SELECT invoice.invoice_pay('gr-ro-inr', '17.04', 'upi', 'gr-pay-over')$$, 'IV003', NULL,
                 'paying the unrounded 17.04 exceeds the amount due (IV003)');
SELECT is((invoice.invoice_pay('gr-ro-inr', '17.00', 'upi', 'gr-pay-1')).amount, '17.00'::cents, 'paying 17.00 ...');
SELECT is((SELECT status FROM invoice.invoices WHERE id = 'gr-ro-inr'), 'paid'::invoice.status, '... settles it: paid');

-- Where it shows: Describe, CSV
SELECT is((invoice.invoice_describe('gr-ro-inr')::jsonb) -> 'data' -> 'roundOff', '-4'::jsonb,
          'Describe: roundOff in integer cents (−4)');
SELECT is((invoice.invoice_describe('gr-ro-inr')::jsonb) -> 'data' ->> 'taxRounding', 'line', 'Describe: taxRounding');
SELECT is((invoice.invoice_describe('gr-ro-inr')::jsonb) -> 'data' -> 'total', '1700'::jsonb, 'Describe: total after round-off');
SELECT is((SELECT round_off FROM invoice.invoice_csv('gr-ka') WHERE id = 'gr-ro-inr'), -0.04, 'CSV: round_off in major units');

-- Credit notes follow the invoice's rounding ---------------------------------------------

-- A note of two amounts of 7.60 at 12 % within the state: line rounding 0.92
-- per head, invoice rounding 0.91 (as the invoices above).
SELECT FROM invoice.invoice_issue('gr-ex1-line');
SELECT FROM invoice.invoice_issue('gr-ex1-inv');
INSERT INTO invoice.credit_notes (org_id, credit_note_id, invoice_id, reason) VALUES
    ('gr-ka', 'gr-cn-line', 'gr-ex1-line', 'other'), ('gr-ka', 'gr-cn-inv', 'gr-ex1-inv', 'other');
INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount)
SELECT 'gr-ka', n, 'refund', '7.60' FROM (VALUES ('gr-cn-line'), ('gr-cn-line'), ('gr-cn-inv'), ('gr-cn-inv')) v (n);
SELECT is((SELECT concat_ws('/', taxable_value, cgst, sgst, tax, total) FROM invoice.credit_note_issue('gr-cn-line')),
          '15.20/0.92/0.92/1.84/17.04', 'a note of an invoice rounded per line: CGST 0.46 + 0.46');
SELECT is((SELECT concat_ws('/', taxable_value, cgst, sgst, tax, total) FROM invoice.credit_note_issue('gr-cn-inv')),
          '15.20/0.91/0.91/1.82/17.02', 'a note of an invoice rounded per invoice: CGST 0.91');
SELECT is((SELECT string_agg(cgst::text, ' ' ORDER BY line_no) FROM invoice.credit_note_lines WHERE credit_note_id = 'gr-cn-inv'),
          '0.46 0.45', '... spread 0.46 + 0.45 over its lines');

-- Round-off of notes: cumulative.  Invoice 10.55 at 18 % (1.899 → 1.90):
-- 12.45, round-off −0.45, total 12.00.  Note 1, 5.00 of the line: tax
-- round(0.90) = 0.90, value 5.90, credited so far 5.90 → 6.00: +0.10, total
-- 6.00.  Note 2, the rest: taxable 5.55, tax 1.90 − 0.90 = 1.00, value 6.55;
-- credited 12.45 → 12.00, of which 6.00 before: −0.55, total 6.00.  The
-- notes add up to the invoice's 12.00.
SELECT FROM pg_temp.inv('gr-ka', 'gr-ro-cn', 18, false, p_rounding => 'line');
SELECT FROM pg_temp.lines('gr-ro-cn', '10.55');
UPDATE invoice.invoices SET total_rounding = 'rupee' WHERE id = 'gr-ro-cn';
SELECT is((invoice.invoice_issue('gr-ro-cn')).total, '12.00'::cents, 'an invoice of 12.45 rounded off to 12.00');
INSERT INTO invoice.credit_notes (org_id, credit_note_id, invoice_id, reason) VALUES
    ('gr-ka', 'gr-ro-cn-1', 'gr-ro-cn', 'other'), ('gr-ka', 'gr-ro-cn-2', 'gr-ro-cn', 'other');
INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, line_id, line_amount)
SELECT 'gr-ka', 'gr-ro-cn-1', line_id, '5.00' FROM invoice.line_items WHERE invoice_id = 'gr-ro-cn';
INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, line_id)
SELECT 'gr-ka', 'gr-ro-cn-2', line_id FROM invoice.line_items WHERE invoice_id = 'gr-ro-cn';
SELECT is((SELECT concat_ws('/', taxable_value, tax, round_off, total) FROM invoice.credit_note_issue('gr-ro-cn-1')),
          '5.00/0.90/0.10/6.00', 'note 1: 5.90 rounded off to 6.00');
SELECT is((SELECT amount_due FROM invoice.invoices WHERE id = 'gr-ro-cn'), '6.00'::cents, '... 6.00 left due');
SELECT is((SELECT concat_ws('/', taxable_value, tax, round_off, total) FROM invoice.credit_note_issue('gr-ro-cn-2')),
          '5.55/1.00/-0.55/6.00', 'note 2: 6.55 with −0.55 makes the credited 12.00');
SELECT is((SELECT concat_ws('/', credited_amount, amount_due, status) FROM invoice.invoices WHERE id = 'gr-ro-cn'),
          '12.00/0.00/paid', 'the notes add up to the rounded total: settled');

SELECT * FROM finish();
ROLLBACK;
