/* SPDX-License-Identifier: MIT */
/*
 * 16550-style UART: the ns16550a and the Synopsys DesignWare APB UART
 * (snps,dw-apb-uart, Rockchip's). Registers are 1 << reg_shift bytes apart
 * and read with reg_io_width-byte accesses. Polled transmit, receive by
 * interrupt (received data available and character timeout).
 *
 * The DesignWare part adds USR: transmit waits on its "FIFO not full" bit
 * instead of the 16550's "transmitter empty", so a byte goes out as soon as
 * there is room. Its LCR may not be written while it is busy (a write then
 * raises the busy-detect interrupt, which reading USR clears), so the line
 * settings are changed only with the transmitter empty, and only when the
 * DTB gives both the clock and the baud rate: otherwise the settings the
 * firmware left (U-Boot: 1500000 8N1 on RK35xx) are kept.
 */
#include <stddef.h>
#include <zvm/arch.h>
#include <zvm/uart.h>
#include <zvm/ns16550_regs.h>
#include <arch/mmio.h>

/* Written only by ns16550_init() (boot CPU, before other CPUs and the receive interrupt). */
static struct {
	uintptr_t base;
	unsigned shift;
	bool wide; /* 32-bit accesses */
	bool dw;   /* DesignWare: has USR */
} port;
/* Written by ns16550_rx_irq_enable() before the interrupt is enabled; read by the ISR. */
static void (*rx_sink)(uint8_t byte);

static uint32_t reg_read(unsigned reg)
{
	uintptr_t addr = port.base + ((uintptr_t)reg << port.shift);

	return port.wide ? mmio_read32(addr) : mmio_read8(addr);
}

static void reg_write(unsigned reg, uint32_t v)
{
	uintptr_t addr = port.base + ((uintptr_t)reg << port.shift);

	if (port.wide)
		mmio_write32(addr, v);
	else
		mmio_write8(addr, (uint8_t)v);
}

/* The divisor for `baud` from a 16x clock of `clock_hz`, rounded to nearest. */
static uint32_t baud_divisor(uint32_t clock_hz, uint32_t baud)
{
	uint32_t div = (clock_hz + 8 * baud) / (16 * baud);

	return div ? div : 1;
}

static void set_line(uint32_t clock_hz, uint32_t baud)
{
	uint32_t div = baud_divisor(clock_hz, baud);

	while (!(reg_read(NS16550_LSR) & NS16550_LSR_TEMT))
		arch_cpu_relax(); /* the DesignWare UART is busy until the last byte is out */
	reg_write(NS16550_LCR, NS16550_LCR_8N1 | NS16550_LCR_DLAB);
	reg_write(NS16550_DLL, div & 0xff);
	reg_write(NS16550_DLM, (div >> 8) & 0xff);
	reg_write(NS16550_LCR, NS16550_LCR_8N1);
}

static void ns16550_init(const struct platform_uart *u)
{
	port.base = (uintptr_t)u->base;
	port.shift = u->reg_shift;
	port.wide = u->reg_io_width == 4;
	port.dw = u->type == UART_DW_APB;
	reg_write(NS16550_IER, 0);
	if (u->clock_hz && u->baud)
		set_line(u->clock_hz, u->baud);
	/* FIFOs on, receive FIFO emptied; the transmit FIFO keeps what is being sent. */
	reg_write(NS16550_FCR, NS16550_FCR_FIFO_EN | NS16550_FCR_RX_RESET);
}

static bool tx_room(void)
{
	if (port.dw)
		return reg_read(DW_UART_USR) & DW_UART_USR_TFNF;
	return reg_read(NS16550_LSR) & NS16550_LSR_THRE;
}

static void ns16550_putc(char c)
{
	if (!port.base)
		return;
	while (!tx_room())
		arch_cpu_relax();
	reg_write(NS16550_THR, (uint8_t)c);
}

/*
 * Every byte in the receive FIFO goes to the sink while receive interrupts
 * are on; throttled (IER cleared by the sink), the rest waits in the FIFO
 * and raises the interrupt again when it is turned back on.
 */
static void ns16550_isr(int intid, void *arg)
{
	(void)intid;
	(void)arg;
	if (port.dw && (reg_read(NS16550_IIR) & NS16550_IIR_ID_MASK) == DW_UART_IIR_BUSY)
		(void)reg_read(DW_UART_USR); /* acknowledges busy detect */
	while ((reg_read(NS16550_LSR) & NS16550_LSR_DR) &&
	       (reg_read(NS16550_IER) & NS16550_IER_RDI))
		rx_sink((uint8_t)reg_read(NS16550_RBR));
}

static void ns16550_rx_throttle(bool stop)
{
	reg_write(NS16550_IER, stop ? 0 : NS16550_IER_RDI);
}

static void ns16550_rx_irq_enable(int intid, int cpu, void (*rx)(uint8_t byte))
{
	rx_sink = rx;
	irq_connect(intid, ns16550_isr, NULL);
	ns16550_rx_throttle(false);
	irq_enable(intid, cpu);
}

const struct uart_ops ns16550_uart_ops = {
	.init = ns16550_init,
	.putc = ns16550_putc,
	.rx_irq_enable = ns16550_rx_irq_enable,
	.rx_throttle = ns16550_rx_throttle,
};
