-- security: organisation members, row-level security, who may call what (README "Security model")

CREATE TABLE invoice.members (
    org_id      text COLLATE "C" NOT NULL REFERENCES invoice.orgs (org_id) ON DELETE CASCADE,
    member      name NOT NULL,
    role        text NOT NULL CHECK (role IN ('owner', 'billing_admin', 'viewer')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, member)
);
CREATE INDEX members_member_idx ON invoice.members (member);
COMMENT ON TABLE invoice.members IS 'database roles that act for an organisation: owner and billing_admin read, pay, cancel, dispute and top up; viewer reads';
SELECT pg_catalog.pg_extension_config_dump('invoice.members', '');

CREATE FUNCTION invoice.acting_role() RETURNS name
    AS 'MODULE_PATHNAME', 'invoice_acting_role_name' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.acting_role() IS 'the role the extension acts for: current_user as SET ROLE left it, also inside the extension''s SECURITY DEFINER functions';

ALTER TABLE invoice.status_history ALTER COLUMN changed_by SET DEFAULT invoice.acting_role();

CREATE FUNCTION invoice.member_orgs() RETURNS text[]
    LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
    SET search_path = pg_catalog, invoice, pg_temp
    RETURN (SELECT coalesce(array_agg(m.org_id), '{}') FROM invoice.members m WHERE m.member = invoice.acting_role());
COMMENT ON FUNCTION invoice.member_orgs() IS 'the organisations the acting role is a member of (what row-level security lets it see)';

-- Every table of an organisation's data: members see their organisations' rows; nobody but
-- the owner (and superusers, BYPASSRLS roles) writes directly — members act through the
-- SECURITY DEFINER functions below.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['orgs', 'invoices', 'line_items', 'credits', 'payments', 'status_history',
                             'reminders', 'receipts', 'advance_ledger', 'payment_requests',
                             'credit_notes', 'credit_note_lines']
    LOOP
        EXECUTE format('ALTER TABLE invoice.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY member_read ON invoice.%I FOR SELECT'
                       ' USING (org_id = ANY ((SELECT invoice.member_orgs())::text[]))', t);
        EXECUTE format('COMMENT ON POLICY member_read ON invoice.%I IS %L', t,
                       'members read the rows of their organisations');
    END LOOP;
END
$$;
ALTER TABLE invoice.members ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_memberships ON invoice.members FOR SELECT USING (member = invoice.acting_role());
COMMENT ON POLICY own_memberships ON invoice.members IS 'a role sees its own memberships';

-- Functions that write run as the extension's owner, with a pinned search_path, and check
-- the acting role's membership themselves (src/security.c).
ALTER FUNCTION invoice.invoice_compute(text) SECURITY DEFINER SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_compute_period(timestamptz, timestamptz) SECURITY DEFINER SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_issue(text) SECURITY DEFINER SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_issue_period(timestamptz, timestamptz) SECURITY DEFINER SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_cancel(text, text) SECURITY DEFINER SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_pay(text, invoice.cents, text, text) SECURITY DEFINER SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_topup(text, invoice.cents, text, text) SECURITY DEFINER SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_sweep_overdue(timestamptz) SECURITY DEFINER SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_sweep_overdue_batch(timestamptz, integer) SECURITY DEFINER SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_dispute(text, text) SECURITY DEFINER SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_dispute_reject(text) SECURITY DEFINER SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.credit_note_create(text, text, text) SECURITY DEFINER SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.credit_note_issue(text, date) SECURITY DEFINER SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_tax_lines(text) SECURITY DEFINER SET search_path = pg_catalog, invoice, pg_temp;

-- Nothing to PUBLIC that it does not need: the cents and gstin types stay usable by everyone;
-- the billing functions, triggers and tables are granted by the administrator (README).
REVOKE ALL ON ALL TABLES IN SCHEMA invoice FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION
    invoice.invoice_compute(text), invoice.invoice_compute_period(timestamptz, timestamptz),
    invoice.invoice_issue(text), invoice.invoice_issue_period(timestamptz, timestamptz),
    invoice.invoice_cancel(text, text), invoice.invoice_pay(text, invoice.cents, text, text),
    invoice.invoice_topup(text, invoice.cents, text, text),
    invoice.invoice_sweep_overdue(timestamptz), invoice.invoice_sweep_overdue_batch(timestamptz, integer),
    invoice.invoice_dispute(text, text), invoice.invoice_dispute_reject(text),
    invoice.credit_note_create(text, text, text), invoice.credit_note_issue(text, date),
    invoice.invoice_tax_lines(text),
    invoice.line_item_amount(), invoice.invoice_children_changed(),
    invoice.invoice_before_insert(), invoice.invoice_before_update(), invoice.invoice_before_delete(),
    invoice.invoice_after_statement(), invoice.advance_ledger_changed(), invoice.advance_ledger_append_only(),
    invoice.org_balance_guard(), invoice.credit_note_guard(), invoice.credit_note_lines_guard(),
    invoice.invoice_place_of_supply_changed()
FROM PUBLIC;
