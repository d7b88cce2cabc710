/* SPDX-License-Identifier: MIT */
/*
 * The architecture layer for host tests (tests/unit/fake/fake.h): system
 * registers are a table of named values, barriers do nothing, the counter is
 * the fake kernel's clock, and the vCPU/stage-2 operations keep counts.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/arch.h>
#include <zvm/sched.h>
#include <zvm/vmem.h>
#include <arch/stage2.h>
#include <arch/vcpu.h>
#include <arch/mmio.h>
#include <arch/mmu.h>
#include "fake.h"

#define SYSREG_MAX         64
#define SYSREG_NAME_LEN    24
#define PSTATE_EL1H_MASKED 0x3c5
#define VMPIDR_RES1        (1ull << 31)

struct fake_sysreg {
	char name[SYSREG_NAME_LEN];
	uint64_t value;
};

static struct fake_sysreg sysregs[SYSREG_MAX];
struct fake_arch fake_arch;
int fake_irqs_masked;

void fake_arch_reset(void)
{
	memset(sysregs, 0, sizeof(sysregs));
	memset(&fake_arch, 0, sizeof(fake_arch));
	fake_irqs_masked = 0;
	fake_irq_pending = 0;
}

static struct fake_sysreg *sysreg_slot(const char *name, bool create)
{
	for (int i = 0; i < SYSREG_MAX && sysregs[i].name[0]; i++)
		if (!strcmp(sysregs[i].name, name))
			return &sysregs[i];
	for (int i = 0; create && i < SYSREG_MAX; i++) {
		if (!sysregs[i].name[0]) {
			snprintf(sysregs[i].name, SYSREG_NAME_LEN, "%s", name);
			return &sysregs[i];
		}
	}
	if (create) {
		fprintf(stderr, "fake: more than %d system registers\n", SYSREG_MAX);
		abort();
	}
	return NULL;
}

uint64_t fake_sysreg_read(const char *name)
{
	struct fake_sysreg *r = sysreg_slot(name, false);

	return r ? r->value : 0;
}

void fake_sysreg_write(const char *name, uint64_t value)
{
	sysreg_slot(name, true)->value = value;
}

struct k_cpu *fake_cpu_self(void)
{
	return &k_cpus[0];
}

uint64_t fake_counter_read(void)
{
	return fake_kernel.now;
}

uint64_t arch_counter_freq(void)
{
	return FAKE_COUNTER_HZ;
}

/* ---- stage 2 ---- */

uint64_t arch_s2_vtcr(void)
{
	return FAKE_VTCR;
}

uint64_t arch_s2_vttbr(const struct vmem *s2, uint16_t vmid)
{
	return ((uint64_t)vmid << 48) | (s2->root ? (uintptr_t)s2->root : 0);
}

void arch_s2_flush_vmid(uint16_t vmid, const struct vmem *s2)
{
	(void)s2;
	fake_arch.s2_flush_vmid++;
	fake_arch.last_flushed_vmid = vmid;
}

void arch_s2_flush_all(void)
{
	fake_arch.s2_flush_all++;
}

/* ---- vCPUs ---- */

/* The guest's EL1 state lives in ctx only: the fake CPU has no EL1. */
void vcpu_arch_load(struct vcpu_arch *ctx)
{
	(void)ctx;
}

void vcpu_arch_put(struct vcpu_arch *ctx)
{
	(void)ctx;
}

/* Architectural reset (as arch/arm64/virt/vcpu_arch.c): EL1h, DAIF masked. */
void vcpu_arch_reset(struct vcpu_arch *ctx, uint64_t pc, uint64_t arg, uint64_t vmpidr)
{
	memset(ctx, 0, offsetof(struct vcpu_arch, vttbr)); /* the VM's part stays */
	ctx->regs.x[0] = arg;
	ctx->regs.elr = pc;
	ctx->regs.spsr = PSTATE_EL1H_MASKED;
	ctx->vmpidr = VMPIDR_RES1 | vmpidr;
	fake_arch.vcpu_resets++;
}

void vcpu_arch_trap_wfi(struct vcpu_arch *ctx, bool trap)
{
	(void)ctx;
	(void)trap;
}

/* Lazy FP: the fake CPU has no FP registers to switch; claims are counted. */
void vcpu_arch_fp_enter(struct vcpu_arch *ctx)
{
	(void)ctx;
}

void vcpu_arch_fp_exit(struct vcpu_arch *ctx)
{
	(void)ctx;
}

void vcpu_arch_fp_claim(struct vcpu_arch *ctx)
{
	(void)ctx;
	fake_arch.fp_claims++;
}

uint64_t guest_enter(struct vcpu_arch *ctx)
{
	fake_arch.guest_entries++;
	if (!fake_arch.guest) {
		fprintf(stderr, "fake: guest_enter without fake_arch.guest\n");
		abort();
	}
	return fake_arch.guest(ctx);
}

void arch_dcache_flush_range(const void *start, uint64_t size)
{
	(void)start;
	(void)size;
	fake_arch.dcache_flushes++;
}

/* The EL1 physical timer: off (virt/ptimer.c's tests would set it). */
bool arch_ptimer_ticks_left(uint64_t *ticks)
{
	(void)ticks;
	return false;
}
void arch_ptimer_stop(void)
{
}

void arch_dcache_clean_range(const void *start, uint64_t size)
{
	(void)start;
	(void)size;
	fake_arch.dcache_cleans++;
}

/* ---- interrupts ---- */

void arch_send_sgi(int sgi, uint32_t cpu_mask)
{
	fake_arch.sgis++;
	fake_arch.last_sgi = sgi;
	fake_arch.last_sgi_mask = cpu_mask;
}

int irq_connect(int intid, irq_handler_t handler, void *arg)
{
	fake_arch.irq_intid = intid;
	fake_arch.irq_handler = handler;
	fake_arch.irq_arg = arg;
	fake_arch.irq_enabled = false;
	return 0;
}

void irq_enable(int intid, int cpu)
{
	if (intid == fake_arch.irq_intid) {
		fake_arch.irq_enabled = true;
		fake_arch.irq_cpu = cpu;
	}
}

void irq_route(int intid, int cpu)
{
	if (intid == fake_arch.irq_intid)
		fake_arch.irq_cpu = cpu;
}

void irq_disable(int intid)
{
	if (intid == fake_arch.irq_intid)
		fake_arch.irq_enabled = false;
}

int fake_irq_fire(int intid)
{
	if (!fake_arch.irq_handler || !fake_arch.irq_enabled || intid != fake_arch.irq_intid)
		return 0;
	fake_arch.irq_handler(intid, fake_arch.irq_arg);
	return 1;
}

/* ---- devices ---- */

uint64_t fake_mmio_read(uintptr_t addr, unsigned width)
{
	fake_arch.mmio_reads++;
	return fake_arch.mmio ? fake_arch.mmio->read(addr, width) : 0;
}

void fake_mmio_write(uintptr_t addr, unsigned width, uint64_t v)
{
	fake_arch.mmio_writes++;
	if (fake_arch.mmio)
		fake_arch.mmio->write(addr, width, v);
}

uintptr_t mmu_map_device(uint64_t pa, size_t size)
{
	(void)size;
	fake_arch.device_maps++;
	return (uintptr_t)pa;
}

void irq_keep_active(void)
{
	fake_arch.irqs_kept++;
}

void irq_clear_active(int intid)
{
	(void)intid;
	fake_arch.irqs_cleared++;
}

void irq_set_edge(int intid)
{
	(void)intid;
}

int fake_irq_pending;

void arch_irq_dispatch(void)
{
	fake_arch.irq_dispatches++;
	fake_irq_pending = 0;
}

void fake_reset(void)
{
	fake_arch_reset();
	fake_kernel_reset();
	fake_log_reset();
}
