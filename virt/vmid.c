/* SPDX-License-Identifier: MIT */
/* The VMID allocator (include/zvm/vmid.h): a bitmap under a spinlock. */
#include <stdbool.h>
#include <stdint.h>
#include <zvm/spinlock.h>
#include <zvm/vmid.h>

#define VMID_COUNT 256
#define WORD_BITS  64

static uint64_t vmid_used[VMID_COUNT / WORD_BITS] = { 1 }; /* 0: the host */
static int vmid_last;
static k_spinlock_t vmid_lock;

static bool vmid_test(int vmid)
{
	return vmid_used[vmid / WORD_BITS] & (1ull << (vmid % WORD_BITS));
}

static void vmid_set(int vmid, bool used)
{
	uint64_t bit = 1ull << (vmid % WORD_BITS);

	if (used)
		vmid_used[vmid / WORD_BITS] |= bit;
	else
		vmid_used[vmid / WORD_BITS] &= ~bit;
}

int vmid_alloc(void)
{
	k_spinlock_key_t key = k_spin_lock(&vmid_lock);
	int found = 0;

	for (int i = 1; i <= VMID_COUNT && !found; i++) {
		int vmid = (vmid_last + i) % VMID_COUNT;

		if (!vmid_test(vmid))
			found = vmid;
	}
	if (found) {
		vmid_set(found, true);
		vmid_last = found;
	}
	k_spin_unlock(&vmid_lock, key);
	return found;
}

void vmid_free(int vmid)
{
	k_spinlock_key_t key;

	if (vmid <= 0 || vmid >= VMID_COUNT)
		return;
	key = k_spin_lock(&vmid_lock);
	vmid_set(vmid, false);
	k_spin_unlock(&vmid_lock, key);
}
