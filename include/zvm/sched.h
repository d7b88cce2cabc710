/* SPDX-License-Identifier: MIT */
/*
 * Scheduler internals shared by the kernel objects and the arch layer.
 *
 * Lock order: sched_lock is the innermost kernel lock; it protects every
 * run queue, timeout queue, wait queue, thread state and kernel object.
 * It is held across arch_switch() and released by the thread switched to,
 * so a thread's context is fully saved before any other CPU can pick it.
 */
#ifndef ZVM_SCHED_H
#define ZVM_SCHED_H

#include <zvm/kernel.h>
#include <zvm/runq.h>
#include <zvm/timeout.h>

struct k_cpu {
	int id;
	bool online;
	bool halted; /* stopped by a fatal exception */
	uint64_t mpidr;
	struct k_thread *current;
	struct k_thread idle_thread;
	struct runq runq;
	dlist_t timeouts;
	uint64_t timer_deadline; /* what the timer is programmed to */
	uint64_t slice_deadline; /* 0: no time slice running */
	bool slice_expired;
	uint64_t irqs;
	unsigned irq_nesting; /* > 0 while it runs interrupt handlers; this CPU writes it */
	uint64_t switches;
	uint64_t idle_ticks; /* total time in the idle thread */
	uint64_t idle_since; /* when idle last got the CPU */
	uint64_t load_time;  /* last load sample: time, idle ticks */
	uint64_t load_idle;
	void *tls; /* picolibc thread-local block (errno) */
	/*
	 * Set (lock held) by whoever drains this CPU, or by an idle CPU where its
	 * current thread could run while a thread waits here (kernel/sched.c
	 * nudge_busy_cpu); cleared by this CPU at interrupt exit.
	 */
	bool drain_req;
	/*
	 * Interference counters (docs/pools.md), written only by this CPU:
	 * guest_irqs  interrupts taken for the vCPU running here (its own
	 *             timer, a kick for it); irqs - guest_irqs are the host's
	 * exits       guest exits of vCPUs here; host_exits those that a host
	 *             interrupt caused; el2_ticks time from exit to re-entry
	 */
	uint64_t guest_irqs;
	uint64_t exits;
	uint64_t host_exits;
	uint64_t el2_ticks;
	/* A kick for the vCPU here is on its way (set by the sender, taken by this CPU). */
	bool kick_pending;
	/* In a static pool: set with sched_lock held by kernel/pool_ops.c. */
	bool isolated;
	/* The open exit (kernel/cpu_stats.c), this CPU only: since, host IRQs, switches then. */
	bool exit_open;  /* an interrupt exit: may be the host's */
	bool exit_timed; /* an exit whose EL2 time is still counting */
	uint64_t exit_since;
	uint64_t exit_host_irqs;
	uint64_t exit_switches;
	/*
	 * Host interference met by guard_thread (the RT guard's vCPU here): time
	 * from its host-caused exit to its re-entry, and its waits for this CPU
	 * while ready; written by this CPU only. cpu_guard_set() (virt/rt_guard.c, the VMM)
	 * writes guard_thread/guard_budget/guard_period (ticks, 0: off) with
	 * guard_period 0 first: a stale value costs at most one period's verdict.
	 */
	const struct k_thread *guard_thread;
	bool guard_exit_open;
	uint64_t guard_exit_since;
	uint64_t guard_exit_irqs;
	uint64_t guard_exit_switches;
	uint64_t guard_period;
	uint64_t guard_budget;
	uint64_t guard_window; /* the period the sum below is of */
	uint64_t guard_used;
	uint64_t guard_overruns; /* periods whose interference passed the budget */
	uint64_t guard_worst;    /* the most interference in one period */
};

extern struct k_cpu k_cpus[K_MAX_CPUS];
extern k_spinlock_t sched_lock;

/* ---- boot ---- */

/** Read the counter frequency and the boot time (boot CPU, before any time call). */
void time_init(void);
/** Set up the scheduler data of `cpu`; the calling context becomes its idle thread. */
void sched_cpu_init(int cpu, uint64_t mpidr);
/** This CPU's interrupts work: threads may be placed on it from now on. */
void sched_cpu_online(void);
/** Run this CPU's idle loop forever. */
void sched_cpu_run_idle(void) __attribute__((noreturn));
/** Timer and IPI handling of this CPU (after its GIC interface is up). */
void sched_cpu_irqs_init(int cpu, int timer_intid);

/* ---- called with sched_lock held ---- */

/** Make t runnable on a CPU its affinity allows, preempting if it should. */
void sched_ready(struct k_thread *t);
/**
 * Block the current thread on waitq (NULL: just sleep) until woken or the
 * timeout expires; releases the lock with `key`. Returns the waker's
 * swap_retval, or K_EAGAIN on timeout.
 */
int sched_pend_current(dlist_t *waitq, k_timeout_t timeout, k_spinlock_key_t key);
/** Unlink the most urgent waiter of waitq (and cancel its timeout), or NULL. */
struct k_thread *sched_unpend_first(dlist_t *waitq);
/** Switch to a more urgent ready thread if there is one, then unlock. */
void sched_reschedule(k_spinlock_key_t key);
/** Change t's effective priority wherever it is queued. */
void sched_set_prio(struct k_thread *t, int prio);

/** Give up the CPU; the current thread's new state is already set. */
int sched_swap_current(k_spinlock_key_t key);
/** Queue the current thread behind its equals and run the best one. */
void sched_yield_current(k_spinlock_key_t key);

/** Set t's priority from its base and the waiters of the mutexes it holds, along the chain. */
void mutex_prio_refresh(struct k_thread *t);

/** Move off `cpu` what the pools no longer allow there (ready threads, timeouts, current). */
void sched_cpu_drain(int cpu);
/** t's allowed CPUs changed: move it if its CPU is no longer one of them. */
void sched_thread_moved(struct k_thread *t);

/* ---- interference counters (cpu_stats.c), IRQs masked, this CPU ---- */

/** An interrupt for the vCPU running here was taken (its timer, a kick). */
void cpu_count_guest_irq(void);
/** A kick (IPI) for the vCPU on `cpu` is sent: counted there as the guest's. */
void cpu_kick_sent(int cpu);
/** The scheduler's IPI was taken here. */
void cpu_ipi_taken(void);
/** The guarded vCPU of c met dt ticks of interference from `since` (lock held or c's own). */
void cpu_guard_count(struct k_cpu *c, uint64_t since, uint64_t dt);

/* ---- thread bookkeeping (thread.c) ---- */

/** Add t to the list of all threads. */
void thread_register(struct k_thread *t);
/** t is finished: unlink it everywhere and wake its joiners. */
void thread_mark_dead(struct k_thread *t);

/* ---- interrupt side ---- */

/** At the end of an interrupt: preempt, slice or stop the current thread if due. */
void sched_irq_exit(void);
/** If set, told how late each timer interrupt ran its handler (benchmark). */
extern void (*sched_timer_probe)(uint64_t late_ticks);
/** Expire this CPU's timeouts and time slice; the timer interrupt. */
void sched_timer_irq(void);

#endif /* ZVM_SCHED_H */
