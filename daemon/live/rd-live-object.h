/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The live session's org.rollerd.Session1 at <roller>/live, exported
 * while the session runs.  Its values come from the session's summary:
 * sent (PropertiesChanged) when the owner flushes, which rd-live does at
 * most once a second while someone watches the roller, and brought up to
 * date whenever they are read (Get, GetAll, GetManagedObjects), so a
 * reader is right without rollerd sending anything while nobody watches.
 * Its SetNotes, Delete and Export are NotFound: the session is not in
 * the history yet.
 */
#pragma once

#include <gio/gio.h>

#include "rd-live-session.h"

typedef struct _RdLiveObject RdLiveObject;

typedef struct {
	const char *path;
	const char *serial;
	const char *address;
	gint area_id;		/* StartSession's, -1 when unknown */
	gboolean clock_set;
	gint64 start_unix;
} RdLiveObjectInfo;

/* Exports it on @manager; @session must outlive it. */
RdLiveObject *rd_live_object_new(GDBusObjectManagerServer *manager,
				 const RdLiveSession *session, const RdLiveObjectInfo *info);
/* Unexports it. */
void rd_live_object_free(RdLiveObject *object);

/* The area rollerd started the session in, for when SESSION_START has not said. */
void rd_live_object_set_area(RdLiveObject *object, gint area_id);
/* The session took a frame: the values are stale until read or flushed. */
void rd_live_object_changed(RdLiveObject *object);
/* Brings the values up to date and sends what changed now. */
void rd_live_object_flush(RdLiveObject *object);
/* The history's id, once the session is stored. */
void rd_live_object_set_id(RdLiveObject *object, guint64 id);
