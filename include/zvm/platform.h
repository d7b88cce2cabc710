/* Facts about the machine, read from the devicetree the firmware (QEMU) hands over. */
#ifndef ZVM_PLATFORM_H
#define ZVM_PLATFORM_H

#include <stdint.h>
#include <zvm/kernel.h>

enum psci_conduit { PSCI_NONE, PSCI_SMC, PSCI_HVC };

struct platform {
	const void *fdt;
	uint32_t fdt_size;
	uint64_t ram_base;
	uint64_t ram_size;
	uint64_t gicd_base;
	uint64_t gicr_base;
	uint64_t gicr_size;
	int gic_maint_intid;
	uint64_t uart_base;
	int uart_intid;
	int timer_hyp_intid;		/* EL2 physical timer (CNTHP) */
	int timer_virt_intid;		/* EL1 virtual timer */
	int timer_phys_intid;		/* EL1 physical timer */
	int ncpus;
	int boot_cpus;			/* CPUs to start: ncpus, or bootargs "maxcpus=N" */
	uint64_t cpu_mpidr[K_MAX_CPUS];
	enum psci_conduit psci;
	char model[48];
};

extern struct platform platform;

/** Parse the DTB at `fdt`; returns 0, or a negative error with a message printed. */
int platform_init(const void *fdt);

#endif /* ZVM_PLATFORM_H */
