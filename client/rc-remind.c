/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rollerctl remind, a per-user agent that lives for one notification.
 *
 * GNotification (g_application_send_notification()) picks its backend
 * when first used: in GLib 2.74 the portal inside a sandbox, else
 * org.gtk.Notifications when that name has an owner (GNOME Shell), else
 * org.freedesktop.Notifications.  org.gtk.Notifications shows a
 * notification only for an application with an installed .desktop file
 * of its id, which a command line has not, while every notification
 * server (GNOME Shell, Plasma, dunst, mako, ...) serves
 * org.freedesktop.Notifications: so GNOTIFICATION_BACKEND=freedesktop is
 * set unless the user chose a backend.  That backend sends Notify
 * without waiting for its answer; the connection is flushed before the
 * agent exits so that the call is not lost with it.
 */
#include "config.h"

#include <stdio.h>

#include "rc-remind.h"

#define REMIND_APP_ID "org.rollerd.Remind"
#define REMIND_NOTIFICATION_ID "rollerd-reminders"

static GNotification *
notification_for(GVariant *reminders)
{
	g_autoptr(GString) body = g_string_new(NULL);
	g_autofree char *title = NULL;
	gsize n = g_variant_n_children(reminders);
	GNotification *notification;
	GVariantIter iter;
	const char *message;

	g_variant_iter_init(&iter, reminders);
	while (g_variant_iter_next(&iter, "(&s&s&s)", NULL, NULL, &message))
		g_string_append_printf(body, "%s%s", body->len ? "\n" : "", message);
	title = n == 1 ? g_strdup("Microneedling reminder") :
		g_strdup_printf("Microneedling reminders (%zu)", n);
	notification = g_notification_new(title);
	g_notification_set_body(notification, body->str);
	g_notification_set_priority(notification, G_NOTIFICATION_PRIORITY_NORMAL);
	return notification;
}

/* Posts @reminders on the session bus; FALSE after printing why not. */
static gboolean
notify(GVariant *reminders)
{
	g_autoptr(GApplication) app = NULL;
	g_autoptr(GNotification) notification = NULL;
	g_autoptr(GError) error = NULL;
	GDBusConnection *session;

	if (!g_getenv("GNOTIFICATION_BACKEND"))
		g_setenv("GNOTIFICATION_BACKEND", "freedesktop", TRUE);
	g_set_application_name("rollerd");
	app = g_application_new(REMIND_APP_ID, G_APPLICATION_NON_UNIQUE);
	if (!g_application_register(app, NULL, &error) ||
	    !(session = g_application_get_dbus_connection(app))) {
		g_printerr("rollerctl remind: cannot post a desktop notification (no session "
			   "bus: %s)\n", error ? error->message : "not reachable");
		return FALSE;
	}
	notification = notification_for(reminders);
	g_application_send_notification(app, REMIND_NOTIFICATION_ID, notification);
	if (!g_dbus_connection_flush_sync(session, NULL, &error)) {
		g_printerr("rollerctl remind: cannot post a desktop notification: %s\n",
			   error->message);
		return FALSE;
	}
	return TRUE;
}

int
rc_cmd_remind(const struct rc_globals *globals, int argc, char **argv)
{
	gboolean print_only = FALSE;
	const GOptionEntry entries[] = {
		{ "print", 0, 0, G_OPTION_ARG_NONE, &print_only,
		  "Only print what is due, post no notification", NULL },
		{ NULL }
	};
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(RdDbusManager1) manager = NULL;
	g_autoptr(GVariant) reminders = NULL;
	g_autoptr(GError) error = NULL;
	GVariantIter iter;
	const char *kind, *message;
	int code = RC_EXIT_OK;

	if (!rc_parse_options("remind", "",
			      "Ask rollerd what is due (areas by the plan, worn needle heads),\n"
			      "print it and show it as one desktop notification.  Run by the\n"
			      "systemd user timer rollerctl-remind.timer.", entries,
			      &argc, &argv, &code))
		return code;
	if (argc > 1) {
		g_printerr("rollerctl remind: takes no argument\n");
		return RC_EXIT_USAGE;
	}
	if (!(bus = rc_connect(globals, &code)) || !(manager = rc_manager(bus, &code)))
		return code;
	if (!rd_dbus_manager1_call_list_reminders_sync(manager, G_DBUS_CALL_FLAGS_NONE, -1,
						       &reminders, NULL, &error))
		return rc_print_error("remind", error);
	if (globals->json) {
		g_autoptr(JsonNode) node = json_gvariant_serialize(reminders);

		rc_print_json(node);
	} else if (g_variant_n_children(reminders) == 0) {
		printf("Nothing is due.\n");
	}
	g_variant_iter_init(&iter, reminders);
	/* Each message names its person already. */
	while (!globals->json && g_variant_iter_next(&iter, "(&s&s&s)", NULL, &kind, &message))
		printf("%s: %s\n", kind, message);
	if (print_only || g_variant_n_children(reminders) == 0)
		return RC_EXIT_OK;
	return notify(reminders) ? RC_EXIT_OK : RC_EXIT_FAILURE;
}
