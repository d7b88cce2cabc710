/* SPDX-License-Identifier: MIT */
/*
 * The register map of the Arm PL011 UART (Arm DDI 0183): offsets in its
 * 4 KiB frame and the bits zvm uses. Spelled once for the host driver
 * (drivers/pl011.c) and the UART every guest sees (virt/dev/vuart.c).
 */
#ifndef ZVM_PL011_REGS_H
#define ZVM_PL011_REGS_H

#define PL011_FRAME_SIZE	0x1000

#define PL011_DR		0x000		/* data */
#define PL011_RSR		0x004		/* receive status / error clear */
#define PL011_FR		0x018		/* flags */
#define PL011_IBRD		0x024		/* integer baud rate */
#define PL011_FBRD		0x028		/* fractional baud rate */
#define PL011_LCR_H		0x02c		/* line control */
#define PL011_CR		0x030		/* control */
#define PL011_IFLS		0x034		/* interrupt FIFO level select */
#define PL011_IMSC		0x038		/* interrupt mask set/clear */
#define PL011_RIS		0x03c		/* raw interrupt status */
#define PL011_MIS		0x040		/* masked interrupt status */
#define PL011_ICR		0x044		/* interrupt clear */
#define PL011_DMACR		0x048		/* DMA control */
#define PL011_REGS_END		0x04c		/* end of the control registers */
#define PL011_ID		0xfe0		/* PeriphID0-3, CellID0-3 */
#define PL011_ID_LEN		0x020

/* PL011_FR */
#define PL011_FR_RXFE		(1u << 4)	/* receive FIFO empty */
#define PL011_FR_TXFF		(1u << 5)	/* transmit FIFO full */
#define PL011_FR_RXFF		(1u << 6)	/* receive FIFO full */
#define PL011_FR_TXFE		(1u << 7)	/* transmit FIFO empty */

/* PL011_LCR_H */
#define PL011_LCR_FEN		(1u << 4)	/* FIFOs on */
#define PL011_LCR_WLEN8		(3u << 5)	/* 8-bit words */

/* PL011_CR */
#define PL011_CR_UARTEN		(1u << 0)
#define PL011_CR_TXE		(1u << 8)
#define PL011_CR_RXE		(1u << 9)

/* PL011_IMSC, PL011_RIS, PL011_MIS, PL011_ICR: one bit per interrupt */
#define PL011_INT_RX		(1u << 4)	/* receive */
#define PL011_INT_TX		(1u << 5)	/* transmit */
#define PL011_INT_RT		(1u << 6)	/* receive timeout: data, line idle */
#define PL011_INT_ALL		0x7ffu		/* bits [10:0] */

#endif /* ZVM_PL011_REGS_H */
