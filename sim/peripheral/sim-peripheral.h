/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Peripheral mode: the simulated roller as a real BLE peripheral through
 * the machine's bluetoothd (system bus, or --bus ADDRESS).  The roller's
 * GATT tree (sim-gatt, peripheral flavour) is registered with
 * GattManager1.RegisterApplication and an LEAdvertisement1 with
 * LEAdvertisingManager1.RegisterAdvertisement on /org/bluez/<adapter>;
 * both are registered again whenever org.bluez comes back (bluetoothd
 * restarted), and again after a failure or a Release, every few seconds.
 */
#pragma once

#include <gio/gio.h>

#include "sim/sim-config.h"
#include "sim/host/sim-roller.h"

#define SIM_PERIPHERAL_APP_PATH "/org/rollerd/sim/app"
#define SIM_PERIPHERAL_ADVERTISEMENT_PATH "/org/rollerd/sim/advertisement0"

typedef struct _SimPeripheral SimPeripheral;

SimPeripheral *sim_peripheral_new(SimConfig *cfg, SimRoller *roller,
				  GSourceFunc on_fatal, gpointer fatal_data);
gboolean sim_peripheral_start(SimPeripheral *peripheral, GError **error);
/*
 * The roller restarts its GATT server with the link up: the application
 * is unregistered and registered again --restart-delay-ms later, and
 * bluetoothd tells the central with Service Changed.
 */
void sim_peripheral_restart_gatt(SimPeripheral *peripheral);
/* Unregisters (best effort) and leaves the bus. */
void sim_peripheral_free(SimPeripheral *peripheral);
