/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the rollerctl tests share: running it, and reading its JSON. */
#pragma once

#include <json-glib/json-glib.h>

#include "tests/harness/test-daemon-util.h"

/* One run of rollerctl: its exit status and what it wrote. */
typedef struct {
	int status;
	char *out;
	char *err;
} Run;

void run_clear(Run *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Run, run_clear)

/* rollerctl --session ARGS..., NULL-terminated. */
void rollerctl(Run *r, ...) G_GNUC_NULL_TERMINATED;
/* The same with @env as its environment (NULL: the test's). */
void rollerctl_env(Run *r, char **env, ...) G_GNUC_NULL_TERMINATED;
void rollerctl_argv(Run *r, char **env, const char *const *args);

/* @text parsed, failing the test if it is not JSON. */
JsonNode *parse_json(const char *text);
/* The object, array or member the test expects, failing it if absent. */
JsonObject *expect_object(JsonNode *node);
JsonArray *expect_array(JsonNode *node);
JsonObject *expect_object_at(JsonArray *array, guint i);

/* The id of the newest session in the history. */
guint64 newest_session_id(TestDaemon *td);
