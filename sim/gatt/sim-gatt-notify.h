/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A characteristic's subscriptions: StartNotify sessions, the socket of
 * AcquireNotify, the roller's CCCD and delivery of its notifications.
 */
#pragma once

#include "sim-gatt-char.h"

SimGattNotify *sim_gatt_notify_new(void);
/* After sim_gatt_notify_clear(): nothing is left to end. */
void sim_gatt_notify_free(SimGattNotify *notify);

/* The notify methods of GattCharacteristic1. */
void sim_gatt_start_notify(struct sim_gatt_char *chr,
			   GDBusMethodInvocation *invocation);
void sim_gatt_stop_notify(struct sim_gatt_char *chr,
			  GDBusMethodInvocation *invocation);
void sim_gatt_acquire_notify(struct sim_gatt_char *chr, GVariant *options,
			     GDBusMethodInvocation *invocation);
void sim_gatt_acquire_write(struct sim_gatt_char *chr, GVariant *options,
			    GDBusMethodInvocation *invocation);
/* Sessions and sockets after the link came up or went down, or when the
 * objects go away. */
void sim_gatt_notify_link_up(struct sim_gatt_char *chr);
void sim_gatt_notify_link_down(struct sim_gatt_char *chr);
void sim_gatt_notify_clear(struct sim_gatt_char *chr);
void sim_gatt_notify_deliver(struct sim_gatt_char *chr, const guint8 *data,
			     gsize len);
/* The CCCD's value for this link: bit 0 notify, bit 1 indicate. */
guint16 sim_gatt_notify_cccd_value(struct sim_gatt_char *chr);
