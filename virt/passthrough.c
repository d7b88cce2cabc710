// SPDX-License-Identifier: MIT
/*
 * Passthrough at run time (include/zvm/passthrough.h, docs/passthrough.md):
 * which VM owns which host device, mapping it into the owner's stage 2 as
 * device memory at the same address, and its SPIs as hardware-linked virtual
 * interrupts. The host takes the physical SPI, leaves it active (priority
 * dropped) and makes the same SPI pending in the owner's vGIC with the list
 * register's HW bit: the guest's EOI deactivates the physical interrupt, so a
 * level line cannot fire again before the guest has handled it.
 *
 * Lock order: vmm_lock (attach/detach) -> pt_lock -> the vGIC's locks ->
 * sched_lock. pt_lock guards spi_owner, which the interrupt handler reads.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/arch.h>
#include <zvm/errmsg.h>
#include <zvm/kernel.h>
#include <zvm/log.h>
#include <zvm/passthrough.h>
#include <zvm/sched.h>
#include <zvm/spinlock.h>
#include <zvm/vcpu.h>
#include <zvm/vgic.h>
#include <zvm/vm.h>
#include <zvm/vmem.h>
#include <zvm/vmm.h>

#define PT_MAX_OWNED (PT_MAX_DEVICES * 4)
#define PT_MAX_SPI   VM_NR_SPIS /* a passed-through SPI keeps its number in the VM */

/* A device window some VM owns: written under vmm_lock only. */
static struct {
	uint64_t base, size; /* whole pages */
	struct vm *vm;       /* NULL: free slot */
} owned[PT_MAX_OWNED];

static struct vm *spi_owner[PT_MAX_SPI]; /* pt_lock */
static k_spinlock_t pt_lock;

static void span_of(const struct passthrough_cfg *p, uint64_t *b, uint64_t *s)
{
	*b = p->base & ~(PT_PAGE - 1);
	*s = ((p->base + p->size + PT_PAGE - 1) & ~(PT_PAGE - 1)) - *b;
}

int passthrough_owner_of(uint64_t pa)
{
	for (int i = 0; i < PT_MAX_OWNED; i++)
		if (owned[i].vm && pa >= owned[i].base && pa - owned[i].base < owned[i].size)
			return owned[i].vm->id;
	return -1;
}

int passthrough_identity_place(struct vm *vm, uint64_t pa, char *err, size_t errlen)
{
	uint64_t size = vm->cfg.ram_size;

	if (pa < VM_DEVICE_WINDOW_END || pa > (1ull << VMEM_IPA_BITS) - size)
		return errmsg(err, errlen,
			      "identity-mapped RAM: the free block at 0x%llx (%llu MiB) is not "
			      "where guest RAM can be (0x%llx up to the %d-bit IPA space)",
			      (unsigned long long)pa, (unsigned long long)(size >> 20),
			      VM_DEVICE_WINDOW_END, VMEM_IPA_BITS);
	vm->cfg.ram_ipa = pa;
	LOG_INF("VM %d (%s): RAM identity-mapped at 0x%llx, %llu MiB (IPA == PA)", vm->id,
		vm->cfg.name, (unsigned long long)pa, (unsigned long long)(size >> 20));
	return 0;
}

/* Who else has [b, +s) or one of p's SPIs: a message naming both, or 0. */
static int check_free(const struct vm *vm, const struct passthrough_cfg *p, char *err,
		      size_t errlen)
{
	uint64_t b, s;

	span_of(p, &b, &s);
	for (int i = 0; i < PT_MAX_OWNED; i++)
		if (owned[i].vm && owned[i].vm != vm &&
		    vm_ranges_overlap(b, s, owned[i].base, owned[i].size))
			return errmsg(err, errlen,
				      "passthrough %s [0x%llx, +0x%llx) is in use by VM %d (%s): "
				      "one VM at a time",
				      p->path, (unsigned long long)b, (unsigned long long)s,
				      owned[i].vm->id, owned[i].vm->cfg.name);
	for (int k = 0; k < p->nr_irqs; k++) {
		const struct vm *o = spi_owner[p->spis[k]];

		if (o && o != vm)
			return errmsg(err, errlen, "passthrough %s: SPI %d is in use by VM %d (%s)",
				      p->path, p->spis[k], o->id, o->cfg.name);
		for (int j = 0; j < vm->cfg.nr_shm; j++)
			if (vm->cfg.shm[j].spi == p->spis[k])
				return errmsg(err, errlen,
					      "passthrough %s: SPI %d is the doorbell of shared "
					      "memory '%s'",
					      p->path, p->spis[k], vm->cfg.shm[j].name);
	}
	return 0;
}

/*
 * The physical SPI of a passed-through device fired: hand it to its owner.
 * Taken while the owner's vCPU runs here, it is that guest's interrupt, not
 * host interference (HOST_IRQS, HOST_EXITS, the RT guard: docs/pools.md).
 */
static void pt_irq(int intid, void *arg)
{
	k_spinlock_key_t key = k_spin_lock(&pt_lock);
	struct vm *vm = spi_owner[intid - GIC_NR_PRIVATE];

	(void)arg;
	if (vm && vgic_inject_hw(&vm->vcpus[0], (uint32_t)intid) == 0) {
		irq_keep_active(); /* until the guest's EOI deactivates it */
		if (vcpu_current() == &vm->vcpus[0])
			cpu_count_guest_irq();
	} else {
		irq_disable(intid); /* nobody owns it any more: silence the line */
	}
	k_spin_unlock(&pt_lock, key);
}

static int take_slot(struct vm *vm, const struct passthrough_cfg *p)
{
	for (int i = 0; i < PT_MAX_OWNED; i++) {
		if (owned[i].vm)
			continue;
		span_of(p, &owned[i].base, &owned[i].size);
		owned[i].vm = vm;
		return 0;
	}
	return K_ENOMEM;
}

/*
 * The host CPU a VM's passed-through SPIs go to: the first its vCPU 0 may
 * run on, as zvm delivers them to vCPU 0 (its only CPU in a static pool).
 */
static int spi_cpu(const struct vm *vm)
{
	const struct k_thread *t = vm->vcpus[0].thread;
	uint32_t mask = t && t->affinity ? t->affinity : vm->cfg.cpu_mask;

	return __builtin_ctz(mask);
}

/* Route SPI `spi` of the host to vm as the same SPI, hardware-linked. */
static int link_spi(struct vm *vm, int spi, uint32_t flags)
{
	int intid = spi + GIC_NR_PRIVATE;
	k_spinlock_key_t key;

	if (vgic_map_hw_spi(vm, (uint32_t)intid, (uint32_t)intid))
		return K_EINVAL;
	key = k_spin_lock(&pt_lock);
	spi_owner[spi] = vm;
	k_spin_unlock(&pt_lock, key);
	irq_connect(intid, pt_irq, NULL);
	if ((flags & 0xf) == 1) /* devicetree: edge rising */
		irq_set_edge(intid);
	irq_enable(intid, spi_cpu(vm));
	return 0;
}

static int attach_one(struct vm *vm, const struct passthrough_cfg *p, char *err, size_t errlen)
{
	uint64_t b, s;

	span_of(p, &b, &s);
	if (take_slot(vm, p))
		return errmsg(err, errlen, "passthrough %s: no room in the ownership table",
			      p->path);
	if (vmem_map(&vm->s2, b, b, s, VMEM_READ | VMEM_WRITE | VMEM_DEVICE))
		return errmsg(err, errlen, "passthrough %s: cannot map it into stage 2", p->path);
	for (int k = 0; k < p->nr_irqs; k++)
		if (link_spi(vm, p->spis[k], p->irq_flags[k]))
			return errmsg(err, errlen, "passthrough %s: cannot link SPI %d", p->path,
				      p->spis[k]);
	LOG_INF("VM %d (%s): passthrough %s [0x%llx, +0x%llx)%s", vm->id, vm->cfg.name, p->path,
		(unsigned long long)b, (unsigned long long)s, p->dma ? ", DMA-capable" : "");
	return 0;
}

int passthrough_vm_attach(struct vm *vm, char *err, size_t errlen)
{
	K_ASSERT(vmm_lock_held());
	for (int i = 0; i < vm->cfg.nr_pt; i++) {
		int ret = check_free(vm, &vm->cfg.pt[i], err, errlen);

		if (ret)
			return ret;
	}
	for (int i = 0; i < vm->cfg.nr_pt; i++) {
		int ret = attach_one(vm, &vm->cfg.pt[i], err, errlen);

		if (ret)
			return ret;
	}
	return 0;
}

void passthrough_vm_reroute(struct vm *vm)
{
	int cpu = spi_cpu(vm);

	K_ASSERT(vmm_lock_held());
	for (int i = 0; i < vm->cfg.nr_pt; i++)
		for (int k = 0; k < vm->cfg.pt[i].nr_irqs; k++)
			irq_route(vm->cfg.pt[i].spis[k] + GIC_NR_PRIVATE, cpu);
}

/* Mask SPI `spi`, end the active state held for the guest, and forget the owner. */
static void quiesce_spi(struct vm *vm, int spi)
{
	int intid = spi + GIC_NR_PRIVATE;
	k_spinlock_key_t key = k_spin_lock(&pt_lock);
	bool mine = spi_owner[spi] == vm;

	if (mine)
		spi_owner[spi] = NULL;
	k_spin_unlock(&pt_lock, key);
	if (!mine)
		return;
	irq_disable(intid);
	irq_connect(intid, NULL, NULL);
	if (vgic_hw_held(&vm->vcpus[0], (uint32_t)intid))
		irq_clear_active(intid);
}

void passthrough_vm_detach(struct vm *vm)
{
	K_ASSERT(vmm_lock_held());
	for (int i = 0; i < vm->cfg.nr_pt; i++)
		for (int k = 0; k < vm->cfg.pt[i].nr_irqs; k++)
			quiesce_spi(vm, vm->cfg.pt[i].spis[k]);
	for (int i = 0; i < PT_MAX_OWNED; i++)
		if (owned[i].vm == vm)
			owned[i].vm = NULL;
}
