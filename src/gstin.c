/*
 * gstin.c
 *		SQL functions of India's GST identification numbers (GSTINs and
 *		UINs): gstin_valid, gstin_kind, and gstin_check, which the
 *		invoice.gstin domain's CHECK calls so that a refused value gets an
 *		error naming what is wrong with it.
 *
 * The rules themselves are in gstin_check.c, which test/fuzz exercises.
 */
#include "postgres.h"

#include "fmgr.h"
#include "gstin_check.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"

/* One character of a multibyte string as a C string, for a message. */
static char *
character_at(const char *data, int len, int offset)
{
	return pnstrdup(data + offset, Min(pg_mblen(data + offset), len - offset));
}

/* What the holder's part of a number of this kind must be, for a message. */
static const char *
body_rule(GstinKind kind)
{
	switch (kind)
	{
		case GSTIN_KIND_NORMAL:
		case GSTIN_KIND_TCS:
			return "characters 3-12 must be a PAN (5 letters, 4 digits, a letter)";
		case GSTIN_KIND_TDS:
			return "characters 3-12 of a TDS registration must be a TAN or PAN (4 letters, a letter or digit, 4 digits, a letter)";
		case GSTIN_KIND_GOVERNMENT:
			return "characters 3-13 of a government department's ID must be 4 letters, 5 digits, a letter and a digit";
		case GSTIN_KIND_UIN:
			return "characters 3-12 of a UIN must be 2 digits, 3 letters and 5 digits";
		case GSTIN_KIND_NRI:
			return "characters 3-12 of a non-resident taxable person's GSTIN must be 2 digits, 3 letters and 5 digits";
		case GSTIN_KIND_OIDAR:
			return "characters 3-12 of an OIDAR GSTIN must be 2 digits, 3 letters and 5 digits";
	}
	return "characters 3-12 are malformed";
}

/*
 * Raise 22P02 naming the first fault, as contrib/isn does for a bad check
 * digit: the value is malformed text, not an out-of-range argument.
 */
static void
report_fault(text *value, const GstinFault *fault)
{
	const char *data = VARDATA_ANY(value);
	int			len = VARSIZE_ANY_EXHDR(value);
	char	   *shown = text_to_cstring(value);
	int			i;
	int			pos = fault->position;

	switch (fault->result)
	{
		case GSTIN_OK:
			return;

		case GSTIN_BAD_LENGTH:
			{
				int			nchars = pg_mbstrlen_with_len(data, len);

				if (nchars != GSTIN_LENGTH)
					ereport(ERROR,
							(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
							 errmsg("invalid GSTIN \"%s\": must be %d characters long, not %d",
									shown, GSTIN_LENGTH, nchars)));

				/* 15 characters in more bytes: one is not ASCII. */
				for (i = 0; i < len && !IS_HIGHBIT_SET(data[i]); i++)
					;
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("invalid GSTIN \"%s\": character %d (\"%s\") is not a letter or digit",
								shown, pg_mbstrlen_with_len(data, i) + 1,
								character_at(data, len, i))));
			}
			break;

		case GSTIN_BAD_CHARACTER:
			/* Every byte before it is an ASCII letter or digit. */
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid GSTIN \"%s\": character %d (\"%s\") is not a letter or digit",
							shown, pos, character_at(data, len, pos - 1))));
			break;

		case GSTIN_BAD_STATE:
			if (fault->kind == GSTIN_KIND_OIDAR && pos == 1)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("invalid GSTIN \"%s\": state code \"%.2s\" is not 99, the state code of every OIDAR registration",
								shown, data)));
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid GSTIN \"%s\": state code \"%.2s\" is not a valid state code",
							shown, data),
					 errhint("State codes are 01 to 38, 97 (Other Territory) and 99 (Centre Jurisdiction).")));
			break;

		case GSTIN_BAD_PAN:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid GSTIN \"%s\": %s", shown, body_rule(fault->kind)),
					 errdetail("Character %d is \"%c\", where a %s belongs.",
							   pos, data[pos - 1],
							   fault->expected == 'd' ? "digit" :
							   fault->expected == 'l' ? "letter" : "letter or digit")));
			break;

		case GSTIN_BAD_HOLDER_TYPE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid GSTIN \"%s\": %s", shown, body_rule(fault->kind)),
					 errdetail("Character %d is \"%c\", where the PAN's holder type belongs (one of %s).",
							   pos, data[pos - 1], gstin_pan_holder_types)));
			break;

		case GSTIN_BAD_ENTITY:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid GSTIN \"%s\": character 13 (entity number) must be 1-9 or A-Z, not \"%c\"",
							shown, data[pos - 1])));
			break;

		case GSTIN_BAD_Z:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid GSTIN \"%s\": character 14 must be \"%c\", not \"%c\"",
							shown, fault->expected, data[pos - 1])));
			break;

		case GSTIN_BAD_CODE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid GSTIN \"%s\": characters 13-14 must be UN or ON (UIN), NR (non-resident taxable person) or OS (OIDAR), not \"%.2s\"",
							shown, data + 12)));
			break;

		case GSTIN_BAD_CHECK:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid GSTIN \"%s\": check character is \"%c\", expected \"%c\"",
							shown, data[pos - 1], fault->expected),
					 errdetail("The check character is computed from characters 1-14, so at least one of the 15 characters is wrong.")));
			break;

		case GSTIN_LOWER_CASE:
			for (i = 0; shown[i] != '\0'; i++)
				shown[i] = pg_ascii_toupper((unsigned char) shown[i]);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid GSTIN \"%s\": letters must be upper case",
							text_to_cstring(value)),
					 errhint("Write it as \"%s\" (upper() does it).", shown)));
			break;
	}
	elog(ERROR, "unexpected GSTIN fault %d", (int) fault->result);
}

/* True iff the text is a well-formed GSTIN with the right check character; never raises. */
PG_FUNCTION_INFO_V1(gstin_valid);
Datum
gstin_valid(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	GstinFault	fault;

	PG_RETURN_BOOL(gstin_examine(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), &fault) == GSTIN_OK);
}

/* True for a valid GSTIN, else 22P02 naming the faulty part: what the domain's CHECK calls. */
PG_FUNCTION_INFO_V1(gstin_check);
Datum
gstin_check(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	GstinFault	fault;

	if (gstin_examine(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), &fault) != GSTIN_OK)
		report_fault(value, &fault);
	PG_RETURN_BOOL(true);
}

/* The kind of a valid GSTIN or UIN ("normal", "uin", …), NULL for anything else; never raises. */
PG_FUNCTION_INFO_V1(gstin_kind);
Datum
gstin_kind(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	GstinFault	fault;

	if (gstin_examine(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), &fault) != GSTIN_OK)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(gstin_kind_name(fault.kind)));
}
