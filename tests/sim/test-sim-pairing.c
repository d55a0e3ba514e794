/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * roller-sim --mock-bluez --require-encryption (sim-mock-pairing,
 * sim-mock-agents) driven as a central would, each answer the one
 * bluetoothd 5.66 gives in its source (docs/testing.md, "What the mock
 * models of pairing"): bluetoothd's own pairing on an unencrypted access,
 * bonding only with an agent, Device1.Pair and CancelPairing,
 * Adapter1.RemoveDevice, and the agent calls the mock makes.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim-central.h"

#define ADDRESS "C0:52:4C:00:00:01"
#define AGENT_PATH "/org/rollerd/test/agent"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(BluezAgentManager1, g_object_unref)

/* An org.bluez.Agent1 of the test's connection: the calls it got. */
typedef struct {
	Harness *h;
	guint id;
	GPtrArray *calls;
} Agent;

static void
agent_method_call(GDBusConnection *connection, const char *sender, const char *path,
		  const char *interface, const char *method, GVariant *params,
		  GDBusMethodInvocation *invocation, gpointer user_data)
{
	Agent *agent = user_data;

	g_ptr_array_add(agent->calls, g_strdup(method));
	/* Release is sent without wanting a reply. */
	if (!(g_dbus_message_get_flags(g_dbus_method_invocation_get_message(invocation)) &
	      G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED))
		g_dbus_method_invocation_return_value(invocation, NULL);
	else
		g_object_unref(invocation);
}

static const GDBusInterfaceVTable agent_vtable = { .method_call = agent_method_call };

static void
agent_destroy(gpointer data)
{
	Agent *agent = data;

	g_ptr_array_unref(agent->calls);
	g_free(agent);
}

/* Registered with AgentManager1; kept by the connection until unregistered,
 * so that a call after a failed test finds it. */
static Agent *
agent_register(Harness *h)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(BluezAgentManager1) manager =
		bluez_agent_manager1_proxy_new_sync(h->connection, G_DBUS_PROXY_FLAGS_NONE,
						    "org.bluez", "/org/bluez", NULL, &error);
	Agent *agent = g_new0(Agent, 1);

	agent->h = h;
	agent->calls = g_ptr_array_new_with_free_func(g_free);
	agent->id = g_dbus_connection_register_object(h->connection, AGENT_PATH,
						      bluez_agent1_interface_info(),
						      &agent_vtable, agent, agent_destroy, &error);
	assert_true(agent->id);
	assert_non_null(manager);
	if (!bluez_agent_manager1_call_register_agent_sync(manager, AGENT_PATH,
							   "NoInputNoOutput", NULL, &error))
		fail_msg("RegisterAgent: %s", error->message);
	return agent;
}

static void
agent_unregister(Agent *agent)
{
	g_dbus_connection_unregister_object(agent->h->connection, agent->id);
}

/* Sim1.Pairings: Device1.Pair calls, pairings completed. */
static void
pairings(Harness *h, guint *pair_calls, guint *completed)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret =
		g_dbus_connection_call_sync(h->connection, "org.bluez", "/org/rollerd/sim",
					    "org.rollerd.Sim1", "Pairings",
					    g_variant_new("(s)", ADDRESS), G_VARIANT_TYPE("(uu)"),
					    G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);

	if (!ret)
		fail_msg("Pairings: %s", error->message);
	g_variant_get(ret, "(uu)", pair_calls, completed);
}

static void
assert_pairings(Harness *h, guint pair_calls, guint completed)
{
	guint calls, done;

	pairings(h, &calls, &done);
	assert_int_equal(calls, pair_calls);
	assert_int_equal(done, completed);
}

static void
set_fault(Harness *h, const char *name, gboolean on)
{
	g_autoptr(GError) error = NULL;

	if (!harness_sim_call(h, "SetFault", g_variant_new("(sv)", name,
							   g_variant_new_boolean(on)), &error))
		fail_msg("SetFault %s: %s", name, error->message);
}

static gboolean
is_true(Harness *h, gpointer flag)
{
	return *(gboolean *)flag;
}

static gboolean
device_gone(Harness *h, gpointer unused)
{
	g_autoptr(BluezDevice1) device = harness_device(h, ADDRESS);

	return device == NULL;
}

/* The proxy's cache follows after the main context ran. */
static gboolean
is_bonded(Harness *h, gpointer device)
{
	return bluez_device1_get_bonded(device);
}

static void
disconnect(Harness *h, BluezDevice1 *device)
{
	g_autoptr(GError) error = NULL;

	if (!bluez_device1_call_disconnect_sync(device, NULL, &error))
		fail_msg("Disconnect: %s", error->message);
	harness_wait(h, harness_is_disconnected, device, 5000, "Connected false");
}

static void
assert_not_paired(BluezGattCharacteristic1 *chr)
{
	g_autoptr(GError) error = NULL;

	assert_null(central_read(chr, 0, &error));
	assert_non_null(error);
	assert_string_equal(error->message,
			    "GDBus.Error:org.bluez.Error.NotPermitted: Not paired");
	harness_assert_error(&error, "org.bluez.Error.NotPermitted");
}

/* Connects a roller whose security bluetoothd cannot raise, or which
 * refuses to pair: its Roller Info, which cannot be read. */
static BluezGattCharacteristic1 *
connect_not_paired(Harness *h, BluezDevice1 *device)
{
	BluezGattCharacteristic1 *info;

	central_connect(h, device);
	info = central_find_char(h, device, ROLLER_UUID_ROLLER_INFO);
	assert_not_paired(info);
	return info;
}

/* CancelPairing with no Pair under way: DoesNotExist, and the kernel
 * unpairs, which ends the link (btd_adapter_remove_bonding(), with
 * disconnect). */
static void
cancel_nothing(Harness *h, BluezDevice1 *device)
{
	g_autoptr(GError) error = NULL;

	bluez_device1_call_cancel_pairing_sync(device, NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.DoesNotExist");
	harness_wait(h, harness_is_disconnected, device, 5000, "the link to end");
}

/* A Device1 call answered later: its error name, NULL when it succeeded. */
typedef struct {
	gboolean done;
	char *error;
} Reply;

static void
on_pair_reply(GObject *source, GAsyncResult *res, gpointer data)
{
	Reply *reply = data;
	g_autoptr(GError) error = NULL;

	if (!bluez_device1_call_pair_finish(BLUEZ_DEVICE1(source), res, &error))
		reply->error = harness_error_name(error);
	reply->done = TRUE;
}

static void
pair_start(BluezDevice1 *device, Reply *reply)
{
	memset(reply, 0, sizeof(*reply));
	bluez_device1_call_pair(device, NULL, on_pair_reply, reply);
}

static void
pair_wait(Harness *h, Reply *reply, const char *error_name)
{
	harness_wait(h, is_true, &reply->done, 5000, "the Pair reply");
	assert_string_equal(reply->error ? reply->error : "", error_name ? error_name : "");
	g_free(reply->error);
}

/* An unencrypted access: bluetoothd pairs by itself, asking no agent,
 * and bonds only while an agent is registered; a bond encrypts the next
 * links at once.  RemoveDevice takes the bond with the device; the one
 * agent call is Release when bluetoothd exits. */
static void
test_access_pairs_and_bonds_with_an_agent(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(BluezAdapter1) adapter = harness_adapter(h);
	g_autoptr(GBytes) value = NULL;
	Agent *agent;
	Central c;

	/* No agent: paired (the StartNotify on the Control Point), no bond. */
	central_open(&c, h, ADDRESS);
	assert_true(bluez_device1_get_paired(c.device));
	assert_false(bluez_device1_get_bonded(c.device));
	assert_pairings(h, 0, 1);
	value = central_read_ok(c.info, 0);

	/* Paired without a bond: the next link has no keys and pairs again,
	 * bonding now that an agent is there, which is not asked. */
	agent = agent_register(h);
	disconnect(h, c.device);
	central_connect(h, c.device);
	g_clear_pointer(&value, g_bytes_unref);
	value = central_read_ok(c.info, 0);
	assert_pairings(h, 0, 2);
	harness_wait(h, is_bonded, c.device, 2000, "Bonded");

	/* Bonded: encrypted at connection, no pairing again. */
	disconnect(h, c.device);
	central_connect(h, c.device);
	g_clear_pointer(&value, g_bytes_unref);
	value = central_read_ok(c.info, 0);
	assert_pairings(h, 0, 2);
	assert_int_equal(agent->calls->len, 0);

	/* RemoveDevice: the device goes with its bond; found again, it is
	 * a new device that pairs again. */
	if (!bluez_adapter1_call_remove_device_sync(adapter,
						    g_dbus_proxy_get_object_path(G_DBUS_PROXY(c.device)),
						    NULL, &error))
		fail_msg("RemoveDevice: %s", error->message);
	central_close(&c);
	harness_wait(h, device_gone, NULL, 2000, "the device to go");
	central_open(&c, h, ADDRESS);
	assert_true(bluez_device1_get_bonded(c.device));
	assert_pairings(h, 0, 1);
	assert_int_equal(agent->calls->len, 0);
	central_close(&c);

	/* bluetoothd's clean exit releases the agents (agent_cleanup()). */
	harness_stop_sim(h);
	harness_sleep(h, 300);
	assert_int_equal(agent->calls->len, 1);
	assert_string_equal(g_ptr_array_index(agent->calls, 0), "Release");
	agent_unregister(agent);
}

/* Bluetoothd cannot raise the security (--fault-no-security-raise): the
 * access fails "Not paired", and Device1.Pair pairs. */
static void
test_pair_and_cancel(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(BluezDevice1) device = central_discover(h, ADDRESS);
	g_autoptr(BluezGattCharacteristic1) info = NULL;
	g_autoptr(GBytes) value = NULL;
	Agent *agent;
	Reply first, second;

	info = connect_not_paired(h, device);
	assert_pairings(h, 0, 0);

	/* Nothing under way: the link ends, and nothing was paired. */
	cancel_nothing(h, device);
	central_connect(h, device);

	/* A roller slow to answer keeps the pairings under way. */
	set_fault(h, "pairing-timeout", TRUE);
	agent = agent_register(h);

	/* Cancelled: Pair fails AuthenticationCanceled, nothing paired. */
	pair_start(device, &first);
	assert_true(bluez_device1_call_cancel_pairing_sync(device, NULL, &error));
	pair_wait(h, &first, "org.bluez.Error.AuthenticationCanceled");
	assert_false(bluez_device1_get_paired(device));
	assert_true(bluez_device1_get_connected(device));

	/* A second Pair while one is under way: InProgress. */
	pair_start(device, &first);
	pair_start(device, &second);
	pair_wait(h, &second, "org.bluez.Error.InProgress");
	assert_false(first.done);
	/* Faults are read when a pairing starts: start again, answered. */
	assert_true(bluez_device1_call_cancel_pairing_sync(device, NULL, &error));
	pair_wait(h, &first, "org.bluez.Error.AuthenticationCanceled");
	set_fault(h, "pairing-timeout", FALSE);
	pair_start(device, &first);
	pair_wait(h, &first, NULL);
	assert_pairings(h, 4, 1);
	assert_true(bluez_device1_get_paired(device));
	assert_true(bluez_device1_get_bonded(device));
	value = central_read_ok(info, 0);

	/* Bonded: AlreadyExists (5.79 and later; 5.66 tries BR/EDR for an
	 * LE bond and answers only when that fails, so rollerd never pairs
	 * a paired roller). */
	bluez_device1_call_pair_sync(device, NULL, &error);
	harness_assert_error(&error, "org.bluez.Error.AlreadyExists");

	/* CancelPairing of a bonded device with no Pair under way: the
	 * kernel forgets the keys, bluetoothd does not hear of it (still
	 * Bonded), and the next link pairs again at once. */
	cancel_nothing(h, device);
	assert_true(bluez_device1_get_bonded(device));
	central_connect(h, device);
	g_clear_pointer(&value, g_bytes_unref);
	value = central_read_ok(info, 0);
	assert_pairings(h, 5, 2);
	assert_int_equal(agent->calls->len, 0);
	agent_unregister(agent);
}

/* The roller refuses (--fault-refuse-pairing): bluetoothd's own pairing
 * leaves the access "Not paired", Pair fails AuthenticationFailed. */
static void
test_refused_pairing(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(BluezDevice1) device = central_discover(h, ADDRESS);
	g_autoptr(BluezGattCharacteristic1) info = NULL;

	info = connect_not_paired(h, device);
	bluez_device1_call_pair_sync(device, NULL, &error);
	assert_non_null(error);
	assert_string_equal(error->message,
			    "GDBus.Error:org.bluez.Error.AuthenticationFailed: "
			    "Authentication Failed");
	harness_assert_error(&error, "org.bluez.Error.AuthenticationFailed");
	assert_false(bluez_device1_get_paired(device));
	assert_true(bluez_device1_get_connected(device));
	assert_pairings(h, 1, 0);
}

/* The roller never answers (--fault-pairing-timeout): after SMP's 30 s
 * the kernel ends the link and Pair fails AuthenticationFailed. */
static void
test_pairing_timeout(void **state)
{
	Harness *h = *state;
	g_autoptr(BluezDevice1) device = central_discover(h, ADDRESS);
	Reply reply;

	central_connect(h, device);
	pair_start(device, &reply);
	/* 30 simulated seconds at --speed=20: 1.5 s. */
	harness_sleep(h, 1000);
	assert_false(reply.done);
	assert_true(bluez_device1_get_connected(device));
	pair_wait(h, &reply, "org.bluez.Error.AuthenticationFailed");
	harness_wait(h, harness_is_disconnected, device, 3000, "the link to end");
	assert_false(bluez_device1_get_paired(device));
}

/* AcquireWrite and write commands send no ATT request, so bluetoothd
 * raises no security for them (src/gatt-client.c). */
static void
test_no_att_request_no_pairing(void **state)
{
	Harness *h = *state;
	g_autoptr(GError) error = NULL;
	g_autoptr(BluezDevice1) device = central_discover(h, ADDRESS);
	g_autoptr(BluezGattCharacteristic1) cp = NULL;
	static const guint8 report_number[] = { 0x05, 0x00 };
	g_autoptr(GVariant) fd = NULL;
	guint16 mtu = 0;

	central_connect(h, device);
	cp = central_find_char(h, device, ROLLER_UUID_CONTROL_POINT);
	bluez_gatt_characteristic1_call_acquire_write_sync(cp, central_options(0, NULL), NULL,
							   &fd, &mtu, NULL, NULL,
							   &error);
	harness_assert_error(&error, "org.bluez.Error.NotSupported");
	assert_true(central_write(cp, report_number, sizeof(report_number), "command",
				  &error));
	assert_pairings(h, 0, 0);
	assert_false(bluez_device1_get_paired(device));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SIM_TEST(test_access_pairs_and_bonds_with_an_agent, "--speed=20",
			 "--require-encryption"),
		SIM_TEST(test_pair_and_cancel, "--speed=20", "--require-encryption",
			 "--fault-no-security-raise"),
		SIM_TEST(test_refused_pairing, "--speed=20", "--require-encryption",
			 "--fault-refuse-pairing"),
		SIM_TEST(test_pairing_timeout, "--speed=20", "--require-encryption",
			 "--fault-pairing-timeout"),
		SIM_TEST(test_no_att_request_no_pairing, "--speed=20", "--require-encryption"),
	};

	return cmocka_run_group_tests_name("roller-sim mock pairing", tests, NULL, NULL);
}
