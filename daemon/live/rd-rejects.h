/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A roller's malformed Telemetry frames: counted per error name of the
 * profile (section 8: TOO_SHORT, TOO_LONG, VERSION, CRC, TRUNCATED,
 * BAD_RECORD) and logged at most once per burst, so that a roller sending
 * junk, or a flood of it, neither floods the journal nor goes unseen.
 *
 * A burst starts with a rejection RD_REJECTS_LOG_INTERVAL_US or more after
 * the last line, and that rejection is logged at once; the others of the
 * burst are only counted, and the next line reports them by name.
 */
#pragma once

#include <glib.h>

#include "roller-proto.h"

#define RD_REJECTS_LOG_INTERVAL_US (10 * G_USEC_PER_SEC)

typedef struct {
	guint32 counts[ROLLER_ERROR_COUNT];	/* by roller_error, all of them */
	guint32 unlogged[ROLLER_ERROR_COUNT];	/* since the last line */
	gboolean logged;
	gint64 logged_us;			/* of the last line */
} RdRejects;

void rd_rejects_init(RdRejects *rejects);

/*
 * Counts one rejected frame of @len bytes from the roller at @address;
 * @now_us is g_get_monotonic_time() or so.  TRUE when it logged a line.
 */
gboolean rd_rejects_add(RdRejects *rejects, const char *address, enum roller_error err,
			gsize len, gint64 now_us);

/*
 * @counts (ROLLER_ERROR_COUNT of them, by roller_error) as an a{su} from
 * error name to count, names never counted left out; floating.
 */
GVariant *rd_rejects_to_variant(const guint32 *counts);
