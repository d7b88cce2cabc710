/* SPDX-License-Identifier: MIT */
/*
 * The virtual Ethernet switch connecting the virtio-net devices of all VMs
 * (virt/virtio/vswitch.c): MAC learning, flooding of broadcast, multicast
 * and unknown destinations.
 */
#ifndef ZVM_VSWITCH_H
#define ZVM_VSWITCH_H

#include <stddef.h>
#include <stdint.h>

#define VSWITCH_PORTS 8

struct vswitch_port {
	int index;
	/** Hand one frame to this port's guest (called with the switch lock held). */
	void (*deliver)(struct vswitch_port *p, const uint8_t *frame, size_t len);
};

/** Connect a port; 0, or K_ENOMEM when every port is taken. */
int vswitch_attach(struct vswitch_port *p);
/** Disconnect it and forget the MACs learned on it. */
void vswitch_detach(struct vswitch_port *p);
/** Forward a frame sent by `from` (not called with any device lock held). */
void vswitch_send(struct vswitch_port *from, const uint8_t *frame, size_t len);

#endif /* ZVM_VSWITCH_H */
