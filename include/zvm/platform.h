/* SPDX-License-Identifier: MIT */
/*
 * Facts about the machine, read from the devicetree the firmware (QEMU, or a
 * board's U-Boot) hands over. platform_init() writes every field once, on
 * the boot CPU before any other CPU runs; after that they are read-only.
 */
#ifndef ZVM_PLATFORM_H
#define ZVM_PLATFORM_H

#include <stdint.h>
#include <zvm/kernel.h>

#define PLATFORM_MAX_BANKS    8  /* DRAM banks recorded */
#define PLATFORM_MAX_RESERVED 16 /* reserved-memory regions recorded */

enum psci_conduit { PSCI_NONE, PSCI_SMC, PSCI_HVC };

/** The console UART's programming model (drivers/uart.c picks the driver by it). */
enum uart_type {
	UART_PL011,   /* arm,pl011 */
	UART_NS16550, /* ns16550a, ns16550: an 8250 with FIFOs */
	UART_DW_APB,  /* snps,dw-apb-uart: a 16550 plus USR and busy detect */
};

/** A physical address range [base, base + size). */
struct mem_range {
	uint64_t base;
	uint64_t size;
};

/** The console UART, from the node that /chosen/stdout-path names. */
struct platform_uart {
	enum uart_type type;
	uint64_t base;
	int intid;
	unsigned reg_shift;    /* register n at base + (n << reg_shift) */
	unsigned reg_io_width; /* bytes per access: 1 or 4 */
	uint32_t clock_hz;     /* 0: unknown, keep the firmware's divisor */
	uint32_t baud;         /* from stdout-path's options; 0: keep */
};

struct platform {
	const void *fdt;
	uint32_t fdt_size;
	/* Every DRAM bank (memory nodes, each reg entry) and every reservation. */
	int nbanks;
	struct mem_range bank[PLATFORM_MAX_BANKS];
	int nreserved;
	struct mem_range reserved[PLATFORM_MAX_RESERVED];
	/*
	 * The RAM zvm uses: the part of the bank holding its image that no
	 * reservation cuts off. The other banks are recorded, not used yet.
	 */
	uint64_t ram_base;
	uint64_t ram_size;
	uint64_t gicd_base;
	uint64_t gicr_base;
	uint64_t gicr_size;
	uint64_t gicr_stride;  /* redistributor-stride, 0x20000 when absent */
	uint64_t gic_its_base; /* first arm,gic-v3-its, 0 = none (never used) */
	int gic_maint_intid;
	struct platform_uart uart;
	int timer_hyp_intid;  /* EL2 physical timer (CNTHP) */
	int timer_virt_intid; /* EL1 virtual timer */
	int timer_phys_intid; /* EL1 physical timer */
	int ncpus;
	int boot_cpus;                  /* CPUs to start: ncpus, or bootargs "maxcpus=N" */
	uint64_t cpu_mpidr[K_MAX_CPUS]; /* the reg of each cpu node, in DTB order */
	enum psci_conduit psci;
	char model[48];
};

extern struct platform platform;

/**
 * Parse the DTB at `fdt` for an image loaded at `image_base`; returns 0, or
 * a negative error with a message printed that says what the board lacks.
 */
int platform_init(const void *fdt, uint64_t image_base);

/* The parts of platform_init (platform/): each fills its fields, 0 or -1 with a message. */
int platform_parse_memory(const void *fdt, uint64_t image_base);
int platform_parse_uart(const void *fdt);
int platform_parse_gic(const void *fdt);

#endif /* ZVM_PLATFORM_H */
