/* SPDX-License-Identifier: MIT */
/* K_ASSERT's failure path (include/zvm/assert.h) and the interrupt-context query. */
#include <stdio.h>
#include <zvm/arch.h>
#include <zvm/sched.h>

void k_assert_fail(const char *file, int line, const char *cond)
{
	printf("\n*** ASSERT failed at %s:%d: %s\n", file, line, cond);
	arch_fatal_trap();
}

bool k_is_in_isr(void)
{
	k_spinlock_key_t key = arch_irq_save();	/* no migration while we look */
	bool in_isr = arch_cpu_self()->irq_nesting > 0;

	arch_irq_restore(key);
	return in_isr;
}
