/*
 * numbering.c
 *		Invoice ids and gapless invoice numbers.
 *
 * Numbers are SERIES/YYyy/NNNNNN (e.g. INV/2425/000001): consecutive per
 * series and Indian financial year (1 April – 31 March, taken in UTC), at
 * most 16 characters as Rule 46 allows.
 *
 * The counter row is locked at the first number a statement takes from it
 * and written back once when the statement ends (invoice_flush_numbers, from
 * the statement trigger on invoices): concurrent issuers queue on the row
 * lock and a rollback takes the numbers back, so there are no gaps and no
 * duplicates.  Updating the row once per number instead would leave a chain
 * of row versions that every later update in the same transaction walks, and
 * issuing n invoices in one statement would cost O(n²).
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "invoice.h"
#include "port.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#define INVOICE_NUMBER_MAX 16
#define INVOICE_ID_RANDOM_CHARS 17
#define SERIES_NAME_MAX 4

/* Counters taken by the current statement, not yet written back. */
typedef struct SeriesCounter
{
	char		series[SERIES_NAME_MAX + 1];
	int			fiscal_year;
	int64		last_value;
	SubTransactionId subxact;	/* holds the row lock the value was read under */
} SeriesCounter;

static SeriesCounter *counters = NULL;
static int	ncounters = 0;
static int	maxcounters = 0;
static bool callbacks_registered = false;

/*
 * A failed statement's numbers are void: forget them, the database row still
 * holds the truth.  Committing numbers that were never written back would
 * hand them out again, so that is refused.
 */
static void
forget_counters_on_abort(XactEvent event, void *arg)
{
	if ((event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PRE_PREPARE) && ncounters > 0)
	{
		ncounters = 0;
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_NUMBERING),
				 errmsg("invoice numbers were assigned but their series was not updated"),
				 errhint("Are the triggers on invoice.invoices disabled?")));
	}
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		ncounters = 0;
}

/*
 * A counter taken in a subtransaction that aborts lost its row lock and its
 * numbers; one taken in a subtransaction that commits now belongs to the
 * parent.  Subtransactions that come and go meanwhile (an exception block in
 * a function the statement calls) leave it alone.
 */
static void
forget_counters_on_subabort(SubXactEvent event, SubTransactionId mySubid,
							SubTransactionId parentSubid, void *arg)
{
	int			kept = 0;

	if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		for (int i = 0; i < ncounters; i++)
			if (counters[i].subxact == mySubid)
				counters[i].subxact = parentSubid;
	}
	else if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		for (int i = 0; i < ncounters; i++)
			if (counters[i].subxact != mySubid)
				counters[kept++] = counters[i];
		ncounters = kept;
	}
}

int
invoice_fiscal_year(TimestampTz when)
{
	struct pg_tm tm;
	fsec_t		fsec;

	/* without a time zone, timestamp2tm breaks the instant down in UTC */
	if (timestamp2tm(when, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("invoice date out of range")));
	return tm.tm_mon >= 4 ? tm.tm_year : tm.tm_year - 1;
}

/* Lock the counter row (creating it at 0) and return the last number used. */
static int64
lock_counter(const char *series, int fiscal_year)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {TEXTOID, INT4OID};
	Datum		values[2] = {CStringGetTextDatum(series), Int32GetDatum(fiscal_year)};
	bool		isnull;

	invoice_prepare(&plan,
					"INSERT INTO invoice.number_series AS s (series, fiscal_year, last_value)"
					" VALUES ($1, $2, 0)"
					" ON CONFLICT (series, fiscal_year) DO UPDATE SET last_value = s.last_value"
					" RETURNING s.last_value",
					2, argtypes);
	if (SPI_execute_plan(plan, values, NULL, false, 0) != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		elog(ERROR, "invoice number series lock failed");
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

static SeriesCounter *
counter_for(const char *series, int fiscal_year)
{
	SeriesCounter *counter;

	for (int i = 0; i < ncounters; i++)
		if (counters[i].fiscal_year == fiscal_year && strcmp(counters[i].series, series) == 0)
			return &counters[i];

	if (!callbacks_registered)
	{
		RegisterXactCallback(forget_counters_on_abort, NULL);
		RegisterSubXactCallback(forget_counters_on_subabort, NULL);
		callbacks_registered = true;
	}
	if (ncounters == maxcounters)
	{
		maxcounters = maxcounters == 0 ? 4 : maxcounters * 2;
		counters = counters == NULL
			? MemoryContextAlloc(TopMemoryContext, maxcounters * sizeof(SeriesCounter))
			: repalloc(counters, maxcounters * sizeof(SeriesCounter));
	}
	if (strlen(series) > SERIES_NAME_MAX)
		elog(ERROR, "invoice series \"%s\" is longer than %d characters", series, SERIES_NAME_MAX);
	counter = &counters[ncounters];
	strlcpy(counter->series, series, sizeof(counter->series));
	counter->fiscal_year = fiscal_year;
	counter->last_value = lock_counter(series, fiscal_year);
	counter->subxact = GetCurrentSubTransactionId();
	ncounters++;
	return counter;
}

int
invoice_fiscal_year_of_date(DateADT date)
{
	int			year;
	int			month;
	int			day;

	j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	return month >= 4 ? year : year - 1;
}

/*
 * On Citus the number of an invoice is taken on the coordinator, where the
 * series live (a reference table), by invoice_issue; the node that issues the
 * invoice then takes it from here instead of a counter.
 */
static char *given_number = NULL;

/* A given number is for the one statement that issues: gone when it ends, however it ends. */
static void
forget_given_number(XactEvent event, void *arg)
{
	given_number = NULL;		/* its memory goes with the transaction */
}

static void
forget_given_number_on_subabort(SubXactEvent event, SubTransactionId mySubid,
								SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		given_number = NULL;
}

void
invoice_give_number(const char *number)
{
	static bool callback_registered = false;

	if (!callback_registered)
	{
		RegisterXactCallback(forget_given_number, NULL);
		RegisterSubXactCallback(forget_given_number_on_subabort, NULL);
		callback_registered = true;
	}
	given_number = number != NULL ? MemoryContextStrdup(TopTransactionContext, number) : NULL;
}

char *
invoice_assign_number(const char *series, int fiscal_year)
{
	SeriesCounter *counter;
	char	   *number;
	char	   *prefix = psprintf("%s/%02d%02d/", series, fiscal_year % 100, (fiscal_year + 1) % 100);

	if (given_number != NULL)
	{
		if (strncmp(given_number, prefix, strlen(prefix)) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVOICE_NUMBERING),
					 errmsg("invoice number \"%s\" is not of series %s and financial year %d-%02d",
							given_number, series, fiscal_year, (fiscal_year + 1) % 100)));
		number = pstrdup(given_number);
		invoice_give_number(NULL);
		return number;
	}
	invoice_refuse_on_shard("numbering outside invoice_issue() (issuing by UPDATE, the billing day, top-up receipts, credit notes)");
	counter = counter_for(series, fiscal_year);

	number = psprintf("%s%06lld", prefix, (long long) (counter->last_value + 1));
	if (strlen(number) > INVOICE_NUMBER_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_NUMBERING),
				 errmsg("invoice series \"%s\" has run out of numbers for financial year %d-%02d",
						series, fiscal_year, (fiscal_year + 1) % 100),
				 errdetail("Invoice number \"%s\" would be longer than %d characters.", number, INVOICE_NUMBER_MAX),
				 errhint("Use a shorter series name.")));
	counter->last_value++;
	return number;
}

void
invoice_flush_numbers(void)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[3] = {TEXTOID, INT4OID, INT8OID};

	invoice_prepare(&plan,
					"UPDATE invoice.number_series s SET last_value = $3"
					" WHERE s.series = $1 AND s.fiscal_year = $2",
					3, argtypes);
	for (int i = 0; i < ncounters; i++)
	{
		Datum		values[3] = {CStringGetTextDatum(counters[i].series),
								 Int32GetDatum(counters[i].fiscal_year),
								 Int64GetDatum(counters[i].last_value)};

		if (SPI_execute_plan(plan, values, NULL, false, 0) != SPI_OK_UPDATE || SPI_processed != 1)
			elog(ERROR, "invoice number series update failed");
	}
	ncounters = 0;
}

bool
invoice_numbers_pending(void)
{
	return ncounters > 0;
}

/* new_invoice_id(): "inv-" and 17 random base-36 characters (88 bits) */
PG_FUNCTION_INFO_V1(invoice_new_id);
Datum
invoice_new_id(PG_FUNCTION_ARGS)
{
	static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	char		id[4 + INVOICE_ID_RANDOM_CHARS + 1] = "inv-";
	int			filled = 0;

	while (filled < INVOICE_ID_RANDOM_CHARS)
	{
		uint8		bytes[32];

		if (!pg_strong_random(bytes, sizeof(bytes)))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("could not generate a random invoice id")));
		/* reject bytes past the last multiple of 36 so every character is equally likely */
		for (int i = 0; i < (int) sizeof(bytes) && filled < INVOICE_ID_RANDOM_CHARS; i++)
			if (bytes[i] < 252)
				id[4 + filled++] = alphabet[bytes[i] % 36];
	}
	id[4 + INVOICE_ID_RANDOM_CHARS] = '\0';
	PG_RETURN_TEXT_P(cstring_to_text(id));
}
