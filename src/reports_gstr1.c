/*
 * reports_gstr1.c
 *		gstr1(gstin, fp): the GSTR-1 return of a month as one document in the
 *		GST portal's JSON (README "GSTR-1").
 *
 * Three queries over the views of sql/ext/85_reports.sql, the one definition
 * of what each table holds: the month's invoice lines (gstr1_lines, read
 * once: b2b, b2cl and exp line by line, b2cs, nil and hsn added up in SQL
 * with the month's credit notes of b2cs invoices and credit note lines),
 * its credit notes per rate (cdnr, cdnur), its documents per series
 * (doc_issue).  Each comes sorted in the document's order, and this file
 * writes the text in one pass: an invoice's lines at one rate make one
 * item, numbered in rate order.  json_build_object and json_agg wrote the
 * same text (their spacing, amounts in rupees with two decimals) at about a
 * third of the call's time (README "Benchmarks", reports).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "cents.h"
#include "cents_parse.h"
#include "executor/spi.h"
#include "invoice.h"
#include "json_write.h"
#include "reports.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgroids.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

/*
 * The columns every row of GSTR1_LINES_SQL and GSTR1_NOTES_SQL has.  part is
 * the section (GstrPart), o, k, doc, org_id, doc_id and rt its order:
 * a section's rows come grouped by k (the recipient, place of supply or
 * export type), then by document, then by rate.
 */
typedef enum GstrCol
{
	C_PART, C_O, C_K, C_DOC, C_ORG, C_DOC_ID, C_DT, C_VAL, C_POS, C_RCHRG, C_INV_TYP, C_TYP,
	C_NTTY, C_SPLY_TY, C_RT, C_HSN_SC, C_UQC, C_QTY, C_TXVAL, C_IAMT, C_CAMT, C_SAMT, C_CSAMT,
	C_NIL, C_EXPT, C_NGSUP,
	C_COUNT
} GstrCol;

static const char *const col_names[C_COUNT] = {
	"part", "o", "k", "doc", "org_id", "doc_id", "dt", "val", "pos", "rchrg", "inv_typ", "typ",
	"ntty", "sply_ty", "rt", "hsn_sc", "uqc", "qty", "txval", "iamt", "camt", "samt", "csamt",
	"nil_amt", "expt_amt", "ngsup_amt"
};

typedef enum GstrPart
{
	P_B2B = 1, P_B2CL, P_B2CS, P_EXP, P_NIL, P_HSN,		/* GSTR1_LINES_SQL */
	P_CDNR = 1, P_CDNUR = 2		/* GSTR1_NOTES_SQL */
} GstrPart;

/*
 * The month's ($1, its first day) lines of the supplier's ($2) GSTIN, and
 * its credit note lines, each read once.  b2b, b2cl, exp: line by line, as gstr1_invoices adds them up per
 * invoice and rate; b2cs per supply type, place and rate, less the b2cs
 * invoices' credit notes of the month, as gstr1_b2cs; nil
 * per supply type and treatment, less the month's credit note lines of table 8,
 * as gstr1_nil; hsn per list, code and rate with the month's
 * credit note lines as gstr1_hsn (test/pgtap/reports_gstr1*.sql compare the
 * document with the views).
 */
#define GSTR1_LINES_SQL \
	"WITH l AS MATERIALIZED (" \
	"  SELECT x.section, x.invoice_section, x.ctin, x.pos, x.exp_typ, x.org_id, x.invoice_id, x.inum, x.idt, x.val, x.rchrg," \
	"         x.inv_typ, x.sply_ty, x.nil_sply_ty, x.rt, x.hsn_sac, x.qty, x.txval, x.iamt, x.camt, x.samt, x.csamt," \
	"         x.gst_treatment" \
	"    FROM invoice.gstr1_lines x" \
	"   WHERE x.month = $1 AND x.gstin = $2)," \
	" n AS MATERIALIZED (" \
	"  SELECT n.section, n.line_section, n.nil_sply_ty, n.gst_treatment, n.hsn_sac, n.rt, n.txval, n.iamt, n.camt," \
	"         n.samt, n.csamt" \
	"    FROM invoice.gstr1_note_lines n" \
	"   WHERE n.month = $1 AND n.gstin = $2)" \
	"SELECT CASE x.section WHEN 'b2b' THEN 1 WHEN 'b2cl' THEN 2 ELSE 4 END AS part," \
	"       CASE WHEN x.section = 'exp' AND x.exp_typ <> 'WPAY' THEN 1 ELSE 0 END AS o," \
	"       CASE x.section WHEN 'b2b' THEN x.ctin WHEN 'b2cl' THEN x.pos ELSE x.exp_typ END AS k," \
	"       x.inum AS doc, x.org_id, x.invoice_id AS doc_id, x.idt AS dt, x.val, x.pos, x.rchrg, x.inv_typ," \
	"       NULL::text AS typ, NULL::text AS ntty, NULL::text AS sply_ty, x.rt, NULL::text AS hsn_sc," \
	"       NULL::text AS uqc, NULL::numeric AS qty, x.txval, x.iamt, x.camt, x.samt, x.csamt," \
	"       NULL::@cents@.cents AS nil_amt, NULL::@cents@.cents AS expt_amt, NULL::@cents@.cents AS ngsup_amt" \
	"  FROM l x" \
	" WHERE x.section IN ('b2b', 'b2cl', 'exp')" \
	" UNION ALL " \
	"SELECT 3, 0, x.pos, x.sply_ty, NULL, NULL, NULL, NULL, x.pos, NULL, NULL, 'OE', NULL, x.sply_ty, x.rt," \
	"       NULL, NULL, NULL, @cents@.sum(x.txval), @cents@.sum(x.iamt), @cents@.sum(x.camt), @cents@.sum(x.samt)," \
	"       @cents@.sum(x.csamt), NULL, NULL, NULL" \
	"  FROM (SELECT x.sply_ty, x.pos, x.rt, x.txval, x.iamt, x.camt, x.samt, x.csamt FROM l x WHERE x.section = 'b2cs'" \
	"        UNION ALL" \
	"        SELECT n.sply_ty, n.pos, n.rt, OPERATOR(@cents@.-) n.txval, OPERATOR(@cents@.-) n.iamt," \
	"               OPERATOR(@cents@.-) n.camt, OPERATOR(@cents@.-) n.samt, OPERATOR(@cents@.-) n.csamt" \
	"          FROM invoice.gstr1_notes n" \
	"         WHERE n.month = $1 AND n.gstin = $2 AND n.section = 'b2cs' AND n.rt <> 0) x" \
	" GROUP BY x.sply_ty, x.pos, x.rt" \
	" UNION ALL " \
	"SELECT 5, array_position('{INTRB2B,INTRAB2B,INTRB2C,INTRAB2C}'::text[], x.nil_sply_ty), x.nil_sply_ty, NULL," \
	"       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, x.nil_sply_ty, NULL, NULL, NULL, NULL, NULL," \
	"       NULL, NULL, NULL, NULL," \
	"       coalesce(@cents@.sum(x.txval) FILTER (WHERE x.gst_treatment IN ('taxable', 'nil_rated')), '0')," \
	"       coalesce(@cents@.sum(x.txval) FILTER (WHERE x.gst_treatment = 'exempt'), '0')," \
	"       coalesce(@cents@.sum(x.txval) FILTER (WHERE x.gst_treatment = 'non_gst'), '0')" \
	"  FROM (SELECT x.nil_sply_ty, x.gst_treatment, x.txval FROM l x WHERE x.section = 'nil'" \
	"        UNION ALL" \
	"        SELECT n.nil_sply_ty, n.gst_treatment, n.txval FROM n WHERE n.line_section = 'nil') x" \
	" GROUP BY x.nil_sply_ty" \
	" UNION ALL " \
	"SELECT 6, CASE h.hsn_table WHEN 'hsn_b2c' THEN 1 ELSE 0 END, h.hsn_sac, NULL, NULL, NULL, NULL," \
	"       @cents@.sum(h.txval) OPERATOR(@cents@.+) @cents@.sum(h.iamt) OPERATOR(@cents@.+) @cents@.sum(h.camt)" \
	"         OPERATOR(@cents@.+) @cents@.sum(h.samt)," \
	"       NULL, NULL, NULL, h.hsn_table, NULL, NULL, h.rt, h.hsn_sac," \
	"       CASE WHEN h.hsn_sac LIKE '99%' THEN 'NA' ELSE 'OTH' END," \
	"       CASE WHEN h.hsn_sac LIKE '99%' THEN 0 ELSE sum(h.qty) END," \
	"       @cents@.sum(h.txval), @cents@.sum(h.iamt), @cents@.sum(h.camt), @cents@.sum(h.samt), @cents@.sum(h.csamt)," \
	"       NULL, NULL, NULL" \
	"  FROM (SELECT invoice.gstr1_hsn_table($1, x.invoice_section) AS hsn_table, x.hsn_sac, x.rt, x.qty, x.txval," \
	"               x.iamt, x.camt, x.samt, x.csamt FROM l x" \
	"        UNION ALL" \
	"        SELECT invoice.gstr1_hsn_table($1, n.section), n.hsn_sac, n.rt, 0, n.txval, n.iamt, n.camt, n.samt, n.csamt" \
	"          FROM n) h" \
	" GROUP BY h.hsn_table, h.hsn_sac, h.rt" \
	" ORDER BY part, o, k, doc, org_id, doc_id, rt"

/* The month's credit notes per rate: cdnr as gstr1_cdnr, cdnur as gstr1_cdnur. */
#define GSTR1_NOTES_SQL \
	"SELECT 1 AS part, 0 AS o, x.ctin AS k, x.nt_num AS doc, x.org_id, x.credit_note_id AS doc_id," \
	"       x.nt_dt::timestamp AT TIME ZONE 'UTC' AS dt, x.val, x.pos, x.rchrg, x.inv_typ, NULL::text AS typ," \
	"       x.ntty, NULL::text AS sply_ty, x.rt, NULL::text AS hsn_sc, NULL::text AS uqc, NULL::numeric AS qty," \
	"       x.txval, x.iamt, x.camt, x.samt, x.csamt," \
	"       NULL::@cents@.cents AS nil_amt, NULL::@cents@.cents AS expt_amt, NULL::@cents@.cents AS ngsup_amt" \
	"  FROM invoice.gstr1_cdnr x" \
	" WHERE x.month = $1 AND x.gstin = $2" \
	" UNION ALL " \
	"SELECT 2, 0, NULL, x.nt_num, x.org_id, x.credit_note_id, x.nt_dt::timestamp AT TIME ZONE 'UTC', x.val, x.pos," \
	"       NULL, NULL, x.typ, x.ntty, NULL, x.rt, NULL, NULL, NULL, x.txval, x.iamt, NULL, NULL, x.csamt," \
	"       NULL, NULL, NULL" \
	"  FROM invoice.gstr1_cdnur x" \
	" WHERE x.month = $1 AND x.gstin = $2" \
	" ORDER BY part, o, k, doc, org_id, doc_id, rt"

/* The month's documents per series (doc_issue), as gstr1_doc_issue counts them. */
#define GSTR1_DOCS_SQL \
	"SELECT x.doc_num, x.doc_typ, x.\"from\", x.\"to\", x.totnum, x.cancel, x.net_issue" \
	"  FROM invoice.gstr1_doc_issue x" \
	" WHERE x.month = $1 AND x.gstin = $2" \
	" ORDER BY x.doc_num, x.series"

/* A query's rows, deformed once. */
typedef struct GstrRows
{
	uint64		n;
	Datum	   *values;			/* n × C_COUNT */
	bool	   *nulls;
	FmgrInfo	numeric_out;
} GstrRows;

#define V(rows, i, c)	((rows)->values[(i) * C_COUNT + (c)])
#define N(rows, i, c)	((rows)->nulls[(i) * C_COUNT + (c)])

static void
rows_load(GstrRows *rows, const char *sql, Datum *args)
{
	SPITupleTable *table;
	int			attnums[C_COUNT];
	Datum	   *values;
	bool	   *nulls;

	if (invoice_execute_with_args(sql, 2, (Oid[]) {DATEOID, TEXTOID}, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "a GSTR-1 query failed");
	table = SPI_tuptable;
	rows->n = SPI_processed;
	for (int c = 0; c < C_COUNT; c++)
		if ((attnums[c] = SPI_fnumber(table->tupdesc, col_names[c])) <= 0)
			elog(ERROR, "GSTR-1 query without column \"%s\"", col_names[c]);
	rows->values = palloc(Max(rows->n, 1) * C_COUNT * sizeof(Datum));
	rows->nulls = palloc(Max(rows->n, 1) * C_COUNT * sizeof(bool));
	values = palloc(table->tupdesc->natts * sizeof(Datum));
	nulls = palloc(table->tupdesc->natts * sizeof(bool));
	for (uint64 i = 0; i < rows->n; i++)
	{
		heap_deform_tuple(table->vals[i], table->tupdesc, values, nulls);
		for (int c = 0; c < C_COUNT; c++)
		{
			V(rows, i, c) = values[attnums[c] - 1];
			N(rows, i, c) = nulls[attnums[c] - 1];
		}
	}
	fmgr_info(F_NUMERIC_OUT, &rows->numeric_out);
}

static bool
text_equal(Datum a, Datum b)
{
	text	   *x = (text *) PG_DETOAST_DATUM_PACKED(a);
	text	   *y = (text *) PG_DETOAST_DATUM_PACKED(b);

	return VARSIZE_ANY_EXHDR(x) == VARSIZE_ANY_EXHDR(y) &&
		memcmp(VARDATA_ANY(x), VARDATA_ANY(y), VARSIZE_ANY_EXHDR(x)) == 0;
}

/* Rows i and j agree on column c (text; NULL equals NULL). */
static bool
same_text(GstrRows *rows, uint64 i, uint64 j, GstrCol c)
{
	if (N(rows, i, c) || N(rows, j, c))
		return N(rows, i, c) && N(rows, j, c);
	return text_equal(V(rows, i, c), V(rows, j, c));
}

static bool
same_rate(GstrRows *rows, uint64 i, uint64 j)
{
	if (N(rows, i, C_RT) || N(rows, j, C_RT))
		return N(rows, i, C_RT) && N(rows, j, C_RT);
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, V(rows, i, C_RT), V(rows, j, C_RT))) == 0;
}

/* ", " between the elements of an array or object, after the first. */
static void
separate(StringInfo buf, bool *first)
{
	if (!*first)
		appendBinaryStringInfo(buf, ", ", 2);
	*first = false;
}

static void
put_key(StringInfo buf, const char *key, bool *first)
{
	separate(buf, first);
	json_write_key(buf, key);
}

/* A cents amount as rupees with two decimals (cents::numeric's text). */
static void
put_rupees(StringInfo buf, Cents amount)
{
	char		text[CENTS_FORMAT_BUFSIZE];

	appendBinaryStringInfo(buf, text, cents_format(amount, text));
}

/* Column c of row i as the JSON value of its kind; null when NULL. */
static void
put_value(StringInfo buf, GstrRows *rows, uint64 i, GstrCol c)
{
	Datum		value = V(rows, i, c);

	if (N(rows, i, c))
	{
		appendBinaryStringInfo(buf, "null", 4);
		return;
	}
	switch (c)
	{
		case C_VAL:
		case C_TXVAL:
		case C_IAMT:
		case C_CAMT:
		case C_SAMT:
		case C_CSAMT:
		case C_NIL:
		case C_EXPT:
		case C_NGSUP:
			put_rupees(buf, DatumGetCents(value));
			break;
		case C_RT:
		case C_QTY:
			appendStringInfoString(buf, OutputFunctionCall(&rows->numeric_out, value));
			break;
		case C_DT:
			{
				/* to_char(dt AT TIME ZONE 'UTC', 'DD-MM-YYYY') */
				struct pg_tm tm;
				fsec_t		fsec;

				if (TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(value)) ||
					timestamp2tm(DatumGetTimestampTz(value), NULL, &tm, &fsec, NULL, NULL) != 0)
					ereport(ERROR,
							(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
							 errmsg("timestamp out of range")));
				appendStringInfo(buf, "\"%02d-%02d-%04d\"", tm.tm_mday, tm.tm_mon,
								 tm.tm_year > 0 ? tm.tm_year : -(tm.tm_year - 1));
			}
			break;
		default:
			{
				char	   *string = TextDatumGetCString(value);

				escape_json(buf, string);
				pfree(string);
			}
			break;
	}
}

static void
put_field(StringInfo buf, const char *key, GstrRows *rows, uint64 i, GstrCol c, bool *first)
{
	put_key(buf, key, first);
	put_value(buf, rows, i, c);
}

/* One key of a section's object: its name and column. */
typedef struct GstrField
{
	const char *key;
	GstrCol		col;
} GstrField;

#define END_FIELDS {NULL, C_COUNT}

/*
 * The shape of a section of documents (b2b, b2cl, exp, cdnr, cdnur): grouped
 * under group_key (none for cdnur) in list_key, each document's fields, then
 * its items per rate ("num" and "itm_det" unless flat).
 */
typedef struct GstrShape
{
	const char *group_key;
	const char *list_key;
	const GstrField *doc_fields;
	const GstrField *item_fields;
	bool		flat_items;
} GstrShape;

static const GstrField b2b_doc[] = {{"inum", C_DOC}, {"idt", C_DT}, {"val", C_VAL}, {"pos", C_POS},
{"rchrg", C_RCHRG}, {"inv_typ", C_INV_TYP}, END_FIELDS};
static const GstrField b2cl_doc[] = {{"inum", C_DOC}, {"idt", C_DT}, {"val", C_VAL}, END_FIELDS};
static const GstrField cdnr_doc[] = {{"ntty", C_NTTY}, {"nt_num", C_DOC}, {"nt_dt", C_DT}, {"val", C_VAL},
{"pos", C_POS}, {"rchrg", C_RCHRG}, {"inv_typ", C_INV_TYP}, END_FIELDS};
static const GstrField cdnur_doc[] = {{"typ", C_TYP}, {"ntty", C_NTTY}, {"nt_num", C_DOC}, {"nt_dt", C_DT},
{"val", C_VAL}, {"pos", C_POS}, END_FIELDS};
static const GstrField items_igst_cgst[] = {{"rt", C_RT}, {"txval", C_TXVAL}, {"iamt", C_IAMT},
{"camt", C_CAMT}, {"samt", C_SAMT}, {"csamt", C_CSAMT}, END_FIELDS};
static const GstrField items_igst[] = {{"rt", C_RT}, {"txval", C_TXVAL}, {"iamt", C_IAMT},
{"csamt", C_CSAMT}, END_FIELDS};
static const GstrField items_exp[] = {{"txval", C_TXVAL}, {"rt", C_RT}, {"iamt", C_IAMT},
{"csamt", C_CSAMT}, END_FIELDS};

static const GstrShape b2b_shape = {"ctin", "inv", b2b_doc, items_igst_cgst, false};
static const GstrShape b2cl_shape = {"pos", "inv", b2cl_doc, items_igst, false};
static const GstrShape exp_shape = {"exp_typ", "inv", b2cl_doc, items_exp, true};
static const GstrShape cdnr_shape = {"ctin", "nt", cdnr_doc, items_igst_cgst, false};
static const GstrShape cdnur_shape = {NULL, NULL, cdnur_doc, items_igst, false};

/* The amounts an item adds up over the lines of one document at one rate. */
static const GstrCol item_sums[] = {C_TXVAL, C_IAMT, C_CAMT, C_SAMT, C_CSAMT};

/*
 * One item: rows [from, to) are one document's lines at one rate; their
 * amounts add up into row from (overflow raises 22003, as sum() would).
 */
static void
put_item(StringInfo buf, GstrRows *rows, uint64 from, uint64 to, const GstrShape *shape, int num)
{
	bool		first = true;

	for (uint64 j = from + 1; j < to; j++)
		for (int s = 0; s < (int) lengthof(item_sums); s++)
			if (!N(rows, j, item_sums[s]))
			{
				V(rows, from, item_sums[s]) = N(rows, from, item_sums[s])
					? V(rows, j, item_sums[s])
					: CentsGetDatum(cents_add(DatumGetCents(V(rows, from, item_sums[s])),
											  DatumGetCents(V(rows, j, item_sums[s]))));
				N(rows, from, item_sums[s]) = false;
			}
	appendStringInfoChar(buf, '{');
	if (!shape->flat_items)
	{
		appendStringInfo(buf, "\"num\" : %d, \"itm_det\" : {", num);
	}
	for (const GstrField *f = shape->item_fields; f->key; f++)
		put_field(buf, f->key, rows, from, f->col, &first);
	if (!shape->flat_items)
		appendStringInfoChar(buf, '}');
	appendStringInfoChar(buf, '}');
}

/* One document: rows [from, to), sorted by rate. */
static void
put_document(StringInfo buf, GstrRows *rows, uint64 from, uint64 to, const GstrShape *shape)
{
	bool		first = true;
	bool		first_item = true;
	int			num = 0;
	Datum		b2cl = CStringGetTextDatum("B2CL");

	appendStringInfoChar(buf, '{');
	for (const GstrField *f = shape->doc_fields; f->key; f++)
	{
		/* a credit note of an export has no place of supply */
		if (shape == &cdnur_shape && f->col == C_POS && !text_equal(V(rows, from, C_TYP), b2cl))
			continue;
		put_field(buf, f->key, rows, from, f->col, &first);
	}
	put_key(buf, "itms", &first);
	appendStringInfoChar(buf, '[');
	for (uint64 i = from; i < to;)
	{
		uint64		end = i + 1;

		while (end < to && same_rate(rows, i, end))
			end++;
		separate(buf, &first_item);
		put_item(buf, rows, i, end, shape, ++num);
		i = end;
	}
	appendBinaryStringInfo(buf, "]}", 2);
}

/* Rows [from, to) of one document section, in its shape. */
static void
put_documents(StringInfo buf, GstrRows *rows, uint64 from, uint64 to, const GstrShape *shape)
{
	bool		first_group = true;

	appendStringInfoChar(buf, '[');
	for (uint64 g = from; g < to;)
	{
		uint64		group_end = g + 1;
		bool		first_doc = true;

		if (shape->group_key)
		{
			bool		first = true;

			while (group_end < to && same_text(rows, g, group_end, C_K))
				group_end++;
			separate(buf, &first_group);
			appendStringInfoChar(buf, '{');
			put_field(buf, shape->group_key, rows, g, C_K, &first);
			put_key(buf, shape->list_key, &first);
			appendStringInfoChar(buf, '[');
		}
		else
			group_end = to;
		for (uint64 d = g; d < group_end;)
		{
			uint64		doc_end = d + 1;

			while (doc_end < group_end && same_text(rows, d, doc_end, C_ORG) && same_text(rows, d, doc_end, C_DOC_ID))
				doc_end++;
			separate(buf, shape->group_key ? &first_doc : &first_group);
			put_document(buf, rows, d, doc_end, shape);
			d = doc_end;
		}
		if (shape->group_key)
			appendBinaryStringInfo(buf, "]}", 2);
		g = group_end;
	}
	appendStringInfoChar(buf, ']');
}

/* Rows [from, to), one object each. */
static void
put_objects(StringInfo buf, GstrRows *rows, uint64 from, uint64 to, const GstrField *fields)
{
	bool		first_row = true;

	appendStringInfoChar(buf, '[');
	for (uint64 i = from; i < to; i++)
	{
		bool		first = true;

		separate(buf, &first_row);
		appendStringInfoChar(buf, '{');
		for (const GstrField *f = fields; f->key; f++)
			put_field(buf, f->key, rows, i, f->col, &first);
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoChar(buf, ']');
}

static const GstrField b2cs_fields[] = {{"sply_ty", C_SPLY_TY}, {"pos", C_POS}, {"typ", C_TYP}, {"rt", C_RT},
{"txval", C_TXVAL}, {"iamt", C_IAMT}, {"camt", C_CAMT}, {"samt", C_SAMT}, {"csamt", C_CSAMT}, END_FIELDS};
static const GstrField nil_fields[] = {{"sply_ty", C_SPLY_TY}, {"expt_amt", C_EXPT}, {"nil_amt", C_NIL},
{"ngsup_amt", C_NGSUP}, END_FIELDS};
/* after "num", "hsn_sc" and "desc" (no description: the price book has none) */
static const GstrField hsn_fields[] = {{"uqc", C_UQC},
{"qty", C_QTY}, {"rt", C_RT}, {"val", C_VAL}, {"txval", C_TXVAL}, {"iamt", C_IAMT}, {"camt", C_CAMT},
{"samt", C_SAMT}, {"csamt", C_CSAMT}, END_FIELDS};

/*
 * hsn: rows [from, to), one list per table (typ: "data", or "hsn_b2b" and
 * "hsn_b2c"), each numbered from 1.
 */
static void
put_hsn(StringInfo buf, GstrRows *rows, uint64 from, uint64 to)
{
	bool		first_list = true;

	appendStringInfoChar(buf, '{');
	for (uint64 t = from; t < to;)
	{
		uint64		end = t + 1;
		bool		first_row = true;

		while (end < to && same_text(rows, t, end, C_TYP))
			end++;
		separate(buf, &first_list);
		put_value(buf, rows, t, C_TYP);
		appendBinaryStringInfo(buf, " : [", 4);
		for (uint64 i = t; i < end; i++)
		{
			bool		first = false;

			separate(buf, &first_row);
			appendStringInfo(buf, "{\"num\" : %d, \"hsn_sc\" : ", (int) (i - t + 1));
			put_value(buf, rows, i, C_HSN_SC);
			appendStringInfoString(buf, ", \"desc\" : \"\"");
			for (const GstrField *f = hsn_fields; f->key; f++)
				put_field(buf, f->key, rows, i, f->col, &first);
			appendStringInfoChar(buf, '}');
		}
		appendStringInfoChar(buf, ']');
		t = end;
	}
	appendStringInfoChar(buf, '}');
}

/* doc_issue: {"doc_det" : [{"doc_num", "doc_typ", "docs" : [{"num", "from", …}]}]} */
static void
put_doc_issue(StringInfo buf, SPITupleTable *table, uint64 n)
{
	static const char *const doc_keys[] = {"from", "to", "totnum", "cancel", "net_issue"};
	bool		first_type = true;

	appendStringInfoString(buf, "{\"doc_det\" : [");
	for (uint64 t = 0; t < n;)
	{
		char	   *doc_num = SPI_getvalue(table->vals[t], table->tupdesc, 1);
		uint64		end = t;
		bool		first_doc = true;

		separate(buf, &first_type);
		appendStringInfo(buf, "{\"doc_num\" : %s, \"doc_typ\" : ", doc_num);
		escape_json(buf, SPI_getvalue(table->vals[t], table->tupdesc, 2));
		appendStringInfoString(buf, ", \"docs\" : [");
		for (; end < n && strcmp(SPI_getvalue(table->vals[end], table->tupdesc, 1), doc_num) == 0; end++)
		{
			separate(buf, &first_doc);
			appendStringInfo(buf, "{\"num\" : %d", (int) (end - t + 1));
			for (int k = 0; k < (int) lengthof(doc_keys); k++)
			{
				char	   *value = SPI_getvalue(table->vals[end], table->tupdesc, k + 3);

				appendBinaryStringInfo(buf, ", ", 2);
				json_write_key(buf, doc_keys[k]);
				if (value == NULL)
					appendBinaryStringInfo(buf, "null", 4);
				else if (k < 2)
					escape_json(buf, value);
				else
					appendStringInfoString(buf, value);
			}
			appendStringInfoChar(buf, '}');
		}
		appendBinaryStringInfo(buf, "]}", 2);
		t = end;
	}
	appendBinaryStringInfo(buf, "]}", 2);
}

/* The first row at or after from whose part is not part. */
static uint64
part_end(GstrRows *rows, uint64 from, int part)
{
	while (from < rows->n && DatumGetInt32(V(rows, from, C_PART)) == part)
		from++;
	return from;
}

/*
 * gstr1(gstin, fp): the return of month fp (MMYYYY) for the supplier's GSTIN,
 * sections that have nothing left out (json_object_agg's spacing at the top).
 */
PG_FUNCTION_INFO_V1(invoice_gstr1);
Datum
invoice_gstr1(PG_FUNCTION_ARGS)
{
	StringInfoData doc;
	GstrRows	lines;
	GstrRows	notes;
	SPITupleTable *docs;
	uint64		ndocs;
	char	   *fp;
	Datum		args[2];
	uint64		at;
	uint64		notes_at;
	int			nest_level;

	invoice_check_gstr1(fcinfo);
	fp = text_to_cstring(PG_GETARG_TEXT_PP(1));
	args[0] = DirectFunctionCall3(make_date, Int32GetDatum(atoi(fp + 2)),
								  Int32GetDatum((fp[0] - '0') * 10 + (fp[1] - '0')), Int32GetDatum(1));
	args[1] = PG_GETARG_DATUM(0);

	/* the document's text is the json datum returned: a header, then the text */
	initStringInfo(&doc);
	appendStringInfoSpaces(&doc, VARHDRSZ);
	appendStringInfoString(&doc, "{ ");
	json_write_key(&doc, "gstin");
	escape_json(&doc, text_to_cstring(PG_GETARG_TEXT_PP(0)));
	appendBinaryStringInfo(&doc, ", ", 2);
	json_write_key(&doc, "fp");
	escape_json(&doc, fp);

	SPI_connect();
	nest_level = invoice_pin_search_path();
	rows_load(&lines, GSTR1_LINES_SQL, args);
	rows_load(&notes, GSTR1_NOTES_SQL, args);
	if (invoice_execute_with_args(GSTR1_DOCS_SQL, 2, (Oid[]) {DATEOID, TEXTOID}, args, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "the GSTR-1 documents query failed");
	docs = SPI_tuptable;
	ndocs = SPI_processed;
	enlargeStringInfo(&doc, (int) Min(lines.n * 96 + notes.n * 256 + 4096, MaxAllocSize / 2));

	at = 0;
	notes_at = 0;
	for (int part = P_B2B; part <= P_HSN; part++)
	{
		uint64		end;

		/* the notes' sections come after b2cs, in the portal's order */
		if (part == P_EXP)
			for (int note_part = P_CDNR; note_part <= P_CDNUR; note_part++)
			{
				end = part_end(&notes, notes_at, note_part);
				if (end > notes_at)
				{
					appendBinaryStringInfo(&doc, ", ", 2);
					json_write_key(&doc, note_part == P_CDNR ? "cdnr" : "cdnur");
					put_documents(&doc, &notes, notes_at, end, note_part == P_CDNR ? &cdnr_shape : &cdnur_shape);
				}
				notes_at = end;
			}
		end = part_end(&lines, at, part);
		if (end == at)
			continue;
		appendBinaryStringInfo(&doc, ", ", 2);
		switch (part)
		{
			case P_B2B:
				json_write_key(&doc, "b2b");
				put_documents(&doc, &lines, at, end, &b2b_shape);
				break;
			case P_B2CL:
				json_write_key(&doc, "b2cl");
				put_documents(&doc, &lines, at, end, &b2cl_shape);
				break;
			case P_B2CS:
				json_write_key(&doc, "b2cs");
				put_objects(&doc, &lines, at, end, b2cs_fields);
				break;
			case P_EXP:
				json_write_key(&doc, "exp");
				put_documents(&doc, &lines, at, end, &exp_shape);
				break;
			case P_NIL:
				json_write_key(&doc, "nil");
				appendStringInfoString(&doc, "{\"inv\" : ");
				put_objects(&doc, &lines, at, end, nil_fields);
				appendStringInfoChar(&doc, '}');
				break;
			case P_HSN:
				json_write_key(&doc, "hsn");
				put_hsn(&doc, &lines, at, end);
				break;
		}
		at = end;
	}
	if (at != lines.n || notes_at != notes.n)
		elog(ERROR, "GSTR-1 rows of an unknown section");
	if (ndocs > 0)
	{
		appendBinaryStringInfo(&doc, ", ", 2);
		json_write_key(&doc, "doc_issue");
		put_doc_issue(&doc, docs, ndocs);
	}
	appendBinaryStringInfo(&doc, " }", 2);
	invoice_unpin_search_path(nest_level);
	SPI_finish();

	SET_VARSIZE(doc.data, doc.len);
	PG_RETURN_POINTER(doc.data);
}
