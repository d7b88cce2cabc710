/* The guest state of one vCPU that zvm saves and restores (EL1 + EL0 view). */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

/* Offsets into struct vcpu_arch for guest.S; checked by asserts in vcpu_arch.c. */
#define VCPU_REGS		0	/* struct arch_regs: x0..x30, sp, elr, spsr */
#define VCPU_PC			256
#define VCPU_PSTATE		264
#define VCPU_FP			272	/* q0..q31, fpsr, fpcr */
#define VCPU_FPSR		(VCPU_FP + 512)
#define VCPU_ESR		800
#define VCPU_FAR		808
#define VCPU_HPFAR		816

/* Exit kinds returned by guest_enter(): the vector slot that was taken. */
#define GUEST_EXIT_SYNC		8
#define GUEST_EXIT_IRQ		9
#define GUEST_EXIT_FIQ		10
#define GUEST_EXIT_SERROR	11

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>
#include <arch/regs.h>

/* EL1 system registers switched when a vCPU thread leaves or gets a CPU. */
enum vcpu_sysreg {
	SR_SCTLR, SR_TTBR0, SR_TTBR1, SR_TCR, SR_MAIR, SR_AMAIR, SR_VBAR,
	SR_CONTEXTIDR, SR_TPIDR_EL0, SR_TPIDRRO_EL0, SR_TPIDR_EL1, SR_SP_EL0,
	SR_SP_EL1, SR_ELR_EL1, SR_SPSR_EL1, SR_ESR, SR_FAR, SR_AFSR0, SR_AFSR1,
	SR_PAR, SR_CPACR, SR_CNTKCTL, SR_CSSELR, SR_MDSCR, SR_CNTV_CTL,
	SR_CNTV_CVAL,
	/* Pointer authentication keys, switched when the CPU has them. */
	SR_APIAKEYLO, SR_APIAKEYHI, SR_APIBKEYLO, SR_APIBKEYHI, SR_APDAKEYLO,
	SR_APDAKEYHI, SR_APDBKEYLO, SR_APDBKEYHI, SR_APGAKEYLO, SR_APGAKEYHI,
	NR_VCPU_SYSREGS,
};

struct vcpu_fpsimd {
	__uint128_t q[32];
	uint64_t fpsr;
	uint64_t fpcr;
};

struct vcpu_arch {
	struct arch_regs regs;		/* x0-x30, (unused sp), pc (elr), pstate (spsr) */
	struct vcpu_fpsimd fp;		/* saved on every exit: the host's libc uses FP */
	uint64_t esr;			/* the last exit */
	uint64_t far;
	uint64_t hpfar;
	uint64_t sysregs[NR_VCPU_SYSREGS];
	uint64_t hcr;
	uint64_t vmpidr;
	uint64_t vttbr;
	uint64_t vtcr;
	uint64_t cntvoff;
};

/** Enter the guest with ctx; returns on the next exit with its GUEST_EXIT_* kind. */
uint64_t guest_enter(struct vcpu_arch *ctx);
/** Put the vCPU's EL1 registers and timer into the CPU (its thread got the CPU). */
void vcpu_arch_load(struct vcpu_arch *ctx);
/** Save them back and silence its timer (its thread leaves the CPU). */
void vcpu_arch_put(struct vcpu_arch *ctx);
/** What the guest reads from ID register (op0 3, op1 0, CRn 0, crm, op2). */
uint64_t vcpu_arch_id_reg(unsigned crm, unsigned op2);
/** Trap the guest's WFI (true) or let it sleep in hardware (false). */
void vcpu_arch_trap_wfi(struct vcpu_arch *ctx, bool trap);
/** Reset to the architectural state of a CPU entering at pc with x0 = arg. */
void vcpu_arch_reset(struct vcpu_arch *ctx, uint64_t pc, uint64_t arg, uint64_t vmpidr);
/** Make freshly written guest memory visible to a guest running with caches off. */
void arch_dcache_clean_range(const void *start, uint64_t size);
#endif /* __ASSEMBLER__ */

#endif /* ARCH_VCPU_H */
