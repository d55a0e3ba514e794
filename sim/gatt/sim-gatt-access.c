/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reads and writes of the GATT tree: ReadValue and WriteValue of
 * characteristics and CCCDs, with the answers and errors of bluetoothd
 * (mock mode, src/gatt-client.c) or of an application to bluetoothd
 * (peripheral mode, read back by src/gatt-database.c), and the dispatch
 * of every GattCharacteristic1 method.
 */
#include "config.h"

#include "roller-proto.h"
#include "sim-gatt-access.h"
#include "sim-gatt-notify.h"

/* Errors as a central sees them: src/gatt-client.c's
 * create_gatt_dbus_error() for an ATT error from the roller. */
static void
return_att_error_to_central(GDBusMethodInvocation *invocation, guint8 ecode)
{
	g_autofree char *message = NULL;

	switch (ecode) {
	case MODEL_ATT_READ_NOT_PERMITTED:
		sim_iface_return_bluez_error(invocation, "NotPermitted",
					     "Read not permitted");
		return;
	case MODEL_ATT_WRITE_NOT_PERMITTED:
		sim_iface_return_bluez_error(invocation, "NotPermitted",
					     "Write not permitted");
		return;
	case 0x05: /* insufficient authentication */
	case 0x0c: /* insufficient encryption key size */
	case 0x0f: /* insufficient encryption */
		sim_iface_return_bluez_error(invocation, "NotPermitted",
					     "Not paired");
		return;
	case MODEL_ATT_INVALID_OFFSET:
		sim_iface_return_bluez_error(invocation, "InvalidArguments",
					     "Invalid offset");
		return;
	case MODEL_ATT_INVALID_VALUE_LEN:
		sim_iface_return_bluez_error(invocation, "InvalidArguments",
					     "Invalid Length");
		return;
	case 0x08: /* insufficient authorization */
		sim_iface_return_bluez_error(invocation, "NotAuthorized",
					     "Operation Not Authorized");
		return;
	case ATT_ERROR_REQUEST_NOT_SUPPORTED:
		sim_iface_return_bluez_error(invocation, "NotSupported",
					     "Operation is not supported");
		return;
	default:
		message = g_strdup_printf("Operation failed with ATT error: 0x%02x",
					  ecode);
		sim_iface_return_bluez_error(invocation, "Failed", message);
		return;
	}
}

/* Errors as an application answers bluetoothd: the names
 * src/gatt-database.c's dbus_error_to_att_ecode() turns back into the
 * same ATT error for the central. */
static void
return_att_error_to_bluetoothd(GDBusMethodInvocation *invocation, guint8 ecode)
{
	g_autofree char *code = NULL;

	switch (ecode) {
	case MODEL_ATT_READ_NOT_PERMITTED:
	case MODEL_ATT_WRITE_NOT_PERMITTED:
		sim_iface_return_bluez_error(invocation, "NotPermitted",
					     "Not permitted");
		return;
	case MODEL_ATT_INVALID_OFFSET:
		sim_iface_return_bluez_error(invocation, "InvalidOffset",
					     "Invalid offset");
		return;
	case MODEL_ATT_INVALID_VALUE_LEN:
		sim_iface_return_bluez_error(invocation, "InvalidValueLength",
					     "Invalid value length");
		return;
	case MODEL_ATT_CCCD_IMPROPER:
		sim_iface_return_bluez_error(invocation, "ImproperlyConfigured",
					     "Indications not enabled");
		return;
	case ATT_ERROR_REQUEST_NOT_SUPPORTED:
		sim_iface_return_bluez_error(invocation, "NotSupported",
					     "Not supported");
		return;
	default:
		/* "0x80".."0x9f" pass as they are; anything else becomes
		 * Unlikely Error in bluetoothd. */
		code = g_strdup_printf("0x%02x", ecode);
		sim_iface_return_bluez_error(invocation, "Failed", code);
		return;
	}
}

static void
return_att_error(struct sim_gatt_tree *tree, GDBusMethodInvocation *invocation,
		 guint8 ecode)
{
	if (tree->mock)
		return_att_error_to_central(invocation, ecode);
	else
		return_att_error_to_bluetoothd(invocation, ecode);
}

/* bluetoothd's parse_options(): offset must be a uint16, type a string;
 * other keys are ignored.  *type is newly allocated. */
static gboolean
parse_options(GVariant *options, guint16 *offset, char **type)
{
	GVariantIter iter;
	const char *key;
	GVariant *value;

	g_variant_iter_init(&iter, options);
	while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
		if (g_ascii_strcasecmp(key, "offset") == 0) {
			if (!g_variant_is_of_type(value, G_VARIANT_TYPE_UINT16)) {
				g_variant_unref(value);
				return FALSE;
			}
			*offset = g_variant_get_uint16(value);
		}
		if (type && g_ascii_strcasecmp(key, "type") == 0) {
			if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
				g_variant_unref(value);
				return FALSE;
			}
			g_free(*type);
			*type = g_variant_dup_string(value, NULL);
		}
	}
	return TRUE;
}

/* What the roller's ATT server answers to a read of this value. */
static guint8
read_value(struct sim_gatt_char *chr, guint16 offset, GByteArray *out)
{
	if (!(chr->def->props & PROP_READ))
		return MODEL_ATT_READ_NOT_PERMITTED;
	return sim_roller_read(chr->tree->roller, chr->def->id, offset, out);
}

/* ... and to a write request (or a prepared write at @offset). */
static guint8
write_value(struct sim_gatt_char *chr, const guint8 *data, gsize len,
	    guint16 offset)
{
	if (!(chr->def->props & PROP_WRITE))
		return MODEL_ATT_WRITE_NOT_PERMITTED;
	/* The roller's characteristics are written whole. */
	if (offset)
		return MODEL_ATT_INVALID_OFFSET;
	return sim_roller_write(chr->tree->roller, chr->def->id, data, len);
}

static void
char_read_value(struct sim_gatt_char *chr, GVariant *params,
		GDBusMethodInvocation *invocation)
{
	struct sim_gatt_tree *tree = chr->tree;
	g_autoptr(GVariant) options = NULL;
	g_autoptr(GByteArray) value = g_byte_array_new();
	guint16 offset = 0;
	guint8 ecode;

	g_variant_get(params, "(@a{sv})", &options);
	if (tree->mock && !sim_gatt_tree_link_is_up(tree)) {
		sim_iface_return_bluez_error(invocation, "Failed", "Not connected");
		return;
	}
	if (!parse_options(options, &offset, NULL)) {
		sim_iface_return_bluez_error(invocation, "InvalidArguments",
					     "Invalid arguments in method call");
		return;
	}
	sim_gatt_tree_hint_link(tree, options);
	ecode = read_value(chr, offset, value);
	if (ecode) {
		return_att_error(tree, invocation, ecode);
		return;
	}
	if (tree->mock) {
		/* bluetoothd stores what it read in its cache at @offset,
		 * which Value shows, then answers from the cache. */
		GVariant *cached = sim_iface_get(chr->iface, "Value");
		gsize cached_len = 0;
		const guint8 *old = cached ?
			g_variant_get_fixed_array(cached, &cached_len, 1) : NULL;
		g_autoptr(GByteArray) merged = g_byte_array_new();

		if (offset > cached_len) {
			return_att_error(tree, invocation, ATT_ERROR_UNLIKELY);
			return;
		}
		g_byte_array_append(merged, old, offset);
		g_byte_array_append(merged, value->data, value->len);
		sim_iface_set_always(chr->iface, "Value",
				     g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE,
							       merged->data,
							       merged->len, 1));
	}
	g_dbus_method_invocation_return_value(invocation,
		g_variant_new("(@ay)",
			      g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE,
							value->data, value->len,
							1)));
}

static gboolean
return_late(gpointer invocation)
{
	g_dbus_method_invocation_return_value(invocation, NULL);
	return G_SOURCE_REMOVE;
}

/* src/gatt-client.c's characteristic_write_value(), the procedure
 * chosen from the type option and the characteristic's properties. */
static void
char_write_value_mock(struct sim_gatt_char *chr, const guint8 *data, gsize len,
		      guint16 offset, const char *type,
		      GDBusMethodInvocation *invocation)
{
	guint8 props = chr->def->props;
	guint late_ms = sim_roller_get_faults(chr->tree->roller)->late_write_reply_ms;
	guint8 ecode;

	if (chr->service->claimed) {
		sim_iface_return_bluez_error(invocation, "NotAuthorized",
					     "Operation Not Authorized");
		return;
	}
	/* No roller characteristic has reliable-write in its extended
	 * properties, so only an explicit "reliable" takes this way. */
	if ((type && g_ascii_strcasecmp(type, "reliable") == 0) ||
	    (!type && (props & PROP_WRITE)) ||
	    (type && g_ascii_strcasecmp(type, "request") == 0)) {
		ecode = write_value(chr, data, len, offset);
		if (ecode)
			return_att_error(chr->tree, invocation, ecode);
		else if (late_ms)
			g_timeout_add(late_ms, return_late, invocation);
		else
			g_dbus_method_invocation_return_value(invocation, NULL);
		return;
	}
	if (!(type && g_ascii_strcasecmp(type, "command") != 0) && !offset &&
	    !(!type && !(props & PROP_WRITE_NO_RSP))) {
		/* A write command gets no answer: the roller acts on it
		 * only where write-without-response is allowed, and no
		 * roller characteristic allows it, so it is dropped. */
		if (props & PROP_WRITE_NO_RSP)
			sim_roller_write(chr->tree->roller, chr->def->id, data, len);
		g_dbus_method_invocation_return_value(invocation, NULL);
		return;
	}
	/* bluetoothd says Failed only when the procedure it chose could
	 * not start, which cannot happen here. */
	sim_iface_return_bluez_error(invocation, "NotSupported",
				     "Operation is not supported");
}

static void
char_write_value(struct sim_gatt_char *chr, GVariant *params,
		 GDBusMethodInvocation *invocation)
{
	struct sim_gatt_tree *tree = chr->tree;
	g_autoptr(GVariant) value = NULL;
	g_autoptr(GVariant) options = NULL;
	g_autofree char *type = NULL;
	guint16 offset = 0;
	const guint8 *data;
	gsize len;
	guint8 ecode;

	g_variant_get(params, "(@ay@a{sv})", &value, &options);
	data = g_variant_get_fixed_array(value, &len, 1);
	if (tree->mock && !sim_gatt_tree_link_is_up(tree)) {
		sim_iface_return_bluez_error(invocation, "Failed", "Not connected");
		return;
	}
	if (!parse_options(options, &offset, &type)) {
		sim_iface_return_bluez_error(invocation, "InvalidArguments",
					     "Invalid arguments in method call");
		return;
	}
	if (tree->mock) {
		char_write_value_mock(chr, data, len, offset, type, invocation);
		return;
	}
	/* Peripheral: bluetoothd has checked the permissions already. */
	sim_gatt_tree_hint_link(tree, options);
	ecode = write_value(chr, data, len, offset);
	if (ecode)
		return_att_error(tree, invocation, ecode);
	else
		g_dbus_method_invocation_return_value(invocation, NULL);
}

static void
dispatch_char_method(struct sim_gatt_char *chr, const char *method, GVariant *params,
		     GDBusMethodInvocation *invocation)
{
	g_autoptr(GVariant) options = NULL;

	if (g_str_equal(method, "ReadValue")) {
		char_read_value(chr, params, invocation);
	} else if (g_str_equal(method, "WriteValue")) {
		char_write_value(chr, params, invocation);
	} else if (g_str_equal(method, "StartNotify")) {
		sim_gatt_start_notify(chr, invocation);
	} else if (g_str_equal(method, "StopNotify")) {
		sim_gatt_stop_notify(chr, invocation);
	} else if (g_str_equal(method, "AcquireNotify")) {
		g_variant_get(params, "(@a{sv})", &options);
		sim_gatt_acquire_notify(chr, options, invocation);
	} else if (g_str_equal(method, "AcquireWrite")) {
		g_variant_get(params, "(@a{sv})", &options);
		sim_gatt_acquire_write(chr, options, invocation);
	} else if (g_str_equal(method, "Confirm") &&
		   !chr->tree->mock) {
		/* An indication was confirmed; the roller does not wait. */
		g_dbus_method_invocation_return_value(invocation, NULL);
	} else {
		/* Confirm on bluetoothd's objects: not in its method table. */
		g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR,
						      G_DBUS_ERROR_UNKNOWN_METHOD,
						      "Method \"%s\" doesn't exist",
						      method);
	}
}

/* An access waiting for the link's security (SimGattHost's secure). */
struct secured_access {
	struct sim_gatt_char *chr;
	char *method;
	GVariant *params;
	GDBusMethodInvocation *invocation;
};

static void
on_secured(gpointer data, const char *error_name, const char *message)
{
	struct secured_access *a = data;

	if (error_name)
		sim_iface_return_bluez_error(a->invocation, error_name, message);
	else
		dispatch_char_method(a->chr, a->method, a->params, a->invocation);
	g_variant_unref(a->params);
	g_free(a->method);
	g_free(a);
}

/* Whether bluetoothd sends the roller an ATT request for this call, the
 * only way an Insufficient Encryption can come back: not for a write
 * command, a bad option, nor AcquireWrite (src/gatt-client.c gives the
 * socket without asking the roller). */
static gboolean
sends_att_request(struct sim_gatt_char *chr, const char *method, GVariant *params)
{
	static const char *const accesses[] = {
		"ReadValue", "WriteValue", "StartNotify", "AcquireNotify", NULL,
	};
	g_autoptr(GVariant) value = NULL;
	g_autoptr(GVariant) options = NULL;
	g_autofree char *type = NULL;
	guint16 offset = 0;

	if (!g_strv_contains(accesses, method))
		return FALSE;
	if (!g_str_equal(method, "WriteValue"))
		return TRUE;
	g_variant_get(params, "(@ay@a{sv})", &value, &options);
	if (!parse_options(options, &offset, &type))
		return FALSE;
	/* characteristic_write_value(): reliable and request writes wait
	 * for an answer; the rest go as commands or are not supported. */
	return (type && (g_ascii_strcasecmp(type, "reliable") == 0 ||
			 g_ascii_strcasecmp(type, "request") == 0)) ||
	       (!type && (chr->def->props & PROP_WRITE));
}

static gboolean
needs_security(struct sim_gatt_char *chr, const char *method, GVariant *params)
{
	return chr->tree->secure && g_str_equal(chr->service->uuid, ROLLER_UUID_SERVICE) &&
	       sim_gatt_tree_link_is_up(chr->tree) && sends_att_request(chr, method, params);
}

void
sim_gatt_char_method(SimIface *iface, const char *method, GVariant *params,
	    GDBusMethodInvocation *invocation, gpointer user_data)
{
	struct sim_gatt_char *chr = user_data;
	struct secured_access *a;

	g_debug("%s.%s", chr->path, method);
	if (!needs_security(chr, method, params)) {
		dispatch_char_method(chr, method, params, invocation);
		return;
	}
	a = g_new0(struct secured_access, 1);
	a->chr = chr;
	a->method = g_strdup(method);
	a->params = g_variant_ref(params);
	a->invocation = invocation;
	chr->tree->secure(chr->tree->link_hint_data, on_secured, a);
}

void
sim_gatt_cccd_method(SimIface *iface, const char *method, GVariant *params,
	    GDBusMethodInvocation *invocation, gpointer user_data)
{
	struct sim_gatt_char *chr = user_data;
	g_autoptr(GVariant) options = NULL;
	g_autoptr(GVariant) value = NULL;
	guint16 offset = 0;
	guint8 cccd[2];

	g_debug("%s.%s", chr->cccd_path, method);
	if (!sim_gatt_tree_link_is_up(chr->tree)) {
		sim_iface_return_bluez_error(invocation, "Failed", "Not connected");
		return;
	}
	if (g_str_equal(method, "ReadValue")) {
		g_variant_get(params, "(@a{sv})", &options);
	} else {
		g_variant_get(params, "(@ay@a{sv})", &value, &options);
	}
	if (!parse_options(options, &offset, NULL)) {
		sim_iface_return_bluez_error(invocation, "InvalidArguments",
					     "Invalid arguments in method call");
		return;
	}
	if (!g_str_equal(method, "ReadValue")) {
		/* bluetoothd keeps CCCDs to itself: StartNotify writes them. */
		sim_iface_return_bluez_error(invocation, chr->service->claimed ?
					     "NotAuthorized" : "NotPermitted",
					     chr->service->claimed ?
					     "Operation Not Authorized" :
					     "Write not permitted");
		return;
	}
	roller_put_le16(cccd, sim_gatt_notify_cccd_value(chr));
	if (offset > sizeof(cccd)) {
		return_att_error(chr->tree, invocation, MODEL_ATT_INVALID_OFFSET);
		return;
	}
	sim_iface_set_always(chr->cccd_iface, "Value",
			     g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, cccd,
						       sizeof(cccd), 1));
	g_dbus_method_invocation_return_value(invocation,
		g_variant_new("(@ay)",
			      g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE,
							cccd + offset,
							sizeof(cccd) - offset, 1)));
}

/* Properties.Set: bluetoothd's objects have no writable property;
 * bluetoothd may write Handle on an application's. */
static gboolean
set_property(struct sim_gatt_tree *tree, SimIface *iface, const char *property,
	     GVariant *value, GError **error)
{
	if (!tree->mock && g_str_equal(property, "Handle")) {
		sim_iface_set(iface, property, g_variant_ref(value));
		return TRUE;
	}
	g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY,
		    "Property '%s' is not writable", property);
	return FALSE;
}

gboolean
sim_gatt_service_set_property(SimIface *iface, const char *property, GVariant *value,
			      GError **error, gpointer user_data)
{
	return set_property(user_data, iface, property, value, error);
}

gboolean
sim_gatt_char_set_property(SimIface *iface, const char *property, GVariant *value,
			   GError **error, gpointer user_data)
{
	struct sim_gatt_char *chr = user_data;

	return set_property(chr->tree, iface, property, value, error);
}
