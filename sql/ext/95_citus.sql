-- scale-out: the functions that do one organisation's work on its Citus node (README "Scale-out
-- with Citus").  CREATE OR REPLACE: this part is also the 0.1→0.2 upgrade's.

-- The work of the functions that write one organisation's invoices, on the node that holds
-- them: on a Citus coordinator the public function finds the invoice, checks access and locks
-- it, then runs SELECT invoice.<name>_on_node(o.org_id, …) FROM invoice.orgs o WHERE o.org_id = …,
-- a router query Citus sends whole to that node (src/shards.c).  Internal: owner only.
CREATE OR REPLACE FUNCTION invoice.invoice_compute_on_node(org_id text, id text) RETURNS invoice.invoices
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_compute_on_node(text, text)
    IS 'internal (Citus): invoice_compute''s work on the node of the organisation';
CREATE OR REPLACE FUNCTION invoice.invoice_issue_on_node(org_id text, id text, invoice_date timestamptz, number text)
    RETURNS invoice.invoices AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_issue_on_node(text, text, timestamptz, text)
    IS 'internal (Citus): invoice_issue''s work on the node of the organisation, with the number the coordinator took';
CREATE OR REPLACE FUNCTION invoice.invoice_pay_on_node(org_id text, id text, amount bigint, method text, provider_ref text)
    RETURNS invoice.payments AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_pay_on_node(text, text, bigint, text, text)
    IS 'internal (Citus): invoice_pay''s work on the node of the organisation';
CREATE OR REPLACE FUNCTION invoice.credit_note_issue_on_node(org_id text, credit_note_id text, note_date date, number text)
    RETURNS invoice.credit_notes AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.credit_note_issue_on_node(text, text, date, text)
    IS 'internal (Citus): credit_note_issue''s work on the node of the organisation, with the number the coordinator took';

-- The batch jobs, once per shard group: on a Citus coordinator the job runs
-- SELECT invoice.<job>_on_node(o.org_id, …) FROM invoice.orgs o WHERE o.org_id = …
-- for one organisation of each shard of orgs, and the node's work covers the whole
-- shard group (every organisation of the shard), in the caller's transaction.
CREATE OR REPLACE FUNCTION invoice.invoice_sweep_on_node(org_id text, as_of timestamptz, batch_size integer)
    RETURNS bigint AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_sweep_on_node(text, timestamptz, integer)
    IS 'internal (Citus): the overdue sweep of the shard group of the organisation, on its node (NULL batch size: every due invoice)';
CREATE OR REPLACE FUNCTION invoice.invoice_compute_period_on_node(org_id text, period_from timestamptz, period_to timestamptz)
    RETURNS bigint AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_compute_period_on_node(text, timestamptz, timestamptz)
    IS 'internal (Citus): invoice_compute_period''s recompute of the shard group of the organisation, on its node';
CREATE OR REPLACE FUNCTION invoice.search_rebuild_on_node(org_id text)
    RETURNS bigint AS 'MODULE_PATHNAME', 'invoice_search_rebuild_on_node' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.search_rebuild_on_node(text)
    IS 'internal (Citus): search_rebuild() of the shard group of the organisation, on its node';
CREATE OR REPLACE FUNCTION invoice.invoice_generate_group_on_node(org_id text, period_start timestamptz,
                                                                  period_end timestamptz, billing_day integer)
    RETURNS bigint AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_generate_group_on_node(text, timestamptz, timestamptz, integer)
    IS 'internal (Citus): invoice_generate of every organisation of the shard group of the organisation (whose billing day is billing_day; NULL: any), on its node';
REVOKE EXECUTE ON FUNCTION invoice.invoice_compute_on_node(text, text),
    invoice.invoice_issue_on_node(text, text, timestamptz, text),
    invoice.invoice_pay_on_node(text, text, bigint, text, text),
    invoice.credit_note_issue_on_node(text, text, date, text),
    invoice.invoice_sweep_on_node(text, timestamptz, integer),
    invoice.invoice_compute_period_on_node(text, timestamptz, timestamptz),
    invoice.search_rebuild_on_node(text),
    invoice.invoice_generate_group_on_node(text, timestamptz, timestamptz, integer) FROM PUBLIC;
