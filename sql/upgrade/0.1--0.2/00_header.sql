-- invoice 0.1 → 0.2: ALTER EXTENSION invoice UPDATE TO '0.2'
-- Assembled by the Makefile from sql/upgrade/0.1--0.2/*.sql, in name order; one part per
-- concern, named after the sql/ext file whose changes it carries (README "Versions and upgrades").
\echo Use "ALTER EXTENSION invoice UPDATE TO '0.2'" to load this file. \quit
