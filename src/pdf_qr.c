/*
 * pdf_qr.c
 *		A QR code drawn on a PDF page (pdf.h): the e-invoice's signed QR code,
 *		as rules 48(4) and 46 of the CGST Rules want it printed.  libqrencode
 *		encodes, libharu fills one square per dark module, so the code stays
 *		vector and sharp at any zoom.
 */
#include "postgres.h"

#include <errno.h>
#include <qrencode.h>

#include "pdf.h"

void
pdf_draw_qr(HPDF_Page page, const char *payload, float x, float top, float size)
{
	QRcode	   *code = QRcode_encodeString(payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	float		module;

	int			failure = errno;

	if (code == NULL)
		ereport(ERROR,
				(errcode(failure == ENOMEM ? ERRCODE_OUT_OF_MEMORY : ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not encode the signed QR code as a QR code (%zu bytes)", strlen(payload))));
	module = size / (code->width + 8);
	HPDF_Page_SetRGBFill(page, 1, 1, 1);
	HPDF_Page_Rectangle(page, x, top - size, size, size);
	HPDF_Page_Fill(page);
	HPDF_Page_SetRGBFill(page, 0, 0, 0);
	for (int row = 0; row < code->width; row++)
		for (int col = 0; col < code->width; col++)
			if (code->data[row * code->width + col] & 1)
				HPDF_Page_Rectangle(page, x + (col + 4) * module, top - (row + 5) * module, module, module);
	HPDF_Page_Fill(page);
	QRcode_free(code);
}
