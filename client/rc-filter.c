/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The history's filter options and the QuerySessions filter they make. */
#include "config.h"

#include <stdio.h>

#include "rc-filter.h"

/* "2026-11-24" or a full ISO 8601 time, local time unless it says; -1 if bad. */
static gint64
parse_date(const char *text)
{
	g_autoptr(GTimeZone) local = g_time_zone_new_local();
	g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(text, local);
	int y, m, d;
	char end;

	if (dt)
		return g_date_time_to_unix(dt);
	if (sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &end) == 3) {
		g_autoptr(GDateTime) day = g_date_time_new_local(y, m, d, 0, 0, 0);

		if (day)
			return g_date_time_to_unix(day);
	}
	return -1;
}

void
rc_filter_clear(RcFilter *f)
{
	g_free(f->area);
	g_free(f->since);
	g_free(f->until);
	g_free(f->roller);
	g_free(f->person);
	g_free(f->person_path);
}

char *
rc_filter_describe(const RcFilter *f)
{
	g_autoptr(GString) text = g_string_new(NULL);
	const struct {
		const char *option, *value;
	} given[] = {
		{ "--area", f->area }, { "--since", f->since }, { "--until", f->until },
		{ "--roller", f->roller }, { "--person", f->person },
	};

	for (gsize i = 0; i < G_N_ELEMENTS(given); i++) {
		if (given[i].value)
			g_string_append_printf(text, "%s%s %s", text->len ? " " : "",
					       given[i].option, given[i].value);
	}
	if (f->offset > 0)
		g_string_append_printf(text, "%s--offset %d", text->len ? " " : "", f->offset);
	return text->len ? g_string_free(g_steal_pointer(&text), FALSE) : NULL;
}

gboolean
rc_filter_connect(const struct rc_globals *globals, const char *command, RcFilter *f,
	       GDBusConnection **bus, RdDbusManager1 **manager, int *code)
{
	if (!(*bus = rc_connect(globals, code)) || !(*manager = rc_manager(*bus, code)))
		return FALSE;
	return !f->person || (f->person_path = rc_resolve_person(*bus, command, f->person, code));
}

GVariant *
rc_filter_to_variant(const char *command, const RcFilter *f)
{
	GVariantBuilder b;
	gint64 t;

	if (f->area && !rc_check_area(command, f->area))
		return NULL;
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	if (f->area)
		g_variant_builder_add(&b, "{sv}", "area", g_variant_new_string(f->area));
	if (f->roller)
		g_variant_builder_add(&b, "{sv}", "roller", g_variant_new_string(f->roller));
	if (f->person_path)
		g_variant_builder_add(&b, "{sv}", "person", g_variant_new_object_path(f->person_path));
	if (f->since) {
		if ((t = parse_date(f->since)) < 0)
			goto bad_date;
		g_variant_builder_add(&b, "{sv}", "since", g_variant_new_int64(t));
	}
	if (f->until) {
		if ((t = parse_date(f->until)) < 0)
			goto bad_date;
		g_variant_builder_add(&b, "{sv}", "until", g_variant_new_int64(t));
	}
	if ((f->limit != RC_NO_LIMIT && (f->limit < 1 || f->limit > 1000)) || f->offset < 0) {
		g_printerr("rollerctl %s: --limit takes 1 to 1000, --offset 0 or more\n", command);
		g_variant_builder_clear(&b);
		return NULL;
	}
	if (f->limit != RC_NO_LIMIT)
		g_variant_builder_add(&b, "{sv}", "limit", g_variant_new_uint32((guint32)f->limit));
	if (f->offset)
		g_variant_builder_add(&b, "{sv}", "offset", g_variant_new_uint32((guint32)f->offset));
	return g_variant_builder_end(&b);
bad_date:
	g_printerr("rollerctl %s: a date is YYYY-MM-DD or ISO 8601\n", command);
	g_variant_builder_clear(&b);
	return NULL;
}
