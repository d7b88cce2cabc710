/* SPDX-License-Identifier: MIT */
/*
 * Kernel log lines: "[   12.345678] c1 <inf> message", printed and kept in
 * the host log ring (`log show`). While a VM's console is attached (`zvm
 * look`) only warnings and errors are printed, on a line of their own; the
 * rest is kept in the ring and counted for the note at detach.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zvm/console.h>
#include <zvm/kernel.h>
#include <zvm/log.h>

#define LOG_LINE_MAX 256
#define LOG_RING     LOG_RING_SIZE

static const char *const level_names[] = { "err", "wrn", "inf", "dbg" };
static int log_level = LOG_LEVEL_INF;

/* The ring: any CPU appends under ring_lock (IRQs masked, a copy only); readers copy. */
static k_spinlock_t ring_lock;
static char ring[LOG_RING];
static uint64_t ring_written; /* bytes ever put; the ring holds the last LOG_RING */
static unsigned held;         /* lines not printed while a VM was attached */

static void ring_put(const char *line, size_t n, bool printed)
{
	k_spinlock_key_t key = k_spin_lock(&ring_lock);

	for (size_t i = 0; i < n; i++)
		ring[ring_written++ % LOG_RING] = line[i];
	held += !printed;
	k_spin_unlock(&ring_lock, key);
}

size_t log_ring_copy(char *out, size_t max)
{
	k_spinlock_key_t key = k_spin_lock(&ring_lock);
	uint64_t end = ring_written, p = end > LOG_RING ? end - LOG_RING : 0;
	size_t n = 0;

	if (end > LOG_RING) /* the oldest line is cut: start after its end */
		while (p < end && ring[p++ % LOG_RING] != '\n')
			;
	if (end - p > max)
		p = end - max;
	while (p < end)
		out[n++] = ring[p++ % LOG_RING];
	k_spin_unlock(&ring_lock, key);
	return n;
}

unsigned log_held_take(void)
{
	k_spinlock_key_t key = k_spin_lock(&ring_lock);
	unsigned n = held;

	held = 0;
	k_spin_unlock(&ring_lock, key);
	return n;
}

int log_level_get(void)
{
	return log_level;
}

void log_level_set(int level)
{
	if (level >= LOG_LEVEL_ERR && level <= LOG_LEVEL_DBG)
		log_level = level;
}

const char *log_level_name(int level)
{
	if (level < LOG_LEVEL_ERR || level > LOG_LEVEL_DBG)
		return NULL;
	return level_names[level];
}

int log_level_parse(const char *name)
{
	for (int i = LOG_LEVEL_ERR; i <= LOG_LEVEL_DBG; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

void log_printf(int level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	uint64_t ns = k_uptime_ns();
	va_list ap;
	int n;

	if (level > log_level)
		return;
	n = snprintf(line, sizeof(line), "[%5lu.%06lu] c%d <%s> ",
		     (unsigned long)(ns / 1000000000u), (unsigned long)(ns / 1000u % 1000000u),
		     k_cpu_id(), log_level_name(level));
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (level <= LOG_LEVEL_WRN || !console_session_on()) {
		console_write(line, (size_t)n);
		ring_put(line, (size_t)n, true);
	} else {
		ring_put(line, (size_t)n, false);
	}
}
