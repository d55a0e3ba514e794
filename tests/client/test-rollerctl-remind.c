/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl remind against python3-dbusmock's notification daemon on the
 * test's private session bus: what rollerd says is due arrives as one
 * org.freedesktop.Notifications.Notify with its summary and body.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test-rollerctl-util.h"

#define WAIT_MS 60000
#define NOTIFICATIONS "org.freedesktop.Notifications"

static int
teardown(void **state)
{
	return *state ? test_daemon_free(*state) : 0;
}

/* The Notify calls the mock received: their (summary, body), in order. */
static GPtrArray *
notify_calls(TestDaemon *td)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret =
		g_dbus_connection_call_sync(td->conn, NOTIFICATIONS, "/org/freedesktop/Notifications",
					    "org.freedesktop.DBus.Mock", "GetCalls", NULL,
					    G_VARIANT_TYPE("(a(tsav))"), G_DBUS_CALL_FLAGS_NONE,
					    10000, NULL, &error);
	GPtrArray *calls = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GVariant) list = NULL;
	GVariantIter iter;
	const char *method;
	GVariant *args;

	if (!ret)
		fail_msg("GetCalls: %s", error->message);
	list = g_variant_get_child_value(ret, 0);
	g_variant_iter_init(&iter, list);
	while (g_variant_iter_next(&iter, "(t&s@av)", NULL, &method, &args)) {
		if (g_str_equal(method, "Notify")) {
			g_autoptr(GVariant) summary = g_variant_get_child_value(args, 3);
			g_autoptr(GVariant) body = g_variant_get_child_value(args, 4);
			g_autoptr(GVariant) s = g_variant_get_variant(summary);
			g_autoptr(GVariant) b = g_variant_get_variant(body);

			g_ptr_array_add(calls, g_strdup_printf("%s|%s",
							       g_variant_get_string(s, NULL),
							       g_variant_get_string(b, NULL)));
		}
		g_variant_unref(args);
	}
	return calls;
}

static void
test_remind_posts_a_notification(void **state)
{
	const char *sim_args[] = { "--stored=1", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	g_autofree char *conf = g_build_filename(test_bus_get_dir(td->bus), "rollerd.conf", NULL);
	g_autofree char *conf_arg = g_strconcat("--config=", conf, NULL);
	const char *extra[] = { conf_arg, NULL };
	g_autoptr(GPtrArray) calls = NULL;
	g_auto(Run) r = { 0 };

	if (!test_daemon_start_mock(td, "notification_daemon", NOTIFICATIONS)) {
		skip();
		return;
	}
	/* A head worn after one session: due as soon as the record is synced. */
	assert_true(g_file_set_contents(conf, "[Head]\nSessionsPerHead=1\n", -1, NULL));
	test_daemon_start_rollerd(td, extra);
	rollerctl(&r, "remind", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "Nothing is due.\n");
	calls = notify_calls(td);
	assert_int_equal(calls->len, 0);
	g_clear_pointer(&calls, g_ptr_array_unref);

	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	test_daemon_wait_synced(td, WAIT_MS);
	rollerctl(&r, "remind", "--print", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "head-worn: The "));
	calls = notify_calls(td);
	assert_int_equal(calls->len, 0);
	g_clear_pointer(&calls, g_ptr_array_unref);

	rollerctl(&r, "remind", NULL);
	assert_int_equal(r.status, 0);
	calls = notify_calls(td);
	assert_int_equal(calls->len, 1);
	if (!g_str_has_prefix(calls->pdata[0], "Microneedling reminder|The ") ||
	    !strstr(calls->pdata[0], "needle head of roller RL000001 has been used for 1 "
		    "session: replace it"))
		fail_msg("Notify: %s", (char *)calls->pdata[0]);
	rollerctl(&r, "remind", "now", NULL);
	assert_int_equal(r.status, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_remind_posts_a_notification, teardown),
	};

	return cmocka_run_group_tests_name("rollerctl remind", tests, NULL, NULL);
}
