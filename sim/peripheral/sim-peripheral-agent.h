/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The roller's side of Just Works pairing through a real bluetoothd: an
 * org.bluez.Agent1 with capability NoInputNoOutput, registered (and made
 * the default) whenever org.bluez is on the bus.  A responder's bluetoothd
 * asks its default agent to authorize a Just Works pairing
 * (src/device.c device_confirm_passkey(), confirm_hint set); with no agent
 * it logs "No agent available" and the pairing fails.
 */
#pragma once

#include <gio/gio.h>

#define SIM_PERIPHERAL_AGENT_PATH "/org/rollerd/sim/agent"

typedef struct _SimPeripheralAgent SimPeripheralAgent;

SimPeripheralAgent *sim_peripheral_agent_new(GDBusConnection *connection,
					     GError **error);
void sim_peripheral_agent_free(SimPeripheralAgent *agent);
