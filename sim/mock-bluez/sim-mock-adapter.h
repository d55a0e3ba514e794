/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SimMockAdapter: bluetoothd's org.bluez.Adapter1 object and the radio
 * around it.  Discovery sessions are per client as in src/adapter.c
 * (StartDiscovery twice is InProgress, StopDiscovery without one is
 * Failed, a client leaving the bus ends its session); while anyone
 * discovers, each roller that is not connected is heard a moment later
 * and then about once a second, and becomes a Device1 object when it
 * passes a client's filter.
 */
#pragma once

#include <gio/gio.h>

#include "sim/sim-config.h"
#include "sim-mock-agents.h"
#include "sim-mock-device.h"

typedef struct _SimMockAdapter SimMockAdapter;

/* Exports /org/bluez/<cfg->adapter> on @manager's connection; @agents
 * (bondable or not) outlives the adapter. */
SimMockAdapter *sim_mock_adapter_new(SimConfig *cfg, GPtrArray *rollers,
				     GDBusObjectManagerServer *manager,
				     SimMockAgents *agents);
/* Forgets every device (their links drop) and unexports the adapter. */
void sim_mock_adapter_free(SimMockAdapter *adapter);

/* What applications and advertisements are registered: (a(so)a(so)). */
GVariant *sim_mock_adapter_list_registrations(SimMockAdapter *adapter);
/* The device object of the roller at @address, if the adapter saw it. */
SimMockDevice *sim_mock_adapter_find_device(SimMockAdapter *adapter,
					    const char *address);
