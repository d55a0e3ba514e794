/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "data/bluez-gdbus.h"
#include "roller-proto.h"
#include "sim/gatt/sim-gatt.h"
#include "sim/gatt/sim-iface.h"
#include "sim-peripheral.h"
#include "sim-peripheral-agent.h"

#define BLUEZ_NAME "org.bluez"
/* Real seconds between two registration attempts after a failure. */
#define RETRY_SECONDS 5
/* Bounded, so that a wedged bluetoothd cannot hold up an exit. */
#define UNREGISTER_TIMEOUT_MS 1000
/* bluetoothd drops the link DISCONNECT_TIMER (2 s) after the request and
 * answers then (src/device.c). */
#define DISCONNECT_TIMEOUT_MS 5000

struct _SimPeripheral {
	SimConfig *cfg;
	SimRoller *roller;
	GSourceFunc on_fatal;
	gpointer fatal_data;
	char *adapter_path;

	GDBusConnection *connection;
	GDBusObjectManagerServer *app;
	SimGatt *gatt;
	SimIface *advertisement;
	SimPeripheralAgent *agent;
	guint bluez_watch;
	gboolean bluez_present;
	GCancellable *cancellable;	/* calls to the current bluetoothd */
	gboolean app_registered;
	gboolean adv_registered;
	guint retry_timer;
	/* sim_peripheral_restart_gatt(): the application comes back then. */
	guint gatt_back_timer;
	/* Asked for before the application was registered: done once it is. */
	gboolean restart_pending;

	/* The central's Device1, whose Connected we follow. */
	char *central;
	guint central_watch;
};

static void register_all(SimPeripheral *self);

static void
link_down(SimPeripheral *self)
{
	if (self->central_watch) {
		g_dbus_connection_signal_unsubscribe(self->connection,
						     self->central_watch);
		self->central_watch = 0;
	}
	g_clear_pointer(&self->central, g_free);
	if (!sim_roller_is_connected(self->roller))
		return;
	g_debug("Central gone");
	sim_gatt_link_down(self->gatt);
	sim_roller_disconnect(self->roller);
}

static void
on_central_changed(GDBusConnection *connection, const char *sender,
		   const char *path, const char *interface, const char *signal,
		   GVariant *params, gpointer user_data)
{
	SimPeripheral *self = user_data;
	g_autoptr(GVariant) changed = NULL;
	const char *iface;
	gboolean connected;

	g_variant_get(params, "(&s@a{sv}@as)", &iface, &changed, NULL);
	if (g_str_equal(iface, "org.bluez.Device1") &&
	    g_variant_lookup(changed, "Connected", "b", &connected) && !connected)
		link_down(self);
}

static void
on_roller_notify(gpointer user_data, enum model_char_id ch,
		 const guint8 *data, gsize len)
{
	SimPeripheral *self = user_data;

	sim_gatt_deliver(self->gatt, ch, data, len);
}

/*
 * The roller ends the link, as one switched off or out of reach would:
 * the central's Device1 on this bluetoothd, disconnected.  Waits at most
 * DISCONNECT_TIMEOUT_MS when @wait: an application that goes while the
 * link is still up leaves bluetoothd (5.66) browsing its vanished services
 * and timing out reads on them, which crashed it in the VM.
 */
static void
disconnect_central(SimPeripheral *self, gboolean wait)
{
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error = NULL;

	if (!self->central)
		return;
	g_debug("Disconnecting %s", self->central);
	if (!wait) {
		g_dbus_connection_call(self->connection, BLUEZ_NAME, self->central,
				       "org.bluez.Device1", "Disconnect", NULL, NULL,
				       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
		return;
	}
	reply = g_dbus_connection_call_sync(self->connection, BLUEZ_NAME, self->central,
					    "org.bluez.Device1", "Disconnect", NULL, NULL,
					    G_DBUS_CALL_FLAGS_NONE, DISCONNECT_TIMEOUT_MS,
					    NULL, &error);
	if (!reply)
		g_debug("Disconnect: %s", error->message);
}

static void
on_roller_link_lost(gpointer user_data)
{
	disconnect_central(user_data, FALSE);
}

static const SimRollerLink roller_link = {
	.notify = on_roller_notify,
	.link_lost = on_roller_link_lost,
};

/* bluetoothd never says "connected" to an application: the first call
 * that names a central (and its MTU) stands for the connection. */
static void
on_link_hint(gpointer user_data, const char *device, guint16 mtu)
{
	SimPeripheral *self = user_data;

	if (device && !self->central) {
		self->central = g_strdup(device);
		self->central_watch = g_dbus_connection_signal_subscribe(
			self->connection, BLUEZ_NAME,
			"org.freedesktop.DBus.Properties", "PropertiesChanged",
			device, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
			on_central_changed, self, NULL);
	}
	if (sim_roller_is_connected(self->roller)) {
		if (mtu && mtu != sim_roller_get_mtu(self->roller))
			g_debug("The link's MTU is %u, the roller assumed %u",
				mtu, sim_roller_get_mtu(self->roller));
		return;
	}
	/* Without a word of the MTU, assume --mtu. */
	g_debug("Central %s, MTU %u", device ? device : "(unknown)",
		mtu ? mtu : self->cfg->mtu);
	sim_roller_connect(self->roller, mtu ? mtu : self->cfg->mtu,
			   &roller_link, self);
	sim_gatt_link_up(self->gatt);
}

static const SimGattHost gatt_host = {
	.link_hint = on_link_hint,
};

static gboolean
on_retry(gpointer data)
{
	SimPeripheral *self = data;

	self->retry_timer = 0;
	register_all(self);
	return G_SOURCE_REMOVE;
}

static void
retry_later(SimPeripheral *self)
{
	if (!self->retry_timer && self->bluez_present)
		self->retry_timer = g_timeout_add_seconds(RETRY_SECONDS, on_retry,
							  self);
}

/* Whether a registration went through; a failure is tried again. */
static gboolean
registration_ok(SimPeripheral *self, const char *what, GError *error)
{
	g_autofree char *remote = NULL;

	if (!error)
		return TRUE;
	remote = g_dbus_error_get_remote_error(error);
	/* Registered before this bluetoothd forgot to tell us: fine. */
	if (g_strcmp0(remote, "org.bluez.Error.AlreadyExists") == 0)
		return TRUE;
	g_warning("%s on %s: %s; trying again in %d s", what,
		  self->adapter_path, error->message, RETRY_SECONDS);
	retry_later(self);
	return FALSE;
}

static void
on_app_registered(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SimPeripheral *self = user_data;
	g_autoptr(GError) error = NULL;

	bluez_gatt_manager1_call_register_application_finish(BLUEZ_GATT_MANAGER1(source),
							     result, &error);
	/* Cancelled: that bluetoothd is gone, and maybe @self too. */
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (registration_ok(self, "RegisterApplication", error)) {
		g_debug("GATT application registered");
		self->app_registered = TRUE;
		if (self->restart_pending)
			sim_peripheral_restart_gatt(self);
	}
}

static void
on_adv_registered(GObject *source, GAsyncResult *result, gpointer user_data)
{
	SimPeripheral *self = user_data;
	g_autoptr(GError) error = NULL;

	bluez_leadvertising_manager1_call_register_advertisement_finish(
		BLUEZ_LEADVERTISING_MANAGER1(source), result, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (registration_ok(self, "RegisterAdvertisement", error)) {
		g_debug("Advertising as %s", sim_roller_get_name(self->roller));
		self->adv_registered = TRUE;
	}
}

static void
register_all(SimPeripheral *self)
{
	g_autoptr(GError) error = NULL;
	GDBusProxyFlags flags = G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
				G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS;

	/* The generated types have no autoptr cleanup (gdbus-codegen's
	 * default --glib-min-required), hence the explicit unrefs. */
	if (!self->app_registered) {
		BluezGattManager1 *manager =
			bluez_gatt_manager1_proxy_new_sync(self->connection, flags,
							   BLUEZ_NAME,
							   self->adapter_path,
							   NULL, &error);

		if (manager) {
			bluez_gatt_manager1_call_register_application(manager,
				SIM_PERIPHERAL_APP_PATH,
				g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0),
				self->cancellable, on_app_registered, self);
			g_object_unref(manager);
		}
	}
	if (!self->adv_registered) {
		BluezLEAdvertisingManager1 *manager =
			bluez_leadvertising_manager1_proxy_new_sync(self->connection,
								    flags,
								    BLUEZ_NAME,
								    self->adapter_path,
								    NULL, NULL);

		if (manager) {
			bluez_leadvertising_manager1_call_register_advertisement(manager,
				SIM_PERIPHERAL_ADVERTISEMENT_PATH,
				g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0),
				self->cancellable, on_adv_registered, self);
			g_object_unref(manager);
		}
	}
}

static void
on_bluez_appeared(GDBusConnection *connection, const char *name,
		  const char *owner, gpointer user_data)
{
	SimPeripheral *self = user_data;

	g_debug("bluetoothd is %s: registering", owner);
	self->bluez_present = TRUE;
	self->cancellable = g_cancellable_new();
	register_all(self);
}

static void
on_bluez_vanished(GDBusConnection *connection, const char *name,
		  gpointer user_data)
{
	SimPeripheral *self = user_data;

	if (!self->bluez_present) {
		g_message("Waiting for bluetoothd (%s) on the bus", BLUEZ_NAME);
		return;
	}
	/* A restart forgets every registration and every link. */
	g_message("bluetoothd left the bus; registering again when it is back");
	self->bluez_present = FALSE;
	self->app_registered = FALSE;
	self->adv_registered = FALSE;
	g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	if (self->retry_timer) {
		g_source_remove(self->retry_timer);
		self->retry_timer = 0;
	}
	if (self->gatt_back_timer) {
		g_source_remove(self->gatt_back_timer);
		self->gatt_back_timer = 0;
	}
	/* Its registrations are fresh when it is back. */
	self->restart_pending = FALSE;
	link_down(self);
}

static void
advertisement_method(SimIface *iface, const char *method, GVariant *params,
		     GDBusMethodInvocation *invocation, gpointer user_data)
{
	SimPeripheral *self = user_data;

	/* Release: bluetoothd dropped the advertisement (adapter off,
	 * removed...).  It is already unregistered; ask again later. */
	g_message("Advertisement released by bluetoothd");
	self->adv_registered = FALSE;
	g_dbus_method_invocation_return_value(invocation, NULL);
	retry_later(self);
}

static gboolean
advertisement_set_property(SimIface *iface, const char *property,
			   GVariant *value, GError **error, gpointer user_data)
{
	/* bluetoothd writes the instance it gave the advertisement. */
	sim_iface_set(iface, property, g_variant_ref(value));
	return TRUE;
}

static SimIface *
new_advertisement(SimPeripheral *self)
{
	const char *uuids[] = { ROLLER_UUID_SERVICE, NULL };
	SimIface *adv = sim_iface_new(bluez_leadvertisement1_interface_info(),
				      advertisement_method,
				      advertisement_set_property, self);

	sim_iface_set_string(adv, "Type", "peripheral");
	sim_iface_set(adv, "ServiceUUIDs", g_variant_new_strv(uuids, -1));
	sim_iface_set_string(adv, "LocalName", sim_roller_get_name(self->roller));
	/* Without it only a discovery filtered by UUID finds the roller. */
	sim_iface_set_boolean(adv, "Discoverable", TRUE);
	return adv;
}

SimPeripheral *
sim_peripheral_new(SimConfig *cfg, SimRoller *roller, GSourceFunc on_fatal,
		   gpointer fatal_data)
{
	SimPeripheral *self = g_new0(SimPeripheral, 1);

	self->cfg = cfg;
	self->roller = roller;
	self->on_fatal = on_fatal;
	self->fatal_data = fatal_data;
	self->adapter_path = g_strconcat("/org/bluez/", cfg->adapter, NULL);
	self->gatt = sim_gatt_new(SIM_GATT_PERIPHERAL, roller,
				  SIM_PERIPHERAL_APP_PATH, &gatt_host, self);
	sim_gatt_set_require_encryption(self->gatt, cfg->require_encryption);
	self->advertisement = new_advertisement(self);
	return self;
}

static void
on_connection_closed(GDBusConnection *connection, gboolean remote_peer_vanished,
		     GError *error, gpointer user_data)
{
	SimPeripheral *self = user_data;

	g_warning("The bus connection closed");
	if (self->on_fatal)
		self->on_fatal(self->fatal_data);
}

gboolean
sim_peripheral_start(SimPeripheral *self, GError **error)
{
	if (self->cfg->bus_address)
		self->connection = g_dbus_connection_new_for_address_sync(
			self->cfg->bus_address,
			G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
			G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
			NULL, NULL, error);
	else
		self->connection = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, error);
	if (!self->connection)
		return FALSE;
	g_dbus_connection_set_exit_on_close(self->connection, FALSE);
	g_signal_connect(self->connection, "closed",
			 G_CALLBACK(on_connection_closed), self);

	/* The application's ObjectManager holds its services only, as
	 * GattManager1 requires. */
	self->app = g_dbus_object_manager_server_new(SIM_PERIPHERAL_APP_PATH);
	sim_gatt_export(self->gatt, self->app);
	g_dbus_object_manager_server_set_connection(self->app, self->connection);
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(self->advertisement),
					      self->connection,
					      SIM_PERIPHERAL_ADVERTISEMENT_PATH,
					      error))
		return FALSE;
	/*
	 * A roller accepts Just Works whether or not it requires it: a central
	 * may encrypt on its own (5.82's EATT needs it).  Without the roller's
	 * agent, the one bluetoothd of the VM would ask rollerd's for both
	 * sides, and rollerd rightly refuses the side that is not its own.
	 */
	self->agent = sim_peripheral_agent_new(self->connection, error);
	if (!self->agent)
		return FALSE;
	self->bluez_watch = g_bus_watch_name_on_connection(self->connection,
							   BLUEZ_NAME,
							   G_BUS_NAME_WATCHER_FLAGS_NONE,
							   on_bluez_appeared,
							   on_bluez_vanished,
							   self, NULL);
	return TRUE;
}

static void
unregister(SimPeripheral *self, const char *interface, const char *method,
	   const char *path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;

	reply = g_dbus_connection_call_sync(self->connection, BLUEZ_NAME,
					    self->adapter_path, interface, method,
					    g_variant_new("(o)", path), NULL,
					    G_DBUS_CALL_FLAGS_NONE,
					    UNREGISTER_TIMEOUT_MS, NULL, &error);
	if (!reply)
		g_debug("%s: %s", method, error->message);
}

static gboolean
on_gatt_back(gpointer data)
{
	SimPeripheral *self = data;

	self->gatt_back_timer = 0;
	g_debug("GATT server back: registering the application again");
	register_all(self);
	return G_SOURCE_REMOVE;
}

static void
on_app_unregistered(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GError) error = NULL;
	SimPeripheral *self;

	reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	self = user_data;
	if (!reply)
		g_message("UnregisterApplication: %s", error->message);
	/* The restarted server has forgotten every CCCD. */
	sim_gatt_link_down(self->gatt);
	self->gatt_back_timer = g_timeout_add(self->cfg->restart_delay_ms, on_gatt_back, self);
}

void
sim_peripheral_restart_gatt(SimPeripheral *self)
{
	if (!self->app_registered) {
		/* Still registering, or coming back from the last restart. */
		g_debug("GATT server restart: once the application is registered");
		self->restart_pending = TRUE;
		return;
	}
	g_debug("GATT server restarting, link up: unregistering the application");
	self->restart_pending = FALSE;
	self->app_registered = FALSE;
	g_dbus_connection_call(self->connection, BLUEZ_NAME, self->adapter_path,
			       "org.bluez.GattManager1", "UnregisterApplication",
			       g_variant_new("(o)", SIM_PERIPHERAL_APP_PATH), NULL,
			       G_DBUS_CALL_FLAGS_NONE, -1, self->cancellable,
			       on_app_unregistered, self);
}

void
sim_peripheral_free(SimPeripheral *self)
{
	if (!self)
		return;
	if (self->retry_timer)
		g_source_remove(self->retry_timer);
	if (self->gatt_back_timer)
		g_source_remove(self->gatt_back_timer);
	if (self->cancellable) {
		g_cancellable_cancel(self->cancellable);
		g_clear_object(&self->cancellable);
	}
	if (self->connection)
		disconnect_central(self, TRUE);
	if (self->connection && self->adv_registered)
		unregister(self, "org.bluez.LEAdvertisingManager1",
			   "UnregisterAdvertisement",
			   SIM_PERIPHERAL_ADVERTISEMENT_PATH);
	if (self->connection && self->app_registered)
		unregister(self, "org.bluez.GattManager1", "UnregisterApplication",
			   SIM_PERIPHERAL_APP_PATH);
	if (self->bluez_watch)
		g_bus_unwatch_name(self->bluez_watch);
	if (self->connection) {
		link_down(self);
		g_signal_handlers_disconnect_by_data(self->connection, self);
	}
	sim_peripheral_agent_free(self->agent);
	g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(self->advertisement));
	sim_gatt_free(self->gatt);
	g_clear_object(&self->app);
	g_clear_object(&self->advertisement);
	g_clear_object(&self->connection);
	g_free(self->adapter_path);
	g_free(self);
}
