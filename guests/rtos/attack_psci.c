/* SPDX-License-Identifier: MIT */
/*
 * `attack cpu-on [ROUNDS]`, `attack cpu-on-for SECONDS` and
 * `attack cpu-on-bad`: PSCI CPU_ON as a
 * hostile SMP guest would use it. The guest boots with "maxcpus=N" and
 * N+1 vCPUs, so its last vCPU stays off. N racer threads, one per running
 * CPU, call CPU_ON on that vCPU at the same moment, round after round, with
 * the CPU_ON probe (arch/arm64/cpu_on_probe.S) as its entry point: the
 * probe counts its starts, notices a start while it runs, waits to be
 * released and calls CPU_OFF. zvm must accept exactly one call per round
 * (the others get ALREADY_ON or ON_PENDING) and never start the target
 * again while it runs (the race stops after BAD_ROUNDS_SHOWN rounds
 * that break this). `cpu-on-bad` asks for entry points outside the VM's
 * RAM and misaligned ones: INVALID_ADDRESS, and the target stays off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/arch.h>
#include <zvm/kernel.h>
#include <zvm/platform.h>
#include <zvm/psci_ids.h>
#include <arch/cpu_on_probe.h>

#define RACE_ROUNDS      300
#define RACERS_MAX       (K_MAX_CPUS - 1)
#define RACER_STACK      4096
#define RACER_PRIO       K_PRIO_PREEMPT(3)
#define WAIT_TIMEOUT_MS  20000
#define BAD_ROUNDS_SHOWN 10

struct race {
	int racers;
	uint64_t target;  /* MPIDR of the vCPU that stays off */
	uint32_t arrived; /* racers at the start line this round */
	bool stop;
	int64_t result[RACERS_MAX];
	struct k_thread *thread[RACERS_MAX];
	struct k_sem start[RACERS_MAX];
	struct k_sem done;
};

struct tally {
	unsigned success, already_on, on_pending, other;
	unsigned one_success; /* rounds with exactly one SUCCESS */
	unsigned shown;       /* bad rounds printed */
};

static struct cpu_on_probe probe;
static struct race race;

static int64_t cpu_on(uint64_t entry)
{
	return arch_psci_call(PSCI_CPU_ON_64, race.target, entry, (uintptr_t)&probe);
}

static int64_t affinity_info(void)
{
	return arch_psci_call(PSCI_AFFINITY_INFO_64, race.target, 0, 0);
}

/* One racer per running CPU: at the start line together, then CPU_ON. */
static void racer_thread(void *arg)
{
	int me = (int)(uintptr_t)arg;

	for (;;) {
		k_sem_take(&race.start[me], K_FOREVER);
		if (race.stop)
			return;
		__atomic_add_fetch(&race.arrived, 1, __ATOMIC_ACQ_REL);
		while (__atomic_load_n(&race.arrived, __ATOMIC_ACQUIRE) < (uint32_t)race.racers)
			;
		race.result[me] = cpu_on((uintptr_t)cpu_on_probe_entry);
		k_sem_give(&race.done);
	}
}

/* The target vCPU is the first one not started; returns 0 or prints why not. */
static int race_setup(void)
{
	race.racers = platform.boot_cpus;
	if (race.racers < 2 || race.racers >= platform.ncpus || race.racers > RACERS_MAX) {
		printf("error: attack cpu-on needs N >= 2 CPUs running and one more off: "
		       "boot with --vcpus N+1 --args \"maxcpus=N\"\n");
		return -1;
	}
	race.target = platform.cpu_mpidr[race.racers];
	memset(&probe, 0, sizeof(probe));
	probe.conduit = platform.psci == PSCI_SMC;
	cpu_on_probe_sync(&probe);
	return 0;
}

static int racers_start(void)
{
	race.stop = false;
	k_sem_init(&race.done, 0, RACERS_MAX);
	for (int i = 0; i < race.racers; i++) {
		k_sem_init(&race.start[i], 0, 1);
		race.thread[i] = k_thread_spawn("racer", RACER_STACK, racer_thread,
						(void *)(uintptr_t)i, RACER_PRIO, 1u << i);
		if (!race.thread[i]) {
			printf("error: attack cpu-on: cannot start racer %d\n", i);
			return -1;
		}
	}
	return 0;
}

static void racers_stop(void)
{
	race.stop = true;
	for (int i = 0; i < race.racers; i++) {
		if (!race.thread[i])
			continue;
		k_sem_give(&race.start[i]);
		k_thread_join(race.thread[i], K_FOREVER);
		race.thread[i] = NULL;
	}
}

static void tally_round(struct tally *t, int round)
{
	unsigned wins = 0;

	for (int i = 0; i < race.racers; i++) {
		int64_t r = race.result[i];

		wins += r == PSCI_SUCCESS;
		t->already_on += r == PSCI_ALREADY_ON;
		t->on_pending += r == PSCI_ON_PENDING;
		t->other += r != PSCI_SUCCESS && r != PSCI_ALREADY_ON && r != PSCI_ON_PENDING;
	}
	t->success += wins;
	t->one_success += wins == 1;
	if (wins != 1 && t->shown++ < BAD_ROUNDS_SHOWN)
		printf("attack: cpu-on: round %d: %u SUCCESS (%ld %ld %ld)\n", round, wins,
		       (long)race.result[0], (long)race.result[1],
		       (long)(race.racers > 2 ? race.result[2] : 0));
}

/* Until AFFINITY_INFO says the target is off; false after WAIT_TIMEOUT_MS. */
static bool wait_target_off(void)
{
	uint64_t deadline = k_uptime_ms() + WAIT_TIMEOUT_MS;

	while (affinity_info() != PSCI_AFFINITY_OFF) {
		if (k_uptime_ms() > deadline)
			return false;
		k_sleep(K_MSEC(1));
	}
	return true;
}

/* One round: all racers at once, then let the target turn itself off again. */
static int race_round(struct tally *t, int round)
{
	__atomic_store_n(&race.arrived, 0, __ATOMIC_RELEASE);
	for (int i = 0; i < race.racers; i++)
		k_sem_give(&race.start[i]);
	for (int i = 0; i < race.racers; i++) {
		if (k_sem_take(&race.done, K_MSEC(WAIT_TIMEOUT_MS)) != 0) {
			printf("error: attack cpu-on: round %d: the racers did not finish\n",
			       round);
			return -1;
		}
	}
	tally_round(t, round);
	probe.release = t->success; /* the probe may leave now */
	cpu_on_probe_sync(&probe);
	if (!wait_target_off()) {
		printf("error: attack cpu-on: round %d: the target did not turn off\n", round);
		return -1;
	}
	return 0;
}

static void race_report(const struct tally *t, int rounds)
{
	cpu_on_probe_sync(&probe);
	printf("attack: cpu-on: %d rounds, %d racers: %u SUCCESS, %u ALREADY_ON, "
	       "%u ON_PENDING, %u other; %u rounds with exactly one SUCCESS\n",
	       rounds, race.racers, t->success, t->already_on, t->on_pending, t->other,
	       t->one_success);
	printf("attack: cpu-on: the target started %u times, %u times while it was running\n",
	       probe.starts, probe.restarts);
}

/*
 * `rounds` rounds, or (seconds > 0) as many as fit in that much guest time.
 * A broken hypervisor is shown by its first bad rounds; then stop.
 */
int attack_cpu_on(int rounds, int seconds)
{
	struct tally t = { 0 };
	uint64_t start = k_uptime_ms(), end = start + (uint64_t)seconds * 1000;
	int round = 0, ret;

	if (rounds <= 0)
		rounds = seconds > 0 ? INT32_MAX : RACE_ROUNDS;
	if (race_setup() != 0)
		return 1;
	ret = racers_start();
	for (; ret == 0 && round < rounds && t.shown < BAD_ROUNDS_SHOWN; round++) {
		if (seconds > 0 && k_uptime_ms() >= end)
			break;
		ret = race_round(&t, round);
	}
	racers_stop();
	race_report(&t, round);
	printf("attack: cpu-on: raced for %lu ms of guest time\n",
	       (unsigned long)(k_uptime_ms() - start));
	return ret ? 1 : 0;
}

int attack_cpu_on_bad(void)
{
	const struct {
		const char *what;
		uint64_t entry;
	} cases[] = {
		{ "below RAM", platform.ram_base - 0x1000 },
		{ "beyond RAM", platform.ram_base + platform.ram_size },
		{ "misaligned", (uintptr_t)cpu_on_probe_entry + 2 },
	};

	if (race_setup() != 0)
		return 1;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		printf("attack: cpu-on %s (0x%lx) returned %ld\n", cases[i].what,
		       (unsigned long)cases[i].entry, (long)cpu_on(cases[i].entry));
	printf("attack: cpu-on: the target is %s\n",
	       affinity_info() == PSCI_AFFINITY_OFF ? "off" : "not off");
	return 0;
}
