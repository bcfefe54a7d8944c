
-- 61_billing_v3: a page is one C statement (billing_v3_page; a router query on Citus); get is C
CREATE FUNCTION invoice.billing_v3_page(customer_id text, after_start timestamptz, after_id text,
                                        page_size integer, billing_start_date timestamptz,
                                        billing_end_date timestamptz)
    RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.billing_v3_page(text, timestamptz, text, integer, timestamptz, timestamptz)
    IS 'internal to billing_v3_invoices: {"invoices": [the page], "next": {"period_start", "id"} of its last invoice when another follows, else null, "total"}; one statement over the organisation''s rows (a router query on Citus)';
CREATE OR REPLACE FUNCTION invoice.billing_v3_invoices(customer_id text, billing_start_date timestamptz DEFAULT NULL,
                                            billing_end_date timestamptz DEFAULT NULL,
                                            "limit" integer DEFAULT 100, cursor text DEFAULT NULL)
    RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, invoice, pg_temp
AS $$
-- billing_v3_cursor_open checks the arguments before anything is read and
-- says where the page starts; billing_v3_page reads it (the data: one
-- statement, src/billing_v3.c); the cursor of the next page is signed here,
-- where the secret is (on Citus, the coordinator).
WITH bound AS MATERIALIZED (
    SELECT b.after_start, b.after_id, b.page_size
      FROM invoice.billing_v3_cursor_open(customer_id, billing_start_date, billing_end_date, "limit", cursor) b
), page AS MATERIALIZED (
    SELECT invoice.billing_v3_page(customer_id, b.after_start, b.after_id, b.page_size,
                                   billing_start_date, billing_end_date) AS p
      FROM bound b
)
SELECT json_build_object(
    'invoices', (SELECT g.p -> 'invoices' FROM page g),
    'meta', json_build_object(
        'limit', (SELECT b.page_size FROM bound b),
        'next_cursor', COALESCE((SELECT invoice.billing_v3_cursor_make(customer_id, billing_start_date, billing_end_date,
                                                                       (g.p #>> '{next,period_start}')::timestamptz,
                                                                       g.p #>> '{next,id}')
                                   FROM page g
                                  WHERE g.p #>> '{next,id}' IS NOT NULL), ''),
        'sort', 'billing_start_date',
        'total', (SELECT (g.p ->> 'total')::bigint FROM page g)))
$$;
CREATE OR REPLACE FUNCTION invoice.billing_v3_invoice(invoice_id text) RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
