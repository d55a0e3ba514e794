/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "rd-agent.h"
#include "rd-bluez.h"

static const char agent_xml[] =
	"<node>"
	"  <interface name='org.bluez.Agent1'>"
	"    <method name='Release'/>"
	"    <method name='RequestPinCode'>"
	"      <arg name='device' type='o' direction='in'/>"
	"      <arg name='pincode' type='s' direction='out'/>"
	"    </method>"
	"    <method name='DisplayPinCode'>"
	"      <arg name='device' type='o' direction='in'/>"
	"      <arg name='pincode' type='s' direction='in'/>"
	"    </method>"
	"    <method name='RequestPasskey'>"
	"      <arg name='device' type='o' direction='in'/>"
	"      <arg name='passkey' type='u' direction='out'/>"
	"    </method>"
	"    <method name='DisplayPasskey'>"
	"      <arg name='device' type='o' direction='in'/>"
	"      <arg name='passkey' type='u' direction='in'/>"
	"      <arg name='entered' type='q' direction='in'/>"
	"    </method>"
	"    <method name='RequestConfirmation'>"
	"      <arg name='device' type='o' direction='in'/>"
	"      <arg name='passkey' type='u' direction='in'/>"
	"    </method>"
	"    <method name='RequestAuthorization'>"
	"      <arg name='device' type='o' direction='in'/>"
	"    </method>"
	"    <method name='AuthorizeService'>"
	"      <arg name='device' type='o' direction='in'/>"
	"      <arg name='uuid' type='s' direction='in'/>"
	"    </method>"
	"    <method name='Cancel'/>"
	"  </interface>"
	"</node>";

struct _RdAgent {
	GDBusConnection *bus;
	guint object_id;
	guint bluez_watch;
	GCancellable *cancellable;
	GHashTable *expected;	/* device paths */
};

static void
reject(GDBusMethodInvocation *invocation, const char *why)
{
	g_dbus_method_invocation_return_dbus_error(invocation, "org.bluez.Error.Rejected", why);
}

static void
agent_method_call(GDBusConnection *connection, const char *sender, const char *object_path,
		  const char *interface_name, const char *method, GVariant *params,
		  GDBusMethodInvocation *invocation, gpointer user_data)
{
	RdAgent *self = user_data;
	const char *device = NULL;

	if (g_str_equal(method, "Release") || g_str_equal(method, "Cancel")) {
		g_debug("Agent: %s", method);
		g_dbus_method_invocation_return_value(invocation, NULL);
		return;
	}
	g_variant_get_child(params, 0, "&o", &device);
	if (g_str_equal(method, "RequestAuthorization") ||
	    g_str_equal(method, "RequestConfirmation")) {
		if (!g_hash_table_contains(self->expected, device)) {
			g_message("Agent: refused a pairing of %s: not a roller rollerd "
				  "is pairing", device);
			reject(invocation, "Not a roller rollerd is pairing");
			return;
		}
		g_debug("Agent: Just Works pairing of %s accepted", device);
		g_dbus_method_invocation_return_value(invocation, NULL);
		return;
	}
	/* PIN codes, passkeys, service authorization: not a Just Works roller. */
	g_message("Agent: refused %s for %s: rollerd pairs rollers Just Works "
		  "only; a roller that asks for a PIN or passkey is not one", method, device);
	reject(invocation, "rollerd pairs Just Works only");
}

static const GDBusInterfaceVTable agent_vtable = {
	.method_call = agent_method_call,
};

static void
on_registered(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source),
								 result, &error);

	if (reply)
		g_debug("Agent registered with BlueZ");
	else if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		g_warning("Cannot register a pairing agent with BlueZ: %s; a roller "
			  "that needs pairing will pair without a bond", error->message);
}

static void
on_bluez_appeared(GDBusConnection *connection, const char *name, const char *owner,
		  gpointer user_data)
{
	RdAgent *self = user_data;

	g_dbus_connection_call(connection, BLUEZ_SERVICE, "/org/bluez",
			       "org.bluez.AgentManager1", "RegisterAgent",
			       g_variant_new("(os)", RD_AGENT_PATH, "NoInputNoOutput"), NULL,
			       G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable, on_registered, self);
}

RdAgent *
rd_agent_new(GDBusConnection *bluez_bus)
{
	g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml(agent_xml, NULL);
	g_autoptr(GError) error = NULL;
	RdAgent *self = g_new0(RdAgent, 1);

	g_assert(node != NULL);
	self->bus = g_object_ref(bluez_bus);
	self->cancellable = g_cancellable_new();
	self->expected = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	self->object_id = g_dbus_connection_register_object(bluez_bus, RD_AGENT_PATH,
							    node->interfaces[0], &agent_vtable,
							    self, NULL, &error);
	if (!self->object_id)
		g_warning("Cannot export the pairing agent: %s", error->message);
	else
		self->bluez_watch = g_bus_watch_name_on_connection(bluez_bus, BLUEZ_SERVICE,
								   G_BUS_NAME_WATCHER_FLAGS_NONE,
								   on_bluez_appeared, NULL,
								   self, NULL);
	return self;
}

void
rd_agent_free(RdAgent *self)
{
	if (!self)
		return;
	if (self->bluez_watch)
		g_bus_unwatch_name(self->bluez_watch);
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	/* bluetoothd drops the agent when rollerd leaves the bus. */
	if (self->object_id)
		g_dbus_connection_unregister_object(self->bus, self->object_id);
	g_hash_table_unref(self->expected);
	g_clear_object(&self->bus);
	g_free(self);
}

void
rd_agent_expect(RdAgent *self, const char *device_path, gboolean expected)
{
	if (expected)
		g_hash_table_add(self->expected, g_strdup(device_path));
	else
		g_hash_table_remove(self->expected, device_path);
}
