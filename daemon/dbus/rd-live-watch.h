/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who watches a roller's live session: Roller2.WatchLive and UnwatchLive
 * (one watch per caller, ended by UnwatchLive or by leaving the bus; the
 * roller sends LiveUpdate and Stroke only while one exists) and
 * AcquireLiveStream (a stream of the caller's own, which sends no
 * signal).
 */
#pragma once

#include <gio/gio.h>

#include "common/rd-dbus-generated.h"
#include "daemon/live/rd-live.h"

/* Callers watching one roller; a watch costs rollerd a name watch on the bus. */
#define RD_LIVE_WATCH_MAX 64

typedef struct _RdLiveWatch RdLiveWatch;

/* Handles the three methods on @iface for @live, the roller at @address. */
RdLiveWatch *rd_live_watch_new(GDBusConnection *bus, RdDbusRoller2 *iface, RdLive *live,
			       const char *address);
void rd_live_watch_free(RdLiveWatch *watch);
