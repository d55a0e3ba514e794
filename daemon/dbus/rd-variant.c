/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "rd-variant.h"

GVariant *
rd_variant_new_fixed_array(const GVariantType *element_type, gconstpointer elements,
			   gsize n_elements, gsize element_size)
{
	static const char types[] = "ynqiuxthd";
	static const gsize sizes[] = { 1, 2, 2, 4, 4, 8, 8, 4, 8 };
	g_autoptr(GVariantType) array_type = g_variant_type_new_array(element_type);
	g_autoptr(GBytes) bytes = NULL;
	const char *t = strchr(types, *g_variant_type_peek_string(element_type));

	/* Booleans are fixed-size but only 0 and 1 are normal form. */
	g_return_val_if_fail(t && *t && g_variant_type_get_string_length(element_type) == 1,
			     NULL);
	g_return_val_if_fail(element_size == sizes[t - types], NULL);
	g_return_val_if_fail(n_elements == 0 || elements != NULL, NULL);
	bytes = g_bytes_new(elements, n_elements * element_size);
	return g_variant_new_from_bytes(array_type, bytes, TRUE);
}
