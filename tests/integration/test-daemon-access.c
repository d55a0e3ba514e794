/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who may read the journal, on a bus with the system bus's own rules
 * (the <policy> elements of dbus's system.conf), BlueZ's, and the
 * project's data/org.rollerd.conf: two users the test creates, one in
 * the group rollerd and one outside it, call every method of every
 * interface, Properties.Get/GetAll, GetManagedObjects and Introspect on
 * every kind of object, and listen to every signal while rollerd
 * connects, runs a live session and syncs.  The outsider gets
 * AccessDenied from the bus for everything but Peer.Ping and receives
 * no signal; the member reaches rollerd and receives what root does.
 *
 * Needs root (users, groups, setuid); skipped otherwise.  The same
 * program plays the users: run as "--as-client ADDRESS calls|listen".
 */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <gio/gio.h>
#include <glib-unix.h>

#include "tests/harness/test-daemon-util.h"

#define SYSTEM_CONF "/usr/share/dbus-1/system.conf"
#define ACCESS_DENIED "org.freedesktop.DBus.Error.AccessDenied"
#define ROLLER2 "org.rollerd.Roller2"
#define WAIT_MS 20000
#define USER_IN "rdtest-member"
#define USER_OUT "rdtest-outsider"

/* ---- the client side, run as one of the users ---------------------- */

/* No method of the API takes eight booleans: the bus decides, and a call
 * it lets through ends in rollerd's InvalidArgs, changing nothing. */
#define BOGUS_ARGS "(bbbbbbbb)"

static void
report(const char *what, const GError *error)
{
	g_autofree char *name = error ? g_dbus_error_get_remote_error(error) : NULL;

	printf("%s %s\n", what, error ? (name ? name : "local-error") : "ok");
}

static void
client_call(GDBusConnection *c, const char *path, const char *iface,
	    const char *method, GVariant *args)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;
	g_autofree char *what = g_strdup_printf("%s %s.%s", path, iface, method);

	ret = g_dbus_connection_call_sync(c, "org.rollerd", path, iface, method, args, NULL,
					  G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, &error);
	report(what, error);
}

/* argv: calls PATH:IFACE ... ; every method of IFACE (from the XML) on
 * PATH with bogus arguments, and its properties. */
static int
client_calls(GDBusConnection *c, int n, char **objects)
{
	g_autofree char *xml_path = g_build_filename(TOP_SRCDIR, "data", "org.rollerd.xml", NULL);
	g_autofree char *xml = NULL;
	g_autoptr(GDBusNodeInfo) info = NULL;

	if (!g_file_get_contents(xml_path, &xml, NULL, NULL) ||
	    !(info = g_dbus_node_info_new_for_xml(xml, NULL)))
		return 2;
	client_call(c, "/org/rollerd", "org.freedesktop.DBus.Peer", "Ping", NULL);
	client_call(c, "/org/rollerd", "org.freedesktop.DBus.ObjectManager",
		    "GetManagedObjects", NULL);
	for (int i = 0; i < n; i++) {
		g_auto(GStrv) pi = g_strsplit(objects[i], ":", 2);
		GDBusInterfaceInfo *iface = g_dbus_node_info_lookup_interface(info, pi[1]);

		if (!iface)
			return 2;
		client_call(c, pi[0], "org.freedesktop.DBus.Introspectable", "Introspect", NULL);
		client_call(c, pi[0], "org.freedesktop.DBus.Properties", "GetAll",
			    g_variant_new("(s)", pi[1]));
		for (guint p = 0; iface->properties && iface->properties[p]; p++)
			client_call(c, pi[0], "org.freedesktop.DBus.Properties", "Get",
				    g_variant_new("(ss)", pi[1], iface->properties[p]->name));
		for (guint m = 0; iface->methods && iface->methods[m]; m++)
			client_call(c, pi[0], pi[1], iface->methods[m]->name,
				    g_variant_new_parsed("(false, false, false, false, "
							 "false, false, false, false)"));
	}
	return 0;
}

static void
on_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	  const char *member, GVariant *params, gpointer user_data)
{
	printf("%s.%s\n", iface, member);
	fflush(stdout);
}

static gboolean
on_term(gpointer loop)
{
	g_main_loop_quit(loop);
	return G_SOURCE_REMOVE;
}

/* Prints each signal from under /org/rollerd until SIGTERM. */
static int
client_listen(GDBusConnection *c)
{
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);

	/* Everything rollerd sends; the bus's policy decides what arrives. */
	g_dbus_connection_signal_subscribe(c, "org.rollerd", NULL, NULL, NULL, NULL,
					   G_DBUS_SIGNAL_FLAGS_NONE, on_signal, NULL, NULL);
	g_unix_signal_add(SIGTERM, on_term, loop);
	printf("listening\n");
	fflush(stdout);
	g_main_loop_run(loop);
	return 0;
}

static int
client_main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) c = NULL;

	if (argc < 4)
		return 2;
	c = g_dbus_connection_new_for_address_sync(argv[2],
						   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
						   G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
						   NULL, NULL, &error);
	if (!c) {
		printf("connect %s\n", error->message);
		return 1;
	}
	if (g_str_equal(argv[3], "listen"))
		return client_listen(c);
	return client_calls(c, argc - 4, argv + 4);
}

/* ---- the test, as root --------------------------------------------- */

typedef struct {
	TestDaemon *td;
	char *program;		/* a copy of this program the users may run */
	gboolean created_group;
} Access;

static char *self_path;

static void
run_ok(const char *const *argv)
{
	g_autoptr(GError) error = NULL;
	int status = -1;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
			  NULL, &status, &error) ||
	    !g_spawn_check_wait_status(status, NULL))
		fail_msg("%s failed", argv[0]);
}

static void
ensure_user(const char *name, gboolean member)
{
	const char *add[] = { "useradd", "--system", "--no-create-home", "--shell",
			      "/usr/sbin/nologin", name, NULL };
	const char *join[] = { "usermod", "-aG", "rollerd", name, NULL };

	if (!getpwnam(name))
		run_ok(add);
	if (member)
		run_ok(join);
}

static void
remove_user(const char *name)
{
	const char *del[] = { "userdel", name, NULL };

	if (getpwnam(name))
		run_ok(del);
}

/* The bus: system.conf's policies, BlueZ's for the mock, ours. */
static char *
system_like_policy(void)
{
	g_autofree char *conf = NULL;
	g_autoptr(GRegex) re = g_regex_new("<policy[ >].*?</policy>", G_REGEX_DOTALL, 0, NULL);
	g_autoptr(GMatchInfo) match = NULL;
	GString *policy = g_string_new(NULL);

	if (!g_file_get_contents(SYSTEM_CONF, &conf, NULL, NULL))
		fail_msg("cannot read %s (package dbus)", SYSTEM_CONF);
	g_regex_match(re, conf, 0, &match);
	while (g_match_info_matches(match)) {
		g_autofree char *p = g_match_info_fetch(match, 0);

		g_string_append_printf(policy, "  %s\n", p);
		g_match_info_next(match, NULL);
	}
	assert_true(strstr(policy->str, "send_type=\"method_call\"") != NULL);
	g_string_append(policy,
			"  <policy user=\"root\">\n"
			"    <allow own=\"org.bluez\"/>\n"
			"    <allow send_destination=\"org.bluez\"/>\n"
			"  </policy>\n"
			"  <policy context=\"default\">\n"
			"    <allow send_destination=\"org.bluez\"/>\n"
			"  </policy>\n");
	g_string_append_printf(policy, "  <include>%s/data/org.rollerd.conf</include>\n",
			       TOP_SRCDIR);
	return g_string_free(policy, FALSE);
}

static int
setup(void **state)
{
	const char *sim_args[] = { "--stored=2", "--session-seconds=4", NULL };
	g_autofree char *policy = NULL;
	g_autoptr(GFile) from = NULL, to = NULL;
	Access *a;

	if (geteuid() != 0) {
		print_message("needs root: users and groups of its own\n");
		skip();
	}
	a = g_new0(Access, 1);
	*state = a;
	if (!getgrnam("rollerd")) {
		const char *add[] = { "groupadd", "--system", "rollerd", NULL };

		run_ok(add);
		a->created_group = TRUE;
	}
	ensure_user(USER_IN, TRUE);
	ensure_user(USER_OUT, FALSE);
	policy = system_like_policy();
	a->td = test_daemon_new_with_bus_policy(policy, sim_args);
	/* The users reach the socket and run a copy of this program there. */
	assert_int_equal(chmod(test_bus_get_dir(a->td->bus), 0755), 0);
	a->program = g_build_filename(test_bus_get_dir(a->td->bus), "access-client", NULL);
	from = g_file_new_for_path(self_path);
	to = g_file_new_for_path(a->program);
	assert_true(g_file_copy(from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
	assert_int_equal(chmod(a->program, 0755), 0);
	test_daemon_discover(a->td, 1);
	test_daemon_connect(a->td);
	/* The sync on connect has stored both sessions. */
	assert_true(test_daemon_wait_property(a->td, a->td->roller_path, ROLLER2,
					      "StoredRecords", "0", WAIT_MS));
	return 0;
}

static int
teardown(void **state)
{
	Access *a = *state;
	int ret;

	if (!a)
		return 0;
	ret = test_daemon_free(a->td);
	remove_user(USER_IN);
	remove_user(USER_OUT);
	if (a->created_group) {
		const char *del[] = { "groupdel", "rollerd", NULL };

		run_ok(del);
	}
	g_free(a->program);
	g_free(a);
	return ret;
}

typedef struct {
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	int n_groups;
} Identity;

static void
identity_of(const char *user, Identity *id)
{
	struct passwd *pw = getpwnam(user);

	assert_non_null(pw);
	id->uid = pw->pw_uid;
	id->gid = pw->pw_gid;
	id->n_groups = G_N_ELEMENTS(id->groups);
	assert_true(getgrouplist(user, pw->pw_gid, id->groups, &id->n_groups) >= 0);
}

/* Between fork and exec: only async-signal-safe calls. */
static void
become(gpointer user_data)
{
	const Identity *id = user_data;

	if (setgroups(id->n_groups, id->groups) < 0 || setgid(id->gid) < 0 ||
	    setuid(id->uid) < 0)
		_exit(126);
}

static GPid
spawn_as(Access *a, const char *user, const char *const *extra, int *out, Identity *id)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	GPid pid;

	identity_of(user, id);
	g_ptr_array_add(argv, a->program);
	g_ptr_array_add(argv, (gpointer)"--as-client");
	g_ptr_array_add(argv, (gpointer)test_bus_get_address(a->td->bus));
	for (guint i = 0; extra[i]; i++)
		g_ptr_array_add(argv, (gpointer)extra[i]);
	g_ptr_array_add(argv, NULL);
	if (!g_spawn_async_with_pipes("/", (char **)argv->pdata, NULL,
				      G_SPAWN_DO_NOT_REAP_CHILD, become, id, &pid, NULL, out,
				      NULL, &error))
		fail_msg("cannot run the client as %s: %s", user, error->message);
	return pid;
}

static char *
read_all(int fd)
{
	GString *s = g_string_new(NULL);
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		g_string_append_len(s, buf, n);
	close(fd);
	return g_string_free(s, FALSE);
}

static char *
calls_as(Access *a, const char *user, const char *const *objects)
{
	char *text;
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_auto(GStrv) args = NULL;
	Identity id;
	int out, status;
	GPid pid;

	g_strv_builder_add(b, "calls");
	g_strv_builder_addv(b, (const char **)objects);
	args = g_strv_builder_end(b);
	pid = spawn_as(a, user, (const char *const *)args, &out, &id);
	text = read_all(out);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("the client as %s failed (%d): %s", user, status, text);
	return text;
}

/* A stored session's path, and the objects to call: PATH:INTERFACE. */
static GStrv
objects_to_call(Access *a)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	const char *session;

	ret = test_daemon_call(a->td, "/org/rollerd", "org.rollerd.Manager1", "GetSession",
			       g_variant_new("(t)", (guint64)1), &error);
	if (!ret)
		fail_msg("GetSession: %s", error->message);
	g_variant_get(ret, "(&o)", &session);
	g_strv_builder_add(b, "/org/rollerd:org.rollerd.Manager1");
	g_autofree char *roller = g_strdup_printf("%s:%s", a->td->roller_path, ROLLER2);
	g_autofree char *stored = g_strdup_printf("%s:org.rollerd.Session1", session);

	g_strv_builder_add(b, roller);
	g_strv_builder_add(b, stored);
	return g_strv_builder_end(b);
}

/* How many calls the client makes on @objects: Ping, GetManagedObjects,
 * and per object Introspect, GetAll, a Get per property, each method. */
static guint
calls_expected(const char *const *objects)
{
	g_autofree char *xml_path = g_build_filename(TOP_SRCDIR, "data", "org.rollerd.xml", NULL);
	g_autofree char *xml = NULL;
	g_autoptr(GDBusNodeInfo) info = NULL;
	guint n = 2;

	assert_true(g_file_get_contents(xml_path, &xml, NULL, NULL));
	info = g_dbus_node_info_new_for_xml(xml, NULL);
	assert_non_null(info);
	for (guint i = 0; objects[i]; i++) {
		GDBusInterfaceInfo *iface =
			g_dbus_node_info_lookup_interface(info, strchr(objects[i], ':') + 1);

		n += 2;
		for (guint p = 0; iface->properties && iface->properties[p]; p++)
			n++;
		for (guint m = 0; iface->methods && iface->methods[m]; m++)
			n++;
	}
	return n;
}

/* The interface of a result line "PATH IFACE.MEMBER RESULT". */
static gboolean
is_standard_call(const char *line)
{
	const char *call = strchr(line, ' ');

	return call && g_str_has_prefix(call + 1, "org.freedesktop.DBus.");
}

static void
test_outsider_reaches_nothing_but_ping(void **state)
{
	Access *a = *state;
	g_auto(GStrv) objects = objects_to_call(a);
	g_autofree char *text = calls_as(a, USER_OUT, (const char *const *)objects);
	g_auto(GStrv) lines = g_strsplit(g_strchomp(text), "\n", -1);
	guint denied = 0;

	for (guint i = 0; lines[i]; i++) {
		if (strstr(lines[i], "Peer.Ping ")) {
			if (!g_str_has_suffix(lines[i], " ok"))
				fail_msg("Ping is public, but: %s", lines[i]);
		} else if (!g_str_has_suffix(lines[i], " " ACCESS_DENIED)) {
			fail_msg("an outsider got through: %s", lines[i]);
		} else {
			denied++;
		}
	}
	/* Every method and property of three interfaces, and the rest. */
	if (denied + 1 != calls_expected((const char *const *)objects)) {
		fputs(text, stderr);
		fail_msg("%u calls, %u expected", denied + 1,
			 calls_expected((const char *const *)objects));
	}
	assert_true(denied > 50);
}

static void
test_member_reaches_rollerd(void **state)
{
	Access *a = *state;
	g_auto(GStrv) objects = objects_to_call(a);
	g_autofree char *text = calls_as(a, USER_IN, (const char *const *)objects);
	g_auto(GStrv) lines = g_strsplit(g_strchomp(text), "\n", -1);
	guint methods = 0;

	for (guint i = 0; lines[i]; i++) {
		if (strstr(lines[i], ACCESS_DENIED))
			fail_msg("a member was refused: %s", lines[i]);
		if (is_standard_call(lines[i]) && !g_str_has_suffix(lines[i], " ok"))
			fail_msg("a member cannot read: %s", lines[i]);
		/* rollerd itself refused the bogus arguments: the call got there. */
		if (!is_standard_call(lines[i])) {
			if (!g_str_has_suffix(lines[i], " org.freedesktop.DBus.Error.InvalidArgs"))
				fail_msg("unexpected: %s", lines[i]);
			methods++;
		}
	}
	assert_int_equal(g_strv_length(lines), calls_expected((const char *const *)objects));
	assert_true(methods >= 15);
}

static GHashTable *
signal_set(const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; lines[i]; i++)
		if (*lines[i] && !g_str_equal(lines[i], "listening"))
			g_hash_table_add(set, g_strdup(lines[i]));
	return set;
}

static char *
set_text(GHashTable *set)
{
	g_autofree const char **keys = (const char **)g_hash_table_get_keys_as_array(set, NULL);

	return g_strjoinv(" ", (char **)keys);
}

static void
test_signals_only_to_members(void **state)
{
	Access *a = *state;
	const char *listen[] = { "listen", NULL };
	const char *root_listen[] = { self_path, "--as-client",
				      test_bus_get_address(a->td->bus), "listen", NULL };
	const char *expected[] = { "org.rollerd.Roller2.LiveUpdate", "org.rollerd.Roller2.Stroke",
				   "org.rollerd.Roller2.SyncFinished",
				   "org.freedesktop.DBus.Properties.PropertiesChanged",
				   "org.freedesktop.DBus.ObjectManager.InterfacesAdded",
				   "org.freedesktop.DBus.ObjectManager.InterfacesRemoved", NULL };
	Identity in_id, out_id;
	int in_fd, out_fd, root_fd, status;
	GPid in_pid, out_pid, root_pid;
	g_autofree char *in_text = NULL, *out_text = NULL, *root_text = NULL;
	g_autoptr(GHashTable) in_set = NULL, out_set = NULL, root_set = NULL;
	g_autofree char *in_list = NULL, *root_list = NULL;
	TestRollerSignals s = { 0 };
	guint sub;
	char first[16];

	in_pid = spawn_as(a, USER_IN, listen, &in_fd, &in_id);
	out_pid = spawn_as(a, USER_OUT, listen, &out_fd, &out_id);
	if (!g_spawn_async_with_pipes(NULL, (char **)root_listen, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
				      NULL, NULL, &root_pid, NULL, &root_fd, NULL, NULL))
		fail_msg("cannot start root's listener");
	/* Each has subscribed once it says so. */
	assert_int_equal(read(in_fd, first, 10), 10);
	assert_int_equal(read(out_fd, first, 10), 10);
	assert_int_equal(read(root_fd, first, 10), 10);

	sub = test_daemon_subscribe(a->td, &s);
	test_daemon_roll_session(a->td, "abdomen", WAIT_MS);
	test_daemon_sync_and_wait(a->td, &s, WAIT_MS);
	test_daemon_unsubscribe(a->td, sub);
	test_bus_run_for(500);

	kill(in_pid, SIGTERM);
	kill(out_pid, SIGTERM);
	kill(root_pid, SIGTERM);
	in_text = read_all(in_fd);
	out_text = read_all(out_fd);
	root_text = read_all(root_fd);
	waitpid(in_pid, &status, 0);
	waitpid(out_pid, &status, 0);
	waitpid(root_pid, &status, 0);

	in_set = signal_set(in_text);
	out_set = signal_set(out_text);
	root_set = signal_set(root_text);
	in_list = set_text(in_set);
	root_list = set_text(root_set);
	for (guint i = 0; expected[i]; i++)
		if (!g_hash_table_contains(root_set, expected[i]))
			fail_msg("the scenario sent no %s (root saw: %s)", expected[i], root_list);
	if (g_hash_table_size(out_set) != 0)
		fail_msg("an outsider received rollerd's signals: %s", out_text);
	if (g_hash_table_size(in_set) != g_hash_table_size(root_set))
		fail_msg("a member received %s, root %s", in_list, root_list);
	for (guint i = 0; expected[i]; i++)
		if (!g_hash_table_contains(in_set, expected[i]))
			fail_msg("a member missed %s (got %s)", expected[i], in_list);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_outsider_reaches_nothing_but_ping, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_member_reaches_rollerd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signals_only_to_members, setup, teardown),
	};

	if (argc > 1 && g_str_equal(argv[1], "--as-client"))
		return client_main(argc, argv);
	self_path = g_canonicalize_filename(argv[0], NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
