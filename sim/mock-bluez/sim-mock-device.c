/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "data/bluez-gdbus.h"
#include "roller-proto.h"
#include "sim/host/sim-clock.h"
#include "sim/gatt/sim-gatt.h"
#include "sim/gatt/sim-iface.h"
#include "sim-mock-device.h"
#include "sim-mock-pairing.h"

/*
 * Timings of an LE link on a real controller (notes/real-bluez-in-a-vm.md),
 * in simulated milliseconds.
 */
#define CONNECT_MS		60	/* Connect until the link is up */
#define BROWSE_MS		350	/* link up until ServicesResolved */
#define CACHED_BROWSE_MS	150	/* the same with a cached database */
#define DISCONNECT_MS		2000	/* bluetoothd's DISCONNECT_TIMER */

typedef enum {
	LINK_DOWN,
	LINK_CONNECTING,
	LINK_UP,
	LINK_DISCONNECTING,
} LinkState;

struct _SimMockDevice {
	const SimMockDeviceHost *host;
	gpointer host_data;
	SimConfig *cfg;
	SimRoller *roller;
	char *path;
	GDBusObjectManagerServer *manager;
	SimIface *iface;
	GDBusObjectSkeleton *object;
	SimGatt *gatt;
	SimMockPairing *pairing;

	LinkState state;
	guint timer;
	/* Sim1.RestartGatt: its services are going (and then coming back). */
	gboolean gatt_restarting;
	guint gatt_back_ms;
	GDBusMethodInvocation *connect_call;
	GList *disconnect_calls;
	/* Connects refused under this fault setting (--fault-refuse-connect) */
	guint refused_generation;
	guint refused;
	/* g_get_monotonic_time() of every Connect call (Sim1.ConnectCalls) */
	GArray *connect_times;
};

static void on_roller_notify(gpointer user_data, enum model_char_id ch,
			     const guint8 *data, gsize len);
static void on_roller_link_lost(gpointer user_data);

static const SimRollerLink roller_link = {
	.notify = on_roller_notify,
	.link_lost = on_roller_link_lost,
};

static void
cancel_timer(SimMockDevice *self)
{
	if (self->timer) {
		g_source_remove(self->timer);
		self->timer = 0;
	}
}

static void
set_uuids(SimMockDevice *self, const char *const *uuids)
{
	sim_iface_set(self->iface, "UUIDs", g_variant_new_strv(uuids, -1));
}

static gboolean
on_services_resolved(gpointer data)
{
	SimMockDevice *self = data;
	g_auto(GStrv) uuids = sim_gatt_service_uuids(SIM_GATT_MOCK);

	self->timer = 0;
	/* The browse found the primary services; Device1.UUIDs now lists
	 * them with what the advertisement said. */
	sim_gatt_export(self->gatt, self->manager);
	set_uuids(self, (const char *const *)uuids);
	sim_iface_set_boolean(self->iface, "ServicesResolved", TRUE);
	g_debug("%s: services resolved", self->path);
	return G_SOURCE_REMOVE;
}

static gboolean
refuse_connect_now(SimMockDevice *self)
{
	SimFaults *faults = &self->cfg->faults;

	if (self->refused_generation != faults->generation) {
		self->refused = 0;
		self->refused_generation = faults->generation;
	}
	if (self->refused >= faults->refuse_connect)
		return FALSE;
	self->refused++;
	return TRUE;
}

static gboolean
on_link_up(gpointer data)
{
	SimMockDevice *self = data;
	GDBusMethodInvocation *call = g_steal_pointer(&self->connect_call);
	gboolean cached = sim_gatt_is_exported(self->gatt);

	self->timer = 0;
	if (refuse_connect_now(self)) {
		/* What users see when a connection attempt is not answered. */
		self->state = LINK_DOWN;
		g_debug("%s: connection refused (fault)", self->path);
		sim_iface_return_bluez_error(call, "Failed",
					     "le-connection-abort-by-local");
		return G_SOURCE_REMOVE;
	}
	self->state = LINK_UP;
	sim_mock_pairing_link_up(self->pairing);
	sim_roller_connect(self->roller, self->cfg->mtu, &roller_link, self);
	sim_iface_set_boolean(self->iface, "Connected", TRUE);
	sim_gatt_link_up(self->gatt);
	/* bluetoothd answers Connect once the LE link is up, before the
	 * GATT browse ends. */
	g_dbus_method_invocation_return_value(call, NULL);
	if (self->cfg->faults.early_resolved) {
		/* The race: resolved, but the objects are not there yet. */
		sim_iface_set_boolean(self->iface, "ServicesResolved", TRUE);
	}
	self->timer = sim_clock_timeout_add(cached ? CACHED_BROWSE_MS : BROWSE_MS,
					    on_services_resolved, self);
	return G_SOURCE_REMOVE;
}

static void
reply_disconnect_calls(SimMockDevice *self)
{
	GList *calls = g_steal_pointer(&self->disconnect_calls);

	for (GList *l = calls; l; l = l->next)
		g_dbus_method_invocation_return_value(l->data, NULL);
	g_list_free(calls);
}

void
sim_mock_device_drop_link(SimMockDevice *self, const char *reason,
			  const char *message)
{
	if (self->state == LINK_CONNECTING) {
		cancel_timer(self);
		self->state = LINK_DOWN;
		sim_iface_return_bluez_error(g_steal_pointer(&self->connect_call),
					     "Failed", "br-connection-canceled");
		reply_disconnect_calls(self);
		return;
	}
	if (self->state == LINK_DOWN) {
		reply_disconnect_calls(self);
		return;
	}
	cancel_timer(self);
	g_debug("%s: link down (%s)", self->path, reason);
	/* Sockets get their HUP and the roller forgets its subscriptions
	 * before the link itself goes; a pairing under way fails. */
	sim_mock_pairing_link_down(self->pairing);
	sim_gatt_link_down(self->gatt);
	sim_roller_disconnect(self->roller);
	self->state = LINK_DOWN;
	sim_iface_set_boolean(self->iface, "ServicesResolved", FALSE);
	sim_iface_emit_signal(self->iface, "Disconnected",
			      g_variant_new("(ss)", reason, message));
	sim_iface_set_boolean(self->iface, "Connected", FALSE);
	/* bluetoothd keeps the GATT database of a disconnected device only
	 * with [GATT] Cache = always (its default) or for a paired one, and
	 * never one it was browsing again. */
	if (self->cfg->gatt_cache != SIM_GATT_CACHE_ALWAYS || self->gatt_restarting)
		sim_gatt_unexport(self->gatt);
	self->gatt_restarting = FALSE;
	reply_disconnect_calls(self);
}

static gboolean
on_gatt_back(gpointer data)
{
	SimMockDevice *self = data;

	self->timer = 0;
	self->gatt_restarting = FALSE;
	/* bluetoothd browses again and exports fresh objects. */
	sim_gatt_export(self->gatt, self->manager);
	sim_gatt_link_up(self->gatt);
	g_debug("%s: GATT services back", self->path);
	return G_SOURCE_REMOVE;
}

/* One service after another, as bluetoothd browses a Service Changed's
 * ranges (ATT round trips: real time, not the roller's): a central sees
 * the first go while the others are still there. */
#define SERVICE_REMOVAL_STEP_MS 50

static void remove_next_service(SimMockDevice *self);

static gboolean
on_service_removal_step(gpointer data)
{
	SimMockDevice *self = data;

	self->timer = 0;
	remove_next_service(self);
	return G_SOURCE_REMOVE;
}

static void
remove_next_service(SimMockDevice *self)
{
	sim_gatt_remove_last_service(self->gatt);
	if (sim_gatt_is_exported(self->gatt))
		self->timer = g_timeout_add(SERVICE_REMOVAL_STEP_MS, on_service_removal_step,
					    self);
	else
		self->timer = sim_clock_timeout_add(self->gatt_back_ms, on_gatt_back, self);
}

gboolean
sim_mock_device_restart_gatt(SimMockDevice *self, guint delay_ms)
{
	/* Not while Connect's browse or a Disconnect is under way. */
	if (self->state != LINK_UP || self->timer || !sim_gatt_is_exported(self->gatt))
		return FALSE;
	g_debug("%s: GATT server restarting, link up", self->path);
	self->gatt_restarting = TRUE;
	self->gatt_back_ms = delay_ms;
	remove_next_service(self);
	return TRUE;
}

gboolean
sim_mock_device_change_service(SimMockDevice *self, const char *uuid, guint delay_ms)
{
	if (self->state != LINK_UP || self->timer || !sim_gatt_is_exported(self->gatt) ||
	    !sim_gatt_remove_service(self->gatt, uuid))
		return FALSE;
	g_debug("%s: service %s changed, link up", self->path, uuid);
	self->gatt_restarting = TRUE;
	self->timer = sim_clock_timeout_add(delay_ms, on_gatt_back, self);
	return TRUE;
}

GStrv
sim_mock_device_get_hazards(SimMockDevice *self)
{
	return sim_gatt_get_hazards(self->gatt);
}

static gboolean
on_disconnect_timer(gpointer data)
{
	SimMockDevice *self = data;

	self->timer = 0;
	sim_mock_device_drop_link(self, "org.bluez.Reason.Local",
				  "Connection terminated by local host");
	return G_SOURCE_REMOVE;
}

static void
on_roller_notify(gpointer user_data, enum model_char_id ch,
		 const guint8 *data, gsize len)
{
	SimMockDevice *self = user_data;

	sim_gatt_deliver(self->gatt, ch, data, len);
}

static void
on_roller_link_lost(gpointer user_data)
{
	SimMockDevice *self = user_data;

	/* The supervision timeout ends a link that went silent. */
	sim_mock_device_drop_link(self, "org.bluez.Reason.Timeout",
				  "Connection timeout");
}

static void
device_connect(SimMockDevice *self, GDBusMethodInvocation *invocation)
{
	gint64 now = g_get_monotonic_time();

	g_array_append_val(self->connect_times, now);
	if (!self->host->adapter_powered(self->host_data)) {
		sim_iface_return_bluez_error(invocation, "Failed",
					     "le-connection-adapter-not-powered");
		return;
	}
	switch (self->state) {
	case LINK_CONNECTING:
		sim_iface_return_bluez_error(invocation, "InProgress",
					     "In Progress");
		return;
	case LINK_UP:
	case LINK_DISCONNECTING:
		/* bluetoothd answers at once while the LE link is up. */
		g_dbus_method_invocation_return_value(invocation, NULL);
		return;
	case LINK_DOWN:
		break;
	}
	self->state = LINK_CONNECTING;
	self->connect_call = invocation;
	self->timer = sim_clock_timeout_add(CONNECT_MS, on_link_up, self);
}

static void
device_disconnect(SimMockDevice *self, GDBusMethodInvocation *invocation)
{
	self->disconnect_calls = g_list_append(self->disconnect_calls, invocation);
	switch (self->state) {
	case LINK_DOWN:
	case LINK_CONNECTING:
		/* Cancels a Connect; a device not connected is fine. */
		sim_mock_device_drop_link(self, "org.bluez.Reason.Local",
					  "Connection terminated by local host");
		return;
	case LINK_DISCONNECTING:
		return;
	case LINK_UP:
		break;
	}
	/* bluetoothd lets profiles go for DISCONNECT_TIMER before it
	 * drops the link; StartNotify says NotConnected meanwhile. */
	cancel_timer(self);
	self->state = LINK_DISCONNECTING;
	sim_gatt_set_disconnecting(self->gatt, TRUE);
	self->timer = sim_clock_timeout_add(DISCONNECT_MS, on_disconnect_timer, self);
}

static void
device_method(SimIface *iface, const char *method, GVariant *params,
	      GDBusMethodInvocation *invocation, gpointer user_data)
{
	SimMockDevice *self = user_data;

	g_debug("%s.%s", self->path, method);
	if (g_str_equal(method, "Connect")) {
		device_connect(self, invocation);
	} else if (g_str_equal(method, "Disconnect")) {
		device_disconnect(self, invocation);
	} else if (g_str_equal(method, "Pair")) {
		sim_mock_pairing_pair(self->pairing, invocation, self->state == LINK_UP);
	} else if (g_str_equal(method, "CancelPairing")) {
		sim_mock_pairing_cancel(self->pairing, invocation);
	} else if (g_str_equal(method, "GetServiceRecords")) {
		/* Experimental: absent from a bluetoothd without -E. */
		g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR,
						      G_DBUS_ERROR_UNKNOWN_METHOD,
						      "Method \"%s\" doesn't exist",
						      method);
	} else {
		/* ConnectProfile, DisconnectProfile. */
		sim_iface_return_bluez_error(invocation, "NotSupported",
					     "Not modeled by roller-sim");
	}
}

static gboolean
device_set_property(SimIface *iface, const char *property, GVariant *value,
		    GError **error, gpointer user_data)
{
	SimMockDevice *self = user_data;

	if (g_str_equal(property, "Alias")) {
		const char *alias = g_variant_get_string(value, NULL);

		/* An empty alias gives the remote name back. */
		sim_iface_set_string(iface, "Alias", *alias ? alias :
				     sim_roller_get_name(self->roller));
		return TRUE;
	}
	if (g_str_equal(property, "Trusted") || g_str_equal(property, "Blocked")) {
		sim_iface_set(iface, property, g_variant_ref(value));
		return TRUE;
	}
	/* WakeAllowed and PreferredBearer do not exist for this device. */
	g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
		    "No such property '%s'", property);
	return FALSE;
}

static gboolean
pairing_bondable(gpointer user_data)
{
	SimMockDevice *self = user_data;

	return self->host->bondable(self->host_data);
}

static void
pairing_end_link(gpointer user_data)
{
	sim_mock_device_drop_link(user_data, "org.bluez.Reason.Local",
				  "Connection terminated by local host");
}

static const SimMockPairingHost pairing_host = {
	.bondable = pairing_bondable,
	.end_link = pairing_end_link,
};

static void
gatt_secure(gpointer user_data, SimGattSecuredFunc done, gpointer data)
{
	SimMockDevice *self = user_data;

	sim_mock_pairing_secure(self->pairing, done, data);
}

static const SimGattHost gatt_host = {
	.secure = gatt_secure,
};

SimMockDevice *
sim_mock_device_new(const SimMockDeviceHost *host, gpointer host_data, SimConfig *cfg,
		    SimRoller *roller, const char *adapter_path,
		    GDBusObjectManagerServer *manager)
{
	static const guint8 adv_flags[] = { 0x06 }; /* LE General, no BR/EDR */
	const char *advertised[] = { ROLLER_UUID_SERVICE, NULL };
	SimMockDevice *self = g_new0(SimMockDevice, 1);
	g_autofree char *address = g_strdup(sim_roller_get_address(roller));

	self->host = host;
	self->host_data = host_data;
	self->cfg = cfg;
	self->roller = roller;
	self->manager = g_object_ref(manager);
	g_strdelimit(address, ":", '_');
	self->path = g_strdup_printf("%s/dev_%s", adapter_path, address);
	self->gatt = sim_gatt_new(SIM_GATT_MOCK, roller, self->path,
				  cfg->require_encryption ? &gatt_host : NULL, self);
	self->connect_times = g_array_new(FALSE, FALSE, sizeof(gint64));

	self->iface = sim_iface_new(bluez_device1_interface_info(), device_method,
				    device_set_property, self);
	sim_iface_set_string(self->iface, "Address", sim_roller_get_address(roller));
	/* A static random address, as LE peripherals without a public one. */
	sim_iface_set_string(self->iface, "AddressType", "random");
	sim_iface_set_string(self->iface, "Name", sim_roller_get_name(roller));
	sim_iface_set_string(self->iface, "Alias", sim_roller_get_name(roller));
	self->pairing = sim_mock_pairing_new(cfg, self->iface, &pairing_host, self);
	sim_iface_set_boolean(self->iface, "Trusted", FALSE);
	sim_iface_set_boolean(self->iface, "Blocked", FALSE);
	sim_iface_set_boolean(self->iface, "LegacyPairing", FALSE);
	sim_iface_set_boolean(self->iface, "CablePairing", FALSE);
	sim_iface_set_boolean(self->iface, "Connected", FALSE);
	set_uuids(self, advertised);
	sim_iface_set(self->iface, "Adapter", g_variant_new_object_path(adapter_path));
	sim_iface_set_boolean(self->iface, "ServicesResolved", FALSE);
	sim_iface_set_bytes(self->iface, "AdvertisingFlags", adv_flags,
			    sizeof(adv_flags));
	self->object = sim_iface_new_object(self->path, self->iface);
	return self;
}

void
sim_mock_device_export(SimMockDevice *self)
{
	g_dbus_object_manager_server_export(self->manager, self->object);
}

void
sim_mock_device_free(SimMockDevice *self)
{
	if (!self)
		return;
	sim_mock_device_drop_link(self, "org.bluez.Reason.Local",
				  "Connection terminated by local host");
	sim_mock_pairing_free(self->pairing);
	sim_gatt_free(self->gatt);
	g_dbus_object_manager_server_unexport(self->manager, self->path);
	g_object_unref(self->object);
	g_object_unref(self->iface);
	g_object_unref(self->manager);
	g_array_unref(self->connect_times);
	g_free(self->path);
	g_free(self);
}

GVariant *
sim_mock_device_get_connect_calls(SimMockDevice *self)
{
	return g_variant_new_fixed_array(G_VARIANT_TYPE_INT64, self->connect_times->data,
					 self->connect_times->len, sizeof(gint64));
}

GVariant *
sim_mock_device_get_pairings(SimMockDevice *self)
{
	return sim_mock_pairing_get_counts(self->pairing);
}

const char *
sim_mock_device_get_path(SimMockDevice *self)
{
	return self->path;
}

SimRoller *
sim_mock_device_get_roller(SimMockDevice *self)
{
	return self->roller;
}

gboolean
sim_mock_device_is_connected(SimMockDevice *self)
{
	return self->state != LINK_DOWN;
}

void
sim_mock_device_set_rssi(SimMockDevice *self, gint16 rssi)
{
	sim_iface_set(self->iface, "RSSI", g_variant_new_int16(rssi));
}

void
sim_mock_device_clear_rssi(SimMockDevice *self)
{
	sim_iface_unset(self->iface, "RSSI");
}

gboolean
sim_mock_device_get_rssi(SimMockDevice *self, gint16 *rssi)
{
	GVariant *value = sim_iface_get(self->iface, "RSSI");

	if (value)
		*rssi = g_variant_get_int16(value);
	return value != NULL;
}
