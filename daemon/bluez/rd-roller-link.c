/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The link to one roller.  Connect, wait until BlueZ has resolved the GATT
 * database and exported every characteristic we need (ServicesResolved
 * may turn true before they are exported), read what the roller is,
 * subscribe, set its clock; then it is ready.  A lost link is retried with
 * exponential backoff while the roller is wanted.
 */
#include "config.h"

#include "rd-roller-link.h"
#include "rd-bluez.h"
#include "daemon/rd-config.h"
#include "common/rd-error.h"
#include "rd-gatt.h"
#include "rd-pairing.h"
#include "rd-roller-setup.h"

#define CONNECT_TIMEOUT_MS 35000
#define RESOLVE_TIMEOUT_MS 15000
#define BACKOFF_MIN_S 1

struct _RdRollerLink {
	RdContext *ctx;
	char *address;
	RdRollerLinkCallbacks cb;
	gpointer user_data;

	GDBusProxy *device;
	gulong device_props_handler;
	RdLinkState state;
	gboolean auto_connect;
	guint reconnect_id;
	guint backoff_s;
	guint resolve_timeout_id;
	/* After the GATT server went with the link up: the chars (1 << RdChar)
	 * it had, which setting up again waits for. */
	guint chars_before;
	GCancellable *link_cancellable;
	GList *connect_waiters;		/* GDBusMethodInvocation */
	RdRollerChars *chars;
	RdRollerSetup *setup;
};

static void link_start(RdRollerLink *self);
static void link_teardown(RdRollerLink *self, const GError *why);

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
set_link_state(RdRollerLink *self, RdLinkState state)
{
	if (self->state == state)
		return;
	g_debug("Roller %s: %s -> %s", self->address, link_state_name(self->state),
		link_state_name(state));
	self->state = state;
	self->cb.state_changed(state, self->user_data);
}

static void
complete_connect_waiters(RdRollerLink *self, const GError *error)
{
	GList *waiters = g_steal_pointer(&self->connect_waiters);

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
	RdRollerLink *self = user_data;

	self->reconnect_id = 0;
	if (self->state == RD_LINK_DISCONNECTED && self->device && self->auto_connect)
		link_start(self);
	return G_SOURCE_REMOVE;
}

static void
schedule_reconnect(RdRollerLink *self)
{
	guint max_s = rd_config_get_reconnect_backoff_max_seconds(self->ctx->config);

	if (!self->auto_connect || !rd_config_get_auto_reconnect(self->ctx->config) ||
	    !self->device || self->reconnect_id)
		return;
	self->backoff_s = self->backoff_s ? MIN(self->backoff_s * 2, max_s) : BACKOFF_MIN_S;
	g_debug("Roller %s: reconnecting in %u s", self->address, self->backoff_s);
	self->reconnect_id = g_timeout_add_seconds(self->backoff_s, on_reconnect_timer, self);
}

static void
link_failed(RdRollerLink *self, GError *error)
{
	g_autoptr(GError) owned = error;

	g_message("Roller %s: %s", self->address, error->message);
	link_teardown(self, error);
	if (self->device && rd_bluez_get_bool(self->device, "Connected"))
		g_dbus_proxy_call(self->device, "Disconnect", NULL, G_DBUS_CALL_FLAGS_NONE,
				  -1, NULL, NULL, NULL);
	schedule_reconnect(self);
}

static void
link_ready(RdRollerLink *self)
{
	self->backoff_s = 0;
	set_link_state(self, RD_LINK_READY);
	complete_connect_waiters(self, NULL);
	self->cb.ready(self->user_data);
}

static void
on_setup_done(GError *error, gpointer user_data)
{
	RdRollerLink *self = user_data;

	if (error)
		link_failed(self, error);
	else
		link_ready(self);
}

static gboolean
on_value(RdChar id, const guint8 *data, gsize len, gpointer user_data)
{
	RdRollerLink *self = user_data;

	return self->cb.value(id, data, len, self->user_data);
}

static void
on_telemetry(const guint8 *data, gsize len, gpointer user_data)
{
	RdRollerLink *self = user_data;

	self->cb.telemetry(data, len, self->user_data);
}

static void
on_record_chunk(const guint8 *data, gsize len, gpointer user_data)
{
	RdRollerLink *self = user_data;

	self->cb.record_chunk(data, len, self->user_data);
}

static const RdRollerSetupCallbacks setup_callbacks = {
	.value = on_value,
	.telemetry = on_telemetry,
	.record_chunk = on_record_chunk,
	.done = on_setup_done,
};

static void
on_secured(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	RdRollerLink *self = user_data;

	if (!rd_pairing_secure_finish(res, &error)) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			link_failed(self, g_steal_pointer(&error));
		return;
	}
	set_link_state(self, RD_LINK_SETUP);
	rd_roller_setup_start(self->setup, self->ctx->acquire_notify, self->link_cancellable);
}

/* Resolution completes when BlueZ says so and every required char is here. */
static void
try_resolved(RdRollerLink *self)
{
	const char *missing;

	if (self->state != RD_LINK_RESOLVING ||
	    !rd_bluez_get_bool(self->device, "ServicesResolved"))
		return;
	missing = rd_roller_chars_resolve(self->chars, self->ctx->bluez,
					  g_dbus_proxy_get_object_path(self->device),
					  self->chars_before);
	if (missing) {
		g_debug("Roller %s: resolved, waiting for %s", self->address, missing);
		return;
	}
	self->chars_before = 0;
	if (self->resolve_timeout_id) {
		g_source_remove(self->resolve_timeout_id);
		self->resolve_timeout_id = 0;
	}
	/* Setting up from here on: BlueZ's property changes resolve no more. */
	set_link_state(self, RD_LINK_SETUP);
	rd_pairing_secure(self->ctx->agent, self->device,
			  rd_roller_chars_get(self->chars, RD_CHAR_ROLLER_INFO),
			  self->link_cancellable, on_secured, self);
}

static gboolean
on_resolve_timeout(gpointer user_data)
{
	RdRollerLink *self = user_data;

	self->resolve_timeout_id = 0;
	/* An optional service that did not come back is not worth the link. */
	if (self->chars_before) {
		self->chars_before = 0;
		try_resolved(self);
		if (self->state != RD_LINK_RESOLVING)
			return G_SOURCE_REMOVE;
	}
	link_failed(self, g_error_new(RD_ERROR, RD_ERROR_TIMEOUT,
				   "its GATT services were not resolved within %u s",
				   RESOLVE_TIMEOUT_MS / 1000));
	return G_SOURCE_REMOVE;
}

static void
on_device_connected(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);
	RdRollerLink *self;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	self = user_data;
	if (!ret) {
		link_failed(self, rd_bluez_error_to_rd(error, "Connecting"));
		return;
	}
	set_link_state(self, RD_LINK_RESOLVING);
	self->resolve_timeout_id = g_timeout_add(RESOLVE_TIMEOUT_MS, on_resolve_timeout, self);
	try_resolved(self);
}

static void
link_start(RdRollerLink *self)
{
	if (self->state != RD_LINK_DISCONNECTED || !self->device)
		return;
	g_clear_object(&self->link_cancellable);
	self->link_cancellable = g_cancellable_new();
	set_link_state(self, RD_LINK_CONNECTING);
	g_dbus_proxy_call(self->device, "Connect", NULL, G_DBUS_CALL_FLAGS_NONE,
			  CONNECT_TIMEOUT_MS, self->link_cancellable, on_device_connected, self);
}

/* What needs the roller's GATT server as it was: the users are told while
 * the control point is still there, then it fails what is under way. */
static void
end_gatt_use(RdRollerLink *self)
{
	self->cb.lost(self->user_data);
	rd_roller_setup_stop(self->setup);
}

/* Everything of the roller's GATT server: subscriptions, control point, proxies. */
static void
release_gatt(RdRollerLink *self)
{
	end_gatt_use(self);
	rd_roller_chars_clear(self->chars);
}

static void
link_teardown(RdRollerLink *self, const GError *why)
{
	if (self->link_cancellable)
		g_cancellable_cancel(self->link_cancellable);
	if (self->resolve_timeout_id) {
		g_source_remove(self->resolve_timeout_id);
		self->resolve_timeout_id = 0;
	}
	/* Disconnected first: what the teardown completes must not retry. */
	set_link_state(self, RD_LINK_DISCONNECTED);
	self->chars_before = 0;
	release_gatt(self);
	if (why)
		complete_connect_waiters(self, why);
	else if (self->connect_waiters) {
		g_autoptr(GError) error = g_error_new(RD_ERROR, RD_ERROR_NOT_CONNECTED,
						      "Roller %s disconnected", self->address);

		complete_connect_waiters(self, error);
	}
}

static void
on_device_properties(GDBusProxy *device, GVariant *changed,
		     const char *const *invalidated, RdRollerLink *self)
{
	gboolean connected;

	if (g_variant_lookup(changed, "Connected", "b", &connected) && !connected &&
	    self->state != RD_LINK_DISCONNECTED) {
		g_message("Roller %s: link lost", self->address);
		link_teardown(self, NULL);
		schedule_reconnect(self);
		return;
	}
	if (g_variant_lookup(changed, "Connected", "b", &connected) && connected &&
	    self->state == RD_LINK_DISCONNECTED && self->auto_connect) {
		/* Someone else connected it: take it over. */
		link_start(self);
	}
	try_resolved(self);
}

void
rd_roller_link_set_device(RdRollerLink *self, GDBusProxy *device)
{
	if (self->device == device)
		return;
	if (self->device) {
		g_signal_handler_disconnect(self->device, self->device_props_handler);
		self->device_props_handler = 0;
		if (self->state != RD_LINK_DISCONNECTED) {
			g_autoptr(GError) error = g_error_new(RD_ERROR, RD_ERROR_NOT_CONNECTED,
							      "Roller %s vanished from BlueZ",
							      self->address);

			link_teardown(self, error);
		}
		g_clear_object(&self->device);
	}
	if (self->reconnect_id) {
		g_source_remove(self->reconnect_id);
		self->reconnect_id = 0;
	}
	if (!device)
		return;
	self->device = g_object_ref(device);
	self->device_props_handler = g_signal_connect(device, "g-properties-changed",
						   G_CALLBACK(on_device_properties), self);
	if (self->auto_connect)
		link_start(self);
}

void
rd_roller_link_characteristic_added(RdRollerLink *self, GDBusProxy *chr)
{
	try_resolved(self);
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
rd_roller_link_characteristic_removed(RdRollerLink *self, const char *path)
{
	guint before = rd_roller_chars_found(self->chars);

	if (!rd_roller_chars_remove(self->chars, path))
		return;
	/* Still resolving: found early, gone now; look again when it is back. */
	if (self->state != RD_LINK_SETUP && self->state != RD_LINK_READY)
		return;
	g_message("Roller %s: its GATT services went away with the link up; "
		  "waiting for them", self->address);
	if (self->link_cancellable)
		g_cancellable_cancel(self->link_cancellable);
	g_clear_object(&self->link_cancellable);
	self->link_cancellable = g_cancellable_new();
	set_link_state(self, RD_LINK_RESOLVING);
	end_gatt_use(self);
	/* Each service comes back on its own: set up with all of them. */
	self->chars_before = before;
	/* Not resolved again until the new objects come: the others of the
	 * old ones are going one by one. */
	self->resolve_timeout_id = g_timeout_add(RESOLVE_TIMEOUT_MS, on_resolve_timeout, self);
}

void
rd_roller_link_connect(RdRollerLink *self, GDBusMethodInvocation *invocation)
{
	if (self->state == RD_LINK_READY) {
		g_dbus_method_invocation_return_value(invocation, NULL);
		return;
	}
	if (!self->device) {
		g_dbus_method_invocation_return_error(invocation, RD_ERROR, RD_ERROR_NOT_FOUND,
						      "Roller %s is not in range; scan for "
						      "it first (rollerctl scan)", self->address);
		return;
	}
	self->connect_waiters = g_list_append(self->connect_waiters, invocation);
	self->backoff_s = 0;
	link_start(self);
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
rd_roller_link_disconnect(RdRollerLink *self, GDBusMethodInvocation *invocation)
{
	if (self->reconnect_id) {
		g_source_remove(self->reconnect_id);
		self->reconnect_id = 0;
	}
	if (!self->device || self->state == RD_LINK_DISCONNECTED) {
		if (invocation)
			g_dbus_method_invocation_return_value(invocation, NULL);
		return;
	}
	/* The callback answers @invocation, with the reference we were given. */
	g_dbus_proxy_call(self->device, "Disconnect", NULL, G_DBUS_CALL_FLAGS_NONE, -1,
			  NULL, on_device_disconnected, invocation);
	link_teardown(self, NULL);
}

GDBusProxy *
rd_roller_link_get_device(RdRollerLink *self)
{
	return self->device;
}

RdLinkState
rd_roller_link_get_state(RdRollerLink *self)
{
	return self->state;
}

gboolean
rd_roller_link_is_ready(RdRollerLink *self)
{
	return self->state == RD_LINK_READY;
}

RdControlPoint *
rd_roller_link_get_control_point(RdRollerLink *self)
{
	return rd_roller_setup_get_control_point(self->setup);
}

const char *
rd_roller_link_get_address(RdRollerLink *self)
{
	return self->address;
}

void
rd_roller_link_set_auto_connect(RdRollerLink *self, gboolean auto_connect)
{
	self->auto_connect = auto_connect;
	if (auto_connect)
		link_start(self);
}

gboolean
rd_roller_link_get_auto_connect(RdRollerLink *self)
{
	return self->auto_connect;
}

RdRollerLink *
rd_roller_link_new(RdContext *ctx, const char *address,
		   const RdRollerLinkCallbacks *callbacks, gpointer user_data)
{
	RdRollerLink *self = g_new0(RdRollerLink, 1);

	self->ctx = ctx;
	self->address = g_strdup(address);
	self->cb = *callbacks;
	self->user_data = user_data;
	/* A roller found by a scan is connected only once asked to. */
	self->auto_connect = FALSE;
	self->state = RD_LINK_DISCONNECTED;
	self->chars = rd_roller_chars_new();
	self->setup = rd_roller_setup_new(self->chars, address, &setup_callbacks, self);
	return self;
}

void
rd_roller_link_free(RdRollerLink *self)
{
	if (!self)
		return;
	if (self->reconnect_id)
		g_source_remove(self->reconnect_id);
	self->reconnect_id = 0;
	link_teardown(self, NULL);
	if (self->device) {
		g_signal_handler_disconnect(self->device, self->device_props_handler);
		g_clear_object(&self->device);
	}
	g_clear_object(&self->link_cancellable);
	rd_roller_setup_free(self->setup);
	rd_roller_chars_free(self->chars);
	g_free(self->address);
	g_free(self);
}
