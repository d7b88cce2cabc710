/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests: system registers are named variables of the shared arch
 * fake (tests/unit/fake/arch_fake.c), so the plain-C parts of arch/arm64
 * (virt/inject.c, virt/idregs.c) run on the host; barriers do nothing.
 */
#ifndef FAKE_ARCH_SYSREG_H
#define FAKE_ARCH_SYSREG_H

#include <stdint.h>
#include "../fake.h"	/* fake_sysreg_read(), fake_sysreg_write() */

/* Two levels, so a register name given as a macro (arch/el.h) is expanded first. */
#define read_sysreg(reg)	__read_sysreg(reg)
#define write_sysreg(reg, val)	__write_sysreg(reg, val)
#define __read_sysreg(reg)	fake_sysreg_read(#reg)
#define __write_sysreg(reg, val) fake_sysreg_write(#reg, (uint64_t)(val))

#define isb()		do { } while (0)
#define dsb(opt)	do { } while (0)
#define dmb(opt)	do { } while (0)
#define wfi()		do { } while (0)
#define wfe()		do { } while (0)
#define sev()		do { } while (0)

#endif /* FAKE_ARCH_SYSREG_H */
