/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl on a terminal: the monitor under tmux following a resize.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test-daemon-util.h"

typedef struct {
	TestDaemon *td;
	char *tmux_socket;	/* a tmux server of the test's own, when started */
} Fixture;

static int
teardown(void **state)
{
	Fixture *fx = *state;
	int ret;

	if (!fx)
		return 0;
	if (fx->tmux_socket) {
		const char *argv[] = { "tmux", "-S", fx->tmux_socket, "kill-server", NULL };

		g_spawn_sync(NULL, (char **)argv, NULL,
			     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
			     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, NULL, NULL);
		g_free(fx->tmux_socket);
	}
	ret = fx->td ? test_daemon_free(fx->td) : 0;
	g_free(fx);
	return ret;
}

static char *
rollerctl_path(void)
{
	const char *builddir = g_getenv("ROLLER_BUILDDIR");

	return g_build_filename(builddir ? builddir : ".", "client", "rollerctl", NULL);
}

/* tmux -S <the test's socket> ARGS...; its output, asserting it succeeded. */
static char *
tmux(Fixture *fx, ...)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_auto(GStrv) env = g_environ_unsetenv(g_get_environ(), "TMUX");
	g_autoptr(GError) error = NULL;
	g_autofree char *err = NULL;
	char *out = NULL;
	const char *arg;
	va_list ap;
	int status;

	g_ptr_array_add(argv, (gpointer)"tmux");
	g_ptr_array_add(argv, (gpointer)"-S");
	g_ptr_array_add(argv, fx->tmux_socket);
	g_ptr_array_add(argv, (gpointer)"-f");	/* no user's configuration */
	g_ptr_array_add(argv, (gpointer)"/dev/null");
	va_start(ap, fx);
	while ((arg = va_arg(ap, const char *)))
		g_ptr_array_add(argv, (gpointer)arg);
	va_end(ap);
	g_ptr_array_add(argv, NULL);
	if (!g_spawn_sync(NULL, (char **)argv->pdata, env, G_SPAWN_SEARCH_PATH, NULL, NULL,
			  &out, &err, &status, &error))
		fail_msg("cannot run tmux: %s", error->message);
	if (!g_spawn_check_wait_status(status, NULL))
		fail_msg("tmux %s: %s", (char *)argv->pdata[5], err);
	return out;
}

/*
 * Waits until the monitor's title bar is @width columns wide, "q quits"
 * at its right edge: drawn for that width.
 */
static void
wait_title_width(Fixture *fx, int width)
{
	gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	g_autofree char *screen = NULL;

	while (g_get_monotonic_time() < deadline) {
		g_autofree char *title = NULL;
		char *nl;

		g_free(screen);
		screen = tmux(fx, "capture-pane", "-p", "-t", "mon", NULL);
		nl = strchr(screen, '\n');
		title = g_strndup(screen, nl ? (gsize)(nl - screen) : strlen(screen));
		if (g_str_has_prefix(title, "rollerctl monitor") &&
		    g_str_has_suffix(title, "q quits") && strlen(title) == (gsize)width)
			return;
		g_usleep(50 * 1000);
	}
	fail_msg("the monitor was not drawn %d columns wide:\n%s", width, screen);
}

static void
test_monitor_follows_resize(void **state)
{
	Fixture *fx = *state = g_new0(Fixture, 1);
	g_autofree char *tmux_path = g_find_program_in_path("tmux");
	g_autofree char *rollerctl = NULL, *status_path = NULL, *command = NULL;
	g_autofree char *q_rollerctl = NULL, *q_status = NULL, *text = NULL;
	gint64 deadline;

	if (!tmux_path) {
		print_message("tmux is not installed (build-aux/debian-packages)\n");
		skip();
	}
	fx->td = test_daemon_new(NULL);
	test_daemon_discover(fx->td, 1);
	fx->tmux_socket = g_build_filename(test_bus_get_dir(fx->td->bus), "tmux.socket", NULL);
	status_path = g_build_filename(test_bus_get_dir(fx->td->bus), "monitor.status", NULL);
	rollerctl = rollerctl_path();
	q_rollerctl = g_shell_quote(rollerctl);
	q_status = g_shell_quote(status_path);
	command = g_strdup_printf("%s --session monitor; echo $? > %s", q_rollerctl, q_status);
	/* sh, not the user's $SHELL, reports the exit status. */
	g_free(tmux(fx, "new-session", "-d", "-s", "mon", "-x", "80", "-y", "24",
		    "sh", "-c", command, NULL));
	wait_title_width(fx, 80);

	/* No key is pressed: SIGWINCH alone has it redrawn. */
	g_free(tmux(fx, "resize-window", "-t", "mon", "-x", "120", "-y", "30", NULL));
	wait_title_width(fx, 120);
	g_free(tmux(fx, "resize-window", "-t", "mon", "-x", "60", "-y", "20", NULL));
	wait_title_width(fx, 60);

	g_free(tmux(fx, "send-keys", "-t", "mon", "q", NULL));
	deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (!g_file_get_contents(status_path, &text, NULL, NULL) || !strchr(text, '\n')) {
		g_clear_pointer(&text, g_free);
		if (g_get_monotonic_time() > deadline)
			fail_msg("rollerctl monitor did not exit on q");
		g_usleep(50 * 1000);
	}
	assert_string_equal(text, "0\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_monitor_follows_resize, teardown),
	};

	return cmocka_run_group_tests_name("rollerctl-tty", tests, NULL, NULL);
}
