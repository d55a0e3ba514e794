/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What rd-roller.c (the object) and rd-roller-link.c (the link) share. */
#pragma once

#include "daemon/bluez/rd-control-point.h"
#include "common/rd-dbus-generated.h"
#include "daemon/bluez/rd-gatt.h"
#include "daemon/live/rd-live.h"
#include "rd-roller.h"
#include "roller-info.h"

typedef enum {
	RD_CHAR_TELEMETRY,
	RD_CHAR_CONTROL_POINT,
	RD_CHAR_RECORD_TRANSFER,
	RD_CHAR_ROLLER_INFO,
	RD_CHAR_STATUS,
	RD_CHAR_BATTERY_LEVEL,
	RD_CHAR_SERIAL,
	RD_CHAR_MODEL,
	RD_CHAR_FIRMWARE,
	RD_CHAR_COUNT,
} RdChar;

typedef enum {
	RD_LINK_DISCONNECTED,
	RD_LINK_CONNECTING,
	RD_LINK_RESOLVING,
	RD_LINK_SETUP,
	RD_LINK_READY,
} RdLinkState;

typedef struct _RdSync RdSync;

struct _RdRoller {
	RdContext *ctx;
	char *address;
	char *path;
	char *serial;
	RdDbusObjectSkeleton *object;
	RdDbusRoller1 *iface;

	/* the link */
	GDBusProxy *device;
	gulong device_props_handler;
	RdLinkState link;
	gboolean auto_connect;
	guint reconnect_id;
	guint backoff_s;
	guint resolve_timeout_id;
	/* After the GATT server went with the link up: the chars (1 << RdChar)
	 * it had, which setting up again waits for. */
	guint chars_before;
	GCancellable *link_cancellable;
	GList *connect_waiters;		/* GDBusMethodInvocation */
	int setup_pending;
	GDBusProxy *chr[RD_CHAR_COUNT];
	RdGattNotify *notify[RD_CHAR_COUNT];
	RdControlPoint *cp;

	/* what the roller said */
	struct roller_info info;
	gboolean have_info;
	struct roller_status status;
	gboolean have_status;

	RdLive *live;
	RdSync *sync;
};

/* rd-roller-link.c */
void rd_roller_link_connect(RdRoller *r, GDBusMethodInvocation *invocation);
void rd_roller_link_disconnect(RdRoller *r, GDBusMethodInvocation *invocation);
void rd_roller_link_free(RdRoller *r);

/* rd-roller.c, called by the link */
void rd_roller_update_state_property(RdRoller *r);
void rd_roller_handle_value(RdRoller *r, RdChar id, const guint8 *data, gsize len);
void rd_roller_link_ready_hook(RdRoller *r);
void rd_roller_link_lost_hook(RdRoller *r);
void rd_roller_record_chunk_hook(RdRoller *r, const guint8 *data, gsize len);
