/* The ktest runner: runs the linker-collected KTEST cases and reports each. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zvm/ktest.h>

extern const struct ktest_case __start_ktest_cases[], __stop_ktest_cases[];

static void ktest_list(void)
{
	for (const struct ktest_case *c = __start_ktest_cases; c < __stop_ktest_cases; c++)
		printf("%s\n", c->name);
}

int ktest_run_report(const char *filter, ktest_report_t report, void *arg)
{
	int passed = 0, failed = 0;

	if (filter && strcmp(filter, "list") == 0) {
		ktest_list();
		return 0;
	}
	for (const struct ktest_case *c = __start_ktest_cases; c < __stop_ktest_cases; c++) {
		bool pass;

		if (filter && *filter && !strstr(c->name, filter))
			continue;
		printf("ktest: %s: running\n", c->name);
		pass = c->run() == 0;
		printf("ktest: %s: %s\n", c->name, pass ? "PASS" : "FAIL");
		if (pass)
			passed++;
		else
			failed++;
		if (report)
			report(c->name, pass, arg);
	}
	printf("ktest: %d passed, %d failed\n", passed, failed);
	return failed;
}

int ktest_run(const char *filter)
{
	return ktest_run_report(filter, NULL, NULL);
}
