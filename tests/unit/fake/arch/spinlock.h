/* SPDX-License-Identifier: MIT */
/* Host unit tests run single-threaded: the lock only checks it is balanced. */
#ifndef FAKE_ARCH_SPINLOCK_H
#define FAKE_ARCH_SPINLOCK_H

#include <stdint.h>

typedef struct {
	int held;
} k_spinlock_t;

typedef uint64_t k_spinlock_key_t;

static inline k_spinlock_key_t k_spin_lock(k_spinlock_t *l)
{
	l->held++;
	return 0;
}

static inline void k_spin_unlock(k_spinlock_t *l, k_spinlock_key_t key)
{
	(void)key;
	l->held--;
}

#endif /* FAKE_ARCH_SPINLOCK_H */
