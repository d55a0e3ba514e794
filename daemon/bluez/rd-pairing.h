/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The link's security before a roller is set up (profile, "Link
 * security": a roller may need an encrypted link for the Roller service).
 *
 * A bonded roller is set up at once: bluetoothd encrypts a bonded
 * device's link by itself on connection (device_attach_att()).  Otherwise
 * the Roller Info is read first: bluetoothd usually pairs by itself on the
 * roller's Insufficient Encryption and the read succeeds; when it cannot,
 * the read fails with org.bluez.Error.NotPermitted "Not paired"
 * (src/gatt-client.c create_gatt_dbus_error()) and rollerd pairs with
 * Device1.Pair, then goes on.  Pair is never called for a device that is
 * Paired already.  Trusted is left alone: it only lets a remote device
 * connect in and use services unasked, which a roller never does.
 */
#pragma once

#include <gio/gio.h>

#include "rd-agent.h"

/*
 * Fails with RD_ERROR_PAIRING_FAILED when the roller needs pairing and it
 * did not pair; any other failure of the read is left to the setup.
 */
void rd_pairing_secure(RdAgent *agent, GDBusProxy *device, GDBusProxy *roller_info,
		       GCancellable *cancellable, GAsyncReadyCallback callback,
		       gpointer user_data);
gboolean rd_pairing_secure_finish(GAsyncResult *result, GError **error);

/* Forgets the device and its bond in BlueZ (Adapter1.RemoveDevice) when
 * it is paired; nothing otherwise. */
void rd_pairing_remove_bond(GDBusProxy *device);
