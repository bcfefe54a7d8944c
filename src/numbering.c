/*
 * numbering.c
 *		Invoice ids and gapless invoice numbers.
 *
 * Numbers are SERIES/YYyy/NNNNNN (e.g. INV/2425/000001): consecutive per
 * series and Indian financial year (1 April – 31 March, taken in UTC), at
 * most 16 characters as Rule 46 allows.  The counter row is updated in the
 * issuing transaction, so concurrent issuers queue on its row lock and a
 * rollback takes its number back: no gaps, no duplicates.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "invoice.h"
#include "port.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#define INVOICE_NUMBER_MAX 16
#define INVOICE_ID_RANDOM_CHARS 17

static int
fiscal_year_of(TimestampTz when)
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

char *
invoice_assign_number(const char *series, TimestampTz invoice_date)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {TEXTOID, INT4OID};
	Datum		values[2];
	int			fiscal_year = fiscal_year_of(invoice_date);
	bool		isnull;
	int64		sequence;
	char	   *number;

	invoice_prepare(&plan,
					"INSERT INTO invoice.number_series AS s (series, fiscal_year, last_value)"
					" VALUES ($1, $2, 1)"
					" ON CONFLICT (series, fiscal_year) DO UPDATE SET last_value = s.last_value + 1"
					" RETURNING s.last_value",
					2, argtypes);
	values[0] = CStringGetTextDatum(series);
	values[1] = Int32GetDatum(fiscal_year);
	if (SPI_execute_plan(plan, values, NULL, false, 0) != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		elog(ERROR, "invoice number assignment failed");
	sequence = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));

	number = psprintf("%s/%02d%02d/%06lld", series, fiscal_year % 100, (fiscal_year + 1) % 100,
					  (long long) sequence);
	if (strlen(number) > INVOICE_NUMBER_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_NUMBERING),
				 errmsg("invoice series \"%s\" has run out of numbers for financial year %d-%02d",
						series, fiscal_year, (fiscal_year + 1) % 100),
				 errdetail("Invoice number \"%s\" would be longer than %d characters.", number, INVOICE_NUMBER_MAX),
				 errhint("Use a shorter series name.")));
	return number;
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
