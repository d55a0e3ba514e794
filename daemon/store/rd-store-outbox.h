/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The outbox of the clinic's shared journal (docs/clinic.md): the rows the
 * schema's triggers write in the transaction of each change to people,
 * sessions, notes and needle heads (rd-store-schema.c, version 4), read in
 * order by the sender and deleted once PostgreSQL committed them.
 */
#pragma once

#include <glib.h>

#include "rd-store.h"

typedef struct {
	gint64 seq;	/* increasing, never reused */
	char *kind;	/* person, person-delete, session, session-delete, notes, head */
	char *body;	/* JSON; NULL: the session or note is gone since */
	gint64 at;	/* this room's clock at the change */
} RdOutboxRow;

void rd_outbox_row_free(RdOutboxRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdOutboxRow, rd_outbox_row_free)

/*
 * Switches the recording on or off, in one transaction.  Switched on from
 * off, every person, head, session and note already in the journal is
 * written to the outbox once (a room joining a clinic brings its history;
 * sent twice, it is stored once).  Off, the outbox is emptied: a journal
 * that leaves the clinic keeps nothing for it.
 */
gboolean rd_store_outbox_enable(RdStore *store, gboolean on, GError **error);

/* Up to @limit rows with seq > @after, in seq order, into *rows. */
gboolean rd_store_outbox_read(RdStore *store, gint64 after, guint limit,
			      GPtrArray **rows, GError **error);

/* Deletes the rows up to @seq: PostgreSQL committed them. */
gboolean rd_store_outbox_done(RdStore *store, gint64 seq, GError **error);

/*
 * When the journal's outbox never counted up to @cursor (the clinic's
 * count for this room: this journal is a restored backup, or a new one),
 * its rows and its counter move past @cursor, in order, in one
 * transaction; else nothing changes.
 */
gboolean rd_store_outbox_rebase(RdStore *store, gint64 cursor, GError **error);

/* Rows waiting. */
gboolean rd_store_outbox_count(RdStore *store, gint64 *count, GError **error);
