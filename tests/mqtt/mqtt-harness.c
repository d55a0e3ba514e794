/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include <glib/gstdio.h>
#include <mosquitto.h>

#include "tests/mqtt/mqtt-harness.h"

#define START_MS 10000

struct _MqttBroker {
	TestBus *bus;
	char *dir;
	char *config;
	char *ca;
	guint port;
	GPid pid;
	gboolean tls;
};

struct _MqttSub {
	struct mosquitto *mosq;
	char *pattern;
	GMutex lock;
	GPtrArray *messages;	/* MqttMessage */
	gboolean subscribed;
	gboolean connected;
};

/* A port nothing listens on now (the kernel's choice for an ephemeral bind). */
static guint
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static gboolean
port_open(guint port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	gboolean ok;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static void
run(const char *what, const char *const *argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *err = NULL;
	int status = 0;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH |
			  G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, &error) ||
	    !g_spawn_check_wait_status(status, NULL))
		fail_msg("%s failed: %s %s", what, error ? error->message : "", err ? err : "");
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	g_autofree char *path = g_build_filename(dir, name, NULL);
	g_autoptr(GError) error = NULL;

	if (!g_file_set_contents(path, text, -1, &error))
		fail_msg("%s: %s", path, error->message);
	/* The broker runs as mosquitto when the test runs as root. */
	g_chmod(path, 0644);
}

/* A CA and a server certificate for localhost and 127.0.0.1, valid a day. */
static void
make_certs(MqttBroker *b)
{
	g_autofree char *ca_key = g_build_filename(b->dir, "ca.key", NULL);
	g_autofree char *srv_key = g_build_filename(b->dir, "server.key", NULL);
	g_autofree char *srv_csr = g_build_filename(b->dir, "server.csr", NULL);
	g_autofree char *srv_crt = g_build_filename(b->dir, "server.crt", NULL);
	g_autofree char *ext = g_build_filename(b->dir, "san.ext", NULL);
	const char *ca_argv[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
				  "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", ca_key,
				  "-out", b->ca, "-days", "1", "-subj", "/CN=rollerd test CA",
				  NULL };
	const char *csr_argv[] = { "openssl", "req", "-newkey", "ec", "-pkeyopt",
				   "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", srv_key,
				   "-out", srv_csr, "-subj", "/CN=localhost", NULL };
	const char *sign_argv[] = { "openssl", "x509", "-req", "-in", srv_csr, "-CA", b->ca,
				    "-CAkey", ca_key, "-CAcreateserial", "-out", srv_crt,
				    "-days", "1", "-extfile", ext, NULL };

	write_file(b->dir, "san.ext", "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
	run("openssl (CA)", ca_argv);
	run("openssl (server key)", csr_argv);
	run("openssl (server certificate)", sign_argv);
	g_chmod(srv_key, 0644);
	g_chmod(srv_crt, 0644);
	g_chmod(b->ca, 0644);
}

static void
spawn_broker(MqttBroker *b)
{
	g_autofree char *exe = g_find_program_in_path("mosquitto");
	const char *argv[] = { exe ? exe : MOSQUITTO, "-c", b->config, NULL };
	gint64 deadline = g_get_monotonic_time() + START_MS * 1000;

	b->pid = test_bus_spawn(b->bus, "mosquitto", argv);
	while (!port_open(b->port)) {
		int status;

		if (test_bus_has_exited(b->bus, b->pid, &status) ||
		    g_get_monotonic_time() > deadline) {
			test_bus_dump_log(b->bus, "mosquitto");
			fail_msg("mosquitto did not listen on 127.0.0.1:%u", b->port);
		}
		g_usleep(20000);
	}
}

MqttBroker *
mqtt_broker_new(TestBus *bus, const MqttBrokerOptions *opt)
{
	MqttBroker *b = g_new0(MqttBroker, 1);
	g_autoptr(GString) conf = g_string_new(NULL);
	g_autoptr(GError) error = NULL;

	b->bus = bus;
	b->dir = g_dir_make_tmp("rollerd-mqtt-broker-XXXXXX", &error);
	if (!b->dir)
		fail_msg("%s", error->message);
	g_chmod(b->dir, 0755);
	b->port = free_port();
	b->tls = opt && opt->tls;
	g_string_append_printf(conf, "listener %u 127.0.0.1\npersistence false\n", b->port);
	g_string_append(conf, "log_dest stderr\nlog_type error\nlog_type warning\n"
			"log_type notice\nlog_type information\n");
	if (b->tls) {
		g_autofree char *openssl = g_find_program_in_path("openssl");

		if (!openssl) {
			g_printerr("openssl is not installed: no TLS test\n");
			exit(77);
		}
		b->ca = g_build_filename(b->dir, "ca.crt", NULL);
		make_certs(b);
		g_string_append_printf(conf, "cafile %s/ca.crt\ncertfile %s/server.crt\n"
				       "keyfile %s/server.key\n", b->dir, b->dir, b->dir);
	}
	if (opt && opt->username) {
		g_autofree char *pw = g_build_filename(b->dir, "passwd", NULL);
		const char *argv[] = { "mosquitto_passwd", "-b", "-c", pw, opt->username,
				       opt->password, NULL };

		run("mosquitto_passwd", argv);
		g_chmod(pw, 0644);
		g_string_append_printf(conf, "allow_anonymous false\npassword_file %s\n", pw);
	} else {
		g_string_append(conf, "allow_anonymous true\n");
	}
	write_file(b->dir, "mosquitto.conf", conf->str);
	b->config = g_build_filename(b->dir, "mosquitto.conf", NULL);
	spawn_broker(b);
	return b;
}

void
mqtt_broker_stop(MqttBroker *b)
{
	if (b->pid)
		test_bus_stop(b->bus, b->pid);
	b->pid = 0;
}

void
mqtt_broker_restart(MqttBroker *b)
{
	mqtt_broker_stop(b);
	spawn_broker(b);
}

static void
remove_tree(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, name, NULL);

		g_unlink(p);
	}
	g_rmdir(dir);
}

void
mqtt_broker_free(MqttBroker *b)
{
	if (!b)
		return;
	mqtt_broker_stop(b);
	if (!g_getenv("ROLLER_TEST_KEEP"))
		remove_tree(b->dir);
	g_free(b->dir);
	g_free(b->config);
	g_free(b->ca);
	g_free(b);
}

guint
mqtt_broker_get_port(MqttBroker *b)
{
	return b->port;
}

GPid
mqtt_broker_get_pid(MqttBroker *b)
{
	return b->pid;
}

const char *
mqtt_broker_get_ca(MqttBroker *b)
{
	return b->ca;
}

void
mqtt_message_free(MqttMessage *m)
{
	g_free(m->topic);
	g_free(m->payload);
	g_free(m);
}

/* These run on libmosquitto's network thread. */
static void
sub_on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	MqttSub *s = obj;

	if (rc != 0)
		return;
	g_mutex_lock(&s->lock);
	s->connected = TRUE;
	g_mutex_unlock(&s->lock);
	mosquitto_subscribe(mosq, NULL, s->pattern, 1);
}

static void
sub_on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	MqttSub *s = obj;

	(void)mosq;
	(void)rc;
	g_mutex_lock(&s->lock);
	s->connected = FALSE;
	g_mutex_unlock(&s->lock);
}

static void
sub_on_subscribe(struct mosquitto *mosq, void *obj, int mid, int n, const int *granted)
{
	MqttSub *s = obj;

	(void)mosq;
	(void)mid;
	(void)n;
	(void)granted;
	g_mutex_lock(&s->lock);
	s->subscribed = TRUE;
	g_mutex_unlock(&s->lock);
}

static void
sub_on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	MqttSub *s = obj;
	MqttMessage *m = g_new0(MqttMessage, 1);

	(void)mosq;
	m->topic = g_strdup(msg->topic);
	/* An empty message (a removal) has no payload at all. */
	m->payload = msg->payloadlen ? g_strndup(msg->payload, (gsize)msg->payloadlen) :
				       g_strdup("");
	m->retained = msg->retain;
	m->at_us = g_get_monotonic_time();
	g_mutex_lock(&s->lock);
	g_ptr_array_add(s->messages, m);
	g_mutex_unlock(&s->lock);
}

static gboolean
sub_ready(gpointer data)
{
	MqttSub *s = data;
	gboolean ready;

	g_mutex_lock(&s->lock);
	ready = s->subscribed;
	g_mutex_unlock(&s->lock);
	return ready;
}

MqttSub *
mqtt_sub_new(MqttBroker *b, const char *pattern, const char *username, const char *password)
{
	MqttSub *s = g_new0(MqttSub, 1);
	int rc;

	mosquitto_lib_init();
	g_mutex_init(&s->lock);
	s->messages = g_ptr_array_new_with_free_func((GDestroyNotify)mqtt_message_free);
	s->pattern = g_strdup(pattern);
	s->mosq = mosquitto_new(NULL, true, s);
	assert_non_null(s->mosq);
	mosquitto_connect_callback_set(s->mosq, sub_on_connect);
	mosquitto_disconnect_callback_set(s->mosq, sub_on_disconnect);
	mosquitto_subscribe_callback_set(s->mosq, sub_on_subscribe);
	mosquitto_message_callback_set(s->mosq, sub_on_message);
	mosquitto_reconnect_delay_set(s->mosq, 1, 1, false);
	if (username)
		assert_int_equal(mosquitto_username_pw_set(s->mosq, username, password), 0);
	if (b->ca)
		assert_int_equal(mosquitto_tls_set(s->mosq, b->ca, NULL, NULL, NULL, NULL), 0);
	rc = mosquitto_connect_async(s->mosq, "localhost", (int)b->port, 10);
	if (rc != MOSQ_ERR_SUCCESS)
		fail_msg("subscriber: %s", mosquitto_strerror(rc));
	assert_int_equal(mosquitto_loop_start(s->mosq), 0);
	if (!test_bus_wait_until(sub_ready, s, START_MS))
		fail_msg("the subscriber could not subscribe to %s", pattern);
	return s;
}

void
mqtt_sub_free(MqttSub *s)
{
	if (!s)
		return;
	mosquitto_disconnect(s->mosq);
	mosquitto_loop_stop(s->mosq, true);
	mosquitto_destroy(s->mosq);
	g_ptr_array_unref(s->messages);
	g_mutex_clear(&s->lock);
	g_free(s->pattern);
	g_free(s);
	mosquitto_lib_cleanup();
}

gboolean
mqtt_sub_is_connected(MqttSub *s)
{
	gboolean c;

	g_mutex_lock(&s->lock);
	c = s->connected;
	g_mutex_unlock(&s->lock);
	return c;
}

GPtrArray *
mqtt_sub_messages(MqttSub *s, const char *topic)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)mqtt_message_free);

	g_mutex_lock(&s->lock);
	for (guint i = 0; i < s->messages->len; i++) {
		const MqttMessage *m = s->messages->pdata[i];
		MqttMessage *copy;

		if (topic && strcmp(m->topic, topic) != 0)
			continue;
		copy = g_new0(MqttMessage, 1);
		*copy = *m;
		copy->topic = g_strdup(m->topic);
		copy->payload = g_strdup(m->payload);
		g_ptr_array_add(out, copy);
	}
	g_mutex_unlock(&s->lock);
	return out;
}

guint
mqtt_sub_count(MqttSub *s, const char *topic)
{
	g_autoptr(GPtrArray) m = mqtt_sub_messages(s, topic);

	return m->len;
}

char *
mqtt_sub_last(MqttSub *s, const char *topic)
{
	g_autoptr(GPtrArray) m = mqtt_sub_messages(s, topic);

	return m->len ? g_strdup(((MqttMessage *)m->pdata[m->len - 1])->payload) : NULL;
}

typedef struct {
	MqttSub *s;
	const char *topic;
	guint count;
	const char *payload;
} SubWait;

static gboolean
count_reached(gpointer data)
{
	SubWait *w = data;

	return mqtt_sub_count(w->s, w->topic) >= w->count;
}

gboolean
mqtt_sub_wait_count(MqttSub *s, const char *topic, guint count, guint timeout_ms)
{
	SubWait w = { s, topic, count, NULL };

	return test_bus_wait_until(count_reached, &w, timeout_ms);
}

static gboolean
last_is(gpointer data)
{
	SubWait *w = data;
	g_autofree char *last = mqtt_sub_last(w->s, w->topic);

	return g_strcmp0(last, w->payload) == 0;
}

gboolean
mqtt_sub_wait_last(MqttSub *s, const char *topic, const char *payload, guint timeout_ms)
{
	SubWait w = { s, topic, 0, payload };

	return test_bus_wait_until(last_is, &w, timeout_ms);
}

static void
sub_publish(MqttSub *s, const char *topic, const void *payload, gsize len, bool retain)
{
	int rc = mosquitto_publish(s->mosq, NULL, topic, (int)len, payload, 1, retain);

	if (rc != MOSQ_ERR_SUCCESS)
		fail_msg("publish on %s: %s", topic, mosquitto_strerror(rc));
}

void
mqtt_sub_publish(MqttSub *s, const char *topic, const void *payload, gsize len)
{
	sub_publish(s, topic, payload, len, false);
}

void
mqtt_sub_publish_retained(MqttSub *s, const char *topic, const char *payload)
{
	sub_publish(s, topic, payload, strlen(payload), true);
}

char *
mqtt_bridge_config(TestBus *bus, MqttBroker *b, const char *name, const char *room,
		   const char *extra)
{
	g_autofree char *file = g_strdup_printf("%s.conf", name);
	g_autofree char *state = g_strdup_printf("%s/%s-state", test_bus_get_dir(bus), name);
	g_autofree char *text = g_strdup_printf(
		"[Broker]\nHost=localhost\nPort=%u\nClientId=%s-%s\nReconnectMin=0.2\n"
		"ReconnectMax=1\nConnectTimeout=5\n%s%s%s"
		"[Topics]\nRoom=%s\n"
		"[Bridge]\nStateDirectory=%s\nLiveInterval=0.1\n%s",
		b->port, name, room, b->ca ? "CAFile=" : "", b->ca ? b->ca : "",
		b->ca ? "\n" : "", room, state, extra ? extra : "");

	write_file(test_bus_get_dir(bus), file, text);
	return g_build_filename(test_bus_get_dir(bus), file, NULL);
}

GPid
mqtt_bridge_start(TestBus *bus, const char *name, const char *config)
{
	const char *argv[] = { "@builddir@/mqtt/rollerd-mqtt", "--session", "--config", config,
			       NULL };

	/* Children take the bus from the environment: this bus's, for this one. */
	g_setenv("DBUS_SESSION_BUS_ADDRESS", test_bus_get_address(bus), TRUE);
	return test_bus_spawn_wrapped(bus, name, "ROLLERD_MQTT_WRAPPER", argv);
}
