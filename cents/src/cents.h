/*
 * cents.h
 *		The cents type: int64 minor units, shared by every C file that
 *		computes with money.
 */
#ifndef INVOICE_CENTS_H
#define INVOICE_CENTS_H

#include "fmgr.h"
#include "utils/numeric.h"

typedef int64 Cents;

#define DatumGetCents(X)	DatumGetInt64(X)
#define CentsGetDatum(X)	Int64GetDatum(X)
#define PG_GETARG_CENTS(n)	DatumGetCents(PG_GETARG_DATUM(n))
#define PG_RETURN_CENTS(x)	return CentsGetDatum(x)

/*
 * How a result that is not a whole number of cents is rounded.  Half away
 * from zero is the default everywhere (Stripe, Kill Bill, GST s.170);
 * half-even is there for those who must match a banker's ledger.
 */
typedef enum CentsRounding
{
	CENTS_ROUND_HALF_AWAY_FROM_ZERO,
	CENTS_ROUND_HALF_EVEN
} CentsRounding;

/* Parse a rounding name ('half_away_from_zero', 'half_even'); 22023 if unknown. */
extern CentsRounding cents_rounding_from_text(text *name);

/* Overflow-checked arithmetic: every result outside int64 raises 22003. */
extern Cents cents_add(Cents a, Cents b);
extern Cents cents_sub(Cents a, Cents b);
extern Cents cents_mul_int(Cents a, int64 b);

/* round(num / den) to a whole integer; 22012 on a zero den, 22003 when it leaves int64. */
extern int64 cents_round_quotient_int(int64 num, int64 den, CentsRounding mode);
extern int64 cents_round_quotient_numeric(Numeric num, Numeric den, CentsRounding mode);

/* cents × factor and cents ÷ divisor with exact rounding to whole cents. */
extern Cents cents_mul_numeric(Cents a, Numeric factor, CentsRounding mode);
extern Cents cents_div_numeric(Cents a, Numeric divisor, CentsRounding mode);

/* Text form, "-1234.56", in a palloc'd string. */
extern char *cents_to_cstring(Cents a);

/* Major-unit numeric (e.g. 12.34) for a cents value, with scale 2. */
extern Numeric cents_to_major_numeric(Cents a);

#endif							/* INVOICE_CENTS_H */
