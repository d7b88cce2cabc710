/* SPDX-License-Identifier: MIT */
/*
 * VM requests of the management protocol: what the `zvm` shell does (vms,
 * info, new, run, pause, reset, delete, update) plus console input. Options
 * are parsed with the shell's own value parsers; the work is done by the
 * VM manager (zvm/vmm.h), which validates the result once more.
 */
#include <string.h>
#include <zvm/cpu_stats.h>
#include <zvm/kernel.h>
#include <zvm/shm.h>
#include <zvm/vmm.h>
#include <zvm/vuart.h>
#include "mgmt_internal.h"

#define CONSOLE_WAIT_MS 100 /* per byte, while the guest's FIFO is full */

struct vm_opts {
	const char *tpl;    /* -t: a template of the build */
	const char *config; /* --config: an uploaded config */
	const char *name, *args;
	struct vm_config ov; /* values of the numeric overrides */
	bool has_vcpus, has_mem, has_cpus, has_prio;
};

enum opt_kind { OPT_TPL, OPT_CONFIG, OPT_NAME, OPT_ARGS, OPT_VCPUS, OPT_MEM, OPT_CPUS, OPT_PRIO };

static const struct {
	const char *opt;
	enum opt_kind kind;
	bool new_only;
} vm_options[] = {
	{ "-t", OPT_TPL, true },         { "--config", OPT_CONFIG, true },
	{ "-n", OPT_NAME, true },        { "--args", OPT_ARGS, false },
	{ "--vcpus", OPT_VCPUS, false }, { "--mem", OPT_MEM, false },
	{ "--cpus", OPT_CPUS, false },   { "--prio", OPT_PRIO, false },
};

static int opt_value(struct mgmt_req *r, struct vm_opts *o, enum opt_kind k, const char *opt,
		     const char *v)
{
	uint64_t u = 0;
	int64_t i = 0;
	int ret = 0;

	switch (k) {
	case OPT_TPL:
		o->tpl = v;
		break;
	case OPT_CONFIG:
		o->config = v;
		break;
	case OPT_NAME:
		if (!v[0] || strlen(v) >= VM_NAME_LEN)
			return mgmt_fail(r, "a VM name has 1 to 15 characters: '%s'", v);
		o->name = v;
		break;
	case OPT_ARGS:
		if (strlen(v) >= VM_BOOTARGS_LEN)
			return mgmt_fail(r, "--args longer than %d characters",
					 VM_BOOTARGS_LEN - 1);
		o->args = v;
		break;
	case OPT_VCPUS:
		ret = shell_parse_uint(v, 1, VM_MAX_VCPUS, &u);
		o->ov.nr_vcpus = (int)u;
		o->has_vcpus = true;
		break;
	case OPT_MEM:
		ret = shell_parse_size(v, 1ull << 40, &o->ov.ram_size);
		o->has_mem = true;
		break;
	case OPT_CPUS:
		ret = shell_parse_cpulist(v, (unsigned)k_num_cpus_present(), &o->ov.cpu_mask);
		o->has_cpus = true;
		break;
	case OPT_PRIO:
		ret = shell_parse_int(v, K_HIGHEST_PRIO, K_LOWEST_PRIO, &i);
		o->ov.prio = (int)i;
		o->has_prio = true;
		break;
	}
	return ret ? mgmt_fail(r, "bad value '%s' for %s: %s", v, opt, shell_arg_strerror(ret)) : 0;
}

/* Options from argv[first] on, as pairs "OPTION VALUE". */
static int vm_opts_parse(struct mgmt_req *r, int first, struct vm_opts *o, bool is_new)
{
	memset(o, 0, sizeof(*o));
	for (int a = first; a < r->argc; a += 2) {
		size_t k;

		for (k = 0; k < sizeof(vm_options) / sizeof(vm_options[0]); k++)
			if (!strcmp(r->argv[a], vm_options[k].opt) &&
			    (is_new || !vm_options[k].new_only))
				break;
		if (k == sizeof(vm_options) / sizeof(vm_options[0]))
			return mgmt_fail(r, "unknown option '%s' for %s", r->argv[a], r->argv[0]);
		if (a + 1 >= r->argc)
			return mgmt_fail(r, "option '%s' needs a value", r->argv[a]);
		if (opt_value(r, o, vm_options[k].kind, r->argv[a], r->argv[a + 1]))
			return 1;
	}
	return 0;
}

static void vm_opts_apply(const struct vm_opts *o, struct vm_config *cfg)
{
	if (o->name)
		strcpy(cfg->name, o->name);
	if (o->args)
		strcpy(cfg->bootargs, o->args);
	if (o->has_vcpus)
		cfg->nr_vcpus = o->ov.nr_vcpus;
	if (o->has_mem)
		cfg->ram_size = o->ov.ram_size;
	if (o->has_cpus)
		cfg->cpu_mask = o->ov.cpu_mask;
	if (o->has_prio)
		cfg->prio = o->ov.prio;
}

static void json_cpus(struct jbuf *j, uint32_t mask)
{
	jb_printf(j, "[");
	for (int c = 0; c < 32; c++) {
		if (!(mask & (1u << c)))
			continue;
		jb_item(j);
		jb_printf(j, "%d", c);
	}
	jb_printf(j, "]");
}

/** One VM as JSON: what `zvm info` shows in its table. */
void mgmt_json_vm(struct jbuf *j, struct vm *vm)
{
	jb_printf(j, "{\"id\":%d,\"name\":", vm->id);
	jb_str(j, vm->cfg.name);
	jb_printf(j, ",\"type\":\"%s\",\"vcpus\":%d,\"cpus\":", vm_type_str(vm->cfg.type),
		  vm->cfg.nr_vcpus);
	json_cpus(j, vm->cfg.cpu_mask);
	jb_printf(j,
		  ",\"mem_mb\":%lu,\"prio\":%d,\"state\":\"%s\",\"uptime_ms\":%lu,"
		  "\"exits\":%lu,\"image\":",
		  (unsigned long)(vm->cfg.ram_size >> 20), vm->cfg.prio,
		  vmm_state_name(vm_state_get(vm)),
		  (unsigned long)(k_ticks_to_ns(vmm_guest_ticks(vm)) / 1000000u),
		  (unsigned long)vm_exits_total(vm));
	jb_str(j, vm->cfg.image ? vm->cfg.image : "");
	if (vm_state_get(vm) == VM_HALTED && vm->halt_reason[0]) {
		jb_key(j, "halted");
		jb_str(j, vm->halt_reason);
	}
	jb_printf(j, "}");
}

static int req_vms(struct mgmt_req *r, struct jbuf *out)
{
	(void)r;
	jb_key(out, "vms");
	jb_printf(out, "[");
	for (int id = 0; id < VM_MAX; id++) {
		struct vm *vm = vmm_get(id);

		if (!vm)
			continue;
		jb_item(out);
		mgmt_json_vm(out, vm);
	}
	jb_printf(out, "]");
	return 0;
}

/* How each device of the VM is provided: the dashboard's device view. */
static void json_devices(struct jbuf *j, const struct vm *vm)
{
	jb_key(j, "devices");
	jb_printf(j, "[");
	if (vm->cfg.uart_base)
		jb_printf(j,
			  "{\"kind\":\"pl011\",\"how\":\"emulated\",\"base\":\"0x%lx\",\"spi\":%d}",
			  (unsigned long)vm->cfg.uart_base, vm->cfg.uart_spi);
	for (int i = 0; i < vm->cfg.nr_virtio; i++) {
		jb_item(j);
		jb_printf(j,
			  "{\"kind\":\"virtio-%s\",\"how\":\"virtio\",\"base\":\"0x%lx\","
			  "\"spi\":%d}",
			  virtio_type_str(vm->cfg.virtio[i].type),
			  (unsigned long)vm->cfg.virtio[i].base, vm->cfg.virtio[i].spi);
	}
	for (int i = 0; i < vm->cfg.nr_shm; i++) {
		const struct vm_shm *m = &vm->cfg.shm[i];

		jb_item(j);
		jb_printf(j, "{\"kind\":\"shm\",\"how\":\"shared memory\",\"name\":");
		jb_str(j, m->name);
		jb_printf(j, ",\"base\":\"0x%lx\",\"kib\":%lu,\"access\":\"%s\",\"doorbells\":%lu}",
			  (unsigned long)m->ipa, (unsigned long)(m->size >> 10),
			  m->writable ? "rw" : "ro", (unsigned long)shm_doorbells(m->name));
	}
	jb_printf(j, "]");
}

/* Per vCPU: where, run time, steal (ready, not running), migrations, the RT figures. */
static void json_vcpus(struct jbuf *j, const struct vm *vm)
{
	jb_key(j, "vcpu");
	jb_printf(j, "[");
	for (int i = 0; i < vm->cfg.nr_vcpus; i++) {
		const struct k_thread *t = vm->vcpus[i].thread;
		struct thread_times tt;

		if (!t)
			continue;
		thread_times_get(t, &tt);
		jb_item(j);
		jb_printf(j,
			  "{\"vcpu\":%d,\"cpu\":%d,\"run_ms\":%lu,\"steal_us\":%lu,"
			  "\"migrations\":%lu,\"preempted\":%lu,\"max_wait_us\":%lu}",
			  i, t->cpu, (unsigned long)(tt.run_ns / 1000000u),
			  (unsigned long)(tt.steal_ns / 1000), (unsigned long)tt.migrations,
			  (unsigned long)tt.preemptions,
			  (unsigned long)(k_ticks_to_ns(t->max_ready_wait) / 1000));
	}
	jb_printf(j, "]");
}

/* Per virtio device: each queue's requests and bytes (since the VM was built). */
static void json_virtio_traffic(struct jbuf *j, const struct vm *vm)
{
	jb_key(j, "virtio");
	jb_printf(j, "[");
	for (int i = 0; i < vm->cfg.nr_virtio && i < VM_MAX_VIRTIO; i++) {
		const struct virtio_dev *d = vm->virtio[i];

		if (!d)
			continue;
		jb_item(j);
		jb_printf(j, "{\"kind\":\"virtio-%s\",\"queues\":[",
			  virtio_type_str(vm->cfg.virtio[i].type));
		for (int q = 0; q < d->ops->nr_queues && q < VIRTIO_MAX_QUEUES; q++)
			jb_printf(j,
				  "%s{\"requests\":%lu,\"bytes_read\":%lu,\"bytes_written\":%lu,"
				  "\"refused\":%lu}",
				  q ? "," : "", (unsigned long)d->vq[q].stats.requests,
				  (unsigned long)d->vq[q].stats.bytes_read,
				  (unsigned long)d->vq[q].stats.bytes_written,
				  (unsigned long)d->vq[q].stats.refused);
		jb_printf(j, "]}");
	}
	jb_printf(j, "]");
}

/* The doorbells rung on each shared-memory region the VM maps (by any VM). */
static void json_shm_doorbells(struct jbuf *j, const struct vm *vm)
{
	jb_key(j, "shm");
	jb_printf(j, "[");
	for (int i = 0; i < vm->cfg.nr_shm; i++) {
		jb_item(j);
		jb_printf(j, "{\"name\":");
		jb_str(j, vm->cfg.shm[i].name);
		jb_printf(j, ",\"doorbells\":%lu}",
			  (unsigned long)shm_doorbells(vm->cfg.shm[i].name));
	}
	jb_printf(j, "]");
}

/** Exits by kind, the vCPUs, virtio traffic and doorbells of one VM. */
void mgmt_json_vm_detail(struct jbuf *j, const struct vm *vm)
{
	static const char *const kinds[EXIT_KINDS] = {
		"irq", "wfi", "hvc", "smc", "sysreg", "mmio", "abort", "other",
	};

	jb_key(j, "exits_by_kind");
	jb_printf(j, "{");
	for (int k = 0; k < EXIT_KINDS; k++) {
		jb_key(j, kinds[k]);
		jb_printf(j, "%lu", (unsigned long)vm->exits_by_kind[k]);
	}
	jb_printf(j, "}");
	jb_key(j, "virqs");
	jb_printf(j, "%lu", (unsigned long)vm->virqs);
	json_vcpus(j, vm);
	json_virtio_traffic(j, vm);
	json_shm_doorbells(j, vm);
}

static int req_info(struct mgmt_req *r, struct jbuf *out)
{
	int id = mgmt_arg_vm(r, 1);
	struct vm *vm;

	if (id < 0)
		return 1;
	vm = vmm_get(id);
	jb_key(out, "vm");
	mgmt_json_vm(out, vm);
	out->len--; /* reopen the object for the details */
	mgmt_json_vm_detail(out, vm);
	json_devices(out, vm);
	jb_printf(out, "}");
	return 0;
}

/* The configuration a `new` request describes, overrides applied. */
static int new_config(struct mgmt_req *r, const struct vm_opts *o, struct vm_config *cfg)
{
	const void *dtb;

	if (o->config) {
		dtb = mgmt_config_find(o->config);
		if (!dtb)
			return mgmt_fail(r, "no uploaded config '%s' (see `images`)", o->config);
		if (vm_config_from_blob(dtb, MGMT_CONFIG_MAX, o->tpl, cfg, r->err, sizeof(r->err)))
			return 1;
	} else if (!o->tpl) {
		return mgmt_fail(r, "new needs -t TEMPLATE or --config NAME");
	} else if (vm_config_from_template(o->tpl, cfg, r->err, sizeof(r->err))) {
		return 1;
	}
	vm_opts_apply(o, cfg);
	return 0;
}

static int req_new(struct mgmt_req *r, struct jbuf *out)
{
	struct vm_opts o;
	struct vm_config cfg;
	int id;

	if (vm_opts_parse(r, 1, &o, true) || new_config(r, &o, &cfg))
		return 1;
	id = vmm_new(&cfg, r->err, sizeof(r->err));
	vm_config_put(&cfg); /* the VM holds its own */
	if (id < 0)
		return 1;
	jb_key(out, "vm");
	mgmt_json_vm(out, vmm_get(id));
	return 0;
}

static int req_update(struct mgmt_req *r, struct jbuf *out)
{
	int id = mgmt_arg_vm(r, 1);
	struct vm_opts o;
	struct vm_config cfg;

	if (id < 0 || vm_opts_parse(r, 2, &o, false))
		return 1;
	cfg = vmm_get(id)->cfg;
	vm_opts_apply(&o, &cfg);
	if (vmm_update(id, &cfg, r->err, sizeof(r->err)))
		return 1;
	jb_key(out, "vm");
	mgmt_json_vm(out, vmm_get(id));
	return 0;
}

/* run, pause, reset, delete: one VM id, one VM manager call. */
static int lifecycle(struct mgmt_req *r, struct jbuf *out, int (*op)(int, char *, size_t))
{
	int id = mgmt_arg_vm(r, 1);
	struct vm *vm;

	if (id < 0)
		return 1;
	if (r->argc > 2)
		return mgmt_fail(r, "usage: %s ID", r->argv[0]);
	if (op(id, r->err, sizeof(r->err)))
		return 1;
	vm = vmm_get(id);
	jb_key(out, "id");
	jb_printf(out, "%d", id);
	jb_key(out, "state");
	jb_str(out, vm ? vmm_state_name(vm_state_get(vm)) : "deleted");
	return 0;
}

static int req_run(struct mgmt_req *r, struct jbuf *out)
{
	return lifecycle(r, out, vmm_run);
}

static int req_pause(struct mgmt_req *r, struct jbuf *out)
{
	return lifecycle(r, out, vmm_pause);
}

static int req_reset(struct mgmt_req *r, struct jbuf *out)
{
	return lifecycle(r, out, vmm_reset);
}

static int req_delete(struct mgmt_req *r, struct jbuf *out)
{
	return lifecycle(r, out, vmm_delete);
}

/* Bytes after the line's NUL go to the VM's UART, as if typed at `zvm look`. */
static int req_console_write(struct mgmt_req *r, struct jbuf *out)
{
	int id = mgmt_arg_vm(r, 1);
	uint32_t sent = 0;

	if (id < 0)
		return 1;
	for (; sent < r->dlen; sent++) {
		struct vm *vm;
		int ms = 0;

		/* The shell may delete the VM meanwhile: look it up for every byte. */
		while ((vm = vmm_get(id)) && !vuart_input(vm, r->data[sent]) &&
		       ms++ < CONSOLE_WAIT_MS)
			k_sleep(K_MSEC(1));
		if (!vm || ms > CONSOLE_WAIT_MS)
			break;
	}
	jb_key(out, "sent");
	jb_printf(out, "%u", sent);
	return 0;
}

/* The templates of the build's VM config, for the dashboard's create form. */
static int req_templates(struct mgmt_req *r, struct jbuf *out)
{
	char names[512], *save = NULL;
	int n = vm_config_template_names(names, sizeof(names));

	if (n < 0)
		return mgmt_fail(r, "%s", names);
	jb_key(out, "templates");
	jb_printf(out, "[");
	for (char *t = strtok_r(names, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		jb_item(out);
		jb_str(out, t);
	}
	jb_printf(out, "]");
	return 0;
}

const struct mgmt_cmd mgmt_vm_cmds[] = {
	{ "vms", req_vms, "vms" },
	{ "templates", req_templates, "templates" },
	{ "info", req_info, "info ID" },
	{ "new", req_new,
	  "new -t TEMPLATE|--config NAME [-n NAME] [--vcpus N] [--mem SIZE] "
	  "[--cpus LIST] [--prio P] [--args ARGS]" },
	{ "run", req_run, "run ID" },
	{ "pause", req_pause, "pause ID" },
	{ "reset", req_reset, "reset ID" },
	{ "delete", req_delete, "delete ID" },
	{ "update", req_update,
	  "update ID [--vcpus N] [--mem SIZE] [--cpus LIST] [--prio P] "
	  "[--args ARGS]" },
	{ "console-write", req_console_write, "console-write ID (bytes after the NUL)" },
	{ NULL, NULL, NULL },
};
