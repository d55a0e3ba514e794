/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fault knobs by name, for org.rollerd.Sim1.SetFault: the names are
 * the command line's without "--fault-" (early-resolved, drop-notify,
 * disconnect-after-bytes, corrupt-chunk, drop-record, delay-ms, late-write-reply-ms,
 * reorder-records, reorder-telemetry, refuse-connect, hostile-frames, flood,
 * refuse-acquire-notify, refuse-pairing, pairing-timeout,
 * no-security-raise).
 */
#pragma once

#include <gio/gio.h>

#include "sim/sim-config.h"

/* Sets one knob from a boolean, a string (hostile-frames,
 * refuse-acquire-notify) or any integer variant; "once" faults arm again.
 * FALSE with G_DBUS_ERROR_INVALID_ARGS for a bad name or value. */
gboolean sim_faults_set(SimFaults *faults, const char *name, GVariant *value,
			GError **error);

/* The message bluetoothd gives with faults->refuse_acquire_notify. */
const char *sim_faults_acquire_notify_message(const SimFaults *faults);
