-- Billing v3: the CDN vendor's Invoices API shape (seed 002), with signed keyset cursors

-- api secret

-- One row: the key of the cursors' HMAC, made at CREATE EXTENSION.  Only the
-- extension's owner reads it (the cursor functions are SECURITY DEFINER).
-- pg_dump carries it, so cursors stay valid across a restore: the restore's
-- CREATE EXTENSION makes a fresh secret and the dumped row then replaces it.
CREATE TABLE invoice.api_secret (
    one         boolean PRIMARY KEY DEFAULT true CHECK (one),
    secret      bytea NOT NULL
                DEFAULT uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())
                     || uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid())
                CHECK (octet_length(secret) >= 32),
    created_at  timestamptz NOT NULL DEFAULT invoice.clock()
);
REVOKE ALL ON invoice.api_secret FROM PUBLIC;
COMMENT ON TABLE invoice.api_secret IS 'the HMAC key of Billing v3 cursors (one row, readable by the extension''s owner only); INSERT … DEFAULT VALUES replaces it and invalidates every outstanding cursor';
COMMENT ON COLUMN invoice.api_secret.secret IS '64 random bytes (four v4 UUIDs: 488 random bits) unless set otherwise; at least 32';

CREATE FUNCTION invoice.api_secret_replace() RETURNS trigger
    AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION invoice.api_secret_replace() IS 'trigger: a secret inserted replaces the one there was';
CREATE TRIGGER api_secret_replace BEFORE INSERT ON invoice.api_secret
    FOR EACH ROW EXECUTE FUNCTION invoice.api_secret_replace();
COMMENT ON TRIGGER api_secret_replace ON invoice.api_secret IS 'the table keeps one secret: the newest';
-- Also while a restore runs with session_replication_role = replica.
ALTER TABLE invoice.api_secret ENABLE ALWAYS TRIGGER api_secret_replace;

INSERT INTO invoice.api_secret DEFAULT VALUES;
SELECT pg_catalog.pg_extension_config_dump('invoice.api_secret', '');

-- billing v3 documents

-- Billing v3 lists issued invoices that stand: pending, overdue and paid.
-- Drafts are not posted yet, and cancelled invoices are void: the shape has
-- no status, so a client adding up monthly_transaction_amount would count
-- them as owed.
CREATE INDEX invoices_billing_v3_idx ON invoice.invoices (org_id, period_start, id)
    WHERE status IN ('pending', 'overdue', 'paid');
COMMENT ON INDEX invoice.invoices_billing_v3_idx IS 'Billing v3 pages (keyset on period_start, id) and their index-only total';

CREATE VIEW invoice.billing_v3_invoice_json WITH (security_invoker = true) AS
SELECT i.org_id, i.id, i.period_start,
       json_build_object(
           'invoice_id', i.id,
           'statement_number', i.number,
           'customer_id', i.org_id,
           'billing_start_date', to_char(i.period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'billing_end_date', to_char(i.period_end AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'invoice_posted_on', to_char(i.invoice_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'currency_code', i.currency,
           'monthly_transaction_amount', i.total::numeric,
           'transaction_line_items', COALESCE(li.items, '[]'::json)) AS doc
  FROM invoice.invoices i
 CROSS JOIN LATERAL (
       SELECT json_agg(json_build_object(
                  'ProductGroup', l.product_group,
                  'ProductLine', l.product_line,
                  'ProductName', l.product_name,
                  'Region', l.region,
                  'UsageType', l.usage_type,
                  'amount', l.amount::numeric,
                  'credit_coupon_code', l.credit_coupon_code,
                  'description', l.description,
                  'rate', l.rate,
                  'units', l.units) ORDER BY l.line_id) AS items
         FROM invoice.line_items l
        WHERE l.org_id = i.org_id AND l.invoice_id = i.id) li
 WHERE i.status IN ('pending', 'overdue', 'paid');
COMMENT ON VIEW invoice.billing_v3_invoice_json
    IS 'one row per Billing v3 invoice (pending, overdue, paid): org_id, id, period_start and doc, the invoice in the Billing v3 shape (json, keys in the seed''s order)';

-- billing v3 cursors

CREATE FUNCTION invoice.billing_v3_cursor_open(customer_id text, billing_start_date timestamptz,
                                               billing_end_date timestamptz, "limit" integer, cursor text,
                                               OUT after_start timestamptz, OUT after_id text, OUT page_size integer)
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE SECURITY DEFINER;
COMMENT ON FUNCTION invoice.billing_v3_cursor_open(text, timestamptz, timestamptz, integer, text)
    IS 'internal to billing_v3_invoices: checks its arguments and its cursor (22004, 22023) and returns the keyset position its page starts after';

CREATE FUNCTION invoice.billing_v3_cursor_make(customer_id text, billing_start_date timestamptz,
                                               billing_end_date timestamptz, period_start timestamptz, id text)
    RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE SECURITY DEFINER;
COMMENT ON FUNCTION invoice.billing_v3_cursor_make(text, timestamptz, timestamptz, timestamptz, text)
    IS 'internal to billing_v3_invoices: the signed cursor of the page after invoice (period_start, id) of a listing';

CREATE FUNCTION invoice.billing_v3_not_found(invoice_id text, matches bigint) RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.billing_v3_not_found(text, bigint)
    IS 'internal to billing_v3_invoice: raises its error for an id that is NULL (22004), unknown (P0002) or ambiguous (21000)';

-- billing v3 functions

CREATE FUNCTION invoice.billing_v3_invoices(customer_id text, billing_start_date timestamptz DEFAULT NULL,
                                            billing_end_date timestamptz DEFAULT NULL,
                                            "limit" integer DEFAULT 100, cursor text DEFAULT NULL)
    RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, invoice, pg_temp
AS $$
-- One plan: the page is an index range scan of invoices_billing_v3_idx from
-- the keyset position, stopped after limit + 1 rows (the extra row only tells
-- that a next page exists), with the line items of each of those invoices
-- aggregated beside it.  billing_v3_cursor_open checks the arguments before
-- anything is read: the scan and its LIMIT depend on what it returns.
-- member_of (one-time filters) refuses a customer the caller may not see
-- before its invoices are read, with the same work as an unknown one.
WITH bound AS MATERIALIZED (
    SELECT b.after_start, b.after_id, b.page_size
      FROM invoice.billing_v3_cursor_open(customer_id, billing_start_date, billing_end_date, "limit", cursor) b
), page AS (
    SELECT s.period_start, s.id, s.doc, row_number() OVER (ORDER BY s.period_start, s.id) AS n
      FROM (SELECT v.period_start, v.id, v.doc
              FROM invoice.billing_v3_invoice_json v
             WHERE v.org_id = customer_id
               AND invoice.member_of(customer_id)
               AND (v.period_start, v.id) > ((SELECT b.after_start FROM bound b), (SELECT b.after_id FROM bound b))
               AND v.period_start < COALESCE(billing_end_date, 'infinity')
             ORDER BY v.period_start, v.id
             LIMIT (SELECT b.page_size FROM bound b) + 1) s
)
SELECT json_build_object(
    'invoices', COALESCE((SELECT json_agg(p.doc ORDER BY p.n) FROM page p
                           WHERE p.n <= (SELECT b.page_size FROM bound b)), '[]'::json),
    'meta', json_build_object(
        'limit', (SELECT b.page_size FROM bound b),
        -- the last invoice shown, when another follows it
        'next_cursor', COALESCE((SELECT invoice.billing_v3_cursor_make(customer_id, billing_start_date, billing_end_date,
                                                                       p.period_start, p.id)
                                   FROM page p
                                  WHERE p.n = (SELECT b.page_size FROM bound b)
                                    AND EXISTS (SELECT FROM page q WHERE q.n > p.n)), ''),
        'sort', 'billing_start_date',
        -- an index-only count: the view's line items are not computed for it
        'total', (SELECT count(*) FROM invoice.billing_v3_invoice_json v
                   WHERE v.org_id = customer_id
                     AND invoice.member_of(customer_id)
                     AND v.period_start >= COALESCE(billing_start_date, '-infinity')
                     AND v.period_start < COALESCE(billing_end_date, 'infinity'))))
$$;
COMMENT ON FUNCTION invoice.billing_v3_invoices(text, timestamptz, timestamptz, integer, text)
    IS 'Billing v3 list: a customer''s invoices whose billing period starts in [billing_start_date, billing_end_date), by billing_start_date then id, limit (1-200) per page; pass meta.next_cursor for the next page ("" on the last)';

CREATE FUNCTION invoice.billing_v3_invoice(invoice_id text) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, invoice, pg_temp
AS $$
SELECT CASE WHEN f.matches = 1 THEN f.doc ELSE invoice.billing_v3_not_found(invoice_id, f.matches) END
  FROM (SELECT count(*) AS matches, (array_agg(v.doc))[1] AS doc
          FROM invoice.billing_v3_invoice_json v
         WHERE v.id = invoice_id) f
$$;
COMMENT ON FUNCTION invoice.billing_v3_invoice(text)
    IS 'Billing v3 get: one invoice with its line items; P0002 unless it is issued and pending, overdue or paid';
