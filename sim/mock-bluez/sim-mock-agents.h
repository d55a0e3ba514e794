/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bluetoothd's org.bluez.AgentManager1 at /org/bluez (src/agent.c):
 * RegisterAgent, UnregisterAgent, RequestDefaultAgent, agents dropped
 * when their owner leaves the bus.  The one agent call the mock makes is
 * Release at a clean exit: a central pairing a roller Just Works is
 * never asked (docs/testing.md).
 */
#pragma once

#include <gio/gio.h>

typedef struct _SimMockAgents SimMockAgents;

/* Exports /org/bluez on @manager. */
SimMockAgents *sim_mock_agents_new(GDBusObjectManagerServer *manager);
void sim_mock_agents_free(SimMockAgents *agents);

/*
 * Whether the adapter is bondable: with main.conf's AlwaysPairable
 * false (the default) bluetoothd sets it only while a default agent
 * exists, and the first agent registered becomes the default.
 */
gboolean sim_mock_agents_bondable(SimMockAgents *agents);
/* bluetoothd's exit (agent_cleanup()): Release to every agent, no reply
 * wanted; not on UnregisterAgent nor when an owner leaves the bus. */
void sim_mock_agents_release(SimMockAgents *agents, GDBusConnection *connection);
/* (a(sos)): each agent as (owner, path, capability), the default first. */
GVariant *sim_mock_agents_list(SimMockAgents *agents);
