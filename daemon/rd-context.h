/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the daemon's parts share: its bus, BlueZ, the store and settings. */
#pragma once

#include <gio/gio.h>

#include "daemon/bluez/rd-bluez.h"

typedef struct _RdStore RdStore;
typedef struct _RdAgent RdAgent;
typedef struct _RdConfig RdConfig;
typedef struct _RdClinic RdClinic;

typedef struct {
	GDBusConnection *bus;			/* where org.rollerd is */
	gboolean system_bus;			/* FALSE: rollerd --session */
	GDBusObjectManagerServer *object_manager;
	RdBluez *bluez;
	/* rollerd's pairing agent (daemon/bluez/rd-agent.h). */
	RdAgent *agent;
	RdStore *store;
	const RdConfig *config;
	/* The clinic's shared journal, NULL without [Clinic] (daemon/clinic/). */
	RdClinic *clinic;
	char *state_dir;
	/* FALSE: StartNotify only (rollerd --no-acquire-notify). */
	gboolean acquire_notify;
	/* Roller2.Forget: the daemon drops the roller (after the reply). */
	void (*forget_roller)(gpointer owner, const char *address);
	/* A roller's remembered settings changed (serial, auto-connect). */
	void (*rollers_changed)(gpointer owner);
	/* A stored session changed under its exported Session1 (a merge). */
	void (*session_changed)(gpointer owner, gint64 session_id);
	/* Sessions were stored, moved or removed, or people changed: the
	 * plan, hence the reminders, may have too. */
	void (*sessions_changed)(gpointer owner);
	/* Person @person_id was removed: rollers choosing them choose the default. */
	void (*person_removed)(gpointer owner, gint64 person_id);
	gpointer owner;
} RdContext;
