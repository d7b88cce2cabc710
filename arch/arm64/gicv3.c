/* SPDX-License-Identifier: MIT */
/*
 * GICv3 from the kernel's EL: all interrupts are non-secure Group 1. SPIs are routed to one
 * CPU by affinity; SGIs are the IPIs. The host at EL2 runs in EOImode 1: EOI only drops the
 * priority and every interrupt is deactivated explicitly (ICC_DIR_EL1) after its handler,
 * unless the handler forwarded it to a guest (irq_keep_active): then the guest's own EOI,
 * through a hardware-linked list register, deactivates it. The RTOS guest at EL1 keeps
 * EOImode 0 (EOI also deactivates).
 */
#include <stddef.h>
#include <zvm/arch.h>
#include <zvm/kernel.h>
#include <zvm/sched.h>
#include <zvm/log.h>
#include <arch/el.h>
#include <arch/gicv3.h>
#include <arch/mmio.h>
#include <arch/mmu.h>
#include <arch/sysreg.h>

#define IRQ_PRIO_DEFAULT 0xa0
#ifdef ZVM_EL1
#define SPLIT_EOI 0
#else
#define SPLIT_EOI 1
#endif
#define ICC_DIR_EL1 S3_0_C12_C11_1
#define NR_INTIDS   GIC_INTID_SPURIOUS /* INTIDs a handler can have */

struct irq_slot {
	irq_handler_t handler;
	void *arg;
};

static uintptr_t gicd;
static uintptr_t gicr_base;
static size_t gicr_size;
static uintptr_t gicr_of_cpu[K_MAX_CPUS];
static struct irq_slot irq_table[NR_INTIDS];
static unsigned nr_spis_end;
/* Set by a handler on its CPU: the interrupt being handled stays active. */
static bool keep_active[K_MAX_CPUS];

static void gicd_wait_rwp(void)
{
	while (mmio_read32(gicd + GICD_CTLR) & GICD_CTLR_RWP)
		__asm__ volatile("yield");
}

/* MPIDR affinity packed the way GICR_TYPER[63:32] reports it. */
static uint32_t mpidr_to_gicr_aff(uint64_t mpidr)
{
	return (uint32_t)(((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff));
}

int gic_init(uint64_t gicd_pa, uint64_t gicr_pa, uint64_t gicr_len)
{
	gicd = mmu_map_device(gicd_pa, GICD_FRAME_SIZE);
	gicr_base = mmu_map_device(gicr_pa, gicr_len);
	gicr_size = gicr_len;
	if (!gicd || !gicr_base)
		return -1;
	nr_spis_end = ((mmio_read32(gicd + GICD_TYPER) & GICD_TYPER_ITLINES_MASK) + 1) * 32;
	if (nr_spis_end > NR_INTIDS)
		nr_spis_end = NR_INTIDS;

	mmio_write32(gicd + GICD_CTLR, 0);
	gicd_wait_rwp();
	for (unsigned i = GIC_NR_PRIVATE; i < nr_spis_end; i += 32) {
		mmio_write32(gicd + GICD_ICENABLER + i / 8, ~0u);
		mmio_write32(gicd + GICD_ICPENDR + i / 8, ~0u);
		mmio_write32(gicd + GICD_IGROUPR + i / 8, ~0u);
	}
	for (unsigned i = GIC_NR_PRIVATE; i < nr_spis_end; i += 4)
		mmio_write32(gicd + GICD_IPRIORITYR + i, IRQ_PRIO_DEFAULT * 0x01010101u);
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_EN_GRP1);
	gicd_wait_rwp();
	return 0;
}

static uintptr_t gicr_find(uint64_t mpidr)
{
	uint32_t aff = mpidr_to_gicr_aff(mpidr);

	for (size_t off = 0; off < gicr_size; off += GICR_STRIDE) {
		uint64_t typer = mmio_read64(gicr_base + off + GICR_TYPER);

		if ((typer >> GICR_TYPER_AFF_SHIFT) == aff)
			return gicr_base + off;
		if (typer & GICR_TYPER_LAST)
			break;
	}
	return 0;
}

static void gicr_wake(uintptr_t rd)
{
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_SLEEP);
	while (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_ASLEEP)
		__asm__ volatile("yield");
}

static void gic_cpu_interface_enable(void)
{
	write_sysreg(ICC_SRE_ELx, ICC_SRE_VALUE);
	isb();
	write_sysreg(S3_0_C4_C6_0, ICC_PMR_ALL); /* ICC_PMR_EL1 */
	write_sysreg(S3_0_C12_C12_3, 0);         /* ICC_BPR1_EL1 */
	write_sysreg(S3_0_C12_C12_4,             /* ICC_CTLR_EL1 */
		     SPLIT_EOI ? ICC_CTLR_EOIMODE_1 : ICC_CTLR_EOIMODE_0);
	write_sysreg(S3_0_C12_C12_7, ICC_IGRPEN1_EN); /* ICC_IGRPEN1_EL1 */
	isb();
}

int gic_cpu_init(int cpu)
{
	uintptr_t rd = gicr_find(arch_cpu_mpidr());
	uintptr_t sgi;

	if (!rd)
		return -1;
	gicr_of_cpu[cpu] = rd;
	gicr_wake(rd);
	sgi = rd + GICR_SGI_BASE;
	mmio_write32(sgi + GICR_ICENABLER0, ~0u);
	mmio_write32(sgi + GICR_ICPENDR0, ~0u);
	mmio_write32(sgi + GICR_IGROUPR0, ~0u);
	for (int i = 0; i < GIC_NR_PRIVATE; i += 4)
		mmio_write32(sgi + GICR_IPRIORITYR0 + i, IRQ_PRIO_DEFAULT * 0x01010101u);
	gic_cpu_interface_enable();
	mmio_write32(sgi + GICR_ISENABLER0, 1u << GIC_SGI_RESCHED);
	return 0;
}

int irq_connect(int intid, irq_handler_t handler, void *arg)
{
	if (intid < 0 || intid >= NR_INTIDS)
		return K_EINVAL;
	irq_table[intid].arg = arg;
	irq_table[intid].handler = handler;
	return 0;
}

/* Set bit `intid` in a 1-bit-per-interrupt register bank. */
static void gic_set_bit(uintptr_t bank, int intid)
{
	mmio_write32(bank + (intid / 32) * 4, 1u << (intid % 32));
}

void irq_enable(int intid, int cpu)
{
	if (intid < GIC_NR_PRIVATE) {
		gic_set_bit(gicr_of_cpu[cpu] + GICR_SGI_BASE + GICR_ISENABLER0, intid);
		return;
	}
	irq_route(intid, cpu);
	gic_set_bit(gicd + GICD_ISENABLER, intid);
}

void irq_route(int intid, int cpu)
{
	if (intid >= GIC_NR_PRIVATE)
		mmio_write64(gicd + GICD_IROUTER + intid * 8,
			     k_cpus[cpu].mpidr & GICD_IROUTER_AFF_MASK);
}

void irq_set_edge(int intid)
{
	uintptr_t reg = gicd + GICD_ICFGR + (intid / 16) * 4;

	if (intid < GIC_NR_PRIVATE) /* SGIs are edge; PPIs are configured per CPU */
		return;
	mmio_write32(reg, mmio_read32(reg) | GIC_ICFGR_EDGE << (2 * (intid % 16)));
}

void irq_disable(int intid)
{
	if (intid < GIC_NR_PRIVATE)
		gic_set_bit(gicr_of_cpu[k_cpu_id()] + GICR_SGI_BASE + GICR_ICENABLER0, intid);
	else
		gic_set_bit(gicd + GICD_ICENABLER, intid);
	gicd_wait_rwp();
}

/* ICC_SGI1R_EL1 value that sends `sgi` to the CPU with this MPIDR. */
static uint64_t sgi1r_for(int sgi, uint64_t mpidr)
{
	return ((mpidr >> 32) & ICC_SGI1R_AFF_MASK) << ICC_SGI1R_AFF3_SHIFT |
	       ((mpidr >> 16) & ICC_SGI1R_AFF_MASK) << ICC_SGI1R_AFF2_SHIFT |
	       (uint64_t)sgi << ICC_SGI1R_INTID_SHIFT |
	       ((mpidr >> 8) & ICC_SGI1R_AFF_MASK) << ICC_SGI1R_AFF1_SHIFT | (1u << (mpidr & 0xf));
}

void arch_send_sgi(int sgi, uint32_t cpu_mask)
{
	dsb(ishst);
	for (int cpu = 0; cpu < K_MAX_CPUS; cpu++) {
		if ((cpu_mask & (1u << cpu)) && k_cpus[cpu].online)
			write_sysreg(S3_0_C12_C11_5, sgi1r_for(sgi, k_cpus[cpu].mpidr));
	}
	isb();
}

void irq_keep_active(void)
{
	keep_active[arch_cpu_self()->id] = true; /* from a handler: IRQs masked */
}

void irq_deactivate(int intid)
{
	write_sysreg(ICC_DIR_EL1, (uint64_t)intid);
	isb();
}

uintptr_t gic_ppi_isactiver(void)
{
	return gicr_of_cpu[k_cpu_id()] + GICR_SGI_BASE + GICR_ISACTIVER0;
}

uintptr_t gic_spi_isactiver(int intid)
{
	return gicd + GICD_ISACTIVER + (uintptr_t)(intid / 32) * 4;
}

void irq_set_active(int intid)
{
	if (intid < GIC_NR_PRIVATE)
		gic_set_bit(gicr_of_cpu[k_cpu_id()] + GICR_SGI_BASE + GICR_ISACTIVER0, intid);
}

void irq_clear_active(int intid)
{
	if (intid >= GIC_NR_PRIVATE)
		gic_set_bit(gicd + GICD_ICACTIVER, intid);
}

/*
 * After the handler: drop the priority, and in EOImode 1 deactivate (unless kept).
 * Not inlined: gic_handle_irqs keeps its short prologue (the handler is reached as
 * fast as before EOImode 1, host-kernel latencies unchanged).
 */
static __attribute__((noinline)) void gic_end_irq(uint32_t intid)
{
	bool *keep = &keep_active[arch_cpu_self()->id]; /* IRQs masked here */

	write_sysreg(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1 */
	if (SPLIT_EOI && !*keep)
		write_sysreg(ICC_DIR_EL1, intid);
	*keep = false;
}

void gic_handle_irqs(void)
{
	for (;;) {
		/* ICC_IAR1_EL1: acknowledge the most urgent pending interrupt */
		uint32_t intid = read_sysreg(S3_0_C12_C12_0) & ICC_IAR_INTID_MASK;

		if (intid >= GIC_INTID_SPURIOUS)
			return;
		arch_cpu_self()->irqs++;
		if (intid < NR_INTIDS && irq_table[intid].handler)
			irq_table[intid].handler(intid, irq_table[intid].arg);
		gic_end_irq(intid);
	}
}
