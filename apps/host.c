/* SPDX-License-Identifier: MIT */
/* The host image: the hypervisor shell on the console. */
#include <stdio.h>
#include <zvm/app.h>
#include <zvm/bench.h>
#include <zvm/kernel.h>
#include <zvm/mgmt.h>
#include <zvm/shell.h>
#include <zvm/vmm.h>

#define SHELL_STACK 16384
#define SHELL_PRIO  K_PRIO_PREEMPT(14)

static void shell_main(void *arg)
{
	(void)arg;
	bench_boot_prompt_cycles = k_cycle_get(); /* counted from QEMU's start */
	shell_run("zvm_host:~# ");
}

void app_main(void)
{
	vmm_init();
	mgmt_start(); /* the PC's control channel, if the machine has one */
	if (!k_thread_spawn("shell", SHELL_STACK, shell_main, NULL, SHELL_PRIO, K_CPU_ALL))
		puts("zvm: cannot start the shell");
}
