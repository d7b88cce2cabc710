/* SPDX-License-Identifier: MIT */
/*
 * K_ASSERT(cond): a rule the code relies on, checked while it runs.
 *
 * Compiled in when ZVM_ASSERT is 1 (the default: `make`, `make test`, the
 * host unit tests) and out when it is 0 (`make bench` builds with
 * ZVM_ASSERT=0, so the measured image pays nothing). A failed assertion
 * prints "*** ASSERT failed at FILE:LINE: COND" and then stops this CPU
 * through the fatal-exception path (registers, backtrace, "CPU N stopped";
 * the other CPUs continue). In the host unit tests it prints the same line
 * and aborts, which fails the test.
 */
#ifndef ZVM_ASSERT_H
#define ZVM_ASSERT_H

#ifndef ZVM_ASSERT
#define ZVM_ASSERT 1
#endif

#if ZVM_ASSERT
#define K_ASSERT(cond)							\
	do {								\
		if (__builtin_expect(!(cond), 0))			\
			k_assert_fail(__FILE__, __LINE__, #cond);	\
	} while (0)
#else
/* Out of the build, but cond is still parsed (no unused-variable warnings). */
#define K_ASSERT(cond)	do { (void)sizeof(!(cond)); } while (0)
#endif

#ifdef ZVM_HOST_TEST
#include <stdio.h>
#include <stdlib.h>

static inline __attribute__((noreturn)) void
k_assert_fail(const char *file, int line, const char *cond)
{
	fprintf(stderr, "*** ASSERT failed at %s:%d: %s\n", file, line, cond);
	abort();
}
#else
/** Report a failed K_ASSERT and stop this CPU; never returns. */
void k_assert_fail(const char *file, int line, const char *cond) __attribute__((noreturn));
#endif

#endif /* ZVM_ASSERT_H */
