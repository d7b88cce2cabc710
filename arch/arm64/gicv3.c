/*
 * GICv3 from the kernel's EL: all interrupts are non-secure Group 1, EOImode 0 (EOI also
 * deactivates). SPIs are routed to one CPU by affinity; SGIs are the IPIs.
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

#define GICD_CTLR		0x0000
#define GICD_TYPER		0x0004
#define GICD_IGROUPR		0x0080
#define GICD_ISENABLER		0x0100
#define GICD_ICENABLER		0x0180
#define GICD_ICPENDR		0x0280
#define GICD_IPRIORITYR		0x0400
#define GICD_ICFGR		0x0c00
#define GICD_IROUTER		0x6000
#define GICD_CTLR_RWP		(1u << 31)
#define GICD_CTLR_ARE		(1u << 4)
#define GICD_CTLR_GRP1		(1u << 1)

#define GICR_FRAME		0x20000
#define GICR_TYPER		0x0008
#define GICR_WAKER		0x0014
#define GICR_TYPER_LAST		(1u << 4)
#define GICR_WAKER_SLEEP	(1u << 1)
#define GICR_WAKER_ASLEEP	(1u << 2)
#define GICR_SGI		0x10000	/* SGI_base frame */

#define IRQ_PRIO_DEFAULT	0xa0
#define NR_INTIDS		1020

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
	gicd = mmu_map_device(gicd_pa, 0x10000);
	gicr_base = mmu_map_device(gicr_pa, gicr_len);
	gicr_size = gicr_len;
	if (!gicd || !gicr_base)
		return -1;
	nr_spis_end = ((mmio_read32(gicd + GICD_TYPER) & 0x1f) + 1) * 32;
	if (nr_spis_end > NR_INTIDS)
		nr_spis_end = NR_INTIDS;

	mmio_write32(gicd + GICD_CTLR, 0);
	gicd_wait_rwp();
	for (unsigned i = 32; i < nr_spis_end; i += 32) {
		mmio_write32(gicd + GICD_ICENABLER + i / 8, ~0u);
		mmio_write32(gicd + GICD_ICPENDR + i / 8, ~0u);
		mmio_write32(gicd + GICD_IGROUPR + i / 8, ~0u);
	}
	for (unsigned i = 32; i < nr_spis_end; i += 4)
		mmio_write32(gicd + GICD_IPRIORITYR + i, IRQ_PRIO_DEFAULT * 0x01010101u);
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
	gicd_wait_rwp();
	return 0;
}

static uintptr_t gicr_find(uint64_t mpidr)
{
	uint32_t aff = mpidr_to_gicr_aff(mpidr);

	for (size_t off = 0; off < gicr_size; off += GICR_FRAME) {
		uint64_t typer = mmio_read64(gicr_base + off + GICR_TYPER);

		if ((typer >> 32) == aff)
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
	write_sysreg(S3_0_C4_C6_0, 0xff);	/* ICC_PMR_EL1: let every priority in */
	write_sysreg(S3_0_C12_C12_3, 0);	/* ICC_BPR1_EL1 */
	write_sysreg(S3_0_C12_C12_4, 0);	/* ICC_CTLR_EL1: EOImode 0 */
	write_sysreg(S3_0_C12_C12_7, 1);	/* ICC_IGRPEN1_EL1 */
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
	sgi = rd + GICR_SGI;
	mmio_write32(sgi + GICD_ICENABLER, ~0u);
	mmio_write32(sgi + GICD_ICPENDR, ~0u);
	mmio_write32(sgi + GICD_IGROUPR, ~0u);
	for (int i = 0; i < 32; i += 4)
		mmio_write32(sgi + GICD_IPRIORITYR + i, IRQ_PRIO_DEFAULT * 0x01010101u);
	gic_cpu_interface_enable();
	mmio_write32(sgi + GICD_ISENABLER, 1u << GIC_SGI_RESCHED);
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
	if (intid < 32) {
		gic_set_bit(gicr_of_cpu[cpu] + GICR_SGI + GICD_ISENABLER, intid);
		return;
	}
	mmio_write64(gicd + GICD_IROUTER + intid * 8, k_cpus[cpu].mpidr & 0xff00fffffful);
	gic_set_bit(gicd + GICD_ISENABLER, intid);
}

void irq_set_edge(int intid)
{
	uintptr_t reg = gicd + GICD_ICFGR + (intid / 16) * 4;

	if (intid < 32)		/* SGIs are edge; PPIs are configured per CPU */
		return;
	mmio_write32(reg, mmio_read32(reg) | 2u << (2 * (intid % 16)));
}

void irq_disable(int intid)
{
	if (intid < 32)
		gic_set_bit(gicr_of_cpu[k_cpu_id()] + GICR_SGI + GICD_ICENABLER, intid);
	else
		gic_set_bit(gicd + GICD_ICENABLER, intid);
	gicd_wait_rwp();
}

/* ICC_SGI1R_EL1 value that sends `sgi` to the CPU with this MPIDR. */
static uint64_t sgi1r_for(int sgi, uint64_t mpidr)
{
	return ((mpidr >> 32) & 0xff) << 48 | ((mpidr >> 16) & 0xff) << 32 |
	       (uint64_t)sgi << 24 | ((mpidr >> 8) & 0xff) << 16 |
	       (1u << (mpidr & 0xf));
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

void gic_handle_irqs(void)
{
	for (;;) {
		uint32_t intid = read_sysreg(S3_0_C12_C12_0) & 0xffffff; /* ICC_IAR1_EL1 */

		if (intid >= GIC_SPURIOUS)
			return;
		arch_cpu_self()->irqs++;
		if (intid < NR_INTIDS && irq_table[intid].handler)
			irq_table[intid].handler(intid, irq_table[intid].arg);
		write_sysreg(S3_0_C12_C12_1, intid);	/* ICC_EOIR1_EL1 */
	}
}
