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
 * this file's SQL is the one definition of its entries.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "invoice.h"
#include "json_write.h"
#include "pdf_doc.h"
#include "reports.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/*
 * The entries of the statement in [period_from ($2), period_to ($3)) of
 * organisation $1 in currency $4, whose prepaid currency is $5 (NULL: it has
 * no prepaid ledger), in the order they took effect: statement_json writes
 * them with the running balance.  Those before period_from only make the
 * opening balance: STATEMENT_OPENING_SQL adds up their debits less their
 * credits without reading their text or sorting them (test/bench/
 * reports.bench.sql: half an organisation's year-on-year entries precede the
 * period).  The two must select alike: each branch of the one has its twin,
 * with the same conditions, in the other.
 */

/*
 * The organisation's invoices in the statement's currency, for the period's
 * payments and credit notes (their number; the currency selects them).  A
 * subquery the planner keeps whole (OFFSET 0), so they are hashed: the generic
 * plan cannot know the period and prices a range of two parameters at 0.5 %
 * of the rows, so a plain join looked the payments' invoices up one by one
 * (500 index probes an organisation-year, 1.5 ms against 0.8 ms).
 */
#define STATEMENT_INVOICES_IN_CURRENCY \
	"(SELECT i.id, i.number FROM invoice.invoices i WHERE i.org_id = $1 AND i.currency = $4 OFFSET 0)"
#define STATEMENT_SQL \
	"WITH entries AS (" \
	"  SELECT i.issued_at AS posted_at, 1 AS seq, 'invoice'::text AS kind, i.id AS document_id," \
	"         i.number::text AS number, i.id AS invoice_id, i.invoice_date AS document_date, i.due_date," \
	"         i.description AS reference, i.total AS debit, NULL::@cents@.cents AS credit, NULL::@cents@.cents AS advance" \
	"    FROM invoice.invoices i" \
	"   WHERE i.org_id = $1 AND i.currency = $4 AND i.issued_at >= $2 AND i.issued_at < $3" \
	"  UNION ALL" \
	"  SELECT a.created_at, 2, 'advance_applied', 'adv-' || a.entry_id, i.number, a.invoice_id, NULL, NULL, NULL," \
	"         CASE WHEN i.currency <> $4 THEN - a.amount END," \
	"         CASE WHEN i.currency = $4 AND $4 <> $5 THEN - a.amount END," \
	"         CASE WHEN i.currency = $4 AND $4 = $5 THEN - a.amount END" \
	"    FROM invoice.advance_ledger a JOIN invoice.invoices i ON i.org_id = a.org_id AND i.id = a.invoice_id" \
	"   WHERE a.org_id = $1 AND a.kind = 'applied' AND a.created_at >= $2 AND a.created_at < $3 AND (i.currency = $4 OR $4 = $5)" \
	"  UNION ALL" \
	"  SELECT p.paid_at, 3, 'payment', 'pay-' || p.payment_id, i.number, p.invoice_id, p.paid_at, NULL," \
	"         p.method::text || ' ' || p.provider_ref, NULL, p.amount, NULL" \
	"    FROM invoice.payments p JOIN " STATEMENT_INVOICES_IN_CURRENCY " i ON i.id = p.invoice_id" \
	"   WHERE p.org_id = $1 AND p.paid_at >= $2 AND p.paid_at < $3" \
	"  UNION ALL" \
	"  SELECT n.issued_at, 4, 'credit_note', n.credit_note_id, n.number, n.invoice_id," \
	"         n.note_date::timestamp AT TIME ZONE 'UTC', NULL, n.reason::text," \
	"         NULL, n.total - n.to_balance, NULLIF(n.to_balance, '0')" \
	"    FROM invoice.credit_notes n JOIN " STATEMENT_INVOICES_IN_CURRENCY " i ON i.id = n.invoice_id" \
	"   WHERE n.org_id = $1 AND n.status = 'issued' AND n.issued_at >= $2 AND n.issued_at < $3" \
	"  UNION ALL" \
	"  SELECT a.created_at, 5, 'advance_credit', 'adv-' || a.entry_id, NULL, a.invoice_id, NULL, NULL, NULL," \
	"         CASE WHEN a.amount < '0' THEN - a.amount END, CASE WHEN a.amount > '0' THEN a.amount END, NULL" \
	"    FROM invoice.advance_ledger a" \
	"   WHERE a.org_id = $1 AND a.kind = 'reversal' AND $4 = $5 AND a.created_at >= $2 AND a.created_at < $3" \
	"  UNION ALL" \
	"  SELECT r.received_at, 6, 'topup', 'rct-' || r.receipt_id, r.number, NULL, r.received_at, NULL," \
	"         r.method::text || ' ' || r.provider_ref, NULL, r.amount, NULL" \
	"    FROM invoice.receipts r" \
	"   WHERE r.org_id = $1 AND $4 = $5 AND r.received_at >= $2 AND r.received_at < $3" \
	"  UNION ALL" \
	"  SELECT i.cancelled_at, 7, 'cancellation', 'cxl-' || i.id, i.number, i.id, i.cancelled_at, NULL, i.status_reason," \
	"         NULL, greatest(i.total - i.credited_amount, '0'::@cents@.cents), NULL" \
	"    FROM invoice.invoices i" \
	"   WHERE i.org_id = $1 AND i.currency = $4 AND i.status = 'cancelled' AND i.issued_at IS NOT NULL" \
	"     AND i.cancelled_at >= $2 AND i.cancelled_at < $3" \
	")" \
	"SELECT e.posted_at, e.kind, e.document_id, e.number, e.invoice_id, e.document_date, e.due_date, e.reference," \
	"       e.debit, e.credit, e.advance" \
	"  FROM entries e" \
	" ORDER BY e.posted_at, e.seq, e.document_id COLLATE \"C\""

/*
 * The opening balance: debit less credit of the entries STATEMENT_SQL would
 * give before period_from ($2), branch for branch (same parameters).
 */
#define STATEMENT_OPENING_SQL \
	"SELECT coalesce(@cents@.sum(e.amount), '0') FROM (" \
	"  SELECT i.total AS amount" \
	"    FROM invoice.invoices i" \
	"   WHERE i.org_id = $1 AND i.currency = $4 AND i.issued_at < $2" \
	"  UNION ALL" \
	"  SELECT CASE WHEN i.currency <> $4 THEN - a.amount WHEN $4 <> $5 THEN a.amount ELSE '0' END" \
	"    FROM invoice.advance_ledger a JOIN invoice.invoices i ON i.org_id = a.org_id AND i.id = a.invoice_id" \
	"   WHERE a.org_id = $1 AND a.kind = 'applied' AND a.created_at < $2 AND (i.currency = $4 OR $4 = $5)" \
	"  UNION ALL" \
	"  SELECT - p.amount" \
	"    FROM invoice.payments p JOIN invoice.invoices i ON i.org_id = p.org_id AND i.id = p.invoice_id" \
	"   WHERE p.org_id = $1 AND i.currency = $4 AND p.paid_at < $2" \
	"  UNION ALL" \
	"  SELECT n.to_balance - n.total" \
	"    FROM invoice.credit_notes n JOIN invoice.invoices i ON i.org_id = n.org_id AND i.id = n.invoice_id" \
	"   WHERE n.org_id = $1 AND n.status = 'issued' AND i.currency = $4 AND n.issued_at < $2" \
	"  UNION ALL" \
	"  SELECT - a.amount" \
	"    FROM invoice.advance_ledger a" \
	"   WHERE a.org_id = $1 AND a.kind = 'reversal' AND $4 = $5 AND a.created_at < $2" \
	"  UNION ALL" \
	"  SELECT - r.amount" \
	"    FROM invoice.receipts r" \
	"   WHERE r.org_id = $1 AND $4 = $5 AND r.received_at < $2" \
	"  UNION ALL" \
	"  SELECT - greatest(i.total - i.credited_amount, '0'::@cents@.cents)" \
	"    FROM invoice.invoices i" \
	"   WHERE i.org_id = $1 AND i.currency = $4 AND i.status = 'cancelled' AND i.issued_at IS NOT NULL" \
	"     AND i.cancelled_at < $2" \
	") e"

/* An entry's JSON keys and the columns they come from; "balance" follows, from the running sum. */
static const JsonField entry_fields[] = {
	{"postedAt", "posted_at", JSON_FIELD_TIME},
	{"kind", "kind", JSON_FIELD_STRING},
	{"documentId", "document_id", JSON_FIELD_STRING},
	{"number", "number", JSON_FIELD_STRING},
	{"invoiceId", "invoice_id", JSON_FIELD_STRING},
	{"documentDate", "document_date", JSON_FIELD_TIME},
	{"dueDate", "due_date", JSON_FIELD_TIME},
	{"reference", "reference", JSON_FIELD_STRING},
	{"debit", "debit", JSON_FIELD_CENTS},
	{"credit", "credit", JSON_FIELD_CENTS},
	{"advance", "advance", JSON_FIELD_CENTS},
};

#define ENTRY_DEBIT 9
#define ENTRY_CREDIT 10

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
 * The statement document from the opening balance and STATEMENT_SQL's rows,
 * written with the running balance (here rather than by json_build_object
 * per entry and a window sum: test/bench/reports.bench.sql).  A first pass
 * adds up the period's debits and credits, which the head carries, the second
 * writes the document once, straight into the text datum returned, allocated
 * in result_context (no copy of a document of hundreds of kilobytes out of
 * the list, into a text, out of SPI's memory).
 */
static text *
statement_json(SPITupleTable *entries, uint64 nentries, Cents opening, text *org_id, Datum name,
			   bool name_null, const char *currency, TimestampTz period_from, TimestampTz period_to,
			   MemoryContext result_context)
{
	StringInfoData doc;
	JsonRowWriter writer;
	Cents		debits = 0;
	Cents		credits = 0;
	Cents		balance;
	bool		isnull;
	text	   *result;

	for (uint64 i = 0; i < nentries; i++)
	{
		HeapTuple	row = entries->vals[i];
		Datum		debit = SPI_getbinval(row, entries->tupdesc, ENTRY_DEBIT, &isnull);
		Cents		d = isnull ? 0 : DatumGetCents(debit);
		Datum		credit = SPI_getbinval(row, entries->tupdesc, ENTRY_CREDIT, &isnull);
		Cents		c = isnull ? 0 : DatumGetCents(credit);

		debits = cents_add(debits, d);
		credits = cents_add(credits, c);
	}

	{
		MemoryContext old = MemoryContextSwitchTo(result_context);

		initStringInfo(&doc);
		/* room for the entries (≈ 300 bytes each): the buffer does not grow by doubling and copying */
		enlargeStringInfo(&doc, Min(nentries * 320 + 1024, MaxAllocSize / 2));
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
	write_time_field(&doc, "periodFrom", period_from);
	write_time_field(&doc, "periodTo", period_to);
	write_cents_field(&doc, "openingBalance", opening);
	write_cents_field(&doc, "totalDebits", debits);
	write_cents_field(&doc, "totalCredits", credits);
	write_cents_field(&doc, "closingBalance", cents_sub(cents_add(opening, debits), credits));
	appendBinaryStringInfo(&doc, ", ", 2);
	json_write_key(&doc, "entries");
	appendStringInfoChar(&doc, '[');

	json_row_writer_init(&writer, entry_fields, lengthof(entry_fields), entries->tupdesc);
	balance = opening;
	for (uint64 i = 0; i < nentries; i++)
	{
		HeapTuple	row = entries->vals[i];

		if (i > 0)
			appendBinaryStringInfo(&doc, ", ", 2);
		appendStringInfoChar(&doc, '{');
		json_write_fields(&doc, &writer, row);
		/* the writer deformed the row: its debit and credit are at hand */
		if (!writer.isnull[ENTRY_DEBIT - 1])
			balance = cents_add(balance, DatumGetCents(writer.values[ENTRY_DEBIT - 1]));
		if (!writer.isnull[ENTRY_CREDIT - 1])
			balance = cents_sub(balance, DatumGetCents(writer.values[ENTRY_CREDIT - 1]));
		write_cents_field(&doc, "balance", balance);
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
	static SPIPlanPtr opening_plan = NULL;
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[5] = {TEXTOID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID, TEXTOID};
	Datum		args[5];
	Cents		opening;
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
	invoice_prepare_generic(&opening_plan, STATEMENT_OPENING_SQL, 5, argtypes);
	if (SPI_execute_plan(opening_plan, args, prepaid ? NULL : "    n", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "the statement's opening balance query failed");
	opening = DatumGetCents(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	invoice_prepare_generic(&plan, STATEMENT_SQL, 5, argtypes);
	if (SPI_execute_plan(plan, args, prepaid ? NULL : "    n", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "the statement query failed");
	result = PointerGetDatum(statement_json(SPI_tuptable, SPI_processed, opening, org_id, name, name_null,
											currency, PG_GETARG_TIMESTAMPTZ(1), PG_GETARG_TIMESTAMPTZ(2),
											result_context));
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
