
-- 95_citus: the coordinator's new *_on_node functions (the table lists and distribute() are in
-- 96_distribute)
CREATE FUNCTION invoice.credit_note_issue_on_node(org_id text, credit_note_id text, note_date date, number text)
    RETURNS invoice.credit_notes AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.credit_note_issue_on_node(text, text, date, text)
    IS 'internal (Citus): credit_note_issue''s work on the node of the organisation, with the number the coordinator took';

-- The batch jobs, once per shard group: on a Citus coordinator the job runs
-- SELECT invoice.<job>_on_node(o.org_id, …) FROM invoice.orgs o WHERE o.org_id = …
-- for one organisation of each shard of orgs, and the node's work covers the whole
-- shard group (every organisation of the shard), in the caller's transaction.
CREATE FUNCTION invoice.invoice_sweep_on_node(org_id text, as_of timestamptz, batch_size integer)
    RETURNS bigint AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_sweep_on_node(text, timestamptz, integer)
    IS 'internal (Citus): the overdue sweep of the shard group of the organisation, on its node (NULL batch size: every due invoice)';
CREATE FUNCTION invoice.invoice_compute_period_on_node(org_id text, period_from timestamptz, period_to timestamptz)
    RETURNS bigint AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_compute_period_on_node(text, timestamptz, timestamptz)
    IS 'internal (Citus): invoice_compute_period''s recompute of the shard group of the organisation, on its node';
CREATE FUNCTION invoice.search_rebuild_on_node(org_id text)
    RETURNS bigint AS 'MODULE_PATHNAME', 'invoice_search_rebuild_on_node' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.search_rebuild_on_node(text)
    IS 'internal (Citus): search_rebuild() of the shard group of the organisation, on its node';
REVOKE EXECUTE ON FUNCTION invoice.credit_note_issue_on_node(text, text, date, text),
    invoice.invoice_sweep_on_node(text, timestamptz, integer),
    invoice.invoice_compute_period_on_node(text, timestamptz, timestamptz),
    invoice.search_rebuild_on_node(text) FROM PUBLIC;
