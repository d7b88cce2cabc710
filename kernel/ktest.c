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

int ktest_run(const char *filter)
{
	int passed = 0, failed = 0;

	if (filter && strcmp(filter, "list") == 0) {
		ktest_list();
		return 0;
	}
	for (const struct ktest_case *c = __start_ktest_cases; c < __stop_ktest_cases; c++) {
		if (filter && *filter && !strstr(c->name, filter))
			continue;
		printf("ktest: %s: running\n", c->name);
		if (c->run() == 0) {
			printf("ktest: %s: PASS\n", c->name);
			passed++;
		} else {
			printf("ktest: %s: FAIL\n", c->name);
			failed++;
		}
	}
	printf("ktest: %d passed, %d failed\n", passed, failed);
	return failed;
}
