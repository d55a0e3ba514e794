/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <unistd.h>
#include <sys/timerfd.h>
#include <glib-unix.h>

#include "daemon/rd-config.h"
#include "daemon/store/rd-store-reminders.h"
#include "rd-reminders.h"

struct _RdReminders {
	RdContext *ctx;
	RdDbusManager1 *manager;
	int timer_fd;		/* CLOCK_REALTIME, absolute; -1 if none */
	guint timer_source;
	gint64 armed_for;	/* 0: disarmed */
};

static gboolean
due_now(RdReminders *r, GPtrArray **due, gint64 *next, GError **error)
{
	RdPlanConfig plan;
	guint per_head = rd_config_get_sessions_per_head(r->ctx->config);

	rd_config_get_plan(r->ctx->config, &plan);
	return rd_store_due_reminders(r->ctx->store, &plan, per_head,
				      g_get_real_time() / G_USEC_PER_SEC, due, next, error);
}

static void
arm(RdReminders *r, gint64 when)
{
	struct itimerspec spec = { .it_value = { .tv_sec = (time_t)when } };

	if (r->timer_fd < 0 || when == r->armed_for)
		return;
	/* 0 disarms; a clock set meanwhile cancels it, and we look again. */
	if (timerfd_settime(r->timer_fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
			    &spec, NULL) != 0) {
		g_warning("Cannot arm the reminder timer: %s", g_strerror(errno));
		return;
	}
	r->armed_for = when;
	if (when)
		g_debug("Next reminder check at %" G_GINT64_FORMAT, when);
}

void
rd_reminders_check(RdReminders *r)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) due = NULL;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	gint64 next;

	if (!rd_config_get_reminders(r->ctx->config))
		return;
	if (!due_now(r, &due, &next, &error)) {
		g_warning("Cannot check for reminders: %s", error->message);
		return;
	}
	for (guint i = 0; i < due->len; i++) {
		const RdReminder *rem = due->pdata[i];

		if (rem->sent)
			continue;
		/* Remembered first: a reminder lost to a crash beats one sent twice a day. */
		if (!rd_store_mark_reminded(r->ctx->store, rem, now, &error)) {
			g_warning("Cannot remember a reminder: %s", error->message);
			g_clear_error(&error);
			continue;
		}
		g_message("Reminder (%s): %s", rd_reminder_kind_to_string(rem->kind), rem->message);
		rd_dbus_manager1_emit_reminder(r->manager, rem->person_name,
					       rd_reminder_kind_to_string(rem->kind), rem->message);
	}
	arm(r, next);
}

static gboolean
on_timer(gint fd, GIOCondition condition, gpointer user_data)
{
	RdReminders *r = user_data;
	guint64 expirations;

	/* ECANCELED: the clock was set; either way, look again. */
	if (read(fd, &expirations, sizeof(expirations)) < 0 && errno != ECANCELED &&
	    errno != EAGAIN)
		g_debug("Reminder timer: %s", g_strerror(errno));
	r->armed_for = 0;
	rd_reminders_check(r);
	return G_SOURCE_CONTINUE;
}

static gboolean
handle_list_reminders(RdDbusManager1 *manager, GDBusMethodInvocation *invocation,
		      RdReminders *r)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) due = NULL;
	GVariantBuilder b;
	gint64 next;

	if (!due_now(r, &due, &next, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return TRUE;
	}
	g_variant_builder_init(&b, G_VARIANT_TYPE("a(sss)"));
	for (guint i = 0; i < due->len; i++) {
		const RdReminder *rem = due->pdata[i];

		g_variant_builder_add(&b, "(sss)", rem->person_name,
				      rd_reminder_kind_to_string(rem->kind), rem->message);
	}
	rd_dbus_manager1_complete_list_reminders(manager, invocation, g_variant_builder_end(&b));
	return TRUE;
}

RdReminders *
rd_reminders_new(RdContext *ctx, RdDbusManager1 *manager)
{
	RdReminders *r = g_new0(RdReminders, 1);

	r->ctx = ctx;
	r->manager = g_object_ref(manager);
	r->timer_fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (r->timer_fd < 0)
		g_warning("Cannot make the reminder timer: %s; reminders come only when "
			  "sessions change", g_strerror(errno));
	else
		r->timer_source = g_unix_fd_add(r->timer_fd, G_IO_IN, on_timer, r);
	g_signal_connect(manager, "handle-list-reminders", G_CALLBACK(handle_list_reminders), r);
	return r;
}

void
rd_reminders_free(RdReminders *r)
{
	if (!r)
		return;
	g_signal_handlers_disconnect_by_data(r->manager, r);
	if (r->timer_source)
		g_source_remove(r->timer_source);
	if (r->timer_fd >= 0)
		close(r->timer_fd);
	g_object_unref(r->manager);
	g_free(r);
}
