/* SPDX-License-Identifier: MIT */
/*
 * The host console over the UART: output under one lock so lines from
 * different CPUs never interleave within a write; input through a ring
 * filled by the receive interrupt. When the ring is full the UART stops
 * taking bytes, so QEMU holds the rest of a paste instead of losing it.
 */
#include <stdio.h>
#include <zvm/arch.h>
#include <zvm/console.h>
#include <zvm/kernel.h>
#include <zvm/uart.h>

#define RX_RING_SIZE 1024

static k_spinlock_t out_lock;
static k_spinlock_t rx_lock;
static uint8_t rx_ring[RX_RING_SIZE];
static unsigned rx_head, rx_tail; /* free-running; tail - head = bytes held */
static bool rx_stopped;
static struct k_sem rx_ready;
static int panic_cpu = -1; /* a CPU reporting a fatal error */
static bool panic_holds_lock;
/* Set once by console_set_tap; called under out_lock with IRQs masked. */
static void (*out_tap)(const char *s, size_t n);

void console_set_tap(void (*tap)(const char *s, size_t n))
{
	__atomic_store_n(&out_tap, tap, __ATOMIC_RELEASE);
}

void console_write(const char *s, size_t n)
{
	k_spinlock_key_t key = arch_irq_save();
	bool dying = __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE) == k_cpu_id();

	if (!dying)
		arch_spin_acquire(&out_lock);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
	if (!dying) {
		void (*tap)(const char *s, size_t n) = __atomic_load_n(&out_tap, __ATOMIC_ACQUIRE);

		if (tap)
			tap(s, n);
		arch_spin_release(&out_lock);
	}
	arch_irq_restore(key);
}

#define PANIC_LOCK_TRIES 1000000

/*
 * A CPU reporting a fatal error takes the output lock if it can, so its
 * report is not interleaved; if the lock stays taken (it may be the dying
 * CPU itself that holds it), it writes without it.
 */
void console_panic(bool on)
{
	if (on) {
		for (int i = 0; i < PANIC_LOCK_TRIES && !panic_holds_lock; i++)
			panic_holds_lock = arch_spin_trylock(&out_lock);
		__atomic_store_n(&panic_cpu, k_cpu_id(), __ATOMIC_RELEASE);
		return;
	}
	__atomic_store_n(&panic_cpu, -1, __ATOMIC_RELEASE);
	if (panic_holds_lock) {
		panic_holds_lock = false;
		arch_spin_release(&out_lock);
	}
}

/* Receive interrupt: one byte in. */
static void console_rx(uint8_t byte)
{
	k_spinlock_key_t key = k_spin_lock(&rx_lock);

	rx_ring[rx_tail++ % RX_RING_SIZE] = byte;
	if (rx_tail - rx_head == RX_RING_SIZE) {
		rx_stopped = true;
		uart_rx_throttle(true);
	}
	k_spin_unlock(&rx_lock, key);
	k_sem_give(&rx_ready);
}

int console_getc(void)
{
	for (;;) {
		k_spinlock_key_t key = k_spin_lock(&rx_lock);

		if (rx_head != rx_tail) {
			uint8_t c = rx_ring[rx_head++ % RX_RING_SIZE];

			if (rx_stopped && rx_tail - rx_head < RX_RING_SIZE / 2) {
				rx_stopped = false;
				uart_rx_throttle(false);
			}
			k_spin_unlock(&rx_lock, key);
			return c;
		}
		k_spin_unlock(&rx_lock, key);
		k_sem_take(&rx_ready, K_FOREVER);
	}
}

/* Write out what this thread's printf calls have collected so far. */
static int stdout_flush(FILE *f)
{
	struct k_thread *t = k_current();

	(void)f;
	if (t->out_len) {
		console_write(t->out_line, t->out_len);
		t->out_len = 0;
	}
	return 0;
}

/*
 * printf output is collected per thread and written a line at a time, so
 * lines from different CPUs never mix. With IRQs masked (an interrupt
 * handler, a spinlock held) a byte goes straight out.
 */
static int stdout_put(char c, FILE *f)
{
	struct k_thread *t;

	if (arch_irqs_masked() || !arch_cpu_self()) {
		console_write(&c, 1);
		return (unsigned char)c;
	}
	t = k_current();
	t->out_line[t->out_len++] = c;
	if (c == '\n' || t->out_len == sizeof(t->out_line))
		stdout_flush(f);
	return (unsigned char)c;
}

static FILE console_stdout = FDEV_SETUP_STREAM(stdout_put, NULL, stdout_flush, _FDEV_SETUP_WRITE);
FILE *const stdout = &console_stdout;
FILE *const stderr = &console_stdout;

void console_init_irq(int intid, int cpu)
{
	k_sem_init(&rx_ready, 0, 1);
	uart_rx_irq_enable(intid, cpu, console_rx);
}
