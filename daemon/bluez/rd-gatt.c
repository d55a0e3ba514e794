/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
#include <gio/gunixfdlist.h>
#include <glib-unix.h>

#include "rd-gatt.h"

/* BlueZ's MTU tops out at 517; a notification is at most MTU - 3. */
#define NOTIFY_BUF_LEN 1024

static void
on_read_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);
	g_autoptr(GVariant) value = NULL;

	if (!ret) {
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	value = g_variant_get_child_value(ret, 0);
	g_task_return_pointer(task,
			      g_bytes_new(g_variant_get_data(value), g_variant_get_size(value)),
			      (GDestroyNotify)g_bytes_unref);
}

void
rd_gatt_read(GDBusProxy *chr, GCancellable *cancellable,
	     GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(chr, cancellable, callback, user_data);

	g_dbus_proxy_call(chr, "ReadValue", g_variant_new_parsed("(@a{sv} {},)"),
			  G_DBUS_CALL_FLAGS_NONE, -1, cancellable, on_read_done, task);
}

GBytes *
rd_gatt_read_finish(GDBusProxy *chr, GAsyncResult *res, GError **error)
{
	return g_task_propagate_pointer(G_TASK(res), error);
}

static void
on_write_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GTask) task = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);

	if (!ret)
		g_task_return_error(task, g_steal_pointer(&error));
	else
		g_task_return_boolean(task, TRUE);
}

void
rd_gatt_write(GDBusProxy *chr, const guint8 *data, gsize len,
	      GCancellable *cancellable, GAsyncReadyCallback callback,
	      gpointer user_data)
{
	GTask *task = g_task_new(chr, cancellable, callback, user_data);
	GVariantBuilder options;
	GVariant *value = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, len, 1);

	g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&options, "{sv}", "type", g_variant_new_string("request"));
	g_dbus_proxy_call(chr, "WriteValue", g_variant_new("(@aya{sv})", value, &options),
			  G_DBUS_CALL_FLAGS_NONE, -1, cancellable, on_write_done, task);
}

gboolean
rd_gatt_write_finish(GDBusProxy *chr, GAsyncResult *res, GError **error)
{
	return g_task_propagate_boolean(G_TASK(res), error);
}

struct _RdGattNotify {
	GDBusProxy *chr;
	RdGattNotifyPath path;
	RdGattValueFunc value_func;
	RdGattClosedFunc closed_func;
	gpointer user_data;
	GCancellable *cancellable;
	int fd;
	guint fd_watch;
	gulong props_handler;
	/* value_func may free us (a control point answer that ends the
	 * link): freeing then waits for it to return. */
	gboolean in_value_func;
	gboolean free_pending;
	guint8 buf[NOTIFY_BUF_LEN];
};

static void notify_free_now(RdGattNotify *self);

/* FALSE when the notify was freed meanwhile; the caller returns at once. */
static gboolean
deliver(RdGattNotify *self, const guint8 *data, gsize len)
{
	self->in_value_func = TRUE;
	self->value_func(data, len, self->user_data);
	self->in_value_func = FALSE;
	if (!self->free_pending)
		return TRUE;
	notify_free_now(self);
	return FALSE;
}

static void
notify_closed(RdGattNotify *self)
{
	if (self->fd_watch) {
		g_source_remove(self->fd_watch);
		self->fd_watch = 0;
	}
	if (self->fd >= 0) {
		close(self->fd);
		self->fd = -1;
	}
	self->path = RD_GATT_NOTIFY_FAILED;
	if (self->closed_func)
		self->closed_func(self, self->user_data);
}

static gboolean
on_notify_socket(int fd, GIOCondition cond, gpointer user_data)
{
	RdGattNotify *self = user_data;

	/* Drain every queued packet: each is one notification. */
	for (;;) {
		ssize_t n = recv(fd, self->buf, sizeof(self->buf), MSG_DONTWAIT);

		if (n > 0) {
			if (!deliver(self, self->buf, (gsize)n))
				return G_SOURCE_REMOVE;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    !(cond & (G_IO_HUP | G_IO_ERR)))
			return G_SOURCE_CONTINUE;
		break;
	}
	g_debug("Notification socket of %s closed", g_dbus_proxy_get_object_path(self->chr));
	self->fd_watch = 0;
	notify_closed(self);
	return G_SOURCE_REMOVE;
}

/*
 * GLib blocks a source that cannot recurse while it runs, which takes its
 * fd out of the poll set and puts it back: two wakeup writes and one more
 * main loop iteration for every notification.  on_notify_socket runs no
 * main loop, so it does not need that protection.
 */
static guint
watch_notify_socket(RdGattNotify *self)
{
	g_autoptr(GSource) source = g_unix_fd_source_new(self->fd,
							 G_IO_IN | G_IO_HUP | G_IO_ERR);

	g_source_set_can_recurse(source, TRUE);
	g_source_set_callback(source, G_SOURCE_FUNC(on_notify_socket), self, NULL);
	return g_source_attach(source, NULL);
}

static void
on_properties_changed(GDBusProxy *chr, GVariant *changed,
		      const char *const *invalidated, RdGattNotify *self)
{
	g_autoptr(GVariant) value = g_variant_lookup_value(changed, "Value",
							   G_VARIANT_TYPE_BYTESTRING);
	g_autoptr(GVariant) notifying = g_variant_lookup_value(changed, "Notifying",
							       G_VARIANT_TYPE_BOOLEAN);

	if (value && !deliver(self, g_variant_get_data(value), g_variant_get_size(value)))
		return;
	if (notifying && !g_variant_get_boolean(notifying) &&
	    self->path == RD_GATT_NOTIFY_STARTED)
		notify_closed(self);
}

static void
on_start_notify_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);
	RdGattNotify *self = user_data;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (!ret) {
		g_debug("StartNotify on %s failed: %s",
			g_dbus_proxy_get_object_path(G_DBUS_PROXY(source)), error->message);
		notify_closed(self);
		return;
	}
	self->path = RD_GATT_NOTIFY_STARTED;
}

static void
start_notify(RdGattNotify *self)
{
	self->props_handler = g_signal_connect(self->chr, "g-properties-changed",
					       G_CALLBACK(on_properties_changed), self);
	g_dbus_proxy_call(self->chr, "StartNotify", NULL, G_DBUS_CALL_FLAGS_NONE, -1,
			  self->cancellable, on_start_notify_done, self);
}

static void
on_acquire_notify_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GUnixFDList) fds = NULL;
	g_autoptr(GVariant) ret = NULL;
	RdGattNotify *self = user_data;
	gint32 index;
	guint16 mtu;

	ret = g_dbus_proxy_call_with_unix_fd_list_finish(G_DBUS_PROXY(source), &fds, res, &error);
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	if (ret) {
		g_variant_get(ret, "(hq)", &index, &mtu);
		self->fd = fds ? g_unix_fd_list_get(fds, index, &error) : -1;
	}
	if (self->fd < 0) {
		g_debug("AcquireNotify on %s refused (%s); using StartNotify",
			g_dbus_proxy_get_object_path(G_DBUS_PROXY(source)),
			error ? error->message : "no fd");
		start_notify(self);
		return;
	}
	g_unix_set_fd_nonblocking(self->fd, TRUE, NULL);
	self->path = RD_GATT_NOTIFY_ACQUIRED;
	self->fd_watch = watch_notify_socket(self);
}

RdGattNotify *
rd_gatt_notify_new(GDBusProxy *chr, gboolean try_acquire, RdGattValueFunc value_func,
		   RdGattClosedFunc closed_func, gpointer user_data)
{
	RdGattNotify *self = g_new0(RdGattNotify, 1);

	self->chr = g_object_ref(chr);
	self->value_func = value_func;
	self->closed_func = closed_func;
	self->user_data = user_data;
	self->fd = -1;
	self->cancellable = g_cancellable_new();
	self->path = RD_GATT_NOTIFY_PENDING;
	if (try_acquire)
		g_dbus_proxy_call_with_unix_fd_list(chr, "AcquireNotify",
						    g_variant_new_parsed("(@a{sv} {},)"),
						    G_DBUS_CALL_FLAGS_NONE, -1, NULL,
						    self->cancellable,
						    on_acquire_notify_done, self);
	else
		start_notify(self);
	return self;
}

void
rd_gatt_notify_free(RdGattNotify *self)
{
	if (!self)
		return;
	if (self->in_value_func) {
		self->free_pending = TRUE;
		self->closed_func = NULL;
		return;
	}
	notify_free_now(self);
}

static void
notify_free_now(RdGattNotify *self)
{
	g_cancellable_cancel(self->cancellable);
	if (self->fd_watch)
		g_source_remove(self->fd_watch);
	if (self->fd >= 0)
		close(self->fd);
	if (self->props_handler)
		g_signal_handler_disconnect(self->chr, self->props_handler);
	if (self->path == RD_GATT_NOTIFY_STARTED)
		g_dbus_proxy_call(self->chr, "StopNotify", NULL, G_DBUS_CALL_FLAGS_NONE,
				  -1, NULL, NULL, NULL);
	g_object_unref(self->cancellable);
	g_object_unref(self->chr);
	g_free(self);
}

RdGattNotifyPath
rd_gatt_notify_get_path(RdGattNotify *self)
{
	return self->path;
}
