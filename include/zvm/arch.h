/* SPDX-License-Identifier: MIT */
/*
 * The interface between the portable kernel and the architecture.
 * Everything that touches a system register or runs assembly lives behind
 * these functions (arch/arm64/), and behind the arch headers for the parts
 * the portable code names: arch/irq.h (the interrupt mask), arch/cpu.h
 * (the inline CPU calls below), arch/barrier.h, arch/mmio.h (device
 * registers), arch/vcpu.h, arch/vm.h, arch/abort.h, arch/vtimer_hw.h and
 * arch/vgic_hw.h (the virtualization hardware). The system register
 * accessors (arch/sysreg.h) are arch/'s own: `make test` runs
 * scripts/check-arch-boundary.py, which fails on inline assembly, a system
 * register name or an accessor in code outside a directory named arch/.
 */
#ifndef ZVM_ARCH_H
#define ZVM_ARCH_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/cpu.h>
#include <arch/irq.h>
#include <arch/thread.h>

struct k_thread;
struct k_cpu;

/* ---- CPU ---- */

/*
 * Inline in arch/cpu.h: arch_cpu_self() (this CPU's struct k_cpu),
 * arch_counter_read(), arch_cpu_relax() (a busy-wait hint),
 * arch_hypercall() (a guest's HVC) and arch_undefined_instruction().
 */

/** Make `cpu` this CPU's kernel data (what arch_cpu_self() returns). */
void arch_cpu_self_set(struct k_cpu *cpu);
/** Per-CPU architecture set-up (exception vectors, traps) of CPU `cpu`, early at its boot. */
void arch_cpu_init(int cpu);
/** Start secondary CPU `cpu` (hardware id `mpidr`); it calls kernel_secondary_main(cpu). */
int arch_cpu_start(int cpu, uint64_t mpidr);
/** Wait for an interrupt; called with IRQs masked, returns with them masked. */
void arch_cpu_idle(void);
/** Stop this CPU for good (after a fatal error). */
void arch_cpu_halt(void) __attribute__((noreturn));
/**
 * Take a fatal exception here (a breakpoint): the exception path reports it
 * with registers and a backtrace and stops this CPU; the others continue.
 */
void arch_fatal_trap(void) __attribute__((noreturn));
/** The hardware id (MPIDR affinity) of this CPU. */
uint64_t arch_cpu_mpidr(void);

/* ---- context switch ---- */

/** Save callee registers into old, load new and return into it. */
void arch_switch(struct arch_thread_ctx *old, struct arch_thread_ctx *new);
/** Prepare a fresh context that calls kernel_thread_entry(t) on stack_top. */
void arch_thread_init(struct arch_thread_ctx *ctx, struct k_thread *t, void *stack_top);

/* ---- timer (this CPU's kernel timer, one-shot) ---- */

/** Ticks per second of the system counter (arch_counter_read()). */
uint64_t arch_counter_freq(void);
/** Fire the timer interrupt at the absolute counter value `deadline`. */
void arch_timer_set(uint64_t deadline);
void arch_timer_cancel(void);
/** RTOS guest (EL1) only: re-arm by writing CVAL alone (bootargs `timer=cval`). */
extern bool arch_timer_cval_only;

/* ---- interrupts ---- */

typedef void (*irq_handler_t)(int intid, void *arg);

/** Route an interrupt to handler; SPIs go to CPU `cpu`, PPIs/SGIs are per CPU. */
int irq_connect(int intid, irq_handler_t handler, void *arg);
void irq_enable(int intid, int cpu);
/** Send SPI `intid` to CPU `cpu` from now on (enabled or not, as it was). */
void irq_route(int intid, int cpu);
void irq_disable(int intid);
/**
 * From a handler (host at EL2): the interrupt being handled stays active after the
 * handler returns, its priority dropped; whoever took it over deactivates it (a guest,
 * through a hardware-linked list register, or irq_deactivate).
 */
void irq_keep_active(void);
/** Deactivate `intid` on this CPU (one left active by irq_keep_active). */
void irq_deactivate(int intid);
/** Make PPI/SGI `intid` active on this CPU (it cannot be taken until deactivated). */
void irq_set_active(int intid);
/** Clear SPI `intid`'s active state at the distributor (from any CPU). */
void irq_clear_active(int intid);
/**
 * With IRQs masked: handle this CPU's pending interrupts as their exception
 * would (handlers, then the scheduler's look, which may switch threads).
 * The vCPU loop's fast path, after an exit that an interrupt caused.
 */
void arch_irq_dispatch(void);
/** Make SPI `intid` edge-triggered (before enabling it). */
void irq_set_edge(int intid);
#define IPI_RESCHED   0 /* SGI: look at your run queue */
#define IPI_VCPU_KICK 2 /* SGI: leave the guest, which flushes its interrupts (vcpu_kick) */

/** Raise software interrupt `sgi` on every CPU in `cpu_mask`. */
void arch_send_sgi(int sgi, uint32_t cpu_mask);

/* ---- system ---- */

/** Call the PSCI firmware (or hypervisor) through the devicetree's conduit; returns x0. */
int64_t arch_psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

void arch_system_off(void) __attribute__((noreturn));
void arch_system_reset(void) __attribute__((noreturn));

#endif /* ZVM_ARCH_H */
