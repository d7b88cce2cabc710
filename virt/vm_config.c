/* SPDX-License-Identifier: MIT */
/*
 * VM templates: read from the compiled VM config (configs/vms.dts, loaded
 * by QEMU at ZVM_VMCFG_ADDR), with guest images resolved through the
 * manifest loaded next to them (ZVM_MANIFEST_ADDR: address, exact size and
 * first bytes of every image loaded). An image sits either in its fixed slot
 * of the build's table (ZVM_GUEST_IMAGES: name, address, room; U-Boot
 * boards) or anywhere in the image region (scripts/qemu.sh packs the files
 * it is given, the user's own too). See docs/vm-config.md.
 *
 * Both blobs sit in memory nothing else checked, so each is validated in
 * full (header, size within its reserved room, structure) before use, and
 * an image is used only if the manifest's first bytes match memory.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <zvm/guest_dtb.h>
#include <zvm/errmsg.h>
#include <zvm/fdt_util.h>
#include <zvm/kernel.h>
#include <zvm/passthrough.h>
#include <zvm/pl011_regs.h>
#include <zvm/rt_guard.h>
#include <zvm/sp805.h>
#include <zvm/vm_config.h>
#include <zvm/vmem.h>

#define GIC_MAX_SPI (GIC_INTID_SPURIOUS - 1 - GIC_NR_PRIVATE) /* INTID 1019 */

#ifdef ZVM_VMCFG_ADDR
static const struct guest_image builtin_images[] = { ZVM_GUEST_IMAGES };

static const struct vm_config_store builtin_store = {
	.templates = (const void *)(uintptr_t)ZVM_VMCFG_ADDR,
	.templates_max = ZVM_VMCFG_MAX,
	.manifest = (const void *)(uintptr_t)ZVM_MANIFEST_ADDR,
	.manifest_max = ZVM_MANIFEST_MAX,
	.images = builtin_images,
	.nr_images = sizeof(builtin_images) / sizeof(builtin_images[0]),
	.region_base = ZVM_MANIFEST_ADDR + ZVM_MANIFEST_MAX,
	.region_end = ZVM_BLOBS_END,
};
#else
/* A build without a VM config (host unit tests): everything says so. */
static const struct vm_config_store builtin_store;
#endif /* ZVM_VMCFG_ADDR */

static const struct vm_config_store *store = &builtin_store;
/* Images pushed at run time (mgmt/images.c); set once at boot, before any lookup. */
static int (*runtime_images)(const char *name, const void **addr, uint64_t *size);
static int (*runtime_ref)(const void *p, int delta);

/* Where a template is read from, for error messages. */
struct tpl {
	const void *fdt;
	int node;
	const char *name;
	char *err;
	size_t errlen;
};

void vm_config_set_store(const struct vm_config_store *s)
{
	store = s ? s : &builtin_store;
}

void vm_config_set_runtime_images(int (*find)(const char *name, const void **addr, uint64_t *size),
				  int (*ref)(const void *p, int delta))
{
	runtime_images = find;
	runtime_ref = ref;
}

static bool ref_add(const void *p, int delta)
{
	return p && runtime_ref && runtime_ref(p, delta) == 0;
}

void vm_config_hold(const struct vm_config *cfg)
{
	ref_add(cfg->kernel, 1);
	ref_add(cfg->initrd, 1);
}

void vm_config_put(const struct vm_config *cfg)
{
	ref_add(cfg->kernel, -1);
	ref_add(cfg->initrd, -1);
}

bool vm_config_image_put(const void *addr)
{
	return ref_add(addr, -1);
}

const char *vm_type_str(enum vm_type type)
{
	return type == VM_TYPE_LINUX ? "linux" : "rtos";
}

/* ---- failure policy ---- */

static const char *const action_names[VM_ACTIONS] = { "halt", "restart", "preserve" };
static const char *const event_names[VM_EVENTS] = { "", "poweroff", "reboot", "crash", "watchdog" };

void vm_policy_default(struct vm_policy *p)
{
	p->on[VM_EV_NONE] = VM_ACT_PRESERVE;
	p->on[VM_EV_POWEROFF] = VM_ACT_HALT;
	p->on[VM_EV_REBOOT] = VM_ACT_RESTART;
	p->on[VM_EV_CRASH] = VM_ACT_RESTART;
	p->on[VM_EV_WATCHDOG] = VM_ACT_RESTART;
	p->restart_max = 3;
	p->restart_window_s = 60;
}

const char *vm_action_name(enum vm_action a)
{
	return (unsigned)a < VM_ACTIONS ? action_names[a] : "?";
}

const char *vm_event_name(enum vm_event e)
{
	return e > VM_EV_NONE && e < VM_EVENTS ? event_names[e] : "?";
}

int vm_action_parse(const char *s)
{
	for (int a = 0; a < VM_ACTIONS; a++)
		if (strcmp(s, action_names[a]) == 0)
			return a;
	return -1;
}

int vm_event_parse(const char *s)
{
	for (int e = VM_EV_NONE + 1; e < VM_EVENTS; e++)
		if (strcmp(s, event_names[e]) == 0)
			return e;
	return -1;
}

/* A blob QEMU should have loaded: a complete, well-formed DTB within its room. */
static int blob_check(const void *blob, size_t max, const char *what, char *err, size_t errlen)
{
	int ret;

	if (!blob)
		return errmsg(err, errlen, "no %s in this build", what);
	ret = fdt_check_header(blob);
	if (ret == 0 && fdt_totalsize(blob) > max)
		ret = -FDT_ERR_TRUNCATED;
	if (ret == 0)
		ret = fdt_check_full(blob, fdt_totalsize(blob));
	if (ret)
		return errmsg(err, errlen, "no valid %s at %p (%s): was it loaded?", what, blob,
			      fdt_strerror(ret));
	return 0;
}

/* ---- image table and manifest ---- */

static const struct guest_image *image_entry(const char *name)
{
	for (int i = 0; i < store->nr_images; i++)
		if (strcmp(store->images[i].name, name) == 0)
			return &store->images[i];
	return NULL;
}

static int manifest_u64(const void *fdt, int node, const char *name, uint64_t *v)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	if (!p || len != 8)
		return -1;
	*v = fdt_read_cells(p, 2);
	return 0;
}

/* In its slot of the table, or packed anywhere in the store's image region. */
static int image_placed(const struct guest_image *img, const char *name, uint64_t addr,
			uint64_t size, char *err, size_t errlen)
{
	if (img && addr == img->addr && size <= img->max_size)
		return 0;
	if (store->region_end && addr >= store->region_base && addr < store->region_end &&
	    size <= store->region_end - addr)
		return 0;
	if (!img)
		return errmsg(err, errlen,
			      "image manifest: '%s' at 0x%llx, %llu bytes is outside the image "
			      "region",
			      name, (unsigned long long)addr, (unsigned long long)size);
	return errmsg(err, errlen,
		      "image manifest: '%s' at 0x%llx, %llu bytes does not "
		      "match its slot at 0x%lx, %llu bytes",
		      name, (unsigned long long)addr, (unsigned long long)size,
		      (unsigned long)img->addr, (unsigned long long)img->max_size);
}

/* The manifest entry of name: where and how big, cross-checked with the table and memory. */
static int manifest_find(const char *name, uint64_t *addr, uint64_t *size, char *err, size_t errlen)
{
	const struct guest_image *img = image_entry(name);
	const void *fdt = store->manifest;
	int node, len, ret;
	const void *head;

	ret = blob_check(fdt, store->manifest_max, "image manifest", err, errlen);
	if (ret && !img)
		return errmsg(err, errlen, "unknown image '%s' (no image manifest in this build)",
			      name);
	if (ret)
		return ret;
	node = fdt_path_offset(fdt, "/images");
	node = node < 0 ? node : fdt_subnode_offset(fdt, node, name);
	if (node < 0 && !img)
		return errmsg(err, errlen, "unknown image '%s' (not in the image table)", name);
	if (node < 0)
		return errmsg(err, errlen,
			      "image '%s' is not loaded (not in the manifest: "
			      "was it built?)",
			      name);
	head = fdt_getprop(fdt, node, "head", &len);
	if (manifest_u64(fdt, node, "addr", addr) || manifest_u64(fdt, node, "size", size) ||
	    !head || len < 1 || (uint64_t)len > *size)
		return errmsg(err, errlen, "image manifest: bad entry for '%s'", name);
	ret = image_placed(img, name, *addr, *size, err, errlen);
	if (ret)
		return ret;
	if (memcmp((const void *)(uintptr_t)*addr, head, (size_t)len) != 0)
		return errmsg(err, errlen,
			      "image '%s' is in the manifest but not in memory at "
			      "0x%lx: was it loaded?",
			      name, (unsigned long)*addr);
	return 0;
}

int vm_config_image_find(const char *name, const void **addr, uint64_t *size, char *err,
			 size_t errlen)
{
	uint64_t at = 0;
	int ret;

	if (!image_entry(name) && runtime_images && runtime_images(name, addr, size) == 0)
		return 0;
	ret = manifest_find(name, &at, size, err, errlen);
	if (ret)
		return ret;
	*addr = (const void *)(uintptr_t)at;
	return 0;
}

/* ---- template properties ---- */

static int tpl_errmsg(const struct tpl *t, const char *prop, const char *what)
{
	return errmsg(t->err, t->errlen, "template '%s': %s '%s'", t->name, what, prop);
}

/* A 32-bit value (one cell). */
static int tpl_u32(const struct tpl *t, const char *prop, uint32_t *v)
{
	int len;
	const fdt32_t *p = fdt_getprop(t->fdt, t->node, prop, &len);

	if (!p)
		return tpl_errmsg(t, prop, "missing property");
	if (len != 4)
		return tpl_errmsg(t, prop, "need one cell in");
	*v = fdt32_to_cpu(*p);
	return 0;
}

/* A 64-bit value, written as one or two cells. */
static int tpl_u64(const struct tpl *t, const char *prop, uint64_t *v)
{
	if (!fdt_getprop(t->fdt, t->node, prop, NULL))
		return tpl_errmsg(t, prop, "missing property");
	if (fdt_prop_u64(t->fdt, t->node, prop, v))
		return tpl_errmsg(t, prop, "need one or two cells in");
	return 0;
}

/* A string; NULL without error when optional and absent. */
static int tpl_str(const struct tpl *t, const char *prop, bool optional, const char **s)
{
	int len;
	const char *p = fdt_getprop(t->fdt, t->node, prop, &len);

	*s = NULL;
	if (!p)
		return optional ? 0 : tpl_errmsg(t, prop, "missing property");
	if (len < 1 || p[len - 1] != '\0' || strlen(p) != (size_t)len - 1)
		return tpl_errmsg(t, prop, "need one string in");
	*s = p;
	return 0;
}

static int parse_type(const struct tpl *t, struct vm_config *cfg)
{
	const char *type;
	int ret = tpl_str(t, "type", false, &type);

	if (ret)
		return ret;
	if (strcmp(type, "rtos") == 0)
		cfg->type = VM_TYPE_RTOS;
	else if (strcmp(type, "linux") == 0)
		cfg->type = VM_TYPE_LINUX;
	else
		return errmsg(t->err, t->errlen, "template '%s': unknown type '%s' (rtos or linux)",
			      t->name, type);
	return 0;
}

static int parse_name(const struct tpl *t, struct vm_config *cfg)
{
	const char *name;
	int ret = tpl_str(t, "vm-name", true, &name);

	if (ret)
		return ret;
	if (!name)
		name = t->name;
	if (name[0] == '\0' || strlen(name) >= VM_NAME_LEN)
		return errmsg(t->err, t->errlen,
			      "template '%s': vm-name must have 1..%d characters", t->name,
			      VM_NAME_LEN - 1);
	strcpy(cfg->name, name);
	return 0;
}

static int parse_bootargs(const struct tpl *t, struct vm_config *cfg)
{
	const char *args = NULL;
	int ret = tpl_str(t, "bootargs", true, &args);

	if (ret == 0 && args && strlen(args) >= sizeof(cfg->bootargs))
		return errmsg(t->err, t->errlen,
			      "template '%s': bootargs longer than %d characters", t->name,
			      (int)sizeof(cfg->bootargs) - 1);
	if (ret == 0)
		snprintf(cfg->bootargs, sizeof(cfg->bootargs), "%s", args ? args : "");
	return ret;
}

/* on-poweroff, on-reboot, on-crash, on-watchdog = "halt|restart|preserve"; restart-limit = <N T>. */
static int parse_policy(const struct tpl *t, struct vm_config *cfg)
{
	char prop[16];
	const char *v;
	const fdt32_t *lim;
	int len, a;

	vm_policy_default(&cfg->policy);
	for (int e = VM_EV_NONE + 1; e < VM_EVENTS; e++) {
		snprintf(prop, sizeof(prop), "on-%s", vm_event_name((enum vm_event)e));
		if (tpl_str(t, prop, true, &v))
			return K_EINVAL;
		a = v ? vm_action_parse(v) : cfg->policy.on[e];
		if (a < 0)
			return errmsg(t->err, t->errlen,
				      "template '%s': %s = \"%s\": halt, restart or preserve",
				      t->name, prop, v);
		cfg->policy.on[e] = (uint8_t)a;
	}
	lim = fdt_getprop(t->fdt, t->node, "restart-limit", &len);
	if (!lim)
		return 0;
	if (len != 8)
		return tpl_errmsg(t, "restart-limit", "need <restarts seconds> in");
	cfg->policy.restart_max = fdt32_to_cpu(lim[0]);
	cfg->policy.restart_window_s = fdt32_to_cpu(lim[1]);
	return 0;
}

/* cpus = <c0 c1 ...>: host CPU numbers; `privileged`: may read the host's CPU load. */
static int parse_cpus(const struct tpl *t, struct vm_config *cfg)
{
	int len;
	const fdt32_t *p = fdt_getprop(t->fdt, t->node, "cpus", &len);

	if (!p)
		return tpl_errmsg(t, "cpus", "missing property");
	if (len < 4 || len % 4)
		return tpl_errmsg(t, "cpus", "need a list of CPU numbers in");
	cfg->cpu_mask = 0;
	cfg->privileged = fdt_getprop(t->fdt, t->node, "privileged", NULL) != NULL;
	for (int i = 0; i < len / 4; i++) {
		uint32_t cpu = fdt32_to_cpu(p[i]);

		if (cpu >= K_MAX_CPUS)
			return errmsg(t->err, t->errlen,
				      "template '%s': host CPU %u does not exist "
				      "(at most %d)",
				      t->name, cpu, K_MAX_CPUS);
		cfg->cpu_mask |= 1u << cpu;
	}
	return 0;
}

/*
 * rt-guard = <BUDGET_US PERIOD_US>: at most BUDGET_US of host interference
 * per PERIOD_US (docs/pools.md "The RT guard"); rt-guard-action = "warn"
 * (the default) or "isolate". vm_config_check refuses it for a VM of more
 * than one vCPU (`zvm new --vcpus` may change that).
 */
static int parse_guard(const struct tpl *t, struct vm_config *cfg)
{
	int len;
	const fdt32_t *p = fdt_getprop(t->fdt, t->node, "rt-guard", &len);
	const char *action;

	if (tpl_str(t, "rt-guard-action", true, &action))
		return K_EINVAL;
	if (!p && action)
		return tpl_errmsg(t, "rt-guard-action", "no rt-guard = <BUDGET_US PERIOD_US> for");
	if (!p)
		return 0;
	if (len != 8)
		return tpl_errmsg(t, "rt-guard", "need <budget_us period_us> in");
	cfg->guard_budget_us = fdt32_to_cpu(p[0]);
	cfg->guard_period_us = fdt32_to_cpu(p[1]);
	if (!cfg->guard_period_us || cfg->guard_period_us > RT_GUARD_MAX_PERIOD_US ||
	    cfg->guard_budget_us >= cfg->guard_period_us)
		return errmsg(t->err, t->errlen,
			      "template '%s': rt-guard = <%u %u>: the budget must be below the "
			      "period, the period 1 us..1 s",
			      t->name, cfg->guard_budget_us, cfg->guard_period_us);
	if (action && strcmp(action, "warn") && strcmp(action, "isolate"))
		return errmsg(t->err, t->errlen,
			      "template '%s': rt-guard-action = \"%s\": warn or isolate", t->name,
			      action);
	cfg->guard_isolate = action && !strcmp(action, "isolate");
	return 0;
}

static int parse_numbers(const struct tpl *t, struct vm_config *cfg)
{
	uint32_t vcpus, prio;
	int ret;

	ret = tpl_u32(t, "vcpus", &vcpus);
	if (!ret)
		ret = tpl_u32(t, "priority", &prio);
	if (!ret)
		ret = tpl_u64(t, "ram-base", &cfg->ram_ipa);
	if (!ret)
		ret = tpl_u64(t, "memory-size", &cfg->ram_size);
	if (ret)
		return ret;
	cfg->nr_vcpus = vcpus > INT32_MAX ? INT32_MAX : (int)vcpus;
	cfg->prio = (int32_t)prio;
	return 0;
}

/* The images node a phandle property points at: its blob, found in memory. */
static int parse_image_ref(const struct tpl *t, const char *prop, const char **blob,
			   const void **addr, uint64_t *size, int *img_node)
{
	uint32_t ph;
	struct tpl in = *t;
	int ret = tpl_u32(t, prop, &ph);

	if (ret)
		return ret;
	in.node = fdt_node_offset_by_phandle(t->fdt, ph);
	if (in.node < 0)
		return tpl_errmsg(t, prop, "no image node for");
	ret = tpl_str(&in, "blob", false, blob);
	if (ret)
		return ret;
	*img_node = in.node;
	return vm_config_image_find(*blob, addr, size, t->err, t->errlen);
}

static int parse_images(const struct tpl *t, struct vm_config *cfg)
{
	const char *blob;
	struct tpl img;
	int ret;

	img = *t;
	ret = parse_image_ref(t, "image", &cfg->image, &cfg->kernel, &cfg->kernel_size, &img.node);
	if (ret)
		return ret;
	if (fdt_getprop(t->fdt, img.node, "load-address", NULL)) {
		ret = tpl_u64(&img, "load-address", &cfg->kernel_load_ipa);
		if (ret)
			return ret;
	}
	if (!fdt_getprop(t->fdt, t->node, "initrd", NULL))
		return 0;
	return parse_image_ref(t, "initrd", &blob, &cfg->initrd, &cfg->initrd_size, &img.node);
}

/* A PL011: reg (in the devices node's cells) and spi. */
static int parse_uart(const struct tpl *t, int node, struct vm_config *cfg)
{
	struct tpl dev = { t->fdt, node, t->name, t->err, t->errlen };
	uint64_t size;
	uint32_t spi;

	if (cfg->uart_base)
		return errmsg(t->err, t->errlen, "template '%s': more than one UART", t->name);
	if (fdt_node_reg(t->fdt, node, 0, &cfg->uart_base, &size))
		return tpl_errmsg(t, "reg", "UART needs a valid");
	if (tpl_u32(&dev, "spi", &spi))
		return K_EINVAL;
	cfg->uart_spi = spi > INT32_MAX ? INT32_MAX : (int)spi;
	if (!cfg->uart_base)
		return tpl_errmsg(t, "reg", "UART at address 0 in");
	return 0;
}

/* An SP805 watchdog: reg (in the devices node's cells) and spi. */
static int parse_watchdog(const struct tpl *t, int node, struct vm_config *cfg)
{
	struct tpl dev = { t->fdt, node, t->name, t->err, t->errlen };
	uint64_t size;
	uint32_t spi;

	if (cfg->wdt_base)
		return errmsg(t->err, t->errlen, "template '%s': more than one watchdog", t->name);
	if (fdt_node_reg(t->fdt, node, 0, &cfg->wdt_base, &size) || !cfg->wdt_base)
		return tpl_errmsg(t, "reg", "watchdog needs a valid");
	if (tpl_u32(&dev, "spi", &spi))
		return K_EINVAL;
	cfg->wdt_spi = spi > INT32_MAX ? INT32_MAX : (int)spi;
	return 0;
}

static int parse_devices(const struct tpl *t, struct vm_config *cfg)
{
	int devices = fdt_subnode_offset(t->fdt, t->node, "devices"), node, ret;

	if (passthrough_identity_parse(t->fdt, t->node, cfg, t->name, t->err, t->errlen))
		return K_EINVAL;
	if (devices < 0)
		return 0;
	fdt_for_each_subnode(node, t->fdt, devices)
	{
		if (fdt_node_check_compatible(t->fdt, node, "virtio,mmio") == 0) {
			ret = virtio_config_parse(t->fdt, node, cfg, t->name, t->err, t->errlen);
			if (ret)
				return ret;
			continue;
		}
		if (fdt_node_check_compatible(t->fdt, node, "zvm,passthrough") == 0) {
			ret = passthrough_config_parse(t->fdt, node, cfg, t->name, t->err,
						       t->errlen);
			if (ret)
				return ret;
			continue;
		}
		if (fdt_node_check_compatible(t->fdt, node, "arm,sp805") == 0) {
			ret = parse_watchdog(t, node, cfg);
			if (ret)
				return ret;
			continue;
		}
		if (fdt_node_check_compatible(t->fdt, node, "arm,pl011") != 0)
			return errmsg(t->err, t->errlen, "template '%s': unsupported device '%s'",
				      t->name, fdt_get_name(t->fdt, node, NULL));
		ret = parse_uart(t, node, cfg);
		if (ret)
			return ret;
	}
	return 0;
}

const void *vm_config_blob(char *err, size_t errlen)
{
	if (blob_check(store->templates, store->templates_max, "VM config", err, errlen))
		return NULL;
	return store->templates;
}

static int find_templates(const void **fdt, int *node, char *err, size_t errlen)
{
	int ret;

	*fdt = store->templates;
	ret = blob_check(*fdt, store->templates_max, "VM config", err, errlen);
	if (ret)
		return ret;
	*node = fdt_path_offset(*fdt, "/zvm/templates");
	if (*node < 0)
		return errmsg(err, errlen, "VM config has no /zvm/templates node");
	return 0;
}

/* Fill cfg from template `name` of the /zvm/templates node `templates` of fdt. */
static int template_parse(const void *fdt, int templates, const char *name, struct vm_config *cfg,
			  char *err, size_t errlen)
{
	static int (*const steps[])(const struct tpl *t, struct vm_config *cfg) = {
		parse_type,   parse_name,    parse_bootargs, parse_numbers, parse_cpus,
		parse_images, parse_devices, parse_policy,   parse_guard,
	};
	struct tpl t = { .fdt = fdt, .name = name, .err = err, .errlen = errlen };
	int ret;

	t.node = fdt_subnode_offset(t.fdt, templates, name);
	if (t.node < 0)
		return errmsg(err, errlen, "no template '%s'", name);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		ret = steps[i](&t, cfg);
		if (ret)
			return ret;
	}
	return 0;
}

int vm_config_from_template(const char *name, struct vm_config *cfg, char *err, size_t errlen)
{
	const void *fdt;
	int templates, ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = find_templates(&fdt, &templates, err, errlen);
	if (ret)
		return ret;
	ret = template_parse(fdt, templates, name, cfg, err, errlen);
	if (ret)
		vm_config_put(cfg); /* the images it found before the error */
	return ret;
}

int vm_config_from_blob(const void *blob, size_t max, const char *name, struct vm_config *cfg,
			char *err, size_t errlen)
{
	int templates, ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = blob_check(blob, max, "VM config", err, errlen);
	if (ret)
		return ret;
	templates = fdt_path_offset(blob, "/zvm/templates");
	if (templates < 0)
		return errmsg(err, errlen, "VM config has no /zvm/templates node");
	if (!name || !name[0]) {
		int first = fdt_first_subnode(blob, templates);

		if (first < 0)
			return errmsg(err, errlen, "VM config has no template");
		name = fdt_get_name(blob, first, NULL);
	}
	ret = template_parse(blob, templates, name, cfg, err, errlen);
	if (ret)
		vm_config_put(cfg); /* the images it found before the error */
	return ret;
}

int vm_config_template_names(char *buf, size_t len)
{
	const void *fdt;
	int templates, node, n = 0, ret;
	size_t used = 0;

	ret = find_templates(&fdt, &templates, buf, len);
	if (ret)
		return ret;
	if (len)
		buf[0] = '\0';
	fdt_for_each_subnode(node, fdt, templates)
	{
		const char *name = fdt_get_name(fdt, node, NULL);
		int w = snprintf(buf + used, len > used ? len - used : 0, "%s%s", n ? " " : "",
				 name ? name : "?");

		used += w > 0 ? (size_t)w : 0;
		n++;
	}
	return n;
}

/* The autostart order of a template node: 0 (none) unless `autostart = <N>`. */
static uint32_t autostart_order(const void *fdt, int node)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "autostart", &len);

	return p && len == 4 ? fdt32_to_cpu(*p) : 0;
}

int vm_config_autostart(char (*names)[VM_TEMPLATE_NAME_LEN], int max, char *err, size_t errlen)
{
	const void *fdt;
	int templates, node, n = 0, ret = find_templates(&fdt, &templates, err, errlen);
	uint32_t order[VM_AUTOSTART_MAX];

	if (ret)
		return ret;
	fdt_for_each_subnode(node, fdt, templates)
	{
		uint32_t o = autostart_order(fdt, node);
		const char *name = fdt_get_name(fdt, node, NULL);
		int i = n;

		if (!o || !name || n == max || n == VM_AUTOSTART_MAX)
			continue;
		for (; i > 0 && order[i - 1] > o; i--) { /* insertion sort, stable */
			order[i] = order[i - 1];
			memcpy(names[i], names[i - 1], VM_TEMPLATE_NAME_LEN);
		}
		order[i] = o;
		snprintf(names[i], VM_TEMPLATE_NAME_LEN, "%s", name);
		n++;
	}
	return n;
}

/* ---- checks ---- */

static int check_ram(const struct vm_config *cfg, char *err, size_t errlen)
{
	unsigned long long mib = cfg->ram_size >> 20;

	if (cfg->ram_size < VM_RAM_MIN || cfg->ram_size > VM_RAM_MAX)
		return errmsg(err, errlen, "memory must be %llu..%llu MiB (got %llu MiB)",
			      VM_RAM_MIN >> 20, VM_RAM_MAX >> 20, mib);
	if (cfg->ram_size % VM_RAM_ALIGN)
		return errmsg(err, errlen, "memory must be a multiple of 2 MiB (got 0x%llx bytes)",
			      (unsigned long long)cfg->ram_size);
	if (cfg->ram_ipa % VM_RAM_ALIGN)
		return errmsg(err, errlen, "RAM base 0x%llx is not 2 MiB aligned",
			      (unsigned long long)cfg->ram_ipa);
	if (cfg->ram_ipa < VM_DEVICE_WINDOW_END)
		return errmsg(err, errlen,
			      "RAM base 0x%llx overlaps the device window below 0x%llx",
			      (unsigned long long)cfg->ram_ipa, VM_DEVICE_WINDOW_END);
	if (cfg->ram_ipa > (1ull << VMEM_IPA_BITS) - cfg->ram_size)
		return errmsg(err, errlen,
			      "RAM [0x%llx, +%llu MiB) ends beyond the %d-bit "
			      "guest-physical space",
			      (unsigned long long)cfg->ram_ipa, mib, VMEM_IPA_BITS);
	return 0;
}

static int check_cpus(const struct vm_config *cfg, char *err, size_t errlen)
{
	int present = k_num_cpus_present();
	struct k_cpu_info info;

	if (cfg->cpu_mask == 0)
		return errmsg(err, errlen, "no host CPU to run on (empty CPU mask)");
	for (int cpu = 0; cpu < 32; cpu++) {
		if (!(cfg->cpu_mask & (1u << cpu)))
			continue;
		if (cpu >= present || cpu >= K_MAX_CPUS)
			return errmsg(err, errlen, "host CPU %d does not exist (%d CPUs)", cpu,
				      present);
		k_cpu_info_get(cpu, &info);
		if (!info.online)
			return errmsg(err, errlen, "host CPU %d is offline", cpu);
	}
	return 0;
}

static int check_uart(const struct vm_config *cfg, char *err, size_t errlen)
{
	uint64_t base = cfg->uart_base;

	if (!base)
		return 0;
	if (base % PL011_FRAME_SIZE || base > VM_DEVICE_WINDOW_END - PL011_FRAME_SIZE)
		return errmsg(err, errlen, "UART at 0x%llx: must be 4 KiB aligned, below 0x%llx",
			      (unsigned long long)base, VM_DEVICE_WINDOW_END);
	if (vm_ranges_overlap(base, PL011_FRAME_SIZE, GUEST_GICD_BASE, GICD_FRAME_SIZE) ||
	    vm_ranges_overlap(base, PL011_FRAME_SIZE, GUEST_GICR_BASE, GICR_STRIDE * VM_MAX_VCPUS))
		return errmsg(err, errlen, "UART at 0x%llx overlaps the GIC",
			      (unsigned long long)base);
	if (cfg->uart_spi < 0 || cfg->uart_spi > GIC_MAX_SPI)
		return errmsg(err, errlen, "UART interrupt SPI %d: must be 0..%d", cfg->uart_spi,
			      GIC_MAX_SPI);
	return 0;
}

static int check_watchdog(const struct vm_config *cfg, char *err, size_t errlen)
{
	uint64_t base = cfg->wdt_base;

	if (!base)
		return 0;
	if (base % SP805_FRAME_SIZE || base > VM_DEVICE_WINDOW_END - SP805_FRAME_SIZE)
		return errmsg(err, errlen,
			      "watchdog at 0x%llx: must be 4 KiB aligned, below 0x%llx",
			      (unsigned long long)base, VM_DEVICE_WINDOW_END);
	if (vm_ranges_overlap(base, SP805_FRAME_SIZE, GUEST_GICD_BASE, GICD_FRAME_SIZE) ||
	    vm_ranges_overlap(base, SP805_FRAME_SIZE, GUEST_GICR_BASE,
			      GICR_STRIDE * VM_MAX_VCPUS) ||
	    (cfg->uart_base &&
	     vm_ranges_overlap(base, SP805_FRAME_SIZE, cfg->uart_base, PL011_FRAME_SIZE)))
		return errmsg(err, errlen, "watchdog at 0x%llx overlaps the GIC or the UART",
			      (unsigned long long)base);
	if (cfg->wdt_spi < 0 || cfg->wdt_spi >= VM_NR_SPIS ||
	    (cfg->uart_base && cfg->wdt_spi == cfg->uart_spi))
		return errmsg(err, errlen,
			      "watchdog interrupt SPI %d: must be 0..%d, not the UART's",
			      cfg->wdt_spi, VM_NR_SPIS - 1);
	return 0;
}

static int check_policy(const struct vm_policy *p, char *err, size_t errlen)
{
	for (int e = VM_EV_NONE + 1; e < VM_EVENTS; e++)
		if (p->on[e] >= VM_ACTIONS)
			return errmsg(err, errlen, "on-%s: halt, restart or preserve",
				      vm_event_name((enum vm_event)e));
	if (p->restart_max > VM_RESTART_MAX_LIMIT ||
	    (p->restart_max &&
	     (p->restart_window_s < 1 || p->restart_window_s > VM_RESTART_MAX_WINDOW)))
		return errmsg(err, errlen,
			      "restart limit %u in %u s: restarts must be 0..%d, seconds 1..%d",
			      p->restart_max, p->restart_window_s, VM_RESTART_MAX_LIMIT,
			      VM_RESTART_MAX_WINDOW);
	return 0;
}

int vm_config_check(const struct vm_config *cfg, char *err, size_t errlen)
{
	int ret;

	if (cfg->name[0] == '\0' || memchr(cfg->name, '\0', VM_NAME_LEN) == NULL)
		return errmsg(err, errlen, "a VM needs a name of 1..%d characters",
			      VM_NAME_LEN - 1);
	if (cfg->nr_vcpus < 1 || cfg->nr_vcpus > VM_MAX_VCPUS)
		return errmsg(err, errlen, "vcpus must be 1..%d (got %d)", VM_MAX_VCPUS,
			      cfg->nr_vcpus);
	if (cfg->prio < K_HIGHEST_PRIO || cfg->prio > K_LOWEST_PRIO)
		return errmsg(err, errlen, "priority must be %d..%d (got %d)", K_HIGHEST_PRIO,
			      K_LOWEST_PRIO, cfg->prio);
	ret = check_ram(cfg, err, errlen);
	if (!ret)
		ret = check_cpus(cfg, err, errlen);
	if (!ret)
		ret = check_uart(cfg, err, errlen);
	if (!ret)
		ret = check_watchdog(cfg, err, errlen);
	if (!ret)
		ret = check_policy(&cfg->policy, err, errlen);
	if (!ret)
		ret = virtio_config_check(cfg, err, errlen);
	if (!ret)
		ret = passthrough_config_check(cfg, err, errlen);
	if (!ret && cfg->guard_period_us && cfg->nr_vcpus != 1)
		ret = errmsg(err, errlen, "rt-guard watches a VM of one vCPU (this one has %d)",
			     cfg->nr_vcpus);
	return ret;
}
