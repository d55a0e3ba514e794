/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <mosquitto.h>

#include "daemon/rd-log-limit.h"
#include "mqtt/rm-broker.h"
#include "mqtt/rm-payload.h"

/* libmosquitto's keepalive and retry timers want a call every second. */
#define MISC_INTERVAL_MS 1000

typedef struct {
	GSource source;
	RmBroker *broker;
	gpointer tag;
	GIOCondition events;	/* asked of the fd now */
	gint64 next_misc_us;
} MosqSource;

struct _RmBroker {
	const RmConfig *cfg;
	RmBrokerCallbacks cb;
	gpointer user_data;

	struct mosquitto *mosq;	/* the current client, NULL between attempts */
	GSource *source;
	gboolean connected;
	gboolean lost;		/* set in a libmosquitto callback, acted on after it */
	char *lost_why;
	guint reconnect_id;
	guint timeout_id;
	guint teardown_id;
	guint backoff_ms;
	RdLogLimit failure_limit;
};

static void connect_attempt(RmBroker *b);

static gboolean
reconnect_cb(gpointer data)
{
	RmBroker *b = data;

	b->reconnect_id = 0;
	connect_attempt(b);
	return G_SOURCE_REMOVE;
}

static void
report_failure(RmBroker *b, const char *why)
{
	guint skipped = 0;

	if (!rd_log_limit_allow(&b->failure_limit, g_get_monotonic_time(), &skipped)) {
		g_debug("Broker %s:%u: %s", b->cfg->host, b->cfg->port, why);
		return;
	}
	if (skipped)
		g_warning("Broker %s:%u: %s; retrying in %.1f s (%u more failures since the last "
			  "line)", b->cfg->host, b->cfg->port, why, b->backoff_ms / 1000.0, skipped);
	else
		g_warning("Broker %s:%u: %s; retrying in %.1f s", b->cfg->host, b->cfg->port, why,
			  b->backoff_ms / 1000.0);
}

/* Drops the client, tells the owner, and schedules the next attempt. */
static void
teardown(RmBroker *b, const char *why)
{
	gboolean was_connected = b->connected;

	g_clear_handle_id(&b->timeout_id, g_source_remove);
	g_clear_handle_id(&b->teardown_id, g_source_remove);
	if (b->source) {
		g_source_destroy(b->source);
		g_clear_pointer(&b->source, g_source_unref);
	}
	g_clear_pointer(&b->mosq, mosquitto_destroy);
	b->connected = FALSE;
	b->lost = FALSE;
	g_clear_pointer(&b->lost_why, g_free);

	report_failure(b, why);
	if (!b->reconnect_id)
		b->reconnect_id = g_timeout_add(b->backoff_ms, reconnect_cb, b);
	b->backoff_ms = MIN(b->backoff_ms * 2, b->cfg->reconnect_max_ms);
	if (was_connected && b->cb.disconnected)
		b->cb.disconnected(b->user_data);
}

static void
mark_lost(RmBroker *b, const char *why)
{
	if (b->lost)
		return;
	b->lost = TRUE;
	b->lost_why = g_strdup(why);
}

static void
on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	RmBroker *b = obj;

	(void)mosq;
	if (rc != 0) {
		g_autofree char *why = g_strdup_printf("the broker refused the connection: %s",
						       mosquitto_connack_string(rc));

		mark_lost(b, why);
		return;
	}
	g_clear_handle_id(&b->timeout_id, g_source_remove);
	b->connected = TRUE;
	b->backoff_ms = b->cfg->reconnect_min_ms;
	b->failure_limit.last_us = 0;
	b->failure_limit.skipped = 0;
	g_message("Connected to the broker %s:%u as %s", b->cfg->host, b->cfg->port,
		  b->cfg->client_id);
	if (b->cb.connected)
		b->cb.connected(b->user_data);
}

static void
on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	(void)mosq;
	mark_lost(obj, rc ? mosquitto_strerror(rc) : "disconnected");
}

static void
on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	RmBroker *b = obj;

	(void)mosq;
	if (b->cb.published)
		b->cb.published(mid, b->user_data);
}

static void
on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
	RmBroker *b = obj;

	(void)mosq;
	if (b->cb.message && msg->payloadlen >= 0)
		b->cb.message(msg->topic, msg->payload, (gsize)msg->payloadlen, msg->retain,
			      b->user_data);
}

static gboolean
source_prepare(GSource *source, gint *timeout)
{
	MosqSource *s = (MosqSource *)source;
	struct mosquitto *mosq = s->broker->mosq;
	GIOCondition want = G_IO_IN | G_IO_HUP | G_IO_ERR;
	gint64 left = s->next_misc_us - g_source_get_time(source);

	if (mosquitto_want_write(mosq))
		want |= G_IO_OUT;
	/* Only on a change: each modification wakes the context up again. */
	if (want != s->events) {
		g_source_modify_unix_fd(source, s->tag, want);
		s->events = want;
	}
	*timeout = left > 0 ? (gint)(left / 1000) + 1 : 0;
	return left <= 0;
}

static gboolean
source_check(GSource *source)
{
	MosqSource *s = (MosqSource *)source;

	return g_source_query_unix_fd(source, s->tag) != 0 ||
	       g_source_get_time(source) >= s->next_misc_us;
}

static gboolean
source_dispatch(GSource *source, GSourceFunc callback, gpointer user_data)
{
	MosqSource *s = (MosqSource *)source;
	RmBroker *b = s->broker;
	GIOCondition got = g_source_query_unix_fd(source, s->tag);
	int rc = MOSQ_ERR_SUCCESS;

	(void)callback;
	(void)user_data;
	if (got & (G_IO_IN | G_IO_HUP | G_IO_ERR))
		rc = mosquitto_loop_read(b->mosq, 1);
	if (rc == MOSQ_ERR_SUCCESS && !b->lost && (got & G_IO_OUT))
		rc = mosquitto_loop_write(b->mosq, 1);
	if (rc == MOSQ_ERR_SUCCESS && !b->lost &&
	    g_source_get_time(source) >= s->next_misc_us) {
		s->next_misc_us = g_source_get_time(source) + MISC_INTERVAL_MS * 1000;
		rc = mosquitto_loop_misc(b->mosq);
	}
	if (rc != MOSQ_ERR_SUCCESS)
		mark_lost(b, rc == MOSQ_ERR_ERRNO ? g_strerror(errno) : mosquitto_strerror(rc));
	if (b->lost) {
		g_autofree char *why = g_strdup(b->lost_why);

		teardown(b, why);	/* destroys this source: return at once */
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs mosq_source_funcs = {
	.prepare = source_prepare,
	.check = source_check,
	.dispatch = source_dispatch,
};

static gboolean
connect_timeout_cb(gpointer data)
{
	RmBroker *b = data;

	b->timeout_id = 0;
	teardown(b, "no answer to CONNECT");
	return G_SOURCE_REMOVE;
}

static gboolean
setup_client(RmBroker *b, int *rc)
{
	const RmConfig *cfg = b->cfg;
	g_autofree char *status = rm_topic_status(cfg);

	b->mosq = mosquitto_new(cfg->client_id, true, b);
	if (!b->mosq) {
		*rc = MOSQ_ERR_NOMEM;
		return FALSE;
	}
	mosquitto_int_option(b->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	mosquitto_connect_callback_set(b->mosq, on_connect);
	mosquitto_disconnect_callback_set(b->mosq, on_disconnect);
	mosquitto_publish_callback_set(b->mosq, on_publish);
	mosquitto_message_callback_set(b->mosq, on_message);
	if ((*rc = mosquitto_will_set(b->mosq, status, 7, "offline", 1, true)))
		return FALSE;
	if (cfg->username &&
	    (*rc = mosquitto_username_pw_set(b->mosq, cfg->username, cfg->password)))
		return FALSE;
	if (cfg->ca_file && (*rc = mosquitto_tls_set(b->mosq, cfg->ca_file, NULL, cfg->cert_file,
						     cfg->key_file, NULL)))
		return FALSE;
	return TRUE;
}

static void
connect_attempt(RmBroker *b)
{
	g_autofree char *why = NULL;
	MosqSource *s;
	int rc = MOSQ_ERR_SUCCESS;

	if (!setup_client(b, &rc)) {
		why = g_strdup_printf("cannot set up the client: %s", mosquitto_strerror(rc));
		teardown(b, why);
		return;
	}
	/* Resolves the host name (blocking) and starts a non-blocking connect. */
	rc = mosquitto_connect_async(b->mosq, b->cfg->host, (int)b->cfg->port,
				     (int)b->cfg->keepalive_s);
	if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(b->mosq) < 0) {
		why = g_strdup_printf("cannot connect: %s", rc == MOSQ_ERR_ERRNO ?
				      g_strerror(errno) : mosquitto_strerror(rc));
		teardown(b, why);
		return;
	}
	b->source = g_source_new(&mosq_source_funcs, sizeof(MosqSource));
	s = (MosqSource *)b->source;
	s->broker = b;
	s->next_misc_us = g_get_monotonic_time() + MISC_INTERVAL_MS * 1000;
	s->events = G_IO_IN | G_IO_HUP | G_IO_ERR;
	s->tag = g_source_add_unix_fd(b->source, mosquitto_socket(b->mosq), s->events);
	g_source_set_name(b->source, "rollerd-mqtt broker");
	g_source_attach(b->source, NULL);
	b->timeout_id = g_timeout_add(b->cfg->connect_timeout_ms, connect_timeout_cb, b);
}

RmBroker *
rm_broker_new(const RmConfig *cfg, const RmBrokerCallbacks *cb, gpointer user_data)
{
	static gsize init = 0;
	RmBroker *b = g_new0(RmBroker, 1);

	if (g_once_init_enter(&init)) {
		mosquitto_lib_init();
		g_once_init_leave(&init, 1);
	}
	b->cfg = cfg;
	b->cb = *cb;
	b->user_data = user_data;
	b->backoff_ms = cfg->reconnect_min_ms;
	return b;
}

void
rm_broker_start(RmBroker *b)
{
	if (!b->mosq && !b->reconnect_id)
		connect_attempt(b);
}

void
rm_broker_free(RmBroker *b)
{
	if (!b)
		return;
	if (b->mosq && b->connected)
		mosquitto_disconnect(b->mosq);
	g_clear_handle_id(&b->timeout_id, g_source_remove);
	g_clear_handle_id(&b->teardown_id, g_source_remove);
	g_clear_handle_id(&b->reconnect_id, g_source_remove);
	if (b->source) {
		g_source_destroy(b->source);
		g_source_unref(b->source);
	}
	g_clear_pointer(&b->mosq, mosquitto_destroy);
	g_free(b->lost_why);
	g_free(b);
}

gboolean
rm_broker_is_connected(RmBroker *b)
{
	return b->connected && !b->lost;
}

static gboolean
teardown_cb(gpointer data)
{
	RmBroker *b = data;
	g_autofree char *why = g_strdup(b->lost_why);

	b->teardown_id = 0;
	teardown(b, why);
	return G_SOURCE_REMOVE;
}

/* A write failed outside the source's dispatch: tear down from an idle. */
static void
lost_outside(RmBroker *b, int rc)
{
	mark_lost(b, rc == MOSQ_ERR_ERRNO ? g_strerror(errno) : mosquitto_strerror(rc));
	if (!b->teardown_id)
		b->teardown_id = g_idle_add(teardown_cb, b);
}

int
rm_broker_publish(RmBroker *b, const char *topic, const char *payload, int qos,
		  gboolean retain)
{
	int mid = -1, rc;

	if (!rm_broker_is_connected(b))
		return -1;
	rc = mosquitto_publish(b->mosq, &mid, topic, (int)strlen(payload), payload, qos, retain);
	if (rc == MOSQ_ERR_SUCCESS)
		return mid;
	if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST || rc == MOSQ_ERR_ERRNO)
		lost_outside(b, rc);
	else
		g_warning("Cannot publish on %s: %s", topic, mosquitto_strerror(rc));
	return -1;
}

gboolean
rm_broker_subscribe(RmBroker *b, const char *pattern, int qos)
{
	int rc;

	if (!rm_broker_is_connected(b))
		return FALSE;
	rc = mosquitto_subscribe(b->mosq, NULL, pattern, qos);
	if (rc == MOSQ_ERR_SUCCESS)
		return TRUE;
	lost_outside(b, rc);
	return FALSE;
}
