-- collections: the overdue sweep, reminders and grace-period suspension

CREATE TABLE invoice.reminders (
    org_id        text COLLATE "C" NOT NULL,
    invoice_id    text COLLATE "C" NOT NULL,
    reminder_id   bigint GENERATED ALWAYS AS IDENTITY,
    kind          text NOT NULL CHECK (kind IN ('overdue', 'repeat')),
    reminder_day  date NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT invoice.clock(),
    sent_at       timestamptz,
    PRIMARY KEY (org_id, reminder_id),
    UNIQUE (org_id, invoice_id, reminder_day),
    FOREIGN KEY (org_id, invoice_id) REFERENCES invoice.invoices (org_id, id) ON DELETE CASCADE
);
CREATE INDEX reminders_unsent_idx ON invoice.reminders (created_at) WHERE sent_at IS NULL;
COMMENT ON TABLE invoice.reminders IS 'outbox of overdue reminders: an emailer LISTENs on invoice_reminders, sends, and sets sent_at';
COMMENT ON COLUMN invoice.reminders.kind IS 'overdue: the invoice just became overdue; repeat: still overdue after invoice.reminder_interval_days';
COMMENT ON COLUMN invoice.reminders.reminder_day IS 'UTC day of the reminder: at most one per invoice and day';
SELECT pg_catalog.pg_extension_config_dump('invoice.reminders', '');
SELECT pg_catalog.pg_extension_config_dump('invoice.reminders_reminder_id_seq', '');

CREATE FUNCTION invoice.invoice_sweep_overdue(as_of timestamptz DEFAULT invoice.clock()) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_sweep_overdue(timestamptz)
    IS 'pending → overdue for every invoice due before as_of (skipping invoices locked by payments), then suspensions past grace and repeat reminders; returns how many moved';

CREATE FUNCTION invoice.invoice_sweep_overdue_batch(as_of timestamptz, batch_size integer) RETURNS integer
    AS 'MODULE_PATHNAME' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION invoice.invoice_sweep_overdue_batch(timestamptz, integer)
    IS 'the sweep for at most batch_size invoices, so that a caller committing between calls never holds many locks';
