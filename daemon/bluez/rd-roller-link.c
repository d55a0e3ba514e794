/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The link to one roller.  Connect, wait until BlueZ has resolved the GATT
 * database and exported every characteristic we need (ServicesResolved
 * may turn true before they are exported), read what the roller is,
 * subscribe, set its clock; then it is ready.  A lost link is retried with
 * exponential backoff while the roller is wanted.
 */
#include "config.h"

#include "rd-bluez.h"
#include "daemon/rd-config.h"
#include "common/rd-error.h"
#include "rd-gatt.h"
#include "daemon/live/rd-live.h"
#include "daemon/dbus/rd-roller.h"
#include "daemon/dbus/rd-roller-private.h"
#include "roller-proto.h"

#define CONNECT_TIMEOUT_MS 35000
#define RESOLVE_TIMEOUT_MS 15000
#define BACKOFF_MIN_S 1

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

static void link_start(RdRoller *r);
static void link_teardown(RdRoller *r, const GError *why);

static const char *
link_state_name(RdLinkState state)
{
	switch (state) {
	case RD_LINK_DISCONNECTED: return "disconnected";
	case RD_LINK_CONNECTING: return "connecting";
	case RD_LINK_RESOLVING: return "resolving";
	case RD_LINK_SETUP: return "setting up";
	case RD_LINK_READY: return "ready";
	}
	return "?";
}

static void
set_link_state(RdRoller *r, RdLinkState state)
{
	if (r->link == state)
		return;
	g_debug("Roller %s: %s -> %s", r->address, link_state_name(r->link),
		link_state_name(state));
	r->link = state;
	rd_roller_update_state_property(r);
	rd_dbus_roller1_set_connected(r->iface, state == RD_LINK_READY);
}

static void
complete_connect_waiters(RdRoller *r, const GError *error)
{
	GList *waiters = g_steal_pointer(&r->connect_waiters);

	for (GList *l = waiters; l; l = l->next) {
		if (error)
			g_dbus_method_invocation_return_gerror(l->data, error);
		else
			g_dbus_method_invocation_return_value(l->data, NULL);
	}
	g_list_free(waiters);
}

static gboolean
on_reconnect_timer(gpointer user_data)
{
	RdRoller *r = user_data;

	r->reconnect_id = 0;
	if (r->link == RD_LINK_DISCONNECTED && r->device && r->auto_connect)
		link_start(r);
	return G_SOURCE_REMOVE;
}

static void
schedule_reconnect(RdRoller *r)
{
	guint max_s = rd_config_get_reconnect_backoff_max_seconds(r->ctx->config);

	if (!r->auto_connect || !rd_config_get_auto_reconnect(r->ctx->config) ||
	    !r->device || r->reconnect_id)
		return;
	r->backoff_s = r->backoff_s ? MIN(r->backoff_s * 2, max_s) : BACKOFF_MIN_S;
	g_debug("Roller %s: reconnecting in %u s", r->address, r->backoff_s);
	r->reconnect_id = g_timeout_add_seconds(r->backoff_s, on_reconnect_timer, r);
}

static void
link_failed(RdRoller *r, GError *error)
{
	g_autoptr(GError) owned = error;

	g_message("Roller %s: %s", r->address, error->message);
	link_teardown(r, error);
	if (r->device && rd_bluez_get_bool(r->device, "Connected"))
		g_dbus_proxy_call(r->device, "Disconnect", NULL, G_DBUS_CALL_FLAGS_NONE,
				  -1, NULL, NULL, NULL);
	schedule_reconnect(r);
}

static void
link_ready(RdRoller *r)
{
	r->backoff_s = 0;
	set_link_state(r, RD_LINK_READY);
	g_message("Roller %s (%s) is ready", r->address, r->serial);
	complete_connect_waiters(r, NULL);
	rd_roller_link_ready_hook(r);
}

static void
on_set_time_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	RdRoller *r = user_data;
	struct roller_cp_response rsp;

	if (!rd_control_point_request_finish(r->cp, res, &rsp, &error)) {
		/* Cancelled or cut off: whoever did it has set the state. */
		if (!g_error_matches(error, RD_ERROR, RD_ERROR_NOT_CONNECTED) &&
		    !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			link_failed(r, g_steal_pointer(&error));
		return;
	}
	/* A roller that refuses the time still works; its sessions say so. */
	if (!rd_control_point_check_result(&rsp, &error))
		g_message("Roller %s: cannot set its clock: %s", r->address, error->message);
	link_ready(r);
}

static void
setup_step_done(RdRoller *r)
{
	struct roller_cp_request req = { .opcode = ROLLER_CP_SET_TIME };

	if (--r->setup_pending > 0 || r->link != RD_LINK_SETUP)
		return;
	if (!r->have_info) {
		link_failed(r, g_error_new(RD_ERROR, RD_ERROR_ROLLER_FAILED,
					   "cannot read its Roller Info"));
		return;
	}
	req.u.unix_seconds = (guint32)(g_get_real_time() / G_USEC_PER_SEC);
	rd_control_point_request(r->cp, &req,
				 RD_CONTROL_POINT_TIMEOUT_MS, r->link_cancellable,
				 on_set_time_done, r);
}

static void
on_setup_read(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) value = rd_gatt_read_finish(G_DBUS_PROXY(source), res, &error);
	RdRoller *r;
	RdChar id;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	r = user_data;
	id = GPOINTER_TO_UINT(g_object_get_data(source, "rd-char"));
	if (!value)
		g_message("Roller %s: reading %s failed: %s", r->address,
			  g_dbus_proxy_get_object_path(G_DBUS_PROXY(source)), error->message);
	else
		rd_roller_handle_value(r, id, g_bytes_get_data(value, NULL),
				       g_bytes_get_size(value));
	setup_step_done(r);
}

static void
setup_read(RdRoller *r, RdChar id)
{
	if (!r->chr[id])
		return;
	r->setup_pending++;
	g_object_set_data(G_OBJECT(r->chr[id]), "rd-char", GUINT_TO_POINTER(id));
	rd_gatt_read(r->chr[id], r->link_cancellable, on_setup_read, r);
}

static void
on_notify_closed(RdGattNotify *notify, gpointer user_data)
{
	RdRoller *r = user_data;

	/* The link is going down, or its characteristic is going (a GATT
	 * restart): Device1.Connected or the object's removal tells the rest. */
	g_debug("Roller %s: a subscription ended", r->address);
}

static void
on_telemetry(const guint8 *data, gsize len, gpointer user_data)
{
	RdRoller *r = user_data;

	rd_live_feed_telemetry(r->live, data, len);
}

static void
on_status(const guint8 *data, gsize len, gpointer user_data)
{
	rd_roller_handle_value(user_data, RD_CHAR_STATUS, data, len);
}

static void
on_battery(const guint8 *data, gsize len, gpointer user_data)
{
	rd_roller_handle_value(user_data, RD_CHAR_BATTERY_LEVEL, data, len);
}

static void
on_control_point(const guint8 *data, gsize len, gpointer user_data)
{
	RdRoller *r = user_data;

	if (r->cp)
		rd_control_point_handle_indication(r->cp, data, len);
}

static void
on_record_transfer(const guint8 *data, gsize len, gpointer user_data)
{
	rd_roller_record_chunk_hook(user_data, data, len);
}

/*
 * A subscription kept through a GATT restart (its characteristic never
 * went) is still in force; anything else is subscribed afresh.
 */
static void
subscribe(RdRoller *r, RdChar id, gboolean acquire, RdGattValueFunc value_func)
{
	if (!r->chr[id])
		return;
	if (r->notify[id] && rd_gatt_notify_get_path(r->notify[id]) != RD_GATT_NOTIFY_FAILED)
		return;
	g_clear_pointer(&r->notify[id], rd_gatt_notify_free);
	r->notify[id] = rd_gatt_notify_new(r->chr[id], acquire, value_func,
					   on_notify_closed, r);
}

static void
link_setup(RdRoller *r)
{
	gboolean acquire = r->ctx->acquire_notify;

	set_link_state(r, RD_LINK_SETUP);
	r->cp = rd_control_point_new(r->chr[RD_CHAR_CONTROL_POINT]);
	subscribe(r, RD_CHAR_CONTROL_POINT, FALSE, on_control_point);
	subscribe(r, RD_CHAR_TELEMETRY, acquire, on_telemetry);
	subscribe(r, RD_CHAR_RECORD_TRANSFER, acquire, on_record_transfer);
	subscribe(r, RD_CHAR_STATUS, acquire, on_status);
	subscribe(r, RD_CHAR_BATTERY_LEVEL, FALSE, on_battery);

	/* One pending step until every read is queued, so none finishes early. */
	r->setup_pending = 1;
	setup_read(r, RD_CHAR_ROLLER_INFO);
	setup_read(r, RD_CHAR_SERIAL);
	setup_read(r, RD_CHAR_MODEL);
	setup_read(r, RD_CHAR_FIRMWARE);
	setup_read(r, RD_CHAR_BATTERY_LEVEL);
	setup_read(r, RD_CHAR_STATUS);
	setup_step_done(r);
}

/* Resolution completes when BlueZ says so and every required char is here. */
static void
try_resolved(RdRoller *r)
{
	if (r->link != RD_LINK_RESOLVING || !rd_bluez_get_bool(r->device, "ServicesResolved"))
		return;
	for (gsize i = 0; i < G_N_ELEMENTS(char_table); i++) {
		RdChar id = char_table[i].id;

		if (!r->chr[id])
			r->chr[id] = rd_bluez_find_characteristic(r->ctx->bluez,
								  g_dbus_proxy_get_object_path(r->device),
								  char_table[i].service,
								  char_table[i].uuid);
		if (!r->chr[id] && (char_table[i].required || (r->chars_before & (1u << id)))) {
			g_debug("Roller %s: resolved, waiting for %s", r->address,
				char_table[i].uuid);
			return;
		}
	}
	r->chars_before = 0;
	if (r->resolve_timeout_id) {
		g_source_remove(r->resolve_timeout_id);
		r->resolve_timeout_id = 0;
	}
	link_setup(r);
}

static gboolean
on_resolve_timeout(gpointer user_data)
{
	RdRoller *r = user_data;

	r->resolve_timeout_id = 0;
	/* An optional service that did not come back is not worth the link. */
	if (r->chars_before) {
		r->chars_before = 0;
		try_resolved(r);
		if (r->link != RD_LINK_RESOLVING)
			return G_SOURCE_REMOVE;
	}
	link_failed(r, g_error_new(RD_ERROR, RD_ERROR_TIMEOUT,
				   "its GATT services were not resolved within %u s",
				   RESOLVE_TIMEOUT_MS / 1000));
	return G_SOURCE_REMOVE;
}

static void
on_device_connected(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);
	RdRoller *r;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	r = user_data;
	if (!ret) {
		link_failed(r, rd_bluez_error_to_rd(error, "Connecting"));
		return;
	}
	set_link_state(r, RD_LINK_RESOLVING);
	r->resolve_timeout_id = g_timeout_add(RESOLVE_TIMEOUT_MS, on_resolve_timeout, r);
	try_resolved(r);
}

static void
link_start(RdRoller *r)
{
	if (r->link != RD_LINK_DISCONNECTED || !r->device)
		return;
	g_clear_object(&r->link_cancellable);
	r->link_cancellable = g_cancellable_new();
	set_link_state(r, RD_LINK_CONNECTING);
	g_dbus_proxy_call(r->device, "Connect", NULL, G_DBUS_CALL_FLAGS_NONE,
			  CONNECT_TIMEOUT_MS, r->link_cancellable, on_device_connected, r);
}

/* What needs the roller's GATT server as it was: the sync and the control
 * point; the live session resynchronises. */
static void
end_gatt_use(RdRoller *r)
{
	rd_roller_link_lost_hook(r);
	g_clear_pointer(&r->cp, rd_control_point_free);
	rd_live_link_lost(r->live);
}

/* Everything of the roller's GATT server: subscriptions, control point, proxies. */
static void
release_gatt(RdRoller *r)
{
	end_gatt_use(r);
	for (gsize i = 0; i < RD_CHAR_COUNT; i++) {
		g_clear_pointer(&r->notify[i], rd_gatt_notify_free);
		g_clear_object(&r->chr[i]);
	}
}

static void
link_teardown(RdRoller *r, const GError *why)
{
	if (r->link_cancellable)
		g_cancellable_cancel(r->link_cancellable);
	if (r->resolve_timeout_id) {
		g_source_remove(r->resolve_timeout_id);
		r->resolve_timeout_id = 0;
	}
	/* Disconnected first: what the teardown completes must not retry. */
	set_link_state(r, RD_LINK_DISCONNECTED);
	r->chars_before = 0;
	release_gatt(r);
	if (why)
		complete_connect_waiters(r, why);
	else if (r->connect_waiters) {
		g_autoptr(GError) error = g_error_new(RD_ERROR, RD_ERROR_NOT_CONNECTED,
						      "Roller %s disconnected", r->address);

		complete_connect_waiters(r, error);
	}
}

static void
on_device_properties(GDBusProxy *device, GVariant *changed,
		     const char *const *invalidated, RdRoller *r)
{
	gboolean connected;

	if (g_variant_lookup(changed, "Connected", "b", &connected) && !connected &&
	    r->link != RD_LINK_DISCONNECTED) {
		g_message("Roller %s: link lost", r->address);
		link_teardown(r, NULL);
		schedule_reconnect(r);
		return;
	}
	if (g_variant_lookup(changed, "Connected", "b", &connected) && connected &&
	    r->link == RD_LINK_DISCONNECTED && r->auto_connect) {
		/* Someone else connected it: take it over. */
		link_start(r);
	}
	try_resolved(r);
}

void
rd_roller_set_device(RdRoller *r, GDBusProxy *device)
{
	if (r->device == device)
		return;
	if (r->device) {
		g_signal_handler_disconnect(r->device, r->device_props_handler);
		r->device_props_handler = 0;
		if (r->link != RD_LINK_DISCONNECTED) {
			g_autoptr(GError) error = g_error_new(RD_ERROR, RD_ERROR_NOT_CONNECTED,
							      "Roller %s vanished from BlueZ",
							      r->address);

			link_teardown(r, error);
		}
		g_clear_object(&r->device);
	}
	if (r->reconnect_id) {
		g_source_remove(r->reconnect_id);
		r->reconnect_id = 0;
	}
	if (!device)
		return;
	r->device = g_object_ref(device);
	{
		g_autofree char *name = rd_bluez_get_string(device, "Name");

		if (name)
			rd_dbus_roller1_set_name(r->iface, name);
	}
	r->device_props_handler = g_signal_connect(device, "g-properties-changed",
						   G_CALLBACK(on_device_properties), r);
	if (r->auto_connect)
		link_start(r);
}

void
rd_roller_characteristic_added(RdRoller *r, GDBusProxy *chr)
{
	try_resolved(r);
}

/*
 * A characteristic we use went away with the link up: the roller restarted
 * its GATT server, or a Service Changed made bluetoothd browse it again.
 * Wait for the services as after a connection; if the link is going down
 * instead, Device1.Connected will say so and the usual teardown follows.
 *
 * Only what is gone is let go.  Unsubscribing from a characteristic that
 * is still there sends a CCCD write, and bluetoothd (5.66 to at least
 * 5.87, bluez/bluez#363) frees the characteristic's state under that
 * write if the Service Changed removes it before the answer comes, then
 * crashes on the answer.  bluetoothd itself ends the subscriptions of what
 * it removes; those still in force when all is back are kept.
 */
void
rd_roller_characteristic_removed(RdRoller *r, const char *path)
{
	guint before = 0;
	gint gone = -1;

	for (gsize i = 0; i < RD_CHAR_COUNT; i++) {
		if (!r->chr[i])
			continue;
		before |= 1u << i;
		if (g_str_equal(g_dbus_proxy_get_object_path(r->chr[i]), path))
			gone = (gint)i;
	}
	if (gone < 0)
		return;
	/* Its object is gone, and with it bluetoothd's side of the subscription. */
	g_clear_pointer(&r->notify[gone], rd_gatt_notify_free);
	g_clear_object(&r->chr[gone]);
	/* Still resolving: found early, gone now; look again when it is back. */
	if (r->link != RD_LINK_SETUP && r->link != RD_LINK_READY)
		return;
	g_message("Roller %s: its GATT services went away with the link up; "
		  "waiting for them", r->address);
	if (r->link_cancellable)
		g_cancellable_cancel(r->link_cancellable);
	g_clear_object(&r->link_cancellable);
	r->link_cancellable = g_cancellable_new();
	set_link_state(r, RD_LINK_RESOLVING);
	end_gatt_use(r);
	/* Each service comes back on its own: set up with all of them. */
	r->chars_before = before;
	/* Not resolved again until the new objects come: the others of the
	 * old ones are going one by one. */
	r->resolve_timeout_id = g_timeout_add(RESOLVE_TIMEOUT_MS, on_resolve_timeout, r);
}

void
rd_roller_link_connect(RdRoller *r, GDBusMethodInvocation *invocation)
{
	if (r->link == RD_LINK_READY) {
		g_dbus_method_invocation_return_value(invocation, NULL);
		return;
	}
	if (!r->device) {
		g_dbus_method_invocation_return_error(invocation, RD_ERROR, RD_ERROR_NOT_FOUND,
						      "Roller %s is not in range; "
						      "scan for it first", r->address);
		return;
	}
	r->connect_waiters = g_list_append(r->connect_waiters, invocation);
	r->backoff_s = 0;
	link_start(r);
}

static void
on_device_disconnected(GObject *source, GAsyncResult *res, gpointer user_data)
{
	GDBusMethodInvocation *invocation = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);

	if (!invocation)
		return;
	if (!ret) {
		g_autoptr(GError) mapped = rd_bluez_error_to_rd(error, "Disconnecting");

		g_dbus_method_invocation_return_gerror(invocation, mapped);
		return;
	}
	g_dbus_method_invocation_return_value(invocation, NULL);
}

void
rd_roller_link_disconnect(RdRoller *r, GDBusMethodInvocation *invocation)
{
	if (r->reconnect_id) {
		g_source_remove(r->reconnect_id);
		r->reconnect_id = 0;
	}
	if (!r->device || r->link == RD_LINK_DISCONNECTED) {
		if (invocation)
			g_dbus_method_invocation_return_value(invocation, NULL);
		return;
	}
	/* The callback answers @invocation, with the reference we were given. */
	g_dbus_proxy_call(r->device, "Disconnect", NULL, G_DBUS_CALL_FLAGS_NONE, -1,
			  NULL, on_device_disconnected, invocation);
	link_teardown(r, NULL);
}

gboolean
rd_roller_has_device(RdRoller *r)
{
	return r->device != NULL;
}

gboolean
rd_roller_is_ready(RdRoller *r)
{
	return r->link == RD_LINK_READY;
}

RdControlPoint *
rd_roller_get_control_point(RdRoller *r)
{
	return r->cp;
}

void
rd_roller_set_auto_connect(RdRoller *r, gboolean auto_connect)
{
	r->auto_connect = auto_connect;
	if (auto_connect)
		link_start(r);
}

gboolean
rd_roller_get_auto_connect(RdRoller *r)
{
	return r->auto_connect;
}

void
rd_roller_link_free(RdRoller *r)
{
	if (r->reconnect_id)
		g_source_remove(r->reconnect_id);
	r->reconnect_id = 0;
	link_teardown(r, NULL);
	if (r->device) {
		g_signal_handler_disconnect(r->device, r->device_props_handler);
		g_clear_object(&r->device);
	}
	g_clear_object(&r->link_cancellable);
}
