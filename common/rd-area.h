/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Treatment areas (profile section 7) as the D-Bus API names them. */
#pragma once

#include <glib.h>

/* "abdomen", ...; "area-N" for ids the profile does not name. */
char *rd_area_to_string(guint8 area_id);
/* Accepts the names and "area-N" (N 0..255); FALSE for anything else. */
gboolean rd_area_from_string(const char *name, guint8 *area_id);
/* The named areas, NULL-terminated, in id order (for help and completion). */
const char *const *rd_area_names(void);
