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
rm_cursor_new(const char *state_dir, GError **error)
{
	g_autoptr(RmCursor) c = g_new0(RmCursor, 1);
	g_autofree char *text = NULL;
	g_autoptr(GError) local = NULL;

	g_queue_init(&c->in_flight);
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

void
rm_cursor_free(RmCursor *c)
{
	if (!c)
		return;
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

gboolean
rm_cursor_acked(RmCursor *c, int mid, GError **error)
{
	guint64 before = c->acked;
	g_autofree char *text = NULL;
	InFlight *f;

	for (GList *l = c->in_flight.head; l; l = l->next) {
		f = l->data;
		if (f->mid == mid)
			f->acked = TRUE;
	}
	while ((f = g_queue_peek_head(&c->in_flight)) && f->acked) {
		c->acked = f->id;
		c->acked_start = f->start;
		c->acked_start_known = TRUE;
		g_free(g_queue_pop_head(&c->in_flight));
	}
	if (c->acked == before)
		return TRUE;
	text = g_strdup_printf("%" G_GUINT64_FORMAT " %" G_GINT64_FORMAT "\n", c->acked,
			       c->acked_start);
	/* g_file_set_contents writes a temporary file, syncs and renames it. */
	if (!g_file_set_contents_full(c->path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
				      error)) {
		g_prefix_error(error, "Cannot save the acknowledged session id: ");
		return FALSE;
	}
	return TRUE;
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
