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

\pset footer off
\pset null 'n/a'
SELECT version();
SELECT name, setting, coalesce(unit, '') AS unit FROM pg_settings
WHERE name IN ('shared_buffers', 'work_mem', 'maintenance_work_mem', 'jit', 'autovacuum',
               'wal_level', 'fsync', 'max_parallel_workers_per_gather',
               'max_parallel_maintenance_workers')
ORDER BY name;
