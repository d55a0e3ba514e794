/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "common/rd-area.h"
#include "common/rd-error.h"
#include "daemon/store/rd-store-people.h"
#include "rd-people.h"
#include "rd-polkit.h"

#define PERSON_PATH_PREFIX "/org/rollerd/person/"

struct _RdPeople {
	RdContext *ctx;
	RdDbusManager1 *manager;
	GHashTable *objects;	/* gint64 id -> RdDbusObjectSkeleton */
};

typedef struct {
	RdPeople *people;
	gint64 id;
} PersonRef;

char *
rd_people_path(gint64 id)
{
	return g_strdup_printf(PERSON_PATH_PREFIX "%" G_GINT64_FORMAT, id);
}

gboolean
rd_people_resolve(RdContext *ctx, const char *path, gint64 *id, GError **error)
{
	guint64 n;
	gboolean found;

	if (!g_str_has_prefix(path, PERSON_PATH_PREFIX) ||
	    !g_ascii_string_to_unsigned(path + strlen(PERSON_PATH_PREFIX), 10, 1, G_MAXINT64,
					&n, NULL)) {
		g_set_error_literal(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
				    "A person is named by a path " PERSON_PATH_PREFIX
				    "ID, from ListPeople");
		return FALSE;
	}
	if (!rd_store_has_person(ctx->store, (gint64)n, &found, error))
		return FALSE;
	if (!found) {
		g_set_error(error, RD_ERROR, RD_ERROR_NOT_FOUND,
			    "No person %" G_GUINT64_FORMAT " in the journal", n);
		return FALSE;
	}
	*id = (gint64)n;
	return TRUE;
}

static GStrv
areas_to_strv(const GByteArray *areas)
{
	GStrv names = g_new0(char *, areas->len + 1);

	for (guint i = 0; i < areas->len; i++)
		names[i] = rd_area_to_string(areas->data[i]);
	return names;
}

/* Area names to ids, each once; InvalidArguments naming a bad one. */
static GByteArray *
areas_from_strv(const char *const *names, GError **error)
{
	g_autoptr(GByteArray) ids = g_byte_array_new();

	for (gsize i = 0; names && names[i]; i++) {
		guint8 id;
		gboolean seen = FALSE;

		if (!rd_area_from_string(names[i], &id)) {
			g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
				    "Unknown treatment area '%s'", names[i]);
			return NULL;
		}
		for (guint j = 0; j < ids->len && !seen; j++)
			seen = ids->data[j] == id;
		if (!seen)
			g_byte_array_append(ids, &id, 1);
	}
	return g_steal_pointer(&ids);
}

static gboolean
refresh(RdPeople *p, gint64 id, RdDbusPerson1 *iface, GError **error)
{
	g_autoptr(RdPerson) person = NULL;
	g_auto(GStrv) areas = NULL;

	if (!rd_store_get_person(p->ctx->store, id, &person, error))
		return FALSE;
	areas = areas_to_strv(person->areas);
	rd_dbus_person1_set_name(iface, person->name);
	rd_dbus_person1_set_notes(iface, person->notes);
	rd_dbus_person1_set_default_needle_length(iface, person->needle_um);
	rd_dbus_person1_set_areas(iface, (const char *const *)areas);
	return TRUE;
}

/* Answers @invocation after a change to person @ref, refreshing its object. */
static void
finish_change(PersonRef *ref, RdDbusPerson1 *iface, GDBusMethodInvocation *invocation,
	      gboolean ok, GError *error)
{
	g_autoptr(GError) owned = error;

	if (ok && !refresh(ref->people, ref->id, iface, &owned))
		ok = FALSE;
	if (!ok) {
		g_dbus_method_invocation_return_gerror(invocation, owned);
		return;
	}
	g_dbus_method_invocation_return_value(invocation, NULL);
	ref->people->ctx->sessions_changed(ref->people->ctx->owner);
}

static gboolean
handle_rename(RdDbusPerson1 *iface, GDBusMethodInvocation *invocation, const char *name,
	      PersonRef *ref)
{
	GError *error = NULL;
	gboolean ok = rd_store_rename_person(ref->people->ctx->store, ref->id, name, &error);

	finish_change(ref, iface, invocation, ok, error);
	return TRUE;
}

static gboolean
handle_set_notes(RdDbusPerson1 *iface, GDBusMethodInvocation *invocation, const char *notes,
		 PersonRef *ref)
{
	RdPersonProps props = { .notes = notes };
	GError *error = NULL;
	gboolean ok = rd_store_set_person_props(ref->people->ctx->store, ref->id, &props, &error);

	finish_change(ref, iface, invocation, ok, error);
	return TRUE;
}

static gboolean
handle_set_defaults(RdDbusPerson1 *iface, GDBusMethodInvocation *invocation,
		    guint16 needle_um, const char *const *areas, PersonRef *ref)
{
	g_autoptr(GByteArray) ids = NULL;
	RdPersonProps props = { .set_defaults = TRUE, .needle_um = needle_um };
	GError *error = NULL;
	gboolean ok = FALSE;

	if ((ids = areas_from_strv(areas, &error))) {
		props.areas = ids->data;
		props.n_areas = ids->len;
		ok = rd_store_set_person_props(ref->people->ctx->store, ref->id, &props, &error);
	}
	finish_change(ref, iface, invocation, ok, error);
	return TRUE;
}

static void
unexport(RdPeople *p, gint64 id)
{
	g_autofree char *path = rd_people_path(id);

	if (g_hash_table_remove(p->objects, &id))
		g_dbus_object_manager_server_unexport(p->ctx->object_manager, path);
}

static void
remove_allowed(GDBusMethodInvocation *invocation, gpointer user_data)
{
	PersonRef *ref = user_data;
	RdPeople *p = ref->people;
	gint64 id = ref->id;
	g_autoptr(GError) error = NULL;

	if (!rd_store_remove_person(p->ctx->store, id, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	g_dbus_method_invocation_return_value(invocation, NULL);
	unexport(p, id);
	p->ctx->person_removed(p->ctx->owner, id);
	p->ctx->sessions_changed(p->ctx->owner);
}

static gboolean
handle_remove(RdDbusPerson1 *iface, GDBusMethodInvocation *invocation, PersonRef *ref)
{
	RdContext *ctx = ref->people->ctx;

	rd_polkit_check(ctx->bus, ctx->system_bus, invocation, RD_POLKIT_ACTION_REMOVE_PERSON,
			remove_allowed, g_memdup2(ref, sizeof(*ref)), g_free);
	return TRUE;
}

static gboolean
export_person(RdPeople *p, gint64 id, GError **error)
{
	g_autoptr(RdDbusObjectSkeleton) object = NULL;
	g_autofree char *path = rd_people_path(id);
	RdDbusPerson1 *iface = rd_dbus_person1_skeleton_new();
	PersonRef *ref;

	if (!refresh(p, id, iface, error)) {
		g_object_unref(iface);
		return FALSE;
	}
	ref = g_new0(PersonRef, 1);
	ref->people = p;
	ref->id = id;
	g_object_set_data_full(G_OBJECT(iface), "rd-person-ref", ref, g_free);
	g_signal_connect(iface, "handle-rename", G_CALLBACK(handle_rename), ref);
	g_signal_connect(iface, "handle-set-notes", G_CALLBACK(handle_set_notes), ref);
	g_signal_connect(iface, "handle-set-defaults", G_CALLBACK(handle_set_defaults), ref);
	g_signal_connect(iface, "handle-remove", G_CALLBACK(handle_remove), ref);
	object = rd_dbus_object_skeleton_new(path);
	rd_dbus_object_skeleton_set_person1(object, iface);
	g_object_unref(iface);
	g_dbus_object_manager_server_export(p->ctx->object_manager,
					    G_DBUS_OBJECT_SKELETON(object));
	g_hash_table_insert(p->objects, g_memdup2(&id, sizeof(id)), g_object_ref(object));
	return TRUE;
}

/* AddPerson's props: notes (s), needle_um (q), areas (as); nothing else. */
static gboolean
parse_props(GVariant *props, RdPersonProps *out, GByteArray **areas, GError **error)
{
	GVariantIter iter;
	const char *key;
	GVariant *value;

	g_variant_iter_init(&iter, props);
	while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
		const char *type = g_variant_get_type_string(value);

		if (g_str_equal(key, "notes") && g_str_equal(type, "s")) {
			out->notes = g_variant_get_string(value, NULL);
		} else if (g_str_equal(key, "needle_um") && g_str_equal(type, "q")) {
			out->set_defaults = TRUE;
			out->needle_um = g_variant_get_uint16(value);
		} else if (g_str_equal(key, "areas") && g_str_equal(type, "as")) {
			g_autofree const char **names = g_variant_get_strv(value, NULL);

			out->set_defaults = TRUE;
			g_clear_pointer(areas, g_byte_array_unref);
			if (!(*areas = areas_from_strv(names, error))) {
				g_variant_unref(value);
				return FALSE;
			}
		} else {
			g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
				    "Unknown person property “%s” of type %s; known: notes (s), "
				    "needle_um (q), areas (as)", key, type);
			g_variant_unref(value);
			return FALSE;
		}
	}
	if (*areas) {
		out->areas = (*areas)->data;
		out->n_areas = (*areas)->len;
	}
	return TRUE;
}

static gboolean
handle_add_person(RdDbusManager1 *manager, GDBusMethodInvocation *invocation,
		  const char *name, GVariant *props, RdPeople *p)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GByteArray) areas = NULL;
	g_autofree char *path = NULL;
	RdPersonProps parsed = { NULL };
	gint64 id;

	/* Props are read while @props lives: their strings point into it. */
	if (!parse_props(props, &parsed, &areas, &error) ||
	    !rd_store_add_person(p->ctx->store, name, &parsed, &id, &error) ||
	    !export_person(p, id, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return TRUE;
	}
	path = rd_people_path(id);
	g_message("Added person %" G_GINT64_FORMAT, id);
	rd_dbus_manager1_complete_add_person(manager, invocation, path);
	p->ctx->sessions_changed(p->ctx->owner);
	return TRUE;
}

static gboolean
handle_list_people(RdDbusManager1 *manager, GDBusMethodInvocation *invocation, RdPeople *p)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) people = NULL;
	GVariantBuilder b;

	if (!rd_store_list_people(p->ctx->store, &people, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return TRUE;
	}
	g_variant_builder_init(&b, G_VARIANT_TYPE("a(os)"));
	for (guint i = 0; i < people->len; i++) {
		const RdPerson *person = people->pdata[i];
		g_autofree char *path = rd_people_path(person->id);

		g_variant_builder_add(&b, "(os)", path, person->name);
	}
	rd_dbus_manager1_complete_list_people(manager, invocation, g_variant_builder_end(&b));
	return TRUE;
}

RdPeople *
rd_people_new(RdContext *ctx, RdDbusManager1 *manager)
{
	RdPeople *p = g_new0(RdPeople, 1);
	g_autoptr(GPtrArray) people = NULL;
	g_autoptr(GError) error = NULL;

	p->ctx = ctx;
	p->manager = g_object_ref(manager);
	p->objects = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_object_unref);
	g_signal_connect(manager, "handle-add-person", G_CALLBACK(handle_add_person), p);
	g_signal_connect(manager, "handle-list-people", G_CALLBACK(handle_list_people), p);
	if (!rd_store_list_people(ctx->store, &people, &error)) {
		g_warning("Cannot read the people: %s", error->message);
		return p;
	}
	for (guint i = 0; i < people->len; i++) {
		const RdPerson *person = people->pdata[i];

		if (!export_person(p, person->id, &error)) {
			g_warning("Cannot export person %" G_GINT64_FORMAT ": %s", person->id,
				  error->message);
			g_clear_error(&error);
		}
	}
	return p;
}

void
rd_people_free(RdPeople *p)
{
	GHashTableIter iter;
	gpointer key;

	if (!p)
		return;
	g_signal_handlers_disconnect_by_data(p->manager, p);
	g_hash_table_iter_init(&iter, p->objects);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		g_autofree char *path = rd_people_path(*(gint64 *)key);

		g_dbus_object_manager_server_unexport(p->ctx->object_manager, path);
	}
	g_hash_table_unref(p->objects);
	g_object_unref(p->manager);
	g_free(p);
}
