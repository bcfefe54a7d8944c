-- Shared fixture of the reports_*.sql pgTAP files (included with \ir after plan()): random
-- histories of a supplier's organisations, made through the extension's own functions with
-- the test clock moving forward, and snapshots of the live state between events.
--
--   organisations rh-inr-1, rh-inr-2 (GST, one in the supplier's state: CGST + SGST, one in
--   another: IGST, one unregistered), rh-usd, rh-eur, and rh-mix (invoiced in INR then USD:
--   its prepaid currency is INR);
--   events, at random hours: invoices (1-4 lines, credits now and then, GST rates 5 and 18,
--   other rates 0-20 %), issued; payments (part or all of what is due); credit notes (part
--   or all of what remains creditable, on unpaid and paid invoices, so some go to the
--   prepaid balance); top-ups (applied to the invoices issued after them); cancellations of
--   untouched invoices; the overdue sweep;
--   snapshots every 9 days, at an instant no event shares: what each invoice still owes and
--   its due date (rh_snap_invoice), and each organisation's prepaid balance (rh_snap_org).
--
-- pg_temp.rh_history(seed, events) makes one history; the caller sets the seed.
\o /dev/null

DELETE FROM invoice.supplier;
INSERT INTO invoice.supplier (legal_name, address, gstin, state_code)
VALUES ('Reports test supplier', 'Bengaluru', '29AAACI1681G1ZL', '29');
DELETE FROM invoice.number_series;

INSERT INTO invoice.orgs (org_id, name, gstin, billing_state, payment_terms_days) VALUES
    ('rh-inr-1', 'Registered in Karnataka', '29AAPFU0939F1ZR', NULL, 15),
    ('rh-inr-2', 'Registered in Maharashtra', '27AAPFU0939F1ZV', NULL, 30),
    ('rh-inr-3', 'Unregistered in Kerala', NULL, '32', 45),
    ('rh-usd', 'Dollar Inc', NULL, NULL, 30),
    ('rh-eur', 'Euro GmbH', NULL, NULL, 10),
    ('rh-mix', 'Two currencies', NULL, '29', 20);

CREATE TEMP TABLE rh_snap_invoice (b timestamptz, org_id text, invoice_id text, currency text,
                                   amount_due cents, due_date timestamptz);
CREATE TEMP TABLE rh_snap_org (b timestamptz, org_id text, advance cents);
CREATE TEMP TABLE rh_events (at timestamptz, kind text, org_id text, invoice_id text);

CREATE FUNCTION pg_temp.rh_clock(t timestamptz) RETURNS void LANGUAGE sql AS
$$ SELECT set_config('invoice.test_clock', t::text, true) $$;

CREATE FUNCTION pg_temp.rh_snapshot(t timestamptz) RETURNS void LANGUAGE sql AS $$
    INSERT INTO rh_snap_invoice
    SELECT t, i.org_id, i.id, i.currency, i.amount_due, i.due_date
      FROM invoice.invoices i WHERE i.status IN ('pending', 'overdue');
    INSERT INTO rh_snap_org SELECT t, o.org_id, o.advance_balance FROM invoice.orgs o WHERE o.org_id LIKE 'rh-%';
$$;

CREATE FUNCTION pg_temp.rh_history(events integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t timestamptz := '2024-03-20 06:00:00+00';
    next_snap timestamptz := '2024-03-25 00:00:00+00';
    org text;
    cur text;
    inv text;
    due cents;
    creditable cents;
    amount cents;
    note invoice.credit_notes;
    r double precision;
    n integer := 0;
BEGIN
    PERFORM pg_temp.rh_snapshot(next_snap - interval '5 days');
    FOR k IN 1..events LOOP
        t := t + make_interval(mins => 37 + (random() * 60 * 30)::int);
        WHILE t >= next_snap LOOP
            PERFORM pg_temp.rh_snapshot(next_snap);
            next_snap := next_snap + interval '9 days';
        END LOOP;
        PERFORM pg_temp.rh_clock(t);
        org := (ARRAY['rh-inr-1', 'rh-inr-2', 'rh-inr-3', 'rh-usd', 'rh-eur', 'rh-mix'])[1 + floor(random() * 6)::int];
        r := random();
        IF r < 0.35 THEN
            cur := CASE WHEN org LIKE 'rh-inr%' THEN 'INR' WHEN org = 'rh-usd' THEN 'USD' WHEN org = 'rh-eur' THEN 'EUR'
                        WHEN NOT EXISTS (SELECT FROM invoice.invoices i WHERE i.org_id = org) THEN 'INR'
                        ELSE (ARRAY['INR', 'USD'])[1 + floor(random() * 2)::int] END;
            n := n + 1;
            inv := format('%s-%s', org, n);
            INSERT INTO invoice.invoices (org_id, id, period_start, period_end, currency, gst, tax_rate)
            VALUES (org, inv, t - interval '30 days', t, cur, org LIKE 'rh-inr%',
                    CASE WHEN org LIKE 'rh-inr%' THEN 18 ELSE round((random() * 20)::numeric, 2) END);
            INSERT INTO invoice.line_items (org_id, invoice_id, description, units, rate, tax_rate, hsn_sac,
                                            product_group, region, usage_type)
            SELECT org, inv, 'line ' || g, round((random() * 50)::numeric, 3), round((random() * 900)::numeric, 4),
                   CASE WHEN org LIKE 'rh-inr%' AND random() < 0.3 THEN 5 END,
                   (ARRAY['998315', '998316', '84713010'])[1 + floor(random() * 3)::int],
                   (ARRAY['Compute', 'Storage', 'Network'])[1 + floor(random() * 3)::int],
                   (ARRAY['in-south', 'in-west', NULL])[1 + floor(random() * 3)::int],
                   (ARRAY['hours', 'GB-month'])[1 + floor(random() * 2)::int]
              FROM generate_series(1, 1 + floor(random() * 4)::int) g;
            IF random() < 0.3 THEN
                INSERT INTO invoice.credits (org_id, invoice_id, amount, code)
                VALUES (org, inv, (1 + floor(random() * 20000))::bigint::cents, 'PROMO');
            END IF;
            PERFORM invoice.invoice_issue(inv);
            INSERT INTO rh_events VALUES (t, 'invoice', org, inv);
        ELSIF r < 0.6 THEN
            SELECT i.id, i.amount_due INTO inv, due FROM invoice.invoices i
             WHERE i.org_id = org AND i.status IN ('pending', 'overdue') ORDER BY random() LIMIT 1;
            IF FOUND THEN
                amount := CASE WHEN random() < 0.5 THEN due
                               ELSE greatest((due::bigint * random())::bigint, 1)::cents END;
                PERFORM invoice.invoice_pay(inv, amount, 'upi', format('rh-pay-%s', k));
                INSERT INTO rh_events VALUES (t, 'payment', org, inv);
            END IF;
        ELSIF r < 0.72 THEN
            SELECT i.id, i.total - i.credited_amount INTO inv, creditable FROM invoice.invoices i
             WHERE i.org_id = org AND i.status IN ('pending', 'overdue', 'paid') AND i.total > i.credited_amount
               AND i.invoice_date < t - interval '1 day'
             ORDER BY random() LIMIT 1;
            IF FOUND THEN
                amount := greatest((creditable::bigint * random() * 0.8)::bigint, 1)::cents;
                note := invoice.credit_note_create(inv, 'other', 'random');
                INSERT INTO invoice.credit_note_lines (org_id, credit_note_id, description, amount, hsn_sac)
                VALUES (org, note.credit_note_id, 'correction', amount, '998315');
                BEGIN
                    PERFORM invoice.credit_note_issue(note.credit_note_id);
                    INSERT INTO rh_events VALUES (t, 'credit_note', org, inv);
                EXCEPTION WHEN SQLSTATE 'IV010' THEN
                    DELETE FROM invoice.credit_notes c WHERE c.org_id = org AND c.credit_note_id = note.credit_note_id;
                END;
            END IF;
        ELSIF r < 0.8 THEN
            PERFORM invoice.invoice_topup(org, (1000 + floor(random() * 90000))::bigint::cents, 'card',
                                          format('rh-top-%s', k));
            INSERT INTO rh_events VALUES (t, 'topup', org, NULL);
        ELSIF r < 0.88 THEN
            SELECT i.id INTO inv FROM invoice.invoices i
             WHERE i.org_id = org AND i.status IN ('pending', 'overdue') AND i.already_billed_amount = '0'
               AND i.advance_pay_amount = '0'
             ORDER BY random() LIMIT 1;
            IF FOUND THEN
                PERFORM invoice.invoice_cancel(inv, 'random cancellation');
                INSERT INTO rh_events VALUES (t, 'cancellation', org, inv);
            END IF;
        ELSE
            PERFORM invoice.invoice_sweep_overdue(t);
        END IF;
    END LOOP;
    PERFORM pg_temp.rh_snapshot(next_snap);
    PERFORM set_config('invoice.test_clock', (next_snap + interval '1 day')::text, true);
END $$;

\o
