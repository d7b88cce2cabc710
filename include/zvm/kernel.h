/* SPDX-License-Identifier: MIT */
/*
 * The public kernel API (k_*): threads, scheduling, time, synchronisation.
 *
 * Priorities are numbered as in Zephyr: a lower number is more urgent.
 * Negative priorities are cooperative (never preempted by another thread,
 * only by interrupts); 0..K_LOWEST_PRIO are preemptible. The idle thread
 * runs below every other priority.
 *
 * Contracts: each call below says what it returns, whether it may block
 * (then it must be called from a thread, never from an interrupt handler
 * or with a spinlock held; K_ASSERT checks the first) and whether an
 * interrupt handler ("ISR") may call it. A call that says neither does not
 * block and may be called from anywhere.
 */
#ifndef ZVM_KERNEL_H
#define ZVM_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zvm/assert.h>
#include <zvm/list.h>
#include <zvm/spinlock.h>

#define K_NUM_COOP_PRIO    16
#define K_NUM_PREEMPT_PRIO 32
#define K_HIGHEST_PRIO     (-K_NUM_COOP_PRIO)
#define K_LOWEST_PRIO      (K_NUM_PREEMPT_PRIO - 1)
#define K_IDLE_PRIO        K_NUM_PREEMPT_PRIO
#define K_NUM_PRIO         (K_NUM_COOP_PRIO + K_NUM_PREEMPT_PRIO + 1)
#define K_PRIO_COOP(n)     (-K_NUM_COOP_PRIO + (n))
#define K_PRIO_PREEMPT(n)  (n)

#define K_MAX_CPUS        8
#define K_CPU_ALL         ((1u << K_MAX_CPUS) - 1)
#define K_THREAD_NAME_LEN 16
#define K_THREAD_LINE_LEN 128

/* Timeouts are relative, in counter ticks; K_FOREVER and K_NO_WAIT are special. */
typedef int64_t k_timeout_t;
#define K_NO_WAIT    ((k_timeout_t)0)
#define K_FOREVER    ((k_timeout_t)-1)
#define K_NSEC(ns)   ((k_timeout_t)k_ns_to_ticks(ns))
#define K_USEC(us)   K_NSEC((uint64_t)(us)*1000u)
#define K_MSEC(ms)   K_NSEC((uint64_t)(ms)*1000000u)
#define K_SECONDS(s) K_MSEC((uint64_t)(s)*1000u)

/* Error codes returned by blocking calls (negative errno style). */
#define K_EAGAIN  (-11) /* timed out / would block */
#define K_EBUSY   (-16)
#define K_EINVAL  (-22)
#define K_EPERM   (-1)
#define K_ENOMEM  (-12)
#define K_EDEADLK (-35)

/* ---- time ---- */

/** Counter frequency in Hz (CNTFRQ). Any context. */
uint64_t k_ticks_per_sec(void);
/** Current counter value. Any context. */
uint64_t k_cycle_get(void);
/** Nanoseconds to counter ticks, rounded up (a timeout never ends early). Any context. */
uint64_t k_ns_to_ticks(uint64_t ns);
/** Counter ticks to nanoseconds, rounded down. Any context. */
uint64_t k_ticks_to_ns(uint64_t ticks);
/** Time since boot in ns. Any context. */
uint64_t k_uptime_ns(void);
/** Time since boot in ms. Any context. */
static inline uint64_t k_uptime_ms(void)
{
	return k_uptime_ns() / 1000000u;
}

/** A deadline on the timeout queue; embedded in threads and timers. */
struct timeout {
	struct dnode node;
	uint64_t deadline; /* absolute counter value */
	void (*fn)(struct timeout *to);
	int cpu; /* queue it is on, -1 when idle */
};

/* ---- threads ---- */

enum k_thread_state {
	K_THREAD_NEW,     /* created, not started */
	K_THREAD_READY,   /* on a run queue */
	K_THREAD_RUNNING, /* current on some CPU */
	K_THREAD_PENDING, /* waiting on an object and/or a timeout */
	K_THREAD_SUSPENDED,
	K_THREAD_DEAD,
};

typedef void (*k_thread_entry_t)(void *arg);

#include <arch/thread.h> /* struct arch_thread_ctx */

struct k_thread {
	struct arch_thread_ctx ctx; /* saved callee registers; first */
	struct dnode qnode;         /* run queue or wait queue link */
	struct dnode allnode;       /* list of all threads */
	struct timeout timeout;
	dlist_t *waitq;  /* wait queue it pends on, if any */
	int swap_retval; /* result handed over by the waker */
	void *swap_data; /* object handed over by the waker */
	int prio;        /* effective priority */
	int base_prio;   /* priority before inheritance */
	enum k_thread_state state;
	bool suspend_req;  /* suspend when it next leaves the CPU */
	bool abort_req;    /* die when it next leaves the CPU */
	int cpu;           /* CPU it runs on or last ran on */
	uint32_t affinity; /* mask of CPUs it may run on */
	char name[K_THREAD_NAME_LEN];
	k_thread_entry_t entry;
	void *arg;
	void *stack_base;
	size_t stack_size;
	bool stack_owned;     /* stack was allocated by k_thread_spawn */
	dlist_t joiners;      /* threads waiting in k_thread_join */
	uint64_t slice_start; /* counter value when it got the CPU */
	uint64_t run_ticks;   /* accumulated time on CPU */
	/*
	 * Accumulated time ready but not running (a vCPU's steal time).
	 * run_ticks and ready_ticks: written only by account_switch() on the
	 * thread's CPU, scheduler lock held; read by anyone without a lock
	 * (one aligned word: a reader sees an old or a new total, never a
	 * torn one).
	 */
	uint64_t ready_ticks;
	/*
	 * Scheduling latency, what a real-time thread (an RT vCPU) is judged
	 * by: when it last became ready, the longest it then waited for its
	 * CPU, and how often a more urgent thread or its time slice took the
	 * CPU away while it could run.
	 */
	uint64_t ready_since;
	uint64_t max_ready_wait;
	uint32_t preemptions;
	/*
	 * Where it ran: 1 << the CPU it last ran on (0: not yet), and how often
	 * it then ran on another CPU; written by account_switch(), lock held.
	 */
	uint32_t ran_on;
	uint32_t migrations;
	struct k_mutex *pending_mutex; /* for priority inheritance chains */
	dlist_t held_mutexes;          /* its priority is derived from their waiters */
	/*
	 * Called with the scheduler lock held, IRQs masked, when the thread
	 * leaves or gets a CPU: a vCPU thread switches its guest's EL1 state.
	 */
	void (*switch_out)(struct k_thread *t);
	void (*switch_in)(struct k_thread *t);
	void *user_data;
	/*
	 * Wake this thread's CPU with an IPI whenever another thread becomes
	 * ready there, even a less urgent one (a vCPU idling in the guest's
	 * own WFI must step aside).
	 */
	bool ipi_on_ready;
	/* Its printf output so far, written to the console a whole line at a time. */
	char out_line[K_THREAD_LINE_LEN];
	unsigned out_len;
};

/**
 * Initialise a thread on a caller-provided stack. It does not run until
 * k_thread_start(). Affinity defaults to all CPUs. Does not block; thread
 * context (it is not meant for ISRs).
 */
void k_thread_create(struct k_thread *t, const char *name, void *stack, size_t stack_size,
		     k_thread_entry_t entry, void *arg, int prio);
/**
 * Create and start a thread whose struct and stack come from the heap.
 * Returns it, or NULL when the heap is short. Does not block; thread context.
 */
struct k_thread *k_thread_spawn(const char *name, size_t stack_size, k_thread_entry_t entry,
				void *arg, int prio, uint32_t affinity);
/** Make a K_THREAD_NEW thread ready (no effect on any other state); it may run at once. ISR-safe. */
void k_thread_start(struct k_thread *t);
/**
 * Set the CPU mask of a thread that is new or suspended. Returns 0,
 * K_EINVAL for a mask with no CPU, K_EPERM for one with only CPUs of
 * static pools (include/zvm/pool.h), K_EBUSY if the thread is ready,
 * running or pending. Does not block; ISR-safe.
 */
int k_thread_cpu_mask_set(struct k_thread *t, uint32_t mask);
/** k_thread_cpu_mask_set() with the one CPU `cpu`. */
static inline int k_thread_cpu_pin(struct k_thread *t, int cpu)
{
	return k_thread_cpu_mask_set(t, 1u << cpu);
}
/**
 * Stop t from running until k_thread_resume(). Suspending itself blocks
 * the caller (thread context); suspending a thread running on another CPU
 * takes effect when it next leaves that CPU; a pending thread is suspended
 * when it is woken.
 */
void k_thread_suspend(struct k_thread *t);
/** Make a suspended thread ready again (cancels a suspend not yet done). ISR-safe. */
void k_thread_resume(struct k_thread *t);
/**
 * Stop a thread for good; joiners are woken. Aborting self never returns.
 * Aborting a thread running on another CPU waits (blocks) until it has left
 * that CPU when called from a thread with interrupts on, else only asks it.
 */
void k_thread_abort(struct k_thread *t);
/**
 * Wait for a thread to end; frees it if it was spawned. Returns 0,
 * K_EAGAIN on timeout, K_EBUSY (K_NO_WAIT and still alive) or K_EDEADLK
 * (joining itself). Blocks: thread context only.
 */
int k_thread_join(struct k_thread *t, k_timeout_t timeout);
/** Set t's base priority (ignored outside K_HIGHEST_PRIO..K_LOWEST_PRIO); may preempt the caller. */
void k_thread_priority_set(struct k_thread *t, int prio);
/** The thread running on this CPU (in an ISR: the one it interrupted). Any context. */
struct k_thread *k_current(void);
/** Let the other ready threads of the caller's priority run first. Thread context. */
void k_yield(void);
/** Sleep for a relative time (K_NO_WAIT: yield); returns 0. Blocks: thread context only. */
int k_sleep(k_timeout_t timeout);
/** Busy-wait (no yield, no block) for the given time. Any context. */
void k_busy_wait_ns(uint64_t ns);
/** Time slicing among equal-priority preemptible threads; 0 turns it off. Any context. */
void k_sched_time_slice_set(uint32_t slice_ms);
/* The slice set at boot, in ms: threads of equal preemptible priority take turns. */
#define K_TIME_SLICE_MS 10
/** A state's name ("ready", ...); "?" for a value out of range. Any context. */
const char *k_thread_state_str(enum k_thread_state s);
/** Bytes of the thread's stack never written (high-water mark). Any context. */
size_t k_thread_stack_unused(const struct k_thread *t);
/** Call fn for every thread, under the scheduler lock: fn must not block. */
void k_thread_foreach(void (*fn)(struct k_thread *t, void *arg), void *arg);

/* ---- CPUs ---- */

struct k_cpu_info {
	bool present; /* started by the kernel */
	bool online;  /* present and not halted by a fault */
	char current[K_THREAD_NAME_LEN];
	unsigned load_pct; /* non-idle share of the last second */
	uint64_t irqs;     /* interrupts taken */
	uint64_t switches; /* context switches */
};

/** CPUs online now (a CPU stopped by a fatal exception is not). Any context. */
int k_num_cpus(void);
/** CPUs the kernel started, online or not. Any context. */
int k_num_cpus_present(void);
/** The CPU the caller runs on (a thread may move right after it returns). Any context. */
int k_cpu_id(void);
/** A snapshot of CPU `cpu`'s state and counters into info. Any context. */
void k_cpu_info_get(int cpu, struct k_cpu_info *info);
/** True while this CPU runs an interrupt handler (where nothing may block). Any context. */
bool k_is_in_isr(void);

/*
 * Kernel objects (semaphores, mutexes, message queues) and all wait queues
 * are protected by the one scheduler lock, so waking a thread never needs a
 * second lock and there is no lock order to get wrong.
 */

/* ---- semaphores ---- */

struct k_sem {
	unsigned count;
	unsigned limit;
	dlist_t waitq;
};

/** Set up s with `initial` units; k_sem_give never raises the count above `limit`. */
void k_sem_init(struct k_sem *s, unsigned initial, unsigned limit);
/**
 * Take one unit, waiting up to `timeout` for one. Returns 0, K_EBUSY
 * (K_NO_WAIT and none free) or K_EAGAIN (timed out). With K_NO_WAIT it
 * never blocks and is ISR-safe; otherwise it may block: thread context only.
 */
int k_sem_take(struct k_sem *s, k_timeout_t timeout);
/** Wake the most urgent waiter, or add a unit (up to the limit). Never blocks; ISR-safe. */
void k_sem_give(struct k_sem *s);
/** Units free now (a hint: it may change at once). Any context. */
unsigned k_sem_count_get(struct k_sem *s);

/* ---- mutexes (recursive, with priority inheritance) ---- */

struct k_mutex {
	struct k_thread *owner;
	unsigned lock_count;
	struct dnode held_node; /* on the owner's held_mutexes */
	dlist_t waitq;
};

/** Set up m unlocked. */
void k_mutex_init(struct k_mutex *m);
/**
 * Lock m (again, if the caller holds it: it must unlock as often), waiting
 * up to `timeout`; while waiting it lends its priority to the owner.
 * Returns 0, K_EBUSY (K_NO_WAIT and held by another) or K_EAGAIN (timed
 * out). May block. Thread context only, never an ISR (a mutex has a
 * thread as owner): K_ASSERT checks it.
 */
int k_mutex_lock(struct k_mutex *m, k_timeout_t timeout);
/**
 * Undo one k_mutex_lock; the last one hands m to the most urgent waiter
 * and may switch to it. Returns 0, or K_EPERM if the caller does not hold
 * m. Does not block. Thread context only (K_ASSERT checks it).
 */
int k_mutex_unlock(struct k_mutex *m);
/** Does the calling thread hold m? For K_ASSERT of a locking rule. Any context. */
bool k_mutex_held(const struct k_mutex *m);

/* ---- message queues (fixed-size messages, FIFO) ---- */

struct k_msgq {
	char *buffer;
	size_t msg_size;
	uint32_t max_msgs;
	uint32_t used;
	uint32_t read_idx;
	uint32_t write_idx;
	dlist_t waitq; /* senders or receivers, never both */
};

/** Set up q on `buffer`, which holds max_msgs messages of msg_size bytes. */
void k_msgq_init(struct k_msgq *q, void *buffer, size_t msg_size, uint32_t max_msgs);
/**
 * Copy one message (msg_size bytes) in, waiting up to `timeout` for room.
 * Returns 0, K_EBUSY (K_NO_WAIT and full) or K_EAGAIN (timed out). With
 * K_NO_WAIT never blocks and is ISR-safe; otherwise thread context only.
 */
int k_msgq_put(struct k_msgq *q, const void *msg, k_timeout_t timeout);
/**
 * Copy the oldest message out into msg, waiting up to `timeout` for one.
 * Returns 0, K_EBUSY (K_NO_WAIT and empty) or K_EAGAIN (timed out). With
 * K_NO_WAIT never blocks and is ISR-safe; otherwise thread context only.
 */
int k_msgq_get(struct k_msgq *q, void *msg, k_timeout_t timeout);
/** Messages queued now (a hint: it may change at once). Any context. */
uint32_t k_msgq_num_used(struct k_msgq *q);

/* ---- memory ---- */

/*
 * The kernel heap, behind a spinlock: never blocks, ISR-safe (but an ISR
 * should not need memory), alignment 16 bytes.
 */

/** size bytes, or NULL (size 0 or no room; a failure is counted in `mem`). */
void *k_malloc(size_t size);
/** n * size zeroed bytes, or NULL (also when n * size overflows). */
void *k_calloc(size_t n, size_t size);
/** Give back a block from k_malloc/k_calloc; NULL is ignored, a bad pointer refused and counted. */
void k_free(void *p);

#endif /* ZVM_KERNEL_H */
