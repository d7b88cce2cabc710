/* SPDX-License-Identifier: MIT */
/*
 * virtio devices of a VM template (configs/vms.dts, docs/vm-config.md): a
 * "virtio,mmio" node in the template's `devices` with reg, spi,
 * device-type ("console" or "block") and, for a block device, `image`, the
 * phandle of an /zvm/images node naming its disk image.
 */
#ifndef ZVM_VIRTIO_CONFIG_H
#define ZVM_VIRTIO_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define VM_MAX_VIRTIO        4
#define VIRTIO_MMIO_SIZE     0x200ull /* one virtio-mmio window (QEMU virt's) */
#define VIRTIO_SPI_MAX       63       /* the vGIC of a VM has 64 SPIs */
#define VIRTIO_DISK_NAME_LEN 32

enum virtio_type { VIRTIO_TYPE_NET = 1, VIRTIO_TYPE_BLOCK = 2, VIRTIO_TYPE_CONSOLE = 3 };

struct virtio_cfg {
	enum virtio_type type;
	uint64_t base;                   /* guest-physical, VIRTIO_MMIO_SIZE bytes */
	int spi;                         /* level-high SPI number (INTID - 32) */
	char disk[VIRTIO_DISK_NAME_LEN]; /* block: image name of its disk */
};

struct vm_config;

/**
 * Parse one "virtio,mmio" node of a template's devices node into cfg.
 * Returns 0, or K_EINVAL with a message naming template `tpl` in err.
 */
int virtio_config_parse(const void *fdt, int node, struct vm_config *cfg, const char *tpl,
			char *err, size_t errlen);
/** Check the virtio devices of cfg: windows, SPIs, no overlaps. */
int virtio_config_check(const struct vm_config *cfg, char *err, size_t errlen);
/** "console", "block", "net" or "?". */
const char *virtio_type_str(enum virtio_type type);

#endif /* ZVM_VIRTIO_CONFIG_H */
