/*
 * virtio devices emulated inside zvm: the virtio-mmio transport (modern
 * interface only, Version 2) on the VM's MMIO bus, and the devices behind
 * it (virt/virtio/). A device that finds its rings malformed sets
 * DEVICE_NEEDS_RESET, raises the configuration-change interrupt, logs one
 * line naming the VM and the fault, and ignores its queues until the
 * driver resets it.
 *
 * Lock order: vmm_lock → a device's lock (a mutex) → vGIC locks.
 */
#ifndef ZVM_VIRTIO_H
#define ZVM_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zvm/kernel.h>
#include <zvm/virtio_config.h>
#include <zvm/virtio_regs.h>
#include <zvm/virtqueue.h>

struct vm;

#define VIRTIO_MAX_QUEUES	2

struct virtio_dev;

/** What a device adds to the transport. */
struct virtio_ops {
	const char *name;		/* "console", "blk" */
	uint32_t device_id;
	int nr_queues;
	uint64_t features;		/* offered besides VIRTIO_F_VERSION_1 */
	/** Read `size` bytes of the device config space at off (in range). */
	uint64_t (*config_read)(struct virtio_dev *d, uint64_t off, unsigned size);
	/** Queue q has new buffers; 0, or K_EINVAL with err (the ring is bad). */
	int (*notify)(struct virtio_dev *d, int q, char *err, size_t len);
	/** The driver reset the device (status 0). */
	void (*reset)(struct virtio_dev *d);
	/** Free priv; the device is being removed. */
	void (*destroy)(struct virtio_dev *d);
};

struct virtio_dev {
	struct vm *vm;
	const struct virtio_ops *ops;
	void *priv;
	uint64_t base;
	uint32_t intid;
	uint64_t config_size;
	struct k_mutex lock;		/* registers, queues, device state */
	uint32_t status;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint64_t driver_features;
	uint32_t isr;			/* InterruptStatus */
	bool irq_level;
	bool broken;			/* NEEDS_RESET: queues ignored until reset */
	struct virtqueue vq[VIRTIO_MAX_QUEUES];
	struct vq_chain chain;		/* the chain being served */
};

/** Create every virtio device of vm->cfg; 0, or K_EINVAL/K_ENOMEM with err. */
int virtio_vm_init(struct vm *vm, char *err, size_t len);
/** Remove and free them (their disks become free for other VMs). */
void virtio_vm_destroy(struct vm *vm);

/* ---- for the devices (virt/virtio/virtio_mmio.c) ---- */

/** Make a device and put it on vm's MMIO bus; NULL with err on failure. */
struct virtio_dev *virtio_mmio_create(struct vm *vm, const struct virtio_cfg *cfg,
				      const struct virtio_ops *ops, void *priv,
				      uint64_t config_size, char *err, size_t len);
/** Take it off the bus and free it (calls ops->destroy). */
void virtio_mmio_destroy(struct virtio_dev *d);
/** The device is ready for buffers: driver OK, not broken. */
bool virtio_live(const struct virtio_dev *d);
/** Chain head of queue q is done (`written` bytes); flags the used interrupt. */
int virtio_used(struct virtio_dev *d, int q, uint16_t head, uint32_t written, char *err,
		size_t len);
/** The ring is bad: NEEDS_RESET, config interrupt, one log line with why. */
void virtio_fail(struct virtio_dev *d, const char *why);
/** Raise or lower the interrupt line to match InterruptStatus (lock held). */
void virtio_update_irq(struct virtio_dev *d);

/* ---- the console (virt/virtio/virtio_console.c) ---- */

struct virtio_dev *virtio_console_create(struct vm *vm, const struct virtio_cfg *cfg,
					 char *err, size_t len);
/** Queue a byte from the host for the guest; false when the buffer is full. */
bool virtio_console_input(struct vm *vm, uint8_t byte);
/** Raw output to the host console (attached) or `[name:hvc] ` lines. */
void virtio_console_attach(struct vm *vm, bool attached);
/** Whether vm has a virtio console. */
bool virtio_console_present(struct vm *vm);

/* ---- the block device (virt/virtio/virtio_blk.c) ---- */

struct virtio_dev *virtio_blk_create(struct vm *vm, const struct virtio_cfg *cfg,
				     char *err, size_t len);

/* ---- the network device (virt/virtio/virtio_net.c, vswitch.c) ---- */

struct virtio_dev *virtio_net_create(struct vm *vm, const struct virtio_cfg *cfg,
				     char *err, size_t len);

#endif /* ZVM_VIRTIO_H */
