/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "rd-variant.h"

GVariant *
rd_variant_new_fixed_array(const GVariantType *element_type, gconstpointer elements,
			   gsize n_elements, gsize element_size)
{
	g_autoptr(GVariantType) array_type = g_variant_type_new_array(element_type);
	g_autoptr(GBytes) bytes = NULL;

	/* Booleans are fixed-size but only 0 and 1 are normal form. */
	g_return_val_if_fail(strchr("ynqiuxthd", *g_variant_type_peek_string(element_type)) &&
			     g_variant_type_get_string_length(element_type) == 1, NULL);
	g_return_val_if_fail(n_elements == 0 || elements != NULL, NULL);
	bytes = g_bytes_new(elements, n_elements * element_size);
	return g_variant_new_from_bytes(array_type, bytes, TRUE);
}
