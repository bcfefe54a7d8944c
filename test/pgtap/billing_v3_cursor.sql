-- Billing v3 cursors: walking every page returns every invoice exactly once,
-- also while invoices are issued between calls; a cursor only ever continues
-- the listing it came from, and anything else — a changed character, a
-- truncation, another customer's cursor, other billing dates, a cursor signed
-- with another secret — is refused with 22023, never answered with a wrong
-- page.  The MAC is checked against HMAC-SHA256 computed here from its
-- definition (RFC 2104), itself checked against RFC 4231's test vectors.
-- The secret is readable only by the extension's owner, and pg_dump carries it.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'UTC';

SELECT plan(62);

-- Fixtures --------------------------------------------------------------------

INSERT INTO invoice.orgs (org_id, name) VALUES ('cur-org', 'Cursor org'), ('cur-org2', 'Second org');

-- pg_temp.issued(org, id, period_start): an issued invoice for the month from period_start, with one line
CREATE FUNCTION pg_temp.issued(p_org text, p_id text, p_start timestamptz) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO invoice.invoices (org_id, id, series, period_start, period_end, invoice_date)
    VALUES (p_org, p_id, 'TCU', p_start, p_start + interval '1 month', p_start + interval '1 month');
    INSERT INTO invoice.line_items (org_id, invoice_id, description, amount) VALUES (p_org, p_id, 'service', '10.00');
    SELECT FROM invoice.invoice_issue(p_id);
$$;

-- Twelve invoices over six months, two per month (ties on billing_start_date are broken by id).
SELECT FROM generate_series(1, 6) AS m, unnest(ARRAY['a', 'b']) AS s,
            pg_temp.issued('cur-org', format('cur-%s-%s', to_char(m, 'FM00'), s), make_timestamptz(2024, m, 1, 0, 0, 0, 'UTC'));
SELECT FROM pg_temp.issued('cur-org2', 'cur-other', '2024-01-01 00:00 UTC');

-- pg_temp.walk(customer, limit, start, end): every page, in order: (page, position on it, invoice_id, next_cursor)
CREATE FUNCTION pg_temp.walk(p_customer text, p_limit int, p_start timestamptz DEFAULT NULL, p_end timestamptz DEFAULT NULL)
RETURNS TABLE (page int, pos int, invoice_id text, next_cursor text)
LANGUAGE plpgsql AS $$
DECLARE
    c text := NULL;
    r json;
BEGIN
    page := 0;
    LOOP
        page := page + 1;
        r := invoice.billing_v3_invoices(p_customer, p_start, p_end, p_limit, c);
        next_cursor := r->'meta'->>'next_cursor';
        FOR pos, invoice_id IN SELECT k, x->>'invoice_id' FROM json_array_elements(r->'invoices') WITH ORDINALITY AS t(x, k) LOOP
            RETURN NEXT;
        END LOOP;
        EXIT WHEN next_cursor = '' OR page > 100;
        c := next_cursor;
    END LOOP;
END
$$;

-- pg_temp.refusal(cursor, customer, start, end): the SQLSTATE billing_v3_invoices raises for that cursor, 'none' when it answers
CREATE FUNCTION pg_temp.refusal(p_cursor text, p_customer text DEFAULT 'cur-org', p_start timestamptz DEFAULT NULL,
                                p_end timestamptz DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM invoice.billing_v3_invoices(p_customer, p_start, p_end, 2, p_cursor);
    RETURN 'none';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END
$$;

-- The reference: HMAC-SHA256 from its definition, with the built-in sha256().
CREATE FUNCTION pg_temp.xor_pad(k bytea, pad int) RETURNS bytea LANGUAGE sql AS $$
    SELECT string_agg(set_byte('\x00'::bytea, 0, get_byte(k, i) # pad), ''::bytea ORDER BY i) FROM generate_series(0, 63) AS i
$$;
CREATE FUNCTION pg_temp.hmac_sha256(key bytea, msg bytea) RETURNS bytea LANGUAGE sql AS $$
    SELECT sha256(pg_temp.xor_pad(k, 92) || sha256(pg_temp.xor_pad(k, 54) || msg))   -- opad 0x5c, ipad 0x36
      FROM (SELECT k0 || decode(repeat('00', 64 - length(k0)), 'hex') AS k
              FROM (SELECT CASE WHEN length(key) > 64 THEN sha256(key) ELSE key END AS k0) s) s
$$;
-- pg_temp.unb64url(text): the bytes of a base64url text
CREATE FUNCTION pg_temp.unb64url(t text) RETURNS bytea LANGUAGE sql AS $$
    SELECT decode(translate(t, '-_', '+/') || repeat('=', (4 - length(t) % 4) % 4), 'base64')
$$;

SELECT invoice.billing_v3_invoices('cur-org', "limit" => 5)->'meta'->>'next_cursor' AS cursor \gset

-- Walking every page ----------------------------------------------------------------------

SELECT is((SELECT array_agg(invoice_id ORDER BY page, pos) FROM pg_temp.walk('cur-org', lim)),
          (SELECT array_agg(id ORDER BY period_start, id) FROM invoice.invoices WHERE org_id = 'cur-org'),
          format('limit %s: the pages together are every invoice, once, in order', lim))
  FROM unnest(ARRAY[1, 2, 5, 11, 12, 13, 200]) AS lim;
SELECT is((SELECT array_agg(DISTINCT page) FROM pg_temp.walk('cur-org', 4)), ARRAY[1, 2, 3],
          'limit 4 of 12: exactly three pages, no empty fourth');
SELECT is((SELECT array_agg(next_cursor = '' ORDER BY page) FROM (SELECT DISTINCT page, next_cursor FROM pg_temp.walk('cur-org', 5)) s),
          ARRAY[false, false, true], 'next_cursor is "" on the last page only');
SELECT is((SELECT array_agg(invoice_id ORDER BY page, pos) FROM pg_temp.walk('cur-org', 3, '2024-02-01 00:00 UTC', '2024-05-01 00:00 UTC')),
          ARRAY['cur-02-a', 'cur-02-b', 'cur-03-a', 'cur-03-b', 'cur-04-a', 'cur-04-b'],
          'a filtered walk: every page keeps the billing dates');
SELECT is(pg_temp.refusal(:'cursor'), 'none', 'the cursor continues the listing it came from');
SELECT is((SELECT array_agg(x->>'invoice_id') FROM json_array_elements(
              invoice.billing_v3_invoices('cur-org', "limit" => 2, cursor => :'cursor')->'invoices') x),
          ARRAY['cur-03-b', 'cur-04-a'], 'the limit may change from page to page: the cursor holds a position, not a page number');
SELECT matches(:'cursor'::text, '^[A-Za-z0-9_-]+$', 'a cursor is URL-safe base64 without padding');

-- Keyset stability: invoices issued between the calls -----------------------------------------

-- Walk with limit 2; before each of the first five pages, issue invoices that sort
-- before the walk's position (an earlier month, and the position's own billing
-- date with a smaller id) and after it (a later month, and the position's date
-- with a larger id); on the way, pay one invoice not yet listed and pay one
-- already listed.
CREATE TEMP TABLE seen (k serial, page int, invoice_id text);
CREATE TEMP TABLE added (invoice_id text, sorts_after boolean);
CREATE FUNCTION pg_temp.walk_while_issuing() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    c text := NULL;
    r json;
    last_start timestamptz;
    last_id text;
    page int := 0;
BEGIN
    LOOP
        page := page + 1;
        IF page BETWEEN 2 AND 6 THEN
            SELECT i.period_start INTO last_start FROM invoice.invoices i WHERE i.id = last_id;
            PERFORM pg_temp.issued('cur-org', format('new-%s-early', page), '2023-06-01 00:00 UTC'::timestamptz - make_interval(days => page));
            PERFORM pg_temp.issued('cur-org', format('cur-%s-%s', page, 'late'), '2025-01-01 00:00 UTC'::timestamptz + make_interval(days => page));
            PERFORM pg_temp.issued('cur-org', format('cur-00-tie-%s', page), last_start);          -- same date, smaller id
            PERFORM pg_temp.issued('cur-org', format('cur-zz-tie-%s', page), last_start);          -- same date, larger id
            INSERT INTO added VALUES (format('new-%s-early', page), false), (format('cur-%s-late', page), true),
                                     (format('cur-00-tie-%s', page), false), (format('cur-zz-tie-%s', page), true);
        END IF;
        IF page = 3 THEN
            PERFORM invoice.invoice_pay('cur-06-a', '10.00', 'card', 'cur-pay-ahead');     -- not listed yet: pending → paid
            PERFORM invoice.invoice_pay('cur-01-a', '10.00', 'card', 'cur-pay-behind');    -- listed on page 1
        END IF;
        r := invoice.billing_v3_invoices('cur-org', "limit" => 2, cursor => c);
        INSERT INTO seen (page, invoice_id)
        SELECT page, x->>'invoice_id' FROM json_array_elements(r->'invoices') WITH ORDINALITY AS t(x, k) ORDER BY k;
        SELECT s.invoice_id INTO last_id FROM seen s ORDER BY s.k DESC LIMIT 1;
        c := r->'meta'->>'next_cursor';
        EXIT WHEN c = '' OR page > 100;
    END LOOP;
END
$$;
CREATE TEMP TABLE before_walk AS SELECT id FROM invoice.invoices WHERE org_id = 'cur-org';
SELECT pg_temp.walk_while_issuing();

SELECT is((SELECT count(*) FROM added), 20::bigint, 'twenty invoices were issued during the walk, ten of them behind it');
SELECT is((SELECT count(*) FROM seen s JOIN before_walk b ON b.id = s.invoice_id), 12::bigint,
          'walking while issuing: the twelve invoices there before the walk are all listed');
SELECT is((SELECT count(DISTINCT invoice_id) FROM seen), (SELECT count(*) FROM seen),
          'and nothing is listed twice');
SELECT is((SELECT array_agg(invoice_id ORDER BY k) FROM seen),
          (SELECT array_agg(invoice_id ORDER BY k) FROM (SELECT s.k, s.invoice_id, i.period_start, i.id FROM seen s
                                                           JOIN invoice.invoices i ON i.id = s.invoice_id
                                                          ORDER BY i.period_start, i.id) o),
          'the walk stays in (billing_start_date, invoice_id) order');
SELECT is((SELECT array_agg(a.invoice_id ORDER BY a.invoice_id) FROM added a JOIN seen s USING (invoice_id) WHERE NOT a.sorts_after),
          NULL, 'invoices issued behind the walk''s position do not appear in it (they would shift nothing)');
SELECT is((SELECT count(*) FROM added a JOIN seen s USING (invoice_id) WHERE a.sorts_after),
          (SELECT count(*) FROM added WHERE sorts_after),
          'invoices issued ahead of the position appear, once');
SELECT is((SELECT count(*) FROM seen WHERE invoice_id IN ('cur-06-a', 'cur-01-a')), 2::bigint,
          'invoices paid during the walk, ahead of or behind it, are listed once each');
SELECT ok((SELECT max(page) FROM seen) > 6, 'the walk went past the pages where invoices were issued');

-- Tampering ---------------------------------------------------------------------------------

SELECT is((SELECT array_agg(i) FROM generate_series(1, length(:'cursor')) AS i
            WHERE pg_temp.refusal(overlay(:'cursor' placing
                                          CASE substr(:'cursor', i, 1) WHEN 'A' THEN 'B' ELSE 'A' END from i for 1)) <> '22023'),
          NULL, 'changing any one character of a cursor: 22023 (every position tried)');
SELECT is((SELECT array_agg(i) FROM generate_series(1, length(:'cursor')) AS i
            WHERE pg_temp.refusal(overlay(:'cursor' placing
                                          CASE substr(:'cursor', i, 1) WHEN '_' THEN '-' ELSE '_' END from i for 1)) <> '22023'),
          NULL, 'changing any one character to another of the alphabet: 22023');
SELECT is((SELECT array_agg(n) FROM generate_series(0, length(:'cursor') - 1) AS n
            WHERE pg_temp.refusal(left(:'cursor', n)) NOT IN ('22023', 'none')),
          NULL, 'every truncation: 22023 (or, for the empty string, the first page)');
SELECT is((SELECT array_agg(n) FROM generate_series(1, length(:'cursor') - 1) AS n
            WHERE pg_temp.refusal(left(:'cursor', n)) <> '22023'),
          NULL, 'every non-empty truncation: 22023');
SELECT is(pg_temp.refusal(:'cursor' || 'A'), '22023', 'one character appended: 22023');
SELECT is(pg_temp.refusal(:'cursor' || '='), '22023', 'padding appended: 22023');
SELECT is(pg_temp.refusal(' ' || :'cursor'), '22023', 'a leading space: 22023');
SELECT is(pg_temp.refusal(overlay(:'cursor' placing '+' from 10 for 1)) || pg_temp.refusal(overlay(:'cursor' placing '/' from 10 for 1)),
          '2202322023', 'a character of the standard base64 alphabet (+ or /): 22023');
SELECT is(pg_temp.refusal(:'cursor' || :'cursor'), '22023', 'a cursor twice: 22023');
SELECT is(pg_temp.refusal('not a cursor'), '22023', 'garbage: 22023');
SELECT is(pg_temp.refusal(repeat('A', 100000)), '22023', 'a 100000-character cursor: 22023');
SELECT is(pg_temp.refusal(E'\u00e9t\u00e9'), '22023', 'non-ASCII text: 22023');
SELECT throws_ok(format($$SELECT invoice.billing_v3_invoices('cur-org', "limit" => 2, cursor => %L)$$, left(:'cursor', 20)),
                 '22023', 'invalid cursor', 'the error says: invalid cursor');

-- A cursor only continues its own listing ---------------------------------------------------------

SELECT throws_ok(format($$SELECT invoice.billing_v3_invoices('cur-org2', "limit" => 2, cursor => %L)$$, :'cursor'),
                 '22023', 'cursor belongs to another customer', 'another customer''s cursor: 22023');
SELECT is(pg_temp.refusal(:'cursor', 'no-such-customer'), '22023', 'a cursor for an unknown customer: 22023');
SELECT is(pg_temp.refusal(:'cursor', 'CUR-ORG'), '22023', 'a customer_id differing in case: 22023');
SELECT throws_ok(format($$SELECT invoice.billing_v3_invoices('cur-org', '2024-01-01 00:00 UTC', "limit" => 2, cursor => %L)$$, :'cursor'),
                 '22023', 'cursor belongs to a listing with other billing dates', 'a billing_start_date the listing did not have: 22023');
SELECT is(pg_temp.refusal(:'cursor', 'cur-org', NULL, '2030-01-01 00:00 UTC'), '22023', 'a billing_end_date the listing did not have: 22023');
SELECT invoice.billing_v3_invoices('cur-org', '2024-01-01 00:00 UTC', '2024-12-01 00:00 UTC', 2)->'meta'->>'next_cursor' AS filtered \gset
SELECT is(pg_temp.refusal(:'filtered', 'cur-org', '2024-01-01 00:00 UTC', '2024-12-01 00:00 UTC'), 'none', 'a filtered listing''s cursor continues it');
SELECT is(pg_temp.refusal(:'filtered', 'cur-org', '2024-01-01 00:00 UTC', '2024-12-01 00:00:00.000001 UTC'), '22023',
          'with a billing_end_date one microsecond off: 22023');
SELECT is(pg_temp.refusal(:'filtered', 'cur-org', '2024-01-01 00:00 UTC', NULL), '22023', 'without its billing_end_date: 22023');
SELECT is(pg_temp.refusal(:'filtered'), '22023', 'without its billing dates: 22023');

-- Time zones ------------------------------------------------------------------------------------

CREATE TEMP TABLE by_zone AS
SELECT z, invoice.billing_v3_invoices('cur-org', '2024-01-01 00:00 UTC', "limit" => 3)::text AS page_1,
          invoice.billing_v3_invoices('cur-org', '2024-01-01 00:00 UTC', "limit" => 3,
                                      cursor => invoice.billing_v3_invoices('cur-org', '2024-01-01 00:00 UTC', "limit" => 3)->'meta'->>'next_cursor')::text AS page_2
  FROM unnest(ARRAY['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham', 'Pacific/Kiritimati']) AS z,
       LATERAL set_config('TimeZone', z, true) AS tz;
SET LOCAL TimeZone = 'UTC';
SELECT is((SELECT count(DISTINCT page_1) FROM by_zone), 1::bigint,
          'the first page, cursor included, is the same text in five time zones');
SELECT is((SELECT count(DISTINCT page_2) FROM by_zone), 1::bigint, 'and so is the page its cursor opens');
SELECT matches((SELECT page_1 FROM by_zone LIMIT 1), '"billing_start_date" : "2024-01-01T00:00:00Z"', 'in UTC, with Z');
SET LOCAL TimeZone = 'Asia/Kolkata';
SELECT is(pg_temp.refusal(:'cursor'), 'none', 'a cursor made in UTC opens in Asia/Kolkata');
SET LOCAL TimeZone = 'UTC';

-- The MAC -------------------------------------------------------------------------------------

SELECT is(encode(pg_temp.hmac_sha256('\x0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b', convert_to('Hi There', 'UTF8')), 'hex'),
          'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7', 'reference HMAC-SHA256: RFC 4231 test case 1');
SELECT is(encode(pg_temp.hmac_sha256(convert_to('Jefe', 'UTF8'), convert_to('what do ya want for nothing?', 'UTF8')), 'hex'),
          '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843', 'reference HMAC-SHA256: RFC 4231 test case 2');
SELECT is(encode(pg_temp.hmac_sha256(decode(repeat('aa', 131), 'hex'),
                                     convert_to('Test Using Larger Than Block-Size Key - Hash Key First', 'UTF8')), 'hex'),
          '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54', 'reference HMAC-SHA256: RFC 4231 test case 6 (long key)');
-- cursor = body | HMAC-SHA256(secret, 'invoice billing_v3 cursor' NUL | body)
SELECT is(substr(pg_temp.unb64url(:'cursor'), length(pg_temp.unb64url(:'cursor')) - 31),
          pg_temp.hmac_sha256((SELECT secret FROM invoice.api_secret),
                              convert_to('invoice billing_v3 cursor', 'UTF8') || '\x00'::bytea
                              || substr(pg_temp.unb64url(:'cursor'), 1, length(pg_temp.unb64url(:'cursor')) - 32)),
          'the cursor''s MAC is HMAC-SHA256 of its body under invoice.api_secret');
SELECT is(substr(pg_temp.unb64url(:'cursor'), 1, length(pg_temp.unb64url(:'cursor')) - 32),
          '\x0100'::bytea || '\x0000000000000000'::bytea || '\x0000000000000000'::bytea
          || int8send(((extract(epoch FROM '2024-03-01 00:00 UTC'::timestamptz) - 946684800) * 1000000)::bigint)
          || '\x07'::bytea || convert_to('cur-org', 'UTF8') || '\x08'::bytea || convert_to('cur-03-a', 'UTF8'),
          'its body: version 1, no dates, the position (period_start, id) of the last invoice shown, the customer');

-- The secret --------------------------------------------------------------------------------

SELECT is((SELECT count(*) FROM invoice.api_secret), 1::bigint, 'one secret');
SELECT ok((SELECT octet_length(secret) FROM invoice.api_secret) >= 32, 'of at least 32 bytes');
SELECT ok(NOT has_table_privilege('public', 'invoice.api_secret', 'SELECT'), 'PUBLIC cannot read it');
SELECT ok((SELECT 'invoice.api_secret'::regclass = ANY (extconfig) FROM pg_extension WHERE extname = 'invoice'),
          'pg_dump carries it (an extension configuration table)');
CREATE ROLE invoice_v3_tap_reader;
GRANT USAGE ON SCHEMA invoice TO invoice_v3_tap_reader;
GRANT SELECT ON invoice.invoices, invoice.line_items, invoice.billing_v3_invoice_json TO invoice_v3_tap_reader;
SET LOCAL ROLE invoice_v3_tap_reader;
SELECT throws_ok($$SELECT secret FROM invoice.api_secret$$, '42501', NULL, 'a role that may read invoices may not read the secret');
SELECT is(pg_temp.refusal(:'cursor'), 'none', 'but it pages with cursors all the same');
SELECT throws_ok($$INSERT INTO invoice.api_secret DEFAULT VALUES$$, '42501', NULL, 'nor replace it');
RESET ROLE;
INSERT INTO invoice.api_secret DEFAULT VALUES;
SELECT is((SELECT count(*) FROM invoice.api_secret), 1::bigint, 'a new secret replaces the old one');
SELECT is(pg_temp.refusal(:'cursor'), '22023', 'and every cursor signed with the old one is refused: 22023');
SELECT isnt(invoice.billing_v3_invoices('cur-org', "limit" => 5)->'meta'->>'next_cursor', :'cursor',
            'the same page now has another cursor');

SELECT * FROM finish();
ROLLBACK;
