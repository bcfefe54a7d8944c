/*
 * invoice.c
 *		Module entry point of the invoice extension.
 */
#include "postgres.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
