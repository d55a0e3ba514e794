/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The mock adapter's peripheral side: org.bluez.GattManager1 and
 * org.bluez.LEAdvertisingManager1, which check what an application
 * registers as bluetoothd does (its ObjectManager's services,
 * characteristics and descriptors; the advertisement's properties) and
 * keep the registration until it is undone or its owner leaves the bus.
 * Nothing goes on the air: they are there so that roller-sim --peripheral
 * (and any GATT server) can be tested against the mock.
 */
#pragma once

#include <gio/gio.h>

typedef struct _SimMockManagers SimMockManagers;

/* Adds both interfaces to the adapter's object (before it is exported). */
SimMockManagers *sim_mock_managers_new(GDBusObjectSkeleton *adapter);
void sim_mock_managers_free(SimMockManagers *managers);

/* What is registered, for tests: (a(so) a(so)), applications then
 * advertisements, each as (owner, path). */
GVariant *sim_mock_managers_list(SimMockManagers *managers);
