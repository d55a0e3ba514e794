/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SimMockDevice: bluetoothd's org.bluez.Device1 object for one roller the
 * mock adapter has seen, and its LE link: Connect, the GATT browse that
 * exports the roller's GATT objects, ServicesResolved, Disconnect and link
 * loss, as src/device.c does them for an LE device; its pairing is
 * sim-mock-pairing's.
 */
#pragma once

#include <gio/gio.h>

#include "sim/sim-config.h"
#include "sim/host/sim-roller.h"

typedef struct _SimMockDevice SimMockDevice;

/* What the device asks of the adapter it hangs off. */
typedef struct {
	/* Connect fails while the adapter is not powered. */
	gboolean (*adapter_powered)(gpointer user_data);
	/* A pairing bonds (a default agent is registered). */
	gboolean (*bondable)(gpointer user_data);
} SimMockDeviceHost;

/* @host and @host_data outlive the device. */
SimMockDevice *sim_mock_device_new(const SimMockDeviceHost *host, gpointer host_data,
				   SimConfig *cfg, SimRoller *roller,
				   const char *adapter_path,
				   GDBusObjectManagerServer *manager);
/* Adds the Device1 object (InterfacesAdded). */
void sim_mock_device_export(SimMockDevice *device);
/* Unexports the device and its GATT objects; a connected roller loses
 * its link (bluetoothd went away, or the device was removed). */
void sim_mock_device_free(SimMockDevice *device);

const char *sim_mock_device_get_path(SimMockDevice *device);
SimRoller *sim_mock_device_get_roller(SimMockDevice *device);
/* (at): g_get_monotonic_time() of each Connect call so far, oldest first. */
GVariant *sim_mock_device_get_connect_calls(SimMockDevice *device);
/* (uu): Pair calls and pairings completed (sim_mock_pairing_get_counts()). */
GVariant *sim_mock_device_get_pairings(SimMockDevice *device);
/* Connected, or on the way to or from it. */
gboolean sim_mock_device_is_connected(SimMockDevice *device);

/* An advertisement heard with this strength; unset after discovery. */
void sim_mock_device_set_rssi(SimMockDevice *device, gint16 rssi);
void sim_mock_device_clear_rssi(SimMockDevice *device);
gboolean sim_mock_device_get_rssi(SimMockDevice *device, gint16 *rssi);

/*
 * The link drops now.  @reason is an org.bluez.Reason.* name for the
 * Disconnected signal (Timeout for a link loss, Local for a removal).
 */
void sim_mock_device_drop_link(SimMockDevice *device, const char *reason,
			       const char *message);

/*
 * The roller's GATT server restarts with the link up, as after a Service
 * Changed: the subscriptions end (sockets hang up), the GATT objects go,
 * and fresh ones come back after @delay_ms.  FALSE unless the device is
 * connected with its services resolved.
 */
gboolean sim_mock_device_restart_gatt(SimMockDevice *device, guint delay_ms);
gboolean sim_mock_device_change_service(SimMockDevice *device, const char *uuid,
					guint delay_ms);
/* See sim_gatt_get_hazards(). */
GStrv sim_mock_device_get_hazards(SimMockDevice *device);
