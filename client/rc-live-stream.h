/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A roller's live stream (Roller2.AcquireLiveStream) read from the main
 * loop: one callback per packet, with its Telemetry frame parsed, and
 * no D-Bus message per update.
 */
#pragma once

#include "rc-common.h"
#include "common/rd-live-packet.h"
#include "roller-frame.h"

typedef struct {
	/*
	 * A packet; @frame is its Telemetry frame (kind FRAME), NULL for
	 * the session's END.  Packets of a later layout version or that do
	 * not parse are skipped.
	 */
	void (*packet)(const RdLivePacket *packet, const struct roller_frame *frame,
		       gpointer user_data);
	/* rollerd closed the stream, or it failed; no packet follows. */
	void (*closed)(gpointer user_data);
} RcLiveStreamCallbacks;

typedef struct RcLiveStream RcLiveStream;

/*
 * Acquires @roller's stream; NULL with @error set from the call (an
 * older rollerd's G_DBUS_ERROR_UNKNOWN_METHOD, NotConnected, ...).
 */
RcLiveStream *rc_live_stream_acquire(RdDbusRoller2 *roller, const RcLiveStreamCallbacks *cb,
				     gpointer user_data, GError **error);
/* Closes the stream (rollerd then drops it); no callback follows. */
void rc_live_stream_free(RcLiveStream *stream);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RcLiveStream, rc_live_stream_free)

/*
 * Reads every packet waiting now, as the main loop would: for a caller
 * that learnt by another way (a D-Bus signal) that packets may be there.
 * Returns FALSE when the stream closed meanwhile (the closed callback ran).
 */
gboolean rc_live_stream_drain(RcLiveStream *stream);
