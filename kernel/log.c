/* SPDX-License-Identifier: MIT */
/* Kernel log lines: "[   12.345678] c1 <inf> message". */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zvm/console.h>
#include <zvm/kernel.h>
#include <zvm/log.h>

#define LOG_LINE_MAX 256

static const char *const level_names[] = { "err", "wrn", "inf", "dbg" };
static int log_level = LOG_LEVEL_INF;

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
	console_write(line, (size_t)n);
}
