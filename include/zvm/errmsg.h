/* SPDX-License-Identifier: MIT */
/* Error messages for users: the functions that can fail write why into a buffer. */
#ifndef ZVM_ERRMSG_H
#define ZVM_ERRMSG_H

#include <stddef.h>

/** Format the reason into err (if any) and return K_EINVAL, for `return errmsg(...)`. */
int errmsg(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* ZVM_ERRMSG_H */
