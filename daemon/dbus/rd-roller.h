/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One roller: its org.rollerd.Roller2 object, and what it owns and routes
 * between: the link to it through BlueZ (RdRollerLink, each roller its own
 * state machine, reconnected with backoff while wanted), its live session
 * (RdLive) and its sync (RdSync).
 */
#pragma once

#include <gio/gio.h>

#include "daemon/rd-context.h"
#include "daemon/bluez/rd-control-point.h"
#include "roller-info.h"

typedef struct _RdRoller RdRoller;

/* Exports /org/rollerd/roller/<ADDRESS> for a roller at @address. */
RdRoller *rd_roller_new(RdContext *ctx, const char *address, const char *name);
void rd_roller_free(RdRoller *roller);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdRoller, rd_roller_free)

const char *rd_roller_get_address(RdRoller *roller);
const char *rd_roller_get_object_path(RdRoller *roller);
/* The serial from Device Information, "" until read. */
const char *rd_roller_get_serial(RdRoller *roller);

/* The serial remembered from an earlier connection. */
void rd_roller_set_serial(RdRoller *roller, const char *serial);

/* BlueZ exports (or no longer exports) this roller's Device1. */
void rd_roller_set_device(RdRoller *roller, GDBusProxy *device);
gboolean rd_roller_has_device(RdRoller *roller);
/* Its Device1 while BlueZ exports one, else NULL (no transfer). */
GDBusProxy *rd_roller_get_device(RdRoller *roller);
/* A GATT characteristic appeared: resolution may complete now. */
void rd_roller_characteristic_added(RdRoller *roller, GDBusProxy *chr);
/* A GattCharacteristic1 at @path went away. */
void rd_roller_characteristic_removed(RdRoller *roller, const char *path);

/* Whether the roller should be connected whenever it is in range. */
void rd_roller_set_auto_connect(RdRoller *roller, gboolean auto_connect);
gboolean rd_roller_get_auto_connect(RdRoller *roller);

/* Disconnects and stops reconnecting (Forget, shutdown). */
void rd_roller_disconnect(RdRoller *roller);

/* Whether the roller is connected and set up (Control Point usable). */
gboolean rd_roller_is_ready(RdRoller *roller);
RdControlPoint *rd_roller_get_control_point(RdRoller *roller);
const struct roller_info *rd_roller_get_info(RdRoller *roller);

/*
 * CurrentPerson: whose the sessions started on this roller are, and the
 * records synced from it that no live session claims.  The caller checks
 * that the person exists.
 */
void rd_roller_set_current_person(RdRoller *roller, gint64 person_id);
gint64 rd_roller_get_current_person(RdRoller *roller);

/* Path for an address: /org/rollerd/roller/AA_BB_CC_DD_EE_FF. */
char *rd_roller_path_for_address(const char *address);
