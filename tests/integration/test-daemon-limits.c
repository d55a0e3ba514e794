/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Big or hostile calls cost rollerd little (rd-call-guard): clients
 * flooding it with multi-megabyte arguments get short errors that do not
 * repeat them, rollerd's memory stays bounded and its Ping keeps
 * answering; a script calling Sync in a loop does not fill the log.  (A
 * caller's cap of RD_CALL_MAX_PENDING unanswered calls is tested in
 * test-daemon-polkit, where a hanging polkit holds calls.)  The bounds
 * asserted here are generous; bench-calls prints the figures.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <gio/gio.h>

#include "tests/harness/test-daemon-util.h"

#define MANAGER "/org/rollerd"
#define MANAGER1 "org.rollerd.Manager1"
#define BIG_BYTES (4 * 1024 * 1024)
#define FLOOD_CLIENTS 6
#define FLOOD_SECONDS 4
/* rollerd's own memory (about 8 MiB) plus a few messages in GDBus's
 * hands at once: far below the 600 MB the flood took before. */
#define RSS_BOUND_KIB (96 * 1024)
#define PING_BOUND_MS 2000

typedef struct {
	const char *address;
	gint stop;
	guint replies;
	guint long_errors;	/* error messages of 200 bytes or more */
	guint echoed;		/* error messages containing the argument */
	guint unexpected;
	char *first_unexpected;
} Flood;

static GDBusConnection *
connect_to(const char *address)
{
	g_autoptr(GError) error = NULL;
	GDBusConnection *c =
		g_dbus_connection_new_for_address_sync(address,
						       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
						       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
						       NULL, NULL, &error);

	if (!c)
		fail_msg("cannot connect: %s", error->message);
	return c;
}

static void
check_reply(Flood *f, GError *error, const char *arg_start)
{
	g_autofree char *name = NULL;

	g_atomic_int_inc(&f->replies);
	if (!error) {
		g_atomic_int_inc(&f->unexpected);
		return;
	}
	name = g_dbus_error_get_remote_error(error);
	if (strlen(error->message) >= 200)
		g_atomic_int_inc(&f->long_errors);
	if (strstr(error->message, arg_start))
		g_atomic_int_inc(&f->echoed);
	if (g_strcmp0(name, "org.rollerd.Error.InvalidArguments") != 0) {
		g_atomic_int_inc(&f->unexpected);
		if (!f->first_unexpected)
			f->first_unexpected = g_strdup(error->message);
	}
}

/* Properties.Get with a 4 MiB interface name, QuerySessions with a 4 MiB
 * array, in turn, until told to stop. */
static gpointer
flood_thread(gpointer user_data)
{
	Flood *f = user_data;
	g_autoptr(GDBusConnection) c = connect_to(f->address);
	g_autofree char *big = g_malloc(BIG_BYTES + 1);
	g_autoptr(GBytes) blob = NULL;

	memset(big, 'Q', BIG_BYTES);
	memcpy(big, "NotAnInterface", 14);
	big[BIG_BYTES] = '\0';
	blob = g_bytes_new(big, BIG_BYTES);
	for (guint i = 0; !g_atomic_int_get(&f->stop); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GVariant) ret = NULL;
		GVariant *args;

		if (i % 2 == 0) {
			args = g_variant_new("(ss)", big, "Version");
			ret = g_dbus_connection_call_sync(c, "org.rollerd", MANAGER,
							  "org.freedesktop.DBus.Properties", "Get",
							  args, NULL, G_DBUS_CALL_FLAGS_NONE, 30000,
							  NULL, &error);
		} else {
			GVariantBuilder b;

			g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
			g_variant_builder_add(&b, "{sv}", "area",
					      g_variant_new_from_bytes(G_VARIANT_TYPE("ay"),
								       blob, TRUE));
			ret = g_dbus_connection_call_sync(c, "org.rollerd", MANAGER, MANAGER1,
							  "QuerySessions",
							  g_variant_new("(a{sv})", &b),
							  NULL, G_DBUS_CALL_FLAGS_NONE, 30000, NULL,
							  &error);
		}
		check_reply(f, error, "NotAnInterface");
	}
	return NULL;
}

static guint
status_kib(GPid pid, const char *field)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
	g_autofree char *text = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL) || !(p = strstr(text, field)))
		return 0;
	return (guint)g_ascii_strtoull(p + strlen(field) + 1, NULL, 10);
}

static gint64
ping_ms(TestDaemon *td)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;
	gint64 t0 = g_get_monotonic_time();

	ret = g_dbus_connection_call_sync(td->conn, "org.rollerd", MANAGER,
					  "org.freedesktop.DBus.Peer", "Ping", NULL, NULL,
					  G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
	if (!ret)
		fail_msg("Ping: %s", error->message);
	return (g_get_monotonic_time() - t0) / 1000;
}

static int
setup(void **state)
{
	TestDaemon *td = test_daemon_new(NULL);

	test_daemon_start_rollerd(td, NULL);
	*state = td;
	return 0;
}

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

static void
test_big_arguments_cost_little(void **state)
{
	TestDaemon *td = *state;
	Flood f = { .address = test_bus_get_address(td->bus) };
	GThread *threads[FLOOD_CLIENTS];
	gint64 worst_ping = 0, end;
	guint hwm;

	for (guint i = 0; i < FLOOD_CLIENTS; i++)
		threads[i] = g_thread_new("flood", flood_thread, &f);
	end = g_get_monotonic_time() + FLOOD_SECONDS * G_USEC_PER_SEC;
	while (g_get_monotonic_time() < end) {
		worst_ping = MAX(worst_ping, ping_ms(td));
		g_usleep(20000);
	}
	g_atomic_int_set(&f.stop, 1);
	for (guint i = 0; i < FLOOD_CLIENTS; i++)
		g_thread_join(threads[i]);
	hwm = status_kib(td->rollerd, "VmHWM:");
	print_message("%u big calls refused; rollerd's peak RSS %u KiB; slowest Ping %"
		      G_GINT64_FORMAT " ms\n", f.replies, hwm, worst_ping);

	assert_true(f.replies >= FLOOD_CLIENTS);
	if (f.unexpected)
		fail_msg("%u answers were not InvalidArguments, e.g. %s", f.unexpected,
			 f.first_unexpected ? f.first_unexpected : "a success");
	assert_int_equal(f.long_errors, 0);
	assert_int_equal(f.echoed, 0);
	assert_true(worst_ping < PING_BOUND_MS);
#if !defined(__SANITIZE_ADDRESS__)
	/* ASan's quarantine keeps freed memory mapped on purpose. */
	if (hwm >= RSS_BOUND_KIB)
		fail_msg("rollerd's peak RSS %u KiB, bound %u KiB", hwm, RSS_BOUND_KIB);
#endif
	test_daemon_assert_alive(td);
	g_free(f.first_unexpected);
}

/* A long name in Properties is not repeated back, unlike GDBus's own
 * "No such interface" answer. */
static void
test_long_names_not_echoed(void **state)
{
	TestDaemon *td = *state;
	g_autofree char *name = g_strnfill(1000, 'Z');
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;

	ret = g_dbus_connection_call_sync(td->conn, "org.rollerd", MANAGER,
					  "org.freedesktop.DBus.Properties", "GetAll",
					  g_variant_new("(s)", name), NULL,
					  G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
	assert_null(ret);
	assert_null(strstr(error->message, "ZZZZZZZZ"));
	assert_true(strlen(error->message) < 200);
	test_daemon_assert_alive(td);
}

/* A script calling Sync in a loop does not fill rollerd's log: a sync
 * that found nothing new is not logged, failures once per 10 s. */
static void
test_sync_loop_logs_little(void **state)
{
	const char *sim_args[] = { "--stored=1", NULL };
	TestDaemon *td = test_daemon_new(sim_args);
	TestRollerSignals s = { 0 };
	guint sub, lines_before;

	test_daemon_free(*state);
	*state = td;
	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, "org.rollerd.Roller2",
					      "StoredRecords", "0", 20000));
	sub = test_daemon_subscribe(td, &s);
	lines_before = test_daemon_log_count(td, "rollerd", "session(s) stored");
	for (guint i = 0; i < 30; i++)
		test_daemon_sync_and_wait(td, &s, 20000);
	test_daemon_unsubscribe(td, sub);
	assert_int_equal(test_daemon_log_count(td, "rollerd", "session(s) stored"), lines_before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_big_arguments_cost_little, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_names_not_echoed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_loop_logs_little, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
