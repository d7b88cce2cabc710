/* SPDX-License-Identifier: MIT */
/*
 * The data-abort syndrome decoder (arch/abort.h): ESR_EL2 ISS bits and
 * HPFAR_EL2/FAR_EL2 into a guest access the MMIO bus can emulate.
 */
#include <zvm/kernel.h>
#include <arch/abort.h>

/* Data abort ISS (ESR_ELx bits [24:0]). */
#define ISS_ISV		(1u << 24)	/* bits [23:14] are valid */
#define ISS_SAS_SHIFT	22		/* access size: 1 << SAS bytes */
#define ISS_SAS_MASK	0x3u
#define ISS_SSE		(1u << 21)	/* sign-extending load */
#define ISS_SRT_SHIFT	16		/* transfer register */
#define ISS_SRT_MASK	0x1fu
#define ISS_SF		(1u << 15)	/* 64-bit register */
#define ISS_WNR		(1u << 6)	/* write */

int arch_dabort_decode(uint64_t esr, uint64_t ipa, struct mmio_access *acc)
{
	if (!(esr & ISS_ISV))
		return K_EINVAL;
	*acc = (struct mmio_access){
		.ipa = ipa,
		.size = 1u << ((esr >> ISS_SAS_SHIFT) & ISS_SAS_MASK),
		.write = (esr & ISS_WNR) != 0,
		.sign_extend = (esr & ISS_SSE) != 0,
		.reg64 = (esr & ISS_SF) != 0,
		.reg = (esr >> ISS_SRT_SHIFT) & ISS_SRT_MASK,
	};
	return 0;
}

bool arch_dabort_is_write(uint64_t esr)
{
	return (esr & ISS_WNR) != 0;
}

/* Page from HPFAR_EL2 (FIPA, bits [43:4] = IPA[51:12]), offset from FAR_EL2. */
uint64_t arch_fault_ipa(const struct vcpu_arch *ctx)
{
	return ((ctx->hpfar >> 4) << 12) | (ctx->far & 0xfff);
}
