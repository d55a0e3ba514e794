/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A roller's live session on D-Bus: telemetry goes into an RdLiveSession,
 * the session is exported as org.rollerd.Session1 at <roller>/live while
 * it runs (rd-live-object), every applied frame goes to the live streams
 * at once (rd-live-stream); while the roller is watched, LiveUpdate is
 * emitted at most LiveUpdateMaxHz a second, evenly spaced (rd-rate-limit),
 * the session's last values included, and every stroke as Stroke; every
 * feedback alert as Alert; at its end the summary and force trace go to
 * the store.  Malformed frames, in a session or
 * not, are counted by error name (Roller2.FramesRejected, and the
 * session's) and logged at most once per burst (rd-rejects.h).
 */
#pragma once

#include <gio/gio.h>

#include "daemon/rd-context.h"
#include "common/rd-dbus-generated.h"
#include "rd-live-stream.h"
#include "roller-info.h"

typedef struct _RdLive RdLive;

RdLive *rd_live_new(RdContext *ctx, RdDbusRoller2 *roller, const char *roller_path);
void rd_live_free(RdLive *live);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdLive, rd_live_free)

/* What the roller told about itself; needed before frames make sense. */
void rd_live_set_roller_info(RdLive *live, const struct roller_info *info,
			     const char *serial, const char *address);
/* The area of the session rollerd started (SESSION_START also says it). */
void rd_live_set_area(RdLive *live, guint8 area_id);

/* One Telemetry notification: the one place it is parsed (CRC included). */
void rd_live_feed_telemetry(RdLive *live, const guint8 *data, gsize len);
/*
 * A Status read or notification: ends a session the roller ended, at its
 * SESSION_END frame or RD_LIVE_END_GRACE_MS later, whichever is first.
 */
#define RD_LIVE_END_GRACE_MS 2000
void rd_live_feed_status(RdLive *live, const struct roller_status *status);
/* The link went down: the session goes on in the roller; keep waiting. */
void rd_live_link_lost(RdLive *live);

/* Whether any client watches the roller (Roller2.WatchLive). */
void rd_live_set_watched(RdLive *live, gboolean watched);
/* The roller's live streams, for Roller2.AcquireLiveStream. */
RdLiveStream *rd_live_get_stream(RdLive *live);
