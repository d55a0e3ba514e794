/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "common/rd-error.h"
#include "mqtt/rm-cursor.h"

typedef struct {
	guint64 id;
	gint64 start;
	int mid;
	gboolean acked;
} InFlight;

struct _RmCursor {
	char *path;
	guint64 acked;
	gint64 acked_start;	/* of session @acked */
	gboolean acked_start_known;
	guint64 sent;
	GQueue in_flight;	/* InFlight, oldest first */
	guint save_interval_ms;
	gint64 saved_us;	/* monotonic time of the last write, 0: none yet */
	gboolean dirty;		/* @acked moved since */
	guint save_id;		/* the write deferred to the interval's end */
};

/* "ID START", or "ID" as the first bridges wrote it (no start to check). */
static gboolean
parse(const char *text, RmCursor *c)
{
	g_auto(GStrv) fields = g_strsplit(text, " ", 0);
	gint64 start;

	if (g_strv_length(fields) < 1 || g_strv_length(fields) > 2 ||
	    !g_ascii_string_to_unsigned(fields[0], 10, 0, G_MAXUINT64, &c->acked, NULL))
		return FALSE;
	if (!fields[1])
		return TRUE;
	if (!g_ascii_string_to_signed(fields[1], 10, G_MININT64, G_MAXINT64, &start, NULL))
		return FALSE;
	c->acked_start = start;
	c->acked_start_known = TRUE;
	return TRUE;
}

RmCursor *
rm_cursor_new(const char *state_dir, guint save_interval_ms, GError **error)
{
	g_autoptr(RmCursor) c = g_new0(RmCursor, 1);
	g_autofree char *text = NULL;
	g_autoptr(GError) local = NULL;

	g_queue_init(&c->in_flight);
	c->save_interval_ms = save_interval_ms;
	if (g_mkdir_with_parents(state_dir, 0700) != 0) {
		int e = errno;

		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "Cannot create the state directory %s: %s", state_dir, g_strerror(e));
		return NULL;
	}
	c->path = g_build_filename(state_dir, "acked", NULL);
	if (!g_file_get_contents(c->path, &text, NULL, &local)) {
		if (!g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED, "Cannot read %s: %s",
				    c->path, local->message);
			return NULL;
		}
	} else if (!parse(g_strstrip(text), c)) {
		g_set_error(error, RD_ERROR, RD_ERROR_STORAGE_FAILED,
			    "%s does not hold a session id; remove it to publish every "
			    "session again", c->path);
		return NULL;
	}
	c->sent = c->acked;
	return g_steal_pointer(&c);
}

/* Writes the cursor (a temporary file, synced and renamed), or says why not. */
static void
save(RmCursor *c)
{
	g_autofree char *text = g_strdup_printf("%" G_GUINT64_FORMAT " %" G_GINT64_FORMAT "\n",
						c->acked, c->acked_start);
	g_autoptr(GError) error = NULL;

	g_clear_handle_id(&c->save_id, g_source_remove);
	c->saved_us = g_get_monotonic_time();
	if (!g_file_set_contents_full(c->path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
				      &error)) {
		g_warning("Cannot save the acknowledged session id: %s", error->message);
		return;		/* still dirty: tried again at the next acknowledgement */
	}
	c->dirty = FALSE;
}

static gboolean
save_cb(gpointer data)
{
	RmCursor *c = data;

	c->save_id = 0;
	save(c);
	return G_SOURCE_REMOVE;
}

void
rm_cursor_flush(RmCursor *c)
{
	if (c->dirty)
		save(c);
}

void
rm_cursor_free(RmCursor *c)
{
	if (!c)
		return;
	rm_cursor_flush(c);
	g_clear_handle_id(&c->save_id, g_source_remove);
	g_queue_clear_full(&c->in_flight, g_free);
	g_free(c->path);
	g_free(c);
}

guint64
rm_cursor_get_acked(RmCursor *c)
{
	return c->acked;
}

guint64
rm_cursor_get_sent(RmCursor *c)
{
	return c->sent;
}

gboolean
rm_cursor_get_acked_start(RmCursor *c, gint64 *start)
{
	*start = c->acked_start;
	return c->acked_start_known;
}

guint
rm_cursor_get_in_flight(RmCursor *c)
{
	return c->in_flight.length;
}

void
rm_cursor_sent(RmCursor *c, guint64 id, gint64 start, int mid)
{
	InFlight *f = g_new0(InFlight, 1);

	g_return_if_fail(id > c->sent);
	f->id = id;
	f->start = start;
	f->mid = mid;
	g_queue_push_tail(&c->in_flight, f);
	c->sent = id;
}

void
rm_cursor_acked(RmCursor *c, int mid)
{
	guint64 before = c->acked;
	gint64 wait_us;
	InFlight *f;

	/* Message ids are 16 bits and wrap: one PUBACK acknowledges one message,
	 * the oldest unacknowledged with that id (the broker answers in order). */
	for (GList *l = c->in_flight.head; l; l = l->next) {
		f = l->data;
		if (f->mid == mid && !f->acked) {
			f->acked = TRUE;
			break;
		}
	}
	while ((f = g_queue_peek_head(&c->in_flight)) && f->acked) {
		c->acked = f->id;
		c->acked_start = f->start;
		c->acked_start_known = TRUE;
		g_free(g_queue_pop_head(&c->in_flight));
	}
	if (c->acked == before)
		return;
	/* One synced write per interval at most: a first run over N sessions
	 * would otherwise sync N times, blocking the main loop each time. */
	c->dirty = TRUE;
	if (c->save_id)
		return;
	wait_us = c->saved_us + (gint64)c->save_interval_ms * 1000 - g_get_monotonic_time();
	if (!c->saved_us || wait_us <= 0)
		save(c);
	else
		c->save_id = g_timeout_add((guint)(wait_us / 1000) + 1, save_cb, c);
}

void
rm_cursor_reset(RmCursor *c)
{
	g_queue_clear_full(&c->in_flight, g_free);
	c->sent = c->acked;
}

void
rm_cursor_rewind(RmCursor *c)
{
	g_queue_clear_full(&c->in_flight, g_free);
	c->acked = c->sent = 0;
	c->acked_start_known = FALSE;
}
