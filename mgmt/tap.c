/* SPDX-License-Identifier: MIT */
/*
 * The log stream: a copy of everything written to the host console (kernel
 * log lines and the VMs' "[name] " output) in a bounded ring. The console
 * writes into it from any CPU (tap_write, IRQs masked, ring_lock); only the
 * agent thread reads it. When the agent is behind, new bytes are dropped and
 * counted: the console never waits for the agent.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/console.h>
#include <zvm/kernel.h>
#include "mgmt_internal.h"

#define TAP_RING 16384

static k_spinlock_t ring_lock;
static char ring[TAP_RING];
static unsigned head, tail; /* free-running; tail - head = bytes held */
static uint64_t dropped;
/* Agent thread only: the line being assembled. */
static char line[MGMT_LINE_MAX];
static size_t line_len;

static void tap_write(const char *s, size_t n)
{
	k_spinlock_key_t key = k_spin_lock(&ring_lock);

	for (size_t i = 0; i < n; i++) {
		if (tail - head == TAP_RING) {
			dropped += n - i;
			break;
		}
		ring[tail++ % TAP_RING] = s[i];
	}
	k_spin_unlock(&ring_lock, key);
}

void mgmt_tap_init(void)
{
	console_set_tap(tap_write);
}

uint64_t mgmt_tap_dropped(void)
{
	return dropped;
}

/* Take up to len bytes out of the ring. */
static size_t ring_take(char *buf, size_t len)
{
	k_spinlock_key_t key = k_spin_lock(&ring_lock);
	size_t n = 0;

	while (n < len && head != tail)
		buf[n++] = ring[head++ % TAP_RING];
	k_spin_unlock(&ring_lock, key);
	return n;
}

void mgmt_tap_discard(void)
{
	k_spinlock_key_t key = k_spin_lock(&ring_lock);

	head = tail;
	k_spin_unlock(&ring_lock, key);
	line_len = 0;
}

void mgmt_tap_drain(void (*fn)(const char *line, size_t len))
{
	char chunk[256];
	size_t n;

	while ((n = ring_take(chunk, sizeof(chunk))) > 0) {
		for (size_t i = 0; i < n; i++) {
			char c = chunk[i];

			if (c == '\r')
				continue;
			if (c != '\n' && line_len < sizeof(line)) {
				line[line_len++] = c;
				continue;
			}
			fn(line, line_len);
			line_len = 0;
			if (c != '\n')
				line[line_len++] = c;
		}
	}
}

/* mgmt_tap_watch's match, checked on each drained line before it is forwarded. */
static struct {
	const char *prefix;
	const char *text;
	mgmt_tap_line_fn each;
	void *arg;
	bool seen;
} expect;

static void expect_line(const char *l, size_t len)
{
	char buf[MGMT_LINE_MAX + 1];
	size_t plen = strlen(expect.prefix);

	memcpy(buf, l, len);
	buf[len] = '\0';
	if (len >= plen && !memcmp(buf, expect.prefix, plen) && !expect.seen) {
		if (expect.each && expect.each(buf + plen, expect.arg))
			expect.seen = true;
		if (expect.text && strstr(buf + plen, expect.text))
			expect.seen = true;
	}
	mgmt_log_line(l, len);
}

int mgmt_tap_watch(const char *vm_name, const char *text, int timeout_ms, mgmt_tap_line_fn each,
		   void *arg)
{
	char prefix[VM_NAME_LEN + 4] = "";

	if (vm_name)
		snprintf(prefix, sizeof(prefix), "[%s] ", vm_name);
	expect.prefix = prefix;
	expect.text = text;
	expect.each = each;
	expect.arg = arg;
	expect.seen = false;
	for (int ms = 0; ms <= timeout_ms && !expect.seen; ms += 10) {
		mgmt_tap_drain(expect_line);
		if (!expect.seen)
			k_sleep(K_MSEC(10));
	}
	return expect.seen ? 0 : -1;
}

int mgmt_tap_expect(const char *vm_name, const char *text, int timeout_ms)
{
	return mgmt_tap_watch(vm_name, text, timeout_ms, NULL, NULL);
}
