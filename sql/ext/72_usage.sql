-- usage: a price book, usage records, invoices generated from usage (README "Usage billing")
--
-- Products are the seed-002 keys (ProductGroup, ProductLine, ProductName, Region,
-- UsageType) with a unit, a currency, HSN/SAC and a GST rate: global, a reference
-- table.  Prices are exact numeric rates with effective dates and a charge model;
-- an organisation's negotiated price overrides the book.  Usage records are keyed
-- by organisation and the sender's idempotency key and load by COPY; a C row
-- trigger checks each (src/usage_records.c) and stamps it with its load batch (one per
-- loading statement).  invoice_generate() rates a period's unbilled usage into one draft
-- invoice per organisation and currency, and notes which load batches (from which usage
-- start) each invoice billed: records are never rewritten (README "Usage billing").

CREATE TABLE invoice.products (
    product_id     text COLLATE "C" PRIMARY KEY CHECK (product_id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    product_group  text,
    product_line   text,
    product_name   text NOT NULL CHECK (btrim(product_name) <> ''),
    region         text,
    usage_type     text,
    description    text,
    unit           text NOT NULL CHECK (btrim(unit) <> ''),
    currency       text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    hsn_sac        text CHECK (hsn_sac ~ '^([0-9]{4}|[0-9]{6}|[0-9]{8})$'),
    gst_rate       numeric CHECK (gst_rate BETWEEN 0 AND 100 AND gst_rate = round(gst_rate, 6)),
    UNIQUE NULLS NOT DISTINCT (product_group, product_line, product_name, region, usage_type),
    gst_treatment  invoice.gst_treatment NOT NULL DEFAULT 'taxable',
    CONSTRAINT products_gst_treatment_check CHECK (gst_treatment = 'taxable' OR coalesce(gst_rate = 0, false))
);
COMMENT ON TABLE invoice.products IS 'the price book''s products, identified by the seed-002 keys (group, line, name, region, usage type)';
COMMENT ON COLUMN invoice.products.unit IS 'what one unit of quantity is (GB-hour, request, …), printed on lines and summaries';
COMMENT ON COLUMN invoice.products.gst_rate IS 'tax percent of the product''s lines (the line''s tax_rate); NULL: the invoice''s rate';
COMMENT ON COLUMN invoice.products.gst_treatment IS 'the GST treatment of the product''s lines (copied onto them): taxable (default), nil_rated, exempt or non_gst; every treatment but taxable needs gst_rate 0';

-- A price's charge model (README "Charge models"), checked by usage_price_valid().
CREATE FUNCTION invoice.usage_price_valid(model text, rate numeric, package_size numeric, free_units numeric,
                                          tier_up_to numeric[], tier_rate numeric[], tier_flat numeric[])
    RETURNS boolean AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.usage_price_valid(text, numeric, numeric, numeric, numeric[], numeric[], numeric[])
    IS 'true for a well-formed price; otherwise raises 22023 naming what is wrong';

CREATE FUNCTION invoice.usage_charge(model text, quantity numeric, rate numeric, package_size numeric, free_units numeric,
                                     tier_up_to numeric[], tier_rate numeric[], tier_flat numeric[])
    RETURNS numeric AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.usage_charge(text, numeric, numeric, numeric, numeric, numeric[], numeric[], numeric[])
    IS 'the exact (unrounded) charge in major units for a quantity under a price; invoice_generate rounds the line amount';

-- No foreign key to products: on Citus, a key from a table to one that becomes a reference
-- table makes Citus convert the first into a "Citus local table" before distribute() places
-- it.  A price of no product prices nothing.
CREATE TABLE invoice.prices (
    product_id      text COLLATE "C" NOT NULL,
    effective_from  date NOT NULL,
    effective_to    date,
    model           text NOT NULL CHECK (model IN ('per_unit', 'graduated', 'volume', 'package')),
    rate            numeric,
    package_size    numeric,
    free_units      numeric NOT NULL DEFAULT 0,
    tier_up_to      numeric[],
    tier_rate       numeric[],
    tier_flat       numeric[],
    PRIMARY KEY (product_id, effective_from),
    CHECK (effective_to IS NULL OR effective_to > effective_from),
    CHECK (invoice.usage_price_valid(model, rate, package_size, free_units, tier_up_to, tier_rate, tier_flat))
);
COMMENT ON TABLE invoice.prices IS 'the price book: a product''s price from effective_from (UTC day) until effective_to or the next price';
COMMENT ON COLUMN invoice.prices.rate IS 'per_unit: price of one unit; package: price of one package (major units, exact)';

CREATE TABLE invoice.org_prices (
    org_id          text COLLATE "C" NOT NULL REFERENCES invoice.orgs (org_id),
    product_id      text COLLATE "C" NOT NULL,
    effective_from  date NOT NULL,
    effective_to    date,
    model           text NOT NULL CHECK (model IN ('per_unit', 'graduated', 'volume', 'package')),
    rate            numeric,
    package_size    numeric,
    free_units      numeric NOT NULL DEFAULT 0,
    tier_up_to      numeric[],
    tier_rate       numeric[],
    tier_flat       numeric[],
    PRIMARY KEY (org_id, product_id, effective_from),
    CHECK (effective_to IS NULL OR effective_to > effective_from),
    CHECK (invoice.usage_price_valid(model, rate, package_size, free_units, tier_up_to, tier_rate, tier_flat))
);
COMMENT ON TABLE invoice.org_prices IS 'negotiated prices: while one is in force for an organisation and product, it replaces the book''s price';

CREATE TABLE invoice.usage_records (
    org_id           text COLLATE "C" NOT NULL,
    idempotency_key  text COLLATE "C" NOT NULL,
    product_group    text,
    product_line     text,
    product_name     text,
    region           text,
    usage_type       text,
    resource_type    text,
    resource_name    text,
    quantity         numeric NOT NULL CHECK (quantity >= 0),
    usage_start      timestamptz NOT NULL,
    usage_end        timestamptz NOT NULL,
    load_batch       bigint NOT NULL,
    product_id       text COLLATE "C",
    PRIMARY KEY (org_id, idempotency_key),
    CHECK (usage_end >= usage_start)
);
COMMENT ON TABLE invoice.usage_records IS 'metered usage, one row per record the sender keyed; load by COPY; written once (usage_record_invoices tells which invoice billed a record)';
COMMENT ON COLUMN invoice.usage_records.idempotency_key IS 'the sender''s key: the same key again with the same values changes nothing, with other values is refused (IV011)';
COMMENT ON COLUMN invoice.usage_records.product_id IS 'the price book''s product of the record''s keys, set when it is loaded (whatever the sender gave)';
COMMENT ON COLUMN invoice.usage_records.load_batch IS 'the loading statement''s batch (usage_load_batch_seq), set by the trigger when the record is loaded (so NOT NULL holds even for a sender who gives none): what invoice_generate notes as billed';

-- The inbox: what a sender COPYs at the speed of a bare table (no key, no row trigger, no
-- index), and usage_ingest() moves into usage_records in one set-based statement with the
-- gate's rules (src/usage_ingest.c).  A row usage_ingest() cannot load stays here, parked,
-- with its reason (NULL: waiting for the next ingest); usage_unrated shows it.
CREATE TABLE invoice.usage_inbox (
    org_id           text COLLATE "C" NOT NULL,
    idempotency_key  text COLLATE "C" NOT NULL,
    product_group    text,
    product_line     text,
    product_name     text,
    region           text,
    usage_type       text,
    resource_type    text,
    resource_name    text,
    quantity         numeric NOT NULL,
    usage_start      timestamptz NOT NULL,
    usage_end        timestamptz NOT NULL,
    reason           text
);
COMMENT ON TABLE invoice.usage_inbox
    IS 'usage records sent by COPY at bare speed: usage_ingest() (and every generation) moves them into usage_records; a row it cannot load stays, parked with its reason';
COMMENT ON COLUMN invoice.usage_inbox.reason
    IS 'NULL: waiting for usage_ingest(); otherwise why usage_ingest() parked it (also in usage_unrated)';

-- One number per loading statement (src/usage_records.c draws it once per statement).
CREATE SEQUENCE invoice.usage_load_batch_seq;
COMMENT ON SEQUENCE invoice.usage_load_batch_seq IS 'the load batches of usage_records: one per loading statement';

-- Which invoice a generation made for an organisation, currency and period: the key that
-- makes re-running a period a no-op.  Deleting the draft releases its usage.
CREATE TABLE invoice.usage_invoices (
    org_id        text COLLATE "C" NOT NULL,
    currency      text NOT NULL,
    period_start  timestamptz NOT NULL,
    period_end    timestamptz NOT NULL,
    invoice_id    text COLLATE "C" NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT invoice.clock(),
    load_batches  bigint[] NOT NULL DEFAULT '{}',
    billed_from   timestamptz[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (org_id, currency, period_start),
    CHECK (cardinality(load_batches) = cardinality(billed_from)),
    UNIQUE (org_id, invoice_id),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE invoice.usage_invoices IS 'the draft invoice invoice_generate made per organisation, currency and period (re-running the period makes no other), and the usage it billed';
COMMENT ON COLUMN invoice.usage_invoices.load_batches IS 'the load batches the invoice billed: the records of the organisation in load_batches[k] in the currency, with billed_from[k] <= usage_start < period_end';
COMMENT ON COLUMN invoice.usage_invoices.billed_from IS 'per load batch, the earliest usage_start the invoice billed';

-- An organisation's billing day: its usage periods run from that day of a month to the same
-- day of the next (UTC).  No row: the 1st, calendar months.
CREATE TABLE invoice.usage_billing_days (
    org_id       text COLLATE "C" PRIMARY KEY REFERENCES invoice.orgs (org_id),
    billing_day  smallint NOT NULL CHECK (billing_day BETWEEN 1 AND 28)
);
COMMENT ON TABLE invoice.usage_billing_days
    IS 'an organisation''s billing day (1 to 28): invoice_generate_due bills its usage periods from that day of a month to the same day of the next (UTC); no row: the 1st';

SELECT pg_catalog.pg_extension_config_dump('invoice.products', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.prices', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.org_prices', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.usage_records', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.usage_inbox', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.usage_invoices', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.usage_load_batch_seq', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.usage_billing_days', '');

CREATE FUNCTION invoice.usage_record_check() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION invoice.usage_record_check()
    IS 'trigger: a usage record''s organisation, product, quantity and period are checked and its product and load batch set; a re-sent record (same key, same values) is skipped, a different one refused (IV011); records never change';
CREATE TRIGGER usage_record_check BEFORE INSERT OR UPDATE ON invoice.usage_records
    FOR EACH ROW EXECUTE FUNCTION invoice.usage_record_check();

CREATE FUNCTION invoice.usage_generation_lock(org_id text) RETURNS void
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.usage_generation_lock(text)
    IS 'internal: the transaction lock a generation of the organisation''s invoices holds (a generation of every organisation holds them all)';

CREATE FUNCTION invoice.usage_invoice_released() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION invoice.usage_invoice_released()
    IS 'trigger: a deleted generated draft gives its usage back (the next generation rates it again): it waits for a generation of the organisation running now';
CREATE TRIGGER usage_invoice_released AFTER DELETE ON invoice.usage_invoices
    REFERENCING OLD TABLE AS changed_old
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.usage_invoice_released();

CREATE FUNCTION invoice.invoice_generate(period_start timestamptz, period_end timestamptz, org_id text DEFAULT NULL)
    RETURNS bigint AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_generate(timestamptz, timestamptz, text)
    IS 'rate the unbilled usage before period_end of every organisation (or one) into one draft invoice per organisation and currency for the period; safe to re-run; returns how many invoices it made';

CREATE FUNCTION invoice.usage_ingest(org_id text DEFAULT NULL) RETURNS bigint
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.usage_ingest(text)
    IS 'move the committed rows of usage_inbox (of one organisation, or all) into usage_records in one statement: a re-sent record changes nothing, a record that cannot be loaded stays in the inbox with its reason; returns how many records it loaded';

CREATE FUNCTION invoice.usage_ingest_on_node(org_id text, one_org boolean)
    RETURNS bigint AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.usage_ingest_on_node(text, boolean)
    IS 'internal (Citus): usage_ingest''s work on a node, for the organisation (one_org) or its whole shard group';

-- Which invoice billed each record: the generated invoice whose load batches hold the record's
-- batch from a usage start at or before the record's, and whose period ends after it.
CREATE VIEW invoice.usage_record_invoices WITH (security_invoker = true) AS
SELECT r.org_id, r.idempotency_key, b.invoice_id
  FROM invoice.usage_records r
  LEFT JOIN invoice.products p ON p.product_id = r.product_id
  LEFT JOIN LATERAL (SELECT u.invoice_id
                       FROM invoice.usage_invoices u, unnest(u.load_batches, u.billed_from) c(load_batch, billed_from)
                      WHERE u.org_id = r.org_id AND u.currency = p.currency AND c.load_batch = r.load_batch
                        AND r.usage_start >= c.billed_from AND r.usage_start < u.period_end
                      ORDER BY u.period_end, u.invoice_id LIMIT 1) b ON true;
COMMENT ON VIEW invoice.usage_record_invoices
    IS 'each usage record and the generated invoice that billed it (NULL: not billed yet)';

CREATE FUNCTION invoice.invoice_generate_due(as_of timestamptz DEFAULT NULL, since timestamptz DEFAULT NULL)
    RETURNS bigint AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_generate_due(timestamptz, timestamptz)
    IS 'for each billing day in use, invoice_generate of its organisations for the month-long period that ended last at or before as_of (default: the clock), when that end is after since (default: always); returns how many invoices it made';

CREATE FUNCTION invoice.invoice_generate_on_node(org_id text, period_start timestamptz, period_end timestamptz)
    RETURNS bigint AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_generate_on_node(text, timestamptz, timestamptz)
    IS 'internal (Citus): invoice_generate''s work for one organisation on its node';

-- The price in force for an organisation, product and UTC day: its negotiated price, else the book's.
CREATE FUNCTION invoice.usage_price(org_id text, product_id text, day date)
    RETURNS TABLE (source text, model text, rate numeric, package_size numeric, free_units numeric,
                   tier_up_to numeric[], tier_rate numeric[], tier_flat numeric[])
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, invoice, pg_temp
BEGIN ATOMIC
    SELECT s.source, s.model, s.rate, s.package_size, s.free_units, s.tier_up_to, s.tier_rate, s.tier_flat
      FROM (SELECT 'org' AS source, 1 AS pref, p.effective_from, p.model, p.rate, p.package_size, p.free_units,
                   p.tier_up_to, p.tier_rate, p.tier_flat
              FROM invoice.org_prices p
             WHERE p.org_id = usage_price.org_id AND p.product_id = usage_price.product_id
               AND p.effective_from <= usage_price.day AND (p.effective_to IS NULL OR usage_price.day < p.effective_to)
            UNION ALL
            SELECT 'book', 2, b.effective_from, b.model, b.rate, b.package_size, b.free_units,
                   b.tier_up_to, b.tier_rate, b.tier_flat
              FROM invoice.prices b
             WHERE b.product_id = usage_price.product_id
               AND b.effective_from <= usage_price.day AND (b.effective_to IS NULL OR usage_price.day < b.effective_to)) s
     ORDER BY s.pref, s.effective_from DESC
     LIMIT 1;
END;
COMMENT ON FUNCTION invoice.usage_price(text, text, date)
    IS 'the price in force for an organisation''s usage of a product on a UTC day: the latest negotiated price in force, else the latest book price in force; no row when there is none';

-- Records not on an invoice, and why: what the next generation will bill, and what it cannot.
CREATE VIEW invoice.usage_unrated WITH (security_invoker = true) AS
SELECT r.org_id, r.idempotency_key, r.product_group, r.product_line, r.product_name, r.region, r.usage_type,
       r.resource_type, r.resource_name, r.quantity, r.usage_start, r.usage_end,
       CASE WHEN o.org_id IS NULL THEN 'unknown organisation'
            WHEN p.product_id IS NULL THEN 'unknown product'
            -- usage_price() finds none: neither a negotiated nor a book price in force that day
            -- (written out, not called: Citus runs no set-returning SQL function per row of a
            -- query over every shard)
            WHEN NOT EXISTS (SELECT FROM invoice.org_prices n
                              WHERE n.org_id = r.org_id AND n.product_id = p.product_id
                                AND n.effective_from <= d.day AND (n.effective_to IS NULL OR d.day < n.effective_to))
             AND NOT EXISTS (SELECT FROM invoice.prices bp
                              WHERE bp.product_id = p.product_id
                                AND bp.effective_from <= d.day AND (bp.effective_to IS NULL OR d.day < bp.effective_to))
                 THEN 'no price in force'
       END AS reason
  FROM invoice.usage_records r
  CROSS JOIN LATERAL (SELECT (r.usage_start AT TIME ZONE 'UTC')::date AS day) d
  JOIN invoice.usage_record_invoices b ON b.org_id = r.org_id AND b.idempotency_key = r.idempotency_key
  LEFT JOIN invoice.orgs o ON o.org_id = r.org_id
  LEFT JOIN invoice.products p ON p.product_id = r.product_id
 WHERE b.invoice_id IS NULL
UNION ALL
SELECT i.org_id, i.idempotency_key, i.product_group, i.product_line, i.product_name, i.region, i.usage_type,
       i.resource_type, i.resource_name, i.quantity, i.usage_start, i.usage_end, i.reason
  FROM invoice.usage_inbox i
 WHERE i.reason IS NOT NULL;
COMMENT ON VIEW invoice.usage_unrated
    IS 'usage not on an invoice yet: records (reason NULL means the next generation whose period ends after usage_start bills it; otherwise why it cannot be rated) and the rows usage_ingest parked in usage_inbox, with their reason';

-- Prepaid usage summaries (seed 003: "usage summaries for accounting") ---------------------

CREATE TYPE invoice.usage_summary_row AS (
    day                date,
    product_id         text,
    product_group      text,
    product_line       text,
    product_name       text,
    region             text,
    usage_type         text,
    unit               text,
    currency           text,
    quantity           numeric,
    unbilled_quantity  numeric,
    amount             cents
);
COMMENT ON TYPE invoice.usage_summary_row IS 'one organisation''s usage of one product on one UTC day';

-- A billed line's amount is shared out over the days of its records by quantity: each day
-- gets the floor of its exact share in cents, and the cents left over go one each to the
-- days with the largest remainders (then the earlier day), so a line's days add up to it.
CREATE FUNCTION invoice.usage_summary_rows(org_id text, date_from date, date_to date)
    RETURNS SETOF invoice.usage_summary_row
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, invoice, pg_temp
AS $body$
#variable_conflict use_column
BEGIN
    -- PL/pgSQL, not SQL: Citus plans its query with the values of the parameters (a router
    -- query on the organisation's node); it cannot plan a SQL-language function's.
    RETURN QUERY
    WITH recs AS (
        SELECT b.invoice_id, r.product_group, r.product_line, r.product_name, r.region, r.usage_type,
               r.resource_type, r.resource_name, (r.usage_start AT TIME ZONE 'UTC')::date AS day,
               sum(r.quantity) AS quantity
          FROM invoice.usage_records r
          JOIN invoice.usage_record_invoices b ON b.org_id = r.org_id AND b.idempotency_key = r.idempotency_key
         WHERE r.org_id = usage_summary_rows.org_id
           AND ((r.usage_start >= (usage_summary_rows.date_from::timestamp AT TIME ZONE 'UTC')
                 AND r.usage_start < (usage_summary_rows.date_to::timestamp AT TIME ZONE 'UTC'))
                OR b.invoice_id IN (SELECT x.invoice_id FROM invoice.usage_records y
                                      JOIN invoice.usage_record_invoices x ON x.org_id = y.org_id AND x.idempotency_key = y.idempotency_key
                                     WHERE y.org_id = usage_summary_rows.org_id AND x.invoice_id IS NOT NULL
                                       AND y.usage_start >= (usage_summary_rows.date_from::timestamp AT TIME ZONE 'UTC')
                                       AND y.usage_start < (usage_summary_rows.date_to::timestamp AT TIME ZONE 'UTC')))
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9),
    lines AS (
        SELECT l.invoice_id, l.product_group, l.product_line, l.product_name, l.region, l.usage_type,
               l.resource_type, l.resource_name, sum(l.units) AS units, sum((l.amount)::bigint) AS cents
          FROM invoice.line_items l
         WHERE l.org_id = usage_summary_rows.org_id
           AND l.invoice_id IN (SELECT DISTINCT recs.invoice_id FROM recs)
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8),
    shares AS (
        SELECT recs.*, l.cents, l.units,
               CASE WHEN l.units > 0 THEN l.cents * recs.quantity / l.units WHEN l.units = 0 THEN 0 END AS exact
          FROM recs
          LEFT JOIN lines l
            ON l.invoice_id = recs.invoice_id
           AND l.product_group IS NOT DISTINCT FROM recs.product_group AND l.product_line IS NOT DISTINCT FROM recs.product_line
           AND l.product_name IS NOT DISTINCT FROM recs.product_name AND l.region IS NOT DISTINCT FROM recs.region
           AND l.usage_type IS NOT DISTINCT FROM recs.usage_type
           AND l.resource_type IS NOT DISTINCT FROM recs.resource_type
           AND l.resource_name IS NOT DISTINCT FROM recs.resource_name),
    ranked AS (
        SELECT s.*, floor(s.exact) AS base,
               s.cents - sum(floor(s.exact)) OVER w AS leftover,
               row_number() OVER (w ORDER BY s.exact - floor(s.exact) DESC, s.day) AS pos
          FROM shares s
        WINDOW w AS (PARTITION BY s.invoice_id, s.product_group, s.product_line, s.product_name, s.region,
                                  s.usage_type, s.resource_type, s.resource_name)),
    days AS (
        SELECT r.day, r.product_group, r.product_line, r.product_name, r.region, r.usage_type,
               sum(r.quantity) AS quantity,
               coalesce(sum(r.quantity) FILTER (WHERE r.cents IS NULL), 0) AS unbilled_quantity,
               sum(r.base + CASE WHEN r.pos <= r.leftover THEN 1 ELSE 0 END) AS cents
          FROM ranked r
         WHERE r.day >= usage_summary_rows.date_from AND r.day < usage_summary_rows.date_to
         GROUP BY 1, 2, 3, 4, 5, 6)
    SELECT d.day, p.product_id, d.product_group, d.product_line, d.product_name, d.region, d.usage_type,
           p.unit, p.currency, d.quantity, d.unbilled_quantity, (d.cents::bigint)::cents
      FROM days d
      LEFT JOIN invoice.products p
        ON p.product_group IS NOT DISTINCT FROM d.product_group AND p.product_line IS NOT DISTINCT FROM d.product_line
       AND p.product_name IS NOT DISTINCT FROM d.product_name AND p.region IS NOT DISTINCT FROM d.region
       AND p.usage_type IS NOT DISTINCT FROM d.usage_type
     ORDER BY d.day, p.product_id, d.product_group, d.product_line, d.product_name, d.region, d.usage_type;
END
$body$;
COMMENT ON FUNCTION invoice.usage_summary_rows(text, date, date)
    IS 'usage per UTC day and product in [date_from, date_to): quantity, what of it is not billed yet, and the day''s share of the billed line amounts (shares of a line add up to it exactly); also the CSV export';

CREATE FUNCTION invoice.usage_summary(org_id text, date_from date, date_to date) RETURNS json
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, invoice, pg_temp
BEGIN ATOMIC
    SELECT json_build_object(
               'orgId', usage_summary.org_id,
               'dateFrom', usage_summary.date_from,
               'dateTo', usage_summary.date_to,
               'days', coalesce((SELECT json_agg(json_build_object('date', d.day, 'products', d.products) ORDER BY d.day)
                                   FROM (SELECT s.day,
                                                json_agg(json_build_object(
                                                    'productId', s.product_id, 'ProductGroup', s.product_group,
                                                    'ProductLine', s.product_line, 'ProductName', s.product_name,
                                                    'Region', s.region, 'UsageType', s.usage_type, 'unit', s.unit,
                                                    'currency', s.currency, 'quantity', s.quantity,
                                                    'unbilledQuantity', s.unbilled_quantity, 'amount', s.amount)
                                                    ORDER BY s.product_id, s.product_name) AS products
                                           FROM invoice.usage_summary_rows(usage_summary.org_id, usage_summary.date_from,
                                                                           usage_summary.date_to) s
                                          GROUP BY s.day) d), '[]'::json),
               'totals', coalesce((SELECT json_agg(json_build_object('currency', t.currency, 'amount', t.amount) ORDER BY t.currency)
                                     FROM (SELECT s.currency, sum(s.amount) AS amount
                                             FROM invoice.usage_summary_rows(usage_summary.org_id, usage_summary.date_from,
                                                                             usage_summary.date_to) s
                                            GROUP BY s.currency) t), '[]'::json));
END;
COMMENT ON FUNCTION invoice.usage_summary(text, date, date)
    IS 'usage summary for accounting as JSON: {"orgId","dateFrom","dateTo","days":[{"date","products":[…]}],"totals":[{"currency","amount"}]}, amounts in integer minor units';

CREATE FUNCTION invoice.usage_summary_pdf(org_id text, date_from date, date_to date) RETURNS bytea
    AS 'MODULE_PATHNAME', 'usage_summary_pdf' LANGUAGE C STABLE;
COMMENT ON FUNCTION invoice.usage_summary_pdf(text, date, date)
    IS 'usage summary for accounting as a printable A4 PDF in the invoices'' style: usage_summary_rows per day and product, a total per currency';
