/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "mqtt/rm-rollerd.h"

#define ROLLERD_NAME "org.rollerd"
#define MANAGER_PATH "/org/rollerd"
#define MANAGER_IFACE "org.rollerd.Manager1"
#define ROLLER_IFACE "org.rollerd.Roller2"
#define OM_IFACE "org.freedesktop.DBus.ObjectManager"
#define PROPS_IFACE "org.freedesktop.DBus.Properties"
#define LIVE_UPDATE_TYPE "(udqqq(uuuu)ayubuuu)"

typedef struct {
	RmRollerd *owner;
	char *path;
	GHashTable *props;	/* Roller2 property name -> GVariant */
	char *session;		/* the live Session1 path, "/" when none */
} Roller;

/*
 * Explicit match rules rather than a GDBusObjectManagerClient: its rule
 * takes every signal rollerd sends under /org/rollerd (each Stroke, the
 * live Session1's PropertiesChanged...), which the bus would deliver and
 * GDBus parse only to be dropped here.
 */
enum {
	SUB_ADDED,
	SUB_REMOVED,
	SUB_PROPS,
	SUB_LIVE,
	SUB_ALERT,
	SUB_SYNC,
	SUB_REMINDER,
	N_SUBS
};

struct _RmRollerd {
	RmRollerdCallbacks cb;
	gpointer user_data;
	GCancellable *cancel;
	GDBusConnection *conn;
	char *name_owner;	/* rollerd's unique name, NULL while away */
	gboolean listed;	/* GetManagedObjects answered for name_owner */
	GHashTable *rollers;	/* path -> Roller */
	guint subs[N_SUBS];
	guint watch_id;
};

static const char *
prop_str(Roller *ro, const char *name)
{
	GVariant *v = g_hash_table_lookup(ro->props, name);

	return v && g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) ? g_variant_get_string(v, NULL)
								    : NULL;
}

static GVariant *
prop_typed(Roller *ro, const char *name, const GVariantType *type)
{
	GVariant *v = g_hash_table_lookup(ro->props, name);

	return v && g_variant_is_of_type(v, type) ? v : NULL;
}

static void
fill_state(Roller *ro, RmRollerState *s)
{
	GVariant *v;

	s->path = ro->path;
	s->address = prop_str(ro, "Address") ?: "";
	s->name = prop_str(ro, "Name") ?: "";
	s->serial = prop_str(ro, "Serial") ?: "";
	s->model = prop_str(ro, "Model") ?: "";
	s->firmware = prop_str(ro, "Firmware") ?: "";
	s->state = prop_str(ro, "State") ?: "disconnected";
	v = prop_typed(ro, "Battery", G_VARIANT_TYPE_BYTE);
	s->battery = v ? g_variant_get_byte(v) : 255;
	v = prop_typed(ro, "Connected", G_VARIANT_TYPE_BOOLEAN);
	s->connected = v && g_variant_get_boolean(v);
	v = prop_typed(ro, "StoredRecords", G_VARIANT_TYPE_UINT16);
	s->stored_records = v ? g_variant_get_uint16(v) : 0;
	v = prop_typed(ro, "StorageFull", G_VARIANT_TYPE_BOOLEAN);
	s->storage_full = v && g_variant_get_boolean(v);
}

static void
report_roller(Roller *ro)
{
	RmRollerState s;

	fill_state(ro, &s);
	ro->owner->cb.roller_changed(&s, ro->owner->user_data);
}

/* Takes the properties of @props (a{sv}) into the roller's. */
static void
update_props(Roller *ro, GVariant *props)
{
	GVariantIter it;
	const char *name;
	GVariant *value;

	g_variant_iter_init(&it, props);
	while (g_variant_iter_next(&it, "{&sv}", &name, &value))
		g_hash_table_insert(ro->props, g_strdup(name), value);
}

static void
roller_free(Roller *ro)
{
	g_hash_table_destroy(ro->props);
	g_free(ro->session);
	g_free(ro->path);
	g_free(ro);
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
add_roller(RmRollerd *r, const char *path, GVariant *props)
{
	Roller *ro;

	if (g_hash_table_contains(r->rollers, path))
		return;
	ro = g_new0(Roller, 1);
	ro->owner = r;
	ro->path = g_strdup(path);
	ro->props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					  (GDestroyNotify)g_variant_unref);
	update_props(ro, props);
	ro->session = g_strdup(prop_str(ro, "Session") ?: "/");
	g_hash_table_insert(r->rollers, ro->path, ro);
	g_dbus_connection_call(r->conn, ROLLERD_NAME, path, ROLLER_IFACE, "WatchLive", NULL,
			       NULL, G_DBUS_CALL_FLAGS_NONE, -1, r->cancel, watch_done,
			       g_strdup(path));
	report_roller(ro);
}

/* An object's a{sa{sv}}: adds it if it is a roller. */
static void
add_object(RmRollerd *r, const char *path, GVariant *ifaces)
{
	g_autoptr(GVariant) props = g_variant_lookup_value(ifaces, ROLLER_IFACE,
							    G_VARIANT_TYPE_VARDICT);

	if (props)
		add_roller(r, path, props);
}

static void
remove_roller(RmRollerd *r, const char *path, gboolean forgotten)
{
	g_autofree char *key = g_strdup(path);

	if (g_hash_table_remove(r->rollers, path))
		r->cb.roller_removed(key, forgotten, r->user_data);
}

static Roller *
roller_of_signal(RmRollerd *r, const char *path, GVariant *params, const char *type)
{
	if (!g_variant_is_of_type(params, G_VARIANT_TYPE(type)))
		return NULL;
	return g_hash_table_lookup(r->rollers, path);
}

static void
on_signal(GDBusConnection *conn, const char *sender, const char *path, const char *iface,
	  const char *member, GVariant *params, gpointer data)
{
	RmRollerd *r = data;
	Roller *ro;

	(void)conn;
	(void)sender;
	(void)iface;
	if (strcmp(member, "LiveUpdate") == 0) {
		RmLiveValues v = { 0 };
		g_autoptr(GVariant) passes = NULL;
		const guint8 *cells;
		gsize n = 0;

		if (!(ro = roller_of_signal(r, path, params, LIVE_UPDATE_TYPE)))
			return;
		g_variant_get(params, "(udqqq(uuuu)@ayubuuu)", &v.strokes, &v.strokes_per_minute,
			      &v.force_cn, &v.force_mean_cn, &v.in_band_permille,
			      &v.directions[0], &v.directions[1], &v.directions[2],
			      &v.directions[3], &passes, &v.duration_ms, &v.paused, &v.frames,
			      &v.frames_lost, &v.frames_rejected);
		cells = g_variant_get_fixed_array(passes, &n, 1);
		v.cells = (guint)n;
		for (gsize i = 0; i < n; i++)
			v.cells_covered += cells[i] != 0;
		r->cb.live(ro->path, &v, r->user_data);
	} else if (strcmp(member, "PropertiesChanged") == 0) {
		g_autoptr(GVariant) changed = NULL;
		const char *session = NULL;

		if (!(ro = roller_of_signal(r, path, params, "(sa{sv}as)")))
			return;
		changed = g_variant_get_child_value(params, 1);
		update_props(ro, changed);
		if (g_variant_lookup(changed, "Session", "&o", &session)) {
			/* rollerd stores a live session before Session becomes "/". */
			gboolean ended = strcmp(session, "/") == 0 &&
					 g_strcmp0(ro->session, "/") != 0;

			g_free(ro->session);
			ro->session = g_strdup(session);
			if (ended)
				r->cb.sessions_changed(r->user_data);
		}
		report_roller(ro);
	} else if (strcmp(member, "Alert") == 0) {
		const char *kind, *message;

		if (!(ro = roller_of_signal(r, path, params, "(ss)")))
			return;
		g_variant_get(params, "(&s&s)", &kind, &message);
		r->cb.alert(ro->path, kind, message, r->user_data);
	} else if (strcmp(member, "SyncFinished") == 0) {
		guint stored = 0;

		if (!(ro = roller_of_signal(r, path, params, "(us)")))
			return;
		g_variant_get(params, "(u&s)", &stored, NULL);
		if (stored)
			r->cb.sessions_changed(r->user_data);
	}
}

static void
on_manager_signal(GDBusConnection *conn, const char *sender, const char *path,
		  const char *iface, const char *member, GVariant *params, gpointer data)
{
	RmRollerd *r = data;

	(void)conn;
	(void)sender;
	(void)path;
	(void)iface;
	if (strcmp(member, "InterfacesAdded") == 0 &&
	    g_variant_is_of_type(params, G_VARIANT_TYPE("(oa{sa{sv}})"))) {
		const char *object;
		g_autoptr(GVariant) ifaces = NULL;

		g_variant_get(params, "(&o@a{sa{sv}})", &object, &ifaces);
		add_object(r, object, ifaces);
	} else if (strcmp(member, "InterfacesRemoved") == 0 &&
		   g_variant_is_of_type(params, G_VARIANT_TYPE("(oas)"))) {
		const char *object;
		g_autofree const char **ifaces = NULL;

		g_variant_get(params, "(&o^a&s)", &object, &ifaces);
		/* rollerd is still there: that is a Forget. */
		if (g_strv_contains(ifaces, ROLLER_IFACE))
			remove_roller(r, object, TRUE);
	} else if (strcmp(member, "Reminder") == 0 &&
		   g_variant_is_of_type(params, G_VARIANT_TYPE("(sss)"))) {
		const char *person, *kind, *message;

		g_variant_get(params, "(&s&s&s)", &person, &kind, &message);
		r->cb.reminder(person, kind, message, r->user_data);
	}
}

typedef struct {
	RmRollerd *r;
	char *owner;
} ObjectsCall;

static void
objects_done(GObject *source, GAsyncResult *res, gpointer data)
{
	ObjectsCall *c = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res,
								 &error);
	g_autoptr(GVariant) objects = NULL;
	GVariantIter it;
	const char *path;
	GVariant *ifaces;

	if (!ret) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_warning("Cannot list rollerd's rollers: %s", error->message);
		goto out;
	}
	/* An answer of an earlier rollerd. */
	if (g_strcmp0(c->r->name_owner, c->owner) != 0)
		goto out;
	objects = g_variant_get_child_value(ret, 0);
	g_variant_iter_init(&it, objects);
	while (g_variant_iter_next(&it, "{&o@a{sa{sv}}}", &path, &ifaces)) {
		add_object(c->r, path, ifaces);
		g_variant_unref(ifaces);
	}
	c->r->listed = TRUE;
	c->r->cb.listed(c->r->user_data);
	c->r->cb.sessions_changed(c->r->user_data);
out:
	g_free(c->owner);
	g_free(c);
}

static void
on_rollerd_appeared(GDBusConnection *conn, const char *name, const char *owner, gpointer data)
{
	RmRollerd *r = data;
	ObjectsCall *c = g_new0(ObjectsCall, 1);

	(void)name;
	g_message("rollerd is on the bus (%s)", owner);
	g_free(r->name_owner);
	r->name_owner = g_strdup(owner);
	r->listed = FALSE;
	c->r = r;
	c->owner = g_strdup(owner);
	/* The signals are subscribed already: nothing falls between. */
	g_dbus_connection_call(conn, owner, MANAGER_PATH, OM_IFACE, "GetManagedObjects", NULL,
			       G_VARIANT_TYPE("(a{oa{sa{sv}}})"), G_DBUS_CALL_FLAGS_NONE, -1,
			       r->cancel, objects_done, c);
}

static void
on_rollerd_vanished(GDBusConnection *conn, const char *name, gpointer data)
{
	RmRollerd *r = data;
	GHashTableIter it;
	gpointer key;
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);

	(void)conn;
	(void)name;
	g_message("rollerd is not on the bus; waiting for it");
	g_clear_pointer(&r->name_owner, g_free);
	r->listed = FALSE;
	/* Its objects go with it: that is no Forget. */
	g_hash_table_iter_init(&it, r->rollers);
	while (g_hash_table_iter_next(&it, &key, NULL))
		g_ptr_array_add(paths, g_strdup(key));
	for (guint i = 0; i < paths->len; i++)
		remove_roller(r, paths->pdata[i], FALSE);
}

static void
bus_ready(GObject *source, GAsyncResult *res, gpointer data)
{
	g_autoptr(GError) error = NULL;
	GDBusConnection *conn = g_bus_get_finish(res, &error);
	RmRollerd *r = data;
	static const struct {
		const char *iface, *member, *path, *arg0;
		gboolean manager;
	} rules[N_SUBS] = {
		[SUB_ADDED] = { OM_IFACE, "InterfacesAdded", MANAGER_PATH, NULL, TRUE },
		[SUB_REMOVED] = { OM_IFACE, "InterfacesRemoved", MANAGER_PATH, NULL, TRUE },
		[SUB_PROPS] = { PROPS_IFACE, "PropertiesChanged", NULL, ROLLER_IFACE, FALSE },
		[SUB_LIVE] = { ROLLER_IFACE, "LiveUpdate", NULL, NULL, FALSE },
		[SUB_ALERT] = { ROLLER_IFACE, "Alert", NULL, NULL, FALSE },
		[SUB_SYNC] = { ROLLER_IFACE, "SyncFinished", NULL, NULL, FALSE },
		[SUB_REMINDER] = { MANAGER_IFACE, "Reminder", MANAGER_PATH, NULL, TRUE },
	};

	(void)source;
	if (!conn) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_critical("Cannot follow rollerd on D-Bus: %s", error->message);
		return;
	}
	r->conn = conn;
	for (guint i = 0; i < N_SUBS; i++)
		r->subs[i] = g_dbus_connection_signal_subscribe(
			conn, ROLLERD_NAME, rules[i].iface, rules[i].member, rules[i].path,
			rules[i].arg0, G_DBUS_SIGNAL_FLAGS_NONE,
			rules[i].manager ? on_manager_signal : on_signal, r, NULL);
	r->watch_id = g_bus_watch_name_on_connection(conn, ROLLERD_NAME,
						     G_BUS_NAME_WATCHER_FLAGS_AUTO_START,
						     on_rollerd_appeared, on_rollerd_vanished, r,
						     NULL);
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
	g_bus_get(bus_type, r->cancel, bus_ready, r);
	return r;
}

void
rm_rollerd_free(RmRollerd *r)
{
	if (!r)
		return;
	g_cancellable_cancel(r->cancel);
	g_hash_table_destroy(r->rollers);
	if (r->conn) {
		g_bus_unwatch_name(r->watch_id);
		for (guint i = 0; i < N_SUBS; i++)
			g_dbus_connection_signal_unsubscribe(r->conn, r->subs[i]);
		g_object_unref(r->conn);
	}
	g_free(r->name_owner);
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

gboolean
rm_rollerd_is_listed(RmRollerd *r)
{
	return r->listed;
}

const char *
rm_rollerd_find_roller(RmRollerd *r, const char *key)
{
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, r->rollers);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		Roller *ro = value;
		g_autofree char *k = rm_roller_key(prop_str(ro, "Serial"), prop_str(ro, "Address"));

		if (strcmp(k, key) == 0)
			return ro->path;
	}
	return NULL;
}

GDBusConnection *
rm_rollerd_get_connection(RmRollerd *r)
{
	return r->name_owner ? r->conn : NULL;
}

GCancellable *
rm_rollerd_get_cancellable(RmRollerd *r)
{
	return r->cancel;
}
