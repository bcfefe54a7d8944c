-- Documents at their edges: the SQLSTATEs of invoice_pdf, invoice_pdf_zip,
-- receipt_pdf and credit_note_pdf (NULL, empty, unknown, ambiguous, too
-- many, no supplier), what their results are made of (a PDF, a ZIP archive,
-- the same bytes for the same rows: duplicates collapsed), and access
-- control: the documents read with the caller's rights, so a role without
-- the tables' privileges gets nothing, a member sees the PDFs of its
-- organisation, and row-level security hides another's as it hides the
-- invoice.  What the PDFs say is
-- tested by decoding them with independent tools in test/shell/documents.sh.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';

SELECT plan(33);

-- Fixtures --------------------------------------------------------------------

INSERT INTO invoice.orgs (org_id, name) VALUES ('doc-a', 'Org A'), ('doc-b', 'Org B');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date, tax_rate)
VALUES ('doc-a', 'doc-inv-a', '2024-01-01', '2024-02-01', '2024-02-01', '2024-03-02', 18),
       ('doc-a', 'doc-inv-a2', '2024-02-01', '2024-03-01', '2024-03-01', '2024-03-31', 18),
       ('doc-b', 'doc-inv-b', '2024-01-01', '2024-02-01', '2024-02-01', '2024-03-02', 18),
       ('doc-a', 'doc-shared', '2024-01-01', '2024-02-01', NULL, NULL, 0),
       ('doc-b', 'doc-shared', '2024-01-01', '2024-02-01', NULL, NULL, 0);
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate)
SELECT org_id, id, 'service', 2, 50 FROM invoice.invoices;
SELECT FROM (SELECT invoice.invoice_issue(id) FROM invoice.invoices WHERE id <> 'doc-shared' ORDER BY id) issued;
SELECT FROM invoice.invoice_topup('doc-a', '10.00', 'upi', 'doc-topup');
INSERT INTO invoice.credit_notes (org_id, credit_note_id, invoice_id, reason)
VALUES ('doc-a', 'doc-cn', 'doc-inv-a2', 'other');
INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount)
VALUES ('doc-a', 'doc-cn', 'goodwill', '1.00');

-- The supplier -----------------------------------------------------------------

SELECT throws_ok($$SELECT invoice.invoice_pdf('doc-inv-a')$$, '55000', 'the supplier is not configured',
                 'no supplier row: no document (55000)');
INSERT INTO invoice.supplier (legal_name, address, email) VALUES ('Docs Supplier Ltd', 'Somewhere 1', 'billing@docs.example');

-- Results ---------------------------------------------------------------------

SELECT is(substring(invoice.invoice_pdf('doc-inv-a') FROM 1 FOR 5), '\x255044462d'::bytea,
          'invoice_pdf returns a PDF (%PDF-)');
SELECT ok(position('\x2525454f46'::bytea IN invoice.invoice_pdf('doc-inv-a')) > 0,
          'with an end-of-file marker (%%EOF)');
SELECT ok(octet_length(invoice.invoice_pdf('doc-inv-a')) BETWEEN 50000 AND 1000000,
          'of a plausible size (fonts embedded)');
SELECT is(invoice.invoice_pdf('doc-inv-a'), invoice.invoice_pdf('doc-inv-a'),
          'the same rows give the same bytes (no clock in the PDF: STABLE is true)');
SELECT isnt(invoice.invoice_pdf('doc-inv-a'), invoice.invoice_pdf('doc-inv-b'), 'another invoice, another PDF');
SELECT is(substring(invoice.receipt_pdf('doc-a', (SELECT receipt_id FROM invoice.receipts WHERE org_id = 'doc-a'))
                    FROM 1 FOR 5), '\x255044462d'::bytea, 'receipt_pdf returns a PDF');
SELECT is(substring(invoice.credit_note_pdf('doc-cn') FROM 1 FOR 5), '\x255044462d'::bytea,
          'credit_note_pdf returns a PDF, also of a draft note');
SELECT is(substring(invoice.invoice_pdf_zip(ARRAY['doc-inv-a']) FROM 1 FOR 4), '\x504b0304'::bytea,
          'invoice_pdf_zip returns a ZIP archive (PK\3\4)');
SELECT is(invoice.invoice_pdf_zip(ARRAY['doc-inv-a', 'doc-inv-b', 'doc-inv-a', 'doc-inv-b']),
          invoice.invoice_pdf_zip(ARRAY['doc-inv-a', 'doc-inv-b']),
          'duplicate ids are collapsed: the archive is byte for byte that of the distinct ids');
SELECT isnt(invoice.invoice_pdf_zip(ARRAY['doc-inv-a', 'doc-inv-b']),
            invoice.invoice_pdf_zip(ARRAY['doc-inv-b', 'doc-inv-a']),
            'members keep the order of the ids given');
SELECT ok(position(invoice.invoice_pdf('doc-inv-a') IN invoice.invoice_pdf_zip(ARRAY['doc-inv-a', 'doc-inv-b'])) > 0,
          'a member is the invoice''s PDF, stored as it is');
SELECT ok(octet_length(invoice.invoice_pdf_zip(ARRAY['doc-inv-a', 'doc-inv-b']))
          > octet_length(invoice.invoice_pdf('doc-inv-a')) + octet_length(invoice.invoice_pdf('doc-inv-b')),
          'the archive holds both PDFs whole');

-- Arguments -------------------------------------------------------------------

SELECT throws_ok($$SELECT invoice.invoice_pdf(NULL)$$, '22004', 'invoice id must not be null', 'invoice_pdf(NULL): 22004');
SELECT throws_ok($$SELECT invoice.invoice_pdf('doc-nope')$$, 'P0002', 'invoice "doc-nope" does not exist',
                 'invoice_pdf of an unknown id: P0002 naming it');
SELECT throws_ok($$SELECT invoice.invoice_pdf('doc-shared')$$, '21000', NULL,
                 'invoice_pdf of an id two organisations use: 21000');
SELECT throws_ok($$SELECT invoice.invoice_pdf_zip(NULL)$$, '22004', 'invoice ids must not be null',
                 'invoice_pdf_zip(NULL): 22004');
SELECT throws_ok($$SELECT invoice.invoice_pdf_zip('{}')$$, '22023', 'the list of invoice ids is empty',
                 'invoice_pdf_zip of an empty list: 22023');
SELECT throws_ok($$SELECT invoice.invoice_pdf_zip(ARRAY['doc-inv-a', NULL])$$, '22004',
                 'invoice ids must not contain null', 'invoice_pdf_zip with a NULL id: 22004');
SELECT throws_ok($$SELECT invoice.invoice_pdf_zip(ARRAY['doc-inv-a', 'doc-nope', 'doc-inv-b'])$$, 'P0002',
                 'invoice "doc-nope" does not exist', 'invoice_pdf_zip with an unknown id: P0002 naming it');
SELECT throws_ok($$SELECT invoice.invoice_pdf_zip(ARRAY(SELECT 'doc-' || g FROM generate_series(1, 1001) g))$$,
                 '54000', 'an archive holds at most 1000 invoices', 'invoice_pdf_zip of 1001 invoices: 54000');
SELECT throws_ok($$SELECT invoice.receipt_pdf(NULL, 1)$$, '22004', 'organisation id must not be null',
                 'receipt_pdf(NULL, …): 22004');
SELECT throws_ok($$SELECT invoice.receipt_pdf('doc-a', NULL)$$, '22004', 'receipt id must not be null',
                 'receipt_pdf(…, NULL): 22004');
SELECT throws_ok($$SELECT invoice.receipt_pdf('doc-b', (SELECT receipt_id FROM invoice.receipts WHERE org_id = 'doc-a'))$$,
                 'P0002', NULL, 'receipt_pdf of another organisation''s receipt: P0002');
SELECT throws_ok($$SELECT invoice.credit_note_pdf(NULL)$$, '22004', 'credit note id must not be null',
                 'credit_note_pdf(NULL): 22004');
SELECT throws_ok($$SELECT invoice.credit_note_pdf('doc-no-note')$$, 'P0002', 'credit note "doc-no-note" does not exist',
                 'credit_note_pdf of an unknown id: P0002');

-- Access control: the documents read as the caller --------------------------------

SELECT is((SELECT count(*) FROM pg_proc
            WHERE proname IN ('invoice_pdf', 'invoice_pdf_zip', 'receipt_pdf', 'credit_note_pdf')
              AND pronamespace = 'invoice'::regnamespace AND NOT prosecdef AND provolatile = 's'),
          4::bigint, 'the four document functions are STABLE and read with the caller''s rights (not SECURITY DEFINER)');

CREATE ROLE doc_outsider;
GRANT USAGE ON SCHEMA invoice TO doc_outsider;
SET LOCAL ROLE doc_outsider;
SELECT throws_ok($$SELECT invoice.invoice_pdf('doc-inv-a')$$, '42501', NULL,
                 'a role without the tables'' privileges gets no PDF (42501)');
RESET ROLE;

-- a viewer of doc-a, granted what printing needs: the tables, and
-- invoice_tax_lines (a GST invoice's summary)
CREATE ROLE doc_viewer;
GRANT USAGE ON SCHEMA invoice TO doc_viewer;
GRANT SELECT ON ALL TABLES IN SCHEMA invoice TO doc_viewer;
GRANT EXECUTE ON FUNCTION invoice.invoice_tax_lines(text) TO doc_viewer;
INSERT INTO invoice.members (org_id, member, role) VALUES ('doc-a', 'doc_viewer', 'viewer');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, currency, tax_rate, gst)
VALUES ('doc-a', 'doc-gst-a', '2025-04-01', '2025-05-01', '2025-05-01', 'INR', 18, true);
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, hsn_sac)
VALUES ('doc-a', 'doc-gst-a', 'service', 1, 100, '998315');
UPDATE invoice.supplier SET gstin = '29AABCE1234F1Z1', state_code = '29';
SELECT FROM invoice.invoice_issue('doc-gst-a');
SET LOCAL ROLE doc_viewer;
SELECT is(substring(invoice.invoice_pdf('doc-inv-a') FROM 1 FOR 5), '\x255044462d'::bytea,
          'a viewer gets the PDF of its organisation''s invoice');
SELECT is(substring(invoice.invoice_pdf('doc-gst-a') FROM 1 FOR 5), '\x255044462d'::bytea,
          '… of a GST invoice too (its summary read through invoice_tax_lines)');
SELECT throws_ok($$SELECT invoice.invoice_pdf('doc-inv-b')$$, 'P0002', 'invoice "doc-inv-b" does not exist',
                 '… and none of another organisation''s: it "does not exist" (P0002)');
SELECT throws_ok($$SELECT invoice.invoice_pdf_zip(ARRAY['doc-inv-a', 'doc-inv-b'])$$, 'P0002',
                 'invoice "doc-inv-b" does not exist', '… not even inside an archive');
SELECT is(substring(invoice.invoice_pdf('doc-shared') FROM 1 FOR 5), '\x255044462d'::bytea,
          '… and an id shared with another organisation is not ambiguous to it');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
