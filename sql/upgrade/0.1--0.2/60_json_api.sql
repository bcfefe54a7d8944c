
-- 60_json_api: the CSV export is C (one filter pipeline with the list) and shows round_off;
-- invoice_matches and the SQL invoice_filter_args, which only the SQL export used, are gone
CREATE OR REPLACE VIEW invoice.invoice_csv WITH (security_invoker = true) AS
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
CREATE OR REPLACE FUNCTION invoice.invoice_csv(org_id text, status text DEFAULT NULL, date_from timestamptz DEFAULT NULL,
                                    date_to timestamptz DEFAULT NULL, search text DEFAULT NULL)
    RETURNS SETOF invoice.invoice_csv
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE ROWS 100;
DROP FUNCTION invoice.invoice_matches(text, invoice.status, timestamptz, timestamptz, text);
DROP FUNCTION invoice.invoice_filter_args(text, timestamptz, timestamptz);
COMMENT ON FUNCTION invoice.status_filter(text)
    IS 'internal to the list and the CSV export: the status a filter argument names: a label of invoice.status or "unpaid" (= pending), in any case; NULL for NULL or blank; 22P02 for anything else';
