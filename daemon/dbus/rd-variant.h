/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GVariant helpers for what rollerd publishes often.
 */
#pragma once

#include <glib.h>

/*
 * As g_variant_new_fixed_array(), but marked trusted: an array of a
 * fixed-size basic type is in normal form whatever its bytes, and
 * g_variant_equal() compares trusted values by their bytes.  Untrusted
 * container values it compares by printing both, which made a property
 * setter of gdbus-codegen (it compares old and new) the costliest call of
 * a live session.  @element_type must be
 * one of the fixed-size numeric types (y n q i u x t h d) and @element_size
 * its size.
 */
GVariant *rd_variant_new_fixed_array(const GVariantType *element_type,
				     gconstpointer elements, gsize n_elements,
				     gsize element_size);
