
-- 21_member_of: member_of is the read API's first question (it was created with the policies)
COMMENT ON FUNCTION invoice.member_of(text) IS 'may the acting role see the organisation: a member, or a billing administrator (the read API asks it first; the row-level security test on Citus, see invoice.distribute())';
