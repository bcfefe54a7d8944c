-- JSON API: List / Describe Invoices (SPEC §4), filters and search, summary, CSV export
--
-- List and Describe are C (src/json_api.c): plans kept per backend and
-- documents written straight from the rows (src/json_write.c).  The
-- filters are SQL, invoice_matches, which the list and the CSV export
-- share; SQL bodies are SQL-standard, so that names and operators are bound
-- when the extension is created, whatever the caller's search_path.
-- Everything returns json, not jsonb, so that keys come out in the seeds'
-- order.

-- json api helpers

CREATE FUNCTION invoice.json_time(ts timestamptz) RETURNS text
    AS 'MODULE_PATHNAME', 'invoice_json_time' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.json_time(timestamptz)
    IS 'a timestamp as the JSON shapes carry it: 2024-02-01T00:00:00Z, in UTC whatever the TimeZone setting, whole seconds (truncated); NULL for NULL and ±infinity';

CREATE FUNCTION invoice.status_label(status invoice.status) RETURNS text
    AS 'MODULE_PATHNAME', 'invoice_status_label' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.status_label(invoice.status)
    IS 'a status as the List/Describe shapes name it: pending is "unpaid" (as in the seed), the others keep their label';

CREATE FUNCTION invoice.status_filter(status text) RETURNS invoice.status
    AS 'MODULE_PATHNAME', 'invoice_status_filter' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.status_filter(text)
    IS 'the status a filter argument names: a label of invoice.status or "unpaid" (= pending), in any case; NULL for NULL or blank; 22P02 for anything else';

CREATE FUNCTION invoice.invoice_filter_args(org_id text, date_from timestamptz, date_to timestamptz) RETURNS boolean
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.invoice_filter_args(text, timestamptz, timestamptz)
    IS 'true, or the error for arguments no invoice filter takes: a NULL organisation (22004), date_to not later than date_from (22023)';

-- json api documents

CREATE FUNCTION invoice.invoice_list_item(i invoice.invoices) RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION invoice.invoice_list_item(invoice.invoices)
    IS 'an invoice as List Invoices shows it: the seed''s 16 keys in its order, amounts in integer cents';

-- json api filters

-- The list's scan: an index-only range of one organisation, newest first,
-- that the status and date filters and the search's hashed id set read
-- without visiting the heap.
CREATE INDEX invoices_list_idx ON invoice.invoices (org_id, invoice_date DESC, id) INCLUDE (status);
COMMENT ON INDEX invoice.invoices_list_idx IS 'List Invoices: an organisation''s invoices newest first, filtered by status and date index-only';

CREATE FUNCTION invoice.invoice_matches(org_id text, status invoice.status, date_from timestamptz,
                                        date_to timestamptz, search text)
    RETURNS SETOF invoice.invoices
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    -- Inlined into its callers.  member_of, a one-time filter, refuses an
    -- organisation the caller may not see before any of its rows is read
    -- (the same work as for one that does not exist).  The search is tested invoice by invoice, in
    -- the database's default collation (that of the search signatures; the
    -- number column's own is "C"): callers that search restrict the
    -- invoices to search_candidates first.
    SELECT i.*
      FROM invoice.invoices i
     WHERE invoice.invoice_filter_args(invoice_matches.org_id, invoice_matches.date_from, invoice_matches.date_to)
       AND invoice.member_of(invoice_matches.org_id)
       AND i.org_id = invoice_matches.org_id
       AND (invoice_matches.status IS NULL OR i.status = invoice_matches.status)
       AND (invoice_matches.date_from IS NULL OR i.invoice_date >= invoice_matches.date_from)
       AND (invoice_matches.date_to IS NULL OR i.invoice_date < invoice_matches.date_to)
       AND (invoice_matches.search IS NULL
            OR invoice.text_icontains(i.number, invoice_matches.search COLLATE "default")
            OR invoice.text_icontains(i.description, invoice_matches.search COLLATE "default")
            OR EXISTS (SELECT
                         FROM invoice.line_items l
                        WHERE l.org_id = i.org_id AND l.invoice_id = i.id
                          AND invoice.text_icontains(l.description, invoice_matches.search COLLATE "default")));
END;
COMMENT ON FUNCTION invoice.invoice_matches(text, invoice.status, timestamptz, timestamptz, text)
    IS 'internal to the list and the CSV export: an organisation''s invoices of a status, with an invoice date in [date_from, date_to), whose number, description or any line item''s description contains the search term (text_icontains); NULL filters nothing';

-- json api functions

CREATE FUNCTION invoice.invoice_list(org_id text, page integer DEFAULT 1, page_size integer DEFAULT 10,
                                     status text DEFAULT NULL, date_from timestamptz DEFAULT NULL,
                                     date_to timestamptz DEFAULT NULL, search text DEFAULT NULL)
    RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.invoice_list(text, integer, integer, text, timestamptz, timestamptz, text)
    IS 'List Invoices: {"code":0,"data":{"count","currentPage","pageSize","invoices":[…]}}, newest invoice date first (drafts without one lead); count is how many pass the filters';

CREATE FUNCTION invoice.invoice_describe_data(org_id text, id text) RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.invoice_describe_data(text, text)
    IS 'an invoice as Describe Invoice shows it: the 16 list keys, then number, description, taxRate, issuedAt, paidAt, cancelledAt, statusReason, lineItems, credits, payments, statusHistory; NULL when there is no such invoice';

CREATE VIEW invoice.invoice_list_json WITH (security_invoker = true) AS
SELECT i.org_id, i.id, i.status, i.invoice_date, invoice.invoice_list_item(i)::jsonb AS doc
  FROM invoice.invoices i;
COMMENT ON VIEW invoice.invoice_list_json IS 'one row per invoice: org_id, id, status, invoice_date and doc, its List Invoices item (jsonb)';

CREATE VIEW invoice.invoice_describe_json WITH (security_invoker = true) AS
SELECT i.org_id, i.id, i.status, i.invoice_date, invoice.invoice_describe_data(i.org_id, i.id)::jsonb AS doc
  FROM invoice.invoices i;
COMMENT ON VIEW invoice.invoice_describe_json IS 'one row per invoice: org_id, id, status, invoice_date and doc, its Describe Invoice data (jsonb)';

CREATE FUNCTION invoice.invoice_describe(id text) RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.invoice_describe(text)
    IS 'Describe Invoice: {"code":0,"data":{…}}, the 16 list keys then line items, credits, payments and status history; 22004 for NULL, P0002 for an unknown id';

CREATE FUNCTION invoice.invoice_summary(org_id text) RETURNS json
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.invoice_summary(text)
    IS 'invoice totals of an organisation in integer cents: totalPaid (total of paid invoices), totalPending and totalOverdue (amount due of unpaid and overdue invoices), their counts, and the same per currency';

-- json api csv export

CREATE VIEW invoice.invoice_csv WITH (security_invoker = true) AS
SELECT i.org_id, i.id, i.number, i.description, i.status,
       invoice.json_time(i.period_start) COLLATE "C" AS period_start,
       invoice.json_time(i.period_end) COLLATE "C" AS period_end,
       invoice.json_time(i.invoice_date) COLLATE "C" AS invoice_date,
       invoice.json_time(i.due_date) COLLATE "C" AS due_date,
       invoice.json_time(i.paid_at) COLLATE "C" AS paid_at,
       i.currency, i.tax_rate,
       i.usage_amount::numeric AS usage_amount,
       i.credits_applied::numeric AS credits_applied,
       i.subtotal::numeric AS subtotal,
       i.tax::numeric AS tax,
       i.total::numeric AS total,
       i.already_billed_amount::numeric AS already_billed_amount,
       i.advance_pay_amount::numeric AS advance_pay_amount,
       i.amount_due::numeric AS amount_due
  FROM invoice.invoices i;
COMMENT ON VIEW invoice.invoice_csv
    IS 'every invoice as a row of the CSV export: timestamps as 2024-02-01T00:00:00Z (UTC), amounts in major units (450.00)';

CREATE FUNCTION invoice.invoice_csv(org_id text, status text DEFAULT NULL, date_from timestamptz DEFAULT NULL,
                                    date_to timestamptz DEFAULT NULL, search text DEFAULT NULL)
    RETURNS SETOF invoice.invoice_csv
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    -- A search tests only the search candidates (a hashed set, built once).
    -- Ordered by the invoice date itself: the view's column is its text.
    SELECT c.*
      FROM invoice.invoice_matches(invoice_csv.org_id, (SELECT invoice.status_filter(invoice_csv.status)),
                                   invoice_csv.date_from, invoice_csv.date_to,
                                   (SELECT invoice.search_term(invoice_csv.search))) f
      JOIN invoice.invoice_csv c ON c.org_id = f.org_id AND c.id = f.id
     WHERE (SELECT invoice.search_term(invoice_csv.search)) IS NULL
        OR f.id IN (SELECT s.invoice_id
                      FROM invoice.search_candidates(invoice_csv.org_id, (SELECT invoice.search_term(invoice_csv.search))) s (invoice_id))
     ORDER BY f.invoice_date DESC, f.id;
END;
COMMENT ON FUNCTION invoice.invoice_csv(text, text, timestamptz, timestamptz, text)
    IS 'the CSV export of an organisation''s invoices, with the list''s filters and order: \copy (SELECT * FROM invoice.invoice_csv(''org'')) TO ''invoices.csv'' CSV HEADER';
