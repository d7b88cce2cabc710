/* SPDX-License-Identifier: MIT */
/*
 * Stage-2 translation of a VM: guest-physical (IPA) to host-physical.
 * 4 KiB granule, 2 MiB and 1 GiB blocks where alignment allows, 39-bit IPA
 * space starting at level 1. Tables come from the page allocator.
 * (Interface fixed by the VM core; implementation in virt/vmem.c.)
 */
#ifndef ZVM_VMEM_H
#define ZVM_VMEM_H

#include <stddef.h>
#include <stdint.h>

#define VMEM_READ   (1u << 0)
#define VMEM_WRITE  (1u << 1)
#define VMEM_EXEC   (1u << 2)
#define VMEM_DEVICE (1u << 3) /* Device-nGnRE instead of normal memory */
#define VMEM_RWX    (VMEM_READ | VMEM_WRITE | VMEM_EXEC)

#define VMEM_IPA_BITS 39

struct vmem {
	uint64_t *root;   /* level-1 table */
	size_t nr_tables; /* tables allocated, root included */
};

/** Allocate the root table; K_ENOMEM if out of pages. */
int vmem_init(struct vmem *s2);
/** Map [ipa, ipa+size) to [pa, ...); page aligned; K_EINVAL on overlap or bad args. */
int vmem_map(struct vmem *s2, uint64_t ipa, uint64_t pa, uint64_t size, unsigned prot);
/** Unmap [ipa, ipa+size), splitting blocks if needed. */
int vmem_unmap(struct vmem *s2, uint64_t ipa, uint64_t size);
/** Host address and protection of ipa; K_EINVAL when unmapped. */
int vmem_translate(const struct vmem *s2, uint64_t ipa, uint64_t *pa, unsigned *prot);
/** Free every table (the mapped memory itself is the caller's). */
void vmem_destroy(struct vmem *s2);

#endif /* ZVM_VMEM_H */
