/* SPDX-License-Identifier: MIT */
/* errmsg(): see include/zvm/errmsg.h. */
#include <stdarg.h>
#include <stdio.h>
#include <zvm/errmsg.h>
#include <zvm/kernel.h>

int errmsg(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return K_EINVAL;
}
