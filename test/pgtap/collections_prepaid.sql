-- prepaid balances (issue #5, README "Prepaid balances"): top-ups and their
-- receipts, the append-only ledger whose sum is orgs.advance_balance (never
-- negative), the balance applied at issue (credits → advance → card), and the
-- auto-pay outbox.
--
-- invoice_topup: a receipt numbered RCT/YYyy/NNNNNN (consecutive, gapless even
-- when a top-up fails), idempotent on provider_ref (same amount: the same
-- receipt, no second ledger entry; a different amount: IV004), argument errors
-- (NULL 22004, amount <= 0 22023, unknown organisation P0002, unknown method
-- 22P02).  The ledger: UPDATE/DELETE refused (IV002), an entry taking the
-- balance below zero refused (IV008), applied entries written only by issue
-- (IV006), advance_balance never written directly, not even by an INSERT
-- (IV006), and always equal to the sum of the ledger.  (TRUNCATE is left to
-- the table's owner, as src/prepaid.c says: tests clean up with it.)  At issue:
-- min(balance, amount due after credits) is applied, advance_pay_amount and
-- amount_due show it, invoice_compute agrees, a fully covered invoice is paid
-- at once (draft → pending → paid); auto-pay queues exactly the remainder;
-- an invoice with advance applied cannot be cancelled (IV001).
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(90);

-- Receipt numbers are supplier-wide: start the series afresh (rolled back at the end).
TRUNCATE invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits, invoice.payments,
         invoice.status_history, invoice.number_series, invoice.reminders,
         invoice.receipts, invoice.advance_ledger, invoice.payment_requests CASCADE;

-- Fixtures ---------------------------------------------------------------------

INSERT INTO invoice.orgs (org_id, name) VALUES ('cp-org', 'Prepaid org'), ('cp-other', 'Another org');

-- the receipt number prefix of the current financial year (1 April, UTC), e.g. RCT/2627/
SELECT format('RCT/%s%s/', lpad((fy % 100)::text, 2, '0'), lpad(((fy + 1) % 100)::text, 2, '0')) AS rct
  FROM (SELECT extract(year FROM invoice.clock() AT TIME ZONE 'UTC')::int
               - CASE WHEN extract(month FROM invoice.clock() AT TIME ZONE 'UTC') < 4 THEN 1 ELSE 0 END AS fy) f
\gset

-- organisations whose advance_balance differs from the sum of their ledger
CREATE FUNCTION pg_temp.ledger_mismatches() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM invoice.orgs o
     WHERE o.advance_balance IS DISTINCT FROM
           coalesce((SELECT sum(l.amount) FROM invoice.advance_ledger l WHERE l.org_id = o.org_id),
                    '0'::cents)
$$;

CREATE FUNCTION pg_temp.balance(p_org text) RETURNS cents LANGUAGE sql AS $$
    SELECT advance_balance FROM invoice.orgs WHERE org_id = p_org
$$;

-- a draft invoice of p_org with one line of p_amount, a credit of p_credit
-- (none when 0) and tax at p_tax %
CREATE FUNCTION pg_temp.draft(p_org text, p_id text, p_amount cents,
                              p_credit cents DEFAULT '0', p_tax numeric DEFAULT 0) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, tax_rate)
    VALUES (p_org, p_id, 'CPP', '2024-01-01 00:00 UTC', '2024-02-01 00:00 UTC', '2024-02-01 00:00 UTC', p_tax);
    IF p_amount > '0' THEN
        INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
        VALUES (p_org, p_id, 'service', p_amount);
    END IF;
    IF p_credit > '0' THEN
        INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES (p_org, p_id, p_credit, 'PROMO');
    END IF;
    RETURN p_id;
END $$;

-- an invoice's stored amounts as text, to compare with a recompute
CREATE FUNCTION pg_temp.amounts(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT format('usage %s credits %s billed %s subtotal %s tax %s total %s advance %s due %s',
                  usage_amount, credits_applied, already_billed_amount, subtotal, tax, total,
                  advance_pay_amount, amount_due)
      FROM invoice.invoices WHERE id = p_id
$$;

-- Top-ups and receipts --------------------------------------------------------------

SELECT is((SELECT number FROM invoice.invoice_topup('cp-org', '50.00', 'upi', 'cp-t1')), :'rct' || '000001',
          'first top-up: receipt RCT/YYyy/000001');
SELECT results_eq($$SELECT org_id COLLATE "default", amount, method::text, provider_ref COLLATE "default"
                      FROM invoice.receipts WHERE provider_ref = 'cp-t1'$$,
                  $$VALUES ('cp-org', '50.00'::cents, 'upi', 'cp-t1')$$,
                  'the receipt records organisation, amount, method and provider reference');
SELECT is(pg_temp.balance('cp-org'), '50.00'::cents, 'the balance is 50.00');
SELECT results_eq($$SELECT kind, amount, receipt_id = (SELECT receipt_id FROM invoice.receipts WHERE provider_ref = 'cp-t1'),
                           invoice_id IS NULL FROM invoice.advance_ledger WHERE org_id = 'cp-org'$$,
                  $$VALUES ('topup', '50.00'::cents, true, true)$$,
                  'one ledger entry: topup +50.00 referring to its receipt');
SELECT is((SELECT number FROM invoice.invoice_topup('cp-org', '25.50', 'card', 'cp-t2')), :'rct' || '000002',
          'second top-up: the next number');
SELECT is((SELECT number FROM invoice.invoice_topup('cp-other', '10.00', 'wallet', 'cp-t3')), :'rct' || '000003',
          'a top-up of another organisation: the next number of the same series');
SELECT is(pg_temp.balance('cp-org'), '75.50'::cents, 'balance 75.50');
SELECT is(pg_temp.ledger_mismatches(), 0::bigint, 'every balance equals the sum of its ledger');

-- Idempotence on provider_ref.
SELECT (SELECT count(*) FROM invoice.advance_ledger) AS ledger0,
       (SELECT count(*) FROM invoice.receipts) AS receipts0 \gset
SELECT results_eq($$SELECT receipt_id, number COLLATE "default", amount FROM invoice.invoice_topup('cp-org', '50.00', 'upi', 'cp-t1')$$,
                  $$SELECT receipt_id, number COLLATE "default", amount FROM invoice.receipts WHERE provider_ref = 'cp-t1'$$,
                  'a retry (same provider_ref, same amount) returns the first receipt');
SELECT is((SELECT count(*) FROM invoice.advance_ledger), :ledger0::bigint, 'and adds no ledger entry');
SELECT is((SELECT count(*) FROM invoice.receipts), :receipts0::bigint, 'and no receipt');
SELECT is(pg_temp.balance('cp-org'), '75.50'::cents, 'the balance is unchanged');
SELECT throws_ok($$SELECT invoice.invoice_topup('cp-org', '50.01', 'upi', 'cp-t1')$$, 'IV004', NULL,
                 'the same provider_ref with a different amount -> IV004');
SELECT is((SELECT number FROM invoice.invoice_topup('cp-other', '50.00', 'upi', 'cp-t1')), :'rct' || '000004',
          'the same provider_ref in another organisation is another top-up');

-- Arguments.
SELECT throws_ok($$SELECT invoice.invoice_topup(NULL, '1.00', 'upi', 'cp-x')$$, '22004', NULL, 'NULL organisation -> 22004');
SELECT throws_ok($$SELECT invoice.invoice_topup('cp-org', NULL, 'upi', 'cp-x')$$, '22004', NULL, 'NULL amount -> 22004');
SELECT throws_ok($$SELECT invoice.invoice_topup('cp-org', '1.00', NULL, 'cp-x')$$, '22004', NULL, 'NULL method -> 22004');
SELECT throws_ok($$SELECT invoice.invoice_topup('cp-org', '1.00', 'upi', NULL)$$, '22004', NULL, 'NULL provider_ref -> 22004');
SELECT throws_ok($$SELECT invoice.invoice_topup('cp-org', '0', 'upi', 'cp-x')$$, '22023', NULL, 'amount 0 -> 22023');
SELECT throws_ok($$SELECT invoice.invoice_topup('cp-org', '-5.00', 'upi', 'cp-x')$$, '22023', NULL, 'negative amount -> 22023');
SELECT throws_ok($$SELECT invoice.invoice_topup('cp-org', '1.00', 'upi', '  ')$$, '22023', NULL, 'blank provider_ref -> 22023');
SELECT throws_ok($$SELECT invoice.invoice_topup('cp-nobody', '1.00', 'upi', 'cp-x')$$, 'P0002', NULL, 'unknown organisation -> P0002');
SELECT throws_ok($$SELECT invoice.invoice_topup('cp-org', '1.00', 'cheque', 'cp-x')$$, '22P02', NULL, 'unknown method -> 22P02');
SELECT is((SELECT number FROM invoice.invoice_topup('cp-org', '4.50', 'netbanking', 'cp-t5')), :'rct' || '000005',
          'failed top-ups leave no gap: the next receipt is 000005');
SELECT is((SELECT count(*) FROM invoice.receipts WHERE provider_ref = 'cp-x'), 0::bigint, 'and left no receipt');
SELECT is(pg_temp.balance('cp-org'), '80.00'::cents, 'balance 80.00');
SELECT is(pg_temp.ledger_mismatches(), 0::bigint, 'balances still equal their ledgers');

-- The ledger: append-only, never negative, the balance derived --------------------------

SELECT throws_ok($$UPDATE invoice.advance_ledger SET amount = '1000.00' WHERE org_id = 'cp-org'$$, 'IV002', NULL,
                 'UPDATE of the ledger -> IV002');
SELECT throws_ok($$UPDATE invoice.advance_ledger SET amount = amount WHERE false$$, 'IV002', NULL,
                 'even an UPDATE touching no row -> IV002');
SELECT throws_ok($$DELETE FROM invoice.advance_ledger WHERE org_id = 'cp-org'$$, 'IV002', NULL,
                 'DELETE from the ledger -> IV002');
SELECT throws_ok($$UPDATE invoice.orgs SET advance_balance = '1000.00' WHERE org_id = 'cp-org'$$, 'IV006', NULL,
                 'UPDATE orgs SET advance_balance -> IV006');
SELECT throws_ok($$UPDATE invoice.orgs SET advance_balance = '0' WHERE org_id = 'cp-org'$$, 'IV006', NULL,
                 'lowering it directly -> IV006 as well');
SELECT lives_ok($$UPDATE invoice.orgs SET name = 'Prepaid org (renamed)', autopay = false WHERE org_id = 'cp-org'$$,
                'other columns of the organisation can be updated');
SELECT is(pg_temp.balance('cp-org'), '80.00'::cents, 'the balance is untouched');

SELECT throws_ok($$INSERT INTO invoice.advance_ledger (org_id, kind, amount) VALUES ('cp-org', 'reversal', '-80.01')$$,
                 'IV008', NULL, 'a direct entry taking the balance below zero -> IV008');
SELECT throws_ok($$INSERT INTO invoice.advance_ledger (org_id, kind, amount)
                   VALUES ('cp-org', 'reversal', '-50.00'), ('cp-org', 'reversal', '-40.00')$$,
                 'IV008', NULL, 'two entries that together exceed it -> IV008, neither is kept');
SELECT is(pg_temp.balance('cp-org'), '80.00'::cents, 'the balance is unchanged');
SELECT lives_ok($$INSERT INTO invoice.advance_ledger (org_id, kind, amount) VALUES ('cp-org', 'reversal', '-5.00')$$,
                'a reversal within the balance is accepted');
SELECT is(pg_temp.balance('cp-org'), '75.00'::cents, 'and the balance follows it');
SELECT lives_ok($$INSERT INTO invoice.advance_ledger (org_id, kind, amount) VALUES ('cp-org', 'reversal', '5.00')$$,
                'a positive reversal restores it');
SELECT is(pg_temp.balance('cp-org'), '80.00'::cents, 'balance 80.00 again');
SELECT lives_ok($$INSERT INTO invoice.advance_ledger (org_id, kind, amount) VALUES ('cp-other', 'reversal', '-60.00')$$,
                'taking the balance exactly to zero is accepted');
SELECT is(pg_temp.balance('cp-other'), '0.00'::cents, 'cp-other''s balance is 0.00');
SELECT throws_ok($$INSERT INTO invoice.advance_ledger (org_id, kind, amount) VALUES ('cp-other', 'reversal', '-0.01')$$,
                 'IV008', NULL, 'one cent below zero -> IV008');
SELECT is(pg_temp.ledger_mismatches(), 0::bigint, 'balances equal their ledgers');
SELECT ok((SELECT bool_and(advance_balance >= '0') FROM invoice.orgs), 'no balance is negative');

-- Applied at issue -----------------------------------------------------------------------
-- cp-i1: 100.00 of usage, a 20.00 credit, 10 % tax: subtotal 80.00, tax 8.00,
-- total 88.00.  The balance (80.00) pays 80.00 of it; 8.00 is left due.

SELECT FROM pg_temp.draft('cp-org', 'cp-i1', '100.00', '20.00', 10);
SELECT is((SELECT amount_due FROM invoice.invoices WHERE id = 'cp-i1'), '88.00'::cents,
          'fixture: the draft owes 88.00 after credits and tax');
SELECT is(pg_temp.balance('cp-org'), '80.00'::cents, 'a draft takes nothing from the balance');
SELECT results_eq($$SELECT status::text, total, advance_pay_amount, amount_due FROM invoice.invoice_issue('cp-i1')$$,
                  $$VALUES ('pending', '88.00'::cents, '80.00'::cents, '8.00'::cents)$$,
                  'issued: the whole balance applied (80.00), 8.00 left due, pending');
SELECT is(pg_temp.balance('cp-org'), '0.00'::cents, 'the balance is spent');
SELECT results_eq($$SELECT kind, amount FROM invoice.advance_ledger WHERE invoice_id = 'cp-i1'$$,
                  $$VALUES ('applied', '-80.00'::cents)$$,
                  'one applied entry of -80.00 for the invoice');
SELECT pg_temp.amounts('cp-i1') AS stored \gset
SELECT is((SELECT format('usage %s credits %s billed %s subtotal %s tax %s total %s advance %s due %s',
                         usage_amount, credits_applied, already_billed_amount, subtotal, tax, total,
                         advance_pay_amount, amount_due) FROM invoice.invoice_compute('cp-i1')),
          :'stored', 'invoice_compute agrees with the stored amounts (it reads the ledger)');
SELECT is(pg_temp.amounts('cp-i1'), :'stored', 'and leaves them as they were');
SELECT throws_ok($$SELECT invoice.invoice_pay('cp-i1', '8.01', 'card', 'cp-p1')$$, 'IV003', NULL,
                 'paying more than what the advance left -> IV003');
SELECT throws_ok($$SELECT invoice.invoice_cancel('cp-i1', 'changed our mind')$$, 'IV001', NULL,
                 'an invoice with advance applied cannot be cancelled (IV001)');
SELECT throws_ok($$UPDATE invoice.invoices SET status = 'cancelled', status_reason = 'x' WHERE id = 'cp-i1'$$, 'IV001', NULL,
                 'not by a plain UPDATE either (IV001)');
SELECT FROM invoice.invoice_pay('cp-i1', '8.00', 'card', 'cp-p1');
SELECT results_eq($$SELECT status::text, already_billed_amount, advance_pay_amount, amount_due FROM invoice.invoices WHERE id = 'cp-i1'$$,
                  $$VALUES ('paid', '8.00'::cents, '80.00'::cents, '0.00'::cents)$$,
                  'the card pays the rest: paid');

-- Nothing applied when the balance is zero.
SELECT FROM pg_temp.draft('cp-org', 'cp-i2', '30.00');
SELECT results_eq($$SELECT status::text, advance_pay_amount, amount_due FROM invoice.invoice_issue('cp-i2')$$,
                  $$VALUES ('pending', '0.00'::cents, '30.00'::cents)$$,
                  'a zero balance applies nothing');
SELECT is((SELECT count(*) FROM invoice.advance_ledger WHERE invoice_id = 'cp-i2'), 0::bigint, 'and writes no ledger entry');

-- A balance larger than the amount due: only the amount due is taken, and the
-- invoice is paid at once, history draft -> pending -> paid.
SELECT FROM invoice.invoice_topup('cp-org', '200.00', 'bank_transfer', 'cp-t6');
SELECT FROM pg_temp.draft('cp-org', 'cp-i3', '100.00', '20.00', 10);
SELECT results_eq($$SELECT status::text, total, advance_pay_amount, amount_due, paid_at IS NOT NULL FROM invoice.invoice_issue('cp-i3')$$,
                  $$VALUES ('paid', '88.00'::cents, '88.00'::cents, '0.00'::cents, true)$$,
                  'fully covered: 88.00 applied, nothing due, paid at issue');
SELECT is(pg_temp.balance('cp-org'), '112.00'::cents, 'only the amount due was taken: 112.00 left');
SELECT results_eq($$SELECT coalesce(from_status::text, ''), to_status::text FROM invoice.status_history
                     WHERE invoice_id = 'cp-i3' ORDER BY history_id$$,
                  $$VALUES ('', 'draft'), ('draft', 'pending'), ('pending', 'paid')$$,
                  'history: created, draft -> pending, pending -> paid');
SELECT is((SELECT reason FROM invoice.status_history WHERE invoice_id = 'cp-i3' AND to_status = 'paid'), 'nothing due',
          'paid because nothing was due');
SELECT pg_temp.amounts('cp-i3') AS stored \gset
SELECT is((SELECT format('usage %s credits %s billed %s subtotal %s tax %s total %s advance %s due %s',
                         usage_amount, credits_applied, already_billed_amount, subtotal, tax, total,
                         advance_pay_amount, amount_due) FROM invoice.invoice_compute('cp-i3')),
          :'stored', 'invoice_compute agrees for the fully covered invoice too');
SELECT throws_ok($$SELECT invoice.invoice_cancel('cp-i3', 'x')$$, 'IV001', NULL, 'a paid invoice cannot be cancelled');

-- A fully credited invoice takes nothing from the balance.
SELECT FROM pg_temp.draft('cp-org', 'cp-i4', '10.00', '15.00');
SELECT results_eq($$SELECT status::text, advance_pay_amount, amount_due FROM invoice.invoice_issue('cp-i4')$$,
                  $$VALUES ('paid', '0.00'::cents, '0.00'::cents)$$,
                  'credits come first: a fully credited invoice takes no advance');
SELECT is(pg_temp.balance('cp-org'), '112.00'::cents, 'the balance is untouched');

-- Issuing several invoices of one organisation in one statement: the balance
-- (112.00) is applied in turn and never more than once.
SELECT FROM generate_series(1, 3) n, pg_temp.draft('cp-org', 'cp-j' || n, '50.00');
SELECT is(invoice.invoice_issue_period('2024-01-01 00:00 UTC', '2024-02-01 00:00 UTC'), 3::bigint,
          'invoice_issue_period issues the three drafts');
SELECT is((SELECT sum(advance_pay_amount) FROM invoice.invoices WHERE id LIKE 'cp-j_'), '112.00'::cents,
          'together they took exactly the balance (112.00)');
SELECT is((SELECT count(*) FROM invoice.invoices WHERE id LIKE 'cp-j_' AND status = 'paid'), 2::bigint,
          'two fully covered (paid), the third in part');
SELECT is(pg_temp.balance('cp-org'), '0.00'::cents, 'the balance is 0.00, not negative');
SELECT is((SELECT -sum(amount) FROM invoice.advance_ledger WHERE kind = 'applied' AND invoice_id LIKE 'cp-j_'),
          '112.00'::cents, 'the ledger''s applied entries say the same');
SELECT is((SELECT count(*) FROM invoice.invoices i
            WHERE i.id LIKE 'cp-j_'
              AND i.advance_pay_amount <> coalesce((SELECT -sum(l.amount) FROM invoice.advance_ledger l
                                                     WHERE l.invoice_id = i.id), '0')), 0::bigint,
          'each invoice''s advance_pay_amount is its applied entries');
SELECT is(pg_temp.ledger_mismatches(), 0::bigint, 'balances equal their ledgers');

-- Auto-pay -----------------------------------------------------------------------------

INSERT INTO invoice.orgs (org_id, name, autopay) VALUES ('cp-auto', 'Auto-pay org', true);
SELECT FROM invoice.invoice_topup('cp-auto', '30.00', 'wallet', 'cp-a-t1');
SELECT FROM pg_temp.draft('cp-auto', 'cp-a1', '100.00', '20.00', 10);
SELECT results_eq($$SELECT advance_pay_amount, amount_due FROM invoice.invoice_issue('cp-a1')$$,
                  $$VALUES ('30.00'::cents, '58.00'::cents)$$,
                  'auto-pay org: 30.00 from the balance, 58.00 due');
SELECT results_eq($$SELECT invoice_id COLLATE "default", amount, processed_at IS NULL FROM invoice.payment_requests WHERE org_id = 'cp-auto'$$,
                  $$VALUES ('cp-a1', '58.00'::cents, true)$$,
                  'one payment request for exactly the remainder (58.00), unprocessed');

SELECT FROM pg_temp.draft('cp-auto', 'cp-a2', '40.00');
SELECT FROM invoice.invoice_issue('cp-a2');
SELECT results_eq($$SELECT amount FROM invoice.payment_requests WHERE invoice_id = 'cp-a2'$$,
                  $$VALUES ('40.00'::cents)$$,
                  'with no balance left: a request for the whole amount due');

SELECT FROM invoice.invoice_topup('cp-auto', '500.00', 'wallet', 'cp-a-t2');
SELECT FROM pg_temp.draft('cp-auto', 'cp-a3', '40.00');
SELECT is((SELECT status::text FROM invoice.invoice_issue('cp-a3')), 'paid', 'covered by the balance: paid at issue');
SELECT is((SELECT count(*) FROM invoice.payment_requests WHERE invoice_id = 'cp-a3'), 0::bigint,
          'nothing due: no payment request');

SELECT FROM pg_temp.draft('cp-auto', 'cp-a4', '0');
SELECT FROM invoice.invoice_issue('cp-a4');
SELECT is((SELECT count(*) FROM invoice.payment_requests WHERE invoice_id = 'cp-a4'), 0::bigint,
          'a zero-total invoice: no payment request');

SELECT FROM pg_temp.draft('cp-org', 'cp-n1', '40.00');
SELECT FROM invoice.invoice_issue('cp-n1');
SELECT is((SELECT count(*) FROM invoice.payment_requests WHERE invoice_id = 'cp-n1'), 0::bigint,
          'auto-pay off: no payment request though 40.00 is due');
SELECT is((SELECT count(*) FROM invoice.payment_requests), 2::bigint, 'two requests in all');

-- The gateway records its result with invoice_pay.
SELECT FROM invoice.invoice_pay('cp-a1', '58.00', 'card', 'cp-gw-1');
SELECT is((SELECT status::text FROM invoice.invoices WHERE id = 'cp-a1'), 'paid', 'the charge recorded with invoice_pay: paid');

-- No way around the ledger ---------------------------------------------------------

-- advance_balance is derived: not even a new organisation may bring one.
SELECT throws_ok($$INSERT INTO invoice.orgs (org_id, name, advance_balance) VALUES ('cp-rich', 'Brings money', '1000.00')$$,
                 'IV006', NULL, 'INSERT INTO orgs with an advance_balance -> IV006');
DELETE FROM invoice.orgs WHERE org_id = 'cp-rich';   -- in case it was accepted: keep the checks below meaningful
SELECT lives_ok($$INSERT INTO invoice.orgs (org_id, name, advance_balance) VALUES ('cp-poor', 'Brings nothing', '0')$$,
                'INSERT INTO orgs with advance_balance 0 is accepted');

-- An applied entry is part of an invoice's derived amounts: only its issue
-- writes one.  Written directly it would leave the invoice disagreeing with
-- invoice_compute (SPEC §3 invariant).
SELECT FROM pg_temp.draft('cp-org', 'cp-k1', '60.00');
SELECT FROM invoice.invoice_issue('cp-k1');
SELECT FROM invoice.invoice_topup('cp-org', '20.00', 'upi', 'cp-t7');
SELECT throws_ok($$INSERT INTO invoice.advance_ledger (org_id, kind, amount, invoice_id) VALUES ('cp-org', 'applied', '-20.00', 'cp-k1')$$,
                 'IV006', NULL, 'a direct applied entry -> IV006');
DO $$ BEGIN   -- in case it was accepted, leave it in place for the check below
    INSERT INTO invoice.advance_ledger (org_id, kind, amount, invoice_id) VALUES ('cp-org', 'applied', '-20.00', 'cp-k1');
EXCEPTION WHEN OTHERS THEN NULL;
END $$;
SELECT pg_temp.amounts('cp-k1') AS stored \gset
SELECT is((SELECT format('usage %s credits %s billed %s subtotal %s tax %s total %s advance %s due %s',
                         usage_amount, credits_applied, already_billed_amount, subtotal, tax, total,
                         advance_pay_amount, amount_due) FROM invoice.invoice_compute('cp-k1')),
          :'stored', 'the invoice''s stored amounts still equal invoice_compute''s');
SELECT is(pg_temp.balance('cp-org'), '20.00'::cents, 'and the balance is untouched');

SELECT is(pg_temp.ledger_mismatches(), 0::bigint, 'balances equal their ledgers at the end');
SELECT ok((SELECT bool_and(advance_balance >= '0') FROM invoice.orgs), 'no balance is negative at the end');

SELECT * FROM finish();
ROLLBACK;
