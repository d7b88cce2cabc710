/* SPDX-License-Identifier: MIT */
/*
 * Exception handling for the kernel itself: interrupts, and the fatal
 * path that reports an unexpected exception and stops only this CPU.
 */
#include <stdio.h>
#include <zvm/arch.h>
#include <zvm/platform.h>
#include <zvm/sched.h>
#include <arch/gicv3.h>
#include <arch/el.h>
#include <arch/esr_regs.h>
#include <arch/regs.h>
#include <arch/sysreg.h>
#ifndef ZVM_EL1
#include <arch/vcpu.h> /* arch_fp_host_trap */
#endif

#define BACKTRACE_MAX 16

void console_panic(bool on);

static const char *const kind_names[] = {
	"sync (SP_EL0)",
	"irq (SP_EL0)",
	"fiq (SP_EL0)",
	"serror (SP_EL0)",
	"sync",
	"irq",
	"fiq",
	"serror",
	"sync (lower EL)",
	"irq (lower EL)",
	"fiq (lower EL)",
	"serror (lower EL)",
	"sync (AArch32)",
	"irq (AArch32)",
	"fiq (AArch32)",
	"serror (AArch32)",
};

static const char *ec_name(uint64_t ec)
{
	switch (ec) {
	case EC_UNKNOWN:
		return "unknown instruction";
	case EC_SVC64:
		return "SVC";
	case EC_HVC64:
		return "HVC";
	case EC_SMC64:
		return "SMC";
	case EC_SYSREG:
		return "system register access";
	case EC_IABT_LOW:
	case EC_IABT_CUR:
		return "instruction abort";
	case EC_PC_ALIGN:
		return "PC alignment fault";
	case EC_DABT_LOW:
	case EC_DABT_CUR:
		return "data abort";
	case EC_SP_ALIGN:
		return "SP alignment fault";
	case EC_SERROR:
		return "SError";
	case EC_BRK64:
		return "BRK";
	default:
		return "other";
	}
}

/* Stacks live in the image (boot) or the heap: anywhere in RAM. */
static bool in_ram(uint64_t addr, uint64_t align)
{
	return addr >= platform.ram_base && addr < platform.ram_base + platform.ram_size &&
	       (addr & (align - 1)) == 0;
}

/* Follow the frame-pointer chain (every file is built with frame pointers). */
static void backtrace(uint64_t fp, uint64_t pc, uint64_t lr)
{
	/* A leaf function keeps its caller in lr and has no frame record. */
	printf("backtrace:\n  #0 pc %016lx\n  #1 lr %016lx\n", (unsigned long)pc,
	       (unsigned long)lr);
	for (int i = 2; i < BACKTRACE_MAX && in_ram(fp, 16); i++) {
		const uint64_t *frame = (const uint64_t *)fp;

		if (!frame[1])
			break;
		if (frame[1] == lr && i == 2) {
			fp = frame[0];
			continue;
		}
		printf("  #%d lr %016lx\n", i, (unsigned long)frame[1]);
		fp = frame[0];
	}
}

static void dump_registers(const struct arch_regs *r)
{
	for (int i = 0; i < 31; i++)
		printf("x%-2d %016lx%s", i, (unsigned long)r->x[i], i % 4 == 3 ? "\n" : "  ");
	printf("sp  %016lx\n", (unsigned long)r->sp);
}

static void fatal(const struct arch_regs *r, uint64_t kind)
{
	struct k_cpu *c = arch_cpu_self();
	uint64_t esr = read_sysreg(ESR_ELx);

	console_panic(true);
	printf("\n*** FATAL: unexpected %s exception on CPU %d in thread '%s': %s\n",
	       kind < 16 ? kind_names[kind] : "?", c->id, c->current->name, ec_name(ESR_EC(esr)));
	printf("ESR %016lx  FAR %016lx  ELR %016lx  SPSR %016lx\n", (unsigned long)esr,
	       (unsigned long)read_sysreg(FAR_ELx), (unsigned long)r->elr, (unsigned long)r->spsr);
	dump_registers(r);
	backtrace(r->x[29], r->elr, r->x[30]);
	printf("*** CPU %d stopped; the other CPUs continue\n", c->id);
	c->halted = true; /* only now: the report is complete */
	console_panic(false);
	/* Idle CPUs wake up and take over the threads queued here. */
	arch_send_sgi(IPI_RESCHED, K_CPU_ALL & ~(1u << c->id));
	arch_cpu_halt();
}

void exception_sync(struct arch_regs *r, uint64_t kind)
{
#ifndef ZVM_EL1
	if (ESR_EC(read_sysreg(ESR_ELx)) == EC_FP) {
		arch_fp_host_trap(); /* lazy FP: the instruction runs again */
		return;
	}
#endif /* !ZVM_EL1 */
	fatal(r, kind);
}

void exception_unexpected(struct arch_regs *r, uint64_t kind)
{
	fatal(r, kind);
}

/* Inlined into both callers: the IRQ exception pays no extra call. */
static inline __attribute__((always_inline)) void irq_dispatch(void)
{
	arch_cpu_self()->irq_nesting++; /* k_is_in_isr() */
	gic_handle_irqs();
	arch_cpu_self()->irq_nesting--;
	sched_irq_exit();
}

void arch_irq_dispatch(void)
{
	irq_dispatch();
}

void exception_irq(struct arch_regs *r, uint64_t kind)
{
	(void)r;
	(void)kind;
	irq_dispatch();
}
