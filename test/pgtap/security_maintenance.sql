-- Security (issue 6): a member's code that PostgreSQL runs during maintenance
-- acts with that member's rights — never with those of whoever runs the
-- maintenance.
--
-- ANALYZE (also autovacuum's), REINDEX, CREATE INDEX and REFRESH MATERIALIZED
-- VIEW run the index expressions and the view query of a table as the
-- table's owner, in a security-restricted operation: current_user is the
-- owner, the session (outer) user is whoever started the operation — a
-- superuser, or the autovacuum worker's bootstrap superuser.  The extension's
-- functions are SECURITY DEFINER and take the acting role from the outer
-- user, so a member who owns any table (CREATE on some schema) can plant a
-- call to invoice_cancel / invoice_dispute in an expression index and have it
-- run as a billing administrator when the table is next analyzed.
--
-- Here sec-a's owner owns a schema, plants such an index and such a view, each
-- aimed at one of sec-b's invoices, and the superuser then analyzes,
-- reindexes, indexes and refreshes.  Expected: sec-b's invoices stay as they
-- were, and the planted code was refused (it ran — its log says so — as the
-- member it belongs to: P0002).  Autovacuum cannot be shown inside a
-- transaction that is rolled back; it takes the same path as ANALYZE.
\ir include/begin.sql
SET search_path = public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(23);
\ir include/security_fixture.sql

SELECT :'tag' || '_mal' AS mal \gset
CREATE SCHEMA :"mal" AUTHORIZATION :"owner_a";

-- The attacker's objects: a log, a target, the payload, and two ways to have it run
CREATE TEMP TABLE plants (ord serial, sql text);
INSERT INTO plants (sql) VALUES
    (format('CREATE TABLE %I.log (n serial, target text, what text, answer text)', :'mal')),
    (format('CREATE TABLE %I.target (id text)', :'mal')),
    (format('INSERT INTO %I.target VALUES (''sb-1'')', :'mal')),
    (format($f$CREATE FUNCTION %1$I.payload() RETURNS integer LANGUAGE plpgsql AS $$
                DECLARE
                    t text := (SELECT id FROM %1$I.target);
                BEGIN
                    BEGIN
                        PERFORM invoice.invoice_dispute(t, 'maintenance');
                        INSERT INTO %1$I.log (target, what, answer) VALUES (t, 'dispute', 'done');
                    EXCEPTION WHEN OTHERS THEN
                        INSERT INTO %1$I.log (target, what, answer) VALUES (t, 'dispute', SQLSTATE);
                    END;
                    BEGIN
                        PERFORM invoice.invoice_cancel(t, 'maintenance');
                        INSERT INTO %1$I.log (target, what, answer) VALUES (t, 'cancel', 'done');
                    EXCEPTION WHEN OTHERS THEN
                        INSERT INTO %1$I.log (target, what, answer) VALUES (t, 'cancel', SQLSTATE);
                    END;
                    RETURN 1;
                END $$$f$, :'mal')),
    (format('CREATE FUNCTION %1$I.f(integer) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS ''BEGIN PERFORM %1$I.payload(); RETURN $1; END''', :'mal')),
    (format('CREATE TABLE %I.t (x integer)', :'mal')),
    (format('INSERT INTO %I.t SELECT generate_series(1, 3)', :'mal')),
    (format('CREATE INDEX t_f ON %1$I.t (%1$I.f(x))', :'mal')),
    (format('CREATE MATERIALIZED VIEW %1$I.mv AS SELECT %1$I.payload() AS x WITH NO DATA', :'mal'));
SELECT is(pg_temp.outcome(:'owner_a', sql), 'done', format('the attacker: %s', left(regexp_replace(sql, '\s+', ' ', 'g'), 70)))
  FROM plants ORDER BY ord;

-- pg_temp.log(target): what the payload got, aimed at target
CREATE FUNCTION pg_temp.log(p_target text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    answer text;
BEGIN
    EXECUTE format('SELECT string_agg(DISTINCT what || '' '' || answer, '', '') FROM %I.log WHERE target = $1',
                   current_setting('sec.mal')) INTO answer USING p_target;
    RETURN coalesce(answer, 'never ran');
END $$;
SELECT FROM set_config('sec.mal', :'mal', true);
-- pg_temp.untouched(invoice): its status, dispute and who last changed it
CREATE FUNCTION pg_temp.untouched(p_id text) RETURNS text LANGUAGE sql AS $$
    SELECT i.status || ', dispute ' || coalesce(i.dispute_status, 'none') || ', last changed by '
           || (SELECT h.changed_by || ' (' || h.reason || ')' FROM invoice.status_history h
                WHERE h.org_id = i.org_id AND h.invoice_id = i.id ORDER BY h.history_id DESC LIMIT 1)
      FROM invoice.invoices i WHERE i.org_id = 'sec-b' AND i.id = p_id
$$;
SELECT pg_temp.untouched('sb-1') AS sb_before \gset

-- the baseline: building its own index, the attacker's payload acts as the attacker
SELECT is(pg_temp.log('sb-1'), 'cancel P0002, dispute P0002',
          'when the attacker itself runs it (CREATE INDEX): P0002, sec-b''s invoice "does not exist"');

-- pg_temp.aim(target): the payload's next target
CREATE FUNCTION pg_temp.aim(p_target text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('UPDATE %I.target SET id = $1', current_setting('sec.mal')) USING p_target;
END $$;

-- The superuser's maintenance --------------------------------------------------------------

SELECT FROM pg_temp.aim('sb-2');
ANALYZE :"mal".t;
SELECT FROM pg_temp.aim('sb-3');
REINDEX TABLE :"mal".t;
SELECT FROM pg_temp.aim('sb-4');
CREATE INDEX ON :"mal".t ((:"mal".f(x) + 1));
SELECT FROM pg_temp.aim('sb-5');
REFRESH MATERIALIZED VIEW :"mal".mv;

SELECT isnt(pg_temp.log(target), 'never ran', format('%s: the planted code ran', op))
  FROM (VALUES ('sb-2', 'ANALYZE'), ('sb-3', 'REINDEX'), ('sb-4', 'CREATE INDEX'), ('sb-5', 'REFRESH MATERIALIZED VIEW')) v(target, op);
SELECT is(pg_temp.untouched(target), :'sb_before',
          format('%s by the superuser: sec-b''s invoice %s is untouched (pending, no dispute)', op, target))
  FROM (VALUES ('sb-2', 'ANALYZE'), ('sb-3', 'REINDEX'), ('sb-4', 'CREATE INDEX'), ('sb-5', 'REFRESH MATERIALIZED VIEW')) v(target, op);
SELECT ok(pg_temp.log(target) !~ 'done', format('%s: the planted calls were refused (%s)', op, pg_temp.log(target)))
  FROM (VALUES ('sb-2', 'ANALYZE'), ('sb-3', 'REINDEX'), ('sb-4', 'CREATE INDEX'), ('sb-5', 'REFRESH MATERIALIZED VIEW')) v(target, op);
SELECT is((SELECT count(*) FROM invoice.status_history WHERE org_id = 'sec-b' AND reason = 'maintenance'), 0::bigint,
          'no status change of sec-b''s was recorded for the planted code');

SELECT * FROM finish();
ROLLBACK;
