/*
 * gstin_check.c
 *		GSTIN structure and check character, without PostgreSQL.
 */
#include "gstin_check.h"

static const char gstin_alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

/* The ctype functions would follow the locale; GSTINs are ASCII. */
static char
to_upper(char c)
{
	return is_lower(c) ? (char) (c - 'a' + 'A') : c;
}

/* Position in gstin_alphabet of a digit or upper-case letter, else -1. */
static int
code_point(char c)
{
	if (is_digit(c))
		return c - '0';
	if (is_upper(c))
		return c - 'A' + 10;
	return -1;
}

/*
 * Every state and union territory code in use: 01-38 (25 was merged into
 * 26 in 2020, but GSTINs issued under it remain valid), 97 for Other
 * Territory and 99 for Centre Jurisdiction.
 */
static int
is_state_code(int code)
{
	return (code >= 1 && code <= 38) || code == 97 || code == 99;
}

/*
 * Luhn mod 36: doubling every second code point and adding the base-36
 * digits of the product maps 0..35 onto 0..35 one to one (v < 18 to the
 * even 2v, v >= 18 to the odd 2v - 35), so any single substituted
 * character changes the sum modulo 36 and therefore the check character.
 */
char
gstin_check_char(const char *first14)
{
	int			sum = 0;
	int			i;

	for (i = 0; i < GSTIN_LENGTH - 1; i++)
	{
		int			v = code_point(first14[i]);
		int			product;

		if (v < 0)
			return '\0';
		product = v * (i % 2 == 0 ? 1 : 2);
		sum += product / 36 + product % 36;
	}
	return gstin_alphabet[(36 - sum % 36) % 36];
}

static GstinResult
fault_at(GstinFault *fault, GstinResult result, int index)
{
	fault->result = result;
	fault->position = index + 1;
	return result;
}

GstinResult
gstin_examine(const char *value, size_t len, GstinFault *fault)
{
	char		upper[GSTIN_LENGTH];
	int			i;

	fault->position = 0;
	fault->expected_check = '\0';
	if (len != GSTIN_LENGTH)
	{
		fault->result = GSTIN_BAD_LENGTH;
		return GSTIN_BAD_LENGTH;
	}

	for (i = 0; i < GSTIN_LENGTH; i++)
	{
		upper[i] = to_upper(value[i]);
		if (code_point(upper[i]) < 0)
			return fault_at(fault, GSTIN_BAD_CHARACTER, i);
	}

	for (i = 0; i < 2; i++)
		if (!is_digit(upper[i]))
			return fault_at(fault, GSTIN_BAD_STATE, i);
	if (!is_state_code((upper[0] - '0') * 10 + (upper[1] - '0')))
		return fault_at(fault, GSTIN_BAD_STATE, 0);

	/*
	 * Only the PAN's shape: its 4th letter (the holder type) gains new values
	 * from time to time, and the PAN itself is the income tax department's.
	 */
	for (i = 2; i < 12; i++)
		if (i >= 7 && i < 11 ? !is_digit(upper[i]) : !is_upper(upper[i]))
			return fault_at(fault, GSTIN_BAD_PAN, i);

	if (upper[12] == '0')
		return fault_at(fault, GSTIN_BAD_ENTITY, 12);
	if (upper[13] != 'Z')
		return fault_at(fault, GSTIN_BAD_Z, 13);

	fault->expected_check = gstin_check_char(upper);
	if (upper[14] != fault->expected_check)
		return fault_at(fault, GSTIN_BAD_CHECK, 14);
	fault->expected_check = '\0';

	for (i = 0; i < GSTIN_LENGTH; i++)
		if (is_lower(value[i]))
			return fault_at(fault, GSTIN_LOWER_CASE, i);

	fault->result = GSTIN_OK;
	return GSTIN_OK;
}
