/* SPDX-License-Identifier: MIT */
/*
 * A register-level model of a 16550 UART with 64-byte FIFOs, and of the
 * DesignWare APB variant (USR, busy detect: LCR writes ignored while busy).
 * It answers the device accesses of the fake (fake_arch.mmio) at `base`, registers
 * 1 << shift bytes apart, and counts every access of the wrong width or
 * address. The transmitter sends one byte every `drain_every` status reads.
 */
#ifndef FAKE_UART16550_H
#define FAKE_UART16550_H

#include <stdbool.h>
#include <stdint.h>

#define MODEL_FIFO 64

struct uart_model {
	/* set by the test */
	uintptr_t base;
	unsigned shift, width;
	bool dw;
	unsigned drain_every;
	/* registers */
	uint8_t ier, lcr, dll, dlm, fcr;
	bool busy_irq; /* DesignWare busy detect pending */
	uint8_t tx[MODEL_FIFO], rx[MODEL_FIFO];
	unsigned ntx, nrx, status_reads;
	/* what the line saw, and what went wrong */
	uint8_t line[4096];
	unsigned nline;
	unsigned tx_overflows;     /* THR written with the FIFO full */
	unsigned polls_while_full; /* status reads with the FIFO full */
	unsigned max_fill;
	unsigned bad_accesses; /* wrong width or address */
	unsigned lcr_writes, busy_lcr_writes;
};

extern struct uart_model uart_model;

/** A fresh model (firmware state: 8N1, divisor 13, FIFOs off). */
void uart_model_reset(uintptr_t base, unsigned shift, unsigned width, bool dw);
/** Bytes arriving on the receive line (into the receive FIFO). */
void uart_model_receive(const char *bytes);
/** The interrupt output: received data with IER.ERBFI, or busy detect. */
bool uart_model_irq(void);

#endif /* FAKE_UART16550_H */
