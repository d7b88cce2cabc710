/* SPDX-License-Identifier: MIT */
/*
 * The VM manager: the table of VMs and the lifecycle operations behind the
 * `zvm` commands (include/zvm/vmm.h), each serialised by vmm_lock; resets
 * asked by guests are done by its worker thread.
 *
 * Lock order: vmm_lock (a mutex, thread context) before any spinlock. A
 * vCPU thread never takes vmm_lock: the VMM joins vCPU threads while holding
 * it. vCPUs change a VM's state under vm->lock only (include/zvm/vm.h).
 * vms[] is written only with vmm_lock held.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/errmsg.h>
#include <zvm/log.h>
#include <zvm/psci_ids.h>
#include <zvm/shm.h>
#include <zvm/sp805.h>
#include <zvm/vcpu.h>
#include <zvm/vm_config.h>
#include <zvm/pool_ops.h>
#include <zvm/vmm.h>
#include <zvm/vuart.h>

#define VMM_CPUS             (1u << 0) /* where the VMM's own threads run */
#define VMM_WATCHDOG_POLL_MS 100
#define VMM_PARTIAL_LINE_MS  300 /* a VM's half line waits this long for its newline */

static struct vm *vms[VM_MAX];
static struct k_mutex vmm_lock;

bool vmm_lock_held(void)
{
	return k_mutex_held(&vmm_lock);
}

struct vm *vmm_get(int id)
{
	return id >= 0 && id < VM_MAX ? vms[id] : NULL;
}

const char *vmm_state_name(enum vm_state s)
{
	static const char *const names[VM_STATES] = { "created", "running", "paused",
						      "halted",  "crashed", "stopped" };

	return (unsigned)s < VM_STATES ? names[s] : "?";
}

uint64_t vmm_guest_ticks(struct vm *vm)
{
	k_spinlock_key_t key = k_spin_lock(&vm->lock); /* state, cntvoff, paused_at agree */
	uint64_t ticks = 0;

	/* A halted VM's clock stands still, also once its memory is released. */
	if (vm->loaded || vm->state >= VM_HALTED)
		ticks = (vm->state == VM_RUNNING ? k_cycle_get() : vm->paused_at) -
			vm->arch.cntvoff;
	k_spin_unlock(&vm->lock, key);
	return ticks;
}

int vmm_vms_up(void)
{
	int n = 0;

	for (int id = 0; id < VM_MAX; id++) {
		enum vm_state st = vms[id] ? vm_state_get(vms[id]) : VM_CREATED;

		n += st == VM_RUNNING || st == VM_PAUSED;
	}
	return n;
}

/* Every VMM step ends here: the VM table and states are whole again, tell the listener. */
static void vmm_unlock(void)
{
	k_mutex_unlock(&vmm_lock);
	vm_notify_change();
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
		vmm_unlock();
		return errmsg(err, len, id < VM_MAX ? "out of memory" : "all VM slots are in use");
	}
	vm->id = id;
	vm->cfg = *cfg;
	ret = vm_setup(vm, err, len);
	if (ret) {
		vm_teardown(vm);
		k_free(vm);
	} else {
		vm_config_hold(&vm->cfg); /* the VM's own references on its images */
		vms[id] = vm;
	}
	vmm_unlock();
	return ret ? ret : id;
}

int vmm_run(int id, char *err, size_t len)
{
	struct vm *vm;
	int ret = K_EINVAL;

	k_mutex_lock(&vmm_lock, K_FOREVER);
	vm = vm_lookup(id, err, len);
	if (vm && vm_state_get(vm) == VM_CREATED) /* no vCPU runs to change it */
		ret = vm_start(vm, err, len);
	else if (vm && vm_state_get(vm) == VM_STOPPED) /* nor in STOPPED: boot it again */
		ret = vm_rebuild(vm, true, err, len);
	else if (vm && vm_resume(vm) == 0) /* only if it is still paused */
		ret = 0;
	else if (vm)
		errmsg(err, len, "VM %d is %s%s", id, vmm_state_name(vm_state_get(vm)),
		       vm_state_get(vm) == VM_HALTED || vm_state_get(vm) == VM_CRASHED
			       ? ": use zvm reset"
			       : "");
	vmm_unlock();
	return ret;
}

int vmm_pause(int id, char *err, size_t len)
{
	struct vm *vm;
	int ret = K_EINVAL;

	k_mutex_lock(&vmm_lock, K_FOREVER);
	vm = vm_lookup(id, err, len);
	if (vm && vm_set_state(vm, VM_STATE_BIT(VM_RUNNING), VM_PAUSED)) {
		vm_kick_all(vm);
		ret = 0;
	} else if (vm) {
		errmsg(err, len, "VM %d is %s, not running", id, vmm_state_name(vm_state_get(vm)));
	}
	vmm_unlock();
	return ret;
}

int vmm_reset(int id, char *err, size_t len)
{
	struct vm *vm;
	int ret = K_EINVAL;

	k_mutex_lock(&vmm_lock, K_FOREVER);
	vm = vm_lookup(id, err, len);
	if (vm && vm_state_get(vm) == VM_CREATED)
		errmsg(err, len, "VM %d has not run yet: use zvm run", id);
	else if (vm)
		ret = vm_rebuild(vm, true, err, len);
	vmm_unlock();
	return ret;
}

int vmm_delete(int id, char *err, size_t len)
{
	struct vm *vm;

	k_mutex_lock(&vmm_lock, K_FOREVER);
	vm = vm_lookup(id, err, len);
	if (vm) {
		vm_set_state(vm, VM_STATE_ANY, VM_HALTED);
		vm_teardown(vm);
		vms[id] = NULL;
		vm_config_put(&vm->cfg);
		k_free(vm);
	}
	vmm_unlock();
	return vm ? 0 : K_EINVAL;
}

int vmm_stop(int id, char *err, size_t len)
{
	struct vm *vm;

	k_mutex_lock(&vmm_lock, K_FOREVER);
	vm = vm_lookup(id, err, len);
	if (vm) {
		vm_set_state(vm, VM_STATE_ANY, VM_STOPPED); /* its vCPUs leave the guest */
		vm_teardown(vm);
		vm_take_pending(vm); /* no policy for what happened before */
	}
	vmm_unlock();
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
	/* No vCPU moves a VM out of CREATED or HALTED, so this check holds. */
	if (vm && (vm_state_get(vm) == VM_RUNNING || vm_state_get(vm) == VM_PAUSED)) {
		errmsg(err, len, "VM %d is %s: stop it first (zvm stop -n %d)", id,
		       vmm_state_name(vm_state_get(vm)), id);
	} else if (vm) {
		const void *old[2] = { vm->cfg.kernel, vm->cfg.initrd };

		vm_config_hold(cfg);
		ret = vm_reconfigure(vm, cfg, err, len);
		if (ret) {
			vm_config_put(cfg);
		} else {
			vm_config_image_put(old[0]);
			vm_config_image_put(old[1]);
		}
	}
	vmm_unlock();
	return ret;
}

/* ---- guest events and the policy that answers them ---- */

static struct k_msgq event_q;
static int event_q_buf[2 * VM_MAX]; /* one pending event per VM, and stale ids */

void vmm_guest_event(struct vm *vm, enum vm_event ev, const char *reason)
{
	enum vm_state to = ev == VM_EV_CRASH || ev == VM_EV_WATCHDOG ? VM_CRASHED : VM_HALTED;
	int id = vm->id;

	/* Its vCPUs stop now; a VM the VMM is already stopping is left to it. */
	if (!vm_guest_stop(vm, ev, to, reason))
		return;
	if (k_msgq_put(&event_q, &id, K_NO_WAIT) != 0)
		vm_take_pending(vm); /* stays stopped, with its reason */
}

void vmm_request_reset(struct vm *vm)
{
	vmm_guest_event(vm, VM_EV_REBOOT, "guest asked for a reset (PSCI SYSTEM_RESET)");
}

int64_t vmm_guest_reset2(struct vm *vm, uint64_t reset_type)
{
	if ((uint32_t)reset_type != 0) /* only SYSTEM_WARM_RESET; no vendor resets */
		return PSCI_INVALID_PARAMS;
	vmm_guest_event(vm, VM_EV_CRASH, "guest kernel panic (a warm reset: PSCI SYSTEM_RESET2)");
	return PSCI_SUCCESS;
}

/* May vm restart once more within its restart limit? Records the restart if so. */
static bool restart_allowed(struct vm *vm)
{
	const struct vm_policy *p = &vm->cfg.policy;
	uint64_t now = k_uptime_ms(), window = (uint64_t)p->restart_window_s * 1000u;
	uint32_t max =
		p->restart_max < VM_RESTART_MAX_LIMIT ? p->restart_max : VM_RESTART_MAX_LIMIT;
	uint32_t recent = 0;

	for (uint32_t i = 0; i < max && i < vm->restarts; i++)
		if (now - vm->restart_ms[(vm->restarts - 1 - i) % VM_RESTART_MAX_LIMIT] < window)
			recent++;
	if (recent >= max)
		return false;
	vm->restart_ms[vm->restarts % VM_RESTART_MAX_LIMIT] = now;
	vm->restarts++;
	return true;
}

/* Say once what happened to vm and what its policy does about it. */
static void vmm_report(struct vm *vm, enum vm_event ev, enum vm_action act, bool limited)
{
	const struct vm_policy *p = &vm->cfg.policy;
	int n;

	if (ev == VM_EV_REBOOT && act == VM_ACT_RESTART)
		printf("VM %d: guest asked for a reset\n", vm->id);
	else
		printf("VM %d %s: %s\n", vm->id, vmm_state_name(vm_state_get(vm)), vm->halt_reason);
	n = snprintf(vm->last_event, sizeof(vm->last_event), "%s, on-%s %s", vm_event_name(ev),
		     vm_event_name(ev), vm_action_name((enum vm_action)p->on[ev]));
	if (limited)
		snprintf(vm->last_event + n, sizeof(vm->last_event) - (size_t)n,
			 ": restart limit reached (%u in %u s), halted", p->restart_max,
			 p->restart_window_s);
	else if (act == VM_ACT_RESTART)
		snprintf(vm->last_event + n, sizeof(vm->last_event) - (size_t)n,
			 " (restart %u, limit %u in %u s)", vm->restarts, p->restart_max,
			 p->restart_window_s);
	vm->last_event_ms = vm->state_since_ms;
	if (limited || ev != VM_EV_POWEROFF || act != VM_ACT_HALT)
		printf("VM %d: %s\n", vm->id, vm->last_event);
}

/* Answer ev of vm by its policy (the VMM worker, holding vmm_lock). */
static void vmm_answer(struct vm *vm, enum vm_event ev)
{
	enum vm_action act = (enum vm_action)vm->cfg.policy.on[ev];
	bool limited = act == VM_ACT_RESTART && !restart_allowed(vm);
	char err[VMM_ERR_LEN];

	if (limited)
		act = VM_ACT_HALT;
	vmm_report(vm, ev, act, limited);
	if (act == VM_ACT_HALT)
		vm_teardown(vm); /* powered off: memory and devices go back to the host */
	else if (act == VM_ACT_RESTART && vm_rebuild(vm, true, err, sizeof(err)) != 0)
		printf("VM %d: restart failed: %s\n", vm->id, err);
}

static void vmm_worker(void *arg)
{
	struct vm *vm;
	enum vm_event ev;
	int id;

	(void)arg;
	for (;;) {
		k_msgq_get(&event_q, &id, K_FOREVER);
		k_mutex_lock(&vmm_lock, K_FOREVER);
		vm = vmm_get(id);
		ev = vm ? vm_take_pending(vm) : VM_EV_NONE; /* none if deleted or reset since */
		if (ev != VM_EV_NONE)
			vmm_answer(vm, ev);
		vmm_unlock();
	}
}

/* Every 100 ms: has a VM's watchdog run out? Show the partial lines (prompts) that wait. */
static void vmm_watchdog_poller(void *arg)
{
	char reason[VM_REASON_LEN];
	uint32_t ms;

	(void)arg;
	for (;;) {
		k_sleep(K_MSEC(VMM_WATCHDOG_POLL_MS));
		k_mutex_lock(&vmm_lock, K_FOREVER);
		for (int id = 0; id < VM_MAX; id++) {
			if (vms[id])
				vuart_flush_stale(vms[id], VMM_PARTIAL_LINE_MS);
			if (!vms[id] || !sp805_expired(vms[id], &ms))
				continue;
			snprintf(reason, sizeof(reason),
				 "watchdog expired (SP805: not fed for %u.%03u s)", ms / 1000,
				 ms % 1000);
			vmm_guest_event(vms[id], VM_EV_WATCHDOG, reason);
		}
		k_mutex_unlock(&vmm_lock); /* a change it made is the worker's to notify */
	}
}

int vmm_set_policy(int id, const struct vm_policy *p, char *err, size_t len)
{
	struct vm *vm;

	k_mutex_lock(&vmm_lock, K_FOREVER);
	vm = vm_lookup(id, err, len);
	if (vm)
		vm->cfg.policy = *p;
	vmm_unlock();
	return vm ? 0 : K_EINVAL;
}

int vmm_repin(int id, uint32_t mask, char *err, size_t len)
{
	struct vm *vm;
	int ret = K_EINVAL;

	k_mutex_lock(&vmm_lock, K_FOREVER);
	vm = vm_lookup(id, err, len);
	if (vm)
		ret = vm_repin(vm, mask, err, len);
	k_mutex_unlock(&vmm_lock);
	return ret;
}

void vmm_init(void)
{
	pool_config_boot(); /* before any host thread of ours starts */
	k_mutex_init(&vmm_lock);
	k_msgq_init(&event_q, event_q_buf, sizeof(int), 2 * VM_MAX);
	vcpu_irqs_init();
	shm_init();
	/* On the host's CPU 0: never beside a VM's real-time vCPU on its CPU. */
	if (!k_thread_spawn("vmm", 8192, vmm_worker, NULL, K_PRIO_PREEMPT(12), VMM_CPUS) ||
	    !k_thread_spawn("vmm-wdt", 4096, vmm_watchdog_poller, NULL, K_PRIO_PREEMPT(12),
			    VMM_CPUS))
		LOG_ERR("vmm: cannot start the worker threads");
	vmm_autostart();
}
