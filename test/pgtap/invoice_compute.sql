-- invoice computation (SPEC §3 "Amounts" and "Numbering"): line amounts,
-- credits, pro rata credit spreading and per-line tax rounding, worked out by
-- hand below; the invariant "stored amounts = invoice_compute = an independent
-- SQL formula" under random edits; the set-based billing-day functions; and
-- invoice numbers and ids.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';

SELECT plan(97);

-- Fixtures --------------------------------------------------------------------

INSERT INTO invoice.orgs (org_id, name) VALUES ('tc-org', 'Compute test org');
-- this file's numbering series start from scratch (rolled back at the end)
DELETE FROM invoice.number_series WHERE series IN ('INV', 'TCP', 'TCQ', 'CN', 'ABCD', 'ABC');

-- pg_temp.inv(id, tax_rate [, invoice_date, series, period_start]): a draft for one month
CREATE FUNCTION pg_temp.inv(p_id text, p_tax numeric, p_date timestamptz DEFAULT '2024-02-01 00:00 UTC',
                            p_series text DEFAULT 'TCP',
                            p_start timestamptz DEFAULT '2024-01-01 00:00 UTC') RETURNS void
LANGUAGE sql AS $$
    INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, due_date, tax_rate)
    VALUES ('tc-org', p_id, p_series, p_start, p_start + interval '1 month', p_date, p_date + interval '30 days', p_tax);
$$;

-- pg_temp.line(id, units, rate [, amount, tax_rate]): a line item; amount NULL = units × rate
CREATE FUNCTION pg_temp.line(p_id text, p_units numeric, p_rate numeric,
                             p_amount cents DEFAULT NULL, p_tax numeric DEFAULT NULL) RETURNS bigint
LANGUAGE sql AS $$
    INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, amount, tax_rate)
    VALUES ('tc-org', p_id, 'line', p_units, p_rate, p_amount, p_tax)
    RETURNING line_id;
$$;

CREATE FUNCTION pg_temp.credit(p_id text, p_amount cents) RETURNS void LANGUAGE sql AS $$
    INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('tc-org', p_id, p_amount, 'C');
$$;

-- stored amounts as 'usage/credits/subtotal/tax/total/billed/advance/due'
CREATE FUNCTION pg_temp.amts(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws('/', usage_amount, credits_applied, subtotal, tax, total, already_billed_amount,
                     advance_pay_amount, amount_due)
      FROM invoice.invoices WHERE org_id = 'tc-org' AND id = p_id
$$;

-- The same eight amounts, from the rows, by an independent formula in plain
-- SQL (integer cents, numeric arithmetic): SPEC §3 with credits spread by
-- largest remainder (ties: higher tax rate, then larger amount; lines equal
-- in remainder, rate and amount are interchangeable, so the tax does not
-- depend on the order among them) and tax rounded half away from zero per line.
CREATE FUNCTION pg_temp.expected(p_org text, p_id text) RETURNS text LANGUAGE sql AS $$
    WITH inv AS (SELECT * FROM invoice.invoices WHERE org_id = p_org AND id = p_id),
    l AS (SELECT li.line_id, li.amount::bigint::numeric AS a, coalesce(li.tax_rate, inv.tax_rate) AS r
            FROM invoice.line_items li JOIN inv ON li.org_id = inv.org_id AND li.invoice_id = inv.id),
    u AS (SELECT coalesce(sum(a), 0) AS usage FROM l),
    c AS (SELECT least(coalesce((SELECT sum(amount::bigint) FROM invoice.credits
                                  WHERE org_id = p_org AND invoice_id = p_id), 0), u.usage) AS applied FROM u),
    p AS (SELECT coalesce(sum(amount::bigint), 0) AS paid FROM invoice.payments WHERE org_id = p_org AND invoice_id = p_id),
    s AS (SELECT l.*, floor(c.applied * a / u.usage) AS share,
                 row_number() OVER (ORDER BY mod(c.applied * a, u.usage) DESC, r DESC, a DESC, line_id) AS rn
            FROM l, u, c WHERE u.usage > 0),
    leftover AS (SELECT c.applied - coalesce((SELECT sum(share) FROM s), 0) AS n FROM c),
    t AS (SELECT coalesce(sum(round((a - share - CASE WHEN rn <= leftover.n THEN 1 ELSE 0 END) * r / 100)), 0) AS tax
            FROM s, leftover)
    SELECT concat_ws('/', (u.usage / 100)::numeric(20, 2), (c.applied / 100)::numeric(20, 2),
                     ((u.usage - c.applied) / 100)::numeric(20, 2), (t.tax / 100)::numeric(20, 2),
                     ((u.usage - c.applied + t.tax) / 100)::numeric(20, 2), (p.paid / 100)::numeric(20, 2),
                     '0.00', (greatest(u.usage - c.applied + t.tax - p.paid, 0) / 100)::numeric(20, 2))
      FROM u, c, p, t
$$;

CREATE FUNCTION pg_temp.line_amount(p_line bigint) RETURNS cents LANGUAGE sql AS $$
    SELECT amount FROM invoice.line_items WHERE org_id = 'tc-org' AND line_id = p_line
$$;

-- Line amounts: units × rate, rounded half away from zero ------------------------

SELECT FROM pg_temp.inv('tc-lines', 0);
SELECT is(pg_temp.line_amount(pg_temp.line('tc-lines', 3, 0.335)), '1.01'::cents, '3 × 0.335 = 1.005 -> 1.01 (half away from zero)');
SELECT is(pg_temp.line_amount(pg_temp.line('tc-lines', 1, 0.005)), '0.01'::cents, '1 × 0.005 -> 0.01');
SELECT is(pg_temp.line_amount(pg_temp.line('tc-lines', 1, 0.00499999)), '0.00'::cents, '1 × 0.00499999 -> 0.00');
SELECT is(pg_temp.line_amount(pg_temp.line('tc-lines', 2.5, 0.01)), '0.03'::cents, '2.5 × 0.01 = 0.025 -> 0.03');
SELECT is(pg_temp.line_amount(pg_temp.line('tc-lines', 0.333333, 3)), '1.00'::cents, '0.333333 × 3 = 0.999999 -> 1.00');
SELECT is(pg_temp.line_amount(pg_temp.line('tc-lines', 1000000, 0.123456)), '123456.00'::cents, '1e6 × 0.123456 = 123456.00 exactly');
SELECT is(pg_temp.line_amount(pg_temp.line('tc-lines', 720, 0.0416666)), '30.00'::cents, '720 × 0.0416666 = 29.9999952 -> 30.00');
SELECT is(pg_temp.line_amount(pg_temp.line('tc-lines', 0, 9.99)), '0.00'::cents, '0 units -> 0.00');
SELECT is(pg_temp.line_amount(pg_temp.line('tc-lines', 3, 0.335, '2.00')), '2.00'::cents, 'an explicit amount is kept (not 1.01)');
SELECT is(pg_temp.line_amount(pg_temp.line('tc-lines', 1, 0, '40.00')), '40.00'::cents, 'an explicit amount with default units/rate');

-- re-derivation on UPDATE
SELECT FROM pg_temp.inv('tc-upd', 0);
SELECT FROM pg_temp.line('tc-upd', 3, 0.335);
UPDATE invoice.line_items SET units = 4 WHERE invoice_id = 'tc-upd';
SELECT is((SELECT amount FROM invoice.line_items WHERE invoice_id = 'tc-upd'), '1.34'::cents, 'changing units re-derives: 4 × 0.335 = 1.34');
UPDATE invoice.line_items SET rate = 0.3375 WHERE invoice_id = 'tc-upd';
SELECT is((SELECT amount FROM invoice.line_items WHERE invoice_id = 'tc-upd'), '1.35'::cents, 'changing rate re-derives: 4 × 0.3375 = 1.35');
UPDATE invoice.line_items SET units = 5, amount = '9.99' WHERE invoice_id = 'tc-upd';
SELECT is((SELECT amount FROM invoice.line_items WHERE invoice_id = 'tc-upd'), '9.99'::cents, 'units and an explicit amount together: the amount is kept');
UPDATE invoice.line_items SET description = 'renamed' WHERE invoice_id = 'tc-upd';
SELECT is((SELECT amount FROM invoice.line_items WHERE invoice_id = 'tc-upd'), '9.99'::cents, 'an unrelated UPDATE keeps an explicit amount');
SELECT is(pg_temp.amts('tc-upd'), '9.99/0.00/9.99/0.00/9.99/0.00/0.00/9.99', 'the invoice follows its line edits');

-- Seed example -------------------------------------------------------------------------

SELECT FROM pg_temp.inv('tc-seed', 12.5);
SELECT FROM pg_temp.line('tc-seed', 720, 0.5);
SELECT FROM pg_temp.line('tc-seed', 100, 1.24);
SELECT FROM pg_temp.line('tc-seed', 1, 0, '40.00');
SELECT FROM pg_temp.credit('tc-seed', '124.00');
SELECT is(pg_temp.amts('tc-seed'), '524.00/124.00/400.00/50.00/450.00/0.00/0.00/450.00',
          'seed: usage 524, credits 124, subtotal 400, tax 50 (12.5 %), total 450, due 450');

-- Credits capped at usage ------------------------------------------------------------------

SELECT FROM pg_temp.inv('tc-cap', 18);
SELECT FROM pg_temp.line('tc-cap', 1, 0, '30.00');
SELECT FROM pg_temp.credit('tc-cap', '20.00');
SELECT FROM pg_temp.credit('tc-cap', '25.00');
SELECT is(pg_temp.amts('tc-cap'), '30.00/30.00/0.00/0.00/0.00/0.00/0.00/0.00',
          'credits of 45.00 on usage of 30.00: 30.00 applied, nothing taxable, nothing due');
SELECT FROM pg_temp.line('tc-cap', 1, 0, '50.00');
-- usage 80.00, credits 45.00: subtotal 35.00, tax 18 % = 6.30
SELECT is(pg_temp.amts('tc-cap'), '80.00/45.00/35.00/6.30/41.30/0.00/0.00/41.30',
          'more usage: the whole 45.00 applies again');
DELETE FROM invoice.credits WHERE invoice_id = 'tc-cap' AND amount = '25.00';
SELECT is(pg_temp.amts('tc-cap'), '80.00/20.00/60.00/10.80/70.80/0.00/0.00/70.80', 'deleting a credit recomputes');

-- Pro rata credit spreading, remainder cents, per-line tax -------------------------------

-- Case 1.  Invoice rate 12 %; lines 12.50 and 10.00 at 12 %, 33.33 at 12.5 %
-- (the line's own rate).  Usage 55.83 = 5583 ¢, credit 10.00 = 1000 ¢.
--   shares  1000×1250/5583 = 223 r 4991;  1000×1000/5583 = 179 r 643;
--           1000×3333/5583 = 596 r 5532;  223+179+596 = 998, 2 cents left
--   the 2 cents go to the largest remainders (5532, 4991): shares 224, 179, 597
--   taxable 1026, 821, 2736 (= 4583 = subtotal)
--   tax 1026×12 % = 123.12 -> 123;  821×12 % = 98.52 -> 99;  2736×12.5 % = 342
--   tax 564 ¢.  (Leftover cents to the first lines instead — 224, 180, 596 —
--   would give 123 + 98 + 342 = 563; a single rate on the subtotal, neither.)
SELECT FROM pg_temp.inv('tc-spread1', 12);
SELECT FROM pg_temp.line('tc-spread1', 1, 0, '12.50');
SELECT FROM pg_temp.line('tc-spread1', 1, 0, '10.00');
SELECT FROM pg_temp.line('tc-spread1', 1, 0, '33.33', 12.5);
SELECT FROM pg_temp.credit('tc-spread1', '10.00');
SELECT is(pg_temp.amts('tc-spread1'), '55.83/10.00/45.83/5.64/51.47/0.00/0.00/51.47',
          'spread case 1: tax 5.64 (remainder cents by largest remainder, tax per line)');

-- Case 2.  Lines 33.33 at 5 %, 12.50 at 28 %, 9.99 at 12 %; credit 12.34.
-- Usage 5582 ¢, credit 1234 ¢.
--   1234×3333/5582 = 736 r 4570;  1234×1250/5582 = 276 r 1868;
--   1234×999/5582 = 220 r 4726;   sum 1232, 2 cents left -> remainders 4726, 4570
--   shares 737, 276, 221; taxable 2596, 974, 778 (= 4348)
--   tax 129.8 -> 130;  272.72 -> 273;  93.36 -> 93;  = 496 ¢
--   (first-lines placement 737, 277, 220 would give 130 + 272 + 93 = 495)
SELECT FROM pg_temp.inv('tc-spread2', 0);
SELECT FROM pg_temp.line('tc-spread2', 1, 0, '33.33', 5);
SELECT FROM pg_temp.line('tc-spread2', 1, 0, '12.50', 28);
SELECT FROM pg_temp.line('tc-spread2', 1, 0, '9.99', 12);
SELECT FROM pg_temp.credit('tc-spread2', '12.34');
SELECT is(pg_temp.amts('tc-spread2'), '55.82/12.34/43.48/4.96/48.44/0.00/0.00/48.44',
          'spread case 2: tax 4.96');
-- the order of insertion does not matter
SELECT FROM pg_temp.inv('tc-spread2r', 0);
SELECT FROM pg_temp.line('tc-spread2r', 1, 0, '9.99', 12);
SELECT FROM pg_temp.line('tc-spread2r', 1, 0, '12.50', 28);
SELECT FROM pg_temp.line('tc-spread2r', 1, 0, '33.33', 5);
SELECT FROM pg_temp.credit('tc-spread2r', '12.34');
SELECT is(pg_temp.amts('tc-spread2r'), pg_temp.amts('tc-spread2'), 'spread case 2 with the lines in reverse order: same amounts');

-- Case 3 (a tie).  Lines 1.00 at 5 % and 1.00 at 60 %, credit 0.01: both
-- shares are 0 with equal remainders 100; the one leftover cent goes, by
-- compute.c's tie rule, to the line with the higher rate:
--   taxable 100 at 5 % = 5;  99 at 60 % = 59.4 -> 59;  tax 64 ¢
--   (the other way round: 99 at 5 % = 4.95 -> 5, 100 at 60 % = 60: 65 ¢)
SELECT FROM pg_temp.inv('tc-tie', 0);
SELECT FROM pg_temp.line('tc-tie', 1, 0, '1.00', 5);
SELECT FROM pg_temp.line('tc-tie', 1, 0, '1.00', 60);
SELECT FROM pg_temp.credit('tc-tie', '0.01');
SELECT is(pg_temp.amts('tc-tie'), '2.00/0.01/1.99/0.64/2.63/0.00/0.00/2.63', 'spread case 3 (tie): tax 0.64');

-- Credits equal to usage: every line's taxable value is 0, whatever its rate.
SELECT FROM pg_temp.inv('tc-full', 18);
SELECT FROM pg_temp.line('tc-full', 1, 0, '0.07', 28);
SELECT FROM pg_temp.line('tc-full', 1, 0, '0.05');
SELECT FROM pg_temp.credit('tc-full', '0.12');
SELECT is(pg_temp.amts('tc-full'), '0.12/0.12/0.00/0.00/0.00/0.00/0.00/0.00', 'credits equal to usage: no tax');

-- Per-line tax rate overrides the invoice's ----------------------------------------------

-- invoice 10 %: 100.00 at 10 % (inherited) = 10.00; 50.00 exempt (0 %) = 0;
-- 20.00 at 18 % = 3.60; total tax 13.60
SELECT FROM pg_temp.inv('tc-rates', 10);
SELECT FROM pg_temp.line('tc-rates', 1, 0, '100.00');
SELECT FROM pg_temp.line('tc-rates', 1, 0, '50.00', 0);
SELECT FROM pg_temp.line('tc-rates', 1, 0, '20.00', 18);
SELECT is(pg_temp.amts('tc-rates'), '170.00/0.00/170.00/13.60/183.60/0.00/0.00/183.60',
          'line tax rates override the invoice rate (0 % is a rate, not "inherit")');

-- changing the draft's rate recomputes: 100.00 now at 5 % = 5.00; 0; 3.60
UPDATE invoice.invoices SET tax_rate = 5 WHERE id = 'tc-rates';
SELECT is(pg_temp.amts('tc-rates'), '170.00/0.00/170.00/8.60/178.60/0.00/0.00/178.60',
          'changing a draft''s tax_rate recomputes its amounts');
-- and a line's rate
UPDATE invoice.line_items SET tax_rate = NULL WHERE invoice_id = 'tc-rates' AND amount = '20.00';
SELECT is(pg_temp.amts('tc-rates'), '170.00/0.00/170.00/6.00/176.00/0.00/0.00/176.00',
          'a line falling back to the invoice rate recomputes (5.00 + 0 + 1.00)');
-- several drafts' rates in one statement
SELECT FROM pg_temp.inv('tc-rates2', 10);
SELECT FROM pg_temp.line('tc-rates2', 1, 0, '10.00');
UPDATE invoice.invoices SET tax_rate = 20 WHERE id IN ('tc-rates', 'tc-rates2');
SELECT is(pg_temp.amts('tc-rates') || ' ' || pg_temp.amts('tc-rates2'),
          '170.00/0.00/170.00/24.00/194.00/0.00/0.00/194.00 10.00/0.00/10.00/2.00/12.00/0.00/0.00/12.00',
          'a multi-row tax_rate UPDATE recomputes every draft');

-- Stripe's per-line examples and rounding edges ------------------------------------------

-- Stripe: 0.43 at 15 % = 0.0645 -> 0.06;  4.84 at 15 % = 0.726 -> 0.73
SELECT FROM pg_temp.inv('tc-stripe1', 15);
SELECT FROM pg_temp.line('tc-stripe1', 1, 0, '0.43');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'tc-stripe1'), '0.06'::cents, 'Stripe: 0.43 at 15 % -> tax 0.06');
SELECT FROM pg_temp.inv('tc-stripe2', 15);
SELECT FROM pg_temp.line('tc-stripe2', 1, 0, '4.84');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'tc-stripe2'), '0.73'::cents, 'Stripe: 4.84 at 15 % -> tax 0.73');
SELECT FROM pg_temp.inv('tc-stripe3', 15);
SELECT FROM pg_temp.line('tc-stripe3', 1, 0, '0.43');
SELECT FROM pg_temp.line('tc-stripe3', 1, 0, '4.84');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'tc-stripe3'), '0.79'::cents, 'both lines: 0.06 + 0.73 = 0.79');

-- x.xx5: exact halves round away from zero, per line
SELECT is(pg_temp.expected('tc-org', 'tc-stripe3'), pg_temp.amts('tc-stripe3'), 'the independent formula agrees (sanity)');
SELECT FROM pg_temp.inv('tc-half', 0);
SELECT FROM pg_temp.line('tc-half', 1, 0, '0.10', 5);       -- 0.005  -> 0.01
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'tc-half'), '0.01'::cents, '0.10 at 5 % = 0.005 -> 0.01');
SELECT FROM pg_temp.line('tc-half', 1, 0, '0.30', 15);      -- 0.045  -> 0.05
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'tc-half'), '0.06'::cents, '+ 0.30 at 15 % = 0.045 -> 0.05');
SELECT FROM pg_temp.line('tc-half', 1, 0, '0.70', 7.5);     -- 0.0525 -> 0.05
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'tc-half'), '0.11'::cents, '+ 0.70 at 7.5 % = 0.0525 -> 0.05');
SELECT FROM pg_temp.line('tc-half', 1, 0, '0.01', 49.999999); -- 0.0049999... -> 0.00
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'tc-half'), '0.11'::cents, '+ 0.01 at 49.999999 % -> 0.00');
SELECT FROM pg_temp.line('tc-half', 1, 0, '0.01', 50);      -- 0.005 -> 0.01
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'tc-half'), '0.12'::cents, '+ 0.01 at 50 % = 0.005 -> 0.01');
SELECT FROM pg_temp.line('tc-half', 1, 0, '1000.00', 12.345678); -- 123.45678 -> 123.46
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'tc-half'), '123.58'::cents, '+ 1000.00 at 12.345678 % -> 123.46');
SELECT FROM pg_temp.line('tc-half', 1, 0, '0.01', 100);     -- 0.01
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'tc-half'), '123.59'::cents, '+ 0.01 at 100 % -> 0.01');
-- three lines of half a cent each: per line 3 × 0.01, not round(0.015) = 0.02
SELECT FROM pg_temp.inv('tc-halves', 5);
SELECT FROM pg_temp.line('tc-halves', 1, 0, '0.10');
SELECT FROM pg_temp.line('tc-halves', 1, 0, '0.10');
SELECT FROM pg_temp.line('tc-halves', 1, 0, '0.10');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'tc-halves'), '0.03'::cents, 'three lines of 0.10 at 5 %: tax 0.03 (rounded per line)');
SELECT is(pg_temp.expected('tc-org', 'tc-half'), pg_temp.amts('tc-half'), 'the independent formula agrees on tc-half');

-- Invariant under random edits ------------------------------------------------------------

-- 600 random statements on 8 invoices: lines (insert / update units, rate,
-- amount, tax rate / delete / multi-row), credits, payments, invoice tax
-- rates, issue.  Refused statements (frozen invoices, overpayments) are
-- expected and counted.  After every statement, every invoice's stored
-- amounts must equal the independent formula.
CREATE TEMP TABLE inv_mismatch (step int, id text, stored text, expected text);
CREATE TEMP TABLE inv_ops (accepted int, refused int, paid int, issued int);
DO $$
DECLARE
    ids text[] := ARRAY['tc-r1', 'tc-r2', 'tc-r3', 'tc-r4', 'tc-r5', 'tc-r6', 'tc-r7', 'tc-r8', 'tc-r9', 'tc-r10'];
    rates numeric[] := ARRAY[0, 5, 12, 12.5, 15, 18, 28, 7.25];
    i int;
    op int;
    v text;
    due cents;
    st invoice.status;
    accepted int := 0;
    refused int := 0;
    n_paid int := 0;
    n_issued int := 0;
BEGIN
    PERFORM setseed(0.4242);
    FOREACH v IN ARRAY ids LOOP
        PERFORM pg_temp.inv(v, rates[1 + floor(random() * 8)::int]);
    END LOOP;
    FOR i IN 1..600 LOOP
        v := ids[1 + floor(random() * 10)::int];
        op := floor(random() * 14)::int;
        BEGIN
            CASE
            WHEN op <= 3 THEN   -- insert a line: units × rate, or an explicit amount
                IF random() < 0.7 THEN
                    PERFORM pg_temp.line(v, round((random() * 100)::numeric, floor(random() * 4)::int),
                                         round((random() * 20)::numeric, floor(random() * 5)::int), NULL,
                                         CASE WHEN random() < 0.5 THEN NULL ELSE rates[1 + floor(random() * 8)::int] END);
                ELSE
                    PERFORM pg_temp.line(v, 1, 0, (floor(random() * 100000) / 100)::numeric::cents,
                                         CASE WHEN random() < 0.5 THEN NULL ELSE rates[1 + floor(random() * 8)::int] END);
                END IF;
            WHEN op = 4 THEN    -- change units of one line
                UPDATE invoice.line_items SET units = units + 1
                 WHERE org_id = 'tc-org' AND line_id = (SELECT min(line_id) FROM invoice.line_items WHERE invoice_id = v);
            WHEN op = 5 THEN    -- change one line's tax rate
                UPDATE invoice.line_items SET tax_rate = CASE WHEN tax_rate IS NULL THEN rates[1 + floor(random() * 8)::int] END
                 WHERE org_id = 'tc-org' AND line_id = (SELECT max(line_id) FROM invoice.line_items WHERE invoice_id = v);
            WHEN op = 6 THEN    -- delete one line
                DELETE FROM invoice.line_items
                 WHERE org_id = 'tc-org' AND line_id = (SELECT min(line_id) FROM invoice.line_items WHERE invoice_id = v);
            WHEN op = 7 THEN    -- multi-row update of all lines of an invoice: an explicit amount
                UPDATE invoice.line_items SET amount = amount + '0.01'::cents WHERE invoice_id = v;
            WHEN op = 8 THEN    -- a credit
                PERFORM pg_temp.credit(v, ((1 + floor(random() * 5000)) / 100)::numeric::cents);
            WHEN op = 9 THEN    -- delete or shrink a credit
                IF random() < 0.5 THEN
                    DELETE FROM invoice.credits WHERE org_id = 'tc-org' AND credit_id =
                        (SELECT min(credit_id) FROM invoice.credits WHERE invoice_id = v);
                ELSE
                    UPDATE invoice.credits SET amount = '0.01' WHERE invoice_id = v;
                END IF;
            WHEN op = 10 THEN   -- the invoice's tax rate
                UPDATE invoice.invoices SET tax_rate = rates[1 + floor(random() * 8)::int] WHERE org_id = 'tc-org' AND id = v;
            WHEN op = 11 THEN   -- issue, rarely (it freezes the invoice)
                IF random() < 0.25 THEN
                    PERFORM invoice.invoice_issue(v);
                    n_issued := n_issued + 1;
                ELSE
                    PERFORM invoice.invoice_compute(v);
                END IF;
            WHEN op = 12 THEN   -- a payment of part (or all, or too much) of what is due, mostly on an issued invoice
                IF random() < 0.8 THEN
                    SELECT coalesce((SELECT id FROM invoice.invoices WHERE org_id = 'tc-org' AND id = ANY (ids)
                                        AND status IN ('pending', 'overdue') ORDER BY random() LIMIT 1), v) INTO v;
                END IF;
                SELECT amount_due, status INTO due, st FROM invoice.invoices WHERE org_id = 'tc-org' AND id = v;
                PERFORM invoice.invoice_pay(v, greatest(due::bigint * (0.3 + random() * 0.8), 1)::bigint::cents,
                                            'card', 'tc-pay-' || i);
                n_paid := n_paid + 1;
            ELSE                -- remove the latest payment (refund), or a multi-invoice statement
                IF random() < 0.5 THEN
                    DELETE FROM invoice.payments WHERE org_id = 'tc-org' AND payment_id =
                        (SELECT max(payment_id) FROM invoice.payments WHERE invoice_id = ANY (ids));
                ELSE
                    UPDATE invoice.line_items SET rate = rate + 0.01
                     WHERE org_id = 'tc-org' AND invoice_id = ANY (ids) AND line_id % 3 = 0;
                END IF;
            END CASE;
            accepted := accepted + 1;
        EXCEPTION WHEN SQLSTATE 'IV002' OR SQLSTATE 'IV003' OR SQLSTATE 'IV005' OR SQLSTATE 'IV001' THEN
            refused := refused + 1;
        END;
        INSERT INTO inv_mismatch
        SELECT i, x.id, pg_temp.amts(x.id), pg_temp.expected('tc-org', x.id)
          FROM unnest(ids) AS x(id)
         WHERE pg_temp.amts(x.id) IS DISTINCT FROM pg_temp.expected('tc-org', x.id);
    END LOOP;
    INSERT INTO inv_ops VALUES (accepted, refused, n_paid, n_issued);
END
$$;
SELECT diag(format('random edits: %s accepted, %s refused, %s payments, %s issues', accepted, refused, paid, issued)) FROM inv_ops;
SELECT cmp_ok((SELECT accepted FROM inv_ops), '>', 300, 'random edits: most statements were accepted');
SELECT cmp_ok((SELECT refused FROM inv_ops), '>', 0, 'random edits: some were refused (frozen / overpaid)');
SELECT cmp_ok((SELECT issued FROM inv_ops), '>', 1, 'random edits: some invoices were issued');
SELECT cmp_ok((SELECT count(*) FROM invoice.payments WHERE org_id = 'tc-org'), '>', 0::bigint, 'random edits: some payments stuck');
SELECT is((SELECT count(*) FROM inv_mismatch), 0::bigint,
          'after every random statement, stored amounts = the independent formula');
SELECT is((SELECT string_agg(format('step %s %s: stored %s expected %s', step, id, stored, expected), '; ')
             FROM (SELECT * FROM inv_mismatch ORDER BY step LIMIT 3) m), NULL, 'first mismatches, if any');

-- invoice_compute finds nothing to change anywhere: it returns exactly what was stored
CREATE TEMP TABLE stored_before AS
    SELECT id, pg_temp.amts(id) AS amts, status FROM invoice.invoices WHERE org_id = 'tc-org';
SELECT is((SELECT count(*) FROM stored_before s, invoice.invoice_compute(s.id) c
            WHERE concat_ws('/', c.usage_amount, c.credits_applied, c.subtotal, c.tax, c.total,
                            c.already_billed_amount, c.advance_pay_amount, c.amount_due) <> s.amts
               OR c.status <> s.status),
          0::bigint, 'invoice_compute returns the stored amounts of every invoice of this file');
SELECT is((SELECT count(*) FROM stored_before s WHERE pg_temp.amts(s.id) <> s.amts), 0::bigint,
          'and changes none of them');
-- usage/credits/subtotal by the plainest formula, for every invoice
SELECT is((SELECT count(*) FROM invoice.invoices i
            WHERE org_id = 'tc-org' AND (
                  i.usage_amount <> (SELECT coalesce(sum(amount), '0') FROM invoice.line_items l WHERE l.org_id = i.org_id AND l.invoice_id = i.id)
               OR i.credits_applied <> least(i.usage_amount, (SELECT coalesce(sum(amount), '0') FROM invoice.credits c WHERE c.org_id = i.org_id AND c.invoice_id = i.id))
               OR i.subtotal <> i.usage_amount - i.credits_applied
               OR i.total <> i.subtotal + i.tax
               OR i.already_billed_amount <> (SELECT coalesce(sum(amount), '0') FROM invoice.payments p WHERE p.org_id = i.org_id AND p.invoice_id = i.id)
               OR i.amount_due <> greatest(i.total - i.already_billed_amount - i.advance_pay_amount, '0'))),
          0::bigint, 'usage = Σ lines, credits = min(Σ credits, usage), subtotal, total, billed, due hold for every invoice');
SELECT is((SELECT count(*) FROM invoice.invoices WHERE org_id = 'tc-org' AND status IN ('pending', 'overdue') AND amount_due = '0'),
          0::bigint, 'no pending invoice has nothing due (it would be paid)');
SELECT is((SELECT count(*) FROM invoice.invoices WHERE org_id = 'tc-org' AND status = 'paid' AND amount_due <> '0'),
          0::bigint, 'no paid invoice has anything due');

-- Billing day: invoice_compute_period and invoice_issue_period ---------------------------------

-- Plant stale amounts: with triggers off (session_replication_role = replica,
-- as a restore would run), lines and credits go in without a recompute.
SELECT FROM pg_temp.inv('tc-bd1', 18, '2024-06-01', 'TCQ', '2024-05-01');           -- May: in range
SELECT FROM pg_temp.inv('tc-bd2', 12.5, '2024-06-01', 'TCQ', '2024-05-01');         -- May: in range
SELECT FROM pg_temp.inv('tc-bd3', 18, '2024-06-01', 'TCQ', '2024-04-30');           -- starts a day early: out
SELECT FROM pg_temp.inv('tc-bd4', 18, '2024-07-01', 'TCQ', '2024-06-01');           -- June: out
SET LOCAL session_replication_role = replica;
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, amount, tax_rate)
SELECT 'tc-org', id, 'planted', 1, 0, a::cents, r
  FROM (VALUES ('tc-bd1', '12.50', NULL::numeric), ('tc-bd1', '10.00', NULL), ('tc-bd1', '33.33', 12.5),
               ('tc-bd2', '0.43', 15), ('tc-bd2', '4.84', 15), ('tc-bd2', '100.00', NULL),
               ('tc-bd3', '10.00', NULL), ('tc-bd4', '20.00', NULL)) AS t(id, a, r);
INSERT INTO invoice.credits (org_id, invoice_id, amount, code)
VALUES ('tc-org', 'tc-bd1', '10.00', 'P'), ('tc-org', 'tc-bd2', '0.01', 'P');
RESET session_replication_role;
SELECT is(pg_temp.amts('tc-bd1'), '0.00/0.00/0.00/0.00/0.00/0.00/0.00/0.00', 'planted rows left tc-bd1 stale (fixture check)');

SELECT is(invoice.invoice_compute_period('2024-05-01', '2024-06-01'), 2::bigint,
          'invoice_compute_period: two invoices of May changed');
SELECT is(pg_temp.amts('tc-bd1'), pg_temp.expected('tc-org', 'tc-bd1'), 'tc-bd1 recomputed by the billing day = independent formula');
-- 12.50, 10.00 at 18 %, 33.33 at 12.5 %, credit 10.00: spread as case 1 (224, 179, 597)
-- taxable 1026, 821, 2736: 184.68 -> 185; 147.78 -> 148; 342 -> 342: 675
SELECT is(pg_temp.amts('tc-bd1'), '55.83/10.00/45.83/6.75/52.58/0.00/0.00/52.58', 'tc-bd1 by hand: tax 6.75');
SELECT is(pg_temp.amts('tc-bd2'), pg_temp.expected('tc-org', 'tc-bd2'), 'tc-bd2 recomputed by the billing day = independent formula');
SELECT is(pg_temp.amts('tc-bd3'), '0.00/0.00/0.00/0.00/0.00/0.00/0.00/0.00', 'an invoice starting before the range is not touched');
SELECT is(pg_temp.amts('tc-bd4'), '0.00/0.00/0.00/0.00/0.00/0.00/0.00/0.00', 'an invoice of another month is not touched');
CREATE TEMP TABLE bd_after AS SELECT id, pg_temp.amts(id) AS amts FROM invoice.invoices WHERE id IN ('tc-bd1', 'tc-bd2');
SELECT is((SELECT count(*) FROM bd_after b, invoice.invoice_compute(b.id) c
            WHERE concat_ws('/', c.usage_amount, c.credits_applied, c.subtotal, c.tax, c.total,
                            c.already_billed_amount, c.advance_pay_amount, c.amount_due) <> b.amts),
          0::bigint, 'per-invoice invoice_compute agrees with the billing day');
SELECT is(invoice.invoice_compute_period('2024-05-01', '2024-06-01'), 0::bigint, 'a second billing-day run changes nothing');
SELECT is(invoice.invoice_compute_period('2024-04-01', '2024-08-01'), 2::bigint, 'a wider range picks up the two stale ones');
SELECT is(pg_temp.amts('tc-bd4'), '20.00/0.00/20.00/3.60/23.60/0.00/0.00/23.60', 'tc-bd4 now recomputed');

-- invoice_issue_period vs invoice_issue: the same drafts twice, in August
-- (issued one by one) and in September (issued by the billing day).
CREATE TEMP TABLE twin (n int, lines text[], cr text, tax numeric);
INSERT INTO twin VALUES
    (1, ARRAY['12.50', '10.00'], '10.00', 18),
    (2, ARRAY['0.43', '4.84'], NULL, 15),
    (3, ARRAY['5.00'], '5.00', 18),          -- fully credited: straight to paid
    (4, ARRAY['99.99', '0.01', '0.05'], '0.03', 12.5),
    (5, ARRAY[]::text[], NULL, 18);          -- no lines: straight to paid
SELECT FROM twin, pg_temp.inv('tc-one-' || n, tax, '2024-09-01', 'TCQ', '2024-08-01') AS a,
                 pg_temp.inv('tc-set-' || n, tax, '2024-10-01', 'TCQ', '2024-09-01') AS b;
SELECT FROM twin, unnest(lines) AS a, unnest(ARRAY['tc-one-', 'tc-set-']) AS p, pg_temp.line(p || n, 1, 0, a::cents);
SELECT FROM twin, unnest(ARRAY['tc-one-', 'tc-set-']) AS p, pg_temp.credit(p || n, cr::cents) WHERE cr IS NOT NULL;
SELECT FROM pg_temp.inv('tc-set-late', 18, '2024-10-01', 'TCQ', '2024-09-02');      -- ends 2024-10-02: out of range
SELECT FROM twin, invoice.invoice_issue('tc-one-' || n) ORDER BY n;
SELECT is(invoice.invoice_issue_period('2024-09-01', '2024-10-01'), 5::bigint, 'invoice_issue_period issued the five September drafts');
SELECT is((SELECT status FROM invoice.invoices WHERE id = 'tc-set-late'), 'draft', 'a draft ending after the range stays a draft');
SELECT is((SELECT count(*) FROM twin
            WHERE (SELECT pg_temp.amts('tc-one-' || n) || status FROM invoice.invoices WHERE id = 'tc-one-' || n)
                  IS DISTINCT FROM
                  (SELECT pg_temp.amts('tc-set-' || n) || status FROM invoice.invoices WHERE id = 'tc-set-' || n)),
          0::bigint, 'billing-day issue gives the same amounts and statuses as one-by-one issue');
SELECT is((SELECT array_agg(status::text ORDER BY id COLLATE "C") FROM invoice.invoices WHERE id LIKE 'tc-set-_'),
          ARRAY['pending', 'pending', 'paid', 'pending', 'paid'], 'zero totals went straight to paid');
SELECT is((SELECT count(*) FROM invoice.invoices WHERE id LIKE 'tc-set-_' AND pg_temp.amts(id) <> pg_temp.expected('tc-org', id)),
          0::bigint, 'billing-day issued amounts = independent formula');
SELECT is((SELECT array_agg(number ORDER BY number) FROM invoice.invoices WHERE id LIKE 'tc-set-_'),
          ARRAY['TCQ/2425/000006', 'TCQ/2425/000007', 'TCQ/2425/000008', 'TCQ/2425/000009', 'TCQ/2425/000010'],
          'billing-day issue takes consecutive numbers after the one-by-one ones');
SELECT is((SELECT count(*) FROM invoice.status_history WHERE invoice_id LIKE 'tc-set-_' AND from_status = 'draft'),
          5::bigint, 'one draft -> pending history row each');

-- Numbering --------------------------------------------------------------------------------

-- series INV, financial year 2023-24 (1 April 2023 – 31 March 2024, in UTC)
SELECT FROM pg_temp.inv('tc-n1', 0, '2024-02-01 00:00 UTC', 'INV');
SELECT FROM pg_temp.inv('tc-n2', 0, '2023-04-01 00:00 UTC', 'INV');
SELECT FROM pg_temp.inv('tc-n3', 0, '2024-03-31 23:59:59 UTC', 'INV');
SELECT FROM pg_temp.inv('tc-n4', 0, '2024-04-01 00:00 UTC', 'INV');
SELECT FROM pg_temp.inv('tc-n5', 0, '2024-04-02 00:00 UTC', 'INV');
SELECT FROM pg_temp.inv('tc-n6', 0, '2024-03-31 23:30 UTC', 'INV');
SELECT FROM generate_series(1, 6) AS n, pg_temp.line('tc-n' || n, 1, 0, '1.00');
SELECT is((SELECT number FROM invoice.invoice_issue('tc-n1')), 'INV/2324/000001', 'first INV number of FY 2023-24: INV/2324/000001');
SELECT is((SELECT number FROM invoice.invoice_issue('tc-n2')), 'INV/2324/000002', '2023-04-01 00:00 UTC is FY 2023-24, next number');
SELECT is((SELECT number FROM invoice.invoice_issue('tc-n3')), 'INV/2324/000003', '2024-03-31 23:59:59 UTC is still FY 2023-24');
SELECT is((SELECT number FROM invoice.invoice_issue('tc-n4')), 'INV/2425/000001', '2024-04-01 00:00 UTC starts FY 2024-25 at 000001');
SELECT is((SELECT number FROM invoice.invoice_issue('tc-n5')), 'INV/2425/000002', 'FY 2024-25 continues');
-- the session time zone does not move the year boundary (23:30 UTC is 05:00 IST on 1 April)
SET LOCAL TimeZone = 'Asia/Kolkata';
SELECT is((SELECT number FROM invoice.invoice_issue('tc-n6')), 'INV/2324/000004', 'the financial year is taken in UTC, whatever TimeZone');
SET LOCAL TimeZone = 'UTC';

-- another series has its own counter
SELECT FROM pg_temp.inv('tc-cn1', 0, '2024-02-01', 'CN');
SELECT FROM pg_temp.line('tc-cn1', 1, 0, '1.00');
SELECT is((SELECT number FROM invoice.invoice_issue('tc-cn1')), 'CN/2324/000001', 'series CN numbers on its own');

-- a rolled-back issue gives its number back: no gap
SELECT FROM pg_temp.inv('tc-g1', 0, '2024-02-01', 'INV');
SELECT FROM pg_temp.inv('tc-g2', 0, '2024-02-01', 'INV');
SELECT FROM pg_temp.line('tc-g1', 1, 0, '1.00');
SELECT FROM pg_temp.line('tc-g2', 1, 0, '1.00');
CREATE FUNCTION pg_temp.issue_then_fail(p_id text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE n text;
BEGIN
    BEGIN
        SELECT number INTO n FROM invoice.invoice_issue(p_id);
        RAISE EXCEPTION 'roll back' USING ERRCODE = 'TT001';
    EXCEPTION WHEN SQLSTATE 'TT001' THEN
        RETURN n;
    END;
END
$$;
SELECT is(pg_temp.issue_then_fail('tc-g1'), 'INV/2324/000005', 'an issue that is rolled back had taken 000005');
SELECT is((SELECT status FROM invoice.invoices WHERE id = 'tc-g1'), 'draft', 'its invoice is a draft again');
SELECT is((SELECT number FROM invoice.invoice_issue('tc-g2')), 'INV/2324/000005', 'the next issue gets 000005 again: no gap');
-- an issue refused by a constraint takes no number either (due date before invoice date)
UPDATE invoice.invoices SET invoice_date = NULL, due_date = '2024-01-01' WHERE id = 'tc-g1';
SELECT throws_ok($$SELECT invoice.invoice_issue('tc-g1')$$, '23514', NULL, 'issue with a due date before today''s invoice date fails');
SELECT is((SELECT last_value FROM invoice.number_series WHERE series = 'INV' AND fiscal_year = 2023), 5::bigint,
          'and consumed no number of FY 2023-24');
SELECT is((SELECT count(*) FROM invoice.number_series
            WHERE series = 'INV' AND fiscal_year = extract(year FROM invoice.clock() - interval '3 months')::int), 0::bigint,
          'nor of the current financial year');

-- without dates: invoice date = now, due date = invoice date + the organisation's terms
UPDATE invoice.orgs SET payment_terms_days = 15 WHERE org_id = 'tc-org';
UPDATE invoice.invoices SET due_date = NULL WHERE id = 'tc-g1';
SELECT is((SELECT (invoice_date, due_date) FROM invoice.invoice_issue('tc-g1')), (invoice.clock(), invoice.clock() + interval '15 days'),
          'issue without dates: invoice date now, due in payment_terms_days');
SELECT matches((SELECT number FROM invoice.invoices WHERE id = 'tc-g1'),
               '^INV/' || to_char(invoice.clock() - interval '3 months', 'YY') || to_char(invoice.clock() + interval '9 months', 'YY') || '/000001$',
               'numbered in the current financial year');

-- numbers in INV/2324 are exactly 1..5 with no gap or duplicate
SELECT is((SELECT array_agg(number ORDER BY number) FROM invoice.invoices WHERE number LIKE 'INV/2324/%' AND org_id = 'tc-org'),
          ARRAY['INV/2324/000001', 'INV/2324/000002', 'INV/2324/000003', 'INV/2324/000004', 'INV/2324/000005'],
          'INV FY 2023-24: 000001..000005, consecutive');

-- at most 16 characters: a 4-letter series runs out after 999999
SELECT FROM pg_temp.inv('tc-x1', 0, '2024-02-01', 'ABCD');
SELECT FROM pg_temp.inv('tc-x2', 0, '2024-02-01', 'ABCD');
SELECT FROM generate_series(1, 2) AS n, pg_temp.line('tc-x' || n, 1, 0, '1.00');
INSERT INTO invoice.number_series (series, fiscal_year, last_value) VALUES ('ABCD', 2023, 999998);
SELECT is((SELECT number FROM invoice.invoice_issue('tc-x1')), 'ABCD/2324/999999', 'ABCD/2324/999999: 16 characters');
SELECT throws_ok($$SELECT invoice.invoice_issue('tc-x2')$$, 'IV007', NULL, 'ABCD/2324/1000000 would be 17 characters: IV007');
SELECT is((SELECT last_value FROM invoice.number_series WHERE series = 'ABCD'), 999999::bigint, 'the exhausted series did not move');
SELECT is((SELECT status FROM invoice.invoices WHERE id = 'tc-x2'), 'draft', 'the invoice stays a draft');
-- a 3-letter series has room for a seventh digit
SELECT FROM pg_temp.inv('tc-x3', 0, '2024-02-01', 'ABC');
SELECT FROM pg_temp.line('tc-x3', 1, 0, '1.00');
INSERT INTO invoice.number_series (series, fiscal_year, last_value) VALUES ('ABC', 2023, 999999);
SELECT is((SELECT number FROM invoice.invoice_issue('tc-x3')), 'ABC/2324/1000000', 'ABC/2324/1000000: 16 characters, accepted');
SELECT is((SELECT count(*) FROM invoice.invoices WHERE number IS NOT NULL AND number !~ '^[A-Za-z0-9/-]{1,16}$'),
          0::bigint, 'every number is at most 16 characters of [A-Za-z0-9/-]');
SELECT is((SELECT count(*) FROM invoice.invoices WHERE org_id = 'tc-org' AND status = 'draft' AND number IS NOT NULL),
          0::bigint, 'drafts have no number');

-- Ids ---------------------------------------------------------------------------------------

SELECT is((SELECT count(*) FROM (SELECT invoice.new_invoice_id() AS id FROM generate_series(1, 5000)) g
            WHERE id !~ '^inv-[0-9a-z]{17}$'), 0::bigint, '5000 generated ids match ^inv-[0-9a-z]{17}$');
SELECT is((SELECT count(DISTINCT id) FROM (SELECT invoice.new_invoice_id() AS id FROM generate_series(1, 5000)) g),
          5000::bigint, 'and are all different');
SELECT is((SELECT count(DISTINCT substr(id, 5 + k, 1)) FROM (SELECT invoice.new_invoice_id() AS id FROM generate_series(1, 2000)) g,
                  generate_series(0, 16) AS k),
          36::bigint, 'all 36 base-36 characters occur');
INSERT INTO invoice.invoices (org_id, period_start, period_end) VALUES ('tc-org', '2024-01-01', '2024-02-01'),
                                                                      ('tc-org', '2024-01-01', '2024-02-01');
SELECT is((SELECT count(DISTINCT id) FROM invoice.invoices WHERE org_id = 'tc-org' AND id ~ '^inv-[0-9a-z]{17}$'),
          2::bigint, 'invoices inserted without an id get two different generated ids');

SELECT * FROM finish();
ROLLBACK;
