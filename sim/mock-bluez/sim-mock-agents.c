/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "data/bluez-gdbus.h"
#include "sim/gatt/sim-iface.h"
#include "sim-mock-agents.h"

#define AGENT_MANAGER_PATH "/org/bluez"

struct agent {
	SimMockAgents *agents;
	char *owner;
	char *path;
	char *capability;
	guint watch;
};

struct _SimMockAgents {
	GDBusObjectManagerServer *manager;
	SimIface *iface;
	GDBusObjectSkeleton *object;
	GList *agents;		/* of struct agent, the default first */
};

/* src/agent.c's parse_io_capability(); "" means KeyboardDisplay. */
static const char *const capabilities[] = {
	"", "DisplayOnly", "DisplayYesNo", "KeyboardOnly", "NoInputNoOutput",
	"KeyboardDisplay", NULL,
};

static void
agent_free(struct agent *agent)
{
	if (agent->watch)
		g_bus_unwatch_name(agent->watch);
	g_free(agent->owner);
	g_free(agent->path);
	g_free(agent->capability);
	g_free(agent);
}

static struct agent *
find_agent(SimMockAgents *self, const char *owner)
{
	for (GList *l = self->agents; l; l = l->next) {
		struct agent *agent = l->data;

		if (g_str_equal(agent->owner, owner))
			return agent;
	}
	return NULL;
}

static void
remove_agent(SimMockAgents *self, struct agent *agent)
{
	g_debug("agent %s of %s unregistered", agent->path, agent->owner);
	self->agents = g_list_remove(self->agents, agent);
	agent_free(agent);
}

static void
on_owner_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
	struct agent *agent = user_data;

	remove_agent(agent->agents, agent);
}

static void
register_agent(SimMockAgents *self, GDBusMethodInvocation *invocation, GVariant *params)
{
	const char *sender = g_dbus_method_invocation_get_sender(invocation);
	struct agent *agent;
	const char *path, *capability;

	g_variant_get(params, "(&o&s)", &path, &capability);
	if (find_agent(self, sender)) {
		sim_iface_return_bluez_error(invocation, "AlreadyExists", "Already Exists");
		return;
	}
	if (!g_strv_contains(capabilities, capability)) {
		sim_iface_return_bluez_error(invocation, "InvalidArguments",
					     "Invalid arguments in method call");
		return;
	}
	agent = g_new0(struct agent, 1);
	agent->agents = self;
	agent->owner = g_strdup(sender);
	agent->path = g_strdup(path);
	agent->capability = g_strdup(*capability ? capability : "KeyboardDisplay");
	agent->watch = g_bus_watch_name_on_connection(g_dbus_method_invocation_get_connection(invocation),
						      sender, G_BUS_NAME_WATCHER_FLAGS_NONE,
						      NULL, on_owner_vanished, agent, NULL);
	/* The first agent becomes the default one (add_default_agent()). */
	self->agents = g_list_append(self->agents, agent);
	g_debug("agent %s%s registered, %s", sender, path, agent->capability);
	g_dbus_method_invocation_return_value(invocation, NULL);
}

static void
agent_manager_method(SimIface *iface, const char *method, GVariant *params,
		     GDBusMethodInvocation *invocation, gpointer user_data)
{
	SimMockAgents *self = user_data;
	const char *sender = g_dbus_method_invocation_get_sender(invocation);
	struct agent *agent = find_agent(self, sender);
	const char *path;

	if (g_str_equal(method, "RegisterAgent")) {
		register_agent(self, invocation, params);
		return;
	}
	g_variant_get(params, "(&o)", &path);
	if (!agent || !g_str_equal(agent->path, path)) {
		sim_iface_return_bluez_error(invocation, "DoesNotExist", "Does Not Exist");
		return;
	}
	if (g_str_equal(method, "UnregisterAgent")) {
		remove_agent(self, agent);
	} else {
		self->agents = g_list_remove(self->agents, agent);
		self->agents = g_list_prepend(self->agents, agent);
	}
	g_dbus_method_invocation_return_value(invocation, NULL);
}

SimMockAgents *
sim_mock_agents_new(GDBusObjectManagerServer *manager)
{
	SimMockAgents *self = g_new0(SimMockAgents, 1);

	self->manager = g_object_ref(manager);
	self->iface = sim_iface_new(bluez_agent_manager1_interface_info(),
				    agent_manager_method, NULL, self);
	self->object = sim_iface_new_object(AGENT_MANAGER_PATH, self->iface);
	g_dbus_object_manager_server_export(manager, self->object);
	return self;
}

void
sim_mock_agents_free(SimMockAgents *self)
{
	if (!self)
		return;
	g_list_free_full(g_steal_pointer(&self->agents), (GDestroyNotify)agent_free);
	g_dbus_object_manager_server_unexport(self->manager, AGENT_MANAGER_PATH);
	g_object_unref(self->object);
	g_object_unref(self->iface);
	g_object_unref(self->manager);
	g_free(self);
}

gboolean
sim_mock_agents_bondable(SimMockAgents *self)
{
	return self->agents != NULL;
}

void
sim_mock_agents_release(SimMockAgents *self, GDBusConnection *connection)
{
	for (GList *l = self->agents; l; l = l->next) {
		struct agent *agent = l->data;
		g_autoptr(GDBusMessage) message =
			g_dbus_message_new_method_call(agent->owner, agent->path,
						       "org.bluez.Agent1", "Release");

		g_dbus_message_set_flags(message, G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);
		g_dbus_connection_send_message(connection, message,
					       G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
	}
}

GVariant *
sim_mock_agents_list(SimMockAgents *self)
{
	GVariantBuilder builder;

	g_variant_builder_init(&builder, G_VARIANT_TYPE("a(sos)"));
	for (GList *l = self->agents; l; l = l->next) {
		struct agent *agent = l->data;

		g_variant_builder_add(&builder, "(sos)", agent->owner, agent->path,
				      agent->capability);
	}
	return g_variant_builder_end(&builder);
}
