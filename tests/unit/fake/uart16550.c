/* SPDX-License-Identifier: MIT */
/* The 16550 / DesignWare APB UART model (fake/uart16550.h). */
#include <string.h>
#include <zvm/ns16550_regs.h>
#include <arch/mmio.h>
#include "uart16550.h"
#include "fake.h"

struct uart_model uart_model;

static uint64_t model_read(uintptr_t addr, unsigned width);
static void model_write(uintptr_t addr, unsigned width, uint64_t v);
static const struct fake_mmio_model model = { model_read, model_write };

void uart_model_reset(uintptr_t base, unsigned shift, unsigned width, bool dw)
{
	memset(&uart_model, 0, sizeof(uart_model));
	uart_model = (struct uart_model){ .base = base,
					  .shift = shift,
					  .width = width,
					  .dw = dw,
					  .drain_every = 3,
					  .lcr = NS16550_LCR_8N1,
					  .dll = 13 };
	fake_arch.mmio = &model;
}

void uart_model_receive(const char *bytes)
{
	for (; *bytes && uart_model.nrx < MODEL_FIFO; bytes++)
		uart_model.rx[uart_model.nrx++] = (uint8_t)*bytes;
}

bool uart_model_irq(void)
{
	return ((uart_model.ier & NS16550_IER_RDI) && uart_model.nrx) || uart_model.busy_irq;
}

/* The transmitter: one byte onto the line every drain_every status reads. */
static void status_read(void)
{
	struct uart_model *m = &uart_model;

	if (m->ntx == MODEL_FIFO)
		m->polls_while_full++;
	if (++m->status_reads % m->drain_every || !m->ntx)
		return;
	m->line[m->nline++ % sizeof(m->line)] = m->tx[0];
	memmove(m->tx, m->tx + 1, --m->ntx);
}

static uint8_t rx_pop(void)
{
	uint8_t c = uart_model.rx[0];

	if (!uart_model.nrx)
		return 0;
	memmove(uart_model.rx, uart_model.rx + 1, --uart_model.nrx);
	return c;
}

static uint8_t iir(void)
{
	uint8_t fifo = uart_model.fcr & NS16550_FCR_FIFO_EN ? NS16550_IIR_FIFO_ON : 0;

	if (uart_model.dw && uart_model.busy_irq)
		return fifo | DW_UART_IIR_BUSY;
	if ((uart_model.ier & NS16550_IER_RDI) && uart_model.nrx)
		return fifo | NS16550_IIR_RDI;
	return fifo | NS16550_IIR_NONE;
}

static uint8_t usr(void)
{
	struct uart_model *m = &uart_model;

	m->busy_irq = false;
	status_read();
	return (m->ntx ? DW_UART_USR_BUSY : 0) | (m->ntx < MODEL_FIFO ? DW_UART_USR_TFNF : 0) |
	       (!m->ntx ? DW_UART_USR_TFE : 0) | (m->nrx ? DW_UART_USR_RFNE : 0) |
	       (m->nrx == MODEL_FIFO ? DW_UART_USR_RFF : 0);
}

static uint8_t lsr(void)
{
	status_read();
	return (uart_model.nrx ? NS16550_LSR_DR : 0) |
	       (!uart_model.ntx ? NS16550_LSR_THRE | NS16550_LSR_TEMT : 0);
}

/* The register an access names, or -1 (and counted) when it is malformed. */
static int reg_of(uintptr_t addr, unsigned width)
{
	uintptr_t off = addr - uart_model.base;

	if (width != uart_model.width || off % (1u << uart_model.shift) ||
	    (off >> uart_model.shift) >= NS16550_NREGS) {
		uart_model.bad_accesses++;
		return -1;
	}
	return (int)(off >> uart_model.shift);
}

static uint64_t model_read(uintptr_t addr, unsigned width)
{
	bool dlab = uart_model.lcr & NS16550_LCR_DLAB;

	switch (reg_of(addr, width)) {
	case NS16550_RBR:
		return dlab ? uart_model.dll : rx_pop();
	case NS16550_IER:
		return dlab ? uart_model.dlm : uart_model.ier;
	case NS16550_IIR:
		return iir();
	case NS16550_LCR:
		return uart_model.lcr;
	case NS16550_LSR:
		return lsr();
	case DW_UART_USR:
		return uart_model.dw ? usr() : 0;
	default:
		return 0;
	}
}

static void thr_write(uint8_t v)
{
	struct uart_model *m = &uart_model;

	if (m->ntx == MODEL_FIFO || (!(m->fcr & NS16550_FCR_FIFO_EN) && m->ntx)) {
		m->tx_overflows++;
		return;
	}
	m->tx[m->ntx++] = v;
	if (m->ntx > m->max_fill)
		m->max_fill = m->ntx;
}

static void lcr_write(uint8_t v)
{
	uart_model.lcr_writes++;
	if (uart_model.dw && uart_model.ntx) {
		uart_model.busy_lcr_writes++;
		uart_model.busy_irq = true; /* the write is lost */
		return;
	}
	uart_model.lcr = v;
}

static void fcr_write(uint8_t v)
{
	uart_model.fcr = v & NS16550_FCR_FIFO_EN;
	if (v & NS16550_FCR_RX_RESET)
		uart_model.nrx = 0;
	if (v & NS16550_FCR_TX_RESET)
		uart_model.ntx = 0;
}

static void model_write(uintptr_t addr, unsigned width, uint64_t v)
{
	bool dlab = uart_model.lcr & NS16550_LCR_DLAB;

	switch (reg_of(addr, width)) {
	case NS16550_RBR:
		if (dlab)
			uart_model.dll = (uint8_t)v;
		else
			thr_write((uint8_t)v);
		break;
	case NS16550_IER:
		if (dlab)
			uart_model.dlm = (uint8_t)v;
		else
			uart_model.ier = (uint8_t)v & 0x0f;
		break;
	case NS16550_IIR:
		fcr_write((uint8_t)v);
		break;
	case NS16550_LCR:
		lcr_write((uint8_t)v);
		break;
	default:
		break;
	}
}
