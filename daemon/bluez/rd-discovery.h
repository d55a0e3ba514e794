/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scanning for rollers through BlueZ: for each D-Bus caller of
 * Manager1.StartDiscovery until it stops or leaves the bus, and in the
 * background while a remembered roller is out of range, so that it is
 * reconnected when it comes back.  One BlueZ discovery serves them all;
 * it is started again when bluetoothd or the adapter comes back.
 */
#pragma once

#include "daemon/rd-context.h"
#include "common/rd-dbus-generated.h"

typedef struct _RdDiscovery RdDiscovery;

RdDiscovery *rd_discovery_new(RdContext *ctx, RdDbusManager1 *manager);
void rd_discovery_free(RdDiscovery *discovery);

/* Whether a remembered roller is wanted but absent from BlueZ. */
void rd_discovery_set_background(RdDiscovery *discovery, gboolean wanted);
/* An adapter appeared, vanished or changed. */
void rd_discovery_adapter_changed(RdDiscovery *discovery);
