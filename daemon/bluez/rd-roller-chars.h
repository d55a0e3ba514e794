/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The GATT characteristics rollerd uses on one roller, found among what
 * BlueZ exports under its Device1, and the subscriptions to them.
 */
#pragma once

#include <gio/gio.h>

#include "rd-bluez.h"
#include "rd-gatt.h"

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

typedef struct _RdRollerChars RdRollerChars;

RdRollerChars *rd_roller_chars_new(void);
void rd_roller_chars_free(RdRollerChars *chars);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdRollerChars, rd_roller_chars_free)

/*
 * Looks each one not found yet up under @device_path.  NULL when every
 * required one is here, and every one in @wanted (1 << RdChar); otherwise
 * the UUID of one still missing.
 */
const char *rd_roller_chars_resolve(RdRollerChars *chars, RdBluez *bluez,
				    const char *device_path, guint wanted);
/* The characteristic, or NULL while it is not found. */
GDBusProxy *rd_roller_chars_get(RdRollerChars *chars, RdChar id);
/* The ones found, as 1 << RdChar. */
guint rd_roller_chars_found(RdRollerChars *chars);

/*
 * Subscribes to @id if found.  A subscription still in force (kept through
 * a GATT restart) is kept; a failed one is made afresh.
 */
void rd_roller_chars_subscribe(RdRollerChars *chars, RdChar id, gboolean acquire,
			       RdGattValueFunc value_func, RdGattClosedFunc closed_func,
			       gpointer user_data);

/* Lets go of the one at @path with its subscription; FALSE if not ours. */
gboolean rd_roller_chars_remove(RdRollerChars *chars, const char *path);
/* Lets go of every one, subscriptions first. */
void rd_roller_chars_clear(RdRollerChars *chars);
