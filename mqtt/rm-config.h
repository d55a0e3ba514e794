/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerd-mqtt's settings: /etc/rollerd/mqtt.conf (a GKeyFile), every key
 * optional, defaults documented in rollerd-mqtt(8) and docs/mqtt.md.
 */
#pragma once

#include <glib.h>

/* Commands a subscriber may send, as bits of RmConfig.commands. */
typedef enum {
	RM_COMMAND_SYNC = 1 << 0,
	RM_COMMAND_IDENTIFY = 1 << 1,
	RM_COMMAND_START = 1 << 2,
	RM_COMMAND_STOP = 1 << 3,
} RmCommand;

typedef struct {
	/* [Broker] */
	char *host;
	guint port;
	char *client_id;
	char *username;
	char *password;		/* read from PasswordFile; NULL without one */
	char *ca_file;
	char *cert_file;
	char *key_file;
	guint keepalive_s;
	guint reconnect_min_ms;
	guint reconnect_max_ms;
	guint connect_timeout_ms;
	/* [Topics] */
	char *prefix;
	char *room;
	char *discovery_prefix;
	gboolean discovery;
	/* [Bridge] */
	guint commands;		/* RmCommand bits */
	double live_max_hz;
	char *state_dir;
} RmConfig;

/*
 * Reads @path (NULL: the defaults alone); FALSE with @error naming the
 * file and key of a bad value, or an unreadable password file.
 */
RmConfig *rm_config_load(const char *path, GError **error);
void rm_config_free(RmConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RmConfig, rm_config_free)

/* Whether Host names this machine (localhost, 127.0.0.0/8, ::1): no network in between. */
gboolean rm_config_is_loopback(const RmConfig *cfg);

/* "sync", "identify", "start", "stop": the bit, 0 for another word. */
RmCommand rm_command_from_name(const char *name);
