/*
 * search.c
 *		The list's search (sql/ext/60_json_api.sql): the search term of an
 *		argument, and text_icontains, the case-insensitive "contains" that
 *		invoice_matches applies to numbers and descriptions.
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

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "invoice.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/formatting.h"

#define STACK_FOLD 512

/* Per call site: the fold table of one collation and the last term, lowered. */
typedef struct ContainsCache
{
	Oid			collation;
	bool		ascii_table;	/* fold[] is lower() for every ASCII character */
	char		fold[128];
	text	   *term;			/* the term as given */
	char	   *lowered;		/* lower(term) */
	size_t		lowered_len;
} ContainsCache;

static void
cache_collation(ContainsCache *cache, Oid collation)
{
	cache->collation = collation;
	cache->ascii_table = true;
	cache->fold[0] = '\0';			/* never in text */
	for (int c = 1; c < 128; c++)
	{
		char		in = (char) c;
		char	   *out = str_tolower(&in, 1, collation);
		bool		one_ascii = strlen(out) == 1 && (unsigned char) out[0] < 128;

		cache->fold[c] = out[0];
		pfree(out);
		if (!one_ascii)
		{
			cache->ascii_table = false;
			return;
		}
	}
}

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
	if (cache->collation != collation)
	{
		cache_collation(cache, collation);
		cache->term = NULL;
	}
	if (cache->term == NULL || VARSIZE_ANY_EXHDR(cache->term) != VARSIZE_ANY_EXHDR(term) ||
		memcmp(VARDATA_ANY(cache->term), VARDATA_ANY(term), VARSIZE_ANY_EXHDR(term)) != 0)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (cache->term != NULL)
		{
			pfree(cache->term);
			pfree(cache->lowered);
		}
		cache->term = (text *) cstring_to_text_with_len(VARDATA_ANY(term), VARSIZE_ANY_EXHDR(term));
		cache->lowered = str_tolower(VARDATA_ANY(term), VARSIZE_ANY_EXHDR(term), collation);
		cache->lowered_len = strlen(cache->lowered);
		MemoryContextSwitchTo(old);
	}
	if (cache->lowered_len == 0)
		PG_RETURN_BOOL(true);
	if (cache->ascii_table)
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
			folded[i] = cache->fold[c];
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

	if (len < 3)
		return;
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

/* Per call site: the last term and its trigrams' bits. */
typedef struct MayContainCache
{
	text	   *term;
	bool		filters;		/* the term has trigrams, in the default collation */
	int			nbits;
	uint32		bits[MAX_TERM_TRIGRAMS * SIGNATURE_HASHES];
} MayContainCache;

static void
cache_term_bits(MayContainCache *cache, text *term, Oid collation, MemoryContext mcxt)
{
	char	   *lowered;
	size_t		len;

	if (cache->term != NULL)
		pfree(cache->term);
	cache->term = (text *) MemoryContextAlloc(mcxt, VARSIZE_ANY(term));
	memcpy(cache->term, term, VARSIZE_ANY(term));
	cache->nbits = 0;
	cache->filters = false;
	if (collation != DEFAULT_COLLATION_OID || VARSIZE_ANY_EXHDR(term) < 3)
		return;
	lowered = str_tolower(VARDATA_ANY(term), VARSIZE_ANY_EXHDR(term), collation);
	len = strlen(lowered);
	/* a long term is tested on its first trigrams only: still a necessary condition */
	for (size_t i = 0; i + 3 <= len && cache->nbits < MAX_TERM_TRIGRAMS * SIGNATURE_HASHES; i++)
	{
		trigram_bits((const unsigned char *) lowered + i, cache->bits + cache->nbits);
		cache->nbits += SIGNATURE_HASHES;
	}
	cache->filters = cache->nbits > 0;
	pfree(lowered);
}

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
	const uint8 *signature;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_BOOL(true);
	term = PG_GETARG_TEXT_PP(1);
	if (cache == NULL)
		cache = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(MayContainCache));
	if (cache->term == NULL || VARSIZE_ANY(cache->term) != VARSIZE_ANY(term) ||
		memcmp(cache->term, term, VARSIZE_ANY(term)) != 0)
		cache_term_bits(cache, term, PG_GET_COLLATION(), fcinfo->flinfo->fn_mcxt);
	signature = signature_bytes(PG_GETARG_BYTEA_PP(0), "the signature");
	for (int i = 0; i < cache->nbits; i++)
		if ((signature[cache->bits[i] >> 3] & (1 << (cache->bits[i] & 7))) == 0)
			PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(true);
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
	char	   *sql = psprintf("INSERT INTO invoice.search_signatures AS g (org_id, invoice_id, signature)"
							   " SELECT t.org_id, t.invoice_id, invoice.search_signature(t.texts)"
							   " FROM (%s) t (org_id, invoice_id, texts)"
							   " ON CONFLICT (org_id, invoice_id) DO UPDATE"
							   " SET signature = invoice.search_signature_union(g.signature, excluded.signature)"
							   " WHERE invoice.search_signature_union(g.signature, excluded.signature) <> g.signature",
							   texts_sql);
	int			rc;

	if (cache != NULL)
		rc = SPI_execute_plan(invoice_prepare(cache, sql, 0, NULL), NULL, NULL, false, 0);
	else
		rc = SPI_execute(sql, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "writing search signatures failed");
	pfree(sql);
}
