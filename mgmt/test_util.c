/* SPDX-License-Identifier: MIT */
/*
 * The built-in tests' common parts: structured steps, and test VMs made
 * from the rtos template (see mgmt_test.h).
 */
#include <stdio.h>
#include <string.h>
#include <zvm/kernel.h>
#include <zvm/vmm.h>
#include <zvm/vuart.h>
#include "mgmt_internal.h"
#include "mgmt_test.h"

void test_step(struct test_run *t, const char *name, bool pass, const char *detail)
{
	jb_item(t->out);
	jb_printf(t->out, "{\"name\":");
	jb_str(t->out, name);
	jb_printf(t->out, ",\"pass\":%s,\"detail\":", pass ? "true" : "false");
	jb_str(t->out, detail ? detail : "");
	jb_printf(t->out, "}");
	if (pass)
		t->passed++;
	else
		t->failed++;
}

static int test_vm_config(const struct test_vm *v, struct vm_config *cfg, char *err, size_t len)
{
	if (vm_config_from_template("rtos", cfg, err, len))
		return -1;
	snprintf(cfg->name, sizeof(cfg->name), "%s", v->name);
	snprintf(cfg->bootargs, sizeof(cfg->bootargs), "%s", v->args);
	if (v->cpu >= 0)
		cfg->cpu_mask = 1u << v->cpu;
	if (v->prio >= 0)
		cfg->prio = v->prio;
	return 0;
}

int test_vm_start(struct test_run *t, const struct test_vm *v)
{
	struct vm_config cfg;
	char err[VMM_ERR_LEN], what[64];
	int id = -1;

	snprintf(what, sizeof(what), "create and run VM %s", v->name);
	if (!test_vm_config(v, &cfg, err, sizeof(err))) {
		id = vmm_new(&cfg, err, sizeof(err));
		vm_config_put(&cfg); /* the VM holds its own */
		if (id >= 0 && vmm_run(id, err, sizeof(err)) == 0) {
			test_step(t, what, true, NULL);
			return id;
		}
		if (id >= 0)
			vmm_delete(id, NULL, 0); /* errmsg takes a NULL buffer */
	}
	test_step(t, what, false, err);
	return -1;
}

void test_vm_delete(struct test_run *t, int id, const char *name)
{
	char err[VMM_ERR_LEN] = "", what[64];

	snprintf(what, sizeof(what), "delete VM %s", name);
	test_step(t, what, vmm_delete(id, err, sizeof(err)) == 0 && !vmm_get(id), err);
}

void test_type(int id, const char *s)
{
	struct vm *vm;

	for (; *s && (vm = vmm_get(id)); s++)
		for (int ms = 0; !vuart_input(vm, (uint8_t)*s) && ms < 100; ms++)
			k_sleep(K_MSEC(1));
}

uint64_t test_guest_ms(int id)
{
	return k_ticks_to_ns(vmm_guest_ticks(vmm_get(id))) / 1000000u;
}

struct both_print {
	char a[VM_NAME_LEN + 4], b[VM_NAME_LEN + 4]; /* "[name] " */
	const char *text;
	bool seen_a, seen_b;
};

static bool both_line(const char *line, void *arg)
{
	struct both_print *p = arg;

	if (!strncmp(line, p->a, strlen(p->a)) && strstr(line + strlen(p->a), p->text))
		p->seen_a = true;
	if (!strncmp(line, p->b, strlen(p->b)) && strstr(line + strlen(p->b), p->text))
		p->seen_b = true;
	return p->seen_a && p->seen_b;
}

bool test_both_print(const char *a, const char *b, const char *text)
{
	struct both_print p = { .text = text };

	snprintf(p.a, sizeof(p.a), "[%s] ", a);
	snprintf(p.b, sizeof(p.b), "[%s] ", b);
	return mgmt_tap_watch(NULL, NULL, BOOT_MS, both_line, &p) == 0;
}
