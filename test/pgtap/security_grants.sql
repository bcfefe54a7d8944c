-- Security (issue 6): what the extension grants, and to whom.
--
--   - PUBLIC: no privilege on any table, view or sequence of schema invoice,
--     no CREATE (nor USAGE) on the schema; EXECUTE on exactly this list of
--     functions: the cents and gstin types' support, pure helpers (no data),
--     the read API — which runs with the caller's rights, so that without
--     SELECT on the tables (never granted to PUBLIC) it reads nothing, and
--     with it row-level security decides — and three SECURITY DEFINER
--     functions that read no organisation's data (member_orgs: the caller's
--     own memberships; the Billing v3 cursor signer and checker).  No trigger
--     function, no function that writes.
--   - SECURITY DEFINER: exactly the known set, owned by the tables' owner,
--     each with search_path pinned (SET search_path, or C that pins it).
--   - Row-level security on every table with an org_id column, policies for
--     SELECT only, but the usage inbox's INSERT and DELETE policies (members
--     send usage); the views over them are security_invoker.
--   - The README's wiring suffices: a role with exactly those grants and a
--     membership gets an answer from every read API function and the member
--     functions; a role without grants gets 42501 from all of them.
\ir include/begin.sql
SET search_path = public;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;

SELECT plan(74);
\ir include/security_fixture.sql

SET LOCAL search_path = pg_catalog, public;      -- signatures print schema-qualified

-- PUBLIC ---------------------------------------------------------------------------------

SELECT is((SELECT array_agg(c.oid::regclass::text || ': ' || a.privilege_type ORDER BY 1)
             FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a
            WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'S', 'f', 'p')
              AND a.grantee = 0),
          NULL, 'PUBLIC has no privilege on any table, view or sequence of schema invoice');
SELECT ok(NOT has_schema_privilege('public', 'invoice', 'CREATE'), 'PUBLIC may not create in schema invoice');
SELECT ok(NOT has_schema_privilege('public', 'invoice', 'USAGE'),
          'PUBLIC has no USAGE on schema invoice: an administrator grants it (README "Security model")');

CREATE TEMP TABLE public_functions (f text PRIMARY KEY, why text);
INSERT INTO public_functions (f, why)
SELECT f, 'the cents type' FROM unnest(ARRAY[
    'cents_in(cstring)', 'cents_out(cents)', 'cents_recv(internal)',
    'cents_send(cents)', 'cents_eq(cents,cents)',
    'cents_ne(cents,cents)', 'cents_lt(cents,cents)',
    'cents_le(cents,cents)', 'cents_gt(cents,cents)',
    'cents_ge(cents,cents)', 'cents_cmp(cents,cents)',
    'cents_sortsupport(internal)', 'cents_in_range(cents,cents,cents,boolean,boolean)',
    'cents_hash(cents)', 'cents_hash_extended(cents,bigint)',
    'cents_smaller(cents,cents)', 'cents_larger(cents,cents)',
    'cents_pl(cents,cents)', 'cents_mi(cents,cents)',
    'cents_um(cents)', 'abs(cents)',
    'cents_mul_int4(cents,integer)', 'cents_mul_int8(cents,bigint)',
    'int4_mul_cents(integer,cents)', 'int8_mul_cents(bigint,cents)',
    'cents_mul_num(cents,numeric)', 'num_mul_cents(numeric,cents)',
    'cents_div_int4(cents,integer)', 'cents_div_int8(cents,bigint)',
    'cents_div_num(cents,numeric)', 'cents_div_cents(cents,cents)',
    'cents_mul(cents,numeric,text)', 'cents_div(cents,numeric,text)',
    'cents_round(numeric,text)',
    'cents_agg_accum(internal,cents)', 'cents_agg_accum_inv(internal,cents)',
    'cents_agg_combine(internal,internal)', 'cents_agg_serialize(internal)',
    'cents_agg_deserialize(bytea,internal)', 'cents_sum_final(internal)', 'cents_avg_final(internal)',
    'sum(cents)', 'avg(cents)', 'min(cents)', 'max(cents)',
    'cents_numeric(cents)', 'numeric_cents(numeric)', 'cents_json(cents)',
    'int4_cents(integer)']) f
UNION ALL
SELECT f, 'the gstin domain' FROM unnest(ARRAY['invoice.gstin_valid(text)', 'invoice.gstin_check(text)', 'invoice.gstin_kind(text)']) f
UNION ALL
SELECT f, 'a helper that reads no data' FROM unnest(ARRAY[
    'invoice.new_invoice_id()', 'invoice.acting_role()', 'invoice.clock()', 'invoice.next_identity(regclass)',
    'invoice.invoice_amounts_accum(internal,cents,numeric,cents,cents,cents,boolean,cents,text,text)',
    'invoice.invoice_amounts_final(internal)',
    'invoice.invoice_amounts(cents,numeric,cents,cents,cents,boolean,cents,text,text)',
    'invoice.gst_intra_state(boolean,text,text,text)', 'invoice.json_time(timestamp with time zone)',
    'invoice.status_label(invoice.status)', 'invoice.status_filter(text)', 'invoice.search_term(text)',
    'invoice.text_icontains(text,text)', 'invoice.search_signature(text[])',
    'invoice.search_signature_union(bytea,bytea)', 'invoice.search_may_contain(bytea,text)',
    'invoice.invoice_list_item(invoice.invoices)',
    'invoice.billing_v3_not_found(text,bigint)', 'invoice.text_within(text,integer,text)']) f
UNION ALL
SELECT f, 'the read API (caller''s rights: table privileges and row-level security decide)' FROM unnest(ARRAY[
    'invoice.search_candidates(text,text)',
    'invoice.invoice_list(text,integer,integer,text,timestamp with time zone,timestamp with time zone,text)',
    'invoice.invoice_describe_data(text,text)', 'invoice.invoice_describe(text)', 'invoice.invoice_summary(text)',
    'invoice.invoice_csv(text,text,timestamp with time zone,timestamp with time zone,text)',
    'invoice.invoice_tax_lines(text)', 'invoice.invoice_tax_summary(text)',
    'invoice.billing_v3_invoices(text,timestamp with time zone,timestamp with time zone,integer,text)',
    'invoice.billing_v3_invoice(text)', 'invoice.api_get(text,json)',
    'invoice.billing_v3_page(text,timestamp with time zone,text,integer,timestamp with time zone,timestamp with time zone)',
    'invoice.invoice_pdf(text)', 'invoice.invoice_pdf_zip(text[])', 'invoice.credit_note_pdf(text)',
    'invoice.receipt_pdf(text,bigint)', 'invoice.invoice_einvoice_json(text)',
    'invoice.usage_price(text,text,date)', 'invoice.usage_summary(text,date,date)',
    'invoice.usage_summary_rows(text,date,date)', 'invoice.usage_summary_pdf(text,date,date)']) f
UNION ALL
SELECT f, 'the reports (caller''s rights: row-level security decides whose rows they add up)' FROM unnest(ARRAY[
    'invoice.statement(text,timestamp with time zone,timestamp with time zone,text)',
    'invoice.statement_lines(text,timestamp with time zone,timestamp with time zone,text)',
    'invoice.statement_pdf(text,timestamp with time zone,timestamp with time zone,text)',
    'invoice.receivables_as_of(timestamp with time zone)', 'invoice.receivables_aging(timestamp with time zone)',
    'invoice.dso(timestamp with time zone,timestamp with time zone)', 'invoice.gstr1(text,text)']) f
UNION ALL
SELECT f, 'the reports'' checks: who reads as finance, arguments' FROM unnest(ARRAY[
    'invoice.finance_reader()', 'invoice.gstr1_check(text,text)',
    'invoice.report_instant(timestamp with time zone)',
    'invoice.report_period(timestamp with time zone,timestamp with time zone)']) f
UNION ALL
SELECT 'invoice.line_tax(cents,numeric,cents,boolean,boolean,text,bigint)',
       'the tax arithmetic behind invoice_line_tax (a window function over the lines it is given; reads no data)'
UNION ALL
SELECT f, 'the GSTR-1 classification behind its views (reads no data)' FROM unnest(ARRAY[
    'invoice.gstr1_section(text,boolean,text,cents,timestamp with time zone)',
    'invoice.gstr1_export_type(cents)', 'invoice.gstr1_hsn_table(date,text)',
    'invoice.gstr1_line_section(text,invoice.gst_treatment,numeric)']) f
UNION ALL
SELECT f, 'the charge models (read no data)' FROM unnest(ARRAY[
    'invoice.usage_charge(text,numeric,numeric,numeric,numeric,numeric[],numeric[],numeric[])',
    'invoice.usage_price_valid(text,numeric,numeric,numeric,numeric[],numeric[],numeric[])']) f
UNION ALL
SELECT f, 'runs as the owner to read the caller''s own memberships' FROM unnest(ARRAY['invoice.member_orgs()', 'invoice.member_of(text)',
                                                                                   'invoice.member_manages(text)']) f
UNION ALL
SELECT f, 'SECURITY DEFINER, reads no organisation''s data' FROM unnest(ARRAY[
    'invoice.billing_v3_cursor_open(text,timestamp with time zone,timestamp with time zone,integer,text)',
    'invoice.billing_v3_cursor_make(text,timestamp with time zone,timestamp with time zone,timestamp with time zone,text)']) f;

CREATE TEMP VIEW executable_by_public AS
SELECT p.oid::regprocedure::text AS f, p.prorettype = 'trigger'::regtype AS is_trigger, p.prosecdef
  FROM pg_proc p
 WHERE (p.pronamespace = 'invoice'::regnamespace
        OR p.oid IN (SELECT d.objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'cents'
                      WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'))
   AND has_function_privilege('public', p.oid, 'EXECUTE');

SELECT is((SELECT array_agg(f ORDER BY f) FROM executable_by_public WHERE f NOT IN (SELECT f FROM public_functions)),
          NULL, 'PUBLIC may execute no function of schema invoice or of the cents extension beyond the expected list');
SELECT is((SELECT array_agg(f ORDER BY f) FROM public_functions WHERE f NOT IN (SELECT f FROM executable_by_public)),
          NULL, '… and every function of the list (the types must stay usable)');
SELECT is((SELECT array_agg(f ORDER BY f) FROM executable_by_public WHERE is_trigger), NULL,
          'PUBLIC may execute no trigger function');

-- every function that writes, or reads with the definer's rights: not PUBLIC
SELECT ok(NOT has_function_privilege('public', f::regprocedure, 'EXECUTE'), format('PUBLIC may not execute %s', f))
  FROM unnest(ARRAY[
    'invoice.invoice_compute(text)', 'invoice.invoice_compute_period(timestamp with time zone,timestamp with time zone)',
    'invoice.invoice_issue(text)', 'invoice.invoice_issue_period(timestamp with time zone,timestamp with time zone)',
    'invoice.invoice_cancel(text,text)', 'invoice.invoice_pay(text,cents,text,text)',
    'invoice.invoice_topup(text,cents,text,text)', 'invoice.invoice_sweep_overdue(timestamp with time zone)',
    'invoice.invoice_sweep_overdue_batch(timestamp with time zone,integer)', 'invoice.invoice_dispute(text,text)',
    'invoice.invoice_dispute_reject(text)', 'invoice.credit_note_create(text,text,text)',
    'invoice.credit_note_issue(text,date)', 'invoice.search_rebuild(text)']) f;

-- SECURITY DEFINER ---------------------------------------------------------------------

SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
            WHERE p.pronamespace = 'invoice'::regnamespace AND p.prosecdef),
          '{billing_v3_cursor_make,billing_v3_cursor_open}'::text[],
          'the SECURITY DEFINER functions are exactly the known ones (the writers switch to the owner in code, knowing their caller)');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
            WHERE p.pronamespace = 'invoice'::regnamespace
              AND p.proname IN ('credit_note_create', 'credit_note_issue', 'invoice_cancel', 'invoice_compute',
                                'invoice_compute_period', 'invoice_dispute', 'invoice_dispute_reject', 'invoice_issue',
                                'invoice_issue_period', 'invoice_pay', 'invoice_sweep_overdue',
                                'invoice_sweep_overdue_batch', 'invoice_topup')
              AND NOT coalesce('search_path=pg_catalog, invoice, public, pg_temp' = ANY (p.proconfig), false)),
          NULL, 'the functions that run as the owner pin search_path = pg_catalog, invoice, public (the cents type), pg_temp');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
            WHERE p.pronamespace = 'invoice'::regnamespace AND p.prosecdef
              AND p.proowner <> (SELECT c.relowner FROM pg_class c WHERE c.oid = 'invoice.invoices'::regclass)),
          NULL, 'they are owned by the tables'' owner');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
            WHERE p.pronamespace = 'invoice'::regnamespace AND p.prosecdef
              AND NOT coalesce('search_path=pg_catalog, invoice, public, pg_temp' = ANY (p.proconfig), false)),
          '{billing_v3_cursor_make,billing_v3_cursor_open}'::text[],
          'each pins search_path = pg_catalog, invoice, public, pg_temp, but the two cursor functions (C, which pin it in code before their one query)');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
            WHERE p.pronamespace = 'invoice'::regnamespace AND NOT p.prosecdef AND p.prolang = (SELECT l.oid FROM pg_language l WHERE l.lanname = 'sql')
              AND p.prosqlbody IS NULL AND NOT coalesce('search_path=pg_catalog, invoice, public, pg_temp' = ANY (p.proconfig), false)),
          NULL, 'every LANGUAGE sql function is bound at creation (SQL-standard body) or pins its search_path');
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname) FROM pg_proc p
            WHERE p.pronamespace = 'invoice'::regnamespace AND p.prolang = (SELECT l.oid FROM pg_language l WHERE l.lanname = 'plpgsql')
              -- but table_ddl, which runs the install scripts' own statements with their search_path (not PUBLIC's to call)
              AND p.oid <> 'invoice.table_ddl(regclass,text[])'::regprocedure
              AND NOT coalesce('search_path=pg_catalog, invoice, public, pg_temp' = ANY (p.proconfig), false)),
          NULL, 'every PL/pgSQL function pins its search_path');

-- Row-level security ---------------------------------------------------------------------

SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
            WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind = 'r' AND NOT c.relrowsecurity
              AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped)),
          NULL, 'every table with an org_id column has row-level security');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
            WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind = 'r' AND c.relrowsecurity),
          (SELECT array_agg(t ORDER BY t)
             FROM org_tables),
          '… and they are the organisation tables of the matrix');
SELECT is((SELECT array_agg(c.relname::text || ' ' || p.polname || ' ' || p.polcmd::text ORDER BY c.relname::text || ' ' || p.polname || ' ' || p.polcmd::text) FROM pg_policy p
             JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace = 'invoice'::regnamespace),
          (SELECT array_agg(p ORDER BY p)
             FROM (SELECT t || CASE t WHEN 'members' THEN ' own_memberships r' ELSE ' member_read r' END
                     FROM org_tables
                   UNION ALL
                   SELECT t || ' finance_read r'
                     FROM unnest(ARRAY['advance_ledger', 'credit_note_lines', 'credit_notes', 'credits', 'invoices',
                                       'line_items', 'orgs', 'payments', 'receipts', 'status_history']) t
                   UNION ALL
                   VALUES ('usage_inbox member_send a'), ('usage_inbox member_take_back d')) x (p)),
          'the member_read policy on every table, finance_read on the reports'' tables, for SELECT only (r); members write through a policy to the usage inbox alone (INSERT a, DELETE d)');
SELECT is((SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
            WHERE c.relnamespace = 'invoice'::regnamespace AND c.relkind = 'v'
              AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)),
          NULL, 'every view of schema invoice is security_invoker (row-level security applies to its reader)');

-- The README's wiring suffices -------------------------------------------------------------

CREATE TEMP TABLE api_calls (ord serial, sql text);
INSERT INTO api_calls (sql) VALUES
    ($$SELECT invoice.invoice_list('sec-a', 1, 10, 'unpaid', '2000-01-01', '2100-01-01', 'alpha')::text$$),
    ($$SELECT invoice.invoice_describe('sa-paid')::text$$),
    ($$SELECT invoice.invoice_summary('sec-a')::text$$),
    ($$SELECT count(*)::text FROM invoice.invoice_csv('sec-a', search => 'alpha')$$),
    ($$SELECT invoice.billing_v3_invoices('sec-a', "limit" => 2)::text$$),
    ($$SELECT invoice.billing_v3_invoice('sa-paid')::text$$),
    ($$SELECT invoice.api_get('/v2/invoices', '{"orgId": "sec-a", "search": "alpha"}')->>'code'$$),
    ($$SELECT invoice.api_get('/v2/invoices/sa-paid')->>'code'$$),
    ($$SELECT invoice.api_get('/v2/invoice-summary', '{"orgId": "sec-a"}')->>'code'$$),
    ($$SELECT invoice.api_get('/billing/v3/invoices', '{"customer_id": "sec-a", "limit": 2}')->'meta'->>'total'$$),
    ($$SELECT invoice.api_get('/billing/v3/invoices/sa-paid')->>'invoice_id'$$),
    ($$SELECT count(*)::text FROM invoice.invoice_tax_lines('sa-paid')$$),
    ($$SELECT count(*)::text FROM invoice.invoice_tax_summary('sa-paid')$$),
    ($$SELECT md5(invoice.invoice_pdf('sa-paid'))$$),
    ($$SELECT md5(invoice.invoice_pdf_zip(ARRAY['sa-paid', 'sa-open']))$$),
    (format($$SELECT md5(invoice.credit_note_pdf(%L))$$, :'note_a')),
    (format($$SELECT md5(invoice.receipt_pdf('sec-a', %s))$$, :receipt_a)),
    ($$SELECT count(*)::text FROM invoice.invoice_list_json$$),
    ($$SELECT count(*)::text FROM invoice.invoice_describe_json$$),
    ($$SELECT count(*)::text FROM invoice.billing_v3_invoice_json$$);
SELECT is(pg_temp.state(:'viewer_a', sql), 'ok', format('wired as the README says, a viewer gets an answer: %s', left(sql, 70)))
  FROM api_calls ORDER BY ord;
SELECT is(pg_temp.state(:'owner_a', sql), 'ok', format('… and so does an owner: %s', left(sql, 70)))
  FROM (VALUES ($$SELECT invoice.invoice_pay('sa-open', '1.00', 'upi', 'grants-1')::text$$),
               ($$SELECT invoice.invoice_cancel('sa-c1', 'wired')::text$$),
               ($$SELECT invoice.invoice_dispute('sa-d1', 'wired')::text$$),
               ($$SELECT invoice.invoice_topup('sec-a', '1.00', 'upi', 'grants-2')::text$$)) v(sql);
SELECT :'tag' || '_nobody' AS nobody \gset
CREATE ROLE :"nobody" NOLOGIN;
INSERT INTO invoice.members VALUES ('sec-a', :'nobody', 'owner');
SELECT is(pg_temp.state(:'nobody', sql), '42501', format('a member without the grants gets 42501: %s', left(sql, 70)))
  FROM api_calls ORDER BY ord;

SELECT * FROM finish();
ROLLBACK;
