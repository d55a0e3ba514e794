/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roller-sim --mock-bluez driven as a central would: discovery, the
 * Device1 and GATT objects, the profile end to end (Control Point,
 * telemetry through StartNotify and AcquireNotify, record transfer) and
 * BlueZ's errors for misuse.  Each test has its own bus and simulator.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-dump.h"
#include "roller-frame.h"
#include "roller-info.h"
#include "sim-central.h"

#define ROLLER2 "C0:52:4C:00:00:01"

static gboolean
adapter_discovering(Harness *h, gpointer want)
{
	g_autoptr(BluezAdapter1) adapter = harness_adapter(h);

	return bluez_adapter1_get_discovering(adapter) == GPOINTER_TO_INT(want);
}

static gboolean
rssi_changes(Harness *h, gpointer data)
{
	return *(guint *)data >= 2;
}

static void
count_rssi(GDBusProxy *proxy, GVariant *changed, const char *const *invalidated,
	   gpointer data)
{
	g_autoptr(GVariant) rssi = g_variant_lookup_value(changed, "RSSI", NULL);

	if (rssi)
		(*(guint *)data)++;
}

static gboolean
has_no_rssi(Harness *h, gpointer device)
{
	g_autoptr(GVariant) rssi = harness_property(device, "RSSI");

	return rssi == NULL;
}

static gboolean
device_gone(Harness *h, gpointer address)
{
	g_autoptr(BluezDevice1) device = harness_device(h, address);

	return device == NULL;
}

static void
assert_filter_rejected(BluezAdapter1 *adapter, const char *dict_text)
{
	g_autoptr(GError) error = NULL;
	GVariant *dict = g_variant_new_parsed(dict_text);

	bluez_adapter1_call_set_discovery_filter_sync(adapter, dict, NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.InvalidArguments");
}

static void
test_discovery(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(BluezAdapter1) adapter = harness_adapter(h);
	g_autoptr(BluezDevice1) device = NULL;
	g_auto(GStrv) filters = NULL;
	const char *const *uuids;
	guint rssi_updates = 0;
	gulong handler;

	assert_true(bluez_adapter1_get_powered(adapter));
	assert_false(bluez_adapter1_get_discovering(adapter));

	/* StopDiscovery without a discovery, and bad filters. */
	bluez_adapter1_call_stop_discovery_sync(adapter, NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.Failed");
	assert_filter_rejected(adapter, "{'Foo': <true>}");
	assert_filter_rejected(adapter, "{'RSSI': <int16 -200>}");
	assert_filter_rejected(adapter, "{'RSSI': <-60>}");
	assert_filter_rejected(adapter, "{'Transport': <'usb'>}");
	assert_filter_rejected(adapter, "{'UUIDs': <['not-a-uuid']>}");
	assert_filter_rejected(adapter, "{'Pathloss': <uint16 200>}");
	assert_filter_rejected(adapter,
			       "{'RSSI': <int16 -60>, 'Pathloss': <uint16 50>}");
	assert_true(bluez_adapter1_call_get_discovery_filters_sync(adapter,
		&filters, NULL, &error));
	assert_true(g_strv_contains((const char *const *)filters, "UUIDs"));
	assert_true(g_strv_contains((const char *const *)filters, "Pattern"));

	/* A filter that does not match finds nothing. */
	assert_true(bluez_adapter1_call_set_discovery_filter_sync(adapter,
		g_variant_new_parsed("{'UUIDs': <['180d']>}"), NULL, &error));
	assert_true(bluez_adapter1_call_start_discovery_sync(adapter, NULL, &error));
	harness_wait(h, adapter_discovering, GINT_TO_POINTER(TRUE), 2000,
		     "Discovering");
	bluez_adapter1_call_start_discovery_sync(adapter, NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.InProgress");
	harness_sleep(h, 800);
	device = harness_device(h, ROLLER2);
	assert_null(device);
	assert_true(bluez_adapter1_call_stop_discovery_sync(adapter, NULL, &error));
	harness_wait(h, adapter_discovering, GINT_TO_POINTER(FALSE), 2000,
		     "Discovering false");

	/* The Roller service's UUID finds the roller. */
	device = central_discover(h, ROLLER2);
	assert_non_null(device);
	assert_string_equal(bluez_device1_get_address(device), ROLLER2);
	assert_string_equal(bluez_device1_get_address_type(device), "random");
	assert_string_equal(bluez_device1_get_name(device), "Roller 0001");
	assert_string_equal(bluez_device1_get_alias(device), "Roller 0001");
	assert_string_equal(bluez_device1_get_adapter(device), "/org/bluez/hci0");
	assert_false(bluez_device1_get_paired(device));
	assert_false(bluez_device1_get_connected(device));
	assert_false(bluez_device1_get_services_resolved(device));
	uuids = bluez_device1_get_uuids(device);
	assert_non_null(uuids);
	assert_true(g_strv_contains(uuids, ROLLER_UUID_SERVICE));
	/* Discovery stopped: no RSSI any more. */
	harness_wait(h, has_no_rssi, device, 2000, "RSSI to go");

	/* During a discovery, RSSI comes and changes about every second. */
	handler = g_signal_connect(device, "g-properties-changed",
				   G_CALLBACK(count_rssi), &rssi_updates);
	assert_true(bluez_adapter1_call_set_discovery_filter_sync(adapter,
		g_variant_new_parsed("{'UUIDs': <['" ROLLER_UUID_SERVICE "']>}"),
		NULL, &error));
	assert_true(bluez_adapter1_call_start_discovery_sync(adapter, NULL, &error));
	harness_wait(h, rssi_changes, &rssi_updates, 4000, "RSSI updates");
	g_signal_handler_disconnect(device, handler);
	assert_true(bluez_adapter1_call_stop_discovery_sync(adapter, NULL, &error));

	/* RemoveDevice forgets it; a second time it does not exist. */
	assert_true(bluez_adapter1_call_remove_device_sync(adapter,
		g_dbus_proxy_get_object_path(G_DBUS_PROXY(device)), NULL, &error));
	bluez_adapter1_call_remove_device_sync(adapter,
		g_dbus_proxy_get_object_path(G_DBUS_PROXY(device)), NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.DoesNotExist");
	g_clear_object(&device);
	harness_wait(h, device_gone, (gpointer)ROLLER2, 2000, "the device to go");
}


static char *
read_string(Harness *h, BluezDevice1 *device, const char *uuid)
{
	g_autoptr(BluezGattCharacteristic1) chr = central_find_char(h, device, uuid);
	g_autoptr(GBytes) value = NULL;
	gsize len;
	const char *data;

	assert_non_null(chr);
	value = central_read_ok(chr, 0);
	data = g_bytes_get_data(value, &len);
	assert_true(g_utf8_validate(data, len, NULL));
	return g_strndup(data, len);
}

static gboolean
value_cached(Harness *h, gpointer chr)
{
	g_autoptr(GVariant) value = harness_property(chr, "Value");

	return value && g_variant_get_size(value) == ROLLER_INFO_LEN;
}

static void
test_gatt_objects_and_reads(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) info = NULL;
	g_autoptr(GBytes) tail = NULL;
	g_autoptr(GBytes) status = NULL;
	g_autoptr(GBytes) battery_value = NULL;
	g_autoptr(GVariant) cached = NULL;
	g_autoptr(BluezGattCharacteristic1) battery = NULL;
	g_autofree char *serial = NULL;
	g_autofree char *manufacturer = NULL;
	g_autofree char *model = NULL;
	g_autofree char *firmware = NULL;
	g_autofree char *hardware = NULL;
	struct roller_info decoded;
	struct roller_status st;
	const char *path;
	gsize len;
	const guint8 *data;
	Central c;

	central_open(&c, h, ROLLER2);
	path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(c.info));
	/* bluetoothd's paths: service and characteristic handles. */
	assert_true(g_regex_match_simple(
		"^/org/bluez/hci0/dev_C0_52_4C_00_00_01/service[0-9a-f]{4}/char[0-9a-f]{4}$",
		path, 0, 0));
	assert_int_equal(bluez_gatt_characteristic1_get_mtu(c.info), 247);
	assert_true(g_strv_contains(bluez_gatt_characteristic1_get_flags(c.cp),
				    "write"));
	assert_true(g_strv_contains(bluez_gatt_characteristic1_get_flags(c.cp),
				    "indicate"));
	/* NotifyAcquired exists with "notify" only. */
	cached = harness_property(c.cp, "NotifyAcquired");
	assert_null(cached);
	cached = harness_property(c.telemetry, "NotifyAcquired");
	assert_non_null(cached);
	g_clear_pointer(&cached, g_variant_unref);

	info = central_read_ok(c.info, 0);
	data = g_bytes_get_data(info, &len);
	assert_int_equal(roller_info_decode(data, len, &decoded), ROLLER_OK);
	assert_int_equal(decoded.protocol_version, 1);
	/* The read lands in Value, as bluetoothd's cache. */
	harness_wait(h, value_cached, c.info, 2000, "Value");
	/* A long read from an offset, and one past the end. */
	tail = central_read_ok(c.info, 4);
	assert_int_equal(g_bytes_get_size(tail), len - 4);
	assert_memory_equal(g_bytes_get_data(tail, NULL), data + 4, len - 4);
	assert_null(central_read(c.info, 40, &error));
	harness_assert_error(&error, "org.bluez.Error.InvalidArguments");

	status = central_read_ok(c.status, 0);
	data = g_bytes_get_data(status, &len);
	assert_int_equal(roller_status_decode(data, len, &st), ROLLER_OK);

	serial = read_string(h, c.device, ROLLER_UUID_SERIAL_NUMBER);
	assert_string_equal(serial, "RL000001");
	manufacturer = read_string(h, c.device, ROLLER_UUID_MANUFACTURER);
	model = read_string(h, c.device, ROLLER_UUID_MODEL_NUMBER);
	firmware = read_string(h, c.device, ROLLER_UUID_FIRMWARE_REV);
	hardware = read_string(h, c.device, ROLLER_UUID_HARDWARE_REV);
	assert_true(*manufacturer && *model && *firmware && *hardware);

	battery = central_find_char(h, c.device, ROLLER_UUID_BATTERY_LEVEL);
	assert_non_null(battery);
	battery_value = central_read_ok(battery, 0);
	assert_int_equal(g_bytes_get_size(battery_value), 1);
	assert_true(*(const guint8 *)g_bytes_get_data(battery_value, NULL) <= 100);
	central_close(&c);
}





static void
test_session_and_records(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	struct roller_cp_request set_time = { .opcode = ROLLER_CP_SET_TIME };
	struct roller_cp_response rsp;
	guint16 failed_id, session;
	Collector telemetry;
	Central c;

	central_open(&c, h, ROLLER2);
	assert_true(bluez_gatt_characteristic1_get_notifying(c.cp));
	set_time.u.unix_seconds = 1767225600;
	rsp = central_cp(&c, &set_time);
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	assert_int_equal(central_count_records(&c), 2);

	/* Telemetry as PropertiesChanged on Value. */
	collector_watch(h, &telemetry, c.telemetry);
	assert_true(bluez_gatt_characteristic1_get_notifying(c.telemetry));
	session = central_start_session(&c);
	collector_wait(h, &telemetry, 5, 5000);
	central_stop_session(&c, session);
	assert_true(central_frames_parse(telemetry.values, session));
	assert_true(bluez_gatt_characteristic1_call_stop_notify_sync(c.telemetry,
								      NULL, &error));
	collector_clear(&telemetry);

	/* Telemetry through AcquireNotify's socket, one frame a packet. */
	collector_acquire(h, &telemetry, c.telemetry);
	session = central_start_session(&c);
	collector_wait(h, &telemetry, 5, 5000);
	assert_true(bluez_gatt_characteristic1_get_notify_acquired(c.telemetry));
	assert_false(bluez_gatt_characteristic1_get_notifying(c.telemetry));
	central_stop_session(&c, session);
	assert_true(central_frames_parse(telemetry.values, session));
	collector_clear(&telemetry);
	assert_int_equal(central_count_records(&c), 4);

	/* Every record reassembles; then they go. */
	rsp = central_report_records(&c, ROLLER_CP_OP_ALL, 0, records, &failed_id);
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	assert_int_equal(failed_id, 0);
	assert_int_equal(records->len, 4);
	assert_int_equal(rsp.value, 4);
	rsp = central_cp_records(&c, ROLLER_CP_DELETE_RECORDS, ROLLER_CP_OP_ALL, 0);
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	assert_int_equal(rsp.value, 4);
	assert_int_equal(central_count_records(&c), 0);
	central_close(&c);
}

/* The last Status notification @c holds, decoded. */
static struct roller_status
last_status(Collector *c)
{
	struct roller_status st;
	gsize len;
	const guint8 *data;

	assert_true(c->values->len > 0);
	data = g_bytes_get_data(g_ptr_array_index(c->values, c->values->len - 1), &len);
	assert_int_equal(roller_status_decode(data, len, &st), ROLLER_OK);
	return st;
}

/*
 * --capacity=2 with one record stored: Roller Info says 2; the session
 * that fills the store sets the storage-full flag (a Status
 * notification), after which no session starts; a delete clears it.
 */
static void
test_capacity_and_storage_full(void **state)
{
	Harness *h = *state;
	g_autoptr(GBytes) info = NULL, status = NULL;
	struct roller_cp_request start = { .opcode = ROLLER_CP_START_SESSION };
	struct roller_cp_response rsp;
	struct roller_info decoded;
	struct roller_status st;
	Collector notified;
	const guint8 *data;
	gsize len;
	Central c;

	central_open(&c, h, ROLLER2);
	info = central_read_ok(c.info, 0);
	data = g_bytes_get_data(info, &len);
	assert_int_equal(roller_info_decode(data, len, &decoded), ROLLER_OK);
	assert_int_equal(decoded.record_capacity, 2);
	status = central_read_ok(c.status, 0);
	data = g_bytes_get_data(status, &len);
	assert_int_equal(roller_status_decode(data, len, &st), ROLLER_OK);
	assert_int_equal(st.stored_records, 1);
	assert_false(st.flags & ROLLER_STATUS_STORAGE_FULL);

	collector_watch(h, &notified, c.status);
	central_stop_session(&c, central_start_session(&c));
	collector_wait(h, &notified, 1, 2000);
	st = last_status(&notified);
	assert_int_equal(st.stored_records, 2);
	assert_true(st.flags & ROLLER_STATUS_STORAGE_FULL);
	g_clear_pointer(&status, g_bytes_unref);
	status = central_read_ok(c.status, 0);
	data = g_bytes_get_data(status, &len);
	assert_int_equal(roller_status_decode(data, len, &st), ROLLER_OK);
	assert_true(st.flags & ROLLER_STATUS_STORAGE_FULL);

	/* Full: the record of another session would not fit. */
	rsp = central_cp(&c, &start);
	assert_int_equal(rsp.result, ROLLER_CP_FAILED);

	rsp = central_cp_records(&c, ROLLER_CP_DELETE_RECORDS, ROLLER_CP_OP_ALL, 0);
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	st = last_status(&notified);
	assert_int_equal(st.stored_records, 0);
	assert_false(st.flags & ROLLER_STATUS_STORAGE_FULL);
	collector_clear(&notified);
	central_close(&c);
}

static void
assert_write_error(BluezGattCharacteristic1 *chr, const char *type,
		   const char *name)
{
	g_autoptr(GError) error = NULL;
	static const guint8 byte = 0x01;

	central_write(chr, &byte, 1, type, &error);
	harness_assert_error(&error, name);
}

static gboolean
is_notify_acquired(Harness *h, gpointer chr)
{
	return bluez_gatt_characteristic1_get_notify_acquired(chr);
}

static gboolean
is_not_notify_acquired(Harness *h, gpointer chr)
{
	return !bluez_gatt_characteristic1_get_notify_acquired(chr);
}

static gboolean
is_true(Harness *h, gpointer flag)
{
	return *(gboolean *)flag;
}

static void
on_disconnected(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;

	if (!bluez_device1_call_disconnect_finish(BLUEZ_DEVICE1(source), res, &error))
		fail_msg("Disconnect: %s", error->message);
	*(gboolean *)user_data = TRUE;
}

static void
test_misuse_gets_bluez_errors(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(BluezGattCharacteristic1) serial = NULL;
	g_autoptr(BluezGattCharacteristic1) battery = NULL;
	g_autoptr(BluezGattDescriptor1) cccd = NULL;
	g_autoptr(GVariant) fd = NULL;
	g_autoptr(GVariant) ignored = NULL;
	static const guint8 report_number[] = { ROLLER_CP_REPORT_NUMBER,
						ROLLER_CP_OP_ALL };
	guint indications;
	guint16 mtu;
	Collector acquired;
	Central c;
	gboolean disconnected = FALSE;

	central_open(&c, h, ROLLER2);
	serial = central_find_char(h, c.device, ROLLER_UUID_SERIAL_NUMBER);
	battery = central_find_char(h, c.device, ROLLER_UUID_BATTERY_LEVEL);
	cccd = central_find_cccd(h, c.telemetry);
	assert_non_null(cccd);

	/* Reads of values without "read": the roller says not permitted. */
	assert_null(central_read(c.telemetry, 0, &error));
	harness_assert_error(&error, "org.bluez.Error.NotPermitted");
	assert_null(central_read(c.cp, 0, &error));
	harness_assert_error(&error, "org.bluez.Error.NotPermitted");

	/* Writes: no procedure for a read-only value; the roller refuses
	 * a request; bluetoothd guards the services its plugins claim and
	 * every CCCD. */
	assert_write_error(c.info, NULL, "org.bluez.Error.NotSupported");
	assert_write_error(c.info, "request", "org.bluez.Error.NotPermitted");
	assert_write_error(c.info, "bogus", "org.bluez.Error.NotSupported");
	assert_write_error(serial, NULL, "org.bluez.Error.NotAuthorized");
	assert_write_error(battery, "request", "org.bluez.Error.NotAuthorized");
	bluez_gatt_descriptor1_call_write_value_sync(cccd,
		g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, "\x01\x00", 2, 1),
		central_options(0, NULL), NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.NotPermitted");
	assert_true(bluez_gatt_descriptor1_call_read_value_sync(cccd,
		central_options(0, NULL), &ignored, NULL, &error));

	/* A write command to the Control Point goes out, unanswered: it
	 * has no write-without-response. */
	indications = c.indications.values->len;
	assert_true(central_write(c.cp, report_number, sizeof(report_number),
				  "command", &error));
	harness_sleep(h, 300);
	assert_int_equal(c.indications.values->len, indications);

	/* Notifications: only where notify or indicate is. */
	bluez_gatt_characteristic1_call_start_notify_sync(c.info, NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.NotSupported");
	bluez_gatt_characteristic1_call_acquire_write_sync(c.cp,
		central_options(0, NULL), NULL, &fd, &mtu, NULL, NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.NotSupported");

	/* AcquireNotify excludes a second one and StartNotify... */
	collector_acquire(h, &acquired, c.telemetry);
	harness_wait(h, is_notify_acquired, c.telemetry, 2000, "NotifyAcquired true");
	bluez_gatt_characteristic1_call_acquire_notify_sync(c.telemetry,
		central_options(0, NULL), NULL, &fd, &mtu, NULL, NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.NotPermitted");
	bluez_gatt_characteristic1_call_start_notify_sync(c.telemetry, NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.NotPermitted");
	/* ...until StopNotify releases it: the socket hangs up. */
	assert_true(bluez_gatt_characteristic1_call_stop_notify_sync(c.telemetry,
								      NULL, &error));
	collector_wait(h, &acquired, 0, 1000);
	harness_sleep(h, 100);
	collector_drain(&acquired);
	assert_true(acquired.hup);
	collector_clear(&acquired);
	harness_wait(h, is_not_notify_acquired, c.telemetry, 2000, "NotifyAcquired false");
	/* The central closing its end releases it too, as bluetoothd sees a HUP. */
	collector_acquire(h, &acquired, c.telemetry);
	harness_wait(h, is_notify_acquired, c.telemetry, 2000, "NotifyAcquired true");
	collector_clear(&acquired);
	harness_wait(h, is_not_notify_acquired, c.telemetry, 2000, "NotifyAcquired false");

	/* ...and StartNotify excludes AcquireNotify. */
	assert_true(bluez_gatt_characteristic1_call_start_notify_sync(c.telemetry,
								       NULL, &error));
	bluez_gatt_characteristic1_call_acquire_notify_sync(c.telemetry,
		central_options(0, NULL), NULL, &fd, &mtu, NULL, NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.InProgress");
	assert_true(bluez_gatt_characteristic1_call_stop_notify_sync(c.telemetry,
								      NULL, &error));
	bluez_gatt_characteristic1_call_stop_notify_sync(c.telemetry, NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.Failed");

	/* bluetoothd's objects are read-only. */
	g_dbus_connection_call_sync(h->connection, "org.bluez",
		g_dbus_proxy_get_object_path(G_DBUS_PROXY(c.info)),
		"org.freedesktop.DBus.Properties", "Set",
		g_variant_new("(ssv)", "org.bluez.GattCharacteristic1", "Handle",
			      g_variant_new_uint16(1)),
		NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
	harness_assert_error(&error, "org.freedesktop.DBus.Error.PropertyReadOnly");

	/* Connect on a connected device is fine. */
	assert_true(bluez_device1_call_connect_sync(c.device, NULL, &error));

	/* While bluetoothd lets the profiles go, before the link drops,
	 * a new subscription is refused. */
	bluez_device1_call_disconnect(c.device, NULL, on_disconnected, &disconnected);
	bluez_gatt_characteristic1_call_start_notify_sync(c.status, NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.NotConnected");
	harness_wait(h, is_true, &disconnected, 3000, "the Disconnect reply");

	/* Disconnected, with the objects cached: reads fail, a StartNotify
	 * waits for the next connection. */
	harness_wait(h, harness_is_disconnected, c.device, 3000, "Connected false");
	assert_null(central_read(c.info, 0, &error));
	harness_assert_error(&error, "org.bluez.Error.Failed");
	assert_false(central_write(c.cp, report_number, sizeof(report_number),
				   "request", &error));
	harness_assert_error(&error, "org.bluez.Error.Failed");
	bluez_gatt_characteristic1_call_acquire_notify_sync(c.telemetry,
		central_options(0, NULL), NULL, &fd, &mtu, NULL, NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.Failed");
	assert_true(bluez_gatt_characteristic1_call_start_notify_sync(c.status,
								       NULL, &error));
	bluez_gatt_characteristic1_call_start_notify_sync(c.status, NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.InProgress");
	/* Disconnect of a device that is not connected is fine. */
	assert_true(bluez_device1_call_disconnect_sync(c.device, NULL, &error));
	central_connect(h, c.device);
	assert_true(bluez_gatt_characteristic1_get_notifying(c.status));
	central_close(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_discovery, "--speed=10"),
		SIM_TEST(test_gatt_objects_and_reads, "--speed=10"),
		SIM_TEST(test_session_and_records, "--speed=20", "--stored=2"),
		SIM_TEST(test_capacity_and_storage_full, "--speed=20", "--capacity=2",
			 "--stored=1"),
		SIM_TEST(test_misuse_gets_bluez_errors, "--speed=10"),
	};

	return cmocka_run_group_tests_name("roller-sim mock", tests, NULL, NULL);
}
