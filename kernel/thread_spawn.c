/* SPDX-License-Identifier: MIT */
/* k_thread_spawn: a thread with its stack from the heap, made and started in one call.
 * Built only on the public thread calls, so the unit tests' fake kernel links it too. */
#include <zvm/kernel.h>
#include <zvm/sched.h>

struct k_thread *k_thread_spawn(const char *name, size_t stack_size, k_thread_entry_t entry,
				void *arg, int prio, uint32_t affinity)
{
	struct k_thread *t = k_malloc(sizeof(*t));
	void *stack = k_malloc(stack_size);

	if (!t || !stack) {
		k_free(t);
		k_free(stack);
		return NULL;
	}
	k_thread_create(t, name, stack, stack_size, entry, arg, prio);
	t->stack_owned = true;
	k_thread_cpu_mask_set(t, affinity);
	k_thread_start(t);
	return t;
}
