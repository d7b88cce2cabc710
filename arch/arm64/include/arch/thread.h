/* SPDX-License-Identifier: MIT */
/* The part of a thread the context switch saves: callee-saved registers. */
#ifndef ARCH_THREAD_H
#define ARCH_THREAD_H

#include <stdint.h>

struct arch_thread_ctx {
	uint64_t x19_x28[10];
	uint64_t fp; /* x29 */
	uint64_t lr; /* x30 */
	uint64_t sp;
};

#endif /* ARCH_THREAD_H */
