/* SPDX-License-Identifier: MIT */
/*
 * The arch part of a vCPU (struct vcpu's `arch`): the guest state zvm
 * saves and restores (EL1 + EL0 view), the VM's stage-2 and time registers
 * it loads, and the state of the vCPU's GIC CPU interface and timer line.
 */
#ifndef ARCH_VCPU_H
#define ARCH_VCPU_H

/* Offsets into struct vcpu_arch for guest.S; checked by asserts in vcpu_arch.c. */
#define VCPU_REGS   0 /* struct arch_regs: x0..x30, sp, elr, spsr */
#define VCPU_PC     256
#define VCPU_PSTATE 264
#define VCPU_FP     272 /* q0..q31, fpsr, fpcr */
#define VCPU_FPSR   (VCPU_FP + 512)
#define VCPU_ESR    800
#define VCPU_FAR    808
#define VCPU_HPFAR  816

/* struct vcpu_fast (the exit fast path of guest.S), right after hpfar, and its fields. */
#define VCPU_FAST       824
#define FAST_HW_SLOTS   4  /* hardware-linked PPIs and SPIs the fast path forwards */
#define FAST_HW_LR      0  /* uint64_t[FAST_HW_SLOTS] */
#define FAST_HW_INTID   32 /* uint64_t[FAST_HW_SLOTS] */
#define FAST_HW_BIT     64 /* uint64_t[FAST_HW_SLOTS] */
#define FAST_HW_ACTIVER 96 /* uint64_t[FAST_HW_SLOTS] */
#define FAST_LR_INDEX   128
#define FAST_LR_WRITTEN 136
#define FAST_IRQS       144
#define FAST_HVCS       152
#define FAST_SYSREGS    160
#define FAST_SGI_SELF   168 /* ICC_SGI1R_EL1 value (INTID 0) sending to this vCPU only */
#define FAST_SGI_LR     176 /* uint64_t[16] */
#define FAST_NONE       0xffffffffffffffff /* hw_intid of an unused slot: matches no INTID */
#define FAST_ICPENDR    (-0x80)    /* ICPENDR from ISACTIVER, in the GICD and a GICR's SGI frame */
#define FAST_EC_HVC64   0x16       /* ESR_EL2.EC of an HVC (EC_HVC64) */
#define FAST_HC_NULL    0xc6000000 /* the one hypercall answered in the vector (ZVM_HC_NULL) */
#define FAST_EC_SYSREG  0x18       /* ESR_EL2.EC of a trapped MSR/MRS (EC_SYSREG) */
#define FAST_ISS_SGI1R  0x3a3016   /* ESR ISS [21:0] but Rt: an MSR ICC_SGI1R_EL1 (write) */

/* Exit kinds returned by guest_enter(): the vector slot that was taken. */
#define GUEST_EXIT_SYNC   8
#define GUEST_EXIT_IRQ    9
#define GUEST_EXIT_FIQ    10
#define GUEST_EXIT_SERROR 11

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>
#include <zvm/vgic.h>
#include <arch/regs.h>

struct vm_arch;

#define VCPU_MAX_BPS 16 /* breakpoints, and watchpoints: the architecture's most */

/* EL1 system registers switched when a vCPU thread leaves or gets a CPU. */
enum vcpu_sysreg {
	SR_SCTLR,
	SR_TTBR0,
	SR_TTBR1,
	SR_TCR,
	SR_MAIR,
	SR_AMAIR,
	SR_VBAR,
	SR_CONTEXTIDR,
	SR_TPIDR_EL0,
	SR_TPIDRRO_EL0,
	SR_TPIDR_EL1,
	SR_SP_EL0,
	SR_SP_EL1,
	SR_ELR_EL1,
	SR_SPSR_EL1,
	SR_ESR,
	SR_FAR,
	SR_AFSR0,
	SR_AFSR1,
	SR_PAR,
	SR_CPACR,
	SR_CNTKCTL,
	SR_CSSELR,
	SR_MDSCR,
	SR_CNTV_CTL,
	SR_CNTV_CVAL,
	SR_CNTP_CTL, /* the EL1 physical timer (ptimer_hw.c) */
	SR_CNTP_CVAL,
	SR_MDCCINT, /* debug (debug_switch.c) */
	SR_DBGCLAIM,
	SR_OSDLR,
	SR_OSLK,     /* OSLSR_EL1.OSLK, restored through OSLAR_EL1 */
	SR_VDISR,    /* what the guest reads as DISR_EL1 (RAS) */
	SR_SCXTNUM0, /* software context numbers, when the CPU has them */
	SR_SCXTNUM1,
	/* Pointer authentication keys, switched when the CPU has them. */
	SR_APIAKEYLO,
	SR_APIAKEYHI,
	SR_APIBKEYLO,
	SR_APIBKEYHI,
	SR_APDAKEYLO,
	SR_APDAKEYHI,
	SR_APDBKEYLO,
	SR_APDBKEYHI,
	SR_APGAKEYLO,
	SR_APGAKEYHI,
	NR_VCPU_SYSREGS,
};

/*
 * What the exit fast path of guest.S needs to answer an exit in the vector
 * (docs/vgic.md, "The fast path"). Written on the vCPU's CPU with IRQs
 * masked: the slots and lr_index by the vGIC (vgic_flush), lr_written by guest.S and vgic_sync (which reconciles the LR
 * it names), irqs/hvcs by guest.S and vcpu_exit_fast (which adds them to
 * the VM's exit counts and zeroes them). One exception: any thread of the
 * VM that emulates a distributor write may set a passed-through SPI's
 * hw_lr to 0 (vgic_fast_disarm, an atomic store), never anything else.
 */
struct vcpu_fast {
	uint64_t hw_lr[FAST_HW_SLOTS];      /* the LR forwarding the slot's interrupt, 0: not now */
	uint64_t hw_intid[FAST_HW_SLOTS];   /* its physical INTID, FAST_NONE: unused */
	uint64_t hw_bit[FAST_HW_SLOTS];     /* 1 << (that INTID % 32), for its ISACTIVER */
	uint64_t hw_activer[FAST_HW_SLOTS]; /* where: GICR_ISACTIVER0 or GICD_ISACTIVERn */
	uint64_t lr_index;                  /* the LR it may write: the first the flush left free */
	uint64_t lr_written;                /* it wrote LR lr_index since the last vgic_sync */
	uint64_t irqs;                      /* IRQ exits it answered, not yet counted */
	uint64_t hvcs;                      /* HVC exits it answered, not yet counted */
	uint64_t sysregs;                   /* ICC_SGI1R_EL1 writes it answered, not yet counted */
	uint64_t sgi_self;   /* the SGI1R value (INTID 0) that targets this vCPU only */
	uint64_t sgi_lr[16]; /* the LR delivering SGI n to this vCPU, 0: not now */
};

struct vcpu_fpsimd {
	__uint128_t q[32];
	uint64_t fpsr;
	uint64_t fpcr;
};

/*
 * Written only by the vCPU's own thread (and the exception entry/exit of
 * guest.S on its behalf), except while that thread cannot run: vm.c's
 * set-up and start (vcpu_arch_init, vcpu_arch_reset, vcpu_arch_set_cntvoff)
 * and the resume of a paused VM (vcpu_arch_set_cntvoff). A PSCI CPU_ON is
 * applied by the target's own thread (vcpu_boot_self in virt/vcpu.c).
 * `vgic` has its own locking rules (virt/vgic/vgic.c); include/zvm/vm.h
 * has the whole list.
 */
struct vcpu_arch {
	/* vcpu_arch_reset() zeroes from here to `vttbr`: the CPU's reset state. */
	struct arch_regs regs; /* x0-x30, (unused sp), pc (elr), pstate (spsr) */
	struct vcpu_fpsimd fp; /* while not in the CPU (lazy: fpsimd.c) */
	uint64_t esr;          /* the last exit */
	uint64_t far;
	uint64_t hpfar;
	struct vcpu_fast fast; /* the exit fast path's (guest.S) */
	uint64_t sysregs[NR_VCPU_SYSREGS];
	uint64_t dbg_bvr[VCPU_MAX_BPS]; /* breakpoints and watchpoints (debug_switch.c) */
	uint64_t dbg_bcr[VCPU_MAX_BPS];
	uint64_t dbg_wvr[VCPU_MAX_BPS];
	uint64_t dbg_wcr[VCPU_MAX_BPS];
	uint64_t hcr;
	uint64_t vmpidr;
	/* The VM's, copied in by vcpu_arch_init() and kept across resets. */
	uint64_t vttbr;
	uint64_t vtcr;
	uint64_t cntvoff; /* vcpu_arch_set_cntvoff() */
	/* Not loaded into the CPU by guest.S or vcpu_arch_load(). */
	struct vgic_vcpu vgic; /* its redistributor and list registers (virt/vgic/) */
	bool sw_flushed;       /* set/way: the VM's RAM was cleaned since the last other exit */
};

/** Take the VM's stage 2 and guest time into a new vCPU (before its first reset). */
void vcpu_arch_init(struct vcpu_arch *ctx, const struct vm_arch *vm);
/** Guest time of the vCPU = counter - cntvoff, from its next load (the vCPU is not running). */
void vcpu_arch_set_cntvoff(struct vcpu_arch *ctx, uint64_t cntvoff);
/** Enter the guest with ctx; returns on the next exit with its GUEST_EXIT_* kind. */
uint64_t guest_enter(struct vcpu_arch *ctx);
/** Put the vCPU's EL1 registers and timer into the CPU (its thread got the CPU). */
void vcpu_arch_load(struct vcpu_arch *ctx);
/** Save them back and silence its timer (its thread leaves the CPU). */
void vcpu_arch_put(struct vcpu_arch *ctx);
/** What the guest reads from ID register (op0 3, op1 0, CRn 0, crm, op2). */
uint64_t vcpu_arch_id_reg(unsigned crm, unsigned op2);
/** CPACR_EL1 as the guest reads it (SVE/SME enables hidden). */
uint64_t vcpu_arch_cpacr_read(void);
/** A guest write of CPACR_EL1 (SVE/SME enables kept on: EL2 traps those). */
void vcpu_arch_cpacr_write(uint64_t value);
/** REVIDR_EL1 (op1 0) or AIDR_EL1 (op1 1, op2 7) into *value; false for others. */
bool vcpu_arch_id1_reg(unsigned op1, unsigned op2, uint64_t *value);
/** Whether unimplemented ID registers give EC 0x18, not 0 (FEAT_IDST). */
bool vcpu_arch_has_idst(void);
/** Trap the guest's WFI (true) or let it sleep in hardware (false). */
void vcpu_arch_trap_wfi(struct vcpu_arch *ctx, bool trap);
/** Reset to the architectural state of a CPU entering at pc with x0 = arg. */
void vcpu_arch_reset(struct vcpu_arch *ctx, uint64_t pc, uint64_t arg, uint64_t vmpidr);
/**
 * Take a synchronous exception to the guest's EL1 with syndrome esr and
 * fault address far, as the hardware would (ctx's thread runs on this CPU).
 */
void arch_vcpu_inject_sync(struct vcpu_arch *ctx, uint64_t esr, uint64_t far);
/* Lazy FP/SIMD (arch/arm64/virt/fpsimd.c); all on the vCPU's CPU. */
/** Just before entering the guest (IRQs masked): trap its FP use unless its registers are in. */
void vcpu_arch_fp_enter(struct vcpu_arch *ctx);
/** Just after the exit (IRQs masked): the host's FP use now traps if the guest's are in. */
void vcpu_arch_fp_exit(struct vcpu_arch *ctx);
/** The guest's FP use trapped (EC_FP): load its registers; it retries the instruction. */
void vcpu_arch_fp_claim(struct vcpu_arch *ctx);
/** Its thread leaves the CPU (keep: save the registers into ctx->fp) or it is reset. */
void vcpu_arch_fp_put(struct vcpu_arch *ctx, bool keep);
/** The host's own FP use trapped at EL2: save the owner's registers, stop trapping. */
void arch_fp_host_trap(void);
/** Inject an UNDEF (unknown reason) at the guest's current pc. */
void arch_vcpu_inject_undef(struct vcpu_arch *ctx);
/** Inject a synchronous external abort for a data (or instruction) access at far. */
void arch_vcpu_inject_abort(struct vcpu_arch *ctx, bool instruction, uint64_t far);
/** The length of the instruction of the last exit (ESR.IL): 4, or 2 for a 16-bit T32 one. */
uint64_t arch_vcpu_insn_len(const struct vcpu_arch *ctx);
/** Save the debug registers (breakpoints, watchpoints, claim, OS lock) of the vCPU. */
void vcpu_debug_put(struct vcpu_arch *ctx);
/** Load them (its thread got the CPU). */
void vcpu_debug_load(const struct vcpu_arch *ctx);
/** Counter ticks until the EL1 physical timer fires (false: it cannot). */
bool arch_ptimer_ticks_left(uint64_t *ticks);
/** Turn the EL1 physical timer off (it fired with no vCPU on this CPU). */
void arch_ptimer_stop(void);
/** Clean (and invalidate) [start, start + size) to the point of coherency. */
void arch_dcache_flush_range(const void *start, uint64_t size);
/** Make freshly written guest memory visible to a guest running with caches off. */
void arch_dcache_clean_range(const void *start, uint64_t size);
#endif /* __ASSEMBLER__ */

#endif /* ARCH_VCPU_H */
