/*
 * The VM manager: the table of VMs and the lifecycle operations behind the
 * `zvm` commands (include/zvm/vmm.h), each serialised by vmm_lock; resets
 * asked by guests are done by its worker thread.
 *
 * Lock order: vmm_lock (a mutex, thread context) before any spinlock.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/errmsg.h>
#include <zvm/log.h>
#include <zvm/shm.h>
#include <zvm/vcpu.h>
#include <zvm/vm_config.h>
#include <zvm/vmm.h>

static struct vm *vms[VM_MAX];
static struct k_mutex vmm_lock;

struct vm *vmm_get(int id)
{
	return id >= 0 && id < VM_MAX ? vms[id] : NULL;
}

const char *vmm_state_name(enum vm_state s)
{
	static const char *const names[] = { "created", "running", "paused", "halted" };

	return (unsigned)s < 4 ? names[s] : "?";
}

uint64_t vmm_guest_ticks(const struct vm *vm)
{
	if (!vm->loaded)
		return 0;
	if (vm->state == VM_RUNNING)
		return k_cycle_get() - vm->arch.cntvoff;
	return vm->paused_at - vm->arch.cntvoff;
}

static struct vm *vm_lookup(int id, char *err, size_t len)
{
	struct vm *vm = vmm_get(id);

	if (!vm)
		snprintf(err, len, "no VM with id %d", id);
	return vm;
}

int vmm_new(const struct vm_config *cfg, char *err, size_t len)
{
	struct vm *vm;
	int id, ret;

	if (vm_config_check(cfg, err, len) != 0)
		return K_EINVAL;
	k_mutex_lock(&vmm_lock, K_FOREVER);
	for (id = 0; id < VM_MAX && vms[id]; id++)
		;
	vm = id < VM_MAX ? k_calloc(1, sizeof(*vm)) : NULL;
	if (!vm) {
		k_mutex_unlock(&vmm_lock);
		return errmsg(err, len, id < VM_MAX ? "out of memory" : "all VM slots are in use");
	}
	vm->id = id;
	vm->cfg = *cfg;
	ret = vm_setup(vm, err, len);
	if (ret) {
		vm_teardown(vm);
		k_free(vm);
	} else {
		vms[id] = vm;
	}
	k_mutex_unlock(&vmm_lock);
	return ret ? ret : id;
}

int vmm_run(int id, char *err, size_t len)
{
	struct vm *vm;
	int ret = K_EINVAL;

	k_mutex_lock(&vmm_lock, K_FOREVER);
	vm = vm_lookup(id, err, len);
	if (vm && vm->state == VM_CREATED)
		ret = vm_start(vm, err, len);
	else if (vm && vm->state == VM_PAUSED)
		ret = vm_resume(vm);
	else if (vm)
		errmsg(err, len, "VM %d is %s%s", id, vmm_state_name(vm->state),
		    vm->state == VM_HALTED ? ": use zvm reset" : "");
	k_mutex_unlock(&vmm_lock);
	return ret;
}

int vmm_pause(int id, char *err, size_t len)
{
	struct vm *vm;
	int ret = K_EINVAL;

	k_mutex_lock(&vmm_lock, K_FOREVER);
	vm = vm_lookup(id, err, len);
	if (vm && vm->state == VM_RUNNING) {
		vm->paused_at = k_cycle_get();
		vm->state = VM_PAUSED;
		vm_kick_all(vm);
		ret = 0;
	} else if (vm) {
		errmsg(err, len, "VM %d is %s, not running", id, vmm_state_name(vm->state));
	}
	k_mutex_unlock(&vmm_lock);
	return ret;
}

int vmm_reset(int id, char *err, size_t len)
{
	struct vm *vm;
	int ret = K_EINVAL;

	k_mutex_lock(&vmm_lock, K_FOREVER);
	vm = vm_lookup(id, err, len);
	if (vm && vm->state == VM_CREATED)
		errmsg(err, len, "VM %d has not run yet: use zvm run", id);
	else if (vm)
		ret = vm_rebuild(vm, true, err, len);
	k_mutex_unlock(&vmm_lock);
	return ret;
}

int vmm_delete(int id, char *err, size_t len)
{
	struct vm *vm;

	k_mutex_lock(&vmm_lock, K_FOREVER);
	vm = vm_lookup(id, err, len);
	if (vm) {
		vm->state = VM_HALTED;
		vm_teardown(vm);
		vms[id] = NULL;
		k_free(vm);
	}
	k_mutex_unlock(&vmm_lock);
	return vm ? 0 : K_EINVAL;
}

int vmm_update(int id, const struct vm_config *cfg, char *err, size_t len)
{
	struct vm *vm;
	int ret = K_EINVAL;

	if (vm_config_check(cfg, err, len) != 0)
		return K_EINVAL;
	k_mutex_lock(&vmm_lock, K_FOREVER);
	vm = vm_lookup(id, err, len);
	if (vm && (vm->state == VM_RUNNING || vm->state == VM_PAUSED)) {
		errmsg(err, len, "VM %d is %s: stop it first (zvm delete, or update before zvm run)",
		    id, vmm_state_name(vm->state));
	} else if (vm) {
		ret = vm_reconfigure(vm, cfg, err, len);
	}
	k_mutex_unlock(&vmm_lock);
	return ret;
}

/* ---- resets asked by guests (PSCI SYSTEM_RESET) ---- */

static struct k_msgq reset_q;
static int reset_q_buf[VM_MAX];

void vmm_request_reset(struct vm *vm)
{
	int id = vm->id;

	vm->paused_at = k_cycle_get();
	vm->state = VM_PAUSED;			/* its vCPUs stop now */
	vm_kick_all(vm);
	if (k_msgq_put(&reset_q, &id, K_NO_WAIT) != 0)
		vm_halt(vm, "reset requested but the VMM is busy");
}

static void vmm_worker(void *arg)
{
	char err[VMM_ERR_LEN];
	int id;

	(void)arg;
	for (;;) {
		k_msgq_get(&reset_q, &id, K_FOREVER);
		printf("VM %d: guest asked for a reset\n", id);
		if (vmm_reset(id, err, sizeof(err)) != 0)
			printf("VM %d: reset failed: %s\n", id, err);
	}
}

void vmm_init(void)
{
	k_mutex_init(&vmm_lock);
	k_msgq_init(&reset_q, reset_q_buf, sizeof(int), VM_MAX);
	vcpu_irqs_init();
	shm_init();
	if (!k_thread_spawn("vmm", 8192, vmm_worker, NULL, K_PRIO_PREEMPT(12), K_CPU_ALL))
		LOG_ERR("vmm: cannot start the worker thread");
}
