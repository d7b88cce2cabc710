/* SPDX-License-Identifier: MIT */
/*
 * Decoding a guest's data abort (EL2 host only): what the syndrome
 * (ESR_EL2 ISS) and the fault address registers say about the access, in
 * the portable form the VM's MMIO bus takes (include/zvm/vdev.h).
 * arch/arm64/virt/abort.c; plain C, so host unit tests link the real one.
 */
#ifndef ARCH_ABORT_H
#define ARCH_ABORT_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/vdev.h>
#include <arch/vcpu.h>

/**
 * Decode a data abort's syndrome `esr` and faulting IPA into acc.
 * Returns 0, or K_EINVAL when the syndrome carries no instruction
 * information (ISV=0: e.g. a load/store pair), which zvm cannot emulate.
 */
int arch_dabort_decode(uint64_t esr, uint64_t ipa, struct mmio_access *acc);

/** Whether the data abort with syndrome `esr` was a write (WnR). */
bool arch_dabort_is_write(uint64_t esr);

/** The guest-physical address of ctx's last stage-2 abort (HPFAR page + FAR offset). */
uint64_t arch_fault_ipa(const struct vcpu_arch *ctx);

#endif /* ARCH_ABORT_H */
