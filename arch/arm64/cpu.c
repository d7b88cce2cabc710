/* Per-CPU set-up of the kernel's EL, thread contexts, idle and halt. */
#include <string.h>
#include <picotls.h>
#include <zvm/arch.h>
#include <zvm/kernel.h>
#include <arch/asm.h>
#include <arch/sysreg.h>

#define HCR_RW		(1ul << 31)	/* EL1 is AArch64 */
#define HCR_AMO		(1ul << 5)	/* SError, IRQ and FIQ are taken to EL2 */
#define HCR_IMO		(1ul << 4)
#define HCR_FMO		(1ul << 3)
/*
 * CPTR_EL2: FP/SIMD not trapped (TFP=0: the host's libc uses it, guests'
 * state is switched); SVE (TZ) and SME (TSM) trapped: zvm does not switch
 * their state, and guests do not see them in their ID registers.
 */
#define CPTR_EL2_RES1	0x33ffu
#define CNTHCTL_EL1PCEN	(3u << 0)	/* EL1 may use the physical counter/timer */
#define CPACR_FPEN	(3u << 20)	/* EL1/EL0 FP/SIMD not trapped */
#define TLS_BLOCK	256

static uint8_t tls_blocks[MAX_CPUS][TLS_BLOCK] __attribute__((aligned(64)));

/* Controls every CPU needs before it runs C code with interrupts. */
void arch_cpu_init(int cpu)
{
	extern char kernel_vectors[];

	write_sysreg(VBAR_ELx, (uintptr_t)kernel_vectors);
#ifdef ZVM_EL1
	write_sysreg(cpacr_el1, CPACR_FPEN);
#else
	write_sysreg(hcr_el2, HCR_RW | HCR_AMO | HCR_IMO | HCR_FMO);
	write_sysreg(cptr_el2, CPTR_EL2_RES1);
	write_sysreg(cnthctl_el2, CNTHCTL_EL1PCEN);
	write_sysreg(cntvoff_el2, 0);
#endif /* ZVM_EL1 */
	isb();
	/* picolibc keeps errno in thread-local storage: one block per CPU. */
	if (_tls_size() <= TLS_BLOCK - 16) {
		_init_tls(tls_blocks[cpu]);
		_set_tls(tls_blocks[cpu]);
	}
}

void arch_cpu_self_set(struct k_cpu *cpu)
{
	write_sysreg(TPIDR_ELx, (uintptr_t)cpu);
}

uint64_t arch_cpu_mpidr(void)
{
	return read_sysreg(mpidr_el1) & 0xff00fffffful;
}

void arch_cpu_idle(void)
{
	dsb(sy);
	wfi();
}

void arch_cpu_halt(void)
{
	arch_irq_disable();
	for (;;)
		wfi();
}

void arch_thread_init(struct arch_thread_ctx *ctx, struct k_thread *t,
		      void *stack_top)
{
	extern char arch_thread_trampoline[];

	memset(ctx, 0, sizeof(*ctx));
	ctx->x19_x28[0] = (uintptr_t)t;
	ctx->lr = (uintptr_t)arch_thread_trampoline;
	ctx->sp = (uintptr_t)stack_top;
}
