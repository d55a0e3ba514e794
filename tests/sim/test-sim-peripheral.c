/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roller-sim --peripheral against the mock bluetoothd: it registers its
 * GATT application and advertisement, answers bluetoothd's calls (with
 * the device, mtu and link options) as src/gatt-database.c expects,
 * registers again after bluetoothd restarts, unregisters its application
 * and registers it again on SIGUSR1, and unregisters at exit.
 * The test plays bluetoothd's side of the calls itself.
 */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <gio/gunixfdlist.h>

#include "roller-control.h"
#include "roller-frame.h"
#include "roller-info.h"
#include "sim-central.h"

#define APP "/org/rollerd/sim/app"
#define ROLLER_SERVICE APP "/service0"
#define TELEMETRY ROLLER_SERVICE "/char0"
#define CONTROL_POINT ROLLER_SERVICE "/char1"
#define ROLLER_INFO ROLLER_SERVICE "/char3"
#define ADVERTISEMENT "/org/rollerd/sim/advertisement0"
#define CENTRAL "/org/bluez/hci0/dev_11_22_33_44_55_66"

struct registered {
	const char *owner;
	gboolean want;
};

static gboolean
has(GVariant *list, const char *owner, const char *path)
{
	GVariantIter iter;
	const char *o, *p;

	g_variant_iter_init(&iter, list);
	while (g_variant_iter_next(&iter, "(&s&o)", &o, &p))
		if (g_str_equal(o, owner) && g_str_equal(p, path))
			return TRUE;
	return FALSE;
}

/* FALSE while the mock bluetoothd is off the bus (a restart). */
static gboolean
get_registrations(Harness *h, GVariant **apps, GVariant **adverts)
{
	g_autoptr(GVariant) reply = NULL;

	reply = g_dbus_connection_call_sync(h->connection, "org.bluez",
					    "/org/rollerd/sim", "org.rollerd.Sim1",
					    "Registrations", NULL,
					    G_VARIANT_TYPE("(a(so)a(so))"),
					    G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
	if (!reply)
		return FALSE;
	g_variant_get(reply, "(@a(so)@a(so))", apps, adverts);
	return TRUE;
}

static gboolean
registration_is(Harness *h, gpointer data)
{
	struct registered *r = data;
	g_autoptr(GVariant) apps = NULL;
	g_autoptr(GVariant) adverts = NULL;

	if (!get_registrations(h, &apps, &adverts))
		return !r->want;
	return has(apps, r->owner, APP) == r->want &&
	       has(adverts, r->owner, ADVERTISEMENT) == r->want;
}

/* The application alone, the advertisement registered meanwhile. */
static gboolean
application_is(Harness *h, gpointer data)
{
	struct registered *r = data;
	g_autoptr(GVariant) apps = NULL;
	g_autoptr(GVariant) adverts = NULL;

	return get_registrations(h, &apps, &adverts) &&
	       has(apps, r->owner, APP) == r->want && has(adverts, r->owner, ADVERTISEMENT);
}

static GVariant *
bluetoothd_options(const char *type, guint16 offset)
{
	GVariantBuilder options;

	/* What src/gatt-database.c passes an application. */
	g_variant_builder_init(&options, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&options, "{sv}", "device",
			      g_variant_new_object_path(CENTRAL));
	if (offset)
		g_variant_builder_add(&options, "{sv}", "offset",
				      g_variant_new_uint16(offset));
	g_variant_builder_add(&options, "{sv}", "link", g_variant_new_string("LE"));
	g_variant_builder_add(&options, "{sv}", "mtu", g_variant_new_uint16(185));
	if (type)
		g_variant_builder_add(&options, "{sv}", "type",
				      g_variant_new_string(type));
	return g_variant_builder_end(&options);
}

static GVariant *
call(Harness *h, const char *peer, const char *path, const char *iface,
     const char *method, GVariant *args, GUnixFDList **fds, GError **error)
{
	return g_dbus_connection_call_with_unix_fd_list_sync(h->connection, peer,
		path, iface, method, args, NULL, G_DBUS_CALL_FLAGS_NONE, -1,
		NULL, fds, NULL, error);
}

static void
check_application(Harness *h, const char *peer)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = call(h, peer, APP,
					 "org.freedesktop.DBus.ObjectManager",
					 "GetManagedObjects", NULL, NULL, &error);
	g_autoptr(GVariant) objects = NULL;
	g_autoptr(GVariant) telemetry = NULL;
	g_autoptr(GVariant) cp = NULL;
	g_autoptr(GVariant) notify_acquired = NULL;
	GVariantIter iter;
	const char *path;
	GVariant *ifaces;
	guint services = 0, descriptors = 0;

	assert_non_null(reply);
	objects = g_variant_get_child_value(reply, 0);
	g_variant_iter_init(&iter, objects);
	while (g_variant_iter_loop(&iter, "{&o@a{sa{sv}}}", &path, &ifaces)) {
		g_autoptr(GVariant) service = g_variant_lookup_value(ifaces,
			"org.bluez.GattService1", NULL);
		g_autoptr(GVariant) desc = g_variant_lookup_value(ifaces,
			"org.bluez.GattDescriptor1", NULL);

		services += service != NULL;
		descriptors += desc != NULL;
		if (g_str_equal(path, TELEMETRY))
			telemetry = g_variant_lookup_value(ifaces,
				"org.bluez.GattCharacteristic1", NULL);
		if (g_str_equal(path, CONTROL_POINT))
			cp = g_variant_lookup_value(ifaces,
				"org.bluez.GattCharacteristic1", NULL);
	}
	/* Roller, Device Information, Battery; bluetoothd adds its own GAP,
	 * GATT and the CCCDs. */
	assert_int_equal(services, 3);
	assert_int_equal(descriptors, 0);
	assert_non_null(telemetry);
	assert_non_null(cp);
	/* NotifyAcquired announces AcquireNotify where "notify" is. */
	notify_acquired = g_variant_lookup_value(telemetry, "NotifyAcquired", NULL);
	assert_non_null(notify_acquired);
	g_clear_pointer(&notify_acquired, g_variant_unref);
	notify_acquired = g_variant_lookup_value(cp, "NotifyAcquired", NULL);
	assert_null(notify_acquired);
}

static void
check_advertisement(Harness *h, const char *peer)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = call(h, peer, ADVERTISEMENT,
					 "org.freedesktop.DBus.Properties", "GetAll",
					 g_variant_new("(s)", "org.bluez.LEAdvertisement1"),
					 NULL, &error);
	g_autoptr(GVariant) props = NULL;
	g_autofree const char **uuids = NULL;
	const char *type = NULL, *name = NULL;
	gboolean discoverable = FALSE;

	assert_non_null(reply);
	props = g_variant_get_child_value(reply, 0);
	assert_true(g_variant_lookup(props, "Type", "&s", &type));
	assert_string_equal(type, "peripheral");
	assert_true(g_variant_lookup(props, "LocalName", "&s", &name));
	assert_string_equal(name, "Roller 0001");
	assert_true(g_variant_lookup(props, "Discoverable", "b", &discoverable));
	assert_true(discoverable);
	assert_true(g_variant_lookup(props, "ServiceUUIDs", "^a&s", &uuids));
	assert_string_equal(uuids[0], ROLLER_UUID_SERVICE);
}

struct indications {
	GPtrArray *values;
};

static void
on_cp_changed(GDBusConnection *connection, const char *sender, const char *path,
	      const char *iface, const char *signal, GVariant *params,
	      gpointer data)
{
	GPtrArray *values = data;
	g_autoptr(GVariant) changed = g_variant_get_child_value(params, 1);
	g_autoptr(GVariant) value = g_variant_lookup_value(changed, "Value",
							   G_VARIANT_TYPE_BYTESTRING);
	gsize len;
	const guint8 *bytes;

	if (!value)
		return;
	bytes = g_variant_get_fixed_array(value, &len, 1);
	g_ptr_array_add(values, g_bytes_new(bytes, len));
}

static gboolean
has_indication(Harness *h, gpointer values)
{
	return ((GPtrArray *)values)->len > 0;
}

static gboolean
frames_arrived(Harness *h, gpointer data)
{
	Collector *c = data;

	collector_drain(c);
	return c->values->len >= 3;
}

static void
serve_a_central(Harness *h, const char *peer)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) value = NULL;
	g_autoptr(GUnixFDList) fds = NULL;
	g_autoptr(GPtrArray) indications = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	struct roller_cp_request start = { .opcode = ROLLER_CP_START_SESSION };
	struct roller_cp_response rsp;
	struct roller_info info;
	guint8 request[ROLLER_CP_REQUEST_MAX_LEN];
	gsize len, request_len;
	const guint8 *data;
	Collector telemetry = { .fd = -1 };
	guint16 mtu;
	gint32 fd_index;
	guint subscription;

	/* Reads, with the options bluetoothd passes. */
	reply = call(h, peer, ROLLER_INFO, "org.bluez.GattCharacteristic1",
		     "ReadValue", g_variant_new("(@a{sv})",
						bluetoothd_options(NULL, 0)),
		     NULL, &error);
	assert_non_null(reply);
	value = g_variant_get_child_value(reply, 0);
	data = g_variant_get_fixed_array(value, &len, 1);
	assert_int_equal(roller_info_decode(data, len, &info), ROLLER_OK);
	g_clear_pointer(&reply, g_variant_unref);
	/* Errors are the names bluetoothd turns back into ATT errors. */
	reply = call(h, peer, TELEMETRY, "org.bluez.GattCharacteristic1",
		     "ReadValue", g_variant_new("(@a{sv})",
						bluetoothd_options(NULL, 0)),
		     NULL, &error);
	assert_null(reply);
	harness_assert_error(&error, "org.bluez.Error.NotPermitted");
	reply = call(h, peer, ROLLER_INFO, "org.bluez.GattCharacteristic1",
		     "ReadValue", g_variant_new("(@a{sv})",
						bluetoothd_options(NULL, 40)),
		     NULL, &error);
	assert_null(reply);
	harness_assert_error(&error, "org.bluez.Error.InvalidOffset");

	/* The central subscribes: AcquireNotify for Telemetry, StartNotify
	 * for the Control Point's indications. */
	reply = call(h, peer, TELEMETRY, "org.bluez.GattCharacteristic1",
		     "AcquireNotify", g_variant_new("(@a{sv})",
						    bluetoothd_options(NULL, 0)),
		     &fds, &error);
	assert_non_null(reply);
	g_variant_get(reply, "(hq)", &fd_index, &mtu);
	assert_int_equal(mtu, 185);
	telemetry.values = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	telemetry.fd = g_unix_fd_list_get(fds, fd_index, &error);
	assert_true(telemetry.fd >= 0);
	g_clear_pointer(&reply, g_variant_unref);
	subscription = g_dbus_connection_signal_subscribe(h->connection, peer,
		"org.freedesktop.DBus.Properties", "PropertiesChanged",
		CONTROL_POINT, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_cp_changed,
		indications, NULL);
	reply = call(h, peer, CONTROL_POINT, "org.bluez.GattCharacteristic1",
		     "StartNotify", NULL, NULL, &error);
	assert_non_null(reply);
	g_clear_pointer(&reply, g_variant_unref);

	/* A session: its response indicated, its frames on the socket, no
	 * larger than the link's MTU allows. */
	start.u.area_id = 2;
	request_len = roller_cp_request_encode(&start, request, sizeof(request));
	reply = call(h, peer, CONTROL_POINT, "org.bluez.GattCharacteristic1",
		     "WriteValue", g_variant_new("(@ay@a{sv})",
			g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, request,
						  request_len, 1),
			bluetoothd_options("request", 0)),
		     NULL, &error);
	assert_non_null(reply);
	g_clear_pointer(&reply, g_variant_unref);
	harness_wait(h, has_indication, indications, 3000, "the indication");
	data = g_bytes_get_data(g_ptr_array_index(indications, 0), &len);
	assert_int_equal(roller_cp_response_decode(data, len, &rsp), ROLLER_OK);
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	reply = call(h, peer, CONTROL_POINT, "org.bluez.GattCharacteristic1",
		     "Confirm", NULL, NULL, &error);
	g_clear_pointer(&reply, g_variant_unref);
	harness_wait(h, frames_arrived, &telemetry, 5000, "telemetry frames");
	for (guint i = 0; i < telemetry.values->len; i++) {
		struct roller_frame frame;

		data = g_bytes_get_data(g_ptr_array_index(telemetry.values, i), &len);
		assert_true(len <= 185 - 3);
		assert_int_equal(roller_frame_parse(data, len, &frame), ROLLER_OK);
		assert_int_equal(frame.session_id, rsp.value);
	}
	/* Written whole: an offset is refused. */
	reply = call(h, peer, CONTROL_POINT, "org.bluez.GattCharacteristic1",
		     "WriteValue", g_variant_new("(@ay@a{sv})",
			g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, request,
						  request_len, 1),
			bluetoothd_options("request", 1)),
		     NULL, &error);
	assert_null(reply);
	harness_assert_error(&error, "org.bluez.Error.InvalidOffset");
	g_dbus_connection_signal_unsubscribe(h->connection, subscription);
	close(telemetry.fd);
	g_ptr_array_unref(telemetry.values);
}

static void
test_peripheral(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	/* The application stays away long enough to be seen gone. */
	const char *args[] = { "--speed=10", "--restart-delay-ms=2000", NULL };
	g_autofree char *peer = harness_start_peripheral(h, args);
	struct registered on = { peer, TRUE }, off = { peer, FALSE };
	g_autoptr(GDBusInterface) advertising = NULL;
	g_autoptr(GVariant) active = NULL;

	harness_wait(h, registration_is, &on, 3000, "the registrations");
	advertising = g_dbus_object_manager_get_interface(h->manager,
		"/org/bluez/hci0", "org.bluez.LEAdvertisingManager1");
	assert_non_null(advertising);
	check_application(h, peer);
	check_advertisement(h, peer);
	serve_a_central(h, peer);

	/* bluetoothd restarts: everything is registered again. */
	assert_true(harness_sim_call(h, "Restart", g_variant_new("(u)", 300),
				     &error));
	harness_wait(h, registration_is, &off, 3000, "bluetoothd to leave");
	harness_wait(h, registration_is, &on, 5000, "the registrations again");

	/* SIGUSR1, its GATT server restarting: the application goes and
	 * comes back; the advertisement stays. */
	assert_int_equal(kill(h->peer, SIGUSR1), 0);
	harness_wait(h, application_is, &off, 3000, "the application to go");
	harness_wait(h, registration_is, &on, 5000, "the application again");

	/* At exit it unregisters. */
	harness_stop_peripheral(h);
	harness_wait(h, registration_is, &off, 3000, "the unregistrations");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_peripheral, "--speed=10"),
	};

	return cmocka_run_group_tests_name("roller-sim peripheral", tests, NULL,
					   NULL);
}
