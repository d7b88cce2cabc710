/* SPDX-License-Identifier: MIT */
/*
 * The console log of a VM: the last VM_LOG_SIZE bytes its UART printed
 * (text only: printable characters, tabs as spaces, newlines), whether or
 * not anyone was attached, across its resets, until it is deleted
 * (`zvm log -n ID [--tail N]`). Written by the vUART under its own lock;
 * read by the shell; `lock` is held for the copy only.
 */
#ifndef ZVM_VM_LOG_H
#define ZVM_VM_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <zvm/kernel.h>

#define VM_LOG_SIZE 16384u

struct vm_log {
	k_spinlock_t lock;
	uint64_t written; /* bytes ever put; the ring holds the last VM_LOG_SIZE */
	char buf[VM_LOG_SIZE];
};

/** Keep one character the guest printed (others than text are dropped). */
void vm_log_putc(struct vm_log *log, char c);
/**
 * Copy the last `lines` lines (0: all it holds) into out (at most max - 1
 * bytes, NUL-terminated; the newest part is kept). Returns the length.
 */
size_t vm_log_tail(struct vm_log *log, unsigned lines, char *out, size_t max);

#endif /* ZVM_VM_LOG_H */
