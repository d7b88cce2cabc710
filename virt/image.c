/* SPDX-License-Identifier: MIT */
/*
 * Guest image loading: ELF64 AArch64, arm64 Linux Image, raw binary.
 *
 * Nothing in an image is trusted: every offset and size read from a header
 * is checked against the image size and against the part of guest RAM an
 * image may use (all of it but the DTB area at its start) with
 * overflow-safe comparisons, before anything is written.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zvm/image.h>
#include <zvm/errmsg.h>
#include <zvm/kernel.h>

/* ELF64, the parts used here (little-endian file, read by memcpy). */
#define ELF_MAGIC   "\177ELF"
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define ET_EXEC     2
#define EM_AARCH64  183
#define PT_LOAD     1

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type;
	uint16_t machine;
	uint32_t version;
	uint64_t entry;
	uint64_t phoff;
	uint64_t shoff;
	uint32_t flags;
	uint16_t ehsize;
	uint16_t phentsize;
	uint16_t phnum;
	uint16_t shentsize;
	uint16_t shnum;
	uint16_t shstrndx;
};

struct elf64_phdr {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};

/* arm64 Linux Image header (Documentation/arch/arm64/booting.rst). */
#define LINUX_MAGIC           0x644d5241u /* "ARM\x64" */
#define LINUX_MAGIC_OFF       56
#define LINUX_HDR_SIZE        64
#define LINUX_TEXT_OFF        8
#define LINUX_IMAGE_SIZE_OFF  16
#define LINUX_OLD_TEXT_OFFSET 0x80000ull /* image_size == 0: pre-3.17 kernel */
#define LINUX_BASE_ALIGN      (2ull << 20)

/* Guest RAM an image may use: [lo, hi). */
struct window {
	uint64_t lo;
	uint64_t hi;
};

/* Is [start, start + len) inside [lo, hi)? Safe for any 64-bit values. */
static bool range_inside(uint64_t start, uint64_t len, uint64_t lo, uint64_t hi)
{
	return start >= lo && start <= hi && len <= hi - start;
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool is_elf(const uint8_t *img, uint64_t size)
{
	return size >= 4 && memcmp(img, ELF_MAGIC, 4) == 0;
}

static bool is_linux(const uint8_t *img, uint64_t size)
{
	return size >= LINUX_HDR_SIZE && get_le32(img + LINUX_MAGIC_OFF) == LINUX_MAGIC;
}

static int elf_check_header(const uint8_t *img, uint64_t size, struct elf64_ehdr *eh, char *err,
			    size_t errlen)
{
	if (size < sizeof(*eh))
		return errmsg(err, errlen, "ELF image truncated: %llu bytes",
			      (unsigned long long)size);
	memcpy(eh, img, sizeof(*eh));
	if (eh->ident[4] != ELFCLASS64 || eh->ident[5] != ELFDATA2LSB)
		return errmsg(err, errlen, "ELF image is not 64-bit little-endian");
	if (eh->machine != EM_AARCH64 || eh->type != ET_EXEC)
		return errmsg(err, errlen,
			      "ELF image is not an AArch64 executable "
			      "(type %u, machine %u)",
			      eh->type, eh->machine);
	if (eh->phentsize != sizeof(struct elf64_phdr) || eh->phnum == 0)
		return errmsg(err, errlen, "ELF image has no usable program headers");
	if (!range_inside(eh->phoff, (uint64_t)eh->phnum * sizeof(struct elf64_phdr), 0, size))
		return errmsg(err, errlen, "ELF program headers lie outside the image");
	return 0;
}

static void elf_phdr(const uint8_t *img, const struct elf64_ehdr *eh, int i, struct elf64_phdr *ph)
{
	memcpy(ph, img + eh->phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

static int elf_check_segment(const struct elf64_phdr *ph, int i, uint64_t size,
			     const struct window *w, char *err, size_t errlen)
{
	if (ph->filesz > ph->memsz)
		return errmsg(err, errlen, "ELF segment %d: file size 0x%llx > memory size 0x%llx",
			      i, (unsigned long long)ph->filesz, (unsigned long long)ph->memsz);
	if (!range_inside(ph->offset, ph->filesz, 0, size))
		return errmsg(err, errlen,
			      "ELF segment %d: data lies outside the image "
			      "(truncated?)",
			      i);
	if (!range_inside(ph->paddr, ph->memsz, w->lo, w->hi))
		return errmsg(err, errlen,
			      "ELF segment %d: [0x%llx, +0x%llx) is outside guest RAM "
			      "[0x%llx, 0x%llx) (the first 2 MiB of RAM are the DTB's)",
			      i, (unsigned long long)ph->paddr, (unsigned long long)ph->memsz,
			      (unsigned long long)w->lo, (unsigned long long)w->hi);
	return 0;
}

/* Validate every PT_LOAD; info gets the span and the entry. */
static int elf_probe(const uint8_t *img, uint64_t size, const struct window *w,
		     struct image_info *info, char *err, size_t errlen)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph;
	bool entry_ok = false;
	int nload = 0, ret;

	ret = elf_check_header(img, size, &eh, err, errlen);
	if (ret)
		return ret;
	info->load_ipa = UINT64_MAX;
	info->end_ipa = 0;
	for (int i = 0; i < eh.phnum; i++) {
		elf_phdr(img, &eh, i, &ph);
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		ret = elf_check_segment(&ph, i, size, w, err, errlen);
		if (ret)
			return ret;
		nload++;
		if (ph.paddr < info->load_ipa)
			info->load_ipa = ph.paddr;
		if (ph.paddr + ph.memsz > info->end_ipa)
			info->end_ipa = ph.paddr + ph.memsz;
		entry_ok |= eh.entry >= ph.paddr && eh.entry - ph.paddr < ph.memsz;
	}
	if (nload == 0)
		return errmsg(err, errlen, "ELF image has no loadable segment");
	if (!entry_ok)
		return errmsg(err, errlen, "ELF entry point 0x%llx is in no loaded segment",
			      (unsigned long long)eh.entry);
	info->kind = IMAGE_ELF;
	info->entry_ipa = eh.entry;
	return 0;
}

static void elf_copy(const uint8_t *img, uint8_t *ram, uint64_t ram_ipa)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph;

	memcpy(&eh, img, sizeof(eh));
	for (int i = 0; i < eh.phnum; i++) {
		elf_phdr(img, &eh, i, &ph);
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		memcpy(ram + (ph.paddr - ram_ipa), img + ph.offset, ph.filesz);
		memset(ram + (ph.paddr - ram_ipa) + ph.filesz, 0, ph.memsz - ph.filesz);
	}
}

/*
 * Linux Image: the kernel goes at text_offset from a 2 MiB aligned base;
 * the lowest such base above the DTB area is used. image_size (bss
 * included) must fit in RAM from there.
 */
static int linux_probe(const uint8_t *img, uint64_t size, const struct window *w,
		       struct image_info *info, char *err, size_t errlen)
{
	uint64_t text_offset = get_le64(img + LINUX_TEXT_OFF);
	uint64_t image_size = get_le64(img + LINUX_IMAGE_SIZE_OFF);
	uint64_t base = (w->lo + LINUX_BASE_ALIGN - 1) & ~(LINUX_BASE_ALIGN - 1);

	if (image_size == 0) {
		text_offset = LINUX_OLD_TEXT_OFFSET;
		image_size = size;
	}
	if (image_size < size)
		return errmsg(err, errlen, "Linux Image header says %llu bytes, the file has %llu",
			      (unsigned long long)image_size, (unsigned long long)size);
	if (text_offset >= LINUX_BASE_ALIGN || base < w->lo ||
	    !range_inside(base + text_offset, image_size, w->lo, w->hi))
		return errmsg(err, errlen,
			      "Linux Image (text_offset 0x%llx, %llu bytes) does not fit in "
			      "guest RAM [0x%llx, 0x%llx) above the DTB area",
			      (unsigned long long)text_offset, (unsigned long long)image_size,
			      (unsigned long long)w->lo, (unsigned long long)w->hi);
	info->kind = IMAGE_LINUX;
	info->load_ipa = base + text_offset;
	info->end_ipa = info->load_ipa + image_size;
	info->entry_ipa = info->load_ipa;
	return 0;
}

static int raw_probe(uint64_t size, uint64_t load_ipa, const struct window *w,
		     struct image_info *info, char *err, size_t errlen)
{
	if (load_ipa == 0)
		return errmsg(err, errlen,
			      "image is neither ELF nor a Linux Image, and a raw "
			      "image needs a load address");
	if (!range_inside(load_ipa, size, w->lo, w->hi))
		return errmsg(err, errlen,
			      "raw image [0x%llx, +0x%llx) is outside guest RAM [0x%llx, 0x%llx)",
			      (unsigned long long)load_ipa, (unsigned long long)size,
			      (unsigned long long)w->lo, (unsigned long long)w->hi);
	info->kind = IMAGE_RAW;
	info->load_ipa = load_ipa;
	info->end_ipa = load_ipa + size;
	info->entry_ipa = load_ipa;
	return 0;
}

int image_probe(const void *img, uint64_t size, uint64_t ram_ipa, uint64_t ram_size,
		uint64_t raw_load_ipa, struct image_info *info, char *err, size_t errlen)
{
	struct window w = { ram_ipa + IMAGE_DTB_RESERVE, ram_ipa + ram_size };

	if (!img || size == 0)
		return errmsg(err, errlen, "no guest image");
	if (ram_size <= IMAGE_DTB_RESERVE || ram_ipa + ram_size < ram_ipa)
		return errmsg(err, errlen, "guest RAM [0x%llx, +0x%llx) has no room for an image",
			      (unsigned long long)ram_ipa, (unsigned long long)ram_size);
	if (is_elf(img, size))
		return elf_probe(img, size, &w, info, err, errlen);
	if (is_linux(img, size))
		return linux_probe(img, size, &w, info, err, errlen);
	return raw_probe(size, raw_load_ipa, &w, info, err, errlen);
}

int image_load(const void *img, uint64_t size, uint64_t ram_ipa, uint64_t ram_size, void *ram_host,
	       uint64_t raw_load_ipa, uint64_t *entry_ipa, char *err, size_t errlen)
{
	struct image_info info;
	uint8_t *ram = ram_host;
	int ret;

	ret = image_probe(img, size, ram_ipa, ram_size, raw_load_ipa, &info, err, errlen);
	if (ret)
		return ret;
	if (info.kind == IMAGE_ELF) {
		elf_copy(img, ram, ram_ipa);
	} else {
		uint8_t *dst = ram + (info.load_ipa - ram_ipa);

		memcpy(dst, img, size);
		memset(dst + size, 0, info.end_ipa - info.load_ipa - size);
	}
	*entry_ipa = info.entry_ipa;
	return 0;
}

uint64_t image_initrd_ipa(uint64_t ram_ipa, uint64_t ram_size, uint64_t size)
{
	if (size > ram_size)
		return ram_ipa;
	return (ram_ipa + ram_size - size) & ~(IMAGE_INITRD_ALIGN - 1);
}

int image_load_initrd(const void *initrd, uint64_t size, uint64_t ram_ipa, uint64_t ram_size,
		      void *ram_host, uint64_t kernel_end_ipa, char *err, size_t errlen)
{
	uint64_t start = image_initrd_ipa(ram_ipa, ram_size, size);
	uint64_t lo = ram_ipa + IMAGE_DTB_RESERVE;

	if (kernel_end_ipa > lo)
		lo = kernel_end_ipa;
	if (!initrd || size == 0)
		return errmsg(err, errlen, "no initrd");
	if (!range_inside(start, size, lo, ram_ipa + ram_size))
		return errmsg(err, errlen,
			      "initrd of %llu bytes does not fit in guest RAM above the kernel "
			      "(0x%llx)",
			      (unsigned long long)size, (unsigned long long)lo);
	memcpy((uint8_t *)ram_host + (start - ram_ipa), initrd, size);
	return 0;
}
