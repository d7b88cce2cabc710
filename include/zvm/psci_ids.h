/* SPDX-License-Identifier: MIT */
/*
 * Function ids and return codes of the calls through HVC/SMC #0 that zvm
 * makes (to the firmware) and answers (for its guests): PSCI (Arm DEN 0022)
 * under the SMC Calling Convention (Arm DEN 0028), and zvm's own
 * hypercalls. Used by arch/arm64/psci.c, virt/vpsci.c, the benchmark and the RTOS
 * guest's `attack cpu-on` (guests/rtos/attack_psci.c).
 *
 * An id is 0x8400_00nn for a 32-bit call (SMC32) and 0xc400_00nn for its
 * 64-bit form (SMC64); results come back in x0.
 */
#ifndef ZVM_PSCI_IDS_H
#define ZVM_PSCI_IDS_H

/* ---- PSCI function ids ---- */

#define PSCI_VERSION           0x84000000u
#define PSCI_CPU_SUSPEND_32    0x84000001u
#define PSCI_CPU_SUSPEND_64    0xc4000001u
#define SMCCC_VERSION          0x80000000u
#define SMCCC_ARCH_FEATURES    0x80000001u
#define SMCCC_VERSION_1_1      0x10001
#define SMCCC_64BIT            (1u << 30) /* a function of the SMC64/HVC64 convention */
#define PSCI_CPU_OFF           0x84000002u
#define PSCI_CPU_ON_32         0x84000003u
#define PSCI_AFFINITY_INFO_32  0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF        0x84000008u
#define PSCI_SYSTEM_RESET      0x84000009u
#define PSCI_FEATURES          0x8400000au
#define PSCI_SYSTEM_RESET2_64  0xc4000012u
#define PSCI_CPU_ON_64         0xc4000003u
#define PSCI_AFFINITY_INFO_64  0xc4000004u

/* ---- PSCI results ---- */

#define PSCI_VERSION_1_1         0x10001 /* major [31:16], minor [15:0] */
#define PSCI_SUCCESS             0
#define PSCI_NOT_SUPPORTED       (-1)
#define PSCI_INVALID_PARAMS      (-2)
#define PSCI_DENIED              (-3)
#define PSCI_ALREADY_ON          (-4)
#define PSCI_ON_PENDING          (-5) /* CPU_ON: another CPU_ON was accepted first */
#define PSCI_INVALID_ADDRESS     (-9) /* CPU_ON: entry point outside RAM or misaligned */
#define PSCI_AFFINITY_ON         0    /* AFFINITY_INFO: the CPU is on */
#define PSCI_AFFINITY_OFF        1
#define PSCI_AFFINITY_ON_PENDING 2 /* a CPU_ON was accepted, not yet done */
#define PSCI_MIGRATE_NOT_NEEDED  2 /* MIGRATE_INFO_TYPE: no Trusted OS */

/* ---- zvm hypercalls: vendor-specific hypervisor service (owner 6) ---- */

#define ZVM_HC_NULL      0xc6000000u /* returns 0: round-trip benchmark */
/*
 * x1 = a host CPU number: that CPU's total idle time (its idle thread's) in
 * ns since boot, for a guest's frequency governor (docs/pools.md). Only a VM
 * whose template says `privileged`; others get PSCI_DENIED, a CPU that does
 * not exist PSCI_INVALID_PARAMS. ZVM_HC_CPU_COUNT: the host's CPUs.
 */
#define ZVM_HC_CPU_IDLE  0xc6000001u
#define ZVM_HC_CPU_COUNT 0xc6000002u

#endif /* ZVM_PSCI_IDS_H */
