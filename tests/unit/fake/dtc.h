#ifndef TEST_DTC_H
#define TEST_DTC_H
#include <stddef.h>
/** Devicetree source to a malloc'ed blob (dtc), or NULL if it does not compile. */
void *dtc_compile(const char *src, size_t *size);
#endif
