/* Test helper: compile devicetree source with dtc into a malloc'ed blob. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dtc.h"

static void *read_all(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = (size_t)len;
	return buf;
}

void *dtc_compile(const char *src, size_t *size)
{
	char in[] = "/tmp/zvm-dts-XXXXXX", out[] = "/tmp/zvm-dtb-XXXXXX", cmd[256];
	int fd_in = mkstemp(in), fd_out = mkstemp(out);
	void *blob = NULL;

	if (fd_in >= 0 && fd_out >= 0 &&
	    write(fd_in, src, strlen(src)) == (ssize_t)strlen(src)) {
		snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o %s %s", out, in);
		if (system(cmd) == 0)
			blob = read_all(out, size);
	}
	if (fd_in >= 0)
		close(fd_in);
	if (fd_out >= 0)
		close(fd_out);
	unlink(in);
	unlink(out);
	return blob;
}
