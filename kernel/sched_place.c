// SPDX-License-Identifier: MIT
/* The scheduler's placement rule (include/zvm/sched_place.h). Portable: unit-tested on the host. */
#include <zvm/sched_place.h>

bool place_preempts(int cur_prio, int prio)
{
	if (cur_prio == K_IDLE_PRIO)
		return true;
	return cur_prio >= 0 && prio < cur_prio; /* cooperative threads are never preempted */
}

int place_cpu(const struct cpu_view *cpus, int ncpus, uint32_t mask, int last, int prio)
{
	int victim = -1;

	mask &= ncpus >= 32 ? ~0u : (1u << ncpus) - 1; /* the CPUs it knows */
	if (!mask)
		return 0;
	if (last >= 0 && (mask & (1u << last)) && cpus[last].idle)
		return last;
	for (uint32_t m = mask; m; m &= m - 1) {
		int i = __builtin_ctz(m);

		if (cpus[i].idle)
			return i;
		if (place_preempts(cpus[i].cur_prio, prio) &&
		    (victim < 0 || cpus[i].cur_prio > cpus[victim].cur_prio))
			victim = i;
	}
	if (victim >= 0)
		return victim;
	if (last >= 0 && (mask & (1u << last)))
		return last;
	return __builtin_ctz(mask);
}
