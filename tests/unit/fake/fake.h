/* SPDX-License-Identifier: MIT */
/*
 * The one shared fake of the architecture and the kernel services that the
 * host unit tests link the portable code against (as Hafnium links its core
 * against src/arch/fake). Each fake is defined once:
 *
 *   arch_fake.c	system registers as named variables, IRQ mask, counter,
 *			stage-2 ops, vcpu_arch_*, guest_enter, SGIs, irq_*,
 *			device accesses and mappings (arch/mmio.h, arch/mmu.h)
 *   kernel_fake.c	time, CPUs, threads, semaphores, mutexes, message queues
 *   mm_fake.c		page_alloc and k_malloc through the real kernel/buddy.c and
 *			kernel/heap.c, with counts and injected failures
 *   log_fake.c		log_printf and console_write, captured
 *   vgic_hw_fake.c	the GICv3 list registers (arch/vgic_hw.h)
 *   vtimer_hw_fake.c	the EL1 virtual timer (arch/vtimer_hw.h)
 *
 * A test names the fakes it needs on its SOURCES line, with the real files.
 * Everything is single-threaded: the test is the only CPU (CPU 0). Only the
 * test writes the fake_* state below, except where a field says a fake
 * updates it.
 */
#ifndef TEST_FAKE_H
#define TEST_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zvm/kernel.h>
#include <arch/irq.h> /* fake_irqs_masked */

struct vcpu_arch;

/* ---- arch_fake.c ---- */

#define FAKE_COUNTER_HZ 62500000u     /* QEMU virt's counter */
#define FAKE_VTCR       0x80023559ull /* what arch_s2_vtcr() answers */

/** The value last written to system register `name` (0 if never written). */
uint64_t fake_sysreg_read(const char *name);
/** Write system register `name` (as arch/ spells it: "elr_el1", "S3_0_C0_C4_0"). */
void fake_sysreg_write(const char *name, uint64_t value);

/** What the code under test asked of the architecture; counts kept by the fake. */
struct fake_arch {
	unsigned s2_flush_vmid; /* arch_s2_flush_vmid calls */
	uint16_t last_flushed_vmid;
	unsigned s2_flush_all;   /* arch_s2_flush_all calls */
	unsigned dcache_cleans;  /* arch_dcache_clean_range calls */
	unsigned dcache_flushes; /* arch_dcache_flush_range calls (set/way emulation) */
	unsigned sgis;           /* arch_send_sgi calls */
	int last_sgi;
	uint32_t last_sgi_mask;
	unsigned vcpu_resets;    /* vcpu_arch_reset calls */
	unsigned guest_entries;  /* guest_enter calls */
	unsigned irqs_kept;      /* irq_keep_active calls */
	unsigned irqs_cleared;   /* irq_clear_active calls */
	unsigned fp_claims;      /* vcpu_arch_fp_claim calls */
	unsigned irq_dispatches; /* arch_irq_dispatch calls */
	/* Set by the test: plays the guest in guest_enter(); returns a GUEST_EXIT_*. */
	uint64_t (*guest)(struct vcpu_arch *ctx);
	/* The last interrupt a driver connected (irq_connect) and enabled (irq_enable). */
	int irq_intid;
	void (*irq_handler)(int intid, void *arg);
	void *irq_arg;
	bool irq_enabled;
	int irq_cpu;
	/* Device accesses (arch/mmio.h) and mappings (arch/mmu.h), counted by the fake. */
	unsigned mmio_reads, mmio_writes, device_maps;
	/* Set by the test: the register-level model device accesses go to (NULL: reads are 0). */
	const struct fake_mmio_model *mmio;
};

/** A device model behind fake_mmio_read/fake_mmio_write. */
struct fake_mmio_model {
	uint64_t (*read)(uintptr_t addr, unsigned width);
	void (*write)(uintptr_t addr, unsigned width, uint64_t v);
};

extern struct fake_arch fake_arch;

/** Zero fake_arch and every system register; IRQs unmasked. */
void fake_arch_reset(void);
/** The interrupt `intid` fires: its handler runs if it is connected and enabled; 1 if it ran. */
int fake_irq_fire(int intid);

/* ---- kernel_fake.c ---- */

/** The kernel's state as the test sets it, and what the code under test did. */
struct fake_kernel {
	uint64_t now;     /* k_cycle_get(): advanced by the test only */
	int ncpus;        /* CPUs present (default 4) */
	uint32_t offline; /* mask of present CPUs that are offline */
	unsigned sem_gives;
	unsigned sem_takes;           /* k_sem_take calls */
	k_timeout_t last_sem_timeout; /* the timeout of the last k_sem_take */
	int mutexes_held;             /* k_mutex_lock minus k_mutex_unlock */
	unsigned threads_started;
};

extern struct fake_kernel fake_kernel;

/** Default CPUs, clock 0, counts zero; the test's thread is current again. */
void fake_kernel_reset(void);
/**
 * Run thread t's entry on the test's stack (it is k_current() meanwhile)
 * until it returns (0: the thread is dead) or would block forever on a
 * semaphore or message queue that nothing can give (1: it stays ready).
 */
int fake_thread_run(struct k_thread *t);
/** The live thread created with this name, or NULL. */
struct k_thread *fake_thread_find(const char *name);

/* ---- mm_fake.c ---- */

/** Make the n-th page_alloc/k_malloc/k_calloc from now on fail (1: the next); 0: none. */
void fake_alloc_fail_nth(size_t n);
/** Pages handed out by page_alloc and not freed. */
size_t fake_pages_used(void);
/** Heap blocks handed out by k_malloc/k_calloc and not freed. */
size_t fake_heap_blocks_used(void);
/** Allocation calls (page or heap) made so far. */
size_t fake_alloc_calls(void);

/* ---- log_fake.c ---- */

#define FAKE_LOG_LEN 8192

/** Captured output: every log line and everything written to the console. */
struct fake_log {
	unsigned lines; /* log_printf calls */
	int last_level;
	char last[256];             /* the last log line */
	char all[FAKE_LOG_LEN];     /* every log line, each ending in '\n' (truncated) */
	char console[FAKE_LOG_LEN]; /* console_write output (truncated) */
	size_t console_len;
};

extern struct fake_log fake_log;

/** Forget what was captured. */
void fake_log_reset(void);
/** Was a log line containing `text` printed since the last reset? */
bool fake_log_has(const char *text);

/** fake_arch_reset, fake_kernel_reset and fake_log_reset. */
void fake_reset(void);

#endif /* TEST_FAKE_H */
