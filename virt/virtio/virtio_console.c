/* SPDX-License-Identifier: MIT */
/*
 * virtio-console (device id 3), one port, no multiport: hvc0 in Linux.
 * Queue 0 carries input from the host (`zvm look --hvc`), queue 1 the
 * guest's output, which goes to the host console line by line prefixed
 * "[<vm name>:hvc] ", or raw while attached. While another VM is attached
 * the lines are not shown (console_write_aside) and not kept.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/console.h>
#include <zvm/errmsg.h>
#include <zvm/virtio.h>
#include <zvm/vm.h>

#define Q_RX        0
#define Q_TX        1
#define RX_BUF      256
#define LINE_MAX    160
#define CONFIG_SIZE 12 /* cols, rows, max_nr_ports, emerg_wr */

struct hvc {
	uint8_t rx[RX_BUF];
	unsigned rx_head, rx_count;
	char line[LINE_MAX];
	unsigned line_len;
};

static void line_flush(struct virtio_dev *d, struct hvc *h)
{
	char out[LINE_MAX + VM_NAME_LEN + 12];
	int n = snprintf(out, sizeof(out), "[%s:hvc] %.*s\n", d->vm->cfg.name, (int)h->line_len,
			 h->line);

	n = (size_t)n < sizeof(out) ? n : (int)sizeof(out) - 1;
	if (d->vm->console_attached) /* its own VM's PL011 has the screen: shown there */
		console_write(out, (size_t)n);
	else
		console_write_aside(out, (size_t)n);
	h->line_len = 0;
}

static void hvc_out(struct virtio_dev *d, struct hvc *h, char c)
{
	if (d->vm->hvc_attached) {
		console_write_guest(&c, 1);
		return;
	}
	if (c == '\n' || h->line_len == LINE_MAX) {
		line_flush(d, h);
		if (c == '\n')
			return;
	}
	if (c == '\t')
		c = ' ';
	if (c >= 0x20 && c != 0x7f) /* text only, as the PL011's lines */
		h->line[h->line_len++] = c;
}

/* The readable bytes of one transmit chain. */
static int tx_chain(struct virtio_dev *d, struct hvc *h, const struct vq_chain *c)
{
	char buf[64];
	uint64_t off = 0;
	long n;

	while (off < c->read_len) {
		n = vq_chain_read(&d->vm->s2, c, off, buf, sizeof(buf));
		if (n <= 0)
			return K_EINVAL;
		for (long i = 0; i < n; i++)
			hvc_out(d, h, buf[i]);
		off += (uint64_t)n;
	}
	return 0;
}

static int tx_all(struct virtio_dev *d, struct hvc *h, char *err, size_t len)
{
	struct vq_chain *c = &d->chain;
	int r;

	while ((r = vq_pop(&d->vq[Q_TX], &d->vm->s2, c, err, len)) == 1) {
		if (tx_chain(d, h, c))
			return errmsg(err, len, "transmit buffer %u went away", c->head);
		if (virtio_used(d, Q_TX, c->head, 0, err, len))
			return K_EINVAL;
	}
	return r;
}

/* Give queued host input to the guest, one receive buffer at a time. */
static int rx_all(struct virtio_dev *d, struct hvc *h, char *err, size_t len)
{
	struct vq_chain *c = &d->chain;
	uint8_t buf[RX_BUF];
	unsigned n;
	int r;

	while (h->rx_count && (r = vq_pop(&d->vq[Q_RX], &d->vm->s2, c, err, len)) != 0) {
		if (r < 0)
			return r;
		if (!c->write_len)
			return errmsg(err, len,
				      "receive buffer %u has no device-writable "
				      "descriptor",
				      c->head);
		n = c->write_len < h->rx_count ? (unsigned)c->write_len : h->rx_count;
		for (unsigned i = 0; i < n; i++)
			buf[i] = h->rx[(h->rx_head + i) % RX_BUF];
		if (vq_chain_write(&d->vm->s2, c, 0, buf, n) != (long)n)
			return errmsg(err, len, "receive buffer %u went away", c->head);
		h->rx_head = (h->rx_head + n) % RX_BUF;
		h->rx_count -= n;
		if (virtio_used(d, Q_RX, c->head, n, err, len))
			return K_EINVAL;
	}
	return 0;
}

static int hvc_notify(struct virtio_dev *d, int q, char *err, size_t len)
{
	return q == Q_TX ? tx_all(d, d->priv, err, len) : rx_all(d, d->priv, err, len);
}

static uint64_t hvc_config_read(struct virtio_dev *d, uint64_t off, unsigned size)
{
	(void)d;
	(void)off;
	(void)size;
	return 0; /* no size, one port, no emergency write */
}

static void hvc_reset(struct virtio_dev *d)
{
	struct hvc *h = d->priv;

	h->rx_head = h->rx_count = 0;
}

static void hvc_destroy(struct virtio_dev *d)
{
	struct hvc *h = d->priv;

	if (h->line_len)
		line_flush(d, h);
	k_free(h);
}

static const struct virtio_ops console_ops = {
	.name = "console",
	.device_id = VIRTIO_TYPE_CONSOLE,
	.nr_queues = 2,
	.features = 0,
	.config_read = hvc_config_read,
	.notify = hvc_notify,
	.reset = hvc_reset,
	.destroy = hvc_destroy,
};

struct virtio_dev *virtio_console_create(struct vm *vm, const struct virtio_cfg *cfg, char *err,
					 size_t len)
{
	struct hvc *h = k_calloc(1, sizeof(*h));
	struct virtio_dev *d;

	if (!h) {
		errmsg(err, len, "out of memory for virtio-console");
		return NULL;
	}
	d = virtio_mmio_create(vm, cfg, &console_ops, h, CONFIG_SIZE, err, len);
	if (!d)
		k_free(h);
	return d;
}

static struct virtio_dev *find_console(struct vm *vm)
{
	for (int i = 0; i < VM_MAX_VIRTIO; i++)
		if (vm->virtio[i] && vm->virtio[i]->ops == &console_ops)
			return vm->virtio[i];
	return NULL;
}

bool virtio_console_present(struct vm *vm)
{
	return find_console(vm) != NULL;
}

bool virtio_console_input(struct vm *vm, uint8_t byte)
{
	struct virtio_dev *d = find_console(vm);
	char err[VQ_ERR_LEN];
	struct hvc *h;
	bool ok;

	if (!d)
		return false;
	h = d->priv;
	k_mutex_lock(&d->lock, K_FOREVER);
	ok = h->rx_count < RX_BUF;
	if (ok)
		h->rx[(h->rx_head + h->rx_count++) % RX_BUF] = byte;
	if (virtio_live(d) && d->vq[Q_RX].ready && rx_all(d, h, err, sizeof(err)))
		virtio_fail(d, err);
	virtio_update_irq(d);
	k_mutex_unlock(&d->lock);
	return ok;
}

void virtio_console_attach(struct vm *vm, bool attached)
{
	struct virtio_dev *d = find_console(vm);
	struct hvc *h;

	if (!d) {
		vm->hvc_attached = attached;
		return;
	}
	h = d->priv;
	k_mutex_lock(&d->lock, K_FOREVER);
	if (attached && h->line_len) {
		console_write_guest(h->line, h->line_len); /* the half line so far */
		h->line_len = 0;
	}
	vm->hvc_attached = attached;
	k_mutex_unlock(&d->lock);
}
