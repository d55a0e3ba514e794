/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roller-sim's fault knobs, each as a central meets it: refused
 * connections (timed by Sim1.ConnectCalls), a refused AcquireNotify, ServicesResolved before the
 * objects, lost telemetry, a link cut during a record transfer, a
 * corrupted chunk, slow replies, hostile frames and a flood of them;
 * knobs set at run time through
 * org.rollerd.Sim1; and the state directory across a simulator restart.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "roller-frame.h"
#include "roller-hex.h"
#include "sim-central.h"

#define ROLLER2 "C0:52:4C:00:00:01"
/* The longest notification: MTU 517 less ATT's 3 bytes. */
#define SIM_HOSTILE_MAX 514

static void
test_refuse_connect(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(BluezDevice1) device = central_discover(h, ROLLER2);

	assert_false(bluez_device1_call_connect_sync(device, NULL, &error));
	assert_non_null(strstr(error->message, "le-connection-abort-by-local"));
	harness_assert_error(&error, "org.bluez.Error.Failed");
	assert_false(bluez_device1_get_connected(device));
	/* Only the first attempt fails. */
	central_connect(h, device);
}

/* Sim1.ConnectCalls of ROLLER2. */
static GVariant *
connect_calls(Harness *h)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret =
		g_dbus_connection_call_sync(h->connection, "org.bluez", "/org/rollerd/sim",
					    "org.rollerd.Sim1", "ConnectCalls",
					    g_variant_new("(s)", ROLLER2), G_VARIANT_TYPE("(ax)"),
					    G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);

	if (!ret)
		fail_msg("ConnectCalls: %s", error->message);
	return g_variant_get_child_value(ret, 0);
}

/* --fault-refuse-connect=3: three refusals, and each call is timed. */
static void
test_refuse_connect_count(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(BluezDevice1) device = central_discover(h, ROLLER2);
	g_autoptr(GVariant) times = NULL;
	gint64 before[4], after;
	const gint64 *at;
	gsize n;

	times = connect_calls(h);
	assert_int_equal(g_variant_n_children(times), 0);
	g_clear_pointer(&times, g_variant_unref);
	for (guint i = 0; i < 3; i++) {
		before[i] = g_get_monotonic_time();
		assert_false(bluez_device1_call_connect_sync(device, NULL, &error));
		harness_assert_error(&error, "org.bluez.Error.Failed");
	}
	before[3] = g_get_monotonic_time();
	central_connect(h, device);
	after = g_get_monotonic_time();

	/* On the caller's clock: each between its call and the next. */
	times = connect_calls(h);
	at = g_variant_get_fixed_array(times, &n, sizeof(gint64));
	assert_int_equal(n, 4);
	for (guint i = 0; i < 4; i++) {
		assert_true(at[i] >= before[i]);
		assert_true(at[i] <= (i < 3 ? before[i + 1] : after));
	}
}

struct resolved_watch {
	Harness *h;
	const char *path;
	gboolean resolved;
	guint chars_when_resolved;
};

static void
on_device_changed(GDBusProxy *proxy, GVariant *changed,
		  const char *const *invalidated, gpointer data)
{
	struct resolved_watch *watch = data;
	gboolean resolved;

	if (g_variant_lookup(changed, "ServicesResolved", "b", &resolved) &&
	    resolved && !watch->resolved) {
		watch->resolved = TRUE;
		watch->chars_when_resolved = central_count_chars(watch->h,
								 watch->path);
	}
}

static gboolean
resolved_seen(Harness *h, gpointer data)
{
	return ((struct resolved_watch *)data)->resolved;
}

static gboolean
objects_there(Harness *h, gpointer data)
{
	return central_count_chars(h, ((struct resolved_watch *)data)->path) > 0;
}

static void
test_early_resolved(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(BluezDevice1) device = central_discover(h, ROLLER2);
	struct resolved_watch watch = { .h = h };
	gulong handler;

	watch.path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(device));
	handler = g_signal_connect(device, "g-properties-changed",
				   G_CALLBACK(on_device_changed), &watch);
	assert_true(bluez_device1_call_connect_sync(device, NULL, &error));
	harness_wait(h, resolved_seen, &watch, 3000, "ServicesResolved");
	/* The race: resolved, and nothing to use yet. */
	assert_int_equal(watch.chars_when_resolved, 0);
	harness_wait(h, objects_there, &watch, 3000, "the GATT objects");
	g_signal_handler_disconnect(device, handler);
}

static guint
count_lines(char **lines, const char *prefix)
{
	guint n = 0;

	for (guint i = 0; lines[i]; i++)
		n += g_str_has_prefix(lines[i], prefix);
	return n;
}

static void
test_drop_notify(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autofree char *truth_path = harness_path(h, ROLLER2 ".txt");
	g_autofree char *truth = NULL;
	g_auto(GStrv) lines = NULL;
	struct roller_cp_request start = { .opcode = ROLLER_CP_START_SESSION };
	struct roller_cp_request stop = { .opcode = ROLLER_CP_STOP_SESSION };
	guint sent, lost, gaps = 0, j = 0;
	Collector telemetry;
	Central c;

	central_open(&c, h, ROLLER2);
	collector_watch(h, &telemetry, c.telemetry);
	assert_int_equal(central_cp(&c, &start).result, ROLLER_CP_SUCCESS);
	collector_wait(h, &telemetry, 30, 8000);
	assert_int_equal(central_cp(&c, &stop).result, ROLLER_CP_SUCCESS);

	assert_true(g_file_get_contents(truth_path, &truth, NULL, NULL));
	lines = g_strsplit(truth, "\n", -1);
	sent = count_lines(lines, "frame ");
	lost = count_lines(lines, "lost ");
	/* Some lost, not most: 30 % of the frames, drawn from the seed. */
	assert_true(lost > 0);
	assert_true(lost < sent);
	/* What arrived is exactly what the ground truth says was sent. */
	assert_int_equal(telemetry.values->len, sent);
	for (guint i = 0; lines[i]; i++) {
		gsize len;
		const guint8 *data;
		g_autofree char *hex = NULL;

		if (!g_str_has_prefix(lines[i], "frame "))
			continue;
		data = g_bytes_get_data(g_ptr_array_index(telemetry.values, j++), &len);
		hex = g_malloc(2 * len + 1);
		roller_hex_encode(data, len, hex);
		assert_string_equal(lines[i] + 6, hex);
	}
	/* The receiver sees the losses as gaps in seq. */
	for (guint i = 1; i < telemetry.values->len; i++) {
		struct roller_frame a, b;
		gsize la, lb;
		const guint8 *da = g_bytes_get_data(g_ptr_array_index(telemetry.values, i - 1), &la);
		const guint8 *db = g_bytes_get_data(g_ptr_array_index(telemetry.values, i), &lb);

		assert_int_equal(roller_frame_parse(da, la, &a), ROLLER_OK);
		assert_int_equal(roller_frame_parse(db, lb, &b), ROLLER_OK);
		gaps += (guint8)(b.seq - a.seq - 1);
	}
	assert_true(gaps > 0);
	collector_clear(&telemetry);
	central_close(&c);
}

/*
 * A session's Telemetry under --fault-hostile-frames or --fault-flood:
 * what arrived is the ground truth's frame and hostile lines, in order,
 * @per_frame hostile ones after each frame, failing as @errors says in
 * turn (ROLLER_OK: any error).
 */
static void
check_hostile_session(Harness *h, guint per_frame, const enum roller_error *errors,
		      guint n_errors)
{
	g_autofree char *truth_path = harness_path(h, ROLLER2 ".txt");
	g_autofree char *truth = NULL;
	g_auto(GStrv) lines = NULL;
	guint frames = 0, hostile = 0, run = 0, j = 0;
	guint16 session_id;
	Collector telemetry;
	Central c;

	central_open(&c, h, ROLLER2);
	collector_watch(h, &telemetry, c.telemetry);
	session_id = central_start_session(&c);
	harness_sleep(h, 1000);
	central_stop_session(&c, session_id);

	assert_true(g_file_get_contents(truth_path, &truth, NULL, NULL));
	lines = g_strsplit(truth, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		gboolean is_hostile = g_str_has_prefix(lines[i], "hostile ");
		const char *hex = strchr(lines[i], ' ') + 1;
		g_autoptr(GBytes) sent = NULL;
		guint8 data[SIM_HOSTILE_MAX];
		struct roller_frame frame;
		enum roller_error err;
		gsize len;

		if (!is_hostile && !g_str_has_prefix(lines[i], "frame "))
			continue;
		assert_true(roller_hex_decode(hex, strlen(hex), data, sizeof(data), &len));
		sent = g_bytes_new(data, len);
		assert_true(j < telemetry.values->len);
		assert_true(g_bytes_equal(g_ptr_array_index(telemetry.values, j++), sent));
		err = roller_frame_parse(data, len, &frame);
		if (!is_hostile) {
			assert_int_equal(err, ROLLER_OK);
			assert_true(frames == 0 || run == per_frame);
			frames++;
			run = 0;
			continue;
		}
		if (errors[hostile % n_errors] == ROLLER_OK)
			assert_int_not_equal(err, ROLLER_OK);
		else
			assert_string_equal(roller_error_name(err),
					    roller_error_name(errors[hostile % n_errors]));
		hostile++;
		run++;
	}
	assert_int_equal(j, telemetry.values->len);
	assert_true(frames >= 2);
	assert_int_equal(hostile, frames * per_frame);
	collector_clear(&telemetry);
	central_close(&c);
}

static void
test_hostile_frames(void **state)
{
	/* At MTU 517 an oversize frame arrives whole. */
	static const enum roller_error mixed[] = {
		ROLLER_ERR_TOO_LONG, ROLLER_ERR_VERSION, ROLLER_ERR_CRC,
		ROLLER_ERR_TRUNCATED, ROLLER_OK,
	};

	check_hostile_session(*state, 1, mixed, G_N_ELEMENTS(mixed));
}

static void
test_flood(void **state)
{
	/* At MTU 247 the link cuts an oversize frame: it runs past its end. */
	static const enum roller_error mixed[] = {
		ROLLER_ERR_TRUNCATED, ROLLER_ERR_VERSION, ROLLER_ERR_CRC,
		ROLLER_ERR_TRUNCATED, ROLLER_OK,
	};

	check_hostile_session(*state, 9, mixed, G_N_ELEMENTS(mixed));
}

static void
on_device_signal(GDBusProxy *proxy, const char *sender, const char *signal,
		 GVariant *params, gpointer data)
{
	const char *reason;

	if (g_str_equal(signal, "Disconnected")) {
		g_variant_get(params, "(&s&s)", &reason, NULL);
		g_free(*(char **)data);
		*(char **)data = g_strdup(reason);
	}
}

static void
test_disconnect_during_transfer(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autofree char *reason = NULL;
	static const guint8 report_all[] = { ROLLER_CP_REPORT_RECORDS,
					     ROLLER_CP_OP_ALL };
	struct roller_cp_response rsp;
	guint16 failed_id;
	gsize bytes = 0;
	gulong handler;
	Collector chunks;
	Central c;

	central_open(&c, h, ROLLER2);
	handler = g_signal_connect(c.device, "g-signal",
				   G_CALLBACK(on_device_signal), &reason);
	collector_watch(h, &chunks, c.transfer);
	assert_true(central_write(c.cp, report_all, sizeof(report_all),
				  "request", &error));
	harness_wait(h, harness_is_disconnected, c.device, 5000, "the link to drop");
	assert_string_equal(reason, "org.bluez.Reason.Timeout");
	for (guint i = 0; i < chunks.values->len; i++)
		bytes += g_bytes_get_size(g_ptr_array_index(chunks.values, i));
	/* Cut right after the chunk that crossed 300 bytes. */
	assert_true(bytes >= 300);
	assert_true(bytes < 300 + 247);
	collector_clear(&chunks);

	/* Once only: connected again, the transfer completes. */
	central_connect(h, c.device);
	rsp = central_report_records(&c, ROLLER_CP_OP_ALL, 0, records, &failed_id);
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	assert_int_equal(records->len, 3);
	assert_int_equal(failed_id, 0);
	g_signal_handler_disconnect(c.device, handler);
	central_close(&c);
}

static void
test_corrupt_chunk(void **state)
{
	Harness *h = *state;
	g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(GPtrArray) again = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	struct roller_cp_response rsp;
	guint16 failed_id;
	Central c;

	central_open(&c, h, ROLLER2);
	rsp = central_report_records(&c, ROLLER_CP_OP_ALL, 0, first, &failed_id);
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	/* The first record fails its CRC; the second arrives whole. */
	assert_int_not_equal(failed_id, 0);
	assert_int_equal(first->len, 1);
	/* Asked again from the failed one: both arrive. */
	rsp = central_report_records(&c, ROLLER_CP_OP_GE, failed_id, again,
				     &failed_id);
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	assert_int_equal(failed_id, 0);
	assert_int_equal(again->len, 2);
	assert_true(g_bytes_equal(g_ptr_array_index(first, 0),
				  g_ptr_array_index(again, 1)));
	central_close(&c);
}

static gint64
time_filters_call(Harness *h)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(BluezAdapter1) adapter = harness_adapter(h);
	g_auto(GStrv) filters = NULL;
	gint64 start = g_get_monotonic_time();

	assert_true(bluez_adapter1_call_get_discovery_filters_sync(adapter,
		&filters, NULL, &error));
	return (g_get_monotonic_time() - start) / 1000;
}

static void
test_delayed_replies(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;

	assert_true(time_filters_call(h) >= 300);
	/* Sim1 is not slowed down, and turns the delay off. */
	assert_true(harness_sim_call(h, "SetFault",
				     g_variant_new("(sv)", "delay-ms",
						   g_variant_new_uint32(0)),
				     &error));
	assert_true(time_filters_call(h) < 300);
}

static void
test_faults_set_at_run_time(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(BluezDevice1) device = central_discover(h, ROLLER2);

	assert_true(harness_sim_call(h, "SetFault",
				     g_variant_new("(sv)", "refuse-connect",
						   g_variant_new_uint32(2)),
				     &error));
	for (guint i = 0; i < 2; i++) {
		bluez_device1_call_connect_sync(device, NULL, &error);
		harness_assert_error(&error, "org.bluez.Error.Failed");
	}
	/* Set again, it counts from the start: true is one refusal. */
	assert_true(harness_sim_call(h, "SetFault",
				     g_variant_new("(sv)", "refuse-connect",
						   g_variant_new_boolean(TRUE)),
				     &error));
	bluez_device1_call_connect_sync(device, NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.Failed");
	central_connect(h, device);

	harness_sim_call(h, "SetFault", g_variant_new("(sv)", "bogus",
						     g_variant_new_uint32(1)),
			 &error);
	harness_assert_error(&error, "org.freedesktop.DBus.Error.InvalidArgs");
	harness_sim_call(h, "SetFault", g_variant_new("(sv)", "drop-notify",
						     g_variant_new_string("x")),
			 &error);
	harness_assert_error(&error, "org.freedesktop.DBus.Error.InvalidArgs");
	harness_sim_call(h, "SetFault", g_variant_new("(sv)", "drop-notify",
						     g_variant_new_uint32(101)),
			 &error);
	harness_assert_error(&error, "org.freedesktop.DBus.Error.InvalidArgs");
	harness_sim_call(h, "SetFault", g_variant_new("(sv)", "hostile-frames",
						     g_variant_new_string("bogus")),
			 &error);
	harness_assert_error(&error, "org.freedesktop.DBus.Error.InvalidArgs");
	harness_sim_call(h, "SetFault", g_variant_new("(sv)", "flood",
						     g_variant_new_uint32(0)),
			 &error);
	harness_assert_error(&error, "org.freedesktop.DBus.Error.InvalidArgs");
	assert_true(harness_sim_call(h, "SetFault",
				     g_variant_new("(sv)", "hostile-frames",
						   g_variant_new_string("crc")),
				     &error));
	assert_true(harness_sim_call(h, "SetFault",
				     g_variant_new("(sv)", "flood",
						   g_variant_new_uint32(10)),
				     &error));
}

/* AcquireNotify on @chr fails with @name; nothing was acquired. */
static void
assert_acquire_refused(BluezGattCharacteristic1 *chr, const char *name,
		       const char *message)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) fd = NULL;
	guint16 mtu;

	assert_false(bluez_gatt_characteristic1_call_acquire_notify_sync(chr,
		central_options(0, NULL), NULL, &fd, &mtu, NULL, NULL, &error));
	assert_non_null(error);
	assert_non_null(strstr(error->message, message));
	harness_assert_error(&error, name);
	assert_false(bluez_gatt_characteristic1_get_notify_acquired(chr));
}

static void
test_refuse_acquire_notify(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	struct roller_cp_request start = { .opcode = ROLLER_CP_START_SESSION };
	struct roller_cp_request stop = { .opcode = ROLLER_CP_STOP_SESSION };
	Collector telemetry, acquired;
	Central c;

	central_open(&c, h, ROLLER2);
	assert_acquire_refused(c.telemetry, "org.bluez.Error.NotSupported",
			       "Operation is not supported");
	assert_acquire_refused(c.status, "org.bluez.Error.NotSupported",
			       "Operation is not supported");

	/* StartNotify is not refused: the frames come as Value changes. */
	collector_watch(h, &telemetry, c.telemetry);
	assert_int_equal(central_cp(&c, &start).result, ROLLER_CP_SUCCESS);
	collector_wait(h, &telemetry, 5, 8000);
	assert_int_equal(central_cp(&c, &stop).result, ROLLER_CP_SUCCESS);
	assert_true(central_frames_parse(telemetry.values, 0));
	collector_clear(&telemetry);
	assert_true(bluez_gatt_characteristic1_call_stop_notify_sync(c.telemetry,
								      NULL, &error));

	/* Another error at run time, then none: acquiring works again. */
	assert_true(harness_sim_call(h, "SetFault",
				     g_variant_new("(sv)", "refuse-acquire-notify",
						   g_variant_new_string("InProgress")),
				     &error));
	assert_acquire_refused(c.transfer, "org.bluez.Error.InProgress", "In Progress");
	harness_sim_call(h, "SetFault", g_variant_new("(sv)", "refuse-acquire-notify",
						     g_variant_new_string("Bogus")),
			 &error);
	harness_assert_error(&error, "org.freedesktop.DBus.Error.InvalidArgs");
	assert_true(harness_sim_call(h, "SetFault",
				     g_variant_new("(sv)", "refuse-acquire-notify",
						   g_variant_new_string("")),
				     &error));
	collector_acquire(h, &acquired, c.telemetry);
	collector_clear(&acquired);
	central_close(&c);
}

static void
test_state_survives_a_restart(void **state)
{
	Harness *h = *state;
	g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autofree char *state_file = harness_path(h, "state/" ROLLER2 ".state");
	const char *args[] = { "--speed=10", "--stored=2", "--state-dir={dir}/state",
			       NULL };
	struct roller_cp_response rsp;
	guint16 failed_id, first_id;
	Central c;

	central_open(&c, h, ROLLER2);
	assert_int_equal(central_count_records(&c), 2);
	central_report_records(&c, ROLLER_CP_OP_ALL, 0, records, &failed_id);
	assert_int_equal(records->len, 2);
	first_id = roller_get_le16(g_bytes_get_data(g_ptr_array_index(records, 0),
						    NULL));
	rsp = central_cp_records(&c, ROLLER_CP_DELETE_RECORDS, ROLLER_CP_OP_LE,
				 first_id);
	assert_int_equal(rsp.result, ROLLER_CP_SUCCESS);
	assert_int_equal(rsp.value, 1);
	central_close(&c);
	assert_true(g_file_test(state_file, G_FILE_TEST_IS_REGULAR));

	/* A new simulator finds the roller as it was left. */
	harness_restart_sim(h, args);
	central_open(&c, h, ROLLER2);
	assert_int_equal(central_count_records(&c), 1);
	central_close(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_refuse_connect, "--speed=10", "--fault-refuse-connect"),
		SIM_TEST(test_refuse_connect_count, "--speed=10", "--fault-refuse-connect=3"),
		SIM_TEST(test_refuse_acquire_notify, "--speed=10",
			 "--fault-refuse-acquire-notify=NotSupported"),
		SIM_TEST(test_early_resolved, "--speed=10", "--fault-early-resolved"),
		SIM_TEST(test_drop_notify, "--speed=20", "--fault-drop-notify=30",
			 "--ground-truth={dir}"),
		SIM_TEST(test_hostile_frames, "--speed=10", "--mtu=517",
			 "--fault-hostile-frames=mixed", "--ground-truth={dir}"),
		SIM_TEST(test_flood, "--speed=10", "--fault-flood=10",
			 "--ground-truth={dir}"),
		SIM_TEST(test_disconnect_during_transfer, "--speed=10", "--stored=3",
			 "--fault-disconnect-after-bytes=300"),
		SIM_TEST(test_corrupt_chunk, "--speed=10", "--stored=2",
			 "--fault-corrupt-chunk=1"),
		SIM_TEST(test_delayed_replies, "--fault-delay-ms=300"),
		SIM_TEST(test_faults_set_at_run_time, "--speed=10"),
		SIM_TEST(test_state_survives_a_restart, "--speed=10", "--stored=2",
			 "--state-dir={dir}/state"),
	};

	return cmocka_run_group_tests_name("roller-sim mock faults", tests, NULL,
					   NULL);
}
