/* SPDX-License-Identifier: MIT */
/* ARM PL011 UART: polled transmit, interrupt-driven receive. */
#include <stddef.h>
#include <zvm/arch.h>
#include <zvm/uart.h>
#include <zvm/pl011_regs.h>
#include <arch/mmio.h>

#define EARLY_MAX      64 /* typed-ahead bytes kept across turning the FIFO on */
#define EARLY_QUIET_HZ 20 /* 50 ms without a byte: the typed-ahead input has ended */

static uintptr_t uart;
static void (*rx_sink)(uint8_t byte);
/* Input that came before the FIFO was on: written by pl011_init_early, taken by pl011_rx_irq_enable. */
static uint8_t early[EARLY_MAX];
static unsigned early_len;

static uint32_t reg_read(unsigned off)
{
	return mmio_read32(uart + off);
}

static void reg_write(unsigned off, uint32_t v)
{
	mmio_write32(uart + off, v);
}

/*
 * Input typed ahead or piped in before boot: QEMU hands over one byte at a
 * time while the FIFO is off, the next soon after each read. Turning the
 * FIFO on empties it, so take them all first, until the line is quiet.
 */
static void keep_typed_ahead(void)
{
	uint64_t quiet = arch_counter_freq() / EARLY_QUIET_HZ;
	uint64_t last = arch_counter_read();

	while (early_len < EARLY_MAX) {
		if (!(reg_read(PL011_FR) & PL011_FR_RXFE)) {
			early[early_len++] = (uint8_t)reg_read(PL011_DR);
			last = arch_counter_read();
		} else if (arch_counter_read() - last > quiet) {
			break;
		}
	}
}

void pl011_init_early(uintptr_t base)
{
	bool fifo_was_on;

	uart = base;
	fifo_was_on = reg_read(PL011_LCR_H) & PL011_LCR_FEN;
	if (!fifo_was_on && !(reg_read(PL011_FR) & PL011_FR_RXFE))
		keep_typed_ahead();
	reg_write(PL011_LCR_H, PL011_LCR_FEN | PL011_LCR_WLEN8);
	reg_write(PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
	/*
	 * QEMU 8 and later keep the receive interrupt of a byte the FIFO
	 * dropped raised, and take no more input until DR is read: one read
	 * of the empty FIFO clears both.
	 */
	if (!fifo_was_on && (reg_read(PL011_FR) & PL011_FR_RXFE))
		(void)reg_read(PL011_DR);
}

void pl011_putc(char c)
{
	if (!uart)
		return;
	while (reg_read(PL011_FR) & PL011_FR_TXFF)
		arch_cpu_relax();
	reg_write(PL011_DR, (uint8_t)c);
}

static void pl011_isr(int intid, void *arg)
{
	(void)intid;
	(void)arg;
	/*
	 * No write to ICR: the receive interrupt drops by itself when the FIFO
	 * is empty, and stays raised while bytes are left (throttled), so
	 * unmasking it later fires again. Clearing it could lose a byte that
	 * arrives between the last read and the clear.
	 */
	while (!(reg_read(PL011_FR) & PL011_FR_RXFE) && reg_read(PL011_IMSC))
		rx_sink((uint8_t)reg_read(PL011_DR));
}

void pl011_rx_throttle(bool stop)
{
	reg_write(PL011_IMSC, stop ? 0 : PL011_INT_RX | PL011_INT_RT);
}

void pl011_rx_irq_enable(int intid, int cpu, void (*rx)(uint8_t byte))
{
	rx_sink = rx;
	for (unsigned i = 0; i < early_len; i++)
		rx(early[i]);
	early_len = 0;
	reg_write(PL011_IFLS, 0); /* interrupt at 1/8 full; timeout covers the rest */
	irq_connect(intid, pl011_isr, NULL);
	pl011_rx_throttle(false);
	irq_enable(intid, cpu);
}

static void pl011_init(const struct platform_uart *u)
{
	pl011_init_early((uintptr_t)u->base);
}

const struct uart_ops pl011_uart_ops = {
	.init = pl011_init,
	.putc = pl011_putc,
	.rx_irq_enable = pl011_rx_irq_enable,
	.rx_throttle = pl011_rx_throttle,
};
