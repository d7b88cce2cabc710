/* SPDX-License-Identifier: MIT */
/*
 * Inside the management agent: the request a command handler gets, the
 * command table, and the parts the agent is made of (images, events, log
 * tap). Every function here runs on the agent thread, except
 * mgmt_tap_console(), which the console calls from any CPU.
 */
#ifndef MGMT_INTERNAL_H
#define MGMT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zvm/mgmt_json.h>
#include <zvm/mgmt_proto.h>
#include <zvm/shell_args.h>
#include <zvm/vm_config.h>

#define MGMT_ERR_LEN    160
#define MGMT_CONFIG_MAX 0x10000 /* an uploaded VM config DTB, like VMCFG_MAX */

struct vm;

/* One request, split and ready for its handler. */
struct mgmt_req {
	int argc;
	char *argv[SHELL_ARGS_MAX + 1];
	const uint8_t *data; /* bytes after the command line's NUL */
	uint32_t dlen;
	char err[MGMT_ERR_LEN]; /* the handler's message when it fails */
};

/*
 * A handler appends its reply fields (each starting with jb_key) to out,
 * after the agent's `{"ok":true`. It returns 0, or nonzero with r->err set
 * (the agent then replies {"ok":false,"error":...}). A handler validates
 * everything before it changes anything.
 */
typedef int (*mgmt_handler_t)(struct mgmt_req *r, struct jbuf *out);

struct mgmt_cmd {
	const char *name;
	mgmt_handler_t fn;
	const char *usage;
};

/** Set r->err and return 1, for handlers. */
int mgmt_fail(struct mgmt_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** The VM id in argv[i] (checked, must exist); -1 with r->err set. */
int mgmt_arg_vm(struct mgmt_req *r, int i);

/* Command tables, each ending with a NULL name. */
extern const struct mgmt_cmd mgmt_vm_cmds[];    /* mgmt/cmd_vm.c */
extern const struct mgmt_cmd mgmt_image_cmds[]; /* mgmt/images.c */
extern const struct mgmt_cmd mgmt_stats_cmds[]; /* mgmt/cmd_stats.c */
extern const struct mgmt_cmd mgmt_test_cmds[];  /* mgmt/cmd_test.c */

/** One VM as a JSON object: the columns of `zvm info`. */
void mgmt_json_vm(struct jbuf *j, struct vm *vm);
/** Append "exits_by_kind" and "vcpu" (where, run time, preemptions) of vm. */
void mgmt_json_vm_detail(struct jbuf *j, const struct vm *vm);

/** Runtime images: set up, and drop uploads a vanished client left (idle too long). */
void mgmt_images_init(void);
void mgmt_images_expire(uint64_t now_ms, bool all_partial);
/** A finished config upload named `name` (a DTB), or NULL. */
const void *mgmt_config_find(const char *name);

/** Send one event: JSON body text. Dropped (and counted) if the channel is full. */
void mgmt_send_event(const char *json, size_t len);
/** Compare VMs with what was last seen and send state/fault/preemption events. */
void mgmt_events_poll(void);

/** Start collecting console output for log events (the console's tap). */
void mgmt_tap_init(void);
/** Take whole lines collected by the tap; calls fn for each (without '\n'). */
void mgmt_tap_drain(void (*fn)(const char *line, size_t len));
/** Forget what the tap holds (a client subscribed: it wants what comes next). */
void mgmt_tap_discard(void);
/** Console bytes the tap dropped because the agent was behind. */
uint64_t mgmt_tap_dropped(void);
/** One console line: counted, and sent as a log event when a client subscribed. */
void mgmt_log_line(const char *line, size_t len);
/**
 * Wait up to timeout_ms for a console line of VM `vm_name` ("[name] ...")
 * containing `text`, forwarding lines as usual meanwhile; 0 or -1.
 */
int mgmt_tap_expect(const char *vm_name, const char *text, int timeout_ms);
/** A line of one VM's output, without the "[name] " prefix; true: the wait is over. */
typedef bool (*mgmt_tap_line_fn)(const char *line, void *arg);
/**
 * As mgmt_tap_expect, and each(line, arg) for every line of that VM until
 * the match or until each returns true. vm_name NULL: every console line
 * (prefix included); text NULL: only each ends the wait.
 */
int mgmt_tap_watch(const char *vm_name, const char *text, int timeout_ms, mgmt_tap_line_fn each,
		   void *arg);

/** Agent counters for `stats`. */
struct mgmt_counters {
	uint64_t frames_in, frames_out, bad_frames, events_dropped, log_lines;
	uint64_t wakeups; /* times the agent thread woke up */
};
extern struct mgmt_counters mgmt_counters; /* written by the agent thread only */
/** When the oldest partial upload expires (ms of uptime); UINT64_MAX if none. */
uint64_t mgmt_images_deadline(void);
/** Whether log lines are sent as events (a client asked: `subscribe log`). */
extern bool mgmt_log_subscribed;

#endif /* MGMT_INTERNAL_H */
