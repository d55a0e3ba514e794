/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RdBusPeers on a private bus: holds counted per caller, a caller that
 * leaves the bus loses them all and is reported once, a caller gone
 * before it was added is reported too.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/rd-bus-peers.h"
#include "tests/harness/test-bus.h"

typedef struct {
	TestBus *bus;
	GPtrArray *left;
} Fixture;

static void
on_left(const char *name, gpointer user_data)
{
	Fixture *f = user_data;

	g_ptr_array_add(f->left, g_strdup(name));
}

static int
setup(void **state)
{
	Fixture *f = g_new0(Fixture, 1);

	f->bus = test_bus_new();
	f->left = g_ptr_array_new_with_free_func(g_free);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	Fixture *f = *state;

	g_ptr_array_unref(f->left);
	test_bus_free(f->bus);
	g_free(f);
	return 0;
}

static gboolean
one_left(gpointer user_data)
{
	Fixture *f = user_data;

	return f->left->len > 0;
}

static void
test_counts_and_leaving(void **state)
{
	Fixture *f = *state;
	g_autoptr(RdBusPeers) peers = rd_bus_peers_new(test_bus_get_connection(f->bus), on_left, f);
	g_autoptr(GDBusConnection) a = test_bus_new_client(f->bus);
	g_autoptr(GDBusConnection) b = test_bus_new_client(f->bus);
	g_autofree char *a_name = g_strdup(g_dbus_connection_get_unique_name(a));
	const char *b_name = g_dbus_connection_get_unique_name(b);

	assert_int_equal(rd_bus_peers_add(peers, a_name), 1);
	assert_int_equal(rd_bus_peers_add(peers, a_name), 2);
	assert_int_equal(rd_bus_peers_add(peers, b_name), 1);
	assert_int_equal(rd_bus_peers_count(peers), 2);
	assert_true(rd_bus_peers_remove(peers, b_name));
	assert_false(rd_bus_peers_remove(peers, b_name));
	assert_int_equal(rd_bus_peers_get(peers, b_name), 0);
	assert_int_equal(rd_bus_peers_count(peers), 1);

	/* A leaves holding two: one report, nothing held. */
	g_dbus_connection_close_sync(a, NULL, NULL);
	assert_true(test_bus_wait_until(one_left, f, 10000));
	test_bus_run_for(200);
	assert_int_equal(f->left->len, 1);
	assert_string_equal(f->left->pdata[0], a_name);
	assert_int_equal(rd_bus_peers_get(peers, a_name), 0);
	assert_int_equal(rd_bus_peers_count(peers), 0);

	/* B left nothing held: nothing reported when it goes. */
	g_dbus_connection_close_sync(b, NULL, NULL);
	test_bus_run_for(300);
	assert_int_equal(f->left->len, 1);
}

/* Added after it left (its call was on the way): reported all the same. */
static void
test_gone_before_added(void **state)
{
	Fixture *f = *state;
	g_autoptr(RdBusPeers) peers = rd_bus_peers_new(test_bus_get_connection(f->bus), on_left, f);
	g_autoptr(GDBusConnection) a = test_bus_new_client(f->bus);
	g_autofree char *a_name = g_strdup(g_dbus_connection_get_unique_name(a));

	g_dbus_connection_close_sync(a, NULL, NULL);
	test_bus_run_for(200);
	rd_bus_peers_add(peers, a_name);
	assert_true(test_bus_wait_until(one_left, f, 10000));
	assert_int_equal(rd_bus_peers_count(peers), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts_and_leaving, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_before_added, setup, teardown),
	};

	return cmocka_run_group_tests_name("rd-bus-peers", tests, NULL, NULL);
}
