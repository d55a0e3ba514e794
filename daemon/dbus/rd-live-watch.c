/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <unistd.h>
#include <gio/gunixfdlist.h>

#include "common/rd-error.h"
#include "common/rd-live-packet.h"
#include "daemon/rd-bus-peers.h"
#include "rd-live-watch.h"

struct _RdLiveWatch {
	RdDbusRoller2 *iface;
	RdLive *live;
	char *address;
	RdBusPeers *watchers;		/* of WatchLive, until UnwatchLive */
};

static void
on_watcher_left(const char *name, gpointer user_data)
{
	RdLiveWatch *w = user_data;

	rd_live_set_watched(w->live, rd_bus_peers_count(w->watchers) > 0);
}

static gboolean
handle_watch_live(RdDbusRoller2 *iface, GDBusMethodInvocation *invocation, RdLiveWatch *w)
{
	const char *sender = g_dbus_method_invocation_get_sender(invocation);

	/* A second call is the same watch. */
	if (!rd_bus_peers_get(w->watchers, sender)) {
		if (rd_bus_peers_count(w->watchers) >= RD_LIVE_WATCH_MAX) {
			g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR,
							      G_DBUS_ERROR_LIMITS_EXCEEDED,
							      "Too many clients watch roller %s "
							      "(at most %u)", w->address,
							      RD_LIVE_WATCH_MAX);
			return TRUE;
		}
		rd_bus_peers_add(w->watchers, sender);
		rd_live_set_watched(w->live, TRUE);
	}
	rd_dbus_roller2_complete_watch_live(iface, invocation);
	return TRUE;
}

static gboolean
handle_unwatch_live(RdDbusRoller2 *iface, GDBusMethodInvocation *invocation, RdLiveWatch *w)
{
	if (!rd_bus_peers_remove(w->watchers, g_dbus_method_invocation_get_sender(invocation))) {
		g_dbus_method_invocation_return_error(invocation, RD_ERROR, RD_ERROR_NOT_FOUND,
						      "This caller does not watch roller %s",
						      w->address);
		return TRUE;
	}
	rd_live_set_watched(w->live, rd_bus_peers_count(w->watchers) > 0);
	rd_dbus_roller2_complete_unwatch_live(iface, invocation);
	return TRUE;
}

static gboolean
handle_acquire_live_stream(RdDbusRoller2 *iface, GDBusMethodInvocation *invocation,
			   GUnixFDList *in_fds, RdLiveWatch *w)
{
	g_autoptr(GUnixFDList) fds = g_unix_fd_list_new();
	g_autoptr(GError) error = NULL;
	int fd, index;

	if (!rd_live_stream_open(rd_live_get_stream(w->live),
				 g_dbus_method_invocation_get_sender(invocation), &fd, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return TRUE;
	}
	/* The list keeps a duplicate; rollerd's copy of the client's end goes. */
	index = g_unix_fd_list_append(fds, fd, &error);
	close(fd);
	if (index < 0) {
		g_dbus_method_invocation_return_error(invocation, RD_ERROR, RD_ERROR_FAILED,
						      "Cannot pass the stream: %s", error->message);
		return TRUE;
	}
	rd_dbus_roller2_complete_acquire_live_stream(iface, invocation, fds,
						     g_variant_new_handle(index),
						     RD_LIVE_PACKET_MAX_LEN);
	return TRUE;
}

RdLiveWatch *
rd_live_watch_new(GDBusConnection *bus, RdDbusRoller2 *iface, RdLive *live,
		  const char *address)
{
	RdLiveWatch *w = g_new0(RdLiveWatch, 1);

	w->iface = g_object_ref(iface);
	w->live = live;
	w->address = g_strdup(address);
	w->watchers = rd_bus_peers_new(bus, on_watcher_left, w);
	g_signal_connect(iface, "handle-watch-live", G_CALLBACK(handle_watch_live), w);
	g_signal_connect(iface, "handle-unwatch-live", G_CALLBACK(handle_unwatch_live), w);
	g_signal_connect(iface, "handle-acquire-live-stream",
			 G_CALLBACK(handle_acquire_live_stream), w);
	return w;
}

void
rd_live_watch_free(RdLiveWatch *w)
{
	if (!w)
		return;
	g_signal_handlers_disconnect_by_data(w->iface, w);
	rd_bus_peers_free(w->watchers);
	g_object_unref(w->iface);
	g_free(w->address);
	g_free(w);
}
