/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * org.rollerd.Sim1 at /org/rollerd/sim: the handle tests hold on the
 * simulator, on the connection that owns org.bluez (mock mode), outside
 * /org/bluez and outside its ObjectManager.  docs/roller-sim.md documents
 * it.
 */
#pragma once

#include <gio/gio.h>

#define SIM_CONTROL_PATH "/org/rollerd/sim"
#define SIM_CONTROL_INTERFACE "org.rollerd.Sim1"

typedef struct {
	/* Each returns FALSE with @error set to refuse. */
	gboolean (*press_button)(gpointer user_data, const char *address,
				 GError **error);
	gboolean (*restart)(gpointer user_data, guint delay_ms, GError **error);
	gboolean (*disconnect_device)(gpointer user_data, const char *address,
				      GError **error);
	gboolean (*restart_gatt)(gpointer user_data, const char *address,
				 guint delay_ms, GError **error);
	gboolean (*change_service)(gpointer user_data, const char *address,
				   const char *uuid, guint delay_ms, GError **error);
	gboolean (*set_fault)(gpointer user_data, const char *name,
			      GVariant *value, GError **error);
	/* (ax): when each Connect of the roller at @address came, in
	 * g_get_monotonic_time() microseconds; NULL with @error to refuse. */
	GVariant *(*connect_calls)(gpointer user_data, const char *address,
				   GError **error);
	/* (as): what the central did to the roller at @address that would
	 * crash a real bluetoothd; NULL with @error to refuse. */
	GVariant *(*hazards)(gpointer user_data, const char *address,
			     GError **error);
	/* (a(so)a(so)): GATT applications and advertisements registered
	 * with the mock adapter, as (owner, path). */
	GVariant *(*registrations)(gpointer user_data);
	/* (uu): Device1.Pair calls of the roller at @address and pairings
	 * completed, (0, 0) when there is no device; NULL with @error. */
	GVariant *(*pairings)(gpointer user_data, const char *address,
			      GError **error);
	/* (a(sos)): agents registered, as (owner, path, capability), the
	 * default one first. */
	GVariant *(*agents)(gpointer user_data);
} SimControlHandlers;

/* Returns the registration id, 0 on error. */
guint sim_control_register(GDBusConnection *connection,
			   const SimControlHandlers *handlers,
			   gpointer user_data, GError **error);
