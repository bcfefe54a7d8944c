/*
 * zip.c
 *		Several invoices' PDFs as one ZIP archive, written as they are rendered.
 *
 * Each PDF is rendered (pdf.c) in a memory context of its own, appended to
 * the archive as a stored member (local header, then the bytes) and its
 * memory released before the next is rendered, so the backend holds the
 * archive and one PDF at a time: peak memory is the archive's size plus one
 * rendering, whatever the number of invoices (README "Documents").  The
 * archive is the function's result, so it cannot be smaller than that.
 * The format is the ZIP application note's plainest: stored (method 0),
 * sizes and CRC-32 (PostgreSQL's traditional CRC, the ZIP one) in the local
 * header, UTF-8 names, a central directory at the end; an archive is at
 * most 1 GB (a bytea), far below what would need ZIP64.  libzip, used
 * before, kept every PDF until it closed the archive and then copied it:
 * 614 MB of backend for 1,000 invoices (a 186 MB archive).
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "invoice.h"
#include "lib/stringinfo.h"
#include "pdf.h"
#include "utils/array.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/pg_crc.h"
#include "utils/timestamp.h"

/*
 * An archive is the function's bytea, in memory whole: a limit keeps a
 * request far below the 1 GB a bytea can hold (PDFs are 0.2-0.3 MB).
 */
#define ZIP_MAX_INVOICES 1000

#define ZIP_LOCAL_HEADER	0x04034b50
#define ZIP_CENTRAL_HEADER	0x02014b50
#define ZIP_END_OF_CENTRAL	0x06054b50
#define ZIP_VERSION			20		/* 2.0: what a stored member needs */
#define ZIP_MADE_BY_UNIX	(3 << 8 | ZIP_VERSION)
#define ZIP_FLAG_UTF8		0x0800	/* general purpose bit 11: names are UTF-8 */
#define ZIP_MODE_FILE		((uint32) 0100644 << 16)	/* external attributes: a plain file, rw-r--r-- */

/* A member already written: what its central directory entry repeats. */
typedef struct ZipEntry
{
	char	   *name;
	uint32		crc;
	uint32		size;
	uint32		offset;			/* of its local header */
} ZipEntry;

typedef struct ZipWriter
{
	StringInfoData buf;			/* the bytea being built: a varlena header, then the archive */
	List	   *entries;
	uint16		dos_time;
	uint16		dos_date;
} ZipWriter;

static void
put16(StringInfo buf, uint16 v)
{
	char		b[2] = {(char) (v & 0xff), (char) (v >> 8)};

	appendBinaryStringInfo(buf, b, 2);
}

static void
put32(StringInfo buf, uint32 v)
{
	char		b[4] = {(char) (v & 0xff), (char) ((v >> 8) & 0xff), (char) ((v >> 16) & 0xff), (char) (v >> 24)};

	appendBinaryStringInfo(buf, b, 4);
}

/* Bytes of the archive so far (the varlena header is not part of it). */
static uint32
archive_length(const ZipWriter *w)
{
	return (uint32) (w->buf.len - VARHDRSZ);
}

/* 54000 before the archive would outgrow a bytea (enlargeStringInfo's error would not say why). */
static void
reserve(ZipWriter *w, Size more)
{
	if ((Size) w->buf.len + more >= MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("ZIP archive would be larger than 1 GB"),
				 errhint("Download the invoices in several archives.")));
	enlargeStringInfo(&w->buf, (int) more);
}

/* MS-DOS date and time of the members: the extension's clock, in UTC. */
static void
zip_writer_init(ZipWriter *w)
{
	struct pg_tm tm;
	fsec_t		fsec;

	initStringInfo(&w->buf);
	appendStringInfoSpaces(&w->buf, VARHDRSZ);
	w->entries = NIL;
	if (timestamp2tm(invoice_clock_now(), NULL, &tm, &fsec, NULL, NULL) != 0 || tm.tm_year < 1980 || tm.tm_year > 2107)
	{
		tm.tm_year = 1980;		/* outside what MS-DOS dates can hold: its first day */
		tm.tm_mon = 1;
		tm.tm_mday = 1;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	}
	w->dos_time = (uint16) (tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
	w->dos_date = (uint16) ((tm.tm_year - 1980) << 9 | tm.tm_mon << 5 | tm.tm_mday);
}

/* Append one stored member: its local header, then its bytes. */
static void
zip_add(ZipWriter *w, const char *name, const char *data, uint32 size)
{
	ZipEntry   *e = palloc(sizeof(ZipEntry));
	size_t		name_len = strlen(name);

	INIT_TRADITIONAL_CRC32(e->crc);
	COMP_TRADITIONAL_CRC32(e->crc, data, size);
	FIN_TRADITIONAL_CRC32(e->crc);
	e->name = pstrdup(name);
	e->size = size;
	reserve(w, 30 + name_len + size);
	e->offset = archive_length(w);

	put32(&w->buf, ZIP_LOCAL_HEADER);
	put16(&w->buf, ZIP_VERSION);
	put16(&w->buf, ZIP_FLAG_UTF8);
	put16(&w->buf, 0);			/* stored */
	put16(&w->buf, w->dos_time);
	put16(&w->buf, w->dos_date);
	put32(&w->buf, e->crc);
	put32(&w->buf, size);		/* compressed */
	put32(&w->buf, size);		/* uncompressed */
	put16(&w->buf, (uint16) name_len);
	put16(&w->buf, 0);			/* no extra field */
	appendBinaryStringInfo(&w->buf, name, name_len);
	appendBinaryStringInfo(&w->buf, data, size);
	w->entries = lappend(w->entries, e);
}

/* The central directory and its end record; the archive as a bytea. */
static bytea *
zip_finish(ZipWriter *w)
{
	uint32		directory = archive_length(w);
	uint32		directory_size;
	ListCell   *lc;

	foreach(lc, w->entries)
	{
		ZipEntry   *e = lfirst(lc);
		size_t		name_len = strlen(e->name);

		reserve(w, 46 + name_len);
		put32(&w->buf, ZIP_CENTRAL_HEADER);
		put16(&w->buf, ZIP_MADE_BY_UNIX);
		put16(&w->buf, ZIP_VERSION);
		put16(&w->buf, ZIP_FLAG_UTF8);
		put16(&w->buf, 0);		/* stored */
		put16(&w->buf, w->dos_time);
		put16(&w->buf, w->dos_date);
		put32(&w->buf, e->crc);
		put32(&w->buf, e->size);
		put32(&w->buf, e->size);
		put16(&w->buf, (uint16) name_len);
		put16(&w->buf, 0);		/* no extra field */
		put16(&w->buf, 0);		/* no comment */
		put16(&w->buf, 0);		/* disk */
		put16(&w->buf, 0);		/* internal attributes */
		put32(&w->buf, ZIP_MODE_FILE);
		put32(&w->buf, e->offset);
		appendBinaryStringInfo(&w->buf, e->name, name_len);
	}
	directory_size = archive_length(w) - directory;
	reserve(w, 22);
	put32(&w->buf, ZIP_END_OF_CENTRAL);
	put16(&w->buf, 0);			/* this disk */
	put16(&w->buf, 0);			/* the directory's disk */
	put16(&w->buf, (uint16) list_length(w->entries));
	put16(&w->buf, (uint16) list_length(w->entries));
	put32(&w->buf, directory_size);
	put32(&w->buf, directory);
	put16(&w->buf, 0);			/* no comment */
	SET_VARSIZE(w->buf.data, w->buf.len);
	return (bytea *) w->buf.data;
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
static bool
name_taken(const ZipWriter *w, const char *name)
{
	ListCell   *lc;

	foreach(lc, w->entries)
		if (strcmp(((ZipEntry *) lfirst(lc))->name, name) == 0)
			return true;
	return false;
}

static char *
unique_name(const ZipWriter *w, const char *name)
{
	size_t		stem = strlen(name) - strlen(".pdf");

	if (!name_taken(w, name))
		return pstrdup(name);
	for (int i = 2;; i++)
	{
		char	   *other = psprintf("%.*s (%d).pdf", (int) stem, name, i);

		if (!name_taken(w, other))
			return other;
	}
}

/*
 * invoice_pdf_zip(ids): one PDF per distinct invoice, named by its number,
 * in one ZIP archive.  Members are stored as they are: a PDF's streams are
 * compressed already, and deflating the rest (a quarter of the bytes) would
 * cost about 40 % more database CPU than rendering alone.
 */
PG_FUNCTION_INFO_V1(invoice_pdf_zip);
Datum
invoice_pdf_zip(PG_FUNCTION_ARGS)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext member_cxt;
	ZipWriter	w;
	ListCell   *lc;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("invoice ids must not be null")));

	zip_writer_init(&w);
	/* one PDF at a time lives here: rendered, copied into the archive, released */
	member_cxt = AllocSetContextCreate(caller, "invoice ZIP member", ALLOCSET_DEFAULT_SIZES);
	foreach(lc, distinct_ids(PG_GETARG_ARRAYTYPE_P(0)))
	{
		char	   *name;
		bytea	   *pdf;

		MemoryContextSwitchTo(member_cxt);
		pdf = invoice_pdf_render(lfirst(lc), &name);
		MemoryContextSwitchTo(caller);
		zip_add(&w, unique_name(&w, name), VARDATA(pdf), VARSIZE(pdf) - VARHDRSZ);
		MemoryContextReset(member_cxt);
	}
	MemoryContextDelete(member_cxt);
	PG_RETURN_BYTEA_P(zip_finish(&w));
}
