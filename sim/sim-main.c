/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roller-sim: a simulated roller behind a mock bluetoothd (--mock-bluez),
 * or as a real BLE peripheral (--peripheral).  docs/roller-sim.md.
 */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdlib.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include "sim/host/sim-clock.h"
#include "sim-config.h"
#include "sim/host/sim-faults.h"
#include "sim/host/sim-hostile.h"
#include "sim/gatt/sim-iface.h"
#include "sim/mock-bluez/sim-mock.h"
#include "sim/peripheral/sim-peripheral.h"
#include "sim/host/sim-roller.h"

#define MAX_ROLLERS 64

typedef struct {
	GMainLoop *loop;
	SimConfig cfg;
	GPtrArray *rollers;
	SimMock *mock;
	SimPeripheral *peripheral;
	guint signal_sources[3];
	int status;
} SimApp;

static gboolean
on_quit_signal(gpointer data)
{
	SimApp *app = data;

	g_debug("Leaving on a signal");
	g_main_loop_quit(app->loop);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_restart_signal(gpointer data)
{
	SimApp *app = data;

	if (app->mock)
		sim_mock_restart(app->mock, app->cfg.restart_delay_ms);
	else
		sim_peripheral_restart_gatt(app->peripheral);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_fatal(gpointer data)
{
	SimApp *app = data;

	app->status = EXIT_FAILURE;
	g_main_loop_quit(app->loop);
	return G_SOURCE_REMOVE;
}

static gboolean
parse_gatt_cache(SimConfig *cfg, const char *value, GError **error)
{
	if (!value || g_str_equal(value, "always"))
		cfg->gatt_cache = SIM_GATT_CACHE_ALWAYS;
	else if (g_str_equal(value, "yes"))
		cfg->gatt_cache = SIM_GATT_CACHE_YES;
	else if (g_str_equal(value, "no"))
		cfg->gatt_cache = SIM_GATT_CACHE_NO;
	else {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--gatt-cache takes always, yes or no, not %s", value);
		return FALSE;
	}
	return TRUE;
}

/* --fault-refuse-connect[=N]: alone, the first Connect only. */
static gboolean
parse_refuse_connect(const char *name, const char *value, gpointer data,
		     GError **error)
{
	SimConfig *cfg = data;
	guint64 n = 1;

	if (value && !g_ascii_string_to_unsigned(value, 10, 0, G_MAXUINT, &n, NULL)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "%s takes a number of connections, not %s", name, value);
		return FALSE;
	}
	cfg->faults.refuse_connect = (guint)n;
	return TRUE;
}

static gboolean
parse_options(SimConfig *cfg, gboolean *mock, gboolean *peripheral,
	      int *argc, char ***argv, GError **error)
{
	gint count = 1, mtu = 247, stored = 0, session_seconds = -1, capacity = -1;
	gint drop = 0, corrupt = 0, delay = 0, late_reply = 0, drop_record = 0, restart_delay = 500;
	gint flood = 1;
	gint64 seed = 1, cut = 0;
	gboolean verbose = FALSE;
	g_autofree char *gatt_cache = NULL, *hostile = NULL;
	g_autofree char *refuse_acquire = NULL;
	const GOptionEntry entries[] = {
		{ "mock-bluez", 0, 0, G_OPTION_ARG_NONE, mock,
		  "Play bluetoothd on a bus (the session bus, or --bus): "
		  "owns org.bluez, an adapter, and devices for the rollers", NULL },
		{ "peripheral", 0, 0, G_OPTION_ARG_NONE, peripheral,
		  "Be one roller as a real BLE peripheral through this machine's "
		  "bluetoothd (system bus, or --bus)", NULL },
		{ "bus", 0, 0, G_OPTION_ARG_STRING, &cfg->bus_address,
		  "D-Bus address of the bus to use", "ADDRESS" },
		{ "adapter", 0, 0, G_OPTION_ARG_STRING, &cfg->adapter,
		  "Adapter to serve (mock) or to use (peripheral) [hci0]", "hciN" },
		{ "count", 0, 0, G_OPTION_ARG_INT, &count,
		  "Number of simulated rollers, each with its own address, "
		  "serial and seed (mock mode) [1]", "N" },
		{ "address", 0, 0, G_OPTION_ARG_STRING, &cfg->address_base,
		  "Address of the first roller; the others follow it "
		  "[C0:52:4C:00:00:01]", "ADDRESS" },
		{ "mtu", 0, 0, G_OPTION_ARG_INT, &mtu,
		  "ATT MTU of a connection, 23..517 [247]", "MTU" },
		{ "stored", 0, 0, G_OPTION_ARG_INT, &stored,
		  "Finished sessions each roller holds at start (unless its "
		  "state was loaded) [0]", "K" },
		{ "capacity", 0, 0, G_OPTION_ARG_INT, &capacity,
		  "Records each roller can keep, 1..65535 (Roller Info's "
		  "record_capacity); full, it sets Status's storage-full flag and "
		  "starts no session [500]", "N" },
		{ "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
		  "Seed of the rollers' models and of the random faults; roller "
		  "i uses SEED + i [1]", "SEED" },
		{ "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &cfg->state_dir,
		  "Keep each roller's stored records, clock and settings in "
		  "DIR/<ADDRESS>.state, loaded at start and saved on every change",
		  "DIR" },
		{ "ground-truth", 0, 0, G_OPTION_ARG_FILENAME, &cfg->ground_truth_dir,
		  "Write each roller's sent frames (frame <hex>, lost <hex>) and "
		  "stored records (canonical dump) to DIR/<ADDRESS>.txt", "DIR" },
		{ "ground-truth-times", 0, 0, G_OPTION_ARG_NONE, &cfg->ground_truth_times,
		  "After each frame line of the ground truth, an \"at <us>\" line: the "
		  "monotonic time it was sent (for benchmarks' latency)", NULL },
		{ "speed", 0, 0, G_OPTION_ARG_DOUBLE, &cfg->speed,
		  "Run simulated time X times faster (sessions, radio timings) [1]",
		  "X" },
		{ "session-seconds", 0, 0, G_OPTION_ARG_INT, &session_seconds,
		  "Seconds of rolling after which a session ends by itself; 0: "
		  "only STOP_SESSION or the button end it [the model's]", "S" },
		{ "whole-passes", 0, 0, G_OPTION_ARG_NONE, &cfg->whole_passes,
		  "The person rolls every lane of one direction before turning "
		  "to the next (vertical, horizontal, diagonal, anti-diagonal), "
		  "not the taught few strokes each way: a short session never "
		  "gets to the diagonals", NULL },
		{ "gatt-cache", 0, 0, G_OPTION_ARG_STRING, &gatt_cache,
		  "What the mock keeps of a disconnected device's GATT objects, as "
		  "main.conf's [GATT] Cache: always (bluetoothd's default: kept), "
		  "yes (paired devices only: removed), no (removed) [always]",
		  "always|yes|no" },
		{ "restart-delay-ms", 0, 0, G_OPTION_ARG_INT, &restart_delay,
		  "How long SIGUSR1 keeps the mock bluetoothd off the bus, "
		  "or the GATT application unregistered [500]",
		  "MS" },
		{ "require-encryption", 0, 0, G_OPTION_ARG_NONE, &cfg->require_encryption,
		  "The Roller service's characteristics need an encrypted link: "
		  "Just Works pairing, bonding (the mock answers as bluetoothd "
		  "does; a peripheral sets their encrypt-* flags and registers a "
		  "NoInputNoOutput agent)", NULL },
		{ "fault-refuse-pairing", 0, 0, G_OPTION_ARG_NONE,
		  &cfg->faults.refuse_pairing,
		  "With --require-encryption: the roller refuses every pairing "
		  "(Pair fails with org.bluez.Error.AuthenticationFailed)", NULL },
		{ "fault-pairing-timeout", 0, 0, G_OPTION_ARG_NONE,
		  &cfg->faults.pairing_timeout,
		  "With --require-encryption: the roller never answers a pairing; "
		  "after SMP's 30 s the link ends", NULL },
		{ "fault-no-security-raise", 0, 0, G_OPTION_ARG_NONE,
		  &cfg->faults.no_security_raise,
		  "With --require-encryption: an unencrypted access fails with "
		  "org.bluez.Error.NotPermitted \"Not paired\" instead of "
		  "bluetoothd pairing by itself", NULL },
		{ "fault-early-resolved", 0, 0, G_OPTION_ARG_NONE,
		  &cfg->faults.early_resolved,
		  "ServicesResolved turns true before the GATT objects exist "
		  "(a BlueZ race)", NULL },
		{ "fault-drop-notify", 0, 0, G_OPTION_ARG_INT, &drop,
		  "Lose this share of Telemetry notifications, drawn from the "
		  "seed", "PERCENT" },
		{ "fault-disconnect-after-bytes", 0, 0, G_OPTION_ARG_INT64, &cut,
		  "Lose the link after N bytes of Record Transfer notifications, "
		  "once per roller", "N" },
		{ "fault-corrupt-chunk", 0, 0, G_OPTION_ARG_INT, &corrupt,
		  "Flip a byte in the Nth Record Transfer chunk (from 1), once "
		  "per roller", "N" },
		{ "fault-drop-record", 0, 0, G_OPTION_ARG_INT, &drop_record,
		  "Lose every chunk of the Nth record sent (from 1), once per "
		  "roller, as a full notification socket loses them", "N" },
		{ "fault-delay-ms", 0, 0, G_OPTION_ARG_INT, &delay,
		  "Hold every BlueZ method call this long before answering it",
		  "MS" },
		{ "fault-late-write-reply-ms", 0, 0, G_OPTION_ARG_INT, &late_reply,
		  "Answer each WriteValue this long after the roller acted on it, "
		  "after its notifications (as a Write Response overtaken on "
		  "another EATT bearer)", "MS" },
		{ "fault-reorder-records", 0, 0, G_OPTION_ARG_NONE,
		  &cfg->faults.reorder_records,
		  "Send each stored record after the next one, or after the "
		  "control point's answer (as EATT bearers reorder them)", NULL },
		{ "fault-reorder-telemetry", 0, 0, G_OPTION_ARG_NONE,
		  &cfg->faults.reorder_telemetry,
		  "Send each Telemetry notification after the next notification "
		  "of any kind (as EATT bearers reorder them)", NULL },
		{ "fault-refuse-connect", 0, G_OPTION_FLAG_OPTIONAL_ARG,
		  G_OPTION_ARG_CALLBACK, parse_refuse_connect,
		  "The first N Connects of each roller (1 without =N) fail with "
		  "org.bluez.Error.Failed", "N" },
		{ "fault-hostile-frames", 0, 0, G_OPTION_ARG_STRING, &hostile,
		  "After each Telemetry frame, send a malformed one: oversize, "
		  "version, crc, truncated, random, or mixed (the five in turn)",
		  "KIND" },
		{ "fault-flood", 0, 0, G_OPTION_ARG_INT, &flood,
		  "Send N times the Telemetry notifications: after each frame, N - 1 "
		  "malformed ones (of --fault-hostile-frames, else mixed), 1..100",
		  "N" },
		{ "fault-refuse-acquire-notify", 0, 0, G_OPTION_ARG_STRING,
		  &refuse_acquire,
		  "AcquireNotify fails with this org.bluez.Error (NotSupported, "
		  "NotPermitted, InProgress or Failed) and bluetoothd's message for "
		  "it; StartNotify still works", "ERROR" },
		{ "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose,
		  "Trace what happens (as G_MESSAGES_DEBUG=all)", NULL },
		{ NULL },
	};
	g_autoptr(GOptionContext) context = NULL;
	GOptionGroup *main_group;

	context = g_option_context_new("--mock-bluez | --peripheral");
	g_option_context_set_summary(context,
		"A simulated instrumented microneedling roller (Roller GATT "
		"profile v1).\n\n"
		"With --mock-bluez it plays bluetoothd, so that rollerd and tests "
		"run without Bluetooth; org.rollerd.Sim1 at /org/rollerd/sim "
		"drives it (PressButton, Restart, DisconnectDevice, RestartGatt, ChangeService, "
		"SetFault, Hazards).  "
		"SIGUSR1 makes the mock bluetoothd leave the bus and come back.\n"
		"With --peripheral it registers a GATT application and an "
		"advertisement with the real bluetoothd; SIGUSR1 restarts its "
		"GATT server with the link up.");
	g_option_context_set_description(context,
		"See docs/roller-sim.md for what is modelled and what is not.");
	/* The callbacks get @cfg. */
	main_group = g_option_group_new(NULL, NULL, NULL, cfg, NULL);
	g_option_group_add_entries(main_group, entries);
	g_option_context_set_main_group(context, main_group);
	if (!g_option_context_parse(context, argc, argv, error))
		return FALSE;

	if (verbose)
		g_log_set_debug_enabled(TRUE);
	if (!parse_gatt_cache(cfg, gatt_cache, error))
		return FALSE;
	if (hostile && !sim_hostile_kind_from_string(hostile, &cfg->faults.hostile_frames)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--fault-hostile-frames takes oversize, version, crc, "
			    "truncated, random, mixed or none, not %s", hostile);
		return FALSE;
	}
	if (refuse_acquire) {
		g_autoptr(GVariant) name = g_variant_ref_sink(g_variant_new_string(refuse_acquire));

		if (!sim_faults_set(&cfg->faults, "refuse-acquire-notify", name, NULL)) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--fault-refuse-acquire-notify takes NotSupported, "
				    "NotPermitted, InProgress or Failed, not %s",
				    refuse_acquire);
			return FALSE;
		}
	}
	if (*mock == *peripheral) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "Choose one of --mock-bluez and --peripheral");
		return FALSE;
	}
	if (count < 1 || count > MAX_ROLLERS || (*peripheral && count != 1)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--count takes 1..%d in mock mode, 1 as a peripheral",
			    MAX_ROLLERS);
		return FALSE;
	}
	if (mtu < 23 || mtu > 517 || stored < 0 || stored > G_MAXUINT16 ||
	    drop < 0 || drop > 100 || cut < 0 || corrupt < 0 || delay < 0 ||
	    late_reply < 0 || late_reply > 60000 || drop_record < 0 ||
	    restart_delay < 0 || seed < 0 || seed > G_MAXUINT32 ||
	    flood < 1 || flood > 100 || cfg->speed <= 0 || session_seconds < -1 ||
	    capacity == 0 || capacity < -1 || capacity > G_MAXUINT16) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "A value is out of range; see --help");
		return FALSE;
	}
	cfg->count = (guint)count;
	cfg->mtu = (guint16)mtu;
	cfg->stored = (guint)stored;
	cfg->capacity = capacity;
	cfg->seed = (guint32)seed;
	cfg->session_seconds = session_seconds;
	cfg->restart_delay_ms = (guint)restart_delay;
	cfg->faults.drop_notify_percent = (guint)drop;
	cfg->faults.disconnect_after_bytes = (guint64)cut;
	cfg->faults.corrupt_chunk = (guint)corrupt;
	cfg->faults.drop_record = (guint)drop_record;
	cfg->faults.delay_ms = (guint)delay;
	cfg->faults.late_write_reply_ms = (guint)late_reply;
	cfg->faults.flood = (guint)flood;
	if (!cfg->adapter)
		cfg->adapter = g_strdup("hci0");
	if (!cfg->address_base)
		cfg->address_base = g_strdup("C0:52:4C:00:00:01");
	return TRUE;
}

static void
config_clear(SimConfig *cfg)
{
	g_free(cfg->bus_address);
	g_free(cfg->adapter);
	g_free(cfg->address_base);
	g_free(cfg->state_dir);
	g_free(cfg->ground_truth_dir);
}

static gboolean
start(SimApp *app, gboolean mock, GError **error)
{
	for (guint i = 0; i < app->cfg.count; i++) {
		SimRoller *roller = sim_roller_new(&app->cfg, i, error);

		if (!roller)
			return FALSE;
		g_ptr_array_add(app->rollers, roller);
	}
	if (mock) {
		app->mock = sim_mock_new(&app->cfg, app->rollers, on_fatal, app);
		return sim_mock_start(app->mock, error);
	}
	app->peripheral = sim_peripheral_new(&app->cfg,
					     g_ptr_array_index(app->rollers, 0),
					     on_fatal, app);
	return sim_peripheral_start(app->peripheral, error);
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	SimApp app = { 0 };
	gboolean mock = FALSE, peripheral = FALSE;

	setlocale(LC_ALL, "");
	app.cfg.speed = 1.0;
	if (!parse_options(&app.cfg, &mock, &peripheral, &argc, &argv, &error)) {
		g_printerr("roller-sim: %s\n", error->message);
		config_clear(&app.cfg);
		return 2;
	}
	sim_clock_init(app.cfg.speed);
	sim_iface_set_call_delay(app.cfg.faults.delay_ms);

	app.status = EXIT_SUCCESS;
	app.loop = g_main_loop_new(NULL, FALSE);
	app.rollers = g_ptr_array_new_with_free_func((GDestroyNotify)sim_roller_free);
	app.signal_sources[0] = g_unix_signal_add(SIGINT, on_quit_signal, &app);
	app.signal_sources[1] = g_unix_signal_add(SIGTERM, on_quit_signal, &app);
	app.signal_sources[2] = g_unix_signal_add(SIGUSR1, on_restart_signal, &app);

	if (start(&app, mock, &error))
		g_main_loop_run(app.loop);
	else {
		g_printerr("roller-sim: %s\n", error->message);
		app.status = EXIT_FAILURE;
	}

	/* Off the bus first, then the rollers (which save their state). */
	sim_mock_free(app.mock);
	sim_peripheral_free(app.peripheral);
	sim_iface_drop_delayed_calls();
	g_ptr_array_unref(app.rollers);
	for (guint i = 0; i < G_N_ELEMENTS(app.signal_sources); i++)
		g_source_remove(app.signal_sources[i]);
	g_main_loop_unref(app.loop);
	config_clear(&app.cfg);
	return app.status;
}
