/*
 * json_write.h
 *		JSON documents written straight from rows (json_write.c): the one
 *		writer behind the List and Describe shapes, their views and the
 *		json_time / status_label helpers.
 */
#ifndef INVOICE_JSON_WRITE_H
#define INVOICE_JSON_WRITE_H

#include "access/htup.h"
#include "access/tupdesc.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "invoice.h"
#include "lib/stringinfo.h"

/* How a column becomes a JSON value. */
typedef enum JsonFieldKind
{
	JSON_FIELD_STRING,			/* text, name, enum: a string */
	JSON_FIELD_NUMBER,			/* numeric, integers: a number ("NaN" and the like as strings) */
	JSON_FIELD_CENTS,			/* cents: an integer of minor units */
	JSON_FIELD_TIME,			/* timestamptz: "2024-02-01T00:00:00Z" */
	JSON_FIELD_STATUS,			/* invoice.status: its label (pending is "unpaid") */
	JSON_FIELD_BOOLEAN			/* boolean: true or false */
} JsonFieldKind;

/* One key of an object: its name, the column it comes from, how. */
typedef struct JsonField
{
	const char *key;
	const char *column;
	JsonFieldKind kind;
} JsonField;

/*
 * Fields resolved against the rows' descriptor: build once per result (or
 * per row type), then write any number of rows.
 */
typedef struct JsonRowWriter
{
	const JsonField *fields;
	int			nfields;
	TupleDesc	tupdesc;
	AttrNumber *attnums;
	char	  **keys;			/* each field's `"key" : `, escaped once */
	FmgrInfo   *output;			/* output functions (string and number fields) */
	Datum	   *values;			/* a deformed row */
	bool	   *isnull;
} JsonRowWriter;

extern void json_row_writer_init(JsonRowWriter *writer, const JsonField *fields, int nfields,
								 TupleDesc tupdesc);

/* The columns fields read, as a select list: "alias.column, …". */
extern char *json_field_columns(const JsonField *fields, int nfields, const char *alias);

/* The fields of a row as `"key" : value, …` (json_build_object's spacing), no braces. */
extern void json_write_fields(StringInfo buf, JsonRowWriter *writer, HeapTuple row);

/* Rows as `[{…}, {…}]` (json_agg's spacing); `[]` when there are none. */
extern void json_write_array(StringInfo buf, JsonRowWriter *writer, HeapTuple *rows, uint64 nrows);

/* A key and its separator: `"key" : `. */
extern void json_write_key(StringInfo buf, const char *key);

/* A timestamp as the shapes carry it, false (nothing written) for ±infinity. */
extern bool json_format_time(StringInfo buf, TimestampTz when);

/* A status as the shapes name it. */
extern const char *json_status_label(InvoiceStatus status);

#endif							/* INVOICE_JSON_WRITE_H */
