/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scoped reads: the clinic's answer, or this room's with the reason. */
#include "config.h"

#include "rd-clinic-calls.h"
#include "rd-history-variant.h"
#include "common/rd-error.h"
#include "daemon/rd-config.h"
#include "daemon/clinic/rd-clinic.h"
#include "daemon/store/rd-store-people.h"

typedef struct {
	RdContext *ctx;
	GDBusMethodInvocation *invocation;
	GVariant *filter_variant;
	RdSessionFilter filter;
	gint64 person_id;
	char *person_name;	/* the plan's, when named so */
	gboolean json;		/* the export's format */
} Call;

static void
call_free(Call *c)
{
	g_object_unref(c->invocation);
	if (c->filter_variant)
		g_variant_unref(c->filter_variant);
	g_free(c->person_name);
	g_free(c);
}

gboolean
rd_clinic_calls_parse_scope(GVariant *value, gboolean *clinic, GError **error)
{
	const char *scope = g_variant_get_string(value, NULL);

	if (g_str_equal(scope, "local") || g_str_equal(scope, "clinic")) {
		*clinic = g_str_equal(scope, "clinic");
		return TRUE;
	}
	g_set_error(error, RD_ERROR, RD_ERROR_INVALID_ARGUMENTS,
		    "Key “scope” must be “local” or “clinic”, not “%s”", scope);
	return FALSE;
}

/* @n_sessions: the export's count, or -1 for none. */
static GVariant *
status_new(const char *scope, const char *clinic_error, gint64 n_sessions)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "scope", g_variant_new_string(scope));
	if (clinic_error)
		g_variant_builder_add(&b, "{sv}", "clinic_error",
				      g_variant_new_string(clinic_error));
	if (n_sessions >= 0)
		g_variant_builder_add(&b, "{sv}", "sessions",
				      g_variant_new_uint32((guint32)n_sessions));
	return g_variant_builder_end(&b);
}

static void
add_status(GVariantBuilder *out, const char *scope, const char *clinic_error)
{
	g_variant_builder_add_value(out, status_new(scope, clinic_error, -1));
}

/* The local answer, saying why not the clinic's when it was asked for. */
static void
reply_sessions_local(Call *c, const char *clinic_error)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	GVariantBuilder out;

	if (!rd_store_query_sessions(c->ctx->store, &c->filter, &rows, &error)) {
		g_dbus_method_invocation_return_gerror(c->invocation, error);
		return;
	}
	g_variant_builder_init(&out, G_VARIANT_TYPE("aa{sv}"));
	add_status(&out, "local", clinic_error);
	for (guint i = 0; i < rows->len; i++)
		g_variant_builder_add_value(&out, rd_history_summary_to_variant(rows->pdata[i]));
	g_dbus_method_invocation_return_value(c->invocation, g_variant_new("(aa{sv})", &out));
}

/*
 * After the clinic's answer: FALSE when it came.  Else the local answer
 * (by @local, saying why) went, or, rollerd stopping, an error touching
 * nothing else; @c is freed.
 */
static gboolean
clinic_failed(Call *c, const GError *error, void (*local)(Call *c, const char *clinic_error))
{
	if (!error)
		return FALSE;
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_dbus_method_invocation_return_error_literal(c->invocation, RD_ERROR,
							      RD_ERROR_FAILED, error->message);
	} else {
		g_autofree char *why = g_strdup_printf("The clinic's journal could not answer: %s",
						       error->message);

		local(c, why);
	}
	call_free(c);
	return TRUE;
}

static void
on_clinic_sessions(GPtrArray *rows, const GError *error, gpointer user_data)
{
	Call *c = user_data;
	GVariantBuilder out;

	if (clinic_failed(c, error, reply_sessions_local))
		return;
	g_variant_builder_init(&out, G_VARIANT_TYPE("aa{sv}"));
	add_status(&out, "clinic", NULL);
	for (guint i = 0; i < rows->len; i++) {
		const RdClinicSession *cs = rows->pdata[i];

		g_variant_builder_add_value(&out, rd_history_clinic_summary_to_variant(&cs->summary,
										       cs->room));
	}
	g_dbus_method_invocation_return_value(c->invocation, g_variant_new("(aa{sv})", &out));
	call_free(c);
}

static const char not_in_clinic[] =
	"This rollerd is in no clinic (rollerd.conf has no [Clinic] Connection)";

/* The person's clinic-wide key; NULL with @error when they are gone. */
static gboolean
person_key(RdContext *ctx, gint64 person_id, char **key, GError **error)
{
	g_autoptr(RdPerson) person = NULL;

	*key = NULL;
	if (person_id == 0)
		return TRUE;
	if (!rd_store_get_person(ctx->store, person_id, &person, error))
		return FALSE;
	*key = rd_person_name_key(person->name);
	return TRUE;
}

typedef void (*ReadFunc)(RdClinicReader *reader, const RdSessionFilter *filter,
			 const char *person_key, RdClinicRowsFunc func, gpointer user_data);

/*
 * A call on a page of sessions: the clinic's rows to @done by @read, or
 * this room's answer by @local (saying why, when the clinic was asked).
 */
static void
sessions_call(RdContext *ctx, GDBusMethodInvocation *invocation, GVariant *filter_variant,
	      const RdSessionFilter *f, gboolean clinic, gboolean json,
	      void (*local)(Call *c, const char *clinic_error), ReadFunc read,
	      RdClinicRowsFunc done)
{
	Call *c = g_new0(Call, 1);
	g_autoptr(GError) error = NULL;
	g_autofree char *key = NULL;

	c->ctx = ctx;
	c->invocation = g_object_ref(invocation);
	c->filter_variant = g_variant_ref(filter_variant);
	c->filter = *f;
	c->json = json;
	if (!clinic || !ctx->clinic) {
		local(c, clinic ? not_in_clinic : NULL);
		call_free(c);
		return;
	}
	if (!person_key(ctx, f->person_id, &key, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		call_free(c);
		return;
	}
	read(rd_clinic_get_reader(ctx->clinic), &c->filter, key, done, c);
}

void
rd_clinic_calls_query_sessions(RdContext *ctx, GDBusMethodInvocation *invocation,
			       GVariant *filter_variant, const RdSessionFilter *f,
			       gboolean clinic)
{
	sessions_call(ctx, invocation, filter_variant, f, clinic, FALSE, reply_sessions_local,
		      rd_clinic_reader_query_sessions, on_clinic_sessions);
}

static void
reply_plan(Call *c, GPtrArray *areas, const char *scope, const char *clinic_error)
{
	gint64 now = g_get_real_time() / G_USEC_PER_SEC;
	GVariantBuilder out;

	g_variant_builder_init(&out, G_VARIANT_TYPE("aa{sv}"));
	add_status(&out, scope, clinic_error);
	for (guint i = 0; i < areas->len; i++)
		g_variant_builder_add_value(&out, rd_history_plan_area_to_variant(areas->pdata[i],
										  now));
	g_dbus_method_invocation_return_value(c->invocation, g_variant_new("(aa{sv})", &out));
}

static void
reply_plan_local(Call *c, const char *clinic_error)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) areas = NULL;
	RdPlanConfig plan;

	if (c->person_name && !rd_store_find_person(c->ctx->store, c->person_name, &c->person_id,
						    &error)) {
		/* Named in the clinic only: this room has nothing of theirs. */
		if (clinic_error && g_error_matches(error, RD_ERROR, RD_ERROR_NOT_FOUND)) {
			g_autoptr(GPtrArray) none = g_ptr_array_new();

			reply_plan(c, none, "local", clinic_error);
		} else {
			g_dbus_method_invocation_return_gerror(c->invocation, error);
		}
		return;
	}
	rd_config_get_plan(c->ctx->config, &plan);
	if (!rd_store_treatment_plan(c->ctx->store, &plan, c->person_id, &areas, &error)) {
		g_dbus_method_invocation_return_gerror(c->invocation, error);
		return;
	}
	reply_plan(c, areas, "local", clinic_error);
}

static void
on_clinic_plan(GPtrArray *areas, const GError *error, gpointer user_data)
{
	Call *c = user_data;

	if (clinic_failed(c, error, reply_plan_local))
		return;
	reply_plan(c, areas, "clinic", NULL);
	call_free(c);
}

void
rd_clinic_calls_plan(RdContext *ctx, GDBusMethodInvocation *invocation, gint64 person_id,
		     const char *person_name, gboolean clinic)
{
	Call *c = g_new0(Call, 1);
	g_autoptr(GError) error = NULL;
	g_autofree char *key = NULL;
	RdPlanConfig plan;

	c->ctx = ctx;
	c->invocation = g_object_ref(invocation);
	c->person_id = person_id;
	c->person_name = g_strdup(person_name);
	if (!clinic || !ctx->clinic) {
		reply_plan_local(c, clinic ? not_in_clinic : NULL);
		call_free(c);
		return;
	}
	if (person_name) {
		g_autofree char *clean = rd_person_name_check(person_name, &error);

		if (clean)
			key = rd_person_name_key(clean);
	} else {
		person_key(ctx, person_id, &key, &error);
	}
	if (error) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		call_free(c);
		return;
	}
	rd_config_get_plan(ctx->config, &plan);
	rd_clinic_reader_plan(rd_clinic_get_reader(ctx->clinic), &plan, key, on_clinic_plan, c);
}

static void
reply_export(Call *c, GPtrArray *sessions, GPtrArray *rooms, const char *scope,
	     const char *clinic_error)
{
	g_autofree char *data = rd_store_format_sessions(sessions, rooms, c->json);

	g_dbus_method_invocation_return_value(c->invocation,
					      g_variant_new("(@a{sv}s)",
							    status_new(scope, clinic_error,
								       sessions->len),
							    data));
}

static void
reply_export_local(Call *c, const char *clinic_error)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) sessions = NULL, rooms = g_ptr_array_new();
	const char *room = c->ctx->clinic ? rd_clinic_get_room(c->ctx->clinic) : "";

	if (!rd_store_load_sessions(c->ctx->store, &c->filter, &sessions, &error)) {
		g_dbus_method_invocation_return_gerror(c->invocation, error);
		return;
	}
	for (guint i = 0; i < sessions->len; i++)
		g_ptr_array_add(rooms, (gpointer)room);
	reply_export(c, sessions, rooms, "local", clinic_error);
}

static void
on_clinic_export(GPtrArray *details, const GError *error, gpointer user_data)
{
	Call *c = user_data;
	g_autoptr(GPtrArray) sessions = NULL, rooms = NULL;

	if (clinic_failed(c, error, reply_export_local))
		return;
	sessions = g_ptr_array_new();
	rooms = g_ptr_array_new();
	for (guint i = 0; i < details->len; i++) {
		const RdClinicDetail *d = details->pdata[i];

		g_ptr_array_add(sessions, d->session);
		g_ptr_array_add(rooms, d->room);
	}
	reply_export(c, sessions, rooms, "clinic", NULL);
	call_free(c);
}

void
rd_clinic_calls_export(RdContext *ctx, GDBusMethodInvocation *invocation,
		       GVariant *filter_variant, const RdSessionFilter *f, gboolean clinic,
		       gboolean json)
{
	sessions_call(ctx, invocation, filter_variant, f, clinic, json, reply_export_local,
		      rd_clinic_reader_query_details, on_clinic_export);
}
