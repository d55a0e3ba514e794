/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rd-polkit against python3-dbusmock's polkitd template on the test's
 * private bus: Session1.Delete and Roller2.Forget succeed when polkit
 * allows their action and are NotAuthorized, changing nothing, when it
 * does not; a polkit that takes its time does not hold rollerd up.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/dbus/rd-call-guard.h"
#include "tests/harness/test-daemon-util.h"

#define BURST 100

#define ROLLER2 "org.rollerd.Roller2"
#define SESSION1 "org.rollerd.Session1"
#define WAIT_MS 20000
#define DELETE_ACTION "org.rollerd.delete-session"
#define FORGET_ACTION "org.rollerd.forget-roller"

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

/* A call to the mock's control interface. */
static void
polkit_mock_call(TestDaemon *td, const char *method, GVariant *args)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret =
		g_dbus_connection_call_sync(td->conn, "org.freedesktop.PolicyKit1",
					    "/org/freedesktop/PolicyKit1/Authority",
					    "org.freedesktop.DBus.Mock", method, args, NULL,
					    G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);

	if (!ret) {
		test_bus_dump_log(td->bus, "polkitd");
		fail_msg("polkitd mock %s: %s", method, error->message);
	}
}

static void
polkit_allow(TestDaemon *td, const char *const *actions)
{
	polkit_mock_call(td, "SetAllowed", g_variant_new("(^as)", actions));
}

/*
 * The mock polkitd (denying everything) on the test's bus, one roller
 * connected and its two stored sessions synced; returns the path of the
 * first stored session.
 */
static char *
setup(void **state)
{
	const char *sim_args[] = { "--stored=2", NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;
	g_autoptr(GVariant) rows = NULL;
	TestDaemon *td;
	char *path;

	td = *state = test_daemon_new(sim_args);
	if (!test_daemon_start_polkit_mock(td)) {
		skip();
		return NULL;
	}
	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "StoredRecords",
					      "0", WAIT_MS));
	rows = test_daemon_query(td, "{}");
	assert_int_equal(g_variant_n_children(rows), 2);
	ret = test_daemon_call(td, "/org/rollerd", "org.rollerd.Manager1", "GetSession",
			       g_variant_new("(t)", (guint64)1), &error);
	if (!ret)
		fail_msg("GetSession: %s", error->message);
	g_variant_get(ret, "(o)", &path);
	return path;
}

static guint
history_size(TestDaemon *td)
{
	g_autoptr(GVariant) rows = test_daemon_query(td, "{}");

	return g_variant_n_children(rows);
}

static gboolean
roller_gone(gpointer user_data)
{
	TestDaemon *td = user_data;
	g_autoptr(GVariant) ret =
		g_dbus_connection_call_sync(td->conn, "org.rollerd", td->roller_path,
					    "org.freedesktop.DBus.Properties", "Get",
					    g_variant_new("(ss)", ROLLER2, "Address"), NULL,
					    G_DBUS_CALL_FLAGS_NONE, 10000, NULL, NULL);

	if (!ret)
		return TRUE;
	g_usleep(20000);
	return FALSE;
}

static void
test_delete_needs_its_action(void **state)
{
	g_autofree char *session = setup(state);
	TestDaemon *td = *state;
	const char *forget_only[] = { FORGET_ACTION, NULL };
	const char *delete_only[] = { DELETE_ACTION, NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;

	/* Denied, and allowed only the other action: nothing is deleted. */
	for (int round = 0; round < 2; round++) {
		g_autoptr(GVariant) id = NULL;

		if (round == 1)
			polkit_allow(td, forget_only);
		g_clear_error(&error);
		ret = test_daemon_call(td, session, SESSION1, "Delete", NULL, &error);
		assert_null(ret);
		test_daemon_assert_error(error, "NotAuthorized", DELETE_ACTION, "Delete");
		test_daemon_assert_alive(td);
		assert_int_equal(history_size(td), 2);
		id = test_daemon_get(td, session, SESSION1, "Id");
		assert_int_equal(g_variant_get_uint64(id), 1);
	}

	polkit_allow(td, delete_only);
	test_daemon_call_ok(td, session, SESSION1, "Delete", NULL);
	assert_int_equal(history_size(td), 1);
	g_clear_error(&error);
	ret = test_daemon_call(td, "/org/rollerd", "org.rollerd.Manager1", "GetSession",
			       g_variant_new("(t)", (guint64)1), &error);
	assert_null(ret);
	test_daemon_assert_error(error, "NotFound", "1", "GetSession of the deleted session");
}

/* The flags of the mock's last CheckAuthorization. */
static guint32
last_check_flags(TestDaemon *td)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL, calls = NULL, last = NULL, args = NULL, flags = NULL;
	gsize n;

	ret = g_dbus_connection_call_sync(td->conn, "org.freedesktop.PolicyKit1",
					  "/org/freedesktop/PolicyKit1/Authority",
					  "org.freedesktop.DBus.Mock", "GetMethodCalls",
					  g_variant_new("(s)", "CheckAuthorization"),
					  G_VARIANT_TYPE("(a(tav))"), G_DBUS_CALL_FLAGS_NONE, 10000,
					  NULL, &error);
	if (!ret)
		fail_msg("GetMethodCalls: %s", error->message);
	calls = g_variant_get_child_value(ret, 0);
	n = g_variant_n_children(calls);
	assert_true(n > 0);
	last = g_variant_get_child_value(calls, n - 1);
	args = g_variant_get_child_value(last, 1);
	g_variant_get_child(args, 3, "v", &flags);
	return g_variant_get_uint32(flags);
}

/* polkit asks the person only when the caller said it would wait for
 * that (AllowInteractiveAuthorization), as rollerctl does. */
static void
test_interaction_follows_the_caller(void **state)
{
	g_autofree char *session = setup(state);
	TestDaemon *td = *state;
	const GDBusCallFlags flags[] = { G_DBUS_CALL_FLAGS_NONE,
					 G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION };

	for (guint i = 0; i < G_N_ELEMENTS(flags); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GVariant) ret =
			g_dbus_connection_call_sync(td->conn, "org.rollerd", session, SESSION1,
						    "Delete", NULL, NULL, flags[i], 10000, NULL,
						    &error);

		assert_null(ret);
		test_daemon_assert_error(error, "NotAuthorized", DELETE_ACTION, "Delete");
		/* CheckAuthorization's AllowUserInteraction flag is 1. */
		assert_int_equal(last_check_flags(td), i == 0 ? 0 : 1);
	}
	assert_int_equal(history_size(td), 2);
}

static void
test_forget_needs_its_action(void **state)
{
	g_autofree char *session = setup(state);
	TestDaemon *td = *state;
	const char *delete_only[] = { DELETE_ACTION, NULL };
	const char *forget_only[] = { FORGET_ACTION, NULL };
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;

	for (int round = 0; round < 2; round++) {
		if (round == 1)
			polkit_allow(td, delete_only);
		g_clear_error(&error);
		ret = test_daemon_call(td, td->roller_path, ROLLER2, "Forget", NULL, &error);
		assert_null(ret);
		test_daemon_assert_error(error, "NotAuthorized", FORGET_ACTION, "Forget");
		test_daemon_assert_alive(td);
		/* Still known and still connected. */
		assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2,
						      "Connected", "true", 100));
	}

	polkit_allow(td, forget_only);
	test_daemon_call_ok(td, td->roller_path, ROLLER2, "Forget", NULL);
	assert_true(test_bus_wait_until(roller_gone, td, WAIT_MS));
	test_daemon_assert_alive(td);
	/* Forgetting the roller keeps its history. */
	assert_int_equal(history_size(td), 2);
}

static void
on_delete_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	GError **error = user_data;
	g_autoptr(GVariant) ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source),
								res, error);

	if (ret)
		*error = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_FAILED, "succeeded");
}

static gboolean
answered(gpointer user_data)
{
	GError **error = user_data;

	return *error != NULL;
}

static gboolean
check_held(gpointer user_data)
{
	TestDaemon *td = user_data;
	g_autoptr(GVariant) ret =
		g_dbus_connection_call_sync(td->conn, "org.freedesktop.PolicyKit1",
					    "/org/freedesktop/PolicyKit1/Authority",
					    "org.freedesktop.DBus.Mock", "HaveHangingCalls", NULL,
					    G_VARIANT_TYPE("(b)"), G_DBUS_CALL_FLAGS_NONE, 10000,
					    NULL, NULL);
	gboolean held = FALSE;

	if (ret)
		g_variant_get(ret, "(b)", &held);
	if (!held)
		g_usleep(20000);
	return held;
}

/* polkit may wait for a person to authenticate: rollerd answers others meanwhile. */
static void
test_slow_polkit_does_not_block(void **state)
{
	g_autofree char *session = setup(state);
	TestDaemon *td = *state;
	g_autoptr(GError) error = NULL;

	polkit_mock_call(td, "SimulateHang", g_variant_new("(b)", TRUE));
	g_dbus_connection_call(td->conn, "org.rollerd", session, SESSION1, "Delete", NULL,
			       NULL, G_DBUS_CALL_FLAGS_NONE, 60000, NULL, on_delete_done,
			       &error);
	assert_true(test_bus_wait_until(check_held, td, WAIT_MS));
	assert_null(error);
	test_daemon_assert_alive(td);
	assert_int_equal(history_size(td), 2);
	test_daemon_call_ok(td, td->roller_path, ROLLER2, "Identify", g_variant_new("(y)", 1));

	/* The mock answers the held check as it would have: denied. */
	polkit_mock_call(td, "ReleaseHangingCalls", NULL);
	assert_true(test_bus_wait_until(answered, &error, WAIT_MS));
	test_daemon_assert_error(error, "NotAuthorized", DELETE_ACTION, "Delete");
	assert_int_equal(history_size(td), 2);
}

typedef struct {
	guint limited;		/* LimitsExceeded */
	guint refused;		/* NotAuthorized, once polkit answered */
	guint other;
} Burst;

static void
on_burst_reply(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Burst *b = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res,
								&error);
	g_autofree char *name = error ? g_dbus_error_get_remote_error(error) : NULL;

	if (g_strcmp0(name, "org.freedesktop.DBus.Error.LimitsExceeded") == 0)
		b->limited++;
	else if (g_strcmp0(name, "org.rollerd.Error.NotAuthorized") == 0)
		b->refused++;
	else
		b->other++;
}

static gboolean
burst_limited(gpointer user_data)
{
	Burst *b = user_data;

	return b->limited + b->other >= BURST - RD_CALL_MAX_PENDING;
}

static gboolean
burst_done(gpointer user_data)
{
	Burst *b = user_data;

	return b->limited + b->refused + b->other == BURST;
}

/*
 * One caller sends BURST calls that polkit holds: rd-call-guard lets
 * RD_CALL_MAX_PENDING of them through and answers the rest at once with
 * LimitsExceeded, so the caller cannot queue work without bound; another
 * caller is answered meanwhile.
 */
static void
test_held_calls_capped_per_caller(void **state)
{
	g_autofree char *session = setup(state);
	TestDaemon *td = *state;
	g_autoptr(GDBusConnection) c = NULL;
	g_autoptr(GError) error = NULL;
	Burst b = { 0 };

	c = g_dbus_connection_new_for_address_sync(test_bus_get_address(td->bus),
						   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
						   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
						   NULL, NULL, &error);
	assert_non_null(c);
	polkit_mock_call(td, "SimulateHang", g_variant_new("(b)", TRUE));
	for (guint i = 0; i < BURST; i++)
		g_dbus_connection_call(c, "org.rollerd", session, SESSION1, "Delete", NULL, NULL,
				       G_DBUS_CALL_FLAGS_NONE, 60000, NULL, on_burst_reply, &b);
	assert_true(test_bus_wait_until(burst_limited, &b, WAIT_MS));
	assert_int_equal(b.limited, BURST - RD_CALL_MAX_PENDING);
	assert_int_equal(b.other, 0);
	test_daemon_assert_alive(td);
	test_daemon_call_ok(td, td->roller_path, ROLLER2, "Identify", g_variant_new("(y)", 1));

	polkit_mock_call(td, "ReleaseHangingCalls", NULL);
	assert_true(test_bus_wait_until(burst_done, &b, WAIT_MS));
	assert_int_equal(b.refused, RD_CALL_MAX_PENDING);
	assert_int_equal(b.limited, BURST - RD_CALL_MAX_PENDING);
	assert_int_equal(history_size(td), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_delete_needs_its_action, teardown),
		cmocka_unit_test_teardown(test_forget_needs_its_action, teardown),
		cmocka_unit_test_teardown(test_interaction_follows_the_caller, teardown),
		cmocka_unit_test_teardown(test_slow_polkit_does_not_block, teardown),
		cmocka_unit_test_teardown(test_held_calls_capped_per_caller, teardown),
	};

	return cmocka_run_group_tests_name("rollerd polkit", tests, NULL, NULL);
}
