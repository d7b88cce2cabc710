/* SPDX-License-Identifier: MIT */
/*
 * zvm as a virtio-mmio *driver*: the first virtio console device (DeviceID 3)
 * of the host devicetree, e.g. QEMU's `-device virtio-serial-device` with a
 * `virtconsole` port on a socket. Port 0 only (no MULTIPORT): a byte pipe to
 * the PC. Its rings live in host memory; receive is interrupt driven.
 *
 * Ownership: one thread (the management agent) calls vser_read/vser_write;
 * the interrupt handler only acknowledges the device and gives the semaphore
 * vser_wait() sleeps on. Nothing here ever waits for the PC: output a full
 * transmit ring cannot take within the caller's timeout is dropped.
 */
#ifndef ZVM_VIRTIO_SERIAL_H
#define ZVM_VIRTIO_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <zvm/kernel.h>

/* The most one vser_write() takes: the whole transmit ring. */
#define VSER_TX_MAX (16 * 1024)

/**
 * Find the device in the devicetree fdt, set it up and enable its
 * interrupt on `cpu`. Returns 0, or K_EINVAL with a message in err (no
 * such device, or it refused the features or queues).
 */
int vser_init(const void *fdt, int cpu, char *err, size_t errlen);
/** Where the device is, e.g. "virtio-mmio@0xa003e00 irq 78"; "" before vser_init. */
const char *vser_where(void);
/** The transport's physical address and INTID (after a successful vser_init). */
void vser_location(uint64_t *base, int *intid);
/** Copy up to len received bytes into buf without waiting; returns how many. */
size_t vser_read(void *buf, size_t len);
/** Sleep until the device signals (new input), vser_kick or timeout; 0 or K_EAGAIN. */
int vser_wait(k_timeout_t timeout);
/** Wake vser_wait as the device's interrupt does (any thread or ISR, after vser_init). */
void vser_kick(void);
/**
 * Queue len bytes (at most VSER_TX_MAX) for the PC, all or nothing: waits
 * at most timeout (K_NO_WAIT or a bounded time) for room in the transmit
 * ring. Returns len, or 0 when they were dropped.
 */
size_t vser_write(const void *buf, size_t len, k_timeout_t timeout);
/** Bytes dropped so far because the transmit ring stayed full. */
uint64_t vser_dropped(void);

#endif /* ZVM_VIRTIO_SERIAL_H */
