/* SPDX-License-Identifier: MIT */
/* Unit tests of shell argument splitting and value parsing. */
/* SOURCES: shell/args.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/shell_args.h>

/* ---- splitting ---- */

static char line[512];
static char *argv[SHELL_ARGS_MAX + 1];
static int argc;

static int split(const char *s)
{
	snprintf(line, sizeof(line), "%s", s);
	memset(argv, 0xa5, sizeof(argv));
	return shell_args_split(line, &argc, argv);
}

/* Split s and compare with the expected words (NULL-terminated list). */
static void assert_split(const char *s, const char *const *words)
{
	int n = 0;

	assert_int_equal(split(s), SHELL_ARG_OK);
	while (words[n])
		n++;
	assert_int_equal(argc, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(argv[i], words[i]);
	assert_null(argv[n]);
}

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_split_plain(void **state)
{
	(void)state;
	assert_split("help", WORDS("help"));
	assert_split("log dbg", WORDS("log", "dbg"));
	assert_split("  a \t b   c  ", WORDS("a", "b", "c"));
	assert_split("a\tb", WORDS("a", "b"));
}

static void test_split_empty(void **state)
{
	(void)state;
	assert_int_equal(split(""), SHELL_ARG_OK);
	assert_int_equal(argc, 0);
	assert_null(argv[0]);
	assert_int_equal(split("  \t  "), SHELL_ARG_OK);
	assert_int_equal(argc, 0);
	assert_null(argv[0]);
}

static void test_split_quotes(void **state)
{
	(void)state;
	assert_split("echo \"a b\"  c", WORDS("echo", "a b", "c"));
	assert_split("echo 'x  y' z", WORDS("echo", "x  y", "z"));
	assert_split("\"\" ''", WORDS("", ""));
	assert_split("a\"b c\"d", WORDS("ab cd"));
	assert_split("'it\"s' \"it's\"", WORDS("it\"s", "it's"));
	assert_split("\"  lead and trail  \"", WORDS("  lead and trail  "));
	assert_split("x\"\"", WORDS("x"));
}

static void test_split_escapes(void **state)
{
	(void)state;
	assert_split("\"a\\\"b\"", WORDS("a\"b"));
	assert_split("\"back\\\\slash\"", WORDS("back\\slash"));
	assert_split("\"\\x\"", WORDS("x"));
	/* outside double quotes a backslash is ordinary */
	assert_split("c:\\dir 'a\\b'", WORDS("c:\\dir", "a\\b"));
	assert_split("\"end\\\"\" next", WORDS("end\"", "next"));
}

static void test_split_max_args(void **state)
{
	char buf[128] = "";

	(void)state;
	for (int i = 0; i < SHELL_ARGS_MAX; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "w%d ", i);
	assert_int_equal(split(buf), SHELL_ARG_OK);
	assert_int_equal(argc, SHELL_ARGS_MAX);
	assert_string_equal(argv[0], "w0");
	assert_string_equal(argv[SHELL_ARGS_MAX - 1], "w15");
	assert_null(argv[SHELL_ARGS_MAX]);
}

static void test_split_too_many(void **state)
{
	char buf[256] = "";

	(void)state;
	for (int i = 0; i <= SHELL_ARGS_MAX; i++)
		strcat(buf, "x ");
	assert_int_equal(split(buf), SHELL_ARG_ETOOMANY);
	assert_int_equal(argc, 0);
	assert_null(argv[0]);
	for (int i = 0; i < 100; i++)
		strcat(buf, "y");
	assert_int_equal(split(buf), SHELL_ARG_ETOOMANY);
	assert_int_equal(split("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 "
			       "19 20 21 22 23 24 25 26 27 28 29 30 31 32 33"),
			 SHELL_ARG_ETOOMANY);
	assert_string_equal(shell_arg_strerror(SHELL_ARG_ETOOMANY), "too many arguments (max 16)");
}

static void test_split_unterminated(void **state)
{
	(void)state;
	assert_int_equal(split("echo \"abc"), SHELL_ARG_EQUOTE);
	assert_int_equal(argc, 0);
	assert_null(argv[0]);
	assert_int_equal(split("echo 'abc"), SHELL_ARG_EQUOTE);
	assert_int_equal(split("\""), SHELL_ARG_EQUOTE);
	assert_int_equal(split("a \"b\\\""), SHELL_ARG_EQUOTE);
	assert_int_equal(split("a \"b\\"), SHELL_ARG_EQUOTE);
	assert_int_equal(split("'a\"b"), SHELL_ARG_EQUOTE);
}

/* ---- integers ---- */

static void assert_uint(const char *s, uint64_t expect)
{
	uint64_t v = 12345;

	assert_int_equal(shell_parse_uint(s, 0, UINT64_MAX, &v), SHELL_ARG_OK);
	assert_int_equal(v, expect);
}

static void assert_uint_err(const char *s, uint64_t min, uint64_t max, int err)
{
	uint64_t v = 777;

	assert_int_equal(shell_parse_uint(s, min, max, &v), err);
	assert_int_equal(v, 777); /* untouched on error */
}

static void test_uint_ok(void **state)
{
	(void)state;
	assert_uint("0", 0);
	assert_uint("42", 42);
	assert_uint("007", 7); /* decimal, not octal */
	assert_uint("0x2A", 42);
	assert_uint("0X2a", 42);
	assert_uint("0xffffffffffffffff", UINT64_MAX);
	assert_uint("18446744073709551615", UINT64_MAX);
	assert_uint("0x0000000000000000001", 1);
}

static void test_uint_errors(void **state)
{
	(void)state;
	assert_uint_err("", 0, 10, SHELL_ARG_EEMPTY);
	assert_uint_err("abc", 0, 10, SHELL_ARG_ENUMBER);
	assert_uint_err("12a", 0, 100, SHELL_ARG_ENUMBER);
	assert_uint_err("0x", 0, 10, SHELL_ARG_ENUMBER);
	assert_uint_err("0xg", 0, 10, SHELL_ARG_ENUMBER);
	assert_uint_err("-1", 0, 10, SHELL_ARG_ENUMBER);
	assert_uint_err("+1", 0, 10, SHELL_ARG_ENUMBER);
	assert_uint_err(" 1", 0, 10, SHELL_ARG_ENUMBER);
	assert_uint_err("1 ", 0, 10, SHELL_ARG_ENUMBER);
	assert_uint_err("1.5", 0, 10, SHELL_ARG_ENUMBER);
	assert_uint_err("\xff", 0, 10, SHELL_ARG_ENUMBER);
	assert_uint_err("18446744073709551616", 0, UINT64_MAX, SHELL_ARG_ERANGE);
	assert_uint_err("99999999999999999999999999", 0, UINT64_MAX, SHELL_ARG_ERANGE);
	assert_uint_err("0x10000000000000000", 0, UINT64_MAX, SHELL_ARG_ERANGE);
	assert_uint_err("11", 0, 10, SHELL_ARG_ERANGE);
	assert_uint_err("4", 5, 10, SHELL_ARG_ERANGE);
}

static void test_uint_bounds(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(shell_parse_uint("5", 5, 10, &v), SHELL_ARG_OK);
	assert_int_equal(v, 5);
	assert_int_equal(shell_parse_uint("10", 5, 10, &v), SHELL_ARG_OK);
	assert_int_equal(v, 10);
}

static void assert_int_ok(const char *s, int64_t expect)
{
	int64_t v = 12345;

	assert_int_equal(shell_parse_int(s, INT64_MIN, INT64_MAX, &v), SHELL_ARG_OK);
	assert_true(v == expect);
}

static void assert_int_err(const char *s, int64_t min, int64_t max, int err)
{
	int64_t v = 777;

	assert_int_equal(shell_parse_int(s, min, max, &v), err);
	assert_int_equal(v, 777);
}

static void test_int(void **state)
{
	(void)state;
	assert_int_ok("0", 0);
	assert_int_ok("-0", 0);
	assert_int_ok("17", 17);
	assert_int_ok("-5", -5);
	assert_int_ok("-0x10", -16);
	assert_int_ok("9223372036854775807", INT64_MAX);
	assert_int_ok("-9223372036854775808", INT64_MIN);
	assert_int_ok("-0x8000000000000000", INT64_MIN);
	assert_int_err("9223372036854775808", INT64_MIN, INT64_MAX, SHELL_ARG_ERANGE);
	assert_int_err("-9223372036854775809", INT64_MIN, INT64_MAX, SHELL_ARG_ERANGE);
	assert_int_err("-99999999999999999999999", INT64_MIN, INT64_MAX, SHELL_ARG_ERANGE);
	assert_int_err("", -10, 10, SHELL_ARG_EEMPTY);
	assert_int_err("-", -10, 10, SHELL_ARG_ENUMBER);
	assert_int_err("--1", -10, 10, SHELL_ARG_ENUMBER);
	assert_int_err("- 1", -10, 10, SHELL_ARG_ENUMBER);
	assert_int_err("1-", -10, 10, SHELL_ARG_ENUMBER);
	assert_int_err("-11", -10, 10, SHELL_ARG_ERANGE);
	assert_int_err("11", -10, 10, SHELL_ARG_ERANGE);
	assert_int_err("-16", -16 + 1, 31, SHELL_ARG_ERANGE);
}

/* ---- sizes ---- */

static void assert_size(const char *s, uint64_t expect)
{
	uint64_t v = 1;

	assert_int_equal(shell_parse_size(s, UINT64_MAX, &v), SHELL_ARG_OK);
	assert_int_equal(v, expect);
}

static void assert_size_err(const char *s, uint64_t max, int err)
{
	uint64_t v = 777;

	assert_int_equal(shell_parse_size(s, max, &v), err);
	assert_int_equal(v, 777);
}

static void test_size_ok(void **state)
{
	(void)state;
	assert_size("0", 0);
	assert_size("4096", 4096);
	assert_size("4K", 4096);
	assert_size("4k", 4096);
	assert_size("2M", 2u << 20);
	assert_size("1G", 1u << 30);
	assert_size("3g", 3ull << 30);
	assert_size("0x10K", 16u << 10);
	assert_size("0x1B", 0x1b); /* B is a hex digit here */
	assert_size("16B", 16);
	assert_size("64KB", 64u << 10);
	assert_size("64KiB", 64u << 10);
	assert_size("1mib", 1u << 20);
	assert_size("17179869183G", 17179869183ull << 30);
}

static void test_size_errors(void **state)
{
	(void)state;
	assert_size_err("", 100, SHELL_ARG_EEMPTY);
	assert_size_err("K", 1u << 20, SHELL_ARG_ENUMBER);
	assert_size_err("-4K", 1u << 20, SHELL_ARG_ENUMBER);
	assert_size_err("4X", 1u << 20, SHELL_ARG_ESUFFIX);
	assert_size_err("4T", UINT64_MAX, SHELL_ARG_ESUFFIX);
	assert_size_err("4KK", 1u << 20, SHELL_ARG_ESUFFIX);
	assert_size_err("4Ki", 1u << 20, SHELL_ARG_ESUFFIX);
	assert_size_err("4iB", 1u << 20, SHELL_ARG_ESUFFIX);
	assert_size_err("4K ", 1u << 20, SHELL_ARG_ESUFFIX);
	assert_size_err("4 K", 1u << 20, SHELL_ARG_ESUFFIX);
	assert_size_err("17179869184G", UINT64_MAX, SHELL_ARG_ERANGE);
	assert_size_err("99999999999999999999K", UINT64_MAX, SHELL_ARG_ERANGE);
	assert_size_err("2M", (2u << 20) - 1, SHELL_ARG_ERANGE);
	assert_int_not_equal(shell_arg_strerror(SHELL_ARG_ESUFFIX)[0], '\0');
}

/* ---- CPU lists ---- */

static void assert_cpus(const char *s, unsigned ncpus, uint32_t expect)
{
	uint32_t m = 0xdeadbeef;

	assert_int_equal(shell_parse_cpulist(s, ncpus, &m), SHELL_ARG_OK);
	assert_int_equal(m, expect);
}

static void assert_cpus_err(const char *s, unsigned ncpus, int err)
{
	uint32_t m = 777;

	assert_int_equal(shell_parse_cpulist(s, ncpus, &m), err);
	assert_int_equal(m, 777);
}

static void test_cpulist_ok(void **state)
{
	(void)state;
	assert_cpus("0", 4, 0x1);
	assert_cpus("3", 4, 0x8);
	assert_cpus("1,2-3", 4, 0xe);
	assert_cpus("0-3", 4, 0xf);
	assert_cpus("2-2", 4, 0x4);
	assert_cpus("3,0", 4, 0x9);
	assert_cpus("1,1,1-2", 4, 0x6);
	assert_cpus("all", 4, 0xf);
	assert_cpus("all", 8, 0xff);
	assert_cpus("all", 32, 0xffffffff);
	assert_cpus("all", 64, 0xffffffff);
	assert_cpus("0-31", 32, 0xffffffff);
	assert_cpus("31", 32, 0x80000000);
	assert_cpus("30-31", 40, 0xc0000000);
}

static void test_cpulist_errors(void **state)
{
	(void)state;
	assert_cpus_err("", 4, SHELL_ARG_EEMPTY);
	assert_cpus_err("4", 4, SHELL_ARG_ERANGE);
	assert_cpus_err("0-4", 4, SHELL_ARG_ERANGE);
	assert_cpus_err("32", 64, SHELL_ARG_ERANGE);
	assert_cpus_err("99999999999999999999999", 4, SHELL_ARG_ERANGE);
	assert_cpus_err("3-1", 4, SHELL_ARG_EREVERSED);
	assert_cpus_err("1,,2", 4, SHELL_ARG_ELIST);
	assert_cpus_err("1,", 4, SHELL_ARG_ELIST);
	assert_cpus_err(",1", 4, SHELL_ARG_ELIST);
	assert_cpus_err("1-", 4, SHELL_ARG_ELIST);
	assert_cpus_err("-1", 4, SHELL_ARG_ELIST);
	assert_cpus_err("1--2", 4, SHELL_ARG_ELIST);
	assert_cpus_err("1-2-3", 4, SHELL_ARG_ELIST);
	assert_cpus_err("a", 4, SHELL_ARG_ELIST);
	assert_cpus_err("0x1", 4, SHELL_ARG_ELIST);
	assert_cpus_err("1 2", 4, SHELL_ARG_ELIST);
	assert_cpus_err("1;2", 4, SHELL_ARG_ELIST);
	assert_cpus_err("All", 4, SHELL_ARG_ELIST);
	assert_cpus_err("0", 0, SHELL_ARG_ERANGE);
}

static void test_strerror(void **state)
{
	(void)state;
	for (int e = SHELL_ARG_EREVERSED; e <= SHELL_ARG_OK; e++) {
		const char *msg = shell_arg_strerror(e);

		assert_non_null(msg);
		assert_true(strlen(msg) > 3);
	}
	assert_string_equal(shell_arg_strerror(SHELL_ARG_EQUOTE), "unterminated quote");
	assert_string_equal(shell_arg_strerror(SHELL_ARG_ERANGE), "out of range");
	assert_string_equal(shell_arg_strerror(-1000), "unknown error");
}

/*
 * Each word of an accepted split, double-quoted with its quotes and
 * backslashes escaped, joined by blanks: split again, the same words.
 */
static void assert_round_trip(int n, char **words)
{
	static char quoted[4 * sizeof(line) + 3 * SHELL_ARGS_MAX];
	char *w = quoted;
	int n2;
	char *words2[SHELL_ARGS_MAX + 1];

	for (int i = 0; i < n; i++) {
		*w++ = '"';
		for (const char *c = words[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				*w++ = '\\';
			*w++ = *c;
		}
		*w++ = '"';
		*w++ = ' ';
	}
	*w = '\0';
	assert_int_equal(shell_args_split(quoted, &n2, words2), SHELL_ARG_OK);
	assert_int_equal(n2, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(words2[i], words[i]);
}

/*
 * Garbage lines never crash the splitter and respect the limits; what it
 * accepts round-trips (assert_round_trip).
 */
static void test_split_garbage(void **state)
{
	uint32_t x = 99;
	int accepted = 0;

	(void)state;
	for (int round = 0; round < 2000; round++) {
		size_t n = 0;

		for (; n < sizeof(line) - 1; n++) {
			x = x * 1103515245u + 12345u;
			line[n] = (char)((x >> 16) % 8 == 0 ? ' ' : (x >> 8));
			if (line[n] == '\0' || (x >> 24) % 64 == 0)
				break;
		}
		line[n] = '\0';
		int err = shell_args_split(line, &argc, argv);

		assert_true(err == SHELL_ARG_OK || err == SHELL_ARG_ETOOMANY ||
			    err == SHELL_ARG_EQUOTE);
		assert_true(argc >= 0 && argc <= SHELL_ARGS_MAX);
		assert_null(argv[argc]);
		if (err == SHELL_ARG_OK) {
			assert_round_trip(argc, argv);
			accepted++;
		}
	}
	assert_true(accepted > 100 && accepted < 1900); /* both outcomes were checked */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_plain),
		cmocka_unit_test(test_split_empty),
		cmocka_unit_test(test_split_quotes),
		cmocka_unit_test(test_split_escapes),
		cmocka_unit_test(test_split_max_args),
		cmocka_unit_test(test_split_too_many),
		cmocka_unit_test(test_split_unterminated),
		cmocka_unit_test(test_split_garbage),
		cmocka_unit_test(test_uint_ok),
		cmocka_unit_test(test_uint_errors),
		cmocka_unit_test(test_uint_bounds),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_size_ok),
		cmocka_unit_test(test_size_errors),
		cmocka_unit_test(test_cpulist_ok),
		cmocka_unit_test(test_cpulist_errors),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
