/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-clinic: the clinic's shared journal against a real PostgreSQL
 * started here (tests/clinic/test-pg-server.h), rollerd's store and
 * clinic in this process on its main loop, as in rollerd.
 *
 * - replication: sessions per second from the outbox into PostgreSQL,
 *   beside the reference of the same sessions committed to SQLite;
 * - lag: from a session's local commit to the COMMIT of the batch that
 *   carries it (visible in the clinic view from then), p50/p99;
 * - QuerySessions with scope clinic over 100,000 sessions of 10 rooms,
 *   a page of 100 at several offsets and for one person, p50/p99, beside
 *   the same pages from a local journal of 100,000 sessions (reference);
 * - a hanging server (accepts, never answers): the longest the main loop
 *   went without running a 5 ms timer, with the clinic and without; and
 *   rollerd itself on a private bus, Ping round trips every 20 ms while
 *   QuerySessions with scope clinic keeps waiting on that server, beside
 *   a rollerd with no clinic (reference).
 *
 * Each figure is the min and median of interleaved runs.  Targets: under
 * 20 ms per page, lag under 1 s with the server up.
 *
 * Usage: bench-clinic [RUNS]   (default 3)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "bench-util.h"
#include "daemon/clinic/rd-clinic.h"
#include "daemon/store/rd-store-db.h"
#include "daemon/store/rd-store-outbox.h"
#include "tests/clinic/test-pg-server.h"

#define N_REPLICATED 1000
#define N_LAG 50
#define N_QUERY 100000
#define N_ROOMS 10
#define PAGE 100
#define QUERIES_PER_CASE 50
#define START 1767225600	/* 2026-01-01 */

static TestPgServer *server;

static double
now_s(void)
{
	return g_get_monotonic_time() / 1e6;
}

static RdStore *
store_in(const char *dir)
{
	g_autofree char *path = g_build_filename(dir, "sessions.db", NULL);
	g_autoptr(GError) error = NULL;
	RdStore *store = rd_store_open(path, &error);

	if (!store)
		bench_die("%s", error->message);
	return store;
}

static RdClinic *
clinic_on(RdStore **store, const char *conninfo, const char *room, guint timeout_ms)
{
	g_autoptr(GError) error = NULL;
	RdClinicSettings settings = { .connection = conninfo, .room = room,
				      .timeout_ms = timeout_ms };
	RdClinic *clinic = rd_clinic_new(store, &settings, &error);

	if (!clinic)
		bench_die("%s", error->message);
	return clinic;
}

static gint64
outbox_count(RdStore *store)
{
	gint64 n = 0;

	if (!rd_store_outbox_count(store, &n, NULL))
		bench_die("cannot count the outbox");
	return n;
}

static void
drain(RdStore *store)
{
	double end = now_s() + 120;

	while (outbox_count(store) > 0) {
		if (now_s() > end)
			bench_die("the outbox did not drain");
		g_main_context_iteration(NULL, TRUE);
	}
}

static void
commit_live(RdStore *store, guint i)
{
	static guint8 passes[12] = { 1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 5 };
	static guint16 trace[600];
	g_autoptr(GError) error = NULL;
	RdLiveSessionRow row = {
		.serial = "RL-BENCH", .address = "C0:52:4C:00:00:01",
		.record_id = (guint16)(i % 65536), .area_id = (guint8)(i % 10 + 1),
		.start_unix = START + (gint64)i * 600, .clock_set = TRUE,
		.duration_ms = 600000, .end_reason = 0, .needle_um = 500, .strokes = 300,
		.force_mean_cn = 250, .force_max_cn = 480, .in_band_permille = 800,
		.dirs = { 75, 75, 75, 75 }, .cols = 4, .rows = 3, .passes = passes,
		.trace_period_ms = 1000, .trace = trace, .trace_len = G_N_ELEMENTS(trace),
	};

	for (guint t = 0; t < G_N_ELEMENTS(trace); t++)
		trace[t] = (guint16)(200 + t % 100);
	if (!rd_store_save_live_session(store, &row, NULL, NULL, &error))
		bench_die("%s", error->message);
}

static int
compare_double(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* "min X, median Y" of @values with @decimals. */
static char *
min_median(GArray *values, int decimals)
{
	g_array_sort(values, compare_double);
	return g_strdup_printf("min %.*f, median %.*f", decimals, g_array_index(values, double, 0),
			       decimals, g_array_index(values, double, values->len / 2));
}

typedef struct {
	GArray *replicated;	/* sessions/s */
	GArray *local;		/* sessions/s */
	GArray *lag_p50, *lag_p99;	/* ms */
} Replication;

static void
on_batch(gpointer user_data)
{
	gint64 *committed_at = user_data;

	*committed_at = g_get_monotonic_time();
}

static void
run_replication(Replication *r)
{
	g_autofree char *db = test_pg_new_database(server);
	g_autofree char *conninfo = test_pg_server_conninfo(server, "room_a", db);
	g_autofree char *dir = g_dir_make_tmp("bench-clinic-XXXXXX", NULL);
	RdStore *store = store_in(dir);
	RdClinic *clinic = clinic_on(&store, conninfo, "room_a", 5000);
	g_autoptr(GArray) lags = g_array_new(FALSE, FALSE, sizeof(gint64));
	gint64 committed_at = 0;
	double t0, t1, t2;

	drain(store);
	/* Committed with the sender idle: the local rate is the reference. */
	t0 = now_s();
	for (guint i = 0; i < N_REPLICATED; i++)
		commit_live(store, i);
	t1 = now_s();
	drain(store);
	t2 = now_s();
	g_array_append_val(r->local, (double){ N_REPLICATED / (t1 - t0) });
	g_array_append_val(r->replicated, (double){ N_REPLICATED / (t2 - t1) });

	rd_clinic_sender_set_batch_func(rd_clinic_get_sender(clinic), G_CALLBACK(on_batch),
					&committed_at);
	for (guint i = 0; i < N_LAG; i++) {
		gint64 start = g_get_monotonic_time();
		gint64 lag;

		committed_at = 0;
		commit_live(store, N_REPLICATED + i);
		rd_clinic_kick(clinic);	/* as rollerd does when sessions change */
		while (outbox_count(store) > 0 || committed_at == 0)
			g_main_context_iteration(NULL, TRUE);
		lag = committed_at - start;
		g_array_append_val(lags, lag);
	}
	bench_sort(lags);
	g_array_append_val(r->lag_p50, (double){ bench_percentile(lags, 50) / 1000.0 });
	g_array_append_val(r->lag_p99, (double){ bench_percentile(lags, 99) / 1000.0 });
	rd_clinic_free(clinic);
	rd_store_free(store);
	{
		g_autofree char *rm = g_strdup_printf("rm -rf %s", dir);

		g_spawn_command_line_sync(rm, NULL, NULL, NULL, NULL);
	}
}

/* 100,000 sessions of 10 rooms, two people each, straight into the schema. */
static void
fill_clinic(const char *db)
{
	g_autofree char *sql = g_strdup_printf(
		"INSERT INTO people (name_key, name, at, room) VALUES "
		"('ann', 'Ann', 0, 'room_a'), ('bob', 'Bob', 0, 'room_a');"
		"INSERT INTO sessions (room, local_id, serial, address, record_id, area, start_unix, "
		"clock_set, duration_ms, needle_um, strokes, force_mean_cn, force_max_cn, "
		"in_band_permille, source, person_id, body, at) "
		"SELECT 'room_' || (i %% %d), i, 'RL-' || (i %% %d), '', i %% 65536, i %% 10 + 1, "
		"%d + i * 600, true, 600000, 500, 300, 250, 480, 800, 'synced', "
		"(SELECT id FROM people WHERE name_key = CASE WHEN i %% 2 = 0 THEN 'ann' ELSE 'bob' END), "
		"'{}', 0 FROM generate_series(1, %d) AS i; ANALYZE sessions;",
		N_ROOMS, N_ROOMS, START, N_QUERY);

	g_free(test_pg_sql(server, db, sql));
}

static void
fill_local(RdStore *store)
{
	g_autofree char *sql = g_strdup_printf(
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
		"INSERT INTO sessions (roller_serial, roller_address, record_id, area_id, start_unix, "
		"clock_set, record_start, record_crc, duration_ms, needle_um, strokes, force_mean_cn, "
		"force_max_cn, in_band_permille, dir_vertical, dir_diagonal, dir_horizontal, "
		"dir_antidiagonal, cols, rows, passes, trace_period_ms, trace, source, created_at, "
		"person_id) SELECT 'RL-' || (i %% %d), '', i %% 65536, i %% 10 + 1, %d + i * 600, 1, "
		"%d + i * 600, 0, 600000, 500, 300, 250, 480, 800, 1, 1, 1, 1, 1, 1, x'01', 0, x'', "
		"'synced', 0, 1 FROM n; ANALYZE;", N_QUERY, N_ROOMS, START, START);
	RdStoreDb *db = rd_store_get_db(store);

	if (sqlite3_exec(db->sqlite, sql, NULL, NULL, NULL) != SQLITE_OK)
		bench_die("filling the local journal: %s", sqlite3_errmsg(db->sqlite));
}

typedef struct {
	const char *name;
	guint offset;
	gboolean person;	/* Ann's only */
} QueryCase;

static const QueryCase cases[] = {
	{ "newest page", 0, FALSE },
	{ "offset 1000", 1000, FALSE },
	{ "offset 50000", 50000, FALSE },
	{ "one person's", 0, TRUE },
};

static void
on_rows(GPtrArray *rows, const GError *error, gpointer user_data)
{
	gboolean *done = user_data;

	if (error)
		bench_die("clinic query: %s", error->message);
	if (rows->len != PAGE)
		bench_die("a clinic page of %u rows", rows->len);
	*done = TRUE;
}

/* p50 and p99 in ms of one case, clinic and local. */
static void
run_query_case(RdClinicReader *reader, RdStore *local, const QueryCase *qc, double *clinic_p,
	       double *local_p)
{
	g_autoptr(GArray) clinic_us = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GArray) local_us = g_array_new(FALSE, FALSE, sizeof(gint64));
	RdSessionFilter f = RD_SESSION_FILTER_INIT;

	f.limit = PAGE;
	f.offset = qc->offset;
	for (guint i = 0; i < QUERIES_PER_CASE; i++) {
		gboolean done = FALSE;
		g_autoptr(GPtrArray) rows = NULL;
		gint64 t0 = g_get_monotonic_time(), t;

		rd_clinic_reader_query_sessions(reader, &f, qc->person ? "ann" : NULL, on_rows,
						&done);
		while (!done)
			g_main_context_iteration(NULL, TRUE);
		t = g_get_monotonic_time() - t0;
		g_array_append_val(clinic_us, t);

		/* Locally every session is person 1's: the reference has no filter. */
		t0 = g_get_monotonic_time();
		if (!rd_store_query_sessions(local, &f, &rows, NULL) || rows->len != PAGE)
			bench_die("local query");
		t = g_get_monotonic_time() - t0;
		g_array_append_val(local_us, t);
	}
	bench_sort(clinic_us);
	bench_sort(local_us);
	clinic_p[0] = bench_percentile(clinic_us, 50) / 1000.0;
	clinic_p[1] = bench_percentile(clinic_us, 99) / 1000.0;
	local_p[0] = bench_percentile(local_us, 50) / 1000.0;
	local_p[1] = bench_percentile(local_us, 99) / 1000.0;
}

static gboolean
on_tick(gpointer user_data)
{
	gint64 *last_and_max = user_data;
	gint64 now = g_get_monotonic_time();

	last_and_max[1] = MAX(last_and_max[1], now - last_and_max[0]);
	last_and_max[0] = now;
	return G_SOURCE_CONTINUE;
}

/*
 * The longest gap between 5 ms ticks over 2.5 s, in ms, on a small
 * journal of its own (switching the outbox on for a big one puts its
 * history in the outbox at once: a one-time cost at rollerd's start).
 */
static double
loop_gap(const char *hanging_conninfo)
{
	g_autofree char *dir = g_dir_make_tmp("bench-clinic-XXXXXX", NULL);
	g_autofree char *rm = g_strdup_printf("rm -rf %s", dir);
	RdStore *small = store_in(dir);
	RdStore **store = &small;
	gint64 last_and_max[2] = { g_get_monotonic_time(), 0 };
	RdClinic *clinic = hanging_conninfo ? clinic_on(store, hanging_conninfo, "room_a", 1000)
			   : NULL;
	guint id = g_timeout_add(5, on_tick, last_and_max);
	double end = now_s() + 2.5;
	guint i = 0;

	while (now_s() < end) {
		/* Sessions keep coming, as in a room at work. */
		if (i++ % 50 == 0)
			commit_live(*store, 5000 + i);
		g_main_context_iteration(NULL, TRUE);
	}
	g_source_remove(id);
	g_clear_pointer(&clinic, rd_clinic_free);
	rd_store_free(small);
	g_spawn_command_line_sync(rm, NULL, NULL, NULL, NULL);
	return last_and_max[1] / 1000.0;
}

typedef struct {
	TestBus *bus;
	gboolean stop;
	guint in_flight;
	guint answered;
} ClinicCalls;

static void on_clinic_reply(GObject *source, GAsyncResult *result, gpointer user_data);

static void
clinic_call(ClinicCalls *c)
{
	c->in_flight++;
	g_dbus_connection_call(test_bus_get_connection(c->bus), "org.rollerd", "/org/rollerd",
			       "org.rollerd.Manager1", "QuerySessions",
			       g_variant_new_parsed("({'scope': <'clinic'>},)"), NULL,
			       G_DBUS_CALL_FLAGS_NONE, 60000, NULL, on_clinic_reply, c);
}

/* Keeps clinic queries waiting at all times. */
static void
on_clinic_reply(GObject *source, GAsyncResult *result, gpointer user_data)
{
	ClinicCalls *c = user_data;
	g_autoptr(GVariant) ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result,
								NULL);

	c->in_flight--;
	c->answered++;
	if (!c->stop)
		clinic_call(c);
}

/* Ping p50, p99 and max (ms) of a rollerd, with @conninfo's clinic or none. */
static void
run_dbus(const char *conninfo, double *p)
{
	TestBus *bus = test_bus_new();
	g_autofree char *state = g_build_filename(test_bus_get_dir(bus), "rollerd", NULL);
	g_autofree char *state_arg = g_strconcat("--state-dir=", state, NULL);
	g_autofree char *conf = g_build_filename(test_bus_get_dir(bus), "rollerd.conf", NULL);
	g_autofree char *conf_arg = g_strconcat("--config=", conf, NULL);
	g_autofree char *text = conninfo ? g_strdup_printf("[Clinic]\nConnection=%s\nRoom=room_a\n"
							   "TimeoutSeconds=1\n", conninfo)
				 : g_strdup("");
	g_autofree char *address = g_strdup_printf("--bus=%s", test_bus_get_address(bus));
	const char *sim_argv[] = { "@builddir@/sim/roller-sim", "--mock-bluez", address, NULL };
	const char *rollerd_argv[] = { "@builddir@/daemon/rollerd", "--session",
				       "--bluez-bus=session", state_arg, conf_arg, NULL };
	g_autoptr(GArray) pings = g_array_new(FALSE, FALSE, sizeof(gint64));
	ClinicCalls calls = { bus, FALSE, 0, 0 };
	double end;

	if (!g_file_set_contents(conf, text, -1, NULL))
		bench_die("cannot write %s", conf);
	bench_spawn(bus, "roller-sim", sim_argv, "org.bluez");
	bench_spawn(bus, "rollerd", rollerd_argv, "org.rollerd");
	if (conninfo)
		for (guint i = 0; i < 4; i++)
			clinic_call(&calls);
	end = now_s() + 3;
	while (now_s() < end) {
		gint64 t0 = g_get_monotonic_time(), t;
		g_autoptr(GVariant) ret = bench_call(bus, "/org/rollerd",
						     "org.freedesktop.DBus.Peer", "Ping", NULL);

		t = g_get_monotonic_time() - t0;
		g_array_append_val(pings, t);
		while (g_main_context_iteration(NULL, FALSE))
			;
		g_usleep(20000);
	}
	calls.stop = TRUE;
	/* Each answered within the clinic's timeout, from the journal. */
	while (calls.in_flight > 0)
		g_main_context_iteration(NULL, TRUE);
	bench_sort(pings);
	p[0] = bench_percentile(pings, 50) / 1000.0;
	p[1] = bench_percentile(pings, 99) / 1000.0;
	p[2] = g_array_index(pings, gint64, pings->len - 1) / 1000.0;
	test_bus_free(bus);
}

int
main(int argc, char **argv)
{
	guint runs = argc > 1 ? (guint)atoi(argv[1]) : 3;
	Replication r = {
		g_array_new(FALSE, FALSE, sizeof(double)), g_array_new(FALSE, FALSE, sizeof(double)),
		g_array_new(FALSE, FALSE, sizeof(double)), g_array_new(FALSE, FALSE, sizeof(double)),
	};
	GArray *clinic_p50[G_N_ELEMENTS(cases)], *clinic_p99[G_N_ELEMENTS(cases)];
	GArray *local_p50[G_N_ELEMENTS(cases)], *local_p99[G_N_ELEMENTS(cases)];
	g_autoptr(GArray) gap_hang = g_array_new(FALSE, FALSE, sizeof(double));
	g_autoptr(GArray) gap_none = g_array_new(FALSE, FALSE, sizeof(double));
	GArray *ping_hang[3], *ping_none[3];
	g_autofree char *query_db = NULL, *query_conninfo = NULL, *dir = NULL, *hang = NULL;
	g_autoptr(GSocketListener) listener = g_socket_listener_new();
	g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new(loopback, 0);
	g_autoptr(GSocketAddress) bound = NULL;
	RdPgConn *reader_conn;
	RdClinicReader *reader;
	RdStore *local;
	double worst_page = 0;

	g_set_prgname("bench-clinic");
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL);
	server = test_pg_server_new();
	if (!server) {
		printf("bench-clinic: PostgreSQL's server is not installed: skipped\n");
		return 0;
	}
	if (runs == 0)
		runs = 1;
	for (guint k = 0; k < 3; k++) {
		ping_hang[k] = g_array_new(FALSE, FALSE, sizeof(double));
		ping_none[k] = g_array_new(FALSE, FALSE, sizeof(double));
	}
	for (guint c = 0; c < G_N_ELEMENTS(cases); c++) {
		clinic_p50[c] = g_array_new(FALSE, FALSE, sizeof(double));
		clinic_p99[c] = g_array_new(FALSE, FALSE, sizeof(double));
		local_p50[c] = g_array_new(FALSE, FALSE, sizeof(double));
		local_p99[c] = g_array_new(FALSE, FALSE, sizeof(double));
	}

	printf("filling: %d sessions of %d rooms in PostgreSQL, as many in a local journal\n",
	       N_QUERY, N_ROOMS);
	query_db = test_pg_new_database(server);
	query_conninfo = test_pg_server_conninfo(server, "room_a", query_db);
	dir = g_dir_make_tmp("bench-clinic-XXXXXX", NULL);
	local = store_in(dir);
	{
		/* The schema, made as rollerd makes it. */
		RdClinic *maker = clinic_on(&local, query_conninfo, "room_a", 5000);

		drain(local);
		rd_clinic_free(maker);
		rd_store_outbox_enable(local, FALSE, NULL);
	}
	fill_clinic(query_db);
	fill_local(local);
	reader_conn = rd_pg_conn_new(query_conninfo, NULL, 10000);
	rd_pg_conn_start(reader_conn);
	reader = rd_clinic_reader_new(reader_conn);
	if (!g_socket_listener_add_address(listener, any, G_SOCKET_TYPE_STREAM,
					   G_SOCKET_PROTOCOL_TCP, NULL, &bound, NULL))
		bench_die("cannot listen on the loopback");
	hang = g_strdup_printf("host=127.0.0.1 port=%u dbname=clinic user=room_a sslmode=disable",
			       g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));

	for (guint run = 0; run < runs; run++) {
		double gap;

		run_replication(&r);
		for (guint c = 0; c < G_N_ELEMENTS(cases); c++) {
			double cp[2], lp[2];

			run_query_case(reader, local, &cases[c], cp, lp);
			g_array_append_val(clinic_p50[c], cp[0]);
			g_array_append_val(clinic_p99[c], cp[1]);
			g_array_append_val(local_p50[c], lp[0]);
			g_array_append_val(local_p99[c], lp[1]);
		}
		gap = loop_gap(hang);
		g_array_append_val(gap_hang, gap);
		gap = loop_gap(NULL);
		g_array_append_val(gap_none, gap);
		{
			double ph[3], pn[3];

			run_dbus(hang, ph);
			run_dbus(NULL, pn);
			for (guint k = 0; k < 3; k++) {
				g_array_append_val(ping_hang[k], ph[k]);
				g_array_append_val(ping_none[k], pn[k]);
			}
		}
		printf("run %u of %u done\n", run + 1, runs);
	}

	printf("\nreplication (%d sessions, traces of 600 values), %u runs:\n", N_REPLICATED, runs);
	printf("  into PostgreSQL:  %s sessions/s\n", min_median(r.replicated, 0));
	printf("  into SQLite (reference): %s sessions/s\n", min_median(r.local, 0));
	printf("  lag commit -> visible in the clinic, p50: %s ms\n", min_median(r.lag_p50, 1));
	printf("  lag commit -> visible in the clinic, p99: %s ms\n", min_median(r.lag_p99, 1));
	printf("\nQuerySessions, page of %d, over %d sessions of %d rooms, %d calls a case:\n",
	       PAGE, N_QUERY, N_ROOMS, QUERIES_PER_CASE);
	for (guint c = 0; c < G_N_ELEMENTS(cases); c++) {
		g_autofree char *cp50 = min_median(clinic_p50[c], 2);
		g_autofree char *cp99 = min_median(clinic_p99[c], 2);
		g_autofree char *lp50 = min_median(local_p50[c], 2);
		g_autofree char *lp99 = min_median(local_p99[c], 2);

		printf("  %-13s clinic p50 %s ms, p99 %s ms\n", cases[c].name, cp50, cp99);
		printf("  %-13s local  p50 %s ms, p99 %s ms (reference)\n", "", lp50, lp99);
		worst_page = MAX(worst_page, g_array_index(clinic_p99[c], double,
							   clinic_p99[c]->len / 2));
	}
	printf("\nmain loop, longest gap between 5 ms ticks over 2.5 s:\n");
	printf("  clinic on a server that never answers: %s ms\n", min_median(gap_hang, 1));
	printf("  no clinic (reference):                 %s ms\n", min_median(gap_none, 1));
	printf("\nrollerd on a private bus, Ping every 20 ms for 3 s (ms):\n");
	for (guint k = 0; k < 3; k++) {
		static const char *const names[] = { "p50", "p99", "max" };
		g_autofree char *h = min_median(ping_hang[k], 2);
		g_autofree char *n = min_median(ping_none[k], 2);

		printf("  %s: with 4 clinic queries always waiting on a server that never answers "
		       "%s; no clinic (reference) %s\n", names[k], h, n);
		g_array_unref(ping_hang[k]);
		g_array_unref(ping_none[k]);
	}
	printf("\nsummary: clinic page p99 (median of runs, worst case) %.2f ms (target < 20); "
	       "lag p99 %.0f ms (target < 1000)\n", worst_page,
	       g_array_index(r.lag_p99, double, r.lag_p99->len / 2));

	rd_clinic_reader_free(reader);
	rd_pg_conn_free(reader_conn);
	rd_store_free(local);
	{
		g_autofree char *rm = g_strdup_printf("rm -rf %s", dir);

		g_spawn_command_line_sync(rm, NULL, NULL, NULL, NULL);
	}
	test_pg_server_free(server);
	return 0;
}
