/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the GATT tree's handlers share: the link, its hints, the hazards. */
#include "config.h"

#include "sim-gatt-char.h"

gboolean
sim_gatt_tree_link_is_up(struct sim_gatt_tree *tree)
{
	return sim_roller_is_connected(tree->roller);
}

void
sim_gatt_tree_hint_link(struct sim_gatt_tree *tree, GVariant *options)
{
	const char *device = NULL;
	guint16 mtu = 0;

	if (tree->mock || !tree->link_hint)
		return;
	if (options) {
		g_variant_lookup(options, "device", "&o", &device);
		g_variant_lookup(options, "mtu", "q", &mtu);
	}
	tree->link_hint(tree->link_hint_data, device, mtu);
}

/*
 * An unsubscribe sends a CCCD write.  bluetoothd (5.66 to at least 5.87,
 * bluez/bluez#363) frees the characteristic's notify state when a Service
 * Changed removes it, without cancelling that write, and its answer then
 * crashes bluetoothd: the VM saw it.
 */
void
sim_gatt_char_check_unsubscribe(struct sim_gatt_char *chr, const char *how)
{
	struct sim_gatt_tree *tree = chr->tree;
	char *hazard;

	if (!tree->changing || !chr->object)
		return;
	hazard = g_strdup_printf("%s: %s while a Service Changed was removing the services: "
				 "a real bluetoothd crashes on the answer to its CCCD write "
				 "(bluez/bluez#363)", chr->path, how);
	g_message("Hazard: %s", hazard);
	g_ptr_array_add(tree->hazards, hazard);
}
