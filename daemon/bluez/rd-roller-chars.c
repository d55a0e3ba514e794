/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "rd-roller-chars.h"
#include "roller-proto.h"

struct _RdRollerChars {
	GDBusProxy *chr[RD_CHAR_COUNT];
	RdGattNotify *notify[RD_CHAR_COUNT];
};

static const struct {
	RdChar id;
	const char *service;
	const char *uuid;
	gboolean required;
} char_table[] = {
	{ RD_CHAR_TELEMETRY, ROLLER_UUID_SERVICE, ROLLER_UUID_TELEMETRY, TRUE },
	{ RD_CHAR_CONTROL_POINT, ROLLER_UUID_SERVICE, ROLLER_UUID_CONTROL_POINT, TRUE },
	{ RD_CHAR_RECORD_TRANSFER, ROLLER_UUID_SERVICE, ROLLER_UUID_RECORD_TRANSFER, TRUE },
	{ RD_CHAR_ROLLER_INFO, ROLLER_UUID_SERVICE, ROLLER_UUID_ROLLER_INFO, TRUE },
	{ RD_CHAR_STATUS, ROLLER_UUID_SERVICE, ROLLER_UUID_STATUS, TRUE },
	{ RD_CHAR_BATTERY_LEVEL, ROLLER_UUID_BATTERY, ROLLER_UUID_BATTERY_LEVEL, FALSE },
	{ RD_CHAR_SERIAL, ROLLER_UUID_DEVICE_INFO, ROLLER_UUID_SERIAL_NUMBER, FALSE },
	{ RD_CHAR_MODEL, ROLLER_UUID_DEVICE_INFO, ROLLER_UUID_MODEL_NUMBER, FALSE },
	{ RD_CHAR_FIRMWARE, ROLLER_UUID_DEVICE_INFO, ROLLER_UUID_FIRMWARE_REV, FALSE },
};

RdRollerChars *
rd_roller_chars_new(void)
{
	return g_new0(RdRollerChars, 1);
}

void
rd_roller_chars_free(RdRollerChars *chars)
{
	if (!chars)
		return;
	rd_roller_chars_clear(chars);
	g_free(chars);
}

const char *
rd_roller_chars_resolve(RdRollerChars *chars, RdBluez *bluez, const char *device_path,
			guint wanted)
{
	for (gsize i = 0; i < G_N_ELEMENTS(char_table); i++) {
		RdChar id = char_table[i].id;

		if (!chars->chr[id])
			chars->chr[id] = rd_bluez_find_characteristic(bluez, device_path,
								      char_table[i].service,
								      char_table[i].uuid);
		if (!chars->chr[id] && (char_table[i].required || (wanted & (1u << id))))
			return char_table[i].uuid;
	}
	return NULL;
}

GDBusProxy *
rd_roller_chars_get(RdRollerChars *chars, RdChar id)
{
	return chars->chr[id];
}

guint
rd_roller_chars_found(RdRollerChars *chars)
{
	guint found = 0;

	for (gsize i = 0; i < RD_CHAR_COUNT; i++) {
		if (chars->chr[i])
			found |= 1u << i;
	}
	return found;
}

void
rd_roller_chars_subscribe(RdRollerChars *chars, RdChar id, gboolean acquire,
			  RdGattValueFunc value_func, RdGattClosedFunc closed_func,
			  gpointer user_data)
{
	if (!chars->chr[id])
		return;
	if (chars->notify[id] &&
	    rd_gatt_notify_get_path(chars->notify[id]) != RD_GATT_NOTIFY_FAILED)
		return;
	g_clear_pointer(&chars->notify[id], rd_gatt_notify_free);
	chars->notify[id] = rd_gatt_notify_new(chars->chr[id], acquire, value_func,
					       closed_func, user_data);
}

gboolean
rd_roller_chars_remove(RdRollerChars *chars, const char *path)
{
	for (gsize i = 0; i < RD_CHAR_COUNT; i++) {
		if (chars->chr[i] &&
		    g_str_equal(g_dbus_proxy_get_object_path(chars->chr[i]), path)) {
			/* Its object is gone, and with it bluetoothd's side of
			 * the subscription. */
			g_clear_pointer(&chars->notify[i], rd_gatt_notify_free);
			g_clear_object(&chars->chr[i]);
			return TRUE;
		}
	}
	return FALSE;
}

void
rd_roller_chars_clear(RdRollerChars *chars)
{
	for (gsize i = 0; i < RD_CHAR_COUNT; i++) {
		g_clear_pointer(&chars->notify[i], rd_gatt_notify_free);
		g_clear_object(&chars->chr[i]);
	}
}
