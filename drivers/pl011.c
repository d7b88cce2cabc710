/* ARM PL011 UART: polled transmit, interrupt-driven receive. */
#include <stddef.h>
#include <zvm/arch.h>
#include <zvm/uart.h>
#include <arch/mmio.h>

#define UART_DR		0x00
#define UART_FR		0x18
#define UART_LCR_H	0x2c
#define UART_CR		0x30
#define UART_IFLS	0x34
#define UART_IMSC	0x38
#define UART_ICR	0x44
#define FR_TXFF		(1u << 5)
#define FR_RXFE		(1u << 4)
#define LCR_FEN		(1u << 4)
#define LCR_WLEN8	(3u << 5)
#define CR_UARTEN	(1u << 0)
#define CR_TXE		(1u << 8)
#define CR_RXE		(1u << 9)
#define INT_RX		(1u << 4)
#define INT_RT		(1u << 6)	/* receive timeout: FIFO not empty, line idle */

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

static void pl011_init(const struct platform_uart *u)
{
	uart = u->base;
	reg_write(UART_LCR_H, LCR_FEN | LCR_WLEN8);
	reg_write(UART_CR, CR_UARTEN | CR_TXE | CR_RXE);
}

static void pl011_putc(char c)
{
	if (!uart)
		return;
	while (reg_read(UART_FR) & FR_TXFF)
		arch_cpu_relax();
	reg_write(UART_DR, (uint8_t)c);
}

static void pl011_isr(void)
{
	/*
	 * No write to ICR: the receive interrupt drops by itself when the FIFO
	 * is empty, and stays raised while bytes are left (throttled), so
	 * unmasking it later fires again. Clearing it could lose a byte that
	 * arrives between the last read and the clear.
	 */
	while (!(reg_read(UART_FR) & FR_RXFE) && reg_read(UART_IMSC))
		rx_sink((uint8_t)reg_read(UART_DR));
}

static void pl011_rx_throttle(bool stop)
{
	reg_write(UART_IMSC, stop ? 0 : INT_RX | INT_RT);
}

static void pl011_rx_start(void (*rx)(uint8_t byte))
{
	rx_sink = rx;
	reg_write(UART_IFLS, 0);	/* interrupt at 1/8 full; timeout covers the rest */
	pl011_rx_throttle(false);
}

const struct uart_ops pl011_uart_ops = {
	.init = pl011_init,
	.putc = pl011_putc,
	.isr = pl011_isr,
	.rx_start = pl011_rx_start,
	.rx_throttle = pl011_rx_throttle,
};
