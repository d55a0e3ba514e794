/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sim-control.h"

static const char control_xml[] =
	"<node>"
	"  <interface name='" SIM_CONTROL_INTERFACE "'>"
	"    <method name='PressButton'>"
	"      <arg name='address' type='s' direction='in'/>"
	"    </method>"
	"    <method name='Restart'>"
	"      <arg name='delay_ms' type='u' direction='in'/>"
	"    </method>"
	"    <method name='DisconnectDevice'>"
	"      <arg name='address' type='s' direction='in'/>"
	"    </method>"
	"    <method name='RestartGatt'>"
	"      <arg name='address' type='s' direction='in'/>"
	"      <arg name='delay_ms' type='u' direction='in'/>"
	"    </method>"
	"    <method name='ChangeService'>"
	"      <arg name='address' type='s' direction='in'/>"
	"      <arg name='uuid' type='s' direction='in'/>"
	"      <arg name='delay_ms' type='u' direction='in'/>"
	"    </method>"
	"    <method name='SetFault'>"
	"      <arg name='name' type='s' direction='in'/>"
	"      <arg name='value' type='v' direction='in'/>"
	"    </method>"
	"    <method name='ConnectCalls'>"
	"      <arg name='address' type='s' direction='in'/>"
	"      <arg name='times' type='ax' direction='out'/>"
	"    </method>"
	"    <method name='Hazards'>"
	"      <arg name='address' type='s' direction='in'/>"
	"      <arg name='hazards' type='as' direction='out'/>"
	"    </method>"
	"    <method name='Pairings'>"
	"      <arg name='address' type='s' direction='in'/>"
	"      <arg name='pair_calls' type='u' direction='out'/>"
	"      <arg name='pairings' type='u' direction='out'/>"
	"    </method>"
	"    <method name='Agents'>"
	"      <arg name='agents' type='a(sos)' direction='out'/>"
	"    </method>"
	"    <method name='Registrations'>"
	"      <arg name='applications' type='a(so)' direction='out'/>"
	"      <arg name='advertisements' type='a(so)' direction='out'/>"
	"    </method>"
	"  </interface>"
	"</node>";

struct control {
	const SimControlHandlers *handlers;
	gpointer user_data;
};

static void
control_method_call(GDBusConnection *connection, const char *sender,
		    const char *object_path, const char *interface_name,
		    const char *method_name, GVariant *parameters,
		    GDBusMethodInvocation *invocation, gpointer user_data)
{
	struct control *control = user_data;
	const SimControlHandlers *h = control->handlers;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) value = NULL;
	const char *text;
	guint delay_ms;
	gboolean ok;

	g_debug("%s.%s from %s", SIM_CONTROL_INTERFACE, method_name, sender);
	if (g_str_equal(method_name, "PressButton")) {
		g_variant_get(parameters, "(&s)", &text);
		ok = h->press_button(control->user_data, text, &error);
	} else if (g_str_equal(method_name, "Restart")) {
		g_variant_get(parameters, "(u)", &delay_ms);
		/* Answered before the connection closes. */
		g_dbus_method_invocation_return_value(invocation, NULL);
		g_dbus_connection_flush_sync(connection, NULL, NULL);
		if (!h->restart(control->user_data, delay_ms, &error))
			g_warning("Restart: %s", error->message);
		return;
	} else if (g_str_equal(method_name, "Agents")) {
		GVariant *agents = h->agents(control->user_data);

		g_dbus_method_invocation_return_value(invocation,
			g_variant_new_tuple(&agents, 1));
		return;
	} else if (g_str_equal(method_name, "Pairings")) {
		g_variant_get(parameters, "(&s)", &text);
		value = h->pairings(control->user_data, text, &error);
		if (value)
			g_dbus_method_invocation_return_value(invocation, g_steal_pointer(&value));
		else
			g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	} else if (g_str_equal(method_name, "Registrations")) {
		g_dbus_method_invocation_return_value(invocation,
			h->registrations(control->user_data));
		return;
	} else if (g_str_equal(method_name, "ConnectCalls") ||
		   g_str_equal(method_name, "Hazards")) {
		GVariant *list;

		g_variant_get(parameters, "(&s)", &text);
		list = g_str_equal(method_name, "Hazards") ?
		       h->hazards(control->user_data, text, &error) :
		       h->connect_calls(control->user_data, text, &error);
		if (list)
			g_dbus_method_invocation_return_value(invocation,
				g_variant_new_tuple(&list, 1));
		else
			g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	} else if (g_str_equal(method_name, "DisconnectDevice")) {
		g_variant_get(parameters, "(&s)", &text);
		ok = h->disconnect_device(control->user_data, text, &error);
	} else if (g_str_equal(method_name, "RestartGatt")) {
		g_variant_get(parameters, "(&su)", &text, &delay_ms);
		ok = h->restart_gatt(control->user_data, text, delay_ms, &error);
	} else if (g_str_equal(method_name, "ChangeService")) {
		const char *uuid;

		g_variant_get(parameters, "(&s&su)", &text, &uuid, &delay_ms);
		ok = h->change_service(control->user_data, text, uuid, delay_ms, &error);
	} else {
		g_variant_get(parameters, "(&sv)", &text, &value);
		ok = h->set_fault(control->user_data, text, value, &error);
	}
	if (ok)
		g_dbus_method_invocation_return_value(invocation, NULL);
	else
		g_dbus_method_invocation_return_gerror(invocation, error);
}

static const GDBusInterfaceVTable control_vtable = {
	.method_call = control_method_call,
};

guint
sim_control_register(GDBusConnection *connection,
		     const SimControlHandlers *handlers, gpointer user_data,
		     GError **error)
{
	g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml(control_xml,
								     NULL);
	struct control *control = g_new0(struct control, 1);
	guint id;

	g_assert(node != NULL);
	control->handlers = handlers;
	control->user_data = user_data;
	id = g_dbus_connection_register_object(connection, SIM_CONTROL_PATH,
					       node->interfaces[0],
					       &control_vtable, control,
					       g_free, error);
	if (!id)
		g_free(control);
	return id;
}
