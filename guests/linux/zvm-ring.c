/*
 * zvm-ring: messages between this Linux guest and other VMs over zvm's
 * shared-memory rings (include/zvm/shm_ring.h, docs/shared-memory.md).
 * Installed as /usr/bin/zvm-ring in the initramfs (scripts/linux-guest.sh).
 *
 * zvm describes each region granted to this VM in the devicetree: a node
 * with compatible "zvm,shmem", reg = <region>, <doorbell page>, zvm,name,
 * zvm,peer-index and, for a read-only grant, read-only. The tool finds the
 * nodes under /sys/firmware/devicetree/base and maps the region and its
 * doorbell through /dev/mem, where they are Device memory (uncached):
 * lib/shm_ring.c touches them only with aligned 32-bit accesses.
 *
 * The Debian kernel has no uio_pdrv_genirq, so user space cannot take the
 * doorbell interrupt: receiving polls the ring. Sending rings the doorbell,
 * which wakes a peer that does take the interrupt (the RTOS guest).
 *
 * For tests off target, ZVM_RING_DT names another devicetree directory and
 * ZVM_RING_MEM a file to map instead of /dev/mem (offset = address).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zvm/shm_ring.h>
#include "arch/cpu.h"

#define DT_BASE		"/sys/firmware/devicetree/base"
#define MEM_DEV		"/dev/mem"
#define MAX_REGIONS	16
#define MAX_DEPTH	4		/* how deep below the root to look for nodes */
#define NAME_MAX_LEN	64
#define PING_LEN	64
#define PING_MAX	1000000u
#define ECHO_MAX	1000000000u
#define RECV_TIMEOUT	5000u		/* ms: recv and ping, per message */
#define ECHO_TIMEOUT	60000u		/* ms: echo, per message */

struct region {
	char name[NAME_MAX_LEN];
	char node[PATH_MAX];
	uint64_t addr, size;
	uint64_t bell_addr, bell_size;
	int peer;
	bool ro;
	/* Once opened: */
	struct shm_ring_pair ring;
	volatile uint32_t *bell;
};

static struct region regions[MAX_REGIONS];
static int nr_regions;

static void verr(const char *fmt, va_list ap)
{
	fputs("zvm-ring: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

__attribute__((format(printf, 1, 2)))
static void err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
}

#define USAGE \
	"usage: zvm-ring list\n" \
	"       zvm-ring send NAME TEXT\n" \
	"       zvm-ring recv NAME [TIMEOUT_MS]\n" \
	"       zvm-ring echo NAME COUNT [TIMEOUT_MS]\n" \
	"       zvm-ring ping NAME COUNT [TIMEOUT_MS]\n" \
	"       zvm-ring pending NAME\n"

static const char *help_text = USAGE
	"Messages (at most 252 bytes) to and from other VMs over zvm's shared-memory\n"
	"rings. list: NAME ADDR SIZE rw|ro peer P per region. recv prints one message;\n"
	"echo sends COUNT messages back as they come; ping measures COUNT round trips\n"
	"(a peer must echo them). TIMEOUT_MS: the longest wait for each message\n"
	"(default 5000, 60000 for echo; 0: do not wait).\n";

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	fputs(USAGE, stderr);
	return 1;
}

/* ---- time: the counter of arch/cpu.h ---- */

static uint64_t ticks_to_ns(uint64_t t)
{
	return (uint64_t)((unsigned __int128)t * 1000000000u / cpu_tick_hz());
}

/* ---- the devicetree ---- */

/* The contents of property `prop` of node `dir`: its length, or -1. */
static ssize_t read_prop(const char *dir, const char *prop, void *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, prop) >= sizeof(path))
		return -1;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

static bool has_prop(const char *dir, const char *prop)
{
	char path[PATH_MAX];

	return (size_t)snprintf(path, sizeof(path), "%s/%s", dir, prop) < sizeof(path) &&
	       access(path, F_OK) == 0;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A number of `cells` (1 or 2) big-endian 32-bit cells at p. */
static uint64_t cells_val(const uint8_t *p, int cells)
{
	return cells == 2 ? (uint64_t)be32(p) << 32 | be32(p + 4) : be32(p);
}

/* #address-cells or #size-cells of node dir, for its children. */
static int cells_of(const char *dir, const char *prop, int dflt)
{
	uint8_t v[4];

	return read_prop(dir, prop, v, sizeof(v)) == 4 ? (int)be32(v) : dflt;
}

/* Whether the stringlist property compatible of dir holds `compat`. */
static bool is_compatible(const char *dir, const char *compat)
{
	char buf[256];
	ssize_t n = read_prop(dir, "compatible", buf, sizeof(buf) - 1);

	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *s = buf; s < buf + n; s += strlen(s) + 1) {
		if (!strcmp(s, compat))
			return true;
	}
	return false;
}

/* Fill r from node dir; false (with a warning) when the node is malformed. */
static bool parse_node(const char *dir, int ac, int sc, struct region *r)
{
	uint8_t reg[64], peer[4];
	ssize_t n = read_prop(dir, "reg", reg, sizeof(reg));
	ssize_t len = read_prop(dir, "zvm,name", r->name, sizeof(r->name));
	int entry = 4 * (ac + sc);

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || n < 2 * entry) {
		err("%s: no region and doorbell page in reg: skipped", dir);
		return false;
	}
	if (len < 2 || r->name[len - 1] != '\0' || strlen(r->name) != (size_t)len - 1) {
		err("%s: no zvm,name string: skipped", dir);
		return false;
	}
	if (read_prop(dir, "zvm,peer-index", peer, sizeof(peer)) != 4 || be32(peer) > 1) {
		err("%s: no zvm,peer-index of 0 or 1: skipped", dir);
		return false;
	}
	snprintf(r->node, sizeof(r->node), "%s", dir);
	r->addr = cells_val(reg, ac);
	r->size = cells_val(reg + 4 * ac, sc);
	r->bell_addr = cells_val(reg + entry, ac);
	r->bell_size = cells_val(reg + entry + 4 * ac, sc);
	r->peer = (int)be32(peer);
	r->ro = has_prop(dir, "read-only");
	return true;
}

/* Look for "zvm,shmem" nodes among the children of dir, and below. */
static void scan(const char *dir, int depth)
{
	int ac = cells_of(dir, "#address-cells", 2), sc = cells_of(dir, "#size-cells", 1);
	char path[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d)) && nr_regions < MAX_REGIONS) {
		if (e->d_name[0] == '.' ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path) ||
		    stat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (is_compatible(path, "zvm,shmem")) {
			if (parse_node(path, ac, sc, &regions[nr_regions]))
				nr_regions++;
		} else if (depth < MAX_DEPTH) {
			scan(path, depth + 1);
		}
	}
	closedir(d);
}

static int by_addr(const void *a, const void *b)
{
	const struct region *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void find_regions(void)
{
	const char *base = getenv("ZVM_RING_DT");

	scan(base ? base : DT_BASE, 1);
	qsort(regions, (size_t)nr_regions, sizeof(regions[0]), by_addr);
}

static struct region *region_named(const char *name)
{
	char have[MAX_REGIONS * (NAME_MAX_LEN + 1) + 8] = "";

	for (int i = 0; i < nr_regions; i++) {
		if (!strcmp(regions[i].name, name))
			return &regions[i];
		if (i)
			strcat(have, " ");
		strcat(have, regions[i].name);
	}
	err("no shared-memory region %s (have: %s)", name, nr_regions ? have : "none");
	return NULL;
}

/* ---- mapping ---- */

/* Map [addr, addr + size) of physical memory; NULL (with a message) on failure. */
static volatile void *map_phys(int fd, const struct region *r, uint64_t addr, uint64_t size,
			       int prot)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t off = addr % page;
	void *p;

	if (size == 0 || size > SIZE_MAX - off) {
		err("%s: bad size %" PRIu64 " at 0x%" PRIx64, r->name, size, addr);
		return NULL;
	}
	p = mmap(NULL, (size_t)(size + off), prot, MAP_SHARED, fd, (off_t)(addr - off));
	if (p == MAP_FAILED) {
		err("%s: cannot map 0x%" PRIx64 " (%" PRIu64 " bytes): %s", r->name, addr, size,
		    strerror(errno));
		return NULL;
	}
	return (volatile uint8_t *)p + off;
}

/* Map region r (read-only or not) and, when writable, its doorbell. */
static int open_region(struct region *r)
{
	const char *mem = getenv("ZVM_RING_MEM");
	volatile void *va;
	int fd, ret;

	mem = mem ? mem : MEM_DEV;
	fd = open(mem, (r->ro ? O_RDONLY : O_RDWR) | O_SYNC);
	if (fd < 0) {
		err("cannot open %s: %s%s", mem, strerror(errno),
		    errno == EACCES || errno == EPERM ? " (run as root)" : "");
		return -1;
	}
	va = map_phys(fd, r, r->addr, r->size, PROT_READ | (r->ro ? 0 : PROT_WRITE));
	if (va && !r->ro) {
		r->bell = map_phys(fd, r, r->bell_addr, r->bell_size, PROT_READ | PROT_WRITE);
		if (!r->bell)
			va = NULL;
	}
	close(fd);			/* the mappings stay */
	if (!va)
		return -1;
	ret = shm_ring_pair_init(&r->ring, va, (size_t)r->size, r->peer);
	if (ret) {
		err("%s: a region of %" PRIu64 " bytes cannot hold rings (%s)", r->name, r->size,
		    shm_ring_strerror(ret));
		return -1;
	}
	return 0;
}

/* The named region, mapped; for writing unless `reading_only`. */
static struct region *use_region(const char *name, bool reading_only)
{
	struct region *r;

	find_regions();
	r = region_named(name);
	if (!r)
		return NULL;
	if (r->ro && !reading_only) {
		/* Receiving writes too: the ring's tail frees the slot. */
		err("%s: read-only for this VM: it can neither send nor receive", name);
		return NULL;
	}
	return open_region(r) ? NULL : r;
}

/* ---- the ring, with waiting ---- */

/* Tell the peer: the message (head store) must be out before zvm sees the bell. */
static void ring_bell(struct region *r)
{
	cpu_store_barrier();
	*r->bell = 1;
}

/*
 * Poll until op(...) stops answering `busy` or timeout_ms pass (0: try
 * once). The clock is read, and the CPU given up, only now and then: the
 * loop stays tight for round-trip measurements.
 */
static int poll_ring(struct region *r, bool sending, void *buf, size_t len, unsigned timeout_ms)
{
	uint64_t deadline = cpu_now_ticks() + (uint64_t)timeout_ms * cpu_tick_hz() / 1000;

	for (uint64_t spins = 1;; spins++) {
		int ret = sending ? shm_ring_send(&r->ring, buf, len)
				  : shm_ring_recv(&r->ring, buf, len);

		if (ret != (sending ? SHM_RING_EFULL : SHM_RING_EEMPTY))
			return ret;
		if (timeout_ms == 0)
			return ret;
		if (spins % 64 == 0 && cpu_now_ticks() >= deadline)
			return ret;
		if (spins % 4096 == 0)
			sched_yield();
		cpu_relax();
	}
}

static int send_wait(struct region *r, const void *msg, size_t len, unsigned timeout_ms)
{
	int ret = poll_ring(r, true, (void *)msg, len, timeout_ms);

	if (ret == 0)
		ring_bell(r);
	return ret;
}

static int recv_wait(struct region *r, void *buf, size_t len, unsigned timeout_ms)
{
	return poll_ring(r, false, buf, len, timeout_ms);
}

/* ---- commands ---- */

/* An unsigned decimal number of min..max. */
static bool parse_num(const char *s, unsigned long min, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

static int cmd_list(void)
{
	find_regions();
	for (int i = 0; i < nr_regions; i++) {
		const struct region *r = &regions[i];

		printf("%s 0x%" PRIx64 " %" PRIu64 " %s peer %d\n", r->name, r->addr, r->size,
		       r->ro ? "ro" : "rw", r->peer);
	}
	if (!nr_regions)
		err("no shared-memory regions (no \"zvm,shmem\" node in the devicetree)");
	return 0;
}

static int cmd_send(const char *name, const char *text)
{
	size_t len = strlen(text);
	struct region *r;
	int ret;

	if (len > SHM_RING_MSG_MAX) {
		err("message of %zu bytes is too long (at most %u)", len, SHM_RING_MSG_MAX);
		return 1;
	}
	r = use_region(name, false);
	if (!r)
		return 1;
	ret = send_wait(r, text, len, 0);
	if (ret == SHM_RING_EFULL) {
		err("%s: ring full (%u messages not yet received by the peer)", name,
		    r->ring.nslots);
		return 1;
	}
	if (ret) {
		err("%s: cannot send: %s", name, shm_ring_strerror(ret));
		return 1;
	}
	return 0;
}

static int cmd_recv(const char *name, unsigned timeout_ms)
{
	char buf[SHM_RING_MSG_MAX];
	struct region *r = use_region(name, false);
	int n;

	if (!r)
		return 1;
	n = recv_wait(r, buf, sizeof(buf), timeout_ms);
	if (n == SHM_RING_EEMPTY) {
		err("%s: no message within %u ms", name, timeout_ms);
		return 1;
	}
	if (n < 0) {
		err("%s: cannot receive: %s", name, shm_ring_strerror(n));
		return 1;
	}
	fwrite(buf, 1, (size_t)n, stdout);
	putchar('\n');
	return 0;
}

static int cmd_pending(const char *name)
{
	struct region *r = use_region(name, true);
	uint32_t n;

	if (!r)
		return 1;
	n = shm_ring_pending(&r->ring);
	if (n > r->ring.nslots) {
		err("%s: %s", name, shm_ring_strerror(SHM_RING_ECORRUPT));
		return 1;
	}
	printf("%s: %u messages pending\n", name, n);
	return 0;
}

static int cmd_echo(const char *name, unsigned count, unsigned timeout_ms)
{
	uint8_t buf[SHM_RING_MSG_MAX];
	struct region *r = use_region(name, false);
	unsigned i;
	int n = 0;

	if (!r)
		return 1;
	for (i = 0; i < count; i++) {
		n = recv_wait(r, buf, sizeof(buf), timeout_ms);
		if (n < 0)
			break;
		n = send_wait(r, buf, (size_t)n, timeout_ms);
		if (n < 0)
			break;
	}
	if (n == SHM_RING_EEMPTY || n == SHM_RING_EFULL)
		err("%s: echo: %s within %u ms (echoed %u of %u messages)", name,
		    n == SHM_RING_EEMPTY ? "no message" : "no room in the ring", timeout_ms, i,
		    count);
	else if (n < 0)
		err("%s: echo: %s (echoed %u of %u messages)", name, shm_ring_strerror(n), i,
		    count);
	if (n < 0)
		return 1;
	printf("zvm-ring: echoed %u messages\n", count);
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Message seq of a ping: the number (8 bytes, little-endian), then a pattern. */
static void ping_msg(uint8_t *msg, uint64_t seq)
{
	for (int i = 0; i < PING_LEN; i++)
		msg[i] = i < 8 ? (uint8_t)(seq >> (8 * i)) : (uint8_t)(seq * 13 + (uint64_t)i);
}

/* One round trip: its time in ticks, or 0 after an error (reported). */
static uint64_t ping_once(struct region *r, uint64_t seq, unsigned timeout_ms)
{
	uint8_t out[PING_LEN], in[SHM_RING_MSG_MAX];
	uint64_t t0, t1;
	int n;

	ping_msg(out, seq);
	t0 = cpu_now_ticks();
	n = send_wait(r, out, sizeof(out), timeout_ms);
	if (n == 0)
		n = recv_wait(r, in, sizeof(in), timeout_ms);
	t1 = cpu_now_ticks();
	if (n == SHM_RING_EEMPTY || n == SHM_RING_EFULL)
		err("%s: round trip %" PRIu64 ": %s within %u ms (is a peer echoing?)", r->name,
		    seq, n == SHM_RING_EEMPTY ? "no echo" : "no room in the ring", timeout_ms);
	else if (n < 0)
		err("%s: round trip %" PRIu64 ": %s", r->name, seq, shm_ring_strerror(n));
	else if (n != PING_LEN || memcmp(in, out, PING_LEN))
		err("%s: round trip %" PRIu64 ": a different message came back (%d bytes)",
		    r->name, seq, n);
	else
		return t1 > t0 ? t1 - t0 : 1;
	return 0;
}

/* Messages left over from an earlier run would pass for echoes: drop them. */
static void drain(struct region *r)
{
	uint8_t buf[SHM_RING_MSG_MAX];
	unsigned dropped = 0;

	while (shm_ring_recv(&r->ring, buf, sizeof(buf)) != SHM_RING_EEMPTY &&
	       dropped < r->ring.nslots)
		dropped++;
	if (dropped)
		err("%s: dropped %u old messages before the first ping", r->name, dropped);
}

static int cmd_ping(const char *name, unsigned count, unsigned timeout_ms)
{
	struct region *r = use_region(name, false);
	uint64_t *rtt, sum = 0;

	if (!r)
		return 1;
	rtt = malloc(count * sizeof(*rtt));
	if (!rtt) {
		err("out of memory for %u round trips", count);
		return 1;
	}
	drain(r);
	for (unsigned i = 0; i < count; i++) {
		rtt[i] = ping_once(r, i, timeout_ms);
		if (!rtt[i]) {
			free(rtt);
			return 1;
		}
		sum += rtt[i];
	}
	qsort(rtt, count, sizeof(*rtt), cmp_u64);
	printf("ping: %u round trips, mean %" PRIu64 " ns, p99 %" PRIu64 " ns, max %" PRIu64
	       " ns\n", count, ticks_to_ns(sum / count),
	       ticks_to_ns(rtt[((uint64_t)count * 99 + 99) / 100 - 1]),
	       ticks_to_ns(rtt[count - 1]));
	free(rtt);
	return 0;
}

/* The optional TIMEOUT_MS at argv[i]. */
static bool timeout_arg(int argc, char **argv, int i, unsigned *ms)
{
	return argc <= i || parse_num(argv[i], 0, 3600000, ms);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	unsigned n = 0, ms;

	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(help_text, stdout);
		return 0;
	}
	if (!strcmp(cmd, "list") && argc == 2)
		return cmd_list();
	if (!strcmp(cmd, "send") && argc == 4)
		return cmd_send(argv[2], argv[3]);
	if (!strcmp(cmd, "pending") && argc == 3)
		return cmd_pending(argv[2]);
	ms = RECV_TIMEOUT;
	if (!strcmp(cmd, "recv") && (argc == 3 || argc == 4)) {
		if (!timeout_arg(argc, argv, 3, &ms))
			return usage_error("bad TIMEOUT_MS '%s' (0 .. 3600000)", argv[3]);
		return cmd_recv(argv[2], ms);
	}
	if ((!strcmp(cmd, "echo") || !strcmp(cmd, "ping")) && (argc == 4 || argc == 5)) {
		bool echo = cmd[0] == 'e';

		ms = echo ? ECHO_TIMEOUT : RECV_TIMEOUT;
		if (!parse_num(argv[3], 1, echo ? ECHO_MAX : PING_MAX, &n))
			return usage_error("bad COUNT '%s' (1 .. %u)", argv[3],
					   echo ? ECHO_MAX : PING_MAX);
		if (!timeout_arg(argc, argv, 4, &ms))
			return usage_error("bad TIMEOUT_MS '%s' (0 .. 3600000)", argv[4]);
		return echo ? cmd_echo(argv[2], n, ms) : cmd_ping(argv[2], n, ms);
	}
	if (argc < 2)
		return usage_error("no command");
	if (strcmp(cmd, "list") && strcmp(cmd, "send") && strcmp(cmd, "recv") &&
	    strcmp(cmd, "echo") && strcmp(cmd, "ping") && strcmp(cmd, "pending"))
		return usage_error("unknown command '%s'", cmd);
	return usage_error("wrong number of arguments for %s", cmd);
}
