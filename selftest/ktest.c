/* SPDX-License-Identifier: MIT */
/* The ktest runner: runs the linker-collected KTEST cases and reports each. */
#include <stdio.h>
#include <string.h>
#include <zvm/ktest.h>

extern const struct ktest_case __start_ktest_cases[], __stop_ktest_cases[];

static void ktest_list(void)
{
	for (const struct ktest_case *c = __start_ktest_cases; c < __stop_ktest_cases; c++)
		printf("%s\n", c->name);
}

static const char *ktest_run_one(const struct ktest_case *c)
{
	int ret;

	printf("ktest: %s: running\n", c->name);
	ret = c->run();
	return ret == 0 ? "PASS" : ret == KTEST_SKIPPED ? "SKIP" : "FAIL";
}

int ktest_run_report(const char *filter, ktest_report_t report, void *arg)
{
	int passed = 0, failed = 0, skipped = 0;

	if (filter && strcmp(filter, "list") == 0) {
		ktest_list();
		return 0;
	}
	for (const struct ktest_case *c = __start_ktest_cases; c < __stop_ktest_cases; c++) {
		const char *result;

		if (filter && *filter && !strstr(c->name, filter))
			continue;
		result = ktest_run_one(c);
		printf("ktest: %s: %s\n", c->name, result);
		passed += result[0] == 'P';
		failed += result[0] == 'F';
		skipped += result[0] == 'S';
		if (report)
			report(c->name, result, arg);
	}
	printf("ktest: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed;
}

int ktest_run(const char *filter)
{
	return ktest_run_report(filter, NULL, NULL);
}
