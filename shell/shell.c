/* SPDX-License-Identifier: MIT */
/*
 * The shell: reads lines from the console through the line editor, splits
 * them into words and runs the command the first word names. Commands are
 * struct shell_cmd entries the linker gathers in the shell_cmds section.
 *
 * All messages go to stdout: "error: ..." lines, then for a command's bad
 * arguments "usage: <name> <usage>".
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <zvm/console.h>
#include <zvm/shell.h>
#include <zvm/shell_args.h>
#include <zvm/shell_line.h>

#define HELP_COL_MAX 32 /* widest "name usage" column in help */

/* Provided by GNU ld for the shell_cmds section. */
extern const struct shell_cmd __start_shell_cmds[];
extern const struct shell_cmd __stop_shell_cmds[];

#define for_each_cmd(c) for ((c) = __start_shell_cmds; (c) < __stop_shell_cmds; (c)++)

static struct shell_line shell_editor;

/* ---- the command table ---- */

static const struct shell_cmd *cmd_find(const char *name)
{
	const struct shell_cmd *c;

	for_each_cmd(c) if (strcmp(c->name, name) == 0) return c;
	return NULL;
}

/* The command whose name follows prev's (the first if prev is NULL). */
static const struct shell_cmd *cmd_next_sorted(const struct shell_cmd *prev)
{
	const struct shell_cmd *c, *best = NULL;

	for_each_cmd(c)
	{
		if (prev && strcmp(c->name, prev->name) <= 0)
			continue;
		if (!best || strcmp(c->name, best->name) < 0)
			best = c;
	}
	return best;
}

/* "name usage", or just "name". */
static void cmd_synopsis(const struct shell_cmd *c, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", c->name, c->usage[0] ? " " : "", c->usage);
}

static void print_usage(const struct shell_cmd *c)
{
	char syn[128];

	cmd_synopsis(c, syn, sizeof(syn));
	printf("usage: %s\n", syn);
}

int shell_usage_error(const char *cmd, const char *fmt, ...)
{
	const struct shell_cmd *c = cmd_find(cmd);
	va_list ap;

	fputs("error: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (c)
		print_usage(c);
	return 1;
}

/* ---- help ---- */

static int help_width(void)
{
	const struct shell_cmd *c;
	size_t w = 0, n;

	for_each_cmd(c)
	{
		n = strlen(c->name) + 1 + strlen(c->usage);
		if (n > w)
			w = n;
	}
	return w > HELP_COL_MAX ? HELP_COL_MAX : (int)w;
}

static void print_help_line(const struct shell_cmd *c, int width)
{
	char syn[128];

	cmd_synopsis(c, syn, sizeof(syn));
	printf("%-*s  %s\n", width, syn, c->help);
}

static int cmd_help(int argc, char **argv)
{
	const struct shell_cmd *c;
	int width = help_width();

	if (argc > 2)
		return shell_usage_error(argv[0], "unexpected argument '%s'", argv[2]);
	if (argc == 2) {
		c = cmd_find(argv[1]);
		if (!c)
			return shell_usage_error(argv[0], "unknown command '%s'", argv[1]);
		print_help_line(c, width);
		return 0;
	}
	for (c = cmd_next_sorted(NULL); c; c = cmd_next_sorted(c))
		print_help_line(c, width);
	return 0;
}

SHELL_CMD(help, cmd_help, "[CMD]", "list the commands, or describe one");

/* ---- the loop ---- */

static void echo(const char *s, size_t n, void *ctx)
{
	(void)ctx;
	console_write(s, n);
}

/* Feed console input to the editor until a line ends one way or another. */
static enum shell_line_result read_line(void)
{
	enum shell_line_result r;

	do {
		fflush(stdout);
		r = shell_line_feed(&shell_editor, console_getc());
	} while (r == SHELL_LINE_NONE);
	return r;
}

static void run_line(char *line)
{
	char *argv[SHELL_ARGS_MAX + 1];
	const struct shell_cmd *c;
	int argc, err;

	err = shell_args_split(line, &argc, argv);
	if (err) {
		printf("error: %s\n", shell_arg_strerror(err));
		return;
	}
	if (argc == 0)
		return;
	c = cmd_find(argv[0]);
	if (!c) {
		printf("error: unknown command '%s' (type 'help')\n", argv[0]);
		return;
	}
	/* CMD --help: what it does and its usage (zvm answers for its subcommands). */
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) &&
	    strcmp(c->name, "zvm")) {
		printf("%s: %s\n", c->name, c->help);
		print_usage(c);
		return;
	}
	c->handler(argc, argv);
}

void shell_run(const char *prompt)
{
	shell_line_init(&shell_editor, echo, NULL);
	for (;;) {
		fputs(prompt, stdout);
		switch (read_line()) {
		case SHELL_LINE_DONE:
			run_line(shell_line_text(&shell_editor));
			break;
		case SHELL_LINE_TOO_LONG:
			printf("error: line too long (max %d characters)\n", SHELL_LINE_MAX);
			break;
		default: /* Ctrl-C */
			break;
		}
	}
}
