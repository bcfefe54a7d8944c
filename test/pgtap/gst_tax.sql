-- GST tax (issue #7, README "GST tax invoices"): the tax of a GST invoice,
-- head by head.
--
--   - within the supplier's state each line pays CGST and SGST at half its
--     rate, each head rounded half away from zero on its own: where
--     taxable × rate / 200 ends in half a paisa both heads round up, and the
--     line's tax is 2 × head, a paisa more than round(taxable × rate / 100);
--   - across states a line pays IGST = round(taxable × rate / 100);
--   - the invoice's tax is the sum of the heads, exactly;
--   - the place of supply: the organisation's billing_state, else its
--     GSTIN's state, else the supplier's own state;
--   - a non-GST invoice has one tax per line and no heads;
--   - credits are spread over the lines pro rata before tax;
--   - a draft whose gst flag or tax rate changes is recomputed.
--
-- Every expected value is worked out by hand in the comment above its test.
-- Amounts in the comments are in paise where it helps: 10000.50 = 1000050 p.
--
-- The supplier (a one-row table) and the organisations are set up inside the
-- transaction, which is rolled back at the end.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(60);

-- Fixtures --------------------------------------------------------------------
-- The supplier is registered in Karnataka (29).  29AAACI1681G1ZL and
-- 29AAPFU0939F1ZR were checked against an independent implementation of the
-- Luhn mod 36 check character; 27AAPFU0939F1ZV is python-stdnum's example.

DELETE FROM invoice.supplier;
INSERT INTO invoice.supplier (legal_name, address, gstin, state_code)
VALUES ('GST test supplier', 'Bengaluru', '29AAACI1681G1ZL', '29');

INSERT INTO invoice.orgs (org_id, name, gstin, billing_state) VALUES
    ('gt-ka',        'Karnataka customer (billing state 29)',           NULL,              '29'),
    ('gt-mh',        'Maharashtra customer (GSTIN 27, billing state 27)', '27AAPFU0939F1ZV', '27'),
    ('gt-gstin-27',  'GSTIN in 27, no billing state',                   '27AAPFU0939F1ZV', NULL),
    ('gt-gstin-29',  'GSTIN in 29, no billing state',                   '29AAPFU0939F1ZR', NULL),
    ('gt-29-over-27','billing state 29 wins over a GSTIN of 27',        '27AAPFU0939F1ZV', '29'),
    ('gt-27-over-29','billing state 27 wins over a GSTIN of 29',        '29AAPFU0939F1ZR', '27'),
    ('gt-nothing',   'neither billing state nor GSTIN',                 NULL,              NULL);

-- pg_temp.inv(org, id, tax_rate [, gst, currency, invoice_date]): a draft for September 2025
CREATE FUNCTION pg_temp.inv(p_org text, p_id text, p_rate numeric, p_gst boolean DEFAULT true,
                            p_currency text DEFAULT 'INR',
                            p_date timestamptz DEFAULT '2025-10-01 00:00 UTC') RETURNS text
LANGUAGE sql AS $$
    INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date,
                                  currency, gst, tax_rate)
    VALUES (p_org, p_id, 'GTX', '2025-09-01 00:00 UTC', '2025-10-01 00:00 UTC', p_date,
            p_currency, p_gst, p_rate)
    RETURNING id;
$$;

-- pg_temp.line(org, id, amount [, tax_rate, hsn_sac]): a line item (tax_rate NULL: the invoice's)
CREATE FUNCTION pg_temp.line(p_org text, p_id text, p_amount cents, p_rate numeric DEFAULT NULL,
                             p_hsn text DEFAULT '998315') RETURNS bigint
LANGUAGE sql AS $$
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, tax_rate, hsn_sac)
    VALUES (p_org, p_id, 'service', p_amount, p_rate, p_hsn)
    RETURNING line_id;
$$;

-- pg_temp.one(org, id, rate, amount [, gst, currency]): a draft with one line of that amount
CREATE FUNCTION pg_temp.one(p_org text, p_id text, p_rate numeric, p_amount cents,
                            p_gst boolean DEFAULT true, p_currency text DEFAULT 'INR') RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.inv(p_org, p_id, p_rate, p_gst, p_currency);
    PERFORM pg_temp.line(p_org, p_id, p_amount);
    RETURN p_id;
END $$;

-- the breakdown as 'taxable/cgst/sgst/igst/tax', lines separated by spaces
CREATE FUNCTION pg_temp.heads(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(concat_ws('/', taxable_value, cgst, sgst, igst, tax), ' ' ORDER BY line_id)
      FROM invoice.invoice_tax_lines(p_id)
$$;

-- the stored amounts as 'usage/credits/subtotal/tax/total'
CREATE FUNCTION pg_temp.amts(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws('/', usage_amount, credits_applied, subtotal, tax, total)
      FROM invoice.invoices WHERE id = p_id
$$;

-- CGST and SGST: each half rounded on its own ------------------------------------

-- 10000.50 at 18 % within the state: 1000050 p × 9 / 100 = 90004.5 p, each
-- head rounds up to 90005 p = 900.05, so the tax is 1800.10; the rate applied
-- once would give round(1000050 × 18 / 100) = round(180009) = 1800.09.
SELECT FROM pg_temp.one('gt-ka', 'gt-odd-18-in', 18, '10000.50');
SELECT is(pg_temp.heads('gt-odd-18-in'), '10000.50/900.05/900.05/0.00/1800.10',
          '18 % intra-state, 10000.50: CGST 900.05 + SGST 900.05 (each 900.045 rounded up)');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gt-odd-18-in'), '1800.10'::cents,
          '18 % intra-state, 10000.50: the invoice''s tax is 2 × 900.05 = 1800.10');
SELECT isnt((SELECT tax FROM invoice.invoices WHERE id = 'gt-odd-18-in'),
            cents_round(10000.50 * 18 / 100),
            '... which is not round(10000.50 × 18 %) = 1800.09');
-- Across states the same line pays IGST 1800.09.
SELECT FROM pg_temp.one('gt-mh', 'gt-odd-18-out', 18, '10000.50');
SELECT is(pg_temp.heads('gt-odd-18-out'), '10000.50/0.00/0.00/1800.09/1800.09',
          '18 % inter-state, 10000.50: IGST = round(1800.09) = 1800.09');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gt-odd-18-out'), cents_round(10000.50 * 18 / 100),
          '18 % inter-state: the invoice''s tax is round(taxable × rate / 100)');

-- 0.50 at 18 %: 50 p × 9 / 100 = 4.5 p → 5 p each: 0.05 + 0.05 = 0.10; IGST round(9 p) = 0.09.
SELECT FROM pg_temp.one('gt-ka', 'gt-half-18-in', 18, '0.50');
SELECT FROM pg_temp.one('gt-mh', 'gt-half-18-out', 18, '0.50');
SELECT is(pg_temp.heads('gt-half-18-in'), '0.50/0.05/0.05/0.00/0.10',
          '18 % intra-state, 0.50: 4.5 paise per head round to 0.05 each, tax 0.10');
SELECT is(pg_temp.heads('gt-half-18-out'), '0.50/0.00/0.00/0.09/0.09',
          '18 % inter-state, 0.50: IGST 0.09');

-- 1000.20 at 5 %: 100020 p × 2.5 / 100 = 2500.5 p → 2501 p = 25.01 each, tax
-- 50.02; IGST round(100020 × 5 / 100) = round(5001) = 50.01.
SELECT FROM pg_temp.one('gt-ka', 'gt-odd-5-in', 5, '1000.20');
SELECT FROM pg_temp.one('gt-mh', 'gt-odd-5-out', 5, '1000.20');
SELECT is(pg_temp.heads('gt-odd-5-in'), '1000.20/25.01/25.01/0.00/50.02',
          '5 % intra-state, 1000.20: CGST 25.01 + SGST 25.01 (each 25.005 rounded up)');
SELECT is(pg_temp.heads('gt-odd-5-out'), '1000.20/0.00/0.00/50.01/50.01',
          '5 % inter-state, 1000.20: IGST 50.01');

-- 1.00 at 3 %: 100 p × 1.5 / 100 = 1.5 p → 2 p each, tax 0.04; IGST round(3 p) = 0.03.
SELECT FROM pg_temp.one('gt-ka', 'gt-odd-3-in', 3, '1.00');
SELECT FROM pg_temp.one('gt-mh', 'gt-odd-3-out', 3, '1.00');
SELECT is(pg_temp.heads('gt-odd-3-in'), '1.00/0.02/0.02/0.00/0.04',
          '3 % intra-state, 1.00: 1.5 paise per head round to 0.02 each, tax 0.04');
SELECT is(pg_temp.heads('gt-odd-3-out'), '1.00/0.00/0.00/0.03/0.03',
          '3 % inter-state, 1.00: IGST 0.03');

-- 4.00 at 0.25 %: 400 p × 0.125 / 100 = 0.5 p → 1 p each, tax 0.02; IGST round(1 p) = 0.01.
SELECT FROM pg_temp.one('gt-ka', 'gt-odd-025-in', 0.25, '4.00');
SELECT FROM pg_temp.one('gt-mh', 'gt-odd-025-out', 0.25, '4.00');
SELECT is(pg_temp.heads('gt-odd-025-in'), '4.00/0.01/0.01/0.00/0.02',
          '0.25 % intra-state, 4.00: half a paisa per head rounds to 0.01 each, tax 0.02');
SELECT is(pg_temp.heads('gt-odd-025-out'), '4.00/0.00/0.00/0.01/0.01',
          '0.25 % inter-state, 4.00: IGST 0.01');

-- Not only halves: 10000.40 at 18 %: 1000040 p × 9 / 100 = 90003.6 p → 900.04
-- each, tax 1800.08; IGST round(180007.2 p) = 1800.07.
SELECT FROM pg_temp.one('gt-ka', 'gt-frac-18-in', 18, '10000.40');
SELECT FROM pg_temp.one('gt-mh', 'gt-frac-18-out', 18, '10000.40');
SELECT is(pg_temp.heads('gt-frac-18-in'), '10000.40/900.04/900.04/0.00/1800.08',
          '18 % intra-state, 10000.40: 900.036 per head rounds to 900.04, tax 1800.08');
SELECT is(pg_temp.heads('gt-frac-18-out'), '10000.40/0.00/0.00/1800.07/1800.07',
          '18 % inter-state, 10000.40: IGST 1800.07');

-- A head rounding down: 1000.10 at 18 %: 100010 p × 9 / 100 = 9000.9 p → 90.01
-- each, 180.02; IGST round(18001.8 p) = 180.02: here both agree.
SELECT FROM pg_temp.one('gt-ka', 'gt-agree-in', 18, '1000.10');
SELECT FROM pg_temp.one('gt-mh', 'gt-agree-out', 18, '1000.10');
SELECT is(pg_temp.heads('gt-agree-in'), '1000.10/90.01/90.01/0.00/180.02',
          '18 % intra-state, 1000.10: 90.01 per head, tax 180.02');
SELECT is(pg_temp.heads('gt-agree-out'), '1000.10/0.00/0.00/180.02/180.02',
          '18 % inter-state, 1000.10: IGST 180.02, the same');

-- 40 % (in force from 22 September 2025): 1.03 → 103 p × 20 / 100 = 20.6 p →
-- 0.21 each, tax 0.42; IGST round(41.2 p) = 0.41.
SELECT FROM pg_temp.one('gt-ka', 'gt-40-in', 40, '1.03');
SELECT FROM pg_temp.one('gt-mh', 'gt-40-out', 40, '1.03');
SELECT is(pg_temp.heads('gt-40-in'), '1.03/0.21/0.21/0.00/0.42', '40 % intra-state, 1.03: 0.21 per head, tax 0.42');
SELECT is(pg_temp.heads('gt-40-out'), '1.03/0.00/0.00/0.41/0.41', '40 % inter-state, 1.03: IGST 0.41');

-- 0 %: no tax at all, but still a GST line.
SELECT FROM pg_temp.one('gt-ka', 'gt-nil', 0, '123.45');
SELECT is(pg_temp.heads('gt-nil'), '123.45/0.00/0.00/0.00/0.00', '0 % (nil rated): no tax');

-- tax = Σ heads, exactly ---------------------------------------------------------

-- Many lines of odd amounts at every current rate, with a credit: the
-- invoice's tax is the sum of the heads to the paisa, each line's tax is
-- its heads, and each head is the rounded half (or whole) rate of the
-- line's taxable value, recomputed here independently in numeric.
SELECT FROM pg_temp.inv('gt-ka', 'gt-many-in', 18);
SELECT FROM pg_temp.inv('gt-mh', 'gt-many-out', 18);
SELECT FROM (
    SELECT pg_temp.line(o.org, o.id, ((g * 7919) % 100000 + g)::bigint::cents, (ARRAY[0, 0.25, 3, 5, 18, 40])[1 + g % 6])
      FROM generate_series(1, 60) g,
           (VALUES ('gt-ka', 'gt-many-in'), ('gt-mh', 'gt-many-out')) AS o(org, id)) s;
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES
    ('gt-ka', 'gt-many-in', '123.45', 'C'), ('gt-mh', 'gt-many-out', '123.45', 'C');

SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gt-many-in'),
          (SELECT sum(cgst) + sum(sgst) + sum(igst) FROM invoice.invoice_tax_lines('gt-many-in')),
          'intra-state, 60 lines: tax = Σ CGST + Σ SGST exactly');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gt-many-out'),
          (SELECT sum(cgst) + sum(sgst) + sum(igst) FROM invoice.invoice_tax_lines('gt-many-out')),
          'inter-state, 60 lines: tax = Σ IGST exactly');
SELECT is((SELECT count(*) FROM invoice.invoice_tax_lines('gt-many-in')
            WHERE tax <> cgst + sgst + igst OR cgst <> sgst OR igst <> '0'
               OR cgst <> cents_round(taxable_value::numeric * rate / 200)), 0::bigint,
          'intra-state: on every line CGST = SGST = round(taxable × rate / 200), IGST 0, tax = the heads');
SELECT is((SELECT count(*) FROM invoice.invoice_tax_lines('gt-many-out')
            WHERE tax <> igst OR cgst <> '0' OR sgst <> '0'
               OR igst <> cents_round(taxable_value::numeric * rate / 100)), 0::bigint,
          'inter-state: on every line IGST = round(taxable × rate / 100), no CGST or SGST');
SELECT is((SELECT subtotal FROM invoice.invoices WHERE id = 'gt-many-in'),
          (SELECT sum(taxable_value) FROM invoice.invoice_tax_lines('gt-many-in')),
          'the taxable values add up to the subtotal');
SELECT ok((SELECT count(*) FROM invoice.invoice_tax_lines('gt-many-in')
            WHERE cgst::numeric * 2 <> round(taxable_value::numeric * rate / 100, 2)) > 0,
          'the corpus has lines where 2 × head differs from the rate applied once (odd paise)');
SELECT is((SELECT array_agg(row(rate, taxable_value, cgst, sgst, igst, tax)::text ORDER BY rate)
             FROM invoice.invoice_tax_summary('gt-many-in')),
          (SELECT array_agg(row(rate, taxable_value, cgst, sgst, igst, tax)::text ORDER BY rate)
             FROM (SELECT rate, sum(taxable_value) AS taxable_value, sum(cgst) AS cgst, sum(sgst) AS sgst,
                          sum(igst) AS igst, sum(tax) AS tax
                     FROM invoice.invoice_tax_lines('gt-many-in') GROUP BY rate) s),
          'invoice_tax_summary is the per-rate sum of invoice_tax_lines');
SELECT is((SELECT sum(tax) FROM invoice.invoice_tax_summary('gt-many-in')),
          (SELECT tax FROM invoice.invoices WHERE id = 'gt-many-in'),
          'the per-rate summary adds up to the invoice''s tax');
SELECT is(pg_temp.amts('gt-many-in'),
          (SELECT pg_temp.amts(id) FROM invoice.invoice_compute('gt-many-in')),
          'invoice_compute agrees with the amounts the triggers stored');

-- Place of supply ----------------------------------------------------------------

SELECT is(gst_intra_state(true, '29', NULL, '29'), true, 'billing state = supplier''s state: intra-state');
SELECT is(gst_intra_state(true, '27', NULL, '29'), false, 'billing state ≠ supplier''s state: inter-state');
SELECT is(gst_intra_state(true, NULL, '27AAPFU0939F1ZV', '29'), false, 'no billing state: the GSTIN''s state (27): inter-state');
SELECT is(gst_intra_state(true, NULL, '29AAPFU0939F1ZR', '29'), true, 'no billing state: the GSTIN''s state (29): intra-state');
SELECT is(gst_intra_state(true, '29', '27AAPFU0939F1ZV', '29'), true, 'the billing state comes before the GSTIN''s state (29 over 27)');
SELECT is(gst_intra_state(true, '27', '29AAPFU0939F1ZR', '29'), false, 'the billing state comes before the GSTIN''s state (27 over 29)');
SELECT is(gst_intra_state(true, NULL, NULL, '29'), true, 'nothing on record: the supplier''s own state, intra-state');
SELECT is(gst_intra_state(false, '27', NULL, '29'), NULL, 'not a GST invoice: NULL');

-- The same through invoices: 0.50 at 18 % is 0.05 + 0.05 within the state and 0.09 IGST across.
SELECT FROM (SELECT pg_temp.one(o, 'gt-pos-' || o, 18, '0.50')
  FROM unnest(ARRAY['gt-gstin-27', 'gt-gstin-29', 'gt-29-over-27', 'gt-27-over-29', 'gt-nothing']) o) s;
SELECT is(pg_temp.heads('gt-pos-gt-gstin-27'), '0.50/0.00/0.00/0.09/0.09', 'invoice of an organisation with only a GSTIN of 27: IGST');
SELECT is(pg_temp.heads('gt-pos-gt-gstin-29'), '0.50/0.05/0.05/0.00/0.10', 'invoice of an organisation with only a GSTIN of 29: CGST + SGST');
SELECT is(pg_temp.heads('gt-pos-gt-29-over-27'), '0.50/0.05/0.05/0.00/0.10', 'billing state 29, GSTIN 27: CGST + SGST');
SELECT is(pg_temp.heads('gt-pos-gt-27-over-29'), '0.50/0.00/0.00/0.09/0.09', 'billing state 27, GSTIN 29: IGST');
SELECT is(pg_temp.heads('gt-pos-gt-nothing'), '0.50/0.05/0.05/0.00/0.10', 'nothing on record: the supplier''s state, CGST + SGST');
SELECT is((SELECT string_agg(tax::text, ',' ORDER BY org_id) FROM invoice.invoices WHERE id LIKE 'gt-pos-%'),
          '0.09,0.10,0.09,0.10,0.10',
          'the stored tax follows the same rule (27-over-29, 29-over-27, gstin-27, gstin-29, nothing)');

-- Non-GST invoices: one tax per line, no heads ----------------------------------

-- A USD invoice at 18 %: round(1000050 × 18 / 100) = 1800.09, reported as tax only.
SELECT FROM pg_temp.one('gt-ka', 'gt-usd', 18, '10000.50', false, 'USD');
SELECT is(pg_temp.heads('gt-usd'), '10000.50/0.00/0.00/0.00/1800.09',
          'non-GST invoice: only tax in invoice_tax_lines (no CGST, SGST or IGST)');
-- An INR invoice not marked gst, of an organisation in the supplier's state: not split either.
SELECT FROM pg_temp.one('gt-ka', 'gt-inr-plain', 18, '10000.50', false);
SELECT is(pg_temp.heads('gt-inr-plain'), '10000.50/0.00/0.00/0.00/1800.09',
          'INR invoice without gst, customer in the supplier''s state: one tax, not split');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gt-inr-plain'), '1800.09'::cents,
          '... and its tax is the rate applied once');
SELECT is((SELECT count(*) FROM invoice.invoice_tax_summary('gt-usd') WHERE cgst <> '0' OR sgst <> '0' OR igst <> '0'),
          0::bigint, 'non-GST invoice: the per-rate summary has no heads either');

-- Credits are spread pro rata before tax -----------------------------------------

-- Lines 300.00 at 18 % and 100.00 at 5 %, credit 100.01 (10001 p) over 40000 p:
--   line 1: 10001 × 30000 / 40000 = 7500.75 → 7500, remainder 0.75
--   line 2: 10001 × 10000 / 40000 = 2500.25 → 2500, remainder 0.25
--   one paisa left over → line 1 (larger remainder): shares 75.01 and 25.00
-- taxable 224.99 and 75.00; intra-state:
--   224.99 × 9 % = 20.2491 → 20.25 each, 40.50;  75.00 × 2.5 % = 1.875 → 1.88 each, 3.76
--   tax 44.26, subtotal 299.99, total 344.25
SELECT FROM pg_temp.inv('gt-ka', 'gt-credit', 18);
SELECT FROM pg_temp.line('gt-ka', 'gt-credit', '300.00');
SELECT FROM pg_temp.line('gt-ka', 'gt-credit', '100.00', 5, '996337');
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('gt-ka', 'gt-credit', '100.01', 'C');
SELECT is(pg_temp.heads('gt-credit'), '224.99/20.25/20.25/0.00/40.50 75.00/1.88/1.88/0.00/3.76',
          'credit 100.01 over 300.00 and 100.00: taxable 224.99 and 75.00, then the heads');
SELECT is(pg_temp.amts('gt-credit'), '400.00/100.01/299.99/44.26/344.25',
          'credit spread before tax: usage 400.00, credits 100.01, subtotal 299.99, tax 44.26, total 344.25');

-- A tie: 100.00 at 5 % and 100.00 at 18 %, credit 0.01: equal remainders, the
-- paisa goes to the higher rate: taxable 100.00 at 5 % and 99.99 at 18 %;
-- 100.00 × 2.5 % = 2.50 each (5.00), 99.99 × 9 % = 8.9991 → 9.00 each (18.00).
SELECT FROM pg_temp.inv('gt-ka', 'gt-tie', 18);
SELECT FROM pg_temp.line('gt-ka', 'gt-tie', '100.00', 5, '996337');
SELECT FROM pg_temp.line('gt-ka', 'gt-tie', '100.00');
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('gt-ka', 'gt-tie', '0.01', 'C');
SELECT is(pg_temp.heads('gt-tie'), '100.00/2.50/2.50/0.00/5.00 99.99/9.00/9.00/0.00/18.00',
          'a tie of remainders: the paisa of credit goes to the line with the higher rate');

-- Credits above the usage are capped: nothing is taxed.
SELECT FROM pg_temp.one('gt-mh', 'gt-overcredit', 18, '400.00');
INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('gt-mh', 'gt-overcredit', '500.00', 'C');
SELECT is(pg_temp.heads('gt-overcredit'), '0.00/0.00/0.00/0.00/0.00', 'credits above the usage: no taxable value, no tax');
SELECT is(pg_temp.amts('gt-overcredit'), '400.00/400.00/0.00/0.00/0.00', '... and credits_applied is capped at the usage');

-- A draft's change of gst or tax_rate recomputes it -------------------------------

-- An INR draft, not GST, 18 %, one line of 0.50: tax round(9 p) = 0.09.
SELECT FROM pg_temp.one('gt-ka', 'gt-retax', 18, '0.50', false);
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gt-retax'), '0.09'::cents, 'draft, not GST: tax 0.09');
-- Marked GST (customer in the supplier's state): 4.5 p per head → 0.05 + 0.05.
UPDATE invoice.invoices SET gst = true WHERE id = 'gt-retax';
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gt-retax'), '0.10'::cents,
          'setting gst on a draft recomputes it: CGST 0.05 + SGST 0.05 = 0.10');
-- 5 %: 50 p × 2.5 / 100 = 1.25 p → 0.01 per head, 0.02.
UPDATE invoice.invoices SET tax_rate = 5 WHERE id = 'gt-retax';
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gt-retax'), '0.02'::cents,
          'changing a GST draft''s tax_rate recomputes it: 0.01 + 0.01 = 0.02');
-- Not GST again: round(50 × 5 / 100 = 2.5 p) = 0.03.
UPDATE invoice.invoices SET gst = false WHERE id = 'gt-retax';
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gt-retax'), '0.03'::cents,
          'clearing gst recomputes it: round(2.5 paise) = 0.03');
SELECT is(pg_temp.amts('gt-retax'), '0.50/0.00/0.50/0.03/0.53', '... with the total following');

-- The split is the invoice's, not the customer's of the day -----------------------
-- (README: invoice_compute produces the breakdown and tax equals its sum to the
-- paisa.)  The place of supply is read from the organisation when amounts are
-- computed; the amounts of an issued invoice, and its breakdown, must not
-- change when the organisation later moves to another state, and a draft must
-- not be issued with a tax that disagrees with its breakdown.

-- A draft of 0.50 at 18 % for gt-nothing (supplier's state: 0.10), then the
-- organisation gives a billing state of 27 before the invoice is issued.
SELECT FROM pg_temp.inv('gt-nothing', 'gt-moved-draft', 18);
SELECT FROM pg_temp.line('gt-nothing', 'gt-moved-draft', '0.50');
UPDATE invoice.orgs SET billing_state = '27' WHERE org_id = 'gt-nothing';
SELECT FROM invoice.invoice_issue('gt-moved-draft');
SELECT is((SELECT tax FROM invoice.invoices WHERE id = 'gt-moved-draft'),
          (SELECT sum(tax) FROM invoice.invoice_tax_lines('gt-moved-draft')),
          'an organisation''s move before issue: the issued tax equals its breakdown');

-- An issued intra-state invoice (0.50 at 18 %: 0.05 + 0.05); then the
-- organisation moves to 27.
SELECT FROM pg_temp.inv('gt-29-over-27', 'gt-moved-issued', 18);
SELECT FROM pg_temp.line('gt-29-over-27', 'gt-moved-issued', '0.50');
SELECT FROM invoice.invoice_issue('gt-moved-issued');
UPDATE invoice.orgs SET billing_state = '27' WHERE org_id = 'gt-29-over-27';
SELECT is(pg_temp.heads('gt-moved-issued'), '0.50/0.05/0.05/0.00/0.10',
          'an organisation''s move after issue does not change the breakdown of an issued invoice');
SELECT is((SELECT total FROM invoice.invoice_compute('gt-moved-issued')), '0.60'::cents,
          '... and invoice_compute does not change its total');

SELECT * FROM finish();
ROLLBACK;
