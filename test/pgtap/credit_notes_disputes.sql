-- Disputes (issue #7, README "Credit notes and disputes"): a customer
-- disputes an invoice instead of paying it.
--
--   - invoice_dispute(id, description) opens a dispute on a pending or
--     overdue invoice only (IV001 otherwise, and when one is already open);
--     the description must say something (22023); NULL / unknown ids;
--   - while it is open the overdue sweep leaves the invoice alone: a pending
--     one does not become overdue, an overdue one gets no repeat reminders;
--   - a credit note resolves it ('resolved'); invoice_dispute_reject closes
--     it as 'rejected' (IV001 without an open dispute); once closed, the
--     sweep takes the invoice again.
--
-- The sweep acts on every invoice in the database, so the file starts from
-- empty tables (TRUNCATE inside its transaction, rolled back at the end).
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

-- Load the library (CREATE EXTENSION IF NOT EXISTS does not when the
-- extension exists), so that its settings are in force.
SELECT FROM invoice.new_invoice_id();

SELECT plan(41);

TRUNCATE invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits, invoice.payments,
         invoice.status_history, invoice.number_series, invoice.reminders, invoice.credit_notes,
         invoice.credit_note_lines, invoice.advance_ledger CASCADE;
SET LOCAL invoice.reminder_interval_days = 7;
SET LOCAL invoice.grace_period = '7d';

-- Fixtures ---------------------------------------------------------------------

DELETE FROM invoice.supplier;
INSERT INTO invoice.supplier (legal_name, address, gstin, state_code)
VALUES ('Dispute test supplier', 'Bengaluru', '29AAACI1681G1ZL', '29');
INSERT INTO invoice.orgs (org_id, name, billing_state) VALUES ('dp-org', 'Dispute test org', '29');

-- pg_temp.draft(id, due): a GST draft dated 2025-10-01, one line of 1000.00 at 18 % (total 1180.00)
CREATE FUNCTION pg_temp.draft(p_id text, p_due timestamptz) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, due_date,
                                  currency, gst, tax_rate)
    VALUES ('dp-org', p_id, 'DSP', '2025-09-01 00:00 UTC', '2025-10-01 00:00 UTC', '2025-10-01 00:00 UTC',
            p_due, 'INR', true, 18);
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac)
    VALUES ('dp-org', p_id, 'cloud hosting', '1000.00', '998315');
    RETURN p_id;
END $$;

-- pg_temp.issued(id, due): the same, issued (pending)
CREATE FUNCTION pg_temp.issued(p_id text, p_due timestamptz) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_temp.draft(p_id, p_due);
    PERFORM invoice.invoice_issue(p_id);
    RETURN p_id;
END $$;

-- pg_temp.credit(id, amount, note_date): a credit note of one line of amount, issued
CREATE FUNCTION pg_temp.credit(p_id text, p_amount cents, p_date date) RETURNS invoice.credit_notes
LANGUAGE plpgsql AS $$
DECLARE
    v_clock text := current_setting('invoice.test_clock');
    v_note invoice.credit_notes;
BEGIN
    v_note := invoice.credit_note_create(p_id, 'duplicate_charge', 'usage counted twice');
    INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount)
    VALUES (v_note.org_id, v_note.credit_note_id, 'usage counted twice', p_amount);
    -- issued on that day (a note bears the date of its issue): the test clock at its noon, then back
    PERFORM set_config('invoice.test_clock', p_date::text || ' 12:00:00', true);
    v_note := invoice.credit_note_issue(v_note.credit_note_id, p_date);
    PERFORM set_config('invoice.test_clock', v_clock, true);
    RETURN v_note;
END $$;

-- an invoice as 'status/dispute_status' ('-' for no dispute)
CREATE FUNCTION pg_temp.st(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT status || '/' || coalesce(dispute_status, '-') FROM invoice.invoices WHERE id = p_id
$$;

-- an invoice's reminders as 'kind@day, ...' in day order
CREATE FUNCTION pg_temp.rems(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT coalesce(string_agg(kind || '@' || reminder_day, ', ' ORDER BY reminder_day, reminder_id), '')
      FROM invoice.reminders WHERE invoice_id = p_id
$$;

-- Which invoices can be disputed --------------------------------------------------

SELECT FROM pg_temp.draft('dp-draft', '2025-10-31 00:00 UTC');
SELECT throws_ok($$SELECT invoice.invoice_dispute('dp-draft', 'not what we ordered')$$, 'IV001',
                 'invoice "dp-draft" is draft and cannot be disputed',
                 'a draft cannot be disputed (IV001)');
SELECT FROM pg_temp.issued('dp-cancelled', '2025-10-31 00:00 UTC');
SELECT FROM invoice.invoice_cancel('dp-cancelled', 'wrong customer');
SELECT throws_ok($$SELECT invoice.invoice_dispute('dp-cancelled', 'not what we ordered')$$, 'IV001', NULL,
                 'a cancelled invoice cannot be disputed (IV001)');
SELECT FROM pg_temp.issued('dp-paid', '2025-10-31 00:00 UTC');
SELECT FROM invoice.invoice_pay('dp-paid', '1180.00', 'upi', 'dp-paid-pay');
SELECT throws_ok($$SELECT invoice.invoice_dispute('dp-paid', 'not what we ordered')$$, 'IV001', NULL,
                 'a paid invoice cannot be disputed (IV001)');

SELECT FROM pg_temp.issued('dp-pending', '2025-10-31 00:00 UTC');
SELECT throws_ok($$SELECT invoice.invoice_dispute('dp-pending', '')$$, '22023', NULL,
                 'an empty description: refused (22023)');
SELECT throws_ok($$SELECT invoice.invoice_dispute('dp-pending', E' \t\n ')$$, '22023', NULL,
                 'a blank description: refused (22023)');
SELECT throws_ok($$SELECT invoice.invoice_dispute(NULL, 'x')$$, '22004', NULL, 'NULL invoice id: 22004');
SELECT throws_ok($$SELECT invoice.invoice_dispute('dp-pending', NULL)$$, '22004', NULL, 'NULL description: 22004');
SELECT throws_ok($$SELECT invoice.invoice_dispute('inv-nope', 'x')$$, 'P0002', NULL, 'unknown invoice: P0002');
SELECT is(pg_temp.st('dp-pending'), 'pending/-', 'the refused attempts left no dispute');

SELECT is((SELECT concat_ws('/', status, dispute_status, dispute_description, disputed_at = invoice.clock(),
                            coalesce(dispute_closed_at::text, '-'))
             FROM invoice.invoice_dispute('dp-pending', 'the October usage is double what we used')),
          'pending/open/the October usage is double what we used/t/-',
          'a pending invoice is disputed: open, with its description and the time');
SELECT throws_ok($$SELECT invoice.invoice_dispute('dp-pending', 'again')$$, 'IV001',
                 'invoice "dp-pending" already has an open dispute',
                 'disputed twice: refused (IV001)');
SELECT is((SELECT dispute_description FROM invoice.invoices WHERE id = 'dp-pending'),
          'the October usage is double what we used', '... and the first description is kept');

SELECT throws_ok($$SELECT invoice.invoice_dispute_reject(NULL)$$, '22004', NULL, 'reject a NULL id: 22004');
SELECT throws_ok($$SELECT invoice.invoice_dispute_reject('inv-nope')$$, 'P0002', NULL, 'reject an unknown invoice: P0002');
SELECT FROM pg_temp.issued('dp-undisputed', '2025-10-31 00:00 UTC');
SELECT throws_ok($$SELECT invoice.invoice_dispute_reject('dp-undisputed')$$, 'IV001',
                 'invoice "dp-undisputed" has no open dispute',
                 'reject an invoice without a dispute: refused (IV001)');

-- The sweep leaves open disputes alone ----------------------------------------------

-- dp-pending (disputed) and dp-undisputed are both due 2025-10-31; dp-late is
-- due 2025-10-31 too and will be disputed once overdue.
SELECT FROM pg_temp.issued('dp-late', '2025-10-31 00:00 UTC');
SELECT is(invoice.invoice_sweep_overdue('2025-11-10 00:00 UTC'), 2,
          'sweep on 2025-11-10: two of the three invoices due 2025-10-31 move (the disputed one does not)');
SELECT is(pg_temp.st('dp-pending'), 'pending/open', 'the disputed invoice stays pending');
SELECT is(pg_temp.rems('dp-pending'), '', '... and gets no reminder');
SELECT is(pg_temp.st('dp-undisputed'), 'overdue/-', 'the undisputed one is overdue');
SELECT is(pg_temp.rems('dp-late'), 'overdue@2025-11-10', 'dp-late is overdue with its first reminder');

-- An overdue invoice can be disputed; while open it gets no repeat reminders.
SELECT is((SELECT status || '/' || dispute_status FROM invoice.invoice_dispute('dp-late', 'service was down for a week')),
          'overdue/open', 'an overdue invoice is disputed');
SELECT is(invoice.invoice_sweep_overdue('2025-11-20 00:00 UTC'), 0, 'sweep on 2025-11-20: nothing moves');
SELECT is(pg_temp.rems('dp-undisputed'), 'overdue@2025-11-10, repeat@2025-11-20',
          'ten days on, the undisputed overdue invoice gets a repeat reminder');
SELECT is(pg_temp.rems('dp-late'), 'overdue@2025-11-10',
          'the disputed overdue invoice gets none');
SELECT is(pg_temp.st('dp-pending'), 'pending/open', 'the disputed pending invoice is still pending');

-- A credit note resolves the dispute ------------------------------------------------

-- dp-pending: a note of 100.00 (118.00 with CGST + SGST) for the double-counted usage.
SELECT is((SELECT total FROM pg_temp.credit('dp-pending', '100.00', '2025-11-21')), '118.00'::cents,
          'a credit note of 118.00 on the disputed invoice');
SELECT is((SELECT concat_ws('/', status, dispute_status, dispute_closed_at = timestamptz '2025-11-21 12:00:00', amount_due)
             FROM invoice.invoices WHERE id = 'dp-pending'),
          'pending/resolved/t/1062.00', 'the credit note resolves the dispute when it is issued (and reduces the amount due)');
SELECT throws_ok($$SELECT invoice.invoice_dispute_reject('dp-pending')$$, 'IV001', NULL,
                 'a resolved dispute cannot be rejected (IV001)');
-- Resolved, the invoice is swept again.
SELECT is(invoice.invoice_sweep_overdue('2025-11-22 00:00 UTC'), 1, 'sweep on 2025-11-22: the resolved invoice moves');
SELECT is(pg_temp.st('dp-pending'), 'overdue/resolved', 'resolved, the invoice is overdue like any other');
SELECT is(pg_temp.rems('dp-pending'), 'overdue@2025-11-22', '... with its reminder');
-- A credit note on an invoice without a dispute leaves dispute_status alone.
SELECT FROM pg_temp.credit('dp-undisputed', '1.00', '2025-11-22');
SELECT is(pg_temp.st('dp-undisputed'), 'overdue/-', 'a credit note on an undisputed invoice opens or closes nothing');

-- Rejection --------------------------------------------------------------------------

SELECT is((SELECT concat_ws('/', status, dispute_status, dispute_description, dispute_closed_at = invoice.clock())
             FROM invoice.invoice_dispute_reject('dp-late')),
          'overdue/rejected/service was down for a week/t',
          'invoice_dispute_reject closes the dispute as rejected, keeping its description');
SELECT throws_ok($$SELECT invoice.invoice_dispute_reject('dp-late')$$, 'IV001', NULL,
                 'rejected twice: refused (IV001)');
-- Rejected, the sweep takes it again: a repeat reminder (the last one was 2025-11-10).
SELECT is(invoice.invoice_sweep_overdue('2025-11-23 00:00 UTC'), 0, 'sweep on 2025-11-23: nothing new moves');
SELECT is(pg_temp.rems('dp-late'), 'overdue@2025-11-10, repeat@2025-11-23',
          'the rejected overdue invoice gets its repeat reminder again');

-- A pending invoice whose dispute is rejected becomes overdue at the next sweep.
SELECT FROM pg_temp.issued('dp-reject-pending', '2025-11-30 00:00 UTC');
SELECT FROM invoice.invoice_dispute('dp-reject-pending', 'we never ordered this');
SELECT is(invoice.invoice_sweep_overdue('2025-12-05 00:00 UTC'), 0, 'sweep on 2025-12-05: the disputed invoice due 2025-11-30 stays');
SELECT is(pg_temp.st('dp-reject-pending'), 'pending/open', '... pending');
SELECT FROM invoice.invoice_dispute_reject('dp-reject-pending');
SELECT is(invoice.invoice_sweep_overdue('2025-12-05 00:00 UTC'), 1, 'rejected: the same sweep moves it');
SELECT is(pg_temp.st('dp-reject-pending'), 'overdue/rejected', '... to overdue');
SELECT is(pg_temp.rems('dp-reject-pending'), 'overdue@2025-12-05', '... with its reminder');

SELECT * FROM finish();
ROLLBACK;
