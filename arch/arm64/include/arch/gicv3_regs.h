/* SPDX-License-Identifier: MIT */
/*
 * The GICv3 register map: offsets in the distributor (GICD) and
 * redistributor (GICR) frames, their bit fields, and the fields of the
 * CPU interface (ICC_*) and hypervisor control (ICH_*) system registers
 * that zvm uses. Facts of the GICv3 architecture (Arm IHI 0069), spelled
 * once: the host driver (arch/arm64/gicv3.c), the guest's emulated GIC
 * (virt/vgic/) and the unit tests all use these names.
 *
 * Why portable code may include this arch header: it holds no code, no
 * register access and nothing of the CPU that runs zvm, only the layout
 * the architecture gives the GIC. The emulation must present exactly that
 * layout to guests, so it reads the map from here rather than keep a copy.
 *
 * Offsets of a per-interrupt bank (ISENABLER, IPRIORITYR, ...) are those of
 * its first register; INTID n's field is bit n * bpi of the bank, where
 * bpi is the bank's bits per interrupt (GIC_BPI_*).
 */
#ifndef ARCH_GICV3_REGS_H
#define ARCH_GICV3_REGS_H

/* ---- INTID ranges ---- */

#define GIC_NR_SGIS        16   /* INTIDs 0-15 */
#define GIC_NR_PRIVATE     32   /* SGIs and PPIs 16-31 */
#define GIC_MAX_INTIDS     1024 /* INTID bits 9:0; a bank's length */
#define GIC_INTID_SPURIOUS 1020 /* 1020-1023: special */

/* Bits per interrupt of each kind of per-interrupt bank. */
#define GIC_BPI_BIT           1 /* group, enable, pending, active */
#define GIC_BPI_PRIORITY      8
#define GIC_BPI_CONFIG        2
#define GIC_BPI_ROUTE         64
/** Length in bytes of a bank of bpi bits for each of nr interrupts. */
#define GIC_BANK_LEN(nr, bpi) ((nr) * (bpi) / 8)

/* GICD_ICFGR (and GICR_ICFGR0/1): 2 bits per interrupt. */
#define GIC_ICFGR_EDGE 2u /* in the field: edge-triggered */

/* ---- distributor (GICD), a 64 KiB frame ---- */

#define GICD_FRAME_SIZE   0x10000
#define GICD_CTLR         0x0000
#define GICD_TYPER        0x0004
#define GICD_IIDR         0x0008
#define GICD_TYPER2       0x000c
#define GICD_STATUSR      0x0010
#define GICD_SETSPI_NSR   0x0040 /* to CLRSPI_SR: 0x40-0x5f */
#define GICD_SETSPI_LEN   0x20
#define GICD_IGROUPR      0x0080
#define GICD_ISENABLER    0x0100
#define GICD_ICENABLER    0x0180
#define GICD_ISPENDR      0x0200
#define GICD_ICPENDR      0x0280
#define GICD_ISACTIVER    0x0300
#define GICD_ICACTIVER    0x0380
#define GICD_IPRIORITYR   0x0400
#define GICD_ITARGETSR    0x0800 /* legacy only (ARE = 0) */
#define GICD_ICFGR        0x0c00
#define GICD_IGRPMODR     0x0d00
#define GICD_NSACR        0x0e00
#define GICD_NSACR_LEN    0x100  /* 2 bits per interrupt */
#define GICD_SGIR         0x0f00 /* legacy only */
#define GICD_CPENDSGIR    0x0f10 /* and SPENDSGIR: 0xf10-0xf2f */
#define GICD_SGI_PEND_LEN 0x20
#define GICD_IROUTER      0x6000
#define GICD_ID_REGS      0xffd0 /* PIDR4..CIDR3: 0xffd0-0xffff */
#define GICD_ID_REGS_LEN  0x30
#define GICD_PIDR2        0xffe8

/* GICD_CTLR, with one security state (DS = 1) */
#define GICD_CTLR_EN_GRP0 (1u << 0)
#define GICD_CTLR_EN_GRP1 (1u << 1)
#define GICD_CTLR_ARE     (1u << 4)  /* affinity routing */
#define GICD_CTLR_DS      (1u << 6)  /* disable security */
#define GICD_CTLR_RWP     (1u << 31) /* register write pending */

/* GICD_TYPER */
#define GICD_TYPER_ITLINES_MASK 0x1fu /* [4:0]: 32 * (N + 1) INTIDs */
#define GICD_TYPER_CPUS_SHIFT   5     /* [7:5]: CPUs - 1 (legacy) */
#define GICD_TYPER_CPUS_MASK    0x7u
#define GICD_TYPER_LPIS         (1u << 17)
#define GICD_TYPER_IDBITS_SHIFT 19 /* [23:19]: INTID bits - 1 */
#define GICD_TYPER_IDBITS_MASK  0x1fu
#define GICD_TYPER_NO1N         (1u << 25) /* no 1-of-N SPI delivery */

/* GICD_IROUTER<n> */
#define GICD_IROUTER_IRM      (1ull << 31)    /* any one PE (1 of N) */
#define GICD_IROUTER_AFF_MASK 0xff00ffffffull /* Aff3 [39:32], Aff2..0 [23:0] */

/* GICD_PIDR2 and GICR_PIDR2 */
#define GIC_PIDR2_ARCHREV_SHIFT 4 /* [7:4] */
#define GIC_PIDR2_ARCHREV_MASK  0xfu
#define GIC_PIDR2_ARCHREV_V3    3u

/* ---- redistributor (GICR): an RD frame and an SGI frame per CPU ---- */

#define GICR_FRAME_SIZE 0x10000
#define GICR_STRIDE     0x20000 /* RD + SGI frame (no VLPIs) */
#define GICR_SGI_BASE   0x10000 /* the SGI frame, from the RD frame */

/* RD frame */
#define GICR_CTLR        0x0000
#define GICR_IIDR        0x0004
#define GICR_TYPER       0x0008 /* 64 bits */
#define GICR_STATUSR     0x0010
#define GICR_WAKER       0x0014
#define GICR_SETLPIR     0x0040
#define GICR_PROPBASER   0x0070
#define GICR_PENDBASER   0x0078
#define GICR_ID_REGS     GICD_ID_REGS /* same ID block as the GICD */
#define GICR_ID_REGS_LEN GICD_ID_REGS_LEN
#define GICR_PIDR2       GICD_PIDR2

/* GICR_TYPER */
#define GICR_TYPER_LAST       (1ull << 4) /* last redistributor */
#define GICR_TYPER_PROC_SHIFT 8           /* [23:8] Processor_Number */
#define GICR_TYPER_PROC_MASK  0xffffull
#define GICR_TYPER_AFF_SHIFT  32 /* [63:32] Aff3.Aff2.Aff1.Aff0 */

/* GICR_WAKER */
#define GICR_WAKER_SLEEP  (1u << 1) /* ProcessorSleep */
#define GICR_WAKER_ASLEEP (1u << 2) /* ChildrenAsleep */

/*
 * SGI frame: the banks of INTIDs 0-31 of this CPU, at the offsets the
 * distributor uses for its banks (one register of each: IGROUPR0, ...).
 */
#define GICR_IGROUPR0    GICD_IGROUPR
#define GICR_ISENABLER0  GICD_ISENABLER
#define GICR_ICENABLER0  GICD_ICENABLER
#define GICR_ISPENDR0    GICD_ISPENDR
#define GICR_ICPENDR0    GICD_ICPENDR
#define GICR_ISACTIVER0  GICD_ISACTIVER
#define GICR_ICACTIVER0  GICD_ICACTIVER
#define GICR_IPRIORITYR0 GICD_IPRIORITYR
#define GICR_ICFGR0      GICD_ICFGR /* ICFGR0 SGIs, ICFGR1 PPIs */
#define GICR_IGRPMODR0   GICD_IGRPMODR
#define GICR_NSACR       GICD_NSACR

/* ---- CPU interface (ICC_*_EL1) ---- */

#define ICC_IAR_INTID_MASK 0xffffffu /* ICC_IAR1_EL1 [23:0] */
#define ICC_PMR_ALL        0xff      /* ICC_PMR_EL1: every priority in */
#define ICC_CTLR_EOIMODE_0 0         /* EOI drops priority and deactivates */
#define ICC_CTLR_EOIMODE_1 (1u << 1) /* EOI drops priority; DIR deactivates */
#define ICC_IGRPEN1_EN     1

/* ICC_SGI1R_EL1 */
#define ICC_SGI1R_TARGETS_MASK 0xffffull /* [15:0]: Aff0 = RS * 16 + bit */
#define ICC_SGI1R_AFF1_SHIFT   16
#define ICC_SGI1R_INTID_SHIFT  24 /* [27:24] */
#define ICC_SGI1R_INTID_MASK   0xfull
#define ICC_SGI1R_AFF2_SHIFT   32
#define ICC_SGI1R_IRM          (1ull << 40) /* every PE but the sender */
#define ICC_SGI1R_RS_SHIFT     44           /* [47:44] */
#define ICC_SGI1R_RS_MASK      0xfull
#define ICC_SGI1R_AFF3_SHIFT   48
#define ICC_SGI1R_AFF_MASK     0xffull /* each Aff field */

/* ---- hypervisor control interface (ICH_*_EL2) ---- */

/* ICH_LR<n>_EL2 */
#define ICH_LR_VINTID_MASK  0xffffffffull /* [31:0] */
#define ICH_LR_EOI          (1ull << 41)  /* HW=0: maintenance IRQ on EOI */
#define ICH_LR_PINTID_SHIFT 32            /* HW=1: [44:32] the physical INTID */
#define ICH_LR_PINTID_MASK  0x1fffull
#define ICH_LR_PRIO_SHIFT   48 /* [55:48] */
#define ICH_LR_PRIO_MASK    0xffull
#define ICH_LR_GROUP1       (1ull << 60)
#define ICH_LR_HW           (1ull << 61)
#define ICH_LR_PENDING      (1ull << 62)
#define ICH_LR_ACTIVE       (1ull << 63)

/* ICH_HCR_EL2 */
#define ICH_HCR_EN  (1ull << 0) /* virtual CPU interface on */
#define ICH_HCR_UIE (1ull << 1) /* maintenance IRQ when <= 1 LR valid */

/* ICH_VMCR_EL2 */
#define ICH_VMCR_VENG1      (1ull << 1) /* guest's ICC_IGRPEN1_EL1 */
#define ICH_VMCR_VPMR_SHIFT 24          /* guest's ICC_PMR_EL1, [31:24] */
#define ICH_VMCR_VPMR_MASK  0xffull

/* ICH_MISR_EL2 */
#define ICH_MISR_EOI (1ull << 0)
#define ICH_MISR_U   (1ull << 1)

/* ICH_VTR_EL2 */
#define ICH_VTR_LISTREGS_MASK 0x1full /* [4:0]: list registers - 1 */

#endif /* ARCH_GICV3_REGS_H */
