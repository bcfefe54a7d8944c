-- documents: invoices, credit notes and prepaid receipts as printable PDF; invoices in bulk as a ZIP
--
-- Part of the read API: the documents read their rows with the caller's
-- rights (no SECURITY DEFINER), so table privileges and row-level security
-- decide what can be printed, and an invoice of another organisation "does
-- not exist".  A GST invoice's summary is read through invoice_tax_lines,
-- which the printing role must be granted.  They name the supplier of
-- invoice.supplier and refuse to render (55000) until it has its row.  Not
-- STRICT: a NULL argument is an error (22004), not a NULL document.

CREATE FUNCTION invoice.invoice_pdf(id text) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE;
COMMENT ON FUNCTION invoice.invoice_pdf(text)
    IS 'the invoice as a printable A4 PDF: supplier and customer, dates, status stamp, line items, GST summary, totals, credit notes, payments';

CREATE FUNCTION invoice.invoice_pdf_zip(ids text[]) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE;
COMMENT ON FUNCTION invoice.invoice_pdf_zip(text[])
    IS 'one ZIP archive with one PDF per distinct invoice, named by its number (INV-2425-000001.pdf; a draft by its id); at most 1000 invoices';

CREATE FUNCTION invoice.credit_note_pdf(credit_note_id text) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE;
COMMENT ON FUNCTION invoice.credit_note_pdf(text)
    IS 'the credit note as a printable A4 PDF: the invoice it corrects, its lines, tax heads and where the credit went';

CREATE FUNCTION invoice.receipt_pdf(org_id text, receipt_id bigint) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE;
COMMENT ON FUNCTION invoice.receipt_pdf(text, bigint)
    IS 'the receipt of a prepaid top-up (invoice.receipts) as a printable A4 PDF';
