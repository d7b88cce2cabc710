/* SPDX-License-Identifier: MIT */
/*
 * The RT guard (virt/rt_guard.c, docs/pools.md): for an RT VM, a budget of
 * host interference per period, measured on its vCPU's CPU
 * (kernel/cpu_stats.c), reported once per episode (log, `zvm info -n`,
 * `zvm pool list`, the management stats) and answered by its reaction.
 * VMM context (the shell, the management agent); each call takes vmm_lock
 * through the vmm_* calls it makes, or none.
 */
#ifndef ZVM_RT_GUARD_H
#define ZVM_RT_GUARD_H

#include <stddef.h>
#include <stdint.h>

enum rt_guard_reaction { RT_GUARD_WARN, RT_GUARD_ISOLATE };

#define RT_GUARD_MAX_PERIOD_US 1000000u /* a guard period is at most 1 s */

struct vm;

/**
 * Guard VM id (one vCPU): at most budget_us of host interference per
 * period_us; period_us 0 turns it off. Returns 0 or K_EINVAL with err.
 */
int rt_guard_set(int id, uint32_t budget_us, uint32_t period_us, enum rt_guard_reaction r,
		 char *err, size_t errlen);
/**
 * VM vm's vCPU 0 was made (virt/vcpu.c, vmm_lock held): the guard its
 * template declares (`rt-guard`, vm->cfg) starts watching it. Its CPU is
 * the one the vCPU runs on; the guard follows it when it moves (a re-pin,
 * `zvm pool vm`, a migration in the dynamic pool).
 */
void rt_guard_vm_made(struct vm *vm);
/** One line on VM id's guard into buf ("" if it has none). */
void rt_guard_describe(int id, char *buf, size_t len);
/** Periods over budget counted for VM id so far (0 without a guard). */
uint64_t rt_guard_overruns(int id);

#endif /* ZVM_RT_GUARD_H */
