/* SPDX-License-Identifier: MIT */
/*
 * Spinlocks: k_spin_lock() masks interrupts on this CPU and takes the lock;
 * k_spin_unlock() releases it and restores the interrupt mask.
 * The implementation is the architecture's (arch/<arch>/include/arch/spinlock.h).
 */
#ifndef ZVM_SPINLOCK_H
#define ZVM_SPINLOCK_H

#include <arch/spinlock.h>

#endif /* ZVM_SPINLOCK_H */
