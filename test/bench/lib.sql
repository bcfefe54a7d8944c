-- test/bench/lib.sql: the timing harness, loaded before every *.bench.sql.
--
-- CALL bench.measure(op, stmt, variants[, cleanup]) runs format(stmt, variant)
-- for each variant, once untimed (warm-up) and then bench.reps times, the
-- variants interleaved within each round so that drift (other load on the
-- machine, CPU frequency) hits them all alike.  Each run is one plpgsql
-- EXECUTE: planning plus execution, nothing sent to the client and no per-row
-- instrumentation (EXPLAIN ANALYZE adds some even with TIMING OFF).
-- cleanup (e.g. DROP INDEX) runs untimed after each run, then a COMMIT.
--
-- Two clocks are read around each run: wall time (clock_timestamp()) and the
-- backend's own on-CPU time (/proc/self/schedstat, Linux).  SET bench.clock
-- chooses which one bench.result reports: 'cpu' leaves out the time spent
-- waiting for a CPU that other processes hold, so it is much steadier on a
-- busy machine, but it counts the backend alone: use 'wall' for parallel
-- plans, whose workers are other processes.  Samples land in bench.sample,
-- tagged with bench.mode and the clock; bench.result gives, per (op, mode,
-- variant), the fastest run or the median (bench.stat: 'min' or 'median')
-- and the spread (max - min) / min.  The fastest run suits a shared machine:
-- other load only ever adds time.

SET client_min_messages = warning;
SET bench.reps = :'reps';
SET bench.stat = :'stat';
SET bench.mode = '';
SET bench.clock = 'wall';

CREATE SCHEMA bench;
CREATE TABLE bench.sample (op text, mode text, variant text, rep int, clock text, ms float8, wall_ms float8);

-- Nanoseconds this process has spent on a CPU, NULL where /proc is missing.
-- The kernel brings the figure up to date only at a timer tick or when the
-- process leaves the CPU: the short sleep makes it leave.
CREATE FUNCTION bench.cpu_ns() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_sleep(0.0001);
    RETURN split_part(pg_read_file('/proc/self/schedstat'), ' ', 1)::bigint;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END $$;

CREATE PROCEDURE bench.measure(op text, stmt text, variants text[], cleanup text DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
    i int;
    v text;
    t0 timestamptz;
    c0 bigint;
    wall float8;
    cpu float8;
    clock text := current_setting('bench.clock');
BEGIN
    FOR i IN 0 .. current_setting('bench.reps')::int LOOP
        FOREACH v IN ARRAY variants LOOP
            c0 := bench.cpu_ns();
            t0 := clock_timestamp();
            EXECUTE format(stmt, v);
            wall := 1000 * extract(epoch FROM clock_timestamp() - t0);
            cpu := (bench.cpu_ns() - c0) / 1e6;
            IF clock = 'cpu' AND cpu IS NULL THEN
                clock := 'wall';            -- no /proc/self/schedstat here
            END IF;
            IF i > 0 THEN
                INSERT INTO bench.sample
                VALUES (op, current_setting('bench.mode'), v, i, clock,
                        CASE clock WHEN 'cpu' THEN cpu ELSE wall END, wall);
            END IF;
            IF cleanup IS NOT NULL THEN
                EXECUTE format(cleanup, v);
            END IF;
            COMMIT;
        END LOOP;
    END LOOP;
END $$;

CREATE VIEW bench.result AS
SELECT op, mode, variant, min(clock) AS clock,
       CASE current_setting('bench.stat')
           WHEN 'median' THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)
           ELSE min(ms) END AS ms,
       (max(ms) - min(ms)) / nullif(min(ms), 0) AS spread
FROM bench.sample
GROUP BY op, mode, variant;

-- Cases, for measurements that must each start from the same state:
-- bench.cases holds one row per (grp, op): setup (untimed), stmt (timed) and
-- check_sql (untimed; it must return true, or the run is an error), run by
-- CALL bench.run(grp, op, rep) in one transaction that is then rolled back;
-- the caller runs the case's vacuum after it (untimed).  per: operations a
-- run performs; scale: how many runs it stands for (a sample scaled up to
-- the whole).  Rep 0 is the warm-up and is not kept.  bench.case_result
-- gives per case the fastest run or the median (bench.stat) of the whole
-- run's times × scale, ops = per × scale, and the spread (max - min) / min.
CREATE TABLE bench.cases (
    grp text, ord int, op text,
    setup text, stmt text, check_sql text,
    per bigint DEFAULT 1, scale float8 DEFAULT 1,
    vacuum text,
    PRIMARY KEY (grp, op)
);
CREATE TABLE bench.case_sample (grp text, op text, rep int, cpu_ms float8, wall_ms float8);

CREATE PROCEDURE bench.run(g text, o text, rep int) LANGUAGE plpgsql AS $$
DECLARE
    c bench.cases;
    t0 timestamptz;
    c0 bigint;
    wall float8;
    cpu float8;
    ok bool;
BEGIN
    SELECT * INTO STRICT c FROM bench.cases WHERE grp = g AND op = o;
    IF c.setup IS NOT NULL THEN
        EXECUTE c.setup;
    END IF;
    c0 := bench.cpu_ns();
    t0 := clock_timestamp();
    EXECUTE c.stmt;
    wall := 1000 * extract(epoch FROM clock_timestamp() - t0);
    cpu := (bench.cpu_ns() - c0) / 1e6;
    IF c.check_sql IS NOT NULL THEN
        EXECUTE c.check_sql INTO ok;
        IF ok IS NOT TRUE THEN
            RAISE EXCEPTION 'bench: % / % did not do its work: % is %', g, o, c.check_sql, ok;
        END IF;
    END IF;
    ROLLBACK;
    IF rep > 0 THEN
        INSERT INTO bench.case_sample VALUES (g, o, rep, cpu * c.scale, wall * c.scale);
    END IF;
    COMMIT;
END $$;

CREATE VIEW bench.case_result AS
SELECT c.grp, c.ord, c.op, c.per * c.scale AS ops,
       CASE current_setting('bench.stat')
           WHEN 'median' THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY s.cpu_ms)
           ELSE min(s.cpu_ms) END AS cpu_ms,
       CASE current_setting('bench.stat')
           WHEN 'median' THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY s.wall_ms)
           ELSE min(s.wall_ms) END AS wall_ms,
       (max(s.cpu_ms) - min(s.cpu_ms)) / nullif(min(s.cpu_ms), 0) AS spread,
       count(*) AS runs
FROM bench.cases c JOIN bench.case_sample s USING (grp, op)
GROUP BY c.grp, c.ord, c.op, c.per, c.scale;

\pset footer off
\pset null 'n/a'
SELECT version();
SELECT name, setting, coalesce(unit, '') AS unit FROM pg_settings
WHERE name IN ('shared_buffers', 'work_mem', 'maintenance_work_mem', 'jit', 'autovacuum',
               'wal_level', 'fsync', 'max_parallel_workers_per_gather',
               'max_parallel_maintenance_workers')
ORDER BY name;
