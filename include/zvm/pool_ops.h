/* SPDX-License-Identifier: MIT */
/*
 * The kernel's CPU pools at run time (kernel/pool_ops.c): each call takes
 * sched_lock, applies a rule of include/zvm/pool.h to `pool_table` and
 * moves the threads the change concerns (a CPU that becomes static is
 * drained first: its other threads, its timeouts, then its timer).
 * Thread context; none blocks.
 */
#ifndef ZVM_POOL_OPS_H
#define ZVM_POOL_OPS_H

#include <stddef.h>
#include <zvm/pool.h>

/** Replace the pools (boot: the host config's); static CPUs are drained. */
void pool_ops_install(const struct pool_table *pt);
/** A consistent copy of the pools, for listing. */
void pool_ops_snapshot(struct pool_table *out);
int pool_op_create(const char *name, enum pool_kind kind, char *err, size_t errlen);
int pool_op_delete(const char *name, char *err, size_t errlen);
/** Move CPU `cpu` to pool `name`; a CPU that becomes static is drained. */
int pool_op_move_cpu(int cpu, const char *name, char *err, size_t errlen);
/**
 * Give thread t (a vCPU) the CPUs `mask`: in a static pool it is bound to
 * one free CPU of the mask, else it may run on all of them. Works on a
 * running thread: it moves at once if its CPU is no longer allowed.
 */
int pool_thread_place(struct k_thread *t, uint32_t mask, char *err, size_t errlen);
/** pool_thread_place() for the n threads of one VM at once (they may swap CPUs). */
int pool_threads_place(struct k_thread *const *ts, int n, uint32_t mask, char *err, size_t errlen);
/**
 * Turn CPU `cpu` into (or add it to) the static pool `name` with t bound to
 * it, in one step: t keeps running there while the others are drained.
 */
int pool_op_isolate(int cpu, const char *name, struct k_thread *t, char *err, size_t errlen);
/** Check that a VM of nr_vcpus vCPUs fits on `mask`; `own`: CPUs it holds already. */
int pool_op_check_vm(int nr_vcpus, uint32_t mask, uint32_t own, char *err, size_t errlen);

/* Read from the host config at boot (virt/pool_config.c). */
int pool_config_parse(struct pool_table *pt, const void *fdt, char *err, size_t errlen);
void pool_config_boot(void);

#endif /* ZVM_POOL_OPS_H */
