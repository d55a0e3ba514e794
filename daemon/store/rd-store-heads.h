/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Needle heads' wear, under the commits and the schema (see rd-store.h). */
#pragma once

#include "rd-store-db.h"

/*
 * A new head of @needle_um fitted at @when; its id in *head_id (may be
 * NULL).  @what leads the error message.
 */
gboolean rd_store_heads_fit(RdStoreDb *db, const char *serial, guint16 needle_um,
			    gint64 when, const char *what, gint64 *head_id,
			    GError **error);

/*
 * The head a session at @start with @needle_um counts towards (creating
 * one if needed), its counts raised; *head_id 0 if none (length unknown
 * and no head yet).  Runs inside the caller's transaction.
 */
gboolean rd_store_heads_count_session(RdStoreDb *db, const char *serial,
				      guint16 needle_um, gint64 start,
				      guint32 strokes, gint64 *head_id,
				      GError **error);

/* Adds @delta strokes (floored at 0) to head @head_id; nothing for id 0. */
gboolean rd_store_heads_add_strokes(RdStoreDb *db, gint64 head_id, gint64 delta,
				    GError **error);
