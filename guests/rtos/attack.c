/* SPDX-License-Identifier: MIT */
/*
 * `attack`: hostile guest behaviour, to prove zvm contains it. Each case
 * does what a broken or malicious guest would, then says what it got back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/arch.h>
#include <zvm/kernel.h>
#include <zvm/platform.h>
#include <zvm/shell.h>
#include <arch/mmu.h>

#define STORM_SGIS  20000
#define UNKNOWN_HVC 0xc6ffff00ul
#define ATTACK_USAGE                                                                        \
	"unmapped|outside|undef|hvc|storm|read ADDR|doorbell ADDR|virtio-addr|virtio-loop|" \
	"virtio-len|virtio-index|cval-max|cpu-on [ROUNDS]|cpu-on-for SECONDS|cpu-on-bad"

static volatile uint64_t target;

/*
 * A read at `addr`, mapped in our own page tables first so the access gets
 * past our MMU to the hypervisor's stage 2: under zvm an IPA the VM does
 * not own comes back as an external abort.
 */
static void read_at(uint64_t addr)
{
	if (!mmu_map_device(addr, 0x1000)) {
		printf("attack: cannot map 0x%lx in our own tables\n", (unsigned long)addr);
		return;
	}
	target = addr;
	printf("attack: reading 0x%lx\n", (unsigned long)addr);
	printf("attack: read returned 0x%lx\n", (unsigned long)*(volatile uint64_t *)target);
}

static void attack_hvc(void)
{
	uint64_t ret = arch_hypercall(UNKNOWN_HVC, 0, 0, 0);

	printf("attack: unknown hypercall 0x%lx returned %ld\n", UNKNOWN_HVC, (long)ret);
}

static void attack_storm(void)
{
	uint64_t start = k_uptime_ms();

	for (int i = 0; i < STORM_SGIS; i++)
		arch_send_sgi(IPI_RESCHED, 1u << k_cpu_id());
	printf("attack: %d self-IPIs in %lu ms, still alive\n", STORM_SGIS,
	       (unsigned long)(k_uptime_ms() - start));
}

/*
 * What an RTOS written for bare QEMU virt may do to "disable" its timer:
 * leave it enabled with the compare value at the end of time. The kernel's
 * own timer state is not told, so run it while no timeout is pending (an
 * idle shell); the next timeout the kernel arms programs the timer again.
 * Under a QEMU older than 8.2 that adds CNTVOFF to it (the VM's paused
 * time), the sum wraps into the past and QEMU stops, with every CPU.
 */
static void attack_cval_max(void)
{
	arch_timer_set(UINT64_MAX);
	printf("attack: virtual timer enabled with CVAL 0x%lx, still alive at %lu ms\n",
	       (unsigned long)UINT64_MAX, (unsigned long)k_uptime_ms());
}

/*
 * A shared-memory doorbell page at `addr`: written in every width at
 * naturally aligned offsets (one after the other, with time for the other
 * VM to take each interrupt), the documented form (32 bits at offset 0)
 * last; then read in every width. Only that one write may ring
 * (docs/shared-memory.md); reads return 0.
 */
static void attack_doorbell(uint64_t addr)
{
	static const unsigned offsets[] = { 0, 1, 2, 3, 4, 8, 0x800, 0xff8 };
	volatile uint8_t *page = (volatile uint8_t *)mmu_map_device(addr, 0x1000);
	unsigned writes = 0;

	if (!page) {
		printf("attack: cannot map 0x%lx in our own tables\n", (unsigned long)addr);
		return;
	}
	for (unsigned size = 1; size <= 8; size *= 2) {
		for (unsigned i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
			unsigned off = offsets[i];

			if (off % size || (size == 4 && off == 0))
				continue;
			if (size == 1)
				*(volatile uint8_t *)(page + off) = 1;
			else if (size == 2)
				*(volatile uint16_t *)(page + off) = 1;
			else if (size == 4)
				*(volatile uint32_t *)(page + off) = 1;
			else
				*(volatile uint64_t *)(page + off) = 1;
			writes++;
			k_sleep(K_MSEC(2));
		}
	}
	*(volatile uint32_t *)page = 1;
	printf("attack: doorbell: %u other writes, then one 32-bit write at offset 0\n", writes);
	printf("attack: doorbell: reads 0x%x 0x%x 0x%x 0x%lx\n", page[0],
	       *(volatile uint16_t *)page, *(volatile uint32_t *)page,
	       (unsigned long)*(volatile uint64_t *)page);
}

int attack_virtio(const char *mode);
int attack_cpu_on(int rounds, int seconds); /* guests/rtos/attack_psci.c */
int attack_cpu_on_bad(void);

/* `cpu-on [ROUNDS]` or `cpu-on-for SECONDS`: the PSCI CPU_ON race. */
static int cmd_cpu_on(int argc, char **argv)
{
	bool timed = !strcmp(argv[1], "cpu-on-for");
	char *end = "";
	long n = argc == 3 ? strtol(argv[2], &end, 0) : 0;

	if (argc > 3 || (argc == 3 && (!*argv[2] || *end || n <= 0 || n > 100000)) ||
	    (timed && argc != 3) || (!timed && strcmp(argv[1], "cpu-on"))) {
		puts("error: unknown attack\nusage: attack " ATTACK_USAGE);
		return 1;
	}
	return timed ? attack_cpu_on(0, (int)n) : attack_cpu_on((int)n, 0);
}

static int cmd_attack(int argc, char **argv)
{
	const char *what = argc == 2 ? argv[1] : "";
	char *end;

	if (argc >= 2 && !strncmp(argv[1], "cpu-on", 6) && strcmp(argv[1], "cpu-on-bad"))
		return cmd_cpu_on(argc, argv);
	if (argc == 3 && (!strcmp(argv[1], "read") || !strcmp(argv[1], "doorbell"))) {
		uint64_t addr = strtoull(argv[2], &end, 0);

		if (*argv[2] && !*end && addr % (argv[1][0] == 'r' ? 8 : 0x1000) == 0) {
			if (argv[1][0] == 'r')
				read_at(addr);
			else
				attack_doorbell(addr);
			return 0;
		}
		what = "";
	}
	if (!strcmp(what, "unmapped"))
		read_at(0x100000); /* below RAM, no device there */
	else if (!strcmp(what, "outside"))
		read_at(platform.ram_base + platform.ram_size + 0x1000);
	else if (!strcmp(what, "undef"))
		arch_undefined_instruction();
	else if (!strcmp(what, "hvc"))
		attack_hvc();
	else if (!strcmp(what, "storm"))
		attack_storm();
	else if (!strcmp(what, "cval-max"))
		attack_cval_max();
	else if (!strcmp(what, "cpu-on-bad"))
		return attack_cpu_on_bad(); /* guests/rtos/attack_psci.c */
	else if (!strncmp(what, "virtio-", 7))
		return attack_virtio(what); /* guests/rtos/attack_virtio.c */
	else {
		puts("error: unknown attack\nusage: attack " ATTACK_USAGE);
		return 1;
	}
	return 0;
}

SHELL_CMD(attack, cmd_attack, ATTACK_USAGE,
	  "misbehave on purpose (tests that the hypervisor contains it)");
