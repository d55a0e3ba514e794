/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdlib.h>

#include "rd-area.h"

static const char *const area_names[] = {
	"unspecified", "abdomen", "thighs", "hips", "buttocks", "upper-arms",
	"breasts", "face", "scalp", "back", "calves", NULL
};

const char *const *
rd_area_names(void)
{
	return area_names;
}

char *
rd_area_to_string(guint8 area_id)
{
	if (area_id < G_N_ELEMENTS(area_names) - 1)
		return g_strdup(area_names[area_id]);
	return g_strdup_printf("area-%u", area_id);
}

gboolean
rd_area_from_string(const char *name, guint8 *area_id)
{
	guint64 n;

	if (!name)
		return FALSE;
	for (guint i = 0; area_names[i]; i++) {
		if (g_str_equal(name, area_names[i])) {
			*area_id = (guint8)i;
			return TRUE;
		}
	}
	if (!g_str_has_prefix(name, "area-") ||
	    !g_ascii_string_to_unsigned(name + 5, 10, 0, 255, &n, NULL))
		return FALSE;
	*area_id = (guint8)n;
	return TRUE;
}
