/*
 * cents_compare.c
 *		The comparison, hashing, ordering and int4 cast functions of cents: the
 *		int8 implementations of PostgreSQL, called through functions of this
 *		library.
 *
 * cents is an int64, so comparing, hashing and sorting it is what int8 does,
 * and the SQL could name PostgreSQL's own functions (LANGUAGE internal, AS
 * 'int8eq').  But a function of language internal whose OID is not one of the
 * built-in ones is found again by its name at every fmgr_info(): a linear
 * search of the ≈ 3,000 built-in names (fmgr_lookupByName), at every executor
 * start for every operator of a plan.  A C function is found by OID in fmgr's
 * cache after its first call, so each SQL function is declared LANGUAGE C
 * here and its body is the int8 one.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/fmgrprotos.h"

#define CENTS_AS_INT8(name, int8_impl) \
	PG_FUNCTION_INFO_V1(name); \
	Datum \
	name(PG_FUNCTION_ARGS) \
	{ \
		return int8_impl(fcinfo); \
	}

CENTS_AS_INT8(cents_eq, int8eq)
CENTS_AS_INT8(cents_ne, int8ne)
CENTS_AS_INT8(cents_lt, int8lt)
CENTS_AS_INT8(cents_le, int8le)
CENTS_AS_INT8(cents_gt, int8gt)
CENTS_AS_INT8(cents_ge, int8ge)
CENTS_AS_INT8(cents_cmp, btint8cmp)
CENTS_AS_INT8(cents_sortsupport, btint8sortsupport)
CENTS_AS_INT8(cents_in_range, in_range_int8_int8)
CENTS_AS_INT8(cents_hash, hashint8)
CENTS_AS_INT8(cents_hash_extended, hashint8extended)
CENTS_AS_INT8(cents_smaller, int8smaller)
CENTS_AS_INT8(cents_larger, int8larger)
CENTS_AS_INT8(int4_cents, int48)
