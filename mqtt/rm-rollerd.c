/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "common/rd-dbus-generated.h"
#include "mqtt/rm-rollerd.h"

#define ROLLERD_NAME "org.rollerd"
#define MANAGER_PATH "/org/rollerd"
#define MANAGER_IFACE "org.rollerd.Manager1"
#define ROLLER_IFACE "org.rollerd.Roller2"
/* QuerySessions' largest page. */
#define PAGE 1000

typedef struct {
	RmRollerd *owner;
	RdDbusRoller2 *proxy;
	char *path;
	char *session;		/* the live Session1 path, "/" when none */
	gulong props_id;
	gulong live_id;
	gulong alert_id;
	gulong sync_id;
} Roller;

struct _RmRollerd {
	RmRollerdCallbacks cb;
	gpointer user_data;
	GCancellable *cancel;
	GDBusObjectManager *om;
	GDBusConnection *conn;
	GHashTable *rollers;	/* path -> Roller */
	guint reminder_sub;
	gulong added_id;
	gulong removed_id;
	gulong owner_id;
	gboolean forgetting;	/* InterfacesRemoved while rollerd stays */
};

static void
fill_state(Roller *ro, RmRollerState *s)
{
	RdDbusRoller2 *p = ro->proxy;

	s->path = ro->path;
	s->address = rd_dbus_roller2_get_address(p) ?: "";
	s->name = rd_dbus_roller2_get_name(p) ?: "";
	s->serial = rd_dbus_roller2_get_serial(p) ?: "";
	s->model = rd_dbus_roller2_get_model(p) ?: "";
	s->firmware = rd_dbus_roller2_get_firmware(p) ?: "";
	s->state = rd_dbus_roller2_get_state(p) ?: "disconnected";
	s->battery = rd_dbus_roller2_get_battery(p);
	s->connected = rd_dbus_roller2_get_connected(p);
	s->stored_records = rd_dbus_roller2_get_stored_records(p);
	s->storage_full = rd_dbus_roller2_get_storage_full(p);
}

static void
report_roller(Roller *ro)
{
	RmRollerState s;

	fill_state(ro, &s);
	ro->owner->cb.roller_changed(&s, ro->owner->user_data);
}

static void
on_properties_changed(GDBusProxy *proxy, GVariant *changed, GStrv invalidated, Roller *ro)
{
	const char *session = NULL;

	(void)proxy;
	(void)invalidated;
	if (g_variant_lookup(changed, "Session", "&o", &session)) {
		/* rollerd stores a live session before Session becomes "/". */
		gboolean ended = strcmp(session, "/") == 0 && g_strcmp0(ro->session, "/") != 0;

		g_free(ro->session);
		ro->session = g_strdup(session);
		if (ended)
			ro->owner->cb.sessions_changed(ro->owner->user_data);
	}
	report_roller(ro);
}

static void
on_live_update(RdDbusRoller2 *proxy, guint strokes, gdouble spm, guint16 force,
	       guint16 mean, guint16 in_band, GVariant *directions, GVariant *passes,
	       guint duration_ms, gboolean paused, guint frames, guint lost, guint rejected,
	       Roller *ro)
{
	RmLiveValues v = {
		.strokes = strokes, .strokes_per_minute = spm, .force_cn = force,
		.force_mean_cn = mean, .in_band_permille = in_band, .duration_ms = duration_ms,
		.paused = paused, .frames = frames, .frames_lost = lost,
		.frames_rejected = rejected,
	};
	gsize n = 0;
	const guint8 *cells = g_variant_get_fixed_array(passes, &n, 1);

	(void)proxy;
	g_variant_get(directions, "(uuuu)", &v.directions[0], &v.directions[1],
		      &v.directions[2], &v.directions[3]);
	v.cells = (guint)n;
	for (gsize i = 0; i < n; i++)
		v.cells_covered += cells[i] != 0;
	ro->owner->cb.live(ro->path, &v, ro->owner->user_data);
}

static void
on_alert(RdDbusRoller2 *proxy, const char *kind, const char *message, Roller *ro)
{
	(void)proxy;
	ro->owner->cb.alert(ro->path, kind, message, ro->owner->user_data);
}

static void
on_sync_finished(RdDbusRoller2 *proxy, guint stored, const char *error, Roller *ro)
{
	(void)proxy;
	(void)error;
	if (stored)
		ro->owner->cb.sessions_changed(ro->owner->user_data);
}

static void
watch_done(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GVariant) ret = NULL;
	g_autoptr(GError) error = NULL;
	char *path = data;

	ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	if (!ret && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		g_warning("Roller %s: no live values (WatchLive: %s)", path, error->message);
	g_free(path);
}

static void
roller_free(Roller *ro)
{
	g_signal_handler_disconnect(ro->proxy, ro->props_id);
	g_signal_handler_disconnect(ro->proxy, ro->live_id);
	g_signal_handler_disconnect(ro->proxy, ro->alert_id);
	g_signal_handler_disconnect(ro->proxy, ro->sync_id);
	g_object_unref(ro->proxy);
	g_free(ro->session);
	g_free(ro->path);
	g_free(ro);
}

static void
add_roller(RmRollerd *r, RdDbusRoller2 *proxy)
{
	const char *path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(proxy));
	Roller *ro;

	if (g_hash_table_contains(r->rollers, path))
		return;
	ro = g_new0(Roller, 1);
	ro->owner = r;
	ro->proxy = g_object_ref(proxy);
	ro->path = g_strdup(path);
	ro->session = g_strdup(rd_dbus_roller2_get_session(proxy) ?: "/");
	ro->props_id = g_signal_connect(proxy, "g-properties-changed",
					G_CALLBACK(on_properties_changed), ro);
	ro->live_id = g_signal_connect(proxy, "live-update", G_CALLBACK(on_live_update), ro);
	ro->alert_id = g_signal_connect(proxy, "alert", G_CALLBACK(on_alert), ro);
	ro->sync_id = g_signal_connect(proxy, "sync-finished", G_CALLBACK(on_sync_finished), ro);
	g_hash_table_insert(r->rollers, ro->path, ro);
	g_dbus_connection_call(r->conn, ROLLERD_NAME, path, ROLLER_IFACE, "WatchLive", NULL,
			       NULL, G_DBUS_CALL_FLAGS_NONE, -1, r->cancel, watch_done,
			       g_strdup(path));
	report_roller(ro);
}

static void
on_object_added(GDBusObjectManager *om, GDBusObject *object, RmRollerd *r)
{
	RdDbusRoller2 *proxy = rd_dbus_object_peek_roller2(RD_DBUS_OBJECT(object));

	(void)om;
	if (proxy)
		add_roller(r, proxy);
}

static void
on_object_removed(GDBusObjectManager *om, GDBusObject *object, RmRollerd *r)
{
	const char *path = g_dbus_object_get_object_path(object);
	g_autofree char *key = g_strdup(path);
	gboolean owned = FALSE;
	g_autofree char *owner = NULL;

	if (!g_hash_table_remove(r->rollers, path))
		return;
	/* Objects go when rollerd leaves the bus too: that is no Forget. */
	owner = g_dbus_object_manager_client_get_name_owner(G_DBUS_OBJECT_MANAGER_CLIENT(om));
	owned = owner != NULL;
	r->cb.roller_removed(key, owned, r->user_data);
}

static void
on_name_owner(GObject *om, GParamSpec *pspec, RmRollerd *r)
{
	g_autofree char *owner =
		g_dbus_object_manager_client_get_name_owner(G_DBUS_OBJECT_MANAGER_CLIENT(om));

	(void)pspec;
	if (!owner) {
		g_message("rollerd is not on the bus; waiting for it");
		return;
	}
	g_message("rollerd is on the bus (%s)", owner);
	r->cb.sessions_changed(r->user_data);
}

static void
on_reminder(GDBusConnection *conn, const char *sender, const char *path, const char *iface,
	    const char *member, GVariant *params, gpointer data)
{
	RmRollerd *r = data;
	const char *person, *kind, *message;

	(void)conn;
	(void)sender;
	(void)path;
	(void)iface;
	(void)member;
	if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(sss)")))
		return;
	g_variant_get(params, "(&s&s&s)", &person, &kind, &message);
	r->cb.reminder(person, kind, message, r->user_data);
}

static void
om_ready(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	GDBusObjectManager *om = rd_dbus_object_manager_client_new_for_bus_finish(res, &error);
	RmRollerd *r = data;
	GList *objects;

	(void)source;
	if (!om) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_critical("Cannot follow rollerd on D-Bus: %s", error->message);
		return;
	}
	r->om = om;
	r->conn = g_object_ref(g_dbus_object_manager_client_get_connection(
		G_DBUS_OBJECT_MANAGER_CLIENT(om)));
	r->added_id = g_signal_connect(om, "object-added", G_CALLBACK(on_object_added), r);
	r->removed_id = g_signal_connect(om, "object-removed", G_CALLBACK(on_object_removed), r);
	r->owner_id = g_signal_connect(om, "notify::name-owner", G_CALLBACK(on_name_owner), r);
	r->reminder_sub = g_dbus_connection_signal_subscribe(r->conn, ROLLERD_NAME, MANAGER_IFACE,
							     "Reminder", MANAGER_PATH, NULL,
							     G_DBUS_SIGNAL_FLAGS_NONE, on_reminder,
							     r, NULL);
	objects = g_dbus_object_manager_get_objects(om);
	for (GList *l = objects; l; l = l->next)
		on_object_added(om, l->data, r);
	g_list_free_full(objects, g_object_unref);
	on_name_owner(G_OBJECT(om), NULL, r);
}

RmRollerd *
rm_rollerd_new(GBusType bus_type, const RmRollerdCallbacks *cb, gpointer user_data)
{
	RmRollerd *r = g_new0(RmRollerd, 1);

	r->cb = *cb;
	r->user_data = user_data;
	r->cancel = g_cancellable_new();
	r->rollers = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					   (GDestroyNotify)roller_free);
	rd_dbus_object_manager_client_new_for_bus(bus_type, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
						  ROLLERD_NAME, MANAGER_PATH, r->cancel, om_ready,
						  r);
	return r;
}

void
rm_rollerd_free(RmRollerd *r)
{
	if (!r)
		return;
	g_cancellable_cancel(r->cancel);
	g_hash_table_destroy(r->rollers);
	if (r->om) {
		g_signal_handler_disconnect(r->om, r->added_id);
		g_signal_handler_disconnect(r->om, r->removed_id);
		g_signal_handler_disconnect(r->om, r->owner_id);
		g_dbus_connection_signal_unsubscribe(r->conn, r->reminder_sub);
		g_object_unref(r->om);
		g_object_unref(r->conn);
	}
	g_object_unref(r->cancel);
	g_free(r);
}

void
rm_rollerd_foreach_roller(RmRollerd *r, void (*fn)(const RmRollerState *s, gpointer data),
			  gpointer data)
{
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, r->rollers);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		RmRollerState s;

		fill_state(value, &s);
		fn(&s, data);
	}
}

const char *
rm_rollerd_find_roller(RmRollerd *r, const char *key)
{
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, r->rollers);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		Roller *ro = value;
		g_autofree char *k = rm_roller_key(rd_dbus_roller2_get_serial(ro->proxy),
						   rd_dbus_roller2_get_address(ro->proxy));

		if (strcmp(k, key) == 0)
			return ro->path;
	}
	return NULL;
}

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
	GVariantBuilder filter;

	g_variant_builder_init(&filter, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&filter, "{sv}", "limit", g_variant_new_uint32(PAGE));
	g_variant_builder_add(&filter, "{sv}", "offset", g_variant_new_uint32(w->offset));
	g_dbus_connection_call(w->r->conn, ROLLERD_NAME, MANAGER_PATH, MANAGER_IFACE,
			       "QuerySessions", g_variant_new("(a{sv})", &filter),
			       G_VARIANT_TYPE("(aa{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, w->r->cancel,
			       page_done, w);
}

void
rm_rollerd_query_sessions_after(RmRollerd *r, guint64 after, RmSessionsReady done,
				gpointer data)
{
	SessionsWalk *w = g_new0(SessionsWalk, 1);

	if (!r->conn) {
		g_autoptr(GError) error = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
							      "not on D-Bus yet");

		done(NULL, error, data);
		g_free(w);
		return;
	}
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

	if (!r->conn) {
		g_free(c);
		return;
	}
	c->done = done;
	c->data = data;
	g_dbus_connection_call(r->conn, ROLLERD_NAME, MANAGER_PATH, MANAGER_IFACE,
			       "GetTreatmentPlan", NULL, G_VARIANT_TYPE("(aa{sv})"),
			       G_DBUS_CALL_FLAGS_NONE, -1, r->cancel, plan_done, c);
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
	if (!method || !r->conn) {
		if (args)
			g_variant_unref(g_variant_ref_sink(args));
		return;
	}
	c = g_new0(CommandCall, 1);
	c->path = g_strdup(path);
	c->command = req->command;
	c->done = done;
	c->data = data;
	g_dbus_connection_call(r->conn, ROLLERD_NAME, path, ROLLER_IFACE, method, args, NULL,
			       G_DBUS_CALL_FLAGS_NONE, -1, r->cancel, command_done, c);
}
