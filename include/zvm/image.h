/* SPDX-License-Identifier: MIT */
/*
 * Guest image loading: an ELF64 AArch64 executable (loaded by its program
 * headers), an arm64 Linux Image (loaded per the arm64 boot protocol) or a
 * raw binary at a stated address, copied into guest RAM through its host
 * mapping. Every header field is checked against the image and RAM bounds.
 *
 * Guest RAM layout: the first IMAGE_DTB_RESERVE bytes hold the guest DTB
 * (the RTOS finds it at the start of RAM, Linux gets its address in x0);
 * no image may load there. An initrd goes at the top of RAM.
 *
 * The caller cleans the data cache to the point of coherency over what was
 * written (and invalidates the instruction cache) before the guest runs:
 * a guest starts with its MMU and caches off.
 */
#ifndef ZVM_IMAGE_H
#define ZVM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define IMAGE_DTB_RESERVE  (2ull << 20)
#define IMAGE_INITRD_ALIGN 4096ull

enum image_kind { IMAGE_ELF, IMAGE_LINUX, IMAGE_RAW };

/** Where an image goes in guest RAM, as found by image_probe(). */
struct image_info {
	enum image_kind kind;
	uint64_t load_ipa; /* lowest guest-physical byte written */
	uint64_t end_ipa;  /* one past the highest byte it owns (bss included) */
	uint64_t entry_ipa;
};

/**
 * Check an image against guest RAM [ram_ipa, ram_ipa + ram_size) without
 * writing anything, and say where it goes. raw_load_ipa is used only for a
 * raw image (which needs it: 0 is an error). Returns 0, or K_EINVAL with a
 * message in err.
 */
int image_probe(const void *img, uint64_t size, uint64_t ram_ipa, uint64_t ram_size,
		uint64_t raw_load_ipa, struct image_info *info, char *err, size_t errlen);

/**
 * Probe the image, then copy it into guest RAM (host address ram_host for
 * ram_ipa), zeroing bss. *entry_ipa receives where the guest starts.
 * Returns 0, or K_EINVAL with a message in err (RAM then untouched).
 */
int image_load(const void *img, uint64_t size, uint64_t ram_ipa, uint64_t ram_size, void *ram_host,
	       uint64_t raw_load_ipa, uint64_t *entry_ipa, char *err, size_t errlen);

/** Guest-physical address of the guest DTB: the start of RAM. */
static inline uint64_t image_dtb_ipa(uint64_t ram_ipa)
{
	return ram_ipa;
}

/** Guest-physical address an initrd of `size` bytes is placed at: the top of RAM. */
uint64_t image_initrd_ipa(uint64_t ram_ipa, uint64_t ram_size, uint64_t size);

/**
 * Copy an initrd to image_initrd_ipa(); it must lie above kernel_end_ipa
 * (image_info.end_ipa of the kernel) and above the DTB area. Returns 0, or
 * K_EINVAL with a message in err.
 */
int image_load_initrd(const void *initrd, uint64_t size, uint64_t ram_ipa, uint64_t ram_size,
		      void *ram_host, uint64_t kernel_end_ipa, char *err, size_t errlen);

#endif /* ZVM_IMAGE_H */
