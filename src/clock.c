/*
 * clock.c
 *		The extension's one clock: every decision about "now" (invoice and due
 *		dates at issue, issued_at, paid_at, receipts, the financial year of a
 *		number, the overdue sweep's default instant, grace periods and
 *		reminder days, the credit-note date and its section 34 deadline, the
 *		background worker's sweeps, timestamps written by the extension) reads
 *		invoice_clock_now().
 *
 * By default the clock is the transaction's start time, as now() is.  The
 * superuser-only setting invoice.test_clock stops it at a chosen instant —
 * per session (SET), per transaction (SET LOCAL), or for the background
 * worker (ALTER SYSTEM) — so that a month of billing, dunning and
 * corrections can be run in seconds, like Stripe's test clocks.  It is for
 * tests: no production setting should ever carry it.
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "invoice.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

static char *test_clock_setting = NULL;

/* The instant the setting names; valid only while test_clock_set. */
static TimestampTz test_clock_instant;
static bool test_clock_set = false;

/* Outside a transaction (the background worker between its transactions), the current time. */
TimestampTz
invoice_clock_now(void)
{
	if (test_clock_set)
		return test_clock_instant;
	return IsTransactionState() ? GetCurrentTransactionStartTimestamp() : GetCurrentTimestamp();
}

/* Words that make a timestamp relative to the real clock, or not an instant. */
static const char *const special_words[] = {
	"now", "today", "tomorrow", "yesterday", "epoch", "infinity", "allballs"
};

/* Does haystack contain needle, ignoring ASCII case? */
static bool
contains_word_ci(const char *haystack, const char *needle)
{
	size_t		n = strlen(needle);

	for (; *haystack; haystack++)
		if (pg_strncasecmp(haystack, needle, n) == 0)
			return true;
	return false;
}

/* The clock's date in the session's TimeZone: what current_date is to now(). */
DateADT
invoice_clock_today(void)
{
	return DatumGetDateADT(DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(invoice_clock_now())));
}

/*
 * Parse a timestamp with time zone without raising an error (a check hook
 * must not), as timestamptz_in does: a value without a zone is read in the
 * session's TimeZone.  Special values (now, infinity, epoch…) are refused: a
 * test clock names one finite instant.
 */
static bool
parse_instant(const char *text, TimestampTz *result)
{
	char		workbuf[MAXDATELEN + MAXDATEFIELDS];
	char	   *field[MAXDATEFIELDS];
	int			ftype[MAXDATEFIELDS];
	int			nf;
	int			dtype;
	struct pg_tm tt;
	fsec_t		fsec;
	int			tz;

	if (strlen(text) >= MAXDATELEN)
		return false;
	if (ParseDateTime(text, workbuf, sizeof(workbuf), field, ftype, MAXDATEFIELDS, &nf) != 0)
		return false;
	if (DecodeDateTime(field, ftype, nf, &dtype, &tt, &fsec, &tz) != 0 || dtype != DTK_DATE)
		return false;
	for (size_t i = 0; i < lengthof(special_words); i++)
		if (contains_word_ci(text, special_words[i]))
			return false;
	if (tm2timestamp(&tt, fsec, &tz, result) != 0 || !IS_VALID_TIMESTAMP(*result))
		return false;
	return true;
}

static bool
check_test_clock(char **newval, void **extra, GucSource source)
{
	TimestampTz *instant;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;			/* off: the transaction's start time */
	instant = malloc(sizeof(TimestampTz));	/* guc.c frees extra with free() */
	if (instant == NULL)
		return false;
	if (!parse_instant(*newval, instant))
	{
		free(instant);
		GUC_check_errcode(ERRCODE_INVALID_DATETIME_FORMAT);
		GUC_check_errmsg("invalid value for invoice.test_clock: \"%s\"", *newval);
		GUC_check_errdetail("The test clock is one finite timestamp with time zone, such as '2027-04-01 00:00:00+00', or empty (off).");
		return false;
	}
	*extra = instant;
	return true;
}

static void
assign_test_clock(const char *newval, void *extra)
{
	test_clock_set = extra != NULL;
	if (extra != NULL)
		test_clock_instant = *(TimestampTz *) extra;
}

void
invoice_clock_init(void)
{
	DefineCustomStringVariable("invoice.test_clock",
							   "Stops the invoice extension's clock at this instant (for tests; superusers only).",
							   "Empty (the default): the clock is the transaction's start time, as now().",
							   &test_clock_setting, "",
							   PGC_SUSET, 0, check_test_clock, assign_test_clock, NULL);
}

/* invoice.clock(): what the extension takes for "now". */
PG_FUNCTION_INFO_V1(invoice_clock);
Datum
invoice_clock(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMPTZ(invoice_clock_now());
}
