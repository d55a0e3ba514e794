/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the monitor's files share: its state (rc-monitor.c keeps it), the
 * full-screen view (rc-monitor-screen.c) and the lines and JSON records
 * off a terminal (rc-monitor-print.c).
 */
#pragma once

#include "rc-common.h"
#include "rc-force-view.h"
#include "rc-live-stream.h"

#define RC_MONITOR_ALERTS_KEPT 8

typedef struct {
	char *kind;
	char *message;
} RcMonitorAlert;

typedef struct {
	GMainLoop *loop;
	RdDbusManager1 *manager;
	RdDbusRoller2 *roller;
	RcLiveStream *stream;
	GCancellable *cancellable;
	gboolean tty;
	gboolean json;
	gboolean color;
	gboolean unicode;
	guint key_watch;
	guint resize_watch;
	guint draw_idle;
	gboolean exit_at_end;
	int exit_code;
	/* A session ran when the monitor started, or a packet came since. */
	gboolean seen_session;
	/* The roller is not connected: the stream is asked for once it is. */
	gboolean waiting_connect;
	/* rollerd closed the stream: asked for again by this timeout. */
	guint reacquire;

	/* The session watched: the latest packet's values (its frame not kept). */
	gboolean have_packet;
	RdLivePacket last;
	gboolean ended;
	/* Its id in the history once stored, 0 while not known. */
	guint64 stored_id;
	/* Packets this monitor lost in the session, from the packets' dropped. */
	guint64 dropped;
	RcForceView *force;
	/* The roller's COVERAGE, with the strokes since counted in. */
	guint8 cols, rows;
	guint8 passes[ROLLER_GRID_CELLS_MAX];
	gboolean have_roll;
	guint16 last_roll;

	/* The newest RcMonitorAlerts, oldest first, each (kind, message) once. */
	GPtrArray *alerts;
	/* Every "kind\nmessage" of the session: an alert is printed once. */
	GHashTable *alerts_seen;
} RcMonitor;

/* The ncurses screen: set up (keys, resizes), drawn, ended. */
void rc_monitor_screen_start(RcMonitor *m);
void rc_monitor_screen_draw(RcMonitor *m);
/* A draw once the packets read by now are applied: one per batch, not per packet. */
void rc_monitor_screen_queue_draw(RcMonitor *m);
void rc_monitor_screen_stop(RcMonitor *m);

/* Off a terminal: a line, or with --json a record, for each. */
void rc_monitor_print_update(RcMonitor *m, const struct roller_frame *frame);
void rc_monitor_print_end(RcMonitor *m);
void rc_monitor_print_alert(RcMonitor *m, const RcMonitorAlert *alert);
