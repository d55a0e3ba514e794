/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bridge's topics and the JSON it publishes on them (docs/mqtt.md has
 * each), and the parse of a command a subscriber sends.  Plain functions
 * of their arguments: no D-Bus, no broker.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "mqtt/rm-config.h"

/* Longest command payload accepted; anything longer is refused unread. */
#define RM_COMMAND_PAYLOAD_MAX 256

/* The values of one LiveUpdate, with the coverage of its passes. */
typedef struct {
	guint32 strokes;
	double strokes_per_minute;
	guint16 force_cn;
	guint16 force_mean_cn;
	guint16 in_band_permille;
	guint32 directions[4];
	guint cells;		/* of the grid */
	guint cells_covered;	/* with at least one pass */
	guint32 duration_ms;
	gboolean paused;
	guint32 frames;
	guint32 frames_lost;
	guint32 frames_rejected;
} RmLiveValues;

/*
 * A roller's topic level: its serial when known, else its address with
 * '_' for ':', either with any character outside [A-Za-z0-9_-] as '_'
 * (valid in a topic and in a discovery object id).
 */
char *rm_roller_key(const char *serial, const char *address);

/* PREFIX/ROOM/status: "online", or the will's "offline". */
char *rm_topic_status(const RmConfig *cfg);
/* PREFIX/ROOM/roller/KEY/LEAF */
char *rm_topic_roller(const RmConfig *cfg, const char *key, const char *leaf);
/* PREFIX/ROOM/LEAF (reminder, plan/PERSON/AREA) */
char *rm_topic_room(const RmConfig *cfg, const char *leaf);

/* The builder's root as compact JSON text. */
char *rm_json_to_string(JsonBuilder *b);

char *rm_payload_live(const RmLiveValues *v);
/*
 * A QuerySessions summary (a{sv}) as JSON; its id in @id and its roller's
 * key in @key.  NULL when it lacks the id or the roller.
 */
char *rm_payload_session(GVariant *summary, guint64 *id, char **key);
/*
 * A GetTreatmentPlan row as JSON, and its topic's last levels
 * "plan/PERSON_ID/AREA" in @leaf; NULL for a row without person or area.
 */
char *rm_payload_plan(GVariant *row, char **leaf);
/* An alert or reminder: {"kind", "message", "time"} plus "person" if given. */
char *rm_payload_event(const char *kind, const char *message, const char *person,
		       gint64 unix_time);

typedef struct {
	char *key;		/* the roller's */
	RmCommand command;
	char *area;		/* start: the treatment area */
	guint8 seconds;		/* identify: 1..30 */
} RmCommandRequest;

void rm_command_request_clear(RmCommandRequest *req);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(RmCommandRequest, rm_command_request_clear)

/*
 * Parses a message on PREFIX/ROOM/roller/KEY/cmd/NAME.  FALSE with @error
 * saying why (an unknown topic or command, a command the config does not
 * allow, a payload too long or malformed), never repeating the payload.
 * Payloads: sync, stop: empty or "PRESS"; identify: that, or seconds
 * 1..30 (default 5); start: an area name, or {"area": NAME}.
 */
gboolean rm_command_parse(const RmConfig *cfg, const char *topic, const void *payload,
			  gsize len, RmCommandRequest *req, GError **error);
