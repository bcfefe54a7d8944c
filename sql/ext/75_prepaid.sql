-- prepaid balances: top-ups with receipts, an append-only ledger, auto-pay requests

CREATE TABLE invoice.receipts (
    org_id        text COLLATE "C" NOT NULL REFERENCES invoice.orgs (org_id),
    receipt_id    bigint GENERATED ALWAYS AS IDENTITY,
    number        text COLLATE "C" NOT NULL CHECK (number ~ '^[A-Za-z0-9/-]{1,16}$'),
    amount        cents NOT NULL CHECK (amount > '0'),
    method        invoice.payment_method NOT NULL,
    provider_ref  text COLLATE "C" NOT NULL CHECK (btrim(provider_ref) <> ''),
    received_at   timestamptz NOT NULL DEFAULT invoice.clock(),
    PRIMARY KEY (org_id, receipt_id),
    UNIQUE (org_id, number),
    UNIQUE (org_id, provider_ref)
);
COMMENT ON TABLE invoice.receipts IS 'receipts for prepaid top-ups, numbered RCT/YYyy/NNNNNN in their own gapless series';

CREATE TABLE invoice.advance_ledger (
    org_id      text COLLATE "C" NOT NULL REFERENCES invoice.orgs (org_id),
    entry_id    bigint GENERATED ALWAYS AS IDENTITY,
    kind        text NOT NULL CHECK (kind IN ('topup', 'applied', 'reversal')),
    amount      cents NOT NULL CHECK (amount <> '0'),
    receipt_id  bigint,
    invoice_id  text COLLATE "C",
    created_at  timestamptz NOT NULL DEFAULT invoice.clock(),
    PRIMARY KEY (org_id, entry_id),
    FOREIGN KEY (org_id, receipt_id) REFERENCES invoice.receipts (org_id, receipt_id),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id),
    CHECK (kind <> 'topup' OR (receipt_id IS NOT NULL AND amount > '0')),
    CHECK (kind <> 'applied' OR (invoice_id IS NOT NULL AND amount < '0'))
);
CREATE INDEX advance_ledger_invoice_idx ON invoice.advance_ledger (org_id, invoice_id) WHERE invoice_id IS NOT NULL;
COMMENT ON TABLE invoice.advance_ledger IS 'append-only ledger of prepaid balances: top-ups (+), amounts applied to invoices (-), reversals; its sum per organisation is orgs.advance_balance';

CREATE TABLE invoice.payment_requests (
    org_id        text COLLATE "C" NOT NULL,
    request_id    bigint GENERATED ALWAYS AS IDENTITY,
    invoice_id    text COLLATE "C" NOT NULL,
    amount        cents NOT NULL CHECK (amount > '0'),
    created_at    timestamptz NOT NULL DEFAULT invoice.clock(),
    processed_at  timestamptz,
    PRIMARY KEY (org_id, request_id),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id)
);
CREATE INDEX payment_requests_open_idx ON invoice.payment_requests (created_at) WHERE processed_at IS NULL;
COMMENT ON TABLE invoice.payment_requests IS 'outbox of auto-pay charges for the payment gateway worker, which records the result with invoice_pay and sets processed_at';

SELECT pg_catalog.pg_extension_config_dump('invoice.receipts', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.receipts_receipt_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.advance_ledger', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.advance_ledger_entry_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.payment_requests', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.payment_requests_request_id_seq', '');

CREATE FUNCTION invoice.advance_ledger_changed() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION invoice.advance_ledger_append_only() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
CREATE FUNCTION invoice.org_balance_guard() RETURNS trigger AS 'MODULE_PATHNAME' LANGUAGE C;
COMMENT ON FUNCTION invoice.advance_ledger_changed() IS 'trigger: add new ledger entries to orgs.advance_balance (which may never go negative)';
COMMENT ON FUNCTION invoice.advance_ledger_append_only() IS 'trigger: ledger entries are never updated or deleted';
COMMENT ON FUNCTION invoice.org_balance_guard() IS 'trigger: advance_balance follows the ledger only';

CREATE TRIGGER advance_ledger_inserted AFTER INSERT ON invoice.advance_ledger
    REFERENCING NEW TABLE AS changed_new
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.advance_ledger_changed();
CREATE TRIGGER advance_ledger_append_only BEFORE UPDATE OR DELETE ON invoice.advance_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION invoice.advance_ledger_append_only();
CREATE TRIGGER org_balance_guard BEFORE INSERT OR UPDATE OF advance_balance ON invoice.orgs
    FOR EACH ROW EXECUTE FUNCTION invoice.org_balance_guard();

CREATE FUNCTION invoice.invoice_topup(org_id text, amount cents, method text, provider_ref text)
    RETURNS invoice.receipts AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_topup(text, cents, text, text)
    IS 'record a prepaid top-up and issue its receipt; idempotent on provider_ref; the balance is applied to invoices as they are issued';
