/*
 * VM lifecycle. A VM's resources are built by vm_setup() and released by
 * vm_teardown(); new, delete and reset are made of those two, so every path
 * frees exactly what it took.
 *
 * Lock order: vmm_lock (a mutex, thread context) before any spinlock.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zvm/errmsg.h>
#include <zvm/guest_dtb.h>
#include <zvm/image.h>
#include <zvm/log.h>
#include <zvm/mm.h>
#include <zvm/shm.h>
#include <zvm/vcpu.h>
#include <zvm/virtio.h>
#include <zvm/vm_config.h>
#include <zvm/vmid.h>
#include <zvm/vmm.h>
#include <zvm/vuart.h>
#include <arch/stage2.h>
#include <arch/vcpu.h>


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
		return k_cycle_get() - vm->cntvoff;
	return vm->paused_at - vm->cntvoff;
}

struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
	uint64_t aff = mpidr & 0xff00ffffffull;

	return aff < (uint64_t)vm->cfg.nr_vcpus ? &vm->vcpus[aff] : NULL;
}

static void vm_kick_all(struct vm *vm)
{
	for (int i = 0; i < vm->cfg.nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
}

void vm_halt(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vm->halt_reason, sizeof(vm->halt_reason), fmt, ap);
	va_end(ap);
	if (vm->state == VM_RUNNING)
		vm->paused_at = k_cycle_get();
	vm->state = VM_HALTED;
	printf("VM %d halted: %s\n", vm->id, vm->halt_reason);
	vm_kick_all(vm);
}

/* ---- building and releasing a VM ---- */

static int vm_map_ram(struct vm *vm, char *err, size_t len)
{
	size_t pages = vm->cfg.ram_size / PAGE_SIZE;

	vm->ram = page_alloc(pages);
	vm->ram_bytes = vm->ram ? vm->cfg.ram_size : 0;
	if (!vm->ram)
		return errmsg(err, len, "not enough host memory for %lu MiB",
			    (unsigned long)(vm->cfg.ram_size >> 20));
	if (vmem_init(&vm->s2) != 0 ||
	    vmem_map(&vm->s2, vm->cfg.ram_ipa, (uintptr_t)vm->ram, vm->cfg.ram_size, VMEM_RWX) != 0)
		return errmsg(err, len, "cannot build the stage-2 tables");
	return 0;
}

static int vm_setup(struct vm *vm, char *err, size_t len)
{
	int ret;

	shm_config_for_vm(&vm->cfg);	/* the regions granted to its name */
	ret = vm_map_ram(vm, err, len);
	if (ret)
		return ret;
	vm->vmid = (uint16_t)vmid_alloc();
	if (!vm->vmid)
		return errmsg(err, len, "no free VMID");
	if (vgic_vm_init(vm, VM_NR_SPIS) != 0 || vuart_init(vm) != 0)
		return errmsg(err, len, "cannot create the virtual devices");
	if (shm_vm_attach(vm, err, len) != 0)
		return K_EINVAL;
	ret = virtio_vm_init(vm, err, len);
	if (ret)
		return ret;
	for (int i = 0; i < vm->cfg.nr_vcpus; i++) {
		vm->vcpus[i].arch.vttbr = arch_s2_vttbr(&vm->s2, vm->vmid);
		vm->vcpus[i].arch.vtcr = arch_s2_vtcr();
		if (vcpu_create(vm, i) != 0)
			return errmsg(err, len, "cannot create vCPU %d", i);
	}
	vm->state = VM_CREATED;
	vm->loaded = false;
	return 0;
}

static void vm_teardown(struct vm *vm)
{
	for (int i = 0; i < VM_MAX_VCPUS; i++)
		vcpu_destroy(&vm->vcpus[i]);
	shm_vm_detach(vm);
	virtio_vm_destroy(vm);
	vuart_destroy(vm);
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
		ret = image_load(c->kernel, c->kernel_size, c->ram_ipa, c->ram_size,
				 vm->ram, c->kernel_load_ipa, entry, err, len);
	if (!ret && c->initrd)
		ret = image_load_initrd(c->initrd, c->initrd_size, c->ram_ipa, c->ram_size,
					vm->ram, info.end_ipa, err, len);
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
		v->power = i == 0 ? VCPU_ON : VCPU_OFF;
	}
	vm->cntvoff = k_cycle_get();		/* guest time starts at 0 */
	vm->started_at = vm->cntvoff;
	vm->loaded = true;
	return 0;
}

static void vm_set_cntvoff(struct vm *vm)
{
	for (int i = 0; i < vm->cfg.nr_vcpus; i++)
		vm->vcpus[i].arch.cntvoff = vm->cntvoff;
}

/* ---- the commands ---- */

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

static int vm_start(struct vm *vm, char *err, size_t len)
{
	int ret = vm_load(vm, err, len);

	if (ret)
		return ret;
	vm_set_cntvoff(vm);
	vm->state = VM_RUNNING;
	for (int i = 0; i < vm->cfg.nr_vcpus; i++)
		vcpu_start(&vm->vcpus[i]);
	return 0;
}

static int vm_resume(struct vm *vm)
{
	vm->cntvoff += k_cycle_get() - vm->paused_at;	/* the pause did not happen for the guest */
	vm_set_cntvoff(vm);
	vm->state = VM_RUNNING;
	vm_kick_all(vm);
	return 0;
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

/* Rebuild a VM in place from its configuration; `start` runs it again. */
static int vm_rebuild(struct vm *vm, bool start, char *err, size_t len)
{
	int ret;

	vm->state = VM_HALTED;		/* vCPUs stop entering the guest */
	vm_teardown(vm);
	vm->halt_reason[0] = '\0';
	memset(vm->exits_by_kind, 0, sizeof(vm->exits_by_kind));
	ret = vm_setup(vm, err, len);
	if (!ret && start)
		ret = vm_start(vm, err, len);
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

/* Rebuild vm with cfg; if that cannot be done, it keeps its old configuration. */
static int vm_reconfigure(struct vm *vm, const struct vm_config *cfg, char *err, size_t len)
{
	struct vm_config old = vm->cfg;
	char ignored[VMM_ERR_LEN];
	int ret;

	vm->state = VM_HALTED;
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
