-- invoice functions and table constraints at their edges: NULL, empty,
-- garbage and out-of-range arguments of invoice_compute, invoice_issue,
-- invoice_pay, invoice_cancel and the billing-day functions, each with its
-- SQLSTATE; payment idempotency on provider_ref; CHECK constraints; and the
-- scale-out rule (SPEC §6) that every key includes org_id.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';

SELECT plan(121);

-- Fixtures --------------------------------------------------------------------

INSERT INTO invoice.orgs (org_id, name) VALUES ('tf-org', 'Functions test org'), ('tf-org2', 'Second org');

-- pg_temp.refused(sql, sqlstate, message, description): throws_ok whose
-- statement is always rolled back, so a wrongly accepted statement fails
-- only its own assertion.  A NULL message checks the SQLSTATE only.
\ir include/refused.sql

-- pg_temp.draft(org, id, amount): a draft for January 2024 with one line (none when 0)
CREATE FUNCTION pg_temp.draft(p_org text, p_id text, p_amount cents DEFAULT '100.00') RETURNS void
LANGUAGE sql AS $$
    INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date, due_date)
    VALUES (p_org, p_id, 'TFN', '2024-01-01 00:00 UTC', '2024-02-01 00:00 UTC',
            '2024-02-01 00:00 UTC', '2024-03-02 00:00 UTC');
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
    SELECT p_org, p_id, 'service', p_amount WHERE p_amount > '0';
$$;

SELECT FROM pg_temp.draft('tf-org', 'tf-draft');
SELECT FROM pg_temp.draft('tf-org', 'tf-pend');
SELECT FROM pg_temp.draft('tf-org', 'tf-pend2');
SELECT FROM pg_temp.draft('tf-org', 'tf-paid');
SELECT FROM pg_temp.draft('tf-org', 'tf-canc');
SELECT FROM pg_temp.draft('tf-org2', 'tf-other');
-- the same id in two organisations (possible: keys are per organisation)
SELECT FROM pg_temp.draft('tf-org', 'tf-dup');
SELECT FROM pg_temp.draft('tf-org2', 'tf-dup');
SELECT FROM unnest(ARRAY['tf-pend', 'tf-pend2', 'tf-paid', 'tf-canc', 'tf-other']) AS id, invoice.invoice_issue(id);
SELECT FROM invoice.invoice_pay('tf-paid', '100.00', 'card', 'tf-ref-paid');
SELECT FROM invoice.invoice_cancel('tf-canc', 'void');
SELECT is((SELECT array_agg(id || ':' || status ORDER BY id COLLATE "C") FROM invoice.invoices WHERE org_id = 'tf-org' AND id <> 'tf-dup'),
          ARRAY['tf-canc:cancelled', 'tf-draft:draft', 'tf-paid:paid', 'tf-pend:pending', 'tf-pend2:pending'],
          'fixtures: invoices in each status');

-- invoice_compute ---------------------------------------------------------------------

SELECT pg_temp.refused($$SELECT invoice.invoice_compute(NULL)$$, '22004', 'invoice id must not be null', 'invoice_compute(NULL): 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_compute('')$$, 'P0002', 'invoice "" does not exist', 'invoice_compute(''''): P0002');
SELECT pg_temp.refused($$SELECT invoice.invoice_compute('no-such-invoice')$$, 'P0002', 'invoice "no-such-invoice" does not exist',
                       'invoice_compute(unknown): P0002');
SELECT pg_temp.refused($$SELECT invoice.invoice_compute('x''; DROP TABLE invoice.invoices; --')$$, 'P0002', NULL,
                       'invoice_compute(garbage): P0002');
SELECT pg_temp.refused($$SELECT invoice.invoice_compute(repeat('z', 100000))$$, 'P0002', NULL,
                       'invoice_compute(100000 characters): P0002');
SELECT pg_temp.refused($$SELECT invoice.invoice_compute('TF-DRAFT')$$, 'P0002', NULL, 'ids are case-sensitive: P0002');
SELECT pg_temp.refused($$SELECT invoice.invoice_compute('tf-dup')$$, '21000', NULL,
                       'invoice_compute of an id used by two organisations: 21000');
SELECT is((SELECT total FROM invoice.invoice_compute('tf-draft')), '100.00'::cents, 'invoice_compute of a draft returns its row');
SELECT is((SELECT status FROM invoice.invoice_compute('tf-paid')), 'paid', 'invoice_compute of a paid invoice works and keeps it paid');

-- invoice_issue ------------------------------------------------------------------------

SELECT pg_temp.refused($$SELECT invoice.invoice_issue(NULL)$$, '22004', 'invoice id must not be null', 'invoice_issue(NULL): 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_issue('')$$, 'P0002', NULL, 'invoice_issue(''''): P0002');
SELECT pg_temp.refused($$SELECT invoice.invoice_issue('no-such-invoice')$$, 'P0002', NULL, 'invoice_issue(unknown): P0002');
SELECT pg_temp.refused($$SELECT invoice.invoice_issue('tf-dup')$$, '21000', NULL, 'invoice_issue(ambiguous id): 21000');
SELECT pg_temp.refused($$SELECT invoice.invoice_issue('tf-pend')$$, 'IV001', NULL, 'invoice_issue(pending): IV001');
SELECT pg_temp.refused($$SELECT invoice.invoice_issue('tf-paid')$$, 'IV001', NULL, 'invoice_issue(paid): IV001');
SELECT pg_temp.refused($$SELECT invoice.invoice_issue('tf-canc')$$, 'IV001', NULL, 'invoice_issue(cancelled): IV001');

-- invoice_pay: arguments ---------------------------------------------------------------------

SELECT pg_temp.refused($$SELECT invoice.invoice_pay(NULL, '1.00', 'card', 'tf-r')$$, '22004', 'invoice id must not be null',
                       'invoice_pay(NULL id): 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend', NULL, 'card', 'tf-r')$$, '22004', 'payment amount must not be null',
                       'invoice_pay(NULL amount): 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend', '1.00', NULL, 'tf-r')$$, '22004', 'payment method must not be null',
                       'invoice_pay(NULL method): 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend', '1.00', 'card', NULL)$$, '22004', 'provider reference must not be null',
                       'invoice_pay(NULL provider_ref): 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay(NULL, NULL, NULL, NULL)$$, '22004', NULL, 'invoice_pay(all NULL): 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('no-such-invoice', NULL, 'card', 'tf-r')$$, '22004', NULL,
                       'a NULL amount is refused before the invoice is looked up: 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend', '0', 'card', 'tf-r')$$, '22023', 'payment amount must be positive, not 0.00',
                       'invoice_pay(amount 0): 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend', '-5.00', 'card', 'tf-r')$$, '22023', NULL, 'invoice_pay(amount -5.00): 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend', '-0.01', 'card', 'tf-r')$$, '22023', NULL, 'invoice_pay(amount -0.01): 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend', '1.005', 'card', 'tf-r')$$, '22P02', NULL,
                       'invoice_pay(amount 1.005): 22P02 (no silent rounding)');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend', '1.00', 'cash', 'tf-r')$$, '22P02', NULL, 'invoice_pay(method cash): 22P02');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend', '1.00', '', 'tf-r')$$, '22P02', NULL, 'invoice_pay(method ''''): 22P02');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend', '1.00', 'CARD', 'tf-r')$$, '22P02', NULL, 'invoice_pay(method CARD): 22P02');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend', '1.00', 'card', '')$$, '22023', 'provider reference must not be empty',
                       'invoice_pay(provider_ref ''''): 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend', '1.00', 'card', E' \t\n')$$, '22023', NULL,
                       'invoice_pay(blank provider_ref): 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('no-such-invoice', '1.00', 'card', 'tf-r')$$, 'P0002', NULL, 'invoice_pay(unknown invoice): P0002');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('', '1.00', 'card', 'tf-r')$$, 'P0002', NULL, 'invoice_pay(''''): P0002');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-dup', '1.00', 'card', 'tf-r')$$, '21000', NULL, 'invoice_pay(ambiguous id): 21000');

-- invoice_pay: payability -------------------------------------------------------------------

SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend', '100.01', 'card', 'tf-r')$$, 'IV003',
                       'payment of 100.01 exceeds the amount due on invoice "tf-pend"', 'overpaying by a cent: IV003');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-draft', '1.00', 'card', 'tf-r')$$, 'IV005',
                       'invoice "tf-draft" is draft and cannot be paid', 'paying a draft: IV005');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-canc', '1.00', 'card', 'tf-r')$$, 'IV005',
                       'invoice "tf-canc" is cancelled and cannot be paid', 'paying a cancelled invoice: IV005');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-paid', '1.00', 'card', 'tf-r')$$, 'IV005',
                       'invoice "tf-paid" is paid and cannot be paid', 'paying a paid invoice: IV005');
SELECT is((SELECT count(*) FROM invoice.payments WHERE org_id = 'tf-org'), 1::bigint, 'no refused call left a payment behind');
-- direct INSERTs into payments obey the same rules
SELECT pg_temp.refused($$INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)
                         VALUES ('tf-org', 'tf-pend', '100.01', 'card', 'tf-direct')$$, 'IV003', NULL,
                       'a direct payments INSERT that overpays: IV003');
SELECT pg_temp.refused($$INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)
                         VALUES ('tf-org', 'tf-pend', '60.00', 'card', 'tf-d1'), ('tf-org', 'tf-pend', '40.01', 'card', 'tf-d2')$$,
                       'IV003', NULL, 'a two-row payments INSERT that overpays together: IV003');
SELECT pg_temp.refused($$INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)
                         VALUES ('tf-org', 'tf-draft', '1.00', 'card', 'tf-direct')$$, 'IV005', NULL,
                       'a direct payments INSERT on a draft: IV005');
SELECT pg_temp.refused($$UPDATE invoice.payments SET amount = '50.00' WHERE provider_ref = 'tf-ref-paid'$$, 'IV005', NULL,
                       'changing a payment of a paid invoice: IV005');
SELECT pg_temp.refused($$DELETE FROM invoice.payments WHERE provider_ref = 'tf-ref-paid'$$, 'IV005', NULL,
                       'deleting a payment of a paid invoice: IV005');

-- invoice_pay: idempotency on provider_ref -----------------------------------------------------

CREATE TEMP TABLE first_payment AS SELECT * FROM invoice.invoice_pay('tf-pend', '30.00', 'upi', 'tf-ref-A');
SELECT is((SELECT amount_due FROM invoice.invoices WHERE id = 'tf-pend'), '70.00'::cents, 'a first payment of 30.00 leaves 70.00 due');
CREATE TEMP TABLE snap AS
    SELECT (SELECT i::text FROM invoice.invoices i WHERE id = 'tf-pend') AS inv,
           (SELECT count(*) FROM invoice.payments) AS payments,
           (SELECT count(*) FROM invoice.status_history) AS history;
SELECT is((SELECT p::text FROM invoice.invoice_pay('tf-pend', '30.00', 'upi', 'tf-ref-A') AS p),
          (SELECT p::text FROM first_payment AS p), 'a retry (same ref, same amount) returns the first payment, row for row');
SELECT is((SELECT p::text FROM invoice.invoice_pay('tf-pend', '30.00', 'card', 'tf-ref-A') AS p),
          (SELECT p::text FROM first_payment AS p), 'a retry naming another method still returns the first payment');
SELECT is((SELECT (SELECT i::text FROM invoice.invoices i WHERE id = 'tf-pend')), (SELECT inv FROM snap), 'retries changed nothing on the invoice');
SELECT is((SELECT count(*) FROM invoice.payments), (SELECT payments FROM snap), 'retries added no payment');
SELECT is((SELECT count(*) FROM invoice.status_history), (SELECT history FROM snap), 'retries wrote no history');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend', '30.01', 'upi', 'tf-ref-A')$$, 'IV004', NULL,
                       'same ref, different amount: IV004');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend2', '30.00', 'upi', 'tf-ref-A')$$, 'IV004', NULL,
                       'same ref, same amount, different invoice: IV004');
-- provider references are unique per organisation (UNIQUE (org_id, provider_ref)):
-- another organisation's payment may carry the same reference
SELECT is((SELECT p.org_id || '/' || p.invoice_id || '/' || (p.payment_id <> f.payment_id)
             FROM invoice.invoice_pay('tf-other', '30.00', 'upi', 'tf-ref-A') AS p, first_payment AS f),
          'tf-org2/tf-other/true', 'the same ref on another organisation''s invoice is a payment of its own');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-draft', '30.00', 'upi', 'tf-ref-A')$$, 'IV004', NULL,
                       'same ref on a draft: IV004');
-- a retry after the invoice got paid still answers with the payment
SELECT FROM invoice.invoice_pay('tf-pend', '70.00', 'upi', 'tf-ref-B');
SELECT is((SELECT status FROM invoice.invoices WHERE id = 'tf-pend'), 'paid', 'paying the remaining 70.00: paid');
SELECT is((SELECT payment_id FROM invoice.invoice_pay('tf-pend', '30.00', 'upi', 'tf-ref-A')),
          (SELECT payment_id FROM first_payment), 'a late retry of the first payment on the paid invoice returns it (no IV005)');
SELECT is((SELECT count(*) FROM invoice.payments WHERE invoice_id = 'tf-pend'), 2::bigint, 'and adds nothing');
SELECT pg_temp.refused($$SELECT invoice.invoice_pay('tf-pend', '70.01', 'upi', 'tf-ref-B')$$, 'IV004', NULL,
                       'a conflicting reuse of the second ref: IV004');

-- invoice_cancel -----------------------------------------------------------------------------

SELECT pg_temp.refused($$SELECT invoice.invoice_cancel(NULL, 'reason')$$, '22004', 'invoice id must not be null', 'invoice_cancel(NULL id): 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_cancel('tf-pend2', NULL)$$, '22004', 'cancellation reason must not be null',
                       'invoice_cancel(NULL reason): 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_cancel(NULL, NULL)$$, '22004', NULL, 'invoice_cancel(NULL, NULL): 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_cancel('tf-pend2', '')$$, '22023', 'cancellation reason must not be empty',
                       'invoice_cancel(empty reason): 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_cancel('tf-pend2', E'  \t\r\n ')$$, '22023', NULL, 'invoice_cancel(blank reason): 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_cancel('no-such-invoice', 'reason')$$, 'P0002', NULL, 'invoice_cancel(unknown): P0002');
SELECT pg_temp.refused($$SELECT invoice.invoice_cancel('', 'reason')$$, 'P0002', NULL, 'invoice_cancel(''''): P0002');
SELECT pg_temp.refused($$SELECT invoice.invoice_cancel('tf-dup', 'reason')$$, '21000', NULL, 'invoice_cancel(ambiguous id): 21000');
SELECT is((SELECT status FROM invoice.invoices WHERE id = 'tf-pend2'), 'pending', 'tf-pend2 is still pending after the refusals');

-- billing-day functions ------------------------------------------------------------------------

SELECT pg_temp.refused($$SELECT invoice.invoice_compute_period(NULL, '2024-02-01')$$, '22004', NULL, 'invoice_compute_period(NULL, t): 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_compute_period('2024-01-01', NULL)$$, '22004', NULL, 'invoice_compute_period(t, NULL): 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_compute_period(NULL, NULL)$$, '22004', NULL, 'invoice_compute_period(NULL, NULL): 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_issue_period(NULL, '2024-02-01')$$, '22004', NULL, 'invoice_issue_period(NULL, t): 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_issue_period('2024-01-01', NULL)$$, '22004', NULL, 'invoice_issue_period(t, NULL): 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_issue_period(NULL, NULL)$$, '22004', NULL, 'invoice_issue_period(NULL, NULL): 22004');
SELECT is(invoice.invoice_compute_period('2024-02-01', '2024-01-01'), 0::bigint, 'invoice_compute_period with an inverted range: 0');
SELECT is(invoice.invoice_issue_period('2024-02-01', '2024-01-01'), 0::bigint, 'invoice_issue_period with an inverted range: 0');
SELECT is((SELECT status FROM invoice.invoices WHERE id = 'tf-draft'), 'draft', 'and tf-draft is still a draft');
SELECT pg_temp.refused($$SELECT invoice.invoice_compute_period('garbage', '2024-01-01')$$, '22007', NULL,
                       'invoice_compute_period(''garbage'', t): 22007');

-- CHECK constraints ------------------------------------------------------------------------------

SELECT pg_temp.refused(format($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency)
                                 VALUES ('tf-org', 'tf-new', '2024-01-01', '2024-02-01', %L)$$, c), '23514', NULL,
                       format('currency %L is refused (23514)', c))
  FROM unnest(ARRAY['usd', 'US', 'USDX', 'U$D', '']) AS c;
SELECT lives_ok($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency)
                  VALUES ('tf-org', 'tf-inr', '2024-01-01', '2024-02-01', 'INR')$$, 'currency INR is accepted');
SELECT pg_temp.refused($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end)
                         VALUES ('tf-org', 'tf-new', '2024-02-01', '2024-02-01')$$, '23514', NULL, 'period_end = period_start is refused (23514)');
SELECT pg_temp.refused($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end)
                         VALUES ('tf-org', 'tf-new', '2024-02-01', '2024-01-01')$$, '23514', NULL, 'period_end < period_start is refused (23514)');
SELECT pg_temp.refused($$UPDATE invoice.invoices SET period_end = period_start WHERE id = 'tf-draft'$$, '23514', NULL,
                       'updating a draft to an empty period is refused (23514)');
SELECT pg_temp.refused($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date)
                         VALUES ('tf-org', 'tf-new', '2024-01-01', '2024-02-01', '2024-02-01', '2024-01-31')$$, '23514', NULL,
                       'due_date before invoice_date is refused (23514)');
SELECT pg_temp.refused(format($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end, tax_rate)
                                 VALUES ('tf-org', 'tf-new', '2024-01-01', '2024-02-01', %s)$$, r), '23514', NULL,
                       format('invoice tax_rate %s is refused (23514)', r))
  FROM unnest(ARRAY['101', '-1', '100.000001', '12.1234567']) AS r;
SELECT pg_temp.refused($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end)
                         VALUES ('tf-org', 'bad id!', '2024-01-01', '2024-02-01')$$, '23514', NULL, 'an id with a space and ! is refused (23514)');
SELECT pg_temp.refused($$INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end)
                         VALUES ('tf-org', 'tf-new', 'TOOLONG', '2024-01-01', '2024-02-01')$$, '23514', NULL, 'a 7-character series is refused (23514)');
SELECT pg_temp.refused($$INSERT INTO invoice.invoices (org_id, id, period_start, period_end)
                         VALUES ('tf-nobody', 'tf-new', '2024-01-01', '2024-02-01')$$, '23503', NULL, 'an invoice of an unknown organisation is refused (23503)');

SELECT pg_temp.refused(format($$INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, amount, tax_rate, hsn_sac)
                                 VALUES ('tf-org', 'tf-draft', %s)$$, v), '23514', NULL, format('line item (%s) is refused (23514)', v))
  FROM unnest(ARRAY[$$'x', -1, 1, NULL, NULL, NULL$$,            -- negative units
                    $$'x', 1, -0.01, NULL, NULL, NULL$$,         -- negative rate
                    $$'x', 1, 0, '-1.00', NULL, NULL$$,          -- negative amount
                    $$'x', 1, 1, NULL, 101, NULL$$,              -- line tax rate 101
                    $$'x', 1, 1, NULL, -0.5, NULL$$,             -- negative line tax rate
                    $$'x', 1, 1, NULL, NULL, '12345'$$,          -- 5-digit HSN/SAC
                    $$'x', 1, 1, NULL, NULL, '1234567'$$,        -- 7-digit HSN/SAC
                    $$'x', 1, 1, NULL, NULL, 'abcd'$$,           -- letters
                    $$'   ', 1, 1, NULL, NULL, NULL$$]) AS v;    -- blank description
SELECT lives_ok($$INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, hsn_sac)
                  VALUES ('tf-org', 'tf-draft', 'a', 1, 1, '9983'), ('tf-org', 'tf-draft', 'b', 1, 1, '998314'),
                         ('tf-org', 'tf-draft', 'c', 1, 1, '99831400')$$, 'HSN/SAC codes of 4, 6 and 8 digits are accepted');
SELECT pg_temp.refused($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
                         VALUES ('tf-org2', 'tf-draft', 'x', '1.00')$$, '23503', NULL,
                       'a line pointing at another organisation''s invoice id is refused (23503)');
SELECT pg_temp.refused($$INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('tf-org', 'tf-draft', '0', 'C')$$,
                       '23514', NULL, 'a credit of 0 is refused (23514)');
SELECT pg_temp.refused($$INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('tf-org', 'tf-draft', '-1.00', 'C')$$,
                       '23514', NULL, 'a negative credit is refused (23514)');
SELECT pg_temp.refused($$INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('tf-org', 'tf-draft', '1.00', ' ')$$,
                       '23514', NULL, 'a credit with a blank code is refused (23514)');
SELECT pg_temp.refused($$INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)
                         VALUES ('tf-org', 'tf-pend2', '0', 'card', 'tf-zero')$$, '23514', NULL, 'a direct payment of 0 is refused (23514)');
SELECT pg_temp.refused($$INSERT INTO invoice.orgs (org_id, name) VALUES ('bad org', 'x')$$, '23514', NULL, 'an org id with a space is refused (23514)');
SELECT pg_temp.refused($$INSERT INTO invoice.orgs (org_id, name) VALUES ('tf-org3', ' ')$$, '23514', NULL, 'a blank org name is refused (23514)');
SELECT pg_temp.refused($$INSERT INTO invoice.orgs (org_id, name, payment_terms_days) VALUES ('tf-org3', 'x', 366)$$, '23514', NULL,
                       'payment terms of 366 days are refused (23514)');

-- Scale-out rule: every key includes org_id -----------------------------------------------------------

-- Reference tables hold no organisation's data (README "Decisions"): the supplier's own
-- numbering counters, its registration, the GST rate table, the price book
-- (invoice.reference_tables()) and the API's cursor secret.  An organisation table may
-- refer to a reference table (a negotiated price to its product) without org_id.
CREATE TEMP VIEW org_tables AS
    SELECT c.oid, c.relname FROM pg_class c
     WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind IN ('r', 'p')
       AND c.oid <> ALL (invoice.reference_tables()) AND c.relname <> 'api_secret';
SELECT cmp_ok((SELECT count(*) FROM org_tables), '>=', 6::bigint, 'the invoice schema has at least six organisation tables');
SELECT is((SELECT array_agg(t.relname::text ORDER BY t.relname) FROM org_tables t
            WHERE NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = 'org_id'
                                                          AND a.attnotnull AND NOT a.attisdropped)),
          NULL, 'every table but the reference tables has a NOT NULL org_id column');
SELECT is((SELECT array_agg(con.conname::text ORDER BY con.conname)
             FROM pg_constraint con JOIN org_tables t ON t.oid = con.conrelid
            WHERE con.contype IN ('p', 'u', 'f', 'x')
              AND NOT (con.contype = 'f' AND con.confrelid = ANY (invoice.reference_tables()))
              AND NOT (SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = 'org_id') = ANY (con.conkey)),
          NULL, 'every primary key, unique, exclusion and foreign key constraint includes org_id');
SELECT is((SELECT array_agg(con.conname::text ORDER BY con.conname)
             FROM pg_constraint con JOIN org_tables t ON t.oid = con.conrelid
            WHERE con.contype = 'f' AND con.confrelid <> ALL (invoice.reference_tables())
              AND NOT EXISTS (SELECT FROM unnest(con.conkey, con.confkey) AS k(col, refcol)
                               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.col AND a.attname = 'org_id'
                               JOIN pg_attribute r ON r.attrelid = con.confrelid AND r.attnum = k.refcol AND r.attname = 'org_id')),
          NULL, 'every foreign key matches org_id to the referenced org_id');
SELECT is((SELECT array_agg(ic.relname::text ORDER BY ic.relname)
             FROM pg_index i JOIN org_tables t ON t.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
            WHERE i.indisunique
              AND NOT (SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = 'org_id') = ANY (i.indkey::int2[])),
          NULL, 'every unique index includes org_id');
SELECT is((SELECT array_agg(t.relname::text ORDER BY t.relname) FROM org_tables t
            WHERE NOT EXISTS (SELECT FROM pg_constraint con WHERE con.conrelid = t.oid AND con.contype = 'p')),
          '{usage_inbox}'::text[],
          'every organisation table has a primary key, but the usage inbox (README "Usage billing": COPY at a bare table''s speed)');
SELECT is((SELECT count(*) FROM pg_index i WHERE i.indrelid = 'invoice.usage_inbox'::regclass)
          + (SELECT count(*) FROM pg_trigger g WHERE g.tgrelid = 'invoice.usage_inbox'::regclass), 0::bigint,
          '... which has no index and no trigger at all: its rows enter usage_records through usage_ingest, keyed');
SELECT cmp_ok((SELECT count(*) FROM pg_constraint con JOIN org_tables t ON t.oid = con.conrelid WHERE con.contype = 'f'),
              '>=', 5::bigint, 'foreign keys were found (the checks above looked at something)');

SELECT * FROM finish();
ROLLBACK;
