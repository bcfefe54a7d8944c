/*
 * reports.h
 *		What the finance reports share (reports.c): the argument checks of a
 *		report's period.
 */
#ifndef INVOICE_REPORTS_H
#define INVOICE_REPORTS_H

#include "fmgr.h"

/* Arguments from_arg and to_arg of fcinfo: 22004 when NULL, 22023 when infinite or not from < to. */
extern void invoice_check_report_period(FunctionCallInfo fcinfo, int from_arg, int to_arg);

#endif							/* INVOICE_REPORTS_H */
