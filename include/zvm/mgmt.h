/* SPDX-License-Identifier: MIT */
/*
 * The management agent (docs/management.md): a low-priority host thread
 * that answers the framed protocol of zvm/mgmt_proto.h on the virtio
 * console channel (zvm/virtio_serial.h), so that zvmctl and the dashboard
 * on the PC can run everything the `zvm` shell does, push images and
 * configs, read statistics and start the built-in tests.
 */
#ifndef ZVM_MGMT_H
#define ZVM_MGMT_H

#include <stdint.h>

/** The agent's thread priority: below the shell (14), above nothing that matters. */
#define MGMT_PRIO K_PRIO_PREEMPT(20)
/** The CPU it runs on and takes the channel's interrupt on: the host's own CPU. */
#define MGMT_CPU  0

/**
 * Find the channel, print how to reach it and the access token, and start
 * the agent thread. Without a channel it says so and zvm carries on.
 */
void mgmt_start(void);

#endif /* ZVM_MGMT_H */
