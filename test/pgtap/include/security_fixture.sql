-- Shared fixture of the security_*.sql pgTAP files (included with \ir after plan()):
-- organisations, members, roles and grants as README's "Security model" wires them.

-- Fixtures: organisations sec-a and sec-b, and sec-c that nobody belongs to --------------
\o /dev/null

DELETE FROM invoice.supplier;
INSERT INTO invoice.supplier (legal_name, address, state_code) VALUES ('Security test supplier', 'Bengaluru', '29');
INSERT INTO invoice.orgs (org_id, name, autopay) VALUES
    ('sec-a', 'Org A', true), ('sec-b', 'Org B, secret name', true), ('sec-c', 'Org C', false);

-- pg_temp.invoice(org, id, description[, issue, invoice_date, due_date]):
-- one line of 100.00 and a credit of 5.00 (95.00 due), issued unless told not to
CREATE FUNCTION pg_temp.invoice(p_org text, p_id text, p_description text, p_issue boolean DEFAULT true,
                                p_invoice_date timestamptz DEFAULT NULL, p_due timestamptz DEFAULT NULL)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO invoice.invoices (org_id, id, series, description, period_start, period_end, invoice_date, due_date)
    VALUES (p_org, p_id, 'SEC', p_description, '2024-01-01', '2024-02-01', p_invoice_date, p_due);
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
    VALUES (p_org, p_id, p_description || ' line', '100.00');
    INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES (p_org, p_id, '5.00', 'WELCOME');
    IF p_issue THEN
        PERFORM invoice.invoice_issue(p_id);
    END IF;
    RETURN p_id;
END $$;

-- pg_temp.note(invoice): an issued credit note of 10.00 on it; returns its id
CREATE FUNCTION pg_temp.note(p_invoice text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n invoice.credit_notes := invoice.credit_note_create(p_invoice, 'other', 'goodwill');
BEGIN
    INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount)
    VALUES (n.org_id, n.credit_note_id, 'goodwill', '10.00');
    PERFORM invoice.credit_note_issue(n.credit_note_id);
    RETURN n.credit_note_id;
END $$;

-- Every table of organisation data gets rows of both A and B (B more of each, so
-- that a count of B's rows is never mistaken for A's): invoices with lines and
-- credits, payments, a credit note, top-ups (receipts, ledger), auto-pay
-- requests (autopay is on), an overdue invoice with its reminder.
SELECT pg_temp.invoice('sec-a', id, 'alpha ' || id)
  FROM unnest('{sa-paid,sa-open,sa-noted,sa-c1,sa-c2,sa-c3,sa-d1,sa-d2,sa-d3}'::text[]) id;
SELECT pg_temp.invoice('sec-a', 'sa-draft', 'alpha draft', false);
SELECT pg_temp.invoice('sec-a', 'sa-late', 'alpha late', true, '2024-02-01', '2024-02-15');
SELECT pg_temp.invoice('sec-b', id, 'bravo ' || id)
  FROM unnest('{sb-paid,sb-open,sb-noted,sb-1,sb-2,sb-3,sb-4,sb-5,sb-6,sb-7,sb-8}'::text[]) id;
SELECT pg_temp.invoice('sec-b', 'sb-draft', 'bravo draft', false);
SELECT pg_temp.invoice('sec-b', 'sb-late', 'bravo late', true, '2024-02-01', '2024-02-15');
SELECT pg_temp.invoice('sec-c', 'sc-open', 'charlie open');
-- an id two organisations use (custom ids may collide; generated ones never do): B's issued, A's a draft
SELECT pg_temp.invoice('sec-b', 'sec-twin', 'bravo twin');
SELECT pg_temp.invoice('sec-a', 'sec-twin', 'alpha twin', false);

SELECT invoice.invoice_pay('sa-paid', '95.00', 'upi', 'sec-pay-a');
SELECT invoice.invoice_pay('sb-paid', '95.00', 'upi', 'sec-pay-b');
SELECT invoice.invoice_pay('sb-open', '10.00', 'card', 'sec-pay-b2');
SELECT invoice.invoice_topup('sec-a', '50.00', 'upi', 'sec-top-a');
SELECT invoice.invoice_topup('sec-b', '70.00', 'upi', 'sec-top-b');
SELECT invoice.invoice_topup('sec-b', '20.00', 'upi', 'sec-top-b2');
SELECT invoice.invoice_sweep_overdue(invoice.clock());
SELECT pg_temp.note('sa-noted') AS note_a, pg_temp.note('sb-noted') AS note_b \gset
-- IRP answers, written directly (the matrix needs rows of both; test/pgtap/einvoice.sql
-- tests invoice_einvoice_record and what it requires)
INSERT INTO invoice.einvoices (org_id, invoice_id, irn, ack_no, ack_date, signed_qr_code) VALUES
    ('sec-a', 'sa-paid', repeat('a1', 32), 1, '2024-02-01', 'aGVhZA.YQ.c2ln'),
    ('sec-b', 'sb-paid', repeat('b1', 32), 2, '2024-02-01', 'aGVhZA.Yg.c2ln'),
    ('sec-b', 'sb-open', repeat('b2', 32), 3, '2024-02-01', 'aGVhZA.Yw.c2ln');
SELECT max(receipt_id) FILTER (WHERE org_id = 'sec-a') AS receipt_a,
       max(receipt_id) FILTER (WHERE org_id = 'sec-b') AS receipt_b FROM invoice.receipts \gset
-- usage: negotiated prices, records, and the generated invoices' register (pointing at drafts and an issued invoice)
INSERT INTO invoice.products (product_id, product_name, unit, currency) VALUES ('sec-egress', 'Security egress', 'GB', 'USD');
INSERT INTO invoice.prices (product_id, effective_from, model, rate) VALUES ('sec-egress', '2024-01-01', 'per_unit', 0.1);
INSERT INTO invoice.org_prices (org_id, product_id, effective_from, model, rate) VALUES
    ('sec-a', 'sec-egress', '2024-01-01', 'per_unit', 0.09), ('sec-b', 'sec-egress', '2024-01-01', 'per_unit', 0.08),
    ('sec-b', 'sec-egress', '2024-06-01', 'per_unit', 0.07);
INSERT INTO invoice.usage_records (org_id, idempotency_key, product_name, quantity, usage_start, usage_end) VALUES
    ('sec-a', 'ua-1', 'Security egress', 1, '2024-03-01', '2024-03-02'),
    ('sec-b', 'ub-1', 'Security egress', 2, '2024-03-01', '2024-03-02'),
    ('sec-b', 'ub-2', 'Security egress', 3, '2024-03-02', '2024-03-03');
INSERT INTO invoice.usage_invoices (org_id, currency, period_start, period_end, invoice_id) VALUES
    ('sec-a', 'USD', '2024-01-01', '2024-02-01', 'sa-draft'), ('sec-b', 'USD', '2024-01-01', '2024-02-01', 'sb-draft'),
    ('sec-b', 'USD', '2024-02-01', '2024-03-01', 'sb-late');
INSERT INTO invoice.usage_billing_days (org_id, billing_day) VALUES ('sec-a', 5), ('sec-b', 20);
-- the usage inbox: a row of each organisation, parked (no ingest or generation takes it)
INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, quantity, usage_start, usage_end, reason) VALUES
    ('sec-a', 'ua-parked', 'Nothing', 1, '2024-03-01', '2024-03-02', 'unknown product'),
    ('sec-b', 'ub-parked', 'Nothing', 2, '2024-03-01', '2024-03-02', 'unknown product');

-- The tables that hold an organisation's data (README "Security model").
CREATE TEMP TABLE org_tables (ord int, t text);
INSERT INTO org_tables VALUES (1, 'orgs'), (2, 'invoices'), (3, 'line_items'), (4, 'credits'), (5, 'payments'),
    (6, 'status_history'), (7, 'reminders'), (8, 'receipts'), (9, 'advance_ledger'), (10, 'payment_requests'),
    (11, 'credit_notes'), (12, 'credit_note_lines'), (13, 'members'), (14, 'search_signatures'),
    (15, 'org_prices'), (16, 'usage_records'), (17, 'usage_invoices'), (18, 'einvoices'), (19, 'usage_billing_days'),
    (20, 'usage_inbox');
\o

-- Roles: cluster-wide, so named uniquely for this run; created in this
-- transaction and gone with its ROLLBACK.  Wired as README "Security model"
-- says: the grants go to a group role, the memberships to invoice.members.
SELECT 'sec_' || substr(md5(random()::text || clock_timestamp()::text), 1, 8) AS tag \gset
SELECT :'tag' || '_owner_a' AS owner_a, :'tag' || '_badmin_a' AS badmin_a, :'tag' || '_viewer_a' AS viewer_a,
       :'tag' || '_outsider' AS outsider, :'tag' || '_owner_b' AS owner_b, :'tag' || '_admin' AS admin,
       :'tag' || '_members' AS members \gset
CREATE ROLE :"members" NOLOGIN;
CREATE ROLE :"owner_a" NOLOGIN IN ROLE :"members";
CREATE ROLE :"badmin_a" NOLOGIN IN ROLE :"members";
CREATE ROLE :"viewer_a" NOLOGIN IN ROLE :"members";
CREATE ROLE :"outsider" NOLOGIN IN ROLE :"members";
CREATE ROLE :"owner_b" NOLOGIN IN ROLE :"members";
CREATE ROLE :"admin" NOLOGIN BYPASSRLS;
INSERT INTO invoice.members (org_id, member, role) VALUES
    ('sec-a', :'owner_a', 'owner'), ('sec-a', :'badmin_a', 'billing_admin'), ('sec-a', :'viewer_a', 'viewer'),
    ('sec-b', :'owner_b', 'owner');
GRANT USAGE ON SCHEMA invoice TO :"members";
GRANT SELECT ON invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits, invoice.payments,
                invoice.status_history, invoice.reminders, invoice.receipts, invoice.advance_ledger,
                invoice.payment_requests, invoice.credit_notes, invoice.credit_note_lines, invoice.members,
                invoice.search_signatures, invoice.usage_records, invoice.usage_invoices, invoice.usage_record_invoices, invoice.usage_billing_days,
                invoice.org_prices, invoice.einvoices, invoice.usage_inbox,
                invoice.supplier, invoice.gst_rates, invoice.products, invoice.prices,
                invoice.invoice_list_json, invoice.invoice_describe_json, invoice.invoice_csv,
                invoice.billing_v3_invoice_json
   TO :"members";
GRANT EXECUTE ON FUNCTION invoice.invoice_pay(text, cents, text, text), invoice.invoice_cancel(text, text),
                          invoice.invoice_dispute(text, text), invoice.invoice_topup(text, cents, text, text),
                          invoice.invoice_list(text, integer, integer, text, timestamptz, timestamptz, text),
                          invoice.invoice_describe(text), invoice.invoice_summary(text),
                          invoice.invoice_csv(text, text, timestamptz, timestamptz, text),
                          invoice.billing_v3_invoices(text, timestamptz, timestamptz, integer, text),
                          invoice.billing_v3_invoice(text), invoice.api_get(text, json),
                          invoice.invoice_tax_lines(text), invoice.invoice_tax_summary(text),
                          invoice.invoice_pdf(text), invoice.invoice_pdf_zip(text[]),
                          invoice.credit_note_pdf(text), invoice.receipt_pdf(text, bigint)
   TO :"members";
-- a billing administrator: BYPASSRLS, and the privileges to use it
GRANT USAGE ON SCHEMA invoice TO :"admin";
GRANT ALL ON ALL TABLES IN SCHEMA invoice TO :"admin";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA invoice TO :"admin";

-- pg_temp.outcome(role, sql): what sql (one value, as text) answers when run as
-- role — SET LOCAL ROLE, so with that role's privileges and row-level security —
-- or its error in full: 'ERROR SQLSTATE: message[ DETAIL: …][ HINT: …]'.
CREATE FUNCTION pg_temp.outcome(r name, sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    answer text;
    st text;
    msg text;
    det text;
    hin text;
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', r);
    IF sql ~* '^\s*(SELECT|WITH|VALUES|TABLE)\M' THEN
        EXECUTE sql INTO answer;
    ELSE
        EXECUTE sql;            -- INSERT, UPDATE, DELETE, TRUNCATE
        answer := 'done';
    END IF;
    RESET ROLE;
    RETURN coalesce(answer, '(null)');
EXCEPTION WHEN OTHERS THEN
    -- the subtransaction's rollback has undone the SET ROLE
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hin = PG_EXCEPTION_HINT;
    -- (no NULLIF and no =: security_search_path.sql shadows = for text)
    RETURN 'ERROR ' || st || ': ' || msg || CASE WHEN det <> '' THEN ' DETAIL: ' || det ELSE '' END
           || CASE WHEN hin <> '' THEN ' HINT: ' || hin ELSE '' END;
END $$;
-- pg_temp.state(role, sql): 'ok', or the SQLSTATE sql fails with as role
CREATE FUNCTION pg_temp.state(r name, sql text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN o LIKE 'ERROR %' THEN substr(o, 7, 5) ELSE 'ok' END FROM pg_temp.outcome(r, sql) o
$$;
