/*
 * gstin_check.h
 *		The rules of India's GST identification number (GSTIN), free of any
 *		PostgreSQL dependency so that they can be fuzzed on their own
 *		(test/fuzz).  The SQL functions built on them are in gstin.c.
 *
 * A GSTIN is 15 characters:
 *
 *		1-2		state code: 01-38, 97 (Other Territory) or 99 (Centre Jurisdiction)
 *		3-12	the holder's PAN: 5 letters, 4 digits, a letter
 *		13		entity number: 1-9, then A-Z
 *		14		Z
 *		15		check character: Luhn mod 36 over characters 1-14
 */
#ifndef GSTIN_CHECK_H
#define GSTIN_CHECK_H

#include <stddef.h>

#define GSTIN_LENGTH 15

/* What is wrong with a candidate GSTIN: the first fault, in this order. */
typedef enum GstinResult
{
	GSTIN_OK,
	GSTIN_BAD_LENGTH,			/* not 15 bytes */
	GSTIN_BAD_CHARACTER,		/* a byte that is not an ASCII letter or digit */
	GSTIN_BAD_STATE,			/* characters 1-2 */
	GSTIN_BAD_PAN,				/* characters 3-12 */
	GSTIN_BAD_ENTITY,			/* character 13 */
	GSTIN_BAD_Z,				/* character 14 */
	GSTIN_BAD_CHECK,			/* character 15 */
	GSTIN_LOWER_CASE			/* valid once upper-cased, but it is not */
} GstinResult;

typedef struct GstinFault
{
	GstinResult result;
	int			position;		/* 1-based byte of the fault; 0 for OK, length */
	char		expected_check; /* GSTIN_BAD_CHECK: the right check character */
} GstinFault;

/*
 * Examine len bytes (no terminator needed, NULs are just bad characters).
 * Letters are compared case-insensitively part by part, so that the fault
 * reported is the one that matters; a value whose only fault is lower case
 * is GSTIN_LOWER_CASE.  Never reads beyond len bytes.
 */
extern GstinResult gstin_examine(const char *value, size_t len, GstinFault *fault);

/*
 * The check character of the first 14 characters, which must be digits or
 * upper-case letters; '\0' if one is not.
 */
extern char gstin_check_char(const char *first14);

#endif							/* GSTIN_CHECK_H */
