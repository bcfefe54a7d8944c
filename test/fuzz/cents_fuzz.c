/*
 * cents_fuzz.c
 *		libFuzzer harness for src/cents_parse.c.
 *
 * cents_parse is checked against a reference parser that shares none of its
 * arithmetic: it only validates the shape, then leaves the conversion (and
 * the overflow detection) to strtoll.  Every value that parses, and every
 * int64 taken from the first eight input bytes, must also survive a
 * cents_format -> cents_parse round trip in canonical form.
 *
 * Build and run with test/fuzz/run.sh.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cents_parse.h"

static const char *
result_name(CentsParseResult r)
{
	switch (r)
	{
		case CENTS_PARSE_OK:
			return "OK";
		case CENTS_PARSE_SYNTAX:
			return "SYNTAX";
		case CENTS_PARSE_RANGE:
			return "RANGE";
	}
	return "???";
}

/* Escape the input so that white space and binary bytes are visible. */
static void
print_escaped(const char *label, const char *s)
{
	fprintf(stderr, "%s\"", label);
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fprintf(stderr, "\"\n");
}

static void
fail(const char *what, const char *input,
	 CentsParseResult got, int64_t got_value,
	 CentsParseResult want, int64_t want_value)
{
	fprintf(stderr, "cents_fuzz: %s\n", what);
	print_escaped("  input:     ", input);
	fprintf(stderr, "  cents_parse: %s %" PRId64 "\n",
			result_name(got), got == CENTS_PARSE_OK ? got_value : 0);
	fprintf(stderr, "  expected:    %s %" PRId64 "\n",
			result_name(want), want == CENTS_PARSE_OK ? want_value : 0);
	__builtin_trap();
}

/*
 * Reference parser.  isspace() in the C locale (libFuzzer never calls
 * setlocale) is exactly the six ASCII white space characters cents_parse
 * accepts.
 */
static CentsParseResult
ref_parse(const char *text, int64_t *result)
{
	const char *p = text;
	const char *int_start,
			   *frac_start = NULL;
	size_t		int_len,
				frac_len = 0;
	char	   *digits;
	char	   *q;
	char	   *end;
	long long	v;
	int			saved_errno;

	while (isspace((unsigned char) *p))
		p++;
	/* Keep the sign in the strtoll input so that INT64_MIN is reachable. */
	digits = malloc(strlen(text) + 4);
	q = digits;
	if (*p == '-')
		*q++ = *p++;
	else if (*p == '+')
		p++;

	int_start = p;
	while (isdigit((unsigned char) *p))
		p++;
	int_len = p - int_start;
	if (*p == '.')
	{
		frac_start = ++p;
		while (isdigit((unsigned char) *p))
			p++;
		frac_len = p - frac_start;
	}
	while (isspace((unsigned char) *p))
		p++;

	if (*p != '\0' || int_len + frac_len == 0 || frac_len > 2)
	{
		free(digits);
		return CENTS_PARSE_SYNTAX;
	}

	memcpy(q, int_start, int_len);
	q += int_len;
	if (frac_len > 0)
		memcpy(q, frac_start, frac_len);
	q += frac_len;
	for (; frac_len < 2; frac_len++)
		*q++ = '0';
	*q = '\0';

	errno = 0;
	v = strtoll(digits, &end, 10);
	saved_errno = errno;
	if (*end != '\0')
	{
		/* our own digit string is malformed: a harness bug, not a finding */
		fprintf(stderr, "cents_fuzz: reference built bad string \"%s\"\n",
				digits);
		__builtin_trap();
	}
	free(digits);

	if (saved_errno == ERANGE)
		return CENTS_PARSE_RANGE;
	*result = (int64_t) v;
	return CENTS_PARSE_OK;
}

/*
 * Format value and require canonical text, -?[0-9]+\.[0-9]{2} with no
 * redundant leading zero and no "-0.00", that parses back to value.
 */
static void
check_round_trip(int64_t value, const char *input)
{
	char		buf[CENTS_FORMAT_BUFSIZE];
	size_t		len;
	const char *p = buf;
	const char *int_start;
	int			ok;
	int64_t		back = 0;
	CentsParseResult r;

	len = cents_format(value, buf);
	ok = len < sizeof(buf) && strlen(buf) == len;
	if (ok && *p == '-')
		p++;
	int_start = p;
	while (ok && isdigit((unsigned char) *p))
		p++;
	ok = ok && p > int_start &&
		!(int_start[0] == '0' && p - int_start > 1) &&
		p[0] == '.' &&
		isdigit((unsigned char) p[1]) && isdigit((unsigned char) p[2]) &&
		p[3] == '\0' &&
		(buf[0] == '-') == (value < 0);
	if (!ok)
	{
		print_escaped("cents_fuzz: cents_format wrote ", buf);
		fail("non-canonical cents_format output", input,
			 CENTS_PARSE_OK, value, CENTS_PARSE_OK, value);
	}

	r = cents_parse(buf, &back);
	if (r != CENTS_PARSE_OK || back != value)
		fail("cents_format -> cents_parse round trip", buf,
			 r, back, CENTS_PARSE_OK, value);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text;
	int64_t		got = 0,
				want = 0;
	CentsParseResult got_r,
				want_r;

	/*
	 * An embedded NUL simply ends the string, as it would for a C caller;
	 * skipping such inputs instead would also discard most of the raw int64
	 * values checked below.
	 */
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';

	got_r = cents_parse(text, &got);
	want_r = ref_parse(text, &want);
	if (got_r != want_r || (got_r == CENTS_PARSE_OK && got != want))
		fail("cents_parse disagrees with reference", text,
			 got_r, got, want_r, want);
	if (got_r == CENTS_PARSE_OK)
		check_round_trip(got, text);

	/* Text rarely lands on arbitrary int64 values; raw bytes reach them all. */
	if (size >= sizeof(int64_t))
	{
		int64_t		raw;

		memcpy(&raw, data, sizeof(raw));
		check_round_trip(raw, text);
	}

	free(text);
	return 0;
}
