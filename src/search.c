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

#include "fmgr.h"
#include "invoice.h"
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
