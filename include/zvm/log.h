/* SPDX-License-Identifier: MIT */
/*
 * Kernel log: one line per call, prefixed with uptime, CPU and level.
 * Safe from any CPU and from interrupt context (the line is formatted on
 * the stack, then written to the console under its lock).
 */
#ifndef ZVM_LOG_H
#define ZVM_LOG_H

#define LOG_LEVEL_ERR 0
#define LOG_LEVEL_WRN 1
#define LOG_LEVEL_INF 2
#define LOG_LEVEL_DBG 3

void log_printf(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int log_level_get(void);
void log_level_set(int level);
/** "err", "wrn", "inf" or "dbg"; NULL for a level out of range. */
const char *log_level_name(int level);
/** The level named `name`, or -1. */
int log_level_parse(const char *name);

#define LOG_ERR(...) log_printf(LOG_LEVEL_ERR, __VA_ARGS__)
#define LOG_WRN(...) log_printf(LOG_LEVEL_WRN, __VA_ARGS__)
#define LOG_INF(...) log_printf(LOG_LEVEL_INF, __VA_ARGS__)
#define LOG_DBG(...) log_printf(LOG_LEVEL_DBG, __VA_ARGS__)

#endif /* ZVM_LOG_H */
