/*
 * The MMIO bus of a VM (include/zvm/vdev.h): a short array of regions
 * searched linearly. The data-abort syndromes that become its accesses are
 * decoded by the arch (arch/arm64/virt/abort.c).
 *
 * The registry changes only while no vCPU of the VM runs (VM creation,
 * reset and deletion), so dispatch reads it without a lock.
 */
#include <zvm/kernel.h>
#include <zvm/vdev.h>
#include <zvm/vm.h>

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
