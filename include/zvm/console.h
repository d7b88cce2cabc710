/* SPDX-License-Identifier: MIT */
/* The host console: the PL011 (or a board's UART) behind stdio and the shell. */
#ifndef ZVM_CONSOLE_H
#define ZVM_CONSOLE_H

#include <stddef.h>

/** Write bytes to the console; safe from any CPU and from IRQ context. */
void console_write(const char *s, size_t n);
/** Block until a byte of input arrives; returns it (0..255). */
int console_getc(void);
/** Take console input by interrupt `intid`, routed to CPU `cpu` (boot, once). */
void console_init_irq(int intid, int cpu);

/**
 * Also hand every console write to tap (the management agent's log
 * stream), under the output lock with IRQs masked: tap must only copy and
 * never block or print. NULL removes it.
 */
void console_set_tap(void (*tap)(const char *s, size_t n));

#endif /* ZVM_CONSOLE_H */
