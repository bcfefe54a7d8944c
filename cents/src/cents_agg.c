/*
 * cents_agg.c
 *		sum() and avg() over cents.
 *
 * Both share one transition state, an exact int128 running sum and a count
 * of non-NULL inputs: intermediate totals never overflow whatever the order
 * (so a parallel plan and a serial one agree), the inverse transition for
 * window frames is exact, and an all-NULL frame is recognised (count 0).
 * Only the final value must fit in int64.
 */
#include "postgres.h"

#include "cents.h"
#include "libpq/pqformat.h"

#ifndef HAVE_INT128
#error "cents aggregates need a 128-bit integer type"
#endif

typedef struct CentsAggState
{
	int128		sum;
	int64		count;
} CentsAggState;

static MemoryContext
aggregate_context(FunctionCallInfo fcinfo, const char *caller)
{
	MemoryContext context;

	if (!AggCheckCallContext(fcinfo, &context))
		elog(ERROR, "%s called in non-aggregate context", caller);
	return context;
}

/* The aggregate context is looked up only to create the state: not once per row. */
static CentsAggState *
state_or_new(FunctionCallInfo fcinfo, const char *caller)
{
	if (!PG_ARGISNULL(0))
		return (CentsAggState *) PG_GETARG_POINTER(0);
	return (CentsAggState *) MemoryContextAllocZero(aggregate_context(fcinfo, caller),
													sizeof(CentsAggState));
}

/*
 * The state is created even for a NULL first input: moving-aggregate mode
 * requires a non-NULL state once any row has been seen.
 */
PG_FUNCTION_INFO_V1(cents_agg_accum);
Datum
cents_agg_accum(PG_FUNCTION_ARGS)
{
	CentsAggState *state = state_or_new(fcinfo, "cents_agg_accum");

	if (!PG_ARGISNULL(1))
	{
		state->sum += PG_GETARG_CENTS(1);
		state->count++;
	}
	PG_RETURN_POINTER(state);
}

/* Inverse transition for window frames: removes a value added earlier. */
PG_FUNCTION_INFO_V1(cents_agg_accum_inv);
Datum
cents_agg_accum_inv(PG_FUNCTION_ARGS)
{
	CentsAggState *state = state_or_new(fcinfo, "cents_agg_accum_inv");

	if (!PG_ARGISNULL(1))
	{
		state->sum -= PG_GETARG_CENTS(1);
		state->count--;
	}
	PG_RETURN_POINTER(state);
}

/* Combines two partial states of a parallel aggregate. */
PG_FUNCTION_INFO_V1(cents_agg_combine);
Datum
cents_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext context = aggregate_context(fcinfo, "cents_agg_combine");
	CentsAggState *state;
	CentsAggState *other;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	other = (CentsAggState *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
	{
		state = (CentsAggState *) MemoryContextAlloc(context, sizeof(CentsAggState));
		*state = *other;
		PG_RETURN_POINTER(state);
	}
	state = (CentsAggState *) PG_GETARG_POINTER(0);
	state->sum += other->sum;
	state->count += other->count;
	PG_RETURN_POINTER(state);
}

/* Serializes a partial state for a parallel worker: high, low, count. */
PG_FUNCTION_INFO_V1(cents_agg_serialize);
Datum
cents_agg_serialize(PG_FUNCTION_ARGS)
{
	CentsAggState *state = (CentsAggState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	aggregate_context(fcinfo, "cents_agg_serialize");
	pq_begintypsend(&buf);
	pq_sendint64(&buf, (int64) (state->sum >> 64));
	pq_sendint64(&buf, (int64) (uint64) state->sum);
	pq_sendint64(&buf, state->count);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Reads back what cents_agg_serialize wrote. */
PG_FUNCTION_INFO_V1(cents_agg_deserialize);
Datum
cents_agg_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	MemoryContext context = aggregate_context(fcinfo, "cents_agg_deserialize");
	CentsAggState *state = MemoryContextAlloc(context, sizeof(CentsAggState));
	StringInfoData buf;
	int64		high;
	uint64		low;

	buf.data = VARDATA_ANY(bytes);
	buf.len = VARSIZE_ANY_EXHDR(bytes);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	high = pq_getmsgint64(&buf);
	low = (uint64) pq_getmsgint64(&buf);
	state->sum = ((int128) high << 64) | (int128) low;
	state->count = pq_getmsgint64(&buf);
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(state);
}

static CentsAggState *
final_state(FunctionCallInfo fcinfo)
{
	CentsAggState *state = PG_ARGISNULL(0) ? NULL : (CentsAggState *) PG_GETARG_POINTER(0);

	return (state == NULL || state->count == 0) ? NULL : state;
}

/* sum(cents): the exact total, which must itself fit (22003 otherwise). */
PG_FUNCTION_INFO_V1(cents_sum_final);
Datum
cents_sum_final(PG_FUNCTION_ARGS)
{
	CentsAggState *state = final_state(fcinfo);

	if (state == NULL)
		PG_RETURN_NULL();
	if (state->sum < PG_INT64_MIN || state->sum > PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cents out of range"),
				 errdetail("The sum of %lld values does not fit in cents.", (long long) state->count)));
	PG_RETURN_CENTS((Cents) state->sum);
}

/* avg(cents): the mean rounded half away from zero to whole cents. */
PG_FUNCTION_INFO_V1(cents_avg_final);
Datum
cents_avg_final(PG_FUNCTION_ARGS)
{
	CentsAggState *state = final_state(fcinfo);
	int128		quotient;
	int128		remainder;

	if (state == NULL)
		PG_RETURN_NULL();
	quotient = state->sum / state->count;
	remainder = state->sum % state->count;
	if (remainder < 0)
		remainder = -remainder;
	/* a mean lies between the smallest and largest input, so it fits */
	if (2 * remainder >= state->count)
		quotient += state->sum < 0 ? -1 : 1;
	PG_RETURN_CENTS((Cents) quotient);
}
