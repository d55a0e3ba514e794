/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-daemon's live cases: rollerd against a bleak peer (CPU ratios)
 * and the latency to rollerd's watchers, in interleaved rounds.  See
 * bench-daemon.c's header for what each measures.
 */
#pragma once

#include <glib.h>

typedef struct {
	const char *argv0;	/* bench-daemon's own path, for --watcher */
	guint seconds;		/* of each measured run */
	guint runs;		/* interleaved rounds */
	gboolean bleak;		/* with the bleak peer; FALSE: rollerd only */
} BenchPeerOptions;

/* The interleaved rounds at --speed @speed, printed. */
void bench_peer_run(const BenchPeerOptions *options, double speed, const char *label);
