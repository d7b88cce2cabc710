/* SPDX-License-Identifier: MIT */
/*
 * Shell argument splitting and value parsing (see include/zvm/shell_args.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <zvm/shell_args.h>

#define STR_(x) #x
#define STR(x)  STR_(x)

/* ---- splitting ---- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Copy one character of a quoted section from *rd to *wr; a closing quote
 * ends the section (*quote = 0).
 */
static void copy_quoted(char **rd, char **wr, char *quote)
{
	char c = **rd;

	if (c == *quote)
		*quote = 0;
	else if (c == '\\' && *quote == '"' && (*rd)[1])
		*(*wr)++ = *++(*rd);
	else
		*(*wr)++ = c;
	(*rd)++;
}

/*
 * Copy the word at *rd to *wr without its quotes and NUL-terminate it;
 * *rd is left past the blank (or at the NUL) that ended it. wr <= rd, so
 * this works in place.
 */
static int copy_word(char **rd, char **wr)
{
	char quote = 0;

	while (**rd && (quote || !is_blank(**rd))) {
		if (quote)
			copy_quoted(rd, wr, &quote);
		else if (**rd == '"' || **rd == '\'')
			quote = *(*rd)++;
		else
			*(*wr)++ = *(*rd)++;
	}
	if (quote)
		return SHELL_ARG_EQUOTE;
	if (**rd)
		(*rd)++;
	*(*wr)++ = '\0';
	return SHELL_ARG_OK;
}

/* Split into argv; on error argv is left partly filled. */
static int split_words(char *rd, int *argc, char **argv)
{
	char *wr;
	int n = 0, err;

	for (;;) {
		while (is_blank(*rd))
			rd++;
		if (*rd == '\0')
			break;
		if (n == SHELL_ARGS_MAX)
			return SHELL_ARG_ETOOMANY;
		wr = argv[n++] = rd;
		err = copy_word(&rd, &wr);
		if (err)
			return err;
	}
	argv[n] = NULL;
	*argc = n;
	return SHELL_ARG_OK;
}

int shell_args_split(char *line, int *argc, char **argv)
{
	int err = split_words(line, argc, argv);

	if (err) {
		*argc = 0;
		argv[0] = NULL;
	}
	return err;
}

/* ---- numbers ---- */

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The value of a hex digit, or -1. */
static int digit_val(char c)
{
	c = lower(c);
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool is_digit(char c, unsigned base)
{
	int d = digit_val(c);

	return d >= 0 && (unsigned)d < base;
}

/* Scan one or more digits at *p; *p is left at the first other byte. */
static int scan_digits(const char **p, unsigned base, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	unsigned d;

	if (!is_digit(*s, base))
		return SHELL_ARG_ENUMBER;
	for (; is_digit(*s, base); s++) {
		d = (unsigned)digit_val(*s);
		if (x > (UINT64_MAX - d) / base)
			return SHELL_ARG_ERANGE;
		x = x * base + d;
	}
	*p = s;
	*v = x;
	return SHELL_ARG_OK;
}

/* Scan a decimal or 0x-prefixed hex number at *p. */
static int scan_number(const char **p, uint64_t *v)
{
	if ((*p)[0] == '0' && lower((*p)[1]) == 'x') {
		*p += 2;
		return scan_digits(p, 16, v);
	}
	return scan_digits(p, 10, v);
}

int shell_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;
	int err;

	if (*s == '\0')
		return SHELL_ARG_EEMPTY;
	err = scan_number(&s, &v);
	if (err)
		return err;
	if (*s != '\0')
		return SHELL_ARG_ENUMBER;
	if (v < min || v > max)
		return SHELL_ARG_ERANGE;
	*out = v;
	return SHELL_ARG_OK;
}

/* Apply a sign to a magnitude, if it fits an int64_t. */
static int apply_sign(uint64_t mag, bool neg, int64_t *v)
{
	if (!neg && mag > (uint64_t)INT64_MAX)
		return SHELL_ARG_ERANGE;
	if (neg && mag > (uint64_t)INT64_MAX + 1)
		return SHELL_ARG_ERANGE;
	if (neg)
		*v = mag ? -(int64_t)(mag - 1) - 1 : 0;
	else
		*v = (int64_t)mag;
	return SHELL_ARG_OK;
}

int shell_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	bool neg = *s == '-';
	uint64_t mag;
	int64_t v;
	int err;

	if (neg && *++s == '\0')
		return SHELL_ARG_ENUMBER;
	err = shell_parse_uint(s, 0, UINT64_MAX, &mag);
	if (!err)
		err = apply_sign(mag, neg, &v);
	if (err)
		return err;
	if (v < min || v > max)
		return SHELL_ARG_ERANGE;
	*out = v;
	return SHELL_ARG_OK;
}

/* ---- sizes ---- */

/* The shift of a size suffix: "", K, M or G, then optionally B or iB. */
static int suffix_shift(const char *s, unsigned *shift)
{
	const char *units = "kmg";
	const char *u = *s ? strchr(units, lower(*s)) : NULL;

	*shift = 0;
	if (u) {
		*shift = 10 * (unsigned)(u - units + 1);
		s++;
		if (lower(*s) == 'i' && lower(s[1]) == 'b')
			s++;
	}
	if (lower(*s) == 'b')
		s++;
	return *s ? SHELL_ARG_ESUFFIX : SHELL_ARG_OK;
}

int shell_parse_size(const char *s, uint64_t max, uint64_t *out)
{
	unsigned shift;
	uint64_t v;
	int err;

	if (*s == '\0')
		return SHELL_ARG_EEMPTY;
	err = scan_number(&s, &v);
	if (!err)
		err = suffix_shift(s, &shift);
	if (err)
		return err;
	if (v > (UINT64_MAX >> shift) || (v << shift) > max)
		return SHELL_ARG_ERANGE;
	*out = v << shift;
	return SHELL_ARG_OK;
}

/* ---- CPU lists ---- */

static uint32_t cpu_bits(unsigned lo, unsigned hi)
{
	uint32_t upto_hi = hi >= 31 ? UINT32_MAX : (1u << (hi + 1)) - 1;

	return upto_hi & ~((1u << lo) - 1);
}

static int scan_cpu(const char **p, uint64_t *cpu)
{
	int err = scan_digits(p, 10, cpu);

	return err == SHELL_ARG_ENUMBER ? SHELL_ARG_ELIST : err;
}

/* Scan "N" or "N-M" at *p and add it to *mask. */
static int scan_cpu_range(const char **p, unsigned ncpus, uint32_t *mask)
{
	uint64_t lo, hi;
	int err = scan_cpu(p, &lo);

	hi = lo;
	if (!err && **p == '-') {
		(*p)++;
		err = scan_cpu(p, &hi);
	}
	if (err)
		return err;
	if (hi < lo)
		return SHELL_ARG_EREVERSED;
	if (hi >= ncpus)
		return SHELL_ARG_ERANGE;
	*mask |= cpu_bits((unsigned)lo, (unsigned)hi);
	return SHELL_ARG_OK;
}

int shell_parse_cpulist(const char *s, unsigned ncpus, uint32_t *mask)
{
	uint32_t m = 0;
	int err;

	if (ncpus > 32)
		ncpus = 32;
	if (*s == '\0')
		return SHELL_ARG_EEMPTY;
	if (strcmp(s, "all") == 0) {
		*mask = ncpus ? cpu_bits(0, ncpus - 1) : 0;
		return SHELL_ARG_OK;
	}
	for (;;) {
		err = scan_cpu_range(&s, ncpus, &m);
		if (err)
			return err;
		if (*s == '\0')
			break;
		if (*s++ != ',')
			return SHELL_ARG_ELIST;
	}
	*mask = m;
	return SHELL_ARG_OK;
}

/* ---- messages ---- */

const char *shell_arg_strerror(int err)
{
	switch (err) {
	case SHELL_ARG_OK:
		return "no error";
	case SHELL_ARG_ETOOMANY:
		return "too many arguments (max " STR(SHELL_ARGS_MAX) ")";
	case SHELL_ARG_EQUOTE:
		return "unterminated quote";
	case SHELL_ARG_EEMPTY:
		return "empty value";
	case SHELL_ARG_ENUMBER:
		return "not a number";
	case SHELL_ARG_ERANGE:
		return "out of range";
	case SHELL_ARG_ESUFFIX:
		return "unknown size suffix (use K, M or G)";
	case SHELL_ARG_ELIST:
		return "malformed CPU list (e.g. 0,2-3)";
	case SHELL_ARG_EREVERSED:
		return "CPU range ends before it starts";
	default:
		return "unknown error";
	}
}
