/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bridge: what rollerd says (rm-rollerd) published on the broker
 * (rm-broker) as docs/mqtt.md describes, and the broker's commands
 * passed to rollerd.  Stored sessions go out from the ack cursor
 * (rm-cursor) on every connection, in id order, at QoS 1.
 */
#pragma once

#include <gio/gio.h>

#include "mqtt/rm-config.h"

typedef struct _RmBridge RmBridge;

/* @cfg is the bridge's from now on. */
RmBridge *rm_bridge_new(RmConfig *cfg, GBusType bus_type, GError **error);
/* Publishes "offline", disconnects, frees. */
void rm_bridge_free(RmBridge *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RmBridge, rm_bridge_free)
