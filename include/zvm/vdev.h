/*
 * The MMIO bus of a VM: a small registry of emulated regions. A guest's
 * data abort on an address in a region becomes one mmio_access (decoded by
 * arch_dabort_decode(), arch/abort.h) handed to that region's handler.
 * Every virtual device registers here.
 */
#ifndef ZVM_VDEV_H
#define ZVM_VDEV_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vcpu;

/** One decoded guest load or store. */
struct mmio_access {
	uint64_t ipa;		/* guest-physical address accessed */
	uint64_t offset;	/* ipa - region base, filled by the dispatcher */
	unsigned size;		/* 1, 2, 4 or 8 bytes */
	bool write;
	bool sign_extend;	/* loads: sign-extend into the register */
	bool reg64;		/* loads: the target is an X (not W) register */
	int reg;		/* general register number, 31 = xzr */
	uint64_t value;		/* write: the stored value; read: set by the handler */
};

struct vdev;

/** Return 0 when handled; anything else is a fault for the guest. */
typedef int (*vdev_access_fn)(struct vcpu *vcpu, struct vdev *dev,
			      struct mmio_access *acc);

struct vdev {
	const char *name;
	uint64_t base;
	uint64_t size;
	vdev_access_fn access;
	void *priv;
};

#define VM_MAX_VDEVS	16

/** Add a region to vm's bus; K_EINVAL if it overlaps another, K_ENOMEM if full. */
int vdev_register(struct vm *vm, const struct vdev *dev);
/** Remove every region whose priv is `priv`. */
void vdev_unregister_priv(struct vm *vm, void *priv);
/** Find the region of acc->ipa and call it; K_EINVAL when no region covers it. */
int vdev_dispatch(struct vcpu *vcpu, struct mmio_access *acc);

#endif /* ZVM_VDEV_H */
