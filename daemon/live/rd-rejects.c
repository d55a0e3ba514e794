/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "rd-rejects.h"

void
rd_rejects_init(RdRejects *r)
{
	memset(r, 0, sizeof(*r));
}

/* "CRC 3, VERSION 5": what @counts holds, in the profile's checking order. */
static char *
describe(const guint32 *counts)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < ROLLER_ERROR_COUNT; i++) {
		if (!counts[i])
			continue;
		g_string_append_printf(out, "%s%s %u", out->len ? ", " : "",
				       roller_error_name((enum roller_error)i), counts[i]);
	}
	return g_string_free(out, FALSE);
}

gboolean
rd_rejects_add(RdRejects *r, const char *address, enum roller_error err, gsize len,
	       gint64 now_us)
{
	guint idx = (guint)err < ROLLER_ERROR_COUNT ? (guint)err : 0;
	g_autofree char *counted = NULL;
	guint32 total = 0;

	r->counts[idx]++;
	r->unlogged[idx]++;
	if (r->logged && now_us - r->logged_us < RD_REJECTS_LOG_INTERVAL_US)
		return FALSE;
	for (guint i = 0; i < ROLLER_ERROR_COUNT; i++)
		total += r->unlogged[i];
	if (total == 1) {
		g_message("Roller %s: rejected a malformed telemetry frame (%s, %zu bytes); "
			  "more in the next %u s are only counted", address,
			  roller_error_name(err), len,
			  (guint)(RD_REJECTS_LOG_INTERVAL_US / G_USEC_PER_SEC));
	} else {
		counted = describe(r->unlogged);
		g_message("Roller %s: rejected %u malformed telemetry frames since the last "
			  "report (%s), the last %s, %zu bytes; more in the next %u s are "
			  "only counted", address, total, counted, roller_error_name(err), len,
			  (guint)(RD_REJECTS_LOG_INTERVAL_US / G_USEC_PER_SEC));
	}
	memset(r->unlogged, 0, sizeof(r->unlogged));
	r->logged = TRUE;
	r->logged_us = now_us;
	return TRUE;
}

GVariant *
rd_rejects_to_variant(const guint32 *counts)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{su}"));
	for (guint i = 0; i < ROLLER_ERROR_COUNT; i++) {
		if (counts[i])
			g_variant_builder_add(&b, "{su}",
					      roller_error_name((enum roller_error)i), counts[i]);
	}
	return g_variant_builder_end(&b);
}
