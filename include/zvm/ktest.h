/* SPDX-License-Identifier: MIT */
/*
 * Kernel self-tests, run on the real (emulated) CPUs by the `ktest` command.
 * A test is declared anywhere with KTEST(); the linker collects them.
 */
#ifndef ZVM_KTEST_H
#define ZVM_KTEST_H

/* What a case's run() returns when it cannot run on this machine (too few CPUs). */
#define KTEST_SKIPPED 1

struct ktest_case {
	const char *name;
	/* 0: passed; KTEST_SKIPPED: could not run here; else failed. It prints why itself. */
	int (*run)(void);
};

#define KTEST(_name)                                                                    \
	static int ktest_##_name(void);                                                 \
	static const struct ktest_case ktest_case_##_name                               \
		__attribute__((section("ktest_cases"), used,                            \
			       aligned(8))) = { .name = #_name, .run = ktest_##_name }; \
	static int ktest_##_name(void)

/**
 * Run the tests whose name contains filter (NULL or "" for all), one line per
 * case (PASS, FAIL or SKIP) and a summary "ktest: P passed, F failed, S skipped";
 * filter "list" lists the names. Returns the number of failures.
 */
int ktest_run(const char *filter);

/** Called after each case with its name and result: "PASS", "FAIL" or "SKIP". */
typedef void (*ktest_report_t)(const char *name, const char *result, void *arg);

/** ktest_run, also calling report (if not NULL) for each case run. */
int ktest_run_report(const char *filter, ktest_report_t report, void *arg);

#endif /* ZVM_KTEST_H */
