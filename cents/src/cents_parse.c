/*
 * cents_parse.c
 *		Locale-free text parsing and formatting of minor-unit amounts.
 */
#include "cents_parse.h"

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Accumulate the magnitude as unsigned so that the most negative value,
 * whose magnitude is one more than INT64_MAX, is representable until the
 * sign is applied.
 */
static int
accumulate(uint64_t *magnitude, int digit, uint64_t limit)
{
	if (*magnitude > (limit - (uint64_t) digit) / 10)
		return 0;
	*magnitude = *magnitude * 10 + (uint64_t) digit;
	return 1;
}

CentsParseResult
cents_parse(const char *text, int64_t *result)
{
	const char *p = text;
	int			negative = 0;
	int			int_digits = 0;
	int			frac_digits = 0;
	int			overflow = 0;
	uint64_t	magnitude = 0;
	uint64_t	limit;

	while (is_space(*p))
		p++;
	if (*p == '+' || *p == '-')
		negative = (*p++ == '-');
	limit = negative ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;

	for (; is_digit(*p); p++, int_digits++)
		if (!overflow && !accumulate(&magnitude, *p - '0', limit))
			overflow = 1;
	if (*p == '.')
	{
		for (p++; is_digit(*p); p++, frac_digits++)
			if (frac_digits < 2 && !overflow &&
				!accumulate(&magnitude, *p - '0', limit))
				overflow = 1;
	}
	while (is_space(*p))
		p++;

	if (*p != '\0' || int_digits + frac_digits == 0 || frac_digits > 2)
		return CENTS_PARSE_SYNTAX;

	/* Scale to minor units: "7" is 700, "7.5" is 750. */
	for (; frac_digits < 2 && !overflow; frac_digits++)
		if (!accumulate(&magnitude, 0, limit))
			overflow = 1;
	if (overflow)
		return CENTS_PARSE_RANGE;

	*result = negative ? (int64_t) (0 - magnitude) : (int64_t) magnitude;
	return CENTS_PARSE_OK;
}

size_t
cents_format(int64_t value, char *buf)
{
	char		digits[CENTS_FORMAT_BUFSIZE];
	int			ndigits = 0;
	size_t		len = 0;
	uint64_t	magnitude;

	magnitude = value < 0 ? 0 - (uint64_t) value : (uint64_t) value;
	do
	{
		digits[ndigits++] = (char) ('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude > 0 || ndigits < 3);

	if (value < 0)
		buf[len++] = '-';
	while (ndigits > 2)
		buf[len++] = digits[--ndigits];
	buf[len++] = '.';
	buf[len++] = digits[1];
	buf[len++] = digits[0];
	buf[len] = '\0';
	return len;
}
