/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl's rc_print_error: every failed call becomes one sentence for
 * a person, never a raw GDBus error, with exit status 3 when rollerd or
 * the bus is gone or silent and 1 otherwise.  The live cases (rollerd
 * not running, killed mid-call, a bus policy or polkit refusing) are in
 * test-rollerctl; these are the ones a test cannot easily bring about.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "client/rc-common.h"

static GString *printed;

static void
capture(const char *text)
{
	g_string_append(printed, text);
}

/* rc_print_error(@command, @error): its exit code, and what it printed. */
static int
explain(const char *command, GError *error, char **out)
{
	int code;

	printed = g_string_new(NULL);
	g_set_printerr_handler(capture);
	code = rc_print_error(command, error);
	g_set_printerr_handler(NULL);
	g_error_free(error);
	*out = g_string_free(g_steal_pointer(&printed), FALSE);
	return code;
}

/* One line, no D-Bus error name or GDBus prefix in it. */
static void
assert_sentence(const char *text, const char *starts)
{
	if (!g_str_has_prefix(text, starts))
		fail_msg("'%s' does not start with '%s'", text, starts);
	assert_true(g_str_has_suffix(text, "\n"));
	assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
	assert_null(strstr(text, "GDBus"));
	assert_null(strstr(text, "org.freedesktop.DBus.Error"));
	assert_null(strstr(text, "org.rollerd.Error"));
}

static void
test_rollerd_gone(void **state)
{
	static const char *const names[] = {
		"org.freedesktop.DBus.Error.ServiceUnknown",
		"org.freedesktop.DBus.Error.NameHasNoOwner",
		"org.freedesktop.DBus.Error.NoReply",
	};
	g_autofree char *out = NULL;

	for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
		g_clear_pointer(&out, g_free);
		assert_int_equal(explain("sessions", g_dbus_error_new_for_dbus_error(names[i],
					     "The name is not activatable"), &out), RC_EXIT_NO_DAEMON);
		assert_sentence(out, "rollerctl sessions: rollerd is not running or stopped answering");
	}
	(void)state;
}

static void
test_no_answer_or_no_bus(void **state)
{
	g_autofree char *out = NULL;

	assert_int_equal(explain("sync", g_error_new_literal(G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
				     "Timeout was reached"), &out), RC_EXIT_NO_DAEMON);
	assert_sentence(out, "rollerctl sync: rollerd is not running or stopped answering");
	g_clear_pointer(&out, g_free);
	assert_int_equal(explain(NULL, g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CLOSED,
				     "The connection is closed"), &out), RC_EXIT_NO_DAEMON);
	assert_sentence(out, "rollerctl: the connection to the bus was lost");
	(void)state;
}

static void
test_permission(void **state)
{
	g_autofree char *out = NULL;

	/* The bus' policy: its message is about match rules, not shown. */
	assert_int_equal(explain("identify", g_dbus_error_new_for_dbus_error(
		"org.freedesktop.DBus.Error.AccessDenied",
		"Rejected send message, 2 matched rules; type=\"method_call\", sender=\":1.9\""),
		&out), RC_EXIT_FAILURE);
	assert_sentence(out, "rollerctl identify: permission denied: only root and members "
			"of the group rollerd");
	assert_null(strstr(out, "Rejected"));
	g_clear_pointer(&out, g_free);
	/* polkit's, through rollerd: rollerd's sentence names the action. */
	assert_int_equal(explain("forget", g_dbus_error_new_for_dbus_error(
		"org.rollerd.Error.NotAuthorized",
		"You are not allowed to do this (org.rollerd.forget-roller)"), &out),
		RC_EXIT_FAILURE);
	assert_sentence(out, "rollerctl forget: permission denied: You are not allowed to do "
			"this (org.rollerd.forget-roller)");
	(void)state;
}

static void
test_rollerd_sentence(void **state)
{
	g_autofree char *out = NULL;

	assert_int_equal(explain("stop", g_dbus_error_new_for_dbus_error(
		"org.rollerd.Error.NotFound", "No session is running on C0:52:4C:00:00:01"), &out),
		RC_EXIT_FAILURE);
	assert_sentence(out, "rollerctl stop: No session is running on C0:52:4C:00:00:01\n");
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollerd_gone),
		cmocka_unit_test(test_no_answer_or_no_bus),
		cmocka_unit_test(test_permission),
		cmocka_unit_test(test_rollerd_sentence),
	};

	return cmocka_run_group_tests_name("rollerctl errors", tests, NULL, NULL);
}
