-- pg_temp.refused(sql, sqlstate, message, description): a pgTAP assertion that sql fails
-- with that SQLSTATE (and, unless message is NULL, that message).  The statement is always
-- rolled back, so a wrongly accepted statement fails only its own assertion.
CREATE FUNCTION pg_temp.refused(p_sql text, p_code text, p_msg text, p_desc text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    got_code text;
    got_msg text;
BEGIN
    BEGIN
        EXECUTE p_sql;
        RAISE EXCEPTION 'statement succeeded' USING ERRCODE = 'TT001';
    EXCEPTION WHEN OTHERS THEN
        got_code := SQLSTATE;
        got_msg := SQLERRM;
    END;
    IF got_code = p_code AND (p_msg IS NULL OR got_msg = p_msg) THEN
        RETURN ok(true, p_desc);
    END IF;
    RETURN ok(false, p_desc) || E'\n' || diag(
        CASE WHEN got_code = 'TT001' THEN '      caught: nothing, the statement succeeded'
             ELSE format('      caught: %s: %s', got_code, got_msg) END
        || E'\n' || format('      wanted: %s%s', p_code, coalesce(': ' || p_msg, '')));
END
$$;
