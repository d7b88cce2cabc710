/* SPDX-License-Identifier: MIT */
/*
 * Guest images and VM configs pushed from the PC at run time. An upload is
 * `upload NAME SIZE CRC [config]`, then `chunk NAME OFFSET` frames in order
 * (data after the line's NUL), then `commit NAME`: only a complete upload
 * whose size and CRC-32 match becomes visible, to `zvm new` as an image
 * name (vm_config_image_find) or to `new --config NAME`. Memory comes from
 * the page allocator and goes back on delete, on replacement, and for an
 * upload a client abandoned (idle for UPLOAD_IDLE_MS, or a new hello).
 * An image or config that a VM uses is never overwritten or freed.
 *
 * The table is read and written by the agent thread; other threads (the
 * shell's `zvm new`, vm_setup resolving a virtio-blk disk) look images up
 * and count references, under slots_lock.
 *
 * An image is freed or replaced only with no reference left (refs, under
 * slots_lock, checked and freed in one go): every lookup takes one
 * (vm_config_image_find), held by the config being made until its owner
 * puts it; each VM holds its own from vmm_new to vmm_delete, a virtio-blk
 * disk one while its VM has the device (include/zvm/vm_config.h). A lookup
 * before a delete makes the delete refuse; one after finds nothing.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <zvm/kernel.h>
#include <zvm/mm.h>
#include <zvm/vmm.h>
#include "mgmt_internal.h"

#define SLOTS          8
#define IMAGE_NAME_LEN 32
#define IMAGE_MAX      (128ull << 20)
#define UPLOAD_IDLE_MS 10000
#define CHUNK_MAX      4096

struct slot {
	char name[IMAGE_NAME_LEN];
	bool used;
	bool complete; /* committed: size and CRC checked */
	bool config;   /* a VM config DTB, not an image */
	uint8_t *mem;
	size_t pages;
	uint64_t size, received;
	uint32_t crc, crc_now; /* expected; of what was received so far */
	uint64_t last_ms;      /* last chunk, for abandoned uploads */
	int refs;              /* lookups, VMs and disks using it (slots_lock) */
};

static struct slot slots[SLOTS];
static struct k_mutex slots_lock;

/* Is [mem, mem + size) referenced by a VM (kernel, initrd, image name, disk)? */
static int slot_user(const struct slot *s)
{
	uintptr_t lo = (uintptr_t)s->mem, hi = lo + s->size;

	for (int id = 0; id < VM_MAX; id++) {
		const struct vm *vm = vmm_get(id);

		if (!vm)
			continue;
		const uintptr_t p[] = { (uintptr_t)vm->cfg.kernel, (uintptr_t)vm->cfg.initrd,
					(uintptr_t)vm->cfg.image };

		for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
			if (p[i] >= lo && p[i] < hi)
				return id;
		for (int v = 0; v < vm->cfg.nr_virtio; v++)
			if (!strcmp(vm->cfg.virtio[v].disk, s->name))
				return id;
	}
	return -1;
}

static void slot_free_locked(struct slot *s)
{
	if (s->mem)
		page_free(s->mem, s->pages);
	memset(s, 0, sizeof(*s));
}

static void slot_free(struct slot *s)
{
	k_mutex_lock(&slots_lock, K_FOREVER);
	slot_free_locked(s);
	k_mutex_unlock(&slots_lock);
}

/* Free s if nothing references it, in one step against a lookup; false if in use. */
static bool slot_free_unused(struct slot *s)
{
	bool unused;

	k_mutex_lock(&slots_lock, K_FOREVER);
	unused = s->refs == 0;
	if (unused)
		slot_free_locked(s);
	k_mutex_unlock(&slots_lock);
	return unused;
}

static struct slot *slot_find(const char *name, bool complete)
{
	for (int i = 0; i < SLOTS; i++)
		if (slots[i].used && slots[i].complete == complete && !strcmp(slots[i].name, name))
			return &slots[i];
	return NULL;
}

/* For vm_config_image_find: a committed image (not a config) by name. */
static int runtime_image_find(const char *name, const void **addr, uint64_t *size)
{
	struct slot *s;
	int ret = -1;

	k_mutex_lock(&slots_lock, K_FOREVER);
	s = slot_find(name, true);
	if (s && !s->config) {
		*addr = s->mem;
		*size = s->size;
		s->refs++; /* the caller's: see vm_config_put */
		ret = 0;
	}
	k_mutex_unlock(&slots_lock);
	return ret;
}

/* For vm_config_hold/put: delta references on the committed image p points into. */
static int runtime_image_ref(const void *p, int delta)
{
	uintptr_t a = (uintptr_t)p;
	int ret = -1;

	k_mutex_lock(&slots_lock, K_FOREVER);
	for (int i = 0; i < SLOTS && ret; i++) {
		struct slot *s = &slots[i];

		if (s->used && s->complete && !s->config && a >= (uintptr_t)s->mem &&
		    a < (uintptr_t)s->mem + s->size) {
			s->refs += delta;
			K_ASSERT(s->refs >= 0);
			ret = 0;
		}
	}
	k_mutex_unlock(&slots_lock);
	return ret;
}

const void *mgmt_config_find(const char *name)
{
	struct slot *s = slot_find(name, true);

	return s && s->config ? s->mem : NULL;
}

void mgmt_images_init(void)
{
	k_mutex_init(&slots_lock);
	vm_config_set_runtime_images(runtime_image_find, runtime_image_ref);
}

void mgmt_images_expire(uint64_t now_ms, bool all_partial)
{
	for (int i = 0; i < SLOTS; i++)
		if (slots[i].used && !slots[i].complete &&
		    (all_partial || now_ms > slots[i].last_ms + UPLOAD_IDLE_MS))
			slot_free(&slots[i]);
}

uint64_t mgmt_images_deadline(void)
{
	uint64_t at = UINT64_MAX;

	for (int i = 0; i < SLOTS; i++)
		if (slots[i].used && !slots[i].complete && slots[i].last_ms + UPLOAD_IDLE_MS < at)
			at = slots[i].last_ms + UPLOAD_IDLE_MS + 1;
	return at;
}

static int name_check(struct mgmt_req *r, const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= IMAGE_NAME_LEN)
		return mgmt_fail(r, "an image name has 1 to %d characters", IMAGE_NAME_LEN - 1);
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			    name[i]))
			return mgmt_fail(r, "image name '%s': only letters, digits, '.', '_', '-'",
					 name);
	return 0;
}

static int slot_refs(const struct slot *s)
{
	int n;

	k_mutex_lock(&slots_lock, K_FOREVER);
	n = s->refs;
	k_mutex_unlock(&slots_lock);
	return n;
}

/* Why a complete image or config of this name may not be replaced nor freed; 0 if it may. */
static int in_use(struct mgmt_req *r, const char *name)
{
	struct slot *old = slot_find(name, true);
	int user = old ? slot_user(old) : -1;

	if (user >= 0)
		return mgmt_fail(r, "'%s' is in use by VM %d: delete the VM first", name, user);
	if (old && slot_refs(old))
		return mgmt_fail(r, "'%s' is in use (a VM is being made from it): try again", name);
	return 0;
}

static struct slot *slot_new(void)
{
	for (int i = 0; i < SLOTS; i++)
		if (!slots[i].used)
			return &slots[i];
	return NULL;
}

static int req_upload(struct mgmt_req *r, struct jbuf *out)
{
	uint64_t size, crc;
	struct slot *s;

	if (r->argc < 4 || r->argc > 5 || (r->argc == 5 && strcmp(r->argv[4], "config")))
		return mgmt_fail(r, "usage: upload NAME SIZE CRC32 [config]");
	if (name_check(r, r->argv[1]) || in_use(r, r->argv[1]))
		return 1;
	if (shell_parse_uint(r->argv[2], 1, IMAGE_MAX, &size))
		return mgmt_fail(r, "size '%s': 1 byte to %llu MiB", r->argv[2], IMAGE_MAX >> 20);
	if (shell_parse_uint(r->argv[3], 0, UINT32_MAX, &crc))
		return mgmt_fail(r, "CRC-32 '%s': a number such as 0x1234abcd", r->argv[3]);
	if (r->argc == 5 && size > MGMT_CONFIG_MAX)
		return mgmt_fail(r, "a config is at most %d bytes", MGMT_CONFIG_MAX);
	s = slot_find(r->argv[1], false); /* restarting an upload replaces it */
	if (s)
		slot_free(s);
	s = slot_new();
	if (!s)
		return mgmt_fail(r, "all %d image slots are taken: delete one", SLOTS);
	s->pages = (size_t)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	s->mem = page_alloc(s->pages);
	if (!s->mem)
		return mgmt_fail(r, "no %llu KiB of free memory for '%s'",
				 (unsigned long long)(size >> 10), r->argv[1]);
	snprintf(s->name, sizeof(s->name), "%s", r->argv[1]);
	s->used = true;
	s->config = r->argc == 5;
	s->size = size;
	s->crc = (uint32_t)crc;
	s->last_ms = k_uptime_ms();
	jb_key(out, "chunk");
	jb_printf(out, "%d", CHUNK_MAX);
	return 0;
}

static int req_chunk(struct mgmt_req *r, struct jbuf *out)
{
	struct slot *s = r->argc == 3 ? slot_find(r->argv[1], false) : NULL;
	uint64_t off;

	if (r->argc != 3)
		return mgmt_fail(r, "usage: chunk NAME OFFSET (data after the NUL)");
	if (!s)
		return mgmt_fail(r, "no upload of '%s' in progress", r->argv[1]);
	if (shell_parse_uint(r->argv[2], 0, IMAGE_MAX, &off) || off != s->received)
		return mgmt_fail(r, "chunk at offset %s, expected %llu", r->argv[2],
				 (unsigned long long)s->received);
	if (r->dlen == 0 || r->dlen > CHUNK_MAX || r->dlen > s->size - s->received)
		return mgmt_fail(r, "chunk of %u bytes: 1 to %d and within the size", r->dlen,
				 CHUNK_MAX);
	memcpy(s->mem + s->received, r->data, r->dlen);
	s->crc_now = mgmt_crc32(s->crc_now, r->data, r->dlen);
	s->received += r->dlen;
	s->last_ms = k_uptime_ms();
	jb_key(out, "received");
	jb_printf(out, "%llu", (unsigned long long)s->received);
	return 0;
}

/* A config must be a whole DTB with templates: checked before it is accepted. */
static int config_check(struct mgmt_req *r, const struct slot *s)
{
	if (fdt_check_header(s->mem) || fdt_totalsize(s->mem) > s->size ||
	    fdt_check_full(s->mem, s->size))
		return mgmt_fail(r, "'%s' is not a valid devicetree blob", s->name);
	if (fdt_path_offset(s->mem, "/zvm/templates") < 0)
		return mgmt_fail(r, "config '%s' has no /zvm/templates node", s->name);
	return 0;
}

static int req_commit(struct mgmt_req *r, struct jbuf *out)
{
	struct slot *s = r->argc == 2 ? slot_find(r->argv[1], false) : NULL, *old;
	int ret = 0;

	if (r->argc != 2)
		return mgmt_fail(r, "usage: commit NAME");
	if (!s)
		return mgmt_fail(r, "no upload of '%s' in progress", r->argv[1]);
	if (s->received != s->size)
		ret = mgmt_fail(r, "'%s': %llu of %llu bytes received", s->name,
				(unsigned long long)s->received, (unsigned long long)s->size);
	else if (s->crc_now != s->crc)
		ret = mgmt_fail(r, "'%s': CRC-32 0x%08x, expected 0x%08x", s->name, s->crc_now,
				s->crc);
	else if (s->config)
		ret = config_check(r, s);
	if (!ret)
		ret = in_use(r, s->name);
	if (ret) {
		slot_free(s); /* a failed upload leaves nothing behind */
		return ret;
	}
	old = slot_find(s->name, true);
	if (old && !slot_free_unused(old)) { /* looked up since in_use() */
		slot_free(s);
		return mgmt_fail(r, "'%s' is in use (a VM is being made from it): try again",
				 r->argv[1]);
	}
	k_mutex_lock(&slots_lock, K_FOREVER);
	s->complete = true;
	k_mutex_unlock(&slots_lock);
	jb_key(out, "size");
	jb_printf(out, "%llu", (unsigned long long)s->size);
	return 0;
}

static int req_images(struct mgmt_req *r, struct jbuf *out)
{
	(void)r;
	jb_key(out, "images");
	jb_printf(out, "[");
	for (int i = 0; i < SLOTS; i++) {
		const struct slot *s = &slots[i];

		if (!s->used)
			continue;
		jb_item(out);
		jb_printf(out, "{\"name\":");
		jb_str(out, s->name);
		jb_printf(out,
			  ",\"kind\":\"%s\",\"size\":%llu,\"received\":%llu,\"crc\":\"0x%08x\","
			  "\"complete\":%s,\"used_by\":%d}",
			  s->config ? "config" : "image", (unsigned long long)s->size,
			  (unsigned long long)s->received, s->crc, s->complete ? "true" : "false",
			  slot_user(s));
	}
	jb_printf(out, "]");
	return 0;
}

static int req_image_delete(struct mgmt_req *r, struct jbuf *out)
{
	struct slot *s;

	(void)out;
	if (r->argc != 2)
		return mgmt_fail(r, "usage: image-delete NAME");
	s = slot_find(r->argv[1], true);
	if (!s)
		s = slot_find(r->argv[1], false);
	if (!s)
		return mgmt_fail(r, "no image '%s'", r->argv[1]);
	if (in_use(r, s->name))
		return 1;
	if (!slot_free_unused(s)) /* looked up since in_use() */
		return mgmt_fail(r, "'%s' is in use (a VM is being made from it): try again",
				 s->name);
	return 0;
}

const struct mgmt_cmd mgmt_image_cmds[] = {
	{ "upload", req_upload, "upload NAME SIZE CRC32 [config]" },
	{ "chunk", req_chunk, "chunk NAME OFFSET (data after the NUL)" },
	{ "commit", req_commit, "commit NAME" },
	{ "images", req_images, "images" },
	{ "image-delete", req_image_delete, "image-delete NAME" },
	{ NULL, NULL, NULL },
};
