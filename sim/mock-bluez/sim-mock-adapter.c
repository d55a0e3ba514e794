/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>

#include "data/bluez-gdbus.h"
#include "roller-proto.h"
#include "sim/host/sim-clock.h"
#include "sim-discovery-filter.h"
#include "sim/gatt/sim-iface.h"
#include "sim-mock-adapter.h"
#include "sim-mock-managers.h"

/* When a discovery starts, roller i is first heard after this many
 * simulated milliseconds, then every ADVERT_REPORT_MS. */
#define FIRST_HEARD_MS		300
#define FIRST_HEARD_STEP_MS	150
#define ADVERT_REPORT_MS	1000
/* bluetoothd's RSSI_THRESHOLD for an unfiltered discovery. */
#define RSSI_THRESHOLD		8

struct discovery_client {
	SimMockAdapter *adapter;
	char *owner;
	guint watch;
	/* FALSE while the client has only set a filter. */
	gboolean discovering;
	SimDiscoveryFilter *filter;
};

/* What the adapter hears of one roller's advertisements. */
struct advertiser {
	SimMockAdapter *adapter;
	SimRoller *roller;
	GRand *rand;
	guint timer;
};

struct _SimMockAdapter {
	SimConfig *cfg;
	char *path;
	GDBusObjectManagerServer *manager;
	SimIface *iface;
	GDBusObjectSkeleton *object;
	SimMockManagers *managers;
	SimMockAgents *agents;
	GList *clients;			/* of struct discovery_client */
	GPtrArray *advertisers;		/* of struct advertiser */
	GHashTable *devices;		/* address -> SimMockDevice */
};

static gboolean
is_powered(SimMockAdapter *self)
{
	return sim_iface_get_boolean(self->iface, "Powered");
}

static gboolean
device_adapter_powered(gpointer user_data)
{
	return is_powered(user_data);
}

static gboolean
device_bondable(gpointer user_data)
{
	SimMockAdapter *self = user_data;

	return sim_mock_agents_bondable(self->agents);
}

static const SimMockDeviceHost device_host = {
	.adapter_powered = device_adapter_powered,
	.bondable = device_bondable,
};

static void
client_free(struct discovery_client *client)
{
	if (client->watch)
		g_bus_unwatch_name(client->watch);
	sim_discovery_filter_free(client->filter);
	g_free(client->owner);
	g_free(client);
}

static gboolean
is_discovering(SimMockAdapter *self)
{
	for (GList *l = self->clients; l; l = l->next) {
		struct discovery_client *client = l->data;

		if (client->discovering)
			return TRUE;
	}
	return FALSE;
}

/* bluetoothd filters in the controller, without the RSSI threshold,
 * only when every discovering client set a filter. */
static gboolean
is_filtered(SimMockAdapter *self)
{
	for (GList *l = self->clients; l; l = l->next) {
		struct discovery_client *client = l->data;

		if (client->discovering && !client->filter)
			return FALSE;
	}
	return TRUE;
}

static gboolean
passes_a_filter(SimMockAdapter *self, SimRoller *roller, gint16 rssi)
{
	const char *uuids[] = { ROLLER_UUID_SERVICE, NULL };

	for (GList *l = self->clients; l; l = l->next) {
		struct discovery_client *client = l->data;

		if (client->discovering &&
		    sim_discovery_filter_match(client->filter,
					       sim_roller_get_address(roller),
					       sim_roller_get_name(roller),
					       uuids, rssi))
			return TRUE;
	}
	return FALSE;
}

static void
heard(struct advertiser *adv)
{
	SimMockAdapter *self = adv->adapter;
	const char *address = sim_roller_get_address(adv->roller);
	SimMockDevice *device;
	/* Nearer rollers first, a few dB of fading on each report. */
	gint16 rssi = (gint16)(-48 - 6 * (gint)sim_roller_get_index(adv->roller) +
			       g_rand_int_range(adv->rand, -4, 5));
	gint16 old;

	/* A connected roller does not advertise. */
	if (sim_roller_is_connected(adv->roller))
		return;
	if (!passes_a_filter(self, adv->roller, rssi))
		return;
	device = g_hash_table_lookup(self->devices, address);
	if (!device) {
		device = sim_mock_device_new(&device_host, self, self->cfg,
					     adv->roller, self->path, self->manager);
		sim_mock_device_set_rssi(device, rssi);
		g_hash_table_insert(self->devices, g_strdup(address), device);
		g_debug("%s: found %s", self->path, address);
		sim_mock_device_export(device);
		return;
	}
	if (!is_filtered(self) && sim_mock_device_get_rssi(device, &old) &&
	    abs(old - rssi) < RSSI_THRESHOLD)
		return;
	sim_mock_device_set_rssi(device, rssi);
}

static gboolean
on_advert(gpointer data)
{
	struct advertiser *adv = data;

	heard(adv);
	adv->timer = sim_clock_timeout_add(ADVERT_REPORT_MS, on_advert, adv);
	return G_SOURCE_REMOVE;
}

static void
start_scanning(SimMockAdapter *self)
{
	for (guint i = 0; i < self->advertisers->len; i++) {
		struct advertiser *adv = g_ptr_array_index(self->advertisers, i);

		if (!adv->timer)
			adv->timer = sim_clock_timeout_add(FIRST_HEARD_MS +
							   FIRST_HEARD_STEP_MS * i,
							   on_advert, adv);
	}
	sim_iface_set_boolean(self->iface, "Discovering", TRUE);
}

static void
stop_scanning(SimMockAdapter *self)
{
	GHashTableIter iter;
	gpointer device;

	for (guint i = 0; i < self->advertisers->len; i++) {
		struct advertiser *adv = g_ptr_array_index(self->advertisers, i);

		if (adv->timer) {
			g_source_remove(adv->timer);
			adv->timer = 0;
		}
	}
	/* Outside discovery bluetoothd has no fresh RSSI to show. */
	g_hash_table_iter_init(&iter, self->devices);
	while (g_hash_table_iter_next(&iter, NULL, &device))
		sim_mock_device_clear_rssi(device);
	sim_iface_set_boolean(self->iface, "Discovering", FALSE);
}

/* After a client stopped or left: the scan ends with the last one. */
static void
remove_client(SimMockAdapter *self, struct discovery_client *client)
{
	gboolean was_discovering = is_discovering(self);

	self->clients = g_list_remove(self->clients, client);
	client_free(client);
	if (was_discovering && !is_discovering(self))
		stop_scanning(self);
}

static void
on_client_vanished(GDBusConnection *connection, const char *name,
		   gpointer user_data)
{
	struct discovery_client *client = user_data;

	g_debug("discovery client %s left the bus", name);
	remove_client(client->adapter, client);
}

static struct discovery_client *
find_client(SimMockAdapter *self, const char *owner)
{
	for (GList *l = self->clients; l; l = l->next) {
		struct discovery_client *client = l->data;

		if (g_strcmp0(client->owner, owner) == 0)
			return client;
	}
	return NULL;
}

static struct discovery_client *
add_client(SimMockAdapter *self, GDBusMethodInvocation *invocation)
{
	struct discovery_client *client = g_new0(struct discovery_client, 1);
	const char *owner = g_dbus_method_invocation_get_sender(invocation);

	client->adapter = self;
	client->owner = g_strdup(owner);
	if (owner)
		client->watch = g_bus_watch_name_on_connection(
			g_dbus_method_invocation_get_connection(invocation),
			owner, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
			on_client_vanished, client, NULL);
	self->clients = g_list_append(self->clients, client);
	return client;
}

static void
start_discovery(SimMockAdapter *self, GDBusMethodInvocation *invocation)
{
	const char *owner = g_dbus_method_invocation_get_sender(invocation);
	struct discovery_client *client = find_client(self, owner);
	gboolean was_discovering = is_discovering(self);

	if (client && client->discovering) {
		sim_iface_return_bluez_error(invocation, "InProgress",
					     "Operation already in progress");
		return;
	}
	/* A client that set a filter first discovers with it. */
	if (!client)
		client = add_client(self, invocation);
	client->discovering = TRUE;
	g_dbus_method_invocation_return_value(invocation, NULL);
	if (!was_discovering)
		start_scanning(self);
}

static void
stop_discovery(SimMockAdapter *self, GDBusMethodInvocation *invocation)
{
	const char *owner = g_dbus_method_invocation_get_sender(invocation);
	struct discovery_client *client = find_client(self, owner);

	if (!client || !client->discovering) {
		sim_iface_return_bluez_error(invocation, "Failed",
					     "No discovery started");
		return;
	}
	/* The session goes, and its filter with it. */
	remove_client(self, client);
	g_dbus_method_invocation_return_value(invocation, NULL);
}

static void
set_discovery_filter(SimMockAdapter *self, GVariant *params,
		     GDBusMethodInvocation *invocation)
{
	const char *owner = g_dbus_method_invocation_get_sender(invocation);
	g_autoptr(GVariant) dict = NULL;
	SimDiscoveryFilter *filter = NULL;
	struct discovery_client *client;

	g_variant_get(params, "(@a{sv})", &dict);
	if (!sim_discovery_filter_parse(dict, &filter)) {
		sim_iface_return_bluez_error(invocation, "InvalidArguments",
					     "Invalid arguments in method call");
		return;
	}
	client = find_client(self, owner);
	if (client) {
		sim_discovery_filter_free(client->filter);
		client->filter = filter;
		/* An empty filter from a client that is not discovering
		 * removes it altogether. */
		if (!filter && !client->discovering)
			remove_client(self, client);
	} else if (filter) {
		client = add_client(self, invocation);
		client->filter = filter;
	}
	g_dbus_method_invocation_return_value(invocation, NULL);
}

static SimMockDevice *
find_device_by_path(SimMockAdapter *self, const char *path, const char **address)
{
	GHashTableIter iter;
	gpointer key, device;

	g_hash_table_iter_init(&iter, self->devices);
	while (g_hash_table_iter_next(&iter, &key, &device)) {
		if (g_str_equal(sim_mock_device_get_path(device), path)) {
			*address = key;
			return device;
		}
	}
	return NULL;
}

static void
remove_device(SimMockAdapter *self, GVariant *params,
	      GDBusMethodInvocation *invocation)
{
	const char *path;
	const char *address = NULL;

	g_variant_get(params, "(&o)", &path);
	if (!find_device_by_path(self, path, &address)) {
		sim_iface_return_bluez_error(invocation, "DoesNotExist",
					     "Does Not Exist");
		return;
	}
	if (!is_powered(self)) {
		sim_iface_return_bluez_error(invocation, "NotReady",
					     "Resource Not Ready");
		return;
	}
	/* Disconnects first if need be (at once: the mock does not wait
	 * bluetoothd's two seconds here), then the objects go, and with
	 * them the bond (btd_adapter_remove_device()). */
	g_hash_table_remove(self->devices, address);
	g_dbus_method_invocation_return_value(invocation, NULL);
}

static void
adapter_method(SimIface *iface, const char *method, GVariant *params,
	       GDBusMethodInvocation *invocation, gpointer user_data)
{
	SimMockAdapter *self = user_data;

	g_debug("%s.%s from %s", self->path, method,
		g_dbus_method_invocation_get_sender(invocation));
	if (g_str_equal(method, "GetDiscoveryFilters")) {
		g_dbus_method_invocation_return_value(invocation,
			g_variant_new("(^as)", sim_discovery_filter_keys));
		return;
	}
	if (g_str_equal(method, "ConnectDevice")) {
		/* Experimental: absent from a bluetoothd without -E. */
		g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR,
						      G_DBUS_ERROR_UNKNOWN_METHOD,
						      "Method \"%s\" doesn't exist",
						      method);
		return;
	}
	if (g_str_equal(method, "RemoveDevice")) {
		remove_device(self, params, invocation);
		return;
	}
	if (!is_powered(self)) {
		sim_iface_return_bluez_error(invocation, "NotReady",
					     "Resource Not Ready");
		return;
	}
	if (g_str_equal(method, "StartDiscovery"))
		start_discovery(self, invocation);
	else if (g_str_equal(method, "StopDiscovery"))
		stop_discovery(self, invocation);
	else
		set_discovery_filter(self, params, invocation);
}

static void
power_off(SimMockAdapter *self)
{
	GHashTableIter iter;
	gpointer device;

	g_list_free_full(g_steal_pointer(&self->clients),
			 (GDestroyNotify)client_free);
	stop_scanning(self);
	g_hash_table_iter_init(&iter, self->devices);
	while (g_hash_table_iter_next(&iter, NULL, &device))
		sim_mock_device_drop_link(device, "org.bluez.Reason.Local",
					  "Connection terminated by local host");
	sim_iface_set_boolean(self->iface, "Discoverable", FALSE);
}

static gboolean
adapter_set_property(SimIface *iface, const char *property, GVariant *value,
		     GError **error, gpointer user_data)
{
	SimMockAdapter *self = user_data;

	if (g_str_equal(property, "Alias")) {
		const char *alias = g_variant_get_string(value, NULL);

		/* An empty alias gives the system name back. */
		sim_iface_set_string(iface, "Alias", *alias ? alias :
				     g_variant_get_string(sim_iface_get(iface, "Name"),
							  NULL));
		return TRUE;
	}
	if (g_str_equal(property, "Powered")) {
		gboolean on = g_variant_get_boolean(value);

		if (!on && is_powered(self))
			power_off(self);
		sim_iface_set_boolean(iface, "Powered", on);
		sim_iface_set_string(iface, "PowerState", on ? "on" : "off");
		return TRUE;
	}
	if (g_str_equal(property, "Connectable") && !g_variant_get_boolean(value))
		sim_iface_set_boolean(iface, "Discoverable", FALSE);
	/* Discoverable, Pairable, Connectable and the timeouts: kept. */
	sim_iface_set(iface, property, g_variant_ref(value));
	return TRUE;
}

static void
advertiser_free(struct advertiser *adv)
{
	if (adv->timer)
		g_source_remove(adv->timer);
	g_rand_free(adv->rand);
	g_free(adv);
}

SimMockAdapter *
sim_mock_adapter_new(SimConfig *cfg, GPtrArray *rollers,
		     GDBusObjectManagerServer *manager, SimMockAgents *agents)
{
	const char *local_uuids[] = {
		"00001800-0000-1000-8000-00805f9b34fb",
		"00001801-0000-1000-8000-00805f9b34fb",
		"0000180a-0000-1000-8000-00805f9b34fb",
		NULL,
	};
	const char *roles[] = { "central", "peripheral", NULL };
	SimMockAdapter *self = g_new0(SimMockAdapter, 1);

	self->cfg = cfg;
	self->agents = agents;
	self->path = g_strconcat("/org/bluez/", cfg->adapter, NULL);
	self->manager = g_object_ref(manager);
	self->devices = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      (GDestroyNotify)sim_mock_device_free);
	self->advertisers = g_ptr_array_new_with_free_func((GDestroyNotify)advertiser_free);
	for (guint i = 0; i < rollers->len; i++) {
		struct advertiser *adv = g_new0(struct advertiser, 1);

		adv->adapter = self;
		adv->roller = g_ptr_array_index(rollers, i);
		adv->rand = g_rand_new_with_seed(cfg->seed + 0x4155u * (i + 1));
		g_ptr_array_add(self->advertisers, adv);
	}

	self->iface = sim_iface_new(bluez_adapter1_interface_info(), adapter_method,
				    adapter_set_property, self);
	sim_iface_set_string(self->iface, "Address", "00:1A:7D:DA:71:13");
	sim_iface_set_string(self->iface, "AddressType", "public");
	sim_iface_set_string(self->iface, "Name", "roller-sim");
	sim_iface_set_string(self->iface, "Alias", "roller-sim");
	sim_iface_set(self->iface, "Class", g_variant_new_uint32(0x6c010c));
	sim_iface_set_boolean(self->iface, "Connectable", TRUE);
	sim_iface_set_boolean(self->iface, "Powered", TRUE);
	sim_iface_set_string(self->iface, "PowerState", "on");
	sim_iface_set_boolean(self->iface, "Discoverable", FALSE);
	sim_iface_set(self->iface, "DiscoverableTimeout", g_variant_new_uint32(180));
	sim_iface_set_boolean(self->iface, "Pairable", TRUE);
	sim_iface_set(self->iface, "PairableTimeout", g_variant_new_uint32(0));
	sim_iface_set_boolean(self->iface, "Discovering", FALSE);
	sim_iface_set(self->iface, "UUIDs", g_variant_new_strv(local_uuids, -1));
	sim_iface_set_string(self->iface, "Modalias", "usb:v1D6Bp0246d0548");
	sim_iface_set(self->iface, "Roles", g_variant_new_strv(roles, -1));
	/* The Linux Foundation's company id, Core 5.3. */
	sim_iface_set(self->iface, "Manufacturer", g_variant_new_uint16(0x05f1));
	sim_iface_set(self->iface, "Version", g_variant_new_byte(0x0c));
	self->object = sim_iface_new_object(self->path, self->iface);
	self->managers = sim_mock_managers_new(self->object);
	g_dbus_object_manager_server_export(manager, self->object);
	return self;
}

void
sim_mock_adapter_free(SimMockAdapter *self)
{
	if (!self)
		return;
	g_list_free_full(g_steal_pointer(&self->clients),
			 (GDestroyNotify)client_free);
	g_ptr_array_unref(self->advertisers);
	g_hash_table_unref(self->devices);
	g_dbus_object_manager_server_unexport(self->manager, self->path);
	sim_mock_managers_free(self->managers);
	g_object_unref(self->object);
	g_object_unref(self->iface);
	g_object_unref(self->manager);
	g_free(self->path);
	g_free(self);
}

SimMockDevice *
sim_mock_adapter_find_device(SimMockAdapter *self, const char *address)
{
	GHashTableIter iter;
	gpointer key, device;

	g_hash_table_iter_init(&iter, self->devices);
	while (g_hash_table_iter_next(&iter, &key, &device))
		if (g_ascii_strcasecmp(key, address) == 0)
			return device;
	return NULL;
}

GVariant *
sim_mock_adapter_list_registrations(SimMockAdapter *self)
{
	return sim_mock_managers_list(self->managers);
}
