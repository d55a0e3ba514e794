/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <gio/gunixfdlist.h>
#include <glib-unix.h>

#include "bench-live.h"
#include "common/rd-live-packet.h"

#define ADDRESS_FMT "C0:52:4C:00:00:%02X"
#define PATH_FMT "/org/rollerd/roller/C0_52_4C_00_00_%02X"
#define SIM_CONTROL_PATH "/org/rollerd/sim"
#define SIM_CONTROL_INTERFACE "org.rollerd.Sim1"

const char *
bench_watch_name(BenchWatch watch)
{
	static const char *const names[] = { "nobody", "stream", "signal" };

	return names[watch];
}

char *
bench_roller_address(guint i)
{
	return g_strdup_printf(ADDRESS_FMT, i + 1);
}

char *
bench_roller_path(guint i)
{
	return g_strdup_printf(PATH_FMT, i + 1);
}

/* rollerd refuses more than 32 unanswered calls of one caller
 * (RD_CALL_MAX_PENDING): Connect a few at a time. */
#define CONNECTS_AT_ONCE 8

typedef struct {
	BenchRig *rig;
	guint next;
	guint pending;
} Connecting;

static void connect_next(Connecting *c);

static void
on_connected(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Connecting *c = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source),
								res, &error);

	if (!ret)
		bench_die("a roller did not connect: %s", error->message);
	c->pending--;
	connect_next(c);
}

static void
connect_next(Connecting *c)
{
	g_autofree char *path = NULL;

	if (c->next == c->rig->n)
		return;
	path = bench_roller_path(c->next++);
	c->pending++;
	g_dbus_connection_call(c->rig->conn, "org.rollerd", path, "org.rollerd.Roller2",
			       "Connect", NULL, NULL, G_DBUS_CALL_FLAGS_NONE, 120000, NULL,
			       on_connected, c);
}

static gboolean
all_connected(gpointer user_data)
{
	Connecting *c = user_data;

	return c->pending == 0 && c->next == c->rig->n;
}

static void
connect_all(BenchRig *rig)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
	Connecting c = { rig, 0, 0 };

	for (guint i = 0; i < rig->n; i++)
		g_ptr_array_add(paths, bench_roller_path(i));
	g_ptr_array_add(paths, NULL);
	bench_discover(rig->bus, (const char *const *)paths->pdata);
	for (guint i = 0; i < CONNECTS_AT_ONCE; i++)
		connect_next(&c);
	if (!test_bus_wait_until(all_connected, &c, 180000))
		bench_die("connecting took too long");
}

BenchRig *
bench_rig_new(const BenchRigOptions *o)
{
	BenchRig *rig = g_new0(BenchRig, 1);
	g_autofree char *address = NULL, *state = NULL, *truth_arg = NULL, *state_arg = NULL;
	g_autofree char *count = g_strdup_printf("--count=%u", o->n);
	g_autofree char *speed = g_strdup_printf("--speed=%g", o->speed);

	rig->bus = test_bus_new();
	rig->conn = test_bus_get_connection(rig->bus);
	rig->daemon = test_bus_get_daemon_pid(rig->bus);
	rig->n = o->n;
	address = g_strdup_printf("--bus=%s", test_bus_get_address(rig->bus));
	rig->truth = g_build_filename(test_bus_get_dir(rig->bus), "truth", NULL);
	state = g_build_filename(test_bus_get_dir(rig->bus), "rollerd", NULL);
	truth_arg = g_strconcat("--ground-truth=", rig->truth, NULL);
	state_arg = g_strconcat("--state-dir=", state, NULL);
	{
		const char *sim_argv[] = { "@builddir@/sim/roller-sim", "--mock-bluez", address,
					   count, "--mtu=247", speed, "--session-seconds=0",
					   truth_arg, "--ground-truth-times", NULL };

		rig->sim = bench_spawn(rig->bus, "roller-sim", sim_argv, "org.bluez");
	}
	if (o->rollerd) {
		const char *rollerd_argv[] = { "@builddir@/daemon/rollerd", "--session",
					       "--bluez-bus=session", state_arg, NULL };
		g_autoptr(GPtrArray) argv = g_ptr_array_new();

		for (gsize i = 0; o->rollerd_wrapper && o->rollerd_wrapper[i]; i++)
			g_ptr_array_add(argv, (gpointer)o->rollerd_wrapper[i]);
		for (gsize i = 0; rollerd_argv[i]; i++)
			g_ptr_array_add(argv, (gpointer)rollerd_argv[i]);
		g_ptr_array_add(argv, NULL);
		rig->rollerd = test_bus_spawn(rig->bus, "rollerd", (const char *const *)argv->pdata);
		/* Under valgrind it starts slowly. */
		if (!test_bus_wait_for_name(rig->bus, "org.rollerd", 120000)) {
			test_bus_dump_log(rig->bus, "rollerd");
			bench_die("rollerd did not start");
		}
		connect_all(rig);
	}
	return rig;
}

void
bench_rig_start_sessions(BenchRig *rig)
{
	for (guint i = 0; i < rig->n; i++) {
		g_autofree char *address = bench_roller_address(i);
		g_autoptr(GError) error = NULL;
		g_autoptr(GVariant) ret = g_dbus_connection_call_sync(
			rig->conn, "org.bluez", SIM_CONTROL_PATH, SIM_CONTROL_INTERFACE,
			"PressButton", g_variant_new("(s)", address), NULL,
			G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);

		if (!ret)
			bench_die("Sim1.PressButton(%s): %s", address, error->message);
	}
}

void
bench_rig_free(BenchRig *rig)
{
	test_bus_free(rig->bus);
	g_free(rig->truth);
	g_free(rig);
}

GArray *
bench_frame_times(BenchRig *rig, guint i, gint64 since_us, gint64 until_us, guint *in_window)
{
	g_autofree char *name = g_strdup_printf(ADDRESS_FMT ".txt", i + 1);
	g_autofree char *path = g_build_filename(rig->truth, name, NULL);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	GArray *times = g_array_new(FALSE, FALSE, sizeof(gint64));
	gboolean delivered = FALSE;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		bench_die("cannot read roller-sim's ground truth");
	lines = g_strsplit(text, "\n", -1);
	for (gsize k = 0; lines[k]; k++) {
		if (g_str_has_prefix(lines[k], "frame ")) {
			delivered = TRUE;
		} else if (g_str_has_prefix(lines[k], "lost ")) {
			delivered = FALSE;
		} else if (g_str_has_prefix(lines[k], "at ") && delivered) {
			gint64 t = g_ascii_strtoll(lines[k] + 3, NULL, 10);

			g_array_append_val(times, t);
			if (t >= since_us && t < until_us)
				(*in_window)++;
		}
	}
	return times;
}

/* The bench's side of a watcher. */

static gboolean
watcher_settled(gpointer user_data)
{
	const char *out = user_data;
	g_autofree char *ready = g_strconcat(out, ".ready", NULL);
	g_autofree char *failed = g_strconcat(out, ".failed", NULL);

	return g_file_test(ready, G_FILE_TEST_EXISTS) || g_file_test(failed, G_FILE_TEST_EXISTS);
}

BenchWatcher *
bench_watcher_start(BenchRig *rig, BenchWatch watch, const char *argv0)
{
	BenchWatcher *w = g_new0(BenchWatcher, 1);
	g_autofree char *failed = NULL, *why = NULL;
	const char *argv[] = { argv0, "--watcher", bench_watch_name(watch), NULL, NULL };

	w->watch = watch;
	w->out = g_strdup_printf("%s/watcher-%s", test_bus_get_dir(rig->bus),
				 bench_watch_name(watch));
	argv[3] = w->out;
	w->pid = test_bus_spawn(rig->bus, "watcher", argv);
	if (!test_bus_wait_until(watcher_settled, w->out, 30000)) {
		test_bus_dump_log(rig->bus, "watcher");
		bench_die("the %s watcher did not start", bench_watch_name(watch));
	}
	failed = g_strconcat(w->out, ".failed", NULL);
	if (g_file_get_contents(failed, &why, NULL, NULL)) {
		static gboolean said[BENCH_WATCH_SIGNAL + 1];

		if (!said[watch])
			printf("  (no %s watcher: %s)\n", bench_watch_name(watch), g_strstrip(why));
		said[watch] = TRUE;
		test_bus_stop(rig->bus, w->pid);
		g_free(w->out);
		g_free(w);
		return NULL;
	}
	return w;
}

GArray *
bench_watcher_stop(BenchRig *rig, BenchWatcher *w)
{
	g_autofree char *data = NULL;
	gsize len = 0;
	GArray *receipts = g_array_new(FALSE, FALSE, sizeof(BenchReceipt));
	int status = test_bus_stop(rig->bus, w->pid);

	if (status != 0 || !g_file_get_contents(w->out, &data, &len, NULL)) {
		test_bus_dump_log(rig->bus, "watcher");
		bench_die("the %s watcher failed", bench_watch_name(w->watch));
	}
	g_array_append_vals(receipts, data, (guint)(len / sizeof(BenchReceipt)));
	g_free(w->out);
	g_free(w);
	return receipts;
}

/* The watcher process. */

typedef struct {
	GMainLoop *loop;
	GArray *receipts;	/* BenchReceipt */
} Watcher;

static gboolean
on_stream(gint fd, GIOCondition condition, gpointer user_data)
{
	Watcher *w = user_data;
	guint8 buf[RD_LIVE_PACKET_MAX_LEN];

	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		BenchReceipt r = { g_get_monotonic_time(), 0, 0 };
		RdLivePacket p;

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && errno == EAGAIN)
			return G_SOURCE_CONTINUE;
		if (len <= 0) {
			g_main_loop_quit(w->loop);
			return G_SOURCE_REMOVE;
		}
		if (rd_live_packet_decode(buf, (gsize)len, &p) && p.kind == RD_LIVE_PACKET_FRAME) {
			r.arrival_us = p.arrival_us;
			r.frames = p.frames;
			g_array_append_val(w->receipts, r);
		}
	}
}

static void
on_live_update(GDBusConnection *conn, const char *sender, const char *path, const char *iface,
	       const char *name, GVariant *params, gpointer user_data)
{
	Watcher *w = user_data;
	BenchReceipt r = { g_get_monotonic_time(), 0, 0 };
	g_autoptr(GVariant) frames = g_variant_get_child_value(params, 9);

	r.frames = g_variant_get_uint32(frames);
	g_array_append_val(w->receipts, r);
}

static gboolean
on_term(gpointer user_data)
{
	g_main_loop_quit(((Watcher *)user_data)->loop);
	return G_SOURCE_REMOVE;
}

int
bench_watcher_main(const char *mode, const char *out)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) conn = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &error);
	g_autofree char *path = bench_roller_path(0);
	g_autofree char *ready = g_strconcat(out, ".ready", NULL);
	g_autoptr(GVariant) ret = NULL;
	g_autoptr(GUnixFDList) fds = NULL;
	Watcher w = { g_main_loop_new(NULL, FALSE),
		      g_array_new(FALSE, FALSE, sizeof(BenchReceipt)) };

	if (!conn)
		bench_die("watcher: %s", error->message);
	g_unix_signal_add(SIGTERM, on_term, &w);
	if (g_str_equal(mode, "stream")) {
		ret = g_dbus_connection_call_with_unix_fd_list_sync(
			conn, "org.rollerd", path, "org.rollerd.Roller2", "AcquireLiveStream",
			NULL, G_VARIANT_TYPE("(hq)"), G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &fds,
			NULL, &error);
		if (ret) {
			gint32 handle;
			guint16 size;
			int fd;

			g_variant_get(ret, "(hq)", &handle, &size);
			fd = g_unix_fd_list_get(fds, handle, &error);
			if (fd < 0)
				bench_die("watcher: %s", error->message);
			g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stream, &w);
		}
	} else {
		g_dbus_connection_signal_subscribe(conn, "org.rollerd", "org.rollerd.Roller2",
						   "LiveUpdate", path, NULL,
						   G_DBUS_SIGNAL_FLAGS_NONE, on_live_update, &w,
						   NULL);
		ret = g_dbus_connection_call_sync(conn, "org.rollerd", path,
						  "org.rollerd.Roller2", "WatchLive", NULL, NULL,
						  G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
	}
	if (!ret) {
		g_autofree char *failed = g_strconcat(out, ".failed", NULL);
		g_autofree char *why = g_strdup_printf("%s\n", error->message);

		g_file_set_contents(failed, why, -1, NULL);
		return 0;
	}
	if (!g_file_set_contents(ready, "", 0, &error))
		bench_die("watcher: %s", error->message);
	g_main_loop_run(w.loop);
	if (!g_file_set_contents(out, (const char *)w.receipts->data,
				 (gssize)(w.receipts->len * sizeof(BenchReceipt)), &error))
		bench_die("watcher: %s", error->message);
	return 0;
}
