/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "data/bluez-gdbus.h"
#include "sim/gatt/sim-iface.h"
#include "sim-peripheral-agent.h"

struct _SimPeripheralAgent {
	GDBusConnection *connection;
	BluezAgent1 *skeleton;
	guint bluez_watch;
	GCancellable *cancellable;
};

static gboolean
on_accept(BluezAgent1 *agent, GDBusMethodInvocation *invocation, const char *device)
{
	/* A roller has no display or keys: it accepts Just Works. */
	g_debug("Agent: %s for %s accepted",
		g_dbus_method_invocation_get_method_name(invocation), device);
	g_dbus_method_invocation_return_value(invocation, NULL);
	return TRUE;
}

static gboolean
on_refuse(BluezAgent1 *agent, GDBusMethodInvocation *invocation)
{
	g_message("Agent: %s refused: a roller has no display or keys",
		  g_dbus_method_invocation_get_method_name(invocation));
	sim_iface_return_bluez_error(invocation, "Rejected", "Rejected");
	return TRUE;
}

static gboolean
on_done(BluezAgent1 *agent, GDBusMethodInvocation *invocation)
{
	g_dbus_method_invocation_return_value(invocation, NULL);
	return TRUE;
}

static void
on_called(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source),
								 result, &error);

	if (!reply && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		g_warning("Agent %s: %s", (const char *)user_data, error->message);
}

static void
call_agent_manager(SimPeripheralAgent *self, const char *method, GVariant *params)
{
	g_dbus_connection_call(self->connection, "org.bluez", "/org/bluez",
			       "org.bluez.AgentManager1", method, params, NULL,
			       G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, on_called,
			       (gpointer)method);
}

static void
on_bluez_appeared(GDBusConnection *connection, const char *name, const char *owner,
		  gpointer user_data)
{
	SimPeripheralAgent *self = user_data;

	/* Calls go in order: registered before made the default. */
	call_agent_manager(self, "RegisterAgent",
			   g_variant_new("(os)", SIM_PERIPHERAL_AGENT_PATH, "NoInputNoOutput"));
	call_agent_manager(self, "RequestDefaultAgent",
			   g_variant_new("(o)", SIM_PERIPHERAL_AGENT_PATH));
}

SimPeripheralAgent *
sim_peripheral_agent_new(GDBusConnection *connection, GError **error)
{
	BluezAgent1 *skeleton = bluez_agent1_skeleton_new();
	SimPeripheralAgent *self;

	g_signal_connect(skeleton, "handle-request-authorization", G_CALLBACK(on_accept), NULL);
	g_signal_connect(skeleton, "handle-request-confirmation", G_CALLBACK(on_accept), NULL);
	g_signal_connect(skeleton, "handle-authorize-service", G_CALLBACK(on_accept), NULL);
	g_signal_connect(skeleton, "handle-request-pin-code", G_CALLBACK(on_refuse), NULL);
	g_signal_connect(skeleton, "handle-request-passkey", G_CALLBACK(on_refuse), NULL);
	g_signal_connect(skeleton, "handle-display-pin-code", G_CALLBACK(on_refuse), NULL);
	g_signal_connect(skeleton, "handle-display-passkey", G_CALLBACK(on_refuse), NULL);
	g_signal_connect(skeleton, "handle-release", G_CALLBACK(on_done), NULL);
	g_signal_connect(skeleton, "handle-cancel", G_CALLBACK(on_done), NULL);
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(skeleton), connection,
					      SIM_PERIPHERAL_AGENT_PATH, error)) {
		g_object_unref(skeleton);
		return NULL;
	}
	self = g_new0(SimPeripheralAgent, 1);
	self->connection = g_object_ref(connection);
	self->skeleton = skeleton;
	self->cancellable = g_cancellable_new();
	self->bluez_watch = g_bus_watch_name_on_connection(connection, "org.bluez",
							   G_BUS_NAME_WATCHER_FLAGS_NONE,
							   on_bluez_appeared, NULL, self, NULL);
	return self;
}

void
sim_peripheral_agent_free(SimPeripheralAgent *self)
{
	if (!self)
		return;
	g_bus_unwatch_name(self->bluez_watch);
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->skeleton));
	g_clear_object(&self->skeleton);
	g_clear_object(&self->connection);
	g_free(self);
}
