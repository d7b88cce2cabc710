/*
 * Spinlock: test-and-set with load-acquire exclusive. Waiters sleep in WFE
 * with the lock word armed in their exclusive monitor, so the unlocking
 * store wakes them: under QEMU's -icount a CPU that spins without WFE
 * would never let the owner run.
 *
 * Why not a fair ticket lock: when the machine's CPUs are themselves
 * threads of a busy host (QEMU on fewer host cores than vCPUs), a ticket
 * lock hands the lock to a waiter that is not running and everyone else
 * spins for the host's whole time slice (ktest measured 100x slowdowns).
 * Zephyr makes the same choice.
 */
#ifndef ARCH_SPINLOCK_H
#define ARCH_SPINLOCK_H

#include <stdint.h>
#include <arch/irq.h>

typedef struct {
	uint32_t locked;
} k_spinlock_t;

typedef uint64_t k_spinlock_key_t;

static inline void arch_spin_acquire(k_spinlock_t *l)
{
	uint32_t val, fail;

	__asm__ volatile(
	"	sevl\n"
	"1:	wfe\n"
	"2:	ldaxr	%w0, [%2]\n"
	"	cbnz	%w0, 1b\n"
	"	stxr	%w1, %w3, [%2]\n"
	"	cbnz	%w1, 2b\n"
	: "=&r"(val), "=&r"(fail) : "r"(&l->locked), "r"(1u) : "memory");
}

/* Take the lock only if it is free right now. */
static inline int arch_spin_trylock(k_spinlock_t *l)
{
	uint32_t expected = 0;

	return __atomic_compare_exchange_n(&l->locked, &expected, 1u, 0,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void arch_spin_release(k_spinlock_t *l)
{
	__atomic_store_n(&l->locked, 0u, __ATOMIC_RELEASE);
}

static inline k_spinlock_key_t k_spin_lock(k_spinlock_t *l)
{
	k_spinlock_key_t key = arch_irq_save();

	arch_spin_acquire(l);
	return key;
}

static inline void k_spin_unlock(k_spinlock_t *l, k_spinlock_key_t key)
{
	arch_spin_release(l);
	arch_irq_restore(key);
}

#endif /* ARCH_SPINLOCK_H */
