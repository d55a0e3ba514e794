/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "rc-notes.h"

GPtrArray *
rc_notes_facts(GVariant *notes)
{
	GPtrArray *facts = g_ptr_array_new_with_free_func(g_free);
	const char *str;
	gboolean b;

	if (!notes)
		return facts;
	if (g_variant_lookup(notes, "redness", "&s", &str))
		g_ptr_array_add(facts, g_strdup_printf("Redness afterwards: %s", str));
	if (g_variant_lookup(notes, "numbing", "b", &b))
		g_ptr_array_add(facts, g_strdup_printf("Numbing cream: %s", b ? "yes" : "no"));
	if (g_variant_lookup(notes, "cleaned", "b", &b) && b)
		g_ptr_array_add(facts, g_strdup("Roller cleaned"));
	if (g_variant_lookup(notes, "topical", "&s", &str))
		g_ptr_array_add(facts, g_strdup_printf("Topical: %s", str));
	return facts;
}
