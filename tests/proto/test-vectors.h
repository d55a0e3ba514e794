/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads the profile's vector file (tests/data/profile-v1.vec) for the tests. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct test_vector {
	char name[64];
	int is_record;			/* kind record, else frame */
	uint8_t bytes[1024];
	size_t len;
	char expect[4096];		/* dump lines, each ending in '\n' */
};

/* Path of a file in tests/data: $ROLLER_TEST_DATA or the source tree's. */
const char *test_data_path(const char *file, char *buf, size_t cap);

/*
 * Loads every case of @path into a calloc'ed array (*n_out cases); fails
 * the running test on a malformed file.
 */
struct test_vector *test_vectors_load(const char *path, size_t *n_out);
