/* SPDX-License-Identifier: MIT */
/*
 * The management protocol's framing and JSON writer: known answers, every
 * error, and a long random-input run (fuzz) that checks properties: the
 * parser always makes progress, never reports a frame that was not sent
 * (in order), and recovers every frame from a stream of frames and noise.
 */
/* SOURCES: mgmt/proto.c mgmt/json.c kernel/errmsg.c */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/mgmt_json.h>
#include <zvm/mgmt_proto.h>

#define FUZZ_ROUNDS 3000
#define FUZZ_FRAMES 40

static struct mgmt_parser parser;

/* A frame as bytes: header then body; returns its length. */
static size_t make_frame(uint8_t *out, enum mgmt_type type, uint32_t id, const void *body,
			 uint32_t len)
{
	mgmt_frame_header(out, type, id, body, len);
	memcpy(out + MGMT_HDR_LEN, body, len);
	return MGMT_HDR_LEN + len;
}

/* Feed all of buf; the results in order (at most max), returns how many. */
static int feed(const uint8_t *buf, size_t len, int *results, int max)
{
	int n = 0;

	for (size_t off = 0, used; off < len; off += used) {
		int ret = mgmt_parse(&parser, buf + off, len - off, &used);

		assert_true(used > 0);
		if (ret != MGMT_P_MORE && n < max)
			results[n++] = ret;
	}
	return n;
}

static void test_crc32_known_answer(void **state)
{
	(void)state;
	assert_int_equal(mgmt_crc32(0, "123456789", 9), 0xcbf43926);
	assert_int_equal(mgmt_crc32(mgmt_crc32(0, "1234", 4), "56789", 5), 0xcbf43926);
	assert_int_equal(mgmt_crc32(0, "", 0), 0);
}

static void test_frame_round_trip_any_split(void **state)
{
	uint8_t buf[64];
	size_t len = make_frame(buf, MGMT_REQUEST, 0xdeadbeef, "vms", 3);

	(void)state;
	for (size_t cut = 1; cut < len; cut++) {
		size_t used;

		mgmt_parser_reset(&parser);
		assert_int_equal(mgmt_parse(&parser, buf, cut, &used), MGMT_P_MORE);
		assert_int_equal(used, cut);
		assert_true(mgmt_parser_partial(&parser));
		assert_int_equal(mgmt_parse(&parser, buf + cut, len - cut, &used), MGMT_P_FRAME);
		assert_int_equal(used, len - cut);
		assert_int_equal(parser.id, 0xdeadbeef);
		assert_int_equal(parser.type, MGMT_REQUEST);
		assert_int_equal(parser.blen, 3);
		assert_memory_equal(parser.body, "vms", 3);
		assert_false(mgmt_parser_partial(&parser));
	}
}

static void test_back_to_back_frames_and_empty_body(void **state)
{
	uint8_t buf[128];
	size_t len = make_frame(buf, MGMT_REQUEST, 1, "hello abc", 9);
	int res[4];

	(void)state;
	len += make_frame(buf + len, MGMT_EVENT, 2, "", 0);
	len += make_frame(buf + len, MGMT_REQUEST, 3, "vms", 3);
	mgmt_parser_reset(&parser);
	assert_int_equal(feed(buf, len, res, 4), 3);
	assert_int_equal(res[0], MGMT_P_FRAME);
	assert_int_equal(res[2], MGMT_P_FRAME);
	assert_int_equal(parser.id, 3);
	assert_int_equal(parser.blen, 3); /* not the first frame's 9 */
}

static void test_noise_before_a_frame_is_skipped(void **state)
{
	uint8_t buf[64] = "xxZZZ"; /* the last Z starts the frame */
	int res[2];
	size_t len = 4 + make_frame(buf + 4, MGMT_REQUEST, 7, "ping", 4);

	(void)state;
	mgmt_parser_reset(&parser);
	parser.skipped = 0;
	assert_int_equal(feed(buf, len, res, 2), 1);
	assert_int_equal(res[0], MGMT_P_FRAME);
	assert_int_equal(parser.id, 7);
	assert_int_equal(parser.skipped, 4);
}

/* A damaged frame gives its error, then the next good one still parses. */
static void expect_error_then_good(uint8_t *bad, size_t badlen, int want, uint32_t want_id)
{
	uint8_t buf[MGMT_HDR_LEN * 2 + 64];
	int res[2];
	size_t len;

	memcpy(buf, bad, badlen);
	len = badlen + make_frame(buf + badlen, MGMT_REQUEST, 99, "vms", 3);
	mgmt_parser_reset(&parser);
	assert_int_equal(feed(buf, badlen, res, 2), 1);
	assert_int_equal(res[0], want);
	assert_int_equal(parser.id, want_id);
	assert_int_equal(feed(buf + badlen, len - badlen, res, 2), 1);
	assert_int_equal(res[0], MGMT_P_FRAME);
	assert_int_equal(parser.id, 99);
}

static void test_each_header_error(void **state)
{
	uint8_t f[64];
	size_t len;

	(void)state;
	len = make_frame(f, MGMT_REQUEST, 5, "vms", 3);
	f[2] = 9; /* version */
	expect_error_then_good(f, len, MGMT_P_EVERSION, 5);
	len = make_frame(f, MGMT_REQUEST, 6, "vms", 3);
	f[3] = 0; /* type */
	expect_error_then_good(f, len, MGMT_P_ETYPE, 6);
	len = make_frame(f, MGMT_REQUEST, 8, "", 0);
	f[8] = 0x01; /* length 8193 */
	f[9] = 0x20;
	expect_error_then_good(f, MGMT_HDR_LEN, MGMT_P_ETOOBIG, 8);
}

static void test_damaged_body_or_header_fails_the_crc(void **state)
{
	uint8_t f[64];
	size_t len;

	(void)state;
	len = make_frame(f, MGMT_REQUEST, 10, "delete 0", 8);
	f[len - 1] ^= 1; /* "delete 1" */
	expect_error_then_good(f, len, MGMT_P_ECRC, 10);
	len = make_frame(f, MGMT_REQUEST, 11, "run 0", 5);
	f[4] ^= 0x40; /* the id */
	expect_error_then_good(f, len, MGMT_P_ECRC, 11 ^ 0x40);
	assert_string_equal(mgmt_parse_strerror(MGMT_P_ECRC), "bad checksum");
}

static void test_body_split(void **state)
{
	char line[MGMT_LINE_MAX + 1], err[96];
	uint8_t big[MGMT_LINE_MAX + 2];
	const uint8_t *data;
	uint32_t dlen;

	(void)state;
	assert_int_equal(
		mgmt_body_split((const uint8_t *)"run 0", 5, line, &data, &dlen, err, sizeof(err)),
		0);
	assert_string_equal(line, "run 0");
	assert_int_equal(dlen, 0);
	assert_int_equal(mgmt_body_split((const uint8_t *)"chunk a 0\0\0\x01\xff", 13, line, &data,
					 &dlen, err, sizeof(err)),
			 0);
	assert_string_equal(line, "chunk a 0");
	assert_int_equal(dlen, 3);
	assert_memory_equal(data, "\0\x01\xff", 3);
	assert_int_not_equal(
		mgmt_body_split((const uint8_t *)"\0abc", 4, line, &data, &dlen, err, sizeof(err)),
		0);
	assert_string_equal(err, "empty request");
	assert_int_not_equal(
		mgmt_body_split((const uint8_t *)"run\n0", 5, line, &data, &dlen, err, sizeof(err)),
		0);
	assert_non_null(strstr(err, "control character 0x0a"));
	memset(big, 'a', sizeof(big));
	assert_int_not_equal(
		mgmt_body_split(big, sizeof(big), line, &data, &dlen, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "longer than 512"));
}

static void test_json_escapes_and_overflow(void **state)
{
	char buf[64], tiny[8];
	struct jbuf j;

	(void)state;
	jb_init(&j, buf, sizeof(buf));
	jb_printf(&j, "{");
	jb_key(&j, "a");
	jb_str(&j, "q\"b\\\n\x01");
	jb_key(&j, "n");
	jb_printf(&j, "%d", 5);
	jb_printf(&j, "}");
	assert_false(j.overflow);
	assert_string_equal(buf, "{\"a\":\"q\\\"b\\\\\\u000a\\u0001\",\"n\":5}");
	jb_init(&j, tiny, sizeof(tiny));
	jb_str(&j, "abcdefgh");
	assert_true(j.overflow);
	assert_true(strlen(tiny) < sizeof(tiny));
	jb_printf(&j, "x"); /* nothing more after an overflow */
	assert_true(strlen(tiny) < sizeof(tiny));
}

struct sent {
	uint8_t type;
	uint32_t id;
	uint32_t len;
	uint8_t body[600];
};

/* Random frames, with noise (no 'Z', so no false start) between them. */
static size_t fuzz_stream(uint8_t *buf, struct sent *s, int n, bool noise)
{
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		s[i].type = (uint8_t)(1 + rand() % 3);
		s[i].id = (uint32_t)rand();
		s[i].len = (uint32_t)(rand() % sizeof(s[i].body));
		for (uint32_t b = 0; b < s[i].len; b++)
			s[i].body[b] = (uint8_t)rand();
		len += make_frame(buf + len, s[i].type, s[i].id, s[i].body, s[i].len);
		for (int g = noise ? rand() % 40 : 0; g > 0; g--) {
			uint8_t c = (uint8_t)rand();

			buf[len++] = c == MGMT_MAGIC0 ? 0 : c;
		}
	}
	return len;
}

/* Feed in random pieces; each frame found must be the next (or a later) one sent. */
static int fuzz_feed(const uint8_t *buf, size_t len, const struct sent *s, int n)
{
	int next = 0, found = 0;

	for (size_t off = 0, used; off < len; off += used) {
		size_t piece = 1 + (size_t)rand() % 700;
		int ret = mgmt_parse(&parser, buf + off, piece > len - off ? len - off : piece,
				     &used);

		assert_true(used > 0);
		assert_true(parser.blen <= MGMT_BODY_MAX);
		if (ret != MGMT_P_FRAME)
			continue;
		while (next < n && !(s[next].id == parser.id && s[next].len == parser.blen &&
				     s[next].type == parser.type &&
				     !memcmp(s[next].body, parser.body, parser.blen)))
			next++;
		assert_true(next < n); /* it was sent, and in order */
		next++;
		found++;
	}
	return found;
}

static void test_fuzz_frames_with_noise_all_recovered(void **state)
{
	static uint8_t buf[FUZZ_FRAMES * (MGMT_HDR_LEN + 600 + 40)];
	static struct sent s[FUZZ_FRAMES];

	(void)state;
	srand(1234);
	for (int round = 0; round < FUZZ_ROUNDS; round++) {
		size_t len = fuzz_stream(buf, s, FUZZ_FRAMES, round % 2);

		mgmt_parser_reset(&parser);
		assert_int_equal(fuzz_feed(buf, len, s, FUZZ_FRAMES), FUZZ_FRAMES);
	}
}

static void test_fuzz_damaged_streams_never_invent_frames(void **state)
{
	static uint8_t buf[FUZZ_FRAMES * (MGMT_HDR_LEN + 600 + 40)];
	static struct sent s[FUZZ_FRAMES];

	(void)state;
	srand(5678);
	for (int round = 0; round < FUZZ_ROUNDS; round++) {
		size_t len = fuzz_stream(buf, s, FUZZ_FRAMES, true);

		for (int hits = 1 + rand() % 20; hits > 0; hits--)
			buf[(size_t)rand() % len] = (uint8_t)rand(); /* flips, fake magics */
		mgmt_parser_reset(&parser);
		fuzz_feed(buf, len, s, FUZZ_FRAMES);
	}
	for (int round = 0; round < FUZZ_ROUNDS; round++) {
		for (size_t i = 0; i < 4096; i++)
			buf[i] = (uint8_t)(rand() % 4 ? rand() : "ZM\x01\x01"[rand() % 4]);
		mgmt_parser_reset(&parser);
		fuzz_feed(buf, 4096, s, 0); /* pure noise: no frame at all */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32_known_answer),
		cmocka_unit_test(test_frame_round_trip_any_split),
		cmocka_unit_test(test_back_to_back_frames_and_empty_body),
		cmocka_unit_test(test_noise_before_a_frame_is_skipped),
		cmocka_unit_test(test_each_header_error),
		cmocka_unit_test(test_damaged_body_or_header_fails_the_crc),
		cmocka_unit_test(test_body_split),
		cmocka_unit_test(test_json_escapes_and_overflow),
		cmocka_unit_test(test_fuzz_frames_with_noise_all_recovered),
		cmocka_unit_test(test_fuzz_damaged_streams_never_invent_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
