/* SPDX-License-Identifier: MIT */
/*
 * CPU pools (docs/pools.md): every CPU belongs to exactly one pool.
 *
 *   dynamic  time-sliced by priority, any number of threads (overcommit);
 *            pool 0, "host", is always dynamic and keeps at least one CPU:
 *            the host's own threads (shell, VMM workers, management) run
 *            only on dynamic CPUs.
 *   static   real-time isolation: each CPU takes exactly one thread, the
 *            vCPU bound to it (its owner), and nothing else of the host.
 *
 * The rules below work on a struct pool_table and take no lock, so the host
 * unit tests run them as they are. The kernel's one table, `pool_table`, is
 * written only with sched_lock held (kernel/pool_ops.c, kernel/thread.c) and
 * read by the scheduler with it held; readers without the lock (the shell's
 * listing) may see a table between two operations, never a torn word.
 */
#ifndef ZVM_POOL_H
#define ZVM_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zvm/kernel.h>

#define POOL_MAX      4
#define POOL_NAME_LEN 16
#define POOL_HOST     0 /* the host's own dynamic pool */

enum pool_kind { POOL_DYNAMIC, POOL_STATIC };

struct pool {
	bool used;
	enum pool_kind kind;
	char name[POOL_NAME_LEN];
	uint32_t cpus; /* its CPUs */
};

struct pool_table {
	struct pool pool[POOL_MAX];
	uint32_t present;                         /* CPUs that exist */
	const struct k_thread *owner[K_MAX_CPUS]; /* static CPUs: the one thread bound there */
};

extern struct pool_table pool_table;

/** One dynamic pool "host" with the `ncpus` first CPUs. */
void pool_table_init(struct pool_table *pt, int ncpus);
/** A new empty pool; returns its index or K_EINVAL with the reason in err. */
int pool_create(struct pool_table *pt, const char *name, enum pool_kind kind, char *err,
		size_t errlen);
/** Delete an empty pool other than the host's. */
int pool_delete(struct pool_table *pt, int pool, char *err, size_t errlen);
/** The index of the pool called name, or -1. */
int pool_find(const struct pool_table *pt, const char *name);
/** The pool CPU `cpu` belongs to (-1 if it does not exist). */
int pool_of_cpu(const struct pool_table *pt, int cpu);
/** "static" or "dynamic". */
const char *pool_kind_name(enum pool_kind kind);
/** Parse "static"/"dynamic"; -1 if neither. */
int pool_kind_parse(const char *s);
/** The CPUs of every static pool. */
uint32_t pool_static_cpus(const struct pool_table *pt);
/**
 * Move CPU `cpu` to pool `to`. Refused: a CPU that does not exist, the
 * host pool's last CPU, a static CPU that still has its vCPU bound.
 * The caller drains the CPU (kernel/pool_ops.c).
 */
int pool_move_cpu(struct pool_table *pt, int cpu, int to, char *err, size_t errlen);
/**
 * Whether a VM of nr_vcpus vCPUs on the CPUs `mask` fits: all its CPUs in
 * one pool; in a static pool, one free CPU of the mask per vCPU.
 * `own`: static CPUs this VM's vCPUs hold now, which count as free (a re-pin).
 */
int pool_check_vm(const struct pool_table *pt, int nr_vcpus, uint32_t mask, uint32_t own, char *err,
		  size_t errlen);
/**
 * Bind thread t to a free static CPU of `mask` (the first one); returns the
 * CPU, or K_EBUSY with the reason when none is free.
 */
int pool_bind(struct pool_table *pt, const struct k_thread *t, uint32_t mask, char *err,
	      size_t errlen);
/** Release whatever static CPU t is bound to. */
void pool_unbind(struct pool_table *pt, const struct k_thread *t);
/** The static CPU t is bound to, or -1. */
int pool_bound_cpu(const struct pool_table *pt, const struct k_thread *t);
/**
 * Refuse an affinity for a host thread (not bound by pool_bind) that
 * leaves it no dynamic CPU: host threads never run on a static CPU.
 */
int pool_check_host_affinity(const struct pool_table *pt, uint32_t mask, char *err, size_t errlen);
/**
 * The CPUs thread t may run on now: its affinity without the static CPUs it
 * is not bound to; if that leaves none, the host pool's CPUs.
 */
uint32_t pool_thread_cpus(const struct pool_table *pt, const struct k_thread *t);

#endif /* ZVM_POOL_H */
