/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the roller-sim tests share, on top of the private bus of
 * tests/harness/test-bus.h: roller-sim --mock-bluez on it as a child
 * (and --peripheral beside it when a test asks), an ObjectManager client
 * of the generated Bluez* proxies, and waits that always end (each has a
 * deadline in real time, times the slowness).
 *
 * TestBus starts the bus and the children (they die with the test
 * process, and log to roller-sim.log and roller-sim-peripheral.log in the
 * bus's directory, printed when a wait or a stop fails); harness_stop()
 * stops them and removes the directory, also when the test failed.
 * $ROLLER_SIM_WRAPPER (e.g. "valgrind --error-exitcode=1
 * --leak-check=full") runs roller-sim under a tool, whose exit status the
 * harness then checks.  Include after <cmocka.h>.
 */
#pragma once

#include <gio/gio.h>

#include "data/bluez-gdbus.h"
#include "tests/harness/test-bus.h"

/* gdbus-codegen's default output has no autoptr cleanups. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BluezAdapter1, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BluezDevice1, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BluezGattCharacteristic1, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BluezGattDescriptor1, g_object_unref)

typedef struct {
	TestBus *bus;
	GPid sim;	/* --mock-bluez, 0 while stopped */
	GPid peer;	/* --peripheral, 0 when not started */
	GDBusConnection *connection;	/* the bus's */
	GDBusObjectManager *manager;
	/* Multiplies every deadline (a wrapper such as valgrind is slow). */
	guint slowness;
} Harness;

/* Starts a bus and roller-sim --mock-bluez --bus <it> @args (NULL ended,
 * "{dir}" standing for the harness's temporary directory); returns once
 * org.bluez serves the adapter. */
Harness *harness_start(const char *const *args);
/* Stops roller-sim (SIGTERM, then SIGKILL after a deadline) and the bus,
 * removes the directory; fails the test when roller-sim did not exit 0
 * on SIGTERM. */
void harness_stop(Harness *h);
/* Starts roller-sim again on the same bus (e.g. to test its state dir). */
void harness_restart_sim(Harness *h, const char *const *args);
/* Stops roller-sim only, checking its exit status. */
void harness_stop_sim(Harness *h);
/* Starts roller-sim --peripheral --bus <the bus> @args beside the mock;
 * returns its unique name once it is on the bus. */
char *harness_start_peripheral(Harness *h, const char *const *args);
/* Stops it (SIGTERM), checking its exit status. */
void harness_stop_peripheral(Harness *h);
/* A path in the harness's temporary directory (g_free it). */
char *harness_path(Harness *h, const char *name);

typedef gboolean (*HarnessCondition)(Harness *h, gpointer data);
/* Runs the main context until @cond holds; fails the test after
 * @timeout_ms (times the slowness). */
void harness_wait(Harness *h, HarnessCondition cond, gpointer data,
		  guint timeout_ms, const char *what);
/* Runs the main context for @ms (real time: test_bus_run_for()). */
void harness_sleep(Harness *h, guint ms);

/* Interfaces by object path (NULL when absent). */
BluezAdapter1 *harness_adapter(Harness *h);
BluezDevice1 *harness_device(Harness *h, const char *address);
/* The D-Bus error name of @error ("org.bluez.Error.Failed"...). */
char *harness_error_name(const GError *error);
/* Asserts that @error is the D-Bus error @name (and clears it). */
void harness_assert_error(GError **error, const char *name);

/* Calls org.rollerd.Sim1.@method on the simulator. */
gboolean harness_sim_call(Harness *h, const char *method, GVariant *args,
			  GError **error);

/* Value of a property from the proxy's cache (NULL when absent). */
GVariant *harness_property(gpointer proxy, const char *name);

/* Conditions for harness_wait() on a BluezDevice1. */
gboolean harness_is_disconnected(Harness *h, gpointer device);

/* cmocka setup and teardown: the initial state is the NULL-ended array of
 * roller-sim options, the state the harness. */
int harness_setup(void **state);
int harness_teardown(void **state);

/* A test with its own bus and roller-sim started with the options given
 * (cmocka_unit_test_prestate_setup_teardown() spelled out, since the
 * options hold commas). */
#define SIM_TEST(test, ...) \
	{ #test, test, harness_setup, harness_teardown, \
	  (void *)(const char *const[]){ __VA_ARGS__, NULL } }
