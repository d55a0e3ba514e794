/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bridge over TLS, with a CA the test makes, and a password file:
 * the right password publishes; a wrong one is a clear error in the log,
 * retried with backoff, and the bridge keeps serving D-Bus meanwhile.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib/gstdio.h>

#include "tests/mqtt/mqtt-assert.h"

#define WAIT_MS 20000


static int
teardown(void **state)
{
	return mqtt_fixture_free(*state);
}

static char *
bridge_config(MqttFixture *f, const char *name, const char *password)
{
	g_autofree char *pw = g_strdup_printf("%s/%s.pw", test_bus_get_dir(f->td->bus), name);
	g_autofree char *extra = g_strdup_printf("[Broker]\nUsername=bridge\nPasswordFile=%s\n",
						 pw);
	g_autofree char *text = g_strdup_printf("%s\n", password);

	assert_true(g_file_set_contents(pw, text, -1, NULL));
	g_chmod(pw, 0600);
	return mqtt_bridge_config(f->td->bus, f->broker, name, "room1", extra);
}

static void
test_tls_and_passwords(void **state)
{
	const char *sim_args[] = { "--speed=10", "--stored=2", NULL };
	MqttBrokerOptions opt = { TRUE, "bridge", "right horse battery" };
	MqttFixture *f = *state = g_new0(MqttFixture, 1);
	g_autofree char *good = NULL, *bad = NULL;
	GPid wrong;

	f->td = test_daemon_new(sim_args);
	test_daemon_start_rollerd(f->td, NULL);
	f->broker = mqtt_broker_new(f->td->bus, &opt);
	f->sub = mqtt_sub_new(f->broker, "rollerd/#", "bridge", "right horse battery");

	/* A wrong password: refused, said so once, retried; nothing published. */
	bad = bridge_config(f, "wrong", "wrong horse");
	wrong = mqtt_bridge_start(f->td->bus, "wrong", bad);
	if (!test_daemon_wait_log(f->td, "wrong", "the broker refused the connection: "
				  "Connection Refused: not authorised", 0, WAIT_MS)) {
		test_bus_dump_log(f->td->bus, "wrong");
		fail_msg("no clear error for a wrong password");
	}
	test_bus_run_for(2500);
	assert_int_equal(test_daemon_log_count(f->td, "wrong", "not authorised"), 1);
	assert_int_equal(mqtt_sub_count(f->sub, "rollerd/room1/status"), 0);
	assert_true(test_bus_stop_ok(f->td->bus, wrong));

	good = bridge_config(f, "rollerd-mqtt", "right horse battery");
	f->bridge = mqtt_bridge_start(f->td->bus, "rollerd-mqtt", good);
	assert_true(mqtt_sub_wait_last(f->sub, "rollerd/room1/status", "online", WAIT_MS));
	test_daemon_discover(f->td, 1);
	test_daemon_connect(f->td);
	assert_true(mqtt_sub_wait_count(f->sub, "rollerd/room1/roller/RL000001/session", 2,
					WAIT_MS));
	test_bus_run_for(500);
	mqtt_assert_sessions_once(f->sub, f->td, "C0:52:4C:00:00:01",
				  "rollerd/room1/roller/RL000001/session", 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_tls_and_passwords, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
