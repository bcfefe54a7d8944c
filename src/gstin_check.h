/*
 * gstin_check.h
 *		The rules of India's GST identification numbers (GSTIN) and unique
 *		identity numbers (UIN), free of any PostgreSQL dependency so that
 *		they can be fuzzed on their own (test/fuzz).  The SQL functions built
 *		on them are in gstin.c.
 *
 * Every number the GST portal issues is 15 characters: a state code (01-38,
 * 97 Other Territory, 99 Centre Jurisdiction), 12 characters whose pattern
 * depends on the kind of registration, and a check character (Luhn mod 36
 * over characters 1-14).  Characters 3-14 by kind (the patterns of the GST
 * system's API, see README "GSTIN kinds"):
 *
 *		normal		PAN (5 letters, 4 digits, a letter; the 4th letter is the
 *					holder type), entity number 1-9/A-Z, Z
 *		tcs			the same with C at 14 (e-commerce operators collecting tax)
 *		tds			4 letters, a letter or digit, 4 digits, a letter (a TAN or
 *					PAN), entity number, D at 14 (tax deductors)
 *		government	4 letters, 5 digits, a letter, a digit, Z (department IDs)
 *		uin			2 digits, 3 letters, 5 digits, UN or ON (UN bodies, embassies)
 *		nri			2 digits, 3 letters, 5 digits, NR (non-resident taxable persons)
 *		oidar		2 digits, 3 letters, 5 digits, OS; state code 99 (online
 *					services from abroad)
 *
 * The kinds' patterns are disjoint, so a number has at most one kind.
 */
#ifndef GSTIN_CHECK_H
#define GSTIN_CHECK_H

#include <stddef.h>

#define GSTIN_LENGTH 15

/* The kinds of registration, in the order that breaks ties (see gstin_examine). */
typedef enum GstinKind
{
	GSTIN_KIND_NORMAL,
	GSTIN_KIND_TCS,				/* next to normal: the same PAN, C at 14 */
	GSTIN_KIND_GOVERNMENT,
	GSTIN_KIND_TDS,
	GSTIN_KIND_OIDAR,			/* before UIN and NRI: "OS" with another state code is an OIDAR number's fault */
	GSTIN_KIND_UIN,
	GSTIN_KIND_NRI
} GstinKind;

#define GSTIN_KINDS (GSTIN_KIND_NRI + 1)

/* What is wrong with a candidate: the first fault, in this order. */
typedef enum GstinResult
{
	GSTIN_OK,
	GSTIN_BAD_LENGTH,			/* not 15 bytes */
	GSTIN_BAD_CHARACTER,		/* a byte that is not an ASCII letter or digit */
	GSTIN_BAD_STATE,			/* characters 1-2 (for OIDAR: not 99) */
	GSTIN_BAD_PAN,				/* the holder's part: characters 3-12 (3-13 for government) */
	GSTIN_BAD_HOLDER_TYPE,		/* character 6, a letter that is no PAN holder type */
	GSTIN_BAD_ENTITY,			/* character 13 of normal, TCS and TDS numbers */
	GSTIN_BAD_Z,				/* character 14 of normal, TCS, TDS and government numbers */
	GSTIN_BAD_CODE,				/* characters 13-14 of UIN, NRI and OIDAR numbers */
	GSTIN_BAD_CHECK,			/* character 15 */
	GSTIN_LOWER_CASE			/* valid once upper-cased, but it is not */
} GstinResult;

typedef struct GstinFault
{
	GstinResult result;
	int			position;		/* 1-based byte of the fault; 0 for OK, length */
	GstinKind	kind;			/* OK, CHECK, LOWER_CASE: the kind; from BAD_STATE
								 * to BAD_CODE: the kind it is nearest to */
	char		expected;		/* BAD_CHECK: the right check character; BAD_Z:
								 * the right 14th character */
} GstinFault;

/*
 * Examine len bytes (no terminator needed, NULs are just bad characters).
 * Letters are compared case-insensitively part by part, so that the fault
 * reported is the one that matters; a value whose only fault is lower case
 * is GSTIN_LOWER_CASE.  When characters 3-14 fit no kind, the fault is
 * reported against the kind they are nearest to: the fewest characters out
 * of place, ties to the earlier kind of GstinKind.  Never reads beyond len
 * bytes.
 */
extern GstinResult gstin_examine(const char *value, size_t len, GstinFault *fault);

/*
 * The check character of the first 14 characters, which must be digits or
 * upper-case letters; '\0' if one is not.
 */
extern char gstin_check_char(const char *first14);

/* The kind's name as gstin_kind() returns it: "normal", "uin", … */
extern const char *gstin_kind_name(GstinKind kind);

/* The PAN holder types (4th character of a PAN), as a string of letters. */
extern const char gstin_pan_holder_types[];

#endif							/* GSTIN_CHECK_H */
