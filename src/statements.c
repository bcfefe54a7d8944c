/*
 * statements.c
 *		Statements of account: an organisation's documents in one currency, in
 *		the order they took effect, with the running balance — as JSON
 *		(statement), and as a PDF in the invoices' style (statement_pdf, a
 *		builder of pdf.c's document model).
 *
 * The balance is what the organisation owes minus its prepaid (advance)
 * balance: an issued invoice debits its total; payments, credit notes (the
 * part that came off the invoice), top-ups, credits to the prepaid balance
 * and cancellations (what the invoice still owed) credit it.  Advance applied
 * at issue moves money from the prepaid balance to the invoice: it changes
 * nothing when both are in the statement's currency (a memo line), and is a
 * credit of the invoice's currency and a debit of the prepaid currency when
 * they differ.  The prepaid balance has no currency in the schema; a
 * statement counts it in the organisation's prepaid currency, that of its
 * first invoice (USD before there is one).  So the closing balance of a
 * period is the next one's opening balance, and in the prepaid currency
 * equals the amounts due less the prepaid balance at that instant (in other
 * currencies, the amounts due): test/pgtap/reports_statement.sql proves both
 * over random histories.
 *
 * The statement is computed on the organisation's node (invoice_call_for_org);
 * this file (its queries and add_entry) is the one definition of its entries.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "invoice.h"
#include "json_write.h"
#include "nodes/params.h"
#include "pdf_doc.h"
#include "reports.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/*
 * The statement is read from the organisation's documents by a few plain
 * key-driven queries with kept generic plans, each reading its table once,
 * and put together here: the organisation's invoices in the currency first
 * (their own entries, their cancellations, and their numbers for the
 * payments, which the currency selects), then its payments, its credit notes
 * and, only when it has a prepaid ledger, its ledger and top-ups.  Each row
 * goes to add_entry as it comes, through a DestReceiver (no tuple is copied
 * out of the executor): an entry before period_from only adds to the opening
 * balance; one in the period is written to JSON at once and ordered later
 * with the others.  Before, one query sorted the entries of seven UNION ALL
 * branches and an aggregate added up the opening balance's twins: the
 * invoices were read four times (test/bench/reports.bench.sql, README
 * "Benchmarks").
 *
 * Every query takes the same parameters: $1 the organisation, [$2, $3) the
 * period, $4 the currency, $5 the prepaid currency (NULL: it has no prepaid
 * ledger).  Every document before $3 is read (the opening balance needs those
 * before $2); the invoices in the currency all, for their payments' numbers.
 */
#define STATEMENT_NPARAMS 5
static Oid	statement_param_types[STATEMENT_NPARAMS] = {TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, TEXTOID};

/*
 * The organisation's invoices in the currency, drafts too: a payment's or a
 * credit note's invoice is one of them or the document is in another
 * currency.
 */
#define STATEMENT_INVOICES_SQL \
	"SELECT i.id, i.number, i.issued_at, i.invoice_date, i.due_date, i.description, i.total," \
	"       i.status = 'cancelled' AS cancelled, i.cancelled_at, i.credited_amount, i.status_reason" \
	"  FROM invoice.invoices i" \
	" WHERE i.org_id = $1 AND i.currency = $4"
enum
{
	INV_ID, INV_NUMBER, INV_ISSUED_AT, INV_DATE, INV_DUE_DATE, INV_DESCRIPTION, INV_TOTAL,
	INV_CANCELLED, INV_CANCELLED_AT, INV_CREDITED, INV_REASON
};

/* The reference only for the period's payments: the others only add to the opening balance. */
#define STATEMENT_PAYMENTS_SQL \
	"SELECT p.invoice_id, p.payment_id, p.paid_at, p.amount," \
	"       CASE WHEN p.paid_at >= $2 THEN p.method::text || ' ' || p.provider_ref END" \
	"  FROM invoice.payments p" \
	" WHERE p.org_id = $1 AND p.paid_at < $3"
enum
{
	PAY_INVOICE_ID, PAY_ID, PAY_PAID_AT, PAY_AMOUNT, PAY_REFERENCE
};

#define STATEMENT_CREDIT_NOTES_SQL \
	"SELECT n.invoice_id, n.credit_note_id, n.number, n.issued_at, n.note_date::timestamp AT TIME ZONE 'UTC'," \
	"       n.reason::text, n.total, n.to_balance" \
	"  FROM invoice.credit_notes n" \
	" WHERE n.org_id = $1 AND n.status = 'issued' AND n.issued_at < $3"
enum
{
	CN_INVOICE_ID, CN_ID, CN_NUMBER, CN_ISSUED_AT, CN_DATE, CN_REASON, CN_TOTAL, CN_TO_BALANCE
};

/*
 * The prepaid ledger's entries and the top-ups, as entries (few; read only for
 * an organisation with a prepaid ledger or top-ups).  Advance applied to an
 * invoice in another currency is a debit of the prepaid currency.
 */
#define STATEMENT_PREPAID_SQL \
	"SELECT a.created_at, 2, 'adv-' || a.entry_id, i.number, a.invoice_id, NULL::timestamptz, NULL::text," \
	"       CASE WHEN i.currency <> $4 THEN - a.amount END," \
	"       CASE WHEN i.currency = $4 AND $4 <> $5 THEN - a.amount END," \
	"       CASE WHEN i.currency = $4 AND $4 = $5 THEN - a.amount END" \
	"  FROM invoice.advance_ledger a JOIN invoice.invoices i ON i.org_id = a.org_id AND i.id = a.invoice_id" \
	" WHERE a.org_id = $1 AND a.kind = 'applied' AND a.created_at < $3 AND (i.currency = $4 OR $4 = $5)" \
	" UNION ALL" \
	" SELECT a.created_at, 5, 'adv-' || a.entry_id, NULL, a.invoice_id, NULL, NULL," \
	"       CASE WHEN a.amount < '0' THEN - a.amount END, CASE WHEN a.amount > '0' THEN a.amount END, NULL" \
	"  FROM invoice.advance_ledger a" \
	" WHERE a.org_id = $1 AND a.kind = 'reversal' AND $4 = $5 AND a.created_at < $3" \
	" UNION ALL" \
	" SELECT r.received_at, 6, 'rct-' || r.receipt_id, r.number, NULL, r.received_at," \
	"       r.method::text || ' ' || r.provider_ref, NULL, r.amount, NULL" \
	"  FROM invoice.receipts r" \
	" WHERE r.org_id = $1 AND $4 = $5 AND r.received_at < $3"
enum
{
	PRE_POSTED_AT, PRE_KIND, PRE_DOCUMENT_ID, PRE_NUMBER, PRE_INVOICE_ID, PRE_DATE, PRE_REFERENCE,
	PRE_DEBIT, PRE_CREDIT, PRE_ADVANCE
};

/* The kinds of entry, numbered in the order entries of one instant take (then by document id). */
typedef enum EntryKind
{
	ENTRY_INVOICE = 1,
	ENTRY_ADVANCE_APPLIED,
	ENTRY_PAYMENT,
	ENTRY_CREDIT_NOTE,
	ENTRY_ADVANCE_CREDIT,
	ENTRY_TOPUP,
	ENTRY_CANCELLATION
} EntryKind;

static const char *const entry_kind_names[] = {
	[ENTRY_INVOICE] = "invoice",
	[ENTRY_ADVANCE_APPLIED] = "advance_applied",
	[ENTRY_PAYMENT] = "payment",
	[ENTRY_CREDIT_NOTE] = "credit_note",
	[ENTRY_ADVANCE_CREDIT] = "advance_credit",
	[ENTRY_TOPUP] = "topup",
	[ENTRY_CANCELLATION] = "cancellation",
};

/* One entry's values (a NULL string, a has_ false: JSON null). */
typedef struct EntryValues
{
	TimestampTz posted_at;
	EntryKind	kind;
	const char *document_id;
	const char *number;
	const char *invoice_id;
	bool		has_document_date;
	TimestampTz document_date;
	bool		has_due_date;
	TimestampTz due_date;
	const char *reference;
	bool		has_debit;
	Cents		debit;
	bool		has_credit;
	Cents		credit;
	bool		has_advance;
	Cents		advance;
} EntryValues;

/* An entry of the period: its order and its fields, written (Statement.fields[offset, offset + length)). */
typedef struct StatementEntry
{
	TimestampTz posted_at;
	EntryKind	kind;
	const char *document_id;
	Cents		change;			/* debit less credit */
	uint32		offset;
	uint32		length;
} StatementEntry;

/* An invoice of the organisation in the currency, by id: its number, for its payments. */
typedef struct StatementInvoice
{
	const char *id;
	const char *number;
	uint32		hash;
	char		status;			/* simplehash's */
} StatementInvoice;

#define SH_PREFIX statement_invoices
#define SH_ELEMENT_TYPE StatementInvoice
#define SH_KEY_TYPE const char *
#define SH_KEY id
#define SH_HASH_KEY(tb, key) hash_bytes((const unsigned char *) (key), strlen(key))
#define SH_EQUAL(tb, a, b) (strcmp(a, b) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) ((a)->hash)
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* The statement being read. */
typedef struct Statement
{
	TimestampTz period_from;
	TimestampTz period_to;
	int128		opening;		/* exact, checked once at the end as sum() does */
	Cents		debits;
	Cents		credits;
	statement_invoices_hash *invoices;
	StatementEntry *entries;
	int			nentries;
	int			maxentries;
	StringInfoData fields;		/* the period's entries' fields, written as they come */
	MemoryContext context;		/* what is kept of the rows (not the executor's, freed with each query) */
} Statement;

/* A text column as a C string, NULL for NULL. */
static inline const char *
column_text(const Datum *values, const bool *isnull, int column)
{
	return isnull[column] ? NULL : TextDatumGetCString(values[column]);
}

static void
put_string(StringInfo buf, const char *key, const char *value)
{
	appendStringInfoString(buf, key);
	if (value == NULL)
		appendBinaryStringInfo(buf, "null", 4);
	else
		escape_json(buf, value);
}

/* A time as the JSON shapes carry it (±infinity: null, as json_write_fields writes it). */
static void
put_time(StringInfo buf, const char *key, bool has, TimestampTz when)
{
	appendStringInfoString(buf, key);
	if (!has || TIMESTAMP_NOT_FINITE(when))
		appendBinaryStringInfo(buf, "null", 4);
	else
	{
		appendStringInfoChar(buf, '"');
		(void) json_format_time(buf, when);
		appendStringInfoChar(buf, '"');
	}
}

static void
put_cents(StringInfo buf, const char *key, bool has, Cents amount)
{
	char		digits[MAXINT8LEN + 1];

	appendStringInfoString(buf, key);
	if (has)
		appendBinaryStringInfo(buf, digits, pg_lltoa(amount, digits));
	else
		appendBinaryStringInfo(buf, "null", 4);
}

/*
 * An entry: before the period, its debit less credit adds to the opening
 * balance; in it, its fields are written (json_build_object's spacing, the
 * running balance follows in statement_json) and it is kept for ordering.
 * The one definition of an entry's shape.
 */
static void
add_entry(Statement *st, const EntryValues *e)
{
	Cents		debit = e->has_debit ? e->debit : 0;
	Cents		credit = e->has_credit ? e->credit : 0;
	StatementEntry *entry;
	StringInfo	buf = &st->fields;

	if (e->posted_at < st->period_from)
	{
		st->opening += cents_sub(debit, credit);
		return;
	}
	st->debits = cents_add(st->debits, debit);
	st->credits = cents_add(st->credits, credit);
	if (st->nentries == st->maxentries)
	{
		st->maxentries *= 2;
		st->entries = repalloc(st->entries, st->maxentries * sizeof(StatementEntry));
	}
	entry = &st->entries[st->nentries++];
	entry->posted_at = e->posted_at;
	entry->kind = e->kind;
	entry->document_id = e->document_id;
	entry->change = cents_sub(debit, credit);
	entry->offset = buf->len;

	put_time(buf, "\"postedAt\" : ", true, e->posted_at);
	put_string(buf, ", \"kind\" : ", entry_kind_names[e->kind]);
	put_string(buf, ", \"documentId\" : ", e->document_id);
	put_string(buf, ", \"number\" : ", e->number);
	put_string(buf, ", \"invoiceId\" : ", e->invoice_id);
	put_time(buf, ", \"documentDate\" : ", e->has_document_date, e->document_date);
	put_time(buf, ", \"dueDate\" : ", e->has_due_date, e->due_date);
	put_string(buf, ", \"reference\" : ", e->reference);
	put_cents(buf, ", \"debit\" : ", e->has_debit, e->debit);
	put_cents(buf, ", \"credit\" : ", e->has_credit, e->credit);
	put_cents(buf, ", \"advance\" : ", e->has_advance, e->advance);
	entry->length = buf->len - entry->offset;
}

/* An invoice: its issue (a debit of its total) and its cancellation (a credit of what it still owed). */
static void
invoice_row(Statement *st, const Datum *values, const bool *isnull)
{
	char	   *id = TextDatumGetCString(values[INV_ID]);
	const char *number = column_text(values, isnull, INV_NUMBER);
	bool		found;
	StatementInvoice *invoice = statement_invoices_insert(st->invoices, id, &found);

	invoice->number = number;
	if (isnull[INV_ISSUED_AT])
		return;					/* a draft */
	if (DatumGetTimestampTz(values[INV_ISSUED_AT]) < st->period_from)
		st->opening += DatumGetCents(values[INV_TOTAL]);
	else if (DatumGetTimestampTz(values[INV_ISSUED_AT]) < st->period_to)
		add_entry(st, &(EntryValues) {
			.posted_at = DatumGetTimestampTz(values[INV_ISSUED_AT]),
				.kind = ENTRY_INVOICE,
				.document_id = id,
				.number = number,
				.invoice_id = id,
				.has_document_date = !isnull[INV_DATE],
				.document_date = isnull[INV_DATE] ? 0 : DatumGetTimestampTz(values[INV_DATE]),
				.has_due_date = !isnull[INV_DUE_DATE],
				.due_date = isnull[INV_DUE_DATE] ? 0 : DatumGetTimestampTz(values[INV_DUE_DATE]),
				.reference = column_text(values, isnull, INV_DESCRIPTION),
				.has_debit = true,
				.debit = DatumGetCents(values[INV_TOTAL]),
		});
	if (DatumGetBool(values[INV_CANCELLED]) && !isnull[INV_CANCELLED_AT] &&
		DatumGetTimestampTz(values[INV_CANCELLED_AT]) < st->period_to)
	{
		TimestampTz cancelled_at = DatumGetTimestampTz(values[INV_CANCELLED_AT]);
		Cents		owed = Max(cents_sub(DatumGetCents(values[INV_TOTAL]), DatumGetCents(values[INV_CREDITED])), 0);

		if (cancelled_at < st->period_from)
			st->opening -= owed;
		else
			add_entry(st, &(EntryValues) {
				.posted_at = cancelled_at,
					.kind = ENTRY_CANCELLATION,
					.document_id = psprintf("cxl-%s", id),
					.number = number,
					.invoice_id = id,
					.has_document_date = true,
					.document_date = cancelled_at,
					.reference = column_text(values, isnull, INV_REASON),
					.has_credit = true,
					.credit = owed,
			});
	}
}

/* The invoice of a payment or credit note in the statement's currency, NULL when in another. */
static StatementInvoice *
invoice_of(Statement *st, Datum invoice_id)
{
	return statement_invoices_lookup(st->invoices, TextDatumGetCString(invoice_id));
}

static void
payment_row(Statement *st, const Datum *values, const bool *isnull)
{
	TimestampTz paid_at = DatumGetTimestampTz(values[PAY_PAID_AT]);
	StatementInvoice *invoice = invoice_of(st, values[PAY_INVOICE_ID]);

	if (invoice == NULL)
		return;
	if (paid_at < st->period_from)
		st->opening -= DatumGetCents(values[PAY_AMOUNT]);
	else
		add_entry(st, &(EntryValues) {
			.posted_at = paid_at,
				.kind = ENTRY_PAYMENT,
				.document_id = psprintf("pay-" INT64_FORMAT, DatumGetInt64(values[PAY_ID])),
				.number = invoice->number,
				.invoice_id = invoice->id,
				.has_document_date = true,
				.document_date = paid_at,
				.reference = column_text(values, isnull, PAY_REFERENCE),
				.has_credit = true,
				.credit = DatumGetCents(values[PAY_AMOUNT]),
		});
}

/* A credit note: what came off the invoice is a credit; what went to the prepaid balance a memo. */
static void
credit_note_row(Statement *st, const Datum *values, const bool *isnull)
{
	TimestampTz issued_at = DatumGetTimestampTz(values[CN_ISSUED_AT]);
	StatementInvoice *invoice = invoice_of(st, values[CN_INVOICE_ID]);
	Cents		to_balance = DatumGetCents(values[CN_TO_BALANCE]);
	Cents		credit;

	if (invoice == NULL)
		return;
	credit = cents_sub(DatumGetCents(values[CN_TOTAL]), to_balance);
	if (issued_at < st->period_from)
		st->opening -= credit;
	else
		add_entry(st, &(EntryValues) {
			.posted_at = issued_at,
				.kind = ENTRY_CREDIT_NOTE,
				.document_id = TextDatumGetCString(values[CN_ID]),
				.number = column_text(values, isnull, CN_NUMBER),
				.invoice_id = invoice->id,
				.has_document_date = !isnull[CN_DATE],
				.document_date = isnull[CN_DATE] ? 0 : DatumGetTimestampTz(values[CN_DATE]),
				.reference = column_text(values, isnull, CN_REASON),
				.has_credit = true,
				.credit = credit,
				.has_advance = to_balance != 0,
				.advance = to_balance,
		});
}

/* A prepaid ledger entry or a top-up, as STATEMENT_PREPAID_SQL gives it. */
static void
prepaid_row(Statement *st, const Datum *values, const bool *isnull)
{
	TimestampTz posted_at = DatumGetTimestampTz(values[PRE_POSTED_AT]);

	add_entry(st, &(EntryValues) {
		.posted_at = posted_at,
			.kind = (EntryKind) DatumGetInt32(values[PRE_KIND]),
			.document_id = posted_at < st->period_from ? NULL : TextDatumGetCString(values[PRE_DOCUMENT_ID]),
			.number = posted_at < st->period_from ? NULL : column_text(values, isnull, PRE_NUMBER),
			.invoice_id = posted_at < st->period_from ? NULL : column_text(values, isnull, PRE_INVOICE_ID),
			.has_document_date = !isnull[PRE_DATE],
			.document_date = isnull[PRE_DATE] ? 0 : DatumGetTimestampTz(values[PRE_DATE]),
			.reference = posted_at < st->period_from ? NULL : column_text(values, isnull, PRE_REFERENCE),
			.has_debit = !isnull[PRE_DEBIT],
			.debit = isnull[PRE_DEBIT] ? 0 : DatumGetCents(values[PRE_DEBIT]),
			.has_credit = !isnull[PRE_CREDIT],
			.credit = isnull[PRE_CREDIT] ? 0 : DatumGetCents(values[PRE_CREDIT]),
			.has_advance = !isnull[PRE_ADVANCE],
			.advance = isnull[PRE_ADVANCE] ? 0 : DatumGetCents(values[PRE_ADVANCE]),
	});
}

/* A DestReceiver handing each row of a query to one of the *_row functions above. */
typedef struct StatementReceiver
{
	DestReceiver pub;
	Statement  *st;
	void		(*row) (Statement *st, const Datum *values, const bool *isnull);
} StatementReceiver;

static bool
receive_row(TupleTableSlot *slot, DestReceiver *self)
{
	StatementReceiver *receiver = (StatementReceiver *) self;
	MemoryContext old = MemoryContextSwitchTo(receiver->st->context);

	slot_getallattrs(slot);
	receiver->row(receiver->st, slot->tts_values, slot->tts_isnull);
	MemoryContextSwitchTo(old);
	return true;
}

static void
receiver_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
receiver_nothing(DestReceiver *self)
{
}

/* The rows of one of the statement's queries (kept generic plans), each to row. */
static void
read_rows(Statement *st, SPIPlanPtr *plan, const char *sql, ParamListInfo params,
		  void (*row) (Statement *st, const Datum *values, const bool *isnull))
{
	StatementReceiver receiver = {
		.pub = {.receiveSlot = receive_row, .rStartup = receiver_startup, .rShutdown = receiver_nothing,
		.rDestroy = receiver_nothing, .mydest = DestNone},
		.st = st,
		.row = row,
	};
	SPIExecuteOptions options = {.params = params, .read_only = true, .dest = &receiver.pub};

	invoice_prepare_generic(plan, sql, STATEMENT_NPARAMS, statement_param_types);
	if (SPI_execute_plan_extended(*plan, &options) < 0)
		elog(ERROR, "a query of the statement failed");
}

/* The order entries took effect: by instant, kind, then document id (COLLATE "C"). */
static inline int
entry_order(const StatementEntry *x, const StatementEntry *y)
{
	if (x->posted_at != y->posted_at)
		return x->posted_at < y->posted_at ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->document_id, y->document_id);
}

/* sort_entries(): PostgreSQL's sort template with the comparison inlined (pg_qsort's was ≈ 6 % of the call) */
#define ST_SORT sort_entries
#define ST_ELEMENT_TYPE StatementEntry
#define ST_COMPARE(a, b) entry_order(a, b)
#define ST_SCOPE static
#define ST_DECLARE
#define ST_DEFINE
#include "lib/sort_template.h"

/*
 * The organisation's entries in the order they took effect, with the opening
 * balance and the period's debits and credits.  values: the five parameters.
 */
static void
read_statement(Statement *st, const Datum *values, bool has_prepaid)
{
	static SPIPlanPtr invoices_plan = NULL;
	static SPIPlanPtr payments_plan = NULL;
	static SPIPlanPtr credit_notes_plan = NULL;
	static SPIPlanPtr prepaid_plan = NULL;
	ParamListInfo params = makeParamList(STATEMENT_NPARAMS);

	for (int i = 0; i < STATEMENT_NPARAMS; i++)
	{
		params->params[i].value = values[i];
		params->params[i].isnull = i == STATEMENT_NPARAMS - 1 && !has_prepaid;	/* $5 */
		params->params[i].pflags = PARAM_FLAG_CONST;
		params->params[i].ptype = statement_param_types[i];
	}
	st->context = CurrentMemoryContext;
	st->period_from = DatumGetTimestampTz(values[1]);
	st->period_to = DatumGetTimestampTz(values[2]);
	st->opening = 0;
	st->debits = 0;
	st->credits = 0;
	st->invoices = statement_invoices_create(CurrentMemoryContext, 1024, NULL);
	st->nentries = 0;
	st->maxentries = 1024;
	st->entries = palloc(st->maxentries * sizeof(StatementEntry));
	initStringInfo(&st->fields);
	/* room for a busy organisation's year (≈ 900 entries of ≈ 280 bytes) without doubling and copying */
	enlargeStringInfo(&st->fields, 256 * 1024);

	read_rows(st, &invoices_plan, STATEMENT_INVOICES_SQL, params, invoice_row);
	read_rows(st, &payments_plan, STATEMENT_PAYMENTS_SQL, params, payment_row);
	read_rows(st, &credit_notes_plan, STATEMENT_CREDIT_NOTES_SQL, params, credit_note_row);
	if (has_prepaid)
		read_rows(st, &prepaid_plan, STATEMENT_PREPAID_SQL, params, prepaid_row);
	if (st->opening < PG_INT64_MIN || st->opening > PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cents out of range"),
				 errdetail("The opening balance of the statement does not fit in cents.")));
	sort_entries(st->entries, st->nentries);
}

/* `"key" : value` for a cents amount (json_build_object's spacing), with the separator before it. */
static void
write_cents_field(StringInfo buf, const char *key, Cents amount)
{
	appendBinaryStringInfo(buf, ", ", 2);
	json_write_key(buf, key);
	appendStringInfo(buf, INT64_FORMAT, amount);
}

static void
write_time_field(StringInfo buf, const char *key, TimestampTz when)
{
	appendBinaryStringInfo(buf, ", ", 2);
	json_write_key(buf, key);
	appendStringInfoChar(buf, '"');
	(void) json_format_time(buf, when);
	appendStringInfoChar(buf, '"');
}

/*
 * The statement document: the head, then the entries in order with the
 * running balance, written once, straight into the text datum returned,
 * allocated in result_context (no copy of a document of hundreds of
 * kilobytes into a text and out of SPI's memory).
 */
static text *
statement_json(Statement *st, text *org_id, Datum name, bool name_null, const char *currency,
			   MemoryContext result_context)
{
	StringInfoData doc;
	Cents		opening = (Cents) st->opening;
	Cents		balance;
	char		digits[MAXINT8LEN + 1];
	text	   *result;

	{
		MemoryContext old = MemoryContextSwitchTo(result_context);

		initStringInfo(&doc);
		/* room for the entries and their balances: the buffer does not grow by doubling and copying */
		enlargeStringInfo(&doc, Min((Size) st->fields.len + (Size) st->nentries * 48 + 1024, MaxAllocSize / 2));
		MemoryContextSwitchTo(old);
	}
	appendBinaryStringInfo(&doc, "\0\0\0\0", VARHDRSZ);	/* the text's header, set below */
	appendStringInfoChar(&doc, '{');
	json_write_key(&doc, "orgId");
	escape_json(&doc, text_to_cstring(org_id));
	appendBinaryStringInfo(&doc, ", ", 2);
	json_write_key(&doc, "orgName");
	if (name_null)
		appendBinaryStringInfo(&doc, "null", 4);
	else
		escape_json(&doc, TextDatumGetCString(name));
	appendBinaryStringInfo(&doc, ", ", 2);
	json_write_key(&doc, "currency");
	escape_json(&doc, currency);
	write_time_field(&doc, "periodFrom", st->period_from);
	write_time_field(&doc, "periodTo", st->period_to);
	write_cents_field(&doc, "openingBalance", opening);
	write_cents_field(&doc, "totalDebits", st->debits);
	write_cents_field(&doc, "totalCredits", st->credits);
	write_cents_field(&doc, "closingBalance", cents_sub(cents_add(opening, st->debits), st->credits));
	appendBinaryStringInfo(&doc, ", ", 2);
	json_write_key(&doc, "entries");
	appendStringInfoChar(&doc, '[');

	balance = opening;
	for (int i = 0; i < st->nentries; i++)
	{
		StatementEntry *e = &st->entries[i];

		if (i > 0)
			appendBinaryStringInfo(&doc, ", ", 2);
		appendStringInfoChar(&doc, '{');
		appendBinaryStringInfo(&doc, st->fields.data + e->offset, e->length);
		balance = cents_add(balance, e->change);
		appendBinaryStringInfo(&doc, ", \"balance\" : ", 14);
		appendBinaryStringInfo(&doc, digits, pg_lltoa(balance, digits));
		appendStringInfoChar(&doc, '}');
	}
	appendStringInfoString(&doc, "]}");
	result = (text *) doc.data;
	SET_VARSIZE(result, doc.len);
	return result;
}

/*
 * The organisation, its prepaid currency and, without a currency $2, the
 * currencies it is invoiced in.  The prepaid currency only matters to an
 * organisation with a prepaid ledger or top-ups, or to choose the currency:
 * otherwise it is NULL (no entry depends on it), which spares sorting every
 * invoice of the organisation for its first one.
 */
#define STATEMENT_ORG_SQL \
	"SELECT o.name," \
	"       CASE WHEN $2 IS NULL" \
	"              OR EXISTS (SELECT FROM invoice.advance_ledger a WHERE a.org_id = o.org_id)" \
	"              OR EXISTS (SELECT FROM invoice.receipts r WHERE r.org_id = o.org_id)" \
	"            THEN coalesce((SELECT i.currency FROM invoice.invoices i WHERE i.org_id = o.org_id" \
	"                            ORDER BY i.created_at, i.id LIMIT 1), 'USD') END AS prepaid_currency," \
	"       CASE WHEN $2 IS NULL THEN ARRAY(SELECT DISTINCT i.currency FROM invoice.invoices i" \
	"                                        WHERE i.org_id = o.org_id ORDER BY 1) END AS currencies" \
	"  FROM invoice.orgs o WHERE o.org_id = $1"

static Datum
statement_here(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr org_plan = NULL;
	Datum		args[STATEMENT_NPARAMS];
	Statement	st;
	text	   *org_id = invoice_arg_text(fcinfo, 0, "organisation id");
	char	   *currency = NULL;
	char	   *prepaid;
	Datum		name;
	Datum		result;
	bool		isnull;
	bool		name_null;
	int			nest_level;
	MemoryContext result_context;

	invoice_check_report_period(fcinfo, 1, 2);
	if (!PG_ARGISNULL(3))
	{
		currency = text_to_cstring(PG_GETARG_TEXT_PP(3));
		if (strlen(currency) != 3 || strspn(currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid currency \"%s\"", currency),
					 errhint("A currency is an ISO 4217 code in capitals, like \"INR\".")));
	}

	result_context = CurrentMemoryContext;
	SPI_connect();
	nest_level = invoice_pin_search_path();
	invoice_prepare_generic(&org_plan, STATEMENT_ORG_SQL, 2, (Oid[]) {TEXTOID, TEXTOID});
	if (SPI_execute_plan(org_plan, (Datum[]) {PointerGetDatum(org_id), currency ? CStringGetTextDatum(currency) : 0},
						 currency ? NULL : " n", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "reading the organisation of a statement failed");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("organisation \"%s\" does not exist", text_to_cstring(org_id))));
	name = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &name_null);
	prepaid = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	if (currency == NULL)
	{
		ArrayType  *currencies = DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3,
																&isnull));
		int			n = ArrayGetNItems(ARR_NDIM(currencies), ARR_DIMS(currencies));

		if (n > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("organisation \"%s\" is invoiced in several currencies: name one",
							text_to_cstring(org_id)),
					 errdetail("Its invoices are in %s.",
							   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3)),
					 errhint("Its prepaid balance counts in %s.", prepaid)));
		currency = n == 1 ? SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3) : prepaid;
		if (n == 1)
			currency = pnstrdup(currency + 1, 3);	/* "{INR}" */
	}

	args[0] = PointerGetDatum(org_id);
	args[1] = PG_GETARG_DATUM(1);
	args[2] = PG_GETARG_DATUM(2);
	args[3] = CStringGetTextDatum(currency);
	args[4] = prepaid ? CStringGetTextDatum(prepaid) : (Datum) 0;
	read_statement(&st, args, prepaid != NULL);
	result = PointerGetDatum(statement_json(&st, org_id, name, name_null, currency, result_context));
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/* statement(org_id, period_from, period_to, currency): the statement of account, on the organisation's node */
PG_FUNCTION_INFO_V1(invoice_statement);
Datum
invoice_statement(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr node_plan = NULL;

	return invoice_call_for_org(fcinfo, statement_here, &node_plan,
								"invoice.statement(o.org_id, $2, $3, $4)");
}

/* ---------------------------------------------------------------------------
 * The statement as a PDF: a builder of pdf.c's document model.
 */

enum
{
	ST_DATE, ST_DOCUMENT, ST_DETAILS, ST_DEBIT, ST_CREDIT, ST_BALANCE, ST_COLUMNS
};

static const DocColumn statement_columns[ST_COLUMNS] = {
	{"Date", 62, ALIGN_LEFT},
	{"Document", 120, ALIGN_LEFT},
	{"Details", 0, ALIGN_LEFT},
	{"Debit", 68, ALIGN_RIGHT},
	{"Credit", 68, ALIGN_RIGHT},
	{"Balance", 72, ALIGN_RIGHT},
};

/* What an entry is, in words, with its number when it has one. */
static char *
entry_document(const char *kind, const char *number)
{
	const char *label =
		strcmp(kind, "invoice") == 0 ? "Invoice" :
		strcmp(kind, "advance_applied") == 0 ? "Advance applied" :
		strcmp(kind, "payment") == 0 ? "Payment" :
		strcmp(kind, "credit_note") == 0 ? "Credit note" :
		strcmp(kind, "advance_credit") == 0 ? "Prepaid balance credit" :
		strcmp(kind, "topup") == 0 ? "Prepaid top-up" :
		strcmp(kind, "cancellation") == 0 ? "Cancellation" : kind;

	if (number == NULL || strcmp(kind, "advance_applied") == 0 || strcmp(kind, "payment") == 0)
		return pstrdup(label);
	return psprintf("%s %s", label, number);
}

/* The details column: the entry's reference, the invoice it concerns, memo amounts. */
static char *
entry_details(Row r, const MoneyStyle *money)
{
	char	   *kind = row_text(r, "kind");
	char	   *number = row_text(r, "number");
	char	   *reference = row_text(r, "reference");
	char	   *advance = row_isnull(r, "advance") ? NULL : format_money(money, row_cents(r, "advance"));
	char	   *invoice_ref = NULL;
	char	   *memo = NULL;

	if (strcmp(kind, "invoice") == 0)
	{
		char	   *due = row_date(r, "due_date");

		invoice_ref = due ? psprintf("due %s", due) : NULL;
	}
	else if (strcmp(kind, "payment") == 0 || strcmp(kind, "advance_applied") == 0)
		invoice_ref = number ? psprintf("for invoice %s", number) : NULL;
	else if (strcmp(kind, "credit_note") == 0 && reference)
		reference = humanize(reference);
	if (advance && strcmp(kind, "advance_applied") == 0)
		memo = psprintf("%s of the prepaid balance applied", advance);
	else if (advance)
		memo = psprintf("%s credited to the prepaid balance", advance);
	return join_lines(3, (const char *[]) {reference, invoice_ref, memo});
}

/*
 * The statement of args[0] (organisation) for [args[1], args[2]) in currency
 * args[3] ('' for the organisation's own), read through statement().
 */
static Doc *
statement_doc(const Datum *args)
{
	static SPIPlanPtr plan = NULL;
	static SPIPlanPtr entries_plan = NULL;
	Doc		   *doc = palloc0(sizeof(Doc));
	Row			h;
	MoneyStyle	money;
	DocTable   *t;
	char	   *period;
	char	   *currency;
	Cents		opening;
	Cents		closing;
	bool		isnull;
	Datum		entries;
	char	   *org_id;

	prepare(&plan,
			"SELECT s ->> 'orgId' AS org_id, o.name AS org_name, o.billing_email, o.billing_address,"
			"       o.gstin AS org_gstin, s ->> 'currency' AS currency,"
			"       ((s ->> 'openingBalance')::bigint)::@cents@.cents AS opening,"
			"       ((s ->> 'totalDebits')::bigint)::@cents@.cents AS debits,"
			"       ((s ->> 'totalCredits')::bigint)::@cents@.cents AS credits,"
			"       ((s ->> 'closingBalance')::bigint)::@cents@.cents AS closing, s -> 'entries' AS entries"
			"  FROM invoice.statement($1, $2, $3, NULLIF($4, '')) s"
			"  LEFT JOIN invoice.orgs o ON o.org_id = $1",
			4, (Oid[]) {TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID});
	prepare(&entries_plan,
			"SELECT e.\"postedAt\" AS posted_at, e.kind, e.number, e.\"dueDate\" AS due_date, e.reference,"
			"       (e.debit)::@cents@.cents AS debit, (e.credit)::@cents@.cents AS credit,"
			"       (e.advance)::@cents@.cents AS advance, (e.balance)::@cents@.cents AS balance"
			"  FROM json_to_recordset($1) AS e (\"postedAt\" timestamptz, kind text, number text,"
			"       \"dueDate\" timestamptz, reference text, debit bigint, credit bigint, advance bigint, balance bigint)",
			1, (Oid[]) {JSONOID});

	doc_supplier(doc);
	run_query(plan, (Datum *) args, "statement");
	h = spi_row(0);
	org_id = row_text(h, "org_id");
	currency = row_text(h, "currency");
	money = money_style(currency);
	opening = row_cents(h, "opening");
	closing = row_cents(h, "closing");
	period = format_period(DatumGetTimestampTz(args[1]), DatumGetTimestampTz(args[2]), " \xE2\x80\x93 ");

	doc->title = "STATEMENT";
	doc->number = period;
	doc_party(doc, h, "ACCOUNT OF");
	doc->footer = psprintf("%s \xC2\xB7 Statement of account of %s, %s", doc->supplier_name, doc->party_name, period);
	doc->file_name = file_name_for(psprintf("statement-%s-%s", org_id, currency));
	doc->pdf_title = psprintf("Statement of account %s", period);
	doc->pdf_subject = psprintf("Statement of account of %s", doc->party_name);
	doc->meta = list_make3(pair("Period", period, EMPHASIS_NONE),
						   pair("Currency", currency, EMPHASIS_NONE),
						   pair("Closing balance", format_money(&money, closing), EMPHASIS_NONE));

	t = table_of(NULL, statement_columns, ST_COLUMNS, NULL);
	table_add_row(t, (char *[]) {format_date(DatumGetTimestampTz(args[1])), "Opening balance", NULL, NULL, NULL,
				  format_money(&money, opening)}, ST_COLUMNS, NULL);
	entries = SPI_getbinval(h.tuple, h.desc, SPI_fnumber(h.desc, "entries"), &isnull);
	run_query(entries_plan, &entries, "statement entries");
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Row			r = spi_row(i);

		table_add_row(t, (char *[]) {
			row_date(r, "posted_at"),
				entry_document(row_text(r, "kind"), row_text(r, "number")),
				entry_details(r, &money),
				row_isnull(r, "debit") ? NULL : format_money(&money, row_cents(r, "debit")),
				row_isnull(r, "credit") ? NULL : format_money(&money, row_cents(r, "credit")),
				format_money(&money, row_cents(r, "balance"))}, ST_COLUMNS, NULL);
	}
	add_block(doc, BLOCK_TABLE, t, NIL, NULL);

	add_block(doc, BLOCK_TOTALS, NULL,
			  list_make4(pair("Opening balance", format_money(&money, opening), EMPHASIS_NONE),
						 pair("Invoiced", format_money(&money, row_cents(h, "debits")), EMPHASIS_NONE),
						 pair("Paid and credited", format_money(&money, row_cents(h, "credits")), EMPHASIS_NONE),
						 pair("Closing balance", format_money(&money, closing), EMPHASIS_DUE)),
			  closing > 0 ? psprintf("%s was owed to %s at the end of the period.",
									 format_money(&money, closing), doc->supplier_name)
			  : closing < 0 ? psprintf("%s was held for %s as prepaid balance at the end of the period.",
									   format_money(&money, -closing), doc->party_name)
			  : "Nothing was owed at the end of the period.");
	add_block(doc, BLOCK_NOTE, NULL, NIL,
			  "Debits are invoices issued; credits are payments, credit notes, prepaid top-ups and cancellations. "
			  "The balance is what was owed less the prepaid balance, each document dated when it took effect.");
	return doc;
}

/* statement_pdf(org_id, period_from, period_to, currency): the statement as a printable A4 PDF */
PG_FUNCTION_INFO_V1(invoice_statement_pdf);
Datum
invoice_statement_pdf(PG_FUNCTION_ARGS)
{
	Datum		args[4];

	args[0] = PointerGetDatum(invoice_arg_text(fcinfo, 0, "organisation id"));
	invoice_check_report_period(fcinfo, 1, 2);
	args[1] = PG_GETARG_DATUM(1);
	args[2] = PG_GETARG_DATUM(2);
	args[3] = PG_ARGISNULL(3) ? CStringGetTextDatum("") : PG_GETARG_DATUM(3);
	PG_RETURN_BYTEA_P(document_pdf(statement_doc, args, NULL));
}
