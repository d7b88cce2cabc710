/* SPDX-License-Identifier: MIT */
#ifndef FAKE_ARCH_THREAD_H
#define FAKE_ARCH_THREAD_H

struct arch_thread_ctx {
	unsigned long regs[13];
};

#endif /* FAKE_ARCH_THREAD_H */
