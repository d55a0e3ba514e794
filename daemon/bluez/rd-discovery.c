/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "rd-bluez.h"
#include "rd-discovery.h"
#include "common/rd-error.h"
#include "daemon/rd-bus-peers.h"
#include "daemon/rd-log-limit.h"
#include "roller-proto.h"

struct _RdDiscovery {
	RdContext *ctx;
	RdDbusManager1 *manager;
	RdBusPeers *callers;		/* of StartDiscovery, until StopDiscovery */
	GList *pending;			/* StartDiscovery calls waiting for BlueZ */
	gboolean background;
	gboolean starting;
	gboolean running;
	RdLogLimit log_limit;	/* a caller's StartDiscovery can fail over and over */
};

static void update(RdDiscovery *disc);

static gboolean
wanted(RdDiscovery *disc)
{
	return rd_bus_peers_count(disc->callers) > 0 || disc->background;
}

static void
set_running(RdDiscovery *disc, gboolean running)
{
	disc->running = running;
	rd_dbus_manager1_set_discovering(disc->manager, running);
}

static void
answer_pending(RdDiscovery *disc, const GError *error)
{
	GList *pending = g_steal_pointer(&disc->pending);

	for (GList *l = pending; l; l = l->next) {
		GDBusMethodInvocation *invocation = l->data;

		if (!error) {
			g_dbus_method_invocation_return_value(invocation, NULL);
			continue;
		}
		rd_bus_peers_remove(disc->callers, g_dbus_method_invocation_get_sender(invocation));
		g_dbus_method_invocation_return_gerror(invocation, error);
	}
	g_list_free(pending);
}

static void
on_started(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) mapped = NULL;
	gboolean ok = rd_bluez_start_discovery_finish(NULL, res, &error);
	RdDiscovery *disc;
	guint skipped;

	/* Cancelled: rollerd is stopping, @disc may be gone. */
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	disc = user_data;
	disc->starting = FALSE;
	if (!ok) {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
			mapped = g_error_new(RD_ERROR, RD_ERROR_NOT_FOUND,
					     "No powered Bluetooth adapter");
		else
			mapped = rd_bluez_error_to_rd(error, "Starting discovery");
		if (rd_log_limit_allow(&disc->log_limit, g_get_monotonic_time(), &skipped))
			g_message("Cannot scan for rollers: %s (%u such lines left out)",
				  mapped->message, skipped);
		answer_pending(disc, mapped);
		return;
	}
	g_debug("Scanning for rollers");
	set_running(disc, TRUE);
	answer_pending(disc, NULL);
	update(disc);
}

static void
update(RdDiscovery *disc)
{
	if (wanted(disc) && !disc->running && !disc->starting) {
		if (!rd_bluez_get_adapter(disc->ctx->bluez)) {
			g_autoptr(GError) error = g_error_new(RD_ERROR, RD_ERROR_NOT_FOUND,
							      "No powered Bluetooth adapter");

			answer_pending(disc, error);
			return;
		}
		disc->starting = TRUE;
		rd_bluez_start_discovery(disc->ctx->bluez, ROLLER_UUID_SERVICE, on_started, disc);
	} else if (!wanted(disc) && disc->running) {
		g_debug("Scan stopped");
		rd_bluez_stop_discovery(disc->ctx->bluez);
		set_running(disc, FALSE);
	}
}

static void
on_caller_left(const char *name, gpointer user_data)
{
	update(user_data);
}

static gboolean
handle_start_discovery(RdDbusManager1 *manager, GDBusMethodInvocation *invocation,
		       RdDiscovery *disc)
{
	const char *sender = g_dbus_method_invocation_get_sender(invocation);

	if (rd_bus_peers_get(disc->callers, sender)) {
		g_dbus_method_invocation_return_error(invocation, RD_ERROR, RD_ERROR_IN_PROGRESS,
						      "This caller's discovery is running already");
		return TRUE;
	}
	if (!rd_bluez_get_adapter(disc->ctx->bluez)) {
		g_dbus_method_invocation_return_error(invocation, RD_ERROR, RD_ERROR_NOT_FOUND,
						      "No powered Bluetooth adapter");
		return TRUE;
	}
	rd_bus_peers_add(disc->callers, sender);
	if (disc->running) {
		g_dbus_method_invocation_return_value(invocation, NULL);
		return TRUE;
	}
	disc->pending = g_list_append(disc->pending, invocation);
	update(disc);
	return TRUE;
}

static gboolean
handle_stop_discovery(RdDbusManager1 *manager, GDBusMethodInvocation *invocation,
		      RdDiscovery *disc)
{
	const char *sender = g_dbus_method_invocation_get_sender(invocation);

	if (!rd_bus_peers_remove(disc->callers, sender)) {
		g_dbus_method_invocation_return_error(invocation, RD_ERROR, RD_ERROR_FAILED,
						      "No discovery started by this caller");
		return TRUE;
	}
	update(disc);
	g_dbus_method_invocation_return_value(invocation, NULL);
	return TRUE;
}

void
rd_discovery_set_background(RdDiscovery *disc, gboolean background)
{
	if (disc->background == background)
		return;
	g_debug("Background scan for remembered rollers: %s", background ? "on" : "off");
	disc->background = background;
	update(disc);
}

void
rd_discovery_adapter_changed(RdDiscovery *disc)
{
	/* A restarted bluetoothd or a re-plugged adapter forgot our discovery. */
	if (disc->running && !rd_bluez_has_discovery(disc->ctx->bluez))
		set_running(disc, FALSE);
	update(disc);
}

RdDiscovery *
rd_discovery_new(RdContext *ctx, RdDbusManager1 *manager)
{
	RdDiscovery *disc = g_new0(RdDiscovery, 1);

	disc->ctx = ctx;
	disc->manager = g_object_ref(manager);
	disc->callers = rd_bus_peers_new(ctx->bus, on_caller_left, disc);
	g_signal_connect(manager, "handle-start-discovery",
			 G_CALLBACK(handle_start_discovery), disc);
	g_signal_connect(manager, "handle-stop-discovery",
			 G_CALLBACK(handle_stop_discovery), disc);
	return disc;
}

void
rd_discovery_free(RdDiscovery *disc)
{
	if (!disc)
		return;
	g_signal_handlers_disconnect_by_data(disc->manager, disc);
	answer_pending(disc, &(GError){ RD_ERROR, RD_ERROR_FAILED, (char *)"rollerd is stopping" });
	rd_bus_peers_free(disc->callers);
	g_object_unref(disc->manager);
	g_free(disc);
}
