/* SPDX-License-Identifier: MIT */
/*
 * The arm64 Image header (the Linux kernel's boot protocol, booting.rst) at
 * the image's first byte, so that a board's U-Boot can start zvm with
 * `booti`. flags bit 3 lets booti leave the image where it was loaded when
 * that is 2 MiB aligned: zvm is linked to run at LOAD_ADDR (identity map),
 * so boot.scr loads it exactly there. QEMU starts the ELF at _start and
 * never looks at these 64 bytes.
 */
#define IMAGE_FLAGS	((0 << 0) | (1 << 1) | (1 << 3))	/* LE, 4 KiB pages, anywhere */

	.section .text.head, "ax"
	.global	image_header
image_header:
	b	_start			/* code0: what runs first */
	.long	0			/* code1 */
	.quad	0			/* text_offset from the 2 MiB boundary */
	.quad	__image_size		/* image_size, BSS included (link.ld) */
	.quad	IMAGE_FLAGS
	.quad	0, 0, 0			/* res2, res3, res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE/COFF header */
