-- access: may the acting role see an organisation (README "Security model")
--
-- Created before the read API, which asks it before it reads anything of an
-- organisation (a one-time filter: the same work for an organisation the
-- caller may not see as for one that does not exist).  The members table it
-- reads and the policies are in 90_security.sql.

CREATE FUNCTION invoice.member_of(org_id text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'invoice_member_of' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION invoice.member_of(text) IS 'may the acting role see the organisation: a member, or a billing administrator (the read API asks it first; the row-level security test on Citus, see invoice.distribute())';
