/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "rd-roller-setup.h"
#include "common/rd-error.h"

struct _RdRollerSetup {
	RdRollerChars *chars;
	char *address;
	RdRollerSetupCallbacks cb;
	gpointer user_data;

	RdControlPoint *cp;
	GCancellable *cancellable;
	/* Between start and done or stop. */
	gboolean running;
	int pending;
	/* A Roller Info was understood, on this link or an earlier one. */
	gboolean have_info;
};

static void
finish(RdRollerSetup *self, GError *error)
{
	self->running = FALSE;
	self->cb.done(error, self->user_data);
}

static void
on_set_time_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	RdRollerSetup *self = user_data;
	struct roller_cp_response rsp;

	if (!rd_control_point_request_finish(self->cp, res, &rsp, &error)) {
		/* Cancelled or cut off: whoever did it has set the state. */
		if (!g_error_matches(error, RD_ERROR, RD_ERROR_NOT_CONNECTED) &&
		    !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			finish(self, g_steal_pointer(&error));
		return;
	}
	/* A roller that refuses the time still works; its sessions say so. */
	if (!rd_control_point_check_result(&rsp, &error))
		g_message("Roller %s: cannot set its clock: %s", self->address, error->message);
	finish(self, NULL);
}

static void
step_done(RdRollerSetup *self)
{
	struct roller_cp_request req = { .opcode = ROLLER_CP_SET_TIME };

	if (--self->pending > 0 || !self->running)
		return;
	if (!self->have_info) {
		finish(self, g_error_new(RD_ERROR, RD_ERROR_ROLLER_FAILED,
					 "cannot read its Roller Info"));
		return;
	}
	req.u.unix_seconds = (guint32)(g_get_real_time() / G_USEC_PER_SEC);
	rd_control_point_request(self->cp, &req, RD_CONTROL_POINT_TIMEOUT_MS,
				 self->cancellable, on_set_time_done, self);
}

static void
on_read(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) value = rd_gatt_read_finish(G_DBUS_PROXY(source), res, &error);
	RdRollerSetup *self;
	RdChar id;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	self = user_data;
	id = GPOINTER_TO_UINT(g_object_get_data(source, "rd-char"));
	if (!value)
		g_message("Roller %s: reading %s failed: %s", self->address,
			  g_dbus_proxy_get_object_path(G_DBUS_PROXY(source)), error->message);
	else if (self->cb.value(id, g_bytes_get_data(value, NULL), g_bytes_get_size(value),
				self->user_data) && id == RD_CHAR_ROLLER_INFO)
		self->have_info = TRUE;
	step_done(self);
}

static void
read_char(RdRollerSetup *self, RdChar id)
{
	GDBusProxy *chr = rd_roller_chars_get(self->chars, id);

	if (!chr)
		return;
	self->pending++;
	g_object_set_data(G_OBJECT(chr), "rd-char", GUINT_TO_POINTER(id));
	rd_gatt_read(chr, self->cancellable, on_read, self);
}

static void
on_notify_closed(RdGattNotify *notify, gpointer user_data)
{
	RdRollerSetup *self = user_data;

	/* The link is going down, or its characteristic is going (a GATT
	 * restart): Device1.Connected or the object's removal tells the link. */
	g_debug("Roller %s: a subscription ended", self->address);
}

static void
on_telemetry(const guint8 *data, gsize len, gpointer user_data)
{
	RdRollerSetup *self = user_data;

	self->cb.telemetry(data, len, self->user_data);
}

static void
on_status(const guint8 *data, gsize len, gpointer user_data)
{
	RdRollerSetup *self = user_data;

	self->cb.value(RD_CHAR_STATUS, data, len, self->user_data);
}

static void
on_battery(const guint8 *data, gsize len, gpointer user_data)
{
	RdRollerSetup *self = user_data;

	self->cb.value(RD_CHAR_BATTERY_LEVEL, data, len, self->user_data);
}

static void
on_control_point(const guint8 *data, gsize len, gpointer user_data)
{
	RdRollerSetup *self = user_data;

	if (self->cp)
		rd_control_point_handle_indication(self->cp, data, len);
}

static void
on_record_transfer(const guint8 *data, gsize len, gpointer user_data)
{
	RdRollerSetup *self = user_data;

	self->cb.record_chunk(data, len, self->user_data);
}

static void
subscribe(RdRollerSetup *self, RdChar id, gboolean acquire, RdGattValueFunc value_func)
{
	rd_roller_chars_subscribe(self->chars, id, acquire, value_func, on_notify_closed, self);
}

void
rd_roller_setup_start(RdRollerSetup *self, gboolean acquire, GCancellable *cancellable)
{
	g_set_object(&self->cancellable, cancellable);
	self->running = TRUE;
	self->cp = rd_control_point_new(rd_roller_chars_get(self->chars,
							    RD_CHAR_CONTROL_POINT));
	subscribe(self, RD_CHAR_CONTROL_POINT, FALSE, on_control_point);
	subscribe(self, RD_CHAR_TELEMETRY, acquire, on_telemetry);
	subscribe(self, RD_CHAR_RECORD_TRANSFER, acquire, on_record_transfer);
	subscribe(self, RD_CHAR_STATUS, acquire, on_status);
	subscribe(self, RD_CHAR_BATTERY_LEVEL, FALSE, on_battery);

	/* One pending step until every read is queued, so none finishes early. */
	self->pending = 1;
	read_char(self, RD_CHAR_ROLLER_INFO);
	read_char(self, RD_CHAR_SERIAL);
	read_char(self, RD_CHAR_MODEL);
	read_char(self, RD_CHAR_FIRMWARE);
	read_char(self, RD_CHAR_BATTERY_LEVEL);
	read_char(self, RD_CHAR_STATUS);
	step_done(self);
}

void
rd_roller_setup_stop(RdRollerSetup *self)
{
	self->running = FALSE;
	g_clear_object(&self->cancellable);
	g_clear_pointer(&self->cp, rd_control_point_free);
}

RdControlPoint *
rd_roller_setup_get_control_point(RdRollerSetup *self)
{
	return self->cp;
}

RdRollerSetup *
rd_roller_setup_new(RdRollerChars *chars, const char *address,
		    const RdRollerSetupCallbacks *callbacks, gpointer user_data)
{
	RdRollerSetup *self = g_new0(RdRollerSetup, 1);

	self->chars = chars;
	self->address = g_strdup(address);
	self->cb = *callbacks;
	self->user_data = user_data;
	return self;
}

void
rd_roller_setup_free(RdRollerSetup *self)
{
	if (!self)
		return;
	rd_roller_setup_stop(self);
	g_free(self->address);
	g_free(self);
}
