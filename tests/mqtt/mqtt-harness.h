/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd-mqtt's tests: a real mosquitto started on a free loopback port
 * with a generated config in a directory of the test's (readable by the
 * user mosquitto drops to when started as root; persistence off), a
 * subscriber of the test's own through libmosquitto (its network thread
 * keeps every message, reconnecting and subscribing again by itself),
 * and the bridge on a test bus.
 */
#pragma once

#include <gio/gio.h>

#include "tests/harness/test-bus.h"

typedef struct _MqttBroker MqttBroker;

typedef struct {
	gboolean tls;		/* a test CA, server cert for localhost and 127.0.0.1 */
	const char *username;	/* with @password: a password file, no anonymous clients */
	const char *password;
} MqttBrokerOptions;

/* Starts mosquitto (its log "mosquitto.log" in @bus's directory); @opt may be NULL.
 * Skips the test (77) when TLS is asked for and openssl is missing. */
MqttBroker *mqtt_broker_new(TestBus *bus, const MqttBrokerOptions *opt);
void mqtt_broker_free(MqttBroker *b);
guint mqtt_broker_get_port(MqttBroker *b);
GPid mqtt_broker_get_pid(MqttBroker *b);
/* The test CA's certificate, NULL without TLS. */
const char *mqtt_broker_get_ca(MqttBroker *b);
void mqtt_broker_stop(MqttBroker *b);
/* Starts it again on the same port, with nothing retained. */
void mqtt_broker_restart(MqttBroker *b);

typedef struct {
	char *topic;
	char *payload;
	gboolean retained;
	gint64 at_us;		/* g_get_monotonic_time() at arrival */
} MqttMessage;

typedef struct _MqttSub MqttSub;

/* Subscribes to @pattern, as @username if not NULL; returns once subscribed. */
MqttSub *mqtt_sub_new(MqttBroker *b, const char *pattern, const char *username,
		      const char *password);
void mqtt_sub_free(MqttSub *s);
/* Copies of the messages on @topic so far (every one for NULL), oldest first. */
GPtrArray *mqtt_sub_messages(MqttSub *s, const char *topic);
/* How many messages on @topic so far. */
guint mqtt_sub_count(MqttSub *s, const char *topic);
/* The last payload on @topic (a copy), NULL when none. */
char *mqtt_sub_last(MqttSub *s, const char *topic);
/* Runs the main context until @topic has @count messages; FALSE on timeout. */
gboolean mqtt_sub_wait_count(MqttSub *s, const char *topic, guint count, guint timeout_ms);
/* Until the last payload on @topic is @payload. */
gboolean mqtt_sub_wait_last(MqttSub *s, const char *topic, const char *payload,
			    guint timeout_ms);
void mqtt_sub_publish(MqttSub *s, const char *topic, const void *payload, gsize len);
/* Retained by the broker ("" clears it). */
void mqtt_sub_publish_retained(MqttSub *s, const char *topic, const char *payload);
/* Whether the subscriber is connected now (it reconnects by itself). */
gboolean mqtt_sub_is_connected(MqttSub *s);
void mqtt_message_free(MqttMessage *m);

/*
 * The bridge's config (written into @bus's directory as NAME.conf) for
 * @b, room @room, its state in @bus's directory/NAME-state; @extra
 * appended (whole groups, e.g. "[Bridge]\nCommands=sync\n").  Returns the path.
 */
char *mqtt_bridge_config(TestBus *bus, MqttBroker *b, const char *name, const char *room,
			 const char *extra);
/* rollerd-mqtt --session --config @config on @bus, log "@name.log", under
 * $ROLLERD_MQTT_WRAPPER when set. */
GPid mqtt_bridge_start(TestBus *bus, const char *name, const char *config);
