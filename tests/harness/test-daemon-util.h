/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The daemon's integration tests: roller-sim --mock-bluez and rollerd
 * --session on a private bus (test-bus), driven over D-Bus as rollerctl
 * or a script would, and compared with roller-sim's ground truth.
 */
#pragma once

#include <gio/gio.h>

#include "test-bus.h"

typedef struct {
	TestBus *bus;
	GDBusConnection *conn;
	GPid sim;
	GPid rollerd;
	char *state_dir;	/* rollerd's */
	char *sim_state_dir;
	char *truth_dir;
	char *roller_path;	/* the first roller's, once found */
	/* Real BlueZ: roller-sim --peripheral on this adapter; NULL: the mock. */
	char *peripheral_adapter;
	/* test_daemon_subscribe()'s, ended by test_daemon_free(): their
	 * counters live on the test's stack, which the next test reuses. */
	GArray *subscriptions;
} TestDaemon;

/* Starts the bus and roller-sim with @sim_args (NULL-terminated, may be NULL). */
TestDaemon *test_daemon_new(const char *const *sim_args);
/* The same on a bus with @policy too (test_bus_new_with_policy). */
TestDaemon *test_daemon_new_with_bus_policy(const char *policy, const char *const *sim_args);
/*
 * python3-dbusmock's polkitd on the test's bus, denying every action until
 * its SetAllowed says; FALSE when python3-dbusmock is not installed.
 */
gboolean test_daemon_start_polkit_mock(TestDaemon *td);
/*
 * On the system bus of a machine where the real bluetoothd runs (the VM
 * test): roller-sim --peripheral on @adapter, rollerd on the system bus.
 */
TestDaemon *test_daemon_new_real_bluez(const char *adapter, const char *const *sim_args);
/*
 * Stops everything; -1 when rollerd ran under $ROLLERD_WRAPPER (e.g.
 * valgrind) and did not exit with status 0, for a teardown to return.
 */
int test_daemon_free(TestDaemon *td);

/* (Re)starts roller-sim with its usual options and @sim_args; waits for org.bluez. */
void test_daemon_start_sim(TestDaemon *td, const char *const *sim_args);
/* (Re)starts rollerd with @extra args (may be NULL); waits for org.rollerd. */
void test_daemon_start_rollerd(TestDaemon *td, const char *const *extra);
/* The same, run through @wrapper (e.g. { "prlimit", "--fsize=N", "--", NULL }). */
void test_daemon_start_rollerd_wrapped(TestDaemon *td, const char *const *wrapper,
				       const char *const *extra);

/*
 * Runs rollerd (stopping the one running) expecting it to exit by itself
 * at once, as on a refusal to start; returns its wait status.
 */
int test_daemon_run_rollerd_to_exit(TestDaemon *td);

/* Scans until @count rollers are known; returns the first's path. */
const char *test_daemon_discover(TestDaemon *td, guint count);
/* Roller2.Connect of the first roller, asserting success. */
void test_daemon_connect(TestDaemon *td);

/* A method call; the reply or NULL with @error set. */
GVariant *test_daemon_call(TestDaemon *td, const char *path, const char *iface,
			   const char *method, GVariant *args, GError **error);
/* A method call on org.rollerd.Sim1 of roller-sim. */
GVariant *test_daemon_sim_call(TestDaemon *td, const char *method, GVariant *args,
			       GError **error);
/* A property of rollerd's object (transfer full), asserting it exists. */
GVariant *test_daemon_get(TestDaemon *td, const char *path, const char *iface,
			  const char *name);
/* Waits until the property's printed value is @expect (g_variant_print). */
gboolean test_daemon_wait_property(TestDaemon *td, const char *path, const char *iface,
				   const char *name, const char *expect, guint timeout_ms);

/* A method call that must succeed (rollerd's log is printed if not). */
void test_daemon_call_ok(TestDaemon *td, const char *path, const char *iface,
			 const char *method, GVariant *args);

/* Peer.Ping of rollerd; fails the test (with rollerd's log) if it does not answer. */
void test_daemon_assert_alive(TestDaemon *td);
/*
 * Asserts that @error (of a call @what, for the failure message) is
 * org.rollerd.Error.@name, and that its message is a sentence for a
 * person (capitalised, several words, one line) naming @mentions.
 */
void test_daemon_assert_error(const GError *error, const char *name, const char *mentions,
			      const char *what);

/* The first roller's signals, counted. */
typedef struct {
	guint live_updates;
	guint strokes;
	guint alerts;
	guint sync_finished;
	guint last_stored;	/* of the last SyncFinished */
	guint frames_lost;	/* of the last LiveUpdate */
} TestRollerSignals;

/*
 * Counts the first roller's signals into @s; returns the subscription.
 * Watches the roller (Roller2.WatchLive) on the test's connection, for
 * LiveUpdate and Stroke; the watch lasts as long as that connection or
 * rollerd, whatever is unsubscribed.
 */
guint test_daemon_subscribe(TestDaemon *td, TestRollerSignals *s);
void test_daemon_unsubscribe(TestDaemon *td, guint id);
/* Roller2.Sync, then waits for its SyncFinished. */
void test_daemon_sync_and_wait(TestDaemon *td, TestRollerSignals *s, guint timeout_ms);
/*
 * StartSession(@area) on the first roller; returns once the session has
 * ended by itself (the roller's --session-seconds) and rollerd stored it.
 */
void test_daemon_roll_session(TestDaemon *td, const char *area, guint timeout_ms);

/* Manager1.QuerySessions with @filter_text (a GVariant text, "{}" for all). */
GVariant *test_daemon_query(TestDaemon *td, const char *filter_text);

/*
 * The records roller-sim stored for the roller at @address, from its
 * ground truth, each as one normalized line: the canonical dump's fields
 * but start and end, then its coverage line ("id=.. duration=.. area=..
 * needle=.. rolls=.. mean=.. max=.. inband=.. dirs=a,b,c,d | coverage CxR
 * p0 p1 ..."); GPtrArray of char *, oldest first.
 */
GPtrArray *test_daemon_truth_records(TestDaemon *td, const char *address);

/* The history holds exactly the @truth records (@expect of them), each once. */
void test_daemon_assert_history_is(TestDaemon *td, GPtrArray *truth, guint expect);
/*
 * Waits until the first roller is connected and a sync by this rollerd
 * completed, leaving the roller empty; fails with rollerd's log if not.
 */
void test_daemon_wait_synced(TestDaemon *td, guint timeout_ms);

/* A stored session (GetSession then its properties), as such a line. */
char *test_daemon_session_line(TestDaemon *td, guint64 id);

/* Every stored session of the history, as such lines, by record id. */
GPtrArray *test_daemon_history_lines(TestDaemon *td);

/* The same for the sessions of the roller at @address. */
GPtrArray *test_daemon_roller_history_lines(TestDaemon *td, const char *address);

/* How often @text is in @who's log so far ("rollerd" or "roller-sim"). */
guint test_daemon_log_count(TestDaemon *td, const char *who, const char *text);
/* Waits until @text is there more than @before times. */
gboolean test_daemon_wait_log(TestDaemon *td, const char *who, const char *text,
			      guint before, guint timeout_ms);
