/* SPDX-License-Identifier: MIT */
/*
 * The EL2 trap controls zvm sets for guests besides HCR_EL2 (hcr_regs.h):
 * MDCR_EL2 (debug, PMU, trace), CPTR_EL2 (trace, AMU), CNTHCTL_EL2, and
 * the ID register fields zvm hides (arch/arm64/virt/idregs.c). Which state
 * zvm switches, emulates or refuses: docs/design.md, "Isolation".
 */
#ifndef ARCH_TRAP_REGS_H
#define ARCH_TRAP_REGS_H

/* MDCR_EL2 */
#define MDCR_HPMN_MASK 0x1ful      /* counters [0, HPMN) belong to EL1/EL0 */
#define MDCR_TPMCR     (1ul << 5)  /* trap PMCR_EL0 */
#define MDCR_TPM       (1ul << 6)  /* trap every PMU register */
#define MDCR_TPMS      (1ul << 14) /* trap the statistical profiling registers */
#define MDCR_TTRF      (1ul << 19) /* trap the trace filter register */

/* CPTR_EL2 (without VHE) */
#define CPTR_TTA (1ul << 20) /* trap trace registers */
#define CPTR_TAM (1ul << 30) /* trap activity monitors */

/* CPACR_EL1: SVE (ZEN) and SME (SMEN) enables, RES0 to a guest (no SVE, no SME) */
#define CPACR_ZEN_SMEN (3ul << 16 | 3ul << 24)

/* PMCR_EL0 */
#define PMCR_N(pmcr) (((pmcr) >> 11) & 0x1f)

/* ID_AA64DFR0_EL1 */
#define DFR0_BRPS(v)     ((((v) >> 12) & 0xf) + 1)
#define DFR0_WRPS(v)     ((((v) >> 20) & 0xf) + 1)
#define DFR0_PMUVER      (0xful << 8)
#define DFR0_TRACEVER    (0xful << 4)
#define DFR0_PMSVER      (0xful << 32)
#define DFR0_TRACEFLT    (0xful << 40)
#define DFR0_TRACEBUF    (0xful << 44)
#define DFR0_BRBE        (0xful << 52)
#define DFR0_MTPMU       (0xful << 48)
/* ID_DFR0_EL1 (the AArch32 view) */
#define AA32DFR0_PERFMON (0xful << 24)
/* ID_AA64PFR0_EL1 */
#define PFR0_RAS(v)      (((v) >> 28) & 0xf)
#define PFR0_CSV2(v)     (((v) >> 56) & 0xf)
/* ID_AA64MMFR0_EL1 */
#define MMFR0_FGT(v)     (((v) >> 56) & 0xf)
/* ID_AA64MMFR2_EL1 */
#define MMFR2_IDS(v)     (((v) >> 36) & 0xf) /* unimplemented ID registers: EC 0x18 */
/* ID_AA64MMFR1_EL1 */
#define MMFR1_LO         (0xful << 16)
#define MMFR1_HCX(v)     (((v) >> 40) & 0xf)

/* HCRX_EL2 */
#define HCRX_MSCEN (1ul << 11) /* memory copy/set instructions enabled at EL1/EL0 */

#endif /* ARCH_TRAP_REGS_H */
