/*
 * pdf.h
 *		Documents as PDF (pdf.c), for the archive builder (zip.c).
 */
#ifndef INVOICE_PDF_H
#define INVOICE_PDF_H

#include "fmgr.h"
#include <hpdf.h>

/*
 * The PDF of one invoice, read as the caller and rendered in a memory context
 * of its own; the result and *file_name (the archive member name: the number
 * with '/' replaced by '-', or the id of a draft, and ".pdf") are allocated
 * in the caller's current memory context.
 */
extern bytea *invoice_pdf_render(text *id, char **file_name);

/*
 * A QR code of payload (libqrencode, error correction level M, a quiet zone
 * of four modules), size points square, its top left corner at (x, top)
 * (pdf_qr.c).  38000 when the payload does not fit a QR code.
 */
#define PDF_QR_SIZE 110.0f
extern void pdf_draw_qr(HPDF_Page page, const char *payload, float x, float top, float size);

#endif							/* INVOICE_PDF_H */
