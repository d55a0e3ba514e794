/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SimIface handlers of the GATT tree's objects: reads and writes,
 * and the dispatch of GattCharacteristic1's methods.
 */
#pragma once

#include "sim-gatt-char.h"

/* User data: the struct sim_gatt_char (of a CCCD: its characteristic's). */
void sim_gatt_char_method(SimIface *iface, const char *method,
			  GVariant *params, GDBusMethodInvocation *invocation,
			  gpointer user_data);
void sim_gatt_cccd_method(SimIface *iface, const char *method,
			  GVariant *params, GDBusMethodInvocation *invocation,
			  gpointer user_data);
gboolean sim_gatt_char_set_property(SimIface *iface, const char *property,
				    GVariant *value, GError **error,
				    gpointer user_data);
/* User data: the struct sim_gatt_tree. */
gboolean sim_gatt_service_set_property(SimIface *iface, const char *property,
				       GVariant *value, GError **error,
				       gpointer user_data);
