-- Hardening (issue #19): limits, refusals that tell nothing, long texts in PDFs, credit-note dates.
--
--   - a text over its limit is refused where it enters, by any path, with 22001 naming it and
--     the limit (README "Limits"); a text at its limit is accepted; an id too long to exist
--     answers as an unknown one;
--   - the read API decides access before it reads anything of an organisation: for a
--     non-member, no index of the organisation's invoices or search signatures is scanned
--     (before, invoice_list(org, search => …) read the organisation's signatures, and its
--     time told how many invoices the organisation had);
--   - PDFs of texts over libharu's 65,535-byte string limit: cut with an ellipsis, never
--     38000 "libharu error 0x105B";
--   - a credit note bears the date of its issue: a note issued after section 34's deadline
--     cannot be dated inside it (before, note_date was whatever the caller passed).
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(29);

INSERT INTO invoice.supplier (legal_name, address, gstin, state_code)
VALUES ('Limits Supplier Ltd', 'Somewhere 1', '29AABCE1234F1Z1', '29');
INSERT INTO invoice.orgs (org_id, name, billing_state) VALUES ('hl-org', 'Hardening limits', '29'), ('hl-other', 'Other', '29');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date, currency, gst, tax_rate)
VALUES ('hl-org', 'hl-1', '2024-01-01', '2024-02-01', '2024-02-01', '2024-03-01', 'INR', true, 18),
       ('hl-org', 'hl-2', '2024-01-01', '2024-02-01', '2024-02-01', '2024-03-01', 'INR', false, 18);
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, hsn_sac)
VALUES ('hl-org', 'hl-1', 'compute hours', '100.00', '998315'), ('hl-org', 'hl-2', 'storage', '50.00', '998315');
SELECT FROM invoice.invoice_issue('hl-1');

-- Limits ------------------------------------------------------------------------------------

SELECT throws_ok($$UPDATE invoice.orgs SET name = repeat('n', 256) WHERE org_id = 'hl-org'$$, '22001',
                 'organisation name is longer than 255 bytes', 'an organisation name of 256 bytes: 22001');
SELECT lives_ok($$UPDATE invoice.orgs SET name = repeat('n', 255) WHERE org_id = 'hl-other'$$,
                'an organisation name of 255 bytes is accepted');
SELECT throws_ok($$INSERT INTO invoice.orgs (org_id, name) VALUES ('hl-x', repeat('n', 70000))$$, '22001',
                 'organisation name is longer than 255 bytes', 'a 70 KB organisation name: 22001 (not a PDF error later)');
SELECT throws_ok($$UPDATE invoice.orgs SET billing_address = repeat('a', 1001) WHERE org_id = 'hl-org'$$, '22001',
                 'billing address is longer than 1000 bytes', 'a billing address of 1001 bytes: 22001');
SELECT throws_ok($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
                   VALUES ('hl-org', 'hl-2', repeat('d', 4001), '1.00')$$, '22001',
                 'line item description is longer than 4000 bytes', 'a line description of 4001 bytes: 22001');
SELECT throws_ok($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
                   VALUES ('hl-org', 'hl-2', repeat('é', 2001), '1.00')$$, '22001', NULL,
                 '… bytes, not characters: 2001 × é is 4002 bytes');
SELECT lives_ok($$INSERT INTO invoice.line_items (org_id, invoice_id, description, amount, product_name, resource_name)
                  VALUES ('hl-org', 'hl-2', repeat('d', 4000), '1.00', repeat('p', 255), repeat('r', 1000))$$,
                'a line description of 4000 bytes, a product name of 255, a resource name of 1000: accepted');
SELECT throws_ok($$UPDATE invoice.line_items SET region = repeat('r', 256) WHERE invoice_id = 'hl-2'$$, '22001',
                 'region is longer than 255 bytes', 'a region of 256 bytes: 22001');
SELECT throws_ok($$UPDATE invoice.invoices SET description = repeat('i', 4001) WHERE id = 'hl-2'$$, '22001',
                 'invoice description is longer than 4000 bytes', 'an invoice description of 4001 bytes: 22001');
SELECT throws_ok($$INSERT INTO invoice.credits (org_id, invoice_id, amount, code) VALUES ('hl-org', 'hl-2', '1.00', repeat('c', 256))$$,
                 '22001', 'credit code is longer than 255 bytes', 'a credit code of 256 bytes: 22001');
SELECT throws_ok($$SELECT invoice.invoice_cancel('hl-1', repeat('r', 1001))$$, '22001',
                 'status reason is longer than 1000 bytes', 'invoice_cancel with a reason of 1001 bytes: 22001');
SELECT is((SELECT status::text FROM invoice.invoices WHERE id = 'hl-1'), 'pending', '… and the invoice is not cancelled');
SELECT throws_ok($$SELECT invoice.invoice_dispute('hl-1', repeat('d', 4001))$$, '22001',
                 'dispute description is longer than 4000 bytes', 'invoice_dispute with a description of 4001 bytes: 22001');
SELECT throws_ok($$SELECT invoice.credit_note_create('hl-1', 'other', repeat('d', 4001))$$, '22001',
                 'credit note description is longer than 4000 bytes', 'credit_note_create with a description of 4001 bytes: 22001');
SELECT throws_ok($$INSERT INTO invoice.payments (org_id, invoice_id, amount, method, provider_ref)
                   VALUES ('hl-org', 'hl-1', '1.00', 'upi', repeat('r', 9000))$$, '22001',
                 'provider reference is longer than 255 bytes',
                 'a payment inserted with a 9000-byte provider reference: 22001 (was 54000 from its index)');
SELECT throws_ok($$UPDATE invoice.supplier SET legal_name = repeat('s', 256)$$, '22001',
                 'supplier legal name is longer than 255 bytes', 'a supplier name of 256 bytes: 22001');
SELECT throws_ok($$SELECT invoice.invoice_describe(repeat('z', 100000))$$, 'P0002', NULL,
                 'an id too long to exist: unknown (P0002), as any unknown id');

-- Refusal before reading ---------------------------------------------------------------------

CREATE ROLE hl_stranger NOLOGIN;
CREATE ROLE hl_member NOLOGIN;
INSERT INTO invoice.members (org_id, member, role) VALUES ('hl-org', 'hl_member', 'viewer');
GRANT USAGE ON SCHEMA invoice TO hl_stranger, hl_member;
GRANT SELECT ON ALL TABLES IN SCHEMA invoice TO hl_stranger, hl_member;
-- scans of the indexes that hold the organisation's invoices and signatures, in this transaction
CREATE FUNCTION pg_temp.scans() RETURNS bigint LANGUAGE sql AS $$
    SELECT sum(pg_stat_get_xact_numscans(i.indexrelid))::bigint
      FROM pg_index i WHERE i.indrelid IN ('invoice.invoices'::regclass, 'invoice.search_signatures'::regclass)
$$;
SELECT pg_temp.scans() AS scans0 \gset
SET LOCAL ROLE hl_stranger;
SELECT invoice.invoice_list('hl-org', search => 'compute') AS stranger_list \gset
SELECT invoice.invoice_summary('hl-org') AS stranger_summary \gset
SELECT invoice.billing_v3_invoices('hl-org') AS stranger_v3 \gset
SELECT count(*) AS stranger_csv FROM invoice.invoice_csv('hl-org', search => 'compute') \gset
RESET ROLE;
SELECT is(pg_temp.scans(), :scans0::bigint,
          'a non-member''s list (with a search), summary, Billing v3 page and CSV scan no index of the organisation''s invoices or signatures');
SELECT is(:'stranger_list'::jsonb, invoice.invoice_list('hl-nowhere', search => 'compute')::jsonb,
          '… and its list answers as for an organisation that does not exist');
SELECT is(:stranger_csv::bigint, 0::bigint, '… its CSV export is empty');
SET LOCAL ROLE hl_member;
SELECT is((invoice.invoice_list('hl-org', search => 'compute')::jsonb -> 'data' ->> 'count'), '1',
          'a member''s search finds the invoice');
RESET ROLE;
SELECT cmp_ok(pg_temp.scans(), '>', :scans0::bigint, '… reading the organisation''s indexes (the counter counts)');

-- Long texts in PDFs -------------------------------------------------------------------------

SELECT lives_ok($$SELECT invoice.invoice_pdf('hl-2')$$,
                'a PDF with a 4000-byte unbroken description and texts at their limits renders');
-- Texts from before the limits (or loaded around them): the renderer alone must cope.
ALTER TABLE invoice.orgs DROP CONSTRAINT orgs_name_length;
ALTER TABLE invoice.line_items DROP CONSTRAINT line_items_description_length;
ALTER TABLE invoice.invoices DROP CONSTRAINT invoices_description_length;
UPDATE invoice.orgs SET name = repeat('Ω', 35000) WHERE org_id = 'hl-org';   -- 70,000 bytes
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount) VALUES ('hl-org', 'hl-2', repeat('x', 65536), '1.00');
UPDATE invoice.invoices SET description = repeat('word ', 20000) WHERE id = 'hl-2';
SELECT lives_ok($$SELECT invoice.invoice_pdf('hl-2')$$,
                'a 70 KB organisation name, a 65,536-byte unbroken line description, a 100 KB description: the PDF renders (was 38000, libharu 0x105B)');
SELECT cmp_ok(octet_length(invoice.invoice_pdf('hl-2')), '<', 200000, '… cut, not printed whole');
SELECT lives_ok($$SELECT invoice.invoice_pdf_zip(ARRAY['hl-2', 'hl-1'])$$, '… and it goes into a ZIP');

-- Credit notes bear the date of their issue ---------------------------------------------------

-- hl-1 (GST) is dated 2024-02-01, financial year 2023-24: credit notes until 2024-11-30.
SELECT credit_note_id AS late_note FROM invoice.credit_note_create('hl-1', 'other', 'late') \gset
INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount, hsn_sac)
VALUES ('hl-org', :'late_note', 'late', '1.00', '998315');
SET LOCAL invoice.test_clock = '2024-12-05 10:00:00+00';
SELECT throws_ok(format($$SELECT invoice.credit_note_issue(%L, '2024-11-30')$$, :'late_note'), '22023',
                 'credit note date 2024-11-30 is not the date of issue, 2024-12-05',
                 'issued on 5 December, a note dated 30 November (inside section 34''s deadline): refused (22023)');
SELECT throws_ok(format($$SELECT invoice.credit_note_issue(%L)$$, :'late_note'), 'IV010', NULL,
                 '… dated by the clock, it is past the deadline (IV010)');
SET LOCAL invoice.test_clock = '2024-11-30 10:00:00+00';
SELECT is((SELECT note_date FROM invoice.credit_note_issue(:'late_note', '2024-11-30')), '2024-11-30'::date,
          'issued on 30 November, a note dated that day (the date given must be the date of issue): accepted');

SELECT * FROM finish();
ROLLBACK;
