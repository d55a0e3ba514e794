/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "rd-pairing.h"
#include "rd-bluez.h"
#include "rd-gatt.h"
#include "common/rd-error.h"

/* Longer than SMP's own 30 s timeout, so that bluetoothd answers first. */
#define PAIR_TIMEOUT_MS 40000

typedef struct {
	RdAgent *agent;
	GDBusProxy *device;
} SecureData;

static void
secure_data_free(gpointer data)
{
	SecureData *s = data;

	rd_agent_expect(s->agent, g_dbus_proxy_get_object_path(s->device), FALSE);
	g_object_unref(s->device);
	g_free(s);
}

static gboolean
needs_pairing(const GError *error)
{
	g_autofree char *remote = g_dbus_error_get_remote_error(error);

	return g_strcmp0(remote, "org.bluez.Error.NotPermitted") == 0 &&
	       strstr(error->message, "Not paired") != NULL;
}

static void
on_paired(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);

	if (g_task_return_error_if_cancelled(task))
		return;
	/*
	 * bluetoothd may have bonded by itself, on the same Insufficient
	 * Encryption, while the read's error was on its way; 5.66 then
	 * takes Pair for a BR/EDR pairing, which fails.  The bond is what
	 * counts.
	 */
	if (!ret && rd_bluez_get_bool(G_DBUS_PROXY(source), "Bonded")) {
		g_message("Roller %s: bluetoothd had bonded it already",
			  g_dbus_proxy_get_object_path(G_DBUS_PROXY(source)));
		g_task_return_boolean(task, TRUE);
		return;
	}
	if (!ret) {
		g_autoptr(GError) mapped = rd_bluez_error_to_rd(error, "Pairing");

		/* Whatever BlueZ said, even no answer in time: not paired. */
		g_task_return_new_error(task, RD_ERROR, RD_ERROR_PAIRING_FAILED, "%s",
					mapped->message);
		return;
	}
	g_message("Roller %s: paired%s", g_dbus_proxy_get_object_path(G_DBUS_PROXY(source)),
		  rd_bluez_get_bool(G_DBUS_PROXY(source), "Bonded") ? " and bonded" : "");
	g_task_return_boolean(task, TRUE);
}

static void
on_probe_read(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) value = rd_gatt_read_finish(G_DBUS_PROXY(source), res, &error);
	SecureData *s = g_task_get_task_data(task);
	GCancellable *cancellable;

	if (g_task_return_error_if_cancelled(task))
		return;
	/* Bonded meanwhile: bluetoothd paired on its own as the read failed. */
	if (value || !needs_pairing(error) || rd_bluez_get_bool(s->device, "Bonded")) {
		g_task_return_boolean(task, TRUE);
		return;
	}
	if (rd_bluez_get_bool(s->device, "Paired")) {
		g_task_return_new_error(task, RD_ERROR, RD_ERROR_PAIRING_FAILED,
					"the roller is paired without a bond and its link is "
					"not encrypted: forget it and connect again");
		return;
	}
	g_message("Roller %s: its link needs encryption: pairing",
		  g_dbus_proxy_get_object_path(s->device));
	rd_agent_expect(s->agent, g_dbus_proxy_get_object_path(s->device), TRUE);
	cancellable = g_task_get_cancellable(task);
	g_dbus_proxy_call(s->device, "Pair", NULL, G_DBUS_CALL_FLAGS_NONE, PAIR_TIMEOUT_MS,
			  cancellable, on_paired, g_steal_pointer(&task));
}

void
rd_pairing_secure(RdAgent *agent, GDBusProxy *device, GDBusProxy *roller_info,
		  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
	SecureData *s = g_new0(SecureData, 1);

	s->agent = agent;
	s->device = g_object_ref(device);
	g_task_set_task_data(task, s, secure_data_free);
	if (rd_bluez_get_bool(device, "Bonded") || !roller_info) {
		g_task_return_boolean(task, TRUE);
		return;
	}
	rd_gatt_read(roller_info, cancellable, on_probe_read, g_steal_pointer(&task));
}

gboolean
rd_pairing_secure_finish(GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}

static void
on_device_removed(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source),
								res, &error);
	g_autofree char *device = user_data;

	if (ret)
		g_message("Removed %s and its bond from BlueZ", device);
	else
		g_message("Cannot remove %s from BlueZ: %s", device, error->message);
}

void
rd_pairing_remove_bond(GDBusProxy *device)
{
	g_autofree char *adapter = rd_bluez_get_string(device, "Adapter");
	const char *path = g_dbus_proxy_get_object_path(device);

	if (!adapter || (!rd_bluez_get_bool(device, "Paired") &&
			 !rd_bluez_get_bool(device, "Bonded")))
		return;
	g_dbus_connection_call(g_dbus_proxy_get_connection(device), BLUEZ_SERVICE, adapter,
			       BLUEZ_ADAPTER_IFACE, "RemoveDevice", g_variant_new("(o)", path),
			       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_device_removed,
			       g_strdup(path));
}
