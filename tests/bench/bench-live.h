/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The live rig of bench-daemon: a private bus, `roller-sim --mock-bluez`
 * with N rollers on it (ground truth with send times), rollerd (or not:
 * the bleak peer connects by itself), every roller's live session
 * started; and the watchers of org.rollerd, each a child process
 * (bench-daemon --watcher) so that its CPU time can be counted.
 */
#pragma once

#include "bench-util.h"

typedef enum {
	BENCH_WATCH_NONE,	/* nobody watches org.rollerd */
	BENCH_WATCH_STREAM,	/* a reader of Roller2.AcquireLiveStream */
	BENCH_WATCH_SIGNAL,	/* Roller2.WatchLive and a match on LiveUpdate */
} BenchWatch;

const char *bench_watch_name(BenchWatch watch);

typedef struct {
	guint n;		/* rollers */
	double speed;		/* roller-sim --speed */
	gboolean rollerd;	/* start rollerd and connect it to every roller */
	/* Words run before rollerd (valgrind ...), NULL-terminated, or NULL. */
	const char *const *rollerd_wrapper;
} BenchRigOptions;

typedef struct {
	TestBus *bus;
	GDBusConnection *conn;
	GPid sim;
	GPid rollerd;		/* 0 without rollerd */
	GPid daemon;		/* the bus's dbus-daemon */
	char *truth;		/* roller-sim's ground truth directory */
	guint n;
} BenchRig;

/* Roller @i's address ("C0:52:4C:00:00:01" for 0) and Roller2 path. */
char *bench_roller_address(guint i);
char *bench_roller_path(guint i);

BenchRig *bench_rig_new(const BenchRigOptions *options);
/* Every roller starts a session as its button would (Sim1.PressButton). */
void bench_rig_start_sessions(BenchRig *rig);
void bench_rig_free(BenchRig *rig);

/*
 * The send times (monotonic µs) of roller @i's delivered Telemetry frames,
 * in order (frame k of the session is element k - 1); *@in_window is
 * increased by those sent in [since_us, until_us).
 */
GArray *bench_frame_times(BenchRig *rig, guint i, gint64 since_us, gint64 until_us,
			  guint *in_window);

/* What a watcher received: one per packet or LiveUpdate. */
typedef struct {
	gint64 receipt_us;	/* the watcher's monotonic clock */
	gint64 arrival_us;	/* the packet's arrival_us; 0 for a LiveUpdate */
	guint frames;		/* frames applied in the session */
} BenchReceipt;

typedef struct {
	BenchWatch watch;
	GPid pid;
	char *out;
} BenchWatcher;

/*
 * Starts a watcher of roller 0 (argv0: this program's path) and waits
 * until it watches; NULL when rollerd does not offer @watch (the watcher
 * said why).
 */
BenchWatcher *bench_watcher_start(BenchRig *rig, BenchWatch watch, const char *argv0);
/* Stops it; what it received (BenchReceipt), in order. */
GArray *bench_watcher_stop(BenchRig *rig, BenchWatcher *watcher);

/* bench-daemon --watcher MODE OUT: the watcher's own main. */
int bench_watcher_main(const char *mode, const char *out);
