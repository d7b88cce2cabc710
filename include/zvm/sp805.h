/* SPDX-License-Identifier: MIT */
/*
 * The emulated Arm SP805 watchdog of a VM that asks for one (a template's
 * "arm,sp805" device). Its counter runs on the guest's clock (it stands
 * still while the VM is paused) at the 24 MHz APB clock of the guest DTB.
 * The first time it reaches zero it raises its interrupt and reloads; the
 * second time, with the interrupt not cleared and reset enabled, the VM has
 * hung: the watchdog poller of the VMM (virt/vmm.c) asks sp805_expired()
 * and answers by the VM's on-watchdog policy.
 */
#ifndef ZVM_SP805_H
#define ZVM_SP805_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

#define SP805_FRAME_SIZE 0x1000u

/** Give vm its watchdog if its config has one (cfg.wdt_base); 0 or K_ENOMEM. */
int sp805_init(struct vm *vm);
/** Remove it (nothing if it has none). */
void sp805_destroy(struct vm *vm);
/**
 * Has vm's watchdog run out (a second expiry with reset enabled)? True once
 * per expiry, with its timeout in ms in *timeout_ms. Raises or lowers the
 * interrupt line to match the counter. The VMM, holding vmm_lock.
 */
bool sp805_expired(struct vm *vm, uint32_t *timeout_ms);

#endif /* ZVM_SP805_H */
