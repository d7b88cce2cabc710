/* SPDX-License-Identifier: MIT */
/*
 * Shared memory between VMs, with a doorbell per region.
 *
 * Regions are declared once in the VM config (/zvm/shared-memory of
 * configs/vms.dts): name, size, guest-physical address, doorbell SPI and
 * the VMs granted it, each read-write or read-only. zvm allocates each
 * region, zero-filled, when the host boots, and keeps it across VM
 * lifetimes: what one VM wrote is there for the next VM of that name.
 *
 * A VM whose name is in a region's grant list gets the region mapped at
 * its address (normal memory, never executable; read-only grants without
 * write permission), a devicetree node ("zvm,shmem") describing it, and a
 * doorbell page right after the region: a 32-bit write there raises the
 * region's SPI (edge) in every other VM attached to it. A VM not granted
 * the region has nothing at that address.
 */
#ifndef ZVM_SHM_H
#define ZVM_SHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zvm/vm_config.h>

#define SHM_MAX_REGIONS   8
#define SHM_MAX_GRANTS    4
#define SHM_MIN_SIZE      0x2000ull /* 8 KiB */
#define SHM_MAX_SIZE      (64ull << 20)
#define SHM_DOORBELL_SIZE 0x1000ull

struct shm_grant {
	char vm[VM_NAME_LEN];
	bool writable;
};

/* One region as configured. */
struct shm_region_cfg {
	char name[VM_NAME_LEN];
	uint64_t ipa; /* same in every VM granted it */
	uint64_t size;
	int spi; /* doorbell interrupt: SPI number (INTID - 32) */
	int nr_grants;
	struct shm_grant grants[SHM_MAX_GRANTS];
};

/**
 * Read the regions of /zvm/shared-memory in the compiled VM config `fdt`.
 * No such node is no region. Returns the number of regions, or K_EINVAL
 * with a message in err naming the region and what is wrong with it.
 */
int shm_config_parse(const void *fdt, struct shm_region_cfg *out, int max, char *err,
		     size_t errlen);

/** Allocate the regions of the built-in VM config (host boot); errors are logged. */
void shm_init(void);

/** Fill cfg->shm with the regions granted to a VM named cfg->name. */
void shm_config_for_vm(struct vm_config *cfg);

struct vm;
/** Map vm's regions and their doorbells; K_EINVAL with err if one is taken. */
int shm_vm_attach(struct vm *vm, char *err, size_t len);
/** Undo shm_vm_attach (the stage-2 tables go with the VM). */
void shm_vm_detach(struct vm *vm);
/** How many times the doorbell of region `name` was rung, by any VM. */
uint64_t shm_doorbells(const char *name);

#endif /* ZVM_SHM_H */
