-- invoice life cycle (SPEC §3 "Life cycle"): every allowed transition, by the
-- functions and by plain UPDATEs, and every refused one with its SQLSTATE and
-- message; bulk statements are all or nothing; every status change writes
-- exactly one status_history row (who = current_user, from, to, reason).
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';

SELECT plan(167);

-- Fixtures --------------------------------------------------------------------
-- One organisation; invoices of series TLC (this file's own numbering series,
-- so numbers do not depend on what else the database holds) for January 2024,
-- dated 2024-02-01 (financial year 2023-24).  pg_temp.draft(id, amount, due)
-- creates a draft with one line of that amount (none when 0).

INSERT INTO invoice.orgs (org_id, name) VALUES ('tl-org', 'Life cycle test org');
DELETE FROM invoice.number_series WHERE series = 'TLC';

CREATE FUNCTION pg_temp.draft(p_id text, p_amount cents,
                              p_due timestamptz DEFAULT '2024-03-02 00:00 UTC') RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, due_date)
    VALUES ('tl-org', p_id, 'TLC', '2024-01-01 00:00 UTC', '2024-02-01 00:00 UTC',
            '2024-02-01 00:00 UTC', p_due);
    IF p_amount > '0' THEN
        INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
        VALUES ('tl-org', p_id, 'service', p_amount);
    END IF;
    RETURN p_id;
END
$$;

-- pg_temp.refused(sql, sqlstate, message, description): like throws_ok, but
-- the statement's effects are always rolled back, so a statement wrongly
-- accepted fails this one assertion and leaves no trace for the next ones.
-- A NULL message checks the SQLSTATE only.
\ir include/refused.sql

-- number of status_history rows of an invoice
CREATE FUNCTION pg_temp.hist_count(p_id text) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM invoice.status_history WHERE org_id = 'tl-org' AND invoice_id = p_id
$$;

-- the last status_history row of an invoice as 'from>to|reason|by-current-user'
CREATE FUNCTION pg_temp.last_hist(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(from_status::text, '') || '>' || to_status || '|' || coalesce(reason, '<null>')
           || '|' || (changed_by = current_user)::text
      FROM invoice.status_history WHERE org_id = 'tl-org' AND invoice_id = p_id
     ORDER BY history_id DESC LIMIT 1
$$;

CREATE FUNCTION pg_temp.st(p_id text) RETURNS invoice.status LANGUAGE sql AS $$
    SELECT status FROM invoice.invoices WHERE org_id = 'tl-org' AND id = p_id
$$;

-- Creation ---------------------------------------------------------------------

SELECT FROM pg_temp.draft('tl-a', '100.00');
SELECT is(pg_temp.st('tl-a'), 'draft', 'a new invoice is a draft');
SELECT is(pg_temp.hist_count('tl-a'), 1::bigint, 'creation writes one history row');
SELECT is(pg_temp.last_hist('tl-a'), '>draft|created|true', 'creation row: NULL -> draft, by current_user');

-- draft -> pending: invoice_issue ------------------------------------------------

SELECT is((SELECT status FROM invoice.invoice_issue('tl-a')), 'pending', 'invoice_issue: draft -> pending');
SELECT is((SELECT number FROM invoice.invoices WHERE id = 'tl-a'), 'TLC/2324/000001', 'issued invoice got its number');
SELECT isnt((SELECT issued_at FROM invoice.invoices WHERE id = 'tl-a'), NULL, 'issued_at is set');
SELECT is(pg_temp.hist_count('tl-a'), 2::bigint, 'issue writes exactly one history row');
SELECT is(pg_temp.last_hist('tl-a'), 'draft>pending|issued|true', 'issue row: draft -> pending, issued, by current_user');

-- draft -> pending: plain UPDATE (the triggers do what invoice_issue does) -------

SELECT FROM pg_temp.draft('tl-b', '80.00');
SELECT lives_ok($$UPDATE invoice.invoices SET status = 'pending' WHERE id = 'tl-b'$$,
               'UPDATE invoice.invoices SET status = ''pending'' WHERE id = ''tl-b''');
SELECT is(pg_temp.st('tl-b'), 'pending', 'UPDATE SET status = pending issues a draft');
SELECT is((SELECT number FROM invoice.invoices WHERE id = 'tl-b'), 'TLC/2324/000002', 'UPDATE-issued invoice got the next number');
SELECT is((SELECT total FROM invoice.invoices WHERE id = 'tl-b'), '80.00'::cents, 'its amounts are computed');
SELECT is(pg_temp.hist_count('tl-b'), 2::bigint, 'UPDATE issue writes exactly one history row');
SELECT is(pg_temp.last_hist('tl-b'), 'draft>pending|issued|true', 'UPDATE issue row: draft -> pending');

-- An explicit reason given with the status is the one recorded.
SELECT FROM pg_temp.draft('tl-b2', '80.00');
SELECT lives_ok($$UPDATE invoice.invoices SET status = 'pending', status_reason = 'billing run 7' WHERE id = 'tl-b2'$$,
               'UPDATE invoice.invoices SET status = ''pending'', status_reason = ''billing run 7'' WHERE i...');
SELECT is(pg_temp.last_hist('tl-b2'), 'draft>pending|billing run 7|true', 'a reason set with the status is recorded');

-- Zero total: straight to paid, two history rows -----------------------------------

SELECT FROM pg_temp.draft('tl-z1', '0');
SELECT is((SELECT status FROM invoice.invoice_issue('tl-z1')), 'paid', 'issuing a zero-total invoice: straight to paid');
SELECT isnt((SELECT number FROM invoice.invoices WHERE id = 'tl-z1'), NULL, 'it still gets a number');
SELECT isnt((SELECT paid_at FROM invoice.invoices WHERE id = 'tl-z1'), NULL, 'and paid_at');
SELECT is(pg_temp.hist_count('tl-z1'), 3::bigint, 'zero-total issue writes two history rows');
SELECT results_eq(
    $$SELECT from_status::text, to_status::text, changed_by = current_user
        FROM invoice.status_history WHERE invoice_id = 'tl-z1' AND from_status IS NOT NULL ORDER BY history_id$$,
    $$VALUES ('draft', 'pending', true), ('pending', 'paid', true)$$,
    'zero-total history: draft -> pending, then pending -> paid');

-- Fully credited (total 0 with lines), issued by a plain UPDATE.
SELECT FROM pg_temp.draft('tl-z2', '30.00');
SELECT lives_ok($$INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('tl-org', 'tl-z2', '50.00', 'FREE')$$,
               'INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES (''tl-org'', ''tl-z2...');
SELECT lives_ok($$UPDATE invoice.invoices SET status = 'pending' WHERE id = 'tl-z2'$$,
               'UPDATE invoice.invoices SET status = ''pending'' WHERE id = ''tl-z2''');
SELECT is(pg_temp.st('tl-z2'), 'paid', 'a fully credited invoice issued by UPDATE is paid at once');
SELECT is(pg_temp.hist_count('tl-z2'), 3::bigint, 'two history rows for it too');
SELECT is(pg_temp.last_hist('tl-z2'), 'pending>paid|nothing due|true', 'last row: pending -> paid');

-- draft -> cancelled --------------------------------------------------------------

SELECT FROM pg_temp.draft('tl-c1', '10.00');
SELECT lives_ok($$SELECT invoice.invoice_cancel('tl-c1', 'ordered by mistake')$$, 'invoice_cancel of a draft succeeds');
SELECT is(pg_temp.st('tl-c1'), 'cancelled', 'invoice_cancel: draft -> cancelled');
SELECT is((SELECT number FROM invoice.invoices WHERE id = 'tl-c1'), NULL, 'a cancelled draft has no number');
SELECT isnt((SELECT cancelled_at FROM invoice.invoices WHERE id = 'tl-c1'), NULL, 'cancelled_at is set');
SELECT is(pg_temp.hist_count('tl-c1'), 2::bigint, 'cancel writes exactly one history row');
SELECT is(pg_temp.last_hist('tl-c1'), 'draft>cancelled|ordered by mistake|true', 'cancel row carries the reason');

SELECT FROM pg_temp.draft('tl-c2', '10.00');
SELECT lives_ok($$UPDATE invoice.invoices SET status = 'cancelled', status_reason = 'duplicate' WHERE id = 'tl-c2'$$,
               'UPDATE invoice.invoices SET status = ''cancelled'', status_reason = ''duplicate'' WHERE id ...');
SELECT is(pg_temp.st('tl-c2'), 'cancelled', 'UPDATE SET status = cancelled with a reason cancels a draft');
SELECT is(pg_temp.last_hist('tl-c2'), 'draft>cancelled|duplicate|true', 'UPDATE cancel row carries the reason');

-- pending -> paid by payments --------------------------------------------------------

SELECT FROM pg_temp.draft('tl-p', '100.00');
SELECT lives_ok($$SELECT invoice.invoice_issue('tl-p')$$,
               'SELECT invoice.invoice_issue(''tl-p'')');
SELECT lives_ok($$SELECT invoice.invoice_pay('tl-p', '40.00', 'card', 'tl-ref-p1')$$,
               'SELECT invoice.invoice_pay(''tl-p'', ''40.00'', ''card'', ''tl-ref-p1'')');
SELECT is(pg_temp.st('tl-p'), 'pending', 'a partial payment leaves the invoice pending');
SELECT is(pg_temp.hist_count('tl-p'), 2::bigint, 'a payment that changes no status writes no history row');
SELECT lives_ok($$SELECT invoice.invoice_pay('tl-p', '60.00', 'upi', 'tl-ref-p2')$$,
               'SELECT invoice.invoice_pay(''tl-p'', ''60.00'', ''upi'', ''tl-ref-p2'')');
SELECT is(pg_temp.st('tl-p'), 'paid', 'paying the rest: pending -> paid');
SELECT isnt((SELECT paid_at FROM invoice.invoices WHERE id = 'tl-p'), NULL, 'paid_at is set');
SELECT is(pg_temp.hist_count('tl-p'), 3::bigint, 'paid writes exactly one history row');
SELECT is(pg_temp.last_hist('tl-p'), 'pending>paid|paid in full|true', 'paid row: pending -> paid');

-- A direct INSERT into payments takes the same path.
SELECT FROM pg_temp.draft('tl-p2', '25.00');
SELECT lives_ok($$SELECT invoice.invoice_issue('tl-p2')$$,
               'SELECT invoice.invoice_issue(''tl-p2'')');
SELECT lives_ok($$INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)
VALUES ('tl-org', 'tl-p2', '25.00', 'netbanking', 'tl-ref-p2-1')$$,
               'INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref) VALUES ...');
SELECT is(pg_temp.st('tl-p2'), 'paid', 'a direct payments INSERT settling the invoice makes it paid');
SELECT is(pg_temp.last_hist('tl-p2'), 'pending>paid|paid in full|true', 'with one history row');

-- pending -> overdue ------------------------------------------------------------------

-- tl-o1 was due 2024-03-02: long past.
SELECT FROM pg_temp.draft('tl-o1', '50.00');
SELECT lives_ok($$SELECT invoice.invoice_issue('tl-o1')$$,
               'SELECT invoice.invoice_issue(''tl-o1'')');
SELECT lives_ok($$UPDATE invoice.invoices SET status = 'overdue' WHERE id = 'tl-o1'$$,
               'UPDATE invoice.invoices SET status = ''overdue'' WHERE id = ''tl-o1''');
SELECT is(pg_temp.st('tl-o1'), 'overdue', 'pending -> overdue when the due date has passed');
SELECT is(pg_temp.hist_count('tl-o1'), 3::bigint, 'overdue writes exactly one history row');
SELECT is(pg_temp.last_hist('tl-o1'), 'pending>overdue|due date passed|true', 'overdue row: pending -> overdue');

-- tl-o2 is due in a week: not overdue yet.
SELECT FROM pg_temp.draft('tl-o2', '50.00', invoice.clock() + interval '7 days');
SELECT lives_ok($$SELECT invoice.invoice_issue('tl-o2')$$,
               'SELECT invoice.invoice_issue(''tl-o2'')');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'overdue' WHERE id = 'tl-o2'$$, 'IV001',
                 'invoice "tl-o2" cannot change from pending to overdue',
                 'pending -> overdue before the due date is refused (IV001)');
-- due exactly now: not passed either
SELECT lives_ok($$UPDATE invoice.invoices SET due_date = invoice.clock() WHERE id = 'tl-o2'$$,
               'UPDATE invoice.invoices SET due_date = invoice.clock() WHERE id = ''tl-o2''');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'overdue' WHERE id = 'tl-o2'$$, 'IV001', NULL,
                 'pending -> overdue on the due instant itself is refused');
SELECT is(pg_temp.st('tl-o2'), 'pending', 'it stays pending');
SELECT is(pg_temp.hist_count('tl-o2'), 2::bigint, 'refused changes and due_date moves write no history row');
-- a pending invoice's due date may be moved into the past; then it can go overdue
SELECT lives_ok($$UPDATE invoice.invoices SET due_date = '2024-03-01 00:00 UTC' WHERE id = 'tl-o2'$$,
               'UPDATE invoice.invoices SET due_date = ''2024-03-01 00:00 UTC'' WHERE id = ''tl-o2''');
SELECT is(pg_temp.st('tl-o2'), 'pending', 'moving a pending due date into the past does not change the status by itself');
SELECT lives_ok($$UPDATE invoice.invoices SET status = 'overdue' WHERE id = 'tl-o2'$$,
               'UPDATE invoice.invoices SET status = ''overdue'' WHERE id = ''tl-o2''');
SELECT is(pg_temp.st('tl-o2'), 'overdue', 'and then pending -> overdue is allowed');

-- overdue -> pending -------------------------------------------------------------------

-- automatically, by moving the due date into the future
SELECT lives_ok($$UPDATE invoice.invoices SET due_date = invoice.clock() + interval '14 days' WHERE id = 'tl-o1'$$,
               'UPDATE invoice.invoices SET due_date = invoice.clock() + interval ''14 days'' WHERE id = ''tl-o1''');
SELECT is(pg_temp.st('tl-o1'), 'pending', 'overdue -> pending by moving the due date into the future');
SELECT is(pg_temp.hist_count('tl-o1'), 4::bigint, 'that writes exactly one history row');
SELECT is(pg_temp.last_hist('tl-o1'), 'overdue>pending|due date moved|true', 'row: overdue -> pending, due date moved');

-- moving it, but still into the past, keeps it overdue
SELECT lives_ok($$UPDATE invoice.invoices SET due_date = '2024-04-01 00:00 UTC' WHERE id = 'tl-o2'$$,
               'UPDATE invoice.invoices SET due_date = ''2024-04-01 00:00 UTC'' WHERE id = ''tl-o2''');
SELECT is(pg_temp.st('tl-o2'), 'overdue', 'moving an overdue due date to another past date keeps it overdue');
-- explicitly, without moving the due date: refused
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'pending' WHERE id = 'tl-o2'$$, 'IV001',
                 'invoice "tl-o2" cannot change from overdue to pending',
                 'overdue -> pending while still past due is refused (IV001)');
-- explicitly, with a future due date in the same statement
SELECT lives_ok($$UPDATE invoice.invoices SET status = 'pending', due_date = invoice.clock() + interval '3 days',
                            status_reason = 'extension granted'
 WHERE id = 'tl-o2'$$,
               'UPDATE invoice.invoices SET status = ''pending'', due_date = invoice.clock() + interval ''3 days'', s...');
SELECT is(pg_temp.st('tl-o2'), 'pending', 'explicit overdue -> pending with a new future due date');
SELECT is(pg_temp.last_hist('tl-o2'), 'overdue>pending|extension granted|true', 'row carries the given reason');
SELECT is(pg_temp.hist_count('tl-o2'), 4::bigint, 'one history row per change on tl-o2');

-- overdue -> paid by payments
SELECT lives_ok($$UPDATE invoice.invoices SET due_date = '2024-03-05 00:00 UTC' WHERE id = 'tl-o1'$$,
               'UPDATE invoice.invoices SET due_date = ''2024-03-05 00:00 UTC'' WHERE id = ''tl-o1''');
SELECT lives_ok($$UPDATE invoice.invoices SET status = 'overdue' WHERE id = 'tl-o1'$$,
               'UPDATE invoice.invoices SET status = ''overdue'' WHERE id = ''tl-o1''');
SELECT lives_ok($$SELECT invoice.invoice_pay('tl-o1', '50.00', 'wallet', 'tl-ref-o1')$$,
               'SELECT invoice.invoice_pay(''tl-o1'', ''50.00'', ''wallet'', ''tl-ref-o1'')');
SELECT is(pg_temp.st('tl-o1'), 'paid', 'overdue -> paid when nothing is left due');
SELECT is(pg_temp.last_hist('tl-o1'), 'overdue>paid|paid in full|true', 'row: overdue -> paid');
SELECT is(pg_temp.hist_count('tl-o1'), 6::bigint, 'one history row per change on tl-o1');

-- pending / overdue -> cancelled while nothing is paid -------------------------------------

SELECT FROM pg_temp.draft('tl-pc', '70.00');
SELECT lives_ok($$SELECT invoice.invoice_issue('tl-pc')$$,
               'SELECT invoice.invoice_issue(''tl-pc'')');
SELECT lives_ok($$SELECT invoice.invoice_cancel('tl-pc', 'customer disputes the charge')$$, 'invoice_cancel of a pending invoice succeeds');
SELECT is(pg_temp.st('tl-pc'), 'cancelled', 'invoice_cancel: pending -> cancelled');
SELECT is(pg_temp.last_hist('tl-pc'), 'pending>cancelled|customer disputes the charge|true', 'row carries the reason');
SELECT is((SELECT number FROM invoice.invoices WHERE id = 'tl-pc'), 'TLC/2324/000010',
          'a cancelled issued invoice keeps its number (no gap)');

SELECT FROM pg_temp.draft('tl-oc', '70.00');
SELECT lives_ok($$SELECT invoice.invoice_issue('tl-oc')$$,
               'SELECT invoice.invoice_issue(''tl-oc'')');
SELECT lives_ok($$UPDATE invoice.invoices SET status = 'overdue' WHERE id = 'tl-oc'$$,
               'UPDATE invoice.invoices SET status = ''overdue'' WHERE id = ''tl-oc''');
SELECT lives_ok($$UPDATE invoice.invoices SET status = 'cancelled', status_reason = 'written off' WHERE id = 'tl-oc'$$,
               'UPDATE invoice.invoices SET status = ''cancelled'', status_reason = ''written off'' WHERE i...');
SELECT is(pg_temp.st('tl-oc'), 'cancelled', 'UPDATE: overdue -> cancelled with a reason');
SELECT is(pg_temp.last_hist('tl-oc'), 'overdue>cancelled|written off|true', 'row: overdue -> cancelled');
SELECT is(pg_temp.hist_count('tl-oc'), 4::bigint, 'one history row per change on tl-oc');

SELECT FROM pg_temp.draft('tl-oc2', '70.00');
SELECT lives_ok($$SELECT invoice.invoice_issue('tl-oc2')$$,
               'SELECT invoice.invoice_issue(''tl-oc2'')');
SELECT lives_ok($$UPDATE invoice.invoices SET status = 'overdue' WHERE id = 'tl-oc2'$$,
               'UPDATE invoice.invoices SET status = ''overdue'' WHERE id = ''tl-oc2''');
SELECT lives_ok($$SELECT invoice.invoice_cancel('tl-oc2', 'bankrupt')$$, 'invoice_cancel of an overdue invoice succeeds');
SELECT is(pg_temp.st('tl-oc2'), 'cancelled', 'invoice_cancel: overdue -> cancelled');

SELECT FROM pg_temp.draft('tl-pc2', '70.00');
SELECT lives_ok($$SELECT invoice.invoice_issue('tl-pc2')$$,
               'SELECT invoice.invoice_issue(''tl-pc2'')');
SELECT lives_ok($$UPDATE invoice.invoices SET status = 'cancelled', status_reason = 'void' WHERE id = 'tl-pc2'$$,
               'UPDATE invoice.invoices SET status = ''cancelled'', status_reason = ''void'' WHERE id = ''tl...');
SELECT is(pg_temp.st('tl-pc2'), 'cancelled', 'UPDATE: pending -> cancelled with a reason');

-- Refused transitions -----------------------------------------------------------------------

-- a second, untouched draft and snapshots to prove refusals change nothing
SELECT FROM pg_temp.draft('tl-d', '20.00');

-- A refused UPDATE must leave nothing behind in the session: the next INSERT
-- of an invoice (no pg_temp.draft here) works.
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'paid' WHERE id = 'tl-d'$$, 'IV001', NULL,
                       'draft -> paid is refused');
SELECT lives_ok($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end)
                  VALUES ('tl-org', 'tl-after-refusal', '2024-01-01', '2024-02-01')$$,
                'an invoice can be inserted after a refused status change in the same session');
SELECT is(pg_temp.hist_count('tl-after-refusal'), 1::bigint, 'and gets its one creation history row');

SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'paid' WHERE id = 'tl-d'$$, 'IV001',
                 'invoice "tl-d" cannot change from draft to paid', 'draft -> paid is refused (IV001)');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'overdue' WHERE id = 'tl-d'$$, 'IV001',
                 'invoice "tl-d" cannot change from draft to overdue', 'draft -> overdue is refused (IV001)');
-- a zero-total draft cannot skip issue either
SELECT FROM pg_temp.draft('tl-d0', '0');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'paid' WHERE id = 'tl-d0'$$, 'IV001',
                 'invoice "tl-d0" cannot change from draft to paid', 'draft -> paid is refused even when nothing is due');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'cancelled' WHERE id = 'tl-d'$$, 'IV001', NULL,
                 'draft -> cancelled without a reason is refused (IV001)');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'cancelled', status_reason = '   ' WHERE id = 'tl-d'$$,
                 'IV001', NULL, 'draft -> cancelled with a blank reason is refused (IV001)');
SELECT is(pg_temp.st('tl-d'), 'draft', 'tl-d is still a draft');
SELECT is(pg_temp.hist_count('tl-d'), 1::bigint, 'refused changes wrote no history');

-- pending -> draft
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'draft' WHERE id = 'tl-b'$$, 'IV001',
                 'invoice "tl-b" cannot change from pending to draft', 'pending -> draft is refused (IV001)');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'draft' WHERE id = 'tl-o2'$$, 'IV001',
                 NULL, 'pending -> draft is refused (IV001), second invoice');
SELECT pg_temp.refused($$SELECT invoice.invoice_issue('tl-b')$$, 'IV001',
                 'invoice "tl-b" cannot change from pending to pending', 'issuing a pending invoice again is refused (IV001)');

-- direct set of paid while an amount is due
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'paid' WHERE id = 'tl-b'$$, 'IV001',
                 'invoice "tl-b" cannot change from pending to paid', 'pending -> paid while 80.00 is due is refused (IV001)');
SELECT lives_ok($$UPDATE invoice.invoices SET status = 'overdue' WHERE id = 'tl-b'$$,
               'UPDATE invoice.invoices SET status = ''overdue'' WHERE id = ''tl-b''');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'paid' WHERE id = 'tl-b'$$, 'IV001',
                 'invoice "tl-b" cannot change from overdue to paid', 'overdue -> paid while an amount is due is refused (IV001)');
SELECT is(pg_temp.st('tl-b'), 'overdue', 'tl-b stays overdue');
SELECT is(pg_temp.hist_count('tl-b'), 3::bigint, 'tl-b: one history row per accepted change, none for refusals');

-- cancel after a partial payment
SELECT lives_ok($$SELECT invoice.invoice_pay('tl-b', '30.00', 'card', 'tl-ref-b1')$$,
               'SELECT invoice.invoice_pay(''tl-b'', ''30.00'', ''card'', ''tl-ref-b1'')');
SELECT pg_temp.refused($$SELECT invoice.invoice_cancel('tl-b', 'too late')$$, 'IV001',
                 'invoice "tl-b" cannot change from overdue to cancelled',
                 'invoice_cancel after a partial payment is refused (IV001)');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'cancelled', status_reason = 'too late' WHERE id = 'tl-b'$$,
                 'IV001', 'invoice "tl-b" cannot change from overdue to cancelled',
                 'UPDATE cancel after a partial payment is refused (IV001)');
SELECT lives_ok($$SELECT invoice.invoice_pay('tl-a', '1.00', 'card', 'tl-ref-a1')$$,
               'SELECT invoice.invoice_pay(''tl-a'', ''1.00'', ''card'', ''tl-ref-a1'')');
SELECT pg_temp.refused($$SELECT invoice.invoice_cancel('tl-a', 'too late')$$, 'IV001',
                 'invoice "tl-a" cannot change from pending to cancelled',
                 'pending -> cancelled after a partial payment is refused (IV001)');
SELECT is(pg_temp.st('tl-a'), 'pending', 'tl-a stays pending');

-- paid -> anything (tl-p is paid)
SELECT pg_temp.refused(format($$UPDATE invoice.invoices SET status = %L, status_reason = 'x' WHERE id = 'tl-p'$$, s), 'IV001',
                 format('invoice "tl-p" cannot change from paid to %s', s),
                 format('paid -> %s is refused (IV001)', s))
  FROM unnest(ARRAY['draft', 'pending', 'overdue', 'cancelled']) AS s;
SELECT pg_temp.refused($$SELECT invoice.invoice_cancel('tl-p', 'refund')$$, 'IV001', NULL,
                 'invoice_cancel of a paid invoice is refused (IV001)');
SELECT pg_temp.refused($$SELECT invoice.invoice_issue('tl-p')$$, 'IV001', NULL,
                 'invoice_issue of a paid invoice is refused (IV001)');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET due_date = invoice.clock() + interval '1 day' WHERE id = 'tl-p'$$, 'IV002', NULL,
                 'the due date of a paid invoice is frozen (IV002)');

-- cancelled -> anything (tl-c1 was a draft, tl-pc was pending)
SELECT pg_temp.refused(format($$UPDATE invoice.invoices SET status = %L, status_reason = 'again' WHERE id = %L$$, s, i), 'IV001',
                 format('invoice "%s" cannot change from cancelled to %s', i, s),
                 format('cancelled (%s) -> %s is refused (IV001)', i, s))
  FROM unnest(ARRAY['draft', 'pending', 'overdue', 'paid']) AS s, unnest(ARRAY['tl-c1', 'tl-pc']) AS i;
SELECT pg_temp.refused($$SELECT invoice.invoice_cancel('tl-c1', 'again')$$, 'IV001', NULL,
                 'cancelling a cancelled invoice again is refused (IV001)');
SELECT pg_temp.refused($$SELECT invoice.invoice_issue('tl-c1')$$, 'IV001', NULL,
                 'issuing a cancelled draft is refused (IV001)');
SELECT is(pg_temp.hist_count('tl-p'), 3::bigint, 'refusals wrote no history for tl-p');
SELECT is(pg_temp.hist_count('tl-c1'), 2::bigint, 'refusals wrote no history for tl-c1');
SELECT is((SELECT number FROM invoice.invoices WHERE id = 'tl-c1'), NULL, 'the cancelled draft still has no number');

-- status_reason only changes with the status once issued
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status_reason = 'rewritten' WHERE id = 'tl-pc'$$, 'IV002', NULL,
                 'the reason of a cancelled invoice cannot be rewritten (IV002)');

-- Bulk statements: all or nothing --------------------------------------------------------------

SELECT FROM pg_temp.draft('tl-k1', '11.00');
SELECT FROM pg_temp.draft('tl-k2', '12.00');
SELECT FROM pg_temp.draft('tl-k3', '13.00');
CREATE TEMP TABLE snap_inv AS SELECT * FROM invoice.invoices WHERE org_id = 'tl-org';
CREATE TEMP TABLE snap_hist AS SELECT * FROM invoice.status_history WHERE org_id = 'tl-org';
CREATE TEMP TABLE snap_series AS SELECT * FROM invoice.number_series;

-- three drafts and a paid invoice: the paid one cannot go back to pending
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'pending' WHERE id IN ('tl-k1', 'tl-k2', 'tl-k3', 'tl-p')$$,
                 'IV001', 'invoice "tl-p" cannot change from paid to pending',
                 'bulk issue touching one paid invoice is refused as a whole');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'overdue' WHERE id IN ('tl-o2', 'tl-a', 'tl-k1')$$,
                 'IV001', NULL, 'bulk overdue with a not-yet-due and a draft invoice is refused as a whole');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'cancelled', status_reason = 'cleanup'
                    WHERE id IN ('tl-k1', 'tl-k2', 'tl-a')$$,
                 'IV001', NULL, 'bulk cancel including a partly paid invoice is refused as a whole');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET status = 'paid' WHERE org_id = 'tl-org' AND status IN ('draft', 'pending', 'overdue')$$,
                 'IV001', NULL, 'bulk mark-paid is refused as a whole');
SELECT is((SELECT count(*) FROM (SELECT * FROM invoice.invoices WHERE org_id = 'tl-org'
                                  EXCEPT SELECT * FROM snap_inv) AS d), 0::bigint,
          'refused bulk statements changed no invoice');
SELECT is((SELECT count(*) FROM invoice.status_history WHERE org_id = 'tl-org'),
          (SELECT count(*) FROM snap_hist), 'refused bulk statements wrote no history');
SELECT set_eq('SELECT * FROM invoice.number_series', 'SELECT * FROM snap_series',
              'refused bulk issue consumed no invoice number');

-- a legal bulk issue: one history row and one consecutive number each
SELECT lives_ok($$UPDATE invoice.invoices SET status = 'pending' WHERE id IN ('tl-k1', 'tl-k2', 'tl-k3')$$,
               'UPDATE invoice.invoices SET status = ''pending'' WHERE id IN (''tl-k1'', ''tl-k2'', ''tl-k3'')');
SELECT is((SELECT array_agg(status::text ORDER BY id COLLATE "C") FROM invoice.invoices WHERE id IN ('tl-k1', 'tl-k2', 'tl-k3')),
          ARRAY['pending', 'pending', 'pending'], 'a legal bulk issue moves every row');
SELECT is((SELECT array_agg(number ORDER BY number) FROM invoice.invoices WHERE id IN ('tl-k1', 'tl-k2', 'tl-k3')),
          ARRAY['TLC/2324/000014', 'TLC/2324/000015', 'TLC/2324/000016'],
          'bulk issue takes the next consecutive numbers');
SELECT is((SELECT count(*) FROM invoice.status_history h JOIN snap_inv s ON s.id = h.invoice_id
            WHERE h.invoice_id IN ('tl-k1', 'tl-k2', 'tl-k3') AND h.from_status = 'draft' AND h.to_status = 'pending'
              AND h.changed_by = current_user),
          3::bigint, 'bulk issue: exactly one history row per invoice');
SELECT is((SELECT count(*) FROM invoice.status_history WHERE org_id = 'tl-org'),
          (SELECT count(*) + 3 FROM snap_hist), 'and no other history rows');

-- a legal bulk overdue: three past-due invoices
SELECT lives_ok($$UPDATE invoice.invoices SET status = 'overdue' WHERE id IN ('tl-k1', 'tl-k2', 'tl-k3')$$,
               'UPDATE invoice.invoices SET status = ''overdue'' WHERE id IN (''tl-k1'', ''tl-k2'', ''tl-k3'')');
SELECT is((SELECT count(*) FROM invoice.status_history
            WHERE invoice_id IN ('tl-k1', 'tl-k2', 'tl-k3') AND from_status = 'pending' AND to_status = 'overdue'),
          3::bigint, 'bulk overdue: one history row per invoice');

-- an UPDATE that changes no status writes no history
SELECT lives_ok($$UPDATE invoice.invoices SET description = 'renamed' WHERE id = 'tl-d'$$,
               'UPDATE invoice.invoices SET description = ''renamed'' WHERE id = ''tl-d''');
SELECT lives_ok($$UPDATE invoice.invoices SET due_date = due_date + interval '1 day' WHERE id IN ('tl-a', 'tl-k1')$$,
               'UPDATE invoice.invoices SET due_date = due_date + interval ''1 day'' WHERE id IN (''tl-a'',...');
SELECT is(pg_temp.hist_count('tl-d'), 1::bigint, 'editing a draft writes no history');
SELECT is(pg_temp.hist_count('tl-a'), 2::bigint, 'moving a pending due date writes no history');
SELECT is(pg_temp.hist_count('tl-k1'), 3::bigint, 'moving an overdue due date within the past writes no history');

-- Every status change of this file left exactly one row: the history replays
-- each invoice's current status, and each row starts where the previous ended.
SELECT is((SELECT count(*) FROM invoice.invoices i
            WHERE org_id = 'tl-org'
              AND i.status IS DISTINCT FROM (SELECT to_status FROM invoice.status_history h
                                              WHERE h.org_id = i.org_id AND h.invoice_id = i.id
                                              ORDER BY history_id DESC LIMIT 1)),
          0::bigint, 'the last history row of every invoice is its current status');
SELECT is((SELECT count(*) FROM (
              SELECT from_status, lag(to_status) OVER (PARTITION BY invoice_id ORDER BY history_id) AS prev
                FROM invoice.status_history WHERE org_id = 'tl-org') AS h
            WHERE from_status IS DISTINCT FROM prev),
          0::bigint, 'history rows chain: each from_status is the previous to_status');
SELECT is((SELECT count(*) FROM invoice.status_history WHERE org_id = 'tl-org' AND changed_by <> current_user),
          0::bigint, 'every history row was written as current_user');

-- changed_by is the role that made the change, not the session's login role (nor the
-- definer of invoice_issue): a billing clerk, wired as README's "Security model" says
CREATE ROLE tl_clerk NOLOGIN BYPASSRLS;
GRANT USAGE ON SCHEMA invoice TO tl_clerk;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA invoice TO tl_clerk;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA invoice TO tl_clerk;
GRANT EXECUTE ON FUNCTION invoice.invoice_issue(text) TO tl_clerk;
SELECT FROM pg_temp.draft('tl-r', '5.00');
SET LOCAL ROLE tl_clerk;
SELECT lives_ok($$SELECT invoice.invoice_issue('tl-r')$$,
               'SELECT invoice.invoice_issue(''tl-r'')');
RESET ROLE;
SELECT is((SELECT changed_by::text FROM invoice.status_history WHERE invoice_id = 'tl-r' AND to_status = 'pending'),
          'tl_clerk', 'changed_by records current_user (a SET ROLE is seen)');

SELECT * FROM finish();
ROLLBACK;
