/* SPDX-License-Identifier: MIT */
/*
 * Shared-memory regions at run time: allocated once at host boot from the
 * checked config (virt/shm_config.c), mapped into each VM granted one, and
 * a doorbell page per region whose write raises the region's SPI in the
 * other VMs attached to it.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/errmsg.h>
#include <zvm/kernel.h>
#include <zvm/log.h>
#include <zvm/mm.h>
#include <zvm/shm.h>
#include <zvm/vm.h>
#include <arch/vcpu.h>

#define SPI_BASE 32

struct shm_region {
	struct shm_region_cfg cfg;
	void *mem;
	struct vm *peers[SHM_MAX_GRANTS]; /* attached VMs, by grant index */
	uint64_t doorbells;
};

static struct shm_region regions[SHM_MAX_REGIONS];
static int nr_regions;
static k_spinlock_t shm_lock; /* peers and doorbell counts */

static void region_alloc(const struct shm_region_cfg *c)
{
	void *mem = page_alloc(c->size / PAGE_SIZE);

	if (!mem) {
		LOG_ERR("shared memory '%s': no %llu KiB of host memory", c->name,
			(unsigned long long)(c->size >> 10));
		return;
	}
	page_zero(mem, c->size);
	/* Guests may map it uncached (Linux's /dev/mem): no dirty line may hide the zeros. */
	arch_dcache_clean_range(mem, c->size);
	regions[nr_regions].cfg = *c;
	regions[nr_regions].mem = mem;
	nr_regions++;
	LOG_INF("shared memory '%s': %llu KiB at guest 0x%llx, doorbell SPI %d", c->name,
		(unsigned long long)(c->size >> 10), (unsigned long long)c->ipa, c->spi);
}

void shm_init(void)
{
	static struct shm_region_cfg cfgs[SHM_MAX_REGIONS];
	char err[160];
	const void *fdt = vm_config_blob(err, sizeof(err));
	int n;

	if (!fdt)
		return; /* `zvm new` reports the broken config */
	n = shm_config_parse(fdt, cfgs, SHM_MAX_REGIONS, err, sizeof(err));
	if (n < 0) {
		LOG_ERR("no shared memory: %s", err);
		return;
	}
	for (int i = 0; i < n; i++)
		region_alloc(&cfgs[i]);
}

void shm_config_for_vm(struct vm_config *cfg)
{
	cfg->nr_shm = 0;
	for (int r = 0; r < nr_regions && cfg->nr_shm < VM_MAX_SHM; r++) {
		const struct shm_region_cfg *c = &regions[r].cfg;

		for (int g = 0; g < c->nr_grants; g++) {
			struct vm_shm *s = &cfg->shm[cfg->nr_shm];

			if (strcmp(c->grants[g].vm, cfg->name))
				continue;
			strcpy(s->name, c->name);
			s->ipa = c->ipa;
			s->size = c->size;
			s->spi = c->spi;
			s->peer_index = g;
			s->writable = c->grants[g].writable;
			cfg->nr_shm++;
		}
	}
}

static struct shm_region *region_named(const char *name)
{
	for (int r = 0; r < nr_regions; r++) {
		if (!strcmp(regions[r].cfg.name, name))
			return &regions[r];
	}
	return NULL;
}

/*
 * A 32-bit write at offset 0 rings the other VMs of the region
 * (docs/shared-memory.md); any other write is ignored, reads return 0.
 */
static int doorbell_access(struct vcpu *vcpu, struct vdev *dev, struct mmio_access *acc)
{
	struct shm_region *r = dev->priv;
	k_spinlock_key_t key;

	acc->value = 0;
	if (!acc->write || acc->size != 4 || acc->ipa != dev->base)
		return 0;
	key = k_spin_lock(&shm_lock);
	r->doorbells++;
	for (int i = 0; i < r->cfg.nr_grants; i++) {
		if (r->peers[i] && r->peers[i] != vcpu->vm)
			vgic_inject(r->peers[i], 0, SPI_BASE + (uint32_t)r->cfg.spi, true);
	}
	k_spin_unlock(&shm_lock, key);
	return 0;
}

/* The VM's own devices must not sit where the region or its interrupt is. */
static int check_against_vm(const struct vm *vm, const struct vm_shm *s, char *err, size_t len)
{
	const struct vm_config *c = &vm->cfg;
	uint64_t span = s->size + SHM_DOORBELL_SIZE;

	if (c->uart_base && vm_ranges_overlap(s->ipa, span, c->uart_base, 0x1000))
		return errmsg(err, len, "shared memory '%s' overlaps the VM's UART", s->name);
	if (c->uart_base && c->uart_spi == s->spi)
		return errmsg(err, len, "shared memory '%s' uses the UART's SPI %d", s->name,
			      s->spi);
	for (int i = 0; i < c->nr_virtio; i++) {
		if (vm_ranges_overlap(s->ipa, span, c->virtio[i].base, VIRTIO_MMIO_SIZE) ||
		    c->virtio[i].spi == s->spi)
			return errmsg(err, len,
				      "shared memory '%s' collides with the VM's "
				      "virtio device at 0x%llx (address or SPI %d)",
				      s->name, (unsigned long long)c->virtio[i].base, s->spi);
	}
	return 0;
}

static int attach_one(struct vm *vm, const struct vm_shm *s, char *err, size_t len)
{
	struct shm_region *r = region_named(s->name);
	unsigned prot = VMEM_READ | (s->writable ? VMEM_WRITE : 0);
	struct vdev bell = { .name = "shm-doorbell",
			     .base = s->ipa + s->size,
			     .size = SHM_DOORBELL_SIZE,
			     .access = doorbell_access };
	struct vm *holder;
	k_spinlock_key_t key;

	if (!r)
		return errmsg(err, len, "shared memory '%s' was not set up", s->name);
	if (check_against_vm(vm, s, err, len))
		return K_EINVAL;
	key = k_spin_lock(&shm_lock);
	holder = r->peers[s->peer_index];
	if (!holder)
		r->peers[s->peer_index] = vm;
	k_spin_unlock(&shm_lock, key);
	if (holder)
		return errmsg(err, len, "shared memory '%s' is already attached to VM %d (%s)",
			      s->name, holder->id, holder->cfg.name);
	bell.priv = r;
	if (vmem_map(&vm->s2, s->ipa, (uintptr_t)r->mem, s->size, prot) != 0 ||
	    vdev_register(vm, &bell) != 0)
		return errmsg(err, len, "cannot map shared memory '%s'", s->name);
	return 0;
}

int shm_vm_attach(struct vm *vm, char *err, size_t len)
{
	for (int i = 0; i < vm->cfg.nr_shm; i++) {
		if (attach_one(vm, &vm->cfg.shm[i], err, len))
			return K_EINVAL;
	}
	return 0;
}

void shm_vm_detach(struct vm *vm)
{
	k_spinlock_key_t key = k_spin_lock(&shm_lock);

	for (int r = 0; r < nr_regions; r++) {
		for (int i = 0; i < SHM_MAX_GRANTS; i++) {
			if (regions[r].peers[i] == vm)
				regions[r].peers[i] = NULL;
		}
	}
	k_spin_unlock(&shm_lock, key);
	for (int r = 0; r < nr_regions; r++)
		vdev_unregister_priv(vm, &regions[r]);
}

uint64_t shm_doorbells(const char *name)
{
	struct shm_region *r = region_named(name);

	return r ? r->doorbells : 0;
}
