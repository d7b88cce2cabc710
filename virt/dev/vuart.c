/* SPDX-License-Identifier: MIT */
/*
 * Emulated PL011 (the registers Linux's amba-pl011 driver and our RTOS use).
 * Transmit is instant: the TX FIFO is always empty. Receive holds up to 32
 * bytes from `zvm look`. The interrupt line is level: (RIS & IMSC) != 0.
 */
#include <stdio.h>
#include <string.h>
#include <zvm/console.h>
#include <zvm/kernel.h>
#include <zvm/pl011_regs.h>
#include <zvm/vm.h>
#include <zvm/vuart.h>

#define RX_FIFO  32
#define LINE_MAX 160

static const uint8_t pl011_id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

struct vuart {
	struct vm *vm;
	k_spinlock_t lock;
	uint32_t regs[PL011_REGS_END / 4]; /* IBRD..DMACR as written */
	uint32_t imsc;
	uint32_t ris;
	uint8_t rx[RX_FIFO];
	unsigned rx_head, rx_count;
	char line[LINE_MAX];
	unsigned line_len;
	unsigned line_shown; /* of line_len: printed already as a partial line */
	uint64_t line_ms;    /* host uptime when the partial line last grew from empty */
	bool irq_level;
	bool c2_held;  /* the last byte was 0xC2: a C1 control may follow (line_put) */
	unsigned held; /* lines not shown while another VM was attached (vuart_held_take) */
};

/*
 * Raise or lower SPI 1 to match RIS & IMSC. Called with the lock held, so
 * line changes reach the vGIC in order (lock order: vuart, vGIC, scheduler).
 */
static void vuart_update_irq(struct vuart *u)
{
	bool level = (u->ris & u->imsc) != 0;

	if (level != u->irq_level) {
		u->irq_level = level;
		vgic_inject(u->vm, 0, VUART_INTID, level);
	}
}

/*
 * Print what of the line is not shown yet, prefixed, as a whole console
 * line aside: while another VM is attached it is not shown (the VM's log
 * has it) but counted for the note at detach.
 */
static void line_print(struct vuart *u)
{
	char out[LINE_MAX + VM_NAME_LEN + 8];
	int n = snprintf(out, sizeof(out), "[%s] %.*s\n", u->vm->cfg.name,
			 (int)(u->line_len - u->line_shown), u->line + u->line_shown);

	if (!console_write_aside(out, (size_t)n < sizeof(out) ? (size_t)n : sizeof(out) - 1) &&
	    console_session_on())
		u->held++;
}

static void line_flush(struct vuart *u)
{
	if (!u->line_shown || u->line_shown < u->line_len)
		line_print(u);
	u->line_len = 0;
	u->line_shown = 0;
	u->c2_held = false;
}

static void line_add(struct vuart *u, char c)
{
	if (u->line_len == u->line_shown)
		u->line_ms = k_uptime_ms(); /* the oldest byte not shown yet */
	if (u->line_len < LINE_MAX)
		u->line[u->line_len++] = c;
}

/*
 * Prefixed lines carry text only: a terminal query (ESC[6n) would make the
 * user's terminal type its answer into the host shell. C0 controls and DEL
 * are dropped, and so are the C1 controls, which UTF-8 writes C2 80..C2 9F
 * (C2 9B is CSI): a C2 waits for the byte after it.
 */
static void line_put(struct vuart *u, uint8_t c)
{
	bool held = u->c2_held;

	u->c2_held = false;
	if (held && c >= 0x80 && c <= 0x9f)
		return;
	if (held)
		line_add(u, (char)0xc2);
	if (c == 0xc2) {
		u->c2_held = true;
		return;
	}
	if (c == '\t')
		c = ' ';
	if (c >= 0x20 && c != 0x7f)
		line_add(u, (char)c);
}

static void vuart_tx(struct vuart *u, char c)
{
	vm_log_putc(&u->vm->console_log, c);
	if (u->vm->console_attached) {
		console_write_guest(&c, 1);
		return;
	}
	if (c == '\n' || u->line_len == LINE_MAX) {
		line_flush(u);
		if (c == '\n')
			return;
	}
	line_put(u, (uint8_t)c);
}

static uint32_t rx_pop(struct vuart *u)
{
	uint32_t c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % RX_FIFO;
	if (--u->rx_count == 0)
		u->ris &= ~(PL011_INT_RX | PL011_INT_RT);
	return c;
}

static uint32_t vuart_read(struct vuart *u, uint64_t off)
{
	if (off == PL011_DR)
		return rx_pop(u);
	if (off == PL011_FR)
		return PL011_FR_TXFE | (u->rx_count ? 0 : PL011_FR_RXFE) |
		       (u->rx_count == RX_FIFO ? PL011_FR_RXFF : 0);
	if (off == PL011_IMSC)
		return u->imsc;
	if (off == PL011_RIS)
		return u->ris;
	if (off == PL011_MIS)
		return u->ris & u->imsc;
	if (off >= PL011_ID && off < PL011_ID + PL011_ID_LEN)
		return pl011_id[(off - PL011_ID) / 4];
	if (off < sizeof(u->regs))
		return u->regs[off / 4];
	return 0;
}

static void vuart_write(struct vuart *u, uint64_t off, uint32_t v)
{
	if (off == PL011_DR) {
		vuart_tx(u, (char)v);
		u->ris |= PL011_INT_TX; /* the TX FIFO is empty again at once */
	} else if (off == PL011_IMSC) {
		u->imsc = v & PL011_INT_ALL;
	} else if (off == PL011_ICR) {
		u->ris &= ~v;
		if (u->rx_count)
			u->ris |= PL011_INT_RX | PL011_INT_RT; /* data left: RX stays */
	} else if (off < sizeof(u->regs)) {
		u->regs[off / 4] = v;
	}
}

static int vuart_access(struct vcpu *vcpu, struct vdev *dev, struct mmio_access *acc)
{
	struct vuart *u = dev->priv;
	k_spinlock_key_t key;

	(void)vcpu;
	key = k_spin_lock(&u->lock);
	if (acc->write)
		vuart_write(u, acc->offset, (uint32_t)acc->value);
	else
		acc->value = vuart_read(u, acc->offset);
	vuart_update_irq(u);
	k_spin_unlock(&u->lock, key);
	return 0;
}

int vuart_init(struct vm *vm)
{
	struct vuart *u = k_calloc(1, sizeof(*u));
	struct vdev dev = {
		.name = "pl011",
		.base = VUART_BASE,
		.size = PL011_FRAME_SIZE,
		.access = vuart_access,
		.priv = u,
	};

	if (!u)
		return K_ENOMEM;
	u->vm = vm;
	vm->vuart = u;
	return vdev_register(vm, &dev);
}

void vuart_destroy(struct vm *vm)
{
	struct vuart *u = vm->vuart;

	if (!u)
		return;
	if (u->line_len)
		line_flush(u);
	vdev_unregister_priv(vm, u);
	vm->vuart = NULL;
	k_free(u);
}

bool vuart_input(struct vm *vm, uint8_t byte)
{
	struct vuart *u = vm->vuart;
	k_spinlock_key_t key;
	bool ok;

	if (!u)
		return false;
	key = k_spin_lock(&u->lock);
	ok = u->rx_count < RX_FIFO;
	if (ok) {
		u->rx[(u->rx_head + u->rx_count++) % RX_FIFO] = byte;
		u->ris |= PL011_INT_RX | PL011_INT_RT;
	}
	vuart_update_irq(u);
	k_spin_unlock(&u->lock, key);
	return ok;
}

void vuart_attach(struct vm *vm, bool attached)
{
	struct vuart *u = vm->vuart;
	k_spinlock_key_t key;

	if (!u) {
		vm->console_attached = attached;
		return;
	}
	key = k_spin_lock(&u->lock);
	if (attached && u->line_len) {
		console_write_guest(u->line, u->line_len); /* the half line typed so far */
		u->line_len = 0;
		u->line_shown = 0;
	}
	vm->console_attached = attached;
	k_spin_unlock(&u->lock, key);
}

void vuart_flush_stale(struct vm *vm, uint64_t after_ms)
{
	struct vuart *u = vm->vuart;
	k_spinlock_key_t key;

	if (!u)
		return;
	key = k_spin_lock(&u->lock);
	if (!vm->console_attached && u->line_len > u->line_shown &&
	    k_uptime_ms() - u->line_ms >= after_ms) {
		line_print(u); /* a prompt, say: shown now, not at the next newline */
		u->line_shown = u->line_len;
	}
	k_spin_unlock(&u->lock, key);
}

unsigned vuart_held_take(struct vm *vm)
{
	struct vuart *u = vm->vuart;
	k_spinlock_key_t key;
	unsigned n;

	if (!u)
		return 0;
	key = k_spin_lock(&u->lock);
	n = u->held;
	u->held = 0;
	k_spin_unlock(&u->lock, key);
	return n;
}
