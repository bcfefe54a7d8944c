-- test/shell/lib/extension_catalog.sql — the invoice and cents extensions as the catalogs hold them, one line
-- per fact: "KEY<tab>VALUE", KEY naming the object (pg_describe_object, qualified names), VALUE
-- its definition.  test/shell/upgrade.sh compares these lines between a database upgraded with
-- ALTER EXTENSION invoice UPDATE and a fresh install: any difference names the object whose
-- upgrade step is missing or wrong.
--
-- What is compared, for every member of the extension (pg_depend deptype 'e') and what belongs
-- to them: the member itself; functions (pg_get_functiondef, or the aggregate's parts), views
-- (pg_get_viewdef, options), tables (columns by name: type, NOT NULL, default, identity,
-- generated; constraints, indexes, triggers, policies, row-level security, options), types
-- (enum labels, domain constraints, composite attributes), sequences, operators, casts and
-- operator classes (by their description and parts); privileges (ACLs of every object and
-- column, and of the schema) and comments of all of them; the extension's configuration tables
-- (pg_extension_config_dump) and the rows the extension itself put in them (those the dump
-- condition leaves out, e.g. the built-in GST rates).  Columns carry their position (#N among
-- the live columns): a row type must be the same after an upgrade, so new columns go last in
-- CREATE TABLE, where ALTER TABLE … ADD COLUMN puts them.
--
-- Column options exclude pg_attver=…, which this machine's server sets on every column
-- (a per-database value, not part of the extension's definition).
--
-- Run with psql -XAtq -F '<tab>' -f …; every name is schema-qualified (search_path is empty).

SET search_path = pg_catalog;
SET TimeZone = 'UTC';

WITH ext AS (
    SELECT oid, extname, extconfig, extcondition FROM pg_extension WHERE extname IN ('invoice', 'cents')
), members AS (
    SELECT d.classid, d.objid, d.objsubid, ext.extname
      FROM pg_depend d, ext
     WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), rels AS (       -- member relations, and the attributes of member composite types
    SELECT c.oid, c.relkind, c.oid::regclass::text AS name
      FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
    UNION ALL
    SELECT c.oid, c.relkind, c.oid::regclass::text
      FROM members m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
      JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
), procs AS (
    SELECT p.oid, p.prokind, p.oid::regprocedure::text AS name
      FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
), types AS (
    SELECT t.oid, t.typtype, format_type(t.oid, NULL) AS name
      FROM members m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
), facts(key, value) AS (
    -- the members themselves
    SELECT 'member ' || pg_describe_object(classid, objid, objsubid), 'of extension ' || extname
      FROM members
    UNION ALL
    SELECT 'comment ' || pg_describe_object(classid, objid, objsubid),
           obj_description(objid, (SELECT relname FROM pg_class WHERE oid = classid))
      FROM members
     WHERE obj_description(objid, (SELECT relname FROM pg_class WHERE oid = classid)) IS NOT NULL
    UNION ALL
    -- functions and procedures; aggregates by their parts
    SELECT 'function ' || name, pg_get_functiondef(oid) FROM procs WHERE prokind <> 'a'
    UNION ALL
    SELECT 'aggregate ' || p.name,
           concat_ws(' ', a.aggkind, a.aggtransfn::regprocedure, a.aggfinalfn, a.aggcombinefn, a.aggserialfn,
                     a.aggdeserialfn, a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn, a.aggfinalextra,
                     a.aggfinalmodify, a.aggsortop::regoperator, format_type(a.aggtranstype, NULL),
                     a.agginitval, a.aggminitval, a.aggtransspace)
      FROM procs p JOIN pg_aggregate a ON a.aggfnoid = p.oid
    UNION ALL
    SELECT 'privileges ' || name, array_to_string(ARRAY(SELECT x::text FROM unnest(proacl) x ORDER BY 1), ',')
      FROM procs JOIN pg_proc USING (oid)
    UNION ALL
    SELECT 'owner ' || name, proowner::regrole::text FROM procs JOIN pg_proc USING (oid)
    UNION ALL
    -- relations: kind, options, row-level security, privileges, owner
    SELECT 'relation ' || r.name,
           concat_ws(' ', c.relkind, c.relpersistence, 'rls=' || c.relrowsecurity, 'force=' || c.relforcerowsecurity,
                     'options=' || array_to_string(c.reloptions, ','), 'replident=' || c.relreplident::text)
      FROM rels r JOIN pg_class c USING (oid)
    UNION ALL
    SELECT 'privileges ' || r.name, array_to_string(ARRAY(SELECT x::text FROM unnest(c.relacl) x ORDER BY 1), ',')
      FROM rels r JOIN pg_class c USING (oid)
    UNION ALL
    SELECT 'owner ' || r.name, c.relowner::regrole::text FROM rels r JOIN pg_class c USING (oid)
    UNION ALL
    SELECT 'view ' || name, pg_get_viewdef(oid) FROM rels WHERE relkind IN ('v', 'm')
    UNION ALL
    -- columns (by name), their comments and privileges
    SELECT 'column ' || r.name || '.' || quote_ident(a.attname),
           concat_ws(' ', '#' || row_number() OVER (PARTITION BY r.oid ORDER BY a.attnum),
                     format_type(a.atttypid, a.atttypmod),
                     CASE WHEN a.attnotnull THEN 'NOT NULL' END,
                     'DEFAULT ' || pg_get_expr(d.adbin, d.adrelid),
                     CASE a.attidentity WHEN 'a' THEN 'GENERATED ALWAYS AS IDENTITY'
                                        WHEN 'd' THEN 'GENERATED BY DEFAULT AS IDENTITY' END,
                     CASE a.attgenerated WHEN 's' THEN 'STORED' END,
                     CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
                          THEN 'COLLATE ' || a.attcollation::regcollation END,
                     'storage=' || a.attstorage::text,
                     'options=' || array_to_string(ARRAY(SELECT o FROM unnest(a.attoptions) o
                                                         WHERE o NOT LIKE 'pg\_attver=%'), ','))
      FROM rels r
      JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
      JOIN pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE r.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
    UNION ALL
    SELECT 'comment column ' || r.name || '.' || quote_ident(a.attname), col_description(r.oid, a.attnum)
      FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE col_description(r.oid, a.attnum) IS NOT NULL
    UNION ALL
    SELECT 'privileges column ' || r.name || '.' || quote_ident(a.attname),
           array_to_string(ARRAY(SELECT x::text FROM unnest(a.attacl) x ORDER BY 1), ',')
      FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE a.attacl IS NOT NULL
    UNION ALL
    -- constraints of tables and domains
    SELECT 'constraint ' || coalesce(r.name, format_type(co.contypid, NULL)) || ' ' || quote_ident(co.conname),
           pg_get_constraintdef(co.oid) || CASE WHEN co.condeferrable THEN ' (deferrable)' ELSE '' END
      FROM pg_constraint co
      LEFT JOIN rels r ON r.oid = co.conrelid
     WHERE r.oid IS NOT NULL OR co.contypid IN (SELECT oid FROM types)
    UNION ALL
    SELECT 'comment constraint ' || coalesce(r.name, format_type(co.contypid, NULL)) || ' ' || quote_ident(co.conname),
           obj_description(co.oid, 'pg_constraint')
      FROM pg_constraint co
      LEFT JOIN rels r ON r.oid = co.conrelid
     WHERE (r.oid IS NOT NULL OR co.contypid IN (SELECT oid FROM types))
       AND obj_description(co.oid, 'pg_constraint') IS NOT NULL
    UNION ALL
    -- indexes (their relations are not members; their definitions name them)
    SELECT 'index ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
      FROM pg_index i JOIN rels r ON r.oid = i.indrelid
    UNION ALL
    SELECT 'comment index ' || i.indexrelid::regclass::text, obj_description(i.indexrelid, 'pg_class')
      FROM pg_index i JOIN rels r ON r.oid = i.indrelid
     WHERE obj_description(i.indexrelid, 'pg_class') IS NOT NULL
    UNION ALL
    -- triggers, rules, policies
    SELECT 'trigger ' || r.name || ' ' || quote_ident(tg.tgname),
           pg_get_triggerdef(tg.oid) || ' enabled=' || tg.tgenabled::text
      FROM pg_trigger tg JOIN rels r ON r.oid = tg.tgrelid
     WHERE NOT tg.tgisinternal
    UNION ALL
    SELECT 'comment trigger ' || r.name || ' ' || quote_ident(tg.tgname), obj_description(tg.oid, 'pg_trigger')
      FROM pg_trigger tg JOIN rels r ON r.oid = tg.tgrelid
     WHERE NOT tg.tgisinternal AND obj_description(tg.oid, 'pg_trigger') IS NOT NULL
    UNION ALL
    SELECT 'rule ' || r.name || ' ' || quote_ident(ru.rulename), pg_get_ruledef(ru.oid)
      FROM pg_rewrite ru JOIN rels r ON r.oid = ru.ev_class
     WHERE ru.rulename <> '_RETURN'
    UNION ALL
    SELECT 'policy ' || r.name || ' ' || quote_ident(po.polname),
           concat_ws(' ', po.polcmd, po.polpermissive,
                     'roles=' || array_to_string(ARRAY(SELECT CASE WHEN x = 0 THEN 'public' ELSE x::regrole::text END
                                                          FROM unnest(po.polroles) x ORDER BY 1), ','),
                     'using=' || pg_get_expr(po.polqual, po.polrelid),
                     'check=' || pg_get_expr(po.polwithcheck, po.polrelid))
      FROM pg_policy po JOIN rels r ON r.oid = po.polrelid
    UNION ALL
    SELECT 'comment policy ' || r.name || ' ' || quote_ident(po.polname), obj_description(po.oid, 'pg_policy')
      FROM pg_policy po JOIN rels r ON r.oid = po.polrelid
     WHERE obj_description(po.oid, 'pg_policy') IS NOT NULL
    UNION ALL
    -- sequences
    SELECT 'sequence ' || r.name,
           concat_ws(' ', format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmax, s.seqmin,
                     s.seqcache, s.seqcycle)
      FROM rels r JOIN pg_sequence s ON s.seqrelid = r.oid
    UNION ALL
    -- types: enum labels, domains, base types, privileges
    SELECT 'enum ' || ty.name, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
      FROM types ty JOIN pg_enum e ON e.enumtypid = ty.oid
     GROUP BY ty.name
    UNION ALL
    SELECT 'type ' || ty.name,
           concat_ws(' ', t.typtype, t.typlen, t.typbyval, t.typalign, t.typstorage, t.typcategory, t.typispreferred,
                     t.typinput::regproc, t.typoutput::regproc, t.typreceive::regproc, t.typsend::regproc,
                     format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault)
      FROM types ty JOIN pg_type t USING (oid)
    UNION ALL
    SELECT 'privileges type ' || ty.name, array_to_string(ARRAY(SELECT x::text FROM unnest(t.typacl) x ORDER BY 1), ',')
      FROM types ty JOIN pg_type t USING (oid)
    UNION ALL
    -- operators, casts, operator classes and families: by their parts
    SELECT 'operator ' || o.oid::regoperator::text,
           concat_ws(' ', o.oprcode::regprocedure, o.oprcom::regoperator, o.oprnegate::regoperator,
                     o.oprrest, o.oprjoin, o.oprcanmerge, o.oprcanhash)
      FROM members m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
    UNION ALL
    SELECT 'cast ' || format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL),
           concat_ws(' ', c.castfunc::regprocedure, c.castcontext, c.castmethod)
      FROM members m JOIN pg_cast c ON m.classid = 'pg_cast'::regclass AND c.oid = m.objid
    UNION ALL
    SELECT 'opclass member ' || pg_describe_object(m.classid, m.objid, 0),
           string_agg(pg_describe_object(d.classid, d.objid, d.objsubid), '; '
                      ORDER BY pg_describe_object(d.classid, d.objid, d.objsubid))
      FROM members m
      JOIN pg_depend d ON d.refclassid = m.classid AND d.refobjid = m.objid
                      AND d.classid IN ('pg_amop'::regclass, 'pg_amproc'::regclass)
     WHERE m.classid IN ('pg_opclass'::regclass, 'pg_opfamily'::regclass)
     GROUP BY 1
    UNION ALL
    -- the schema's privileges; the configuration tables pg_dump dumps
    SELECT 'privileges schema ' || n.nspname, array_to_string(ARRAY(SELECT x::text FROM unnest(n.nspacl) x ORDER BY 1), ',')
      FROM pg_namespace n WHERE n.oid IN (SELECT objid FROM members WHERE classid = 'pg_namespace'::regclass)
    UNION ALL
    SELECT 'config ' || c.cfg::regclass::text, coalesce(ext.extcondition[c.n], '')
      FROM ext, unnest(ext.extconfig) WITH ORDINALITY AS c(cfg, n)
    UNION ALL
    -- the extension's own rows of a configuration table (those its condition leaves out of dumps)
    SELECT 'rows ' || c.cfg::regclass::text,
           (xpath('/table/row/v/text()',
                  query_to_xml(format('SELECT string_agg(t::text, %L ORDER BY t::text COLLATE "C") AS v FROM %s t WHERE NOT (%s)',
                                      '; ', c.cfg::regclass, substr(ext.extcondition[c.n], 7)),
                               false, false, '')))[1]::text
      FROM ext, unnest(ext.extconfig) WITH ORDINALITY AS c(cfg, n)
     WHERE ext.extcondition[c.n] ~* '^WHERE '
)
SELECT replace(key, E'\t', ' ') AS key,
       replace(replace(coalesce(value, '<null>'), E'\n', '\n'), E'\t', '\t') AS value
  FROM facts
 ORDER BY key COLLATE "C", value COLLATE "C";
