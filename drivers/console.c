/* SPDX-License-Identifier: MIT */
/*
 * The host console over the UART.
 *
 * Output goes through a ring: a write copies its bytes in under out_lock
 * (IRQs masked for the copy only), whole, so writes from different CPUs
 * never interleave; then one CPU at a time (the drainer) carries the ring
 * to the UART.
 *
 * The lock rule: out_lock is never held while waiting on the UART. The
 * drainer takes a chunk (TX_CHUNK bytes) out under the lock, lets go of it,
 * and only then waits for the UART's FIFO, with its own IRQs masked for
 * that chunk only. A CPU that writes while another drains just queues its
 * bytes and goes on; a writer that finds the ring full waits for room with
 * the lock released. So a guest that floods the console cannot
 * hold the host shell behind a spinning CPU, and the lines of VMs that are
 * not attached (console_write_aside) may fill only half the ring: beyond
 * that they are dropped from the screen (each VM keeps its own in `zvm
 * log`), and the host's own text still finds room.
 *
 * While a VM's console is attached (`zvm look`, console_session), the
 * screen is that VM's: lines aside are not shown at all, and host text
 * (log lines the log lets through, VM events) starts on a line of its own.
 *
 * Input comes through a ring filled by the receive interrupt. When the
 * ring is full the UART stops taking bytes, so QEMU holds the rest of a
 * paste instead of losing it.
 */
#include <stdio.h>
#include <zvm/arch.h>
#include <zvm/console.h>
#include <zvm/kernel.h>
#include <zvm/uart.h>

#define RX_RING_SIZE 1024
#define TX_RING_SIZE 8192
#define TX_ASIDE_MAX (TX_RING_SIZE / 2) /* ring use beyond which lines aside are dropped */
#define TX_CHUNK     16 /* bytes written per turn, IRQs masked: no wait with a UART's FIFO empty */

enum writer { W_HOST, W_GUEST, W_ASIDE };

static k_spinlock_t rx_lock;
static uint8_t rx_ring[RX_RING_SIZE];
static unsigned rx_head, rx_tail; /* free-running; tail - head = bytes held */
static bool rx_stopped;
static struct k_sem rx_ready;

/* Under out_lock, held only to copy bytes in or out (see the top comment). */
static k_spinlock_t out_lock;
static char tx_ring[TX_RING_SIZE];
static unsigned tx_head, tx_tail; /* free-running; tail - head = bytes queued */
static bool tx_draining;          /* a CPU is carrying the ring to the UART */
static int tx_drainer = -1;       /* which one */
static bool tx_line_start = true; /* the last byte queued ended a line */
static bool session_on;           /* a VM's console is attached */

static int panic_cpu = -1; /* a CPU reporting a fatal error */
static bool panic_holds_lock;
/* Set once by console_set_tap; called under out_lock with IRQs masked. */
static void (*out_tap)(const char *s, size_t n);

void console_set_tap(void (*tap)(const char *s, size_t n))
{
	__atomic_store_n(&out_tap, tap, __ATOMIC_RELEASE);
}

static void uart_out(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

/*
 * Carry the ring to the UART unless another CPU does. One chunk at a time:
 * taken under the lock, written with the lock released but this CPU's
 * IRQs masked (so no thread of this CPU preempts the drainer mid-chunk and
 * leaves the others waiting for it), then the drainer role is given up, so
 * a drainer preempted between chunks holds nobody up.
 */
static void tx_drain(void)
{
	char chunk[TX_CHUNK];
	k_spinlock_key_t key;
	size_t n;

	for (;;) {
		key = k_spin_lock(&out_lock);
		if (tx_draining) {
			k_spin_unlock(&out_lock, key);
			return;
		}
		for (n = 0; n < sizeof(chunk) && tx_head != tx_tail; n++)
			chunk[n] = tx_ring[tx_head++ % TX_RING_SIZE];
		tx_draining = n != 0;
		tx_drainer = k_cpu_id();
		arch_spin_release(&out_lock); /* IRQs stay masked for the chunk */
		if (!n) {
			arch_irq_restore(key);
			return;
		}
		uart_out(chunk, n);
		arch_spin_acquire(&out_lock);
		tx_draining = false;
		k_spin_unlock(&out_lock, key);
	}
}

static void tx_put(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tx_ring[tx_tail++ % TX_RING_SIZE] = s[i];
	if (n)
		tx_line_start = s[n - 1] == '\n';
}

/*
 * Queue s whole (it is at most TX_RING_SIZE / 2), after waiting with the
 * lock released for room. Returns false for a line aside that is not shown.
 */
static bool tx_queue(const char *s, size_t n, enum writer w)
{
	k_spinlock_key_t key = k_spin_lock(&out_lock);
	void (*tap)(const char *s, size_t n) = __atomic_load_n(&out_tap, __ATOMIC_ACQUIRE);
	bool shown = true;

	if (w == W_ASIDE && (session_on || tx_tail - tx_head + n > TX_ASIDE_MAX)) {
		shown = false;
	} else {
		bool own_line = w == W_HOST && session_on && !tx_line_start;

		while (TX_RING_SIZE - (tx_tail - tx_head) < n + own_line) {
			k_spin_unlock(&out_lock, key);
			tx_drain(); /* or, if another CPU drains, wait for it */
			key = k_spin_lock(&out_lock);
		}
		if (own_line)
			tx_put("\n", 1);
		tx_put(s, n);
	}
	if (tap)
		tap(s, n); /* the management log stream sees it as if nobody were attached */
	k_spin_unlock(&out_lock, key);
	return shown;
}

/* A CPU reporting a fatal error writes straight to the UART. */
static bool dying(void)
{
	return __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE) == k_cpu_id();
}

static bool out_write(const char *s, size_t n, enum writer w)
{
	bool shown = true;

	if (dying()) {
		uart_out(s, n);
		return true;
	}
	for (size_t done = 0, part; done < n; done += part) {
		part = n - done < TX_RING_SIZE / 2 ? n - done : TX_RING_SIZE / 2;
		shown = tx_queue(s + done, part, w) && shown;
	}
	tx_drain();
	return shown;
}

void console_write(const char *s, size_t n)
{
	out_write(s, n, W_HOST);
}

void console_write_guest(const char *s, size_t n)
{
	out_write(s, n, W_GUEST);
}

bool console_write_aside(const char *s, size_t n)
{
	return out_write(s, n, W_ASIDE);
}

void console_session(bool on)
{
	k_spinlock_key_t key = k_spin_lock(&out_lock);

	session_on = on;
	k_spin_unlock(&out_lock, key);
}

bool console_session_on(void)
{
	return __atomic_load_n(&session_on, __ATOMIC_RELAXED);
}

#define PANIC_LOCK_TRIES 1000000

/*
 * A CPU reporting a fatal error takes the output lock if it can, so no
 * other CPU queues or drains while its report goes straight out; if the
 * lock stays taken (the dying CPU itself may hold it), it writes anyway.
 */
void console_panic(bool on)
{
	if (on) {
		for (int i = 0; i < PANIC_LOCK_TRIES && !panic_holds_lock; i++)
			panic_holds_lock = arch_spin_trylock(&out_lock);
		__atomic_store_n(&panic_cpu, k_cpu_id(), __ATOMIC_RELEASE);
		if (tx_draining && tx_drainer == k_cpu_id())
			tx_draining = false; /* it failed while draining: the next writer drains */
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
