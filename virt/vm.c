/* SPDX-License-Identifier: MIT */
/*
 * The VM object: building a VM's resources (vm_setup) and releasing them
 * (vm_teardown), loading its images, starting, resuming, halting and
 * rebuilding it. Every path frees exactly what it took. The VM manager
 * (vmm.c) calls these with its lock held (asserted); vm_halt, vm_set_state
 * and vm_kick_all may also be called from a vCPU (include/zvm/vm.h says who
 * may write what).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zvm/errmsg.h>
#include <zvm/guest_dtb.h>
#include <zvm/image.h>
#include <zvm/log.h>
#include <zvm/mm.h>
#include <zvm/passthrough.h>
#include <zvm/pool_ops.h>
#include <zvm/shm.h>
#include <zvm/sp805.h>
#include <zvm/vcpu.h>
#include <zvm/virtio.h>
#include <zvm/vm_config.h>
#include <zvm/vmid.h>
#include <zvm/vmm.h>
#include <zvm/vuart.h>
#include <arch/stage2.h>
#include <arch/vcpu.h>
#include <arch/vm.h>

struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
	uint64_t aff = mpidr & 0xff00ffffffull;

	return aff < (uint64_t)vm->cfg.nr_vcpus ? &vm->vcpus[aff] : NULL;
}

void vm_kick_all(struct vm *vm)
{
	for (int i = 0; i < vm->cfg.nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
}

static void vm_set_cntvoff(struct vm *vm)
{
	for (int i = 0; i < vm->cfg.nr_vcpus; i++)
		vcpu_arch_set_cntvoff(&vm->vcpus[i].arch, vm->arch.cntvoff);
}

/* Called with vm->lock held: the state change and its effect on guest time. */
static void vm_change_state(struct vm *vm, enum vm_state to)
{
	uint64_t now = k_cycle_get();

	if (vm->state == VM_RUNNING && to != VM_RUNNING)
		vm->paused_at = now;
	if (vm->state == VM_PAUSED && to == VM_RUNNING) {
		vm->arch.cntvoff +=
			now - vm->paused_at; /* the pause did not happen for the guest */
		vm_set_cntvoff(vm);          /* before its vCPUs may go on */
	}
	vm->state_since_ms = k_uptime_ms();
	__atomic_store_n(&vm->state, to, __ATOMIC_RELEASE);
}

static void (*change_hook)(void);

void vm_set_change_hook(void (*hook)(void))
{
	__atomic_store_n(&change_hook, hook, __ATOMIC_RELEASE);
}

void vm_notify_change(void)
{
	void (*hook)(void) = __atomic_load_n(&change_hook, __ATOMIC_ACQUIRE);

	if (hook)
		hook();
}

bool vm_set_state(struct vm *vm, unsigned from, enum vm_state to)
{
	k_spinlock_key_t key = k_spin_lock(&vm->lock);
	bool ok = (from & VM_STATE_BIT(vm->state)) != 0;

	if (ok)
		vm_change_state(vm, to);
	k_spin_unlock(&vm->lock, key);
	return ok;
}

void vm_halt(struct vm *vm, const char *fmt, ...)
{
	char reason[VM_REASON_LEN];
	k_spinlock_key_t key;
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	key = k_spin_lock(&vm->lock);
	ok = vm->state == VM_RUNNING || vm->state == VM_PAUSED;
	if (ok) {
		memcpy(vm->halt_reason, reason, sizeof(reason));
		vm_change_state(vm, VM_HALTED);
	}
	k_spin_unlock(&vm->lock, key);
	if (!ok)
		return;
	if (!vmm_lock_held()) /* a vCPU's halt; the VMM notifies as it unlocks */
		vm_notify_change();
	printf("VM %d halted: %s\n", vm->id, reason);
	vm_kick_all(vm);
}

bool vm_guest_stop(struct vm *vm, enum vm_event ev, enum vm_state to, const char *reason)
{
	k_spinlock_key_t key;
	bool ok;

	K_ASSERT(ev > VM_EV_NONE && ev < VM_EVENTS && (to == VM_HALTED || to == VM_CRASHED));
	key = k_spin_lock(&vm->lock);
	ok = (vm->state == VM_RUNNING || vm->state == VM_PAUSED) && vm->pending == VM_EV_NONE;
	if (ok) {
		snprintf(vm->halt_reason, sizeof(vm->halt_reason), "%s", reason);
		vm->pending = ev;
		vm->events[ev]++;
		vm_change_state(vm, to);
	}
	k_spin_unlock(&vm->lock, key);
	if (ok) {
		if (!vmm_lock_held()) /* a guest event; the VMM notifies as it unlocks */
			vm_notify_change();
		vm_kick_all(vm);
	}
	return ok;
}

enum vm_event vm_take_pending(struct vm *vm)
{
	k_spinlock_key_t key = k_spin_lock(&vm->lock);
	enum vm_event ev = vm->pending;

	vm->pending = VM_EV_NONE;
	k_spin_unlock(&vm->lock, key);
	return ev;
}

/* ---- building and releasing a VM ---- */

/* Why guest RAM could not be had: too little free, or no block big enough. */
static int vm_no_ram(const struct vm *vm, char *err, size_t len)
{
	unsigned long want = (unsigned long)(vm->cfg.ram_size >> 20);
	struct page_stats ps;

	page_stats_get(&ps);
	if ((uint64_t)ps.free_pages * PAGE_SIZE >= vm->cfg.ram_size)
		return errmsg(err, len,
			      "not enough host memory for %lu MiB: guest RAM is one contiguous "
			      "block; the largest free is %lu MiB (of %lu MiB free)",
			      want, (unsigned long)((ps.largest_free_pages * PAGE_SIZE) >> 20),
			      (unsigned long)((ps.free_pages * PAGE_SIZE) >> 20));
	return errmsg(err, len, "not enough host memory for %lu MiB: %lu MiB are free", want,
		      (unsigned long)((ps.free_pages * PAGE_SIZE) >> 20));
}

static int vm_map_ram(struct vm *vm, char *err, size_t len)
{
	size_t pages = vm->cfg.ram_size / PAGE_SIZE;

	vm->ram = page_alloc(pages);
	vm->ram_bytes = vm->ram ? vm->cfg.ram_size : 0;
	if (!vm->ram)
		return vm_no_ram(vm, err, len);
	if (passthrough_identity(&vm->cfg) &&
	    passthrough_identity_place(vm, (uintptr_t)vm->ram, err, len))
		return K_EINVAL;
	if (vmem_init(&vm->s2) != 0 ||
	    vmem_map(&vm->s2, vm->cfg.ram_ipa, (uintptr_t)vm->ram, vm->cfg.ram_size, VMEM_RWX) != 0)
		return errmsg(err, len, "cannot build the stage-2 tables");
	return 0;
}

int vm_setup(struct vm *vm, char *err, size_t len)
{
	int ret;

	K_ASSERT(vmm_lock_held());
	/* Its CPUs in one pool, one free CPU per vCPU in a static one (docs/pools.md). */
	ret = pool_op_check_vm(vm->cfg.nr_vcpus, vm->cfg.cpu_mask, 0, err, len);
	if (ret)
		return ret;
	shm_config_for_vm(&vm->cfg); /* the regions granted to its name */
	ret = vm_map_ram(vm, err, len);
	if (ret)
		return ret;
	vm->vmid = (uint16_t)vmid_alloc();
	if (!vm->vmid)
		return errmsg(err, len, "no free VMID");
	if (vgic_vm_init(vm, VM_NR_SPIS) != 0 || vuart_init(vm) != 0 || sp805_init(vm) != 0)
		return errmsg(err, len, "cannot create the virtual devices");
	if (shm_vm_attach(vm, err, len) != 0)
		return K_EINVAL;
	ret = virtio_vm_init(vm, err, len);
	if (ret)
		return ret;
	vm_arch_init(&vm->arch, &vm->s2, vm->vmid);
	for (int i = 0; i < vm->cfg.nr_vcpus; i++) {
		vcpu_arch_init(&vm->vcpus[i].arch, &vm->arch);
		if (vcpu_create(vm, i) != 0)
			return errmsg(err, len, "cannot create vCPU %d", i);
	}
	ret = passthrough_vm_attach(vm, err, len); /* its interrupts may come from here on */
	if (ret)
		return ret;
	vm_set_state(vm, VM_STATE_ANY, VM_CREATED);
	vm->pending = VM_EV_NONE;
	vm->loaded = false;
	return 0;
}

void vm_teardown(struct vm *vm)
{
	K_ASSERT(vmm_lock_held());
	passthrough_vm_detach(vm); /* quiesced before its vCPUs and vGIC go */
	for (int i = 0; i < VM_MAX_VCPUS; i++)
		vcpu_destroy(&vm->vcpus[i]);
	shm_vm_detach(vm);
	virtio_vm_destroy(vm);
	vuart_destroy(vm);
	sp805_destroy(vm);
	vgic_vm_destroy(vm);
	vm->nr_vdevs = 0;
	if (vm->vmid) {
		arch_s2_flush_vmid(vm->vmid, &vm->s2);
		vmid_free(vm->vmid);
		vm->vmid = 0;
	}
	if (vm->s2.root)
		vmem_destroy(&vm->s2);
	if (vm->ram)
		page_free(vm->ram, vm->ram_bytes / PAGE_SIZE);
	vm->ram = NULL;
	vm->ram_bytes = 0;
	memset(vm->vcpus, 0, sizeof(vm->vcpus));
}

/* The kernel (and a Linux guest's initramfs) into guest RAM. */
static int vm_load_images(struct vm *vm, uint64_t *entry, char *err, size_t len)
{
	const struct vm_config *c = &vm->cfg;
	struct image_info info;
	int ret = image_probe(c->kernel, c->kernel_size, c->ram_ipa, c->ram_size,
			      c->kernel_load_ipa, &info, err, len);

	if (!ret)
		ret = image_load(c->kernel, c->kernel_size, c->ram_ipa, c->ram_size, vm->ram,
				 c->kernel_load_ipa, entry, err, len);
	if (!ret && c->initrd)
		ret = image_load_initrd(c->initrd, c->initrd_size, c->ram_ipa, c->ram_size, vm->ram,
					info.end_ipa, err, len);
	return ret;
}

/* Copy the images and the DTB into guest RAM; vCPU 0 starts at the entry. */
static int vm_load(struct vm *vm, char *err, size_t len)
{
	uint64_t entry;
	int ret;

	page_zero(vm->ram, vm->cfg.ram_size);
	ret = vm_load_images(vm, &entry, err, len);
	if (ret)
		return ret;
	ret = guest_dtb_build(&vm->cfg, vm->ram, GUEST_DTB_MAX, err, len);
	if (ret)
		return ret;
	arch_dcache_clean_range(vm->ram, vm->cfg.ram_size);
	for (int i = 0; i < vm->cfg.nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		vcpu_arch_reset(&v->arch, entry, vm->cfg.ram_ipa, i);
		vcpu_power_init(v, i == 0);
	}
	vm->arch.cntvoff = k_cycle_get(); /* guest time starts at 0 */
	vm->started_at = vm->arch.cntvoff;
	vm->loaded = true;
	return 0;
}

int vm_start(struct vm *vm, char *err, size_t len)
{
	int ret;

	K_ASSERT(vmm_lock_held());
	ret = vm_load(vm, err, len);
	if (ret)
		return ret;
	vm_set_cntvoff(vm);
	if (!vm_set_state(vm, VM_STATE_BIT(VM_CREATED), VM_RUNNING))
		return errmsg(err, len, "VM %d is not in the created state", vm->id);
	for (int i = 0; i < vm->cfg.nr_vcpus; i++)
		vcpu_start(&vm->vcpus[i]);
	return 0;
}

int vm_resume(struct vm *vm)
{
	K_ASSERT(vmm_lock_held());
	if (!vm_set_state(vm, VM_STATE_BIT(VM_PAUSED), VM_RUNNING))
		return K_EINVAL; /* a vCPU halted it meanwhile */
	vm_kick_all(vm);
	return 0;
}

/* Rebuild a VM in place from its configuration; `start` runs it again. */
int vm_rebuild(struct vm *vm, bool start, char *err, size_t len)
{
	int ret;

	K_ASSERT(vmm_lock_held());
	vm_set_state(vm, VM_STATE_ANY, VM_HALTED); /* vCPUs stop entering the guest */
	vm_teardown(vm);
	vm->halt_reason[0] = '\0';
	memset(vm->exits_by_kind, 0, sizeof(vm->exits_by_kind));
	vm->virqs = 0;
	ret = vm_setup(vm, err, len);
	if (!ret && start)
		ret = vm_start(vm, err, len);
	return ret;
}

/* Rebuild vm with cfg; if that cannot be done, it keeps its old configuration. */
int vm_reconfigure(struct vm *vm, const struct vm_config *cfg, char *err, size_t len)
{
	struct vm_config old = vm->cfg;
	char ignored[VM_REASON_LEN]; /* the old config was valid */
	int ret;

	K_ASSERT(vmm_lock_held());
	vm_set_state(vm, VM_STATE_ANY, VM_HALTED);
	vm_teardown(vm);
	vm->cfg = *cfg;
	ret = vm_setup(vm, err, len);
	if (ret) {
		vm_teardown(vm);
		vm->cfg = old;
		vm_setup(vm, ignored, sizeof(ignored));
	}
	return ret;
}
