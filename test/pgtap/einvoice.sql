-- e-invoice and the GST breakdown of Describe (issue #17): invoice_einvoice_json writes the
-- IRP's schema INV-01 1.1 from an issued GST invoice, with hand-checked figures; everything
-- the schema cannot carry is refused (IV020) naming the field; invoice_einvoice_record keeps
-- what the IRP returned (idempotent, IV021 on a conflicting answer, administrators only);
-- Describe's gst object, with the place of supply of UIN holders.  The documents are
-- validated against the schema itself by test/shell/einvoice.sh.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(64);

\o /dev/null
\ir ../einvoice/fixture.sql
\o
\ir include/refused.sql

CREATE FUNCTION pg_temp.ei(p_id text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT invoice.invoice_einvoice_json(p_id)::jsonb
$$;
CREATE FUNCTION pg_temp.gst(p_id text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT invoice.invoice_describe(p_id)::jsonb #> '{data,gst}'
$$;

-- Catalog ----------------------------------------------------------------------------------

SELECT has_function('invoice', 'invoice_einvoice_json', ARRAY['text'], 'invoice_einvoice_json(text) exists');
SELECT has_function('invoice', 'invoice_einvoice_record',
                    ARRAY['text', 'text', 'bigint', 'timestamp with time zone', 'text', 'text'],
                    'invoice_einvoice_record(id, irn, ack_no, ack_date, signed_qr_code, signed_invoice) exists');
SELECT has_table('invoice', 'einvoices', 'invoice.einvoices exists');
SELECT ok('invoice.einvoices'::regclass = ANY (invoice.distributed_tables()), 'einvoices is distributed with the organisation''s data');
SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'invoice.einvoices'::regclass), 'einvoices has row-level security');
SELECT is(has_function_privilege('public', 'invoice.invoice_einvoice_record(text, text, bigint, timestamptz, text, text)', 'EXECUTE'),
          false, 'PUBLIC may not record e-invoices');

-- Describe's gst object ------------------------------------------------------------------

SELECT is(pg_temp.gst('ei-1'),
          '{"placeOfSupply": "29", "intraState": true, "supplierGstin": "29AAACI1681G1ZL",
            "recipientGstin": "29AAHCR6226R1ZJ", "recipientKind": "normal", "reverseCharge": false, "roundOff": 0,
            "rates": [{"rate": 12, "taxableValue": 1520, "cgst": 92, "sgst": 92, "igst": 0, "tax": 184}]}'::jsonb,
          'ei-1 (two lines of 7.60 at 12 % within the state): CGST 0.92, SGST 0.92 per line rounding');
SELECT is(pg_temp.gst('ei-2'),
          '{"placeOfSupply": "27", "intraState": false, "supplierGstin": "29AAACI1681G1ZL",
            "recipientGstin": "27AAPFU0939F1ZV", "recipientKind": "normal", "reverseCharge": false, "roundOff": 0,
            "rates": [{"rate": 5, "taxableValue": 9000, "cgst": 0, "sgst": 0, "igst": 450, "tax": 450},
                      {"rate": 18, "taxableValue": 81000, "cgst": 0, "sgst": 0, "igst": 14580, "tax": 14580}]}'::jsonb,
          'ei-2 (Maharashtra): IGST 4.50 at 5 % and 145.80 at 18 % on the taxable values after the credit');
SELECT is(pg_temp.gst('ei-3') - 'rates' - 'supplierGstin' - 'roundOff',
          '{"placeOfSupply": "07", "intraState": false, "recipientGstin": "0717UNO00157UNO", "recipientKind": "uin",
            "reverseCharge": false}'::jsonb,
          'a UIN holder in Delhi: the place of supply is the UIN''s state (07), IGST');
SELECT is(pg_temp.gst('ei-3') -> 'rates', '[{"rate": 18, "taxableValue": 100000, "cgst": 0, "sgst": 0, "igst": 18000, "tax": 18000}]',
          '... IGST 180.00 on 1000.00');
SELECT is(pg_temp.gst('ei-4') - 'rates' - 'supplierGstin' - 'roundOff',
          '{"placeOfSupply": "29", "intraState": true, "recipientGstin": "2917UNO00001UN1", "recipientKind": "uin",
            "reverseCharge": true}'::jsonb,
          'a UIN holder in Karnataka, the supplier''s state: CGST + SGST, under reverse charge here');
SELECT is(pg_temp.gst('ei-4') -> 'rates', '[{"rate": 18, "taxableValue": 100000, "cgst": 9000, "sgst": 9000, "igst": 0, "tax": 18000}]',
          '... CGST 90.00 + SGST 90.00');
SELECT is(pg_temp.gst('ei-draft') ->> 'placeOfSupply', '29', 'a draft: the place of supply it will be issued with');
SELECT is(pg_temp.gst('ei-usd'), 'null'::jsonb, 'an invoice that is not a GST invoice: gst is null');
SELECT is((SELECT count(*)::int FROM invoice.invoices i
            WHERE i.gst AND (SELECT sum((r ->> 'tax')::bigint) FROM jsonb_array_elements(pg_temp.gst(i.id) -> 'rates') r)
                            IS DISTINCT FROM i.tax::bigint),
          0, 'every GST invoice: the rates'' tax adds up to the invoice''s tax');

-- The e-invoice --------------------------------------------------------------------------

SELECT is(pg_temp.ei('ei-2'),
          '{"Version": "1.1",
            "TranDtls": {"TaxSch": "GST", "SupTyp": "B2B", "RegRev": "N", "IgstOnIntra": "N"},
            "DocDtls": {"Typ": "INV", "No": "EI/2526/000002", "Dt": "15/10/2025"},
            "SellerDtls": {"Gstin": "29AAACI1681G1ZL", "LglNm": "Nimbus Cloud Services Private Limited",
                           "Addr1": "4th Floor, 80 Feet Road", "Addr2": "Koramangala", "Loc": "Bengaluru",
                           "Pin": 560034, "Stcd": "29", "Em": "billing@nimbus.example"},
            "BuyerDtls": {"Gstin": "27AAPFU0939F1ZV", "LglNm": "Mumbai Traders LLP", "Pos": "27",
                          "Addr1": "7 Nariman Point", "Addr2": "Fort", "Loc": "Mumbai", "Pin": 400021, "Stcd": "27",
                          "Em": "finance@mumbai-traders.example"},
            "ItemList": [
              {"SlNo": "1", "PrdDesc": "Compute hours", "IsServc": "Y", "HsnCd": "998315", "Qty": 720,
               "UnitPrice": 1.25, "TotAmt": 900.00, "Discount": 90.00, "AssAmt": 810.00, "GstRt": 18,
               "IgstAmt": 145.80, "CgstAmt": 0, "SgstAmt": 0, "TotItemVal": 955.80},
              {"SlNo": "2", "PrdDesc": "Edge appliance", "IsServc": "N", "HsnCd": "8471", "Qty": 1, "Unit": "OTH",
               "UnitPrice": 100.00, "TotAmt": 100.00, "Discount": 10.00, "AssAmt": 90.00, "GstRt": 5,
               "IgstAmt": 4.50, "CgstAmt": 0, "SgstAmt": 0, "TotItemVal": 94.50}],
            "ValDtls": {"AssVal": 900.00, "CgstVal": 0, "SgstVal": 0, "IgstVal": 150.30, "RndOffAmt": 0,
                        "TotInvVal": 1050.30}}'::jsonb,
          'ei-2: the whole document, figures worked out by hand (fixture comments)');
SELECT is(invoice.invoice_einvoice_json('ei-3')::text,
          '{"Version":"1.1","TranDtls":{"TaxSch":"GST","SupTyp":"B2B","RegRev":"N","IgstOnIntra":"N"},'
          '"DocDtls":{"Typ":"INV","No":"EI/2526/000003","Dt":"15/10/2025"},'
          '"SellerDtls":{"Gstin":"29AAACI1681G1ZL","LglNm":"Nimbus Cloud Services Private Limited",'
          '"Addr1":"4th Floor, 80 Feet Road","Addr2":"Koramangala","Loc":"Bengaluru","Pin":560034,"Stcd":"29",'
          '"Em":"billing@nimbus.example"},'
          '"BuyerDtls":{"Gstin":"0717UNO00157UNO","LglNm":"United Nations Office Delhi","Pos":"07",'
          '"Addr1":"UN House, 55 Lodhi Estate","Loc":"New Delhi","Pin":110003,"Stcd":"07"},'
          '"ItemList":[{"SlNo":"1","PrdDesc":"Managed hosting","IsServc":"Y","HsnCd":"998315","Qty":1,'
          '"UnitPrice":1000.00,"TotAmt":1000.00,"Discount":0.00,"AssAmt":1000.00,"GstRt":18,"IgstAmt":180.00,'
          '"CgstAmt":0.00,"SgstAmt":0.00,"TotItemVal":1180.00}],'
          '"ValDtls":{"AssVal":1000.00,"CgstVal":0.00,"SgstVal":0.00,"IgstVal":180.00,"RndOffAmt":0.00,"TotInvVal":1180.00}}',
          'ei-3 (a UIN holder in Delhi): the text, compact, keys in the schema''s order, amounts with two decimals');
SELECT is(pg_temp.ei('ei-1') -> 'ValDtls',
          '{"AssVal": 15.20, "CgstVal": 0.92, "SgstVal": 0.92, "IgstVal": 0, "RndOffAmt": 0, "TotInvVal": 17.04}'::jsonb,
          'ei-1: CGST 0.92 + SGST 0.92 on 15.20, total 17.04');
SELECT is(pg_temp.ei('ei-1') #> '{DocDtls,Dt}', '"15/09/2025"', 'ei-1: the document date DD/MM/YYYY (UTC)');
SELECT is((SELECT jsonb_agg(jsonb_build_array(i -> 'Qty', i -> 'UnitPrice', i -> 'TotAmt', i -> 'CgstAmt'))
             FROM jsonb_array_elements(pg_temp.ei('ei-5') -> 'ItemList') i),
          '[[1, 0.83, 0.83, 0.07], [3, 0.333, 1.00, 0.09], [12.345, 2, 24.69, 2.22]]'::jsonb,
          'ei-5: a price of four decimals goes as one unit at the amount; three decimals go as they are');
SELECT is(pg_temp.ei('ei-5') -> 'ValDtls',
          '{"AssVal": 26.52, "CgstVal": 2.38, "SgstVal": 2.38, "IgstVal": 0, "RndOffAmt": 0, "TotInvVal": 31.28}'::jsonb,
          'ei-5: tax 4.76, total 31.28');
SELECT is(pg_temp.ei('ei-4') #>> '{TranDtls,RegRev}', 'Y', 'reverse charge: RegRev Y');
SELECT is(ARRAY[pg_temp.ei('ei-4') #>> '{BuyerDtls,Pos}', pg_temp.ei('ei-4') #>> '{BuyerDtls,Stcd}',
                pg_temp.ei('ei-4') #>> '{ValDtls,CgstVal}'],
          ARRAY['29', '29', '90.00'], 'the Karnataka UIN holder: Pos and Stcd 29, CGST 90.00');
SELECT ok(NOT (pg_temp.ei('ei-4') -> 'BuyerDtls' ? 'Pin'), 'a recipient without a PIN code: Pin left out (optional)');
SELECT is((SELECT count(*)::int FROM unnest(ARRAY['ei-1', 'ei-2', 'ei-3', 'ei-4', 'ei-5']) AS t(id),
                  LATERAL (SELECT pg_temp.ei(t.id) AS d) e
            WHERE (SELECT sum((i ->> 'AssAmt')::numeric) FROM jsonb_array_elements(e.d -> 'ItemList') i)
                  <> (e.d #>> '{ValDtls,AssVal}')::numeric
               OR (SELECT sum((i ->> 'TotItemVal')::numeric) FROM jsonb_array_elements(e.d -> 'ItemList') i)
                  <> (e.d #>> '{ValDtls,TotInvVal}')::numeric - (e.d #>> '{ValDtls,RndOffAmt}')::numeric
               OR (SELECT sum((i ->> 'TotAmt')::numeric - (i ->> 'Discount')::numeric) FROM jsonb_array_elements(e.d -> 'ItemList') i)
                  <> (e.d #>> '{ValDtls,AssVal}')::numeric
               OR (e.d #>> '{ValDtls,TotInvVal}')::numeric <> (SELECT i.total::numeric FROM invoice.invoices i WHERE i.id = t.id)),
          0, 'every document: items add up to AssVal and TotInvVal, TotAmt - Discount = AssAmt, TotInvVal = the invoice''s total');

-- What the schema cannot carry: IV020, naming it ------------------------------------------

SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_json('ei-draft')$$, 'IV020',
                       'cannot make the e-invoice of invoice "ei-draft"', 'a draft: IV020');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_json('ei-usd')$$, 'IV020', NULL, 'not a GST invoice: IV020');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_json('ei-b2c')$$, 'IV020', NULL, 'an unregistered recipient (B2C): IV020');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_json('ei-oidar')$$, 'IV020', NULL, 'an OIDAR registration as recipient: IV020');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_json('ei-quote')$$, 'IV020', NULL, 'a double quote in the recipient''s name: IV020');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_json('ei-long')$$, 'IV020', NULL, 'a description of 301 characters: IV020');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_json('ei-2031')$$, 'IV020', NULL, 'a date in 2031, past the schema''s 2029: IV020');
CREATE FUNCTION pg_temp.detail(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN
    EXECUTE p_sql;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || d;
END $$;
SELECT is(ARRAY[pg_temp.detail($$SELECT invoice.invoice_einvoice_json('ei-draft')$$),
                pg_temp.detail($$SELECT invoice.invoice_einvoice_json('ei-b2c')$$),
                pg_temp.detail($$SELECT invoice.invoice_einvoice_json('ei-long')$$),
                pg_temp.detail($$SELECT invoice.invoice_einvoice_json('ei-2031')$$)],
          ARRAY['IV020: It is draft: only issued invoices are registered.',
                'IV020: The recipient has no GSTIN or UIN (BuyerDtls.Gstin): e-invoices are for supplies to registered persons.',
                format('IV020: Line %s''s description (ItemList.PrdDesc) must be 3 to 300 characters without a double quote: "%s".',
                       (SELECT line_id FROM invoice.line_items WHERE invoice_id = 'ei-long'), repeat('x', 301)),
                'IV020: The invoice date''s year 2031 is outside what schema 1.1 accepts (DocDtls.Dt: 2010 to 2029).'],
          'the detail names the field');
UPDATE invoice.supplier SET city = NULL;
SELECT is(pg_temp.detail($$SELECT invoice.invoice_einvoice_json('ei-2')$$),
          'IV020: the supplier''s city (SellerDtls.Loc) is not set.', 'no supplier city: IV020 naming SellerDtls.Loc');
UPDATE invoice.supplier SET city = 'Bengaluru', address = repeat('y', 101);
SELECT is(pg_temp.detail($$SELECT invoice.invoice_einvoice_json('ei-2')$$),
          format('IV020: the supplier''s address: the first line (SellerDtls.Addr1) must be 1 to 100 characters without a double quote: "%s".', repeat('y', 101)),
          'an address line of 101 characters with nowhere to cut: IV020');
UPDATE invoice.supplier SET address = repeat('y', 60) || ', ' || repeat('z', 60);
SELECT is(ARRAY[pg_temp.ei('ei-2') #>> '{SellerDtls,Addr1}', pg_temp.ei('ei-2') #>> '{SellerDtls,Addr2}'],
          ARRAY[repeat('y', 60), repeat('z', 60)], 'a long single line is cut at ", " into Addr1 and Addr2');
UPDATE invoice.supplier SET address = E'4th Floor, 80 Feet Road\nKoramangala', email = 'not an email';
SELECT ok(NOT (pg_temp.ei('ei-2') -> 'SellerDtls' ? 'Em'), 'an e-mail the schema cannot carry is left out');
UPDATE invoice.supplier SET email = 'billing@nimbus.example';
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_json(NULL)$$, '22004', NULL, 'NULL id: 22004');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_json('no-such')$$, 'P0002', NULL, 'unknown id: P0002');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_json('')$$, 'P0002', NULL, 'empty id: P0002');

-- Recording what the IRP returned ----------------------------------------------------------

SELECT is((SELECT (e.invoice_id, e.irn, e.ack_no, e.ack_date, e.signed_qr_code)::text
             FROM invoice.invoice_einvoice_record('ei-2', repeat('ab', 32), 112510012345678, '2025-10-20 15:30+05:30',
                                                  'eyJhbGciOiJSUzI1NiJ9.eyJJcm4iOiJhYiJ9.c2ln') e),
          format('(ei-2,%s,112510012345678,"2025-10-20 10:00:00+00",eyJhbGciOiJSUzI1NiJ9.eyJJcm4iOiJhYiJ9.c2ln)', repeat('ab', 32)),
          'invoice_einvoice_record keeps the IRN, acknowledgement and signed QR code');
SELECT is((SELECT e.recorded_at FROM invoice.einvoices e WHERE e.invoice_id = 'ei-2'), '2025-10-20 00:00+00'::timestamptz,
          '... recorded at the clock''s time');
SELECT lives_ok($$SELECT invoice.invoice_einvoice_record('ei-2', repeat('ab', 32), 112510012345678, '2025-10-20 15:30+05:30',
                                                         'eyJhbGciOiJSUzI1NiJ9.eyJJcm4iOiJhYiJ9.c2ln')$$,
                'the same answer again is accepted (a retried integration)');
SELECT is((SELECT count(*)::int FROM invoice.einvoices), 1, '... and changes nothing');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_record('ei-2', repeat('cd', 32), 112510012345679, '2025-10-20 15:30+05:30',
                                                               'eyJhbGciOiJSUzI1NiJ9.eyJJcm4iOiJjZCJ9.c2ln')$$,
                       'IV021', format('invoice "ei-2" already has an e-invoice, or IRN %s belongs to another invoice', repeat('cd', 32)),
                       'another IRN for the same invoice: IV021');
SELECT lives_ok($$SELECT invoice.invoice_einvoice_record('ei-1', repeat('01', 32), 112510012345680, '2025-10-20 15:30+05:30',
                                                         'eyJhbGciOiJSUzI1NiJ9.eyJJcm4iOiIwMSJ9.c2ln')$$,
                'another invoice of another organisation gets its own IRN');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_record('ei-5', repeat('01', 32), 112510012345681, '2025-10-20 15:30+05:30',
                                                               'eyJhbGciOiJSUzI1NiJ9.eyJJcm4iOiIwMSJ9.c2ln')$$,
                       'IV021', NULL, 'the IRN of another invoice of the organisation: IV021');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_record('ei-draft', repeat('ef', 32), 1, '2025-10-20', 'a.b.c')$$,
                       'IV020', NULL, 'no IRN for an invoice whose e-invoice cannot be made: IV020');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_record('ei-3', repeat('AB', 32), 1, '2025-10-20', 'a.b.c')$$,
                       '22023', format('IRN must be 64 lower-case hexadecimal digits, not "%s"', repeat('AB', 32)),
                       'an IRN in upper case: 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_record('ei-3', 'abc', 1, '2025-10-20', 'a.b.c')$$, '22023', NULL,
                       'a short IRN: 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_record('ei-3', repeat('ab', 32), 0, '2025-10-20', 'a.b.c')$$, '22023', NULL,
                       'acknowledgement number 0: 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_record('ei-3', repeat('ef', 32), 1, 'infinity', 'a.b.c')$$, '22023', NULL,
                       'an infinite acknowledgement date: 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_record('ei-3', repeat('ef', 32), 1, '2025-10-20', 'not a jws')$$, '22023',
                       'signed QR code must be a compact JWS (three base64url parts separated by dots)', 'a QR code that is not a JWS: 22023');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_record('ei-3', repeat('ef', 32), 1, '2025-10-20', 'a.b.c', 'x..y')$$, '22023', NULL,
                       'a signed invoice that is not a JWS: 22023');
SELECT is(ARRAY[pg_temp.detail($$SELECT invoice.invoice_einvoice_record(NULL, repeat('ef', 32), 1, '2025-10-20', 'a.b.c')$$),
                pg_temp.detail($$SELECT invoice.invoice_einvoice_record('ei-3', NULL, 1, '2025-10-20', 'a.b.c')$$),
                pg_temp.detail($$SELECT invoice.invoice_einvoice_record('ei-3', repeat('ef', 32), NULL, '2025-10-20', 'a.b.c')$$),
                pg_temp.detail($$SELECT invoice.invoice_einvoice_record('ei-3', repeat('ef', 32), 1, NULL, 'a.b.c')$$),
                pg_temp.detail($$SELECT invoice.invoice_einvoice_record('ei-3', repeat('ef', 32), 1, '2025-10-20', NULL)$$)],
          ARRAY['22004: ', '22004: ', '22004: ', '22004: ', '22004: '], 'NULL for any required argument: 22004');

-- Who may: members read their organisation's e-invoices; only administrators record.
CREATE ROLE ei_member;
GRANT USAGE ON SCHEMA invoice TO ei_member;
GRANT SELECT ON invoice.orgs, invoice.invoices, invoice.line_items, invoice.credits, invoice.supplier,
                invoice.einvoices, invoice.members TO ei_member;
INSERT INTO invoice.members (org_id, member, role) VALUES ('ei-mum', 'ei_member', 'owner');
SET LOCAL ROLE ei_member;
SELECT is(pg_temp.ei('ei-2') #>> '{DocDtls,No}', 'EI/2526/000002', 'a member reads its organisation''s e-invoice');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_json('ei-3')$$, 'P0002', 'invoice "ei-3" does not exist',
                       'another organisation''s invoice does not exist (P0002)');
SELECT is((SELECT array_agg(invoice_id) FROM invoice.einvoices), ARRAY['ei-2'], 'a member sees its organisation''s IRNs');
SELECT pg_temp.refused($$SELECT invoice.invoice_einvoice_record('ei-2', repeat('ab', 32), 112510012345678, '2025-10-20 15:30+05:30',
                                                               'eyJhbGciOiJSUzI1NiJ9.eyJJcm4iOiJhYiJ9.c2ln')$$,
                       '42501', NULL, 'a member (even an owner) may not record an e-invoice: 42501');
RESET ROLE;

SELECT is((SELECT (d #>> '{ValDtls,AssVal}') || ' ' || (d #>> '{ValDtls,CgstVal}') || ' ' || (d #>> '{ValDtls,SgstVal}')
                  || ' ' || (d #>> '{ValDtls,RndOffAmt}') || ' ' || (d #>> '{ValDtls,TotInvVal}')
             FROM (SELECT invoice.invoice_einvoice_json('ei-round')::jsonb AS d) x),
          '15.20 1.36 1.36 0.08 18.00',
          'ei-round: rounded off to the rupee, RndOffAmt 0.08 and TotInvVal 18.00 = 15.20 + 1.36 + 1.36 + 0.08');

-- Nil-rated, exempt and non-GST lines (README "GST treatment") -------------------------------
SELECT is(pg_temp.ei('ei-mixed') -> 'ItemList',
          '[{"SlNo": "1", "PrdDesc": "Managed hosting", "IsServc": "Y", "HsnCd": "998315", "Qty": 1, "UnitPrice": 1000.00,
             "TotAmt": 1000.00, "Discount": 100.00, "AssAmt": 900.00, "GstRt": 18, "IgstAmt": 0.00, "CgstAmt": 81.00,
             "SgstAmt": 81.00, "TotItemVal": 1062.00}]'::jsonb,
          'ei-mixed: the taxable line is the only item (the exempt and nil-rated lines are not items)');
SELECT is(pg_temp.ei('ei-mixed') -> 'ValDtls',
          '{"AssVal": 900.00, "CgstVal": 81.00, "SgstVal": 81.00, "IgstVal": 0.00, "OthChrg": 225.00, "RndOffAmt": 0.00,
            "TotInvVal": 1287.00}'::jsonb,
          'ei-mixed: their taxable values after credits (180.00 + 45.00) are OthChrg, out of AssVal; 900 + 162 + 225 = 1287');
SELECT ok(NOT (pg_temp.ei('ei-1') -> 'ValDtls' ? 'OthChrg'), 'an invoice of taxable lines only: no OthChrg (as before)');
SELECT is(pg_temp.detail($$SELECT invoice.invoice_einvoice_json('ei-exempt')$$),
          'IV020: Every line is nil-rated, exempt or non-GST (ItemList): a bill of supply has no e-invoice.',
          'an invoice of exempt lines only (a bill of supply): IV020');
SELECT * FROM finish();
ROLLBACK;
