-- test/pgtap/include/begin.sql — what every pgTAP file starts with (\ir include/begin.sql):
-- stop at the first error, one transaction (the file rolls back or commits it), pgTAP and the
-- extension (with the cents extension it requires) created once per database.
\set ON_ERROR_STOP 1
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS invoice CASCADE;
