/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Notifications of the GATT tree: StartNotify sessions, the sockets of
 * AcquireNotify, and delivery of the roller's notifications to them.
 *
 * Mock mode follows src/gatt-client.c: one StartNotify session per
 * client (bus name), kept while the device is disconnected when the
 * objects stay (Cache=always) and subscribed again on reconnection;
 * AcquireNotify excludes StartNotify and the other way round.
 * Peripheral mode follows src/gatt-database.c: bluetoothd calls
 * StartNotify/StopNotify when the first central subscribes and the last
 * leaves, or AcquireNotify per central where NotifyAcquired exists.
 */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>
#include <glib-unix.h>

#include "sim/host/sim-faults.h"
#include "sim-gatt-notify.h"

/* A central's StartNotify session (mock mode). */
struct notify_session {
	struct sim_gatt_char *chr;
	char *sender;
	guint watch;
	/* The CCCD write went through (FALSE while the link is down). */
	gboolean registered;
};

/* The socket handed out by AcquireNotify. */
struct acquired_io {
	int fd;			/* our end */
	guint source;
};

struct _SimGattNotify {
	GList *sessions;		/* of struct notify_session */
	struct acquired_io *io;
	/* Peripheral mode: bluetoothd's StartNotify is in force. */
	gboolean app_notifying;
	/* What the roller was told through its CCCD. */
	gboolean subscribed;
};

SimGattNotify *
sim_gatt_notify_new(void)
{
	return g_new0(SimGattNotify, 1);
}

void
sim_gatt_notify_free(SimGattNotify *notify)
{
	g_return_if_fail(!notify->sessions && !notify->io);
	g_free(notify);
}

static gboolean
has_notify_or_indicate(struct sim_gatt_char *chr)
{
	return chr->def->props & (PROP_NOTIFY | PROP_INDICATE);
}

static gboolean
has_registered_session(struct sim_gatt_char *chr)
{
	for (GList *l = chr->notify->sessions; l; l = l->next) {
		struct notify_session *session = l->data;

		if (session->registered)
			return TRUE;
	}
	return FALSE;
}

/* Writes the roller's CCCD when what the centrals want changed. */
static void
update_subscription(struct sim_gatt_char *chr)
{
	gboolean want = sim_gatt_tree_link_is_up(chr->tree) &&
			(has_registered_session(chr) || chr->notify->io ||
			 chr->notify->app_notifying);

	if (want == chr->notify->subscribed)
		return;
	chr->notify->subscribed = want;
	/* Service Changed is the mock's own and never indicates. */
	if (chr->def->id < MODEL_CHAR_COUNT)
		sim_roller_subscribe(chr->tree->roller, chr->def->id, want);
}

guint16
sim_gatt_notify_cccd_value(struct sim_gatt_char *chr)
{
	if (!chr->notify->subscribed)
		return 0;
	/* bluetoothd enables notifications where it can, else indications. */
	return (chr->def->props & PROP_NOTIFY) ? 0x0001 : 0x0002;
}

static void
set_notifying(struct sim_gatt_char *chr, gboolean notifying)
{
	if (chr->iface && has_notify_or_indicate(chr))
		sim_iface_set_boolean(chr->iface, "Notifying", notifying);
}

/* bluetoothd's update_notifying(): false once no session is registered. */
static void
update_notifying(struct sim_gatt_char *chr)
{
	if (!chr->iface || !sim_iface_get_boolean(chr->iface, "Notifying"))
		return;
	if (has_registered_session(chr))
		return;
	set_notifying(chr, FALSE);
}

static void
set_notify_acquired(struct sim_gatt_char *chr, gboolean acquired)
{
	/* The property exists with the "notify" flag only. */
	if (chr->iface && (chr->def->props & PROP_NOTIFY))
		sim_iface_set_boolean(chr->iface, "NotifyAcquired", acquired);
}

static void
session_free(struct notify_session *session)
{
	if (session->watch)
		g_bus_unwatch_name(session->watch);
	g_free(session->sender);
	g_free(session);
}

static struct notify_session *
find_session(struct sim_gatt_char *chr, const char *sender)
{
	for (GList *l = chr->notify->sessions; l; l = l->next) {
		struct notify_session *session = l->data;

		if (g_strcmp0(session->sender, sender) == 0)
			return session;
	}
	return NULL;
}

static void
remove_session(struct sim_gatt_char *chr, struct notify_session *session)
{
	chr->notify->sessions = g_list_remove(chr->notify->sessions, session);
	session_free(session);
	update_notifying(chr);
	update_subscription(chr);
}

static void
destroy_io(struct sim_gatt_char *chr)
{
	struct acquired_io *io = chr->notify->io;

	if (!io)
		return;
	chr->notify->io = NULL;
	if (io->source)
		g_source_remove(io->source);
	close(io->fd);
	g_free(io);
	set_notify_acquired(chr, FALSE);
	update_subscription(chr);
}

/* The central's own unsubscribe (its @session, or else its socket): a
 * CCCD write once the last subscriber goes. */
static void
ended_by_central(struct sim_gatt_char *chr, struct notify_session *session,
		 const char *how)
{
	gboolean was_subscribed = chr->notify->subscribed;

	if (session)
		remove_session(chr, session);
	else
		destroy_io(chr);
	if (was_subscribed && !chr->notify->subscribed)
		sim_gatt_char_check_unsubscribe(chr, how);
}

static void
on_sender_vanished(GDBusConnection *connection, const char *name,
		   gpointer user_data)
{
	struct notify_session *session = user_data;

	g_debug("%s: notify client %s left the bus", session->chr->path, name);
	ended_by_central(session->chr, session, "left the bus");
}

static gboolean
on_io_event(int fd, GIOCondition condition, gpointer user_data)
{
	struct sim_gatt_char *chr = user_data;
	guint8 buf[512];

	if (condition & G_IO_IN) {
		/* Nothing is meant to come this way; read it away. */
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0 || (n < 0 && errno == EAGAIN))
			return G_SOURCE_CONTINUE;
	}
	g_debug("%s: notify socket closed", chr->path);
	/* This source ends by returning, not by g_source_remove(). */
	chr->notify->io->source = 0;
	ended_by_central(chr, NULL, "closed its AcquireNotify socket");
	return G_SOURCE_REMOVE;
}

static void
return_socket(struct sim_gatt_char *chr, GDBusMethodInvocation *invocation,
	      guint16 mtu)
{
	g_autoptr(GUnixFDList) fd_list = g_unix_fd_list_new();
	g_autoptr(GError) error = NULL;
	int fds[2];
	int index;

	/* One packet per notification, as bluetoothd's socket pair. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, fds) < 0) {
		sim_iface_return_bluez_error(invocation, "Failed",
					     g_strerror(errno));
		return;
	}
	index = g_unix_fd_list_append(fd_list, fds[0], &error);
	close(fds[0]);
	if (index < 0) {
		close(fds[1]);
		sim_iface_return_bluez_error(invocation, "Failed", error->message);
		return;
	}
	chr->notify->io = g_new0(struct acquired_io, 1);
	chr->notify->io->fd = fds[1];
	chr->notify->io->source = g_unix_fd_add(fds[1],
					       G_IO_IN | G_IO_HUP | G_IO_ERR,
					       on_io_event, chr);
	update_subscription(chr);
	g_dbus_method_invocation_return_value_with_unix_fd_list(invocation,
		g_variant_new("(hq)", index, mtu), fd_list);
	set_notify_acquired(chr, TRUE);
}

static void
app_start_notify(struct sim_gatt_char *chr, GDBusMethodInvocation *invocation)
{
	/* StartNotify names no central: the host uses what it knows. */
	sim_gatt_tree_hint_link(chr->tree, NULL);
	chr->notify->app_notifying = TRUE;
	set_notifying(chr, TRUE);
	update_subscription(chr);
	g_dbus_method_invocation_return_value(invocation, NULL);
}

void
sim_gatt_start_notify(struct sim_gatt_char *chr,
		      GDBusMethodInvocation *invocation)
{
	const char *sender = g_dbus_method_invocation_get_sender(invocation);
	struct notify_session *session;

	if (!chr->tree->mock) {
		app_start_notify(chr, invocation);
		return;
	}
	if (chr->tree->disconnecting) {
		sim_iface_return_bluez_error(invocation, "NotConnected",
					     "Not Connected");
		return;
	}
	if (chr->notify->io) {
		sim_iface_return_bluez_error(invocation, "NotPermitted",
					     "Notify acquired");
		return;
	}
	if (!has_notify_or_indicate(chr)) {
		sim_iface_return_bluez_error(invocation, "NotSupported",
					     "Operation is not supported");
		return;
	}
	/* Each client has one session; asking again is fine once it is
	 * registered, and still under way until then. */
	session = find_session(chr, sender);
	if (session) {
		if (session->registered)
			g_dbus_method_invocation_return_value(invocation, NULL);
		else
			sim_iface_return_bluez_error(invocation, "InProgress",
						     "In Progress");
		return;
	}
	session = g_new0(struct notify_session, 1);
	session->chr = chr;
	session->sender = g_strdup(sender);
	if (sender)
		session->watch = g_bus_watch_name_on_connection(
			g_dbus_method_invocation_get_connection(invocation),
			sender, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
			on_sender_vanished, session, NULL);
	chr->notify->sessions = g_list_append(chr->notify->sessions, session);
	/* Disconnected with the objects cached: bluetoothd accepts the
	 * session and subscribes when the device comes back. */
	if (sim_gatt_tree_link_is_up(chr->tree)) {
		session->registered = TRUE;
		update_subscription(chr);
		set_notifying(chr, TRUE);
	}
	g_dbus_method_invocation_return_value(invocation, NULL);
}

void
sim_gatt_stop_notify(struct sim_gatt_char *chr,
		     GDBusMethodInvocation *invocation)
{
	const char *sender = g_dbus_method_invocation_get_sender(invocation);
	struct notify_session *session;

	if (!chr->tree->mock) {
		chr->notify->app_notifying = FALSE;
		set_notifying(chr, FALSE);
		update_subscription(chr);
		g_dbus_method_invocation_return_value(invocation, NULL);
		return;
	}
	/* Whoever asks, StopNotify releases an acquired socket first. */
	if (chr->notify->io) {
		ended_by_central(chr, NULL, "called StopNotify");
		g_dbus_method_invocation_return_value(invocation, NULL);
		return;
	}
	session = find_session(chr, sender);
	if (!session) {
		sim_iface_return_bluez_error(invocation, "Failed",
					     "No notify session started");
		return;
	}
	ended_by_central(chr, session, "called StopNotify");
	g_dbus_method_invocation_return_value(invocation, NULL);
}

void
sim_gatt_acquire_notify(struct sim_gatt_char *chr, GVariant *options,
			GDBusMethodInvocation *invocation)
{
	struct sim_gatt_tree *tree = chr->tree;
	const SimFaults *faults;
	guint16 mtu = 0;

	if (!tree->mock) {
		/* bluetoothd acquires once per central; one link here. */
		sim_gatt_tree_hint_link(tree, options);
		destroy_io(chr);
		g_variant_lookup(options, "mtu", "q", &mtu);
		return_socket(chr, invocation,
			      mtu ? mtu : sim_roller_get_mtu(tree->roller));
		return;
	}
	if (!sim_gatt_tree_link_is_up(tree)) {
		sim_iface_return_bluez_error(invocation, "Failed", "Not connected");
		return;
	}
	faults = sim_roller_get_faults(tree->roller);
	if (faults->refuse_acquire_notify && has_notify_or_indicate(chr)) {
		g_debug("%s: AcquireNotify refused (fault)", chr->path);
		sim_iface_return_bluez_error(invocation, faults->refuse_acquire_notify,
					     sim_faults_acquire_notify_message(faults));
		return;
	}
	if (chr->notify->io) {
		sim_iface_return_bluez_error(invocation, "NotPermitted",
					     "Notify acquired");
		return;
	}
	/* A StartNotify session of any client excludes acquiring. */
	if (chr->notify->sessions) {
		sim_iface_return_bluez_error(invocation, "InProgress",
					     "In Progress");
		return;
	}
	if (!has_notify_or_indicate(chr)) {
		sim_iface_return_bluez_error(invocation, "NotSupported",
					     "Operation is not supported");
		return;
	}
	return_socket(chr, invocation, sim_roller_get_mtu(tree->roller));
}

void
sim_gatt_acquire_write(struct sim_gatt_char *chr, GVariant *options,
		       GDBusMethodInvocation *invocation)
{
	if (chr->tree->mock) {
		if (!sim_gatt_tree_link_is_up(chr->tree)) {
			sim_iface_return_bluez_error(invocation, "Failed",
						     "Not connected");
			return;
		}
		if (chr->service->claimed) {
			sim_iface_return_bluez_error(invocation, "NotAuthorized",
						     "Operation Not Authorized");
			return;
		}
	}
	/* Only write-without-response can be acquired, and no roller
	 * characteristic has it (nor WriteAcquired for bluetoothd). */
	sim_iface_return_bluez_error(invocation, "NotSupported",
				     "Operation is not supported");
}

void
sim_gatt_notify_link_up(struct sim_gatt_char *chr)
{
	gboolean any = FALSE;

	/* Sessions kept across the disconnection subscribe again. */
	for (GList *l = chr->notify->sessions; l; l = l->next) {
		struct notify_session *session = l->data;

		session->registered = TRUE;
		any = TRUE;
	}
	update_subscription(chr);
	if (any)
		set_notifying(chr, TRUE);
}

void
sim_gatt_notify_link_down(struct sim_gatt_char *chr)
{
	/* bluetoothd shuts the acquired sockets down (a HUP for the
	 * client) and forgets its subscriptions, but leaves Notifying. */
	if (chr->notify->io) {
		shutdown(chr->notify->io->fd, SHUT_RDWR);
		destroy_io(chr);
	}
	for (GList *l = chr->notify->sessions; l; l = l->next) {
		struct notify_session *session = l->data;

		session->registered = FALSE;
	}
	chr->notify->app_notifying = FALSE;
	if (!chr->tree->mock)
		set_notifying(chr, FALSE);
	if (chr->notify->subscribed && chr->def->id < MODEL_CHAR_COUNT &&
	    sim_roller_is_connected(chr->tree->roller))
		sim_roller_subscribe(chr->tree->roller, chr->def->id, FALSE);
	chr->notify->subscribed = FALSE;
}

void
sim_gatt_notify_clear(struct sim_gatt_char *chr)
{
	if (chr->notify->io) {
		shutdown(chr->notify->io->fd, SHUT_RDWR);
		destroy_io(chr);
	}
	g_list_free_full(chr->notify->sessions, (GDestroyNotify)session_free);
	chr->notify->sessions = NULL;
	chr->notify->app_notifying = FALSE;
	update_subscription(chr);
}

void
sim_gatt_notify_deliver(struct sim_gatt_char *chr, const guint8 *data,
			gsize len)
{
	struct sim_gatt_tree *tree = chr->tree;
	guint16 mtu = sim_roller_get_mtu(tree->roller);

	/* ATT carries at most MTU - 3 bytes of a notification. */
	if (mtu >= 3 && len > (gsize)mtu - 3) {
		g_warning("%s: %zu-byte notification cut to the MTU's %u",
			  chr->path, len, mtu - 3);
		len = mtu - 3;
	}
	if (chr->notify->io) {
		if (send(chr->notify->io->fd, data, len,
			 MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			/* As bluetoothd: a full socket loses the packet. */
			g_debug("%s: notification dropped: %s", chr->path,
				g_strerror(errno));
		return;
	}
	if (tree->mock ? has_registered_session(chr) :
	    chr->notify->app_notifying)
		sim_iface_set_always(chr->iface, "Value",
				     g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE,
							       data, len, 1));
}
