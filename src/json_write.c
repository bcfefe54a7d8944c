/*
 * json_write.c
 *		JSON documents written straight from rows.
 *
 * The List and Describe shapes (json_api.c) and their views are objects
 * whose keys come in the seeds' order, one per column.  json_build_object
 * would look up each argument's type and its cast to json at every call;
 * here the fields are resolved once per result and each row is written in
 * one pass.  The text is byte for byte what json_build_object and json_agg
 * write (`{"key" : value, …}`, `[{…}, {…}]`), which the expected outputs of
 * the regression tests hold: strings go through PostgreSQL's own escape_json.
 *
 * json_time and status_label, the SQL helpers of the same formats (the CSV
 * export uses the first), call the same code.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/jsonapi.h"
#include "executor/spi.h"
#include "json_write.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/lsyscache.h"

static const char *const status_labels[INVOICE_STATUS_COUNT] = {
	"draft", "unpaid", "overdue", "paid", "cancelled"
};

const char *
json_status_label(InvoiceStatus status)
{
	return status_labels[status];
}

/*
 * As to_char(when AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') writes
 * it: whole seconds (truncated), at least four year digits, years before 1
 * as to_char counts them.
 */
/* n as exactly width decimal digits (n >= 0, fits) */
static char *
put_digits(char *p, int n, int width)
{
	for (int i = width - 1; i >= 0; i--)
	{
		p[i] = '0' + n % 10;
		n /= 10;
	}
	return p + width;
}

bool
json_format_time(StringInfo buf, TimestampTz when)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			year;
	char		text[32];
	char	   *p = text;

	if (TIMESTAMP_NOT_FINITE(when))
		return false;
	if (timestamp2tm(when, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	year = tm.tm_year > 0 ? tm.tm_year : -(tm.tm_year - 1);
	if (year > 9999)
		p += pg_ulltoa_n((uint64) year, p);
	else
		p = put_digits(p, year, 4);
	*p++ = '-';
	p = put_digits(p, tm.tm_mon, 2);
	*p++ = '-';
	p = put_digits(p, tm.tm_mday, 2);
	*p++ = 'T';
	p = put_digits(p, tm.tm_hour, 2);
	*p++ = ':';
	p = put_digits(p, tm.tm_min, 2);
	*p++ = ':';
	p = put_digits(p, tm.tm_sec, 2);
	*p++ = 'Z';
	appendBinaryStringInfo(buf, text, p - text);
	return true;
}

void
json_row_writer_init(JsonRowWriter *writer, const JsonField *fields, int nfields, TupleDesc tupdesc)
{
	writer->fields = fields;
	writer->nfields = nfields;
	writer->tupdesc = tupdesc;
	writer->attnums = palloc(nfields * sizeof(AttrNumber));
	writer->keys = palloc(nfields * sizeof(char *));
	writer->output = palloc0(nfields * sizeof(FmgrInfo));
	writer->values = palloc(tupdesc->natts * sizeof(Datum));
	writer->isnull = palloc(tupdesc->natts * sizeof(bool));
	for (int i = 0; i < nfields; i++)
	{
		int			attnum = SPI_fnumber(tupdesc, fields[i].column);

		if (attnum <= 0)
			elog(ERROR, "JSON field \"%s\": no column \"%s\"", fields[i].key, fields[i].column);
		writer->attnums[i] = attnum;
		{
			StringInfoData key;

			initStringInfo(&key);
			json_write_key(&key, fields[i].key);
			writer->keys[i] = key.data;
		}
		if (fields[i].kind == JSON_FIELD_STRING || fields[i].kind == JSON_FIELD_NUMBER)
		{
			Oid			output_oid;
			bool		varlena;

			getTypeOutputInfo(TupleDescAttr(tupdesc, attnum - 1)->atttypid, &output_oid, &varlena);
			fmgr_info(output_oid, &writer->output[i]);
		}
		else if (fields[i].kind == JSON_FIELD_BOOLEAN)
		{
			if (TupleDescAttr(tupdesc, attnum - 1)->atttypid != BOOLOID)
				elog(ERROR, "JSON field \"%s\": column \"%s\" is not boolean", fields[i].key, fields[i].column);
		}
		else if (TupleDescAttr(tupdesc, attnum - 1)->attlen != sizeof(int64) &&
				 fields[i].kind != JSON_FIELD_STATUS)
			elog(ERROR, "JSON field \"%s\": column \"%s\" is not a cents or timestamp column",
				 fields[i].key, fields[i].column);
	}
}

char *
json_field_columns(const JsonField *fields, int nfields, const char *alias)
{
	StringInfoData list;

	initStringInfo(&list);
	for (int i = 0; i < nfields; i++)
		appendStringInfo(&list, "%s%s.%s", i > 0 ? ", " : "", alias, fields[i].column);
	return list.data;
}

void
json_write_key(StringInfo buf, const char *key)
{
	escape_json(buf, key);
	appendBinaryStringInfo(buf, " : ", 3);
}

static void
write_value(StringInfo buf, JsonRowWriter *writer, int field, Datum value)
{
	const JsonField *f = &writer->fields[field];
	char	   *out;
	char		digits[MAXINT8LEN + 1];

	switch (f->kind)
	{
		case JSON_FIELD_STRING:
			/* text without its output function's call (the same C string) */
			if (TupleDescAttr(writer->tupdesc, writer->attnums[field] - 1)->atttypid == TEXTOID)
				out = TextDatumGetCString(value);
			else
				out = OutputFunctionCall(&writer->output[field], value);
			escape_json(buf, out);
			pfree(out);
			break;
		case JSON_FIELD_NUMBER:
			out = OutputFunctionCall(&writer->output[field], value);
			if (IsValidJsonNumber(out, strlen(out)))
				appendStringInfoString(buf, out);
			else
				escape_json(buf, out);
			pfree(out);
			break;
		case JSON_FIELD_CENTS:
			appendBinaryStringInfo(buf, digits, pg_lltoa(DatumGetInt64(value), digits));
			break;
		case JSON_FIELD_TIME:
			if (TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(value)))
				appendBinaryStringInfo(buf, "null", 4);
			else
			{
				appendStringInfoChar(buf, '"');
				(void) json_format_time(buf, DatumGetTimestampTz(value));
				appendStringInfoChar(buf, '"');
			}
			break;
		case JSON_FIELD_STATUS:
			appendStringInfoChar(buf, '"');
			appendStringInfoString(buf, json_status_label(invoice_status_from_datum(value)));
			appendStringInfoChar(buf, '"');
			break;
		case JSON_FIELD_BOOLEAN:
			appendStringInfoString(buf, DatumGetBool(value) ? "true" : "false");
			break;
	}
}

void
json_write_fields(StringInfo buf, JsonRowWriter *writer, HeapTuple row)
{
	heap_deform_tuple(row, writer->tupdesc, writer->values, writer->isnull);
	for (int i = 0; i < writer->nfields; i++)
	{
		int			att = writer->attnums[i] - 1;

		if (i > 0)
			appendBinaryStringInfo(buf, ", ", 2);
		appendStringInfoString(buf, writer->keys[i]);
		if (writer->isnull[att])
			appendBinaryStringInfo(buf, "null", 4);
		else
			write_value(buf, writer, i, writer->values[att]);
	}
}

void
json_write_array(StringInfo buf, JsonRowWriter *writer, HeapTuple *rows, uint64 nrows)
{
	appendStringInfoChar(buf, '[');
	for (uint64 row = 0; row < nrows; row++)
	{
		if (row > 0)
			appendBinaryStringInfo(buf, ", ", 2);
		appendStringInfoChar(buf, '{');
		json_write_fields(buf, writer, rows[row]);
		appendStringInfoChar(buf, '}');
	}
	appendStringInfoChar(buf, ']');
}

/* json_time(timestamptz): the SQL face of json_format_time; NULL for NULL and ±infinity */
PG_FUNCTION_INFO_V1(invoice_json_time);
Datum
invoice_json_time(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (!json_format_time(&buf, PG_GETARG_TIMESTAMPTZ(0)))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}

/* status_label(status): the SQL face of json_status_label */
PG_FUNCTION_INFO_V1(invoice_status_label);
Datum
invoice_status_label(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(json_status_label(invoice_status_from_datum(PG_GETARG_DATUM(0)))));
}
