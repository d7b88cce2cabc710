/* SPDX-License-Identifier: MIT */
/* The 16550 / DesignWare APB UART model (fake/uart16550.h). */
#include <string.h>
#include <arch/mmio.h>
#include "uart16550.h"

#define R_DATA	0
#define R_IER	1
#define R_IIR	2	/* FCR on write */
#define R_LCR	3
#define R_LSR	5
#define R_USR	31
#define LCR_DLAB	0x80
#define IER_RDI		0x01
#define FCR_EN		0x01
#define FCR_RXCLR	0x02
#define FCR_TXCLR	0x04

struct uart_model uart_model;

void uart_model_reset(uintptr_t base, unsigned shift, unsigned width, bool dw)
{
	memset(&uart_model, 0, sizeof(uart_model));
	uart_model = (struct uart_model){ .base = base, .shift = shift, .width = width, .dw = dw,
					  .drain_every = 3, .lcr = 0x03, .dll = 13 };
}

void uart_model_receive(const char *bytes)
{
	for (; *bytes && uart_model.nrx < MODEL_FIFO; bytes++)
		uart_model.rx[uart_model.nrx++] = (uint8_t)*bytes;
}

bool uart_model_irq(void)
{
	return ((uart_model.ier & IER_RDI) && uart_model.nrx) || uart_model.busy_irq;
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
	uint8_t fifo = uart_model.fcr & FCR_EN ? 0xc0 : 0;

	if (uart_model.dw && uart_model.busy_irq)
		return fifo | 0x07;
	return fifo | ((uart_model.ier & IER_RDI) && uart_model.nrx ? 0x04 : 0x01);
}

static uint8_t usr(void)
{
	struct uart_model *m = &uart_model;

	m->busy_irq = false;
	status_read();
	return (m->ntx ? 0x01 : 0) | (m->ntx < MODEL_FIFO ? 0x02 : 0) | (!m->ntx ? 0x04 : 0) |
	       (m->nrx ? 0x08 : 0) | (m->nrx == MODEL_FIFO ? 0x10 : 0);
}

static uint8_t lsr(void)
{
	status_read();
	return (uart_model.nrx ? 0x01 : 0) | (!uart_model.ntx ? 0x60 : 0);
}

/* The register an access names, or -1 (and counted) when it is malformed. */
static int reg_of(uintptr_t addr, unsigned width)
{
	uintptr_t off = addr - uart_model.base;

	if (width != uart_model.width || off % (1u << uart_model.shift) || (off >> uart_model.shift) > 31) {
		uart_model.bad_accesses++;
		return -1;
	}
	return (int)(off >> uart_model.shift);
}

uint64_t fake_mmio_read(uintptr_t addr, unsigned width)
{
	bool dlab = uart_model.lcr & LCR_DLAB;

	switch (reg_of(addr, width)) {
	case R_DATA: return dlab ? uart_model.dll : rx_pop();
	case R_IER: return dlab ? uart_model.dlm : uart_model.ier;
	case R_IIR: return iir();
	case R_LCR: return uart_model.lcr;
	case R_LSR: return lsr();
	case R_USR: return uart_model.dw ? usr() : 0;
	default: return 0;
	}
}

static void thr_write(uint8_t v)
{
	struct uart_model *m = &uart_model;

	if (m->ntx == MODEL_FIFO || (!(m->fcr & FCR_EN) && m->ntx)) {
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
		uart_model.busy_irq = true;	/* the write is lost */
		return;
	}
	uart_model.lcr = v;
}

static void fcr_write(uint8_t v)
{
	uart_model.fcr = v & FCR_EN;
	if (v & FCR_RXCLR)
		uart_model.nrx = 0;
	if (v & FCR_TXCLR)
		uart_model.ntx = 0;
}

void fake_mmio_write(uintptr_t addr, unsigned width, uint64_t v)
{
	bool dlab = uart_model.lcr & LCR_DLAB;

	switch (reg_of(addr, width)) {
	case R_DATA:
		if (dlab)
			uart_model.dll = (uint8_t)v;
		else
			thr_write((uint8_t)v);
		break;
	case R_IER:
		if (dlab)
			uart_model.dlm = (uint8_t)v;
		else
			uart_model.ier = (uint8_t)v & 0x0f;
		break;
	case R_IIR: fcr_write((uint8_t)v); break;
	case R_LCR: lcr_write((uint8_t)v); break;
	default: break;
	}
}
