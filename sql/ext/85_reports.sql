-- reports: statements of account, receivables aging, revenue and collections, DSO, GSTR-1 data
-- (README "Statements and finance reports")
--
-- Everything here reads with the caller's rights: views are security_invoker and the
-- functions SECURITY INVOKER, so row-level security decides whose rows a report adds up.
-- A member sees its own organisations' figures; the supplier's finance role (members of
-- the role invoice_finance) reads every organisation's rows, read-only (the finance_read
-- policies below); billing administrators read everything anyway.  SQL bodies are
-- SQL-standard: names and operators are bound when the extension is created.
--
-- Dates: a statement, the aging and DSO date each document by when it took effect on the
-- account (issued_at, paid_at, the credit note's issued_at, received_at, cancelled_at);
-- revenue and GSTR-1 by the document's own date (invoice_date, note_date), in UTC.

-- reports: the finance role

CREATE FUNCTION invoice.finance_reader() RETURNS boolean
    AS 'MODULE_PATHNAME', 'invoice_finance_reader' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.finance_reader()
    IS 'does the acting role have the privileges of the role invoice_finance (the supplier''s finance team, who read every organisation''s rows)? false when that role does not exist';

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['orgs', 'invoices', 'line_items', 'credits', 'payments', 'status_history',
                             'receipts', 'advance_ledger', 'credit_notes', 'credit_note_lines']
    LOOP
        PERFORM invoice.table_ddl(format('invoice.%I', t)::regclass,   -- 06_table_ddl.sql
            format('DROP POLICY IF EXISTS finance_read ON invoice.%I', t),
            format('CREATE POLICY finance_read ON invoice.%I FOR SELECT USING (invoice.finance_reader())', t),
            format('COMMENT ON POLICY finance_read ON invoice.%I IS %L', t,
                   'the supplier''s finance role (members of invoice_finance) reads every organisation''s rows'));
    END LOOP;
END
$$;

CREATE FUNCTION invoice.report_period(period_from timestamptz, period_to timestamptz) RETURNS boolean
    AS 'MODULE_PATHNAME', 'invoice_report_period' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.report_period(timestamptz, timestamptz)
    IS 'internal to the reports: true, or the error for a period no report takes (22004 a NULL bound, 22023 an infinite bound or an end not after the start)';

CREATE FUNCTION invoice.report_instant(as_of timestamptz) RETURNS boolean
    AS 'MODULE_PATHNAME', 'invoice_report_instant' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.report_instant(timestamptz)
    IS 'internal to the reports: true, or the error for an as-of instant no report takes (22004 NULL, 22023 infinite)';

-- reports: statement of account (src/statements.c)

CREATE FUNCTION invoice.statement(org_id text, period_from timestamptz, period_to timestamptz,
                                  currency text DEFAULT NULL) RETURNS json
    AS 'MODULE_PATHNAME', 'invoice_statement' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.statement(text, timestamptz, timestamptz, text)
    IS 'statement of account of an organisation for [period_from, period_to) in one currency: opening balance, every document in the order it took effect with the running balance, closing balance (integer cents; positive = owed to the supplier)';

CREATE FUNCTION invoice.statement_lines(org_id text, period_from timestamptz, period_to timestamptz,
                                        currency text DEFAULT NULL)
    RETURNS TABLE (posted_at timestamptz, kind text, number text, invoice_id text, document_date timestamptz,
                   reference text, debit cents, credit cents, advance cents,
                   balance cents)
    LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    -- The statement as rows for psql: the opening balance, the entries, the closing balance.
    SELECT s.posted_at, s.kind, s.number, s.invoice_id, s.document_date, s.reference,
           s.debit, s.credit, s.advance, s.balance
      FROM (SELECT invoice.statement(statement_lines.org_id, statement_lines.period_from,
                                     statement_lines.period_to, statement_lines.currency) AS doc) d
     CROSS JOIN LATERAL (
           SELECT 0 AS ord, 0::bigint AS n, statement_lines.period_from AS posted_at, 'opening balance'::text AS kind,
                  NULL::text AS number, NULL::text AS invoice_id, NULL::timestamptz AS document_date,
                  NULL::text AS reference, NULL::cents AS debit, NULL::cents AS credit,
                  NULL::cents AS advance, ((d.doc ->> 'openingBalance')::bigint)::cents AS balance
           UNION ALL
           SELECT 1, e.n, (e.v ->> 'postedAt')::timestamptz, e.v ->> 'kind', e.v ->> 'number', e.v ->> 'invoiceId',
                  (e.v ->> 'documentDate')::timestamptz, e.v ->> 'reference',
                  ((e.v ->> 'debit')::bigint)::cents, ((e.v ->> 'credit')::bigint)::cents,
                  ((e.v ->> 'advance')::bigint)::cents, ((e.v ->> 'balance')::bigint)::cents
             FROM json_array_elements(d.doc -> 'entries') WITH ORDINALITY AS e (v, n)
           UNION ALL
           SELECT 2, 0, statement_lines.period_to, 'closing balance', NULL, NULL, NULL, NULL,
                  ((d.doc ->> 'totalDebits')::bigint)::cents, ((d.doc ->> 'totalCredits')::bigint)::cents,
                  NULL, ((d.doc ->> 'closingBalance')::bigint)::cents) s
     ORDER BY s.ord, s.n;
END;
COMMENT ON FUNCTION invoice.statement_lines(text, timestamptz, timestamptz, text)
    IS 'the statement of account as rows: opening balance, one row per entry with the running balance, closing balance (with the period''s debits and credits)';

CREATE FUNCTION invoice.statement_pdf(org_id text, period_from timestamptz, period_to timestamptz,
                                      currency text DEFAULT NULL) RETURNS bytea
    AS 'MODULE_PATHNAME', 'invoice_statement_pdf' LANGUAGE C STABLE;
COMMENT ON FUNCTION invoice.statement_pdf(text, timestamptz, timestamptz, text)
    IS 'the statement of account as a printable A4 PDF in the invoices'' style';

-- reports: line taxes, set-based

CREATE FUNCTION invoice.line_tax(amount cents, rate numeric, credits_applied cents, gst boolean,
                                 intra_state boolean, tax_rounding text, line_id bigint) RETURNS invoice.tax_line
    AS 'MODULE_PATHNAME', 'invoice_line_tax_window' LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.line_tax(cents, numeric, cents, boolean, boolean, text, bigint)
    IS 'window function over one invoice''s lines (PARTITION BY the invoice ORDER BY line_id): this line''s taxable value and tax heads, computed by the arithmetic of the invoice''s amounts (invoice_tax_lines), NULL rounding meaning line';

-- The month of an invoice date (UTC), as revenue_by_month and GSTR-1 select it.
SELECT invoice.table_ddl('invoice.invoices',   -- 06_table_ddl.sql
    $ddl$CREATE INDEX IF NOT EXISTS invoices_month_idx ON invoice.invoices ((date_trunc('month', invoice_date AT TIME ZONE 'UTC')::date))$ddl$);
COMMENT ON INDEX invoice.invoices_month_idx IS 'the reports of a month (revenue_by_month, GSTR-1) read its invoices, not every invoice';

CREATE VIEW invoice.invoice_line_tax WITH (security_invoker = true) AS
-- invoice_tax_lines for every issued invoice at once, in one pass: line_tax (C, the
-- arithmetic of compute.c) computes each invoice's lines from its stored credits_applied.
-- The invoice columns are in the window's partition, so that a filter on them (a month of
-- invoice dates, an organisation, an invoice) reaches the scans.
SELECT w.org_id, w.invoice_id, w.line_id, w.invoice_date, w.currency, w.status, w.gst, w.rate,
       (w.t).taxable_value, (w.t).cgst, (w.t).sgst, (w.t).igst, (w.t).tax,
       w.units, w.hsn_sac, w.product_group, w.region, w.usage_type,
       w.number, w.total, w.invoice_tax, w.place_of_supply, w.gst_intra_state, w.reverse_charge, w.gst_treatment
  FROM (SELECT l.org_id, l.invoice_id, l.line_id, i.invoice_date, i.currency, i.status, i.gst, l.gst_treatment,
               coalesce(l.tax_rate, i.tax_rate) AS rate, l.units, l.hsn_sac, l.product_group, l.region, l.usage_type,
               i.number, i.total, i.tax AS invoice_tax, i.place_of_supply, i.gst_intra_state, i.reverse_charge,
               invoice.line_tax(l.amount, coalesce(l.tax_rate, i.tax_rate), i.credits_applied, i.gst,
                                i.gst_intra_state, i.tax_rounding, l.line_id)
                 OVER (PARTITION BY l.org_id, l.invoice_id, i.invoice_date, i.currency, i.status, i.gst
                       ORDER BY l.line_id) AS t
          FROM invoice.line_items l
          JOIN invoice.invoices i ON i.org_id = l.org_id AND i.id = l.invoice_id
         WHERE i.issued_at IS NOT NULL) w;
COMMENT ON VIEW invoice.invoice_line_tax
    IS 'every line of every issued invoice with its taxable value (after its share of credits) and tax heads, as invoice_tax_lines computes them, and the invoice columns the reports group by';

-- reports: receivables as of a date, aging, DSO

CREATE FUNCTION invoice.receivables_as_of(as_of timestamptz)
    RETURNS TABLE (org_id text, invoice_id text, number text, currency text, invoice_date timestamptz,
                   due_date timestamptz, amount_due cents, days_past_due integer, bucket text)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, invoice, pg_temp
AS $body$
#variable_conflict use_column
BEGIN
    -- PL/pgSQL, not SQL: Citus plans each of its queries with the values of its parameters
    -- (it cannot plan a parameterised SQL-language function over distributed tables).
    RETURN QUERY
    -- What each invoice still owed just before as_of, from the history: issued before it, not
    -- cancelled before it, less the payments and credit notes that took effect before it
    -- (the advance was applied at issue).  amount_due's own formula, with time in it.
    SELECT r.org_id, r.id, r.number, r.currency, r.invoice_date, r.due_date, r.due, d.days,
           CASE WHEN d.days <= 0 THEN 'current' WHEN d.days <= 30 THEN '1-30' WHEN d.days <= 60 THEN '31-60'
                WHEN d.days <= 90 THEN '61-90' ELSE 'over 90' END
      FROM (SELECT i.org_id, i.id, i.number, i.currency, i.invoice_date, i.due_date,
                   greatest(i.total - i.advance_pay_amount - coalesce(p.paid, '0') - coalesce(n.credited, '0'),
                            '0'::cents) AS due
              FROM invoice.invoices i
              LEFT JOIN (SELECT p.org_id, p.invoice_id, sum(p.amount) AS paid
                           FROM invoice.payments p
                          WHERE p.paid_at < receivables_as_of.as_of
                          GROUP BY p.org_id, p.invoice_id) p ON p.org_id = i.org_id AND p.invoice_id = i.id
              LEFT JOIN (SELECT n.org_id, n.invoice_id, sum(n.total) AS credited
                           FROM invoice.credit_notes n
                          WHERE n.status = 'issued' AND n.issued_at < receivables_as_of.as_of
                          GROUP BY n.org_id, n.invoice_id) n ON n.org_id = i.org_id AND n.invoice_id = i.id
             WHERE invoice.report_instant(receivables_as_of.as_of)
               AND i.issued_at < receivables_as_of.as_of
               AND (i.cancelled_at IS NULL OR i.cancelled_at >= receivables_as_of.as_of)) r
     CROSS JOIN LATERAL (SELECT ceil(extract(epoch FROM receivables_as_of.as_of - r.due_date) / 86400)::integer AS days) d
     WHERE r.due > '0';
END
$body$;
COMMENT ON FUNCTION invoice.receivables_as_of(timestamptz)
    IS 'every invoice with something still due just before as_of, as the history stood then: amount due, days past its due date and aging bucket (current, 1-30, 31-60, 61-90, over 90)';

CREATE FUNCTION invoice.receivables_aging(as_of timestamptz)
    RETURNS TABLE (org_id text, currency text, "current" cents, days_1_30 cents,
                   days_31_60 cents, days_61_90 cents, days_over_90 cents,
                   total cents, invoices bigint)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, invoice, pg_temp
AS $body$
#variable_conflict use_column
BEGIN
    -- PL/pgSQL, not SQL: Citus plans each of its queries with the values of its parameters
    -- (it cannot plan a parameterised SQL-language function over distributed tables).
    RETURN QUERY
    -- Per organisation and currency, then the total per currency (org_id NULL): grouping sets,
    -- so that the receivables are worked out once (test/bench/reports.bench.sql).
    SELECT a.org_id, a.currency, a.b0, a.b1, a.b2, a.b3, a.b4, a.total, a.n
      FROM (SELECT r.org_id, r.currency,
                   coalesce(sum(r.amount_due) FILTER (WHERE r.bucket = 'current'), '0') AS b0,
                   coalesce(sum(r.amount_due) FILTER (WHERE r.bucket = '1-30'), '0') AS b1,
                   coalesce(sum(r.amount_due) FILTER (WHERE r.bucket = '31-60'), '0') AS b2,
                   coalesce(sum(r.amount_due) FILTER (WHERE r.bucket = '61-90'), '0') AS b3,
                   coalesce(sum(r.amount_due) FILTER (WHERE r.bucket = 'over 90'), '0') AS b4,
                   sum(r.amount_due) AS total, count(*) AS n
              FROM invoice.receivables_as_of(receivables_aging.as_of) r
             GROUP BY GROUPING SETS ((r.org_id, r.currency), (r.currency))) a
     ORDER BY a.currency, a.org_id NULLS LAST;
END
$body$;
COMMENT ON FUNCTION invoice.receivables_aging(timestamptz)
    IS 'receivables aging just before as_of: per organisation and currency, then the total per currency (org_id NULL), in buckets of days past due (current, 1-30, 31-60, 61-90, over 90)';

CREATE FUNCTION invoice.dso(period_from timestamptz, period_to timestamptz)
    RETURNS TABLE (org_id text, currency text, receivables cents, credit_sales cents,
                   days numeric, dso numeric)
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, invoice, pg_temp
AS $body$
#variable_conflict use_column
BEGIN
    -- PL/pgSQL, not SQL: Citus plans each of its queries with the values of its parameters
    -- (it cannot plan a parameterised SQL-language function over distributed tables).
    RETURN QUERY
    -- DSO = receivables at the end of the period / credit sales of the period × days in the
    -- period, rounded to 0.1 day; NULL when the period sold nothing (net).  Credit sales are
    -- the totals (tax included, as receivables are) of the invoices that took effect in the
    -- period and were not cancelled by its end, less the credit notes issued in it.
    SELECT x.org_id, x.currency, coalesce(x.receivables, '0'), coalesce(x.sales, '0'), p.days,
           CASE WHEN x.sales > '0' THEN round(coalesce(x.receivables, '0') / x.sales * p.days, 1) END
      FROM (SELECT round(extract(epoch FROM dso.period_to - dso.period_from) / 86400, 4) AS days
             WHERE invoice.report_period(dso.period_from, dso.period_to)) p
     CROSS JOIN (
           SELECT s.org_id, s.currency, sum(s.receivables) AS receivables, sum(s.sales) AS sales
             FROM (SELECT r.org_id, r.currency, r.amount_due AS receivables, NULL::cents AS sales
                     FROM invoice.receivables_as_of(dso.period_to) r
                   UNION ALL
                   SELECT i.org_id, i.currency, NULL, i.total
                     FROM invoice.invoices i
                    WHERE i.issued_at >= dso.period_from AND i.issued_at < dso.period_to
                      AND (i.cancelled_at IS NULL OR i.cancelled_at >= dso.period_to)
                   UNION ALL
                   SELECT n.org_id, i.currency, NULL, - n.total
                     FROM invoice.credit_notes n
                     JOIN invoice.invoices i ON i.org_id = n.org_id AND i.id = n.invoice_id
                    WHERE n.status = 'issued' AND n.issued_at >= dso.period_from AND n.issued_at < dso.period_to) s
            GROUP BY GROUPING SETS ((s.org_id, s.currency), (s.currency))) x
     ORDER BY x.currency, x.org_id NULLS LAST;
END
$body$;
COMMENT ON FUNCTION invoice.dso(timestamptz, timestamptz)
    IS 'days sales outstanding of [period_from, period_to): receivables at its end / credit sales in it × its days, per organisation and currency and per currency (org_id NULL)';

-- reports: revenue and collections

CREATE VIEW invoice.revenue_by_month WITH (security_invoker = true) AS
-- Issued: the taxable value of the lines of the invoices dated in the month (cancelled
-- invoices are void and left out).  Credited: the taxable value of the credit notes dated in
-- the month, spread over the dimensions of the invoice they correct pro rata to its lines'
-- taxable values, by largest remainder (ties in dimension order), so every cent lands once.
-- A filter on the month reaches both scans: the invoices through invoices_month_idx, the
-- credit notes before their invoice's lines are weighed (LATERAL, one invoice at a time).
SELECT r.month, r.currency, r.product_group, r.region, r.usage_type,
       coalesce(sum(r.issued), '0') AS issued,
       coalesce(sum(r.credited), '0') AS credited,
       coalesce(sum(r.issued), '0') - coalesce(sum(r.credited), '0') AS net
  FROM (SELECT (date_trunc('month', t.invoice_date AT TIME ZONE 'UTC'))::date AS month, t.currency,
               t.product_group, t.region, t.usage_type, t.taxable_value AS issued, NULL::cents AS credited
          FROM invoice.invoice_line_tax t
         WHERE t.status <> 'cancelled'
        UNION ALL
        SELECT c.month, c.currency, c.product_group, c.region, c.usage_type,
               NULL,
               (c.share + CASE WHEN row_number() OVER (PARTITION BY c.month, c.org_id, c.credit_note_id
                                                        ORDER BY c.remainder DESC, c.product_group, c.region, c.usage_type)
                                    <= c.note_taxable - sum(c.share) OVER (PARTITION BY c.month, c.org_id, c.credit_note_id)
                               THEN 1 ELSE 0 END)::cents
          FROM (SELECT (date_trunc('month', n.note_date))::date AS month, n.org_id, n.credit_note_id,
                       g.currency, g.product_group, g.region, g.usage_type,
                       n.taxable_value::bigint AS note_taxable,
                       CASE WHEN g.weight_total > 0 THEN div(n.taxable_value::bigint::numeric * g.weight, g.weight_total)
                            ELSE 0 END::bigint AS share,
                       CASE WHEN g.weight_total > 0 THEN mod(n.taxable_value::bigint::numeric * g.weight, g.weight_total)
                            ELSE 0 END AS remainder
                  FROM invoice.credit_notes n
                 CROSS JOIN LATERAL (
                       SELECT t.currency, t.product_group, t.region, t.usage_type,
                              sum(t.taxable_value)::bigint AS weight,
                              sum(sum(t.taxable_value)::bigint) OVER () AS weight_total
                         FROM invoice.invoice_line_tax t
                        WHERE t.org_id = n.org_id AND t.invoice_id = n.invoice_id
                        GROUP BY t.currency, t.product_group, t.region, t.usage_type) g
                 WHERE n.status = 'issued') c) r
 GROUP BY r.month, r.currency, r.product_group, r.region, r.usage_type;
COMMENT ON VIEW invoice.revenue_by_month
    IS 'revenue by month (UTC) × currency × product group × region × usage type: taxable value issued, credited by credit notes (spread pro rata over the corrected invoice''s dimensions) and net';

CREATE VIEW invoice.collections_by_month WITH (security_invoker = true) AS
SELECT (date_trunc('month', p.paid_at AT TIME ZONE 'UTC'))::date AS month, i.currency, p.method,
       count(*) AS payments, sum(p.amount) AS amount
  FROM invoice.payments p
  JOIN invoice.invoices i ON i.org_id = p.org_id AND i.id = p.invoice_id
 GROUP BY 1, 2, 3;
COMMENT ON VIEW invoice.collections_by_month
    IS 'payments received by month (UTC) × currency × method: how many and how much';

CREATE VIEW invoice.credit_notes_by_month WITH (security_invoker = true) AS
SELECT (date_trunc('month', n.note_date))::date AS month, i.currency, n.reason,
       count(*) AS credit_notes, sum(n.taxable_value) AS taxable_value, sum(n.tax) AS tax,
       sum(n.total) AS total, sum(n.to_balance) AS to_balance
  FROM invoice.credit_notes n
  JOIN invoice.invoices i ON i.org_id = n.org_id AND i.id = n.invoice_id
 WHERE n.status = 'issued'
 GROUP BY 1, 2, 3;
COMMENT ON VIEW invoice.credit_notes_by_month
    IS 'issued credit notes by month of their date × currency × reason: how many, taxable value, tax, total and the part credited to prepaid balances';

CREATE VIEW invoice.round_off_by_month WITH (security_invoker = true) AS
-- What rounding totals to the rupee added to (or took off) the invoices dated in the month:
-- neither revenue (revenue_by_month is the taxable value) nor tax, finance books it apart.
SELECT (date_trunc('month', i.invoice_date AT TIME ZONE 'UTC'))::date AS month, i.currency,
       count(*) AS invoices, count(*) FILTER (WHERE i.round_off <> '0') AS rounded,
       sum(i.round_off) AS round_off
  FROM invoice.invoices i
 WHERE i.issued_at IS NOT NULL AND i.status <> 'cancelled'
 GROUP BY 1, 2;
COMMENT ON VIEW invoice.round_off_by_month
    IS 'round-off of the issued, not cancelled invoices by month (UTC) of their date × currency: how many invoices, how many rounded, the net round-off (part of their totals, neither revenue nor tax)';

-- reports: GSTR-1 (README "GSTR-1"): one view per section, fp = return period MMYYYY

CREATE FUNCTION invoice.gstr1_section(ctin text, intra_state boolean, place_of_supply text, total cents,
                                      invoice_date timestamptz)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN place_of_supply = '96' THEN 'exp'
                WHEN ctin IS NOT NULL THEN 'b2b'
                WHEN NOT intra_state
                     AND total > CASE WHEN invoice_date < '2024-08-01 00:00:00+00' THEN '250000.00'::cents
                                      ELSE '100000.00'::cents END THEN 'b2cl'
                ELSE 'b2cs' END;
COMMENT ON FUNCTION invoice.gstr1_section(text, boolean, text, cents, timestamptz)
    IS 'internal to GSTR-1: the table a GST invoice goes to — exp (place of supply 96, a foreign country), b2b (the recipient has a GSTIN), b2cl (unregistered, inter-state, over ₹2,50,000 before 1 August 2024, ₹1,00,000 from then), b2cs (every other); its credit notes follow it (cdnr, cdnur)';

CREATE FUNCTION invoice.gstr1_export_type(invoice_tax cents) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN invoice_tax > '0' THEN 'WPAY' ELSE 'WOPAY' END;
COMMENT ON FUNCTION invoice.gstr1_export_type(cents)
    IS 'internal to GSTR-1: an export with payment of IGST (WPAY: the invoice charged tax) or without (WOPAY: zero-rated under bond or LUT)';

CREATE FUNCTION invoice.gstr1_hsn_table(month date, section text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN month < '2025-05-01' THEN 'data' WHEN section = 'b2b' THEN 'hsn_b2b' ELSE 'hsn_b2c' END;
COMMENT ON FUNCTION invoice.gstr1_hsn_table(date, text)
    IS 'internal to GSTR-1: the list of table 12 (hsn) a line goes to — data for return periods before May 2025, then hsn_b2b for the supplies (and their notes) to registered recipients (invoice section b2b), hsn_b2c for every other (b2cl, b2cs, exports)';

CREATE FUNCTION invoice.gstr1_line_section(invoice_section text, gst_treatment invoice.gst_treatment, rate numeric)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN invoice_section <> 'exp' AND (gst_treatment <> 'taxable' OR rate = 0) THEN 'nil'
                ELSE invoice_section END;
COMMENT ON FUNCTION invoice.gstr1_line_section(text, invoice.gst_treatment, numeric)
    IS 'internal to GSTR-1: the table a line (or a credit note''s line) goes to — nil (table 8) for a nil-rated, exempt or non-GST line, or a taxable one at rate 0, of a supply in India; its invoice''s table otherwise (an export''s lines are all zero-rated or taxed exports)';

CREATE VIEW invoice.gstr1_lines WITH (security_invoker = true) AS
-- The lines of the GST invoices a GSTR-1 reports (issued, not cancelled), with the table
-- each goes to: its invoice's (gstr1_section), but a nil-rated, exempt or non-GST line (or
-- a taxable one at rate 0) of a supply in India goes to nil (table 8, gstr1_line_section),
-- with its supply type (INTRB2B, INTRAB2B, INTRB2C, INTRAB2C) and its gst_treatment.  The recipient's GSTIN is the organisation's as the report runs.  month
-- (the first day of the invoice date's month, UTC) and fp come from the lines' copy of the
-- invoice date, so that a filter on month reaches invoice_line_tax's scans through
-- invoices_month_idx (one month's lines, not every line).  gstr1_invoices, gstr1_exp,
-- gstr1_nil and gstr1_hsn add these lines up; gstr1() reads a month of them once for
-- every section.
SELECT x.month, x.fp, x.gstin, x.org_id, x.invoice_id, x.line_id,
       invoice.gstr1_line_section(x.invoice_section, x.gst_treatment, x.rt) AS section,
       x.invoice_section, x.ctin, x.inum, x.idt, x.val, x.pos, x.rchrg, x.inv_typ, x.sply_ty,
       CASE WHEN x.sply_ty = 'INTRA' THEN 'INTRA' ELSE 'INTR' END
         || CASE WHEN x.ctin IS NOT NULL THEN 'B2B' ELSE 'B2C' END AS nil_sply_ty,
       x.exp_typ, x.rt, x.hsn_sac, x.qty, x.txval, x.iamt, x.camt, x.samt, x.csamt, x.gst_treatment
  FROM (SELECT (date_trunc('month', t.invoice_date AT TIME ZONE 'UTC'))::date AS month,
               to_char(t.invoice_date AT TIME ZONE 'UTC', 'MMYYYY') AS fp, s.gstin, t.org_id, t.invoice_id, t.line_id,
               invoice.gstr1_section(o.gstin, t.gst_intra_state, t.place_of_supply, t.total, t.invoice_date)
                 AS invoice_section,
               o.gstin AS ctin, t.number AS inum, t.invoice_date AS idt, t.total AS val, t.place_of_supply AS pos,
               CASE WHEN t.reverse_charge THEN 'Y' ELSE 'N' END AS rchrg, 'R'::text AS inv_typ,
               CASE WHEN t.gst_intra_state THEN 'INTRA' ELSE 'INTER' END AS sply_ty,
               invoice.gstr1_export_type(t.invoice_tax) AS exp_typ,
               t.rate AS rt, t.hsn_sac, t.units AS qty, t.taxable_value AS txval, t.igst AS iamt, t.cgst AS camt,
               t.sgst AS samt, '0'::cents AS csamt, t.gst_treatment
          FROM invoice.invoice_line_tax t
          JOIN invoice.orgs o ON o.org_id = t.org_id
         CROSS JOIN invoice.supplier s
         WHERE t.gst AND t.status <> 'cancelled') x;
COMMENT ON VIEW invoice.gstr1_lines
    IS 'GSTR-1: the lines of the issued, not cancelled GST invoices, with the table each goes to (b2b, b2cl, b2cs, exp, nil), return period (month; fp MMYYYY, invoice date in UTC) and the portal''s field names';

CREATE VIEW invoice.gstr1_invoices WITH (security_invoker = true) AS
SELECT g.month, g.fp, g.gstin, g.org_id, g.invoice_id, g.section, g.ctin, g.inum, g.idt, g.val, g.pos, g.rchrg,
       g.inv_typ, g.sply_ty, g.exp_typ, g.rt, sum(g.txval) AS txval, sum(g.iamt) AS iamt,
       sum(g.camt) AS camt, sum(g.samt) AS samt, sum(g.csamt) AS csamt
  FROM invoice.gstr1_lines g
 GROUP BY g.month, g.fp, g.gstin, g.org_id, g.invoice_id, g.section, g.ctin, g.inum, g.idt, g.val, g.pos, g.rchrg,
          g.inv_typ, g.sply_ty, g.exp_typ, g.rt;
COMMENT ON VIEW invoice.gstr1_invoices
    IS 'GSTR-1: the issued, not cancelled GST invoices per table and rate (b2b, b2cl, b2cs, exp; nil for nil-rated lines), return period (month; fp MMYYYY, invoice date in UTC) and the portal''s field names';
CREATE VIEW invoice.gstr1_b2b WITH (security_invoker = true) AS
SELECT g.month, g.fp, g.gstin, g.ctin, g.org_id, g.invoice_id, g.inum, g.idt, g.val, g.pos, g.rchrg, g.inv_typ,
       g.rt, g.txval, g.iamt, g.camt, g.samt, g.csamt
  FROM invoice.gstr1_invoices g WHERE g.section = 'b2b';
COMMENT ON VIEW invoice.gstr1_b2b IS 'GSTR-1 table 4 (b2b): invoices to registered recipients, per recipient GSTIN, invoice and rate';

CREATE VIEW invoice.gstr1_b2cl WITH (security_invoker = true) AS
SELECT g.month, g.fp, g.gstin, g.pos, g.org_id, g.invoice_id, g.inum, g.idt, g.val, g.rt, g.txval, g.iamt, g.csamt
  FROM invoice.gstr1_invoices g WHERE g.section = 'b2cl';
COMMENT ON VIEW invoice.gstr1_b2cl IS 'GSTR-1 table 5 (b2cl): large inter-state invoices to unregistered recipients, per place of supply, invoice and rate';

CREATE VIEW invoice.gstr1_exp WITH (security_invoker = true) AS
SELECT g.month, g.fp, g.gstin, g.exp_typ, g.org_id, g.invoice_id, g.inum, g.idt, g.val, g.rt, g.txval, g.iamt, g.csamt
  FROM invoice.gstr1_invoices g WHERE g.section = 'exp';
COMMENT ON VIEW invoice.gstr1_exp IS 'GSTR-1 table 6A (exp): exports (place of supply 96), with payment of IGST (WPAY) or without (WOPAY), per invoice and rate';

CREATE VIEW invoice.gstr1_notes WITH (security_invoker = true) AS
-- The issued credit notes of GST invoices per rate, with the table their invoice went to
-- (gstr1_section, the recipient as the report runs) and the note's return period.  Their
-- nil-rated, exempt and non-GST lines (gstr1_line_section nil: a line credit's treatment is
-- its invoice line's, an amount credited at a rate is taxable) are not here: table 8 nets
-- them (gstr1_nil).
SELECT (date_trunc('month', n.note_date::timestamp))::date AS month, to_char(n.note_date, 'MMYYYY') AS fp,
       s.gstin, invoice.gstr1_section(o.gstin, i.gst_intra_state, i.place_of_supply, i.total, i.invoice_date) AS section,
       o.gstin AS ctin, n.org_id, n.credit_note_id,
       'C'::text AS ntty, n.number AS nt_num, n.note_date AS nt_dt, n.total AS val, i.place_of_supply AS pos,
       CASE WHEN i.reverse_charge THEN 'Y' ELSE 'N' END AS rchrg, 'R'::text AS inv_typ,
       invoice.gstr1_export_type(i.tax) AS exp_typ,
       coalesce(l.tax_rate, i.tax_rate) AS rt, sum(l.amount) AS txval, sum(l.igst) AS iamt,
       sum(l.cgst) AS camt, sum(l.sgst) AS samt, '0'::cents AS csamt,
       CASE WHEN i.gst_intra_state THEN 'INTRA' ELSE 'INTER' END AS sply_ty
  FROM invoice.credit_notes n
  JOIN invoice.invoices i ON i.org_id = n.org_id AND i.id = n.invoice_id
  JOIN invoice.orgs o ON o.org_id = n.org_id
  JOIN invoice.credit_note_lines l ON l.org_id = n.org_id AND l.credit_note_id = n.credit_note_id
  LEFT JOIN invoice.line_items li ON li.org_id = l.org_id AND li.line_id = l.line_id
 CROSS JOIN invoice.supplier s
 WHERE n.status = 'issued' AND i.gst
   AND invoice.gstr1_line_section(invoice.gstr1_section(o.gstin, i.gst_intra_state, i.place_of_supply, i.total,
                                                        i.invoice_date),
                                  coalesce(li.gst_treatment, 'taxable'), coalesce(l.tax_rate, i.tax_rate)) <> 'nil'
 GROUP BY n.org_id, n.credit_note_id, i.org_id, i.id, o.gstin, s.gstin, coalesce(l.tax_rate, i.tax_rate);
COMMENT ON VIEW invoice.gstr1_notes
    IS 'GSTR-1: the issued credit notes of GST invoices per rate, with the table of their invoice (b2b, b2cl, b2cs, exp), its supply type (INTRA, INTER) and the note''s return period';

CREATE VIEW invoice.gstr1_cdnr WITH (security_invoker = true) AS
SELECT n.month, n.fp, n.gstin, n.ctin, n.org_id, n.credit_note_id, n.ntty, n.nt_num, n.nt_dt, n.val, n.pos, n.rchrg,
       n.inv_typ, n.rt, n.txval, n.iamt, n.camt, n.samt, n.csamt
  FROM invoice.gstr1_notes n WHERE n.section = 'b2b';
COMMENT ON VIEW invoice.gstr1_cdnr IS 'GSTR-1 table 9B (cdnr): credit notes to registered recipients, per recipient GSTIN, note and rate (fp by the note''s date)';

CREATE VIEW invoice.gstr1_cdnur WITH (security_invoker = true) AS
-- Table 9B for unregistered recipients: the notes of b2cl invoices (typ B2CL) and of exports
-- (EXPWP, EXPWOP).  The notes of b2cs invoices are not reported note by note (README "GSTR-1").
SELECT n.month, n.fp, n.gstin,
       CASE n.section WHEN 'b2cl' THEN 'B2CL' WHEN 'exp' THEN 'EXP' || CASE n.exp_typ WHEN 'WPAY' THEN 'WP' ELSE 'WOP' END END
         AS typ,
       n.org_id, n.credit_note_id, n.ntty, n.nt_num, n.nt_dt, n.val, n.pos, n.rt, n.txval, n.iamt, n.csamt
  FROM invoice.gstr1_notes n WHERE n.section IN ('b2cl', 'exp');
COMMENT ON VIEW invoice.gstr1_cdnur IS 'GSTR-1 table 9B (cdnur): credit notes of large inter-state invoices to unregistered recipients (B2CL) and of exports (EXPWP, EXPWOP), per note and rate';

CREATE VIEW invoice.gstr1_b2cs WITH (security_invoker = true) AS
-- Table 7 is net: the credit notes of b2cs invoices are not reported note by note (cdnur
-- takes only those of b2cl invoices and exports) but come off the supplies of the note's
-- month at the invoice's supply type, place and rate; where they exceed them the row is
-- negative, as the portal allows (README "GSTR-1").  Their nil-rated lines (rate 0) are
-- not netted anywhere (the invoice's are in nil).
SELECT b.month, b.fp, b.gstin, b.sply_ty, b.pos, 'OE'::text AS typ, b.rt, sum(b.txval) AS txval,
       sum(b.iamt) AS iamt, sum(b.camt) AS camt, sum(b.samt) AS samt,
       sum(b.csamt) AS csamt
  FROM (SELECT g.month, g.fp, g.gstin, g.sply_ty, g.pos, g.rt, g.txval, g.iamt, g.camt, g.samt, g.csamt
          FROM invoice.gstr1_invoices g WHERE g.section = 'b2cs'
        UNION ALL
        SELECT n.month, n.fp, n.gstin, n.sply_ty, n.pos, n.rt, - n.txval, - n.iamt, - n.camt, - n.samt, - n.csamt
          FROM invoice.gstr1_notes n WHERE n.section = 'b2cs' AND n.rt <> 0) b
 GROUP BY b.month, b.fp, b.gstin, b.sply_ty, b.pos, b.rt;
COMMENT ON VIEW invoice.gstr1_b2cs IS 'GSTR-1 table 7 (b2cs): other supplies to unregistered recipients less the credit notes of those supplies dated in the month, per supply type, place of supply and rate';

CREATE VIEW invoice.gstr1_note_lines WITH (security_invoker = true) AS
-- The lines of the issued credit notes of GST invoices, by the note's date, with the signs
-- of a return's net figures (negative: they come off the month's supplies).
SELECT (date_trunc('month', n.note_date::timestamp))::date AS month, to_char(n.note_date, 'MMYYYY') AS fp,
       s.gstin, n.org_id, n.credit_note_id, l.line_id, coalesce(l.hsn_sac, '9999') AS hsn_sac,
       coalesce(l.tax_rate, i.tax_rate) AS rt, - l.amount AS txval, - l.igst AS iamt, - l.cgst AS camt,
       - l.sgst AS samt, '0'::cents AS csamt,
       invoice.gstr1_section(o.gstin, i.gst_intra_state, i.place_of_supply, i.total, i.invoice_date) AS section,
       coalesce(li.gst_treatment, 'taxable') AS gst_treatment,
       invoice.gstr1_line_section(invoice.gstr1_section(o.gstin, i.gst_intra_state, i.place_of_supply, i.total,
                                                        i.invoice_date),
                                  coalesce(li.gst_treatment, 'taxable'), coalesce(l.tax_rate, i.tax_rate)) AS line_section,
       CASE WHEN i.gst_intra_state THEN 'INTRA' ELSE 'INTR' END
         || CASE WHEN o.gstin IS NOT NULL THEN 'B2B' ELSE 'B2C' END AS nil_sply_ty
  FROM invoice.credit_notes n
  JOIN invoice.invoices i ON i.org_id = n.org_id AND i.id = n.invoice_id
  JOIN invoice.orgs o ON o.org_id = n.org_id
  JOIN invoice.credit_note_lines l ON l.org_id = n.org_id AND l.credit_note_id = n.credit_note_id
  LEFT JOIN invoice.line_items li ON li.org_id = l.org_id AND li.line_id = l.line_id
 CROSS JOIN invoice.supplier s
 WHERE n.status = 'issued' AND i.gst;
COMMENT ON VIEW invoice.gstr1_note_lines
    IS 'GSTR-1: the lines of the issued credit notes of GST invoices, negated, by the note''s month, with the table of their invoice (what gstr1_hsn takes off the month''s invoice lines), their GST treatment (the credited line''s; taxable for an amount) and own table (line_section: nil for table 8, with nil_sply_ty)';

CREATE VIEW invoice.gstr1_nil WITH (security_invoker = true) AS
-- Table 8: the nil-rated (and taxable at rate 0), exempt and non-GST lines of supplies in
-- India by supply type, less the same lines of the credit notes dated in the month (netted
-- as india-compliance's GSTR-1 books net them: a return's nil-rated/exempt/non-GST items go
-- to this table, negative, in its own period; README "GST treatment").
SELECT b.month, b.fp, b.gstin, b.sply_ty,
       coalesce(sum(b.txval) FILTER (WHERE b.gst_treatment IN ('taxable', 'nil_rated')), '0') AS nil_amt,
       coalesce(sum(b.txval) FILTER (WHERE b.gst_treatment = 'exempt'), '0') AS expt_amt,
       coalesce(sum(b.txval) FILTER (WHERE b.gst_treatment = 'non_gst'), '0') AS ngsup_amt
  FROM (SELECT g.month, g.fp, g.gstin, g.nil_sply_ty AS sply_ty, g.gst_treatment, g.txval
          FROM invoice.gstr1_lines g WHERE g.section = 'nil'
        UNION ALL
        SELECT n.month, n.fp, n.gstin, n.nil_sply_ty, n.gst_treatment, n.txval
          FROM invoice.gstr1_note_lines n WHERE n.line_section = 'nil') b
 GROUP BY b.month, b.fp, b.gstin, b.sply_ty;
COMMENT ON VIEW invoice.gstr1_nil IS 'GSTR-1 table 8 (nil): nil-rated (nil_amt), exempt (expt_amt) and non-GST (ngsup_amt) supplies in India per supply type (INTRB2B, INTRAB2B, INTRB2C, INTRAB2C), less those of the credit notes dated in the month';

CREATE VIEW invoice.gstr1_hsn WITH (security_invoker = true) AS
-- Invoices' lines (dated in the month, not cancelled) less the lines of the credit notes
-- dated in it; services (SAC, chapter 99) have no quantity (uqc NA).  From May 2025 the
-- table is two lists, supplies to registered recipients and the others (gstr1_hsn_table).
SELECT h.month, h.fp, h.gstin, invoice.gstr1_hsn_table(h.month, h.section) AS hsn_table, h.hsn_sac AS hsn_sc,
       CASE WHEN h.hsn_sac LIKE '99%' THEN 'NA' ELSE 'OTH' END AS uqc,
       CASE WHEN h.hsn_sac LIKE '99%' THEN 0 ELSE sum(h.qty) END AS qty,
       h.rt, sum(h.txval) + sum(h.iamt) + sum(h.camt) + sum(h.samt) AS val,
       sum(h.txval) AS txval, sum(h.iamt) AS iamt, sum(h.camt) AS camt,
       sum(h.samt) AS samt, sum(h.csamt) AS csamt
  FROM (SELECT g.month, g.fp, g.gstin, g.invoice_section AS section, g.hsn_sac, g.rt, g.qty, g.txval, g.iamt,
               g.camt, g.samt, g.csamt
          FROM invoice.gstr1_lines g
        UNION ALL
        SELECT n.month, n.fp, n.gstin, n.section, n.hsn_sac, n.rt, 0, n.txval, n.iamt, n.camt, n.samt, n.csamt
          FROM invoice.gstr1_note_lines n) h
 GROUP BY h.month, h.fp, h.gstin, invoice.gstr1_hsn_table(h.month, h.section), h.hsn_sac, h.rt;
COMMENT ON VIEW invoice.gstr1_hsn IS 'GSTR-1 table 12 (hsn): per list (hsn_table: data before May 2025, then hsn_b2b and hsn_b2c), HSN/SAC code and rate, the month''s GST invoice lines less its credit note lines';

CREATE VIEW invoice.gstr1_doc_issue WITH (security_invoker = true) AS
-- Per series and month: the first and last number, how many, how many cancelled.  Invoices
-- (doc_num 1, "Invoices for outward supply") by invoice date; credit notes (doc_num 5) by
-- note date.  A number series restarts each financial year, so a month has one range.
SELECT d.month, d.fp, s.gstin, d.doc_num, d.doc_typ, d.series, min(d.number) AS "from", max(d.number) AS "to",
       count(*) AS totnum, count(*) FILTER (WHERE d.cancelled) AS cancel,
       count(*) FILTER (WHERE NOT d.cancelled) AS net_issue
  FROM (SELECT (date_trunc('month', i.invoice_date AT TIME ZONE 'UTC'))::date AS month,
               to_char(i.invoice_date AT TIME ZONE 'UTC', 'MMYYYY') AS fp, 1 AS doc_num,
               'Invoices for outward supply'::text AS doc_typ, i.series, i.number, i.status = 'cancelled' AS cancelled
          FROM invoice.invoices i
         WHERE i.number IS NOT NULL
        UNION ALL
        SELECT (date_trunc('month', n.note_date::timestamp))::date, to_char(n.note_date, 'MMYYYY'), 5, 'Credit Note', 'CN', n.number, false
          FROM invoice.credit_notes n
         WHERE n.status = 'issued') d
 CROSS JOIN invoice.supplier s
 GROUP BY d.month, d.fp, s.gstin, d.doc_num, d.doc_typ, d.series;
COMMENT ON VIEW invoice.gstr1_doc_issue IS 'GSTR-1 table 13 (doc_issue): documents issued per series and month, with cancelled and net counts';

CREATE FUNCTION invoice.gstr1_check(gstin text, fp text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'invoice_gstr1_check' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.gstr1_check(text, text)
    IS 'internal to gstr1: true, or the error — 42501 unless finance or a billing administrator, 22004 NULLs, 22023 a return period that is not MMYYYY or a GSTIN that is not the supplier''s, 55000 a supplier without a GSTIN';

CREATE FUNCTION invoice.gstr1(gstin text, fp text) RETURNS json
    AS 'MODULE_PATHNAME', 'invoice_gstr1' LANGUAGE C STABLE PARALLEL SAFE
    -- One document in the GST portal's GSTR-1 JSON, written in C (src/reports_gstr1.c) from
    -- three queries over the views above.  The month's lines are found from its invoices by
    -- key (invoices_month_idx, then line_items_invoice_idx: a month of 1,000,000 invoices,
    -- 37,000 probes, 0.2 s) rather than by hashing every line of every month (2,000,000
    -- probes of a hash of two texts, 0.6 s): at the default random_page_cost the planner
    -- prices the probes as uncached disk reads and hashes (README "Benchmarks", reports).
    SET random_page_cost = 1.1;
COMMENT ON FUNCTION invoice.gstr1(text, text)
    IS 'GSTR-1 of a return period (MMYYYY) for the supplier''s GSTIN, as one document in the GST portal''s JSON: gstin, fp, b2b, b2cl, b2cs, cdnr, cdnur, exp, nil, hsn, doc_issue (finance role or billing administrators)';
