/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One characteristic of the GATT tree as its handlers see it, and what
 * they share of the tree.  SimGatt (sim-gatt.c) lays the characteristics
 * out and builds their objects; sim-gatt-access.c answers their reads
 * and writes, sim-gatt-notify.c their subscriptions.  Both of those sit
 * below SimGatt and reach it only through struct sim_gatt_tree.
 */
#pragma once

#include <gio/gio.h>

#include "sim/host/sim-roller.h"
#include "sim-iface.h"

/* Characteristic properties, as in the declaration (Core Vol 3 Part G). */
#define PROP_READ		0x02
#define PROP_WRITE_NO_RSP	0x04
#define PROP_WRITE		0x08
#define PROP_NOTIFY		0x10
#define PROP_INDICATE		0x20

/* Not a model_char_id: the GATT service's Service Changed, which the
 * mock serves itself and never indicates. */
#define SIM_CHAR_SERVICE_CHANGED MODEL_CHAR_COUNT

/* ATT error codes beyond the model's (Core Vol 3 Part F 3.4.1.1). */
#define ATT_ERROR_REQUEST_NOT_SUPPORTED 0x06
#define ATT_ERROR_UNLIKELY 0x0e

struct char_def {
	const char *uuid;
	guint id;		/* enum model_char_id or SIM_CHAR_SERVICE_CHANGED */
	guint8 props;
};

struct service_def {
	const char *uuid;
	/* bluetoothd serves the GATT service itself in peripheral mode */
	gboolean mock_only;
	/* Claimed by a bluetoothd plugin (deviceinfo, battery): exported
	 * read-only under the default ExportClaimedServices. */
	gboolean claimed;
	const struct char_def *chars;
	guint n_chars;
};

/* What every characteristic's handlers need of the tree.  SimGatt keeps
 * one and sets disconnecting and changing as the link and the services
 * come and go. */
struct sim_gatt_tree {
	gboolean mock;		/* SIM_GATT_MOCK, else peripheral */
	SimRoller *roller;
	/* SimGattHost's link_hint and its data (NULL: none). */
	void (*link_hint)(gpointer user_data, const char *device, guint16 mtu);
	gpointer link_hint_data;
	/* SimGattHost's secure (NULL: none), with link_hint_data. */
	void (*secure)(gpointer user_data,
		       void (*done)(gpointer data, const char *error_name,
				    const char *message),
		       gpointer data);
	gboolean disconnecting;
	/* Between the first and the last service a Service Changed removes. */
	gboolean changing;
	GPtrArray *hazards;	/* of char *, see sim_gatt_char_check_unsubscribe() */
};

/* A characteristic's subscriptions (sim-gatt-notify.c). */
typedef struct _SimGattNotify SimGattNotify;

struct sim_gatt_char {
	struct sim_gatt_tree *tree;
	const struct service_def *service;
	const struct char_def *def;
	guint16 handle;		/* declaration */
	char *path;
	SimIface *iface;
	GDBusObjectSkeleton *object;
	/* The CCCD (mock mode only: bluetoothd adds its own for an app). */
	char *cccd_path;
	SimIface *cccd_iface;
	GDBusObjectSkeleton *cccd_object;
	SimGattNotify *notify;
};

gboolean sim_gatt_tree_link_is_up(struct sim_gatt_tree *tree);
/* Peripheral options: the device and the MTU, handed to the host. */
void sim_gatt_tree_hint_link(struct sim_gatt_tree *tree, GVariant *options);

/* A central ended its subscription to @chr (@how, in words). */
void sim_gatt_char_check_unsubscribe(struct sim_gatt_char *chr, const char *how);
