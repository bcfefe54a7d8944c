-- search: what the list and the CSV export look for, and the per-invoice
-- signatures that let a search skip the invoices that cannot match
-- (src/search.c)

CREATE FUNCTION invoice.search_term(search text) RETURNS text
    AS 'MODULE_PATHNAME', 'invoice_search_term_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.search_term(text)
    IS 'internal to the list and the CSV export: what a search argument looks for: the text trimmed of spaces; NULL for NULL or blank';

CREATE FUNCTION invoice.text_icontains(haystack text, term text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'invoice_text_icontains' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.text_icontains(text, text)
    IS 'whether haystack contains term, case-insensitively: haystack ILIKE ''%'' || term || ''%'' with %, _ and \ in term taken literally (both lowered by lower() in the collation of the call)';

CREATE FUNCTION invoice.search_signature(texts text[]) RETURNS bytea
    AS 'MODULE_PATHNAME', 'invoice_search_signature' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.search_signature(text[])
    IS 'internal to the search: a 2048-bit Bloom filter of the byte trigrams of the texts, each lowered by lower() in the database''s default collation (NULL elements add nothing)';

CREATE FUNCTION invoice.search_signature_union(a bytea, b bytea) RETURNS bytea
    AS 'MODULE_PATHNAME', 'invoice_search_signature_union' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.search_signature_union(bytea, bytea)
    IS 'internal to the search: the signature of the texts of both signatures (NULL counts as no text); 22023 for a bytea that is not a signature';

CREATE FUNCTION invoice.search_may_contain(signature bytea, term text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'invoice_search_may_contain' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.search_may_contain(bytea, text)
    IS 'internal to the search: false when none of the texts a signature was made of can contain term (text_icontains); true when one may, and for a NULL signature or term, a term of fewer than 3 bytes or a term in another collation than the default; 22023 for a bytea that is not a signature';

-- One row per invoice, written by the triggers (src/search.c): a signature
-- only gains bits (a changed text or a deleted line leaves its trigrams),
-- so it always covers the invoice's texts; search_rebuild makes it exact.
CREATE TABLE invoice.search_signatures (
    org_id      text COLLATE "C" NOT NULL,
    invoice_id  text COLLATE "C" NOT NULL,
    signature   bytea NOT NULL,
    PRIMARY KEY (org_id, invoice_id) INCLUDE (signature),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE invoice.search_signatures
    IS 'internal to the search: per invoice, the signature of its number, its description and its lines'' descriptions (search_signature), read index-only by search_candidates';
SELECT pg_catalog.pg_extension_config_dump('invoice.search_signatures', '');

CREATE FUNCTION invoice.search_candidates(org_id text, search text) RETURNS SETOF text
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

CREATE FUNCTION invoice.search_rebuild(org_id text DEFAULT NULL) RETURNS bigint
    AS 'MODULE_PATHNAME', 'invoice_search_rebuild' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.search_rebuild(text)
    IS 'make the search signatures of an organisation''s invoices (NULL: of every organisation) exact again: after loading with triggers off (session_replication_role = replica) or after an upgrade of the collation library changed lower(); returns how many were written';
