/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "daemon/rd-log-limit.h"
#include "rd-call-guard.h"

struct _RdCallGuard {
	GDBusConnection *bus;
	guint filter_id;
	GMutex lock;
	/* unique name -> calls dispatched and not yet answered */
	GHashTable *pending;
	/* "name serial" of each such call, so that only its reply counts */
	GHashTable *calls;
	guint refused;
	RdLogLimit log_limit;
};

static char *
call_key(const char *sender, guint32 serial)
{
	return g_strdup_printf("%s %u", sender, serial);
}

/* Why a call must go no further, or NULL. */
static const char *
check_call(RdCallGuard *guard, GDBusMessage *msg, const char **error_name)
{
	GVariant *body = g_dbus_message_get_body(msg);
	const char *path = g_dbus_message_get_path(msg);
	const char *iface = g_dbus_message_get_interface(msg);
	const char *sender = g_dbus_message_get_sender(msg);

	*error_name = "org.rollerd.Error.InvalidArguments";
	if (body && g_variant_get_size(body) > RD_CALL_MAX_ARG_BYTES)
		return "The arguments are too large (at most 64 KiB)";
	if (path && strlen(path) > RD_CALL_MAX_NAME_BYTES)
		return "No such object";
	/* GDBus's own answer would repeat the name it did not find. */
	if (body && g_strcmp0(iface, "org.freedesktop.DBus.Properties") == 0) {
		gsize n = g_variant_n_children(body);

		for (gsize i = 0; i < n && i < 2; i++) {
			g_autoptr(GVariant) child = g_variant_get_child_value(body, i);

			if (g_variant_is_of_type(child, G_VARIANT_TYPE_STRING) &&
			    g_variant_get_size(child) > RD_CALL_MAX_NAME_BYTES + 1)
				return "No such interface or property";
		}
	}
	if (sender && GPOINTER_TO_UINT(g_hash_table_lookup(guard->pending, sender)) >=
		      RD_CALL_MAX_PENDING) {
		*error_name = "org.freedesktop.DBus.Error.LimitsExceeded";
		return "Too many calls at once: wait for the answers";
	}
	return NULL;
}

static void
note_refused(RdCallGuard *guard, const char *sender, const char *why)
{
	guint skipped;

	guard->refused++;
	if (rd_log_limit_allow(&guard->log_limit, g_get_monotonic_time(), &skipped))
		g_message("Refused a call from %s: %s (and %u more not logged)",
			  sender ? sender : "?", why, skipped);
}

static void
track_reply(RdCallGuard *guard, GDBusMessage *msg)
{
	const char *dest = g_dbus_message_get_destination(msg);
	g_autofree char *key = NULL;
	guint n;

	if (!dest)
		return;
	key = call_key(dest, g_dbus_message_get_reply_serial(msg));
	if (!g_hash_table_remove(guard->calls, key))
		return;
	n = GPOINTER_TO_UINT(g_hash_table_lookup(guard->pending, dest));
	if (n <= 1)
		g_hash_table_remove(guard->pending, dest);
	else
		g_hash_table_insert(guard->pending, g_strdup(dest), GUINT_TO_POINTER(n - 1));
}

static GDBusMessage *
filter(GDBusConnection *bus, GDBusMessage *msg, gboolean incoming, gpointer user_data)
{
	RdCallGuard *guard = user_data;
	GDBusMessageType type = g_dbus_message_get_message_type(msg);
	const char *sender, *why, *error_name;
	gboolean wants_reply;

	if (!incoming) {
		if (type == G_DBUS_MESSAGE_TYPE_METHOD_RETURN || type == G_DBUS_MESSAGE_TYPE_ERROR) {
			g_mutex_lock(&guard->lock);
			track_reply(guard, msg);
			g_mutex_unlock(&guard->lock);
		}
		return msg;
	}
	if (type != G_DBUS_MESSAGE_TYPE_METHOD_CALL)
		return msg;
	sender = g_dbus_message_get_sender(msg);
	wants_reply = !(g_dbus_message_get_flags(msg) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);
	g_mutex_lock(&guard->lock);
	why = check_call(guard, msg, &error_name);
	if (why) {
		note_refused(guard, sender, why);
	} else if (sender && wants_reply) {
		guint n = GPOINTER_TO_UINT(g_hash_table_lookup(guard->pending, sender));

		g_hash_table_insert(guard->pending, g_strdup(sender), GUINT_TO_POINTER(n + 1));
		g_hash_table_add(guard->calls, call_key(sender, g_dbus_message_get_serial(msg)));
	}
	g_mutex_unlock(&guard->lock);
	if (!why)
		return msg;
	if (wants_reply) {
		g_autoptr(GDBusMessage) reply =
			g_dbus_message_new_method_error_literal(msg, error_name, why);

		g_dbus_connection_send_message(bus, reply, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
					       NULL, NULL);
	}
	g_object_unref(msg);
	return NULL;
}

static void
destroy(gpointer user_data)
{
	RdCallGuard *guard = user_data;

	g_object_unref(guard->bus);
	g_hash_table_destroy(guard->pending);
	g_hash_table_destroy(guard->calls);
	g_mutex_clear(&guard->lock);
	g_free(guard);
}

RdCallGuard *
rd_call_guard_new(GDBusConnection *bus)
{
	RdCallGuard *guard = g_new0(RdCallGuard, 1);

	g_mutex_init(&guard->lock);
	guard->bus = g_object_ref(bus);
	guard->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	guard->calls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	guard->filter_id = g_dbus_connection_add_filter(bus, filter, guard, destroy);
	return guard;
}

void
rd_call_guard_free(RdCallGuard *guard)
{
	/* The filter may be running in the worker thread right now: GDBus
	 * calls destroy() once it no longer does. */
	if (guard)
		g_dbus_connection_remove_filter(guard->bus, guard->filter_id);
}

guint
rd_call_guard_get_refused(RdCallGuard *guard)
{
	guint n;

	g_mutex_lock(&guard->lock);
	n = guard->refused;
	g_mutex_unlock(&guard->lock);
	return n;
}
