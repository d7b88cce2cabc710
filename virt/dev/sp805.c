// SPDX-License-Identifier: MIT
/*
 * Emulated Arm SP805 watchdog (include/zvm/sp805.h). Nothing ticks: the
 * count is computed from the guest time since the counter was last loaded
 * (a write to Load or IntClr, or enabling it), in WDOGCLK periods of the
 * 24 MHz APB clock. Registers (SP805 TRM): Load 0x000, Value 0x004,
 * Control 0x008 (bit 0 INTEN: count and interrupt, bit 1 RESEN), IntClr
 * 0x00c, RIS 0x010, MIS 0x014, Lock 0xc00 (0x1acce551 unlocks, anything
 * else locks), and the PrimeCell ids at 0xfe0 that Linux's amba bus reads.
 */
#include <zvm/guest_dtb.h>
#include <zvm/kernel.h>
#include <zvm/sp805.h>
#include <zvm/vm.h>
#include <zvm/vmm.h>

#define WDT_LOAD      0x000
#define WDT_VALUE     0x004
#define WDT_CONTROL   0x008
#define WDT_INTCLR    0x00c
#define WDT_RIS       0x010
#define WDT_MIS       0x014
#define WDT_LOCK      0xc00
#define WDT_ID        0xfe0
#define WDT_CTRL_INT  (1u << 0)
#define WDT_CTRL_RES  (1u << 1)
#define WDT_UNLOCK    0x1acce551u
#define WDT_LOAD_INIT 0xffffffffu

/* PeriphID0..3 (part 0x805, designer 0x41 'A', revision 1), PCellID0..3. */
static const uint8_t sp805_id[8] = { 0x05, 0x18, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

struct sp805 {
	struct vm *vm;
	k_spinlock_t lock;
	uint32_t load, ctrl;
	bool locked;
	bool irq_level;
	bool reported;      /* this expiry was handed to the VMM */
	uint64_t loaded_at; /* guest ticks when the counter last started from load */
};

/* WDOGCLK periods since the counter last started from load. */
static uint64_t sp805_elapsed(struct sp805 *w)
{
	uint64_t ns = k_ticks_to_ns(vmm_guest_ticks(w->vm) - w->loaded_at);

	return ns / 1000u * (GUEST_APB_CLOCK_HZ / 1000000u);
}

static void sp805_reload(struct sp805 *w)
{
	w->loaded_at = vmm_guest_ticks(w->vm);
	w->reported = false;
}

/* How many times the counter reached zero since it was loaded (0 when it is off). */
static uint64_t sp805_expiries(struct sp805 *w)
{
	if (!(w->ctrl & WDT_CTRL_INT))
		return 0;
	return sp805_elapsed(w) / ((uint64_t)w->load + 1);
}

static void sp805_update_irq(struct sp805 *w)
{
	bool level = sp805_expiries(w) >= 1;

	if (level != w->irq_level) {
		w->irq_level = level;
		vgic_inject(w->vm, 0, 32u + (uint32_t)w->vm->cfg.wdt_spi, level);
	}
}

static uint32_t sp805_read(struct sp805 *w, uint64_t off)
{
	uint64_t period = (uint64_t)w->load + 1;

	switch (off) {
	case WDT_LOAD:
		return w->load;
	case WDT_VALUE:
		return w->ctrl & WDT_CTRL_INT ? (uint32_t)(w->load - sp805_elapsed(w) % period)
					      : w->load;
	case WDT_CONTROL:
		return w->ctrl;
	case WDT_RIS:
		return sp805_expiries(w) >= 1;
	case WDT_MIS:
		return sp805_expiries(w) >= 1 && (w->ctrl & WDT_CTRL_INT);
	case WDT_LOCK:
		return w->locked;
	default:
		if (off >= WDT_ID && off < WDT_ID + 4 * sizeof(sp805_id))
			return sp805_id[(off - WDT_ID) / 4];
		return 0;
	}
}

static void sp805_write(struct sp805 *w, uint64_t off, uint32_t v)
{
	if (off == WDT_LOCK) {
		w->locked = v != WDT_UNLOCK;
		return;
	}
	if (w->locked)
		return;
	if (off == WDT_LOAD) {
		w->load = v;
		sp805_reload(w);
	} else if (off == WDT_CONTROL) {
		if ((v & WDT_CTRL_INT) && !(w->ctrl & WDT_CTRL_INT))
			sp805_reload(w); /* the counter starts again from load */
		w->ctrl = v & (WDT_CTRL_INT | WDT_CTRL_RES);
	} else if (off == WDT_INTCLR) {
		sp805_reload(w);
	}
}

static int sp805_access(struct vcpu *vcpu, struct vdev *dev, struct mmio_access *acc)
{
	struct sp805 *w = dev->priv;
	k_spinlock_key_t key;

	(void)vcpu;
	key = k_spin_lock(&w->lock);
	if (acc->write)
		sp805_write(w, acc->offset, (uint32_t)acc->value);
	else
		acc->value = sp805_read(w, acc->offset);
	sp805_update_irq(w);
	k_spin_unlock(&w->lock, key);
	return 0;
}

int sp805_init(struct vm *vm)
{
	struct sp805 *w;
	struct vdev dev = {
		.name = "sp805",
		.base = vm->cfg.wdt_base,
		.size = SP805_FRAME_SIZE,
		.access = sp805_access,
	};

	if (!vm->cfg.wdt_base)
		return 0;
	w = k_calloc(1, sizeof(*w));
	if (!w)
		return K_ENOMEM;
	w->vm = vm;
	w->load = WDT_LOAD_INIT;
	w->locked = false;
	vm->wdt = w;
	dev.priv = w;
	return vdev_register(vm, &dev);
}

void sp805_destroy(struct vm *vm)
{
	struct sp805 *w = vm->wdt;

	if (!w)
		return;
	vdev_unregister_priv(vm, w);
	vm->wdt = NULL;
	k_free(w);
}

bool sp805_expired(struct vm *vm, uint32_t *timeout_ms)
{
	struct sp805 *w = vm->wdt;
	k_spinlock_key_t key;
	bool expired;

	if (!w)
		return false;
	key = k_spin_lock(&w->lock);
	sp805_update_irq(w);
	expired = !w->reported && (w->ctrl & WDT_CTRL_RES) && sp805_expiries(w) >= 2;
	if (expired)
		w->reported = true;
	*timeout_ms = (uint32_t)(((uint64_t)w->load + 1) * 2 / (GUEST_APB_CLOCK_HZ / 1000u));
	k_spin_unlock(&w->lock, key);
	return expired;
}
