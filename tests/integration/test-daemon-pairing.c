/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A roller that requires an encrypted link (roller-sim
 * --require-encryption): rollerd's agent makes bluetoothd's own pairing
 * bond, or rollerd pairs with Device1.Pair when bluetoothd cannot; a
 * bonded roller reconnects without pairing again; Forget removes the
 * bond; a refused pairing is org.rollerd.Error.PairingFailed and is
 * retried with the reconnection backoff; a plain roller never pairs.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/harness/test-daemon-util.h"

#define ROLLER2 "org.rollerd.Roller2"
#define ADDRESS "C0:52:4C:00:00:01"
#define WAIT_MS 20000

static int
teardown(void **state)
{
	return test_daemon_free(*state);
}

/* Sim1.Pairings: Device1.Pair calls and pairings completed. */
static void
pairings(TestDaemon *td, guint *pair_calls, guint *completed)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = test_daemon_sim_call(td, "Pairings",
						       g_variant_new("(s)", ADDRESS), &error);

	if (!ret)
		fail_msg("Pairings: %s", error->message);
	g_variant_get(ret, "(uu)", pair_calls, completed);
}

/* rollerd started, the roller found, connected, paired and bonded. */
static void
connect_bonded(TestDaemon *td)
{
	test_daemon_start_rollerd(td, NULL);
	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Paired",
					      "true", WAIT_MS));
	assert_true(test_daemon_wait_property(td, td->roller_path, ROLLER2, "Bonded",
					      "true", WAIT_MS));
}

/*
 * bluetoothd pairs by itself on the roller's Insufficient Encryption; the
 * bond is made because rollerd's agent is registered; the stored
 * sessions sync; a reconnection is encrypted without another pairing.
 */
static void
test_pairs_bonds_syncs_and_reconnects_without_pairing(void **state)
{
	const char *sim_args[] = { "--require-encryption", "--stored=2", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	guint pair_calls, completed;

	connect_bonded(td);
	test_daemon_wait_synced(td, 30000);
	pairings(td, &pair_calls, &completed);
	assert_int_equal(completed, 1);

	test_daemon_drop_link_and_reconnect(td, ADDRESS, WAIT_MS);
	pairings(td, &pair_calls, &completed);
	assert_int_equal(pair_calls, 0);
	assert_int_equal(completed, 1);
}

/* When bluetoothd reports "Not paired", rollerd calls Pair, once. */
static void
test_pairs_with_device_pair_when_bluez_does_not(void **state)
{
	const char *sim_args[] = { "--require-encryption", "--fault-no-security-raise", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	guint pair_calls, completed;

	connect_bonded(td);
	test_daemon_drop_link_and_reconnect(td, ADDRESS, WAIT_MS);
	pairings(td, &pair_calls, &completed);
	assert_int_equal(pair_calls, 1);
	assert_int_equal(completed, 1);
}

/* Forget removes the device and its bond from BlueZ. */
static void
test_forget_removes_the_bond(void **state)
{
	const char *sim_args[] = { "--require-encryption", NULL };
	TestDaemon *td = *state = test_daemon_new(sim_args);
	guint pair_calls, completed;

	connect_bonded(td);
	test_daemon_call_ok(td, td->roller_path, ROLLER2, "Forget", NULL);
	/* The mock's device is gone, and its pairing with it. */
	for (guint i = 0; i < 100; i++) {
		pairings(td, &pair_calls, &completed);
		if (completed == 0)
			break;
		g_usleep(100000);
	}
	assert_int_equal(completed, 0);
}

/*
 * A refused pairing fails Connect with PairingFailed, then the roller is
 * retried with the backoff (1, 2, 4 s): a handful of Pair calls in 8 s.
 */
static void
check_pairing_fails(const char *fault, guint max_calls)
{
	const char *sim_args[] = { "--require-encryption", "--fault-no-security-raise",
				   fault, "--speed=30", NULL };
	TestDaemon *td = test_daemon_new(sim_args);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = NULL;
	guint pair_calls, completed;

	test_daemon_start_rollerd(td, NULL);
	test_daemon_discover(td, 1);
	ret = test_daemon_call(td, td->roller_path, ROLLER2, "Connect", NULL, &error);
	assert_null(ret);
	test_daemon_assert_error(error, "PairingFailed", "Authentication", "Connect");
	g_usleep(8 * G_USEC_PER_SEC);
	pairings(td, &pair_calls, &completed);
	if (pair_calls < 2 || pair_calls > max_calls)
		fail_msg("%u Pair calls in 8 s", pair_calls);
	assert_int_equal(completed, 0);
	test_daemon_assert_alive(td);
	assert_int_equal(test_daemon_free(td), 0);
}

static void
test_refused_pairing_is_an_error_and_backs_off(void **state)
{
	check_pairing_fails("--fault-refuse-pairing", 5);
}

/* SMP's 30 s at --speed=30: one second a try, plus the backoff. */
static void
test_pairing_timeout_is_an_error_and_backs_off(void **state)
{
	check_pairing_fails("--fault-pairing-timeout", 4);
}

static void
test_plain_roller_never_pairs(void **state)
{
	TestDaemon *td = *state = test_daemon_new(NULL);
	guint pair_calls, completed;
	g_autoptr(GVariant) paired = NULL;

	test_daemon_start_rollerd(td, NULL);
	test_daemon_discover(td, 1);
	test_daemon_connect(td);
	test_daemon_drop_link_and_reconnect(td, ADDRESS, WAIT_MS);
	pairings(td, &pair_calls, &completed);
	assert_int_equal(pair_calls, 0);
	assert_int_equal(completed, 0);
	paired = test_daemon_get(td, td->roller_path, ROLLER2, "Paired");
	assert_false(g_variant_get_boolean(paired));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_pairs_bonds_syncs_and_reconnects_without_pairing,
					  teardown),
		cmocka_unit_test_teardown(test_pairs_with_device_pair_when_bluez_does_not,
					  teardown),
		cmocka_unit_test_teardown(test_forget_removes_the_bond, teardown),
		cmocka_unit_test(test_refused_pairing_is_an_error_and_backs_off),
		cmocka_unit_test(test_pairing_timeout_is_an_error_and_backs_off),
		cmocka_unit_test_teardown(test_plain_roller_never_pairs, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
