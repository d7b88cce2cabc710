/* SPDX-License-Identifier: MIT */
/*
 * The virtio 1.x device interface as a driver sees it (OASIS virtio 1.1):
 * the virtio-mmio register map (section 4.2.2, Version 2), the device
 * status and interrupt status bits, the feature bit zvm needs and the
 * split-virtqueue flags. Spelled once for the devices zvm emulates
 * (virt/virtio/), the driver side of the RTOS guest and the unit tests.
 * Holds constants only, so a guest program can include it alone.
 */
#ifndef ZVM_VIRTIO_REGS_H
#define ZVM_VIRTIO_REGS_H

#include <stdint.h>

/* ---- virtio-mmio registers ---- */

#define VIRTIO_MMIO_MAGIC		0x000
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEV_FEATURES	0x010
#define VIRTIO_MMIO_DEV_FEATURES_SEL	0x014
#define VIRTIO_MMIO_DRV_FEATURES	0x020
#define VIRTIO_MMIO_DRV_FEATURES_SEL	0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INT_STATUS		0x060
#define VIRTIO_MMIO_INT_ACK		0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LO	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HI	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LO	0x090	/* the available ring */
#define VIRTIO_MMIO_QUEUE_DRIVER_HI	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LO	0x0a0	/* the used ring */
#define VIRTIO_MMIO_QUEUE_DEVICE_HI	0x0a4
#define VIRTIO_MMIO_SHM_LEN_LO		0x0b0
#define VIRTIO_MMIO_SHM_LEN_HI		0x0b4
#define VIRTIO_MMIO_CONFIG_GEN		0x0fc
#define VIRTIO_MMIO_CONFIG		0x100	/* device-specific config space */

#define VIRTIO_MMIO_MAGIC_VALUE		0x74726976	/* "virt" */
#define VIRTIO_MMIO_VERSION_MODERN	2

/* ---- device status ---- */

#define VIRTIO_STATUS_ACKNOWLEDGE	1
#define VIRTIO_STATUS_DRIVER		2
#define VIRTIO_STATUS_DRIVER_OK		4
#define VIRTIO_STATUS_FEATURES_OK	8
#define VIRTIO_STATUS_NEEDS_RESET	64
#define VIRTIO_STATUS_FAILED		128

/* ---- InterruptStatus ---- */

#define VIRTIO_INT_USED		1
#define VIRTIO_INT_CONFIG	2

/* ---- feature bits ---- */

#define VIRTIO_F_VERSION_1	32

/* ---- split virtqueues ---- */

/* Descriptor flags. */
#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2
#define VRING_DESC_F_INDIRECT	4
/* avail->flags: the driver does not want an interrupt. */
#define VRING_AVAIL_F_NO_INTERRUPT	1

/** One descriptor of a split virtqueue's descriptor table (little-endian). */
struct vring_desc {
	uint64_t addr;			/* guest-physical address of the buffer */
	uint32_t len;
	uint16_t flags;			/* VRING_DESC_F_* */
	uint16_t next;			/* with VRING_DESC_F_NEXT: the next one */
};

#endif /* ZVM_VIRTIO_REGS_H */
