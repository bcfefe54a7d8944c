/*
 * search.c
 *		The list's search (sql/ext/58_search.sql): the search term of an
 *		argument; text_icontains, the case-insensitive "contains" that
 *		the list and the CSV export apply to numbers and descriptions; and the search
 *		signatures that let a search skip invoices that cannot match.
 *
 * text_icontains(h, n) is h ILIKE '%' || n || '%' with n taken literally:
 * both lowered by lower() in the collation of the call, then a substring
 * test.  ILIKE lowers every string it looks at through the locale (an
 * allocation and a conversion each); here the term is lowered once per
 * query, and a haystack that is all ASCII is folded through a 128-byte table
 * that lower() itself filled for that collation.  The table is used only
 * when lower() maps every ASCII character to one ASCII character (not, for
 * instance, the Turkish dotted I); other text goes through lower() as ILIKE
 * does.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "invoice.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/formatting.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "nodes/makefuncs.h"

#define STACK_FOLD 512

/* Whether a remembered text (NULL: none yet) holds the same bytes as t. */
static bool
same_text(const text *remembered, const text *t)
{
	return remembered != NULL && VARSIZE_ANY_EXHDR(remembered) == VARSIZE_ANY_EXHDR(t) &&
		memcmp(VARDATA_ANY(remembered), VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)) == 0;
}

/* Replace the remembered text in *slot by a copy of t, in the current memory context. */
static void
remember_text(text **slot, const text *t)
{
	if (*slot != NULL)
		pfree(*slot);
	*slot = (text *) palloc(VARSIZE_ANY(t));
	memcpy(*slot, t, VARSIZE_ANY(t));
}

/*
 * The ASCII fold table of a collation, made once per backend (filling one
 * takes 127 calls of lower(), far more than a search's other work): the
 * last few collations used.
 */
typedef struct FoldTable
{
	Oid			collation;
	bool		ascii_table;	/* fold[] is lower() for every ASCII character */
	char		fold[128];
} FoldTable;

#define FOLD_TABLES 4

static const FoldTable *
fold_table(Oid collation)
{
	static FoldTable tables[FOLD_TABLES];
	static int	ntables = 0;
	FoldTable  *table;

	for (int i = 0; i < ntables; i++)
		if (tables[i].collation == collation)
			return &tables[i];
	/* fill the next slot, the oldest once all are taken */
	table = &tables[ntables < FOLD_TABLES ? ntables : (int) (collation % FOLD_TABLES)];
	table->collation = InvalidOid;	/* until filled: lower() may raise */
	table->ascii_table = true;
	table->fold[0] = '\0';			/* never in text */
	for (int c = 1; c < 128; c++)
	{
		char		in = (char) c;
		char	   *out = str_tolower(&in, 1, collation);
		bool		one_ascii = strlen(out) == 1 && (unsigned char) out[0] < 128;

		table->fold[c] = out[0];
		pfree(out);
		if (!one_ascii)
		{
			table->ascii_table = false;
			break;
		}
	}
	table->collation = collation;
	if (ntables < FOLD_TABLES)
		ntables++;
	return table;
}

/* Per call site: a copy of the fold table of its collation and the last term, lowered. */
typedef struct ContainsCache
{
	FoldTable	table;
	text	   *term;			/* the term as given */
	char	   *lowered;		/* lower(term) */
	size_t		lowered_len;
} ContainsCache;

/* text_icontains(haystack, term): haystack ILIKE '%term%' with term literal; a blank term matches all */
PG_FUNCTION_INFO_V1(invoice_text_icontains);
Datum
invoice_text_icontains(PG_FUNCTION_ARGS)
{
	text	   *haystack = PG_GETARG_TEXT_PP(0);
	text	   *term = PG_GETARG_TEXT_PP(1);
	Oid			collation = PG_GET_COLLATION();
	ContainsCache *cache = fcinfo->flinfo->fn_extra;
	const char *hay = VARDATA_ANY(haystack);
	size_t		hay_len = VARSIZE_ANY_EXHDR(haystack);
	char		stack[STACK_FOLD];
	char	   *folded = NULL;
	bool		found;

	if (!OidIsValid(collation))
		ereport(ERROR,
				(errcode(ERRCODE_INDETERMINATE_COLLATION),
				 errmsg("could not determine which collation to use for text_icontains"),
				 errhint("Use the COLLATE clause to set the collation explicitly.")));
	if (cache == NULL)
		cache = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ContainsCache));
	if (cache->table.collation != collation || !same_text(cache->term, term))
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		cache->table = *fold_table(collation);
		remember_text(&cache->term, term);
		if (cache->lowered != NULL)
			pfree(cache->lowered);
		cache->lowered = str_tolower(VARDATA_ANY(term), VARSIZE_ANY_EXHDR(term), collation);
		cache->lowered_len = strlen(cache->lowered);
		MemoryContextSwitchTo(old);
	}
	if (cache->lowered_len == 0)
		PG_RETURN_BOOL(true);
	if (cache->table.ascii_table)
	{
		folded = hay_len <= STACK_FOLD ? stack : palloc(hay_len);
		for (size_t i = 0; i < hay_len; i++)
		{
			unsigned char c = (unsigned char) hay[i];

			if (c >= 128)
			{
				if (folded != stack)
					pfree(folded);
				folded = NULL;
				break;
			}
			folded[i] = cache->table.fold[c];
		}
	}
	if (folded != NULL)
	{
		found = memmem(folded, hay_len, cache->lowered, cache->lowered_len) != NULL;
		if (folded != stack)
			pfree(folded);
	}
	else
	{
		char	   *lowered = str_tolower(hay, hay_len, collation);

		found = memmem(lowered, strlen(lowered), cache->lowered, cache->lowered_len) != NULL;
		pfree(lowered);
	}
	PG_FREE_IF_COPY(haystack, 0);
	PG_RETURN_BOOL(found);
}

text *
invoice_search_term(text *search)
{
	text	   *trimmed = DatumGetTextPP(DirectFunctionCall1(btrim1, PointerGetDatum(search)));

	return VARSIZE_ANY_EXHDR(trimmed) == 0 ? NULL : trimmed;
}

/* search_term(text): what a search argument looks for, trimmed; NULL for NULL or blank */
PG_FUNCTION_INFO_V1(invoice_search_term_sql);
Datum
invoice_search_term_sql(PG_FUNCTION_ARGS)
{
	text	   *term = invoice_search_term(PG_GETARG_TEXT_PP(0));

	if (term == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(term);
}

/*
 * Search signatures: a Bloom filter of the byte trigrams of an invoice's
 * texts (its number, its description, its lines' descriptions), each lowered
 * by lower() in the database's default collation, kept per invoice in
 * invoice.search_signatures.  If lower(term) lies within lower(text), every
 * trigram of lower(term) is a trigram of lower(text): an invoice whose
 * signature lacks one of the term's trigrams cannot match, and the search
 * reads only the others (and then tests them with text_icontains: a Bloom
 * filter only over-approximates).  Bits are only ever added, so a signature
 * stays a superset when a text changes or a line goes (search_rebuild makes
 * it exact again).  A term of fewer than 3 bytes, or in another collation,
 * excludes nothing.
 */
#define SIGNATURE_BITS 2048
#define SIGNATURE_BYTES (SIGNATURE_BITS / 8)
#define SIGNATURE_HASHES 3
#define MAX_TERM_TRIGRAMS 64

/* The bits of one trigram: double hashing of its 24-bit value. */
static void
trigram_bits(const unsigned char *t, uint32 bits[SIGNATURE_HASHES])
{
	uint32		value = (uint32) t[0] | ((uint32) t[1] << 8) | ((uint32) t[2] << 16);
	uint32		h1 = hash_bytes_uint32(value);
	uint32		h2 = hash_bytes_uint32(value ^ 0x9e3779b9) | 1;

	for (int i = 0; i < SIGNATURE_HASHES; i++)
		bits[i] = (h1 + (uint32) i * h2) & (SIGNATURE_BITS - 1);
}

static void
signature_add(uint8 *signature, const char *text, size_t len)
{
	char	   *lowered;
	size_t		lowered_len;

	/* even a text under 3 bytes: lower() may lengthen it (ICU lowers "İ" to "i̇", 3 bytes) */
	lowered = str_tolower(text, len, DEFAULT_COLLATION_OID);
	lowered_len = strlen(lowered);
	for (size_t i = 0; i + 3 <= lowered_len; i++)
	{
		uint32		bits[SIGNATURE_HASHES];

		trigram_bits((const unsigned char *) lowered + i, bits);
		for (int h = 0; h < SIGNATURE_HASHES; h++)
			signature[bits[h] >> 3] |= (uint8) (1 << (bits[h] & 7));
	}
	pfree(lowered);
}

static bytea *
signature_new(void)
{
	bytea	   *result = palloc0(VARHDRSZ + SIGNATURE_BYTES);

	SET_VARSIZE(result, VARHDRSZ + SIGNATURE_BYTES);
	return result;
}

static const uint8 *
signature_bytes(bytea *signature, const char *what)
{
	if (VARSIZE_ANY_EXHDR(signature) != SIGNATURE_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is not a search signature", what),
				 errdetail("A search signature is %d bytes, not %zu.", SIGNATURE_BYTES,
						   (size_t) VARSIZE_ANY_EXHDR(signature))));
	return (const uint8 *) VARDATA_ANY(signature);
}

/* search_signature(texts text[]): the signature of the texts (NULL elements add nothing) */
PG_FUNCTION_INFO_V1(invoice_search_signature);
Datum
invoice_search_signature(PG_FUNCTION_ARGS)
{
	ArrayType  *texts = PG_GETARG_ARRAYTYPE_P(0);
	bytea	   *result = signature_new();
	uint8	   *signature = (uint8 *) VARDATA(result);
	ArrayIterator it;
	Datum		value;
	bool		isnull;

	if (ARR_ELEMTYPE(texts) != TEXTOID)
		elog(ERROR, "search_signature takes text[]");
	it = array_create_iterator(texts, 0, NULL);
	while (array_iterate(it, &value, &isnull))
		if (!isnull)
		{
			text	   *t = DatumGetTextPP(value);

			signature_add(signature, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
		}
	array_free_iterator(it);
	PG_RETURN_BYTEA_P(result);
}

/* search_signature_union(a, b): the bits of both; NULL is the empty signature */
PG_FUNCTION_INFO_V1(invoice_search_signature_union);
Datum
invoice_search_signature_union(PG_FUNCTION_ARGS)
{
	bytea	   *result = signature_new();
	uint8	   *out = (uint8 *) VARDATA(result);

	for (int a = 0; a < 2; a++)
		if (!PG_ARGISNULL(a))
		{
			const uint8 *in = signature_bytes(PG_GETARG_BYTEA_PP(a), "the argument");

			for (int i = 0; i < SIGNATURE_BYTES; i++)
				out[i] |= in[i];
		}
	PG_RETURN_BYTEA_P(result);
}

/* The bits a signature must have for a term: those of each of its trigrams. */
typedef struct TermBits
{
	int			nbits;			/* 0: the term rules nothing out */
	uint32		bits[MAX_TERM_TRIGRAMS * SIGNATURE_HASHES];
} TermBits;

/*
 * A term of fewer than 3 bytes has no trigram, and one in another collation
 * than the default may lower differently from the signatures: neither rules
 * anything out.  A long term is tested on its first trigrams only (still a
 * necessary condition).
 */
static void
term_bits(TermBits *tb, text *term, Oid collation)
{
	char	   *lowered;
	size_t		len;

	tb->nbits = 0;
	if (collation != DEFAULT_COLLATION_OID || VARSIZE_ANY_EXHDR(term) < 3)
		return;
	lowered = str_tolower(VARDATA_ANY(term), VARSIZE_ANY_EXHDR(term), collation);
	len = strlen(lowered);
	for (size_t i = 0; i + 3 <= len && tb->nbits < MAX_TERM_TRIGRAMS * SIGNATURE_HASHES; i++)
	{
		trigram_bits((const unsigned char *) lowered + i, tb->bits + tb->nbits);
		tb->nbits += SIGNATURE_HASHES;
	}
	pfree(lowered);
}

static bool
signature_may_contain(const uint8 *signature, const TermBits *tb)
{
	for (int i = 0; i < tb->nbits; i++)
		if ((signature[tb->bits[i] >> 3] & (1 << (tb->bits[i] & 7))) == 0)
			return false;
	return true;
}

/* Per call site: the last term and its bits. */
typedef struct MayContainCache
{
	text	   *term;
	TermBits	bits;
} MayContainCache;

/*
 * search_may_contain(signature, term): false only when no text the
 * signature was built from can contain the term (text_icontains); NULL
 * signature or term: true
 */
PG_FUNCTION_INFO_V1(invoice_search_may_contain);
Datum
invoice_search_may_contain(PG_FUNCTION_ARGS)
{
	MayContainCache *cache = fcinfo->flinfo->fn_extra;
	text	   *term;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_BOOL(true);
	term = PG_GETARG_TEXT_PP(1);
	if (cache == NULL)
		cache = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(MayContainCache));
	if (!same_text(cache->term, term))
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		remember_text(&cache->term, term);
		MemoryContextSwitchTo(old);
		term_bits(&cache->bits, term, PG_GET_COLLATION());
	}
	PG_RETURN_BOOL(signature_may_contain(signature_bytes(PG_GETARG_BYTEA_PP(0), "the signature"), &cache->bits));
}

/*
 * The ids of an organisation's invoices whose signature may contain the
 * term (in the default collation), in id order: the list's search
 * candidates, read straight from the signatures' primary key, like an
 * index-only scan without the executor and without visibility checks.  An
 * index entry of a row version that is not visible can only add a
 * candidate, and every visible signature has its entry, so the answer is a
 * superset of search_candidates'; the caller reads the invoices themselves
 * (under row-level security) and tests each.  Not callable from SQL: it
 * reads any organisation's entries.
 */
Datum
invoice_search_candidate_ids(text *org_id, text *term)
{
	Relation	heap = table_open(invoice_table_relid("search_signatures"), AccessShareLock);
	Relation	index = index_open(RelationGetPrimaryKeyIndex(heap), AccessShareLock);
	ArrayBuildState *ids = initArrayResult(TEXTOID, CurrentMemoryContext, false);
	text	   *last = NULL;
	TermBits	bits;
	ScanKeyData key;
	IndexScanDesc scan;

	term_bits(&bits, term, DEFAULT_COLLATION_OID);
	ScanKeyEntryInitialize(&key, 0, 1, BTEqualStrategyNumber, InvalidOid, index->rd_indcollation[0],
						   F_TEXTEQ, PointerGetDatum(org_id));
	scan = index_beginscan(heap, index, GetActiveSnapshot(), 1, 0);
	scan->xs_want_itup = true;
	index_rescan(scan, &key, 1, NULL, 0);
	while (index_getnext_tid(scan, ForwardScanDirection) != NULL)
	{
		bool		isnull;
		text	   *id;

		if (!signature_may_contain(signature_bytes(DatumGetByteaPP(index_getattr(scan->xs_itup, 3, scan->xs_itupdesc,
																				  &isnull)),
												   "an indexed signature"),
								   &bits))
			continue;
		id = DatumGetTextPP(index_getattr(scan->xs_itup, 2, scan->xs_itupdesc, &isnull));
		/* versions of one signature not yet vacuumed away: one id */
		if (same_text(last, id))
			continue;
		accumArrayResult(ids, PointerGetDatum(id), false, TEXTOID, CurrentMemoryContext);
		last = DatumGetTextPP(ids->dvalues[ids->nelems - 1]);
	}
	index_endscan(scan);
	index_close(index, AccessShareLock);
	table_close(heap, AccessShareLock);
	return makeArrayResult(ids, CurrentMemoryContext);
}

/*
 * Add texts to the signatures of invoices, from a trigger: texts_sql yields
 * rows (org_id, invoice_id, texts text[]), usually from the transition
 * tables (registered by the caller, inside SPI).  An invoice without a
 * signature gets one; a signature that already covers the texts is left
 * unwritten.  cache: a kept plan (small statements), or NULL to plan afresh.
 */
void
invoice_search_add_texts(const char *texts_sql, SPIPlanPtr *cache)
{
	invoice_search_add_texts_with_args(texts_sql, cache, 0, NULL, NULL);
}

void
invoice_search_add_texts_with_args(const char *texts_sql, SPIPlanPtr *cache, int nargs, Oid *argtypes,
								   Datum *values)
{
	char	   *sql = psprintf("INSERT INTO invoice.search_signatures AS g (org_id, invoice_id, signature)"
							   " SELECT t.org_id, t.invoice_id, invoice.search_signature(t.texts)"
							   " FROM (%s) t (org_id, invoice_id, texts)"
							   " ON CONFLICT (org_id, invoice_id) DO UPDATE"
							   " SET signature = invoice.search_signature_union(g.signature, excluded.signature)"
							   " WHERE invoice.search_signature_union(g.signature, excluded.signature) <> g.signature",
							   texts_sql);
	int			rc;

	if (cache != NULL)
		rc = SPI_execute_plan(invoice_prepare(cache, sql, nargs, argtypes), values, NULL, false, 0);
	else
		rc = invoice_execute_with_args(sql, nargs, argtypes, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "writing search signatures failed");
	pfree(sql);
}

/*
 * Rewrite the search signatures here (one node, or a shard group on its
 * node): of one organisation's invoices, or (org_id NULL) of all.  Writers
 * wait (SHARE): the signatures written are exact, and no concurrent
 * statement creates one that the INSERT is about to write.
 */
static int64
rebuild_here(Datum org_id, bool all)
{
	Oid			argtypes[1] = {TEXTOID};
	char		nulls[1] = {all ? 'n' : ' '};
	int64		written;
	int			nest_level;

	SPI_connect();
	nest_level = invoice_pin_search_path();
	if (invoice_execute("LOCK TABLE invoice.invoices, invoice.line_items, invoice.search_signatures IN SHARE MODE",
						false, 0) != SPI_OK_UTILITY ||
		invoice_execute_with_args("DELETE FROM invoice.search_signatures g WHERE $1 IS NULL OR g.org_id = $1",
								  1, argtypes, &org_id, nulls, false, 0) != SPI_OK_DELETE ||
		invoice_execute_with_args("INSERT INTO invoice.search_signatures (org_id, invoice_id, signature)"
								  " SELECT i.org_id, i.id,"
								  "        invoice.search_signature(ARRAY[i.number, i.description] || array_agg(l.description))"
								  "   FROM invoice.invoices i"
								  "   LEFT JOIN invoice.line_items l ON l.org_id = i.org_id AND l.invoice_id = i.id"
								  "  WHERE $1 IS NULL OR i.org_id = $1"
								  "  GROUP BY i.org_id, i.id",
								  1, argtypes, &org_id, nulls, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "rebuilding the search signatures failed");
	written = (int64) SPI_processed;
	invoice_unpin_search_path(nest_level);
	SPI_finish();
	return written;
}

static Datum
rebuild_org_here(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(rebuild_here(PG_GETARG_DATUM(0), false));
}

static Datum
rebuild_all_here(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(rebuild_here((Datum) 0, true));
}

static Datum search_rebuild_as_owner(FunctionCallInfo fcinfo);

/*
 * search_rebuild(org_id): billing administrators; exact signatures again, of
 * one organisation (on its node) or of all (NULL: on Citus, each node its
 * own shards); returns how many were written.
 */
PG_FUNCTION_INFO_V1(invoice_search_rebuild);
Datum
invoice_search_rebuild(PG_FUNCTION_ARGS)
{
	return invoice_call_as_owner(fcinfo, search_rebuild_as_owner);
}

static Datum
search_rebuild_as_owner(FunctionCallInfo fcinfo)
{
	static SPIPlanPtr org_plan = NULL;
	static SPIPlanPtr all_plan = NULL;

	invoice_require_administrator("rebuild the search signatures");
	if (!PG_ARGISNULL(0))
		return invoice_call_for_org(fcinfo, rebuild_org_here, &org_plan, "invoice.search_rebuild(o.org_id)");
	PG_RETURN_INT64(invoice_sum_over_shards(fcinfo, rebuild_all_here, &all_plan,
											"invoice.search_rebuild_on_node(o.org_id)"));
}

static Datum search_rebuild_on_node(FunctionCallInfo fcinfo);

/* search_rebuild_on_node(org_id): search_rebuild() of org_id's shard group, on its node (internal) */
PG_FUNCTION_INFO_V1(invoice_search_rebuild_on_node);
Datum
invoice_search_rebuild_on_node(PG_FUNCTION_ARGS)
{
	return invoice_call_in_org(fcinfo, search_rebuild_on_node);
}

static Datum
search_rebuild_on_node(FunctionCallInfo fcinfo)
{
	PG_RETURN_INT64(rebuild_here((Datum) 0, true));
}
