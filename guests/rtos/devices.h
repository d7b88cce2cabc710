/* SPDX-License-Identifier: MIT */
/* Devices the RTOS guest drives itself (passed through by zvm: docs/passthrough.md). */
#ifndef RTOS_DEVICES_H
#define RTOS_DEVICES_H

#include <stdint.h>

/**
 * The first node of the guest DTB compatible with `compat`: its registers mapped
 * (the address, or 0 if there is none) and its first interrupt in *intid (-1: none).
 */
uintptr_t rtos_device_map(const char *compat, int *intid);

#endif /* RTOS_DEVICES_H */
