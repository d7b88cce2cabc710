/* SPDX-License-Identifier: MIT */
/*
 * The host console: the PL011 (or a board's UART) behind stdio and the shell.
 * Output is queued and carried to the UART by one CPU at a time; the lock
 * that orders writers is never held while waiting on the UART
 * (drivers/console.c).
 */
#ifndef ZVM_CONSOLE_H
#define ZVM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Write the host's own bytes; safe from any CPU and from IRQ context. */
void console_write(const char *s, size_t n);
/** Write the attached VM's raw output (`zvm look`). */
void console_write_guest(const char *s, size_t n);
/**
 * Write a line from outside the attached session (another VM's prefixed
 * line). Not shown while a VM's console is attached, nor when the queue is
 * half full (a flooding guest); returns whether it was shown. The caller
 * keeps its own copy (the VM's `zvm log`).
 */
bool console_write_aside(const char *s, size_t n);
/**
 * A VM's console is attached (on) or given back (off): while on, lines
 * aside are not shown and host text starts on a line of its own.
 */
void console_session(bool on);
bool console_session_on(void);
/** Block until a byte of input arrives; returns it (0..255). */
int console_getc(void);
/** Take console input by interrupt `intid`, routed to CPU `cpu` (boot, once). */
void console_init_irq(int intid, int cpu);

/**
 * Also hand every console write to tap (the management agent's log
 * stream), under the output lock with IRQs masked: tap must only copy and
 * never block or print. Lines aside reach it even when not shown. NULL
 * removes it.
 */
void console_set_tap(void (*tap)(const char *s, size_t n));

#endif /* ZVM_CONSOLE_H */
