/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The security of one mock device's LE link, for a roller started with
 * --require-encryption: Device1's Pair and CancelPairing, its Paired and
 * Bonded properties, and what bluetoothd 5.66 to 5.82 do when the roller
 * answers an ATT request with Insufficient Encryption (src/shared/att.c
 * change_security(): raise the link's security, which makes the kernel
 * pair, then send the request again).  The Just Works pairing of a
 * central never calls an agent (the kernel does not confirm a locally
 * started Just Works pairing, src/device.c auto-accepts one under Pair).
 */
#pragma once

#include <gio/gio.h>

#include "sim/sim-config.h"
#include "sim/gatt/sim-gatt.h"
#include "sim/gatt/sim-iface.h"

typedef struct _SimMockPairing SimMockPairing;

typedef struct {
	/* Whether a pairing now bonds (sim_mock_agents_bondable()). */
	gboolean (*bondable)(gpointer user_data);
	/* The kernel ends the link: SMP's timer ran out, or the keys were
	 * removed (Unpair Device with disconnect). */
	void (*end_link)(gpointer user_data);
} SimMockPairingHost;

/* Sets Paired and Bonded (false) on @device, the Device1 interface. */
SimMockPairing *sim_mock_pairing_new(SimConfig *cfg, SimIface *device,
				     const SimMockPairingHost *host, gpointer host_data);
void sim_mock_pairing_free(SimMockPairing *pairing);

/* The link came up (encrypted at once when bonded: bluetoothd raises the
 * security of a bonded device's ATT link in device_attach_att()), or went
 * down: a pairing under way fails, waiting accesses with it. */
void sim_mock_pairing_link_up(SimMockPairing *pairing);
void sim_mock_pairing_link_down(SimMockPairing *pairing);

/* Device1.Pair and CancelPairing; @connected: the LE link is up.  A
 * CancelPairing with no Pair under way unpairs in the kernel (src/device.c
 * cancel_pairing() calls btd_adapter_remove_bonding()): the keys go and
 * the link ends, while Paired and Bonded stay, since the kernel does not
 * tell the socket that asked (mgmt's device_unpaired() skips it). */
void sim_mock_pairing_pair(SimMockPairing *pairing, GDBusMethodInvocation *invocation,
			   gboolean connected);
void sim_mock_pairing_cancel(SimMockPairing *pairing, GDBusMethodInvocation *invocation);

/* An access to a characteristic that needs encryption: @done at once when
 * the link is encrypted, else after bluetoothd's own pairing. */
void sim_mock_pairing_secure(SimMockPairing *pairing, SimGattSecuredFunc done,
			     gpointer data);

/* (uu): Pair calls so far, pairings completed (by Pair or by bluetoothd
 * raising the security itself). */
GVariant *sim_mock_pairing_get_counts(SimMockPairing *pairing);
