/* SPDX-License-Identifier: MIT */
/*
 * Log lines and console output captured for host tests (tests/unit/fake/fake.h);
 * with FAKE_LOG=1 in the environment log lines also go to stderr.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/console.h>
#include <zvm/log.h>
#include "fake.h"

struct fake_log fake_log;

void fake_log_reset(void)
{
	memset(&fake_log, 0, sizeof(fake_log));
}

bool fake_log_has(const char *text)
{
	return strstr(fake_log.all, text) != NULL;
}

void log_printf(int level, const char *fmt, ...)
{
	size_t used = strlen(fake_log.all);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fake_log.last, sizeof(fake_log.last), fmt, ap);
	va_end(ap);
	fake_log.lines++;
	fake_log.last_level = level;
	snprintf(fake_log.all + used, sizeof(fake_log.all) - used, "%s\n", fake_log.last);
	if (getenv("FAKE_LOG"))
		fprintf(stderr, "log: %s\n", fake_log.last);
}

void console_write(const char *s, size_t n)
{
	size_t room = sizeof(fake_log.console) - 1 - fake_log.console_len;

	if (n > room)
		n = room;
	memcpy(fake_log.console + fake_log.console_len, s, n);
	fake_log.console_len += n;
	fake_log.console[fake_log.console_len] = '\0';
}

void console_write_guest(const char *s, size_t n)
{
	console_write(s, n);
}

bool console_write_aside(const char *s, size_t n)
{
	console_write(s, n);
	return true;
}

bool console_session_on(void)
{
	return false;
}
