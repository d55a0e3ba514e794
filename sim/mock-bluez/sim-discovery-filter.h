/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Adapter1.SetDiscoveryFilter's dict, checked as src/adapter.c checks it
 * (any unknown key, wrong type or value out of range is
 * InvalidArguments), and the test of an advertisement against it.
 */
#pragma once

#include <glib.h>

typedef struct {
	GStrv uuids;		/* 128-bit, lower case; NULL or empty: any */
	gboolean has_rssi;
	gint16 rssi;
	gboolean has_pathloss;
	guint16 pathloss;
	char *transport;	/* "auto", "bredr", "le" */
	gboolean duplicate_data;
	gboolean discoverable;
	char *pattern;		/* NULL: none */
	gboolean auto_connect;
} SimDiscoveryFilter;

/* The keys GetDiscoveryFilters lists, NULL-terminated. */
extern const char *const sim_discovery_filter_keys[];

/*
 * Parses an a{sv}: FALSE for invalid arguments; TRUE with *filter NULL
 * for an empty dict (the caller's filter is removed).
 */
gboolean sim_discovery_filter_parse(GVariant *dict, SimDiscoveryFilter **filter);
void sim_discovery_filter_free(SimDiscoveryFilter *filter);

/* Whether an LE advertisement passes. */
gboolean sim_discovery_filter_match(const SimDiscoveryFilter *filter,
				    const char *address, const char *name,
				    const char *const *uuids, gint16 rssi);

/* "180f", "0x180F", "0000180f" or a 128-bit UUID to the 128-bit form;
 * NULL when it is none of these. */
char *sim_uuid_to_128(const char *uuid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimDiscoveryFilter, sim_discovery_filter_free)
