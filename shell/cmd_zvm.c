/* SPDX-License-Identifier: MIT */
/*
 * `zvm`: the VM commands of the host shell (new, run, pause, reset, delete,
 * info, update, look). Parsing and printing only; the work is in virt/vm.c.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/console.h>
#include <zvm/cpu_stats.h>
#include <zvm/shell.h>
#include <zvm/rt_guard.h>
#include <zvm/shell_args.h>
#include <zvm/shm.h>
#include <zvm/vm_config.h>
#include <zvm/vm_log.h>
#include <zvm/log.h>
#include <zvm/vmm.h>
#include <zvm/virtio.h>
#include <zvm/vuart.h>

#define CTRL_X 0x18

struct zvm_opts {
	const char *type;
	const char *name;
	const char *args;
	int64_t id;
	struct vm_config cfg; /* overrides applied on top of a template */
	bool has_vcpus, has_mem, has_cpus, has_prio;
	bool hvc;             /* look: the virtio console, not the PL011 */
	struct vm_policy pol; /* --on-EVENT ACTION, --restart-limit N/T */
	bool has_on[VM_EVENTS], has_limit;
	uint64_t tail; /* log: the last N lines, 0 = all it holds */
};

static void usage(void)
{
	printf("usage: zvm new -t rtos|linux [-n NAME] [--vcpus N] [--mem SIZE] [--cpus LIST] "
	       "[--prio P] [--args \"ARGS\"]\n"
	       "       zvm run|pause|stop|reset|delete|look -n ID\n"
	       "       zvm look -n ID --hvc\n"
	       "       zvm info [-n ID]\n"
	       "       zvm update -n ID [--vcpus N] [--mem SIZE] [--cpus LIST] [--prio P] [--args "
	       "\"ARGS\"]\n"
	       "       zvm policy -n ID [--on-poweroff|--on-reboot|--on-crash|--on-watchdog "
	       "halt|restart|preserve] [--restart-limit N/SECONDS]\n"
	       "       zvm log -n ID [--tail N]\n"
	       "       zvm templates\n"
	       "       zvm pool list|create|delete|cpu|pin|vm|guard ... (zvm pool --help)\n");
}

static int opt_error(const char *fmt, const char *arg)
{
	printf("error: ");
	printf(fmt, arg);
	printf("\n");
	usage();
	return 1;
}

/* --on-EVENT ACTION or --restart-limit N/SECONDS; 0, or 1 after an error message. */
static int parse_policy_opt(struct zvm_opts *o, const char *opt, const char *val)
{
	int ev = strncmp(opt, "--on-", 5) ? -1 : vm_event_parse(opt + 5), act;
	uint64_t n, t;
	char *slash;

	if (ev > 0) {
		act = vm_action_parse(val);
		if (act < 0)
			return opt_error("%s takes halt, restart or preserve", opt);
		o->pol.on[ev] = (uint8_t)act;
		o->has_on[ev] = true;
		return 0;
	}
	if (strcmp(opt, "--restart-limit"))
		return opt_error("unknown option '%s'", opt);
	slash = strchr(val, '/');
	if (!slash)
		return opt_error("--restart-limit takes N/SECONDS, e.g. 3/60: '%s'", val);
	*slash = '\0';
	if (shell_parse_uint(val, 0, VM_RESTART_MAX_LIMIT, &n) ||
	    shell_parse_uint(slash + 1, 1, VM_RESTART_MAX_WINDOW, &t)) {
		*slash = '/';
		printf("error: --restart-limit %s: restarts 0..%d, seconds 1..%d\n", val,
		       VM_RESTART_MAX_LIMIT, VM_RESTART_MAX_WINDOW);
		return 1;
	}
	o->pol.restart_max = (uint32_t)n;
	o->pol.restart_window_s = (uint32_t)t;
	o->has_limit = true;
	return 0;
}

/* --mem: a size with a unit (K, M, G), or a bare number of MiB. */
static int parse_mem(const char *val, uint64_t *bytes)
{
	size_t n = strlen(val);
	int err = shell_parse_size(val, 1ull << 40, bytes);

	if (!err && n && val[n - 1] >= '0' && val[n - 1] <= '9') {
		if (*bytes > (1ull << 20))
			return SHELL_ARG_ERANGE;
		*bytes <<= 20; /* "768" is 768 MiB */
	}
	return err;
}

/* The accepted range of an option, for its "out of range" message (NULL: none known). */
static const char *opt_range(const char *opt)
{
	static char buf[48];

	if (!strcmp(opt, "--vcpus"))
		snprintf(buf, sizeof(buf), "1..%d", VM_MAX_VCPUS);
	else if (!strcmp(opt, "--prio"))
		snprintf(buf, sizeof(buf), "%d..%d", K_HIGHEST_PRIO, K_LOWEST_PRIO);
	else if (!strcmp(opt, "-n"))
		snprintf(buf, sizeof(buf), "VM ids 0..%d", VM_MAX - 1);
	else if (!strcmp(opt, "--cpus"))
		snprintf(buf, sizeof(buf), "host CPUs 0..%d", k_num_cpus_present() - 1);
	else if (!strcmp(opt, "--mem"))
		snprintf(buf, sizeof(buf), "%lluM..%lluM; a bare number is MiB", VM_RAM_MIN >> 20,
			 VM_RAM_MAX >> 20);
	else if (!strcmp(opt, "--tail"))
		snprintf(buf, sizeof(buf), "1..%u lines", VM_LOG_SIZE);
	else
		return NULL;
	return buf;
}

/* Parse the value of one option; returns 0 or prints an error and returns 1. */
static int parse_opt(struct zvm_opts *o, const char *opt, char *val, bool new_vm)
{
	uint64_t u;
	int64_t i;
	int err = 0;

	if (!strcmp(opt, "-t")) {
		o->type = val;
	} else if (!strcmp(opt, "-n") && new_vm) {
		if (strlen(val) >= VM_NAME_LEN || !val[0])
			return opt_error("a VM name has 1 to 15 characters: '%s'", val);
		o->name = val;
	} else if (!strcmp(opt, "-n")) {
		err = shell_parse_int(val, 0, VM_MAX - 1, &o->id);
	} else if (!strcmp(opt, "--args")) {
		if (strlen(val) >= sizeof(o->cfg.bootargs))
			return opt_error("--args longer than 255 characters: '%s'", val);
		o->args = val;
	} else if (!strcmp(opt, "--vcpus")) {
		err = shell_parse_uint(val, 1, VM_MAX_VCPUS, &u);
		o->cfg.nr_vcpus = (int)u;
		o->has_vcpus = true;
	} else if (!strcmp(opt, "--mem")) {
		err = parse_mem(val, &o->cfg.ram_size);
		o->has_mem = true;
	} else if (!strcmp(opt, "--tail")) {
		err = shell_parse_uint(val, 1, VM_LOG_SIZE, &o->tail);
	} else if (!strcmp(opt, "--cpus")) {
		err = shell_parse_cpulist(val, (unsigned)k_num_cpus_present(), &o->cfg.cpu_mask);
		o->has_cpus = true;
	} else if (!strcmp(opt, "--prio")) {
		err = shell_parse_int(val, K_HIGHEST_PRIO, K_LOWEST_PRIO, &i);
		o->cfg.prio = (int)i;
		o->has_prio = true;
	} else {
		return parse_policy_opt(o, opt, val);
	}
	if (err && err == SHELL_ARG_ERANGE && opt_range(opt))
		printf("error: bad value '%s' for %s: out of range (%s)\n", val, opt,
		       opt_range(opt));
	else if (err)
		printf("error: bad value '%s' for %s: %s\n", val, opt, shell_arg_strerror(err));
	return err ? 1 : 0;
}

static int parse_opts(int argc, char **argv, struct zvm_opts *o, bool new_vm)
{
	memset(o, 0, sizeof(*o));
	o->id = -1;
	for (int i = 2; i < argc; i += 2) {
		if (!strcmp(argv[i], "--hvc")) { /* the one option without a value */
			o->hvc = true;
			i--;
			continue;
		}
		if (i + 1 >= argc)
			return opt_error("option '%s' needs a value", argv[i]);
		if (parse_opt(o, argv[i], argv[i + 1], new_vm))
			return 1;
	}
	return 0;
}

static void apply_overrides(const struct zvm_opts *o, struct vm_config *cfg)
{
	if (o->name)
		snprintf(cfg->name, sizeof(cfg->name), "%s", o->name);
	if (o->args)
		snprintf(cfg->bootargs, sizeof(cfg->bootargs), "%s", o->args);
	if (o->has_vcpus)
		cfg->nr_vcpus = o->cfg.nr_vcpus;
	if (o->has_mem)
		cfg->ram_size = o->cfg.ram_size;
	if (o->has_cpus)
		cfg->cpu_mask = o->cfg.cpu_mask;
	if (o->has_prio)
		cfg->prio = o->cfg.prio;
	for (int e = VM_EV_NONE + 1; e < VM_EVENTS; e++)
		if (o->has_on[e])
			cfg->policy.on[e] = o->pol.on[e];
	if (o->has_limit) {
		cfg->policy.restart_max = o->pol.restart_max;
		cfg->policy.restart_window_s = o->pol.restart_window_s;
	}
}

static void cpus_str(uint32_t mask, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int c = 0; c < 32 && n < size; c++)
		if (mask & (1u << c))
			n += (size_t)snprintf(buf + n, size - n, n ? ",%d" : "%d", c);
}

/* Is a VM named name there already? */
static bool name_taken(const char *name)
{
	for (int id = 0; id < VM_MAX; id++) {
		struct vm *vm = vmm_get(id);

		if (vm && !strcmp(vm->cfg.name, name))
			return true;
	}
	return false;
}

/*
 * A second VM of a template without -n gets "<name>-2", "-3", ...: names
 * are how shared memory is granted, so it gets none of the first one's.
 */
static void unique_name(struct vm_config *cfg)
{
	char base[VM_NAME_LEN];

	if (!name_taken(cfg->name))
		return;
	snprintf(base, sizeof(base), "%.12s", cfg->name);
	for (int n = 2; n < 100; n++) {
		snprintf(cfg->name, sizeof(cfg->name), "%s-%d", base, n);
		if (!name_taken(cfg->name))
			return;
	}
}

static void warn_cooperative(int prio)
{
	if (prio < 0)
		printf("warning: priority %d is cooperative: its vCPUs are never preempted on "
		       "their "
		       "CPUs, not even by the time slice; 0..%d share a CPU fairly\n",
		       prio, K_LOWEST_PRIO);
}

static int cmd_new(const struct zvm_opts *o)
{
	struct vm_config cfg;
	char err[VMM_ERR_LEN], cpus[32];
	int id;

	if (!o->type)
		return opt_error("%s", "zvm new needs -t rtos|linux");
	if (vm_config_from_template(o->type, &cfg, err, sizeof(err)) != 0) {
		printf("error: %s\n", err);
		return 1;
	}
	apply_overrides(o, &cfg);
	if (!o->name)
		unique_name(&cfg);
	id = vmm_new(&cfg, err, sizeof(err));
	vm_config_put(&cfg); /* the VM holds its own */
	if (id < 0) {
		printf("error: %s\n", err);
		return 1;
	}
	cpus_str(cfg.cpu_mask, cpus, sizeof(cpus));
	printf("VM %d created: %s (%s), %d vCPU, %lu MiB, CPUs %s, priority %d\n", id, cfg.name,
	       o->type, cfg.nr_vcpus, (unsigned long)(cfg.ram_size >> 20), cpus, cfg.prio);
	warn_cooperative(cfg.prio);
	return 0;
}

static int run_op(const char *what, int (*op)(int, char *, size_t), int id)
{
	char err[VMM_ERR_LEN];

	if (op(id, err, sizeof(err)) != 0) {
		printf("error: %s\n", err);
		return 1;
	}
	printf("VM %d %s\n", id, what);
	return 0;
}

static void info_row(struct vm *vm)
{
	char cpus[32];
	uint64_t ms = k_ticks_to_ns(vmm_guest_ticks(vm)) / 1000000u;

	cpus_str(vm->cfg.cpu_mask, cpus, sizeof(cpus));
	printf("%2d  %-12s  %-5s  %5d  %-7s  %4d  %6lu  %-8s  %7lu.%03lu  %10lu\n", vm->id,
	       vm->cfg.name, vm_type_str(vm->cfg.type), vm->cfg.nr_vcpus, cpus, vm->cfg.prio,
	       (unsigned long)(vm->cfg.ram_size >> 20), vmm_state_name(vm_state_get(vm)),
	       (unsigned long)(ms / 1000), (unsigned long)(ms % 1000),
	       (unsigned long)vm_exits_total(vm));
}

/* Its vCPUs' run and steal time together, and the share of one CPU that is of its uptime. */
static void info_cpu_use(struct vm *vm)
{
	uint64_t run = 0, steal = 0, up = k_ticks_to_ns(vmm_guest_ticks(vm)) / 1000000u;

	for (int i = 0; i < vm->cfg.nr_vcpus; i++) {
		struct thread_times tt;

		if (!vm->vcpus[i].thread)
			continue;
		thread_times_get(vm->vcpus[i].thread, &tt);
		run += tt.run_ns / 1000000u;
		steal += tt.steal_ns / 1000000u;
	}
	printf("cpu use: run %lu ms, steal %lu ms (its vCPUs together), %lu %% of one CPU over "
	       "its uptime\n",
	       (unsigned long)run, (unsigned long)steal, (unsigned long)(up ? run * 100 / up : 0));
}

/*
 * Per vCPU: where it runs and what the host's scheduler made it wait; then
 * its time on a CPU, its steal time (ready, not running) and how often it
 * moved to another CPU (docs/pools.md "Accounting").
 */
static void info_vcpus(struct vm *vm)
{
	char guard[160];

	rt_guard_describe(vm->id, guard, sizeof(guard)); /* docs/pools.md */
	if (guard[0])
		printf("%s\n", guard);
	for (int i = 0; i < vm->cfg.nr_vcpus; i++) {
		const struct k_thread *t = vm->vcpus[i].thread;
		struct thread_times tt;

		if (!t)
			continue;
		thread_times_get(t, &tt);
		printf("vcpu%d: CPU %d, preempted %lu, max wait %lu us\n", i, t->cpu,
		       (unsigned long)tt.preemptions,
		       (unsigned long)(k_ticks_to_ns(t->max_ready_wait) / 1000));
		printf("vcpu%d use: run %lu ms, steal %lu ms, migrations %lu\n", i,
		       (unsigned long)(tt.run_ns / 1000000u),
		       (unsigned long)(tt.steal_ns / 1000000u), (unsigned long)tt.migrations);
	}
	info_cpu_use(vm);
}

/* The shared-memory regions it was granted, and how often each doorbell rang. */
static void info_shm(const struct vm *vm)
{
	for (int i = 0; i < vm->cfg.nr_shm; i++) {
		const struct vm_shm *m = &vm->cfg.shm[i];

		printf("shm %s: IPA 0x%lx, %lu KiB, %s, peer %d, doorbells rung %lu\n", m->name,
		       (unsigned long)m->ipa, (unsigned long)(m->size >> 10),
		       m->writable ? "rw" : "ro", m->peer_index,
		       (unsigned long)shm_doorbells(m->name));
	}
}

static void print_ms(const char *before, uint64_t ms, const char *after)
{
	printf("%s%lu.%03lu s%s", before, (unsigned long)(ms / 1000), (unsigned long)(ms % 1000),
	       after);
}

/* State, failure policy, what happened and what zvm did. */
static void info_events(const struct vm *vm)
{
	const struct vm_policy *p = &vm->cfg.policy;
	enum vm_state st = vm_state_get(vm);

	if ((st == VM_HALTED || st == VM_CRASHED) && vm->halt_reason[0])
		printf("%s: %s\n", vmm_state_name(st), vm->halt_reason);
	printf("state: %s since ", vmm_state_name(st));
	print_ms("", vm->state_since_ms, " (host uptime)\npolicy:");
	for (int e = VM_EV_NONE + 1; e < VM_EVENTS; e++)
		printf(" on-%s %s", vm_event_name((enum vm_event)e),
		       vm_action_name((enum vm_action)p->on[e]));
	printf(", restart limit %u in %u s\nevents:", p->restart_max, p->restart_window_s);
	for (int e = VM_EV_NONE + 1; e < VM_EVENTS; e++)
		printf(" %s %u", vm_event_name((enum vm_event)e), vm->events[e]);
	printf(", restarts %u\n", vm->restarts);
	if (vm->last_event[0])
		print_ms("last event at ", vm->last_event_ms, ": ");
	if (vm->last_event[0])
		printf("%s\n", vm->last_event);
	if (vm->cfg.wdt_base)
		printf("watchdog: SP805 at 0x%lx, SPI %d\n", (unsigned long)vm->cfg.wdt_base,
		       vm->cfg.wdt_spi);
}

static void info_detail(struct vm *vm)
{
	static const char *const kinds[] = {
		"irq", "wfi", "hvc", "smc", "sysreg", "mmio", "abort", "other",
	};

	printf("priority %d, RAM at IPA 0x%lx, VMID %u\nexits:", vm->cfg.prio,
	       (unsigned long)vm->cfg.ram_ipa, vm->vmid);
	for (int k = 0; k < EXIT_KINDS; k++)
		printf(" %s %lu", kinds[k], (unsigned long)vm->exits_by_kind[k]);
	printf("\n");
	info_vcpus(vm);
	info_shm(vm);
	info_events(vm);
}

static int cmd_info(const struct zvm_opts *o)
{
	int shown = 0;

	if (o->id >= 0 && !vmm_get((int)o->id)) {
		printf("error: no VM with id %d\n", (int)o->id);
		return 1;
	}
	printf("ID  NAME          TYPE   VCPUS  CPUS     PRIO  MEM_MB  STATE      UPTIME_S       "
	       "EXITS\n");
	for (int id = 0; id < VM_MAX; id++) {
		struct vm *vm = vmm_get(id);

		if (!vm || (o->id >= 0 && o->id != id))
			continue;
		info_row(vm);
		if (o->id >= 0)
			info_detail(vm);
		shown++;
	}
	if (!shown)
		printf("(no VMs: create one with zvm new -t rtos)\n");
	return 0;
}

/* The config of VM -n ID with the options applied, or false after an error message. */
static bool config_with_options(const struct zvm_opts *o, struct vm_config *cfg)
{
	struct vm *vm = vmm_get((int)o->id);

	if (!vm) {
		printf("error: no VM with id %d\n", (int)o->id);
		return false;
	}
	*cfg = vm->cfg;
	apply_overrides(o, cfg);
	return true;
}

static int cmd_update(const struct zvm_opts *o)
{
	struct vm_config cfg;
	char err[VMM_ERR_LEN];

	if (!config_with_options(o, &cfg))
		return 1;
	if (vmm_update((int)o->id, &cfg, err, sizeof(err)) != 0) {
		printf("error: %s\n", err);
		return 1;
	}
	printf("VM %d updated\n", (int)o->id);
	warn_cooperative(cfg.prio);
	return 0;
}

static int cmd_policy(const struct zvm_opts *o)
{
	struct vm_config cfg;
	char err[VMM_ERR_LEN];

	if (!config_with_options(o, &cfg))
		return 1;
	if (vm_config_check(&cfg, err, sizeof(err)) != 0 ||
	    vmm_set_policy((int)o->id, &cfg.policy, err, sizeof(err)) != 0) {
		printf("error: %s\n", err);
		return 1;
	}
	printf("VM %d policy: on-poweroff %s, on-reboot %s, on-crash %s, on-watchdog %s, restart "
	       "limit %u in %u s\n",
	       (int)o->id, vm_action_name(cfg.policy.on[VM_EV_POWEROFF]),
	       vm_action_name(cfg.policy.on[VM_EV_REBOOT]),
	       vm_action_name(cfg.policy.on[VM_EV_CRASH]),
	       vm_action_name(cfg.policy.on[VM_EV_WATCHDOG]), cfg.policy.restart_max,
	       cfg.policy.restart_window_s);
	return 0;
}

/* `zvm log -n ID [--tail N]`: what the VM's console printed, kept by zvm. */
static int cmd_log(const struct zvm_opts *o)
{
	struct vm *vm = vmm_get((int)o->id);
	char *buf;
	size_t n;

	if (!vm) {
		printf("error: no VM with id %d\n", (int)o->id);
		return 1;
	}
	buf = k_malloc(VM_LOG_SIZE + 1);
	if (!buf) {
		printf("error: out of memory\n");
		return 1;
	}
	n = vm_log_tail(&vm->console_log, (unsigned)o->tail, buf, VM_LOG_SIZE + 1);
	console_write(buf, n);
	if (n && buf[n - 1] != '\n')
		printf("\n");
	k_free(buf);
	return 0;
}

/* `zvm templates`: what zvm new -t can make. */
static int cmd_templates(void)
{
	char names[256], err[VMM_ERR_LEN], cpus[32], *name, *save;
	struct vm_config cfg;

	if (vm_config_template_names(names, sizeof(names)) < 0) {
		printf("error: %s\n", names);
		return 1;
	}
	printf("TEMPLATE      TYPE   VCPUS  MEM_MB  CPUS     PRIO\n");
	for (name = strtok_r(names, " ", &save); name; name = strtok_r(NULL, " ", &save)) {
		if (vm_config_from_template(name, &cfg, err, sizeof(err)) != 0) {
			printf("%-12s  (unusable: %s)\n", name, err);
			continue;
		}
		vm_config_put(&cfg);
		cpus_str(cfg.cpu_mask, cpus, sizeof(cpus));
		printf("%-12s  %-5s  %5d  %6lu  %-7s  %4d\n", name, vm_type_str(cfg.type),
		       cfg.nr_vcpus, (unsigned long)(cfg.ram_size >> 20), cpus, cfg.prio);
	}
	return 0;
}

#define LOOK_FIFO_WAIT_MS 100

/*
 * One key to the guest. If its receive FIFO stays full (a paused or busy
 * guest), the key is dropped, as a real UART overruns: Ctrl-X must always
 * get through.
 */
static void look_send(struct vm *vm, uint8_t c)
{
	for (int ms = 0; !vuart_input(vm, c); ms++) {
		if (ms == LOOK_FIFO_WAIT_MS)
			return;
		k_sleep(K_MSEC(1));
	}
}

/* `zvm look --hvc`: the same with the VM's virtio console (hvc0). */
static void hvc_send(struct vm *vm, uint8_t c)
{
	for (int ms = 0; !virtio_console_input(vm, c); ms++) {
		if (ms == LOOK_FIFO_WAIT_MS)
			return;
		k_sleep(K_MSEC(1));
	}
}

/*
 * After `zvm look`: what was not shown while attached (other VMs' lines,
 * host log lines below wrn) and where to read it.
 */
static void look_notes(void)
{
	unsigned n = log_held_take();

	for (int id = 0; id < VM_MAX; id++) {
		struct vm *v = vmm_get(id);
		unsigned held = v ? vuart_held_take(v) : 0;

		if (held)
			printf("VM %d (%s) printed %u lines meanwhile: zvm log -n %d --tail %u\n",
			       id, v->cfg.name, held, id, held);
	}
	if (n)
		printf("%u host log lines meanwhile: log show --tail %u\n", n, n);
}

static int cmd_look_hvc(int id)
{
	struct vm *vm = vmm_get(id);
	int c;

	if (!vm || !virtio_console_present(vm)) {
		printf("error: %s %d%s\n", vm ? "VM" : "no VM with id", id,
		       vm ? " has no virtio console (see configs/vms.dts)" : "");
		return 1;
	}
	printf("attached to VM %d (%s) hvc0; Ctrl-X returns to the host shell\n", id, vm->cfg.name);
	fflush(stdout);
	console_session(true);
	virtio_console_attach(vm, true);
	while ((c = console_getc()) != CTRL_X && vmm_get(id) == vm)
		hvc_send(vm, (uint8_t)c);
	virtio_console_attach(vm, false);
	console_session(false);
	printf("\ndetached from VM %d\n", id);
	look_notes();
	return 0;
}

/* Forward keys to the VM until Ctrl-X; its output comes through raw. */
static int cmd_look(int id)
{
	struct vm *vm = vmm_get(id);
	int c;

	if (!vm) {
		printf("error: no VM with id %d\n", id);
		return 1;
	}
	printf("attached to VM %d (%s); Ctrl-X returns to the host shell\n", id, vm->cfg.name);
	fflush(stdout);
	console_session(true);
	vuart_attach(vm, true);
	while ((c = console_getc()) != CTRL_X && vmm_get(id) == vm)
		look_send(vm, (uint8_t)c);
	vuart_attach(vm, false);
	console_session(false);
	printf("\ndetached from VM %d\n", id);
	look_notes();
	return 0;
}

static int needs_id(const struct zvm_opts *o, const char *sub)
{
	if (o->id < 0) {
		printf("error: zvm %s needs -n ID\nusage: zvm %s -n ID\n", sub, sub);
		return 1;
	}
	return 0;
}

/* The subcommands: what each does (for --help). */
static const struct {
	const char *name, *help;
} subcommands[] = {
	{ "new", "make a VM from a template (zvm templates lists them); --mem takes 64M, 1G, "
		 "or a bare number of MiB; the --on-* and --restart-limit options of zvm policy" },
	{ "run", "boot a VM that was made or updated, or continue a paused one" },
	{ "pause", "stop a VM's vCPUs; its guest time stands still" },
	{ "stop", "stop a VM and release its memory and devices; it keeps its config (zvm "
		  "update works on it) and zvm run boots it again" },
	{ "reset", "boot a VM again from its images (also a halted or crashed one)" },
	{ "delete", "stop a VM and give back everything it had" },
	{ "info",
	  "the VMs: state, uptime, exits; with -n ID the detail (priority, policy, events)" },
	{ "update",
	  "change vCPUs, memory, CPUs, priority or arguments of a VM that is not running" },
	{ "policy", "what zvm does when the guest powers off, reboots, crashes or stops feeding "
		    "its watchdog: halt, restart or preserve; at most N restarts in SECONDS" },
	{ "look", "attach the console to a VM (its PL011, or hvc0 with --hvc); Ctrl-X comes back" },
	{ "log", "what a VM's console printed (kept by zvm across resets), the last N lines" },
	{ "templates", "the templates zvm new -t can make: type, vCPUs, memory, CPUs, priority" },
	{ "pool", "CPU pools (docs/pools.md): zvm pool list | create NAME static|dynamic | "
		  "delete NAME | cpu CPU POOL | pin ID CPUS | vm ID POOL | guard ID BUDGET_US "
		  "PERIOD_US warn|isolate | guard ID off" },
};

static int zvm_help(const char *sub)
{
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (sub && !strcmp(sub, subcommands[i].name))
			printf("zvm %s: %s\n", sub, subcommands[i].help);
	usage();
	return 0;
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h") || !strcmp(arg, "help");
}

static int run_sub(const char *sub, struct zvm_opts *o)
{
	if (!strcmp(sub, "run"))
		return run_op("running", vmm_run, (int)o->id);
	if (!strcmp(sub, "pause"))
		return run_op("paused", vmm_pause, (int)o->id);
	if (!strcmp(sub, "stop"))
		return run_op("stopped", vmm_stop, (int)o->id);
	if (!strcmp(sub, "reset"))
		return run_op("reset and running", vmm_reset, (int)o->id);
	if (!strcmp(sub, "delete"))
		return run_op("deleted", vmm_delete, (int)o->id);
	if (!strcmp(sub, "update"))
		return cmd_update(o);
	if (!strcmp(sub, "policy"))
		return cmd_policy(o);
	if (!strcmp(sub, "log"))
		return cmd_log(o);
	if (!strcmp(sub, "look"))
		return o->hvc ? cmd_look_hvc((int)o->id) : cmd_look((int)o->id);
	return opt_error("unknown subcommand '%s'", sub);
}

int cmd_zvm_pool(int argc, char **argv); /* shell/cmd_pool.c */

static int cmd_zvm(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";
	bool new_vm = !strcmp(sub, "new");
	struct zvm_opts o;

	if (argc < 2)
		return opt_error("%s", "zvm needs a subcommand");
	if (is_help(sub))
		return zvm_help(argc > 2 ? argv[2] : NULL);
	for (int i = 2; i < argc; i++)
		if (is_help(argv[i]))
			return zvm_help(sub);
	if (!strcmp(sub, "templates"))
		return cmd_templates();
	if (!strcmp(sub, "pool")) /* shell/cmd_pool.c */
		return cmd_zvm_pool(argc - 1, argv + 1);
	if (parse_opts(argc, argv, &o, new_vm))
		return 1;
	if (new_vm)
		return cmd_new(&o);
	if (!strcmp(sub, "info"))
		return cmd_info(&o);
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(sub, subcommands[i].name))
			return needs_id(&o, sub) ? 1 : run_sub(sub, &o);
	return opt_error("unknown subcommand '%s'", sub);
}

SHELL_CMD(zvm, cmd_zvm, "new|run|pause|reset|delete|info|update|policy|look|log|templates|help",
	  "manage virtual machines (zvm help, zvm SUBCOMMAND --help)");
