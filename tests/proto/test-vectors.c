/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-hex.h"
#include "test-vectors.h"

const char *
test_data_path(const char *file, char *buf, size_t cap)
{
	const char *dir = getenv("ROLLER_TEST_DATA");

	snprintf(buf, cap, "%s/%s", dir ? dir : TEST_DATA_DIR, file);
	return buf;
}

static void
chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

struct test_vector *
test_vectors_load(const char *path, size_t *n_out)
{
	FILE *f = fopen(path, "r");
	struct test_vector *v = NULL, *cur = NULL;
	size_t n = 0;
	int in_expect = 0;
	static char line[8192];

	if (!f)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof(line), f)) {
		chomp(line);
		if (in_expect) {
			if (strcmp(line, "end") == 0) {
				in_expect = 0;
				continue;
			}
			assert_true(strlen(cur->expect) + strlen(line) + 2 <
				    sizeof(cur->expect));
			strcat(cur->expect, line);
			strcat(cur->expect, "\n");
		} else if (strncmp(line, "name ", 5) == 0) {
			v = realloc(v, (n + 1) * sizeof(*v));
			assert_non_null(v);
			cur = &v[n++];
			memset(cur, 0, sizeof(*cur));
			assert_true(strlen(line + 5) < sizeof(cur->name));
			memcpy(cur->name, line + 5, strlen(line + 5) + 1);
		} else if (strncmp(line, "kind ", 5) == 0) {
			assert_non_null(cur);
			cur->is_record = strcmp(line + 5, "record") == 0;
			if (!cur->is_record)
				assert_string_equal(line + 5, "frame");
		} else if (strncmp(line, "hex", 3) == 0) {
			const char *hex = line + 3;
			size_t hl;

			assert_non_null(cur);
			while (*hex == ' ')
				hex++;
			hl = strlen(hex);
			if (!roller_hex_decode(hex, hl, cur->bytes,
					       sizeof(cur->bytes), &cur->len))
				fail_msg("%s: bad hex", cur->name);
		} else if (strcmp(line, "expect") == 0) {
			assert_non_null(cur);
			in_expect = 1;
		} else if (line[0] != '\0') {
			fail_msg("%s: unexpected line '%s'", path, line);
		}
	}
	fclose(f);
	assert_false(in_expect);
	*n_out = n;
	return v;
}
