/*
 * Virtual machines and vCPUs. A vCPU is a kernel thread with the VM's
 * priority and CPU affinity; running it means switching its EL1 context in
 * and entering the guest until a trap brings it back.
 */
#ifndef ZVM_VM_H
#define ZVM_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/kernel.h>
#include <zvm/vdev.h>
#include <zvm/vgic.h>
#include <zvm/virtio.h>
#include <zvm/vm_config.h>
#include <zvm/vmem.h>
#include <arch/vcpu.h>

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
	struct vcpu_arch arch;		/* guest registers; first */
	struct vm *vm;
	int id;
	struct k_thread *thread;
	enum vcpu_power power;
	bool in_guest;			/* between flush and sync, on thread->cpu */
	bool exit_req;			/* the thread should end (VM deleted) */
	bool vtimer_asserted;		/* zvm raised PPI 27 and masked the timer */
	bool waiting;			/* blocked, or about to block, in a trapped WFI */
	struct k_sem wake;		/* WFI, PSCI CPU_ON and resume wait here */
	struct vgic_vcpu vgic;
};

struct vm {
	int id;
	struct vm_config cfg;
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
	struct vgic vgic;
	uint64_t cntvoff;		/* guest time = counter - cntvoff */
	uint64_t paused_at;		/* counter when paused, to freeze guest time */
	uint64_t started_at;
	struct vuart *vuart;
	bool console_attached;		/* `zvm look` is on it (survives a reset) */
	struct virtio_dev *virtio[VM_MAX_VIRTIO];	/* virt/virtio/ */
	bool hvc_attached;		/* `zvm look --hvc` is on its virtio console */
	uint64_t exits_by_kind[EXIT_KINDS];
	k_spinlock_t lock;
};

/** All exits of vm so far, of every kind (`zvm info`'s EXITS). */
static inline uint64_t vm_exits_total(const struct vm *vm)
{
	uint64_t n = 0;

	for (int k = 0; k < EXIT_KINDS; k++)
		n += vm->exits_by_kind[k];
	return n;
}

/** Stop a VM for good with a reason everyone can read; prints "VM <id> halted: <reason>". */
void vm_halt(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Make vcpu notice new work now: wake it from WFI or pull it out of the guest. */
void vcpu_kick(struct vcpu *vcpu);
/** The vCPU of vm whose MPIDR affinity is `mpidr`, or NULL. */
struct vcpu *vm_vcpu_by_mpidr(struct vm *vm, uint64_t mpidr);

#endif /* ZVM_VM_H */
