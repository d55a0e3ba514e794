/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "common/rd-area.h"
#include "daemon/rd-config.h"
#include "common/rd-error.h"
#include "rd-history.h"
#include "rd-history-variant.h"
#include "rd-clinic-calls.h"
#include "daemon/store/rd-store-people.h"
#include "rd-people.h"
#include "rd-polkit.h"
#include "rd-variant.h"

/* Objects exported at once; the oldest asked for goes first. */
#define EXPORTED_SESSIONS_MAX 64

struct _RdHistory {
	RdContext *ctx;
	RdDbusManager1 *manager;
	GHashTable *exported;	/* gint64 id -> RdDbusObjectSkeleton */
	GQueue export_order;	/* ids, oldest first */
};

typedef struct {
	RdHistory *history;
	gint64 id;
} SessionRef;

static const struct {
	const char *key;
	const char *type;
} filter_keys[] = {
	{ "roller", "s" }, { "area", "s" }, { "since", "x" },
	{ "until", "x" }, { "limit", "u" }, { "offset", "u" }, { "person", "o" },
	{ "scope", "s" }, { "after_id", "t" },
};

/* A known key of the right type; else a sentence naming what is wrong. */
static gboolean
check_filter_key(const char *key, GVariant *value, GError **error)
{
	for (gsize i = 0; i < G_N_ELEMENTS(filter_keys); i++) {
		if (!g_str_equal(key, filter_keys[i].key))
			continue;
		if (g_str_equal(g_variant_get_type_string(value), filter_keys[i].type))
			return TRUE;
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "Filter key “%s” must be of type %s, not %s", key,
			    filter_keys[i].type, g_variant_get_type_string(value));
		return FALSE;
	}
	g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
		    "Unknown filter key “%s”; known: roller (s), area (s), since (x), "
		    "until (x), limit (u), offset (u), person (o), scope (s), after_id (t)", key);
	return FALSE;
}

/* Fails with a sentence that names the bad key. */
static gboolean
parse_filter(RdContext *ctx, GVariant *filter, RdSessionFilter *f, gboolean *scoped,
	     gboolean *clinic, GError **error)
{
	GVariantIter iter;
	const char *key;
	GVariant *value;

	g_variant_iter_init(&iter, filter);
	while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
		guint8 area;

		if (!check_filter_key(key, value, error)) {
			g_variant_unref(value);
			return FALSE;
		}
		if (g_str_equal(key, "scope")) {
			*scoped = TRUE;
			if (!rd_clinic_calls_parse_scope(value, clinic, error)) {
				g_variant_unref(value);
				return FALSE;
			}
		} else if (g_str_equal(key, "roller")) {
			f->roller = g_variant_get_string(value, NULL);
		} else if (g_str_equal(key, "area")) {
			if (!rd_area_from_string(g_variant_get_string(value, NULL), &area)) {
				g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
					    "Unknown treatment area '%s'",
					    g_variant_get_string(value, NULL));
				g_variant_unref(value);
				return FALSE;
			}
			f->area_id = area;
		} else if (g_str_equal(key, "person")) {
			if (!rd_people_resolve(ctx, g_variant_get_string(value, NULL),
					       &f->person_id, error)) {
				g_prefix_error(error, "Filter key “person”: ");
				g_variant_unref(value);
				return FALSE;
			}
		} else if (g_str_equal(key, "after_id")) {
			guint64 after = g_variant_get_uint64(value);

			if (after > G_MAXINT64) {
				g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
					    "Filter key “after_id” must be at most %" G_GINT64_FORMAT
					    ", not %" G_GUINT64_FORMAT, G_MAXINT64, after);
				g_variant_unref(value);
				return FALSE;
			}
			f->after_id = (gint64)after;
		} else if (g_str_equal(key, "since")) {
			f->since = g_variant_get_int64(value);
		} else if (g_str_equal(key, "until")) {
			f->until = g_variant_get_int64(value);
		} else if (g_str_equal(key, "limit")) {
			f->limit = g_variant_get_uint32(value);
			if (f->limit == 0 || f->limit > RD_STORE_QUERY_LIMIT_MAX) {
				g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
					    "Filter key “limit” must be 1 to %u, not %u",
					    RD_STORE_QUERY_LIMIT_MAX, f->limit);
				g_variant_unref(value);
				return FALSE;
			}
		} else {
			f->offset = g_variant_get_uint32(value);
		}
	}
	/* The clinic's sessions have no one order of ids across rooms. */
	if (*clinic && f->after_id >= 0) {
		g_set_error_literal(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
				    "Filter key “after_id” pages through this room's journal only: "
				    "it cannot go with scope “clinic”");
		return FALSE;
	}
	if (f->since > f->until) {
		g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
			    "Filter key “since” (%" G_GINT64_FORMAT ") is after “until” (%"
			    G_GINT64_FORMAT ")", f->since, f->until);
		return FALSE;
	}
	return TRUE;
}

static gboolean
handle_query_sessions(RdDbusManager1 *manager, GDBusMethodInvocation *invocation,
		      GVariant *filter, RdHistory *h)
{
	RdSessionFilter f = RD_SESSION_FILTER_INIT;
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	gboolean scoped = FALSE, clinic = FALSE;
	GVariantBuilder out;

	if (!parse_filter(h->ctx, filter, &f, &scoped, &clinic, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return TRUE;
	}
	if (scoped) {
		rd_clinic_calls_query_sessions(h->ctx, invocation, filter, &f, clinic);
		return TRUE;
	}
	if (!rd_store_query_sessions(h->ctx->store, &f, &rows, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return TRUE;
	}
	g_variant_builder_init(&out, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < rows->len; i++)
		g_variant_builder_add_value(&out, rd_history_summary_to_variant(rows->pdata[i]));
	rd_dbus_manager1_complete_query_sessions(manager, invocation,
						 g_variant_builder_end(&out));
	return TRUE;
}

static gboolean
handle_export_sessions(RdDbusManager1 *manager, GDBusMethodInvocation *invocation,
		       GVariant *filter, const char *format, RdHistory *h)
{
	RdSessionFilter f = RD_SESSION_FILTER_INIT;
	g_autoptr(GError) error = NULL;
	gboolean scoped = FALSE, clinic = FALSE, json = FALSE;

	if (!rd_store_parse_export_format(format, &json, &error) ||
	    !parse_filter(h->ctx, filter, &f, &scoped, &clinic, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return TRUE;
	}
	rd_clinic_calls_export(h->ctx, invocation, filter, &f, clinic, json);
	return TRUE;
}

void
rd_history_fill_session(RdDbusSession1 *iface, const RdSession *s)
{
	g_autofree char *area = rd_area_to_string(s->summary.area_id);
	g_autofree char *person = rd_people_path(s->summary.person_id);
	GVariantBuilder trace;

	g_variant_builder_init(&trace, G_VARIANT_TYPE("aq"));
	for (guint i = 0; i < s->trace_len; i++)
		g_variant_builder_add(&trace, "q", s->trace[i]);

	rd_dbus_session1_set_id(iface, (guint64)s->summary.id);
	rd_dbus_session1_set_live(iface, FALSE);
	rd_dbus_session1_set_roller(iface, s->summary.serial);
	rd_dbus_session1_set_address(iface, s->summary.address ? s->summary.address : "");
	rd_dbus_session1_set_record_id(iface, s->summary.record_id);
	rd_dbus_session1_set_area(iface, area);
	rd_dbus_session1_set_start(iface, s->summary.start_unix);
	rd_dbus_session1_set_clock_set(iface, s->summary.clock_set);
	rd_dbus_session1_set_duration(iface, s->summary.duration_ms);
	rd_dbus_session1_set_needle_length(iface, s->summary.needle_um);
	rd_dbus_session1_set_strokes(iface, s->summary.strokes);
	rd_dbus_session1_set_force_mean(iface, s->summary.force_mean_cn);
	rd_dbus_session1_set_force_max(iface, s->summary.force_max_cn);
	rd_dbus_session1_set_in_band(iface, s->summary.in_band_permille);
	rd_dbus_session1_set_directions(iface,
					rd_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, s->dirs,
								   4, sizeof(guint32)));
	rd_dbus_session1_set_grid_columns(iface, s->cols);
	rd_dbus_session1_set_grid_rows(iface, s->rows);
	rd_dbus_session1_set_passes(iface,
				    rd_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, s->passes,
							       (gsize)s->cols * s->rows, 1));
	rd_dbus_session1_set_force_trace(iface, g_variant_new("(qaq)", s->trace_period_ms,
							      &trace));
	rd_dbus_session1_set_source(iface, rd_session_source_to_string(s->summary.source));
	rd_dbus_session1_set_notes(iface, s->notes);
	rd_dbus_session1_set_person(iface, person);
}

static void unexport(RdHistory *h, gint64 id);

static gboolean
refresh(RdHistory *h, gint64 id, RdDbusSession1 *iface, GError **error)
{
	g_autoptr(RdSession) s = NULL;

	if (!rd_store_get_session(h->ctx->store, id, &s, error))
		return FALSE;
	rd_history_fill_session(iface, s);
	return TRUE;
}

static gboolean
handle_set_notes(RdDbusSession1 *iface, GDBusMethodInvocation *invocation,
		 GVariant *notes, SessionRef *ref)
{
	g_autoptr(GError) error = NULL;

	if (!rd_store_set_notes(ref->history->ctx->store, ref->id, notes, &error) ||
	    !refresh(ref->history, ref->id, iface, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return TRUE;
	}
	rd_dbus_session1_complete_set_notes(iface, invocation);
	return TRUE;
}

static void
delete_allowed(GDBusMethodInvocation *invocation, gpointer user_data)
{
	SessionRef *ref = user_data;
	RdHistory *h = ref->history;
	gint64 id = ref->id;
	g_autoptr(GError) error = NULL;

	/* The object may be gone by now (evicted); the id is what counts. */

	if (!rd_store_delete_session(h->ctx->store, id, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	g_dbus_method_invocation_return_value(invocation, NULL);
	unexport(h, id);
	h->ctx->sessions_changed(h->ctx->owner);
}

static gboolean
handle_delete(RdDbusSession1 *iface, GDBusMethodInvocation *invocation, SessionRef *ref)
{
	RdContext *ctx = ref->history->ctx;

	rd_polkit_check(ctx->bus, ctx->system_bus, invocation,
			RD_POLKIT_ACTION_DELETE_SESSION, delete_allowed,
			g_memdup2(ref, sizeof(*ref)), g_free);
	return TRUE;
}

static gboolean
handle_export(RdDbusSession1 *iface, GDBusMethodInvocation *invocation,
	      const char *format, SessionRef *ref)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *data = NULL;

	if (!g_str_equal(format, "csv") && !g_str_equal(format, "json")) {
		g_dbus_method_invocation_return_error(invocation, RD_ERROR,
						      RD_ERROR_INVALID_ARGUMENTS,
						      "Unknown export format '%s'; use csv or json",
						      format);
		return TRUE;
	}
	if (!rd_store_export_session(ref->history->ctx->store, ref->id, format, &data, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return TRUE;
	}
	rd_dbus_session1_complete_export(iface, invocation, data);
	return TRUE;
}

static gboolean
handle_set_person(RdDbusSession1 *iface, GDBusMethodInvocation *invocation,
		  const char *person, SessionRef *ref)
{
	RdContext *ctx = ref->history->ctx;
	g_autoptr(GError) error = NULL;
	gint64 person_id;

	if (!rd_people_resolve(ctx, person, &person_id, &error) ||
	    !rd_store_set_session_person(ctx->store, ref->id, person_id, &error) ||
	    !refresh(ref->history, ref->id, iface, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return TRUE;
	}
	rd_dbus_session1_complete_set_person(iface, invocation);
	ctx->sessions_changed(ctx->owner);
	return TRUE;
}

static void
unexport(RdHistory *h, gint64 id)
{
	g_autofree char *path = rd_history_session_path(id);

	if (!g_hash_table_remove(h->exported, &id))
		return;
	for (GList *l = h->export_order.head; l; l = l->next) {
		if (*(gint64 *)l->data == id) {
			g_free(l->data);
			g_queue_delete_link(&h->export_order, l);
			break;
		}
	}
	g_dbus_object_manager_server_unexport(h->ctx->object_manager, path);
}

static gboolean
export_session(RdHistory *h, gint64 id, GError **error)
{
	g_autoptr(GDBusInterfaceSkeleton) skeleton = NULL;
	g_autoptr(RdDbusObjectSkeleton) object = NULL;
	g_autofree char *path = rd_history_session_path(id);
	RdDbusSession1 *iface;
	SessionRef *ref;

	if (g_hash_table_contains(h->exported, &id))
		return TRUE;
	skeleton = G_DBUS_INTERFACE_SKELETON(rd_dbus_session1_skeleton_new());
	iface = RD_DBUS_SESSION1(skeleton);
	/* The history keeps no frame counts: only a live session has them. */
	rd_dbus_session1_set_frames_rejected(iface, g_variant_new_parsed("@a{su} {}"));
	if (!refresh(h, id, iface, error))
		return FALSE;
	if (g_queue_get_length(&h->export_order) >= EXPORTED_SESSIONS_MAX)
		unexport(h, *(gint64 *)g_queue_peek_head(&h->export_order));

	ref = g_new0(SessionRef, 1);
	ref->history = h;
	ref->id = id;
	g_object_set_data_full(G_OBJECT(iface), "rd-session-ref", ref, g_free);
	g_signal_connect(iface, "handle-set-notes", G_CALLBACK(handle_set_notes), ref);
	g_signal_connect(iface, "handle-delete", G_CALLBACK(handle_delete), ref);
	g_signal_connect(iface, "handle-export", G_CALLBACK(handle_export), ref);
	g_signal_connect(iface, "handle-set-person", G_CALLBACK(handle_set_person), ref);
	object = rd_dbus_object_skeleton_new(path);
	rd_dbus_object_skeleton_set_session1(object, iface);
	g_dbus_object_manager_server_export(h->ctx->object_manager,
					    G_DBUS_OBJECT_SKELETON(object));
	g_hash_table_insert(h->exported, g_memdup2(&id, sizeof(id)), g_object_ref(object));
	g_queue_push_tail(&h->export_order, g_memdup2(&id, sizeof(id)));
	return TRUE;
}

static gboolean
handle_get_session(RdDbusManager1 *manager, GDBusMethodInvocation *invocation,
		   guint64 id, RdHistory *h)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = rd_history_session_path((gint64)id);

	if (id > G_MAXINT64 || !export_session(h, (gint64)id, &error)) {
		if (!error)
			error = g_error_new(RD_ERROR, RD_ERROR_NOT_FOUND,
					    "No session %" G_GUINT64_FORMAT, id);
		g_dbus_method_invocation_return_gerror(invocation, error);
		return TRUE;
	}
	rd_dbus_manager1_complete_get_session(manager, invocation, path);
	return TRUE;
}

static gboolean
handle_get_treatment_plan(RdDbusManager1 *manager, GDBusMethodInvocation *invocation,
			  RdHistory *h)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) areas = NULL;
	RdPlanConfig plan;
	GVariantBuilder out;
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;

	rd_config_get_plan(h->ctx->config, &plan);
	if (!rd_store_treatment_plan(h->ctx->store, &plan, 0, &areas, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return TRUE;
	}
	g_variant_builder_init(&out, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < areas->len; i++) {
		const RdPlanArea *a = areas->pdata[i];
		g_variant_builder_add_value(&out, rd_history_plan_area_to_variant(a, now));
	}
	rd_dbus_manager1_complete_get_treatment_plan(manager, invocation,
						     g_variant_builder_end(&out));
	return TRUE;
}

/* Options: person (o), person_name (s), scope (s). */
static gboolean
handle_query_treatment_plan(RdDbusManager1 *manager, GDBusMethodInvocation *invocation,
			    GVariant *options, RdHistory *h)
{
	g_autoptr(GError) error = NULL;
	gboolean clinic = FALSE;
	gint64 person_id = 0;
	const char *person_name = NULL;	/* points into @options */
	GVariantIter iter;
	const char *key;
	GVariant *value;

	g_variant_iter_init(&iter, options);
	while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
		gboolean ok;

		if (g_str_equal(key, "scope") && g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
			ok = rd_clinic_calls_parse_scope(value, &clinic, &error);
		else if (g_str_equal(key, "person") &&
			 g_variant_is_of_type(value, G_VARIANT_TYPE_OBJECT_PATH))
			ok = rd_people_resolve(h->ctx, g_variant_get_string(value, NULL), &person_id,
					       &error);
		else if (g_str_equal(key, "person_name") &&
			 g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
			ok = (person_name = g_variant_get_string(value, NULL)) != NULL;
		else {
			g_set_error(&error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
				    "Unknown option “%s” of type %s; known: person (o), "
				    "person_name (s), scope (s)", key, g_variant_get_type_string(value));
			ok = FALSE;
		}
		if (!ok) {
			g_variant_unref(value);
			g_dbus_method_invocation_return_gerror(invocation, error);
			return TRUE;
		}
	}
	rd_clinic_calls_plan(h->ctx, invocation, person_id, person_name, clinic);
	return TRUE;
}

void
rd_history_session_changed(RdHistory *h, gint64 id)
{
	GDBusObjectSkeleton *object = g_hash_table_lookup(h->exported, &id);
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusInterface) iface = NULL;

	if (!object)
		return;
	iface = G_DBUS_INTERFACE(rd_dbus_object_get_session1(RD_DBUS_OBJECT(object)));
	if (!refresh(h, id, RD_DBUS_SESSION1(iface), &error))
		unexport(h, id);
}

RdHistory *
rd_history_new(RdContext *ctx, RdDbusManager1 *manager)
{
	RdHistory *h = g_new0(RdHistory, 1);

	h->ctx = ctx;
	h->manager = g_object_ref(manager);
	h->exported = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
					    g_object_unref);
	g_queue_init(&h->export_order);
	g_signal_connect(manager, "handle-query-sessions", G_CALLBACK(handle_query_sessions), h);
	g_signal_connect(manager, "handle-export-sessions", G_CALLBACK(handle_export_sessions),
			 h);
	g_signal_connect(manager, "handle-get-session", G_CALLBACK(handle_get_session), h);
	g_signal_connect(manager, "handle-get-treatment-plan",
			 G_CALLBACK(handle_get_treatment_plan), h);
	g_signal_connect(manager, "handle-query-treatment-plan",
			 G_CALLBACK(handle_query_treatment_plan), h);
	return h;
}

void
rd_history_forget_all(RdHistory *h)
{
	GHashTableIter iter;
	gpointer key;

	g_hash_table_iter_init(&iter, h->exported);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		g_autofree char *path = rd_history_session_path(*(gint64 *)key);

		g_dbus_object_manager_server_unexport(h->ctx->object_manager, path);
		g_hash_table_iter_remove(&iter);
	}
	g_queue_clear_full(&h->export_order, g_free);
	g_queue_init(&h->export_order);
}

void
rd_history_free(RdHistory *h)
{
	if (!h)
		return;
	g_signal_handlers_disconnect_by_data(h->manager, h);
	rd_history_forget_all(h);
	g_hash_table_unref(h->exported);
	g_object_unref(h->manager);
	g_free(h);
}
