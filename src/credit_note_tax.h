/*
 * credit_note_tax.h
 *		The tax of a credit note's lines (credit_note_tax.c).
 */
#ifndef INVOICE_CREDIT_NOTE_TAX_H
#define INVOICE_CREDIT_NOTE_TAX_H

#include "cents.h"

typedef struct CreditNoteTax
{
	int64		nlines;
	Cents		taxable;
	Cents		cgst;
	Cents		sgst;
	Cents		igst;
	Cents		tax;
} CreditNoteTax;

/*
 * Compute and write the taxable value and heads of every line of a draft
 * note of the invoice (locked by the caller, in its SPI connection), and
 * sum them.
 */
extern void credit_note_tax(Datum org_id, Datum invoice_id, Datum note_id, CreditNoteTax *result);

#endif							/* INVOICE_CREDIT_NOTE_TAX_H */
