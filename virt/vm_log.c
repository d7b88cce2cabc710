// SPDX-License-Identifier: MIT
/* The console log ring of a VM (include/zvm/vm_log.h). */
#include <zvm/vm_log.h>

void vm_log_putc(struct vm_log *log, char c)
{
	k_spinlock_key_t key;

	if (c == '\t')
		c = ' ';
	if (c != '\n' && (c < 0x20 || c == 0x7f))
		return;
	key = k_spin_lock(&log->lock);
	log->buf[log->written++ % VM_LOG_SIZE] = c;
	k_spin_unlock(&log->lock, key);
}

/* Where the last `lines` lines start, between first and end (ring positions). */
static uint64_t tail_start(const struct vm_log *log, uint64_t first, uint64_t end, unsigned lines)
{
	unsigned seen = 0;

	for (uint64_t p = end; lines && p > first; p--)
		if (log->buf[(p - 1) % VM_LOG_SIZE] == '\n' && p != end && ++seen == lines)
			return p;
	return first;
}

size_t vm_log_tail(struct vm_log *log, unsigned lines, char *out, size_t max)
{
	k_spinlock_key_t key;
	uint64_t end, start;
	size_t n = 0;

	if (!max)
		return 0;
	key = k_spin_lock(&log->lock);
	end = log->written;
	start = tail_start(log, end > VM_LOG_SIZE ? end - VM_LOG_SIZE : 0, end, lines);
	if (end - start > max - 1)
		start = end - (max - 1);
	for (uint64_t p = start; p < end; p++)
		out[n++] = log->buf[p % VM_LOG_SIZE];
	k_spin_unlock(&log->lock, key);
	out[n] = '\0';
	return n;
}
