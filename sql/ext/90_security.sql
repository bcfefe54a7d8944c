-- security: organisation members, row-level security, who may call what (README "Security model")

CREATE TABLE invoice.members (
    org_id      text COLLATE "C" NOT NULL REFERENCES invoice.orgs (org_id) ON DELETE CASCADE,
    member      name NOT NULL,
    role        text NOT NULL CHECK (role IN ('owner', 'billing_admin', 'viewer')),
    created_at  timestamptz NOT NULL DEFAULT invoice.clock(),
    PRIMARY KEY (org_id, member)
);
CREATE INDEX members_member_idx ON invoice.members (member);
COMMENT ON TABLE invoice.members IS 'database roles that act for an organisation: owner and billing_admin read, pay, cancel, dispute and top up; viewer reads';
SELECT pg_catalog.pg_extension_config_dump('invoice.members', '');

CREATE FUNCTION invoice.acting_role() RETURNS name
    AS 'MODULE_PATHNAME', 'invoice_acting_role_name' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.acting_role() IS 'the role the extension acts for: current_user, and inside the extension''s functions that run as the tables'' owner, the role that called them';

ALTER TABLE invoice.status_history ALTER COLUMN changed_by SET DEFAULT invoice.acting_role();

CREATE FUNCTION invoice.member_orgs() RETURNS text[]
    AS 'MODULE_PATHNAME', 'invoice_member_orgs' LANGUAGE C STABLE PARALLEL SAFE;

COMMENT ON FUNCTION invoice.member_orgs() IS 'the organisations the acting role is a member of (what row-level security lets it see)';

-- Every table of an organisation's data: members see their organisations' rows; nobody but
-- the owner (and superusers, BYPASSRLS roles) writes directly — members act through the
-- functions below.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['orgs', 'invoices', 'line_items', 'credits', 'payments', 'status_history',
                             'reminders', 'receipts', 'advance_ledger', 'payment_requests',
                             'credit_notes', 'credit_note_lines', 'search_signatures',
                             'org_prices', 'usage_records', 'usage_invoices', 'usage_billing_days', 'usage_inbox']
    LOOP
        EXECUTE format('ALTER TABLE invoice.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY member_read ON invoice.%I FOR SELECT'
                       ' USING (org_id = ANY ((SELECT invoice.member_orgs())::text[]))', t);
        EXECUTE format('COMMENT ON POLICY member_read ON invoice.%I IS %L', t,
                       'members read the rows of their organisations');
    END LOOP;
END
$$;
-- The usage inbox is the one table members write to directly: an owner or billing_admin sends
-- its organisation's usage (INSERT; COPY is the administrators': PostgreSQL does not COPY into a
-- table whose row-level security applies to the caller) and may take back what usage_ingest
-- has not loaded; the rows it sends wait for usage_ingest (reason NULL).
CREATE FUNCTION invoice.member_manages(org_id text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'invoice_member_manages' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.member_manages(text)
    IS 'may the acting role write for the organisation: an owner or billing_admin member, or a billing administrator (the write policies of usage_inbox)';
CREATE POLICY member_send ON invoice.usage_inbox FOR INSERT
    WITH CHECK (reason IS NULL AND invoice.member_manages(org_id));
COMMENT ON POLICY member_send ON invoice.usage_inbox IS 'owners and billing_admins send their organisations'' usage, waiting for usage_ingest';
CREATE POLICY member_take_back ON invoice.usage_inbox FOR DELETE
    USING (invoice.member_manages(org_id));
COMMENT ON POLICY member_take_back ON invoice.usage_inbox IS 'owners and billing_admins delete their organisations'' rows not loaded yet (waiting or parked)';
ALTER TABLE invoice.members ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_memberships ON invoice.members FOR SELECT USING (member = invoice.acting_role());
COMMENT ON POLICY own_memberships ON invoice.members IS 'a role sees its own memberships';

-- Functions that write run with the rights of the tables' owner — they switch to them after
-- noting who called (src/security.c: the same effect as SECURITY DEFINER, with the caller known
-- exactly, even inside maintenance operations or another role's SECURITY DEFINER function) —
-- with a pinned search_path, and check the caller's membership themselves.
ALTER FUNCTION invoice.invoice_compute(text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_compute_period(timestamptz, timestamptz) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_issue(text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_issue_period(timestamptz, timestamptz) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_cancel(text, text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_pay(text, cents, text, text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_topup(text, cents, text, text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_sweep_overdue(timestamptz) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_sweep_overdue_batch(timestamptz, integer) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_dispute(text, text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_dispute_reject(text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.credit_note_create(text, text, text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.credit_note_issue(text, date) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_generate(timestamptz, timestamptz, text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_generate_on_node(text, timestamptz, timestamptz) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.invoice_generate_due(timestamptz, timestamptz) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.usage_ingest(text) SET search_path = pg_catalog, invoice, pg_temp;
ALTER FUNCTION invoice.usage_ingest_on_node(text, boolean) SET search_path = pg_catalog, invoice, pg_temp;

-- Nothing to PUBLIC that it does not need: the functions of the cents and gstin types stay
-- executable by everyone (the administrator grants USAGE on the schema to who may use them);
-- the billing functions, triggers and tables are granted by the administrator (README).
REVOKE ALL ON ALL TABLES IN SCHEMA invoice FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION
    invoice.invoice_compute(text), invoice.invoice_compute_period(timestamptz, timestamptz), invoice.search_rebuild(text),
    invoice.invoice_issue(text), invoice.invoice_issue_period(timestamptz, timestamptz),
    invoice.invoice_cancel(text, text), invoice.invoice_pay(text, cents, text, text),
    invoice.invoice_topup(text, cents, text, text),
    invoice.invoice_sweep_overdue(timestamptz), invoice.invoice_sweep_overdue_batch(timestamptz, integer),
    invoice.invoice_dispute(text, text), invoice.invoice_dispute_reject(text),
    invoice.credit_note_create(text, text, text), invoice.credit_note_issue(text, date),
    invoice.line_item_amount(), invoice.invoice_children_changed(),
    invoice.invoice_before_insert(), invoice.invoice_before_update(), invoice.invoice_before_delete(),
    invoice.invoice_after_statement(), invoice.advance_ledger_changed(), invoice.advance_ledger_append_only(),
    invoice.org_balance_guard(), invoice.credit_note_guard(), invoice.credit_note_lines_guard(),
    invoice.invoice_place_of_supply_changed(), invoice.api_secret_replace(),
    invoice.invoice_generate(timestamptz, timestamptz, text), invoice.invoice_generate_on_node(text, timestamptz, timestamptz),
    invoice.invoice_generate_due(timestamptz, timestamptz),
    invoice.usage_generation_lock(text), invoice.usage_record_check(), invoice.usage_invoice_released(),
    invoice.usage_ingest(text), invoice.usage_ingest_on_node(text, boolean)
FROM PUBLIC;
