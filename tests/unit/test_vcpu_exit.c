/* SPDX-License-Identifier: MIT */
/* SOURCES: @vm-core */
/* LDLIBS: -lfdt */
/*
 * Unit tests of guest exits (virt/vcpu_exit.c) on a running VM of the
 * shared fake: each kind of exit, given as the syndrome (ESR_EL2) the CPU
 * reports, is answered as the architecture and the guest expect: WFI
 * sleeps until the guest's timer or a kick, HVC/SMC reach PSCI, trapped ID
 * registers read sanitised values, ICC_SGI1R_EL1 sends SGIs, data aborts
 * reach the MMIO bus (the emulated PL011 here) or come back as an external
 * abort, and anything else becomes the UNDEF exception a real CPU would
 * take. The per-VM exit counters count each. The last test runs the real
 * vCPU thread loop over a scripted guest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/arch.h>
#include <zvm/psci_ids.h>
#include <zvm/vcpu.h>
#include <zvm/vmm.h>
#include <arch/esr_regs.h>
#include <arch/vtimer_hw.h>
#include "fake/fake.h"
#include "fake/vm_fixture.h"

/* ESR_EL2 as the Arm ARM lays it out: EC [31:26], IL [25], ISS [24:0]. */
#define EC(ec)           ((uint64_t)(ec) << 26)
#define IL               (1ull << 25)
#define EC_ILLEGAL_STATE 0x0e /* never trapped to EL2 on purpose */
/* ISS of a trapped MSR/MRS: Op0, Op2, Op1, CRn, Rt, CRm, direction (1: read). */
#define SYSREG(op0, op1, crn, crm, op2, rt, read)                                    \
	(EC(EC_SYSREG) | IL | ((uint64_t)(op0) << 20) | ((uint64_t)(op2) << 17) |    \
	 ((uint64_t)(op1) << 14) | ((uint64_t)(crn) << 10) | ((uint64_t)(rt) << 5) | \
	 ((uint64_t)(crm) << 1) | (read))
/* ISS of a data abort with a valid syndrome: size 1 << sas bytes, register srt. */
#define DABT(sas, srt, sf, write)                                                                  \
	(EC(EC_DABT_LOW) | IL | (1ull << 24) | ((uint64_t)(sas) << 22) | ((uint64_t)(srt) << 16) | \
	 ((uint64_t)(sf) << 15) | ((uint64_t)(write) << 6) | DFSC_TRANSLATION(2))

#define PC               (RAM_IPA + SEG_OFFSET + 0x100)
#define VBAR             (RAM_IPA + SEG_OFFSET + 0x800)
#define SPSR_EL1H        0x3c5
#define SPSR_EL0T        0x000
#define UART             0x09000000ull
#define UNMAPPED_IPA     0x20000040ull
#define GICR1_ISENABLER0 (0x080a0000ull + 0x20000 + 0x10000 + 0x100) /* SGI_base */

static struct vm *vm;
static struct vcpu *v0;

static int setup(void **state)
{
	(void)state;
	fake_arch_reset();
	fake_log_reset();
	vm = vm_fixture_run(2);
	v0 = &vm->vcpus[0];
	v0->arch.regs.elr = PC;
	v0->arch.regs.spsr = SPSR_EL1H;
	fake_sysreg_write("vbar_el1", VBAR);
	memset(&vtimer_hw_fake, 0, sizeof(vtimer_hw_fake)); /* timer off */
	return 0;
}

#define teardown vm_fixture_teardown_one

static void sync_exit(struct vcpu *v, uint64_t esr)
{
	v->arch.esr = esr;
	vcpu_handle_exit(v, GUEST_EXIT_SYNC);
}

/* A stage-2 fault at ipa as the CPU reports it: HPFAR holds the page, FAR the VA. */
static void abort_exit(uint64_t esr, uint64_t ipa)
{
	v0->arch.hpfar = (ipa >> 12) << 4;
	v0->arch.far = 0xffff000000000000ull | (ipa & 0xfff);
	sync_exit(v0, esr);
}

/* The guest took a synchronous exception to its EL1 with this syndrome. */
static void assert_injected(uint64_t esr, uint64_t far, uint64_t from_pc, uint64_t from_spsr,
			    uint64_t vector)
{
	assert_int_equal(fake_sysreg_read("esr_el1"), esr);
	assert_int_equal(fake_sysreg_read("far_el1"), far);
	assert_int_equal(fake_sysreg_read("elr_el1"), from_pc);
	assert_int_equal(fake_sysreg_read("spsr_el1"), from_spsr);
	assert_int_equal(v0->arch.regs.elr, VBAR + vector);
	assert_int_equal(v0->arch.regs.spsr, SPSR_EL1H); /* EL1h, DAIF masked */
}

/* ---- WFI ---- */

/* WFI with the timer armed: the vCPU sleeps until its deadline, then goes on. */
static void test_wfi_sleeps_until_the_timer(void **state)
{
	uint64_t now = fake_kernel.now;

	(void)state;
	vtimer_hw_fake = (struct vtimer_hw_fake){ .enable = true, .now = 700, .cval = 5700 };
	sync_exit(v0, EC(EC_WFX) | IL);
	assert_int_equal(fake_kernel.last_sem_timeout, 5000);
	assert_int_equal(fake_kernel.now, now + 5000); /* it slept that long */
	assert_int_equal(v0->arch.regs.elr, PC + 4);
	assert_false(v0->waiting);
	assert_int_equal(vm->exits_by_kind[EXIT_WFI], 1);
}

/* WFI with the timer off: only a kick (here: one already given) wakes it. */
static void test_wfi_without_timer_waits_for_a_kick(void **state)
{
	(void)state;
	vtimer_hw_fake.enable = false;
	vcpu_kick(v0);
	sync_exit(v0, EC(EC_WFX) | IL);
	assert_int_equal(fake_kernel.last_sem_timeout, K_FOREVER);
	assert_int_equal(k_sem_count_get(&v0->wake), 0); /* the kick was taken */
	assert_int_equal(v0->arch.regs.elr, PC + 4);
}

/* A timer already due: no sleep at all. WFE is skipped without waiting. */
static void test_wfi_due_timer_and_wfe(void **state)
{
	unsigned takes = fake_kernel.sem_takes;

	(void)state;
	vtimer_hw_fake = (struct vtimer_hw_fake){ .enable = true, .now = 700, .cval = 700 };
	sync_exit(v0, EC(EC_WFX) | IL);
	assert_int_equal(fake_kernel.sem_takes, takes);
	sync_exit(v0, EC(EC_WFX) | IL | 1); /* WFE */
	assert_int_equal(fake_kernel.sem_takes, takes);
	assert_int_equal(v0->arch.regs.elr, PC + 8);
	assert_int_equal(vm->exits_by_kind[EXIT_WFI], 2);
}

/* WFIT/WFET (FEAT_WFxT, hidden): an UNDEF at the instruction, never a sleep. */
static void test_wfit_is_undefined(void **state)
{
	unsigned takes = fake_kernel.sem_takes;

	(void)state;
	vtimer_hw_fake.enable = false; /* as WFI, it would sleep forever */
	sync_exit(v0, EC(EC_WFX) | IL | WFX_TI_WFIT | 3 << 5);
	assert_int_equal(fake_kernel.sem_takes, takes);
	assert_injected(EC(EC_UNKNOWN) | IL, 0, PC, SPSR_EL1H, 0x200);
	assert_int_equal(vm->exits_by_kind[EXIT_WFI], 1);
}

/* ---- HVC, SMC ---- */

static void test_hvc_and_smc_reach_psci(void **state)
{
	(void)state;
	v0->arch.regs.x[0] = PSCI_VERSION;
	sync_exit(v0, EC(EC_HVC64) | IL);
	assert_int_equal(v0->arch.regs.x[0], 0x10001);
	assert_int_equal(v0->arch.regs.elr, PC); /* HVC returns past itself already */
	v0->arch.regs.x[0] = PSCI_VERSION;
	sync_exit(v0, EC(EC_SMC64) | IL);
	assert_int_equal(v0->arch.regs.x[0], 0x10001);
	assert_int_equal(v0->arch.regs.elr, PC + 4); /* a trapped SMC returns to itself */
	assert_int_equal(vm->exits_by_kind[EXIT_HVC], 1);
	assert_int_equal(vm->exits_by_kind[EXIT_SMC], 1);
}

/* ---- system registers ---- */

/* ID_AA64PFR0_EL1 (3, 0, c0, c4, 0): the CPU's value without SVE, MPAM, AMU. */
static void test_id_register_read(void **state)
{
	(void)state;
	fake_sysreg_write("S3_0_C0_C4_0",
			  0x0000001000110011ull | (1ull << 32) | (1ull << 40) | (1ull << 44));
	v0->arch.regs.x[5] = 0xdead;
	sync_exit(v0, SYSREG(3, 0, 0, 4, 0, 5, 1));
	assert_int_equal(v0->arch.regs.x[5], 0x0000001000110011ull);
	assert_int_equal(v0->arch.regs.elr, PC + 4);
	v0->arch.regs.sp = 0x5a5a;
	sync_exit(v0, SYSREG(3, 0, 0, 4, 0, 31, 1)); /* into xzr: nothing written */
	assert_int_equal(v0->arch.regs.sp, 0x5a5a);
	assert_int_equal(vm->exits_by_kind[EXIT_SYSREG], 2);
}

/* ICC_SGI1R_EL1 (3, 0, c12, c11, 5): SGI 3, enabled at vCPU 1, reaches it: it is kicked. */
/* vCPU 0 enables SGI 3 of vCPU 1 (through its GICR); vCPU 1's semaphore is drained. */
static void enable_sgi3_of_vcpu1(void)
{
	struct vcpu *v1 = &vm->vcpus[1];

	v0->arch.regs.x[1] = 1u << 3; /* GICR_ISENABLER0 of vCPU 1 */
	abort_exit(DABT(2, 1, 0, 1), GICR1_ISENABLER0);
	while (k_sem_count_get(&v1->wake))
		k_sem_take(&v1->wake, K_NO_WAIT);
}

static void test_sgi1r_write_sends_an_sgi(void **state)
{
	struct vcpu *v1 = &vm->vcpus[1];

	(void)state;
	enable_sgi3_of_vcpu1();
	v0->arch.regs.x[3] = (3ull << 24) | (1u << 1); /* INTID 3, target list: Aff0 1 */
	sync_exit(v0, SYSREG(3, 0, 12, 11, 5, 3, 0));
	assert_int_equal(v0->arch.regs.elr, PC + 8);
	assert_int_equal(k_sem_count_get(&v1->wake), 1);
	assert_int_equal(k_sem_count_get(&v0->wake), 0);
	assert_int_equal(fake_sysreg_read("esr_el1"), 0); /* no exception */
	assert_int_equal(vm->exits_by_kind[EXIT_SYSREG], 1);
}

/*
 * An SGI to a vCPU that is in its guest on another CPU: one IPI (the kick,
 * which has no handler: the exit it causes flushes), and its semaphore is
 * not touched; out of its guest, the semaphore wakes it and no IPI is sent.
 */
static void test_sgi_to_a_running_vcpu_is_one_ipi(void **state)
{
	struct vcpu *v1 = &vm->vcpus[1];

	(void)state;
	enable_sgi3_of_vcpu1();
	v1->thread->cpu = k_cpu_id() + 1;
	v1->in_guest = true;
	fake_arch.sgis = 0;
	v0->arch.regs.x[3] = (3ull << 24) | (1u << 1); /* INTID 3 to vCPU 1 */
	sync_exit(v0, SYSREG(3, 0, 12, 11, 5, 3, 0));
	assert_int_equal(fake_arch.sgis, 1);
	assert_int_equal(fake_arch.last_sgi, IPI_VCPU_KICK);
	assert_int_equal(fake_arch.last_sgi_mask, 1u << (k_cpu_id() + 1));
	assert_int_equal(k_sem_count_get(&v1->wake), 0);
	v1->in_guest = false;                          /* between exits, or waiting */
	v0->arch.regs.x[3] = (3ull << 24) | (1u << 1); /* again: it is listed, a kick */
	sync_exit(v0, SYSREG(3, 0, 12, 11, 5, 3, 0));
	assert_int_equal(fake_arch.sgis, 1);
	assert_int_equal(k_sem_count_get(&v1->wake), 1);
}

/* Any other trapped register: UNDEF at the instruction, as on a CPU without it. */
static void test_unknown_sysreg_is_undefined(void **state)
{
	(void)state;
	sync_exit(v0, SYSREG(3, 0, 12, 11, 5, 3, 1)); /* reading ICC_SGI1R */
	assert_injected(EC(EC_UNKNOWN) | IL, 0, PC, SPSR_EL1H, 0x200);
	assert_int_equal(vm->exits_by_kind[EXIT_SYSREG], 1);
}

/* ---- aborts ---- */

/* A store and a load of the emulated PL011: the guest's line reaches the console. */
static void test_data_abort_reaches_the_mmio_bus(void **state)
{
	const char *text = "hi\n";

	(void)state;
	for (const char *c = text; *c; c++) {
		v0->arch.regs.x[1] = (uint8_t)*c;
		abort_exit(DABT(2, 1, 0, 1), UART); /* str w1, [UARTDR] */
	}
	assert_string_equal(fake_log.console, "[rtos] hi\n");
	v0->arch.regs.sp = 'Z';              /* after x30 in the frame */
	abort_exit(DABT(2, 31, 0, 1), UART); /* str wzr, [UARTDR]: a NUL, dropped */
	v0->arch.regs.x[1] = '\n';
	abort_exit(DABT(2, 1, 0, 1), UART);
	assert_string_equal(fake_log.console, "[rtos] hi\n[rtos] \n");
	v0->arch.regs.x[2] = ~0ull;
	abort_exit(DABT(2, 2, 0, 0), UART + 0x18);  /* ldr w2, [UARTFR] */
	assert_int_equal(v0->arch.regs.x[2], 0x90); /* TXFE, RXFE */
	assert_int_equal(v0->arch.regs.elr, PC + 6 * 4);
	assert_int_equal(vm->exits_by_kind[EXIT_MMIO], 6);
	assert_int_equal(vm->exits_by_kind[EXIT_ABORT], 0);
}

/* Outside RAM and devices: a synchronous external abort, logged with the address. */
static void test_data_abort_outside_is_injected(void **state)
{
	(void)state;
	abort_exit(DABT(2, 1, 0, 1), UNMAPPED_IPA);
	assert_injected(EC(EC_DABT_CUR) | IL | DFSC_EXTERNAL, v0->arch.far, PC, SPSR_EL1H, 0x200);
	assert_true(fake_log_has("write at IPA 0x20000040"));
	assert_true(fake_log_has("outside its memory and devices"));
	assert_int_equal(vm->exits_by_kind[EXIT_ABORT], 1);
	assert_int_equal(vm->exits_by_kind[EXIT_MMIO], 0);
}

/* From EL0 the abort is a lower-EL one, taken at the lower-EL vector. */
static void test_data_abort_from_user_mode(void **state)
{
	(void)state;
	v0->arch.regs.spsr = SPSR_EL0T;
	abort_exit(DABT(3, 0, 1, 0), UNMAPPED_IPA);
	assert_injected(EC(EC_DABT_LOW) | IL | DFSC_EXTERNAL, v0->arch.far, PC, SPSR_EL0T, 0x400);
}

static void test_instruction_abort_is_injected(void **state)
{
	(void)state;
	abort_exit(EC(EC_IABT_LOW) | IL | DFSC_TRANSLATION(2), UNMAPPED_IPA);
	assert_injected(EC(EC_IABT_CUR) | IL | DFSC_EXTERNAL, v0->arch.far, PC, SPSR_EL1H, 0x200);
	assert_true(fake_log_has("instruction fetch at IPA 0x20000040"));
	assert_int_equal(vm->exits_by_kind[EXIT_ABORT], 1);
}

/* ---- isolation: modes, instruction length, refused and emulated state ---- */

/* The vector follows the guest's mode: EL1t (SP_EL0) and AArch32 EL0 have their own. */
static void test_abort_vector_by_mode(void **state)
{
	(void)state;
	v0->arch.regs.spsr = 0x3c4; /* EL1t */
	abort_exit(DABT(2, 1, 0, 0), UNMAPPED_IPA);
	assert_injected(EC(EC_DABT_CUR) | IL | DFSC_EXTERNAL, v0->arch.far, PC, 0x3c4, 0x000);
	v0->arch.regs.elr = PC;
	v0->arch.regs.spsr = 0x30; /* AArch32 EL0 (User), T32 */
	abort_exit(DABT(2, 0, 0, 0) & ~IL, UNMAPPED_IPA);
	/* ISV = 0 in the injected syndrome: IL is 1 */
	assert_injected(EC(EC_DABT_LOW) | IL | DFSC_EXTERNAL, v0->arch.far, PC, 0x30, 0x600);
}

/* A 16-bit T32 store to the UART (ESR.IL 0): the PC moves on by 2, not 4. */
static void test_t32_16bit_emulated_store_advances_by_2(void **state)
{
	(void)state;
	v0->arch.regs.spsr = 0x30;
	v0->arch.regs.x[0] = 'x';
	abort_exit(DABT(0, 0, 0, 1) & ~IL, UART); /* strb r0, [r1] */
	assert_int_equal(v0->arch.regs.elr, PC + 2);
	assert_int_equal(vm->exits_by_kind[EXIT_MMIO], 1);
}

/* Cache maintenance (ESR.CM) on a hole completes; an external abort is injected, not emulated. */
static void test_cache_maintenance_and_external_aborts(void **state)
{
	(void)state;
	abort_exit(EC(EC_DABT_LOW) | IL | (1u << 8) | (1u << 6) | DFSC_TRANSLATION(2),
		   UNMAPPED_IPA);
	assert_int_equal(v0->arch.regs.elr, PC + 4);
	assert_int_equal(vm->exits_by_kind[EXIT_ABORT], 0);
	v0->arch.regs.elr = PC;
	abort_exit((DABT(2, 1, 0, 1) & ~0x3full) | DFSC_EXTERNAL, UART);
	assert_injected(EC(EC_DABT_CUR) | IL | DFSC_EXTERNAL, v0->arch.far, PC, SPSR_EL1H, 0x200);
	assert_int_equal(vm->exits_by_kind[EXIT_MMIO], 1); /* the cache maintenance only */
	assert_int_equal(vm->exits_by_kind[EXIT_ABORT], 1);
}

/* Emulated as a CPU without the feature: ACTLR and LORegions RAZ/WI, ERRIDR 0, SGI0R no-op. */
static void test_emulated_registers(void **state)
{
	static const uint64_t reads[] = {
		SYSREG(3, 0, 1, 0, 1, 2, 1),  /* ACTLR_EL1 */
		SYSREG(3, 0, 10, 4, 0, 2, 1), /* LORSA_EL1 */
		SYSREG(3, 0, 10, 4, 7, 2, 1), /* LORID_EL1 */
		SYSREG(3, 0, 5, 3, 0, 2, 1),  /* ERRIDR_EL1 */
	};
	struct vcpu *v1 = &vm->vcpus[1];

	(void)state;
	v0->arch.regs.x[1] = 1u << 1; /* SGI 1 enabled on vCPU 1 */
	abort_exit(DABT(2, 1, 0, 1), GICR1_ISENABLER0);
	while (k_sem_count_get(&v1->wake))
		k_sem_take(&v1->wake, K_NO_WAIT);
	v0->arch.regs.elr = PC;
	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		v0->arch.regs.x[2] = 0x1234;
		sync_exit(v0, reads[i]);
		assert_int_equal(v0->arch.regs.x[2], 0);
		assert_int_equal(v0->arch.regs.elr, PC + 4 * (i + 1));
	}
	v0->arch.regs.x[3] = 1ull << 24 | 1u << 1;    /* SGI 1 to vCPU 1 */
	sync_exit(v0, SYSREG(3, 0, 12, 11, 7, 3, 0)); /* ICC_SGI0R_EL1: Group 0, none here */
	sync_exit(v0, SYSREG(3, 0, 10, 4, 3, 3, 0));  /* LORC_EL1: ignored */
	assert_int_equal(v0->arch.regs.elr, PC + 4 * 6);
	assert_int_equal(k_sem_count_get(&v1->wake), 0);
	assert_false(vgic_vcpu_pending(v1));
	sync_exit(v0, SYSREG(3, 3, 9, 12, 0, 2, 1)); /* PMCR_EL0: the PMU is refused */
	assert_injected(EC(EC_UNKNOWN) | IL, 0, PC + 4 * 6, SPSR_EL1H, 0x200);
}

/* Set/way: one clean of the VM's RAM per run of operations, another after another exit. */
static void test_set_way_cleans_once_per_run(void **state)
{
	unsigned flushes = fake_arch.dcache_flushes;

	(void)state;
	for (int i = 0; i < 3; i++)
		sync_exit(v0, SYSREG(1, 0, 7, 14, 2, 0, 0)); /* DC CISW */
	assert_int_equal(fake_arch.dcache_flushes, flushes + 1);
	vcpu_handle_exit(v0, GUEST_EXIT_IRQ);
	sync_exit(v0, SYSREG(1, 0, 7, 10, 2, 0, 0)); /* DC CSW */
	assert_int_equal(fake_arch.dcache_flushes, flushes + 2);
	assert_int_equal(v0->arch.regs.elr, PC + 4 * 4);
}

/* A guest faulting in a loop: 5 host log lines, then one saying the rest are counted. */
static void test_abort_log_is_rate_limited(void **state)
{
	(void)state;
	for (int i = 0; i < 50; i++) {
		v0->arch.regs.elr = PC;
		abort_exit(DABT(2, 1, 0, 0), UNMAPPED_IPA);
	}
	assert_int_equal(fake_log.lines, 6);
	assert_true(fake_log_has("VM 0: further guest aborts are counted, not logged"));
	assert_int_equal(vm->exits_by_kind[EXIT_ABORT], 50);
}

/* ---- the rest ---- */

/* Lazy FP: the guest's first FP/SIMD use loads its registers and runs again. */
static void test_fp_trap_claims_the_registers(void **state)
{
	(void)state;
	sync_exit(v0, EC(EC_FP) | IL);
	assert_int_equal(fake_arch.fp_claims, 1);
	assert_int_equal(v0->arch.regs.elr, PC);         /* the instruction runs again */
	assert_int_equal(v0->arch.regs.spsr, SPSR_EL1H); /* nothing injected */
	assert_int_equal(vm->exits_by_kind[EXIT_OTHER], 0);
}

static void test_unknown_exception_class_is_undefined(void **state)
{
	(void)state;
	sync_exit(v0, EC(EC_ILLEGAL_STATE) | IL);
	assert_injected(EC(EC_UNKNOWN) | IL, 0, PC, SPSR_EL1H, 0x200);
	assert_int_equal(vm->exits_by_kind[EXIT_OTHER], 1);
	v0->arch.regs.elr = PC;
	v0->arch.regs.spsr = SPSR_EL0T;
	sync_exit(v0, EC(0x3f) | IL);
	assert_injected(EC(EC_UNKNOWN) | IL, 0, PC, SPSR_EL0T, 0x400);
	assert_int_equal(vm->exits_by_kind[EXIT_OTHER], 2);
	assert_int_equal(vm->state, VM_RUNNING);
}

static void test_interrupt_exits_are_counted(void **state)
{
	(void)state;
	vcpu_handle_exit(v0, GUEST_EXIT_IRQ);
	vcpu_handle_exit(v0, GUEST_EXIT_FIQ);
	vcpu_handle_exit(v0, GUEST_EXIT_IRQ);
	assert_int_equal(vm->exits_by_kind[EXIT_IRQ], 3);
	assert_int_equal(v0->arch.regs.elr, PC);
	assert_int_equal(vm->state, VM_RUNNING);
}

static void test_serror_halts_the_vm(void **state)
{
	(void)state;
	vcpu_handle_exit(v0, GUEST_EXIT_SERROR);
	assert_int_equal(vm->state, VM_HALTED);
	assert_string_equal(vm->halt_reason,
			    "SError (asynchronous abort) from vCPU 0 at pc 0x40280100");
}

/* ---- the vCPU loop ---- */

/* The guest: asks for the PSCI version, writes 'k' to the UART, powers off. */
static uint64_t scripted_guest(struct vcpu_arch *ctx)
{
	switch (fake_arch.guest_entries) {
	case 1:
		ctx->regs.x[0] = PSCI_VERSION;
		ctx->esr = EC(EC_HVC64) | IL;
		return GUEST_EXIT_SYNC;
	case 2:
		assert_int_equal(ctx->regs.x[0], 0x10001);
		ctx->regs.x[1] = 'k';
		ctx->hpfar = (UART >> 12) << 4;
		ctx->far = UART & 0xfff;
		ctx->esr = DABT(2, 1, 0, 1);
		return GUEST_EXIT_SYNC;
	case 3:
		return GUEST_EXIT_IRQ;
	default:
		ctx->regs.x[0] = PSCI_SYSTEM_OFF;
		ctx->esr = EC(EC_SMC64) | IL;
		return GUEST_EXIT_SYNC;
	}
}

/* The real vCPU thread enters the guest until it powers off, then waits. */
static void test_vcpu_thread_runs_the_guest(void **state)
{
	(void)state;
	fake_arch.guest = scripted_guest;
	while (k_sem_count_get(&v0->wake)) /* kicks from starting the VM */
		k_sem_take(&v0->wake, K_NO_WAIT);
	assert_int_equal(fake_thread_run(v0->thread), 1); /* blocked: the VM is off */
	assert_int_equal(fake_arch.guest_entries, 4);
	assert_int_equal(vm->state, VM_HALTED);
	assert_string_equal(vm->halt_reason, "guest powered off (PSCI SYSTEM_OFF)");
	assert_int_equal(vm->exits_by_kind[EXIT_HVC], 1);
	assert_int_equal(vm->exits_by_kind[EXIT_MMIO], 1);
	assert_int_equal(vm->exits_by_kind[EXIT_IRQ], 1);
	assert_int_equal(vm->exits_by_kind[EXIT_SMC], 1);
	assert_int_equal(v0->arch.regs.elr, PC + 8); /* past the store and the SMC */
	assert_int_equal(fake_irqs_masked, 0);       /* exits are handled with IRQs on */
	assert_false(v0->in_guest);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wfi_sleeps_until_the_timer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wfi_without_timer_waits_for_a_kick, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wfi_due_timer_and_wfe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wfit_is_undefined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hvc_and_smc_reach_psci, setup, teardown),
		cmocka_unit_test_setup_teardown(test_id_register_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sgi1r_write_sends_an_sgi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sgi_to_a_running_vcpu_is_one_ipi, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown_sysreg_is_undefined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_abort_reaches_the_mmio_bus, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_data_abort_outside_is_injected, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_data_abort_from_user_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_instruction_abort_is_injected, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fp_trap_claims_the_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_exception_class_is_undefined, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_exits_are_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serror_halts_the_vm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_vector_by_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_t32_16bit_emulated_store_advances_by_2, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cache_maintenance_and_external_aborts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_emulated_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_way_cleans_once_per_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_log_is_rate_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vcpu_thread_runs_the_guest, setup, teardown),
	};

	return cmocka_run_group_tests(tests, vm_fixture_group_setup, NULL);
}
