/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sim-control.h"
#include "sim/host/sim-faults.h"
#include "sim-mock-adapter.h"
#include "sim-mock.h"
#include "sim/host/sim-roller.h"

#define BLUEZ_NAME "org.bluez"

struct _SimMock {
	SimConfig *cfg;
	GPtrArray *rollers;
	GSourceFunc on_fatal;
	gpointer fatal_data;

	GDBusConnection *connection;
	gulong closed_handler;
	GDBusObjectManagerServer *manager;
	SimMockAdapter *adapter;
	SimMockAgents *agents;
	guint owner_id;
	guint control_id;

	guint leave_idle;
	guint return_timer;
	guint restart_delay_ms;
};

static void
fatal(SimMock *self, const char *why)
{
	g_warning("Mock bluetoothd stops: %s", why);
	if (self->on_fatal)
		self->on_fatal(self->fatal_data);
}

static SimRoller *
find_roller(SimMock *self, const char *address, GError **error)
{
	for (guint i = 0; i < self->rollers->len; i++) {
		SimRoller *roller = g_ptr_array_index(self->rollers, i);

		if (g_ascii_strcasecmp(sim_roller_get_address(roller), address) == 0)
			return roller;
	}
	g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
		    "No roller at %s", address);
	return NULL;
}

static gboolean
control_press_button(gpointer user_data, const char *address, GError **error)
{
	SimRoller *roller = find_roller(user_data, address, error);

	if (!roller)
		return FALSE;
	sim_roller_press_button(roller);
	return TRUE;
}

static gboolean
control_restart(gpointer user_data, guint delay_ms, GError **error)
{
	sim_mock_restart(user_data, delay_ms);
	return TRUE;
}

static SimMockDevice *
find_connected_device(SimMock *self, const char *address, GError **error)
{
	SimMockDevice *device;

	if (!find_roller(self, address, error))
		return NULL;
	device = self->adapter ?
		 sim_mock_adapter_find_device(self->adapter, address) : NULL;
	if (!device || !sim_mock_device_is_connected(device)) {
		g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
			    "%s is not connected", address);
		return NULL;
	}
	return device;
}

static gboolean
control_disconnect_device(gpointer user_data, const char *address,
			  GError **error)
{
	SimMockDevice *device = find_connected_device(user_data, address, error);

	if (!device)
		return FALSE;
	/* The roller went out of range: the supervision timeout ends it. */
	sim_mock_device_drop_link(device, "org.bluez.Reason.Timeout",
				  "Connection timeout");
	return TRUE;
}

static gboolean
control_restart_gatt(gpointer user_data, const char *address, guint delay_ms,
		     GError **error)
{
	SimMockDevice *device = find_connected_device(user_data, address, error);

	if (!device)
		return FALSE;
	if (!sim_mock_device_restart_gatt(device, delay_ms)) {
		g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
			    "%s's services are not resolved", address);
		return FALSE;
	}
	return TRUE;
}

static gboolean
control_change_service(gpointer user_data, const char *address, const char *uuid,
		       guint delay_ms, GError **error)
{
	SimMockDevice *device = find_connected_device(user_data, address, error);

	if (!device)
		return FALSE;
	if (!sim_mock_device_change_service(device, uuid, delay_ms)) {
		g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
			    "%s has no service %s resolved, or its services are "
			    "changing already", address, uuid);
		return FALSE;
	}
	return TRUE;
}

/* FALSE with @error for no roller at @address; @device NULL when this
 * bluetoothd has not seen it. */
static gboolean
find_seen_device(SimMock *self, const char *address, SimMockDevice **device,
		 GError **error)
{
	if (!find_roller(self, address, error))
		return FALSE;
	*device = self->adapter ?
		  sim_mock_adapter_find_device(self->adapter, address) : NULL;
	return TRUE;
}

static GVariant *
control_connect_calls(gpointer user_data, const char *address, GError **error)
{
	SimMockDevice *device;

	if (!find_seen_device(user_data, address, &device, error))
		return NULL;
	/* Not seen yet by this bluetoothd: never asked to connect. */
	if (!device)
		return g_variant_new_fixed_array(G_VARIANT_TYPE_INT64, NULL, 0,
						 sizeof(gint64));
	return sim_mock_device_get_connect_calls(device);
}

static GVariant *
control_hazards(gpointer user_data, const char *address, GError **error)
{
	SimMockDevice *device;
	g_auto(GStrv) hazards = NULL;

	if (!find_seen_device(user_data, address, &device, error))
		return NULL;
	if (!device)
		return g_variant_new_strv(NULL, 0);
	hazards = sim_mock_device_get_hazards(device);
	return g_variant_new_strv((const char *const *)hazards, -1);
}

static gboolean
control_set_fault(gpointer user_data, const char *name, GVariant *value,
		  GError **error)
{
	SimMock *self = user_data;

	return sim_faults_set(&self->cfg->faults, name, value, error);
}

static GVariant *
control_registrations(gpointer user_data)
{
	SimMock *self = user_data;

	return sim_mock_adapter_list_registrations(self->adapter);
}

static GVariant *
control_pairings(gpointer user_data, const char *address, GError **error)
{
	SimMockDevice *device;

	if (!find_seen_device(user_data, address, &device, error))
		return NULL;
	if (!device)
		return g_variant_new("(uu)", 0, 0);
	return sim_mock_device_get_pairings(device);
}

static GVariant *
control_agents(gpointer user_data)
{
	SimMock *self = user_data;

	return sim_mock_agents_list(self->agents);
}

static const SimControlHandlers control_handlers = {
	.pairings = control_pairings,
	.agents = control_agents,
	.press_button = control_press_button,
	.restart = control_restart,
	.disconnect_device = control_disconnect_device,
	.restart_gatt = control_restart_gatt,
	.change_service = control_change_service,
	.connect_calls = control_connect_calls,
	.hazards = control_hazards,
	.set_fault = control_set_fault,
	.registrations = control_registrations,
};

static void
on_name_acquired(GDBusConnection *connection, const char *name,
		 gpointer user_data)
{
	g_debug("Serving %s", name);
}

static void
on_name_lost(GDBusConnection *connection, const char *name, gpointer user_data)
{
	fatal(user_data, "the bus name org.bluez is taken or the bus is gone");
}

static void
on_connection_closed(GDBusConnection *connection, gboolean remote_peer_vanished,
		     GError *error, gpointer user_data)
{
	fatal(user_data, error ? error->message : "the bus connection closed");
}

static GDBusConnection *
connect_bus(SimMock *self, GError **error)
{
	g_autofree char *address = NULL;

	if (self->cfg->bus_address) {
		address = g_strdup(self->cfg->bus_address);
	} else {
		address = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SESSION,
							  NULL, error);
		if (!address)
			return NULL;
	}
	/* A private connection, never the shared one: a restart closes it. */
	return g_dbus_connection_new_for_address_sync(address,
		G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
		NULL, NULL, error);
}

SimMock *
sim_mock_new(SimConfig *cfg, GPtrArray *rollers, GSourceFunc on_fatal,
	     gpointer fatal_data)
{
	SimMock *self = g_new0(SimMock, 1);

	self->cfg = cfg;
	self->rollers = rollers;
	self->on_fatal = on_fatal;
	self->fatal_data = fatal_data;
	return self;
}

gboolean
sim_mock_start(SimMock *self, GError **error)
{
	self->connection = connect_bus(self, error);
	if (!self->connection)
		return FALSE;
	g_dbus_connection_set_exit_on_close(self->connection, FALSE);
	self->closed_handler = g_signal_connect(self->connection, "closed",
						G_CALLBACK(on_connection_closed),
						self);

	/* Objects first, then the name: whoever sees org.bluez appear
	 * finds the adapter in GetManagedObjects. */
	self->manager = g_dbus_object_manager_server_new("/");
	self->agents = sim_mock_agents_new(self->manager);
	self->adapter = sim_mock_adapter_new(self->cfg, self->rollers,
					     self->manager, self->agents);
	g_dbus_object_manager_server_set_connection(self->manager,
						    self->connection);
	self->control_id = sim_control_register(self->connection,
						&control_handlers, self, error);
	if (!self->control_id)
		return FALSE;
	self->owner_id = g_bus_own_name_on_connection(self->connection,
						      BLUEZ_NAME,
						      G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
						      on_name_acquired,
						      on_name_lost, self, NULL);
	g_debug("Mock bluetoothd on %s",
		g_dbus_connection_get_unique_name(self->connection));
	return TRUE;
}

/* Leaves the bus as a bluetoothd that died: the name and every object
 * go at once (the connection closes), then the adapter and its devices
 * are dropped without a word on the bus. */
static void
leave_bus(SimMock *self)
{
	if (!self->connection)
		return;
	/* Released before the close, else GLib reports the name lost. */
	if (self->owner_id) {
		g_bus_unown_name(self->owner_id);
		self->owner_id = 0;
	}
	if (self->control_id) {
		g_dbus_connection_unregister_object(self->connection,
						    self->control_id);
		self->control_id = 0;
	}
	g_signal_handler_disconnect(self->connection, self->closed_handler);
	self->closed_handler = 0;
	g_dbus_connection_flush_sync(self->connection, NULL, NULL);
	g_dbus_connection_close_sync(self->connection, NULL, NULL);
	g_clear_pointer(&self->adapter, sim_mock_adapter_free);
	g_clear_pointer(&self->agents, sim_mock_agents_free);
	if (self->manager)
		g_dbus_object_manager_server_set_connection(self->manager, NULL);
	g_clear_object(&self->manager);
	g_clear_object(&self->connection);
}

static gboolean
on_return(gpointer data)
{
	SimMock *self = data;
	g_autoptr(GError) error = NULL;

	self->return_timer = 0;
	g_debug("Mock bluetoothd comes back");
	if (!sim_mock_start(self, &error))
		fatal(self, error->message);
	return G_SOURCE_REMOVE;
}

static gboolean
on_leave(gpointer data)
{
	SimMock *self = data;

	self->leave_idle = 0;
	g_debug("Mock bluetoothd leaves the bus for %u ms",
		self->restart_delay_ms);
	leave_bus(self);
	self->return_timer = g_timeout_add(self->restart_delay_ms, on_return, self);
	return G_SOURCE_REMOVE;
}

void
sim_mock_restart(SimMock *self, guint delay_ms)
{
	if (self->leave_idle || self->return_timer)
		return;
	self->restart_delay_ms = delay_ms;
	/* Not from inside a method call on the connection it closes. */
	self->leave_idle = g_idle_add(on_leave, self);
}

void
sim_mock_free(SimMock *self)
{
	if (!self)
		return;
	if (self->leave_idle)
		g_source_remove(self->leave_idle);
	if (self->return_timer)
		g_source_remove(self->return_timer);
	/* A clean exit, unlike leave_bus() alone (a bluetoothd that died). */
	if (self->agents && self->connection)
		sim_mock_agents_release(self->agents, self->connection);
	leave_bus(self);
	g_free(self);
}
