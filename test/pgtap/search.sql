-- search: the search signatures (src/search.c, sql/ext/58_search.sql).
--   - search_signature, search_signature_union and search_may_contain with
--     NULLs, empty input, garbage and short terms;
--   - no false negatives: whenever text_icontains(text, term), the
--     signature of the text may contain the term (texts and terms with
--     upper case, non-ASCII, digits and punctuation), while most terms that
--     are absent are ruled out (the filter filters);
--   - the triggers keep every invoice's signature covering its texts: new
--     invoices, the number given at issue, a draft's new description, lines
--     inserted, a line's new description, a draft deleted;
--   - search_rebuild: exact signatures again, for one organisation or all,
--     and an invoice loaded without triggers is found once it has run;
--   - search_candidates with NULLs;
--   - the list and the CSV export answer as a plain ILIKE query would.
\ir include/begin.sql
SET search_path = invoice, public;

SELECT plan(53);

\ir include/refused.sql

-- The functions -----------------------------------------------------------------------

SELECT is(search_signature(NULL), NULL, 'search_signature(NULL): NULL');
SELECT is(length(search_signature('{}')), 256, 'search_signature of no text: 256 bytes');
SELECT is(search_signature('{}'), decode(repeat('00', 256), 'hex'), '… all zero');
SELECT is(search_signature(ARRAY[NULL, '', 'ab']), search_signature('{}'),
          'NULL elements, empty texts and texts of fewer than 3 bytes add nothing');
SELECT isnt(search_signature(ARRAY['abc']), search_signature('{}'), 'a text of 3 bytes adds its trigram');
SELECT is(search_signature(ARRAY['Cloud Storage']), search_signature(ARRAY['cLOUD sTORAGE']),
          'the signature is of the lowered text');

SELECT is(search_may_contain(NULL, 'abc'), true, 'search_may_contain(NULL signature, term): true');
SELECT is(search_may_contain(search_signature('{}'), NULL), true, 'search_may_contain(signature, NULL): true');
SELECT is(search_may_contain(search_signature('{}'), ''), true, 'an empty term: true (it matches everything)');
SELECT is(search_may_contain(search_signature('{}'), 'ab'), true, 'a term of 2 bytes: true (no trigram to test)');
SELECT is(search_may_contain(search_signature('{}'), 'abc'), false, 'the empty signature holds no term of 3 bytes');
SELECT is(search_may_contain(search_signature(ARRAY['Block storage GB-month']), 'STORAGE gb'), true,
          'a term within a text, in another case: true');
SELECT is(search_may_contain(search_signature(ARRAY['Block storage GB-month']), 'Compute'), false,
          'a term in none of the texts: false');
SELECT is(search_may_contain(search_signature(ARRAY['Block storage GB-month']), 'Compute' COLLATE "C"), true,
          'a term in another collation than the default: true (the signatures are of the default''s lower())');
SELECT pg_temp.refused($$SELECT search_may_contain('\x00'::bytea, 'abc')$$, '22023',
               'the signature is not a search signature', 'search_may_contain of garbage: 22023');
SELECT pg_temp.refused($$SELECT search_may_contain(''::bytea, 'abc')$$, '22023', NULL,
               'search_may_contain of an empty bytea: 22023');
SELECT pg_temp.refused($$SELECT search_may_contain(search_signature('{}') || '\x00'::bytea, 'abc')$$, '22023', NULL,
               'search_may_contain of a signature one byte too long: 22023');

SELECT is(search_signature_union(NULL, NULL), search_signature('{}'), 'search_signature_union(NULL, NULL): empty');
SELECT is(search_signature_union(search_signature(ARRAY['alpha']), NULL), search_signature(ARRAY['alpha']),
          'union with NULL: the signature itself');
SELECT is(search_signature_union(search_signature(ARRAY['alpha']), search_signature(ARRAY['beta gamma'])),
          search_signature(ARRAY['alpha', 'beta gamma']), 'union: the signature of both texts');
SELECT pg_temp.refused($$SELECT search_signature_union('garbage'::bytea, NULL)$$, '22023',
               'the argument is not a search signature', 'search_signature_union of garbage: 22023');

-- No false negatives; few false positives ------------------------------------------------

CREATE TEMP TABLE texts AS
SELECT t FROM unnest(ARRAY[
    'Compute instance hours (m5.large)', 'Data transfer OUT (GB)', 'Dedicated cluster c-0007-17 vCPU hours',
    'Größe Ä Ö Ü straße', 'ΣΊΣΥΦΟΣ σίσυφος', 'Café crème brûlée', 'naïve résumé', '日本語のテキスト請求書',
    'INV/2425/000001', '100% uptime_credit \ backslash', 'tab	and newline
here', 'İstanbul ıIiI', 'ǅungla ǈ ǋ', 'emoji 🧾 invoice']) t;
CREATE TEMP TABLE terms AS
SELECT DISTINCT substr(t, s, n) AS term FROM texts, generate_series(1, 40) s, generate_series(3, 9) n
 WHERE length(substr(t, s, n)) = n
UNION SELECT upper(t) FROM texts UNION SELECT lower(t) FROM texts
UNION SELECT unnest(ARRAY['zzz', 'hours)', 'straße', 'STRASSE', 'σίσυ', 'ΣΊΣΥ', '000002', 'credit \', '100%',
                          'c-0007-1', 'c-0007-7 ', 'résumé', 'RÉSUMÉ', 'テキスト', '🧾 inv']);
SELECT cmp_ok((SELECT count(*) FROM texts x CROSS JOIN terms y WHERE text_icontains(x.t, y.term)), '>', 1000::bigint,
              'the pairs: over a thousand (text, term) pairs that match');
SELECT is((SELECT array_agg(format('%L in %L', y.term, x.t)) FROM texts x CROSS JOIN terms y
            WHERE text_icontains(x.t, y.term) AND NOT search_may_contain(search_signature(ARRAY[x.t]), y.term)),
          NULL, 'no false negative: every term a text contains, its signature may contain');
SELECT is((SELECT array_agg(format('%L in %L', y.term, x.t)) FROM texts x CROSS JOIN terms y
            WHERE text_icontains(x.t, y.term)
              AND NOT search_may_contain(search_signature(ARRAY['other', x.t, NULL, 'more text']), y.term)),
          NULL, '… and so may the signature of several texts among which it is');
SELECT cmp_ok((SELECT count(*) FILTER (WHERE search_may_contain(search_signature(ARRAY[x.t]), y.term))::numeric
                      / count(*)
                 FROM texts x CROSS JOIN terms y
                WHERE length(y.term) >= 3 AND NOT text_icontains(x.t, y.term)), '<', 0.02,
              'fewer than 2 % of the terms a text does not contain pass its signature');

-- The triggers keep signatures covering the texts ---------------------------------------

INSERT INTO invoice.orgs (org_id, name) VALUES ('se-org', 'Search org'), ('se-other', 'Other org');
INSERT INTO invoice.invoices (org_id, id, description, period_start, period_end, tax_rate) VALUES
    ('se-org', 'se-1', 'Retainer for Zanzibar', '2024-01-01 UTC', '2024-02-01 UTC', 18),
    ('se-org', 'se-2', NULL, '2024-02-01 UTC', '2024-03-01 UTC', 18),
    ('se-other', 'so-1', 'Retainer for Zanzibar', '2024-01-01 UTC', '2024-02-01 UTC', 18);
CREATE FUNCTION pg_temp.found(term text, org text DEFAULT 'se-org') RETURNS text[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(i->>'id' ORDER BY i->>'id'), '{}')
      FROM json_array_elements(invoice.invoice_list(org, 1, 100, search => term)->'data'->'invoices') i
$$;
CREATE FUNCTION pg_temp.exact(org text) RETURNS boolean LANGUAGE sql AS $$
    SELECT bool_and(g.signature = search_signature(ARRAY[i.number, i.description]
                                                   || ARRAY(SELECT l.description FROM invoice.line_items l
                                                             WHERE l.org_id = i.org_id AND l.invoice_id = i.id)))
           AND count(g.*) = count(*)
      FROM invoice.invoices i
      LEFT JOIN invoice.search_signatures g ON g.org_id = i.org_id AND g.invoice_id = i.id
     WHERE i.org_id = org
$$;

SELECT is((SELECT count(*) FROM invoice.search_signatures WHERE org_id = 'se-org'), 2::bigint,
          'each new invoice has a signature');
SELECT is(pg_temp.found('zanzibar'), '{se-1}', 'a new invoice is found by its description (other organisations'' are not)');
SELECT ok(pg_temp.exact('se-org'), '… and its signature is exactly that of its texts');

INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate) VALUES
    ('se-org', 'se-1', 'Harbour crane hours', 2, 10),
    ('se-org', 'se-2', 'Spice warehouse rent', 1, 100),
    ('se-org', 'se-2', 'Clove export duty', 1, 5);
SELECT is(pg_temp.found('CRANE'), '{se-1}', 'lines inserted: their invoice is found by their descriptions');
SELECT is(pg_temp.found('export duty'), '{se-2}', '… each line, when a statement inserts several');

UPDATE invoice.invoices SET description = 'Pemba retainer' WHERE id = 'se-2';
SELECT is(pg_temp.found('pemba'), '{se-2}', 'a draft''s new description is found');

UPDATE invoice.line_items SET description = 'Clove import duty' WHERE invoice_id = 'se-2' AND description = 'Clove export duty';
SELECT is(pg_temp.found('import duty'), '{se-2}', 'a line''s new description is found');
SELECT is(pg_temp.found('export duty'), '{}', '… and its old one no longer (the signature still has it: the test decides)');
SELECT ok(search_may_contain((SELECT signature FROM invoice.search_signatures WHERE invoice_id = 'se-2'), 'export duty'),
          '… the signature only gained bits');

DELETE FROM invoice.line_items WHERE invoice_id = 'se-2' AND description = 'Spice warehouse rent';
SELECT is(pg_temp.found('warehouse'), '{}', 'a deleted line''s description is no longer found');

SELECT invoice.invoice_issue('se-1');
SELECT is(pg_temp.found((SELECT number FROM invoice.invoices WHERE id = 'se-1')), '{se-1}',
          'an issued invoice is found by the number it was given');
SELECT is(pg_temp.found(lower((SELECT number FROM invoice.invoices WHERE id = 'se-1'))), '{se-1}',
          '… in any case');

SELECT ok(NOT pg_temp.exact('se-org'), 'after the edits the signatures of se-org are no longer exact');
SELECT is(search_rebuild('se-org'), 2::bigint, 'search_rebuild(org): one signature per invoice of the organisation');
SELECT ok(pg_temp.exact('se-org'), '… and they are exact again');
SELECT is(pg_temp.found('export duty'), '{}', '… and the search answers the same');

DELETE FROM invoice.invoices WHERE id = 'se-2';
SELECT is((SELECT count(*) FROM invoice.search_signatures WHERE invoice_id = 'se-2'), 0::bigint,
          'a deleted draft''s signature goes with it');

-- Loaded without triggers: found once search_rebuild has run
SET LOCAL session_replication_role = replica;
INSERT INTO invoice.invoices (org_id, id, description, period_start, period_end) VALUES
    ('se-org', 'se-bulk', 'Loaded in bulk: Mombasa', '2024-03-01 UTC', '2024-04-01 UTC');
RESET session_replication_role;
SELECT is(pg_temp.found('mombasa'), '{}', 'an invoice loaded with triggers off has no signature: the search misses it');
SELECT is(search_rebuild(), (SELECT count(*) FROM invoice.invoices), 'search_rebuild(): every invoice''s signature');
SELECT is(pg_temp.found('mombasa'), '{se-bulk}', '… and then the search finds it');
SELECT ok(pg_temp.exact('se-org') AND pg_temp.exact('se-other'), '… and every signature is exact');
SELECT is(search_rebuild('no-such-org'), 0::bigint, 'search_rebuild of an organisation without invoices: 0');
SELECT is(search_rebuild(''), 0::bigint, 'search_rebuild(''''): 0 (no organisation has an empty id)');
SELECT is((SELECT count(*) FROM search_candidates(NULL, 'mombasa')), 0::bigint, 'search_candidates(NULL, term): none');
SELECT is((SELECT array_agg(c ORDER BY c) FROM search_candidates('se-org', NULL) c),
          (SELECT array_agg(id ORDER BY id) FROM invoice.invoices WHERE org_id = 'se-org'),
          'search_candidates(org, NULL): every invoice of the organisation');

-- The list and the CSV export against ILIKE ----------------------------------------------

INSERT INTO invoice.invoices (org_id, id, description, period_start, period_end)
SELECT 'se-other', 'sx-' || k, format('Batch %s of ΣΊΣΥΦΟΣ', k), '2024-01-01 UTC', '2024-02-01 UTC'
  FROM generate_series(1, 60) k;
INSERT INTO invoice.line_items (org_id, invoice_id, description, amount)
SELECT 'se-other', 'sx-' || k, format('Größe %s straße item %s', k % 7, l), '1.00'
  FROM generate_series(1, 60) k, generate_series(1, 3) l;
SELECT is((SELECT array_agg(format('%L: %s, not %s', y.term, pg_temp.found(y.term, 'se-other'), r.ids)) FROM
            (VALUES ('σίσυφος'), ('batch 1'), ('STRASSE'), ('straße'), ('GRÖSSE 3'), ('größe 3 straße item 2'), ('item 9'),
                    ('zanzibar'), ('60 of'), ('Gr'), ('ö')) y(term)
           CROSS JOIN LATERAL (SELECT coalesce(array_agg(i.id ORDER BY i.id), '{}') AS ids FROM invoice.invoices i
                                WHERE i.org_id = 'se-other'
                                  AND (i.number ILIKE '%' || y.term || '%' OR i.description ILIKE '%' || y.term || '%'
                                       OR EXISTS (SELECT FROM invoice.line_items l WHERE l.org_id = i.org_id
                                                   AND l.invoice_id = i.id AND l.description ILIKE '%' || y.term || '%'))) r
           WHERE pg_temp.found(y.term, 'se-other') IS DISTINCT FROM r.ids),
          NULL, 'the list finds what ILIKE finds (non-ASCII, case, short terms)');
SELECT is((SELECT array_agg(id ORDER BY id) FROM invoice.invoice_csv('se-other', search => 'GRÖßE 3 STRAßE')),
          (SELECT array_agg(DISTINCT l.invoice_id ORDER BY l.invoice_id) FROM invoice.line_items l
            WHERE l.org_id = 'se-other' AND l.description ILIKE '%GRÖßE 3 STRAßE%'),
          'the CSV export finds what ILIKE finds');
SELECT is((SELECT count(*) FROM invoice.invoice_csv('se-other', search => 'GRÖßE 3 STRAßE')), 9::bigint,
          '… nine invoices');

SELECT * FROM finish();
ROLLBACK;
