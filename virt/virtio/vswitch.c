/* SPDX-License-Identifier: MIT */
/*
 * The virtual Ethernet switch inside zvm: every virtio-net device is a
 * port. Source MACs are learned per port; a frame to a known unicast MAC
 * goes to its port, anything else (broadcast, multicast, unknown) is
 * flooded to every other port. A port that has no receive buffer drops
 * the frame, as a real NIC would.
 *
 * Lock order: vmm_lock → sw_lock → a device's lock. A sending device
 * releases its own lock before it forwards (virtio_net.c), so two VMs
 * sending to each other never hold each other's locks.
 */
#include <string.h>
#include <zvm/kernel.h>
#include <zvm/vswitch.h>

#define MAC_TABLE 64

struct mac_entry {
	uint8_t mac[6];
	int port; /* -1: free */
};

static struct vswitch_port *ports[VSWITCH_PORTS];
static struct mac_entry table[MAC_TABLE];
static unsigned next_victim;
static struct k_mutex sw_lock;
static bool sw_ready;

static void sw_init_once(void)
{
	/* The first call comes from vm_setup under vmm_lock: no race. */
	if (sw_ready)
		return;
	k_mutex_init(&sw_lock);
	for (int i = 0; i < MAC_TABLE; i++)
		table[i].port = -1;
	sw_ready = true;
}

int vswitch_attach(struct vswitch_port *p)
{
	int ret = K_ENOMEM;

	sw_init_once();
	k_mutex_lock(&sw_lock, K_FOREVER);
	for (int i = 0; i < VSWITCH_PORTS; i++) {
		if (!ports[i]) {
			ports[i] = p;
			p->index = i;
			ret = 0;
			break;
		}
	}
	k_mutex_unlock(&sw_lock);
	return ret;
}

void vswitch_detach(struct vswitch_port *p)
{
	if (p->index < 0)
		return; /* never attached */
	k_mutex_lock(&sw_lock, K_FOREVER);
	ports[p->index] = NULL;
	for (int i = 0; i < MAC_TABLE; i++)
		if (table[i].port == p->index)
			table[i].port = -1;
	p->index = -1;
	k_mutex_unlock(&sw_lock);
}

static struct mac_entry *lookup(const uint8_t *mac)
{
	for (int i = 0; i < MAC_TABLE; i++)
		if (table[i].port >= 0 && !memcmp(table[i].mac, mac, 6))
			return &table[i];
	return NULL;
}

/* Remember that `mac` is behind port; a full table replaces entries in turn. */
static void learn(const uint8_t *mac, int port)
{
	struct mac_entry *e = lookup(mac);

	if (mac[0] & 1) /* a group address is never a source */
		return;
	if (!e) {
		for (int i = 0; i < MAC_TABLE && !e; i++)
			if (table[i].port < 0)
				e = &table[i];
		if (!e)
			e = &table[next_victim++ % MAC_TABLE];
		memcpy(e->mac, mac, 6);
	}
	e->port = port;
}

void vswitch_send(struct vswitch_port *from, const uint8_t *frame, size_t len)
{
	struct mac_entry *dst;

	if (len < 14)
		return; /* not even an Ethernet header */
	k_mutex_lock(&sw_lock, K_FOREVER);
	learn(frame + 6, from->index);
	dst = (frame[0] & 1) ? NULL : lookup(frame);
	if (dst && dst->port != from->index && ports[dst->port]) {
		ports[dst->port]->deliver(ports[dst->port], frame, len);
	} else if (!dst) {
		for (int i = 0; i < VSWITCH_PORTS; i++)
			if (ports[i] && i != from->index)
				ports[i]->deliver(ports[i], frame, len);
	}
	k_mutex_unlock(&sw_lock);
}
