/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roller-sim --mock-bluez: what happens to the link and around it.
 * Disconnection with and without the GATT cache, a link loss, the
 * button, bluetoothd restarts, several rollers, a small MTU, and the
 * same seed giving the same rollers.  Each test has its own bus and
 * simulator.
 */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-frame.h"
#include "roller-info.h"
#include "sim-central.h"

#define ROLLER2 "C0:52:4C:00:00:01"

static void
on_device_signal(GDBusProxy *proxy, const char *sender, const char *signal,
		 GVariant *params, gpointer data)
{
	GPtrArray *reasons = data;
	const char *reason;

	if (g_str_equal(signal, "Disconnected")) {
		g_variant_get(params, "(&s&s)", &reason, NULL);
		g_ptr_array_add(reasons, g_strdup(reason));
	}
}

static void
disconnect_and_back(Harness *h, gboolean cached)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GVariant) mtu = NULL;
	const char *path;
	gulong handler;
	Collector acquired;
	Central c;

	central_open(&c, h, ROLLER2);
	path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(c.device));
	handler = g_signal_connect(c.device, "g-signal",
				   G_CALLBACK(on_device_signal), reasons);
	collector_acquire(h, &acquired, c.status);
	assert_true(bluez_device1_call_disconnect_sync(c.device, NULL, &error));
	harness_wait(h, harness_is_disconnected, c.device, 3000, "Connected false");
	assert_false(bluez_device1_get_services_resolved(c.device));
	assert_int_equal(reasons->len, 1);
	assert_string_equal(g_ptr_array_index(reasons, 0), "org.bluez.Reason.Local");
	/* The acquired socket got its HUP. */
	collector_drain(&acquired);
	assert_true(acquired.hup);
	collector_clear(&acquired);
	if (cached) {
		assert_true(central_count_chars(h, path) > 0);
		mtu = harness_property(c.info, "MTU");
		assert_null(mtu);
	} else {
		assert_int_equal(central_count_chars(h, path), 0);
	}
	g_signal_handler_disconnect(c.device, handler);
	central_close(&c);

	/* Connected again: the objects are (still or again) there. */
	{
		g_autoptr(BluezDevice1) device = harness_device(h, ROLLER2);
		g_autoptr(BluezGattCharacteristic1) info = NULL;
		g_autoptr(GBytes) value = NULL;

		assert_non_null(device);
		central_connect(h, device);
		info = central_find_char(h, device, ROLLER_UUID_ROLLER_INFO);
		value = central_read_ok(info, 0);
		assert_int_equal(g_bytes_get_size(value), ROLLER_INFO_LEN);
	}
}

static void
test_disconnect_keeps_cached_objects(void **state)
{
	disconnect_and_back(*state, TRUE);
}

static void
test_disconnect_without_cache_removes_objects(void **state)
{
	disconnect_and_back(*state, FALSE);
}

static void
test_link_loss_and_button(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) reasons = g_ptr_array_new_with_free_func(g_free);
	Collector telemetry;
	gulong handler;
	Central c;

	central_open(&c, h, ROLLER2);
	handler = g_signal_connect(c.device, "g-signal",
				   G_CALLBACK(on_device_signal), reasons);

	/* The button starts a session without the central asking. */
	collector_watch(h, &telemetry, c.telemetry);
	assert_true(harness_sim_call(h, "PressButton",
				     g_variant_new("(s)", ROLLER2), &error));
	collector_wait(h, &telemetry, 3, 5000);
	assert_true(central_frames_parse(telemetry.values, 0));
	collector_clear(&telemetry);

	/* Out of range: the link times out. */
	assert_true(harness_sim_call(h, "DisconnectDevice",
				     g_variant_new("(s)", ROLLER2), &error));
	harness_wait(h, harness_is_disconnected, c.device, 3000, "Connected false");
	assert_int_equal(reasons->len, 1);
	assert_string_equal(g_ptr_array_index(reasons, 0),
			    "org.bluez.Reason.Timeout");
	harness_sim_call(h, "DisconnectDevice", g_variant_new("(s)", ROLLER2),
			 &error);
	harness_assert_error(&error, "org.freedesktop.DBus.Error.Failed");
	harness_sim_call(h, "PressButton", g_variant_new("(s)", "00:11:22:33:44:55"),
			 &error);
	harness_assert_error(&error, "org.freedesktop.DBus.Error.InvalidArgs");
	g_signal_handler_disconnect(c.device, handler);
	central_close(&c);
}

static gboolean
bluez_gone(Harness *h, gpointer data)
{
	g_autofree char *owner = g_dbus_object_manager_client_get_name_owner(
		G_DBUS_OBJECT_MANAGER_CLIENT(h->manager));
	g_autoptr(BluezAdapter1) adapter = harness_adapter(h);

	return owner == NULL && adapter == NULL;
}

static gboolean
bluez_back(Harness *h, gpointer data)
{
	g_autoptr(BluezAdapter1) adapter = harness_adapter(h);

	return adapter != NULL;
}

static void
restart_and_check(Harness *h, gboolean by_signal)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(BluezDevice1) forgotten = NULL;
	g_autoptr(BluezGattCharacteristic1) info = NULL;
	g_autoptr(GBytes) value = NULL;
	Central c;

	central_open(&c, h, ROLLER2);
	central_close(&c);
	if (by_signal)
		kill(h->sim, SIGUSR1);
	else
		assert_true(harness_sim_call(h, "Restart", g_variant_new("(u)", 300),
					     &error));
	/* Everything goes at once, then the adapter comes back alone. */
	harness_wait(h, bluez_gone, NULL, 3000, "org.bluez to leave");
	harness_wait(h, bluez_back, NULL, 3000, "org.bluez to come back");
	forgotten = harness_device(h, ROLLER2);
	assert_null(forgotten);
	/* The roller lost its link and advertises again. */
	central_open(&c, h, ROLLER2);
	value = central_read_ok(c.info, 0);
	assert_int_equal(g_bytes_get_size(value), ROLLER_INFO_LEN);
	central_close(&c);
}

static void
test_restart_through_control(void **state)
{
	restart_and_check(*state, FALSE);
}

static void
test_restart_on_sigusr1(void **state)
{
	restart_and_check(*state, TRUE);
}

static gboolean
three_devices(Harness *h, gpointer data)
{
	g_autoptr(BluezDevice1) d1 = harness_device(h, "C0:52:4C:00:00:01");
	g_autoptr(BluezDevice1) d2 = harness_device(h, "C0:52:4C:00:00:02");
	g_autoptr(BluezDevice1) d3 = harness_device(h, "C0:52:4C:00:00:03");

	return d1 && d2 && d3;
}

static void
test_three_rollers(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(BluezAdapter1) adapter = harness_adapter(h);
	g_autoptr(BluezDevice1) third = NULL;
	g_autoptr(BluezGattCharacteristic1) serial = NULL;
	g_autoptr(GBytes) value = NULL;

	assert_true(bluez_adapter1_call_start_discovery_sync(adapter, NULL, &error));
	harness_wait(h, three_devices, NULL, 3000, "three rollers");
	assert_true(bluez_adapter1_call_stop_discovery_sync(adapter, NULL, &error));
	third = harness_device(h, "C0:52:4C:00:00:03");
	assert_string_equal(bluez_device1_get_name(third), "Roller 0003");
	central_connect(h, third);
	serial = central_find_char(h, third, ROLLER_UUID_SERIAL_NUMBER);
	value = central_read_ok(serial, 0);
	assert_int_equal(g_bytes_get_size(value), 8);
	assert_memory_equal(g_bytes_get_data(value, NULL), "RL000003", 8);
}

/* The records a roller of this seed holds, and its ground truth.  The
 * harness sits in *state meanwhile, for the teardown if a check fails. */
static GPtrArray *
records_of_seed(void **state, const char *seed, char **truth)
{
	g_autofree char *seed_arg = g_strconcat("--seed=", seed, NULL);
	const char *args[] = { "--speed=20", "--stored=3", seed_arg,
			       "--ground-truth={dir}/truth", NULL };
	g_autofree char *truth_file = NULL;
	GPtrArray *records = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	Harness *h;
	guint16 failed_id;
	Central c;

	*state = h = harness_start(args);
	central_open(&c, h, ROLLER2);
	central_report_records(&c, ROLLER_CP_OP_ALL, 0, records, &failed_id);
	central_close(&c);
	truth_file = harness_path(h, "truth/" ROLLER2 ".txt");
	assert_true(g_file_get_contents(truth_file, truth, NULL, NULL));
	*state = NULL;
	harness_stop(h);
	return records;
}

static void
test_same_seed_same_records(void **state)
{
	g_autofree char *truth_a = NULL;
	g_autofree char *truth_b = NULL;
	g_autofree char *truth_c = NULL;
	g_autoptr(GPtrArray) a = records_of_seed(state, "42", &truth_a);
	g_autoptr(GPtrArray) b = records_of_seed(state, "42", &truth_b);
	g_autoptr(GPtrArray) other = records_of_seed(state, "43", &truth_c);
	gboolean all_same = TRUE;

	assert_int_equal(a->len, 3);
	assert_int_equal(b->len, 3);
	assert_int_equal(other->len, 3);
	for (guint i = 0; i < a->len; i++) {
		assert_true(g_bytes_equal(g_ptr_array_index(a, i),
					  g_ptr_array_index(b, i)));
		all_same &= g_bytes_equal(g_ptr_array_index(a, i),
					  g_ptr_array_index(other, i));
	}
	assert_false(all_same);
	/* The ground truth dumps the same three records. */
	assert_non_null(strstr(truth_a, "record id="));
	assert_string_equal(truth_a, truth_b);
}

static void
test_small_mtu(void **state)
{
	Harness *h = *state;
	g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	struct roller_cp_response rsp;
	guint16 failed_id, session;
	Collector telemetry;
	Central c;

	/* A central that never exchanged MTUs: 20 bytes a notification. */
	central_open(&c, h, ROLLER2);
	assert_int_equal(bluez_gatt_characteristic1_get_mtu(c.telemetry), 23);
	collector_acquire(h, &telemetry, c.telemetry);
	session = central_start_session(&c);
	collector_wait(h, &telemetry, 10, 5000);
	central_stop_session(&c, session);
	for (guint i = 0; i < telemetry.values->len; i++)
		assert_true(g_bytes_get_size(g_ptr_array_index(telemetry.values, i)) <= 20);
	assert_true(central_frames_parse(telemetry.values, session));
	collector_clear(&telemetry);
	rsp = central_report_records(&c, ROLLER_CP_OP_ALL, 0, records, &failed_id);
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	assert_int_equal(failed_id, 0);
	assert_int_equal(records->len, 3);
	central_close(&c);
}

/*
 * --speed compresses the roller's clock, not the radio: records come at
 * most 4 notifications per 7.5 ms of real time, as a BLE link carries
 * them.  20 times faster they overflowed bluetoothd's 10-packet socket
 * whenever the central paused for a millisecond (a spurious GAP).
 */
static void
test_radio_keeps_real_pace(void **state)
{
	Harness *h = *state;
	g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	struct roller_cp_response rsp;
	guint16 failed_id;
	guint chunks = 0;
	gint64 t0, elapsed_us, floor_us;
	Central c;

	central_open(&c, h, ROLLER2);
	t0 = g_get_monotonic_time();
	rsp = central_report_records(&c, ROLLER_CP_OP_ALL, 0, records, &failed_id);
	elapsed_us = g_get_monotonic_time() - t0;
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	assert_int_equal(failed_id, 0);
	assert_int_equal(records->len, 60);
	/* A chunk carries at most 512 - 5 bytes of a record. */
	for (guint i = 0; i < records->len; i++)
		chunks += (g_bytes_get_size(g_ptr_array_index(records, i)) + 506) / 507;
	floor_us = (gint64)(chunks / 4 - 1) * 7500;
	print_message("%u chunks in %" G_GINT64_FORMAT " ms (at least %" G_GINT64_FORMAT
		      " ms at the link's pace)\n", chunks, elapsed_us / 1000, floor_us / 1000);
	assert_true(elapsed_us >= floor_us);
	central_close(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_disconnect_keeps_cached_objects, "--speed=10"),
		SIM_TEST(test_disconnect_without_cache_removes_objects, "--speed=10",
			 "--gatt-cache=no"),
		SIM_TEST(test_link_loss_and_button, "--speed=10"),
		SIM_TEST(test_restart_through_control, "--speed=10"),
		SIM_TEST(test_restart_on_sigusr1, "--speed=10",
			 "--restart-delay-ms=200"),
		SIM_TEST(test_three_rollers, "--speed=10", "--count=3"),
		SIM_TEST(test_small_mtu, "--speed=20", "--mtu=23", "--stored=2"),
		SIM_TEST(test_radio_keeps_real_pace, "--speed=20", "--stored=60"),
		cmocka_unit_test_teardown(test_same_seed_same_records,
					  harness_teardown),
	};

	return cmocka_run_group_tests_name("roller-sim mock link", tests, NULL,
					   NULL);
}
