/*
 * The kernel latency benchmark (selftest/bench.c), run by the host's `bench`
 * command and by the RTOS guest's app=bench; scripts/bench.sh reads its output.
 */
#ifndef ZVM_BENCH_H
#define ZVM_BENCH_H

#include <stdint.h>

/** Run every item and print one "bench: NAME ... cycles ... ns" line each; returns 0. */
int bench_run(void);

/** Counter value when the first shell prompt was due (set by the app, reported by bench_run). */
extern uint64_t bench_boot_prompt_cycles;

#endif /* ZVM_BENCH_H */
