/*
 * worker.c
 *		The background worker that runs the overdue sweep.
 */
#include "postgres.h"

#include "invoice.h"
#include "miscadmin.h"

void
invoice_worker_init(void)
{
	/* The worker exists only when the library is preloaded. */
	if (!process_shared_preload_libraries_in_progress)
		return;
}
