/* SPDX-License-Identifier: MIT */
/* SOURCES: drivers/ns16550.c tests/unit/fake/uart16550.c @fake */
/*
 * The 16550 / DesignWare UART driver against the register-level model
 * (fake/uart16550.c): transmit into a full FIFO, receive by interrupt,
 * back-pressure, the line settings, busy detect, and each register layout
 * (reg-shift 0 or 2, 8- or 32-bit accesses) a devicetree can give.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/uart.h>
#include <arch/mmio.h>
#include "fake/uart16550.h"
#include "fake/fake.h"

#define BASE  0xfe660000u
#define INTID (32 + 118) /* RK3568's UART2: SPI 118 */
#define CPU   2

/* Register layouts: Rockchip's DesignWare, a byte-wide 16550, a 16550 with 32-bit registers. */
static const struct platform_uart layouts[] = {
	{ .type = UART_DW_APB, .base = BASE, .reg_shift = 2, .reg_io_width = 4 },
	{ .type = UART_NS16550, .base = BASE, .reg_shift = 0, .reg_io_width = 1 },
	{ .type = UART_NS16550, .base = BASE, .reg_shift = 2, .reg_io_width = 4 },
	{ .type = UART_DW_APB, .base = BASE, .reg_shift = 2, .reg_io_width = 1 },
};
static const struct uart_ops *ops = &ns16550_uart_ops;
static char received[256];
static unsigned nreceived, throttle_after;

static void sink(uint8_t byte)
{
	received[nreceived++] = (char)byte;
	if (throttle_after && nreceived == throttle_after)
		ops->rx_throttle(true); /* what the console does when its ring is full */
}

static const struct platform_uart *start(void **state)
{
	const struct platform_uart *u = *state;

	fake_reset();
	uart_model_reset(u->base, u->reg_shift, u->reg_io_width, u->type == UART_DW_APB);
	nreceived = throttle_after = 0;
	ops->init(u);
	return u;
}

static void check_accesses(void)
{
	assert_int_equal(uart_model.bad_accesses, 0);
}

/* 300 bytes through a 64-byte FIFO: none lost, in order; the DesignWare driver fills the FIFO. */
static void test_tx_fifo_full(void **state)
{
	const struct platform_uart *u = start(state);
	char msg[301];

	for (int i = 0; i < 300; i++)
		msg[i] = (char)('a' + i % 26);
	for (int i = 0; i < 300; i++)
		ops->putc(msg[i]);
	while (uart_model.ntx)
		(void)fake_mmio_read(BASE + (5u << u->reg_shift),
				     u->reg_io_width); /* let it drain */
	assert_int_equal(uart_model.tx_overflows, 0);
	assert_int_equal(uart_model.nline, 300);
	assert_memory_equal(uart_model.line, msg, 300);
	if (u->type == UART_DW_APB) {
		assert_int_equal(uart_model.max_fill, MODEL_FIFO);
		assert_true(uart_model.polls_while_full > 0);
	}
	check_accesses();
}

static void test_rx_interrupt(void **state)
{
	start(state);
	ops->rx_irq_enable(INTID, CPU, sink);
	assert_true(fake_arch.irq_enabled);
	assert_int_equal(fake_arch.irq_intid, INTID);
	assert_int_equal(fake_arch.irq_cpu, CPU);
	assert_false(uart_model_irq());
	uart_model_receive("zvm\r");
	assert_true(uart_model_irq());
	assert_true(fake_irq_fire(INTID));
	assert_int_equal(nreceived, 4);
	assert_memory_equal(received, "zvm\r", 4);
	assert_false(uart_model_irq());
	check_accesses();
}

/* A full console stops receive interrupts; the rest waits in the FIFO until restarted. */
static void test_rx_throttle(void **state)
{
	start(state);
	ops->rx_irq_enable(INTID, CPU, sink);
	throttle_after = 3;
	uart_model_receive("hello");
	assert_true(fake_irq_fire(INTID));
	assert_int_equal(nreceived, 3);
	assert_int_equal(uart_model.nrx, 2);
	assert_false(uart_model_irq());
	throttle_after = 0;
	ops->rx_throttle(false);
	assert_true(uart_model_irq());
	assert_true(fake_irq_fire(INTID));
	assert_int_equal(nreceived, 5);
	assert_memory_equal(received, "hello", 5);
	check_accesses();
}

/* Clock and baud from the DTB: divisor programmed, after the transmitter emptied (no busy LCR write). */
static void test_line_settings_from_dtb(void **state)
{
	struct platform_uart u = *(const struct platform_uart *)*state;

	uart_model_reset(u.base, u.reg_shift, u.reg_io_width, u.type == UART_DW_APB);
	uart_model.tx[uart_model.ntx++] = 'x'; /* firmware output still going out */
	uart_model.fcr = 1;
	u.clock_hz = 24000000;
	u.baud = 115200;
	ops->init(&u);
	assert_int_equal(uart_model.dll, 13); /* 24 MHz / (16 * 115200) = 13.02 */
	assert_int_equal(uart_model.dlm, 0);
	assert_int_equal(uart_model.lcr, 0x03);
	assert_int_equal(uart_model.busy_lcr_writes, 0);
	assert_int_equal(uart_model.nline, 1);
	u.baud = 1500000;
	ops->init(&u);
	assert_int_equal(uart_model.dll, 1);
	check_accesses();
}

/* No clock in the DTB (a CRU clock): the firmware's divisor and LCR stay. */
static void test_line_settings_kept(void **state)
{
	start(state);
	assert_int_equal(uart_model.lcr_writes, 0);
	assert_int_equal(uart_model.dll, 13);
	assert_true(uart_model.fcr & 1);
	check_accesses();
}

static void test_busy_detect_acknowledged(void **state)
{
	const struct platform_uart *u = start(state);

	if (u->type != UART_DW_APB)
		return; /* the plain 16550 has no busy detect */
	ops->rx_irq_enable(INTID, CPU, sink);
	uart_model.busy_irq = true;
	assert_true(uart_model_irq());
	assert_true(fake_irq_fire(INTID));
	assert_false(uart_model_irq());
	check_accesses();
}

#define FOR_LAYOUTS(f)                                             \
	cmocka_unit_test_prestate(f, (void *)&layouts[0]),         \
		cmocka_unit_test_prestate(f, (void *)&layouts[1]), \
		cmocka_unit_test_prestate(f, (void *)&layouts[2]), \
		cmocka_unit_test_prestate(f, (void *)&layouts[3])

int main(void)
{
	const struct CMUnitTest tests[] = {
		FOR_LAYOUTS(test_tx_fifo_full),
		FOR_LAYOUTS(test_rx_interrupt),
		FOR_LAYOUTS(test_rx_throttle),
		FOR_LAYOUTS(test_line_settings_from_dtb),
		FOR_LAYOUTS(test_line_settings_kept),
		cmocka_unit_test_prestate(test_busy_detect_acknowledged, (void *)&layouts[0]),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
