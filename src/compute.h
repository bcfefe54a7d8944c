/*
 * compute.h
 *		The tax arithmetic of compute.c, shared with the credit notes: lines
 *		with their amounts and rates in, credit shares, taxable values and
 *		rounded tax heads out.
 */
#ifndef INVOICE_COMPUTE_H
#define INVOICE_COMPUTE_H

#include "cents.h"
#include "commands/trigger.h"
#include "invoice.h"

#ifndef HAVE_INT128
#error "invoice computation needs a 128-bit integer type"
#endif

/* Tax rates are percentages with at most six decimals: rate × 10^6 is exact. */
#define RATE_SCALE INT64CONST(1000000)

/*
 * The divisor of a tax head: taxable × rate_scaled / divisor is the exact
 * head, in cents.  Within a state each of CGST and SGST is half the rate.
 */
#define TAX_DIVISOR(split) ((int128) ((split) ? 200 : 100) * RATE_SCALE)

typedef struct ComputeLine
{
	Cents		amount;
	int64		rate_scaled;	/* percent × RATE_SCALE */
	int64		line_id;
	int			position;		/* input order, the last tie-breaker */
	int128		share_remainder;	/* of the pro rata credit division */
	int128		tax_remainder;	/* of the exact head, in invoice rounding */
	Cents		credit_share;
	/* results */
	Cents		taxable;
	Cents		tax;			/* tax, or IGST, or CGST when split */
	Cents		tax_second;		/* SGST when split, else 0 */
} ComputeLine;

typedef struct ComputeState
{
	ComputeLine *lines;
	int			nlines;
	int			maxlines;
	bool		split;			/* GST within one state: CGST and SGST at half the rate each */
	bool		invoice_rounding;	/* each head rounded once per rate over the invoice */
	bool		round_to_rupee; /* total rounded to whole major units */
	Cents		usage;
	Cents		credits_total;
	Cents		paid_total;
	Cents		advance_total;
	Cents		credited_total;	/* issued credit notes */
	Numeric		last_rate;		/* cache: consecutive lines mostly share a rate */
	int64		last_rate_scaled;
	/* results */
	Cents		credits_applied;
	Cents		tax;
} ComputeState;

/* The amounts of one invoice, in the order of the type invoice.amounts. */
#define COMPUTE_NAMOUNTS 10

/* An invoice's totals and roundings (NULL: line, none) into a zeroed state; 22023 for a negative total. */
extern void compute_begin(ComputeState *state, Cents credits, Cents paid, Cents advance, bool split,
						  Cents credited, const char *tax_rounding, const char *total_rounding);
extern void compute_add_line(ComputeState *state, Cents amount, Numeric rate, int64 line_id,
							 MemoryContext context);
extern void compute_lines(ComputeState *state);
/* compute_lines(), then the amounts (invoice_amounts' result) */
extern void compute_amounts(ComputeState *state, Cents amounts[COMPUTE_NAMOUNTS]);

/* one invoice's lines as its amounts compute them (in the caller's SPI connection); *gst: a GST invoice */
extern void compute_invoice_tax(Datum org_id, Datum id, ComputeState *state, bool *gst);

/* 'line' → false, 'invoice' → true; 22023 otherwise */
extern bool compute_invoice_rounding(const char *tax_rounding);

/* round(numerator / divisor) half away from zero, for numerator ≥ 0; 22003 outside cents */
extern Cents compute_round_div(int128 numerator, int128 divisor);

/* what rounding an amount ≥ 0 to whole major units (half away from zero) adds */
extern Cents compute_round_off(Cents amount);

/*
 * The SQL of an invoice's tax rounding and total rounding (alias: an
 * invoices row): fixed at issue; a draft's NULL means the supplier's
 * setting (round-off only for INR); 'line' and 'none' without a supplier
 * or on a row issued before they were recorded.
 */
#define TAX_ROUNDING_SQL(alias) \
	"coalesce(" alias ".tax_rounding, CASE WHEN " alias ".status = 'draft' THEN" \
	" (SELECT s.tax_rounding FROM invoice.supplier s) END, 'line')"
#define TOTAL_ROUNDING_SQL(alias) \
	"coalesce(" alias ".total_rounding, CASE WHEN " alias ".status = 'draft' AND " alias ".currency = 'INR' THEN" \
	" (SELECT s.total_rounding FROM invoice.supplier s) END, 'none')"

/* The columns of invoices that invoice_recompute's target query returns, for alias. */
#define RECOMPUTE_COLUMNS(alias) \
	alias ".org_id, " alias ".id, " alias ".tax_rate, " alias ".gst, " alias ".gst_intra_state, " \
	alias ".status, " alias ".currency, " alias ".tax_rounding, " alias ".total_rounding"

/* What a statement trigger on an invoice's children changed. */
typedef enum ComputeChildren
{
	COMPUTE_LINES,
	COMPUTE_CREDITS,
	COMPUTE_PAYMENTS
} ComputeChildren;

/* IV002 / IV005 when an invoice of that status may not have its children changed. */
extern void compute_check_changeable(ComputeChildren kind, InvoiceStatus status, const char *id);

/* IV003 when payments exceed the total less advance and credit notes. */
extern void compute_check_overpayment(const char *id, Cents total, Cents paid, Cents advance);

/* SPI: plan with values (or sql, when plan is NULL) run with the amount columns writable. */
extern int	compute_execute_writing_amounts(SPIPlanPtr plan, const char *sql, Datum *values);

/*
 * The one-invoice path (compute_one.c): are the rows of the trigger's
 * transition tables all of one invoice (its keys in *org_id, *id)?  Then
 * compute_one_invoice() locks it, checks its status and recomputes it, inside
 * the trigger's SPI connection.
 */
extern bool compute_one_changed_invoice(TriggerData *trigdata, Datum *org_id, Datum *id);
extern void compute_one_invoice(ComputeChildren kind, Datum org_id, Datum id);
/*
 * Write the amounts (COMPUTE_NAMOUNTS, in the order of invoice.amounts) into
 * the invoice row at tid of relation relid (org_id, id: its keys), which the
 * caller has locked FOR NO KEY UPDATE, without an executor UPDATE
 * (amounts_write.c).  false: nothing written, the caller must run its UPDATE.
 */
extern bool invoice_write_amounts(Oid relid, ItemPointer tid, Datum org_id, Datum id, const Cents *amounts);
/*
 * The children of one invoice (compute_one_read.c): read by direct index
 * scans in a fresh snapshot — the sums of credits, payments, advance applied
 * (negative), issued credit notes, and each line — or false when the
 * statement must read them (nothing read).
 */
typedef enum ComputeOneChild
{
	COMPUTE_ONE_LINES,
	COMPUTE_ONE_CREDITS,
	COMPUTE_ONE_PAYMENTS,
	COMPUTE_ONE_ADVANCE,
	COMPUTE_ONE_CREDIT_NOTES,
	COMPUTE_ONE_CHILDREN
} ComputeOneChild;

/* An exact sum of one kind of child (22003 when it does not fit cents, as sum(cents)). */
typedef struct ComputeOneChildSums
{
	int128		sum;
	int64		count;
} ComputeOneChildSums;

typedef struct ComputeOneLine
{
	Cents		amount;
	Numeric		rate;			/* NULL: the invoice's */
} ComputeOneLine;

extern bool compute_one_read_children(Datum org_id, Datum id, ComputeOneChildSums sums[COMPUTE_ONE_CHILDREN],
									  ComputeOneLine **lines, int *nlines);
/*
 * The supplier's tax_rounding and total_rounding (NULL without a supplier),
 * read directly in a fresh snapshot; false when the statement must read them.
 */
extern bool compute_one_read_supplier(char **tax_rounding, char **total_rounding);
/* The line descriptions (text[]) an INSERT or UPDATE of one invoice's lines brings to its search signature; 0: none. */
extern Datum compute_one_line_texts(TriggerData *trigdata);

#endif							/* INVOICE_COMPUTE_H */
