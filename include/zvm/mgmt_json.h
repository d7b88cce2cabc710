/* SPDX-License-Identifier: MIT */
/*
 * A bounded JSON writer for the management agent's replies and events:
 * text is appended to a caller's buffer; once it would overflow, nothing
 * more is written and `overflow` is set (the agent then answers with an
 * error instead of a cut-off document). Pure code, host-tested.
 */
#ifndef ZVM_MGMT_JSON_H
#define ZVM_MGMT_JSON_H

#include <stdbool.h>
#include <stddef.h>

struct jbuf {
	char *buf;
	size_t cap; /* bytes of buf */
	size_t len; /* bytes written, buf[len] == '\0' */
	bool overflow;
};

/** Start writing into buf (cap bytes, at least 1). */
void jb_init(struct jbuf *j, char *buf, size_t cap);
/** Append printf-formatted text as it is (numbers, punctuation, keys). */
void jb_printf(struct jbuf *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Append s as a quoted JSON string (escaping quotes, backslashes, control bytes). */
void jb_str(struct jbuf *j, const char *s);
/** Append n bytes of s as a quoted JSON string (s may hold any bytes but NUL). */
void jb_strn(struct jbuf *j, const char *s, size_t n);
/** Before an array element or a key: a comma unless just after '[' or '{'. */
void jb_item(struct jbuf *j);
/** Append "key": (quoted key, then a colon), preceded by a comma unless at '{'. */
void jb_key(struct jbuf *j, const char *key);

#endif /* ZVM_MGMT_JSON_H */
