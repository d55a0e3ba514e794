/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SimGatt: a roller's GATT database as D-Bus objects (GattService1,
 * GattCharacteristic1, GattDescriptor1) and the handlers of their methods.
 *
 * The same tree serves both modes:
 *  - mock: the objects bluetoothd exports for a remote device it is
 *    connected to, at .../dev_XX/serviceHHHH/charHHHH/descHHHH with the
 *    roller's attribute handles; calls come from a central and get the
 *    answers and errors of bluetoothd's src/gatt-client.c;
 *  - peripheral: the application registered with
 *    GattManager1.RegisterApplication; calls come from bluetoothd (with
 *    the device, mtu and link options) and errors are the names
 *    src/gatt-database.c turns back into ATT errors.
 */
#pragma once

#include <gio/gio.h>

#include "sim/sim-config.h"
#include "sim/host/sim-roller.h"

typedef enum {
	SIM_GATT_MOCK,
	SIM_GATT_PERIPHERAL,
} SimGattMode;

typedef struct _SimGatt SimGatt;

/* Called once: @error_name NULL to go on, else the org.bluez.Error name
 * and message to answer the waiting access with. */
typedef void (*SimGattSecuredFunc)(gpointer data, const char *error_name,
				   const char *message);

typedef struct {
	/*
	 * Peripheral mode: bluetoothd called with options naming the
	 * central's Device1 object (NULL when the call carries none, as
	 * StartNotify) and the link's MTU (0 when unknown).  The host
	 * connects the roller if it is not.
	 */
	void (*link_hint)(gpointer user_data, const char *device, guint16 mtu);
	/*
	 * Mock mode, a roller that requires encryption (NULL: it does not):
	 * asked before a central's ReadValue, WriteValue, StartNotify,
	 * AcquireNotify or AcquireWrite on the Roller service; calls @done.
	 */
	void (*secure)(gpointer user_data, SimGattSecuredFunc done, gpointer data);
} SimGattHost;

/*
 * @root: the device's path (mock) or the application's root (peripheral).
 * @host may be NULL in mock mode.
 */
SimGatt *sim_gatt_new(SimGattMode mode, SimRoller *roller, const char *root,
		      const SimGattHost *host, gpointer host_data);
void sim_gatt_free(SimGatt *gatt);

/* Adds every object not there yet to @manager (InterfacesAdded), or
 * removes them all. */
void sim_gatt_export(SimGatt *gatt, GDBusObjectManagerServer *manager);
void sim_gatt_unexport(SimGatt *gatt);
gboolean sim_gatt_is_exported(SimGatt *gatt);
/* Peripheral mode, before the export: the Roller service's
 * characteristics get the encrypt-read, -write, -notify and -indicate
 * flags their properties call for, so bluetoothd requires encryption. */
void sim_gatt_set_require_encryption(SimGatt *gatt, gboolean encrypt);
/*
 * A Service Changed handled service by service, as bluetoothd does: each
 * call removes the last service still exported (its sockets hang up, its
 * sessions end); FALSE when none was left.  Until the last has gone, a
 * central that unsubscribes from a characteristic still exported records
 * a hazard.
 */
gboolean sim_gatt_remove_last_service(SimGatt *gatt);
/* A Service Changed of one service, by UUID: FALSE when it is not there. */
gboolean sim_gatt_remove_service(SimGatt *gatt, const char *uuid);
/* What centrals did that would crash a real bluetoothd, in words. */
GStrv sim_gatt_get_hazards(SimGatt *gatt);

/* The roller connected or disconnected (mock: the device's ATT link). */
void sim_gatt_link_up(SimGatt *gatt);
void sim_gatt_link_down(SimGatt *gatt);
/* Between Device1.Disconnect and the link going down. */
void sim_gatt_set_disconnecting(SimGatt *gatt, gboolean disconnecting);

/* A notification or indication from the roller, to its subscribers. */
void sim_gatt_deliver(SimGatt *gatt, enum model_char_id ch,
		      const guint8 *data, gsize len);

/* The primary services' UUIDs, sorted as bluetoothd lists Device1.UUIDs. */
GStrv sim_gatt_service_uuids(SimGattMode mode);
