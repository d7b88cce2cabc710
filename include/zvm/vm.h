/* SPDX-License-Identifier: MIT */
/*
 * Virtual machines and vCPUs. A vCPU is a kernel thread with the VM's
 * priority and CPU affinity; running it means switching its EL1 context in
 * and entering the guest until a trap brings it back.
 *
 * Who may write what. "The VMM" is a thread holding vmm_lock (virt/vmm.c,
 * vmm_lock_held()); "stopped" means no thread of the VM's vCPUs has been
 * started or all of them have been joined (vm_setup before vm_start, and
 * vm_teardown after vcpu_destroy). Anyone may read a field for a snapshot.
 *
 * struct vm
 *   id, cfg, vmid, s2, ram, ram_bytes, loaded, started_at, vuart, virtio,
 *   arch (its stage-2 registers; the vGIC distributor has its own locks,
 *   virt/vgic/vgic.c), and every vcpus[i] as a whole (create, destroy):
 *       the VMM, while the VM is stopped.
 *   vdevs, nr_vdevs (the MMIO registry): the VMM while the VM is stopped;
 *       vdev_register/vdev_unregister_priv assert it, vCPUs only read it.
 *   state, halt_reason, paused_at, arch.cntvoff: with vm->lock held, through
 *       vm_set_state() and vm_halt(). The VMM makes every transition; a vCPU
 *       thread of this VM only RUNNING or PAUSED -> HALTED (vm_halt) and
 *       RUNNING or PAUSED -> PAUSED for a guest reset (vmm_request_reset).
 *       A transition checks the state it starts from under the lock, so a
 *       vCPU's halt and the VMM's pause or resume never undo each other.
 *       The VMM may also write them without the lock while the VM is stopped.
 *   state_since_ms, pending, events: with vm->lock held, by whoever makes the
 *       state change (vm_change_state stamps state_since_ms): a guest event
 *       (vm_guest_stop: RUNNING or PAUSED -> HALTED or CRASHED, by a vCPU
 *       thread or the watchdog poller) sets pending and counts it in events;
 *       the VMM worker takes pending (vm_take_pending) and answers it by
 *       policy. vm_setup clears pending (VMM, VM stopped).
 *   last_event, last_event_ms, restarts, restart_ms[]: the VMM (worker).
 *   console_log: the vUART (vm_log_putc, under its lock and the log's own).
 *   cfg.policy: the VMM at any time (zvm policy); read by the VMM.
 *   wdt: the VMM while the VM is stopped (sp805_init/destroy); its
 *       registers under its own lock (virt/dev/sp805.c).
 *   exits_by_kind: any vCPU thread of this VM, by an atomic add
 *       (vm_count_exit); the VMM zeroes it while the VM is stopped.
 *   virqs: any CPU, by an atomic add (vgic_inject on a raise, vgic_inject_hw,
 *       vcpu_exit_fast for the interrupts guest.S delivered); the VMM zeroes
 *       it while the VM is stopped.
 *   console_attached: vuart_attach, under the vUART's lock.
 *   hvc_attached: virtio_console_attach, under the virtio console's mutex.
 *   lock: a spinlock held for a few loads and stores only; nothing (no
 *       printf, no kick, no other lock) is done while holding it.
 *
 * struct vcpu
 *   vm, id, thread: the VMM, while the VM is stopped (vcpu_create/destroy).
 *   arch: the vCPU's own thread; other threads only while the VM is stopped
 *       (vm_load resets it before the threads start). A PSCI CPU_ON caller
 *       never touches it: the target resets itself (vcpu_boot_self).
 *       Except: its cntvoff also by the VMM under vm->lock while the VM is
 *       paused, just before it runs again (vcpu_arch_set_cntvoff; its vCPUs
 *       do not enter the guest while paused and load it when they get a
 *       CPU); its vtimer_asserted also by the virtual timer interrupt on its
 *       CPU while it is current there (the same CPU); its vgic under the
 *       vGIC's own locks (virt/vgic/vgic.c); its fast.hw_lr[] also set to 0
 *       by any vCPU thread of the VM emulating a distributor write to a
 *       passed-through SPI (vgic_fast_disarm, an atomic store).
 *   power, boot_pc, boot_arg: with vm->lock held (virt/vcpu_power.c):
 *       OFF -> ON_PENDING by the one CPU_ON caller that finds it OFF (it
 *       also writes boot_*); ON_PENDING -> ON and ON -> OFF (CPU_OFF) by the
 *       vCPU's own thread; any value by the VMM while the VM is stopped.
 *   in_guest, waiting: the vCPU's own thread (waiting with atomics).
 *   exit_req: the VMM (vcpu_destroy).
 *   wake: a semaphore: anyone gives, only the vCPU's own thread takes.
 */
#ifndef ZVM_VM_H
#define ZVM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zvm/kernel.h>
#include <zvm/vdev.h>
#include <zvm/vgic.h>
#include <zvm/virtio.h>
#include <zvm/vm_config.h>
#include <zvm/vm_log.h>
#include <zvm/vmem.h>
#include <arch/vcpu.h>
#include <arch/vm.h>

#define VM_MAX        8
#define VM_REASON_LEN 96

enum vm_state {
	VM_CREATED, /* configured, images not loaded */
	VM_RUNNING,
	VM_PAUSED,
	VM_HALTED,  /* stopped by the guest or by a fault */
	VM_CRASHED, /* stopped after a kernel panic or a watchdog expiry */
	VM_STOPPED, /* zvm stop: its config only, memory and devices released */
	VM_STATES,
};

/* Why the vCPU loop left the guest, counted per VM for `zvm info`. */
enum vm_exit_kind {
	EXIT_IRQ,
	EXIT_WFI,
	EXIT_HVC,
	EXIT_SMC,
	EXIT_SYSREG,
	EXIT_MMIO,
	EXIT_ABORT,
	EXIT_OTHER,
	EXIT_KINDS,
};

/* PSCI power state of a vCPU (rules above; virt/vcpu_power.c). */
enum vcpu_power {
	VCPU_OFF,        /* never started, or after CPU_OFF */
	VCPU_ON_PENDING, /* a CPU_ON was accepted; the vCPU has not yet reset itself */
	VCPU_ON,
};

struct vcpu {
	struct vcpu_arch arch; /* registers, GIC CPU interface, timer line; first */
	struct vm *vm;
	int id;
	struct k_thread *thread;
	enum vcpu_power power;
	uint64_t boot_pc;  /* the accepted CPU_ON: entry point, */
	uint64_t boot_arg; /* and context id for x0 */
	bool in_guest;     /* from just before its flush to its exit, on thread->cpu */
	bool exit_req;     /* the thread should end (VM deleted) */
	bool waiting;      /* blocked, or about to block, in a trapped WFI */
	struct k_sem wake; /* WFI, PSCI CPU_ON and resume wait here */
};

struct vm {
	int id;
	struct vm_config cfg;
	struct vm_arch arch; /* stage-2 registers, guest time, vGIC distributor */
	enum vm_state state;
	bool loaded; /* images copied in */
	char halt_reason[VM_REASON_LEN];
	uint16_t vmid;
	struct vmem s2;
	void *ram;          /* host address of guest RAM */
	uint64_t ram_bytes; /* as allocated (cfg may change before teardown) */
	struct vcpu vcpus[VM_MAX_VCPUS];
	struct vdev vdevs[VM_MAX_VDEVS];
	int nr_vdevs;
	uint64_t paused_at; /* counter when paused, to freeze guest time */
	uint64_t started_at;
	struct vuart *vuart;
	bool console_attached;                    /* `zvm look` is on it (survives a reset) */
	struct virtio_dev *virtio[VM_MAX_VIRTIO]; /* virt/virtio/ */
	bool hvc_attached;                        /* `zvm look --hvc` is on its virtio console */
	uint64_t exits_by_kind[EXIT_KINDS];
	uint64_t virqs;                 /* virtual interrupts raised for it (its stats) */
	uint64_t state_since_ms;        /* host uptime at the last state change */
	enum vm_event pending;          /* a guest event the VMM has yet to answer */
	uint32_t events[VM_EVENTS];     /* how often each happened */
	char last_event[VM_REASON_LEN]; /* the last one and the answer */
	uint64_t last_event_ms;         /* host uptime then */
	uint32_t restarts;              /* restarts by policy, in all */
	uint64_t restart_ms[VM_RESTART_MAX_LIMIT]; /* host uptime of the latest ones (a ring) */
	struct vm_log console_log;                 /* its UART's output (include/zvm/vm_log.h) */
	struct sp805 *wdt;                         /* virt/dev/sp805.c, or NULL */
	k_spinlock_t lock; /* state, halt_reason, paused_at, arch.cntvoff, vCPU power */
};

/** All exits of vm so far, of every kind (`zvm info`'s EXITS). */
static inline uint64_t vm_exits_total(const struct vm *vm)
{
	uint64_t n = 0;

	for (int k = 0; k < EXIT_KINDS; k++)
		n += vm->exits_by_kind[k];
	return n;
}

/* A mask of vm_state values, for vm_set_state(). */
#define VM_STATE_BIT(s) (1u << (s))
#define VM_STATE_ANY                                                                     \
	(VM_STATE_BIT(VM_CREATED) | VM_STATE_BIT(VM_RUNNING) | VM_STATE_BIT(VM_PAUSED) | \
	 VM_STATE_BIT(VM_HALTED) | VM_STATE_BIT(VM_CRASHED) | VM_STATE_BIT(VM_STOPPED))

/**
 * Move vm to `to` if its state is one of `from` (a VM_STATE_BIT mask),
 * under vm->lock; leaving RUNNING freezes guest time (paused_at), PAUSED ->
 * RUNNING continues it. Returns false, changing nothing, otherwise.
 * Does not kick the vCPUs.
 */
bool vm_set_state(struct vm *vm, unsigned from, enum vm_state to);
/**
 * hook is called after VMs changed (vm_notify_change): as every VMM step
 * releases vmm_lock (the table and states whole again), and when a vCPU
 * halts its VM or raises a guest event outside it. Never with a lock held;
 * the hook must not block. Set once at boot by the management agent,
 * which it wakes.
 */
void vm_set_change_hook(void (*hook)(void));
void vm_notify_change(void);
/** The VM's state now (a snapshot). */
static inline enum vm_state vm_state_get(const struct vm *vm)
{
	return __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE);
}
/** Count one exit of this kind; any vCPU thread of vm. */
static inline void vm_count_exit(struct vm *vm, enum vm_exit_kind kind)
{
	__atomic_fetch_add(&vm->exits_by_kind[kind], 1, __ATOMIC_RELAXED);
}

/**
 * Stop a running or paused VM for good with a reason everyone can read;
 * prints "VM <id> halted: <reason>". A VM that is already halted (or being
 * rebuilt) keeps its first reason. From a vCPU thread or the VMM.
 */
void vm_halt(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/**
 * A guest event (not NONE): stop a running or paused VM in state `to`
 * (HALTED or CRASHED) with reason, count it and leave it pending for the
 * VMM. Returns false, changing nothing, if the VM is not running or paused
 * or an event is pending already. From a vCPU thread or the VMM.
 */
bool vm_guest_stop(struct vm *vm, enum vm_event ev, enum vm_state to, const char *reason);
/** Take the pending guest event of vm (VM_EV_NONE if none). */
enum vm_event vm_take_pending(struct vm *vm);
/** Make vcpu notice new work now: wake it from WFI or pull it out of the guest. */
void vcpu_kick(struct vcpu *vcpu);
/** The vCPU of vm whose MPIDR affinity is `mpidr`, or NULL. */
struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr);
/** Kick every vCPU of vm (after a change of vm->state). */
void vm_kick_all(struct vm *vm);

/*
 * The VM object's steps (virt/vm.c), called by the VM manager (virt/vmm.c)
 * with its lock held. Each returns 0 or a K_E* code with a message in err.
 */

/** Build vm's resources from vm->cfg: RAM, stage 2, VMID, devices, vCPUs; state CREATED. */
int vm_setup(struct vm *vm, char *err, size_t len);
/** Release everything vm_setup took (also after a partial vm_setup). */
void vm_teardown(struct vm *vm);
/** Load the images and start vCPU 0 at the entry point; state RUNNING. */
int vm_start(struct vm *vm, char *err, size_t len);
/** Continue a paused VM with its guest time frozen across the pause; state RUNNING. */
int vm_resume(struct vm *vm);
/** Tear down and build again from vm->cfg; `start` runs it again. */
int vm_rebuild(struct vm *vm, bool start, char *err, size_t len);
/** Rebuild vm with cfg; on failure it keeps (and is rebuilt with) its old configuration. */
int vm_reconfigure(struct vm *vm, const struct vm_config *cfg, char *err, size_t len);
/** ZVM_HC_CPU_IDLE / ZVM_HC_CPU_COUNT for a guest of vm (include/zvm/psci_ids.h). */
int64_t vm_hc_cpu_load(const struct vm *vm, uint32_t fn, uint64_t cpu);
/** Move vm's vCPU threads to the CPUs `mask` (its pool's rules apply); VMM only. */
int vm_repin(struct vm *vm, uint32_t mask, char *err, size_t len);

#endif /* ZVM_VM_H */
