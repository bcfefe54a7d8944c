/*
 * pdf.c
 *		Invoices, credit notes and prepaid top-up receipts as printable A4
 *		PDF, rendered with libharu and an embedded DejaVu Sans (every
 *		currency symbol).
 *
 * A document is made in two steps.  A builder reads the rows through SPI as
 * the caller (so row-level security decides what may be printed: an invoice
 * the caller cannot see "does not exist") and describes the content in a
 * Doc: party blocks, label/value pairs, tables, totals and notes, all text,
 * nothing about pages.  The layout engine then flows any Doc onto A4 pages:
 * wrapping, page breaks that repeat a table's header, totals kept whole,
 * "Page N of M".  Each kind of document is a builder; a new kind is a new
 * builder, and new content (a field, a tax head, a table) is more rows,
 * pairs or tables in a Doc.  Neither touches the layout.
 *
 * The files: pdf_doc.h and pdf_doc.c the document model and its text
 * formatting; pdf_build.c what the builders share (rows read through SPI,
 * party blocks, tables); one builder a kind of document (pdf_invoice.c,
 * pdf_credit_note.c, pdf_receipt.c; statements.c builds statements of
 * account); pdf_layout.c the libharu layout engine; pdf_qr.c the QR code;
 * this file the entry points (the SQL functions and the archive's
 * invoice_pdf_render).
 */
#include "postgres.h"

#include "fmgr.h"
#include "invoice.h"
#include "pdf.h"
#include "pdf_doc.h"
#include "utils/memutils.h"

/*
 * Build a document (inside SPI, as the caller, with the search path pinned)
 * and render it, in a memory context of its own: nothing but the PDF and
 * the file name outlives the call.
 */
bytea *
document_pdf(DocBuilder builder, const Datum *args, char **file_name)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext cxt = AllocSetContextCreate(caller, "invoice document", ALLOCSET_DEFAULT_SIZES);
	Doc		   *doc;
	bytea	   *result;
	int			nest_level;

	MemoryContextSwitchTo(cxt);
	SPI_connect();
	MemoryContextSwitchTo(cxt);
	nest_level = invoice_pin_search_path();
	doc = builder(args);
	invoice_unpin_search_path(nest_level);
	SPI_finish();

	result = render_pdf(doc, caller);
	if (file_name)
		*file_name = MemoryContextStrdup(caller, doc->file_name);
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(cxt);
	return result;
}

bytea *
invoice_pdf_render(text *id, char **file_name)
{
	Datum		args[1] = {PointerGetDatum(id)};

	return document_pdf(invoice_doc, args, file_name);
}

/* invoice_pdf(id): one invoice as a printable A4 PDF */
PG_FUNCTION_INFO_V1(invoice_pdf);
Datum
invoice_pdf(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(invoice_pdf_render(invoice_arg_text(fcinfo, 0, "invoice id"), NULL));
}

/* receipt_pdf(org_id, receipt_id): the receipt of a prepaid top-up as a printable A4 PDF */
PG_FUNCTION_INFO_V1(receipt_pdf);
Datum
receipt_pdf(PG_FUNCTION_ARGS)
{
	Datum		args[2];

	args[0] = PointerGetDatum(invoice_arg_text(fcinfo, 0, "organisation id"));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("receipt id must not be null")));
	args[1] = PG_GETARG_DATUM(1);
	PG_RETURN_BYTEA_P(document_pdf(receipt_doc, args, NULL));
}

/* credit_note_pdf(credit_note_id): a credit note as a printable A4 PDF */
PG_FUNCTION_INFO_V1(credit_note_pdf);
Datum
credit_note_pdf(PG_FUNCTION_ARGS)
{
	Datum		args[1] = {PointerGetDatum(invoice_arg_text(fcinfo, 0, "credit note id"))};

	PG_RETURN_BYTEA_P(document_pdf(credit_note_doc, args, NULL));
}

