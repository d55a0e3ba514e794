/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The callers of a method that hold something until they give it back
 * or leave the bus, as BlueZ's StartNotify and StartDiscovery: a set of
 * unique bus names, each holding a count, each watched on the bus
 * (g_bus_watch_name_on_connection) while it holds anything.  A caller
 * that leaves loses all it held, and the owner is told.
 */
#pragma once

#include <gio/gio.h>

typedef struct _RdBusPeers RdBusPeers;

/* @name left the bus; it holds nothing any more. */
typedef void (*RdBusPeersLeft)(const char *name, gpointer user_data);

/* @bus may be NULL until the first rd_bus_peers_add() (tests without a bus). */
RdBusPeers *rd_bus_peers_new(GDBusConnection *bus, RdBusPeersLeft left, gpointer user_data);
void rd_bus_peers_free(RdBusPeers *peers);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RdBusPeers, rd_bus_peers_free)

/* One more for @name; returns how many it holds now. */
guint rd_bus_peers_add(RdBusPeers *peers, const char *name);
/* One fewer; FALSE when @name held nothing. */
gboolean rd_bus_peers_remove(RdBusPeers *peers, const char *name);
/* How many @name holds, 0 if none. */
guint rd_bus_peers_get(RdBusPeers *peers, const char *name);
/* How many names hold something. */
guint rd_bus_peers_count(RdBusPeers *peers);
