/*
 * virtio devices in VM templates (include/zvm/virtio_config.h): parsing a
 * "virtio,mmio" node of a template's `devices`, and checking the result
 * once command-line overrides are applied. Disk images are resolved when
 * the VM is built (virt/virtio/virtio_blk.c), not here.
 */
#include <stdio.h>
#include <string.h>
#include <libfdt.h>
#include <zvm/errmsg.h>
#include <zvm/fdt_util.h>
#include <zvm/guest_dtb.h>
#include <zvm/kernel.h>
#include <zvm/pl011_regs.h>
#include <zvm/vm_config.h>

const char *virtio_type_str(enum virtio_type type)
{
	switch (type) {
	case VIRTIO_TYPE_NET:		return "net";
	case VIRTIO_TYPE_BLOCK:		return "block";
	case VIRTIO_TYPE_CONSOLE:	return "console";
	default:			return "?";
	}
}

/* A string property; NULL when absent or not one string. */
static const char *prop_str(const void *fdt, int node, const char *name)
{
	int len;
	const char *p = fdt_getprop(fdt, node, name, &len);

	return p && len > 0 && p[len - 1] == '\0' && strlen(p) == (size_t)len - 1 ? p : NULL;
}

static int parse_type(const void *fdt, int node, struct virtio_cfg *v)
{
	const char *t = prop_str(fdt, node, "device-type");

	if (!t)
		return K_EINVAL;
	if (!strcmp(t, "console"))
		v->type = VIRTIO_TYPE_CONSOLE;
	else if (!strcmp(t, "block"))
		v->type = VIRTIO_TYPE_BLOCK;
	else if (!strcmp(t, "net"))
		v->type = VIRTIO_TYPE_NET;
	else
		return K_EINVAL;
	return 0;
}

/* reg (in the devices node's cells) and spi. */
static int parse_reg_spi(const void *fdt, int node, struct virtio_cfg *v)
{
	int slen;
	const fdt32_t *spi = fdt_getprop(fdt, node, "spi", &slen);
	uint64_t size;

	if (fdt_node_reg(fdt, node, 0, &v->base, &size) || !spi || slen != 4)
		return K_EINVAL;
	v->spi = fdt32_to_cpu(*spi) > INT32_MAX ? INT32_MAX : (int)fdt32_to_cpu(*spi);
	return 0;
}

/* image = <&node>: the blob name of the disk. */
static int parse_disk(const void *fdt, int node, struct virtio_cfg *v)
{
	int len, img;
	const fdt32_t *ph = fdt_getprop(fdt, node, "image", &len);
	const char *blob;

	if (!ph || len != 4)
		return K_EINVAL;
	img = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*ph));
	blob = img < 0 ? NULL : prop_str(fdt, img, "blob");
	if (!blob || strlen(blob) >= sizeof(v->disk))
		return K_EINVAL;
	strcpy(v->disk, blob);
	return 0;
}

int virtio_config_parse(const void *fdt, int node, struct vm_config *cfg,
			const char *tpl, char *err, size_t errlen)
{
	const char *name = fdt_get_name(fdt, node, NULL);
	struct virtio_cfg v;

	memset(&v, 0, sizeof(v));
	if (cfg->nr_virtio == VM_MAX_VIRTIO)
		return errmsg(err, errlen, "template '%s': more than %d virtio devices", tpl,
			      VM_MAX_VIRTIO);
	if (parse_type(fdt, node, &v))
		return errmsg(err, errlen, "template '%s': virtio device '%s' needs device-type "
			      "\"console\", \"block\" or \"net\"", tpl, name);
	if (parse_reg_spi(fdt, node, &v))
		return errmsg(err, errlen, "template '%s': virtio device '%s' needs reg and "
			      "spi (one cell)", tpl, name);
	if (v.type == VIRTIO_TYPE_BLOCK && parse_disk(fdt, node, &v))
		return errmsg(err, errlen, "template '%s': virtio block device '%s' needs image, "
			      "the phandle of an images node with a blob", tpl, name);
	cfg->virtio[cfg->nr_virtio++] = v;
	return 0;
}

static int check_one(const struct vm_config *cfg, int i, char *err, size_t errlen)
{
	const struct virtio_cfg *v = &cfg->virtio[i];
	unsigned long long base = v->base;

	if (base % VIRTIO_MMIO_SIZE || base > VM_DEVICE_WINDOW_END - VIRTIO_MMIO_SIZE)
		return errmsg(err, errlen, "virtio device at 0x%llx: must be 0x%llx aligned, "
			      "below 0x%llx", base, VIRTIO_MMIO_SIZE, VM_DEVICE_WINDOW_END);
	if (vm_ranges_overlap(base, VIRTIO_MMIO_SIZE, GUEST_GICD_BASE, GICD_FRAME_SIZE) ||
	    vm_ranges_overlap(base, VIRTIO_MMIO_SIZE, GUEST_GICR_BASE, GICR_STRIDE * VM_MAX_VCPUS) ||
	    (cfg->uart_base &&
	     vm_ranges_overlap(base, VIRTIO_MMIO_SIZE, cfg->uart_base, PL011_FRAME_SIZE)))
		return errmsg(err, errlen, "virtio device at 0x%llx overlaps the GIC or the UART",
			      base);
	if (v->spi < 0 || v->spi > VIRTIO_SPI_MAX || (cfg->uart_base && v->spi == cfg->uart_spi))
		return errmsg(err, errlen, "virtio device at 0x%llx: SPI %d must be 0..%d and "
			      "not the UART's", base, v->spi, VIRTIO_SPI_MAX);
	for (int j = 0; j < i; j++)
		if (cfg->virtio[j].base == v->base || cfg->virtio[j].spi == v->spi)
			return errmsg(err, errlen, "virtio devices at 0x%llx and 0x%llx share "
				      "a window or an SPI", (unsigned long long)cfg->virtio[j].base,
				      base);
	return 0;
}

int virtio_config_check(const struct vm_config *cfg, char *err, size_t errlen)
{
	if (cfg->nr_virtio < 0 || cfg->nr_virtio > VM_MAX_VIRTIO)
		return errmsg(err, errlen, "%d virtio devices (at most %d)", cfg->nr_virtio,
			      VM_MAX_VIRTIO);
	for (int i = 0; i < cfg->nr_virtio; i++)
		if (check_one(cfg, i, err, errlen))
			return K_EINVAL;
	return 0;
}
