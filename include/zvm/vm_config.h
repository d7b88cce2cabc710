/* SPDX-License-Identifier: MIT */
/*
 * VM configurations: the layout of a VM, instantiated from a template of
 * the compiled VM config (build/vms.dtb, from configs/vms.dts) and checked
 * before a VM is built from it.
 *
 * Guest images and the config are placed in host RAM before boot by QEMU's
 * generic loader, at addresses fixed in mk/platform-qemu-virt.mk. The
 * loader does not say how big a blob is, so the build also loads a
 * manifest (build/images.dtb) naming each image with its exact size and
 * its first bytes; see docs/vm-config.md.
 */
#ifndef ZVM_VM_CONFIG_H
#define ZVM_VM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zvm/passthrough.h>
#include <zvm/virtio_config.h>

#define VM_MAX_VCPUS    4
#define VM_NAME_LEN     16
#define VM_BOOTARGS_LEN 256

/* Guest RAM limits checked by vm_config_check(). */
#define VM_RAM_MIN           (16ull << 20)
#define VM_RAM_MAX           (1ull << 30)
#define VM_RAM_ALIGN         (2ull << 20)
/* Guest-physical space below this is the device window (GIC, UART, ...). */
#define VM_DEVICE_WINDOW_END 0x40000000ull

enum vm_type { VM_TYPE_RTOS, VM_TYPE_LINUX };

#define VM_MAX_SHM 4
#define VM_NR_SPIS 64 /* SPIs of each VM's virtual GIC */

/* A shared-memory region as one VM sees it (see zvm/shm.h). */
struct vm_shm {
	char name[VM_NAME_LEN];
	uint64_t ipa;
	uint64_t size; /* its doorbell page follows it */
	int spi;
	int peer_index; /* this VM's place in the region's grant list */
	bool writable;
};

/* What a guest did that zvm answers by policy (virt/vmm.c). */
enum vm_event {
	VM_EV_NONE,
	VM_EV_POWEROFF, /* PSCI SYSTEM_OFF */
	VM_EV_REBOOT,   /* PSCI SYSTEM_RESET */
	VM_EV_CRASH,    /* a kernel panic: PSCI SYSTEM_RESET2 (warm), see docs/vm-config.md */
	VM_EV_WATCHDOG, /* its SP805 watchdog expired */
	VM_EVENTS,
};

/* The answer: boot it again, stop it and free its memory, or keep it stopped as it is. */
enum vm_action { VM_ACT_HALT, VM_ACT_RESTART, VM_ACT_PRESERVE, VM_ACTIONS };

#define VM_RESTART_MAX_LIMIT  16    /* restart-limit: at most this many restarts, */
#define VM_RESTART_MAX_WINDOW 86400 /* in at most this many seconds */

/* A VM's failure policy (`on-*` and `restart-limit` in its template, `zvm policy`). */
struct vm_policy {
	uint8_t on[VM_EVENTS];     /* enum vm_action per enum vm_event */
	uint32_t restart_max;      /* more restarts than this ... */
	uint32_t restart_window_s; /* ... within this many seconds: halt instead */
};

/* The layout of a VM, from its template and `zvm new`/`zvm update` options. */
struct vm_config {
	enum vm_type type;
	char name[VM_NAME_LEN];
	int nr_vcpus;
	uint32_t cpu_mask; /* host CPUs its vCPUs may run on */
	int prio;          /* host priority of its vCPU threads */
	uint64_t ram_ipa;  /* guest-physical base of its RAM */
	uint64_t ram_size;
	const void *kernel; /* image in host memory */
	uint64_t kernel_size;
	uint64_t kernel_load_ipa;       /* raw images: where to load; 0 = default */
	char bootargs[VM_BOOTARGS_LEN]; /* the guest's command line, "" = none */
	const char *image;              /* name of the kernel blob, for `zvm info` */
	const void *initrd;             /* Linux initramfs in host memory, or NULL */
	uint64_t initrd_size;
	uint64_t uart_base; /* emulated PL011, 0 = none */
	int uart_spi;       /* its interrupt: SPI number (INTID - 32) */
	int nr_shm;         /* shared memory granted to a VM of this name */
	struct vm_shm shm[VM_MAX_SHM];
	struct virtio_cfg virtio[VM_MAX_VIRTIO]; /* virtio-mmio devices */
	int nr_virtio;
	struct vm_policy policy;
	uint64_t wdt_base;                         /* emulated SP805 watchdog, 0 = none */
	int wdt_spi;                               /* its interrupt: SPI number */
	struct passthrough_cfg pt[PT_MAX_DEVICES]; /* host devices it owns (passthrough.h) */
	int nr_pt;
	enum pt_identity identity; /* RAM at IPA == PA (`identity-map`) */
	bool privileged;           /* may read the host's per-CPU load (ZVM_HC_CPU_IDLE) */
	/* `rt-guard = <BUDGET_US PERIOD_US>` (0 0: none), `rt-guard-action`: the RT guard from the start */
	uint32_t guard_budget_us, guard_period_us;
	bool guard_isolate; /* "isolate"; "warn" (the default): report only */
};

/** A blob the loader places at a fixed host address (table built from the mk file). */
struct guest_image {
	const char *name;
	uintptr_t addr;
	uint64_t max_size;
};

/** Where the compiled config, the manifest and the images are (tests and boards). */
struct vm_config_store {
	const void *templates; /* compiled configs/vms.dts */
	size_t templates_max;  /* room reserved for it */
	const void *manifest;  /* compiled build/images.dts */
	size_t manifest_max;
	const struct guest_image *images;
	int nr_images;
	/* An image may also sit anywhere in [region_base, region_end) (none: 0, 0). */
	uintptr_t region_base, region_end;
};

/**
 * Replace the store the functions below read; NULL restores the built-in
 * one (the ZVM_VMCFG_ADDR/ZVM_MANIFEST_ADDR/ZVM_GUEST_IMAGES of the build).
 */
void vm_config_set_store(const struct vm_config_store *store);

/**
 * Fill cfg from the template named `name` (a node of /zvm/templates) and
 * resolve its images to host memory. The result still needs
 * vm_config_check() once command-line overrides are applied.
 * Returns 0, or K_EINVAL with a message in err.
 */
int vm_config_from_template(const char *name, struct vm_config *cfg, char *err, size_t errlen);

/**
 * Like vm_config_from_template, from a VM config DTB of at most max bytes
 * that was not loaded at boot (one sent by zvmctl); a NULL or empty name
 * takes its first template. The DTB is checked in full first. cfg points
 * into blob (the image name), so blob must outlive the VM.
 */
int vm_config_from_blob(const void *blob, size_t max, const char *name, struct vm_config *cfg,
			char *err, size_t errlen);

/**
 * Let vm_config_image_find also find images pushed at run time: find is
 * asked for a name not in the build's image table (0 with addr and size
 * set, and a reference taken on what it found; or nonzero). ref adds delta
 * (+1 or -1) to the references of the runtime image p points into: 0, or
 * nonzero if p is in none (a build image: not counted). Set once at boot.
 */
void vm_config_set_runtime_images(int (*find)(const char *name, const void **addr, uint64_t *size),
				  int (*ref)(const void *p, int delta));

/*
 * References on runtime images (mgmt/images.c), which are freed or replaced
 * only with none left: a config that vm_config_from_template/_from_blob
 * filled holds one on each runtime image it points to (kernel, initrd),
 * until its owner calls vm_config_put (also after handing it to vmm_new or
 * vmm_update, which take the VM's own with vm_config_hold; vmm_delete puts
 * it). A lookup that comes after a delete finds nothing, one before it
 * makes the delete wait for its put: no window, no timer. Build images
 * are not counted (these calls do nothing for them).
 */
void vm_config_hold(const struct vm_config *cfg);
void vm_config_put(const struct vm_config *cfg);
/** Drop the reference vm_config_image_find took on addr; true if it was a runtime image. */
bool vm_config_image_put(const void *addr);

/**
 * Check that cfg describes a VM zvm can build here: vCPUs, RAM size and
 * placement, host CPUs (online), priority, UART. Returns 0, or K_EINVAL
 * with a message in err.
 */
int vm_config_check(const struct vm_config *cfg, char *err, size_t errlen);

/**
 * Write the names of all templates, separated by spaces, into buf.
 * Returns the number of templates, or K_EINVAL (message in buf).
 */
int vm_config_template_names(char *buf, size_t len);

#define VM_TEMPLATE_NAME_LEN 32
#define VM_AUTOSTART_MAX     8

/**
 * The templates marked `autostart = <N>` (N >= 1), in start order: by N,
 * then as written. Fills names (at most max) and returns how many, or
 * K_EINVAL with a message in err (no usable VM config).
 */
int vm_config_autostart(char (*names)[VM_TEMPLATE_NAME_LEN], int max, char *err, size_t errlen);

/** Find a loaded image by name; 0 with *addr and *size set, or K_EINVAL with err. */
int vm_config_image_find(const char *name, const void **addr, uint64_t *size, char *err,
			 size_t errlen);

/** The compiled VM config, checked; NULL with a message in err if it is unusable. */
const void *vm_config_blob(char *err, size_t errlen);

/** Does [a, a + alen) meet [b, b + blen)? */
static inline bool vm_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/** The default policy: poweroff halts, reboot, crash and watchdog restart, 3 in 60 s. */
void vm_policy_default(struct vm_policy *p);
/** "halt", "restart", "preserve" ("?" out of range). */
const char *vm_action_name(enum vm_action a);
/** "poweroff", "reboot", "crash", "watchdog" ("?" otherwise). */
const char *vm_event_name(enum vm_event e);
/** The action named s, or -1. */
int vm_action_parse(const char *s);
/** The event named s ("crash" for on-crash), or -1. */
int vm_event_parse(const char *s);

/** "rtos" or "linux". */
const char *vm_type_str(enum vm_type type);

#endif /* ZVM_VM_CONFIG_H */
