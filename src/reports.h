/*
 * reports.h
 *		What the finance reports share (reports.c): the argument checks of a
 *		report's period and of a GSTR-1 return.
 */
#ifndef INVOICE_REPORTS_H
#define INVOICE_REPORTS_H

#include "fmgr.h"

/* Arguments from_arg and to_arg of fcinfo: 22004 when NULL, 22023 when infinite or not from < to. */
extern void invoice_check_report_period(FunctionCallInfo fcinfo, int from_arg, int to_arg);

/* gstr1's arguments (0 gstin, 1 fp) and caller: 42501, 22004, 22023 or 55000 unless a return may be read. */
extern void invoice_check_gstr1(FunctionCallInfo fcinfo);

#endif							/* INVOICE_REPORTS_H */
