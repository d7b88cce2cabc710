/*
 * The VM object: building a VM's resources (vm_setup) and releasing them
 * (vm_teardown), loading its images, starting, resuming, halting and
 * rebuilding it. Every path frees exactly what it took. The VM manager
 * (vmm.c) calls these with its lock held; vm_halt and vm_kick_all may also be
 * called from a vCPU.
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

int vm_setup(struct vm *vm, char *err, size_t len)
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
	vm_arch_init(&vm->arch, &vm->s2, vm->vmid);
	for (int i = 0; i < vm->cfg.nr_vcpus; i++) {
		vcpu_arch_init(&vm->vcpus[i].arch, &vm->arch);
		if (vcpu_create(vm, i) != 0)
			return errmsg(err, len, "cannot create vCPU %d", i);
	}
	vm->state = VM_CREATED;
	vm->loaded = false;
	return 0;
}

void vm_teardown(struct vm *vm)
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
	vm->arch.cntvoff = k_cycle_get();	/* guest time starts at 0 */
	vm->started_at = vm->arch.cntvoff;
	vm->loaded = true;
	return 0;
}

static void vm_set_cntvoff(struct vm *vm)
{
	for (int i = 0; i < vm->cfg.nr_vcpus; i++)
		vcpu_arch_set_cntvoff(&vm->vcpus[i].arch, vm->arch.cntvoff);
}

int vm_start(struct vm *vm, char *err, size_t len)
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

int vm_resume(struct vm *vm)
{
	vm->arch.cntvoff += k_cycle_get() - vm->paused_at;	/* the pause did not happen for the guest */
	vm_set_cntvoff(vm);
	vm->state = VM_RUNNING;
	vm_kick_all(vm);
	return 0;
}

/* Rebuild a VM in place from its configuration; `start` runs it again. */
int vm_rebuild(struct vm *vm, bool start, char *err, size_t len)
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

/* Rebuild vm with cfg; if that cannot be done, it keeps its old configuration. */
int vm_reconfigure(struct vm *vm, const struct vm_config *cfg, char *err, size_t len)
{
	struct vm_config old = vm->cfg;
	char ignored[VM_REASON_LEN];	/* the old config was valid */
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
