-- Numbers assigned by a statement survive subtransactions that come and go
-- inside it (an exception block in a function the statement calls), and are
-- given back when the subtransaction that took them aborts.
\ir include/begin.sql
SET search_path = invoice, public;
SELECT plan(5);

INSERT INTO invoice.orgs (org_id, name) VALUES ('org-a', 'A'), ('org-b', 'B'), ('org-c', 'C');
INSERT INTO invoice.invoices (org_id, id, period_start, period_end, invoice_date, due_date)
SELECT o, 'inv-' || o, '2025-01-01Z', '2025-02-01Z', '2025-02-01Z', '2025-03-01Z'
  FROM unnest(ARRAY['org-a', 'org-b', 'org-c']) o;

CREATE FUNCTION pg_temp.swallow(t text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN PERFORM 1 / 0; RETURN true; EXCEPTION WHEN division_by_zero THEN RETURN true; END $$;

UPDATE invoice.invoices SET status = 'pending'
 WHERE id IN ('inv-org-a', 'inv-org-b') AND pg_temp.swallow(id);
SELECT is((SELECT count(DISTINCT number) FROM invoice.invoices WHERE number IS NOT NULL), 2::bigint,
          'two invoices issued in one statement with inner subtransactions get two numbers');
SELECT is((SELECT last_value FROM invoice.number_series WHERE series = 'INV' AND fiscal_year = 2024), 2::bigint,
          'the series records both');

SAVEPOINT s;
SELECT lives_ok($$SELECT invoice.invoice_issue('inv-org-c')$$, 'issue inside a savepoint');
ROLLBACK TO SAVEPOINT s;
SELECT is((SELECT last_value FROM invoice.number_series WHERE series = 'INV' AND fiscal_year = 2024), 2::bigint,
          'a rolled-back savepoint gives its number back');
SELECT is((invoice.invoice_issue('inv-org-c')).number, 'INV/2425/000003',
          'the next issue takes the next number: no gap, no duplicate');

SELECT * FROM finish();
ROLLBACK;
