/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "rd-bus-peers.h"

typedef struct {
	guint count;
	guint watch_id;
} Peer;

struct _RdBusPeers {
	GDBusConnection *bus;
	GHashTable *peers;		/* unique name -> Peer */
	RdBusPeersLeft left;
	gpointer user_data;
};

static void
peer_free(gpointer data)
{
	Peer *p = data;

	g_bus_unwatch_name(p->watch_id);
	g_free(p);
}

static void
on_vanished(GDBusConnection *bus, const char *name, gpointer user_data)
{
	RdBusPeers *peers = user_data;
	/* The name is the table's key, freed with its entry. */
	g_autofree char *left = g_strdup(name);

	if (!g_hash_table_remove(peers->peers, left))
		return;
	g_debug("%s left the bus", left);
	peers->left(left, peers->user_data);
}

guint
rd_bus_peers_add(RdBusPeers *peers, const char *name)
{
	Peer *p = g_hash_table_lookup(peers->peers, name);

	if (!p) {
		p = g_new0(Peer, 1);
		/* A caller already gone is reported too: GetNameOwner fails. */
		p->watch_id = g_bus_watch_name_on_connection(peers->bus, name,
							     G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
							     on_vanished, peers, NULL);
		g_hash_table_insert(peers->peers, g_strdup(name), p);
	}
	return ++p->count;
}

gboolean
rd_bus_peers_remove(RdBusPeers *peers, const char *name)
{
	Peer *p = g_hash_table_lookup(peers->peers, name);

	if (!p)
		return FALSE;
	if (--p->count == 0)
		g_hash_table_remove(peers->peers, name);
	return TRUE;
}

guint
rd_bus_peers_get(RdBusPeers *peers, const char *name)
{
	Peer *p = g_hash_table_lookup(peers->peers, name);

	return p ? p->count : 0;
}

guint
rd_bus_peers_count(RdBusPeers *peers)
{
	return g_hash_table_size(peers->peers);
}

RdBusPeers *
rd_bus_peers_new(GDBusConnection *bus, RdBusPeersLeft left, gpointer user_data)
{
	RdBusPeers *peers = g_new0(RdBusPeers, 1);

	peers->bus = bus ? g_object_ref(bus) : NULL;
	peers->peers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, peer_free);
	peers->left = left;
	peers->user_data = user_data;
	return peers;
}

void
rd_bus_peers_free(RdBusPeers *peers)
{
	if (!peers)
		return;
	g_hash_table_unref(peers->peers);
	g_clear_object(&peers->bus);
	g_free(peers);
}
