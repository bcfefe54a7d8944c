--
-- Security model (README "Security model"): organisation members, row-level
-- security, who may do what — a walk-through as the administrator who wires
-- it, then as the application acting for three members.  One transaction,
-- rolled back at the end (roles included: CREATE ROLE is transactional);
-- psql's ON_ERROR_ROLLBACK keeps it going past the refusals.
--
\set ON_ERROR_ROLLBACK on
BEGIN;
SET LOCAL TimeZone = 'UTC';
-- The administrator (here the superuser): two customers with invoices.
INSERT INTO invoice.orgs (org_id, name) VALUES ('walk-a', 'Acme'), ('walk-b', 'Bolt');
INSERT INTO invoice.invoices (org_id, id, description, period_start, period_end)
SELECT o, id, 'hosting', '2024-01-01', '2024-02-01'
  FROM (VALUES ('walk-a', 'wa-1'), ('walk-a', 'wa-2'), ('walk-a', 'wa-3'), ('walk-b', 'wb-1')) v(o, id);
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
SELECT org_id, id, 'hosting', '100.00' FROM invoice.invoices WHERE org_id IN ('walk-a', 'walk-b');
SELECT id, status FROM invoice.invoice_issue('wa-1');
SELECT id, status FROM invoice.invoice_issue('wa-2');
SELECT id, status FROM invoice.invoice_issue('wb-1');
-- Members are database roles; one group role carries the grants.
CREATE ROLE regress_invoice_members NOLOGIN;
CREATE ROLE regress_invoice_owner_a NOLOGIN IN ROLE regress_invoice_members;
CREATE ROLE regress_invoice_viewer_a NOLOGIN IN ROLE regress_invoice_members;
CREATE ROLE regress_invoice_owner_b NOLOGIN IN ROLE regress_invoice_members;
GRANT USAGE ON SCHEMA invoice TO regress_invoice_members;
GRANT SELECT ON invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits, invoice.payments,
                invoice.status_history, invoice.reminders, invoice.receipts, invoice.advance_ledger,
                invoice.payment_requests, invoice.credit_notes, invoice.credit_note_lines, invoice.members,
                invoice.supplier, invoice.gst_rates,
                invoice.invoice_list_json, invoice.invoice_describe_json, invoice.invoice_csv,
                invoice.billing_v3_invoice_json
   TO regress_invoice_members;
GRANT EXECUTE ON FUNCTION invoice.invoice_pay(text, cents, text, text), invoice.invoice_cancel(text, text),
                          invoice.invoice_dispute(text, text), invoice.invoice_topup(text, cents, text, text),
                          invoice.invoice_list(text, integer, integer, text, timestamptz, timestamptz, text),
                          invoice.invoice_describe(text), invoice.invoice_summary(text),
                          invoice.invoice_csv(text, text, timestamptz, timestamptz, text),
                          invoice.billing_v3_invoices(text, timestamptz, timestamptz, integer, text),
                          invoice.billing_v3_invoice(text), invoice.api_get(text, json),
                          invoice.invoice_tax_lines(text), invoice.invoice_tax_summary(text)
   TO regress_invoice_members;
-- What each may do is its row in invoice.members.
INSERT INTO invoice.members (org_id, member, role) VALUES
    ('walk-a', 'regress_invoice_owner_a', 'owner'),
    ('walk-a', 'regress_invoice_viewer_a', 'viewer'),
    ('walk-b', 'regress_invoice_owner_b', 'owner');
-- The application logs in as one pooled role that may become any member.
CREATE ROLE regress_invoice_app NOLOGIN;
GRANT regress_invoice_owner_a, regress_invoice_viewer_a, regress_invoice_owner_b TO regress_invoice_app;
-- As the application itself, it belongs to no organisation: it sees nothing.
SET ROLE regress_invoice_app;
SELECT invoice.acting_role(), invoice.member_orgs();
SELECT count(*) FROM invoice.invoices;
-- A request for Acme's owner: SET ROLE, the work, RESET ROLE.
SET ROLE regress_invoice_owner_a;
SELECT invoice.acting_role(), invoice.member_orgs();
SELECT org_id, id, status, amount_due FROM invoice.invoices ORDER BY id;
SELECT invoice.invoice_list('walk-a')->'data'->'count' AS acme, invoice.invoice_list('walk-b')->'data'->'count' AS bolt;
SELECT invoice.invoice_summary('walk-b');
-- Bolt's invoice "does not exist", word for word as an id nobody has.
SELECT invoice.invoice_describe('wb-1');
SELECT invoice.invoice_describe('wz-9');
SELECT invoice.api_get('/v2/invoices/wb-1');
SELECT invoice.invoice_pay('wb-1', '10.00', 'upi', 'walk-1');
-- Its own invoices it pays, cancels, disputes.
SELECT invoice_id, amount FROM invoice.invoice_pay('wa-1', '10.00', 'upi', 'walk-1');
SELECT id, status, amount_due FROM invoice.invoice_cancel('wa-2', 'ordered twice');
-- Never directly, and never what only billing administrators do.
UPDATE invoice.invoices SET status = 'paid' WHERE id = 'wa-1';
INSERT INTO invoice.members VALUES ('walk-b', 'regress_invoice_owner_a', 'owner');
SELECT invoice.invoice_issue('wa-3');
RESET ROLE;
-- A viewer reads, and may not pay.
SET ROLE regress_invoice_viewer_a;
SELECT count(*) FROM invoice.invoices;
SELECT invoice.invoice_pay('wa-1', '10.00', 'upi', 'walk-2');
RESET ROLE;
-- Bolt's owner sees Bolt's, and Acme's invoice does not exist for it.
SET ROLE regress_invoice_owner_b;
SELECT org_id, id, status FROM invoice.invoices ORDER BY id;
SELECT invoice.invoice_cancel('wa-1', 'not mine');
RESET ROLE;
-- The history names the member who acted, not the functions' owner.
SELECT invoice_id, from_status, to_status, changed_by, reason
  FROM invoice.status_history WHERE org_id = 'walk-a' AND reason = 'ordered twice';
-- A session variable decides nothing: any SQL the client sends could set
-- one, so the extension reads the role (which SET ROLE checks against the
-- login role's memberships), never a variable.
SET ROLE regress_invoice_owner_a;
SET app.org_id = 'walk-b';
SELECT invoice.member_orgs(), count(*) FROM invoice.invoices;
SET invoice.org_id = 'walk-b';
RESET ROLE;
ROLLBACK;
