/* SPDX-License-Identifier: MIT */
/*
 * Kernel log: one line per call, prefixed with uptime, CPU and level.
 * Safe from any CPU and from interrupt context (the line is formatted on
 * the stack, then written to the console). Every line the level lets
 * through is also kept in the host log ring (16 KiB, `log show`). While a
 * VM's console is attached, only err and wrn lines are printed; the others
 * are kept in the ring and counted (log_held_take).
 */
#ifndef ZVM_LOG_H
#define ZVM_LOG_H

#include <stddef.h>

#define LOG_LEVEL_ERR 0
#define LOG_LEVEL_WRN 1
#define LOG_LEVEL_INF 2
#define LOG_LEVEL_DBG 3

#define LOG_RING_SIZE 16384u /* bytes of the host log ring */

void log_printf(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int log_level_get(void);
void log_level_set(int level);
/** "err", "wrn", "inf" or "dbg"; NULL for a level out of range. */
const char *log_level_name(int level);
/** The level named `name`, or -1. */
int log_level_parse(const char *name);
/** Copy the ring's whole lines, oldest first, at most max bytes (the newest); the length. */
size_t log_ring_copy(char *out, size_t max);
/** How many lines were kept but not printed (a VM was attached) since last asked. */
unsigned log_held_take(void);

#define LOG_ERR(...) log_printf(LOG_LEVEL_ERR, __VA_ARGS__)
#define LOG_WRN(...) log_printf(LOG_LEVEL_WRN, __VA_ARGS__)
#define LOG_INF(...) log_printf(LOG_LEVEL_INF, __VA_ARGS__)
#define LOG_DBG(...) log_printf(LOG_LEVEL_DBG, __VA_ARGS__)

#endif /* ZVM_LOG_H */
