/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The history's D-Bus shapes: a session's summary, a plan area. */
#include "config.h"

#include "rd-history-variant.h"
#include "common/rd-area.h"
#include "rd-people.h"

char *
rd_history_session_path(gint64 id)
{
	return g_strdup_printf(RD_HISTORY_SESSION_PATH_PREFIX "%" G_GINT64_FORMAT, id);
}

/*
 * What a summary says wherever it was stored; @path and @person (the
 * local objects) only for this room's, in the order clients have seen.
 */
static void
add_summary(GVariantBuilder *b, const RdSessionSummary *s, const char *path, const char *person)
{
	g_autofree char *area = rd_area_to_string(s->area_id);

	g_variant_builder_add(b, "{sv}", "id", g_variant_new_uint64((guint64)s->id));
	if (path)
		g_variant_builder_add(b, "{sv}", "path", g_variant_new_object_path(path));
	g_variant_builder_add(b, "{sv}", "roller", g_variant_new_string(s->serial));
	g_variant_builder_add(b, "{sv}", "address",
			      g_variant_new_string(s->address ? s->address : ""));
	g_variant_builder_add(b, "{sv}", "record_id", g_variant_new_uint16(s->record_id));
	g_variant_builder_add(b, "{sv}", "area", g_variant_new_string(area));
	g_variant_builder_add(b, "{sv}", "start", g_variant_new_int64(s->start_unix));
	g_variant_builder_add(b, "{sv}", "clock_set", g_variant_new_boolean(s->clock_set));
	g_variant_builder_add(b, "{sv}", "duration_ms", g_variant_new_uint32(s->duration_ms));
	g_variant_builder_add(b, "{sv}", "needle_um", g_variant_new_uint16(s->needle_um));
	g_variant_builder_add(b, "{sv}", "strokes", g_variant_new_uint32(s->strokes));
	g_variant_builder_add(b, "{sv}", "force_mean_cn", g_variant_new_uint16(s->force_mean_cn));
	g_variant_builder_add(b, "{sv}", "force_max_cn", g_variant_new_uint16(s->force_max_cn));
	g_variant_builder_add(b, "{sv}", "in_band_permille",
			      g_variant_new_uint16(s->in_band_permille));
	g_variant_builder_add(b, "{sv}", "source",
			      g_variant_new_string(rd_session_source_to_string(s->source)));
	if (person)
		g_variant_builder_add(b, "{sv}", "person", g_variant_new_object_path(person));
	g_variant_builder_add(b, "{sv}", "person_name",
			      g_variant_new_string(s->person_name ? s->person_name : ""));
}

GVariant *
rd_history_summary_to_variant(const RdSessionSummary *s)
{
	GVariantBuilder b;
	g_autofree char *path = rd_history_session_path(s->id);
	g_autofree char *person = rd_people_path(s->person_id);

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	add_summary(&b, s, path, person);
	return g_variant_builder_end(&b);
}

GVariant *
rd_history_clinic_summary_to_variant(const RdSessionSummary *s, const char *room)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	add_summary(&b, s, NULL, NULL);
	g_variant_builder_add(&b, "{sv}", "room", g_variant_new_string(room));
	return g_variant_builder_end(&b);
}

GVariant *
rd_history_plan_area_to_variant(const RdPlanArea *a, gint64 now)
{
	GVariantBuilder b;
	g_autofree char *area = rd_area_to_string(a->area_id);

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	if (a->person_id) {
		g_autofree char *person = rd_people_path(a->person_id);

		g_variant_builder_add(&b, "{sv}", "person", g_variant_new_object_path(person));
	}
	g_variant_builder_add(&b, "{sv}", "person_name", g_variant_new_string(a->person_name));
	g_variant_builder_add(&b, "{sv}", "area", g_variant_new_string(area));
	g_variant_builder_add(&b, "{sv}", "sessions", g_variant_new_uint32(a->sessions));
	g_variant_builder_add(&b, "{sv}", "last_start", g_variant_new_int64(a->last_start));
	g_variant_builder_add(&b, "{sv}", "needle_um", g_variant_new_uint16(a->needle_um));
	g_variant_builder_add(&b, "{sv}", "min_interval_days",
			      g_variant_new_uint32(a->min_interval_days));
	g_variant_builder_add(&b, "{sv}", "next_due", g_variant_new_int64(a->next_due));
	g_variant_builder_add(&b, "{sv}", "due",
			      g_variant_new_boolean(a->sessions && a->next_due <= now));
	g_variant_builder_add(&b, "{sv}", "reminded", g_variant_new_boolean(a->reminded));
	return g_variant_builder_end(&b);
}
