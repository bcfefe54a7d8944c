-- api_get: the seeds' REST calls on one SQL function, for a thin HTTP gateway
--
--   GET /v2/invoices                       invoice_list          orgId, currentPage, pageSize, status,
--                                                                dateFrom, dateTo, search
--   GET /v2/invoices/{INVOICE_ID}          invoice_describe      orgId (optional scope)
--   GET /v2/invoice-summary                invoice_summary       orgId
--   GET /v2/statements                     statement             orgId, periodFrom, periodTo, currency
--   GET /billing/v3/invoices               billing_v3_invoices   customer_id, billing_start_date,
--                                                                billing_end_date, limit, cursor
--   GET /billing/v3/invoices/{invoice_id}  billing_v3_invoice    customer_id (optional scope)
--
-- A failure is answered, not raised, in the seed's error shape
-- {"code": N, "message": "…"}: 40000 a bad parameter, 40001 a missing one,
-- 40300 permission denied, 40400 an unknown path, 40401 an unknown invoice,
-- 40900 an invoice id that two organisations share.  Any other error (a
-- bug, a cancelled query) is raised, for the gateway to answer 500.
--
-- CREATE OR REPLACE: this part is also the 0.1→0.2 upgrade's (sql/upgrade/0.1--0.2/62_api_get.sql).
--
-- PL/pgSQL, as only it can catch errors; the work is done by the SQL
-- functions it calls, each one plan.  Its exception block makes it
-- PARALLEL UNSAFE.

CREATE OR REPLACE FUNCTION invoice.api_get(path text, params json DEFAULT '{}') RETURNS json
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, invoice, pg_temp
    SET TimeZone = 'UTC'
AS $$
DECLARE
    p json := COALESCE(params, '{}');
    route text := regexp_replace(path, '(.)/$', '\1');      -- one trailing slash is ignored
    id text := substring(route FROM '^(?:/v2|/billing/v3)/invoices/([^/?]+)$');
    endpoint text := CASE WHEN id IS NULL THEN route ELSE regexp_replace(route, '[^/]+$', '{id}') END;
    allowed text[];
    required text;
    name text;
    arg text;               -- the parameter being converted, named in its error
    page integer;
    page_size integer;
    lim integer;
    date_from timestamptz;
    date_to timestamptz;
    result json;
BEGIN
    CASE endpoint
        WHEN '/v2/invoices' THEN
            allowed := '{orgId,currentPage,pageSize,status,dateFrom,dateTo,search}';
            required := 'orgId';
        WHEN '/v2/invoices/{id}' THEN
            allowed := '{orgId}';
        WHEN '/v2/invoice-summary' THEN
            allowed := '{orgId}';
            required := 'orgId';
        WHEN '/v2/statements' THEN
            allowed := '{orgId,periodFrom,periodTo,currency}';
            required := 'orgId';
        WHEN '/billing/v3/invoices' THEN
            allowed := '{customer_id,billing_start_date,billing_end_date,limit,cursor}';
            required := 'customer_id';
        WHEN '/billing/v3/invoices/{id}' THEN
            allowed := '{customer_id}';
        ELSE
            RETURN json_build_object('code', 40400, 'message',
                                     CASE WHEN path LIKE '%?%'
                                          THEN format('unknown path "%s": pass query parameters in params', path)
                                          ELSE format('unknown path "%s"', path) END);
    END CASE;

    IF json_typeof(p) <> 'object' THEN
        RETURN json_build_object('code', 40000, 'message', 'params must be a JSON object');
    END IF;
    -- \u0000 (an odd number of backslashes before u0000) cannot become text: answer, never 22P05
    IF p::text ~ '(^|[^\\])(\\\\)*\\u0000' THEN
        RETURN json_build_object('code', 40000, 'message', 'params must not contain \u0000 (NUL)');
    END IF;
    SELECT k INTO name FROM json_object_keys(p) k WHERE k <> ALL (allowed) LIMIT 1;
    IF FOUND THEN
        RETURN json_build_object('code', 40000, 'message',
                                 format('unknown parameter "%s" for GET %s', name, endpoint));
    END IF;
    SELECT k INTO name FROM json_object_keys(p) k GROUP BY k HAVING count(*) > 1 LIMIT 1;
    IF FOUND THEN
        RETURN json_build_object('code', 40000, 'message', format('parameter "%s" is given twice', name));
    END IF;
    SELECT e.key INTO name FROM json_each(p) e WHERE json_typeof(e.value) NOT IN ('string', 'number', 'null') LIMIT 1;
    IF FOUND THEN
        RETURN json_build_object('code', 40000, 'message',
                                 format('parameter "%s" must be a string or a number', name));
    END IF;
    IF required IS NOT NULL AND p->>required IS NULL THEN
        RETURN json_build_object('code', 40001, 'message', format('parameter "%s" is required', required));
    END IF;
    IF endpoint = '/v2/statements' AND (p->>'periodFrom' IS NULL OR p->>'periodTo' IS NULL) THEN
        RETURN json_build_object('code', 40001, 'message',
                                 format('parameter "%s" is required', CASE WHEN p->>'periodFrom' IS NULL THEN 'periodFrom' ELSE 'periodTo' END));
    END IF;

    BEGIN
        -- Integers are digits; timestamps are ISO 8601, in UTC unless they say
        -- otherwise (the function's TimeZone).  A JSON null is an absent
        -- parameter, which takes the function's default.
        FOREACH name IN ARRAY '{currentPage,pageSize,limit}'::text[] LOOP
            IF p->>name !~ '^\s*[+-]?[0-9]+\s*$' THEN
                RAISE EXCEPTION 'parameter "%" must be an integer, not "%"', name, p->>name
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
        END LOOP;
        FOREACH name IN ARRAY '{dateFrom,dateTo,billing_start_date,billing_end_date,periodFrom,periodTo}'::text[] LOOP
            IF p->>name !~ '^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?(Z|[+-]\d\d(:?\d\d)?)?$' THEN
                RAISE EXCEPTION 'parameter "%" must be an ISO 8601 date or timestamp, not "%"', name, p->>name
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
        END LOOP;

        CASE endpoint
            WHEN '/v2/invoices' THEN
                arg := 'currentPage';
                page := COALESCE((p->>'currentPage')::integer, 1);
                arg := 'pageSize';
                page_size := COALESCE((p->>'pageSize')::integer, 10);
                arg := 'dateFrom';
                date_from := (p->>'dateFrom')::timestamptz;
                arg := 'dateTo';
                date_to := (p->>'dateTo')::timestamptz;
                arg := NULL;
                RETURN invoice.invoice_list(p->>'orgId', page, page_size, p->>'status', date_from, date_to,
                                            p->>'search');
            WHEN '/v2/invoice-summary' THEN
                RETURN json_build_object('code', 0, 'data', invoice.invoice_summary(p->>'orgId'));
            WHEN '/v2/statements' THEN
                arg := 'periodFrom';
                date_from := (p->>'periodFrom')::timestamptz;
                arg := 'periodTo';
                date_to := (p->>'periodTo')::timestamptz;
                arg := NULL;
                RETURN json_build_object('code', 0, 'data',
                                         invoice.statement(p->>'orgId', date_from, date_to, p->>'currency'));
            WHEN '/billing/v3/invoices' THEN
                arg := 'limit';
                lim := COALESCE((p->>'limit')::integer, 100);
                arg := 'billing_start_date';
                date_from := (p->>'billing_start_date')::timestamptz;
                arg := 'billing_end_date';
                date_to := (p->>'billing_end_date')::timestamptz;
                arg := NULL;
                RETURN invoice.billing_v3_invoices(p->>'customer_id', date_from, date_to, lim, p->>'cursor');
            WHEN '/v2/invoices/{id}' THEN
                result := invoice.invoice_describe(id);
                name := result->'data'->>'orgId';
            ELSE
                result := invoice.billing_v3_invoice(id);
                name := result->>'customer_id';
        END CASE;
        -- A scope that is not the invoice's organisation finds nothing, as an
        -- unknown id does: the answer tells nothing of other organisations.
        IF name <> COALESCE(p->>allowed[1], name) THEN
            RETURN json_build_object('code', 40401, 'message',
                                     format(CASE WHEN endpoint LIKE '/v2/%' THEN 'invoice "%s" does not exist'
                                                 ELSE 'invoice "%s" not found' END, id));
        END IF;
        RETURN result;
    EXCEPTION
        WHEN null_value_not_allowed THEN
            RETURN json_build_object('code', 40001, 'message', SQLERRM);
        WHEN no_data_found THEN
            RETURN json_build_object('code', 40401, 'message', SQLERRM);
        WHEN cardinality_violation THEN
            RETURN json_build_object('code', 40900, 'message', SQLERRM);
        WHEN insufficient_privilege THEN
            RETURN json_build_object('code', 40300, 'message', SQLERRM);
        WHEN data_exception THEN
            RETURN json_build_object('code', 40000, 'message',
                                     CASE WHEN arg IS NULL THEN SQLERRM ELSE format('parameter "%s": %s', arg, SQLERRM) END);
    END;
END
$$;
COMMENT ON FUNCTION invoice.api_get(text, json)
    IS 'a REST GET on the invoice APIs for an HTTP gateway: /v2/invoices, /v2/invoices/{id}, /v2/invoice-summary, /v2/statements, /billing/v3/invoices, /billing/v3/invoices/{id}, query parameters in params; failures come back as {"code": 4xxxx, "message": …}';
