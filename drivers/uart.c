/* SPDX-License-Identifier: MIT */
/*
 * The console UART's driver, chosen by type: the early console's from the
 * mk file (ZVM_EARLY_UART_TYPE), then the one of the DTB's stdout-path.
 */
#include <stddef.h>
#include <zvm/assert.h>
#include <zvm/uart.h>

/* Written only by uart_early_init() and uart_init(), on the boot CPU before any other runs. */
static const struct uart_ops *uart;

/* The driver of each console type (platform/uart.c maps compatibles to types). */
static const struct uart_ops *const drivers[] = {
	[UART_PL011] = &pl011_uart_ops,
	[UART_NS16550] = &ns16550_uart_ops,
	[UART_DW_APB] = &ns16550_uart_ops,
};

static const struct uart_ops *driver_of(enum uart_type type)
{
	K_ASSERT((unsigned)type < sizeof(drivers) / sizeof(drivers[0]) && drivers[type]);
	return drivers[type];
}

void uart_early_init(void)
{
	const struct platform_uart early = {
		.type = ZVM_EARLY_UART_TYPE,
		.base = ZVM_EARLY_UART,
		.reg_shift = ZVM_EARLY_UART_SHIFT,
		.reg_io_width = 4,
	};

	uart = driver_of(early.type);
	uart->init(&early);
}

void uart_init(const struct platform_uart *u)
{
	uart = driver_of(u->type);
	uart->init(u);
}

void uart_putc(char c)
{
	if (uart)
		uart->putc(c);
}

void uart_rx_irq_enable(int intid, int cpu, void (*rx)(uint8_t byte))
{
	uart->rx_irq_enable(intid, cpu, rx);
}

void uart_rx_throttle(bool stop)
{
	uart->rx_throttle(stop);
}
