-- payments

CREATE FUNCTION invoice.invoice_pay(id text, amount cents, method text, provider_ref text)
    RETURNS invoice.payments AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_pay(text, cents, text, text)
    IS 'record a payment (upi, card, netbanking, wallet, bank_transfer); idempotent on provider_ref; the invoice turns paid when nothing is left due';
