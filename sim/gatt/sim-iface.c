/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sim-iface.h"

struct _SimIface {
	GDBusInterfaceSkeleton parent;

	GDBusInterfaceInfo *info;
	SimIfaceMethodFunc method;
	SimIfaceSetFunc set;
	gpointer user_data;
	/* property name -> GVariant; a missing key is an absent property */
	GHashTable *props;
};

G_DEFINE_TYPE(SimIface, sim_iface, G_TYPE_DBUS_INTERFACE_SKELETON)

static guint call_delay_ms;

/* Calls waiting out the delay fault, so that shutdown can drop them. */
struct delayed_call {
	SimIface *iface;
	char *method;
	GVariant *parameters;
	GDBusMethodInvocation *invocation;
	guint source;
};

static GList *delayed_calls;

static void
delayed_call_free(struct delayed_call *call)
{
	delayed_calls = g_list_remove(delayed_calls, call);
	g_object_unref(call->iface);
	g_free(call->method);
	g_variant_unref(call->parameters);
	g_object_unref(call->invocation);
	g_free(call);
}

static gboolean
delayed_call_run(gpointer data)
{
	struct delayed_call *call = data;

	call->source = 0;
	call->iface->method(call->iface, call->method, call->parameters,
			    g_object_ref(call->invocation),
			    call->iface->user_data);
	delayed_call_free(call);
	return G_SOURCE_REMOVE;
}

void
sim_iface_set_call_delay(guint delay_ms)
{
	call_delay_ms = delay_ms;
}

static void
iface_method_call(GDBusConnection *connection, const char *sender,
		  const char *object_path, const char *interface_name,
		  const char *method_name, GVariant *parameters,
		  GDBusMethodInvocation *invocation, gpointer user_data)
{
	SimIface *self = SIM_IFACE(user_data);
	struct delayed_call *call;

	if (!self->method) {
		g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR,
						      G_DBUS_ERROR_UNKNOWN_METHOD,
						      "Method %s is not implemented",
						      method_name);
		return;
	}
	if (call_delay_ms == 0) {
		/* GDBus hands us a reference that the handler now owns. */
		self->method(self, method_name, parameters, invocation,
			     self->user_data);
		return;
	}
	call = g_new0(struct delayed_call, 1);
	call->iface = g_object_ref(self);
	call->method = g_strdup(method_name);
	call->parameters = g_variant_ref(parameters);
	call->invocation = invocation;
	call->source = g_timeout_add(call_delay_ms, delayed_call_run, call);
	delayed_calls = g_list_prepend(delayed_calls, call);
}

static GVariant *
iface_get_property(GDBusConnection *connection, const char *sender,
		   const char *object_path, const char *interface_name,
		   const char *property_name, GError **error,
		   gpointer user_data)
{
	SimIface *self = SIM_IFACE(user_data);
	GVariant *value = g_hash_table_lookup(self->props, property_name);

	if (!value) {
		/* What bluetoothd's own D-Bus code says for an absent one. */
		g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
			    "No such property '%s'", property_name);
		return NULL;
	}
	return g_variant_ref(value);
}

static gboolean
iface_set_property(GDBusConnection *connection, const char *sender,
		   const char *object_path, const char *interface_name,
		   const char *property_name, GVariant *value,
		   GError **error, gpointer user_data)
{
	SimIface *self = SIM_IFACE(user_data);

	if (!self->set) {
		g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY,
			    "Property '%s' is not writable", property_name);
		return FALSE;
	}
	return self->set(self, property_name, value, error, self->user_data);
}

static const GDBusInterfaceVTable iface_vtable = {
	.method_call = iface_method_call,
	.get_property = iface_get_property,
	.set_property = iface_set_property,
};

static GDBusInterfaceInfo *
sim_iface_get_info(GDBusInterfaceSkeleton *skeleton)
{
	return SIM_IFACE(skeleton)->info;
}

static GDBusInterfaceVTable *
sim_iface_get_vtable(GDBusInterfaceSkeleton *skeleton)
{
	return (GDBusInterfaceVTable *)&iface_vtable;
}

static GVariant *
sim_iface_get_properties(GDBusInterfaceSkeleton *skeleton)
{
	SimIface *self = SIM_IFACE(skeleton);
	GVariantBuilder builder;

	g_variant_builder_init(&builder, G_VARIANT_TYPE("a{sv}"));
	/* In the XML's order, so that GetAll output is stable. */
	for (guint i = 0; self->info->properties && self->info->properties[i]; i++) {
		const char *name = self->info->properties[i]->name;
		GVariant *value = g_hash_table_lookup(self->props, name);

		if (value)
			g_variant_builder_add(&builder, "{sv}", name, value);
	}
	return g_variant_builder_end(&builder);
}

static void
sim_iface_flush(GDBusInterfaceSkeleton *skeleton)
{
	/* Changes are emitted as they are made. */
}

static void
sim_iface_finalize(GObject *object)
{
	SimIface *self = SIM_IFACE(object);

	g_hash_table_unref(self->props);
	g_dbus_interface_info_unref(self->info);
	G_OBJECT_CLASS(sim_iface_parent_class)->finalize(object);
}

static void
sim_iface_class_init(SimIfaceClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GDBusInterfaceSkeletonClass *skeleton_class =
		G_DBUS_INTERFACE_SKELETON_CLASS(klass);

	object_class->finalize = sim_iface_finalize;
	skeleton_class->get_info = sim_iface_get_info;
	skeleton_class->get_vtable = sim_iface_get_vtable;
	skeleton_class->get_properties = sim_iface_get_properties;
	skeleton_class->flush = sim_iface_flush;
}

static void
sim_iface_init(SimIface *self)
{
	self->props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					    (GDestroyNotify)g_variant_unref);
}

SimIface *
sim_iface_new(GDBusInterfaceInfo *info, SimIfaceMethodFunc method,
	      SimIfaceSetFunc set, gpointer user_data)
{
	SimIface *self = g_object_new(SIM_TYPE_IFACE, NULL);

	self->info = g_dbus_interface_info_ref(info);
	self->method = method;
	self->set = set;
	self->user_data = user_data;
	return self;
}

static void
emit_properties_changed(SimIface *self, const char *property, GVariant *value)
{
	GDBusInterfaceSkeleton *skeleton = G_DBUS_INTERFACE_SKELETON(self);
	const char *path = g_dbus_interface_skeleton_get_object_path(skeleton);
	GList *connections;
	GVariantBuilder changed;
	const char *invalidated[2] = { NULL, NULL };
	GVariant *params;

	if (!path)
		return;
	g_variant_builder_init(&changed, G_VARIANT_TYPE("a{sv}"));
	if (value)
		g_variant_builder_add(&changed, "{sv}", property, value);
	else
		invalidated[0] = property;
	params = g_variant_ref_sink(g_variant_new("(s@a{sv}^as)",
						  self->info->name,
						  g_variant_builder_end(&changed),
						  invalidated));
	connections = g_dbus_interface_skeleton_get_connections(skeleton);
	for (GList *l = connections; l; l = l->next)
		g_dbus_connection_emit_signal(l->data, NULL, path,
					      "org.freedesktop.DBus.Properties",
					      "PropertiesChanged", params, NULL);
	g_list_free_full(connections, g_object_unref);
	g_variant_unref(params);
}

static void
check_property(SimIface *self, const char *property, GVariant *value)
{
	GDBusPropertyInfo *pinfo =
		g_dbus_interface_info_lookup_property(self->info, property);

	/* A typo or a wrong type here is a bug in roller-sim, not input. */
	g_assert(pinfo != NULL);
	g_assert(!value || g_variant_is_of_type(value,
						G_VARIANT_TYPE(pinfo->signature)));
}

static void
store(SimIface *self, const char *property, GVariant *value, gboolean always)
{
	GVariant *old;

	g_variant_ref_sink(value);
	check_property(self, property, value);
	old = g_hash_table_lookup(self->props, property);
	if (old && !always && g_variant_equal(old, value)) {
		g_variant_unref(value);
		return;
	}
	g_hash_table_replace(self->props, g_strdup(property), value);
	emit_properties_changed(self, property, value);
}

void
sim_iface_set(SimIface *self, const char *property, GVariant *value)
{
	store(self, property, value, FALSE);
}

void
sim_iface_set_always(SimIface *self, const char *property, GVariant *value)
{
	store(self, property, value, TRUE);
}

void
sim_iface_unset(SimIface *self, const char *property)
{
	check_property(self, property, NULL);
	if (g_hash_table_remove(self->props, property))
		emit_properties_changed(self, property, NULL);
}

GVariant *
sim_iface_get(SimIface *self, const char *property)
{
	return g_hash_table_lookup(self->props, property);
}

gboolean
sim_iface_get_boolean(SimIface *self, const char *property)
{
	GVariant *value = sim_iface_get(self, property);

	return value && g_variant_get_boolean(value);
}

void
sim_iface_set_boolean(SimIface *self, const char *property, gboolean value)
{
	sim_iface_set(self, property, g_variant_new_boolean(value));
}

void
sim_iface_set_string(SimIface *self, const char *property, const char *value)
{
	sim_iface_set(self, property, g_variant_new_string(value));
}

void
sim_iface_set_bytes(SimIface *self, const char *property, const guint8 *data,
		    gsize len)
{
	sim_iface_set(self, property,
		      g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, len, 1));
}

void
sim_iface_emit_signal(SimIface *self, const char *signal, GVariant *parameters)
{
	GDBusInterfaceSkeleton *skeleton = G_DBUS_INTERFACE_SKELETON(self);
	const char *path = g_dbus_interface_skeleton_get_object_path(skeleton);
	GList *connections;

	g_variant_ref_sink(parameters);
	if (path) {
		connections = g_dbus_interface_skeleton_get_connections(skeleton);
		for (GList *l = connections; l; l = l->next)
			g_dbus_connection_emit_signal(l->data, NULL, path,
						      self->info->name, signal,
						      parameters, NULL);
		g_list_free_full(connections, g_object_unref);
	}
	g_variant_unref(parameters);
}

GDBusObjectSkeleton *
sim_iface_new_object(const char *path, SimIface *iface)
{
	GDBusObjectSkeleton *object = g_dbus_object_skeleton_new(path);

	g_dbus_object_skeleton_add_interface(object,
					     G_DBUS_INTERFACE_SKELETON(iface));
	return object;
}

void
sim_iface_return_bluez_error(GDBusMethodInvocation *invocation,
			     const char *name, const char *message)
{
	g_autofree char *full = g_strconcat("org.bluez.Error.", name, NULL);

	g_dbus_method_invocation_return_dbus_error(invocation, full, message);
}

void
sim_iface_drop_delayed_calls(void)
{
	while (delayed_calls) {
		struct delayed_call *call = delayed_calls->data;

		if (call->source)
			g_source_remove(call->source);
		delayed_call_free(call);
	}
}
