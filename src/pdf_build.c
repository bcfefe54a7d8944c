/*
 * pdf_build.c
 *		What every builder of a PDF shares (pdf_doc.h): reading rows inside
 *		SPI, as the caller, in the document's memory context; the supplier's
 *		and the customer's blocks; tables built column by column.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "invoice.h"
#include "lib/stringinfo.h"
#include "pdf_doc.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

/* ---------------------------------------------------------------------------
 * Reading rows (inside SPI, as the caller, with the search path pinned).
 */

Row
spi_row(uint64 i)
{
	Row			r = {SPI_tuptable->vals[i], SPI_tuptable->tupdesc};

	return r;
}

static int
row_column(Row r, const char *name)
{
	int			n = SPI_fnumber(r.desc, name);

	if (n <= 0)
		elog(ERROR, "column \"%s\" missing from a document query", name);
	return n;
}

Datum
row_datum(Row r, const char *name, bool *isnull)
{
	return SPI_getbinval(r.tuple, r.desc, row_column(r, name), isnull);
}

bool
row_isnull(Row r, const char *name)
{
	bool		isnull;

	(void) row_datum(r, name, &isnull);
	return isnull;
}

/* A text column ready for the page, or NULL. */
char *
row_text(Row r, const char *name)
{
	char	   *s = SPI_getvalue(r.tuple, r.desc, row_column(r, name));

	return s ? clean_text(s) : NULL;
}

Cents
row_cents(Row r, const char *name)
{
	bool		isnull;
	Datum		d = row_datum(r, name, &isnull);

	return isnull ? 0 : DatumGetCents(d);
}

bool
row_bool(Row r, const char *name)
{
	bool		isnull;
	Datum		d = row_datum(r, name, &isnull);

	return !isnull && DatumGetBool(d);
}

char *
row_date(Row r, const char *name)
{
	bool		isnull;
	Datum		d = row_datum(r, name, &isnull);

	return isnull ? NULL : format_date(DatumGetTimestampTz(d));
}

/* A rate column as "18%", or NULL. */
char *
row_percent(Row r, const char *name)
{
	bool		isnull;
	Datum		d = row_datum(r, name, &isnull);

	return isnull ? NULL : psprintf("%s%%", format_numeric(d, 0, "", false));
}

/*
 * A line's tax column: for a supply that charges no tax (column gst_treatment,
 * NULL outside GST documents) what it is — "Nil rated", "Exempt", "Non-GST"
 * (README "GST treatment") —, else its rate (column tax_rate) as "18%".
 */
char *
row_tax_column(Row r)
{
	char	   *treatment = row_text(r, "gst_treatment");

	if (treatment == NULL || strcmp(treatment, "taxable") == 0)
		return row_percent(r, "tax_rate");
	if (strcmp(treatment, "nil_rated") == 0)
		return "Nil rated";
	if (strcmp(treatment, "exempt") == 0)
		return "Exempt";
	return "Non-GST";
}

/*
 * SPI leaves its own procedure context current after preparing or running a
 * statement, and frees it at SPI_finish; these two give the builder back the
 * document's context, where everything it allocates must live.
 */
void
prepare(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes)
{
	MemoryContext cxt = CurrentMemoryContext;

	invoice_prepare(cache, sql, nargs, argtypes);
	MemoryContextSwitchTo(cxt);
}

void
run_query(SPIPlanPtr plan, Datum *values, const char *what)
{
	MemoryContext cxt = CurrentMemoryContext;

	if (SPI_execute_plan(plan, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "%s query failed", what);
	MemoryContextSwitchTo(cxt);
}

/* The lines that are there, one under the other; NULL when none is. */
char *
join_lines(int n, const char *const *parts)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
		if (parts[i] && parts[i][0])
			appendStringInfo(&buf, "%s%s", buf.len > 0 ? "\n" : "", parts[i]);
	return buf.len > 0 ? buf.data : NULL;
}

/* The member name of a document in an archive: its number, '/' made '-'. */
char *
file_name_for(const char *reference)
{
	char	   *name = psprintf("%s.pdf", reference);

	for (char *p = name; *p; p++)
		if (*p == '/')
			*p = '-';
	return name;
}

/* The supplier block, from the one-row invoice.supplier (its GST registration when it has one). */
void
doc_supplier(Doc *doc)
{
	static SPIPlanPtr plan = NULL;
	Row			r;
	char	   *gstin;
	char	   *state;

	prepare(&plan, "SELECT s.legal_name, s.address, s.email, s.gstin, s.state_code FROM invoice.supplier s",
			0, NULL);
	run_query(plan, NULL, "supplier");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the supplier is not configured"),
				 errdetail("Every document names its supplier, and invoice.supplier is empty."),
				 errhint("INSERT INTO invoice.supplier (legal_name, address, email) VALUES (…).")));
	r = spi_row(0);
	gstin = row_text(r, "gstin");
	state = row_text(r, "state_code");
	doc->supplier_name = row_text(r, "legal_name");
	doc->supplier_details = join_lines(4, (const char *[]) {
		row_text(r, "address"), row_text(r, "email"),
			gstin ? psprintf("GSTIN: %s", gstin) : NULL,
			state ? psprintf("State: %s", format_state(state)) : NULL});
}

/* The customer block: org_name, billing_address, billing_email, gstin and org_id of r. */
void
doc_party(Doc *doc, Row r, const char *heading)
{
	char	   *org_id = row_text(r, "org_id");
	char	   *name = row_text(r, "org_name");
	char	   *gstin = row_text(r, "org_gstin");

	doc->party_heading = heading;
	doc->party_name = name ? name : org_id;
	doc->party_details = join_lines(4, (const char *[]) {
		row_text(r, "billing_address"), row_text(r, "billing_email"),
			gstin ? psprintf("GSTIN: %s", gstin) : NULL,
			psprintf("Customer ID: %s", org_id)});
}

/* A table with the columns whose show[] is true; rows are added whole and compacted alike. */
DocTable *
table_of(const char *heading, const DocColumn *all, int n, const bool *show)
{
	DocTable   *t = palloc0(sizeof(DocTable));

	t->heading = heading;
	for (int c = 0; c < n; c++)
		if (show == NULL || show[c])
		{
			if (t->ncolumns == DOC_MAX_COLUMNS)
				elog(ERROR, "a document table has more than %d columns", DOC_MAX_COLUMNS);
			t->columns[t->ncolumns++] = all[c];
		}
	return t;
}

void
table_add_row(DocTable *t, char *const *cells, int n, const bool *show)
{
	char	  **row = palloc(t->ncolumns * sizeof(char *));
	int			k = 0;

	for (int c = 0; c < n; c++)
		if (show == NULL || show[c])
			row[k++] = cells[c];
	t->rows = lappend(t->rows, row);
}

