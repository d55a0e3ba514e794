/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The D-Bus side: a client of org.rollerd.  It follows the Roller2
 * objects (ObjectManager), watches each for LiveUpdate (WatchLive, the
 * watch ending with the bridge's connection), and reports their
 * properties, live values, alerts, reminders and the sessions rollerd
 * stored (rm-rollerd-calls makes the calls).  All asynchronous: the
 * bridge never waits on rollerd either.
 */
#pragma once

#include <gio/gio.h>

#include "mqtt/rm-payload.h"

typedef struct _RmRollerd RmRollerd;

/* A roller's properties of interest, valid during the callback. */
typedef struct {
	const char *path;
	const char *address;
	const char *name;
	const char *serial;
	const char *model;
	const char *firmware;
	const char *state;
	guint8 battery;		/* 255 unknown */
	gboolean connected;
	guint16 stored_records;
	gboolean storage_full;
} RmRollerState;

typedef struct {
	/* A roller appeared or one of its properties changed. */
	void (*roller_changed)(const RmRollerState *s, gpointer user_data);
	/* rollerd (again) on the bus, and every roller it knows reported. */
	void (*listed)(gpointer user_data);
	/* A roller is gone: forgotten, or rollerd left the bus. */
	void (*roller_removed)(const char *path, gboolean forgotten, gpointer user_data);
	void (*live)(const char *path, const RmLiveValues *v, gpointer user_data);
	void (*alert)(const char *path, const char *kind, const char *message,
		      gpointer user_data);
	void (*reminder)(const char *person, const char *kind, const char *message,
			 gpointer user_data);
	/* rollerd may have stored sessions (a live one ended, a sync finished,
	 * rollerd came back): time to look. */
	void (*sessions_changed)(gpointer user_data);
} RmRollerdCallbacks;

RmRollerd *rm_rollerd_new(GBusType bus_type, const RmRollerdCallbacks *cb,
			  gpointer user_data);
void rm_rollerd_free(RmRollerd *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RmRollerd, rm_rollerd_free)

/* Calls @fn for every roller known now. */
void rm_rollerd_foreach_roller(RmRollerd *r, void (*fn)(const RmRollerState *s, gpointer data),
			       gpointer data);
/* Whether rollerd is on the bus and its rollers are all known here. */
gboolean rm_rollerd_is_listed(RmRollerd *r);
/* The path of the roller whose rm_roller_key() is @key, or NULL. */
const char *rm_rollerd_find_roller(RmRollerd *r, const char *key);

/* The connection while rollerd is on the bus, else NULL (rm-rollerd-calls). */
GDBusConnection *rm_rollerd_get_connection(RmRollerd *r);
/* Cancelled when @r is freed. */
GCancellable *rm_rollerd_get_cancellable(RmRollerd *r);
