/* SPDX-License-Identifier: MIT */
/*
 * The management agent's thread: reads frames from the channel, answers
 * requests, pushes events. It owns the parser, the session (authenticated
 * or not) and the reply buffer; nothing else writes them. It never holds a
 * lock a vCPU takes while it waits for the channel, and every wait for the
 * PC is bounded: if the PC vanishes, output is dropped and zvm carries on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zvm/kernel.h>
#include <zvm/log.h>
#include <zvm/mgmt.h>
#include <zvm/passthrough.h>
#include <zvm/platform.h>
#include <zvm/virtio_serial.h>
#include <zvm/vmm.h>
#include "mgmt_internal.h"
#include "version.h"

#define AGENT_STACK  16384
#define POLL_MS      100  /* log stream drain period, while a client subscribed */
#define TRUNCATED_MS 2000 /* a frame that stops arriving for this long is dropped */
#define REPLY_WAIT   K_MSEC(500)
#define EVENT_WAIT   K_MSEC(20)
#define TOKEN_LEN    32

struct mgmt_counters mgmt_counters;
bool mgmt_log_subscribed;

static struct mgmt_parser parser;
static struct k_thread *agent_thread; /* set once by mgmt_start */
static uint8_t frame[MGMT_HDR_LEN + MGMT_BODY_MAX];
static char token[TOKEN_LEN + 1];
static bool authed;

int mgmt_fail(struct mgmt_req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return 1;
}

int mgmt_arg_vm(struct mgmt_req *r, int i)
{
	int64_t id;
	int ret;

	if (i >= r->argc) {
		mgmt_fail(r, "%s needs a VM id", r->argv[0]);
		return -1;
	}
	ret = shell_parse_int(r->argv[i], 0, VM_MAX - 1, &id);
	if (ret) {
		mgmt_fail(r, "bad VM id '%s': %s", r->argv[i], shell_arg_strerror(ret));
		return -1;
	}
	if (!vmm_get((int)id)) {
		mgmt_fail(r, "no VM with id %d", (int)id);
		return -1;
	}
	return (int)id;
}

/* One frame out, header and body together (all or nothing). */
static void send_frame(enum mgmt_type type, uint32_t id, const char *body, size_t len,
		       k_timeout_t wait)
{
	if (body != (const char *)frame + MGMT_HDR_LEN)
		memcpy(frame + MGMT_HDR_LEN, body, len);
	mgmt_frame_header(frame, type, id, frame + MGMT_HDR_LEN, (uint32_t)len);
	if (vser_write(frame, MGMT_HDR_LEN + len, wait))
		mgmt_counters.frames_out++;
	else if (type == MGMT_EVENT)
		mgmt_counters.events_dropped++;
}

void mgmt_send_event(const char *json, size_t len)
{
	if (authed && len <= MGMT_BODY_MAX)
		send_frame(MGMT_EVENT, 0, json, len, EVENT_WAIT);
}

static void send_error(uint32_t id, const char *what, const char *why)
{
	struct jbuf j;

	jb_init(&j, (char *)frame + MGMT_HDR_LEN, MGMT_BODY_MAX);
	jb_printf(&j, "{\"ok\":false,\"error\":");
	if (what) {
		char msg[MGMT_ERR_LEN + 32];

		snprintf(msg, sizeof(msg), "%s: %s", what, why);
		jb_str(&j, msg);
	} else {
		jb_str(&j, why);
	}
	jb_printf(&j, "}");
	send_frame(MGMT_REPLY, id, (const char *)frame + MGMT_HDR_LEN, j.len, REPLY_WAIT);
}

/* ---- the agent's own requests: hello, ping, help, subscribe ---- */

static bool token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned diff = la != lb;

	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned)(a[i] ^ b[i]);
	return diff == 0;
}

static int req_hello(struct mgmt_req *r, struct jbuf *out)
{
	authed = false;
	if (r->argc != 2)
		return mgmt_fail(r, "usage: hello TOKEN");
	if (!token_equal(r->argv[1], token))
		return mgmt_fail(r, "bad token (zvm prints it at boot: \"mgmt: ... token ...\")");
	authed = true;
	mgmt_log_subscribed = false;
	mgmt_images_expire(k_uptime_ms(), true); /* a new client: the old one is gone */
	jb_key(out, "protocol");
	jb_printf(out, "%d", MGMT_VERSION);
	jb_key(out, "zvm");
	jb_str(out, ZVM_VERSION);
	jb_key(out, "body_max");
	jb_printf(out, "%d", MGMT_BODY_MAX);
	jb_key(out, "cpus");
	jb_printf(out, "%d", k_num_cpus_present());
	jb_key(out, "model");
	jb_str(out, platform.model);
	return 0;
}

static int req_ping(struct mgmt_req *r, struct jbuf *out)
{
	(void)r;
	jb_key(out, "uptime_ms");
	jb_printf(out, "%lu", (unsigned long)k_uptime_ms());
	return 0;
}

static int req_subscribe(struct mgmt_req *r, struct jbuf *out)
{
	(void)out;
	if (r->argc != 2 || strcmp(r->argv[1], "log"))
		return mgmt_fail(r, "usage: %s log", r->argv[0]);
	mgmt_log_subscribed = !strcmp(r->argv[0], "subscribe");
	if (mgmt_log_subscribed)
		mgmt_tap_discard(); /* from now on, not what piled up before */
	return 0;
}

static int req_help(struct mgmt_req *r, struct jbuf *out);

static const struct mgmt_cmd agent_cmds[] = {
	{ "hello", req_hello, "hello TOKEN" },
	{ "ping", req_ping, "ping" },
	{ "help", req_help, "help" },
	{ "subscribe", req_subscribe, "subscribe log" },
	{ "unsubscribe", req_subscribe, "unsubscribe log" },
	{ NULL, NULL, NULL },
};

static const struct mgmt_cmd *const cmd_tables[] = {
	agent_cmds, mgmt_vm_cmds, mgmt_image_cmds, mgmt_stats_cmds, mgmt_test_cmds,
};

static int req_help(struct mgmt_req *r, struct jbuf *out)
{
	(void)r;
	jb_key(out, "requests");
	jb_printf(out, "[");
	for (size_t t = 0; t < sizeof(cmd_tables) / sizeof(cmd_tables[0]); t++)
		for (const struct mgmt_cmd *c = cmd_tables[t]; c->name; c++) {
			jb_item(out);
			jb_str(out, c->usage);
		}
	jb_printf(out, "]");
	return 0;
}

static const struct mgmt_cmd *cmd_find(const char *name)
{
	for (size_t t = 0; t < sizeof(cmd_tables) / sizeof(cmd_tables[0]); t++)
		for (const struct mgmt_cmd *c = cmd_tables[t]; c->name; c++)
			if (!strcmp(c->name, name))
				return c;
	return NULL;
}

/* Split, check and run one request; the reply goes out with the same id. */
static void handle_request(uint32_t id, const uint8_t *body, uint32_t len)
{
	static struct mgmt_req r;
	static char line[MGMT_LINE_MAX + 1];
	const struct mgmt_cmd *cmd;
	struct jbuf j;
	int ret;

	memset(&r, 0, sizeof(r));
	if (mgmt_body_split(body, len, line, &r.data, &r.dlen, r.err, sizeof(r.err)))
		return send_error(id, "bad request", r.err);
	ret = shell_args_split(line, &r.argc, r.argv);
	if (ret || r.argc == 0)
		return send_error(id, "bad request", ret ? shell_arg_strerror(ret) : "empty");
	if (!authed && strcmp(r.argv[0], "hello"))
		return send_error(id, NULL, "not authenticated: send hello TOKEN first");
	cmd = cmd_find(r.argv[0]);
	if (!cmd)
		return send_error(id, "unknown request", r.argv[0]);
	jb_init(&j, (char *)frame + MGMT_HDR_LEN, MGMT_BODY_MAX);
	jb_printf(&j, "{\"ok\":true");
	ret = cmd->fn(&r, &j);
	if (ret)
		return send_error(id, NULL, r.err[0] ? r.err : "failed");
	jb_printf(&j, "}");
	if (j.overflow)
		return send_error(id, NULL, "reply longer than the frame maximum");
	send_frame(MGMT_REPLY, id, (const char *)frame + MGMT_HDR_LEN, j.len, REPLY_WAIT);
}

static void frame_done(void)
{
	mgmt_counters.frames_in++;
	if (parser.type != MGMT_REQUEST)
		return send_error(parser.id, "bad frame", "zvm takes only requests");
	handle_request(parser.id, parser.body, parser.blen);
}

/* Parse what arrived; returns whether anything did. */
static bool pump_input(void)
{
	static uint8_t in[512];
	bool any = false;
	size_t n;

	while ((n = vser_read(in, sizeof(in))) > 0) {
		any = true;
		for (size_t off = 0, used; off < n; off += used) {
			int ret = mgmt_parse(&parser, in + off, n - off, &used);

			if (ret == MGMT_P_FRAME) {
				frame_done();
			} else if (ret < 0) {
				mgmt_counters.bad_frames++;
				send_error(parser.id, "bad frame", mgmt_parse_strerror(ret));
			}
		}
	}
	return any;
}

void mgmt_log_line(const char *line, size_t len)
{
	static char ev[MGMT_LINE_MAX + 64];
	struct jbuf j;

	mgmt_counters.log_lines++;
	if (!authed || !mgmt_log_subscribed)
		return;
	jb_init(&j, ev, sizeof(ev));
	jb_printf(&j, "{\"event\":\"log\",\"line\":");
	jb_strn(&j, line, len > MGMT_LINE_MAX ? MGMT_LINE_MAX : len);
	jb_printf(&j, "}");
	mgmt_send_event(ev, j.len);
}

/*
 * The agent sleeps until the channel's interrupt or a kick (a VM changed:
 * mgmt_kick), with a timeout only while something has a deadline: a frame
 * half received (TRUNCATED_MS), an upload half done (its expiry), a log
 * stream a client subscribed to (drained every POLL_MS: the console cannot
 * wake it, docs/management.md). Otherwise it uses no CPU at all.
 */
static k_timeout_t next_wait(uint64_t now, uint64_t last_input)
{
	uint64_t until = mgmt_images_deadline();

	if (mgmt_parser_partial(&parser) && last_input + TRUNCATED_MS + 1 < until)
		until = last_input + TRUNCATED_MS + 1;
	if (authed && mgmt_log_subscribed && now + POLL_MS < until)
		until = now + POLL_MS;
	if (until == UINT64_MAX)
		return K_FOREVER;
	return K_MSEC(until > now ? until - now : 1);
}

static void agent_main(void *arg)
{
	uint64_t now = k_uptime_ms(), last_input = now;

	(void)arg;
	for (;;) {
		vser_wait(next_wait(now, last_input));
		mgmt_counters.wakeups++;
		now = k_uptime_ms();
		if (pump_input())
			last_input = now;
		if (mgmt_parser_partial(&parser) && now - last_input > TRUNCATED_MS) {
			mgmt_counters.bad_frames++;
			send_error(parser.id, "bad frame", "truncated: no more bytes for 2 s");
			mgmt_parser_reset(&parser);
		}
		mgmt_tap_drain(mgmt_log_line);
		if (authed)
			mgmt_events_poll();
		mgmt_images_expire(now, false);
	}
}

/* A VM changed (vm_set_change_hook): wake the agent to push its event. Never blocks. */
static void mgmt_kick(void)
{
	vser_kick();
}

/* The build's token (ZVM_MGMT_TOKEN), or one made from the counter at boot. */
static void token_init(void)
{
#ifdef ZVM_MGMT_TOKEN
	snprintf(token, sizeof(token), "%s", ZVM_MGMT_TOKEN);
#else
	uint64_t x = k_cycle_get() * 0x9e3779b97f4a7c15ull;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	snprintf(token, sizeof(token), "%016llx", (unsigned long long)(x ^ (x >> 32)));
#endif
}

void mgmt_start(void)
{
	char err[96];
	uint64_t base;
	int intid;

	if (vser_init(platform.fdt, MGMT_CPU, err, sizeof(err))) {
		LOG_INF("mgmt: no control channel (%s); the console is the only way in", err);
		return;
	}
	vser_location(&base, &intid); /* the host's own device: never passed through */
	passthrough_host_claim(base, VIRTIO_MMIO_SIZE, intid, "management channel");
	token_init();
	mgmt_parser_reset(&parser);
	mgmt_images_init();
	mgmt_tap_init();
	agent_thread =
		k_thread_spawn("mgmt", AGENT_STACK, agent_main, NULL, MGMT_PRIO, 1u << MGMT_CPU);
	if (!agent_thread) {
		LOG_ERR("mgmt: cannot start the agent thread");
		return;
	}
	vm_set_change_hook(mgmt_kick);
	printf("mgmt: control channel on %s; token %s\n", vser_where(), token);
}
