/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GATT characteristic I/O through BlueZ: reads, writes, and notification
 * subscriptions that take AcquireNotify's socket where BlueZ offers it and
 * fall back to StartNotify's PropertiesChanged on Value where it does not.
 */
#pragma once

#include <gio/gio.h>

void rd_gatt_read(GDBusProxy *chr, GCancellable *cancellable,
		  GAsyncReadyCallback callback, gpointer user_data);
GBytes *rd_gatt_read_finish(GDBusProxy *chr, GAsyncResult *res, GError **error);

/* A write with response ("request"), as the Control Point needs. */
void rd_gatt_write(GDBusProxy *chr, const guint8 *data, gsize len,
		   GCancellable *cancellable, GAsyncReadyCallback callback,
		   gpointer user_data);
gboolean rd_gatt_write_finish(GDBusProxy *chr, GAsyncResult *res, GError **error);

typedef struct _RdGattNotify RdGattNotify;

/* Each notified value, in order; @data is valid only during the call. */
typedef void (*RdGattValueFunc)(const guint8 *data, gsize len, gpointer user_data);
/* The subscription ended on the roller's side (link loss, BlueZ gone, the
 * characteristic removed). */
typedef void (*RdGattClosedFunc)(RdGattNotify *notify, gpointer user_data);

typedef enum {
	RD_GATT_NOTIFY_PENDING,
	RD_GATT_NOTIFY_ACQUIRED,	/* values arrive on a socket */
	RD_GATT_NOTIFY_STARTED,		/* values arrive as PropertiesChanged */
	RD_GATT_NOTIFY_FAILED,
} RdGattNotifyPath;

/*
 * Subscribes to @chr.  With @try_acquire, AcquireNotify first; StartNotify
 * when that is refused (indications, older BlueZ) or not asked for.
 */
RdGattNotify *rd_gatt_notify_new(GDBusProxy *chr, gboolean try_acquire,
				 RdGattValueFunc value_func,
				 RdGattClosedFunc closed_func, gpointer user_data);
/* Stops the subscription (closes the socket or calls StopNotify). */
void rd_gatt_notify_free(RdGattNotify *notify);
RdGattNotifyPath rd_gatt_notify_get_path(RdGattNotify *notify);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdGattNotify, rd_gatt_notify_free)
