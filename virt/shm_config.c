/*
 * The shared-memory regions of the VM config: /zvm/shared-memory/<name>
 * with guest-address, size, spi and grants ("vm:rw" or "vm:ro" each).
 * Everything is checked here, so that the runtime (virt/shm.c) only maps.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <zvm/errmsg.h>
#include <zvm/fdt_util.h>
#include <zvm/guest_dtb.h>
#include <zvm/kernel.h>
#include <zvm/shm.h>

struct region_src {
	const void *fdt;
	int node;
	const char *name;
	char *err;
	size_t errlen;
};

static int prop_u64(const struct region_src *r, const char *prop, uint64_t *v)
{
	if (fdt_prop_u64(r->fdt, r->node, prop, v))
		return errmsg(r->err, r->errlen, "shared memory '%s': '%s' needs one or two cells",
			      r->name, prop);
	return 0;
}

/* "name:rw" or "name:ro" into g. */
static int parse_grant(const struct region_src *r, const char *s, struct shm_grant *g)
{
	const char *colon = strchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : 0;

	if (!colon || n == 0 || n >= VM_NAME_LEN ||
	    (strcmp(colon + 1, "rw") && strcmp(colon + 1, "ro")))
		return errmsg(r->err, r->errlen, "shared memory '%s': grant '%s' must be "
			      "VMNAME:rw or VMNAME:ro (name 1..%d characters)", r->name, s,
			      VM_NAME_LEN - 1);
	memcpy(g->vm, s, n);
	g->vm[n] = '\0';
	g->writable = !strcmp(colon + 1, "rw");
	return 0;
}

static int parse_grants(const struct region_src *r, struct shm_region_cfg *c)
{
	int len, count = fdt_stringlist_count(r->fdt, r->node, "grants");

	if (count < 1 || count > SHM_MAX_GRANTS)
		return errmsg(r->err, r->errlen, "shared memory '%s': 'grants' needs 1..%d "
			      "strings", r->name, SHM_MAX_GRANTS);
	for (int i = 0; i < count; i++) {
		const char *s = fdt_stringlist_get(r->fdt, r->node, "grants", i, &len);

		if (!s || parse_grant(r, s, &c->grants[i]))
			return s ? K_EINVAL : errmsg(r->err, r->errlen, "shared memory '%s': "
						     "bad 'grants'", r->name);
		for (int j = 0; j < i; j++) {
			if (!strcmp(c->grants[j].vm, c->grants[i].vm))
				return errmsg(r->err, r->errlen, "shared memory '%s': VM '%s' "
					      "granted twice", r->name, c->grants[i].vm);
		}
	}
	c->nr_grants = count;
	return 0;
}

/* Size, place and interrupt of one region, alone. */
static int check_layout(const struct region_src *r, const struct shm_region_cfg *c)
{
	uint64_t span = c->size + SHM_DOORBELL_SIZE;

	if (c->size < SHM_MIN_SIZE || c->size > SHM_MAX_SIZE || c->size % 0x1000)
		return errmsg(r->err, r->errlen, "shared memory '%s': size 0x%llx must be a "
			      "multiple of 4 KiB, %llu KiB..%llu MiB", r->name,
			      (unsigned long long)c->size, SHM_MIN_SIZE >> 10, SHM_MAX_SIZE >> 20);
	if (c->ipa % 0x1000 || c->ipa > VM_DEVICE_WINDOW_END - span)
		return errmsg(r->err, r->errlen, "shared memory '%s': guest-address 0x%llx "
			      "must be 4 KiB aligned, with the region and its doorbell page "
			      "below 0x%llx", r->name, (unsigned long long)c->ipa,
			      VM_DEVICE_WINDOW_END);
	if (vm_ranges_overlap(c->ipa, span, GUEST_GICD_BASE, GICD_FRAME_SIZE) ||
	    vm_ranges_overlap(c->ipa, span, GUEST_GICR_BASE, GICR_STRIDE * VM_MAX_VCPUS))
		return errmsg(r->err, r->errlen, "shared memory '%s' overlaps the GIC", r->name);
	if (c->spi < 0 || c->spi >= VM_NR_SPIS)
		return errmsg(r->err, r->errlen, "shared memory '%s': spi %d must be 0..%d",
			      r->name, c->spi, VM_NR_SPIS - 1);
	return 0;
}

/* Against the regions before it: names, places and interrupts differ. */
static int check_unique(const struct region_src *r, const struct shm_region_cfg *all, int n)
{
	const struct shm_region_cfg *c = &all[n];

	for (int i = 0; i < n; i++) {
		if (!strcmp(all[i].name, c->name))
			return errmsg(r->err, r->errlen, "shared memory '%s' declared twice",
				      c->name);
		if (vm_ranges_overlap(c->ipa, c->size + SHM_DOORBELL_SIZE, all[i].ipa,
			     all[i].size + SHM_DOORBELL_SIZE))
			return errmsg(r->err, r->errlen, "shared memory '%s' overlaps '%s'",
				      c->name, all[i].name);
		if (all[i].spi == c->spi)
			return errmsg(r->err, r->errlen, "shared memory '%s' uses the spi of '%s'",
				      c->name, all[i].name);
	}
	return 0;
}

static int parse_region(const struct region_src *r, struct shm_region_cfg *all, int n)
{
	struct shm_region_cfg *c = &all[n];
	int len, ret;
	const fdt32_t *spi;

	memset(c, 0, sizeof(*c));
	if (strlen(r->name) >= VM_NAME_LEN)
		return errmsg(r->err, r->errlen, "shared memory '%s': name longer than %d "
			      "characters", r->name, VM_NAME_LEN - 1);
	strcpy(c->name, r->name);
	spi = fdt_getprop(r->fdt, r->node, "spi", &len);
	if (!spi || len != 4)
		return errmsg(r->err, r->errlen, "shared memory '%s': 'spi' needs one cell",
			      r->name);
	c->spi = (int)fdt32_to_cpu(*spi);
	ret = prop_u64(r, "guest-address", &c->ipa);
	if (!ret)
		ret = prop_u64(r, "size", &c->size);
	if (!ret)
		ret = check_layout(r, c);
	if (!ret)
		ret = parse_grants(r, c);
	if (!ret)
		ret = check_unique(r, all, n);
	return ret;
}

int shm_config_parse(const void *fdt, struct shm_region_cfg *out, int max, char *err,
		     size_t errlen)
{
	int parent = fdt_path_offset(fdt, "/zvm/shared-memory"), node, n = 0;
	struct region_src r = { .fdt = fdt, .err = err, .errlen = errlen };

	if (parent < 0)
		return 0;
	fdt_for_each_subnode(node, fdt, parent) {
		r.node = node;
		r.name = fdt_get_name(fdt, node, NULL);
		if (n == max)
			return errmsg(err, errlen, "more than %d shared-memory regions", max);
		if (parse_region(&r, out, n))
			return K_EINVAL;
		n++;
	}
	return n;
}
