/* SPDX-License-Identifier: MIT */
/*
 * Shell argument handling: splitting a line into argc/argv and parsing
 * the values commands take (integers, sizes, CPU lists). Pure functions,
 * no kernel calls. Every parser returns SHELL_ARG_OK or a negative
 * SHELL_ARG_E* code; shell_arg_strerror() turns that into a message.
 */
#ifndef ZVM_SHELL_ARGS_H
#define ZVM_SHELL_ARGS_H

#include <stdint.h>

#define SHELL_ARGS_MAX 16 /* most arguments, incl. the command */

enum shell_arg_err {
	SHELL_ARG_OK = 0,
	SHELL_ARG_ETOOMANY = -1,  /* more than SHELL_ARGS_MAX words */
	SHELL_ARG_EQUOTE = -2,    /* a quote is not closed */
	SHELL_ARG_EEMPTY = -3,    /* empty value */
	SHELL_ARG_ENUMBER = -4,   /* not a number */
	SHELL_ARG_ERANGE = -5,    /* number out of range (or overflow) */
	SHELL_ARG_ESUFFIX = -6,   /* unknown size suffix */
	SHELL_ARG_ELIST = -7,     /* malformed CPU list */
	SHELL_ARG_EREVERSED = -8, /* CPU range ends before it starts */
};

/**
 * Split line in place into words: runs of space/tab separate them; "..."
 * and '...' group text with blanks (and may be empty or adjoin other
 * text: a"b c" is one word). Inside "...", a backslash takes the next
 * character literally (\" \\); elsewhere a backslash is an ordinary
 * character. argv must have SHELL_ARGS_MAX + 1 slots; it is NULL
 * terminated. On error *argc is 0. Returns SHELL_ARG_OK,
 * SHELL_ARG_ETOOMANY or SHELL_ARG_EQUOTE.
 */
int shell_args_split(char *line, int *argc, char **argv);

/**
 * Parse an unsigned integer, decimal or 0x-prefixed hex, the whole string,
 * within [min, max]. *out is only written on success.
 */
int shell_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/** Like shell_parse_uint() with an optional leading '-'. */
int shell_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

/**
 * Parse a size in bytes: an unsigned integer (as shell_parse_uint) with an
 * optional suffix K, M or G (powers of 1024, any case, may be followed by
 * "B" or "iB"), at most max.
 */
int shell_parse_size(const char *s, uint64_t max, uint64_t *out);

/**
 * Parse a CPU list such as "0", "1,3" or "0-2,5" (decimal), or "all", into
 * a mask of CPUs; each CPU must be below ncpus (at most 32).
 */
int shell_parse_cpulist(const char *s, unsigned ncpus, uint32_t *mask);

/** A short message for a SHELL_ARG_E* code, e.g. "not a number". */
const char *shell_arg_strerror(int err);

/* ---- for command handlers; implemented in shell/shell.c ---- */

/**
 * Print "error: <fmt...>" and then "usage: <cmd> <usage>" for the command
 * named cmd. Returns 1, for a handler to return.
 */
int shell_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* ZVM_SHELL_ARGS_H */
