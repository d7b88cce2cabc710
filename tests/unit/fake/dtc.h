/* SPDX-License-Identifier: MIT */
/* Test helper: devicetree source to a malloc'ed blob with dtc (NULL if it does not compile). */
#ifndef TEST_DTC_H
#define TEST_DTC_H
#include <stddef.h>
void *dtc_compile(const char *src, size_t *size);
void *dtc_compile_file(const char *path, size_t *size);
/* "/zvm/NODE { BODY }" compiled (NULL if it does not compile). */
void *dtc_compile_zvm_node(const char *node, const char *body);
#endif
