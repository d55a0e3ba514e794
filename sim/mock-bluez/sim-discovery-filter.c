/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "sim-discovery-filter.h"

/* bluetoothd's PATHLOSS_MAX. */
#define PATHLOSS_MAX 137

const char *const sim_discovery_filter_keys[] = {
	"UUIDs", "RSSI", "Pathloss", "Transport", "DuplicateData",
	"Discoverable", "Pattern", "AutoConnect", NULL,
};

static gboolean
all_xdigits(const char *text, gsize len)
{
	for (gsize i = 0; i < len; i++)
		if (!g_ascii_isxdigit(text[i]))
			return FALSE;
	return TRUE;
}

char *
sim_uuid_to_128(const char *uuid)
{
	gsize len;

	if (g_str_has_prefix(uuid, "0x") || g_str_has_prefix(uuid, "0X"))
		uuid += 2;
	len = strlen(uuid);
	if ((len == 4 || len == 8) && all_xdigits(uuid, len))
		return g_strdup_printf("%08x-0000-1000-8000-00805f9b34fb",
				       (guint)g_ascii_strtoull(uuid, NULL, 16));
	if (len != 36 || uuid[8] != '-' || uuid[13] != '-' || uuid[18] != '-' ||
	    uuid[23] != '-')
		return NULL;
	for (gsize i = 0; i < len; i++)
		if (uuid[i] != '-' && !g_ascii_isxdigit(uuid[i]))
			return NULL;
	return g_ascii_strdown(uuid, -1);
}

void
sim_discovery_filter_free(SimDiscoveryFilter *filter)
{
	if (!filter)
		return;
	g_strfreev(filter->uuids);
	g_free(filter->transport);
	g_free(filter->pattern);
	g_free(filter);
}

static gboolean
parse_uuids(GVariant *value, SimDiscoveryFilter *filter)
{
	g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func(g_free);
	GVariantIter iter;
	const char *uuid;

	if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING_ARRAY))
		return FALSE;
	g_variant_iter_init(&iter, value);
	while (g_variant_iter_next(&iter, "&s", &uuid)) {
		char *full = sim_uuid_to_128(uuid);

		if (!full)
			return FALSE;
		g_ptr_array_add(uuids, full);
	}
	g_ptr_array_add(uuids, NULL);
	g_strfreev(filter->uuids);
	filter->uuids = (GStrv)g_ptr_array_free(g_steal_pointer(&uuids), FALSE);
	return TRUE;
}

static gboolean
parse_entry(const char *key, GVariant *value, SimDiscoveryFilter *filter)
{
	if (g_str_equal(key, "UUIDs"))
		return parse_uuids(value, filter);
	if (g_str_equal(key, "RSSI")) {
		if (!g_variant_is_of_type(value, G_VARIANT_TYPE_INT16))
			return FALSE;
		filter->rssi = g_variant_get_int16(value);
		filter->has_rssi = TRUE;
		/* -127..+20 dBm (Core Vol 2 Part E 7.7.65.2) */
		return filter->rssi >= -127 && filter->rssi <= 20;
	}
	if (g_str_equal(key, "Pathloss")) {
		if (!g_variant_is_of_type(value, G_VARIANT_TYPE_UINT16))
			return FALSE;
		filter->pathloss = g_variant_get_uint16(value);
		filter->has_pathloss = TRUE;
		return filter->pathloss <= PATHLOSS_MAX;
	}
	if (g_str_equal(key, "Transport")) {
		const char *transport;

		if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
			return FALSE;
		transport = g_variant_get_string(value, NULL);
		if (!g_str_equal(transport, "auto") && !g_str_equal(transport, "le") &&
		    !g_str_equal(transport, "bredr"))
			return FALSE;
		g_free(filter->transport);
		filter->transport = g_strdup(transport);
		return TRUE;
	}
	if (g_str_equal(key, "Pattern")) {
		if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
			return FALSE;
		g_free(filter->pattern);
		filter->pattern = g_variant_dup_string(value, NULL);
		return TRUE;
	}
	if (!g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN))
		return FALSE;
	if (g_str_equal(key, "DuplicateData"))
		filter->duplicate_data = g_variant_get_boolean(value);
	else if (g_str_equal(key, "Discoverable"))
		filter->discoverable = g_variant_get_boolean(value);
	else if (g_str_equal(key, "AutoConnect"))
		filter->auto_connect = g_variant_get_boolean(value);
	else
		return FALSE;
	return TRUE;
}

gboolean
sim_discovery_filter_parse(GVariant *dict, SimDiscoveryFilter **out)
{
	g_autoptr(SimDiscoveryFilter) filter = g_new0(SimDiscoveryFilter, 1);
	GVariantIter iter;
	const char *key;
	GVariant *value;
	gboolean empty = TRUE;

	filter->transport = g_strdup("auto");
	g_variant_iter_init(&iter, dict);
	while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
		empty = FALSE;
		if (!parse_entry(key, value, filter)) {
			g_variant_unref(value);
			return FALSE;
		}
	}
	/* RSSI or Pathloss, never both. */
	if (filter->has_rssi && filter->has_pathloss)
		return FALSE;
	*out = empty ? NULL : g_steal_pointer(&filter);
	return TRUE;
}

gboolean
sim_discovery_filter_match(const SimDiscoveryFilter *filter, const char *address,
			   const char *name, const char *const *uuids,
			   gint16 rssi)
{
	if (!filter)
		return TRUE;
	if (g_str_equal(filter->transport, "bredr"))
		return FALSE;
	if (filter->uuids && filter->uuids[0]) {
		gboolean found = FALSE;

		for (guint i = 0; uuids && uuids[i] && !found; i++)
			found = g_strv_contains((const char *const *)filter->uuids,
						uuids[i]);
		if (!found)
			return FALSE;
	}
	if (filter->has_rssi && rssi <= filter->rssi)
		return FALSE;
	/* Pathloss needs the advertised TX power, which a roller leaves out. */
	if (filter->has_pathloss)
		return FALSE;
	if (filter->pattern && *filter->pattern &&
	    !g_str_has_prefix(address, filter->pattern) &&
	    !(name && g_str_has_prefix(name, filter->pattern)))
		return FALSE;
	return TRUE;
}
