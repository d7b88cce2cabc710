/* SPDX-License-Identifier: MIT */
/* UART drivers behind the console (PL011 on QEMU virt; ns16550 on RK35xx boards). */
#ifndef ZVM_UART_H
#define ZVM_UART_H

#include <stdbool.h>
#include <stdint.h>

/** Polled output; usable from the first instruction with MMU on. */
void pl011_init_early(uintptr_t base);
void pl011_putc(char c);
/** Switch receive to interrupts: received bytes go to rx(byte). */
void pl011_rx_irq_enable(int intid, int cpu, void (*rx)(uint8_t byte));
/** Stop (false) or restart (true) taking bytes: back-pressure from the console. */
void pl011_rx_throttle(bool stop);

#endif /* ZVM_UART_H */
