/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading the history, as the export shares it. */
#pragma once

#include "rd-store.h"

/*
 * The summaries @filter selects, newest first; without @paged a filter's
 * limit of 0 means all of them (for export).
 */
gboolean rd_store_select_sessions(RdStore *store, const RdSessionFilter *filter,
				  gboolean paged, GPtrArray **rows, GError **error);
