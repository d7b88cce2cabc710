/* SPDX-License-Identifier: MIT */
/*
 * The virtio devices of one VM: made from vm->cfg.virtio when the VM is
 * built (vm_setup) and removed when it is torn down, so that a reset gives
 * the guest fresh devices (a disk keeps its contents: it lives in host
 * memory, not in the device).
 */
#include <zvm/errmsg.h>
#include <zvm/virtio.h>
#include <zvm/vm.h>

static struct virtio_dev *create(struct vm *vm, const struct virtio_cfg *c, char *err, size_t len)
{
	if (c->type == VIRTIO_TYPE_CONSOLE)
		return virtio_console_create(vm, c, err, len);
	if (c->type == VIRTIO_TYPE_BLOCK)
		return virtio_blk_create(vm, c, err, len);
	if (c->type == VIRTIO_TYPE_NET)
		return virtio_net_create(vm, c, err, len);
	errmsg(err, len, "virtio device type %d is not supported", c->type);
	return NULL;
}

int virtio_vm_init(struct vm *vm, char *err, size_t len)
{
	for (int i = 0; i < vm->cfg.nr_virtio && i < VM_MAX_VIRTIO; i++) {
		vm->virtio[i] = create(vm, &vm->cfg.virtio[i], err, len);
		if (!vm->virtio[i])
			return K_EINVAL;
	}
	return 0;
}

void virtio_vm_destroy(struct vm *vm)
{
	for (int i = 0; i < VM_MAX_VIRTIO; i++) {
		if (vm->virtio[i])
			virtio_mmio_destroy(vm->virtio[i]);
		vm->virtio[i] = NULL;
	}
}
