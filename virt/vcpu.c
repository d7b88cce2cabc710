/* SPDX-License-Identifier: MIT */
/*
 * A vCPU is a kernel thread: it loads its guest's state, enters the guest,
 * handles the exit, and blocks (on its `wake` semaphore) while its VM is
 * paused, its PSCI power is off or the guest waits in WFI.
 */
#include <stdio.h>
#include <zvm/arch.h>
#include <zvm/cpu_stats.h>
#include <zvm/log.h>
#include <zvm/platform.h>
#include <zvm/pool_ops.h>
#include <zvm/rt_guard.h>
#include <zvm/sched.h>
#include <zvm/vcpu.h>

#define VCPU_STACK 8192

static void vcpu_switch_out(struct k_thread *t)
{
	struct vcpu *vcpu = t->user_data;

	vcpu_arch_put(&vcpu->arch); /* its timer silenced first */
	vgic_put(vcpu);
}

static void vcpu_switch_in(struct k_thread *t)
{
	struct vcpu *vcpu = t->user_data;

	vgic_load(vcpu); /* before its timer can fire */
	vcpu_arch_load(&vcpu->arch);
}

struct vcpu *vcpu_current(void)
{
	struct k_thread *t = k_current();

	return t->switch_in == vcpu_switch_in ? t->user_data : NULL;
}

static bool vcpu_runnable(const struct vcpu *vcpu)
{
	return vm_state_get(vcpu->vm) == VM_RUNNING && vcpu_power_get(vcpu) == VCPU_ON;
}

/*
 * Accept a pending PSCI CPU_ON: this thread resets its own context to the
 * entry point, and puts it into the CPU at once (its EL1 registers and its
 * GIC CPU interface state are live here, so resetting only the saved copy
 * would be undone at switch-out).
 */
static void vcpu_boot_self(struct vcpu *vcpu)
{
	k_spinlock_key_t key;
	uint64_t pc, arg;

	if (!vcpu_power_take_boot(vcpu, &pc, &arg))
		return;
	key = arch_irq_save();
	vgic_put(vcpu); /* its CPU interface state too is live here */
	vcpu_arch_reset(&vcpu->arch, pc, arg, vcpu->id);
	vgic_load(vcpu);
	vcpu_arch_load(&vcpu->arch);
	arch_irq_restore(key);
	vcpu_power_set_on(vcpu);
}

/*
 * A vCPU alone on its CPU lets its guest's WFI sleep in hardware: an
 * interrupt brings it out just as fast as the host could, without the
 * block, wake and switch. As soon as another thread is ready here, the
 * scheduler's IPI makes it exit and WFI traps again (the thread blocks,
 * so the other thread runs).
 */
static void vcpu_choose_wfi_trap(struct vcpu *vcpu)
{
	struct k_cpu *c = arch_cpu_self();
	/* Only on an isolated (static pool) CPU: in the dynamic pool the idle
	 * thread's time must show (`cpus` LOAD, docs/pools.md). */
	bool alone = c->runq.count == 0 && c->isolated;

	vcpu->thread->ipi_on_ready = alone;
	vcpu_arch_trap_wfi(&vcpu->arch, !alone);
}

/*
 * The fast path may enter the guest again at once: nothing asks this thread
 * to stop or wait, and no host interrupt waits to be taken (the scheduler's
 * IPI among them).
 */
bool vcpu_may_reenter(struct vcpu *vcpu)
{
	return !vcpu->exit_req && !arch_irq_pending() && vcpu_runnable(vcpu);
}

/*
 * From here until its exit, a kick from another CPU is an IPI (vcpu_kick).
 * The fence orders this store before the flush's look at the ap_list, as
 * vcpu_kick orders its queueing before its look at in_guest: either the
 * flush sees the new interrupt, or the kicker sees in_guest and the IPI
 * makes the guest exit at once (IRQs are masked until the guest runs).
 */
static void vcpu_set_in_guest(struct vcpu *vcpu)
{
	__atomic_store_n(&vcpu->in_guest, true, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/*
 * Enter the guest until an exit needs the full path: exits that need no
 * scheduling decision (vcpu_exit_fast) are answered here with IRQs masked
 * and the guest entered again; the others are handled with IRQs on.
 */
static void vcpu_run_once(struct vcpu *vcpu)
{
	k_spinlock_key_t key = arch_irq_save();
	uint64_t kind;

	do {
		vcpu_choose_wfi_trap(vcpu);
		vcpu_set_in_guest(vcpu); /* before the flush looks (vcpu_kick) */
		vgic_flush(vcpu);
		vcpu_arch_fp_enter(&vcpu->arch);
		cpu_guest_entering();
		kind = guest_enter(&vcpu->arch);
		cpu_guest_exited(kind == GUEST_EXIT_IRQ);
		vcpu->in_guest = false;
		vcpu_arch_fp_exit(&vcpu->arch);
		vgic_sync(vcpu);
		if (!vcpu_exit_fast(vcpu, kind))
			break;
		if (!vcpu_may_reenter(vcpu)) {
			arch_irq_restore(key);
			return;
		}
	} while (true);
	arch_irq_restore(key); /* a host interrupt that ended the run is taken here */
	vcpu_handle_exit(vcpu, kind);
}

static void vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;

	while (!vcpu->exit_req) {
		/* Lock-free test first: this loop runs on every exit. */
		if (vcpu_power_get(vcpu) == VCPU_ON_PENDING && vm_state_get(vcpu->vm) == VM_RUNNING)
			vcpu_boot_self(vcpu);
		if (vcpu_runnable(vcpu))
			vcpu_run_once(vcpu);
		else
			k_sem_take(&vcpu->wake, K_FOREVER);
	}
}

/* IPI_VCPU_KICK taken: the exit it caused is for the vCPU here. */
static void vcpu_kick_irq(int intid, void *arg)
{
	(void)intid;
	(void)arg;
	cpu_ipi_taken();
}

/*
 * Make vcpu look at its interrupts and state: on its own CPU between exit
 * and entry nothing is needed (it flushes before entering); in its guest
 * on another CPU one IPI (IPI_VCPU_KICK: its handler only counts it as the
 * guest's; the exit it causes flushes), with no semaphore and no
 * scheduler; otherwise its semaphore wakes it if it waits (WFI, paused, off).
 */
void vcpu_kick(struct vcpu *vcpu)
{
	struct k_thread *t = vcpu->thread;

	if (vcpu == vcpu_current() && !__atomic_load_n(&vcpu->waiting, __ATOMIC_ACQUIRE))
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* what the caller queued, before in_guest */
	if (t && __atomic_load_n(&vcpu->in_guest, __ATOMIC_RELAXED) && t->cpu != k_cpu_id()) {
		cpu_kick_sent(t->cpu); /* its exit is the guest's (cpu_stats.c) */
		arch_send_sgi(IPI_VCPU_KICK, 1u << t->cpu);
		return;
	}
	k_sem_give(&vcpu->wake);
}

int vcpu_create(struct vm *vm, int id)
{
	struct vcpu *vcpu = &vm->vcpus[id];
	struct k_thread *t = k_calloc(1, sizeof(*t));
	void *stack = k_malloc(VCPU_STACK);
	char name[K_THREAD_NAME_LEN];
	int err;

	if (!t || !stack) {
		k_free(t);
		k_free(stack);
		return K_ENOMEM;
	}
	vcpu->vm = vm;
	vcpu->id = id;
	k_sem_init(&vcpu->wake, 0, 1);
	snprintf(name, sizeof(name), "vm%d-vcpu%d", vm->id, id);
	k_thread_create(t, name, stack, VCPU_STACK, vcpu_thread, vcpu, vm->cfg.prio);
	t->stack_owned = true;
	t->switch_out = vcpu_switch_out;
	t->switch_in = vcpu_switch_in;
	t->user_data = vcpu;
	vcpu->thread = t;
	err = pool_thread_place(t, vm->cfg.cpu_mask, NULL, 0); /* checked in vm_setup */
	if (err)
		return err;
	err = vgic_vcpu_init(vcpu);
	if (!err)
		err = vtimer_vcpu_init(vcpu);
	if (!err)
		err = ptimer_vcpu_init(vcpu);
	if (!err && id == 0)
		rt_guard_vm_made(vm); /* its template's RT guard, if any (docs/pools.md) */
	return err;
}

void vcpu_start(struct vcpu *vcpu)
{
	k_thread_start(vcpu->thread);
}

void vcpu_destroy(struct vcpu *vcpu)
{
	if (!vcpu->thread)
		return;
	vcpu->exit_req = true;
	/* Its last steps run before anything else of its pool: a vCPU that more
	 * urgent work keeps from its CPU would hold the caller (the shell) until
	 * that work stops. A few microseconds of its CPU at most. */
	k_thread_priority_set(vcpu->thread, K_PRIO_PREEMPT(0));
	vcpu_kick(vcpu);
	if (vcpu->thread->state == K_THREAD_NEW)
		k_thread_abort(vcpu->thread);
	k_thread_join(vcpu->thread, K_FOREVER);
	vcpu->thread = NULL;
	vgic_vcpu_destroy(vcpu);
}

static void maintenance_irq(int intid, void *arg)
{
	(void)intid;
	(void)arg;
	vgic_maintenance_irq();
}

void vcpu_irqs_init(void)
{
	irq_connect(platform.timer_virt_intid, vtimer_irq, NULL);
	irq_connect(platform.gic_maint_intid, maintenance_irq, NULL);
	irq_connect(platform.timer_phys_intid, ptimer_irq, NULL);
	irq_connect(IPI_VCPU_KICK, vcpu_kick_irq, NULL);
	for (int cpu = 0; cpu < K_MAX_CPUS; cpu++) {
		if (!k_cpus[cpu].online)
			continue;
		irq_enable(platform.timer_virt_intid, cpu);
		irq_enable(platform.timer_phys_intid, cpu);
		irq_enable(IPI_VCPU_KICK, cpu);
		irq_enable(platform.gic_maint_intid, cpu);
	}
}
