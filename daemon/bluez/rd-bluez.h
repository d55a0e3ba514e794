/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd's view of bluetoothd: one GDBusObjectManagerClient on org.bluez
 * that follows adapters, devices and GATT objects as they come and go,
 * bluetoothd leaving the bus and coming back included.
 */
#pragma once

#include <gio/gio.h>

#define BLUEZ_SERVICE "org.bluez"
#define BLUEZ_ADAPTER_IFACE "org.bluez.Adapter1"
#define BLUEZ_DEVICE_IFACE "org.bluez.Device1"
#define BLUEZ_GATT_SERVICE_IFACE "org.bluez.GattService1"
#define BLUEZ_GATT_CHAR_IFACE "org.bluez.GattCharacteristic1"

typedef struct _RdBluez RdBluez;

typedef struct {
	/* A Device1 appeared (or bluetoothd came back with it). */
	void (*device_added)(RdBluez *bluez, GDBusProxy *device, gpointer user_data);
	/* A Device1 went away; @path was its object path. */
	void (*device_removed)(RdBluez *bluez, const char *path, gpointer user_data);
	/* A GattCharacteristic1 appeared under a device. */
	void (*characteristic_added)(RdBluez *bluez, GDBusProxy *chr,
				     gpointer user_data);
	/* One went away, bluetoothd still running; @path was its object path. */
	void (*characteristic_removed)(RdBluez *bluez, const char *path,
				       gpointer user_data);
	/* An adapter appeared, vanished or changed Powered or Discovering. */
	void (*adapter_changed)(RdBluez *bluez, gpointer user_data);
	/* Once: what bluetoothd has is known (or that it is not running). */
	void (*ready)(RdBluez *bluez, gpointer user_data);
} RdBluezCallbacks;

/* Starts following org.bluez on @bus; bluetoothd need not be running. */
RdBluez *rd_bluez_new(GDBusConnection *bus, const RdBluezCallbacks *callbacks,
		      gpointer user_data);
void rd_bluez_free(RdBluez *bluez);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdBluez, rd_bluez_free)

/* Every Device1 proxy bluetoothd exports now (transfer container). */
GList *rd_bluez_get_devices(RdBluez *bluez);

/* The powered adapter of the lowest index (hciN), or NULL (no transfer). */
GDBusProxy *rd_bluez_get_adapter(RdBluez *bluez);

/* The GattCharacteristic1 of @uuid under @device_path, or NULL. */
GDBusProxy *rd_bluez_find_characteristic(RdBluez *bluez, const char *device_path,
					 const char *service_uuid, const char *uuid);

/*
 * Discovery on the powered adapter, filtered to LE and @uuid (the Roller
 * service).  Errors are BlueZ's, as GDBus gives them.
 */
void rd_bluez_start_discovery(RdBluez *bluez, const char *uuid,
			      GAsyncReadyCallback callback, gpointer user_data);
gboolean rd_bluez_start_discovery_finish(RdBluez *bluez, GAsyncResult *res,
					 GError **error);
void rd_bluez_stop_discovery(RdBluez *bluez);
/* Whether our discovery is running on an adapter bluetoothd still has. */
gboolean rd_bluez_has_discovery(RdBluez *bluez);

/* Property helpers that tolerate a missing property. */
gboolean rd_bluez_get_bool(GDBusProxy *proxy, const char *name);
char *rd_bluez_get_string(GDBusProxy *proxy, const char *name);
/* Whether the Device1's UUIDs list @uuid. */
gboolean rd_bluez_device_has_uuid(GDBusProxy *device, const char *uuid);

/* Maps a GDBus error from BlueZ to an RD_ERROR with a sentence. */
GError *rd_bluez_error_to_rd(const GError *error, const char *doing);
