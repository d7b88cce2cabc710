/* SPDX-License-Identifier: MIT */
/*
 * The register map of the 16550 UART (8250 family) and of the Synopsys
 * DesignWare APB UART that extends it (snps,dw-apb-uart, Rockchip's):
 * register numbers, which a devicetree's reg-shift spaces 1 << shift bytes
 * apart, and the bits zvm uses. Spelled once for the host driver
 * (drivers/ns16550.c) and the register-level model of the unit tests
 * (tests/unit/fake/uart16550.c).
 */
#ifndef ZVM_NS16550_REGS_H
#define ZVM_NS16550_REGS_H

#define NS16550_RBR   0  /* read: receive buffer */
#define NS16550_THR   0  /* write: transmit holding */
#define NS16550_DLL   0  /* with LCR.DLAB: divisor latch, low byte */
#define NS16550_IER   1  /* interrupt enable */
#define NS16550_DLM   1  /* with LCR.DLAB: divisor latch, high byte */
#define NS16550_IIR   2  /* read: interrupt identification */
#define NS16550_FCR   2  /* write: FIFO control */
#define NS16550_LCR   3  /* line control */
#define NS16550_LSR   5  /* line status */
#define DW_UART_USR   31 /* DesignWare only: UART status */
#define NS16550_NREGS 32 /* register numbers a DesignWare UART decodes */

/* NS16550_IER */
#define NS16550_IER_RDI (1u << 0) /* received data available (and character timeout) */

/* NS16550_IIR: the pending interrupt, highest priority first */
#define NS16550_IIR_ID_MASK 0x0fu
#define NS16550_IIR_NONE    0x01u /* no interrupt pending */
#define NS16550_IIR_RDI     0x04u /* received data available */
#define DW_UART_IIR_BUSY    0x07u /* DesignWare busy detect: LCR written while busy */
#define NS16550_IIR_FIFO_ON 0xc0u /* FIFOs enabled */

/* NS16550_FCR */
#define NS16550_FCR_FIFO_EN  (1u << 0)
#define NS16550_FCR_RX_RESET (1u << 1)
#define NS16550_FCR_TX_RESET (1u << 2)

/* NS16550_LCR */
#define NS16550_LCR_8N1  0x03u     /* 8 data bits, no parity, 1 stop bit */
#define NS16550_LCR_DLAB (1u << 7) /* registers 0 and 1 are the divisor latch */

/* NS16550_LSR */
#define NS16550_LSR_DR   (1u << 0) /* data ready */
#define NS16550_LSR_THRE (1u << 5) /* transmit holding register (FIFO) empty */
#define NS16550_LSR_TEMT (1u << 6) /* transmitter empty: FIFO and shift register */

/* DW_UART_USR */
#define DW_UART_USR_BUSY (1u << 0) /* a character is being sent or received */
#define DW_UART_USR_TFNF (1u << 1) /* transmit FIFO not full */
#define DW_UART_USR_TFE  (1u << 2) /* transmit FIFO empty */
#define DW_UART_USR_RFNE (1u << 3) /* receive FIFO not empty */
#define DW_UART_USR_RFF  (1u << 4) /* receive FIFO full */

#endif /* ZVM_NS16550_REGS_H */
