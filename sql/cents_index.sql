--
-- cents: the default btree and hash operator classes (SPEC §2).
-- Each plan shape is forced with enable_* settings, shown with EXPLAIN and
-- then run, so the answers can be compared across shapes.
--
SET search_path = invoice, public;

SELECT am.amname, opc.opcname, opc.opcdefault
  FROM pg_opclass opc JOIN pg_am am ON am.oid = opc.opcmethod
 WHERE opc.opcintype = 'cents'::regtype ORDER BY 1;

-- a: 0.00 .. 9.99 in cents, each value twice; b: every third cent, negated half.
CREATE TABLE cents_idx_a (id int, c cents);
INSERT INTO cents_idx_a SELECT i, (i % 1000)::cents FROM generate_series(0, 1999) AS i;
CREATE TABLE cents_idx_b (id int, c cents);
INSERT INTO cents_idx_b SELECT i, CASE WHEN i % 2 = 0 THEN (i * 3)::cents ELSE (-i * 3)::cents END
  FROM generate_series(0, 499) AS i;
CREATE INDEX cents_idx_a_btree ON cents_idx_a (c);
CREATE INDEX cents_idx_b_hash ON cents_idx_b USING hash (c);
ANALYZE cents_idx_a, cents_idx_b;

--
-- Index scans: btree for equality, ranges and ORDER BY; hash for equality.
--
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM cents_idx_a WHERE c = '1.23' ORDER BY id;
SELECT id FROM cents_idx_a WHERE c = '1.23' ORDER BY id;
EXPLAIN (COSTS OFF) SELECT c FROM cents_idx_a WHERE c BETWEEN '9.97' AND '10.00' ORDER BY c DESC;
SELECT c FROM cents_idx_a WHERE c BETWEEN '9.97' AND '10.00' ORDER BY c DESC;
EXPLAIN (COSTS OFF) SELECT c FROM cents_idx_a ORDER BY c LIMIT 3;
SELECT c FROM cents_idx_a ORDER BY c LIMIT 3;
EXPLAIN (COSTS OFF) SELECT min(c), max(c) FROM cents_idx_a;
SELECT min(c), max(c) FROM cents_idx_a;
EXPLAIN (COSTS OFF) SELECT id FROM cents_idx_b WHERE c = '-2.97';
SELECT id FROM cents_idx_b WHERE c = '-2.97';
RESET enable_seqscan;
RESET enable_bitmapscan;

-- A unique index refuses equal amounts, however they were written.
CREATE TEMP TABLE cents_unique (c cents PRIMARY KEY);
INSERT INTO cents_unique VALUES ('1.5'), ('-0.01');
INSERT INTO cents_unique VALUES (' 1.50 ');

--
-- Joins: the same join as a merge join and as a hash join.
--
SET enable_nestloop = off;
SET enable_hashjoin = off;
EXPLAIN (COSTS OFF)
SELECT count(*), sum(a.c), min(b.id), max(b.id) FROM cents_idx_a a JOIN cents_idx_b b ON a.c = b.c;
SELECT count(*), sum(a.c), min(b.id), max(b.id) FROM cents_idx_a a JOIN cents_idx_b b ON a.c = b.c;
RESET enable_hashjoin;
SET enable_mergejoin = off;
EXPLAIN (COSTS OFF)
SELECT count(*), sum(a.c), min(b.id), max(b.id) FROM cents_idx_a a JOIN cents_idx_b b ON a.c = b.c;
SELECT count(*), sum(a.c), min(b.id), max(b.id) FROM cents_idx_a a JOIN cents_idx_b b ON a.c = b.c;
RESET enable_mergejoin;
RESET enable_nestloop;

--
-- DISTINCT and GROUP BY, sorted and hashed (without the index, so the
-- operator classes alone do the work).
--
DROP INDEX cents_idx_a_btree;
SET enable_hashagg = off;
EXPLAIN (COSTS OFF) SELECT DISTINCT c FROM cents_idx_a WHERE c >= '9.97';
SELECT DISTINCT c FROM cents_idx_a WHERE c >= '9.97';
EXPLAIN (COSTS OFF) SELECT c, count(*), sum(id) FROM cents_idx_a WHERE c < '0.03' GROUP BY c;
SELECT c, count(*), sum(id) FROM cents_idx_a WHERE c < '0.03' GROUP BY c;
RESET enable_hashagg;
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT DISTINCT c FROM cents_idx_a WHERE c >= '9.97' ORDER BY c;
SELECT DISTINCT c FROM cents_idx_a WHERE c >= '9.97' ORDER BY c;
EXPLAIN (COSTS OFF) SELECT c, count(*), sum(id) FROM cents_idx_a WHERE c < '0.03' GROUP BY c ORDER BY c;
SELECT c, count(*), sum(id) FROM cents_idx_a WHERE c < '0.03' GROUP BY c ORDER BY c;
RESET enable_sort;
-- All 1000 amounts are told apart either way.
SELECT count(DISTINCT c) AS distinct_sorted, (SELECT count(*) FROM (SELECT c FROM cents_idx_a GROUP BY c) AS g) AS groups
  FROM cents_idx_a;

-- Set operations and ORDER BY with NULLs use the same classes.
SELECT c FROM (VALUES ('1.00'::cents), (NULL), ('-1.00'), ('1.00')) AS v(c)
INTERSECT SELECT c FROM (VALUES ('1.00'::cents), ('2.00'), (NULL)) AS w(c) ORDER BY c;
SELECT c FROM (VALUES ('0.10'::cents), (NULL), ('-92233720368547758.08'), ('92233720368547758.07'),
                      ('-0.10')) AS v(c) ORDER BY c NULLS FIRST;

DROP TABLE cents_idx_a, cents_idx_b;
