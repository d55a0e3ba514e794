/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "rd-bluez.h"
#include "common/rd-error.h"

struct _RdBluez {
	GDBusObjectManager *manager;
	GCancellable *cancellable;
	RdBluezCallbacks callbacks;
	gpointer user_data;
	GDBusProxy *discovery_adapter;	/* where our StartDiscovery went */
	gboolean bluetoothd_seen;	/* on the bus at the last look */
};

static GDBusProxy *
object_proxy(GDBusObject *object, const char *iface)
{
	return G_DBUS_PROXY(g_dbus_object_get_interface(object, iface));
}

static void
dispatch_interface_added(RdBluez *self, GDBusInterface *iface)
{
	GDBusProxy *proxy = G_DBUS_PROXY(iface);
	const char *name = g_dbus_proxy_get_interface_name(proxy);

	if (g_str_equal(name, BLUEZ_DEVICE_IFACE)) {
		if (self->callbacks.device_added)
			self->callbacks.device_added(self, proxy, self->user_data);
	} else if (g_str_equal(name, BLUEZ_GATT_CHAR_IFACE)) {
		if (self->callbacks.characteristic_added)
			self->callbacks.characteristic_added(self, proxy, self->user_data);
	} else if (g_str_equal(name, BLUEZ_ADAPTER_IFACE)) {
		if (self->callbacks.adapter_changed)
			self->callbacks.adapter_changed(self, self->user_data);
	}
}

static void
dispatch_interface_removed(RdBluez *self, GDBusObject *object,
			   GDBusInterface *iface)
{
	const char *name = g_dbus_proxy_get_interface_name(G_DBUS_PROXY(iface));

	if (g_str_equal(name, BLUEZ_DEVICE_IFACE)) {
		if (self->callbacks.device_removed)
			self->callbacks.device_removed(self,
						       g_dbus_object_get_object_path(object),
						       self->user_data);
	} else if (g_str_equal(name, BLUEZ_GATT_CHAR_IFACE)) {
		g_autofree char *owner = g_dbus_object_manager_client_get_name_owner(
			G_DBUS_OBJECT_MANAGER_CLIENT(self->manager));

		/* Without an owner, bluetoothd left: its devices go too. */
		if (owner && self->callbacks.characteristic_removed)
			self->callbacks.characteristic_removed(self,
							       g_dbus_object_get_object_path(object),
							       self->user_data);
	} else if (g_str_equal(name, BLUEZ_ADAPTER_IFACE)) {
		if (self->discovery_adapter == G_DBUS_PROXY(iface))
			g_clear_object(&self->discovery_adapter);
		if (self->callbacks.adapter_changed)
			self->callbacks.adapter_changed(self, self->user_data);
	}
}

static void
on_object_added(GDBusObjectManager *manager, GDBusObject *object, RdBluez *self)
{
	GList *ifaces = g_dbus_object_get_interfaces(object);

	for (GList *l = ifaces; l; l = l->next)
		dispatch_interface_added(self, l->data);
	g_list_free_full(ifaces, g_object_unref);
}

static void
on_object_removed(GDBusObjectManager *manager, GDBusObject *object, RdBluez *self)
{
	GList *ifaces = g_dbus_object_get_interfaces(object);

	for (GList *l = ifaces; l; l = l->next)
		dispatch_interface_removed(self, object, l->data);
	g_list_free_full(ifaces, g_object_unref);
}

static void
on_interface_added(GDBusObjectManager *manager, GDBusObject *object,
		   GDBusInterface *iface, RdBluez *self)
{
	dispatch_interface_added(self, iface);
}

static void
on_interface_removed(GDBusObjectManager *manager, GDBusObject *object,
		     GDBusInterface *iface, RdBluez *self)
{
	dispatch_interface_removed(self, object, iface);
}

static void
on_properties_changed(GDBusObjectManagerClient *manager, GDBusObjectProxy *object,
		      GDBusProxy *proxy, GVariant *changed,
		      const char *const *invalidated, RdBluez *self)
{
	if (g_str_equal(g_dbus_proxy_get_interface_name(proxy), BLUEZ_ADAPTER_IFACE) &&
	    self->callbacks.adapter_changed)
		self->callbacks.adapter_changed(self, self->user_data);
}

static void
on_name_owner(GObject *manager, GParamSpec *pspec, RdBluez *self)
{
	g_autofree char *owner =
		g_dbus_object_manager_client_get_name_owner(G_DBUS_OBJECT_MANAGER_CLIENT(manager));

	/*
	 * The manager also says "no owner" while bluetoothd is still to come:
	 * only one that was there can have left.
	 */
	if (owner)
		g_debug("bluetoothd is on the bus as %s", owner);
	else if (self->bluetoothd_seen)
		g_message("bluetoothd left the bus; waiting for it to come back");
	else
		g_debug("bluetoothd is not on the bus yet");
	self->bluetoothd_seen = owner != NULL;
	g_clear_object(&self->discovery_adapter);
}

static void
on_manager_ready(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	GDBusObjectManager *manager = g_dbus_object_manager_client_new_finish(res, &error);
	g_autofree char *owner = NULL;
	RdBluez *self = user_data;
	GList *objects;

	if (!manager) {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return;
		g_warning("Cannot follow org.bluez: %s", error->message);
		self->callbacks.ready(self, self->user_data);
		return;
	}
	self->manager = manager;
	owner = g_dbus_object_manager_client_get_name_owner(G_DBUS_OBJECT_MANAGER_CLIENT(manager));
	self->bluetoothd_seen = owner != NULL;
	g_signal_connect(manager, "object-added", G_CALLBACK(on_object_added), self);
	g_signal_connect(manager, "object-removed", G_CALLBACK(on_object_removed), self);
	g_signal_connect(manager, "interface-added", G_CALLBACK(on_interface_added), self);
	g_signal_connect(manager, "interface-removed", G_CALLBACK(on_interface_removed), self);
	g_signal_connect(manager, "interface-proxy-properties-changed",
			 G_CALLBACK(on_properties_changed), self);
	g_signal_connect(manager, "notify::name-owner", G_CALLBACK(on_name_owner), self);

	/* Adapters first, so that devices find theirs. */
	objects = g_dbus_object_manager_get_objects(manager);
	for (GList *l = objects; l; l = l->next) {
		g_autoptr(GDBusInterface) adapter =
			g_dbus_object_get_interface(l->data, BLUEZ_ADAPTER_IFACE);

		if (adapter)
			dispatch_interface_added(self, adapter);
	}
	for (GList *l = objects; l; l = l->next) {
		GList *ifaces = g_dbus_object_get_interfaces(l->data);

		for (GList *i = ifaces; i; i = i->next) {
			if (!g_str_equal(g_dbus_proxy_get_interface_name(i->data),
					 BLUEZ_ADAPTER_IFACE))
				dispatch_interface_added(self, i->data);
		}
		g_list_free_full(ifaces, g_object_unref);
	}
	g_list_free_full(objects, g_object_unref);
	self->callbacks.ready(self, self->user_data);
}

RdBluez *
rd_bluez_new(GDBusConnection *bus, const RdBluezCallbacks *callbacks,
	     gpointer user_data)
{
	RdBluez *self = g_new0(RdBluez, 1);

	self->callbacks = *callbacks;
	self->user_data = user_data;
	self->cancellable = g_cancellable_new();
	g_dbus_object_manager_client_new(bus,
					 G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
					 BLUEZ_SERVICE, "/", NULL, NULL, NULL,
					 self->cancellable, on_manager_ready, self);
	return self;
}

void
rd_bluez_free(RdBluez *self)
{
	if (!self)
		return;
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	if (self->manager)
		g_signal_handlers_disconnect_by_data(self->manager, self);
	g_clear_object(&self->manager);
	g_clear_object(&self->discovery_adapter);
	g_free(self);
}

GList *
rd_bluez_get_devices(RdBluez *self)
{
	GList *objects, *devices = NULL;

	if (!self->manager)
		return NULL;
	objects = g_dbus_object_manager_get_objects(self->manager);
	for (GList *l = objects; l; l = l->next) {
		GDBusProxy *device = object_proxy(l->data, BLUEZ_DEVICE_IFACE);

		if (device)
			devices = g_list_prepend(devices, device);
	}
	g_list_free_full(objects, g_object_unref);
	return g_list_reverse(devices);
}

/* hci2 before hci10: the shorter path, then the string. */
static gboolean
path_before(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	return la < lb || (la == lb && strcmp(a, b) < 0);
}

GDBusProxy *
rd_bluez_get_adapter(RdBluez *self)
{
	GDBusProxy *found = NULL;
	GList *objects;

	if (!self->manager)
		return NULL;
	/* Like bluetoothd's default adapter: the lowest index, not the first
	 * the object manager's hash table happens to give. */
	objects = g_dbus_object_manager_get_objects(self->manager);
	for (GList *l = objects; l; l = l->next) {
		g_autoptr(GDBusProxy) adapter = object_proxy(l->data, BLUEZ_ADAPTER_IFACE);

		if (!adapter || !rd_bluez_get_bool(adapter, "Powered"))
			continue;
		if (!found || path_before(g_dbus_proxy_get_object_path(adapter),
					  g_dbus_proxy_get_object_path(found)))
			found = adapter;	/* the manager keeps a reference */
	}
	g_list_free_full(objects, g_object_unref);
	return found;
}

static gboolean
uuid_equal(GDBusProxy *proxy, const char *uuid)
{
	g_autofree char *value = rd_bluez_get_string(proxy, "UUID");

	return value && g_ascii_strcasecmp(value, uuid) == 0;
}

GDBusProxy *
rd_bluez_find_characteristic(RdBluez *self, const char *device_path,
			     const char *service_uuid, const char *uuid)
{
	g_autofree char *prefix = g_strconcat(device_path, "/", NULL);
	GDBusProxy *found = NULL;
	GList *objects;

	if (!self->manager)
		return NULL;
	objects = g_dbus_object_manager_get_objects(self->manager);
	for (GList *l = objects; l && !found; l = l->next) {
		g_autoptr(GDBusProxy) chr = NULL;
		g_autoptr(GDBusProxy) service = NULL;
		g_autoptr(GDBusObject) service_object = NULL;
		g_autofree char *service_path = NULL;

		if (!g_str_has_prefix(g_dbus_object_get_object_path(l->data), prefix))
			continue;
		chr = object_proxy(l->data, BLUEZ_GATT_CHAR_IFACE);
		if (!chr || !uuid_equal(chr, uuid))
			continue;
		service_path = rd_bluez_get_string(chr, "Service");
		if (service_path)
			service_object = g_dbus_object_manager_get_object(self->manager,
									  service_path);
		if (service_object)
			service = object_proxy(service_object, BLUEZ_GATT_SERVICE_IFACE);
		if (service && uuid_equal(service, service_uuid))
			found = g_steal_pointer(&chr);
	}
	g_list_free_full(objects, g_object_unref);
	return found;
}

static void
on_discovery_started(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);
	RdBluez *self = g_task_get_task_data(task);

	if (!ret) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	g_set_object(&self->discovery_adapter, G_DBUS_PROXY(source));
	g_task_return_boolean(task, TRUE);
}

static void
on_filter_set(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);
	GCancellable *cancellable;

	if (!ret) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	cancellable = g_task_get_cancellable(task);
	g_dbus_proxy_call(G_DBUS_PROXY(source), "StartDiscovery", NULL,
			  G_DBUS_CALL_FLAGS_NONE, -1, cancellable,
			  on_discovery_started, g_steal_pointer(&task));
}

void
rd_bluez_start_discovery(RdBluez *self, const char *uuid,
			 GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, self->cancellable, callback, user_data);
	GDBusProxy *adapter = rd_bluez_get_adapter(self);
	GVariantBuilder filter;
	const char *uuids[] = { uuid, NULL };

	g_task_set_task_data(task, self, NULL);
	if (!adapter) {
		g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
					"No powered Bluetooth adapter");
		return;
	}
	g_variant_builder_init(&filter, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&filter, "{sv}", "UUIDs", g_variant_new_strv(uuids, -1));
	g_variant_builder_add(&filter, "{sv}", "Transport", g_variant_new_string("le"));
	g_dbus_proxy_call(adapter, "SetDiscoveryFilter",
			  g_variant_new("(a{sv})", &filter), G_DBUS_CALL_FLAGS_NONE,
			  -1, self->cancellable, on_filter_set, g_steal_pointer(&task));
}

gboolean
rd_bluez_start_discovery_finish(RdBluez *self, GAsyncResult *res, GError **error)
{
	return g_task_propagate_boolean(G_TASK(res), error);
}

void
rd_bluez_stop_discovery(RdBluez *self)
{
	if (!self->discovery_adapter)
		return;
	g_dbus_proxy_call(self->discovery_adapter, "StopDiscovery", NULL,
			  G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
	g_clear_object(&self->discovery_adapter);
}

gboolean
rd_bluez_has_discovery(RdBluez *self)
{
	return self->discovery_adapter != NULL;
}

gboolean
rd_bluez_get_bool(GDBusProxy *proxy, const char *name)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(proxy, name);

	return v && g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN) &&
	       g_variant_get_boolean(v);
}

char *
rd_bluez_get_string(GDBusProxy *proxy, const char *name)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(proxy, name);

	if (!v || !(g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) ||
		    g_variant_is_of_type(v, G_VARIANT_TYPE_OBJECT_PATH)))
		return NULL;
	return g_variant_dup_string(v, NULL);
}

gboolean
rd_bluez_device_has_uuid(GDBusProxy *device, const char *uuid)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(device, "UUIDs");
	g_autofree const char **uuids = NULL;

	if (!v || !g_variant_is_of_type(v, G_VARIANT_TYPE_STRING_ARRAY))
		return FALSE;
	uuids = g_variant_get_strv(v, NULL);
	for (gsize i = 0; uuids[i]; i++) {
		if (g_ascii_strcasecmp(uuids[i], uuid) == 0)
			return TRUE;
	}
	return FALSE;
}

GError *
rd_bluez_error_to_rd(const GError *error, const char *doing)
{
	g_autofree char *remote = g_dbus_error_get_remote_error(error);
	g_autoptr(GError) plain = g_error_copy(error);
	RdError code = RD_ERROR_FAILED;

	g_dbus_error_strip_remote_error(plain);
	if (remote && (g_str_equal(remote, "org.bluez.Error.NotConnected") ||
		       g_str_equal(remote, "org.freedesktop.DBus.Error.UnknownObject") ||
		       g_str_equal(remote, "org.freedesktop.DBus.Error.UnknownMethod") ||
		       g_str_equal(remote, "org.freedesktop.DBus.Error.ServiceUnknown") ||
		       g_str_equal(remote, "org.freedesktop.DBus.Error.NoReply")))
		code = RD_ERROR_NOT_CONNECTED;
	else if (remote && g_str_equal(remote, "org.bluez.Error.InProgress"))
		code = RD_ERROR_IN_PROGRESS;
	/* Pair's AuthenticationFailed, -Rejected, -Canceled, -Timeout. */
	else if (remote && g_str_has_prefix(remote, "org.bluez.Error.Authentication"))
		code = RD_ERROR_PAIRING_FAILED;
	else if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
		code = RD_ERROR_TIMEOUT;
	else if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED))
		code = RD_ERROR_NOT_CONNECTED;
	return g_error_new(RD_ERROR, code, "%s failed: %s", doing, plain->message);
}
