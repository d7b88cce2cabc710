/* SPDX-License-Identifier: MIT */
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

void *dtc_compile_file(const char *path, size_t *size)
{
	char out[] = "/tmp/zvm-dtb-XXXXXX", cmd[512];
	int fd = mkstemp(out);
	void *blob = NULL;

	if (fd < 0)
		return NULL;
	close(fd);
	snprintf(cmd, sizeof(cmd), "dtc -q -I dts -O dtb -o %s %s", out, path);
	if (system(cmd) == 0)
		blob = read_all(out, size);
	unlink(out);
	return blob;
}

void *dtc_compile(const char *src, size_t *size)
{
	char in[] = "/tmp/zvm-dts-XXXXXX";
	int fd = mkstemp(in);
	void *blob = NULL;

	if (fd < 0)
		return NULL;
	if (write(fd, src, strlen(src)) == (ssize_t)strlen(src))
		blob = dtc_compile_file(in, size);
	close(fd);
	unlink(in);
	return blob;
}

void *dtc_compile_zvm_node(const char *node, const char *body)
{
	size_t len = strlen(node) + strlen(body) + 64, size;
	char *src = malloc(len);
	void *blob = NULL;

	if (src) {
		snprintf(src, len, "/dts-v1/;\n/ { zvm { %s {\n%s\n}; }; };\n", node, body);
		blob = dtc_compile(src, &size);
	}
	free(src);
	return blob;
}
