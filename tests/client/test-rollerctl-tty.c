/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl on a terminal: the monitor under tmux following a resize
 * and drawing a session, and NO_COLOR on a pseudo-terminal of the test's own.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "tests/harness/test-daemon-util.h"

#define ROLLER2 "org.rollerd.Roller2"

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

/* What a UTF-8 terminal would have: block graphics are allowed but for NO_COLOR. */
static char **
terminal_environ(const char *no_color)
{
	char **env = g_get_environ();

	env = g_environ_setenv(env, "LC_ALL", "C.UTF-8", TRUE);
	env = g_environ_setenv(env, "TERM", "xterm-256color", TRUE);
	if (no_color)
		env = g_environ_setenv(env, "NO_COLOR", no_color, TRUE);
	else
		env = g_environ_unsetenv(env, "NO_COLOR");
	return env;
}

/*
 * rollerctl --session ARGS... with a pseudo-terminal as its stdin, stdout
 * and stderr; returns all it wrote there, once it exited with status 0.
 */
static char *
rollerctl_on_pty(const char *no_color, ...)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) env = terminal_environ(no_color);
	struct winsize ws = { .ws_row = 40, .ws_col = 100 };
	gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
	const char *arg;
	va_list ap;
	GPid pid;
	int master, slave, status = -1;
	gboolean eof = FALSE;

	g_ptr_array_add(argv, rollerctl_path());
	g_ptr_array_add(argv, g_strdup("--session"));
	va_start(ap, no_color);
	while ((arg = va_arg(ap, const char *)))
		g_ptr_array_add(argv, g_strdup(arg));
	va_end(ap);
	g_ptr_array_add(argv, NULL);

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	assert_int_equal(ioctl(master, TIOCSWINSZ, &ws), 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(slave >= 0);
	if (!g_spawn_async_with_fds(NULL, (char **)argv->pdata, env, G_SPAWN_DO_NOT_REAP_CHILD,
				    NULL, NULL, &pid, slave, slave, slave, &error))
		fail_msg("cannot run rollerctl: %s", error->message);
	close(slave);	/* reads end in EIO once rollerctl is gone */

	/* Read as it writes (it would block on a full terminal), to the end. */
	while (!eof && g_get_monotonic_time() < deadline) {
		struct pollfd pfd = { .fd = master, .events = POLLIN };
		char buf[4096];
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((n = read(master, buf, sizeof(buf))) > 0)
			g_string_append_len(out, buf, n);
		else
			eof = TRUE;	/* EIO: the terminal's last user closed it */
	}
	close(master);
	if (!eof) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("rollerctl did not finish on the terminal; it wrote: %s", out->str);
	}
	waitpid(pid, &status, 0);
	g_spawn_close_pid(pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("rollerctl failed on the terminal: %s", out->str);
	return g_string_free(g_steal_pointer(&out), FALSE);
}

/* An escape sequence (colour, bold) or a block graphic (U+2580..U+25BF). */
static void
assert_plain(const char *what, const char *text)
{
	if (strchr(text, '\033'))
		fail_msg("%s: an escape sequence despite NO_COLOR: %s", what, text);
	if (strstr(text, "\xe2\x96"))
		fail_msg("%s: block graphics despite NO_COLOR: %s", what, text);
}

static void
test_no_color_on_a_terminal(void **state)
{
	const char *sim_args[] = { "--stored=3", NULL };
	Fixture *fx = *state = g_new0(Fixture, 1);
	g_autofree char *conf = NULL, *conf_arg = NULL, *out = NULL, *id_text = NULL;
	g_autoptr(GVariant) rows = NULL, row = NULL;
	guint64 id = 0;

	fx->td = test_daemon_new(sim_args);
	/* No sync on connect: the sync below is the one that draws progress. */
	conf = g_build_filename(test_bus_get_dir(fx->td->bus), "rollerd.conf", NULL);
	assert_true(g_file_set_contents(conf, "[Daemon]\nSyncOnConnect=false\n", -1, NULL));
	conf_arg = g_strdup_printf("--config=%s", conf);
	test_daemon_start_rollerd(fx->td, (const char *const[]){ conf_arg, NULL });
	test_daemon_discover(fx->td, 1);
	test_daemon_connect(fx->td);
	assert_true(test_daemon_wait_property(fx->td, fx->td->roller_path, ROLLER2,
					      "StoredRecords", "3", 10000));

	out = rollerctl_on_pty("1", "sync", NULL);
	assert_non_null(strstr(out, "Syncing ["));
	assert_non_null(strstr(out, "3 new session(s)"));
	assert_plain("sync", out);

	rows = test_daemon_query(fx->td, "{}");
	assert_int_equal(g_variant_n_children(rows), 3);
	row = g_variant_get_child_value(rows, 0);
	assert_true(g_variant_lookup(row, "id", "t", &id));
	id_text = g_strdup_printf("%" G_GUINT64_FORMAT, id);
	g_clear_pointer(&out, g_free);
	out = rollerctl_on_pty("1", "show", id_text, NULL);
	assert_non_null(strstr(out, "Coverage"));
	assert_non_null(strstr(out, "Force over time"));
	assert_plain("show", out);

	/* The same terminal draws blocks without it (an empty NO_COLOR is not set). */
	g_clear_pointer(&out, g_free);
	out = rollerctl_on_pty("", "show", id_text, NULL);
	assert_non_null(strstr(out, "█"));
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

/* The monitor's screen until @text is on it; the screen. */
static char *
wait_screen(Fixture *fx, const char *text, guint timeout_s)
{
	gint64 deadline = g_get_monotonic_time() + timeout_s * G_USEC_PER_SEC;
	char *screen = NULL;

	while (g_get_monotonic_time() < deadline) {
		g_free(screen);
		screen = tmux(fx, "capture-pane", "-p", "-t", "mon", NULL);
		if (strstr(screen, text))
			return screen;
		g_usleep(100 * 1000);
	}
	fail_msg("'%s' did not come on the monitor's screen:\n%s", text, screen);
	return NULL;
}

static const char *const alert_kinds[] = {
	"force-low", "force-high", "overforce", "too-fast", "cell-overworked",
	"direction-neglected", "coverage-incomplete", "battery-low", "head-worn", NULL
};

/* "  KIND: ..." starts an alert's block; its other lines are indented further. */
static gboolean
alert_block_line(const char *line)
{
	if (g_str_has_prefix(line, "    ") && line[4] && line[4] != ' ')
		return TRUE;
	for (guint i = 0; alert_kinds[i]; i++) {
		g_autofree char *start = g_strdup_printf("  %s: ", alert_kinds[i]);

		if (g_str_has_prefix(line, start))
			return TRUE;
	}
	return FALSE;
}

/*
 * A whole session on screen: the contact force, the force curve from
 * every sample, alerts one block each, the stored id at the end.
 */
static void
test_monitor_draws_a_session(void **state)
{
	const char *sim_args[] = { "--speed=10", "--session-seconds=20", NULL };
	Fixture *fx = *state = g_new0(Fixture, 1);
	g_autofree char *tmux_path = g_find_program_in_path("tmux");
	g_autofree char *rollerctl = NULL, *command = NULL, *screen = NULL, *stored = NULL;
	g_autoptr(GVariant) rows = NULL, row = NULL;
	g_auto(GStrv) lines = NULL;
	guint i, bars = 0, alerts = 0;
	guint64 id = 0;

	if (!tmux_path) {
		print_message("tmux is not installed (build-aux/debian-packages)\n");
		skip();
	}
	fx->td = test_daemon_new(sim_args);
	test_daemon_discover(fx->td, 1);
	test_daemon_connect(fx->td);
	fx->tmux_socket = g_build_filename(test_bus_get_dir(fx->td->bus), "tmux.socket", NULL);
	rollerctl = rollerctl_path();
	command = g_strdup_printf("%s --session monitor", rollerctl);
	g_free(tmux(fx, "new-session", "-d", "-s", "mon", "-x", "80", "-y", "40",
		    "sh", "-c", command, NULL));
	wait_title_width(fx, 80);
	test_daemon_call_ok(fx->td, fx->td->roller_path, ROLLER2, "StartSession",
			    g_variant_new("(s)", "face"));
	screen = wait_screen(fx, "Session ended; stored as", 40);

	g_free(tmux(fx, "send-keys", "-t", "mon", "q", NULL));
	rows = test_daemon_query(fx->td, "{'limit': <uint32 1>}");
	row = g_variant_get_child_value(rows, 0);
	assert_true(g_variant_lookup(row, "id", "t", &id));
	stored = g_strdup_printf("Session ended; stored as %" G_GUINT64_FORMAT, id);
	if (!strstr(screen, stored))
		fail_msg("no '%s' on the screen:\n%s", stored, screen);
	assert_non_null(strstr(screen, "\nContact "));
	lines = g_strsplit(screen, "\n", -1);
	for (i = 0; lines[i] && !g_str_has_prefix(lines[i], "Force, the last"); i++)
		;
	assert_non_null(lines[i]);
	/* The curve's rows: the axis, then the columns. */
	for (guint r = i + 1; r <= i + 5 && lines[r]; r++)
		bars += strlen(lines[r]) > 6 && strspn(lines[r] + 6, " ") < strlen(lines[r] + 6);
	if (!bars)
		fail_msg("no force curve on the screen:\n%s", screen);
	for (; lines[i] && !g_str_has_prefix(lines[i], "Alerts:"); i++)
		;
	assert_non_null(lines[i]);
	for (i++; lines[i] && *lines[i]; i++, alerts++) {
		if (!alert_block_line(lines[i]))
			fail_msg("an alert runs into another: '%s' in\n%s", lines[i], screen);
	}
	print_message("%u alert line(s) on the screen\n", alerts);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_monitor_follows_resize, teardown),
		cmocka_unit_test_teardown(test_monitor_draws_a_session, teardown),
		cmocka_unit_test_teardown(test_no_color_on_a_terminal, teardown),
	};

	return cmocka_run_group_tests_name("rollerctl-tty", tests, NULL, NULL);
}
