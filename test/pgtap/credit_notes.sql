-- Credit notes (issue #7, README "Credit notes and disputes"): an issued
-- invoice is corrected, never edited.
--
--   - credit_note_create: only for issued invoices (IV001 for drafts and
--     cancelled ones), reasons from the enum (22P02), NULL / unknown ids;
--   - credit_note_issue: lines needed (22023), once only (IV001), the lines
--     frozen afterwards (IV002), tax split as the invoice's (CGST + SGST
--     within the state, IGST across), a number CN/YYyy/NNNNNN of its own
--     consecutive series by the note's date;
--   - never more than remains creditable (total − issued notes): exactly the
--     remainder is accepted, a paisa more is refused (IV010);
--   - effects: an unpaid invoice's amount due drops (settled: paid when it
--     reaches 0); what a paid invoice no longer owed goes to the advance
--     balance (to_balance, a 'reversal' ledger entry);
--   - section 34: a GST invoice of financial year N takes credit notes until
--     30 November of N+1 (IV010 after); a non-GST invoice has no such
--     deadline; a note is never dated in the future or before its invoice;
--   - the credit_notes table itself cannot be written around the functions.
--
-- Expected amounts are worked out by hand in the comments.  All in one
-- transaction, rolled back at the end.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(77);

-- Fixtures --------------------------------------------------------------------

DELETE FROM invoice.supplier;
INSERT INTO invoice.supplier (legal_name, address, gstin, state_code)
VALUES ('Credit note test supplier', 'Bengaluru', '29AAACI1681G1ZL', '29');
-- this file's numbering series start from scratch (rolled back at the end)
DELETE FROM invoice.number_series WHERE series IN ('CN', 'CNT');

INSERT INTO invoice.orgs (org_id, name, gstin, billing_state) VALUES
    ('cn-ka',     'Karnataka customer: CGST + SGST', NULL,              '29'),
    ('cn-mh',     'Maharashtra customer: IGST',      '27AAPFU0939F1ZV', '27'),
    ('cn-wallet', 'Customer with an advance balance', NULL,             '29'),
    ('cn-mover',  'Customer who moves to another state', NULL,          '29');

-- pg_temp.issued(org, id, amount [, invoice_date, gst]): an invoice of one
-- line at 18 % (HSN/SAC 998315) in series CNT, issued.  Within the state 18 %
-- of 1000.00 is 90.00 + 90.00: total 1180.00.
CREATE FUNCTION pg_temp.issued(p_org text, p_id text, p_amount cents,
                               p_date timestamptz DEFAULT '2025-10-01 00:00 UTC',
                               p_gst boolean DEFAULT true) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date,
                                  currency, gst, tax_rate)
    VALUES (p_org, p_id, 'CNT', p_date - interval '1 month', p_date, p_date, 'INR', p_gst, 18);
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac)
    VALUES (p_org, p_id, 'cloud hosting', p_amount, '998315');
    PERFORM invoice.invoice_issue(p_id);
    RETURN p_id;
END $$;

-- Credit notes get random ids: the file names them.
CREATE TEMP TABLE notes (name text PRIMARY KEY, id text NOT NULL);
CREATE FUNCTION pg_temp.cn(p_name text) RETURNS text LANGUAGE sql AS $$
    SELECT id FROM notes WHERE name = p_name
$$;

-- pg_temp.note(name, invoice, amounts [, tax_rate, reason]): a draft credit note with one line per amount
CREATE FUNCTION pg_temp.note(p_name text, p_invoice text, p_amounts cents[],
                             p_rate numeric DEFAULT NULL, p_reason text DEFAULT 'other') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_note invoice.credit_notes;
BEGIN
    v_note := invoice.credit_note_create(p_invoice, p_reason, 'test note ' || p_name);
    INSERT INTO notes VALUES (p_name, v_note.credit_note_id);
    INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount, tax_rate, hsn_sac)
    SELECT v_note.org_id, v_note.credit_note_id, 'credited', a, p_rate, '998315' FROM unnest(p_amounts) a;
    RETURN v_note.credit_note_id;
END $$;

-- pg_temp.issue(name, date): issue it on that day (a note bears the date of its issue: the
-- test clock is moved to noon of that day in the session's time zone, then back)
CREATE FUNCTION pg_temp.issue(p_name text, p_date date) RETURNS invoice.credit_notes LANGUAGE plpgsql AS $$
DECLARE
    v_clock text := current_setting('invoice.test_clock');
    v_note invoice.credit_notes;
BEGIN
    PERFORM set_config('invoice.test_clock', p_date::text || ' 12:00:00', true);
    v_note := invoice.credit_note_issue(pg_temp.cn(p_name), p_date);
    PERFORM set_config('invoice.test_clock', v_clock, true);
    RETURN v_note;
END $$;

-- a note's amounts as 'taxable/cgst/sgst/igst/tax/total/to_balance'
CREATE FUNCTION pg_temp.note_amts(p_name text) RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws('/', taxable_value, cgst, sgst, igst, tax, total, to_balance)
      FROM invoice.credit_notes WHERE credit_note_id = pg_temp.cn(p_name)
$$;

-- an invoice as 'status/total/credited/due'
CREATE FUNCTION pg_temp.inv(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT concat_ws('/', status, total, credited_amount, amount_due) FROM invoice.invoices WHERE id = p_id
$$;

-- credit_note_create ------------------------------------------------------------------

INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, gst, tax_rate)
VALUES ('cn-ka', 'cn-draft', '2025-09-01', '2025-10-01', 'INR', true, 18);
SELECT throws_ok($$SELECT invoice.credit_note_create('cn-draft', 'other')$$, 'IV001',
                 'invoice "cn-draft" is draft: there is nothing to credit',
                 'a credit note for a draft: refused (IV001)');
SELECT FROM pg_temp.issued('cn-ka', 'cn-cancelled', '100.00');
SELECT FROM invoice.invoice_cancel('cn-cancelled', 'issued by mistake');
SELECT throws_ok($$SELECT invoice.credit_note_create('cn-cancelled', 'other')$$, 'IV001',
                 'invoice "cn-cancelled" is cancelled: there is nothing to credit',
                 'a credit note for a cancelled invoice: refused (IV001)');
SELECT throws_ok($$SELECT invoice.credit_note_create(NULL, 'other')$$, '22004', NULL, 'NULL invoice id: 22004');
SELECT throws_ok($$SELECT invoice.credit_note_create('cn-ka-1', NULL)$$, '22004', NULL, 'NULL reason: 22004');
SELECT throws_ok($$SELECT invoice.credit_note_create('inv-nope', 'other')$$, 'P0002', NULL, 'unknown invoice: P0002');

SELECT FROM pg_temp.issued('cn-ka', 'cn-ka-1', '1000.00');
SELECT is((SELECT concat_ws('/', org_id, invoice_id, status, coalesce(number, '-'), reason, total)
             FROM invoice.credit_note_create('cn-ka-1', 'duplicate_charge', 'charged twice')),
          'cn-ka/cn-ka-1/draft/-/duplicate_charge/0.00',
          'a credit note for a pending invoice: a draft, no number, the reason given');
SELECT is((SELECT array_agg(r ORDER BY r) FROM (
             SELECT (invoice.credit_note_create('cn-ka-1', r)).reason::text AS r
               FROM unnest(ARRAY['duplicate_charge', 'wrong_rate', 'service_not_rendered', 'other']) r) s),
          ARRAY['duplicate_charge', 'other', 'service_not_rendered', 'wrong_rate'],
          'the four reasons of the list are accepted');
SELECT throws_ok($$SELECT invoice.credit_note_create('cn-ka-1', 'goodwill')$$, '22P02', NULL,
                 'a reason outside the list: refused (22P02)');
-- (those drafts are never issued)

-- credit_note_issue: arguments, lines, once only --------------------------------------

SELECT FROM pg_temp.note('empty', 'cn-ka-1', '{}');
SELECT throws_ok($$SELECT pg_temp.issue('empty', '2025-10-20')$$, '22023', NULL,
                 'a credit note without lines: refused (22023)');
SELECT throws_ok($$SELECT invoice.credit_note_issue(NULL, '2025-10-20')$$, '22004', NULL, 'NULL credit note id: 22004');
SELECT throws_ok($$SELECT invoice.credit_note_issue(pg_temp.cn('empty'), NULL)$$, '22004', NULL, 'NULL note date: 22004');
SELECT throws_ok($$SELECT invoice.credit_note_issue('cn-nope')$$, 'P0002', NULL, 'unknown credit note: P0002');

-- Within the state: 500.01 at 18 % is 50001 p × 9 / 100 = 4500.09 p → 45.00
-- per head, tax 90.00, total 590.01.
SELECT FROM pg_temp.note('ka-a', 'cn-ka-1', '{500.01}');
-- A draft's lines can be changed.
SELECT lives_ok($$UPDATE invoice.credit_note_lines SET description = 'hosting billed twice'
                   WHERE credit_note_id = pg_temp.cn('ka-a')$$, 'a draft''s lines can be changed');
SELECT is((SELECT concat_ws('/', status, number, note_date, reason) FROM pg_temp.issue('ka-a', '2025-10-20')),
          'issued/CN/2526/000001/2025-10-20/other', 'issued: the first number of CN for 2025-26, dated as asked');
SELECT is(pg_temp.note_amts('ka-a'), '500.01/45.00/45.00/0.00/90.00/590.01/0.00',
          'intra-state note of 500.01: CGST 45.00 = SGST 45.00, no IGST, total 590.01');
SELECT throws_ok($$SELECT pg_temp.issue('ka-a', '2025-10-20')$$, 'IV001', NULL, 'issued twice: refused (IV001)');

-- The lines of an issued note are frozen.
SELECT throws_ok($$INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount)
                   VALUES ('cn-ka', pg_temp.cn('ka-a'), 'one more', '1.00')$$, 'IV002', NULL,
                 'a line added to an issued credit note: refused (IV002)');
SELECT throws_ok($$UPDATE invoice.credit_note_lines SET amount = '1.00' WHERE credit_note_id = pg_temp.cn('ka-a')$$,
                 'IV002', NULL, 'a line of an issued credit note updated: refused (IV002)');
SELECT throws_ok($$DELETE FROM invoice.credit_note_lines WHERE credit_note_id = pg_temp.cn('ka-a')$$,
                 'IV002', NULL, 'a line of an issued credit note deleted: refused (IV002)');
SELECT throws_ok($$UPDATE invoice.credit_note_lines SET credit_note_id = pg_temp.cn('empty')
                    WHERE credit_note_id = pg_temp.cn('ka-a')$$,
                 'IV002', NULL, 'a line moved from an issued credit note to a draft: refused (IV002)');

-- A note whose invoice was cancelled after the note was created.
SELECT FROM pg_temp.issued('cn-ka', 'cn-ka-void', '100.00');
SELECT FROM pg_temp.note('void', 'cn-ka-void', '{10.00}');
SELECT FROM invoice.invoice_cancel('cn-ka-void', 'wrong customer');
SELECT throws_ok($$SELECT pg_temp.issue('void', '2025-10-20')$$, 'IV001', NULL,
                 'issuing a note of an invoice cancelled meanwhile: refused (IV001)');

-- Tax split like the invoice's ---------------------------------------------------------

SELECT FROM pg_temp.issued('cn-mh', 'cn-mh-1', '1000.00');
SELECT is(pg_temp.inv('cn-mh-1'), 'pending/1180.00/0.00/1180.00', 'inter-state invoice of 1000.00: IGST 180.00, total 1180.00');
-- 500.01 across states: IGST round(50001 p × 18 / 100 = 9000.18 p) = 90.00.
SELECT FROM pg_temp.note('mh-a', 'cn-mh-1', '{500.01}');
SELECT is((SELECT number FROM pg_temp.issue('mh-a', '2025-10-21')), 'CN/2526/000002', 'the next note takes the next number');
SELECT is(pg_temp.note_amts('mh-a'), '500.01/0.00/0.00/90.00/90.00/590.01/0.00',
          'inter-state note of 500.01: IGST 90.00, no CGST or SGST');
-- Odd paise: 0.50 at 18 %: 4.5 p per head → 0.05 + 0.05 within the state; IGST round(9 p) = 0.09.
SELECT FROM pg_temp.note('ka-half', 'cn-ka-1', '{0.50}');
SELECT FROM pg_temp.note('mh-half', 'cn-mh-1', '{0.50}');
SELECT is((SELECT number FROM pg_temp.issue('ka-half', '2025-10-21')), 'CN/2526/000003', 'numbers are consecutive across invoices');
SELECT is((SELECT number FROM pg_temp.issue('mh-half', '2025-10-22')), 'CN/2526/000004', '... and organisations');
SELECT is(pg_temp.note_amts('ka-half'), '0.50/0.05/0.05/0.00/0.10/0.60/0.00',
          'intra-state note of 0.50: each head 4.5 paise rounded up, tax 0.10');
SELECT is(pg_temp.note_amts('mh-half'), '0.50/0.00/0.00/0.09/0.09/0.59/0.00', 'inter-state note of 0.50: IGST 0.09');
-- Lines at their own rate, each head rounded per line: 1000.20 at 5 % is
-- 2500.5 p → 25.01 per head (50.02); 0.50 at the invoice's 18 % → 0.05 + 0.05.
SELECT FROM pg_temp.issued('cn-ka', 'cn-ka-2', '2000.00');
SELECT FROM pg_temp.note('ka-mixed', 'cn-ka-2', '{1000.20}', 5);
INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount)
VALUES ('cn-ka', pg_temp.cn('ka-mixed'), 'at the invoice''s rate', '0.50');
SELECT FROM pg_temp.issue('ka-mixed', '2025-10-22');
SELECT is((SELECT string_agg(concat_ws('/', amount, coalesce(tax_rate::text, '-'), cgst, sgst, igst, tax), ' ' ORDER BY line_no)
             FROM invoice.credit_note_lines WHERE credit_note_id = pg_temp.cn('ka-mixed')),
          '1000.20/5/25.01/25.01/0.00/50.02 0.50/-/0.05/0.05/0.00/0.10',
          'each line''s heads, at its own rate or the invoice''s');
SELECT is(pg_temp.note_amts('ka-mixed'), '1000.70/25.06/25.06/0.00/50.12/1050.82/0.00',
          'the note''s heads are the sums of its lines''');
-- A non-GST invoice: one tax, no heads; 100.00 at 18 % is 18.00.
SELECT FROM pg_temp.issued('cn-ka', 'cn-plain', '1000.00', p_gst => false);
SELECT FROM pg_temp.note('plain', 'cn-plain', '{100.00}');
SELECT FROM pg_temp.issue('plain', '2025-10-22');
SELECT is(pg_temp.note_amts('plain'), '100.00/0.00/0.00/0.00/18.00/118.00/0.00', 'a non-GST note: tax only');
-- The split is the invoice's: an organisation that moved after the invoice
-- was issued gets a note split the same way.  The invoice: 0.50 within the
-- state, 0.05 + 0.05, total 0.60 (IGST would be 0.09); the note: 0.50, the same.
SELECT FROM pg_temp.issued('cn-mover', 'cn-mover-1', '0.50');
UPDATE invoice.orgs SET billing_state = '27' WHERE org_id = 'cn-mover';
SELECT FROM pg_temp.note('mover', 'cn-mover-1', '{0.50}');
SELECT FROM pg_temp.issue('mover', '2025-10-22');
SELECT is(pg_temp.note_amts('mover'), '0.50/0.05/0.05/0.00/0.10/0.60/0.00',
          'a note is split as its invoice was (CGST + SGST), though the customer has moved since');
SELECT is((SELECT total FROM invoice.invoices WHERE id = 'cn-mover-1'), '0.60'::cents,
          '... and the invoice''s total is what it was at issue');

-- Numbers by the note's financial year ---------------------------------------------

-- (a non-GST invoice, so that section 34's deadline does not get in the way)
SELECT FROM pg_temp.issued('cn-ka', 'cn-fy', '1000.00', '2025-03-01 00:00 UTC', false);
SELECT FROM pg_temp.note('fy-2425', 'cn-fy', '{1.00}');
SELECT FROM pg_temp.note('fy-2526', 'cn-fy', '{1.00}');
SELECT FROM pg_temp.note('fy-2627', 'cn-fy', '{1.00}');
SELECT is((SELECT number FROM pg_temp.issue('fy-2425', '2025-03-31')), 'CN/2425/000001',
          'a note dated 2025-03-31: the first number of 2024-25');
-- seven notes of 2025-26 so far: ka-a, mh-a, ka-half, mh-half, ka-mixed, plain, mover
SELECT is((SELECT number FROM pg_temp.issue('fy-2526', '2025-04-01')), 'CN/2526/000008',
          'a note dated 2025-04-01: the next number of 2025-26');
SELECT is((SELECT number FROM pg_temp.issue('fy-2627', '2026-04-01')), 'CN/2627/000001',
          'a note dated 2026-04-01: the first number of 2026-27 (by the note''s date, not the invoice''s)');

-- Never more than remains creditable ----------------------------------------------------

-- cn-lim: 1000.00 at 18 % within the state, total 1180.00.
--   note A 500.01 → 590.01 (45.00 + 45.00): accepted, 589.99 left
--   note B 500.00 → 590.00: a paisa more than is left, refused
--   note C 499.99 → 49999 p × 9 / 100 = 4499.91 p → 45.00 per head → 589.99: exactly what is left
SELECT FROM pg_temp.issued('cn-ka', 'cn-lim', '1000.00');
SELECT FROM pg_temp.note('lim-a', 'cn-lim', '{500.01}');
SELECT FROM pg_temp.note('lim-b', 'cn-lim', '{500.00}');
SELECT FROM pg_temp.note('lim-c', 'cn-lim', '{499.99}');
SELECT is((SELECT total FROM pg_temp.issue('lim-a', '2025-10-20')), '590.01'::cents, 'note A: 590.01 of 1180.00');
SELECT throws_ok($$SELECT pg_temp.issue('lim-b', '2025-10-20')$$, 'IV010',
                 format('credit note "%s" of 590.00 exceeds what remains creditable on invoice "cn-lim"', pg_temp.cn('lim-b')),
                 'note B: 590.00 where 589.99 remains, one paisa more: refused (IV010)');
SELECT is((SELECT status FROM invoice.credit_notes WHERE credit_note_id = pg_temp.cn('lim-b')), 'draft',
          '... and stays a draft');
SELECT is((SELECT total FROM pg_temp.issue('lim-c', '2025-10-20')), '589.99'::cents,
          'note C: 589.99, exactly what remains: accepted');
SELECT is(pg_temp.inv('cn-lim'), 'paid/1180.00/1180.00/0.00',
          'fully credited, unpaid: nothing is due and the invoice is settled (paid)');
SELECT FROM pg_temp.note('lim-d', 'cn-lim', '{0.01}');
SELECT throws_ok($$SELECT pg_temp.issue('lim-d', '2025-10-20')$$, 'IV010', NULL,
                 'a fully credited invoice takes no more notes, not even 0.01 (IV010)');
SELECT is((SELECT to_status::text || ':' || reason FROM invoice.status_history
            WHERE invoice_id = 'cn-lim' ORDER BY history_id DESC LIMIT 1), 'paid:settled by credit note',
          'the settlement is in the status history (pending → paid)');

-- Two notes that together exceed the total: the second is refused.
--   cn-lim2 total 1180.00; note 600.00 → 708.00; note 500.00 → 590.00; 708.00 + 590.00 = 1298.00 > 1180.00
SELECT FROM pg_temp.issued('cn-ka', 'cn-lim2', '1000.00');
SELECT FROM pg_temp.note('lim2-a', 'cn-lim2', '{600.00}');
SELECT FROM pg_temp.note('lim2-b', 'cn-lim2', '{500.00}');
SELECT is((SELECT total FROM pg_temp.issue('lim2-a', '2025-10-20')), '708.00'::cents, 'first note 708.00: accepted');
SELECT throws_ok($$SELECT pg_temp.issue('lim2-b', '2025-10-20')$$, 'IV010', NULL,
                 'second note 590.00, 1298.00 in all over a total of 1180.00: refused (IV010)');
SELECT is(pg_temp.inv('cn-lim2'), 'pending/1180.00/708.00/472.00', 'the invoice shows the first note only');
-- A refused note takes no number.
SELECT FROM pg_temp.note('after-refusal', 'cn-lim2', '{1.00}');
-- 2025-26 so far: eight notes, then lim-a, lim-c, lim2-a (9 to 11)
SELECT is((SELECT number FROM pg_temp.issue('after-refusal', '2025-10-23')), 'CN/2526/000012',
          'the refused notes took no number: the next note is consecutive');

-- Effects ---------------------------------------------------------------------------------

-- Three invoices of cn-wallet, 1180.00 each, issued while its advance balance
-- is 0 (a balance is applied at issue): cn-due unpaid, cn-paid paid in full,
-- cn-part paid 1000.00 of 1180.00.
SELECT FROM pg_temp.issued('cn-wallet', 'cn-due', '1000.00');
SELECT FROM pg_temp.issued('cn-wallet', 'cn-paid', '1000.00');
SELECT FROM invoice.invoice_pay('cn-paid', '1180.00', 'card', 'cn-paid-pay');
SELECT FROM pg_temp.issued('cn-wallet', 'cn-part', '1000.00');
SELECT FROM invoice.invoice_pay('cn-part', '1000.00', 'card', 'cn-part-pay');
SELECT is(pg_temp.inv('cn-part'), 'pending/1180.00/0.00/180.00', 'cn-part: 180.00 still due');

-- Unpaid: the amount due drops by the note's total.  cn-due: note 100.00 → 118.00.
SELECT FROM pg_temp.note('due', 'cn-due', '{100.00}');
SELECT FROM pg_temp.issue('due', '2025-10-20');
SELECT is(pg_temp.note_amts('due'),
          '100.00/9.00/9.00/0.00/18.00/118.00/0.00', 'note of 118.00 on an unpaid invoice: nothing to the balance');
SELECT is(pg_temp.inv('cn-due'), 'pending/1180.00/118.00/1062.00',
          'unpaid invoice: total kept, credited_amount 118.00, amount due 1180.00 − 118.00 = 1062.00');
SELECT is((SELECT concat_ws('/', status, total, credited_amount, amount_due) FROM invoice.invoice_compute('cn-due')),
          'pending/1180.00/118.00/1062.00', 'invoice_compute agrees');
SELECT is((SELECT advance_balance FROM invoice.orgs WHERE org_id = 'cn-wallet'), '0.00'::cents,
          'the advance balance is untouched');
SELECT is((SELECT count(*) FROM invoice.advance_ledger WHERE invoice_id = 'cn-due'), 0::bigint, '... and no ledger entry');
SELECT is((SELECT amount FROM invoice.invoice_pay('cn-due', '1062.00', 'upi', 'cn-due-pay')), '1062.00'::cents,
          'the customer pays the reduced amount due');
SELECT is(pg_temp.inv('cn-due'), 'paid/1180.00/118.00/0.00', '... and the invoice is paid');

-- Paid: the whole note goes to the advance balance.  cn-paid: note 100.00 → 118.00.
SELECT FROM pg_temp.note('paid', 'cn-paid', '{100.00}', p_reason => 'wrong_rate');
SELECT is((SELECT to_balance FROM pg_temp.issue('paid', '2025-10-20')), '118.00'::cents,
          'note of 118.00 on a paid invoice: to_balance = the note''s total');
SELECT is((SELECT advance_balance FROM invoice.orgs WHERE org_id = 'cn-wallet'), '118.00'::cents,
          'the organisation''s advance balance grows by 118.00');
SELECT is((SELECT concat_ws('/', kind, amount, invoice_id) FROM invoice.advance_ledger WHERE org_id = 'cn-wallet'),
          'reversal/118.00/cn-paid', 'a reversal entry of 118.00 for the invoice is in the ledger');
SELECT is(pg_temp.inv('cn-paid'), 'paid/1180.00/118.00/0.00', 'the paid invoice stays paid, nothing due');

-- Partly paid: what was still due comes off, the rest goes to the balance.
-- cn-part: 180.00 due; note 500.00 → 590.00:
-- 180.00 off the amount due, 410.00 to the balance.
SELECT FROM pg_temp.note('part', 'cn-part', '{500.00}');
SELECT FROM pg_temp.issue('part', '2025-10-20');
SELECT is(pg_temp.note_amts('part'),
          '500.00/45.00/45.00/0.00/90.00/590.00/410.00',
          'note of 590.00 where 180.00 was due: to_balance 410.00');
SELECT is(pg_temp.inv('cn-part'), 'paid/1180.00/590.00/0.00', 'the invoice owes nothing more: paid');
SELECT is((SELECT advance_balance FROM invoice.orgs WHERE org_id = 'cn-wallet'), '528.00'::cents,
          'the balance grows by 410.00 (118.00 + 410.00 = 528.00)');
SELECT is((SELECT sum(amount) FROM invoice.advance_ledger WHERE org_id = 'cn-wallet'), '528.00'::cents,
          'the balance is the sum of the ledger');

-- Section 34 --------------------------------------------------------------------------------

-- A GST invoice dated 2024-06-15 belongs to 2024-25: credit notes until 2025-11-30.
SELECT FROM pg_temp.issued('cn-ka', 'cn-s34', '1000.00', '2024-06-15 00:00 UTC');
SELECT FROM pg_temp.note('s34-last', 'cn-s34', '{1.00}');
SELECT FROM pg_temp.note('s34-late', 'cn-s34', '{1.00}');
SELECT is((SELECT status FROM pg_temp.issue('s34-last', '2025-11-30')), 'issued',
          'GST invoice of 2024-06-15: a note dated 2025-11-30 is accepted');
SELECT throws_ok($$SELECT pg_temp.issue('s34-late', '2025-12-01')$$, 'IV010',
                 'credit note for GST invoice "cn-s34" cannot be issued after 2025-11-30',
                 'a note dated 2025-12-01: refused (IV010)');
-- The edges of the financial year (UTC): 31 March 2025 is 2024-25, 1 April 2025 is 2025-26.
SELECT FROM pg_temp.issued('cn-ka', 'cn-s34-mar31', '1000.00', '2025-03-31 23:59:59 UTC');
SELECT FROM pg_temp.issued('cn-ka', 'cn-s34-apr01', '1000.00', '2025-04-01 00:00 UTC');
SELECT FROM pg_temp.note('s34-mar31', 'cn-s34-mar31', '{1.00}');
SELECT FROM pg_temp.note('s34-apr01', 'cn-s34-apr01', '{1.00}');
SELECT throws_ok($$SELECT pg_temp.issue('s34-mar31', '2025-12-01')$$, 'IV010', NULL,
                 'invoice of 2025-03-31 23:59:59 UTC (2024-25): a note dated 2025-12-01 is refused (IV010)');
SELECT is((SELECT status FROM pg_temp.issue('s34-apr01', '2025-12-01')), 'issued',
          'invoice of 2025-04-01 (2025-26): a note dated 2025-12-01 is accepted');
-- A non-GST invoice has no such deadline.
SELECT FROM pg_temp.issued('cn-ka', 'cn-s34-plain', '1000.00', '2024-06-15 00:00 UTC', false);
SELECT FROM pg_temp.note('s34-plain', 'cn-s34-plain', '{1.00}');
SELECT is((SELECT status FROM pg_temp.issue('s34-plain', '2025-12-01')), 'issued',
          'a non-GST invoice of 2024-06-15: a note dated 2025-12-01 is accepted');

-- Note dates: the date of issue (the clock's), never before the invoice.
SELECT FROM pg_temp.note('future', 'cn-s34', '{1.00}');
SELECT throws_ok($$SELECT invoice.credit_note_issue(pg_temp.cn('future'), CAST(invoice.clock() AS date) + 1)$$, '22023', NULL,
                 'a note dated tomorrow: refused (22023)');
SELECT throws_ok($$SELECT pg_temp.issue('future', '2024-06-14')$$, '22023', NULL,
                 'a note issued the day before its invoice: refused (22023)');
SELECT FROM pg_temp.issued('cn-ka', 'cn-today', '1000.00', date_trunc('day', invoice.clock()));
SELECT FROM pg_temp.note('today', 'cn-today', '{1.00}');
SELECT is((SELECT status FROM invoice.credit_note_issue(pg_temp.cn('today'))), 'issued',
          'a note dated by default (today) of an invoice of today: accepted');
SELECT FROM pg_temp.note('same-day', 'cn-s34-plain', '{1.00}');
SELECT is((SELECT status FROM pg_temp.issue('same-day', '2024-06-15')), 'issued',
          'a note dated the invoice''s own date: accepted');

-- The credit_notes table cannot be written around the functions ----------------------------
-- (README: every rule is enforced inside PostgreSQL, whatever statement touches
-- the tables.)  Otherwise the limit, the numbering and the frozen lines mean nothing.

SELECT throws_like($$UPDATE invoice.credit_notes SET total = '5000.00' WHERE credit_note_id = pg_temp.cn('ka-a')$$,
                   '%', 'an issued credit note''s total cannot be rewritten');
SELECT throws_like($$UPDATE invoice.credit_notes SET status = 'draft', number = NULL
                      WHERE credit_note_id = pg_temp.cn('mh-a')$$,
                   '%', 'an issued credit note cannot be turned back into a draft');
SELECT throws_like($$DELETE FROM invoice.credit_notes WHERE credit_note_id = pg_temp.cn('ka-half')$$,
                   '%', 'an issued credit note (and with it its lines) cannot be deleted');
SELECT throws_like($$INSERT INTO invoice.credit_notes (org_id, invoice_id, reason, status, number, total)
                     VALUES ('cn-ka', 'cn-ka-1', 'other', 'issued', 'CN/2526/999999', '99999.00')$$,
                   '%', 'an issued credit note cannot be inserted directly, past the limit');

-- The time zone of the session does not move a note into another financial year ------------
-- (README: the financial year is taken in UTC; a note's date is a date.)
SET LOCAL TimeZone = 'Asia/Kolkata';
SELECT FROM pg_temp.note('ist', 'cn-fy', '{1.00}');
-- (the next number of 2026-27: how many that year has depends on today's
-- date, which the note dated by default took)
SELECT format('CN/2627/%s', lpad((coalesce((SELECT last_value FROM invoice.number_series
                                            WHERE series = 'CN' AND fiscal_year = 2026), 0) + 1)::text, 6, '0'))
       AS ist_expected \gset
SELECT is((SELECT number FROM pg_temp.issue('ist', '2026-04-01')), :'ist_expected',
          'a note dated 2026-04-01 in a session at UTC+05:30 takes the next number of 2026-27');
SET LOCAL TimeZone = 'UTC';

SELECT * FROM finish();
ROLLBACK;
