/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Lossless sync of a roller's stored sessions: REPORT_NUMBER, then
 * REPORT_RECORDS, each reassembled record CRC-checked and committed in its
 * own transaction, then DELETE_RECORDS up to the last committed record.
 * A gap, a bad CRC, a disconnect or a timeout ends the attempt; the next
 * one starts from the first uncommitted record.  Nothing is deleted from
 * the roller that is not durably in the store and read back from it as
 * committed; once the store reports damage (corruption, a failed read)
 * nothing is deleted at all.
 */
#pragma once

#include <gio/gio.h>

#include "daemon/rd-context.h"
#include "daemon/bluez/rd-roller-link.h"
#include "common/rd-dbus-generated.h"

typedef struct _RdSync RdSync;

/*
 * Syncs over @link's control point while it is ready; @roller's SyncState,
 * SyncProgress, LastSync and SyncFinished say how it goes, and its Serial
 * keys the records stored.  Both outlive the sync.
 */
RdSync *rd_sync_new(RdContext *ctx, RdRollerLink *link, RdDbusRoller2 *roller);
void rd_sync_free(RdSync *sync);

/*
 * Starts a sync; @invocation (may be NULL) is answered once it has
 * started, or with InProgress when one runs already.
 */
void rd_sync_start(RdSync *sync, GDBusMethodInvocation *invocation);
/* The roller is ready: sync when rollerd.conf says so. */
void rd_sync_link_ready(RdSync *sync);
void rd_sync_link_lost(RdSync *sync);
/* One Record Transfer notification. */
void rd_sync_feed_chunk(RdSync *sync, const guint8 *data, gsize len);
/*
 * The roller's current person, who gets a record whose live half is not
 * in the history (its session was started elsewhere); 0: the default.
 */
void rd_sync_set_person(RdSync *sync, gint64 person_id);
