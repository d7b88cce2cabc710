/* SPDX-License-Identifier: MIT */
/* Bounded JSON writer (include/zvm/mgmt_json.h). */
#include <stdarg.h>
#include <stdio.h>
#include <zvm/mgmt_json.h>

void jb_init(struct jbuf *j, char *buf, size_t cap)
{
	j->buf = buf;
	j->cap = cap;
	j->len = 0;
	j->overflow = false;
	buf[0] = '\0';
}

void jb_printf(struct jbuf *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (j->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(j->buf + j->len, j->cap - j->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= j->cap - j->len) {
		j->overflow = true;
		j->buf[j->len] = '\0';
		return;
	}
	j->len += (size_t)n;
}

static void put_char(struct jbuf *j, char c)
{
	if (j->overflow || j->len + 1 >= j->cap) {
		j->overflow = true;
		return;
	}
	j->buf[j->len++] = c;
	j->buf[j->len] = '\0';
}

void jb_strn(struct jbuf *j, const char *s, size_t n)
{
	put_char(j, '"');
	for (size_t i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			put_char(j, '\\');
			put_char(j, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			jb_printf(j, "\\u%04x", c);
		} else if (c >= 0x80) {
			jb_printf(j, "\\u%04x", c); /* a byte, not UTF-8: kept readable */
		} else {
			put_char(j, (char)c);
		}
	}
	put_char(j, '"');
}

void jb_str(struct jbuf *j, const char *s)
{
	jb_strn(j, s, (size_t)-1);
}

void jb_item(struct jbuf *j)
{
	if (j->len && j->buf[j->len - 1] != '{' && j->buf[j->len - 1] != '[')
		put_char(j, ',');
}

void jb_key(struct jbuf *j, const char *key)
{
	jb_item(j);
	jb_str(j, key);
	put_char(j, ':');
}
