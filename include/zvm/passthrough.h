/* SPDX-License-Identifier: MIT */
/*
 * Passthrough: host devices a VM owns and drives itself (docs/passthrough.md).
 *
 * A template's `devices` node names a host devicetree node with a
 * "zvm,passthrough" node (by `host-path`, or by `reg` = the host node's first
 * register window). The device's window is stage-2 mapped into that VM as
 * device memory at the same address, its SPIs are linked to the same SPIs of
 * the VM's vGIC (the guest's EOI deactivates the physical interrupt), and the
 * guest DTB gets a copy of the host node. A device belongs to one VM at a time;
 * the host's own devices (console UART, GIC, management channel, per-CPU
 * timers, RAM) are never given away.
 *
 * Who writes what: a VM's passthrough_cfg entries are written only while its
 * config is parsed (vm_config.c); the ownership table (passthrough.c) only
 * under vmm_lock by passthrough_vm_attach/detach, its interrupt-owner slots
 * also under pt_lock, which the interrupt handler takes to read them.
 */
#ifndef ZVM_PASSTHROUGH_H
#define ZVM_PASSTHROUGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PT_MAX_DEVICES 4  /* passthrough nodes per VM */
#define PT_MAX_IRQS    4  /* interrupts per device */
#define PT_PATH_LEN    64 /* host node path */
#define PT_PAGE        0x1000ull

/* Identity mapping of a VM's RAM (IPA == PA): `identity-map` in its template. */
enum pt_identity {
	PT_IDENTITY_AUTO, /* absent: on if a passthrough device can do DMA */
	PT_IDENTITY_YES,  /* `identity-map;` or "yes" */
	PT_IDENTITY_NO,   /* "no": a DMA-capable device is then refused */
};

/* One host device given to a VM, resolved against the host DTB. */
struct passthrough_cfg {
	char path[PT_PATH_LEN]; /* the host node, e.g. "/pl061@9030000" */
	uint64_t base;          /* its first register window, host = guest address */
	uint64_t size;
	int nr_irqs;
	uint16_t spis[PT_MAX_IRQS];      /* SPI numbers (INTID - 32), the same in the guest */
	uint32_t irq_flags[PT_MAX_IRQS]; /* the host specifier's trigger cell */
	bool dma;                        /* can master memory: virtio,mmio or dma-coherent */
};

struct vm;
struct vm_config;

/**
 * Parse one "zvm,passthrough" node of template `tpl` into cfg, resolving it in
 * the host DTB (platform.fdt). 0, or K_EINVAL with a message in err.
 */
int passthrough_config_parse(const void *fdt, int node, struct vm_config *cfg, const char *tpl,
			     char *err, size_t errlen);
/** The template's `identity-map` property into cfg; 0 or K_EINVAL. */
int passthrough_identity_parse(const void *fdt, int node, struct vm_config *cfg, const char *tpl,
			       char *err, size_t errlen);
/**
 * Check cfg's passthrough devices: never a host-owned device, no overlap with
 * each other or the VM's emulated devices (page granules), SPIs free in the VM,
 * a DMA-capable device only with identity-mapped RAM. 0 or K_EINVAL.
 */
int passthrough_config_check(const struct vm_config *cfg, char *err, size_t errlen);
/** Whether cfg's RAM must be identity-mapped (asked for, or implied by DMA). */
bool passthrough_identity(const struct vm_config *cfg);
/** The first DMA-capable device of cfg, or NULL. */
const struct passthrough_cfg *passthrough_dma_device(const struct vm_config *cfg);

/**
 * A device the host drives itself (the management channel): never given away.
 * Called once by its driver at boot.
 */
void passthrough_host_claim(uint64_t base, uint64_t size, int intid, const char *what);
/**
 * The host-owned device that [base, base + size) or SPI `spi` (-1: none) meets,
 * as words for a message, or NULL.
 */
const char *passthrough_host_owner(uint64_t base, uint64_t size, int spi);

/**
 * Identity mapping: vm's RAM was allocated at host address `pa`; make its
 * guest-physical base the same, or refuse with a reason. 0 or K_EINVAL.
 */
int passthrough_identity_place(struct vm *vm, uint64_t pa, char *err, size_t errlen);
/**
 * In vm_setup (vmm_lock, after the stage-2 tables and the vGIC exist): take
 * ownership of vm's devices (refused, naming both, if another VM has one),
 * map them and link their interrupts. 0 or K_EINVAL with a message.
 */
int passthrough_vm_attach(struct vm *vm, char *err, size_t errlen);
/** In vm_teardown (vmm_lock): mask and deactivate the interrupts, give the devices back. */
void passthrough_vm_detach(struct vm *vm);
/** After vm's vCPUs moved (zvm pool pin/vm): its SPIs follow vCPU 0. Under vmm_lock. */
void passthrough_vm_reroute(struct vm *vm);
/** The VM id owning host address `pa`, or -1 (for `zvm info` and tests). */
int passthrough_owner_of(uint64_t pa);

/**
 * Add the passthrough devices' nodes to a guest DTB being written with libfdt's
 * sequential-write calls (inside the root node); apb_clk is the phandle of the
 * guest's APB clock, for devices whose host node has clocks. 0 or a libfdt error.
 */
int passthrough_dtb_nodes(void *fdt, const struct vm_config *cfg, uint32_t apb_clk);
/** Whether a passthrough device of cfg needs the guest's APB clock node. */
bool passthrough_dtb_needs_clock(const struct vm_config *cfg);

#endif /* ZVM_PASSTHROUGH_H */
