/*
 * pdf_doc.h
 *		The document model of the PDFs (pdf_doc.c) and what a builder needs
 *		to describe a document in it: a Doc is text in blocks, nothing about
 *		pages; document_pdf() (pdf.c) lays any Doc out on A4 pages
 *		(pdf_layout.c).  The file map is in pdf.c's header.
 */
#ifndef INVOICE_PDF_DOC_H
#define INVOICE_PDF_DOC_H

#include "cents.h"
#include "executor/spi.h"
#include "nodes/pg_list.h"
#include "utils/timestamp.h"

#define DOC_MAX_COLUMNS 10

typedef struct Rgb
{
	float		r,
				g,
				b;
} Rgb;

typedef enum Align
{
	ALIGN_LEFT,
	ALIGN_RIGHT
} Align;

/* A right-aligned column holds figures: never wrapped, shrunk to fit instead. */
typedef struct DocColumn
{
	const char *title;
	float		width;			/* points; 0 takes what the others leave */
	Align		align;
} DocColumn;

typedef struct DocTable
{
	const char *heading;
	int			ncolumns;
	DocColumn	columns[DOC_MAX_COLUMNS];
	List	   *rows;			/* of char *[ncolumns]; NULL cells stay empty */
} DocTable;

typedef enum Emphasis
{
	EMPHASIS_NONE,
	EMPHASIS_TOTAL,				/* bold, ruled above */
	EMPHASIS_DUE				/* bold on a band: the figure to act on */
} Emphasis;

typedef struct DocPair
{
	const char *label;
	char	   *value;
	Emphasis	emphasis;
} DocPair;

typedef enum BlockKind
{
	BLOCK_TABLE,
	BLOCK_TOTALS,
	BLOCK_NOTE,
	BLOCK_EINVOICE				/* the IRP's registration: text beside its signed QR code */
} BlockKind;

typedef struct DocBlock
{
	BlockKind	kind;
	DocTable   *table;			/* BLOCK_TABLE */
	List	   *pairs;			/* BLOCK_TOTALS: DocPair */
	char	   *text;			/* BLOCK_NOTE; beside BLOCK_TOTALS, what to do */
	char	   *qr;				/* BLOCK_EINVOICE: the QR code's payload */
} DocBlock;

typedef struct Doc
{
	const char *title;			/* "INVOICE", "RECEIPT" */
	char	   *number;			/* under the title */
	char	   *footer;			/* on every page, beside "Page N of M" */
	char	   *file_name;		/* in an archive */
	char	   *supplier_name;
	char	   *supplier_details;	/* lines separated by \n */
	const char *party_heading;	/* "BILL TO", "RECEIVED FROM" */
	char	   *party_name;
	char	   *party_details;
	List	   *meta;			/* DocPair: dates, status, currency */
	const char *stamp;			/* "PAID", "OVERDUE", …, or NULL */
	char	   *stamp_detail;	/* a date under the stamp's word */
	Rgb			stamp_color;
	bool		draft;			/* a DRAFT watermark on every page */
	List	   *blocks;			/* DocBlock, in reading order */
	char	   *pdf_title;		/* document properties */
	char	   *pdf_subject;
} Doc;

typedef struct MoneyStyle
{
	char	   *prefix;
	bool		indian;
} MoneyStyle;

typedef struct Row
{
	HeapTuple	tuple;
	TupleDesc	desc;
} Row;

typedef Doc *(*DocBuilder) (const Datum *args);

/*
 * Shared between the builders and the layout inside this library only: hidden
 * from the dynamic linker, so that no other loaded library's symbol of the
 * same name (a "prepare" of Citus) can ever stand in for them.
 */
#if defined(__GNUC__)
#define PDF_INTERNAL __attribute__((visibility("hidden")))
#else
#define PDF_INTERNAL
#endif

/* The ellipsis that marks a text cut short (pdf_doc.c) or a cell that wrapped too far (pdf_layout.c). */
#define ELLIPSIS "\xE2\x80\xA6"

extern PDF_INTERNAL const Rgb STAMP_PAID;
extern PDF_INTERNAL const Rgb STAMP_OVERDUE;
extern PDF_INTERNAL const Rgb STAMP_CANCELLED;

extern PDF_INTERNAL DocPair *pair(const char *label, char *value, Emphasis emphasis);
extern PDF_INTERNAL void add_block(Doc *doc, BlockKind kind, DocTable *table, List *pairs, char *text);
extern PDF_INTERNAL char *clean_text(const char *s);
extern PDF_INTERNAL MoneyStyle money_style(const char *currency);
extern PDF_INTERNAL char *format_money(const MoneyStyle *m, Cents value);
extern PDF_INTERNAL char *format_numeric(Datum value, int min_scale, const char *prefix, bool indian);
extern PDF_INTERNAL char *format_date(TimestampTz t);
extern PDF_INTERNAL TimestampTz last_instant(TimestampTz end);
extern PDF_INTERNAL char *format_period(TimestampTz start, TimestampTz end, const char *separator);
extern PDF_INTERNAL char *format_method(const char *method);
extern PDF_INTERNAL char *humanize(const char *label);
extern PDF_INTERNAL char *format_state(const char *code);

/* Reading rows inside SPI, in the document's memory context. */
extern PDF_INTERNAL Row	spi_row(uint64 i);
extern PDF_INTERNAL Datum row_datum(Row r, const char *name, bool *isnull);
extern PDF_INTERNAL bool row_isnull(Row r, const char *name);
extern PDF_INTERNAL char *row_text(Row r, const char *name);
extern PDF_INTERNAL Cents row_cents(Row r, const char *name);
extern PDF_INTERNAL bool row_bool(Row r, const char *name);
extern PDF_INTERNAL char *row_date(Row r, const char *name);
extern PDF_INTERNAL char *row_percent(Row r, const char *name);
extern PDF_INTERNAL char *row_tax_column(Row r);
/* The width of a tax column that may name a treatment ("Nil rated"). */
#define TAX_COLUMN_LABEL_WIDTH 52
extern PDF_INTERNAL void prepare(SPIPlanPtr *cache, const char *sql, int nargs, Oid *argtypes);
extern PDF_INTERNAL void run_query(SPIPlanPtr plan, Datum *values, const char *what);
extern PDF_INTERNAL char *join_lines(int n, const char *const *parts);
extern PDF_INTERNAL char *file_name_for(const char *reference);

/* The supplier's and the customer's blocks; tables built column by column. */
extern PDF_INTERNAL void doc_supplier(Doc *doc);
extern PDF_INTERNAL void doc_party(Doc *doc, Row r, const char *heading);
extern PDF_INTERNAL DocTable *table_of(const char *heading, const DocColumn *all, int n, const bool *show);
extern PDF_INTERNAL void table_add_row(DocTable *t, char *const *cells, int n, const bool *show);

/* The builders, one a kind of document (args as each says): pdf_invoice.c, pdf_credit_note.c, pdf_receipt.c. */
extern PDF_INTERNAL Doc *invoice_doc(const Datum *args);
extern PDF_INTERNAL Doc *credit_note_doc(const Datum *args);
extern PDF_INTERNAL Doc *receipt_doc(const Datum *args);

/* The layout engine (pdf_layout.c): the PDF of a Doc, allocated in result_cxt. */
extern PDF_INTERNAL bytea *render_pdf(const Doc *doc, MemoryContext result_cxt);

/* Build a document (inside SPI, as the caller) and render it: the PDF, and *file_name if asked (pdf.c). */
extern PDF_INTERNAL bytea *document_pdf(DocBuilder builder, const Datum *args, char **file_name);

#endif							/* INVOICE_PDF_DOC_H */
