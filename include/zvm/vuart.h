/* SPDX-License-Identifier: MIT */
/*
 * The emulated PL011 of each VM. Guest output goes to the host console:
 * line by line, each line prefixed with "[<vm name>] ", or raw while the
 * user is attached to that VM with `zvm look` (then other VMs' lines are
 * kept in their logs, not shown). Input comes from `zvm look`.
 */
#ifndef ZVM_VUART_H
#define ZVM_VUART_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

#define VUART_BASE  0x09000000ul
#define VUART_INTID 33 /* SPI 1 */

int vuart_init(struct vm *vm);
void vuart_destroy(struct vm *vm);
/** Queue one byte of input for the guest; false when its FIFO is full. */
bool vuart_input(struct vm *vm, uint8_t byte);
/**
 * A partial line (a prompt) that has waited after_ms for its newline is
 * printed as it is, prefixed; the rest of it follows on its own line.
 */
void vuart_flush_stale(struct vm *vm, uint64_t after_ms);
/**
 * Send the VM's output raw to the console (attached) or line-prefixed;
 * prefixed lines are not shown while another VM is attached
 * (console_write_aside), only kept in its log.
 */
void vuart_attach(struct vm *vm, bool attached);
/** How many of its lines were not shown while another VM was attached, since last asked. */
unsigned vuart_held_take(struct vm *vm);

#endif /* ZVM_VUART_H */
