/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The monitor off a terminal: one line per packet, per alert and at the
 * end; with --json one record per line, each with the same fields in the
 * same order every time (rollerctl(1) lists them), "type" first.
 */
#include "config.h"

#include <stdio.h>

#include "rc-monitor-private.h"

static void
add_uint(JsonBuilder *b, const char *name, guint64 value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_int_value(b, (gint64)value);
}

static void
add_uint_or_null(JsonBuilder *b, const char *name, gboolean have, guint64 value)
{
	json_builder_set_member_name(b, name);
	if (have)
		json_builder_add_int_value(b, (gint64)value);
	else
		json_builder_add_null_value(b);
}

/* "type" and "session", which every record starts with. */
static JsonBuilder *
record_new(RcMonitor *m, const char *type)
{
	JsonBuilder *b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, type);
	add_uint_or_null(b, "session", m->have_packet, m->last.session_id);
	return b;
}

/* The live values, in the order that updates and the end share. */
static void
add_values(JsonBuilder *b, RcMonitor *m)
{
	const RdLivePacket *p = &m->last;
	guint16 contact = 0;
	gboolean have_contact = rc_force_view_contact_cn(m->force, &contact);

	add_uint(b, "dropped", p->dropped);
	add_uint(b, "duration_ms", p->duration_ms);
	json_builder_set_member_name(b, "paused");
	json_builder_add_boolean_value(b, (p->flags & RD_LIVE_PACKET_PAUSED) != 0);
	add_uint(b, "strokes", p->strokes);
	json_builder_set_member_name(b, "strokes_per_minute");
	json_builder_add_double_value(b, p->strokes_per_minute_x10 / 10.0);
	add_uint_or_null(b, "force_cn", p->force_cn != ROLLER_FORCE_INVALID, p->force_cn);
	add_uint_or_null(b, "force_contact_cn", have_contact, contact);
	add_uint(b, "force_mean_cn", p->force_mean_cn);
	add_uint(b, "in_band_permille", p->in_band_permille);
	json_builder_set_member_name(b, "directions");
	json_builder_begin_array(b);
	for (guint i = 0; i < G_N_ELEMENTS(p->directions); i++)
		json_builder_add_int_value(b, p->directions[i]);
	json_builder_end_array(b);
	json_builder_set_member_name(b, "passes");
	json_builder_begin_array(b);
	for (guint i = 0; i < (guint)m->cols * m->rows; i++)
		json_builder_add_int_value(b, m->passes[i]);
	json_builder_end_array(b);
	add_uint(b, "frames", p->frames);
	add_uint(b, "frames_lost", p->frames_lost);
	add_uint(b, "frames_rejected", p->frames_rejected);
}

/* Every FORCE record of the frame: its time, period and samples (null: no reading). */
static void
add_force(JsonBuilder *b, const struct roller_frame *frame)
{
	struct roller_frame_iter iter;
	struct roller_record rec;

	json_builder_set_member_name(b, "force");
	json_builder_begin_array(b);
	roller_frame_iter_init(&iter, frame);
	while (roller_frame_iter_next(&iter, &rec)) {
		if (rec.type != ROLLER_RECORD_FORCE)
			continue;
		json_builder_begin_object(b);
		add_uint(b, "t_ms", rec.u.force.t_ms);
		add_uint(b, "period_ms", rec.u.force.period_ms);
		json_builder_set_member_name(b, "samples");
		json_builder_begin_array(b);
		for (guint i = 0; i < rec.u.force.n; i++) {
			guint16 v = roller_force_sample(&rec.u.force, i);

			if (v == ROLLER_FORCE_INVALID)
				json_builder_add_null_value(b);
			else
				json_builder_add_int_value(b, v);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/* One record on one line, flushed: a pipe's reader sees it at once. */
static void
print_record(JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) node = NULL;
	g_autofree char *text = NULL;

	json_builder_end_object(b);
	node = json_builder_get_root(b);
	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, NULL);
	printf("%s\n", text);
	fflush(stdout);
}

void
rc_monitor_print_update(RcMonitor *m, const struct roller_frame *frame)
{
	const RdLivePacket *p = &m->last;
	g_autofree char *contact_text = NULL;
	guint16 contact;

	if (m->json) {
		g_autoptr(JsonBuilder) b = record_new(m, "update");

		add_values(b, m);
		add_force(b, frame);
		print_record(b);
		return;
	}
	contact_text = rc_force_view_contact_cn(m->force, &contact) ?
		       g_strdup_printf("%ucN", contact) : g_strdup("-");
	printf("t=%.1fs strokes=%u spm=%.1f contact=%s mean=%ucN inband=%.1f%% "
	       "dirs=%u,%u,%u,%u lost=%u dropped=%" G_GUINT64_FORMAT "\n",
	       p->duration_ms / 1000.0, p->strokes, p->strokes_per_minute_x10 / 10.0,
	       contact_text, p->force_mean_cn, p->in_band_permille / 10.0,
	       p->directions[0], p->directions[1], p->directions[2], p->directions[3],
	       p->frames_lost, m->dropped);
	fflush(stdout);
}

void
rc_monitor_print_end(RcMonitor *m)
{
	const RdLivePacket *p = &m->last;
	g_autofree char *duration = NULL;

	if (m->json) {
		g_autoptr(JsonBuilder) b = record_new(m, "end");

		add_uint_or_null(b, "stored_id", m->stored_id != 0, m->stored_id);
		add_values(b, m);
		print_record(b);
		return;
	}
	duration = rc_format_duration(p->duration_ms);
	if (m->stored_id)
		printf("Session %u ended: %s, %u strokes; stored as %" G_GUINT64_FORMAT
		       " (rollerctl show %" G_GUINT64_FORMAT ")\n",
		       p->session_id, duration, p->strokes, m->stored_id, m->stored_id);
	else
		printf("Session %u ended: %s, %u strokes; not in the history\n",
		       p->session_id, duration, p->strokes);
	fflush(stdout);
}

void
rc_monitor_print_alert(RcMonitor *m, const RcMonitorAlert *alert)
{
	if (m->json) {
		g_autoptr(JsonBuilder) b = record_new(m, "alert");

		json_builder_set_member_name(b, "kind");
		json_builder_add_string_value(b, alert->kind);
		json_builder_set_member_name(b, "message");
		json_builder_add_string_value(b, alert->message);
		print_record(b);
		return;
	}
	printf("alert %s: %s\n", alert->kind, alert->message);
	fflush(stdout);
}
