/* SPDX-License-Identifier: MIT */
/*
 * The RTOS guest's apps (`app=NAME` in the bootargs, app.c) and the one
 * place that reads the bootargs: each app finds its own options there.
 */
#ifndef GUEST_APPS_H
#define GUEST_APPS_H

#include <stdbool.h>

/** The guest's bootargs (/chosen/bootargs), or "" (none). */
const char *guest_bootargs(void);

void guest_hello(void);
void guest_sync(void);
void guest_periodic(void);
void guest_spin(void);
/** A CPU hog on each CPU of list ("0,2,3"), a tick every tick_us beside each unless 0. */
bool guest_hog_cpus(const char *list, unsigned tick_us);

#endif /* GUEST_APPS_H */
