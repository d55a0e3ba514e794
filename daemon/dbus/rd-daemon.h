/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The daemon: org.rollerd.Manager1 and the ObjectManager at /org/rollerd,
 * the rollers it knows (remembered in the state directory), discovery on
 * behalf of D-Bus callers, and BlueZ's devices matched to rollers.
 */
#pragma once

#include <gio/gio.h>

#include "daemon/rd-context.h"

typedef struct _RdDaemon RdDaemon;

typedef struct {
	const char *state_dir;
	const char *config_path;	/* NULL: the built-in defaults */
	gboolean acquire_notify;
	gboolean system_bus;
} RdDaemonOptions;

/* Loads the config and opens the store; fails with a sentence to print. */
RdDaemon *rd_daemon_new(const RdDaemonOptions *options, GError **error);
void rd_daemon_free(RdDaemon *daemon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdDaemon, rd_daemon_free)

/*
 * Exports the API on @bus and starts following BlueZ on @bluez_bus; calls
 * @ready once BlueZ's objects are known, for the bus name to be taken
 * only then (a caller's first StartDiscovery finds the adapters).
 */
void rd_daemon_start(RdDaemon *daemon, GDBusConnection *bus,
		     GDBusConnection *bluez_bus, GSourceFunc ready,
		     gpointer ready_data);
/* rollerd owns org.rollerd: what is due is told now. */
void rd_daemon_name_acquired(RdDaemon *daemon);
