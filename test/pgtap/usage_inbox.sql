-- usage inbox (issue #15, README "Usage billing", "Loading through the inbox"): COPY into
-- invoice.usage_inbox, then usage_ingest() moves the rows into usage_records with the row
-- gate's rules, set-based.
--
-- Loaded once, under one load batch, with its product; a re-send (a second time, or twice in
-- one ingest, 800 = 800.000) changes nothing; other values under a loaded key, or two values
-- of a new key in one ingest, are parked ('conflicting values'); each refusal of the gate is
-- parked with its reason (unknown organisation or product, an empty region is not a missing
-- one, negative / NaN / infinite quantity, end before start, blank key, key over 255 bytes),
-- shown by usage_unrated, never loaded and never retried by itself; NULLs (23502) and garbage
-- (22P02) are refused by the COPY itself.  usage_ingest(org) takes that organisation's rows
-- only; a generation ingests first (a sender who only uses the inbox is billed); COPY
-- straight into usage_records keeps its gate after an ingest.  Rights: owners and
-- billing_admins send (INSERT) and take back (DELETE) their own organisation's rows and
-- ingest them; viewers and other organisations' members may not (42501 / P0002); COPY is the
-- administrators' (0A000 for a member, PostgreSQL's rule with row-level security); only
-- administrators ingest every organisation; members read their own rows only.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(60);
\ir include/refused.sql

INSERT INTO invoice.orgs (org_id, name) VALUES ('ui-a', 'Inbox A'), ('ui-b', 'Inbox B');
INSERT INTO invoice.products (product_id, product_group, product_line, product_name, region, usage_type, unit, currency) VALUES
    ('ui-egress', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'GB', 'USD'),
    ('ui-vm', 'Compute', 'Virtual Machines', 'C3.8GB', 'Delhi', 'VM-hours', 'hour', 'USD');
INSERT INTO invoice.prices (product_id, effective_from, model, rate) VALUES
    ('ui-egress', '2024-01-01', 'per_unit', 0.09), ('ui-vm', '2024-01-01', 'per_unit', 0.5);

-- Loading ----------------------------------------------------------------------------
COPY invoice.usage_inbox (org_id, idempotency_key, product_group, product_line, product_name, region, usage_type,
                          resource_type, resource_name, quantity, usage_start, usage_end) FROM STDIN;
ui-a	a-1	Network	Bandwidth	Egress	\N	GB	vm	web-1	800	2024-01-05	2024-01-06
ui-a	a-2	Network	Bandwidth	Egress	\N	GB	vm	web-1	400	2024-01-07	2024-01-08
ui-a	a-3	Compute	Virtual Machines	C3.8GB	Delhi	VM-hours	vm	web-1	720	2024-01-01	2024-01-31
ui-b	b-1	Network	Bandwidth	Egress	\N	GB	\N	\N	100	2024-01-10	2024-01-11
\.
SELECT is((SELECT count(*) FROM invoice.usage_records WHERE org_id LIKE 'ui-%'), 0::bigint,
          'COPY into the inbox loads nothing into usage_records by itself');
SELECT is(usage_ingest(), 4::bigint, 'usage_ingest() loads the four records and says so');
SELECT is((SELECT count(*) FROM invoice.usage_inbox), 0::bigint, '... and empties the inbox');
SELECT is((SELECT array_agg(product_id ORDER BY idempotency_key) FROM invoice.usage_records WHERE org_id LIKE 'ui-%'),
          '{ui-egress,ui-egress,ui-vm,ui-egress}'::text[], '... each record with its product');
SELECT is((SELECT count(DISTINCT load_batch) FROM invoice.usage_records WHERE org_id LIKE 'ui-%'), 1::bigint,
          '... all in one load batch');
SELECT is((SELECT sum(quantity) FROM invoice.usage_records WHERE org_id = 'ui-a'), 1920::numeric, '... with their quantities');

CREATE TEMP TABLE before AS SELECT org_id, idempotency_key, ctid::text AS at, load_batch FROM invoice.usage_records WHERE org_id LIKE 'ui-%';
-- the same four again (two of them twice), one with 800.000 for 800
INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_group, product_line, product_name, region, usage_type,
                                 resource_type, resource_name, quantity, usage_start, usage_end) VALUES
    ('ui-a', 'a-1', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'vm', 'web-1', 800.000, '2024-01-05', '2024-01-06'),
    ('ui-a', 'a-1', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'vm', 'web-1', 800, '2024-01-05', '2024-01-06'),
    ('ui-a', 'a-2', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'vm', 'web-1', 400, '2024-01-07', '2024-01-08'),
    ('ui-a', 'a-3', 'Compute', 'Virtual Machines', 'C3.8GB', 'Delhi', 'VM-hours', 'vm', 'web-1', 720, '2024-01-01', '2024-01-31'),
    ('ui-b', 'b-1', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', NULL, NULL, 100, '2024-01-10', '2024-01-11'),
    ('ui-b', 'b-1', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', NULL, NULL, 100, '2024-01-10', '2024-01-11');
SELECT is(usage_ingest(), 0::bigint, 'a re-sent batch (twice over, 800.000 for 800) loads nothing ...');
SELECT is((SELECT count(*) FROM invoice.usage_inbox), 0::bigint, '... leaves nothing in the inbox ...');
SELECT set_eq($$SELECT org_id, idempotency_key, ctid::text AS at, load_batch FROM invoice.usage_records WHERE org_id LIKE 'ui-%'$$,
              $$SELECT * FROM before$$, '... and changes no record');

-- a new key sent twice in one batch: loaded once
INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, usage_type, product_group, product_line, quantity, usage_start, usage_end)
SELECT 'ui-a', 'a-4', 'Egress', 'GB', 'Network', 'Bandwidth', 5, '2024-01-09', '2024-01-09' FROM generate_series(1, 3);
SELECT is(usage_ingest('ui-a'), 1::bigint, 'a new key three times in one batch: one record');

-- Conflicts --------------------------------------------------------------------------
INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_group, product_line, product_name, region, usage_type,
                                 resource_type, resource_name, quantity, usage_start, usage_end) VALUES
    ('ui-a', 'a-1', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'vm', 'web-1', 801, '2024-01-05', '2024-01-06'),
    ('ui-a', 'a-2', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'vm', 'web-2', 400, '2024-01-07', '2024-01-08'),
    ('ui-a', 'a-5', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', NULL, NULL, 1, '2024-01-07', '2024-01-08'),
    ('ui-a', 'a-5', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', NULL, NULL, 2, '2024-01-07', '2024-01-08');
SELECT is(usage_ingest(), 0::bigint, 'other values under loaded keys, two values of a new key: nothing loaded');
SELECT is((SELECT quantity FROM invoice.usage_records WHERE org_id = 'ui-a' AND idempotency_key = 'a-1'), 800::numeric,
          'the loaded record keeps its values');
SELECT is((SELECT count(*) FROM invoice.usage_records WHERE org_id = 'ui-a' AND idempotency_key = 'a-5'), 0::bigint,
          'a key sent with two values in one batch is not loaded');
SELECT set_eq($$SELECT idempotency_key, quantity, reason FROM invoice.usage_inbox$$,
              $$VALUES ('a-1', 801::numeric, 'conflicting values'), ('a-2', 400, 'conflicting values'),
                       ('a-5', 1, 'conflicting values'), ('a-5', 2, 'conflicting values')$$,
              'each conflicting row stays in the inbox, parked with its reason');
SELECT set_eq($$SELECT idempotency_key, quantity, reason FROM invoice.usage_unrated WHERE reason = 'conflicting values'$$,
              $$SELECT idempotency_key, quantity, reason FROM invoice.usage_inbox$$, '... and usage_unrated shows them');
SELECT is(usage_ingest(), 0::bigint, 'a parked row is not retried by the next ingest ...');
SELECT is((SELECT count(*) FROM invoice.usage_inbox WHERE reason IS NOT NULL), 4::bigint, '... it stays parked');
DELETE FROM invoice.usage_inbox WHERE idempotency_key = 'a-5' AND quantity = 2;
UPDATE invoice.usage_inbox SET reason = NULL WHERE idempotency_key = 'a-5';
SELECT is(usage_ingest(), 1::bigint, 'the sender deletes the wrong one and sends the other again: loaded');
DELETE FROM invoice.usage_inbox;

-- Each refusal of the gate, parked with its reason ------------------------------------------
INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_group, product_line, product_name, region, usage_type,
                                 quantity, usage_start, usage_end) VALUES
    ('ui-nobody', 'r-org', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 1, '2024-01-01', '2024-01-02'),
    ('ui-a', 'r-product', 'Network', 'Bandwidth', 'Egress', 'Delhi', 'GB', 1, '2024-01-01', '2024-01-02'),
    ('ui-a', 'r-empty-region', 'Network', 'Bandwidth', 'Egress', '', 'GB', 1, '2024-01-01', '2024-01-02'),
    ('ui-a', 'r-no-name', 'Network', 'Bandwidth', NULL, NULL, 'GB', 1, '2024-01-01', '2024-01-02'),
    ('ui-a', 'r-negative', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', -0.5, '2024-01-01', '2024-01-02'),
    ('ui-a', 'r-nan', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'NaN', '2024-01-01', '2024-01-02'),
    ('ui-a', 'r-infinite', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 'Infinity', '2024-01-01', '2024-01-02'),
    ('ui-a', 'r-minus-infinite', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', '-Infinity', '2024-01-01', '2024-01-02'),
    ('ui-a', 'r-end', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 1, '2024-01-02', '2024-01-01'),
    ('ui-a', E' \t', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 1, '2024-01-01', '2024-01-02'),
    ('ui-a', '', 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 1, '2024-01-01', '2024-01-02'),
    ('ui-a', repeat('k', 256), 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 1, '2024-01-01', '2024-01-02'),
    ('ui-a', repeat('k', 255), 'Network', 'Bandwidth', 'Egress', NULL, 'GB', 0, '2024-01-01', '2024-01-01');
SELECT is(usage_ingest(), 1::bigint, 'of thirteen rows, only the last (a 255-byte key, quantity 0, no duration) loads');
SELECT set_eq($$SELECT left(idempotency_key, 20), reason FROM invoice.usage_inbox$$,
              $$VALUES ('r-org', 'unknown organisation'), ('r-product', 'unknown product'),
                       ('r-empty-region', 'unknown product'), ('r-no-name', 'unknown product'),
                       ('r-negative', 'negative quantity'), ('r-nan', 'quantity not finite'),
                       ('r-infinite', 'quantity not finite'), ('r-minus-infinite', 'quantity not finite'),
                       ('r-end', 'end before start'), (E' \t', 'blank idempotency key'), ('', 'blank idempotency key'),
                       (repeat('k', 20), 'idempotency key too long')$$,
              'every other row is parked with the gate''s reason');
SELECT is((SELECT count(*) FROM invoice.usage_records WHERE idempotency_key LIKE 'r-%' OR org_id = 'ui-nobody'), 0::bigint,
          '... and none is a record');
SELECT is((SELECT count(*) FROM invoice.usage_unrated WHERE reason IN ('unknown organisation', 'unknown product', 'negative quantity',
                                                                      'quantity not finite', 'end before start',
                                                                      'blank idempotency key', 'idempotency key too long')),
          12::bigint, 'usage_unrated shows the twelve with their reasons');
SELECT is((SELECT count(*) FROM invoice.usage_unrated WHERE org_id = 'ui-a' AND reason IS NULL), 6::bigint,
          '... beside the unbilled records (reason NULL)');
-- the price book first, then the parked row sent again: it loads
INSERT INTO invoice.products (product_id, product_group, product_line, product_name, region, usage_type, unit, currency)
VALUES ('ui-egress-delhi', 'Network', 'Bandwidth', 'Egress', 'Delhi', 'GB', 'GB', 'USD');
UPDATE invoice.usage_inbox SET reason = NULL WHERE idempotency_key = 'r-product';
SELECT is(usage_ingest('ui-a'), 1::bigint, 'once its product is in the book, the parked row sent again loads');
DELETE FROM invoice.usage_inbox;

-- NULLs and garbage are the COPY's own errors: nothing of the batch is in the inbox
SELECT pg_temp.refused($$INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, quantity, usage_start, usage_end)
                         VALUES ('ui-a', 'n', 'Egress', NULL, '2024-01-01', '2024-01-01')$$, '23502', NULL, 'NULL quantity: 23502');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, quantity, usage_start, usage_end)
                         VALUES (NULL, 'n', 'Egress', 1, '2024-01-01', '2024-01-01')$$, '23502', NULL, 'NULL organisation: 23502');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, quantity, usage_start, usage_end)
                         VALUES ('ui-a', NULL, 'Egress', 1, '2024-01-01', '2024-01-01')$$, '23502', NULL, 'NULL key: 23502');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, quantity, usage_start, usage_end)
                         VALUES ('ui-a', 'n', 'Egress', 1, NULL, '2024-01-01')$$, '23502', NULL, 'NULL usage_start: 23502');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, quantity, usage_start, usage_end)
                         VALUES ('ui-a', 'n', 'Egress', 'lots', '2024-01-01', '2024-01-01')$$, '22P02', NULL, 'a quantity that is no number: 22P02');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, quantity, usage_start, usage_end)
                         VALUES ('ui-a', 'n', 'Egress', 1, 'yesterday-ish', '2024-01-01')$$, '22007', NULL, 'a time that is no time: 22007');
SELECT pg_temp.refused($$SELECT usage_ingest('')$$, '22023', 'organisation id must not be empty', 'usage_ingest(''''): 22023');
SELECT pg_temp.refused($$SELECT usage_ingest(E' \t')$$, '22023', NULL, 'usage_ingest of a blank id: 22023');
SELECT is(usage_ingest('ui-nobody'), 0::bigint, 'usage_ingest of an organisation with nothing waiting: 0');

-- COPY straight into usage_records keeps its gate after an ingest
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records (org_id, idempotency_key, product_group, product_line, product_name, usage_type,
                                                            resource_type, resource_name, quantity, usage_start, usage_end)
                         VALUES ('ui-a', 'a-1', 'Network', 'Bandwidth', 'Egress', 'GB', 'vm', 'web-1', 801, '2024-01-05', '2024-01-06')$$,
                       'IV011', NULL, 'after an ingest, the gate of usage_records still refuses a changed record (IV011)');
SELECT pg_temp.refused($$INSERT INTO invoice.usage_records (org_id, idempotency_key, product_name, usage_type, quantity, usage_start, usage_end)
                         VALUES ('ui-nobody', 'x', 'Egress', 'GB', 1, '2024-01-05', '2024-01-06')$$,
                       '23503', NULL, '... and an unknown organisation (23503)');

-- One organisation; generation ingests first -------------------------------------------
INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_group, product_line, product_name, usage_type, quantity, usage_start, usage_end) VALUES
    ('ui-a', 'g-a', 'Network', 'Bandwidth', 'Egress', 'GB', 100, '2024-02-03', '2024-02-03'),
    ('ui-b', 'g-b', 'Network', 'Bandwidth', 'Egress', 'GB', 200, '2024-02-03', '2024-02-03');
SELECT is(usage_ingest('ui-b'), 1::bigint, 'usage_ingest(org) loads that organisation''s rows ...');
SELECT is((SELECT array_agg(org_id) FROM invoice.usage_inbox), '{ui-a}'::text[], '... and leaves the others waiting');
DELETE FROM invoice.usage_records WHERE idempotency_key = 'g-b';
INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_group, product_line, product_name, usage_type, quantity, usage_start, usage_end)
VALUES ('ui-b', 'g-b', 'Network', 'Bandwidth', 'Egress', 'GB', 200, '2024-02-03', '2024-02-03');
SELECT is(invoice_generate('2024-02-01', '2024-03-01', 'ui-a'), 1::bigint, 'a generation for one organisation ...');
SELECT isnt((SELECT invoice_id FROM invoice.usage_record_invoices WHERE org_id = 'ui-a' AND idempotency_key = 'g-a'), NULL,
          '... bills what was only sent to the inbox');
SELECT is((SELECT array_agg(org_id) FROM invoice.usage_inbox), '{ui-b}'::text[], '... and ingests that organisation''s rows only');
SELECT is(invoice_generate('2024-02-01', '2024-03-01'), 1::bigint, 'a generation of all organisations ...');
SELECT isnt((SELECT invoice_id FROM invoice.usage_record_invoices WHERE org_id = 'ui-b' AND idempotency_key = 'g-b'), NULL,
          '... bills the other''s inbox too');
SELECT is((SELECT count(*) FROM invoice.usage_inbox), 0::bigint, '... which is empty now');
INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_group, product_line, product_name, usage_type, quantity, usage_start, usage_end)
VALUES ('ui-b', 'g-b2', 'Network', 'Bandwidth', 'Egress', 'GB', 50, '2024-03-03', '2024-03-03');
SELECT is(invoice_generate_due('2024-04-01'), 1::bigint, 'invoice_generate_due ingests first too: March''s invoice of the one record sent');
SELECT is((SELECT count(*) FROM invoice.usage_inbox), 0::bigint, '... and empties the inbox');
INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_group, product_line, product_name, usage_type, quantity, usage_start, usage_end)
VALUES ('ui-a', 'g-a2', 'Network', 'Bandwidth', 'Egress', 'GB', 5, '2024-04-03', '2024-04-03');
SELECT is(invoice_generate_due('2024-04-10', '2024-04-05'), 0::bigint, 'invoice_generate_due when no period ended: no invoice ...');
SELECT is((SELECT count(*) FROM invoice.usage_records WHERE idempotency_key = 'g-a2'), 1::bigint,
          '... but the inbox is loaded all the same (the worker keeps it short)');

-- Rights ---------------------------------------------------------------------------
CREATE ROLE ui_owner NOLOGIN;
CREATE ROLE ui_viewer NOLOGIN;
GRANT USAGE ON SCHEMA invoice TO ui_owner, ui_viewer;
GRANT SELECT, INSERT, DELETE ON invoice.usage_inbox TO ui_owner, ui_viewer;
GRANT SELECT ON invoice.usage_records, invoice.usage_unrated, invoice.usage_record_invoices, invoice.usage_invoices, invoice.orgs, invoice.products
   TO ui_owner, ui_viewer;
GRANT EXECUTE ON FUNCTION invoice.usage_ingest(text) TO ui_owner, ui_viewer;
INSERT INTO invoice.members (org_id, member, role) VALUES ('ui-b', 'ui_owner', 'billing_admin'), ('ui-b', 'ui_viewer', 'viewer');
INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, quantity, usage_start, usage_end, reason)
VALUES ('ui-a', 'parked-a', 'Nothing', 1, '2024-03-01', '2024-03-01', 'unknown product');

SET LOCAL ROLE ui_owner;
SELECT lives_ok($$INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_group, product_line, product_name, usage_type,
                                                   quantity, usage_start, usage_end)
                  VALUES ('ui-b', 'm-1', 'Network', 'Bandwidth', 'Egress', 'GB', 3, '2024-04-02', '2024-04-02'),
                         ('ui-b', 'm-2', 'Network', 'Bandwidth', 'Egress', 'GB', 4, '2024-04-02', '2024-04-02')$$,
                'a billing_admin sends its organisation''s usage');
SELECT throws_ok($$INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, quantity, usage_start, usage_end)
                   VALUES ('ui-a', 'm-x', 'Egress', 1, '2024-04-02', '2024-04-02')$$, '42501', NULL,
                 '... not another organisation''s (42501)');
SELECT throws_ok($$INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, quantity, usage_start, usage_end, reason)
                   VALUES ('ui-b', 'm-x', 'Egress', 1, '2024-04-02', '2024-04-02', 'my own reason')$$, '42501', NULL,
                 '... and no row parked by itself (42501)');
SELECT throws_ok($$COPY invoice.usage_inbox (org_id, idempotency_key, product_name, quantity, usage_start, usage_end) FROM STDIN$$,
                 '0A000', NULL, 'COPY is the administrators'': PostgreSQL refuses it under row-level security (0A000)');
SELECT is((SELECT array_agg(DISTINCT org_id) FROM invoice.usage_inbox), '{ui-b}'::text[], 'a member reads its own inbox rows only');
SELECT is((SELECT count(*) FROM invoice.usage_unrated WHERE org_id = 'ui-a'), 0::bigint, '... and its own unrated usage only');
SELECT throws_ok($$SELECT invoice.usage_ingest()$$, '42501', NULL, 'a member may not ingest every organisation');
SELECT throws_ok($$SELECT invoice.usage_ingest('ui-a')$$, 'P0002', 'organisation "ui-a" does not exist',
                 '... nor another organisation''s (as if it did not exist)');
SELECT is(invoice.usage_ingest('ui-b'), 2::bigint, '... but its own');
INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, quantity, usage_start, usage_end)
VALUES ('ui-b', 'm-3', 'Nothing', 1, '2024-04-02', '2024-04-02');
DELETE FROM invoice.usage_inbox;
RESET ROLE;
SELECT is((SELECT array_agg(idempotency_key) FROM invoice.usage_inbox), '{parked-a}'::text[],
          'a member''s DELETE takes back its own rows, not another organisation''s');

SET LOCAL ROLE ui_viewer;
SELECT throws_ok($$INSERT INTO invoice.usage_inbox (org_id, idempotency_key, product_name, quantity, usage_start, usage_end)
                   VALUES ('ui-b', 'v-1', 'Egress', 1, '2024-04-02', '2024-04-02')$$, '42501', NULL,
                 'a viewer may not send usage (42501)');
SELECT throws_ok($$SELECT invoice.usage_ingest('ui-b')$$, '42501', NULL, '... nor ingest it');
RESET ROLE;

SET LOCAL ROLE ui_owner;
SELECT throws_ok($$SELECT invoice.invoice_generate('2024-04-01', '2024-05-01', 'ui-b')$$, '42501', NULL,
                 'a member still may not generate (which would ingest)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
