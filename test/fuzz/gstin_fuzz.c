/*
 * gstin_fuzz.c
 *		libFuzzer harness for src/gstin_check.c.
 *
 * gstin_examine is checked against a reference that shares none of its
 * code: per-position character sets, <ctype.h> in the C locale, and Luhn
 * mod 36 written as the permutation it is, the kinds as per-position sets
 * of characters.  The input is passed with its exact length and no
 * terminator, so AddressSanitizer catches any read past it.  Every input is
 * also turned into a valid GSTIN or UIN of one of the kinds, which must be
 * accepted as that kind, while its single-character substitutions and
 * adjacent transpositions must be refused.  (Luhn mod 36 alone cannot see a swap of
 * 0 and Z, but wherever they can stand side by side in a GSTIN, swapping
 * them breaks the structure.)
 *
 * Build and run with test/fuzz/run.sh.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gstin_check.h"

static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char *const states[] = {
	"01", "02", "03", "04", "05", "06", "07", "08", "09", "10",
	"11", "12", "13", "14", "15", "16", "17", "18", "19", "20",
	"21", "22", "23", "24", "25", "26", "27", "28", "29", "30",
	"31", "32", "33", "34", "35", "36", "37", "38", "97", "99"
};

#define NSTATES (sizeof(states) / sizeof(states[0]))

static void
print_escaped(const char *label, const uint8_t *s, size_t len)
{
	size_t		i;

	fprintf(stderr, "%s\"", label);
	for (i = 0; i < len; i++)
	{
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
			fputc(s[i], stderr);
		else
			fprintf(stderr, "\\x%02x", s[i]);
	}
	fprintf(stderr, "\" (%zu bytes)\n", len);
}

static void
fail(const char *what, const uint8_t *value, size_t len,
	 const GstinFault *got, const GstinFault *want)
{
	fprintf(stderr, "gstin_fuzz: %s\n", what);
	print_escaped("  input:    ", value, len);
	fprintf(stderr, "  examine:  result %d position %d kind %d expected '%c'\n",
			(int) got->result, got->position, (int) got->kind, got->expected ? got->expected : '-');
	if (want)
		fprintf(stderr, "  expected: result %d position %d kind %d expected '%c'\n",
				(int) want->result, want->position, (int) want->kind, want->expected ? want->expected : '-');
	__builtin_trap();
}

/* Luhn mod 36; doubling is the permutation v -> 2v (v < 18), 2v - 35 (v >= 18). */
static char
ref_check_char(const char *upper14)
{
	int			sum = 0;
	int			i;

	for (i = 0; i < 14; i++)
	{
		int			v = (int) (strchr(alphabet, upper14[i]) - alphabet);

		if (i % 2 == 1)
			v = v < 18 ? 2 * v : 2 * v - 35;
		sum += v;
	}
	return alphabet[(36 - sum % 36) % 36];
}

static int
in_set(const char *set, char c)
{
	return c != '\0' && strchr(set, c) != NULL;
}

static GstinResult
ref_fault(GstinFault *f, GstinResult r, int position, char expected)
{
	f->result = r;
	f->position = position;
	f->expected = expected;
	return r;
}

/*
 * Characters 3-14 of each kind as sets of allowed characters (GSTN's
 * published patterns), in GstinKind order; oidar also needs state code 99.
 */
#define DIG "0123456789"
#define LET "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define HOLDER "ABCFGHJKLPT"
#define ENTITY "123456789" LET
static const char *const kind_sets[7][12] = {
	{LET, LET, LET, HOLDER, LET, DIG, DIG, DIG, DIG, LET, ENTITY, "Z"},	/* normal */
	{LET, LET, LET, HOLDER, LET, DIG, DIG, DIG, DIG, LET, ENTITY, "C"},	/* tcs */
	{LET, LET, LET, LET, DIG, DIG, DIG, DIG, DIG, LET, DIG, "Z"},	/* government */
	{LET, LET, LET, LET, DIG LET, DIG, DIG, DIG, DIG, LET, ENTITY, "D"},	/* tds */
	{DIG, DIG, LET, LET, LET, DIG, DIG, DIG, DIG, DIG, "O", "S"},	/* oidar */
	{DIG, DIG, LET, LET, LET, DIG, DIG, DIG, DIG, DIG, "UO", "N"},	/* uin */
	{DIG, DIG, LET, LET, LET, DIG, DIG, DIG, DIG, DIG, "N", "R"},	/* nri */
};

/* Misfits of up (characters 1-14) against kind k; *first: the first, 0-based. */
static int
ref_misfits(const char *up, int k, int *first)
{
	int			n = 0;
	int			i;

	*first = -1;
	if (k == GSTIN_KIND_OIDAR && strncmp(up, "99", 2) != 0)
	{
		n++;
		*first = 0;
	}
	for (i = 2; i < 14; i++)
		if (!in_set(kind_sets[k][i - 2], up[i]))
		{
			n++;
			if (*first < 0)
				*first = i;
		}
	return n;
}

static GstinResult
ref_examine(const uint8_t *value, size_t len, GstinFault *f)
{
	char		up[GSTIN_LENGTH + 1];
	char		check;
	size_t		i;
	int			state_ok = 0;
	int			k,
				best = -1,
				best_n = 99,
				best_first = -1;

	f->kind = GSTIN_KIND_NORMAL;
	if (len != GSTIN_LENGTH)
		return ref_fault(f, GSTIN_BAD_LENGTH, 0, '\0');
	for (i = 0; i < len; i++)
		if (!isalnum(value[i]))
			return ref_fault(f, GSTIN_BAD_CHARACTER, (int) i + 1, '\0');
	for (i = 0; i < len; i++)
		up[i] = (char) toupper(value[i]);
	up[len] = '\0';

	for (i = 0; i < 2; i++)
		if (!isdigit((unsigned char) up[i]))
			return ref_fault(f, GSTIN_BAD_STATE, (int) i + 1, '\0');
	for (i = 0; i < NSTATES; i++)
		state_ok |= strncmp(states[i], up, 2) == 0;
	if (!state_ok)
		return ref_fault(f, GSTIN_BAD_STATE, 1, '\0');

	for (k = 0; k < 7; k++)
	{
		int			first;
		int			n = ref_misfits(up, k, &first);

		if (n < best_n)
		{
			best = k;
			best_n = n;
			best_first = first;
		}
	}
	f->kind = (GstinKind) best;
	if (best_n > 0)
	{
		const char *set = best_first >= 2 ? kind_sets[best][best_first - 2] : NULL;
		int			coded = best >= GSTIN_KIND_OIDAR;

		if (best_first < 2)
			return ref_fault(f, GSTIN_BAD_STATE, 1, '\0');
		if (strcmp(set, HOLDER) == 0 && isupper((unsigned char) up[best_first]))
			return ref_fault(f, GSTIN_BAD_HOLDER_TYPE, best_first + 1, '\0');
		if (coded && best_first >= 12)
			return ref_fault(f, GSTIN_BAD_CODE, 13, '\0');
		if (best_first == 13)
			return ref_fault(f, GSTIN_BAD_Z, 14, set[0]);
		if (best_first == 12 && best != GSTIN_KIND_GOVERNMENT)
			return ref_fault(f, GSTIN_BAD_ENTITY, 13, '\0');
		return ref_fault(f, GSTIN_BAD_PAN, best_first + 1,
						 strcmp(set, DIG) == 0 ? 'd' : strcmp(set, DIG LET) == 0 ? 'a' : 'l');
	}

	check = ref_check_char(up);
	if (up[14] != check)
		return ref_fault(f, GSTIN_BAD_CHECK, 15, check);
	for (i = 0; i < len; i++)
		if (islower(value[i]))
			return ref_fault(f, GSTIN_LOWER_CASE, (int) i + 1, '\0');
	return ref_fault(f, GSTIN_OK, 0, '\0');
}

static int
same_fault(const GstinFault *a, const GstinFault *b)
{
	return a->result == b->result && a->position == b->position &&
		a->expected == b->expected && a->kind == b->kind;
}

/* Map the input onto a valid GSTIN or UIN of the kind byte 13 picks, a byte per character. */
static void
make_valid(const uint8_t *data, size_t size, char *g)
{
	uint8_t		b[14] = {0};
	int			kind;
	int			i;

	memcpy(b, data, size < sizeof(b) ? size : sizeof(b));
	kind = b[13] % 7;
	memcpy(g, kind == GSTIN_KIND_OIDAR ? "99" : states[b[0] % NSTATES], 2);
	for (i = 2; i < 14; i++)
	{
		const char *set = kind_sets[kind][i - 2];

		g[i] = set[b[i - 1] % strlen(set)];
	}
	g[14] = gstin_check_char(g);
}

/*
 * One substitution per position, the character picked by the input (bytes
 * 14 on): sweeping every character would cost a thousand calls an input
 * and starve the comparison with the reference.  pgTAP sweeps them all on
 * the published GSTINs.
 */
static void
check_valid_and_neighbours(const uint8_t *data, size_t size)
{
	static const char substitutes[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	char		g[GSTIN_LENGTH];
	char		m[GSTIN_LENGTH];
	GstinFault	got;
	int			i;

	make_valid(data, size, g);
	if (gstin_examine(g, GSTIN_LENGTH, &got) != GSTIN_OK)
		fail("a generated GSTIN is refused", (const uint8_t *) g, GSTIN_LENGTH, &got, NULL);
	if ((int) got.kind != (size >= 14 ? data[13] % 7 : 0))
		fail("a generated GSTIN is read as another kind", (const uint8_t *) g, GSTIN_LENGTH, &got, NULL);

	for (i = 0; i < GSTIN_LENGTH; i++)
	{
		size_t		at = 14 + (size_t) i;
		uint8_t		pick = at < size ? data[at] : (uint8_t) i;

		/* Bytes 0-127 pick a likely typo, 128-255 stand for themselves. */
		memcpy(m, g, GSTIN_LENGTH);
		m[i] = pick < 128 ? substitutes[pick % (sizeof(substitutes) - 1)] : (char) pick;
		if (m[i] != g[i] && gstin_examine(m, GSTIN_LENGTH, &got) == GSTIN_OK)
			fail("a single-character substitution is accepted", (const uint8_t *) m, GSTIN_LENGTH, &got, NULL);
	}

	for (i = 0; i + 1 < GSTIN_LENGTH; i++)
	{
		if (g[i] == g[i + 1])
			continue;
		memcpy(m, g, GSTIN_LENGTH);
		m[i] = g[i + 1];
		m[i + 1] = g[i];
		if (gstin_examine(m, GSTIN_LENGTH, &got) == GSTIN_OK)
			fail("an adjacent transposition is accepted", (const uint8_t *) m, GSTIN_LENGTH, &got, NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GstinFault	got,
				want;
	uint8_t    *copy;

	/* An exact-size heap copy: a read past the end is an ASan report. */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);

	gstin_examine((const char *) copy, size, &got);
	ref_examine(copy, size, &want);
	if (!same_fault(&got, &want))
		fail("gstin_examine disagrees with reference", copy, size, &got, &want);

	check_valid_and_neighbours(data, size);

	free(copy);
	return 0;
}
