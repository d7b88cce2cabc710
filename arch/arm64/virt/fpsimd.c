/* SPDX-License-Identifier: MIT */
/*
 * Lazy FP/SIMD: a guest's FP/SIMD registers are loaded into the CPU only
 * when it first uses them (CPTR_EL2.TFP traps that use), and saved only
 * when the host uses FP/SIMD itself (its C library does, trapped the same
 * way) or the vCPU's thread leaves the CPU. Exits of a guest that does not
 * touch FP/SIMD, and exits whose handling does not, switch nothing.
 *
 * fp_owner[cpu]: the vCPU whose registers the CPU's FP/SIMD file holds, or
 * NULL; only ever the vCPU whose thread runs there. Written on its CPU with
 * IRQs masked, or in the FP trap handler there. CPTR_EL2.TFP is set while
 * the CPU runs host code and has an owner, or runs a guest that is not the
 * owner; clear otherwise (kept set between exits of a guest that never
 * uses FP, so they write nothing).
 */
#include <stddef.h>
#include <zvm/kernel.h>
#include <zvm/sched.h>
#include <arch/cpu.h>
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <arch/vcpu.h>

#define CPTR_TFP (1ul << 10)

static struct vcpu_arch *fp_owner[K_MAX_CPUS];
static bool tfp_set[K_MAX_CPUS];

void fpsimd_save(struct vcpu_fpsimd *fp);
void fpsimd_load(const struct vcpu_fpsimd *fp);

static void tfp(int cpu, bool set)
{
	uint64_t cptr;

	if (tfp_set[cpu] == set)
		return;
	tfp_set[cpu] = set;
	cptr = read_sysreg(cptr_el2);
	write_sysreg(cptr_el2, set ? cptr | CPTR_TFP : cptr & ~CPTR_TFP);
	isb();
}

/* This CPU's index; callers run with IRQs masked or in the trap handler. */
static int cpu_here(void)
{
	return arch_cpu_self()->id;
}

void vcpu_arch_fp_enter(struct vcpu_arch *ctx)
{
	int cpu = cpu_here();

	tfp(cpu, fp_owner[cpu] != ctx);
}

void vcpu_arch_fp_exit(struct vcpu_arch *ctx)
{
	int cpu = cpu_here();

	if (fp_owner[cpu] == ctx)
		tfp(cpu, true);
}

void vcpu_arch_fp_claim(struct vcpu_arch *ctx)
{
	uint64_t key = arch_irq_save();
	int cpu = k_cpu_id();

	if (fp_owner[cpu] != ctx) {
		tfp(cpu, false);
		if (fp_owner[cpu])
			fpsimd_save(&fp_owner[cpu]->fp);
		fpsimd_load(&ctx->fp);
		fp_owner[cpu] = ctx;
		tfp(cpu, true);
	}
	arch_irq_restore(key);
}

void vcpu_arch_fp_put(struct vcpu_arch *ctx, bool keep)
{
	int cpu = k_cpu_id();

	if (fp_owner[cpu] != ctx)
		return;
	tfp(cpu, false);
	if (keep)
		fpsimd_save(&ctx->fp);
	fp_owner[cpu] = NULL;
}

void arch_fp_host_trap(void)
{
	int cpu = k_cpu_id();

	tfp(cpu, false);
	if (fp_owner[cpu]) {
		fpsimd_save(&fp_owner[cpu]->fp);
		fp_owner[cpu] = NULL;
	}
}
