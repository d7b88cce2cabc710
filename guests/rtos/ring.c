/* SPDX-License-Identifier: MIT */
/*
 * Shared memory with other VMs, as the RTOS guest sees it: the "zvm,shmem"
 * nodes of its devicetree (zvm/shm.h), each holding a pair of SPSC message
 * rings (zvm/shm_ring.h), and the region's doorbell interrupt waking the
 * receiver. Commands: `shm` lists the regions, `ring` sends, receives,
 * echoes and measures round trips.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libfdt.h>
#include <zvm/fdt_util.h>
#include <zvm/arch.h>
#include <zvm/kernel.h>
#include <zvm/platform.h>
#include <zvm/shell.h>
#include <zvm/shm_ring.h>
#include <arch/mmu.h>

#define MAX_SHM         4
#define PING_MAX        10000
#define PING_LEN        64
#define RECV_TIMEOUT_MS 5000

struct guest_shm {
	char name[16];
	uint64_t pa, size;
	int intid;
	int peer;
	bool read_only;
	volatile uint32_t *base; /* the region, mapped */
	volatile uint32_t *bell;
	struct shm_ring_pair ring;
	struct k_sem rx; /* given by the doorbell interrupt */
	volatile uint64_t irqs;
};

static struct guest_shm shms[MAX_SHM];
static int nr_shm;
static bool probed;
static uint64_t rtt[PING_MAX]; /* ticks, for `ring ping` */

static void doorbell_irq(int intid, void *arg)
{
	(void)intid;
	struct guest_shm *s = arg;

	s->irqs++;
	k_sem_give(&s->rx);
}

/* One node: map the region and its doorbell, hook the interrupt. */
static void probe_node(const void *fdt, int node)
{
	struct guest_shm *s = &shms[nr_shm];
	int plen;
	const fdt32_t *peer = fdt_getprop(fdt, node, "zvm,peer-index", &plen);
	const char *name = fdt_getprop(fdt, node, "zvm,name", NULL);
	uint64_t bell_pa, bell_size;
	uintptr_t va, bell;

	s->intid = fdt_node_intid(fdt, node, 0);
	if (fdt_node_reg(fdt, node, 0, &s->pa, &s->size) ||
	    fdt_node_reg(fdt, node, 1, &bell_pa, &bell_size) || s->intid < 0 || !peer ||
	    plen != 4 || !name) {
		printf("shm: malformed node %s\n", fdt_get_name(fdt, node, NULL));
		return;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->peer = (int)fdt32_to_cpu(*peer);
	s->read_only = fdt_getprop(fdt, node, "read-only", NULL) != NULL;
	/* Device memory, as Linux maps it through /dev/mem: both sides uncached. */
	va = mmu_map_device(s->pa, s->size);
	bell = mmu_map_device(bell_pa, bell_size);
	if (!va || !bell ||
	    shm_ring_pair_init(&s->ring, (volatile void *)va, s->size, s->peer) != 0) {
		printf("shm: cannot use region %s\n", s->name);
		return;
	}
	s->base = (volatile uint32_t *)va;
	s->bell = (volatile uint32_t *)bell;
	k_sem_init(&s->rx, 0, 1);
	irq_connect(s->intid, doorbell_irq, s);
	irq_set_edge(s->intid);
	irq_enable(s->intid, 0);
	nr_shm++;
}

static void shm_probe(void)
{
	const void *fdt = platform.fdt;
	int node = -1;

	if (probed)
		return;
	probed = true;
	while (nr_shm < MAX_SHM &&
	       (node = fdt_node_offset_by_compatible(fdt, node, "zvm,shmem")) >= 0)
		probe_node(fdt, node);
}

static struct guest_shm *shm_named(const char *name)
{
	shm_probe();
	for (int i = 0; i < nr_shm; i++) {
		if (!strcmp(shms[i].name, name))
			return &shms[i];
	}
	printf("error: no shared-memory region '%s' (%d regions: see shm)\n", name, nr_shm);
	return NULL;
}

static int cmd_shm(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		puts("error: shm takes no arguments\nusage: shm");
		return 1;
	}
	shm_probe();
	for (int i = 0; i < nr_shm; i++) {
		const struct guest_shm *s = &shms[i];

		printf("%s 0x%lx %lu %s peer %d irq %d doorbells %lu\n", s->name,
		       (unsigned long)s->pa, (unsigned long)s->size, s->read_only ? "ro" : "rw",
		       s->peer, s->intid, (unsigned long)s->irqs);
	}
	if (!nr_shm)
		puts("no shared memory");
	return 0;
}

SHELL_CMD(shm, cmd_shm, "", "list the shared-memory regions zvm gave this VM");

/* ---- the rings ---- */

static int send_msg(struct guest_shm *s, const void *msg, size_t len)
{
	int ret = shm_ring_send(&s->ring, msg, len);

	if (ret == 0)
		*s->bell = 1;
	return ret;
}

/* Wait up to timeout (or K_FOREVER) for one message; its length, or a negative error. */
static int recv_msg(struct guest_shm *s, void *buf, size_t len, k_timeout_t timeout)
{
	bool forever = timeout == K_FOREVER;
	uint64_t deadline = k_cycle_get() + (forever ? 0 : (uint64_t)timeout);

	for (;;) {
		int ret = shm_ring_recv(&s->ring, buf, len);
		uint64_t now = k_cycle_get();

		if (ret != SHM_RING_EEMPTY || (!forever && now >= deadline))
			return ret;
		k_sem_take(&s->rx, forever ? K_FOREVER : (k_timeout_t)(deadline - now));
	}
}

/* Sending and receiving both write the ring (head or tail). */
static bool writable(const struct guest_shm *s)
{
	if (s->read_only)
		printf("error: %s is read-only for this VM\n", s->name);
	return !s->read_only;
}

static int ring_send(struct guest_shm *s, const char *text)
{
	int ret;

	if (!writable(s))
		return 1;
	ret = send_msg(s, text, strlen(text));
	if (ret)
		printf("error: %s: cannot send (%s)\n", s->name, shm_ring_strerror(ret));
	return ret ? 1 : 0;
}

static int ring_recv(struct guest_shm *s, unsigned timeout_ms)
{
	char buf[SHM_RING_MSG_MAX + 1];
	int n;

	if (!writable(s))
		return 1;
	n = recv_msg(s, buf, SHM_RING_MSG_MAX, K_MSEC(timeout_ms));
	if (n < 0) {
		if (n == SHM_RING_EEMPTY)
			printf("error: %s: no message within %u ms\n", s->name, timeout_ms);
		else
			printf("error: %s: %s\n", s->name, shm_ring_strerror(n));
		return 1;
	}
	buf[n] = '\0';
	printf("ring: %s: %s\n", s->name, buf);
	return 0;
}

static int ring_echo(struct guest_shm *s, unsigned count)
{
	char buf[SHM_RING_MSG_MAX];

	if (!writable(s))
		return 1;
	for (unsigned i = 0; i < count; i++) {
		/* The first message may take its time: the other side starts later. */
		int n = recv_msg(s, buf, sizeof(buf), i ? K_MSEC(RECV_TIMEOUT_MS) : K_FOREVER);

		while (n >= 0 && send_msg(s, buf, (size_t)n) == SHM_RING_EFULL)
			k_yield();
		if (n < 0) {
			printf("error: %s: echo stopped after %u messages (%s)\n", s->name, i,
			       shm_ring_strerror(n));
			return 1;
		}
	}
	printf("ring: echoed %u messages\n", count);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One round trip: a numbered message out, the same back. */
static int ping_once(struct guest_shm *s, uint32_t seq, uint64_t *ticks)
{
	uint8_t out[PING_LEN] = { 0 }, in[SHM_RING_MSG_MAX];
	uint64_t t0 = k_cycle_get();
	int n;

	memcpy(out, &seq, sizeof(seq));
	if (send_msg(s, out, sizeof(out)))
		return 1;
	n = recv_msg(s, in, sizeof(in), K_MSEC(RECV_TIMEOUT_MS));
	*ticks = k_cycle_get() - t0;
	if (n != PING_LEN || memcmp(in, out, PING_LEN)) {
		printf("error: %s: round trip %u: %s\n", s->name, seq,
		       n < 0 ? shm_ring_strerror(n) : "a different message came back");
		return 1;
	}
	return 0;
}

static int ring_ping(struct guest_shm *s, unsigned count)
{
	uint64_t sum = 0;

	if (!writable(s))
		return 1;
	if (count > PING_MAX) {
		printf("error: at most %d round trips\n", PING_MAX);
		return 1;
	}
	for (unsigned i = 0; i < count; i++) {
		if (ping_once(s, i, &rtt[i]))
			return 1;
		sum += rtt[i];
	}
	qsort(rtt, count, sizeof(rtt[0]), cmp_u64);
	printf("ping: %u round trips, mean %lu ns, p99 %lu ns, max %lu ns\n", count,
	       (unsigned long)k_ticks_to_ns(sum / count),
	       (unsigned long)k_ticks_to_ns(rtt[(count * 99 + 99) / 100 - 1]),
	       (unsigned long)k_ticks_to_ns(rtt[count - 1]));
	return 0;
}

/* A store into the region itself: a read-only grant makes it fault. */
static int ring_poke(struct guest_shm *s)
{
	volatile uint32_t *word = s->base;

	printf("ring: writing into %s at 0x%lx\n", s->name, (unsigned long)s->pa);
	*word = *word;
	printf("ring: the write to %s went through\n", s->name);
	return 0;
}

static int ring_pending(struct guest_shm *s)
{
	printf("ring: %s: %u messages pending\n", s->name, (unsigned)shm_ring_pending(&s->ring));
	return 0;
}

/* N: a count of 1..1000000. */
static bool parse_count(const char *arg, unsigned *count)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v == 0 || v > 1000000)
		return false;
	*count = (unsigned)v;
	return true;
}

enum ring_op_id { OP_SEND, OP_RECV, OP_ECHO, OP_PING, OP_PENDING, OP_POKE };

static const struct ring_op {
	const char *name;
	int min_argc, max_argc; /* with "ring" and the op */
	bool counted;           /* its last argument is a count (or ms) */
} ring_ops[] = {
	[OP_SEND] = { "send", 4, 4, false },       [OP_RECV] = { "recv", 3, 4, true },
	[OP_ECHO] = { "echo", 4, 4, true },        [OP_PING] = { "ping", 4, 4, true },
	[OP_PENDING] = { "pending", 3, 3, false }, [OP_POKE] = { "poke", 3, 3, false },
};

static int ring_run(enum ring_op_id op, struct guest_shm *s, char **argv, unsigned n)
{
	switch (op) {
	case OP_SEND:
		return ring_send(s, argv[3]);
	case OP_RECV:
		return ring_recv(s, n);
	case OP_ECHO:
		return ring_echo(s, n);
	case OP_PING:
		return ring_ping(s, n);
	case OP_PENDING:
		return ring_pending(s);
	default:
		return ring_poke(s);
	}
}

#define RING_USAGE                                                       \
	"send NAME TEXT | recv NAME [MS] | echo NAME N | ping NAME N | " \
	"pending NAME | poke NAME"

static int cmd_ring(int argc, char **argv)
{
	unsigned n = RECV_TIMEOUT_MS;
	struct guest_shm *s;

	for (size_t i = 0; argc >= 3 && i < sizeof(ring_ops) / sizeof(ring_ops[0]); i++) {
		const struct ring_op *op = &ring_ops[i];

		if (strcmp(argv[1], op->name))
			continue;
		if (argc < op->min_argc || argc > op->max_argc ||
		    (op->counted && argc == 4 && !parse_count(argv[3], &n)))
			break;
		s = shm_named(argv[2]);
		return s ? ring_run((enum ring_op_id)i, s, argv, n) : 1;
	}
	puts("error: bad arguments\nusage: ring " RING_USAGE);
	return 1;
}

SHELL_CMD(ring, cmd_ring, RING_USAGE, "messages over a shared-memory ring with another VM");
