/* SPDX-License-Identifier: MIT */
/*
 * The console UART: one driver behind a table of operations, chosen by the
 * platform (the compatible of the node /chosen/stdout-path names). PL011 on
 * QEMU virt, the DesignWare 8250 (snps,dw-apb-uart) on RK3568/RK3588.
 */
#ifndef ZVM_UART_H
#define ZVM_UART_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/platform.h>

/** What a UART driver provides (drivers/pl011.c, drivers/ns16550.c). */
struct uart_ops {
	/** Take the UART over from the firmware; polled output works after. */
	void (*init)(const struct platform_uart *u);
	/** Send one byte, waiting while the transmit FIFO is full. */
	void (*putc)(char c);
	/** Route the UART's interrupt `intid` to `cpu`; received bytes go to rx(byte). */
	void (*rx_irq_enable)(int intid, int cpu, void (*rx)(uint8_t byte));
	/** Stop (true) or restart (false) taking bytes: back-pressure. */
	void (*rx_throttle)(bool stop);
};

extern const struct uart_ops pl011_uart_ops;
extern const struct uart_ops ns16550_uart_ops;

/** The early console of the mk file (EARLY_UART), before the DTB is read. */
void uart_early_init(void);
/** The console the DTB names (platform.uart), with its driver. */
void uart_init(const struct platform_uart *u);
/** Polled output through the current driver (none yet: dropped). */
void uart_putc(char c);
/** Route the UART's interrupt `intid` to `cpu`; received bytes go to rx(byte). */
void uart_rx_irq_enable(int intid, int cpu, void (*rx)(uint8_t byte));
/** Stop (true) or restart (false) taking bytes: back-pressure from the console. */
void uart_rx_throttle(bool stop);

/* The PL011 driver (drivers/pl011.c), behind pl011_uart_ops. */
/** Polled output; usable from the first instruction with MMU on. */
void pl011_init_early(uintptr_t base);
void pl011_putc(char c);
/** Switch receive to interrupts: received bytes go to rx(byte). */
void pl011_rx_irq_enable(int intid, int cpu, void (*rx)(uint8_t byte));
/** Stop (true) or restart (false) taking bytes: back-pressure from the console. */
void pl011_rx_throttle(bool stop);

#endif /* ZVM_UART_H */
