/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "mqtt/rm-rollerd-calls.h"

#define ROLLERD_NAME "org.rollerd"
#define MANAGER_PATH "/org/rollerd"
#define MANAGER_IFACE "org.rollerd.Manager1"
#define ROLLER_IFACE "org.rollerd.Roller2"
/* QuerySessions' largest page. */
#define PAGE 1000

/* One QuerySessions walk; sessions come newest first by start, so it reads all. */
typedef struct {
	RmRollerd *r;
	guint64 after;
	guint offset;
	GPtrArray *found;
	RmSessionsReady done;
	gpointer data;
} SessionsWalk;

static void query_page(SessionsWalk *w);

static gint
by_id(gconstpointer a, gconstpointer b)
{
	guint64 ia = 0, ib = 0;

	g_variant_lookup(*(GVariant *const *)a, "id", "t", &ia);
	g_variant_lookup(*(GVariant *const *)b, "id", "t", &ib);
	return ia < ib ? -1 : ia > ib;
}

static void
walk_finish(SessionsWalk *w, const GError *error)
{
	if (!error)
		g_ptr_array_sort(w->found, by_id);
	w->done(error ? NULL : w->found, error, w->data);
	g_ptr_array_unref(w->found);
	g_free(w);
}

static void
page_done(GObject *source, GAsyncResult *res, gpointer data)
{
	SessionsWalk *w = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res,
								 &error);
	g_autoptr(GVariant) rows = NULL;
	gsize n;

	if (!ret) {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
			g_ptr_array_unref(w->found);
			g_free(w);
			return;
		}
		walk_finish(w, error);
		return;
	}
	rows = g_variant_get_child_value(ret, 0);
	n = g_variant_n_children(rows);
	for (gsize i = 0; i < n; i++) {
		GVariant *row = g_variant_get_child_value(rows, i);
		guint64 id = 0;

		if (g_variant_lookup(row, "id", "t", &id) && id > w->after)
			g_ptr_array_add(w->found, row);
		else
			g_variant_unref(row);
	}
	if (n < PAGE) {
		walk_finish(w, NULL);
		return;
	}
	w->offset += PAGE;
	query_page(w);
}

static void
query_page(SessionsWalk *w)
{
	GDBusConnection *conn = rm_rollerd_get_connection(w->r);
	GVariantBuilder filter;

	if (!conn) {
		g_autoptr(GError) error = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
							      "rollerd is not on D-Bus");

		walk_finish(w, error);
		return;
	}
	g_variant_builder_init(&filter, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&filter, "{sv}", "limit", g_variant_new_uint32(PAGE));
	g_variant_builder_add(&filter, "{sv}", "offset", g_variant_new_uint32(w->offset));
	g_dbus_connection_call(conn, ROLLERD_NAME, MANAGER_PATH, MANAGER_IFACE, "QuerySessions",
			       g_variant_new("(a{sv})", &filter), G_VARIANT_TYPE("(aa{sv})"),
			       G_DBUS_CALL_FLAGS_NONE, -1, rm_rollerd_get_cancellable(w->r),
			       page_done, w);
}

void
rm_rollerd_query_sessions_after(RmRollerd *r, guint64 after, RmSessionsReady done,
				gpointer data)
{
	SessionsWalk *w = g_new0(SessionsWalk, 1);

	w->r = r;
	w->after = after;
	w->found = g_ptr_array_new_with_free_func((GDestroyNotify)g_variant_unref);
	w->done = done;
	w->data = data;
	query_page(w);
}

typedef struct {
	RmPlanReady done;
	gpointer data;
} PlanCall;

static void
plan_done(GObject *source, GAsyncResult *res, gpointer data)
{
	PlanCall *c = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res,
								 &error);

	if (ret) {
		g_autoptr(GVariant) rows = g_variant_get_child_value(ret, 0);

		c->done(rows, NULL, c->data);
	} else if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		c->done(NULL, error, c->data);
	}
	g_free(c);
}

void
rm_rollerd_get_plan(RmRollerd *r, RmPlanReady done, gpointer data)
{
	PlanCall *c = g_new0(PlanCall, 1);

	if (!rm_rollerd_get_connection(r)) {
		g_free(c);
		return;
	}
	c->done = done;
	c->data = data;
	g_dbus_connection_call(rm_rollerd_get_connection(r), ROLLERD_NAME, MANAGER_PATH,
			       MANAGER_IFACE, "GetTreatmentPlan", NULL, G_VARIANT_TYPE("(aa{sv})"),
			       G_DBUS_CALL_FLAGS_NONE, -1, rm_rollerd_get_cancellable(r), plan_done,
			       c);
}

typedef struct {
	char *path;
	RmCommand command;
	RmCommandDone done;
	gpointer data;
} CommandCall;

static void
command_done(GObject *source, GAsyncResult *res, gpointer data)
{
	CommandCall *c = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res,
								 &error);

	if (!error || !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		if (error)
			g_dbus_error_strip_remote_error(error);
		c->done(c->path, c->command, error, c->data);
	}
	g_free(c->path);
	g_free(c);
}

void
rm_rollerd_command(RmRollerd *r, const char *path, const RmCommandRequest *req,
		   RmCommandDone done, gpointer data)
{
	CommandCall *c;
	const char *method = NULL;
	GVariant *args = NULL;

	switch (req->command) {
	case RM_COMMAND_SYNC: method = "Sync"; break;
	case RM_COMMAND_IDENTIFY:
		method = "Identify";
		args = g_variant_new("(y)", req->seconds);
		break;
	case RM_COMMAND_START:
		method = "StartSession";
		args = g_variant_new("(s)", req->area);
		break;
	case RM_COMMAND_STOP: method = "StopSession"; break;
	}
	if (!method || !rm_rollerd_get_connection(r)) {
		if (args)
			g_variant_unref(g_variant_ref_sink(args));
		return;
	}
	c = g_new0(CommandCall, 1);
	c->path = g_strdup(path);
	c->command = req->command;
	c->done = done;
	c->data = data;
	g_dbus_connection_call(rm_rollerd_get_connection(r), ROLLERD_NAME, path, ROLLER_IFACE,
			       method, args, NULL, G_DBUS_CALL_FLAGS_NONE, -1,
			       rm_rollerd_get_cancellable(r), command_done, c);
}
