/* SPDX-License-Identifier: MIT */
/*
 * The shell's line editor (see include/zvm/shell_line.h).
 *
 * The terminal's cursor always tracks l->cur: every edit moves it with BS
 * and by rewriting characters, and redraws the text right of the edit.
 */
#include <string.h>
#include <zvm/shell_line.h>

#define CTRL(c) ((c)&0x1f)
#define KEY_ESC 0x1b
#define KEY_DEL 0x7f

enum esc_state {
	ESC_NONE,
	ESC_START, /* got ESC */
	ESC_CSI,   /* got ESC [ */
	ESC_SS3,   /* got ESC O */
};

/* ---- terminal output ---- */

static void emit(struct shell_line *l, const char *s, size_t n)
{
	if (l->out && n)
		l->out(s, n, l->out_ctx);
}

/* Write byte c n times. */
static void out_rep(struct shell_line *l, char c, size_t n)
{
	char chunk[32];
	size_t k;

	memset(chunk, c, sizeof(chunk));
	for (; n; n -= k) {
		k = n < sizeof(chunk) ? n : sizeof(chunk);
		emit(l, chunk, k);
	}
}

/*
 * With the terminal cursor at column pos, rewrite buf[pos..len), blank
 * `erase` more columns left over from a longer text, then go back to cur.
 */
static void redraw_from(struct shell_line *l, size_t pos, size_t erase)
{
	emit(l, l->buf + pos, l->len - pos);
	out_rep(l, ' ', erase);
	out_rep(l, '\b', l->len + erase - l->cur);
}

/* ---- cursor motion ---- */

static void move_left(struct shell_line *l)
{
	if (l->cur == 0)
		return;
	l->cur--;
	emit(l, "\b", 1);
}

static void move_right(struct shell_line *l)
{
	if (l->cur == l->len)
		return;
	emit(l, l->buf + l->cur, 1);
	l->cur++;
}

static void move_home(struct shell_line *l)
{
	out_rep(l, '\b', l->cur);
	l->cur = 0;
}

static void move_end(struct shell_line *l)
{
	emit(l, l->buf + l->cur, l->len - l->cur);
	l->cur = l->len;
}

/* ---- editing ---- */

static void insert_char(struct shell_line *l, char c)
{
	size_t pos = l->cur;

	if (l->len == SHELL_LINE_MAX) {
		l->overflow = true;
		return;
	}
	memmove(l->buf + pos + 1, l->buf + pos, l->len - pos);
	l->buf[pos] = c;
	l->buf[++l->len] = '\0';
	l->cur++;
	redraw_from(l, pos, 0);
}

/* Delete the character under the cursor. */
static void delete_char(struct shell_line *l)
{
	size_t pos = l->cur;

	if (pos == l->len)
		return;
	memmove(l->buf + pos, l->buf + pos + 1, l->len - pos);
	l->len--;
	redraw_from(l, pos, 1);
}

static void backspace(struct shell_line *l)
{
	if (l->cur == 0)
		return;
	move_left(l);
	delete_char(l);
}

/* Show text in place of the current line; the cursor goes to its end. */
static void replace_line(struct shell_line *l, const char *text, size_t n)
{
	size_t old = l->len;

	move_home(l);
	memcpy(l->buf, text, n);
	l->buf[n] = '\0';
	l->len = n;
	l->cur = n;
	redraw_from(l, 0, old > n ? old - n : 0);
}

static void kill_line(struct shell_line *l)
{
	replace_line(l, "", 0);
}

/* Forget the line (not the history); the terminal is already on a new line. */
static void reset_line(struct shell_line *l)
{
	l->buf[0] = '\0';
	l->len = 0;
	l->cur = 0;
	l->overflow = false;
	l->ready = false;
	l->hist_pos = -1;
}

/* ---- history ---- */

/* Entry i of the history, 0 being the newest. */
static const char *hist_entry(const struct shell_line *l, unsigned i)
{
	return l->hist[(l->hist_head + SHELL_HIST_LEN - i) % SHELL_HIST_LEN];
}

static void hist_add(struct shell_line *l)
{
	if (l->len == 0)
		return;
	if (l->hist_count && strcmp(hist_entry(l, 0), l->buf) == 0)
		return;
	l->hist_head = (l->hist_head + 1) % SHELL_HIST_LEN;
	memcpy(l->hist[l->hist_head], l->buf, l->len + 1);
	if (l->hist_count < SHELL_HIST_LEN)
		l->hist_count++;
}

static void hist_show(struct shell_line *l, int pos)
{
	const char *text = hist_entry(l, (unsigned)pos);

	l->hist_pos = pos;
	replace_line(l, text, strlen(text));
}

static void hist_up(struct shell_line *l)
{
	if (l->hist_pos + 1 >= (int)l->hist_count)
		return;
	if (l->hist_pos < 0) {
		memcpy(l->saved, l->buf, l->len + 1);
		l->saved_len = l->len;
	}
	hist_show(l, l->hist_pos + 1);
}

static void hist_down(struct shell_line *l)
{
	if (l->hist_pos < 0)
		return;
	if (l->hist_pos > 0) {
		hist_show(l, l->hist_pos - 1);
		return;
	}
	l->hist_pos = -1;
	replace_line(l, l->saved, l->saved_len);
}

/* ---- line endings ---- */

static enum shell_line_result enter(struct shell_line *l)
{
	emit(l, "\r\n", 2);
	if (l->overflow) {
		reset_line(l);
		return SHELL_LINE_TOO_LONG;
	}
	hist_add(l);
	l->ready = true;
	return SHELL_LINE_DONE;
}

static enum shell_line_result cancel(struct shell_line *l)
{
	emit(l, "^C\r\n", 4);
	reset_line(l);
	return SHELL_LINE_CANCEL;
}

/* ---- escape sequences ---- */

static void esc_begin(struct shell_line *l, int state)
{
	l->esc = state;
	l->esc_len = 0;
}

/* Act on the final letter of ESC [ x or ESC O x. */
static void esc_letter(struct shell_line *l, int c)
{
	switch (c) {
	case 'A':
		hist_up(l);
		break;
	case 'B':
		hist_down(l);
		break;
	case 'C':
		move_right(l);
		break;
	case 'D':
		move_left(l);
		break;
	case 'H':
		move_home(l);
		break;
	case 'F':
		move_end(l);
		break;
	default:
		break;
	}
}

/* Act on ESC [ n ~ (n kept in esc_param). */
static void esc_tilde(struct shell_line *l)
{
	if (l->esc_len != 1)
		return;
	switch (l->esc_param[0]) {
	case '1':
	case '7':
		move_home(l);
		break;
	case '4':
	case '8':
		move_end(l);
		break;
	case '3':
		delete_char(l);
		break;
	default:
		break;
	}
}

static enum shell_line_result feed_normal(struct shell_line *l, int c);

/*
 * A byte inside ESC [ ... : up to SHELL_ESC_MAX parameter bytes (0x20..0x3f)
 * are kept; a final byte (0x40..0x7e) ends the sequence; anything else,
 * including one parameter byte too many, abandons it and is handled as
 * normal input.
 */
static enum shell_line_result feed_csi(struct shell_line *l, int c)
{
	if (c >= 0x20 && c <= 0x3f && l->esc_len < SHELL_ESC_MAX) {
		l->esc_param[l->esc_len++] = (char)c;
		return SHELL_LINE_NONE;
	}
	l->esc = ESC_NONE;
	if (c == '~')
		esc_tilde(l);
	else if (c >= 0x40 && c <= 0x7e)
		esc_letter(l, c);
	else
		return feed_normal(l, c);
	return SHELL_LINE_NONE;
}

static enum shell_line_result feed_esc(struct shell_line *l, int c)
{
	switch (l->esc) {
	case ESC_START:
		l->esc = ESC_NONE;
		if (c == '[')
			esc_begin(l, ESC_CSI);
		else if (c == 'O')
			esc_begin(l, ESC_SS3);
		else
			return feed_normal(l, c);
		return SHELL_LINE_NONE;
	case ESC_CSI:
		return feed_csi(l, c);
	default: /* ESC_SS3: one letter */
		l->esc = ESC_NONE;
		if (c < 0x20 || c >= 0x7f)
			return feed_normal(l, c);
		esc_letter(l, c);
		return SHELL_LINE_NONE;
	}
}

/* ---- plain input ---- */

/* Keys that still work once the line has overflowed. */
static enum shell_line_result feed_overflow(struct shell_line *l, int c)
{
	if (c == '\r' || c == '\n')
		return enter(l);
	if (c == CTRL('C'))
		return cancel(l);
	return SHELL_LINE_NONE;
}

static enum shell_line_result feed_normal(struct shell_line *l, int c)
{
	if (l->overflow)
		return feed_overflow(l, c);
	if (c >= 0x20 && c < KEY_DEL) {
		insert_char(l, (char)c);
		return SHELL_LINE_NONE;
	}
	switch (c) {
	case '\r':
	case '\n':
		return enter(l);
	case CTRL('C'):
		return cancel(l);
	case KEY_DEL:
	case '\b':
		backspace(l);
		break;
	case CTRL('U'):
		kill_line(l);
		break;
	case CTRL('A'):
		move_home(l);
		break;
	case CTRL('E'):
		move_end(l);
		break;
	case KEY_ESC:
		esc_begin(l, ESC_START);
		break;
	default:
		break; /* other control bytes, 0x80..0xff */
	}
	return SHELL_LINE_NONE;
}

/* ---- public ---- */

void shell_line_init(struct shell_line *l, shell_line_out_t out, void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->hist_pos = -1;
	l->esc = ESC_NONE;
	l->out = out;
	l->out_ctx = ctx;
}

enum shell_line_result shell_line_feed(struct shell_line *l, int c)
{
	bool swallow = c == '\n' && l->last_cr;

	if (c < 0 || c > 0xff)
		return SHELL_LINE_NONE;
	if (l->ready)
		reset_line(l);
	l->last_cr = c == '\r';
	if (swallow)
		return SHELL_LINE_NONE;
	if (l->esc != ESC_NONE)
		return feed_esc(l, c);
	return feed_normal(l, c);
}

char *shell_line_text(struct shell_line *l)
{
	return l->buf;
}
