/* SPDX-License-Identifier: MIT */
/*
 * The syndrome of a trapped MSR, MRS or system instruction (ESR_EL2 EC
 * 0x18, EC_SYSREG): which register or instruction, which general register,
 * which direction; and the encodings of those zvm emulates
 * (virt/vsysreg.c), in the form SYSREG_ID gives them.
 */
#ifndef ARCH_SYSREG_ISS_H
#define ARCH_SYSREG_ISS_H

/* ISS: Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1], read [0]. */
#define SYSREG_ID(esr)   ((esr)&0x3ffc1e) /* all but Rt and the direction */
#define SYSREG_RT(esr)   (((esr) >> 5) & 0x1f)
#define SYSREG_READ(esr) ((esr)&1)
#define SYSREG_CRM(esr)  (((esr) >> 1) & 0xf)
#define SYSREG_OP2(esr)  (((esr) >> 17) & 0x7)
#define SYSREG_OP1(esr)  (((esr) >> 14) & 0x7)
#define SYSREG_ENC(op0, op1, crn, crm, op2) \
	(((op0) << 20) | ((op2) << 17) | ((op1) << 14) | ((crn) << 10) | ((crm) << 1))
/* The ID register space that HCR_EL2.TID3 traps: op0 3, op1 0, CRn 0, CRm 1-7. */
#define SYSREG_IS_ID(esr) (((esr)&0x31fc00) == SYSREG_ENC(3, 0, 0, 0, 0) && SYSREG_CRM(esr) >= 1)
/* The ID register space of FEAT_IDST: op0 3, op1 0, 1 or 3, CRn 0, CRm 0-7. */
#define SYSREG_IS_ID_SPACE(esr)                                                   \
	(((esr)&0x303c10) == SYSREG_ENC(3, 0, 0, 0, 0) && SYSREG_OP1(esr) != 2 && \
	 SYSREG_OP1(esr) < 4)
/* LORSA, LOREA, LORN, LORC (op2 0-3) and LORID (op2 7): op0 3, op1 0, CRn 10, CRm 4. */
#define SYSREG_IS_LOR(id) (((id) & ~(7u << 17)) == SYSREG_ENC(3, 0, 10, 4, 0))
#define SYSREG_LORID      SYSREG_ENC(3, 0, 10, 4, 7)

/* The registers and instructions zvm emulates. */
#define SYSREG_ICC_SGI1R  SYSREG_ENC(3, 0, 12, 11, 5)
#define SYSREG_ICC_ASGI1R SYSREG_ENC(3, 0, 12, 11, 6)
#define SYSREG_ICC_SGI0R  SYSREG_ENC(3, 0, 12, 11, 7)
#define SYSREG_ACTLR      SYSREG_ENC(3, 0, 1, 0, 1)
#define SYSREG_CPACR      SYSREG_ENC(3, 0, 1, 0, 2)
#define SYSREG_ERRIDR     SYSREG_ENC(3, 0, 5, 3, 0)
#define SYSREG_DC_ISW     SYSREG_ENC(1, 0, 7, 6, 2)
#define SYSREG_DC_CSW     SYSREG_ENC(1, 0, 7, 10, 2)
#define SYSREG_DC_CISW    SYSREG_ENC(1, 0, 7, 14, 2)

#endif /* ARCH_SYSREG_ISS_H */
