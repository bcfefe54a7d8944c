/*
 * pdf.h
 *		Documents as PDF (pdf.c), for the archive builder (zip.c).
 */
#ifndef INVOICE_PDF_H
#define INVOICE_PDF_H

#include "fmgr.h"

/*
 * The PDF of one invoice, read as the caller and rendered in a memory context
 * of its own; the result and *file_name (the archive member name: the number
 * with '/' replaced by '-', or the id of a draft, and ".pdf") are allocated
 * in the caller's current memory context.
 */
extern bytea *invoice_pdf_render(text *id, char **file_name);

#endif							/* INVOICE_PDF_H */
