/*
 * The MMIO bus of a VM (include/zvm/vdev.h): a short array of regions
 * searched linearly, and the decoder of data-abort syndromes.
 *
 * The registry changes only while no vCPU of the VM runs (VM creation,
 * reset and deletion), so dispatch reads it without a lock.
 */
#include <zvm/kernel.h>
#include <zvm/vdev.h>
#include <zvm/vm.h>

/* Data abort ISS (ESR_ELx bits [24:0]). */
#define ISS_ISV		(1u << 24)	/* bits [23:14] are valid */
#define ISS_SAS_SHIFT	22		/* access size: 1 << SAS bytes */
#define ISS_SAS_MASK	0x3u
#define ISS_SSE		(1u << 21)	/* sign-extending load */
#define ISS_SRT_SHIFT	16		/* transfer register */
#define ISS_SRT_MASK	0x1fu
#define ISS_SF		(1u << 15)	/* 64-bit register */
#define ISS_WNR		(1u << 6)	/* write */

/* Does [base, base+size) meet dev? Sizes are non-zero; a region may end at 2^64. */
static bool vdev_overlaps(const struct vdev *dev, uint64_t base, uint64_t size)
{
	return base <= dev->base + (dev->size - 1) && dev->base <= base + (size - 1);
}

int vdev_register(struct vm *vm, const struct vdev *dev)
{
	if (!dev->size || !dev->access || dev->base + dev->size - 1 < dev->base)
		return K_EINVAL;
	for (int i = 0; i < vm->nr_vdevs; i++)
		if (vdev_overlaps(&vm->vdevs[i], dev->base, dev->size))
			return K_EINVAL;
	if (vm->nr_vdevs == VM_MAX_VDEVS)
		return K_ENOMEM;
	vm->vdevs[vm->nr_vdevs++] = *dev;
	return 0;
}

void vdev_unregister_priv(struct vm *vm, void *priv)
{
	int kept = 0;

	for (int i = 0; i < vm->nr_vdevs; i++)
		if (vm->vdevs[i].priv != priv)
			vm->vdevs[kept++] = vm->vdevs[i];
	vm->nr_vdevs = kept;
}

static struct vdev *vdev_find(struct vm *vm, uint64_t ipa, unsigned size)
{
	for (int i = 0; i < vm->nr_vdevs; i++) {
		struct vdev *dev = &vm->vdevs[i];

		if (ipa >= dev->base && ipa - dev->base < dev->size)
			return size <= dev->size - (ipa - dev->base) ? dev : NULL;
	}
	return NULL;
}

int vdev_dispatch(struct vcpu *vcpu, struct mmio_access *acc)
{
	struct vdev *dev = vdev_find(vcpu->vm, acc->ipa, acc->size);

	if (!dev)
		return K_EINVAL;
	acc->offset = acc->ipa - dev->base;
	if (acc->write && acc->size < 8)
		acc->value &= (1ull << (8 * acc->size)) - 1;
	return dev->access(vcpu, dev, acc);
}

int mmio_decode(uint64_t esr, uint64_t ipa, struct mmio_access *acc)
{
	if (!(esr & ISS_ISV))
		return K_EINVAL;
	*acc = (struct mmio_access){
		.ipa = ipa,
		.size = 1u << ((esr >> ISS_SAS_SHIFT) & ISS_SAS_MASK),
		.write = (esr & ISS_WNR) != 0,
		.sign_extend = (esr & ISS_SSE) != 0,
		.reg64 = (esr & ISS_SF) != 0,
		.reg = (esr >> ISS_SRT_SHIFT) & ISS_SRT_MASK,
	};
	return 0;
}
