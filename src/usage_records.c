/*
 * usage_records.c
 *		The gate of invoice.usage_records: every record a COPY or INSERT loads
 *		is checked here, row by row, at the cost of a hash lookup and one
 *		index probe — loading stays within reach of a bare COPY.
 *
 * A record names an organisation and a product of the price book (both
 * looked up once per statement, then remembered), a quantity that is a
 * finite number not below zero, and an end not before its start.  Its key
 * is the sender's: when the organisation already has a record under that
 * key, the same values again are skipped (the row is not inserted: a
 * re-sent batch changes nothing) and other values are refused (IV011).  The
 * probe reads the primary key index with a dirty snapshot, so a record that
 * another transaction is loading right now is waited for, then compared:
 * the same key never counts twice.
 *
 * Each record is stamped with its product and its statement's load batch.
 * After loading, a record never changes: invoice_generate notes the load
 * batches it billed on the invoice's usage_invoices row (and the
 * generation itself moves the few records it could not price to a batch of
 * their own, so that they stay unbilled).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "commands/sequence.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "invoice.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

/* The columns of usage_records, in table order. */
enum
{
	COL_ORG_ID = 1,
	COL_KEY,
	COL_PRODUCT_GROUP,
	COL_PRODUCT_LINE,
	COL_PRODUCT_NAME,
	COL_REGION,
	COL_USAGE_TYPE,
	COL_RESOURCE_TYPE,
	COL_RESOURCE_NAME,
	COL_QUANTITY,
	COL_USAGE_START,
	COL_USAGE_END,
	COL_LOAD_BATCH,
	COL_PRODUCT_ID,
	NCOLS = COL_PRODUCT_ID
};

static const char *const column_names[NCOLS] = {
	"org_id", "idempotency_key", "product_group", "product_line", "product_name", "region", "usage_type",
	"resource_type", "resource_name", "quantity", "usage_start", "usage_end", "load_batch", "product_id"
};

/*
 * Set while the extension itself writes records: a generation moving the
 * few it cannot price to a batch of their own, and usage_ingest loading the
 * inbox (src/usage_ingest.c), which makes this gate's checks set-based and
 * stamps the product and load batch itself.
 */
static bool rating_active = false;

/*
 * What one statement has already looked up: organisations and products that
 * exist (keys: the organisation id; the product's five keys joined by \x1f),
 * with the product's id.  Reset when a new statement (transaction, command)
 * starts loading.
 */
#define SEEN_KEY_SIZE (NAMEDATALEN * 6)

typedef struct SeenEntry
{
	char		key[SEEN_KEY_SIZE];
	char		product_id[NAMEDATALEN + 8];
} SeenEntry;

static MemoryContext seen_context = NULL;
static HTAB *seen = NULL;
static LocalTransactionId seen_lxid = InvalidLocalTransactionId;
static CommandId seen_cid = InvalidCommandId;
static int64 seen_batch = 0;	/* the statement's load batch, 0 until drawn */

/* The primary key index of the relation (a table or a Citus shard) last checked. */
static Oid	key_index_relid = InvalidOid;
static Oid	key_index = InvalidOid;

bool
invoice_usage_rating_active(void)
{
	return rating_active;
}

void
invoice_set_usage_rating(bool active)
{
	rating_active = active;
}

/* The entry of key (NULL: not rememberable) if this statement looked it up already. */
static SeenEntry *
seen_before(const char *key)
{
	if (seen == NULL || seen_lxid != MyProc->lxid || seen_cid != GetCurrentCommandId(false))
	{
		HASHCTL		ctl;

		if (seen_context == NULL)
			seen_context = AllocSetContextCreate(TopMemoryContext, "invoice usage lookups", ALLOCSET_SMALL_SIZES);
		MemoryContextReset(seen_context);
		ctl.keysize = SEEN_KEY_SIZE;
		ctl.entrysize = sizeof(SeenEntry);
		ctl.hcxt = seen_context;
		seen = hash_create("invoice usage lookups", 64, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
		seen_lxid = MyProc->lxid;
		seen_cid = GetCurrentCommandId(false);
		seen_batch = 0;
	}
	if (key == NULL)
		return NULL;			/* too long to remember: looked up every time */
	return hash_search(seen, key, HASH_FIND, NULL);
}

static void
remember(const char *key, const char *product_id)
{
	SeenEntry  *entry = hash_search(seen, key, HASH_ENTER, NULL);

	strlcpy(entry->product_id, product_id, sizeof(entry->product_id));
}

static char *
text_or_null(Datum *values, bool *nulls, int col)
{
	return nulls[col - 1] ? NULL : TextDatumGetCString(values[col - 1]);
}

/*
 * The cache key of a lookup: a tag, then each text value as a 0x1f separator
 * and its bytes (0x1e alone for NULL: NULL and "" are told apart), built from
 * the datums without converting them.  false: too long to remember.
 */
static bool
lookup_key(char *key, char tag, Datum *values, bool *nulls, int first, int last)
{
	size_t		len = 0;

	key[len++] = tag;
	for (int col = first; col <= last; col++)
	{
		if (len + 2 >= SEEN_KEY_SIZE)
			return false;
		key[len++] = '\x1f';
		if (nulls[col - 1])
			key[len++] = '\x1e';
		else
		{
			text	   *value = DatumGetTextPP(values[col - 1]);
			size_t		size = VARSIZE_ANY_EXHDR(value);

			if (len + size >= SEEN_KEY_SIZE || memchr(VARDATA_ANY(value), '\0', size) != NULL)
				return false;
			memcpy(key + len, VARDATA_ANY(value), size);
			len += size;
		}
	}
	key[len] = '\0';
	return true;
}

/*
 * The load batch of the statement: drawn from usage_load_batch_seq with its
 * first record (each loading statement has its own: a generation bills whole
 * batches that its snapshot sees, README "Usage billing").
 */
static int64
load_batch(Relation rel)
{
	if (seen_batch == 0)
	{
		Oid			sequence = get_relname_relid("usage_load_batch_seq", RelationGetNamespace(rel));

		if (!OidIsValid(sequence))
			elog(ERROR, "sequence invoice.usage_load_batch_seq does not exist");
		seen_batch = nextval_internal(sequence, false);
	}
	return seen_batch;
}

/* The organisation exists: looked up (and share-locked against its deletion) once per statement. */
static void
check_org(Datum *values, bool *nulls)
{
	static SPIPlanPtr plan = NULL;
	char		key[SEEN_KEY_SIZE];
	bool		keyed = lookup_key(key, 'o', values, nulls, COL_ORG_ID, COL_ORG_ID);
	int			found;

	if (seen_before(keyed ? key : NULL) != NULL)
		return;
	SPI_connect();
	invoice_prepare(&plan, "SELECT 1 FROM invoice.orgs o WHERE o.org_id = $1 FOR KEY SHARE", 1, (Oid[]) {TEXTOID});
	if (SPI_execute_plan(plan, &values[COL_ORG_ID - 1], NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "organisation lookup failed");
	found = SPI_processed;
	SPI_finish();
	/*
	 * The lookup locks a row, so SPI advanced the command counter: this is
	 * still the same statement, whose lookups stay remembered.
	 */
	seen_cid = GetCurrentCommandId(false);
	if (found == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("usage record \"%s\": organisation \"%s\" does not exist",
						TextDatumGetCString(values[COL_KEY - 1]), TextDatumGetCString(values[COL_ORG_ID - 1]))));
	if (keyed)
		remember(key, "");
}

/* The product keys name a product of the price book (looked up once per statement): its id. */
static const char *
check_product(Datum *values, bool *nulls)
{
	static SPIPlanPtr plan = NULL;
	char		key[SEEN_KEY_SIZE];
	bool		keyed = lookup_key(key, 'p', values, nulls, COL_PRODUCT_GROUP, COL_USAGE_TYPE);
	Datum		args[5];
	char		argnulls[6] = "     ";
	SeenEntry  *entry;
	char	   *product_id = NULL;

	if ((entry = seen_before(keyed ? key : NULL)) != NULL)
		return entry->product_id;
	for (int col = COL_PRODUCT_GROUP; col <= COL_USAGE_TYPE; col++)
	{
		args[col - COL_PRODUCT_GROUP] = values[col - 1];
		if (nulls[col - 1])
			argnulls[col - COL_PRODUCT_GROUP] = 'n';
	}
	SPI_connect();
	invoice_prepare(&plan,
					"SELECT p.product_id FROM invoice.products p"
					" WHERE p.product_name = $3 AND p.product_group IS NOT DISTINCT FROM $1"
					"   AND p.product_line IS NOT DISTINCT FROM $2 AND p.region IS NOT DISTINCT FROM $4"
					"   AND p.usage_type IS NOT DISTINCT FROM $5",
					5, (Oid[]) {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID});
	if (SPI_execute_plan(plan, args, argnulls, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "product lookup failed");
	if (SPI_processed > 0)
	{
		char	   *found = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		product_id = SPI_palloc(strlen(found) + 1);	/* in the caller's context: outlives SPI_finish */
		strcpy(product_id, found);
	}
	SPI_finish();
	if (product_id == NULL)
	{
		char	   *names[5];

		for (int col = COL_PRODUCT_GROUP; col <= COL_USAGE_TYPE; col++)
		{
			char	   *value = text_or_null(values, nulls, col);

			names[col - COL_PRODUCT_GROUP] = value == NULL ? "NULL" : quote_literal_cstr(value);
		}
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("usage record \"%s\" of organisation \"%s\": no product in the price book has these keys",
						TextDatumGetCString(values[COL_KEY - 1]), TextDatumGetCString(values[COL_ORG_ID - 1])),
				 errdetail("ProductGroup %s, ProductLine %s, ProductName %s, Region %s, UsageType %s.",
						   names[0], names[1], names[2], names[3], names[4]),
				 errhint("Add the product to invoice.products first.")));
	}
	if (keyed)
		remember(key, product_id);
	return product_id;
}

static void
record_error(Datum *values, const char *message)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("usage record \"%s\" of organisation \"%s\": %s",
					TextDatumGetCString(values[COL_KEY - 1]), TextDatumGetCString(values[COL_ORG_ID - 1]), message)));
}

static void
check_values(Datum *values, bool *nulls)
{
	Numeric		quantity;
	char	   *key;

	for (int col = COL_ORG_ID; col <= COL_USAGE_END; col++)
		if (nulls[col - 1] && (col <= COL_KEY || col >= COL_QUANTITY))
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("usage record: %s must not be null", column_names[col - 1])));
	key = TextDatumGetCString(values[COL_KEY - 1]);
	if (invoice_text_is_blank(key))
		record_error(values, "the idempotency key must not be blank");
	if (strlen(key) > INVOICE_REFERENCE_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("usage record of organisation \"%s\": the idempotency key is longer than %d bytes",
						TextDatumGetCString(values[COL_ORG_ID - 1]), INVOICE_REFERENCE_MAX)));
	quantity = DatumGetNumeric(values[COL_QUANTITY - 1]);
	if (numeric_is_nan(quantity) || numeric_is_inf(quantity))
		record_error(values, "quantity must be a finite number");
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, values[COL_QUANTITY - 1],
										  NumericGetDatum(int64_to_numeric(0)))) < 0)
		record_error(values, psprintf("quantity %s is negative",
									  DatumGetCString(DirectFunctionCall1(numeric_out, values[COL_QUANTITY - 1]))));
	if (DatumGetTimestampTz(values[COL_USAGE_END - 1]) < DatumGetTimestampTz(values[COL_USAGE_START - 1]))
		record_error(values, "usage_end is before usage_start");
	if (!nulls[COL_LOAD_BATCH - 1])
		record_error(values, "load_batch is set when the record is loaded, not by the sender");
}

static Oid
primary_key_index(Relation rel)
{
	List	   *indexes;
	ListCell   *lc;

	if (RelationGetRelid(rel) == key_index_relid)
		return key_index;
	key_index = InvalidOid;
	indexes = RelationGetIndexList(rel);
	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index form = index->rd_index;

		if (form->indisprimary && form->indnkeyatts == 2 &&
			form->indkey.values[0] == COL_ORG_ID && form->indkey.values[1] == COL_KEY)
			key_index = RelationGetRelid(index);
		index_close(index, AccessShareLock);
	}
	if (!OidIsValid(key_index))
		elog(ERROR, "usage_records has no primary key on (org_id, idempotency_key)");
	key_index_relid = RelationGetRelid(rel);
	return key_index;
}

static bool
same_text(Datum a, Datum b)
{
	text	   *ta = DatumGetTextPP(a);
	text	   *tb = DatumGetTextPP(b);

	return VARSIZE_ANY_EXHDR(ta) == VARSIZE_ANY_EXHDR(tb) &&
		memcmp(VARDATA_ANY(ta), VARDATA_ANY(tb), VARSIZE_ANY_EXHDR(ta)) == 0;
}

/* The first column (product keys to usage_end) in which the loaded record differs, or 0. */
static int
differing_column(TupleTableSlot *slot, Datum *values, bool *nulls)
{
	slot_getallattrs(slot);
	for (int col = COL_PRODUCT_GROUP; col <= COL_USAGE_END; col++)
	{
		Datum		old = slot->tts_values[col - 1];
		bool		old_null = slot->tts_isnull[col - 1];
		bool		same;

		if (old_null || nulls[col - 1])
			same = old_null == nulls[col - 1];
		else if (col == COL_QUANTITY)
			same = DatumGetInt32(DirectFunctionCall2(numeric_cmp, old, values[col - 1])) == 0;
		else if (col == COL_USAGE_START || col == COL_USAGE_END)
			same = DatumGetTimestampTz(old) == DatumGetTimestampTz(values[col - 1]);
		else
			same = same_text(old, values[col - 1]);
		if (!same)
			return col;
	}
	return 0;
}

/*
 * Is a record with this key there already?  false: no (insert it); true:
 * yes, with the same values (skip it).  Different values: IV011.
 */
static bool
already_loaded(Relation rel, Datum *values, bool *nulls)
{
	Relation	index = index_open(primary_key_index(rel), AccessShareLock);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	SnapshotData dirty;
	ScanKeyData keys[2];
	IndexScanDesc scan;
	bool		found = false;
	int			differs = 0;

	for (;;)
	{
		TransactionId wait = InvalidTransactionId;

		InitDirtySnapshot(dirty);
		ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_TEXTEQ, values[COL_ORG_ID - 1]);
		keys[0].sk_collation = C_COLLATION_OID;
		ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_TEXTEQ, values[COL_KEY - 1]);
		keys[1].sk_collation = C_COLLATION_OID;
		scan = index_beginscan(rel, index, &dirty, 2, 0);
		index_rescan(scan, keys, 2, NULL, 0);
		while (index_getnext_slot(scan, ForwardScanDirection, slot))
		{
			/* being inserted or deleted by a transaction still running: wait for it, then look again */
			wait = TransactionIdIsValid(dirty.xmin) ? dirty.xmin : dirty.xmax;
			if (TransactionIdIsValid(wait))
				break;
			found = true;
			differs = differing_column(slot, values, nulls);
			break;
		}
		index_endscan(scan);
		if (!TransactionIdIsValid(wait))
			break;
		XactLockTableWait(wait, rel, NULL, XLTW_InsertIndex);
	}
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, AccessShareLock);
	if (differs != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_USAGE_CONFLICT),
				 errmsg("usage record \"%s\" of organisation \"%s\" was already loaded with other values",
						TextDatumGetCString(values[COL_KEY - 1]), TextDatumGetCString(values[COL_ORG_ID - 1])),
				 errdetail("Its %s differs.", column_names[differs - 1]),
				 errhint("A record is sent once; a correction needs a key of its own.")));
	return found;
}

static Datum usage_record_check_on_this_node(FunctionCallInfo fcinfo);

/* BEFORE INSERT OR UPDATE row trigger on usage_records */
PG_FUNCTION_INFO_V1(usage_record_check);
Datum
usage_record_check(PG_FUNCTION_ARGS)
{
	/* the extension's own writes (a generation, an ingest) pass as they are, without the shard's set-up per row */
	if (rating_active && CALLED_AS_TRIGGER(fcinfo) &&
		TRIGGER_FIRED_BEFORE(((TriggerData *) fcinfo->context)->tg_event) &&
		TRIGGER_FIRED_FOR_ROW(((TriggerData *) fcinfo->context)->tg_event))
	{
		TriggerData *trigdata = (TriggerData *) fcinfo->context;

		return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple);
	}
	return invoice_trigger_on_shard(fcinfo, "usage_records", usage_record_check_on_this_node);
}

static Datum
usage_record_check_on_this_node(FunctionCallInfo fcinfo)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel = trigdata->tg_relation;
	TupleDesc	tupdesc = RelationGetDescr(rel);
	Datum		values[NCOLS];
	bool		nulls[NCOLS];
	const char *product_id;

	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event) || !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		tupdesc->natts != NCOLS)
		elog(ERROR, "usage_record_check must be a BEFORE ROW trigger on usage_records");

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		Datum		old_values[NCOLS];
		bool		old_nulls[NCOLS];

		heap_deform_tuple(trigdata->tg_trigtuple, tupdesc, old_values, old_nulls);
		ereport(ERROR,
				(errcode(ERRCODE_INVOICE_FROZEN),
				 errmsg("usage record \"%s\" of organisation \"%s\" cannot be changed",
						TextDatumGetCString(old_values[COL_KEY - 1]), TextDatumGetCString(old_values[COL_ORG_ID - 1])),
				 errdetail("Usage records are written once; invoice_generate alone sets their invoice."),
				 errhint("Send a correction as a record of its own; delete a record that is not billed yet.")));
	}

	heap_deform_tuple(trigdata->tg_trigtuple, tupdesc, values, nulls);
	check_values(values, nulls);
	check_org(values, nulls);
	product_id = check_product(values, nulls);
	if (already_loaded(rel, values, nulls))
		return PointerGetDatum(NULL);	/* re-sent: nothing changes */
	{
		int			cols[2] = {COL_LOAD_BATCH, COL_PRODUCT_ID};
		Datum		set[2] = {Int64GetDatum(load_batch(rel)), CStringGetTextDatum(product_id)};
		bool		isnull[2] = {false, false};

		return PointerGetDatum(heap_modify_tuple_by_cols(trigdata->tg_trigtuple, tupdesc, 2, cols, set, isnull));
	}
}

static Datum usage_invoice_released_on_this_node(FunctionCallInfo fcinfo);

/*
 * AFTER DELETE statement trigger on usage_invoices: a deleted generated draft
 * gives its usage back — the deleted row held the load batches it billed —
 * once a generation of the organisation running now has finished.
 */
PG_FUNCTION_INFO_V1(usage_invoice_released);
Datum
usage_invoice_released(PG_FUNCTION_ARGS)
{
	return invoice_trigger_on_shard(fcinfo, "usage_invoices", usage_invoice_released_on_this_node);
}

static Datum
usage_invoice_released_on_this_node(FunctionCallInfo fcinfo)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	int			nest_level;

	if (!TRIGGER_FIRED_AFTER(trigdata->tg_event) || !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		elog(ERROR, "usage_invoice_released must be an AFTER statement trigger");
	SPI_connect();
	SPI_register_trigger_data(trigdata);
	nest_level = invoice_pin_search_path();
	/* a generation of these organisations running now waits for us, or we for it */
	if (invoice_execute("SELECT invoice.usage_generation_lock(o.org_id)"
						"  FROM (SELECT DISTINCT c.org_id FROM changed_old c) o ORDER BY o.org_id", false, 0)
		!= SPI_OK_SELECT)
		elog(ERROR, "usage generation lock failed");
	/* the deleted rows took the load batches they billed with them: nothing else to undo */
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	PG_RETURN_POINTER(NULL);
}
