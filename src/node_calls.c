/*
 * node_calls.c
 *		What a call the Citus coordinator sends to an organisation's node takes
 *		with it: the caller's transaction and the caller's settings.
 *
 * On Citus a function about one organisation (invoice_pay, invoice_issue,
 * the list…) and each shard group's part of a batch job (the sweep, the
 * billing-day recompute, generation, search_rebuild) do their work on the
 * node, through a router query the coordinator sends (src/shards.c).  Citus
 * plans that query as a read (SELECT invoice.x_on_node(…)), and sends a read
 * made outside BEGIN … COMMIT without a transaction block: each node's part of
 * a batch job would then commit on its own, and a failure on the second node
 * would leave the first one's work done.  So before a call that writes the
 * coordinator makes the transaction a coordinated (distributed) one, as Citus
 * does for its own writes: each node's work joins the caller's transaction and
 * commits or rolls back with it.  Citus offers no SQL for that; its C function
 * UseCoordinatedTransaction() is looked up in citus.so once (when it is not
 * there, nothing is done: one node, or a Citus without it).
 *
 * The connection Citus opened on the node has the node's settings, not the
 * caller's: a session that set invoice.grace_period or the test clock on the
 * coordinator would have seen the node sweep with its own.  So the
 * extension's settings that shape the work done there and that this session
 * changed (their value is not the reset value) are set there too, with SET
 * LOCAL through Citus's own propagation (citus.propagate_set_commands =
 * 'local' for that statement only): Citus sends it to the nodes already in
 * the transaction, replays it at the BEGIN of those it connects to later, and
 * undoes it with the (sub)transaction.  A setting set back to its reset value
 * is set back to DEFAULT on the nodes.  They are superuser settings: only a
 * superuser's changes travel (a role that is not one could not SET them
 * there).  When nothing was changed this costs a comparison of a few strings.
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "invoice.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"

/* What the nodes' work reads: the clock, and the sweep's grace and reminders. */
static const char *const node_settings[] = {
	"invoice.test_clock",
	"invoice.grace_period",
	"invoice.reminder_interval_days",
};

#define NSETTINGS lengthof(node_settings)

/* What was sent in which (sub)transaction: NULL for "the node's own". */
static LocalTransactionId sent_in_xact = InvalidLocalTransactionId;
static SubTransactionId sent_in_subxact = InvalidSubTransactionId;
static char *sent[NSETTINGS];

/* The value this session gives the setting, or NULL when it is the reset value. */
static const char *
changed_value(const char *name)
{
	const char *value = GetConfigOption(name, false, false);
	const char *reset = GetConfigOptionResetString(name);

	if (value == NULL || (reset != NULL && strcmp(value, reset) == 0))
		return NULL;
	return value;
}

static bool
same(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* SET LOCAL name = value (or TO DEFAULT), propagated by Citus to the transaction's nodes. */
static void
set_on_nodes(const char *name, const char *value)
{
	const char *propagate = GetConfigOption("citus.propagate_set_commands", true, false);
	char	   *sql = value == NULL ? psprintf("SET LOCAL %s TO DEFAULT", name)
		: psprintf("SET LOCAL %s = %s", name, quote_literal_cstr(value));

	(void) set_config_option("citus.propagate_set_commands", "local", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_LOCAL, true, 0, false);
	SPI_connect();
	if (SPI_execute(sql, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "sending %s to the nodes failed", name);
	SPI_finish();
	(void) set_config_option("citus.propagate_set_commands", propagate, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_LOCAL, true, 0, false);
	pfree(sql);
}

/* Citus's UseCoordinatedTransaction(), or NULL when citus.so has none. */
static void
join_coordinated_transaction(void)
{
	static bool looked_up = false;
	static void (*use_coordinated_transaction) (void) = NULL;

	if (!looked_up)
	{
		use_coordinated_transaction = (void (*) (void))
			load_external_function("$libdir/citus", "UseCoordinatedTransaction", false, NULL);
		looked_up = true;
	}
	if (use_coordinated_transaction != NULL)
		use_coordinated_transaction();
}

void
invoice_prepare_node_call(bool writes)
{
	bool		carries = false;

	if (MyProc->lxid != sent_in_xact || GetCurrentSubTransactionId() != sent_in_subxact)
	{
		/* a new (sub)transaction: the nodes have only what Citus replays of an outer one; send again */
		for (size_t i = 0; i < NSETTINGS; i++)
		{
			if (sent[i] != NULL)
				pfree(sent[i]);
			sent[i] = NULL;
		}
		sent_in_xact = MyProc->lxid;
		sent_in_subxact = GetCurrentSubTransactionId();
	}
	if (superuser())
	{
		for (size_t i = 0; i < NSETTINGS; i++)
		{
			const char *value = changed_value(node_settings[i]);

			carries |= value != NULL || sent[i] != NULL;
			if (same(value, sent[i]))
				continue;
			set_on_nodes(node_settings[i], value);
			if (sent[i] != NULL)
				pfree(sent[i]);
			sent[i] = value == NULL ? NULL : MemoryContextStrdup(TopMemoryContext, value);
		}
	}

	/*
	 * A write joins the caller's transaction; a read alone needs no
	 * transaction block on the node (Citus's BEGIN and COMMIT would cost it
	 * a round trip), unless settings it carries must be replayed there.
	 */
	if (writes || carries)
		join_coordinated_transaction();
}
