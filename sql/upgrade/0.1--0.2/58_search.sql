
-- 58_search: search_candidates asks member_of first; search_rebuild is C (it runs per shard group on Citus)
CREATE OR REPLACE FUNCTION invoice.search_candidates(org_id text, search text) RETURNS SETOF text
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    -- Inlined into its callers: an index-only pass over the organisation's signatures,
    -- after member_of (a one-time filter) let the caller see the organisation.
    SELECT g.invoice_id
      FROM invoice.search_signatures g
     WHERE invoice.member_of(search_candidates.org_id)
       AND g.org_id = search_candidates.org_id
       AND invoice.search_may_contain(g.signature, search_candidates.search);
END;
COMMENT ON FUNCTION invoice.search_candidates(text, text)
    IS 'internal to the list and the CSV export: ids of the organisation''s invoices that may match the search term (every one that does, and some that do not: the list tests each)';
CREATE OR REPLACE FUNCTION invoice.search_rebuild(org_id text DEFAULT NULL) RETURNS bigint
    AS 'MODULE_PATHNAME', 'invoice_search_rebuild' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.search_term(text)
    IS 'internal to the list and the CSV export: what a search argument looks for: the text trimmed of spaces; NULL for NULL or blank';
