/*
 * gstin_check.c
 *		GSTIN and UIN structure, kinds and check character, without PostgreSQL.
 */
#include "gstin_check.h"

static const char gstin_alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/*
 * The 4th character of a PAN: the holder type (Association of persons, Body
 * of individuals, Company, Firm, Government, HUF, Artificial juridical
 * person, "Krish" trust, Local authority, Person, Trust).
 */
const char	gstin_pan_holder_types[] = "ABCFGHJKLPT";

/*
 * Characters 3-14 of each kind, one code per character: l a letter, h a PAN
 * holder type, d a digit, a a letter or digit, e an entity number (1-9,
 * A-Z), u U or O; an upper-case letter stands for itself.
 */
static const char *const kind_patterns[GSTIN_KINDS] = {
	[GSTIN_KIND_NORMAL] = "lllhlddddleZ",
	[GSTIN_KIND_GOVERNMENT] = "lllldddddldZ",
	[GSTIN_KIND_TDS] = "lllladdddleD",
	[GSTIN_KIND_TCS] = "lllhlddddleC",
	[GSTIN_KIND_UIN] = "ddlllddddduN",
	[GSTIN_KIND_NRI] = "ddllldddddNR",
	[GSTIN_KIND_OIDAR] = "ddllldddddOS",
};

static const char *const kind_names[GSTIN_KINDS] = {
	[GSTIN_KIND_NORMAL] = "normal",
	[GSTIN_KIND_GOVERNMENT] = "government",
	[GSTIN_KIND_TDS] = "tds",
	[GSTIN_KIND_TCS] = "tcs",
	[GSTIN_KIND_UIN] = "uin",
	[GSTIN_KIND_NRI] = "nri",
	[GSTIN_KIND_OIDAR] = "oidar",
};

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

static int
is_holder_type(char c)
{
	const char *t;

	for (t = gstin_pan_holder_types; *t != '\0'; t++)
		if (*t == c)
			return 1;
	return 0;
}

/* Does the upper-cased character c fit the pattern code? */
static int
fits(char code, char c)
{
	switch (code)
	{
		case 'l':
			return is_upper(c);
		case 'h':
			return is_holder_type(c);
		case 'd':
			return is_digit(c);
		case 'a':
			return is_upper(c) || is_digit(c);
		case 'e':
			return c != '0';	/* already a digit or upper-case letter */
		case 'u':
			return c == 'U' || c == 'O';
		default:
			return c == code;
	}
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

const char *
gstin_kind_name(GstinKind kind)
{
	return kind >= 0 && kind < GSTIN_KINDS ? kind_names[kind] : "unknown";
}

/* How many characters of upper keep it from being of this kind; *first: the first (0-based). */
static int
misfits(const char *upper, GstinKind kind, int *first)
{
	const char *pattern = kind_patterns[kind];
	int			n = 0;
	int			i;

	*first = -1;
	if (kind == GSTIN_KIND_OIDAR && !(upper[0] == '9' && upper[1] == '9'))
	{
		n++;
		*first = 0;
	}
	for (i = 2; i < GSTIN_LENGTH - 1; i++)
		if (!fits(pattern[i - 2], upper[i]))
		{
			if (*first < 0)
				*first = i;
			n++;
		}
	return n;
}

static GstinResult
fault_at(GstinFault *fault, GstinResult result, int index)
{
	fault->result = result;
	fault->position = index + 1;
	return result;
}

/* The fault of upper read as the given kind, at its first misfit (0-based index). */
static GstinResult
kind_fault(const char *upper, GstinKind kind, int index, GstinFault *fault)
{
	char		code = index >= 2 ? kind_patterns[kind][index - 2] : '\0';
	int			coded = kind >= GSTIN_KIND_OIDAR;

	fault->kind = kind;
	if (index < 2)
		return fault_at(fault, GSTIN_BAD_STATE, 0);
	if (code == 'h' && is_upper(upper[index]))
		return fault_at(fault, GSTIN_BAD_HOLDER_TYPE, index);
	if (coded && index >= 12)
		return fault_at(fault, GSTIN_BAD_CODE, 12);
	if (index == 13)
	{
		fault->expected = code;
		return fault_at(fault, GSTIN_BAD_Z, index);
	}
	if (index == 12 && kind != GSTIN_KIND_GOVERNMENT)
		return fault_at(fault, GSTIN_BAD_ENTITY, index);
	fault->expected = code == 'h' ? 'l' : code;
	return fault_at(fault, GSTIN_BAD_PAN, index);
}

GstinResult
gstin_examine(const char *value, size_t len, GstinFault *fault)
{
	char		upper[GSTIN_LENGTH];
	int			i;
	int			best_kind = -1;
	int			best_misfits = GSTIN_LENGTH + 1;
	int			best_first = -1;
	int			k;

	fault->position = 0;
	fault->kind = GSTIN_KIND_NORMAL;
	fault->expected = '\0';
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

	for (k = 0; k < GSTIN_KINDS; k++)
	{
		int			first;
		int			n = misfits(upper, (GstinKind) k, &first);

		if (n < best_misfits)
		{
			best_kind = k;
			best_misfits = n;
			best_first = first;
		}
	}
	if (best_misfits > 0)
		return kind_fault(upper, (GstinKind) best_kind, best_first, fault);
	fault->kind = (GstinKind) best_kind;

	fault->expected = gstin_check_char(upper);
	if (upper[14] != fault->expected)
		return fault_at(fault, GSTIN_BAD_CHECK, 14);
	fault->expected = '\0';

	for (i = 0; i < GSTIN_LENGTH; i++)
		if (is_lower(value[i]))
			return fault_at(fault, GSTIN_LOWER_CASE, i);

	fault->result = GSTIN_OK;
	return GSTIN_OK;
}
