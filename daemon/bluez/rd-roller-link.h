/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The link to one roller through BlueZ: its Device1, a state machine
 * (disconnected, connecting, resolving, setting up, ready) reconnected
 * with backoff while wanted, the GATT characteristics and subscriptions,
 * and the Control Point.  What the roller says is reported through the
 * callbacks given at construction; the link knows nothing of its users.
 */
#pragma once

#include <gio/gio.h>

#include "daemon/rd-context.h"
#include "rd-control-point.h"
#include "rd-roller-chars.h"

typedef enum {
	RD_LINK_DISCONNECTED,
	RD_LINK_CONNECTING,
	RD_LINK_RESOLVING,
	RD_LINK_SETUP,
	RD_LINK_READY,
} RdLinkState;

typedef struct _RdRollerLink RdRollerLink;

typedef struct {
	/* The state changed; Connect's callers are answered after READY's. */
	void (*state_changed)(RdLinkState state, gpointer user_data);
	/* Set up (subscribed, read, clock set) and Connect's callers answered. */
	void (*ready)(gpointer user_data);
	/*
	 * The roller's GATT server as it was is gone (link down, or a GATT
	 * restart with the link up).  Called while the Control Point is still
	 * there: what is under way on it fails right after.
	 */
	void (*lost)(gpointer user_data);
	/*
	 * A Roller Info, Status, Battery Level, Serial, Model or Firmware
	 * value, read or notified.  Returns FALSE when it is malformed: setting
	 * up needs a Roller Info that was understood once.
	 */
	gboolean (*value)(RdChar id, const guint8 *data, gsize len, gpointer user_data);
	/* One Telemetry notification. */
	void (*telemetry)(const guint8 *data, gsize len, gpointer user_data);
	/* One Record Transfer notification. */
	void (*record_chunk)(const guint8 *data, gsize len, gpointer user_data);
} RdRollerLinkCallbacks;

/* Disconnected, without a device, not connecting on its own. */
RdRollerLink *rd_roller_link_new(RdContext *ctx, const char *address,
				 const RdRollerLinkCallbacks *callbacks,
				 gpointer user_data);
/* Tears the link down (callbacks included) and stops reconnecting. */
void rd_roller_link_free(RdRollerLink *link);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdRollerLink, rd_roller_link_free)

/* BlueZ exports (or, NULL, no longer exports) the roller's Device1. */
void rd_roller_link_set_device(RdRollerLink *link, GDBusProxy *device);
GDBusProxy *rd_roller_link_get_device(RdRollerLink *link);
/* A GATT characteristic appeared: resolution may complete now. */
void rd_roller_link_characteristic_added(RdRollerLink *link, GDBusProxy *chr);
/* A GattCharacteristic1 at @path went away. */
void rd_roller_link_characteristic_removed(RdRollerLink *link, const char *path);

/* Whether to connect whenever in range; TRUE connects now if it can. */
void rd_roller_link_set_auto_connect(RdRollerLink *link, gboolean auto_connect);
gboolean rd_roller_link_get_auto_connect(RdRollerLink *link);

/* Connects; @invocation is answered once ready, or with why not. */
void rd_roller_link_connect(RdRollerLink *link, GDBusMethodInvocation *invocation);
/* Disconnects; @invocation (may be NULL) is answered with BlueZ's word. */
void rd_roller_link_disconnect(RdRollerLink *link, GDBusMethodInvocation *invocation);

RdLinkState rd_roller_link_get_state(RdRollerLink *link);
gboolean rd_roller_link_is_ready(RdRollerLink *link);
/* The Control Point while set up or ready, otherwise NULL. */
RdControlPoint *rd_roller_link_get_control_point(RdRollerLink *link);
const char *rd_roller_link_get_address(RdRollerLink *link);
