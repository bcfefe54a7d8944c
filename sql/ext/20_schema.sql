-- invoice schema: organisations, invoices and their line items, credits, payments, history
--
-- Identifiers (org_id, id, invoice_id, series, number, provider_ref) are
-- text COLLATE "C": they compare byte by byte, whatever the database locale,
-- which also makes the joins and sorts of the set-based recompute cheap.
--
-- Every table that holds an organisation's data carries org_id and every key
-- includes it, so the schema can be distributed by org_id.  The numbering
-- counters are supplier-wide (one series of numbers for all customers, as
-- Rule 46 requires of a supplier): a reference table in distribution terms.

CREATE TYPE invoice.status AS ENUM ('draft', 'pending', 'overdue', 'paid', 'cancelled');
COMMENT ON TYPE invoice.status IS 'invoice life cycle: draft → pending → overdue/paid/cancelled (see README "Life cycle")';

CREATE TYPE invoice.payment_method AS ENUM ('upi', 'card', 'netbanking', 'wallet', 'bank_transfer');
COMMENT ON TYPE invoice.payment_method IS 'how a payment was made';

CREATE TYPE invoice.gst_treatment AS ENUM ('taxable', 'nil_rated', 'exempt', 'non_gst');
COMMENT ON TYPE invoice.gst_treatment IS 'how GST treats a supply (README "GST treatment"): taxable at its rate, nil-rated (rate 0), exempt, or outside GST (non-GST); the three last charge no tax';

CREATE FUNCTION invoice.new_invoice_id() RETURNS text
    AS 'MODULE_PATHNAME', 'invoice_new_id' LANGUAGE C VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.new_invoice_id() IS 'a fresh invoice id: inv- and 17 random base-36 characters';

CREATE TABLE invoice.supplier (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    legal_name   text NOT NULL CHECK (btrim(legal_name) <> ''),
    address      text,
    email        text,
    gstin        invoice.gstin,
    state_code   text CHECK (state_code ~ '^[0-9]{2}$'),
    CHECK (gstin IS NULL OR state_code = left(gstin, 2)),
    tax_rounding    text NOT NULL DEFAULT 'line' CHECK (tax_rounding IN ('line', 'invoice')),
    total_rounding  text NOT NULL DEFAULT 'none' CHECK (total_rounding IN ('none', 'rupee'))
);
COMMENT ON TABLE invoice.supplier IS 'the supplier''s own registration (one row): legal name, address, GSTIN and state, printed on every invoice';
COMMENT ON COLUMN invoice.supplier.tax_rounding IS 'how drafts round tax until issue fixes it on the invoice: line (each line''s tax heads) or invoice (each head once per rate over the invoice, spread back over the lines)';
COMMENT ON COLUMN invoice.supplier.total_rounding IS 'none, or rupee: INR drafts round their total to the rupee (the round_off amount) until issue fixes it on the invoice';

CREATE TABLE invoice.orgs (
    org_id              text COLLATE "C" PRIMARY KEY CHECK (org_id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    name                text NOT NULL CHECK (btrim(name) <> ''),
    billing_email       text CHECK (billing_email ~ '^[^@\s]+@[^@\s]+$'),
    billing_address     text,
    gstin               invoice.gstin,
    billing_state       text CHECK (billing_state ~ '^[0-9]{2}$'),
    payment_terms_days  integer NOT NULL DEFAULT 30 CHECK (payment_terms_days BETWEEN 0 AND 365),
    grace_period        interval CHECK (grace_period >= interval '0'),
    suspended_at        timestamptz,
    autopay             boolean NOT NULL DEFAULT false,
    advance_balance     cents NOT NULL DEFAULT '0' CHECK (advance_balance >= '0'),
    created_at          timestamptz NOT NULL DEFAULT invoice.clock()
);
COMMENT ON TABLE invoice.orgs IS 'one row per customer organisation';
COMMENT ON COLUMN invoice.orgs.gstin IS 'the organisation''s GST registration, if any';
COMMENT ON COLUMN invoice.orgs.billing_state IS 'GST state code of the place of supply (two digits); see invoice.gst_intra_state';
COMMENT ON COLUMN invoice.orgs.payment_terms_days IS 'days from invoice date to due date when an invoice is issued without a due date';
COMMENT ON COLUMN invoice.orgs.grace_period IS 'how long an invoice may stay overdue before service is suspended; NULL means the invoice.grace_period setting';
COMMENT ON COLUMN invoice.orgs.suspended_at IS 'set by the overdue sweep when an invoice is overdue past the grace period; cleared in the transaction that pays the last such invoice';
COMMENT ON COLUMN invoice.orgs.advance_balance IS 'prepaid balance: the sum of the organisation''s advance_ledger, kept by its trigger; never negative';
COMMENT ON COLUMN invoice.orgs.autopay IS 'issuing an invoice with an amount due queues a charge request in invoice.payment_requests';

CREATE TABLE invoice.invoices (
    org_id                 text COLLATE "C" NOT NULL REFERENCES invoice.orgs (org_id),
    id                     text COLLATE "C" NOT NULL DEFAULT invoice.new_invoice_id()
                           CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
    series                 text COLLATE "C" NOT NULL DEFAULT 'INV' CHECK (series ~ '^[A-Za-z0-9]{1,4}$'),
    number                 text COLLATE "C" CHECK (number ~ '^[A-Za-z0-9/-]{1,16}$'),
    description            text,
    period_start           timestamptz NOT NULL,
    period_end             timestamptz NOT NULL,
    invoice_date           timestamptz,
    due_date               timestamptz,
    currency               text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    status                 invoice.status NOT NULL DEFAULT 'draft',
    status_reason          text,
    tax_rate               numeric NOT NULL DEFAULT 0
                           CHECK (tax_rate BETWEEN 0 AND 100 AND tax_rate = round(tax_rate, 6)),
    gst                    boolean NOT NULL DEFAULT false,
    reverse_charge         boolean NOT NULL DEFAULT false,
    place_of_supply        text CHECK (place_of_supply ~ '^[0-9]{2}$'),
    gst_intra_state        boolean,
    usage_amount           cents NOT NULL DEFAULT '0',
    credits_applied        cents NOT NULL DEFAULT '0',
    already_billed_amount  cents NOT NULL DEFAULT '0',
    subtotal               cents NOT NULL DEFAULT '0',
    tax                    cents NOT NULL DEFAULT '0',
    total                  cents NOT NULL DEFAULT '0',
    advance_pay_amount     cents NOT NULL DEFAULT '0',
    amount_due             cents NOT NULL DEFAULT '0',
    credited_amount        cents NOT NULL DEFAULT '0',
    dispute_status         text CHECK (dispute_status IN ('open', 'resolved', 'rejected')),
    dispute_description    text,
    disputed_at            timestamptz,
    dispute_closed_at      timestamptz,
    created_at             timestamptz NOT NULL DEFAULT invoice.clock(),
    updated_at             timestamptz NOT NULL DEFAULT invoice.clock(),
    issued_at              timestamptz,
    paid_at                timestamptz,
    cancelled_at           timestamptz,
    -- last, where an upgrade's ADD COLUMN puts them: the row type is the same either way
    tax_rounding           text CHECK (tax_rounding IN ('line', 'invoice')),
    total_rounding         text CHECK (total_rounding IN ('none', 'rupee')),
    round_off              cents NOT NULL DEFAULT '0',
    PRIMARY KEY (org_id, id),
    UNIQUE (org_id, number),
    CHECK (period_end > period_start),
    CHECK (due_date IS NULL OR invoice_date IS NULL OR due_date >= invoice_date),
    CHECK (NOT gst OR currency = 'INR'),
    CHECK (total_rounding IS DISTINCT FROM 'rupee' OR currency = 'INR'),
    CHECK (CASE status WHEN 'draft' THEN number IS NULL
                       WHEN 'cancelled' THEN true      -- a discarded draft never had a number
                       ELSE number IS NOT NULL END)

) WITH (fillfactor = 80);   -- room for in-page (HOT) updates of the derived amounts
CREATE INDEX invoices_id_idx ON invoice.invoices (id);
CREATE INDEX invoices_pending_due_idx ON invoice.invoices (due_date) WHERE status = 'pending' AND dispute_status IS DISTINCT FROM 'open';
CREATE INDEX invoices_overdue_idx ON invoice.invoices (org_id, due_date) WHERE status = 'overdue';
COMMENT ON TABLE invoice.invoices IS 'invoices; amounts are derived (invoice_compute) and the status is guarded by the life-cycle triggers';
COMMENT ON COLUMN invoice.invoices.id IS 'invoice id, e.g. inv-12312io23810o291; generated when not given';
COMMENT ON COLUMN invoice.invoices.series IS 'numbering series (1-4 letters or digits); numbers read SERIES/YYYY/NNNNNN by Indian financial year';
COMMENT ON COLUMN invoice.invoices.number IS 'invoice number, assigned at issue: consecutive and gapless per series and financial year';
COMMENT ON COLUMN invoice.invoices.status_reason IS 'reason of the last status change (required to cancel); copied to status_history';
COMMENT ON COLUMN invoice.invoices.tax_rate IS 'tax percent for line items without their own rate, at most 6 decimals';
COMMENT ON COLUMN invoice.invoices.gst IS 'a GST tax invoice (INR): tax split into CGST + SGST or IGST, HSN/SAC and a rate of invoice.gst_rates on every line';
COMMENT ON COLUMN invoice.invoices.place_of_supply IS 'GST: state code of the place of supply, fixed at issue';
COMMENT ON COLUMN invoice.invoices.gst_intra_state IS 'GST: true when taxed as CGST + SGST (place of supply in the supplier''s state), false for IGST; fixed at issue, so later moves of the customer or the supplier change nothing';
COMMENT ON COLUMN invoice.invoices.tax_rounding IS 'line: tax heads rounded on each line; invoice: each head rounded once per rate over the invoice and spread back over the lines by largest remainder.  NULL on a draft: the supplier''s setting; fixed at issue';
COMMENT ON COLUMN invoice.invoices.total_rounding IS 'rupee: the total is rounded to the rupee (INR only), the difference is round_off; none: no round-off.  NULL on a draft: the supplier''s setting (none for other currencies); fixed at issue';
COMMENT ON COLUMN invoice.invoices.round_off IS 'derived: what rounding subtotal + tax to the rupee added (-0.49 to +0.50) when total_rounding is rupee, else 0; part of total';
COMMENT ON COLUMN invoice.invoices.reverse_charge IS 'GST payable by the recipient under reverse charge (printed on the invoice)';
COMMENT ON COLUMN invoice.invoices.usage_amount IS 'derived: sum of line amounts';
COMMENT ON COLUMN invoice.invoices.credits_applied IS 'derived: credits, capped at usage_amount';
COMMENT ON COLUMN invoice.invoices.already_billed_amount IS 'derived: sum of payments';
COMMENT ON COLUMN invoice.invoices.subtotal IS 'derived: usage_amount - credits_applied';
COMMENT ON COLUMN invoice.invoices.tax IS 'derived: sum over lines of the rounded tax on each line''s taxable value';
COMMENT ON COLUMN invoice.invoices.total IS 'derived: subtotal + tax + round_off';
COMMENT ON COLUMN invoice.invoices.advance_pay_amount IS 'derived: prepaid balance applied to this invoice';
COMMENT ON COLUMN invoice.invoices.amount_due IS 'derived: max(total - already_billed_amount - advance_pay_amount - credited_amount, 0)';
COMMENT ON COLUMN invoice.invoices.credited_amount IS 'derived: total of the issued credit notes of this invoice';
COMMENT ON COLUMN invoice.invoices.dispute_status IS 'open while the customer disputes the invoice (kept out of the overdue sweep and reminders); resolved by a credit note, or rejected';

CREATE TABLE invoice.line_items (
    org_id              text COLLATE "C" NOT NULL,
    invoice_id          text COLLATE "C" NOT NULL,
    line_id             bigint GENERATED ALWAYS AS IDENTITY,
    description         text NOT NULL CHECK (btrim(description) <> ''),
    units               numeric NOT NULL DEFAULT 1 CHECK (units >= 0),
    rate                numeric NOT NULL DEFAULT 0 CHECK (rate >= 0),
    amount              cents NOT NULL CHECK (amount >= '0'),
    tax_rate            numeric CHECK (tax_rate BETWEEN 0 AND 100 AND tax_rate = round(tax_rate, 6)),
    product_group       text,
    product_line        text,
    product_name        text,
    region              text,
    usage_type          text,
    credit_coupon_code  text,
    resource_type       text,
    resource_name       text,
    usage_start         timestamptz,
    usage_end           timestamptz,
    hsn_sac             text CHECK (hsn_sac ~ '^([0-9]{4}|[0-9]{6}|[0-9]{8})$'),
    PRIMARY KEY (org_id, line_id),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id) ON DELETE CASCADE,
    CHECK (usage_end IS NULL OR usage_start IS NULL OR usage_end >= usage_start),
    gst_treatment       invoice.gst_treatment NOT NULL DEFAULT 'taxable',
    CONSTRAINT line_items_gst_treatment_check CHECK (gst_treatment = 'taxable' OR coalesce(tax_rate = 0, false))
);
CREATE INDEX line_items_invoice_idx ON invoice.line_items (org_id, invoice_id, line_id);
COMMENT ON TABLE invoice.line_items IS 'the charges of an invoice; frozen once the invoice is issued';
COMMENT ON COLUMN invoice.line_items.rate IS 'price per unit in major units (numeric, any precision)';
COMMENT ON COLUMN invoice.line_items.amount IS 'units × rate rounded half away from zero to cents when not given';
COMMENT ON COLUMN invoice.line_items.tax_rate IS 'tax percent of this line; NULL means the invoice''s tax_rate';
COMMENT ON COLUMN invoice.line_items.gst_treatment IS 'taxable (default), nil_rated, exempt or non_gst; every treatment but taxable needs tax_rate 0 (line_items_gst_treatment_check): no tax';

CREATE TABLE invoice.credits (
    org_id       text COLLATE "C" NOT NULL,
    invoice_id   text COLLATE "C" NOT NULL,
    credit_id    bigint GENERATED ALWAYS AS IDENTITY,
    amount       cents NOT NULL CHECK (amount > '0'),
    code         text NOT NULL CHECK (btrim(code) <> ''),
    description  text,
    created_at   timestamptz NOT NULL DEFAULT invoice.clock(),
    PRIMARY KEY (org_id, credit_id),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id) ON DELETE CASCADE
);
CREATE INDEX credits_invoice_idx ON invoice.credits (org_id, invoice_id);
COMMENT ON TABLE invoice.credits IS 'credits and coupons applied to one invoice; frozen once the invoice is issued';

CREATE TABLE invoice.payments (
    org_id        text COLLATE "C" NOT NULL,
    invoice_id    text COLLATE "C" NOT NULL,
    payment_id    bigint GENERATED ALWAYS AS IDENTITY,
    amount        cents NOT NULL CHECK (amount > '0'),
    method        invoice.payment_method NOT NULL,
    provider_ref  text COLLATE "C" NOT NULL CHECK (btrim(provider_ref) <> ''),
    paid_at       timestamptz NOT NULL DEFAULT invoice.clock(),
    PRIMARY KEY (org_id, payment_id),
    UNIQUE (org_id, provider_ref),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id)
);
CREATE INDEX payments_invoice_idx ON invoice.payments (org_id, invoice_id);
COMMENT ON TABLE invoice.payments IS 'payments received for an invoice; provider_ref makes recording idempotent';

CREATE TABLE invoice.status_history (
    org_id       text COLLATE "C" NOT NULL,
    invoice_id   text COLLATE "C" NOT NULL,
    history_id   bigint GENERATED ALWAYS AS IDENTITY,
    from_status  invoice.status,
    to_status    invoice.status NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT invoice.clock(),
    changed_by   name NOT NULL DEFAULT current_user,
    reason       text,
    PRIMARY KEY (org_id, history_id),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id) ON DELETE CASCADE
);
CREATE INDEX status_history_invoice_idx ON invoice.status_history (org_id, invoice_id, history_id);
COMMENT ON TABLE invoice.status_history IS 'one row per status change of an invoice (from NULL at creation)';

CREATE TABLE invoice.number_series (
    series       text COLLATE "C" NOT NULL,
    fiscal_year  integer NOT NULL,
    last_value   bigint NOT NULL CHECK (last_value >= 0),
    PRIMARY KEY (series, fiscal_year)
);
COMMENT ON TABLE invoice.number_series IS 'last invoice number used per series and Indian financial year (starting year, April to March)';

SELECT pg_catalog.pg_extension_config_dump('invoice.supplier', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.orgs', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.invoices', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.line_items', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.credits', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.payments', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.status_history', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.number_series', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.line_items_line_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.credits_credit_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.payments_payment_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.status_history_history_id_seq', '');

-- The identity of a row the extension's triggers insert, named explicitly (a Citus shard has
-- no identity default): taken as the column's default takes it, without sequence privileges.
CREATE FUNCTION invoice.next_identity(sequence regclass) RETURNS bigint
    AS 'MODULE_PATHNAME', 'invoice_next_identity' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION invoice.next_identity(regclass)
    IS 'internal to the triggers: the next value of an identity sequence of one of the extension''s tables (42501 for any other sequence)';
