/*
 * gst_place_of_supply.c
 *		GST drafts follow their place of supply and the supplier's settings.
 *
 * The trigger behind a change of an organisation's billing state or GSTIN and
 * behind any change of the supplier: the drafts whose tax depends on them are
 * recomputed (README "GST tax invoices"); issued invoices keep their amounts.
 * On Citus each node recomputes its own organisations' drafts.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "compute.h"
#include "executor/spi.h"
#include "invoice.h"
#include "utils/builtins.h"

/*
 * AFTER UPDATE OF billing_state, gstin on orgs (row) and AFTER any change of
 * invoice.supplier (statement): the place of supply of GST drafts may have
 * moved, and a supplier's change may change the rounding of drafts that follow
 * its settings, so their tax is recomputed.  Issued invoices keep theirs.
 */
static Datum invoice_place_of_supply_changed_on_this_node(FunctionCallInfo fcinfo);

/* Every GST draft of the organisations here (invoice_in_each_local_group). */
static void
recompute_gst_drafts(void *arg)
{
	static SPIPlanPtr plan = NULL;

	invoice_recompute("SELECT " RECOMPUTE_COLUMNS("i") " FROM invoice.invoices i"
					  " WHERE i.status = 'draft' AND (i.gst OR i.tax_rounding IS NULL OR i.total_rounding IS NULL)",
					  &plan, 0, NULL, NULL, false);
}

PG_FUNCTION_INFO_V1(invoice_place_of_supply_changed);
Datum
invoice_place_of_supply_changed(PG_FUNCTION_ARGS)
{
	return invoice_trigger_on_shard(fcinfo, "orgs supplier", invoice_place_of_supply_changed_on_this_node);
}

static Datum
invoice_place_of_supply_changed_on_this_node(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr org_plan = NULL;
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	int			nest_level;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event))
		elog(ERROR, "invoice_place_of_supply_changed must be an AFTER trigger");
	SPI_connect();
	nest_level = invoice_pin_search_path();
	if (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
	{
		TupleDesc	tupdesc = RelationGetDescr(trigdata->tg_relation);
		bool		isnull;
		Datum		org_id = heap_getattr(trigdata->tg_newtuple, SPI_fnumber(tupdesc, "org_id"), tupdesc, &isnull);

		invoice_recompute("SELECT " RECOMPUTE_COLUMNS("i") " FROM invoice.invoices i"
						  " WHERE i.org_id = $1 AND i.status = 'draft' AND i.gst",
						  &org_plan, 1, (Oid[]) {TEXTOID}, &org_id, false);
	}
	else
		invoice_in_each_local_group(recompute_gst_drafts, NULL);
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_POINTER(NULL);
}
