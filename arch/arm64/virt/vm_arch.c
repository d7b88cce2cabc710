/* SPDX-License-Identifier: MIT */
/* The arch part of a VM and what its vCPUs take from it (arch/vm.h, arch/vcpu.h). */
#include <arch/stage2.h>
#include <arch/vcpu.h>
#include <arch/vm.h>

void vm_arch_init(struct vm_arch *vm, const struct vmem *s2, uint16_t vmid)
{
	vm->vttbr = arch_s2_vttbr(s2, vmid);
	vm->vtcr = arch_s2_vtcr();
}

void vcpu_arch_init(struct vcpu_arch *ctx, const struct vm_arch *vm)
{
	ctx->vttbr = vm->vttbr;
	ctx->vtcr = vm->vtcr;
	ctx->cntvoff = vm->cntvoff;
}

void vcpu_arch_set_cntvoff(struct vcpu_arch *ctx, uint64_t cntvoff)
{
	ctx->cntvoff = cntvoff;
}
