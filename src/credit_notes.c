/*
 * credit_notes.c
 *		Credit notes: an issued invoice is never edited, it is corrected.
 *
 * A credit note credits taxable amounts at the invoice's rates, its tax split
 * the way the invoice's is (CGST + SGST or IGST), and takes its number from
 * its own gapless series CN.  It can never credit more than remains
 * creditable on the invoice: the invoice is locked first, so two credit
 * notes of one invoice queue and the second sees the first.  What the
 * invoice still owed is taken off its amount due; the rest (the invoice was
 * paid) goes to the organisation's advance balance.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "cents.h"
#include "commands/trigger.h"
#include "compute.h"
#include "credit_note_tax.h"
#include "executor/spi.h"
#include "invoice.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

/* Set while credit_note_issue writes a note: the only writer of an issued note. */
static bool credit_note_issuing = false;

/* Section 34(2) CGST Act: no credit note after 30 November following the end of the financial year. */
static DateADT
section_34_deadline(TimestampTz invoice_date)
{
	return date2j(invoice_fiscal_year(invoice_date) + 1, 11, 30) - POSTGRES_EPOCH_JDATE;
}

static char *
date_text(DateADT date)
{
	return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(date)));
}

static Datum credit_note_create_as_owner(FunctionCallInfo fcinfo);

/* credit_note_create(invoice_id, reason, description): a draft credit note */
PG_FUNCTION_INFO_V1(credit_note_create);
Datum
credit_note_create(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, credit_note_create_as_owner);
}

static Datum
credit_note_create_as_owner(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr plan = NULL;
	static SPIPlanPtr row_plan = NULL;
	text	   *invoice_id = invoice_arg_text(fcinfo, 0, "invoice id");
	text	   *reason = invoice_arg_text(fcinfo, 1, "credit note reason");
	char	   *org_id;
	InvoiceStatus status;
	Oid			argtypes[4] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', PG_ARGISNULL(2) ? 'n' : ' '};
	bool		isnull;
	Datum		result;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();
	status = invoice_lock_by_id(invoice_id, &org_id, INVOICE_ACCESS_ADMIN, "credit");
	if (status == INVOICE_DRAFT || status == INVOICE_CANCELLED)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_INVALID_TRANSITION),
				 errmsg("invoice \"%s\" is %s: there is nothing to credit",
						text_to_cstring(invoice_id), invoice_status_name(status)),
				 errhint(status == INVOICE_DRAFT ? "Edit the draft instead." : "A cancelled invoice owes nothing.")));
	values[0] = CStringGetTextDatum(org_id);
	values[1] = PointerGetDatum(invoice_id);
	values[2] = PointerGetDatum(reason);
	values[3] = PG_ARGISNULL(2) ? (Datum) 0 : PG_GETARG_DATUM(2);
	invoice_prepare(&plan,
					"INSERT INTO invoice.credit_notes AS n (org_id, invoice_id, reason, description)"
					" VALUES ($1, $2, $3::invoice.credit_note_reason, $4) RETURNING n.credit_note_id",
					4, argtypes);
	if (SPI_execute_plan(plan, values, nulls, false, 0) != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "credit note insert failed");
	/* read again: Citus cannot return the whole row of an INSERT */
	values[1] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	invoice_prepare(&row_plan, "SELECT n FROM invoice.credit_notes n WHERE n.org_id = $1 AND n.credit_note_id = $2",
					2, (Oid[]) {TEXTOID, TEXTOID});
	if (SPI_execute_plan(row_plan, values, NULL, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "credit note read failed");
	result = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull), false, -1);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

static Datum credit_note_issue_as_owner(FunctionCallInfo fcinfo);

/* The lines' tax is written by the issuer: the guard lets it set what a line credit computes. */
static void
tax_lines_as_issuer(Datum org_id, Datum invoice_id, Datum note_id, CreditNoteTax *note)
{
	credit_note_issuing = true;
	PG_TRY();
	{
		credit_note_tax(org_id, invoice_id, note_id, note);
	}
	PG_FINALLY();
	{
		credit_note_issuing = false;
	}
	PG_END_TRY();
}

/* credit_note_issue(credit_note_id, note_date): tax, number, limits, effects */
PG_FUNCTION_INFO_V1(credit_note_issue);
Datum
credit_note_issue(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, credit_note_issue_as_owner);
}

/*
 * The organisation of the credit note note_id: (Datum) 0 when there is none,
 * 21000 when two organisations use the id.  Inside SPI.
 */
static Datum
find_note_org(text *note_id)
{
	static SPIPlanPtr plan = NULL;
	bool		isnull;

	invoice_prepare(&plan,
					"SELECT n.org_id FROM invoice.credit_notes n"
					" WHERE n.credit_note_id = $1 ORDER BY n.org_id LIMIT 2",
					1, (Oid[]) {TEXTOID});
	if (SPI_execute_plan(plan, (Datum[]) {PointerGetDatum(note_id)}, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "credit note lookup failed");
	if (SPI_processed > 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("credit note id \"%s\" is used by more than one organisation", text_to_cstring(note_id))));
	if (SPI_processed == 0)
		return (Datum) 0;
	return SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull), false, -1);
}

/*
 * The work of credit_note_issue, here: on one node, or on Citus on the node
 * of the note's organisation (known_org_id given, the number given by the
 * coordinator through invoice_give_number).  known_org_id (Datum) 0: the
 * note is found by its id.
 */
static Datum
issue_note_here(Datum known_org_id, text *note_id, DateADT note_date)
{
	static SPIPlanPtr note_plan = NULL;
	static SPIPlanPtr invoice_plan = NULL;
	static SPIPlanPtr limit_plan = NULL;
	static SPIPlanPtr issue_plan = NULL;
	static SPIPlanPtr ledger_plan = NULL;
	static SPIPlanPtr recompute_plan = NULL;
	static SPIPlanPtr dispute_plan = NULL;
	Datum		org_id;
	Datum		invoice_id;
	InvoiceStatus status;
	bool		gst;
	TimestampTz invoice_date;
	Cents		amount_due;
	CreditNoteTax note;
	Cents		value;
	Cents		credited;
	Cents		round_off;
	Cents		total;
	Cents		creditable;
	Cents		to_balance;
	char	   *number;
	HeapTuple	tuple;
	TupleDesc	tupdesc;
	bool		isnull;
	Datum		result;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();

	/*
	 * the note, then its invoice: locked in this order everywhere.  The note
	 * is found by its id, then locked by its key (on Citus a lock is taken
	 * on one organisation's node, never across shards).
	 */
	if (known_org_id == (Datum) 0)
		known_org_id = find_note_org(note_id);
	SPI_processed = 0;
	if (known_org_id != (Datum) 0)
	{
		Datum		key[2] = {known_org_id, PointerGetDatum(note_id)};

		invoice_prepare(&note_plan,
						"SELECT n.org_id, n.invoice_id, n.status FROM invoice.credit_notes n"
						" WHERE n.org_id = $1 AND n.credit_note_id = $2 FOR NO KEY UPDATE",
						2, (Oid[]) {TEXTOID, TEXTOID});
		if (SPI_execute_plan(note_plan, key, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "credit note lookup failed");
	}
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(SPI_processed == 0 ? ERRCODE_NO_DATA_FOUND : ERRCODE_CARDINALITY_VIOLATION),
				 errmsg(SPI_processed == 0 ? "credit note \"%s\" does not exist"
						: "credit note id \"%s\" is used by more than one organisation",
						text_to_cstring(note_id))));
	tuple = SPI_tuptable->vals[0];
	tupdesc = SPI_tuptable->tupdesc;
	org_id = SPI_datumTransfer(SPI_getbinval(tuple, tupdesc, 1, &isnull), false, -1);
	invoice_id = SPI_datumTransfer(SPI_getbinval(tuple, tupdesc, 2, &isnull), false, -1);
	if (strcmp(SPI_getvalue(tuple, tupdesc, 3), "draft") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_INVALID_TRANSITION),
				 errmsg("credit note \"%s\" is already issued", text_to_cstring(note_id))));

	invoice_prepare(&invoice_plan,
					"SELECT i.status, i.gst, i.invoice_date, i.amount_due FROM invoice.invoices i"
					" WHERE i.org_id = $1 AND i.id = $2 FOR NO KEY UPDATE",
					2, (Oid[]) {TEXTOID, TEXTOID});
	if (SPI_execute_plan(invoice_plan, (Datum[]) {org_id, invoice_id}, NULL, false, 0) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "invoice of credit note vanished");
	tuple = SPI_tuptable->vals[0];
	tupdesc = SPI_tuptable->tupdesc;
	status = invoice_status_from_datum(SPI_getbinval(tuple, tupdesc, 1, &isnull));
	gst = DatumGetBool(SPI_getbinval(tuple, tupdesc, 2, &isnull));
	invoice_date = DatumGetTimestampTz(SPI_getbinval(tuple, tupdesc, 3, &isnull));
	amount_due = DatumGetCents(SPI_getbinval(tuple, tupdesc, 4, &isnull));
	if (status == INVOICE_DRAFT || status == INVOICE_CANCELLED)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_INVALID_TRANSITION),
				 errmsg("invoice \"%s\" is %s: there is nothing to credit",
						TextDatumGetCString(invoice_id), invoice_status_name(status))));
	if (note_date < DatumGetDateADT(DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(invoice_date))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("credit note date %s is before the invoice date", date_text(note_date))));
	if (gst && note_date > section_34_deadline(invoice_date))
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_CREDIT_NOTE),
				 errmsg("credit note for GST invoice \"%s\" cannot be issued after %s",
						TextDatumGetCString(invoice_id), date_text(section_34_deadline(invoice_date))),
				 errdetail("Section 34 of the CGST Act allows credit notes until 30 November after the end of the invoice's financial year.")));

	/* taxable values and heads of the lines, as the invoice computes its own */
	tax_lines_as_issuer(org_id, invoice_id, PointerGetDatum(note_id), &note);
	if (note.nlines == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("credit note \"%s\" has no lines", text_to_cstring(note_id)),
				 errhint("Add them to invoice.credit_note_lines.")));
	value = cents_add(note.taxable, note.tax);

	/*
	 * What remains creditable, read after the invoice lock (a racing note has
	 * committed or waits): the invoice's subtotal + tax less the taxable values
	 * and tax of its issued notes.  A rounded-off invoice rounds the value
	 * credited so far to the rupee: the note's round-off is what its value adds
	 * to that.
	 */
	invoice_prepare(&limit_plan,
					"SELECT i.total OPERATOR(@cents@.-) i.round_off,"
					"       coalesce(@cents@.sum(n.total OPERATOR(@cents@.-) n.round_off), '0'),"
					"       " TOTAL_ROUNDING_SQL("i") " = 'rupee'"
					"  FROM invoice.invoices i LEFT JOIN invoice.credit_notes n"
					"    ON n.org_id = i.org_id AND n.invoice_id = i.id AND n.status = 'issued'"
					" WHERE i.org_id = $1 AND i.id = $2 GROUP BY i.total, i.round_off, i.total_rounding, i.status, i.currency",
					2, (Oid[]) {TEXTOID, TEXTOID});
	if (SPI_execute_plan(limit_plan, (Datum[]) {org_id, invoice_id}, NULL, false, 0) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "creditable amount lookup failed");
	credited = DatumGetCents(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	creditable = DatumGetCents(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) - credited;
	if (value > creditable)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_CREDIT_NOTE),
				 errmsg("credit note \"%s\" of %s exceeds what remains creditable on invoice \"%s\"",
						text_to_cstring(note_id), cents_to_cstring(value), TextDatumGetCString(invoice_id)),
				 errdetail("%s remains creditable.", cents_to_cstring(creditable))));
	round_off = 0;
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull)))
		round_off = compute_round_off(credited + value) - compute_round_off(credited);
	total = cents_add(value, round_off);

	to_balance = total > amount_due ? total - amount_due : 0;
	number = invoice_assign_number("CN", invoice_fiscal_year_of_date(note_date));
	invoice_flush_numbers();
	invoice_prepare(&issue_plan,
					"UPDATE invoice.credit_notes n SET status = 'issued', number = $3, note_date = $4,"
					"   taxable_value = $5::@cents@.cents, cgst = $6::@cents@.cents, sgst = $7::@cents@.cents,"
					"   igst = $8::@cents@.cents, tax = $9::@cents@.cents, total = $10::@cents@.cents,"
					"   to_balance = $11::@cents@.cents, round_off = $12::@cents@.cents, issued_at = invoice.clock()"
					" WHERE n.org_id = $1 AND n.credit_note_id = $2 RETURNING n",
					12, (Oid[]) {TEXTOID, TEXTOID, TEXTOID, DATEOID, INT8OID, INT8OID, INT8OID, INT8OID,
						INT8OID, INT8OID, INT8OID, INT8OID});
	credit_note_issuing = true;
	PG_TRY();
	{
	if (SPI_execute_plan(issue_plan,
						 (Datum[]) {org_id, PointerGetDatum(note_id), CStringGetTextDatum(number),
							 DateADTGetDatum(note_date),
							 Int64GetDatum(note.taxable), Int64GetDatum(note.cgst), Int64GetDatum(note.sgst),
							 Int64GetDatum(note.igst), Int64GetDatum(note.tax), Int64GetDatum(total),
							 Int64GetDatum(to_balance), Int64GetDatum(round_off)},
						 NULL, false, 0) != SPI_OK_UPDATE_RETURNING)
		elog(ERROR, "credit note issue failed");
	}
	PG_FINALLY();
	{
		credit_note_issuing = false;
	}
	PG_END_TRY();
	result = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull), false, -1);

	if (to_balance > 0)
	{
		invoice_prepare(&ledger_plan,
						"INSERT INTO invoice.advance_ledger (org_id, kind, amount, invoice_id)"
						" VALUES ($1, 'reversal', $3::@cents@.cents, $2)",
						3, (Oid[]) {TEXTOID, TEXTOID, INT8OID});
		if (SPI_execute_plan(ledger_plan, (Datum[]) {org_id, invoice_id, Int64GetDatum(to_balance)},
							 NULL, false, 0) != SPI_OK_INSERT)
			elog(ERROR, "ledger insert failed");
	}
	invoice_recompute("SELECT " RECOMPUTE_COLUMNS("i") " FROM invoice.invoices i"
					  " WHERE i.org_id = $1 AND i.id = $2",
					  &recompute_plan, 2, (Oid[]) {TEXTOID, TEXTOID}, (Datum[]) {org_id, invoice_id}, false);
	invoice_prepare(&dispute_plan,
					"UPDATE invoice.invoices i SET dispute_status = 'resolved', dispute_closed_at = invoice.clock()"
					" WHERE i.org_id = $1 AND i.id = $2 AND i.dispute_status = 'open'",
					2, (Oid[]) {TEXTOID, TEXTOID});
	if (SPI_execute_plan(dispute_plan, (Datum[]) {org_id, invoice_id}, NULL, false, 0) != SPI_OK_UPDATE)
		elog(ERROR, "dispute resolution failed");

	result = invoice_logical_row(result, "credit_notes");
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	return result;
}

/*
 * On Citus the number is taken here, on the coordinator, where the series
 * live (a reference table), for the financial year of the note's date; the
 * node of the organisation does the rest with it (a failure there rolls the
 * number back with the transaction: gapless).
 */
static Datum
credit_note_issue_as_owner(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr node_plan = NULL;
	text	   *note_id = invoice_arg_text(fcinfo, 0, "credit note id");
	DateADT		note_date;
	Datum		org_id;
	Datum		result;
	bool		isnull;
	char	   *number;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("credit note date must not be null")));
	note_date = PG_GETARG_DATEADT(1);
	invoice_require_administrator("issue credit notes");

	/*
	 * A credit note bears the date of its issue (CGST Rules, rule 53(1A)):
	 * the clock's date.  A date given is only the caller's expectation of
	 * it; any other would let a note issued after section 34's deadline be
	 * backdated inside it, or be numbered in a financial year already past.
	 */
	if (note_date != invoice_clock_today())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("credit note date %s is not the date of issue, %s",
						date_text(note_date), date_text(invoice_clock_today())),
				 errdetail("A credit note is dated the day it is issued (the extension's clock); it cannot be backdated or postdated."),
				 errhint("Leave note_date out to date it by the clock.")));

	if (!invoice_distributed())
		return issue_note_here((Datum) 0, note_id, note_date);

	SPI_connect();
	org_id = find_note_org(note_id);
	if (org_id == (Datum) 0)
		ereport(ERROR,
				(errcode(ERRCODE_NO_DATA_FOUND),
				 errmsg("credit note \"%s\" does not exist", text_to_cstring(note_id))));
	number = invoice_assign_number("CN", invoice_fiscal_year_of_date(note_date));
	invoice_flush_numbers();
	result = invoice_on_org_node(&node_plan, "invoice.credit_note_issue_on_node(o.org_id, $2, $3, $4)",
								 4, (Oid[]) {TEXTOID, TEXTOID, DATEOID, TEXTOID},
								 (Datum[]) {org_id, PointerGetDatum(note_id), DateADTGetDatum(note_date),
											CStringGetTextDatum(number)},
								 &isnull);
	SPI_finish();
	return result;
}

static Datum credit_note_issue_on_node_here(FunctionCallInfo fcinfo);

/* credit_note_issue_on_node(org_id, note_id, note_date, number): credit_note_issue's work on Citus, on the node of the organisation (internal) */
PG_FUNCTION_INFO_V1(credit_note_issue_on_node);
Datum
credit_note_issue_on_node(PG_FUNCTION_ARGS)
{
	return invoice_call_in_org(fcinfo, credit_note_issue_on_node_here);
}

static Datum
credit_note_issue_on_node_here(FunctionCallInfo fcinfo)
{
	Datum		result;

	if (PG_NARGS() != 4 || PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("credit note id, date and number must not be null")));
	invoice_give_number(text_to_cstring(PG_GETARG_TEXT_PP(3)));	/* invoice_assign_number takes it */
	result = issue_note_here(PG_GETARG_DATUM(0), PG_GETARG_TEXT_PP(1), PG_GETARG_DATEADT(2));
	invoice_give_number(NULL);
	return result;
}

/*
 * A new or changed line credit of a draft: the line must be one of the
 * note's invoice, the taxable amount is left to issue, at most one of units
 * and line_amount says how much; description, HSN/SAC and rate are the
 * line's.  Returns the tuple to store.
 */
static HeapTuple
check_line_credit(HeapTuple tuple, TupleDesc tupdesc, Datum org_id, Datum note_id, Datum line_id)
{
	static SPIPlanPtr plan = NULL;
	int			description_att = SPI_fnumber(tupdesc, "description");
	int			hsn_att = SPI_fnumber(tupdesc, "hsn_sac");
	int			rate_att = SPI_fnumber(tupdesc, "tax_rate");
	int			columns[3] = {description_att, hsn_att, rate_att};
	Datum		values[3];
	bool		nulls[3];
	bool		replace[3] = {false, false, false};
	bool		isnull;
	HeapTuple	found;
	TupleDesc	found_desc;

	if (!heap_attisnull(tuple, SPI_fnumber(tupdesc, "amount"), tupdesc))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the taxable amount of a line credit is computed when the credit note is issued"),
				 errhint("Give units or line_amount, or neither to credit what remains of the line.")));
	if (!heap_attisnull(tuple, SPI_fnumber(tupdesc, "units"), tupdesc) &&
		!heap_attisnull(tuple, SPI_fnumber(tupdesc, "line_amount"), tupdesc))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a line credit gives units or line_amount, not both")));
	invoice_prepare(&plan,
					"SELECT l.invoice_id IS NOT DISTINCT FROM n.invoice_id, n.invoice_id, l.description, l.hsn_sac,"
					"       coalesce(l.tax_rate, i.tax_rate)"
					"  FROM invoice.credit_notes n"
					"  JOIN invoice.invoices i ON i.org_id = n.org_id AND i.id = n.invoice_id"
					"  LEFT JOIN invoice.line_items l ON l.org_id = n.org_id AND l.line_id = $3"
					" WHERE n.org_id = $1 AND n.credit_note_id = $2",
					3, (Oid[]) {TEXTOID, TEXTOID, INT8OID});
	if (SPI_execute_plan(plan, (Datum[]) {org_id, note_id, line_id}, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "invoice line lookup failed");
	if (SPI_processed != 1)
		return tuple;			/* no such note: the foreign key's to report */
	found = SPI_tuptable->vals[0];
	found_desc = SPI_tuptable->tupdesc;
	if (!DatumGetBool(SPI_getbinval(found, found_desc, 1, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("line %lld is not a line of invoice \"%s\", which credit note \"%s\" corrects",
						(long long) DatumGetInt64(line_id), SPI_getvalue(found, found_desc, 2),
						TextDatumGetCString(note_id))));
	for (int c = 0; c < 3; c++)
	{
		Datum		line_value = SPI_getbinval(found, found_desc, c + 3, &nulls[c]);

		if (heap_attisnull(tuple, columns[c], tupdesc))
		{
			replace[c] = !nulls[c];
			if (replace[c])
				values[c] = SPI_datumTransfer(line_value, false, -1);
		}
		else if (c == 2 && DatumGetInt32(DirectFunctionCall2(numeric_cmp, line_value,
															  heap_getattr(tuple, rate_att, tupdesc, &isnull))) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a line credit is taxed at its line's rate, %s%%", SPI_getvalue(found, found_desc, 5))));
	}
	for (int c = 0; c < 3; c++)
		if (replace[c])
			tuple = heap_modify_tuple_by_cols(tuple, tupdesc, 1, &columns[c], &values[c], &nulls[c]);
	return tuple;
}

/* BEFORE INSERT OR UPDATE OR DELETE on credit_note_lines: only a draft's lines change. */
static Datum credit_note_lines_guard_on_this_node(FunctionCallInfo fcinfo);

PG_FUNCTION_INFO_V1(credit_note_lines_guard);
Datum
credit_note_lines_guard(PG_FUNCTION_ARGS)
{
	return invoice_trigger_on_shard(fcinfo, "credit_note_lines", credit_note_lines_guard_on_this_node);
}

static Datum
credit_note_lines_guard_on_this_node(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr plan = NULL;
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tuple = trigdata->tg_trigtuple;
	HeapTuple	result = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : tuple;
	TupleDesc	tupdesc = RelationGetDescr(trigdata->tg_relation);
	bool		isnull;
	bool		line_id_null;
	Datum		line_id;
	int			nest_level;
	Datum		key[2];

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "credit_note_lines_guard must be a BEFORE ROW trigger");
	key[0] = heap_getattr(tuple, SPI_fnumber(tupdesc, "org_id"), tupdesc, &isnull);
	if (isnull)
		PG_RETURN_POINTER(result);	/* 23502 follows */
	key[1] = heap_getattr(tuple, SPI_fnumber(tupdesc, "credit_note_id"), tupdesc, &isnull);
	if (isnull)
		PG_RETURN_POINTER(result);

	SPI_connect();
	nest_level = invoice_pin_search_path();
	invoice_prepare(&plan,
					"SELECT n.status FROM invoice.credit_notes n"
					" WHERE n.org_id = $1 AND n.credit_note_id = $2 FOR SHARE",
					2, (Oid[]) {TEXTOID, TEXTOID});
	if (SPI_execute_plan(plan, key, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "credit note lookup failed");
	/* a missing note is the foreign key's to report; an issued one is frozen */
	if (SPI_processed == 1 &&
		strcmp(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1), "draft") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_FROZEN),
				 errmsg("credit note \"%s\" is issued: its lines cannot be changed", TextDatumGetCString(key[1]))));
	if (!TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) && !credit_note_issuing)
	{
		Datum		new_key[2];
		bool		key_null[2];

		new_key[0] = heap_getattr(result, SPI_fnumber(tupdesc, "org_id"), tupdesc, &key_null[0]);
		new_key[1] = heap_getattr(result, SPI_fnumber(tupdesc, "credit_note_id"), tupdesc, &key_null[1]);
		line_id = heap_getattr(result, SPI_fnumber(tupdesc, "line_id"), tupdesc, &line_id_null);
		if (!line_id_null && !key_null[0] && !key_null[1])
			result = SPI_copytuple(check_line_credit(result, tupdesc, new_key[0], new_key[1], line_id));
	}
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_POINTER(result);
}

/*
 * BEFORE INSERT OR UPDATE OR DELETE on credit_notes: a note is created as a
 * draft, issued only by credit_note_issue, and never changed or deleted once
 * issued — it is a tax document.
 */
static Datum credit_note_guard_on_this_node(FunctionCallInfo fcinfo);

PG_FUNCTION_INFO_V1(credit_note_guard);
Datum
credit_note_guard(PG_FUNCTION_ARGS)
{
	return invoice_trigger_on_shard(fcinfo, "credit_notes", credit_note_guard_on_this_node);
}

static Datum
credit_note_guard_on_this_node(FunctionCallInfo fcinfo)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc = RelationGetDescr(trigdata->tg_relation);
	int			status_att = SPI_fnumber(tupdesc, "status");
	int			total_att = SPI_fnumber(tupdesc, "total");
	HeapTuple	old = trigdata->tg_trigtuple;
	bool		isnull;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "credit_note_guard must be a BEFORE ROW trigger");
	/* a NULL status is the NOT NULL constraint's to report (23502) */
	if (heap_attisnull(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : old, status_att, tupdesc))
		PG_RETURN_POINTER(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : old);
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		if (strcmp(SPI_getvalue(old, tupdesc, status_att), "draft") != 0 ||
			DatumGetCents(heap_getattr(old, total_att, tupdesc, &isnull)) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVOICE_INVALID_TRANSITION),
					 errmsg("credit notes are created as drafts without amounts"),
					 errhint("Add lines and issue it with invoice.credit_note_issue(id).")));
		PG_RETURN_POINTER(old);
	}
	if (!credit_note_issuing &&
		(strcmp(SPI_getvalue(old, tupdesc, status_att), "draft") != 0 ||
		 (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) &&
		  (strcmp(SPI_getvalue(trigdata->tg_newtuple, tupdesc, status_att), "draft") != 0 ||
		   DatumGetCents(heap_getattr(trigdata->tg_newtuple, total_att, tupdesc, &isnull)) != 0))))
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_FROZEN),
				 errmsg("credit note \"%s\" is issued or being issued only by credit_note_issue: it cannot be changed",
						SPI_getvalue(old, tupdesc, SPI_fnumber(tupdesc, "credit_note_id"))),
				 errdetail("An issued credit note is a tax document; correct it with another one.")));
	PG_RETURN_POINTER(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : old);
}
