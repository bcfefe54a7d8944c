/*
 * cents.c
 *		The cents type: text and binary I/O, arithmetic, rounding and casts.
 *
 * Comparison, hashing and sort support reuse the int8 functions through
 * LANGUAGE internal (see sql/ext/10_cents.sql); only what must raise errors
 * that name this type, or round, lives here.
 */
#include "postgres.h"

#include <string.h>

#include "cents.h"
#include "cents_parse.h"
#include "common/int.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

static void
cents_overflow(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("cents out of range")));
}

Cents
cents_add(Cents a, Cents b)
{
	Cents		result;

	if (unlikely(pg_add_s64_overflow(a, b, &result)))
		cents_overflow();
	return result;
}

Cents
cents_sub(Cents a, Cents b)
{
	Cents		result;

	if (unlikely(pg_sub_s64_overflow(a, b, &result)))
		cents_overflow();
	return result;
}

Cents
cents_mul_int(Cents a, int64 b)
{
	Cents		result;

	if (unlikely(pg_mul_s64_overflow(a, b, &result)))
		cents_overflow();
	return result;
}

CentsRounding
cents_rounding_from_text(text *name)
{
	char	   *s = text_to_cstring(name);

	if (strcmp(s, "half_away_from_zero") == 0)
		return CENTS_ROUND_HALF_AWAY_FROM_ZERO;
	if (strcmp(s, "half_even") == 0)
		return CENTS_ROUND_HALF_EVEN;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown rounding mode \"%s\"", s),
			 errhint("Use \"half_away_from_zero\" or \"half_even\".")));
	pg_unreachable();
}

/*
 * Decide whether a truncated quotient moves one step away from zero, given
 * how twice the remainder compares with the divisor (both as magnitudes).
 */
static bool
round_away(int twice_remainder_vs_divisor, bool quotient_is_odd, CentsRounding mode)
{
	if (twice_remainder_vs_divisor != 0)
		return twice_remainder_vs_divisor > 0;
	return mode == CENTS_ROUND_HALF_AWAY_FROM_ZERO || quotient_is_odd;
}

int64
cents_round_quotient_int(int64 num, int64 den, CentsRounding mode)
{
	int64		quotient;
	int64		remainder;
	uint64		twice_remainder;
	uint64		divisor;

	if (den == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DIVISION_BY_ZERO),
				 errmsg("division by zero")));
	if (den == -1)
	{
		if (num == PG_INT64_MIN)
			cents_overflow();
		return -num;
	}

	quotient = num / den;
	remainder = num % den;
	if (remainder == 0)
		return quotient;

	/* |remainder| < |den| <= 2^63, so twice it still fits in uint64. */
	twice_remainder = 2 * (remainder < 0 ? 0 - (uint64) remainder : (uint64) remainder);
	divisor = den < 0 ? 0 - (uint64) den : (uint64) den;
	if (round_away(twice_remainder > divisor ? 1 : twice_remainder < divisor ? -1 : 0,
				   (quotient & 1) != 0, mode))
		quotient += ((num < 0) != (den < 0)) ? -1 : 1;
	return quotient;
}

static Numeric
numeric_op(PGFunction fn, Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(fn, NumericGetDatum(a), NumericGetDatum(b)));
}

static int
numeric_compare(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a), NumericGetDatum(b)));
}

static void
check_finite(Numeric value)
{
	if (numeric_is_nan(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot compute cents from NaN")));
	if (numeric_is_inf(value))
		cents_overflow();
}

/* An integral numeric to int64, raising this type's own 22003 when it does not fit. */
static int64
integral_numeric_to_int64(Numeric value)
{
	static Numeric min_value = NULL;
	static Numeric max_value = NULL;

	if (max_value == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		min_value = int64_to_numeric(PG_INT64_MIN);
		max_value = int64_to_numeric(PG_INT64_MAX);
		MemoryContextSwitchTo(old);
	}
	if (numeric_compare(value, min_value) < 0 || numeric_compare(value, max_value) > 0)
		cents_overflow();
	return DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(value)));
}

/*
 * Exact rounding of num / den: the truncated quotient and its remainder are
 * both exact in numeric, so ties are recognised exactly (numeric_div alone
 * rounds at a display scale of its choosing and could not tell).
 */
int64
cents_round_quotient_numeric(Numeric num, Numeric den, CentsRounding mode)
{
	Numeric		quotient;
	Numeric		remainder;
	Numeric		twice_remainder;
	int			cmp;
	bool		odd;

	check_finite(num);
	check_finite(den);
	quotient = numeric_op(numeric_div_trunc, num, den);	/* raises 22012 */
	remainder = numeric_op(numeric_sub, num, numeric_op(numeric_mul, quotient, den));
	if (numeric_compare(remainder, int64_to_numeric(0)) == 0)
		return integral_numeric_to_int64(quotient);

	twice_remainder = numeric_op(numeric_add, remainder, remainder);
	cmp = numeric_compare(DatumGetNumeric(DirectFunctionCall1(numeric_abs, NumericGetDatum(twice_remainder))),
						  DatumGetNumeric(DirectFunctionCall1(numeric_abs, NumericGetDatum(den))));
	odd = numeric_compare(numeric_op(numeric_mod, quotient, int64_to_numeric(2)),
						  int64_to_numeric(0)) != 0;
	if (round_away(cmp, odd, mode))
	{
		bool		negative = (numeric_compare(num, int64_to_numeric(0)) < 0) !=
			(numeric_compare(den, int64_to_numeric(0)) < 0);

		quotient = numeric_op(numeric_add, quotient, int64_to_numeric(negative ? -1 : 1));
	}
	return integral_numeric_to_int64(quotient);
}

Cents
cents_mul_numeric(Cents a, Numeric factor, CentsRounding mode)
{
	check_finite(factor);
	return cents_round_quotient_numeric(numeric_op(numeric_mul, int64_to_numeric(a), factor),
										int64_to_numeric(1), mode);
}

Cents
cents_div_numeric(Cents a, Numeric divisor, CentsRounding mode)
{
	return cents_round_quotient_numeric(int64_to_numeric(a), divisor, mode);
}

Numeric
cents_to_major_numeric(Cents a)
{
	return int64_div_fast_to_numeric(a, 2);
}

char *
cents_to_cstring(Cents a)
{
	char	   *buf = palloc(CENTS_FORMAT_BUFSIZE);

	cents_format(a, buf);
	return buf;
}

/* Text input: major units, at most two decimals, never the locale. */
PG_FUNCTION_INFO_V1(cents_in);
Datum
cents_in(PG_FUNCTION_ARGS)
{
	char	   *text = PG_GETARG_CSTRING(0);
	int64_t		value = 0;

	switch (cents_parse(text, &value))
	{
		case CENTS_PARSE_OK:
			break;
		case CENTS_PARSE_SYNTAX:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type cents: \"%s\"", text),
					 errdetail("A cents value is an optional sign, digits and at most two decimals, such as \"-1234.56\".")));
			break;
		case CENTS_PARSE_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value \"%s\" is out of range for type cents", text)));
			break;
	}
	PG_RETURN_CENTS(value);
}

/* Text output: "-1234.56", always two decimals, no symbol, no grouping. */
PG_FUNCTION_INFO_V1(cents_out);
Datum
cents_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(cents_to_cstring(PG_GETARG_CENTS(0)));
}

/* Binary input: a big-endian int64 of minor units; every int64 is a valid amount. */
PG_FUNCTION_INFO_V1(cents_recv);
Datum
cents_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);

	if (buf->len - buf->cursor != (int) sizeof(int64))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary data for type cents"),
				 errdetail("Expected %d bytes, got %d.", (int) sizeof(int64), buf->len - buf->cursor)));
	PG_RETURN_CENTS(pq_getmsgint64(buf));
}

/* Binary output: a big-endian int64 of minor units. */
PG_FUNCTION_INFO_V1(cents_send);
Datum
cents_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, PG_GETARG_CENTS(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* cents + cents */
PG_FUNCTION_INFO_V1(cents_pl);
Datum
cents_pl(PG_FUNCTION_ARGS)
{
	PG_RETURN_CENTS(cents_add(PG_GETARG_CENTS(0), PG_GETARG_CENTS(1)));
}

/* cents - cents */
PG_FUNCTION_INFO_V1(cents_mi);
Datum
cents_mi(PG_FUNCTION_ARGS)
{
	PG_RETURN_CENTS(cents_sub(PG_GETARG_CENTS(0), PG_GETARG_CENTS(1)));
}

/* -cents */
PG_FUNCTION_INFO_V1(cents_um);
Datum
cents_um(PG_FUNCTION_ARGS)
{
	PG_RETURN_CENTS(cents_sub(0, PG_GETARG_CENTS(0)));
}

/* abs(cents) */
PG_FUNCTION_INFO_V1(cents_abs);
Datum
cents_abs(PG_FUNCTION_ARGS)
{
	Cents		a = PG_GETARG_CENTS(0);

	PG_RETURN_CENTS(a < 0 ? cents_sub(0, a) : a);
}

/* cents * bigint (integer arguments arrive widened by the SQL wrapper) */
PG_FUNCTION_INFO_V1(cents_mul_int8);
Datum
cents_mul_int8(PG_FUNCTION_ARGS)
{
	PG_RETURN_CENTS(cents_mul_int(PG_GETARG_CENTS(0), PG_GETARG_INT64(1)));
}

/* cents * integer */
PG_FUNCTION_INFO_V1(cents_mul_int4);
Datum
cents_mul_int4(PG_FUNCTION_ARGS)
{
	PG_RETURN_CENTS(cents_mul_int(PG_GETARG_CENTS(0), PG_GETARG_INT32(1)));
}

/* integer * cents */
PG_FUNCTION_INFO_V1(int4_mul_cents);
Datum
int4_mul_cents(PG_FUNCTION_ARGS)
{
	PG_RETURN_CENTS(cents_mul_int(PG_GETARG_CENTS(1), PG_GETARG_INT32(0)));
}

/* bigint * cents */
PG_FUNCTION_INFO_V1(int8_mul_cents);
Datum
int8_mul_cents(PG_FUNCTION_ARGS)
{
	PG_RETURN_CENTS(cents_mul_int(PG_GETARG_CENTS(1), PG_GETARG_INT64(0)));
}

/* cents / bigint, rounded half away from zero */
PG_FUNCTION_INFO_V1(cents_div_int8);
Datum
cents_div_int8(PG_FUNCTION_ARGS)
{
	PG_RETURN_CENTS(cents_round_quotient_int(PG_GETARG_CENTS(0), PG_GETARG_INT64(1),
											 CENTS_ROUND_HALF_AWAY_FROM_ZERO));
}

/* cents / integer, rounded half away from zero */
PG_FUNCTION_INFO_V1(cents_div_int4);
Datum
cents_div_int4(PG_FUNCTION_ARGS)
{
	PG_RETURN_CENTS(cents_round_quotient_int(PG_GETARG_CENTS(0), PG_GETARG_INT32(1),
											 CENTS_ROUND_HALF_AWAY_FROM_ZERO));
}

/* cents * numeric, rounded half away from zero */
PG_FUNCTION_INFO_V1(cents_mul_num);
Datum
cents_mul_num(PG_FUNCTION_ARGS)
{
	PG_RETURN_CENTS(cents_mul_numeric(PG_GETARG_CENTS(0), PG_GETARG_NUMERIC(1),
									  CENTS_ROUND_HALF_AWAY_FROM_ZERO));
}

/* numeric * cents, rounded half away from zero */
PG_FUNCTION_INFO_V1(num_mul_cents);
Datum
num_mul_cents(PG_FUNCTION_ARGS)
{
	PG_RETURN_CENTS(cents_mul_numeric(PG_GETARG_CENTS(1), PG_GETARG_NUMERIC(0),
									  CENTS_ROUND_HALF_AWAY_FROM_ZERO));
}

/* cents / numeric, rounded half away from zero */
PG_FUNCTION_INFO_V1(cents_div_num);
Datum
cents_div_num(PG_FUNCTION_ARGS)
{
	PG_RETURN_CENTS(cents_div_numeric(PG_GETARG_CENTS(0), PG_GETARG_NUMERIC(1),
									  CENTS_ROUND_HALF_AWAY_FROM_ZERO));
}

/* cents_mul(cents, numeric, rounding): multiplication with a chosen rounding */
PG_FUNCTION_INFO_V1(cents_mul_rounded);
Datum
cents_mul_rounded(PG_FUNCTION_ARGS)
{
	PG_RETURN_CENTS(cents_mul_numeric(PG_GETARG_CENTS(0), PG_GETARG_NUMERIC(1),
									  cents_rounding_from_text(PG_GETARG_TEXT_PP(2))));
}

/* cents_div(cents, numeric, rounding): division with a chosen rounding */
PG_FUNCTION_INFO_V1(cents_div_rounded);
Datum
cents_div_rounded(PG_FUNCTION_ARGS)
{
	PG_RETURN_CENTS(cents_div_numeric(PG_GETARG_CENTS(0), PG_GETARG_NUMERIC(1),
									  cents_rounding_from_text(PG_GETARG_TEXT_PP(2))));
}

/* cents / cents: a ratio, exact to numeric's division scale */
PG_FUNCTION_INFO_V1(cents_div_cents);
Datum
cents_div_cents(PG_FUNCTION_ARGS)
{
	PG_RETURN_NUMERIC(numeric_op(numeric_div, int64_to_numeric(PG_GETARG_CENTS(0)),
								 int64_to_numeric(PG_GETARG_CENTS(1))));
}

/* cents → numeric in major units */
PG_FUNCTION_INFO_V1(cents_numeric);
Datum
cents_numeric(PG_FUNCTION_ARGS)
{
	PG_RETURN_NUMERIC(cents_to_major_numeric(PG_GETARG_CENTS(0)));
}

/* numeric → cents, refusing fractional cents: nothing is rounded silently */
PG_FUNCTION_INFO_V1(numeric_cents);
Datum
numeric_cents(PG_FUNCTION_ARGS)
{
	Numeric		value = PG_GETARG_NUMERIC(0);
	Numeric		minor;

	check_finite(value);
	minor = numeric_op(numeric_mul, value, int64_to_numeric(100));
	if (numeric_compare(minor, DatumGetNumeric(DirectFunctionCall2(numeric_trunc,
																   NumericGetDatum(minor),
																   Int32GetDatum(0)))) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("numeric value %s has fractional cents",
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(value)))),
				 errhint("Round it explicitly with cents_round().")));
	PG_RETURN_CENTS(integral_numeric_to_int64(minor));
}

/* cents_round(numeric, rounding): major units to whole cents, rounded as asked */
PG_FUNCTION_INFO_V1(cents_round);
Datum
cents_round(PG_FUNCTION_ARGS)
{
	Numeric		value = PG_GETARG_NUMERIC(0);

	check_finite(value);
	PG_RETURN_CENTS(cents_round_quotient_numeric(numeric_op(numeric_mul, value, int64_to_numeric(100)),
												 int64_to_numeric(1),
												 cents_rounding_from_text(PG_GETARG_TEXT_PP(1))));
}

/* cents → json: integer minor units, the shape of the List/Describe APIs */
PG_FUNCTION_INFO_V1(cents_json);
Datum
cents_json(PG_FUNCTION_ARGS)
{
	char		buf[MAXINT8LEN + 1];

	pg_lltoa(PG_GETARG_CENTS(0), buf);
	PG_RETURN_TEXT_P(cstring_to_text(buf));
}
