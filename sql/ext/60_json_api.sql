-- JSON API: List / Describe Invoices (SPEC §4), filters and search, summary, CSV export
--
-- List, Describe and the CSV export are C (src/json_api.c): plans kept per
-- backend, one filter pipeline for the list and the export, documents
-- written straight from the rows (src/json_write.c).  On Citus each runs on
-- the organisation's node.  SQL bodies are SQL-standard, so that names and
-- operators are bound when the extension is created, whatever the caller's
-- search_path.
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
    IS 'internal to the list and the CSV export: the status a filter argument names: a label of invoice.status or "unpaid" (= pending), in any case; NULL for NULL or blank; 22P02 for anything else';

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
       i.amount_due::numeric AS amount_due,
       i.round_off::numeric AS round_off
  FROM invoice.invoices i;
COMMENT ON VIEW invoice.invoice_csv
    IS 'every invoice as a row of the CSV export: timestamps as 2024-02-01T00:00:00Z (UTC), amounts in major units (450.00)';

CREATE FUNCTION invoice.invoice_csv(org_id text, status text DEFAULT NULL, date_from timestamptz DEFAULT NULL,
                                    date_to timestamptz DEFAULT NULL, search text DEFAULT NULL)
    RETURNS SETOF invoice.invoice_csv
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION invoice.invoice_csv(text, text, timestamptz, timestamptz, text)
    IS 'the CSV export of an organisation''s invoices, with the list''s filters and order: \copy (SELECT * FROM invoice.invoice_csv(''org'')) TO ''invoices.csv'' CSV HEADER';
