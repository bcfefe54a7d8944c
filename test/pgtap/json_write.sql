-- json_write: the List and Describe documents written in C (src/json_write.c,
-- src/json_api.c) are byte for byte what json_build_object, json_agg and
-- to_char write -- the SQL definitions they replaced, kept here as the
-- reference -- for text that needs escaping, timestamps of every era,
-- infinities and NULLs; the list's plans (one per combination of filters,
-- first page and later pages) agree with a plain query for every
-- combination; and the kept plans survive the extension being dropped and
-- created again in the same session.
\ir include/begin.sql
SET search_path = invoice, public;
SET LOCAL TimeZone = 'Asia/Kolkata';

SELECT plan(13);

-- The reference: the former SQL definitions ----------------------------------------

CREATE FUNCTION pg_temp.ref_time(ts timestamptz) RETURNS text LANGUAGE sql STABLE
    RETURN to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
CREATE FUNCTION pg_temp.ref_label(s invoice.status) RETURNS text LANGUAGE sql IMMUTABLE
    RETURN CASE s WHEN 'pending' THEN 'unpaid' ELSE s::text END;
CREATE FUNCTION pg_temp.ref_item(i invoice.invoices) RETURNS json LANGUAGE sql STABLE
    RETURN json_build_object(
        'id', i.id, 'orgId', i.org_id, 'periodStart', pg_temp.ref_time(i.period_start),
        'periodEnd', pg_temp.ref_time(i.period_end), 'invoiceDate', pg_temp.ref_time(i.invoice_date),
        'dueDate', pg_temp.ref_time(i.due_date), 'currency', i.currency, 'status', pg_temp.ref_label(i.status),
        'usageAmount', i.usage_amount, 'creditsApplied', i.credits_applied,
        'alreadyBilledAmount', i.already_billed_amount, 'subtotal', i.subtotal, 'tax', i.tax, 'total', i.total,
        'advancePayAmount', i.advance_pay_amount, 'amountDue', i.amount_due);
CREATE FUNCTION pg_temp.ref_describe(p_org text, p_id text) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT (left(pg_temp.ref_item(i)::text, -1) || ', ' || substr(json_build_object(
        'number', i.number, 'description', i.description, 'taxRate', i.tax_rate,
        'issuedAt', pg_temp.ref_time(i.issued_at), 'paidAt', pg_temp.ref_time(i.paid_at),
        'cancelledAt', pg_temp.ref_time(i.cancelled_at), 'statusReason', i.status_reason,
        'taxRounding', i.tax_rounding, 'roundOff', i.round_off,
        'lineItems', COALESCE((SELECT json_agg(json_build_object(
            'lineId', l.line_id, 'description', l.description, 'units', l.units, 'rate', l.rate, 'amount', l.amount,
            'taxRate', COALESCE(l.tax_rate, i.tax_rate), 'productGroup', l.product_group,
            'productLine', l.product_line, 'productName', l.product_name, 'region', l.region,
            'usageType', l.usage_type, 'creditCouponCode', l.credit_coupon_code, 'resourceType', l.resource_type,
            'resourceName', l.resource_name, 'usageStart', pg_temp.ref_time(l.usage_start),
            'usageEnd', pg_temp.ref_time(l.usage_end), 'hsnSac', l.hsn_sac, 'gstTreatment', l.gst_treatment)
            ORDER BY l.line_id)
            FROM invoice.line_items l WHERE l.org_id = i.org_id AND l.invoice_id = i.id), '[]'::json),
        'credits', COALESCE((SELECT json_agg(json_build_object(
            'creditId', c.credit_id, 'code', c.code, 'description', c.description, 'amount', c.amount,
            'createdAt', pg_temp.ref_time(c.created_at)) ORDER BY c.credit_id)
            FROM invoice.credits c WHERE c.org_id = i.org_id AND c.invoice_id = i.id), '[]'::json),
        'payments', COALESCE((SELECT json_agg(json_build_object(
            'paymentId', p.payment_id, 'amount', p.amount, 'method', p.method, 'providerRef', p.provider_ref,
            'paidAt', pg_temp.ref_time(p.paid_at)) ORDER BY p.payment_id)
            FROM invoice.payments p WHERE p.org_id = i.org_id AND p.invoice_id = i.id), '[]'::json),
        'statusHistory', COALESCE((SELECT json_agg(json_build_object(
            'fromStatus', pg_temp.ref_label(h.from_status), 'toStatus', pg_temp.ref_label(h.to_status),
            'changedAt', pg_temp.ref_time(h.changed_at), 'changedBy', h.changed_by, 'reason', h.reason)
            ORDER BY h.history_id)
            FROM invoice.status_history h WHERE h.org_id = i.org_id AND h.invoice_id = i.id), '[]'::json),
        'gst', CASE WHEN i.gst THEN (SELECT json_build_object(
            'placeOfSupply', coalesce(i.place_of_supply, o.billing_state, left(o.gstin, 2), s.state_code),
            'intraState', coalesce(i.gst_intra_state, invoice.gst_intra_state(true, o.billing_state, o.gstin, s.state_code)),
            'supplierGstin', s.gstin, 'recipientGstin', o.gstin, 'recipientKind', invoice.gstin_kind(o.gstin),
            'reverseCharge', i.reverse_charge, 'roundOff', 0,
            'rates', COALESCE((SELECT json_agg(json_build_object(
                'rate', t.rate, 'taxableValue', t.taxable_value, 'cgst', t.cgst, 'sgst', t.sgst, 'igst', t.igst,
                'tax', t.tax) ORDER BY t.rate) FROM invoice.invoice_tax_summary(i.id) t), '[]'::json))
            FROM invoice.orgs o LEFT JOIN invoice.supplier s ON true WHERE o.org_id = i.org_id) END
        )::text, 2))::json
      FROM invoice.invoices i WHERE i.org_id = p_org AND i.id = p_id
$$;

-- pg_temp.ids(list answer): the invoice ids on the page, in order
CREATE FUNCTION pg_temp.ids(d json) RETURNS text[] LANGUAGE sql IMMUTABLE
    RETURN ARRAY(SELECT i->>'id' FROM json_array_elements(d->'data'->'invoices') WITH ORDINALITY x(i, n) ORDER BY n);

-- Fixtures ------------------------------------------------------------------------------
--
-- jw-org: jw-1 … jw-10 invoiced monthly through 2024 (jw-10 a draft), in every
-- status; line descriptions and the invoice descriptions carry every control
-- character, quotes, backslashes and non-ASCII text; jw-11 lives in year
-- 12024 (a draft dated then) and jw-12 in 44 BC; a line has infinite usage
-- times.

INSERT INTO invoice.orgs (org_id, name) VALUES ('jw-org', 'JSON writer org');
INSERT INTO invoice.invoices (org_id, id, series, description, period_start, period_end, invoice_date, due_date,
                              currency, tax_rate)
SELECT 'jw-org', 'jw-' || m, 'JW',
       CASE m % 3 WHEN 0 THEN format(E'Month %s "quoted" \\back\\slash\ttab\nnew line', m)
                  WHEN 1 THEN format('Mois %s — é 中文 😀', m) END,
       make_timestamptz(2024, m, 1, 0, 0, 0, 'UTC'), make_timestamptz(2024, m + 1, 1, 0, 0, 0, 'UTC'),
       d, d + interval '30 days 0.75 seconds', 'USD', CASE WHEN m % 2 = 0 THEN 18 ELSE 12.5 END
  FROM generate_series(1, 10) m,
       LATERAL (SELECT CASE WHEN m = 10 THEN NULL
                            WHEN m = 7 THEN make_timestamptz(2024, 7, 1, 0, 0, 0, 'UTC')
                            ELSE make_timestamptz(2024, m + 1, 1, 12, 34, 56.999, 'UTC') END AS d) x;
INSERT INTO invoice.invoices (org_id, id, series, description, period_start, period_end, invoice_date, currency)
VALUES ('jw-org', 'jw-11', 'JW', 'far future', '12024-01-01 UTC', '12024-02-01 UTC', '12024-02-01 UTC', 'USD'),
       ('jw-org', 'jw-12', 'JW', 'far past', '0044-03-15 00:00 UTC BC', '0044-04-15 00:00 UTC BC', NULL, 'USD');
INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, tax_rate, product_name, region,
                                usage_start, usage_end)
SELECT 'jw-org', 'jw-' || m, l.d, m * 1.5, 7.0075, CASE WHEN m % 4 = 0 THEN 5 END, 'Compute', 'ap-south-1',
       CASE WHEN m = 3 THEN '-infinity'::timestamptz ELSE make_timestamptz(2024, 1, m, 8, 0, 0, 'UTC') END,
       CASE WHEN m = 3 THEN 'infinity'::timestamptz END
  FROM generate_series(1, 12) m,
       LATERAL (VALUES ('Compute hours'),
                       (CASE m % 4 WHEN 0 THEN 'Object storage'
                                   WHEN 1 THEN (SELECT 'ctl ' || string_agg(chr(c), '' ORDER BY c) || ' end'
                                                  FROM generate_series(1, 31) c)
                                   WHEN 2 THEN 'Snapshot_storage 50% "off" C:\data'
                                   ELSE 'Bandwidth, North America' END)) l(d);
INSERT INTO invoice.credits (org_id, invoice_id, amount, code, description)
VALUES ('jw-org', 'jw-2', '5.00', 'JW5', E'credit "five"\n');
SELECT FROM invoice.invoices i, invoice.invoice_issue(i.id)
 WHERE i.org_id = 'jw-org' AND i.id NOT IN ('jw-10', 'jw-11', 'jw-12') ORDER BY i.id;
SELECT FROM invoice.invoice_sweep_overdue('2024-03-15 00:00 UTC');
SELECT FROM invoice.invoice_pay('jw-2', (SELECT amount_due FROM invoice.invoices WHERE id = 'jw-2'), 'card', 'jw-ref-2');
SELECT FROM invoice.invoice_pay('jw-5', (SELECT amount_due FROM invoice.invoices WHERE id = 'jw-5'), 'upi', E'jw\\ref "5"');
SELECT FROM invoice.invoice_cancel('jw-3', E'duplicate\tof jw-2');
SELECT FROM invoice.invoice_pay('jw-4', '1.00', 'upi', 'jw-ref-4');
SELECT is((SELECT array_agg(DISTINCT status::text ORDER BY status::text) FROM invoice.invoices WHERE org_id = 'jw-org'),
          '{cancelled,draft,overdue,paid,pending}', 'fixtures: jw-org has invoices in every status');

-- Byte for byte ---------------------------------------------------------------------------

SELECT is((SELECT count(*)::int FROM generate_series(0, 2000) n,
                  LATERAL (SELECT timestamptz '4713-01-01 00:00 UTC BC'
                                  + n * interval '5321 days 7 hours 3 minutes 11.75 seconds' AS t) x
            WHERE invoice.json_time(x.t) IS DISTINCT FROM pg_temp.ref_time(x.t)),
          0, 'json_time: to_char''s text for 2001 timestamps from 4713 BC to year 24,000, whatever the TimeZone');
SELECT is(ARRAY[invoice.json_time('0044-03-15 00:00 UTC BC'), invoice.json_time('12024-02-01 UTC'),
                invoice.json_time('0001-01-01 00:00:59.999 UTC'), invoice.json_time('294276-12-31 23:59:59 UTC')],
          ARRAY[pg_temp.ref_time('0044-03-15 00:00 UTC BC'), '12024-02-01T00:00:00Z', '0001-01-01T00:00:59Z',
                '294276-12-31T23:59:59Z'],
          'json_time: years before 1, of five and six digits; seconds truncated');
SELECT is((SELECT count(*)::int FROM invoice.invoices i
            WHERE i.org_id = 'jw-org' AND invoice.invoice_list_item(i)::text IS DISTINCT FROM pg_temp.ref_item(i)::text),
          0, 'invoice_list_item: json_build_object''s text, for every invoice of the fixture');
SELECT is((SELECT count(*)::int FROM invoice.invoices i
            WHERE i.org_id = 'jw-org'
              AND invoice.invoice_describe(i.id)::text
                  IS DISTINCT FROM json_build_object('code', 0, 'data', pg_temp.ref_describe(i.org_id, i.id))::text),
          0, 'invoice_describe: the former SQL definition''s text, for every invoice of the fixture');
SELECT is(invoice.invoice_list('jw-org', 1, 100)::text,
          json_build_object('code', 0, 'data', json_build_object(
              'count', 12, 'currentPage', 1, 'pageSize', 100,
              'invoices', (SELECT json_agg(pg_temp.ref_item(i) ORDER BY i.invoice_date DESC, i.id)
                             FROM invoice.invoices i WHERE i.org_id = 'jw-org')))::text,
          'invoice_list: json_build_object''s and json_agg''s text');
SELECT is((SELECT array_agg(l->>'description' ORDER BY n)
             FROM json_array_elements(invoice.invoice_describe('jw-5')->'data'->'lineItems') WITH ORDINALITY x(l, n)),
          (SELECT array_agg(description ORDER BY line_id) FROM invoice.line_items WHERE invoice_id = 'jw-5'),
          'escaped text reads back as stored: every control character, quotes, backslashes');
SELECT is((SELECT array_agg(ARRAY[json_typeof(l->'usageStart'), json_typeof(l->'usageEnd')])
             FROM json_array_elements(invoice.invoice_describe('jw-3')->'data'->'lineItems') l),
          ARRAY[['null', 'null'], ['null', 'null']], 'infinite usage times are JSON null');
SELECT is((SELECT array_agg(c.id) FROM invoice.invoice_csv('jw-org') c),
          pg_temp.ids(invoice.invoice_list('jw-org', 1, 100)),
          'invoice_csv: the list''s order, by the invoice date (year 12024 first), not by its text');
SELECT is((SELECT doc FROM invoice.invoice_describe_json WHERE id = 'jw-12'),
          pg_temp.ref_describe('jw-org', 'jw-12')::jsonb, 'invoice_describe_json: the same document');

-- Every combination of filters, first and later pages --------------------------------------

CREATE TEMP TABLE filter_cases AS
SELECT s.status, f.date_from, t.date_to, q.search, p.page
  FROM (VALUES (NULL), ('paid'), ('Unpaid')) s(status),
       (VALUES (NULL::timestamptz), ('2024-07-01 00:00 UTC')) f(date_from),   -- jw-7's date: taken
       (VALUES (NULL::timestamptz), ('2024-10-01 12:34:56.999 UTC')) t(date_to),   -- jw-9's: not
       (VALUES (NULL), ('storage'), ('  month ')) q(search),
       generate_series(1, 4) p(page);
CREATE TEMP TABLE filter_answers AS
SELECT c.*, invoice.invoice_list('jw-org', c.page, 2, c.status, c.date_from, c.date_to, c.search) AS answer,
       (SELECT array_agg(i.id ORDER BY i.invoice_date DESC, i.id)
          FROM invoice.invoices i
         WHERE i.org_id = 'jw-org'
           AND (c.status IS NULL OR i.status = CASE lower(c.status) WHEN 'unpaid' THEN 'pending' ELSE lower(c.status) END::invoice.status)
           AND (c.date_from IS NULL OR i.invoice_date >= c.date_from)
           AND (c.date_to IS NULL OR i.invoice_date < c.date_to)
           AND (c.search IS NULL
                OR i.number ILIKE '%' || btrim(c.search) || '%' OR i.description ILIKE '%' || btrim(c.search) || '%'
                OR EXISTS (SELECT FROM invoice.line_items l
                            WHERE l.org_id = i.org_id AND l.invoice_id = i.id
                              AND l.description ILIKE '%' || btrim(c.search) || '%'))) AS expected
  FROM filter_cases c;
SELECT is((SELECT ARRAY[count(DISTINCT (status, date_from, date_to, search)),
                         count(DISTINCT (status, date_from, date_to, search)) FILTER (WHERE cardinality(expected) > 0),
                         count(DISTINCT (status, date_from, date_to, search)) FILTER (WHERE cardinality(expected) > 2)]::int[]
             FROM filter_answers),
          '{36,28,13}', 'the filter cases: 36 combinations, 28 finding invoices, 13 with more than one page of 2');
SELECT is((SELECT array_agg(format('%s/%s/%s/%s page %s: %s of %s, %s', status, date_from, date_to, search, page,
                                   (answer->'data'->>'count'), cardinality(expected),
                                   ARRAY(SELECT x->>'id' FROM json_array_elements(answer->'data'->'invoices') x)))
             FROM filter_answers
            WHERE (answer->'data'->>'count')::int IS DISTINCT FROM COALESCE(cardinality(expected), 0)
               OR ARRAY(SELECT x->>'id' FROM json_array_elements(answer->'data'->'invoices') WITH ORDINALITY e(x, n) ORDER BY n)
                  IS DISTINCT FROM COALESCE(expected[(page - 1) * 2 + 1 : page * 2], '{}')),
          NULL, 'invoice_list: count and page as a plain query finds them, for every combination of filters and pages 1-4');

-- The kept plans outlive the extension ---------------------------------------------------

DROP EXTENSION invoice CASCADE;
CREATE EXTENSION invoice CASCADE;
INSERT INTO invoice.orgs (org_id, name) VALUES ('jw-again', 'After re-creation');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end) VALUES ('jw-again', 'jw-new', '2024-01-01 UTC', '2024-02-01 UTC');
SELECT is(ARRAY[invoice.invoice_list('jw-again', 1, 10, 'draft')->'data'->>'count',
                invoice.invoice_list('jw-again', 2, 1, 'draft', search => 'nothing')->'data'->>'count',
                invoice.invoice_describe('jw-new')->'data'->>'status'],
          '{1,0,draft}', 'after DROP and CREATE EXTENSION in the same session, the list and describe plan anew');

SELECT * FROM finish();
ROLLBACK;
