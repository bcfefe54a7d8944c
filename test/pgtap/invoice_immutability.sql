-- invoice immutability (SPEC §3): once issued, an invoice's line items,
-- credits, period, currency, tax rate, number, dates and description are
-- frozen (IV002); derived amounts are never written directly (IV006), not
-- even on a draft (an invoice inserted with its lines in one statement keeps what
-- its lines give); invoices are born drafts; only drafts can be deleted.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';

SELECT plan(131);

-- Fixtures --------------------------------------------------------------------

INSERT INTO invoice.orgs (org_id, name) VALUES ('ti-org', 'Immutability test org'), ('ti-org2', 'Another org');

-- pg_temp.refused(sql, sqlstate, message, description): throws_ok whose
-- statement is always rolled back, so a wrongly accepted statement fails
-- only its own assertion.  A NULL message checks the SQLSTATE only.
\ir include/refused.sql

-- pg_temp.draft(id, amount): a draft for January 2024 (series TIM) with one line and one credit
CREATE FUNCTION pg_temp.draft(p_id text, p_amount cents DEFAULT '100.00') RETURNS void
LANGUAGE sql AS $$
    INSERT INTO invoice.invoices (org_id, id, series, description, period_start, period_end,
                                  invoice_date, due_date, tax_rate)
    VALUES ('ti-org', p_id, 'TIM', 'January', '2024-01-01 00:00 UTC', '2024-02-01 00:00 UTC',
            '2024-02-01 00:00 UTC', '2024-03-02 00:00 UTC', 10);
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
    VALUES ('ti-org', p_id, 'service', p_amount);
    INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('ti-org', p_id, '1.00', 'C1');
$$;

-- the invoice row, lines and credits of one invoice as one text (to prove "nothing changed")
CREATE FUNCTION pg_temp.fingerprint(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT (SELECT i::text FROM invoice.invoices i WHERE org_id = 'ti-org' AND id = p_id)
        || (SELECT coalesce(string_agg(l::text, ';' ORDER BY line_id), '') FROM invoice.line_items l
             WHERE org_id = 'ti-org' AND invoice_id = p_id)
        || (SELECT coalesce(string_agg(c::text, ';' ORDER BY credit_id), '') FROM invoice.credits c
             WHERE org_id = 'ti-org' AND invoice_id = p_id)
$$;

SELECT FROM pg_temp.draft('ti-draft');
SELECT FROM pg_temp.draft('ti-draft2');
SELECT FROM pg_temp.draft('ti-pending');
SELECT FROM pg_temp.draft('ti-overdue');
SELECT FROM pg_temp.draft('ti-paid');
SELECT FROM pg_temp.draft('ti-cancelled');
SELECT FROM unnest(ARRAY['ti-pending', 'ti-overdue', 'ti-paid', 'ti-cancelled']) AS id, invoice.invoice_issue(id);
UPDATE invoice.invoices SET status = 'overdue' WHERE id = 'ti-overdue';
SELECT FROM invoice.invoice_pay('ti-paid', (SELECT amount_due FROM invoice.invoices WHERE id = 'ti-paid'), 'card', 'ti-ref-1');
SELECT FROM invoice.invoice_cancel('ti-cancelled', 'void');
SELECT is((SELECT array_agg(status::text ORDER BY id COLLATE "C") FROM invoice.invoices WHERE org_id = 'ti-org'),
          ARRAY['cancelled', 'draft', 'draft', 'overdue', 'paid', 'pending'], 'fixtures: one invoice in each status');

CREATE TEMP TABLE before AS
    SELECT id, pg_temp.fingerprint(id) AS fp FROM invoice.invoices WHERE org_id = 'ti-org';
CREATE TEMP TABLE frozen (id text);
INSERT INTO frozen VALUES ('ti-pending'), ('ti-overdue'), ('ti-paid'), ('ti-cancelled');

-- Line items and credits of issued invoices --------------------------------------------

SELECT pg_temp.refused(format($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
                                 VALUES ('ti-org', %L, 'extra', '5.00')$$, id), 'IV002',
                       format('invoice "%s" is %s: its line items cannot be changed', id, split_part(id, '-', 2)),
                       format('INSERT of a line item into a %s invoice is refused (IV002)', split_part(id, '-', 2)))
  FROM frozen;
SELECT pg_temp.refused(format($$UPDATE invoice.line_items SET description = 'changed' WHERE invoice_id = %L$$, id), 'IV002',
                       NULL, format('UPDATE of a non-amount column of a %s invoice''s line is refused (IV002)', split_part(id, '-', 2)))
  FROM frozen;
SELECT pg_temp.refused(format($$UPDATE invoice.line_items SET amount = '1.00' WHERE invoice_id = %L$$, id), 'IV002',
                       NULL, format('UPDATE of a %s invoice''s line amount is refused (IV002)', split_part(id, '-', 2)))
  FROM frozen;
SELECT pg_temp.refused(format($$DELETE FROM invoice.line_items WHERE invoice_id = %L$$, id), 'IV002',
                       NULL, format('DELETE of a %s invoice''s line is refused (IV002)', split_part(id, '-', 2)))
  FROM frozen;
SELECT pg_temp.refused(format($$INSERT INTO invoice.credits (org_id, invoice_id, amount, code)
                                 VALUES ('ti-org', %L, '5.00', 'LATE')$$, id), 'IV002',
                       format('invoice "%s" is %s: its credits cannot be changed', id, split_part(id, '-', 2)),
                       format('INSERT of a credit into a %s invoice is refused (IV002)', split_part(id, '-', 2)))
  FROM frozen;
SELECT pg_temp.refused(format($$UPDATE invoice.credits SET amount = '0.50' WHERE invoice_id = %L$$, id), 'IV002',
                       NULL, format('UPDATE of a %s invoice''s credit is refused (IV002)', split_part(id, '-', 2)))
  FROM frozen;
SELECT pg_temp.refused(format($$DELETE FROM invoice.credits WHERE invoice_id = %L$$, id), 'IV002',
                       NULL, format('DELETE of a %s invoice''s credit is refused (IV002)', split_part(id, '-', 2)))
  FROM frozen;

-- moving a line or credit between a draft and an issued invoice touches both
SELECT pg_temp.refused($$UPDATE invoice.line_items SET invoice_id = 'ti-pending' WHERE invoice_id = 'ti-draft'$$, 'IV002', NULL,
                       'moving a draft''s line onto an issued invoice is refused (IV002)');
SELECT pg_temp.refused($$UPDATE invoice.line_items SET invoice_id = 'ti-draft' WHERE invoice_id = 'ti-pending'$$, 'IV002', NULL,
                       'moving an issued invoice''s line onto a draft is refused (IV002)');
SELECT pg_temp.refused($$UPDATE invoice.credits SET invoice_id = 'ti-draft' WHERE invoice_id = 'ti-paid'$$, 'IV002', NULL,
                       'moving an issued invoice''s credit onto a draft is refused (IV002)');
-- a statement over many invoices, one of them issued, is refused as a whole
SELECT pg_temp.refused($$UPDATE invoice.line_items SET amount = amount + '1.00'::cents WHERE org_id = 'ti-org'$$, 'IV002', NULL,
                       'a multi-invoice line UPDATE touching an issued invoice is refused (IV002)');
SELECT pg_temp.refused($$DELETE FROM invoice.credits WHERE org_id = 'ti-org'$$, 'IV002', NULL,
                       'a multi-invoice credit DELETE touching an issued invoice is refused (IV002)');

-- Frozen invoice columns -------------------------------------------------------------------

SELECT pg_temp.refused(format($$UPDATE invoice.invoices SET %I = %s WHERE id = %L$$, col, val, id), 'IV002',
                       format('invoice "%s" is %s: its %s cannot be changed', id, split_part(id, '-', 2), col),
                       format('UPDATE of %s on a %s invoice is refused (IV002)', col, split_part(id, '-', 2)))
  FROM frozen,
       (VALUES ('period_start', $$'2023-12-01 00:00 UTC'$$), ('period_end', $$'2024-02-02 00:00 UTC'$$),
               ('currency', $$'EUR'$$), ('tax_rate', '18'), ('number', $$'TIM/2324/999999'$$),
               ('invoice_date', $$'2024-02-02 00:00 UTC'$$), ('description', $$'rewritten'$$),
               ('series', $$'XYZ'$$)) AS c(col, val)
 WHERE col NOT IN ('number', 'series') OR id IN ('ti-pending', 'ti-paid');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET number = NULL WHERE id = 'ti-pending'$$, 'IV002', NULL,
                       'clearing the number of an issued invoice is refused (IV002)');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET description = NULL WHERE id = 'ti-paid'$$, 'IV002', NULL,
                       'clearing the description of an issued invoice is refused (IV002)');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET issued_at = '2020-01-01 00:00 UTC' WHERE id = 'ti-pending'$$, 'IV002', NULL,
                       'issued_at is set by the life cycle only (IV002)');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET org_id = 'ti-org2' WHERE id = 'ti-draft'$$, 'IV002', NULL,
                       'an invoice cannot move to another organisation (IV002)');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET id = 'ti-renamed' WHERE id = 'ti-draft'$$, 'IV002', NULL,
                       'an invoice cannot change its id (IV002)');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET number = 'TIM/2324/000777' WHERE id = 'ti-draft'$$, 'IV002', NULL,
                       'a draft cannot be given a number by hand (IV002)');
-- the due date of a pending invoice may move (overdue rules); of paid/cancelled ones, not
SELECT lives_ok($$UPDATE invoice.invoices SET due_date = '2024-03-09 00:00 UTC' WHERE id = 'ti-pending'$$,
                'the due date of a pending invoice may be moved');
SELECT pg_temp.refused(format($$UPDATE invoice.invoices SET due_date = '2024-03-09 00:00 UTC' WHERE id = %L$$, id), 'IV002', NULL,
                       format('the due date of a %s invoice is frozen (IV002)', split_part(id, '-', 2)))
  FROM unnest(ARRAY['ti-paid', 'ti-cancelled']) AS id;

-- Derived amounts are never set directly ------------------------------------------------------

SELECT pg_temp.refused(format($$UPDATE invoice.invoices SET %I = '12.34' WHERE id = %L$$, col, id), 'IV006',
                       format('amounts of invoice "%s" are derived and cannot be set directly', id),
                       format('UPDATE of %s on a %s invoice is refused (IV006)', col, split_part(id, '-', 2)))
  FROM unnest(ARRAY['usage_amount', 'credits_applied', 'already_billed_amount', 'subtotal', 'tax', 'total',
                    'advance_pay_amount', 'amount_due']) AS col,
       unnest(ARRAY['ti-draft', 'ti-pending']) AS id;
SELECT pg_temp.refused($$UPDATE invoice.invoices SET amount_due = '0', status = 'paid' WHERE id = 'ti-pending'$$, 'IV006', NULL,
                       'zeroing amount_due to mark an invoice paid is refused (IV006)');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET total = '0' WHERE org_id = 'ti-org'$$, 'IV006', NULL,
                       'a bulk UPDATE of an amount is refused (IV006)');
SELECT pg_temp.refused(format($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end, %I)
                                 VALUES ('ti-org', 'ti-new', '2024-01-01', '2024-02-01', '5.00')$$, col), 'IV006', NULL,
                       format('INSERT of an invoice with %s set is refused (IV006)', col))
  FROM unnest(ARRAY['usage_amount', 'credits_applied', 'already_billed_amount', 'subtotal', 'tax', 'total',
                    'advance_pay_amount', 'amount_due']) AS col;
SELECT lives_ok($$UPDATE invoice.invoices SET total = total, amount_due = amount_due WHERE id = 'ti-draft'$$,
                'setting amounts to their current values is harmless');
-- refused at the end of the statement: also in a statement that inserts other invoices' lines
SELECT pg_temp.refused($$WITH i AS (INSERT INTO invoice.invoices (org_id, id, period_start, period_end, total)
                                     VALUES ('ti-org', 'ti-new', '2024-01-01', '2024-02-01', '5.00'),
                                            ('ti-org', 'ti-new2', '2024-01-01', '2024-02-01', '0') RETURNING id)
                          INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
                          SELECT 'ti-org', 'ti-new2', 'service', '5.00' FROM i WHERE id = 'ti-new2'$$, 'IV006',
                       'amounts of invoice "ti-new" are derived and cannot be set directly',
                       'an invoice inserted with amounts and no lines is refused, whatever else the statement inserts (IV006)');
-- inserted with its lines in one statement, an invoice keeps the amounts its lines give: the
-- lines' statement trigger recomputes it (invoice_generate inserts its drafts so)
WITH i AS (INSERT INTO invoice.invoices (org_id, id, period_start, period_end, tax_rate, usage_amount, subtotal, tax, total, amount_due)
           VALUES ('ti-org', 'ti-with-lines', '2024-01-01', '2024-02-01', 10, '99.00', '99.00', '0', '1.00', '123.45') RETURNING org_id, id)
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount) SELECT org_id, id, 'service', '20.00' FROM i;
SELECT is((SELECT (usage_amount, subtotal, tax, total, amount_due)::text FROM invoice.invoices WHERE id = 'ti-with-lines'),
          '(20.00,20.00,2.00,22.00,22.00)',
          'amounts given with the invoice''s lines in the same statement are replaced by the derived ones');
WITH i AS (INSERT INTO invoice.invoices (org_id, id, period_start, period_end, tax_rate, usage_amount, subtotal, tax, total, amount_due)
           VALUES ('ti-org', 'ti-right', '2024-01-01', '2024-02-01', 10, '20.00', '20.00', '2.00', '22.00', '22.00') RETURNING org_id, id)
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount) SELECT org_id, id, 'service', '20.00' FROM i;
SELECT is((SELECT (usage_amount, subtotal, tax, total, amount_due)::text FROM invoice.invoices WHERE id = 'ti-right'),
          '(20.00,20.00,2.00,22.00,22.00)', '... and the right ones are accepted');
DELETE FROM invoice.invoices WHERE id IN ('ti-with-lines', 'ti-right');

-- Invoices are created as drafts ----------------------------------------------------------------

SELECT pg_temp.refused(format($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end, status, number)
                                 VALUES ('ti-org', 'ti-new', '2024-01-01', '2024-02-01', %L, 'TIM/2324/000888')$$, s),
                       'IV001', format('invoice "ti-new" must be created as draft, not %s', s),
                       format('INSERT of a %s invoice is refused (IV001)', s))
  FROM unnest(ARRAY['pending', 'overdue', 'paid', 'cancelled']) AS s;
SELECT pg_temp.refused($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end, status, status_reason)
                         VALUES ('ti-org', 'ti-new', '2024-01-01', '2024-02-01', 'cancelled', 'born dead')$$,
                       'IV001', NULL, 'INSERT of a cancelled invoice without a number is refused (IV001)');
SELECT pg_temp.refused($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end, issued_at)
                         VALUES ('ti-org', 'ti-new', '2024-01-01', '2024-02-01', invoice.clock())$$,
                       'IV001', NULL, 'INSERT of a draft with issued_at is refused (IV001)');
SELECT pg_temp.refused($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end, number)
                         VALUES ('ti-org', 'ti-new', '2024-01-01', '2024-02-01', 'TIM/2324/000999')$$,
                       '23514', NULL, 'INSERT of a draft with a number is refused (23514)');
SELECT pg_temp.refused($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end)
                         SELECT 'ti-org', 'ti-bulk-' || g, timestamptz '2024-01-01', timestamptz '2024-02-01'
                           FROM generate_series(1, 3) g$$,
                       'TT001', NULL, 'a multi-row INSERT of drafts is accepted (rolled back here)');

-- Deletes ----------------------------------------------------------------------------------------

SELECT pg_temp.refused(format($$DELETE FROM invoice.invoices WHERE id = %L$$, id), 'IV002',
                       format('invoice "%s" is %s and cannot be deleted', id, split_part(id, '-', 2)),
                       format('DELETE of a %s invoice is refused (IV002)', split_part(id, '-', 2)))
  FROM frozen;
SELECT pg_temp.refused($$DELETE FROM invoice.invoices WHERE org_id = 'ti-org'$$, 'IV002', NULL,
                       'a bulk DELETE including issued invoices is refused as a whole (IV002)');

-- nothing refused above changed anything
SELECT is((SELECT count(*) FROM before b WHERE pg_temp.fingerprint(b.id) IS DISTINCT FROM b.fp AND b.id NOT IN ('ti-pending')),
          0::bigint, 'the refused statements changed no invoice, line or credit');
SELECT is((SELECT count(*) FROM invoice.invoices WHERE org_id = 'ti-org'), 6::bigint, 'no invoice appeared or vanished');

-- a draft can be edited and deleted; the delete cascades to its lines, credits and history
SELECT lives_ok($$INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
                  VALUES ('ti-org', 'ti-draft', 'more', 2, 3.5)$$, 'a draft takes new lines');
SELECT lives_ok($$UPDATE invoice.line_items SET units = 3 WHERE invoice_id = 'ti-draft' AND description = 'more'$$,
                'a draft''s lines can be changed');
SELECT lives_ok($$UPDATE invoice.credits SET amount = '2.00' WHERE invoice_id = 'ti-draft'$$, 'a draft''s credits can be changed');
SELECT lives_ok($$UPDATE invoice.invoices SET period_end = '2024-01-31 00:00 UTC', currency = 'EUR', tax_rate = 20,
                         description = 'edited', invoice_date = '2024-02-02 00:00 UTC', series = 'TIX'
                   WHERE id = 'ti-draft'$$, 'a draft''s period, currency, tax rate, description, dates and series can be changed');
-- 100.00 + 3 × 3.5 = 110.50; credit 2.00: subtotal 108.50; 20 % = 21.70
SELECT is((SELECT concat_ws('/', usage_amount, credits_applied, subtotal, tax, total) FROM invoice.invoices WHERE id = 'ti-draft'),
          '110.50/2.00/108.50/21.70/130.20', 'the edited draft is recomputed');
SELECT lives_ok($$DELETE FROM invoice.line_items WHERE invoice_id = 'ti-draft' AND description = 'more'$$, 'a draft''s line can be deleted');
SELECT lives_ok($$DELETE FROM invoice.invoices WHERE id = 'ti-draft'$$, 'a draft can be deleted');
SELECT is((SELECT count(*) FROM invoice.invoices WHERE id = 'ti-draft'), 0::bigint, 'the draft is gone');
SELECT is((SELECT count(*) FROM invoice.line_items WHERE invoice_id = 'ti-draft'), 0::bigint, 'its lines went with it');
SELECT is((SELECT count(*) FROM invoice.credits WHERE invoice_id = 'ti-draft'), 0::bigint, 'its credits went with it');
SELECT is((SELECT count(*) FROM invoice.status_history WHERE invoice_id = 'ti-draft'), 0::bigint, 'its history went with it');
SELECT is((SELECT count(*) FROM invoice.line_items WHERE invoice_id = 'ti-draft2'), 1::bigint, 'other drafts keep their lines');
SELECT lives_ok($$DELETE FROM invoice.invoices WHERE org_id = 'ti-org' AND status = 'draft'$$, 'a bulk DELETE of drafts only is accepted');
SELECT is((SELECT count(*) FROM invoice.invoices WHERE org_id = 'ti-org'), 4::bigint, 'four issued invoices remain');

-- and the frozen invoices still agree with their rows
SELECT is((SELECT count(*) FROM invoice.invoices i, invoice.invoice_compute(i.id) c
            WHERE i.org_id = 'ti-org' AND (c.total, c.amount_due, c.tax) IS DISTINCT FROM (i.total, i.amount_due, i.tax)),
          0::bigint, 'invoice_compute changes nothing on the frozen invoices');

SELECT * FROM finish();
ROLLBACK;
