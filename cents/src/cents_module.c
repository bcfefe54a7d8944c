/*
 * cents_module.c — the cents extension's library, cents.so: the type's C code
 * (cents.c, cents_agg.c, cents_parse.c) and this magic block.  invoice.so links
 * the same three files (one source, two libraries): the invoice code computes
 * with them, and a database made with invoice 0.1, whose SQL names the type's
 * functions in $libdir/invoice, keeps working until ALTER EXTENSION UPDATE.
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
