/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ack cursor: the highest session id up to which the broker
 * acknowledged (PUBACK) every summary the bridge published, kept in the
 * state directory ("acked", written atomically), so that a restarted
 * bridge publishes from there on: nothing lost, nothing sent twice but
 * what was in flight when it died.  The file holds "ID START": the
 * session's start too, for the journal may be replaced (Manager1.Restore)
 * by an older one whose new sessions take ids at or below ID again.
 */
#pragma once

#include <glib.h>

typedef struct _RmCursor RmCursor;

/* Loads <state_dir>/acked (0 when absent), creating @state_dir 0700. */
RmCursor *rm_cursor_new(const char *state_dir, GError **error);
void rm_cursor_free(RmCursor *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RmCursor, rm_cursor_free)

guint64 rm_cursor_get_acked(RmCursor *c);
/* The highest id handed to the broker since the last reset, else the acked. */
guint64 rm_cursor_get_sent(RmCursor *c);
/* The acknowledged session's start; FALSE when not known (0, or an old file). */
gboolean rm_cursor_get_acked_start(RmCursor *c, gint64 *start);
/* Session @id (started at @start) went out as message @mid; ids must grow. */
void rm_cursor_sent(RmCursor *c, guint64 id, gint64 start, int mid);
/*
 * The broker acknowledged @mid (another message's is ignored); the cursor
 * moves over every acknowledged id with none unacknowledged before it and
 * is saved.  FALSE with @error when saving failed (kept in memory).
 */
gboolean rm_cursor_acked(RmCursor *c, int mid, GError **error);
/* The connection was lost: whatever was in flight goes out again. */
void rm_cursor_reset(RmCursor *c);
/* Back to 0, in memory (saved at the next acknowledgement): every session
 * goes out again. */
void rm_cursor_rewind(RmCursor *c);
