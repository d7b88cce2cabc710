/* SPDX-License-Identifier: MIT */
/*
 * The shell: a line editor, an argument parser and a table of commands.
 * A command is declared anywhere with SHELL_CMD(); the linker collects them.
 */
#ifndef ZVM_SHELL_H
#define ZVM_SHELL_H

struct shell_cmd {
	const char *name;
	const char *usage; /* arguments, e.g. "[-n ID]"; "" if none */
	const char *help;  /* one line shown by `help` */
	/* Returns 0 on success; prints its own messages. */
	int (*handler)(int argc, char **argv);
};

#define SHELL_CMD(_name, _handler, _usage, _help)                                           \
	static const struct shell_cmd shell_cmd_##_name                                     \
		__attribute__((section("shell_cmds"), used, aligned(8))) = {                \
			.name = #_name, .usage = _usage, .help = _help, .handler = _handler \
		}

/** Run the shell on the console forever. */
void shell_run(const char *prompt);

#endif /* ZVM_SHELL_H */
