/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Three rooms on one broker: three rollerd + roller-sim + bridge sets,
 * each on a private bus of its own.  One subscriber sees every room's
 * roller, live values equal to each sim's ground truth, and each stored
 * session of each room once.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/mqtt/mqtt-assert.h"

#define ROLLER2 "org.rollerd.Roller2"
#define ROOMS 3
#define WAIT_MS 30000

typedef struct {
	TestDaemon *td[ROOMS];
	GPid bridge[ROOMS];
	MqttBroker *broker;
	MqttSub *sub;
} Rooms;

static int
teardown(void **state)
{
	Rooms *r = *state;
	int ret = 0;

	if (!r)
		return 0;
	for (guint i = 0; i < ROOMS; i++)
		if (r->bridge[i] && !test_bus_stop_ok(r->td[i]->bus, r->bridge[i]))
			ret = -1;
	mqtt_sub_free(r->sub);
	mqtt_broker_free(r->broker);
	for (guint i = 0; i < ROOMS; i++)
		if (r->td[i] && test_daemon_free(r->td[i]) != 0)
			ret = -1;
	g_free(r);
	return ret;
}

static char *
address_of(guint room)
{
	return g_strdup_printf("C0:52:4C:00:%02X:01", room + 1);
}

/* roller-sim names its serial after the address's last three bytes. */
static char *
topic_of(guint room, const char *leaf)
{
	return g_strdup_printf("rollerd/room-%c/roller/RL00%02X01/%s", 'a' + room, room + 1,
			       leaf);
}

static void
test_three_rooms(void **state)
{
	Rooms *r = *state = g_new0(Rooms, 1);

	for (guint i = 0; i < ROOMS; i++) {
		g_autofree char *address = address_of(i);
		g_autofree char *arg = g_strdup_printf("--address=%s", address);
		const char *sim_args[] = { "--speed=10", "--session-seconds=3", "--stored=2", arg,
					   NULL };

		r->td[i] = test_daemon_new(sim_args);
		test_daemon_start_rollerd(r->td[i], NULL);
	}
	r->broker = mqtt_broker_new(r->td[0]->bus, NULL);
	r->sub = mqtt_sub_new(r->broker, "rollerd/#", NULL, NULL);
	for (guint i = 0; i < ROOMS; i++) {
		g_autofree char *room = g_strdup_printf("room-%c", 'a' + i);
		g_autofree char *status = g_strdup_printf("rollerd/%s/status", room);
		g_autofree char *conf = mqtt_bridge_config(r->td[i]->bus, r->broker, "rollerd-mqtt",
							   room, NULL);

		r->bridge[i] = mqtt_bridge_start(r->td[i]->bus, "rollerd-mqtt", conf);
		assert_true(mqtt_sub_wait_last(r->sub, status, "online", WAIT_MS));
	}
	for (guint i = 0; i < ROOMS; i++) {
		test_daemon_discover(r->td[i], 1);
		test_daemon_connect(r->td[i]);
	}
	/* A live session in every room at once. */
	for (guint i = 0; i < ROOMS; i++)
		test_daemon_call_ok(r->td[i], r->td[i]->roller_path, ROLLER2, "StartSession",
				    g_variant_new("(s)", "thighs"));
	for (guint i = 0; i < ROOMS; i++) {
		g_autofree char *session = topic_of(i, "session");

		assert_true(test_daemon_wait_property(r->td[i], r->td[i]->roller_path, ROLLER2,
						      "Session", "'/'", WAIT_MS));
		if (!mqtt_sub_wait_count(r->sub, session, 3, WAIT_MS)) {
			test_bus_dump_log(r->td[i]->bus, "rollerd-mqtt");
			fail_msg("room %u: %u summaries of 3", i, mqtt_sub_count(r->sub, session));
		}
	}
	test_bus_run_for(1500);
	for (guint i = 0; i < ROOMS; i++) {
		g_autofree char *address = address_of(i);
		g_autofree char *session = topic_of(i, "session");
		g_autofree char *live = topic_of(i, "live");
		g_autoptr(GPtrArray) truth = test_daemon_truth_records(r->td[i], address);

		mqtt_assert_sessions_once(r->sub, r->td[i], address, session, 3);
		assert_true(mqtt_wait_live_strokes(r->sub, live,
						   mqtt_truth_field(mqtt_truth_record(truth, 3),
								    "rolls"), WAIT_MS));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_three_rooms, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
