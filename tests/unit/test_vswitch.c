/* SOURCES: virt/virtio/vswitch.c @fake */
/*
 * Unit tests of zvm's virtual Ethernet switch: flooding of broadcast and
 * unknown destinations, MAC learning, forgetting a detached port's MACs,
 * runt frames, and a full port table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/kernel.h>
#include <zvm/vswitch.h>

struct tport {
	struct vswitch_port port;	/* first */
	int got;
	size_t last_len;
};

static struct tport p[3];

static void deliver(struct vswitch_port *port, const uint8_t *frame, size_t len)
{
	struct tport *t = (struct tport *)port;

	(void)frame;
	t->got++;
	t->last_len = len;
}

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {
		p[i] = (struct tport){ .port = { .index = -1, .deliver = deliver } };
		assert_int_equal(vswitch_attach(&p[i].port), 0);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++)
		vswitch_detach(&p[i].port);
	return 0;
}

/* A 60-byte frame from MAC ..:src to MAC ..:dst (0xff: broadcast). */
static void send(int from, uint8_t dst, uint8_t src)
{
	uint8_t f[60] = { 0x02, 0, 0, 0, 0, dst, 0x02, 0, 0, 0, 0, src };

	if (dst == 0xff)
		memset(f, 0xff, 6);
	vswitch_send(&p[from].port, f, sizeof(f));
}

static void got(int a, int b, int c)
{
	assert_int_equal(p[0].got, a);
	assert_int_equal(p[1].got, b);
	assert_int_equal(p[2].got, c);
}

static void test_flood_then_learn(void **state)
{
	(void)state;
	send(0, 0xff, 0xa0);		/* broadcast: everyone but the sender */
	got(0, 1, 1);
	send(1, 0xa0, 0xa1);		/* 0xa0 was learned on port 0 */
	got(1, 1, 1);
	assert_int_equal(p[0].last_len, 60);
	send(0, 0xa2, 0xa0);		/* unknown: flooded */
	got(1, 2, 2);
	send(2, 0xa1, 0xa2);		/* learned on port 1 */
	got(1, 3, 2);
	send(0, 0xa0, 0xa0);		/* to itself: not sent back */
	got(1, 3, 2);
}

static void test_detach_forgets(void **state)
{
	(void)state;
	send(1, 0xff, 0xb1);
	vswitch_detach(&p[1].port);
	send(0, 0xb1, 0xb0);		/* unknown again: flooded to the ports left */
	got(1, 0, 2);
	assert_int_equal(vswitch_attach(&p[1].port), 0);
}

static void test_runt_dropped(void **state)
{
	uint8_t f[13];

	(void)state;
	memset(f, 0xff, sizeof(f));
	vswitch_send(&p[0].port, f, sizeof(f));
	got(0, 0, 0);
}

static void test_ports_run_out(void **state)
{
	struct tport extra[VSWITCH_PORTS];
	int attached = 0;

	(void)state;
	for (int i = 0; i < VSWITCH_PORTS; i++) {
		extra[i] = (struct tport){ .port = { .index = -1, .deliver = deliver } };
		if (vswitch_attach(&extra[i].port) == 0)
			attached++;
	}
	assert_int_equal(attached, VSWITCH_PORTS - 3);
	for (int i = 0; i < VSWITCH_PORTS; i++)
		vswitch_detach(&extra[i].port);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flood_then_learn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_forgets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runt_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ports_run_out, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
