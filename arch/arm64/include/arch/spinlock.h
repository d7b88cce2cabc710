/*
 * Ticket spinlock. Waiters sleep in WFE with the owner field armed in the
 * exclusive monitor, so the unlocking store wakes them: under QEMU's
 * -icount a CPU that spins without WFE would never let the owner run.
 */
#ifndef ARCH_SPINLOCK_H
#define ARCH_SPINLOCK_H

#include <stdint.h>
#include <arch/sysreg.h>

typedef struct {
	uint16_t owner;
	uint16_t next;
} __attribute__((aligned(4))) k_spinlock_t;

typedef uint64_t k_spinlock_key_t;

static inline void arch_spin_acquire(k_spinlock_t *l)
{
	uint16_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	uint32_t owner;

	__asm__ volatile(
	"	sevl\n"
	"1:	wfe\n"
	"	ldaxrh	%w0, [%1]\n"
	"	cmp	%w0, %w2\n"
	"	b.ne	1b\n"
	: "=&r"(owner) : "r"(&l->owner), "r"((uint32_t)ticket) : "memory", "cc");
}

/* Take the lock only if it is free right now. */
static inline int arch_spin_trylock(k_spinlock_t *l)
{
	uint32_t *word = (uint32_t *)l;		/* owner in the low half */
	uint32_t old = __atomic_load_n(word, __ATOMIC_RELAXED);

	if ((old & 0xffff) != (old >> 16))
		return 0;
	return __atomic_compare_exchange_n(word, &old, old + (1u << 16), 0,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void arch_spin_release(k_spinlock_t *l)
{
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

static inline int arch_spin_is_locked(k_spinlock_t *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->next, __ATOMIC_RELAXED);
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
