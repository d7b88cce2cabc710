/*
 * Kernel self-tests, run on the real (emulated) CPUs by the `ktest` command.
 * A test is declared anywhere with KTEST(); the linker collects them.
 */
#ifndef ZVM_KTEST_H
#define ZVM_KTEST_H

struct ktest_case {
	const char *name;
	/* Returns 0 on success; prints "ktest: <name>: FAIL: why" itself via ktest_fail. */
	int (*run)(void);
};

#define KTEST(_name)							\
	static int ktest_##_name(void);					\
	static const struct ktest_case ktest_case_##_name		\
	__attribute__((section("ktest_cases"), used, aligned(8))) = {	\
		.name = #_name, .run = ktest_##_name };			\
	static int ktest_##_name(void)

/** Run the tests whose name contains filter (NULL or "" for all); returns failures. */
int ktest_run(const char *filter);

#endif /* ZVM_KTEST_H */
