/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every method of every interface rollerd exports, found by walking its
 * introspection data, called with no arguments, wrong types, and empty,
 * huge and out-of-range values: each answer is a success or a clear
 * org.rollerd.Error.* / org.freedesktop.DBus.Error.*, and rollerd keeps
 * answering; and a table of known-bad calls, each with the exact
 * org.rollerd.Error.* it must get and a sentence that names the problem.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/harness/test-daemon-util.h"

static int
teardown(void **state)
{
	return test_daemon_free(*state);
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
	test_daemon_assert_alive(td);
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
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller2",
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
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller2",
					      "Connected", "true", 20000));
}

typedef enum {
	AT_MANAGER,
	AT_ROLLER,		/* connected, in a live session */
	AT_OTHER_ROLLER,	/* found but never connected */
	AT_STORED,		/* a stored session's Session1 */
	AT_LIVE,		/* the live session's Session1 */
} Target;

typedef struct {
	Target target;
	const char *method;
	const char *args;	/* GVariant text of the tuple, NULL for none */
	const char *error;	/* after org.rollerd.Error. */
	const char *mentions;	/* what the message must name */
} BadCall;

static const BadCall bad_calls[] = {
	{ AT_MANAGER, "QuerySessions", "({'nonsense': <''>},)", "InvalidArguments", "nonsense" },
	{ AT_MANAGER, "QuerySessions", "({'limit': <int32 10>},)", "InvalidArguments", "type u" },
	{ AT_MANAGER, "QuerySessions", "({'roller': <uint32 1>},)", "InvalidArguments", "type s" },
	{ AT_MANAGER, "QuerySessions", "({'limit': <uint32 0>},)", "InvalidArguments", "limit" },
	{ AT_MANAGER, "QuerySessions", "({'limit': <uint32 1001>},)", "InvalidArguments", "1000" },
	{ AT_MANAGER, "QuerySessions", "({'area': <'elbow'>},)", "InvalidArguments", "elbow" },
	{ AT_MANAGER, "QuerySessions", "({'since': <int64 200>, 'until': <int64 100>},)",
	  "InvalidArguments", "since" },
	{ AT_MANAGER, "QuerySessions", "({'after_id': <uint64 3>, 'scope': <'clinic'>},)",
	  "InvalidArguments", "after_id" },
	{ AT_MANAGER, "QuerySessions", "({'after_id': <uint64 18446744073709551615>},)",
	  "InvalidArguments", "after_id" },
	{ AT_MANAGER, "QuerySessions", "({'after_id': <int64 3>},)", "InvalidArguments", "type t" },
	{ AT_MANAGER, "ExportSessions", "(@a{sv} {}, 'xml')", "InvalidArguments", "xml" },
	{ AT_MANAGER, "ExportSessions", "({'nonsense': <''>}, 'csv')", "InvalidArguments",
	  "nonsense" },
	{ AT_MANAGER, "GetSession", "(uint64 999999,)", "NotFound", "999999" },
	{ AT_MANAGER, "GetSession", "(uint64 18446744073709551615,)", "NotFound",
	  "18446744073709551615" },
	{ AT_MANAGER, "StopDiscovery", NULL, "Failed", "discovery" },
	{ AT_ROLLER, "SetForceBand", "(uint16 500, uint16 100)", "InvalidArguments", "500" },
	{ AT_ROLLER, "SetForceBand", "(uint16 0, uint16 0)", "InvalidArguments", "low edge" },
	{ AT_ROLLER, "SetForceBand", "(uint16 100, uint16 65535)", "InvalidArguments",
	  "full scale" },
	{ AT_ROLLER, "Identify", "(byte 0,)", "InvalidArguments", "1 to 30" },
	{ AT_ROLLER, "Identify", "(byte 31,)", "InvalidArguments", "31" },
	{ AT_ROLLER, "StartSession", "('elbow',)", "InvalidArguments", "elbow" },
	{ AT_ROLLER, "StartSession", "('',)", "InvalidArguments", "treatment area" },
	{ AT_ROLLER, "StartSession", "('area-256',)", "InvalidArguments", "area-256" },
	{ AT_OTHER_ROLLER, "StartSession", "('abdomen',)", "NotConnected", "rollerctl connect" },
	{ AT_OTHER_ROLLER, "Identify", "(byte 5,)", "NotConnected", "rollerctl connect" },
	{ AT_OTHER_ROLLER, "Sync", NULL, "NotConnected", "rollerctl connect" },
	{ AT_STORED, "SetNotes", "({'redness': <'purple'>},)", "InvalidArguments", "purple" },
	{ AT_STORED, "SetNotes", "({'redness': <int32 3>},)", "InvalidArguments", "redness" },
	{ AT_STORED, "SetNotes", "({'nonsense': <true>},)", "InvalidArguments", "nonsense" },
	{ AT_STORED, "Export", "('xml',)", "InvalidArguments", "xml" },
	{ AT_LIVE, "SetNotes", "({'redness': <'mild'>},)", "NotFound", "still running" },
	{ AT_LIVE, "Export", "('csv',)", "NotFound", "still running" },
	{ AT_LIVE, "Delete", NULL, "NotFound", "still running" },
};

static void
test_known_bad_calls_get_exact_errors(void **state)
{
	const char *sim_args[] = { "--count=2", "--stored=2", "--session-seconds=600", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;
	g_autofree char *live = NULL, *stored = NULL, *live_printed = NULL;
	const char *paths[5], *ifaces[5];

	test_daemon_discover(td, 2);
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller2",
					      "StoredRecords", "0", 20000));
	ret = test_daemon_call(td, "/org/rollerd", "org.rollerd.Manager1", "GetSession",
			       g_variant_new("(t)", (guint64)1), &error);
	if (!ret)
		fail_msg("GetSession: %s", error->message);
	g_variant_get(ret, "(o)", &stored);
	live = g_strconcat(td->roller_path, "/live", NULL);
	live_printed = g_strdup_printf("'%s'", live);
	test_daemon_call_ok(td, td->roller_path, "org.rollerd.Roller2", "StartSession",
			    g_variant_new("(s)", "abdomen"));
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller2",
					      "Session", live_printed, 20000));

	paths[AT_MANAGER] = "/org/rollerd";
	paths[AT_ROLLER] = td->roller_path;
	paths[AT_OTHER_ROLLER] = "/org/rollerd/roller/C0_52_4C_00_00_02";
	paths[AT_STORED] = stored;
	paths[AT_LIVE] = live;
	ifaces[AT_MANAGER] = "org.rollerd.Manager1";
	ifaces[AT_ROLLER] = ifaces[AT_OTHER_ROLLER] = "org.rollerd.Roller2";
	ifaces[AT_STORED] = ifaces[AT_LIVE] = "org.rollerd.Session1";

	for (gsize i = 0; i < G_N_ELEMENTS(bad_calls); i++) {
		const BadCall *c = &bad_calls[i];
		g_autoptr(GVariant) args = NULL, reply = NULL;
		g_autoptr(GError) call_error = NULL;
		g_autofree char *what = NULL;

		if (c->args) {
			args = g_variant_parse(NULL, c->args, NULL, NULL, &call_error);
			if (!args)
				fail_msg("bad table row %s: %s", c->args, call_error->message);
		}
		what = g_strdup_printf("%s.%s%s on %s", ifaces[c->target], c->method,
				       c->args ? c->args : "()", paths[c->target]);
		reply = test_daemon_call(td, paths[c->target], ifaces[c->target], c->method,
					 args, &call_error);
		test_daemon_assert_error(call_error, c->error, c->mentions, what);
		test_daemon_assert_alive(td);
	}
	/* The bad calls changed nothing: the session still runs, the notes are empty. */
	{
		g_autoptr(GVariant) session = test_daemon_get(td, td->roller_path,
							      "org.rollerd.Roller2", "Session");
		g_autoptr(GVariant) notes = test_daemon_get(td, stored, "org.rollerd.Session1",
							    "Notes");

		assert_string_equal(g_variant_get_string(session, NULL), live);
		assert_int_equal(g_variant_n_children(notes), 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_every_method_with_bad_arguments, teardown),
		cmocka_unit_test_teardown(test_known_bad_calls_get_exact_errors, teardown),
	};

	return cmocka_run_group_tests_name("rollerd D-Bus robustness", tests, NULL, NULL);
}
