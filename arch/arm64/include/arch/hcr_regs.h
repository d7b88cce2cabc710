/* SPDX-License-Identifier: MIT */
/*
 * The fields of HCR_EL2, the hypervisor configuration register, that zvm
 * sets: for the kernel itself (arch/arm64/cpu.c) and while a guest runs
 * (arch/arm64/virt/vcpu_arch.c).
 */
#ifndef ARCH_HCR_REGS_H
#define ARCH_HCR_REGS_H

#define HCR_VM     (1ul << 0) /* stage-2 translation on */
#define HCR_SWIO   (1ul << 1)
#define HCR_FMO    (1ul << 3) /* FIQ, IRQ and SError are taken to EL2 */
#define HCR_IMO    (1ul << 4)
#define HCR_AMO    (1ul << 5)
#define HCR_FB     (1ul << 9)  /* broadcast TLB/cache maintenance */
#define HCR_BSU_IS (1ul << 10) /* barriers: inner shareable */
#define HCR_TWI    (1ul << 13) /* trap WFI */
#define HCR_TID1   (1ul << 16) /* trap REVIDR_EL1, AIDR_EL1, SMIDR_EL1 */
#define HCR_TID3   (1ul << 18) /* trap the ID group 3 registers */
#define HCR_TSC    (1ul << 19) /* trap SMC */
#define HCR_TIDCP  (1ul << 20) /* trap IMPLEMENTATION DEFINED registers */
#define HCR_TACR   (1ul << 21) /* trap ACTLR_EL1 */
#define HCR_TSW    (1ul << 22) /* trap data cache maintenance by set/way */
#define HCR_RW     (1ul << 31) /* EL1 is AArch64 */
#define HCR_TLOR   (1ul << 35) /* trap the LORegion registers */
#define HCR_TERR   (1ul << 36) /* trap the RAS error record registers */
#define HCR_TEA    (1ul << 37) /* external aborts go to EL2 */
#define HCR_APK    (1ul << 40) /* pointer auth.: keys not trapped */
#define HCR_API    (1ul << 41) /* pointer auth.: instructions not trapped */
#define HCR_ENSCXT (1ul << 53) /* SCXTNUM_ELx not trapped */

#endif /* ARCH_HCR_REGS_H */
