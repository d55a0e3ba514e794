/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-daemon-util's assertions about rollerd's answers. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test-daemon-util.h"

void
test_daemon_assert_alive(TestDaemon *td)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_call(td, "/org/rollerd", "org.freedesktop.DBus.Peer",
						   "Ping", NULL, &error);

	if (!ret) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("rollerd stopped answering: %s", error->message);
	}
}

void
test_daemon_assert_error(const GError *error, const char *name, const char *mentions,
			 const char *what)
{
	g_autofree char *remote = NULL, *want = g_strconcat("org.rollerd.Error.", name, NULL);
	g_autoptr(GError) plain = NULL;
	const char *message;
	gsize len;
	guint spaces = 0;

	if (!error)
		fail_msg("%s succeeded; expected %s", what, want);
	remote = g_dbus_error_get_remote_error(error);
	if (g_strcmp0(remote, want) != 0)
		fail_msg("%s: %s, not %s", what, error->message, want);
	plain = g_error_copy(error);
	g_dbus_error_strip_remote_error(plain);
	message = plain->message;
	len = strlen(message);
	for (const char *p = message; *p; p++)
		spaces += *p == ' ';
	if (len < 12 || spaces < 2 || !g_ascii_isupper(message[0]) ||
	    strchr(message, '\n') || strchr(" :;,", message[len - 1]))
		fail_msg("%s: not a sentence: \"%s\"", what, message);
	if (!strstr(message, mentions))
		fail_msg("%s: \"%s\" does not name %s", what, message, mentions);
}

void
test_daemon_assert_history_is(TestDaemon *td, GPtrArray *truth, guint expect)
{
	g_autoptr(GPtrArray) history = test_daemon_history_lines(td);

	assert_int_equal(truth->len, expect);
	if (history->len != truth->len)
		fail_msg("%u sessions in the history, %u stored by the roller", history->len,
			 truth->len);
	for (guint i = 0; i < truth->len; i++) {
		if (!g_str_equal(history->pdata[i], truth->pdata[i]))
			fail_msg("session %u differs:\n  rollerd %s\n  roller  %s", i,
				 (char *)history->pdata[i], (char *)truth->pdata[i]);
	}
}

/* Connected, and a sync by this rollerd completed, leaving the roller empty. */
static gboolean
synced_once(gpointer user_data)
{
	TestDaemon *td = user_data;
	g_autoptr(GVariant) last = test_daemon_get(td, td->roller_path, "org.rollerd.Roller2",
						   "LastSync");

	if (g_variant_get_int64(last) != 0)
		return TRUE;
	g_usleep(20000);
	return FALSE;
}

void
test_daemon_wait_synced(TestDaemon *td, guint timeout_ms)
{
	const char *roller2 = "org.rollerd.Roller2";

	if (!test_daemon_wait_property(td, td->roller_path, roller2, "Connected", "true",
				       timeout_ms) ||
	    !test_bus_wait_until(synced_once, td, timeout_ms) ||
	    !test_daemon_wait_property(td, td->roller_path, roller2, "StoredRecords", "0",
				       timeout_ms) ||
	    !test_daemon_wait_property(td, td->roller_path, roller2, "SyncState", "'idle'",
				       timeout_ms)) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("the roller was not synced");
	}
}
