/* SPDX-License-Identifier: MIT */
/*
 * The kernel latency benchmark (selftest/bench.c), run by the host's `bench`
 * command and by the RTOS guest's app=bench; scripts/bench.sh reads its output.
 */
#ifndef ZVM_BENCH_H
#define ZVM_BENCH_H

#include <stdint.h>

/** Run every item and print one "bench: NAME ... cycles ... ns" line each; returns 0. */
int bench_run(void);

/** Most samples bench_run_timer takes (its buffer). */
#define BENCH_TIMER_SAMPLES_MAX 20000

/**
 * Only the timer interrupt latency item (handler entry minus the programmed
 * deadline), `samples` times, 200 us apart: a start line, then one line
 * "bench: timer irq latency N samples: min A mean B p99 C max D ns" and
 * "bench: done". -1 (nothing run) unless 1 <= samples <= BENCH_TIMER_SAMPLES_MAX.
 */
int bench_run_timer(unsigned samples);

/** Counter value when the first shell prompt was due (set by the app, reported by bench_run). */
extern uint64_t bench_boot_prompt_cycles;

#endif /* ZVM_BENCH_H */
