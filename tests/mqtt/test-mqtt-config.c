/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rm-config: defaults, every key read, and each bad value named. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib/gstdio.h>

#include "common/rd-error.h"
#include "mqtt/rm-config.h"

static char *
write_conf(const char *name, const char *text)
{
	g_autofree char *dir = g_dir_make_tmp("rm-config-XXXXXX", NULL);
	char *path = g_build_filename(dir, name, NULL);

	assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

static void
remove_conf(const char *path)
{
	g_autofree char *dir = g_path_get_dirname(path);

	g_unlink(path);
	g_rmdir(dir);
}

static void
test_defaults(void **state)
{
	g_autoptr(RmConfig) cfg = rm_config_load(NULL, NULL);
	char host[256] = "";

	(void)state;
	gethostname(host, sizeof(host) - 1);
	assert_string_equal(cfg->host, "localhost");
	assert_int_equal(cfg->port, 1883);
	assert_string_equal(cfg->prefix, "rollerd");
	assert_string_equal(cfg->room, host);
	assert_string_equal(cfg->discovery_prefix, "homeassistant");
	assert_true(cfg->discovery);
	assert_int_equal(cfg->commands, RM_COMMAND_SYNC | RM_COMMAND_IDENTIFY);
	assert_null(cfg->username);
	assert_null(cfg->password);
	assert_null(cfg->state_dir);
}

static void
test_every_key(void **state)
{
	g_autofree char *pw = write_conf("pw", "s3cret\n");
	int chmod_rc = g_chmod(pw, 0600);
	g_autofree char *text = g_strdup_printf(
		"[Broker]\nHost=broker.example\nPort=8883\nClientId=room-7\nUsername=bridge\n"
		"PasswordFile=%s\nCAFile=/ca.crt\nCertFile=/c.crt\nKeyFile=/c.key\n"
		"KeepAlive=60\nReconnectMin=0.5\nReconnectMax=30\nConnectTimeout=3\n"
		"[Topics]\nPrefix=clinic/rollers\nRoom=room-7\nDiscoveryPrefix=ha\n"
		"Discovery=false\n"
		"[Bridge]\nCommands=sync; start;stop\nLiveInterval=0.25\nStateDirectory=/st\n", pw);
	g_autofree char *path = write_conf("mqtt.conf", text);
	g_autoptr(GError) error = NULL;
	g_autoptr(RmConfig) cfg = rm_config_load(path, &error);

	(void)state;
	assert_int_equal(chmod_rc, 0);
	assert_non_null(cfg);
	assert_string_equal(cfg->host, "broker.example");
	assert_false(rm_config_is_loopback(cfg));
	assert_int_equal(cfg->port, 8883);
	assert_string_equal(cfg->client_id, "room-7");
	assert_string_equal(cfg->username, "bridge");
	assert_string_equal(cfg->password, "s3cret");
	assert_string_equal(cfg->ca_file, "/ca.crt");
	assert_string_equal(cfg->cert_file, "/c.crt");
	assert_string_equal(cfg->key_file, "/c.key");
	assert_int_equal(cfg->keepalive_s, 60);
	assert_int_equal(cfg->reconnect_min_ms, 500);
	assert_int_equal(cfg->reconnect_max_ms, 30000);
	assert_int_equal(cfg->connect_timeout_ms, 3000);
	assert_string_equal(cfg->prefix, "clinic/rollers");
	assert_string_equal(cfg->room, "room-7");
	assert_string_equal(cfg->discovery_prefix, "ha");
	assert_false(cfg->discovery);
	assert_int_equal(cfg->commands, RM_COMMAND_SYNC | RM_COMMAND_START | RM_COMMAND_STOP);
	assert_true(cfg->live_max_hz > 3.99 && cfg->live_max_hz < 4.01);
	assert_string_equal(cfg->state_dir, "/st");
	remove_conf(path);
	remove_conf(pw);
}

static void
expect_refused(const char *text, const char *mentions)
{
	g_autofree char *path = write_conf("mqtt.conf", text);
	g_autoptr(GError) error = NULL;
	g_autoptr(RmConfig) cfg = rm_config_load(path, &error);

	assert_null(cfg);
	assert_non_null(error);
	if (!strstr(error->message, mentions) || !strstr(error->message, path))
		fail_msg("\"%s\" should name %s and the file", error->message, mentions);
	remove_conf(path);
}

static void
test_bad_values(void **state)
{
	(void)state;
	expect_refused("[Broker]\nPort=0\n", "Port");
	expect_refused("[Broker]\nPort=http\n", "Port");
	expect_refused("[Broker]\nReconnectMin=5\nReconnectMax=1\n", "ReconnectMax");
	expect_refused("[Broker]\nCertFile=/c\n", "CertFile");
	expect_refused("[Broker]\nUsername=u\nPasswordFile=/nonexistent/pw\n", "PasswordFile");
	expect_refused("[Broker]\nPasswordFile=/x\n", "Username");
	expect_refused("[Topics]\nRoom=a/b\n", "Room");
	expect_refused("[Topics]\nPrefix=a/#\n", "Prefix");
	expect_refused("[Topics]\nDiscovery=maybe\n", "Discovery");
	expect_refused("[Bridge]\nCommands=sync;reboot\n", "reboot");
	expect_refused("[Bridge]\nLiveInterval=0\n", "LiveInterval");
	expect_refused("not a key file", "mqtt.conf");
}

static void
test_empty_password_file(void **state)
{
	g_autofree char *pw = write_conf("pw", "\n");
	g_autofree char *text = g_strdup_printf("[Broker]\nUsername=u\nPasswordFile=%s\n", pw);

	(void)state;
	assert_int_equal(g_chmod(pw, 0600), 0);
	expect_refused(text, "one line");
	remove_conf(pw);
}

/* A password file others can read is refused; the bridge's own group may. */
static void
test_password_file_mode(void **state)
{
	g_autofree char *pw = write_conf("pw", "s3cret\n");
	g_autofree char *text = g_strdup_printf("[Broker]\nUsername=u\nPasswordFile=%s\n", pw);
	g_autofree char *conf = write_conf("mqtt.conf", text);
	g_autoptr(RmConfig) cfg = NULL;

	(void)state;
	assert_int_equal(g_chmod(pw, 0644), 0);
	expect_refused(text, "open to every user");
	assert_int_equal(g_chmod(pw, 0604), 0);
	expect_refused(text, "chmod 0600");
	/* Created by the test: its group is the test's own. */
	assert_int_equal(g_chmod(pw, 0640), 0);
	cfg = rm_config_load(conf, NULL);
	assert_non_null(cfg);
	assert_string_equal(cfg->password, "s3cret");
	remove_conf(conf);
	remove_conf(pw);
}

/* Which hosts the warning about a connection without TLS leaves out. */
static void
test_loopback_hosts(void **state)
{
	const char *local[] = { "localhost", "LOCALHOST", "127.0.0.1", "127.8.9.1", "::1",
				"box.localhost" };
	const char *remote[] = { "broker.example", "192.168.1.10", "::2", "localhost.example" };
	g_autoptr(RmConfig) cfg = rm_config_load(NULL, NULL);

	(void)state;
	for (gsize i = 0; i < G_N_ELEMENTS(local); i++) {
		g_free(cfg->host);
		cfg->host = g_strdup(local[i]);
		assert_true(rm_config_is_loopback(cfg));
	}
	for (gsize i = 0; i < G_N_ELEMENTS(remote); i++) {
		g_free(cfg->host);
		cfg->host = g_strdup(remote[i]);
		assert_false(rm_config_is_loopback(cfg));
	}
}

/* The shipped mqtt.conf, every key commented out, gives the defaults. */
static void
test_shipped_file(void **state)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RmConfig) cfg = rm_config_load(TOP_SRCDIR "/data/mqtt.conf", &error);
	g_autoptr(RmConfig) defaults = rm_config_load(NULL, NULL);
	g_autofree char *text = NULL;

	(void)state;
	assert_non_null(cfg);
	assert_string_equal(cfg->host, defaults->host);
	assert_int_equal(cfg->port, defaults->port);
	assert_string_equal(cfg->room, defaults->room);
	assert_int_equal(cfg->commands, defaults->commands);
	/* Each key the bridge reads is documented there. */
	assert_true(g_file_get_contents(TOP_SRCDIR "/data/mqtt.conf", &text, NULL, NULL));
	for (const char *const *k = (const char *const[]){ "Host", "Port", "ClientId",
		     "Username", "PasswordFile", "CAFile", "CertFile", "KeyFile", "KeepAlive",
		     "ReconnectMin", "ReconnectMax", "ConnectTimeout", "Prefix", "Room",
		     "DiscoveryPrefix", "Discovery", "Commands", "LiveInterval",
		     "StateDirectory", NULL }; *k; k++) {
		g_autofree char *line = g_strdup_printf("\n#%s=", *k);

		if (!strstr(text, line))
			fail_msg("data/mqtt.conf does not document %s", *k);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_empty_password_file),
		cmocka_unit_test(test_password_file_mode),
		cmocka_unit_test(test_loopback_hosts),
		cmocka_unit_test(test_shipped_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
