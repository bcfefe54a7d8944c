/*
 * cents_parse.h
 *		Text form of the cents type, free of any PostgreSQL dependency so
 *		that it can be fuzzed on its own (test/fuzz).
 */
#ifndef CENTS_PARSE_H
#define CENTS_PARSE_H

#include <stddef.h>
#include <stdint.h>

typedef enum CentsParseResult
{
	CENTS_PARSE_OK,
	CENTS_PARSE_SYNTAX,			/* not of the form [sign]digits[.d[d]] */
	CENTS_PARSE_RANGE			/* well formed, but outside int64 minor units */
} CentsParseResult;

/* Longest text cents_format writes: "-92233720368547758.08" plus NUL. */
#define CENTS_FORMAT_BUFSIZE 24

/*
 * Parse NUL-terminated text in major units into minor units.
 *
 * Grammar (ASCII only, never the locale): optional surrounding white space,
 * an optional sign, then digits with an optional '.' followed by at most two
 * digits.  Either side of the '.' may be empty but not both ("5." and ".5"
 * are accepted, "." is not).  Nothing is ever rounded.
 */
extern CentsParseResult cents_parse(const char *text, int64_t *result);

/* Write value as "[-]digits.dd" into buf; returns the length written. */
extern size_t cents_format(int64_t value, char *buf);

#endif							/* CENTS_PARSE_H */
