/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a caller can make rollerd spend, checked before a call is
 * dispatched (a GDBus filter, in GDBus's worker thread): arguments over
 * RD_CALL_MAX_ARG_BYTES, an object path or a Properties name longer than
 * D-Bus names can be, and more than RD_CALL_MAX_PENDING unanswered calls
 * from one caller are answered at once with a short error that never
 * repeats the caller's argument, and go no further.  Nothing of such a
 * call reaches the main loop, so a flood cannot queue there or delay
 * another caller's Ping.
 */
#pragma once

#include <gio/gio.h>

/* The largest legitimate call (SetNotes with long notes) is far below. */
#define RD_CALL_MAX_ARG_BYTES (64 * 1024)
/* Names of interfaces, members and properties are at most 255 bytes. */
#define RD_CALL_MAX_NAME_BYTES 255
/* rollerctl and scripts wait for each answer; a few in parallel is plenty. */
#define RD_CALL_MAX_PENDING 32

typedef struct _RdCallGuard RdCallGuard;

RdCallGuard *rd_call_guard_new(GDBusConnection *bus);
void rd_call_guard_free(RdCallGuard *guard);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdCallGuard, rd_call_guard_free)

/* Calls refused so far (for the log and tests). */
guint rd_call_guard_get_refused(RdCallGuard *guard);
