/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Every bus test's private D-Bus: a dbus-daemon of the test's own (the
 * one configure found), in a temporary directory, with
 * DBUS_SESSION_BUS_ADDRESS pointing at it, and the children a test starts
 * on it (roller-sim, rollerd, ...), each logging to a file there.
 *
 * The daemon and every child die with the test process, even when it
 * crashes or is killed (PR_SET_PDEATHSIG; spawn from the main thread, the
 * signal follows the thread that forked).  test_bus_free() stops them and
 * removes the directory, also when a test failed half-way (call it from
 * the group teardown); $ROLLER_TEST_KEEP keeps the directory.
 */
#pragma once

#include <gio/gio.h>

typedef struct _TestBus TestBus;

/* Starts the bus; aborts the test run when that is impossible. */
TestBus *test_bus_new(void);
/* The same with @policy (<policy> elements) after the one allowing everything. */
TestBus *test_bus_new_with_policy(const char *policy);
/*
 * The system bus as it is, with no daemon of the test's own (a VM's, where
 * the real bluetoothd runs): the children keep the environment they have.
 */
TestBus *test_bus_new_system(void);
void test_bus_free(TestBus *bus);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TestBus, test_bus_free)

const char *test_bus_get_address(TestBus *bus);
const char *test_bus_get_dir(TestBus *bus);
/* The bus's own dbus-daemon (0 for test_bus_new_system()), e.g. for its CPU time. */
GPid test_bus_get_daemon_pid(TestBus *bus);
/* A connection to the bus, owned by @bus. */
GDBusConnection *test_bus_get_connection(TestBus *bus);
/* Another client of the bus, the caller's to close (to leave the bus) and unref. */
GDBusConnection *test_bus_new_client(TestBus *bus);

/*
 * How many times slower a child runs under the wrapper in the environment
 * variable @wrapper_var (valgrind: 10), 1 when it is unset or empty; for
 * the deadlines of waits on that child.
 */
guint test_bus_slowness(const char *wrapper_var);

/*
 * Starts @argv (argv[0] a path; "@builddir@/x" is taken relative to
 * $ROLLER_BUILDDIR, else the build tree) with the bus as its session bus;
 * output goes to <dir>/<log_name>.log.  Returns its pid.
 */
GPid test_bus_spawn(TestBus *bus, const char *log_name, const char *const *argv);
/*
 * The same under the command line in $@wrapper_var when it is set (e.g.
 * ROLLERD_WRAPPER="valgrind --error-exitcode=1"), whose exit status
 * test_bus_stop_ok() then checks; its stop deadline is
 * test_bus_slowness() times longer.
 */
GPid test_bus_spawn_wrapped(TestBus *bus, const char *log_name, const char *wrapper_var,
			    const char *const *argv);
/* SIGTERM, then SIGKILL after 10 s (times its slowness); returns the wait status. */
int test_bus_stop(TestBus *bus, GPid pid);
/*
 * test_bus_stop(); TRUE when the child exited with 0, else FALSE with the
 * tail of its log and its status on stderr.
 */
gboolean test_bus_stop_ok(TestBus *bus, GPid pid);
/* Whether @pid has exited by now (its wait status in @status); never blocks. */
gboolean test_bus_has_exited(TestBus *bus, GPid pid, int *status);
/* Waits up to @timeout_ms for @pid to exit by itself; -1 when it did not. */
int test_bus_wait_exit(TestBus *bus, GPid pid, guint timeout_ms);
/* SIGKILL at once, as a crash would. */
void test_bus_kill(TestBus *bus, GPid pid);

/* Runs the main context until @name has an owner; FALSE on timeout. */
gboolean test_bus_wait_for_name(TestBus *bus, const char *name, guint timeout_ms);
/* The same until @name has none. */
gboolean test_bus_wait_for_name_gone(TestBus *bus, const char *name, guint timeout_ms);

typedef gboolean (*TestBusCondition)(gpointer user_data);
/* Iterates the default main context until @cond is TRUE or @timeout_ms. */
gboolean test_bus_wait_until(TestBusCondition cond, gpointer user_data, guint timeout_ms);
/* Iterates the default main context for @ms. */
void test_bus_run_for(guint ms);

/* Prints the tail of a child's log (for a failing assertion's context). */
void test_bus_dump_log(TestBus *bus, const char *log_name);
