/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by sim-gatt.c (the tree, reads and writes) and sim-gatt-notify.c
 * (notification sessions and acquired sockets).
 */
#pragma once

#include "sim-gatt.h"
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

/* A central's StartNotify session (mock mode). */
struct notify_session {
	struct sim_gatt_char *chr;
	char *sender;
	guint watch;
	/* The CCCD write went through (FALSE while the link is down). */
	gboolean registered;
};

/* The socket handed out by AcquireNotify. */
struct acquired_io {
	int fd;			/* our end */
	guint source;
};

struct sim_gatt_char {
	SimGatt *gatt;
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

	GList *sessions;		/* of struct notify_session */
	struct acquired_io *notify_io;
	/* Peripheral mode: bluetoothd's StartNotify is in force. */
	gboolean app_notifying;
	/* What the roller was told through its CCCD. */
	gboolean subscribed;
};

struct sim_gatt_service {
	const struct service_def *def;
	guint16 handle;
	char *path;
	SimIface *iface;
	GDBusObjectSkeleton *object;
};

struct _SimGatt {
	SimGattMode mode;
	SimRoller *roller;
	char *root;
	const SimGattHost *host;
	gpointer host_data;
	GDBusObjectManagerServer *manager;
	gboolean disconnecting;
	/* Between the first and the last service a Service Changed removes. */
	gboolean changing;
	GPtrArray *hazards;	/* of char *, see sim_gatt_check_unsubscribe() */
	GPtrArray *services;	/* of struct sim_gatt_service */
	GPtrArray *chars;	/* of struct sim_gatt_char, in handle order */
};

/* sim-gatt.c */
gboolean sim_gatt_link_is_up(SimGatt *gatt);
struct sim_gatt_char *sim_gatt_find_char(SimGatt *gatt, guint id);
/* A central ended its subscription to @chr (@how, in words). */
void sim_gatt_check_unsubscribe(struct sim_gatt_char *chr, const char *how);

/* sim-gatt-access.c: the SimIface handlers of the tree's objects
 * (user data: the struct sim_gatt_char, or the SimGatt for services). */
void sim_gatt_char_method(SimIface *iface, const char *method,
			  GVariant *params, GDBusMethodInvocation *invocation,
			  gpointer user_data);
void sim_gatt_cccd_method(SimIface *iface, const char *method,
			  GVariant *params, GDBusMethodInvocation *invocation,
			  gpointer user_data);
gboolean sim_gatt_set_property(SimIface *iface, const char *property,
			       GVariant *value, GError **error,
			       gpointer user_data);

/* sim-gatt-notify.c: the notify methods of GattCharacteristic1. */
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
/* Peripheral options: the device and the MTU, handed to the host. */
void sim_gatt_hint_link(SimGatt *gatt, GVariant *options);
