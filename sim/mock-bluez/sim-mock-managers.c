/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "data/bluez-gdbus.h"
#include "sim-discovery-filter.h"
#include "sim/gatt/sim-iface.h"
#include "sim-mock-managers.h"

/* What a controller with four advertising sets and 31-byte legacy
 * advertising data offers. */
#define MAX_ADVERTISEMENTS 4
#define MAX_ADV_LEN 31

struct registration {
	SimMockManagers *managers;
	gboolean advertisement;
	char *owner;
	char *path;
	guint watch;
};

struct _SimMockManagers {
	SimIface *gatt;
	SimIface *advertising;
	GList *registrations;
	/* Cancels the calls to applications when the mock goes away. */
	GCancellable *cancellable;
};

/* A call under way to the application that asked to register. */
struct pending {
	SimMockManagers *managers;
	GDBusMethodInvocation *invocation;
	gboolean advertisement;
	char *path;
};

static const char *const chrc_flags[] = {
	"broadcast", "read", "write-without-response", "write", "notify",
	"indicate", "authenticated-signed-writes", "extended-properties",
	"reliable-write", "writable-auxiliaries", "encrypt-read",
	"encrypt-write", "encrypt-notify", "encrypt-indicate",
	"encrypt-authenticated-read", "encrypt-authenticated-write",
	"encrypt-authenticated-notify", "encrypt-authenticated-indicate",
	"secure-read", "secure-write", "secure-notify", "secure-indicate",
	"authorize", NULL,
};

static void
registration_free(struct registration *reg)
{
	if (reg->watch)
		g_bus_unwatch_name(reg->watch);
	g_free(reg->owner);
	g_free(reg->path);
	g_free(reg);
}

static guint
count_advertisements(SimMockManagers *self)
{
	guint n = 0;

	for (GList *l = self->registrations; l; l = l->next)
		n += ((struct registration *)l->data)->advertisement;
	return n;
}

static void
update_instances(SimMockManagers *self)
{
	guint active = count_advertisements(self);

	sim_iface_set(self->advertising, "ActiveInstances",
		      g_variant_new_byte((guint8)active));
	sim_iface_set(self->advertising, "SupportedInstances",
		      g_variant_new_byte((guint8)(MAX_ADVERTISEMENTS - active)));
}

static struct registration *
find_registration(SimMockManagers *self, gboolean advertisement,
		  const char *owner, const char *path)
{
	for (GList *l = self->registrations; l; l = l->next) {
		struct registration *reg = l->data;

		if (reg->advertisement == advertisement &&
		    g_strcmp0(reg->owner, owner) == 0 &&
		    g_str_equal(reg->path, path))
			return reg;
	}
	return NULL;
}

static void
remove_registration(SimMockManagers *self, struct registration *reg)
{
	gboolean advertisement = reg->advertisement;

	self->registrations = g_list_remove(self->registrations, reg);
	registration_free(reg);
	if (advertisement)
		update_instances(self);
}

static void
on_owner_vanished(GDBusConnection *connection, const char *name,
		  gpointer user_data)
{
	struct registration *reg = user_data;

	/* An application that leaves the bus is unregistered. */
	g_debug("%s of %s unregistered: its owner left", reg->path, name);
	remove_registration(reg->managers, reg);
}

static void
add_registration(struct pending *pending)
{
	SimMockManagers *self = pending->managers;
	struct registration *reg = g_new0(struct registration, 1);
	const char *owner = g_dbus_method_invocation_get_sender(pending->invocation);

	reg->managers = self;
	reg->advertisement = pending->advertisement;
	reg->owner = g_strdup(owner);
	reg->path = g_strdup(pending->path);
	if (owner)
		reg->watch = g_bus_watch_name_on_connection(
			g_dbus_method_invocation_get_connection(pending->invocation),
			owner, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
			on_owner_vanished, reg, NULL);
	self->registrations = g_list_append(self->registrations, reg);
	if (reg->advertisement)
		update_instances(self);
	g_debug("%s %s registered", reg->advertisement ? "Advertisement" :
		"Application", reg->path);
}

static gboolean
flags_valid(GVariant *flags)
{
	GVariantIter iter;
	const char *flag;

	if (!flags)
		return FALSE;
	g_variant_iter_init(&iter, flags);
	while (g_variant_iter_next(&iter, "&s", &flag))
		if (!g_strv_contains(chrc_flags, flag))
			return FALSE;
	return TRUE;
}

/* The checks of src/gatt-database.c: each characteristic belongs to a
 * service of the application, each descriptor to a characteristic,
 * UUIDs and flags are valid.  Returns the number of services, or -1. */
static int
check_application(GVariant *objects)
{
	g_autoptr(GHashTable) services = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) chars = g_hash_table_new(g_str_hash, g_str_equal);
	const char *iface_names[] = { "org.bluez.GattService1",
				      "org.bluez.GattCharacteristic1",
				      "org.bluez.GattDescriptor1" };

	/* Three passes, as bluetoothd registers services, then
	 * characteristics, then descriptors. */
	for (guint pass = 0; pass < G_N_ELEMENTS(iface_names); pass++) {
		GVariantIter iter;
		const char *path;
		GVariant *ifaces;

		g_variant_iter_init(&iter, objects);
		while (g_variant_iter_loop(&iter, "{&o@a{sa{sv}}}", &path, &ifaces)) {
			g_autoptr(GVariant) props = g_variant_lookup_value(ifaces,
				iface_names[pass], G_VARIANT_TYPE_VARDICT);
			g_autofree char *uuid = NULL;
			g_autofree char *full = NULL;
			g_autoptr(GVariant) flags = NULL;
			const char *parent = NULL;

			if (!props)
				continue;
			if (!g_variant_lookup(props, "UUID", "s", &uuid) ||
			    !(full = sim_uuid_to_128(uuid)))
				goto invalid;
			if (pass == 0) {
				g_hash_table_add(services, (gpointer)path);
				continue;
			}
			flags = g_variant_lookup_value(props, "Flags",
						       G_VARIANT_TYPE_STRING_ARRAY);
			if (pass == 1) {
				if (!g_variant_lookup(props, "Service", "&o", &parent) ||
				    !g_hash_table_contains(services, parent) ||
				    !flags_valid(flags))
					goto invalid;
				g_hash_table_add(chars, (gpointer)path);
			} else if (!g_variant_lookup(props, "Characteristic", "&o",
						     &parent) ||
				   !g_hash_table_contains(chars, parent)) {
				goto invalid;
			}
			continue;
invalid:
			g_debug("Invalid GATT object %s", path);
			g_variant_unref(ifaces);
			return -1;
		}
	}
	return (int)g_hash_table_size(services);
}

static void
pending_free(struct pending *pending)
{
	g_free(pending->path);
	g_free(pending);
}

static void
on_objects(GObject *source, GAsyncResult *result, gpointer user_data)
{
	struct pending *pending = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source),
								  result, &error);
	g_autoptr(GVariant) objects = NULL;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_object_unref(pending->invocation);
		pending_free(pending);
		return;
	}
	if (reply)
		objects = g_variant_get_child_value(reply, 0);
	if (!objects || g_variant_n_children(objects) == 0)
		sim_iface_return_bluez_error(pending->invocation, "Failed",
					     "No object received");
	else if (check_application(objects) <= 0)
		sim_iface_return_bluez_error(pending->invocation, "Failed",
					     "No valid service object found");
	else {
		add_registration(pending);
		g_dbus_method_invocation_return_value(pending->invocation, NULL);
	}
	pending_free(pending);
}

/* Bytes of advertising data: flags, then the service UUIDs by size. */
static gsize
advertising_length(GVariant *props, gboolean discoverable)
{
	g_autofree const char **uuids = NULL;
	gsize len = discoverable ? 3 : 0, n16 = 0, n128 = 0;

	if (g_variant_lookup(props, "ServiceUUIDs", "^a&s", &uuids)) {
		for (guint i = 0; uuids[i]; i++) {
			g_autofree char *full = sim_uuid_to_128(uuids[i]);

			if (full && g_str_has_suffix(full, "-0000-1000-8000-00805f9b34fb") &&
			    g_str_has_prefix(full, "0000"))
				n16++;
			else
				n128++;
		}
	}
	len += n16 ? 2 + 2 * n16 : 0;
	len += n128 ? 2 + 16 * n128 : 0;
	return len;
}

static void
on_advertisement(GObject *source, GAsyncResult *result, gpointer user_data)
{
	struct pending *pending = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source),
								  result, &error);
	g_autoptr(GVariant) props = NULL;
	const char *type = NULL;
	gboolean discoverable = FALSE;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_object_unref(pending->invocation);
		pending_free(pending);
		return;
	}
	if (reply)
		props = g_variant_get_child_value(reply, 0);
	if (props) {
		g_variant_lookup(props, "Type", "&s", &type);
		g_variant_lookup(props, "Discoverable", "b", &discoverable);
	}
	/* Discoverable belongs to a peripheral's advertisement only. */
	if (!props || !type ||
	    (!g_str_equal(type, "peripheral") && !g_str_equal(type, "broadcast")) ||
	    (discoverable && g_str_equal(type, "broadcast")))
		sim_iface_return_bluez_error(pending->invocation, "InvalidArguments",
					     "Invalid arguments in method call");
	else if (advertising_length(props, g_str_equal(type, "peripheral")) >
		 MAX_ADV_LEN)
		sim_iface_return_bluez_error(pending->invocation, "InvalidLength",
					     "Advertising data too long");
	else {
		add_registration(pending);
		g_dbus_method_invocation_return_value(pending->invocation, NULL);
	}
	pending_free(pending);
}

static void
start_registration(SimMockManagers *self, GVariant *params,
		   GDBusMethodInvocation *invocation, gboolean advertisement)
{
	const char *owner = g_dbus_method_invocation_get_sender(invocation);
	GDBusConnection *connection = g_dbus_method_invocation_get_connection(invocation);
	struct pending *pending;
	const char *path;

	g_variant_get(params, "(&o@a{sv})", &path, NULL);
	if (find_registration(self, advertisement, owner, path)) {
		sim_iface_return_bluez_error(invocation, "AlreadyExists",
					     "Already Exists");
		return;
	}
	if (advertisement && count_advertisements(self) >= MAX_ADVERTISEMENTS) {
		sim_iface_return_bluez_error(invocation, "NotPermitted",
					     "Maximum advertisements reached");
		return;
	}
	pending = g_new0(struct pending, 1);
	pending->managers = self;
	pending->invocation = invocation;
	pending->advertisement = advertisement;
	pending->path = g_strdup(path);
	if (advertisement)
		g_dbus_connection_call(connection, owner, path,
				       "org.freedesktop.DBus.Properties", "GetAll",
				       g_variant_new("(s)", "org.bluez.LEAdvertisement1"),
				       G_VARIANT_TYPE("(a{sv})"),
				       G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
				       on_advertisement, pending);
	else
		g_dbus_connection_call(connection, owner, path,
				       "org.freedesktop.DBus.ObjectManager",
				       "GetManagedObjects", NULL,
				       G_VARIANT_TYPE("(a{oa{sa{sv}}})"),
				       G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
				       on_objects, pending);
}

static void
unregister(SimMockManagers *self, GVariant *params,
	   GDBusMethodInvocation *invocation, gboolean advertisement)
{
	const char *owner = g_dbus_method_invocation_get_sender(invocation);
	struct registration *reg;
	const char *path;

	g_variant_get(params, "(&o)", &path);
	reg = find_registration(self, advertisement, owner, path);
	if (!reg) {
		sim_iface_return_bluez_error(invocation, "DoesNotExist",
					     "Does Not Exist");
		return;
	}
	remove_registration(self, reg);
	g_dbus_method_invocation_return_value(invocation, NULL);
}

static void
managers_method(SimIface *iface, const char *method, GVariant *params,
		GDBusMethodInvocation *invocation, gpointer user_data)
{
	SimMockManagers *self = user_data;

	g_debug("%s from %s", method, g_dbus_method_invocation_get_sender(invocation));
	if (g_str_equal(method, "RegisterApplication"))
		start_registration(self, params, invocation, FALSE);
	else if (g_str_equal(method, "RegisterAdvertisement"))
		start_registration(self, params, invocation, TRUE);
	else if (g_str_equal(method, "UnregisterApplication"))
		unregister(self, params, invocation, FALSE);
	else
		unregister(self, params, invocation, TRUE);
}

SimMockManagers *
sim_mock_managers_new(GDBusObjectSkeleton *adapter)
{
	const char *includes[] = { "tx-power", "appearance", "local-name", NULL };
	const char *channels[] = { "1M", "2M", "Coded", NULL };
	SimMockManagers *self = g_new0(SimMockManagers, 1);
	GVariantBuilder caps;

	self->cancellable = g_cancellable_new();
	self->gatt = sim_iface_new(bluez_gatt_manager1_interface_info(),
				   managers_method, NULL, self);
	self->advertising = sim_iface_new(bluez_leadvertising_manager1_interface_info(),
					  managers_method, NULL, self);
	update_instances(self);
	sim_iface_set(self->advertising, "SupportedIncludes",
		      g_variant_new_strv(includes, -1));
	sim_iface_set(self->advertising, "SupportedSecondaryChannels",
		      g_variant_new_strv(channels, -1));
	g_variant_builder_init(&caps, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&caps, "{sv}", "MaxAdvLen",
			      g_variant_new_byte(MAX_ADV_LEN));
	g_variant_builder_add(&caps, "{sv}", "MaxScnRspLen",
			      g_variant_new_byte(MAX_ADV_LEN));
	g_variant_builder_add(&caps, "{sv}", "MinTxPower", g_variant_new_int16(-34));
	g_variant_builder_add(&caps, "{sv}", "MaxTxPower", g_variant_new_int16(10));
	sim_iface_set(self->advertising, "SupportedCapabilities",
		      g_variant_builder_end(&caps));
	g_dbus_object_skeleton_add_interface(adapter,
					     G_DBUS_INTERFACE_SKELETON(self->gatt));
	g_dbus_object_skeleton_add_interface(adapter,
					     G_DBUS_INTERFACE_SKELETON(self->advertising));
	return self;
}

void
sim_mock_managers_free(SimMockManagers *self)
{
	if (!self)
		return;
	g_cancellable_cancel(self->cancellable);
	g_object_unref(self->cancellable);
	g_list_free_full(self->registrations, (GDestroyNotify)registration_free);
	g_object_unref(self->gatt);
	g_object_unref(self->advertising);
	g_free(self);
}

GVariant *
sim_mock_managers_list(SimMockManagers *self)
{
	GVariantBuilder apps, adverts;

	g_variant_builder_init(&apps, G_VARIANT_TYPE("a(so)"));
	g_variant_builder_init(&adverts, G_VARIANT_TYPE("a(so)"));
	for (GList *l = self->registrations; l; l = l->next) {
		struct registration *reg = l->data;

		g_variant_builder_add(reg->advertisement ? &adverts : &apps, "(so)",
				      reg->owner ? reg->owner : "", reg->path);
	}
	return g_variant_new("(a(so)a(so))", &apps, &adverts);
}
