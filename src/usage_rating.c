/*
 * usage_rating.c
 *		The price book's charge models: per unit, graduated tiers, volume
 *		tiers, package, each after a free allowance (README "Charge models").
 *
 * Everything is exact numeric: rates carry as many decimals as the price
 * book gives (0.000463 per GB-hour), and the charge comes back unrounded;
 * invoice_generate rounds only the line's amount, once.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "invoice.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

typedef enum ChargeModel
{
	MODEL_PER_UNIT,
	MODEL_GRADUATED,
	MODEL_VOLUME,
	MODEL_PACKAGE
} ChargeModel;

/* A price, its arrays deconstructed: tier up_to NULL is the open last tier, flat NULL is none. */
typedef struct Price
{
	ChargeModel model;
	Numeric		rate;
	Numeric		package_size;
	Numeric		free_units;
	int			ntiers;
	Datum	   *up_to;
	bool	   *up_to_null;
	Datum	   *tier_rate;
	bool	   *tier_rate_null;
	Datum	   *tier_flat;			/* NULL: no flat fees */
	bool	   *tier_flat_null;
} Price;

static void
price_error(const char *message)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid price: %s", message),
			 errhint("See README \"Charge models\".")));
}

static int
num_cmp(Datum a, Datum b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b));
}

static Datum
num_zero(void)
{
	return NumericGetDatum(int64_to_numeric(0));
}

/* A finite, non-negative number (NULL passes: the caller decides whether it may be NULL). */
static void
check_amount(Numeric value, const char *what)
{
	if (value == NULL)
		return;
	if (numeric_is_nan(value) || numeric_is_inf(value))
		price_error(psprintf("%s must be a finite number", what));
	if (num_cmp(NumericGetDatum(value), num_zero()) < 0)
		price_error(psprintf("%s must not be negative", what));
}

static int
deconstruct(ArrayType *array, Datum **values, bool **nulls, const char *what)
{
	int			n;

	if (ARR_NDIM(array) > 1)
		price_error(psprintf("%s must be a one-dimensional array", what));
	deconstruct_array(array, NUMERICOID, -1, false, TYPALIGN_INT, values, nulls, &n);
	return n;
}

/* Read and check the price of arguments first .. first+6 (model, rate, package_size, free_units, up_to[], rates[], flats[]). */
static void
read_price(FunctionCallInfo fcinfo, int first, Price *price)
{
	char	   *model;
	int			n;

	memset(price, 0, sizeof(Price));
	if (PG_ARGISNULL(first))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("charge model must not be null")));
	model = text_to_cstring(PG_GETARG_TEXT_PP(first));
	if (strcmp(model, "per_unit") == 0)
		price->model = MODEL_PER_UNIT;
	else if (strcmp(model, "graduated") == 0)
		price->model = MODEL_GRADUATED;
	else if (strcmp(model, "volume") == 0)
		price->model = MODEL_VOLUME;
	else if (strcmp(model, "package") == 0)
		price->model = MODEL_PACKAGE;
	else
		price_error(psprintf("unknown charge model \"%s\" (per_unit, graduated, volume or package)", model));
	price->rate = PG_ARGISNULL(first + 1) ? NULL : PG_GETARG_NUMERIC(first + 1);
	price->package_size = PG_ARGISNULL(first + 2) ? NULL : PG_GETARG_NUMERIC(first + 2);
	if (PG_ARGISNULL(first + 3))
		price_error("free_units must not be null (0: no free allowance)");
	price->free_units = PG_GETARG_NUMERIC(first + 3);
	check_amount(price->rate, "rate");
	check_amount(price->package_size, "package_size");
	check_amount(price->free_units, "free_units");

	if (price->model == MODEL_PER_UNIT || price->model == MODEL_PACKAGE)
	{
		if (price->rate == NULL)
			price_error(psprintf("a %s price needs a rate", model));
		if (!PG_ARGISNULL(first + 4) || !PG_ARGISNULL(first + 5) || !PG_ARGISNULL(first + 6))
			price_error(psprintf("a %s price has no tiers", model));
		if (price->model == MODEL_PACKAGE &&
			(price->package_size == NULL || num_cmp(NumericGetDatum(price->package_size), num_zero()) <= 0))
			price_error("a package price needs a package_size above 0");
		if (price->model == MODEL_PER_UNIT && price->package_size != NULL)
			price_error("a per_unit price has no package_size");
		return;
	}

	/* tiered */
	if (price->rate != NULL || price->package_size != NULL)
		price_error(psprintf("a %s price has tiers, not a rate or package_size", model));
	if (PG_ARGISNULL(first + 4) || PG_ARGISNULL(first + 5))
		price_error(psprintf("a %s price needs tier_up_to and tier_rate", model));
	price->ntiers = deconstruct(PG_GETARG_ARRAYTYPE_P(first + 4), &price->up_to, &price->up_to_null, "tier_up_to");
	n = deconstruct(PG_GETARG_ARRAYTYPE_P(first + 5), &price->tier_rate, &price->tier_rate_null, "tier_rate");
	if (price->ntiers == 0)
		price_error("a tiered price needs at least one tier");
	if (n != price->ntiers)
		price_error("tier_up_to and tier_rate must have one element per tier");
	if (!PG_ARGISNULL(first + 6))
	{
		n = deconstruct(PG_GETARG_ARRAYTYPE_P(first + 6), &price->tier_flat, &price->tier_flat_null, "tier_flat");
		if (n != price->ntiers)
			price_error("tier_flat must have one element per tier");
	}
	for (int i = 0; i < price->ntiers; i++)
	{
		bool		last = i == price->ntiers - 1;

		if (price->up_to_null[i] != last)
			price_error("every tier but the last needs an up_to, and the last has none (it is open-ended)");
		if (!last)
		{
			check_amount(DatumGetNumeric(price->up_to[i]), "tier_up_to");
			if (num_cmp(price->up_to[i], i == 0 ? num_zero() : price->up_to[i - 1]) <= 0)
				price_error("tier_up_to must be above 0 and increasing");
		}
		if (price->tier_rate_null[i])
			price_error("every tier needs a rate");
		check_amount(DatumGetNumeric(price->tier_rate[i]), "tier_rate");
		if (price->tier_flat != NULL && !price->tier_flat_null[i])
			check_amount(DatumGetNumeric(price->tier_flat[i]), "tier_flat");
	}
}

static Datum
tier_flat(Price *price, int i)
{
	if (price->tier_flat == NULL || price->tier_flat_null[i])
		return num_zero();
	return price->tier_flat[i];
}

/*
 * The charge of billable units (the quantity after the free allowance).
 * Tier bounds are inclusive (up_to 1000: the 1000th unit is in that tier),
 * as Stripe's and Lago's are.  Nothing billable, nothing charged: neither
 * flat fees nor a started package.
 */
static Datum
price_charge(Price *price, Datum billable)
{
	Datum		total = num_zero();
	Datum		below = num_zero();

	if (num_cmp(billable, num_zero()) <= 0)
		return num_zero();
	switch (price->model)
	{
		case MODEL_PER_UNIT:
			return DirectFunctionCall2(numeric_mul, billable, NumericGetDatum(price->rate));
		case MODEL_PACKAGE:
			{
				Datum		packages = DirectFunctionCall1(numeric_ceil,
														   DirectFunctionCall2(numeric_div, billable,
																			   NumericGetDatum(price->package_size)));

				return DirectFunctionCall2(numeric_mul, packages, NumericGetDatum(price->rate));
			}
		case MODEL_VOLUME:
			for (int i = 0; i < price->ntiers; i++)
				if (price->up_to_null[i] || num_cmp(billable, price->up_to[i]) <= 0)
					return DirectFunctionCall2(numeric_add,
											   DirectFunctionCall2(numeric_mul, billable, price->tier_rate[i]),
											   tier_flat(price, i));
			break;
		case MODEL_GRADUATED:
			for (int i = 0; i < price->ntiers && num_cmp(billable, below) > 0; i++)
			{
				Datum		top = price->up_to_null[i] || num_cmp(billable, price->up_to[i]) < 0
					? billable : price->up_to[i];
				Datum		units = DirectFunctionCall2(numeric_sub, top, below);

				total = DirectFunctionCall2(numeric_add, total,
											DirectFunctionCall2(numeric_mul, units, price->tier_rate[i]));
				total = DirectFunctionCall2(numeric_add, total, tier_flat(price, i));
				below = top;
			}
			return total;
	}
	elog(ERROR, "unreachable charge model");
	return (Datum) 0;
}

/* usage_price_valid(model, rate, package_size, free_units, tier_up_to, tier_rate, tier_flat): the prices' CHECK */
PG_FUNCTION_INFO_V1(usage_price_valid);
Datum
usage_price_valid(PG_FUNCTION_ARGS)
{
	Price		price;

	read_price(fcinfo, 0, &price);
	PG_RETURN_BOOL(true);
}

/* usage_charge(model, quantity, rate, package_size, free_units, tier_up_to, tier_rate, tier_flat): exact charge */
PG_FUNCTION_INFO_V1(usage_charge);
Datum
usage_charge(PG_FUNCTION_ARGS)
{
	Price		price;
	Numeric		quantity;
	Datum		billable;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("quantity must not be null")));
	quantity = PG_GETARG_NUMERIC(1);
	if (numeric_is_nan(quantity) || numeric_is_inf(quantity) ||
		num_cmp(NumericGetDatum(quantity), num_zero()) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("quantity must be a finite number, not negative")));
	/* the price's arguments follow the quantity: shift them by building a view of fcinfo */
	{
		LOCAL_FCINFO(args, 7);

		InitFunctionCallInfoData(*args, fcinfo->flinfo, 7, fcinfo->fncollation, NULL, NULL);
		args->args[0] = fcinfo->args[0];
		for (int i = 1; i < 7; i++)
			args->args[i] = fcinfo->args[i + 1];
		read_price(args, 0, &price);
	}
	billable = DirectFunctionCall2(numeric_sub, NumericGetDatum(quantity), NumericGetDatum(price.free_units));
	PG_RETURN_DATUM(price_charge(&price, billable));
}
