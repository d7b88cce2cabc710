/* SPDX-License-Identifier: MIT */
/*
 * System shell commands: version, uptime, cpus, threads, mem, log,
 * poweroff, reboot and ktest.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zvm/arch.h>
#include <zvm/kernel.h>
#include <version.h>
#include <zvm/app.h>
#include <zvm/bench.h>
#include <zvm/ktest.h>
#include <zvm/vmm.h>
#include <zvm/log.h>
#include <zvm/mm.h>
#include <zvm/shell.h>
#include <zvm/shell_args.h>

#ifndef ZVM_BUILD_DATE
#define ZVM_BUILD_DATE __DATE__
#endif

#define MIB (1024u * 1024u)

/* Reject arguments past the first max ones. */
static int extra_arg(char **argv, int max)
{
	return shell_usage_error(argv[0], "unexpected argument '%s'", argv[max + 1]);
}

/* ---- version, uptime ---- */

static int cmd_version(int argc, char **argv)
{
	if (argc > 1)
		return extra_arg(argv, 0);
	printf("%s %s (%s) aarch64 EL%d\n", APP_NAME, ZVM_VERSION, ZVM_BUILD_DATE, KERNEL_EL);
	return 0;
}

SHELL_CMD(version, cmd_version, "", "show the version and build date");

static int cmd_uptime(int argc, char **argv)
{
	uint64_t ms = k_uptime_ns() / 1000000u;

	if (argc > 1)
		return extra_arg(argv, 0);
	printf("up %" PRIu64 ".%03" PRIu64 " s, counter %" PRIu64 " Hz\n", ms / 1000u, ms % 1000u,
	       k_ticks_per_sec());
	return 0;
}

SHELL_CMD(uptime, cmd_uptime, "", "show the time since boot");

/* ---- cpus ---- */

static void print_cpu_row(int cpu)
{
	struct k_cpu_info info;

	memset(&info, 0, sizeof(info));
	k_cpu_info_get(cpu, &info);
	printf("%3d  %-7s  %-16.*s  %3u%%  %12" PRIu64 "  %12" PRIu64 "\n", cpu,
	       info.online ? "online" : "halted", K_THREAD_NAME_LEN,
	       info.current[0] ? info.current : "-", info.load_pct, info.irqs, info.switches);
}

static int cmd_cpus(int argc, char **argv)
{
	if (argc > 1)
		return extra_arg(argv, 0);
	printf("%-3s  %-7s  %-16s  %4s  %12s  %12s\n", "CPU", "STATE", "THREAD", "LOAD", "IRQS",
	       "SWITCHES");
	for (int cpu = 0; cpu < k_num_cpus_present(); cpu++)
		print_cpu_row(cpu);
	return 0;
}

SHELL_CMD(cpus, cmd_cpus, "", "show each CPU: state, thread, load, counters");

/* ---- threads ---- */

/* What `threads` shows of one thread, copied under the scheduler lock. */
struct thread_row {
	char name[K_THREAD_NAME_LEN + 1];
	int prio;
	enum k_thread_state state;
	int cpu;
	uint32_t affinity;
	size_t stack_size;
	size_t stack_used;
	uint32_t preemptions;
	uint64_t max_wait_us;
};

struct thread_snap {
	struct thread_row *rows;
	size_t cap;
	size_t count; /* threads seen, may exceed cap */
};

static void count_thread(struct k_thread *t, void *arg)
{
	(void)t;
	(*(size_t *)arg)++;
}

static size_t stack_used(const struct k_thread *t)
{
	size_t unused;

	if (!t->stack_size)
		return 0;
	unused = k_thread_stack_unused(t);
	return unused < t->stack_size ? t->stack_size - unused : 0;
}

static void snap_thread(struct k_thread *t, void *arg)
{
	struct thread_snap *s = arg;
	struct thread_row *r;

	if (s->count++ >= s->cap)
		return;
	r = &s->rows[s->count - 1];
	memcpy(r->name, t->name, K_THREAD_NAME_LEN);
	r->name[K_THREAD_NAME_LEN] = '\0';
	r->prio = t->prio;
	r->state = t->state;
	r->cpu = t->cpu;
	r->affinity = t->affinity;
	r->stack_size = t->stack_size;
	r->stack_used = stack_used(t);
	r->preemptions = t->preemptions;
	r->max_wait_us = k_ticks_to_ns(t->max_ready_wait) / 1000;
}

/* Append "lo" or "lo-hi" to a comma separated list in buf. */
static size_t append_range(char *buf, size_t size, size_t n, int lo, int hi)
{
	const char *sep = n ? "," : "";
	int k;

	if (n >= size)
		return n;
	if (lo == hi)
		k = snprintf(buf + n, size - n, "%s%d", sep, lo);
	else
		k = snprintf(buf + n, size - n, "%s%d-%d", sep, lo, hi);
	return k > 0 ? n + (size_t)k : n;
}

/* A CPU mask as "all", "none" or a list such as "0,2-3". */
static void cpulist_str(uint32_t mask, char *buf, size_t size)
{
	int ncpus = k_num_cpus_present();
	uint32_t all = ncpus >= 32 ? UINT32_MAX : (1u << ncpus) - 1;
	size_t n = 0;

	snprintf(buf, size, "%s", (mask & all) == all ? "all" : "none");
	if ((mask & all) == all || !mask)
		return;
	for (int lo = 0, hi; lo < 32; lo = hi + 1) {
		hi = lo;
		if (!(mask & (1u << lo)))
			continue;
		while (hi < 31 && (mask & (1u << (hi + 1))))
			hi++;
		n = append_range(buf, size, n, lo, hi);
	}
}

static void print_thread_row(const struct thread_row *r)
{
	char cpu[8], aff[64], stack[24];

	if (r->cpu >= 0)
		snprintf(cpu, sizeof(cpu), "%d", r->cpu);
	else
		snprintf(cpu, sizeof(cpu), "-");
	cpulist_str(r->affinity, aff, sizeof(aff));
	snprintf(stack, sizeof(stack), "%zu/%zu", r->stack_used, r->stack_size);
	printf("%-16s  %4d  %-9s  %3s  %-8s  %-15s  %9" PRIu32 "  %11" PRIu64 "\n", r->name,
	       r->prio, k_thread_state_str(r->state), cpu, aff, stack, r->preemptions,
	       r->max_wait_us);
}

static int cmd_threads(int argc, char **argv)
{
	struct thread_snap snap = { NULL, 0, 0 };

	if (argc > 1)
		return extra_arg(argv, 0);
	k_thread_foreach(count_thread, &snap.cap);
	snap.cap += 8; /* room for threads started meanwhile */
	snap.rows = k_malloc(snap.cap * sizeof(*snap.rows));
	if (!snap.rows) {
		puts("error: out of memory");
		return 1;
	}
	k_thread_foreach(snap_thread, &snap);
	printf("%-16s  %4s  %-9s  %3s  %-8s  %-15s  %9s  %11s\n", "NAME", "PRIO", "STATE", "CPU",
	       "AFFINITY", "STACK USED/SIZE", "PREEMPTED", "MAXWAIT(us)");
	for (size_t i = 0; i < snap.count && i < snap.cap; i++)
		print_thread_row(&snap.rows[i]);
	if (snap.count > snap.cap)
		printf("(%zu more not shown)\n", snap.count - snap.cap);
	k_free(snap.rows);
	return 0;
}

SHELL_CMD(threads, cmd_threads, "",
	  "show each thread: priority, state, CPU, affinity, stack use, preemptions, max wait");

/* ---- mem ---- */

/* Bytes as MiB with one decimal, rounded. */
static void mib_str(uint64_t bytes, char *buf, size_t size)
{
	uint64_t tenths = (bytes * 10 + MIB / 2) / MIB;

	snprintf(buf, size, "%" PRIu64 ".%" PRIu64, tenths / 10, tenths % 10);
}

static void mem_row(const char *label, size_t count, uint64_t bytes)
{
	char mib[32];

	mib_str(bytes, mib, sizeof(mib));
	printf("  %-8s %10zu %10s\n", label, count, mib);
}

static void mem_counters(size_t allocs, size_t frees, size_t failures)
{
	printf("  allocs %zu, frees %zu, failures %zu\n", allocs, frees, failures);
}

static void mem_pages(void)
{
	struct page_stats ps;
	size_t used;

	page_stats_get(&ps);
	used = ps.total_pages - ps.free_pages;
	printf("%-10s %10s %10s\n", "pages", "count", "MiB");
	mem_row("total", ps.total_pages, (uint64_t)ps.total_pages * PAGE_SIZE);
	mem_row("free", ps.free_pages, (uint64_t)ps.free_pages * PAGE_SIZE);
	mem_row("used", used, (uint64_t)used * PAGE_SIZE);
	mem_row("largest", ps.largest_free_pages, (uint64_t)ps.largest_free_pages * PAGE_SIZE);
	mem_counters(ps.allocs, ps.frees, ps.failures);
}

static void mem_heap(void)
{
	struct heap_stats hs;

	k_heap_stats_get(&hs);
	printf("%-10s %10s %10s\n", "heap", "bytes", "MiB");
	mem_row("total", hs.total_bytes, hs.total_bytes);
	mem_row("used", hs.used_bytes, hs.used_bytes);
	mem_row("free", hs.free_bytes, hs.free_bytes);
	mem_row("peak", hs.peak_used_bytes, hs.peak_used_bytes);
	mem_row("largest", hs.largest_free_bytes, hs.largest_free_bytes);
	mem_counters(hs.allocs, hs.frees, hs.failures);
}

static int cmd_mem(int argc, char **argv)
{
	if (argc > 1)
		return extra_arg(argv, 0);
	mem_pages();
	mem_heap();
	return 0;
}

SHELL_CMD(mem, cmd_mem, "", "show page allocator and heap usage");

/* ---- log ---- */

#define LOG_TAIL_MAX 1000

/* The level of a ring line ("[...] c0 <wrn> ..."), or -1. */
static int line_level(const char *line, size_t len)
{
	const char *lt = memchr(line, '<', len);
	char name[4];

	if (!lt || (size_t)(lt - line) + 5 > len || lt[4] != '>')
		return -1;
	memcpy(name, lt + 1, 3);
	name[3] = '\0';
	return log_level_parse(name);
}

/* Print the last `tail` lines (0: all) of buf at `level` or more severe. */
static void print_log_lines(const char *buf, size_t n, int level, unsigned tail)
{
	unsigned total = 0, skip;
	const char *p, *end;

	for (int pass = 0; pass < 2; pass++) {
		skip = pass && tail && total > tail ? total - tail : 0;
		for (p = buf; p < buf + n; p = end + 1) {
			end = memchr(p, '\n', (size_t)(buf + n - p));
			if (!end)
				break;
			if (line_level(p, (size_t)(end - p)) > level)
				continue;
			if (!pass)
				total++;
			else if (skip)
				skip--;
			else
				printf("%.*s\n", (int)(end - p), p);
		}
	}
}

/* `log show [--tail N] [--level L]`: the host log ring. */
static int log_show(int argc, char **argv)
{
	uint64_t tail = 0;
	int level = LOG_LEVEL_DBG;
	char *buf;

	for (int i = 2; i < argc; i += 2) {
		bool is_tail = !strcmp(argv[i], "--tail"), is_level = !strcmp(argv[i], "--level");

		if (!is_tail && !is_level)
			return extra_arg(argv, i - 1);
		if (i + 1 == argc)
			return shell_usage_error(argv[0], "option '%s' needs a value", argv[i]);
		if (is_tail && shell_parse_uint(argv[i + 1], 1, LOG_TAIL_MAX, &tail) != 0)
			return shell_usage_error(argv[0], "--tail takes a number of lines, 1..%d",
						 LOG_TAIL_MAX);
		if (is_level && (level = log_level_parse(argv[i + 1])) < 0)
			return shell_usage_error(argv[0],
						 "unknown log level '%s' (one of err, "
						 "wrn, inf, dbg)",
						 argv[i + 1]);
	}
	buf = k_malloc(LOG_RING_SIZE);
	if (!buf) {
		printf("error: out of memory\n");
		return 1;
	}
	print_log_lines(buf, log_ring_copy(buf, LOG_RING_SIZE), level, (unsigned)tail);
	k_free(buf);
	return 0;
}

static int cmd_log(int argc, char **argv)
{
	int level;

	if (argc >= 2 && !strcmp(argv[1], "show"))
		return log_show(argc, argv);
	if (argc > 2)
		return extra_arg(argv, 1);
	if (argc == 2) {
		level = log_level_parse(argv[1]);
		if (level < 0)
			return shell_usage_error(argv[0],
						 "unknown log level "
						 "'%s' (one of err, wrn, inf, dbg)",
						 argv[1]);
		log_level_set(level);
	}
	printf("log level: %s\n", log_level_name(log_level_get()));
	return 0;
}

SHELL_CMD(log, cmd_log, "[err|wrn|inf|dbg] | show [--tail N] [--level L]",
	  "show or set the log level; show: the host's log lines kept (16 KiB), the last N, at "
	  "level L or more severe");

/* ---- power ---- */

static int cmd_poweroff(int argc, char **argv)
{
	if (argc > 1)
		return extra_arg(argv, 0);
	puts("powering off");
	fflush(stdout);
	arch_system_off();
}

SHELL_CMD(poweroff, cmd_poweroff, "", "turn the machine off");

static int cmd_reboot(int argc, char **argv)
{
	if (argc > 1)
		return extra_arg(argv, 0);
	puts("rebooting");
	fflush(stdout);
	arch_system_reset();
}

SHELL_CMD(reboot, cmd_reboot, "", "reset the machine");

/* ---- ktest ---- */

/*
 * The self-tests move threads across every CPU and time them: beside a
 * running VM they would disturb it and its vCPUs would fail them. The host
 * image has VMs (virt/vmm.c); the RTOS guest, built from the same shell,
 * has none.
 */
__attribute__((weak)) int vmm_vms_up(void)
{
	return 0;
}

static int cmd_ktest(int argc, char **argv)
{
	int up = vmm_vms_up();

	if (up && !(argc == 2 && !strcmp(argv[1], "list"))) {
		printf("error: ktest needs every CPU to itself and %d VM%s running or paused: its "
		       "scheduler tests would fail beside the vCPUs and disturb them (zvm delete "
		       "them first)\n",
		       up, up == 1 ? " is" : "s are");
		return 1;
	}
	if (argc > 2)
		return extra_arg(argv, 1);
	return ktest_run(argc == 2 ? argv[1] : NULL) ? 1 : 0;
}

SHELL_CMD(ktest, cmd_ktest, "[NAME|list]",
	  "run the kernel self-tests (all, those matching NAME) or list them");

/* ---- bench ---- */

static int cmd_bench(int argc, char **argv)
{
	if (argc != 1)
		return extra_arg(argv, 0);
	return bench_run();
}

SHELL_CMD(bench, cmd_bench, "", "measure kernel latencies (thread switch, IRQ, sync, alloc)");
