/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Mock mode: roller-sim plays bluetoothd on a bus (the session bus or
 * --bus ADDRESS).  It owns org.bluez, serves an ObjectManager at / with
 * the adapter, the devices it discovers and their GATT objects, and
 * org.rollerd.Sim1 for tests.  Restart (SIGUSR1 or Sim1.Restart) closes
 * the connection, so that every object vanishes and NameOwnerChanged
 * fires, and comes back with a fresh adapter, as a restarted bluetoothd.
 */
#pragma once

#include <gio/gio.h>

#include "sim/sim-config.h"

typedef struct _SimMock SimMock;

/* @rollers: the SimRoller array, which outlives the mock.  @on_fatal is
 * called when the mock cannot go on (bus gone, name lost). */
SimMock *sim_mock_new(SimConfig *cfg, GPtrArray *rollers,
		      GSourceFunc on_fatal, gpointer fatal_data);
gboolean sim_mock_start(SimMock *mock, GError **error);
/* Leaves the bus now and comes back after @delay_ms (real time). */
void sim_mock_restart(SimMock *mock, guint delay_ms);
void sim_mock_free(SimMock *mock);
