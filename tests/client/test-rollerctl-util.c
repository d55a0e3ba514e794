/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "test-rollerctl-util.h"

void
run_clear(Run *r)
{
	g_clear_pointer(&r->out, g_free);
	g_clear_pointer(&r->err, g_free);
}

void
rollerctl_argv(Run *r, char **env, const char *const *args)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GError) error = NULL;
	const char *builddir = g_getenv("ROLLER_BUILDDIR");

	g_ptr_array_add(argv, g_build_filename(builddir ? builddir : ".", "client", "rollerctl", NULL));
	g_ptr_array_add(argv, g_strdup("--session"));
	for (gsize i = 0; args[i]; i++)
		g_ptr_array_add(argv, g_strdup(args[i]));
	g_ptr_array_add(argv, NULL);
	run_clear(r);
	if (!g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
			  &r->out, &r->err, &r->status, &error))
		fail_msg("cannot run rollerctl: %s", error->message);
	r->status = WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

static void
run_va(Run *r, char **env, va_list ap)
{
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	const char *arg;

	while ((arg = va_arg(ap, const char *)))
		g_ptr_array_add(args, (gpointer)arg);
	g_ptr_array_add(args, NULL);
	rollerctl_argv(r, env, (const char *const *)args->pdata);
}

void
rollerctl(Run *r, ...)
{
	va_list ap;

	va_start(ap, r);
	run_va(r, NULL, ap);
	va_end(ap);
}

void
rollerctl_env(Run *r, char **env, ...)
{
	va_list ap;

	va_start(ap, env);
	run_va(r, env, ap);
	va_end(ap);
}

JsonNode *
parse_json(const char *text)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;

	if (!json_parser_load_from_data(parser, text, -1, &error))
		fail_msg("not JSON (%s): %s", error->message, text);
	return json_node_copy(json_parser_get_root(parser));
}

JsonObject *
expect_object(JsonNode *node)
{
	if (!node || !JSON_NODE_HOLDS_OBJECT(node))
		fail_msg("JSON: an object was expected");
	return json_node_get_object(node);
}

JsonArray *
expect_array(JsonNode *node)
{
	if (!node || !JSON_NODE_HOLDS_ARRAY(node))
		fail_msg("JSON: an array was expected");
	return json_node_get_array(node);
}

JsonObject *
expect_object_at(JsonArray *array, guint i)
{
	if (i >= json_array_get_length(array))
		fail_msg("JSON: no element %u in an array of %u", i, json_array_get_length(array));
	return expect_object(json_array_get_element(array, i));
}

guint64
newest_session_id(TestDaemon *td)
{
	g_autoptr(GVariant) rows = test_daemon_query(td, "{'limit': <uint32 1>}");
	g_autoptr(GVariant) row = NULL;
	guint64 id = 0;

	assert_int_equal(g_variant_n_children(rows), 1);
	row = g_variant_get_child_value(rows, 0);
	assert_true(g_variant_lookup(row, "id", "t", &id));
	return id;
}
