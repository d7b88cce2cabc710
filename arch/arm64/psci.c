/* PSCI calls to the firmware (QEMU), through the conduit the DTB names. */
#include <zvm/arch.h>
#include <zvm/platform.h>
#include <zvm/psci_ids.h>

int64_t arch_psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	if (platform.psci == PSCI_HVC)
		__asm__ volatile("hvc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3) : "memory");
	else
		__asm__ volatile("smc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3) : "memory");
	return (int64_t)x0;
}

int arch_cpu_start(int cpu, uint64_t mpidr)
{
	extern char secondary_entry[];

	if (platform.psci == PSCI_NONE)
		return -1;
	return (int)arch_psci_call(PSCI_CPU_ON_64, mpidr, (uintptr_t)secondary_entry, (uint64_t)cpu);
}

void arch_system_off(void)
{
	arch_psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	arch_cpu_halt();
}

void arch_system_reset(void)
{
	arch_psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	arch_cpu_halt();
}
