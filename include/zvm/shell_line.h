/* SPDX-License-Identifier: MIT */
/*
 * The shell's line editor: a pure state machine fed one input byte at a
 * time. It keeps the line being typed, a history of recent lines and
 * writes its echo and redraw bytes through a callback. It makes no kernel
 * calls, so it runs unchanged in host unit tests.
 *
 * Keys: printable ASCII inserts at the cursor; Backspace (0x7f, 0x08);
 * Enter (CR or LF, CR LF counts once); Left/Right, Up/Down (history),
 * Home/End and Delete as VT100 sequences (ESC [ x, ESC O x, ESC [ n ~);
 * Ctrl-A/Ctrl-E (home/end), Ctrl-C (drop the line), Ctrl-U (kill the line).
 * Every other byte (NUL, other control bytes, bytes >= 0x80, unknown or
 * overlong escape sequences) is ignored.
 *
 * The output uses only printable characters, space, BS (0x08), CR and LF,
 * so it works on any terminal.
 */
#ifndef ZVM_SHELL_LINE_H
#define ZVM_SHELL_LINE_H

#include <stdbool.h>
#include <stddef.h>

#define SHELL_LINE_MAX 255 /* longest line, in bytes */
#define SHELL_HIST_LEN 16  /* lines kept in the history */
#define SHELL_ESC_MAX  4   /* parameter bytes kept in an ESC [ */

/** Writes n bytes of echo or redraw to the terminal. */
typedef void (*shell_line_out_t)(const char *s, size_t n, void *ctx);

enum shell_line_result {
	SHELL_LINE_NONE,     /* nothing finished; feed the next byte */
	SHELL_LINE_DONE,     /* Enter: shell_line_text() holds the line */
	SHELL_LINE_TOO_LONG, /* Enter ended a line of > SHELL_LINE_MAX */
	SHELL_LINE_CANCEL,   /* Ctrl-C dropped the line */
};

/* All fields are private to shell/line.c (tests may read them). */
struct shell_line {
	char buf[SHELL_LINE_MAX + 1];  /* the line, NUL-terminated */
	size_t len;                    /* bytes in buf */
	size_t cur;                    /* cursor, 0..len */
	bool overflow;                 /* input was lost: line is too long */
	bool ready;                    /* DONE line held till the next byte */
	bool last_cr;                  /* last byte was CR: swallow one LF */
	int esc;                       /* escape sequence state */
	char esc_param[SHELL_ESC_MAX]; /* parameter bytes of ESC [ */
	size_t esc_len;
	char hist[SHELL_HIST_LEN][SHELL_LINE_MAX + 1];
	unsigned hist_head; /* slot of the newest entry */
	unsigned hist_count;
	int hist_pos;                   /* entry shown, 0 = newest; -1 = none */
	char saved[SHELL_LINE_MAX + 1]; /* the new line while browsing */
	size_t saved_len;
	shell_line_out_t out;
	void *out_ctx;
};

/**
 * Initialise an editor with an empty line and history. out (may be NULL
 * for no echo) receives every byte the editor wants on the terminal.
 */
void shell_line_init(struct shell_line *l, shell_line_out_t out, void *ctx);

/**
 * Feed one input byte (0..255; anything else is ignored). Returns what it
 * finished, if anything. After SHELL_LINE_DONE the line is available from
 * shell_line_text() until the next call; the other results leave nothing.
 */
enum shell_line_result shell_line_feed(struct shell_line *l, int c);

/**
 * The line finished by the last SHELL_LINE_DONE, NUL-terminated. The caller
 * may modify it in place (e.g. to split it into arguments); it stays valid
 * until the next shell_line_feed().
 */
char *shell_line_text(struct shell_line *l);

#endif /* ZVM_SHELL_LINE_H */
