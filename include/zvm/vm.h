/*
 * Virtual machines and vCPUs. A vCPU is a kernel thread with the VM's
 * priority and CPU affinity; running it means switching its EL1 context in
 * and entering the guest until a trap brings it back.
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
#include <zvm/vmem.h>
#include <arch/vcpu.h>
#include <arch/vm.h>

#define VM_MAX		8
#define VM_REASON_LEN	96

enum vm_state {
	VM_CREATED,		/* configured, images not loaded */
	VM_RUNNING,
	VM_PAUSED,
	VM_HALTED,		/* stopped by the guest or by a fault */
};

/* Why the vCPU loop left the guest, counted per VM for `zvm info`. */
enum vm_exit_kind {
	EXIT_IRQ, EXIT_WFI, EXIT_HVC, EXIT_SMC, EXIT_SYSREG, EXIT_MMIO,
	EXIT_ABORT, EXIT_OTHER, EXIT_KINDS,
};

enum vcpu_power { VCPU_OFF, VCPU_ON };

struct vcpu {
	struct vcpu_arch arch;		/* registers, GIC CPU interface, timer line; first */
	struct vm *vm;
	int id;
	struct k_thread *thread;
	enum vcpu_power power;
	bool in_guest;			/* between flush and sync, on thread->cpu */
	bool exit_req;			/* the thread should end (VM deleted) */
	bool waiting;			/* blocked, or about to block, in a trapped WFI */
	struct k_sem wake;		/* WFI, PSCI CPU_ON and resume wait here */
};

struct vm {
	int id;
	struct vm_config cfg;
	struct vm_arch arch;		/* stage-2 registers, guest time, vGIC distributor */
	enum vm_state state;
	bool loaded;			/* images copied in */
	char halt_reason[VM_REASON_LEN];
	uint16_t vmid;
	struct vmem s2;
	void *ram;			/* host address of guest RAM */
	uint64_t ram_bytes;		/* as allocated (cfg may change before teardown) */
	struct vcpu vcpus[VM_MAX_VCPUS];
	struct vdev vdevs[VM_MAX_VDEVS];
	int nr_vdevs;
	uint64_t paused_at;		/* counter when paused, to freeze guest time */
	uint64_t started_at;
	struct vuart *vuart;
	bool console_attached;		/* `zvm look` is on it (survives a reset) */
	struct virtio_dev *virtio[VM_MAX_VIRTIO];	/* virt/virtio/ */
	bool hvc_attached;		/* `zvm look --hvc` is on its virtio console */
	uint64_t exits_by_kind[EXIT_KINDS];
	k_spinlock_t lock;
};

/** Stop a VM for good with a reason everyone can read; prints "VM <id> halted: <reason>". */
void vm_halt(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
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

#endif /* ZVM_VM_H */
