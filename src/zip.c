/*
 * zip.c
 *		Several invoices' PDFs as one ZIP archive, built in memory with libzip.
 *
 * Every PDF is rendered first (pdf.c; each may raise an error, and nothing
 * of libzip exists yet), then the archive is written into an in-memory
 * source and copied out.  libzip allocates with malloc and reports errors
 * by return value; PG_FINALLY discards the archive and frees the source on
 * every path.
 */
#include "postgres.h"

#include <zip.h>

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "invoice.h"
#include "pdf.h"
#include "utils/array.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/*
 * Every PDF of an archive is in memory at once (libzip reads them only when
 * the archive is closed): a limit keeps a request from growing the backend
 * without bound or running into the 1 GB bytea limit (PDFs are 0.2-0.3 MB).
 */
#define ZIP_MAX_INVOICES 1000

typedef struct ZipMember
{
	char	   *name;
	bytea	   *pdf;
} ZipMember;

static void zip_raise(zip_error_t *error, const char *what) pg_attribute_noreturn();

/* Raise libzip's error: out of memory as such, anything else as a failure of libzip. */
static void
zip_raise(zip_error_t *error, const char *what)
{
	if (zip_error_code_zip(error) == ZIP_ER_MEMORY)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("libzip could not allocate memory to %s.", what)));
	ereport(ERROR,
			(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
			 errmsg("could not %s: %s", what, zip_error_strerror(error))));
}

/*
 * The distinct ids of the array, in their first order.  An archive has at
 * most ZIP_MAX_INVOICES members, so comparing each id with those kept is
 * cheap enough and needs no hash table.
 */
static List *
distinct_ids(ArrayType *ids)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	List	   *kept = NIL;

	deconstruct_array(ids, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the list of invoice ids is empty"),
				 errhint("Pass the ids of the invoices to put in the archive.")));
	for (int i = 0; i < n; i++)
	{
		ListCell   *lc;
		text	   *id;
		bool		seen = false;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("invoice ids must not contain null")));
		id = DatumGetTextPP(elems[i]);
		foreach(lc, kept)
		{
			text	   *other = lfirst(lc);

			/* ids are COLLATE "C": equal means byte for byte */
			if (VARSIZE_ANY_EXHDR(other) == VARSIZE_ANY_EXHDR(id) &&
				memcmp(VARDATA_ANY(other), VARDATA_ANY(id), VARSIZE_ANY_EXHDR(id)) == 0)
			{
				seen = true;
				break;
			}
		}
		if (seen)
			continue;
		if (list_length(kept) == ZIP_MAX_INVOICES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("an archive holds at most %d invoices", ZIP_MAX_INVOICES),
					 errhint("Download the invoices in several archives.")));
		kept = lappend(kept, id);
	}
	return kept;
}

/*
 * A member name not yet in the archive: the invoice's own, or, should two
 * invoices' names meet (a draft whose id reads like another's number), the
 * name with a counter.
 */
static char *
unique_name(zip_t *archive, const char *name)
{
	size_t		stem = strlen(name) - strlen(".pdf");

	if (zip_name_locate(archive, name, ZIP_FL_ENC_UTF_8) < 0)
		return pstrdup(name);
	for (int i = 2;; i++)
	{
		char	   *other = psprintf("%.*s (%d).pdf", (int) stem, name, i);

		if (zip_name_locate(archive, other, ZIP_FL_ENC_UTF_8) < 0)
			return other;
	}
}

/*
 * The archive of members, allocated in the current memory context.  Members
 * are stored as they are: a PDF's streams are compressed already, and
 * deflating the rest (a quarter of the bytes) would cost about 40 % more
 * database CPU than rendering alone.
 */
static bytea *
write_zip(List *members)
{
	zip_error_t error;
	zip_source_t *source;
	zip_t	   *volatile archive = NULL;
	bytea	   *volatile result = NULL;
	time_t		mtime = timestamptz_to_time_t(invoice_clock_now());

	zip_error_init(&error);
	source = zip_source_buffer_create(NULL, 0, 0, &error);
	if (source == NULL)
		zip_raise(&error, "create a ZIP archive");
	PG_TRY();
	{
		ListCell   *lc;
		zip_stat_t	stat;
		zip_int64_t got;

		archive = zip_open_from_source(source, ZIP_TRUNCATE, &error);
		if (archive == NULL)
			zip_raise(&error, "create a ZIP archive");
		/* the archive releases the source when it is closed; keep it to read the result */
		zip_source_keep(source);

		foreach(lc, members)
		{
			ZipMember  *m = lfirst(lc);
			char	   *name = unique_name(archive, m->name);
			zip_source_t *data = zip_source_buffer(archive, VARDATA(m->pdf), VARSIZE(m->pdf) - VARHDRSZ, 0);
			zip_int64_t index;

			if (data == NULL)
				zip_raise(zip_get_error(archive), "add a PDF to a ZIP archive");
			index = zip_file_add(archive, name, data, ZIP_FL_ENC_UTF_8);
			if (index < 0)
			{
				zip_source_free(data);
				zip_raise(zip_get_error(archive), "add a PDF to a ZIP archive");
			}
			if (zip_set_file_compression(archive, index, ZIP_CM_STORE, 0) < 0 ||
				zip_file_set_mtime(archive, index, mtime, 0) < 0)
				zip_raise(zip_get_error(archive), "add a PDF to a ZIP archive");
		}
		if (zip_close(archive) < 0)
			zip_raise(zip_get_error(archive), "write a ZIP archive");
		archive = NULL;

		if (zip_source_open(source) < 0)
			zip_raise(zip_source_error(source), "read a ZIP archive");
		zip_stat_init(&stat);
		if (zip_source_stat(source, &stat) < 0 || !(stat.valid & ZIP_STAT_SIZE))
			zip_raise(zip_source_error(source), "read a ZIP archive");
		if (stat.size > MaxAllocSize - VARHDRSZ)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("ZIP archive of " UINT64_FORMAT " bytes is too large", (uint64) stat.size),
					 errhint("Download the invoices in several archives.")));
		result = palloc(VARHDRSZ + stat.size);
		got = zip_source_read(source, VARDATA(result), stat.size);
		if (got < 0 || (zip_uint64_t) got != stat.size)
			zip_raise(zip_source_error(source), "read a ZIP archive");
		SET_VARSIZE(result, VARHDRSZ + stat.size);
		zip_source_close(source);
	}
	PG_FINALLY();
	{
		if (archive != NULL)
			zip_discard(archive);
		zip_source_free(source);
	}
	PG_END_TRY();
	return result;
}

/* invoice_pdf_zip(ids): one PDF per distinct invoice, named by its number, in one ZIP archive */
PG_FUNCTION_INFO_V1(invoice_pdf_zip);
Datum
invoice_pdf_zip(PG_FUNCTION_ARGS)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext cxt;
	List	   *members = NIL;
	ListCell   *lc;
	bytea	   *result;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("invoice ids must not be null")));

	/* the PDFs live here until the archive is written, then go at once */
	cxt = AllocSetContextCreate(caller, "invoice ZIP archive", ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(cxt);
	foreach(lc, distinct_ids(PG_GETARG_ARRAYTYPE_P(0)))
	{
		ZipMember  *m = palloc(sizeof(ZipMember));

		m->pdf = invoice_pdf_render(lfirst(lc), &m->name);
		members = lappend(members, m);
	}
	MemoryContextSwitchTo(caller);
	result = write_zip(members);
	MemoryContextDelete(cxt);
	PG_RETURN_BYTEA_P(result);
}
