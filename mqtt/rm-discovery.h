/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Home Assistant MQTT discovery: the retained config payload of every
 * entity of a roller, of the room's bridge and of the plan's next due
 * dates (docs/mqtt.md), or the empty payloads that remove them.
 */
#pragma once

#include <glib.h>

#include "mqtt/rm-config.h"

typedef struct {
	const char *key;	/* rm_roller_key() */
	const char *name;
	const char *serial;
	const char *address;
	const char *model;
	const char *firmware;
} RmRollerInfo;

/* One retained message: @payload "" removes the entity. */
typedef void (*RmDiscoveryEmit)(const char *topic, const char *payload, gpointer user_data);

/* The roller's entities; @remove: the empty payloads instead. */
void rm_discovery_roller(const RmConfig *cfg, const RmRollerInfo *info, gboolean remove,
			 RmDiscoveryEmit emit, gpointer user_data);
/* The bridge's own device and its connectivity sensor (the status topic). */
void rm_discovery_bridge(const RmConfig *cfg, RmDiscoveryEmit emit, gpointer user_data);
/* A timestamp sensor of the bridge for one plan topic ("plan/PERSON_ID/AREA"). */
void rm_discovery_plan(const RmConfig *cfg, const char *leaf, const char *person,
		       const char *area, RmDiscoveryEmit emit, gpointer user_data);

/* The subscription that brings back the room's retained configs, NULL without discovery. */
char *rm_discovery_pattern(const RmConfig *cfg);
/* Whether @topic is one of this room's config topics; *@roller_key: the
 * roller's key when it is one of a roller's entities, else NULL. */
gboolean rm_discovery_parse_topic(const RmConfig *cfg, const char *topic, char **roller_key);
