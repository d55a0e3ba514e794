/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --ground-truth DIR: what a roller really sent, for tests to compare
 * with what a central made of it.  One file per roller, DIR/<ADDRESS>.txt:
 *
 *   frame <hex>     a Telemetry frame handed to the link
 *   lost <hex>      a Telemetry frame --fault-drop-notify lost on the way
 *   hostile <hex>   a malformed Telemetry frame a hostile roller sent
 *                   (--fault-hostile-frames, --fault-flood; sim-hostile.h)
 *   record id=...   the canonical dump (spec section 8, three lines) of
 *   coverage ...    each record stored when a session ended
 *   trace ...
 *   at <us>         with --ground-truth-times, after each frame or lost
 *                   line: g_get_monotonic_time() when it was handed over
 *                   (CLOCK_MONOTONIC, comparable across processes)
 *
 * Each line is flushed at once, so a test can read the file while the
 * simulator runs.
 */
#pragma once

#include <glib.h>

typedef struct _SimGroundTruth SimGroundTruth;

SimGroundTruth *sim_ground_truth_open(const char *dir, const char *address,
				      gboolean times, GError **error);
void sim_ground_truth_close(SimGroundTruth *truth);

/*
 * A Telemetry frame, and its "at" line with times; not yet flushed, so
 * that the stamp is taken just before the frame is sent: call
 * sim_ground_truth_flush() once it is.
 */
void sim_ground_truth_frame(SimGroundTruth *truth, const guint8 *frame,
			    gsize len, gboolean delivered);
void sim_ground_truth_flush(SimGroundTruth *truth);
/* A hostile frame handed to the link (no "at" line follows it). */
void sim_ground_truth_hostile(SimGroundTruth *truth, const guint8 *frame, gsize len);
void sim_ground_truth_record(SimGroundTruth *truth, const guint8 *record,
			     gsize len);
