/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every method of every interface rollerd exports, found by walking its
 * introspection data, called with no arguments, wrong types, and empty,
 * huge and out-of-range values: each answer is a success or a clear
 * org.rollerd.Error.* / org.freedesktop.DBus.Error.*, and rollerd keeps
 * answering.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test-daemon-util.h"

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

static void
assert_alive(TestDaemon *td)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_call(td, "/org/rollerd", "org.freedesktop.DBus.Peer",
						   "Ping", NULL, &error);

	if (!ret) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("rollerd stopped answering: %s", error->message);
	}
}

static void
assert_clear_error_or_success(TestDaemon *td, const char *path, const char *iface,
			      const char *method, GVariant *args)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;
	g_autofree char *name = NULL;
	g_autofree char *printed = args ? g_variant_print(args, TRUE) : g_strdup("()");

	if (args)
		g_variant_ref_sink(args);
	ret = test_daemon_call(td, path, iface, method, args, &error);
	if (args)
		g_variant_unref(args);
	assert_alive(td);
	if (ret)
		return;
	name = g_dbus_error_get_remote_error(error);
	if (!name || (!g_str_has_prefix(name, "org.rollerd.Error.") &&
		      !g_str_has_prefix(name, "org.freedesktop.DBus.Error.")))
		fail_msg("%s.%s%s on %s: not a clear error: %s", iface, method,
			 printed, path, error->message);
	/* The sentence is for a person: never empty. */
	assert_true(strlen(error->message) > strlen(name) + 10);
}

/* A value of @type: @kind 0 empty/zero, 1 huge/max, 2 odd. */
static GVariant *
value_for(const GVariantType *type, int kind)
{
	static char huge[1 << 20];

	if (!huge[0])
		memset(huge, 'x', sizeof(huge) - 1);
	switch (*g_variant_type_peek_string(type)) {
	case 's':
		return g_variant_new_string(kind == 0 ? "" : kind == 1 ? huge : "área-ü\t'\"");
	case 'o':
		return g_variant_new_object_path(kind == 0 ? "/" : "/no/such/object");
	case 'y':
		return g_variant_new_byte(kind == 0 ? 0 : 255);
	case 'q':
		return g_variant_new_uint16(kind == 0 ? 0 : G_MAXUINT16);
	case 'u':
		return g_variant_new_uint32(kind == 0 ? 0 : G_MAXUINT32);
	case 't':
		return g_variant_new_uint64(kind == 0 ? 0 : G_MAXUINT64);
	case 'x':
		return g_variant_new_int64(kind == 0 ? 0 : kind == 1 ? G_MAXINT64 : G_MININT64);
	case 'b':
		return g_variant_new_boolean(kind != 0);
	case 'a':
		if (g_variant_type_equal(type, G_VARIANT_TYPE_VARDICT)) {
			GVariantBuilder b;

			g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
			if (kind == 1) {
				g_variant_builder_add(&b, "{sv}", "text", g_variant_new_string(huge));
				g_variant_builder_add(&b, "{sv}", "limit", g_variant_new_uint32(G_MAXUINT32));
				g_variant_builder_add(&b, "{sv}", "since", g_variant_new_int64(G_MAXINT64));
			} else if (kind == 2) {
				g_variant_builder_add(&b, "{sv}", "redness", g_variant_new_int32(3));
				g_variant_builder_add(&b, "{sv}", "nonsense", g_variant_new_string(""));
			}
			return g_variant_builder_end(&b);
		}
		return g_variant_new_array(g_variant_type_element(type), NULL, 0);
	default:
		return NULL;
	}
}

static GVariant *
args_for(GDBusArgInfo **in_args, int kind)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_TUPLE);
	for (gsize i = 0; in_args && in_args[i]; i++) {
		g_autoptr(GVariantType) type = g_variant_type_new(in_args[i]->signature);
		GVariant *v = value_for(type, kind);

		if (!v) {
			g_variant_builder_clear(&b);
			return NULL;
		}
		g_variant_builder_add_value(&b, v);
	}
	return g_variant_builder_end(&b);
}

/* Methods that would end the test's setup if they succeeded. */
static gboolean
is_destructive(const char *method)
{
	return g_str_equal(method, "Forget") || g_str_equal(method, "Delete") ||
	       g_str_equal(method, "Disconnect");
}

static void
hammer_object(TestDaemon *td, const char *path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_connection_call_sync(td->conn, "org.rollerd", path,
							      "org.freedesktop.DBus.Introspectable",
							      "Introspect", NULL,
							      G_VARIANT_TYPE("(s)"),
							      G_DBUS_CALL_FLAGS_NONE, 10000, NULL,
							      &error);
	g_autoptr(GDBusNodeInfo) node = NULL;
	const char *xml;

	if (!ret)
		fail_msg("Introspect %s: %s", path, error->message);
	g_variant_get(ret, "(&s)", &xml);
	node = g_dbus_node_info_new_for_xml(xml, &error);
	assert_non_null(node);
	for (gsize i = 0; node->interfaces && node->interfaces[i]; i++) {
		GDBusInterfaceInfo *iface = node->interfaces[i];

		if (!g_str_has_prefix(iface->name, "org.rollerd."))
			continue;
		for (gsize m = 0; iface->methods && iface->methods[m]; m++) {
			GDBusMethodInfo *method = iface->methods[m];
			gboolean has_args = method->in_args && method->in_args[0];

			/* Wrong types: one int32 where anything else is expected. */
			assert_clear_error_or_success(td, path, iface->name, method->name,
						      g_variant_new("(i)", 42));
			if (has_args)
				assert_clear_error_or_success(td, path, iface->name, method->name,
							      NULL);
			if (is_destructive(method->name))
				continue;
			for (int kind = 0; has_args && kind < 3; kind++) {
				GVariant *args = args_for(method->in_args, kind);

				if (args)
					assert_clear_error_or_success(td, path, iface->name,
								      method->name, args);
			}
		}
	}
}

static void
test_every_method_with_bad_arguments(void **state)
{
	const char *sim_args[] = { "--stored=2", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;
	const char *session;

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller1",
					      "StoredRecords", "0", 20000));
	ret = test_daemon_call(td, "/org/rollerd", "org.rollerd.Manager1", "GetSession",
			       g_variant_new("(t)", (guint64)1), &error);
	if (!ret)
		fail_msg("GetSession: %s", error->message);
	g_variant_get(ret, "(&o)", &session);

	hammer_object(td, "/org/rollerd");
	hammer_object(td, td->roller_path);
	hammer_object(td, session);
	/* The roller still works after all that. */
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller1",
					      "Connected", "true", 20000));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_every_method_with_bad_arguments, teardown),
	};

	return cmocka_run_group_tests_name("rollerd D-Bus robustness", tests, NULL, NULL);
}
