/* ARM PL011 UART: polled transmit, interrupt-driven receive. */
#include <stddef.h>
#include <zvm/arch.h>
#include <zvm/uart.h>
#include <zvm/pl011_regs.h>
#include <arch/mmio.h>

static uintptr_t uart;
static void (*rx_sink)(uint8_t byte);

static uint32_t reg_read(unsigned off)
{
	return mmio_read32(uart + off);
}

static void reg_write(unsigned off, uint32_t v)
{
	mmio_write32(uart + off, v);
}

void pl011_init_early(uintptr_t base)
{
	uart = base;
	reg_write(PL011_LCR_H, PL011_LCR_FEN | PL011_LCR_WLEN8);
	reg_write(PL011_CR, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
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
	reg_write(PL011_IFLS, 0);	/* interrupt at 1/8 full; timeout covers the rest */
	irq_connect(intid, pl011_isr, NULL);
	pl011_rx_throttle(false);
	irq_enable(intid, cpu);
}
