/* SPDX-License-Identifier: MIT */
/*
 * Boot: the boot CPU brings up the MMU, the platform from the DTB, memory,
 * interrupts and the other CPUs, then starts the shell and becomes idle.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <version.h>
#include <zvm/app.h>
#include <zvm/arch.h>
#include <zvm/console.h>
#include <zvm/log.h>
#include <zvm/mm.h>
#include <zvm/platform.h>
#include <zvm/sched.h>
#include <zvm/uart.h>
#include <arch/gicv3.h>
#include <arch/mmu.h>

#define HEAP_BYTES           (8ul << 20)
#define CPU_START_TIMEOUT_MS 1000

/* libfdt is built with the stack protector. */
uintptr_t __stack_chk_guard = 0x5a5a3c3cdeadbeefu;

void __stack_chk_fail(void)
{
	LOG_ERR("stack smashing detected");
	arch_cpu_halt();
}

static void fatal_boot(const char *why)
{
	printf("zvm: cannot boot: %s\n", why);
	arch_cpu_halt();
}

/* The host uses the EL2 physical timer, the guest the EL1 virtual timer. */
static int kernel_timer_intid(void)
{
	return KERNEL_EL == 2 ? platform.timer_hyp_intid : platform.timer_virt_intid;
}

static const void *find_dtb(uintptr_t x0)
{
	if (x0 && fdt_magic((const void *)x0) == FDT_MAGIC)
		return (const void *)x0;
	return (const void *)ZVM_DTB_ADDR; /* QEMU virt: start of RAM for an ELF */
}

static void memory_init(void)
{
	extern char __image_end[];
	uintptr_t start = (uintptr_t)__image_end;
	uintptr_t end = platform.ram_base + platform.ram_size;
	uintptr_t fdt = (uintptr_t)platform.fdt;

	/* The DTB stays where it is: keep it out of the free range. */
	if (fdt >= start && fdt < end)
		start = (fdt + platform.fdt_size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
#ifdef ZVM_BLOBS_BASE
	/* Guest images and VM templates QEMU loaded stay where they are. */
	mm_init_except(start, end, ZVM_BLOBS_BASE, ZVM_BLOBS_END, HEAP_BYTES);
#else
	mm_init(start, end, HEAP_BYTES);
#endif /* ZVM_BLOBS_BASE */
}

static void devices_init(void)
{
	if (!mmu_map_device(platform.uart.base, 0x1000))
		fatal_boot("cannot map the UART");
	uart_init(&platform.uart);
	if (gic_init(platform.gicd_base, platform.gicr_base, platform.gicr_size) || gic_cpu_init(0))
		fatal_boot("GICv3 not usable");
	sched_cpu_irqs_init(0, kernel_timer_intid());
	console_init_irq(platform.uart.intid, 0);
	/* Equal priorities share a CPU: two vCPUs of one VM on one CPU must both run. */
	k_sched_time_slice_set(K_TIME_SLICE_MS);
	sched_cpu_online();
}

static void secondaries_start(void)
{
	for (int cpu = 1; cpu < platform.boot_cpus; cpu++) {
		uint64_t deadline =
			k_cycle_get() + k_ns_to_ticks(CPU_START_TIMEOUT_MS * 1000000ull);

		k_cpus[cpu].mpidr = platform.cpu_mpidr[cpu];
		if (arch_cpu_start(cpu, platform.cpu_mpidr[cpu]) != 0) {
			LOG_ERR("CPU %d: PSCI CPU_ON failed", cpu);
			continue;
		}
		while (!__atomic_load_n(&k_cpus[cpu].online, __ATOMIC_ACQUIRE) &&
		       k_cycle_get() < deadline)
			arch_cpu_relax();
		if (!k_cpus[cpu].online)
			LOG_ERR("CPU %d did not come online", cpu);
	}
}

void kernel_boot_main(uintptr_t x0)
{
	extern char __image_start[];

	mmu_boot_enable();
	arch_cpu_init(0);
	uart_early_init();
	sched_cpu_init(0, arch_cpu_mpidr());
	time_init();
	printf("\n%s %s: %s, EL%d\n", APP_NAME, ZVM_VERSION, APP_DESCRIPTION, KERNEL_EL);
	if (platform_init(find_dtb(x0), (uintptr_t)__image_start) != 0)
		fatal_boot("no usable devicetree");
	mmu_final_map(platform.ram_base, platform.ram_size);
	memory_init();
	devices_init();
	LOG_INF("%s: %d CPUs, %lu MiB RAM at 0x%lx, PSCI %s", platform.model, platform.ncpus,
		(unsigned long)(platform.ram_size >> 20), (unsigned long)platform.ram_base,
		platform.psci == PSCI_HVC ? "hvc" : "smc");
	secondaries_start();
	LOG_INF("%d CPUs online", k_num_cpus());
	app_main();
	sched_cpu_run_idle();
}

void kernel_secondary_boot(int cpu)
{
	mmu_secondary_enable();
	arch_cpu_init(cpu);
	sched_cpu_init(cpu, arch_cpu_mpidr());
	if (gic_cpu_init(cpu) != 0) {
		LOG_ERR("CPU %d: no redistributor", cpu);
		arch_cpu_halt();
	}
	sched_cpu_irqs_init(cpu, kernel_timer_intid());
	sched_cpu_online();
	sched_cpu_run_idle();
}
