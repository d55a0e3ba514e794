/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-history: the session history at its expected size.  Fills a fresh
 * state directory with 10,000 sessions through the store's own API (so
 * the schema and indexes are rollerd's): six rollers over two years,
 * 5..25 minute sessions with their force traces, a third also rolled
 * live and merged, some live only, some with notes, heads changed now
 * and then.  Then, with rollerd on a private bus on that directory, times
 * Manager1.QuerySessions for a page of 100 at several offsets and
 * filters, GetSession and a Session1's GetAll (round trips as a client
 * sees them, p50/p99/max); last, the sync of 300 records from roller-sim
 * --stored=300 at MTU 247 and 517, from the Sync call to SyncFinished,
 * with rollerd's, roller-sim's and dbus-daemon's CPU seconds and shares
 * of that time.  roller-sim paces a transfer as the air would (4 chunks
 * of MTU - 3 bytes per 7.5 ms connection interval), so a sync bound by
 * the link leaves rollerd mostly idle.
 *
 * The summary line gives the worst p99 of the page cases and the MTU 247
 * sync.  Targets: under 20 ms per page; a sync bound by the link, not by
 * rollerd (its CPU share well under 1).
 *
 * Usage: bench-history [REPEATS]   (default 200 calls per case)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "bench-util.h"
#include "common/rd-area.h"
#include "daemon/store/rd-store.h"
#include "roller-record.h"

#define N_SESSIONS 10000
#define N_ROLLERS 6
#define DAY (24 * 60 * 60)
#define FILL_END 1767225600	/* 2026-01-01 00:00:00 UTC */
#define FILL_DAYS 730
#define BAND_LOW_CN 200
#define BAND_HIGH_CN 400
#define TRACE_MAX 1024		/* the roller's; a longer session doubles its period */
#define SESSION_MAX_S 1500
#define SYNC_RECORDS 300

typedef struct {
	char serial[16];
	char address[18];
	guint weight;		/* share of the sessions, in percent */
	guint8 areas[3];	/* what its user treats */
	guint16 needle_um;
	guint16 next_id;
	guint since_head;	/* sessions on the current head */
} FillRoller;

typedef struct {
	struct roller_stored_record rec;
	guint8 passes[ROLLER_GRID_CELLS_MAX];
	guint16 trace[TRACE_MAX];
	guint16 live_trace[SESSION_MAX_S];
	guint live_len;
} FillSession;

typedef struct {
	TestBus *bus;
	char *state_dir;
	char *config_arg;
	GPid sim;
	GPid rollerd;
	GPid bus_daemon;
	guint repeats;
	/* Of the last SyncFinished. */
	gint64 finished_us;
	guint stored;
	char *sync_error;
} Bench;

static FillRoller rollers[N_ROLLERS] = {
	{ .weight = 30, .areas = { 1, 2, 7 }, .needle_um = 500 },
	{ .weight = 25, .areas = { 7, 8, 7 }, .needle_um = 250 },
	{ .weight = 15, .areas = { 2, 3, 4 }, .needle_um = 1000 },
	{ .weight = 12, .areas = { 1, 6, 9 }, .needle_um = 1500 },
	{ .weight = 10, .areas = { 5, 10, 2 }, .needle_um = 1000 },
	{ .weight = 8, .areas = { 7, 7, 8 }, .needle_um = 500 },
};

static const guint16 needles_um[] = { 250, 500, 1000, 1500 };

static FillRoller *
pick_roller(GRand *rand)
{
	guint r = (guint)g_rand_int_range(rand, 0, 100);

	for (guint i = 0; i < N_ROLLERS; i++) {
		if (r < rollers[i].weight)
			return &rollers[i];
		r -= rollers[i].weight;
	}
	return &rollers[N_ROLLERS - 1];
}

/* A session as the roller would store it: statistics from its own trace. */
static void
make_session(GRand *rand, FillRoller *r, guint32 start, FillSession *s)
{
	struct roller_stored_record *rec = &s->rec;
	guint seconds = (guint)g_rand_int_range(rand, 300, SESSION_MAX_S + 1);
	guint target = (guint)g_rand_int_range(rand, 220, 380), pause = 0;
	guint64 sum = 0;
	guint contact = 0, in_band = 0, max = 0, cells;
	guint32 strokes;

	memset(rec, 0, sizeof(*rec));
	rec->record_id = ++r->next_id;
	rec->start_unix = start;
	rec->duration_ms = seconds * 1000 - (guint)g_rand_int_range(rand, 0, 1000);
	rec->area_id = r->areas[g_rand_int_range(rand, 0, 3)];
	rec->end_reason = g_rand_int_range(rand, 0, 100) < 90 ? 0 : 1;
	rec->needle_um = r->needle_um;
	rec->trace_period_ms = 1000;
	while (seconds * 1000 / rec->trace_period_ms >= TRACE_MAX)
		rec->trace_period_ms *= 2;
	rec->trace_len = (guint16)(seconds * 1000 / rec->trace_period_ms + 1);
	/* Rolling around a pressure of its own, lifting off now and then. */
	for (guint i = 0; i < rec->trace_len; i++) {
		guint v = 0;

		if (pause == 0 && g_rand_int_range(rand, 0, 100) < 3)
			pause = (guint)g_rand_int_range(rand, 2, 20);
		if (pause > 0)
			pause--;
		else
			v = (guint)CLAMP((gint)target + g_rand_int_range(rand, -90, 91), 60, 900);
		s->trace[i] = (guint16)v;
		if (v >= ROLLER_CONTACT_MIN_CN) {
			sum += v;
			contact++;
			in_band += v >= BAND_LOW_CN && v <= BAND_HIGH_CN;
			max = MAX(max, v);
		}
	}
	rec->force_mean_cN = (guint16)(contact ? sum / contact : 0);
	/* Single samples peak above the means the trace keeps. */
	rec->force_max_cN = (guint16)(max + (guint)g_rand_int_range(rand, 20, 150));
	rec->in_band_permille = (guint16)(contact ? in_band * 1000 / contact : 0);
	strokes = seconds * (guint)g_rand_int_range(rand, 60, 110) / 100;
	rec->roll_count = (guint16)strokes;
	rec->dirs[0] = (guint16)(strokes * (guint)g_rand_int_range(rand, 20, 35) / 100);
	rec->dirs[1] = (guint16)(strokes * (guint)g_rand_int_range(rand, 15, 30) / 100);
	rec->dirs[2] = (guint16)(strokes * (guint)g_rand_int_range(rand, 20, 35) / 100);
	rec->dirs[3] = (guint16)(strokes - rec->dirs[0] - rec->dirs[1] - rec->dirs[2]);
	rec->cols = (guint8)(3 + rec->area_id % 5);
	rec->rows = (guint8)(3 + rec->area_id * 3 % 5);
	cells = (guint)rec->cols * rec->rows;
	for (guint i = 0; i < cells; i++)
		s->passes[i] = (guint8)MIN(g_rand_int_range(rand, 0, 2 * strokes / cells + 1), 255);
	rec->passes = s->passes;

	/* The daemon's own 1 s trace of the live session. */
	s->live_len = seconds;
	for (guint i = 0; i < s->live_len; i++) {
		guint16 v = s->trace[i * 1000 / rec->trace_period_ms];

		s->live_trace[i] = v ? (guint16)(v + g_rand_int_range(rand, -15, 16)) : 0;
	}
}

static void
live_row(GRand *rand, const FillRoller *r, const FillSession *s, RdLiveSessionRow *row)
{
	const struct roller_stored_record *rec = &s->rec;

	memset(row, 0, sizeof(*row));
	row->serial = r->serial;
	row->address = r->address;
	row->record_id = rec->record_id;
	row->area_id = rec->area_id;
	/* The daemon's clock against the roller's, which it set. */
	row->start_unix = rec->start_unix + g_rand_int_range(rand, 0, 3);
	row->clock_set = TRUE;
	row->duration_ms = rec->duration_ms - (guint32)g_rand_int_range(rand, 0, 2000);
	row->end_reason = rec->end_reason;
	row->needle_um = rec->needle_um;
	row->strokes = rec->roll_count;
	row->force_mean_cn = rec->force_mean_cN;
	row->force_max_cn = rec->force_max_cN;
	row->in_band_permille = rec->in_band_permille;
	for (int i = 0; i < 4; i++)
		row->dirs[i] = rec->dirs[i];
	row->cols = rec->cols;
	row->rows = rec->rows;
	row->passes = s->passes;
	row->trace_period_ms = 1000;
	row->trace = s->live_trace;
	row->trace_len = s->live_len;
	row->frames_lost = (guint32)g_rand_int_range(rand, 0, 6);
}

static GVariant *
make_notes(GRand *rand)
{
	static const char *const redness[] = { "none", "mild", "moderate", "strong" };
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "topical", g_variant_new_string("hyaluronic serum"));
	g_variant_builder_add(&b, "{sv}", "numbing", g_variant_new_boolean(g_rand_boolean(rand)));
	g_variant_builder_add(&b, "{sv}", "redness",
			      g_variant_new_string(redness[g_rand_int_range(rand, 0, 4)]));
	g_variant_builder_add(&b, "{sv}", "text",
			      g_variant_new_string("Slight stinging at the edges, gone within "
						   "the hour; skin calm the next morning."));
	g_variant_builder_add(&b, "{sv}", "cleaned", g_variant_new_boolean(TRUE));
	return g_variant_builder_end(&b);
}

static void
check(gboolean ok, GError *error, const char *what)
{
	if (!ok)
		bench_die("%s: %s", what, error->message);
}

/* One session: rolled live (saved at its end), synced later, or both. */
static guint
fill_one(RdStore *store, GRand *rand, guint i, FillSession *s, guint counts[4])
{
	g_autoptr(GError) error = NULL;
	FillRoller *r = pick_roller(rand);
	guint64 span = (guint64)FILL_DAYS * DAY;
	guint32 slot = (guint32)(span / N_SESSIONS);
	guint32 start = (guint32)(FILL_END - span + i * slot) +
			(guint32)g_rand_int_range(rand, 0, (gint32)slot / 2);
	guint kind = (guint)g_rand_int_range(rand, 0, 100);
	gboolean live = kind < 40, synced = kind >= 5;
	RdCommitResult result = RD_COMMIT_DUPLICATE;
	guint inserted = 0;
	gint64 id = 0;

	if (++r->since_head > 150 && g_rand_int_range(rand, 0, 20) == 0) {
		if (g_rand_int_range(rand, 0, 4) == 0)
			r->needle_um = needles_um[g_rand_int_range(rand, 0, 4)];
		check(rd_store_note_head_changed(store, r->serial, r->needle_um, start - 60,
						 &error), error, "a head change");
		r->since_head = 0;
		counts[3]++;
	}
	make_session(rand, r, start, s);
	if (live) {
		RdLiveSessionRow row;

		live_row(rand, r, s, &row);
		check(rd_store_save_live_session(store, &row, &result, &id, &error), error,
		      "a live session");
		inserted += result == RD_COMMIT_INSERTED;
		counts[0]++;
	}
	if (synced) {
		guint8 buf[ROLLER_RECORD_MAX_LEN];
		size_t len = 0;
		struct roller_stored_record rec;

		if (roller_stored_record_encode(&s->rec, s->trace, buf, sizeof(buf), &len) !=
		    ROLLER_OK)
			bench_die("a generated record does not encode");
		/* Decoded as the sync's reassembler does before the store. */
		if (roller_stored_record_decode(buf, len, &rec) != ROLLER_OK)
			bench_die("a generated record does not decode");
		check(rd_store_commit_record(store, r->serial, r->address, &rec, 0, &result,
					     &id, &error), error, "a record");
		inserted += result == RD_COMMIT_INSERTED;
		counts[1]++;
	}
	if (g_rand_int_range(rand, 0, 100) < 15) {
		check(rd_store_set_notes(store, id, make_notes(rand), &error), error, "notes");
		counts[2]++;
	}
	return inserted;
}

static void
fill(const char *state_dir)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_build_filename(state_dir, "sessions.db", NULL);
	g_autoptr(GRand) rand = g_rand_new_with_seed(1);
	g_autofree FillSession *s = g_new0(FillSession, 1);
	g_autoptr(RdStore) store = NULL;
	guint counts[4] = { 0 }, rows = 0, transactions;
	struct stat st;
	gint64 t0;

	for (guint i = 0; i < N_ROLLERS; i++) {
		g_snprintf(rollers[i].serial, sizeof(rollers[i].serial), "RL1000%02X", i + 1);
		g_snprintf(rollers[i].address, sizeof(rollers[i].address),
			   "C0:FF:EE:10:00:%02X", i + 1);
	}
	if (g_mkdir_with_parents(state_dir, 0750) < 0)
		bench_die("cannot make %s", state_dir);
	t0 = g_get_monotonic_time();
	store = rd_store_open(path, &error);
	check(store != NULL, error, "opening the store");
	for (guint i = 0; i < N_SESSIONS; i++)
		rows += fill_one(store, rand, i, s, counts);
	g_clear_pointer(&store, rd_store_free);
	t0 = g_get_monotonic_time() - t0;
	if (rows != N_SESSIONS)
		bench_die("%u sessions stored, not %u", rows, N_SESSIONS);
	transactions = counts[0] + counts[1] + counts[2] + counts[3];
	if (stat(path, &st) < 0)
		bench_die("cannot stat %s", path);
	printf("fill: %u sessions in %.2f s: %u live saves, %u record commits, %u notes, "
	       "%u head changes (%.2f ms per transaction); sessions.db %.1f MiB\n",
	       rows, t0 / 1e6, counts[0], counts[1], counts[2], counts[3],
	       t0 / 1e3 / transactions, st.st_size / 1048576.0);
}

static void
on_sync_finished(GDBusConnection *conn, const char *sender, const char *path,
		 const char *iface, const char *name, GVariant *params, gpointer user_data)
{
	Bench *b = user_data;

	b->finished_us = g_get_monotonic_time();
	g_free(b->sync_error);
	g_variant_get(params, "(us)", &b->stored, &b->sync_error);
}

static gboolean
sync_finished(gpointer user_data)
{
	return ((Bench *)user_data)->finished_us != 0;
}

static void
start(Bench *b, const char *const *sim_args)
{
	g_autofree char *bus_arg = g_strconcat("--bus=", test_bus_get_address(b->bus), NULL);
	g_autofree char *state_arg = g_strconcat("--state-dir=", b->state_dir, NULL);
	g_autoptr(GPtrArray) sim_argv = g_ptr_array_new();
	const char *rollerd_argv[] = { "@builddir@/daemon/rollerd", "--session",
				       "--bluez-bus=session", state_arg, b->config_arg, NULL };

	g_ptr_array_add(sim_argv, (gpointer)"@builddir@/sim/roller-sim");
	g_ptr_array_add(sim_argv, (gpointer)"--mock-bluez");
	g_ptr_array_add(sim_argv, bus_arg);
	for (gsize i = 0; sim_args[i]; i++)
		g_ptr_array_add(sim_argv, (gpointer)sim_args[i]);
	g_ptr_array_add(sim_argv, NULL);
	b->sim = bench_spawn(b->bus, "roller-sim", (const char *const *)sim_argv->pdata,
			     "org.bluez");
	b->rollerd = bench_spawn(b->bus, "rollerd", rollerd_argv, "org.rollerd");
}

static void
stop(Bench *b)
{
	test_bus_stop(b->bus, b->rollerd);
	test_bus_stop(b->bus, b->sim);
}

/* Times @repeats calls of @method; prints p50/p99/max; returns p99 in µs. */
static gint64
time_calls(Bench *b, const char *label, const char *path, const char *iface,
	   const char *method, GVariant *args)
{
	g_autoptr(GArray) times = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GVariant) owned = g_variant_ref_sink(args);
	double cpu = bench_cpu_seconds(b->rollerd);
	gsize rows = 0;

	for (guint i = 0; i < b->repeats; i++) {
		gint64 t0 = g_get_monotonic_time(), dt;
		g_autoptr(GVariant) ret = bench_call(b->bus, path, iface, method, owned);
		g_autoptr(GVariant) first = g_variant_get_child_value(ret, 0);

		dt = g_get_monotonic_time() - t0;
		g_array_append_val(times, dt);
		if (g_variant_is_container(first))
			rows = g_variant_n_children(first);
	}
	/* What rollerd spent, apart from the bus and the scheduler. */
	cpu = bench_cpu_seconds(b->rollerd) - cpu;
	bench_sort(times);
	printf("%-40s rows=%-4zu ms p50=%-6.2f p99=%-6.2f max=%-6.2f rollerd cpu/call=%.2f\n",
	       label, rows, bench_percentile(times, 50) / 1e3, bench_percentile(times, 99) / 1e3,
	       g_array_index(times, gint64, times->len - 1) / 1e3, cpu * 1e3 / b->repeats);
	return bench_percentile(times, 99);
}

static gint64
time_query(Bench *b, const char *label, const char *filter)
{
	g_autoptr(GError) error = NULL;
	GVariant *args = g_variant_parse(G_VARIANT_TYPE("(a{sv})"), filter, NULL, NULL, &error);

	if (!args)
		bench_die("filter %s: %s", filter, error->message);
	return time_calls(b, label, "/org/rollerd", "org.rollerd.Manager1", "QuerySessions",
			  args);
}

/* Session objects a client opens from a page: a fresh id each time. */
static void
time_sessions(Bench *b)
{
	g_autoptr(GArray) get = g_array_new(FALSE, FALSE, sizeof(gint64));
	g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(gint64));

	for (guint i = 0; i < b->repeats; i++) {
		guint64 id = 1 + (guint64)i * N_SESSIONS / b->repeats;
		gint64 t0 = g_get_monotonic_time(), t1;
		g_autoptr(GVariant) ret = bench_call(b->bus, "/org/rollerd", "org.rollerd.Manager1",
						     "GetSession", g_variant_new("(t)", id));
		g_autoptr(GVariant) props = NULL;
		const char *path;

		t1 = g_get_monotonic_time();
		g_variant_get(ret, "(&o)", &path);
		props = bench_call(b->bus, path, "org.freedesktop.DBus.Properties", "GetAll",
				   g_variant_new("(s)", "org.rollerd.Session1"));
		t0 = t1 - t0;
		t1 = g_get_monotonic_time() - t1;
		g_array_append_val(get, t0);
		g_array_append_val(all, t1);
	}
	bench_sort(get);
	bench_sort(all);
	printf("%-40s           ms p50=%-6.2f p99=%-6.2f max=%.2f\n", "GetSession (a new id)",
	       bench_percentile(get, 50) / 1e3, bench_percentile(get, 99) / 1e3,
	       g_array_index(get, gint64, get->len - 1) / 1e3);
	printf("%-40s           ms p50=%-6.2f p99=%-6.2f max=%.2f\n", "Session1 GetAll",
	       bench_percentile(all, 50) / 1e3, bench_percentile(all, 99) / 1e3,
	       g_array_index(all, gint64, all->len - 1) / 1e3);
}

static gint64
run_queries(Bench *b)
{
	const char *sim_args[] = { "--stored=0", NULL };
	g_autofree char *area = rd_area_to_string(rollers[0].areas[0]);
	g_autofree char *by_area = g_strdup_printf("({'area': <'%s'>},)", area);
	g_autofree char *by_roller = g_strdup_printf("({'roller': <'%s'>},)", rollers[0].serial);
	g_autofree char *by_address = g_strdup_printf("({'roller': <'%s'>, "
						      "'offset': <uint32 1000>},)",
						      rollers[0].address);
	g_autofree char *by_time = g_strdup_printf("({'since': <int64 %d>, 'until': <int64 %d>},)",
						   FILL_END - 120 * DAY, FILL_END - 90 * DAY);
	g_autofree char *by_all = g_strdup_printf("({'roller': <'%s'>, 'area': <'%s'>, "
						  "'since': <int64 %d>, 'until': <int64 %d>},)",
						  rollers[0].serial, area,
						  FILL_END - 365 * DAY, FILL_END - 180 * DAY);
	const char *const cases[][2] = {
		{ "query all offset=0", "({'limit': <uint32 100>},)" },
		{ "query all offset=5000", "({'offset': <uint32 5000>},)" },
		{ "query all offset=9900", "({'offset': <uint32 9900>},)" },
		{ "query area", by_area },
		{ "query roller (serial)", by_roller },
		{ "query roller (address) offset=1000", by_address },
		{ "query since/until (30 days)", by_time },
		{ "query roller+area+since/until (6 mo)", by_all },
	};
	gint64 p99 = 0;

	start(b, sim_args);
	/* Not measured: the first call after start (statements, page cache). */
	g_variant_unref(bench_call(b->bus, "/org/rollerd", "org.rollerd.Manager1",
				   "QuerySessions", g_variant_new_parsed("(@a{sv} {},)")));
	/* The limit is QuerySessions' default, 100, where not given. */
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		gint64 t = time_query(b, cases[i][0], cases[i][1]);

		p99 = MAX(p99, t);
	}
	time_sessions(b);
	stop(b);
	return p99;
}

/* Sync of roller-sim's @address at @mtu; returns the wall time in s. */
static double
run_sync(Bench *b, const char *address, guint mtu, double *rollerd_share)
{
	g_autofree char *mtu_arg = g_strdup_printf("--mtu=%u", mtu);
	g_autofree char *address_arg = g_strconcat("--address=", address, NULL);
	g_autofree char *stored_arg = g_strdup_printf("--stored=%u", SYNC_RECORDS);
	g_autofree char *path = g_strdup_printf("/org/rollerd/roller/%s", address);
	const char *sim_args[] = { stored_arg, mtu_arg, address_arg, NULL };
	const char *paths[] = { path, NULL };
	double cpu0[3], cpu1[3], wall;
	GPid pids[3];
	gint64 t0, connect_us;
	guint sub;

	g_strdelimit(path, ":", '_');
	start(b, sim_args);
	pids[0] = b->rollerd;
	pids[1] = b->sim;
	pids[2] = b->bus_daemon;
	bench_discover(b->bus, paths);
	connect_us = g_get_monotonic_time();
	g_variant_unref(bench_call(b->bus, path, "org.rollerd.Roller2", "Connect", NULL));
	connect_us = g_get_monotonic_time() - connect_us;
	sub = g_dbus_connection_signal_subscribe(test_bus_get_connection(b->bus), "org.rollerd",
						 "org.rollerd.Roller2", "SyncFinished", path,
						 NULL, G_DBUS_SIGNAL_FLAGS_NONE,
						 on_sync_finished, b, NULL);
	b->finished_us = 0;
	for (int i = 0; i < 3; i++)
		cpu0[i] = bench_cpu_seconds(pids[i]);
	t0 = g_get_monotonic_time();
	g_variant_unref(bench_call(b->bus, path, "org.rollerd.Roller2", "Sync", NULL));
	if (!test_bus_wait_until(sync_finished, b, 600000))
		bench_die("the sync did not finish");
	for (int i = 0; i < 3; i++)
		cpu1[i] = bench_cpu_seconds(pids[i]);
	g_dbus_connection_signal_unsubscribe(test_bus_get_connection(b->bus), sub);
	if (*b->sync_error || b->stored != SYNC_RECORDS) {
		test_bus_dump_log(b->bus, "rollerd");
		bench_die("sync stored %u of %u: %s", b->stored, SYNC_RECORDS, b->sync_error);
	}
	wall = (b->finished_us - t0) / 1e6;
	*rollerd_share = (cpu1[0] - cpu0[0]) / wall;
	printf("sync MTU %u: %u records in %.2f s, %.0f records/s (Connect before it %.2f s)\n"
	       "  cpu s (share of the sync): rollerd %.2f (%.2f, %.2f ms/record) "
	       "roller-sim %.2f (%.2f) dbus-daemon %.2f (%.2f)\n",
	       mtu, SYNC_RECORDS, wall, SYNC_RECORDS / wall, connect_us / 1e6,
	       cpu1[0] - cpu0[0], *rollerd_share, (cpu1[0] - cpu0[0]) * 1e3 / SYNC_RECORDS,
	       cpu1[1] - cpu0[1], (cpu1[1] - cpu0[1]) / wall,
	       cpu1[2] - cpu0[2], (cpu1[2] - cpu0[2]) / wall);
	stop(b);
	return wall;
}

static GPid
bus_daemon_pid(TestBus *bus)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret =
		g_dbus_connection_call_sync(test_bus_get_connection(bus), "org.freedesktop.DBus",
					    "/org/freedesktop/DBus", "org.freedesktop.DBus",
					    "GetConnectionUnixProcessID",
					    g_variant_new("(s)", "org.freedesktop.DBus"),
					    G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
					    NULL, &error);
	guint32 pid;

	if (!ret)
		bench_die("dbus-daemon's pid: %s", error->message);
	g_variant_get(ret, "(u)", &pid);
	return (GPid)pid;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *config = NULL;
	Bench b = { 0 };
	double share, share517, wall;
	gint64 p99;

	g_set_prgname("bench-history");
	/* Each figure as it comes, between the children's messages on stderr. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	b.repeats = argc > 1 ? (guint)atoi(argv[1]) : 200;
	if (b.repeats == 0)
		bench_die("usage: bench-history [REPEATS]");
	if (!g_getenv("ROLLER_BUILDDIR"))
		g_setenv("ROLLER_BUILDDIR", ".", TRUE);
	b.bus = test_bus_new();
	b.bus_daemon = bus_daemon_pid(b.bus);
	b.state_dir = g_build_filename(test_bus_get_dir(b.bus), "rollerd", NULL);
	/* The sync is timed from its own call, not from the connection. */
	config = g_build_filename(test_bus_get_dir(b.bus), "rollerd.conf", NULL);
	if (!g_file_set_contents(config, "[Daemon]\nSyncOnConnect=false\n", -1, &error))
		bench_die("%s", error->message);
	b.config_arg = g_strconcat("--config=", config, NULL);

	printf("bench-history: %u sessions, %u rollers, %u days; %u calls per case\n",
	       N_SESSIONS, N_ROLLERS, FILL_DAYS, b.repeats);
	fill(b.state_dir);
	p99 = run_queries(&b);
	wall = run_sync(&b, "C0:52:4C:00:00:01", 247, &share);
	run_sync(&b, "C0:52:4C:00:01:01", 517, &share517);
	printf("targets: page p99 < 20 ms; sync bound by the link, rollerd's CPU share well "
	       "under 1\n");
	printf("history page100 p99 ms=%.2f sync300 s=%.2f rollerd cpu share=%.2f\n",
	       p99 / 1e3, wall, share);
	test_bus_free(b.bus);
	g_free(b.state_dir);
	g_free(b.config_arg);
	g_free(b.sync_error);
	return 0;
}
