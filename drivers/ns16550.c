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
#include <zvm/uart.h>
#include <arch/mmio.h>

/* Register numbers (byte offsets before reg_shift). */
#define REG_RBR		0	/* read: receive buffer */
#define REG_THR		0	/* write: transmit holding */
#define REG_DLL		0	/* with LCR.DLAB: divisor low */
#define REG_IER		1
#define REG_DLM		1	/* with LCR.DLAB: divisor high */
#define REG_IIR		2	/* read */
#define REG_FCR		2	/* write */
#define REG_LCR		3
#define REG_LSR		5
#define REG_USR		31	/* DesignWare only: UART status */

#define IER_RDI		(1u << 0)	/* received data available (and timeout) */
#define IIR_ID_MASK	0x0fu
#define IIR_BUSY	0x07u		/* DesignWare busy detect */
#define FCR_FIFO_EN	(1u << 0)
#define FCR_RX_RESET	(1u << 1)
#define LCR_8N1		0x03u
#define LCR_DLAB	(1u << 7)
#define LSR_DR		(1u << 0)
#define LSR_THRE	(1u << 5)
#define LSR_TEMT	(1u << 6)
#define USR_TFNF	(1u << 1)

/* Written only by ns16550_init() (boot CPU, before other CPUs and the receive interrupt). */
static struct {
	uintptr_t base;
	unsigned shift;
	bool wide;		/* 32-bit accesses */
	bool dw;		/* DesignWare: has USR */
} port;
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

	while (!(reg_read(REG_LSR) & LSR_TEMT))
		;	/* the DesignWare UART is busy until the last byte is out */
	reg_write(REG_LCR, LCR_8N1 | LCR_DLAB);
	reg_write(REG_DLL, div & 0xff);
	reg_write(REG_DLM, (div >> 8) & 0xff);
	reg_write(REG_LCR, LCR_8N1);
}

static void ns16550_init(const struct platform_uart *u)
{
	port.base = u->base;
	port.shift = u->reg_shift;
	port.wide = u->reg_io_width == 4;
	port.dw = u->type == UART_DW_APB;
	reg_write(REG_IER, 0);
	if (u->clock_hz && u->baud)
		set_line(u->clock_hz, u->baud);
	/* FIFOs on, receive FIFO emptied; the transmit FIFO keeps what is being sent. */
	reg_write(REG_FCR, FCR_FIFO_EN | FCR_RX_RESET);
}

static bool tx_room(void)
{
	return port.dw ? reg_read(REG_USR) & USR_TFNF : reg_read(REG_LSR) & LSR_THRE;
}

static void ns16550_putc(char c)
{
	if (!port.base)
		return;
	while (!tx_room())
		;	/* a device read per round: no need to back off further */
	reg_write(REG_THR, (uint8_t)c);
}

/*
 * Every byte in the receive FIFO goes to the sink while receive interrupts
 * are on; throttled (IER cleared by the sink), the rest waits in the FIFO
 * and raises the interrupt again when it is turned back on.
 */
static void ns16550_isr(void)
{
	if (port.dw && (reg_read(REG_IIR) & IIR_ID_MASK) == IIR_BUSY)
		(void)reg_read(REG_USR);	/* acknowledges busy detect */
	while ((reg_read(REG_LSR) & LSR_DR) && (reg_read(REG_IER) & IER_RDI))
		rx_sink((uint8_t)reg_read(REG_RBR));
}

static void ns16550_rx_throttle(bool stop)
{
	reg_write(REG_IER, stop ? 0 : IER_RDI);
}

static void ns16550_rx_start(void (*rx)(uint8_t byte))
{
	rx_sink = rx;
	ns16550_rx_throttle(false);
}

const struct uart_ops ns16550_uart_ops = {
	.init = ns16550_init,
	.putc = ns16550_putc,
	.isr = ns16550_isr,
	.rx_start = ns16550_rx_start,
	.rx_throttle = ns16550_rx_throttle,
};
