/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the shell line editor. The editor's output is fed to a
 * tiny terminal model (one line: printable bytes, BS, CR, LF) so the tests
 * check what the user would actually see, not just the buffer.
 */
/* SOURCES: shell/line.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/shell_line.h>

#define SCREEN_W 1024

struct term {
	char screen[SCREEN_W]; /* the current screen line */
	size_t col;
	unsigned newlines;
	unsigned bad;    /* bytes a terminal would not expect */
	char raw[65536]; /* raw output since the last term_clear_raw */
	size_t raw_len;
};

static struct term term;
static struct shell_line ed;

static void term_reset(void)
{
	memset(&term, 0, sizeof(term));
	memset(term.screen, ' ', sizeof(term.screen));
}

static void term_put(char c)
{
	if (c == '\b') {
		if (term.col)
			term.col--;
	} else if (c == '\r') {
		term.col = 0;
	} else if (c == '\n') {
		memset(term.screen, ' ', sizeof(term.screen));
		term.newlines++;
	} else if (c >= 0x20 && c < 0x7f && term.col < SCREEN_W) {
		term.screen[term.col++] = c;
	} else {
		term.bad++;
	}
}

static void term_out(const char *s, size_t n, void *ctx)
{
	assert_ptr_equal(ctx, &term);
	for (size_t i = 0; i < n; i++) {
		term_put(s[i]);
		if (term.raw_len < sizeof(term.raw) - 1)
			term.raw[term.raw_len++] = s[i];
	}
	term.raw[term.raw_len] = '\0';
}

static int setup(void **state)
{
	(void)state;
	term_reset();
	shell_line_init(&ed, term_out, &term);
	return 0;
}

/*
 * Feed bytes; returns the first result other than NONE, which must come
 * from the last byte (as the shell acts on a line at once).
 */
static enum shell_line_result feed_n(const char *s, size_t n)
{
	enum shell_line_result r = SHELL_LINE_NONE;

	for (size_t i = 0; i < n; i++) {
		r = shell_line_feed(&ed, (unsigned char)s[i]);
		if (r != SHELL_LINE_NONE) {
			assert_int_equal(i, n - 1);
			break;
		}
	}
	return r;
}

static enum shell_line_result feed(const char *s)
{
	return feed_n(s, strlen(s));
}

/* The screen shows exactly the line being edited, cursor in place. */
static void assert_screen_matches(void)
{
	assert_int_equal(term.bad, 0);
	assert_true(ed.len <= SHELL_LINE_MAX);
	assert_true(ed.cur <= ed.len);
	assert_int_equal(ed.buf[ed.len], '\0');
	assert_memory_equal(term.screen, ed.buf, ed.len);
	for (size_t i = ed.len; i < SCREEN_W; i++)
		assert_int_equal(term.screen[i], ' ');
	assert_int_equal(term.col, ed.cur);
}

/* Type s (no Enter) and check the screen. */
static void type(const char *s)
{
	assert_int_equal(feed(s), SHELL_LINE_NONE);
	assert_screen_matches();
}

static void assert_line(const char *input, const char *expect)
{
	assert_int_equal(feed(input), SHELL_LINE_DONE);
	assert_string_equal(shell_line_text(&ed), expect);
}

/* ---- basic typing ---- */

static void test_type_and_enter(void **state)
{
	(void)state;
	type("hello");
	assert_string_equal(term.raw, "hello");
	assert_line("\r", "hello");
	assert_string_equal(term.raw, "hello\r\n");
	assert_int_equal(term.newlines, 1);
}

static void test_lf_and_crlf(void **state)
{
	(void)state;
	assert_line("one\n", "one");
	assert_line("two\r", "two");
	/* The LF of CR LF is swallowed: no empty line in between. */
	assert_int_equal(feed("\n"), SHELL_LINE_NONE);
	assert_line("three\r", "three");
	assert_int_equal(feed("\n"), SHELL_LINE_NONE);
	/* but a second LF is a line of its own */
	assert_line("\n", "");
	assert_int_equal(term.newlines, 4);
}

static void test_empty_line(void **state)
{
	(void)state;
	assert_line("\r", "");
	assert_line("   \r", "   ");
}

static void test_text_modifiable(void **state)
{
	char *t;

	(void)state;
	assert_line("abc\r", "abc");
	t = shell_line_text(&ed);
	t[0] = '\0'; /* the shell splits lines in place */
	assert_line("xyz\r", "xyz");
	/* the history kept its own copy */
	type("\x1b[A");
	assert_string_equal(ed.buf, "xyz");
	type("\x1b[A");
	assert_string_equal(ed.buf, "abc");
}

/* ---- editing ---- */

static void test_backspace(void **state)
{
	(void)state;
	type("helpp");
	type("\x7f");
	type("\x08");
	type("lo");
	assert_line("\r", "hello");
}

static void test_backspace_at_start(void **state)
{
	(void)state;
	type("\x7f\x7f");
	assert_int_equal(term.raw_len, 0);
	type("ab\x1b[D\x1b[D\x7f");
	assert_line("\r", "ab");
}

static void test_insert_middle(void **state)
{
	(void)state;
	type("helo");
	type("\x1b[D");
	assert_int_equal(ed.cur, 3);
	type("l");
	assert_int_equal(ed.cur, 4);
	type(" world");
	assert_line("\r", "hell worldo");
}

static void test_ss3_arrows(void **state)
{
	(void)state;
	type("ac");
	type("\x1bOD");
	type("b");
	type("\x1bOC");
	type("d");
	assert_line("\r", "abcd");
}

static void test_cursor_bounds(void **state)
{
	(void)state;
	type("ab");
	type("\x1b[C\x1b[C");
	assert_int_equal(ed.cur, 2);
	type("\x1b[D\x1b[D\x1b[D\x1b[D");
	assert_int_equal(ed.cur, 0);
	type("X");
	assert_line("\r", "Xab");
}

static void test_backspace_middle(void **state)
{
	(void)state;
	type("abXcd");
	type("\x1b[D\x1b[D\x7f");
	assert_int_equal(ed.cur, 2);
	assert_line("\r", "abcd");
}

static void test_home_end(void **state)
{
	(void)state;
	type("bc");
	type("\x1b[H");
	assert_int_equal(ed.cur, 0);
	type("a");
	type("\x1b[F");
	assert_int_equal(ed.cur, 3);
	type("d");
	type("\x1b[1~"); /* vt220 Home */
	type("<");
	type("\x1b[4~"); /* vt220 End */
	type(">");
	type("\x1bOH"
	     "["
	     "\x1bOF"
	     "]");
	type("\x01"
	     "{"
	     "\x05"
	     "}"); /* Ctrl-A, Ctrl-E */
	assert_line("\r", "{[<abcd>]}");
}

static void test_delete_key(void **state)
{
	(void)state;
	type("abXc");
	type("\x1b[D\x1b[D");
	type("\x1b[3~");
	assert_int_equal(ed.cur, 2);
	type("\x1b[3~\x1b[3~"); /* deletes c, then nothing */
	assert_line("\r", "ab");
}

static void test_ctrl_c(void **state)
{
	(void)state;
	type("rm everything");
	assert_int_equal(feed("\x03"), SHELL_LINE_CANCEL);
	assert_int_equal(term.newlines, 1);
	assert_non_null(strstr(term.raw, "^C\r\n"));
	assert_int_equal(ed.len, 0);
	assert_line("ok\r", "ok");
	/* a cancelled line is not in the history */
	type("\x1b[A");
	assert_string_equal(ed.buf, "ok");
	type("\x1b[A");
	assert_string_equal(ed.buf, "ok");
}

static void test_ctrl_u(void **state)
{
	(void)state;
	type("garbage here");
	type("\x1b[D\x1b[D\x1b[D");
	type("\x15");
	assert_int_equal(ed.len, 0);
	assert_int_equal(ed.cur, 0);
	type("good");
	assert_line("\r", "good");
}

/* ---- history ---- */

static void test_history_order(void **state)
{
	(void)state;
	assert_line("first\r", "first");
	assert_line("second\r", "second");
	assert_line("third\r", "third");
	type("new");
	type("\x1b[A");
	assert_string_equal(ed.buf, "third");
	type("\x1b[A");
	assert_string_equal(ed.buf, "second");
	type("\x1b[A");
	assert_string_equal(ed.buf, "first");
	type("\x1b[A"); /* no older entry: stays */
	assert_string_equal(ed.buf, "first");
	type("\x1b[B");
	assert_string_equal(ed.buf, "second");
	type("\x1b[B");
	assert_string_equal(ed.buf, "third");
	type("\x1b[B"); /* back to the line being typed */
	assert_string_equal(ed.buf, "new");
	type("\x1b[B");
	assert_string_equal(ed.buf, "new");
	assert_line("\r", "new");
}

static void test_history_recall_runs(void **state)
{
	(void)state;
	assert_line("uptime\r", "uptime");
	assert_line("version\r", "version");
	type("\x1bOA\x1bOA");
	assert_line("\r", "uptime");
	/* it became the newest entry */
	type("\x1b[A");
	assert_string_equal(ed.buf, "uptime");
	type("\x1b[A");
	assert_string_equal(ed.buf, "version");
}

static void test_history_edit_recalled(void **state)
{
	(void)state;
	assert_line("a long line\r", "a long line");
	type("\x1b[A");
	type("\x7f\x7f\x7f\x7f");
	type("word");
	assert_line("\r", "a long word");
	type("\x1b[A\x1b[A");
	assert_string_equal(ed.buf, "a long line");
}

static void test_history_limit_and_dedup(void **state)
{
	char buf[32];

	(void)state;
	for (int i = 0; i < 20; i++) {
		snprintf(buf, sizeof(buf), "cmd%d\r", i);
		assert_int_equal(feed(buf), SHELL_LINE_DONE);
	}
	assert_line("cmd19\r", "cmd19"); /* repeat: not stored twice */
	assert_line("\r", "");           /* empty: not stored */
	for (int i = 19; i >= 20 - SHELL_HIST_LEN; i--) {
		type("\x1b[A");
		snprintf(buf, sizeof(buf), "cmd%d", i);
		assert_string_equal(ed.buf, buf);
	}
	type("\x1b[A");
	assert_string_equal(ed.buf, "cmd4");
}

static void test_history_empty(void **state)
{
	(void)state;
	type("x");
	type("\x1b[A\x1b[B");
	assert_string_equal(ed.buf, "x");
}

/* ---- long lines ---- */

static void test_max_length_ok(void **state)
{
	char line[SHELL_LINE_MAX + 2];

	(void)state;
	memset(line, 'a', SHELL_LINE_MAX);
	line[SHELL_LINE_MAX] = '\0';
	type(line);
	assert_int_equal(feed("\r"), SHELL_LINE_DONE);
	assert_string_equal(shell_line_text(&ed), line);
}

static void test_one_too_long(void **state)
{
	char line[SHELL_LINE_MAX + 2];

	(void)state;
	memset(line, 'a', SHELL_LINE_MAX + 1);
	line[SHELL_LINE_MAX + 1] = '\0';
	assert_int_equal(feed(line), SHELL_LINE_NONE);
	assert_int_equal(feed("\r"), SHELL_LINE_TOO_LONG);
	assert_line("next\r", "next");
}

static void test_4k_line_too_long(void **state)
{
	static char line[4097];

	(void)state;
	for (size_t i = 0; i < 4096; i++)
		line[i] = (char)('a' + i % 26);
	line[4096] = '\0';
	assert_int_equal(feed(line), SHELL_LINE_NONE);
	assert_int_equal(ed.len, SHELL_LINE_MAX);
	/* the echo stopped at the limit */
	assert_int_equal(term.raw_len, SHELL_LINE_MAX);
	/* editing keys do not resurrect the line */
	feed("\x7f\x7f\x15");
	assert_int_equal(feed("\r"), SHELL_LINE_TOO_LONG);
	assert_line("\nhelp\r", "help");
	/* the overlong line is not in the history */
	type("\x1b[A\x1b[A");
	assert_string_equal(ed.buf, "help");
}

static void test_too_long_then_ctrl_c(void **state)
{
	char line[400];

	(void)state;
	memset(line, 'z', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	feed(line);
	assert_int_equal(feed("\x03"), SHELL_LINE_CANCEL);
	assert_line("fine\r", "fine");
}

/* ---- garbage ---- */

static void test_control_bytes_ignored(void **state)
{
	static const char junk[] = { 0x00, 0x02,       0x04,       0x06,       0x07,      0x09,
				     0x0b, 0x0c,       0x0e,       0x10,       0x1a,      0x1c,
				     0x1f, (char)0x80, (char)0xc3, (char)0xa9, (char)0xff };

	(void)state;
	type("a");
	assert_int_equal(feed_n(junk, sizeof(junk)), SHELL_LINE_NONE);
	assert_screen_matches();
	type("b");
	assert_line("\r", "ab");
	assert_string_equal(term.raw, "ab\r\n");
}

static void test_out_of_range_values(void **state)
{
	(void)state;
	assert_int_equal(shell_line_feed(&ed, -1), SHELL_LINE_NONE);
	assert_int_equal(shell_line_feed(&ed, 256), SHELL_LINE_NONE);
	assert_int_equal(shell_line_feed(&ed, 0x10d), SHELL_LINE_NONE);
	assert_line("x\r", "x");
}

static void test_bad_escapes(void **state)
{
	(void)state;
	/* overlong: abandoned; the byte past the limit is typed */
	type("\x1b[12345");
	assert_string_equal(ed.buf, "5");
	type("\x1b[Z");    /* unknown final byte */
	type("\x1b[99~");  /* unknown ~ code */
	type("\x1bOZ");    /* unknown SS3 */
	type("\x1b[200~"); /* bracketed paste marker */
	assert_string_equal(ed.buf, "5");
	type("\x1b[D");
	type("\x1b[1;5C"); /* Ctrl-Right: moves right */
	assert_int_equal(ed.cur, 1);
	type("\x1b\x1b[D"); /* ESC ESC [ D: still a left */
	assert_int_equal(ed.cur, 0);
	type("\x1b"
	     "b"); /* ESC then a letter: the letter */
	assert_line("\r", "b5");
	/* Enter or Ctrl-C inside a sequence is not lost */
	assert_line("x\x1b[\r", "x");
	assert_int_equal(feed("y\x1b\x03"), SHELL_LINE_CANCEL);
	assert_line("q\x1bO\n", "q");
	assert_line("\x1b\xff"
		    "z\r",
		    "z");
}

static uint32_t rng_state;

static uint32_t rng(void)
{
	/* xorshift32: fixed seed, same bytes on every run */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Random bytes, biased towards the interesting ones. */
static int random_byte(void)
{
	static const char special[] = "\x1b[O~ABCDHF1347\r\n\x7f\x08\x03\x15";
	uint32_t r = rng();

	if (r % 4 == 0)
		return (unsigned char)special[(r >> 8) % (sizeof(special) - 1)];
	if (r % 4 == 1)
		return (int)((r >> 8) & 0xff);
	return 0x20 + (int)((r >> 8) % 95);
}

static void test_random_bytes(void **state)
{
	unsigned done = 0;

	(void)state;
	rng_state = 0x2545f491;
	for (int i = 0; i < 65536; i++) {
		enum shell_line_result r = shell_line_feed(&ed, random_byte());

		if (r == SHELL_LINE_DONE) {
			done++;
			assert_true(strlen(shell_line_text(&ed)) == ed.len);
		} else {
			/* the screen tracks the buffer (empty after Ctrl-C) */
			assert_screen_matches();
		}
		assert_true(ed.len <= SHELL_LINE_MAX && ed.cur <= ed.len);
	}
	assert_true(done > 100);
	/* Whatever state it is in, one Enter finishes the line... */
	assert_int_not_equal(feed("\r"), SHELL_LINE_NONE);
	/* ...and then a normal line works. */
	assert_line("version\r", "version");
}

/* Only long printable runs, so overflow is hit often. */
static void test_random_long_lines(void **state)
{
	unsigned too_long = 0;

	(void)state;
	rng_state = 12345;
	for (int i = 0; i < 65536; i++) {
		uint32_t r = rng();
		int c = r % 300 == 0 ? '\r' : 0x20 + (int)(r >> 8) % 95;

		if (shell_line_feed(&ed, c) == SHELL_LINE_TOO_LONG)
			too_long++;
	}
	assert_true(too_long > 10);
	feed("\x03");
	assert_line("ok\r", "ok");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_type_and_enter, setup),
		cmocka_unit_test_setup(test_lf_and_crlf, setup),
		cmocka_unit_test_setup(test_empty_line, setup),
		cmocka_unit_test_setup(test_text_modifiable, setup),
		cmocka_unit_test_setup(test_backspace, setup),
		cmocka_unit_test_setup(test_backspace_at_start, setup),
		cmocka_unit_test_setup(test_insert_middle, setup),
		cmocka_unit_test_setup(test_ss3_arrows, setup),
		cmocka_unit_test_setup(test_cursor_bounds, setup),
		cmocka_unit_test_setup(test_backspace_middle, setup),
		cmocka_unit_test_setup(test_home_end, setup),
		cmocka_unit_test_setup(test_delete_key, setup),
		cmocka_unit_test_setup(test_ctrl_c, setup),
		cmocka_unit_test_setup(test_ctrl_u, setup),
		cmocka_unit_test_setup(test_history_order, setup),
		cmocka_unit_test_setup(test_history_recall_runs, setup),
		cmocka_unit_test_setup(test_history_edit_recalled, setup),
		cmocka_unit_test_setup(test_history_limit_and_dedup, setup),
		cmocka_unit_test_setup(test_history_empty, setup),
		cmocka_unit_test_setup(test_max_length_ok, setup),
		cmocka_unit_test_setup(test_one_too_long, setup),
		cmocka_unit_test_setup(test_4k_line_too_long, setup),
		cmocka_unit_test_setup(test_too_long_then_ctrl_c, setup),
		cmocka_unit_test_setup(test_control_bytes_ignored, setup),
		cmocka_unit_test_setup(test_out_of_range_values, setup),
		cmocka_unit_test_setup(test_bad_escapes, setup),
		cmocka_unit_test_setup(test_random_bytes, setup),
		cmocka_unit_test_setup(test_random_long_lines, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
