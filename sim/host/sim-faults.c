/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "sim-faults.h"
#include "sim-hostile.h"
#include "sim/gatt/sim-iface.h"

/*
 * Why bluetoothd's characteristic_acquire_notify() refuses, each with
 * its message: no "notify" property, a socket acquired already (by any
 * client), a StartNotify session of any client, no GATT client yet.
 */
static const struct {
	const char *name;
	const char *message;
} acquire_errors[] = {
	{ "NotSupported", "Operation is not supported" },
	{ "NotPermitted", "Notify acquired" },
	{ "InProgress", "In Progress" },
	{ "Failed", "Not connected" },
};

static gboolean
set_acquire_error(SimFaults *faults, const char *name)
{
	if (!*name) {
		faults->refuse_acquire_notify = NULL;
		return TRUE;
	}
	for (gsize i = 0; i < G_N_ELEMENTS(acquire_errors); i++) {
		if (g_str_equal(acquire_errors[i].name, name)) {
			faults->refuse_acquire_notify = acquire_errors[i].name;
			return TRUE;
		}
	}
	return FALSE;
}

const char *
sim_faults_acquire_notify_message(const SimFaults *faults)
{
	for (gsize i = 0; i < G_N_ELEMENTS(acquire_errors); i++) {
		if (faults->refuse_acquire_notify == acquire_errors[i].name)
			return acquire_errors[i].message;
	}
	return NULL;
}

static gboolean
get_integer(GVariant *value, guint64 *out)
{
	if (g_variant_is_of_type(value, G_VARIANT_TYPE_BYTE))
		*out = g_variant_get_byte(value);
	else if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT16))
		*out = g_variant_get_uint16(value);
	else if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32))
		*out = g_variant_get_uint32(value);
	else if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT64))
		*out = g_variant_get_uint64(value);
	else if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT16) &&
		 g_variant_get_int16(value) >= 0)
		*out = (guint64)g_variant_get_int16(value);
	else if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT32) &&
		 g_variant_get_int32(value) >= 0)
		*out = (guint64)g_variant_get_int32(value);
	else if (g_variant_is_of_type(value, G_VARIANT_TYPE_INT64) &&
		 g_variant_get_int64(value) >= 0)
		*out = (guint64)g_variant_get_int64(value);
	else
		return FALSE;
	return TRUE;
}

gboolean
sim_faults_set(SimFaults *faults, const char *name, GVariant *value,
	       GError **error)
{
	gboolean is_bool = g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN);
	guint64 number = 0;

	if (g_str_equal(name, "early-resolved") && is_bool) {
		faults->early_resolved = g_variant_get_boolean(value);
	} else if (g_str_equal(name, "reorder-records") && is_bool) {
		faults->reorder_records = g_variant_get_boolean(value);
	} else if (g_str_equal(name, "reorder-telemetry") && is_bool) {
		faults->reorder_telemetry = g_variant_get_boolean(value);
	} else if (g_str_equal(name, "refuse-pairing") && is_bool) {
		faults->refuse_pairing = g_variant_get_boolean(value);
	} else if (g_str_equal(name, "pairing-timeout") && is_bool) {
		faults->pairing_timeout = g_variant_get_boolean(value);
	} else if (g_str_equal(name, "no-security-raise") && is_bool) {
		faults->no_security_raise = g_variant_get_boolean(value);
	} else if (g_str_equal(name, "refuse-connect") && is_bool) {
		faults->refuse_connect = g_variant_get_boolean(value);
	} else if (g_str_equal(name, "hostile-frames") &&
		   g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
		if (!sim_hostile_kind_from_string(g_variant_get_string(value, NULL),
						  &faults->hostile_frames))
			goto invalid;
	} else if (g_str_equal(name, "refuse-acquire-notify") &&
		   g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
		if (!set_acquire_error(faults, g_variant_get_string(value, NULL)))
			goto invalid;
	} else if (!is_bool && get_integer(value, &number)) {
		if (g_str_equal(name, "drop-notify") && number <= 100) {
			faults->drop_notify_percent = (guint)number;
		} else if (g_str_equal(name, "refuse-connect") && number <= G_MAXUINT) {
			faults->refuse_connect = (guint)number;
		} else if (g_str_equal(name, "disconnect-after-bytes")) {
			faults->disconnect_after_bytes = number;
		} else if (g_str_equal(name, "drop-record") && number <= G_MAXUINT) {
			faults->drop_record = (guint)number;
		} else if (g_str_equal(name, "corrupt-chunk") && number <= G_MAXUINT) {
			faults->corrupt_chunk = (guint)number;
		} else if (g_str_equal(name, "late-write-reply-ms") && number <= 60000) {
			faults->late_write_reply_ms = (guint)number;
		} else if (g_str_equal(name, "flood") && number >= 1 && number <= 100) {
			faults->flood = (guint)number;
		} else if (g_str_equal(name, "delay-ms") && number <= 60000) {
			faults->delay_ms = (guint)number;
			sim_iface_set_call_delay(faults->delay_ms);
		} else {
			goto invalid;
		}
	} else {
		goto invalid;
	}
	faults->generation++;
	g_debug("fault %s set", name);
	return TRUE;

invalid:
	g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
		    "No fault \"%s\" taking a %s", name,
		    g_variant_get_type_string(value));
	return FALSE;
}
