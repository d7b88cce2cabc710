/* SOURCES: virt/image.c kernel/errmsg.c tests/unit/fake/elf.c */
/*
 * Unit tests of the guest image loader: ELF segments in and out of guest
 * RAM, the arm64 Linux Image header, raw images, and truncated or mangled
 * images. Every image is handed over in a buffer of exactly its size, so
 * AddressSanitizer catches any read past its end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/image.h>
#include <zvm/kernel.h>
#include "fake/elf.h"

#define RAM_IPA		0x40000000ull
#define RAM_SIZE	(32ull << 20)
#define MIB		(1ull << 20)
#define POISON		0xa5

static uint8_t *ram;
static char err[256];

/* An arm64 Linux Image: header, then `size` - 64 bytes of 0x11. */
static uint8_t *make_linux(size_t size, uint64_t text_offset, uint64_t image_size)
{
	uint8_t *img = malloc(size);

	memset(img, 0x11, size);
	memset(img, 0, 64);
	put64(img + 8, text_offset);
	put64(img + 16, image_size);
	put32(img + 56, 0x644d5241);
	return img;
}

/* A copy of the first `len` bytes in a buffer of exactly that size. */
static uint8_t *exact_copy(const uint8_t *src, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	memcpy(p, src, len);
	return p;
}

static int load(const void *img, uint64_t size, uint64_t raw_ipa, uint64_t *entry)
{
	err[0] = '\0';
	return image_load(img, size, RAM_IPA, RAM_SIZE, ram, raw_ipa, entry, err, sizeof(err));
}

static bool ram_untouched(void)
{
	for (size_t i = 0; i < RAM_SIZE; i += 4096)
		if (ram[i] != POISON)
			return false;
	return true;
}

static int setup(void **state)
{
	(void)state;
	ram = malloc(RAM_SIZE);
	memset(ram, POISON, RAM_SIZE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static void test_elf_loads_segments_and_zeroes_bss(void **state)
{
	const struct test_seg segs[] = {
		{ RAM_IPA + 2 * MIB, 0x1000, 0x1000, 0x11 },
		{ RAM_IPA + 3 * MIB, 0x800, 0x3000, 0x22 },
	};
	size_t size;
	uint8_t *img = test_make_elf(segs, 2, RAM_IPA + 2 * MIB + 0x40, &size);
	uint64_t entry = 0;

	(void)state;
	assert_int_equal(load(img, size, 0, &entry), 0);
	assert_int_equal(entry, RAM_IPA + 2 * MIB + 0x40);
	assert_int_equal(ram[2 * MIB], 0x11);
	assert_int_equal(ram[2 * MIB + 0xfff], 0x11);
	assert_int_equal(ram[2 * MIB + 0x1000], POISON);
	assert_int_equal(ram[3 * MIB + 0x7ff], 0x22);
	assert_int_equal(ram[3 * MIB + 0x800], 0);
	assert_int_equal(ram[3 * MIB + 0x2fff], 0);
	assert_int_equal(ram[3 * MIB + 0x3000], POISON);
	assert_int_equal(ram[0], POISON);
	free(img);
}

static void test_elf_probe_reports_span(void **state)
{
	const struct test_seg segs[] = {
		{ RAM_IPA + 3 * MIB, 0x10, 0x2000, 1 },
		{ RAM_IPA + 2 * MIB, 0x10, 0x10, 2 },
	};
	size_t size;
	uint8_t *img = test_make_elf(segs, 2, RAM_IPA + 2 * MIB, &size);
	struct image_info info;

	(void)state;
	assert_int_equal(image_probe(img, size, RAM_IPA, RAM_SIZE, 0, &info, err,
				     sizeof(err)), 0);
	assert_int_equal(info.kind, IMAGE_ELF);
	assert_int_equal(info.load_ipa, RAM_IPA + 2 * MIB);
	assert_int_equal(info.end_ipa, RAM_IPA + 3 * MIB + 0x2000);
	assert_true(ram_untouched());
	free(img);
}

/* One segment that must be refused; RAM stays untouched. */
static void expect_bad_segment(struct test_seg s, uint64_t entry, const char *what)
{
	size_t size;
	uint8_t *img = test_make_elf(&s, 1, entry, &size);
	uint64_t e = 0;

	assert_int_equal(load(img, size, 0, &e), K_EINVAL);
	assert_non_null(strstr(err, what));
	assert_true(ram_untouched());
	free(img);
}

static void test_elf_segments_outside_ram(void **state)
{
	(void)state;
	/* In the DTB area, below RAM, past its end, straddling the end, wrapping. */
	expect_bad_segment((struct test_seg){ RAM_IPA, 0x100, 0x100, 1 }, RAM_IPA, "outside guest RAM");
	expect_bad_segment((struct test_seg){ RAM_IPA + MIB, 0x100, 0x100, 1 }, RAM_IPA + MIB,
			   "outside guest RAM");
	expect_bad_segment((struct test_seg){ 0x1000, 0x100, 0x100, 1 }, 0x1000, "outside guest RAM");
	expect_bad_segment((struct test_seg){ RAM_IPA + RAM_SIZE, 0x10, 0x10, 1 }, RAM_IPA + RAM_SIZE,
			   "outside guest RAM");
	expect_bad_segment((struct test_seg){ RAM_IPA + RAM_SIZE - 0x1000, 0x10, 0x2000, 1 },
			   RAM_IPA + RAM_SIZE - 0x1000, "outside guest RAM");
	expect_bad_segment((struct test_seg){ UINT64_MAX - 0xf, 0x10, 0x100, 1 }, UINT64_MAX - 0xf,
			   "outside guest RAM");
}

static void test_elf_filesz_over_memsz(void **state)
{
	(void)state;
	expect_bad_segment((struct test_seg){ RAM_IPA + 2 * MIB, 0x200, 0x100, 1 }, RAM_IPA + 2 * MIB,
			   "file size");
}

static void test_elf_entry_outside_segments(void **state)
{
	(void)state;
	expect_bad_segment((struct test_seg){ RAM_IPA + 2 * MIB, 0x100, 0x100, 1 }, RAM_IPA + 4 * MIB,
			   "entry point");
}

static void test_elf_exact_fit_at_ram_end(void **state)
{
	struct test_seg s = { RAM_IPA + RAM_SIZE - 0x1000, 0x10, 0x1000, 7 };
	size_t size;
	uint8_t *img = test_make_elf(&s, 1, s.paddr, &size);
	uint64_t e;

	(void)state;
	assert_int_equal(load(img, size, 0, &e), 0);
	assert_int_equal(ram[RAM_SIZE - 0x1000], 7);
	assert_int_equal(ram[RAM_SIZE - 1], 0);
	free(img);
}

/* Corrupt one header field of a valid image and expect a refusal. */
static void expect_bad_header(size_t off, unsigned width, uint64_t value, const char *what)
{
	struct test_seg s = { RAM_IPA + 2 * MIB, 0x100, 0x100, 1 };
	size_t size;
	uint8_t *img = test_make_elf(&s, 1, s.paddr, &size);
	uint64_t e;

	if (width == 1)
		img[off] = (uint8_t)value;
	else if (width == 2)
		put16(img + off, (uint16_t)value);
	else
		put64(img + off, value);
	assert_int_equal(load(img, size, 0, &e), K_EINVAL);
	assert_non_null(strstr(err, what));
	assert_true(ram_untouched());
	free(img);
}

static void test_elf_bad_headers(void **state)
{
	(void)state;
	expect_bad_header(4, 1, 1, "64-bit");			/* ELFCLASS32 */
	expect_bad_header(5, 1, 2, "64-bit");			/* big-endian */
	expect_bad_header(18, 2, 62, "AArch64");		/* x86-64 */
	expect_bad_header(16, 2, 3, "AArch64");			/* ET_DYN */
	expect_bad_header(54, 2, 32, "program headers");	/* e_phentsize */
	expect_bad_header(56, 2, 0, "program headers");		/* e_phnum */
	expect_bad_header(56, 2, 0xffff, "outside the image");	/* e_phnum */
	expect_bad_header(32, 8, 1ull << 40, "outside the image");	/* e_phoff */
	expect_bad_header(32, 8, UINT64_MAX - 8, "outside the image");
	expect_bad_header(64 + 8, 8, 1ull << 40, "outside the image");	/* p_offset */
	expect_bad_header(64 + 8, 8, UINT64_MAX, "outside the image");
	expect_bad_header(64 + 32, 8, UINT64_MAX, "file size");	/* p_filesz */
}

static void test_elf_no_loadable_segment(void **state)
{
	struct test_seg s = { RAM_IPA + 2 * MIB, 0, 0, 0 };
	size_t size;
	uint8_t *img = test_make_elf(&s, 1, s.paddr, &size);
	uint64_t e;

	(void)state;
	assert_int_equal(load(img, size, 0, &e), K_EINVAL);
	assert_non_null(strstr(err, "no loadable segment"));
	free(img);
}

/* Every prefix of a valid ELF is refused, without reading past it. */
static void test_elf_truncated(void **state)
{
	struct test_seg s = { RAM_IPA + 2 * MIB, 0x40, 0x100, 1 };
	size_t size;
	uint8_t *img = test_make_elf(&s, 1, s.paddr, &size);
	uint64_t e;

	(void)state;
	for (size_t len = 0; len < size; len++) {
		uint8_t *cut = exact_copy(img, len);

		assert_int_equal(load(cut, len, 0, &e), K_EINVAL);
		free(cut);
	}
	assert_true(ram_untouched());
	free(img);
}

#define FUZZ_RAM	(8 * MIB)	/* smaller guest RAM: each check scans it */

/*
 * Are the sampled bytes (one a page) of the first FUZZ_RAM bytes outside
 * guest [lo, hi) still poison? Those inside are poisoned again.
 */
static bool untouched_outside(uint64_t lo, uint64_t hi)
{
	bool intact = true;

	for (uint64_t off = 0; off < FUZZ_RAM; off += 4096) {
		if (RAM_IPA + off < lo || RAM_IPA + off >= hi)
			intact &= ram[off] == POISON;
		ram[off] = POISON;
	}
	return intact;
}

/*
 * One mangled image, judged: probe and load agree, twice the same; refused
 * with a message and RAM untouched, or accepted inside guest RAM above the
 * DTB's 2 MiB with the entry in it and nothing written outside its span.
 * Returns whether it was accepted.
 */
static bool check_mangled(const uint8_t *bad, size_t size, uint64_t raw_ipa)
{
	struct image_info info, again;
	char probe_err[sizeof(err)];
	int probed, loaded;
	uint64_t e = 0;

	memset(&info, 0, sizeof(info));	/* padding too: compared below */
	memset(&again, 0, sizeof(again));
	probe_err[0] = err[0] = '\0';
	probed = image_probe(bad, size, RAM_IPA, FUZZ_RAM, raw_ipa, &info, probe_err,
			     sizeof(probe_err));
	assert_int_equal(image_probe(bad, size, RAM_IPA, FUZZ_RAM, raw_ipa, &again, err,
				     sizeof(err)), probed);
	assert_string_equal(err, probe_err);
	loaded = image_load(bad, size, RAM_IPA, FUZZ_RAM, ram, raw_ipa, &e, err, sizeof(err));
	assert_int_equal(loaded, probed);
	if (loaded) {
		assert_int_equal(loaded, K_EINVAL);
		assert_true(err[0] != '\0');
		assert_true(untouched_outside(0, 0));
		return false;
	}
	assert_memory_equal(&info, &again, sizeof(info));
	assert_true(info.load_ipa >= RAM_IPA + IMAGE_DTB_RESERVE);
	assert_true(info.load_ipa < info.end_ipa && info.end_ipa <= RAM_IPA + FUZZ_RAM);
	assert_int_equal(e, info.entry_ipa);
	assert_true(e >= info.load_ipa && e < info.end_ipa);
	assert_true(untouched_outside(info.load_ipa, info.end_ipa));
	return true;
}

/* Random bytes over a valid ELF's headers: each result checked (check_mangled). */
static void test_elf_mangled(void **state)
{
	const struct test_seg segs[] = {
		{ RAM_IPA + 2 * MIB, 0x40, 0x100, 1 },
		{ RAM_IPA + 4 * MIB, 0x40, 0x40, 2 },
	};
	size_t size;
	uint8_t *img = test_make_elf(segs, 2, segs[0].paddr, &size);
	int accepted = 0;

	(void)state;
	srand(1);
	for (int i = 0; i < 20000; i++) {
		uint8_t *bad = exact_copy(img, size);
		int flips = 1 + rand() % 4;

		for (int f = 0; f < flips; f++)
			bad[4 + rand() % (64 + 2 * 56 - 4)] = (uint8_t)rand();
		accepted += check_mangled(bad, size, rand() % 2 ? RAM_IPA + 4 * MIB : 0);
		free(bad);
	}
	/* Both outcomes occurred: the checks above ran on each. */
	assert_true(accepted > 100 && accepted < 19900);
	free(img);
}

static void test_linux_image(void **state)
{
	uint8_t *img = make_linux(0x3000, 0, 0x5000);
	uint64_t e = 0;

	(void)state;
	assert_int_equal(load(img, 0x3000, 0, &e), 0);
	assert_int_equal(e, RAM_IPA + 2 * MIB);
	assert_int_equal(ram[2 * MIB + 56], 'A');
	assert_int_equal(ram[2 * MIB + 0x2fff], 0x11);
	assert_int_equal(ram[2 * MIB + 0x3000], 0);		/* zeroed up to image_size */
	assert_int_equal(ram[2 * MIB + 0x4fff], 0);
	assert_int_equal(ram[2 * MIB + 0x5000], POISON);
	free(img);
}

static void test_linux_text_offset(void **state)
{
	uint8_t *img = make_linux(0x1000, 0x80000, 0x1000);
	struct image_info info;

	(void)state;
	assert_int_equal(image_probe(img, 0x1000, RAM_IPA, RAM_SIZE, 0, &info, err,
				     sizeof(err)), 0);
	assert_int_equal(info.kind, IMAGE_LINUX);
	assert_int_equal(info.entry_ipa, RAM_IPA + 2 * MIB + 0x80000);
	assert_int_equal(info.end_ipa, RAM_IPA + 2 * MIB + 0x81000);
	free(img);

	/* image_size 0: a pre-3.17 kernel, text_offset 0x80000 by convention. */
	img = make_linux(0x1000, 0, 0);
	assert_int_equal(image_probe(img, 0x1000, RAM_IPA, RAM_SIZE, 0, &info, err,
				     sizeof(err)), 0);
	assert_int_equal(info.entry_ipa, RAM_IPA + 2 * MIB + 0x80000);
	free(img);
}

/* The 2 MiB aligned base is the first one above the DTB area, even for odd RAM bases. */
static void test_linux_base_alignment(void **state)
{
	uint8_t *img = make_linux(0x1000, 0x1000, 0x1000);
	struct image_info info;

	(void)state;
	assert_int_equal(image_probe(img, 0x1000, RAM_IPA + 0x1000, RAM_SIZE, 0, &info, err,
				     sizeof(err)), 0);
	assert_int_equal(info.load_ipa, RAM_IPA + 4 * MIB + 0x1000);
	free(img);
}

static void test_linux_bad_headers(void **state)
{
	uint8_t *img;
	uint64_t e;

	(void)state;
	img = make_linux(0x1000, 0, RAM_SIZE);		/* 2 MiB base + image_size > RAM */
	assert_int_equal(load(img, 0x1000, 0, &e), K_EINVAL);
	assert_non_null(strstr(err, "does not fit"));
	free(img);
	img = make_linux(0x1000, 0, 0x800);		/* image_size < file */
	assert_int_equal(load(img, 0x1000, 0, &e), K_EINVAL);
	assert_non_null(strstr(err, "header says"));
	free(img);
	img = make_linux(0x1000, 2 * MIB, 0x1000);	/* text_offset out of range */
	assert_int_equal(load(img, 0x1000, 0, &e), K_EINVAL);
	free(img);
	img = make_linux(0x1000, UINT64_MAX, UINT64_MAX);
	assert_int_equal(load(img, 0x1000, 0, &e), K_EINVAL);
	free(img);
	assert_true(ram_untouched());
}

/* Shorter than the 64-byte header: not a Linux Image, so raw, which needs an address. */
static void test_linux_truncated(void **state)
{
	uint8_t *img = make_linux(0x100, 0, 0x100);
	uint64_t e;

	(void)state;
	for (size_t len = 0; len < 64; len++) {
		uint8_t *cut = exact_copy(img, len);

		assert_int_equal(load(cut, len, 0, &e), K_EINVAL);
		free(cut);
	}
	assert_true(ram_untouched());
	free(img);
}

static void test_raw(void **state)
{
	uint8_t img[100];
	uint64_t e = 0;

	(void)state;
	memset(img, 0x33, sizeof(img));
	assert_int_equal(load(img, sizeof(img), 0, &e), K_EINVAL);
	assert_non_null(strstr(err, "needs a load address"));
	assert_int_equal(load(img, sizeof(img), RAM_IPA, &e), K_EINVAL);	/* DTB area */
	assert_int_equal(load(img, sizeof(img), RAM_IPA + RAM_SIZE - 50, &e), K_EINVAL);
	assert_int_equal(load(img, sizeof(img), UINT64_MAX - 50, &e), K_EINVAL);
	assert_true(ram_untouched());
	assert_int_equal(load(img, sizeof(img), RAM_IPA + RAM_SIZE - 100, &e), 0);
	assert_int_equal(e, RAM_IPA + RAM_SIZE - 100);
	assert_int_equal(ram[RAM_SIZE - 100], 0x33);
	assert_int_equal(ram[RAM_SIZE - 1], 0x33);
	assert_int_equal(ram[RAM_SIZE - 101], POISON);
}

static void test_empty_and_tiny_ram(void **state)
{
	uint8_t img[16] = { 0 };
	uint64_t e;

	(void)state;
	assert_int_equal(load(NULL, 10, RAM_IPA + 2 * MIB, &e), K_EINVAL);
	assert_int_equal(load(img, 0, RAM_IPA + 2 * MIB, &e), K_EINVAL);
	assert_int_equal(image_load(img, sizeof(img), RAM_IPA, 2 * MIB, ram, RAM_IPA + MIB, &e,
				    err, sizeof(err)), K_EINVAL);
	assert_non_null(strstr(err, "no room"));
	assert_int_equal(image_load(img, sizeof(img), UINT64_MAX - MIB, 4 * MIB, ram, 0, &e,
				    err, sizeof(err)), K_EINVAL);
}

static void test_initrd(void **state)
{
	uint8_t rd[5000];
	uint64_t at = image_initrd_ipa(RAM_IPA, RAM_SIZE, sizeof(rd));

	(void)state;
	memset(rd, 0x44, sizeof(rd));
	assert_int_equal(at % IMAGE_INITRD_ALIGN, 0);
	assert_true(at + sizeof(rd) <= RAM_IPA + RAM_SIZE);
	assert_true(at + sizeof(rd) + IMAGE_INITRD_ALIGN > RAM_IPA + RAM_SIZE);
	assert_int_equal(image_load_initrd(rd, sizeof(rd), RAM_IPA, RAM_SIZE, ram,
					   RAM_IPA + 4 * MIB, err, sizeof(err)), 0);
	assert_int_equal(ram[at - RAM_IPA], 0x44);
	assert_int_equal(ram[at - RAM_IPA + sizeof(rd) - 1], 0x44);
	/* Over the kernel, or bigger than RAM: refused. */
	assert_int_equal(image_load_initrd(rd, sizeof(rd), RAM_IPA, RAM_SIZE, ram,
					   RAM_IPA + RAM_SIZE - 100, err, sizeof(err)), K_EINVAL);
	assert_non_null(strstr(err, "does not fit"));
	assert_int_equal(image_load_initrd(rd, RAM_SIZE + 1, RAM_IPA, RAM_SIZE, ram, 0, err,
					   sizeof(err)), K_EINVAL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_elf_loads_segments_and_zeroes_bss),
		T(test_elf_probe_reports_span),
		T(test_elf_segments_outside_ram),
		T(test_elf_filesz_over_memsz),
		T(test_elf_entry_outside_segments),
		T(test_elf_exact_fit_at_ram_end),
		T(test_elf_bad_headers),
		T(test_elf_no_loadable_segment),
		T(test_elf_truncated),
		T(test_elf_mangled),
		T(test_linux_image),
		T(test_linux_text_offset),
		T(test_linux_base_alignment),
		T(test_linux_bad_headers),
		T(test_linux_truncated),
		T(test_raw),
		T(test_empty_and_tiny_ram),
		T(test_initrd),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
