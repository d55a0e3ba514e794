/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "common/rd-area.h"
#include "test-daemon-util.h"

#define START_TIMEOUT_MS 10000
/* Debian's python3, the one python3-dbusmock is for, not the first in PATH. */
#define PYTHON "/usr/bin/python3"
#define ROLLER2 "org.rollerd.Roller2"

static TestDaemon *
test_daemon_new_on(TestBus *bus, const char *peripheral_adapter,
		   const char *const *sim_args)
{
	TestDaemon *td = g_new0(TestDaemon, 1);

	td->bus = bus;
	td->peripheral_adapter = g_strdup(peripheral_adapter);
	td->conn = test_bus_get_connection(td->bus);
	td->state_dir = g_build_filename(test_bus_get_dir(td->bus), "rollerd", NULL);
	td->sim_state_dir = g_build_filename(test_bus_get_dir(td->bus), "sim", NULL);
	td->truth_dir = g_build_filename(test_bus_get_dir(td->bus), "truth", NULL);
	test_daemon_start_sim(td, sim_args);
	return td;
}

TestDaemon *
test_daemon_new(const char *const *sim_args)
{
	return test_daemon_new_on(test_bus_new(), NULL, sim_args);
}

TestDaemon *
test_daemon_new_with_bus_policy(const char *policy, const char *const *sim_args)
{
	return test_daemon_new_on(test_bus_new_with_policy(policy), NULL, sim_args);
}

gboolean
test_daemon_start_polkit_mock(TestDaemon *td)
{
	const char *check[] = { PYTHON, "-c", "import dbusmock.templates.polkitd", NULL };
	const char *polkitd[] = { PYTHON, "-m", "dbusmock", "--session", "--template",
				  "polkitd", NULL };
	int status = -1;

	if (!g_spawn_sync(NULL, (char **)check, NULL,
			  G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
			  NULL, NULL, NULL, NULL, &status, NULL) ||
	    !g_spawn_check_wait_status(status, NULL))
		return FALSE;
	test_bus_spawn(td->bus, "polkitd", polkitd);
	if (!test_bus_wait_for_name(td->bus, "org.freedesktop.PolicyKit1", 20000)) {
		test_bus_dump_log(td->bus, "polkitd");
		fail_msg("the polkitd mock did not take org.freedesktop.PolicyKit1");
	}
	return TRUE;
}

TestDaemon *
test_daemon_new_real_bluez(const char *adapter, const char *const *sim_args)
{
	return test_daemon_new_on(test_bus_new_system(), adapter, sim_args);
}

int
test_daemon_free(TestDaemon *td)
{
	int ret = 0;

	if (!td)
		return 0;
	/* rollerd ends with 0 on SIGTERM, also under $ROLLERD_WRAPPER. */
	if (td->rollerd && !test_bus_stop_ok(td->bus, td->rollerd))
		ret = -1;
	{
		/* A g_critical() in rollerd is a bug even when the test passed. */
		g_autofree char *log_path = g_build_filename(test_bus_get_dir(td->bus),
							     "rollerd.log", NULL);
		g_autofree char *log = NULL;

		if (td->rollerd && g_file_get_contents(log_path, &log, NULL, NULL) &&
		    strstr(log, "-CRITICAL **")) {
			test_bus_dump_log(td->bus, "rollerd");
			fprintf(stderr, "rollerd logged a critical warning\n");
			ret = -1;
		}
	}
	/* Signals already received would still be dispatched, into a stack
	 * frame that is gone. */
	for (guint i = 0; td->subscriptions && i < td->subscriptions->len; i++)
		g_dbus_connection_signal_unsubscribe(td->conn,
						     g_array_index(td->subscriptions, guint, i));
	g_clear_pointer(&td->subscriptions, g_array_unref);
	test_bus_free(td->bus);
	g_free(td->state_dir);
	g_free(td->sim_state_dir);
	g_free(td->truth_dir);
	g_free(td->roller_path);
	g_free(td->peripheral_adapter);
	g_free(td);
	return ret;
}

/* Properties.Get of @dest's @path; NULL with @error on failure. */
static GVariant *
get_property(TestDaemon *td, const char *dest, const char *path, const char *iface,
	     const char *name, GError **error)
{
	g_autoptr(GVariant) ret =
		g_dbus_connection_call_sync(td->conn, dest, path,
					    "org.freedesktop.DBus.Properties", "Get",
					    g_variant_new("(ss)", iface, name),
					    G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE,
					    10000, NULL, error);
	GVariant *value = NULL;

	if (ret)
		g_variant_get(ret, "(v)", &value);
	return value;
}

typedef struct {
	TestDaemon *td;
	guint32 want;
} AdvertisingWait;

/* The real bluetoothd's count of the peripheral adapter's advertisements. */
static gboolean
advertisements_are(gpointer user_data)
{
	AdvertisingWait *w = user_data;
	g_autofree char *path = g_strconcat("/org/bluez/", w->td->peripheral_adapter, NULL);
	g_autoptr(GVariant) value = get_property(w->td, "org.bluez", path,
						 "org.bluez.LEAdvertisingManager1",
						 "ActiveInstances", NULL);

	if (!value)
		return FALSE;
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_BYTE) &&
	    g_variant_get_byte(value) == w->want)
		return TRUE;
	g_usleep(20000);
	return FALSE;
}

void
test_daemon_start_sim(TestDaemon *td, const char *const *sim_args)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	AdvertisingWait gone = { td, 0 }, advertising = { td, 1 };

	if (td->sim) {
		test_bus_stop(td->bus, td->sim);
		if (td->peripheral_adapter)
			assert_true(test_bus_wait_until(advertisements_are, &gone,
							START_TIMEOUT_MS));
		else
			assert_true(test_bus_wait_for_name_gone(td->bus, "org.bluez",
								START_TIMEOUT_MS));
	}
	g_ptr_array_add(argv, g_strdup("@builddir@/sim/roller-sim"));
	if (td->peripheral_adapter) {
		g_ptr_array_add(argv, g_strdup("--peripheral"));
		g_ptr_array_add(argv, g_strdup_printf("--adapter=%s", td->peripheral_adapter));
	} else {
		g_ptr_array_add(argv, g_strdup("--mock-bluez"));
		g_ptr_array_add(argv, g_strdup_printf("--bus=%s", test_bus_get_address(td->bus)));
	}
	g_ptr_array_add(argv, g_strdup_printf("--state-dir=%s", td->sim_state_dir));
	g_ptr_array_add(argv, g_strdup_printf("--ground-truth=%s", td->truth_dir));
	g_ptr_array_add(argv, g_strdup("--verbose"));
	for (gsize i = 0; sim_args && sim_args[i]; i++)
		g_ptr_array_add(argv, g_strdup(sim_args[i]));
	g_ptr_array_add(argv, NULL);
	td->sim = test_bus_spawn(td->bus, "roller-sim", (const char *const *)argv->pdata);
	if (td->peripheral_adapter) {
		if (!test_bus_wait_until(advertisements_are, &advertising, START_TIMEOUT_MS)) {
			test_bus_dump_log(td->bus, "roller-sim");
			fail_msg("roller-sim did not advertise on %s", td->peripheral_adapter);
		}
	} else if (!test_bus_wait_for_name(td->bus, "org.bluez", START_TIMEOUT_MS)) {
		test_bus_dump_log(td->bus, "roller-sim");
		fail_msg("roller-sim did not take org.bluez");
	}
}

void
test_daemon_start_rollerd(TestDaemon *td, const char *const *extra)
{
	test_daemon_start_rollerd_wrapped(td, NULL, extra);
}

/* rollerd as test_daemon_start_rollerd_wrapped() runs it; returns its pid. */
static GPid
spawn_rollerd(TestDaemon *td, const char *const *wrapper, const char *const *extra)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);

	if (td->rollerd) {
		test_bus_stop(td->bus, td->rollerd);
		assert_true(test_bus_wait_for_name_gone(td->bus, "org.rollerd", START_TIMEOUT_MS));
	}
	for (gsize i = 0; wrapper && wrapper[i]; i++)
		g_ptr_array_add(argv, g_strdup(wrapper[i]));
	g_ptr_array_add(argv, g_strdup("@builddir@/daemon/rollerd"));
	if (!td->peripheral_adapter) {
		g_ptr_array_add(argv, g_strdup("--session"));
		g_ptr_array_add(argv, g_strdup("--bluez-bus=session"));
	}
	g_ptr_array_add(argv, g_strdup_printf("--state-dir=%s", td->state_dir));
	g_ptr_array_add(argv, g_strdup("--verbose"));
	for (gsize i = 0; extra && extra[i]; i++)
		g_ptr_array_add(argv, g_strdup(extra[i]));
	g_ptr_array_add(argv, NULL);
	/* ROLLERD_WRAPPER="valgrind ..." runs rollerd under a tool; its exit
	 * status is then checked by test_daemon_free(). */
	return test_bus_spawn_wrapped(td->bus, "rollerd", "ROLLERD_WRAPPER",
				      (const char *const *)argv->pdata);
}

void
test_daemon_start_rollerd_wrapped(TestDaemon *td, const char *const *wrapper,
				  const char *const *extra)
{
	td->rollerd = spawn_rollerd(td, wrapper, extra);
	if (!test_bus_wait_for_name(td->bus, "org.rollerd", START_TIMEOUT_MS)) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("rollerd did not take org.rollerd");
	}
}

int
test_daemon_run_rollerd_to_exit(TestDaemon *td)
{
	GPid pid = spawn_rollerd(td, NULL, NULL);
	int status;

	td->rollerd = 0;
	status = test_bus_wait_exit(td->bus, pid, START_TIMEOUT_MS);
	if (status == -1) {
		test_bus_stop(td->bus, pid);
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("rollerd kept running");
	}
	return status;
}

GVariant *
test_daemon_call(TestDaemon *td, const char *path, const char *iface,
		 const char *method, GVariant *args, GError **error)
{
	return g_dbus_connection_call_sync(td->conn, "org.rollerd", path, iface, method,
					   args, NULL, G_DBUS_CALL_FLAGS_NONE, 60000,
					   NULL, error);
}

GVariant *
test_daemon_sim_call(TestDaemon *td, const char *method, GVariant *args, GError **error)
{
	return g_dbus_connection_call_sync(td->conn, "org.bluez", "/org/rollerd/sim",
					   "org.rollerd.Sim1", method, args, NULL,
					   G_DBUS_CALL_FLAGS_NONE, 10000, NULL, error);
}

GVariant *
test_daemon_get(TestDaemon *td, const char *path, const char *iface, const char *name)
{
	g_autoptr(GError) error = NULL;
	GVariant *value = get_property(td, "org.rollerd", path, iface, name, &error);

	if (!value)
		fail_msg("Get %s.%s on %s: %s", iface, name, path, error->message);
	return value;
}

typedef struct {
	TestDaemon *td;
	const char *path, *iface, *name, *expect;
	char *last;
} PropertyWait;

static gboolean
property_is(gpointer user_data)
{
	PropertyWait *w = user_data;
	g_autoptr(GVariant) value = get_property(w->td, "org.rollerd", w->path, w->iface,
						 w->name, NULL);

	if (!value)
		return FALSE;
	g_free(w->last);
	w->last = g_variant_print(value, FALSE);
	if (g_str_equal(w->last, w->expect))
		return TRUE;
	g_usleep(20000);
	return FALSE;
}

gboolean
test_daemon_wait_property(TestDaemon *td, const char *path, const char *iface,
			  const char *name, const char *expect, guint timeout_ms)
{
	PropertyWait w = { td, path, iface, name, expect, NULL };
	gboolean ok = test_bus_wait_until(property_is, &w, timeout_ms);

	if (!ok)
		fprintf(stderr, "%s.%s is %s, not %s\n", iface, name,
			w.last ? w.last : "(unreadable)", expect);
	g_free(w.last);
	return ok;
}

static guint
count_rollers(TestDaemon *td, char **first)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_call(td, "/org/rollerd",
						   "org.freedesktop.DBus.ObjectManager",
						   "GetManagedObjects", NULL, &error);
	g_autoptr(GVariantIter) iter = NULL;
	const char *path;
	guint n = 0;

	if (!ret)
		return 0;
	g_variant_get(ret, "(a{oa{sa{sv}}})", &iter);
	while (g_variant_iter_loop(iter, "{&o@a{sa{sv}}}", &path, NULL)) {
		if (!g_str_has_prefix(path, "/org/rollerd/roller/") || strstr(path, "/live"))
			continue;
		if (first && (!*first || strcmp(path, *first) < 0)) {
			g_free(*first);
			*first = g_strdup(path);
		}
		n++;
	}
	return n;
}

typedef struct {
	TestDaemon *td;
	guint count;
} RollerWait;

static gboolean
enough_rollers(gpointer user_data)
{
	RollerWait *w = user_data;

	if (count_rollers(w->td, NULL) >= w->count)
		return TRUE;
	g_usleep(20000);
	return FALSE;
}

static void
call_discovery(TestDaemon *td, const char *method)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;

	/* rollerd may not have seen bluetoothd's adapter yet. */
	for (int tries = 0; tries < 100; tries++) {
		g_clear_error(&error);
		g_clear_pointer(&ret, g_variant_unref);
		ret = test_daemon_call(td, "/org/rollerd", "org.rollerd.Manager1", method,
				       NULL, &error);
		if (ret || !g_dbus_error_is_remote_error(error) ||
		    !strstr(error->message, "org.rollerd.Error.NotFound"))
			break;
		test_bus_run_for(50);
	}
	if (!ret)
		fail_msg("%s: %s", method, error->message);
}

const char *
test_daemon_discover(TestDaemon *td, guint count)
{
	RollerWait w = { td, count };
	/*
	 * The real kernel with btvirt reports an advertiser once per scan, and
	 * drops that report when it comes before the discovery has fully
	 * started: a scan that found nothing in 5 s is started again.
	 */
	guint rounds = td->peripheral_adapter ? 4 : 1;
	guint round_ms = td->peripheral_adapter ? 5000 : START_TIMEOUT_MS;
	gboolean found = FALSE;

	if (!td->rollerd)
		test_daemon_start_rollerd(td, NULL);
	for (guint i = 0; i < rounds && !found; i++) {
		call_discovery(td, "StartDiscovery");
		found = test_bus_wait_until(enough_rollers, &w, round_ms);
		call_discovery(td, "StopDiscovery");
	}
	if (!found) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("fewer than %u rollers were found", count);
	}
	g_clear_pointer(&td->roller_path, g_free);
	count_rollers(td, &td->roller_path);
	return td->roller_path;
}

void
test_daemon_connect(TestDaemon *td)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_call(td, td->roller_path, "org.rollerd.Roller2",
						   "Connect", NULL, &error);

	if (!ret) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("Connect: %s", error->message);
	}
}

void
test_daemon_call_ok(TestDaemon *td, const char *path, const char *iface,
		    const char *method, GVariant *args)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_call(td, path, iface, method, args, &error);

	if (!ret) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("%s: %s", method, error->message);
	}
}

static void
on_roller_signal(GDBusConnection *conn, const char *sender, const char *path,
		 const char *iface, const char *name, GVariant *params, gpointer user_data)
{
	TestRollerSignals *s = user_data;

	if (g_str_equal(name, "LiveUpdate")) {
		g_autoptr(GVariant) lost = g_variant_get_child_value(params, 10);

		s->frames_lost = g_variant_get_uint32(lost);
		s->live_updates++;
	} else if (g_str_equal(name, "Stroke")) {
		s->strokes++;
	} else if (g_str_equal(name, "Alert")) {
		s->alerts++;
	} else if (g_str_equal(name, "SyncFinished")) {
		g_variant_get(params, "(u&s)", &s->last_stored, NULL);
		s->sync_finished++;
	}
}

guint
test_daemon_subscribe(TestDaemon *td, TestRollerSignals *s)
{
	guint id = g_dbus_connection_signal_subscribe(td->conn, "org.rollerd", ROLLER2, NULL,
						      td->roller_path, NULL,
						      G_DBUS_SIGNAL_FLAGS_NONE, on_roller_signal,
						      s, NULL);

	/* rollerd sends LiveUpdate and Stroke only while someone watches. */
	assert_non_null(td->roller_path);
	test_daemon_call_ok(td, td->roller_path, ROLLER2, "WatchLive", NULL);

	if (!td->subscriptions)
		td->subscriptions = g_array_new(FALSE, FALSE, sizeof(guint));
	g_array_append_val(td->subscriptions, id);
	return id;
}

void
test_daemon_unsubscribe(TestDaemon *td, guint id)
{
	for (guint i = 0; td->subscriptions && i < td->subscriptions->len; i++) {
		if (g_array_index(td->subscriptions, guint, i) == id) {
			g_array_remove_index_fast(td->subscriptions, i);
			g_dbus_connection_signal_unsubscribe(td->conn, id);
			return;
		}
	}
}

static gboolean
sync_done(gpointer user_data)
{
	TestRollerSignals *s = user_data;

	return s->sync_finished > 0;
}

void
test_daemon_sync_and_wait(TestDaemon *td, TestRollerSignals *s, guint timeout_ms)
{
	/* An earlier sync's signal, still queued, is not this one's. */
	while (g_main_context_iteration(NULL, FALSE))
		;
	s->sync_finished = 0;
	test_daemon_call_ok(td, td->roller_path, ROLLER2, "Sync", NULL);
	if (!test_bus_wait_until(sync_done, s, timeout_ms)) {
		test_bus_dump_log(td->bus, "rollerd");
		fail_msg("no SyncFinished within %u ms", timeout_ms);
	}
}

void
test_daemon_roll_session(TestDaemon *td, const char *area, guint timeout_ms)
{
	g_autofree char *live = g_strdup_printf("'%s/live'", td->roller_path);

	test_daemon_call_ok(td, td->roller_path, ROLLER2, "StartSession",
			    g_variant_new("(s)", area));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Session",
					      live, timeout_ms));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Session",
					      "'/'", timeout_ms));
}

GVariant *
test_daemon_query(TestDaemon *td, const char *filter_text)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) filter = g_variant_parse(G_VARIANT_TYPE_VARDICT, filter_text,
						     NULL, NULL, &error);
	g_autoptr(GVariant) ret = NULL;
	GVariant *rows;

	if (!filter)
		fail_msg("bad filter %s: %s", filter_text, error->message);
	ret = test_daemon_call(td, "/org/rollerd", "org.rollerd.Manager1", "QuerySessions",
			       g_variant_new_tuple(&filter, 1), &error);
	if (!ret)
		fail_msg("QuerySessions: %s", error->message);
	g_variant_get(ret, "(@aa{sv})", &rows);
	return rows;
}

/* "record id=.. start=.. duration=.. area=.. end=.. ..." without start and end. */
static char *
normalize_record_line(const char *line, const char *coverage)
{
	g_auto(GStrv) fields = g_strsplit(line + strlen("record "), " ", -1);
	GString *out = g_string_new(NULL);

	for (gsize i = 0; fields[i]; i++) {
		if (g_str_has_prefix(fields[i], "start=") || g_str_has_prefix(fields[i], "end="))
			continue;
		if (out->len)
			g_string_append_c(out, ' ');
		g_string_append(out, fields[i]);
	}
	g_string_append_printf(out, " | %s", coverage);
	return g_string_free(out, FALSE);
}

GPtrArray *
test_daemon_truth_records(TestDaemon *td, const char *address)
{
	g_autofree char *path = g_strdup_printf("%s/%s.txt", td->truth_dir, address);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GError) error = NULL;
	GPtrArray *records = g_ptr_array_new_with_free_func(g_free);

	if (!g_file_get_contents(path, &text, NULL, &error))
		fail_msg("ground truth: %s", error->message);
	lines = g_strsplit(text, "\n", -1);
	for (gsize i = 0; lines[i]; i++) {
		if (g_str_has_prefix(lines[i], "record ") && lines[i + 1] &&
		    g_str_has_prefix(lines[i + 1], "coverage "))
			g_ptr_array_add(records, normalize_record_line(lines[i], lines[i + 1]));
	}
	return records;
}

char *
test_daemon_session_line(TestDaemon *td, guint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_call(td, "/org/rollerd", "org.rollerd.Manager1",
						   "GetSession", g_variant_new("(t)", id),
						   &error);
	g_autoptr(GVariant) all = NULL, props = NULL, dirs = NULL, passes = NULL;
	const char *path, *area_name;
	guint16 record_id, needle, mean, max, in_band;
	guint32 duration, strokes;
	guint8 cols, rows, area = 0;
	GString *out = g_string_new(NULL);
	gsize n;
	const guint32 *d;
	const guint8 *p;

	if (!ret)
		fail_msg("GetSession(%" G_GUINT64_FORMAT "): %s", id, error->message);
	g_variant_get(ret, "(&o)", &path);
	all = g_dbus_connection_call_sync(td->conn, "org.rollerd", path,
					  "org.freedesktop.DBus.Properties", "GetAll",
					  g_variant_new("(s)", "org.rollerd.Session1"),
					  G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE,
					  10000, NULL, &error);
	if (!all)
		fail_msg("GetAll %s: %s", path, error->message);
	props = g_variant_get_child_value(all, 0);
	assert_true(g_variant_lookup(props, "RecordId", "q", &record_id));
	assert_true(g_variant_lookup(props, "Duration", "u", &duration));
	assert_true(g_variant_lookup(props, "Area", "&s", &area_name));
	assert_true(rd_area_from_string(area_name, &area));
	assert_true(g_variant_lookup(props, "NeedleLength", "q", &needle));
	assert_true(g_variant_lookup(props, "Strokes", "u", &strokes));
	assert_true(g_variant_lookup(props, "ForceMean", "q", &mean));
	assert_true(g_variant_lookup(props, "ForceMax", "q", &max));
	assert_true(g_variant_lookup(props, "InBand", "q", &in_band));
	assert_true(g_variant_lookup(props, "GridColumns", "y", &cols));
	assert_true(g_variant_lookup(props, "GridRows", "y", &rows));
	dirs = g_variant_lookup_value(props, "Directions", G_VARIANT_TYPE("au"));
	passes = g_variant_lookup_value(props, "Passes", G_VARIANT_TYPE("ay"));
	assert_non_null(dirs);
	assert_non_null(passes);
	d = g_variant_get_fixed_array(dirs, &n, sizeof(guint32));
	assert_int_equal(n, 4);
	g_string_printf(out, "id=%u duration=%u area=%u needle=%u rolls=%u mean=%u max=%u "
			"inband=%u dirs=%u,%u,%u,%u | coverage %ux%u", record_id, duration,
			area, needle, strokes, mean, max, in_band, d[0], d[1], d[2], d[3],
			cols, rows);
	p = g_variant_get_fixed_array(passes, &n, 1);
	assert_int_equal(n, (gsize)cols * rows);
	for (gsize i = 0; i < n; i++)
		g_string_append_printf(out, " %u", p[i]);
	return g_string_free(out, FALSE);
}

static gint
compare_lines(gconstpointer a, gconstpointer b)
{
	guint64 ia = g_ascii_strtoull(*(char *const *)a + 3, NULL, 10);
	guint64 ib = g_ascii_strtoull(*(char *const *)b + 3, NULL, 10);

	return ia < ib ? -1 : ia > ib;
}

static GPtrArray *
history_lines(TestDaemon *td, const char *filter_text)
{
	g_autoptr(GVariant) rows = test_daemon_query(td, filter_text);
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	GVariantIter iter;
	GVariant *row;

	g_variant_iter_init(&iter, rows);
	while ((row = g_variant_iter_next_value(&iter))) {
		guint64 id;

		assert_true(g_variant_lookup(row, "id", "t", &id));
		g_ptr_array_add(lines, test_daemon_session_line(td, id));
		g_variant_unref(row);
	}
	g_ptr_array_sort(lines, compare_lines);
	return lines;
}

GPtrArray *
test_daemon_history_lines(TestDaemon *td)
{
	return history_lines(td, "{'limit': <uint32 1000>}");
}

GPtrArray *
test_daemon_roller_history_lines(TestDaemon *td, const char *address)
{
	g_autofree char *filter = g_strdup_printf("{'roller': <'%s'>, 'limit': <uint32 1000>}",
						  address);

	return history_lines(td, filter);
}

guint
test_daemon_log_count(TestDaemon *td, const char *who, const char *text)
{
	g_autofree char *name = g_strconcat(who, ".log", NULL);
	g_autofree char *path = g_build_filename(test_bus_get_dir(td->bus), name, NULL);
	g_autofree char *log = NULL;
	guint n = 0;

	if (!g_file_get_contents(path, &log, NULL, NULL))
		return 0;
	for (const char *p = strstr(log, text); p; p = strstr(p + 1, text))
		n++;
	return n;
}

typedef struct {
	TestDaemon *td;
	const char *who;
	const char *text;
	guint before;
} LogWait;

static gboolean
log_has_more(gpointer user_data)
{
	LogWait *w = user_data;

	if (test_daemon_log_count(w->td, w->who, w->text) > w->before)
		return TRUE;
	/* The logs are verbose: not read again at once. */
	g_usleep(20000);
	return FALSE;
}

gboolean
test_daemon_wait_log(TestDaemon *td, const char *who, const char *text, guint before,
		     guint timeout_ms)
{
	LogWait w = { td, who, text, before };

	return test_bus_wait_until(log_has_more, &w, timeout_ms);
}
