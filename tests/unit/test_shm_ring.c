/* SPDX-License-Identifier: MIT */
/* SOURCES: lib/shm_ring.c */
/* LDLIBS: -lpthread */
/*
 * Unit tests of the shared-memory message rings (include/zvm/shm_ring.h):
 * the fixed layout, empty and full rings, 32-bit counter wrap-around,
 * message lengths at the limits, both directions, a hostile peer (bad
 * lengths and counters), and two threads passing a million messages.
 * Regions and receive buffers are heap blocks of the exact size, so that
 * AddressSanitizer catches any access outside them.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/shm_ring.h>

#define SIZE      0x4000u /* 16 KiB: 2 rings of 16 slots */
#define NSLOTS    16u
#define NEAR_WRAP 0xFFFFFFF0u

static uint8_t *region;
static struct shm_ring_pair p0, p1; /* peer 0 and peer 1 of region */

static int setup(void **state)
{
	(void)state;
	region = aligned_alloc(4096, SIZE);
	if (!region)
		return -1;
	memset(region, 0, SIZE);
	if (shm_ring_pair_init(&p0, region, SIZE, 0) || shm_ring_pair_init(&p1, region, SIZE, 1))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(region);
	return 0;
}

/* The counters of ring k (0: peer 0 produces), as the peers see them. */
static volatile uint32_t *head_of(int k)
{
	return (volatile uint32_t *)(region + k * SIZE / 2 + SHM_RING_HEAD_OFF);
}

static volatile uint32_t *tail_of(int k)
{
	return (volatile uint32_t *)(region + k * SIZE / 2 + SHM_RING_TAIL_OFF);
}

static void set_counters(int k, uint32_t head, uint32_t tail)
{
	*head_of(k) = head;
	*tail_of(k) = tail;
}

static volatile uint32_t *slot_of(int k, uint32_t counter)
{
	return (volatile uint32_t *)(region + k * SIZE / 2 + SHM_RING_HDR +
				     (counter % NSLOTS) * SHM_RING_SLOT);
}

/* Deterministic contents for message `seq` of `len` bytes. */
static void fill(uint8_t *buf, size_t len, uint32_t seq)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq * 31 + i * 7 + 1);
}

static void test_init_rejects_bad_arguments(void **state)
{
	struct shm_ring_pair p;
	static const size_t bad_sizes[] = {
		0, 4096, 8191, 8193, 0x2800, SHM_RING_REGION_MAX + 0x1000,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++)
		assert_int_equal(shm_ring_pair_init(&p, region, bad_sizes[i], 0), SHM_RING_EINVAL);
	assert_int_equal(shm_ring_pair_init(&p, region, SIZE, -1), SHM_RING_EINVAL);
	assert_int_equal(shm_ring_pair_init(&p, region, SIZE, 2), SHM_RING_EINVAL);
	assert_int_equal(shm_ring_pair_init(&p, NULL, SIZE, 0), SHM_RING_EINVAL);
	assert_int_equal(shm_ring_pair_init(&p, region + 2, SIZE, 0), SHM_RING_EINVAL);
	assert_int_equal(shm_ring_pair_init(NULL, region, SIZE, 0), SHM_RING_EINVAL);
}

static void test_slot_count(void **state)
{
	(void)state;
	assert_int_equal(shm_ring_nslots(0x2000), 8);    /* 128 + 8*256 <= 4096 */
	assert_int_equal(shm_ring_nslots(0x3000), 16);   /* 6144 - 128: 23 slots */
	assert_int_equal(shm_ring_nslots(SIZE), NSLOTS); /* 16 * 256 + 128 > 8192 */
	assert_int_equal(shm_ring_nslots(0x100000), 1024);
	assert_int_equal(shm_ring_nslots(SHM_RING_REGION_MAX), 1u << 20);
	assert_int_equal(shm_ring_nslots(0x1000), 0);
	assert_int_equal(p0.nslots, NSLOTS);
}

/* Peer p produces into the first or second half, and consumes the other. */
static void test_layout(void **state)
{
	const char msg[] = "abcdefg";

	(void)state;
	assert_ptr_equal(p0.tx_ring, region);
	assert_ptr_equal(p0.rx_ring, region + SIZE / 2);
	assert_ptr_equal(p1.tx_ring, region + SIZE / 2);
	assert_ptr_equal(p1.rx_ring, region);

	set_counters(0, 5, 5);
	memset((void *)slot_of(0, 5), 0xAA, SHM_RING_SLOT);
	assert_int_equal(shm_ring_send(&p0, msg, 7), 0);
	assert_int_equal(*head_of(0), 6);
	assert_int_equal(*tail_of(0), 5);
	assert_int_equal(slot_of(0, 5)[0], 7);
	/* Plain byte order (little-endian host), the last word zero-padded. */
	assert_memory_equal((const void *)(slot_of(0, 5) + 1), "abcdefg\0", 8);
	assert_int_equal(slot_of(0, 5)[3], 0xAAAAAAAA); /* nothing past it */
	assert_int_equal(*head_of(1), 0);               /* the other ring untouched */
}

static void test_empty(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(shm_ring_recv(&p0, buf, sizeof(buf)), SHM_RING_EEMPTY);
	assert_int_equal(shm_ring_recv(&p1, buf, sizeof(buf)), SHM_RING_EEMPTY);
	assert_int_equal(shm_ring_pending(&p0), 0);
	assert_int_equal(shm_ring_pending(&p1), 0);
	assert_int_equal(shm_ring_send(&p0, "x", 1), 0);
	assert_int_equal(shm_ring_pending(&p1), 1);
	assert_int_equal(shm_ring_pending(&p0), 0); /* not its own message */
	assert_int_equal(shm_ring_recv(&p0, buf, sizeof(buf)), SHM_RING_EEMPTY);
}

/* Fill the ring, refuse one more, free a slot, take one more. */
static void fill_and_drain(uint32_t start)
{
	uint8_t out[SHM_RING_MSG_MAX], in[SHM_RING_MSG_MAX];
	uint32_t sent = 0, got = 0;

	set_counters(0, start, start);
	for (; sent < NSLOTS; sent++) {
		fill(out, 40, sent);
		assert_int_equal(shm_ring_send(&p0, out, 40), 0);
	}
	assert_int_equal(shm_ring_send(&p0, out, 1), SHM_RING_EFULL);
	assert_int_equal(shm_ring_pending(&p1), NSLOTS);
	assert_int_equal(*head_of(0), start + NSLOTS);
	for (int round = 0; round < 3 * (int)NSLOTS; round++) {
		assert_int_equal(shm_ring_recv(&p1, in, sizeof(in)), 40);
		fill(out, 40, got++);
		assert_memory_equal(in, out, 40);
		fill(out, 40, sent);
		assert_int_equal(shm_ring_send(&p0, out, 40), 0);
		sent++;
		assert_int_equal(shm_ring_send(&p0, out, 40), SHM_RING_EFULL);
	}
	while (got < sent) {
		assert_int_equal(shm_ring_recv(&p1, in, sizeof(in)), 40);
		fill(out, 40, got++);
		assert_memory_equal(in, out, 40);
	}
	assert_int_equal(shm_ring_recv(&p1, in, sizeof(in)), SHM_RING_EEMPTY);
	assert_int_equal(*tail_of(0), start + sent);
}

static void test_full(void **state)
{
	(void)state;
	fill_and_drain(0);
}

/* The free-running counters go through 0xFFFFFFFF -> 0. */
static void test_counter_wrap(void **state)
{
	(void)state;
	fill_and_drain(NEAR_WRAP);
	assert_true(*head_of(0) < 0x100);
	fill_and_drain(0xFFFFFFFFu);
	fill_and_drain(UINT32_MAX - NSLOTS + 1);
}

/* 0 .. 252 bytes go through intact; 253 is refused and nothing is queued. */
static void test_message_lengths(void **state)
{
	static const size_t lens[] = { 0, 1, 3, 4, 5, 251, 252 };
	uint8_t out[SHM_RING_MSG_MAX + 1];

	(void)state;
	set_counters(1, NEAR_WRAP, NEAR_WRAP);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t len = lens[i];
		/* Exactly len bytes (at least 1, for malloc): ASan checks the bound. */
		uint8_t *in = malloc(len ? len : 1);

		fill(out, len, (uint32_t)i);
		assert_int_equal(shm_ring_send(&p1, out, len), 0);
		assert_int_equal(shm_ring_recv(&p0, in, len), (int)len);
		assert_memory_equal(in, out, len);
		free(in);
	}
	assert_int_equal(shm_ring_send(&p1, out, SHM_RING_MSG_MAX + 1), SHM_RING_ETOOBIG);
	assert_int_equal(shm_ring_send(&p1, out, SIZE_MAX), SHM_RING_ETOOBIG);
	assert_int_equal(shm_ring_pending(&p0), 0);
}

/* A buffer too small for the message: refused, and the message stays. */
static void test_small_buffer_keeps_message(void **state)
{
	uint8_t out[100], in[100];

	(void)state;
	fill(out, sizeof(out), 9);
	assert_int_equal(shm_ring_send(&p0, out, sizeof(out)), 0);
	memset(in, 0x55, sizeof(in));
	assert_int_equal(shm_ring_recv(&p1, in, 99), SHM_RING_ETOOBIG);
	assert_int_equal(in[0], 0x55);
	assert_int_equal(shm_ring_recv(&p1, NULL, 0), SHM_RING_ETOOBIG);
	assert_int_equal(shm_ring_pending(&p1), 1);
	assert_int_equal(shm_ring_recv(&p1, in, sizeof(in)), 100);
	assert_memory_equal(in, out, sizeof(out));
}

/* Each peer sends to the other at the same time; the rings are independent. */
static void test_both_directions(void **state)
{
	char buf[SHM_RING_MSG_MAX + 1];

	(void)state;
	assert_int_equal(shm_ring_send(&p0, "from-0", 6), 0);
	assert_int_equal(shm_ring_send(&p1, "from-1", 6), 0);
	assert_int_equal(shm_ring_send(&p1, "again-1", 7), 0);
	assert_int_equal(shm_ring_pending(&p0), 2);
	assert_int_equal(shm_ring_pending(&p1), 1);
	assert_int_equal(shm_ring_recv(&p0, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "from-1", 6);
	assert_int_equal(shm_ring_recv(&p1, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "from-0", 6);
	assert_int_equal(shm_ring_recv(&p0, buf, sizeof(buf)), 7);
	assert_memory_equal(buf, "again-1", 7);
	assert_int_equal(shm_ring_recv(&p0, buf, sizeof(buf)), SHM_RING_EEMPTY);
	assert_int_equal(shm_ring_recv(&p1, buf, sizeof(buf)), SHM_RING_EEMPTY);
}

/* A length over 252 in a slot is reported and dropped; the next message is fine. */
static void test_hostile_length(void **state)
{
	static const uint32_t bad[] = { 0xFFFFFFFFu, 253, 256, 0x80000000u };
	char buf[SHM_RING_MSG_MAX];

	(void)state;
	set_counters(1, NEAR_WRAP, NEAR_WRAP);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(shm_ring_send(&p1, "ok", 2), 0);
		slot_of(1, NEAR_WRAP + 2 * (uint32_t)i)[0] = bad[i];
		assert_int_equal(shm_ring_send(&p1, "next", 4), 0);
		assert_int_equal(shm_ring_recv(&p0, buf, sizeof(buf)), SHM_RING_EBADMSG);
		assert_int_equal(shm_ring_recv(&p0, buf, sizeof(buf)), 4);
		assert_memory_equal(buf, "next", 4);
	}
	assert_int_equal(shm_ring_pending(&p0), 0);
}

/* Counters out of range: every call says so and nothing changes. */
static void expect_corrupt(uint32_t head, uint32_t tail)
{
	char buf[SHM_RING_MSG_MAX];

	set_counters(0, head, tail);
	assert_int_equal(shm_ring_recv(&p1, buf, sizeof(buf)), SHM_RING_ECORRUPT);
	assert_int_equal(shm_ring_send(&p0, "x", 1), SHM_RING_ECORRUPT);
	assert_true(shm_ring_pending(&p1) > NSLOTS);
	assert_int_equal(*head_of(0), head);
	assert_int_equal(*tail_of(0), tail);
}

static void test_hostile_counters(void **state)
{
	(void)state;
	expect_corrupt(NSLOTS + 1, 0);                /* head just past full */
	expect_corrupt(0x80000000u, 0);               /* head far ahead */
	expect_corrupt(NEAR_WRAP + 3, NEAR_WRAP + 4); /* tail ahead of head */
	expect_corrupt(0xFFFFFFFFu, 0);               /* head ahead by 2^32 - 1 */
	expect_corrupt(0, 1);
	expect_corrupt(5, NEAR_WRAP);
	/* Put right again, the ring works. */
	set_counters(0, 7, 7);
	assert_int_equal(shm_ring_send(&p0, "x", 1), 0);
	assert_int_equal(shm_ring_recv(&p1, (char[1]){ 0 }, 1), 1);
}

/* Random garbage in the whole region: only documented results, no stray access. */
static void test_hostile_random_region(void **state)
{
	uint8_t buf[SHM_RING_MSG_MAX];
	uint32_t x = 12345;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		int r;

		for (int i = 0; i < 8; i++) {
			x = x * 1664525u + 1013904223u;
			((volatile uint32_t *)region)[(x >> 8) % (SIZE / 4)] = x;
		}
		if (round % 7 == 0)
			set_counters(round & 1, x, x - (x >> 27));
		r = shm_ring_recv(round & 2 ? &p0 : &p1, buf, x % (SHM_RING_MSG_MAX + 1));
		assert_true((r >= 0 && r <= (int)SHM_RING_MSG_MAX) || r == SHM_RING_EEMPTY ||
			    r == SHM_RING_ETOOBIG || r == SHM_RING_ECORRUPT ||
			    r == SHM_RING_EBADMSG);
		r = shm_ring_send(round & 4 ? &p0 : &p1, buf, x % (SHM_RING_MSG_MAX + 1));
		assert_true(r == 0 || r == SHM_RING_EFULL || r == SHM_RING_ECORRUPT);
	}
}

static void test_strerror(void **state)
{
	(void)state;
	for (int e = SHM_RING_EBADMSG; e <= SHM_RING_EINVAL; e++)
		assert_string_not_equal(shm_ring_strerror(e), "unknown error");
	assert_string_equal(shm_ring_strerror(-100), "unknown error");
}

/* ---- two threads: one producer, one consumer ---- */

#define STRESS_MSGS 1000000u

/* Message seq: its number in the first 4 bytes, then fill(), seq % 253 bytes
 * in all (at least 4). */
static size_t stress_len(uint32_t seq)
{
	size_t len = seq % (SHM_RING_MSG_MAX + 1);

	return len < 4 ? 4 : len;
}

static void *stress_producer(void *arg)
{
	uint8_t out[SHM_RING_MSG_MAX];

	(void)arg;
	for (uint32_t seq = 0; seq < STRESS_MSGS; seq++) {
		size_t len = stress_len(seq);
		int r;

		fill(out, len, seq);
		memcpy(out, &seq, 4);
		while ((r = shm_ring_send(&p0, out, len)) == SHM_RING_EFULL)
			sched_yield();
		if (r)
			return (void *)"send failed";
	}
	return NULL;
}

static void test_two_thread_stress(void **state)
{
	uint8_t in[SHM_RING_MSG_MAX], want[SHM_RING_MSG_MAX];
	pthread_t producer;
	void *res;
	uint32_t seq = 0, bad = 0;

	(void)state;
	set_counters(0, NEAR_WRAP, NEAR_WRAP);
	assert_int_equal(pthread_create(&producer, NULL, stress_producer, NULL), 0);
	while (seq < STRESS_MSGS && !bad) {
		int r = shm_ring_recv(&p1, in, sizeof(in));
		size_t len = stress_len(seq);

		if (r == SHM_RING_EEMPTY) {
			sched_yield();
			continue;
		}
		fill(want, len, seq);
		memcpy(want, &seq, 4);
		if (r != (int)len || memcmp(in, want, len))
			bad = seq + 1;
		seq++;
	}
	assert_int_equal(pthread_join(producer, &res), 0);
	assert_null(res);
	assert_int_equal(bad, 0);
	assert_int_equal(*head_of(0), NEAR_WRAP + STRESS_MSGS);
	assert_int_equal(*tail_of(0), NEAR_WRAP + STRESS_MSGS);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_rejects_bad_arguments),
		T(test_slot_count),
		T(test_layout),
		T(test_empty),
		T(test_full),
		T(test_counter_wrap),
		T(test_message_lengths),
		T(test_small_buffer_keeps_message),
		T(test_both_directions),
		T(test_hostile_length),
		T(test_hostile_counters),
		T(test_hostile_random_region),
		T(test_strerror),
		T(test_two_thread_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
