/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The broker side: one libmosquitto client driven by the GLib main loop
 * (its socket in a GSource, mosquitto_loop_read/write/misc from there:
 * no thread, nothing blocks on the broker).  It connects, keeps the
 * connection, and after any failure starts over with a new client after
 * a backoff doubling from ReconnectMin to ReconnectMax; a client whose
 * broker does not answer CONNECT within ConnectTimeout counts as failed.
 * The will is "offline" on the status topic, retained.
 *
 * A new client each time drops what libmosquitto still had queued, so
 * the owner (rm-bridge) decides what goes out again after a reconnect.
 */
#pragma once

#include <glib.h>

#include "mqtt/rm-config.h"

typedef struct _RmBroker RmBroker;

typedef struct {
	/* CONNACK accepted: publish the state, subscribe. */
	void (*connected)(gpointer user_data);
	/* The connection is gone (or never came); a reconnect is scheduled. */
	void (*disconnected)(gpointer user_data);
	/* PUBACK of a QoS 1 message (the mid rm_broker_publish returned). */
	void (*published)(int mid, gpointer user_data);
	void (*message)(const char *topic, const void *payload, gsize len, gboolean retained,
			gpointer user_data);
} RmBrokerCallbacks;

/* @cfg must outlive the broker. */
RmBroker *rm_broker_new(const RmConfig *cfg, const RmBrokerCallbacks *cb, gpointer user_data);
/* Ends the connection cleanly (no will) and frees. */
void rm_broker_free(RmBroker *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RmBroker, rm_broker_free)

/* The first connection attempt (then reconnects by itself). */
void rm_broker_start(RmBroker *b);
gboolean rm_broker_is_connected(RmBroker *b);

/* The message's id (>= 0), or -1 when not connected or refused. */
int rm_broker_publish(RmBroker *b, const char *topic, const char *payload, int qos,
		      gboolean retain);
gboolean rm_broker_subscribe(RmBroker *b, const char *pattern, int qos);
